//! `counter`: every hook increments a counter in storage, and a view returns it (the second devnet
//! scenario): counts identical across nodes.
#![no_std]

use tsvm_sdk::prelude::*;

/// Adds one to the stored count.
fn bump() {
    let count: u64 = storage::get_or("count", 0);
    storage::set("count", &(count + 1));
}

tsvm_sdk::script! {
    name = "counter";
    storage { "count": u64 }
    hooks {
        fn before_transfer(_op: Operation) { bump() }
        fn after_transfer(_op: Operation) { bump() }
        fn before_mint(_op: Operation) { bump() }
        fn after_mint(_op: Operation) { bump() }
        fn before_burn(_op: Operation) { bump() }
        fn after_burn(_op: Operation) { bump() }
        fn on_approve(_op: Operation) { bump() }
    }
    views {
        /// How many hooks have run.
        fn count() -> u64 {
            storage::get_or("count", 0)
        }
    }
}
