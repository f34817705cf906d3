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
    /// Administrators and analysts (imports, aggregate exposure); others get 403.
    AnalystsAndAdmins,
    /// The operator's contacts and managers; others get the status given. Not administrators:
    /// inventories are the operator's own.
    OperatorWriters(u16),
    /// Another operator's inventory: nobody, ever. Those who may know the organization exists get
    /// 403, everyone else 404.
    OtherOperator,
    /// An object outside the caller's operator (or none at all): 404 for everyone.
    NotFoundForAll,
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
            Rule::AnalystsAndAdmins => matches!(role, Role::Admin | Role::Analyst),
            Rule::OperatorWriters(_) => matches!(role, Role::OperatorContact | Role::Manager),
            Rule::OtherOperator | Rule::NotFoundForAll => false,
        };
        match (allowed, self) {
            (true, _) => success,
            (false, Rule::AdminOrManager(deny)) => deny,
            (false, Rule::OperatorWriters(deny)) => deny,
            (false, Rule::OtherOperator) => {
                if matches!(role, Role::Admin | Role::Analyst | Role::Auditor) {
                    403
                } else {
                    404
                }
            }
            (false, Rule::NotFoundForAll) => 404,
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
    own_asset: String,
    other_asset: String,
    own_upload: String,
    other_upload: String,
    vulnerability: String,
    advisory: String,
}

fn osv_record(n: usize) -> Value {
    json!({"id": format!("MATRIX-{n}"), "modified": "2026-01-01T00:00:00Z", "aliases": [format!("CVE-2026-{:05}", 10000 + n)],
           "affected": [{"package": {"ecosystem": "PyPI", "name": "matrix-lib"},
                         "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.0"}]}]}]})
}

fn asset_body(n: usize) -> Value {
    json!({"name": format!("asset {n}"), "mission_impact": "mef_failure", "safety_impact": "critical", "exposure": "open"})
}

fn vex_body() -> Value {
    json!({"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
           "vulnerabilities": [{"id": "CVE-2026-10000", "analysis": {"state": "not_affected", "justification": "code_not_reachable"},
                                "affects": [{"ref": "pkg:pypi/matrix-lib@1.0"}]}]})
}

fn sbom_body() -> Value {
    json!({"bomFormat": "CycloneDX", "specVersion": "1.5",
           "components": [{"type": "library", "name": "matrix-lib", "version": "1.0", "purl": "pkg:pypi/matrix-lib@1.0"}]})
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
        Row {
            method: Method::POST,
            template: "/api/v1/imports/{kind}",
            rule: AnalystsAndAdmins,
            success: 200,
            request: |_, n| {
                let document = json!({"location": format!("matrix-{n}.json"), "content": osv_record(n).to_string()});
                (
                    "/api/v1/imports/osv".into(),
                    Some(json!({"documents": [document]})),
                )
            },
        },
        Row {
            method: Method::GET,
            template: "/api/v1/vulnerabilities",
            rule: Authenticated,
            success: 200,
            request: |_, _| ("/api/v1/vulnerabilities?q=CVE-2026".into(), None),
        },
        Row {
            method: Method::GET,
            template: "/api/v1/vulnerabilities/{id}",
            rule: Authenticated,
            success: 200,
            request: |f, _| (format!("/api/v1/vulnerabilities/{}", f.vulnerability), None),
        },
        Row {
            method: Method::GET,
            template: "/api/v1/vulnerabilities/{id}/exposure",
            rule: AnalystsAndAdmins,
            success: 200,
            request: |f, _| {
                (
                    format!("/api/v1/vulnerabilities/{}/exposure", f.vulnerability),
                    None,
                )
            },
        },
        Row {
            method: Method::GET,
            template: "/api/v1/exposure",
            rule: AnalystsAndAdmins,
            success: 200,
            request: |_, _| ("/api/v1/exposure".into(), None),
        },
        Row {
            method: Method::GET,
            template: "/api/v1/advisories",
            rule: Authenticated,
            success: 200,
            request: |_, _| ("/api/v1/advisories?source=osv".into(), None),
        },
        Row {
            method: Method::GET,
            template: "/api/v1/advisories/{id}",
            rule: Authenticated,
            success: 200,
            request: |f, _| (format!("/api/v1/advisories/{}", f.advisory), None),
        },
        Row {
            method: Method::GET,
            template: "/api/v1/advisories/{id}/document",
            rule: Authenticated,
            success: 200,
            request: |f, _| (format!("/api/v1/advisories/{}/document", f.advisory), None),
        },
        Row {
            method: Method::POST,
            template: "/api/v1/orgs/{id}/assets",
            rule: OperatorWriters(403),
            success: 201,
            request: |f, n| {
                (
                    format!("/api/v1/orgs/{}/assets", f.own_org),
                    Some(asset_body(n)),
                )
            },
        },
        Row {
            method: Method::POST,
            template: "/api/v1/orgs/{id}/assets",
            rule: OtherOperator,
            success: 201,
            request: |f, n| {
                (
                    format!("/api/v1/orgs/{}/assets", f.other_org),
                    Some(asset_body(n)),
                )
            },
        },
        Row {
            method: Method::GET,
            template: "/api/v1/orgs/{id}/assets",
            rule: Authenticated,
            success: 200,
            request: |f, _| (format!("/api/v1/orgs/{}/assets", f.own_org), None),
        },
        Row {
            method: Method::GET,
            template: "/api/v1/orgs/{id}/assets",
            rule: OtherOperator,
            success: 200,
            request: |f, _| (format!("/api/v1/orgs/{}/assets", f.other_org), None),
        },
        Row {
            method: Method::GET,
            template: "/api/v1/assets/{id}",
            rule: Authenticated,
            success: 200,
            request: |f, _| (format!("/api/v1/assets/{}", f.own_asset), None),
        },
        Row {
            method: Method::GET,
            template: "/api/v1/assets/{id}",
            rule: NotFoundForAll,
            success: 200,
            request: |f, _| (format!("/api/v1/assets/{}", f.other_asset), None),
        },
        Row {
            method: Method::PUT,
            template: "/api/v1/assets/{id}",
            rule: OperatorWriters(403),
            success: 200,
            request: |f, _| {
                (
                    format!("/api/v1/assets/{}", f.own_asset),
                    Some(asset_body(0)),
                )
            },
        },
        Row {
            method: Method::PUT,
            template: "/api/v1/assets/{id}",
            rule: NotFoundForAll,
            success: 200,
            request: |f, _| {
                (
                    format!("/api/v1/assets/{}", f.other_asset),
                    Some(asset_body(1)),
                )
            },
        },
        Row {
            method: Method::POST,
            template: "/api/v1/assets/{id}/uploads",
            rule: OperatorWriters(403),
            success: 201,
            request: |f, _| {
                (
                    format!("/api/v1/assets/{}/uploads", f.own_asset),
                    Some(sbom_body()),
                )
            },
        },
        Row {
            method: Method::POST,
            template: "/api/v1/assets/{id}/uploads",
            rule: NotFoundForAll,
            success: 201,
            request: |f, _| {
                (
                    format!("/api/v1/assets/{}/uploads", f.other_asset),
                    Some(sbom_body()),
                )
            },
        },
        Row {
            method: Method::GET,
            template: "/api/v1/assets/{id}/uploads",
            rule: Authenticated,
            success: 200,
            request: |f, _| (format!("/api/v1/assets/{}/uploads", f.own_asset), None),
        },
        Row {
            method: Method::GET,
            template: "/api/v1/assets/{id}/uploads",
            rule: NotFoundForAll,
            success: 200,
            request: |f, _| (format!("/api/v1/assets/{}/uploads", f.other_asset), None),
        },
        Row {
            method: Method::GET,
            template: "/api/v1/uploads/{id}",
            rule: Authenticated,
            success: 200,
            request: |f, _| (format!("/api/v1/uploads/{}", f.own_upload), None),
        },
        Row {
            method: Method::GET,
            template: "/api/v1/uploads/{id}",
            rule: NotFoundForAll,
            success: 200,
            request: |f, _| (format!("/api/v1/uploads/{}", f.other_upload), None),
        },
        Row {
            method: Method::GET,
            template: "/api/v1/orgs/{id}/matches",
            rule: Authenticated,
            success: 200,
            request: |f, _| (format!("/api/v1/orgs/{}/matches", f.own_org), None),
        },
        Row {
            method: Method::GET,
            template: "/api/v1/orgs/{id}/matches",
            rule: OtherOperator,
            success: 200,
            request: |f, _| (format!("/api/v1/orgs/{}/matches", f.other_org), None),
        },
        Row {
            method: Method::GET,
            template: "/api/v1/orgs/{id}/priorities",
            rule: Authenticated,
            success: 200,
            request: |f, _| (format!("/api/v1/orgs/{}/priorities", f.own_org), None),
        },
        Row {
            method: Method::GET,
            template: "/api/v1/orgs/{id}/priorities",
            rule: OtherOperator,
            success: 200,
            request: |f, _| (format!("/api/v1/orgs/{}/priorities", f.other_org), None),
        },
        Row {
            method: Method::POST,
            template: "/api/v1/orgs/{id}/subscriptions",
            rule: OperatorWriters(403),
            success: 201,
            request: |f, _| {
                (
                    format!("/api/v1/orgs/{}/subscriptions", f.own_org),
                    Some(
                        json!({"channel": "webhook", "target": "https://hooks.example.org/matrix"}),
                    ),
                )
            },
        },
        Row {
            method: Method::POST,
            template: "/api/v1/orgs/{id}/subscriptions",
            rule: OtherOperator,
            success: 201,
            request: |f, _| {
                (
                    format!("/api/v1/orgs/{}/subscriptions", f.other_org),
                    Some(json!({"channel": "email", "target": "it@other.example.org"})),
                )
            },
        },
        Row {
            method: Method::GET,
            template: "/api/v1/orgs/{id}/subscriptions",
            rule: OperatorWriters(403),
            success: 200,
            request: |f, _| (format!("/api/v1/orgs/{}/subscriptions", f.own_org), None),
        },
        Row {
            method: Method::GET,
            template: "/api/v1/orgs/{id}/subscriptions",
            rule: OtherOperator,
            success: 200,
            request: |f, _| (format!("/api/v1/orgs/{}/subscriptions", f.other_org), None),
        },
        // The subscription id is filled in per attempt by the runner (see `subscription_path`).
        Row {
            method: Method::DELETE,
            template: "/api/v1/subscriptions/{id}",
            rule: OperatorWriters(404),
            success: 204,
            request: |_, _| (String::new(), None),
        },
        Row {
            method: Method::GET,
            template: "/api/v1/orgs/{id}/deliveries",
            rule: OperatorWriters(403),
            success: 200,
            request: |f, _| {
                (
                    format!("/api/v1/orgs/{}/deliveries?status=dead", f.own_org),
                    None,
                )
            },
        },
        Row {
            method: Method::GET,
            template: "/api/v1/orgs/{id}/deliveries",
            rule: OtherOperator,
            success: 200,
            request: |f, _| (format!("/api/v1/orgs/{}/deliveries", f.other_org), None),
        },
        Row {
            method: Method::POST,
            template: "/api/v1/orgs/{id}/vex",
            rule: OperatorWriters(403),
            success: 201,
            request: |f, _| (format!("/api/v1/orgs/{}/vex", f.own_org), Some(vex_body())),
        },
        Row {
            method: Method::POST,
            template: "/api/v1/orgs/{id}/vex",
            rule: OtherOperator,
            success: 201,
            request: |f, _| {
                (
                    format!("/api/v1/orgs/{}/vex", f.other_org),
                    Some(vex_body()),
                )
            },
        },
        Row {
            method: Method::GET,
            template: "/api/v1/orgs/{id}/vex",
            rule: Authenticated,
            success: 200,
            request: |f, _| (format!("/api/v1/orgs/{}/vex", f.own_org), None),
        },
        Row {
            method: Method::GET,
            template: "/api/v1/orgs/{id}/vex",
            rule: OtherOperator,
            success: 200,
            request: |f, _| (format!("/api/v1/orgs/{}/vex", f.other_org), None),
        },
        Row {
            method: Method::DELETE,
            template: "/api/v1/orgs/{id}/vex/{submission}",
            rule: OperatorWriters(403),
            success: 200,
            // Replaced per attempt by a live submission of the caller's operator.
            request: |f, _| (format!("/api/v1/orgs/{}/vex/none", f.own_org), None),
        },
        Row {
            method: Method::DELETE,
            template: "/api/v1/orgs/{id}/vex/{submission}",
            rule: OtherOperator,
            success: 200,
            request: |f, _| {
                (
                    format!(
                        "/api/v1/orgs/{}/vex/{}",
                        f.other_org,
                        clearinghouse_domain::VexSubmissionId::generate()
                    ),
                    None,
                )
            },
        },
        Row {
            method: Method::POST,
            template: "/api/v1/deliveries/{id}/retry",
            rule: NotFoundForAll,
            success: 202,
            request: |_, _| {
                (
                    format!(
                        "/api/v1/deliveries/{}/retry",
                        clearinghouse_domain::DeliveryId::generate()
                    ),
                    Some(json!({})),
                )
            },
        },
    ]
}

async fn subscription_path(t: &TestApp, own_org: &clearinghouse_domain::Organization) -> String {
    let (subscription, _) = t
        .app
        .create_subscription(
            &clearinghouse_domain::authz::Actor::system(),
            own_org.id,
            clearinghouse_app::notify::SubscriptionRequest {
                channel: clearinghouse_domain::notify::Channel::Email,
                target: "victim@matrix.example.org".into(),
                decisions: vec![],
                mode: clearinghouse_domain::notify::DeliveryMode::Daily,
            },
        )
        .await
        .expect("subscription");
    format!("/api/v1/subscriptions/{}", subscription.id)
}

/// Assets, an upload on each side, and one vulnerability, made as the system.
async fn inventory_fixture(
    t: &TestApp,
    own: &clearinghouse_domain::Organization,
    other: &clearinghouse_domain::Organization,
) -> [String; 6] {
    use clearinghouse_domain::inventory::{Exposure, MissionImpact, NewAsset, SafetyImpact};
    let system = clearinghouse_domain::authz::Actor::system();
    let summary = t
        .app
        .import_documents(
            &system,
            clearinghouse_app::knowledge::ImportKind::Osv,
            vec![clearinghouse_app::knowledge::SourceDocument {
                location: "fixture.json".into(),
                bytes: osv_record(0).to_string().into_bytes(),
            }],
        )
        .await
        .expect("import");
    assert_eq!(summary.new, 1);
    let mut ids = Vec::new();
    for org in [own, other] {
        let asset = t
            .app
            .create_asset(
                &system,
                org.id,
                NewAsset::parse(
                    "fixture",
                    MissionImpact::Degraded,
                    SafetyImpact::Negligible,
                    Exposure::Small,
                    None,
                    false,
                )
                .expect("asset"),
            )
            .await
            .expect("asset");
        let upload = t
            .app
            .upload_inventory(&system, asset.id, sbom_body().to_string().as_bytes())
            .await
            .expect("upload");
        assert_eq!(
            upload.matching.added, 1,
            "the fixture SBOM matches the fixture advisory"
        );
        ids.push(asset.id.to_string());
        ids.push(upload.upload.id.to_string());
    }
    let details = t
        .app
        .vulnerability(&system, "CVE-2026-10000")
        .await
        .expect("vulnerability");
    [
        ids[0].clone(),
        ids[2].clone(),
        ids[1].clone(),
        ids[3].clone(),
        details.vulnerability.id.to_string(),
        details.sources[0].id.to_string(),
    ]
}

/// A live VEX submission of the caller's operator, to withdraw.
async fn vex_withdraw_path(t: &TestApp, own_org: &clearinghouse_domain::Organization) -> String {
    let outcome = t
        .app
        .submit_vex(
            &clearinghouse_domain::authz::Actor::system(),
            own_org.id,
            vex_body().to_string().as_bytes(),
        )
        .await
        .expect("VEX submission");
    format!("/api/v1/orgs/{}/vex/{}", own_org.id, outcome.submission.id)
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
        let [
            own_asset,
            other_asset,
            own_upload,
            other_upload,
            vulnerability,
            advisory,
        ] = inventory_fixture(&t, &own, &other).await;
        let fixture = Fixture {
            own_org: own.id.to_string(),
            other_org: other.id.to_string(),
            person: person.person.id.to_string(),
            own_asset,
            other_asset,
            own_upload,
            other_upload,
            vulnerability,
            advisory,
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
                if row.template == "/api/v1/subscriptions/{id}" {
                    path = subscription_path(&t, &own).await;
                }
                if row.template == "/api/v1/orgs/{id}/vex/{submission}" && path.ends_with("/none") {
                    path = vex_withdraw_path(&t, &own).await;
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
