//! Errors of the host itself (never of the guest: guest failures are receipts).

/// A failure of the VM or of the node's state, not of the script.
#[derive(Debug, thiserror::Error)]
pub enum VmError {
    /// The node's state view failed.
    #[error("state access failed: {0}")]
    State(String),
    /// A replay read state its witness does not hold.
    #[error("read outside the witness: {0}")]
    OutsideWitness(String),
    /// A bundle was recorded under other rules than the running VM's.
    #[error("rules mismatch: the bundle was recorded under rules {bundle}, this VM runs rules {vm}")]
    RulesMismatch {
        /// The bundle's rules hash.
        bundle: abi::Hash32,
        /// The VM's rules hash.
        vm: abi::Hash32,
    },
    /// A bundle's format version is not one this VM reads.
    #[error("unsupported bundle format version {0} (this VM reads version {1})")]
    BundleVersion(u32, u32),
    /// A bundle's witness is not canonical: unsorted, duplicated, another token's, or holding state
    /// the execution did not read (`spec/bundle.md#canonical-witness`).
    #[error("bundle is not canonical: {0}")]
    NonCanonicalBundle(String),
    /// A checkpoint interval below [`crate::MIN_CHECKPOINT_INTERVAL`] (and not 0: none) was asked
    /// for (`spec/trace.md#minimum-interval`).
    #[error("checkpoint interval {interval} is below the minimum of {min} gas")]
    CheckpointInterval {
        /// The interval asked for.
        interval: u64,
        /// The minimum.
        min: u64,
    },
    /// A block entry gives its code as a hash: a block's entries must carry their code's bytes
    /// (`spec/block.md#transactions`).
    #[error("block transaction {index} gives its code as a hash; a block carries code bytes")]
    CodeByHash {
        /// The entry's index in the block.
        index: usize,
    },
    /// A host failure while executing one transaction of a block (`spec/block.md#execution`).
    #[error("block transaction {index}: {source}")]
    InBlock {
        /// The transaction's index in the block.
        index: usize,
        /// What failed.
        #[source]
        source: Box<VmError>,
    },
    /// The engine failed in a way that is not a guest trap (a bug in tsvm or wasmi).
    #[error("engine failure: {0}")]
    Engine(String),
}

impl From<crate::StateError> for VmError {
    fn from(e: crate::StateError) -> Self {
        match e {
            crate::StateError::Failed(m) => Self::State(m),
            crate::StateError::OutsideWitness(m) => Self::OutsideWitness(m),
        }
    }
}

/// `Result` with [`VmError`].
pub type Result<T, E = VmError> = std::result::Result<T, E>;
