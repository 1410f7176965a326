//! Unit tests of the determinism profile: one passing and one failing fixture per rule, every limit
//! at and past its value, and garbage that must not panic.

use super::*;
use crate::ExportInfo;
use abi::HostFnId;
use proptest::prelude::*;

/// Parses inline WAT.
#[track_caller]
fn wat(src: &str) -> Vec<u8> {
    wat::parse_str(src).unwrap_or_else(|e| panic!("bad fixture: {e}\n{src}"))
}

/// A module with the required memory and `items`.
#[track_caller]
fn module(items: &str) -> Vec<u8> {
    wat(&format!(r#"(module (memory (export "memory") 1) {items})"#))
}

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

#[track_caller]
fn assert_valid_with(wasm: &[u8], limits: &Limits) -> ModuleInfo {
    match validate(wasm, limits) {
        Ok(info) => {
            assert!(validate_all(wasm, limits).is_empty());
            info
        }
        Err(e) => panic!("expected valid, got {e}"),
    }
}

#[track_caller]
fn assert_valid(wasm: &[u8]) -> ModuleInfo {
    assert_valid_with(wasm, &Limits::default())
}

#[track_caller]
fn assert_rule_with(wasm: &[u8], limits: &Limits, rule: Rule) -> ValidationError {
    let err = validate(wasm, limits).expect_err("expected a violation");
    assert_eq!(err.rule, rule, "wrong rule: {err}");
    let all = validate_all(wasm, limits);
    assert_eq!(all.first(), Some(&err), "validate is the first of validate_all");
    err
}

#[track_caller]
fn assert_rule(wasm: &[u8], rule: Rule) -> ValidationError {
    assert_rule_with(wasm, &Limits::default(), rule)
}

/// Offset of the only occurrence of `needle` in `wasm`.
#[track_caller]
fn find_unique(wasm: &[u8], needle: &[u8]) -> usize {
    let hits: Vec<usize> =
        wasm.windows(needle.len()).enumerate().filter(|(_, w)| *w == needle).map(|(i, _)| i).collect();
    assert_eq!(hits.len(), 1, "needle {needle:x?} must occur exactly once");
    hits[0]
}

const TOKEN_SCRIPT: &str = r#"
(module
  (import "tsvm" "input_size" (func $input_size (result i32)))
  (import "tsvm" "storage_read" (func $storage_read (param i32 i32 i32 i32) (result i32)))
  (import "tsvm" "revert" (func $revert (param i32 i32)))
  (import "tsvm" "transfer" (func $transfer (param i32 i32 i64 i64)))
  (memory (export "memory") 2 2)
  (global $sp (mut i32) (i32.const 65536))
  (table 2 funcref)
  (elem (i32.const 0) $add $view_count)
  (data (i32.const 16) "count")
  (data (i32.const 32) "limit exceeded")
  (func $add (param i32 i32) (result i32)
    local.get 0
    local.get 1
    i32.add)
  (func $before_transfer (export "before_transfer")
    call $input_size
    i32.const 100
    i32.gt_u
    if
      i32.const 32
      i32.const 14
      call $revert
    end)
  (func $view_count (export "view_count") (local i32)
    i32.const 16
    i32.const 5
    i32.const 64
    i32.const 4
    call $storage_read
    local.set 0)
  (func $method_set (export "method_set")
    i32.const 0
    i32.const 32
    i64.const 1
    i64.const 0
    call $transfer
    i32.const 1
    i32.extend8_s
    i32.const 2
    call $add
    drop
    i32.const 0
    i32.const 0
    i32.const 8
    memory.copy
    i32.const 0
    i32.const 0
    i32.const 8
    memory.fill)
  (func (export "helper") (result i32 i64)
    i32.const 1
    i64.const 2))
"#;

#[test]
fn token_script_is_valid_and_described() {
    let wasm = wat(TOKEN_SCRIPT);
    let info = assert_valid(&wasm);
    assert_eq!(info.code_size as usize, wasm.len());
    assert_eq!(
        info.imports,
        [HostFnId::InputSize, HostFnId::StorageRead, HostFnId::Revert, HostFnId::Transfer]
    );
    let exports: Vec<(&str, u32)> = info.exports.iter().map(|e| (e.name.as_str(), e.func_index)).collect();
    assert_eq!(exports, [("before_transfer", 5), ("view_count", 6), ("method_set", 7), ("helper", 8)]);
    assert_eq!(info.export("view_count"), Some(6));
    assert_eq!(info.memory_pages, 2);
    assert_eq!(info.data_bytes, 5 + 14);
    assert_eq!(info.functions.len(), 5);
    assert_eq!(info.func_names.get(&4).map(String::as_str), Some("add"));
    assert_eq!(info.func_names.get(&1).map(String::as_str), Some("storage_read"));
    // $add: two params, each `local.get` pushes one: height 2.
    let add = info.func(4).unwrap();
    assert_eq!((add.params, add.results, add.locals), (2, 1, 0));
    assert_eq!(add.max_operand_height, 2);
    // $before_transfer: call pushes 1, i32.const makes 2, gt_u 1; inside `if`: 2 consts.
    assert_eq!(info.func(5).unwrap().max_operand_height, 2);
    // $view_count: four consts before the call.
    let view = info.func(6).unwrap();
    assert_eq!((view.params, view.results, view.locals), (0, 0, 1));
    assert_eq!(view.max_operand_height, 4);
    // $method_set: four arguments of transfer.
    assert_eq!(info.func(7).unwrap().max_operand_height, 4);
    let helper = info.func(8).unwrap();
    assert_eq!((helper.results, helper.max_operand_height), (2, 2));
    assert_eq!(helper.type_index, info.func(8).unwrap().type_index);
    assert_eq!(info.exports[0], ExportInfo { name: "before_transfer".into(), func_index: 5 });
}

#[test]
fn minimal_module_is_valid() {
    let info = assert_valid(&module(""));
    assert_eq!(info.memory_pages, 1);
    assert!(info.functions.is_empty() && info.imports.is_empty() && info.exports.is_empty());
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

// ---- malformed (spec/determinism.md#malformed) ----

#[test]
fn invalid_wasm_is_malformed() {
    let err = assert_rule(&module("(func $bad (result i32) i64.const 0)"), Rule::Malformed);
    assert_eq!(err.func_index, Some(0));
    assert_eq!(err.func_name.as_deref(), Some("bad"));
    assert_rule(&[], Rule::Malformed);
    assert_rule(b"\0asm\x02\0\0\0", Rule::Malformed);
    assert_rule(b"not wasm at all", Rule::Malformed);
    // An unknown section id.
    let mut wasm = module("");
    wasm.extend_from_slice(&[0x20, 0x00]);
    assert_rule(&wasm, Rule::Malformed);
}

#[test]
fn every_truncation_of_a_valid_module_is_rejected_without_panic() {
    let wasm = wat(TOKEN_SCRIPT);
    // Ends of sections: a cut there leaves a shorter but well-formed module (without the data or
    // name section, say), which may be valid. Any other cut must be rejected.
    let ends: Vec<usize> = wasmparser::Parser::new(0)
        .parse_all(&wasm)
        .filter_map(|p| p.unwrap().as_section().map(|(_, r)| r.end as usize))
        .collect();
    let mut accepted = 0;
    for len in 0..wasm.len() {
        let errors = validate_all(&wasm[..len], &Limits::default());
        if errors.is_empty() {
            assert!(ends.contains(&len), "truncated at {len} accepted");
            accepted += 1;
        }
        assert_eq!(validate(&wasm[..len], &Limits::default()).is_ok(), errors.is_empty());
    }
    // Before the data section and before the name section.
    assert_eq!(accepted, 2);
}

#[test]
fn huge_counts_do_not_allocate_or_panic() {
    // Header, then a type section claiming u32::MAX entries in 5 bytes.
    let mut wasm = b"\0asm\x01\0\0\0".to_vec();
    wasm.extend_from_slice(&[0x01, 0x05, 0xff, 0xff, 0xff, 0xff, 0x0f]);
    let errors = validate_all(&wasm, &Limits::default());
    assert_eq!(errors[0].rule, Rule::Limit(Limit::Types));
    // A function body declaring u32::MAX locals, twice (the sum overflows u32).
    let mut wasm = module("(func)");
    let body = find_unique(&wasm, &[0x0a, 0x04, 0x01, 0x02, 0x00, 0x0b]);
    wasm.truncate(body);
    let locals = [0x02, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x7f, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x7f];
    let body_len = (locals.len() + 1) as u8;
    wasm.extend_from_slice(&[0x0a, body_len + 2, 0x01, body_len]);
    wasm.extend_from_slice(&locals);
    wasm.push(0x0b);
    let err = validate(&wasm, &Limits::default()).unwrap_err();
    assert!(matches!(err.rule, Rule::Limit(Limit::Locals) | Rule::Malformed), "{err}");
    // One declaration of u32::MAX locals is a clean limit error.
    let mut wasm = module("(func)");
    wasm.truncate(body);
    wasm.extend_from_slice(&[0x0a, 0x0a, 0x01, 0x08, 0x01, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x7f, 0x0b]);
    let err = assert_rule(&wasm, Rule::Limit(Limit::Locals));
    assert!(err.message.contains("4294967295"), "{err}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let all = validate_all(&bytes, &Limits::default());
        prop_assert_eq!(validate(&bytes, &Limits::default()).err(), all.first().cloned());
    }

    #[test]
    fn mutated_modules_never_panic(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8)
    ) {
        let mut wasm = wat(TOKEN_SCRIPT);
        for (i, b) in edits {
            let i = i.index(wasm.len());
            wasm[i] = b;
        }
        let all = validate_all(&wasm, &Limits::default());
        prop_assert_eq!(validate(&wasm, &Limits::default()).err(), all.first().cloned());
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

// ---- the error and the rule list ----

#[test]
fn error_display() {
    let wasm = module("(func $f (local f32))");
    let err = validate(&wasm, &Limits::default()).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("float: local: value type f32 (function 0 `f`, offset {})", err.offset)
    );
    let err = validate(&wat("(module)"), &Limits::default()).unwrap_err();
    assert_eq!(err.to_string(), "memory: the module must define a memory (offset 0)");
    let mut err = ValidationError::in_func(3, Rule::Simd, 9, "x");
    assert_eq!(err.to_string(), "simd: x (function 3, offset 9)");
    err.rule = Rule::Limit(Limit::Locals);
    assert_eq!(err.to_string(), "limit: x (function 3, offset 9)");
}

#[test]
fn validate_all_reports_every_violation() {
    let wasm = wat(r#"(module
          (import "env" "f" (func))
          (memory 1)
          (global (export "g") f32 (f32.const 0))
          (func)
          (start 1)
          (func (param i64) i32.const 0 i32.const 0 i32.const 0 memory.init 0)
          (data "passive"))"#);
    let rules: Vec<Rule> = validate_all(&wasm, &Limits::default()).iter().map(|e| e.rule).collect();
    assert_eq!(
        rules,
        [
            Rule::ForbiddenImport,
            Rule::Float,
            Rule::ForbiddenExport,
            Rule::StartFunction,
            Rule::BulkMemory,
            Rule::BulkMemory,
            Rule::Memory,
        ]
    );
}

#[test]
fn names_are_stable_and_in_the_spec() {
    let spec = include_str!("../../../../spec/determinism.md");
    let names: Vec<&str> = Rule::ALL_BUT_LIMITS.iter().map(Rule::name).collect();
    assert_eq!(
        names,
        [
            "malformed",
            "float",
            "simd",
            "threads",
            "reference_types",
            "tail_call",
            "multi_memory",
            "memory64",
            "exceptions",
            "other_feature",
            "bulk_memory",
            "start_function",
            "forbidden_import",
            "import_signature",
            "memory",
            "forbidden_export",
            "entry_signature",
        ]
    );
    for rule in Rule::ALL_BUT_LIMITS {
        assert!(spec.contains(&format!("`{}`", rule.name())), "{rule:?} not in the spec");
        assert!(spec.contains(&format!("`Rule::{rule:?}`")), "{rule:?} not in the spec");
    }
    for limit in Limit::ALL {
        assert!(spec.contains(&format!("`{}`", limit.field())), "{limit:?} not in the spec");
        assert!(spec.contains(&format!("`Limit::{limit:?}`")), "{limit:?} not in the spec");
        let default = limit.value(&Limits::default()).to_string();
        let row = spec
            .lines()
            .find(|l| l.contains(&format!("`{}`", limit.field())) && l.starts_with('|'))
            .unwrap_or_else(|| panic!("no table row for {limit:?}"));
        assert!(
            row.replace(['_', ','], "").contains(&default),
            "default {default} of {limit:?} not in its row: {row}"
        );
    }
    assert!(spec.contains(&format!("PROFILE_VERSION = {PROFILE_VERSION}")));
}

#[test]
fn spec_links_in_the_code_resolve() {
    let spec = include_str!("../../../../spec/determinism.md");
    let anchors: Vec<String> = spec
        .lines()
        .filter_map(|l| l.strip_prefix('#'))
        .map(|h| {
            h.trim_start_matches('#')
                .trim()
                .to_lowercase()
                .chars()
                .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-')
                .collect::<String>()
                .replace(' ', "-")
        })
        .collect();
    for (file, src) in [
        ("mod.rs", include_str!("mod.rs")),
        ("checks.rs", include_str!("checks.rs")),
        ("ops.rs", include_str!("ops.rs")),
        ("rule.rs", include_str!("rule.rs")),
        ("strict.rs", include_str!("strict.rs")),
    ] {
        for (i, _) in src.match_indices("spec/determinism.md#") {
            let rest = &src[i + "spec/determinism.md#".len()..];
            let anchor: String =
                rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
            assert!(anchors.contains(&anchor), "{file}: no section #{anchor}");
        }
    }
}
