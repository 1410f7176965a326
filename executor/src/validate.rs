//! The parent's check of a worker's execution before the node sees it
//! (`spec/executor.md#validation`): hashes recomputed, every diff key the transaction's token's,
//! values and counts within the rules' limits, and the witness exactly the reads the parent
//! answered. Any failure is a protocol violation ([`FailureKind`]), never a receipt.
#![forbid(unsafe_code)]

use crate::protocol::{ReadRequest, ReadValue};
use crate::FailureKind;
use abi::{StateKey, TokenId, TxData};
use std::collections::BTreeMap;
use vm::{Execution, Rules, StateView};

/// What the parent answered during one execution (prefetched or asked).
#[derive(Default, Debug)]
pub struct Answered {
    /// The token metadata answered, with the token it was asked for.
    pub token: Option<(TokenId, Option<abi::TokenInfo>)>,
    /// Every key answered, with its value.
    pub keys: BTreeMap<StateKey, Option<Vec<u8>>>,
}

impl Answered {
    /// Records that `req` was answered with `value` (a value of the other kind is not an answer).
    pub fn record(&mut self, req: &ReadRequest, value: &ReadValue) {
        match (req, value) {
            (ReadRequest::Token(t), ReadValue::Token(info)) => self.token = Some((*t, info.clone())),
            (ReadRequest::Key(k), ReadValue::Value(v)) => {
                self.keys.insert(k.clone(), v.clone());
            }
            _ => {}
        }
    }
}

pub(crate) fn token_of(key: &StateKey) -> &TokenId {
    match key {
        StateKey::Balance { token, .. } | StateKey::Supply { token } | StateKey::Storage { token, .. } => {
            token
        }
    }
}

/// Checks `exec`, the worker's answer to `tx`.
///
/// # Errors
/// The first violation found.
pub fn validate(
    exec: &Execution,
    tx: &TxData,
    rules: &Rules,
    rules_hash: &abi::Hash32,
    answered: &Answered,
    state: &dyn StateView,
) -> Result<(), FailureKind> {
    let r = &exec.receipt;
    let l = &rules.limits;
    if r.rules_hash != *rules_hash {
        return Err(FailureKind::RulesHash);
    }
    if !r.diff.is_canonical() || abi::hash::diff_hash(&r.diff) != r.diff_hash {
        return Err(FailureKind::DiffHash);
    }
    if r.compute_hash() != r.receipt_hash {
        return Err(FailureKind::ReceiptHash);
    }
    if !r.status.is_success() && !r.diff.is_empty() {
        return Err(FailureKind::Unexpected("a diff on a failed status"));
    }
    let token = &tx.invocation.token;
    let within = |len: usize, max: u32| len <= max as usize;
    if r.gas_used > tx.gas_limit {
        return Err(FailureKind::OverLimit("gas_used"));
    }
    if !within(r.return_data.len(), l.max_return_data_len) {
        return Err(FailureKind::OverLimit("return_data"));
    }
    if !within(r.revert_reason.len(), l.max_revert_reason_len) {
        return Err(FailureKind::OverLimit("revert_reason"));
    }
    if !within(r.events.len(), l.max_events)
        || r.events.iter().any(|e| !within(e.topic.len(), l.max_event_topic_len))
        || r.events.iter().any(|e| !within(e.data.len(), l.max_event_data_len))
    {
        return Err(FailureKind::OverLimit("events"));
    }
    if !within(r.logs.len(), l.max_logs) || r.logs.iter().any(|g| !within(g.message.len(), l.max_log_len)) {
        return Err(FailureKind::OverLimit("logs"));
    }
    for entry in &r.diff.0 {
        if token_of(&entry.key) != token {
            return Err(FailureKind::ForeignKey);
        }
        let (key_ok, max_value) = match &entry.key {
            StateKey::Storage { key, .. } => (within(key.len(), l.max_key_len), l.max_value_len as usize),
            _ => (true, abi::amount::ENCODED_LEN),
        };
        let value_ok = |v: &Option<Vec<u8>>| v.as_ref().is_none_or(|v| v.len() <= max_value);
        if !key_ok || !value_ok(&entry.old) || !value_ok(&entry.new) {
            return Err(FailureKind::OverLimit("diff value"));
        }
        // The old value is the state's: what the parent answered, or else the view's.
        let fresh;
        let old = match answered.keys.get(&entry.key) {
            Some(v) => v,
            None => {
                fresh = state.read(&entry.key).map_err(FailureKind::State)?;
                &fresh
            }
        };
        if *old != entry.old {
            return Err(FailureKind::Witness);
        }
    }
    let w = &exec.witness;
    match &answered.token {
        Some((t, info)) if t == token && *info == w.token => {}
        None if w.token.is_none() => {}
        _ => return Err(FailureKind::Witness),
    }
    if !w.entries.windows(2).all(|p| p[0].key < p[1].key) {
        return Err(FailureKind::Witness);
    }
    for e in &w.entries {
        match answered.keys.get(&e.key) {
            Some(v) if *v == e.value => {}
            _ => return Err(FailureKind::Witness),
        }
    }
    Ok(())
}
