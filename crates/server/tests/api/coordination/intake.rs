//! Intake on every engine: idempotency keys, SARIF logs (a hand-written one, and the shared
//! data's when there are any), bad input answered with the JSON pointer of the problem and nothing
//! changed, known public vulnerabilities flagged, withdrawals.

use reqwest::Method;
use serde_json::{Value, json};

use super::{World, finding};
use crate::support::{TestApp, assert_problem, spawn_apps};

async fn submit_with_key(
    t: &TestApp,
    token: &str,
    key: &str,
    body: Value,
) -> crate::support::Reply {
    t.raw(
        t.http
            .post(format!("{}/api/v1/findings", t.base))
            .bearer_auth(token)
            .header("Idempotency-Key", key)
            .json(&body),
    )
    .await
}

#[tokio::test]
async fn retries_with_an_idempotency_key_return_the_first_response() {
    for t in spawn_apps().await {
        eprintln!("engine: {}", t.engine);
        let w = World::new(&t).await;
        let body = finding(
            "Path traversal in archive extraction",
            "pkg:npm/tar-lite@1.4.0",
            "lib/extract.js",
            Some("extractEntry"),
            "CWE-22",
        );
        let first = submit_with_key(&t, &w.finder_a.token, "retry-1", body.clone()).await;
        assert_eq!(first.status, 201, "{}", first.text);
        assert_eq!(first.body["replayed"], false);
        let size = t.log_size().await;
        let again = submit_with_key(&t, &w.finder_a.token, "retry-1", body.clone()).await;
        assert_eq!(again.status, 201, "{}", again.text);
        assert_eq!(again.body["replayed"], true);
        for field in ["finding", "case_id", "disposition", "first_finder"] {
            assert_eq!(again.body[field], first.body[field], "{field}");
        }
        assert_eq!(t.log_size().await, size, "a replay changes nothing");
        let mut other = body.clone();
        other["title"] = json!("Something else entirely");
        let reused = submit_with_key(&t, &w.finder_a.token, "retry-1", other).await;
        assert_problem(&reused, 422, "already used with a different request");
        assert_eq!(
            reused.body["errors"][0]["pointer"],
            "#/header/Idempotency-Key"
        );
        // Keys are per organization: the same key from another finder is a new request.
        let theirs = submit_with_key(&t, &w.finder_b.token, "retry-1", body.clone()).await;
        assert_eq!(theirs.status, 201, "{}", theirs.text);
        assert_eq!(theirs.body["replayed"], false);
        assert_eq!(theirs.body["disposition"], "duplicate");
        // Without a key, the same organization reporting the same bug again stores nothing.
        let size = t.log_size().await;
        let repeat = t.post("/api/v1/findings", &w.finder_a.token, body).await;
        assert_eq!(repeat.status, 200, "{}", repeat.text);
        assert_eq!(repeat.body["disposition"], "already_reported");
        assert_eq!(repeat.body["finding"], first.body["finding"]);
        assert_eq!(t.log_size().await, size);
    }
}

/// A small SARIF 2.1.0 log: two results with CWEs (one a duplicate of the other's place), one
/// without any CWE.
fn sarif_log() -> Value {
    json!({
        "version": "2.1.0",
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "runs": [{
            "tool": {"driver": {"name": "frontier-scanner", "version": "4.2",
                "rules": [
                    {"id": "py/sql-injection", "shortDescription": {"text": "SQL injection"},
                     "properties": {"tags": ["security", "external/cwe/cwe-089"]}},
                    {"id": "py/weak-hash", "properties": {"tags": ["security"]}}
                ]}},
            "results": [
                {"ruleId": "py/sql-injection", "ruleIndex": 0, "level": "error",
                 "message": {"text": "User input flows into a SQL query in search_orders without parameters"},
                 "locations": [{"physicalLocation": {"artifactLocation": {"uri": "shop/orders.py"},
                     "region": {"startLine": 42, "startColumn": 9}}}],
                 "partialFingerprints": {"primaryLocationLineHash": "aa11:1"}},
                {"ruleId": "py/weak-hash", "ruleIndex": 1,
                 "message": {"text": "MD5 used for passwords"},
                 "locations": [{"physicalLocation": {"artifactLocation": {"uri": "shop/auth.py"},
                     "region": {"startLine": 7}}}]},
                {"ruleId": "py/sql-injection", "ruleIndex": 0,
                 "message": {"text": "User input flows into a SQL query in refund_order without parameters"},
                 "locations": [{"physicalLocation": {"artifactLocation": {"uri": "shop/refunds.py"},
                     "region": {"startLine": 12}}}]}
            ]
        }]
    })
}

async fn post_sarif(t: &TestApp, token: &str, query: &str, body: &Value) -> crate::support::Reply {
    t.raw(
        t.http
            .post(format!("{}/api/v1/findings/sarif?{query}", t.base))
            .bearer_auth(token)
            .header("content-type", "application/sarif+json")
            .body(body.to_string()),
    )
    .await
}

#[tokio::test]
async fn sarif_results_become_findings_with_a_report_per_result() {
    for t in spawn_apps().await {
        eprintln!("engine: {}", t.engine);
        let w = World::new(&t).await;
        let query = "product=pkg:pypi/shop-app@2.0.1&tlp=GREEN";
        let report = post_sarif(&t, &w.finder_a.token, query, &sarif_log()).await;
        assert_eq!(report.status, 200, "{}", report.text);
        assert_eq!(
            (
                report.body["accepted"].as_u64(),
                report.body["merged"].as_u64(),
                report.body["rejected"].as_u64()
            ),
            (Some(2), Some(0), Some(1)),
            "{}",
            report.text
        );
        let results = report.body["results"].as_array().expect("results");
        assert_eq!(results[0]["status"], "accepted");
        assert_eq!(results[1]["path"], "#/runs/0/results/1");
        assert_eq!(results[1]["status"], "rejected");
        assert!(
            results[1]["problem"]
                .as_str()
                .is_some_and(|p| p.contains("no CWE"))
        );
        let case = results[0]["outcome"]["case_id"].as_str().expect("case");
        let shown = t
            .get(&format!("/api/v1/cases/{case}"), &w.finder_a.token)
            .await;
        assert_eq!(shown.body["cwe"], "CWE-89");
        assert_eq!(shown.body["tlp"], "GREEN");
        let findings = t
            .get(&format!("/api/v1/cases/{case}/findings"), &w.finder_a.token)
            .await;
        assert_eq!(findings.body[0]["location"]["file"], "shop/orders.py");
        assert_eq!(findings.body[0]["location"]["line"], 42);
        assert_eq!(findings.body[0]["provenance"]["tool"], "frontier-scanner");
        assert_eq!(findings.body[0]["versions"]["list"], json!(["2.0.1"]));

        // The same log from another AI company merges into the same cases.
        let theirs = post_sarif(&t, &w.finder_b.token, query, &sarif_log()).await;
        assert_eq!(theirs.body["merged"], 2, "{}", theirs.text);
        assert_eq!(theirs.body["results"][0]["outcome"]["case_id"], case);

        // Uploading it again with a key replays; bad logs and products are refused whole.
        let size = t.log_size().await;
        let bad = post_sarif(&t, &w.finder_a.token, "product=not-a-purl", &sarif_log()).await;
        assert_problem(&bad, 422, "#/query/product");
        let not_sarif = post_sarif(&t, &w.finder_a.token, query, &json!({"runs": "nope"})).await;
        assert_eq!(not_sarif.status, 422, "{}", not_sarif.text);
        let no_product = post_sarif(&t, &w.finder_a.token, "tlp=GREEN", &sarif_log()).await;
        assert_problem(&no_product, 400, "product");
        let operator = post_sarif(&t, &w.operator.token, query, &sarif_log()).await;
        assert_problem(&operator, 403, "finders");
        assert_eq!(t.log_size().await, size, "refused uploads change nothing");

        // The shared data's SARIF logs, if any, go through intake without failing.
        let Some(shared) = clearinghouse_testkit::shared_data("sarif intake") else {
            continue;
        };
        let mut logs = Vec::new();
        let mut stack = vec![shared];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                let path = entry.path();
                let name = path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .unwrap_or_default()
                    .to_lowercase();
                if path.is_dir() {
                    stack.push(path);
                } else if name.ends_with(".sarif")
                    || name.contains("sarif") && name.ends_with(".json")
                {
                    logs.push(path);
                }
            }
        }
        if logs.is_empty() {
            eprintln!(
                "note: no SARIF files in the shared data; only the hand-written log was used"
            );
        }
        for path in logs.iter().take(5) {
            let body: Value =
                serde_json::from_slice(&std::fs::read(path).expect("read")).expect("json");
            let reply = post_sarif(
                &t,
                &w.finder_a.token,
                "product=pkg:generic/shared-sample@1.0",
                &body,
            )
            .await;
            assert_eq!(reply.status, 200, "{}: {}", path.display(), reply.text);
        }
    }
}

#[tokio::test]
async fn bad_findings_name_the_field_and_change_nothing() {
    for t in spawn_apps().await {
        eprintln!("engine: {}", t.engine);
        let w = World::new(&t).await;
        let good = finding(
            "Heap overflow in parser",
            "pkg:cargo/fastparse@0.3.1",
            "src/lib.rs",
            Some("parse"),
            "CWE-122",
        );
        let size = t.log_size().await;
        let cases = [
            ("product", json!("fastparse"), "#/product", "package URL"),
            ("cwe", json!("XSS"), "#/cwe", "CWE"),
            (
                "cvss",
                json!("CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
                "#/cvss",
                "AV",
            ),
            ("cvss", json!("CVSS:2.0/AV:N"), "#/cvss", "CVSS"),
            ("title", json!("   "), "#/title", "empty"),
            (
                "versions",
                json!({"vers": "vers:cargo/>=oops|<<1"}),
                "#/versions/vers",
                "vers",
            ),
            (
                "versions",
                json!({"list": ["0.3.1", ""]}),
                "#/versions/list/1",
                "empty",
            ),
            ("location", json!({}), "#/location", "where"),
            (
                "known_ids",
                json!(["CVE-2026-12345", "CVE-26"]),
                "#/known_ids/1",
                "CVE",
            ),
            (
                "attachments",
                json!([{"kind": "log", "filename": "a", "media_type": "text/plain", "content_base64": "!!"}]),
                "#/attachments/0/content_base64",
                "base64",
            ),
        ];
        for (field, value, pointer, needle) in cases {
            let mut body = good.clone();
            body[field] = value;
            let reply = t.post("/api/v1/findings", &w.finder_a.token, body).await;
            assert_eq!(reply.status, 422, "{field}: {}", reply.text);
            assert_problem(&reply, 422, needle);
            assert_eq!(
                reply.body["errors"][0]["pointer"], pointer,
                "{}",
                reply.text
            );
        }
        let mut unknown = good.clone();
        unknown["severity"] = json!("high");
        let reply = t.post("/api/v1/findings", &w.finder_a.token, unknown).await;
        assert_problem(&reply, 400, "unknown field");
        let mut wrong_type = good.clone();
        wrong_type["location"]["line"] = json!("forty-two");
        let reply = t
            .post("/api/v1/findings", &w.finder_a.token, wrong_type)
            .await;
        assert_problem(&reply, 400, "#/location/line");
        let reply = t
            .post("/api/v1/findings", &w.operator.token, good.clone())
            .await;
        assert_problem(&reply, 403, "finders");
        assert_eq!(t.log_size().await, size, "nothing changed");
        let listed = t.get("/api/v1/cases", &w.analyst.token).await;
        assert_eq!(listed.body["items"], json!([]));

        // Transitions and disclosure: bad values are located too.
        let created = t.post("/api/v1/findings", &w.finder_a.token, good).await;
        let case = created.body["case_id"].as_str().expect("case").to_owned();
        let reply = t
            .post(
                &format!("/api/v1/cases/{case}/transition"),
                &w.analyst.token,
                json!({"to": "done"}),
            )
            .await;
        assert_problem(&reply, 400, "#/to");
        let reply = t
            .request(
                Method::PUT,
                &format!("/api/v1/cases/{case}/disclosure"),
                Some(&w.analyst.token),
                Some(json!({"tlp": "WHITE"})),
            )
            .await;
        assert_problem(&reply, 400, "#/tlp");
        let reply = t
            .post(
                &format!("/api/v1/cases/{case}/members"),
                &w.analyst.token,
                json!({"org_id": w.operator.org.id, "relation": "operator", "people": [w.vendor.person]}),
            )
            .await;
        assert_problem(&reply, 422, "people/0");
        let reply = t
            .get(
                &format!("/api/v1/cases/{}", clearinghouse_domain::CaseId::generate()),
                &w.analyst.token,
            )
            .await;
        assert_problem(&reply, 404, "not found");
        let reply = t.get("/api/v1/cases/not-an-id", &w.analyst.token).await;
        assert_problem(&reply, 404, "not a valid id");
        let reply = t
            .get("/api/v1/cases/queue?cursor=garbage", &w.analyst.token)
            .await;
        assert_problem(&reply, 422, "cursor");
    }
}

#[tokio::test]
async fn known_public_vulnerabilities_are_flagged_and_withdrawals_close_cases() {
    for t in spawn_apps().await {
        eprintln!("engine: {}", t.engine);
        let w = World::new(&t).await;
        let osv = json!({"id": "GHSA-9wx4-h78v-vm56", "modified": "2026-01-01T00:00:00Z",
            "aliases": ["CVE-2026-41000"], "database_specific": {"cwe_ids": ["CWE-79"]},
            "affected": [{"package": {"ecosystem": "npm", "name": "markdown-view"},
                          "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "5.1.0"}]}]}]});
        let imported = t
            .post(
                "/api/v1/imports/osv",
                &w.analyst.token,
                json!({"documents": [{"location": "known.json", "content": osv.to_string()}]}),
            )
            .await;
        assert_eq!(imported.status, 200, "{}", imported.text);
        let flagged = t
            .post(
                "/api/v1/findings",
                &w.finder_a.token,
                finding(
                    "Stored XSS in link titles",
                    "pkg:npm/markdown-view@5.0.2",
                    "src/render.js",
                    Some("renderLink"),
                    "CWE-79",
                ),
            )
            .await;
        assert_eq!(flagged.status, 201, "{}", flagged.text);
        assert_eq!(
            flagged.body["known_vulnerabilities"],
            json!(["CVE-2026-41000"]),
            "{}",
            flagged.text
        );
        let other_weakness = t
            .post(
                "/api/v1/findings",
                &w.finder_a.token,
                finding(
                    "Denial of service on deep nesting",
                    "pkg:npm/markdown-view@5.0.2",
                    "src/parse.js",
                    Some("nest"),
                    "CWE-400",
                ),
            )
            .await;
        assert_eq!(
            other_weakness.body["known_vulnerabilities"],
            json!([]),
            "another weakness is another bug"
        );
        let mut by_id = finding(
            "Link XSS",
            "pkg:npm/markdown-view@5.2.0",
            "src/links.js",
            Some("href"),
            "CWE-116",
        );
        by_id["known_ids"] = json!(["GHSA-9wx4-h78v-vm56"]);
        let by_id = t.post("/api/v1/findings", &w.finder_b.token, by_id).await;
        assert_eq!(
            by_id.body["known_vulnerabilities"],
            json!(["CVE-2026-41000"]),
            "{}",
            by_id.text
        );

        // Withdrawing the only finding of a case closes it; another finder cannot withdraw it.
        let case = other_weakness.body["case_id"]
            .as_str()
            .expect("case")
            .to_owned();
        let id = other_weakness.body["finding"]
            .as_str()
            .expect("finding")
            .to_owned();
        let theirs = t
            .post(
                &format!("/api/v1/findings/{id}/withdraw"),
                &w.finder_b.token,
                json!({}),
            )
            .await;
        assert_problem(&theirs, 404, "not found");
        let withdrawn = t
            .post(
                &format!("/api/v1/findings/{id}/withdraw"),
                &w.finder_a.token,
                json!({}),
            )
            .await;
        assert_eq!(withdrawn.status, 200, "{}", withdrawn.text);
        assert_eq!(withdrawn.body["status"], "withdrawn");
        let closed = t
            .get(&format!("/api/v1/cases/{case}"), &w.analyst.token)
            .await;
        assert_eq!(closed.body["state"], "closed");
        let again = t
            .post(
                &format!("/api/v1/findings/{id}/withdraw"),
                &w.finder_a.token,
                json!({}),
            )
            .await;
        assert_problem(&again, 409, "already withdrawn");
    }
}

#[tokio::test]
async fn a_findings_campaign_must_be_one_its_organization_declared() {
    for t in spawn_apps().await {
        eprintln!("engine: {}", t.engine);
        let w = World::new(&t).await;
        let hours =
            |h: i64| (jiff::Timestamp::now() + jiff::SignedDuration::from_hours(h)).to_string();
        let mut campaigns = Vec::new();
        for (finder, name) in [(&w.finder_a, "lab a sweep"), (&w.finder_b, "lab b sweep")] {
            let declared = t
                .post(
                    "/api/v1/campaigns",
                    &finder.token,
                    json!({"name": name, "targets": [{"purl": "pkg:npm/campaign-target"}], "technique": "network_scan",
                           "tool": {"name": "frontier-model", "version": "1"}, "start": hours(0), "end": hours(24),
                           "rate_limit": 10}),
                )
                .await;
            assert_eq!(declared.status, 201, "{}", declared.text);
            campaigns.push(
                declared.body["campaign"]["id"]
                    .as_str()
                    .expect("id")
                    .to_owned(),
            );
        }
        let with_campaign = |title: &str, campaign: &str| {
            let mut body = finding(
                title,
                "pkg:npm/campaign-target@1.0.0",
                "index.js",
                Some(title),
                "CWE-94",
            );
            body["provenance"]["campaign_id"] = json!(campaign);
            body
        };
        let own = t
            .post(
                "/api/v1/findings",
                &w.finder_a.token,
                with_campaign("ownCampaign", &campaigns[0]),
            )
            .await;
        assert_eq!(own.status, 201, "{}", own.text);
        let shown = t
            .get(
                &format!(
                    "/api/v1/findings/{}",
                    own.body["finding"].as_str().unwrap_or_default()
                ),
                &w.finder_a.token,
            )
            .await;
        assert_eq!(
            shown.body["provenance"]["campaign_id"],
            campaigns[0].as_str()
        );
        let size = t.log_size().await;
        for campaign in [
            campaigns[1].clone(),
            clearinghouse_domain::CampaignId::generate().to_string(),
        ] {
            let refused = t
                .post(
                    "/api/v1/findings",
                    &w.finder_a.token,
                    with_campaign("otherCampaign", &campaign),
                )
                .await;
            assert_problem(&refused, 422, "no campaign");
            assert_eq!(
                refused.body["errors"][0]["pointer"],
                "#/provenance/campaign_id"
            );
        }
        let sarif = json!({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "s"}}, "results": []}]});
        let refused = t
            .raw(
                t.http
                    .post(format!(
                        "{}/api/v1/findings/sarif?product=pkg:npm/campaign-target@1.0.0&campaign_id={}",
                        t.base, campaigns[1]
                    ))
                    .bearer_auth(&w.finder_a.token)
                    .body(sarif.to_string()),
            )
            .await;
        assert_problem(&refused, 422, "#/query/campaign_id");
        assert_eq!(t.log_size().await, size, "refusals change nothing");

        // A scanning agent's campaign token sees no case, even its own organization's.
        let agent = t
            .post(
                &format!("/api/v1/campaigns/{}/tokens", campaigns[0]),
                &w.finder_a.token,
                json!({"name": "agent", "expires_at": hours(12)}),
            )
            .await;
        assert_eq!(agent.status, 201, "{}", agent.text);
        let agent = agent.body["secret"].as_str().expect("secret").to_owned();
        let case = own.body["case_id"].as_str().unwrap_or_default();
        assert_eq!(t.get("/api/v1/cases", &agent).await.status, 403);
        assert_eq!(
            t.get(&format!("/api/v1/cases/{case}"), &agent).await.status,
            404
        );
        let submitted = t
            .post(
                "/api/v1/findings",
                &agent,
                with_campaign("agentFinding", &campaigns[0]),
            )
            .await;
        assert_eq!(submitted.status, 403, "{}", submitted.text);
    }
}
