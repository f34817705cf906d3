//! Harness overhead: what one agent step costs the harness itself, and attempt throughput.
//!
//! A bench binary (not criterion) because one sample of the throughput case is several seconds of
//! 32 concurrent attempts. The model is the scripted server of the tests answering instantly; every
//! tool call is `true`. Reported:
//! - model round trip alone (HTTP + JSON through `ModelClient`);
//! - one `true` command through the sandbox (bubblewrap) and without it;
//! - a full agent step (model call + tool + transcript), from 11-turn attempts;
//! - throughput with 32 concurrent attempts through `runner::run_suite`.
//!
//! Run: `cargo bench -p clearinghouse-eval --bench harness` (as root for the bubblewrap figures).

#[path = "../tests/support/scripted_model.rs"]
mod scripted_model;

use std::path::Path;
use std::time::{Duration, Instant};

use clearinghouse_eval::agent::{self, AgentLimits, Transcript};
use clearinghouse_eval::model::{ModelClient, ModelConfig};
use clearinghouse_eval::results::{Outcome, Variant};
use clearinghouse_eval::runner::{self, RunConfig};
use clearinghouse_eval::sandbox::{self, ExecRequest, Isolation, Limits, Sandbox};
use clearinghouse_eval::suite::{Suite, sha256_hex};
use scripted_model::{INSTANT_STEPS, Script};

fn main() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(bench());
}

async fn bench() {
    let suite_dir = tempfile::tempdir().expect("tempdir");
    write_suite(suite_dir.path());
    let suite = Suite::load(suite_dir.path()).expect("suite");
    let task = &suite.tasks()[0];
    let url = scripted_model::spawn(Script::default()).await;
    let model = ModelClient::new(ModelConfig::new(&url, "instant")).expect("client");
    let bubblewrap = match sandbox::check_available().await {
        Ok(()) => true,
        Err(err) => {
            println!("bubblewrap figures skipped: {err}");
            false
        }
    };
    let steps_per_attempt = (INSTANT_STEPS + 1) as f64;
    println!(
        "machine: {} cores",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!("{:<58} {:>12}", "measurement", "value");

    // Model round trip alone.
    let tools = agent::tool_specs(false);
    let messages = vec![clearinghouse_eval::model::Message {
        role: "user".to_owned(),
        content: Some("go".to_owned()),
        tool_calls: Vec::new(),
        tool_call_id: None,
    }];
    let rounds = 2000;
    let started = Instant::now();
    for _ in 0..rounds {
        model.complete(&messages, &tools).await.expect("complete");
    }
    report(
        "model round trip (scripted, loopback HTTP)",
        per(started.elapsed(), rounds),
    );

    for isolation in isolations(bubblewrap) {
        let sandbox = Sandbox::create(&task.files_dir(), None, isolation, Limits::default())
            .await
            .expect("sandbox");
        let runs = 200;
        let started = Instant::now();
        for _ in 0..runs {
            let output = sandbox
                .exec(ExecRequest {
                    script: "true".to_owned(),
                    ..ExecRequest::default()
                })
                .await
                .expect("exec");
            assert_eq!(output.exit_code, Some(0));
        }
        report(
            &format!("`true` through the sandbox ({})", name(isolation)),
            per(started.elapsed(), runs),
        );

        let attempts = 20;
        let started = Instant::now();
        for _ in 0..attempts {
            let report = agent::run_attempt(
                &model,
                task,
                Variant::Hard,
                &sandbox,
                &AgentLimits::default(),
                None,
                &mut Transcript::discard(),
            )
            .await;
            assert_eq!(report.outcome, Outcome::Correct);
        }
        let step = per(started.elapsed(), attempts) / steps_per_attempt as u32;
        report(
            &format!("agent step: model + tool ({})", name(isolation)),
            step,
        );
        sandbox.shutdown().await;
    }

    for isolation in isolations(bubblewrap) {
        let run_dir = tempfile::tempdir().expect("run dir");
        let config = RunConfig {
            attempts_per_task: 64,
            concurrency: 32,
            isolation,
            ..RunConfig::default()
        };
        let (_cancel, cancel_rx) = tokio::sync::watch::channel(false);
        let started = Instant::now();
        let summary = runner::run_suite(
            &suite,
            &model,
            &config,
            run_dir.path(),
            false,
            cancel_rx,
            &|_| {},
        )
        .await
        .expect("run");
        let elapsed = started.elapsed().as_secs_f64();
        assert!(
            summary
                .results
                .attempts
                .iter()
                .all(|a| a.outcome == Outcome::Correct)
        );
        let attempts = summary.results.attempts.len() as f64;
        println!(
            "{:<58} {:>9.1} /s",
            format!(
                "attempts, 32 concurrent, 11 steps each ({})",
                name(isolation)
            ),
            attempts / elapsed
        );
        println!(
            "{:<58} {:>9.1} /s",
            format!("agent steps, 32 concurrent attempts ({})", name(isolation)),
            attempts * steps_per_attempt / elapsed
        );
    }
}

fn isolations(bubblewrap: bool) -> Vec<Isolation> {
    if bubblewrap {
        vec![Isolation::Unsandboxed, Isolation::Bubblewrap]
    } else {
        vec![Isolation::Unsandboxed]
    }
}

fn name(isolation: Isolation) -> &'static str {
    match isolation {
        Isolation::Bubblewrap => "bubblewrap",
        Isolation::Unsandboxed => "unsandboxed",
    }
}

fn per(elapsed: Duration, count: u32) -> Duration {
    elapsed / count
}

fn report(label: &str, value: Duration) {
    println!("{label:<58} {:>9.3} ms", value.as_secs_f64() * 1000.0);
}

fn write_suite(root: &Path) {
    std::fs::write(root.join("suite.toml"), "name = \"bench\"\n").expect("write");
    let task = root.join("instant");
    std::fs::create_dir_all(task.join("files")).expect("mkdir");
    std::fs::write(task.join("files/readme.txt"), "nothing to see\n").expect("write");
    std::fs::write(
        task.join("task.toml"),
        format!(
            "name = \"instant\"\ncategory = \"misc\"\ndifficulty = 1\n[prompt]\nhard = \"go\"\n[checker]\nflag_sha256 = \"{}\"\n",
            sha256_hex(b"flag{instant}")
        ),
    )
    .expect("write");
}
