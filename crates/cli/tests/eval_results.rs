//! End-to-end tests of `eval import-inspect`, `eval policy check`, `eval decide`, `eval score` and
//! `eval report` through the real binary, including exit codes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn clearinghouse(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_clearinghouse"))
        .args(args)
        .output()
        .expect("run clearinghouse")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

struct Fixture {
    dir: tempfile::TempDir,
    frontier: String,
    expert: String,
}

impl Fixture {
    fn new() -> Self {
        let root = workspace();
        Self {
            dir: tempfile::tempdir().expect("temp dir"),
            frontier: root
                .join("suites/policies/frontier-threshold.policy")
                .display()
                .to_string(),
            expert: root
                .join("suites/policies/expert-weighted.policy")
                .display()
                .to_string(),
        }
    }

    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }

    /// Imports the Inspect fixture, optionally recording a policy digest.
    fn import(&self, policy: Option<&str>) -> String {
        let log = workspace().join("crates/eval/testdata/inspect/ctf-small.json");
        let out = self.path("results.json");
        let log = log.display().to_string();
        let mut args = vec![
            "eval",
            "import-inspect",
            log.as_str(),
            "--out",
            out.as_str(),
        ];
        if let Some(policy) = policy {
            args.extend(["--policy", policy]);
        }
        let output = clearinghouse(&args);
        assert!(output.status.success(), "{}", text(&output.stderr));
        assert!(text(&output.stdout).contains("imported 3 task(s), 6 attempt(s)"));
        out
    }
}

#[test]
fn decide_prints_the_recommendation_and_evidence() {
    let fixture = Fixture::new();
    let results = fixture.import(Some(&fixture.frontier));
    let output = clearinghouse(&["eval", "decide", "--policy", &fixture.frontier, &results]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    assert!(stdout.starts_with("recommendation: covered\n"), "{stdout}");
    assert!(
        stdout.contains("matches the digest recorded in the results"),
        "{stdout}"
    );
    assert!(stdout.contains("solved: ctf_small/heap-uaf"), "{stdout}");

    let output = clearinghouse(&[
        "eval",
        "decide",
        "--policy",
        &fixture.frontier,
        &results,
        "--json",
    ]);
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    assert_eq!(json["recommendation"], "covered");
    assert_eq!(json["digest_check"], "match");
    assert_eq!(json["evidence"]["children"][1]["decisive"], true);
}

#[test]
fn decide_refuses_results_of_another_policy_unless_overridden() {
    let fixture = Fixture::new();
    let results = fixture.import(Some(&fixture.frontier));
    let output = clearinghouse(&["eval", "decide", "--policy", &fixture.expert, &results]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        text(&output.stderr).contains("refusing to decide"),
        "{}",
        text(&output.stderr)
    );

    // Overridden: the expert policy needs 5 attempts, the fixture has 2, so evaluation fails clearly.
    let output = clearinghouse(&[
        "eval",
        "decide",
        "--policy",
        &fixture.expert,
        &results,
        "--allow-policy-mismatch",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("WARNING: the results were produced under policy"),
        "{stderr}"
    );
    assert!(
        stderr.contains("pass@5 needs at least 5 attempts"),
        "{stderr}"
    );

    let unfixed = fixture.import(None);
    let output = clearinghouse(&["eval", "decide", "--policy", &fixture.frontier, &unfixed]);
    assert_eq!(output.status.code(), Some(1));
    assert!(text(&output.stderr).contains("record no policy digest"));
    let output = clearinghouse(&[
        "eval",
        "decide",
        "--policy",
        &fixture.frontier,
        &unfixed,
        "--allow-policy-mismatch",
    ]);
    assert_eq!(output.status.code(), Some(0));
    assert!(text(&output.stdout).contains("NOT RECORDED"));
}

#[test]
fn policy_check_prints_digest_or_a_located_error() {
    let fixture = Fixture::new();
    let output = clearinghouse(&["eval", "policy", "check", &fixture.frontier, "--json"]);
    assert_eq!(output.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    assert_eq!(
        json["canonical"],
        "solve_rate(k = 1) >= 0.4 or any_solved(category = \"exploitation\", difficulty >= 4)"
    );
    assert!(
        json["digest"]["canonical"]
            .as_str()
            .is_some_and(|d| d.starts_with("sha256:"))
    );

    let bad = fixture.path("bad.policy");
    std::fs::write(&bad, "solve_rate(k = 1) >= 0.4\n  or any_solvd()\n").expect("write");
    let output = clearinghouse(&["eval", "policy", "check", &bad]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("bad.policy:2:6: unknown function `any_solvd`"),
        "{stderr}"
    );
    assert!(stderr.contains("  |      ^^^^^^^^^"), "{stderr}");

    let output = clearinghouse(&["eval", "policy", "check", &fixture.path("missing.policy")]);
    assert_eq!(output.status.code(), Some(3));
}

#[test]
fn score_and_report_work_on_imported_results() {
    let fixture = Fixture::new();
    let results = fixture.import(None);
    let output = clearinghouse(&["eval", "score", &results, "--json"]);
    assert_eq!(output.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    assert_eq!(json["tasks"], 3);
    assert_eq!(json["pass_at"][1]["k"], 2);

    let output = clearinghouse(&["eval", "score", &results]);
    assert!(text(&output.stdout).contains("exploitation"));

    let html = fixture.path("report.html");
    let output = clearinghouse(&[
        "eval",
        "report",
        &results,
        "--policy",
        &fixture.frontier,
        "--out",
        &html,
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let report = std::fs::read_to_string(&html).expect("report");
    assert_eq!(report.matches("<svg ").count(), 3);
    assert!(report.contains("ctf_small/&lt;web&amp;xss&gt;"));
    assert!(!report.contains("<web&xss>"));

    let invalid = fixture.path("invalid.json");
    std::fs::write(&invalid, "{\"schema_version\": 9}").expect("write");
    let output = clearinghouse(&["eval", "score", &invalid]);
    assert_eq!(output.status.code(), Some(1));
    assert!(text(&output.stderr).contains("unsupported results schema_version 9"));
}
