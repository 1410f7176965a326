//! An owned transaction: one request shape for the executor protocol, block execution and bundles.
//!
//! [`TxData`] holds what one execution needs besides the state and the rules: the code (its bytes,
//! or the hash of code the node already holds), the invocation, the context and the gas limit. The
//! VM borrows a `Transaction` from it when the code is bytes (`tsvm::Transaction::from_data`).
//!
//! A [`crate::Bundle`] keeps its own encoding (pinned by `BUNDLE_FORMAT_VERSION`): it holds the
//! same four things as fields of its own, `module` for `Code::Bytes`, then `invocation`, `context`
//! and `gas_limit`, so `TxData { code: Code::Bytes(b.module), invocation: b.invocation, context:
//! b.context, gas_limit: b.gas_limit }` is the transaction a bundle replays.

use crate::{Context, Hash32, Invocation};
use alloc::vec::Vec;
use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

/// The code a transaction runs.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Code {
    /// The module bytes (WebAssembly binary).
    Bytes(#[serde(with = "crate::hex::bytes")] Vec<u8>),
    /// The content hash (`crate::hash::content_hash`) of a module the executor already holds.
    Hash(Hash32),
}

/// An owned transaction: code, invocation, context, gas limit.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TxData {
    /// The code to run.
    pub code: Code,
    /// What to run.
    pub invocation: Invocation,
    /// Block and transaction context.
    pub context: Context,
    /// Gas available.
    pub gas_limit: u64,
}

impl TxData {
    /// The module bytes, when the code is given as bytes.
    pub fn code_bytes(&self) -> Option<&[u8]> {
        match &self.code {
            Code::Bytes(bytes) => Some(bytes),
            Code::Hash(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Address, Call, Operation, TokenId};
    use alloc::vec;

    fn tx(code: Code) -> TxData {
        let operation = Operation::Mint { to: Address([2; 32]), amount: u128::MAX };
        let invocation = Invocation { token: TokenId([1; 32]), call: Call::Operation { operation } };
        TxData { code, invocation, context: Context::default(), gas_limit: 7 }
    }

    #[test]
    fn tx_data_round_trips_through_borsh_and_json() {
        for t in [tx(Code::Bytes(vec![0, 0x61, 0x73, 0x6d])), tx(Code::Hash(Hash32([9; 32])))] {
            let bytes = borsh::to_vec(&t).unwrap();
            assert_eq!(TxData::try_from_slice(&bytes).unwrap(), t);
            let json = serde_json::to_string(&t).unwrap();
            assert_eq!(serde_json::from_str::<TxData>(&json).unwrap(), t);
        }
        let json = serde_json::to_value(tx(Code::Bytes(vec![1, 2]))).unwrap();
        assert_eq!(json["code"], serde_json::json!({ "bytes": "0x0102" }));
        assert_eq!(tx(Code::Bytes(vec![1])).code_bytes(), Some(&[1u8][..]));
        assert_eq!(tx(Code::Hash(Hash32::ZERO)).code_bytes(), None);
    }
}
