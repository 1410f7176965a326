//! The `tsvm` command line: parses arguments, runs one subcommand, maps failures to exit codes.

use clap::{Parser, Subcommand};
use std::process::ExitCode;
use tsvm_replay::{exit, run::RunCmd};

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

#[derive(Subcommand, Debug)]
enum Command {
    /// Execute a transaction file and print its receipt as JSON.
    Run(RunCmd),
}

fn main() -> ExitCode {
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
        Command::Run(cmd) => cmd.run(),
    };
    match result {
        Ok(out) => {
            println!("{out}");
            ExitCode::from(exit::OK)
        }
        Err(failure) => {
            eprintln!("error: {:#}", failure.error);
            ExitCode::from(failure.code)
        }
    }
}
