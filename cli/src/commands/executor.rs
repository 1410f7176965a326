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

/// The worker binary: `explicit`, else [`executor::find_worker`].
///
/// # Errors
/// No worker found (a host failure: the installation is incomplete).
pub fn worker_path(explicit: Option<&PathBuf>) -> Result<PathBuf, Failure> {
    match explicit {
        Some(p) => Ok(p.clone()),
        None => executor::find_worker().map_err(|e| Failure::host(anyhow!(e))),
    }
}

/// A pool of `workers` sandboxed workers requiring every layer (`spec/executor.md#pool`).
///
/// # Errors
/// No worker found, or one could not start or lacks a layer.
pub fn pool(workers: usize) -> Result<Pool, Failure> {
    let config = PoolConfig::new(worker_path(None)?, workers);
    Pool::new(config).map_err(|e| Failure::host(anyhow!("starting the isolated executor: {e}")))
}

impl ExecutorCmd {
    /// Runs the command.
    ///
    /// # Errors
    /// The worker could not be found or started.
    pub fn run(&self) -> Result<Output, Failure> {
        let ExecutorAction::Check { worker, json } = &self.action;
        let path = worker_path(worker.as_ref())?;
        let report =
            Pool::probe(path.clone()).map_err(|e| Failure::host(anyhow!("{}: {e}", path.display())))?;
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
