//! Checkpoints: their state commitment rebuilt from `spec/trace.md#checkpoints` alone, and the
//! minimum interval (`spec/trace.md#minimum-interval`) at and below the limit.

use abi::{Checkpoint, Invocation, StatusCode};
use tsvm_tests::*;
use vm::{ExecOptions, Execution, Transaction, VmError, MIN_CHECKPOINT_INTERVAL};

/// Two pages, "hello" in the second, a mutable global 42, and a method that loops until out of
/// gas without touching memory or the global: every checkpoint commits to the same state.
const SPINNER: &str = r#"(module
  (memory (export "memory") 2)
  (global $g (mut i64) (i64.const 42))
  (data (i32.const 70000) "hello")
  (func (export "method_spin") (local $i i32)
    (loop $l (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $l))))"#;

fn spin(interval: u64, gas_limit: u64) -> Result<Execution, VmError> {
    spin_code(&wasm(SPINNER), interval, gas_limit)
}

/// Runs `method_spin` of `code` with checkpoints every `interval` gas.
fn spin_code(code: &[u8], interval: u64, gas_limit: u64) -> Result<Execution, VmError> {
    let invocation = Invocation { token: TOKEN, call: method("spin", &[]) };
    let ctx = context(addr(1));
    let tx = Transaction { code, invocation: &invocation, context: &ctx, gas_limit };
    vm().execute_with(
        &default_state(),
        &tx,
        &ExecOptions { checkpoint_interval: interval, ..Default::default() },
    )
}

#[test]
fn a_checkpoint_commitment_recomputed_from_the_spec_alone() {
    let e = spin(MIN_CHECKPOINT_INTERVAL, 2 * MIN_CHECKPOINT_INTERVAL + 10).unwrap();
    assert_eq!(e.receipt.status, StatusCode::OutOfGas);
    // The page count, each page's plain blake3, then the global as 8 bytes LE.
    let mut page1 = vec![0u8; 65_536];
    page1[70_000 - 65_536..70_000 - 65_536 + 5].copy_from_slice(b"hello");
    let mut bytes = 2u32.to_le_bytes().to_vec();
    bytes.extend(blake3::hash(&[0u8; 65_536]).as_bytes());
    bytes.extend(blake3::hash(&page1).as_bytes());
    bytes.extend(42u64.to_le_bytes());
    let expected = blake3::derive_key("tsvm 2026-11 checkpoint state v2", &bytes);
    let indices: Vec<u64> = e.checkpoints.iter().map(|c| c.index).collect();
    assert_eq!(indices, [1, 2]);
    for c in &e.checkpoints {
        assert_eq!(c.state_hash.0, expected, "{c:?}");
        assert!(c.gas_used <= c.index * MIN_CHECKPOINT_INTERVAL);
    }
}

/// A memory of 1-byte pages, 70,005 bytes (`spec/determinism.md#memory`): two 64 KiB pages in the
/// commitment, the second 4,469 bytes long and hashed at that length (`spec/trace.md#checkpoints`).
#[test]
fn a_short_last_page_is_committed_at_its_length() {
    let code = wasm(
        &SPINNER
            .replace(r#"(memory (export "memory") 2)"#, r#"(memory (export "memory") 70005 (pagesize 1))"#),
    );
    let e = spin_code(&code, MIN_CHECKPOINT_INTERVAL, MIN_CHECKPOINT_INTERVAL + 10).unwrap();
    assert_eq!((e.receipt.status, e.checkpoints.len()), (StatusCode::OutOfGas, 1));
    let mut page1 = vec![0u8; 70_005 - 65_536];
    page1[70_000 - 65_536..].copy_from_slice(b"hello");
    let mut bytes = 2u32.to_le_bytes().to_vec();
    bytes.extend(blake3::hash(&[0u8; 65_536]).as_bytes());
    bytes.extend(blake3::hash(&page1).as_bytes());
    bytes.extend(42u64.to_le_bytes());
    let expected = blake3::derive_key("tsvm 2026-11 checkpoint state v2", &bytes);
    assert_eq!(e.checkpoints[0].state_hash.0, expected);
}

/// A memory of no bytes at all runs, commits to no page, and every host range but an empty one
/// is out of it.
#[test]
fn a_memory_of_no_bytes_runs_to_receipts() {
    let code = wasm(&format!(
        r#"(module {IMPORTS} (memory (export "memory") 0 (pagesize 1))
             (func (export "method_empty") (call $return_data (i32.const 0) (i32.const 0)))
             (func (export "method_one") (call $return_data (i32.const 0) (i32.const 1)))
             (func (export "method_spin") (loop $l (br $l))))"#
    ));
    let status = |name: &str| run(&vm(), &default_state(), &code, method(name, &[]), GAS).status;
    assert_eq!(status("empty"), StatusCode::Success);
    assert_eq!(status("one"), StatusCode::BadPointer);
    let spun = spin_code(&code, MIN_CHECKPOINT_INTERVAL, MIN_CHECKPOINT_INTERVAL + 10).unwrap();
    assert_eq!((spun.receipt.status, spun.checkpoints.len()), (StatusCode::OutOfGas, 1));
    let expected = blake3::derive_key("tsvm 2026-11 checkpoint state v2", &0u32.to_le_bytes());
    assert_eq!(spun.checkpoints[0].state_hash.0, expected);
}

#[test]
fn the_minimum_interval_is_accepted_and_one_below_it_refused() {
    let at = spin(MIN_CHECKPOINT_INTERVAL, MIN_CHECKPOINT_INTERVAL + 1_000).unwrap();
    assert_eq!(at.checkpoints.len(), 1);
    let below = spin(MIN_CHECKPOINT_INTERVAL - 1, MIN_CHECKPOINT_INTERVAL + 1_000);
    match below {
        Err(VmError::CheckpointInterval { interval, min }) => {
            assert_eq!((interval, min), (MIN_CHECKPOINT_INTERVAL - 1, MIN_CHECKPOINT_INTERVAL));
        }
        other => panic!("expected a refused interval, got {other:?}"),
    }
    // 0 means no checkpoints, and is not refused.
    assert!(spin(0, 10_000).unwrap().checkpoints.is_empty());
}

#[test]
fn memory_writes_change_the_commitment_and_only_they() {
    // Writes the counter per iteration to page (i mod 2): the commitment follows memory.
    let code = wasm(
        r#"(module (memory (export "memory") 2)
             (func (export "method_w") (local $i i32)
               (loop $l
                 (i32.store (i32.mul (i32.and (local.get $i) (i32.const 1)) (i32.const 65536)) (local.get $i))
                 (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $l))))"#,
    );
    let invocation = Invocation { token: TOKEN, call: method("w", &[]) };
    let ctx = context(addr(1));
    let tx = Transaction {
        code: &code,
        invocation: &invocation,
        context: &ctx,
        gas_limit: 2 * MIN_CHECKPOINT_INTERVAL + 1_000,
    };
    let opts = ExecOptions { checkpoint_interval: MIN_CHECKPOINT_INTERVAL, ..Default::default() };
    let a = vm().execute_with(&default_state(), &tx, &opts).unwrap();
    assert_eq!(a.checkpoints.len(), 2);
    let hashes: std::collections::BTreeSet<_> =
        a.checkpoints.iter().map(|c: &Checkpoint| c.state_hash).collect();
    assert_eq!(hashes.len(), 2, "memory differs at every checkpoint: {:?}", a.checkpoints);
    let plain = vm().execute(&default_state(), &tx).unwrap();
    assert_eq!(a.receipt, plain, "checkpoints never change the receipt");
}

#[test]
fn the_minimum_interval_in_the_spec_is_the_codes() {
    let spec = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../spec/trace.md")).unwrap();
    assert!(spec.contains(&format!("`MIN_CHECKPOINT_INTERVAL = {MIN_CHECKPOINT_INTERVAL}` gas")));
    assert!(spec.contains("\"tsvm 2026-11 checkpoint state v2\""));
    assert_eq!(abi::hash::STATE_COMMITMENT_CONTEXT, "tsvm 2026-11 checkpoint state v2");
}
