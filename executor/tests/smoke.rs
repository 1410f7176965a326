//! The pool's receipts against in-process receipts on the example bundle.

mod common;
use abi::Code;
use common::*;
use tsvm_executor::{Executor, FailureKind, Layer, Pool, PoolConfig};
use vm::{ExecOptions, Rules, TraceLevel, Vm};

#[test]
fn the_example_bundle_gives_the_same_execution_in_process_and_in_a_worker() {
    let b = bundle();
    let (tx, state) = tx_and_state(&b);
    let pool = Pool::new(config(1)).expect("every layer applies on this machine");
    let vm = Vm::new(Rules::default());
    for trace in [TraceLevel::HashOnly, TraceLevel::Full] {
        let opts = ExecOptions { trace, checkpoint_interval: 0 };
        let here = vm.run(&state, &tx, &opts).unwrap();
        let there = pool.run(&state, &tx, &opts).unwrap();
        assert_eq!(borsh::to_vec(&there.receipt).unwrap(), borsh::to_vec(&here.receipt).unwrap());
        assert_eq!(there, here);
        assert_eq!(there.receipt, b.expected);
    }
}

#[test]
fn every_layer_is_reported_and_a_missing_one_is_refused_under_require_all() {
    let report = Pool::probe(worker(), Vec::new()).unwrap();
    let layers: Vec<Layer> = report.layers.iter().map(|s| s.layer).collect();
    assert_eq!(layers, Layer::ALL);
    assert!(report.layers.iter().all(|s| !s.detail.is_empty()));
    let missing = unavailable();
    match Pool::new(PoolConfig::new(worker(), 1)) {
        Ok(pool) => assert!(missing.is_empty() && pool.lockdown().missing().is_empty()),
        Err(e) => assert_eq!(e.kind, FailureKind::Lockdown(missing)),
    }
}

#[test]
fn the_learned_prefetch_saves_round_trips_and_changes_nothing() {
    let b = bundle();
    let (tx, state) = tx_and_state(&b);
    let pool = Pool::new(config(1)).unwrap();
    let opts = ExecOptions::default();
    let first = pool.run(&state, &tx, &opts).unwrap();
    // The request, then one read for each of the two storage keys the script reads.
    assert_eq!(pool.round_trips(), 3);
    let second = pool.run(&state, &tx, &opts).unwrap();
    assert_eq!(pool.round_trips(), 4, "the storage keys are prefetched the second time");
    assert_eq!(second, first);
    assert_eq!(second.receipt, b.expected);
}

#[test]
fn more_callers_than_workers_wait_their_turn_and_get_the_same_execution() {
    let b = bundle();
    let (tx, state) = tx_and_state(&b);
    let here = Vm::new(Rules::default()).run(&state, &tx, &ExecOptions::default()).unwrap();
    for colocate in [true, false] {
        let mut c = config(2);
        c.colocate = colocate;
        let pool = Pool::new(c).unwrap();
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    for _ in 0..5 {
                        assert_eq!(pool.run(&state, &tx, &ExecOptions::default()).unwrap(), here);
                    }
                });
            }
        });
        assert!(pool.incidents().is_empty());
        // 20 requests; a thread's first transfer may start before any transfer taught the pool
        // the two storage keys (two more round trips each), none after its own first.
        assert!((22..=28).contains(&pool.round_trips()), "{}", pool.round_trips());
    }
}

#[test]
fn the_learned_prefetch_keeps_each_module_apart() {
    let b = bundle();
    let (tx_a, state) = tx_and_state(&b);
    // The same script with a custom section appended: other bytes, another content hash.
    let mut tx_b = tx_a.clone();
    let Code::Bytes(code) = &mut tx_b.code else { unreachable!("the bundle carries its module") };
    code.extend_from_slice(&[0, 5, 4, b'n', b'o', b't', b'e']);
    let pool = Pool::new(config(1)).unwrap();
    let opts = ExecOptions::default();
    let here = Vm::new(Rules::default()).run(&state, &tx_b, &opts).unwrap();
    let trips = |tx: &abi::TxData| {
        let before = pool.round_trips();
        let exec = pool.run(&state, tx, &opts).unwrap();
        (pool.round_trips() - before, exec)
    };
    assert_eq!(trips(&tx_a).0, 3);
    assert_eq!(trips(&tx_a).0, 1);
    // What module A taught the pool is not module B's: B asks for its keys the first time.
    let (n, exec) = trips(&tx_b);
    assert_eq!((n, &exec), (3, &here));
    assert_eq!(trips(&tx_b).0, 1);
    // And A's hints are still A's after the pool hashed B.
    assert_eq!(trips(&tx_a).0, 1);
}
