//! Organizations, people, tokens: the participant story through the API.

use clearinghouse_domain::{OrgKind, Role, Sector};
use reqwest::Method;
use serde_json::json;

use crate::support::{assert_problem, spawn_apps};

#[tokio::test]
async fn an_administrator_onboards_an_operator_who_then_sees_only_its_own_organization() {
    for t in spawn_apps().await {
        eprintln!("engine: {}", t.engine);
        let admin = t.admin_token.as_str();
        let created = t
            .post("/api/v1/orgs", admin, json!({"name": "Valley County Hospital", "kind": "operator", "sector": "healthcare_and_public_health"}))
            .await;
        assert_eq!(created.status, 201, "{}", created.text);
        let hospital = created.body["id"].as_str().expect("id").to_owned();
        let other = t
            .org(
                "First Prairie Bank",
                OrgKind::Operator,
                Some(Sector::FinancialServices),
            )
            .await;

        let person = t
            .post(
                "/api/v1/people",
                admin,
                json!({"email": "Sam@Valley.example", "display_name": "Sam", "org_id": hospital, "role": "manager", "password": "a long enough password"}),
            )
            .await;
        assert_eq!(person.status, 201, "{}", person.text);
        assert_eq!(person.body["email"], "sam@valley.example");
        assert_eq!(person.body["memberships"][0]["role"], "manager");

        let token = t
            .post(
                &format!("/api/v1/orgs/{hospital}/tokens"),
                admin,
                json!({"name": "sbom upload", "role": "operator_contact", "expires_in_days": 30}),
            )
            .await;
        assert_eq!(token.status, 201, "{}", token.text);
        let secret = token.body["secret"].as_str().expect("secret").to_owned();
        assert!(secret.starts_with("chtok_"));

        let me = t.get("/api/v1/me", &secret).await;
        assert_eq!(me.body["kind"], "token");
        assert_eq!(
            me.body["grants"][0]["org_id"].as_str(),
            Some(hospital.as_str())
        );

        let orgs = t.get("/api/v1/orgs", &secret).await;
        let names: Vec<_> = orgs.body["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|o| o["name"].as_str().unwrap_or_default().to_owned())
            .collect();
        assert_eq!(
            names,
            vec!["Valley County Hospital"],
            "an operator sees only its own organization"
        );
        assert_problem(
            &t.get(&format!("/api/v1/orgs/{}", other.id), &secret).await,
            404,
            "not found",
        );
        assert_eq!(
            t.get(&format!("/api/v1/orgs/{hospital}"), &secret)
                .await
                .status,
            200
        );

        // The token list never shows secrets, only prefixes.
        let tokens = t
            .get(&format!("/api/v1/orgs/{hospital}/tokens"), admin)
            .await;
        assert_eq!(tokens.status, 200);
        assert!(!tokens.text.contains(&secret));
        assert!(
            tokens.body["items"][0]["prefix"]
                .as_str()
                .is_some_and(|p| secret.starts_with(p))
        );

        // Revocation takes effect at once.
        let id = token.body["token"]["id"].as_str().expect("token id");
        let revoked = t
            .post(&format!("/api/v1/tokens/{id}/revoke"), admin, json!({}))
            .await;
        assert_eq!(revoked.status, 200, "{}", revoked.text);
        assert_eq!(revoked.body["active"], false);
        assert_problem(&t.get("/api/v1/me", &secret).await, 401, "revoked");
    }
}

#[tokio::test]
async fn lists_are_paginated_with_cursors() {
    for t in spawn_apps().await {
        for i in 0..7 {
            t.org(&format!("Vendor {i}"), OrgKind::Vendor, None).await;
        }
        let mut seen = Vec::new();
        let mut path = "/api/v1/orgs?limit=3".to_owned();
        loop {
            let page = t.get(&path, &t.admin_token).await;
            assert_eq!(page.status, 200, "{}", page.text);
            let items = page.body["items"].as_array().expect("items");
            assert!(items.len() <= 3);
            seen.extend(
                items
                    .iter()
                    .map(|o| o["id"].as_str().unwrap_or_default().to_owned()),
            );
            match page.body["next_cursor"].as_str() {
                Some(cursor) => path = format!("/api/v1/orgs?limit=3&cursor={cursor}"),
                None => break,
            }
        }
        let mut unique = seen.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(seen.len(), 8, "7 vendors and the administration, each once");
        assert_eq!(unique.len(), 8);
    }
}

#[tokio::test]
async fn rate_limits_apply_per_token_and_say_when_to_retry() {
    let db = clearinghouse_testkit::sqlite();
    let config = clearinghouse_server::ServerConfig {
        rate_per_second: std::num::NonZeroU32::new(1).expect("non-zero"),
        rate_burst: std::num::NonZeroU32::new(3).expect("non-zero"),
        ..Default::default()
    };
    let t = crate::support::spawn_on(db, config).await;
    let mut statuses = Vec::new();
    for _ in 0..5 {
        statuses.push(t.get("/api/v1/me", &t.admin_token).await.status.as_u16());
    }
    assert_eq!(&statuses[..3], &[200, 200, 200]);
    assert!(statuses[3..].contains(&429), "{statuses:?}");
    let limited = t
        .http
        .get(format!("{}/api/v1/me", t.base))
        .bearer_auth(&t.admin_token)
        .send()
        .await
        .expect("sent");
    assert_eq!(limited.status(), 429);
    assert!(limited.headers().get("retry-after").is_some());
    // Another token has its own budget.
    let other = t
        .token(
            &t.org("Acme", OrgKind::Vendor, None).await,
            Role::VendorContact,
        )
        .await;
    assert_eq!(t.get("/api/v1/me", &other).await.status, 200);
}

#[tokio::test]
async fn health_metrics_and_request_ids() {
    for t in spawn_apps().await {
        let health = t.request(Method::GET, "/healthz", None, None).await;
        assert_eq!(health.status, 200);
        assert_eq!(health.body["engine"], t.engine);
        t.get("/api/v1/me", &t.admin_token).await;
        let metrics = t.request(Method::GET, "/metrics", None, None).await;
        assert!(metrics.content_type.starts_with("text/plain"));
        assert!(metrics.text.contains(r#"clearinghouse_http_requests_total{method="GET",route="/api/v1/me",status="200"} 1"#), "{}", metrics.text);
        assert!(!metrics.text.contains(&t.admin_token));
        let response = t
            .http
            .get(format!("{}/api/v1/me", t.base))
            .bearer_auth(&t.admin_token)
            .send()
            .await
            .expect("sent");
        assert!(
            response
                .headers()
                .get("x-request-id")
                .is_some_and(|v| !v.is_empty())
        );
    }
}
