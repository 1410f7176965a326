//! Every static limit at and past its value (`spec/determinism.md#limits`).

use super::*;

/// Small limits so fixtures stay tiny: every count limit is 2 (3 for functions and exports).
fn small() -> Limits {
    Limits {
        max_code_size: 4096,
        max_functions: 3,
        max_locals: 4,
        max_params: 2,
        max_results: 2,
        max_globals: 2,
        max_types: 2,
        max_table_size: 2,
        max_data_segments: 2,
        max_element_segments: 2,
        max_exports: 3,
        max_imports: 2,
        max_br_table_targets: 2,
        max_memory_pages: 2,
        max_frame_units: 12,
        ..Limits::default()
    }
}

// ---- limits (spec/determinism.md#limits) ----

/// `(limit, fixture at the limit, fixture past it)` under [`small`].
fn limit_fixtures() -> Vec<(Limit, Vec<u8>, Vec<u8>)> {
    let imports = |n: usize| {
        let imports = r#"(import "tsvm" "caller" (func (param i32)))"#.repeat(n);
        wat(&format!(r#"(module {imports} (memory (export "memory") 1))"#))
    };
    let at_size = module("");
    let past_size = module("(func)");
    vec![
        (Limit::CodeSize, at_size, past_size),
        (
            Limit::Functions,
            wat(r#"(module (import "tsvm" "caller" (func (param i32))) (memory (export "memory") 1) (func) (func))"#),
            wat(r#"(module (import "tsvm" "caller" (func (param i32))) (memory (export "memory") 1) (func) (func) (func))"#),
        ),
        (
            Limit::Locals,
            module("(func (param i32) (local i32 i64 i32))"),
            module("(func (param i32 i32) (local i32 i64 i32))"),
        ),
        (
            Limit::Params,
            module("(type (func (param i32 i64)))"),
            module("(type (func (param i32 i64 i32)))"),
        ),
        (
            Limit::Results,
            module("(type (func (result i32 i64)))"),
            module("(type (func (result i32 i64 i32)))"),
        ),
        (
            Limit::Globals,
            module("(global i32 (i32.const 0)) (global (mut i64) (i64.const 0))"),
            module("(global i32 (i32.const 0)) (global i32 (i32.const 0)) (global i32 (i32.const 0))"),
        ),
        (
            Limit::Types,
            module("(type (func)) (type (func (param i32)))"),
            module("(type (func)) (type (func (param i32))) (type (func (param i64)))"),
        ),
        (
            Limit::TableSize,
            module("(table 2 funcref)"),
            module("(table 3 funcref)"),
        ),
        (
            Limit::DataSegments,
            module(r#"(data (i32.const 0) "a") (data (i32.const 1) "b")"#),
            module(r#"(data (i32.const 0) "a") (data (i32.const 1) "b") (data (i32.const 2) "c")"#),
        ),
        (
            Limit::ElementSegments,
            module("(table 2 funcref) (func $f) (elem (i32.const 0) $f) (elem (i32.const 1) $f)"),
            module("(table 2 funcref) (func $f) (elem (i32.const 0) $f) (elem (i32.const 1) $f) (elem (i32.const 0) $f)"),
        ),
        (
            Limit::Exports,
            module(r#"(func (export "a")) (func (export "b"))"#),
            module(r#"(func (export "a")) (func (export "b") (export "c"))"#),
        ),
        (Limit::Imports, imports(2), imports(3)),
        (
            Limit::BrTableTargets,
            module("(func (block i32.const 0 br_table 0 0 0))"),
            module("(func (block i32.const 0 br_table 0 0 0 0))"),
        ),
        (
            Limit::MemoryPages,
            wat(r#"(module (memory (export "memory") 2))"#),
            wat(r#"(module (memory (export "memory") 3 3))"#),
        ),
        (
            // 8 + 1 param + 2 locals + an operand stack 1 (then 2) deep.
            Limit::FrameUnits,
            module("(func (param i32) (local i32 i32) i32.const 0 drop)"),
            module("(func (param i32) (local i32 i32) i32.const 0 i32.const 0 drop drop)"),
        ),
    ]
}

#[test]
fn every_limit_at_and_past() {
    let fixtures = limit_fixtures();
    assert_eq!(fixtures.len(), Limit::ALL.len());
    for (limit, at, past) in fixtures {
        let mut limits = small();
        if limit == Limit::CodeSize {
            limits.max_code_size = at.len() as u32;
            assert!(past.len() > at.len());
        }
        if let Err(e) = validate(&at, &limits) {
            panic!("{limit:?} at the limit rejected: {e}");
        }
        let err = assert_rule_with(&past, &limits, Rule::Limit(limit));
        let value = limit.value(&limits);
        assert!(
            err.message.starts_with(limit.field())
                && err.message.ends_with(&format!("exceed the limit of {value}")),
            "{err}"
        );
    }
}

#[test]
fn limit_message_names_field_found_and_limit() {
    let msg = Limit::Functions.check(&Limits::default(), 5000).unwrap();
    assert_eq!(msg, "max_functions: 5000 functions exceed the limit of 4096");
    assert_eq!(Limit::Functions.check(&Limits::default(), 4096), None);
}

#[test]
fn default_limits_at_and_past() {
    let limits = Limits::default();
    let funcs = |n: usize| module(&"(func)".repeat(n));
    assert_valid(&funcs(limits.max_functions as usize));
    assert_rule(&funcs(limits.max_functions as usize + 1), Rule::Limit(Limit::Functions));
    let pages = |n: u32| wat(&format!(r#"(module (memory (export "memory") {n}))"#));
    assert_valid(&pages(limits.max_memory_pages));
    assert_rule(&pages(limits.max_memory_pages + 1), Rule::Limit(Limit::MemoryPages));
    // A memory of 1-byte pages counts its bytes in 64 KiB pages, rounded up.
    let bytes = |n: u64| wat(&format!(r#"(module (memory (export "memory") {n} (pagesize 1)))"#));
    let max_bytes = u64::from(limits.max_memory_pages) * WASM_PAGE_BYTES;
    assert_eq!(assert_valid(&bytes(max_bytes)).memory_pages, limits.max_memory_pages);
    assert_rule(&bytes(max_bytes + 1), Rule::Limit(Limit::MemoryPages));
    let big = vec![0u8; limits.max_code_size as usize + 1];
    let err = assert_rule(&big, Rule::Limit(Limit::CodeSize));
    assert_eq!(
        err.message,
        format!(
            "max_code_size: {} bytes exceed the limit of {}",
            limits.max_code_size + 1,
            limits.max_code_size
        )
    );
}
