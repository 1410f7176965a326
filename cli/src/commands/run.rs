//! `tsvm run <tx.json>`: executes one transaction file and prints its receipt; optionally writes a
//! bundle, the post-state, the trace and checkpoints for the other subcommands.

use crate::artefact::{check_interval, CheckpointsFile, ReceiptFile, TraceBody, TraceFile};
use crate::exit::{self, Failure, Output};
use crate::files::{read_json, read_module, write_bundle, write_json};
use crate::render;
use crate::tx_file::{LoadedTx, TxFile};
use abi::{Address, Invocation, StatusCode, TokenId};
use anyhow::Context as _;
use std::path::PathBuf;
use vm::{ExecOptions, Rules, TraceLevel, Transaction, Vm};

/// Events of a full trace `run` keeps in memory by default (`--trace-events`). A kept event and its
/// rendered line take about 400 bytes, so this bounds `run --trace full` to about 30 MB above a
/// hash-only run whatever the gas limit (measured at 30M gas of `block_height` calls: 21 MB hash-only,
/// 395 MB unbounded, 130 MB at 262,144 events, 48 MB at this default).
pub const MAX_TRACE_EVENTS: u32 = 1 << 16;

/// How much of the trace `run` keeps and shows.
#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TraceArg {
    /// Only the trace hash (in the receipt).
    #[default]
    Hash,
    /// Every event: printed as an indented call trace (or included in `--json` output).
    Full,
}

/// Execute a transaction file (module, state, invocation, context, gas limit) and print the receipt.
#[derive(clap::Args, Debug, Default)]
pub struct RunCmd {
    /// The transaction file (JSON; see `examples/transfer.json`). Or give the pieces: `--module`,
    /// `--state`, `--token`, `--call`, `--context` and `--gas-limit`.
    #[arg(required_unless_present = "module")]
    pub tx: Option<PathBuf>,
    /// Instead of a transaction file: the module (`.wasm` or `.wat`).
    #[arg(long, conflicts_with = "tx", requires_all = ["state", "token", "call", "context", "gas_limit"])]
    pub module: Option<PathBuf>,
    /// With `--module`: the pre-state JSON file.
    #[arg(long, requires = "module")]
    pub state: Option<PathBuf>,
    /// With `--module`: the token whose script runs.
    #[arg(long, requires = "module", value_parser = parse_token)]
    pub token: Option<TokenId>,
    /// With `--module`: a JSON file holding the call (as the `call` of a transaction file).
    #[arg(long, requires = "module")]
    pub call: Option<PathBuf>,
    /// With `--module`: a JSON file holding the context (as the `context` of a transaction file).
    #[arg(long, requires = "module")]
    pub context: Option<PathBuf>,
    /// Print JSON (`{"kind": "receipt", ...}`, a receipt file) instead of text.
    #[arg(long)]
    pub json: bool,
    /// `full` prints the call trace (with `--json`: adds it to the output).
    #[arg(long, value_enum, default_value_t)]
    pub trace: TraceArg,
    /// With `--trace full` or `--trace-out`: keep at most this many events in memory
    /// [default: 65536]. A longer trace is shown cut, with a note; it is not written as a file.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub trace_events: Option<u32>,
    /// The gas limit (overrides the transaction file's).
    #[arg(long)]
    pub gas_limit: Option<u64>,
    /// Override the context's caller (`0x` + 64 hex digits).
    #[arg(long, value_parser = parse_address)]
    pub caller: Option<Address>,
    /// Record a replay bundle here (`.json`: JSON form; anything else: borsh).
    #[arg(long)]
    pub bundle: Option<PathBuf>,
    /// Write the post-state (the pre-state with the receipt's diff applied) to this JSON file.
    #[arg(long)]
    pub state_out: Option<PathBuf>,
    /// Write the full trace to this file (a trace file, for `diff`, `bisect` and `inspect`).
    #[arg(long)]
    pub trace_out: Option<PathBuf>,
    /// Record a checkpoint every K gas (`spec/trace.md#checkpoints`); K is at least
    /// `vm::MIN_CHECKPOINT_INTERVAL` (`spec/trace.md#minimum-interval`).
    #[arg(long, value_name = "K", value_parser = parse_interval)]
    pub checkpoints: Option<u64>,
    /// Write the checkpoints to this file (a checkpoints file, for `bisect`); needs `--checkpoints`.
    #[arg(long, requires = "checkpoints")]
    pub checkpoints_out: Option<PathBuf>,
    /// With a block file (`spec/block.md#files`): execute in lanes by token on all cores (the same
    /// result as in sequence, `spec/block.md#lanes`).
    #[arg(long)]
    pub lanes: bool,
    /// Execute in a sandboxed worker process (`spec/executor.md`), not in `tsvm` itself; the
    /// receipt is the same. The worker is `$TSVM_WORKER`, else `tsvm-worker` next to `tsvm`.
    #[arg(long)]
    pub isolate: bool,
}

/// Reads a call file: the call JSON of a transaction file, its view or method `args` as hex or,
/// with the module's ABI, typed (`spec/abi.md#typed-arguments-in-transaction-files`).
fn read_call(path: &std::path::Path, code: &[u8]) -> Result<abi::Call, Failure> {
    let bytes = crate::files::read_bounded(path)?;
    crate::files::parse_json(path, &bytes).or_else(|hex_error| {
        match serde_json::from_slice::<serde_json::Value>(&bytes) {
            Ok(v) if crate::abi_view::typed_args(&v).is_some() => {
                crate::abi_view::encode_call(path, "args", &v, code)
            }
            _ => Err(hex_error),
        }
    })
}

fn parse_interval(s: &str) -> Result<u64, String> {
    let k: u64 = s.parse().map_err(|e| format!("{e}"))?;
    check_interval(k)?;
    Ok(k)
}

fn parse_address(s: &str) -> Result<Address, String> {
    Address::from_hex(s)
}

fn parse_token(s: &str) -> Result<TokenId, String> {
    TokenId::from_hex(s)
}

impl RunCmd {
    /// The transaction file, or the module when given by pieces.
    fn source(&self) -> &std::path::Path {
        self.tx.as_deref().or(self.module.as_deref()).unwrap_or(std::path::Path::new("-"))
    }

    /// The transaction, from its file or its pieces (clap makes sure one of them is complete).
    fn load(&self) -> Result<LoadedTx, Failure> {
        if let Some(tx) = &self.tx {
            return TxFile::load(tx);
        }
        let missing = |what: &str| Failure::usage(anyhow::anyhow!("give a transaction file or --{what}"));
        let module = self.module.as_deref().ok_or_else(|| missing("module"))?;
        let state = self.state.as_deref().ok_or_else(|| missing("state"))?;
        let call = self.call.as_deref().ok_or_else(|| missing("call"))?;
        let context = self.context.as_deref().ok_or_else(|| missing("context"))?;
        let code = read_module(module)?;
        Ok(LoadedTx {
            state: read_json(state)?,
            invocation: Invocation {
                token: self.token.ok_or_else(|| missing("token"))?,
                call: read_call(call, &code)?,
            },
            code,
            context: read_json(context)?,
            gas_limit: self.gas_limit.ok_or_else(|| missing("gas-limit"))?,
        })
    }

    /// Runs the command, returning what it prints.
    ///
    /// Exit code 0 whenever a receipt was produced, except that a module which fails the
    /// determinism profile (status `invalid_module`) ends with `INVALID_MODULE` after the receipt
    /// is printed and the requested files written, the validator's findings on stderr.
    ///
    /// # Errors
    /// Unreadable or malformed input files, an unparsable module, an unwritable output, or a host
    /// failure.
    pub fn run(&self) -> Result<Output, Failure> {
        if let Some(path) =
            self.tx.as_deref().filter(|p| crate::block_file::is_block_file(p).unwrap_or(false))
        {
            return super::block::run(self, path);
        }
        let loaded = self.load()?;
        let vm = Vm::new(Rules::default());
        let mut context = loaded.context.clone();
        if let Some(caller) = self.caller {
            context.caller = caller;
        }
        let tx = Transaction {
            code: &loaded.code,
            invocation: &loaded.invocation,
            context: &context,
            gas_limit: self.gas_limit.unwrap_or(loaded.gas_limit),
        };
        let full = self.trace == TraceArg::Full || self.trace_out.is_some();
        let cap = self.trace_events.unwrap_or(MAX_TRACE_EVENTS);
        let options = ExecOptions {
            checkpoint_interval: self.checkpoints.unwrap_or(0),
            trace: if full { TraceLevel::Prefix { events: cap } } else { TraceLevel::HashOnly },
        };
        let execution = if self.isolate {
            use executor::Executor as _;
            let data = abi::TxData {
                code: abi::Code::Bytes(loaded.code.clone()),
                invocation: loaded.invocation.clone(),
                context: context.clone(),
                gas_limit: tx.gas_limit,
            };
            let pool = crate::commands::executor::pool(1)?;
            pool.run(&loaded.state, &data, &options)
                .map_err(|e| Failure::host(anyhow::anyhow!("isolated execution failed: {e}")))?
        } else {
            vm.execute_with(&loaded.state, &tx, &options)
                .context("execution failed")
                .map_err(Failure::host)?
        };
        let receipt = &execution.receipt;
        tracing::info!(status = ?receipt.status, gas_used = receipt.gas_used, "executed");
        // A kept trace always ends with `End` unless the cap cut it.
        let cut = full && !matches!(execution.trace.last(), Some(abi::TraceEvent::End { .. }));
        let cut_note = format!(
            "trace cut after its first {cap} events (--trace-events): the receipt, and its trace hash, \
             cover the whole execution"
        );
        if cut && (self.trace_out.is_some() || (self.json && self.trace == TraceArg::Full)) {
            return Err(Failure::invalid(anyhow::anyhow!(
                "{}: {cut_note}; a cut trace is not written as a trace (raise --trace-events, or use \
                 checkpoints and `tsvm bisect`)",
                self.source().display()
            )));
        }

        if let Some(out) = &self.bundle {
            write_bundle(out, &vm::record_bundle(&vm, &tx, &execution))?;
        }
        if let Some(out) = &self.state_out {
            let mut post = loaded.state.clone();
            post.apply(&receipt.diff).context("applying the receipt's diff").map_err(Failure::host)?;
            write_json(out, &post)?;
        }
        if let Some(out) = &self.trace_out {
            let file = TraceFile {
                kind: Default::default(),
                gas_limit: tx.gas_limit,
                events: execution.trace.clone(),
            };
            write_json(out, &file)?;
        }
        if let Some(out) = &self.checkpoints_out {
            let file = CheckpointsFile {
                kind: Default::default(),
                interval: options.checkpoint_interval,
                checkpoints: execution.checkpoints.clone(),
            };
            write_json(out, &file)?;
        }

        // spec/abi.md#script-abi: decoded beside the hex when the module declares an ABI.
        let (script_abi, abi_warning) = crate::abi_view::module_abi(&loaded.code);
        if let Some(w) = abi_warning {
            tracing::warn!("{}: {w}", self.source().display());
        }
        let decoded =
            script_abi.as_ref().map(|a| crate::abi_view::Decoded::new(a, &loaded.invocation.call, receipt));
        let show_trace = self.trace == TraceArg::Full;
        let rendered = render::receipt_decoded(receipt, decoded.as_ref());
        let stdout = if self.json {
            let file = ReceiptFile {
                kind: Default::default(),
                receipt: receipt.clone(),
                trace: show_trace
                    .then(|| TraceBody { gas_limit: tx.gas_limit, events: execution.trace.clone() }),
                decoded: decoded
                    .as_ref()
                    .map(serde_json::to_value)
                    .transpose()
                    .map_err(|e| Failure::host(e.into()))?,
            };
            serde_json::to_string_pretty(&file).context("encoding the receipt").map_err(Failure::host)?
        } else if show_trace && cut {
            let trace = render::trace(&execution.trace);
            format!("{trace}... {cut_note}\n{}", rendered.trim_end())
        } else if show_trace {
            format!("{}\n{}", render::trace(&execution.trace), rendered.trim_end())
        } else {
            rendered.trim_end().to_string()
        };

        if receipt.status == StatusCode::InvalidModule {
            let errors = vm::validate_all(&loaded.code, &vm.rules().limits);
            let listed: Vec<String> = errors.iter().map(ToString::to_string).collect();
            return Ok(Output {
                stdout,
                error: Some(format!(
                    "the module of {} fails the determinism profile:\n  {}",
                    self.source().display(),
                    listed.join("\n  ")
                )),
                code: exit::INVALID_MODULE,
            });
        }
        Ok(Output::ok(stdout))
    }
}
