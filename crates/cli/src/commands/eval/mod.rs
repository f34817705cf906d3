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
    /// Threshold policies: check a policy file, print its canonical form and digest.
    Policy {
        #[command(subcommand)]
        command: results::PolicyCommand,
    },
    /// Apply a threshold policy to results: `covered` or `not_covered`, with the evidence.
    Decide(results::DecideArgs),
    /// Score results: solve rates, pass@k, by category and difficulty, subtasks, weighted.
    Score(results::ScoreArgs),
    /// Write a self-contained HTML report (inline SVG charts, no scripts) of results.
    Report(results::ReportArgs),
    /// Import Inspect AI `.json` eval logs as results, so external evaluations count too.
    ImportInspect(results::ImportInspectArgs),
}

/// Runs one `eval` subcommand.
pub fn run(command: EvalCommand) -> anyhow::Result<ExitCode> {
    match command {
        // Dispatch lines are added next to the variants.
        EvalCommand::Run(args) => run::run(args),
        EvalCommand::CheckSuite(args) => run::check_suite(args),
        EvalCommand::Suite { command } => run::suite(command),
        EvalCommand::Policy { command } => results::policy(command),
        EvalCommand::Decide(args) => results::decide(args),
        EvalCommand::Score(args) => results::score(args),
        EvalCommand::Report(args) => results::report(args),
        EvalCommand::ImportInspect(args) => results::import_inspect(args),
    }
}
