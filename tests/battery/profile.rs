//! Attempts the determinism profile must reject at validation, each under its exact rule
//! (`spec/determinism.md#rules`).

use super::rejected_under;
use vm::{Limit, Limits, Rule};

const MEM: &str = r#"(memory (export "memory") 1)"#;

#[test]
fn forbidden_imports() {
    let cases = [
        // WASI, env.*, an unknown tsvm name, the instrumenter's own slow path, a memory import.
        r#"(import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))"#,
        r#"(import "env" "abort" (func))"#,
        r#"(import "env" "memory" (memory 1))"#,
        r#"(import "tsvm" "now" (func (result i64)))"#,
        r#"(import "tsvm" "random" (func (result i64)))"#,
        r#"(import "tsvm" "__gas_slow" (func (param i64)))"#,
        r#"(import "tsvm" "gas" (global (mut i64)))"#,
    ];
    for import in cases {
        assert_eq!(rejected_under(&format!("(module {import} {MEM})")), Rule::ForbiddenImport, "{import}");
    }
    // A real host function with the wrong signature.
    for import in [
        r#"(import "tsvm" "block_timestamp" (func (result i32)))"#,
        r#"(import "tsvm" "transfer" (func (param i32 i32 i64)))"#,
        r#"(import "tsvm" "storage_read" (func (param i32 i32 i32 i32)))"#,
    ] {
        assert_eq!(rejected_under(&format!("(module {import} {MEM})")), Rule::ImportSignature, "{import}");
    }
}

#[test]
fn floats_anywhere_even_dead() {
    let cases = [
        "(func (drop (f32.const 0)))", // dead code, never exported
        "(type (func (param f64)))",   // an unused type's signature
        "(func (local f32))",          // a local
        "(global f64 (f64.const 1))",  // a global
        "(func (result i32) (i32.trunc_sat_f32_s (f32.const 1)))", // saturating truncation
        "(func (param i64) (drop (f64.reinterpret_i64 (local.get 0))))",
        "(func (drop (block (result f32) (f32.const 0))))", // a block type
    ];
    for body in cases {
        assert_eq!(rejected_under(&format!("(module {MEM} {body})")), Rule::Float, "{body}");
    }
}

#[test]
fn other_features() {
    let cases = [
        ("(func (drop (v128.const i64x2 0 0)))", Rule::Simd),
        ("(func (drop (i32.atomic.load (i32.const 0))))", Rule::Threads),
        ("(func $f) (start $f)", Rule::StartFunction),
        ("(func (return_call 0))", Rule::TailCall),
        ("(func (drop (ref.null func)))", Rule::ReferenceTypes),
        ("(table 1 funcref) (table 1 funcref)", Rule::ReferenceTypes),
        ("(data \"x\") (func (memory.init 0 (i32.const 0) (i32.const 0) (i32.const 1)))", Rule::BulkMemory),
        ("(memory 1)", Rule::MultiMemory),
        ("(global (export \"g\") i32 (i32.const 0))", Rule::ForbiddenExport),
        ("(func (export \"__tsvm_gas\"))", Rule::ForbiddenExport),
        ("(func (export \"method_m\") (param i32))", Rule::EntrySignature),
        ("(func (export \"view_v\") (result i32) (i32.const 0))", Rule::EntrySignature),
    ];
    for (body, rule) in cases {
        assert_eq!(rejected_under(&format!("(module {MEM} {body})")), rule, "{body}");
    }
    // No memory; memory exported under another name.
    assert_eq!(rejected_under("(module (func))"), Rule::Memory);
    assert_eq!(rejected_under(r#"(module (memory (export "mem") 1))"#), Rule::ForbiddenExport);
    // Memory above the cap.
    let pages = Limits::default().max_memory_pages + 1;
    assert_eq!(
        rejected_under(&format!(r#"(module (memory (export "memory") {pages}))"#)),
        Rule::Limit(Limit::MemoryPages)
    );
}

#[test]
fn huge_br_tables_and_many_locals_are_rejected_past_their_limits() {
    let l = Limits::default();
    let br_table = |n: u32| {
        let targets = "0 ".repeat(n as usize);
        format!("(module {MEM} (func (block (br_table {targets} 0 (i32.const 0)))))")
    };
    assert!(vm::validate(&tsvm_tests::wasm(&br_table(l.max_br_table_targets)), &l).is_ok());
    assert_eq!(rejected_under(&br_table(l.max_br_table_targets + 1)), Rule::Limit(Limit::BrTableTargets));
    let locals = |n: u32| format!("(module {MEM} (func (local {})))", "i64 ".repeat(n as usize));
    assert!(vm::validate(&tsvm_tests::wasm(&locals(l.max_locals)), &l).is_ok());
    assert_eq!(rejected_under(&locals(l.max_locals + 1)), Rule::Limit(Limit::Locals));
}
