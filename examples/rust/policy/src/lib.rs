//! `policy`: a policy (a maximum amount per operation and a paused flag) that the token's owner
//! updates with `set_policy`, enforced by the before-hooks of transfers, mints and burns: a dynamic
//! policy update through a method. Without a stored policy nothing is limited. The interface is
//! `examples/c/policy.c`'s: both pass `policy.scenario.json`.
#![no_std]

use tsvm_sdk::prelude::*;

tsvm_sdk::record! {
    /// The policy, stored at `policy`.
    #[derive(Clone, Copy)]
    pub struct Policy { max: Amount, paused: bool }
}

/// Refuses `op` while paused or above the maximum.
fn enforce(op: Operation) {
    let p = policy();
    require!(!p.paused, "paused");
    require!(op.amount() <= p.max, "amount above policy max");
}

tsvm_sdk::script! {
    name = "policy";
    events { "policy": Policy }
    storage { "policy": Policy }
    hooks {
        fn before_transfer(op: Operation) { enforce(op) }
        fn before_mint(op: Operation) { enforce(op) }
        fn before_burn(op: Operation) { enforce(op) }
    }
    views {
        /// The policy in force: none set means no maximum and not paused.
        fn policy() -> Policy {
            storage::get_or("policy", Policy { max: Amount::MAX, paused: false })
        }
    }
    methods {
        /// The token owner replaces the policy.
        fn set_policy(max: Amount, paused: bool) {
            require!(caller() == token_owner(), "not owner");
            let p = Policy { max, paused };
            storage::set("policy", &p);
            emit("policy", &p);
        }
    }
}
