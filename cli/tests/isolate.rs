//! `--isolate` and `tsvm executor check` (`spec/executor.md`): the example transaction run and its
//! bundle replayed in a sandboxed worker give the output of the in-process run; a missing worker is
//! a host failure naming where it was looked for. The worker is the `tsvm-worker` that
//! `cargo test --workspace` builds next to `tsvm`.

mod common;

use common::{root, tsvm};
use predicates::str::contains;

fn worker_built() {
    let dir = assert_cmd::cargo::cargo_bin("tsvm");
    let worker = dir.with_file_name("tsvm-worker");
    assert!(
        worker.is_file(),
        "{} missing: run `cargo test --workspace` (or build -p tsvm-executor)",
        worker.display()
    );
}

#[test]
fn run_isolate_prints_what_the_in_process_run_prints() {
    worker_built();
    for args in [vec!["--json"], vec![], vec!["--trace", "full"]] {
        let tx = root().join("examples/transfer.json");
        let here = tsvm().arg("run").arg(&tx).args(&args).assert().success().get_output().stdout.clone();
        let there = tsvm()
            .arg("run")
            .arg(&tx)
            .args(&args)
            .arg("--isolate")
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        assert_eq!(String::from_utf8_lossy(&there), String::from_utf8_lossy(&here), "{args:?}");
    }
}

#[test]
fn replay_isolate_matches_the_bundle() {
    worker_built();
    tsvm()
        .args(["replay", "--isolate", "--jobs", "2"])
        .arg(root().join("examples/transfer.bundle.json"))
        .assert()
        .success()
        .stdout(contains("1 matched, 0 diverged, 0 failed"));
    // A bundle archive's bundles go to the workers one by one, as files do.
    let dir = tempfile::TempDir::new().expect("dir");
    let archive = dir.path().join("a.bundles");
    tsvm().args(["gen-bundles", "--count", "6", "--archive", "--out"]).arg(&archive).assert().success();
    tsvm()
        .args(["replay", "--isolate", "--jobs", "2"])
        .arg(&archive)
        .assert()
        .success()
        .stdout(contains("6 bundles: 6 matched, 0 diverged, 0 failed"));
}

#[test]
fn executor_check_lists_every_layer() {
    worker_built();
    let out = tsvm().args(["executor", "check", "--json"]).output().unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<&str> =
        report["layers"].as_array().unwrap().iter().map(|l| l["layer"].as_str().unwrap()).collect();
    assert_eq!(names, ["namespaces", "landlock", "rlimits", "no_new_privs", "seccomp"]);
    // Exit 0 only when every layer is active; a machine without one reports it and exits 5.
    let all = report["all_active"].as_bool().unwrap();
    assert_eq!(out.status.code(), Some(if all { 0 } else { 5 }));
    if !all {
        let text = tsvm().args(["executor", "check"]).output().unwrap();
        assert!(String::from_utf8_lossy(&text.stdout).contains("NOT AVAILABLE"));
    }
}

#[test]
fn a_missing_worker_is_a_host_failure_naming_it() {
    tsvm()
        .args(["run", "--isolate"])
        .arg(root().join("examples/transfer.json"))
        .env("TSVM_WORKER", "/nonexistent/tsvm-worker")
        .assert()
        .code(5)
        .stderr(contains("/nonexistent/tsvm-worker"));
}

/// Without a `tsvm-worker` anywhere near it (a `tsvm` copied alone into a directory, as after
/// `cargo run -p tsvm-cli`), `--isolate` starts the `tsvm` binary itself as the worker
/// (`spec/executor.md#worker`): every layer active, the in-process output.
#[test]
fn without_a_worker_binary_tsvm_stands_in_for_it() {
    let alone = tempfile::TempDir::new().expect("tempdir");
    let copy = alone.path().join("tsvm");
    std::fs::copy(assert_cmd::cargo::cargo_bin("tsvm"), &copy).expect("copy tsvm");
    let tx = root().join("examples/transfer.json");
    let here = tsvm().arg("run").arg(&tx).arg("--json").assert().success().get_output().stdout.clone();
    let run = |args: &[&str]| {
        std::process::Command::new(&copy)
            .args(args)
            .current_dir(root())
            .env_remove("TSVM_WORKER")
            .env_remove("RUST_LOG")
            .output()
            .expect("runs")
    };
    let there = run(&["run", "--isolate", "--json", tx.to_str().expect("utf-8 path")]);
    assert!(there.status.success(), "{}", String::from_utf8_lossy(&there.stderr));
    assert_eq!(String::from_utf8_lossy(&there.stdout), String::from_utf8_lossy(&here));
    let check = run(&["executor", "check"]);
    let text = String::from_utf8_lossy(&check.stdout);
    assert!(text.contains(&format!("worker {}", copy.display())), "{text}");
    // Every layer this machine offers is applied by the stand-in as by tsvm-worker.
    let worker_check = tsvm().args(["executor", "check"]).output().expect("runs");
    assert_eq!(check.status.code(), worker_check.status.code(), "{text}");
}
