//! Policy parsing and evaluation over 10,000 attempts (2,000 tasks × 5 attempts), plus the scorecard
//! and results loading that `eval decide` also pays for. Figures: BENCHMARKS.eval-results.md.

use std::hint::black_box;

use clearinghouse_eval::policy::Policy;
use clearinghouse_eval::results::{
    AttemptResult, Harness, ModelRef, Outcome, RunResults, SCHEMA_VERSION, SuiteRef, TaskInfo,
    Variant,
};
use clearinghouse_eval::scoring::Scorecard;
use criterion::{Criterion, criterion_group, criterion_main};

const TASKS: u32 = 2_000;
const ATTEMPTS: u32 = 5;

const FRONTIER: &str = include_str!("../../../suites/policies/frontier-threshold.policy");
const EXPERT: &str = include_str!("../../../suites/policies/expert-weighted.policy");

/// Deterministic results: a linear congruential generator decides outcomes, so runs are comparable.
fn results() -> RunResults {
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1);
        state >> 33
    };
    let categories = [
        "web",
        "crypto",
        "reverse",
        "forensics",
        "exploitation",
        "misc",
    ];
    let mut tasks = Vec::new();
    let mut attempts = Vec::new();
    for t in 0..TASKS {
        let id = format!("task-{t:05}");
        let difficulty = (t % 5) as u8 + 1;
        tasks.push(TaskInfo {
            id: id.clone(),
            category: categories[t as usize % categories.len()].to_owned(),
            difficulty,
            first_solve_seconds: Some(60 * (1 + next() % 1_500)),
            subtasks: 4,
        });
        for (variant, runs) in [(Variant::Hard, ATTEMPTS), (Variant::Easy, 0)] {
            for a in 0..runs {
                // Harder tasks are solved less often.
                let correct = next() % 100 < u64::from(60 - 10 * u32::from(difficulty));
                attempts.push(AttemptResult {
                    task_id: id.clone(),
                    attempt: a,
                    variant,
                    outcome: if correct {
                        Outcome::Correct
                    } else {
                        Outcome::Incorrect
                    },
                    subtasks_solved: (next() % 5) as u32,
                    subtasks_total: 4,
                    turns: 10,
                    prompt_tokens: 5_000,
                    completion_tokens: 500,
                    cost_usd: Some(0.01),
                    wall_seconds: 30.0,
                    transcript: Vec::new(),
                });
            }
        }
    }
    RunResults {
        schema_version: SCHEMA_VERSION,
        run_id: "bench".to_owned(),
        suite: SuiteRef {
            name: "bench".to_owned(),
            digest: "sha256:00".to_owned(),
        },
        policy_digest: None,
        model: ModelRef {
            name: "bench-model".to_owned(),
            base_url: None,
            harness: Harness::Clearinghouse,
        },
        started_at: jiff::Timestamp::UNIX_EPOCH,
        finished_at: jiff::Timestamp::UNIX_EPOCH,
        attempts_per_task: ATTEMPTS,
        tasks,
        attempts,
    }
}

fn bench(c: &mut Criterion) {
    let results = results();
    assert_eq!(results.attempts.len(), 10_000);
    let json = results.to_json_pretty().expect("serialize");
    let frontier = Policy::parse(FRONTIER).expect("frontier policy");
    let expert = Policy::parse(EXPERT).expect("expert policy");

    c.bench_function("policy/parse_check_digest/expert", |b| {
        b.iter(|| Policy::parse(black_box(EXPERT)).expect("parse"))
    });
    c.bench_function("policy/evaluate/frontier/10k_attempts", |b| {
        b.iter(|| frontier.evaluate(black_box(&results)).expect("evaluate"))
    });
    c.bench_function("policy/evaluate/expert/10k_attempts", |b| {
        b.iter(|| expert.evaluate(black_box(&results)).expect("evaluate"))
    });
    c.bench_function("scoring/scorecard/10k_attempts", |b| {
        b.iter(|| Scorecard::new(black_box(&results)))
    });
    c.bench_function("results/from_json/10k_attempts", |b| {
        b.iter(|| RunResults::from_json(black_box(&json)).expect("parse"))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
