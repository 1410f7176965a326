//! The write overlay of one execution over a read-only [`StateView`] (`spec/abi.md#state`).
//!
//! Reads go to the overlay first, then to the view (remembered, so every key is read from the view
//! at most once: the set of those reads, with the token's metadata, is the pre-state witness).
//! Writes stay in the overlay; on success they become the canonical [`StateDiff`], on failure they
//! are dropped. Every read and write is reported to the execution's [`Observer`] (the trace commits
//! to it); the overlay itself only holds state.

use super::key_map::{KeyMap, Value};
use crate::observe::Observer;
use crate::{StateError, StateView};
use abi::{amount, Address, DiffEntry, StateDiff, StateKey, TokenId, TokenInfo, Witness, WitnessEntry};
use std::mem::take;

/// Pending changes of one execution.
pub(crate) struct Overlay<'a> {
    view: &'a dyn StateView,
    token: TokenId,
    /// The token's metadata as read from the view (the witness's `token`).
    info: Option<TokenInfo>,
    /// Values read from the view, by key (the pre-state witness).
    base: KeyMap,
    /// Current values of written keys.
    writes: KeyMap,
}

/// The amount an amount key's value holds. Amount keys always hold 16 bytes: the overlay only ever
/// writes them through [`amount::to_value`] and reads them from the view as `u128`.
fn bytes_amount(v: Option<&[u8]>) -> u128 {
    v.and_then(amount::decode).unwrap_or(0)
}

/// `key`'s value in the view, read from it the first time and remembered in `base` (the witness).
fn base_value<'b>(
    base: &'b mut KeyMap,
    view: &dyn StateView,
    key: &StateKey,
) -> Result<&'b Value, StateError> {
    base.get_or_insert(key, || view.read(key))
}

impl<'a> Overlay<'a> {
    pub(crate) fn new(view: &'a dyn StateView, token: TokenId) -> Self {
        Self { view, token, info: None, base: KeyMap::default(), writes: KeyMap::default() }
    }

    /// Reads the token's metadata (`None`: the token does not exist), once per execution.
    pub(crate) fn token_info(&mut self, obs: &mut Observer) -> Result<Option<TokenInfo>, StateError> {
        let info = self.view.token(&self.token)?;
        obs.token(&info);
        self.info = info.clone();
        Ok(info)
    }

    /// The current value of `key` (the overlay's if written, else the view's, read once), reported
    /// to `obs`. Borrowed: reading a balance or the supply allocates nothing.
    fn get(&mut self, obs: &mut Observer, key: &StateKey) -> Result<Option<&[u8]>, StateError> {
        let value = match self.writes.get(key) {
            Some(v) => v.as_deref(),
            None => base_value(&mut self.base, self.view, key)?.as_deref(),
        };
        obs.read(key, value);
        Ok(value)
    }

    fn set(&mut self, obs: &mut Observer, key: StateKey, value: Option<Vec<u8>>) -> Result<(), StateError> {
        // Make sure the old value is known, so the diff can show it.
        base_value(&mut self.base, self.view, &key)?;
        obs.write(&key, value.as_deref());
        self.writes.insert(key, value);
        Ok(())
    }

    fn balance_key(&self, account: &Address) -> StateKey {
        StateKey::Balance { token: self.token, account: *account }
    }

    pub(crate) fn balance(&mut self, obs: &mut Observer, account: &Address) -> Result<u128, StateError> {
        let key = self.balance_key(account);
        Ok(bytes_amount(self.get(obs, &key)?))
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
        Ok(bytes_amount(self.get(obs, &StateKey::Supply { token: self.token })?))
    }

    pub(crate) fn set_supply(&mut self, obs: &mut Observer, value: u128) -> Result<(), StateError> {
        self.set(obs, StateKey::Supply { token: self.token }, amount::to_value(value))
    }

    /// The current value of the executing token's storage entry `key` (the overlay's if written,
    /// else the view's, read once), reported to `obs`, as [`Overlay::get`]. Borrowed both ways: the
    /// key is copied only the first time the view is asked for it, to be remembered in the witness.
    pub(crate) fn storage(&mut self, obs: &mut Observer, key: &[u8]) -> Result<Option<&[u8]>, StateError> {
        let token = self.token;
        if self.searched_by_owned_key() {
            return self.get(obs, &StateKey::Storage { token, key: key.to_vec() });
        }
        if let Some((k, value)) = self.writes.storage(&token, key) {
            obs.read(k, value.as_deref());
            return Ok(value.as_deref());
        }
        // Looked up twice when found: a reference returned from one branch would keep `base`
        // borrowed in the other.
        if self.base.storage(&token, key).is_none() {
            let k = StateKey::Storage { token, key: key.to_vec() };
            let value = self.view.read(&k)?;
            obs.read(&k, value.as_deref());
            return Ok(self.base.insert(k, value).as_deref());
        }
        let found = self.base.storage(&token, key);
        if let Some((k, value)) = found {
            obs.read(k, value.as_deref());
        }
        Ok(found.and_then(|(_, value)| value.as_deref()))
    }

    /// The current value of the executing token's storage entry `key` if [`Overlay::storage`] has
    /// read it, without a trace event.
    pub(crate) fn storage_again(&self, key: &[u8]) -> Option<&[u8]> {
        let value = if self.searched_by_owned_key() {
            let key = StateKey::Storage { token: self.token, key: key.to_vec() };
            self.writes.get(&key).or_else(|| self.base.get(&key))
        } else {
            let entry = self.writes.storage(&self.token, key).or_else(|| self.base.storage(&self.token, key));
            entry.map(|(_, value)| value)
        };
        value.and_then(Option::as_deref)
    }

    /// Whether a storage key is looked up owned, made once for both maps: once either is a B-tree,
    /// which is searched with one ([`KeyMap::storage`] would make one per map).
    fn searched_by_owned_key(&self) -> bool {
        self.writes.is_large() || self.base.is_large()
    }

    /// Length of the current value of the executing token's storage entry `key` (0 if absent),
    /// without a trace event: what a write or remove of it replaces. Read from the view (and
    /// remembered in the witness) if neither map has it; the key is copied only then, or when a
    /// map is a B-tree.
    pub(crate) fn storage_len(&mut self, key: &[u8]) -> Result<usize, StateError> {
        let token = self.token;
        let len = |value: &Value| value.as_ref().map_or(0, Vec::len);
        if self.searched_by_owned_key() {
            let key = StateKey::Storage { token, key: key.to_vec() };
            return Ok(match self.writes.get(&key) {
                Some(value) => len(value),
                None => len(base_value(&mut self.base, self.view, &key)?),
            });
        }
        if let Some((_, value)) = self.writes.storage(&token, key).or_else(|| self.base.storage(&token, key))
        {
            return Ok(len(value));
        }
        let key = StateKey::Storage { token, key: key.to_vec() };
        let value = self.view.read(&key)?;
        Ok(len(self.base.insert(key, value)))
    }

    /// Writes (`Some`) or removes (`None`) the executing token's storage entry `key`, reported to
    /// `obs`. A key written before keeps its entry and its value's buffer: only the first write of
    /// a key copies it, and only a value that had none allocates.
    pub(crate) fn write_storage(
        &mut self,
        obs: &mut Observer,
        key: &[u8],
        value: Option<&[u8]>,
    ) -> Result<(), StateError> {
        let token = self.token;
        // Written before, so `base` already has the old value (`set` made sure of it).
        if let Some((k, slot)) = self.writes.storage_mut(&token, key) {
            match (slot.as_mut(), value) {
                (Some(buf), Some(value)) => {
                    buf.clear();
                    buf.extend_from_slice(value);
                }
                (_, value) => *slot = value.map(<[u8]>::to_vec),
            }
            obs.write(k, slot.as_deref());
            return Ok(());
        }
        self.set(obs, StateKey::Storage { token, key: key.to_vec() }, value.map(<[u8]>::to_vec))
    }

    /// Empties the overlay into its canonical diff (sorted by key, no-op writes dropped; empty
    /// unless `applied`: a failed execution applies nothing) and its witness (the token's metadata
    /// and every key read from the view). The written keys and values move into the diff; the
    /// overlay is left with nothing read or written.
    ///
    /// Without `witness` (a caller that keeps only the receipt), the witness has no entries and
    /// each old value moves from the reads into the diff instead of being copied: the same diff.
    pub(crate) fn finish(&mut self, applied: bool, witness: bool) -> (StateDiff, Witness) {
        let (info, base, writes) = (self.info.take(), take(&mut self.base), take(&mut self.writes));
        // Empty unless applied: a failed execution applies nothing.
        let writes = if applied { writes } else { KeyMap::default() };
        if !witness {
            // Both maps go in key order: one walk pairs each write with the read of its key.
            let mut reads = base.into_sorted().peekable();
            let diff = diff_of(writes, |key| {
                while reads.next_if(|(k, _)| k < key).is_some() {}
                reads.next_if(|(k, _)| k == key).and_then(|(_, v)| v)
            });
            return (diff, Witness { token: info, entries: Vec::new() });
        }
        let diff = diff_of(writes, |key| base.get(key).cloned().flatten());
        let entries = base.into_sorted().map(|(key, value)| WitnessEntry { key, value }).collect();
        (diff, Witness { token: info, entries })
    }
}

/// The canonical diff of `writes` (sorted by key, no-op writes dropped), each key's old value given
/// by `old`, asked in key order.
fn diff_of(writes: KeyMap, mut old: impl FnMut(&StateKey) -> Value) -> StateDiff {
    // Sized for every write: a filtered iterator would start the vector at four entries.
    let mut changed = Vec::with_capacity(writes.len());
    changed.extend(writes.into_sorted().filter_map(|(key, new)| {
        let old = old(&key);
        (old != new).then_some(DiffEntry { key, old, new })
    }));
    StateDiff(changed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::observe::TraceLevel;
    use crate::state::view::{InMemoryState, TokenState};

    /// Reading and writing storage by the guest's bytes ([`Overlay::storage`],
    /// [`Overlay::storage_len`], [`Overlay::write_storage`]) gives the values, the trace, the diff
    /// and the witness that doing so by an owned key ([`Overlay::get`], [`Overlay::set`]) gives:
    /// with no write, with writes (values replaced, removed and set again), and past the switch of
    /// either map to a B-tree (more than eight keys).
    #[test]
    fn storage_by_name_is_storage_by_key() {
        let token = TokenId([7; 32]);
        let mut view = InMemoryState::default();
        let storage = (0u8..12).map(|k| (vec![k], vec![k, k])).collect();
        view.tokens.insert(token, TokenState { storage, ..TokenState::default() });
        let key = |k: u8| StateKey::Storage { token, key: vec![k] };
        let len = |v: Option<&[u8]>| v.map_or(0, <[u8]>::len);
        for writes in [0u8, 3, 9, 14] {
            let mut by_name = (Overlay::new(&view, token), Observer::new(Some(TraceLevel::Full)));
            let mut by_key = (Overlay::new(&view, token), Observer::new(Some(TraceLevel::Full)));
            // Each key written, some twice (a longer value, then a shorter one), key 1 removed and
            // key 2 removed then written again; what each write replaces, asked first as a host
            // function does.
            let values = |k: u8| [Some(vec![k; 3]), Some(vec![k; 5]), Some(vec![k])];
            let mut ops: Vec<(u8, Option<Vec<u8>>)> =
                (0..writes).flat_map(|k| values(k).map(|v| (k, v))).collect();
            ops.extend([(1, None), (2, None), (2, Some(vec![9; 4]))]);
            for (k, value) in &ops {
                let old = by_key.0.get(&mut Observer::new(None), &key(*k)).unwrap().map(<[u8]>::to_vec);
                assert_eq!(
                    by_name.0.storage_len(&[*k]).unwrap(),
                    len(old.as_deref()),
                    "key {k}, {writes} writes"
                );
                by_name.0.write_storage(&mut by_name.1, &[*k], value.as_deref()).unwrap();
                by_key.0.set(&mut by_key.1, key(*k), value.clone()).unwrap();
            }
            // Each key twice in a row: a key read again while the maps are still vectors.
            for k in (0..16).flat_map(|k| [k, k]).chain([1, 0, 15]) {
                let named = by_name.0.storage(&mut by_name.1, &[k]).unwrap().map(<[u8]>::to_vec);
                assert_eq!(by_name.0.storage_again(&[k]), named.as_deref(), "key {k}, {writes} writes");
                let keyed = by_key.0.get(&mut by_key.1, &key(k)).unwrap().map(<[u8]>::to_vec);
                assert_eq!(named, keyed, "key {k}, {writes} writes");
            }
            let (named, keyed) = (by_name.0.finish(true, true), by_key.0.finish(true, true));
            assert_eq!(named, keyed, "{writes} writes");
            // The diff without the witness is the same.
            let (mut unwitnessed, mut failed) = (Overlay::new(&view, token), Overlay::new(&view, token));
            let mut obs = Observer::new(None);
            for (k, value) in &ops {
                for overlay in [&mut unwitnessed, &mut failed] {
                    overlay.storage_len(&[*k]).unwrap();
                    overlay.write_storage(&mut obs, &[*k], value.as_deref()).unwrap();
                }
            }
            for k in (0..16).flat_map(|k| [k, k]).chain([1, 0, 15]) {
                unwitnessed.storage(&mut obs, &[k]).unwrap();
            }
            let (diff, witness) = unwitnessed.finish(true, false);
            assert_eq!((&diff, witness.entries.len()), (&named.0, 0), "{writes} writes");
            assert_eq!(failed.finish(false, false).0, StateDiff::default());
            let (named, keyed) = (by_name.1.finish(), by_key.1.finish());
            assert_eq!((named.trace_hash, named.trace), (keyed.trace_hash, keyed.trace), "{writes} writes");
        }
    }
}
