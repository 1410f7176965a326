//! Toolchain hints (`spec/determinism.md#toolchain-hints`): each on the fixture a toolchain would
//! produce, shown by `Display` on a line of its own, and absent where no toolchain is to blame.

use super::*;

#[track_caller]
fn hint_of(wasm: &[u8], rule: Rule) -> &'static str {
    let err = assert_rule(wasm, rule);
    let hint = err.hint.unwrap_or_else(|| panic!("no hint on {err}"));
    assert!(err.to_string().ends_with(&format!(")\n  hint: {hint}")), "{err}");
    hint
}

#[test]
fn start_section_names_the_toolchain() {
    let hint = hint_of(&module("(func $s) (start $s)"), Rule::StartFunction);
    assert!(hint.contains("your toolchain added a start function") && hint.contains("C constructors"));
}

#[test]
fn env_memory_functions_suggest_bulk_memory() {
    for name in ["memcpy", "memset", "memmove"] {
        let wasm = wat(&format!(
            r#"(module (import "env" "{name}" (func (param i32 i32 i32) (result i32))) (memory (export "memory") 1))"#
        ));
        assert!(hint_of(&wasm, Rule::ForbiddenImport).contains("-mbulk-memory"), "{name}");
    }
}

#[test]
fn env_u128_helpers_point_at_the_sdk() {
    for name in ["__multi3", "__udivti3"] {
        let wasm = wat(&format!(
            r#"(module (import "env" "{name}" (func (param i32 i64 i64 i64 i64))) (memory (export "memory") 1))"#
        ));
        assert!(hint_of(&wasm, Rule::ForbiddenImport).contains("tsvm_kit.h u128_mul"), "{name}");
    }
    let other = wat(
        r#"(module (import "env" "strlen" (func (param i32) (result i32))) (memory (export "memory") 1))"#,
    );
    assert!(hint_of(&other, Rule::ForbiddenImport).contains("left undefined"));
}

#[test]
fn exported_layout_globals_point_at_the_sdk_build() {
    for name in ["__data_end", "__heap_base", "__stack_pointer"] {
        let wasm = module(&format!(r#"(global $g i32 (i32.const 1024)) (export "{name}" (global $g))"#));
        assert!(hint_of(&wasm, Rule::ForbiddenExport).contains("SDK's recommended build"), "{name}");
    }
}

#[test]
fn no_hint_where_no_toolchain_is_to_blame() {
    for wasm in [
        wat(r#"(module (import "tsvm" "nope" (func)) (memory (export "memory") 1))"#),
        module(r#"(global $g i32 (i32.const 1)) (export "my_global" (global $g))"#),
        module("(func (result f32) f32.const 1)"),
    ] {
        let err = validate(&wasm, &Limits::default()).expect_err("invalid");
        assert_eq!(err.hint, None, "{err}");
        assert!(!err.to_string().contains('\n'), "{err}");
    }
}
