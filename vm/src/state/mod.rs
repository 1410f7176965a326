//! State as one execution sees it (`spec/abi.md#state`):
//!
//! - [`view`]: the node's read-only [`StateView`] and the in-memory state;
//! - [`overlay`]: the execution's writes over the view, and the reads that make its witness;
//! - `key_map`: the overlay's sorted maps of keys to values;
//! - [`pending`]: a block's pending diffs layered over the view;
//! - [`witness`]: a state made only of a bundle's witness, and its canonical-form check;
//! - [`mutation`]: token mutations, checked and applied in one place.

mod key_map;
pub(crate) mod mutation;
pub(crate) mod overlay;
mod pending;
mod view;
mod witness;

pub(crate) use pending::Changes;
pub use pending::PendingState;
pub use view::{InMemoryState, StateError, StateView, TokenState};
pub use witness::{check_witness, WitnessState};
