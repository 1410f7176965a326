//! End-to-end tests of the `tsvm` binary's bounds and failure reports: non-regular input files are
//! read at most to the 64 MiB limit, and a failed receipt shows its fault (trap kind, limit or
//! argument) with where it happened.

mod common;

use common::{root, tsvm};
use predicates::prelude::*;
use predicates::str::contains;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

const TOO_BIG: &str = "is more than 67108864 bytes, above the 67108864-byte limit for input files";

/// The example transfer, copied into `dir` with `module` and `state` replaced.
fn tx_pointing_at(dir: &TempDir, module: &Path, state: &Path) -> PathBuf {
    let text = std::fs::read_to_string(root().join("examples/transfer.json")).expect("read");
    let mut v: serde_json::Value = serde_json::from_str(&text).expect("json");
    v["module"] = serde_json::json!(module);
    v["state"] = serde_json::json!(state);
    let p = dir.path().join("tx.json");
    std::fs::write(&p, serde_json::to_string(&v).expect("encode")).expect("write");
    p
}

#[test]
fn dev_zero_is_refused_at_the_limit_by_every_command() {
    let zero = Path::new("/dev/zero");
    let dir = TempDir::new().expect("temp dir");
    let state = root().join("examples/state.json");
    let module = root().join("examples/token.wat");
    let runs: Vec<Vec<std::ffi::OsString>> = vec![
        vec!["run".into(), tx_pointing_at(&dir, zero, &state).into()],
        vec!["run".into(), tx_pointing_at(&dir, &module, zero).into()],
        vec!["run".into(), zero.into()],
        vec!["validate".into(), zero.into()],
        vec!["inspect".into(), zero.into()],
        vec!["replay".into(), zero.into()],
    ];
    for args in runs {
        tsvm()
            .args(&args)
            .assert()
            .code(3)
            .stderr(contains("/dev/zero").and(contains(TOO_BIG)).and(contains("panicked").not()));
    }
}

#[test]
fn an_endless_fifo_is_refused_at_the_limit() {
    let dir = TempDir::new().expect("temp dir");
    let fifo = dir.path().join("endless.wasm");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status().expect("mkfifo runs");
    assert!(made.success());
    // A writer that never stops: it ends when the reader closes the pipe (EPIPE).
    let writer_path = fifo.clone();
    let writer = std::thread::spawn(move || {
        use std::io::Write as _;
        let Ok(mut f) = std::fs::OpenOptions::new().write(true).open(&writer_path) else { return 0u64 };
        let chunk = vec![0u8; 1 << 16];
        let mut written = 0u64;
        while f.write_all(&chunk).is_ok() {
            written += chunk.len() as u64;
        }
        written
    });
    tsvm().arg("validate").arg(&fifo).assert().code(3).stderr(contains(TOO_BIG));
    let written = writer.join().expect("writer");
    // The reader stopped after the limit (plus what the pipe buffers), not at the writer's end.
    assert!(written <= 64 * 1024 * 1024 + 2 * 1024 * 1024, "{written} bytes were written");
}

/// A transaction running `method_t` of a one-function module with `body`.
fn method_tx(dir: &TempDir, body: &str) -> PathBuf {
    let wat = format!(
        r#"(module
             (import "tsvm" "log" (func $log (param i32 i32 i32)))
             (import "tsvm" "storage_write" (func $storage_write (param i32 i32 i32 i32)))
             (memory (export "memory") 1)
             (func (export "method_t") {body}))"#
    );
    let module = dir.path().join("m.wat");
    std::fs::write(&module, wat).expect("write");
    let text = std::fs::read_to_string(root().join("examples/transfer.json")).expect("read");
    let mut v: serde_json::Value = serde_json::from_str(&text).expect("json");
    v["module"] = serde_json::json!(module);
    v["state"] = serde_json::json!(root().join("examples/state.json"));
    v["call"] = serde_json::json!({"kind": "method", "name": "t", "args": "0x"});
    let p = dir.path().join("m.json");
    std::fs::write(&p, serde_json::to_string(&v).expect("encode")).expect("write");
    p
}

#[test]
fn a_trap_shows_its_kind_and_where() {
    let dir = TempDir::new().expect("temp dir");
    let tx = method_tx(&dir, "(drop (i32.div_u (i32.const 1) (i32.const 0)))");
    tsvm()
        .arg("run")
        .arg(&tx)
        .assert()
        .code(0)
        .stdout(contains("status        trap (3): integer_division_by_zero (2), integer division by zero\n"));
    tsvm().arg("run").arg(&tx).args(["--trace", "full"]).assert().code(0).stdout(
        contains("end trap (3): integer_division_by_zero (2), integer division by zero, gas used")
            .and(contains("\n  in entry method_t\n")),
    );
    let out = tsvm().arg("run").arg(&tx).arg("--json").output().expect("runs");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(json["receipt"]["fault"], serde_json::json!({"trap": "integer_division_by_zero"}));
}

#[test]
fn a_limit_or_argument_at_fault_is_named_with_its_host_call() {
    let dir = TempDir::new().expect("temp dir");
    let tx =
        method_tx(&dir, "(call $storage_write (i32.const 0) (i32.const 257) (i32.const 0) (i32.const 1))");
    tsvm().arg("run").arg(&tx).args(["--trace", "full"]).assert().code(0).stdout(
        contains("status        limit_exceeded (7): max_key_len (1), storage key longer than max_key_len\n")
            .and(contains("\n  at host call storage_write in entry method_t\n")),
    );
    let tx = method_tx(&dir, "(call $log (i32.const 9) (i32.const 0) (i32.const 1))");
    tsvm().arg("run").arg(&tx).args(["--trace", "full"]).assert().code(0).stdout(
        contains("end invalid_argument (15): log_level (1), log level is not 0-3")
            .and(contains("\n  at host call log in entry method_t\n")),
    );
}

#[test]
fn run_trace_full_is_cut_at_its_event_bound() {
    let dir = TempDir::new().expect("temp dir");
    // The example transfer's full trace has more than 5 events.
    let all = tsvm().args(["run", "examples/transfer.json", "--trace", "full"]).output().expect("runs");
    let all = String::from_utf8(all.stdout).expect("utf8");
    assert!(all.contains("\nend success (0)"), "{all}");
    tsvm()
        .args(["run", "examples/transfer.json", "--trace", "full", "--trace-events", "5"])
        .assert()
        .code(0)
        .stdout(
            contains("... trace cut after its first 5 events (--trace-events): the receipt, and its trace hash, cover the whole execution\nstatus        success (0)")
                .and(contains("\nend ").not()),
        );
    // The receipt is the same whatever the bound.
    let receipt = |extra: &[&str]| {
        let out =
            tsvm().args(["run", "examples/transfer.json", "--json"]).args(extra).output().expect("runs");
        serde_json::from_slice::<serde_json::Value>(&out.stdout).expect("json")["receipt"].clone()
    };
    assert_eq!(receipt(&[]), receipt(&["--trace-events", "5", "--trace", "hash"]));
    // A cut trace is never written as a trace file, nor as --json's trace.
    let out = dir.path().join("t.json");
    tsvm()
        .args(["run", "examples/transfer.json", "--trace-events", "5", "--trace-out"])
        .arg(&out)
        .assert()
        .code(3)
        .stderr(contains("trace cut after its first 5 events").and(contains("not written as a trace")));
    assert!(!out.exists());
    tsvm()
        .args(["run", "examples/transfer.json", "--trace", "full", "--json", "--trace-events", "5"])
        .assert()
        .code(3);
    tsvm().args(["run", "examples/transfer.json", "--trace-events", "0"]).assert().code(2);
}

#[test]
fn a_divergent_replay_shows_how_its_full_trace_ends() {
    let dir = TempDir::new().expect("temp dir");
    let text = std::fs::read_to_string(root().join("examples/transfer.bundle.json")).expect("read");
    let mut v: serde_json::Value = serde_json::from_str(&text).expect("json");
    let gas = v["expected"]["gas_used"].as_u64().expect("recorded gas");
    v["expected"]["gas_used"] = serde_json::json!(gas - 1);
    let p = dir.path().join("div.json");
    std::fs::write(&p, serde_json::to_string(&v).expect("encode")).expect("write");
    tsvm().arg("replay").arg(&p).assert().code(1).stdout(
        contains(format!("gas_used: expected {}", gas - 1))
            .and(contains("  the replay's trace ends:\n"))
            .and(contains(format!("\n    end success (0), gas used {gas},"))),
    );
    // A matching bundle prints no trace.
    tsvm()
        .args(["replay", "examples/transfer.bundle.json"])
        .assert()
        .code(0)
        .stdout(contains("trace ends").not());
}

#[test]
fn amounts_and_hex_have_one_textual_form() {
    let dir = TempDir::new().expect("temp dir");
    let text = std::fs::read_to_string(root().join("examples/transfer.json")).expect("read");
    let base: serde_json::Value = serde_json::from_str(&text).expect("json");
    let to = base["call"]["operation"]["to"].as_str().expect("to").to_string();
    let cases = [
        ("/call/operation/amount", serde_json::json!("+100"), "decimal digits only"),
        ("/call/operation/amount", serde_json::json!("0100"), "leading zero"),
        ("/call/operation/to", serde_json::json!(to.trim_start_matches("0x")), "must start with 0x"),
        ("/call/operation/to", serde_json::json!(to.replacen("0x", "0X", 1)), "must start with 0x"),
        ("/call/operation/to", serde_json::json!(format!("0x{}", "AB".repeat(32))), "uppercase hex digit"),
    ];
    for (pointer, value, why) in cases {
        let mut v = base.clone();
        *v.pointer_mut(pointer).expect("field") = value;
        v["module"] = serde_json::json!(root().join("examples/token.wat"));
        v["state"] = serde_json::json!(root().join("examples/state.json"));
        let p = dir.path().join("tx.json");
        std::fs::write(&p, serde_json::to_string(&v).expect("encode")).expect("write");
        tsvm().arg("run").arg(&p).assert().code(3).stderr(contains(why).and(contains("field `call")));
    }
}

#[test]
fn trace_events_bound_holds_at_the_trace_length_and_cuts_one_below() {
    let out =
        tsvm().args(["run", "examples/transfer.json", "--json", "--trace", "full"]).output().expect("runs");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let n = json["trace"]["events"].as_array().expect("events").len();
    let at = n.to_string();
    tsvm()
        .args(["run", "examples/transfer.json", "--trace", "full", "--trace-events", &at])
        .assert()
        .code(0)
        .stdout(contains("\nend success (0)").and(contains("trace cut").not()));
    let below = (n - 1).to_string();
    tsvm()
        .args(["run", "examples/transfer.json", "--trace", "full", "--trace-events", &below])
        .assert()
        .code(0)
        .stdout(contains(format!("trace cut after its first {below} events")).and(contains("\nend ").not()));
}
