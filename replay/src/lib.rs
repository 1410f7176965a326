//! # tsvm-replay
//!
//! The `tsvm` command line as a library: each subcommand is a struct with `run()`, so tests and
//! benches call it without a process. `main.rs` only parses arguments and maps errors to exit codes.

pub mod exit;
pub mod run;
pub mod tx_file;
