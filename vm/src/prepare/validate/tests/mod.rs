//! Unit tests of the determinism profile: one passing and one failing fixture per rule, every limit
//! at and past its value, and garbage that must not panic.
//!
//! Layout: this file holds the fixtures' helpers, the token-script fixture and the tests of the
//! error and the rule list; [`features`] tests the feature rules, [`interface`] imports, memory
//! and exports, [`limits`] every static limit, [`malformed`] garbage and truncations.

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

/// The token script with each `(index, byte)` edit applied, the index taken modulo its length.
fn edited_token_script(edits: Vec<(prop::sample::Index, u8)>) -> Vec<u8> {
    let mut wasm = wat(TOKEN_SCRIPT);
    for (i, b) in edits {
        let i = i.index(wasm.len());
        wasm[i] = b;
    }
    wasm
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

/// spec/determinism.md#memory: a memory of 1-byte pages (custom-page-sizes) is accepted, its size
/// counted in 64 KiB pages rounded up; the default page size may be written out; no other size is.
#[test]
fn memories_of_one_byte_pages_are_accepted_and_counted_in_whole_pages() {
    let memory = |decl: &str| wat(&format!(r#"(module (memory (export "memory") {decl}))"#));
    for (decl, pages) in [
        ("0 (pagesize 1)", 0),
        ("1 (pagesize 1)", 1),
        ("4096 (pagesize 1)", 1),
        ("65536 (pagesize 1)", 1),
        ("65537 (pagesize 1)", 2),
        ("100 200 (pagesize 1)", 1),
        ("3 (pagesize 65536)", 3),
    ] {
        assert_eq!(assert_valid(&memory(decl)).memory_pages, pages, "{decl}");
    }
    // A page size of 2^8: the limits' flag 0x08 with an exponent, which wasmparser refuses.
    let mut sizes = wasm_encoder::MemorySection::new();
    sizes.memory(wasm_encoder::MemoryType {
        minimum: 1,
        maximum: None,
        memory64: false,
        shared: false,
        page_size_log2: Some(8),
    });
    let mut exports = wasm_encoder::ExportSection::new();
    exports.export("memory", wasm_encoder::ExportKind::Memory, 0);
    let mut m = wasm_encoder::Module::new();
    m.section(&sizes).section(&exports);
    assert_rule(&m.finish(), Rule::Malformed);
}

#[test]
fn minimal_module_is_valid() {
    let info = assert_valid(&module(""));
    assert_eq!(info.memory_pages, 1);
    assert!(info.functions.is_empty() && info.imports.is_empty() && info.exports.is_empty());
}

mod features;
mod hints;
mod interface;
mod limits;
mod malformed;
mod once;

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
    let spec = include_str!("../../../../../spec/determinism.md");
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
