//! `escrow`: a state machine per deal (open, fund, release, refund) with a status view.
//!
//! The buyer opens a deal for a seller and an amount, then funds it: the amount moves from the
//! buyer to the escrow vault. The buyer releases it to the seller, or the seller refunds it to the
//! buyer. The vault's balance moves only this way: a native transfer out of it is rejected.
#![no_std]

use tsvm_sdk::prelude::*;

/// The account holding funded deals (a fixed address: its funds move only through this script).
const VAULT: Address = Address([0xe5; 32]);

tsvm_sdk::unit_enum! {
    /// Where a deal is in its life.
    pub enum Status { Open, Funded, Released, Refunded }
}

tsvm_sdk::record! {
    /// One deal, stored at `deal/` ++ its id.
    #[derive(Clone, Copy)]
    pub struct Deal { buyer: Address, seller: Address, amount: Amount, status: Status }
}

fn load(id: u64) -> Deal {
    match storage::get(storage::key("deal/", &id)) {
        Some(deal) => deal,
        None => revert!("no deal {}", id),
    }
}

/// Ends a funded deal: `Released` (by the buyer, to the seller) or `Refunded` (by the seller, to the
/// buyer).
fn settle(id: u64, status: Status, topic: &str) {
    let mut deal = load(id);
    require!(deal.status == Status::Funded, "deal {} is not funded", id);
    let (by, to) = match status {
        Status::Released => (deal.buyer, deal.seller),
        _ => (deal.seller, deal.buyer),
    };
    require!(
        caller() == by,
        "only the {} may settle deal {} this way",
        if by == deal.buyer { "buyer" } else { "seller" },
        id
    );
    transfer(&VAULT, &to, deal.amount);
    deal.status = status;
    storage::set(storage::key("deal/", &id), &deal);
    emit(topic, &id);
}

tsvm_sdk::script! {
    name = "escrow";
    events { "opened": u64, "funded": u64, "released": u64, "refunded": u64 }
    storage { "next_id": u64, "deal/" => u64: Deal }
    hooks {
        /// The vault is not an ordinary account: only `release` and `refund` move its funds.
        fn before_transfer(op: Operation) {
            require!(op.debited() != Some(VAULT), "the escrow vault moves only by release or refund");
        }
    }
    views {
        /// A deal's status.
        fn status(id: u64) -> Status {
            load(id).status
        }
    }
    methods {
        /// The caller opens a deal as its buyer; returns its id.
        fn open(seller: Address, amount: Amount) -> u64 {
            require!(amount > 0, "amount must be positive");
            let id: u64 = storage::get_or("next_id", 0);
            let deal = Deal { buyer: caller(), seller, amount, status: Status::Open };
            storage::set(storage::key("deal/", &id), &deal);
            storage::set("next_id", &(id + 1));
            emit("opened", &id);
            log!(Info, "deal {} opened by {} for {}", id, &deal.buyer, amount);
            id
        }

        /// The buyer moves the amount into the vault.
        fn fund(id: u64) {
            let mut deal = load(id);
            require!(deal.status == Status::Open, "deal {} is not open", id);
            require!(caller() == deal.buyer, "only the buyer funds");
            transfer(&deal.buyer, &VAULT, deal.amount);
            deal.status = Status::Funded;
            storage::set(storage::key("deal/", &id), &deal);
            emit("funded", &id);
        }

        /// The buyer releases the funds to the seller.
        fn release(id: u64) {
            settle(id, Status::Released, "released")
        }

        /// The seller returns the funds to the buyer.
        fn refund(id: u64) {
            settle(id, Status::Refunded, "refunded")
        }
    }
}
