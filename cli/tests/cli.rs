//! End-to-end tests of the `tsvm` binary: every subcommand, every exit code, and malformed input of
//! each kind (truncated wasm, bad JSON, wrong field types, missing files, oversized inputs) ending in
//! a clear message, never a panic.

mod common;

use common::{no_panic, root, tsvm};
use predicates::prelude::*;
use predicates::str::contains;
use std::path::PathBuf;
use tempfile::TempDir;

const RERECORD: &str =
    "cargo run --release -p tsvm-cli -- run examples/transfer.json --bundle examples/transfer.bundle.json";

/// A temp dir with a copy of the example token, state and transfer.
fn workdir() -> TempDir {
    let dir = TempDir::new().expect("temp dir");
    for f in ["token.wat", "state.json", "transfer.json", "transfer.bundle.json"] {
        std::fs::copy(root().join("examples").join(f), dir.path().join(f)).expect("copy example");
    }
    dir
}

fn write(dir: &TempDir, name: &str, text: &str) -> PathBuf {
    let p = dir.path().join(name);
    std::fs::write(&p, text).expect("write fixture");
    p
}

/// The example transfer with `edit` applied to its JSON.
fn tx_with(dir: &TempDir, name: &str, edit: impl FnOnce(&mut serde_json::Value)) -> PathBuf {
    let text = std::fs::read_to_string(dir.path().join("transfer.json")).expect("read");
    let mut v: serde_json::Value = serde_json::from_str(&text).expect("json");
    edit(&mut v);
    write(dir, name, &serde_json::to_string_pretty(&v).expect("encode"))
}

/// The shipped bundle with `edit` applied to its JSON.
fn bundle_with(dir: &TempDir, name: &str, edit: impl FnOnce(&mut serde_json::Value)) -> PathBuf {
    let text = std::fs::read_to_string(dir.path().join("transfer.bundle.json")).expect("read");
    let mut v: serde_json::Value = serde_json::from_str(&text).expect("json");
    edit(&mut v);
    write(dir, name, &serde_json::to_string_pretty(&v).expect("encode"))
}

fn stdout_json(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).expect("stdout is JSON")
}

// ---- the README's commands ----

#[test]
fn shipped_example_bundle_replays_and_matches() {
    let out = tsvm().args(["replay", "examples/transfer.bundle.json"]).output().expect("runs");
    assert!(
        out.status.success(),
        "examples/transfer.bundle.json no longer replays and matches (exit {:?}):\n{}{}\nIf the rules \
         changed on purpose, re-record it: {RERECORD}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("1 matched, 0 diverged, 0 failed"), "{text}");
}

#[test]
fn run_example_prints_receipt() {
    tsvm()
        .args(["run", "examples/transfer.json"])
        .assert()
        .code(0)
        .stdout(contains("status        success (0)").and(contains("gas used")))
        .stderr(no_panic());
}

#[test]
fn no_subcommand_is_usage_error() {
    tsvm().assert().code(2).stderr(contains("Usage"));
    tsvm().args(["run"]).assert().code(2).stderr(contains("<TX>"));
    tsvm().args(["run", "examples/transfer.json", "--trace", "sideways"]).assert().code(2);
    tsvm().args(["run", "examples/transfer.json", "--checkpoints-out", "x.json"]).assert().code(2);
}

// ---- validate ----

#[test]
fn validate_ok_and_json() {
    tsvm()
        .args(["validate", "examples/token.wat"])
        .assert()
        .code(0)
        .stdout(contains("examples/token.wat: ok"));
    let out = tsvm().args(["validate", "--json", "examples/token.wat"]).output().expect("runs");
    assert_eq!(out.status.code(), Some(0));
    let v = stdout_json(&out);
    assert_eq!(v["modules"][0]["valid"], true);
}

#[test]
fn validate_lists_every_violation_with_rule_function_and_offset() {
    let dir = workdir();
    let wat = write(
        &dir,
        "bad.wat",
        r#"(module
             (memory (export "memory") 1)
             (func $uses_float (drop (f32.const 1)))
             (func $also (export "view_x") (param i32)))"#,
    );
    let out = tsvm().args(["validate", "--json"]).arg(&wat).output().expect("runs");
    assert_eq!(out.status.code(), Some(6));
    let v = stdout_json(&out);
    let violations = v["modules"][0]["violations"].as_array().expect("list");
    assert!(violations.len() >= 2, "{v}");
    let float = violations.iter().find(|x| x["rule"] == "float").expect("a float violation");
    assert_eq!(float["func_name"], "uses_float");
    assert!(float["func_index"].is_u64() && float["offset"].as_u64().is_some_and(|o| o > 0), "{float}");
    assert!(violations.iter().any(|x| x["rule"] == "entry_signature"), "{v}");
    tsvm()
        .args(["validate"])
        .arg(&wat)
        .assert()
        .code(6)
        .stdout(contains("float:").and(contains("`uses_float`")).and(contains("offset")));
}

#[test]
fn validate_truncated_wasm_is_invalid_module() {
    let dir = workdir();
    let wasm = wat::parse_str(include_str!("../../examples/token.wat")).expect("token");
    let p = dir.path().join("cut.wasm");
    std::fs::write(&p, &wasm[..wasm.len() / 2]).expect("write");
    tsvm().arg("validate").arg(&p).assert().code(6).stdout(contains("malformed")).stderr(no_panic());
}

#[test]
fn validate_wat_syntax_error_and_missing_file() {
    let dir = workdir();
    let p = write(&dir, "syntax.wat", "(module (func (i32.bogus)))");
    tsvm().arg("validate").arg(&p).assert().code(6).stdout(contains("malformed").and(contains("syntax.wat")));
    tsvm()
        .args(["validate", "no/such/module.wasm"])
        .assert()
        .code(4)
        .stderr(contains("cannot read no/such/module.wasm").and(no_panic()));
}

// ---- run ----

#[test]
fn run_full_trace_is_readable() {
    tsvm().args(["run", "examples/transfer.json", "--trace", "full"]).assert().code(0).stdout(
        contains("  entry before_transfer [gas left ")
            .and(contains("    storage_read(key=1040, key_len=5, dst=2064, cap=8) -> absent [gas left "))
            .and(contains("      read  storage[\"limit\"] = absent"))
            .and(contains("  native transfer 100 from 0x0101"))
            .and(contains("      event \"transfer\" 0x64"))
            .and(contains("end success (0), gas used ")),
    );
}

#[test]
fn run_writes_artefacts_the_other_subcommands_read() {
    let dir = workdir();
    let p = |n: &str| dir.path().join(n);
    let out = tsvm()
        .args(["run", "examples/transfer.json", "--json", "--trace", "full", "--checkpoints", "4194304"])
        .arg("--bundle")
        .arg(p("b.bundle"))
        .arg("--state-out")
        .arg(p("post.json"))
        .arg("--trace-out")
        .arg(p("trace.json"))
        .arg("--checkpoints-out")
        .arg(p("cps.json"))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let v = stdout_json(&out);
    assert_eq!(v["kind"], "receipt");
    assert_eq!(v["receipt"]["status"], "success");
    assert!(v["trace"]["events"].as_array().is_some_and(|e| e.len() > 5), "{v}");
    std::fs::write(p("receipt.json"), &out.stdout).expect("write");

    // The post-state has the transfer applied.
    let post = std::fs::read_to_string(p("post.json")).expect("post-state");
    assert!(post.contains("\"4900\"") && post.contains("\"5100\""), "{post}");
    // The borsh bundle replays, and inspect shows every artefact.
    tsvm().arg("replay").arg(p("b.bundle")).assert().code(0).stdout(contains("matched"));
    tsvm().arg("inspect").arg(p("b.bundle")).assert().code(0).stdout(contains("borsh form"));
    tsvm().arg("inspect").arg(p("receipt.json")).assert().code(0).stdout(contains("status        success"));
    tsvm().arg("inspect").arg(p("trace.json")).assert().code(0).stdout(contains("entry after_transfer"));
    tsvm().arg("inspect").arg(p("cps.json")).assert().code(0).stdout(contains("interval 4194304"));
    // inspect --json normalises the borsh bundle to the JSON form: it replays too.
    let json = tsvm().arg("inspect").arg("--json").arg(p("b.bundle")).output().expect("runs");
    std::fs::write(p("b.json"), &json.stdout).expect("write");
    tsvm().arg("replay").arg(p("b.json")).assert().code(0);
    // The receipt with a trace and the trace file agree with themselves.
    tsvm().arg("diff").arg(p("trace.json")).arg(p("trace.json")).assert().code(0).stdout(contains("agree"));
    tsvm().arg("diff").arg(p("receipt.json")).arg(p("receipt.json")).assert().code(0);
    // Bisect against our own checkpoints and trace: no divergence.
    tsvm().arg("bisect").arg(p("b.bundle")).arg("--against").arg(p("cps.json")).assert().code(0);
    tsvm().arg("bisect").arg(p("b.bundle")).arg("--against").arg(p("trace.json")).assert().code(0);
}

#[test]
fn run_overrides_gas_limit_and_caller() {
    let out = tsvm()
        .args(["run", "examples/transfer.json", "--json", "--gas-limit", "100"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stdout_json(&out)["receipt"]["status"], "out_of_gas");
    let a = tsvm().args(["run", "examples/transfer.json", "--json"]).output().expect("runs");
    let caller = format!("0x{}", "ab".repeat(32));
    let b =
        tsvm().args(["run", "examples/transfer.json", "--json", "--caller", &caller]).output().expect("runs");
    assert_ne!(stdout_json(&a)["receipt"]["trace_hash"], stdout_json(&b)["receipt"]["trace_hash"]);
    tsvm().args(["run", "examples/transfer.json", "--caller", "0x12"]).assert().code(2);
}

#[test]
fn run_by_pieces_matches_the_transaction_file() {
    let token = format!("0x{}", "70".repeat(32));
    let pieces = tsvm()
        .args(["run", "--json", "--module", "examples/token.wat", "--state", "examples/state.json"])
        .args([
            "--token",
            &token,
            "--call",
            "examples/transfer.call.json",
            "--context",
            "examples/context.json",
        ])
        .args(["--gas-limit", "1000000"])
        .output()
        .expect("runs");
    assert_eq!(pieces.status.code(), Some(0), "{}", String::from_utf8_lossy(&pieces.stderr));
    let file = tsvm().args(["run", "--json", "examples/transfer.json"]).output().expect("runs");
    assert_eq!(stdout_json(&pieces), stdout_json(&file));
    tsvm().args(["run", "--module", "examples/token.wat"]).assert().code(2).stderr(contains("--context"));
    tsvm()
        .args(["run", "--json", "--module", "examples/token.wat", "--state", "examples/state.json"])
        .args(["--token", &token, "--call", "examples/context.json", "--context", "examples/context.json"])
        .args(["--gas-limit", "1"])
        .assert()
        .code(3)
        .stderr(contains("examples/context.json: invalid JSON input"));
}

#[test]
fn run_bad_json_names_file_line_and_column() {
    let dir = workdir();
    let p = write(&dir, "broken.json", "{\n  \"module\": \"token.wat\",\n  \"state\": \n");
    tsvm()
        .arg("run")
        .arg(&p)
        .assert()
        .code(3)
        .stderr(contains("broken.json: invalid JSON input").and(contains("line 4")).and(no_panic()));
}

#[test]
fn run_wrong_field_type_names_the_field() {
    let dir = workdir();
    let p = tx_with(&dir, "typed.json", |v| v["context"]["height"] = serde_json::json!("seven"));
    tsvm()
        .arg("run")
        .arg(&p)
        .assert()
        .code(3)
        .stderr(contains("field `context.height`").and(contains("invalid type")).and(contains("line")));
    let p = tx_with(&dir, "extra.json", |v| v["gas"] = serde_json::json!(1));
    tsvm().arg("run").arg(&p).assert().code(3).stderr(contains("unknown field `gas`"));
    let p = tx_with(&dir, "amount.json", |v| v["call"]["operation"]["amount"] = serde_json::json!(100));
    tsvm()
        .arg("run")
        .arg(&p)
        .assert()
        .code(3)
        .stderr(contains("field `call`").and(contains("expected a string")).and(no_panic()));
}

#[test]
fn run_missing_files_are_io_errors() {
    tsvm()
        .args(["run", "examples/nope.json"])
        .assert()
        .code(4)
        .stderr(contains("cannot read examples/nope.json"));
    let dir = workdir();
    let p = tx_with(&dir, "nomod.json", |v| v["module"] = serde_json::json!("missing.wasm"));
    tsvm().arg("run").arg(&p).assert().code(4).stderr(contains("missing.wasm"));
    tsvm()
        .args(["run", "examples/transfer.json", "--state-out", "/nonexistent-dir/post.json"])
        .assert()
        .code(4)
        .stderr(contains("cannot write /nonexistent-dir/post.json"));
}

#[test]
fn run_oversized_input_is_refused() {
    let dir = workdir();
    let big = dir.path().join("huge.wasm");
    // Sparse: the size is checked before anything is read.
    std::fs::File::create(&big).and_then(|f| f.set_len(64 * 1024 * 1024 + 1)).expect("sparse file");
    let p = tx_with(&dir, "huge.json", |v| v["module"] = serde_json::json!("huge.wasm"));
    tsvm().arg("run").arg(&p).assert().code(3).stderr(contains("above the 67108864-byte limit"));
    tsvm().arg("inspect").arg(&big).assert().code(3).stderr(contains("limit"));
}

#[test]
fn run_truncated_wasm_is_invalid_module_with_the_validators_message() {
    let dir = workdir();
    let wasm = wat::parse_str(include_str!("../../examples/token.wat")).expect("token");
    std::fs::write(dir.path().join("cut.wasm"), &wasm[..wasm.len() - 7]).expect("write");
    let p = tx_with(&dir, "cut.json", |v| v["module"] = serde_json::json!("cut.wasm"));
    tsvm()
        .arg("run")
        .arg(&p)
        .assert()
        .code(6)
        .stdout(contains("invalid_module"))
        .stderr(contains("fails the determinism profile").and(contains("malformed")).and(no_panic()));
    write(&dir, "bad.wat", "(module (func");
    let tx = tx_with(&dir, "badwat.json", |v| v["module"] = serde_json::json!("bad.wat"));
    tsvm().arg("run").arg(&tx).assert().code(6).stderr(contains("bad.wat"));
}

// ---- replay ----

#[test]
fn replay_directory_in_parallel_with_summary() {
    let dir = TempDir::new().expect("dir");
    let bundles = dir.path().join("bundles");
    tsvm().args(["gen-bundles", "--count", "12", "--out"]).arg(&bundles).assert().code(0);
    tsvm().args(["gen-bundles", "--count", "3", "--borsh", "--out"]).arg(&bundles).assert().code(0);
    let out = tsvm().args(["replay", "--json", "--jobs", "2"]).arg(&bundles).output().expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let v = stdout_json(&out);
    assert_eq!(v["summary"]["bundles"], 15);
    assert_eq!(v["summary"]["matched"], 15);
    assert_eq!(v["summary"]["jobs"], 2);
    assert!(v["summary"]["tx_per_sec"].as_f64().is_some_and(|t| t > 0.0), "{v}");
    tsvm()
        .args(["replay", "-j", "1"])
        .arg(&bundles)
        .assert()
        .code(0)
        .stdout(contains("15 bundles: 15 matched, 0 diverged, 0 failed").and(contains("tx/s, 1 job)")));
    // A list file, relative to its own directory.
    let list = dir.path().join("list.txt");
    std::fs::write(&list, "# two bundles\nbundles/tx-000000.json\n\nbundles/tx-000001.bundle\n")
        .expect("list");
    tsvm().arg("replay").arg("--list").arg(&list).assert().code(0).stdout(contains("2 bundles: 2 matched"));
}

#[test]
fn replay_divergence_shows_both_values() {
    let dir = workdir();
    let p = bundle_with(&dir, "div.json", |v| v["expected"]["gas_used"] = serde_json::json!(210359));
    tsvm()
        .args(["replay"])
        .arg(&p)
        .arg("examples/transfer.bundle.json")
        .assert()
        .code(1)
        .stdout(
            contains("div.json: DIVERGED")
                .and(contains("gas_used: expected 210359"))
                .and(contains("got      210360"))
                .and(contains("1 matched, 1 diverged, 0 failed")),
        )
        .stderr(contains("1 of 2 bundles diverged"));
}

#[test]
fn replay_rules_mismatch_is_its_own_code() {
    let dir = workdir();
    let other = format!("0x{}", "00".repeat(32));
    let p = bundle_with(&dir, "rules.json", |v| v["rules_hash"] = serde_json::json!(other));
    tsvm().arg("replay").arg(&p).assert().code(7).stdout(contains("rules mismatch").and(contains(&other)));
}

#[test]
fn replay_malformed_bundles() {
    let dir = workdir();
    // Bad JSON, wrong types, unknown version, truncated borsh, missing file.
    let bad = write(&dir, "bad.json", "{ \"format_version\": 1, ");
    tsvm().arg("replay").arg(&bad).assert().code(3).stdout(contains("bad.json: invalid JSON input"));
    let typed = bundle_with(&dir, "typed.json", |v| v["gas_limit"] = serde_json::json!(-1));
    tsvm().arg("replay").arg(&typed).assert().code(3).stdout(contains("field `gas_limit`"));
    let v2 = bundle_with(&dir, "v2.json", |v| v["format_version"] = serde_json::json!(2));
    tsvm().arg("replay").arg(&v2).assert().code(3).stdout(contains("unsupported bundle format version 2"));
    let out = tsvm().args(["inspect", "--json", "examples/transfer.bundle.json"]).output().expect("runs");
    assert_eq!(out.status.code(), Some(0));
    let b = dir.path().join("b.bundle");
    tsvm().args(["run", "examples/transfer.json", "--bundle"]).arg(&b).assert().code(0);
    let bytes = std::fs::read(&b).expect("read");
    std::fs::write(&b, &bytes[..bytes.len() - 10]).expect("truncate");
    tsvm()
        .arg("replay")
        .arg(&b)
        .assert()
        .code(3)
        .stdout(contains("malformed borsh bundle"))
        .stderr(no_panic());
    tsvm().args(["replay", "nope.bundle"]).assert().code(4).stdout(contains("cannot read nope.bundle"));
    tsvm().args(["replay", "--list", "nope.txt"]).assert().code(4);
    tsvm().args(["replay"]).assert().code(2).stderr(contains("no bundles"));
}

#[test]
fn replay_host_failure_is_exit_5() {
    // A witness balance that is not a 16-byte amount: the VM's state view fails.
    let dir = workdir();
    let p = bundle_with(&dir, "bad-witness.json", |v| {
        for e in v["witness"]["entries"].as_array_mut().expect("entries") {
            if e["key"]["kind"] == "balance" {
                e["value"] = serde_json::json!("0x01");
            }
        }
    });
    tsvm().arg("replay").arg(&p).assert().code(5).stdout(contains("not a 16-byte amount"));
}

/// An archive (`spec/bundle.md#bundle-archives`) of `bundles`, each given in its canonical form.
fn archive_of(bundles: &[Vec<u8>]) -> Vec<u8> {
    let mut writer = abi::ArchiveWriter::new(Vec::new(), bundles.len() as u32).expect("header");
    for b in bundles {
        writer.push_encoded(b).expect("pushed");
    }
    writer.finish().expect("finished")
}

/// The shipped bundle in its canonical form, with `edit` applied to its JSON first.
fn canonical_bundle_with(edit: impl FnOnce(&mut serde_json::Value)) -> Vec<u8> {
    let text = std::fs::read_to_string(root().join("examples/transfer.bundle.json")).expect("read");
    let mut v: serde_json::Value = serde_json::from_str(&text).expect("json");
    edit(&mut v);
    let bundle: abi::Bundle = serde_json::from_value(v).expect("a bundle");
    borsh::to_vec(&bundle).expect("borsh")
}

#[test]
fn replay_archives_bundle_by_bundle_in_input_order() {
    let dir = TempDir::new().expect("dir");
    let archive = dir.path().join("a.bundles");
    tsvm().args(["gen-bundles", "--count", "5", "--archive", "--out"]).arg(&archive).assert().code(0);
    let files = dir.path().join("files");
    tsvm().args(["gen-bundles", "--count", "2", "--borsh", "--out"]).arg(&files).assert().code(0);
    // The same archive under a name that does not say so: told by its first bytes.
    let renamed = dir.path().join("a.bin");
    std::fs::copy(&archive, &renamed).expect("copy");
    let out =
        tsvm().args(["replay", "--json", "--jobs", "2"]).arg(&files).arg(&archive).arg(&renamed).output();
    let out = out.expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    let v = stdout_json(&out);
    assert_eq!((v["summary"]["bundles"].clone(), v["summary"]["matched"].clone()), (12.into(), 12.into()));
    let names: Vec<String> = v["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            let p = PathBuf::from(r["path"].as_str().expect("a path"));
            p.file_name().expect("a name").to_string_lossy().into_owned()
        })
        .collect();
    let expected: Vec<String> = ["tx-000000.bundle", "tx-000001.bundle"]
        .into_iter()
        .map(String::from)
        .chain((0..5).map(|i| format!("a.bundles#{i}")))
        .chain((0..5).map(|i| format!("a.bin#{i}")))
        .collect();
    assert_eq!(names, expected);
    // A directory holds archives as `*.bundles`.
    std::fs::rename(&archive, files.join("z.bundles")).expect("moved");
    tsvm().args(["replay", "-j", "1"]).arg(&files).assert().code(0).stdout(contains("7 bundles: 7 matched"));
}

#[test]
fn replay_damaged_archives_reports_each_bundle_and_where_the_archive_broke() {
    let dir = TempDir::new().expect("dir");
    let good = canonical_bundle_with(|_| {});
    let diverging = canonical_bundle_with(|v| v["expected"]["gas_used"] = serde_json::json!(1));
    let put = |name: &str, bytes: &[u8]| {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).expect("written");
        p
    };
    // A bundle that does not decode and one that diverges: each is its own result, the rest match.
    let mixed =
        put("mixed.bundles", &archive_of(&[good.clone(), vec![1, 0, 0, 0, 9], diverging, good.clone()]));
    tsvm()
        .arg("replay")
        .arg(&mixed)
        .assert()
        .code(3)
        .stdout(
            contains("mixed.bundles#1: FAILED")
                .and(contains("mixed.bundles#1: malformed borsh bundle"))
                .and(contains("mixed.bundles#2: DIVERGED"))
                .and(contains("4 bundles: 2 matched, 1 diverged, 1 failed")),
        )
        .stderr(no_panic());
    // Cut inside the third bundle: the two before it replay, the archive's failure names the third.
    let whole = archive_of(&[good.clone(), good.clone(), good.clone()]);
    let cut = put("cut.bundles", &whole[..whole.len() - 7]);
    tsvm().arg("replay").arg(&cut).assert().code(3).stdout(
        contains("cut.bundles#2: FAILED")
            .and(contains("truncated: the archive ends in bundle 2 of the 3 its header declares"))
            .and(contains("3 bundles: 2 matched, 0 diverged, 1 failed")),
    );
    // Bytes after the last bundle: every bundle replays, the archive is named.
    let padded = put("padded.bundles", &[&whole[..], b"x"].concat());
    tsvm().arg("replay").arg(&padded).assert().code(3).stdout(
        contains("padded.bundles: FAILED")
            .and(contains("bytes follow the last of the 3 bundles"))
            .and(contains("4 bundles: 3 matched, 0 diverged, 1 failed")),
    );
    let mut v2 = whole.clone();
    v2[8] = 2;
    let v2 = put("v2.bundles", &v2);
    tsvm()
        .arg("replay")
        .arg(&v2)
        .assert()
        .code(3)
        .stdout(contains("bundle archive format version 2 (this tsvm reads version 1)"));
    // A length above the bundle-file limit is refused before anything is read for it.
    let mut huge = archive_of(&[]);
    huge[12] = 1;
    huge.extend(u32::MAX.to_le_bytes());
    let huge = put("huge.bundles", &huge);
    tsvm().arg("replay").arg(&huge).assert().code(3).stdout(
        contains("huge.bundles#0: FAILED")
            .and(contains("bundle 0 is 4294967295 bytes, above the 67108864-byte limit")),
    );
    // An archive named as a single bundle is told for what it is.
    let misnamed = put("misnamed.bundle", &whole);
    tsvm()
        .arg("replay")
        .arg(&misnamed)
        .assert()
        .code(3)
        .stdout(contains("a bundle archive of 3 bundles, not a single bundle: `tsvm replay` reads it whole"));
    // An empty archive replays nothing and succeeds.
    let empty = put("empty.bundles", &archive_of(&[]));
    tsvm().arg("replay").arg(&empty).assert().code(0).stdout(contains("0 bundles: 0 matched"));
}

#[test]
fn one_bundle_of_an_archive_is_named_file_hash_index() {
    let dir = TempDir::new().expect("dir");
    let archive = dir.path().join("a.bundles");
    tsvm().args(["gen-bundles", "--count", "3", "--archive", "--out"]).arg(&archive).assert().code(0);
    let entry = format!("{}#2", archive.display());
    let out = tsvm().args(["inspect", "--json", &entry]).output().expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let shown = stdout_json(&out);
    // The third bundle: its context's height is 7 + 2 (`gen-bundles`).
    assert_eq!(shown["context"]["height"], 9, "{shown}");
    // Written back as a file, it replays as the archive's bundle does.
    let single = dir.path().join("third.json");
    std::fs::write(&single, &out.stdout).expect("written");
    tsvm().arg("replay").arg(&single).assert().code(0).stdout(contains("matched"));
    tsvm()
        .args(["inspect", &format!("{}#3", archive.display())])
        .assert()
        .code(3)
        .stderr(contains("the bundle archive holds 3 bundles (numbered from 0): there is no bundle 3"));
    // A file whose whole name has the `#` is that file.
    let hashed = dir.path().join("b.bundles#0");
    std::fs::copy(root().join("examples/transfer.bundle.json"), &hashed).expect("copy");
    tsvm().arg("replay").arg(&hashed).assert().code(0).stdout(contains("matched"));
}

// ---- diff ----

#[test]
fn diff_traces_and_receipts() {
    let dir = workdir();
    let p = |n: &str| dir.path().join(n);
    tsvm().args(["run", "examples/transfer.json", "--trace-out"]).arg(p("a.json")).assert().code(0);
    let mut t: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(p("a.json")).expect("read")).expect("json");
    let events = t["events"].as_array_mut().expect("events");
    let i = events.iter().position(|e| e["event"] == "host_call").expect("a host call");
    events[i]["gas_left"] = serde_json::json!(events[i]["gas_left"].as_u64().expect("gas") + 1);
    std::fs::write(p("b.json"), t.to_string()).expect("write");
    tsvm().arg("diff").arg(p("a.json")).arg(p("b.json")).assert().code(1).stdout(
        contains(format!("first divergent event: #{i}")).and(contains("left ")).and(contains("right ")),
    );
    let out = tsvm().arg("diff").arg("--json").arg(p("a.json")).arg(p("b.json")).output().expect("runs");
    assert_eq!(stdout_json(&out)["first_divergent_event"]["index"], i);

    // Receipts: the fields that differ, with both values.
    for (name, gas) in [("r1.json", "1000000"), ("r2.json", "100")] {
        let out = tsvm()
            .args(["run", "examples/transfer.json", "--json", "--gas-limit", gas])
            .output()
            .expect("runs");
        std::fs::write(p(name), &out.stdout).expect("write");
    }
    tsvm()
        .arg("diff")
        .arg(p("r1.json"))
        .arg(p("r2.json"))
        .assert()
        .code(1)
        .stdout(contains("status:\n  left  \"success\"\n  right \"out_of_gas\""));
    // A bundle compares as its expected receipt.
    tsvm().arg("diff").arg("examples/transfer.bundle.json").arg(p("r1.json")).assert().code(0);
    // Mixed kinds: a usage error.
    tsvm()
        .arg("diff")
        .arg(p("a.json"))
        .arg(p("r1.json"))
        .assert()
        .code(2)
        .stderr(contains("cannot compare a trace file"));
}

#[test]
fn unknown_or_missing_kind_is_invalid_input() {
    let dir = workdir();
    let p = write(&dir, "what.json", "{\"kind\": \"poem\"}");
    tsvm().arg("inspect").arg(&p).assert().code(3).stderr(contains("unknown artefact kind \"poem\""));
    let p = write(&dir, "none.json", "{\"status\": \"success\"}");
    tsvm().arg("inspect").arg(&p).assert().code(3).stderr(contains("needs a `kind` field"));
    let p = write(&dir, "short.bin", "ab");
    tsvm().arg("inspect").arg(&p).assert().code(3).stderr(contains("too short"));
    let p = write(&dir, "cps.json", "{\"kind\": \"checkpoints\", \"interval\": \"10\", \"checkpoints\": []}");
    tsvm().arg("inspect").arg(&p).assert().code(3).stderr(contains("field `interval`").and(no_panic()));
}

// ---- bisect ----

#[test]
fn bisect_needs_a_trace_or_checkpoints() {
    // (Divergent checkpoint windows: cli/tests/disputes.rs.)
    let dir = workdir();
    let p = |n: &str| dir.path().join(n);
    // A receipt without a trace cannot be bisected against.
    let out = tsvm().args(["run", "examples/transfer.json", "--json"]).output().expect("runs");
    std::fs::write(p("r.json"), &out.stdout).expect("write");
    tsvm()
        .args(["bisect", "examples/transfer.bundle.json", "--against"])
        .arg(p("r.json"))
        .assert()
        .code(2)
        .stderr(contains("found a receipt without a trace"));
}

// ---- the README documents what the binary does ----

#[test]
fn readme_documents_every_exit_code_and_the_replay_command() {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README");
    assert!(readme.contains("cargo run --release -p tsvm-cli -- replay examples/transfer.bundle.json"));
    let table = readme.split("### Exit codes").nth(1).expect("an exit-code section");
    let documented: Vec<u8> = table
        .lines()
        .skip_while(|l| !l.starts_with("| code"))
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .map(|l| l.trim_start_matches('|').split('|').next().unwrap_or("").trim().parse().expect("a code"))
        .collect();
    use tsvm_cli::exit::*;
    let codes = [OK, DIVERGED, USAGE, INVALID_INPUT, IO, HOST_FAILURE, INVALID_MODULE, RULES_MISMATCH];
    assert_eq!(documented, codes.to_vec());
}

/// The README's first command, `cargo run --release -p tsvm-cli -- replay ...`, needs the package
/// to say which of its binaries `cargo run` starts (it has two: `tsvm` and `tsvm-xarch`).
#[test]
fn readme_first_command_runs_the_tsvm_binary() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let block = readme.split("```sh").nth(1).and_then(|b| b.split("```").next()).expect("a first sh block");
    let run = block.lines().find(|l| l.starts_with("cargo run")).expect("a cargo run command");
    assert!(run.contains("-p tsvm-cli --"), "{run}");
    let manifest = std::fs::read_to_string(root().join("cli/Cargo.toml")).unwrap();
    assert!(manifest.contains("default-run = \"tsvm\""), "cli/Cargo.toml must name tsvm as default-run");
}
