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
    for dir in ["abi", "vm", "replay", "tests", "benches"] {
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
