//! `vesting`: a lock-up. The token owner locks an account until a block timestamp; until then
//! transfers and burns from it are refused. The block timestamp is the only clock
//! (`spec/abi.md#context`).
#![no_std]

use tsvm_sdk::prelude::*;

fn lock_key(account: &Address) -> storage::Key {
    storage::key("lock/", account)
}

/// Refuses to debit `account` while it is locked.
fn check_unlocked(account: Address) {
    if let Some(until) = storage::get::<u64>(lock_key(&account)) {
        let now = timestamp_ms();
        require!(now >= until, "account locked until {} (now {})", until, now);
    }
}

tsvm_sdk::script! {
    name = "vesting";
    events { "locked": u64 }
    storage { "lock/" => Address: u64 }
    hooks {
        fn before_transfer(op: Operation) {
            if let Some(from) = op.debited() {
                check_unlocked(from);
            }
        }
        fn before_burn(op: Operation) {
            if let Some(from) = op.debited() {
                check_unlocked(from);
            }
        }
    }
    views {
        /// Until when `account` is locked (milliseconds), if it is.
        fn locked_until(account: Address) -> Option<u64> {
            storage::get(lock_key(&account))
        }
    }
    methods {
        /// The token owner locks `account` until `until_ms` (0 unlocks it).
        fn lock(account: Address, until_ms: u64) {
            require!(caller() == token_owner(), "only the token owner may lock");
            if until_ms == 0 {
                storage::remove(lock_key(&account));
            } else {
                storage::set(lock_key(&account), &until_ms);
            }
            emit("locked", &until_ms);
        }
    }
}
