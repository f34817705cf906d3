//! Notifications about cases go only to organizations that see the case, checked when an event is
//! dispatched and again when it is delivered: to loopback webhook receivers, on every engine.

use clearinghouse_app::notify::SubscriptionRequest;
use clearinghouse_domain::authz::Actor;
use clearinghouse_domain::notify::{Channel, DeliveryMode};
use clearinghouse_testkit::receivers::WebhookReceiver;
use reqwest::Method;
use serde_json::{Value, json};

use super::{World, finding};
use crate::support::{TestApp, spawn_apps_with};

async fn subscribe(t: &TestApp, org: clearinghouse_domain::OrgId, hooks: &WebhookReceiver) {
    t.app
        .create_subscription(
            &Actor::system(),
            org,
            SubscriptionRequest {
                channel: Channel::Webhook,
                target: hooks.url(),
                decisions: vec![],
                mode: DeliveryMode::Immediate,
            },
        )
        .await
        .expect("subscription");
}

fn event_types(hooks: &WebhookReceiver) -> Vec<String> {
    hooks
        .requests()
        .iter()
        .filter_map(|r| serde_json::from_slice::<Value>(&r.body).ok())
        .filter_map(|b| b["type"].as_str().map(str::to_owned))
        .collect()
}

async fn set_tlp(t: &TestApp, token: &str, case: &str, body: Value) {
    let reply = t
        .request(
            Method::PUT,
            &format!("/api/v1/cases/{case}/disclosure"),
            Some(token),
            Some(body),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
}

#[tokio::test]
async fn case_events_reach_only_organizations_that_see_the_case() {
    // The receivers listen on loopback, which only a server started with
    // --allow-private-webhooks delivers to.
    let config = clearinghouse_server::ServerConfig {
        allow_private_webhooks: true,
        ..Default::default()
    };
    for t in spawn_apps_with(config).await {
        eprintln!("engine: {}", t.engine);
        let w = World::new(&t).await;
        let (vendor_hooks, operator_hooks, other_hooks, outsider_hooks) = (
            WebhookReceiver::start().await,
            WebhookReceiver::start().await,
            WebhookReceiver::start().await,
            WebhookReceiver::start().await,
        );
        subscribe(&t, w.vendor.org.id, &vendor_hooks).await;
        subscribe(&t, w.operator.org.id, &operator_hooks).await;
        subscribe(&t, w.other_vendor.org.id, &other_hooks).await;
        subscribe(&t, w.outsider_operator.org.id, &outsider_hooks).await;
        let notifier = t
            .app
            .notifier(
                None,
                clearinghouse_notify::Backoff::default(),
                Some(t.base.clone()),
            )
            .expect("notifier");

        let created = t
            .post(
                "/api/v1/findings",
                &w.finder_a.token,
                finding(
                    "Auth bypass in SCADA gateway",
                    "pkg:maven/org.example/scada-gw@7.1.0",
                    "src/Auth.java",
                    Some("login"),
                    "CWE-306",
                ),
            )
            .await;
        assert_eq!(created.status, 201, "{}", created.text);
        let case = created.body["case_id"].as_str().expect("case").to_owned();
        for member in [
            json!({"org_id": w.vendor.org.id, "relation": "vendor"}),
            json!({"org_id": w.operator.org.id, "relation": "operator"}),
        ] {
            let added = t
                .post(
                    &format!("/api/v1/cases/{case}/members"),
                    &w.analyst.token,
                    member,
                )
                .await;
            assert_eq!(added.status, 200, "{}", added.text);
        }
        t.app.notify_round(&notifier).await.expect("round");
        assert_eq!(event_types(&vendor_hooks), ["case.vendor_notified"]);
        assert_eq!(event_types(&operator_hooks), ["case.operator_notified"]);
        assert!(other_hooks.requests().is_empty());
        assert!(outsider_hooks.requests().is_empty());
        let body = String::from_utf8_lossy(&vendor_hooks.requests()[0].body).into_owned();
        assert!(body.contains(&case), "{body}");
        assert!(
            !body.contains("remember-me"),
            "no description, no exploit material: {body}"
        );

        // Under TLP:RED a whole organization is never a recipient: the event is dropped at dispatch.
        set_tlp(&t, &w.analyst.token, &case, json!({"tlp": "RED"})).await;
        let added = t
            .post(
                &format!("/api/v1/cases/{case}/members"),
                &w.analyst.token,
                json!({"org_id": w.other_vendor.org.id, "relation": "vendor"}),
            )
            .await;
        assert_eq!(added.status, 200, "{}", added.text);
        t.app.notify_round(&notifier).await.expect("round");
        assert!(
            other_hooks.requests().is_empty(),
            "a RED case reached an organization"
        );

        // Visible at dispatch, no longer at delivery: the delivery dies instead of leaking.
        set_tlp(&t, &w.analyst.token, &case, json!({"tlp": "AMBER"})).await;
        let past = (jiff::Timestamp::now() - jiff::SignedDuration::from_hours(1)).to_string();
        set_tlp(&t, &w.analyst.token, &case, json!({"embargo_until": past})).await;
        let round = t.app.coordination_round().await.expect("coordination");
        assert_eq!(round.embargoes_lifted, 1);
        t.app.dispatch_events().await.expect("dispatch");
        set_tlp(&t, &w.analyst.token, &case, json!({"tlp": "AMBER+STRICT"})).await;
        let delivered = t.app.deliver_due(&notifier).await.expect("deliver");
        assert_eq!(delivered.dead, 1, "{delivered:?}");
        assert_eq!(
            event_types(&vendor_hooks),
            ["case.vendor_notified", "case.embargo_lifted"]
        );
        assert_eq!(event_types(&other_hooks), ["case.embargo_lifted"]);
        assert_eq!(
            event_types(&operator_hooks),
            ["case.operator_notified"],
            "AMBER+STRICT never reaches operators"
        );
        let dead = t
            .get(
                &format!("/api/v1/orgs/{}/deliveries?status=dead", w.operator.org.id),
                &w.operator.token,
            )
            .await;
        assert_eq!(dead.status, 200, "{}", dead.text);
        assert!(
            dead.body["items"][0]["last_error"]
                .as_str()
                .is_some_and(|e| e.contains("no longer visible")),
            "{}",
            dead.text
        );
        assert!(outsider_hooks.requests().is_empty(), "never the outsider");
        let again = t.app.coordination_round().await.expect("coordination");
        assert_eq!(
            again.embargoes_lifted, 0,
            "an embargo end is announced once"
        );
    }
}
