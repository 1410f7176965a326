//! `tsvm executor check`: starts one sandboxed worker (`spec/executor.md#lockdown`) and prints which
//! layers it applied on this machine; and the pool behind `run --isolate` and `replay --isolate`.

use crate::exit::{Failure, Output, HOST_FAILURE};
use anyhow::anyhow;
use clap::{Args, Subcommand};
use executor::{Pool, PoolConfig};
use std::path::PathBuf;

/// `tsvm executor ...`.
#[derive(Args, Debug)]
pub struct ExecutorCmd {
    /// What to do.
    #[command(subcommand)]
    pub action: ExecutorAction,
}

/// The executor's subcommands.
#[derive(Subcommand, Debug)]
pub enum ExecutorAction {
    /// Start a worker and print each sandbox layer: active, or not available and why. Exit 0 when
    /// every layer is active, 5 otherwise.
    Check {
        /// The worker binary (default: `$TSVM_WORKER`, else `tsvm-worker` next to `tsvm`).
        #[arg(long)]
        worker: Option<PathBuf>,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// The argument that makes the `tsvm` binary run as the worker (`spec/executor.md#worker`).
pub const WORKER_SUBCOMMAND: &str = "__worker";

/// The worker to start and its arguments: `explicit`, else [`executor::find_worker`], else this
/// `tsvm` binary itself with [`WORKER_SUBCOMMAND`] (e.g. after `cargo run -p tsvm-cli`, which
/// builds no `tsvm-worker`): it runs the same worker code and the same lockdown before its first
/// request.
///
/// # Errors
/// No worker found and this executable cannot be located (a host failure).
pub fn worker_command(explicit: Option<&PathBuf>) -> Result<(PathBuf, Vec<String>), Failure> {
    if let Some(p) = explicit {
        return Ok((p.clone(), Vec::new()));
    }
    match executor::find_worker() {
        Ok(p) => Ok((p, Vec::new())),
        Err(not_found) => {
            tracing::debug!("{not_found}; the tsvm binary stands in as the worker");
            let exe = std::env::current_exe().map_err(|e| {
                Failure::host(anyhow!("{not_found}; and this executable cannot be located: {e}"))
            })?;
            Ok((exe, vec![WORKER_SUBCOMMAND.to_string()]))
        }
    }
}

/// A pool of `workers` sandboxed workers requiring every layer (`spec/executor.md#pool`).
///
/// # Errors
/// No worker found, or one could not start or lacks a layer.
pub fn pool(workers: usize) -> Result<Pool, Failure> {
    let (worker, args) = worker_command(None)?;
    let mut config = PoolConfig::new(worker, workers);
    config.worker_args = args;
    Pool::new(config).map_err(|e| Failure::host(anyhow!("starting the isolated executor: {e}")))
}

impl ExecutorCmd {
    /// Runs the command.
    ///
    /// # Errors
    /// The worker could not be found or started.
    pub fn run(&self) -> Result<Output, Failure> {
        let ExecutorAction::Check { worker, json } = &self.action;
        let (path, args) = worker_command(worker.as_ref())?;
        let report =
            Pool::probe(path.clone(), args).map_err(|e| Failure::host(anyhow!("{}: {e}", path.display())))?;
        let all = report.missing().is_empty();
        let stdout = if *json {
            let layers: Vec<serde_json::Value> = report
                .layers
                .iter()
                .map(|s| serde_json::json!({ "layer": s.layer.name(), "active": s.applied, "detail": s.detail }))
                .collect();
            format!(
                "{}\n",
                serde_json::json!({ "worker": path.display().to_string(), "all_active": all, "layers": layers })
            )
        } else {
            let verdict = if all { "every layer active" } else { "NOT every layer is active" };
            format!("worker {}\n{}{verdict}\n", path.display(), executor::describe(&report))
        };
        Ok(if all { Output::ok(stdout) } else { Output::with_code(stdout, HOST_FAILURE) })
    }
}
