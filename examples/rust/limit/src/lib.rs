//! `limit`: a `before_transfer` hook that rejects transfers above a limit (the first devnet
//! scenario of the token-scripts brief): the same rejection on every node, state unchanged. The
//! token's owner sets the limit (default 1,000). The interface is `examples/c/limit.c`'s: both pass
//! `limit.scenario.json`.
#![no_std]

use tsvm_sdk::prelude::*;

/// The limit until the owner sets one.
const DEFAULT_LIMIT: Amount = 1_000;

tsvm_sdk::script! {
    name = "limit";
    events { "limit_set": u128 }
    storage { "limit": u128 }
    hooks {
        /// Rejects a transfer above the limit.
        fn before_transfer(op: Operation) {
            require!(op.amount() <= limit(), "transfer above limit");
        }
    }
    views {
        /// The largest amount one transfer may move.
        fn limit() -> Amount {
            storage::get_or("limit", DEFAULT_LIMIT)
        }
    }
    methods {
        /// The token owner sets the limit.
        fn set_limit(limit: Amount) {
            require!(caller() == token_owner(), "not owner");
            storage::set("limit", &limit);
            emit("limit_set", &limit);
        }
    }
}
