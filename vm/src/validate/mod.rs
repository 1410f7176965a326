//! PLACEHOLDER: the determinism profile (replaced wholesale).

use crate::{Limits, ModuleInfo};

/// Version of the determinism profile.
pub const PROFILE_VERSION: u32 = 0;

/// A profile rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rule {
    /// Not valid WebAssembly.
    Malformed,
}

/// A validation failure.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{rule:?} at offset {offset}: {message}")]
pub struct ValidationError {
    /// The rule broken.
    pub rule: Rule,
    /// The function, if inside one.
    pub func_index: Option<u32>,
    /// Its name, where the name section has it.
    pub func_name: Option<String>,
    /// Byte offset in the module.
    pub offset: usize,
    /// Detail.
    pub message: String,
}

/// Validates a module.
///
/// # Errors
/// Always in the placeholder.
pub fn validate(_wasm: &[u8], _limits: &Limits) -> Result<ModuleInfo, ValidationError> {
    Err(ValidationError {
        rule: Rule::Malformed,
        func_index: None,
        func_name: None,
        offset: 0,
        message: "placeholder".into(),
    })
}
