//! The subcommands called as a library, without a process, as `tsvm_cli`'s documentation promises
//! tests and benches: each is a struct whose `run()` returns what `tsvm` would print and its exit
//! code, or a failure with its exit code.

mod common;

use common::root;
use tsvm_cli::exit::{self, Failure, Output};
use tsvm_cli::{DiffCmd, InspectCmd, ReplayCmd, RunCmd, ValidateCmd};

#[track_caller]
fn ok(result: Result<Output, Failure>) -> Output {
    result.unwrap_or_else(|f| panic!("exit {}: {:#}", f.code, f.error))
}

#[test]
fn validate_the_example_token() {
    let out = ok(ValidateCmd { modules: vec![root().join("examples/token.wat")], json: false }.run());
    assert_eq!(out.code, exit::OK);
    assert!(out.stdout.ends_with("examples/token.wat: ok"), "{}", out.stdout);
    assert_eq!(out.error, None);
}

#[test]
fn replay_the_shipped_bundle() {
    let cmd = ReplayCmd {
        inputs: vec![root().join("examples/transfer.bundle.json")],
        jobs: Some(1),
        json: true,
        ..ReplayCmd::default()
    };
    let out = ok(cmd.run());
    assert_eq!(out.code, exit::OK);
    let report: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON report");
    assert_eq!(report["summary"]["matched"], 1, "{report}");
    assert_eq!(report["results"][0]["result"], "matched", "{report}");
}

#[test]
fn a_tampered_bundle_diverges_and_a_missing_one_fails() {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = std::fs::read_to_string(root().join("examples/transfer.bundle.json")).expect("read");
    let mut bundle: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    bundle["expected"]["gas_used"] = serde_json::json!(1);
    let tampered = dir.path().join("tampered.json");
    std::fs::write(&tampered, bundle.to_string()).expect("write");

    let out = ok(ReplayCmd { inputs: vec![tampered.clone()], jobs: Some(1), ..ReplayCmd::default() }.run());
    assert_eq!(out.code, exit::DIVERGED);
    assert!(out.stdout.contains("DIVERGED") && out.stdout.contains("gas_used: expected 1"), "{}", out.stdout);
    assert_eq!(out.error.as_deref(), Some("1 of 1 bundles diverged"));

    // The same two bundles compared field by field.
    let shipped = root().join("examples/transfer.bundle.json");
    let out = ok(DiffCmd { left: shipped, right: tampered, json: false }.run());
    assert_eq!(out.code, exit::DIVERGED);
    assert!(out.stdout.starts_with("expected.gas_used:"), "{}", out.stdout);

    let missing = ReplayCmd { inputs: vec![dir.path().join("nope.json")], ..ReplayCmd::default() };
    assert_eq!(ok(missing.run()).code, exit::IO);
    let none = ReplayCmd::default().run().expect_err("no bundles is a usage error");
    assert_eq!(none.code, exit::USAGE);
}

#[test]
fn run_and_inspect_the_example_transfer() {
    let out = ok(RunCmd { tx: Some(root().join("examples/transfer.json")), ..RunCmd::default() }.run());
    assert_eq!(out.code, exit::OK);
    assert!(out.stdout.starts_with("status        success (0)"), "{}", out.stdout);

    let out = ok(InspectCmd { file: root().join("examples/transfer.bundle.json"), json: false }.run());
    assert!(out.stdout.contains("rules hash    0x") && out.stdout.contains("(this VM's)"), "{}", out.stdout);
    let failure =
        InspectCmd { file: root().join("examples/nope.json"), json: false }.run().expect_err("missing");
    assert_eq!(failure.code, exit::IO);
}
