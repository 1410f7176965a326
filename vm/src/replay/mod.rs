//! Recording, replaying and comparing executions (`spec/bundle.md`, `spec/trace.md#comparing-executions`).
//!
//! - [`bundle`]: recording a bundle and replaying it against its witness;
//! - [`block`]: recording a block bundle and replaying it, down to the first divergent transaction;
//! - [`compare`]: the first divergence between two traces or two checkpoint lists.

mod block;
mod bundle;
mod compare;

pub use block::{record_block_bundle, replay_block, BlockDivergence, ReplayedBlock};
pub use bundle::{
    profile_bundle, receipt_mismatches, record_bundle, replay, replay_head_in, replay_in, Replayed,
    WitnessSlot,
};
pub use compare::{
    events_in_window, first_divergent_event, first_divergent_window, EventDivergence, WindowDivergence,
};
