//! A state made only of a bundle's witness, and the witness's canonical form (`spec/bundle.md`).
//!
//! [`WitnessState`] answers exactly the reads the original execution made and refuses any other
//! with a distinct error ([`StateError::OutsideWitness`]).

use crate::{StateError, StateView, VmError};
use abi::{Address, StateKey, TokenId, TokenInfo, Witness, WitnessEntry};

/// A state made only of a witness.
pub struct WitnessState {
    token: TokenId,
    info: Option<TokenInfo>,
    /// Sorted by key, each key once: found by binary search. A replayed witness is checked
    /// canonical ([`check_witness`]) before it is run, so it is kept as it comes.
    entries: Vec<WitnessEntry>,
}

impl WitnessState {
    /// The state a bundle's witness describes for `token`. Entries out of order are sorted, and of
    /// entries with one key the last is kept (as a map built from them would).
    pub fn new(token: TokenId, witness: &Witness) -> Self {
        Self::from_witness(token, witness.clone())
    }

    /// [`WitnessState::new`] of a witness given up to it, not copied: [`WitnessState::into_witness`]
    /// gives it back.
    pub fn from_witness(token: TokenId, witness: Witness) -> Self {
        let Witness { token: info, mut entries } = witness;
        if !entries.windows(2).all(|w| w[0].key < w[1].key) {
            entries.sort_by(|a, b| a.key.cmp(&b.key));
            // Stable: equal keys keep their order, and the later replaces the earlier.
            entries.dedup_by(|later, earlier| {
                let same = later.key == earlier.key;
                if same {
                    std::mem::swap(later, earlier);
                }
                same
            });
        }
        Self { token, info, entries }
    }

    /// The witness this state was made of (sorted, each key once).
    pub fn into_witness(self) -> Witness {
        Witness { token: self.info, entries: self.entries }
    }

    /// The witness value of `key`, found by the binary key: the key is shown (formatted) only in
    /// the error of a read outside the witness.
    fn value(&self, key: &StateKey) -> Result<Option<&[u8]>, StateError> {
        match self.entries.binary_search_by(|e| e.key.cmp(key)) {
            Ok(i) => Ok(self.entries[i].value.as_deref()),
            Err(_) => Err(StateError::OutsideWitness(key.to_string())),
        }
    }

    /// The amount held at a balance or supply `key`: its witness value must be 16 bytes.
    fn amount(&self, key: &StateKey) -> Result<u128, StateError> {
        self.value(key)?.and_then(abi::amount::decode).ok_or_else(|| not_an_amount(key))
    }
}

/// The error of a balance or supply whose witness value is absent or not 16 bytes.
fn not_an_amount(key: &StateKey) -> StateError {
    StateError::Failed(format!("witness value of {key} is not a 16-byte amount"))
}

impl StateView for WitnessState {
    fn token(&self, token: &TokenId) -> Result<Option<TokenInfo>, StateError> {
        if *token != self.token {
            return Err(StateError::OutsideWitness(format!("metadata of token {token}")));
        }
        Ok(self.info.clone())
    }

    fn balance(&self, token: &TokenId, account: &Address) -> Result<u128, StateError> {
        self.amount(&StateKey::Balance { token: *token, account: *account })
    }

    fn supply(&self, token: &TokenId) -> Result<u128, StateError> {
        self.amount(&StateKey::Supply { token: *token })
    }

    fn storage(&self, token: &TokenId, key: &[u8]) -> Result<Option<Vec<u8>>, StateError> {
        Ok(self.value(&StateKey::Storage { token: *token, key: key.to_vec() })?.map(<[u8]>::to_vec))
    }

    /// As the provided method: a balance or supply is its witness value when that is a 16-byte
    /// amount (whose value encoding is those same bytes), a storage entry its witness value; one
    /// lookup by `key` itself, without building another key.
    fn read(&self, key: &StateKey) -> Result<Option<Vec<u8>>, StateError> {
        let value = self.value(key)?;
        if let StateKey::Balance { .. } | StateKey::Supply { .. } = key {
            if value.and_then(abi::amount::decode).is_none() {
                return Err(not_an_amount(key));
            }
        }
        Ok(value.map(<[u8]>::to_vec))
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

#[cfg(test)]
mod tests {
    use super::*;
    use abi::amount;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    fn entry(key: StateKey, value: Option<Vec<u8>>) -> WitnessEntry {
        WitnessEntry { key, value }
    }

    /// What the trait's provided `read` gives: the reference for the override.
    fn provided_read(state: &WitnessState, key: &StateKey) -> Result<Option<Vec<u8>>, StateError> {
        Ok(match key {
            StateKey::Balance { token, account } => amount::to_value(state.balance(token, account)?),
            StateKey::Supply { token } => amount::to_value(state.supply(token)?),
            StateKey::Storage { token, key } => state.storage(token, key)?,
        })
    }

    #[test]
    fn reads_are_the_witness_values_and_others_name_the_key() {
        let (token, other) = (TokenId::from([1; 32]), TokenId::from([2; 32]));
        let (rich, poor, absent, bad) =
            (Address::from([3; 32]), Address::from([4; 32]), Address::from([5; 32]), Address::from([6; 32]));
        let balance = |token, account| StateKey::Balance { token, account };
        let storage = |token, key: &[u8]| StateKey::Storage { token, key: key.to_vec() };
        let mut entries = vec![
            entry(balance(token, rich), amount::to_value(7 << 64 | 9)),
            entry(balance(token, poor), amount::to_value(0)),
            entry(balance(token, bad), Some(vec![1; 15])),
            entry(StateKey::Supply { token }, amount::to_value(u128::MAX)),
            entry(storage(token, b"k"), Some(b"v".to_vec())),
            entry(storage(token, b"gone"), None),
        ];
        entries.sort_by(|a, b| a.key.cmp(&b.key));
        let witness = Witness { token: None, entries };
        check_witness(&token, &witness).expect("canonical");
        let state = WitnessState::new(token, &witness);

        assert_eq!(state.balance(&token, &rich), Ok(7 << 64 | 9));
        assert_eq!(state.balance(&token, &poor), Ok(0));
        assert_eq!(state.supply(&token), Ok(u128::MAX));
        assert_eq!(state.storage(&token, b"k"), Ok(Some(b"v".to_vec())));
        assert_eq!(state.storage(&token, b"gone"), Ok(None));
        let outside = state.balance(&token, &absent).expect_err("not in the witness");
        assert_eq!(outside, StateError::OutsideWitness(balance(token, absent).to_string()));
        assert!(outside.to_string().starts_with("read outside the witness: balance[0x0505"), "{outside}");
        assert_eq!(
            state.storage(&token, b"x"),
            Err(StateError::OutsideWitness("storage[0x78] of 0x".to_owned() + &"01".repeat(32)))
        );
        let not_amount =
            StateError::Failed(format!("witness value of {} is not a 16-byte amount", balance(token, bad)));
        assert_eq!(state.balance(&token, &bad), Err(not_amount));

        let keys = [
            balance(token, rich),
            balance(token, poor),
            balance(token, absent),
            balance(token, bad),
            balance(other, rich),
            StateKey::Supply { token },
            StateKey::Supply { token: other },
            storage(token, b"k"),
            storage(token, b"gone"),
            storage(token, b"x"),
            storage(other, b"k"),
        ];
        for key in &keys {
            assert_eq!(state.read(key), provided_read(&state, key), "{key}");
        }
    }

    proptest! {
        /// Whatever order and repeats the entries come in, every read answers as a map built from
        /// them (the last of one key's entries kept) would, and a key none holds is outside.
        #[test]
        fn reads_answer_as_a_map_of_the_entries(
            picks in proptest::collection::vec((0u8..6, proptest::option::of(0u8..3)), 0..12),
        ) {
            let token = TokenId::from([1; 32]);
            let key = |n: u8| match n {
                0 => StateKey::Supply { token },
                1 | 2 => StateKey::Balance { token, account: Address::from([n; 32]) },
                _ => StateKey::Storage { token, key: vec![n; usize::from(n)] },
            };
            let entries: Vec<WitnessEntry> = picks
                .iter()
                .map(|&(n, v)| entry(key(n), v.map(|v| vec![v; if n <= 2 { 16 } else { 1 }])))
                .collect();
            let model: BTreeMap<StateKey, Option<Vec<u8>>> =
                entries.iter().map(|e| (e.key.clone(), e.value.clone())).collect();
            let state = WitnessState::new(token, &Witness { token: None, entries });
            prop_assert!(state.entries.windows(2).all(|w| w[0].key < w[1].key));
            for n in 0..6 {
                let k = key(n);
                let want = match model.get(&k) {
                    Some(v) => Ok(v.as_deref()),
                    None => Err(StateError::OutsideWitness(k.to_string())),
                };
                prop_assert_eq!(state.value(&k), want, "{}", k);
            }
        }
    }
}
