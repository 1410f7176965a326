//! The failure taxonomy (`spec/executor.md#failures`): what an execution that produced no receipt
//! reports to the node. Guest outcomes (trap, revert, out of gas, rejected mutation) are receipts
//! and never appear here.
#![forbid(unsafe_code)]

use crate::Layer;

/// Why no receipt was produced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FailureKind {
    // --- deterministic: the same transaction fails the same way anywhere ---
    /// The VM returned a host error (the text is for people; nothing compares it).
    Host(String),
    /// The node's state view failed while answering a read.
    State(vm::StateError),
    /// The transaction names its code by hash; this executor runs code given as bytes.
    CodeByHash,
    /// The request does not fit the request frame cap.
    RequestTooLarge,

    // --- ambiguous: the worker died or stalled; the transaction or the machine may be at fault ---
    /// The worker exited or was killed by a signal (`signal`: its number; SIGSYS is a seccomp kill,
    /// SIGKILL may be the parent's timeout or the kernel's OOM killer).
    Died {
        /// The terminating signal.
        signal: Option<i32>,
        /// The exit code.
        code: Option<i32>,
    },
    /// The worker used more CPU time (or wall time) than its budget and was killed.
    Timeout,

    // --- protocol violations and invalid responses: the worker is broken or compromised ---
    /// A frame over the response cap.
    Oversized,
    /// The worker's output ended inside a frame.
    Truncated,
    /// A frame that is not one message.
    Garbage,
    /// A wrong protocol version in the hello.
    Version(u32),
    /// A message out of order (a second hello, a read of another token...).
    Unexpected(&'static str),
    /// The receipt's diff hash is not the hash of its diff (or the diff is not canonical).
    DiffHash,
    /// The receipt's hash is not the hash of its fields.
    ReceiptHash,
    /// The receipt's rules hash is not the node's.
    RulesHash,
    /// A diff entry belongs to another token.
    ForeignKey,
    /// A value, count or gas figure beyond the rules' limits.
    OverLimit(&'static str),
    /// The witness holds a value the parent never answered, or another value than it answered; or
    /// a diff's old value is not the state's.
    Witness,

    // --- internal: the node's side failed ---
    /// The worker could not be spawned or its pipes failed.
    Spawn(String),
    /// The worker's lockdown lacks layers the policy requires.
    Lockdown(Vec<Layer>),
    /// The worker refused the request (a test fault in a build that refuses them).
    Refused(String),
}

/// The three classes a node acts on (Polkadot's PVF split).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailureClass {
    /// The transaction itself fails; another attempt fails the same way. Not retried.
    Deterministic,
    /// The worker died or stalled; retried once on a fresh worker.
    Ambiguous,
    /// The node's executor is broken (protocol, validation, spawn, lockdown); retried once.
    Internal,
}

impl FailureKind {
    /// The class of this kind.
    pub fn class(&self) -> FailureClass {
        use FailureKind::*;
        match self {
            Host(_) | State(_) | CodeByHash | RequestTooLarge => FailureClass::Deterministic,
            Died { .. } | Timeout => FailureClass::Ambiguous,
            _ => FailureClass::Internal,
        }
    }
}

/// An execution that produced no receipt.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("executor failure: {kind:?} (attempts: {attempts})")]
pub struct ExecutorFailure {
    /// What went wrong (on the last attempt).
    pub kind: FailureKind,
    /// Attempts made (2 when the retry failed too).
    pub attempts: u32,
    /// The first attempt's kind, when a retry was made.
    pub first: Option<FailureKind>,
}

impl ExecutorFailure {
    /// A failure after one attempt.
    pub fn once(kind: FailureKind) -> Self {
        Self { kind, attempts: 1, first: None }
    }
}

/// SIGSYS: the signal a seccomp kill ends a worker with.
pub const SIGSYS: i32 = libc::SIGSYS;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes() {
        assert_eq!(FailureKind::Timeout.class(), FailureClass::Ambiguous);
        assert_eq!(FailureKind::Died { signal: Some(9), code: None }.class(), FailureClass::Ambiguous);
        assert_eq!(FailureKind::CodeByHash.class(), FailureClass::Deterministic);
        assert_eq!(FailureKind::ForeignKey.class(), FailureClass::Internal);
    }
}
