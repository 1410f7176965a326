//! The raw host imports (`spec/abi.md#host-functions`), one per entry of `abi::HOST_FUNCTIONS`, in
//! table order, with the table's parameter names.
//!
//! Kept by hand, one declaration a line, and checked against the table by `tests/sdk_host.rs`
//! (names, order, parameter names, Wasm types): any drift fails the workspace tests. Pointers and
//! `u32`/`i32` are Wasm `i32`; `u64` is Wasm `i64` (an amount is `amount_lo`, `amount_hi`).
//! Scripts use the safe wrappers of [`crate::env`]; these are for what the SDK does not wrap.

#![allow(unsafe_code)]

#[link(wasm_import_module = "tsvm")]
extern "C" {
    /// `input_size() -> len`.
    pub fn input_size() -> u32;
    /// `input_read(dst, offset, len)`.
    pub fn input_read(dst: *mut u8, offset: u32, len: u32);
    /// `return_data(ptr, len)`.
    pub fn return_data(ptr: *const u8, len: u32);
    /// `revert(ptr, len)`: does not return.
    pub fn revert(ptr: *const u8, len: u32) -> !;
    /// `storage_read(key, key_len, dst, cap) -> len` (-1 if absent).
    pub fn storage_read(key: *const u8, key_len: u32, dst: *mut u8, cap: u32) -> i32;
    /// `storage_write(key, key_len, val, val_len)`.
    pub fn storage_write(key: *const u8, key_len: u32, val: *const u8, val_len: u32);
    /// `storage_remove(key, key_len)`.
    pub fn storage_remove(key: *const u8, key_len: u32);
    /// `balance_of(account, dst)`: 16 bytes LE at `dst`.
    pub fn balance_of(account: *const u8, dst: *mut u8);
    /// `total_supply(dst)`: 16 bytes LE at `dst`.
    pub fn total_supply(dst: *mut u8);
    /// `transfer(from, to, amount_lo, amount_hi)`.
    pub fn transfer(from: *const u8, to: *const u8, amount_lo: u64, amount_hi: u64);
    /// `mint(to, amount_lo, amount_hi)`.
    pub fn mint(to: *const u8, amount_lo: u64, amount_hi: u64);
    /// `burn(from, amount_lo, amount_hi)`.
    pub fn burn(from: *const u8, amount_lo: u64, amount_hi: u64);
    /// `emit_event(topic, topic_len, data, data_len)`.
    pub fn emit_event(topic: *const u8, topic_len: u32, data: *const u8, data_len: u32);
    /// `log(level, msg, msg_len)`.
    pub fn log(level: u32, msg: *const u8, msg_len: u32);
    /// `block_height() -> height`.
    pub fn block_height() -> u64;
    /// `block_timestamp() -> timestamp_ms`.
    pub fn block_timestamp() -> u64;
    /// `tx_hash(dst)`.
    pub fn tx_hash(dst: *mut u8);
    /// `prev_block_hash(dst)`.
    pub fn prev_block_hash(dst: *mut u8);
    /// `caller(dst)`.
    pub fn caller(dst: *mut u8);
    /// `token_id(dst)`.
    pub fn token_id(dst: *mut u8);
    /// `token_owner(dst)`.
    pub fn token_owner(dst: *mut u8);
    /// `gas_left() -> gas`.
    pub fn gas_left() -> u64;
    /// `blake3(ptr, len, dst)`.
    pub fn blake3(ptr: *const u8, len: u32, dst: *mut u8);
    /// `cancel_native()`.
    pub fn cancel_native();
}
