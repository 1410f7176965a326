//! Canonical bundles (`spec/bundle.md#canonical-witness`) and the `Token` trace event
//! (`spec/trace.md#events`): every way issue 9 found to change a witness and still "match" now
//! diverges or is refused, each with its exact outcome.

use abi::{Bundle, Invocation, StateKey, StatusCode, TokenId, TraceEvent, WitnessEntry};
use tsvm_tests::*;
use vm::{ExecOptions, TraceLevel, Transaction, VmError};

/// The bundle of a transfer of 10 from account 1 to 2 with the example token script.
fn transfer_bundle() -> Bundle {
    let (code, state, ctx) = (token_wasm(), default_state(), context(addr(1)));
    let vm = vm();
    let invocation = Invocation { token: TOKEN, call: operation(transfer(addr(1), addr(2), 10)) };
    let tx = Transaction { code: &code, invocation: &invocation, context: &ctx, gas_limit: GAS };
    let e = vm.execute_with(&state, &tx, &ExecOptions::default()).unwrap();
    vm::record_bundle(&vm, &tx, &e)
}

#[track_caller]
fn refused(bundle: &Bundle) -> String {
    match vm::replay(&vm(), bundle, &ExecOptions::default()) {
        Err(VmError::NonCanonicalBundle(m)) => m,
        other => panic!("expected a non-canonical bundle error, got {other:?}"),
    }
}

#[test]
fn the_trace_commits_to_the_token_metadata_read() {
    let code = token_wasm();
    let ctx = context(addr(1));
    let invocation = Invocation { token: TOKEN, call: view("count", &[]) };
    let tx = Transaction { code: &code, invocation: &invocation, context: &ctx, gas_limit: GAS };
    let full = ExecOptions { trace: TraceLevel::Full, ..Default::default() };
    let e = vm().execute_with(&default_state(), &tx, &full).unwrap();
    let info = default_state().tokens[&TOKEN].info.clone();
    assert_eq!(e.trace[1], TraceEvent::Token { info: Some(info) });
    // An unknown token: Start, Token(None), End.
    let invocation = Invocation { token: TokenId([1; 32]), call: view("count", &[]) };
    let tx = Transaction { invocation: &invocation, ..tx };
    let e = vm().execute_with(&default_state(), &tx, &full).unwrap();
    assert_eq!(e.receipt.status, StatusCode::UnknownToken);
    assert_eq!(e.trace.len(), 3);
    assert_eq!(e.trace[1], TraceEvent::Token { info: None });
}

#[test]
fn an_honest_bundle_is_canonical_and_matches() {
    let b = transfer_bundle();
    vm::check_witness(&TOKEN, &b.witness).unwrap();
    assert!(vm::replay(&vm(), &b, &ExecOptions::default()).unwrap().matched());
}

#[test]
fn another_owner_or_policy_in_the_witness_diverges() {
    // The transfer never reads the owner or the policy; the trace's Token event commits to them.
    let mut owner = transfer_bundle();
    owner.witness.token.as_mut().unwrap().owner = addr(0x55);
    let mut policy = transfer_bundle();
    policy.witness.token.as_mut().unwrap().policy.max_supply += 1;
    let mut can_mint = transfer_bundle();
    can_mint.witness.token.as_mut().unwrap().policy.script_can_mint = false;
    for b in [owner, policy, can_mint] {
        let r = vm::replay(&vm(), &b, &ExecOptions::default()).unwrap();
        assert_eq!(r.mismatches, ["trace_hash", "receipt_hash"]);
        assert_eq!(r.execution.receipt.status, StatusCode::Success);
    }
}

#[test]
fn an_unread_key_is_refused() {
    let mut b = transfer_bundle();
    let key = StateKey::Storage { token: TOKEN, key: b"unread".to_vec() };
    b.witness.entries.push(WitnessEntry { key, value: Some(vec![1]) });
    b.witness.entries.sort_by(|x, y| x.key.cmp(&y.key));
    assert_eq!(
        refused(&b),
        format!("the witness holds storage[{}] of {TOKEN}, which the execution never read", "0x756e72656164")
    );
    // An unread balance too (its value well formed).
    let mut b = transfer_bundle();
    let key = StateKey::Balance { token: TOKEN, account: addr(9) };
    b.witness.entries.push(WitnessEntry { key, value: Some(vec![0; 16]) });
    b.witness.entries.sort_by(|x, y| x.key.cmp(&y.key));
    assert!(refused(&b).contains("which the execution never read"));
}

#[test]
fn a_key_of_another_token_is_refused() {
    let mut b = transfer_bundle();
    let other = TokenId([0x71; 32]);
    b.witness.entries.push(WitnessEntry { key: StateKey::Supply { token: other }, value: Some(vec![0; 16]) });
    let i = b.witness.entries.len() - 1;
    assert_eq!(
        refused(&b),
        format!("witness entry {i} (supply of {other}) is state of token {other}, not of the executing token {TOKEN}")
    );
}

#[test]
fn an_unsorted_or_duplicated_witness_is_refused() {
    let mut b = transfer_bundle();
    assert!(b.witness.entries.len() >= 2);
    b.witness.entries.swap(0, 1);
    let m = refused(&b);
    assert!(m.starts_with("witness entries are not sorted by key: entry 1 ("), "{m}");
    let mut b = transfer_bundle();
    let first = b.witness.entries[0].clone();
    b.witness.entries.insert(1, first.clone());
    assert_eq!(refused(&b), format!("witness entry 1 ({}) is a duplicate", first.key));
    // The error's text says what is wrong with the bundle.
    let err = vm::replay(&vm(), &b, &ExecOptions::default()).unwrap_err().to_string();
    assert!(err.starts_with("bundle is not canonical: "), "{err}");
}
