//! Block bundles and block results (`spec/bundle.md#block-bundles`, `spec/block.md`).
//!
//! A [`BlockBundle`] replays a whole block with nothing else: the rules (by hash), every
//! transaction, the pre-state the block read from the node (one [`Witness`] per token), and what
//! the block produced: each receipt, the running commitments and each transaction's checkpoints.
//! A [`BlockResult`] is what `tsvm run` of a block writes and `tsvm diff` compares.

use crate::{Checkpoint, Hash32, Receipt, StateDiff, TokenId, TxData, Witness};
use alloc::vec::Vec;
use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

/// Version of the block bundle format (`spec/bundle.md#block-bundles`).
pub const BLOCK_BUNDLE_FORMAT_VERSION: u32 = 1;

/// What the block read of one token before any of its transactions changed it.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenWitness {
    /// The token.
    pub token: TokenId,
    /// Its metadata and every key of it the block read from the node, sorted by key.
    pub witness: Witness,
}

/// A self-contained, replayable block.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlockBundle {
    /// [`BLOCK_BUNDLE_FORMAT_VERSION`] (named unlike a transaction bundle's `format_version`, so
    /// that the two are told apart by their first field).
    pub block_format_version: u32,
    /// The rules hash of the VM that recorded it; replay refuses any other.
    pub rules_hash: Hash32,
    /// The transactions, in block order, each with its code as bytes.
    pub transactions: Vec<TxData>,
    /// The pre-state witness of the whole block: one entry per token it read, sorted by token.
    pub witness: Vec<TokenWitness>,
    /// The checkpoint interval the checkpoints were recorded at (0: none).
    pub checkpoint_interval: u64,
    /// Each transaction's receipt.
    pub expected: Vec<Receipt>,
    /// The running block commitment after each transaction (`spec/block.md#block-commitment`).
    pub commitments: Vec<Hash32>,
    /// Each transaction's checkpoints at `checkpoint_interval`.
    pub checkpoints: Vec<Vec<Checkpoint>>,
}

/// What a block produced: receipts, commitments and the combined diff (`spec/block.md`).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlockResult {
    /// Each transaction's receipt, in block order.
    pub receipts: Vec<Receipt>,
    /// The running block commitment after each transaction.
    pub commitments: Vec<Hash32>,
    /// The block's combined diff.
    pub diff: StateDiff,
}

/// The first index at which two commitment lists differ, counting a missing entry as a
/// difference (`None`: identical lists).
pub fn first_divergent_commitment(left: &[Hash32], right: &[Hash32]) -> Option<usize> {
    (0..left.len().max(right.len())).find(|&i| left.get(i) != right.get(i))
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn the_first_divergent_commitment_counts_a_shorter_list() {
        let (a, b) = (Hash32([1; 32]), Hash32([2; 32]));
        assert_eq!(first_divergent_commitment(&[a, b], &[a, b]), None);
        assert_eq!(first_divergent_commitment(&[a, b], &[a, a]), Some(1));
        assert_eq!(first_divergent_commitment(&[a], &[a, b]), Some(1));
        assert_eq!(first_divergent_commitment(&[], &[]), None);
        let bundle = BlockBundle {
            block_format_version: BLOCK_BUNDLE_FORMAT_VERSION,
            rules_hash: a,
            transactions: vec![],
            witness: vec![TokenWitness { token: TokenId([3; 32]), witness: Witness::default() }],
            checkpoint_interval: 0,
            expected: vec![],
            commitments: vec![b],
            checkpoints: vec![vec![]],
        };
        let bytes = borsh::to_vec(&bundle).unwrap();
        assert_eq!(BlockBundle::try_from_slice(&bytes).unwrap(), bundle);
        let json = serde_json::to_string(&bundle).unwrap();
        assert_eq!(serde_json::from_str::<BlockBundle>(&json).unwrap(), bundle);
    }
}
