//! `tsvm profile` (`spec/profile.md`) on the examples: the token script's transaction files and
//! bundle, and a transfer through each C example script (stripped of names: `func[N]`). Each
//! profile adds up to its receipt's `gas_used`, the folded output has the format inferno reads,
//! the speedscope output the file format's shape, and a bundle profiles like its live execution.

mod common;

use common::root;
use serde_json::Value;
use std::path::{Path, PathBuf};
use tsvm_cli::exit::{Failure, Output};
use tsvm_cli::{ProfileCmd, RunCmd};

#[track_caller]
fn ok(result: Result<Output, Failure>) -> String {
    let out = result.unwrap_or_else(|f| panic!("exit {}: {:#}", f.code, f.error));
    assert_eq!(out.code, 0);
    out.stdout
}

fn profile(input: &Path, folded: bool, speedscope: bool, json: bool) -> String {
    let cmd = ProfileCmd { input: input.to_path_buf(), folded, speedscope, json, top: 20 };
    ok(cmd.run())
}

/// The receipt's `gas_used` of a transaction file, from `tsvm run --json`.
fn gas_used(tx: &Path) -> u64 {
    let out = ok(RunCmd { tx: Some(tx.to_path_buf()), json: true, ..RunCmd::default() }.run());
    let v: Value = serde_json::from_str(&out).expect("run --json");
    v["receipt"]["gas_used"].as_u64().unwrap_or_else(|| panic!("no gas_used in {out}"))
}

/// Checks the folded format inferno reads (`frame;frame;... WEIGHT` a line: non-empty frames
/// without `;`-made empty names, a positive integer weight after the last space) and returns the
/// sum of the weights and every frame seen.
#[track_caller]
fn folded_total(text: &str) -> (u64, Vec<String>) {
    let mut total = 0;
    let mut frames = Vec::new();
    for line in text.lines() {
        let (stack, weight) = line.rsplit_once(' ').unwrap_or_else(|| panic!("no weight: {line:?}"));
        let weight: u64 = weight.parse().unwrap_or_else(|e| panic!("weight of {line:?}: {e}"));
        assert!(weight > 0, "{line:?}");
        for frame in stack.split(';') {
            assert!(!frame.is_empty() && !frame.contains('\n'), "empty frame in {line:?}");
            frames.push(frame.to_string());
        }
        total += weight;
    }
    (total, frames)
}

#[track_caller]
fn check_all_formats(input: &Path, gas: u64) -> Vec<String> {
    let (total, frames) = folded_total(&profile(input, true, false, false));
    assert_eq!(total, gas, "{}: folded total", input.display());
    let json: Value = serde_json::from_str(&profile(input, false, false, true)).expect("--json");
    assert_eq!(json["gas_used"], gas);
    let stacks = json["profile"]["stacks"].as_array().expect("stacks");
    assert_eq!(stacks.iter().map(|s| s["gas"].as_u64().unwrap()).sum::<u64>(), gas);
    let s: Value = serde_json::from_str(&profile(input, false, true, false)).expect("--speedscope");
    assert_eq!(s["$schema"], "https://www.speedscope.app/file-format-schema.json");
    let p = &s["profiles"][0];
    assert_eq!((p["type"].as_str(), p["unit"].as_str()), (Some("sampled"), Some("none")));
    let weights: u64 = p["weights"].as_array().unwrap().iter().map(|w| w.as_u64().unwrap()).sum();
    assert_eq!((weights, p["endValue"].as_u64()), (gas, Some(gas)));
    let nframes = s["shared"]["frames"].as_array().unwrap().len() as u64;
    for sample in p["samples"].as_array().unwrap() {
        assert!(sample.as_array().unwrap().iter().all(|i| i.as_u64().unwrap() < nframes));
    }
    let table = profile(input, false, false, false);
    assert!(table.contains(&format!("gas used: {gas} (profile total {gas})")), "{table}");
    frames
}

#[test]
fn the_token_examples_profile_to_their_receipts_gas() {
    let mut frames = Vec::new();
    for tx in ["transfer.json", "transfer-over-limit.json", "view-count.json", "set-limit.typed.json"] {
        let tx = root().join("examples").join(tx);
        frames.extend(check_all_formats(&tx, gas_used(&tx)));
    }
    // The token script has a name section: its functions show by name.
    assert!(frames.iter().any(|f| f == "bump") && frames.iter().any(|f| f == "args"), "{frames:?}");
}

#[test]
fn the_shipped_bundle_profiles_like_its_live_transfer() {
    let bundle = root().join("examples/transfer.bundle.json");
    let live = profile(&root().join("examples/transfer.json"), true, false, false);
    assert_eq!(profile(&bundle, true, false, false), live);
    let from_bundle: Value = serde_json::from_str(&profile(&bundle, false, false, true)).unwrap();
    let from_tx: Value =
        serde_json::from_str(&profile(&root().join("examples/transfer.json"), false, false, true)).unwrap();
    assert_eq!(from_bundle, from_tx);
}

/// A transfer through `examples/c/<name>.wasm`, as a transaction file in `dir`.
fn c_transfer(dir: &Path, name: &str) -> PathBuf {
    let mut tx: Value =
        serde_json::from_slice(&std::fs::read(root().join("examples/transfer.json")).unwrap()).unwrap();
    tx["module"] = root().join(format!("examples/c/{name}.wasm")).to_string_lossy().into();
    tx["state"] = root().join("examples/c/state.json").to_string_lossy().into();
    let path = dir.join(format!("{name}.json"));
    std::fs::write(&path, serde_json::to_vec(&tx).unwrap()).unwrap();
    path
}

#[test]
fn the_c_examples_profile_to_their_receipts_gas_with_unnamed_functions() {
    let dir = std::env::temp_dir().join(format!("tsvm-profile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for name in ["counter", "escrow", "fee", "limit", "policy", "vesting"] {
        let tx = c_transfer(&dir, name);
        let frames = check_all_formats(&tx, gas_used(&tx));
        assert!(frames.iter().any(|f| f.starts_with("func[")), "{name}: {frames:?}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_missing_or_malformed_input_is_a_clear_error() {
    let missing = ProfileCmd { input: root().join("examples/nope.json"), ..ProfileCmd::default() };
    assert!(missing.run().is_err());
    let not_a_bundle = ProfileCmd { input: root().join("examples/token.abi.json"), ..ProfileCmd::default() };
    assert!(not_a_bundle.run().is_err());
}
