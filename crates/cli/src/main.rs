//! The `clearinghouse` binary: parses the command line and hands off to library crates.

mod commands;
mod exit;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Clearinghouse: AI cybersecurity clearinghouse and voluntary frontier-model review framework.
#[derive(Debug, Parser)]
#[command(name = "clearinghouse", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Confidential benchmark harness: run sealed suites, check them, score and decide.
    Eval {
        #[command(subcommand)]
        command: commands::eval::EvalCommand,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(err) => exit::report(&err),
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Eval { command } => commands::eval::run(command),
    }
}
