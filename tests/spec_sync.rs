//! The spec is normative: the code's links into `spec/` resolve, and the tables in `spec/abi.md` are
//! the code's tables.

use abi::{StatusCode, WasmType, HOST_FUNCTIONS};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// GitHub's anchor for a heading: lowercase, spaces to `-`, punctuation other than `-`/`_` dropped.
fn anchor(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

fn anchors(spec: &Path) -> Vec<String> {
    std::fs::read_to_string(spec)
        .unwrap_or_default()
        .lines()
        .filter(|l| l.starts_with('#'))
        .map(|l| anchor(l.trim_start_matches('#')))
        .collect()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if path.is_dir() && name != "target" && !name.starts_with('.') {
            rust_files(&path, out);
        } else if name.ends_with(".rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_spec_link_in_the_code_resolves() {
    let mut files = Vec::new();
    for dir in ["abi", "vm", "cli", "tests", "benches"] {
        rust_files(&root().join(dir), &mut files);
    }
    let mut broken = Vec::new();
    let mut checked = 0;
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for (i, _) in text.match_indices("spec/") {
            let rest = &text[i + 5..];
            let Some(md) = rest.find(".md") else { continue };
            let doc = &rest[..md];
            if doc.is_empty() || !doc.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '-') {
                continue;
            }
            let after = &rest[md + 3..];
            let spec = root().join("spec").join(format!("{doc}.md"));
            if !spec.exists() {
                broken.push(format!("{}: spec/{doc}.md does not exist", file.display()));
                continue;
            }
            if let Some(frag) = after.strip_prefix('#') {
                let frag: String =
                    frag.chars().take_while(|c| c.is_alphanumeric() || *c == '-' || *c == '_').collect();
                if frag.is_empty() {
                    continue; // a link built at run time with `format!`
                }
                checked += 1;
                if !anchors(&spec).contains(&frag) {
                    broken.push(format!("{}: spec/{doc}.md#{frag} has no such section", file.display()));
                }
            }
        }
    }
    assert!(checked > 10, "found only {checked} spec links: the scan is broken");
    assert!(broken.is_empty(), "broken spec links:\n{}", broken.join("\n"));
}

#[test]
fn host_table_in_the_spec_is_the_code_table() {
    let spec = std::fs::read_to_string(root().join("spec/abi.md")).unwrap();
    let ty = |t: &[WasmType]| {
        t.iter().map(|t| if *t == WasmType::I32 { "i32" } else { "i64" }).collect::<Vec<_>>().join(", ")
    };
    for f in HOST_FUNCTIONS {
        let row = format!(
            "| `{}` | ({}) | ({}) | {} | {} |",
            f.name,
            ty(f.params),
            ty(f.results),
            f.base,
            f.per_byte
        );
        assert!(spec.contains(&row), "spec/abi.md lacks the row\n{row}");
    }
    let rows = spec.lines().filter(|l| l.starts_with("| `") && l.matches('|').count() == 6).count();
    assert_eq!(rows, HOST_FUNCTIONS.len(), "spec/abi.md lists host functions the code does not have");
}

#[test]
fn status_codes_in_the_spec_are_the_code_codes() {
    let spec = std::fs::read_to_string(root().join("spec/abi.md")).unwrap();
    for s in StatusCode::ALL {
        let name = serde_json::to_string(s).unwrap();
        let row = format!("| {} | `{}` |", s.code(), name.trim_matches('"'));
        assert!(spec.contains(&row), "spec/abi.md lacks the status row starting {row}");
    }
}

/// `(field, value)` for every field of `Limits::default()`, read from its `Debug` form so that a new
/// field cannot be missed.
fn default_limits() -> Vec<(String, u64)> {
    let debug = format!("{:?}", vm::Limits::default());
    let inner = debug.trim_start_matches("Limits {").trim_end_matches('}');
    inner
        .split(',')
        .filter(|f| !f.trim().is_empty())
        .map(|f| {
            let (name, value) = f.split_once(':').unwrap();
            (name.trim().to_string(), value.trim().parse().unwrap())
        })
        .collect()
}

#[test]
fn every_limit_default_is_in_the_spec() {
    let abi = std::fs::read_to_string(root().join("spec/abi.md")).unwrap();
    let determinism = std::fs::read_to_string(root().join("spec/determinism.md")).unwrap();
    let gas = std::fs::read_to_string(root().join("spec/gas.md")).unwrap();
    let limits = default_limits();
    assert!(limits.len() >= 25, "Limits' Debug form changed: {limits:?}");
    let mut host_rows = 0;
    for (name, value) in &limits {
        let host_row = format!("| `{name}` | {value} |");
        let static_row = format!("| `{name}` | {value}");
        if abi.contains(&host_row) {
            host_rows += 1;
        } else if name == "max_stack_units" {
            let grouped = value
                .to_string()
                .as_bytes()
                .rchunks(3)
                .rev()
                .map(|c| std::str::from_utf8(c).unwrap())
                .collect::<Vec<_>>()
                .join(",");
            assert!(
                gas.contains(&format!("`max_stack_units`\n(default {grouped}")),
                "spec/gas.md lacks max_stack_units = {grouped}"
            );
        } else {
            assert!(
                determinism.contains(&static_row),
                "neither spec/abi.md#host-limits nor spec/determinism.md#limits has {name} = {value}"
            );
        }
    }
    // The host-limits table has no row the code lacks.
    let section = abi.split("### Host limits").nth(1).unwrap().split("\n\n").nth(2).unwrap();
    let rows = section.lines().filter(|l| l.starts_with("| `")).count();
    assert_eq!(rows, host_rows, "spec/abi.md#host-limits lists limits the code does not have:\n{section}");
    assert_eq!(host_rows, 10);
}

#[test]
fn fault_codes_in_the_spec_are_the_code_codes() {
    let spec = std::fs::read_to_string(root().join("spec/abi.md")).unwrap();
    let rows: Vec<(u8, &str)> = abi::TrapKind::ALL
        .iter()
        .map(|k| (k.code(), k.name()))
        .chain(abi::LimitKind::ALL.iter().map(|k| (k.code(), k.name())))
        .chain(abi::ArgumentKind::ALL.iter().map(|k| (k.code(), k.name())))
        .collect();
    for (code, name) in &rows {
        let row = format!("| {code} | `{name}` |");
        assert!(spec.contains(&row), "spec/abi.md#faults lacks the row starting {row}");
    }
    let faults = spec.split("## Faults").nth(1).unwrap().split("\n## ").next().unwrap();
    let spec_rows = faults.lines().filter(|l| l.starts_with("| ") && l.contains(" | `")).count();
    assert_eq!(spec_rows, rows.len(), "spec/abi.md#faults lists kinds the code does not have");
}
