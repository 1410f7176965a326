//! Sessions (`spec/abi.md#instance-reuse`): a kept instance, reset after each execution, is
//! indistinguishable from a fresh one; which instances are kept; blocks run in sessions.

use abi::{Invocation, StatusCode};
use proptest::prelude::*;
use tsvm_tests::oracles::session::{check_in_session, check_sequence};
use tsvm_tests::*;
use vm::{Transaction, Vm, KEEP_MAX_MODULES, KEEP_MAX_PAGES};

/// A module that writes its memory and a mutable global and can end every way: `method_poke`
/// reads `addr: u16, value: u8, mode: u8` and stores `value` at `addr`, adds it to `$g`, then
/// returns (mode 0), traps (1), runs out of gas (2) or reverts (3); `method_peek` reads
/// `addr: u16` and returns `$g` (8 bytes) and the byte at `addr`. A data segment sits at 100.
fn scribbler(pages: u32) -> Vec<u8> {
    scribbler_with(&pages.to_string())
}

/// [`scribbler`] with the memory declared as `memory` (`"1000 (pagesize 1)"`: 1,000 bytes).
fn scribbler_with(memory: &str) -> Vec<u8> {
    wasm(&format!(
        r#"(module {IMPORTS}
          (memory (export "memory") {memory})
          (global $g (mut i64) (i64.const 7))
          (data (i32.const 100) "abcdefgh")
          (func (export "method_poke") (local $addr i32) (local $v i32) (local $mode i32)
            (call $input_read (i32.const 200) (i32.const 0) (i32.const 4))
            (local.set $addr (i32.load16_u (i32.const 200)))
            (local.set $v (i32.load8_u (i32.const 202)))
            (local.set $mode (i32.load8_u (i32.const 203)))
            (i32.store8 (local.get $addr) (local.get $v))
            (global.set $g (i64.add (global.get $g) (i64.extend_i32_u (local.get $v))))
            (if (i32.eq (local.get $mode) (i32.const 1)) (then unreachable))
            (if (i32.eq (local.get $mode) (i32.const 2)) (then (loop $l (br $l))))
            (if (i32.eq (local.get $mode) (i32.const 3)) (then (call $revert (i32.const 100) (i32.const 4)))))
          (func (export "method_peek") (local $addr i32)
            (call $input_read (i32.const 200) (i32.const 0) (i32.const 2))
            (local.set $addr (i32.load16_u (i32.const 200)))
            (i64.store (i32.const 0) (global.get $g))
            (i32.store8 (i32.const 8) (i32.load8_u (local.get $addr)))
            (call $return_data (i32.const 0) (i32.const 9))))"#
    ))
}

/// Gas for each call: enough for the load charge and any poke; a mode-2 poke uses all of it.
const SESSION_GAS: u64 = 2_000_000;

#[derive(Clone, Debug)]
enum Op {
    Poke {
        addr: u16,
        value: u8,
        mode: u8,
    },
    Peek {
        addr: u16,
    },
    /// A poke with too little gas for the load charge: it halts before any guest code runs.
    Unpaid {
        addr: u16,
        value: u8,
    },
    /// A poke of a token that does not exist: it halts at the first step.
    Stranger {
        addr: u16,
        value: u8,
    },
}

impl Op {
    fn call(&self) -> abi::Call {
        match self {
            Op::Poke { addr, value, mode } => poke(*addr, *value, *mode),
            Op::Unpaid { addr, value } | Op::Stranger { addr, value } => poke(*addr, *value, 0),
            Op::Peek { addr } => method("peek", &addr.to_le_bytes()),
        }
    }

    fn gas_limit(&self) -> u64 {
        if matches!(self, Op::Unpaid { .. }) {
            1
        } else {
            SESSION_GAS
        }
    }

    fn token(&self) -> abi::TokenId {
        if matches!(self, Op::Stranger { .. }) {
            abi::TokenId([0x71; 32])
        } else {
            TOKEN
        }
    }
}

fn poke(addr: u16, value: u8, mode: u8) -> abi::Call {
    let [a, b] = addr.to_le_bytes();
    method("poke", &[a, b, value, mode])
}

fn address() -> impl Strategy<Value = u16> {
    prop_oneof![0u16..16, 96u16..112, 196u16..212, 990u16..1010, 65_520u16..=65_535, any::<u16>()]
}

fn ops() -> impl Strategy<Value = Vec<Op>> {
    let op = prop_oneof![
        (address(), 1u8..=255, 0u8..4).prop_map(|(addr, value, mode)| Op::Poke { addr, value, mode }),
        address().prop_map(|addr| Op::Peek { addr }),
        (address(), 1u8..=255).prop_map(|(addr, value)| Op::Unpaid { addr, value }),
        (address(), 1u8..=255).prop_map(|(addr, value)| Op::Stranger { addr, value }),
    ];
    prop::collection::vec(op, 1..10)
}

/// Runs `ops` on `code` (whose memory is `memory_bytes` long) in one session, twice over, each
/// execution compared with a fresh one.
fn check_ops(code: &[u8], memory_bytes: u64, ops: &[Op]) {
    let vm = vm();
    let state = default_state();
    let ctx = context(addr(1));
    let invocations: Vec<Invocation> =
        ops.iter().map(|op| Invocation { token: op.token(), call: op.call() }).collect();
    let txs: Vec<Transaction<'_>> = ops
        .iter()
        .zip(&invocations)
        .map(|(op, invocation)| Transaction { code, invocation, context: &ctx, gas_limit: op.gas_limit() })
        .collect();
    let fresh = check_sequence(&vm, &state, &txs, 2);
    // Every peek in bounds succeeds, so the comparison covered what it returns; the calls meant to
    // halt before guest code do.
    for (op, execution) in ops.iter().zip(&fresh) {
        let status = match op {
            Op::Peek { addr } if u64::from(*addr) < memory_bytes => StatusCode::Success,
            Op::Peek { .. } => StatusCode::Trap,
            Op::Unpaid { .. } => StatusCode::OutOfGas,
            Op::Stranger { .. } => StatusCode::UnknownToken,
            Op::Poke { .. } => continue,
        };
        assert_eq!(execution.receipt.status, status, "{op:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Random writes of memory and a global, ending in success, trap, out of gas or revert,
    /// interleaved with reads and with calls that halt before any guest code runs: a kept instance
    /// never shows what an earlier execution wrote.
    #[test]
    fn a_reset_instance_is_indistinguishable_from_a_fresh_one(ops in ops()) {
        check_ops(&scribbler(1), vm::WASM_PAGE_BYTES, &ops);
    }

    /// The same on a memory of 1,000 1-byte pages (`spec/determinism.md#memory`): the reset's
    /// last chunk is short, and an address past the end traps.
    #[test]
    fn a_reset_memory_of_one_byte_pages_is_indistinguishable_from_a_fresh_one(ops in ops()) {
        check_ops(&scribbler_with("1000 (pagesize 1)"), 1000, &ops);
    }
}

/// The reset is what the property above relies on: a poke then a peek of the same byte through
/// one session reads the data segment's original byte and the global's initial value.
#[test]
fn a_peek_after_a_poke_sees_the_initial_memory_and_global() {
    let vm = vm();
    let state = default_state();
    let code = scribbler(1);
    let ctx = context(addr(1));
    let mut session = vm.session(&state);
    let run = |session: &mut vm::Session<'_>, op: Op| {
        let invocation = Invocation { token: TOKEN, call: op.call() };
        let tx = Transaction { code: &code, invocation: &invocation, context: &ctx, gas_limit: SESSION_GAS };
        session.execute(&tx).expect("no host failure")
    };
    for mode in 0..4 {
        let poked = run(&mut session, Op::Poke { addr: 101, value: 0xee, mode });
        let want = [StatusCode::Success, StatusCode::Trap, StatusCode::OutOfGas, StatusCode::Reverted];
        assert_eq!(poked.status, want[mode as usize]);
        let peeked = run(&mut session, Op::Peek { addr: 101 });
        let mut expected = 7i64.to_le_bytes().to_vec();
        expected.push(b'b');
        assert_eq!(peeked.return_data, expected, "after mode {mode}");
    }
    assert_eq!(session.kept_instances(), 1);
}

/// Memories of up to `KEEP_MAX_PAGES` pages are kept; one page more runs fresh every time, with
/// the same results.
#[test]
fn instances_are_kept_up_to_the_page_limit() {
    let state = default_state();
    let vm = vm();
    let bytes = |b: u64| format!("{b} (pagesize 1)");
    let max_bytes = u64::from(KEEP_MAX_PAGES) * vm::WASM_PAGE_BYTES;
    for (memory, kept) in [
        (KEEP_MAX_PAGES.to_string(), 1),
        ((KEEP_MAX_PAGES + 1).to_string(), 0),
        // A memory of 1-byte pages counts whole 64 KiB pages, rounded up.
        (bytes(max_bytes), 1),
        (bytes(max_bytes + 1), 0),
    ] {
        let code = scribbler_with(&memory);
        let ops = [Op::Poke { addr: 5, value: 9, mode: 0 }, Op::Peek { addr: 5 }];
        check_ops(&code, vm::WASM_PAGE_BYTES, &ops);
        let invocation = Invocation { token: TOKEN, call: ops[0].call() };
        let ctx = context(addr(1));
        let tx = Transaction { code: &code, invocation: &invocation, context: &ctx, gas_limit: SESSION_GAS };
        let mut session = vm.session(&state);
        session.execute(&tx).expect("runs");
        assert_eq!(session.kept_instances(), kept, "memory {memory}");
    }
}

/// A session keeps at most `KEEP_MAX_MODULES` modules; the next one runs on a fresh instance, with
/// the same result.
#[test]
fn a_session_keeps_at_most_the_module_limit() {
    let state = default_state();
    let vm = Vm::with_cache_bounds(vm::Rules::default(), 2 * KEEP_MAX_MODULES, usize::MAX);
    let modules: Vec<Vec<u8>> = (0..=KEEP_MAX_MODULES)
        .map(|i| module(&format!(r#"(func (export "method_m") (drop (i32.const {i})))"#)))
        .collect();
    let invocation = Invocation { token: TOKEN, call: method("m", &[]) };
    let ctx = context(addr(1));
    let mut session = vm.session(&state);
    for (i, code) in modules.iter().enumerate() {
        let tx = Transaction { code, invocation: &invocation, context: &ctx, gas_limit: SESSION_GAS };
        let kept = session.execute(&tx).expect("runs");
        assert_eq!(kept, vm.execute(&state, &tx).expect("runs"));
        assert_eq!(session.kept_instances(), (i + 1).min(KEEP_MAX_MODULES));
    }
}

/// The example token's transfer, the shape a block repeats, on a kept instance.
#[test]
fn the_example_transfer_on_a_kept_instance() {
    let vm = vm();
    let state = state_with(&[(addr(1), 1_000)], permissive(u128::MAX));
    let code = token_wasm();
    let invocation = Invocation { token: TOKEN, call: operation(transfer(addr(1), addr(2), 10)) };
    let ctx = context(addr(1));
    let tx = Transaction { code: &code, invocation: &invocation, context: &ctx, gas_limit: GAS };
    assert_eq!(check_in_session(&vm, &state, &tx).receipt.status, StatusCode::Success);
}

/// Bundles of different calls and modules replayed one after another in one session over a
/// witness slot (`vm::replay_in`) give what `vm::replay` gives for each, a bundle that reads
/// outside its witness included.
#[test]
fn bundles_replay_in_one_session_as_alone() {
    let vm = vm();
    let state = state_with(&[(addr(1), 1_000)], permissive(u128::MAX));
    let ctx = context(addr(1));
    let record = |code: &[u8], call: abi::Call| {
        let invocation = Invocation { token: TOKEN, call };
        let tx = Transaction { code, invocation: &invocation, context: &ctx, gas_limit: SESSION_GAS };
        let execution = vm.execute_with(&state, &tx, &vm::ExecOptions::default()).expect("runs");
        vm::record_bundle(&vm, &tx, &execution)
    };
    let (scribbler, token) = (scribbler(1), token_wasm());
    let mut bundles = vec![
        record(&scribbler, Op::Poke { addr: 101, value: 3, mode: 0 }.call()),
        record(&token, operation(transfer(addr(1), addr(2), 10))),
        record(&scribbler, Op::Poke { addr: 7, value: 9, mode: 1 }.call()),
        record(&scribbler, Op::Peek { addr: 101 }.call()),
        record(&token, operation(transfer(addr(1), addr(3), 1))),
    ];
    let mut outside = bundles[1].clone();
    outside.witness.entries.pop();
    bundles.push(outside);
    let opts = vm::ExecOptions::default();
    let slot = vm::WitnessSlot::default();
    let mut session = vm.session(&slot);
    for round in 0..2 {
        for (i, bundle) in bundles.iter().enumerate() {
            let alone = vm::replay(&vm, bundle, &opts).map(|r| (r.execution, r.mismatches));
            let kept = vm::replay_in(&mut session, &slot, bundle, &opts).map(|r| (r.execution, r.mismatches));
            match (&alone, &kept) {
                (Ok(a), Ok(k)) => assert_eq!(a, k, "round {round}, bundle {i}"),
                (Err(a), Err(k)) => assert_eq!(a.to_string(), k.to_string(), "round {round}, bundle {i}"),
                _ => panic!("round {round}, bundle {i}: {alone:?} against {kept:?}"),
            }
            assert_eq!(
                alone.is_ok(),
                i + 1 < bundles.len(),
                "only the last bundle reads outside its witness"
            );
            // Its head, replayed in the session too (as `tsvm replay` reads an archive): the same
            // execution or error, and the witness lent for the run is back, error or not.
            let bytes = borsh::to_vec(bundle).expect("bundles serialize");
            let (mut head, _) = abi::BundleHead::split(&bytes).expect("a head");
            let by_head = vm::replay_head_in(&mut session, &slot, &mut head, &opts);
            match (&alone, &by_head) {
                (Ok(a), Ok(h)) => assert_eq!(&a.0, h, "round {round}, bundle {i}"),
                (Err(a), Err(h)) => assert_eq!(a.to_string(), h.to_string(), "round {round}, bundle {i}"),
                _ => panic!("round {round}, bundle {i}: {alone:?} against {by_head:?}"),
            }
            assert_eq!(head.witness, bundle.witness, "round {round}, bundle {i}");
        }
    }
    assert_eq!(session.kept_instances(), 2);
}
