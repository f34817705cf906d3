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
    /// Scan campaigns: declare, list, show, cancel, check a target, campaign tokens (through --server).
    Campaign(commands::campaign::CampaignArgs),
    /// Import advisories (OSV, CSAF, CycloneDX VEX), KEV, EPSS and CVE records into the knowledge base.
    Import(commands::import::ImportArgs),
    /// An operator's own VEX statements: submit, list, withdraw.
    Vex(commands::vex::VexArgs),
    /// Submit findings (JSON or SARIF) through a server.
    Finding(commands::finding::FindingArgs),
    /// List, show and move coordination cases, and read the analysts' queue, through a server.
    Case(commands::case::CaseArgs),
    /// Export and verify the tamper-evident log.
    Log(commands::log::LogArgs),
    /// Confidential benchmark harness: run sealed suites, check them, score and decide.
    Eval {
        #[command(subcommand)]
        command: commands::eval::EvalCommand,
    },
    /// Detect and validate OSV, CSAF, CycloneDX, SPDX and SARIF documents.
    Validate(commands::validate::Args),
    /// Show the normalized components of an SBOM.
    Sbom(commands::sbom::Args),
    /// Match SBOMs against local advisories (offline scanner).
    Scan(commands::scan::Args),
    /// Validate and score CVSS vectors (v4.0, v3.1, v3.0; v2 read-only).
    Cvss(commands::cvss::Args),
    /// Evaluate SSVC decisions (CISA coordinator, deployer, CERT/CC tables).
    Ssvc(commands::ssvc::Args),
    /// Compare versions and test ranges with each ecosystem's ordering.
    Version(commands::version::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // `clearinghouse … | head` closes the pipe early: that is the reader being done, not a
    // failure. `println!` panics on a closed stdout, so its panic is recognized (and not printed)
    // like an error whose cause is a broken pipe.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !exit::is_broken_pipe_panic(info.payload()) {
            default_hook(info);
        }
    }));
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(cli))) {
        Ok(Ok(code)) => code,
        Ok(Err(err)) if exit::is_broken_pipe(&err) => ExitCode::SUCCESS,
        Ok(Err(err)) => exit::report(&err),
        Err(payload) if exit::is_broken_pipe_panic(payload.as_ref()) => ExitCode::SUCCESS,
        Err(payload) => std::panic::resume_unwind(payload),
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Serve(args) => commands::serve::run(args),
        Command::Admin(args) => commands::admin::run(args),
        Command::Campaign(args) => commands::campaign::run(args),
        Command::Import(args) => commands::import::run(args),
        Command::Vex(args) => commands::vex::run(args),
        Command::Finding(args) => commands::finding::run(args),
        Command::Case(args) => commands::case::run(args),
        Command::Log(args) => commands::log::run(args),
        Command::Eval { command } => commands::eval::run(command),
        Command::Validate(args) => commands::validate::run(args),
        Command::Sbom(args) => commands::sbom::run(args),
        Command::Scan(args) => commands::scan::run(args),
        Command::Cvss(args) => commands::cvss::run(args),
        Command::Ssvc(args) => commands::ssvc::run(args),
        Command::Version(args) => commands::version::run(args),
    }
}
