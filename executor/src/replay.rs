//! Replaying a bundle through an [`Executor`] (`tsvm replay --isolate`): the checks of
//! `vm::replay` (`spec/bundle.md#replay`), with the execution in a sandboxed worker.
#![forbid(unsafe_code)]

use crate::{Executor, FailureKind};
use abi::{Bundle, Code, TxData, BUNDLE_FORMAT_VERSION};
use std::collections::BTreeSet;
use vm::{check_witness, receipt_mismatches, ExecOptions, Replayed, StateError, VmError, WitnessState};

/// Replays `bundle` with `executor` under rules hashing to `rules_hash`. An executor failure is a
/// host failure (`VmError::State`, naming its kind), except a read outside the witness, which stays
/// [`VmError::OutsideWitness`] (a divergence, as in process).
///
/// # Errors
/// As `vm::replay`, plus the executor's failures.
pub fn replay(
    executor: &dyn Executor,
    rules_hash: &abi::Hash32,
    bundle: &Bundle,
    options: &ExecOptions,
) -> Result<Replayed, VmError> {
    if bundle.format_version != BUNDLE_FORMAT_VERSION {
        return Err(VmError::BundleVersion(bundle.format_version, BUNDLE_FORMAT_VERSION));
    }
    if bundle.rules_hash != *rules_hash {
        return Err(VmError::RulesMismatch { bundle: bundle.rules_hash, vm: *rules_hash });
    }
    check_witness(&bundle.invocation.token, &bundle.witness)?;
    let state = WitnessState::new(bundle.invocation.token, &bundle.witness);
    let tx = TxData {
        code: Code::Bytes(bundle.module.clone()),
        invocation: bundle.invocation.clone(),
        context: bundle.context.clone(),
        gas_limit: bundle.gas_limit,
    };
    let execution = executor.run(&state, &tx, options).map_err(|f| match f.kind {
        FailureKind::State(StateError::OutsideWitness(s)) => VmError::OutsideWitness(s),
        _ => VmError::State(f.to_string()),
    })?;
    let read: BTreeSet<_> = execution.witness.entries.iter().map(|e| &e.key).collect();
    if let Some(key) = bundle.witness.entries.iter().map(|e| &e.key).find(|k| !read.contains(k)) {
        return Err(VmError::NonCanonicalBundle(format!(
            "the witness holds {key}, which the execution never read"
        )));
    }
    let mismatches = receipt_mismatches(&bundle.expected, &execution.receipt);
    Ok(Replayed { execution, mismatches })
}
