//! Words for what a receipt holds, for failure messages and reports: byte strings as text when
//! printable, statuses with their fault and revert reason, events, short addresses.

use abi::{Address, Event, Fault, Operation, Receipt, StatusCode};

/// Bytes as a quoted string when they are printable UTF-8, else `0x` hex (`0x` when empty).
pub fn bytes(b: &[u8]) -> String {
    match std::str::from_utf8(b) {
        Ok(s) if !s.is_empty() && s.chars().all(|c| !c.is_control()) => format!("{s:?}"),
        _ => abi::hex::encode(b),
    }
}

/// The JSON (snake_case) name of a status: `success`, `reverted`, `out_of_gas`.
pub fn status_name(status: StatusCode) -> String {
    match serde_json::to_value(status) {
        Ok(serde_json::Value::String(s)) => s,
        _ => format!("{status:?}"),
    }
}

/// A status with its fault: `reverted`, `trap (integer_division_by_zero: integer division by zero)`.
pub fn status(status: StatusCode, fault: Fault) -> String {
    match (fault.name(), fault.describe()) {
        (Some(name), Some(text)) => format!("{} ({name}: {text})", status_name(status)),
        _ => status_name(status),
    }
}

/// A receipt's outcome: its status, fault, and revert reason as text when there is one.
pub fn outcome(r: &Receipt) -> String {
    let head = status(r.status, r.fault);
    if r.revert_reason.is_empty() {
        head
    } else {
        format!("{head}, reason {}", bytes(&r.revert_reason))
    }
}

/// One event: `"transfer" 0x6400..`.
pub fn event(e: &Event) -> String {
    format!("{} {}", bytes(&e.topic), abi::hex::encode(&e.data))
}

/// A list of events, `none` when empty.
pub fn events(list: &[Event]) -> String {
    if list.is_empty() {
        return "none".to_string();
    }
    list.iter().map(event).collect::<Vec<_>>().join(", ")
}

/// An address shortened for names: its first four bytes, `0x01010101..`.
pub fn short(a: &Address) -> String {
    format!("{}..", abi::hex::encode(&a.0[..4]))
}

/// An operation in words with short addresses: `transfer 100 0x01010101.. -> 0x02020202..`.
pub fn operation(op: &Operation) -> String {
    match op {
        Operation::Transfer { from, to, amount } => {
            format!("transfer {amount} {} -> {}", short(from), short(to))
        }
        Operation::Mint { to, amount } => format!("mint {amount} -> {}", short(to)),
        Operation::Burn { from, amount } => format!("burn {amount} {}", short(from)),
        Operation::Approve { owner, spender, amount } => {
            format!("approve {amount} {} -> {}", short(owner), short(spender))
        }
    }
}
