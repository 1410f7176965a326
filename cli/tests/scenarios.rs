//! End-to-end tests of `tsvm test`: the shipped example scenario passes; a failed expectation exits 1
//! naming the step; a malformed scenario exits 3 naming the field; a missing file exits 4; `--json`
//! reports every step.

mod common;

use common::{no_panic, root, tsvm};
use predicates::prelude::*;
use predicates::str::contains;
use std::path::PathBuf;
use tempfile::TempDir;

/// A temp dir holding the example token and state, and the example scenario with `edit` applied,
/// written as `name`.
fn scenario_with(name: &str, edit: impl FnOnce(&mut serde_json::Value)) -> (TempDir, PathBuf) {
    let dir = TempDir::new().expect("temp dir");
    for f in ["token.wat", "state.json"] {
        std::fs::copy(root().join("examples").join(f), dir.path().join(f)).expect("copy example");
    }
    let text = std::fs::read_to_string(root().join("examples/token.scenario.json")).expect("read");
    let mut v: serde_json::Value = serde_json::from_str(&text).expect("json");
    edit(&mut v);
    let path = dir.path().join(name);
    std::fs::write(&path, serde_json::to_string_pretty(&v).expect("encode")).expect("write");
    (dir, path)
}

#[test]
fn the_example_scenario_passes_with_every_step_shown() {
    tsvm()
        .args(["test", "examples/token.scenario.json"])
        .assert()
        .code(0)
        .stdout(contains("examples/token.scenario.json: 6 steps, passed"))
        .stdout(contains("ok     2  a transfer above the limit is rejected"))
        .stdout(contains(r#"reverted, reason "transfer above limit", gas "#))
        .stdout(contains("success, gas 210360"))
        .stdout(contains("6 of 6 steps passed"))
        .stderr(no_panic());
}

#[test]
fn a_failed_expectation_exits_1_naming_the_step_and_what_differed() {
    let (_dir, path) = scenario_with("fail.json", |v| {
        v["steps"][1]["expect"]["status"] = "success".into();
        v["steps"][5]["expect"]["return"] = "0x0600000000000000".into();
    });
    tsvm()
        .args(["test"])
        .arg(&path)
        .assert()
        .code(1)
        .stdout(contains("6 steps, 2 failed"))
        .stdout(contains("FAIL   2  a transfer above the limit is rejected"))
        .stdout(contains(r#"status: expected success, got reverted, reason "transfer above limit""#))
        .stdout(contains("return: expected 0x0600000000000000, got 0x0500000000000000"))
        .stdout(contains("4 of 6 steps passed"))
        .stderr(contains("step 2 `a transfer above the limit is rejected` failed"))
        .stderr(contains("step 6 `the count view sees every applied hook and method` failed"))
        .stderr(no_panic());
}

#[test]
fn a_malformed_scenario_exits_3_naming_the_field() {
    let (_dir, path) = scenario_with("bad.json", |v| {
        v["steps"][2]["expect"]["revert"] = "not owner".into();
    });
    tsvm()
        .args(["test"])
        .arg(&path)
        .assert()
        .code(3)
        .stderr(contains("field `steps[2].expect.revert`: unknown field `revert`"))
        .stderr(no_panic());
    let (_dir, path) = scenario_with("typed.json", |v| v["steps"][5]["expect"]["return"] = 5.into());
    tsvm()
        .args(["test"])
        .arg(&path)
        .assert()
        .code(3)
        .stderr(contains("steps[5] `the count view sees every applied hook and method`, expect.return"))
        .stderr(contains("write its bytes as `0x` and lowercase hex digits"))
        .stderr(no_panic());
}

#[test]
fn a_missing_file_exits_4_and_the_first_file_that_could_not_run_sets_the_code() {
    tsvm()
        .args(["test", "examples/no-such.scenario.json"])
        .assert()
        .code(4)
        .stderr(contains("cannot read examples/no-such.scenario.json"))
        .stderr(no_panic());
    let (_dir, path) = scenario_with("no-module.json", |v| v["module"] = "missing.wasm".into());
    tsvm()
        .args(["test", "examples/token.scenario.json"])
        .arg(&path)
        .assert()
        .code(4)
        .stdout(contains("examples/token.scenario.json: 6 steps, passed"))
        .stdout(contains("not run (exit 4)"))
        .stderr(contains("missing.wasm"))
        .stderr(no_panic());
}

#[test]
fn json_reports_every_step() {
    let out = tsvm().args(["test", "--json", "examples/token.scenario.json"]).output().expect("runs");
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    assert_eq!(v["passed"], true);
    let steps = v["files"][0]["steps"].as_array().expect("steps");
    assert_eq!(steps.len(), 6);
    assert_eq!(steps[0]["gas_used"], 210360);
    assert_eq!(steps[1]["status"], "reverted");
    assert_eq!(steps[1]["revert_reason"], "transfer above limit");
    assert!(steps.iter().all(|s| s["passed"] == true && s["mismatches"] == serde_json::json!([])));
    tsvm().args(["test"]).assert().code(2).stderr(contains("<FILES>").and(no_panic()));
}

#[test]
fn the_command_runs_in_process() {
    let cmd = tsvm_cli::TestCmd { files: vec![root().join("examples/token.scenario.json")], json: false };
    let out = cmd.run().expect("runs");
    assert_eq!((out.code, out.error), (0, None));
    assert!(out.stdout.ends_with("6 of 6 steps passed"), "{}", out.stdout);
}

/// Every example's scenario file passes: the token's, and each C and Rust example script's, whose
/// typed values go through the module's script ABI (`spec/scenario.md#values`).
#[test]
fn every_example_scenario_passes() {
    let mut files = Vec::new();
    for dir in ["examples", "examples/c", "examples/rust"] {
        let Ok(entries) = std::fs::read_dir(root().join(dir)) else { continue };
        for e in entries {
            let path = e.expect("a directory entry").path();
            if path.to_string_lossy().ends_with(".scenario.json") {
                files.push(path);
            }
        }
    }
    files.sort();
    assert!(files.len() >= 7, "the token's and the six C examples' scenarios at least: {files:?}");
    let out = tsvm().arg("test").args(&files).output().expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains(" steps passed"), "{stdout}");
}

/// A typed value the module's ABI does not declare is a malformed scenario (exit 3), named.
#[test]
fn a_typed_value_the_abi_does_not_declare_exits_3() {
    let text = std::fs::read_to_string(root().join("examples/c/policy.scenario.json")).expect("read");
    let mut scenario: serde_json::Value = serde_json::from_str(&text).expect("json");
    scenario["module"] = serde_json::json!(root().join("examples/c/policy.wasm"));
    scenario["state"] = serde_json::json!(root().join("examples/c/state.json"));
    scenario["steps"][0]["call"]["name"] = serde_json::json!("no_such_view");
    scenario["steps"][0]["call"]["args"] = serde_json::json!([1]);
    let dir = TempDir::new().expect("tempdir");
    let path = dir.path().join("bad.scenario.json");
    std::fs::write(&path, scenario.to_string()).expect("write");
    tsvm()
        .arg("test")
        .arg(&path)
        .assert()
        .code(3)
        .stderr(contains("no_such_view").and(contains("does not declare")));
}
