//! Fuzz oracles: each `check_*` takes raw fuzz input, derives what it tests from it, and panics on a
//! violated property. The fuzz targets (`fuzz/fuzz_targets/`) are thin wrappers around these, and
//! the integration tests run them over the seed corpus in `tests/corpus/<target>/`, so CI exercises
//! them on stable without cargo-fuzz.

pub mod block;
pub mod engine;
pub mod generate;
pub mod plain;
pub mod profile;
pub mod session;
pub mod spec_suite;

use crate::{addr, default_state, method, operation, run, transfer, view};
use abi::{Call, Receipt, StatusCode};
use arbitrary::Unstructured;
pub use block::check_block;
pub use engine::check_engine;
use plain::{Outcome, World};
use vm::{instrument, validate, validate_all, GasTable, Limits, Rules, Vm};
use wasmi::Val;

/// Lets panics raised inside wasmi's translator unwind quietly instead of going to the current
/// hook. libFuzzer's hook aborts on any panic, before the `catch_unwind` with which tsvm contains
/// the known wasmi 2.0.0 translator panic (`vm/src/runtime/cache.rs`) can act; fuzz targets that compile
/// modules call this once so that the fuzzer checks the containment instead of stopping at it.
/// Every other panic still reaches the previous hook.
pub fn tolerate_known_engine_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let in_translator = info
                .location()
                .is_some_and(|l| l.file().contains("wasmi") && l.file().contains("translator"));
            if !in_translator {
                previous(info);
            }
        }));
    });
}

/// Gas for generated executions: enough for real work, small enough that loops end quickly.
pub const FUZZ_GAS: u64 = 200_000;

/// `validate`: arbitrary bytes (first byte even) or a wasm-smith module with every feature on
/// (odd). The validator and instrumenter never panic; `validate` is the first of `validate_all`;
/// an accepted module instruments deterministically to valid Wasm and executes to a receipt
/// (never a host error).
pub fn check_validate(data: &[u8]) {
    let wasm = match data.split_first() {
        Some((b, rest)) if b % 2 == 1 => match generate::any_module(&mut Unstructured::new(rest)) {
            Ok(m) => m,
            Err(_) => return,
        },
        Some((_, rest)) => rest.to_vec(),
        None => return,
    };
    check_module(&wasm);
}

/// The `validate` properties for one module.
pub fn check_module(wasm: &[u8]) {
    let limits = Limits::default();
    let first = validate(wasm, &limits);
    let all = validate_all(wasm, &limits);
    match &first {
        Ok(_) => assert!(all.is_empty(), "validate accepted, validate_all found {all:?}"),
        Err(e) => assert_eq!(all.first(), Some(e), "validate's error is not validate_all's first"),
    }
    // The single reading of an accepted module's bodies answers as the two passes would, under
    // the default limits and under tight body limits.
    let tight = Limits { max_locals: 4, max_br_table_targets: 1, ..Limits::default() };
    for limits in [&limits, &tight] {
        let reference = vm::validate_two_passes_for_tests(wasm, limits);
        let got = validate(wasm, limits);
        assert_eq!(got.as_ref().ok(), reference.as_ref().ok(), "single reading and two passes differ");
        assert_eq!(validate_all(wasm, limits), reference.err().unwrap_or_default());
    }
    let Ok(info) = first else { return };
    let table = GasTable::default();
    let out = instrument(wasm, &info, &table, &limits).expect("a validated module must instrument");
    let again = instrument(wasm, &info, &table, &limits).expect("instrumenting twice");
    assert_eq!(out, again, "instrumentation is not deterministic");
    if let Err(e) = wasmparser::Validator::new().validate_all(&out) {
        panic!("instrumented module is invalid: {e}");
    }
    // Accepted modules run to a receipt whatever they export (run panics on a host error).
    let vm = Vm::new(Rules::default());
    for call in [method("a", &[]), view("v", &[])] {
        let r = run(&vm, &default_state(), wasm, call, FUZZ_GAS);
        assert_ne!(r.status, StatusCode::InvalidModule, "validated, then rejected at execution");
        check_receipt(&r, FUZZ_GAS);
    }
}

/// Properties every receipt has (`spec/abi.md#receipt`): gas within the limit, out-of-gas uses all of
/// it, a failure applies and returns nothing.
#[track_caller]
pub fn check_receipt(r: &Receipt, gas_limit: u64) {
    assert!(r.gas_used <= gas_limit, "gas used {} > limit {gas_limit}", r.gas_used);
    if r.status == StatusCode::OutOfGas {
        assert_eq!(r.gas_used, gas_limit, "out of gas must consume the whole limit");
    }
    if !r.status.is_success() {
        assert!(r.diff.is_empty() && r.events.is_empty() && r.return_data.is_empty(), "{r:?}");
    }
    if r.status != StatusCode::Reverted {
        assert!(r.revert_reason.is_empty());
    }
    assert!(r.diff.is_canonical(), "diff not canonical: {:?}", r.diff);
}

/// The trace and bundle properties of one execution whose hash-only receipt is `receipt`: the full
/// level gives the same receipt (so the same trace hash), its events hash to that trace hash, the
/// receipt is sealed, and the recorded bundle replays from its witness alone to the same receipt.
fn check_trace_and_replay(
    vm: &Vm,
    state: &vm::InMemoryState,
    wasm: &[u8],
    call: Call,
    gas: u64,
    receipt: &Receipt,
) {
    let invocation = abi::Invocation { token: crate::TOKEN, call };
    let ctx = crate::context(addr(1));
    let tx = vm::Transaction { code: wasm, invocation: &invocation, context: &ctx, gas_limit: gas };
    let opts =
        vm::ExecOptions { trace: vm::TraceLevel::Full, checkpoint_interval: vm::MIN_CHECKPOINT_INTERVAL };
    let full = vm.execute_with(state, &tx, &opts).expect("no host failure");
    assert_eq!(&full.receipt, receipt, "the trace level or checkpoints changed the receipt");
    assert!(receipt.is_sealed(), "diff or receipt hash does not match the receipt");
    let mut h = blake3::Hasher::new_derive_key(abi::hash::TRACE_CONTEXT);
    for e in &full.trace {
        h.update(&borsh::to_vec(e).expect("events serialize"));
    }
    assert_eq!(*h.finalize().as_bytes(), receipt.trace_hash.0, "events do not hash to the trace hash");
    let bundle = vm::record_bundle(vm, &tx, &full);
    let full_trace = vm::ExecOptions { trace: vm::TraceLevel::Full, ..vm::ExecOptions::default() };
    let replayed = vm::replay(vm, &bundle, &full_trace).expect("bundle replays");
    assert!(replayed.matched(), "bundle diverged: {:?}", replayed.mismatches);
    assert_eq!(replayed.execution.trace, full.trace);
    // As `tsvm replay` replays an archive's bundle: its head in a session, the new receipt's
    // encoding compared with the receipt's bytes (spec/bundle.md#replay).
    let bytes = borsh::to_vec(&bundle).expect("bundles serialize");
    let (mut head, expected) = abi::BundleHead::split(&bytes).expect("a bundle's head decodes");
    let slot = vm::WitnessSlot::default();
    let mut session = vm.session(&slot);
    for _ in 0..2 {
        let run = vm::replay_head_in(&mut session, &slot, &mut head, &full_trace).expect("the head replays");
        assert_eq!(borsh::to_vec(&run.receipt).expect("receipts serialize"), expected);
        assert_eq!(run.trace, full.trace);
        assert_eq!(head.witness, bundle.witness, "the witness is given back");
    }
}

/// `execute`: a profile module with tsvm's entry points, run as each kind of call, twice on one VM
/// (the second from the cache) and once on a fresh VM: byte-identical receipts (trace, diff and
/// receipt hashes included), every receipt property of [`check_receipt`], the trace and replay
/// properties of [`check_trace_and_replay`], and the calls in one session equal to fresh runs
/// ([`session::check_sequence`]). Then the same for the same module with its memory declared as
/// 0 to 65,535 bytes of 1-byte pages (`spec/determinism.md#memory`; the size from the module's
/// hash, so the input maps to the same modules as before).
pub fn check_execute(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let Ok(gas) = u.int_in_range(0..=FUZZ_GAS) else { return };
    let Ok(wasm) = generate::profile_module(&mut u) else { return };
    check_execute_module(&wasm, gas);
    let hash = abi::hash::content_hash(&wasm).0;
    let bytes = u64::from(u16::from_le_bytes([hash[0], hash[1]]));
    if let Ok(small) = generate::with_byte_memory(&wasm, bytes) {
        check_execute_module(&small, gas);
    }
}

/// [`check_execute`] for one module and gas limit.
fn check_execute_module(wasm: &[u8], gas: u64) {
    let calls = [
        method("a", &[]),
        method("b", &[1, 2, 3]),
        view("v", &[]),
        operation(transfer(addr(1), addr(2), 10)),
        Call::Hook { hook: abi::HookKind::BeforeTransfer, operation: transfer(addr(2), addr(1), 1) },
    ];
    let (cached, fresh) = (Vm::new(Rules::default()), Vm::new(Rules::default()));
    let state = default_state();
    for call in calls.clone() {
        let a = run(&cached, &state, wasm, call.clone(), gas);
        let b = run(&cached, &state, wasm, call.clone(), gas);
        let c = run(&fresh, &state, wasm, call.clone(), gas);
        let bytes = |r: &Receipt| borsh::to_vec(r).expect("receipts serialize");
        assert_eq!(bytes(&a), bytes(&b), "same VM, same input, different receipts");
        assert_eq!(bytes(&a), bytes(&c), "fresh VM, same input, different receipts");
        check_receipt(&a, gas);
        check_trace_and_replay(&cached, &state, wasm, call, gas, &a);
    }
    // spec/abi.md#instance-reuse: every call, twice over, on one kept instance.
    let ctx = crate::context(addr(1));
    let invocations: Vec<abi::Invocation> =
        calls.into_iter().map(|call| abi::Invocation { token: crate::TOKEN, call }).collect();
    let txs: Vec<vm::Transaction<'_>> = invocations
        .iter()
        .map(|invocation| vm::Transaction { code: wasm, invocation, context: &ctx, gas_limit: gas })
        .collect();
    session::check_sequence(&cached, &state, &txs, 2);
}

/// `differential`: an integer module run original (with fixed memory, [`plain::fix_memory`]) and
/// instrumented on plain wasmi, every export called with arguments from the input: the same
/// results and traps, until the instrumented module hits the specified stack limit (lower than the
/// engine's, by design); the instrumented module may not run out of its practically unlimited gas.
pub fn check_differential(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let Ok(wasm) = generate::integer_module(&mut u) else { return };
    let args: Vec<i64> = (0..8).map(|_| u.arbitrary().unwrap_or(0)).collect();
    differential(&wasm, &args);
}

/// The differential comparison for one module; `args` are cycled to fill each export's
/// parameters.
///
/// # Panics
/// On a difference, or if the instrumenter rejects an integer module.
pub fn differential(wasm: &[u8], args: &[i64]) {
    let reference = plain::fix_memory(wasm).expect("generated modules reencode");
    let instrumented = match plain::instrument_lenient(wasm) {
        Ok(m) => m,
        // The profile's operator set excludes bulk-memory's memory.init and data.drop.
        Err(e) if e.contains("outside") || e.contains("profile") => return,
        Err(e) => panic!("instrumenting an integer module failed: {e}"),
    };
    let (mut ow, mut iw) = (World::new(false), World::new(true));
    let panicked = Outcome::Other("engine panicked".into());
    let (oi, ii) = match (ow.instantiate(&reference), iw.instantiate(&instrumented)) {
        (Ok(o), Ok(i)) => (o, i),
        // A wasmi translator bug, not a difference; the VM's containment of it is a battery test.
        (Err(o), _) if o == panicked => return,
        (_, Err(i)) if i == panicked => return,
        (Err(o), Err(i)) => return assert_eq!(o, i, "instantiation failed differently"),
        (o, i) => panic!("instantiation differs: original {:?}, instrumented {:?}", o.err(), i.err()),
    };
    let exports: Vec<(String, wasmi::FuncType)> = oi
        .exports(&ow.store)
        .filter_map(|e| {
            let name = e.name().to_string();
            e.into_func().map(|f| (name, f.ty(&ow.store)))
        })
        .collect();
    let mut cycle = args.iter().copied().cycle();
    for (name, ty) in exports {
        let vals: Vec<Val> = ty
            .params()
            .iter()
            .map(|t| match t {
                wasmi::ValType::I32 => Val::I32(cycle.next().unwrap_or(0) as i32),
                wasmi::ValType::I64 => Val::I64(cycle.next().unwrap_or(0)),
                t => Val::default_for_ty(*t),
            })
            .collect();
        let o = ow.call(&oi, &name, &vals);
        let i = iw.call(&ii, &name, &vals);
        assert_ne!(i, Outcome::OutOfGas, "{name}: instrumented module ran out of unlimited gas");
        if i == Outcome::Exhausted {
            // The specified stack limit is lower than the engine's: the original may recurse
            // deeper and end any way (fuzz finding differential/regress-stack-limit-first). From
            // here on the two instances' states may differ.
            return;
        }
        assert_eq!(o, i, "{name}({vals:?}): original and instrumented differ");
    }
}

/// `abi`: arbitrary bytes into every decoder. Each either fails cleanly or yields a value whose
/// canonical re-encoding is exactly the input (borsh), or that re-decodes to itself (JSON).
pub fn check_abi(data: &[u8]) {
    fn borsh_canonical<T: borsh::BorshDeserialize + borsh::BorshSerialize + PartialEq + std::fmt::Debug>(
        data: &[u8],
    ) {
        if let Ok(v) = borsh::from_slice::<T>(data) {
            let bytes = borsh::to_vec(&v).expect("decoded values encode");
            assert_eq!(bytes, data, "borsh decoding is not canonical for {v:?}");
        }
    }
    fn json_round_trip<T: serde::de::DeserializeOwned + serde::Serialize + PartialEq + std::fmt::Debug>(
        data: &[u8],
    ) {
        if let Ok(v) = serde_json::from_slice::<T>(data) {
            let text = serde_json::to_vec(&v).expect("decoded values encode");
            let back: T = serde_json::from_slice(&text).expect("our JSON decodes");
            assert_eq!(back, v, "JSON round trip changed the value");
        }
    }
    borsh_canonical::<abi::Invocation>(data);
    borsh_canonical::<abi::Call>(data);
    borsh_canonical::<abi::Receipt>(data);
    borsh_canonical::<abi::StateDiff>(data);
    json_round_trip::<abi::Invocation>(data);
    json_round_trip::<abi::Call>(data);
    json_round_trip::<abi::Receipt>(data);
    json_round_trip::<abi::StateDiff>(data);
    json_round_trip::<vm::InMemoryState>(data);
    borsh_canonical::<abi::Bundle>(data);
    borsh_canonical::<abi::TraceEvent>(data);
    borsh_canonical::<abi::Checkpoint>(data);
    json_round_trip::<abi::Bundle>(data);
    json_round_trip::<abi::TraceEvent>(data);
    check_archive(data);
    // Random bytes rarely start with the archive's magic: also read them behind a header whose
    // count is the first byte's low two bits, and each bundle found as a bundle.
    if let Some((&first, rest)) = data.split_first() {
        let mut framed = abi::BUNDLE_ARCHIVE_MAGIC.to_vec();
        framed.extend(abi::BUNDLE_ARCHIVE_FORMAT_VERSION.to_le_bytes());
        framed.extend(u32::from(first & 3).to_le_bytes());
        framed.extend(rest);
        check_archive(&framed);
        if let Ok(mut reader) = abi::ArchiveReader::new(&framed[..], 1 << 16) {
            while let Ok(Some(bundle)) = reader.next_bundle() {
                borsh_canonical::<abi::Bundle>(&bundle);
            }
        }
    }
}

/// A bundle archive (`spec/bundle.md#bundle-archives`): read whole, it is written back byte for
/// byte from its bundles; refused, the error names the bundle the reader stopped at, and the
/// bundles before it were given.
fn check_archive(data: &[u8]) {
    let Ok(mut reader) = abi::ArchiveReader::new(data, 1 << 16) else {
        let whole_header = data.len() >= abi::BUNDLE_ARCHIVE_HEADER_LEN && abi::is_bundle_archive(data);
        assert!(!whole_header || data[8..12] != [1, 0, 0, 0], "a well-formed header was refused");
        return;
    };
    let count = reader.count();
    let mut bundles = Vec::new();
    let end = loop {
        match reader.next_bundle() {
            Ok(Some(bundle)) => bundles.push(bundle),
            Ok(None) => break None,
            Err(e) => break Some(e),
        }
    };
    let at = reader.position();
    assert!(at <= count && at as usize == bundles.len(), "{at} of {count}, {} given", bundles.len());
    // Read in blocks (3 bytes a read, 2 bundles a call, the rest carried over), it gives the same
    // bundles and the same fault at the same place.
    let mut blocks = abi::ArchiveBlocks::new(data, 1 << 16, 3).expect("the header was read above");
    let (mut buf, mut spans, mut found) = (Vec::new(), Vec::new(), Vec::new());
    let block_end = loop {
        let (taken, fault) = blocks.find(&mut buf, &mut spans, 2, usize::MAX);
        found.extend(spans.drain(..).map(|(_, span)| buf[span].to_vec()));
        buf.drain(..taken);
        if fault.is_some() || blocks.position() == count {
            break fault;
        }
    };
    assert_eq!((found, blocks.position()), (bundles.clone(), at), "read in blocks, the archive differs");
    let text = |e: &Option<abi::ArchiveError>| e.as_ref().map(ToString::to_string);
    assert_eq!(text(&block_end), text(&end), "read in blocks, the archive ends otherwise");
    match end {
        None => {
            assert_eq!(at, count);
            let mut writer = abi::ArchiveWriter::new(Vec::new(), count).expect("a Vec takes the header");
            for b in &bundles {
                writer.push_encoded(b).expect("the bundles read fit again");
            }
            let again = writer.finish().expect("as many as declared");
            assert_eq!(again, data, "an archive read whole is not written back as it was");
        }
        Some(abi::ArchiveError::TrailingBytes { count: c }) => assert!(c == count && at == count),
        Some(abi::ArchiveError::Truncated { index, count: c }) => assert!(index == at && c == count),
        Some(abi::ArchiveError::TooLarge { index, len, max }) => assert!(index == at && len > max),
        Some(e) => panic!("reading a byte slice failed otherwise: {e}"),
    }
}
