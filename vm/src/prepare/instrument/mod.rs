//! The gas and stack instrumentation pass (`spec/gas.md`).
//!
//! Rewrites a validated module so that it meters itself: gas charged per metered block on a
//! function-local copy of the gas global (written back wherever it can be observed), with a host
//! slow path, run-time charges for `memory.copy`/`memory.fill`, a stack-units global
//! checked at every function entry, and `memory.grow` replaced by a constant failure. All costs
//! come from the [`GasTable`] applied to the *input* operators, so gas and trap points depend only
//! on the input module, the table and the limits, never on the engine.
//!
//! Layout: [`module`] rewrites sections, [`body`] rewrites function bodies, [`blocks`] defines
//! metered blocks, [`sync`] decides where the gas local is written back to the global, [`remap`]
//! shifts function indices for both (so neither imports the other).

mod blocks;
mod body;
mod module;
mod remap;
mod sync;

use crate::{GasTable, Limits, ModuleInfo};

#[cfg(test)]
pub(crate) use blocks::{metered_blocks, MeteredBlock};

pub use abi::names::{GAS_GLOBAL_EXPORT, GAS_SLOW_IMPORT, GLOBAL_EXPORT_PREFIX, STACK_GLOBAL_EXPORT};

/// Value of the stack global after a stack-limit trap (`spec/gas.md#stack-limit`).
pub const STACK_OVERFLOW_SENTINEL: i32 = -1;

/// Instrumentation failure: the input is not a module the validator accepts, or does not match
/// its [`ModuleInfo`]. Never a guest outcome: validated modules always instrument.
#[derive(Debug, thiserror::Error)]
#[error("instrumentation failed: {0}")]
pub struct InstrumentError(pub String);

impl From<wasmparser::BinaryReaderError> for InstrumentError {
    fn from(e: wasmparser::BinaryReaderError) -> Self {
        Self(format!("malformed input at offset {}: {}", e.offset(), e.message()))
    }
}

/// Instruments a validated module (`spec/gas.md#instrumentation`).
///
/// `info` must be what validation returned for `wasm`; `table` gives the costs and
/// `limits.max_stack_units` the stack limit. The output is deterministic: the same inputs always
/// give byte-identical output.
///
/// # Errors
/// [`InstrumentError`] if `wasm` is malformed, uses an operator or section outside the
/// determinism profile, disagrees with `info`, or if `table` has a per-byte cost of 2^32 or more.
/// Never panics.
pub fn instrument(
    wasm: &[u8],
    info: &ModuleInfo,
    table: &GasTable,
    limits: &Limits,
) -> Result<Vec<u8>, InstrumentError> {
    module::rewrite(wasm, info, table, limits, false, false)
}

/// Import name of the profiling variant's function-entry hook, `(func_index: i32) -> depth: i32`
/// (`spec/profile.md#hooks`).
pub const PROFILE_ENTER_IMPORT: &str = "__profile_enter";
/// Import name of the profiling variant's return-to-caller hook, `(depth: i32) -> ()`
/// (`spec/profile.md#hooks`).
pub const PROFILE_RESUME_IMPORT: &str = "__profile_resume";

/// The profiling variant of [`instrument`] (`spec/profile.md#hooks`): the same metering, byte for
/// byte in what it charges, plus a call of [`PROFILE_ENTER_IMPORT`] at every function entry and of
/// [`PROFILE_RESUME_IMPORT`] after every call, which charge nothing. Used only to profile, never
/// for consensus.
///
/// # Errors
/// As [`instrument`].
pub(crate) fn instrument_profiling(
    wasm: &[u8],
    info: &ModuleInfo,
    table: &GasTable,
    limits: &Limits,
) -> Result<Vec<u8>, InstrumentError> {
    module::rewrite(wasm, info, table, limits, true, false)
}

/// The reference placement of the injected code, for the differential tests only: the same charges
/// and stack checks, with the gas global written back at every synced block and the stack global
/// written at every entry and restored after every call, the placement before the write-back
/// analysis (`spec/gas.md#write-backs`). Gas, traps and slow-path calls must equal [`instrument`]'s.
#[cfg(test)]
pub(crate) fn instrument_reference(
    wasm: &[u8],
    info: &ModuleInfo,
    table: &GasTable,
    limits: &Limits,
) -> Result<Vec<u8>, InstrumentError> {
    module::rewrite(wasm, info, table, limits, false, true)
}

#[cfg(test)]
pub(crate) mod tests;
