//! `tsvm run <tx.json>`: executes one transaction file and prints its receipt as JSON.

use crate::exit::Failure;
use crate::tx_file::TxFile;
use anyhow::Context as _;
use std::path::PathBuf;
use vm::{Rules, Transaction, Vm};

/// Execute a transaction file (module, state, invocation, context, gas limit) and print the receipt.
#[derive(clap::Args, Debug)]
pub struct RunCmd {
    /// The transaction file (JSON; see `examples/transfer.json`).
    pub tx: PathBuf,
    /// Write the post-state (the pre-state with the receipt's diff applied) to this JSON file.
    #[arg(long)]
    pub state_out: Option<PathBuf>,
}

impl RunCmd {
    /// Runs the command, returning the receipt JSON it prints.
    ///
    /// # Errors
    /// Unreadable or malformed input files, an unwritable `--state-out`, or a host failure.
    pub fn run(&self) -> Result<String, Failure> {
        let loaded = TxFile::load(&self.tx)?;
        let vm = Vm::new(Rules::default());
        let tx = Transaction {
            code: &loaded.code,
            invocation: &loaded.invocation,
            context: &loaded.context,
            gas_limit: loaded.gas_limit,
        };
        let receipt = vm.execute(&loaded.state, &tx).context("execution failed").map_err(Failure::host)?;
        tracing::info!(status = ?receipt.status, gas_used = receipt.gas_used, "executed");
        if let Some(out) = &self.state_out {
            let mut post = loaded.state.clone();
            post.apply(&receipt.diff).context("applying the receipt's diff").map_err(Failure::host)?;
            let json = serde_json::to_string_pretty(&post)
                .context("encoding the post-state")
                .map_err(Failure::host)?;
            std::fs::write(out, json + "\n")
                .with_context(|| format!("cannot write {}", out.display()))
                .map_err(Failure::io)?;
        }
        serde_json::to_string_pretty(&receipt).context("encoding the receipt").map_err(Failure::host)
    }
}
