//! Errors of the host itself (never of the guest: guest failures are receipts).

/// A failure of the VM or of the node's state, not of the script.
#[derive(Debug, thiserror::Error)]
pub enum VmError {
    /// The node's state view failed.
    #[error("state access failed: {0}")]
    State(String),
    /// The engine failed in a way that is not a guest trap (a bug in tsvm or wasmi).
    #[error("engine failure: {0}")]
    Engine(String),
}

/// `Result` with [`VmError`].
pub type Result<T, E = VmError> = std::result::Result<T, E>;
