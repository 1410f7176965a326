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
    /// The receipt hash (`spec/trace.md#hashes`): `derive_key(RECEIPT_CONTEXT, body)`, where the
    /// body is the borsh encoding of every field but `diff` and `receipt_hash`, in order (`diff_hash`
    /// stands for the diff).
    pub fn compute_hash(&self) -> Hash32 {
        self.hash_in(&mut Vec::with_capacity(SEAL_BUFFER))
    }

    /// Sets `diff_hash` from `diff`, then `receipt_hash` over the rest, both encoded into one
    /// buffer in turn.
    pub fn seal(mut self) -> Self {
        let mut buf = Vec::with_capacity(SEAL_BUFFER);
        self.diff_hash = crate::hash::diff_hash_in(&self.diff, &mut buf);
        self.receipt_hash = self.hash_in(&mut buf);
        self
    }

    /// Whether `diff_hash` and `receipt_hash` match the receipt's contents.
    pub fn is_sealed(&self) -> bool {
        self.diff_hash == crate::hash::diff_hash(&self.diff) && self.receipt_hash == self.compute_hash()
    }

    /// [`Receipt::compute_hash`], encoding the body into `buf` (cleared first).
    fn hash_in(&self, buf: &mut Vec<u8>) -> Hash32 {
        buf.clear();
        // Writing to a Vec fails only for a length over u32::MAX, which no receipt can hold.
        let _ = self.write_body(buf);
        crate::hash::keyed_hash(crate::hash::RECEIPT_CONTEXT, buf)
    }

    /// Appends what the receipt hash is over: every field's borsh encoding in order, but `diff`'s
    /// and `receipt_hash`'s.
    fn write_body(&self, buf: &mut Vec<u8>) -> borsh::io::Result<()> {
        BorshSerialize::serialize(&self.status, buf)?;
        BorshSerialize::serialize(&self.fault, buf)?;
        BorshSerialize::serialize(&self.gas_used, buf)?;
        BorshSerialize::serialize(&self.return_data, buf)?;
        BorshSerialize::serialize(&self.revert_reason, buf)?;
        BorshSerialize::serialize(&self.events, buf)?;
        BorshSerialize::serialize(&self.logs, buf)?;
        BorshSerialize::serialize(&self.diff_hash, buf)?;
        BorshSerialize::serialize(&self.trace_hash, buf)?;
        BorshSerialize::serialize(&self.rules_hash, buf)
    }
}

/// The capacity [`Receipt::seal`] starts its buffer with: a transfer's diff or receipt body fits.
const SEAL_BUFFER: usize = 512;
