//! The checks of the module's interface: its imports (host functions of the table, with their
//! signatures) and its exports (entry points, the memory, no reserved names)
//! (`spec/determinism.md#imports`, `spec/determinism.md#exports`).

use super::{Checker, Result};
use crate::prepare::validate::hints;
use crate::prepare::validate::rule::{Rule, ValidationError};
use crate::{ExportInfo, Limit};
use abi::names::{MEMORY_EXPORT, RESERVED_EXPORT_PREFIX, RESERVED_IMPORT_PREFIX};
use abi::{EntryKind, WasmType, HOST_MODULE};
use wasmparser::{
    ExportSectionReader, ExternalKind, FuncType, ImportSectionReader, Imports, TypeRef, ValType,
};

impl Checker<'_> {
    /// spec/determinism.md#imports: host functions of the table only, with their signatures.
    pub(super) fn check_imports(&mut self, s: ImportSectionReader<'_>) -> Result<()> {
        let ok = self.limit(Limit::Imports, s.range().start, s.count().into());
        for imports in s.into_iter_with_offsets() {
            let (offset, imports) = imports?;
            let Imports::Single(_, import) = imports else {
                self.err(Rule::OtherFeature, offset, "compact-imports: compact import group");
                continue;
            };
            let what = format!("import `{}.{}`", import.module, import.name);
            let ty = match import.ty {
                TypeRef::Func(ty) => ty,
                TypeRef::FuncExact(_) => {
                    self.err(Rule::OtherFeature, offset, format!("{what}: exact function import"));
                    continue;
                }
                TypeRef::Memory(_) => {
                    self.memory_imported = true;
                    self.err(Rule::ForbiddenImport, offset, format!("{what}: memory import"));
                    continue;
                }
                TypeRef::Table(_) | TypeRef::Global(_) | TypeRef::Tag(_) => {
                    self.err(
                        Rule::ForbiddenImport,
                        offset,
                        format!("{what}: only functions may be imported"),
                    );
                    continue;
                }
            };
            self.num_func_imports = self.num_func_imports.saturating_add(1);
            if ok {
                self.facts.func_types.push(ty);
            }
            // `__` names are reserved whatever the table holds.
            let host = (import.module == HOST_MODULE && !import.name.starts_with(RESERVED_IMPORT_PREFIX))
                .then(|| abi::host_function(import.name))
                .flatten();
            let Some(host) = host else {
                self.err(
                    Rule::ForbiddenImport,
                    offset,
                    format!("{what} is not a host function (module `{HOST_MODULE}`)"),
                );
                self.hint(hints::import(import.module, import.name));
                continue;
            };
            if ok {
                self.facts.imports.push(host.id);
            }
            // An unknown type index is left to the strict validator.
            if let Some(f) = self.func_type(ty) {
                if !same_signature(f, host.params, host.results) {
                    let msg = format!(
                        "{what} has type {}, the host function is {}",
                        FuncTypeDisplay(f),
                        HostSigDisplay(host.params, host.results)
                    );
                    self.err(Rule::ImportSignature, offset, msg);
                }
            }
        }
        Ok(())
    }

    /// spec/determinism.md#exports: functions (entry points with `() -> ()`) and the memory.
    pub(super) fn check_exports(&mut self, s: ExportSectionReader<'_>) -> Result<()> {
        let ok = self.limit(Limit::Exports, s.range().start, s.count().into());
        for export in s.into_iter_with_offsets() {
            let (offset, export) = export?;
            let name = export.name;
            match export.kind {
                ExternalKind::Memory => {
                    if name == MEMORY_EXPORT {
                        self.memory_exported = true;
                    } else {
                        self.err(
                            Rule::ForbiddenExport,
                            offset,
                            format!("memory exported as `{name}`; it must be `{MEMORY_EXPORT}`"),
                        );
                    }
                    continue;
                }
                ExternalKind::Func => {}
                kind => {
                    let kind = match kind {
                        ExternalKind::Global => "global",
                        ExternalKind::Table => "table",
                        ExternalKind::Tag => "tag",
                        _ => "non-function",
                    };
                    self.err(
                        Rule::ForbiddenExport,
                        offset,
                        format!("export `{name}` is a {kind}; only functions and the memory may be exported"),
                    );
                    if kind == "global" {
                        self.hint(hints::exported_global(name));
                    }
                    continue;
                }
            }
            if name.starts_with(RESERVED_EXPORT_PREFIX) {
                self.err(
                    Rule::ForbiddenExport,
                    offset,
                    format!("export name `{name}` uses the reserved prefix `{RESERVED_EXPORT_PREFIX}`"),
                );
                continue;
            }
            if ok {
                self.facts.exports.push(ExportInfo { name: name.to_string(), func_index: export.index });
            }
            let is_entry = EntryKind::classify(name).is_some();
            if !is_entry {
                if let Some(kind) =
                    [EntryKind::View, EntryKind::Method].into_iter().find(|k| name.starts_with(k.prefix()))
                {
                    self.err(
                        Rule::ForbiddenExport,
                        offset,
                        format!(
                            "export `{name}`: invalid {} name after `{}`",
                            if kind == EntryKind::View { "view" } else { "method" },
                            kind.prefix()
                        ),
                    );
                }
                continue;
            }
            // An out-of-range function index is left to the strict validator.
            let ty = self.facts.func_types.get(export.index as usize).copied();
            if let Some(f) = ty.and_then(|t| self.func_type(t)) {
                if !f.params().is_empty() || !f.results().is_empty() {
                    let msg =
                        format!("entry point `{name}` has type {}; it must be () -> ()", FuncTypeDisplay(f));
                    self.errors.push(ValidationError::in_func(
                        export.index,
                        Rule::EntrySignature,
                        offset,
                        msg,
                    ));
                }
            }
        }
        Ok(())
    }
}

fn same_signature(f: &FuncType, params: &[WasmType], results: &[WasmType]) -> bool {
    fn eq(a: &[ValType], b: &[WasmType]) -> bool {
        a.len() == b.len()
            && a.iter()
                .zip(b)
                .all(|(a, b)| matches!((a, b), (ValType::I32, WasmType::I32) | (ValType::I64, WasmType::I64)))
    }
    eq(f.params(), params) && eq(f.results(), results)
}

/// Displays a function type as `(i32, i64) -> (i32)`.
struct FuncTypeDisplay<'a>(&'a FuncType);

impl std::fmt::Display for FuncTypeDisplay<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let list = |ts: &[ValType]| ts.iter().map(|t| t.to_string()).collect::<Vec<_>>().join(", ");
        write!(f, "({}) -> ({})", list(self.0.params()), list(self.0.results()))
    }
}

/// Displays a host signature as `(i32, i64) -> (i32)`.
struct HostSigDisplay<'a>(&'a [WasmType], &'a [WasmType]);

impl std::fmt::Display for HostSigDisplay<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let list = |ts: &[WasmType]| {
            ts.iter()
                .map(|t| match t {
                    WasmType::I32 => "i32",
                    WasmType::I64 => "i64",
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        write!(f, "({}) -> ({})", list(self.0), list(self.1))
    }
}
