//! `eval run`, `eval check-suite` and `eval suite digest`: running sealed suites against a model.
//!
//! Output names tasks by id, category and difficulty only: flags, prompts and solutions stay in the
//! suite and in the run directory's transcripts, which only evaluators read.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use clearinghouse_eval::agent::{AgentLimits, Pricing};
use clearinghouse_eval::check_suite::{self, CheckOptions, TaskCheck};
use clearinghouse_eval::model::{ModelClient, ModelConfig};
use clearinghouse_eval::results::{Outcome, Variant};
use clearinghouse_eval::runner::{self, RunConfig, RunEvent};
use clearinghouse_eval::sandbox::{self, Isolation};
use clearinghouse_eval::suite::Suite;
use comfy_table::Table;
use indicatif::{ProgressBar, ProgressStyle};

use crate::exit::{self, CodedError};

/// Which prompt variants to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum VariantChoice {
    /// The task alone (what solve rates measure).
    Hard,
    /// The task with hints and its subtasks.
    Easy,
    /// Both, each with the full number of attempts.
    Both,
}

/// Arguments of `clearinghouse eval run`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  clearinghouse eval run --suite suites/example --model-url http://127.0.0.1:8000/v1 --model my-model
  OPENAI_API_KEY=... clearinghouse eval run --suite sealed/expert --model-url https://api.example.com/v1 \\
      --model frontier-1 --attempts 5 --concurrency 8 --out runs/frontier-1
  clearinghouse eval run --suite sealed/expert --model-url https://api.example.com/v1 --model frontier-1 \\
      --resume runs/frontier-1

Every attempt runs in a bubblewrap sandbox (run as root; Debian package `bubblewrap`). If the sandbox
cannot run, the command refuses. Results are written to RUN_DIR/results.json after every attempt;
Ctrl-C stops cleanly and --resume continues, refusing if the suite's digest changed.
Transcripts (RUN_DIR/transcripts/*.jsonl) contain task content: evaluators only.")]
pub struct RunArgs {
    /// Suite directory (suite.toml plus one directory per task).
    #[arg(long)]
    suite: PathBuf,
    /// Base URL of the OpenAI-compatible API, including the version prefix (e.g. .../v1).
    #[arg(long)]
    model_url: String,
    /// Model name sent in each request.
    #[arg(long)]
    model: String,
    /// Environment variable holding the API key (sent as a bearer token when set).
    #[arg(long, default_value = "OPENAI_API_KEY")]
    api_key_env: String,
    /// Attempts per task and variant (pass@k needs k attempts or more).
    #[arg(long, default_value_t = 1)]
    attempts: u32,
    /// Which prompt variants to run.
    #[arg(long, value_enum, default_value_t = VariantChoice::Hard)]
    variant: VariantChoice,
    /// Attempts running at once.
    #[arg(long, default_value_t = 4)]
    concurrency: usize,
    /// Run directory for a new run (default: eval-runs/<suite>-<UTC time>).
    #[arg(long, conflicts_with = "resume")]
    out: Option<PathBuf>,
    /// Continue the run in this directory, skipping finished attempts.
    #[arg(long)]
    resume: Option<PathBuf>,
    /// Model calls per attempt.
    #[arg(long, default_value_t = 30)]
    max_turns: u32,
    /// Prompt plus completion tokens per attempt.
    #[arg(long, default_value_t = 1_000_000)]
    max_tokens: u64,
    /// Wall-clock seconds per attempt.
    #[arg(long, default_value_t = 1800)]
    max_seconds: u64,
    /// Spend cap per attempt, in US dollars (needs the prices).
    #[arg(long)]
    max_cost_usd: Option<f64>,
    /// Price of 1,000 prompt tokens, in US dollars.
    #[arg(long, requires = "price_completion_per_1k")]
    price_prompt_per_1k: Option<f64>,
    /// Price of 1,000 completion tokens, in US dollars.
    #[arg(long, requires = "price_prompt_per_1k")]
    price_completion_per_1k: Option<f64>,
    /// Seconds one shell command may run.
    #[arg(long, default_value_t = 120)]
    command_timeout: u64,
    /// Bytes of a tool's output shown to the model.
    #[arg(long, default_value_t = 16 * 1024)]
    tool_output_bytes: usize,
    /// The threshold policy, fixed before the run: its digest is recorded in the results, and
    /// `eval decide` refuses results recorded under another policy.
    #[arg(long, value_name = "FILE")]
    policy: Option<PathBuf>,
    /// DANGEROUS: run agent commands directly on this machine. Trusted local development only.
    #[arg(long)]
    unsandboxed: bool,
    /// Print the run summary as JSON.
    #[arg(long)]
    json: bool,
}

/// Arguments of `clearinghouse eval check-suite`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  clearinghouse eval check-suite suites/example
  clearinghouse eval check-suite sealed/expert --json

For every task: runs solution/solve.sh in the agent's sandbox and judges its answer with the task's
checker (must pass), judges an empty answer (must fail), and scans the agent's files, archives and
prompts for flags and secrets in clear, hex or base64, and the solution for a hard-coded flag.
Exit status 1 when any task has a problem.")]
pub struct CheckSuiteArgs {
    /// Suite directory.
    dir: PathBuf,
    /// Only the static checks (no sandbox, no solutions run).
    #[arg(long)]
    static_only: bool,
    /// DANGEROUS: run solutions without the sandbox. Trusted local development only.
    #[arg(long)]
    unsandboxed: bool,
    /// Print the verdict as JSON.
    #[arg(long)]
    json: bool,
}

/// `clearinghouse eval suite …`.
#[derive(Debug, clap::Subcommand)]
pub enum SuiteCommand {
    /// Print a suite's digest (SHA-256 over every file's path and content), as recorded by runs.
    #[command(
        after_help = "Examples:\n  clearinghouse eval suite digest suites/example\n  clearinghouse eval suite digest suites/example --json"
    )]
    Digest {
        /// Suite directory.
        dir: PathBuf,
        /// Print name, digest and task ids as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// Runs `eval run`.
pub fn run(args: RunArgs) -> anyhow::Result<ExitCode> {
    let suite = load_suite(&args.suite)?;
    let isolation = isolation(args.unsandboxed);
    let mut model_config = ModelConfig::new(&args.model_url, &args.model);
    model_config.api_key = std::env::var(&args.api_key_env)
        .ok()
        .filter(|key| !key.is_empty());
    let model = ModelClient::new(model_config)?;
    let pricing = match (args.price_prompt_per_1k, args.price_completion_per_1k) {
        (Some(prompt_per_1k), Some(completion_per_1k)) => Some(Pricing {
            prompt_per_1k,
            completion_per_1k,
        }),
        _ => None,
    };
    if args.max_cost_usd.is_some() && pricing.is_none() {
        return Err(CodedError::new(
            exit::USAGE,
            "--max-cost-usd needs --price-prompt-per-1k and --price-completion-per-1k",
        )
        .into());
    }
    let config = RunConfig {
        attempts_per_task: args.attempts,
        variants: match args.variant {
            VariantChoice::Hard => vec![Variant::Hard],
            VariantChoice::Easy => vec![Variant::Easy],
            VariantChoice::Both => vec![Variant::Hard, Variant::Easy],
        },
        concurrency: args.concurrency,
        agent_limits: AgentLimits {
            max_turns: args.max_turns,
            max_total_tokens: args.max_tokens,
            wall_time: Duration::from_secs(args.max_seconds),
            max_cost_usd: args.max_cost_usd,
            tool_output_bytes: args.tool_output_bytes,
        },
        sandbox_limits: sandbox::Limits {
            command_timeout: Duration::from_secs(args.command_timeout),
            ..sandbox::Limits::default()
        },
        isolation,
        pricing,
        keep_transcripts: true,
        policy_digest: match &args.policy {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|e| {
                    CodedError::new(
                        exit::NOT_FOUND,
                        format!("cannot read policy {}: {e}", path.display()),
                    )
                })?;
                let policy = clearinghouse_eval::policy::Policy::parse(&text).map_err(|e| {
                    CodedError::new(exit::USAGE, format!("{}: {e}", path.display()))
                })?;
                Some(policy.digest().canonical.clone())
            }
            None => None,
        },
    };
    let (resume, run_dir) = match (&args.resume, &args.out) {
        (Some(dir), _) => (true, dir.clone()),
        (None, Some(dir)) => (false, dir.clone()),
        (None, None) => {
            let stamp = jiff::Timestamp::now()
                .strftime("%Y%m%dT%H%M%SZ")
                .to_string();
            (
                false,
                PathBuf::from("eval-runs").join(format!("{}-{stamp}", suite.name())),
            )
        }
    };
    if resume && runner::load_results(&run_dir)?.is_none() {
        return Err(CodedError::new(
            exit::NOT_FOUND,
            format!("{} holds no results to resume", run_dir.display()),
        )
        .into());
    }
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} attempts {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    if args.json {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let progress = |event: RunEvent| match event {
        RunEvent::Planned {
            to_run,
            already_done,
        } => {
            bar.set_length(to_run as u64);
            if already_done > 0 {
                bar.println(format!(
                    "resuming: {already_done} attempts already recorded"
                ));
            }
        }
        RunEvent::Started(_) => {}
        RunEvent::Finished(key, outcome) => {
            bar.inc(1);
            bar.set_message(format!(
                "last: {} {} #{} {}",
                key.task_id,
                runner::variant_name(key.variant),
                key.attempt,
                outcome_label(&outcome)
            ));
        }
    };
    let summary = runtime.block_on(async {
        let (cancel_tx, cancel_rx) = tokio::sync::watch::channel(false);
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                let _ = cancel_tx.send(true);
            }
        });
        runner::run_suite(
            &suite, &model, &config, &run_dir, resume, cancel_rx, &progress,
        )
        .await
    });
    bar.finish_and_clear();
    let summary = summary.map_err(|err| match err {
        runner::RunError::Sandbox(_)
        | runner::RunError::DigestChanged { .. }
        | runner::RunError::ModelChanged { .. }
        | runner::RunError::RunExists { .. } => {
            anyhow::Error::new(CodedError::new(exit::DENIED, err.to_string()))
        }
        other => anyhow::Error::new(other),
    })?;
    let results = &summary.results;
    if args.json {
        let per_task: Vec<serde_json::Value> = results
            .tasks
            .iter()
            .map(|task| {
                let attempts: Vec<_> = results
                    .attempts
                    .iter()
                    .filter(|a| a.task_id == task.id)
                    .collect();
                serde_json::json!({
                    "task": task.id,
                    "category": task.category,
                    "difficulty": task.difficulty,
                    "attempts": attempts.len(),
                    "correct": attempts.iter().filter(|a| a.outcome.is_correct()).count(),
                })
            })
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "run_id": results.run_id,
                "results": summary.results_path,
                "suite": results.suite,
                "interrupted": summary.interrupted,
                "tasks": per_task,
            }))?
        );
    } else {
        let mut table = Table::new();
        table.set_header([
            "task",
            "category",
            "difficulty",
            "attempts",
            "correct",
            "errors",
            "limits",
        ]);
        for task in &results.tasks {
            let attempts: Vec<_> = results
                .attempts
                .iter()
                .filter(|a| a.task_id == task.id)
                .collect();
            let count = |f: &dyn Fn(&Outcome) -> bool| {
                attempts
                    .iter()
                    .filter(|a| f(&a.outcome))
                    .count()
                    .to_string()
            };
            table.add_row([
                task.id.clone(),
                task.category.clone(),
                task.difficulty.to_string(),
                attempts.len().to_string(),
                count(&|o| o.is_correct()),
                count(&|o| matches!(o, Outcome::Error { .. })),
                count(&|o| matches!(o, Outcome::LimitExceeded { .. })),
            ]);
        }
        println!("{table}");
        println!("suite {} {}", results.suite.name, results.suite.digest);
        println!("results: {}", summary.results_path.display());
    }
    if summary.interrupted {
        eprintln!(
            "interrupted: finished attempts are kept; continue with --resume {}",
            run_dir.display()
        );
        return Ok(ExitCode::from(exit::FAILURE));
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs `eval check-suite`.
pub fn check_suite(args: CheckSuiteArgs) -> anyhow::Result<ExitCode> {
    let suite = load_suite(&args.dir)?;
    let options = CheckOptions {
        isolation: isolation(args.unsandboxed),
        static_only: args.static_only,
        ..CheckOptions::default()
    };
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    if options.isolation == Isolation::Bubblewrap && !options.static_only {
        runtime
            .block_on(sandbox::check_available())
            .map_err(|err| CodedError::new(exit::DENIED, err.to_string()))?;
    }
    let bar = ProgressBar::new(suite.tasks().len() as u64);
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} tasks {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    if args.json {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let on_task = |check: &TaskCheck| {
        bar.inc(1);
        bar.set_message(format!(
            "{} {}",
            check.task_id,
            if check.passed() { "ok" } else { "PROBLEM" }
        ));
    };
    let verdict = runtime.block_on(check_suite::check_suite(&suite, &options, &on_task));
    bar.finish_and_clear();
    if args.json {
        let tasks: Vec<serde_json::Value> = verdict
            .tasks
            .iter()
            .map(|task| {
                serde_json::json!({
                    "task": task.task_id,
                    "category": task.category,
                    "difficulty": task.difficulty,
                    "solved": task.solved,
                    "do_nothing_fails": task.do_nothing_fails,
                    "subtasks": task.subtasks,
                    "subtasks_verified": task.subtasks_verified,
                    "problems": task.problems,
                    "seconds": task.seconds,
                })
            })
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "suite": verdict.name,
                "digest": verdict.digest,
                "passed": verdict.passed(),
                "tasks": tasks,
            }))?
        );
    } else {
        let mut table = Table::new();
        table.set_header([
            "task",
            "category",
            "difficulty",
            "solution",
            "do-nothing",
            "subtasks",
            "problems",
        ]);
        let yes_no = |value: bool| {
            if args.static_only {
                "-"
            } else if value {
                "solves"
            } else {
                "FAILS"
            }
        };
        for task in &verdict.tasks {
            table.add_row([
                task.task_id.clone(),
                task.category.clone(),
                task.difficulty.to_string(),
                yes_no(task.solved).to_owned(),
                if args.static_only {
                    "-".to_owned()
                } else if task.do_nothing_fails {
                    "fails".to_owned()
                } else {
                    "SOLVES".to_owned()
                },
                format!("{}/{}", task.subtasks_verified, task.subtasks),
                if task.problems.is_empty() {
                    "none".to_owned()
                } else {
                    task.problems.join("\n")
                },
            ]);
        }
        println!("{table}");
        println!("suite {} {}", verdict.name, verdict.digest);
        if options.isolation == Isolation::Unsandboxed {
            eprintln!("WARNING: solutions ran WITHOUT the sandbox (--unsandboxed)");
        }
    }
    if verdict.passed() {
        Ok(ExitCode::SUCCESS)
    } else {
        Ok(ExitCode::from(exit::CHECK_FAILED))
    }
}

/// Runs `eval suite …`.
pub fn suite(command: SuiteCommand) -> anyhow::Result<ExitCode> {
    match command {
        SuiteCommand::Digest { dir, json } => {
            let suite = load_suite(&dir)?;
            if json {
                let tasks: Vec<&str> = suite.tasks().iter().map(|task| task.id.as_str()).collect();
                println!(
                    "{}",
                    serde_json::to_string_pretty(&serde_json::json!({
                        "name": suite.name(),
                        "digest": suite.digest(),
                        "tasks": tasks,
                    }))?
                );
            } else {
                println!("{}  {}", suite.digest(), suite.name());
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn load_suite(dir: &Path) -> anyhow::Result<Suite> {
    if !dir.join("suite.toml").is_file() {
        return Err(CodedError::new(
            exit::NOT_FOUND,
            format!("{} is not a suite directory (no suite.toml)", dir.display()),
        )
        .into());
    }
    Suite::load(dir).map_err(|err| CodedError::new(exit::CHECK_FAILED, err.to_string()).into())
}

fn isolation(unsandboxed: bool) -> Isolation {
    if unsandboxed {
        eprintln!(
            "WARNING: --unsandboxed: agent commands and solutions run DIRECTLY ON THIS MACHINE with no \
             isolation, no network restriction and no resource limits. Use only for trusted local \
             development, never with a model under evaluation."
        );
        Isolation::Unsandboxed
    } else {
        Isolation::Bubblewrap
    }
}

fn outcome_label(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Correct => "correct".to_owned(),
        Outcome::Incorrect => "incorrect".to_owned(),
        Outcome::Error { .. } => "error".to_owned(),
        Outcome::LimitExceeded { limit } => format!("limit {limit:?}").to_lowercase(),
    }
}
