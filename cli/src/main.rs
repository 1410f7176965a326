//! The `tsvm` command line: parses arguments, runs one subcommand, maps results to exit codes.

use clap::{Parser, Subcommand};
use std::io::Write as _;
use std::process::ExitCode;
use tsvm_cli::{
    BisectCmd, DiffCmd, ExecutorCmd, GenBundlesCmd, InspectCmd, ProfileCmd, ReplayCmd, RunCmd, TestCmd,
    ValidateCmd,
};

/// tsvm: deterministic WebAssembly VM for token scripts.
#[derive(Parser, Debug)]
#[command(name = "tsvm", version, about)]
struct Cli {
    /// More log output on stderr (-v info, -vv debug); `RUST_LOG` overrides.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,
    #[command(subcommand)]
    command: Command,
}

// Parsed once per process: the size of the largest variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand, Debug)]
enum Command {
    /// Check modules against the determinism profile and its limits.
    Validate(ValidateCmd),
    /// Execute a transaction file and print its receipt.
    Run(RunCmd),
    /// Run scenario files: calls in sequence, state threaded, expected outcomes checked.
    Test(TestCmd),
    /// Replay bundles and compare them with their expected receipts.
    Replay(ReplayCmd),
    /// Show the first divergence between two traces, receipts or checkpoint lists.
    Diff(DiffCmd),
    /// Locate where a bundle's replay departs from another party's checkpoints or trace.
    Bisect(BisectCmd),
    /// Pretty-print a bundle, receipt, trace or checkpoints file.
    Inspect(InspectCmd),
    /// The sandboxed executor: `tsvm executor check` prints which sandbox layers are active.
    Executor(ExecutorCmd),
    /// Profile the gas of a transaction file or a bundle: per function and per host call.
    Profile(ProfileCmd),
    /// Write N example transfer bundles (for throughput measurements).
    #[command(hide = true)]
    GenBundles(GenBundlesCmd),
}

fn main() -> ExitCode {
    // The isolated executor's worker when no `tsvm-worker` binary is installed
    // (`spec/executor.md#worker`): before anything else, so the worker starts as it would alone.
    if std::env::args_os().nth(1).is_some_and(|a| a == tsvm_cli::commands::executor::WORKER_SUBCOMMAND) {
        std::process::exit(executor::worker::main());
    }
    let cli = Cli::parse();
    let default = match cli.verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
    let result = match &cli.command {
        Command::Validate(cmd) => cmd.run(),
        Command::Run(cmd) => cmd.run(),
        Command::Test(cmd) => cmd.run(),
        Command::Replay(cmd) => cmd.run(),
        Command::Diff(cmd) => cmd.run(),
        Command::Bisect(cmd) => cmd.run(),
        Command::Inspect(cmd) => cmd.run(),
        Command::Executor(cmd) => cmd.run(),
        Command::Profile(cmd) => cmd.run(),
        Command::GenBundles(cmd) => cmd.run(),
    };
    match result {
        Ok(out) => {
            if !out.stdout.is_empty() {
                // A closed pipe (`tsvm ... | head`) is not an error worth a panic.
                let _ = writeln!(std::io::stdout().lock(), "{}", out.stdout);
            }
            if let Some(e) = out.error {
                eprintln!("error: {e}");
            }
            ExitCode::from(out.code)
        }
        Err(failure) => {
            eprintln!("error: {:#}", failure.error);
            ExitCode::from(failure.code)
        }
    }
}
