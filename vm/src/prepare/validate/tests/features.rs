//! The feature rules: floats, SIMD, threads, reference types, tail calls, multi-memory, memory64,
//! exceptions, other post-MVP features, bulk memory and the start function
//! (`spec/determinism.md#rules`).

use super::*;

// ---- the compile-time fast path (vm/src/prepare/validate/ops.rs) ----

/// The classification made at compile time for every operator says what the run-time name rules
/// say: MVP instructions without `f32`/`f64` in their name, and sign extension.
#[test]
fn compile_time_classification_matches_the_name_rules_for_every_operator() {
    let classes = crate::prepare::validate::ops::every_operator_class();
    let mut allowed = 0;
    for (proposal, name, class) in &classes {
        let expected = (*proposal == "mvp" && !name.contains("f32") && !name.contains("f64"))
            || *proposal == "sign_extension";
        assert_eq!(*class, expected, "{proposal} {name}");
        allowed += usize::from(expected);
    }
    // The MVP's integer instructions and the five sign extensions, out of wasmparser's full list.
    assert!(allowed > 100 && allowed < classes.len() / 2, "{allowed} of {}", classes.len());
}

/// The fast path answers for operators built by hand: integer MVP operators and sign extension
/// yes; floats, bulk memory (decided by the rules that follow) and SIMD no.
#[test]
fn plainly_allowed_operators() {
    use crate::prepare::validate::ops::plainly_allowed;
    use wasmparser::{BlockType, Operator as O};
    for op in [O::I32Add, O::I64DivU, O::I32Extend8S, O::Nop, O::Block { blockty: BlockType::Empty }] {
        assert!(plainly_allowed(&op), "{op:?}");
    }
    for op in [
        O::F32Add,
        O::F64Const { value: 0.0f64.into() },
        O::I64TruncSatF64U,
        O::MemoryCopy { dst_mem: 0, src_mem: 0 },
        O::I8x16Swizzle,
    ] {
        assert!(!plainly_allowed(&op), "{op:?}");
    }
}

// ---- floats (spec/determinism.md#floats) ----

#[test]
fn float_in_dead_function_names_function_and_offset() {
    let wasm = wat(r#"(module
          (import "tsvm" "caller" (func (param i32)))
          (memory (export "memory") 1)
          (func $live (export "method_go") nop)
          (func $dead (result i32)
            i32.const 7
            drop
            f64.const 1.5
            i32.trunc_f64_s))"#);
    let mut needle = vec![0x44];
    needle.extend_from_slice(&1.5f64.to_le_bytes());
    let offset = find_unique(&wasm, &needle);
    let err = assert_rule(&wasm, Rule::Float);
    assert_eq!(err.func_index, Some(2));
    assert_eq!(err.func_name.as_deref(), Some("dead"));
    assert_eq!(err.offset, offset);
    assert!(err.message.contains("f64_const"), "{err}");
    // Only the first float of the function is reported.
    assert_eq!(validate_all(&wasm, &Limits::default()).len(), 1);
}

#[test]
fn float_instructions_are_rejected() {
    for body in [
        "f32.const 0 drop",
        "unreachable i32.trunc_f32_s drop",
        "unreachable i64.reinterpret_f64 drop",
        "unreachable f64.reinterpret_i64 drop",
        "unreachable f32.convert_i32_s drop",
        "i32.const 0 f32.load drop",
        "unreachable f64.store",
        "unreachable i32.trunc_sat_f32_s drop",
        "unreachable i64.trunc_sat_f64_u drop",
        "unreachable f32.demote_f64 drop",
        "unreachable f64.add drop",
        "(block (result f32) unreachable) drop",
        "unreachable select (result f64) drop",
    ] {
        let wasm = module(&format!("(func {body})"));
        let err = validate(&wasm, &Limits::default()).expect_err(body);
        assert_eq!(err.rule, Rule::Float, "{body}: {err}");
        assert_eq!(err.func_index, Some(0), "{body}");
    }
}

#[test]
fn float_only_in_a_signature_is_rejected() {
    let err = assert_rule(&module("(type (func (param f32)))"), Rule::Float);
    assert_eq!(err.func_index, None);
    assert!(err.message.contains("f32"));
    assert_rule(&module("(type (func (result f64)))"), Rule::Float);
}

#[test]
fn float_only_in_a_global_or_local_is_rejected() {
    assert_rule(&module("(global f64 (f64.const 0))"), Rule::Float);
    assert_rule(&module("(global (mut f32) (f32.const 0))"), Rule::Float);
    let err = assert_rule(&module("(func (local i32 f32))"), Rule::Float);
    assert_eq!(err.func_index, Some(0));
    assert!(err.message.contains("local"));
}

// ---- other features ----

#[test]
fn simd_is_rejected() {
    assert_rule(&module("(func v128.const i64x2 0 0 drop)"), Rule::Simd);
    assert_rule(&module("(func (local v128))"), Rule::Simd);
    assert_rule(&module("(type (func (param v128)))"), Rule::Simd);
    assert_rule(&module("(func i32.const 0 i32x4.splat drop)"), Rule::Simd);
}

#[test]
fn threads_are_rejected() {
    assert_rule(&wat(r#"(module (memory (export "memory") 1 1 shared))"#), Rule::Threads);
    assert_rule(&module("(func i32.const 0 i32.atomic.load drop)"), Rule::Threads);
    assert_rule(&module("(func atomic.fence)"), Rule::Threads);
}

#[test]
fn reference_types_beyond_mvp_are_rejected() {
    // The MVP table is fine (see the token script); everything else is not.
    for items in [
        "(table 1 funcref) (table 1 funcref)",
        "(table 1 externref)",
        "(func ref.null func drop)",
        "(table 1 funcref) (func table.size 0 drop)",
        "(table 1 funcref) (func i32.const 0 table.get 0 drop)",
        "(func $f) (elem func $f)",
        "(func $f) (elem declare func $f)",
        "(func $f) (table 1 funcref) (elem (table 0) (i32.const 0) funcref (ref.func $f))",
        "(func $f) (table 1 funcref) (elem (i32.const 0) $f) (func elem.drop 0)",
        "(func i32.const 1 i32.const 2 i32.const 0 select (result i32) drop)",
        "(func (param externref))",
    ] {
        let wasm = module(items);
        let err = validate(&wasm, &Limits::default()).expect_err(items);
        assert_eq!(err.rule, Rule::ReferenceTypes, "{items}: {err}");
    }
}

#[test]
fn tail_calls_are_rejected() {
    assert_rule(&module("(func $f return_call $f)"), Rule::TailCall);
}

#[test]
fn multi_memory_is_rejected() {
    assert_rule(&wat(r#"(module (memory (export "memory") 1) (memory 1))"#), Rule::MultiMemory);
}

#[test]
fn memory64_is_rejected() {
    assert_rule(&wat(r#"(module (memory (export "memory") i64 1))"#), Rule::Memory64);
}

#[test]
fn exceptions_are_rejected() {
    assert_rule(&module("(tag $e)"), Rule::Exceptions);
    assert_rule(&module("(tag $e) (func throw $e)"), Rule::Exceptions);
}

#[test]
fn other_features_are_rejected() {
    // extended-const
    assert_rule(&module("(global i32 (i32.add (i32.const 1) (i32.const 2)))"), Rule::OtherFeature);
    // gc
    assert_rule(&module("(type (struct))"), Rule::OtherFeature);
    // wide arithmetic
    assert_rule(
        &module("(func i64.const 0 i64.const 0 i64.const 0 i64.const 0 i64.add128 drop drop)"),
        Rule::OtherFeature,
    );
}

// ---- bulk memory (spec/determinism.md#bulk-memory) ----

#[test]
fn only_memory_copy_and_fill_are_allowed() {
    assert_valid(&module(
        "(func i32.const 0 i32.const 0 i32.const 0 memory.copy
               i32.const 0 i32.const 0 i32.const 0 memory.fill)",
    ));
    assert_rule(&module(r#"(data "x")"#), Rule::BulkMemory);
    assert_rule(
        &module(r#"(data $d (i32.const 0) "x") (func i32.const 0 i32.const 0 i32.const 1 memory.init $d)"#),
        Rule::BulkMemory,
    );
    assert_rule(&module(r#"(data $d (i32.const 0) "x") (func data.drop $d)"#), Rule::BulkMemory);
}

#[test]
fn sign_extension_multi_value_and_mutable_globals_are_allowed() {
    assert_valid(&module(
        "(global (mut i64) (i64.const 0))
         (func (param i64) (result i32 i64) i32.const 1 i32.extend16_s local.get 0 i64.extend32_s)",
    ));
}

#[test]
fn start_function_is_rejected() {
    assert_rule(&module("(func $s) (start $s)"), Rule::StartFunction);
}
