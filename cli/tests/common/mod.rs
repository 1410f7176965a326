//! Helpers shared by the `tsvm` binary's end-to-end test files (`cli.rs`, `cli_bounds.rs`,
//! `disputes.rs`). Each test file is its own crate and uses a subset of them.
#![allow(dead_code)]

use assert_cmd::cargo::cargo_bin_cmd;
use predicates::prelude::*;
use predicates::str::contains;
use std::path::{Path, PathBuf};

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// `tsvm` run from the workspace root.
pub fn tsvm() -> assert_cmd::Command {
    let mut cmd = cargo_bin_cmd!("tsvm");
    cmd.current_dir(root()).env_remove("RUST_LOG");
    cmd
}

/// Fails on a panic's text in stderr (the exit code of a panic is 101, but be explicit).
pub fn no_panic() -> impl Predicate<str> {
    contains("panicked").not().and(contains("RUST_BACKTRACE").not())
}
