//! Safe wrappers of the host functions (`spec/abi.md#host-functions`): the context, storage,
//! balances and supply, mutations, events, logs, return data and reverts.
//!
//! A failing host call ends the execution with its status (`spec/abi.md#status-codes`): these
//! functions return only on success. Values are encoded into stack buffers of fixed size
//! ([`VALUE_CAP`], [`INPUT_CAP`], [`REASON_CAP`]); a value that does not fit reverts with a reason
//! saying so, never writes a cut value.

#![allow(unsafe_code)]

use crate::codec::{Decode, Encode, Writer};
use crate::sys;
use crate::types::{Address, Amount, Hash, Operation, TokenId};

/// The largest encoded value (storage value, return data, event data) the SDK's helpers handle.
pub const VALUE_CAP: usize = 512;

/// The largest input (a hook's operation, a view's or method's args) the SDK's entry points read.
pub const INPUT_CAP: usize = 512;

/// The longest revert reason or log message [`crate::revert!`] and [`crate::log!`] format; longer
/// text is cut at a character boundary.
pub const REASON_CAP: usize = 256;

/// The longest storage key (`max_key_len`, `spec/abi.md#host-limits`).
pub const KEY_CAP: usize = 256;

fn len32(n: usize) -> u32 {
    // Wasm32 addresses are 32 bits: a slice length always fits.
    n as u32
}

/// Ends the execution with `reverted` and `reason` (cut to `max_revert_reason_len` by the host's
/// limit: a longer reason is `limit_exceeded`).
pub fn revert(reason: &str) -> ! {
    revert_bytes(reason.as_bytes())
}

/// [`revert`] with the reason as bytes (UTF-8 by convention: tools show it as text).
pub fn revert_bytes(reason: &[u8]) -> ! {
    // SAFETY: the range is a live slice.
    unsafe { sys::revert(reason.as_ptr(), len32(reason.len())) }
}

// -- the context ----------------------------------------------------------------------------------

/// Calls a host function that writes 32 bytes (called directly, not through a function pointer,
/// which would cost the module a table).
macro_rules! read32 {
    ($f:ident) => {{
        let mut out = [0u8; 32];
        // SAFETY: the host writes 32 bytes to a 32-byte buffer.
        unsafe { sys::$f(out.as_mut_ptr()) };
        out
    }};
}

/// The block height (`spec/abi.md#context`).
pub fn height() -> u64 {
    // SAFETY: no memory is touched.
    unsafe { sys::block_height() }
}

/// The block's timestamp in milliseconds: the only clock.
pub fn timestamp_ms() -> u64 {
    // SAFETY: no memory is touched.
    unsafe { sys::block_timestamp() }
}

/// The transaction's hash.
pub fn tx_hash() -> Hash {
    Hash(read32!(tx_hash))
}

/// The previous block's hash.
pub fn prev_block_hash() -> Hash {
    Hash(read32!(prev_block_hash))
}

/// The transaction's signer.
pub fn caller() -> Address {
    Address(read32!(caller))
}

/// The token whose script runs.
pub fn token_id() -> TokenId {
    TokenId(read32!(token_id))
}

/// The token's owner.
pub fn token_owner() -> Address {
    Address(read32!(token_owner))
}

/// Gas left after this call.
pub fn gas_left() -> u64 {
    // SAFETY: no memory is touched.
    unsafe { sys::gas_left() }
}

/// The blake3 hash of `data`.
pub fn blake3(data: &[u8]) -> Hash {
    let mut out = [0u8; 32];
    // SAFETY: reads a live slice, writes 32 bytes to a 32-byte buffer.
    unsafe { sys::blake3(data.as_ptr(), len32(data.len()), out.as_mut_ptr()) };
    Hash(out)
}

// -- balances, supply and mutations (`spec/abi.md#mutations`) -------------------------------------

/// The balance of `account` in this token.
pub fn balance_of(account: &Address) -> Amount {
    let mut out = [0u8; 16];
    // SAFETY: reads 32 bytes of an address, writes 16 to a 16-byte buffer.
    unsafe { sys::balance_of(account.0.as_ptr(), out.as_mut_ptr()) };
    Amount::from_le_bytes(out)
}

/// The token's total supply.
pub fn total_supply() -> Amount {
    let mut out = [0u8; 16];
    // SAFETY: writes 16 bytes to a 16-byte buffer.
    unsafe { sys::total_supply(out.as_mut_ptr()) };
    Amount::from_le_bytes(out)
}

/// Moves `amount` from `from` to `to`; a failed check ends the execution with its status.
pub fn transfer(from: &Address, to: &Address, amount: Amount) {
    // SAFETY: reads two 32-byte addresses.
    unsafe { sys::transfer(from.0.as_ptr(), to.0.as_ptr(), amount as u64, (amount >> 64) as u64) }
}

/// Creates `amount` for `to`, if the token's policy lets its script mint.
pub fn mint(to: &Address, amount: Amount) {
    // SAFETY: reads a 32-byte address.
    unsafe { sys::mint(to.0.as_ptr(), amount as u64, (amount >> 64) as u64) }
}

/// Destroys `amount` held by `from`, if the token's policy lets its script burn.
pub fn burn(from: &Address, amount: Amount) {
    // SAFETY: reads a 32-byte address.
    unsafe { sys::burn(from.0.as_ptr(), amount as u64, (amount >> 64) as u64) }
}

/// In an operation pipeline's before-hook, cancels the native mutation so the hook's own
/// mutations replace it (`spec/abi.md#operation-pipeline`).
pub fn cancel_native() {
    // SAFETY: no memory is touched.
    unsafe { sys::cancel_native() }
}

// -- encoding helpers ------------------------------------------------------------------------------

/// Encodes `value` into `buf`, reverting if it does not fit.
pub fn encode<'a, T: Encode + ?Sized>(value: &T, buf: &'a mut [u8]) -> &'a [u8] {
    let mut w = Writer::new(buf);
    value.encode(&mut w);
    match w.finish() {
        Some(bytes) => bytes,
        None => revert("tsvm-sdk: value larger than its buffer"),
    }
}

// -- input and return data -------------------------------------------------------------------------

/// Reads the whole input into `buf`; reverts if it is longer.
pub fn input(buf: &mut [u8]) -> &[u8] {
    // SAFETY: no memory is touched.
    let n = unsafe { sys::input_size() } as usize;
    let Some(dst) = buf.get_mut(..n) else { revert("tsvm-sdk: input longer than INPUT_CAP") };
    // SAFETY: writes `n` bytes to a buffer of at least `n`.
    unsafe { sys::input_read(dst.as_mut_ptr(), 0, len32(n)) };
    dst
}

/// Decodes the input as `T` exactly (a view's or method's args as a tuple); reverts with
/// `bad args` if it is not one valid encoding (the C kit's reason too).
pub fn args<T: Decode>() -> T {
    let mut buf = [0u8; INPUT_CAP];
    match T::from_bytes(input(&mut buf)) {
        Some(v) => v,
        None => revert("bad args"),
    }
}

/// The operation a hook sees; reverts if the input is not one.
pub fn operation() -> Operation {
    let mut buf = [0u8; 96];
    match Operation::from_bytes(input(&mut buf)) {
        Some(op) => op,
        None => revert("bad operation"),
    }
}

/// Sets the call's return data to the borsh of `value`.
pub fn return_value<T: Encode + ?Sized>(value: &T) {
    let mut buf = [0u8; VALUE_CAP];
    let bytes = encode(value, &mut buf);
    // SAFETY: reads a live slice.
    unsafe { sys::return_data(bytes.as_ptr(), len32(bytes.len())) }
}

// -- events and logs -------------------------------------------------------------------------------

/// Emits an event: `topic` and the borsh of `data`.
pub fn emit<T: Encode + ?Sized>(topic: &str, data: &T) {
    let mut buf = [0u8; VALUE_CAP];
    let bytes = encode(data, &mut buf);
    // SAFETY: reads two live slices.
    unsafe { sys::emit_event(topic.as_ptr(), len32(topic.len()), bytes.as_ptr(), len32(bytes.len())) }
}

/// A log level (`spec/abi.md#events-and-logs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum Level {
    /// 0.
    Debug = 0,
    /// 1.
    Info = 1,
    /// 2.
    Warn = 2,
    /// 3.
    Error = 3,
}

/// Logs `msg` at `level` (kept in the receipt even when the call fails).
pub fn log(level: Level, msg: &str) {
    log_bytes(level, msg.as_bytes())
}

/// [`log`] with the message as bytes.
pub fn log_bytes(level: Level, msg: &[u8]) {
    // SAFETY: reads a live slice.
    unsafe { sys::log(level as u32, msg.as_ptr(), len32(msg.len())) }
}
