//! Attempts that validate and then must end in an exact receipt: traps at instantiation, type
//! confusion, recursion, bulk memory at the bounds, failures after writes, overflowing mutations.

use super::{assert_failed, run_stable};
use abi::StatusCode;
use tsvm_tests::*;
use vm::Rules;

fn rules() -> Rules {
    Rules::default()
}

/// Loading, compiling and instantiating `code` (one page, no data): the gas of anything that fails
/// before the first guest instruction runs (`spec/gas.md#per-execution-costs`).
fn entry_cost(code: &[u8], data_bytes: u64) -> u64 {
    let info = vm::validate(code, &rules().limits).expect("a valid module");
    rules().gas.load_cost(code.len() as u32)
        + rules().gas.compile_cost(&info)
        + rules().gas.instantiate_cost(1, data_bytes)
}

#[test]
fn rejected_modules_cost_exactly_their_loading() {
    let code =
        wasm(r#"(module (memory (export "memory") 1) (func (export "method_t") (drop (f32.const 1))))"#);
    let r = run_stable(&code, method("t", &[]), GAS);
    assert_failed(&r, StatusCode::InvalidModule, GAS);
    assert_eq!(r.gas_used, rules().gas.load_cost(code.len() as u32));
}

#[test]
fn element_segment_out_of_bounds_is_a_trap_not_a_host_failure() {
    // spec/abi.md#execution step 5. wasmi reports this as an instantiation error without a trap
    // code; before the fix the VM returned `Err(Engine)` here: a guest could crash the host.
    let code = wasm(
        r#"(module (memory (export "memory") 1) (table 1 funcref)
             (elem (i32.const 1) $f) (func $f) (func (export "method_t")))"#,
    );
    let r = run_stable(&code, method("t", &[]), GAS);
    assert_failed(&r, StatusCode::Trap, GAS);
    assert_eq!(r.gas_used, entry_cost(&code, 0));
    // The data-segment twin, for the same exact gas rule.
    let code = wasm(
        r#"(module (memory (export "memory") 1) (data (i32.const 65535) "ab") (func (export "method_t")))"#,
    );
    let r = run_stable(&code, method("t", &[]), GAS);
    assert_failed(&r, StatusCode::Trap, GAS);
    assert_eq!(r.gas_used, entry_cost(&code, 2));
}

#[test]
fn call_indirect_type_confusion_null_and_out_of_range_trap() {
    let code = module(
        r#"(type $v (func)) (type $i (func (param i32) (result i32)))
           (table 3 funcref) (elem (i32.const 0) $takes_int $noop)
           (func $takes_int (param i32) (result i32) (local.get 0))
           (func $noop)
           (func (export "method_confuse") (call_indirect (type $v) (i32.const 0)))
           (func (export "method_null") (call_indirect (type $v) (i32.const 2)))
           (func (export "method_past") (call_indirect (type $v) (i32.const 3)))
           (func (export "method_ok") (call_indirect (type $v) (i32.const 1)))"#,
    );
    for name in ["confuse", "null", "past"] {
        let r = run_stable(&code, method(name, &[]), GAS);
        assert_failed(&r, StatusCode::Trap, GAS);
    }
    assert_eq!(run_stable(&code, method("ok", &[]), GAS).status, StatusCode::Success);
}

#[test]
fn mutual_recursion_hits_the_specified_stack_limit_at_the_same_point() {
    let code = module(
        r#"(func $ping (param i32) (call $pong (i32.add (local.get 0) (i32.const 1))))
           (func $pong (param i32) (call $ping (local.get 0)))
           (func (export "method_t") (call $ping (i32.const 0)))"#,
    );
    let r = run_stable(&code, method("t", &[]), GAS);
    assert_failed(&r, StatusCode::StackOverflow, GAS);
    assert!(r.gas_used < GAS);
    // With too little gas to reach the limit, the same code is out of gas at exactly the limit.
    let r = run_stable(&code, method("t", &[]), 20_000);
    assert_failed(&r, StatusCode::OutOfGas, 20_000);
}

#[test]
fn bulk_memory_at_the_bounds() {
    let code = module(
        r#"(func (export "method_fill_last") (memory.fill (i32.const 65535) (i32.const 7) (i32.const 1)))
           (func (export "method_fill_past") (memory.fill (i32.const 65535) (i32.const 7) (i32.const 2)))
           (func (export "method_copy_past") (memory.copy (i32.const 0) (i32.const 65000) (i32.const 537)))
           (func (export "method_copy_wrap") (memory.copy (i32.const 16) (i32.const -8) (i32.const 16)))
           (func (export "method_fill_huge") (memory.fill (i32.const 0) (i32.const 0) (i32.const -1)))"#,
    );
    assert_eq!(run_stable(&code, method("fill_last", &[]), GAS).status, StatusCode::Success);
    for name in ["fill_past", "copy_past", "copy_wrap"] {
        assert_failed(&run_stable(&code, method(name, &[]), GAS), StatusCode::Trap, GAS);
    }
    // 2^32 - 1 bytes are charged per byte before the fill runs: out of gas, not a 4 GiB memset.
    assert_failed(&run_stable(&code, method("fill_huge", &[]), GAS), StatusCode::OutOfGas, GAS);
    // The per-byte charge is exact: one more byte costs one more gas (spec/gas.md#dynamic-costs).
    let fill = |n: u32| {
        let code = module(&format!(
            r#"(func (export "method_t") (memory.fill (i32.const 0) (i32.const 1) (i32.const {n})))"#
        ));
        run_stable(&code, method("t", &[]), GAS).gas_used
    };
    assert_eq!(fill(1001) - fill(1000), rules().gas.memory_fill_per_byte);
}

#[test]
fn writes_then_a_failure_apply_nothing() {
    let write = "(call $storage_write (i32.const 0) (i32.const 4) (i32.const 0) (i32.const 4))
                 (call $transfer (i32.const 100) (i32.const 200) (i64.const 1) (i64.const 0))
                 (call $emit_event (i32.const 0) (i32.const 1) (i32.const 0) (i32.const 1))";
    let code = module(&format!(
        r#"(data (i32.const 100) "{a}") (data (i32.const 200) "{b}")
           (func $w {write})
           (func (export "method_trap") (call $w) (unreachable))
           (func (export "method_revert") (call $w) (call $revert (i32.const 0) (i32.const 3)))
           (func (export "method_div") (call $w) (drop (i32.div_u (i32.const 1) (i32.const 0))))
           (func (export "method_oog") (call $w) (loop $l (br $l)))
           (func (export "method_ok") (call $w))"#,
        a = "\\01".repeat(32),
        b = "\\02".repeat(32),
    ));
    let ok = run_stable(&code, method("ok", &[]), GAS);
    assert_eq!((ok.status, ok.diff.0.len(), ok.events.len()), (StatusCode::Success, 3, 1));
    // A small limit keeps the out-of-gas loop short in debug builds.
    let gas = entry_cost(&code, 0) + 50_000;
    for (name, status) in [
        ("trap", StatusCode::Trap),
        ("div", StatusCode::Trap),
        ("revert", StatusCode::Reverted),
        ("oog", StatusCode::OutOfGas),
    ] {
        assert_failed(&run_stable(&code, method(name, &[]), gas), status, gas);
    }
}

#[test]
fn mutations_that_would_overflow_or_underflow_apply_nothing() {
    let code = module(&format!(
        r#"(data (i32.const 0) "{a}")
           (func $w (call $storage_write (i32.const 0) (i32.const 1) (i32.const 0) (i32.const 1)))
           (func (export "method_mint_max") (call $w) (call $mint (i32.const 0) (i64.const -1) (i64.const -1)))
           (func (export "method_burn_more") (call $w) (call $burn (i32.const 0) (i64.const 5001) (i64.const 0)))
           (func (export "method_send_more") (call $w)
             (call $transfer (i32.const 0) (i32.const 0) (i64.const 5001) (i64.const 0)))"#,
        a = "\\01".repeat(32),
    ));
    for (name, status) in [
        ("mint_max", StatusCode::SupplyOverflow),
        ("burn_more", StatusCode::InsufficientBalance),
        ("send_more", StatusCode::InsufficientBalance),
    ] {
        assert_failed(&run_stable(&code, method(name, &[]), GAS), status, GAS);
    }
    // Minting without permission: the same module under a strict policy.
    let strict_state = state_with(&[(addr(1), 5_000)], strict(u128::MAX));
    let code = module(r#"(func (export "method_t") (call $mint (i32.const 0) (i64.const 1) (i64.const 0)))"#);
    let r = run(&vm(), &strict_state, &code, method("t", &[]), GAS);
    assert_failed(&r, StatusCode::MintForbidden, GAS);
}

#[test]
fn many_locals_are_charged_in_stack_units_exactly() {
    // spec/gas.md#stack-limit: k nested activations of f fit iff the units in use stay within
    // max_stack_units; each of f's 1,000 locals costs one unit per activation.
    let code = module(
        r#"(func $f (param i32) (local i64 i64) (local i64 i64 i64 i64 i64 i64 i64 i64)
             (if (local.get 0) (then (call $f (i32.sub (local.get 0) (i32.const 1))))))
           (func (export "method_t")
             (call $input_read (i32.const 0) (i32.const 0) (i32.const 4))
             (call $f (i32.load (i32.const 0))))"#
            .replace("(local i64 i64 i64 i64 i64 i64 i64 i64)", &format!("(local {})", "i64 ".repeat(990)))
            .as_str(),
    );
    let info = vm::validate(&code, &vm::Limits::default()).expect("valid");
    let f = info.functions[0].frame_units();
    let entry = info.functions[1].frame_units();
    assert_eq!(f, vm::FRAME_OVERHEAD_UNITS + 1 + 992 + 2, "params + locals + operand height");
    let max = vm::Limits::default().max_stack_units;
    let activations = (max - entry) / f; // f(n) makes n + 1 activations
    let depth = |n: u32| run_stable(&code, method("t", &n.to_le_bytes()), GAS);
    assert_eq!(depth(activations - 1).status, StatusCode::Success);
    assert_failed(&depth(activations), StatusCode::StackOverflow, GAS);
}

#[test]
fn br_table_targets_are_charged_per_target() {
    // One more listed target costs br_table_per_target, plus the byte it adds to the code.
    let code = |n: usize| {
        module(&format!(
            r#"(func (export "method_t") (block (br_table {} 0 (i32.const 0))))"#,
            "0 ".repeat(n)
        ))
    };
    let (small, big) = (code(500), code(501));
    let gas = |c: &[u8]| run_stable(c, method("t", &[]), GAS).gas_used;
    let code_bytes = (big.len() - small.len()) as u64;
    assert_eq!(gas(&big) - gas(&small), rules().gas.br_table_per_target + rules().gas.code_byte * code_bytes);
}

#[test]
fn a_store_that_crashed_the_engines_compiler_runs_to_a_receipt() {
    // wasmi 2.0.0's translator hits `unreachable!()` for a store whose address and value are the
    // same just-teed register and whose offset needs more than 16 bits (fuzz finding, differential
    // target). The instrumenter spills the value (`spec/gas.md#wide-offset-stores`): the store runs
    // as Wasm says, with 2 pages, and traps out of bounds with 1.
    let body = r#"(func (export "method_t") (local i32)
             (i32.add (local.get 0) (i32.const 1)) (local.tee 0) (local.get 0) (i32.store offset=70000)
             (call $return_data (i32.const 70001) (i32.const 4)))"#;
    for (pages, status, data) in [(2, StatusCode::Success, vec![1, 0, 0, 0]), (1, StatusCode::Trap, vec![])] {
        let code = wasm(&format!("(module {IMPORTS} (memory (export \"memory\") {pages}) {body})"));
        assert!(vm::validate(&code, &vm::Limits::default()).is_ok(), "in the profile");
        let r = run_stable(&code, method("t", &[]), GAS);
        assert_eq!((r.status, r.return_data), (status, data));
    }
}
