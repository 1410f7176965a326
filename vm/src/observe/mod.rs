//! Observation of one execution: the trace, the gas meter and the checkpoints.
//!
//! - [`observer`]: the seam execution reports to ([`Observer`]);
//! - [`trace`]: the hashed trace recorder (`spec/trace.md`);
//! - [`meter`]: gas accounting on the host side (`spec/gas.md#host-side-metering`);
//! - [`checkpoint`]: the memory commitment of a checkpoint (`spec/trace.md#checkpoints`).

pub(crate) mod checkpoint;
pub(crate) mod meter;
mod observer;
pub(crate) mod trace;

pub use checkpoint::{CHECKPOINT_PAGE_BYTES, MIN_CHECKPOINT_INTERVAL};
pub(crate) use observer::Observer;
pub use trace::TraceLevel;
