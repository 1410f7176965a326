//! `limit`: a `before_transfer` hook that rejects transfers above a limit (the first devnet
//! scenario of the token-scripts brief): the same rejection on every node, state unchanged.
#![no_std]

use tsvm_sdk::prelude::*;

/// The largest amount one transfer may move.
const LIMIT: Amount = 1_000;

tsvm_sdk::script! {
    name = "limit";
    hooks {
        /// Rejects a transfer above [`LIMIT`], naming both amounts.
        fn before_transfer(op: Operation) {
            let amount = op.amount();
            require!(amount <= LIMIT, "transfer of {} above the limit of {}", amount, LIMIT);
        }
    }
    views {
        /// The limit.
        fn limit() -> Amount {
            LIMIT
        }
    }
}
