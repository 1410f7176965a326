//! Signals from outside (issue 12's timeout and crash coverage): a worker stopped with SIGSTOP is
//! killed within its wall budget, one killed with SIGKILL mid-execution is an `Err`; both retried,
//! nothing applied, the pool healthy after. One test in its own binary, so the signals reach no
//! other test's workers.

mod common;
use common::*;
use std::time::{Duration, Instant};
use tsvm_executor::{Executor, FailureKind, Fault, Pool};
use vm::ExecOptions;

#[test]
fn stopped_and_killed_workers() {
    a_worker_stopped_with_sigstop_is_killed_and_nothing_is_applied();
    a_worker_killed_mid_execution_is_an_err();
}

fn a_worker_stopped_with_sigstop_is_killed_and_nothing_is_applied() {
    let mut c = config(1);
    c.wall_budget = Duration::from_millis(800);
    let pool = Pool::new(c).unwrap();
    let b = bundle();
    let (tx, state) = tx_and_state(&b);
    let stopped = children_named(std::process::id(), "tsvm-worker");
    assert_eq!(stopped.len(), 1);
    signal("-STOP", stopped[0]);
    let start = Instant::now();
    // The stopped worker times out and is killed; the retry on a fresh worker gives the receipt.
    let exec = pool.run(&state, &tx, &ExecOptions::default()).unwrap();
    assert!(start.elapsed() >= Duration::from_millis(800));
    assert_eq!(exec.receipt, b.expected);
    assert_eq!(pool.incidents(), vec![FailureKind::Timeout]);
    assert!(!children_named(std::process::id(), "tsvm-worker").contains(&stopped[0]), "killed and reaped");
    // An idle worker killed from outside: the next execution finds it dead and retries.
    let victim = children_named(std::process::id(), "tsvm-worker");
    signal("-KILL", victim[0]);
    std::thread::sleep(Duration::from_millis(50));
    assert_eq!(pool.run(&state, &tx, &ExecOptions::default()).unwrap().receipt, b.expected);
    let incidents = pool.incidents();
    assert!(matches!(incidents[..], [FailureKind::Died { signal: Some(9), .. }]), "{incidents:?}");
}

fn signal(sig: &str, pid: u32) {
    assert!(std::process::Command::new("kill").args([sig, &pid.to_string()]).status().unwrap().success());
}

/// Live child processes of `parent` whose command name is `name`.
fn children_named(parent: u32, name: &str) -> Vec<u32> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else { continue };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else { continue };
        let Some((head, rest)) = stat.rsplit_once(')') else { continue };
        let comm = head.split_once('(').map_or("", |(_, c)| c);
        let fields: Vec<&str> = rest.split_whitespace().collect();
        if comm == name && fields.get(1) == Some(&parent.to_string().as_str()) {
            out.push(pid);
        }
    }
    out
}

fn a_worker_killed_mid_execution_is_an_err() {
    let pool = fault_pool(1);
    let b = bundle();
    let (tx, state) = tx_and_state(&b);
    let killer = std::thread::spawn(move || {
        let me = std::process::id();
        let deadline = Instant::now() + Duration::from_secs(4);
        let mut killed = 0;
        while Instant::now() < deadline && killed < 2 {
            for pid in children_named(me, "tsvm-worker") {
                if std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| s.contains(") R ")) {
                    let _ = std::process::Command::new("kill").args(["-KILL", &pid.to_string()]).status();
                    killed += 1;
                }
            }
        }
    });
    // Spinning workers are running when the killer looks; it kills both attempts.
    let err =
        pool.execute_with_fault(&state, &tx, &ExecOptions::default(), Some(Fault::Spin)).expect_err("killed");
    killer.join().unwrap();
    assert!(
        matches!(err.kind, FailureKind::Died { signal: Some(9), .. } | FailureKind::Timeout),
        "{:?}",
        err.kind
    );
    assert_eq!(pool.run(&state, &tx, &ExecOptions::default()).unwrap().receipt, b.expected);
}
