//! The block and transaction context a script sees (`spec/abi.md#context`).
//!
//! The block timestamp is the only clock: nothing in tsvm reads the machine's time.

use crate::{Address, Hash32};
use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

/// Block and transaction context of one execution.
#[derive(Clone, Debug, PartialEq, Eq, Default, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Context {
    /// Height of the block that includes the transaction.
    pub height: u64,
    /// The block's timestamp in milliseconds since the Unix epoch, as agreed by consensus.
    pub timestamp_ms: u64,
    /// Hash of the transaction.
    pub tx_hash: Hash32,
    /// Hash of the previous block.
    pub prev_block_hash: Hash32,
    /// The account that signed the transaction.
    pub caller: Address,
}
