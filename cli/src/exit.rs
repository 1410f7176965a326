//! Exit codes (documented in the README): distinct per kind of failure, never a panic.

/// The command did what was asked: a receipt was produced (whatever its status), every bundle
/// matched, two artefacts agree, every module is valid.
pub const OK: u8 = 0;
/// Two executions diverged (`replay`, `diff`, `bisect`).
pub const DIVERGED: u8 = 1;
/// Bad command-line usage (clap's own code), or two artefacts that cannot be compared.
pub const USAGE: u8 = 2;
/// An input file is malformed: bad JSON, a wrong or missing field, an oversized file, an unknown
/// bundle format version.
pub const INVALID_INPUT: u8 = 3;
/// A file could not be read or written.
pub const IO: u8 = 4;
/// The VM itself failed (state view or engine): no receipt exists.
pub const HOST_FAILURE: u8 = 5;
/// A module fails the determinism profile (`validate`), or does not parse as WebAssembly binary or
/// text (`run`).
pub const INVALID_MODULE: u8 = 6;
/// A bundle was recorded under other rules than this VM's (`spec/bundle.md#replay`).
pub const RULES_MISMATCH: u8 = 7;

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

    /// An invalid module.
    pub fn module(error: anyhow::Error) -> Self {
        Self { code: INVALID_MODULE, error }
    }

    /// A usage failure found after parsing (for example two artefacts of different kinds).
    pub fn usage(error: anyhow::Error) -> Self {
        Self { code: USAGE, error }
    }

    /// Maps a VM error from a replay to its exit code: rules mismatch, bad bundle version, a read
    /// outside the witness (the re-execution went where the original did not: a divergence), or a
    /// host failure.
    pub fn from_vm(error: vm::VmError) -> Self {
        Self { code: vm_code(&error), error: error.into() }
    }
}

/// The exit code a VM error maps to.
fn vm_code(error: &vm::VmError) -> u8 {
    match error {
        vm::VmError::RulesMismatch { .. } => RULES_MISMATCH,
        vm::VmError::BundleVersion(..)
        | vm::VmError::CheckpointInterval { .. }
        | vm::VmError::NonCanonicalBundle(_)
        | vm::VmError::CodeByHash { .. } => INVALID_INPUT,
        vm::VmError::OutsideWitness(_) => DIVERGED,
        vm::VmError::State(_) | vm::VmError::Engine(_) => HOST_FAILURE,
        // A block's transaction failed: the code of what failed in it.
        vm::VmError::InBlock { source, .. } => vm_code(source),
    }
}

/// What a subcommand prints on success, and the exit code it ends with (a divergence or an invalid
/// module is a result to print, not an error).
#[derive(Debug)]
pub struct Output {
    /// Printed to stdout.
    pub stdout: String,
    /// Printed to stderr after `error: ` (why the exit code is not 0), if anything.
    pub error: Option<String>,
    /// Exit code.
    pub code: u8,
}

impl Output {
    /// Output with exit code [`OK`].
    pub fn ok(stdout: String) -> Self {
        Self { stdout, error: None, code: OK }
    }

    /// Output with exit code `code`.
    pub fn with_code(stdout: String, code: u8) -> Self {
        Self { stdout, error: None, code }
    }
}
