//! `clearinghouse eval …`: the confidential benchmark harness.
//!
//! Running suites lives in `run`, results, policies and reports in `results`.

mod results;
mod run;

use std::process::ExitCode;

use clap::Subcommand;

/// Evaluate a model's cyber capabilities against a sealed benchmark suite.
#[derive(Debug, Subcommand)]
pub enum EvalCommand {
    // Variants are added by run.rs and results.rs owners.
    /// Run a sealed suite against a model through its OpenAI-compatible API, each attempt sandboxed.
    Run(run::RunArgs),
    /// Prove a suite sound: solutions solve, a do-nothing agent fails, no secret reaches the agent.
    CheckSuite(run::CheckSuiteArgs),
    /// Suite utilities (digest).
    Suite {
        #[command(subcommand)]
        command: run::SuiteCommand,
    },
}

/// Runs one `eval` subcommand.
pub fn run(command: EvalCommand) -> anyhow::Result<ExitCode> {
    match command {
        // Dispatch lines are added next to the variants.
        EvalCommand::Run(args) => run::run(args),
        EvalCommand::CheckSuite(args) => run::check_suite(args),
        EvalCommand::Suite { command } => run::suite(command),
    }
}
