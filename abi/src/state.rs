//! State keys, the state diff, and token metadata (`spec/abi.md#state`).

use crate::{Address, TokenId};
use alloc::vec::Vec;
use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

/// A key of the state tsvm reads and writes.
///
/// Keys are ordered by their derived `Ord` (variant, then fields in order, byte strings
/// lexicographically); that order is the canonical order of a [`StateDiff`].
#[derive(
    Clone,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    BorshSerialize,
    BorshDeserialize,
    Serialize,
    Deserialize,
)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum StateKey {
    /// An account's balance of a token; the value is the amount as 16 bytes little-endian.
    Balance {
        /// The token.
        token: TokenId,
        /// The account.
        account: Address,
    },
    /// A token's total supply; the value is the amount as 16 bytes little-endian.
    Supply {
        /// The token.
        token: TokenId,
    },
    /// An entry of a token script's own storage.
    Storage {
        /// The token whose script owns the entry.
        token: TokenId,
        /// The key.
        #[serde(with = "crate::hex::bytes")]
        key: Vec<u8>,
    },
}

impl core::fmt::Display for StateKey {
    /// `balance[0x..] of 0x..`, `supply of 0x..`, `storage[0x..] of 0x..` (keys in hex).
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Balance { token, account } => write!(f, "balance[{account}] of {token}"),
            Self::Supply { token } => write!(f, "supply of {token}"),
            Self::Storage { token, key } => write!(f, "storage[{}] of {token}", crate::hex::encode(key)),
        }
    }
}

/// One changed key: its value before and after the execution (`None`: absent).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiffEntry {
    /// The key.
    pub key: StateKey,
    /// Value before.
    #[serde(with = "crate::hex::opt_bytes")]
    pub old: Option<Vec<u8>>,
    /// Value after.
    #[serde(with = "crate::hex::opt_bytes")]
    pub new: Option<Vec<u8>>,
}

/// The changes an execution makes, sorted by key, one entry per changed key, no entry whose `old`
/// equals its `new`. Empty whenever the execution did not succeed.
#[derive(Clone, Debug, PartialEq, Eq, Default, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(transparent)]
pub struct StateDiff(pub Vec<DiffEntry>);

impl StateDiff {
    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether entries are strictly sorted by key and none is a no-op (the canonical form).
    pub fn is_canonical(&self) -> bool {
        self.0.windows(2).all(|w| w[0].key < w[1].key) && self.0.iter().all(|e| e.old != e.new)
    }
}

/// What a token's script may do beyond the checks every mutation gets.
#[derive(Clone, Debug, PartialEq, Eq, Default, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenPolicy {
    /// The script may call `mint`.
    pub script_can_mint: bool,
    /// The script may call `burn`.
    pub script_can_burn: bool,
    /// Total supply may never exceed this (mints past it are rejected).
    #[serde(with = "crate::hex::amount")]
    pub max_supply: u128,
}

/// A token's metadata, as the node's state holds it.
#[derive(Clone, Debug, PartialEq, Eq, Default, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenInfo {
    /// The token's owner (readable by the script).
    pub owner: Address,
    /// What the script may do.
    pub policy: TokenPolicy,
}
