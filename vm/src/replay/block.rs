//! Recording and replaying block bundles (`spec/bundle.md#block-bundles`).
//!
//! Recording runs the block over a view that remembers every read that reaches the node's state
//! (reads of keys the block already changed are answered by the pending layer and are not part of
//! the pre-state); replay runs it over those reads alone and names the first transaction whose
//! commitment differs, then, within it, the receipt fields and the first divergent checkpoint window.

use crate::replay::{first_divergent_window, receipt_mismatches, WindowDivergence};
use crate::{
    block_commitments, check_witness, BlockExecution, ExecOptions, StateError, StateView, TraceLevel, Vm,
    VmError, WitnessState,
};
use abi::{
    first_divergent_commitment, Address, BlockBundle, StateKey, TokenId, TokenInfo, TokenWitness, TxData,
    Witness, WitnessEntry, BLOCK_BUNDLE_FORMAT_VERSION,
};
use std::cell::RefCell;
use std::collections::BTreeMap;

/// The reads that reached the node's state.
#[derive(Default)]
struct Reads {
    tokens: BTreeMap<TokenId, Option<TokenInfo>>,
    entries: BTreeMap<StateKey, Option<Vec<u8>>>,
}

/// A view that remembers every read it answers (sequential use only).
struct RecordingView<'a> {
    view: &'a dyn StateView,
    reads: RefCell<Reads>,
}

impl<'a> RecordingView<'a> {
    fn new(view: &'a dyn StateView) -> Self {
        Self { view, reads: RefCell::new(Reads::default()) }
    }

    /// The reads as one canonical witness per token, sorted by token.
    fn into_witness(self) -> Vec<TokenWitness> {
        let Reads { tokens, entries } = self.reads.into_inner();
        let mut out: BTreeMap<TokenId, Witness> = tokens
            .into_iter()
            .map(|(token, info)| (token, Witness { token: info, entries: vec![] }))
            .collect();
        for (key, value) in entries {
            out.entry(key_token(&key)).or_default().entries.push(WitnessEntry { key, value });
        }
        out.into_iter().map(|(token, witness)| TokenWitness { token, witness }).collect()
    }
}

fn key_token(key: &StateKey) -> TokenId {
    match key {
        StateKey::Balance { token, .. } | StateKey::Supply { token } | StateKey::Storage { token, .. } => {
            *token
        }
    }
}

impl StateView for RecordingView<'_> {
    fn token(&self, token: &TokenId) -> Result<Option<TokenInfo>, StateError> {
        let info = self.view.token(token)?;
        self.reads.borrow_mut().tokens.insert(*token, info.clone());
        Ok(info)
    }

    fn balance(&self, token: &TokenId, account: &Address) -> Result<u128, StateError> {
        let key = StateKey::Balance { token: *token, account: *account };
        let value = self.read(&key)?;
        Ok(value.as_deref().and_then(abi::amount::decode).unwrap_or(0))
    }

    fn supply(&self, token: &TokenId) -> Result<u128, StateError> {
        let value = self.read(&StateKey::Supply { token: *token })?;
        Ok(value.as_deref().and_then(abi::amount::decode).unwrap_or(0))
    }

    fn storage(&self, token: &TokenId, key: &[u8]) -> Result<Option<Vec<u8>>, StateError> {
        self.read(&StateKey::Storage { token: *token, key: key.to_vec() })
    }

    fn read(&self, key: &StateKey) -> Result<Option<Vec<u8>>, StateError> {
        let value = self.view.read(key)?;
        self.reads.borrow_mut().entries.insert(key.clone(), value.clone());
        Ok(value)
    }
}

/// A state made only of a block bundle's witness: each token's [`WitnessState`].
struct BlockWitnessState {
    tokens: BTreeMap<TokenId, WitnessState>,
}

impl BlockWitnessState {
    fn of(&self, token: &TokenId) -> Result<&WitnessState, StateError> {
        self.tokens.get(token).ok_or_else(|| StateError::OutsideWitness(format!("state of token {token}")))
    }
}

impl StateView for BlockWitnessState {
    fn token(&self, token: &TokenId) -> Result<Option<TokenInfo>, StateError> {
        self.of(token)?.token(token)
    }

    fn balance(&self, token: &TokenId, account: &Address) -> Result<u128, StateError> {
        self.of(token)?.balance(token, account)
    }

    fn supply(&self, token: &TokenId) -> Result<u128, StateError> {
        self.of(token)?.supply(token)
    }

    fn storage(&self, token: &TokenId, key: &[u8]) -> Result<Option<Vec<u8>>, StateError> {
        self.of(token)?.storage(token, key)
    }

    /// As the provided method, by the token's [`WitnessState::read`] (one lookup of `key`).
    fn read(&self, key: &StateKey) -> Result<Option<Vec<u8>>, StateError> {
        self.of(&key_token(key))?.read(key)
    }
}

/// Executes the block `txs` against `state` in sequence and records its bundle, with each
/// transaction's checkpoints at `checkpoint_interval` (0: none).
///
/// # Errors
/// As [`Vm::execute_block`] and [`Vm::execute_with`] (a checkpoint interval below the minimum).
pub fn record_block_bundle(
    vm: &Vm,
    state: &dyn StateView,
    txs: &[TxData],
    checkpoint_interval: u64,
) -> crate::Result<(BlockBundle, BlockExecution)> {
    let recording = RecordingView::new(state);
    let options = ExecOptions { checkpoint_interval, trace: TraceLevel::HashOnly };
    let block = vm.execute_block(&recording, txs, &options)?;
    let bundle = BlockBundle {
        block_format_version: BLOCK_BUNDLE_FORMAT_VERSION,
        rules_hash: vm.rules_hash(),
        transactions: txs.to_vec(),
        witness: recording.into_witness(),
        checkpoint_interval,
        expected: block.receipts().cloned().collect(),
        commitments: block.commitments.clone(),
        checkpoints: block.executions.iter().map(|e| e.checkpoints.clone()).collect(),
    };
    Ok((bundle, block))
}

/// Where a replayed block first differs from its bundle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockDivergence {
    /// The first transaction whose commitment differs.
    pub index: usize,
    /// Its receipt fields that differ, in receipt order.
    pub mismatches: Vec<&'static str>,
    /// Its first divergent checkpoint window (`None`: its checkpoints agree, or there are none).
    pub window: Option<WindowDivergence>,
}

/// The outcome of replaying a block bundle.
#[derive(Clone, Debug)]
pub struct ReplayedBlock {
    /// The re-execution (with each transaction's trace at the caller's level).
    pub block: BlockExecution,
    /// The first divergence (`None`: every receipt and commitment matched).
    pub divergence: Option<BlockDivergence>,
}

/// Re-executes a block bundle against its witness alone (at `trace`, with the bundle's checkpoint
/// interval) and locates the first transaction whose commitment differs from the bundle's.
///
/// # Errors
/// [`VmError::BundleVersion`], [`VmError::RulesMismatch`]; [`VmError::NonCanonicalBundle`] for a
/// witness not sorted by token or not canonical for its token, lists of unequal lengths,
/// commitments that are not those of its receipts, or a witness entry no transaction read;
/// [`VmError::InBlock`] around a read outside the witness or any host failure.
pub fn replay_block(vm: &Vm, bundle: &BlockBundle, trace: TraceLevel) -> crate::Result<ReplayedBlock> {
    if bundle.block_format_version != BLOCK_BUNDLE_FORMAT_VERSION {
        return Err(VmError::BundleVersion(bundle.block_format_version, BLOCK_BUNDLE_FORMAT_VERSION));
    }
    if bundle.rules_hash != vm.rules_hash() {
        return Err(VmError::RulesMismatch { bundle: bundle.rules_hash, vm: vm.rules_hash() });
    }
    check_block_bundle(bundle)?;
    let state = BlockWitnessState {
        tokens: bundle.witness.iter().map(|w| (w.token, WitnessState::new(w.token, &w.witness))).collect(),
    };
    let recording = RecordingView::new(&state);
    let options = ExecOptions { checkpoint_interval: bundle.checkpoint_interval, trace };
    let block = vm.execute_block(&recording, &bundle.transactions, &options)?;
    if recording.into_witness() != bundle.witness {
        return Err(VmError::NonCanonicalBundle("the witness holds state the block never read".into()));
    }
    let divergence = first_divergent_commitment(&bundle.commitments, &block.commitments).map(|index| {
        let got = &block.executions[index];
        BlockDivergence {
            index,
            mismatches: receipt_mismatches(&bundle.expected[index], &got.receipt),
            window: first_divergent_window(&bundle.checkpoints[index], &got.checkpoints),
        }
    });
    Ok(ReplayedBlock { block, divergence })
}

/// What can be checked of a block bundle before running it (`spec/bundle.md#block-bundles`).
fn check_block_bundle(bundle: &BlockBundle) -> crate::Result<()> {
    let n = bundle.transactions.len();
    if bundle.expected.len() != n || bundle.commitments.len() != n || bundle.checkpoints.len() != n {
        return Err(VmError::NonCanonicalBundle(format!(
            "{n} transactions but {} receipts, {} commitments and {} checkpoint lists",
            bundle.expected.len(),
            bundle.commitments.len(),
            bundle.checkpoints.len()
        )));
    }
    if block_commitments(&bundle.expected) != bundle.commitments {
        return Err(VmError::NonCanonicalBundle("the commitments are not those of the receipts".into()));
    }
    for (i, pair) in bundle.witness.windows(2).enumerate() {
        if pair[0].token >= pair[1].token {
            return Err(VmError::NonCanonicalBundle(format!(
                "witness token {} ({}) does not come after {}",
                i + 1,
                pair[1].token,
                pair[0].token
            )));
        }
    }
    for w in &bundle.witness {
        check_witness(&w.token, &w.witness)?;
    }
    Ok(())
}
