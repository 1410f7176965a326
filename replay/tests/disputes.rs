//! End-to-end tests of disputes with the `tsvm` binary: the minimum checkpoint interval
//! (`spec/trace.md#minimum-interval`) in `run`, `bisect` and `diff`, divergent checkpoint windows,
//! canonical bundles (`spec/bundle.md#canonical-witness`) and `diff` of two bundles field by field.

use assert_cmd::cargo::cargo_bin_cmd;
use predicates::prelude::*;
use predicates::str::contains;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

const MIN: u64 = vm::MIN_CHECKPOINT_INTERVAL;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn tsvm() -> assert_cmd::Command {
    let mut cmd = cargo_bin_cmd!("tsvm");
    cmd.current_dir(root()).env_remove("RUST_LOG");
    cmd
}

fn no_panic() -> impl Predicate<str> {
    contains("panicked").not().and(contains("RUST_BACKTRACE").not())
}

fn write(dir: &TempDir, name: &str, text: &str) -> PathBuf {
    let p = dir.path().join(name);
    std::fs::write(&p, text).expect("write fixture");
    p
}

fn read_json(p: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(p).expect("read")).expect("json")
}

fn write_json(p: &Path, v: &serde_json::Value) {
    std::fs::write(p, serde_json::to_string_pretty(v).expect("encode")).expect("write");
}

fn checkpoints_file(dir: &TempDir, name: &str, interval: u64) -> PathBuf {
    write(dir, name, &format!("{{\"kind\": \"checkpoints\", \"interval\": {interval}, \"checkpoints\": []}}"))
}

/// A temp dir holding a 64-page module whose method loops, writing memory, until out of gas, with
/// the example state, a call and a context for `tsvm run` by pieces.
fn spinner() -> TempDir {
    let dir = TempDir::new().expect("temp dir");
    write(
        &dir,
        "spin.wat",
        r#"(module (memory (export "memory") 64)
             (func (export "method_spin") (local $i i32)
               (loop $l
                 (i32.store (i32.and (i32.mul (local.get $i) (i32.const 65536)) (i32.const 0x3fffff)) (local.get $i))
                 (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $l))))"#,
    );
    write(&dir, "call.json", r#"{"kind": "method", "name": "spin", "args": "0x"}"#);
    let tx = read_json(&root().join("examples/transfer.json"));
    write_json(&dir.path().join("ctx.json"), &tx["context"]);
    std::fs::copy(root().join("examples/state.json"), dir.path().join("state.json")).expect("copy");
    dir
}

/// `tsvm run` of the spinner with `gas` gas and `extra` arguments.
fn run_spinner(dir: &TempDir, gas: u64, extra: &[&str]) -> assert_cmd::assert::Assert {
    let p = |n: &str| dir.path().join(n);
    tsvm()
        .arg("run")
        .arg("--module")
        .arg(p("spin.wat"))
        .arg("--state")
        .arg(p("state.json"))
        .args(["--token", &format!("0x{}", "70".repeat(32))])
        .arg("--call")
        .arg(p("call.json"))
        .arg("--context")
        .arg(p("ctx.json"))
        .args(["--gas-limit", &gas.to_string()])
        .args(extra)
        .assert()
}

#[test]
fn run_accepts_the_minimum_interval_and_refuses_one_below() {
    tsvm().args(["run", "examples/transfer.json", "--checkpoints", &MIN.to_string()]).assert().code(0);
    tsvm()
        .args(["run", "examples/transfer.json", "--checkpoints", &(MIN - 1).to_string()])
        .assert()
        .code(2)
        .stderr(contains(format!("checkpoint interval {} is below the minimum of {MIN} gas", MIN - 1)));
    tsvm().args(["run", "examples/transfer.json", "--checkpoints", "1"]).assert().code(2).stderr(no_panic());
}

#[test]
fn bisect_and_diff_refuse_checkpoints_below_the_minimum() {
    let dir = TempDir::new().expect("temp dir");
    let at = checkpoints_file(&dir, "at.json", MIN);
    let below = checkpoints_file(&dir, "below.json", MIN - 1);
    let one = checkpoints_file(&dir, "one.json", 1);
    let bundle = "examples/transfer.bundle.json";
    // The example uses less than MIN gas: no checkpoints on either side, so they agree.
    tsvm().args(["bisect", bundle, "--against"]).arg(&at).assert().code(0);
    for f in [&below, &one] {
        tsvm()
            .args(["bisect", bundle, "--against"])
            .arg(f)
            .assert()
            .code(3)
            .stderr(contains("is below the minimum of 1048576 gas").and(no_panic()));
        tsvm().arg("diff").arg(&at).arg(f).assert().code(3).stderr(contains("below the minimum"));
    }
    tsvm().arg("diff").arg(&at).arg(&at).assert().code(0).stdout(contains("agree"));
    let other = checkpoints_file(&dir, "other.json", MIN + 1);
    tsvm().arg("diff").arg(&at).arg(&other).assert().code(2).stderr(contains("recorded every"));
}

#[test]
fn bisect_finds_the_divergent_window() {
    let dir = spinner();
    let p = |n: &str| dir.path().join(n);
    let (b, cps) = (p("b.json"), p("cps.json"));
    let (b, cps) = (b.to_str().expect("utf-8"), cps.to_str().expect("utf-8"));
    let k = MIN.to_string();
    run_spinner(&dir, 3 * MIN + 1_000, &["--bundle", b, "--checkpoints", &k, "--checkpoints-out", cps])
        .code(0);
    let mut c = read_json(&p("cps.json"));
    let list = c["checkpoints"].as_array_mut().expect("list");
    assert_eq!(list.len(), 3, "{c}");
    // Their second checkpoint differs: the window from the first to the second.
    list[1]["state_hash"] = serde_json::json!(format!("0x{}", "ab".repeat(32)));
    write_json(&p("theirs.json"), &c);
    tsvm().args(["bisect", b, "--against", cps]).assert().code(0).stdout(contains("no divergence"));
    tsvm().args(["bisect", b, "--against"]).arg(p("theirs.json")).assert().code(1).stdout(
        contains("first divergent window: checkpoint position 1")
            .and(contains("last agreed  #1"))
            .and(contains(format!("(interval {MIN})"))),
    );
    let out = tsvm().args(["bisect", "--json", b, "--against"]).arg(p("theirs.json")).output().expect("runs");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["first_divergent_window"]["position"], 1);
}
