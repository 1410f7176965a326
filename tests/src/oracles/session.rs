//! The session oracle (`spec/abi.md#instance-reuse`): an execution on a kept and reset instance is
//! byte for byte the execution on a fresh one (receipt, checkpoints, witness, trace), whatever ran
//! on the instance before, traps and host halts included.

use abi::Receipt;
use vm::{ExecOptions, Execution, StateView, TraceLevel, Transaction, Vm};

/// Options that record everything a reset could get wrong: the full trace and checkpoints, whose
/// commitments cover the memory pages and the mutable globals.
pub fn recording() -> ExecOptions {
    ExecOptions { trace: TraceLevel::Full, checkpoint_interval: vm::MIN_CHECKPOINT_INTERVAL }
}

/// Runs `tx` twice in one session over `state` (first on a new instance, then on the kept and reset
/// one) and requires each to equal the fresh execution; returns it.
///
/// # Panics
/// On any difference, or a host failure.
#[track_caller]
pub fn check_in_session(vm: &Vm, state: &dyn StateView, tx: &Transaction<'_>) -> Execution {
    let opts = recording();
    let fresh = vm.execute_with(state, tx, &opts).expect("no host failure");
    let mut session = vm.session(state);
    for round in 0..2 {
        let kept = session.execute_with(tx, &opts).expect("no host failure in a session");
        let bytes = |r: &Receipt| borsh::to_vec(r).expect("receipts serialize");
        assert_eq!(
            bytes(&kept.receipt),
            bytes(&fresh.receipt),
            "round {round}: the session changed the receipt"
        );
        assert_eq!(kept, fresh, "round {round}: the session changed the checkpoints, witness or trace");
    }
    fresh
}

/// Runs each of `txs` in order, `rounds` times over, in one session over `state`, and requires each
/// execution to equal the fresh one (so what one call leaves in an instance never reaches the next);
/// returns the fresh executions.
///
/// # Panics
/// On any difference, or a host failure.
#[track_caller]
pub fn check_sequence(
    vm: &Vm,
    state: &dyn StateView,
    txs: &[Transaction<'_>],
    rounds: usize,
) -> Vec<Execution> {
    let opts = recording();
    let fresh: Vec<Execution> =
        txs.iter().map(|tx| vm.execute_with(state, tx, &opts).expect("no host failure")).collect();
    let mut session = vm.session(state);
    for round in 0..rounds {
        for (i, (tx, want)) in txs.iter().zip(&fresh).enumerate() {
            let got = session.execute_with(tx, &opts).expect("no host failure in a session");
            assert_eq!(&got, want, "round {round}, call {i}: the kept instance leaked state");
        }
    }
    fresh
}
