//! Durability: kill the server with SIGKILL in the middle of a burst of writes; after a restart
//! every acknowledged write is there and the log verifies. On every configured engine.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clearinghouse_testkit::TestDb;

const BIN: &str = env!("CARGO_BIN_EXE_clearinghouse");

fn data_args(db: &TestDb) -> Vec<String> {
    let mut args = vec!["--data-dir".to_owned(), db.data_dir().display().to_string()];
    if let Some(url) = db.database_url() {
        args.extend(["--database".to_owned(), url.to_owned()]);
    }
    args
}

/// Starts `serve` on a random port and returns the child and its base URL.
fn start(db: &TestDb) -> (Child, String) {
    let mut child = Command::new(BIN)
        .arg("serve")
        .args([
            "--listen",
            "127.0.0.1:0",
            "--rate-limit",
            "100000",
            "--rate-burst",
            "100000",
        ])
        .args(data_args(db))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("server starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let base = loop {
        let line = lines
            .next()
            .expect("server printed its address")
            .expect("utf-8");
        if let Some(rest) = line.strip_prefix("Clearinghouse listening on ") {
            break rest.split_whitespace().next().expect("url").to_owned();
        }
    };
    // Keep draining stdout so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    (child, base)
}

fn admin_token(db: &TestDb) -> String {
    let output = Command::new(BIN)
        .arg("admin")
        .args(data_args(db))
        .args([
            "token",
            "create",
            "--org",
            "Clearinghouse Administration",
            "--role",
            "admin",
            "--name",
            "crash-test",
        ])
        .output()
        .expect("admin runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .expect("utf-8")
        .trim()
        .to_owned()
}

async fn org_names(base: &str, token: &str) -> Vec<String> {
    let client = reqwest::Client::new();
    let mut names = Vec::new();
    let mut url = format!("{base}/api/v1/orgs?limit=500");
    loop {
        let page: serde_json::Value = client
            .get(&url)
            .bearer_auth(token)
            .send()
            .await
            .expect("list")
            .json()
            .await
            .expect("json");
        names.extend(
            page["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|o| o["name"].as_str().unwrap_or_default().to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(cursor) => url = format!("{base}/api/v1/orgs?limit=500&cursor={cursor}"),
            None => return names,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_writes_survive_sigkill_and_the_log_still_verifies() {
    for db in clearinghouse_testkit::databases().await {
        eprintln!("engine: {}", db.engine);
        let (mut server, base) = start(&db);
        let token = admin_token(&db);
        let acknowledged = Arc::new(Mutex::new(Vec::new()));
        let client = reqwest::Client::new();
        let started = Instant::now();
        let writers: Vec<_> = (0..8)
            .map(|w| {
                let (client, base, token, acknowledged) = (
                    client.clone(),
                    base.clone(),
                    token.clone(),
                    acknowledged.clone(),
                );
                tokio::spawn(async move {
                    for i in 0.. {
                        let name = format!("crash-{w}-{i}");
                        let sent = client
                            .post(format!("{base}/api/v1/orgs"))
                            .bearer_auth(&token)
                            .json(&serde_json::json!({"name": name, "kind": "vendor"}))
                            .send()
                            .await;
                        match sent {
                            Ok(response) if response.status() == 201 => {
                                acknowledged.lock().expect("lock").push(name)
                            }
                            Ok(response) => panic!("unexpected status {}", response.status()),
                            Err(_) => return, // the server died mid-request: not acknowledged
                        }
                    }
                })
            })
            .collect();
        // Let the burst run, then kill without warning.
        while started.elapsed() < Duration::from_millis(1500)
            || acknowledged.lock().expect("lock").len() < 20
        {
            tokio::time::sleep(Duration::from_millis(50)).await;
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "the burst made no progress"
            );
        }
        server.kill().expect("SIGKILL");
        server.wait().expect("reaped");
        for writer in writers {
            let _ = writer.await;
        }
        let acknowledged = acknowledged.lock().expect("lock").clone();
        eprintln!("{} writes acknowledged before SIGKILL", acknowledged.len());

        let (mut server, base) = start(&db);
        let present = org_names(&base, &token).await;
        let missing: Vec<_> = acknowledged
            .iter()
            .filter(|n| !present.contains(n))
            .collect();
        assert!(
            missing.is_empty(),
            "{} acknowledged writes lost after SIGKILL: {missing:?}",
            missing.len()
        );

        let verify = Command::new(BIN)
            .args([
                "log", "verify", "--server", &base, "--token", &token, "--json",
            ])
            .output()
            .expect("log verify runs");
        let report: serde_json::Value =
            serde_json::from_slice(&verify.stdout).expect("json report");
        assert!(verify.status.success(), "log verify failed: {report}");
        assert_eq!(report["verified"], true);
        assert!(report["tree_size"].as_u64().expect("size") as usize > acknowledged.len());
        server.kill().expect("stop");
        let _ = server.wait();
    }
}

#[test]
fn a_server_refuses_a_log_key_other_than_the_one_its_log_was_signed_with() {
    let db = clearinghouse_testkit::sqlite();
    let first = Command::new(BIN)
        .arg("admin")
        .args(data_args(&db))
        .args(["org", "list"])
        .output()
        .expect("runs");
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    std::fs::remove_file(db.data_dir().join("log-signing.key")).expect("key file exists");
    let second = Command::new(BIN)
        .arg("admin")
        .args(data_args(&db))
        .args(["org", "list"])
        .output()
        .expect("runs");
    assert!(
        !second.status.success(),
        "a new key was accepted for an existing log"
    );
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert!(
        stderr.contains("point --log-key at the original key"),
        "{stderr}"
    );
}
