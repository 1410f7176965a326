//! A module's facts and its script ABI, one item a line (`tsvm inspect module.wasm`,
//! `spec/abi.md#script-abi`).

use super::{json_name, thousands};
use crate::module_facts::{Item, ModuleFacts};
use abi::script_abi::{Field, Function, StorageDecl};
use std::fmt::Write as _;

fn items(list: &[Item]) -> String {
    let names: Vec<String> = list
        .iter()
        .map(|i| {
            let name = match &i.module {
                Some(m) => format!("{m}.{}", i.name),
                None => i.name.clone(),
            };
            if i.kind == "func" {
                name
            } else {
                format!("{name} ({})", i.kind)
            }
        })
        .collect();
    if names.is_empty() {
        "none".to_string()
    } else {
        format!("{}: {}", names.len(), names.join(", "))
    }
}

fn args(fields: &[Field]) -> String {
    fields.iter().map(|f| format!("{}: {}", f.name, f.ty)).collect::<Vec<_>>().join(", ")
}

fn function(f: &Function) -> String {
    match &f.returns {
        Some(t) => format!("{}({}) -> {t}", f.name, args(&f.args)),
        None => format!("{}({})", f.name, args(&f.args)),
    }
}

/// A module's facts, then its ABI (or `abi  none`).
pub fn module(m: &ModuleFacts) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "module        {} bytes, blake3 {}", thousands(m.size), m.code_hash);
    let _ = if m.valid {
        writeln!(out, "valid         yes")
    } else {
        writeln!(out, "valid         no: {} violations (`tsvm validate` lists them)", m.violations)
    };
    let _ = writeln!(out, "imports       {}", items(&m.imports));
    let _ = writeln!(out, "exports       {}", items(&m.exports));
    let customs: Vec<String> =
        m.custom_sections.iter().map(|c| format!("{} ({} bytes)", c.name, thousands(c.bytes))).collect();
    let _ = writeln!(
        out,
        "custom        {}",
        if customs.is_empty() { "none".to_string() } else { customs.join(", ") }
    );
    let Some(abi) = &m.script_abi else {
        let _ = writeln!(out, "abi           none (no `tsvm.abi` section: arguments and results are hex)");
        return out;
    };
    let _ = writeln!(
        out,
        "abi           {:?}, abi_version {} (the section costs {} gas a call)",
        abi.name,
        abi.abi_version,
        thousands(m.abi_gas)
    );
    let hooks: Vec<String> = abi.hooks.iter().map(json_name).collect();
    let _ = writeln!(
        out,
        "  hooks       {}",
        if hooks.is_empty() { "none".to_string() } else { hooks.join(", ") }
    );
    for f in &abi.views {
        let _ = writeln!(out, "  view        {}", function(f));
    }
    for f in &abi.methods {
        let _ = writeln!(out, "  method      {}", function(f));
    }
    for e in &abi.events {
        let _ = writeln!(out, "  event       {:?}: {}", e.topic, e.ty);
    }
    for s in &abi.storage {
        let _ = match s {
            StorageDecl::Key { key, ty } => writeln!(out, "  storage     {key:?}: {ty}"),
            StorageDecl::Prefix { prefix, key_type, ty } => {
                writeln!(out, "  storage     {prefix:?} ++ {key_type}: {ty}")
            }
        };
    }
    out
}
