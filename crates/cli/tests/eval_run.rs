//! The `eval run`, `eval check-suite` and `eval suite digest` commands, run as a user would.

use std::path::PathBuf;
use std::process::{Command, Output};

fn example_suite() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../suites/example")
}

fn clearinghouse(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_clearinghouse"))
        .args(args)
        .output()
        .expect("run clearinghouse")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn suite_digest_prints_the_recorded_digest() {
    let suite = example_suite();
    let output = clearinghouse(&["eval", "suite", "digest", suite.to_str().expect("utf-8")]);
    assert!(output.status.success(), "{output:?}");
    let text = stdout(&output);
    let (digest, name) = text.trim().split_once("  ").expect("two fields");
    assert!(
        digest.starts_with("sha256:") && digest.len() == 71,
        "{digest}"
    );
    assert_eq!(name, "example");

    let output = clearinghouse(&[
        "eval",
        "suite",
        "digest",
        suite.to_str().expect("utf-8"),
        "--json",
    ]);
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    assert_eq!(json["digest"], digest);
    assert_eq!(json["tasks"].as_array().expect("tasks").len(), 10);
}

#[test]
fn check_suite_static_passes_on_the_example_and_never_prints_a_flag() {
    let suite = example_suite();
    let output = clearinghouse(&[
        "eval",
        "check-suite",
        suite.to_str().expect("utf-8"),
        "--static-only",
        "--json",
    ]);
    assert!(output.status.success(), "{output:?}");
    let text = stdout(&output);
    let json: serde_json::Value = serde_json::from_str(&text).expect("json");
    assert_eq!(json["passed"], true);
    assert!(!text.contains("flag{"), "{text}");
}

#[test]
fn missing_suites_and_runs_are_not_found() {
    let output = clearinghouse(&["eval", "check-suite", "/nonexistent/suite"]);
    assert_eq!(output.status.code(), Some(3), "{output:?}");
    let suite = example_suite();
    let output = clearinghouse(&[
        "eval",
        "run",
        "--suite",
        suite.to_str().expect("utf-8"),
        "--model-url",
        "http://127.0.0.1:9/v1",
        "--model",
        "m",
        "--resume",
        "/nonexistent/run",
    ]);
    assert_eq!(output.status.code(), Some(3), "{output:?}");
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("holds no results to resume"),
        "{output:?}"
    );
}

#[test]
fn unsandboxed_mode_warns_loudly() {
    let suite = example_suite();
    let output = clearinghouse(&[
        "eval",
        "check-suite",
        suite.to_str().expect("utf-8"),
        "--static-only",
        "--unsandboxed",
    ]);
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("WARNING: --unsandboxed"),
        "{output:?}"
    );
}
