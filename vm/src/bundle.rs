//! Recording and replaying bundles (`spec/bundle.md`).
//!
//! A replay re-executes a bundle against its witness only: [`WitnessState`] answers exactly the
//! reads the original execution made and refuses any other with a distinct error.

use crate::{ExecOptions, Execution, StateError, StateView, Transaction, Vm, VmError};
use abi::{Address, Bundle, Receipt, StateKey, TokenId, TokenInfo, Witness, BUNDLE_FORMAT_VERSION};
use std::collections::BTreeMap;

/// A state made only of a witness.
pub struct WitnessState {
    token: TokenId,
    info: Option<TokenInfo>,
    entries: BTreeMap<StateKey, Option<Vec<u8>>>,
}

impl WitnessState {
    /// The state a bundle's witness describes for `token`.
    pub fn new(token: TokenId, witness: &Witness) -> Self {
        let entries = witness.entries.iter().map(|e| (e.key.clone(), e.value.clone())).collect();
        Self { token, info: witness.token.clone(), entries }
    }

    fn get(&self, key: StateKey) -> Result<Option<Vec<u8>>, StateError> {
        match self.entries.get(&key) {
            Some(v) => Ok(v.clone()),
            None => Err(StateError::OutsideWitness(key.to_string())),
        }
    }

    fn amount(&self, key: StateKey) -> Result<u128, StateError> {
        let shown = key.to_string();
        let bytes = self.get(key)?;
        bytes
            .as_deref()
            .and_then(|b| <[u8; 16]>::try_from(b).ok())
            .map(u128::from_le_bytes)
            .ok_or_else(|| StateError::Failed(format!("witness value of {shown} is not a 16-byte amount")))
    }
}

impl StateView for WitnessState {
    fn token(&self, token: &TokenId) -> Result<Option<TokenInfo>, StateError> {
        if *token != self.token {
            return Err(StateError::OutsideWitness(format!("metadata of token {token}")));
        }
        Ok(self.info.clone())
    }

    fn balance(&self, token: &TokenId, account: &Address) -> Result<u128, StateError> {
        self.amount(StateKey::Balance { token: *token, account: *account })
    }

    fn supply(&self, token: &TokenId) -> Result<u128, StateError> {
        self.amount(StateKey::Supply { token: *token })
    }

    fn storage(&self, token: &TokenId, key: &[u8]) -> Result<Option<Vec<u8>>, StateError> {
        self.get(StateKey::Storage { token: *token, key: key.to_vec() })
    }
}

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

/// Checks what can be checked of a witness before running: entries sorted by key and unique, and
/// every key the executing token's (`spec/bundle.md#canonical-witness`).
///
/// # Errors
/// [`VmError::NonCanonicalBundle`] naming the first offending entry.
pub fn check_witness(token: &TokenId, witness: &Witness) -> Result<(), VmError> {
    let mut prev: Option<&StateKey> = None;
    for (i, e) in witness.entries.iter().enumerate() {
        let owner = match &e.key {
            StateKey::Balance { token, .. }
            | StateKey::Supply { token }
            | StateKey::Storage { token, .. } => token,
        };
        if owner != token {
            return Err(VmError::NonCanonicalBundle(format!(
                "witness entry {i} ({}) is state of token {owner}, not of the executing token {token}",
                e.key
            )));
        }
        if let Some(p) = prev {
            if *p == e.key {
                return Err(VmError::NonCanonicalBundle(format!(
                    "witness entry {i} ({}) is a duplicate",
                    e.key
                )));
            }
            if *p > e.key {
                return Err(VmError::NonCanonicalBundle(format!(
                    "witness entries are not sorted by key: entry {i} ({}) comes after {p}",
                    e.key
                )));
            }
        }
        prev = Some(&e.key);
    }
    Ok(())
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
    if bundle.format_version != BUNDLE_FORMAT_VERSION {
        return Err(VmError::BundleVersion(bundle.format_version, BUNDLE_FORMAT_VERSION));
    }
    if bundle.rules_hash != vm.rules_hash() {
        return Err(VmError::RulesMismatch { bundle: bundle.rules_hash, vm: vm.rules_hash() });
    }
    check_witness(&bundle.invocation.token, &bundle.witness)?;
    let state = WitnessState::new(bundle.invocation.token, &bundle.witness);
    let tx = Transaction {
        code: &bundle.module,
        invocation: &bundle.invocation,
        context: &bundle.context,
        gas_limit: bundle.gas_limit,
    };
    // The trace level is the caller's: hash-only is enough to match; keep the events (`Full`) only
    // to show or bisect a divergence.
    let execution = vm.execute_with(&state, &tx, options)?;
    if let Some(key) = first_unread(&bundle.witness, &execution.witness) {
        return Err(VmError::NonCanonicalBundle(format!(
            "the witness holds {key}, which the execution never read"
        )));
    }
    let mismatches = receipt_mismatches(&bundle.expected, &execution.receipt);
    Ok(Replayed { execution, mismatches })
}
