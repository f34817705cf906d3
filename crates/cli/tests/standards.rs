//! End-to-end tests of the offline standards commands through the real binary: `cvss` (arguments
//! and `-` for standard input), `ssvc`, `version compare|in`, `validate`, `sbom` and `scan`, with
//! `--json`, bad input and exit codes (0 ok, 1 check failed or matched, 2 bad input, 3 not found).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use serde_json::{Value, json};

fn clearinghouse(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_clearinghouse"))
        .args(args)
        .output()
        .expect("run clearinghouse")
}

/// Starts the binary with `input` written to its standard input and both outputs piped.
fn spawn_with_stdin(args: &[&str], input: &str) -> Child {
    let mut child = Command::new(env!("CARGO_BIN_EXE_clearinghouse"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run clearinghouse");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write stdin");
    child
}

fn code(output: &Output) -> i32 {
    output.status.code().expect("exited normally")
}

fn stdout_json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|err| {
        panic!(
            "stdout is not JSON ({err}): {}\nstderr: {}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The standards crate's own fixtures (never shared data: these tests always run).
fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../standards/tests/fixtures")
        .join(name)
        .display()
        .to_string()
}

fn write(dir: &Path, name: &str, value: &Value) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_vec_pretty(value).expect("JSON")).expect("write");
    path
}

#[test]
fn cvss_scores_vectors_from_arguments_and_standard_input() {
    let output = clearinghouse(&[
        "cvss",
        "--json",
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
        "AV:N/AC:L/Au:N/C:P/I:P/A:P",
    ]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let rows = stdout_json(&output);
    let scores: Vec<(&str, f64, &str)> = rows
        .as_array()
        .expect("array")
        .iter()
        .map(|row| {
            let scores = &row["scores"];
            (
                scores["version"].as_str().expect("version"),
                scores["overall"].as_f64().expect("overall"),
                scores["severity"].as_str().expect("severity"),
            )
        })
        .collect();
    assert_eq!(
        scores,
        [
            ("3.1", 9.8, "critical"),
            ("4.0", 9.3, "critical"),
            ("2.0", 7.5, "high")
        ]
    );

    // `-` reads one vector per line; blank lines are skipped, a bad vector names its metric and
    // the good ones are still scored.
    let output = spawn_with_stdin(
        &["cvss", "-", "--json"],
        "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\n\nCVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\n",
    )
    .wait_with_output()
    .expect("wait");
    assert_eq!(code(&output), 1);
    let rows = stdout_json(&output);
    assert_eq!(rows.as_array().map(Vec::len), Some(2));
    assert_eq!(rows[0]["scores"]["base"], json!(9.8));
    let error = rows[1]["error"].as_str().expect("error message");
    assert!(error.contains("AV"), "{error}");

    // The table shows the score; the error goes to standard error.
    let output = clearinghouse(&[
        "cvss",
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        "bogus",
    ]);
    assert_eq!(code(&output), 1);
    assert!(String::from_utf8_lossy(&output.stdout).contains("9.8"));
    assert!(stderr(&output).contains("bogus"));
}

#[test]
fn a_reader_closing_the_pipe_early_is_not_an_error() {
    let vectors = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\n".repeat(5_000);
    let mut child = spawn_with_stdin(&["cvss", "-", "--json"], &vectors);
    // Read a little (like `| head -c 100`), then close: the ~1 MB answer no longer fits.
    let mut stdout = child.stdout.take().expect("stdout");
    let mut start = [0u8; 100];
    stdout.read_exact(&mut start).expect("first bytes");
    drop(stdout);
    let output = child.wait_with_output().expect("wait");
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert!(!stderr(&output).contains("panicked"), "{}", stderr(&output));
}

#[test]
fn ssvc_decides_from_named_inputs() {
    let output = clearinghouse(&[
        "ssvc",
        "coordinator",
        "--exploitation",
        "active",
        "--automatable",
        "yes",
        "--technical-impact",
        "total",
        "--mission-wellbeing",
        "high",
        "--json",
    ]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(stdout_json(&output)[0]["outcome"]["name"], "Act");

    // Without a mission level every level is decided.
    let output = clearinghouse(&[
        "ssvc",
        "coordinator",
        "--exploitation",
        "poc",
        "--automatable",
        "yes",
        "--technical-impact",
        "total",
        "--json",
    ]);
    let outcomes: Vec<Value> = stdout_json(&output)
        .as_array()
        .expect("array")
        .iter()
        .map(|decision| decision["outcome"]["name"].clone())
        .collect();
    // CERT/CC's cisa_coordinator_2_0_3.json rows for E:P, A:Y, TI:T and MWI L, M, H.
    assert_eq!(outcomes, [json!("Track"), json!("Track*"), json!("Attend")]);

    let output = clearinghouse(&[
        "ssvc",
        "deployer",
        "--exploitation",
        "none",
        "--exposure",
        "small",
        "--automatable",
        "no",
        "--human-impact",
        "low",
        "--json",
    ]);
    assert_eq!(stdout_json(&output)[0]["outcome"]["name"], "Defer");

    let output = clearinghouse(&[
        "ssvc",
        "coordinator",
        "--exploitation",
        "maybe",
        "--automatable",
        "yes",
        "--technical-impact",
        "total",
    ]);
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("maybe"), "{}", stderr(&output));
}

#[test]
fn version_compare_and_in_use_each_ecosystems_ordering() {
    for (ecosystem, a, b, expected) in [
        ("pypi", "1.0rc1", "1.0", "<"),
        ("maven", "1.0-SNAPSHOT", "1.0", "<"),
        ("debian", "1:1.0~rc1", "1:1.0", "<"),
        ("go", "v2.0.0+incompatible", "2.0.0", "="),
        ("rpm", "1.0^git1", "1.0", ">"),
        ("composer", "1.0.0-RC1", "1.0.0-beta2", ">"),
    ] {
        let output = clearinghouse(&["version", "compare", ecosystem, a, b]);
        assert_eq!(code(&output), 0, "{}", stderr(&output));
        assert_eq!(
            String::from_utf8_lossy(&output.stdout).trim(),
            expected,
            "{ecosystem} {a} {b}"
        );
    }
    let output = clearinghouse(&["version", "compare", "--json", "npm", "1.2.3", "1.2.4"]);
    assert_eq!(
        stdout_json(&output),
        json!({"ecosystem": "npm", "a": "1.2.3", "b": "1.2.4", "ordering": "<"})
    );

    let inside = clearinghouse(&["version", "in", "npm", "1.4.2", "vers:npm/>=1.0.0|<1.5.0"]);
    assert_eq!(code(&inside), 0);
    let outside = clearinghouse(&["version", "in", "--json", "pypi", "2.0.1", ">=1.0,<2.0"]);
    assert_eq!(code(&outside), 1);
    assert_eq!(stdout_json(&outside)["contained"], json!(false));

    let bad_version = clearinghouse(&["version", "compare", "pypi", "1.0", "banana"]);
    assert_eq!(code(&bad_version), 2);
    assert!(stderr(&bad_version).contains("banana"));
    let unknown = clearinghouse(&["version", "compare", "hackage", "1", "2"]);
    assert_eq!(code(&unknown), 2);
    assert!(stderr(&unknown).contains("hackage"));
}

#[test]
fn validate_reports_each_problem_with_its_path() {
    let dir = tempfile::tempdir().expect("temp dir");
    let invalid = write(
        dir.path(),
        "bom.json",
        &json!({
            "bomFormat": "CycloneDX",
            "specVersion": "1.5",
            "version": 1,
            "components": [{"type": "gadget", "name": "x"}]
        }),
    );
    let invalid = invalid.display().to_string();
    let valid = fixture("csaf-sample.json");

    let output = clearinghouse(&["validate", &valid]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert!(String::from_utf8_lossy(&output.stdout).contains("valid CSAF"));

    let output = clearinghouse(&["validate", "--json", &valid, &invalid]);
    assert_eq!(code(&output), 1);
    let reports = stdout_json(&output);
    assert_eq!(reports[0]["valid"], json!(true));
    assert_eq!(reports[1]["format"], json!("CycloneDX"));
    assert_eq!(reports[1]["valid"], json!(false));
    assert_eq!(
        reports[1]["problems"][0]["path"],
        json!("$.components[0].type")
    );

    let output = clearinghouse(&["validate", &invalid]);
    assert_eq!(code(&output), 1);
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("INVALID CycloneDX (1 problem)"),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );

    let missing = clearinghouse(&["validate", "/nonexistent/advisory.json"]);
    assert_ne!(code(&missing), 0);
}

#[test]
fn sbom_prints_the_normalized_components() {
    let output = clearinghouse(&["sbom", "--json", &fixture("cyclonedx-sample.json")]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let sbom = stdout_json(&output);
    let purls: Vec<&str> = sbom["components"]
        .as_array()
        .expect("components")
        .iter()
        .filter_map(|c| c["purl"].as_str())
        .collect();
    assert_eq!(
        purls,
        [
            "pkg:npm/app@1.0.0",
            "pkg:npm/lodash@4.17.20",
            "pkg:npm/minimist@1.2.5"
        ]
    );
    let output = clearinghouse(&["sbom", &fixture("cyclonedx-sample.json")]);
    assert!(String::from_utf8_lossy(&output.stdout).contains("3 components"));
    let output = clearinghouse(&["sbom", &fixture("sarif-sample.json")]);
    assert_eq!(code(&output), 1);
}

#[test]
fn scan_prints_one_object_per_match_with_purl_id_and_aliases() {
    let dir = tempfile::tempdir().expect("temp dir");
    let advisories = dir.path().join("advisories");
    std::fs::create_dir(&advisories).expect("mkdir");
    write(
        &advisories,
        "GHSA-test-lodash.json",
        &json!({
            "id": "GHSA-test-lodash",
            "modified": "2024-01-01T00:00:00Z",
            "aliases": ["CVE-2021-23337"],
            "affected": [{
                "package": {"ecosystem": "npm", "name": "lodash"},
                "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "4.17.21"}]}]
            }]
        }),
    );
    // Fixed before the version in the SBOM: must not match.
    let fixed_only = dir.path().join("fixed-only");
    std::fs::create_dir(&fixed_only).expect("mkdir");
    write(
        &fixed_only,
        "GHSA-test-minimist.json",
        &json!({
            "id": "GHSA-test-minimist",
            "modified": "2024-01-01T00:00:00Z",
            "affected": [{
                "package": {"ecosystem": "npm", "name": "minimist"},
                "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.2.3"}]}]
            }]
        }),
    );
    let kev = write(
        dir.path(),
        "kev.json",
        &json!({
            "title": "CISA Catalog of Known Exploited Vulnerabilities",
            "catalogVersion": "2024.01.01",
            "dateReleased": "2024-01-01T00:00:00.000Z",
            "count": 1,
            "vulnerabilities": [{
                "cveID": "CVE-2021-23337",
                "vendorProject": "lodash",
                "product": "lodash",
                "vulnerabilityName": "lodash command injection",
                "dateAdded": "2024-01-01",
                "shortDescription": "test entry",
                "requiredAction": "update",
                "dueDate": "2024-01-22"
            }]
        }),
    );
    let sbom = fixture("cyclonedx-sample.json");
    let advisories_arg = advisories.display().to_string();
    let kev_arg = kev.display().to_string();
    let fixed_only_arg = fixed_only.display().to_string();
    let output = clearinghouse(&[
        "scan",
        &sbom,
        "--advisories",
        &advisories_arg,
        &fixed_only_arg,
        &kev_arg,
        "--json",
    ]);
    assert_eq!(code(&output), 1, "a match exits 1: {}", stderr(&output));
    let hits = stdout_json(&output);
    let hits = hits.as_array().expect("array");
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(hits[0]["purl"], json!("pkg:npm/lodash@4.17.20"));
    assert_eq!(hits[0]["id"], json!("GHSA-test-lodash"));
    assert_eq!(hits[0]["aliases"], json!(["CVE-2021-23337"]));
    assert_eq!(hits[0]["kev"], json!(true));

    // The table groups the ids of one vulnerability in one row.
    let output = clearinghouse(&["scan", &sbom, "--advisories", &advisories_arg]);
    let table = String::from_utf8_lossy(&output.stdout);
    assert!(
        table.contains("GHSA-test-lodash, CVE-2021-23337"),
        "{table}"
    );

    // Nothing affected: exit 0 and an empty array (SPDX this time).
    let spdx = fixture("spdx-sample.json");
    let output = clearinghouse(&["scan", &spdx, "--advisories", &fixed_only_arg, "--json"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(stdout_json(&output), json!([]));

    // An SBOM that cannot be read stops the scan instead of reporting "no matches".
    let not_sbom = fixture("sarif-sample.json");
    let output = clearinghouse(&["scan", &not_sbom, "--advisories", &advisories_arg]);
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("not a readable SBOM"),
        "{}",
        stderr(&output)
    );
    let output = clearinghouse(&["scan", &sbom, "--advisories", "/nonexistent/osv"]);
    assert_eq!(code(&output), 3);
}
