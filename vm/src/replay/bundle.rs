//! Recording and replaying bundles (`spec/bundle.md`).
//!
//! A replay re-executes a bundle against its witness only: [`crate::WitnessState`] answers exactly
//! the reads the original execution made and refuses any other with a distinct error.

use crate::{
    check_witness, ExecOptions, Execution, Profile, Session, StateError, StateView, Transaction, Vm,
};
use crate::{VmError, WitnessState};
use abi::{
    Address, Bundle, BundleHead, Hash32, Receipt, StateKey, TokenId, TokenInfo, Witness,
    BUNDLE_FORMAT_VERSION,
};
use std::cell::RefCell;

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
/// witness, else the replay failed with [`VmError::OutsideWitness`]). One walk over both, with no
/// set built: both are in strictly increasing key order (the bundle's witness is checked canonical
/// before the run, the execution's is the overlay's reads in key order).
fn first_unread<'w>(witness: &'w Witness, read: &Witness) -> Option<&'w StateKey> {
    let mut read = read.entries.iter().map(|e| &e.key).peekable();
    witness.entries.iter().map(|e| &e.key).find(|k| {
        while read.next_if(|r| r < k).is_some() {}
        read.next_if(|r| r == k).is_none()
    })
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
    Ok(replay_by(bundle, vm.rules_hash(), |state, tx| Ok((vm.execute_with(&state, tx, options)?, ())))?.0)
}

/// A view whose witness is set bundle by bundle, so that one [`Session`] replays many bundles
/// ([`replay_in`], `spec/abi.md#instance-reuse`). Empty, it answers nothing.
#[derive(Default)]
pub struct WitnessSlot(RefCell<Option<WitnessState>>);

impl WitnessSlot {
    fn with<T>(&self, read: impl FnOnce(&WitnessState) -> Result<T, StateError>) -> Result<T, StateError> {
        match &*self.0.borrow() {
            Some(state) => read(state),
            None => Err(StateError::OutsideWitness("any state: no bundle is being replayed".into())),
        }
    }
}

impl StateView for WitnessSlot {
    fn token(&self, token: &TokenId) -> Result<Option<TokenInfo>, StateError> {
        self.with(|s| s.token(token))
    }
    fn balance(&self, token: &TokenId, account: &Address) -> Result<u128, StateError> {
        self.with(|s| s.balance(token, account))
    }
    fn supply(&self, token: &TokenId) -> Result<u128, StateError> {
        self.with(|s| s.supply(token))
    }
    fn storage(&self, token: &TokenId, key: &[u8]) -> Result<Option<Vec<u8>>, StateError> {
        self.with(|s| s.storage(token, key))
    }
    fn read(&self, key: &StateKey) -> Result<Option<Vec<u8>>, StateError> {
        self.with(|s| s.read(key))
    }
}

/// [`replay`] in `session`, a session over `slot`: the bundle's witness is put in the slot for
/// the execution, so one session (and each module's kept instance) serves many bundles. The result
/// is [`replay`]'s.
///
/// # Errors
/// As [`replay`].
pub fn replay_in(
    session: &mut Session<'_>,
    slot: &WitnessSlot,
    bundle: &Bundle,
    options: &ExecOptions,
) -> Result<Replayed, VmError> {
    let execution = execute_in(session, slot, &Run::of(bundle), options)?;
    let mismatches = receipt_mismatches(&bundle.expected, &execution.receipt);
    Ok(Replayed { execution, mismatches })
}

/// [`replay_in`] of a bundle's head, without comparing: the execution, for the caller to compare
/// with the expected receipt (`tsvm replay` compares its canonical bytes with the new receipt's
/// encoding first, and decodes them only when they differ, `spec/bundle.md#replay`). The head's
/// witness is lent to `slot` for the execution, not copied, and is back in `head` on return.
///
/// # Errors
/// As [`replay`].
pub fn replay_head_in(
    session: &mut Session<'_>,
    slot: &WitnessSlot,
    head: &mut BundleHead,
    options: &ExecOptions,
) -> Result<Execution, VmError> {
    Run::of_head(head).check(session.vm().rules_hash())?;
    let token = head.invocation.token;
    *slot.0.borrow_mut() = Some(WitnessState::from_witness(token, std::mem::take(&mut head.witness)));
    let run = session.execute_with(&Run::of_head(head).tx, options);
    if let Some(state) = slot.0.borrow_mut().take() {
        head.witness = state.into_witness();
    }
    let execution = run?;
    Run::of_head(head).check_read(&execution)?;
    Ok(execution)
}

/// Runs `run` in `session` with its witness in `slot` (see [`replay_in`]).
fn execute_in(
    session: &mut Session<'_>,
    slot: &WitnessSlot,
    run: &Run<'_>,
    options: &ExecOptions,
) -> Result<Execution, VmError> {
    let rules_hash = session.vm().rules_hash();
    let executed = run.execute(rules_hash, |state, tx| {
        *slot.0.borrow_mut() = Some(state);
        let run = session.execute_with(tx, options);
        *slot.0.borrow_mut() = None;
        Ok((run?, ()))
    });
    Ok(executed?.0)
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
    replay_by(bundle, vm.rules_hash(), |state, tx| vm.profile(&state, tx, options))
}

/// Checks `bundle` against the VM's `rules_hash`, runs `execute` against its witness and compares
/// the receipt (see [`replay`]).
fn replay_by<T>(
    bundle: &Bundle,
    rules_hash: Hash32,
    execute: impl FnOnce(WitnessState, &Transaction<'_>) -> Result<(Execution, T), VmError>,
) -> Result<(Replayed, T), VmError> {
    let (execution, extra) = Run::of(bundle).execute(rules_hash, execute)?;
    let mismatches = receipt_mismatches(&bundle.expected, &execution.receipt);
    Ok((Replayed { execution, mismatches }, extra))
}

/// What a replay runs: a bundle's fields but its expected receipt, borrowed from a [`Bundle`] or a
/// [`BundleHead`].
struct Run<'a> {
    format_version: u32,
    rules_hash: Hash32,
    witness: &'a Witness,
    tx: Transaction<'a>,
}

impl<'a> Run<'a> {
    fn of(bundle: &'a Bundle) -> Self {
        Self {
            format_version: bundle.format_version,
            rules_hash: bundle.rules_hash,
            witness: &bundle.witness,
            tx: Transaction {
                code: &bundle.module,
                invocation: &bundle.invocation,
                context: &bundle.context,
                gas_limit: bundle.gas_limit,
            },
        }
    }

    fn of_head(head: &'a BundleHead) -> Self {
        Self {
            format_version: head.format_version,
            rules_hash: head.rules_hash,
            witness: &head.witness,
            tx: Transaction {
                code: &head.module,
                invocation: &head.invocation,
                context: &head.context,
                gas_limit: head.gas_limit,
            },
        }
    }

    /// Checks the run against the VM's `rules_hash`, runs `execute` against its witness, and checks
    /// that the execution read every witness entry (`spec/bundle.md#replay`).
    fn execute<T>(
        &self,
        rules_hash: Hash32,
        execute: impl FnOnce(WitnessState, &Transaction<'_>) -> Result<(Execution, T), VmError>,
    ) -> Result<(Execution, T), VmError> {
        self.check(rules_hash)?;
        let state = WitnessState::new(self.tx.invocation.token, self.witness);
        let (execution, extra) = execute(state, &self.tx)?;
        self.check_read(&execution)?;
        Ok((execution, extra))
    }

    /// Steps 1-3 of `spec/bundle.md#replay`: the format version, the rules hash, a canonical
    /// witness.
    fn check(&self, rules_hash: Hash32) -> Result<(), VmError> {
        if self.format_version != BUNDLE_FORMAT_VERSION {
            return Err(VmError::BundleVersion(self.format_version, BUNDLE_FORMAT_VERSION));
        }
        if self.rules_hash != rules_hash {
            return Err(VmError::RulesMismatch { bundle: self.rules_hash, vm: rules_hash });
        }
        check_witness(&self.tx.invocation.token, self.witness)
    }

    /// The execution read every witness entry (`spec/bundle.md#canonical-witness`, rule 3).
    fn check_read(&self, execution: &Execution) -> Result<(), VmError> {
        match first_unread(self.witness, &execution.witness) {
            Some(key) => Err(VmError::NonCanonicalBundle(format!(
                "the witness holds {key}, which the execution never read"
            ))),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::first_unread;
    use abi::{StateKey, TokenId, Witness, WitnessEntry};

    fn witness(names: &[u8]) -> Witness {
        let entry = |&n: &u8| WitnessEntry {
            key: StateKey::Storage { token: TokenId([0; 32]), key: vec![n] },
            value: Some(vec![n]),
        };
        Witness { token: None, entries: names.iter().map(entry).collect() }
    }

    /// The first key of the witness that the reads skip, wherever it is; none when every key was
    /// read.
    #[test]
    fn the_first_unread_key_is_found_anywhere() {
        let all = witness(&[1, 3, 5, 7]);
        let name = |k: Option<&StateKey>| match k {
            Some(StateKey::Storage { key, .. }) => Some(key[0]),
            _ => None,
        };
        assert_eq!(name(first_unread(&all, &witness(&[1, 3, 5, 7]))), None);
        assert_eq!(name(first_unread(&all, &witness(&[]))), Some(1));
        assert_eq!(name(first_unread(&all, &witness(&[1, 5, 7]))), Some(3));
        assert_eq!(name(first_unread(&all, &witness(&[1, 3, 5]))), Some(7));
        assert_eq!(name(first_unread(&witness(&[]), &witness(&[]))), None);
    }
}
