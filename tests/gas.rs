//! Gas, stack and memory limits as seen from a receipt (`spec/gas.md`).

use abi::{Fault, StatusCode, TrapKind};
use tsvm_tests::*;
use vm::{Limits, Rules};

fn entry(body: &str) -> Vec<u8> {
    module(&format!(r#"(func (export "method_t") {body})"#))
}

#[test]
fn out_of_gas_at_exactly_the_limit() {
    let (vm, state, code) = (vm(), default_state(), token_wasm());
    let call = || operation(transfer(addr(1), addr(2), 10));
    let needed = run(&vm, &state, &code, call(), GAS).gas_used;
    let exact = run(&vm, &state, &code, call(), needed);
    assert_eq!((exact.status, exact.gas_used), (StatusCode::Success, needed));
    let short = run(&vm, &state, &code, call(), needed - 1);
    assert_eq!((short.status, short.gas_used), (StatusCode::OutOfGas, needed - 1));
    assert!(short.diff.is_empty() && short.events.is_empty());
    // Every limit below `needed` fails the same way, never partially.
    for limit in [0, 1, needed / 3, needed / 2, needed - 2] {
        let r = run(&vm, &state, &code, call(), limit);
        assert_eq!(
            (r.status, r.gas_used, r.diff.is_empty()),
            (StatusCode::OutOfGas, limit, true),
            "limit {limit}"
        );
    }
}

#[test]
fn infinite_loop_consumes_exactly_the_limit() {
    let code = entry("(loop $l (br $l))");
    for limit in [10_000, 123_457] {
        let r = run(&vm(), &default_state(), &code, method("t", &[]), limit);
        assert_eq!((r.status, r.gas_used), (StatusCode::OutOfGas, limit));
    }
}

#[test]
fn loading_and_instantiation_are_charged_whatever_the_cache_holds() {
    let vm = vm();
    let code = entry("");
    let state = default_state();
    let first = run(&vm, &state, &code, method("t", &[]), GAS);
    let cached = run(&vm, &state, &code, method("t", &[]), GAS);
    assert_eq!(first, cached);
    let fresh = run(&tsvm_tests::vm(), &state, &code, method("t", &[]), GAS);
    assert_eq!(first, fresh);
    let rules = vm::Rules::default();
    let floor = rules.gas.load_cost(code.len() as u32) + rules.gas.instantiate_cost(1, 0);
    assert!(first.gas_used >= floor, "{} < {floor}", first.gas_used);
    // Not even loading can be paid: out of gas before anything runs.
    let r = run(&vm, &state, &code, method("t", &[]), 5);
    assert_eq!((r.status, r.gas_used), (StatusCode::OutOfGas, 5));
}

#[test]
fn gas_left_decreases_and_matches_the_receipt() {
    let code = entry(
        "(i64.store (i32.const 0) (call $gas_left))
         (i64.store (i32.const 8) (call $gas_left))
         (call $return_data (i32.const 0) (i32.const 16))",
    );
    let r = run(&vm(), &default_state(), &code, method("t", &[]), GAS);
    let first = u64::from_le_bytes(r.return_data[..8].try_into().unwrap());
    let second = u64::from_le_bytes(r.return_data[8..].try_into().unwrap());
    assert!(second < first && first < GAS);
    assert!(GAS - r.gas_used < second);
}

const RECURSE: &str = r#"
  (func $down (param $n i32)
    (if (local.get $n) (then (call $down (i32.sub (local.get $n) (i32.const 1))))))
  (func (export "method_t")
    (local $n i32)
    (call $input_read (i32.const 0) (i32.const 0) (i32.const 4))
    (call $down (i32.load (i32.const 0))))
  (func (export "method_forever") (call $forever))
  (func $forever (call $forever))
"#;

#[test]
fn stack_limit_trips_at_the_same_point_every_run() {
    let code = module(RECURSE);
    let vm = vm();
    let first = run(&vm, &default_state(), &code, method("forever", &[]), GAS);
    assert_eq!(first.status, StatusCode::StackOverflow);
    for _ in 0..3 {
        assert_eq!(run(&vm, &default_state(), &code, method("forever", &[]), GAS), first);
    }
    // Bounded recursion: find the deepest depth that passes; one more overflows.
    let depth = |n: u32| run(&vm, &default_state(), &code, method("t", &n.to_le_bytes()), GAS * 10).status;
    assert_eq!(depth(100), StatusCode::Success);
    let max = Limits::default().max_stack_units / vm::FRAME_OVERHEAD_UNITS;
    assert_eq!(depth(max), StatusCode::StackOverflow, "frames cost more than the overhead alone");
    let (mut lo, mut hi) = (100, max);
    while hi - lo > 1 {
        let mid = (lo + hi) / 2;
        if depth(mid) == StatusCode::Success {
            lo = mid
        } else {
            hi = mid
        }
    }
    assert_eq!(depth(lo), StatusCode::Success);
    assert_eq!(depth(lo + 1), StatusCode::StackOverflow);
}

/// `memory.grow` fails and `memory.size` counts the memory's own pages: one 64 KiB page, or 100
/// bytes of 1-byte pages (`spec/determinism.md#memory`).
#[test]
fn memory_is_fixed() {
    let body = "(i32.store (i32.const 0) (memory.grow (i32.const 1)))
         (i32.store (i32.const 4) (memory.grow (i32.const 0)))
         (i32.store (i32.const 8) (memory.size))
         (call $return_data (i32.const 0) (i32.const 12))";
    for (code, size) in [(entry(body), 1), (byte_memory(100, body), 100)] {
        let r = run(&vm(), &default_state(), &code, method("t", &[]), GAS);
        assert_eq!(r.status, StatusCode::Success, "{r:?}");
        let words: Vec<i32> =
            r.return_data.chunks(4).map(|c| i32::from_le_bytes(c.try_into().unwrap())).collect();
        assert_eq!(words, [-1, -1, size]);
    }
}

fn memory_module(pages: u32) -> Vec<u8> {
    wasm(&format!(r#"(module (memory (export "memory") {pages}) (func (export "method_t")))"#))
}

#[test]
fn memory_at_the_cap_runs_and_above_it_is_rejected() {
    let cap = Limits::default().max_memory_pages;
    let r = run(&vm(), &default_state(), &memory_module(cap), method("t", &[]), GAS);
    assert_eq!(r.status, StatusCode::Success);
    let r = run(&vm(), &default_state(), &memory_module(cap + 1), method("t", &[]), GAS);
    assert_eq!(r.status, StatusCode::InvalidModule);
    // Instantiation of a bigger memory costs more.
    let small = run(&vm(), &default_state(), &memory_module(1), method("t", &[]), GAS).gas_used;
    let big = run(&vm(), &default_state(), &memory_module(cap), method("t", &[]), GAS).gas_used;
    assert!(big > small);
}

#[test]
fn data_segment_out_of_bounds_is_a_trap_at_instantiation() {
    let code = wasm(
        r#"(module (memory (export "memory") 1) (data (i32.const 65535) "ab") (func (export "method_t")))"#,
    );
    let r = run(&vm(), &default_state(), &code, method("t", &[]), GAS);
    assert_eq!(r.status, StatusCode::Trap);
    assert!(r.diff.is_empty());
}

/// A module whose memory is `bytes` bytes of 1-byte pages (`spec/determinism.md#memory`), with
/// `method_t` running `body`.
fn byte_memory(bytes: u32, body: &str) -> Vec<u8> {
    wasm(&format!(
        r#"(module {IMPORTS} (memory (export "memory") {bytes} (pagesize 1)) (func (export "method_t") {body}))"#
    ))
}

#[test]
fn a_memory_of_one_byte_pages_ends_at_its_last_byte() {
    let n = 100;
    let run_t = |body: &str| run(&vm(), &default_state(), &byte_memory(n, body), method("t", &[]), GAS);
    // The last four bytes: a store and a load at n - 4, returned by the host from there.
    let r = run_t(&format!(
        "(i32.store (i32.const {at}) (i32.const 0x01020304))
         (call $return_data (i32.const {at}) (i32.const 4))",
        at = n - 4
    ));
    assert_eq!((r.status, r.return_data), (StatusCode::Success, vec![4, 3, 2, 1]));
    // One byte further: the store's last byte is past the end.
    let r = run_t(&format!("(i32.store (i32.const {}) (i32.const 1))", n - 3));
    assert_eq!((r.status, r.fault), (StatusCode::Trap, Fault::Trap(TrapKind::MemoryOutOfBounds)));
    let r = run_t(&format!("(drop (i32.load8_u (i32.const {n})))"));
    assert_eq!((r.status, r.fault), (StatusCode::Trap, Fault::Trap(TrapKind::MemoryOutOfBounds)));
    let r = run_t(&format!("(memory.fill (i32.const {}) (i32.const 7) (i32.const 2))", n - 1));
    assert_eq!((r.status, r.fault), (StatusCode::Trap, Fault::Trap(TrapKind::MemoryOutOfBounds)));
    // A host range is checked against the same end.
    let r = run_t(&format!("(call $return_data (i32.const {}) (i32.const 5))", n - 4));
    assert_eq!(r.status, StatusCode::BadPointer, "{r:?}");
    // A data segment that ends at the last byte is applied; one past it traps at instantiation.
    let data = |at: u32| {
        wasm(&format!(
            r#"(module {IMPORTS} (memory (export "memory") {n} (pagesize 1)) (data (i32.const {at}) "ab")
                 (func (export "method_t") (call $return_data (i32.const {at}) (i32.const 2))))"#
        ))
    };
    let r = run(&vm(), &default_state(), &data(n - 2), method("t", &[]), GAS);
    assert_eq!((r.status, r.return_data), (StatusCode::Success, b"ab".to_vec()));
    let r = run(&vm(), &default_state(), &data(n - 1), method("t", &[]), GAS);
    assert_eq!((r.status, r.fault), (StatusCode::Trap, Fault::Trap(TrapKind::MemoryOutOfBounds)));
}

/// Instantiation is charged per 64 KiB page, rounded up, whatever the page size
/// (`spec/gas.md#per-execution-costs`): a memory of 1 to 65,536 bytes costs one page, and the rest
/// of the execution costs what it does on a 64 KiB memory.
#[test]
fn a_memory_of_one_byte_pages_is_charged_whole_pages() {
    let gas = |decl: &str| {
        let code = wasm(&format!(r#"(module (memory (export "memory") {decl}) (func (export "method_t")))"#));
        let r = run(&vm(), &default_state(), &code, method("t", &[]), GAS);
        assert_eq!(r.status, StatusCode::Success, "{decl}");
        (r.gas_used, code.len() as u64)
    };
    let page = Rules::default().gas.memory_page;
    let per_code_byte = Rules::default().gas.code_byte;
    let (one_page, len) = gas("1");
    for (decl, pages) in [("1 (pagesize 1)", 1), ("65536 (pagesize 1)", 1), ("65537 (pagesize 1)", 2)] {
        let (used, decl_len) = gas(decl);
        let code_bytes = (decl_len - len) * per_code_byte;
        assert_eq!(used, one_page + code_bytes + (pages - 1) * page, "{decl}");
    }
}

#[test]
fn invalid_modules_get_a_receipt_not_an_error() {
    let float_in_dead_code = wasm(
        r#"(module (memory (export "memory") 1)
             (func (export "method_t"))
             (func $never (result f32) (f32.const 1.5)))"#,
    );
    for code in [float_in_dead_code, vec![0, 97, 115, 109], b"garbage".to_vec()] {
        let r = run(&vm(), &default_state(), &code, method("t", &[]), GAS);
        assert_eq!(r.status, StatusCode::InvalidModule);
        assert!(r.gas_used > 0 && r.diff.is_empty());
    }
}

#[test]
fn checkpoints_depend_only_on_the_input() {
    let vm = vm();
    let state = default_state();
    // A loop calling a host function, so checkpoints fire both in the slow path and in host charges.
    let code = module(r#"(func (export "method_t") (loop $l (drop (call $block_height)) (br $l)))"#);
    let k = vm::MIN_CHECKPOINT_INTERVAL;
    let invocation = abi::Invocation { token: TOKEN, call: method("t", &[]) };
    let ctx = context(addr(1));
    let tx =
        vm::Transaction { code: &code, invocation: &invocation, context: &ctx, gas_limit: 2 * k + 10_000 };
    let opts = vm::ExecOptions { checkpoint_interval: k, ..Default::default() };
    let a = vm.execute_with(&state, &tx, &opts).unwrap();
    let plain = vm.execute(&state, &tx).unwrap();
    assert_eq!(a.receipt, plain, "checkpoints never change the receipt");
    assert_eq!(a.checkpoints.len(), 2);
    for (i, c) in a.checkpoints.iter().enumerate() {
        assert_eq!(c.index, i as u64 + 1);
        assert!(c.gas_used <= c.index * k && c.gas_used + 1_000 > c.index * k, "{c:?}");
    }
}

#[test]
fn big_frames_hit_the_specified_limit_not_the_engines() {
    // A recursive function with thousands of distinct 64-bit constants: whatever the engine keeps
    // per frame, the specified limit must trip first (an engine trap would be a host failure).
    let consts: String = (0..3_000u64)
        .map(|i| {
            format!(
                "(i64.store (i32.const 8) (i64.const {})) (i64.store (i32.const 16) (i64.mul (local.get 0) (i64.const {})))",
                1_000_000_000_003 * i + 7,
                900_000_000_007 * i + 9
            )
        })
        .collect();
    let code = module(&format!(
        r#"(func $f (param i64)
             (if (i64.ne (local.get 0) (i64.const 0)) (then (call $f (i64.sub (local.get 0) (i64.const 1)))))
             {consts})
           (func (export "method_t") (call $f (i64.const 100000)))"#
    ));
    let r = run(&vm(), &default_state(), &code, method("t", &[]), 100_000_000);
    assert_eq!(r.status, StatusCode::StackOverflow);
}
