//! tsvm's out-of-process executor (`spec/executor.md`): token scripts run in a sandboxed worker
//! process (`tsvm-worker`) outside the node's trust boundary. Only borsh frames cross the boundary
//! ([`protocol`]); the parent answers the worker's state reads from the node's `StateView` and
//! validates every execution before the node sees it ([`validate`]); a [`Pool`] keeps workers ready,
//! kills a stalled one and replaces any that failed.
//!
//! A node switches between in-process and isolated execution with one line, through [`Executor`]:
//!
//! ```rust,ignore
//! let executor: Box<dyn Executor> = Box::new(Vm::new(Rules::default()));
//! let executor: Box<dyn Executor> = Box::new(Pool::new(PoolConfig::new(find_worker()?, 4))?);
//! ```

mod failure;
mod faults;
mod lockdown;
mod pool;
mod prefetch;
pub mod protocol;
pub mod replay;
pub mod validate;
pub mod worker;

pub use failure::{ExecutorFailure, FailureClass, FailureKind, SIGSYS};
pub use lockdown::{
    cpu_time, describe, lock_down, seccomp_allow_list, Ceilings, CpuClock, Layer, LayerStatus,
    LockdownPolicy, LockdownReport,
};
pub use pool::{Pool, PoolConfig};
pub use protocol::Fault;

use abi::TxData;
use std::path::PathBuf;
use vm::{ExecOptions, Execution, StateView, Transaction, Vm};

/// Runs transactions: in process ([`Vm`]) or in a sandboxed worker ([`Pool`]).
pub trait Executor: Send + Sync {
    /// Runs `tx` against `state`. `Ok` is an execution (whatever its receipt's status); `Err` means
    /// no receipt exists (`spec/executor.md#failures`).
    ///
    /// # Errors
    /// See [`FailureKind`].
    fn run(
        &self,
        state: &dyn StateView,
        tx: &TxData,
        opts: &ExecOptions,
    ) -> Result<Execution, ExecutorFailure>;
}

impl Executor for Vm {
    fn run(
        &self,
        state: &dyn StateView,
        tx: &TxData,
        opts: &ExecOptions,
    ) -> Result<Execution, ExecutorFailure> {
        let t = Transaction::from_data(tx).ok_or(ExecutorFailure::once(FailureKind::CodeByHash))?;
        self.execute_with(state, &t, opts).map_err(|e| {
            let kind = match e {
                vm::VmError::State(s) => FailureKind::State(vm::StateError::Failed(s)),
                vm::VmError::OutsideWitness(s) => FailureKind::State(vm::StateError::OutsideWitness(s)),
                e => FailureKind::Host(e.to_string()),
            };
            ExecutorFailure::once(kind)
        })
    }
}

impl Executor for Pool {
    fn run(
        &self,
        state: &dyn StateView,
        tx: &TxData,
        opts: &ExecOptions,
    ) -> Result<Execution, ExecutorFailure> {
        self.execute_with_fault(state, tx, opts, None)
    }
}

/// The environment variable naming the worker binary.
pub const WORKER_ENV: &str = "TSVM_WORKER";

/// The worker binary's file name.
pub const WORKER_NAME: &str = "tsvm-worker";

/// Finds the worker: `$TSVM_WORKER`, else `tsvm-worker` next to the running executable, else in its
/// parent directory (a test or bench binary in `target/<profile>/deps/`).
///
/// # Errors
/// Where it looked, when it is in none of those places.
pub fn find_worker() -> Result<PathBuf, String> {
    if let Some(p) = std::env::var_os(WORKER_ENV) {
        return Ok(PathBuf::from(p));
    }
    let exe = std::env::current_exe().map_err(|e| format!("cannot locate the running executable: {e}"))?;
    let mut tried = Vec::new();
    for dir in exe.ancestors().skip(1).take(2) {
        let candidate = dir.join(WORKER_NAME);
        if candidate.is_file() {
            return Ok(candidate);
        }
        tried.push(candidate.display().to_string());
    }
    Err(format!(
        "the worker binary {WORKER_NAME} was not found (looked in {}); build it with `cargo build -p tsvm-executor` or set {WORKER_ENV}",
        tried.join(", ")
    ))
}
