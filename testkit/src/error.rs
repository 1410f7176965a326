//! The testkit's one error type: what stops a test before or outside a receipt (an outcome, even a
//! failed one, is never an error: it is an [`Outcome`](crate::Outcome)).

use std::path::PathBuf;

/// What went wrong outside an execution's receipt.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A module file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// WebAssembly text that does not parse.
    #[error("{0}")]
    Wat(String),
    /// A value of a scenario file that cannot be turned into bytes (`spec/scenario.md#values`):
    /// where it is (`steps[2].expect.return`) and why.
    #[error("{at}: {why}")]
    Value {
        /// The field, as a path.
        at: String,
        /// Why it was refused.
        why: String,
    },
    /// The VM itself failed (state view or engine): no receipt exists.
    #[error("the VM failed: {0}")]
    Vm(#[from] vm::VmError),
    /// A successful receipt's diff did not apply to the state it was computed against (a VM bug).
    #[error("the receipt's diff does not apply: {0}")]
    State(#[from] vm::StateError),
}

/// The testkit's result.
pub type Result<T, E = Error> = std::result::Result<T, E>;
