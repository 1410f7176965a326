//! The overlay's maps from state keys to values: sorted by key, a vector while small, a B-tree
//! beyond.
//!
//! A transfer touches four keys. A B-tree's first node for these keys and values is about 1.1 KB,
//! past glibc's per-thread cache of small blocks, so each execution's two maps cost two slow
//! allocations (and a consolidation of the allocator's fast bins) and two frees; a vector of four
//! entries is 384 bytes. Beyond [`SMALL_MAX`] entries the map becomes a B-tree, so a script
//! touching many keys pays logarithmic lookups as before, never a quadratic insertion.

use abi::{StateKey, TokenId};
use std::collections::BTreeMap;
use std::ops::Bound;

/// A key's value: `None` for an absent key.
pub(crate) type Value = Option<Vec<u8>>;

/// Entries kept in a sorted vector before the map becomes a B-tree.
const SMALL_MAX: usize = 8;

/// A map from state keys to values, iterated in key order.
pub(crate) enum KeyMap {
    /// Sorted by key, no key twice; at most [`SMALL_MAX`] entries.
    Small(Vec<(StateKey, Value)>),
    /// More than [`SMALL_MAX`] entries.
    Large(BTreeMap<StateKey, Value>),
}

impl Default for KeyMap {
    fn default() -> Self {
        KeyMap::Small(Vec::new())
    }
}

impl KeyMap {
    /// The value of `key`, if the map has it.
    pub(crate) fn get(&self, key: &StateKey) -> Option<&Value> {
        match self {
            // At most eight entries: a scan for equality (inline compares of the 32-byte ids)
            // costs less than a binary search's ordered compares (a memcmp call each).
            KeyMap::Small(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            KeyMap::Large(map) => map.get(key),
        }
    }

    /// The entry of the storage key of `token` named `key`, found without an owned key while the
    /// map is a vector (a B-tree is searched with one).
    pub(crate) fn storage(&self, token: &TokenId, key: &[u8]) -> Option<(&StateKey, &Value)> {
        match self {
            KeyMap::Small(entries) => {
                entries.iter().find(|(k, _)| is_storage(k, token, key)).map(|(k, v)| (k, v))
            }
            KeyMap::Large(map) => map.get_key_value(&StateKey::Storage { token: *token, key: key.to_vec() }),
        }
    }

    /// As [`KeyMap::storage`], with the value to change in place.
    pub(crate) fn storage_mut(&mut self, token: &TokenId, key: &[u8]) -> Option<(&StateKey, &mut Value)> {
        match self {
            KeyMap::Small(entries) => {
                entries.iter_mut().find(|(k, _)| is_storage(k, token, key)).map(|(k, v)| (&*k, v))
            }
            KeyMap::Large(map) => {
                let key = StateKey::Storage { token: *token, key: key.to_vec() };
                map.range_mut::<StateKey, _>((Bound::Included(&key), Bound::Included(&key))).next()
            }
        }
    }

    /// The value of `key`; if the map lacks it, `read`'s value, inserted first. A key the map
    /// has is found once, and a new one is not looked up again after its insertion.
    pub(crate) fn get_or_insert<E>(
        &mut self,
        key: &StateKey,
        read: impl FnOnce() -> Result<Value, E>,
    ) -> Result<&Value, E> {
        let present = match self {
            KeyMap::Small(entries) => entries.iter().position(|(k, _)| k == key),
            KeyMap::Large(map) => map.contains_key(key).then_some(0),
        };
        Ok(match (present, self) {
            (Some(i), KeyMap::Small(entries)) => &entries[i].1,
            (Some(_), KeyMap::Large(map)) => &map[key],
            (None, map) => map.insert(key.clone(), read()?),
        })
    }

    /// Sets `key` to `value`, replacing any value it had; gives the value as stored.
    pub(crate) fn insert(&mut self, key: StateKey, value: Value) -> &Value {
        if let KeyMap::Small(entries) = self {
            if entries.len() == SMALL_MAX && entries.iter().all(|(k, _)| *k != key) {
                *self = KeyMap::Large(std::mem::take(entries).into_iter().collect());
            }
        }
        match self {
            KeyMap::Small(entries) => {
                let i = match entries.binary_search_by(|(k, _)| k.cmp(&key)) {
                    Ok(i) => {
                        entries[i].1 = value;
                        i
                    }
                    Err(i) => {
                        if entries.capacity() == 0 {
                            entries.reserve_exact(4);
                        }
                        entries.insert(i, (key, value));
                        i
                    }
                };
                &entries[i].1
            }
            KeyMap::Large(map) => {
                let slot = map.entry(key).or_default();
                *slot = value;
                slot
            }
        }
    }

    /// Whether the map has become a B-tree (more than [`SMALL_MAX`] keys).
    pub(crate) fn is_large(&self) -> bool {
        matches!(self, KeyMap::Large(_))
    }

    /// How many keys the map has.
    pub(crate) fn len(&self) -> usize {
        match self {
            KeyMap::Small(entries) => entries.len(),
            KeyMap::Large(map) => map.len(),
        }
    }

    /// The entries in key order.
    pub(crate) fn into_sorted(self) -> IntoSorted {
        match self {
            KeyMap::Small(entries) => IntoSorted::Small(entries.into_iter()),
            KeyMap::Large(map) => IntoSorted::Large(map.into_iter()),
        }
    }
}

/// A [`KeyMap`]'s entries in key order. It knows how many are left, so a vector collected from it
/// is allocated once at its final size (the witness of a transfer has five entries: an
/// iterator without the count would start at four and grow).
pub(crate) enum IntoSorted {
    Small(std::vec::IntoIter<(StateKey, Value)>),
    Large(std::collections::btree_map::IntoIter<StateKey, Value>),
}

impl Iterator for IntoSorted {
    type Item = (StateKey, Value);

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            IntoSorted::Small(entries) => entries.next(),
            IntoSorted::Large(entries) => entries.next(),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match self {
            IntoSorted::Small(entries) => entries.size_hint(),
            IntoSorted::Large(entries) => entries.size_hint(),
        }
    }
}

impl ExactSizeIterator for IntoSorted {}

/// Whether `k` is the storage key of `token` named `key`.
fn is_storage(k: &StateKey, token: &TokenId, key: &[u8]) -> bool {
    matches!(k, StateKey::Storage { token: t, key: name } if t == token && name.as_slice() == key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn storage(k: u8) -> StateKey {
        StateKey::Storage { token: TokenId([0; 32]), key: vec![k] }
    }

    /// At the limit the map is still a vector; one key past it, a B-tree holding every entry;
    /// setting a key it has, at the limit, does not grow it.
    #[test]
    fn the_map_becomes_a_b_tree_one_key_past_small_max() {
        let mut map = KeyMap::default();
        for k in 0..SMALL_MAX as u8 {
            map.insert(storage(k), Some(vec![k]));
        }
        map.insert(storage(0), None);
        assert!(matches!(&map, KeyMap::Small(e) if e.len() == SMALL_MAX));
        assert_eq!(map.insert(storage(SMALL_MAX as u8), Some(vec![1])), &Some(vec![1]));
        assert!(matches!(&map, KeyMap::Large(m) if m.len() == SMALL_MAX + 1));
        assert_eq!(map.get(&storage(0)), Some(&None));
        assert_eq!(map.get(&storage(1)), Some(&Some(vec![1])));
    }

    proptest! {
        /// Against a B-tree: the same answers to every lookup after every insertion, the same
        /// entries in the same order at the end, below, at and past the switch to a B-tree.
        #[test]
        fn a_key_map_is_a_sorted_map(
            ops in proptest::collection::vec(
                (0u8..24, proptest::option::of(proptest::collection::vec(any::<u8>(), 0..4))),
                0..40,
            ),
        ) {
            let key = |k: u8| StateKey::Storage { token: TokenId([k % 3; 32]), key: vec![k] };
            let (mut map, mut model) = (KeyMap::default(), BTreeMap::new());
            for (k, value) in ops {
                map.insert(key(k), value.clone());
                model.insert(key(k), value);
                for probe in 0..24 {
                    prop_assert_eq!(map.get(&key(probe)), model.get(&key(probe)));
                    let by_parts = map.storage(&TokenId([probe % 3; 32]), &[probe]);
                    prop_assert_eq!(by_parts, model.get_key_value(&key(probe)));
                    let owned = |(k, v): (&StateKey, &Value)| (k.clone(), v.clone());
                    let by_parts_mut = map.storage_mut(&TokenId([probe % 3; 32]), &[probe]);
                    prop_assert_eq!(
                        by_parts_mut.map(|(k, v)| owned((k, v))),
                        model.get_key_value(&key(probe)).map(owned)
                    );
                    // The same name under another token is another key.
                    prop_assert_eq!(map.storage(&TokenId([probe % 3 + 1; 32]), &[probe]), None);
                }
            }
            prop_assert!(matches!(map, KeyMap::Small(_)) == (model.len() <= SMALL_MAX));
            let probe = key(30);
            prop_assert_eq!(map.get_or_insert(&probe, || Ok::<_, ()>(Some(vec![7]))), Ok(&Some(vec![7])));
            prop_assert_eq!(map.get_or_insert(&probe, || Err(())), Ok(&Some(vec![7])));
            model.insert(probe, Some(vec![7]));
            prop_assert_eq!(map.into_sorted().collect::<Vec<_>>(), model.into_iter().collect::<Vec<_>>());
        }
    }
}
