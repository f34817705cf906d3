//! Bad input anywhere gets a 4xx problem+json that names the problem, and changes nothing.

use reqwest::Method;
use serde_json::json;

use crate::support::{assert_problem, spawn_apps};

#[tokio::test]
async fn malformed_requests_are_refused_with_located_problems_and_change_nothing() {
    for t in spawn_apps().await {
        eprintln!("engine: {}", t.engine);
        let admin = t.admin_token.as_str();
        let url = format!("{}/api/v1/orgs", t.base);
        let before_log = t.log_size().await;
        let before_orgs = t.get("/api/v1/orgs?limit=500", admin).await.body["items"]
            .as_array()
            .map_or(0, Vec::len);

        let truncated = t
            .raw(
                t.http
                    .post(&url)
                    .bearer_auth(admin)
                    .header("content-type", "application/json")
                    .body(r#"{"name": "x""#),
            )
            .await;
        assert_problem(&truncated, 400, "malformed JSON");

        let wrong_type = t
            .post("/api/v1/orgs", admin, json!({"name": 42, "kind": "vendor"}))
            .await;
        assert_problem(&wrong_type, 400, "#/name");
        assert_eq!(wrong_type.body["errors"][0]["pointer"], "#/name");

        let unknown_kind = t
            .post(
                "/api/v1/orgs",
                admin,
                json!({"name": "x", "kind": "plumber"}),
            )
            .await;
        assert_problem(&unknown_kind, 400, "#/kind");

        let unknown_field = t
            .post(
                "/api/v1/orgs",
                admin,
                json!({"name": "x", "kind": "vendor", "colour": "red"}),
            )
            .await;
        assert_problem(&unknown_field, 400, "colour");

        let missing = t
            .post("/api/v1/orgs", admin, json!({"kind": "vendor"}))
            .await;
        assert_problem(&missing, 400, "missing field `name`");

        let invalid = t
            .post(
                "/api/v1/orgs",
                admin,
                json!({"name": "   ", "kind": "vendor"}),
            )
            .await;
        assert_problem(&invalid, 422, "name: must not be empty");

        let no_sector = t
            .post(
                "/api/v1/orgs",
                admin,
                json!({"name": "Hospital", "kind": "operator"}),
            )
            .await;
        assert_problem(&no_sector, 422, "sector");

        let not_json = t
            .raw(
                t.http
                    .post(&url)
                    .bearer_auth(admin)
                    .header("content-type", "text/plain")
                    .body("name=x"),
            )
            .await;
        assert_problem(&not_json, 415, "application/json");

        let huge = format!(
            r#"{{"name": "{}", "kind": "vendor"}}"#,
            "x".repeat(2 * 1024 * 1024)
        );
        let oversized = t
            .raw(
                t.http
                    .post(&url)
                    .bearer_auth(admin)
                    .header("content-type", "application/json")
                    .body(huge),
            )
            .await;
        assert_problem(&oversized, 413, "limit of 1048576 bytes");

        let bad_query = t.get("/api/v1/orgs?limit=many", admin).await;
        assert_problem(&bad_query, 400, "limit");

        let bad_id = t.get("/api/v1/orgs/not-a-uuid", admin).await;
        assert_problem(&bad_id, 404, "not-a-uuid");
        let unknown_id = t
            .get("/api/v1/orgs/01a20000-0000-7000-8000-000000000000", admin)
            .await;
        assert_problem(&unknown_id, 404, "not found");
        let unknown_token = t
            .post(
                "/api/v1/tokens/01a20000-0000-7000-8000-000000000000/revoke",
                admin,
                json!({}),
            )
            .await;
        assert_problem(&unknown_token, 404, "not found");
        let unknown_route = t.get("/api/v1/nothing-here", admin).await;
        assert_problem(&unknown_route, 404, "no API route");

        let bad_days = t
            .post(
                &format!(
                    "/api/v1/orgs/{}/tokens",
                    t.app
                        .org_by_name(
                            &clearinghouse_domain::authz::Actor::system(),
                            clearinghouse_app::bootstrap::ADMIN_ORG_NAME
                        )
                        .await
                        .expect("org")
                        .id
                ),
                admin,
                json!({"name": "x", "role": "member", "expires_in_days": 1000}),
            )
            .await;
        assert_problem(&bad_days, 422, "expires_in_days");

        let no_auth = t.request(Method::GET, "/api/v1/orgs", None, None).await;
        assert_problem(&no_auth, 401, "Bearer");
        let bad_auth = t
            .raw(t.http.get(&url).header("authorization", "Basic abc"))
            .await;
        assert_problem(&bad_auth, 401, "Bearer");
        let unknown_token_auth = t.get("/api/v1/orgs", "chtok_unknown").await;
        assert_problem(&unknown_token_auth, 401, "unknown token");

        assert_eq!(
            t.log_size().await,
            before_log,
            "no refused request wrote to the log"
        );
        let after_orgs = t.get("/api/v1/orgs?limit=500", admin).await.body["items"]
            .as_array()
            .map_or(0, Vec::len);
        assert_eq!(
            after_orgs, before_orgs,
            "no refused request created anything"
        );
    }
}

#[tokio::test]
async fn cookie_sessions_need_the_csrf_token_for_writes() {
    for t in spawn_apps().await {
        let system = clearinghouse_domain::authz::Actor::system();
        let admin_org = t
            .app
            .org_by_name(&system, clearinghouse_app::bootstrap::ADMIN_ORG_NAME)
            .await
            .expect("org");
        t.app
            .create_person(
                &system,
                clearinghouse_app::participants::PersonRequest {
                    person: clearinghouse_domain::NewPerson::parse("ops@admin.example", "Ops")
                        .expect("valid"),
                    org: admin_org.id,
                    role: clearinghouse_domain::Role::Admin,
                    password: Some("correct horse battery staple".into()),
                },
            )
            .await
            .expect("person");
        let session = t
            .app
            .sign_in_with_password("ops@admin.example", "correct horse battery staple")
            .await
            .expect("signs in");
        let cookie = format!("ch_session={}", session.secret);
        let url = format!("{}/api/v1/orgs", t.base);
        let body = json!({"name": "Via cookie", "kind": "vendor"});
        let without = t
            .raw(t.http.post(&url).header("cookie", &cookie).json(&body))
            .await;
        assert_problem(&without, 403, "CSRF");
        let with = t
            .raw(
                t.http
                    .post(&url)
                    .header("cookie", &cookie)
                    .header("x-csrf-token", &session.csrf_token)
                    .json(&body),
            )
            .await;
        assert_eq!(with.status, 201, "{}", with.text);
        let read = t.raw(t.http.get(&url).header("cookie", &cookie)).await;
        assert_eq!(read.status, 200, "safe methods need no CSRF token");
        assert!(
            t.app
                .sign_in_with_password("ops@admin.example", "wrong password!!")
                .await
                .is_err()
        );
    }
}
