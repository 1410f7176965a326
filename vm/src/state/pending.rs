//! The state a block's transaction sees: the node's view under the diffs of the block's earlier
//! successful transactions (`spec/block.md#state-between-transactions`).
//!
//! [`PendingState`] is a layer, never a copy: it holds only the keys the block has changed so far,
//! each with its value before the block and its current value, and reads every other key from the
//! view. The same map gives the block's combined diff.

use crate::{StateError, StateView};
use abi::{amount, Address, DiffEntry, StateDiff, StateKey, TokenId, TokenInfo};
use std::collections::BTreeMap;

/// A key the block changed: its value before the block and its current value (`None`: absent).
type Change = (Option<Vec<u8>>, Option<Vec<u8>>);

/// The changes of a [`PendingState`] without its view.
pub(crate) struct Changes(BTreeMap<StateKey, Change>);

/// The node's view under the pending diffs of a block's earlier transactions.
pub struct PendingState<'a> {
    view: &'a dyn StateView,
    changes: BTreeMap<StateKey, Change>,
}

impl<'a> PendingState<'a> {
    /// Nothing pending yet: reads are the view's.
    pub fn new(view: &'a dyn StateView) -> Self {
        Self { view, changes: BTreeMap::new() }
    }

    /// Layers a successful receipt's diff on top. Every entry's `old` must be the current value:
    /// the diff was computed against this state.
    ///
    /// # Errors
    /// A diff entry whose `old` is not the current value (a bug, or a view that changed under the
    /// block); nothing is applied then.
    pub fn apply(&mut self, diff: &StateDiff) -> Result<(), StateError> {
        for entry in &diff.0 {
            let current = self.read(&entry.key)?;
            if current != entry.old {
                return Err(StateError::Failed(format!(
                    "pending diff does not apply: {} is {current:?}, diff expects {:?}",
                    entry.key, entry.old
                )));
            }
        }
        for entry in &diff.0 {
            match self.changes.get_mut(&entry.key) {
                Some((_, new)) => new.clone_from(&entry.new),
                None => {
                    self.changes.insert(entry.key.clone(), (entry.old.clone(), entry.new.clone()));
                }
            }
        }
        Ok(())
    }

    /// Gives up the layer for its changes (which, unlike the layer, may cross threads).
    pub(crate) fn into_changes(self) -> Changes {
        Changes(self.changes)
    }

    /// Takes the changes of another layer over the same view whose keys are disjoint from this
    /// one's (another token's lane, `spec/block.md#lanes`).
    pub(crate) fn absorb(&mut self, other: Changes) {
        for (key, change) in other.0 {
            let previous = self.changes.insert(key, change);
            debug_assert!(previous.is_none(), "lanes share a key");
        }
    }

    /// The block's combined diff so far: every changed key, sorted, with its value before the block
    /// and now; keys changed back to their old value are dropped (canonical, `spec/abi.md#state-diff`).
    pub fn diff(&self) -> StateDiff {
        StateDiff(
            self.changes
                .iter()
                .filter(|(_, (old, new))| old != new)
                .map(|(key, (old, new))| DiffEntry { key: key.clone(), old: old.clone(), new: new.clone() })
                .collect(),
        )
    }

    fn pending(&self, key: &StateKey) -> Option<&Option<Vec<u8>>> {
        self.changes.get(key).map(|(_, new)| new)
    }

    fn pending_amount(&self, key: &StateKey) -> Option<u128> {
        self.pending(key).map(|v| v.as_deref().and_then(amount::decode).unwrap_or(0))
    }
}

impl StateView for PendingState<'_> {
    /// Token metadata is never in a diff: the view's.
    fn token(&self, token: &TokenId) -> Result<Option<TokenInfo>, StateError> {
        self.view.token(token)
    }

    fn balance(&self, token: &TokenId, account: &Address) -> Result<u128, StateError> {
        match self.pending_amount(&StateKey::Balance { token: *token, account: *account }) {
            Some(v) => Ok(v),
            None => self.view.balance(token, account),
        }
    }

    fn supply(&self, token: &TokenId) -> Result<u128, StateError> {
        match self.pending_amount(&StateKey::Supply { token: *token }) {
            Some(v) => Ok(v),
            None => self.view.supply(token),
        }
    }

    fn storage(&self, token: &TokenId, key: &[u8]) -> Result<Option<Vec<u8>>, StateError> {
        match self.pending(&StateKey::Storage { token: *token, key: key.to_vec() }) {
            Some(v) => Ok(v.clone()),
            None => self.view.storage(token, key),
        }
    }

    fn read(&self, key: &StateKey) -> Result<Option<Vec<u8>>, StateError> {
        match self.pending(key) {
            Some(v) => Ok(v.clone()),
            None => self.view.read(key),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{InMemoryState, TokenState};

    const T: TokenId = TokenId([7; 32]);

    fn bal(n: u8) -> StateKey {
        StateKey::Balance { token: T, account: Address([n; 32]) }
    }

    fn entry(key: StateKey, old: u128, new: u128) -> DiffEntry {
        DiffEntry { key, old: amount::to_value(old), new: amount::to_value(new) }
    }

    #[test]
    fn reads_see_pending_values_and_the_diff_keeps_the_first_old_and_last_new() {
        let mut base = InMemoryState::default();
        let mut token = TokenState::default();
        token.balances.insert(Address([1; 32]), 10);
        base.tokens.insert(T, token);
        let mut pending = PendingState::new(&base);
        pending.apply(&StateDiff(vec![entry(bal(1), 10, 4), entry(bal(2), 0, 6)])).unwrap();
        assert_eq!(pending.balance(&T, &Address([1; 32])).unwrap(), 4);
        pending.apply(&StateDiff(vec![entry(bal(1), 4, 10), entry(bal(2), 6, 1)])).unwrap();
        // Key 1 went back to 10: no entry; key 2: 0 before the block, 1 now.
        assert_eq!(pending.diff(), StateDiff(vec![entry(bal(2), 0, 1)]));
        assert!(pending.diff().is_canonical());
        // A stale `old` applies nothing.
        let stale = StateDiff(vec![entry(bal(2), 1, 3), entry(bal(1), 99, 0)]);
        assert!(pending.apply(&stale).is_err());
        assert_eq!(pending.balance(&T, &Address([2; 32])).unwrap(), 1);
    }
}
