//! The host function table: every function a script may import (`spec/abi.md#host-functions`).
//!
//! This table is the only list: the VM's validator checks imports against it and its linker defines
//! exactly these functions, so the two cannot drift. Each entry gives the Wasm signature and the gas:
//! `base` for the call plus `per_byte` for every byte the call reads from or writes to guest memory.
//! It also names every parameter and result, so that tools (the CLI's trace renderer, the WAT
//! imports of test fixtures, SDK headers, a gas profiler) are generated from it instead of copying
//! it. The rules hash covers each function's name, types and gas; the names of its parameters and
//! results are documentation, outside the hash (`spec/abi.md#rules-hash`).
//!
//! Pointers and lengths are `i32` interpreted as unsigned; a range outside linear memory halts with
//! `BadPointer`. Amounts are passed as two `i64` halves (`lo`, `hi`) of a `u128`. 32-byte values
//! (addresses, hashes) are read from or written to guest memory at a pointer.

use alloc::{format, string::String};

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

/// One host function: its name, its Wasm signature with a name for each parameter and result, and
/// its gas. Generators (SDK headers, WAT imports, the CLI's trace renderer, a gas profiler) read
/// everything from here.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HostFn {
    /// Which function.
    pub id: HostFnId,
    /// Import name within [`HOST_MODULE`].
    pub name: &'static str,
    /// Parameter types, in order.
    pub params: &'static [WasmType],
    /// Result types (none or one).
    pub results: &'static [WasmType],
    /// Gas charged on entry, before anything else.
    pub base: u64,
    /// Gas charged per byte read from or written to guest memory (and per byte hashed or stored).
    pub per_byte: u64,
    /// The name of each parameter, one per entry of [`params`](Self::params) (as `spec/abi.md`
    /// names them: `ptr`/`len` for a guest range, `dst` for where a result is written). An amount
    /// is two parameters `<name>_lo`, `<name>_hi`: see [`amount_at`](Self::amount_at).
    pub param_names: &'static [&'static str],
    /// The name of each result, one per entry of [`results`](Self::results), saying what it means
    /// (`len`, `height`, `gas`...).
    pub result_names: &'static [&'static str],
    /// Where the function takes a `u128` amount: the index in [`params`](Self::params) of its low
    /// `i64` half, the high half following (`spec/abi.md#host-functions`). Derived from
    /// [`param_names`](Self::param_names): the first `<name>_lo` directly followed by `<name>_hi`.
    pub amount_at: Option<usize>,
}

impl HostFn {
    /// The name a renderer shows for the amount at [`amount_at`](Self::amount_at): its parameter
    /// name without `_lo` (`amount`).
    pub fn amount_name(&self) -> Option<&'static str> {
        let lo = self.param_names.get(self.amount_at?)?;
        lo.strip_suffix("_lo")
    }

    /// This function's WAT import, the function named `$<name>`, for example
    /// `(import "tsvm" "mint" (func $mint (param i32 i64 i64)))`.
    pub fn wat_import(&self) -> String {
        let mut out = format!("(import \"{HOST_MODULE}\" \"{0}\" (func ${0}", self.name);
        for (keyword, types) in [("param", self.params), ("result", self.results)] {
            if !types.is_empty() {
                out.push_str(" (");
                out.push_str(keyword);
                for t in types {
                    out.push(' ');
                    out.push_str(t.wat());
                }
                out.push(')');
            }
        }
        out.push_str("))");
        out
    }
}

impl WasmType {
    /// The type's name in WAT: `i32` or `i64`.
    pub const fn wat(self) -> &'static str {
        match self {
            Self::I32 => "i32",
            Self::I64 => "i64",
        }
    }
}

/// Every host function's WAT import ([`HostFn::wat_import`]), one a line, each line indented by two
/// spaces: the imports of an inline test fixture or a generated module.
pub fn wat_imports() -> String {
    let mut out = String::new();
    for f in HOST_FUNCTIONS {
        out.push_str("  ");
        out.push_str(&f.wat_import());
        out.push('\n');
    }
    out
}

/// The index of the first parameter named `<x>_lo` directly followed by one named `<x>_hi`.
const fn amount_at(names: &[&str]) -> Option<usize> {
    let mut i = 0;
    while i + 1 < names.len() {
        if is_amount_pair(names[i].as_bytes(), names[i + 1].as_bytes()) {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// Whether `lo` and `hi` are `<x>_lo` and `<x>_hi` with the same, non-empty `<x>`.
const fn is_amount_pair(lo: &[u8], hi: &[u8]) -> bool {
    let n = lo.len();
    if n <= 3 || hi.len() != n {
        return false;
    }
    let mut j = 0;
    while j < n - 3 {
        if lo[j] != hi[j] {
            return false;
        }
        j += 1;
    }
    let (l, h) = ([lo[n - 3], lo[n - 2], lo[n - 1]], [hi[n - 3], hi[n - 2], hi[n - 1]]);
    matches!(l, [b'_', b'l', b'o']) && matches!(h, [b'_', b'h', b'i'])
}

use WasmType::{I32, I64};

macro_rules! host_table {
    ($(
        $(#[$doc:meta])*
        $id:ident = $name:literal, ($($pn:ident: $p:ident),*) -> ($($rn:ident: $r:ident),*),
        base $base:literal, per_byte $pb:literal;
    )*) => {
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
                param_names: &[$(stringify!($pn)),*],
                result_names: &[$(stringify!($rn)),*],
                amount_at: amount_at(&[$(stringify!($pn)),*]),
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
//
// Parameter and result names are what the CLI's trace shows (`storage_read(key=.., cap=..) -> len=..`)
// and what generated SDK headers call them: renaming one changes no hash, but changes that output.
host_table! {
    /// `input_size() -> len`: length of the invocation input (hook: borsh of the operation; view or
    /// method: its args).
    InputSize = "input_size", () -> (len: I32), base 100, per_byte 0;
    /// `input_read(dst, offset, len)`: copies input bytes `offset..offset+len` to `dst`.
    InputRead = "input_read", (dst: I32, offset: I32, len: I32) -> (), base 100, per_byte 1;
    /// `return_data(ptr, len)`: sets the call's return data (a later call replaces it).
    ReturnData = "return_data", (ptr: I32, len: I32) -> (), base 120, per_byte 1;
    /// `revert(ptr, len)`: halts with `Reverted` and the given reason. Does not return.
    Revert = "revert", (ptr: I32, len: I32) -> (), base 120, per_byte 1;
    /// `storage_read(key, key_len, dst, cap) -> len`: -1 if absent, else the value's full length;
    /// copies `min(len, cap)` bytes to `dst`.
    StorageRead = "storage_read", (key: I32, key_len: I32, dst: I32, cap: I32) -> (len: I32),
        base 2_000, per_byte 4;
    /// `storage_write(key, key_len, val, val_len)`.
    StorageWrite = "storage_write", (key: I32, key_len: I32, val: I32, val_len: I32) -> (),
        base 2_000, per_byte 20;
    /// `storage_remove(key, key_len)`.
    StorageRemove = "storage_remove", (key: I32, key_len: I32) -> (), base 2_000, per_byte 2;
    /// `balance_of(account, dst)`: writes the account's balance (16 bytes LE) to `dst`.
    BalanceOf = "balance_of", (account: I32, dst: I32) -> (), base 1_500, per_byte 1;
    /// `total_supply(dst)`: writes the total supply (16 bytes LE) to `dst`.
    TotalSupply = "total_supply", (dst: I32) -> (), base 200, per_byte 1;
    /// `transfer(from, to, amount)`: moves an amount between accounts of this token, checked now.
    Transfer = "transfer", (from: I32, to: I32, amount_lo: I64, amount_hi: I64) -> (),
        base 4_000, per_byte 1;
    /// `mint(to, amount)`: creates an amount, if the token's policy allows it.
    Mint = "mint", (to: I32, amount_lo: I64, amount_hi: I64) -> (), base 4_000, per_byte 1;
    /// `burn(from, amount)`: destroys an amount, if the token's policy allows it.
    Burn = "burn", (from: I32, amount_lo: I64, amount_hi: I64) -> (), base 4_000, per_byte 1;
    /// `emit_event(topic, topic_len, data, data_len)`.
    EmitEvent = "emit_event", (topic: I32, topic_len: I32, data: I32, data_len: I32) -> (),
        base 400, per_byte 4;
    /// `log(level, msg, msg_len)`: level 0 debug, 1 info, 2 warn, 3 error.
    Log = "log", (level: I32, msg: I32, msg_len: I32) -> (), base 200, per_byte 2;
    /// `block_height() -> height`.
    BlockHeight = "block_height", () -> (height: I64), base 100, per_byte 0;
    /// `block_timestamp() -> timestamp_ms`: the block's timestamp, the only clock.
    BlockTimestamp = "block_timestamp", () -> (timestamp_ms: I64), base 100, per_byte 0;
    /// `tx_hash(dst)`: writes the 32-byte transaction hash.
    TxHash = "tx_hash", (dst: I32) -> (), base 100, per_byte 1;
    /// `prev_block_hash(dst)`: writes the 32-byte previous block hash.
    PrevBlockHash = "prev_block_hash", (dst: I32) -> (), base 100, per_byte 1;
    /// `caller(dst)`: writes the 32-byte address of the transaction's signer.
    Caller = "caller", (dst: I32) -> (), base 100, per_byte 1;
    /// `token_id(dst)`: writes the 32-byte id of the token whose script runs.
    TokenId = "token_id", (dst: I32) -> (), base 100, per_byte 1;
    /// `token_owner(dst)`: writes the 32-byte owner address of the token.
    TokenOwner = "token_owner", (dst: I32) -> (), base 200, per_byte 1;
    /// `gas_left() -> gas`: gas remaining after this call's own cost.
    GasLeft = "gas_left", () -> (gas: I64), base 100, per_byte 0;
    /// `blake3(ptr, len, dst)`: writes the 32-byte blake3 hash of `ptr..ptr+len`.
    Blake3 = "blake3", (ptr: I32, len: I32, dst: I32) -> (), base 200, per_byte 2;
    /// `cancel_native()`: in an operation pipeline's before-hook, cancels the native mutation, so
    /// the hook can replace it with mutations of its own (e.g. a fee on transfers).
    CancelNative = "cancel_native", () -> (), base 100, per_byte 0;
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

    #[test]
    fn every_parameter_and_result_is_named_and_amounts_are_i64_pairs() {
        for f in HOST_FUNCTIONS {
            assert_eq!(f.param_names.len(), f.params.len(), "{}", f.name);
            assert_eq!(f.result_names.len(), f.results.len(), "{}", f.name);
            for (i, n) in f.param_names.iter().enumerate() {
                assert!(!f.param_names[..i].contains(n), "{}: parameter {n} twice", f.name);
            }
            let halves = f.param_names.iter().filter(|n| n.ends_with("_lo") || n.ends_with("_hi")).count();
            match f.amount_at {
                Some(at) => {
                    assert_eq!(&f.params[at..at + 2], &[I64, I64], "{}", f.name);
                    assert_eq!(halves, 2, "{}: one amount per function", f.name);
                    assert_eq!(f.amount_name(), Some("amount"), "{}", f.name);
                }
                None => assert_eq!(halves, 0, "{}: an unpaired amount half", f.name),
            }
        }
        let amounts: Vec<_> =
            HOST_FUNCTIONS.iter().filter(|f| f.amount_at.is_some()).map(|f| f.name).collect();
        assert_eq!(amounts, ["transfer", "mint", "burn"]);
        assert_eq!(HostFnId::Transfer.spec().amount_at, Some(2));
        assert_eq!(HostFnId::StorageRead.spec().result_names, ["len"]);
        assert_eq!(amount_at(&["x_lo", "y_hi"]), None);
        assert_eq!(amount_at(&["_lo", "_hi"]), None);
    }

    #[test]
    fn wat_imports_name_each_function_with_its_signature() {
        assert_eq!(
            HostFnId::StorageRead.spec().wat_import(),
            r#"(import "tsvm" "storage_read" (func $storage_read (param i32 i32 i32 i32) (result i32)))"#
        );
        assert_eq!(
            HostFnId::CancelNative.spec().wat_import(),
            r#"(import "tsvm" "cancel_native" (func $cancel_native))"#
        );
        assert_eq!(wat_imports().lines().count(), HOST_FUNCTIONS.len());
    }
}
