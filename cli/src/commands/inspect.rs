//! `tsvm inspect <file>`: pretty-prints any artefact (bundle in either form or as `ARCHIVE#INDEX`,
//! one bundle of a bundle archive; receipt, trace, checkpoints) or module (`.wasm` or `.wat`: size,
//! validity, imports, exports, custom sections and its script ABI, `spec/abi.md#script-abi`);
//! `--json` prints its normalised JSON form.

use crate::artefact::{self, Artefact, BundleForm};
use crate::exit::{Failure, Output};
use crate::render;
use anyhow::Context as _;
use std::fmt::Write as _;
use std::path::PathBuf;
use vm::Rules;

/// Pretty-print a bundle, receipt, trace or checkpoints file, or a module and its ABI.
#[derive(clap::Args, Debug, Default)]
pub struct InspectCmd {
    /// The file (`ARCHIVE#INDEX`: bundle INDEX of a bundle archive, from 0).
    pub file: PathBuf,
    /// Print the normalised JSON form (a borsh bundle as JSON, canonical field order).
    #[arg(long)]
    pub json: bool,
}

impl InspectCmd {
    /// A module (a `.wat` file, or a file starting with the WebAssembly magic number): its facts
    /// and ABI; `None` for anything else.
    fn module(&self) -> Result<Option<Output>, Failure> {
        if crate::bundle_archive::split_entry(&self.file).is_some() {
            return Ok(None);
        }
        let code = if self.file.extension().is_some_and(|e| e == "wat") {
            crate::files::read_module(&self.file)?
        } else {
            let bytes = crate::files::read_bounded(&self.file)?;
            if !bytes.starts_with(b"\0asm") {
                return Ok(None);
            }
            bytes
        };
        let facts = crate::module_facts::ModuleFacts::read(&code)
            .map_err(|e| Failure::invalid(anyhow::anyhow!("{}: {e}", self.file.display())))?;
        let stdout = if self.json {
            render::json_report(&facts)?
        } else {
            render::module(&facts).trim_end().to_string()
        };
        Ok(Some(Output::ok(stdout)))
    }

    /// Reads and renders the file.
    ///
    /// # Errors
    /// An unreadable or malformed file.
    pub fn run(&self) -> Result<Output, Failure> {
        if let Some(out) = self.module()? {
            return Ok(out);
        }
        let a = artefact::load(&self.file)?;
        let encode = |v: serde_json::Result<String>| v.context("encoding JSON").map_err(Failure::host);
        let stdout = match (&a, self.json) {
            (Artefact::Bundle(b, _), true) => encode(serde_json::to_string_pretty(b))?,
            (Artefact::Receipt(r), true) => encode(serde_json::to_string_pretty(r))?,
            (Artefact::Trace(t), true) => encode(serde_json::to_string_pretty(t))?,
            (Artefact::Checkpoints(c), true) => encode(serde_json::to_string_pretty(c))?,
            (Artefact::Bundle(b, form), false) => {
                let rules = Rules::default().hash();
                let form = match form {
                    BundleForm::Json => "JSON",
                    BundleForm::Borsh => "borsh",
                };
                render::bundle(b, form, rules)
            }
            (Artefact::Receipt(r), false) => {
                let mut out = render::receipt(&r.receipt);
                if let Some(t) = &r.trace {
                    out.push_str(&render::trace_body(t.gas_limit, &t.events));
                }
                out
            }
            (Artefact::Trace(t), false) => render::trace_body(t.gas_limit, &t.events),
            (Artefact::Checkpoints(c), false) => {
                let mut out = format!("checkpoints: {}, interval {}\n", c.checkpoints.len(), c.interval);
                for cp in &c.checkpoints {
                    let _ = writeln!(out, "  {}", render::checkpoint(cp));
                }
                out
            }
        };
        Ok(Output::ok(stdout.trim_end().to_string()))
    }
}
