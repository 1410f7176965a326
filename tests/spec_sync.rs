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

/// The anchors of a markdown document as GitHub makes them: one per heading outside fenced code
/// blocks, a repeated one suffixed `-1`, `-2`, ...
fn anchors(markdown: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut fenced = false;
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
        }
        if fenced || !line.starts_with('#') {
            continue;
        }
        let base = anchor(line.trim_start_matches('#'));
        let repeats =
            out.iter().filter(|a| **a == base || a.strip_prefix(&base).is_some_and(is_repeat)).count();
        out.push(if repeats == 0 { base } else { format!("{base}-{repeats}") });
    }
    out
}

/// Whether `suffix` is GitHub's repeat suffix, `-<n>`.
fn is_repeat(suffix: &str) -> bool {
    suffix.strip_prefix('-').is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
}

/// Every file under `dir` whose name ends with `ext`, build outputs and hidden directories excluded.
fn files(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if path.is_dir() && name != "target" && !name.starts_with('.') {
            files(&path, ext, out);
        } else if name.ends_with(ext) {
            out.push(path);
        }
    }
}

/// `(doc, fragment)` of every `<prefix><doc>.md#<fragment>` in `text`, where `doc` is a plain name
/// and `fragment` may be empty (a link to the whole document, or one built at run time). With an
/// empty prefix, a path (`benches/README.md`) is not a link into `spec/`.
fn md_links<'a>(text: &'a str, prefix: &str) -> Vec<(&'a str, &'a str)> {
    let is_name = |c: char| c.is_alphanumeric() || c == '_' || c == '-';
    let mut links = Vec::new();
    for (i, _) in text.match_indices(".md") {
        let start = text[..i].rfind(|c: char| !is_name(c)).map_or(0, |j| j + 1);
        let (lead, doc) = (&text[..start], &text[start..i]);
        let linked = if prefix.is_empty() { !lead.ends_with(['/', '.']) } else { lead.ends_with(prefix) };
        if doc.is_empty() || !linked {
            continue;
        }
        let after = &text[i + 3..];
        let frag =
            after.strip_prefix('#').map_or("", |f| &f[..f.find(|c: char| !is_name(c)).unwrap_or(f.len())]);
        links.push((doc, frag));
    }
    links
}

/// Checks one link to `spec/<doc>.md#<frag>` found in `file`; `Some(reason)` if it is broken.
fn broken(file: &Path, doc: &str, frag: &str) -> Option<String> {
    let spec = root().join("spec").join(format!("{doc}.md"));
    let Ok(text) = std::fs::read_to_string(&spec) else {
        return Some(format!("{}: spec/{doc}.md does not exist", file.display()));
    };
    (!frag.is_empty() && !anchors(&text).iter().any(|a| a == frag))
        .then(|| format!("{}: spec/{doc}.md#{frag} has no such section", file.display()))
}

/// Every `spec/<doc>.md#<section>` in the workspace's Rust sources and in the markdown outside
/// `spec/` names a document and a section that exist.
#[test]
fn every_spec_link_in_the_code_resolves() {
    let mut sources = Vec::new();
    files(&root(), ".rs", &mut sources);
    files(&root(), ".md", &mut sources);
    let mut bad = Vec::new();
    let mut checked = Vec::new();
    for file in sources.iter().filter(|f| !f.starts_with(root().join("spec"))) {
        let text = std::fs::read_to_string(file).unwrap();
        for (doc, frag) in md_links(&text, "spec/") {
            bad.extend(broken(file, doc, frag));
            if !frag.is_empty() {
                checked.push(format!("spec/{doc}.md#{frag}"));
            }
        }
    }
    assert!(checked.len() > 10, "found only {} spec links: the scan is broken", checked.len());
    // The validator's rule checks link their sections (`vm/src/prepare/validate`).
    assert!(
        checked.iter().any(|l| l == "spec/determinism.md#constant-expressions"),
        "scan missed the validator"
    );
    assert!(bad.is_empty(), "broken spec links:\n{}", bad.join("\n"));
}

/// The spec's own cross-references, `(#section)` and `other.md#section`, resolve too.
#[test]
fn every_link_inside_the_spec_resolves() {
    let docs: Vec<PathBuf> = std::fs::read_dir(root().join("spec"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    let mut bad = Vec::new();
    for file in &docs {
        let text = std::fs::read_to_string(file).unwrap();
        let own = anchors(&text);
        for (i, _) in text.match_indices("(#") {
            let frag: String = text[i + 2..].chars().take_while(|c| *c != ')').collect();
            if !own.contains(&frag) {
                bad.push(format!("{}: #{frag} has no such section", file.display()));
            }
        }
        for (doc, frag) in md_links(&text, "") {
            bad.extend(broken(file, doc, frag));
        }
    }
    assert!(docs.len() >= 5, "found only {} spec documents", docs.len());
    assert!(bad.is_empty(), "broken links in spec/:\n{}", bad.join("\n"));
}

#[test]
fn anchors_follow_github() {
    let md = "# The ABI\n## Host functions\n```\n# not a heading\n```\n### `max_key_len`: bytes\n## Host functions\n";
    assert_eq!(anchors(md), ["the-abi", "host-functions", "max_key_len-bytes", "host-functions-1"]);
    assert_eq!(
        md_links("see spec/gas.md#stack-limit, spec/abi.md.", "spec/"),
        [("gas", "stack-limit"), ("abi", "")]
    );
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

/// The text of the section `spec/<doc>.md#<frag>` names: from its heading to the next heading of
/// the same or a higher level.
fn section(link: &str) -> String {
    let (doc, frag) =
        link.strip_prefix("spec/").and_then(|l| l.split_once('#')).expect("spec/<doc>.md#<section>");
    let text = std::fs::read_to_string(root().join("spec").join(doc)).unwrap();
    let mut level = None;
    let mut out = Vec::new();
    for line in text.lines() {
        let depth = line.chars().take_while(|c| *c == '#').count();
        match level {
            None if depth > 0 && anchor(line.trim_start_matches('#')) == frag => level = Some(depth),
            Some(l) if depth > 0 && depth <= l => break,
            Some(_) => out.push(line),
            None => {}
        }
    }
    assert!(level.is_some(), "{link}: no such section");
    out.join("\n")
}

/// Each entry of the limits table (`vm/src/rules/limits.rs`) links the section that states it, and
/// that section names the field with its default.
#[test]
fn every_limit_is_stated_where_its_entry_links() {
    for f in vm::Limits::FIELDS {
        let text = section(f.spec).replace(',', "");
        assert!(text.contains(&format!("`{}`", f.name)), "{} lacks `{}`", f.spec, f.name);
        assert!(
            text.contains(&f.default.to_string()),
            "{} lacks the default {} of {}",
            f.spec,
            f.default,
            f.name
        );
    }
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

/// spec/abi.md#script-abi states the code's section name, version, bounds and every primitive type.
#[test]
fn script_abi_in_the_spec_is_the_code_abi() {
    use abi::script_abi::{ABI_SECTION, MAX_ARRAY_LEN, MAX_TYPE_DEPTH, SCRIPT_ABI_VERSION};
    let text = section("spec/abi.md#script-abi").replace(',', "");
    assert!(text.contains(&format!("named `{ABI_SECTION}`")), "the section name");
    assert!(text.contains(&format!("`{SCRIPT_ABI_VERSION}` (`SCRIPT_ABI_VERSION`)")), "the version");
    let types = section("spec/abi.md#abi-types");
    assert!(types.contains(&format!("`0 <= N <= {MAX_ARRAY_LEN}`")), "MAX_ARRAY_LEN");
    assert!(types.contains(&format!("at most {MAX_TYPE_DEPTH} deep (`MAX_TYPE_DEPTH`)")), "MAX_TYPE_DEPTH");
    for (name, _) in abi::AbiType::PRIMITIVES {
        assert!(types.contains(&format!("`\"{name}\"`")), "spec/abi.md#abi-types lacks {name}");
    }
}
