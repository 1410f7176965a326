//! A state made only of a bundle's witness, and the witness's canonical form (`spec/bundle.md`).
//!
//! [`WitnessState`] answers exactly the reads the original execution made and refuses any other
//! with a distinct error ([`StateError::OutsideWitness`]).

use crate::{StateError, StateView, VmError};
use abi::{Address, StateKey, TokenId, TokenInfo, Witness};
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
            .and_then(abi::amount::decode)
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
