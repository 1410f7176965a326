//! `tsvm profile <tx file | bundle>`: where a script's gas goes, per function and per host call
//! (`spec/profile.md`), from the consensus meter: the profile's total is the receipt's `gas_used`.

use crate::artefact;
use crate::exit::{Failure, Output};
use crate::files::{is_json, read_bounded};
use crate::render;
use crate::tx_file::TxFile;
use anyhow::Context as _;
use std::path::PathBuf;
use vm::{ExecOptions, Profile, Receipt, Rules, Transaction, Vm};

/// Profile the gas of a transaction file or a bundle.
#[derive(clap::Args, Debug, Default)]
pub struct ProfileCmd {
    /// A transaction file (JSON, see `examples/transfer.json`) or a bundle (JSON or borsh).
    pub input: PathBuf,
    /// Print folded stacks (`a;b;c GAS` a line) for inferno or flamegraph.pl.
    #[arg(long, conflicts_with_all = ["speedscope", "json"])]
    pub folded: bool,
    /// Print speedscope's JSON file format, gas as the weight.
    #[arg(long, conflicts_with = "json")]
    pub speedscope: bool,
    /// Print the profile as JSON.
    #[arg(long)]
    pub json: bool,
    /// Guest functions shown in the table.
    #[arg(long, default_value_t = 20)]
    pub top: usize,
}

impl ProfileCmd {
    /// Runs the command: the profile in the format asked for.
    ///
    /// # Errors
    /// Unreadable or malformed input, a bundle recorded under other rules, a bundle that does not
    /// reproduce its receipt (a profile of another execution would mislead), or a host failure.
    pub fn run(&self) -> Result<Output, Failure> {
        let (receipt, profile) = self.profile()?;
        let name = self.input.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        let stdout = if self.folded {
            profile.folded()
        } else if self.speedscope {
            render::profile::speedscope(&profile, &name).to_string() + "\n"
        } else if self.json {
            let report = serde_json::json!({
                "kind": "profile",
                "status": receipt.status,
                "gas_used": receipt.gas_used,
                "profile": profile,
            });
            serde_json::to_string_pretty(&report).context("profile to JSON").map_err(Failure::host)? + "\n"
        } else {
            format!("{}: {}\n", name, receipt.status.describe()) + &render::profile::table(&profile, self.top)
        };
        // `main` ends the output with a line break.
        Ok(Output::ok(stdout.trim_end().to_string()))
    }

    /// Profiles the input: a transaction file (a JSON object with a `state`), else a bundle.
    fn profile(&self) -> Result<(Receipt, Profile), Failure> {
        let bytes = read_bounded(&self.input)?;
        let is_tx = is_json(&bytes)
            && serde_json::from_slice::<serde_json::Value>(&bytes).is_ok_and(|v| v.get("state").is_some());
        let vm = Vm::new(Rules::default());
        let options = ExecOptions::default();
        if is_tx {
            let loaded = TxFile::load(&self.input)?;
            let tx = Transaction {
                code: &loaded.code,
                invocation: &loaded.invocation,
                context: &loaded.context,
                gas_limit: loaded.gas_limit,
            };
            let (execution, profile) = vm
                .profile(&loaded.state, &tx, &options)
                .context("profiling failed")
                .map_err(Failure::host)?;
            return Ok((execution.receipt, profile));
        }
        let bundle = artefact::decode_bundle(&self.input, &bytes)?;
        let (replayed, profile) = vm::profile_bundle(&vm, &bundle, &options).map_err(Failure::from_vm)?;
        if !replayed.matched() {
            return Err(Failure::from_vm(vm::VmError::NonCanonicalBundle(format!(
                "{}: the replay does not reproduce the bundle's receipt ({}): no profile of it",
                self.input.display(),
                replayed.mismatches.join(", ")
            ))));
        }
        Ok((replayed.execution.receipt, profile))
    }
}
