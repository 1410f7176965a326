//! The escape and abuse battery (issue 5): one module per kind of attempt, each with an exact
//! expected outcome: the `Rule` a module is rejected under, or a receipt's status, gas and an empty
//! diff. Limits already covered elsewhere (`host.rs`, `gas.rs`) are not repeated here.

mod execution;
mod host_pointers;
mod profile;

use abi::{Receipt, StatusCode};
use tsvm_tests::*;
use vm::{Limits, Rule};

/// The rule `vm::validate` rejects `wat` under.
#[track_caller]
fn rejected_under(wat: &str) -> Rule {
    match vm::validate(&wasm(wat), &Limits::default()) {
        Ok(_) => panic!("accepted: {wat}"),
        Err(e) => e.rule,
    }
}

/// Runs `call` on `code` three times (one VM with its cache, and a fresh VM), then in-process and in
/// a sandboxed worker (`spec/executor.md`, hash-only and full trace), profiled, and in a session on
/// a kept instance: the receipts must be identical; returns the first.
#[track_caller]
fn run_stable(code: &[u8], call: abi::Call, gas: u64) -> Receipt {
    let vm = vm();
    let first = run(&vm, &default_state(), code, call.clone(), gas);
    assert_eq!(run(&vm, &default_state(), code, call.clone(), gas), first, "cached run differs");
    assert_eq!(run(&tsvm_tests::vm(), &default_state(), code, call.clone(), gas), first, "fresh VM differs");
    let isolated = tsvm_tests::isolated::run_isolated(&vm, &default_state(), code, call.clone(), gas);
    assert_eq!(isolated, first, "the isolated run differs");
    // spec/profile.md: profiling changes nothing and adds up to the receipt's gas.
    let invocation = abi::Invocation { token: tsvm_tests::TOKEN, call };
    let ctx = tsvm_tests::context(tsvm_tests::addr(1));
    let tx = vm::Transaction { code, invocation: &invocation, context: &ctx, gas_limit: gas };
    tsvm_tests::oracles::profile::check_profiled(&vm, &default_state(), &tx, &first);
    // spec/abi.md#instance-reuse: a kept, reset instance gives the same execution.
    let kept = tsvm_tests::oracles::session::check_in_session(&vm, &default_state(), &tx);
    assert_eq!(kept.receipt, first, "the recording options changed the receipt");
    first
}

/// Asserts a failed receipt applied nothing and spent within the limit.
#[track_caller]
fn assert_failed(r: &Receipt, status: StatusCode, gas: u64) {
    assert_eq!(r.status, status, "{r:?}");
    assert!(r.diff.is_empty() && r.events.is_empty() && r.return_data.is_empty(), "{r:?}");
    assert!(r.gas_used <= gas);
    if status == StatusCode::OutOfGas {
        assert_eq!(r.gas_used, gas);
    }
}
