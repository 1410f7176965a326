//! The trace, its hashes, bundles and comparison (`spec/trace.md`, `spec/bundle.md`).

use abi::{Call, Context, Invocation, StatusCode, TraceEvent};
use tsvm_tests::*;
use vm::{ExecOptions, Execution, InMemoryState, TraceLevel, Transaction};

fn exec(
    code: &[u8],
    state: &InMemoryState,
    call: Call,
    ctx: &Context,
    gas: u64,
    opts: ExecOptions,
) -> Execution {
    let invocation = Invocation { token: TOKEN, call };
    let tx = Transaction { code, invocation: &invocation, context: ctx, gas_limit: gas };
    vm().execute_with(state, &tx, &opts).unwrap()
}

fn full() -> ExecOptions {
    ExecOptions { trace: TraceLevel::Full, ..Default::default() }
}

/// The trace encoding by hand, as spec/trace.md describes it, without the abi types' encoders.
struct Enc(Vec<u8>);

impl Enc {
    fn u8(&mut self, v: u8) -> &mut Self {
        self.0.push(v);
        self
    }
    fn u32(&mut self, v: u32) -> &mut Self {
        self.0.extend(v.to_le_bytes());
        self
    }
    fn u64(&mut self, v: u64) -> &mut Self {
        self.0.extend(v.to_le_bytes());
        self
    }
    fn raw(&mut self, v: &[u8]) -> &mut Self {
        self.0.extend(v);
        self
    }
    fn string(&mut self, s: &str) -> &mut Self {
        self.u32(s.len() as u32).raw(s.as_bytes())
    }
    /// LEB128: 7 bits a byte, least significant first, the high bit on all but the last.
    fn leb(&mut self, mut v: u64) -> &mut Self {
        loop {
            let low = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                return self.u8(low);
            }
            self.u8(low | 0x80);
        }
    }
    /// Values: the count, then each value zigzag-encoded, all in LEB128.
    fn values(&mut self, v: &[i64]) -> &mut Self {
        self.leb(v.len() as u64);
        for &x in v {
            self.leb(if x < 0 { (!(x as u64)) * 2 + 1 } else { x as u64 * 2 });
        }
        self
    }
}

#[test]
fn a_trace_hash_recomputed_from_the_spec_alone() {
    // A view that reads the block height and drops it. Its trace, per spec/trace.md#events:
    // Start, Token, Entry, HostCall(block_height), End.
    let code = wasm(
        r#"(module (import "tsvm" "block_height" (func $h (result i64)))
             (memory (export "memory") 1)
             (func (export "view_t") (drop (call $h))))"#,
    );
    let ctx = context(addr(1));
    let limit = 1_000_000;
    let r = exec(&code, &default_state(), view("t", &[]), &ctx, limit, ExecOptions::default()).receipt;
    assert_eq!(r.status, StatusCode::Success);

    // Gas, from spec/gas.md alone: loading, compiling and instantiation, then view_t's one metered
    // block (call + drop + end), then the host call's base cost.
    let g = vm::Rules::default().gas;
    let info = vm::validate(&code, &vm::Limits::default()).unwrap();
    let before_entry =
        limit - g.load_cost(code.len() as u32) - g.compile_cost(&info) - g.instantiate_cost(1, 0);
    let block = g.call + g.drop + g.end;
    let at_call = before_entry - block;
    let base = abi::HostFnId::BlockHeight.spec().base;
    let gas_used = limit - (at_call - base);
    assert_eq!(r.gas_used, gas_used);

    let mut e = Enc(Vec::new());
    // Start (tag 0): rules hash, code hash, token, call = view "t", input hash, context, gas limit.
    e.u8(0).raw(&vm().rules_hash().0).raw(blake3::hash(&code).as_bytes()).raw(&TOKEN.0);
    e.u8(2).string("t").raw(blake3::hash(&[]).as_bytes());
    e.u64(ctx.height)
        .u64(ctx.timestamp_ms)
        .raw(&ctx.tx_hash.0)
        .raw(&ctx.prev_block_hash.0)
        .raw(&ctx.caller.0);
    e.leb(limit);
    // Token (tag 9): Some, owner, script_can_mint, script_can_burn, max_supply (u128 LE).
    e.u8(9).u8(1).raw(&owner().0).u8(1).u8(1).raw(&1_000_000u128.to_le_bytes());
    // Entry (tag 1): export, gas left.
    e.u8(1).string("view_t").leb(before_entry);
    // HostCall (tag 2): block_height is host function 14; no args; result the height.
    e.u8(2).u8(abi::HostFnId::BlockHeight as u8).leb(at_call).values(&[]).values(&[ctx.height as i64]);
    // End (tag 8): status 0, fault none (0), gas used, blake3 of the (empty) return data.
    e.u8(8).u8(0).u8(0).leb(gas_used).raw(blake3::hash(&[]).as_bytes());
    let hash = blake3::Hasher::new_derive_key("tsvm 2026-12 trace v3").update(&e.0).finalize();
    assert_eq!(r.trace_hash.0, *hash.as_bytes());

    // The receipt hash: derive_key over the borsh of every field but the diff and the receipt hash.
    let mut body = Vec::new();
    body.extend(borsh::to_vec(&(r.status, r.fault, r.gas_used, &r.return_data, &r.revert_reason)).unwrap());
    body.extend(borsh::to_vec(&(&r.events, &r.logs, r.diff_hash, r.trace_hash, r.rules_hash)).unwrap());
    assert_eq!(r.receipt_hash.0, blake3::derive_key("tsvm 2026-12 receipt v3", &body));
    let diff = borsh::to_vec(&r.diff).unwrap();
    assert_eq!(r.diff_hash.0, blake3::derive_key("tsvm 2026-11 state diff v1", &diff));
}

#[test]
fn the_hash_is_the_same_at_every_level_and_full_keeps_the_events() {
    let (code, state, ctx) = (token_wasm(), default_state(), context(addr(1)));
    let call = || operation(transfer(addr(1), addr(2), 10));
    let hash_only = exec(&code, &state, call(), &ctx, GAS, ExecOptions::default());
    let full = exec(&code, &state, call(), &ctx, GAS, full());
    // The untraced path (for measurement only) records nothing.
    let invocation = Invocation { token: TOKEN, call: call() };
    let tx = Transaction { code: &code, invocation: &invocation, context: &ctx, gas_limit: GAS };
    let off = vm().execute_untraced_for_measurement(&state, &tx).unwrap();
    assert_eq!(hash_only.receipt, full.receipt);
    assert!(hash_only.trace.is_empty());
    assert_ne!(hash_only.receipt.trace_hash, abi::Hash32::ZERO);
    assert_eq!(off.receipt.trace_hash, abi::Hash32::ZERO, "off records nothing");
    assert_eq!(off.receipt.diff, full.receipt.diff);
    // The full trace hashes to the receipt's trace hash.
    let mut h = blake3::Hasher::new_derive_key("tsvm 2026-12 trace v3");
    for e in &full.trace {
        h.update(&borsh::to_vec(e).unwrap());
    }
    assert_eq!(*h.finalize().as_bytes(), full.receipt.trace_hash.0);
    // Shape: Start, Entry(before_transfer) ... Mutation(native) ... Entry(after_transfer) ... End.
    assert!(matches!(full.trace.first(), Some(TraceEvent::Start { .. })));
    assert!(matches!(full.trace.last(), Some(TraceEvent::End { status: StatusCode::Success, .. })));
    let entries: Vec<_> = full
        .trace
        .iter()
        .filter_map(|e| match e {
            TraceEvent::Entry { export, .. } => Some(export.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(entries, ["before_transfer", "after_transfer"]);
    assert!(full
        .trace
        .iter()
        .any(|e| matches!(e, TraceEvent::Mutation { origin: abi::MutationOrigin::Native, .. })));
    assert!(full.trace.iter().any(|e| matches!(e, TraceEvent::Event { .. })));
}

#[test]
fn a_halting_host_call_is_recorded_then_the_end() {
    let code = token_wasm();
    let e = exec(
        &code,
        &default_state(),
        operation(transfer(addr(1), addr(2), 5_000)),
        &context(addr(1)),
        GAS,
        full(),
    );
    let n = e.trace.len();
    assert!(
        matches!(&e.trace[n - 2], TraceEvent::HostCall { func, results, .. } if *func == abi::HostFnId::Revert as u8 && results.is_empty())
    );
    assert!(matches!(&e.trace[n - 1], TraceEvent::End { status: StatusCode::Reverted, .. }));
}

#[test]
fn bundles_replay_from_their_witness_alone() {
    let (code, state, ctx) = (token_wasm(), default_state(), context(addr(1)));
    let vm = vm();
    let invocation = Invocation { token: TOKEN, call: operation(transfer(addr(1), addr(2), 10)) };
    let tx = Transaction { code: &code, invocation: &invocation, context: &ctx, gas_limit: GAS };
    let original = vm.execute_with(&state, &tx, &full()).unwrap();
    let bundle = vm::record_bundle(&vm, &tx, &original);
    // The witness holds exactly what was read: two balances, the counter, the limit, and the token.
    assert!(bundle.witness.token.is_some());
    assert_eq!(bundle.witness.entries.len(), 4, "{:?}", bundle.witness.entries);
    let full = ExecOptions { trace: TraceLevel::Full, ..ExecOptions::default() };
    let replayed = vm::replay(&vm, &bundle, &full).unwrap();
    assert!(replayed.matched(), "{:?}", replayed.mismatches);
    assert_eq!(replayed.execution.trace, original.trace);
    // Hash-only (the default) matches too, keeping no events.
    let hashed = vm::replay(&vm, &bundle, &ExecOptions::default()).unwrap();
    assert!(hashed.matched() && hashed.execution.trace.is_empty());
    // Both forms round-trip.
    let json = serde_json::to_string(&bundle).unwrap();
    assert_eq!(serde_json::from_str::<abi::Bundle>(&json).unwrap(), bundle);
    let bytes = borsh::to_vec(&bundle).unwrap();
    assert_eq!(borsh::from_slice::<abi::Bundle>(&bytes).unwrap(), bundle);
}

#[test]
fn a_read_outside_the_witness_is_its_own_error() {
    let (code, state, ctx) = (token_wasm(), default_state(), context(addr(1)));
    let vm = vm();
    let invocation = Invocation { token: TOKEN, call: operation(transfer(addr(1), addr(2), 10)) };
    let tx = Transaction { code: &code, invocation: &invocation, context: &ctx, gas_limit: GAS };
    let mut bundle = vm::record_bundle(&vm, &tx, &vm.execute_with(&state, &tx, &full()).unwrap());
    bundle
        .witness
        .entries
        .retain(|e| !matches!(&e.key, abi::StateKey::Storage { key, .. } if key == b"limit"));
    let err = vm::replay(&vm, &bundle, &ExecOptions::default()).unwrap_err();
    assert!(
        matches!(&err, vm::VmError::OutsideWitness(k) if k.starts_with("storage[0x6c696d6974]")),
        "{err}"
    );
    assert!(err.to_string().contains("read outside the witness"));
}

#[test]
fn a_bundle_from_other_rules_is_refused_with_both_hashes() {
    let (code, state, ctx) = (token_wasm(), default_state(), context(addr(1)));
    let vm = vm();
    let invocation = Invocation { token: TOKEN, call: view("count", &[]) };
    let tx = Transaction { code: &code, invocation: &invocation, context: &ctx, gas_limit: GAS };
    let bundle = vm::record_bundle(&vm, &tx, &vm.execute_with(&state, &tx, &full()).unwrap());
    let mut rules = vm::Rules::default();
    rules.limits.max_logs += 1;
    let other = vm::Vm::new(rules);
    let err = vm::replay(&other, &bundle, &ExecOptions::default()).unwrap_err().to_string();
    assert!(
        err.contains(&vm.rules_hash().to_string()) && err.contains(&other.rules_hash().to_string()),
        "{err}"
    );
    let mut old = bundle.clone();
    old.format_version = 99;
    assert!(vm::replay(&vm, &old, &ExecOptions::default()).unwrap_err().to_string().contains("99"));
    // A tampered expected receipt is a divergence, with the differing fields named.
    let mut tampered = bundle;
    tampered.expected.gas_used += 1;
    let r = vm::replay(&vm, &tampered, &ExecOptions::default()).unwrap();
    assert_eq!(r.mismatches, ["gas_used"]);
}

/// Which of (trace, diff, receipt) hashes differ between two receipts.
fn changed(a: &abi::Receipt, b: &abi::Receipt) -> (bool, bool, bool) {
    (a.trace_hash != b.trace_hash, a.diff_hash != b.diff_hash, a.receipt_hash != b.receipt_hash)
}

#[test]
fn one_byte_changes_change_the_right_hashes() {
    let (code, state, ctx) = (token_wasm(), default_state(), context(addr(1)));
    let run = |code: &[u8], state: &InMemoryState, call: Call, ctx: &Context, gas: u64| {
        exec(code, state, call, ctx, gas, ExecOptions::default()).receipt
    };
    let call = || operation(transfer(addr(1), addr(2), 10));
    let base = run(&code, &state, call(), &ctx, GAS);

    // Module: one byte of a data segment ("count" -> "counu"): different code, key and diff.
    let mut module = code.clone();
    let at = module.windows(5).rposition(|w| w == b"count").unwrap(); // the data segment, last
    module[at + 4] = b'u';
    assert_eq!(changed(&base, &run(&module, &state, call(), &ctx, GAS)), (true, true, true));
    // Input: amount 10 -> 11.
    let other = run(&code, &state, operation(transfer(addr(1), addr(2), 11)), &ctx, GAS);
    assert_eq!(changed(&base, &other), (true, true, true));
    // Context: one byte of the tx hash; the script does not read it, so only the trace changes.
    let mut ctx2 = ctx.clone();
    ctx2.tx_hash.0[31] ^= 1;
    assert_eq!(changed(&base, &run(&code, &state, call(), &ctx2, GAS)), (true, false, true));
    // Pre-state: one byte of a balance the transfer reads.
    let mut state2 = state.clone();
    *state2.tokens.get_mut(&TOKEN).unwrap().balances.get_mut(&addr(2)).unwrap() += 1;
    assert_eq!(changed(&base, &run(&code, &state2, call(), &ctx, GAS)), (true, true, true));
    // Pre-state the execution never reads: nothing changes.
    let mut state3 = state.clone();
    state3.tokens.get_mut(&TOKEN).unwrap().balances.insert(addr(9), 1);
    assert_eq!(run(&code, &state3, call(), &ctx, GAS), base);
    // Gas limit: recorded at the start, so the trace and receipt change, not the diff.
    assert_eq!(changed(&base, &run(&code, &state, call(), &ctx, GAS + 1)), (true, false, true));
}

/// Gas for [`long_reader`].
const LONG_GAS: u64 = 20_000_000;

/// A script that reads storage key "k" after a long computation (over a checkpoint window at the
/// minimum interval), then works on as long.
fn long_reader() -> Vec<u8> {
    module(
        r#"(func (export "method_t")
             (local $i i32)
             (loop $l (local.set $i (i32.add (local.get $i) (i32.const 1)))
                      (br_if $l (i32.lt_u (local.get $i) (i32.const 700000))))
             (i32.store8 (i32.const 0) (i32.const 107))
             (drop (call $storage_read (i32.const 0) (i32.const 1) (i32.const 16) (i32.const 8)))
             (call $storage_write (i32.const 1) (i32.const 1) (i32.const 16) (i32.const 8))
             (local.set $i (i32.const 0))
             (loop $l (local.set $i (i32.add (local.get $i) (i32.const 1)))
                      (br_if $l (i32.lt_u (local.get $i) (i32.const 700000)))))"#,
    )
}

#[test]
fn a_perturbed_execution_is_located_at_the_exact_event_and_window() {
    let code = long_reader();
    let ctx = context(addr(1));
    let mut honest = default_state();
    honest.tokens.get_mut(&TOKEN).unwrap().storage.insert(b"k".to_vec(), vec![1; 8]);
    let mut perturbed = honest.clone();
    perturbed.tokens.get_mut(&TOKEN).unwrap().storage.insert(b"k".to_vec(), vec![2; 8]);
    let opts = ExecOptions { trace: TraceLevel::Full, checkpoint_interval: vm::MIN_CHECKPOINT_INTERVAL };
    let a = exec(&code, &honest, method("t", &[]), &ctx, LONG_GAS, opts);
    let b = exec(&code, &perturbed, method("t", &[]), &ctx, LONG_GAS, opts);
    assert_ne!(a.receipt.trace_hash, b.receipt.trace_hash);
    // The first divergent event is the read of "k": exactly where the state differed.
    let d = vm::first_divergent_event(&a.trace, &b.trace).unwrap();
    let read_k = a
        .trace
        .iter()
        .position(|e| matches!(e, TraceEvent::Read { key: abi::TraceKey::Storage { .. }, .. }))
        .unwrap();
    assert_eq!(d.index, read_k);
    assert!(
        matches!(d.left, Some(TraceEvent::Read { .. })) && matches!(d.right, Some(TraceEvent::Read { .. }))
    );
    // The first divergent checkpoint window contains that read, and no earlier window differs.
    let w = vm::first_divergent_window(&a.checkpoints, &b.checkpoints).unwrap();
    let read_at = match &a.trace[read_k + 1] {
        TraceEvent::HostCall { gas_left, .. } => LONG_GAS - gas_left,
        other => panic!("expected the storage_read HostCall after its Read, got {other:?}"),
    };
    let end = w.left.as_ref().unwrap().gas_used;
    assert!(w.window_start() <= read_at && read_at < end, "{} <= {read_at} < {end}", w.window_start());
    assert_eq!(a.checkpoints[..w.position], b.checkpoints[..w.position]);
    assert!(w.position > 0, "the loop before the read spans several windows");
    let detail = vm::events_in_window(&a.trace, LONG_GAS, w.window_start(), end);
    assert!(detail.iter().any(|e| e == &a.trace[read_k]), "the window's events include the divergent read");
}

#[test]
fn identical_executions_never_diverge() {
    let (code, state, ctx) = (long_reader(), default_state(), context(addr(1)));
    let opts = ExecOptions { trace: TraceLevel::Full, checkpoint_interval: vm::MIN_CHECKPOINT_INTERVAL };
    let a = exec(&code, &state, method("t", &[]), &ctx, LONG_GAS, opts);
    let b = exec(&code, &state, method("t", &[]), &ctx, LONG_GAS, opts);
    assert_eq!(vm::first_divergent_event(&a.trace, &b.trace), None);
    assert_eq!(vm::first_divergent_window(&a.checkpoints, &b.checkpoints), None);
    assert!(a.checkpoints.len() >= 2);
    // A trace that stops early diverges where it stops.
    let d = vm::first_divergent_event(&a.trace[..3], &b.trace).unwrap();
    assert_eq!((d.index, d.left), (3, None));
}
