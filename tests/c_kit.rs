//! The C kit (`sdk/c/`): its host header is generated from the host table and must not drift
//! (`spec/abi.md#host-functions`), and the committed C examples (`examples/c/*.wasm`) import only
//! host functions (no compiler-rt `__multi3`/`__udivti3`, no `env.*`), export no globals, and pass
//! the determinism profile (`spec/determinism.md`).
//!
//! Regenerate the header on purpose only:
//! `TSVM_BLESS=1 cargo test -p tsvm-tests --test main c_kit::header_matches_the_host_table`.

use std::path::{Path, PathBuf};
use wasmparser::{ExternalKind, Parser, Payload, TypeRef};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The six C examples, by file stem (`examples/c/<name>.wasm`).
pub const C_EXAMPLES: [&str; 6] = ["limit", "counter", "escrow", "vesting", "fee", "policy"];

#[test]
fn header_matches_the_host_table() {
    let path = repo().join("sdk/c/tsvm.h");
    let generated = tsvm_tests::c_header::c_header().unwrap_or_else(|e| panic!("generator: {e}"));
    if std::env::var_os("TSVM_BLESS").is_some() {
        std::fs::write(&path, &generated).expect("write sdk/c/tsvm.h");
    }
    let committed = std::fs::read_to_string(&path).expect("read sdk/c/tsvm.h");
    assert!(
        committed == generated,
        "sdk/c/tsvm.h differs from the host table: regenerate it with TSVM_BLESS=1 (see this file's header)"
    );
    for f in abi::HOST_FUNCTIONS {
        assert!(committed.contains(&format!("TSVM_IMPORT({0})", f.name)), "{} missing", f.name);
    }
}

/// Every import, export kind and custom section name of `wasm`.
fn imports_exports(wasm: &[u8]) -> (Vec<(String, String, bool)>, Vec<(String, ExternalKind)>, Vec<String>) {
    let (mut imports, mut exports, mut customs) = (Vec::new(), Vec::new(), Vec::new());
    for payload in Parser::new(0).parse_all(wasm) {
        match payload.expect("the committed example parses") {
            Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    let import = import.expect("import");
                    let is_func = matches!(import.ty, TypeRef::Func(_));
                    imports.push((import.module.to_string(), import.name.to_string(), is_func));
                }
            }
            Payload::ExportSection(reader) => {
                for export in reader {
                    let export = export.expect("export");
                    exports.push((export.name.to_string(), export.kind));
                }
            }
            Payload::CustomSection(c) => customs.push(c.name().to_string()),
            _ => {}
        }
    }
    (imports, exports, customs)
}

#[test]
fn c_examples_import_only_host_functions_and_validate() {
    let limits = vm::Limits::default();
    for name in C_EXAMPLES {
        let wasm = std::fs::read(repo().join(format!("examples/c/{name}.wasm"))).expect("committed example");
        let (imports, exports, customs) = imports_exports(&wasm);
        assert!(!imports.is_empty(), "{name}: no imports at all?");
        for (module, field, is_func) in &imports {
            assert!(!field.starts_with("__"), "{name}: compiler-rt import {module}.{field}");
            assert_eq!(module, abi::HOST_MODULE, "{name}: import {module}.{field}");
            assert!(*is_func && abi::host_function(field).is_some(), "{name}: import {field}");
        }
        for (export, kind) in &exports {
            assert!(
                matches!(kind, ExternalKind::Func) || (export == "memory" && *kind == ExternalKind::Memory),
                "{name}: exports {export} ({kind:?})"
            );
        }
        assert_eq!(customs, ["tsvm.abi"], "{name}: custom sections");
        let bytes = wasm.windows(8).any(|w| w == b"__multi3" || w == b"__udivti");
        assert!(!bytes, "{name}: names a compiler-rt routine");
        let errors = vm::validate_all(&wasm, &limits);
        assert!(errors.is_empty(), "{name}: {errors:?}");
    }
}
