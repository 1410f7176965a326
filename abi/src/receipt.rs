//! The receipt: what an execution produced (`spec/abi.md#receipt`).

use crate::{Event, Hash32, LogRecord, StateDiff, StatusCode};
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
    /// The rules (ABI version, gas table, limits, profile) the execution ran under.
    pub rules_hash: Hash32,
}
