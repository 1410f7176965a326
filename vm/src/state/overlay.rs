//! The write overlay of one execution over a read-only [`StateView`] (`spec/abi.md#state`).
//!
//! Reads go to the overlay first, then to the view (remembered, so every key is read from the view
//! at most once: the set of those reads, with the token's metadata, is the pre-state witness).
//! Writes stay in the overlay; on success they become the canonical [`StateDiff`], on failure they
//! are dropped. Every read and write is reported to the execution's [`Observer`] (the trace commits
//! to it); the overlay itself only holds state.

use crate::observe::Observer;
use crate::{StateError, StateView};
use abi::{amount, Address, DiffEntry, StateDiff, StateKey, TokenId, TokenInfo, Witness, WitnessEntry};
use std::collections::BTreeMap;

/// Pending changes of one execution.
pub(crate) struct Overlay<'a> {
    view: &'a dyn StateView,
    token: TokenId,
    /// The token's metadata as read from the view (the witness's `token`).
    info: Option<TokenInfo>,
    /// Values read from the view, by key (the pre-state witness).
    base: BTreeMap<StateKey, Option<Vec<u8>>>,
    /// Current values of written keys.
    writes: BTreeMap<StateKey, Option<Vec<u8>>>,
}

/// The amount an amount key's value holds. Amount keys always hold 16 bytes: the overlay only ever
/// writes them through [`amount::to_value`] and reads them from the view as `u128`.
fn bytes_amount(v: &Option<Vec<u8>>) -> u128 {
    v.as_deref().and_then(amount::decode).unwrap_or(0)
}

impl<'a> Overlay<'a> {
    pub(crate) fn new(view: &'a dyn StateView, token: TokenId) -> Self {
        Self { view, token, info: None, base: BTreeMap::new(), writes: BTreeMap::new() }
    }

    /// Reads the token's metadata (`None`: the token does not exist), once per execution.
    pub(crate) fn token_info(&mut self, obs: &mut Observer) -> Result<Option<TokenInfo>, StateError> {
        let info = self.view.token(&self.token)?;
        obs.token(&info);
        self.info = info.clone();
        Ok(info)
    }

    fn base_value(&mut self, key: &StateKey) -> Result<Option<Vec<u8>>, StateError> {
        if let Some(v) = self.base.get(key) {
            return Ok(v.clone());
        }
        let v = self.view.read(key)?;
        self.base.insert(key.clone(), v.clone());
        Ok(v)
    }

    fn get(&mut self, obs: &mut Observer, key: &StateKey) -> Result<Option<Vec<u8>>, StateError> {
        let value = match self.writes.get(key) {
            Some(v) => v.clone(),
            None => self.base_value(key)?,
        };
        obs.read(key, value.as_deref());
        Ok(value)
    }

    fn set(&mut self, obs: &mut Observer, key: StateKey, value: Option<Vec<u8>>) -> Result<(), StateError> {
        // Make sure the old value is known, so the diff can show it.
        self.base_value(&key)?;
        obs.write(&key, value.as_deref());
        self.writes.insert(key, value);
        Ok(())
    }

    fn balance_key(&self, account: &Address) -> StateKey {
        StateKey::Balance { token: self.token, account: *account }
    }

    pub(crate) fn balance(&mut self, obs: &mut Observer, account: &Address) -> Result<u128, StateError> {
        let key = self.balance_key(account);
        Ok(bytes_amount(&self.get(obs, &key)?))
    }

    pub(crate) fn set_balance(
        &mut self,
        obs: &mut Observer,
        account: &Address,
        value: u128,
    ) -> Result<(), StateError> {
        let key = self.balance_key(account);
        self.set(obs, key, amount::to_value(value))
    }

    pub(crate) fn supply(&mut self, obs: &mut Observer) -> Result<u128, StateError> {
        Ok(bytes_amount(&self.get(obs, &StateKey::Supply { token: self.token })?))
    }

    pub(crate) fn set_supply(&mut self, obs: &mut Observer, value: u128) -> Result<(), StateError> {
        self.set(obs, StateKey::Supply { token: self.token }, amount::to_value(value))
    }

    pub(crate) fn storage(&mut self, obs: &mut Observer, key: &[u8]) -> Result<Option<Vec<u8>>, StateError> {
        self.get(obs, &StateKey::Storage { token: self.token, key: key.to_vec() })
    }

    /// Length of the current value of a storage key (0 if absent), without a trace event: what a
    /// write or remove of it replaces.
    pub(crate) fn storage_len(&mut self, key: &[u8]) -> Result<usize, StateError> {
        let key = StateKey::Storage { token: self.token, key: key.to_vec() };
        Ok(match self.writes.get(&key) {
            Some(v) => v.as_ref().map_or(0, Vec::len),
            None => self.base_value(&key)?.map_or(0, |v| v.len()),
        })
    }

    pub(crate) fn set_storage(
        &mut self,
        obs: &mut Observer,
        key: &[u8],
        value: Option<Vec<u8>>,
    ) -> Result<(), StateError> {
        self.set(obs, StateKey::Storage { token: self.token, key: key.to_vec() }, value)
    }

    /// Gives up the overlay for its witness: the token's metadata and every key read from the view.
    pub(crate) fn into_witness(self) -> Witness {
        let entries = self.base.into_iter().map(|(key, value)| WitnessEntry { key, value }).collect();
        Witness { token: self.info, entries }
    }

    /// The canonical diff: sorted by key, no-op writes dropped.
    pub(crate) fn diff(&self) -> StateDiff {
        StateDiff(
            self.writes
                .iter()
                .filter_map(|(key, new)| {
                    let old = self.base.get(key).cloned().flatten();
                    (old != *new).then(|| DiffEntry { key: key.clone(), old, new: new.clone() })
                })
                .collect(),
        )
    }
}
