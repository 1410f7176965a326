//! # tsvm-cli
//!
//! The `tsvm` command line as a library: each subcommand is a struct with `run()`, so tests and
//! benches call it without a process. `main.rs` only parses arguments and maps results to exit
//! codes ([`exit`]).

pub mod artefact;
pub mod bisect;
pub mod diff;
pub mod exit;
pub mod gen_bundles;
pub mod inspect;
pub mod render;
pub mod replay;
pub mod run;
pub mod tx_file;
pub mod validate;
pub mod xarch;
