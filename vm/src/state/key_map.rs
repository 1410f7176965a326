//! The overlay's maps from state keys to values: sorted by key, a vector while small, a B-tree
//! beyond.
//!
//! A transfer touches four keys. A B-tree's first node for these keys and values is about 1.1 KB,
//! past glibc's per-thread cache of small blocks, so each execution's two maps cost two slow
//! allocations (and a consolidation of the allocator's fast bins) and two frees; a vector of four
//! entries is 384 bytes. Beyond [`SMALL_MAX`] entries the map becomes a B-tree, so a script
//! touching many keys pays logarithmic lookups as before, never a quadratic insertion.

use abi::StateKey;
use std::collections::BTreeMap;

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

    /// The entries in key order.
    pub(crate) fn into_sorted(self) -> impl Iterator<Item = (StateKey, Value)> {
        let (small, large) = match self {
            KeyMap::Small(entries) => (Some(entries.into_iter()), None),
            KeyMap::Large(map) => (None, Some(map.into_iter())),
        };
        small.into_iter().flatten().chain(large.into_iter().flatten())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use abi::TokenId;
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
