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
}

/// Runs one `eval` subcommand.
pub fn run(command: EvalCommand) -> anyhow::Result<ExitCode> {
    match command {
        // Dispatch lines are added next to the variants.
    }
}
