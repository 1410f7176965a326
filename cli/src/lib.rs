//! # tsvm-cli
//!
//! The `tsvm` command line as a library: each subcommand is a struct with `run()` ([`commands`]),
//! so tests and benches call it without a process (`tests/in_process.rs` does). `main.rs` only
//! parses arguments and maps results to exit codes ([`exit`]).
//!
//! | module | what |
//! | --- | --- |
//! | [`commands`] | one file per subcommand: `validate`, `run`, `test`, `replay`, `diff`, `bisect`, `inspect`, `profile`, `gen-bundles` |
//! | [`render`] | text output: traces, receipts, bundles, divergences, scenario reports; the JSON form of `--json` reports |
//! | [`module_facts`] | what `inspect` shows of a module: size, imports, exports, custom sections, ABI |
//! | [`files`] | reading (bounded, strict JSON, modules) and writing files |
//! | [`abi_view`] | the script ABI: typed call arguments, receipts decoded (`spec/abi.md#script-abi`) |
//! | [`artefact`], [`bundle_archive`], [`tx_file`], [`block_file`] | the file formats: bundles, bundle archives, receipt, trace and checkpoints files; transaction files; block files, block results, block bundles |
//! | [`exit`] | exit codes, [`Output`] and [`Failure`] |
//! | [`xarch`] | the cross-architecture digest of the `tsvm-xarch` binary |

pub mod abi_view;
pub mod artefact;
pub mod block_file;
pub mod bundle_archive;
pub mod commands;
pub mod exit;
pub mod files;
pub mod module_facts;
pub mod render;
pub mod tx_file;
pub mod xarch;

pub use commands::{
    BisectCmd, DiffCmd, ExecutorCmd, GenBundlesCmd, InspectCmd, ProfileCmd, ReplayCmd, RunCmd, TestCmd,
    ValidateCmd,
};
pub use exit::{Failure, Output};
