//! Shared helpers of the executor's tests: the example bundle as a transaction and its state, and
//! pools of the freshly built worker.
#![allow(dead_code)]

use abi::{Bundle, Code, TxData};
use std::path::PathBuf;
use std::time::Duration;
use tsvm_executor::{Layer, LockdownPolicy, Pool, PoolConfig};
use vm::WitnessState;

/// The worker cargo built for these tests.
pub fn worker() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_tsvm-worker"))
}

/// The example bundle (`examples/transfer.bundle.json`).
pub fn bundle() -> Bundle {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/transfer.bundle.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// A bundle's transaction and its pre-state.
pub fn tx_and_state(b: &Bundle) -> (TxData, WitnessState) {
    let tx = TxData {
        code: Code::Bytes(b.module.clone()),
        invocation: b.invocation.clone(),
        context: b.context.clone(),
        gas_limit: b.gas_limit,
    };
    (tx, WitnessState::new(b.invocation.token, &b.witness))
}

/// The layers this machine cannot apply, each printed as "layer not available" (on the
/// development machine and CI: none).
pub fn unavailable() -> Vec<Layer> {
    let report = Pool::probe(worker(), Vec::new()).expect("a worker starts");
    let missing = report.missing();
    for l in &missing {
        println!("layer not available: {} ({})", l.name(), tsvm_executor::describe(&report));
    }
    missing
}

/// A config requiring every layer this machine applies.
pub fn config(n: usize) -> PoolConfig {
    let mut c = PoolConfig::new(worker(), n);
    let missing = unavailable();
    if !missing.is_empty() {
        c.policy = LockdownPolicy::Require(Layer::ALL.into_iter().filter(|l| !missing.contains(l)).collect());
    }
    c
}

/// A pool of `n` workers that honour test faults, with short budgets.
pub fn fault_pool(n: usize) -> Pool {
    let mut c = config(n);
    c.test_faults = true;
    c.cpu_budget = Duration::from_millis(300);
    c.wall_budget = Duration::from_millis(1500);
    c.memory_ceiling = 256 * 1024 * 1024;
    Pool::new(c).expect("pool")
}
