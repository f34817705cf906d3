//! Every API route × every role (and no credentials at all), checked against one table of
//! expected outcomes. The table must name every route in the OpenAPI document, so a new route
//! cannot ship without a row here.

use std::collections::BTreeSet;

use clearinghouse_domain::{OrgKind, Role, Sector};
use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{TestApp, spawn_apps};

/// Who may use a route.
#[derive(Clone, Copy, Debug)]
enum Rule {
    /// Anyone, even without credentials.
    Public,
    /// Any valid token.
    Authenticated,
    /// Administrators; others get 403.
    AdminOnly,
    /// Administrators and the organization's managers; others get the status given.
    AdminOrManager(u16),
    /// Administrators, analysts and auditors (who see across organizations); others get 404.
    CrossOrgReaders,
    /// Administrators and auditors; others get 403.
    LogReaders,
}

impl Rule {
    fn expected(self, role: Option<Role>, success: u16) -> u16 {
        let Some(role) = role else {
            return if matches!(self, Rule::Public) {
                success
            } else {
                401
            };
        };
        let allowed = match self {
            Rule::Public | Rule::Authenticated => true,
            Rule::AdminOnly => role == Role::Admin,
            Rule::AdminOrManager(_) => matches!(role, Role::Admin | Role::Manager),
            Rule::CrossOrgReaders => matches!(role, Role::Admin | Role::Analyst | Role::Auditor),
            Rule::LogReaders => matches!(role, Role::Admin | Role::Auditor),
        };
        match (allowed, self) {
            (true, _) => success,
            (false, Rule::AdminOrManager(deny)) => deny,
            (false, Rule::CrossOrgReaders) => 404,
            (false, _) => 403,
        }
    }
}

/// The objects the requests refer to.
struct Fixture {
    own_org: String,
    other_org: String,
    person: String,
}

struct Row {
    method: Method,
    /// The OpenAPI path template this row exercises.
    template: &'static str,
    rule: Rule,
    success: u16,
    /// The concrete path and body for one attempt (attempt number makes writes unique).
    request: fn(&Fixture, usize) -> (String, Option<Value>),
}

fn table() -> Vec<Row> {
    use Rule::*;
    vec![
        Row {
            method: Method::GET,
            template: "/api/v1/me",
            rule: Authenticated,
            success: 200,
            request: |_, _| ("/api/v1/me".into(), None),
        },
        Row {
            method: Method::GET,
            template: "/api/v1/orgs",
            rule: Authenticated,
            success: 200,
            request: |_, _| ("/api/v1/orgs".into(), None),
        },
        Row {
            method: Method::POST,
            template: "/api/v1/orgs",
            rule: AdminOnly,
            success: 201,
            request: |_, n| {
                (
                    "/api/v1/orgs".into(),
                    Some(json!({"name": format!("Matrix vendor {n}"), "kind": "vendor"})),
                )
            },
        },
        Row {
            method: Method::GET,
            template: "/api/v1/orgs/{id}",
            rule: Authenticated,
            success: 200,
            request: |f, _| (format!("/api/v1/orgs/{}", f.own_org), None),
        },
        Row {
            method: Method::GET,
            template: "/api/v1/orgs/{id}",
            rule: CrossOrgReaders,
            success: 200,
            request: |f, _| (format!("/api/v1/orgs/{}", f.other_org), None),
        },
        Row {
            method: Method::GET,
            template: "/api/v1/orgs/{id}/members",
            rule: Authenticated,
            success: 200,
            request: |f, _| (format!("/api/v1/orgs/{}/members", f.own_org), None),
        },
        Row {
            method: Method::GET,
            template: "/api/v1/orgs/{id}/members",
            rule: CrossOrgReaders,
            success: 200,
            request: |f, _| (format!("/api/v1/orgs/{}/members", f.other_org), None),
        },
        Row {
            method: Method::GET,
            template: "/api/v1/orgs/{id}/tokens",
            rule: AdminOrManager(403),
            success: 200,
            request: |f, _| (format!("/api/v1/orgs/{}/tokens", f.own_org), None),
        },
        Row {
            method: Method::POST,
            template: "/api/v1/orgs/{id}/tokens",
            rule: AdminOnly,
            success: 201,
            request: |f, _| {
                (
                    format!("/api/v1/orgs/{}/tokens", f.own_org),
                    Some(json!({"name": "matrix", "role": "member"})),
                )
            },
        },
        // The victim token id is filled in per attempt by the runner (see `revoke_path`).
        Row {
            method: Method::POST,
            template: "/api/v1/tokens/{id}/revoke",
            rule: AdminOrManager(403),
            success: 200,
            request: |_, _| (String::new(), Some(json!({}))),
        },
        Row {
            method: Method::GET,
            template: "/api/v1/people",
            rule: Authenticated,
            success: 200,
            request: |_, _| ("/api/v1/people".into(), None),
        },
        Row {
            method: Method::POST,
            template: "/api/v1/people",
            rule: AdminOrManager(403),
            success: 201,
            request: |f, n| {
                let body = json!({"email": format!("matrix{n}@example.org"), "display_name": "Matrix", "org_id": f.own_org, "role": "member"});
                ("/api/v1/people".into(), Some(body))
            },
        },
        Row {
            method: Method::GET,
            template: "/api/v1/people/{id}",
            rule: AdminOrManager(404),
            success: 200,
            request: |f, _| (format!("/api/v1/people/{}", f.person), None),
        },
        Row {
            method: Method::POST,
            template: "/api/v1/people/{id}/memberships",
            rule: AdminOrManager(404),
            success: 204,
            request: |f, _| {
                (
                    format!("/api/v1/people/{}/memberships", f.person),
                    Some(json!({"org_id": f.own_org, "role": "member"})),
                )
            },
        },
        Row {
            method: Method::GET,
            template: "/api/v1/log/checkpoint",
            rule: LogReaders,
            success: 200,
            request: |_, _| ("/api/v1/log/checkpoint".into(), None),
        },
        Row {
            method: Method::GET,
            template: "/api/v1/log/key",
            rule: Public,
            success: 200,
            request: |_, _| ("/api/v1/log/key".into(), None),
        },
        Row {
            method: Method::GET,
            template: "/api/v1/log/entries",
            rule: LogReaders,
            success: 200,
            request: |_, _| ("/api/v1/log/entries".into(), None),
        },
        Row {
            method: Method::GET,
            template: "/api/v1/log/entries/{index}",
            rule: LogReaders,
            success: 200,
            request: |_, _| ("/api/v1/log/entries/0".into(), None),
        },
        Row {
            method: Method::GET,
            template: "/api/v1/log/proof/inclusion",
            rule: LogReaders,
            success: 200,
            request: |_, _| {
                (
                    "/api/v1/log/proof/inclusion?index=0&tree_size=2".into(),
                    None,
                )
            },
        },
        Row {
            method: Method::GET,
            template: "/api/v1/log/proof/consistency",
            rule: LogReaders,
            success: 200,
            request: |_, _| ("/api/v1/log/proof/consistency?from=1&to=2".into(), None),
        },
    ]
}

async fn revoke_path(t: &TestApp, own_org: &clearinghouse_domain::Organization) -> String {
    let victim = t
        .app
        .create_token(
            &clearinghouse_domain::authz::Actor::system(),
            clearinghouse_app::participants::TokenRequest {
                org: own_org.id,
                role: Role::Member,
                name: "victim".into(),
                expires_in_days: Some(1),
            },
        )
        .await
        .expect("victim token");
    format!("/api/v1/tokens/{}/revoke", victim.info.id)
}

#[tokio::test]
async fn every_route_times_every_role_matches_the_table() {
    for t in spawn_apps().await {
        eprintln!("engine: {}", t.engine);
        let own = t
            .org("Matrix Operator", OrgKind::Operator, Some(Sector::Energy))
            .await;
        let other = t
            .org("Someone Else", OrgKind::Operator, Some(Sector::Dams))
            .await;
        let person = t
            .app
            .create_person(
                &clearinghouse_domain::authz::Actor::system(),
                clearinghouse_app::participants::PersonRequest {
                    person: clearinghouse_domain::NewPerson::parse(
                        "member@matrix.example",
                        "Member",
                    )
                    .expect("valid"),
                    org: own.id,
                    role: Role::OperatorContact,
                    password: None,
                },
            )
            .await
            .expect("person");
        let fixture = Fixture {
            own_org: own.id.to_string(),
            other_org: other.id.to_string(),
            person: person.person.id.to_string(),
        };
        let mut tokens = vec![(None, None)];
        for role in Role::ALL {
            tokens.push((Some(*role), Some(t.token(&own, *role).await)));
        }

        let rows = table();
        let mut failures = Vec::new();
        let mut attempt = 0;
        for row in &rows {
            for (role, token) in &tokens {
                attempt += 1;
                let (mut path, body) = (row.request)(&fixture, attempt);
                if row.template == "/api/v1/tokens/{id}/revoke" {
                    path = revoke_path(&t, &own).await;
                }
                let reply = t
                    .request(row.method.clone(), &path, token.as_deref(), body)
                    .await;
                let expected = row.rule.expected(*role, row.success);
                if reply.status.as_u16() != expected {
                    failures.push(format!(
                        "{} {path} as {}: expected {expected}, got {} ({})",
                        row.method,
                        role.map_or("anonymous".to_owned(), |r| r.to_string()),
                        reply.status.as_u16(),
                        reply.text.chars().take(160).collect::<String>()
                    ));
                }
                if expected >= 400 && reply.status.is_client_error() {
                    assert_eq!(
                        reply.content_type, "application/problem+json",
                        "{} {path}",
                        row.method
                    );
                }
            }
        }
        assert!(
            failures.is_empty(),
            "{} authorization mismatches:\n{}",
            failures.len(),
            failures.join("\n")
        );

        // The table covers every documented route.
        let doc = serde_json::to_value(clearinghouse_server::api::openapi_document()).expect("doc");
        let mut documented = BTreeSet::new();
        for (path, item) in doc["paths"].as_object().expect("paths") {
            for method in item.as_object().expect("item").keys() {
                documented.insert(format!("{} {path}", method.to_uppercase()));
            }
        }
        let covered: BTreeSet<String> = rows
            .iter()
            .map(|r| format!("{} {}", r.method, r.template))
            .collect();
        let missing: Vec<_> = documented.difference(&covered).collect();
        assert!(
            missing.is_empty(),
            "routes without a row in the authorization table: {missing:?}"
        );
    }
}
