//! The profile and the pinned engine agree (issue 9, part 1): every module the profile accepts
//! compiles on wasmi 2.0.0 and runs to a receipt. Generated families for the two known
//! disagreements, wide-offset stores (`spec/gas.md#wide-offset-stores`) and frame sizes
//! (`spec/determinism.md#limits`, `max_frame_units`), and the safety net for what the profile
//! misses: `engine_rejected`, charged and cached (`spec/abi.md#execution`, `spec/abi.md#module-cache`).

use abi::StatusCode;
use tsvm_tests::*;
use vm::{Limit, Limits, Rule, Rules, Vm};

/// Gas for these executions: frames at the limit are modules of hundreds of KiB, whose loading
/// alone (`spec/gas.md#per-execution-costs`) is far above the shared fixtures' `GAS`.
const GAS: u64 = 1_000_000_000;

/// Bytes of linear memory in the store family's modules (2 pages).
const MEMORY: u64 = 2 * 65_536;

/// Every integer store: its name, bytes written, and the conversion from the `i32` local.
const STORES: [(&str, u64, &str); 7] = [
    ("i32.store", 4, ""),
    ("i32.store8", 1, ""),
    ("i32.store16", 2, ""),
    ("i64.store", 8, "(i64.extend_i32_u)"),
    ("i64.store8", 1, "(i64.extend_i32_u)"),
    ("i64.store16", 2, "(i64.extend_i32_u)"),
    ("i64.store32", 4, "(i64.extend_i32_u)"),
];

/// Offsets around the 16-bit boundary, near the end of memory, and far past it.
const OFFSETS: [u64; 8] = [0, 0xFFFE, 0xFFFF, 0x1_0000, 0x1_0001, 0x1FFF0, 0x1FFFD, 0xFFFF_FFF0];

/// The address local's value: odd, so stores are unaligned too.
const ADDR: u64 = 3;

/// Ways to leave the address in a local that wasmi holds in its register, then push it as address
/// and value: `$x` is the local (a declared local, or parameter 0 in `param`). The third part runs
/// after the store (for patterns that leave an operand below the store's two).
const PATTERNS: [(&str, &str, &str); 6] = [
    ("tee", "(i32.add (local.get $x) (i32.const 3)) (local.tee $x) (local.get $x)", ""),
    ("set_get", "(local.set $x (i32.add (local.get $x) (i32.const 3))) (local.get $x) (local.get $x)", ""),
    ("param", "(local.set 0 (i32.add (local.get 0) (i32.const 3))) (local.get 0) (local.get 0)", ""),
    // `i32.add` of 0 and a `select` of two equal operands hand the same register-linked local back.
    ("add_zero", "(local.set $x (i32.add (local.get $x) (i32.const 3))) (local.get $x) (i32.add (local.get $x) (i32.const 0))", ""),
    ("select", "(local.set $x (i32.add (local.get $x) (i32.const 3))) (local.get $x) (select (local.get $x) (local.get $x) (local.get 0))", ""),
    ("below", "(i32.add (local.get $x) (i32.const 3)) (local.tee $x) (local.get $x) (local.get $x)", "(drop)"),
];

/// A store module: `method_t` calls `$store` (parameter 0 is 0) and returns the bytes the store
/// wrote; `$uncalled` holds the same store and is never called (compilation is eager).
fn store_module(store: &str, width: u64, convert: &str, offset: u64, pattern: (&str, &str)) -> Vec<u8> {
    let ea = ADDR + offset;
    let (before, after) = pattern;
    let body = format!("{before} {convert} ({store} offset={offset}) {after}");
    let ret = if ea + width <= MEMORY {
        format!("(call $return_data (i32.const {ea}) (i32.const {width}))")
    } else {
        String::new()
    };
    wasm(&format!(
        r#"(module {IMPORTS} (memory (export "memory") 2)
             (func $store (param i32) (local $x i32) {body})
             (func $uncalled (param i32) (local $x i32) {body})
             (func (export "method_t") (call $store (i32.const 0)) {ret}))"#
    ))
}

/// What Wasm semantics say the store family's receipt holds: the address value, little-endian, in
/// the bytes written, or a trap when the store leaves memory.
fn expected_store(width: u64, offset: u64) -> (StatusCode, Vec<u8>) {
    if ADDR + offset + width > MEMORY {
        return (StatusCode::Trap, Vec::new());
    }
    (StatusCode::Success, ADDR.to_le_bytes()[..width as usize].to_vec())
}

/// Without the spill, 175 of these 336 runs end in `engine_rejected` (formerly a translator panic):
/// every width (the `i64` ones through `i64.extend_i32_u`, which wasmi forwards as the same local)
/// at every offset above `0xFFFF`, in every pattern but `add_zero`.
#[test]
fn every_store_width_offset_and_register_pattern_runs_to_its_receipt() {
    let vm = vm();
    let mut runs = 0;
    for (store, width, convert) in STORES {
        for offset in OFFSETS {
            for (name, before, after) in PATTERNS {
                let code = store_module(store, width, convert, offset, (before, after));
                let what = format!("{store} offset={offset} {name}");
                if let Err(e) = vm::validate(&code, &Limits::default()) {
                    panic!("{what}: rejected: {e}");
                }
                let r = run(&vm, &default_state(), &code, method("t", &[]), GAS);
                assert_eq!((r.status, r.return_data.clone()), expected_store(width, offset), "{what}: {r:?}");
                runs += 1;
            }
        }
    }
    assert_eq!(runs, STORES.len() * OFFSETS.len() * PATTERNS.len());
}

/// A module whose `$f` has `params` and `locals` `i32`s and an operand stack `height` deep, called
/// by `method_t`.
fn frame_module(params: usize, locals: usize, height: usize) -> Vec<u8> {
    let params_decl = if params > 0 { format!("(param{})", " i32".repeat(params)) } else { String::new() };
    let locals_decl = if locals > 0 { format!("(local{})", " i32".repeat(locals)) } else { String::new() };
    let body = format!("{}{}", "(i32.const 0)".repeat(height), "(drop)".repeat(height));
    let args = "(i32.const 0)".repeat(params);
    wasm(&format!(
        r#"(module {IMPORTS} (memory (export "memory") 1)
             (func $f {params_decl} {locals_decl} {body})
             (func (export "method_t") (call $f {args})))"#
    ))
}

/// `$f`'s frame units as validation measures them.
#[track_caller]
fn frame_units_of(code: &[u8], limits: &Limits) -> u32 {
    let info = vm::validate(code, limits).unwrap_or_else(|e| panic!("rejected: {e}"));
    info.functions[0].frame_units()
}

#[test]
fn frames_at_the_limit_run_and_frames_past_it_are_rejected_by_the_profile() {
    let limits = Limits::default();
    let max = limits.max_frame_units as usize;
    let vm = vm();
    for (params, locals) in [(0, 0), (1, 0), (0, 1), (0, 1_024), (32, 992), (32, 0)] {
        let at = max - 8 - params - locals;
        let code = frame_module(params, locals, at);
        assert_eq!(frame_units_of(&code, &limits), limits.max_frame_units);
        let imports = vm::validate(&code, &limits).map(|i| i.num_imported_funcs()).ok();
        let r = run(&vm, &default_state(), &code, method("t", &[]), GAS);
        assert_eq!(r.status, StatusCode::Success, "{params} params, {locals} locals, height {at}: {r:?}");

        let past = frame_module(params, locals, at + 1);
        let err = vm::validate(&past, &limits).expect_err("past the frame limit");
        assert_eq!(err.rule, Rule::Limit(Limit::FrameUnits), "{err}");
        assert_eq!(err.func_index, imports, "{err}");
        assert_eq!(
            err.message,
            format!("max_frame_units: {} frame units exceed the limit of {max}", max + 1)
        );
        let r = run(&vm, &default_state(), &past, method("t", &[]), GAS);
        assert_eq!(r.status, StatusCode::InvalidModule);
    }
}

#[test]
fn the_issues_frame_that_wasmi_refused_is_rejected_by_the_profile() {
    // 1,024 i32 locals and an operand stack 63,480 deep: accepted by profile 1, then refused by wasmi
    // with `AllocatedTooManySlots` (a host error, no receipt).
    let code = frame_module(0, 1_024, 63_480);
    let err = vm::validate(&code, &Limits::default()).expect_err("past the frame limit");
    assert_eq!(err.rule, Rule::Limit(Limit::FrameUnits), "{err}");
    assert_eq!(run(&vm(), &default_state(), &code, method("t", &[]), GAS).status, StatusCode::InvalidModule);
}

/// wasmi 2.0.0's own cap on a function's locals, parameters and the 4 scratch locals included.
const ENGINE_MAX_LOCALS: usize = 30_000;

/// Rules with `max_locals` and `max_frame_units` raised as far as given.
fn raised(max_locals: usize, max_frame_units: u32) -> Rules {
    let limits = Limits { max_locals: max_locals as u32, max_frame_units, ..Limits::default() };
    Rules { limits, ..Rules::default() }
}

#[test]
fn frames_at_the_limit_fit_the_engine_whatever_their_shape() {
    // Even with `max_locals` raised to the engine's own cap, every frame at the limit compiles: the
    // largest wasmi frame is 2 * 30,000 + 2,764 + 2 = 62,766 of its 65,535 slots.
    let rules = raised(ENGINE_MAX_LOCALS - 4, vm::DEFAULT_MAX_FRAME_UNITS);
    let vm = Vm::new(rules.clone());
    let max = rules.limits.max_frame_units as usize;
    for (params, locals) in [(0, 29_996), (32, 29_964), (0, 16_380), (0, 1), (32, 0), (0, 29_000)] {
        let height = max - 8 - params - locals;
        let code = frame_module(params, locals, height);
        assert_eq!(frame_units_of(&code, &rules.limits), rules.limits.max_frame_units);
        let r = run(&vm, &default_state(), &code, method("t", &[]), GAS);
        assert_eq!(r.status, StatusCode::Success, "{params} params, {locals} locals, height {height}: {r:?}");
    }
}

#[test]
fn a_module_the_engine_cannot_compile_is_a_charged_cached_outcome() {
    // Rules past what wasmi compiles: frames of more than its 65,535 slots (29,996 locals and an
    // operand stack 6,000 deep: 2 * 30,000 + 6,002), functions of more than its 30,000 locals.
    let rules = raised(65_535, 65_535);
    let vm = Vm::new(rules.clone());
    let good = frame_module(0, 0, 1);
    let bad = [frame_module(0, 29_996, 6_000), frame_module(0, ENGINE_MAX_LOCALS - 3, 0)];
    let call = || method("t", &[]);
    assert_eq!(run(&vm, &default_state(), &good, call(), GAS).status, StatusCode::Success);
    let mut first = Vec::new();
    for code in &bad {
        assert!(vm::validate(code, &rules.limits).is_ok(), "the profile accepts it under these rules");
        let r = run(&vm, &default_state(), code, call(), GAS);
        assert_eq!(r.status, StatusCode::EngineRejected, "{r:?}");
        let info = vm::validate(code, &rules.limits).expect("validated");
        let paid = rules.gas.load_cost(code.len() as u32) + rules.gas.compile_cost(&info);
        assert_eq!(r.gas_used, paid, "charged for loading and compiling");
        assert!(r.diff.is_empty() && r.events.is_empty() && r.return_data.is_empty());
        first.push(r);
    }
    // All three stay cached: a failure retires nothing, and nothing is compiled again.
    assert_eq!((vm.cached_modules(), vm.prepared_modules()), (3, 3));
    for _ in 0..3 {
        for (code, r) in bad.iter().zip(&first) {
            assert_eq!(&run(&vm, &default_state(), code, call(), GAS), r);
        }
        assert_eq!(run(&vm, &default_state(), &good, call(), GAS).status, StatusCode::Success);
    }
    assert_eq!((vm.cached_modules(), vm.prepared_modules()), (3, 3));
    for (code, r) in bad.iter().zip(&first) {
        // The outcome does not depend on the cache; the default rules reject these in the profile.
        assert_eq!(&run(&Vm::new(rules.clone()), &default_state(), code, call(), GAS), r);
        assert_eq!(
            run(&tsvm_tests::vm(), &default_state(), code, call(), GAS).status,
            StatusCode::InvalidModule
        );
    }
}
