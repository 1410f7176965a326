//! `fee`: fee-on-transfer. The before-hook cancels the native transfer and makes two of its own:
//! `amount - fee` to the recipient and `fee` to the token's owner, fee = amount * bps / 10,000
//! rounded down (`spec/abi.md#operation-pipeline`). The owner sets the fee in basis points (default
//! 0, at most 10,000). The interface is `examples/c/fee.c`'s: both pass `fee.scenario.json`.
#![no_std]

use tsvm_sdk::math;
use tsvm_sdk::prelude::*;

/// Basis points in 100%.
const BPS_DENOMINATOR: u16 = 10_000;

tsvm_sdk::script! {
    name = "fee";
    events { "fee": u128, "fee_set": u16 }
    storage { "fee_bps": u16 }
    hooks {
        /// Replaces `from -> to: amount` with `from -> to: amount - fee` and `from -> owner: fee`.
        fn before_transfer(op: Operation) {
            let Operation::Transfer { from, to, amount } = op else { return };
            // bps <= 10,000: the fee is at most the amount, and the product cannot overflow.
            let Some(fee) = math::mul_div(amount, u32::from(fee_bps()), u32::from(BPS_DENOMINATOR)) else {
                revert!("fee overflow")
            };
            if fee == 0 {
                return; // the native transfer goes ahead
            }
            cancel_native();
            let net = amount - fee;
            if net > 0 {
                transfer(&from, &to, net);
            }
            transfer(&from, &token_owner(), fee);
            emit("fee", &fee);
        }
    }
    views {
        /// The fee in basis points.
        fn fee_bps() -> u16 {
            storage::get_or("fee_bps", 0)
        }
    }
    methods {
        /// The token owner sets the fee, at most 10,000 basis points (100%).
        fn set_fee_bps(bps: u16) {
            require!(caller() == token_owner(), "not owner");
            require!(bps <= BPS_DENOMINATOR, "fee above 100%");
            storage::set("fee_bps", &bps);
            emit("fee_set", &bps);
        }
    }
}
