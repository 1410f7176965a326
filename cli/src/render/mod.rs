//! Human-readable rendering of traces, receipts, bundles and divergences, shared by every command,
//! and the JSON form of `--json` reports ([`json_report`]). Traces render like a call trace
//! ([`trace`]), receipts and bundles one field a line ([`receipt`], [`bundle`]), divergences as
//! [`divergence`] shows them. Keys and short byte strings show as UTF-8 when printable, else as hex.

use crate::exit::Failure;
use abi::{ArgumentKind, Call, Checkpoint, Fault, LimitKind, Operation, StatusCode, TraceBytes};
use anyhow::Context as _;

pub mod divergence;
mod module;
pub mod profile;
mod receipt;
pub mod scenario;
mod trace;

pub use module::module;
pub use receipt::{bundle, receipt, receipt_decoded};
pub use trace::{event, host_call, trace, trace_body};

/// Bytes as a quoted string when they are printable UTF-8, else `0x` hex.
pub fn bytes(b: &[u8]) -> String {
    match std::str::from_utf8(b) {
        Ok(s) if !s.is_empty() && s.chars().all(|c| !c.is_control()) => format!("{s:?}"),
        _ => abi::hex::encode(b),
    }
}

/// A trace byte string: inline bytes as [`bytes`], a long one by length and hash.
pub fn trace_bytes(b: &TraceBytes) -> String {
    match b {
        TraceBytes::Inline(v) => bytes(v),
        TraceBytes::Hashed { len, hash } => format!("<{len} bytes, blake3 {hash}>"),
    }
}

/// A 16-byte little-endian amount as a decimal number, else the bytes.
pub(crate) fn amount_bytes(b: &[u8]) -> String {
    abi::amount::decode(b).map_or_else(|| abi::hex::encode(b), |a| a.to_string())
}

/// An operation, e.g. `transfer 100 from 0x01.. to 0x02..`.
pub fn operation(op: &Operation) -> String {
    match op {
        Operation::Transfer { from, to, amount } => format!("transfer {amount} from {from} to {to}"),
        Operation::Mint { to, amount } => format!("mint {amount} to {to}"),
        Operation::Burn { from, amount } => format!("burn {amount} from {from}"),
        Operation::Approve { owner, spender, amount } => {
            format!("approve {amount} from owner {owner} to spender {spender}")
        }
    }
}

/// An invocation's call, in words.
pub fn call(c: &Call) -> String {
    match c {
        Call::Operation { operation: op } => format!("operation: {}", operation(op)),
        Call::Hook { hook, operation: op } => format!("hook {}: {}", json_name(hook), operation(op)),
        Call::View { name, args } => format!("view {name}, args {}", abi::hex::encode(args)),
        Call::Method { name, args } => format!("method {name}, args {}", abi::hex::encode(args)),
    }
}

/// A status with its fault, if any: `trap (3): integer_division_by_zero (2), integer division by
/// zero`, or `success (0)`.
pub fn status_fault(status: StatusCode, fault: Fault) -> String {
    let head = format!("{} ({})", json_name(&status), status.code());
    let code = match fault {
        Fault::None => return head,
        Fault::Trap(k) => k.code(),
        Fault::Limit(k) => k.code(),
        Fault::Argument(k) => k.code(),
    };
    let (name, text) = (fault.name().unwrap_or("?"), fault.describe().unwrap_or("?"));
    format!("{head}: {name} ({code}), {text}")
}

/// A failed receipt's cause in words, for faults whose kind alone is terse: the limit with its value
/// (`spec/abi.md#host-limits`, under this tsvm's rules: left out for a receipt made under others),
/// or the argument at fault. E.g. `limit_exceeded: max_event_data_len (4,096 bytes)`.
pub fn fault_cause(status: StatusCode, fault: Fault, rules_hash: abi::Hash32) -> Option<String> {
    let head = json_name(&status);
    match fault {
        Fault::Limit(k) => {
            let rules = vm::Rules::default();
            let value = (rules.hash() == rules_hash).then(|| rules.limits.get(k.name())).flatten();
            let unit = match k {
                LimitKind::MaxEvents => "events",
                LimitKind::MaxLogs => "log records",
                LimitKind::MaxStackUnits => "stack units",
                _ => "bytes",
            };
            Some(match value {
                Some(v) => format!("{head}: {} ({} {unit})", k.name(), thousands(u64::from(v))),
                None => format!("{head}: {} (a limit of the receipt's rules, not this tsvm's)", k.name()),
            })
        }
        Fault::Argument(ArgumentKind::CancelNativeOutsideBeforeHook) => Some(format!(
            "{head}: cancel_native called outside a before-hook (only the before-hook of an operation \
             pipeline may cancel the native mutation)"
        )),
        Fault::Argument(ArgumentKind::LogLevel) => {
            Some(format!("{head}: log called with a level other than 0-3 (0 debug, 1 info, 2 warn, 3 error)"))
        }
        Fault::None | Fault::Trap(_) => None,
    }
}

/// A number with a comma every three digits: `4,096`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The JSON (snake_case) name of a unit enum value, such as a status or a hook.
pub fn json_name<T: serde::Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => "?".to_string(),
    }
}

/// A checkpoint on one line.
pub fn checkpoint(c: &Checkpoint) -> String {
    format!("#{} at gas used {}: state {}, trace {}", c.index, c.gas_used, c.state_hash, c.trace_hash)
}

/// A `--json` report as pretty JSON, every object's keys sorted (as `serde_json` orders a map), so
/// the output does not depend on the order in which a report type declares its fields: the form
/// the reports of `validate`, `replay`, `diff` and `bisect` have always had. (Artefacts written by
/// `run --json`, `inspect --json` and the file writers keep their declared field order instead.)
///
/// # Errors
/// A value that cannot be encoded as JSON (a host failure).
pub fn json_report<T: serde::Serialize>(report: &T) -> Result<String, Failure> {
    serde_json::to_value(report)
        .and_then(|v| serde_json::to_string_pretty(&v))
        .context("encoding the report")
        .map_err(Failure::host)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_are_text_when_printable() {
        assert_eq!(bytes(b"count"), "\"count\"");
        assert_eq!(bytes(&[0, 1]), "0x0001");
        assert_eq!(bytes(b""), "0x");
    }

    #[test]
    fn causes_name_limits_with_their_values_and_arguments_in_words() {
        let rules = vm::Rules::default().hash();
        let limit = |k| fault_cause(StatusCode::LimitExceeded, Fault::Limit(k), rules).unwrap();
        assert_eq!(limit(LimitKind::MaxEventDataLen), "limit_exceeded: max_event_data_len (4,096 bytes)");
        assert_eq!(limit(LimitKind::MaxEvents), "limit_exceeded: max_events (64 events)");
        assert_eq!(limit(LimitKind::MaxInputLen), "limit_exceeded: max_input_len (65,536 bytes)");
        let other =
            fault_cause(StatusCode::LimitExceeded, Fault::Limit(LimitKind::MaxKeyLen), abi::Hash32([0; 32]));
        assert!(other.unwrap().contains("not this tsvm's"));
        let arg = |k| fault_cause(StatusCode::InvalidArgument, Fault::Argument(k), rules).unwrap();
        assert!(arg(ArgumentKind::CancelNativeOutsideBeforeHook)
            .contains("cancel_native called outside a before-hook"));
        assert!(arg(ArgumentKind::LogLevel).contains("level other than 0-3"));
        assert_eq!(fault_cause(StatusCode::Success, Fault::None, rules), None);
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn reports_have_sorted_keys() {
        #[derive(serde::Serialize)]
        struct R {
            b: u8,
            a: Option<u8>,
        }
        assert_eq!(json_report(&R { b: 1, a: None }).unwrap(), "{\n  \"a\": null,\n  \"b\": 1\n}");
    }
}
