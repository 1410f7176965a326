//! Block bundles (`spec/bundle.md#block-bundles`): recorded, round-tripped through JSON and borsh,
//! replayed offline to the same receipts and commitments; a perturbed witness located at its
//! transaction; non-canonical bundles refused.

use abi::{BlockBundle, StateKey};
use borsh::BorshDeserialize;
use tsvm_tests::blocks::{block_state, block_token, dispute_block, Scripts};
use tsvm_tests::{addr, vm};
use vm::{record_block_bundle, replay_block, TraceLevel, VmError};

fn bundle() -> BlockBundle {
    let scripts = Scripts::new();
    let txs = dispute_block(&scripts);
    let (bundle, block) = record_block_bundle(&vm(), &block_state(3), &txs, 0).unwrap();
    assert_eq!(bundle.commitments, block.commitments);
    bundle
}

#[test]
fn a_block_bundle_round_trips_and_replays_from_its_witness_alone() {
    let bundle = bundle();
    // Only what the block read from the node: token 1's account 3, read by transaction 4, is there;
    // account 2 of token 1, first read by transaction 2, holds its value before the block.
    let t1 = &bundle.witness.iter().find(|w| w.token == block_token(1)).unwrap().witness;
    let key = StateKey::Balance { token: block_token(1), account: addr(3) };
    assert!(t1.entries.iter().any(|e| e.key == key));
    let two =
        t1.entries.iter().find(|e| e.key == StateKey::Balance { token: block_token(1), account: addr(2) });
    assert_eq!(two.unwrap().value, abi::amount::to_value(1_000));
    assert!(!t1
        .entries
        .iter()
        .any(|e| matches!(&e.key, StateKey::Balance { account, .. } if *account == addr(5))));
    let json: BlockBundle = serde_json::from_str(&serde_json::to_string(&bundle).unwrap()).unwrap();
    let borsh = BlockBundle::try_from_slice(&borsh::to_vec(&bundle).unwrap()).unwrap();
    assert_eq!((&json, &borsh), (&bundle, &bundle));
    let replayed = replay_block(&vm(), &bundle, TraceLevel::HashOnly).unwrap();
    assert_eq!(replayed.divergence, None);
    assert_eq!(replayed.block.commitments, bundle.commitments);
}

#[test]
fn a_perturbed_witness_is_located_at_the_first_transaction_that_reads_it() {
    let mut bundle = bundle();
    let key = StateKey::Balance { token: block_token(1), account: addr(3) };
    let w = bundle.witness.iter_mut().find(|w| w.token == block_token(1)).unwrap();
    w.witness.entries.iter_mut().find(|e| e.key == key).unwrap().value = abi::amount::to_value(999);
    let replayed = replay_block(&vm(), &bundle, TraceLevel::Full).unwrap();
    let divergence = replayed.divergence.expect("diverges");
    assert_eq!(divergence.index, 4);
    assert_eq!(divergence.mismatches, ["diff", "diff_hash", "trace_hash", "receipt_hash"]);
    // A transfer stays below the minimum checkpoint interval: no window to narrow.
    assert_eq!(divergence.window, None);
}

#[test]
fn non_canonical_block_bundles_are_refused() {
    let good = bundle();
    let refused = |b: &BlockBundle| replay_block(&vm(), b, TraceLevel::HashOnly);
    // A witness entry no transaction read.
    let mut extra = good.clone();
    let token = extra.witness[0].token;
    let key = StateKey::Storage { token, key: b"zz".to_vec() };
    extra.witness[0].witness.entries.push(abi::WitnessEntry { key, value: None });
    assert!(matches!(refused(&extra), Err(VmError::NonCanonicalBundle(_))));
    // A missing entry: the transaction that reads it fails on it.
    let mut missing = good.clone();
    let t1 = missing.witness.iter_mut().find(|w| w.token == block_token(1)).unwrap();
    t1.witness.entries.retain(|e| e.key != StateKey::Balance { token: block_token(1), account: addr(3) });
    match refused(&missing) {
        Err(VmError::InBlock { index: 4, source }) => assert!(matches!(*source, VmError::OutsideWitness(_))),
        other => panic!("{other:?}"),
    }
    // Tokens out of order, commitments not those of the receipts, lists of other lengths, rules.
    let mut unsorted = good.clone();
    unsorted.witness.swap(0, 1);
    let mut forged = good.clone();
    forged.commitments[2] = abi::Hash32([9; 32]);
    let mut short = good.clone();
    short.checkpoints.pop();
    for b in [&unsorted, &forged, &short] {
        assert!(matches!(refused(b), Err(VmError::NonCanonicalBundle(_))), "{:?}", refused(b).err());
    }
    let mut other_rules = good.clone();
    other_rules.rules_hash = abi::Hash32::ZERO;
    assert!(matches!(refused(&other_rules), Err(VmError::RulesMismatch { .. })));
    let mut version = good;
    version.block_format_version = 2;
    assert!(matches!(refused(&version), Err(VmError::BundleVersion(2, 1))));
}

/// A method that reads storage key `k` into memory, then loops long enough to pass checkpoints.
const SPIN_WAT: &str = r#"(module
  (import "tsvm" "storage_read" (func $read (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "k")
  (func (export "method_spin") (local i32)
    (drop (call $read (i32.const 0) (i32.const 1) (i32.const 16) (i32.const 8)))
    (loop $l
      (local.set 0 (i32.add (local.get 0) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get 0) (i32.const 1500000))))))"#;

#[test]
fn a_perturbed_witness_is_narrowed_to_its_checkpoint_window() {
    let scripts = Scripts::new();
    let spin = tsvm_tests::wasm(SPIN_WAT);
    let mut txs = dispute_block(&scripts);
    let call = abi::Call::Method { name: "spin".into(), args: vec![] };
    let mut long = tsvm_tests::blocks::block_tx(&spin, block_token(2), call, addr(1));
    long.gas_limit = 40_000_000;
    txs.insert(2, long);
    let (mut bundle, _) =
        record_block_bundle(&vm(), &block_state(3), &txs, vm::MIN_CHECKPOINT_INTERVAL).unwrap();
    assert!(
        bundle.checkpoints[2].len() >= 2,
        "the spin passes checkpoints: {:?}",
        bundle.checkpoints[2].len()
    );
    assert_eq!(replay_block(&vm(), &bundle, TraceLevel::HashOnly).unwrap().divergence, None);
    let key = StateKey::Storage { token: block_token(2), key: b"k".to_vec() };
    let w = bundle.witness.iter_mut().find(|w| w.token == block_token(2)).unwrap();
    w.witness.entries.iter_mut().find(|e| e.key == key).unwrap().value = Some(vec![7]);
    let divergence =
        replay_block(&vm(), &bundle, TraceLevel::HashOnly).unwrap().divergence.expect("diverges");
    assert_eq!(divergence.index, 2);
    assert_eq!(divergence.mismatches, ["gas_used", "trace_hash", "receipt_hash"]);
    // The read is before the first checkpoint: the first window already differs.
    let window = divergence.window.expect("a divergent window");
    assert_eq!((window.position, window.last_agreed), (0, None));
}
