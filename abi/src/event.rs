//! Events and log records a script emits (`spec/abi.md#events-and-logs`).

use alloc::vec::Vec;
use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

/// An event: a topic and a payload, both opaque bytes. Part of the receipt only on success.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    /// What happened (e.g. `b"limit-hit"`).
    #[serde(with = "crate::hex::bytes")]
    pub topic: Vec<u8>,
    /// Its data.
    #[serde(with = "crate::hex::bytes")]
    pub data: Vec<u8>,
}

/// Severity of a log record. The numeric value is what the guest passes to `log`.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    BorshSerialize,
    BorshDeserialize,
    Serialize,
    Deserialize,
)]
#[borsh(use_discriminant = true)]
#[serde(rename_all = "lowercase")]
#[repr(u8)]
pub enum LogLevel {
    /// Fine detail.
    Debug = 0,
    /// Normal information.
    Info = 1,
    /// Something unexpected but handled.
    Warn = 2,
    /// A failure the script reports.
    Error = 3,
}

impl LogLevel {
    /// Maps the guest's numeric level; `None` for anything else.
    pub fn from_u32(v: u32) -> Option<Self> {
        Some(match v {
            0 => Self::Debug,
            1 => Self::Info,
            2 => Self::Warn,
            3 => Self::Error,
            _ => return None,
        })
    }
}

/// A log record. Logs are kept in the receipt whatever the status, so that failures can be debugged.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogRecord {
    /// Severity.
    pub level: LogLevel,
    /// The message, opaque bytes (usually UTF-8).
    #[serde(with = "crate::hex::bytes")]
    pub message: Vec<u8>,
}
