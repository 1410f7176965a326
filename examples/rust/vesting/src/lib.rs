//! `vesting`: a lock-up. The token owner locks an account until a block timestamp; until then
//! transfers and burns from it are refused. The block timestamp is the only clock
//! (`spec/abi.md#context`). The interface is `examples/c/vesting.c`'s: both pass
//! `vesting.scenario.json`.
#![no_std]

use tsvm_sdk::prelude::*;

tsvm_sdk::record! {
    /// The data of a `locked` event.
    pub struct Locked { account: Address, until_ms: u64 }
}

fn lock_key(account: &Address) -> storage::Key {
    storage::key("lock/", account)
}

/// Refuses to debit `account` while it is locked.
fn check_unlocked(op: Operation) {
    if let Some(from) = op.debited() {
        require!(timestamp_ms() >= locked_until(from), "account locked");
    }
}

tsvm_sdk::script! {
    name = "vesting";
    events { "locked": Locked }
    storage { "lock/" => Address: u64 }
    hooks {
        fn before_transfer(op: Operation) { check_unlocked(op) }
        fn before_burn(op: Operation) { check_unlocked(op) }
    }
    views {
        /// Until when `account` is locked (milliseconds), 0 if it never was.
        fn locked_until(account: Address) -> u64 {
            storage::get_or(lock_key(&account), 0)
        }
    }
    methods {
        /// The token owner locks `account` until `until_ms`; a later lock replaces an earlier one.
        fn lock(account: Address, until_ms: u64) {
            require!(caller() == token_owner(), "not owner");
            storage::set(lock_key(&account), &until_ms);
            emit("locked", &Locked { account, until_ms });
        }
    }
}
