//! The `clearinghouse` binary: parses the command line and hands off to library crates.

mod client;
mod commands;
mod exit;
mod location;
mod output;
mod telemetry;

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
    /// Run the HTTP API and web UI (SQLite in ./clearinghouse-data unless --database says otherwise).
    Serve(commands::serve::ServeArgs),
    /// Administer organizations, people and API tokens, directly on the data or through --server.
    Admin(commands::admin::AdminArgs),
    /// Export and verify the tamper-evident log.
    Log(commands::log::LogArgs),
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
        Command::Serve(args) => commands::serve::run(args),
        Command::Admin(args) => commands::admin::run(args),
        Command::Log(args) => commands::log::run(args),
        Command::Eval { command } => commands::eval::run(command),
    }
}
