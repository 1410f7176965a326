//! `execute/transfer`: one token transfer operation (`before_transfer` hook, native transfer,
//! `after_transfer` hook) through tsvm, side by side in one run with:
//! - `wasmi_fresh_store`: the same script and host work on plain wasmi 2.0, fresh store and instance
//!   per call, cached module, no gas (baseline (a));
//! - `wasmi_reused_instance`: the same with one instance reused (a reference only: not a reset
//!   proven equivalent to a fresh instance);
//! - `revm_erc20`: revm executing `transfer(address,uint256)` of `MiniToken` on a reused EVM
//!   (baseline (b));
//! - `rust_native`: a plain Rust function over hash maps (baseline (c)).
//!
//! Each is checked once, outside the timed loop, to do the transfer it claims to do.

// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, Criterion};
use revm::context::TxEnv;
use revm::context_interface::result::ExecutionResult;
use revm::database::{CacheDB, EmptyDB};
use revm::primitives::{keccak256, Address, Bytes, TxKind, U256};
use revm::state::{AccountInfo, Bytecode};
use revm::{Context, ExecuteEvm, MainBuilder, MainContext};
use std::hint::black_box;
use tsvm_benches::fixtures::{self, AMOUNT, TOKEN};
use tsvm_benches::native::{self, NativeState};
use tsvm_benches::plain::PlainToken;
use vm::{Rules, Vm};

const MINI_TOKEN_HEX: &str = include_str!("../../../shared/bench-data/MiniToken.runtime.hex");

fn hex(s: &str) -> Vec<u8> {
    let s = s.trim().trim_start_matches("0x");
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex")).collect()
}

fn word(bytes: &[u8]) -> [u8; 32] {
    let mut w = [0; 32];
    w[32 - bytes.len()..].copy_from_slice(bytes);
    w
}

fn bench_transfer(c: &mut Criterion) {
    let mut group = c.benchmark_group("execute/transfer");

    // tsvm: the whole pipeline through `Vm::execute`, module cached by a first call.
    let vm = Vm::new(Rules::default());
    let state = fixtures::state();
    let code = fixtures::token_wasm();
    let (invocation, context) = (fixtures::invocation(), fixtures::context());
    let tx = fixtures::transaction(&code, &invocation, &context);
    let receipt = vm.execute(&state, &tx).expect("tsvm runs");
    assert!(receipt.status.is_success(), "tsvm transfer: {:?}", receipt.status);
    assert_eq!(receipt.diff.0.len(), 3, "two balances and the counter change");
    group.bench_function("tsvm", |b| {
        b.iter(|| vm.execute(black_box(&state), black_box(&tx)).expect("tsvm runs"))
    });

    // tsvm in a session (`spec/abi.md#instance-reuse`): the instance kept and reset between
    // transfers, as a block runs them; the receipt is the same.
    let mut session = vm.session(&state);
    assert_eq!(session.execute(&tx).expect("tsvm runs"), receipt);
    group.bench_function("tsvm_session", |b| b.iter(|| session.execute(black_box(&tx)).expect("tsvm runs")));

    // The same script declaring a 4 KiB memory of 1-byte pages (`spec/determinism.md#memory`):
    // fresh, and in a session. The same diff and events; only the code (its hash, its load charge)
    // differs.
    let small_code = fixtures::token_wasm_small_memory();
    let small_tx = fixtures::transaction(&small_code, &invocation, &context);
    let small = vm.execute(&state, &small_tx).expect("tsvm runs");
    assert!(small.status.is_success(), "small-memory transfer: {:?}", small.status);
    assert_eq!((&small.diff, &small.events), (&receipt.diff, &receipt.events));
    group.bench_function("tsvm_small_memory", |b| {
        b.iter(|| vm.execute(black_box(&state), black_box(&small_tx)).expect("tsvm runs"))
    });
    let mut small_session = vm.session(&state);
    assert_eq!(small_session.execute(&small_tx).expect("tsvm runs"), small);
    group.bench_function("tsvm_session_small_memory", |b| {
        b.iter(|| small_session.execute(black_box(&small_tx)).expect("tsvm runs"))
    });

    // (a) plain wasmi, fresh store and instance per call.
    let plain = PlainToken::new();
    let op = fixtures::operation();
    let outcome = plain.transfer(&state, TOKEN, fixtures::from(), &op).expect("plain wasmi runs");
    assert_eq!((&outcome.events, &outcome.diff), (&receipt.events, &receipt.diff));
    group.bench_function("wasmi_fresh_store", |b| {
        b.iter(|| plain.transfer(black_box(&state), TOKEN, fixtures::from(), black_box(&op)).expect("runs"))
    });

    // Reference: one reused instance.
    let mut reused = plain.reused(&state, TOKEN, fixtures::from()).expect("instantiates");
    let outcome = reused.transfer(&op).expect("reused instance runs");
    assert_eq!((&outcome.events, &outcome.diff), (&receipt.events, &receipt.diff));
    group.bench_function("wasmi_reused_instance", |b| {
        b.iter(|| reused.transfer(black_box(&op)).expect("runs"))
    });

    // (b) revm: MiniToken's `transfer` on a reused EVM over an in-memory database. `transact`
    // executes and finalizes without committing, so every iteration starts from the same state,
    // as tsvm's does (a receipt and a diff, nothing applied).
    let token = Address::repeat_byte(0x70);
    let (holder, recipient) = (Address::repeat_byte(0x01), Address::repeat_byte(0x02));
    let mut db = CacheDB::new(EmptyDB::default());
    let runtime = Bytecode::new_raw(Bytes::from(hex(MINI_TOKEN_HEX)));
    db.insert_account_info(token, AccountInfo::default().with_code(runtime));
    db.insert_account_info(holder, AccountInfo::default());
    let balance_slot = |who: Address| {
        let mut preimage = [0u8; 64];
        preimage[..32].copy_from_slice(&word(who.as_slice()));
        U256::from_be_bytes(keccak256(preimage).0)
    };
    db.insert_account_storage(token, balance_slot(holder), U256::from(1_000_000u64)).expect("in-memory");
    db.insert_account_storage(token, balance_slot(recipient), U256::from(1_000_000u64)).expect("in-memory");
    let mut calldata = vec![0xa9, 0x05, 0x9c, 0xbb];
    calldata.extend_from_slice(&word(recipient.as_slice()));
    calldata.extend_from_slice(&word(&AMOUNT.to_be_bytes()));
    let tx_env = TxEnv::builder()
        .caller(holder)
        .kind(TxKind::Call(token))
        .data(Bytes::from(calldata))
        .gas_limit(100_000)
        .gas_price(0)
        .build()
        .expect("valid transaction");
    let mut evm = Context::mainnet().with_db(db).build_mainnet();
    let result = evm.transact(tx_env.clone()).expect("revm runs").result;
    let ExecutionResult::Success { logs, .. } = &result else { panic!("ERC20 transfer failed: {result:?}") };
    let transfer_topic = keccak256(b"Transfer(address,address,uint256)");
    assert_eq!(logs.len(), 1);
    assert_eq!(logs[0].topics()[0], transfer_topic);
    assert_eq!(U256::from_be_slice(&logs[0].data.data), U256::from(AMOUNT));
    group.bench_function("revm_erc20", |b| {
        b.iter(|| evm.transact(black_box(tx_env.clone())).expect("revm runs"))
    });

    // (c) plain Rust over hash maps.
    let native_state = NativeState::from_state(&state, TOKEN);
    let (from, to) = (fixtures::from(), fixtures::to());
    let outcome = native::transfer(&native_state, &from, &to, AMOUNT).expect("native runs");
    assert_eq!((&outcome.events, &outcome.diff), (&receipt.events, &receipt.diff));
    group.bench_function("rust_native", |b| {
        b.iter(|| native::transfer(black_box(&native_state), &from, &to, black_box(AMOUNT)).expect("runs"))
    });
    group.finish();
}

criterion_group!(benches, bench_transfer);
criterion_main!(benches);
