//! The testkit on the example token (`examples/token.wat`: a transfer limit of 1,000 unless the owner
//! sets another, a hook counter in storage `count`, a `count` view, `set_limit` and `reward` methods):
//! accept and reject paths, state threading, failure messages and the gas report.

use crate::{encode, TestChain, DEFAULT_OWNER};
use abi::{Address, Fault, HookKind, Operation, StatusCode, TokenPolicy, TrapKind};

const TOKEN_WAT: &str = include_str!("../../examples/token.wat");

fn addr(n: u8) -> Address {
    Address([n; 32])
}

/// Accounts 1 and 2 hold 5,000 each; the script may mint up to 1,000,000.
fn chain() -> TestChain {
    TestChain::from_wat(TOKEN_WAT)
        .expect("examples/token.wat parses")
        .with_policy(TokenPolicy { script_can_mint: true, script_can_burn: false, max_supply: 1_000_000 })
        .with_balance(addr(1), 5_000)
        .with_balance(addr(2), 5_000)
}

/// The message of the panic `f` raises.
fn panic_message(f: impl FnOnce()) -> String {
    let err = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).expect_err("the assertion fails");
    err.downcast_ref::<String>().cloned().unwrap_or_default()
}

#[test]
fn a_new_chain_holds_its_token_with_the_balances_set() {
    let chain = chain().with_balance(addr(1), 4_000);
    assert_eq!(chain.owner(), DEFAULT_OWNER);
    assert_eq!(chain.balance(addr(1)), 4_000);
    assert_eq!(chain.balance(addr(3)), 0);
    assert_eq!(chain.supply(), 9_000, "the supply follows the balances set");
    assert_eq!(chain.storage("count"), None);
}

#[test]
fn a_transfer_under_the_limit_moves_balances_counts_both_hooks_and_emits_its_event() {
    let mut chain = chain();
    let out = chain.transfer(addr(1), addr(2), 100);
    out.assert_success().assert_events(&[("transfer", 100u128.to_le_bytes())]);
    assert_eq!(out.caller, addr(1), "a transfer is signed by its sender");
    assert!(out.gas_used() > 0);
    assert_eq!((chain.balance(addr(1)), chain.balance(addr(2))), (4_900, 5_100));
    assert_eq!(chain.supply(), 10_000);
    assert_eq!(chain.storage_as::<u64>("count"), Some(2), "before and after hooks");
}

#[test]
fn a_transfer_above_the_limit_reverts_and_applies_nothing() {
    let mut chain = chain();
    chain.transfer(addr(1), addr(2), 100).assert_success();
    let out = chain.transfer(addr(1), addr(2), 1_001);
    out.assert_status(StatusCode::Reverted).assert_reverted_with("transfer above limit");
    assert_eq!(out.revert_reason(), "transfer above limit");
    assert!(out.receipt.diff.is_empty() && out.receipt.events.is_empty());
    assert_eq!((chain.balance(addr(1)), chain.balance(addr(2))), (4_900, 5_100), "unchanged");
    assert_eq!(chain.storage_as::<u64>("count"), Some(2), "the reverted hook's count is not applied");
}

#[test]
fn state_threads_through_set_limit_by_the_owner_and_refuses_anyone_else() {
    let mut chain = chain();
    chain
        .step("non-owner sets the limit")
        .method("set_limit", encode(&5_000u64))
        .assert_reverted_with("not owner");
    chain.transfer(addr(1), addr(2), 1_500).assert_reverted_with("transfer above limit");
    let owner = chain.owner();
    chain.as_caller(owner).method("set_limit", encode(&5_000u64)).assert_success();
    assert_eq!(chain.storage_as::<u64>("limit"), Some(5_000));
    chain
        .transfer(addr(1), addr(2), 1_500)
        .assert_success()
        .assert_event("transfer", 1_500u128.to_le_bytes());
    assert_eq!(chain.balance(addr(2)), 6_500);
    // The view sees every applied count: the owner's set_limit and the successful transfer's hooks.
    chain.view("count", []).assert_success().assert_return(3u64.to_le_bytes());
    assert_eq!(chain.view("count", []).decode_return::<u64>(), 3);
}

#[test]
fn mints_follow_the_policy() {
    let mut chain = chain();
    let args = [addr(3).0.as_slice(), &250u64.to_le_bytes()].concat();
    chain.method("reward", &args).assert_success();
    assert_eq!((chain.balance(addr(3)), chain.supply()), (250, 10_250));
    let mut strict = chain.with_policy(TokenPolicy {
        script_can_mint: false,
        script_can_burn: false,
        max_supply: 1_000_000,
    });
    strict.method("reward", &args).assert_status(StatusCode::MintForbidden);
    assert_eq!(strict.balance(addr(3)), 250);
    // A native mint runs before_mint (a count), signed by the owner.
    let out = strict.mint(addr(4), 10);
    out.assert_success();
    assert_eq!(out.caller, DEFAULT_OWNER);
    assert_eq!(strict.balance(addr(4)), 10);
}

#[test]
fn a_hook_alone_runs_without_the_native_mutation() {
    let mut chain = chain();
    let op = Operation::Transfer { from: addr(1), to: addr(2), amount: 7 };
    chain
        .hook(HookKind::AfterTransfer, op.clone())
        .assert_success()
        .assert_event("transfer", 7u128.to_le_bytes());
    assert_eq!(chain.balance(addr(1)), 5_000);
    let big = Operation::Transfer { from: addr(1), to: addr(2), amount: 2_000 };
    chain.hook(HookKind::BeforeTransfer, big).assert_reverted_with("transfer above limit");
    let owner = chain.owner();
    chain.as_caller(owner).method("set_limit", [1, 2, 3]).assert_reverted_with("bad args");
    chain.view("nope", []).assert_status(StatusCode::EntryNotFound);
}

#[test]
fn gas_is_the_chains_gas_and_runs_out_at_the_limit() {
    let mut chain = chain();
    // The first transfer creates `count`; later ones overwrite it: the same work, the same gas.
    chain.transfer(addr(1), addr(2), 1).assert_success();
    let full = chain.transfer(addr(1), addr(2), 1).gas_used();
    let again = chain.transfer(addr(1), addr(2), 1).gas_used();
    assert_eq!(full, again, "the same call on the same shape of state costs the same");
    let out = chain.gas(full - 1).transfer(addr(1), addr(2), 1);
    out.assert_status(StatusCode::OutOfGas).assert_gas(full - 1);
    assert_eq!(chain.balance(addr(2)), 5_003, "out of gas applies nothing");
}

#[test]
fn a_trap_is_reported_with_its_fault() {
    let wat = r#"(module (memory (export "memory") 1) (func (export "view_boom") unreachable))"#;
    let mut chain = TestChain::from_wat(wat).expect("parses");
    chain.view("boom", []).assert_status(StatusCode::Trap).assert_fault(Fault::Trap(TrapKind::Unreachable));
    let msg = panic_message(|| {
        chain.step("boom").view("boom", []).assert_success();
    });
    assert!(msg.contains("expected success, got trap (unreachable: "), "{msg}");
}

#[test]
fn failure_messages_name_the_step_the_status_the_reason_and_the_events() {
    let mut chain = chain();
    let msg = panic_message(|| {
        chain.step("too big").transfer(addr(1), addr(2), 1_001).assert_success();
    });
    assert!(msg.starts_with("step 1 `too big`: status: expected success, got reverted"), "{msg}");
    assert!(msg.contains(r#"reason "transfer above limit""#), "{msg}");
    assert!(msg.contains("events  none") && msg.contains("caller  0x0101"), "{msg}");

    let msg = panic_message(|| {
        chain.transfer(addr(1), addr(2), 5).assert_event("transfer", 6u128.to_le_bytes());
    });
    assert!(msg.contains("step 2 `transfer 5 0x01010101.. -> 0x02020202..`"), "{msg}");
    assert!(msg.contains(r#"event: expected "transfer" 0x06000000"#), "{msg}");
    assert!(msg.contains(r#"got events "transfer" 0x05000000"#), "{msg}");

    let msg = panic_message(|| {
        chain.view("count", []).assert_return(9u64.to_le_bytes());
    });
    assert!(msg.contains("return: expected 0x0900000000000000, got 0x0200000000000000"), "{msg}");
    let msg = panic_message(|| {
        chain.transfer(addr(1), addr(2), 5).assert_reverted_with("x");
    });
    assert!(msg.contains("status: expected reverted, got success"), "{msg}");
}

#[test]
fn the_gas_report_lists_every_step_with_its_gas() {
    let mut chain = chain();
    let a = chain.step("small").transfer(addr(1), addr(2), 10).gas_used();
    let b = chain.step("large").transfer(addr(1), addr(2), 10_000).gas_used();
    let c = chain.view("count", []).gas_used();
    let report = chain.gas_report();
    let rows: Vec<(&str, StatusCode, u64)> =
        report.rows.iter().map(|r| (r.name.as_str(), r.status, r.gas_used)).collect();
    assert_eq!(
        rows,
        [
            ("small", StatusCode::Success, a),
            ("large", StatusCode::Reverted, b),
            ("view count(0x)", StatusCode::Success, c)
        ]
    );
    assert_eq!(report.total(), a + b + c);
    let table = report.to_string();
    assert!(table.lines().nth(2).is_some_and(|l| l.contains("large") && l.contains("reverted")), "{table}");
    assert!(table
        .lines()
        .last()
        .is_some_and(|l| l.contains("total") && l.contains(&(a + b + c).to_string())));
}

#[test]
fn the_context_moves_on_demand() {
    let mut chain = chain();
    chain.advance_blocks(5).advance_time_ms(60_000);
    assert_eq!((chain.context().height, chain.context().timestamp_ms), (6, 1_700_000_060_000));
    chain.set_height(100).set_timestamp_ms(1).set_caller(addr(9));
    assert_eq!(chain.view("count", []).caller, addr(9));
}

#[test]
fn modules_load_from_files_and_a_bad_one_is_an_error() {
    let dir = std::env::temp_dir().join(format!("tsvm-testkit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let wat = dir.join("token.wat");
    std::fs::write(&wat, TOKEN_WAT).expect("write");
    let wasm = dir.join("token.wasm");
    std::fs::write(&wasm, wat::parse_str(TOKEN_WAT).expect("parses")).expect("write");
    for path in [&wat, &wasm] {
        let mut chain = TestChain::load(path).expect("loads").with_balance(addr(1), 10);
        chain.transfer(addr(1), addr(2), 10).assert_success();
    }
    std::fs::write(&wat, "(module").expect("write");
    assert!(matches!(TestChain::load(&wat), Err(crate::Error::Wat(_))));
    assert!(matches!(TestChain::load(dir.join("missing.wasm")), Err(crate::Error::Io { .. })));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_profiled_chain_has_the_same_gas_and_reports_it_per_function() {
    let (alice, bob) = (addr(1), addr(2));
    let mut plain = chain();
    let mut profiled = chain().with_profiling();
    for c in [&mut plain, &mut profiled] {
        c.transfer(alice, bob, 100).assert_success();
        c.transfer(alice, bob, 1_001).assert_status(StatusCode::Reverted);
        c.view("count", []).assert_success();
    }
    assert_eq!(profiled.gas_report(), plain.gas_report());
    assert!(plain.profiles().is_empty());
    let steps = profiled.profiles();
    assert_eq!(steps.len(), 3);
    for (s, row) in steps.iter().zip(&plain.gas_report().rows) {
        assert_eq!((s.index, s.profile.total(), s.status), (row.index, row.gas_used, row.status));
    }
    let report = profiled.function_report();
    assert_eq!(report.total, plain.gas_report().total());
    let bump = report.rows.iter().find(|r| r.function == "bump").expect("bump is named");
    assert!(bump.self_gas > 0 && bump.inclusive > bump.self_gas && bump.calls == 2, "{bump:?}");
    let text = report.to_string();
    assert!(text.contains("host:storage_write") && text.ends_with(&report.total.to_string()), "{text}");
}
