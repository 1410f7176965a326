//! What `tsvm inspect module.wasm|module.wat` shows of a module: its size and hash, whether it
//! passes the profile, its imports, exports and custom sections, and its script ABI
//! (`spec/abi.md#script-abi`). Read with a plain parse, so invalid modules are shown too.

use abi::ScriptAbi;
use serde::Serialize;
use wasmparser::{ExternalKind, Imports, Parser, Payload, TypeRef};

/// An import or export: module (imports only), name and kind (`func`, `memory`, `global`, ...).
#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// The import's module.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub module: Option<String>,
    /// The name.
    pub name: String,
    /// `func`, `table`, `memory`, `global` or `tag`.
    pub kind: &'static str,
}

/// A custom section: its name and the bytes it takes in the module (id and size included).
#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct Custom {
    /// The section's name.
    pub name: String,
    /// Bytes of the module it takes (each is charged `code_byte` gas on every call).
    pub bytes: u64,
}

/// The facts `inspect` prints (`--json` prints this, with `"kind": "module"`).
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct ModuleFacts {
    /// Always `"module"`.
    pub kind: &'static str,
    /// Size in bytes.
    pub size: u64,
    /// blake3 content hash.
    pub code_hash: String,
    /// Whether the module passes the determinism profile.
    pub valid: bool,
    /// How many violations `tsvm validate` lists.
    pub violations: usize,
    /// Imports in order.
    pub imports: Vec<Item>,
    /// Exports in order.
    pub exports: Vec<Item>,
    /// Custom sections in order.
    pub custom_sections: Vec<Custom>,
    /// The script ABI's JSON (`spec/abi.md#script-abi`), `null` without a `tsvm.abi` section.
    pub abi: Option<serde_json::Value>,
    /// Gas every call pays for the `tsvm.abi` section's bytes (`code_byte` each).
    pub abi_gas: u64,
    /// The ABI, for rendering.
    #[serde(skip)]
    pub script_abi: Option<ScriptAbi>,
}

fn extern_kind(k: ExternalKind) -> &'static str {
    match k {
        ExternalKind::Func | ExternalKind::FuncExact => "func",
        ExternalKind::Table => "table",
        ExternalKind::Memory => "memory",
        ExternalKind::Global => "global",
        ExternalKind::Tag => "tag",
    }
}

fn type_kind(t: TypeRef) -> &'static str {
    match t {
        TypeRef::Func(_) | TypeRef::FuncExact(_) => "func",
        TypeRef::Table(_) => "table",
        TypeRef::Memory(_) => "memory",
        TypeRef::Global(_) => "global",
        TypeRef::Tag(_) => "tag",
    }
}

/// Bytes of a LEB128 encoding of `n`.
fn leb_len(mut n: u64) -> u64 {
    let mut len = 1;
    while n >= 0x80 {
        n >>= 7;
        len += 1;
    }
    len
}

impl ModuleFacts {
    /// Reads the facts of a module.
    ///
    /// # Errors
    /// A module whose imports, exports or section framing do not parse, or whose `tsvm.abi`
    /// section is malformed (`spec/abi.md#malformed-sections`): the message says what.
    pub fn read(code: &[u8]) -> Result<Self, String> {
        let rules = vm::Rules::default();
        let script_abi = ScriptAbi::from_module(code).map_err(|e| e.to_string())?;
        let (mut imports, mut exports, mut custom_sections) = (Vec::new(), Vec::new(), Vec::new());
        for payload in Parser::new(0).parse_all(code) {
            match payload.map_err(|e| format!("not a WebAssembly module: {e}"))? {
                Payload::ImportSection(s) => {
                    for group in s {
                        let group = group.map_err(|e| e.to_string())?;
                        let list: Vec<(String, String, TypeRef)> = match group {
                            Imports::Single(_, i) => vec![(i.module.into(), i.name.into(), i.ty)],
                            Imports::Compact1 { module, items } => items
                                .into_iter()
                                .map(|i| i.map(|i| (module.into(), i.name.into(), i.ty)))
                                .collect::<Result<_, _>>()
                                .map_err(|e| e.to_string())?,
                            Imports::Compact2 { module, names, ty } => names
                                .into_iter()
                                .map(|n| n.map(|n| (module.into(), n.into(), ty)))
                                .collect::<Result<_, _>>()
                                .map_err(|e| e.to_string())?,
                        };
                        imports.extend(list.into_iter().map(|(module, name, ty)| Item {
                            module: Some(module),
                            name,
                            kind: type_kind(ty),
                        }));
                    }
                }
                Payload::ExportSection(s) => {
                    for e in s {
                        let e = e.map_err(|e| e.to_string())?;
                        exports.push(Item { module: None, name: e.name.into(), kind: extern_kind(e.kind) });
                    }
                }
                Payload::CustomSection(c) => {
                    let content = c.range().end - c.range().start;
                    custom_sections
                        .push(Custom { name: c.name().into(), bytes: 1 + leb_len(content) + content });
                }
                _ => {}
            }
        }
        let abi_bytes =
            custom_sections.iter().filter(|c| c.name == abi::script_abi::ABI_SECTION).map(|c| c.bytes).sum();
        let violations = vm::validate_all(code, &rules.limits).len();
        Ok(Self {
            kind: "module",
            size: code.len() as u64,
            code_hash: abi::hash::content_hash(code).to_string(),
            valid: violations == 0,
            violations,
            imports,
            exports,
            custom_sections,
            abi: script_abi.as_ref().map(ScriptAbi::to_json),
            abi_gas: rules.gas.code_byte.saturating_mul(abi_bytes),
            script_abi,
        })
    }
}
