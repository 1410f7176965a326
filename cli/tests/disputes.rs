//! End-to-end tests of disputes with the `tsvm` binary: the minimum checkpoint interval
//! (`spec/trace.md#minimum-interval`) in `run`, `bisect` and `diff`, divergent checkpoint windows,
//! canonical bundles (`spec/bundle.md#canonical-witness`) and `diff` of two bundles field by field.

mod common;

use common::{no_panic, root, tsvm};
use predicates::prelude::*;
use predicates::str::contains;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

const MIN: u64 = vm::MIN_CHECKPOINT_INTERVAL;

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
            .stderr(contains(format!("is below the minimum of {MIN} gas")).and(no_panic()));
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
    run_spinner(&dir, 2 * MIN + 1_000, &["--bundle", b, "--checkpoints", &k, "--checkpoints-out", cps])
        .code(0);
    let mut c = read_json(&p("cps.json"));
    let list = c["checkpoints"].as_array_mut().expect("list");
    assert_eq!(list.len(), 2, "{c}");
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

// ---- canonical bundles (spec/bundle.md#canonical-witness) ----

/// The shipped bundle with `edit` applied to its JSON, written to `name` in `dir`.
fn bundle_with(dir: &TempDir, name: &str, edit: impl FnOnce(&mut serde_json::Value)) -> PathBuf {
    let mut v = read_json(&root().join("examples/transfer.bundle.json"));
    edit(&mut v);
    let p = dir.path().join(name);
    write_json(&p, &v);
    p
}

fn storage_entry(token: &str, key_hex: &str) -> serde_json::Value {
    serde_json::json!({ "key": { "kind": "storage", "token": token, "key": key_hex }, "value": "0x01" })
}

#[test]
fn replay_refuses_non_canonical_bundles_and_catches_other_metadata() {
    let dir = TempDir::new().expect("temp dir");
    let own = format!("0x{}", "70".repeat(32));
    // The owner is never read by a transfer: the trace's Token event still commits to it.
    let owner = bundle_with(&dir, "owner.json", |v| {
        v["witness"]["token"]["owner"] = serde_json::json!(format!("0x{}", "55".repeat(32)))
    });
    tsvm()
        .arg("replay")
        .arg(&owner)
        .assert()
        .code(1)
        .stdout(contains("diverged").and(contains("trace_hash")));
    let policy = bundle_with(&dir, "policy.json", |v| {
        v["witness"]["token"]["policy"]["max_supply"] = serde_json::json!("1000001")
    });
    tsvm().arg("replay").arg(&policy).assert().code(1).stdout(contains("trace_hash"));
    // An unread key of the token ("zz" sorts after "count" and "limit").
    let unread = bundle_with(&dir, "unread.json", |v| {
        v["witness"]["entries"].as_array_mut().expect("entries").push(storage_entry(&own, "0x7a7a"))
    });
    tsvm().arg("replay").arg(&unread).assert().code(3).stderr(
        contains("bundle is not canonical: the witness holds storage[0x7a7a] of")
            .and(contains("which the execution never read")),
    );
    // A key of another token.
    let other = format!("0x{}", "71".repeat(32));
    let foreign = bundle_with(&dir, "foreign.json", |v| {
        v["witness"]["entries"].as_array_mut().expect("entries").push(storage_entry(&other, "0x7a7a"))
    });
    tsvm()
        .arg("replay")
        .arg(&foreign)
        .assert()
        .code(3)
        .stderr(contains(format!("witness entry 4 (storage[0x7a7a] of {other}) is state of token {other}")));
    // Unsorted.
    let unsorted = bundle_with(&dir, "unsorted.json", |v| {
        v["witness"]["entries"].as_array_mut().expect("entries").swap(0, 1)
    });
    tsvm()
        .arg("replay")
        .arg(&unsorted)
        .assert()
        .code(3)
        .stderr(contains("witness entries are not sorted by key: entry 1 (balance[0x0101"));
}

// ---- diff of two bundles compares every field ----

/// `tsvm diff --json` of the shipped bundle against an edited copy: exit 1 and the differing fields.
fn diff_fields(edit: impl FnOnce(&mut serde_json::Value)) -> Vec<String> {
    let dir = TempDir::new().expect("temp dir");
    let right = bundle_with(&dir, "right.json", edit);
    let out =
        tsvm().args(["diff", "--json", "examples/transfer.bundle.json"]).arg(&right).output().expect("runs");
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!((v["kind"].clone(), v["diverged"].clone()), ("bundle".into(), true.into()));
    let fields = v["fields"].as_array().expect("fields");
    fields.iter().map(|f| f["field"].as_str().expect("name").to_string()).collect()
}

#[test]
fn diff_of_bundles_compares_every_field() {
    let b = "examples/transfer.bundle.json";
    tsvm().args(["diff", b, b]).assert().code(0).stdout("the two bundles agree\n");
    assert_eq!(diff_fields(|v| v["context"]["height"] = 8.into()), ["context"]);
    assert_eq!(diff_fields(|v| v["gas_limit"] = 1_000_001.into()), ["gas_limit"]);
    assert_eq!(
        diff_fields(|v| {
            let m = v["module"].as_str().expect("hex").to_string();
            v["module"] = format!("{m}00").into();
        }),
        ["module"]
    );
    assert_eq!(
        diff_fields(|v| v["invocation"]["call"]["operation"]["amount"] = "101".into()),
        ["invocation"]
    );
    assert_eq!(
        diff_fields(|v| v["witness"]["entries"][0]["value"] = "0x89130000000000000000000000000000".into()),
        [format!("witness[balance[0x{}] of 0x{}]", "01".repeat(32), "70".repeat(32))]
    );
    assert_eq!(
        diff_fields(|v| v["witness"]["token"]["owner"] = format!("0x{}", "55".repeat(32)).into()),
        ["witness.token"]
    );
    assert_eq!(diff_fields(|v| v["expected"]["gas_used"] = 1.into()), ["expected.gas_used"]);
    assert_eq!(
        diff_fields(|v| v["witness"]["entries"].as_array_mut().expect("entries").swap(0, 1)),
        ["witness.entries (order)"]
    );
    // The text names the field with both values.
    let dir = TempDir::new().expect("temp dir");
    let right = bundle_with(&dir, "h.json", |v| v["context"]["height"] = 8.into());
    tsvm()
        .arg("diff")
        .arg(b)
        .arg(&right)
        .assert()
        .code(1)
        .stdout(contains("context:\n  left  {").and(contains("\"height\":7")).and(contains("\"height\":8")));
}
