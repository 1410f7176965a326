//! End-to-end tests of blocks with the `tsvm` binary (`spec/block.md#files`): `run` of the example
//! block in sequence and in lanes, `replay` of its checked-in block bundle and of a perturbed one,
//! and `diff` of two block results down to the transaction and the event.

mod common;

use common::{no_panic, root, tsvm};
use predicates::str::contains;
use std::path::Path;
use tempfile::TempDir;

fn stdout(args: &[&str]) -> String {
    let out = tsvm().args(args).output().expect("runs");
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8")
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).expect("json")
}

#[test]
fn the_example_block_runs_alike_in_sequence_and_in_lanes() {
    let sequential = stdout(&["run", "examples/block.json", "--json"]);
    assert_eq!(sequential, stdout(&["run", "examples/block.json", "--json", "--lanes"]));
    let result = json(&sequential);
    assert_eq!(result["kind"], "block_result");
    let statuses: Vec<&str> =
        result["receipts"].as_array().unwrap().iter().map(|r| r["status"].as_str().unwrap()).collect();
    assert_eq!(statuses.len(), 14);
    // The over-limit transfers revert, the script upgrade of token 0xa1 (tx 7) lifts its limit,
    // account 3 of token 0xb2 holds nothing (tx 12).
    assert_eq!(
        (statuses[2], statuses[4], statuses[6], statuses[7]),
        ("reverted", "reverted", "reverted", "success")
    );
    assert_eq!(statuses[12], "insufficient_balance");
    // The checked-in bundle pins the block's commitment.
    let bundle = json(&std::fs::read_to_string(root().join("examples/block.bundle.json")).unwrap());
    assert_eq!(result["commitments"], bundle["commitments"]);
    let text = stdout(&["run", "examples/block.json"]);
    assert!(text.contains("tx 13: view count") && text.contains("final state:"), "{text}");
}

#[test]
fn the_example_block_bundle_replays_and_a_perturbed_one_names_its_transaction() {
    tsvm()
        .args(["replay", "examples/block.bundle.json"])
        .assert()
        .success()
        .stdout(contains("matched, 14 transactions"));
    let dir = TempDir::new().unwrap();
    let mut bundle = json(&std::fs::read_to_string(root().join("examples/block.bundle.json")).unwrap());
    // Token 0xd4's supply, first read by the reward mint of transaction 5.
    for w in bundle["witness"].as_array_mut().unwrap() {
        if w["token"].as_str().unwrap().starts_with("0xd4") {
            for e in w["witness"]["entries"].as_array_mut().unwrap() {
                if e["key"]["kind"] == "supply" {
                    e["value"] = abi::hex::encode(&10_001u128.to_le_bytes()).into();
                }
            }
        }
    }
    let perturbed = dir.path().join("perturbed.json");
    std::fs::write(&perturbed, serde_json::to_string(&bundle).unwrap()).unwrap();
    tsvm()
        .args(["replay", perturbed.to_str().unwrap()])
        .assert()
        .code(1)
        .stdout(contains("diverged at transaction 5 of 14: method reward"))
        .stdout(contains("diff_hash"))
        .stderr(no_panic());
    // A borsh block bundle written by `run --bundle` replays too.
    let borsh = dir.path().join("block.bundle");
    stdout(&["run", "examples/block.json", "--bundle", borsh.to_str().unwrap()]);
    tsvm().args(["replay", borsh.to_str().unwrap()]).assert().success().stdout(contains("matched"));
}

#[test]
fn diff_of_two_block_results_names_the_transaction_then_the_event() {
    let dir = TempDir::new().unwrap();
    let examples = root().join("examples");
    let mut other = json(&std::fs::read_to_string(examples.join("block.json")).unwrap());
    // Paths made absolute, so the block file can live in the temp dir.
    let absolute = |v: &serde_json::Value| examples.join(v.as_str().unwrap()).to_str().unwrap().to_string();
    other["state"] = absolute(&other["state"]).into();
    for tx in other["transactions"].as_array_mut().unwrap() {
        tx["module"] = absolute(&tx["module"]).into();
    }
    // Transaction 4 moves 40 instead of 60: below token 0xd4's limit of 50, so it succeeds.
    let amount = &mut other["transactions"][4]["call"]["operation"]["amount"];
    assert_eq!(*amount, "60");
    *amount = "40".into();
    let other_path = dir.path().join("other.json");
    std::fs::write(&other_path, serde_json::to_string(&other).unwrap()).unwrap();
    let left = stdout(&["run", "examples/block.json", "--json", "--trace", "full"]);
    let right = stdout(&["run", other_path.to_str().unwrap(), "--json", "--trace", "full"]);
    let (l, r) = (dir.path().join("l.json"), dir.path().join("r.json"));
    std::fs::write(&l, left).unwrap();
    std::fs::write(&r, right).unwrap();
    let arg = |p: &Path| p.to_str().unwrap().to_string();
    tsvm()
        .args(["diff", &arg(&l), &arg(&r)])
        .assert()
        .code(1)
        .stdout(contains("first divergent transaction: #4"))
        .stdout(contains("first divergent event: #0"));
    tsvm()
        .args(["diff", &arg(&l), &arg(&l)])
        .assert()
        .success()
        .stdout(contains("identical: 14 transactions"));
}
