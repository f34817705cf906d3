//! `clearinghouse finding` and `clearinghouse case` against a real server, on every configured
//! engine: tables and `--json`, attachments from disk, idempotency keys, SARIF reports, and the
//! exit codes scripts rely on.

use std::process::{Command, Output};
use std::sync::Arc;

use clearinghouse_app::participants::TokenRequest;
use clearinghouse_app::{App, KeyRing};
use clearinghouse_domain::authz::Actor;
use clearinghouse_domain::{NewOrganization, OrgKind, Role};
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_clearinghouse");

async fn run(args: Vec<String>) -> Output {
    tokio::task::spawn_blocking(move || Command::new(BIN).args(args).output().expect("runs"))
        .await
        .expect("joined")
}

fn args(words: &[&str], server: &str, token: &str) -> Vec<String> {
    let mut out: Vec<String> = words.iter().map(|w| (*w).to_owned()).collect();
    out.extend([
        "--server".into(),
        server.into(),
        "--token".into(),
        token.into(),
    ]);
    out
}

fn json_of(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

async fn token(app: &App, org_name: &str, kind: OrgKind, role: Role) -> String {
    let org = app
        .create_org(
            &Actor::system(),
            NewOrganization::parse(org_name, kind, None).expect("org"),
        )
        .await
        .expect("org");
    app.create_token(
        &Actor::system(),
        TokenRequest {
            org: org.id,
            role,
            name: "cli".into(),
            expires_in_days: Some(1),
        },
    )
    .await
    .expect("token")
    .secret
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn findings_and_cases_through_the_cli() {
    for db in clearinghouse_testkit::databases().await {
        eprintln!("engine: {}", db.engine);
        let store = clearinghouse_store::open(&db.location)
            .await
            .expect("store");
        let app = App::new(
            store,
            Arc::new(KeyRing::ephemeral("cli.example/log").expect("keys")),
        );
        app.check_log_key().await.expect("log key");
        let finder = token(&app, "CLI Lab", OrgKind::AiDeveloper, Role::Finder).await;
        let analyst = token(&app, "CLI Agency", OrgKind::Government, Role::Analyst).await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let server = format!("http://{}", listener.local_addr().expect("addr"));
        let state = clearinghouse_server::AppState::new(
            app.clone(),
            clearinghouse_server::ServerConfig::default(),
        );
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(clearinghouse_server::serve(listener, state, async move {
            let _ = stopped.await;
        }));

        let dir = tempfile::tempdir().expect("dir");
        let finding = dir.path().join("finding.json");
        std::fs::write(
            &finding,
            json!({"title": "Command injection in backup hook", "description": "The hook passes the file name to sh -c.",
                   "product": "pkg:golang/example.org/backupd@v1.4.2", "cwe": "CWE-78",
                   "cvss": "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
                   "location": {"file": "hooks/run.go", "function": "RunHook"},
                   "provenance": {"tool": "cli-model"}})
            .to_string(),
        )
        .expect("write");
        let poc = dir.path().join("poc.sh");
        std::fs::write(&poc, "touch /tmp/pwned").expect("write");
        let submit = args(
            &[
                "finding",
                "submit",
                finding.to_str().unwrap_or_default(),
                "--attach",
                &format!("proof_of_concept={}", poc.display()),
                "--idempotency-key",
                "cli-1",
                "--json",
            ],
            &server,
            &finder,
        );
        let submitted = run(submit.clone()).await;
        assert!(
            submitted.status.success(),
            "{}",
            String::from_utf8_lossy(&submitted.stderr)
        );
        let outcome = json_of(&submitted);
        assert_eq!(outcome["disposition"], "new_case");
        assert_eq!(outcome["attachments"].as_array().map(Vec::len), Some(1));
        let case = outcome["case_id"].as_str().expect("case").to_owned();
        let replay = run(submit).await;
        assert_eq!(json_of(&replay)["replayed"], true);
        assert_eq!(json_of(&replay)["case_id"], case.as_str());

        // SARIF: one result lacks a CWE, so the exit status says a check failed.
        let sarif = dir.path().join("scan.sarif");
        std::fs::write(
            &sarif,
            json!({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "cli-scanner",
                "rules": [{"id": "go/cmd", "properties": {"tags": ["external/cwe/cwe-078"]}}, {"id": "go/style"}]}},
                "results": [
                    {"ruleId": "go/cmd", "message": {"text": "shell with user input"},
                     "locations": [{"physicalLocation": {"artifactLocation": {"uri": "cmd/exec.go"}, "region": {"startLine": 3}}}]},
                    {"ruleId": "go/style", "message": {"text": "long line"}}]}]})
            .to_string(),
        )
        .expect("write");
        let report = run(args(
            &[
                "finding",
                "sarif",
                sarif.to_str().unwrap_or_default(),
                "--product",
                "pkg:golang/example.org/backupd@v1.4.2",
            ],
            &server,
            &finder,
        ))
        .await;
        assert_eq!(
            report.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&report.stderr)
        );
        let table = String::from_utf8_lossy(&report.stdout);
        assert!(
            table.contains("1 accepted, 0 merged, 1 rejected"),
            "{table}"
        );
        assert!(table.contains("#/runs/0/results/1"), "{table}");

        // Cases: list, show, move; illegal moves, unknown cases and missing servers exit apart.
        let listed = run(args(
            &["case", "list", "--search", "hook", "--json"],
            &server,
            &analyst,
        ))
        .await;
        assert!(
            listed.status.success(),
            "{}",
            String::from_utf8_lossy(&listed.stderr)
        );
        assert_eq!(json_of(&listed)["items"][0]["id"], case.as_str());
        let shown = run(args(&["case", "show", &case], &server, &analyst)).await;
        let table = String::from_utf8_lossy(&shown.stdout);
        assert!(
            table.contains("Command injection in backup hook"),
            "{table}"
        );
        assert!(table.contains("CLI Lab (first)"), "{table}");
        let illegal = run(args(
            &["case", "transition", &case, "published"],
            &server,
            &analyst,
        ))
        .await;
        assert_eq!(illegal.status.code(), Some(2));
        assert!(
            String::from_utf8_lossy(&illegal.stderr)
                .contains("cannot go from submitted to published")
        );
        let moved = run(args(
            &["case", "transition", &case, "triaged", "--json"],
            &server,
            &analyst,
        ))
        .await;
        assert!(
            moved.status.success(),
            "{}",
            String::from_utf8_lossy(&moved.stderr)
        );
        assert_eq!(json_of(&moved)["state"], "triaged");
        let denied = run(args(
            &["case", "transition", &case, "validating"],
            &server,
            &finder,
        ))
        .await;
        assert_eq!(
            denied.status.code(),
            Some(5),
            "{}",
            String::from_utf8_lossy(&denied.stderr)
        );
        let queue = run(args(&["case", "queue", "--json"], &server, &analyst)).await;
        assert!(
            json_of(&queue)["items"][0]["reason"]
                .as_str()
                .is_some_and(|r| r.contains("SSVC coordinator"))
        );
        let queue_table = run(args(&["case", "queue"], &server, &analyst)).await;
        assert!(String::from_utf8_lossy(&queue_table.stdout).contains("decision"));
        let unknown = run(args(
            &[
                "case",
                "show",
                &clearinghouse_domain::CaseId::generate().to_string(),
            ],
            &server,
            &finder,
        ))
        .await;
        assert_eq!(unknown.status.code(), Some(3));
        let nowhere = run(vec!["case".into(), "list".into()]).await;
        assert_eq!(nowhere.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&nowhere.stderr).contains("--server"));
        let _ = stop.send(());
    }
}
