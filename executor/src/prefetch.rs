//! What the node answers before the worker asks (`spec/executor.md#protocol`): the reads an
//! operation is known to make, and the storage keys earlier executions of the same module on the
//! same token read (learned). A hint only: it changes no result, only how many round trips an
//! execution takes.
#![forbid(unsafe_code)]

use crate::protocol::{ReadRequest, ReadValue};
use crate::validate::Answered;
use abi::{Call, Hash32, Operation, StateKey, TokenId, TxData};
use std::collections::BTreeMap;
use std::sync::Mutex;
use vm::{Execution, StateView};

/// Modules remembered by the learned prefetch.
const LEARNED_MODULES: usize = 1024;
/// Storage keys remembered per module and token.
const LEARNED_KEYS: usize = 32;

/// Storage keys earlier executions of a module on a token read, to prefetch next time: bounded,
/// never consensus-visible.
#[derive(Default)]
pub(crate) struct Learned(Mutex<LearnedInner>);

#[derive(Default)]
struct LearnedInner {
    keys: BTreeMap<(TokenId, Hash32), Vec<StateKey>>,
    /// The last module hashed, and its hash: a node runs the same token script many times in a
    /// row, and comparing its bytes costs far less than hashing them again.
    last_code: Vec<u8>,
    last_hash: Option<Hash32>,
}

/// The key an execution's hints are kept under, and the hints known for it.
pub(crate) struct Hints {
    key: (TokenId, Hash32),
    keys: Vec<StateKey>,
}

impl Learned {
    /// The hints for `tx` (whose code is `code`).
    pub(crate) fn hints(&self, tx: &TxData, code: &[u8]) -> Hints {
        let token = tx.invocation.token;
        let mut inner = self.lock();
        let memo = inner.last_hash.filter(|_| inner.last_code == code);
        let hash = match memo {
            Some(hash) => hash,
            None => {
                drop(inner);
                // Hashed without the lock held: a large module takes a while.
                let hash = abi::hash::content_hash(code);
                inner = self.lock();
                inner.last_code.clear();
                inner.last_code.extend_from_slice(code);
                inner.last_hash = Some(hash);
                hash
            }
        };
        let keys = inner.keys.get(&(token, hash)).cloned().unwrap_or_default();
        Hints { key: (token, hash), keys }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, LearnedInner> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Remembers the storage keys a validated execution read, unless they are the hints it had.
    pub(crate) fn learn(&self, hints: Hints, exec: &Execution) {
        let storage = exec.witness.entries.iter().filter(|e| matches!(e.key, StateKey::Storage { .. }));
        if storage.clone().map(|e| &e.key).take(LEARNED_KEYS).eq(hints.keys.iter()) {
            return;
        }
        let keys: Vec<StateKey> = storage.map(|e| e.key.clone()).take(LEARNED_KEYS).collect();
        let mut inner = self.lock();
        if inner.keys.len() >= LEARNED_MODULES && !inner.keys.contains_key(&hints.key) {
            inner.keys.clear();
        }
        inner.keys.insert(hints.key, keys);
    }
}

/// The reads an execution of `tx` is known to make: the token's metadata, and for an operation the
/// balances it moves and the supply a mint or burn changes; and the storage keys earlier executions
/// of the same module on the same token read (`hints`). A read the view fails is left to the
/// worker to ask for (so a failure surfaces only if the VM really reads it).
pub(crate) fn prefetch(
    state: &dyn StateView,
    tx: &TxData,
    hints: &Hints,
    answered: &mut Answered,
) -> Vec<(ReadRequest, ReadValue)> {
    let token = tx.invocation.token;
    let mut reqs = vec![ReadRequest::Token(token)];
    let operation = match &tx.invocation.call {
        Call::Operation { operation } | Call::Hook { operation, .. } => Some(operation),
        _ => None,
    };
    let balance = |account| ReadRequest::Key(StateKey::Balance { token, account });
    match operation {
        Some(Operation::Transfer { from, to, .. }) => reqs.extend([balance(*from), balance(*to)]),
        Some(Operation::Mint { to, .. }) => {
            reqs.extend([balance(*to), ReadRequest::Key(StateKey::Supply { token })])
        }
        Some(Operation::Burn { from, .. }) => {
            reqs.extend([balance(*from), ReadRequest::Key(StateKey::Supply { token })])
        }
        _ => {}
    }
    reqs.extend(hints.keys.iter().cloned().map(ReadRequest::Key));
    let mut out = Vec::with_capacity(reqs.len());
    for req in reqs {
        let value = match &req {
            ReadRequest::Token(t) => state.token(t).map(ReadValue::Token),
            ReadRequest::Key(k) => state.read(k).map(ReadValue::Value),
        };
        if let Ok(v) = value {
            answered.record(&req, &v);
            out.push((req, v));
        }
    }
    out
}
