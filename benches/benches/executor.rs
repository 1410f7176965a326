//! `executor/transfer`: the transfer operation of `execute/transfer` in process (`Vm` through the
//! `Executor` trait) and through the sandboxed pool (`spec/executor.md`), side by side in one run.
//! `pool` places the worker on the caller's CPU (`PoolConfig::colocate`, the default),
//! `pool_unplaced` leaves it to the scheduler; the worker keeps each module's instance between
//! requests, so `in_process_session` (a `vm::Session`) is the in-process path that does the same.
//! All are checked once to give the same execution;
//! the round trips per transfer and the CPU time per transfer are printed.
//!
//! `executor/throughput/<variant>/<threads>`: the same transfer from 1 and 2 threads at once, in
//! process and through a pool of as many workers as threads, counted in transfers (elem/s = tx/s),
//! so the scaling from 1 to 2 threads is `elem/s at 2 / elem/s at 1` within one run.
//!
//! Needs the release worker: `cargo build --release -p tsvm-executor --bin tsvm-worker` (or
//! `$TSVM_WORKER`).

// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

use abi::{Code, TxData};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use executor::{Executor, Pool, PoolConfig};
use std::hint::black_box;
use std::time::{Duration, Instant};
use tsvm_benches::fixtures;
use vm::{ExecOptions, InMemoryState, Rules, Vm};

fn transfer() -> TxData {
    TxData {
        code: Code::Bytes(fixtures::token_wasm()),
        invocation: fixtures::invocation(),
        context: fixtures::context(),
        gas_limit: fixtures::transaction(&[], &fixtures::invocation(), &fixtures::context()).gas_limit,
    }
}

fn new_pool(workers: usize, colocate: bool) -> Pool {
    let worker = executor::find_worker().unwrap_or_else(|e| panic!("{e}"));
    let mut config = PoolConfig::new(worker, workers);
    config.colocate = colocate;
    Pool::new(config).expect("the pool starts with every layer")
}

fn bench_executor(c: &mut Criterion) {
    let vm = Vm::new(Rules::default());
    let pool = new_pool(1, true);
    let unplaced = new_pool(1, false);
    let state = fixtures::state();
    let tx = transfer();
    let opts = ExecOptions::default();
    let here = vm.run(&state, &tx, &opts).expect("in process");
    assert!(here.receipt.status.is_success());
    let before = pool.round_trips();
    assert_eq!(pool.run(&state, &tx, &opts).expect("isolated"), here);
    assert_eq!(unplaced.run(&state, &tx, &opts).expect("isolated"), here);
    let first = pool.round_trips() - before;
    pool.run(&state, &tx, &opts).expect("isolated");
    let next = pool.round_trips() - before - first;
    eprintln!("executor/transfer: {first} round trips for the first transfer, {next} for the next");
    let n = 2000;
    let (here, _) = cpu_per_transfer(&vm, n, &state, &tx);
    let (parent, worker) = cpu_per_transfer(&pool, n, &state, &tx);
    eprintln!(
        "executor/transfer: CPU time per transfer ({n} transfers): in_process {here:.1} us; pool \
         {:.1} us = parent {parent:.1} + worker {worker:.1} ({:.2}x)",
        parent + worker,
        (parent + worker) / here
    );

    let mut group = c.benchmark_group("executor/transfer");
    group.bench_function("in_process", |b| {
        b.iter(|| vm.run(black_box(&state), black_box(&tx), &opts).expect("runs"))
    });
    // In process with the instance kept, as the worker keeps it (spec/abi.md#instance-reuse).
    let code = tx.code_bytes().expect("code bytes");
    let borrowed =
        vm::Transaction { code, invocation: &tx.invocation, context: &tx.context, gas_limit: tx.gas_limit };
    let mut session = vm.session(&state);
    let fresh = vm.run(&state, &tx, &opts).expect("in process").receipt;
    assert_eq!(session.execute(&borrowed).expect("in a session"), fresh);
    group.bench_function("in_process_session", |b| {
        b.iter(|| session.execute(black_box(&borrowed)).expect("runs"))
    });
    group.bench_function("pool", |b| {
        b.iter(|| pool.run(black_box(&state), black_box(&tx), &opts).expect("runs"))
    });
    group.bench_function("pool_unplaced", |b| {
        b.iter(|| unplaced.run(black_box(&state), black_box(&tx), &opts).expect("runs"))
    });
    group.finish();
}

/// CPU time (user + system) per transfer through `executor`, in microseconds, of this process and
/// of its child processes (the pool's workers): unlike wall time, it leaves out waiting for a CPU.
fn cpu_per_transfer(executor: &dyn Executor, n: u32, state: &InMemoryState, tx: &TxData) -> (f64, f64) {
    let me = std::process::id();
    let children = || -> Duration {
        let mut pids = Vec::new();
        if let Ok(tasks) = std::fs::read_dir(format!("/proc/{me}/task")) {
            for task in tasks.flatten() {
                let list = std::fs::read_to_string(task.path().join("children")).unwrap_or_default();
                pids.extend(list.split_whitespace().filter_map(|p| p.parse::<u32>().ok()));
            }
        }
        pids.into_iter().map(executor::cpu_time).sum()
    };
    let opts = ExecOptions::default();
    let (own, kids) = (executor::cpu_time(me), children());
    for _ in 0..n {
        black_box(executor.run(black_box(state), black_box(tx), &opts).expect("runs"));
    }
    let per = |d: Duration| d.as_secs_f64() * 1e6 / f64::from(n);
    (per(executor::cpu_time(me) - own), per(children() - kids))
}

/// `iters` transfers on each of `threads` threads at once through `executor`; the wall time.
fn run_on_threads(
    executor: &dyn Executor,
    threads: usize,
    iters: u64,
    state: &InMemoryState,
    tx: &TxData,
) -> Duration {
    let opts = ExecOptions::default();
    let start = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                for _ in 0..iters {
                    black_box(executor.run(black_box(state), black_box(tx), &opts).expect("runs"));
                }
            });
        }
    });
    start.elapsed()
}

fn bench_throughput(c: &mut Criterion) {
    let vm = Vm::new(Rules::default());
    let state = fixtures::state();
    let tx = transfer();
    let pools = [new_pool(1, true), new_pool(2, true)];
    for p in &pools {
        // Warm every worker's module cache and the learned prefetch.
        run_on_threads(p, 2, 4, &state, &tx);
    }
    let mut group = c.benchmark_group("executor/throughput");
    for threads in [1usize, 2] {
        group.throughput(Throughput::Elements(threads as u64));
        group.bench_function(BenchmarkId::new("in_process", threads), |b| {
            b.iter_custom(|iters| run_on_threads(&vm, threads, iters, &state, &tx))
        });
        let pool = &pools[threads - 1];
        group.bench_function(BenchmarkId::new("pool", threads), |b| {
            b.iter_custom(|iters| run_on_threads(pool, threads, iters, &state, &tx))
        });
    }
    group.finish();
}

criterion_group!(benches, bench_executor, bench_throughput);
criterion_main!(benches);
