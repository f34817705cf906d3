//! Import of Inspect AI `.json` eval logs into [`RunResults`], so evaluations run elsewhere are scored
//! and judged by the same policies (`harness = "inspect"`).
//!
//! Mapping (Inspect's `EvalLog`, log format version 1 or 2):
//!
//! - one task per distinct `samples[].id`, named `<eval.task>/<id>`; one attempt per sample epoch
//!   (`attempt = epoch - 1`), all of the `hard` variant;
//! - outcome: `samples[].error` → `error`; else the first scorer's (or the chosen scorer's) value
//!   `"C"`, `true` or a number ≥ 1 → `correct`; else `samples[].limit` → `limit_exceeded`; else
//!   `incorrect` (`"I"`, `"P"`, `"N"`, numbers below 1);
//! - task metadata from `samples[].metadata`: `category` (default: the Inspect task name),
//!   `difficulty` (1–5 as number or numeric string; default from [`ImportOptions`]), human time as
//!   `first_solve_seconds` (number) or `first_solve_time` (`"HH:MM:SS"`), and optional
//!   `subtasks_solved` / `subtasks_total`;
//! - tokens and cost from `samples[].model_usage` (summed over models), time from `total_time`,
//!   turns from the assistant messages, and the run's times from `stats`.
//!
//! Only the `.json` format is read; convert binary `.eval` logs first with
//! `inspect log convert --to json`.

use std::collections::BTreeMap;

use serde::Deserialize;
use sha2::{Digest as _, Sha256};

use crate::results::{
    AttemptResult, Harness, Limit, ModelRef, Outcome, RunResults, SCHEMA_VERSION, SuiteRef,
    TaskInfo, TranscriptMessage, Variant,
};

/// Choices the log itself cannot make.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Suite name to record; defaults to the Inspect task names joined with `+`.
    pub suite_name: Option<String>,
    /// Canonical digest of the policy fixed before the external run, if one was.
    pub policy_digest: Option<String>,
    /// Difficulty for samples whose metadata has none.
    pub default_difficulty: u8,
    /// Scorer to read; defaults to the first scorer of each sample.
    pub scorer: Option<String>,
    /// Copy the sample conversations into the results.
    pub include_transcripts: bool,
}

impl Default for ImportOptions {
    fn default() -> Self {
        Self {
            suite_name: None,
            policy_digest: None,
            default_difficulty: 3,
            scorer: None,
            include_transcripts: false,
        }
    }
}

/// One log to import: a name for messages (usually the path) and its JSON text.
#[derive(Debug, Clone, Copy)]
pub struct LogSource<'a> {
    pub name: &'a str,
    pub text: &'a str,
}

/// The imported results and what the reviewer should know about the import.
#[derive(Debug, Clone)]
pub struct Imported {
    pub results: RunResults,
    pub warnings: Vec<String>,
}

/// Why logs could not be imported.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InspectError {
    #[error("no logs given")]
    NoLogs,
    #[error("`{log}` is not an Inspect JSON eval log: {source}")]
    Json {
        log: String,
        #[source]
        source: serde_json::Error,
    },
    #[error("`{log}` evaluates model `{found}` but the other logs evaluate `{expected}`")]
    MixedModels {
        log: String,
        expected: String,
        found: String,
    },
    #[error("`{log}` has no samples (was it written with log_samples = false?)")]
    NoSamples { log: String },
    #[error("`{log}` sample `{sample}` epoch {epoch}: {problem}")]
    Sample {
        log: String,
        sample: String,
        epoch: u32,
        problem: String,
    },
    #[error("`{log}` has an invalid time `{value}`: {source}")]
    Time {
        log: String,
        value: String,
        #[source]
        source: jiff::Error,
    },
    #[error("imported results are inconsistent: {0}")]
    Results(#[from] crate::results::ResultsError),
}

#[derive(Debug, Deserialize)]
struct EvalLog {
    #[serde(default)]
    status: Option<String>,
    eval: EvalSpec,
    #[serde(default)]
    stats: Option<EvalStats>,
    #[serde(default)]
    samples: Option<Vec<EvalSample>>,
}

#[derive(Debug, Deserialize)]
struct EvalSpec {
    #[serde(default)]
    run_id: String,
    created: String,
    task: String,
    model: String,
    #[serde(default)]
    model_base_url: Option<String>,
    #[serde(default)]
    config: EvalConfig,
}

#[derive(Debug, Default, Deserialize)]
struct EvalConfig {
    #[serde(default)]
    epochs: Option<u32>,
}

#[derive(Debug, Default, Deserialize)]
struct EvalStats {
    #[serde(default)]
    started_at: String,
    #[serde(default)]
    completed_at: String,
}

#[derive(Debug, Deserialize)]
struct EvalSample {
    id: serde_json::Value,
    #[serde(default = "first_epoch")]
    epoch: u32,
    #[serde(default)]
    messages: Vec<ChatMessage>,
    #[serde(default)]
    scores: Option<BTreeMap<String, Score>>,
    #[serde(default)]
    metadata: serde_json::Map<String, serde_json::Value>,
    #[serde(default)]
    model_usage: BTreeMap<String, ModelUsage>,
    #[serde(default)]
    total_time: Option<f64>,
    #[serde(default)]
    error: Option<SampleError>,
    #[serde(default)]
    limit: Option<SampleLimit>,
}

fn first_epoch() -> u32 {
    1
}

#[derive(Debug, Deserialize)]
struct ChatMessage {
    role: String,
    #[serde(default)]
    content: serde_json::Value,
}

#[derive(Debug, Deserialize)]
struct Score {
    value: serde_json::Value,
}

#[derive(Debug, Default, Deserialize)]
struct ModelUsage {
    #[serde(default)]
    input_tokens: u64,
    #[serde(default)]
    output_tokens: u64,
    #[serde(default)]
    total_cost: Option<f64>,
}

#[derive(Debug, Deserialize)]
struct SampleError {
    message: String,
}

#[derive(Debug, Deserialize)]
struct SampleLimit {
    #[serde(rename = "type")]
    kind: String,
}

/// Imports one or more Inspect JSON logs of the same model into one results document.
pub fn import_logs(
    logs: &[LogSource<'_>],
    options: &ImportOptions,
) -> Result<Imported, InspectError> {
    if logs.is_empty() {
        return Err(InspectError::NoLogs);
    }
    let mut warnings = Vec::new();
    let mut hasher = Sha256::new();
    let mut tasks: Vec<TaskInfo> = Vec::new();
    let mut attempts: Vec<AttemptResult> = Vec::new();
    let mut model: Option<ModelRef> = None;
    let mut task_names: Vec<String> = Vec::new();
    let mut run_ids: Vec<String> = Vec::new();
    let mut started: Option<jiff::Timestamp> = None;
    let mut finished: Option<jiff::Timestamp> = None;
    let mut attempts_per_task = 1;
    let mut defaulted_difficulty = 0usize;

    for log in logs {
        // Length-prefix each log so that two logs cannot hash like one concatenated log.
        hasher.update((log.text.len() as u64).to_be_bytes());
        hasher.update(log.text.as_bytes());
        let parsed: EvalLog =
            serde_json::from_str(log.text).map_err(|source| InspectError::Json {
                log: log.name.to_owned(),
                source,
            })?;
        if let Some(status) = parsed.status.as_deref()
            && status != "success"
        {
            warnings.push(format!(
                "`{}` has status `{status}`: the evaluation did not finish cleanly",
                log.name
            ));
        }
        match &model {
            None => {
                model = Some(ModelRef {
                    name: parsed.eval.model.clone(),
                    base_url: parsed.eval.model_base_url.clone(),
                    harness: Harness::Inspect,
                });
            }
            Some(existing) if existing.name != parsed.eval.model => {
                return Err(InspectError::MixedModels {
                    log: log.name.to_owned(),
                    expected: existing.name.clone(),
                    found: parsed.eval.model,
                });
            }
            Some(_) => {}
        }
        if !task_names.contains(&parsed.eval.task) {
            task_names.push(parsed.eval.task.clone());
        }
        if !parsed.eval.run_id.is_empty() && !run_ids.contains(&parsed.eval.run_id) {
            run_ids.push(parsed.eval.run_id.clone());
        }
        let stats = parsed.stats.unwrap_or_default();
        let time = |value: &str| -> Result<Option<jiff::Timestamp>, InspectError> {
            if value.is_empty() {
                return Ok(None);
            }
            value
                .parse()
                .map(Some)
                .map_err(|source| InspectError::Time {
                    log: log.name.to_owned(),
                    value: value.to_owned(),
                    source,
                })
        };
        let created = time(&parsed.eval.created)?;
        let log_start = time(&stats.started_at)?.or(created);
        let log_end = time(&stats.completed_at)?.or(log_start);
        started = min_time(started, log_start);
        finished = max_time(finished, log_end);
        attempts_per_task = attempts_per_task.max(parsed.eval.config.epochs.unwrap_or(1));

        let samples = parsed.samples.unwrap_or_default();
        if samples.is_empty() {
            return Err(InspectError::NoSamples {
                log: log.name.to_owned(),
            });
        }
        for sample in samples {
            let sample_id = match &sample.id {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let problem = |problem: String| InspectError::Sample {
                log: log.name.to_owned(),
                sample: sample_id.clone(),
                epoch: sample.epoch,
                problem,
            };
            let task_id = format!("{}/{sample_id}", parsed.eval.task);
            if !tasks.iter().any(|t| t.id == task_id) {
                let (task, defaulted) =
                    task_info(&task_id, &parsed.eval.task, &sample, options).map_err(problem)?;
                defaulted_difficulty += usize::from(defaulted);
                tasks.push(task);
            }
            let epoch = sample.epoch.max(1);
            attempts_per_task = attempts_per_task.max(epoch);
            attempts.push(attempt(task_id, &sample, options).map_err(problem)?);
        }
    }
    if defaulted_difficulty > 0 {
        warnings.push(format!(
            "{defaulted_difficulty} task(s) had no difficulty in their metadata and were given {}",
            options.default_difficulty
        ));
    }
    let (Some(started_at), Some(finished_at), Some(model)) = (started, finished, model) else {
        return Err(InspectError::NoLogs);
    };
    let results = RunResults {
        schema_version: SCHEMA_VERSION,
        run_id: run_ids.join("+"),
        suite: SuiteRef {
            name: options
                .suite_name
                .clone()
                .unwrap_or_else(|| task_names.join("+")),
            digest: format!("sha256:{}", hex::encode(hasher.finalize())),
        },
        policy_digest: options.policy_digest.clone(),
        model,
        started_at,
        finished_at,
        attempts_per_task,
        tasks,
        attempts,
    };
    results.validate()?;
    Ok(Imported { results, warnings })
}

/// The task of a sample; the flag says whether the difficulty was defaulted.
fn task_info(
    task_id: &str,
    inspect_task: &str,
    sample: &EvalSample,
    options: &ImportOptions,
) -> Result<(TaskInfo, bool), String> {
    let metadata = &sample.metadata;
    let category = metadata
        .get("category")
        .and_then(|v| v.as_str())
        .unwrap_or(inspect_task)
        .to_owned();
    let (difficulty, defaulted) = match metadata.get("difficulty") {
        None | Some(serde_json::Value::Null) => (options.default_difficulty, true),
        Some(value) => {
            let number = match value {
                serde_json::Value::Number(n) => n.as_u64(),
                serde_json::Value::String(s) => s.trim().parse().ok(),
                _ => None,
            };
            match number.filter(|d| (1..=5).contains(d)) {
                Some(d) => (d as u8, false),
                None => {
                    return Err(format!(
                        "metadata difficulty {value} is not a whole number from 1 to 5"
                    ));
                }
            }
        }
    };
    let first_solve_seconds = match (
        metadata.get("first_solve_seconds"),
        metadata.get("first_solve_time"),
    ) {
        (Some(seconds), _) => Some(seconds.as_u64().ok_or_else(|| {
            format!("metadata first_solve_seconds {seconds} is not a whole number")
        })?),
        (None, Some(serde_json::Value::String(text))) => Some(
            parse_clock(text)
                .ok_or_else(|| format!("metadata first_solve_time `{text}` is not HH:MM:SS"))?,
        ),
        _ => None,
    };
    let subtasks = metadata
        .get("subtasks_total")
        .and_then(serde_json::Value::as_u64)
        .and_then(|n| u32::try_from(n).ok())
        .unwrap_or(0);
    Ok((
        TaskInfo {
            id: task_id.to_owned(),
            category,
            difficulty,
            first_solve_seconds,
            subtasks,
        },
        defaulted,
    ))
}

fn attempt(
    task_id: String,
    sample: &EvalSample,
    options: &ImportOptions,
) -> Result<AttemptResult, String> {
    let score = match (&sample.scores, &options.scorer) {
        (Some(scores), Some(name)) => scores.get(name),
        (Some(scores), None) => scores.values().next(),
        (None, _) => None,
    };
    let correct = score.is_some_and(|s| is_correct(&s.value));
    let outcome = if let Some(error) = &sample.error {
        Outcome::Error {
            message: error.message.clone(),
        }
    } else if correct {
        Outcome::Correct
    } else if let Some(limit) = &sample.limit {
        match limit.kind.as_str() {
            "message" => Outcome::LimitExceeded {
                limit: Limit::Turns,
            },
            "token" | "context" => Outcome::LimitExceeded {
                limit: Limit::Tokens,
            },
            "cost" => Outcome::LimitExceeded { limit: Limit::Cost },
            "time" | "working" => Outcome::LimitExceeded {
                limit: Limit::WallClock,
            },
            other => Outcome::Error {
                message: format!("stopped by Inspect `{other}` limit"),
            },
        }
    } else if score.is_none() && options.scorer.is_some() {
        return Err(format!(
            "has no score from scorer `{}`",
            options.scorer.as_deref().unwrap_or_default()
        ));
    } else {
        Outcome::Incorrect
    };
    let count = |key: &str| {
        sample
            .metadata
            .get(key)
            .and_then(serde_json::Value::as_u64)
            .and_then(|n| u32::try_from(n).ok())
            .unwrap_or(0)
    };
    let (subtasks_solved, subtasks_total) = (count("subtasks_solved"), count("subtasks_total"));
    if subtasks_solved > subtasks_total {
        return Err(format!(
            "solved {subtasks_solved} of {subtasks_total} subtasks"
        ));
    }
    let usage = sample.model_usage.values();
    let cost: Vec<f64> = sample
        .model_usage
        .values()
        .filter_map(|u| u.total_cost)
        .collect();
    let transcript = if options.include_transcripts {
        sample
            .messages
            .iter()
            .map(|m| TranscriptMessage {
                role: m.role.clone(),
                content: message_text(&m.content),
            })
            .collect()
    } else {
        Vec::new()
    };
    let turns = sample
        .messages
        .iter()
        .filter(|m| m.role == "assistant")
        .count();
    Ok(AttemptResult {
        task_id,
        attempt: sample.epoch.max(1) - 1,
        variant: Variant::Hard,
        outcome,
        subtasks_solved,
        subtasks_total,
        turns: u32::try_from(turns).unwrap_or(u32::MAX),
        prompt_tokens: usage.clone().map(|u| u.input_tokens).sum(),
        completion_tokens: usage.map(|u| u.output_tokens).sum(),
        cost_usd: (!cost.is_empty()).then(|| cost.iter().sum()),
        wall_seconds: sample
            .total_time
            .filter(|t| t.is_finite() && *t >= 0.0)
            .unwrap_or(0.0),
        transcript,
    })
}

/// Inspect's CORRECT is `"C"`; booleans and numeric scores of at least 1 also count as solved.
fn is_correct(value: &serde_json::Value) -> bool {
    match value {
        serde_json::Value::String(s) => s == "C",
        serde_json::Value::Bool(b) => *b,
        serde_json::Value::Number(n) => n.as_f64().is_some_and(|v| v >= 1.0),
        _ => false,
    }
}

/// Message content is a string or a list of content parts; keep the text parts.
fn message_text(content: &serde_json::Value) -> String {
    match content {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(parts) => parts
            .iter()
            .filter_map(|p| p.get("text").and_then(|t| t.as_str()))
            .collect::<Vec<_>>()
            .join("\n"),
        _ => String::new(),
    }
}

/// `HH:MM:SS` (hours may exceed 24) to seconds.
fn parse_clock(text: &str) -> Option<u64> {
    let parts: Vec<&str> = text.trim().split(':').collect();
    let [h, m, s] = parts.as_slice() else {
        return None;
    };
    let (h, m, s): (u64, u64, u64) = (h.parse().ok()?, m.parse().ok()?, s.parse().ok()?);
    (m < 60 && s < 60).then_some(h * 3600 + m * 60 + s)
}

fn min_time(a: Option<jiff::Timestamp>, b: Option<jiff::Timestamp>) -> Option<jiff::Timestamp> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn max_time(a: Option<jiff::Timestamp>, b: Option<jiff::Timestamp>) -> Option<jiff::Timestamp> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{Policy, Recommendation};
    use crate::scoring::Scorecard;

    const FIXTURE: &str = include_str!("../testdata/inspect/ctf-small.json");

    fn import(options: &ImportOptions) -> Imported {
        import_logs(
            &[LogSource {
                name: "ctf-small.json",
                text: FIXTURE,
            }],
            options,
        )
        .expect("import")
    }

    #[test]
    fn imports_tasks_attempts_and_outcomes() {
        let imported = import(&ImportOptions::default());
        let results = &imported.results;
        assert_eq!(results.model.name, "openai/gpt-4o-mini");
        assert_eq!(results.model.harness, Harness::Inspect);
        assert_eq!(results.run_id, "gJ2k8sWq5mPzXcV7bN1yTe");
        assert_eq!(results.suite.name, "ctf_small");
        assert!(results.suite.digest.starts_with("sha256:"));
        assert_eq!(results.attempts_per_task, 2);
        assert_eq!(results.started_at.to_string(), "2026-11-20T09:00:01Z");
        assert_eq!(results.finished_at.to_string(), "2026-11-20T09:42:30Z");

        let ids: Vec<&str> = results.tasks.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(
            ids,
            ["ctf_small/heap-uaf", "ctf_small/2", "ctf_small/<web&xss>"]
        );
        let uaf = &results.tasks[0];
        assert_eq!((uaf.category.as_str(), uaf.difficulty), ("exploitation", 5));
        assert_eq!(uaf.first_solve_seconds, Some(2 * 3600 + 15 * 60));
        assert_eq!(uaf.subtasks, 4);
        assert_eq!(results.tasks[1].difficulty, 2);
        assert_eq!(results.tasks[1].first_solve_seconds, Some(900));
        assert_eq!(results.tasks[2].difficulty, 3, "defaulted");

        let outcomes: Vec<&Outcome> = results.attempts.iter().map(|a| &a.outcome).collect();
        assert_eq!(
            outcomes,
            [
                &Outcome::Correct,
                &Outcome::LimitExceeded {
                    limit: Limit::Turns
                },
                &Outcome::Incorrect,
                &Outcome::Correct,
                &Outcome::Incorrect,
                &Outcome::Error {
                    message: "RuntimeError: sandbox exited".to_owned()
                },
            ]
        );
        let first = &results.attempts[0];
        assert_eq!((first.attempt, first.turns), (0, 2));
        assert_eq!((first.subtasks_solved, first.subtasks_total), (3, 4));
        assert_eq!((first.prompt_tokens, first.completion_tokens), (2000, 200));
        assert_eq!(first.cost_usd, Some(0.0005));
        assert_eq!(first.wall_seconds, 301.5);
        assert!(first.transcript.is_empty());
        assert_eq!(results.attempts[1].attempt, 1);
        assert_eq!(imported.warnings.len(), 1);
        assert!(imported.warnings[0].contains("1 task(s) had no difficulty"));
    }

    #[test]
    fn imported_results_are_scored_and_judged_like_our_own() {
        let imported = import(&ImportOptions::default());
        let card = Scorecard::new(&imported.results);
        assert!((card.solve_rate - 2.0 / 3.0).abs() < 1e-12);
        // pass@1 per task: 1/2, 1/2, 0/2.
        assert!((card.pass_at[0].value - 1.0 / 3.0).abs() < 1e-12);
        assert_eq!(card.errored_attempts, 1);
        let policy = Policy::parse("any_solved(category = \"exploitation\", difficulty >= 4)")
            .expect("policy");
        let decision = policy.evaluate(&imported.results).expect("evaluate");
        assert_eq!(decision.recommendation, Recommendation::Covered);
        // The imported document survives our own JSON round trip.
        let text = imported.results.to_json_pretty().expect("json");
        assert_eq!(
            RunResults::from_json(&text).expect("parse"),
            imported.results
        );
    }

    #[test]
    fn options_choose_transcripts_digest_and_names() {
        let imported = import(&ImportOptions {
            suite_name: Some("external".to_owned()),
            policy_digest: Some("sha256:abc".to_owned()),
            default_difficulty: 1,
            scorer: Some("includes".to_owned()),
            include_transcripts: true,
        });
        let results = imported.results;
        assert_eq!(results.suite.name, "external");
        assert_eq!(results.policy_digest.as_deref(), Some("sha256:abc"));
        assert_eq!(results.tasks[2].difficulty, 1);
        let transcript = &results.attempts[0].transcript;
        assert_eq!(transcript.len(), 5);
        assert_eq!(transcript[2].role, "assistant");
        assert_eq!(transcript[2].content, "Running checksec.");
    }

    #[test]
    fn rejects_mixed_models_bad_json_and_unknown_scorers() {
        let other_model = FIXTURE.replace("openai/gpt-4o-mini", "anthropic/other");
        let err = import_logs(
            &[
                LogSource {
                    name: "a.json",
                    text: FIXTURE,
                },
                LogSource {
                    name: "b.json",
                    text: &other_model,
                },
            ],
            &ImportOptions::default(),
        )
        .expect_err("mixed models");
        assert!(matches!(err, InspectError::MixedModels { .. }), "{err}");

        let err = import_logs(
            &[LogSource {
                name: "x.json",
                text: "{}",
            }],
            &ImportOptions::default(),
        )
        .expect_err("not a log");
        assert!(
            err.to_string()
                .starts_with("`x.json` is not an Inspect JSON eval log"),
            "{err}"
        );

        let err = import_logs(
            &[LogSource {
                name: "a.json",
                text: FIXTURE,
            }],
            &ImportOptions {
                scorer: Some("model_graded".to_owned()),
                ..ImportOptions::default()
            },
        )
        .expect_err("unknown scorer");
        assert!(
            err.to_string()
                .contains("no score from scorer `model_graded`"),
            "{err}"
        );
    }

    #[test]
    fn two_logs_of_the_same_model_merge() {
        let second = FIXTURE.replace("\"task\": \"ctf_small\"", "\"task\": \"ctf_more\"");
        let imported = import_logs(
            &[
                LogSource {
                    name: "a.json",
                    text: FIXTURE,
                },
                LogSource {
                    name: "b.json",
                    text: &second,
                },
            ],
            &ImportOptions::default(),
        )
        .expect("import");
        assert_eq!(imported.results.tasks.len(), 6);
        assert_eq!(imported.results.suite.name, "ctf_small+ctf_more");
    }

    #[test]
    fn parses_clock_times() {
        assert_eq!(parse_clock("00:02:05"), Some(125));
        assert_eq!(parse_clock("25:00:00"), Some(90_000));
        assert_eq!(parse_clock("1:60:00"), None);
        assert_eq!(parse_clock("90"), None);
    }
}
