//! `spec/executor.md` against the code: the seccomp allow-list, the caps and the protocol version.

use tsvm_executor::protocol::{MAX_REQUEST_FRAME, MAX_RESPONSE_FRAME, PROTOCOL_VERSION};

fn spec() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../spec/executor.md")).unwrap()
}

#[test]
fn the_seccomp_table_is_the_allow_list() {
    let spec = spec();
    let section = &spec[spec.find("### Seccomp").unwrap()..spec.find("## Protocol").unwrap()];
    let mut in_spec: Vec<&str> =
        section.lines().filter_map(|l| l.strip_prefix("| `")).filter_map(|l| l.split('`').next()).collect();
    let mut in_code: Vec<&str> = tsvm_executor::seccomp_allow_list().iter().map(|(n, _)| *n).collect();
    in_spec.sort_unstable();
    in_code.sort_unstable();
    assert_eq!(in_spec, in_code);
}

/// The number in the table row that starts with `| `name` |`, commas dropped.
fn row_figure(spec: &str, name: &str) -> u32 {
    let row = spec.lines().find(|l| l.starts_with(&format!("| `{name}` |"))).expect("a row");
    row.split('|').nth(2).unwrap().trim().replace(',', "").parse().unwrap()
}

#[test]
fn caps_and_version_are_the_specs() {
    let spec = spec();
    assert_eq!(row_figure(&spec, "MAX_REQUEST_FRAME"), MAX_REQUEST_FRAME);
    assert_eq!(row_figure(&spec, "MAX_RESPONSE_FRAME"), MAX_RESPONSE_FRAME);
    assert!(spec.contains(&format!("`PROTOCOL_VERSION = {PROTOCOL_VERSION}`")));
}
