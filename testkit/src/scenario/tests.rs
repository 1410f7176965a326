//! The scenario runner on the example token and on a clock module: expectations checked in order,
//! state threaded past a failing step, the context's defaults and moves, and the typed-value seam
//! (refused without a codec, encoded by one).

use super::*;
use crate::Error;
use abi::{Address, StatusCode};
use vm::InMemoryState;

const TOKEN_WAT: &str = include_str!("../../../examples/token.wat");
const STATE: &str = include_str!("../../../examples/state.json");

/// A scenario on `examples/token.wat` and `examples/state.json` (inline) with these steps.
fn scenario(steps: serde_json::Value) -> ScenarioFile {
    let state: serde_json::Value = serde_json::from_str(STATE).expect("state JSON");
    let file = serde_json::json!({ "module": "token.wat", "state": state, "steps": steps });
    serde_json::from_value(file).expect("a valid scenario")
}

fn run_with(file: &ScenarioFile, wat: &str, typed: &dyn TypedValues) -> crate::Result<ScenarioReport> {
    let StateSource::Inline(state) = &file.state else { panic!("inline state") };
    run_scenario(file, wat::parse_str(wat).expect("parses"), state.clone(), typed)
}

fn a(n: u8) -> String {
    Address([n; 32]).to_string()
}

fn transfer(amount: &str) -> serde_json::Value {
    let op = serde_json::json!({ "op": "transfer", "from": a(1), "to": a(2), "amount": amount });
    serde_json::json!({ "kind": "operation", "operation": op })
}

#[test]
fn a_passing_scenario_threads_state_and_reports_every_step() {
    let file = scenario(serde_json::json!([
        { "name": "send", "call": transfer("100"),
          "expect": { "status": "success", "balances": { a(1): "4900" }, "supply": "10000",
                      "events": [ { "topic": "transfer", "data": "0x64000000000000000000000000000000" } ],
                      "storage": { "count": "0x0200000000000000", "limit": null }, "gas_used": 210360 } },
        { "name": "count", "call": { "kind": "view", "name": "count" },
          "expect": { "status": "success", "return": "0x0200000000000000", "fault": "none" } },
    ]));
    let report = run_with(&file, TOKEN_WAT, &HexOnly).expect("runs");
    assert!(report.passed(), "{report:?}");
    assert_eq!(report.steps.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["send", "count"]);
    assert_eq!(report.steps[0].gas_used, 210360, "the gas of `tsvm run examples/transfer.json`");
}

#[test]
fn a_failing_step_lists_what_differed_and_later_steps_still_run() {
    let file = scenario(serde_json::json!([
        { "name": "too big", "call": transfer("1500"),
          "expect": { "status": "success", "revert_reason": "x", "balances": { a(2): "6500" },
                      "gas_used": 1 } },
        { "name": "fine", "call": transfer("10"),
          "expect": { "status": "success", "balances": { a(2): "5010" } } },
    ]));
    let report = run_with(&file, TOKEN_WAT, &HexOnly).expect("runs");
    assert!(!report.passed());
    let bad = &report.steps[0];
    assert_eq!(
        (bad.status, bad.revert_reason.as_deref()),
        (StatusCode::Reverted, Some("transfer above limit"))
    );
    let what: Vec<&str> = bad.mismatches.iter().map(|m| m.what.as_str()).collect();
    assert_eq!(what, ["status", "revert reason", "gas used", &*format!("balance of {}", a(2))]);
    assert_eq!(bad.mismatches[1].to_string(), r#"revert reason: expected "x", got "transfer above limit""#);
    assert_eq!(bad.mismatches[3].to_string(), format!("balance of {}: expected 6500, got 5000", a(2)));
    assert!(report.steps[1].passed, "the failed step applied nothing: {:?}", report.steps[1]);
    assert_eq!(report.failed().count(), 1);
}

#[test]
fn callers_are_per_step_and_the_clock_moves_from_a_step_on() {
    let wat = r#"(module
      (import "tsvm" "block_height" (func $h (result i64)))
      (import "tsvm" "block_timestamp" (func $t (result i64)))
      (import "tsvm" "return_data" (func $ret (param i32 i32)))
      (memory (export "memory") 1)
      (func (export "view_now")
        (i64.store (i32.const 0) (call $h)) (i64.store (i32.const 8) (call $t))
        (call $ret (i32.const 0) (i32.const 16))))"#;
    let now = |h: u64, t: u64| abi::hex::encode(&[h.to_le_bytes(), t.to_le_bytes()].concat());
    let view = serde_json::json!({ "kind": "view", "name": "now", "args": "0x" });
    let file = scenario(serde_json::json!([
        { "name": "defaults", "call": view,
          "expect": { "status": "success", "return": now(1, 1_700_000_000_000) } },
        { "name": "moved", "call": view, "height": 9, "timestamp_ms": 1_700_000_100_000u64,
          "expect": { "status": "success", "return": now(9, 1_700_000_100_000) } },
        { "name": "stays", "call": view,
          "expect": { "status": "success", "return": now(9, 1_700_000_100_000) } },
        { "name": "starved", "call": view, "gas_limit": 1000,
          "expect": { "status": "out_of_gas", "gas_used": 1000 } },
    ]));
    let report = run_with(&file, wat, &HexOnly).expect("runs");
    assert!(report.passed(), "{report:#?}");
    assert_eq!(report.steps[3].gas_limit, 1000);

    // The caller is the step's only.
    let file = scenario(serde_json::json!([
        { "name": "owner", "call": { "kind": "method", "name": "set_limit", "args": "0x0100000000000000" },
          "caller": Address([0xee; 32]).to_string(), "expect": { "status": "success" } },
        { "name": "back to 0x01..",
          "call": { "kind": "method", "name": "set_limit", "args": "0x0100000000000000" },
          "expect": { "status": "reverted", "revert_reason": "not owner" } },
    ]));
    assert!(run_with(&file, TOKEN_WAT, &HexOnly).expect("runs").passed());
}

#[test]
fn a_typed_value_without_a_codec_is_refused_naming_the_field_before_anything_runs() {
    let file = scenario(serde_json::json!([
        { "name": "send", "call": transfer("1"), "expect": { "status": "success" } },
        { "name": "count", "call": { "kind": "view", "name": "count" },
          "expect": { "status": "success", "return": 2 } },
    ]));
    let Err(Error::Value { at, why }) = run_with(&file, TOKEN_WAT, &HexOnly) else { panic!("refused") };
    assert_eq!(at, "steps[1] `count`, expect.return");
    assert!(why.starts_with("the return of view `count` is given as the typed value 2"), "{why}");
    // A string that starts `0x` is hex, and must be canonical.
    let bad = serde_json::json!({ "module": "m.wat", "state": "s.json", "steps": [
        { "name": "x", "call": { "kind": "view", "name": "count", "args": "0xAB" },
          "expect": { "status": "success" } } ] });
    let err = serde_json::from_value::<ScenarioFile>(bad).expect_err("uppercase hex");
    assert!(err.to_string().contains("uppercase hex digit"), "{err}");
}

/// A codec for the test: `set_limit` takes a u64 and `count` returns one, as JSON numbers.
struct U64s;

impl TypedValues for U64s {
    fn encode(&self, role: ValueRole<'_>, value: &serde_json::Value) -> Result<Vec<u8>, String> {
        match (role, value.as_u64()) {
            (
                ValueRole::MethodArgs("set_limit")
                | ValueRole::ViewReturn("count")
                | ValueRole::StorageValue(b"limit"),
                Some(n),
            ) => Ok(crate::encode(&n)),
            _ => Err(format!("{role}: not a u64")),
        }
    }

    fn decode(&self, role: ValueRole<'_>, bytes: &[u8]) -> Option<serde_json::Value> {
        let n = u64::from_le_bytes(bytes.try_into().ok()?);
        matches!(role, ValueRole::ViewReturn("count") | ValueRole::StorageValue(b"limit")).then(|| n.into())
    }
}

#[test]
fn a_codec_plugged_into_the_runner_encodes_typed_values() {
    let file = scenario(serde_json::json!([
        { "name": "owner sets 2000", "caller": Address([0xee; 32]).to_string(),
          "call": { "kind": "method", "name": "set_limit", "args": 2000 },
          "expect": { "status": "success", "storage": { "limit": "0xd007000000000000" } } },
        { "name": "count", "call": { "kind": "view", "name": "count" },
          "expect": { "status": "success", "return": 1 } },
    ]));
    let report = run_with(&file, TOKEN_WAT, &U64s).expect("encoded");
    assert!(report.passed(), "{report:#?}");

    // A failed typed check shows the typed values next to the hex.
    let file = scenario(serde_json::json!([
        { "name": "count", "call": { "kind": "view", "name": "count" },
          "expect": { "status": "success", "return": 7, "storage": { "limit": 5 } } },
    ]));
    let report = run_with(&file, TOKEN_WAT, &U64s).expect("encoded");
    let shown: Vec<String> = report.steps[0].mismatches.iter().map(ToString::to_string).collect();
    assert_eq!(
        shown,
        [
            "return: expected 7 (0x0700000000000000), got 0 (0x0000000000000000)",
            "storage \"limit\": expected 5 (0x0500000000000000), got absent",
        ]
    );
}

#[test]
fn state_is_a_path_or_an_object() {
    let file: ScenarioFile =
        serde_json::from_str(r#"{"module": "m.wasm", "state": "s.json", "steps": []}"#).expect("valid");
    assert_eq!(file.state, StateSource::File("s.json".into()));
    assert_eq!((file.token, file.gas_limit, file.context.height), (crate::DEFAULT_TOKEN, 10_000_000, 1));
    let file: ScenarioFile =
        serde_json::from_str(r#"{"module": "m.wasm", "state": {"tokens": {}}, "steps": []}"#).expect("valid");
    assert_eq!(file.state, StateSource::Inline(InMemoryState::default()));
    let err = serde_json::from_str::<ScenarioFile>(r#"{"module": "m.wasm", "state": 5, "steps": []}"#)
        .expect_err("a number is neither");
    assert!(err.to_string().contains("a state file's path or a state object"), "{err}");
}

#[test]
fn a_calls_fields_are_checked_like_a_transaction_files() {
    let parse = |call: serde_json::Value| {
        let file = serde_json::json!({ "module": "m.wat", "state": "s.json",
            "steps": [ { "name": "x", "call": call, "expect": { "status": "success" } } ] });
        serde_json::from_value::<ScenarioFile>(file).map(|f| f.steps[0].call.clone())
    };
    let err = |call| parse(call).expect_err("refused").to_string();
    assert!(err(serde_json::json!({ "kind": "view", "name": "count", "argz": "0x" }))
        .contains("unknown field `argz`"));
    assert!(err(serde_json::json!({ "kind": "viw", "name": "count" })).contains("unknown variant `viw`"));
    let hook = serde_json::json!({ "kind": "hook", "hook": "before_mint",
        "operation": { "op": "mint", "to": a(3), "amount": "5" } });
    assert!(matches!(parse(hook), Ok(StepCall::Native(abi::Call::Hook { .. }))));
    let view = parse(serde_json::json!({ "kind": "view", "name": "count" })).expect("args are optional");
    assert_eq!(view, StepCall::View("count".into(), Value::Hex(Vec::new())));
}
