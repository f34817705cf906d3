//! The whole story on every engine: two AI companies report one bug (one case, both credited, the
//! earlier first), a near duplicate is proposed and merged, a finding is split out, the case is
//! triaged, validated by a quorum of two (critical) while the split case needs one, coordinated
//! with its vendor, fixed, published and closed; illegal moves are refused and nothing they
//! touched changed.

use reqwest::Method;
use serde_json::{Value, json};

use super::{World, base64, finding, log_actions};
use crate::support::{assert_problem, spawn_apps};

const PRODUCT_A: &str = "pkg:pypi/flask-login@0.6.2";
const PRODUCT_B: &str = "pkg:pypi/Flask_Login@0.6.1";
const FILE: &str = "src/flask_login/login_manager.py";
const FUNCTION: &str = "_load_user_from_remember_cookie";

fn ids(reply: &Value, field: &str) -> Vec<String> {
    reply
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|i| i[field].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn submit_deduplicate_validate_coordinate_publish_close() {
    for t in spawn_apps().await {
        eprintln!("engine: {}", t.engine);
        let w = World::new(&t).await;

        // Frontier Lab A reports first, with a proof of concept.
        let mut body = finding(
            "Remember-me cookie accepted without signature check",
            PRODUCT_A,
            FILE,
            Some(FUNCTION),
            "CWE-287",
        );
        body["attachments"] = json!([{"kind": "proof_of_concept", "filename": "poc.py",
            "media_type": "text/x-python", "content_base64": base64(b"print('forged cookie')")}]);
        body["credit_public"] = json!(true);
        let first = t.post("/api/v1/findings", &w.finder_a.token, body).await;
        assert_eq!(first.status, 201, "{}", first.text);
        assert_eq!(first.body["disposition"], "new_case");
        assert_eq!(first.body["first_finder"], true);
        let case = first.body["case_id"].as_str().expect("case").to_owned();
        let first_finding = first.body["finding"].as_str().expect("finding").to_owned();

        // Frontier Lab B reports the same bug, spelled differently: an exact duplicate.
        let second = t
            .post(
                "/api/v1/findings",
                &w.finder_b.token,
                finding(
                    "Session loader trusts unsigned remember cookie",
                    PRODUCT_B,
                    &format!("./{FILE}"),
                    Some(&format!("{FUNCTION}()")),
                    "cwe-287",
                ),
            )
            .await;
        assert_eq!(second.status, 201, "{}", second.text);
        assert_eq!(second.body["disposition"], "duplicate", "{}", second.text);
        assert_eq!(second.body["case_id"], case.as_str());
        assert_eq!(second.body["duplicate_of"], first_finding.as_str());
        assert_eq!(second.body["first_finder"], false);

        // One case, both credited, the earlier first.
        let shown = t
            .get(&format!("/api/v1/cases/{case}"), &w.analyst.token)
            .await;
        assert_eq!(shown.status, 200, "{}", shown.text);
        let credits = shown.body["credits"].as_array().expect("credits").clone();
        assert_eq!(credits.len(), 2, "{}", shown.text);
        assert_eq!(credits[0]["org_name"], "Frontier Lab A");
        assert_eq!(credits[0]["first"], true);
        assert_eq!(credits[1]["org_name"], "Frontier Lab B");
        assert_eq!(credits[1]["first"], false);
        assert_eq!(shown.body["full"]["has_poc"], true);
        assert_eq!(shown.body["full"]["priority"]["exploitation"], "poc");
        let findings = t
            .get(&format!("/api/v1/cases/{case}/findings"), &w.analyst.token)
            .await;
        assert_eq!(findings.body.as_array().map(Vec::len), Some(2));

        // Lab B again, same file, no function, reworded: a near duplicate, proposed.
        let mut near = finding(
            "Remember-me cookie accepted without a signature check in the session loader",
            PRODUCT_B,
            FILE,
            None,
            "CWE-287",
        );
        near["cvss"] = json!("CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:N");
        let near = t.post("/api/v1/findings", &w.finder_b.token, near).await;
        assert_eq!(near.status, 201, "{}", near.text);
        assert_eq!(near.body["disposition"], "near_duplicate", "{}", near.text);
        let near_case = near.body["case_id"].as_str().expect("case").to_owned();
        let near_finding = near.body["finding"].as_str().expect("finding").to_owned();
        assert_ne!(near_case, case);
        assert_eq!(near.body["proposals"][0]["target_case"], case.as_str());

        let proposals = t
            .get("/api/v1/merge-proposals?status=open", &w.analyst.token)
            .await;
        assert_eq!(proposals.status, 200, "{}", proposals.text);
        let proposal = proposals.body["items"][0]["id"]
            .as_str()
            .expect("proposal")
            .to_owned();
        let denied = t
            .post(
                &format!("/api/v1/merge-proposals/{proposal}/accept"),
                &w.finder_b.token,
                json!({}),
            )
            .await;
        assert_problem(&denied, 404, "not found");
        let accepted = t
            .post(
                &format!("/api/v1/merge-proposals/{proposal}/accept"),
                &w.analyst.token,
                json!({}),
            )
            .await;
        assert_eq!(accepted.status, 200, "{}", accepted.text);
        assert_eq!(accepted.body["status"], "accepted");
        let merged = t
            .get(&format!("/api/v1/cases/{near_case}"), &w.analyst.token)
            .await;
        assert_eq!(merged.body["state"], "rejected");
        assert_eq!(merged.body["full"]["reject_reason"], "duplicate");
        assert_eq!(merged.body["full"]["merged_into"], case.as_str());
        let findings = t
            .get(&format!("/api/v1/cases/{case}/findings"), &w.analyst.token)
            .await;
        assert_eq!(findings.body.as_array().map(Vec::len), Some(3));

        // On reflection it is a different bug: split it out again.
        let split = t
            .post(
                &format!("/api/v1/findings/{near_finding}/split"),
                &w.analyst.token,
                json!({}),
            )
            .await;
        assert_eq!(split.status, 201, "{}", split.text);
        let split_case = split.body["id"].as_str().expect("case").to_owned();
        assert_eq!(split.body["state"], "submitted");
        let findings = t
            .get(&format!("/api/v1/cases/{case}/findings"), &w.analyst.token)
            .await;
        assert_eq!(
            ids(&findings.body, "id"),
            [
                first_finding.clone(),
                second.body["finding"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned()
            ]
        );
        let credits = t
            .get(&format!("/api/v1/cases/{case}"), &w.analyst.token)
            .await;
        assert_eq!(
            credits.body["credits"][0]["org_name"], "Frontier Lab A",
            "priority survives"
        );

        // Triage. A finder may not; an analyst may not skip ahead; nothing changes on refusal.
        let before = t.log_size().await;
        let refused = t
            .post(
                &format!("/api/v1/cases/{case}/transition"),
                &w.finder_a.token,
                json!({"to": "triaged"}),
            )
            .await;
        assert_problem(&refused, 403, "analysts");
        let skipped = t
            .post(
                &format!("/api/v1/cases/{case}/transition"),
                &w.analyst.token,
                json!({"to": "published"}),
            )
            .await;
        assert_problem(&skipped, 409, "cannot go from submitted to published");
        let no_reason = t
            .post(
                &format!("/api/v1/cases/{case}/transition"),
                &w.analyst.token,
                json!({"to": "rejected"}),
            )
            .await;
        assert_problem(&no_reason, 422, "reason");
        let forced = t
            .post(
                &format!("/api/v1/cases/{case}/transition"),
                &w.analyst.token,
                json!({"to": "triaged"}),
            )
            .await;
        assert_eq!(forced.status, 200, "{}", forced.text);
        assert_eq!(
            t.log_size().await,
            before + 1,
            "refusals leave no trace but the one move"
        );
        let quorum_move = t
            .post(
                &format!("/api/v1/cases/{case}/transition"),
                &w.analyst.token,
                json!({"to": "validating"}),
            )
            .await;
        assert_eq!(
            quorum_move.body["state"], "validating",
            "{}",
            quorum_move.text
        );
        let forced_validation = t
            .post(
                &format!("/api/v1/cases/{case}/transition"),
                &w.analyst.token,
                json!({"to": "validated"}),
            )
            .await;
        assert_problem(&forced_validation, 403, "quorum");

        // Validation: the finders cannot claim their own bug; CVSS 9.1 is critical: two needed.
        let own = t
            .post(
                &format!("/api/v1/cases/{case}/validations"),
                &w.finder_a.token,
                json!({}),
            )
            .await;
        assert_problem(&own, 403, "validators");
        for (n, validator) in [&w.validator_1, &w.validator_2].into_iter().enumerate() {
            let claim = t
                .post(
                    &format!("/api/v1/cases/{case}/validations"),
                    &validator.token,
                    json!({}),
                )
                .await;
            assert_eq!(claim.status, 201, "{}", claim.text);
            let again = t
                .post(
                    &format!("/api/v1/cases/{case}/validations"),
                    &validator.token,
                    json!({}),
                )
                .await;
            assert_problem(&again, 409, "already claimed");
            let validation = claim.body["id"].as_str().expect("validation").to_owned();
            let evidence = t
                .post(
                    &format!("/api/v1/cases/{case}/attachments"),
                    &validator.token,
                    json!({"kind": "evidence", "filename": "repro.log", "media_type": "text/plain",
                           "content_base64": base64(b"reproduced: logged in as admin")}),
                )
                .await;
            assert_eq!(evidence.status, 201, "{}", evidence.text);
            let verdict = t
                .post(
                    &format!("/api/v1/validations/{validation}/verdict"),
                    &validator.token,
                    json!({"verdict": "reproduced", "notes": "forged cookie accepted on 0.6.2"}),
                )
                .await;
            assert_eq!(verdict.status, 200, "{}", verdict.text);
            let expected = if n == 0 { "validating" } else { "validated" };
            assert_eq!(verdict.body["case_state"], expected, "{}", verdict.text);
        }

        // Coordination with the vendor.
        let vendor_added = t
            .post(
                &format!("/api/v1/cases/{case}/members"),
                &w.analyst.token,
                json!({"org_id": w.vendor.org.id, "relation": "vendor", "people": [w.vendor.person]}),
            )
            .await;
        assert_eq!(vendor_added.status, 200, "{}", vendor_added.text);
        let coordinating = t
            .post(
                &format!("/api/v1/cases/{case}/transition"),
                &w.analyst.token,
                json!({"to": "coordinating"}),
            )
            .await;
        assert_eq!(
            coordinating.body["state"], "coordinating",
            "{}",
            coordinating.text
        );
        let early = t
            .post(
                &format!("/api/v1/cases/{case}/transition"),
                &w.vendor.token,
                json!({"to": "fix_available"}),
            )
            .await;
        assert_problem(&early, 409, "fixed status");
        let missing_version = t
            .post(
                &format!("/api/v1/cases/{case}/vendor-statuses"),
                &w.vendor.token,
                json!({"product": "pkg:pypi/flask-login", "status": "fixed"}),
            )
            .await;
        assert_problem(&missing_version, 422, "fixed_version");
        let status = t
            .post(
                &format!("/api/v1/cases/{case}/vendor-statuses"),
                &w.vendor.token,
                json!({"product": "pkg:pypi/flask-login", "status": "fixed", "fixed_version": "0.6.3",
                       "note": "upgrade to 0.6.3"}),
            )
            .await;
        assert_eq!(status.status, 200, "{}", status.text);
        let comment = t
            .post(
                &format!("/api/v1/cases/{case}/comments"),
                &w.vendor.token,
                json!({"body": "Fix is in 0.6.3; please hold until the 14th."}),
            )
            .await;
        assert_eq!(comment.status, 201, "{}", comment.text);
        let thread = t
            .get(&format!("/api/v1/cases/{case}/comments"), &w.finder_a.token)
            .await;
        assert_eq!(
            thread.body["items"][0]["body"],
            "Fix is in 0.6.3; please hold until the 14th."
        );
        let fixed = t
            .post(
                &format!("/api/v1/cases/{case}/transition"),
                &w.vendor.token,
                json!({"to": "fix_available"}),
            )
            .await;
        assert_eq!(fixed.body["state"], "fix_available", "{}", fixed.text);
        let vendor_publish = t
            .post(
                &format!("/api/v1/cases/{case}/transition"),
                &w.vendor.token,
                json!({"to": "published"}),
            )
            .await;
        assert_problem(&vendor_publish, 403, "analysts");
        let published = t
            .post(
                &format!("/api/v1/cases/{case}/transition"),
                &w.analyst.token,
                json!({"to": "published"}),
            )
            .await;
        assert_eq!(published.body["state"], "published", "{}", published.text);
        assert!(published.body["published_at"].is_string());
        let closed = t
            .post(
                &format!("/api/v1/cases/{case}/transition"),
                &w.analyst.token,
                json!({"to": "closed"}),
            )
            .await;
        assert_eq!(closed.body["state"], "closed");
        assert!(
            closed.body["full"]["due_at"].is_null(),
            "a closed case is due nowhere"
        );
        assert_eq!(closed.body["full"]["next_states"], json!([]));

        // The split case is not critical (CVSS 7.4): one reproduction validates it.
        for to in ["triaged", "validating"] {
            let moved = t
                .post(
                    &format!("/api/v1/cases/{split_case}/transition"),
                    &w.analyst.token,
                    json!({"to": to}),
                )
                .await;
            assert_eq!(moved.body["state"], to, "{}", moved.text);
        }
        let claim = t
            .post(
                &format!("/api/v1/cases/{split_case}/validations"),
                &w.validator_3.token,
                json!({}),
            )
            .await;
        let validation = claim.body["id"].as_str().expect("validation").to_owned();
        let verdict = t
            .post(
                &format!("/api/v1/validations/{validation}/verdict"),
                &w.validator_3.token,
                json!({"verdict": "reproduced"}),
            )
            .await;
        assert_eq!(verdict.body["case_state"], "validated", "{}", verdict.text);
        let twice = t
            .post(
                &format!("/api/v1/validations/{validation}/verdict"),
                &w.validator_3.token,
                json!({"verdict": "not_reproduced"}),
            )
            .await;
        assert_problem(&twice, 409, "already has its verdict");

        // Every step is in the tamper-evident log.
        let actions = log_actions(&t).await;
        for action in [
            "case.open",
            "finding.accept",
            "case.merge",
            "case.split",
            "case.transition",
            "validation.claim",
            "validation.verdict",
            "attachment.create",
            "case.member_add",
            "vendor_status.record",
            "comment.create",
        ] {
            assert!(
                actions.iter().any(|a| a == action),
                "{action} missing from the log"
            );
        }
        let transitions = actions.iter().filter(|a| *a == "case.transition").count();
        assert_eq!(
            transitions,
            [
                "triaged",
                "validating",
                "validated",
                "coordinating",
                "fix_available",
                "published",
                "closed"
            ]
            .len()
                + 3,
            "seven moves of the main case, three of the split case"
        );
        assert!(
            t.request(Method::GET, "/healthz", None, None)
                .await
                .status
                .is_success()
        );
    }
}
