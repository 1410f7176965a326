//! Conformance vectors (`spec/vectors/README.md`): module, call, state, gas limit -> status, gas
//! used, return data, diff, and the golden diff, trace and receipt hashes. They pin the gas table and the host's behaviour: a change in any
//! expected value is a consensus change and requires a new spec version.
//!
//! Regenerate on purpose only: `TSVM_BLESS=1 cargo test -p tsvm-tests --test main vectors::conformance_vectors_hold`.

use abi::{Call, Context, Hash32, Invocation, StateDiff, StatusCode};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use tsvm_tests::*;
use vm::{InMemoryState, Transaction, GAS_TABLE_VERSION};

/// blake3 of `spec/vectors/conformance.json` for each (gas table, profile, ABI) version. A version's vectors
/// are frozen: when expected values change, bump `GAS_TABLE_VERSION` (or the profile or ABI version)
/// and add a line.
const PINNED: &[((u32, u32, u32), &str)] = &[
    // Version 1's file was `gas.json`, with `spec_version` for `versions`.
    ((1, 1, 1), "0x27f14bd95408a3d40c887bd69e01238d811f1014cf150cce7bb188811c3d9440"),
    // Gas table 2 (fairness repricing, host steps, checkpoints v2, trace v2 with faults and the
    // token metadata), profile 2 (max_frame_units), ABI 2 (engine_rejected, faults).
    // Re-pinned when the file became `conformance.json` with `versions` for `spec_version`: the
    // vectors, state and context are unchanged (the digest before was 0x436736ec...de8e).
    ((2, 2, 2), "0x0d80a6294acc77b13d1e2ddca37106f4b928d5ea64d215855450f7f3a5418b73"),
    // ABI 3: trace v3 (compact gas fields and host-call values) and receipt v3 (not over the
    // diff's bytes). Statuses, gas, return data, diffs and diff hashes are unchanged; the trace,
    // receipt and rules hashes are new.
    ((2, 2, 3), "0x0fb02c6fbb189b05fd799a8b9b2c9a9a5b76eb3d3803620e25c1e7415e931fd5"),
    // Profile 3: a memory of 1-byte pages (custom page sizes). The 23 earlier vectors keep their
    // statuses, gas, return data, diffs and diff hashes (the trace and receipt hashes are new: the
    // rules hash is); four new vectors pin such a memory's size, end and data segment (`memory.wat`).
    ((2, 3, 3), "0x9f2e5d64f2c6ba7ffcf40fe7fdff692e8322e882b5e145b5b5ae62cf3246ed2f"),
];

#[derive(Serialize, Deserialize, PartialEq, Debug)]
#[serde(deny_unknown_fields)]
struct VectorFile {
    versions: Versions,
    rules_hash: Hash32,
    context: Context,
    state: InMemoryState,
    vectors: Vec<Vector>,
}

/// The versions a vector file was made under: all three must be this build's.
#[derive(Serialize, Deserialize, PartialEq, Eq, Debug, Clone, Copy)]
#[serde(deny_unknown_fields)]
struct Versions {
    gas_table: u32,
    profile: u32,
    abi: u32,
}

impl Versions {
    fn current() -> Self {
        Self { gas_table: GAS_TABLE_VERSION, profile: vm::PROFILE_VERSION, abi: abi::ABI_VERSION }
    }
}

#[derive(Serialize, Deserialize, PartialEq, Debug)]
#[serde(deny_unknown_fields)]
struct Vector {
    name: String,
    /// A `.wat` file under `spec/vectors/modules/`.
    module: String,
    call: Call,
    gas_limit: u64,
    expect: Expect,
}

#[derive(Serialize, Deserialize, PartialEq, Debug, Clone)]
#[serde(deny_unknown_fields)]
struct Expect {
    status: StatusCode,
    gas_used: u64,
    #[serde(with = "abi::hex::bytes")]
    return_data: Vec<u8>,
    diff: StateDiff,
    diff_hash: Hash32,
    trace_hash: Hash32,
    receipt_hash: Hash32,
}

/// The vector file, under [`dir`].
const FILE: &str = "conformance.json";

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../spec/vectors")
}

fn execute(file: &VectorFile, v: &Vector) -> Expect {
    let wat = std::fs::read_to_string(dir().join("modules").join(&v.module)).unwrap();
    let code = wasm(&wat);
    let invocation = Invocation { token: TOKEN, call: v.call.clone() };
    let tx =
        Transaction { code: &code, invocation: &invocation, context: &file.context, gas_limit: v.gas_limit };
    let vm = vm();
    let r = vm.execute(&file.state, &tx).unwrap();
    // spec/profile.md: profiling this vector changes nothing and adds up to its gas.
    tsvm_tests::oracles::profile::check_profiled(&vm, &file.state, &tx, &r);
    // spec/abi.md#instance-reuse: and so does running it on a kept instance.
    assert_eq!(tsvm_tests::oracles::session::check_in_session(&vm, &file.state, &tx).receipt, r);
    Expect {
        status: r.status,
        gas_used: r.gas_used,
        return_data: r.return_data,
        diff: r.diff,
        diff_hash: r.diff_hash,
        trace_hash: r.trace_hash,
        receipt_hash: r.receipt_hash,
    }
}

#[test]
fn conformance_vectors_hold() {
    let path = dir().join(FILE);
    let text = std::fs::read_to_string(&path).unwrap();
    let mut file: VectorFile = serde_json::from_str(&text).unwrap();
    if std::env::var_os("TSVM_BLESS").is_some() {
        file.versions = Versions::current();
        file.rules_hash = vm().rules_hash();
        let got: Vec<Expect> = file.vectors.iter().map(|v| execute(&file, v)).collect();
        for (v, e) in file.vectors.iter_mut().zip(got) {
            v.expect = e;
        }
        std::fs::write(&path, serde_json::to_string_pretty(&file).unwrap() + "\n").unwrap();
        return;
    }
    assert_eq!(file.versions, Versions::current(), "vectors were made for other versions");
    assert_eq!(file.rules_hash, vm().rules_hash(), "the rules changed: bump the spec version and re-bless");
    let mut failures = Vec::new();
    for v in &file.vectors {
        let got = execute(&file, v);
        if got != v.expect {
            failures.push(format!("{}: expected {:?}\n   got {:?}", v.name, v.expect, got));
        }
    }
    assert!(failures.is_empty(), "vectors diverged:\n{}", failures.join("\n"));
}

#[test]
fn vectors_are_frozen_per_version() {
    let text = std::fs::read(dir().join(FILE)).unwrap();
    let digest = abi::hex::encode(blake3::hash(&text).as_bytes());
    let mut modules: Vec<_> =
        std::fs::read_dir(dir().join("modules")).unwrap().map(|e| e.unwrap().path()).collect();
    modules.sort();
    let mut h = blake3::Hasher::new();
    h.update(digest.as_bytes());
    for m in modules {
        h.update(m.file_name().unwrap().to_string_lossy().as_bytes());
        h.update(&std::fs::read(m).unwrap());
    }
    let digest = abi::hex::encode(h.finalize().as_bytes());
    let Versions { gas_table, profile, abi } = Versions::current();
    let versions = (gas_table, profile, abi);
    let pinned = PINNED.iter().find(|(v, _)| *v == versions).map(|(_, d)| *d);
    assert_eq!(
        pinned,
        Some(digest.as_str()),
        "spec/vectors changed without a new spec version: bump GAS_TABLE_VERSION (spec/gas.md#versioning) \
         and pin the new digest"
    );
}

#[test]
fn vector_file_has_every_status_it_claims_to_cover() {
    let file: VectorFile = serde_json::from_str(&std::fs::read_to_string(dir().join(FILE)).unwrap()).unwrap();
    let statuses: std::collections::BTreeSet<_> = file.vectors.iter().map(|v| v.expect.status).collect();
    for s in [
        StatusCode::Success,
        StatusCode::OutOfGas,
        StatusCode::Reverted,
        StatusCode::StackOverflow,
        StatusCode::Trap,
    ] {
        assert!(statuses.contains(&s), "no vector ends in {s:?}");
    }
}
