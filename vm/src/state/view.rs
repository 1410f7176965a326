//! The node's state as tsvm sees it: a read-only view, and an in-memory implementation
//! (`spec/abi.md#state`).
//!
//! tsvm never writes to a [`StateView`]: an execution's effects come back as the receipt's
//! [`StateDiff`], which the node applies (or not) itself.

use abi::{amount, Address, StateDiff, StateKey, TokenId, TokenInfo};
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::collections::BTreeMap;

/// A failure to read the node's state. It aborts the execution with an `Err`: the node cannot know
/// what the script would have done.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StateError {
    /// The state could not be read (I/O, corruption, an inconsistent diff).
    #[error("{0}")]
    Failed(String),
    /// A replay read a key its bundle's witness does not hold (`spec/bundle.md#replay`).
    #[error("read outside the witness: {0}")]
    OutsideWitness(String),
}

/// Read access to the node's state. Implemented by the node; [`InMemoryState`] ships for tests, the
/// CLI and replay.
pub trait StateView {
    /// A token's metadata, or `None` if the token does not exist.
    ///
    /// # Errors
    /// The state could not be read.
    fn token(&self, token: &TokenId) -> Result<Option<TokenInfo>, StateError>;

    /// An account's balance (0 if it never held the token).
    ///
    /// # Errors
    /// The state could not be read.
    fn balance(&self, token: &TokenId, account: &Address) -> Result<u128, StateError>;

    /// A token's total supply.
    ///
    /// # Errors
    /// The state could not be read.
    fn supply(&self, token: &TokenId) -> Result<u128, StateError>;

    /// A storage entry of a token's script.
    ///
    /// # Errors
    /// The state could not be read.
    fn storage(&self, token: &TokenId, key: &[u8]) -> Result<Option<Vec<u8>>, StateError>;

    /// The value of `key` in the diff's value encoding (amounts as 16 bytes little-endian,
    /// `spec/abi.md#state`): one shape for every key. Provided from the methods above; an
    /// implementation that overrides it must return what they do.
    ///
    /// # Errors
    /// The state could not be read.
    fn read(&self, key: &StateKey) -> Result<Option<Vec<u8>>, StateError> {
        Ok(match key {
            StateKey::Balance { token, account } => amount::to_value(self.balance(token, account)?),
            StateKey::Supply { token } => amount::to_value(self.supply(token)?),
            StateKey::Storage { token, key } => self.storage(token, key)?,
        })
    }
}

/// One token's state in an [`InMemoryState`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenState {
    /// Metadata.
    pub info: TokenInfo,
    /// Total supply.
    #[serde(with = "abi::hex::amount")]
    pub supply: u128,
    /// Balances by account (absent means zero).
    #[serde(default, with = "balances_map")]
    pub balances: BTreeMap<Address, u128>,
    /// The script's storage, hex keys to hex values in JSON.
    #[serde(default, with = "storage_map")]
    pub storage: BTreeMap<Vec<u8>, Vec<u8>>,
}

/// A complete state held in memory, ordered (so its JSON form is canonical).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InMemoryState {
    /// Tokens by id.
    pub tokens: BTreeMap<TokenId, TokenState>,
}

impl InMemoryState {
    /// Applies a receipt's diff, checking that every `old` value matches (the diff must have been
    /// computed against this state).
    ///
    /// # Errors
    /// A diff entry whose `old` value does not match, or a malformed balance value; nothing is
    /// applied then.
    pub fn apply(&mut self, diff: &StateDiff) -> Result<(), StateError> {
        let mut next = self.clone();
        for entry in &diff.0 {
            let current = next.read(&entry.key)?;
            if current != entry.old {
                return Err(StateError::Failed(format!(
                    "diff does not apply: {:?} is {:?}, diff expects {:?}",
                    entry.key, current, entry.old
                )));
            }
            next.write(&entry.key, entry.new.as_deref())?;
        }
        *self = next;
        Ok(())
    }

    /// Reads a key in the diff's value encoding (amounts as 16 bytes little-endian): [`StateView::read`],
    /// callable without the trait in scope.
    ///
    /// # Errors
    /// Unknown token for balance and supply keys.
    pub fn read(&self, key: &StateKey) -> Result<Option<Vec<u8>>, StateError> {
        StateView::read(self, key)
    }

    fn write(&mut self, key: &StateKey, value: Option<&[u8]>) -> Result<(), StateError> {
        let amount = |v: Option<&[u8]>| -> Result<u128, StateError> {
            v.and_then(amount::decode)
                .ok_or_else(|| StateError::Failed(format!("{key:?}: amount value must be 16 bytes")))
        };
        match key {
            StateKey::Balance { token, account } => {
                let amount = amount(value)?;
                let balances = &mut self.token_mut(token)?.balances;
                if amount == 0 {
                    balances.remove(account);
                } else {
                    balances.insert(*account, amount);
                }
            }
            StateKey::Supply { token } => self.token_mut(token)?.supply = amount(value)?,
            StateKey::Storage { token, key } => {
                let storage = &mut self.token_mut(token)?.storage;
                match value {
                    Some(v) => storage.insert(key.clone(), v.to_vec()),
                    None => storage.remove(key),
                };
            }
        }
        Ok(())
    }

    fn token_ref(&self, token: &TokenId) -> Result<&TokenState, StateError> {
        self.tokens.get(token).ok_or_else(|| StateError::Failed(format!("unknown token {token}")))
    }

    fn token_mut(&mut self, token: &TokenId) -> Result<&mut TokenState, StateError> {
        self.tokens.get_mut(token).ok_or_else(|| StateError::Failed(format!("unknown token {token}")))
    }
}

/// A view behind a `RefCell`, so that what it holds can change between executions while a
/// [`crate::Session`] borrows it (a block's pending state, `spec/abi.md#instance-reuse`). Each read
/// borrows it for the read only.
impl<V: StateView> StateView for RefCell<V> {
    fn token(&self, token: &TokenId) -> Result<Option<TokenInfo>, StateError> {
        self.borrow().token(token)
    }
    fn balance(&self, token: &TokenId, account: &Address) -> Result<u128, StateError> {
        self.borrow().balance(token, account)
    }
    fn supply(&self, token: &TokenId) -> Result<u128, StateError> {
        self.borrow().supply(token)
    }
    fn storage(&self, token: &TokenId, key: &[u8]) -> Result<Option<Vec<u8>>, StateError> {
        self.borrow().storage(token, key)
    }
    fn read(&self, key: &StateKey) -> Result<Option<Vec<u8>>, StateError> {
        self.borrow().read(key)
    }
}

impl StateView for InMemoryState {
    fn token(&self, token: &TokenId) -> Result<Option<TokenInfo>, StateError> {
        Ok(self.tokens.get(token).map(|t| t.info.clone()))
    }

    fn balance(&self, token: &TokenId, account: &Address) -> Result<u128, StateError> {
        Ok(self.token_ref(token)?.balances.get(account).copied().unwrap_or(0))
    }

    fn supply(&self, token: &TokenId) -> Result<u128, StateError> {
        Ok(self.token_ref(token)?.supply)
    }

    fn storage(&self, token: &TokenId, key: &[u8]) -> Result<Option<Vec<u8>>, StateError> {
        Ok(self.token_ref(token)?.storage.get(key).cloned())
    }
}

mod balances_map {
    use abi::Address;
    use serde::{de::Error, Deserialize, Deserializer, Serializer};
    use std::collections::BTreeMap;

    pub fn serialize<S: Serializer>(v: &BTreeMap<Address, u128>, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(v.iter().map(|(k, v)| (k.to_string(), v.to_string())))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<Address, u128>, D::Error> {
        BTreeMap::<String, String>::deserialize(d)?
            .into_iter()
            .map(|(k, v)| {
                let account = Address::from_hex(&k).map_err(D::Error::custom)?;
                let amount = abi::hex::parse_amount(&v)
                    .map_err(|e| D::Error::custom(format!("balance of {k}: {e}")))?;
                Ok((account, amount))
            })
            .collect()
    }
}

mod storage_map {
    use serde::{de::Error, Deserialize, Deserializer, Serializer};
    use std::collections::BTreeMap;

    pub fn serialize<S: Serializer>(v: &BTreeMap<Vec<u8>, Vec<u8>>, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(v.iter().map(|(k, v)| (abi::hex::encode(k), abi::hex::encode(v))))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<Vec<u8>, Vec<u8>>, D::Error> {
        BTreeMap::<String, String>::deserialize(d)?
            .into_iter()
            .map(|(k, v)| {
                let key =
                    abi::hex::decode(&k).map_err(|e| D::Error::custom(format!("storage key {k:?}: {e}")))?;
                let value = abi::hex::decode(&v)
                    .map_err(|e| D::Error::custom(format!("storage value of {k}: {e}")))?;
                Ok((key, value))
            })
            .collect()
    }
}
