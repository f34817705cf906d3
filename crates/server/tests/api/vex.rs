//! VEX end to end, on every engine: an operator's own statements (CycloneDX, CSAF, embedded in an
//! SBOM) re-mark only that operator's matches at once, and a later `affected` statement or a
//! withdrawal restores them; a vendor's CycloneDX or CSAF VEX imported into the knowledge base
//! applies to everyone, a new version of it can take it back; the dashboard says why and who.

use clearinghouse_domain::{OrgKind, Role, Sector};
use serde_json::{Value, json};

use crate::inventory::{import, operator, osv};
use crate::support::{TestApp, assert_problem, spawn_apps};

/// A CycloneDX VEX about `purl` (as its bom-ref, the usual convention).
fn cyclonedx_vex(serial: Option<&str>, version: u32, cve: &str, purl: &str, state: &str) -> Value {
    let mut vex = json!({"bomFormat": "CycloneDX", "specVersion": "1.5", "version": version,
        "metadata": {"timestamp": format!("2026-11-2{version}T00:00:00Z"), "supplier": {"name": "Medlib Project"}},
        "vulnerabilities": [{"id": cve, "analysis": {"state": state, "justification": "code_not_reachable"},
                             "affects": [{"ref": purl}]}]});
    if let Some(serial) = serial {
        vex["serialNumber"] = serial.into();
    }
    vex
}

async fn submit(t: &TestApp, org: &str, token: &str, document: &Value) -> crate::support::Reply {
    t.raw(
        t.http
            .post(format!("{}/api/v1/orgs/{org}/vex", t.base))
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body(document.to_string()),
    )
    .await
}

/// (status, justification, vex_by) of every match of the operator for `component`.
async fn statuses(
    t: &TestApp,
    org: &str,
    token: &str,
    component: &str,
) -> Vec<(String, String, String)> {
    let reply = t.get(&format!("/api/v1/orgs/{org}/matches"), token).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let mut out: Vec<(String, String, String)> = reply
        .body
        .as_array()
        .expect("matches")
        .iter()
        .filter(|m| m["component"] == component)
        .map(|m| {
            (
                m["status"].as_str().unwrap_or_default().to_owned(),
                m["justification"].as_str().unwrap_or_default().to_owned(),
                m["vex_by"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    out.sort();
    out
}

/// An OSV advisory for medlib before 2.0.0, and two operators running medlib 1.2.0: "Rural
/// Hospital" and `second`, each as (organization id, operator-contact token).
async fn medlib_operators(
    t: &TestApp,
    advisory: &str,
    cve: &str,
    second: &str,
) -> ((String, String), (String, String)) {
    import(
        t,
        "osv",
        &[("medlib.json", osv(advisory, cve, "medlib", "2.0.0"))],
    )
    .await;
    let mut out = Vec::new();
    for name in ["Rural Hospital", second] {
        let (org, token, _) = operator(
            t,
            name,
            Sector::HealthcareAndPublicHealth,
            "pkg:pypi/medlib@1.2.0\n",
        )
        .await;
        out.push((org, token));
    }
    let second = out.pop().expect("two");
    (out.pop().expect("two"), second)
}

fn affected() -> (String, String, String) {
    ("affected".into(), String::new(), String::new())
}

#[tokio::test]
async fn an_operators_vex_re_marks_its_own_matches_only_and_can_be_taken_back() {
    for t in spawn_apps().await {
        eprintln!("engine: {}", t.engine);
        let ((hospital, hospital_token), (clinic, clinic_token)) =
            medlib_operators(&t, "PYSEC-2026-1", "CVE-2026-1111", "County Clinic").await;
        assert_eq!(
            statuses(&t, &hospital, &hospital_token, "medlib").await,
            [affected()]
        );

        // Not affected, says the hospital: its match is re-marked at once, the clinic's is not.
        let before = t.log_size().await;
        let reply = submit(
            &t,
            &hospital,
            &hospital_token,
            &cyclonedx_vex(
                Some("urn:uuid:hospital-vex"),
                1,
                "CVE-2026-1111",
                "pkg:pypi/medlib@1.2.0",
                "not_affected",
            ),
        )
        .await;
        assert_eq!(reply.status, 201, "{}", reply.text);
        assert_eq!(reply.body["matches_changed"], 1, "{}", reply.text);
        assert_eq!(reply.body["statements"][0]["status"], "not_affected");
        assert_eq!(reply.body["statements"][0]["package"], "PyPI/medlib");
        assert!(t.log_size().await > before, "the submission is logged");
        let vexed = statuses(&t, &hospital, &hospital_token, "medlib").await;
        assert_eq!(vexed.len(), 1);
        assert_eq!(
            (vexed[0].0.as_str(), vexed[0].1.as_str()),
            ("not_affected", "code_not_reachable")
        );
        assert!(
            vexed[0].2.starts_with("Rural Hospital (own VEX"),
            "{vexed:?}"
        );
        assert_eq!(
            statuses(&t, &clinic, &clinic_token, "medlib").await,
            [affected()]
        );

        // The dashboard: nothing to fix, and the not-affected item says why and who.
        let priorities = t
            .get(
                &format!("/api/v1/orgs/{hospital}/priorities"),
                &hospital_token,
            )
            .await;
        assert_eq!(
            priorities.body["items"].as_array().map(Vec::len),
            Some(0),
            "{}",
            priorities.text
        );
        let item = &priorities.body["not_affected_items"][0];
        assert_eq!(item["display_id"], "CVE-2026-1111");
        assert_eq!(item["justification"], "code_not_reachable");
        assert_eq!(item["components"][0], "medlib 1.2.0");
        assert!(
            item["vex_by"]
                .as_str()
                .unwrap_or_default()
                .contains("own VEX")
        );

        // A later statement saying affected wins over the earlier one.
        let reply = submit(
            &t,
            &hospital,
            &hospital_token,
            &cyclonedx_vex(
                None,
                2,
                "CVE-2026-1111",
                "pkg:pypi/medlib@1.2.0",
                "exploitable",
            ),
        )
        .await;
        assert_eq!(reply.status, 201, "{}", reply.text);
        assert_eq!(
            statuses(&t, &hospital, &hospital_token, "medlib").await,
            [affected()]
        );

        // Withdrawing the later one brings the earlier one back; withdrawing both, the range decides.
        let list = t
            .get(&format!("/api/v1/orgs/{hospital}/vex"), &hospital_token)
            .await;
        let ids: Vec<String> = list
            .body
            .as_array()
            .expect("list")
            .iter()
            .map(|s| s["id"].as_str().unwrap_or_default().to_owned())
            .collect();
        assert_eq!(ids.len(), 2, "{}", list.text);
        let withdraw = |id: &str| format!("/api/v1/orgs/{hospital}/vex/{id}");
        let reply = t
            .request(
                reqwest::Method::DELETE,
                &withdraw(&ids[0]),
                Some(&hospital_token),
                None,
            )
            .await;
        assert_eq!(reply.status, 200, "{}", reply.text);
        assert_eq!(
            statuses(&t, &hospital, &hospital_token, "medlib").await[0].0,
            "not_affected"
        );
        let reply = t
            .request(
                reqwest::Method::DELETE,
                &withdraw(&ids[1]),
                Some(&hospital_token),
                None,
            )
            .await;
        assert_eq!(reply.status, 200, "{}", reply.text);
        assert_eq!(
            statuses(&t, &hospital, &hospital_token, "medlib").await,
            [affected()]
        );
        let again = t
            .request(
                reqwest::Method::DELETE,
                &withdraw(&ids[1]),
                Some(&hospital_token),
                None,
            )
            .await;
        assert_problem(&again, 409, "withdrawal");

        // Another operator can neither set nor withdraw the hospital's VEX, nor see it exists.
        let cross = submit(
            &t,
            &hospital,
            &clinic_token,
            &cyclonedx_vex(
                None,
                1,
                "CVE-2026-1111",
                "pkg:pypi/medlib@1.2.0",
                "not_affected",
            ),
        )
        .await;
        assert_eq!(cross.status, 404, "{}", cross.text);
        let cross = t
            .request(
                reqwest::Method::DELETE,
                &withdraw(&ids[0]),
                Some(&clinic_token),
                None,
            )
            .await;
        assert_eq!(cross.status, 404, "{}", cross.text);
        let own_org_wrong_submission = t
            .request(
                reqwest::Method::DELETE,
                &format!("/api/v1/orgs/{clinic}/vex/{}", ids[0]),
                Some(&clinic_token),
                None,
            )
            .await;
        assert_eq!(
            own_org_wrong_submission.status, 404,
            "{}",
            own_org_wrong_submission.text
        );
    }
}

#[tokio::test]
async fn csaf_vex_and_references_into_uploaded_sboms_are_resolved() {
    for t in spawn_apps().await {
        eprintln!("engine: {}", t.engine);
        import(
            &t,
            "osv",
            &[(
                "parser.json",
                osv("GHSA-pppp-qqqq-rrrr", "CVE-2026-3333", "parserlib", "3.1.0"),
            )],
        )
        .await;
        let org = t
            .org("Grid Operator", OrgKind::Operator, Some(Sector::Energy))
            .await;
        let token = t.token(&org, Role::OperatorContact).await;
        let asset = t
            .post(&format!("/api/v1/orgs/{}/assets", org.id), &token,
                  json!({"name": "historian", "mission_impact": "degraded", "safety_impact": "marginal", "exposure": "small"}))
            .await;
        let asset = asset.body["id"].as_str().expect("asset").to_owned();
        let sbom = json!({"bomFormat": "CycloneDX", "specVersion": "1.5", "serialNumber": "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79", "version": 1,
            "components": [{"type": "library", "bom-ref": "parser-lib", "name": "parserlib", "version": "3.0.0", "purl": "pkg:pypi/parserlib@3.0.0"}]});
        let upload = t
            .raw(
                t.http
                    .post(format!("{}/api/v1/assets/{asset}/uploads", t.base))
                    .bearer_auth(&token)
                    .body(sbom.to_string()),
            )
            .await;
        assert_eq!(upload.status, 201, "{}", upload.text);
        let org_id = org.id.to_string();
        assert_eq!(
            statuses(&t, &org_id, &token, "parserlib").await,
            [affected()]
        );

        // A standalone VEX naming the component by BOM-Link into the uploaded SBOM.
        let vex = json!({"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
            "vulnerabilities": [
                {"id": "CVE-2026-3333", "analysis": {"state": "not_affected", "justification": "requires_configuration"},
                 "affects": [{"ref": "urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#parser-lib"}]},
                {"id": "CVE-2026-3333", "analysis": {"state": "not_affected"}, "affects": [{"ref": "urn:cdx:3e671687/1#nowhere"}]}]});
        let reply = submit(&t, &org_id, &token, &vex).await;
        assert_eq!(reply.status, 201, "{}", reply.text);
        assert_eq!(
            reply.body["skipped"][0]["path"], "$.vulnerabilities[1].affects[0].ref",
            "{}",
            reply.text
        );
        assert_eq!(
            statuses(&t, &org_id, &token, "parserlib").await[0].1,
            "requires_configuration"
        );

        // The same operator's CSAF VEX saying the package is affected overrules it (it is later).
        let csaf = json!({
            "document": {"category": "csaf_vex", "csaf_version": "2.0", "title": "Our parserlib assessment",
                "publisher": {"category": "user", "name": "Grid Operator", "namespace": "https://grid.example"},
                "tracking": {"id": "GRID-VEX-1", "status": "final", "version": "1", "initial_release_date": "2026-11-02T00:00:00Z",
                    "current_release_date": "2026-11-02T00:00:00Z", "revision_history": [{"number": "1", "date": "2026-11-02T00:00:00Z", "summary": "Initial"}]}},
            "product_tree": {"full_product_names": [{"product_id": "P1", "name": "parserlib 3.0.0",
                "product_identification_helper": {"purl": "pkg:pypi/parserlib@3.0.0"}}]},
            "vulnerabilities": [{"cve": "CVE-2026-3333", "product_status": {"known_affected": ["P1"]}}]
        });
        let reply = submit(&t, &org_id, &token, &csaf).await;
        assert_eq!(reply.status, 201, "{}", reply.text);
        assert_eq!(reply.body["submission"]["format"], "csaf");
        assert_eq!(reply.body["submission"]["document_id"], "GRID-VEX-1");
        assert_eq!(
            statuses(&t, &org_id, &token, "parserlib").await,
            [affected()]
        );

        // Bad documents are refused with where and why, and change nothing.
        let before = t.log_size().await;
        let unknown = submit(
            &t,
            &org_id,
            &token,
            &cyclonedx_vex(
                None,
                1,
                "CVE-2026-0404",
                "pkg:pypi/parserlib@3.0.0",
                "not_affected",
            ),
        )
        .await;
        assert_problem(&unknown, 422, "not in the knowledge base");
        assert_eq!(
            unknown.body["errors"][0]["pointer"], "#/vulnerabilities/0/affects/0",
            "{}",
            unknown.text
        );
        let triage = submit(
            &t,
            &org_id,
            &token,
            &cyclonedx_vex(
                None,
                1,
                "CVE-2026-3333",
                "pkg:pypi/parserlib@3.0.0",
                "in_triage",
            ),
        )
        .await;
        assert_problem(&triage, 422, "neither affected nor not affected");
        let garbage = t
            .raw(
                t.http
                    .post(format!("{}/api/v1/orgs/{org_id}/vex", t.base))
                    .bearer_auth(&token)
                    .body("{not json"),
            )
            .await;
        assert_problem(&garbage, 422, "not JSON");
        assert_eq!(
            t.log_size().await,
            before,
            "refused documents change nothing"
        );
    }
}

#[tokio::test]
async fn vex_embedded_in_an_sbom_applies_to_that_asset_until_its_next_upload() {
    for t in spawn_apps().await {
        eprintln!("engine: {}", t.engine);
        import(
            &t,
            "osv",
            &[(
                "medlib.json",
                osv("PYSEC-2026-2", "CVE-2026-2222", "medlib", "2.0.0"),
            )],
        )
        .await;
        let (org, token, embedded_asset) = operator(
            &t,
            "Water Board",
            Sector::WaterAndWastewaterSystems,
            "pkg:pypi/other@1.0\n",
        )
        .await;
        let other_asset = t
            .post(&format!("/api/v1/orgs/{org}/assets"), &token,
                  json!({"name": "pumps", "mission_impact": "degraded", "safety_impact": "marginal", "exposure": "small"}))
            .await;
        let other_asset = other_asset.body["id"].as_str().expect("asset").to_owned();
        let plain = t
            .raw(
                t.http
                    .post(format!("{}/api/v1/assets/{other_asset}/uploads", t.base))
                    .bearer_auth(&token)
                    .body("pkg:pypi/medlib@1.5.0\n"),
            )
            .await;
        assert_eq!(plain.status, 201, "{}", plain.text);
        let sbom = |with_vex: bool| {
            let mut sbom = json!({"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
                "components": [{"type": "library", "bom-ref": "medlib", "name": "medlib", "version": "1.5.0", "purl": "pkg:pypi/medlib@1.5.0"}]});
            if with_vex {
                sbom["vulnerabilities"] = json!([{"id": "CVE-2026-2222",
                    "analysis": {"state": "not_affected", "justification": "code_not_present"}, "affects": [{"ref": "medlib"}]}]);
            }
            sbom.to_string()
        };
        let upload = t
            .raw(
                t.http
                    .post(format!("{}/api/v1/assets/{embedded_asset}/uploads", t.base))
                    .bearer_auth(&token)
                    .body(sbom(true)),
            )
            .await;
        assert_eq!(upload.status, 201, "{}", upload.text);
        assert_eq!(upload.body["vex"]["statements"], 1, "{}", upload.text);
        assert_eq!(upload.body["vex"]["asset"], embedded_asset.as_str());
        let matches = t.get(&format!("/api/v1/orgs/{org}/matches"), &token).await;
        let by_asset = |asset: &str| -> Vec<String> {
            matches
                .body
                .as_array()
                .expect("matches")
                .iter()
                .filter(|m| m["asset"] == asset)
                .map(|m| m["status"].as_str().unwrap_or_default().to_owned())
                .collect()
        };
        assert_eq!(by_asset(&embedded_asset), ["not_affected"]);
        assert_eq!(
            by_asset(&other_asset),
            ["affected"],
            "the embedded VEX is limited to its asset"
        );

        // The next SBOM without the VEX replaces it.
        let upload = t
            .raw(
                t.http
                    .post(format!("{}/api/v1/assets/{embedded_asset}/uploads", t.base))
                    .bearer_auth(&token)
                    .body(sbom(false)),
            )
            .await;
        assert_eq!(upload.status, 201, "{}", upload.text);
        let matches = t.get(&format!("/api/v1/orgs/{org}/matches"), &token).await;
        let statuses: Vec<&str> = matches
            .body
            .as_array()
            .expect("matches")
            .iter()
            .filter(|m| m["asset"] == embedded_asset.as_str())
            .map(|m| m["status"].as_str().unwrap_or_default())
            .collect();
        assert_eq!(statuses, ["affected"]);
        let list = t.get(&format!("/api/v1/orgs/{org}/vex"), &token).await;
        assert!(list.body[0]["withdrawn_at"].is_string(), "{}", list.text);
    }
}

#[tokio::test]
async fn a_vendors_vex_in_the_knowledge_base_applies_to_everyone_at_once() {
    for t in spawn_apps().await {
        eprintln!("engine: {}", t.engine);
        let ((hospital, hospital_token), (bank, bank_token)) =
            medlib_operators(&t, "PYSEC-2026-3", "CVE-2026-4444", "Community Bank").await;

        // The vendor's CycloneDX VEX, imported after the advisory: both operators re-marked at once.
        let vendor = cyclonedx_vex(
            Some("urn:uuid:medlib-vex"),
            1,
            "CVE-2026-4444",
            "pkg:pypi/medlib@1.2.0",
            "not_affected",
        );
        let summary = import(&t, "vex", &[("medlib-vex.json", vendor.to_string())]).await;
        assert_eq!(summary["new"], 1, "{summary}");
        for (org, token) in [(&hospital, &hospital_token), (&bank, &bank_token)] {
            let found = statuses(&t, org, token, "medlib").await;
            assert_eq!(found[0].0, "not_affected", "{org}");
            assert_eq!(found[0].2, "Medlib Project (urn:uuid:medlib-vex)");
        }
        // The bank knows better for its own deployment: its statement wins for it only.
        let reply = submit(
            &t,
            &bank,
            &bank_token,
            &cyclonedx_vex(
                None,
                1,
                "CVE-2026-4444",
                "pkg:pypi/medlib@1.2.0",
                "exploitable",
            ),
        )
        .await;
        assert_eq!(reply.status, 201, "{}", reply.text);
        assert_eq!(
            statuses(&t, &bank, &bank_token, "medlib").await,
            [affected()]
        );
        assert_eq!(
            statuses(&t, &hospital, &hospital_token, "medlib").await[0].0,
            "not_affected"
        );

        // A new version of the vendor's document saying exploitable takes the statement back; the
        // document is now an advisory too, so medlib matches twice (OSV and the vendor's VEX).
        let revised = cyclonedx_vex(
            Some("urn:uuid:medlib-vex"),
            2,
            "CVE-2026-4444",
            "pkg:pypi/medlib@1.2.0",
            "exploitable",
        );
        let summary = import(&t, "vex", &[("medlib-vex.json", revised.to_string())]).await;
        assert_eq!(summary["updated"], 1, "{summary}");
        assert_eq!(
            statuses(&t, &hospital, &hospital_token, "medlib").await,
            [affected(), affected()]
        );

        // A vendor's CSAF VEX arriving after the OSV record re-marks at once too.
        let csaf = json!({
            "document": {"category": "csaf_vex", "csaf_version": "2.0", "title": "medlib not affected",
                "publisher": {"category": "vendor", "name": "Medlib Foundation", "namespace": "https://medlib.example"},
                "tracking": {"id": "MEDLIB-VEX-7", "status": "final", "version": "1", "initial_release_date": "2026-11-03T00:00:00Z",
                    "current_release_date": "2026-11-03T00:00:00Z", "revision_history": [{"number": "1", "date": "2026-11-03T00:00:00Z", "summary": "Initial"}]}},
            "product_tree": {"full_product_names": [{"product_id": "P1", "name": "medlib 1.2.0",
                "product_identification_helper": {"purl": "pkg:pypi/medlib@1.2.0"}}]},
            "vulnerabilities": [{"cve": "CVE-2026-4444", "flags": [{"label": "vulnerable_code_not_in_execute_path", "product_ids": ["P1"]}],
                "product_status": {"known_not_affected": ["P1"]}}]
        });
        import(&t, "csaf", &[("medlib-csaf.json", csaf.to_string())]).await;
        let not_affected = (
            "not_affected".to_owned(),
            "vulnerable_code_not_in_execute_path".to_owned(),
            "Medlib Foundation (MEDLIB-VEX-7)".to_owned(),
        );
        assert_eq!(
            statuses(&t, &hospital, &hospital_token, "medlib").await,
            [not_affected.clone(), not_affected],
            "a vendor's not-affected statement marks every match of the vulnerability"
        );
        assert_eq!(
            statuses(&t, &bank, &bank_token, "medlib").await,
            [affected(), affected()],
            "the bank's own statement still wins"
        );
    }
}
