//! Imports, the memory and exports (`spec/determinism.md#imports`, `spec/determinism.md#memory`,
//! `spec/determinism.md#exports`).

use super::*;

// ---- imports (spec/determinism.md#imports) ----

#[test]
fn only_host_functions_may_be_imported() {
    assert_valid(&wat(
        r#"(module (import "tsvm" "gas_left" (func (result i64))) (memory (export "memory") 1))"#,
    ));
    for import in [
        r#"(import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))"#,
        r#"(import "env" "abort" (func))"#,
        r#"(import "tsvm" "nope" (func))"#,
        r#"(import "tsvm" "__input_size" (func (result i32)))"#,
        r#"(import "TSVM" "input_size" (func (result i32)))"#,
        r#"(import "tsvm" "g" (global i32))"#,
        r#"(import "tsvm" "g" (global (mut i32)))"#,
        r#"(import "tsvm" "t" (table 1 funcref))"#,
    ] {
        let wasm = wat(&format!(r#"(module {import} (memory (export "memory") 1))"#));
        let err = validate(&wasm, &Limits::default()).expect_err(import);
        assert_eq!(err.rule, Rule::ForbiddenImport, "{import}: {err}");
    }
    let err = assert_rule(
        &wat(r#"(module (import "env" "memory" (memory 1)) (export "memory" (memory 0)))"#),
        Rule::ForbiddenImport,
    );
    assert!(err.message.contains("memory"));
}

#[test]
fn host_import_with_wrong_signature_is_rejected() {
    for import in [
        r#"(import "tsvm" "input_size" (func (param i32) (result i32)))"#,
        r#"(import "tsvm" "input_size" (func (result i64)))"#,
        r#"(import "tsvm" "input_size" (func))"#,
        r#"(import "tsvm" "transfer" (func (param i32 i32 i32 i64)))"#,
    ] {
        let wasm = wat(&format!(r#"(module {import} (memory (export "memory") 1))"#));
        let err = validate(&wasm, &Limits::default()).expect_err(import);
        assert_eq!(err.rule, Rule::ImportSignature, "{import}: {err}");
    }
}

// ---- memory (spec/determinism.md#memory) ----

#[test]
fn memory_must_be_defined_and_exported() {
    assert_rule(&wat("(module)"), Rule::Memory);
    assert_rule(&wat("(module (memory 1))"), Rule::Memory);
    let all = validate_all(&wat(r#"(module (memory (export "mem") 1))"#), &Limits::default());
    let rules: Vec<Rule> = all.iter().map(|e| e.rule).collect();
    assert_eq!(rules, [Rule::ForbiddenExport, Rule::Memory]);
}

// ---- exports (spec/determinism.md#exports) ----

#[test]
fn only_functions_and_memory_may_be_exported() {
    assert_valid(&module(r#"(func (export "anything_goes") (param i32) (result i32) local.get 0)"#));
    for items in [
        r#"(global (export "g") i32 (i32.const 0))"#,
        r#"(global (export "g") (mut i32) (i32.const 0))"#,
        r#"(table (export "t") 1 funcref)"#,
        r#"(func (export "__tsvm_gas"))"#,
        r#"(func (export "view_Count"))"#,
        r#"(func (export "method_"))"#,
        r#"(func (export "view_2x"))"#,
    ] {
        let err = validate(&module(items), &Limits::default()).expect_err(items);
        assert_eq!(err.rule, Rule::ForbiddenExport, "{items}: {err}");
    }
}

#[test]
fn entry_points_must_be_unit_functions() {
    assert_valid(&module(
        r#"(func (export "before_transfer")) (func (export "on_approve"))
           (func (export "view_a")) (func (export "method_b_2"))"#,
    ));
    for items in [
        r#"(func (export "before_transfer") (param i32))"#,
        r#"(func (export "after_mint") (result i32) i32.const 0)"#,
        r#"(func (export "view_count") (result i64) i64.const 0)"#,
        r#"(func (export "method_set") (param i64))"#,
    ] {
        let err = validate(&module(items), &Limits::default()).expect_err(items);
        assert_eq!(err.rule, Rule::EntrySignature, "{items}: {err}");
        assert_eq!(err.func_index, Some(0));
    }
    // An imported host function re-exported as an entry point has its type checked too.
    assert_rule(
        &wat(r#"(module (import "tsvm" "input_size" (func (result i32)))
                 (memory (export "memory") 1) (export "view_size" (func 0)))"#),
        Rule::EntrySignature,
    );
}
