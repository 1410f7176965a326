//! A trace rendered like a call trace: each entry point, then each host call by name with its
//! decoded arguments (pointers and lengths as numbers, amounts as `u128` from their `lo`/`hi`
//! halves, names from the host table), its results and the gas left when it was made, with the
//! reads, writes, mutations, events and logs it caused indented beneath it (`spec/trace.md#events`).

use super::{amount_bytes, bytes, json_name, operation, status_fault, trace_bytes};
use abi::{
    Fault, HostFnId, MutationOrigin, TraceBytes, TraceCall, TraceEvent, TraceKey, WasmType, HOST_FUNCTIONS,
};
use std::fmt::Write as _;

fn trace_key(k: &TraceKey) -> String {
    match k {
        TraceKey::Balance { account } => format!("balance[{account}]"),
        TraceKey::Supply => "supply".to_string(),
        TraceKey::Storage { key } => format!("storage[{}]", trace_bytes(key)),
    }
}

fn trace_value(k: &TraceKey, v: Option<&TraceBytes>) -> String {
    match (k, v) {
        (_, None) => "absent".to_string(),
        (TraceKey::Balance { .. } | TraceKey::Supply, Some(TraceBytes::Inline(b))) => amount_bytes(b),
        (TraceKey::Storage { .. }, Some(TraceBytes::Inline(b))) if !b.is_empty() => {
            // Values are usually numbers or binary records: hex, with the text when printable.
            let hex = abi::hex::encode(b);
            match bytes(b) {
                s if s.starts_with('"') => format!("{hex} ({s})"),
                _ => hex,
            }
        }
        (_, Some(b)) => trace_bytes(b),
    }
}

fn trace_call(c: &TraceCall) -> String {
    match c {
        TraceCall::Operation => "operation pipeline".to_string(),
        TraceCall::Hook { hook } => format!("hook {}", json_name(hook)),
        TraceCall::View { name } => format!("view {name}"),
        TraceCall::Method { name } => format!("method {name}"),
    }
}

/// A host call: `name(arg=value, ...) -> result=value`, with the parameter and result names of the
/// host table ([`HOST_FUNCTIONS`]) and its amount shown as one `u128` from its `lo`/`hi` halves.
pub fn host_call(func: u8, args: &[i64], results: &[i64]) -> String {
    let Some(f) = HOST_FUNCTIONS.get(usize::from(func)) else {
        return format!("host#{func}({args:?}) -> {results:?}");
    };
    let mut out = format!("{}(", f.name);
    let mut at = 0;
    while at < f.params.len() {
        if at > 0 {
            out.push_str(", ");
        }
        if f.amount_at == Some(at) {
            match args.get(at..at + 2) {
                Some([lo, hi]) => {
                    let amount = abi::amount::from_halves(*lo, *hi);
                    let _ = write!(out, "{}={amount}", f.amount_name().unwrap_or("amount"));
                }
                _ => out.push_str("<missing>"),
            }
            at += 2;
            continue;
        }
        let name = f.param_names.get(at).copied().unwrap_or("?");
        match args.get(at) {
            // i32 arguments are recorded sign-extended: pointers and lengths are unsigned.
            Some(a) if f.params[at] == WasmType::I32 => {
                let _ = write!(out, "{name}={}", *a as u32);
            }
            Some(a) => {
                let _ = write!(out, "{name}={a}");
            }
            None => out.push_str("<missing>"),
        }
        at += 1;
    }
    out.push(')');
    match results {
        [] if f.results.is_empty() => {}
        [] => out.push_str(" -> halted"),
        [r] if f.id == HostFnId::StorageRead && *r == -1 => out.push_str(" -> absent"),
        [r] => {
            let _ = write!(out, " -> {}={r}", f.result_names.first().copied().unwrap_or_default());
        }
        many => {
            let _ = write!(out, " -> {many:?}");
        }
    }
    out
}

/// One event on one line (no indentation), as `diff` and `bisect` show it.
pub fn event(e: &TraceEvent) -> String {
    match e {
        TraceEvent::Start { rules_hash, code_hash, token, call, input_hash, context, gas_limit } => format!(
            "start {} of token {token}, gas limit {gas_limit}, height {}, timestamp {} ms, caller {}, \
             tx {}, prev block {}, code {code_hash}, input {input_hash}, rules {rules_hash}",
            trace_call(call),
            context.height,
            context.timestamp_ms,
            context.caller,
            context.tx_hash,
            context.prev_block_hash,
        ),
        TraceEvent::Entry { export, gas_left } => format!("entry {export} [gas left {gas_left}]"),
        TraceEvent::HostCall { func, gas_left, args, results } => {
            format!("{} [gas left {gas_left}]", host_call(*func, args, results))
        }
        TraceEvent::Read { key, value } => {
            format!("read  {} = {}", trace_key(key), trace_value(key, value.as_ref()))
        }
        TraceEvent::Write { key, value } => match value {
            None => format!("remove {}", trace_key(key)),
            Some(_) => format!("write {} = {}", trace_key(key), trace_value(key, value.as_ref())),
        },
        TraceEvent::Mutation { origin, operation: op } => {
            let who = match origin {
                MutationOrigin::Script => "script",
                MutationOrigin::Native => "native",
            };
            format!("{who} {}", operation(op))
        }
        TraceEvent::Event { topic, data } => format!("event {} {}", trace_bytes(topic), trace_bytes(data)),
        TraceEvent::Log { level, message } => format!("log {} {}", json_name(level), trace_bytes(message)),
        TraceEvent::End { status, fault, gas_used, return_data_hash } => format!(
            "end {}, gas used {gas_used}, return data blake3 {return_data_hash}",
            status_fault(*status, *fault),
        ),
        TraceEvent::Token { info: None } => "token absent".to_string(),
        TraceEvent::Token { info: Some(t) } => format!(
            "token owner {}, script can mint {}, burn {}, max supply {}",
            t.owner, t.policy.script_can_mint, t.policy.script_can_burn, t.policy.max_supply
        ),
    }
}

/// A whole trace, indented by entry and by host call (the events a host call caused come before its
/// `HostCall` record in the trace; here they are shown beneath the call).
pub fn trace(events: &[TraceEvent]) -> String {
    let mut out = String::new();
    let mut line = |depth: usize, text: &str| {
        let _ = writeln!(out, "{}{text}", "  ".repeat(depth));
    };
    // Events caused by the host call in progress, shown when its record arrives.
    let mut pending: Vec<&TraceEvent> = Vec::new();
    // Inside an entry point (host calls) or after a native mutation (its reads and writes directly).
    let mut in_entry = false;
    // Where a failure happened, for the end line: the running entry, or the host call that halted.
    let mut place: Option<String> = None;
    for (i, e) in events.iter().enumerate() {
        match e {
            TraceEvent::Start { rules_hash, code_hash, token, call, input_hash, context, gas_limit } => {
                line(0, &format!("start {} of token {token}, gas limit {gas_limit}", trace_call(call)));
                line(
                    1,
                    &format!(
                        "height {}, timestamp {} ms, caller {}",
                        context.height, context.timestamp_ms, context.caller
                    ),
                );
                line(1, &format!("tx {}, prev block {}", context.tx_hash, context.prev_block_hash));
                line(1, &format!("code {code_hash}, input {input_hash}"));
                line(1, &format!("rules {rules_hash}"));
            }
            TraceEvent::Token { .. } => line(1, &event(e)),
            TraceEvent::Entry { .. } => {
                for p in pending.drain(..) {
                    line(2, &event(p));
                }
                in_entry = true;
                if let TraceEvent::Entry { export, .. } = e {
                    place = Some(format!("entry {export}"));
                }
                line(1, &event(e));
            }
            TraceEvent::HostCall { .. } => {
                line(2, &event(e));
                for p in pending.drain(..) {
                    line(3, &event(p));
                }
            }
            TraceEvent::Mutation { origin: MutationOrigin::Native, .. } => {
                for p in pending.drain(..) {
                    line(2, &event(p));
                }
                in_entry = false;
                line(1, &event(e));
            }
            TraceEvent::End { fault, .. } => {
                for p in pending.drain(..) {
                    line(2, &event(p));
                }
                line(0, &event(e));
                if *fault != Fault::None {
                    // A host call that halted is the event just before the end.
                    let host = match i.checked_sub(1).map(|j| &events[j]) {
                        Some(TraceEvent::HostCall { func, .. }) => HOST_FUNCTIONS.get(usize::from(*func)),
                        _ => None,
                    };
                    match (host, &place) {
                        (Some(f), Some(p)) => line(1, &format!("at host call {} in {p}", f.name)),
                        (Some(f), None) => line(1, &format!("at host call {}", f.name)),
                        (None, Some(p)) => line(1, &format!("in {p}")),
                        (None, None) => {}
                    }
                }
            }
            _ if in_entry => pending.push(e),
            _ => line(2, &event(e)),
        }
    }
    for p in pending.drain(..) {
        line(2, &event(p));
    }
    out
}

/// A trace with its gas limit, as `inspect` shows a trace file or a receipt file's trace.
pub fn trace_body(gas_limit: u64, events: &[TraceEvent]) -> String {
    format!("trace: {} events, gas limit {gas_limit}\n{}", events.len(), trace(events))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_calls_decode_pointers_and_amounts() {
        let transfer = HostFnId::Transfer as u8;
        // 2^64 + 5 as (lo, hi).
        assert_eq!(
            host_call(transfer, &[64, 96, 5, 1], &[]),
            "transfer(from=64, to=96, amount=18446744073709551621)"
        );
        let read = HostFnId::StorageRead as u8;
        assert_eq!(
            host_call(read, &[1024, 5, 2048, 8], &[-1]),
            "storage_read(key=1024, key_len=5, dst=2048, cap=8) -> absent"
        );
        assert_eq!(
            host_call(read, &[-1, 5, 2048, 8], &[8]),
            "storage_read(key=4294967295, key_len=5, dst=2048, cap=8) -> len=8"
        );
        let revert = HostFnId::Revert as u8;
        assert_eq!(host_call(revert, &[1100, 20], &[]), "revert(ptr=1100, len=20)");
        let size = HostFnId::InputSize as u8;
        assert_eq!(host_call(size, &[], &[]), "input_size() -> halted");
    }

    #[test]
    fn trace_nests_caused_events_under_their_host_call() {
        let key = TraceKey::Storage { key: TraceBytes::Inline(b"count".to_vec()) };
        let events = vec![
            TraceEvent::Entry { export: "before_transfer".into(), gas_left: 900 },
            TraceEvent::Read { key: key.clone(), value: None },
            TraceEvent::HostCall {
                func: HostFnId::StorageRead as u8,
                gas_left: 880,
                args: vec![1024, 5, 2048, 8],
                results: vec![-1],
            },
            TraceEvent::End {
                status: abi::StatusCode::Success,
                fault: Fault::None,
                gas_used: 500,
                return_data_hash: abi::Hash32::ZERO,
            },
        ];
        let text = trace(&events);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "  entry before_transfer [gas left 900]");
        assert!(lines[1].starts_with("    storage_read(key=1024"), "{text}");
        assert_eq!(lines[2], "      read  storage[\"count\"] = absent");
        assert!(lines[3].starts_with("end success (0), gas used 500"), "{text}");
    }
}
