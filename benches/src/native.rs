//! Baseline (c) of the transfer bench: the example token script's transfer pipeline written as a
//! plain Rust function over hash maps (the floor: no VM at all). It computes the same events and
//! diff as the script does through tsvm.

use crate::plain::Outcome;
use abi::{Address, DiffEntry, Event, StateDiff, StateKey, TokenId};
use std::collections::HashMap;
use vm::InMemoryState;

/// One token's balances and script storage in hash maps.
pub struct NativeState {
    /// The token.
    pub token: TokenId,
    /// Balances (absent: zero).
    pub balances: HashMap<Address, u128>,
    /// The script's storage.
    pub storage: HashMap<Vec<u8>, Vec<u8>>,
}

impl NativeState {
    /// `token`'s part of `state`.
    pub fn from_state(state: &InMemoryState, token: TokenId) -> Self {
        let t = &state.tokens[&token];
        Self {
            token,
            balances: t.balances.iter().map(|(a, b)| (*a, *b)).collect(),
            storage: t.storage.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        }
    }

    fn u64_entry(&self, key: &[u8]) -> Option<u64> {
        self.storage.get(key).and_then(|v| <[u8; 8]>::try_from(v.as_slice()).ok()).map(u64::from_le_bytes)
    }
}

/// `before_transfer`, the transfer, `after_transfer` of `examples/token.wat`, in Rust.
///
/// # Errors
/// The limit is exceeded or the balance is insufficient (the fixture does neither).
pub fn transfer(
    state: &NativeState,
    from: &Address,
    to: &Address,
    amount: u128,
) -> Result<Outcome, &'static str> {
    // before_transfer: the limit, then count += 1.
    let limit = state.u64_entry(b"limit").unwrap_or(1000);
    if amount > u128::from(limit) {
        return Err("transfer above limit");
    }
    let count_before = state.u64_entry(b"count");
    // The native transfer.
    let from_balance = state.balances.get(from).copied().unwrap_or(0);
    if amount == 0 || from_balance < amount {
        return Err("insufficient balance");
    }
    let to_balance = state.balances.get(to).copied().unwrap_or(0);
    let to_balance = to_balance.checked_add(amount).ok_or("supply overflow")?;
    // after_transfer: the event, then count += 1 again.
    let events = vec![Event { topic: b"transfer".to_vec(), data: amount.to_le_bytes().to_vec() }];
    let count_after = count_before.unwrap_or(0) + 2;
    let token = state.token;
    let mut diff = vec![
        DiffEntry {
            key: StateKey::Balance { token, account: *from },
            old: Some(from_balance.to_le_bytes().to_vec()),
            new: Some((from_balance - amount).to_le_bytes().to_vec()),
        },
        DiffEntry {
            key: StateKey::Storage { token, key: b"count".to_vec() },
            old: count_before.map(|c| c.to_le_bytes().to_vec()),
            new: Some(count_after.to_le_bytes().to_vec()),
        },
    ];
    if from != to {
        diff.push(DiffEntry {
            key: StateKey::Balance { token, account: *to },
            old: Some((to_balance - amount).to_le_bytes().to_vec()),
            new: Some(to_balance.to_le_bytes().to_vec()),
        });
    } else {
        diff.remove(0);
    }
    diff.sort_by(|a, b| a.key.cmp(&b.key));
    Ok(Outcome { events, diff: StateDiff(diff) })
}
