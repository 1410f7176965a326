//! End-to-end tests of the script ABI in the CLI (`spec/abi.md#script-abi`): `inspect` of a
//! module, typed arguments in transaction files, receipts decoded in text and JSON, gas charged
//! for the section's bytes and nothing else; and the messages that point at the cause: toolchain
//! hints, limits with their values, arguments in words, the example state with storage.

mod common;

use common::{no_panic, root, tsvm};
use predicates::prelude::*;
use predicates::str::contains;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// The `tsvm.abi` custom section holding `payload`.
fn abi_section(payload: &[u8]) -> Vec<u8> {
    abi::script_abi::custom_section(abi::script_abi::ABI_SECTION, payload)
}

/// `examples/token.abi.json` as the section holds it: compact JSON (every byte costs gas).
fn token_abi_payload() -> Vec<u8> {
    let text = std::fs::read(root().join("examples/token.abi.json")).unwrap();
    serde_json::to_vec(&serde_json::from_slice::<serde_json::Value>(&text).unwrap()).unwrap()
}

/// `examples/token.wat` compiled, with `examples/token.abi.json` appended as its `tsvm.abi` section.
fn token_with_abi() -> Vec<u8> {
    let text = std::fs::read_to_string(root().join("examples/token.wat")).unwrap();
    let mut code = wat::parse_str(&text).unwrap();
    code.extend_from_slice(&abi_section(&token_abi_payload()));
    code
}

/// `examples/token-abi.wasm` is exactly the example token plus its ABI: regenerate it with
/// `TSVM_WRITE_EXAMPLES=1 cargo test -p tsvm-cli --test abi` after changing either.
#[test]
fn token_abi_wasm_is_the_example_token_plus_its_abi() {
    let want = token_with_abi();
    let path = root().join("examples/token-abi.wasm");
    if std::env::var_os("TSVM_WRITE_EXAMPLES").is_some() {
        std::fs::write(&path, &want).unwrap();
    }
    let have = std::fs::read(&path).expect("examples/token-abi.wasm");
    assert!(have == want, "examples/token-abi.wasm is stale: regenerate it (see this test's doc)");
}

#[test]
fn inspect_prints_the_module_and_its_abi() {
    tsvm().args(["inspect", "examples/token-abi.wasm"]).assert().code(0).stdout(
        contains("valid         yes")
            .and(contains("imports       10: tsvm.input_size"))
            .and(contains("abi           \"limited token\", abi_version 1"))
            .and(contains("  view        count() -> u64"))
            .and(contains("  method      reward(to: address, amount: u64)"))
            .and(contains("  event       \"transfer\": u128"))
            .and(contains("  storage     \"limit\": u64")),
    );
    let out = tsvm().args(["inspect", "--json", "examples/token-abi.wasm"]).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["kind"], "module");
    assert_eq!(v["abi"]["name"], "limited token");
    let section = v["custom_sections"].as_array().unwrap().iter().find(|c| c["name"] == "tsvm.abi").unwrap();
    assert_eq!(v["abi_gas"], section["bytes"].as_u64().unwrap() * 150);
    tsvm().args(["inspect", "examples/token.wat"]).assert().code(0).stdout(contains("abi           none"));
}

#[test]
fn a_malformed_abi_section_is_an_error_for_inspect_and_a_warning_for_run() {
    let dir = TempDir::new().unwrap();
    let mut code =
        wat::parse_str(std::fs::read_to_string(root().join("examples/token.wat")).unwrap()).unwrap();
    code.extend_from_slice(&abi_section(br#"{"abi_version":1,"name":"x","hooks":[],"views":[{"name":"count","args":[],"returns":"u65"}],"methods":[]}"#));
    let module = dir.path().join("bad.wasm");
    std::fs::write(&module, &code).unwrap();
    tsvm()
        .arg("inspect")
        .arg(&module)
        .assert()
        .code(3)
        .stderr(contains("$.views[0].returns: unknown type \"u65\"").and(no_panic()));
    run_pieces(&module, "examples/state-with-storage.json", r#"{"kind":"view","name":"count","args":"0x"}"#)
        .assert()
        .code(0)
        .stdout(contains("return data   0x0200000000000000"))
        .stderr(contains("ignoring the module's ABI").and(no_panic()));
}

/// `tsvm run` by pieces, the call written to a temp file.
fn run_pieces(module: &Path, state: &str, call: &str) -> assert_cmd::Command {
    let dir = TempDir::new().unwrap().keep();
    let call_file = dir.join("call.json");
    std::fs::write(&call_file, call).unwrap();
    let mut cmd = tsvm();
    cmd.arg("run")
        .arg("--module")
        .arg(module)
        .args(["--state", state, "--token", &format!("0x{}", "70".repeat(32))])
        .arg("--call")
        .arg(&call_file)
        .args(["--context", "examples/context.json", "--gas-limit", "1000000"]);
    cmd
}

#[test]
fn the_example_state_with_storage_is_read_by_the_view() {
    // examples/state-with-storage.json holds count = 2 (spec/abi.md#state-files).
    run_pieces(
        &root().join("examples/token.wat"),
        "examples/state-with-storage.json",
        r#"{"kind":"view","name":"count","args":"0x"}"#,
    )
    .assert()
    .code(0)
    .stdout(contains("status        success (0)").and(contains("return data   0x0200000000000000\n")));
    run_pieces(
        &root().join("examples/token-abi.wasm"),
        "examples/state-with-storage.json",
        r#"{"kind":"view","name":"count","args":[]}"#,
    )
    .assert()
    .code(0)
    .stdout(contains("return data   0x0200000000000000\n              = \"2\"\n"));
}

#[test]
fn typed_args_run_and_the_receipt_is_decoded() {
    let out = tsvm().args(["run", "examples/set-limit.typed.json"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("args          = {\"limit\":\"500\"}"), "{text}");
    assert!(text.contains("storage[\"limit\"] of 0x7070"), "{text}");
    assert!(text.contains("    = \"limit\": \"1000\" -> \"500\""), "{text}");
    let json = tsvm().args(["run", "--json", "examples/set-limit.typed.json"]).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["receipt"]["status"], "success");
    assert_eq!(v["decoded"]["abi"], "limited token");
    assert_eq!(v["decoded"]["diff"][0], serde_json::json!({"key": "count", "old": "2", "new": "3"}));
    assert_eq!(v["decoded"]["diff"][1], serde_json::json!({"key": "limit", "old": "1000", "new": "500"}));
    // The output is still a receipt file the other commands read.
    let dir = TempDir::new().unwrap();
    let receipt = dir.path().join("r.json");
    std::fs::write(&receipt, &json.stdout).unwrap();
    tsvm().arg("inspect").arg(&receipt).assert().code(0).stdout(contains("status        success"));
    // A bundle holds the module, so inspecting it decodes the expected receipt too; it replays.
    let bundle = dir.path().join("b.json");
    tsvm().args(["run", "examples/set-limit.typed.json", "--bundle"]).arg(&bundle).assert().code(0);
    tsvm()
        .arg("inspect")
        .arg(&bundle)
        .assert()
        .code(0)
        .stdout(contains("      = \"limit\": \"1000\" -> \"500\""));
    tsvm().arg("replay").arg(&bundle).assert().code(0);
}

/// The typed tx with its args replaced by `args`, in a temp dir next to copies of what it names.
fn typed_tx(args: serde_json::Value, module: &str) -> (TempDir, PathBuf) {
    let dir = TempDir::new().unwrap();
    for f in ["token-abi.wasm", "token.wat", "state-with-storage.json"] {
        std::fs::copy(root().join("examples").join(f), dir.path().join(f)).unwrap();
    }
    let mut tx: serde_json::Value =
        serde_json::from_slice(&std::fs::read(root().join("examples/set-limit.typed.json")).unwrap())
            .unwrap();
    tx["call"]["args"] = args;
    tx["module"] = module.into();
    let p = dir.path().join("tx.json");
    std::fs::write(&p, serde_json::to_vec(&tx).unwrap()).unwrap();
    (dir, p)
}

#[test]
fn typed_args_encode_to_the_same_bytes_as_hex() {
    let receipt = |args: serde_json::Value| {
        let (_dir, p) = typed_tx(args, "token-abi.wasm");
        let out = tsvm().arg("run").arg("--json").arg(&p).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()["receipt"].clone()
    };
    let hex = receipt(serde_json::json!("0xf401000000000000"));
    assert_eq!(receipt(serde_json::json!({"limit": "500"})), hex);
    assert_eq!(receipt(serde_json::json!(["500"])), hex);
    assert_eq!(receipt(serde_json::json!([500])), hex);
}

#[test]
fn bad_typed_args_name_the_argument_and_the_type() {
    for (args, module, want) in [
        (serde_json::json!({"limit": "-1"}), "token-abi.wasm", "$.args.limit: expected u64"),
        (serde_json::json!({"limits": "1"}), "token-abi.wasm", "has no argument `limits`"),
        (serde_json::json!([]), "token-abi.wasm", "takes 1 arguments, found 0"),
        (serde_json::json!({"limit": "1"}), "token.wat", "has none; give `args` as 0x hex"),
    ] {
        let (_dir, p) = typed_tx(args, module);
        tsvm()
            .arg("run")
            .arg(&p)
            .assert()
            .code(3)
            .stderr(contains("field `call.args`").and(contains(want)).and(no_panic()));
    }
}

/// The ABI section is code bytes: `code_byte` gas each, and nothing else changes
/// (`spec/abi.md#script-abi`).
#[test]
fn the_abi_section_costs_its_bytes_and_nothing_else() {
    let gas = |module: &str| {
        let out = run_pieces(
            &root().join(module),
            "examples/state-with-storage.json",
            r#"{"kind":"view","name":"count","args":"0x"}"#,
        )
        .arg("--json")
        .output()
        .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        (
            v["receipt"]["gas_used"].as_u64().unwrap(),
            v["receipt"]["return_data"].clone(),
            v["receipt"]["trace_hash"].clone(),
        )
    };
    let (plain, ret_plain, _) = gas("examples/token.wat");
    let (with_abi, ret_abi, _) = gas("examples/token-abi.wasm");
    let section = abi_section(&token_abi_payload()).len() as u64;
    assert_eq!(with_abi - plain, 150 * section);
    assert_eq!(ret_plain, ret_abi);
}

#[test]
fn validate_prints_toolchain_hints() {
    let dir = TempDir::new().unwrap();
    let p = dir.path().join("start.wat");
    std::fs::write(&p, r#"(module (import "env" "memcpy" (func (param i32 i32 i32) (result i32))) (memory (export "memory") 1) (func $s) (start $s))"#).unwrap();
    tsvm().arg("validate").arg(&p).assert().code(6).stdout(
        contains("    hint: your toolchain added a start function")
            .and(contains("    hint: the compiler called a libc memory function: use -mbulk-memory")),
    );
    let out = tsvm().arg("validate").arg("--json").arg(&p).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["modules"][0]["violations"].as_array().unwrap().iter().all(|x| x["hint"].is_string()));
}

#[test]
fn limits_are_named_with_their_values_and_arguments_in_words() {
    let dir = TempDir::new().unwrap();
    let module = dir.path().join("m.wat");
    std::fs::write(
        &module,
        r#"(module
          (import "tsvm" "emit_event" (func $emit (param i32 i32 i32 i32)))
          (import "tsvm" "cancel_native" (func $cancel))
          (memory (export "memory") 1)
          (func (export "method_big") (call $emit (i32.const 0) (i32.const 1) (i32.const 0) (i32.const 4097)))
          (func (export "method_cancel") (call $cancel)))"#,
    )
    .unwrap();
    let state = root().join("examples/state.json");
    let state = state.to_str().unwrap();
    run_pieces(&module, state, r#"{"kind":"method","name":"big","args":"0x"}"#)
        .assert()
        .code(0)
        .stdout(contains("cause         limit_exceeded: max_event_data_len (4,096 bytes)\n"));
    run_pieces(&module, state, r#"{"kind":"method","name":"cancel","args":"0x"}"#)
        .assert()
        .code(0)
        .stdout(contains("cause         invalid_argument: cancel_native called outside a before-hook"));
}

/// Guest logs also go to the host's `tracing`, target `tsvm::guest`, level mapped
/// (`spec/abi.md#events-and-logs`): `warn` shows by default, `debug` with `-vv`.
#[test]
fn guest_logs_go_to_tracing_with_their_level() {
    let dir = TempDir::new().unwrap();
    let module = dir.path().join("log.wat");
    std::fs::write(
        &module,
        r#"(module
          (import "tsvm" "log" (func $log (param i32 i32 i32)))
          (memory (export "memory") 1)
          (data (i32.const 0) "careful")
          (data (i32.const 16) "detail")
          (func (export "method_go")
            (call $log (i32.const 2) (i32.const 0) (i32.const 7))
            (call $log (i32.const 0) (i32.const 16) (i32.const 6))))"#,
    )
    .unwrap();
    let state = root().join("examples/state.json");
    let call = r#"{"kind":"method","name":"go","args":"0x"}"#;
    run_pieces(&module, state.to_str().unwrap(), call)
        .assert()
        .code(0)
        .stdout(contains("  warn \"careful\"").and(contains("  debug \"detail\"")))
        .stderr(
            contains("WARN")
                .and(contains("tsvm::guest"))
                .and(contains("careful"))
                .and(contains("detail").not()),
        );
    run_pieces(&module, state.to_str().unwrap(), call)
        .arg("-vv")
        .assert()
        .code(0)
        .stderr(contains("DEBUG").and(contains("tsvm::guest")).and(contains("detail")));
}

/// With typed args, an error elsewhere in the file still names its field.
#[test]
fn typed_args_keep_other_fields_checked() {
    let (_dir, p) = typed_tx(serde_json::json!({"limit": "1"}), "token-abi.wasm");
    let mut tx: serde_json::Value = serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap();
    tx["gas_limit"] = "lots".into();
    std::fs::write(&p, serde_json::to_vec(&tx).unwrap()).unwrap();
    tsvm().arg("run").arg(&p).assert().code(3).stderr(contains("field `gas_limit`").and(no_panic()));
}
