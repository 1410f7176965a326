//! `tsvm gen-bundles` (hidden): writes N distinct transfer bundles of the example token script, as
//! files or as one bundle archive (`spec/bundle.md#bundle-archives`), to measure `tsvm replay`
//! throughput on many bundles.

use crate::bundle_archive;
use crate::exit::{Failure, Output};
use crate::files::write_bundle;
use abi::{Call, Context, Hash32, Invocation, Operation, TokenId};
use anyhow::{anyhow, Context as _};
use std::path::PathBuf;
use vm::{ExecOptions, InMemoryState, Rules, Transaction, Vm};

const TOKEN_WAT: &str = include_str!("../../../examples/token.wat");
const STATE_JSON: &str = include_str!("../../../examples/state.json");

/// Write N transfer bundles of the example token (amounts 1..=N mod 1000, distinct tx hashes).
#[derive(clap::Args, Debug)]
pub struct GenBundlesCmd {
    /// How many bundles.
    #[arg(long)]
    pub count: u32,
    /// Output directory (created if missing); with `--archive`, the archive file.
    #[arg(long)]
    pub out: PathBuf,
    /// Write the borsh form (`.bundle`) instead of JSON (`.json`).
    #[arg(long)]
    pub borsh: bool,
    /// Write one bundle archive at `--out` (`spec/bundle.md#bundle-archives`) instead of a file per
    /// bundle.
    #[arg(long, conflicts_with = "borsh")]
    pub archive: bool,
    /// Declare the script's memory as this many bytes of 1-byte pages instead of its one 64 KiB
    /// page (`spec/determinism.md#memory`; the script uses the first 2,200 bytes).
    #[arg(long, value_name = "BYTES")]
    pub memory_bytes: Option<u32>,
}

impl GenBundlesCmd {
    /// Writes the bundles.
    ///
    /// # Errors
    /// An unwritable directory or a host failure.
    pub fn run(&self) -> Result<Output, Failure> {
        if !self.archive {
            std::fs::create_dir_all(&self.out)
                .with_context(|| format!("cannot create {}", self.out.display()))
                .map_err(Failure::io)?;
        }
        let wat = match self.memory_bytes {
            None => TOKEN_WAT.to_string(),
            Some(n) => {
                let page = r#"(memory (export "memory") 1)"#;
                if !TOKEN_WAT.contains(page) {
                    return Err(Failure::host(anyhow!("example token: no `{page}` to replace")));
                }
                TOKEN_WAT.replace(page, &format!(r#"(memory (export "memory") {n} (pagesize 1))"#))
            }
        };
        let code = wat::parse_str(wat).map_err(|e| Failure::host(anyhow!("example token: {e}")))?;
        let state: InMemoryState =
            serde_json::from_str(STATE_JSON).context("example state").map_err(Failure::host)?;
        let token = TokenId([0x70; 32]);
        let vm = Vm::new(Rules::default());
        let bundle = |i: u32| {
            let mut tx_hash = [0x11; 32];
            tx_hash[..4].copy_from_slice(&i.to_le_bytes());
            let invocation = Invocation {
                token,
                call: Call::Operation {
                    operation: Operation::Transfer {
                        from: abi::Address([1; 32]),
                        to: abi::Address([2; 32]),
                        amount: u128::from(i % 1000 + 1),
                    },
                },
            };
            let context = Context {
                height: 7 + u64::from(i),
                timestamp_ms: 1_700_000_000_000,
                tx_hash: Hash32(tx_hash),
                prev_block_hash: Hash32([0x22; 32]),
                caller: abi::Address([1; 32]),
            };
            let tx =
                Transaction { code: &code, invocation: &invocation, context: &context, gas_limit: 1_000_000 };
            let execution = vm
                .execute_with(&state, &tx, &ExecOptions::default())
                .context("execution")
                .map_err(Failure::host)?;
            Ok(vm::record_bundle(&vm, &tx, &execution))
        };
        if self.archive {
            bundle_archive::write(&self.out, self.count, (0..self.count).map(bundle))?;
            return Ok(Output::ok(format!(
                "wrote an archive of {} bundles to {}",
                self.count,
                self.out.display()
            )));
        }
        for i in 0..self.count {
            let ext = if self.borsh { "bundle" } else { "json" };
            write_bundle(&self.out.join(format!("tx-{i:06}.{ext}")), &bundle(i)?)?;
        }
        Ok(Output::ok(format!("wrote {} bundles to {}", self.count, self.out.display())))
    }
}
