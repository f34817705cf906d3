//! Scan campaigns end to end, over HTTP, on every engine: a campaign on an operator's network is
//! refused without that operator's authorization (none, revoked, ended too early, during a
//! blackout, or a network nobody registered) and accepted with it; overlaps with other finders'
//! campaigns are reported to both finders (outbox → webhooks) and resolved (lead, share,
//! stagger); campaign tokens answer the check and do nothing else; outsiders see nothing; bad
//! input names the field and changes nothing.

use std::time::Duration;

use clearinghouse_app::notify::Notifier;
use clearinghouse_domain::{OrgKind, Organization, Role, Sector};
use clearinghouse_testkit::receivers::WebhookReceiver;
use jiff::{SignedDuration, Timestamp};
use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{TestApp, assert_problem, spawn_apps, spawn_apps_with};

/// Now plus some hours, as the API writes times.
fn at(hours: i64) -> String {
    (Timestamp::now() + SignedDuration::from_hours(hours)).to_string()
}

struct World {
    operator: Organization,
    operator_token: String,
    finder_a: Organization,
    a_token: String,
    finder_b: Organization,
    b_token: String,
    outsider_token: String,
    analyst_token: String,
}

/// An operator owning 10.20.0.0/16 and `*.valley-water.example`, two finder organizations, an
/// outsider operator and an analyst.
async fn world(t: &TestApp) -> World {
    let operator = t
        .org(
            "Valley Water",
            OrgKind::Operator,
            Some(Sector::WaterAndWastewaterSystems),
        )
        .await;
    let operator_token = t.token(&operator, Role::OperatorContact).await;
    for target in [
        json!({"cidr": "10.20.0.0/16"}),
        json!({"hostname": "*.valley-water.example"}),
    ] {
        let reply = t
            .post(
                &format!("/api/v1/orgs/{}/network-assets", operator.id),
                &operator_token,
                json!({"target": target, "label": "plant network"}),
            )
            .await;
        assert_eq!(reply.status, 201, "{}", reply.text);
    }
    let finder_a = t.org("Frontier Labs", OrgKind::AiDeveloper, None).await;
    let a_token = t.token(&finder_a, Role::Finder).await;
    let finder_b = t.org("Deep Scan Co", OrgKind::AiDeveloper, None).await;
    let b_token = t.token(&finder_b, Role::Finder).await;
    let outsider = t
        .org("Other Utility", OrgKind::Operator, Some(Sector::Energy))
        .await;
    let outsider_token = t.token(&outsider, Role::OperatorContact).await;
    let agency = t.org("Treasury", OrgKind::Government, None).await;
    let analyst_token = t.token(&agency, Role::Analyst).await;
    World {
        operator,
        operator_token,
        finder_a,
        a_token,
        finder_b,
        b_token,
        outsider_token,
        analyst_token,
    }
}

impl World {
    /// The operator authorizes a finder for `scope` from `from` to `to` hours from now.
    async fn authorize(
        &self,
        t: &TestApp,
        finder: &Organization,
        scope: Value,
        from: i64,
        to: i64,
    ) -> String {
        let reply = t
            .post(
                &format!("/api/v1/orgs/{}/scan-authorizations", self.operator.id),
                &self.operator_token,
                json!({"finder_id": finder.id, "scope": scope, "start": at(from), "end": at(to), "max_rate": 20,
                       "techniques": ["network_scan", "dast"], "note": "call the plant before 08:00"}),
            )
            .await;
        assert_eq!(reply.status, 201, "{}", reply.text);
        reply.body["id"].as_str().expect("id").to_owned()
    }
}

fn campaign(name: &str, targets: Value, from: i64, to: i64) -> Value {
    json!({"name": name, "targets": targets, "technique": "network_scan",
           "tool": {"name": "claude-scanner", "version": "4.1"}, "start": at(from), "end": at(to), "rate_limit": 10})
}

async fn declare(t: &TestApp, token: &str, body: Value) -> Value {
    let reply = t.post("/api/v1/campaigns", token, body).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    reply.body
}

async fn campaign_count(t: &TestApp) -> usize {
    t.get("/api/v1/campaigns", &t.admin_token).await.body["items"]
        .as_array()
        .map_or(0, Vec::len)
}

#[tokio::test]
async fn a_campaign_on_an_operators_network_needs_its_authorization() {
    for t in spawn_apps().await {
        eprintln!("engine: {}", t.engine);
        let w = world(&t).await;
        let plant = json!([{"purl": "pkg:pypi/pymodbus"}, {"cidr": "10.20.1.0/24"}]);

        // Nobody registered it.
        let before = t.log_size().await;
        let reply = t
            .post(
                "/api/v1/campaigns",
                &w.a_token,
                campaign("internet sweep", json!([{"cidr": "198.51.100.0/24"}]), 1, 5),
            )
            .await;
        assert_problem(
            &reply,
            422,
            "no participating operator has registered 198.51.100.0/24",
        );
        assert_eq!(
            reply.body["type"],
            "https://clearinghouse.example/problems/refused"
        );
        assert_eq!(reply.body["errors"][0]["pointer"], "#/targets/0/cidr");

        // Registered, but no authorization: the owner is not named to a finder it never authorized.
        let reply = t
            .post(
                "/api/v1/campaigns",
                &w.a_token,
                campaign("plant", plant.clone(), 1, 5),
            )
            .await;
        assert_problem(
            &reply,
            422,
            "no authorization from its owner covers 10.20.1.0/24",
        );
        assert!(!reply.text.contains("Valley Water"), "{}", reply.text);
        assert_eq!(reply.body["errors"][0]["pointer"], "#/targets/1/cidr");

        // An authorization that ends before the campaign does.
        let short = w
            .authorize(&t, &w.finder_a, json!([{"cidr": "10.20.0.0/16"}]), -1, 3)
            .await;
        let reply = t
            .post(
                "/api/v1/campaigns",
                &w.a_token,
                campaign("plant", plant.clone(), 1, 5),
            )
            .await;
        assert_problem(&reply, 422, "not the whole window");
        assert!(
            reply.text.contains("Valley Water"),
            "a finder it authorized may know the operator: {}",
            reply.text
        );

        // A revoked one.
        let long = w
            .authorize(&t, &w.finder_a, json!([{"cidr": "10.20.0.0/16"}]), -1, 48)
            .await;
        let reply = t
            .post(
                &format!("/api/v1/scan-authorizations/{long}/revoke"),
                &w.operator_token,
                json!({}),
            )
            .await;
        assert_eq!(reply.status, 200, "{}", reply.text);
        assert_eq!(reply.body["status"], "revoked");
        let reply = t
            .post(
                "/api/v1/campaigns",
                &w.a_token,
                campaign("plant", plant.clone(), 1, 5),
            )
            .await;
        assert_problem(&reply, 422, "revoked authorization");

        // A valid one, but a blackout during the window.
        let valid = w
            .authorize(&t, &w.finder_a, json!([{"cidr": "10.20.0.0/16"}]), -1, 48)
            .await;
        let reply = t
            .post(&format!("/api/v1/orgs/{}/blackouts", w.operator.id), &w.operator_token,
                  json!({"scope": [{"cidr": "10.20.1.0/24"}], "start": at(2), "end": at(3), "reason": "chlorination upgrade"}))
            .await;
        assert_eq!(reply.status, 201, "{}", reply.text);
        let blackout = reply.body["id"].as_str().expect("id").to_owned();
        let reply = t
            .post(
                "/api/v1/campaigns",
                &w.a_token,
                campaign("plant", plant.clone(), 1, 5),
            )
            .await;
        assert_problem(&reply, 422, "blackout (chlorination upgrade)");
        assert_eq!(
            t.log_size().await,
            before + 5,
            "refusals store nothing; only the three authorizations, the revocation and the blackout were logged"
        );
        assert_eq!(campaign_count(&t).await, 0);

        // Lifted: accepted, with the covering authorization on record.
        let reply = t
            .post(
                &format!("/api/v1/blackouts/{blackout}/revoke"),
                &w.operator_token,
                json!({}),
            )
            .await;
        assert_eq!(reply.status, 200, "{}", reply.text);
        let created = declare(&t, &w.a_token, campaign("plant", plant.clone(), 1, 5)).await;
        let c = &created["campaign"];
        assert_eq!(c["status"], "scheduled");
        assert_eq!(c["finder_name"], "Frontier Labs");
        assert_eq!(
            c["targets"][0]["target"],
            json!({"purl": "pkg:pypi/pymodbus"})
        );
        assert!(
            c["targets"][0].get("authorized").is_none(),
            "packages need no operator"
        );
        assert_eq!(c["targets"][1]["authorized"], true);
        assert_eq!(c["targets"][1]["covers"][0]["authorization_id"], valid);
        assert_eq!(
            c["targets"][1]["covers"][0]["operator_name"],
            "Valley Water"
        );
        assert_ne!(c["targets"][1]["covers"][0]["authorization_id"], short);
        let id = c["id"].as_str().expect("id").to_owned();

        // Who sees it: the finder, the operator it targets, analysts; not another finder or operator.
        for (token, status) in [
            (&w.a_token, 200),
            (&w.operator_token, 200),
            (&w.analyst_token, 200),
            (&w.b_token, 404),
            (&w.outsider_token, 404),
        ] {
            let reply = t.get(&format!("/api/v1/campaigns/{id}"), token).await;
            assert_eq!(reply.status.as_u16(), status, "{}", reply.text);
        }
        let listed = t.get("/api/v1/campaigns", &w.operator_token).await;
        assert_eq!(
            listed.body["items"].as_array().map(Vec::len),
            Some(1),
            "{}",
            listed.text
        );
        let listed = t.get("/api/v1/campaigns", &w.outsider_token).await;
        assert_eq!(
            listed.body["items"].as_array().map(Vec::len),
            Some(0),
            "{}",
            listed.text
        );
        // The operator's ranges are its own; authorizations are seen by both parties only.
        let ranges = t
            .get(
                &format!("/api/v1/orgs/{}/network-assets", w.operator.id),
                &w.a_token,
            )
            .await;
        assert_eq!(ranges.status, 404, "{}", ranges.text);
        let ranges = t
            .get(
                &format!("/api/v1/orgs/{}/network-assets", w.operator.id),
                &t.admin_token,
            )
            .await;
        assert_eq!(
            ranges.status, 403,
            "not even administrators: {}",
            ranges.text
        );
        assert_eq!(
            t.get(&format!("/api/v1/scan-authorizations/{valid}"), &w.a_token)
                .await
                .status,
            200
        );
        assert_eq!(
            t.get(&format!("/api/v1/scan-authorizations/{valid}"), &w.b_token)
                .await
                .status,
            404
        );
        let received = t
            .get(
                &format!("/api/v1/orgs/{}/scan-authorizations", w.finder_a.id),
                &w.a_token,
            )
            .await;
        assert_eq!(
            received.body.as_array().map(Vec::len),
            Some(3),
            "{}",
            received.text
        );

        // Revoking shows at once on the campaign.
        t.post(
            &format!("/api/v1/scan-authorizations/{valid}/revoke"),
            &w.operator_token,
            json!({}),
        )
        .await;
        let reply = t.get(&format!("/api/v1/campaigns/{id}"), &w.a_token).await;
        assert_eq!(
            reply.body["targets"][1]["authorized"], false,
            "{}",
            reply.text
        );
        assert!(
            reply.body["targets"][1]["problem"]
                .as_str()
                .is_some_and(|p| p.contains("revoked")),
            "{}",
            reply.text
        );

        // Its finder cancels it; another finder may not.
        assert_eq!(
            t.post(
                &format!("/api/v1/campaigns/{id}/cancel"),
                &w.b_token,
                json!({})
            )
            .await
            .status,
            404
        );
        assert_eq!(
            t.post(
                &format!("/api/v1/campaigns/{id}/cancel"),
                &w.operator_token,
                json!({})
            )
            .await
            .status,
            403
        );
        let reply = t
            .post(
                &format!("/api/v1/campaigns/{id}/cancel"),
                &w.a_token,
                json!({}),
            )
            .await;
        assert_eq!(reply.body["status"], "cancelled", "{}", reply.text);
    }
}

fn notifier(t: &TestApp) -> Notifier {
    t.app
        .notifier(
            None,
            clearinghouse_notify::Backoff::default(),
            Some(t.base.clone()),
        )
        .expect("notifier")
}

async fn subscribe(t: &TestApp, org: &Organization, hooks: &WebhookReceiver, name: &str) {
    let manager = t.token(org, Role::Manager).await;
    let reply = t
        .post(
            &format!("/api/v1/orgs/{}/subscriptions", org.id),
            &manager,
            json!({"channel": "webhook", "target": format!("{}/{name}", hooks.url())}),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
}

#[tokio::test]
async fn an_overlap_is_reported_to_both_finders() {
    // The receivers listen on loopback, which only a server started with
    // --allow-private-webhooks delivers to.
    let config = clearinghouse_server::ServerConfig {
        allow_private_webhooks: true,
        ..Default::default()
    };
    for t in spawn_apps_with(config).await {
        eprintln!("engine: {}", t.engine);
        let w = world(&t).await;
        let hooks = WebhookReceiver::start().await;
        subscribe(&t, &w.finder_a, &hooks, "frontier").await;
        subscribe(&t, &w.finder_b, &hooks, "deepscan").await;
        w.authorize(&t, &w.finder_a, json!([{"cidr": "10.20.0.0/16"}]), -1, 48)
            .await;
        w.authorize(&t, &w.finder_b, json!([{"cidr": "10.20.1.0/24"}]), -1, 48)
            .await;

        let first = declare(
            &t,
            &w.a_token,
            campaign(
                "plant sweep",
                json!([{"cidr": "10.20.0.0/16"}, {"purl": "pkg:pypi/pymodbus@3.5"}]),
                1,
                10,
            ),
        )
        .await;
        assert_eq!(first["overlaps"], json!([]));
        let a_id = first["campaign"]["id"].as_str().expect("id").to_owned();
        // Disjoint in time, or in targets: no overlap.
        let later = declare(
            &t,
            &w.b_token,
            campaign("later", json!([{"cidr": "10.20.1.0/24"}]), 10, 20),
        )
        .await;
        assert_eq!(
            later["overlaps"],
            json!([]),
            "touching windows do not overlap"
        );
        let elsewhere = declare(
            &t,
            &w.b_token,
            campaign("npm", json!([{"purl": "pkg:npm/left-pad"}]), 1, 10),
        )
        .await;
        assert_eq!(elsewhere["overlaps"], json!([]));
        // Same target and window: reported, with what is shared and who the other finder is.
        let second = declare(
            &t,
            &w.b_token,
            campaign(
                "modbus gateways",
                json!([{"cidr": "10.20.1.128/25"}, {"purl": "pkg:pypi/PyModbus"}]),
                5,
                15,
            ),
        )
        .await;
        let overlaps = second["overlaps"].as_array().expect("overlaps");
        assert_eq!(overlaps.len(), 1, "{second}");
        let o = &overlaps[0];
        assert_eq!(
            o["shared"],
            json!([{"cidr": "10.20.1.128/25"}, {"purl": "pkg:pypi/pymodbus"}])
        );
        assert_eq!(o["first"]["id"], a_id);
        assert_eq!(o["first"]["finder_name"], "Frontier Labs");
        assert_eq!(o["second"]["finder_name"], "Deep Scan Co");
        assert_eq!(o["proposal"]["kind"], "lead");
        assert_eq!(
            o["proposal"]["lead"], a_id,
            "the earlier declared leads by default"
        );
        assert_eq!(o["proposal"]["acceptor"], w.finder_b.id.to_string());

        // Both finders' webhooks hear of it, in the same words.
        let round = t.app.notify_round(&notifier(&t)).await.expect("round");
        assert_eq!(round.delivered, 2, "{round:?}");
        let requests = hooks
            .wait_for(2, Duration::from_secs(10))
            .await
            .expect("webhooks");
        let mut paths: Vec<&str> = requests
            .iter()
            .filter_map(|r| r.path.rsplit('/').next())
            .collect();
        paths.sort();
        assert_eq!(paths, ["deepscan", "frontier"]);
        for request in &requests {
            let body: Value = serde_json::from_slice(&request.body).expect("json");
            assert_eq!(body["type"], "campaign.overlap");
            assert_eq!(body["data"]["overlap"], o["id"]);
            let other = if request.path.ends_with("/frontier") {
                "Deep Scan Co"
            } else {
                "Frontier Labs"
            };
            assert_eq!(body["data"]["other_finder"]["name"], other, "{body}");
        }

        // Both finders and analysts see it on both campaigns; the operator sees the campaigns only.
        let b_id = second["campaign"]["id"].as_str().expect("id").to_owned();
        for (token, campaign, count) in [
            (&w.a_token, &a_id, 1),
            (&w.b_token, &b_id, 1),
            (&w.analyst_token, &a_id, 1),
            (&w.operator_token, &a_id, 0),
        ] {
            let reply = t
                .get(&format!("/api/v1/campaigns/{campaign}/overlaps"), token)
                .await;
            assert_eq!(reply.status, 200, "{}", reply.text);
            assert_eq!(
                reply.body.as_array().map(Vec::len),
                Some(count),
                "{}",
                reply.text
            );
        }
        let overlap = o["id"].as_str().expect("id");
        assert_eq!(
            t.get(&format!("/api/v1/overlaps/{overlap}"), &w.operator_token)
                .await
                .status,
            404
        );
        assert_eq!(
            t.get(&format!("/api/v1/overlaps/{overlap}"), &w.outsider_token)
                .await
                .status,
            404
        );
        assert_eq!(
            t.get(&format!("/api/v1/overlaps/{overlap}"), &w.a_token)
                .await
                .status,
            200
        );
    }
}

#[tokio::test]
async fn overlaps_are_resolved_by_proposal_and_acceptance_or_by_an_analyst() {
    for t in spawn_apps().await {
        eprintln!("engine: {}", t.engine);
        let w = world(&t).await;
        w.authorize(&t, &w.finder_a, json!([{"cidr": "10.20.0.0/16"}]), -1, 48)
            .await;
        w.authorize(&t, &w.finder_b, json!([{"cidr": "10.20.0.0/16"}]), -1, 48)
            .await;
        let a = declare(
            &t,
            &w.a_token,
            campaign("first", json!([{"cidr": "10.20.1.0/24"}]), 1, 10),
        )
        .await;
        let b = declare(
            &t,
            &w.b_token,
            campaign("second", json!([{"cidr": "10.20.1.0/24"}]), 5, 15),
        )
        .await;
        let a_end = a["campaign"]["end"].as_str().expect("end").to_owned();
        let b_id = b["campaign"]["id"].as_str().expect("id").to_owned();
        let overlap = b["overlaps"][0]["id"].as_str().expect("overlap").to_owned();
        let resolve = format!("/api/v1/overlaps/{overlap}/resolve");
        let accept = format!("/api/v1/overlaps/{overlap}/accept");

        // The default proposal (first leads) is the second finder's to accept, not the first's.
        assert_problem(
            &t.post(&accept, &w.a_token, json!({})).await,
            422,
            "only the other finder accepts",
        );
        // The second proposes a stagger instead; it cannot accept its own proposal.
        let reply = t
            .post(&resolve, &w.b_token, json!({"kind": "stagger"}))
            .await;
        assert_eq!(reply.status, 200, "{}", reply.text);
        assert_eq!(reply.body["proposal"]["kind"], "stagger");
        assert_eq!(
            reply.body["proposal"]["acceptor"],
            w.finder_a.id.to_string()
        );
        assert_problem(
            &t.post(&accept, &w.b_token, json!({})).await,
            422,
            "only the other finder accepts",
        );
        assert_problem(
            &t.post(&resolve, &w.b_token, json!({"kind": "lead"})).await,
            422,
            "names the leading campaign",
        );
        assert_eq!(
            t.post(&resolve, &w.outsider_token, json!({"kind": "share"}))
                .await
                .status,
            404
        );
        assert_eq!(
            t.post(&resolve, &w.operator_token, json!({"kind": "share"}))
                .await
                .status,
            404
        );

        // The first accepts: the second campaign now starts when the first ends, as long as before.
        let before = t.log_size().await;
        let reply = t.post(&accept, &w.a_token, json!({})).await;
        assert_eq!(reply.status, 200, "{}", reply.text);
        let resolution = &reply.body["resolution"];
        assert_eq!(resolution["kind"], "stagger");
        assert_eq!(resolution["moved"]["campaign_id"], b_id);
        assert_eq!(resolution["moved"]["to_start"], a_end);
        assert_eq!(reply.body["status"], "resolved");
        let steps: Vec<&str> = reply.body["steps"]
            .as_array()
            .expect("steps")
            .iter()
            .map(|s| s["action"].as_str().unwrap_or(""))
            .collect();
        assert_eq!(steps, ["detected", "proposed", "accepted"]);
        assert_eq!(
            t.log_size().await,
            before + 1,
            "the resolution is one log entry"
        );
        let moved = t
            .get(&format!("/api/v1/campaigns/{b_id}"), &w.b_token)
            .await;
        assert_eq!(moved.body["start"], a_end, "{}", moved.text);
        let from = Timestamp::now();
        let (start, end): (Timestamp, Timestamp) = (
            moved.body["start"]
                .as_str()
                .expect("start")
                .parse()
                .expect("ts"),
            moved.body["end"]
                .as_str()
                .expect("end")
                .parse()
                .expect("ts"),
        );
        let span = |c: &Value| {
            let start: Timestamp = c["start"].as_str().expect("start").parse().expect("ts");
            let end: Timestamp = c["end"].as_str().expect("end").parse().expect("ts");
            end.duration_since(start)
        };
        assert_eq!(
            end.duration_since(start),
            span(&b["campaign"]),
            "same duration"
        );
        assert!(start > from);
        assert_problem(
            &t.post(&resolve, &w.a_token, json!({"kind": "share"})).await,
            422,
            "already resolved",
        );

        // A third campaign overlaps the first; an analyst decides over the finders' heads.
        let c = declare(
            &t,
            &w.b_token,
            campaign("third", json!([{"cidr": "10.20.1.0/26"}]), 2, 4),
        )
        .await;
        let third = c["overlaps"][0]["id"].as_str().expect("overlap").to_owned();
        let a_id = a["campaign"]["id"].as_str().expect("id");
        let reply = t
            .post(
                &format!("/api/v1/overlaps/{third}/resolve"),
                &w.analyst_token,
                json!({"kind": "lead", "lead": a_id}),
            )
            .await;
        assert_eq!(reply.status, 200, "{}", reply.text);
        assert_eq!(reply.body["resolution"]["lead"], a_id);
        assert_eq!(reply.body["steps"][1]["action"], "decided");
        // A member who is not a finder of either side may not propose.
        let auditor = t.token(&w.finder_a, Role::Auditor).await;
        let reply = t
            .post(
                &format!("/api/v1/overlaps/{third}/resolve"),
                &auditor,
                json!({"kind": "share"}),
            )
            .await;
        assert_eq!(reply.status, 403, "{}", reply.text);
    }
}

#[tokio::test]
async fn a_campaign_token_answers_the_check_and_nothing_else() {
    for t in spawn_apps().await {
        eprintln!("engine: {}", t.engine);
        let w = world(&t).await;
        let authorization = w
            .authorize(
                &t,
                &w.finder_a,
                json!([{"cidr": "10.20.0.0/16"}, {"hostname": "*.valley-water.example"}]),
                -1,
                48,
            )
            .await;
        let body = campaign(
            "plant",
            json!([{"cidr": "10.20.1.0/24"}, {"hostname": "scada.valley-water.example"}]),
            0,
            2,
        );
        let created = declare(&t, &w.a_token, body).await;
        let id = created["campaign"]["id"].as_str().expect("id").to_owned();
        let end = created["campaign"]["end"].as_str().expect("end").to_owned();
        let other = declare(
            &t,
            &w.a_token,
            campaign("other", json!([{"purl": "pkg:npm/x"}]), 1, 2),
        )
        .await;
        let other_id = other["campaign"]["id"].as_str().expect("id").to_owned();

        let reply = t
            .post(
                &format!("/api/v1/campaigns/{id}/tokens"),
                &w.a_token,
                json!({"name": "agent-1", "expires_at": at(100)}),
            )
            .await;
        assert_eq!(reply.status, 201, "{}", reply.text);
        assert_eq!(
            reply.body["expires_at"], end,
            "never beyond the campaign's window"
        );
        let agent = reply.body["secret"].as_str().expect("secret").to_owned();
        assert_eq!(
            t.post(
                &format!("/api/v1/campaigns/{id}/tokens"),
                &w.b_token,
                json!({"name": "x"})
            )
            .await
            .status,
            404
        );

        let check = |target: &str, when: Option<String>| {
            let mut path = format!("/api/v1/authorizations/check?target={}", urlencode(target));
            if let Some(when) = when {
                path.push_str(&format!("&at={}", urlencode(&when)));
            }
            path
        };
        let now = t.get(&check("10.20.1.7", None), &agent).await;
        assert_eq!(now.status, 200, "{}", now.text);
        assert_eq!(now.body["allowed"], true, "{}", now.text);
        assert_eq!(now.body["campaign"]["id"], id);
        assert_eq!(now.body["campaign"]["name"], "plant");
        assert_eq!(now.body["authorizations"][0]["id"], authorization);
        assert_eq!(now.body["rate_limit"], 10);
        assert_eq!(
            t.get(&check("scada.valley-water.example", None), &agent)
                .await
                .body["allowed"],
            true
        );
        let same = t
            .get(
                &check(
                    "10.20.1.7",
                    Some(now.body["at"].as_str().expect("at").to_owned()),
                ),
                &agent,
            )
            .await;
        assert_eq!(
            same.body, now.body,
            "the answer is a function of recorded state and the time"
        );

        let before = t.get(&check("10.20.1.7", Some(at(-2))), &agent).await;
        assert_eq!(before.body["allowed"], false);
        assert!(
            before.body["reasons"][0]
                .as_str()
                .is_some_and(|r| r.contains("runs from")),
            "{}",
            before.text
        );
        let after = t.get(&check("10.20.1.7", Some(at(3))), &agent).await;
        assert_eq!(after.body["allowed"], false, "{}", after.text);
        let elsewhere = t.get(&check("10.20.2.7", None), &agent).await;
        assert_eq!(elsewhere.body["allowed"], false);
        assert!(
            elsewhere.body["reasons"][0]
                .as_str()
                .is_some_and(|r| r.contains("does not target 10.20.2.7/32")),
            "{}",
            elsewhere.text
        );
        // The finder's own token answers for any of its campaigns, the agent's for its own only.
        assert_eq!(
            t.get(&check("pkg:npm/x", Some(at(1))), &w.a_token)
                .await
                .body["allowed"],
            true
        );
        assert_eq!(
            t.get(&check("pkg:npm/x", Some(at(1))), &agent).await.body["allowed"],
            false
        );
        let reply = t
            .get(
                &format!("{}&campaign={other_id}", check("pkg:npm/x", None)),
                &agent,
            )
            .await;
        assert_problem(&reply, 422, "bound to campaign");

        // Nothing else: not its organization, not other campaigns, not the list, no writes.
        assert_eq!(
            t.get(&format!("/api/v1/campaigns/{id}"), &agent)
                .await
                .status,
            200
        );
        assert_eq!(
            t.get(&format!("/api/v1/campaigns/{other_id}"), &agent)
                .await
                .status,
            404
        );
        for (method, path, body) in [
            (Method::GET, "/api/v1/campaigns".to_owned(), None),
            (Method::GET, format!("/api/v1/orgs/{}", w.finder_a.id), None),
            (Method::GET, "/api/v1/vulnerabilities".to_owned(), None),
            (
                Method::POST,
                "/api/v1/campaigns".to_owned(),
                Some(campaign("x", json!([{"purl": "pkg:npm/y"}]), 1, 2)),
            ),
            (
                Method::POST,
                format!("/api/v1/campaigns/{id}/cancel"),
                Some(json!({})),
            ),
            (
                Method::POST,
                format!("/api/v1/campaigns/{id}/tokens"),
                Some(json!({"name": "more"})),
            ),
            (
                Method::GET,
                format!("/api/v1/campaigns/{id}/overlaps"),
                None,
            ),
        ] {
            let reply = t.request(method.clone(), &path, Some(&agent), body).await;
            assert!(
                matches!(reply.status.as_u16(), 403 | 404),
                "{method} {path}: {} {}",
                reply.status,
                reply.text
            );
        }

        // Revocation is immediate for the next check.
        t.post(
            &format!("/api/v1/scan-authorizations/{authorization}/revoke"),
            &w.operator_token,
            json!({}),
        )
        .await;
        let revoked = t.get(&check("10.20.1.7", None), &agent).await;
        assert_eq!(revoked.body["allowed"], false);
        assert!(
            revoked.body["reasons"][0]
                .as_str()
                .is_some_and(|r| r.contains("revoked")),
            "{}",
            revoked.text
        );

        // A blackout is named in the answer.
        w.authorize(&t, &w.finder_a, json!([{"cidr": "10.20.0.0/16"}]), -1, 48)
            .await;
        assert_eq!(
            t.get(&check("10.20.1.7", None), &agent).await.body["allowed"],
            true,
            "a new authorization covers it again"
        );
        let reply = t
            .post(
                &format!("/api/v1/orgs/{}/blackouts", w.operator.id),
                &w.operator_token,
                json!({"start": at(-1), "end": at(1), "reason": "incident response"}),
            )
            .await;
        assert_eq!(reply.status, 201, "{}", reply.text);
        let dark = t.get(&check("10.20.1.7", None), &agent).await;
        assert_eq!(dark.body["allowed"], false);
        assert_eq!(
            dark.body["blackout"]["id"], reply.body["id"],
            "{}",
            dark.text
        );
    }
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[tokio::test]
async fn bad_input_names_the_field_and_changes_nothing() {
    for t in spawn_apps().await {
        eprintln!("engine: {}", t.engine);
        let w = world(&t).await;
        let before = t.log_size().await;
        let post = |body: Value| t.post("/api/v1/campaigns", &w.a_token, body);
        let reply = post(campaign(
            "x",
            json!([{"purl": "pkg:npm/x"}, {"cidr": "10.0.0.300/8"}]),
            1,
            2,
        ))
        .await;
        assert_problem(&reply, 422, "#/targets/1/cidr");
        assert_eq!(reply.body["errors"][0]["pointer"], "#/targets/1/cidr");
        let reply = post(campaign("x", json!([{"ip": "10.0.0.1"}]), 1, 2)).await;
        assert_problem(&reply, 400, "unknown variant `ip`");
        assert_eq!(reply.body["errors"][0]["pointer"], "#/targets/0");
        let reply = post(campaign("x", json!([{"hostname": "*.org"}]), 1, 2)).await;
        assert_problem(&reply, 422, "#/targets/0/hostname");
        let reply = post(campaign(
            "x",
            json!([{"repository": "https://github.com/"}]),
            1,
            2,
        ))
        .await;
        assert_problem(&reply, 422, "#/targets/0/repository");
        let reply = post(campaign("x", json!([{"cpe": "cpe:2.3:x"}]), 1, 2)).await;
        assert_problem(&reply, 422, "#/targets/0/cpe");
        assert_problem(
            &post(campaign("x", json!([]), 1, 2)).await,
            422,
            "#/targets",
        );
        assert_problem(
            &post(campaign("x", json!([{"purl": "pkg:npm/x"}]), 2, 1)).await,
            422,
            "#/end",
        );
        assert_problem(
            &post(campaign("x", json!([{"purl": "pkg:npm/x"}]), -3, -2)).await,
            422,
            "already over",
        );
        assert_problem(
            &post(campaign("x", json!([{"purl": "pkg:npm/x"}]), -2, 2)).await,
            422,
            "#/start",
        );
        let mut zero = campaign("x", json!([{"purl": "pkg:npm/x"}]), 1, 2);
        zero["rate_limit"] = json!(0);
        assert_problem(&post(zero).await, 422, "#/rate_limit");
        let mut nameless = campaign("x", json!([{"purl": "pkg:npm/x"}]), 1, 2);
        nameless["tool"]["name"] = json!(" ");
        assert_problem(&post(nameless).await, 422, "tool/name");
        let mut technique = campaign("x", json!([{"purl": "pkg:npm/x"}]), 1, 2);
        technique["technique"] = json!("hacking");
        assert_problem(&post(technique).await, 400, "#/technique");
        // Operators' side.
        let reply = t
            .post(&format!("/api/v1/orgs/{}/scan-authorizations", w.operator.id), &w.operator_token,
                  json!({"finder_id": w.finder_a.id, "scope": [{"cidr": "10.20.0.0/16"}, {"cidr": "10.99.0.0/24"}], "start": at(0), "end": at(5), "max_rate": 5}))
            .await;
        assert_problem(&reply, 422, "#/scope/1/cidr");
        let reply = t
            .post(&format!("/api/v1/orgs/{}/scan-authorizations", w.operator.id), &w.operator_token,
                  json!({"finder_id": w.finder_a.id, "scope": [{"purl": "pkg:npm/x"}], "start": at(0), "end": at(5), "max_rate": 5}))
            .await;
        assert_problem(&reply, 422, "#/scope/0/purl");
        let reply = t
            .post(
                &format!("/api/v1/orgs/{}/network-assets", w.operator.id),
                &w.operator_token,
                json!({"target": {"hostname": "bad host"}}),
            )
            .await;
        assert_problem(&reply, 422, "#/target/hostname");
        let reply = t
            .post(
                &format!("/api/v1/orgs/{}/network-assets", w.operator.id),
                &w.operator_token,
                json!({"target": {"cidr": "10.20.0.0/16"}}),
            )
            .await;
        assert_eq!(reply.status, 409, "{}", reply.text);
        let reply = t
            .get(
                "/api/v1/authorizations/check?target=10.0.0.5%2F8",
                &w.a_token,
            )
            .await;
        assert_problem(&reply, 422, "#/query/target");
        let reply = t
            .get(
                "/api/v1/authorizations/check?target=10.0.0.5",
                &w.operator_token,
            )
            .await;
        assert_eq!(reply.status, 403, "only finders check: {}", reply.text);
        assert_eq!(t.log_size().await, before, "nothing was logged");
        assert_eq!(campaign_count(&t).await, 0, "nothing was stored");
    }
}

#[tokio::test]
async fn concurrent_declarations_see_each_other() {
    for t in spawn_apps().await {
        eprintln!("engine: {}", t.engine);
        let w = world(&t).await;
        w.authorize(&t, &w.finder_a, json!([{"cidr": "10.20.0.0/16"}]), -1, 48)
            .await;
        w.authorize(&t, &w.finder_b, json!([{"cidr": "10.20.0.0/16"}]), -1, 48)
            .await;
        // Ten declarations at once, alternating finders, all on one target: every pair of
        // different finders overlaps exactly once, whatever the interleaving.
        let declarations = (0..10).map(|n| {
            let token = if n % 2 == 0 { &w.a_token } else { &w.b_token };
            t.post(
                "/api/v1/campaigns",
                token,
                campaign(
                    &format!("race {n}"),
                    json!([{"cidr": "10.20.9.0/24"}]),
                    1,
                    5,
                ),
            )
        });
        let replies = futures::future::join_all(declarations).await;
        for reply in &replies {
            assert_eq!(reply.status, 201, "{}", reply.text);
        }
        let mut overlap_ids = std::collections::BTreeSet::new();
        for reply in &replies {
            let id = reply.body["campaign"]["id"].as_str().expect("id");
            let overlaps = t
                .get(
                    &format!("/api/v1/campaigns/{id}/overlaps"),
                    &w.analyst_token,
                )
                .await;
            let list = overlaps.body.as_array().expect("list");
            assert_eq!(
                list.len(),
                5,
                "each campaign overlaps the other finder's five: {}",
                overlaps.text
            );
            overlap_ids.extend(
                list.iter()
                    .filter_map(|o| o["id"].as_str().map(str::to_owned)),
            );
        }
        assert_eq!(overlap_ids.len(), 25, "5 × 5 pairs, each recorded once");
    }
}
