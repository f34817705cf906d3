//! The binary as scripts use it: a reader that closes the pipe early (`clearinghouse … | head`)
//! is not a failure, and `clearinghouse vex` stores, lists and withdraws an operator's VEX
//! directly on a data directory, with its exit codes.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_clearinghouse");

fn clearinghouse(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env("CLEARINGHOUSE_DATA_DIR", dir)
        .env_remove("CLEARINGHOUSE_DATABASE_URL")
        .env_remove("CLEARINGHOUSE_SERVER")
        .output()
        .expect("run clearinghouse")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// An SBOM whose table is far larger than a pipe's buffer.
fn large_sbom(dir: &Path) -> std::path::PathBuf {
    let components: Vec<serde_json::Value> = (0..5_000)
        .map(|i| {
            serde_json::json!({"type": "library", "bom-ref": format!("c{i}"), "name": format!("package-{i}"),
                               "version": "1.0.0", "purl": format!("pkg:npm/package-{i}@1.0.0")})
        })
        .collect();
    let path = dir.join("large.cdx.json");
    std::fs::write(
        &path,
        serde_json::json!({"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1, "components": components})
            .to_string(),
    )
    .expect("write SBOM");
    path
}

#[test]
fn a_reader_closing_the_pipe_early_is_not_a_failure() {
    let dir = tempfile::tempdir().expect("temp dir");
    let sbom = large_sbom(dir.path());
    let mut child = Command::new(BIN)
        .arg("sbom")
        .arg(&sbom)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut first = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut first)
        .expect("first line");
    // The reader is gone: the rest of the table meets a closed pipe.
    let output = child.wait_with_output().expect("wait");
    assert!(first.contains("5000 components"), "{first}");
    assert!(output.status.success(), "status {:?}", output.status);
    assert!(
        !text(&output.stderr).contains("panicked"),
        "{}",
        text(&output.stderr)
    );
}

#[test]
fn vex_is_refused_stored_listed_and_withdrawn_with_exit_codes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let created = clearinghouse(
        &data,
        &[
            "admin",
            "org",
            "create",
            "Valley Water",
            "--type",
            "operator",
            "--sector",
            "water_and_wastewater_systems",
        ],
    );
    assert!(created.status.success(), "{}", text(&created.stderr));
    let advisory = dir.path().join("osv");
    std::fs::create_dir(&advisory).expect("dir");
    std::fs::write(
        advisory.join("GHSA-1111-2222-3333.json"),
        serde_json::json!({"id": "GHSA-1111-2222-3333", "modified": "2026-01-01T00:00:00Z", "aliases": ["CVE-2026-1111"],
            "affected": [{"package": {"ecosystem": "PyPI", "name": "flask"},
                          "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "3.0.0"}]}]}]})
        .to_string(),
    )
    .expect("write advisory");
    let imported = clearinghouse(
        &data,
        &["import", "osv", &advisory.display().to_string(), "--quiet"],
    );
    assert!(imported.status.success(), "{}", text(&imported.stderr));

    let vex = |name: &str, id: &str, state: &str| {
        let path = dir.path().join(name);
        let mut file = std::fs::File::create(&path).expect("create");
        write!(
            file,
            "{}",
            serde_json::json!({"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
                "vulnerabilities": [{"id": id, "analysis": {"state": state, "justification": "code_not_reachable"},
                                     "affects": [{"ref": "pkg:pypi/flask@2.0.0"}]}]})
        )
        .expect("write");
        path.display().to_string()
    };
    // Nothing applicable: refused (usage, 2), nothing stored.
    let unknown = vex("unknown.json", "CVE-2026-9999", "not_affected");
    let refused = clearinghouse(&data, &["vex", "submit", "Valley Water", &unknown]);
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused.stderr));
    assert!(
        text(&refused.stderr).contains("not in the knowledge base"),
        "{}",
        text(&refused.stderr)
    );
    let known = vex("known.json", "CVE-2026-1111", "not_affected");
    let stored = clearinghouse(&data, &["vex", "submit", "Valley Water", &known, "--json"]);
    assert!(stored.status.success(), "{}", text(&stored.stderr));
    let stored: serde_json::Value = serde_json::from_slice(&stored.stdout).expect("json");
    assert_eq!(stored["statements"][0]["package"], "PyPI/flask");
    assert_eq!(stored["statements"][0]["status"], "not_affected");
    let id = stored["submission"]["id"].as_str().expect("id").to_owned();

    let listed = clearinghouse(&data, &["vex", "list", "Valley Water", "--json"]);
    let listed: serde_json::Value = serde_json::from_slice(&listed.stdout).expect("json");
    assert_eq!(listed[0]["id"], id.as_str());
    assert!(listed[0]["withdrawn_at"].is_null());

    let withdrawn = clearinghouse(&data, &["vex", "withdraw", "Valley Water", &id]);
    assert!(withdrawn.status.success(), "{}", text(&withdrawn.stderr));
    let again = clearinghouse(&data, &["vex", "withdraw", "Valley Water", &id]);
    assert_eq!(again.status.code(), Some(2), "{}", text(&again.stderr));
    let missing = clearinghouse(&data, &["vex", "list", "Nobody"]);
    assert_eq!(missing.status.code(), Some(3), "{}", text(&missing.stderr));
}
