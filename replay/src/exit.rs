//! Exit codes (documented in the README): distinct per kind of failure, never a panic.

/// The command did what was asked (for `run`: a receipt was produced, whatever its status).
pub const OK: u8 = 0;
/// Two executions diverged (reserved for `replay`, `diff`, `bisect`).
pub const DIVERGED: u8 = 1;
/// Bad command-line usage (clap's own code).
pub const USAGE: u8 = 2;
/// An input file is malformed: bad JSON, a wrong field, an unparsable module.
pub const INVALID_INPUT: u8 = 3;
/// A file could not be read or written.
pub const IO: u8 = 4;
/// The VM itself failed (state view or engine): no receipt exists.
pub const HOST_FAILURE: u8 = 5;

/// A failure with the exit code it maps to.
#[derive(Debug)]
pub struct Failure {
    /// Exit code.
    pub code: u8,
    /// What went wrong, with its context chain.
    pub error: anyhow::Error,
}

impl Failure {
    /// A malformed-input failure.
    pub fn invalid(error: anyhow::Error) -> Self {
        Self { code: INVALID_INPUT, error }
    }

    /// An I/O failure.
    pub fn io(error: anyhow::Error) -> Self {
        Self { code: IO, error }
    }

    /// A host failure.
    pub fn host(error: anyhow::Error) -> Self {
        Self { code: HOST_FAILURE, error }
    }
}
