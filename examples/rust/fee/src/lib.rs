//! `fee`: fee-on-transfer. The before-hook cancels the native transfer and makes two of its own:
//! `amount - fee` to the recipient and `fee` to the treasury, the token's owner
//! (`spec/abi.md#operation-pipeline`). The fee is in basis points, set by the owner.
#![no_std]

use tsvm_sdk::math;
use tsvm_sdk::prelude::*;

/// The fee until the owner sets one: 1%.
const DEFAULT_FEE_BPS: u16 = 100;

fn current_fee() -> u16 {
    storage::get_or("fee_bps", DEFAULT_FEE_BPS)
}

tsvm_sdk::script! {
    name = "fee";
    events { "fee": u128 }
    storage { "fee_bps": u16 }
    hooks {
        /// Replaces `from -> to: amount` with `from -> to: amount - fee` and `from -> owner: fee`.
        fn before_transfer(op: Operation) {
            let Operation::Transfer { from, to, amount } = op else { return };
            let treasury = token_owner();
            // amount * bps / 10_000, exactly (bps <= 10_000, so the fee is at most the amount).
            let Some(fee) = math::mul_div(amount, u32::from(current_fee()), 10_000) else {
                revert!("fee overflow")
            };
            if fee == 0 || from == treasury {
                return; // nothing to take: the native transfer goes ahead
            }
            cancel_native();
            transfer(&from, &to, amount - fee);
            transfer(&from, &treasury, fee);
            emit("fee", &fee);
        }
    }
    views {
        /// The fee in basis points.
        fn fee_bps() -> u16 {
            current_fee()
        }
    }
    methods {
        /// The token owner sets the fee (at most 10,000 basis points).
        fn set_fee(bps: u16) {
            require!(caller() == token_owner(), "only the token owner may set the fee");
            require!(bps <= 10_000, "fee of {} basis points above 10000", bps);
            storage::set("fee_bps", &bps);
        }
    }
}
