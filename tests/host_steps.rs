//! The host functions' step order and what ends a failed execution (`spec/abi.md#host-functions`,
//! `spec/abi.md#faults`): every range is checked before any per-byte charge, `storage_read` pays for
//! the whole value it reads, and a failed receipt names its trap, limit or argument.

use abi::{ArgumentKind, Fault, HostFnId, LimitKind, StatusCode, TraceEvent, TrapKind};
use tsvm_tests::*;
use vm::{ExecOptions, Limits, TraceLevel};

fn method_t(body: &str) -> Vec<u8> {
    module(&format!(r#"(func (export "method_t") {body})"#))
}

fn run_t(body: &str) -> abi::Receipt {
    run(&vm(), &default_state(), &method_t(body), method("t", &[]), GAS)
}

#[test]
fn a_bad_range_halts_before_any_per_byte_charge() {
    // The value pointer is past memory: the key (1 or 100 bytes, in bounds) must not be charged.
    let bad_value = |key_len: u32| {
        run_t(&format!(
            "(call $storage_write (i32.const 0) (i32.const {key_len}) (i32.const 65535) (i32.const 2))"
        ))
    };
    // (Lengths of equal LEB128 size, so that the modules are the same size and load for the same gas.)
    let (short, long) = (bad_value(1), bad_value(63));
    assert_eq!((short.status, long.status), (StatusCode::BadPointer, StatusCode::BadPointer));
    assert_eq!(short.gas_used, long.gas_used, "per-byte gas for the key was charged before the range check");
    let (short, long) = (bad_value(100), bad_value(256));
    assert_eq!((short.status, long.status), (StatusCode::BadPointer, StatusCode::BadPointer));
    assert_eq!(short.gas_used, long.gas_used, "per-byte gas for the key was charged before the range check");
    // A key past its limit halts at step 3: the same gas again (base only, same instructions).
    let over = run_t("(call $storage_write (i32.const 0) (i32.const 257) (i32.const 65535) (i32.const 2))");
    assert_eq!((over.status, over.fault), (StatusCode::LimitExceeded, Fault::Limit(LimitKind::MaxKeyLen)));
    assert_eq!(over.gas_used, short.gas_used);
    // The same call in bounds pays base + per_byte * (key + value) more than nothing at all.
    let spec = HostFnId::StorageWrite.spec();
    let ok = run_t("(call $storage_write (i32.const 0) (i32.const 100) (i32.const 30000) (i32.const 2))");
    assert_eq!(ok.status, StatusCode::Success);
    assert_eq!(ok.gas_used - short.gas_used, spec.per_byte * 102);
    // Two-range functions: a bad second range charges nothing for the first (the same gas as a
    // shorter first range, or as a bad first range).
    for (second_bad, same_gas) in [
        (
            "(call $emit_event (i32.const 0) (i32.const 63) (i32.const 65536) (i32.const 1))",
            "(call $emit_event (i32.const 0) (i32.const 1) (i32.const 65536) (i32.const 1))",
        ),
        (
            "(call $blake3 (i32.const 0) (i32.const 4000) (i32.const 65505))",
            "(call $blake3 (i32.const 0) (i32.const 100) (i32.const 65505))",
        ),
        (
            "(call $balance_of (i32.const 0) (i32.const 65521))",
            "(call $balance_of (i32.const 65535) (i32.const 0))",
        ),
        (
            "(call $transfer (i32.const 0) (i32.const 65505) (i64.const 1) (i64.const 0))",
            "(call $transfer (i32.const 65505) (i32.const 0) (i64.const 1) (i64.const 0))",
        ),
    ] {
        let (a, b) = (run_t(second_bad), run_t(same_gas));
        assert_eq!((a.status, b.status), (StatusCode::BadPointer, StatusCode::BadPointer), "{second_bad}");
        assert_eq!(a.gas_used, b.gas_used, "{second_bad}");
    }
}

#[test]
fn storage_read_pays_for_the_whole_value_whatever_the_cap() {
    let with_value = |len: usize| {
        let mut state = default_state();
        state.tokens.get_mut(&TOKEN).unwrap().storage.insert(b"k".to_vec(), vec![7; len]);
        state
    };
    let read = |cap: u32, state: &vm::InMemoryState| {
        let code = method_t(&format!(
            "(i32.store8 (i32.const 0) (i32.const 107))
             (drop (call $storage_read (i32.const 0) (i32.const 1) (i32.const 8) (i32.const {cap})))"
        ));
        run(&vm(), state, &code, method("t", &[]), GAS)
    };
    let per_byte = HostFnId::StorageRead.spec().per_byte;
    let max = Limits::default().max_value_len as usize;
    let (small, big) = (read(0, &with_value(1)), read(0, &with_value(max)));
    assert_eq!((small.status, big.status), (StatusCode::Success, StatusCode::Success));
    assert_eq!(big.gas_used - small.gas_used, per_byte * (max as u64 - 1));
    // Copying the value costs nothing more: a cap of half the value and of all of it pay the same.
    assert_eq!(read(max as u32, &with_value(max)).gas_used, read(max as u32 / 2, &with_value(max)).gas_used);
    // The destination range is [dst, dst + cap), checked before anything is read.
    let past = read(65536 - 8 + 1, &with_value(1));
    assert_eq!(past.status, StatusCode::BadPointer);
    assert_eq!(read(65536 - 8, &with_value(1)).status, StatusCode::Success);
}

#[test]
fn a_trap_names_its_kind() {
    let cases = [
        ("unreachable", TrapKind::Unreachable),
        ("(drop (i32.div_u (i32.const 1) (i32.const 0)))", TrapKind::IntegerDivisionByZero),
        ("(drop (i32.div_s (i32.const 0x80000000) (i32.const -1)))", TrapKind::IntegerOverflow),
        ("(drop (i32.load (i32.const 65535)))", TrapKind::MemoryOutOfBounds),
        ("(call_indirect (type $v) (i32.const 5))", TrapKind::TableOutOfBounds),
        ("(call_indirect (type $v) (i32.const 1))", TrapKind::UninitializedElement),
        ("(call_indirect (type $v) (i32.const 0))", TrapKind::IndirectCallTypeMismatch),
    ];
    for (body, kind) in cases {
        let code = module(&format!(
            r#"(type $v (func)) (type $i (func (param i32)))
               (table 2 funcref) (elem (i32.const 0) $f)
               (func $f (param i32))
               (func (export "method_t") {body})"#
        ));
        let r = run(&vm(), &default_state(), &code, method("t", &[]), GAS);
        assert_eq!((r.status, r.fault), (StatusCode::Trap, Fault::Trap(kind)), "{body}");
    }
    // An out-of-bounds data segment at instantiation is a memory trap.
    let code = module(r#"(data (i32.const 65535) "ab") (func (export "method_t"))"#);
    let r = run(&vm(), &default_state(), &code, method("t", &[]), GAS);
    assert_eq!((r.status, r.fault), (StatusCode::Trap, Fault::Trap(TrapKind::MemoryOutOfBounds)));
}

#[test]
fn the_stack_limit_names_max_stack_units() {
    let code = module(r#"(func $deep (call $deep)) (func (export "method_t") (call $deep))"#);
    let r = run(&vm(), &default_state(), &code, method("t", &[]), GAS);
    assert_eq!((r.status, r.fault), (StatusCode::StackOverflow, Fault::Limit(LimitKind::MaxStackUnits)));
}

#[test]
fn limits_and_arguments_at_fault_are_named() {
    let l = Limits::default();
    let cases = [
        (
            "(call $storage_write (i32.const 0) (i32.const 1) (i32.const 0) (i32.const 16385))",
            LimitKind::MaxValueLen,
        ),
        ("(call $storage_remove (i32.const 0) (i32.const 257))", LimitKind::MaxKeyLen),
        (
            "(drop (call $storage_read (i32.const 0) (i32.const 257) (i32.const 0) (i32.const 0)))",
            LimitKind::MaxKeyLen,
        ),
        ("(call $return_data (i32.const 0) (i32.const 16385))", LimitKind::MaxReturnDataLen),
        ("(call $revert (i32.const 0) (i32.const 1025))", LimitKind::MaxRevertReasonLen),
        (
            "(call $emit_event (i32.const 0) (i32.const 65) (i32.const 0) (i32.const 1))",
            LimitKind::MaxEventTopicLen,
        ),
        (
            "(call $emit_event (i32.const 0) (i32.const 1) (i32.const 0) (i32.const 4097))",
            LimitKind::MaxEventDataLen,
        ),
        ("(call $log (i32.const 0) (i32.const 0) (i32.const 1025))", LimitKind::MaxLogLen),
    ];
    for (body, kind) in cases {
        let r = run_t(body);
        assert_eq!((r.status, r.fault), (StatusCode::LimitExceeded, Fault::Limit(kind)), "{body}");
    }
    let repeat = |call: &str, n: u32| {
        format!("(local $i i32) (loop $l {call} (local.set $i (i32.add (local.get $i) (i32.const 1))) (br_if $l (i32.lt_u (local.get $i) (i32.const {n}))))")
    };
    let event = "(call $emit_event (i32.const 0) (i32.const 1) (i32.const 0) (i32.const 1))";
    let r = run_t(&repeat(event, l.max_events + 1));
    assert_eq!((r.status, r.fault), (StatusCode::LimitExceeded, Fault::Limit(LimitKind::MaxEvents)));
    let log = "(call $log (i32.const 0) (i32.const 0) (i32.const 1))";
    let r = run_t(&repeat(log, l.max_logs + 1));
    assert_eq!((r.status, r.fault), (StatusCode::LimitExceeded, Fault::Limit(LimitKind::MaxLogs)));
    let r =
        run(&vm(), &default_state(), &method_t(""), method("t", &vec![0; l.max_input_len as usize + 1]), GAS);
    assert_eq!((r.status, r.fault), (StatusCode::LimitExceeded, Fault::Limit(LimitKind::MaxInputLen)));
    let r = run_t("(call $log (i32.const 4) (i32.const 0) (i32.const 1))");
    assert_eq!((r.status, r.fault), (StatusCode::InvalidArgument, Fault::Argument(ArgumentKind::LogLevel)));
    let r = run_t("(call $cancel_native)");
    assert_eq!(
        (r.status, r.fault),
        (StatusCode::InvalidArgument, Fault::Argument(ArgumentKind::CancelNativeOutsideBeforeHook))
    );
    // Statuses that say it all carry no fault.
    assert_eq!(run_t("").fault, Fault::None);
    assert_eq!(run_t("(call $revert (i32.const 0) (i32.const 1))").fault, Fault::None);
    assert_eq!(run_t("(call $caller (i32.const 65535))").fault, Fault::None);
}

#[test]
fn the_trace_end_carries_the_fault() {
    let code = method_t("(drop (i32.div_u (i32.const 1) (i32.const 0)))");
    let inv = abi::Invocation { token: TOKEN, call: method("t", &[]) };
    let ctx = context(addr(1));
    let tx = vm::Transaction { code: &code, invocation: &inv, context: &ctx, gas_limit: GAS };
    let options = ExecOptions { trace: TraceLevel::Full, ..ExecOptions::default() };
    let e = vm().execute_with(&default_state(), &tx, &options).unwrap();
    let fault = Fault::Trap(TrapKind::IntegerDivisionByZero);
    assert!(
        matches!(e.trace.last(), Some(TraceEvent::End { status: StatusCode::Trap, fault: f, .. }) if *f == fault)
    );
    assert_eq!(e.receipt.fault, fault);
}
