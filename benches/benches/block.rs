//! `block/...`: blocks of 10,000 transfers of the example token script over 1, 10 and 1,000
//! tokens (`spec/block.md`), executed
//! - `sequential`: `Vm::execute_block` (one session: instances kept, `spec/abi.md#instance-reuse`);
//! - `fresh_instances`: the same, one `Vm::execute_with` per transaction on a fresh instance;
//! - `lanes_1`, `lanes_2`: `Vm::execute_block_in_lanes` on a rayon pool of 1 and 2 threads (the
//!   speedup from 1 to 2 cores is `lanes_1 / lanes_2`).
//!
//! Group `block/tx` reports transactions per second, `block/gas` gas per second (criterion's
//! elem/s: Melem/s there is Mgas/s). Each block is checked once, outside the timed loop: every
//! transfer succeeds and all three ways return the same result.

// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

use abi::{Call, Code, Invocation, Operation, TokenId, TokenInfo, TokenPolicy, TxData};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use std::collections::BTreeMap;
use std::hint::black_box;
use tsvm_benches::fixtures::{self, addr};
use vm::{ExecOptions, InMemoryState, Rules, TokenState, Vm};

/// Transactions per block.
const TXS: usize = 10_000;

/// Accounts per token.
const ACCOUNTS: u8 = 16;

fn token(i: usize) -> TokenId {
    let mut id = [0xb0; 32];
    id[..2].copy_from_slice(&(i as u16).to_le_bytes());
    TokenId(id)
}

/// `tokens` tokens whose accounts hold 1,000,000 each, the script's limit high.
fn state(tokens: usize) -> InMemoryState {
    let balances: BTreeMap<_, _> = (1..=ACCOUNTS).map(|n| (addr(n), 1_000_000u128)).collect();
    let storage = BTreeMap::from([(b"limit".to_vec(), fixtures::LIMIT.to_le_bytes().to_vec())]);
    let policy = TokenPolicy { script_can_mint: false, script_can_burn: false, max_supply: u128::MAX };
    let info = TokenInfo { owner: addr(0xee), policy };
    let supply = 1_000_000 * u128::from(ACCOUNTS);
    let t = TokenState { info, supply, balances, storage };
    InMemoryState { tokens: (0..tokens).map(|i| (token(i), t.clone())).collect() }
}

/// 10,000 transfers cycling over the tokens and accounts.
fn block(code: &[u8], tokens: usize) -> Vec<TxData> {
    (0..TXS)
        .map(|i| {
            let from = (i % usize::from(ACCOUNTS)) as u8 + 1;
            let operation = Operation::Transfer {
                from: addr(from),
                to: addr(from % ACCOUNTS + 1),
                amount: 1 + (i % 7) as u128,
            };
            TxData {
                code: Code::Bytes(code.to_vec()),
                invocation: Invocation { token: token(i % tokens), call: Call::Operation { operation } },
                context: abi::Context { caller: addr(from), ..fixtures::context() },
                gas_limit: fixtures::TRANSFER_GAS,
            }
        })
        .collect()
}

/// The block one transaction at a time through `Vm::execute_with` over a `PendingState`, each on a
/// fresh instance; returns the combined diff.
fn fresh_instances(vm: &Vm, state: &InMemoryState, txs: &[TxData], options: &ExecOptions) -> abi::StateDiff {
    let mut pending = vm::PendingState::new(state);
    for data in txs {
        let tx = vm::Transaction::from_data(data).expect("code bytes");
        let receipt = vm.execute_with(&pending, &tx, options).expect("runs").receipt;
        if receipt.status.is_success() {
            pending.apply(&receipt.diff).expect("applies");
        }
    }
    pending.diff()
}

fn bench_blocks(c: &mut Criterion) {
    let vm = Vm::new(Rules::default());
    let code = fixtures::token_wasm();
    let options = ExecOptions::default();
    let pools: Vec<(usize, rayon::ThreadPool)> = [1, 2]
        .into_iter()
        .map(|n| (n, rayon::ThreadPoolBuilder::new().num_threads(n).build().expect("pool")))
        .collect();
    let cases: Vec<(usize, InMemoryState, Vec<TxData>, u64)> = [1, 10, 1_000]
        .into_iter()
        .map(|tokens| {
            let (state, txs) = (state(tokens), block(&code, tokens));
            let sequential = vm.execute_block(&state, &txs, &options).expect("block runs");
            assert!(sequential.receipts().all(|r| r.status.is_success()), "every transfer succeeds");
            for (_, pool) in &pools {
                let lanes = pool.install(|| vm.execute_block_in_lanes(&state, &txs, &options));
                assert_eq!(lanes.expect("lanes run"), sequential, "lanes equal sequential");
            }
            assert_eq!(fresh_instances(&vm, &state, &txs, &options), sequential.diff);
            let gas = sequential.receipts().map(|r| r.gas_used).sum();
            eprintln!("block of {TXS} transfers over {tokens} tokens: {gas} gas");
            (tokens, state, txs, gas)
        })
        .collect();
    for (unit, throughput) in [("tx", None), ("gas", Some(()))] {
        let mut group = c.benchmark_group(format!("block/{unit}"));
        group.sample_size(10);
        for (tokens, state, txs, gas) in &cases {
            let elements = if throughput.is_some() { *gas } else { TXS as u64 };
            group.throughput(Throughput::Elements(elements));
            group.bench_with_input(BenchmarkId::new("sequential", tokens), txs, |b, txs| {
                b.iter(|| vm.execute_block(black_box(state), black_box(txs), &options).expect("runs"))
            });
            // The same block on a fresh instance per transaction (no session,
            // spec/abi.md#instance-reuse): what `sequential` did before sessions.
            group.bench_with_input(BenchmarkId::new("fresh_instances", tokens), txs, |b, txs| {
                b.iter(|| fresh_instances(&vm, black_box(state), black_box(txs), &options))
            });
            for (threads, pool) in &pools {
                group.bench_with_input(
                    BenchmarkId::new(format!("lanes_{threads}"), tokens),
                    txs,
                    |b, txs| {
                        b.iter(|| {
                            pool.install(|| {
                                vm.execute_block_in_lanes(black_box(state), black_box(txs), &options)
                            })
                        })
                    },
                );
            }
        }
        group.finish();
    }
}

criterion_group!(benches, bench_blocks);
criterion_main!(benches);
