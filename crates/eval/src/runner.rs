//! Runs a suite against a model: plans attempts, runs them concurrently, records results, resumes.
//!
//! A run directory holds `results.json` (a [`RunResults`] document rewritten atomically after every
//! finished attempt, so an interruption loses only the attempts in flight) and
//! `transcripts/<task>.<variant>.<attempt>.jsonl`. Resuming reads `results.json`, refuses when the
//! suite's digest or the model changed, and runs only the attempts not yet recorded. Attempts that
//! ended in a harness error (`Outcome::Error`) are run again on resume: they say nothing about the
//! model. Cancellation (Ctrl-C in the CLI) drops the attempts in flight, which kills their sandboxes.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use futures::StreamExt;
use tokio::sync::watch;

use crate::agent::{self, AgentLimits, Pricing, Transcript};
use crate::model::ModelClient;
use crate::results::{
    AttemptResult, Harness, ModelRef, Outcome, ResultsError, RunResults, SCHEMA_VERSION, SuiteRef,
    TaskInfo, Variant,
};
use crate::sandbox::{self, Isolation, Sandbox, SandboxError};
use crate::suite::{Suite, Task};

/// The results file inside a run directory.
pub const RESULTS_FILE: &str = "results.json";
/// The transcripts directory inside a run directory.
pub const TRANSCRIPTS_DIR: &str = "transcripts";

/// How to run a suite.
#[derive(Debug, Clone)]
pub struct RunConfig {
    /// Attempts per task and variant (the `n` of pass@k).
    pub attempts_per_task: u32,
    pub variants: Vec<Variant>,
    /// Attempts running at the same time.
    pub concurrency: usize,
    pub agent_limits: AgentLimits,
    pub sandbox_limits: sandbox::Limits,
    pub isolation: Isolation,
    pub pricing: Option<Pricing>,
    /// Keep JSONL transcripts (always on in the CLI; benchmarks turn it off).
    pub keep_transcripts: bool,
    /// The canonical digest of the threshold policy fixed before the run, recorded in the results
    /// so a decision can prove it used the policy that was fixed in advance.
    pub policy_digest: Option<String>,
}

impl Default for RunConfig {
    fn default() -> Self {
        Self {
            attempts_per_task: 1,
            variants: vec![Variant::Hard],
            concurrency: 4,
            agent_limits: AgentLimits::default(),
            sandbox_limits: sandbox::Limits::default(),
            isolation: Isolation::Bubblewrap,
            pricing: None,
            keep_transcripts: true,
            policy_digest: None,
        }
    }
}

/// One planned attempt.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct AttemptKey {
    pub task_id: String,
    pub variant: Variant,
    pub attempt: u32,
}

/// Progress notifications for a front end. They carry ids and outcomes only, never task content.
#[derive(Debug, Clone, PartialEq)]
pub enum RunEvent {
    /// The plan is known: how many attempts will run and how many were already recorded.
    Planned {
        to_run: usize,
        already_done: usize,
    },
    Started(AttemptKey),
    Finished(AttemptKey, Outcome),
}

/// What a run produced.
#[derive(Debug, Clone)]
pub struct RunSummary {
    pub results: RunResults,
    /// True when the run was cancelled before every attempt finished.
    pub interrupted: bool,
    pub results_path: PathBuf,
}

/// Why a run could not proceed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    #[error(transparent)]
    Sandbox(#[from] SandboxError),
    #[error("cannot write {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {source}")]
    Results { path: PathBuf, source: ResultsError },
    #[error(
        "the suite changed since this run started (recorded {recorded}, now {current}); start a new run instead of resuming"
    )]
    DigestChanged { recorded: String, current: String },
    #[error(
        "this run was made with model `{recorded}`, not `{requested}`; start a new run instead of resuming"
    )]
    ModelChanged { recorded: String, requested: String },
    #[error(
        "this run was started under threshold policy {recorded}, not {requested}; a policy is fixed before a run and cannot change while resuming"
    )]
    PolicyChanged { recorded: String, requested: String },
    #[error(
        "{path} already holds results; use --resume to continue it or choose another directory"
    )]
    RunExists { path: PathBuf },
    #[error("nothing to run: {0}")]
    Empty(String),
}

/// Reads the results of an earlier run, if the directory holds one.
pub fn load_results(run_dir: &Path) -> Result<Option<RunResults>, RunError> {
    let path = run_dir.join(RESULTS_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => RunResults::from_json(&text)
            .map(Some)
            .map_err(|source| RunError::Results { path, source }),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(RunError::Io { path, source }),
    }
}

/// Runs (or resumes, when `run_dir` holds results and `resume` is set) `suite` against `model`.
///
/// `cancel` turning `true` stops the run: recorded attempts stay, attempts in flight are dropped.
pub async fn run_suite(
    suite: &Suite,
    model: &ModelClient,
    config: &RunConfig,
    run_dir: &Path,
    resume: bool,
    mut cancel: watch::Receiver<bool>,
    progress: &(dyn Fn(RunEvent) + Sync),
) -> Result<RunSummary, RunError> {
    if config.attempts_per_task == 0 || config.variants.is_empty() {
        return Err(RunError::Empty(
            "at least one attempt and one variant are needed".to_owned(),
        ));
    }
    if config.isolation == Isolation::Bubblewrap {
        sandbox::check_available().await?;
    }
    let results_path = run_dir.join(RESULTS_FILE);
    let transcripts = run_dir.join(TRANSCRIPTS_DIR);
    std::fs::create_dir_all(&transcripts).map_err(|source| RunError::Io {
        path: transcripts.clone(),
        source,
    })?;
    let model_ref = ModelRef {
        name: model.config().model.clone(),
        base_url: Some(model.config().base_url.clone()),
        harness: Harness::Clearinghouse,
    };
    let mut results = match load_results(run_dir)? {
        Some(_) if !resume => {
            return Err(RunError::RunExists { path: results_path });
        }
        Some(mut existing) => {
            if existing.suite.digest != suite.digest() {
                return Err(RunError::DigestChanged {
                    recorded: existing.suite.digest,
                    current: suite.digest().to_owned(),
                });
            }
            if existing.model.name != model_ref.name {
                return Err(RunError::ModelChanged {
                    recorded: existing.model.name,
                    requested: model_ref.name,
                });
            }
            if existing.policy_digest != config.policy_digest {
                return Err(RunError::PolicyChanged {
                    recorded: existing.policy_digest.unwrap_or_else(|| "(none)".into()),
                    requested: config
                        .policy_digest
                        .clone()
                        .unwrap_or_else(|| "(none)".into()),
                });
            }
            existing
                .attempts
                .retain(|attempt| !matches!(attempt.outcome, Outcome::Error { .. }));
            existing.attempts_per_task = existing.attempts_per_task.max(config.attempts_per_task);
            existing
        }
        None => {
            let now = jiff::Timestamp::now();
            RunResults {
                schema_version: SCHEMA_VERSION,
                run_id: uuid::Uuid::now_v7().to_string(),
                suite: SuiteRef {
                    name: suite.name().to_owned(),
                    digest: suite.digest().to_owned(),
                },
                policy_digest: config.policy_digest.clone(),
                model: model_ref,
                started_at: now,
                finished_at: now,
                attempts_per_task: config.attempts_per_task,
                tasks: suite.tasks().iter().map(task_info).collect(),
                attempts: Vec::new(),
            }
        }
    };
    let done: BTreeSet<AttemptKey> = results.attempts.iter().map(key_of).collect();
    let plan: Vec<(&Task, AttemptKey)> = suite
        .tasks()
        .iter()
        .flat_map(|task| {
            config.variants.iter().flat_map(move |variant| {
                (0..config.attempts_per_task).map(move |attempt| {
                    (
                        task,
                        AttemptKey {
                            task_id: task.id.clone(),
                            variant: *variant,
                            attempt,
                        },
                    )
                })
            })
        })
        .filter(|(_, key)| !done.contains(key))
        .collect();
    progress(RunEvent::Planned {
        to_run: plan.len(),
        already_done: done.len(),
    });
    write_results(&results_path, &mut results)?;

    let mut pending = futures::stream::iter(plan)
        .map(|(task, key)| {
            let transcript_path = transcripts.join(format!(
                "{}.{}.{}.jsonl",
                key.task_id,
                variant_name(key.variant),
                key.attempt
            ));
            async move {
                progress(RunEvent::Started(key.clone()));
                let result = run_one(model, task, &key, config, &transcript_path).await;
                (key, result)
            }
        })
        .buffer_unordered(config.concurrency.max(1));
    let mut interrupted = *cancel.borrow();
    while !interrupted {
        tokio::select! {
            next = pending.next() => {
                let Some((key, result)) = next else { break };
                progress(RunEvent::Finished(key, result.outcome.clone()));
                results.attempts.push(result);
                write_results(&results_path, &mut results)?;
            }
            changed = cancel.changed() => {
                // A dropped sender means nobody can cancel any more: keep running.
                if changed.is_ok() && *cancel.borrow() {
                    interrupted = true;
                } else if changed.is_err() {
                    let rest: Vec<_> = pending.by_ref().collect().await;
                    for (key, result) in rest {
                        progress(RunEvent::Finished(key, result.outcome.clone()));
                        results.attempts.push(result);
                        write_results(&results_path, &mut results)?;
                    }
                    break;
                }
            }
        }
    }
    drop(pending);
    write_results(&results_path, &mut results)?;
    Ok(RunSummary {
        results,
        interrupted,
        results_path,
    })
}

/// The public description of a task (no prompts, flags or solutions).
pub fn task_info(task: &Task) -> TaskInfo {
    TaskInfo {
        id: task.id.clone(),
        category: task.category.clone(),
        difficulty: task.difficulty,
        first_solve_seconds: task.first_solve_seconds,
        subtasks: task.subtasks.len() as u32,
    }
}

/// `hard` or `easy`, as used in file names.
pub fn variant_name(variant: Variant) -> &'static str {
    match variant {
        Variant::Hard => "hard",
        Variant::Easy => "easy",
    }
}

async fn run_one(
    model: &ModelClient,
    task: &Task,
    key: &AttemptKey,
    config: &RunConfig,
    transcript_path: &Path,
) -> AttemptResult {
    let started = std::time::Instant::now();
    let failed = |message: String| AttemptResult {
        task_id: key.task_id.clone(),
        attempt: key.attempt,
        variant: key.variant,
        outcome: Outcome::Error { message },
        subtasks_solved: 0,
        subtasks_total: 0,
        turns: 0,
        prompt_tokens: 0,
        completion_tokens: 0,
        cost_usd: None,
        wall_seconds: started.elapsed().as_secs_f64(),
        transcript: Vec::new(),
    };
    let mut transcript = if config.keep_transcripts {
        match Transcript::create(transcript_path) {
            Ok(transcript) => transcript,
            Err(err) => {
                return failed(format!(
                    "cannot create the transcript {}: {err}",
                    transcript_path.display()
                ));
            }
        }
    } else {
        Transcript::discard()
    };
    let service_dir = task.service_dir();
    let secret_dir = task.secret_dir();
    let service = task
        .service
        .as_ref()
        .map(|service| (service, service_dir.as_path(), secret_dir.as_path()));
    let sandbox = match Sandbox::create(
        &task.files_dir(),
        service,
        config.isolation,
        config.sandbox_limits,
    )
    .await
    {
        Ok(sandbox) => sandbox,
        Err(err) => {
            // The detail may quote the service's output: evaluators only.
            transcript
                .record(&serde_json::json!({"event": "harness_error", "error": err.to_string()}));
            return failed(
                "the sandbox could not be set up (details in the evaluator's transcript)"
                    .to_owned(),
            );
        }
    };
    let report = agent::run_attempt(
        model,
        task,
        key.variant,
        &sandbox,
        &config.agent_limits,
        config.pricing,
        &mut transcript,
    )
    .await;
    sandbox.shutdown().await;
    AttemptResult {
        task_id: key.task_id.clone(),
        attempt: key.attempt,
        variant: key.variant,
        outcome: report.outcome,
        subtasks_solved: report.subtasks_solved,
        subtasks_total: report.subtasks_total,
        turns: report.turns,
        prompt_tokens: report.prompt_tokens,
        completion_tokens: report.completion_tokens,
        cost_usd: report.cost_usd,
        wall_seconds: report.wall_seconds,
        transcript: Vec::new(),
    }
}

fn key_of(attempt: &AttemptResult) -> AttemptKey {
    AttemptKey {
        task_id: attempt.task_id.clone(),
        variant: attempt.variant,
        attempt: attempt.attempt,
    }
}

/// Sorts, stamps and writes the results atomically (temporary file, fsync, rename).
fn write_results(path: &Path, results: &mut RunResults) -> Result<(), RunError> {
    results.attempts.sort_by_key(key_of);
    results.finished_at = jiff::Timestamp::now().max(results.started_at);
    let text = results
        .to_json_pretty()
        .map_err(|source| RunError::Results {
            path: path.to_path_buf(),
            source,
        })?;
    let io = |source| RunError::Io {
        path: path.to_path_buf(),
        source,
    };
    let temporary = path.with_extension("json.tmp");
    {
        use std::io::Write;
        let mut file = std::fs::File::create(&temporary).map_err(io)?;
        file.write_all(text.as_bytes()).map_err(io)?;
        file.sync_all().map_err(io)?;
    }
    std::fs::rename(&temporary, path).map_err(io)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attempt_keys_order_by_task_then_variant_then_index() {
        let key = |task: &str, variant, attempt| AttemptKey {
            task_id: task.to_owned(),
            variant,
            attempt,
        };
        let mut keys = vec![
            key("b", Variant::Hard, 0),
            key("a", Variant::Easy, 0),
            key("a", Variant::Hard, 1),
            key("a", Variant::Hard, 0),
        ];
        keys.sort();
        assert_eq!(
            keys,
            vec![
                key("a", Variant::Hard, 0),
                key("a", Variant::Hard, 1),
                key("a", Variant::Easy, 0),
                key("b", Variant::Hard, 0),
            ]
        );
    }
}
