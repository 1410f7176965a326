//! PLACEHOLDER: the instrumentation pass (replaced wholesale).

use crate::{GasTable, Limits, ModuleInfo};

/// Export name of the injected gas global.
pub const GAS_GLOBAL_EXPORT: &str = "__tsvm_gas";
/// Export name of the injected stack-units global.
pub const STACK_GLOBAL_EXPORT: &str = "__tsvm_sp";
/// Import name (module `tsvm`) of the injected slow-path gas function `(i64) -> ()`.
pub const GAS_SLOW_IMPORT: &str = "__gas_slow";
/// Value of the stack global after a stack-limit trap.
pub const STACK_OVERFLOW_SENTINEL: i32 = -1;

/// Instrumentation failure.
#[derive(Debug, thiserror::Error)]
#[error("instrumentation failed: {0}")]
pub struct InstrumentError(pub String);

/// Instruments a validated module.
///
/// # Errors
/// Never in the placeholder.
pub fn instrument(
    wasm: &[u8],
    _info: &ModuleInfo,
    _table: &GasTable,
    _limits: &Limits,
) -> Result<Vec<u8>, InstrumentError> {
    Ok(wasm.to_vec())
}
