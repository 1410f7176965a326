//! The example token script through hooks, views and methods (`examples/token.wat`).

use abi::{Event, HookKind, Operation, StateKey, StatusCode};
use tsvm_tests::*;

fn count_key() -> StateKey {
    StateKey::Storage { token: TOKEN, key: b"count".to_vec() }
}

fn amount(v: u128) -> Option<Vec<u8>> {
    Some(v.to_le_bytes().to_vec())
}

#[test]
fn transfer_pipeline_runs_both_hooks_and_the_native_transfer() {
    let (vm, state, code) = (vm(), default_state(), token_wasm());
    let r = run(&vm, &state, &code, operation(transfer(addr(1), addr(2), 100)), GAS);
    assert_eq!(r.status, StatusCode::Success, "{r:?}");
    assert_eq!(r.rules_hash, vm.rules_hash());
    let diff: Vec<_> = r.diff.0.iter().map(|e| (e.key.clone(), e.old.clone(), e.new.clone())).collect();
    assert_eq!(
        diff,
        vec![
            (StateKey::Balance { token: TOKEN, account: addr(1) }, amount(5_000), amount(4_900)),
            (StateKey::Balance { token: TOKEN, account: addr(2) }, amount(5_000), amount(5_100)),
            (count_key(), None, Some(2u64.to_le_bytes().to_vec())),
        ]
    );
    assert!(r.diff.is_canonical());
    assert_eq!(r.events, vec![Event { topic: b"transfer".to_vec(), data: 100u128.to_le_bytes().to_vec() }]);
    assert!(r.gas_used > 0 && r.gas_used < GAS);
}

#[test]
fn before_transfer_limit_rejects_and_applies_nothing() {
    let (vm, state, code) = (vm(), default_state(), token_wasm());
    let r = run(&vm, &state, &code, operation(transfer(addr(1), addr(2), 1_001)), GAS);
    assert_eq!(r.status, StatusCode::Reverted);
    assert_eq!(r.revert_reason, b"transfer above limit");
    assert!(r.diff.is_empty() && r.events.is_empty() && r.return_data.is_empty());
    // At the limit it passes.
    let r = run(&vm, &state, &code, operation(transfer(addr(1), addr(2), 1_000)), GAS);
    assert_eq!(r.status, StatusCode::Success);
}

#[test]
fn counter_survives_in_storage_and_the_view_reads_it() {
    let (vm, mut state, code) = (vm(), default_state(), token_wasm());
    for _ in 0..3 {
        let r = run(&vm, &state, &code, operation(transfer(addr(1), addr(2), 10)), GAS);
        assert_eq!(r.status, StatusCode::Success);
        state.apply(&r.diff).unwrap();
    }
    let r = run(&vm, &state, &code, view("count", &[]), GAS);
    assert_eq!(r.status, StatusCode::Success);
    assert_eq!(r.return_data, 6u64.to_le_bytes());
    assert!(r.diff.is_empty());
}

#[test]
fn native_failure_after_a_hook_wrote_applies_nothing() {
    let (vm, code) = (vm(), token_wasm());
    let state = state_with(&[(addr(1), 50)], permissive(1_000));
    let r = run(&vm, &state, &code, operation(transfer(addr(1), addr(2), 60)), GAS);
    assert_eq!(r.status, StatusCode::InsufficientBalance);
    assert!(r.diff.is_empty() && r.events.is_empty());
}

#[test]
fn set_limit_is_owner_only_and_changes_the_hook() {
    let (vm, mut state, code) = (vm(), default_state(), token_wasm());
    let args = 3_000u64.to_le_bytes();
    let r = run_as(&vm, &state, &code, method("set_limit", &args), GAS, addr(1));
    assert_eq!((r.status, r.revert_reason.as_slice()), (StatusCode::Reverted, &b"not owner"[..]));
    let r = run_as(&vm, &state, &code, method("set_limit", &args), GAS, owner());
    assert_eq!(r.status, StatusCode::Success, "{r:?}");
    state.apply(&r.diff).unwrap();
    let r = run(&vm, &state, &code, operation(transfer(addr(1), addr(2), 2_500)), GAS);
    assert_eq!(r.status, StatusCode::Success);
    // Malformed args revert with the script's reason.
    let r = run_as(&vm, &state, &code, method("set_limit", &[1, 2, 3]), GAS, owner());
    assert_eq!(r.revert_reason, b"bad args");
}

#[test]
fn reward_mints_only_where_the_policy_allows() {
    let (vm, code) = (vm(), token_wasm());
    let mut args = addr(3).0.to_vec();
    args.extend_from_slice(&250u64.to_le_bytes());
    let state = default_state();
    let r = run(&vm, &state, &code, method("reward", &args), GAS);
    assert_eq!(r.status, StatusCode::Success);
    let keys: Vec<_> = r.diff.0.iter().map(|e| (e.key.clone(), e.new.clone())).collect();
    assert_eq!(
        keys,
        vec![
            (StateKey::Balance { token: TOKEN, account: addr(3) }, amount(250)),
            (StateKey::Supply { token: TOKEN }, amount(10_250)),
        ]
    );
    let forbidden = state_with(&[(addr(1), 5_000)], strict(1_000_000));
    let r = run(&vm, &forbidden, &code, method("reward", &args), GAS);
    assert_eq!(r.status, StatusCode::MintForbidden);
    assert!(r.diff.is_empty());
}

#[test]
fn mint_pipeline_runs_the_exported_hook_and_skips_the_missing_one() {
    let (vm, state, code) = (vm(), default_state(), token_wasm());
    let r = run(&vm, &state, &code, operation(Operation::Mint { to: addr(4), amount: 7 }), GAS);
    assert_eq!(r.status, StatusCode::Success, "{r:?}");
    assert_eq!(r.diff.0.len(), 3); // balance, supply, count (before_mint); no after_mint export
                                   // A native mint past the maximum supply fails whatever the hook did.
    let r = run(&vm, &state, &code, operation(Operation::Mint { to: addr(4), amount: 990_001 }), GAS);
    assert_eq!(r.status, StatusCode::SupplyOverflow);
    assert!(r.diff.is_empty());
}

#[test]
fn single_hook_and_missing_entries() {
    let (vm, state, code) = (vm(), default_state(), token_wasm());
    let hook = abi::Call::Hook { hook: HookKind::BeforeTransfer, operation: transfer(addr(1), addr(2), 5) };
    let r = run(&vm, &state, &code, hook, GAS);
    assert_eq!(r.status, StatusCode::Success);
    assert_eq!(r.diff.0.len(), 1, "only the counter: a lone hook applies no native transfer");
    assert_eq!(run(&vm, &state, &code, view("nope", &[]), GAS).status, StatusCode::EntryNotFound);
    assert_eq!(run(&vm, &state, &code, method("count", &[]), GAS).status, StatusCode::EntryNotFound);
    assert_eq!(run(&vm, &state, &code, view("Bad-Name", &[]), GAS).status, StatusCode::EntryNotFound);
    let empty = vm::InMemoryState::default();
    assert_eq!(run(&vm, &empty, &code, view("count", &[]), GAS).status, StatusCode::UnknownToken);
}

/// A fee-on-transfer token: the before-hook replaces the native transfer with two of its own (1% to
/// the owner, the rest to the recipient).
const FEE_ON_TRANSFER: &str = r#"
  (func (export "before_transfer")
    (local $amount i64) (local $fee i64)
    (call $input_read (i32.const 0) (i32.const 0) (i32.const 81))
    (local.set $amount (i64.load (i32.const 65)))
    (local.set $fee (i64.div_u (local.get $amount) (i64.const 100)))
    (call $cancel_native)
    (call $token_owner (i32.const 100))
    (call $transfer (i32.const 1) (i32.const 100) (local.get $fee) (i64.const 0))
    (call $transfer (i32.const 1) (i32.const 33) (i64.sub (local.get $amount) (local.get $fee)) (i64.const 0)))
"#;

#[test]
fn a_before_hook_can_replace_the_native_mutation() {
    let code = module(FEE_ON_TRANSFER);
    let r = run(&vm(), &default_state(), &code, operation(transfer(addr(1), addr(2), 1_000)), GAS);
    assert_eq!(r.status, StatusCode::Success, "{r:?}");
    let got: Vec<_> = r.diff.0.iter().map(|e| (e.key.clone(), e.new.clone())).collect();
    assert_eq!(
        got,
        vec![
            (StateKey::Balance { token: TOKEN, account: addr(1) }, amount(4_000)),
            (StateKey::Balance { token: TOKEN, account: addr(2) }, amount(5_990)),
            (StateKey::Balance { token: TOKEN, account: owner() }, amount(10)),
        ],
        "the native transfer of 1,000 did not also happen"
    );
}

#[test]
fn cancel_native_only_in_a_pipeline_before_hook() {
    let body = r#"(func (export "method_t") (call $cancel_native))
                  (func (export "view_t") (call $cancel_native))
                  (func (export "after_transfer") (call $cancel_native))
                  (func (export "before_mint") (call $cancel_native) (call $cancel_native))"#;
    let (vm, state, code) = (vm(), default_state(), module(body));
    assert_eq!(run(&vm, &state, &code, method("t", &[]), GAS).status, StatusCode::InvalidArgument);
    assert_eq!(run(&vm, &state, &code, view("t", &[]), GAS).status, StatusCode::ReadOnlyViolation);
    let after = run(&vm, &state, &code, operation(transfer(addr(1), addr(2), 5)), GAS);
    assert_eq!(after.status, StatusCode::InvalidArgument, "too late: the native transfer is done");
    let lone = abi::Call::Hook { hook: HookKind::BeforeTransfer, operation: transfer(addr(1), addr(2), 5) };
    let code2 = module(r#"(func (export "before_transfer") (call $cancel_native))"#);
    assert_eq!(run(&vm, &state, &code2, lone, GAS).status, StatusCode::InvalidArgument, "no pipeline");
    // Cancelling a mint twice is the same as once: nothing is minted.
    let r = run(&vm, &state, &code, operation(Operation::Mint { to: addr(4), amount: 7 }), GAS);
    assert_eq!((r.status, r.diff.is_empty()), (StatusCode::Success, true));
}
