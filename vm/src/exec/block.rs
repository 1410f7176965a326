//! Blocks: an ordered list of transactions, each seeing the state the ones before it left
//! (`spec/block.md`).
//!
//! [`Vm::execute_block`] runs them one after another over a [`PendingState`];
//! [`Vm::execute_block_in_lanes`] runs each token's transactions as one lane, the lanes on rayon's
//! threads, and merges them in block order. Both return the same [`BlockExecution`], byte for byte
//! (`spec/block.md#lanes` says why).

use super::{ExecOptions, Execution, Transaction, Vm};
use crate::state::Changes;
use crate::{PendingState, StateView, VmError};
use abi::{hash, Hash32, Receipt, StateDiff, StatusCode, TokenId, TxData};
use rayon::prelude::*;
use std::cell::RefCell;
use std::collections::BTreeMap;

/// What a block's execution produced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockExecution {
    /// One execution per transaction, in block order.
    pub executions: Vec<Execution>,
    /// The running block commitment after each transaction (`spec/block.md#block-commitment`).
    pub commitments: Vec<Hash32>,
    /// The block's combined diff: every key the block changed, its value before the block and
    /// after it, canonical (`spec/block.md#combined-diff`).
    pub diff: StateDiff,
}

impl BlockExecution {
    /// The receipts, in block order.
    pub fn receipts(&self) -> impl Iterator<Item = &Receipt> {
        self.executions.iter().map(|e| &e.receipt)
    }

    /// The receipts, commitments and combined diff (what `tsvm run` of a block writes).
    pub fn result(&self) -> abi::BlockResult {
        abi::BlockResult {
            receipts: self.receipts().cloned().collect(),
            commitments: self.commitments.clone(),
            diff: self.diff.clone(),
        }
    }

    /// The block commitment after the last transaction (zero for an empty block).
    pub fn commitment(&self) -> Hash32 {
        self.commitments.last().copied().unwrap_or(Hash32::ZERO)
    }
}

/// The running block commitments over `receipts` (`spec/block.md#block-commitment`).
pub fn block_commitments<'r>(receipts: impl IntoIterator<Item = &'r Receipt>) -> Vec<Hash32> {
    let mut previous = Hash32::ZERO;
    receipts
        .into_iter()
        .map(|r| {
            previous = hash::block_commitment(&previous, &r.receipt_hash);
            previous
        })
        .collect()
}

/// Borrows every entry as a [`Transaction`], refusing a block with code given by hash
/// (`spec/block.md#transactions`) before anything runs.
fn transactions(txs: &[TxData]) -> crate::Result<Vec<Transaction<'_>>> {
    txs.iter()
        .enumerate()
        .map(|(index, data)| match Transaction::from_data(data) {
            Some(tx) => Ok(tx),
            None => Err(VmError::CodeByHash { index }),
        })
        .collect()
}

/// Tags a host failure with the transaction it happened in.
fn at(index: usize) -> impl FnOnce(VmError) -> VmError {
    move |e| VmError::InBlock { index, source: Box::new(e) }
}

impl Vm {
    /// Executes the block `txs` against `state` in order (`spec/block.md#execution`): transaction
    /// `i` sees `state` under the diffs of the successful transactions before it; a failed one
    /// applies nothing and the block goes on. `options` apply to every transaction.
    ///
    /// # Errors
    /// [`VmError::CodeByHash`] for an entry whose code is a hash (nothing runs then);
    /// [`VmError::InBlock`] around a host failure of one transaction (as [`Vm::execute_with`]):
    /// the block has no result then.
    pub fn execute_block(
        &self,
        state: &dyn StateView,
        txs: &[TxData],
        options: &ExecOptions,
    ) -> crate::Result<BlockExecution> {
        let txs = transactions(txs)?;
        let pending = RefCell::new(PendingState::new(state));
        // One session for the block: each module's instance is kept (spec/abi.md#instance-reuse).
        let mut session = self.session(&pending);
        let mut executions = Vec::with_capacity(txs.len());
        for (index, tx) in txs.iter().enumerate() {
            let execution = session.execute_with(tx, options).map_err(at(index))?;
            apply(&pending, &execution.receipt).map_err(at(index))?;
            executions.push(execution);
        }
        drop(session);
        let diff = pending.into_inner().diff();
        let commitments = block_commitments(executions.iter().map(|e| &e.receipt));
        Ok(BlockExecution { executions, commitments, diff })
    }

    /// [`Vm::execute_block`] with one lane per token run on rayon's threads (the current pool:
    /// `ThreadPool::install` chooses how many), merged in block order. The result is the one
    /// [`Vm::execute_block`] returns, byte for byte (`spec/block.md#lanes`).
    ///
    /// # Errors
    /// As [`Vm::execute_block`]; of several failing transactions, the first in block order (the
    /// one [`Vm::execute_block`] stops at).
    pub fn execute_block_in_lanes(
        &self,
        state: &(dyn StateView + Sync),
        txs: &[TxData],
        options: &ExecOptions,
    ) -> crate::Result<BlockExecution> {
        let txs = transactions(txs)?;
        let mut lanes: BTreeMap<TokenId, Vec<usize>> = BTreeMap::new();
        for (index, tx) in txs.iter().enumerate() {
            lanes.entry(tx.invocation.token).or_default().push(index);
        }
        let lanes: Vec<Vec<usize>> = lanes.into_values().collect();
        let results: Vec<Lane> =
            lanes.into_par_iter().map(|indices| self.run_lane(state, &txs, indices, options)).collect();
        // The first failure in block order: each lane stops at its own first, and every
        // transaction before the block's first failure succeeded in its lane as in sequence.
        if let Some(index) = results.iter().filter_map(|l| l.failed.as_ref().map(|(i, _)| *i)).min() {
            let lane = results.into_iter().find(|l| l.failed.as_ref().is_some_and(|(i, _)| *i == index));
            let error = lane.and_then(|l| l.failed).map(|(_, e)| e);
            return Err(error.unwrap_or(VmError::Engine("a lane failure went missing".into())));
        }
        let mut slots: Vec<Option<Execution>> = vec![None; txs.len()];
        let mut pending = PendingState::new(state);
        for lane in results {
            for (index, execution) in lane.executions {
                slots[index] = Some(execution);
            }
            pending.absorb(lane.changes);
        }
        let executions: Vec<Execution> = slots.into_iter().flatten().collect();
        if executions.len() != txs.len() {
            return Err(VmError::Engine("a lane lost a transaction".into()));
        }
        let commitments = block_commitments(executions.iter().map(|e| &e.receipt));
        Ok(BlockExecution { executions, commitments, diff: pending.diff() })
    }

    /// One token's transactions, in block order, over its own pending layer.
    fn run_lane(
        &self,
        state: &(dyn StateView + Sync),
        txs: &[Transaction<'_>],
        indices: Vec<usize>,
        options: &ExecOptions,
    ) -> Lane {
        let pending = RefCell::new(PendingState::new(state));
        let mut session = self.session(&pending);
        let mut executions = Vec::with_capacity(indices.len());
        let mut failed = None;
        for index in indices {
            let run = session
                .execute_with(&txs[index], options)
                .and_then(|e| apply(&pending, &e.receipt).map(|()| e));
            match run {
                Ok(execution) => executions.push((index, execution)),
                Err(e) => {
                    failed = Some((index, at(index)(e)));
                    break;
                }
            }
        }
        drop(session);
        Lane { executions, changes: pending.into_inner().into_changes(), failed }
    }
}

/// What one lane produced.
struct Lane {
    executions: Vec<(usize, Execution)>,
    changes: Changes,
    /// The lane's first host failure, with its transaction's index.
    failed: Option<(usize, VmError)>,
}

/// Layers a receipt's diff on a block's (or a lane's) pending state, if it succeeded (a failed
/// receipt's diff is empty anyway). The state is behind a `RefCell` so that a session can hold it
/// as its view while diffs are layered on between executions.
fn apply(pending: &RefCell<PendingState<'_>>, receipt: &Receipt) -> crate::Result<()> {
    if receipt.status == StatusCode::Success {
        pending.borrow_mut().apply(&receipt.diff)?;
    }
    Ok(())
}
