//! The host function table: every function a script may import (`spec/abi.md#host-functions`).
//!
//! This table is the only list: the VM's validator checks imports against it and its linker defines
//! exactly these functions, so the two cannot drift. Each entry gives the Wasm signature and the gas:
//! `base` for the call plus `per_byte` for every byte the call reads from or writes to guest memory.
//!
//! Pointers and lengths are `i32` interpreted as unsigned; a range outside linear memory halts with
//! `BadPointer`. Amounts are passed as two `i64` halves (`lo`, `hi`) of a `u128`. 32-byte values
//! (addresses, hashes) are read from or written to guest memory at a pointer.

/// The import module every host function lives in.
pub const HOST_MODULE: &str = "tsvm";

/// A Wasm value type in a host signature (tsvm has no floats).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WasmType {
    /// `i32`.
    I32,
    /// `i64`.
    I64,
}

/// One host function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HostFn {
    /// Which function.
    pub id: HostFnId,
    /// Import name within [`HOST_MODULE`].
    pub name: &'static str,
    /// Parameter types.
    pub params: &'static [WasmType],
    /// Result types.
    pub results: &'static [WasmType],
    /// Gas charged on entry, before anything else.
    pub base: u64,
    /// Gas charged per byte read from or written to guest memory (and per byte hashed or stored).
    pub per_byte: u64,
}

use WasmType::{I32, I64};

macro_rules! host_table {
    ($( $(#[$doc:meta])* $id:ident = $name:literal, [$($p:ident),*] -> [$($r:ident),*], base $base:literal, per_byte $pb:literal; )*) => {
        /// Identifies a host function; the discriminant is its index in [`HOST_FUNCTIONS`].
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[repr(u8)]
        pub enum HostFnId {
            $( $(#[$doc])* $id, )*
        }

        /// The host function table, in [`HostFnId`] order.
        pub const HOST_FUNCTIONS: &[HostFn] = &[
            $( HostFn {
                id: HostFnId::$id,
                name: $name,
                params: &[$($p),*],
                results: &[$($r),*],
                base: $base,
                per_byte: $pb,
            }, )*
        ];
    };
}

// Gas rationale (spec/gas.md#host-calls): 1 gas is about one simple Wasm instruction. `base` covers
// the host call's fixed work (the trampoline, argument checks, the trace record of the call, a state
// lookup), measured with the worst inputs by the fairness benchmark (`benches/README.md#fairness`):
// no host call is below 100. Storage is dearer because every node must read it from its database and
// persist writes. `per_byte` covers copying and hashing guest bytes; `storage_read` also charges it
// for the bytes of the value it does not copy, and `storage_write`/`storage_remove` charge
// `storage_read`'s `per_byte` for the value they replace (the node reads it; the diff carries it).
host_table! {
    /// `input_size() -> len`: length of the invocation input (hook: borsh of the operation; view or
    /// method: its args).
    InputSize = "input_size", [] -> [I32], base 100, per_byte 0;
    /// `input_read(dst, offset, len)`: copies input bytes `offset..offset+len` to `dst`.
    InputRead = "input_read", [I32, I32, I32] -> [], base 100, per_byte 1;
    /// `return_data(ptr, len)`: sets the call's return data (a later call replaces it).
    ReturnData = "return_data", [I32, I32] -> [], base 120, per_byte 1;
    /// `revert(ptr, len)`: halts with `Reverted` and the given reason. Does not return.
    Revert = "revert", [I32, I32] -> [], base 120, per_byte 1;
    /// `storage_read(key, key_len, dst, dst_cap) -> len`: -1 if absent, else the value's full length;
    /// copies `min(len, dst_cap)` bytes to `dst`.
    StorageRead = "storage_read", [I32, I32, I32, I32] -> [I32], base 2_000, per_byte 4;
    /// `storage_write(key, key_len, val, val_len)`.
    StorageWrite = "storage_write", [I32, I32, I32, I32] -> [], base 2_000, per_byte 20;
    /// `storage_remove(key, key_len)`.
    StorageRemove = "storage_remove", [I32, I32] -> [], base 2_000, per_byte 2;
    /// `balance_of(account, dst)`: writes the account's balance (16 bytes LE) to `dst`.
    BalanceOf = "balance_of", [I32, I32] -> [], base 1_500, per_byte 1;
    /// `total_supply(dst)`: writes the total supply (16 bytes LE) to `dst`.
    TotalSupply = "total_supply", [I32] -> [], base 200, per_byte 1;
    /// `transfer(from, to, lo, hi)`: moves an amount between accounts of this token, checked now.
    Transfer = "transfer", [I32, I32, I64, I64] -> [], base 4_000, per_byte 1;
    /// `mint(to, lo, hi)`: creates an amount, if the token's policy allows it.
    Mint = "mint", [I32, I64, I64] -> [], base 4_000, per_byte 1;
    /// `burn(from, lo, hi)`: destroys an amount, if the token's policy allows it.
    Burn = "burn", [I32, I64, I64] -> [], base 4_000, per_byte 1;
    /// `emit_event(topic, topic_len, data, data_len)`.
    EmitEvent = "emit_event", [I32, I32, I32, I32] -> [], base 400, per_byte 4;
    /// `log(level, msg, msg_len)`: level 0 debug, 1 info, 2 warn, 3 error.
    Log = "log", [I32, I32, I32] -> [], base 200, per_byte 2;
    /// `block_height() -> height`.
    BlockHeight = "block_height", [] -> [I64], base 100, per_byte 0;
    /// `block_timestamp() -> ms`: the block's timestamp, the only clock.
    BlockTimestamp = "block_timestamp", [] -> [I64], base 100, per_byte 0;
    /// `tx_hash(dst)`: writes the 32-byte transaction hash.
    TxHash = "tx_hash", [I32] -> [], base 100, per_byte 1;
    /// `prev_block_hash(dst)`: writes the 32-byte previous block hash.
    PrevBlockHash = "prev_block_hash", [I32] -> [], base 100, per_byte 1;
    /// `caller(dst)`: writes the 32-byte address of the transaction's signer.
    Caller = "caller", [I32] -> [], base 100, per_byte 1;
    /// `token_id(dst)`: writes the 32-byte id of the token whose script runs.
    TokenId = "token_id", [I32] -> [], base 100, per_byte 1;
    /// `token_owner(dst)`: writes the 32-byte owner address of the token.
    TokenOwner = "token_owner", [I32] -> [], base 200, per_byte 1;
    /// `gas_left() -> gas`: gas remaining after this call's own cost.
    GasLeft = "gas_left", [] -> [I64], base 100, per_byte 0;
    /// `blake3(ptr, len, dst)`: writes the 32-byte blake3 hash of `ptr..ptr+len`.
    Blake3 = "blake3", [I32, I32, I32] -> [], base 200, per_byte 2;
    /// `cancel_native()`: in an operation pipeline's before-hook, cancels the native mutation, so
    /// the hook can replace it with mutations of its own (e.g. a fee on transfers).
    CancelNative = "cancel_native", [] -> [], base 100, per_byte 0;
}

impl HostFnId {
    /// The table entry.
    pub fn spec(self) -> &'static HostFn {
        &HOST_FUNCTIONS[self as usize]
    }
}

/// Looks up a host function by its import name.
pub fn host_function(name: &str) -> Option<&'static HostFn> {
    HOST_FUNCTIONS.iter().find(|f| f.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_indexed_by_id_and_names_are_unique() {
        for (i, f) in HOST_FUNCTIONS.iter().enumerate() {
            assert_eq!(f.id as usize, i);
            assert_eq!(host_function(f.name).unwrap().id, f.id);
            assert!(f.base > 0, "{} must cost something", f.name);
            assert!(!f.name.starts_with("__"), "reserved prefix");
        }
        assert!(host_function("nope").is_none());
    }
}
