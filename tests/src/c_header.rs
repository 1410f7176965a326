//! The C kit's host imports, `sdk/c/tsvm.h`, generated from the one host table
//! (`abi::HOST_FUNCTIONS`, `spec/abi.md#host-functions`), so the header can never drift from the
//! host: `tests/c_kit.rs` regenerates it and fails on any difference from the committed file.
//!
//! C types follow the Wasm signature: an `i32` parameter is a pointer into linear memory (the host
//! reads from it, or writes to it when named `dst`) or an unsigned length/value; an `i64` parameter
//! is an `int64_t` (an amount is the pair `<x>_lo`, `<x>_hi`); an `i32` result is an `int32_t`
//! (`storage_read` returns -1 for an absent key), an `i64` result an `int64_t`.

use abi::{WasmType, HOST_FUNCTIONS, HOST_MODULE};
use std::fmt::Write;

/// `i32` parameters the host reads guest bytes from (a `const void *` in C).
const READ_POINTERS: &[&str] = &["key", "val", "ptr", "account", "from", "to", "topic", "data", "msg"];
/// `i32` parameters the host writes guest bytes to (a `void *` in C).
const WRITE_POINTERS: &[&str] = &["dst"];
/// `i32` parameters that are lengths, offsets or small values (a `uint32_t` in C).
const VALUES: &[&str] =
    &["len", "key_len", "val_len", "cap", "offset", "topic_len", "data_len", "msg_len", "level"];
/// Host functions that never return (`revert` halts the execution): `_Noreturn` in C.
const NORETURN: &[&str] = &["revert"];

/// The C type of parameter `name` of host function `func`, or an error naming a parameter the
/// generator does not know (a new host function: say above whether it is a pointer or a value).
fn param_type(func: &str, name: &str, ty: WasmType) -> Result<&'static str, String> {
    match ty {
        WasmType::I64 => Ok("int64_t"),
        WasmType::I32 if READ_POINTERS.contains(&name) => Ok("const void *"),
        WasmType::I32 if WRITE_POINTERS.contains(&name) => Ok("void *"),
        WasmType::I32 if VALUES.contains(&name) => Ok("uint32_t"),
        WasmType::I32 => Err(format!(
            "host function {func}: i32 parameter `{name}` is neither a pointer nor a value: add it to \
             READ_POINTERS, WRITE_POINTERS or VALUES in tests/src/c_header.rs"
        )),
    }
}

/// The header's opening comment, include guard and import macro (its first line).
const PREAMBLE: &str = r#"/* tsvm.h: the tsvm host functions for C token scripts (clang --target=wasm32).
 *
 * GENERATED from the host table abi::HOST_FUNCTIONS (abi/src/host.rs) by
 * tests/src/c_header.rs. Do not edit: `TSVM_BLESS=1 cargo test -p tsvm-tests --test main
 * c_kit::header_matches_the_host_table` rewrites it; the test fails on any drift.
 *
 * Semantics, limits and gas of each function: spec/abi.md#host-functions.
 * Pointers and lengths are 32-bit (wasm32); a range outside linear memory halts the call
 * with bad_pointer. An amount (u128) is passed as two int64_t halves, low then high.
 * Helpers over these (u128 arithmetic, operation decoding, typed storage): tsvm_kit.h.
 */
#ifndef TSVM_H
#define TSVM_H

#include <stdint.h>

#define TSVM_IMPORT(name) \
"#;

/// The C type of a result.
fn result_type(ty: WasmType) -> &'static str {
    match ty {
        WasmType::I32 => "int32_t",
        WasmType::I64 => "int64_t",
    }
}

/// The text of `sdk/c/tsvm.h` for the current host table.
///
/// # Errors
/// A host function has an `i32` parameter whose name the generator cannot classify (see
/// [`param_type`]'s lists), or a function named in `NORETURN` is not in the table.
pub fn c_header() -> Result<String, String> {
    for name in NORETURN {
        if !HOST_FUNCTIONS.iter().any(|f| f.name == *name) {
            return Err(format!("NORETURN names `{name}`, which is not a host function"));
        }
    }
    let mut out = String::new();
    out.push_str(PREAMBLE);
    let _ = writeln!(out, "    __attribute__((import_module(\"{HOST_MODULE}\"), import_name(#name)))");
    out.push('\n');
    for f in HOST_FUNCTIONS {
        let mut params = Vec::new();
        for (name, ty) in f.param_names.iter().zip(f.params) {
            params.push(format!("{}{name}", spacing(param_type(f.name, name, *ty)?)));
        }
        let params = if params.is_empty() { "void".to_string() } else { params.join(", ") };
        let result = f.results.first().map_or("void", |r| result_type(*r));
        let sig_params = f.param_names.join(", ");
        let sig_results = match f.result_names {
            [] => String::new(),
            names => format!(" -> {}", names.join(", ")),
        };
        let _ = writeln!(
            out,
            "/** `{}({sig_params}){sig_results}`: gas {} + {} per byte. spec/abi.md#host-functions */",
            f.name, f.base, f.per_byte
        );
        let noreturn = if NORETURN.contains(&f.name) { "_Noreturn " } else { "" };
        let _ = writeln!(out, "TSVM_IMPORT({0}) {noreturn}{result} {0}({params});", f.name);
    }
    out.push_str("\n#endif /* TSVM_H */\n");
    Ok(out)
}

/// `const void *` is followed directly by the name, other types by a space.
fn spacing(ty: &str) -> String {
    if ty.ends_with('*') {
        ty.to_string()
    } else {
        format!("{ty} ")
    }
}
