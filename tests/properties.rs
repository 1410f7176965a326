//! Property tests (`spec/trace.md`): random transfer sequences and storage workloads give identical
//! receipts and traces across repeated runs, thread counts, trace levels, and bundles recorded then
//! replayed from their witness alone; and every run's outcome is the one a plain model of the
//! token predicts, so the runs cannot agree by all failing alike.

use abi::{Address, Call, Invocation, Operation, Receipt, StatusCode};
use proptest::prelude::*;
use std::collections::BTreeMap;
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
/// the receipts and the state left.
fn run_sequence(vm: &Vm, code: &[u8], calls: &[Call], level: TraceLevel) -> (Vec<Receipt>, InMemoryState) {
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
    (receipts, state)
}

/// What the example token (`examples/token.wat`) must do with a transfer from `balances`: its
/// before-hook reverts above the default limit of 1,000, then the native mutation's checks
/// (`spec/abi.md#mutations`).
fn model_transfer(balances: &mut BTreeMap<Address, u128>, op: &Operation) -> StatusCode {
    let Operation::Transfer { from, to, amount } = op else { unreachable!("transfers only") };
    let amount = *amount;
    let from_balance = balances.get(from).copied().unwrap_or(0);
    let status = if amount > 1_000 {
        StatusCode::Reverted
    } else if amount == 0 {
        StatusCode::ZeroAmount
    } else if from_balance < amount {
        StatusCode::InsufficientBalance
    } else {
        StatusCode::Success
    };
    if status.is_success() && from != to {
        balances.insert(*from, from_balance - amount);
        *balances.entry(*to).or_insert(0) += amount;
    }
    status
}

/// Checks the transfer sequence's receipts and final balances against [`model_transfer`].
fn assert_transfers_as_modelled(calls: &[Call], receipts: &[Receipt], state: &InMemoryState) {
    let mut balances: BTreeMap<Address, u128> = default_state().tokens[&TOKEN].balances.clone();
    for (call, receipt) in calls.iter().zip(receipts) {
        let Call::Operation { operation } = call else { unreachable!("operations only") };
        assert_eq!(receipt.status, model_transfer(&mut balances, operation), "{operation:?}");
    }
    balances.retain(|_, b| *b > 0);
    let token = &state.tokens[&TOKEN];
    let held: BTreeMap<Address, u128> =
        token.balances.iter().filter(|(_, b)| **b > 0).map(|(a, b)| (*a, *b)).collect();
    assert_eq!(held, balances, "final balances");
    assert_eq!(token.supply, 10_000, "transfers conserve the supply");
    assert_eq!(token.balances.values().sum::<u128>(), 10_000, "balances add up to the supply");
}

/// Checks that every storage workload succeeded and left exactly the storage the ops describe.
fn assert_storage_as_modelled(calls: &[Call], receipts: &[Receipt], state: &InMemoryState) {
    let mut storage: BTreeMap<Vec<u8>, Vec<u8>> = BTreeMap::new();
    for (call, receipt) in calls.iter().zip(receipts) {
        assert_eq!(receipt.status, StatusCode::Success, "{receipt:?}");
        let Call::Method { args, .. } = call else { unreachable!("methods only") };
        for op in args.chunks_exact(3) {
            match op[0] {
                0 => drop(storage.insert(vec![op[1]], vec![op[2]])),
                1 => drop(storage.remove(&[op[1]][..])),
                _ => {}
            }
        }
    }
    assert_eq!(state.tokens[&TOKEN].storage, storage, "final storage");
}

fn transfers() -> impl Strategy<Value = Vec<Call>> {
    proptest::collection::vec((1u8..5, 1u8..5, 0u128..1_500), 1..8)
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

/// Runs `calls` everywhere, checks the runs agree, and returns one run's receipts and final state.
fn check_everywhere(code: Vec<u8>, calls: Vec<Call>) -> (Vec<Receipt>, InMemoryState) {
    let vm = Arc::new(vm());
    let (expected, state) = run_sequence(&vm, &code, &calls, TraceLevel::HashOnly);
    // Repeated, on a fresh VM, at the full level.
    assert_eq!(run_sequence(&tsvm_tests::vm(), &code, &calls, TraceLevel::HashOnly).0, expected);
    assert_eq!(run_sequence(&vm, &code, &calls, TraceLevel::Full).0, expected);
    // On several threads sharing one VM.
    let code = Arc::new(code);
    let calls = Arc::new(calls);
    let handles: Vec<_> = (0..3)
        .map(|_| {
            let (vm, code, calls) = (Arc::clone(&vm), Arc::clone(&code), Arc::clone(&calls));
            std::thread::spawn(move || run_sequence(&vm, &code, &calls, TraceLevel::HashOnly).0)
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap(), expected);
    }
    (expected, state)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn transfer_sequences_are_identical_everywhere(calls in transfers()) {
        let (receipts, state) = check_everywhere(token_wasm(), calls.clone());
        assert_transfers_as_modelled(&calls, &receipts, &state);
    }

    #[test]
    fn storage_workloads_are_identical_everywhere(calls in storage_workloads()) {
        let code = module(STORAGE_OPS);
        let (receipts, state) = check_everywhere(code, calls.clone());
        assert_storage_as_modelled(&calls, &receipts, &state);
    }
}
