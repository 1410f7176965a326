//! The Rust SDK's host imports (`sdk/src/sys.rs`) against the one host table
//! (`abi::HOST_FUNCTIONS`, `spec/abi.md#host-functions`): same functions in the same order, same
//! parameter names, same Wasm types. Any drift fails here, so the SDK cannot import what the host
//! does not define, or with another signature.

use abi::{WasmType, HOST_FUNCTIONS};

/// The SDK's import declarations.
const SYS: &str = include_str!("../sdk/src/sys.rs");

/// One `pub fn name(p: T, ...) -> R;` of the extern block.
#[derive(Debug, PartialEq)]
struct Decl {
    name: String,
    params: Vec<(String, WasmType)>,
    results: Vec<WasmType>,
}

/// The Wasm type of a Rust parameter or result type of the SDK's externs.
fn wasm_type(rust: &str) -> Result<WasmType, String> {
    match rust.trim() {
        "u32" | "i32" => Ok(WasmType::I32),
        t if t.starts_with("*const ") || t.starts_with("*mut ") => Ok(WasmType::I32),
        "u64" | "i64" => Ok(WasmType::I64),
        other => Err(format!("type `{other}` has no Wasm type in the SDK's externs")),
    }
}

/// Every `pub fn` declared in `src`, parsed.
fn declarations(src: &str) -> Result<Vec<Decl>, String> {
    let mut out = Vec::new();
    for line in src.lines().map(str::trim).filter(|l| l.starts_with("pub fn ")) {
        let sig = line.strip_prefix("pub fn ").and_then(|l| l.strip_suffix(';'));
        let sig = sig.ok_or_else(|| format!("not a one-line declaration: {line}"))?;
        let (name, rest) = sig.split_once('(').ok_or_else(|| format!("no parameters: {line}"))?;
        let (params, ret) = rest.split_once(')').ok_or_else(|| format!("unclosed parameters: {line}"))?;
        let params = params
            .split(',')
            .filter(|p| !p.trim().is_empty())
            .map(|p| {
                let (n, t) = p.split_once(':').ok_or_else(|| format!("unnamed parameter in {line}"))?;
                Ok((n.trim().to_string(), wasm_type(t)?))
            })
            .collect::<Result<_, String>>()?;
        let results = match ret.trim().strip_prefix("->").map(str::trim) {
            None | Some("!") => vec![],
            Some(t) => vec![wasm_type(t)?],
        };
        out.push(Decl { name: name.trim().to_string(), params, results });
    }
    Ok(out)
}

/// Compares `src`'s declarations with the host table; the first difference as an error.
fn check(src: &str) -> Result<(), String> {
    let decls = declarations(src)?;
    if decls.len() != HOST_FUNCTIONS.len() {
        return Err(format!("{} declarations for {} host functions", decls.len(), HOST_FUNCTIONS.len()));
    }
    for (d, f) in decls.iter().zip(HOST_FUNCTIONS) {
        let want = Decl {
            name: f.name.to_string(),
            params: f.param_names.iter().map(|n| n.to_string()).zip(f.params.iter().copied()).collect(),
            results: f.results.to_vec(),
        };
        if *d != want {
            return Err(format!("sdk/src/sys.rs declares {d:?}, the host table has {want:?}"));
        }
    }
    Ok(())
}

#[test]
fn sdk_externs_match_the_host_table() {
    check(SYS).unwrap();
    assert!(SYS.contains("#[link(wasm_import_module = \"tsvm\")]"));
    assert_eq!(abi::HOST_MODULE, "tsvm");
}

#[test]
fn the_check_catches_every_kind_of_drift() {
    let drifts = [
        ("pub fn cancel_native();", ""),      // a function missing
        ("amount_hi: u64", "amount_hi: u32"), // a type
        ("pub fn gas_left() -> u64;", "pub fn gas_left() -> u32;"), // a result type
        ("pub fn gas_left() -> u64;", "pub fn gas_left();"), // a result missing
        ("dst: *mut u8, cap: u32", "cap: u32, dst: *mut u8"), // parameter order
        ("pub fn tx_hash(dst: *mut u8);", "pub fn tx_hash(dst: *mut u8, n: u32);"), // arity
        ("pub fn block_height()", "pub fn block_heights()"), // a name
    ];
    for (from, to) in drifts {
        assert!(SYS.contains(from), "{from}");
        let drifted = SYS.replacen(from, to, 1);
        assert!(check(&drifted).is_err(), "not caught: {from} -> {to}");
    }
    assert!(check("pub fn input_size() -> f32;").is_err());
}
