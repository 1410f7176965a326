//! The write overlay of one execution over a read-only [`StateView`] (`spec/abi.md#state`).
//!
//! Reads go to the overlay first, then to the view (remembered, so every key is read from the view
//! at most once: the set of those reads is the pre-state witness). Writes stay in the overlay; on
//! success they become the canonical [`StateDiff`], on failure they are dropped.

use crate::observe::trace::Tracer;
use crate::{StateError, StateView};
use abi::{amount, Address, DiffEntry, StateDiff, StateKey, TokenId};
use std::collections::BTreeMap;

/// Pending changes of one execution.
pub(crate) struct Overlay<'a> {
    view: &'a dyn StateView,
    token: TokenId,
    /// Values read from the view, by key (the pre-state witness).
    base: BTreeMap<StateKey, Option<Vec<u8>>>,
    /// Current values of written keys.
    writes: BTreeMap<StateKey, Option<Vec<u8>>>,
    /// The execution's trace: every read and write through the overlay is an event.
    pub(crate) trace: Tracer,
}

/// The amount an amount key's value holds. Amount keys always hold 16 bytes: the overlay only ever
/// writes them through [`amount::to_value`] and reads them from the view as `u128`.
fn bytes_amount(v: &Option<Vec<u8>>) -> u128 {
    v.as_deref().and_then(amount::decode).unwrap_or(0)
}

impl<'a> Overlay<'a> {
    pub(crate) fn new(view: &'a dyn StateView, token: TokenId, trace: Tracer) -> Self {
        Self { view, token, base: BTreeMap::new(), writes: BTreeMap::new(), trace }
    }

    fn base_value(&mut self, key: &StateKey) -> Result<Option<Vec<u8>>, StateError> {
        if let Some(v) = self.base.get(key) {
            return Ok(v.clone());
        }
        let v = match key {
            StateKey::Balance { token, account } => amount::to_value(self.view.balance(token, account)?),
            StateKey::Supply { token } => amount::to_value(self.view.supply(token)?),
            StateKey::Storage { token, key } => self.view.storage(token, key)?,
        };
        self.base.insert(key.clone(), v.clone());
        Ok(v)
    }

    fn get(&mut self, key: &StateKey) -> Result<Option<Vec<u8>>, StateError> {
        let value = match self.writes.get(key) {
            Some(v) => v.clone(),
            None => self.base_value(key)?,
        };
        self.trace.access(false, key, value.as_deref());
        Ok(value)
    }

    fn set(&mut self, key: StateKey, value: Option<Vec<u8>>) -> Result<(), StateError> {
        // Make sure the old value is known, so the diff can show it.
        self.base_value(&key)?;
        self.trace.access(true, &key, value.as_deref());
        self.writes.insert(key, value);
        Ok(())
    }

    fn balance_key(&self, account: &Address) -> StateKey {
        StateKey::Balance { token: self.token, account: *account }
    }

    pub(crate) fn balance(&mut self, account: &Address) -> Result<u128, StateError> {
        let key = self.balance_key(account);
        Ok(bytes_amount(&self.get(&key)?))
    }

    pub(crate) fn set_balance(&mut self, account: &Address, amount: u128) -> Result<(), StateError> {
        let key = self.balance_key(account);
        self.set(key, amount::to_value(amount))
    }

    pub(crate) fn supply(&mut self) -> Result<u128, StateError> {
        Ok(bytes_amount(&self.get(&StateKey::Supply { token: self.token })?))
    }

    pub(crate) fn set_supply(&mut self, amount: u128) -> Result<(), StateError> {
        self.set(StateKey::Supply { token: self.token }, amount::to_value(amount))
    }

    pub(crate) fn storage(&mut self, key: &[u8]) -> Result<Option<Vec<u8>>, StateError> {
        self.get(&StateKey::Storage { token: self.token, key: key.to_vec() })
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

    pub(crate) fn set_storage(&mut self, key: &[u8], value: Option<Vec<u8>>) -> Result<(), StateError> {
        self.set(StateKey::Storage { token: self.token, key: key.to_vec() }, value)
    }

    /// Gives up the overlay for its trace, witness and diff.
    pub(crate) fn into_parts(self) -> (Tracer, BTreeMap<StateKey, Option<Vec<u8>>>, StateDiff) {
        let diff = self.diff();
        (self.trace, self.base, diff)
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
