//! The receipt: what an execution produced (`spec/abi.md#receipt`).

use crate::{Event, Fault, Hash32, LogRecord, StateDiff, StatusCode};
use alloc::vec::Vec;
use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

/// The consensus-visible result of one execution.
///
/// On any status but [`StatusCode::Success`], `diff`, `events` and `return_data` are empty; `logs`
/// are kept for debugging; `revert_reason` is set only for [`StatusCode::Reverted`].
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Receipt {
    /// The outcome.
    pub status: StatusCode,
    /// The trap, limit or argument that caused a failed status (`spec/abi.md#faults`).
    pub fault: Fault,
    /// Gas consumed (the whole limit on out-of-gas).
    pub gas_used: u64,
    /// Bytes the script returned with `return_data`.
    #[serde(with = "crate::hex::bytes")]
    pub return_data: Vec<u8>,
    /// The reason passed to `revert`.
    #[serde(with = "crate::hex::bytes")]
    pub revert_reason: Vec<u8>,
    /// Events, in emission order.
    pub events: Vec<Event>,
    /// Log records, in emission order.
    pub logs: Vec<LogRecord>,
    /// The state changes, sorted by key.
    pub diff: StateDiff,
    /// `derive_key(DIFF_CONTEXT, borsh(diff))` (`spec/trace.md#hashes`).
    pub diff_hash: Hash32,
    /// The trace hash (`spec/trace.md#trace-hash`).
    pub trace_hash: Hash32,
    /// The rules (ABI version, gas table, limits, profile) the execution ran under.
    pub rules_hash: Hash32,
    /// `derive_key(RECEIPT_CONTEXT, borsh of every field above)` (`spec/trace.md#hashes`).
    pub receipt_hash: Hash32,
}

impl Receipt {
    /// The receipt hash of the fields other than `receipt_hash`: the borsh encoding of the receipt
    /// without its last 32 bytes (which are `receipt_hash` itself).
    pub fn compute_hash(&self) -> Hash32 {
        let bytes = borsh::to_vec(self).unwrap_or_default();
        let body = &bytes[..bytes.len().saturating_sub(32)];
        crate::hash::keyed_hash(crate::hash::RECEIPT_CONTEXT, body)
    }

    /// Sets `diff_hash` from `diff`, then `receipt_hash` over everything.
    pub fn seal(mut self) -> Self {
        self.diff_hash = crate::hash::diff_hash(&self.diff);
        self.receipt_hash = self.compute_hash();
        self
    }

    /// Whether `diff_hash` and `receipt_hash` match the receipt's contents.
    pub fn is_sealed(&self) -> bool {
        self.diff_hash == crate::hash::diff_hash(&self.diff) && self.receipt_hash == self.compute_hash()
    }
}
