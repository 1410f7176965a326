//! Wrapping guest pointers and lengths into every host function of the table
//! (`spec/abi.md#host-functions`: limits before memory, ranges checked without wrapping). The calls
//! are generated from `abi::HOST_FUNCTIONS`, so a new host function is covered as soon as it exists.

use super::{assert_failed, run_stable};
use abi::{StatusCode, WasmType, HOST_FUNCTIONS};
use tsvm_tests::*;

/// A method calling host function `name` with every `i32` argument `i32_arg` and every `i64` 1.
fn call_with(name: &str, i32_arg: i32) -> Vec<u8> {
    let f = abi::host_function(name).expect("in the table");
    let args: String = f
        .params
        .iter()
        .map(|t| match t {
            WasmType::I32 => format!(" (i32.const {i32_arg})"),
            WasmType::I64 => " (i64.const 1)".to_string(),
        })
        .collect();
    let call = format!("(call ${name}{args})");
    let call = if f.results.is_empty() { call } else { format!("(drop {call})") };
    module(&format!(r#"(func (export "method_t") {call})"#))
}

/// The exact status of each host function when every pointer and length is 0xFFFF_FFF0: a length
/// with a limit fails the limit first (step 3), the log level is checked before that (step 2),
/// every other range wraps and is a bad pointer (step 4).
fn expected_all_wrapping(name: &str) -> StatusCode {
    match name {
        "input_size" | "block_height" | "block_timestamp" | "gas_left" => StatusCode::Success,
        "return_data" | "revert" | "storage_read" | "storage_write" | "storage_remove" | "emit_event" => {
            StatusCode::LimitExceeded
        }
        // `log` checks its level first; `cancel_native` takes no pointers and, called from a method
        // rather than a pipeline's before-hook, is an invalid call (step 2).
        "log" | "cancel_native" => StatusCode::InvalidArgument,
        _ => StatusCode::BadPointer,
    }
}

#[test]
fn every_host_function_rejects_wrapping_pointers_and_lengths() {
    for f in HOST_FUNCTIONS {
        let r = run_stable(&call_with(f.name, -16), method("t", &[]), GAS);
        let want = expected_all_wrapping(f.name);
        if want == StatusCode::Success {
            assert_eq!(r.status, want, "{}", f.name);
        } else {
            assert_failed(&r, want, GAS);
            assert_eq!(r.status, want, "{}", f.name);
        }
    }
}

#[test]
fn every_pointer_taking_host_function_checks_ranges_that_end_past_memory() {
    // Every i32 argument 65,520 (16 bytes before the end of the one page): lengths past their
    // limits fail the limit; a 16-byte result fits exactly ([65,520, 65,536)); every 32-byte or
    // 65,520-byte range ends past memory.
    for f in HOST_FUNCTIONS {
        if !f.params.contains(&WasmType::I32) || f.name == "log" {
            continue;
        }
        let r = run_stable(&call_with(f.name, 65_520), method("t", &[]), GAS);
        let want = match f.name {
            "total_supply" => StatusCode::Success,
            "return_data" | "revert" | "storage_read" | "storage_write" | "storage_remove" | "emit_event" => {
                StatusCode::LimitExceeded
            }
            _ => StatusCode::BadPointer,
        };
        assert_eq!(r.status, want, "{}", f.name);
        if want != StatusCode::Success {
            assert_failed(&r, want, GAS);
        }
    }
    // log: a valid level, a message running one byte past the end.
    let log =
        module(r#"(func (export "method_t") (call $log (i32.const 0) (i32.const 65535) (i32.const 2)))"#);
    assert_failed(&run_stable(&log, method("t", &[]), GAS), StatusCode::BadPointer, GAS);
}
