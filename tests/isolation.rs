//! The out-of-process executor against in-process execution (`spec/executor.md`, issue 12): the
//! conformance vectors, the fuzz seed corpus of `execute`, the example bundle and generated
//! transfers give byte-identical executions through the sandboxed pool. (The escape battery runs
//! through the pool in `battery::run_stable`; faults, timeouts, crashes and escapes of the worker
//! itself are tested in `executor/tests/`.)

use abi::{Bundle, Call, Code, Invocation, TxData};
use arbitrary::Unstructured;
use proptest::prelude::*;
use std::path::PathBuf;
use tsvm_tests::isolated::{run_isolated, same_in_and_out};
use tsvm_tests::oracles::{generate, FUZZ_GAS};
use tsvm_tests::*;
use vm::InMemoryState;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[test]
fn conformance_vectors_are_identical_through_the_pool() {
    let text = std::fs::read_to_string(root().join("spec/vectors/conformance.json")).unwrap();
    let file: serde_json::Value = serde_json::from_str(&text).unwrap();
    let state: InMemoryState = serde_json::from_value(file["state"].clone()).unwrap();
    let context: abi::Context = serde_json::from_value(file["context"].clone()).unwrap();
    let vectors = file["vectors"].as_array().unwrap();
    assert!(vectors.len() > 20);
    let vm = vm();
    for v in vectors {
        let wat =
            std::fs::read_to_string(root().join("spec/vectors/modules").join(v["module"].as_str().unwrap()));
        let call: Call = serde_json::from_value(v["call"].clone()).unwrap();
        let tx = TxData {
            code: Code::Bytes(wasm(&wat.unwrap())),
            invocation: Invocation { token: TOKEN, call },
            context: context.clone(),
            gas_limit: v["gas_limit"].as_u64().unwrap(),
        };
        let r = same_in_and_out(&vm, &state, &tx);
        assert_eq!(
            serde_json::to_value(r.receipt_hash).unwrap(),
            v["expect"]["receipt_hash"],
            "{}",
            v["name"]
        );
    }
}

#[test]
fn the_execute_seed_corpus_is_identical_through_the_pool() {
    let dir = root().join("tests/corpus/execute");
    let mut seeds = 0;
    let vm = vm();
    for entry in std::fs::read_dir(dir).unwrap() {
        let data = std::fs::read(entry.unwrap().path()).unwrap();
        // The decoding of `oracles::check_execute`.
        let mut u = Unstructured::new(&data);
        let Ok(gas) = u.int_in_range(0..=FUZZ_GAS) else { continue };
        let Ok(code) = generate::profile_module(&mut u) else { continue };
        for call in [method("a", &[]), view("v", &[]), operation(transfer(addr(1), addr(2), 10))] {
            run_isolated(&vm, &default_state(), &code, call, gas);
        }
        seeds += 1;
    }
    assert!(seeds >= 5, "{seeds} seeds decoded");
}

#[test]
fn the_example_bundle_is_identical_through_the_pool() {
    let text = std::fs::read_to_string(root().join("examples/transfer.bundle.json")).unwrap();
    let b: Bundle = serde_json::from_str(&text).unwrap();
    let tx = TxData {
        code: Code::Bytes(b.module.clone()),
        invocation: b.invocation.clone(),
        context: b.context.clone(),
        gas_limit: b.gas_limit,
    };
    let state = vm::WitnessState::new(b.invocation.token, &b.witness);
    // WitnessState is not an InMemoryState: run both executors directly.
    use executor::Executor;
    let opts = vm::ExecOptions::default();
    let here = vm().run(&state, &tx, &opts).unwrap();
    let there = tsvm_tests::isolated::pool().run(&state, &tx, &opts).unwrap();
    assert_eq!(there, here);
    assert_eq!(there.receipt, b.expected);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Transfers, mints and burns of the example token with any amounts, signers and gas.
    #[test]
    fn generated_operations_are_identical_through_the_pool(
        kind in 0u8..3,
        from in 1u8..4,
        to in 1u8..4,
        amount in prop_oneof![0u128..2_000, Just(u128::MAX)],
        gas in prop_oneof![1_000u64..400_000, Just(10_000_000u64)],
    ) {
        let op = match kind {
            0 => transfer(addr(from), addr(to), amount),
            1 => abi::Operation::Mint { to: addr(to), amount },
            _ => abi::Operation::Burn { from: addr(from), amount },
        };
        run_isolated(&vm(), &default_state(), &token_wasm(), operation(op), gas);
    }
}
