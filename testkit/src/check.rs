//! The comparisons behind [`Outcome`](crate::Outcome)'s assertions and the scenario runner: each
//! compares one expectation with a receipt or a state and returns a [`Mismatch`] naming what
//! differed, the expected and the actual value, in words (`spec/scenario.md#expectations`).

use crate::text;
use abi::{Address, Event, Fault, Receipt, StatusCode, TokenId};
use serde::Serialize;
use vm::{InMemoryState, StateView as _};

/// One expectation that did not hold.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Mismatch {
    /// What was compared: `status`, `return`, `balance of 0x01..`, `storage "count"`.
    pub what: String,
    /// The expected value, in words.
    pub expected: String,
    /// The actual value, in words.
    pub actual: String,
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: expected {}, got {}", self.what, self.expected, self.actual)
    }
}

fn differ(what: impl Into<String>, expected: String, actual: String) -> Result<(), Mismatch> {
    Err(Mismatch { what: what.into(), expected, actual })
}

/// The receipt's status is `expected` (the actual one is shown with its fault and revert reason).
///
/// # Errors
/// The mismatch.
pub fn status(r: &Receipt, expected: StatusCode) -> Result<(), Mismatch> {
    if r.status == expected {
        return Ok(());
    }
    differ("status", text::status_name(expected), text::outcome(r))
}

/// The receipt's fault is `expected`.
///
/// # Errors
/// The mismatch.
pub fn fault(r: &Receipt, expected: Fault) -> Result<(), Mismatch> {
    if r.fault == expected {
        return Ok(());
    }
    let name = |f: Fault| f.name().unwrap_or("none").to_string();
    differ("fault", name(expected), name(r.fault))
}

/// The receipt reverted with exactly this reason.
///
/// # Errors
/// The mismatch: another status, or another reason.
pub fn reverted_with(r: &Receipt, reason: &[u8]) -> Result<(), Mismatch> {
    status(r, StatusCode::Reverted)?;
    revert_reason(r, reason)
}

/// The receipt's revert reason is exactly `reason` (empty unless the status is `reverted`).
///
/// # Errors
/// The mismatch.
pub fn revert_reason(r: &Receipt, reason: &[u8]) -> Result<(), Mismatch> {
    if r.revert_reason == reason {
        return Ok(());
    }
    let actual = if r.revert_reason.is_empty() { "none".to_string() } else { text::bytes(&r.revert_reason) };
    differ("revert reason", text::bytes(reason), actual)
}

/// The receipt's return data is exactly `expected`.
///
/// # Errors
/// The mismatch.
pub fn return_data(r: &Receipt, expected: &[u8]) -> Result<(), Mismatch> {
    if r.return_data == expected {
        return Ok(());
    }
    differ("return", abi::hex::encode(expected), abi::hex::encode(&r.return_data))
}

/// The receipt's events are exactly `expected`, in order.
///
/// # Errors
/// The mismatch.
pub fn events(r: &Receipt, expected: &[Event]) -> Result<(), Mismatch> {
    if r.events == expected {
        return Ok(());
    }
    differ("events", text::events(expected), text::events(&r.events))
}

/// The receipt holds `expected` among its events.
///
/// # Errors
/// The mismatch (the actual list of events).
pub fn has_event(r: &Receipt, expected: &Event) -> Result<(), Mismatch> {
    if r.events.contains(expected) {
        return Ok(());
    }
    differ("event", text::event(expected), format!("events {}", text::events(&r.events)))
}

/// The receipt used exactly `expected` gas.
///
/// # Errors
/// The mismatch.
pub fn gas_used(r: &Receipt, expected: u64) -> Result<(), Mismatch> {
    if r.gas_used == expected {
        return Ok(());
    }
    differ("gas used", expected.to_string(), r.gas_used.to_string())
}

fn read<T: Default>(state: Result<T, vm::StateError>) -> T {
    // Only an unknown token fails here, and a test chain always holds its token.
    state.unwrap_or_default()
}

/// The balance of `account` in `state` is `expected`.
///
/// # Errors
/// The mismatch.
pub fn balance(
    state: &InMemoryState,
    token: &TokenId,
    account: &Address,
    expected: u128,
) -> Result<(), Mismatch> {
    let actual = read(state.balance(token, account));
    if actual == expected {
        return Ok(());
    }
    differ(format!("balance of {account}"), expected.to_string(), actual.to_string())
}

/// The supply in `state` is `expected`.
///
/// # Errors
/// The mismatch.
pub fn supply(state: &InMemoryState, token: &TokenId, expected: u128) -> Result<(), Mismatch> {
    let actual = read(state.supply(token));
    if actual == expected {
        return Ok(());
    }
    differ("supply", expected.to_string(), actual.to_string())
}

/// The storage entry `key` in `state` is `expected` (`None`: absent).
///
/// # Errors
/// The mismatch.
pub fn storage(
    state: &InMemoryState,
    token: &TokenId,
    key: &[u8],
    expected: Option<&[u8]>,
) -> Result<(), Mismatch> {
    let actual = read(state.storage(token, key));
    if actual.as_deref() == expected {
        return Ok(());
    }
    let show = |v: Option<&[u8]>| v.map_or_else(|| "absent".to_string(), abi::hex::encode);
    differ(format!("storage {}", text::bytes(key)), show(expected), show(actual.as_deref()))
}
