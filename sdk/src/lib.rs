//! tsvm-sdk: write tsvm token scripts in Rust (`no_std`, no allocator, no floats).
//!
//! A script is one [`script!`] declaration: its hooks, views and methods as plain functions, its
//! events and storage layout; the macro exports the entry points (`spec/abi.md#entry-points`),
//! decodes their arguments and encodes their results (borsh, [`codec`]), and emits the
//! `tsvm.abi` custom section (`spec/abi.md#script-abi`, [`abi`]). Inside, [`env`] wraps every host
//! function (context, balances, mutations, events, logs) and [`storage`] stores borsh values.
//! Failures end the execution with a status; [`revert!`] and [`require!`] end it with a reason.
//! See `sdk/README.md` for the recommended build (one page of memory, no exported globals).

#![no_std]

pub mod abi;
pub mod codec;
pub mod env;
pub mod math;
mod script;
pub mod storage;
pub mod sys;
pub mod text;
mod types;

pub use codec::{Decode, Encode};
pub use env::{
    balance_of, blake3, burn, caller, cancel_native, emit, gas_left, height, mint, prev_block_hash,
    timestamp_ms, token_id, token_owner, total_supply, transfer, tx_hash,
};
pub use types::{Address, Amount, Hash, Operation, TokenId};

/// Everything a script usually needs: `use tsvm_sdk::prelude::*;`.
pub mod prelude {
    pub use crate::env::{
        balance_of, blake3, burn, caller, cancel_native, emit, gas_left, height, mint, prev_block_hash,
        timestamp_ms, token_id, token_owner, total_supply, transfer, tx_hash,
    };
    pub use crate::{log, require, revert, storage, Address, Amount, Hash, Operation, TokenId};
}

/// A panic traps (`unreachable`): the execution ends with status `trap` and applies nothing. The
/// SDK itself never panics on bad input (it reverts); this catches a script's own bugs (an index out
/// of bounds, an overflow check). No message is kept, so no source paths enter the module.
#[cfg(all(target_arch = "wasm32", not(test)))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    core::arch::wasm32::unreachable()
}

#[cfg(test)]
mod tests;
