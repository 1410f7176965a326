//! `executor/transfer`: the transfer operation of `execute/transfer` in process (`Vm` through the
//! `Executor` trait) and through the sandboxed pool (`spec/executor.md`), side by side in one run.
//! Both are checked once to give the same execution; the round trips per transfer are printed.
//!
//! Needs the release worker: `cargo build --release -p tsvm-executor --bin tsvm-worker` (or
//! `$TSVM_WORKER`).

// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

use abi::{Code, TxData};
use criterion::{criterion_group, criterion_main, Criterion};
use executor::{Executor, Pool, PoolConfig};
use std::hint::black_box;
use tsvm_benches::fixtures;
use vm::{ExecOptions, Rules, Vm};

fn bench_executor(c: &mut Criterion) {
    let vm = Vm::new(Rules::default());
    let worker = executor::find_worker().unwrap_or_else(|e| panic!("{e}"));
    let pool = Pool::new(PoolConfig::new(worker, 1)).expect("the pool starts with every layer");
    let state = fixtures::state();
    let tx = TxData {
        code: Code::Bytes(fixtures::token_wasm()),
        invocation: fixtures::invocation(),
        context: fixtures::context(),
        gas_limit: fixtures::transaction(&[], &fixtures::invocation(), &fixtures::context()).gas_limit,
    };
    let opts = ExecOptions::default();
    let here = vm.run(&state, &tx, &opts).expect("in process");
    assert!(here.receipt.status.is_success());
    let before = pool.round_trips();
    assert_eq!(pool.run(&state, &tx, &opts).expect("isolated"), here);
    eprintln!("executor/transfer: {} round trips per transfer", pool.round_trips() - before);

    let mut group = c.benchmark_group("executor/transfer");
    group.bench_function("in_process", |b| {
        b.iter(|| vm.run(black_box(&state), black_box(&tx), &opts).expect("runs"))
    });
    group.bench_function("pool", |b| {
        b.iter(|| pool.run(black_box(&state), black_box(&tx), &opts).expect("runs"))
    });
    group.finish();
}

criterion_group!(benches, bench_executor);
criterion_main!(benches);
