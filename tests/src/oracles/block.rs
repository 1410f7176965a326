//! The `block` oracle (`spec/block.md`): a block derived from bytes, executed three ways that must
//! agree byte for byte: one transaction at a time against a copied state the test applies each
//! receipt to (the reference), [`Vm::execute_block`] over pending diffs, and
//! [`Vm::execute_block_in_lanes`] on several threads.

use crate::blocks::{block_from_bytes, block_state, Scripts};
use abi::{StatusCode, TxData};
use std::sync::OnceLock;
use vm::{block_commitments, BlockExecution, ExecOptions, InMemoryState, Rules, Transaction, Vm};

fn shared() -> &'static (Vm, Scripts, rayon::ThreadPool) {
    static SHARED: OnceLock<(Vm, Scripts, rayon::ThreadPool)> = OnceLock::new();
    SHARED.get_or_init(|| {
        // Four threads even on a smaller machine, so lanes really interleave.
        let pool = rayon::ThreadPoolBuilder::new().num_threads(4).build().expect("a thread pool");
        (Vm::new(Rules::default()), Scripts::new(), pool)
    })
}

/// `block`: the bytes make a block over 1 to 4 tokens (`blocks::block_from_bytes`); sequential
/// and lane execution return identical receipts, commitments and combined diff, which are those of
/// the reference; the combined diff applied to the pre-state gives the reference's post-state.
pub fn check_block(data: &[u8]) {
    let (vm, scripts, pool) = shared();
    let (tokens, txs) = block_from_bytes(scripts, data);
    check_block_on(vm, pool, &block_state(tokens), &txs);
}

/// The `block` properties for one block on one pre-state.
///
/// # Panics
/// On any disagreement, or on a host failure (these blocks never make one).
pub fn check_block_on(vm: &Vm, pool: &rayon::ThreadPool, state: &InMemoryState, txs: &[TxData]) {
    let options = ExecOptions::default();
    let sequential = vm.execute_block(state, txs, &options).expect("sequential block");
    let lanes = pool.install(|| vm.execute_block_in_lanes(state, txs, &options)).expect("lanes");
    assert_eq!(sequential, lanes, "lanes differ from sequential execution");
    let bytes = |b: &BlockExecution| {
        let receipts: Vec<_> = b.receipts().cloned().collect();
        borsh::to_vec(&(receipts, &b.commitments, &b.diff)).expect("borsh")
    };
    assert_eq!(bytes(&sequential), bytes(&lanes));

    let (reference, post) = reference(vm, state, txs);
    let receipts: Vec<_> = sequential.receipts().cloned().collect();
    assert_eq!(receipts, reference, "the block differs from one transaction at a time");
    assert_eq!(sequential.commitments, block_commitments(&reference));
    assert!(sequential.diff.is_canonical());
    let mut applied = state.clone();
    applied.apply(&sequential.diff).expect("the combined diff applies to the pre-state");
    assert_eq!(applied, post, "the combined diff does not give the post-state");
}

/// Each transaction executed alone against a state the receipts before it were applied to.
fn reference(vm: &Vm, state: &InMemoryState, txs: &[TxData]) -> (Vec<abi::Receipt>, InMemoryState) {
    let mut state = state.clone();
    let receipts = txs
        .iter()
        .map(|data| {
            let tx = Transaction::from_data(data).expect("code bytes");
            let receipt = vm.execute(&state, &tx).expect("no host failure");
            if receipt.status == StatusCode::Success {
                state.apply(&receipt.diff).expect("a receipt's diff applies");
            } else {
                assert!(receipt.diff.is_empty(), "a failed transaction changed state");
            }
            receipt
        })
        .collect();
    (receipts, state)
}
