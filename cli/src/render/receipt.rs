//! Receipts and bundles, one field a line (`spec/abi.md#receipt`, `spec/bundle.md#contents`).
//! With the script's ABI (`spec/abi.md#script-abi`), decoded values follow the hex, each on a line
//! of its own starting with `=`.

use super::{amount_bytes, bytes, call, fault_cause, json_name, status_fault};
use crate::abi_view::Decoded;
use abi::{Bundle, Fault, Receipt, StateKey};
use std::fmt::Write as _;

fn state_key(k: &StateKey) -> String {
    match k {
        StateKey::Balance { token, account } => format!("balance[{account}] of {token}"),
        StateKey::Supply { token } => format!("supply of {token}"),
        StateKey::Storage { token, key } => format!("storage[{}] of {token}", bytes(key)),
    }
}

fn state_value(k: &StateKey, v: Option<&Vec<u8>>) -> String {
    match (k, v) {
        (_, None) => "absent".to_string(),
        (StateKey::Balance { .. } | StateKey::Supply { .. }, Some(b)) => amount_bytes(b),
        (StateKey::Storage { .. }, Some(b)) => abi::hex::encode(b),
    }
}

/// A receipt, one field a line.
pub fn receipt(r: &Receipt) -> String {
    receipt_decoded(r, None)
}

/// A receipt, one field a line, with what the script's ABI decodes of it below the hex it decodes.
pub fn receipt_decoded(r: &Receipt, decoded: Option<&Decoded>) -> String {
    let mut out = String::new();
    let _ = match r.fault {
        Fault::None => writeln!(
            out,
            "status        {} ({}): {}",
            json_name(&r.status),
            r.status.code(),
            r.status.describe()
        ),
        fault => writeln!(out, "status        {}", status_fault(r.status, fault)),
    };
    if let Some(cause) = fault_cause(r.status, r.fault, r.rules_hash) {
        let _ = writeln!(out, "cause         {cause}");
    }
    let show = |v: &serde_json::Value| v.to_string();
    if let Some(args) = decoded.and_then(|d| d.args.as_ref()) {
        let _ = writeln!(out, "args          = {}", show(args));
    }
    let _ = writeln!(out, "gas used      {}", r.gas_used);
    let _ = writeln!(out, "return data   {}", abi::hex::encode(&r.return_data));
    if let Some(v) = decoded.and_then(|d| d.return_data.as_ref()) {
        let _ = writeln!(out, "              = {}", show(v));
    }
    if !r.revert_reason.is_empty() {
        let _ = writeln!(out, "revert reason {}", bytes(&r.revert_reason));
    }
    let _ = writeln!(out, "events        {}", r.events.len());
    for (i, e) in r.events.iter().enumerate() {
        let _ = writeln!(out, "  {} {}", bytes(&e.topic), abi::hex::encode(&e.data));
        if let Some(v) = decoded.and_then(|d| d.events.get(i)).and_then(Option::as_ref) {
            let _ = writeln!(out, "    = {}", show(&v["data"]));
        }
    }
    let _ = writeln!(out, "logs          {}", r.logs.len());
    for l in &r.logs {
        let _ = writeln!(out, "  {} {}", json_name(&l.level), bytes(&l.message));
    }
    let _ = writeln!(out, "diff          {} entries", r.diff.0.len());
    for (i, d) in r.diff.0.iter().enumerate() {
        let _ = writeln!(
            out,
            "  {}: {} -> {}",
            state_key(&d.key),
            state_value(&d.key, d.old.as_ref()),
            state_value(&d.key, d.new.as_ref())
        );
        if let Some(v) = decoded.and_then(|d| d.diff.get(i)).and_then(Option::as_ref) {
            let key = match &v["key"] {
                serde_json::Value::Object(k) => format!("{} ++ {}", show(&k["prefix"]), show(&k["key"])),
                k => show(k),
            };
            let _ = writeln!(out, "    = {key}: {} -> {}", show(&v["old"]), show(&v["new"]));
        }
    }
    for e in decoded.map_or(&[][..], |d| &d.errors[..]) {
        let _ = writeln!(out, "abi           {e} (shown in hex)");
    }
    let _ = writeln!(out, "diff hash     {}", r.diff_hash);
    let _ = writeln!(out, "trace hash    {}", r.trace_hash);
    let _ = writeln!(out, "rules hash    {}", r.rules_hash);
    let _ = write!(out, "receipt hash  {}", r.receipt_hash);
    if !r.is_sealed() {
        out.push_str("  (does not match the receipt's contents)");
    }
    out.push('\n');
    out
}

/// A bundle: what ran, under which rules, the witness and the expected receipt.
pub fn bundle(b: &Bundle, form: &str, vm_rules: abi::Hash32) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "bundle        format {}, {form} form", b.format_version);
    let same = if b.rules_hash == vm_rules { "this VM's" } else { "NOT this VM's" };
    let _ = writeln!(out, "rules hash    {} ({same})", b.rules_hash);
    let _ = writeln!(
        out,
        "module        {} bytes, blake3 {}",
        b.module.len(),
        abi::hash::content_hash(&b.module)
    );
    let _ = writeln!(out, "token         {}", b.invocation.token);
    let _ = writeln!(out, "call          {}", call(&b.invocation.call));
    let c = &b.context;
    let _ = writeln!(
        out,
        "context       height {}, timestamp {} ms, caller {}",
        c.height, c.timestamp_ms, c.caller
    );
    let _ = writeln!(out, "              tx {}, prev block {}", c.tx_hash, c.prev_block_hash);
    let _ = writeln!(out, "gas limit     {}", b.gas_limit);
    match &b.witness.token {
        Some(t) => {
            let p = &t.policy;
            let _ = writeln!(
                out,
                "witness       token owner {}, script can mint {}, burn {}, max supply {}",
                t.owner, p.script_can_mint, p.script_can_burn, p.max_supply
            );
        }
        None => {
            let _ = writeln!(out, "witness       token absent");
        }
    }
    for e in &b.witness.entries {
        let _ = writeln!(out, "  {} = {}", state_key(&e.key), state_value(&e.key, e.value.as_ref()));
    }
    let _ = writeln!(out, "expected receipt:");
    // spec/abi.md#script-abi: the bundle holds the module, so its ABI (if any) decodes the receipt.
    let script_abi = abi::ScriptAbi::from_module(&b.module).ok().flatten();
    let decoded = script_abi.as_ref().map(|a| Decoded::new(a, &b.invocation.call, &b.expected));
    for l in receipt_decoded(&b.expected, decoded.as_ref()).lines() {
        let _ = writeln!(out, "  {l}");
    }
    out
}
