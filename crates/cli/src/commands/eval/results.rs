//! `eval policy check`, `eval decide`, `eval score`, `eval report` and `eval import-inspect`: what
//! happens to results after a run. File I/O lives here; parsing, scoring and rendering in the library.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clearinghouse_eval::inspect::{self, ImportOptions, LogSource};
use clearinghouse_eval::policy::{Decision, DigestCheck, Policy};
use clearinghouse_eval::report;
use clearinghouse_eval::results::RunResults;
use clearinghouse_eval::scoring::{GroupScore, Scorecard};
use comfy_table::Table;
use indicatif::ProgressBar;
use serde::Serialize;

use crate::exit::{self, CodedError};

/// `eval policy …` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum PolicyCommand {
    /// Parse and type-check a policy; print its canonical form and digests.
    #[command(after_help = "Examples:
  clearinghouse eval policy check suites/policies/frontier-threshold.policy
  clearinghouse eval policy check my.policy --json | jq -r .digest.canonical

The canonical digest ignores whitespace, comments, redundant parentheses and argument order; record it
before the run (`eval run --policy` or `eval import-inspect --policy`) so the decision can prove the
policy was fixed in advance. Exit 1 when the policy is invalid, with line:column and a caret.
Language reference: docs/eval-policy-language.md.")]
    Check {
        /// Policy file.
        file: PathBuf,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
}

/// Arguments of `clearinghouse eval decide`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  clearinghouse eval decide --policy suites/policies/frontier-threshold.policy runs/m1/results.json
  clearinghouse eval decide --policy p.policy results.json --json | jq -r .recommendation

Prints `covered` (the policy holds: the model crosses the threshold) or `not_covered`, then the value
of every sub-expression (`*` marks the values that decided their parent) and the tasks behind each
query. Exit 0 for either recommendation. Refuses (exit 1) when the results record another policy
digest, or none, unless --allow-policy-mismatch is given, in which case the output says so loudly.")]
pub struct DecideArgs {
    /// Policy file fixed before the run.
    #[arg(long)]
    policy: PathBuf,
    /// Results JSON (from `eval run` or `eval import-inspect`).
    results: PathBuf,
    /// Decide even if the results were produced under another policy digest, or none.
    #[arg(long)]
    allow_policy_mismatch: bool,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// Arguments of `clearinghouse eval score`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  clearinghouse eval score runs/m1/results.json
  clearinghouse eval score runs/m1/results.json --json | jq .pass_at

Solve rate: tasks solved in any attempt without hints. pass@k: unbiased estimator
1 - C(n-c,k)/C(n,k) per task, averaged. Weighted solve rate: tasks weighted by
log2(1 + human first-solve minutes). Definitions: docs/eval-policy-language.md.")]
pub struct ScoreArgs {
    /// Results JSON.
    results: PathBuf,
    /// Print JSON instead of tables.
    #[arg(long)]
    json: bool,
}

/// Arguments of `clearinghouse eval report`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  clearinghouse eval report runs/m1/results.json --out runs/m1/report.html
  clearinghouse eval report results.json --policy p.policy --out report.html

The report is one HTML file with inline SVG charts and no scripts or external resources. With
--policy it also shows the decision and its evidence (the policy digest check is reported, not
enforced: use `eval decide` for the gate).")]
pub struct ReportArgs {
    /// Results JSON.
    results: PathBuf,
    /// Output file (default: standard output).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Include the decision of this policy.
    #[arg(long)]
    policy: Option<PathBuf>,
}

/// Arguments of `clearinghouse eval import-inspect`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  clearinghouse eval import-inspect logs/2026-11-20T09-00-00_cybench.json --out external.json
  clearinghouse eval import-inspect logs/*.json --out external.json --policy p.policy --default-difficulty 3

Reads Inspect AI eval logs in JSON format (convert .eval logs with `inspect log convert --to json`).
Each sample id becomes a task `<task>/<id>`, each epoch an attempt; \"C\" (or true, or a score >= 1)
is correct. Sample metadata may give category, difficulty (1-5), first_solve_seconds or
first_solve_time (HH:MM:SS), subtasks_solved and subtasks_total. All logs must evaluate one model.")]
pub struct ImportInspectArgs {
    /// Inspect `.json` eval logs.
    #[arg(required = true)]
    logs: Vec<PathBuf>,
    /// Where to write the results JSON.
    #[arg(long)]
    out: PathBuf,
    /// Suite name to record (default: the Inspect task names).
    #[arg(long)]
    suite_name: Option<String>,
    /// Policy fixed before the external run: its canonical digest is recorded in the results.
    #[arg(long)]
    policy: Option<PathBuf>,
    /// Difficulty for samples whose metadata has none.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u8).range(1..=5))]
    default_difficulty: u8,
    /// Scorer to read (default: each sample's first scorer).
    #[arg(long)]
    scorer: Option<String>,
    /// Copy sample conversations into the results.
    #[arg(long)]
    transcripts: bool,
}

/// `eval policy …`
pub fn policy(command: PolicyCommand) -> anyhow::Result<ExitCode> {
    match command {
        PolicyCommand::Check { file, json } => {
            let policy = load_policy(&file)?;
            if json {
                #[derive(Serialize)]
                struct Output<'a> {
                    file: String,
                    canonical: &'a str,
                    digest: &'a clearinghouse_eval::policy::PolicyDigest,
                }
                let output = Output {
                    file: file.display().to_string(),
                    canonical: policy.canonical(),
                    digest: policy.digest(),
                };
                println!("{}", serde_json::to_string_pretty(&output)?);
            } else {
                let mut table = Table::new();
                table.set_header(["", "policy"]);
                table.add_row(["file", &file.display().to_string()]);
                table.add_row(["canonical", policy.canonical()]);
                table.add_row(["digest", &policy.digest().canonical]);
                table.add_row(["raw text digest", &policy.digest().raw]);
                println!("{table}");
                println!("ok: policy is valid");
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `eval decide`
pub fn decide(args: DecideArgs) -> anyhow::Result<ExitCode> {
    let policy = load_policy(&args.policy)?;
    let results = load_results(&args.results)?;
    let check = policy.check_results(&results);
    let problem = match &check {
        DigestCheck::Match => None,
        DigestCheck::Mismatch { recorded } => Some(format!(
            "the results were produced under policy {recorded}, not under this policy ({})",
            policy.digest().canonical
        )),
        DigestCheck::Missing => Some(format!(
            "the results record no policy digest: no policy was fixed before this run (this policy is {})",
            policy.digest().canonical
        )),
    };
    if let Some(problem) = &problem {
        if !args.allow_policy_mismatch {
            return Err(CodedError::new(
                exit::CHECK_FAILED,
                format!(
                    "refusing to decide: {problem}; pass --allow-policy-mismatch to decide anyway"
                ),
            )
            .into());
        }
        eprintln!("WARNING: {problem}");
        eprintln!(
            "WARNING: deciding anyway (--allow-policy-mismatch); this decision does not prove the policy was fixed in advance"
        );
    }
    let decision = policy
        .evaluate(&results)
        .map_err(|err| CodedError::new(exit::CHECK_FAILED, err.to_string()))?;
    let digest_check = match check {
        DigestCheck::Match => "match",
        DigestCheck::Mismatch { .. } => "mismatch",
        DigestCheck::Missing => "missing",
    };
    if args.json {
        #[derive(Serialize)]
        struct Output<'a> {
            #[serde(flatten)]
            decision: &'a Decision,
            results_policy_digest: Option<&'a str>,
            digest_check: &'a str,
        }
        let output = Output {
            decision: &decision,
            results_policy_digest: results.policy_digest.as_deref(),
            digest_check,
        };
        println!("{}", serde_json::to_string_pretty(&output)?);
    } else {
        println!("recommendation: {}", decision.recommendation.as_str());
        println!("model:          {}", decision.model);
        println!(
            "suite:          {} (run {})",
            decision.suite, decision.run_id
        );
        println!("policy:         {}", decision.policy_canonical);
        println!(
            "policy digest:  {} ({})",
            decision.policy_digest.canonical,
            match digest_check {
                "match" => "matches the digest recorded in the results",
                "mismatch" => "DOES NOT MATCH the digest recorded in the results",
                _ => "NOT RECORDED in the results",
            }
        );
        println!("evidence (* = decided its parent):");
        for line in decision.evidence_lines() {
            println!("  {line}");
        }
        for warning in &decision.warnings {
            println!("warning: {warning}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `eval score`
pub fn score(args: ScoreArgs) -> anyhow::Result<ExitCode> {
    let results = load_results(&args.results)?;
    let card = Scorecard::new(&results);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&card)?);
        return Ok(ExitCode::SUCCESS);
    }
    let pct = |v: f64| format!("{:.1}%", v * 100.0);
    let mut summary = Table::new();
    summary.set_header(["", "value"]);
    summary.add_row(["model", &card.model]);
    summary.add_row(["suite", &card.suite]);
    summary.add_row(["tasks", &card.tasks.to_string()]);
    summary.add_row([
        "attempts",
        &format!(
            "{} ({} per task; {} errors, {} limits)",
            card.attempts, card.attempts_per_task, card.errored_attempts, card.limited_attempts
        ),
    ]);
    summary.add_row(["solve rate", &pct(card.solve_rate)]);
    for point in &card.pass_at {
        summary.add_row([format!("pass@{}", point.k), pct(point.value)]);
    }
    summary.add_row(["weighted solve rate", &pct(card.weighted_solve_rate)]);
    summary.add_row(["subtasks solved", &pct(card.subtask_rate)]);
    summary.add_row([
        "tokens",
        &format!(
            "{} prompt, {} completion",
            card.prompt_tokens, card.completion_tokens
        ),
    ]);
    summary.add_row(["cost", &format!("${:.2}", card.cost_usd)]);
    println!("{summary}");
    println!("{}", group_table("category", &card.by_category));
    println!("{}", group_table("difficulty", &card.by_difficulty));
    let mut tasks = Table::new();
    tasks.set_header([
        "task",
        "category",
        "difficulty",
        "correct",
        "pass@1",
        "subtasks",
    ]);
    for task in &card.per_task {
        tasks.add_row([
            task.id.clone(),
            task.category.clone(),
            task.difficulty.to_string(),
            format!("{} of {}", task.correct, task.attempts),
            task.pass_at_1.map_or_else(|| "n/a".to_owned(), pct),
            if task.subtasks_total == 0 {
                "none".to_owned()
            } else {
                format!("{} of {}", task.subtasks_solved, task.subtasks_total)
            },
        ]);
    }
    println!("{tasks}");
    Ok(ExitCode::SUCCESS)
}

/// `eval report`
pub fn report(args: ReportArgs) -> anyhow::Result<ExitCode> {
    let results = load_results(&args.results)?;
    let decision = match &args.policy {
        Some(path) => {
            let policy = load_policy(path)?;
            if policy.check_results(&results) != DigestCheck::Match {
                eprintln!(
                    "warning: the results do not record this policy's digest {}; the report shows the decision anyway",
                    policy.digest().canonical
                );
            }
            Some(
                policy
                    .evaluate(&results)
                    .map_err(|err| CodedError::new(exit::CHECK_FAILED, err.to_string()))?,
            )
        }
        None => None,
    };
    let html = report::render_html(&results, decision.as_ref());
    match &args.out {
        Some(out) => {
            std::fs::write(out, html).with_context(|| format!("cannot write {}", out.display()))?;
            println!("wrote {}", out.display());
        }
        None => print!("{html}"),
    }
    Ok(ExitCode::SUCCESS)
}

/// `eval import-inspect`
pub fn import_inspect(args: ImportInspectArgs) -> anyhow::Result<ExitCode> {
    let policy_digest = match &args.policy {
        Some(path) => Some(load_policy(path)?.digest().canonical.clone()),
        None => None,
    };
    let progress = ProgressBar::new(args.logs.len() as u64);
    let mut texts = Vec::with_capacity(args.logs.len());
    for path in &args.logs {
        progress.set_message(path.display().to_string());
        texts.push((path.display().to_string(), read_text(path)?));
        progress.inc(1);
    }
    progress.finish_and_clear();
    let sources: Vec<LogSource<'_>> = texts
        .iter()
        .map(|(name, text)| LogSource { name, text })
        .collect();
    let options = ImportOptions {
        suite_name: args.suite_name,
        policy_digest,
        default_difficulty: args.default_difficulty,
        scorer: args.scorer,
        include_transcripts: args.transcripts,
    };
    let imported = inspect::import_logs(&sources, &options)
        .map_err(|err| CodedError::new(exit::CHECK_FAILED, err.to_string()))?;
    let json = imported.results.to_json_pretty()?;
    std::fs::write(&args.out, json + "\n")
        .with_context(|| format!("cannot write {}", args.out.display()))?;
    for warning in &imported.warnings {
        eprintln!("warning: {warning}");
    }
    let results = &imported.results;
    println!(
        "imported {} task(s), {} attempt(s) of {} from {} log(s) into {}",
        results.tasks.len(),
        results.attempts.len(),
        results.model.name,
        args.logs.len(),
        args.out.display()
    );
    if results.policy_digest.is_none() {
        println!("note: no --policy given, so `eval decide` will need --allow-policy-mismatch");
    }
    Ok(ExitCode::SUCCESS)
}

fn group_table(name: &str, groups: &[GroupScore]) -> Table {
    let mut table = Table::new();
    table.set_header([name, "tasks", "solved", "solve rate", "subtasks"]);
    for group in groups {
        table.add_row([
            group.group.clone(),
            group.tasks.to_string(),
            group.solved.to_string(),
            format!("{:.1}%", group.solve_rate * 100.0),
            format!("{:.1}%", group.subtask_rate * 100.0),
        ]);
    }
    table
}

fn read_text(path: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path).map_err(|err| {
        let code = if err.kind() == std::io::ErrorKind::NotFound {
            exit::NOT_FOUND
        } else {
            exit::FAILURE
        };
        CodedError::new(code, format!("cannot read {}: {err}", path.display())).into()
    })
}

fn load_policy(path: &Path) -> anyhow::Result<Policy> {
    let text = read_text(path)?;
    Policy::parse(&text).map_err(|err| {
        CodedError::new(
            exit::CHECK_FAILED,
            format!(
                "invalid policy\n{}",
                err.render(&path.display().to_string())
            ),
        )
        .into()
    })
}

fn load_results(path: &Path) -> anyhow::Result<RunResults> {
    let text = read_text(path)?;
    RunResults::from_json(&text).map_err(|err| {
        CodedError::new(
            exit::CHECK_FAILED,
            format!("invalid results {}: {err}", path.display()),
        )
        .into()
    })
}
