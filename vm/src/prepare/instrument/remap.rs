//! The index remapping both the section rewriter ([`super::module`]) and the body rewriter
//! ([`super::body`]) apply, and the conversion of its errors (`spec/gas.md#module-changes`).

use super::InstrumentError;
use wasm_encoder::reencode::{Error as ReencodeError, Reencode};

/// The index remapping (`spec/gas.md#module-changes`): defined functions move up by one to make
/// room for the appended import (by three in the profiling variant, `spec/profile.md#hooks`);
/// every other index is unchanged.
#[derive(Default)]
pub(super) struct Remap {
    /// Number of imported functions in the input (= the new import's index).
    pub(super) imported_funcs: u32,
    /// Imports appended beyond the slow path (0, or 2 for the profiling hooks).
    pub(super) extra_imports: u32,
}

impl Reencode for Remap {
    type Error = InstrumentError;

    fn function_index(&mut self, func: u32) -> Result<u32, ReencodeError<InstrumentError>> {
        if func < self.imported_funcs {
            Ok(func)
        } else {
            func.checked_add(1 + self.extra_imports)
                .ok_or_else(|| ReencodeError::UserError(InstrumentError("function index overflow".into())))
        }
    }
}

/// Converts a reencoding failure.
pub(super) fn reencode_err(e: ReencodeError<InstrumentError>) -> InstrumentError {
    match e {
        ReencodeError::UserError(e) => e,
        ReencodeError::ParseError(e) => e.into(),
        other => InstrumentError(other.to_string()),
    }
}
