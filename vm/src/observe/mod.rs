//! Observation of one execution: the trace, the gas meter and the checkpoints.
//!
//! - [`observer`]: the seam execution reports to ([`Observer`]);
//! - [`trace`]: the hashed trace recorder (`spec/trace.md`);
//! - [`meter`]: gas accounting on the host side (`spec/gas.md#host-side-metering`);
//! - [`checkpoint`]: the memory commitment of a checkpoint (`spec/trace.md#checkpoints`);
//! - [`profile`] and [`profiler`]: the gas profile and what collects it (`spec/profile.md`).

pub(crate) mod checkpoint;
pub(crate) mod meter;
mod observer;
pub(crate) mod profile;
pub(crate) mod profiler;
pub(crate) mod trace;

pub use checkpoint::{CHECKPOINT_PAGE_BYTES, MIN_CHECKPOINT_INTERVAL};
pub(crate) use observer::Observer;
pub use profile::{Frame, FuncGas, HostGas, HostPart, Profile, StackGas};
pub use trace::TraceLevel;
