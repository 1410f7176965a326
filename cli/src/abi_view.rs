//! The script ABI in the CLI (`spec/abi.md#script-abi`): typed call arguments in transaction and
//! call files (`spec/abi.md#typed-arguments-in-transaction-files`), and a receipt's return data,
//! events and storage values decoded for display. Without the section everything stays hex.

use crate::exit::Failure;
use abi::script_abi::StorageDecl;
use abi::{Call, Receipt, ScriptAbi, StateKey};
use anyhow::anyhow;
use serde::Serialize;
use serde_json::{json, Value};
use std::path::Path;

/// The module's ABI if it has a readable one; a malformed section is a warning (the VM ignores
/// the section, so the run goes on with hex: `spec/abi.md#malformed-sections`).
pub fn module_abi(code: &[u8]) -> (Option<ScriptAbi>, Option<String>) {
    match ScriptAbi::from_module(code) {
        Ok(abi) => (abi, None),
        Err(e) => (None, Some(format!("ignoring the module's ABI: {e}"))),
    }
}

/// `Some((kind, name, args))` if `call` is a view or method call whose `args` is a JSON array or
/// object (typed arguments) rather than hex.
pub fn typed_args(call: &Value) -> Option<(&str, &str, &Value)> {
    let kind = call.get("kind")?.as_str().filter(|k| *k == "view" || *k == "method")?;
    let name = call.get("name")?.as_str()?;
    let args = call.get("args").filter(|a| a.is_array() || a.is_object())?;
    Some((kind, name, args))
}

/// Encodes a call's typed arguments with the module's ABI and returns the call, its `args` as
/// hex; `field` names where the call is in `file` (`call`, or `.` for a call file).
///
/// # Errors
/// No ABI section (or a malformed one), an entry the ABI does not declare, or arguments that do
/// not fit their types (exit code `INVALID_INPUT`, the argument's path named).
pub fn encode_call(file: &Path, field: &str, call: &Value, code: &[u8]) -> Result<Call, Failure> {
    let bad = |msg: String| Failure::invalid(anyhow!("{}: field `{field}`: {msg}", file.display()));
    let Some((kind, name, args)) = typed_args(call) else {
        return Err(bad("expected a view or method call with typed args".to_string()));
    };
    let abi =
        match ScriptAbi::from_module(code) {
            Ok(Some(abi)) => abi,
            Ok(None) => return Err(bad(
                "typed arguments need the module's `tsvm.abi` section (spec/abi.md#script-abi), and it has \
                 none; give `args` as 0x hex"
                    .to_string(),
            )),
            Err(e) => return Err(bad(format!("typed arguments need the module's ABI: {e}"))),
        };
    let func = if kind == "view" { abi.view(name) } else { abi.method(name) };
    let func = func.ok_or_else(|| bad(format!("the module's ABI declares no {kind} `{name}`")))?;
    let bytes = func.encode_args(args).map_err(|e| bad(format!("{kind} `{name}`: {e}")))?;
    let mut hex_call = call.clone();
    hex_call["args"] = Value::String(abi::hex::encode(&bytes));
    serde_json::from_value(hex_call).map_err(|e| bad(e.to_string()))
}

/// What the ABI says about a receipt: each item is `None` where it has nothing to say (no
/// declaration), and decode failures are listed in `errors`. Lists are aligned with the receipt's.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct Decoded {
    /// The ABI's `name`.
    pub abi: String,
    /// The call's arguments, by name (views and methods the ABI declares).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub args: Option<Value>,
    /// The return data (views and methods the ABI declares).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub return_data: Option<Value>,
    /// Per event: `{"topic", "data"}` for a declared topic.
    pub events: Vec<Option<Value>>,
    /// Per diff entry: `{"key", "old", "new"}` for a declared storage key (a prefixed key as
    /// `{"prefix", "key"}`).
    pub diff: Vec<Option<Value>>,
    /// What did not decode, in words.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
}

impl Decoded {
    /// Decodes what `abi` declares of a receipt for `call`.
    pub fn new(abi: &ScriptAbi, call: &Call, r: &Receipt) -> Self {
        let mut errors = Vec::new();
        let mut ok = |what: String, res: Result<Value, abi::script_abi::ValueError>| match res {
            Ok(v) => Some(v),
            Err(e) => {
                errors.push(format!("{what}: {e}"));
                None
            }
        };
        let func = match call {
            Call::View { name, .. } => abi.view(name),
            Call::Method { name, .. } => abi.method(name),
            _ => None,
        };
        let args = match (call, func) {
            (Call::View { args, .. } | Call::Method { args, .. }, Some(f)) => {
                ok("args".to_string(), f.decode_args(args))
            }
            _ => None,
        };
        let return_data = match func {
            Some(f) if r.status.is_success() && (f.returns.is_some() || !r.return_data.is_empty()) => {
                ok("return data".to_string(), f.decode_return(&r.return_data))
            }
            _ => None,
        };
        let events = r
            .events
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let decl = abi.event(&e.topic)?;
                let data = ok(format!("event {i} ({})", decl.topic), decl.ty.decode_json(&e.data))?;
                Some(json!({ "topic": decl.topic, "data": data }))
            })
            .collect();
        let diff = r
            .diff
            .0
            .iter()
            .map(|d| {
                let StateKey::Storage { key, .. } = &d.key else { return None };
                let (decl, k) = abi.storage_for(key)?;
                let key = match (decl, k) {
                    (StorageDecl::Prefix { prefix, .. }, Some(k)) => json!({ "prefix": prefix, "key": k }),
                    (StorageDecl::Key { key, .. }, _) | (StorageDecl::Prefix { prefix: key, .. }, None) => {
                        json!(key)
                    }
                };
                let ty = decl.value_type();
                let mut side = |v: &Option<Vec<u8>>, which: &str| match v {
                    None => Some(Value::Null),
                    Some(b) => ok(format!("storage {key} ({which})"), ty.decode_json(b)),
                };
                let (old, new) = (side(&d.old, "old")?, side(&d.new, "new")?);
                Some(json!({ "key": key, "old": old, "new": new }))
            })
            .collect();
        Self { abi: abi.name.clone(), args, return_data, events, diff, errors }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use abi::{DiffEntry, Event, Fault, Hash32, StateDiff, StatusCode, TokenId};

    /// A storage change: key, old value, new value.
    type Change = (Vec<u8>, Option<Vec<u8>>, Option<Vec<u8>>);

    /// A successful receipt with these events and storage changes (hashes left zero).
    fn receipt(events: Vec<Event>, storage: Vec<Change>) -> Receipt {
        let token = TokenId([0x70; 32]);
        Receipt {
            status: StatusCode::Success,
            fault: Fault::None,
            gas_used: 1,
            return_data: 9u64.to_le_bytes().to_vec(),
            revert_reason: Vec::new(),
            events,
            logs: Vec::new(),
            diff: StateDiff(
                storage
                    .into_iter()
                    .map(|(key, old, new)| DiffEntry { key: StateKey::Storage { token, key }, old, new })
                    .collect(),
            ),
            diff_hash: Hash32([0; 32]),
            trace_hash: Hash32([0; 32]),
            rules_hash: Hash32([0; 32]),
            receipt_hash: Hash32([0; 32]),
        }
    }

    #[test]
    fn a_receipt_decodes_where_the_abi_declares_and_reports_what_does_not_fit() {
        let abi = ScriptAbi::from_json(&json!({
            "abi_version": 1, "name": "e", "hooks": [],
            "views": [{ "name": "status", "args": [{ "name": "id", "type": "u64" }], "returns": "u64" }],
            "methods": [],
            "events": [{ "topic": "opened", "type": "u64" }],
            "storage": [{ "prefix": "escrow/", "key_type": "u64", "type": { "enum": ["None", "Open"] } }]
        }))
        .unwrap();
        let mut key = b"escrow/".to_vec();
        key.extend_from_slice(&7u64.to_le_bytes());
        let r = receipt(
            vec![
                Event { topic: b"opened".to_vec(), data: 7u64.to_le_bytes().to_vec() },
                Event { topic: b"other".to_vec(), data: vec![1] },
                Event { topic: b"opened".to_vec(), data: vec![1] },
            ],
            vec![(key, None, Some(vec![1])), (b"unrelated".to_vec(), None, Some(vec![1]))],
        );
        let call = Call::View { name: "status".into(), args: 7u64.to_le_bytes().to_vec() };
        let d = Decoded::new(&abi, &call, &r);
        assert_eq!(d.args, Some(json!({"id": "7"})));
        assert_eq!(d.return_data, Some(json!("9")));
        assert_eq!(d.events, vec![Some(json!({"topic": "opened", "data": "7"})), None, None]);
        assert_eq!(
            d.diff,
            vec![Some(json!({"key": {"prefix": "escrow/", "key": "7"}, "old": null, "new": "Open"})), None]
        );
        assert_eq!(d.errors.len(), 1, "{:?}", d.errors);
        assert!(d.errors[0].starts_with("event 2 (opened)"), "{:?}", d.errors);
        let text = crate::render::receipt_decoded(&r, Some(&d));
        assert!(text.contains("    = \"escrow/\" ++ \"7\": null -> \"Open\"\n"), "{text}");
        assert!(text.contains("abi           event 2 (opened): at $: u64 needs 8 bytes"), "{text}");
    }

    #[test]
    fn only_view_and_method_calls_with_structured_args_are_typed() {
        assert!(typed_args(&json!({"kind": "view", "name": "a", "args": [1]})).is_some());
        assert!(typed_args(&json!({"kind": "method", "name": "a", "args": {"x": 1}})).is_some());
        assert!(typed_args(&json!({"kind": "view", "name": "a", "args": "0x"})).is_none());
        assert!(typed_args(&json!({"kind": "hook", "name": "a", "args": [1]})).is_none());
    }
}
