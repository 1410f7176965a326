//! `escrow`: a state machine per escrow id (open, fund, release, refund) with a status view.
//!
//! The buyer (the caller of `open`) opens an escrow for a seller and an amount, then funds it: the
//! amount moves to the hold account, whose 32 bytes are the token's id. The buyer releases it to the
//! seller, or the seller refunds it to the buyer. The hooks refuse native transfers and burns from
//! the hold account: only `release` and `refund` move what it holds. The interface is
//! `examples/c/escrow.c`'s: both pass `escrow.scenario.json`.
#![no_std]

use tsvm_sdk::env;
use tsvm_sdk::prelude::*;

tsvm_sdk::unit_enum! {
    /// Where an escrow is in its life (`None`: no such escrow).
    pub enum Status { None, Open, Funded, Released, Refunded }
}

tsvm_sdk::record! {
    /// One escrow, stored at `escrow/` ++ its id.
    #[derive(Clone, Copy)]
    pub struct Escrow { buyer: Address, seller: Address, amount: Amount, status: Status }
}

/// The account holding funded escrows: the token id's 32 bytes.
fn hold() -> Address {
    Address(token_id().0)
}

fn key(id: u64) -> storage::Key {
    storage::key("escrow/", &id)
}

/// Loads escrow `id` and requires it to be in status `want` (else reverts with `not_want`).
fn load(id: u64, want: Status, not_want: &str) -> Escrow {
    let Some(escrow) = storage::get::<Escrow>(key(id)) else { revert!("no escrow") };
    if escrow.status != want {
        env::revert(not_want)
    }
    escrow
}

/// Stores `escrow` in its new `status` and emits `topic` with the id.
fn finish(id: u64, mut escrow: Escrow, status: Status, topic: &str) {
    escrow.status = status;
    storage::set(key(id), &escrow);
    emit(topic, &id);
}

/// Ends a funded escrow: `Released` by the buyer to the seller, or `Refunded` by the seller to the
/// buyer.
fn settle(id: u64, status: Status, topic: &str) {
    let escrow = load(id, Status::Funded, "not funded");
    let (by, to, not_by) = match status {
        Status::Released => (escrow.buyer, escrow.seller, "not buyer"),
        _ => (escrow.seller, escrow.buyer, "not seller"),
    };
    if caller() != by {
        env::revert(not_by)
    }
    transfer(&hold(), &to, escrow.amount);
    finish(id, escrow, status, topic);
}

/// Refuses a native transfer or burn debiting the hold account.
fn guard_hold(op: Operation) {
    if let Operation::Transfer { from, .. } | Operation::Burn { from, .. } = op {
        require!(from != hold(), "escrow funds are held");
    }
}

tsvm_sdk::script! {
    name = "escrow";
    events { "opened": u64, "funded": u64, "released": u64, "refunded": u64 }
    storage { "escrow/" => u64: Escrow }
    hooks {
        fn before_transfer(op: Operation) { guard_hold(op) }
        fn before_burn(op: Operation) { guard_hold(op) }
    }
    views {
        /// An escrow's status: `None` for an unknown id.
        fn status(id: u64) -> Status {
            storage::get::<Escrow>(key(id)).map_or(Status::None, |e| e.status)
        }
    }
    methods {
        /// The caller opens escrow `id` as its buyer.
        fn open(id: u64, seller: Address, amount: Amount) {
            require!(amount > 0, "zero amount");
            require!(storage::get::<Escrow>(key(id)).is_none(), "escrow exists");
            let escrow = Escrow { buyer: caller(), seller, amount, status: Status::None };
            finish(id, escrow, Status::Open, "opened");
        }

        /// The buyer moves the amount to the hold account.
        fn fund(id: u64) {
            let escrow = load(id, Status::Open, "not open");
            require!(caller() == escrow.buyer, "not buyer");
            transfer(&escrow.buyer, &hold(), escrow.amount);
            finish(id, escrow, Status::Funded, "funded");
        }

        /// The buyer pays the seller.
        fn release(id: u64) {
            settle(id, Status::Released, "released")
        }

        /// The seller gives the amount back to the buyer.
        fn refund(id: u64) {
            settle(id, Status::Refunded, "refunded")
        }
    }
}
