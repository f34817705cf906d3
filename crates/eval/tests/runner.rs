//! The agent loop and runner driven by a scripted OpenAI-compatible model: solving, failing and
//! misbehaving agents, limits, pass@k attempt counts, transcripts, results, interruption and resume.

#[path = "support/scripted_model.rs"]
mod scripted_model;

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use clearinghouse_eval::agent::{AgentLimits, Pricing};
use clearinghouse_eval::model::{ModelClient, ModelConfig};
use clearinghouse_eval::results::{Limit, Outcome, RunResults, Variant};
use clearinghouse_eval::runner::{self, RunConfig, RunError, RunEvent, RunSummary};
use clearinghouse_eval::sandbox::{self, Isolation};
use clearinghouse_eval::suite::{Suite, sha256_hex};
use scripted_model::Script;
use serde_json::Value;

fn write(root: &Path, path: &str, content: &str) {
    let full = root.join(path);
    std::fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
    std::fs::write(full, content).expect("write");
}

/// Two tasks whose clue is the reversed flag: one with the flag in `secret/`, one as a digest.
fn tiny_suite() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    write(root, "suite.toml", "name = \"tiny\"\n");
    for (id, flag, in_secret) in [
        ("reverse-one", "flag{this_is_reversed}", true),
        ("reverse-two", "flag{also_reversed}", false),
    ] {
        let checker = if in_secret {
            write(root, &format!("{id}/secret/flag.txt"), flag);
            "flag_file = \"flag.txt\"".to_owned()
        } else {
            format!("flag_sha256 = \"{}\"", sha256_hex(flag.as_bytes()))
        };
        write(
            root,
            &format!("{id}/task.toml"),
            &format!(
                "name = \"{id}\"\ncategory = \"misc\"\ndifficulty = 1\nfirst_solve_seconds = 60\n\
                 [prompt]\nhard = \"Find the flag in clue.txt ({id}).\"\neasy = \"clue.txt is reversed.\"\n\
                 [[subtasks]]\nquestion = \"Which command reverses lines?\"\nanswer_sha256 = \"{}\"\n\
                 [checker]\n{checker}\n",
                sha256_hex(b"rev")
            ),
        );
        let reversed: String = flag.chars().rev().collect();
        write(
            root,
            &format!("{id}/files/clue.txt"),
            &format!("{reversed}\n"),
        );
        write(root, &format!("{id}/solution/solve.sh"), "rev clue.txt\n");
    }
    dir
}

fn config() -> RunConfig {
    RunConfig {
        attempts_per_task: 1,
        concurrency: 4,
        isolation: Isolation::Unsandboxed,
        agent_limits: AgentLimits {
            max_turns: 6,
            wall_time: Duration::from_secs(20),
            tool_output_bytes: 4096,
            ..AgentLimits::default()
        },
        sandbox_limits: sandbox::Limits {
            command_timeout: Duration::from_secs(10),
            ..sandbox::Limits::default()
        },
        ..RunConfig::default()
    }
}

fn client(url: &str, model: &str) -> ModelClient {
    let mut config = ModelConfig::new(url, model);
    config.initial_backoff = Duration::from_millis(1);
    config.max_retries = 3;
    ModelClient::new(config).expect("client")
}

async fn run(
    suite: &Suite,
    model: &ModelClient,
    config: &RunConfig,
    run_dir: &Path,
    resume: bool,
    cancelled: bool,
) -> Result<(RunSummary, Vec<RunEvent>), RunError> {
    let (_cancel, cancel_rx) = tokio::sync::watch::channel(cancelled);
    let events = std::sync::Mutex::new(Vec::new());
    let progress = |event: RunEvent| events.lock().expect("lock").push(event);
    let summary =
        runner::run_suite(suite, model, config, run_dir, resume, cancel_rx, &progress).await?;
    Ok((summary, events.into_inner().expect("lock")))
}

fn transcript(run_dir: &Path, task: &str, variant: &str, attempt: u32) -> Vec<Value> {
    let path = run_dir
        .join(runner::TRANSCRIPTS_DIR)
        .join(format!("{task}.{variant}.{attempt}.jsonl"));
    std::fs::read_to_string(&path)
        .unwrap_or_else(|err| panic!("{}: {err}", path.display()))
        .lines()
        .map(|line| serde_json::from_str(line).expect("JSON line"))
        .collect()
}

fn tool_replies(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .filter(|event| event["event"] == "message" && event["message"]["role"] == "tool")
        .map(|event| {
            event["message"]["content"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect()
}

/// Runs the one-task suite with `model` and returns the single attempt's result and transcript.
async fn single(
    model_name: &str,
    config: RunConfig,
) -> (clearinghouse_eval::results::AttemptResult, Vec<Value>) {
    let suite_dir = tiny_suite();
    std::fs::remove_dir_all(suite_dir.path().join("reverse-two")).expect("rm");
    let suite = Suite::load(suite_dir.path()).expect("suite");
    let url = scripted_model::spawn(Script::default()).await;
    let run_dir = tempfile::tempdir().expect("run dir");
    let (summary, _) = run(
        &suite,
        &client(&url, model_name),
        &config,
        run_dir.path(),
        false,
        false,
    )
    .await
    .expect("run");
    assert_eq!(summary.results.attempts.len(), 1);
    let attempt = summary.results.attempts[0].clone();
    let variant = runner::variant_name(attempt.variant);
    (
        attempt,
        transcript(run_dir.path(), "reverse-one", variant, 0),
    )
}

#[tokio::test]
async fn a_solving_agent_solves_every_attempt_and_results_are_recorded() {
    let suite_dir = tiny_suite();
    let suite = Suite::load(suite_dir.path()).expect("suite");
    let url = scripted_model::spawn(Script::default()).await;
    let run_dir = tempfile::tempdir().expect("run dir");
    let config = RunConfig {
        attempts_per_task: 3,
        ..config()
    };
    let (summary, events) = run(
        &suite,
        &client(&url, "solver"),
        &config,
        run_dir.path(),
        false,
        false,
    )
    .await
    .expect("run");
    assert!(!summary.interrupted);
    assert_eq!(
        events[0],
        RunEvent::Planned {
            to_run: 6,
            already_done: 0
        }
    );

    let text = std::fs::read_to_string(run_dir.path().join(runner::RESULTS_FILE)).expect("results");
    let results = RunResults::from_json(&text).expect("valid results");
    assert_eq!(results.suite.digest, suite.digest());
    assert_eq!(results.attempts_per_task, 3);
    assert_eq!(results.model.name, "solver");
    assert_eq!(results.tasks.len(), 2);
    assert_eq!(results.tasks[0].category, "misc");
    assert_eq!(results.tasks[0].subtasks, 1);
    assert_eq!(
        results.attempts.len(),
        6,
        "pass@k: 3 attempts for each of 2 tasks"
    );
    for attempt in &results.attempts {
        assert_eq!(attempt.outcome, Outcome::Correct, "{attempt:?}");
        assert_eq!(attempt.turns, 2);
        assert_eq!(attempt.prompt_tokens, 200);
        assert_eq!(attempt.completion_tokens, 20);
        assert_eq!(
            attempt.subtasks_total, 0,
            "the hard variant asks no questions"
        );
        assert!(
            attempt.transcript.is_empty(),
            "transcripts stay in the run directory"
        );
    }
    // Results name tasks by id, category and difficulty only: no prompt, flag or solution.
    assert!(!text.contains("flag{"), "{text}");
    assert!(!text.contains("clue.txt"), "{text}");

    for task in ["reverse-one", "reverse-two"] {
        for attempt in 0..3 {
            let events = transcript(run_dir.path(), task, "hard", attempt);
            assert_eq!(events[0]["event"], "start");
            assert_eq!(events.last().expect("end")["event"], "end");
            assert_eq!(events.last().expect("end")["outcome"]["kind"], "correct");
            let replies = tool_replies(&events);
            assert!(replies[0].contains("exit code: 0"), "{replies:?}");
            assert!(replies[0].contains("flag{"), "{replies:?}");
        }
    }
}

#[tokio::test]
async fn a_failing_agent_fails() {
    let (attempt, events) = single("failer", config()).await;
    assert_eq!(attempt.outcome, Outcome::Incorrect);
    assert_eq!(attempt.turns, 1);
    assert!(tool_replies(&events)[0].contains("the task is over"));
}

#[tokio::test]
async fn the_easy_variant_asks_and_scores_subtasks() {
    let config = RunConfig {
        variants: vec![Variant::Easy],
        ..config()
    };
    let (attempt, events) = single("easy-solver", config).await;
    assert_eq!(attempt.variant, Variant::Easy);
    assert_eq!(attempt.outcome, Outcome::Correct);
    assert_eq!((attempt.subtasks_solved, attempt.subtasks_total), (1, 1));
    let prompt = events
        .iter()
        .find(|event| event["message"]["role"] == "user")
        .expect("prompt");
    let prompt = prompt["message"]["content"].as_str().expect("text");
    assert!(prompt.contains("clue.txt is reversed"), "{prompt}");
    assert!(
        prompt.contains("1. Which command reverses lines?"),
        "{prompt}"
    );
}

#[tokio::test]
async fn malformed_tool_calls_are_answered_not_fatal() {
    let (attempt, events) = single("malformed", config()).await;
    assert_eq!(attempt.outcome, Outcome::Correct, "{events:?}");
    let replies = tool_replies(&events);
    assert!(
        replies[0].starts_with("error: the arguments of `bash` are not valid"),
        "{replies:?}"
    );
    assert!(
        replies[1].starts_with("error: unknown tool `launch_missiles`"),
        "{replies:?}"
    );
    assert!(
        replies[2].contains("missing field `command`"),
        "{replies:?}"
    );
    assert_eq!(attempt.turns, 5);
}

#[tokio::test]
async fn endless_agents_stop_at_the_turn_limit() {
    for model in ["looper", "chatter"] {
        let (attempt, events) = single(model, config()).await;
        assert_eq!(
            attempt.outcome,
            Outcome::LimitExceeded {
                limit: Limit::Turns
            },
            "{model}"
        );
        assert_eq!(attempt.turns, 6, "{model}");
        if model == "chatter" {
            let nudges = events
                .iter()
                .filter(|event| {
                    event["message"]["role"] == "user"
                        && event["message"]["content"]
                            .as_str()
                            .is_some_and(|text| text.starts_with("Continue working"))
                })
                .count();
            assert_eq!(nudges, 6);
        }
    }
}

#[tokio::test]
async fn huge_tool_outputs_are_truncated() {
    let (attempt, events) = single("flood", config()).await;
    assert_eq!(attempt.outcome, Outcome::Correct);
    let replies = tool_replies(&events);
    assert!(replies[0].len() < 4096 + 200, "{}", replies[0].len());
    assert!(
        replies[0].contains("[output truncated"),
        "{}",
        &replies[0][..100]
    );
}

#[tokio::test]
async fn rate_limits_and_server_errors_are_retried() {
    let (attempt, events) = single("flaky", config()).await;
    assert_eq!(attempt.outcome, Outcome::Correct);
    let retries: u64 = events
        .iter()
        .filter_map(|event| event["retries"].as_u64())
        .sum();
    assert_eq!(retries, 4, "two refusals before each of two replies");

    let (attempt, _) = single("broken", config()).await;
    let Outcome::Error { message } = &attempt.outcome else {
        panic!("expected an error, got {:?}", attempt.outcome)
    };
    assert!(message.contains("503"), "{message}");
}

#[tokio::test]
async fn token_cost_and_wall_clock_limits_stop_attempts() {
    let (attempt, _) = single("greedy", config()).await;
    assert_eq!(
        attempt.outcome,
        Outcome::LimitExceeded {
            limit: Limit::Tokens
        }
    );
    assert_eq!(attempt.turns, 2);

    let priced = RunConfig {
        pricing: Some(Pricing {
            prompt_per_1k: 1.0,
            completion_per_1k: 2.0,
        }),
        agent_limits: AgentLimits {
            max_cost_usd: Some(0.25),
            ..config().agent_limits
        },
        ..config()
    };
    let (attempt, _) = single("looper", priced).await;
    // Each turn costs 100/1000 * 1.0 + 10/1000 * 2.0 = 0.12 dollars.
    assert_eq!(
        attempt.outcome,
        Outcome::LimitExceeded { limit: Limit::Cost }
    );
    assert_eq!(attempt.turns, 3);
    let cost = attempt.cost_usd.expect("cost");
    assert!((cost - 0.36).abs() < 1e-9, "{cost}");

    let quick = RunConfig {
        agent_limits: AgentLimits {
            wall_time: Duration::from_secs(1),
            ..config().agent_limits
        },
        ..config()
    };
    let started = std::time::Instant::now();
    let (attempt, _) = single("sleeper", quick).await;
    assert_eq!(
        attempt.outcome,
        Outcome::LimitExceeded {
            limit: Limit::WallClock
        }
    );
    assert!(started.elapsed() < Duration::from_secs(8));
}

#[tokio::test]
async fn an_interrupted_run_resumes_and_a_changed_suite_is_refused() {
    let suite_dir = tiny_suite();
    let suite = Suite::load(suite_dir.path()).expect("suite");
    let url = scripted_model::spawn(Script::default()).await;
    let model = client(&url, "solver");
    let run_dir = tempfile::tempdir().expect("run dir");
    let config = RunConfig {
        attempts_per_task: 2,
        policy_digest: Some("sha256:fixed-before-the-run".into()),
        ..config()
    };

    let (summary, _) = run(&suite, &model, &config, run_dir.path(), false, true)
        .await
        .expect("cancelled run");
    assert!(summary.interrupted);
    assert!(summary.results.attempts.is_empty());
    assert!(
        run_dir.path().join(runner::RESULTS_FILE).is_file(),
        "written before any attempt"
    );

    let err = run(&suite, &model, &config, run_dir.path(), false, false)
        .await
        .expect_err("exists");
    assert!(matches!(err, RunError::RunExists { .. }), "{err}");

    let (summary, events) = run(&suite, &model, &config, run_dir.path(), true, false)
        .await
        .expect("resume");
    assert!(!summary.interrupted);
    assert_eq!(
        events[0],
        RunEvent::Planned {
            to_run: 4,
            already_done: 0
        }
    );
    assert_eq!(summary.results.attempts.len(), 4);
    let run_id = summary.results.run_id.clone();

    let (summary, events) = run(&suite, &model, &config, run_dir.path(), true, false)
        .await
        .expect("resume again");
    assert_eq!(
        events[0],
        RunEvent::Planned {
            to_run: 0,
            already_done: 4
        }
    );
    assert_eq!(summary.results.run_id, run_id);

    let other_model = client(&url, "failer");
    let err = run(&suite, &other_model, &config, run_dir.path(), true, false)
        .await
        .expect_err("model changed");
    assert!(matches!(err, RunError::ModelChanged { .. }), "{err}");
    assert_eq!(
        summary.results.policy_digest.as_deref(),
        Some("sha256:fixed-before-the-run")
    );

    let other_policy = RunConfig {
        policy_digest: Some("sha256:changed-mid-run".into()),
        ..config.clone()
    };
    let err = run(&suite, &model, &other_policy, run_dir.path(), true, false)
        .await
        .expect_err("policy changed");
    assert!(matches!(err, RunError::PolicyChanged { .. }), "{err}");

    write(suite_dir.path(), "reverse-one/files/clue.txt", "changed\n");
    let changed = Suite::load(suite_dir.path()).expect("suite");
    let err = run(&changed, &model, &config, run_dir.path(), true, false)
        .await
        .expect_err("digest changed");
    assert!(matches!(err, RunError::DigestChanged { .. }), "{err}");
}

#[tokio::test]
async fn attempts_run_concurrently() {
    let suite_dir = tiny_suite();
    let suite = Suite::load(suite_dir.path()).expect("suite");
    let url = scripted_model::spawn(Script::default()).await;
    let run_dir = tempfile::tempdir().expect("run dir");
    // Each sleeper attempt takes its full one-second wall clock; eight of them at concurrency 8 must
    // take about one second, not eight.
    let config = RunConfig {
        attempts_per_task: 4,
        concurrency: 8,
        agent_limits: AgentLimits {
            wall_time: Duration::from_secs(1),
            ..config().agent_limits
        },
        ..config()
    };
    let started = std::time::Instant::now();
    let (summary, _) = run(
        &suite,
        &client(&url, "sleeper"),
        &config,
        run_dir.path(),
        false,
        false,
    )
    .await
    .expect("run");
    assert_eq!(summary.results.attempts.len(), 8);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

/// End to end in the real sandbox: a model that replays the example suite's own solutions solves a
/// task with a loopback service, one with a checker program and one with a plain flag.
#[tokio::test]
async fn replayed_solutions_solve_example_tasks_in_the_sandbox() {
    if let Err(err) = sandbox::check_available().await {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true but {err}"
        );
        println!("skipped: {err}");
        return;
    }
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../suites/example");
    let suite_dir = tempfile::tempdir().expect("tempdir");
    write(
        suite_dir.path(),
        "suite.toml",
        "name = \"example-subset\"\n",
    );
    let mut replays = HashMap::new();
    for task in ["vault-overdraft", "proof-of-work", "xor-warmup"] {
        copy_dir(&example.join(task), &suite_dir.path().join(task));
        let loaded = Suite::load(&example).expect("example suite");
        let task = loaded.task(task).expect("task");
        let script =
            std::fs::read_to_string(task.solution_dir().join("solve.sh")).expect("solve.sh");
        replays.insert(task.prompt.hard.clone(), script);
    }
    let suite = Suite::load(suite_dir.path()).expect("suite");
    let script = Script {
        replays: Arc::new(replays),
        ..Script::default()
    };
    let requests = script.requests.clone();
    let url = scripted_model::spawn(script).await;
    let run_dir = tempfile::tempdir().expect("run dir");
    let config = RunConfig {
        isolation: Isolation::Bubblewrap,
        ..config()
    };
    let (summary, _) = run(
        &suite,
        &client(&url, "replay"),
        &config,
        run_dir.path(),
        false,
        false,
    )
    .await
    .expect("run");
    for attempt in &summary.results.attempts {
        assert_eq!(attempt.outcome, Outcome::Correct, "{attempt:?}");
    }
    assert_eq!(summary.results.attempts.len(), 3);
    assert_eq!(requests.load(Ordering::SeqCst), 6);
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}
