//! Host functions: bounds, limits, read-only views, policies, fail-closed diffs
//! (`spec/abi.md#host-functions`).

use abi::{LogLevel, StatusCode};
use tsvm_tests::*;
use vm::Limits;

/// A module whose `view_t` and `method_t` run `body`.
fn entry(body: &str) -> Vec<u8> {
    module(&format!(
        r#"(func $t {body})
           (func (export "view_t") (call $t))
           (func (export "method_t") (call $t))"#
    ))
}

fn status_of(body: &str, call: abi::Call) -> StatusCode {
    run(&vm(), &default_state(), &entry(body), call, GAS).status
}

fn method_status(body: &str) -> StatusCode {
    status_of(body, method("t", &[]))
}

#[test]
fn views_cannot_change_anything() {
    let writes = [
        "(call $storage_write (i32.const 0) (i32.const 1) (i32.const 0) (i32.const 1))",
        "(call $storage_remove (i32.const 0) (i32.const 1))",
        "(call $transfer (i32.const 0) (i32.const 32) (i64.const 1) (i64.const 0))",
        "(call $mint (i32.const 0) (i64.const 1) (i64.const 0))",
        "(call $burn (i32.const 0) (i64.const 1) (i64.const 0))",
        "(call $emit_event (i32.const 0) (i32.const 1) (i32.const 0) (i32.const 1))",
    ];
    for body in writes {
        assert_eq!(status_of(body, view("t", &[])), StatusCode::ReadOnlyViolation, "{body}");
    }
    // Reads and logs are fine in a view.
    let reads = "(drop (call $storage_read (i32.const 0) (i32.const 1) (i32.const 0) (i32.const 0)))
                 (call $balance_of (i32.const 0) (i32.const 64))
                 (call $log (i32.const 1) (i32.const 0) (i32.const 4))";
    assert_eq!(status_of(reads, view("t", &[])), StatusCode::Success);
}

#[test]
fn guest_pointers_are_bounds_checked_at_and_past_the_end() {
    // One page: 65,536 bytes. [65,531, 65,536) is the last 5 bytes.
    let at = "(drop (call $storage_read (i32.const 65531) (i32.const 5) (i32.const 0) (i32.const 0)))";
    let past = "(drop (call $storage_read (i32.const 65532) (i32.const 5) (i32.const 0) (i32.const 0)))";
    let wrap = "(drop (call $storage_read (i32.const -1) (i32.const 2) (i32.const 0) (i32.const 0)))";
    assert_eq!(method_status(at), StatusCode::Success);
    assert_eq!(method_status(past), StatusCode::BadPointer);
    assert_eq!(method_status(wrap), StatusCode::BadPointer);
    // Every host function that touches memory checks, reads and writes alike.
    let bad = [
        "(call $input_read (i32.const 65537) (i32.const 0) (i32.const 0))", // empty range past the end
        "(call $input_read (i32.const 0) (i32.const 1) (i32.const 0))",     // past the (empty) input
        "(call $return_data (i32.const 65535) (i32.const 2))",
        "(call $revert (i32.const -4) (i32.const 8))",
        "(call $storage_write (i32.const 0) (i32.const 1) (i32.const 65535) (i32.const 2))",
        "(call $storage_remove (i32.const 65535) (i32.const 2))",
        "(call $balance_of (i32.const 65505) (i32.const 0))",
        "(call $balance_of (i32.const 0) (i32.const 65521))",
        "(call $total_supply (i32.const 65521))",
        "(call $transfer (i32.const 65505) (i32.const 0) (i64.const 1) (i64.const 0))",
        "(call $mint (i32.const -32) (i64.const 1) (i64.const 0))",
        "(call $burn (i32.const 65505) (i64.const 1) (i64.const 0))",
        "(call $emit_event (i32.const 0) (i32.const 1) (i32.const 65536) (i32.const 1))",
        "(call $log (i32.const 0) (i32.const 65536) (i32.const 1))",
        "(call $tx_hash (i32.const 65505))",
        "(call $prev_block_hash (i32.const 65505))",
        "(call $caller (i32.const -1))",
        "(call $token_id (i32.const 65505))",
        "(call $token_owner (i32.const 65505))",
        "(call $blake3 (i32.const 0) (i32.const 65537) (i32.const 0))",
        "(call $blake3 (i32.const 0) (i32.const 1) (i32.const 65505))",
    ];
    for body in bad {
        assert_eq!(method_status(body), StatusCode::BadPointer, "{body}");
    }
    // The last valid 32-byte slot works.
    assert_eq!(method_status("(call $caller (i32.const 65504))"), StatusCode::Success);
}

#[test]
fn huge_lengths_are_rejected_before_any_allocation() {
    let body = "(call $storage_write (i32.const 0) (i32.const 1) (i32.const 0) (i32.const -1))";
    assert_eq!(method_status(body), StatusCode::LimitExceeded);
    let body = "(call $return_data (i32.const 0) (i32.const 2147483647))";
    assert_eq!(method_status(body), StatusCode::LimitExceeded);
}

/// `(status at the limit, status one past it)` for a host call taking a length.
fn at_and_past(template: &str, limit: u32) -> (StatusCode, StatusCode) {
    let at = template.replace("LEN", &limit.to_string());
    let past = template.replace("LEN", &(limit + 1).to_string());
    (method_status(&at), method_status(&past))
}

#[test]
fn every_host_limit_holds_at_its_bound_and_fails_past_it() {
    let l = Limits::default();
    let ok_then_limit = (StatusCode::Success, StatusCode::LimitExceeded);
    let cases = [
        ("(call $storage_write (i32.const 0) (i32.const LEN) (i32.const 0) (i32.const 1))", l.max_key_len),
        ("(call $storage_write (i32.const 0) (i32.const 1) (i32.const 0) (i32.const LEN))", l.max_value_len),
        (
            "(drop (call $storage_read (i32.const 0) (i32.const LEN) (i32.const 0) (i32.const 0)))",
            l.max_key_len,
        ),
        ("(call $storage_remove (i32.const 0) (i32.const LEN))", l.max_key_len),
        ("(call $return_data (i32.const 0) (i32.const LEN))", l.max_return_data_len),
        (
            "(call $emit_event (i32.const 0) (i32.const LEN) (i32.const 0) (i32.const 1))",
            l.max_event_topic_len,
        ),
        (
            "(call $emit_event (i32.const 0) (i32.const 1) (i32.const 0) (i32.const LEN))",
            l.max_event_data_len,
        ),
        ("(call $log (i32.const 0) (i32.const 0) (i32.const LEN))", l.max_log_len),
    ];
    for (template, limit) in cases {
        assert_eq!(at_and_past(template, limit), ok_then_limit, "{template} at {limit}");
    }
    // The revert reason: at the limit it is a revert, past it a limit error.
    let (at, past) = at_and_past("(call $revert (i32.const 0) (i32.const LEN))", l.max_revert_reason_len);
    assert_eq!((at, past), (StatusCode::Reverted, StatusCode::LimitExceeded));
    // Counts: max_events events, then one more.
    let loop_n = |call: &str, n: u32| {
        format!("(local $i i32) (loop $l {call} (local.set $i (i32.add (local.get $i) (i32.const 1))) (br_if $l (i32.lt_u (local.get $i) (i32.const {n}))))")
    };
    let event = "(call $emit_event (i32.const 0) (i32.const 1) (i32.const 0) (i32.const 1))";
    assert_eq!(method_status(&loop_n(event, l.max_events)), StatusCode::Success);
    assert_eq!(method_status(&loop_n(event, l.max_events + 1)), StatusCode::LimitExceeded);
    let log = "(call $log (i32.const 0) (i32.const 0) (i32.const 1))";
    assert_eq!(method_status(&loop_n(log, l.max_logs)), StatusCode::Success);
    assert_eq!(method_status(&loop_n(log, l.max_logs + 1)), StatusCode::LimitExceeded);
    // Input (args) length.
    let code = entry("");
    let r = run(&vm(), &default_state(), &code, method("t", &vec![0; l.max_input_len as usize]), GAS);
    assert_eq!(r.status, StatusCode::Success);
    let r = run(&vm(), &default_state(), &code, method("t", &vec![0; l.max_input_len as usize + 1]), GAS);
    assert_eq!(r.status, StatusCode::LimitExceeded);
}

#[test]
fn log_levels_are_checked_and_logs_survive_failure() {
    assert_eq!(method_status("(call $log (i32.const 3) (i32.const 0) (i32.const 1))"), StatusCode::Success);
    assert_eq!(
        method_status("(call $log (i32.const 4) (i32.const 0) (i32.const 1))"),
        StatusCode::InvalidArgument
    );
    let code = entry("(call $log (i32.const 2) (i32.const 0) (i32.const 3)) unreachable");
    let r = run(&vm(), &default_state(), &code, method("t", &[]), GAS);
    assert_eq!(r.status, StatusCode::Trap);
    assert_eq!(r.logs.len(), 1);
    assert_eq!(r.logs[0].level, LogLevel::Warn);
}

#[test]
fn mutations_are_checked_when_made() {
    // Account 1 (5,000) is at byte 0, account 2 at 32, account 9 (empty) at 64.
    let data = r#"(data (i32.const 0) "\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01")
                  (data (i32.const 32) "\02\02\02\02\02\02\02\02\02\02\02\02\02\02\02\02\02\02\02\02\02\02\02\02\02\02\02\02\02\02\02\02")
                  (data (i32.const 64) "\09\09\09\09\09\09\09\09\09\09\09\09\09\09\09\09\09\09\09\09\09\09\09\09\09\09\09\09\09\09\09\09")"#;
    let st = |body: &str, state: &vm::InMemoryState| {
        let code = module(&format!(r#"{data} (func (export "method_t") {body})"#));
        run(&vm(), state, &code, method("t", &[]), GAS)
    };
    let permissive = default_state(); // max supply 1,000,000, supply 10,000
    let cases = [
        ("(call $transfer (i32.const 0) (i32.const 32) (i64.const 5000) (i64.const 0))", StatusCode::Success),
        (
            "(call $transfer (i32.const 0) (i32.const 32) (i64.const 5001) (i64.const 0))",
            StatusCode::InsufficientBalance,
        ),
        ("(call $transfer (i32.const 0) (i32.const 32) (i64.const 0) (i64.const 0))", StatusCode::ZeroAmount),
        ("(call $transfer (i32.const 0) (i32.const 0) (i64.const 5000) (i64.const 0))", StatusCode::Success),
        (
            "(call $transfer (i32.const 64) (i32.const 0) (i64.const 1) (i64.const 0))",
            StatusCode::InsufficientBalance,
        ),
        ("(call $mint (i32.const 64) (i64.const 990000) (i64.const 0))", StatusCode::Success),
        ("(call $mint (i32.const 64) (i64.const 990001) (i64.const 0))", StatusCode::SupplyOverflow),
        ("(call $mint (i32.const 64) (i64.const 0) (i64.const 1))", StatusCode::SupplyOverflow),
        ("(call $mint (i32.const 64) (i64.const 0) (i64.const 0))", StatusCode::ZeroAmount),
        ("(call $burn (i32.const 0) (i64.const 5000) (i64.const 0))", StatusCode::Success),
        ("(call $burn (i32.const 0) (i64.const 5001) (i64.const 0))", StatusCode::InsufficientBalance),
    ];
    for (body, want) in cases {
        let r = st(body, &permissive);
        assert_eq!(r.status, want, "{body}");
        assert_eq!(
            r.diff.is_empty(),
            want != StatusCode::Success || body.contains("(i32.const 0) (i32.const 0)"),
            "{body}"
        );
    }
    // A self-transfer is a no-op: success, empty diff.
    let strict_state = state_with(&[(addr(1), 5_000)], strict(1_000_000));
    let forbidden = [
        ("(call $mint (i32.const 64) (i64.const 1) (i64.const 0))", StatusCode::MintForbidden),
        ("(call $burn (i32.const 0) (i64.const 1) (i64.const 0))", StatusCode::BurnForbidden),
        // The policy is checked first, even for a zero amount.
        ("(call $mint (i32.const 64) (i64.const 0) (i64.const 0))", StatusCode::MintForbidden),
    ];
    for (body, want) in forbidden {
        let r = st(body, &strict_state);
        assert_eq!((r.status, r.diff.is_empty()), (want, true), "{body}");
    }
    // Balances overflow: u128::MAX supply cap, a balance at the top.
    let top = state_with(&[(addr(2), u128::MAX - 1)], permissive_max());
    let r = st("(call $mint (i32.const 32) (i64.const 2) (i64.const 0))", &top);
    assert_eq!(r.status, StatusCode::SupplyOverflow);
}

fn permissive_max() -> abi::TokenPolicy {
    permissive(u128::MAX)
}

#[test]
fn any_failure_after_writes_applies_nothing() {
    let write = "(call $storage_write (i32.const 0) (i32.const 1) (i32.const 0) (i32.const 1))
                 (call $emit_event (i32.const 0) (i32.const 1) (i32.const 0) (i32.const 1))
                 (call $return_data (i32.const 0) (i32.const 4))";
    for (tail, want) in [
        ("unreachable", StatusCode::Trap),
        ("(drop (i32.div_u (i32.const 1) (i32.const 0)))", StatusCode::Trap),
        ("(drop (i32.load (i32.const 65536)))", StatusCode::Trap),
        ("(call $revert (i32.const 0) (i32.const 2))", StatusCode::Reverted),
        ("(loop $l (br $l))", StatusCode::OutOfGas),
        (
            "(call $transfer (i32.const 0) (i32.const 0) (i64.const 1) (i64.const 0))",
            StatusCode::InsufficientBalance,
        ),
    ] {
        let code = entry(&format!("{write} {tail}"));
        let r = run(&vm(), &default_state(), &code, method("t", &[]), 200_000);
        assert_eq!(r.status, want, "{tail}");
        assert!(r.diff.is_empty() && r.events.is_empty() && r.return_data.is_empty(), "{tail}: {r:?}");
        if want == StatusCode::OutOfGas {
            assert_eq!(r.gas_used, 200_000);
        }
    }
}

#[test]
fn context_comes_from_the_block_never_the_machine() {
    let code = entry(
        "(i64.store (i32.const 0) (call $block_height))
         (i64.store (i32.const 8) (call $block_timestamp))
         (call $tx_hash (i32.const 16))
         (call $prev_block_hash (i32.const 48))
         (call $caller (i32.const 80))
         (call $token_id (i32.const 112))
         (call $token_owner (i32.const 144))
         (call $return_data (i32.const 0) (i32.const 176))",
    );
    let r = run(&vm(), &default_state(), &code, view("t", &[]), GAS);
    assert_eq!(r.status, StatusCode::Success);
    let ctx = context(addr(1));
    let mut want = ctx.height.to_le_bytes().to_vec();
    want.extend(ctx.timestamp_ms.to_le_bytes());
    want.extend(ctx.tx_hash.0);
    want.extend(ctx.prev_block_hash.0);
    want.extend(ctx.caller.0);
    want.extend(TOKEN.0);
    want.extend(owner().0);
    assert_eq!(r.return_data, want);
}

#[test]
fn storage_is_per_token() {
    let other = abi::TokenId([0x71; 32]);
    let mut state = default_state();
    let mut other_state = state.tokens[&TOKEN].clone();
    state.tokens.get_mut(&TOKEN).unwrap().storage.insert(b"k".to_vec(), b"mine".to_vec());
    other_state.storage.insert(b"k".to_vec(), b"theirs".to_vec());
    state.tokens.insert(other, other_state);
    let code = entry(
        r#"(i32.store8 (i32.const 0) (i32.const 107))
           (drop (call $storage_read (i32.const 0) (i32.const 1) (i32.const 8) (i32.const 16)))
           (call $return_data (i32.const 8) (i32.const 6))"#,
    );
    let r = run(&vm(), &state, &code, view("t", &[]), GAS);
    assert_eq!(&r.return_data[..4], b"mine");
}

#[test]
fn storage_read_reports_absence_and_full_length() {
    let code = entry(
        r#"(i32.store8 (i32.const 0) (i32.const 107))
           (i64.store (i32.const 100) (i64.extend_i32_s (call $storage_read (i32.const 0) (i32.const 1) (i32.const 8) (i32.const 2))))
           (call $storage_write (i32.const 0) (i32.const 1) (i32.const 200) (i32.const 5))
           (i64.store (i32.const 108) (i64.extend_i32_s (call $storage_read (i32.const 0) (i32.const 1) (i32.const 8) (i32.const 2))))
           (call $return_data (i32.const 100) (i32.const 16))"#,
    );
    let r = run(&vm(), &default_state(), &code, method("t", &[]), GAS);
    assert_eq!(r.status, StatusCode::Success);
    assert_eq!(&r.return_data[..8], &(-1i64).to_le_bytes());
    assert_eq!(&r.return_data[8..], &5i64.to_le_bytes());
}

/// A state whose storage cannot be read.
struct BrokenStorage(vm::InMemoryState);

impl vm::StateView for BrokenStorage {
    fn token(&self, t: &abi::TokenId) -> Result<Option<abi::TokenInfo>, vm::StateError> {
        self.0.token(t)
    }
    fn balance(&self, t: &abi::TokenId, a: &abi::Address) -> Result<u128, vm::StateError> {
        self.0.balance(t, a)
    }
    fn supply(&self, t: &abi::TokenId) -> Result<u128, vm::StateError> {
        self.0.supply(t)
    }
    fn storage(&self, _: &abi::TokenId, _: &[u8]) -> Result<Option<Vec<u8>>, vm::StateError> {
        Err(vm::StateError::Failed("disk on fire".into()))
    }
}

#[test]
fn a_failing_state_view_is_an_error_not_a_receipt() {
    let code = token_wasm();
    let invocation = abi::Invocation { token: TOKEN, call: view("count", &[]) };
    let ctx = context(addr(1));
    let tx = vm::Transaction { code: &code, invocation: &invocation, context: &ctx, gas_limit: GAS };
    let err = vm().execute(&BrokenStorage(default_state()), &tx).unwrap_err();
    assert!(matches!(&err, vm::VmError::State(m) if m.contains("disk on fire")), "{err}");
}
