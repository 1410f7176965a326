//! Property tests (`spec/trace.md`): random transfer sequences and storage workloads give identical
//! receipts and traces across repeated runs, thread counts, trace levels, and bundles recorded then
//! replayed from their witness alone.

use abi::{Call, Invocation, Receipt};
use proptest::prelude::*;
use std::sync::Arc;
use tsvm_tests::*;
use vm::{ExecOptions, InMemoryState, TraceLevel, Transaction, Vm};

/// A method that interprets its args as `[op, key, value]` triples: 0 write, 1 remove, 2 read.
const STORAGE_OPS: &str = r#"
  (func (export "method_ops")
    (local $n i32) (local $i i32) (local $op i32) (local $at i32)
    (local.set $n (call $input_size))
    (call $input_read (i32.const 1024) (i32.const 0) (local.get $n))
    (block $done (loop $l
      (br_if $done (i32.gt_u (i32.add (local.get $i) (i32.const 3)) (local.get $n)))
      (local.set $at (i32.add (i32.const 1024) (local.get $i)))
      (local.set $op (i32.load8_u (local.get $at)))
      (if (i32.eqz (local.get $op))
        (then (call $storage_write (i32.add (local.get $at) (i32.const 1)) (i32.const 1)
                                   (i32.add (local.get $at) (i32.const 2)) (i32.const 1))))
      (if (i32.eq (local.get $op) (i32.const 1))
        (then (call $storage_remove (i32.add (local.get $at) (i32.const 1)) (i32.const 1))))
      (if (i32.eq (local.get $op) (i32.const 2))
        (then (drop (call $storage_read (i32.add (local.get $at) (i32.const 1)) (i32.const 1) (i32.const 0) (i32.const 8)))))
      (local.set $i (i32.add (local.get $i) (i32.const 3)))
      (br $l))))
"#;

/// Runs `calls` in sequence, applying each successful diff; checks every bundle replays; returns
/// the receipts.
fn run_sequence(vm: &Vm, code: &[u8], calls: &[Call], level: TraceLevel) -> Vec<Receipt> {
    let mut state: InMemoryState = default_state();
    let ctx = context(addr(1));
    let mut receipts = Vec::new();
    for call in calls {
        let invocation = Invocation { token: TOKEN, call: call.clone() };
        let tx = Transaction { code, invocation: &invocation, context: &ctx, gas_limit: GAS };
        let e = vm.execute_with(&state, &tx, &ExecOptions { trace: level, ..Default::default() }).unwrap();
        let bundle = vm::record_bundle(vm, &tx, &e);
        let replayed = vm::replay(vm, &bundle, &ExecOptions::default()).unwrap();
        assert!(replayed.matched(), "bundle diverged: {:?}", replayed.mismatches);
        state.apply(&e.receipt.diff).unwrap();
        receipts.push(e.receipt);
    }
    receipts
}

fn transfers() -> impl Strategy<Value = Vec<Call>> {
    proptest::collection::vec((1u8..5, 1u8..5, 0u128..3_000), 1..8)
        .prop_map(|v| v.into_iter().map(|(f, t, a)| operation(transfer(addr(f), addr(t), a))).collect())
}

fn storage_workloads() -> impl Strategy<Value = Vec<Call>> {
    let triple = (0u8..3, 0u8..4, any::<u8>());
    proptest::collection::vec(proptest::collection::vec(triple, 0..12), 1..5).prop_map(|calls| {
        calls
            .into_iter()
            .map(|ops| method("ops", &ops.into_iter().flat_map(|(o, k, v)| [o, k, v]).collect::<Vec<_>>()))
            .collect()
    })
}

fn check_everywhere(code: Vec<u8>, calls: Vec<Call>) {
    let vm = Arc::new(vm());
    let expected = run_sequence(&vm, &code, &calls, TraceLevel::HashOnly);
    // Repeated, on a fresh VM, at the full level.
    assert_eq!(run_sequence(&tsvm_tests::vm(), &code, &calls, TraceLevel::HashOnly), expected);
    assert_eq!(run_sequence(&vm, &code, &calls, TraceLevel::Full), expected);
    // On several threads sharing one VM.
    let code = Arc::new(code);
    let calls = Arc::new(calls);
    let handles: Vec<_> = (0..3)
        .map(|_| {
            let (vm, code, calls) = (Arc::clone(&vm), Arc::clone(&code), Arc::clone(&calls));
            std::thread::spawn(move || run_sequence(&vm, &code, &calls, TraceLevel::HashOnly))
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap(), expected);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn transfer_sequences_are_identical_everywhere(calls in transfers()) {
        check_everywhere(token_wasm(), calls);
    }

    #[test]
    fn storage_workloads_are_identical_everywhere(calls in storage_workloads()) {
        check_everywhere(module(STORAGE_OPS), calls);
    }
}
