//! The regression coverage of issue 12 (`spec/executor.md#failures`): a worker that stalls, crashes,
//! sends malformed or invalid output, or tries to escape its sandbox yields `Err` with its own
//! failure kind, never a receipt; the pool retries once on a fresh worker and stays healthy.

mod common;
use common::*;
use std::time::{Duration, Instant};
use tsvm_executor::{Executor, FailureClass, FailureKind, Fault, Layer, Pool, SIGSYS};
use vm::{ExecOptions, Rules, Vm};

/// Runs the example with `fault`, then checks the pool still gives the right execution.
fn failing(pool: &Pool, fault: Fault) -> tsvm_executor::ExecutorFailure {
    let b = bundle();
    let (tx, state) = tx_and_state(&b);
    let opts = ExecOptions::default();
    let err = pool.execute_with_fault(&state, &tx, &opts, Some(fault)).expect_err("no receipt");
    let healthy = pool.run(&state, &tx, &opts).expect("the pool recovers");
    assert_eq!(healthy.receipt, b.expected);
    err
}

#[test]
fn malformed_output_is_refused_with_its_own_kind() {
    let pool = fault_pool(1);
    for (fault, kind) in [
        (Fault::Garbage, FailureKind::Garbage),
        (Fault::Oversized, FailureKind::Oversized),
        (Fault::Truncated, FailureKind::Truncated),
        (Fault::WrongDiffHash, FailureKind::DiffHash),
        (Fault::WrongReceiptHash, FailureKind::ReceiptHash),
        (Fault::ForeignDiff, FailureKind::ForeignKey),
        (Fault::WrongWitness, FailureKind::Witness),
    ] {
        let err = failing(&pool, fault);
        assert_eq!(err.kind, kind, "{fault:?}");
        assert_eq!(err.kind.class(), FailureClass::Internal);
        assert_eq!((err.attempts, err.first.as_ref()), (2, Some(&kind)), "retried once on a fresh worker");
    }
}

#[test]
fn a_spinning_or_stopped_worker_is_killed_within_its_budget() {
    let pool = fault_pool(1);
    for fault in [Fault::Spin, Fault::Block, Fault::Stall] {
        let start = Instant::now();
        let err = failing(&pool, fault);
        assert_eq!(err.kind, FailureKind::Timeout, "{fault:?}");
        assert_eq!(err.kind.class(), FailureClass::Ambiguous);
        // Two attempts, each bounded by the wall budget (1.5 s) plus one polling slice.
        assert!(start.elapsed() < Duration::from_secs(10), "{:?}", start.elapsed());
    }
}

#[test]
fn a_crashing_worker_is_an_err_retried_and_replaced() {
    let pool = fault_pool(2);
    let err = failing(&pool, Fault::Abort);
    assert_eq!(err.kind, FailureKind::Died { signal: Some(libc_sigabrt()), code: None });
    assert_eq!(err.kind.class(), FailureClass::Ambiguous);
    assert_eq!(err.attempts, 2);
    // The memory ceiling (256 MiB here) ends a worker that allocates without bound.
    let err = failing(&pool, Fault::Exhaust);
    assert_eq!(err.kind, FailureKind::Died { signal: Some(libc_sigabrt()), code: None });
}

#[test]
fn escape_attempts_are_killed_by_seccomp_and_reported() {
    if unavailable().contains(&Layer::Seccomp) {
        return; // reported by `unavailable`, and refused under RequireAll (smoke.rs)
    }
    let pool = fault_pool(1);
    for fault in [Fault::Open, Fault::Socket, Fault::Exec, Fault::Fork, Fault::Ptrace] {
        let err = failing(&pool, fault);
        assert_eq!(err.kind, FailureKind::Died { signal: Some(SIGSYS), code: None }, "{fault:?}");
    }
}

#[test]
fn a_worker_without_test_faults_refuses_them() {
    let pool = Pool::new(config(1)).unwrap();
    let b = bundle();
    let (tx, state) = tx_and_state(&b);
    let err = pool.execute_with_fault(&state, &tx, &ExecOptions::default(), Some(Fault::Open)).unwrap_err();
    assert!(matches!(err.kind, FailureKind::Refused(_)), "{:?}", err.kind);
    assert_eq!(pool.run(&state, &tx, &ExecOptions::default()).unwrap().receipt, b.expected);
}

#[test]
fn code_by_hash_is_a_deterministic_failure_in_both_executors() {
    let b = bundle();
    let (mut tx, state) = tx_and_state(&b);
    tx.code = abi::Code::Hash(abi::hash::content_hash(&b.module));
    let pool = Pool::new(config(1)).unwrap();
    for ex in [&pool as &dyn Executor, &Vm::new(Rules::default())] {
        let err = ex.run(&state, &tx, &ExecOptions::default()).unwrap_err();
        assert_eq!((err.kind, err.attempts), (FailureKind::CodeByHash, 1));
    }
}

fn libc_sigabrt() -> i32 {
    6
}

#[test]
fn a_request_over_the_frame_cap_is_a_deterministic_failure_and_the_worker_stays() {
    let b = bundle();
    let (mut tx, state) = tx_and_state(&b);
    let pool = Pool::new(config(1)).unwrap();
    // Code far over the profile's code-size limit: the whole cap (over), or the cap less 1 KiB of room
    // for the rest of the request and the prefetch (under).
    let overhead = borsh::to_vec(&tx).unwrap().len() - b.module.len() + 1024;
    let mut code = b.module.clone();
    code.resize(tsvm_executor::protocol::MAX_REQUEST_FRAME as usize - overhead, 0);
    let mut fits = tx.clone();
    fits.code = abi::Code::Bytes(code.clone());
    tx.code = abi::Code::Bytes(vec![0; tsvm_executor::protocol::MAX_REQUEST_FRAME as usize]);
    let err = pool.run(&state, &tx, &ExecOptions::default()).unwrap_err();
    assert_eq!((err.kind, err.attempts), (FailureKind::RequestTooLarge, 1));
    // Under the cap, the same oversized module is refused by the profile in a receipt, as in process.
    let isolated = pool.run(&state, &fits, &ExecOptions::default()).unwrap();
    let here = Vm::new(Rules::default()).run(&state, &fits, &ExecOptions::default()).unwrap();
    assert_eq!(isolated, here);
    assert!(!here.receipt.status.is_success());
    assert_eq!(pool.run(&state, &tx_and_state(&b).0, &ExecOptions::default()).unwrap().receipt, b.expected);
}
