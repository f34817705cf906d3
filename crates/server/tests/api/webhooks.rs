//! Webhook destinations (SSRF), on every engine: a subscription whose URL names or resolves to a
//! loopback, private, link-local or metadata address is refused, unless the server was started
//! with `--allow-private-webhooks`; and a delivery is checked again when it is made (names may
//! resolve elsewhere by then), so a target that became internal is a dead letter, never reached.

use clearinghouse_app::notify::Notifier;
use clearinghouse_domain::{OrgKind, Role, Sector};
use clearinghouse_testkit::receivers::WebhookReceiver;
use serde_json::json;

use crate::inventory::{import, operator, osv};
use crate::support::{assert_problem, spawn_apps, spawn_apps_with};

#[tokio::test]
async fn internal_webhook_targets_are_refused_at_creation() {
    for t in spawn_apps().await {
        eprintln!("engine: {}", t.engine);
        let org = t
            .org(
                "Valley Water",
                OrgKind::Operator,
                Some(Sector::WaterAndWastewaterSystems),
            )
            .await;
        let token = t.token(&org, Role::OperatorContact).await;
        let path = format!("/api/v1/orgs/{}/subscriptions", org.id);
        let before = t.log_size().await;
        for target in [
            "http://127.0.0.1:8080/hook",
            "http://localhost/hook",
            "http://[::1]/hook",
            "http://10.0.0.7/hook",
            "http://192.168.1.20/hook",
            "http://169.254.169.254/latest/meta-data/",
            "http://[fd00:ec2::254]/latest",
            "http://[::ffff:127.0.0.1]/hook",
        ] {
            let reply = t
                .post(
                    &path,
                    &token,
                    json!({"channel": "webhook", "target": target}),
                )
                .await;
            assert_problem(&reply, 422, "public addresses only");
            assert_eq!(reply.body["errors"][0]["pointer"], "#/target", "{target}");
        }
        assert_eq!(t.log_size().await, before, "nothing was stored");
        // A public address is fine (names that do not resolve now are checked at delivery).
        let reply = t
            .post(
                &path,
                &token,
                json!({"channel": "webhook", "target": "https://93.184.215.14/hook"}),
            )
            .await;
        assert_eq!(reply.status, 201, "{}", reply.text);
    }
}

#[tokio::test]
async fn deliveries_to_targets_that_became_internal_are_dead_letters_never_sent() {
    let allowed = clearinghouse_server::ServerConfig {
        allow_private_webhooks: true,
        ..Default::default()
    };
    for t in spawn_apps_with(allowed).await {
        eprintln!("engine: {}", t.engine);
        let hooks = WebhookReceiver::start().await;
        let (org, token, _) = operator(
            &t,
            "Rural Hospital",
            Sector::HealthcareAndPublicHealth,
            "pkg:pypi/medlib@1.2.0\n",
        )
        .await;
        // Accepted while private destinations are allowed (the receiver is on loopback) ...
        let reply = t
            .post(
                &format!("/api/v1/orgs/{org}/subscriptions"),
                &token,
                json!({"channel": "webhook", "target": format!("{}/hospital", hooks.url())}),
            )
            .await;
        assert_eq!(reply.status, 201, "{}", reply.text);
        import(
            &t,
            "osv",
            &[(
                "medlib.json",
                osv("PYSEC-2026-7", "CVE-2026-7777", "medlib", "2.0.0"),
            )],
        )
        .await;
        // ... but the worker delivering now runs under the default policy.
        let strict = Notifier::new(
            None,
            clearinghouse_notify::Backoff::default(),
            None,
            clearinghouse_notify::DestinationPolicy::default(),
        )
        .expect("notifier");
        let round = t.app.notify_round(&strict).await.expect("round");
        assert_eq!(
            (round.dispatched, round.delivered, round.dead),
            (1, 0, 1),
            "{round:?}"
        );
        assert!(
            hooks.requests().is_empty(),
            "the internal receiver was never reached"
        );
        let dead = t
            .get(
                &format!("/api/v1/orgs/{org}/deliveries?status=dead"),
                &token,
            )
            .await;
        let error = dead.body["items"][0]["last_error"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(error.contains("internal address"), "{}", dead.text);
        assert!(
            !error.contains("127.0.0.1:"),
            "the URL stays out of the record: {error}"
        );
    }
}
