//! `policy`: a transfer policy (a maximum per transfer and a paused flag), updated by an owner-only
//! method and enforced by the before-hooks: a dynamic policy update through a method.
#![no_std]

use tsvm_sdk::prelude::*;

tsvm_sdk::record! {
    /// The policy, stored at `policy`.
    #[derive(Clone, Copy)]
    pub struct Policy { max_transfer: Amount, paused: bool }
}

/// The policy in force: none set means no maximum and not paused.
fn policy() -> Policy {
    storage::get_or("policy", Policy { max_transfer: Amount::MAX, paused: false })
}

fn check_not_paused() {
    require!(!policy().paused, "token paused");
}

tsvm_sdk::script! {
    name = "policy";
    events { "policy": Policy }
    storage { "policy": Policy }
    hooks {
        fn before_transfer(op: Operation) {
            let p = policy();
            require!(!p.paused, "token paused");
            require!(op.amount() <= p.max_transfer, "transfer of {} above the maximum of {}", op.amount(), p.max_transfer);
        }
        fn before_mint(_op: Operation) { check_not_paused() }
        fn before_burn(_op: Operation) { check_not_paused() }
    }
    views {
        /// The policy in force.
        fn current() -> Policy {
            policy()
        }
    }
    methods {
        /// The token owner replaces the policy.
        fn set_policy(max_transfer: Amount, paused: bool) {
            require!(caller() == token_owner(), "only the token owner may set the policy");
            let p = Policy { max_transfer, paused };
            storage::set("policy", &p);
            emit("policy", &p);
        }
    }
}
