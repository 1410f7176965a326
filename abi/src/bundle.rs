//! Replay bundles and pre-state witnesses (`spec/bundle.md`).
//!
//! A bundle replays one transaction with nothing else: the rules it ran under (by hash), the module,
//! the invocation, the context, the gas limit, every piece of state it read (the witness), and the
//! receipt it produced.

use crate::{Context, Hash32, Invocation, Receipt, StateKey, TokenInfo};
use alloc::vec::Vec;
use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

/// Version of the bundle format (`spec/bundle.md#versioning`).
pub const BUNDLE_FORMAT_VERSION: u32 = 1;

/// One state entry an execution read: a key and its value before the execution (`None`: absent).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WitnessEntry {
    /// The key.
    pub key: StateKey,
    /// Its value before the execution.
    #[serde(with = "crate::hex::opt_bytes")]
    pub value: Option<Vec<u8>>,
}

/// Everything an execution read from the state: the token's metadata (or its absence) and every
/// key, sorted by key, each once.
#[derive(Clone, Debug, Default, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Witness {
    /// The token's metadata; `None` if the token did not exist.
    pub token: Option<TokenInfo>,
    /// The entries read, sorted by key.
    pub entries: Vec<WitnessEntry>,
}

/// A self-contained, replayable transaction.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bundle {
    /// [`BUNDLE_FORMAT_VERSION`].
    pub format_version: u32,
    /// The rules hash of the VM that recorded it; replay refuses any other.
    pub rules_hash: Hash32,
    /// The module bytes (WebAssembly binary).
    #[serde(with = "crate::hex::bytes")]
    pub module: Vec<u8>,
    /// What was run.
    pub invocation: Invocation,
    /// The context.
    pub context: Context,
    /// The gas limit.
    pub gas_limit: u64,
    /// The pre-state it read.
    pub witness: Witness,
    /// The receipt it produced.
    pub expected: Receipt,
}

/// A bundle's fields before `expected`, in order: a borsh bundle is its head's encoding followed by
/// its expected receipt's. A replay that reads bundles by the thousand decodes the head, and
/// compares the receipt's bytes with its own receipt's encoding before decoding them
/// (`spec/bundle.md#replay`).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct BundleHead {
    /// As [`Bundle::format_version`].
    pub format_version: u32,
    /// As [`Bundle::rules_hash`].
    pub rules_hash: Hash32,
    /// As [`Bundle::module`].
    pub module: Vec<u8>,
    /// As [`Bundle::invocation`].
    pub invocation: Invocation,
    /// As [`Bundle::context`].
    pub context: Context,
    /// As [`Bundle::gas_limit`].
    pub gas_limit: u64,
    /// As [`Bundle::witness`].
    pub witness: Witness,
}

impl BundleHead {
    /// Decodes the head of the borsh bundle `bytes`, and gives the bytes after it: the expected
    /// receipt's encoding, not decoded (nor checked) yet.
    ///
    /// # Errors
    /// The head is malformed or cut short.
    pub fn split(bytes: &[u8]) -> borsh::io::Result<(Self, &[u8])> {
        let mut rest = bytes;
        let head = Self::deserialize(&mut rest)?;
        Ok((head, rest))
    }

    /// The bundle of this head and `expected`.
    pub fn with_expected(self, expected: Receipt) -> Bundle {
        let Self { format_version, rules_hash, module, invocation, context, gas_limit, witness } = self;
        Bundle { format_version, rules_hash, module, invocation, context, gas_limit, witness, expected }
    }
}
