//! Recording and replaying bundles (`spec/bundle.md`).
//!
//! A replay re-executes a bundle against its witness only: [`crate::WitnessState`] answers exactly
//! the reads the original execution made and refuses any other with a distinct error.

use crate::{check_witness, ExecOptions, Execution, Profile, Transaction, Vm, VmError, WitnessState};
use abi::{Bundle, Receipt, StateKey, Witness, BUNDLE_FORMAT_VERSION};

/// Builds the bundle of an execution (`execution` must come from running `tx` on `vm`).
pub fn record_bundle(vm: &Vm, tx: &Transaction<'_>, execution: &Execution) -> Bundle {
    Bundle {
        format_version: BUNDLE_FORMAT_VERSION,
        rules_hash: vm.rules_hash(),
        module: tx.code.to_vec(),
        invocation: tx.invocation.clone(),
        context: tx.context.clone(),
        gas_limit: tx.gas_limit,
        witness: execution.witness.clone(),
        expected: execution.receipt.clone(),
    }
}

/// The outcome of replaying a bundle.
#[derive(Clone, Debug)]
pub struct Replayed {
    /// The re-execution, with its full trace.
    pub execution: Execution,
    /// Receipt fields that differ from the bundle's expected receipt (empty: it matched).
    pub mismatches: Vec<&'static str>,
}

impl Replayed {
    /// Whether the re-execution reproduced the expected receipt exactly.
    pub fn matched(&self) -> bool {
        self.mismatches.is_empty()
    }
}

/// The receipt fields that differ between `expected` and `got`, in receipt order.
pub fn receipt_mismatches(expected: &Receipt, got: &Receipt) -> Vec<&'static str> {
    let mut out = Vec::new();
    let mut check = |name: &'static str, same: bool| {
        if !same {
            out.push(name);
        }
    };
    check("status", expected.status == got.status);
    check("fault", expected.fault == got.fault);
    check("gas_used", expected.gas_used == got.gas_used);
    check("return_data", expected.return_data == got.return_data);
    check("revert_reason", expected.revert_reason == got.revert_reason);
    check("events", expected.events == got.events);
    check("logs", expected.logs == got.logs);
    check("diff", expected.diff == got.diff);
    check("diff_hash", expected.diff_hash == got.diff_hash);
    check("trace_hash", expected.trace_hash == got.trace_hash);
    check("rules_hash", expected.rules_hash == got.rules_hash);
    check("receipt_hash", expected.receipt_hash == got.receipt_hash);
    out
}

/// The first witness entry the execution did not read, if any (every key it read came from the
/// witness, else the replay failed with [`VmError::OutsideWitness`]).
fn first_unread<'w>(witness: &'w Witness, read: &Witness) -> Option<&'w StateKey> {
    let read: std::collections::BTreeSet<&StateKey> = read.entries.iter().map(|e| &e.key).collect();
    witness.entries.iter().map(|e| &e.key).find(|k| !read.contains(k))
}

/// Re-executes `bundle` against its witness alone, keeping what `options` asks for (the trace's
/// events only at [`crate::TraceLevel::Full`]), and compares the result with its receipt.
///
/// # Errors
/// [`VmError::BundleVersion`] for an unknown format, [`VmError::RulesMismatch`] (with both hashes)
/// when the bundle was recorded under other rules, [`VmError::NonCanonicalBundle`] for a witness
/// that is not canonical (checked before running, and after it for entries never read),
/// [`VmError::OutsideWitness`] when the execution reads state the witness does not hold, or any
/// host failure.
pub fn replay(vm: &Vm, bundle: &Bundle, options: &ExecOptions) -> Result<Replayed, VmError> {
    // The trace level is the caller's: hash-only is enough to match; keep the events (`Full`) only
    // to show or bisect a divergence.
    Ok(replay_by(bundle, vm.rules_hash(), |state, tx| Ok((vm.execute_with(state, tx, options)?, ())))?.0)
}

/// Re-executes `bundle` as [`replay`] does, profiling its gas (`spec/profile.md`): the profile a
/// bundle gives is bit-identical to the one taken when it was recorded.
///
/// # Errors
/// As [`replay`].
pub fn profile_bundle(
    vm: &Vm,
    bundle: &Bundle,
    options: &ExecOptions,
) -> Result<(Replayed, Profile), VmError> {
    replay_by(bundle, vm.rules_hash(), |state, tx| vm.profile(state, tx, options))
}

/// Checks `bundle` against the VM's `rules_hash`, runs `execute` against its witness and compares
/// the receipt (see [`replay`]).
fn replay_by<T>(
    bundle: &Bundle,
    rules_hash: abi::Hash32,
    execute: impl FnOnce(&WitnessState, &Transaction<'_>) -> Result<(Execution, T), VmError>,
) -> Result<(Replayed, T), VmError> {
    if bundle.format_version != BUNDLE_FORMAT_VERSION {
        return Err(VmError::BundleVersion(bundle.format_version, BUNDLE_FORMAT_VERSION));
    }
    if bundle.rules_hash != rules_hash {
        return Err(VmError::RulesMismatch { bundle: bundle.rules_hash, vm: rules_hash });
    }
    check_witness(&bundle.invocation.token, &bundle.witness)?;
    let state = WitnessState::new(bundle.invocation.token, &bundle.witness);
    let tx = Transaction {
        code: &bundle.module,
        invocation: &bundle.invocation,
        context: &bundle.context,
        gas_limit: bundle.gas_limit,
    };
    let (execution, extra) = execute(&state, &tx)?;
    if let Some(key) = first_unread(&bundle.witness, &execution.witness) {
        return Err(VmError::NonCanonicalBundle(format!(
            "the witness holds {key}, which the execution never read"
        )));
    }
    let mismatches = receipt_mismatches(&bundle.expected, &execution.receipt);
    Ok((Replayed { execution, mismatches }, extra))
}
