//! Preparing a module to run: validation against the determinism profile (`spec/determinism.md`),
//! then gas and stack instrumentation (`spec/gas.md#instrumentation`).
//!
//! - [`validate`]: the profile's rule checks and static limits; returns a [`ModuleInfo`].
//! - [`instrument`]: rewrites a validated module so that it meters itself.
//! - [`module_info`]: what validation learns and the instrumenter and the VM need.

pub(crate) mod instrument;
mod module_info;
pub(crate) mod validate;

pub use instrument::{
    instrument, InstrumentError, GAS_GLOBAL_EXPORT, GAS_SLOW_IMPORT, GLOBAL_EXPORT_PREFIX,
    STACK_GLOBAL_EXPORT, STACK_OVERFLOW_SENTINEL,
};
pub use module_info::{ExportInfo, FuncInfo, ModuleInfo, FRAME_OVERHEAD_UNITS};
pub use validate::{
    memory_pages, validate, validate_all, validate_two_passes_for_tests, Rule, ValidationError,
    PROFILE_VERSION, WASM_PAGE_BYTES,
};
