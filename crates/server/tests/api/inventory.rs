//! The knowledge base and inventories end to end, over HTTP, on every engine: a new advisory
//! reaches exactly the affected operators (and their webhook and mail receivers) and no one else;
//! one vulnerability per alias group across KEV, CSAF and OSV; imports are idempotent. All of
//! ../shared/data is in `shared_data`.

use std::time::Duration;

use clearinghouse_domain::{OrgKind, Role, Sector};
use clearinghouse_testkit::receivers::{SmtpReceiver, WebhookReceiver};
use serde_json::{Value, json};

use crate::support::{TestApp, spawn_apps, spawn_apps_with};

pub(crate) fn osv(id: &str, cve: &str, package: &str, fixed: &str) -> String {
    osv_modified(id, cve, package, fixed, "2026-11-01T00:00:00Z")
}

fn osv_modified(id: &str, cve: &str, package: &str, fixed: &str, modified: &str) -> String {
    json!({"id": id, "modified": modified, "aliases": [cve], "summary": format!("{package} is broken"),
           "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
           "affected": [{"package": {"ecosystem": "PyPI", "name": package},
                         "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": fixed}]}]}]})
    .to_string()
}

pub(crate) async fn import(t: &TestApp, kind: &str, documents: &[(&str, String)]) -> Value {
    let documents: Vec<Value> = documents
        .iter()
        .map(|(location, content)| json!({"location": location, "content": content}))
        .collect();
    let reply = t
        .post(
            &format!("/api/v1/imports/{kind}"),
            &t.admin_token,
            json!({"documents": documents}),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.body
}

/// An operator with one asset running `inventory`, its operator-contact token and the asset id.
pub(crate) async fn operator(
    t: &TestApp,
    name: &str,
    sector: Sector,
    inventory: &str,
) -> (String, String, String) {
    let org = t.org(name, OrgKind::Operator, Some(sector)).await;
    let token = t.token(&org, Role::OperatorContact).await;
    let asset = t
        .post(
            &format!("/api/v1/orgs/{}/assets", org.id),
            &token,
            json!({"name": "patient records", "mission_impact": "mission_failure", "safety_impact": "critical", "exposure": "open"}),
        )
        .await;
    assert_eq!(asset.status, 201, "{}", asset.text);
    let asset_id = asset.body["id"].as_str().expect("id").to_owned();
    let upload = t
        .raw(
            t.http
                .post(format!("{}/api/v1/assets/{asset_id}/uploads", t.base))
                .bearer_auth(&token)
                .header("content-type", "text/plain")
                .body(inventory.to_owned()),
        )
        .await;
    assert_eq!(upload.status, 201, "{}", upload.text);
    (org.id.to_string(), token, asset_id)
}

#[tokio::test]
async fn a_new_advisory_reaches_exactly_the_affected_operators() {
    // The receivers listen on loopback, which only a server started with
    // --allow-private-webhooks delivers to.
    let config = clearinghouse_server::ServerConfig {
        allow_private_webhooks: true,
        ..Default::default()
    };
    for t in spawn_apps_with(config).await {
        eprintln!("engine: {}", t.engine);
        let hooks = WebhookReceiver::start().await;
        let smtp = SmtpReceiver::start().await;
        let (hospital, hospital_token, _) = operator(
            &t,
            "Rural Hospital",
            Sector::HealthcareAndPublicHealth,
            "pkg:pypi/medlib@1.2.0\npkg:npm/left-pad@1.0.0\n",
        )
        .await;
        let (bank, bank_token, _) = operator(
            &t,
            "Community Bank",
            Sector::FinancialServices,
            "pkg:pypi/medlib@2.5.0\n",
        )
        .await;
        let (utility, utility_token, _) = operator(
            &t,
            "Local Utility",
            Sector::WaterAndWastewaterSystems,
            "pkg:pypi/other@1.0\n",
        )
        .await;
        let mut secrets = Vec::new();
        for (org, token, name) in [
            (&hospital, &hospital_token, "hospital"),
            (&bank, &bank_token, "bank"),
            (&utility, &utility_token, "utility"),
        ] {
            let reply = t
                .post(
                    &format!("/api/v1/orgs/{org}/subscriptions"),
                    token,
                    json!({"channel": "webhook", "target": format!("{}/{name}", hooks.url())}),
                )
                .await;
            assert_eq!(reply.status, 201, "{}", reply.text);
            secrets.push(
                reply.body["secret"]
                    .as_str()
                    .expect("secret shown once")
                    .to_owned(),
            );
            let reply = t
                .post(&format!("/api/v1/orgs/{org}/subscriptions"), token,
                      json!({"channel": "email", "target": format!("it@{name}.example.org"), "decisions": ["immediate", "out_of_cycle"]}))
                .await;
            assert_eq!(reply.status, 201, "{}", reply.text);
            assert!(
                reply.body.get("secret").is_none(),
                "e-mail subscriptions have no secret"
            );
        }

        // medlib < 2.0 is affected: the hospital runs 1.2.0, the bank 2.5.0, the utility not at all.
        let summary = import(
            &t,
            "osv",
            &[(
                "medlib.json",
                osv("PYSEC-2026-1", "CVE-2026-1111", "medlib", "2.0.0"),
            )],
        )
        .await;
        assert_eq!(summary["new"], 1);
        assert_eq!(summary["matches_added"], 1, "{summary}");

        let priorities = t
            .get(
                &format!("/api/v1/orgs/{hospital}/priorities"),
                &hospital_token,
            )
            .await;
        let items = priorities.body["items"].as_array().expect("items");
        assert_eq!(items.len(), 1, "{}", priorities.text);
        assert_eq!(items[0]["display_id"], "CVE-2026-1111");
        assert_eq!(items[0]["decision"], "out_of_cycle", "{}", items[0]);
        assert!(
            items[0]["reason"]["summary"]
                .as_str()
                .expect("reason")
                .contains("exposure open")
        );
        for (org, token) in [(&bank, &bank_token), (&utility, &utility_token)] {
            let reply = t
                .get(&format!("/api/v1/orgs/{org}/priorities"), token)
                .await;
            assert_eq!(
                reply.body["items"].as_array().map(Vec::len),
                Some(0),
                "{}",
                reply.text
            );
        }

        let notifier = t
            .app
            .notifier(
                Some(
                    clearinghouse_notify::Mailer::new(
                        &clearinghouse_notify::SmtpConfig::from_url(&smtp.url()).expect("smtp url"),
                    )
                    .expect("mailer"),
                ),
                clearinghouse_notify::Backoff::default(),
                Some(t.base.clone()),
            )
            .expect("notifier");
        let round = t.app.notify_round(&notifier).await.expect("round");
        assert_eq!(
            (round.dispatched, round.delivered, round.dead),
            (1, 2, 0),
            "{round:?}"
        );
        let requests = hooks
            .wait_for(1, Duration::from_secs(10))
            .await
            .expect("webhook");
        let mails = smtp
            .wait_for(1, Duration::from_secs(10))
            .await
            .expect("mail");
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(
            hooks.requests().len(),
            1,
            "only the hospital's webhook is called"
        );
        assert!(
            requests[0].path.ends_with("/hospital"),
            "{}",
            requests[0].path
        );
        let body = &requests[0].body;
        let headers = clearinghouse_notify::SignedHeaders {
            id: requests[0].header("webhook-id").expect("id"),
            timestamp: requests[0].header("webhook-timestamp").expect("timestamp"),
            signature: requests[0].header("webhook-signature").expect("signature"),
        };
        let now = jiff::Timestamp::now().as_second();
        clearinghouse_notify::verify(
            &secrets[0],
            &headers,
            body,
            now,
            clearinghouse_notify::DEFAULT_TOLERANCE,
        )
        .expect("signed with the hospital's secret");
        assert!(
            clearinghouse_notify::verify(
                &secrets[1],
                &headers,
                body,
                now,
                clearinghouse_notify::DEFAULT_TOLERANCE
            )
            .is_err()
        );
        let event: Value = serde_json::from_slice(body).expect("json");
        assert_eq!(event["type"], "match.new");
        assert_eq!(event["data"]["vulnerability_id"], "CVE-2026-1111");
        assert_eq!(smtp.messages().len(), 1, "only the hospital is mailed");
        assert_eq!(mails[0].to, ["it@hospital.example.org"]);
        assert!(
            mails[0]
                .subject
                .as_deref()
                .unwrap_or("")
                .contains("CVE-2026-1111"),
            "{:?}",
            mails[0].subject
        );

        // Nothing new: a second round and a second import send nothing more.
        let again = import(
            &t,
            "osv",
            &[(
                "medlib.json",
                osv("PYSEC-2026-1", "CVE-2026-1111", "medlib", "2.0.0"),
            )],
        )
        .await;
        assert_eq!(
            (again["new"].as_u64(), again["unchanged"].as_u64()),
            (Some(0), Some(1))
        );
        let round = t.app.notify_round(&notifier).await.expect("round");
        assert_eq!((round.dispatched, round.delivered), (0, 0));

        // The advisory is corrected (fixed in 1.0.0): the hospital's match goes away.
        let corrected = import(
            &t,
            "osv",
            &[(
                "medlib.json",
                osv_modified(
                    "PYSEC-2026-1",
                    "CVE-2026-1111",
                    "medlib",
                    "1.0.0",
                    "2026-11-02T00:00:00Z",
                ),
            )],
        )
        .await;
        assert_eq!(corrected["updated"], 1);
        let matches = t
            .get(&format!("/api/v1/orgs/{hospital}/matches"), &hospital_token)
            .await;
        assert_eq!(
            matches.body.as_array().map(Vec::len),
            Some(0),
            "{}",
            matches.text
        );

        // Analysts see counts by sector, never names.
        let analyst_org = t.org("Treasury", OrgKind::Government, None).await;
        let analyst = t.token(&analyst_org, Role::Analyst).await;
        let exposure = t.get("/api/v1/exposure", &analyst).await;
        assert_eq!(exposure.status, 200);
        assert!(!exposure.text.contains("Rural Hospital") && !exposure.text.contains(&hospital));
        let denied = t
            .get(&format!("/api/v1/orgs/{hospital}/matches"), &analyst)
            .await;
        assert_eq!(denied.status, 403, "{}", denied.text);
        let cross = t
            .get(&format!("/api/v1/orgs/{hospital}/priorities"), &bank_token)
            .await;
        assert_eq!(cross.status, 404, "{}", cross.text);
    }
}

#[tokio::test]
async fn kev_csaf_and_osv_records_of_one_cve_are_one_vulnerability_with_three_sources() {
    for t in spawn_apps().await {
        eprintln!("engine: {}", t.engine);
        import(
            &t,
            "osv",
            &[(
                "ghsa.json",
                osv("GHSA-aaaa-bbbb-cccc", "CVE-2026-2222", "parserlib", "3.1.0"),
            )],
        )
        .await;
        let kev = json!({"title": "KEV", "catalogVersion": "2026.11.22", "dateReleased": "2026-11-22T00:00:00Z", "count": 1,
            "vulnerabilities": [{"cveID": "CVE-2026-2222", "vendorProject": "Parser", "product": "parserlib", "vulnerabilityName": "Parserlib RCE",
                "dateAdded": "2026-11-20", "shortDescription": "", "requiredAction": "Apply updates.", "dueDate": "2026-12-11",
                "knownRansomwareCampaignUse": "Unknown", "notes": ""}]});
        import(&t, "kev", &[("kev.json", kev.to_string())]).await;
        let csaf = json!({
            "document": {"category": "csaf_vex", "csaf_version": "2.0", "title": "Parserlib advisory",
                "publisher": {"category": "vendor", "name": "Parser", "namespace": "https://parser.example"},
                "tracking": {"id": "PARSER-SA-2026-01", "status": "final", "version": "1", "initial_release_date": "2026-11-01T00:00:00Z",
                    "current_release_date": "2026-11-01T00:00:00Z", "revision_history": [{"number": "1", "date": "2026-11-01T00:00:00Z", "summary": "Initial"}]}},
            "product_tree": {"full_product_names": [{"product_id": "P1", "name": "parserlib 3.0.0",
                "product_identification_helper": {"purl": "pkg:pypi/parserlib@3.0.0"}}]},
            "vulnerabilities": [{"cve": "CVE-2026-2222", "title": "Remote code execution", "product_status": {"known_affected": ["P1"]}}]
        });
        import(&t, "csaf", &[("parser.json", csaf.to_string())]).await;
        let reply = t
            .get(
                "/api/v1/vulnerabilities/GHSA-aaaa-bbbb-cccc",
                &t.admin_token,
            )
            .await;
        assert_eq!(reply.status, 200, "{}", reply.text);
        assert_eq!(reply.body["display_id"], "CVE-2026-2222");
        let mut sources: Vec<&str> = reply.body["sources"]
            .as_array()
            .expect("sources")
            .iter()
            .map(|s| s["source"].as_str().unwrap_or(""))
            .collect();
        sources.sort();
        assert_eq!(sources, ["csaf", "kev", "osv"]);
        assert_eq!(reply.body["facts"]["kev"]["due_date"], "2026-12-11");
        let by_cve = t
            .get("/api/v1/vulnerabilities/cve-2026-2222", &t.admin_token)
            .await;
        assert_eq!(
            by_cve.body["id"], reply.body["id"],
            "aliases are normalized"
        );
        let list = t
            .get("/api/v1/vulnerabilities?q=CVE-2026-2222", &t.admin_token)
            .await;
        assert_eq!(
            list.body["items"].as_array().map(Vec::len),
            Some(1),
            "one vulnerability, not three"
        );
    }
}

#[tokio::test]
async fn bad_imports_and_uploads_are_refused_with_the_reason_and_change_nothing() {
    for t in spawn_apps().await {
        let summary = import(
            &t,
            "osv",
            &[
                (
                    "good.json",
                    osv("PYSEC-2026-9", "CVE-2026-9999", "goodlib", "1.0"),
                ),
                ("bad.json", "{not json".into()),
            ],
        )
        .await;
        assert_eq!(summary["new"], 1);
        assert_eq!(summary["rejected"][0]["location"], "bad.json");
        assert!(
            summary["rejected"][0]["reason"]
                .as_str()
                .expect("reason")
                .len()
                > 5
        );
        let unknown = t
            .post(
                "/api/v1/imports/nvd",
                &t.admin_token,
                json!({"documents": []}),
            )
            .await;
        assert_eq!(unknown.status, 404);
        let neither = t
            .post("/api/v1/imports/osv", &t.admin_token, json!({}))
            .await;
        assert_eq!(neither.status, 422, "{}", neither.text);
        let (_, token, asset) = operator(
            &t,
            "Water Board",
            Sector::WaterAndWastewaterSystems,
            "pkg:pypi/goodlib@0.5\n",
        )
        .await;
        let before = t.log_size().await;
        let bad = t
            .raw(
                t.http
                    .post(format!("{}/api/v1/assets/{asset}/uploads", t.base))
                    .bearer_auth(&token)
                    .body("pkg:pypi/x@1\nnot a purl\n"),
            )
            .await;
        assert_eq!(bad.status, 422, "{}", bad.text);
        assert!(bad.text.contains("line 2"), "{}", bad.text);
        assert_eq!(
            t.log_size().await,
            before,
            "a refused upload changes nothing"
        );
        let uploads = t
            .get(&format!("/api/v1/assets/{asset}/uploads"), &token)
            .await;
        assert_eq!(uploads.body.as_array().map(Vec::len), Some(1));
    }
}
