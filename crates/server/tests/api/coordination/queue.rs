//! The analysts' queue on every engine: SSVC coordinator decision first, then CVSS, then exposure
//! (operators running the component, counted by sector, never named), then age; cursor pages that
//! continue the ranking; closed and rejected cases leave it.

use serde_json::{Value, json};

use super::{World, base64};
use crate::support::{TestApp, spawn_apps};

fn queue_finding(title: &str, product: &str, cvss: &str, poc: bool) -> Value {
    let mut body = json!({
        "title": title,
        "description": format!("{title}: a distinct weakness, described in words of its own ({product})"),
        "product": product,
        "cwe": "CWE-20",
        "cvss": cvss,
        "location": {"file": format!("src/{}.c", title.replace(' ', "_")), "function": "handle"},
        "provenance": {"tool": "queue-test"},
    });
    if poc {
        body["attachments"] = json!([{"kind": "proof_of_concept", "filename": "poc.txt",
            "media_type": "text/plain", "content_base64": base64(b"poc")}]);
    }
    body
}

async fn submit(t: &TestApp, token: &str, body: Value) -> String {
    let reply = t.post("/api/v1/findings", token, body).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    reply.body["case_id"].as_str().expect("case").to_owned()
}

#[tokio::test]
async fn the_queue_ranks_by_decision_cvss_exposure_and_age() {
    for t in spawn_apps().await {
        eprintln!("engine: {}", t.engine);
        let w = World::new(&t).await;
        // The water utility runs two of the products: exposure in a lifeline sector.
        let asset = t
            .post(
                &format!("/api/v1/orgs/{}/assets", w.operator.org.id),
                &w.operator.token,
                json!({"name": "plant", "mission_impact": "mef_failure", "safety_impact": "critical", "exposure": "open"}),
            )
            .await;
        assert_eq!(asset.status, 201, "{}", asset.text);
        let sbom = json!({"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [
            {"type": "library", "name": "queue-exposed", "version": "1.0", "purl": "pkg:pypi/queue-exposed@1.0"},
            {"type": "library", "name": "queue-critical", "version": "2.0", "purl": "pkg:pypi/queue-critical@2.0"}]});
        let upload = t
            .post(
                &format!(
                    "/api/v1/assets/{}/uploads",
                    asset.body["id"].as_str().expect("asset")
                ),
                &w.operator.token,
                sbom,
            )
            .await;
        assert_eq!(upload.status, 201, "{}", upload.text);

        let local = "CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:L/I:L/A:N";
        let local_higher = "CVSS:3.1/AV:L/AC:L/PR:L/UI:R/S:U/C:L/I:L/A:L";
        let critical = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H";
        let token = &w.finder_a.token;
        let oldest = submit(
            &t,
            token,
            queue_finding("alpha quiet", "pkg:pypi/queue-quiet@1.0", local, false),
        )
        .await;
        let exposed = submit(
            &t,
            token,
            queue_finding("bravo exposed", "pkg:pypi/queue-exposed@1.0", local, false),
        )
        .await;
        let higher = submit(
            &t,
            token,
            queue_finding(
                "charlie higher",
                "pkg:pypi/queue-higher@1.0",
                local_higher,
                false,
            ),
        )
        .await;
        let urgent = submit(
            &t,
            token,
            queue_finding(
                "delta urgent",
                "pkg:pypi/queue-critical@2.0",
                critical,
                true,
            ),
        )
        .await;
        let younger = submit(
            &t,
            token,
            queue_finding("echo younger", "pkg:pypi/queue-quiet2@1.0", local, false),
        )
        .await;
        let rejected = submit(
            &t,
            token,
            queue_finding(
                "foxtrot rejected",
                "pkg:pypi/queue-gone@1.0",
                critical,
                true,
            ),
        )
        .await;
        let reply = t
            .post(
                &format!("/api/v1/cases/{rejected}/transition"),
                &w.analyst.token,
                json!({"to": "rejected", "reason": "out_of_scope"}),
            )
            .await;
        assert_eq!(reply.status, 200, "{}", reply.text);

        let queue = t.get("/api/v1/cases/queue", &w.analyst.token).await;
        assert_eq!(queue.status, 200, "{}", queue.text);
        let items = queue.body["items"].as_array().expect("items").clone();
        let order: Vec<&str> = items
            .iter()
            .filter_map(|i| i["case"]["id"].as_str())
            .collect();
        assert_eq!(
            order,
            [
                urgent.as_str(),
                higher.as_str(),
                exposed.as_str(),
                oldest.as_str(),
                younger.as_str()
            ],
            "decision, then CVSS, then exposure, then age: {}",
            queue.text
        );
        let decisions = ["track", "track*", "attend", "act"];
        let rank_of = |i: usize| {
            decisions
                .iter()
                .position(|d| items[i]["decision"] == *d)
                .expect("decision")
        };
        assert!(
            rank_of(0) > rank_of(1),
            "a proof of concept, automatable, total, in a lifeline sector"
        );
        for (i, item) in items.iter().enumerate() {
            assert_eq!(item["rank"], i + 1);
            assert!(item["due_at"].is_string() && item["overdue"] == false);
            if i > 0 {
                assert_eq!(
                    rank_of(i),
                    rank_of(1),
                    "the others share a decision: {}",
                    queue.text
                );
            }
        }
        assert_eq!(
            items[0]["exposure"],
            json!([{"sector": "water_and_wastewater_systems", "operators": 1}])
        );
        let reason = items[0]["reason"].as_str().expect("reason");
        assert!(
            reason.contains("1 operator runs it, 1 in lifeline sectors"),
            "{reason}"
        );
        assert!(reason.contains("CVSS 9.8"), "{reason}");
        assert!(
            items[3]["reason"]
                .as_str()
                .is_some_and(|r| r.contains("no registered operator runs it"))
        );
        assert!(
            !queue.text.contains("Valley Water"),
            "exposure never says who"
        );
        assert!(
            !queue.text.contains(&rejected),
            "a rejected case is not in the queue"
        );

        // Pages continue the ranking.
        let mut paged = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let path = match &cursor {
                Some(c) => format!("/api/v1/cases/queue?limit=2&cursor={c}"),
                None => "/api/v1/cases/queue?limit=2".into(),
            };
            let page = t.get(&path, &w.analyst.token).await;
            assert_eq!(page.status, 200, "{}", page.text);
            for item in page.body["items"].as_array().expect("items") {
                paged.push((
                    item["rank"].as_u64().unwrap_or(0),
                    item["case"]["id"].as_str().unwrap_or_default().to_owned(),
                ));
            }
            match page.body["next_cursor"].as_str() {
                Some(next) => cursor = Some(next.to_owned()),
                None => break,
            }
        }
        let expected: Vec<(u64, String)> = order
            .iter()
            .enumerate()
            .map(|(i, id)| (i as u64 + 1, (*id).to_owned()))
            .collect();
        assert_eq!(paged, expected);

        // Only analysts read it.
        let refused = t.get("/api/v1/cases/queue", &w.finder_a.token).await;
        assert_eq!(refused.status, 403);
        assert!(!refused.text.contains(&urgent));
    }
}
