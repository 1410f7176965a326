//! The out-of-process executor in the integration tests (`spec/executor.md`): one shared pool of
//! sandboxed workers, and [`run_isolated`], which runs a call in-process and through the pool and
//! requires byte-identical executions (receipt, witness, trace).
//!
//! The worker is the `tsvm-worker` binary next to the test binary's directory (built by
//! `cargo test --workspace`, or `cargo build -p tsvm-executor`), or `$TSVM_WORKER`.

use crate::{addr, context, TOKEN};
use abi::{Call, Code, Invocation, Receipt, TxData};
use executor::{Executor, Layer, LockdownPolicy, Pool, PoolConfig};
use std::sync::OnceLock;
use vm::{ExecOptions, InMemoryState, TraceLevel, Vm};

/// The shared pool: two workers, every layer this machine applies required (a layer it cannot
/// apply is printed as "layer not available").
///
/// # Panics
/// If the worker is missing or cannot start.
pub fn pool() -> &'static Pool {
    static POOL: OnceLock<Pool> = OnceLock::new();
    POOL.get_or_init(|| {
        let worker = executor::find_worker().unwrap_or_else(|e| panic!("{e}"));
        let report = Pool::probe(worker.clone(), Vec::new()).expect("a worker starts");
        let missing = report.missing();
        for l in &missing {
            println!("layer not available: {}", l.name());
        }
        let mut config = PoolConfig::new(worker, 2);
        if !missing.is_empty() {
            config.policy =
                LockdownPolicy::Require(Layer::ALL.into_iter().filter(|l| !missing.contains(l)).collect());
        }
        Pool::new(config).expect("pool")
    })
}

/// Runs `tx` in-process and in the pool, at hash-only and full trace, and requires identical
/// executions (the receipts compared as borsh bytes); returns the receipt.
///
/// # Panics
/// If the two differ, or either fails.
#[track_caller]
pub fn same_in_and_out(vm: &Vm, state: &InMemoryState, tx: &TxData) -> Receipt {
    let mut receipt = None;
    for trace in [TraceLevel::HashOnly, TraceLevel::Full] {
        let opts = ExecOptions { trace, checkpoint_interval: 0 };
        let here = vm.run(state, tx, &opts).unwrap_or_else(|e| panic!("in-process: {e}"));
        let there = pool().run(state, tx, &opts).unwrap_or_else(|e| panic!("isolated: {e}"));
        let bytes = |r: &Receipt| borsh::to_vec(r).expect("receipts serialize");
        assert_eq!(bytes(&there.receipt), bytes(&here.receipt), "receipts differ");
        assert_eq!(there, here, "executions differ");
        receipt = Some(here.receipt);
    }
    receipt.expect("two runs")
}

/// [`same_in_and_out`] for `call` on [`TOKEN`] signed by account 1 (the shape of [`crate::run`]).
#[track_caller]
pub fn run_isolated(vm: &Vm, state: &InMemoryState, code: &[u8], call: Call, gas_limit: u64) -> Receipt {
    let tx = TxData {
        code: Code::Bytes(code.to_vec()),
        invocation: Invocation { token: TOKEN, call },
        context: context(addr(1)),
        gas_limit,
    };
    same_in_and_out(vm, state, &tx)
}
