//! The results of one evaluation run: what the runner writes and what scoring, policies and reports read.
//!
//! A [`RunResults`] document is plain JSON with a `schema_version`, so results produced by our runner
//! and results imported from other harnesses (Inspect AI logs, see `inspect`) are scored the same way.
//! Parsing and validation take `&str` and do no I/O; reading and writing files is the CLI's job.
//!
//! The document records the digest of the threshold policy fixed before the run
//! ([`RunResults::policy_digest`]), so a decision can refuse results produced under another policy.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

/// The schema version this code writes and reads. Bump it on any incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

/// Everything one run produced: which suite, which model, which policy, every task and every attempt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunResults {
    /// Always [`SCHEMA_VERSION`] for documents this code accepts.
    pub schema_version: u32,
    /// Unique identifier of the run (a UUID for our runner, the Inspect `run_id` for imports).
    pub run_id: String,
    pub suite: SuiteRef,
    /// Canonical digest (`sha256:…`) of the threshold policy fixed before the run, if one was.
    #[serde(default)]
    pub policy_digest: Option<String>,
    pub model: ModelRef,
    pub started_at: jiff::Timestamp,
    pub finished_at: jiff::Timestamp,
    /// How many attempts the runner made per task and variant (the `n` of pass@k).
    pub attempts_per_task: u32,
    pub tasks: Vec<TaskInfo>,
    pub attempts: Vec<AttemptResult>,
}

/// Which suite was run, pinned by digest so a report can say exactly what was measured.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuiteRef {
    pub name: String,
    /// Digest of the sealed suite (`sha256:…`), or of the imported log for external results.
    pub digest: String,
}

/// The model under evaluation and the harness that drove it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelRef {
    /// Model name as the provider knows it (e.g. `openai/gpt-4o`).
    pub name: String,
    /// Base URL of the OpenAI-compatible endpoint; absent for imported results.
    #[serde(default)]
    pub base_url: Option<String>,
    pub harness: Harness,
}

/// Which harness produced the attempts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Harness {
    /// Our own runner (`clearinghouse eval run`).
    Clearinghouse,
    /// Imported from an Inspect AI `.json` eval log.
    Inspect,
}

/// One task of the suite as the scorer needs it (no secrets: no flags, no solution).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskInfo {
    pub id: String,
    /// Free-form category such as `web`, `crypto`, `reverse`, `exploitation`.
    pub category: String,
    /// Difficulty from 1 (easiest) to 5 (hardest).
    pub difficulty: u8,
    /// Time the fastest human team took to solve the task (CyBench's "first solve time"), if known.
    #[serde(default)]
    pub first_solve_seconds: Option<u64>,
    /// Number of subtasks (intermediate questions) the task defines; 0 when it has none.
    #[serde(default)]
    pub subtasks: u32,
}

/// Whether an attempt ran the task as-is or with guidance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Variant {
    /// The task alone, no hints: what solve rates and pass@k measure.
    Hard,
    /// The task with its subtasks (or hints) given step by step.
    Easy,
}

/// How an attempt ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Outcome {
    /// The model produced the right answer (flag).
    Correct,
    /// The model answered, or gave up, without the right answer.
    Incorrect,
    /// The harness failed (model endpoint down, sandbox crash); not the model's fault.
    Error { message: String },
    /// The attempt hit a resource limit before answering.
    LimitExceeded { limit: Limit },
}

/// The resource limit an attempt ran into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Limit {
    Turns,
    Tokens,
    Cost,
    WallClock,
}

/// One attempt of one task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttemptResult {
    pub task_id: String,
    /// Attempt index, starting at 0, unique per task and variant.
    pub attempt: u32,
    pub variant: Variant,
    pub outcome: Outcome,
    /// Subtasks answered correctly; at most `subtasks_total`.
    #[serde(default)]
    pub subtasks_solved: u32,
    /// Subtasks asked in this attempt (0 for attempts that asked none).
    #[serde(default)]
    pub subtasks_total: u32,
    #[serde(default)]
    pub turns: u32,
    #[serde(default)]
    pub prompt_tokens: u64,
    #[serde(default)]
    pub completion_tokens: u64,
    /// Spend on the model endpoint, when the price is known.
    #[serde(default)]
    pub cost_usd: Option<f64>,
    #[serde(default)]
    pub wall_seconds: f64,
    /// The conversation, in order. May be empty when transcripts are stored elsewhere.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub transcript: Vec<TranscriptMessage>,
}

/// One message of an attempt's conversation, kept for audit and the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TranscriptMessage {
    /// `system`, `user`, `assistant` or `tool`, as in the OpenAI chat format.
    pub role: String,
    pub content: String,
}

/// Why a results document was rejected.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ResultsError {
    #[error("results are not valid JSON for schema version {SCHEMA_VERSION}: {0}")]
    Json(#[from] serde_json::Error),
    #[error("unsupported results schema_version {found} (this build reads {SCHEMA_VERSION})")]
    SchemaVersion { found: u32 },
    #[error("task `{task_id}` is listed more than once")]
    DuplicateTask { task_id: String },
    #[error("task `{task_id}` has difficulty {difficulty}, expected 1 to 5")]
    Difficulty { task_id: String, difficulty: u8 },
    #[error("attempt {attempt} refers to unknown task `{task_id}`")]
    UnknownTask { task_id: String, attempt: u32 },
    #[error("attempt {attempt} ({variant:?}) of task `{task_id}` is listed more than once")]
    DuplicateAttempt {
        task_id: String,
        attempt: u32,
        variant: Variant,
    },
    #[error("attempt {attempt} of task `{task_id}` solved {solved} of {total} subtasks")]
    Subtasks {
        task_id: String,
        attempt: u32,
        solved: u32,
        total: u32,
    },
    #[error("attempt {attempt} of task `{task_id}` has an invalid {field}: {value}")]
    Measurement {
        task_id: String,
        attempt: u32,
        field: &'static str,
        value: f64,
    },
    #[error("attempts_per_task must be at least 1")]
    NoAttemptsPerTask,
    #[error("run finished at {finished_at} before it started at {started_at}")]
    Timeline {
        started_at: jiff::Timestamp,
        finished_at: jiff::Timestamp,
    },
}

impl RunResults {
    /// Parses and validates a results document.
    pub fn from_json(text: &str) -> Result<Self, ResultsError> {
        // Read the version first so an old or new document gets a precise error, not a field error.
        #[derive(Deserialize)]
        struct VersionOnly {
            schema_version: u32,
        }
        let version: VersionOnly = serde_json::from_str(text)?;
        if version.schema_version != SCHEMA_VERSION {
            return Err(ResultsError::SchemaVersion {
                found: version.schema_version,
            });
        }
        let results: Self = serde_json::from_str(text)?;
        results.validate()?;
        Ok(results)
    }

    /// Serializes as pretty JSON (stable field order, so documents diff well).
    pub fn to_json_pretty(&self) -> Result<String, ResultsError> {
        Ok(serde_json::to_string_pretty(self)?)
    }

    /// Checks the invariants scoring relies on.
    pub fn validate(&self) -> Result<(), ResultsError> {
        if self.schema_version != SCHEMA_VERSION {
            return Err(ResultsError::SchemaVersion {
                found: self.schema_version,
            });
        }
        if self.attempts_per_task == 0 {
            return Err(ResultsError::NoAttemptsPerTask);
        }
        if self.finished_at < self.started_at {
            return Err(ResultsError::Timeline {
                started_at: self.started_at,
                finished_at: self.finished_at,
            });
        }
        let mut task_ids = BTreeSet::new();
        for task in &self.tasks {
            if !task_ids.insert(task.id.as_str()) {
                return Err(ResultsError::DuplicateTask {
                    task_id: task.id.clone(),
                });
            }
            if !(1..=5).contains(&task.difficulty) {
                return Err(ResultsError::Difficulty {
                    task_id: task.id.clone(),
                    difficulty: task.difficulty,
                });
            }
        }
        let mut seen = BTreeSet::new();
        for attempt in &self.attempts {
            let key = (attempt.task_id.as_str(), attempt.attempt, attempt.variant);
            if !task_ids.contains(key.0) {
                return Err(ResultsError::UnknownTask {
                    task_id: attempt.task_id.clone(),
                    attempt: attempt.attempt,
                });
            }
            if !seen.insert(key) {
                return Err(ResultsError::DuplicateAttempt {
                    task_id: attempt.task_id.clone(),
                    attempt: attempt.attempt,
                    variant: attempt.variant,
                });
            }
            if attempt.subtasks_solved > attempt.subtasks_total {
                return Err(ResultsError::Subtasks {
                    task_id: attempt.task_id.clone(),
                    attempt: attempt.attempt,
                    solved: attempt.subtasks_solved,
                    total: attempt.subtasks_total,
                });
            }
            let measurements = [
                ("wall_seconds", Some(attempt.wall_seconds)),
                ("cost_usd", attempt.cost_usd),
            ];
            for (field, value) in measurements {
                if let Some(value) = value
                    && !(value.is_finite() && value >= 0.0)
                {
                    return Err(ResultsError::Measurement {
                        task_id: attempt.task_id.clone(),
                        attempt: attempt.attempt,
                        field,
                        value,
                    });
                }
            }
        }
        Ok(())
    }

    /// Looks a task up by id.
    pub fn task(&self, task_id: &str) -> Option<&TaskInfo> {
        self.tasks.iter().find(|task| task.id == task_id)
    }

    /// Attempts grouped by task id, in task order, restricted to one variant.
    pub fn attempts_by_task(&self, variant: Variant) -> BTreeMap<&str, Vec<&AttemptResult>> {
        let mut grouped: BTreeMap<&str, Vec<&AttemptResult>> = self
            .tasks
            .iter()
            .map(|task| (task.id.as_str(), Vec::new()))
            .collect();
        for attempt in self.attempts.iter().filter(|a| a.variant == variant) {
            if let Some(list) = grouped.get_mut(attempt.task_id.as_str()) {
                list.push(attempt);
            }
        }
        grouped
    }
}

impl Outcome {
    /// Only a correct answer counts as a solve; errors and limits count as failures.
    pub fn is_correct(&self) -> bool {
        matches!(self, Outcome::Correct)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A small, valid results document used by the tests of several modules.
    pub(crate) fn sample() -> RunResults {
        let task = |id: &str, category: &str, difficulty: u8, fst: u64, subtasks: u32| TaskInfo {
            id: id.to_owned(),
            category: category.to_owned(),
            difficulty,
            first_solve_seconds: Some(fst),
            subtasks,
        };
        let attempt =
            |task_id: &str, index: u32, correct: bool, solved: u32, total: u32| AttemptResult {
                task_id: task_id.to_owned(),
                attempt: index,
                variant: Variant::Hard,
                outcome: if correct {
                    Outcome::Correct
                } else {
                    Outcome::Incorrect
                },
                subtasks_solved: solved,
                subtasks_total: total,
                turns: 3,
                prompt_tokens: 100,
                completion_tokens: 20,
                cost_usd: Some(0.01),
                wall_seconds: 12.5,
                transcript: Vec::new(),
            };
        RunResults {
            schema_version: SCHEMA_VERSION,
            run_id: "run-1".to_owned(),
            suite: SuiteRef {
                name: "sample".to_owned(),
                digest: "sha256:00".to_owned(),
            },
            policy_digest: None,
            model: ModelRef {
                name: "test-model".to_owned(),
                base_url: Some("http://127.0.0.1:9/v1".to_owned()),
                harness: Harness::Clearinghouse,
            },
            started_at: "2026-11-22T04:00:00Z".parse().expect("timestamp"),
            finished_at: "2026-11-22T05:00:00Z".parse().expect("timestamp"),
            attempts_per_task: 2,
            tasks: vec![
                task("web-1", "web", 1, 600, 2),
                task("crypto-3", "crypto", 3, 3600, 0),
                task("pwn-5", "exploitation", 5, 86_400, 4),
            ],
            attempts: vec![
                attempt("web-1", 0, true, 2, 2),
                attempt("web-1", 1, false, 1, 2),
                attempt("crypto-3", 0, false, 0, 0),
                attempt("crypto-3", 1, false, 0, 0),
                attempt("pwn-5", 0, true, 3, 4),
                attempt("pwn-5", 1, true, 4, 4),
            ],
        }
    }

    #[test]
    fn round_trips_through_json() {
        let results = sample();
        let text = results.to_json_pretty().expect("serialize");
        assert!(text.contains("\"schema_version\": 1"));
        assert!(text.contains("\"kind\": \"correct\""));
        let back = RunResults::from_json(&text).expect("parse");
        assert_eq!(back, results);
    }

    #[test]
    fn outcome_variants_serialize_with_a_kind_tag() {
        let limit = serde_json::to_string(&Outcome::LimitExceeded {
            limit: Limit::WallClock,
        })
        .expect("serialize");
        assert_eq!(limit, r#"{"kind":"limit_exceeded","limit":"wall_clock"}"#);
        let error: Outcome =
            serde_json::from_str(r#"{"kind":"error","message":"sandbox died"}"#).expect("parse");
        assert_eq!(
            error,
            Outcome::Error {
                message: "sandbox died".to_owned()
            }
        );
    }

    #[test]
    fn rejects_other_schema_versions() {
        let mut value = serde_json::to_value(sample()).expect("value");
        value["schema_version"] = 2.into();
        let err = RunResults::from_json(&value.to_string()).expect_err("must reject");
        assert!(
            matches!(err, ResultsError::SchemaVersion { found: 2 }),
            "{err}"
        );
    }

    #[test]
    fn rejects_attempts_of_unknown_tasks() {
        let mut results = sample();
        results.attempts[0].task_id = "nope".to_owned();
        let err = results.validate().expect_err("must reject");
        assert!(err.to_string().contains("unknown task `nope`"), "{err}");
    }

    #[test]
    fn rejects_duplicate_attempts_and_tasks() {
        let mut results = sample();
        results.attempts[1].attempt = 0;
        assert!(matches!(
            results.validate(),
            Err(ResultsError::DuplicateAttempt { .. })
        ));
        let mut results = sample();
        results.tasks[1].id = "web-1".to_owned();
        assert!(matches!(
            results.validate(),
            Err(ResultsError::DuplicateTask { .. })
        ));
    }

    #[test]
    fn rejects_impossible_values() {
        let mut results = sample();
        results.tasks[0].difficulty = 6;
        assert!(matches!(
            results.validate(),
            Err(ResultsError::Difficulty { difficulty: 6, .. })
        ));
        let mut results = sample();
        results.attempts[0].subtasks_solved = 3;
        assert!(matches!(
            results.validate(),
            Err(ResultsError::Subtasks {
                solved: 3,
                total: 2,
                ..
            })
        ));
        let mut results = sample();
        results.attempts[0].cost_usd = Some(f64::NAN);
        assert!(matches!(
            results.validate(),
            Err(ResultsError::Measurement {
                field: "cost_usd",
                ..
            })
        ));
        let mut results = sample();
        results.attempts_per_task = 0;
        assert!(matches!(
            results.validate(),
            Err(ResultsError::NoAttemptsPerTask)
        ));
    }

    #[test]
    fn groups_attempts_by_task_including_tasks_without_attempts() {
        let mut results = sample();
        results.attempts.retain(|a| a.task_id != "crypto-3");
        let grouped = results.attempts_by_task(Variant::Hard);
        assert_eq!(grouped.len(), 3);
        assert!(grouped["crypto-3"].is_empty());
        assert_eq!(grouped["pwn-5"].len(), 2);
        assert!(
            results
                .attempts_by_task(Variant::Easy)
                .values()
                .all(Vec::is_empty)
        );
    }
}
