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
    /// Finders (campaigns, the check); others get the status given.
    Finders(u16),
    /// The finder organization's finders and managers; others get the status given.
    FinderOrManager(u16),
    /// Finders and managers (who propose) and analysts and administrators (who decide); others
    /// get 403.
    Negotiators,
    /// Another organization's campaign data: analysts and administrators; auditors (who see the
    /// organization) get 403, everyone else 404.
    Coordinators,
    /// Another organization's campaign or authorization: analysts and administrators; everyone
    /// else 404.
    CoordinatorsElse404,
    /// Clearinghouse analysts; others get the status given.
    Analysts(u16),
    /// A case the caller's organization is not part of: analysts see and manage every case, for
    /// everyone else it does not exist (404).
    CaseAnalyst,
    /// The same, for an action analysts may not take on a case they see (403); others 404.
    CaseAnalystDenied,
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
            Rule::Finders(_) => role == Role::Finder,
            Rule::Analysts(_) | Rule::CaseAnalyst => role == Role::Analyst,
            Rule::CaseAnalystDenied => false,
            Rule::FinderOrManager(_) => matches!(role, Role::Finder | Role::Manager),
            Rule::Negotiators => {
                matches!(
                    role,
                    Role::Finder | Role::Manager | Role::Admin | Role::Analyst
                )
            }
            Rule::Coordinators | Rule::CoordinatorsElse404 => {
                matches!(role, Role::Admin | Role::Analyst)
            }
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
            (false, Rule::Finders(deny) | Rule::FinderOrManager(deny) | Rule::Analysts(deny)) => {
                deny
            }
            (false, Rule::CaseAnalyst) => 404,
            (false, Rule::CaseAnalystDenied) => {
                if role == Role::Analyst {
                    403
                } else {
                    404
                }
            }
            (false, Rule::Coordinators) if role == Role::Auditor => 403,
            (false, Rule::Coordinators | Rule::CoordinatorsElse404) => 404,
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
    /// A case of other organizations, with two findings, a vendor and a proof of concept.
    case: String,
    case_finding: String,
    case_second_finding: String,
    case_attachment: String,
    case_vendor: String,
    campaigns: CampaignFixture,
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
        // Coordination (#5). Every token acts for "Matrix Operator", which is not part of the
        // fixture case: only analysts see it; for everyone else it does not exist.
        Row {
            method: Method::POST,
            template: "/api/v1/findings",
            rule: Finders(403),
            success: 201,
            request: |_, n| ("/api/v1/findings".into(), Some(matrix_finding(n))),
        },
        Row {
            method: Method::POST,
            template: "/api/v1/findings/sarif",
            rule: Finders(403),
            success: 200,
            request: |_, n| {
                (
                    format!("/api/v1/findings/sarif?product=pkg:pypi/matrix-sarif@{n}.0"),
                    Some(matrix_sarif()),
                )
            },
        },
        Row {
            method: Method::GET,
            template: "/api/v1/findings/{id}",
            rule: CaseAnalyst,
            success: 200,
            request: |f, _| (format!("/api/v1/findings/{}", f.case_finding), None),
        },
        Row {
            method: Method::POST,
            template: "/api/v1/findings/{id}/withdraw",
            rule: CaseAnalystDenied,
            success: 200,
            request: |f, _| {
                (
                    format!("/api/v1/findings/{}/withdraw", f.case_finding),
                    Some(json!({})),
                )
            },
        },
        Row {
            method: Method::POST,
            template: "/api/v1/findings/{id}/split",
            rule: CaseAnalyst,
            success: 201,
            request: |f, _| {
                (
                    format!("/api/v1/findings/{}/split", f.case_second_finding),
                    Some(json!({})),
                )
            },
        },
        Row {
            method: Method::GET,
            template: "/api/v1/cases",
            rule: Authenticated,
            success: 200,
            request: |_, _| ("/api/v1/cases?q=matrix".into(), None),
        },
        Row {
            method: Method::GET,
            template: "/api/v1/cases/queue",
            rule: Analysts(403),
            success: 200,
            request: |_, _| ("/api/v1/cases/queue".into(), None),
        },
        Row {
            method: Method::GET,
            template: "/api/v1/cases/{id}",
            rule: CaseAnalyst,
            success: 200,
            request: |f, _| (format!("/api/v1/cases/{}", f.case), None),
        },
        Row {
            method: Method::GET,
            template: "/api/v1/cases/{id}/export",
            rule: CaseAnalyst,
            success: 200,
            request: |f, _| (format!("/api/v1/cases/{}/export", f.case), None),
        },
        Row {
            method: Method::POST,
            template: "/api/v1/cases/{id}/transition",
            rule: CaseAnalyst,
            success: 200,
            request: |f, _| {
                (
                    format!("/api/v1/cases/{}/transition", f.case),
                    Some(json!({"to": "triaged"})),
                )
            },
        },
        Row {
            method: Method::PUT,
            template: "/api/v1/cases/{id}/disclosure",
            rule: CaseAnalyst,
            success: 200,
            request: |f, _| {
                (
                    format!("/api/v1/cases/{}/disclosure", f.case),
                    Some(json!({"tlp": "AMBER"})),
                )
            },
        },
        Row {
            method: Method::GET,
            template: "/api/v1/cases/{id}/findings",
            rule: CaseAnalyst,
            success: 200,
            request: |f, _| (format!("/api/v1/cases/{}/findings", f.case), None),
        },
        Row {
            method: Method::GET,
            template: "/api/v1/cases/{id}/members",
            rule: CaseAnalyst,
            success: 200,
            request: |f, _| (format!("/api/v1/cases/{}/members", f.case), None),
        },
        Row {
            method: Method::POST,
            template: "/api/v1/cases/{id}/members",
            rule: CaseAnalyst,
            success: 200,
            request: |f, _| {
                (
                    format!("/api/v1/cases/{}/members", f.case),
                    Some(json!({"org_id": f.case_vendor, "relation": "vendor"})),
                )
            },
        },
        Row {
            method: Method::POST,
            template: "/api/v1/cases/{id}/operators/notify",
            rule: CaseAnalyst,
            success: 200,
            request: |f, _| {
                (
                    format!("/api/v1/cases/{}/operators/notify", f.case),
                    Some(json!({})),
                )
            },
        },
        Row {
            method: Method::GET,
            template: "/api/v1/cases/{id}/validations",
            rule: CaseAnalyst,
            success: 200,
            request: |f, _| (format!("/api/v1/cases/{}/validations", f.case), None),
        },
        Row {
            method: Method::POST,
            template: "/api/v1/cases/{id}/validations",
            rule: CaseAnalystDenied,
            success: 201,
            request: |f, _| {
                (
                    format!("/api/v1/cases/{}/validations", f.case),
                    Some(json!({})),
                )
            },
        },
        Row {
            method: Method::POST,
            template: "/api/v1/validations/{id}/verdict",
            rule: NotFoundForAll,
            success: 200,
            request: |_, _| {
                (
                    format!(
                        "/api/v1/validations/{}/verdict",
                        clearinghouse_domain::ValidationId::generate()
                    ),
                    Some(json!({"verdict": "reproduced"})),
                )
            },
        },
        Row {
            method: Method::GET,
            template: "/api/v1/cases/{id}/vendor-statuses",
            rule: CaseAnalyst,
            success: 200,
            request: |f, _| (format!("/api/v1/cases/{}/vendor-statuses", f.case), None),
        },
        Row {
            method: Method::POST,
            template: "/api/v1/cases/{id}/vendor-statuses",
            rule: CaseAnalyst,
            success: 200,
            request: |f, _| {
                (
                    format!("/api/v1/cases/{}/vendor-statuses", f.case),
                    Some(
                        json!({"org_id": f.case_vendor, "product": "pkg:pypi/matrix-case-lib", "status": "affected"}),
                    ),
                )
            },
        },
        Row {
            method: Method::GET,
            template: "/api/v1/cases/{id}/comments",
            rule: CaseAnalyst,
            success: 200,
            request: |f, _| (format!("/api/v1/cases/{}/comments", f.case), None),
        },
        Row {
            method: Method::POST,
            template: "/api/v1/cases/{id}/comments",
            rule: CaseAnalyst,
            success: 201,
            request: |f, _| {
                (
                    format!("/api/v1/cases/{}/comments", f.case),
                    Some(json!({"body": "matrix"})),
                )
            },
        },
        Row {
            method: Method::GET,
            template: "/api/v1/cases/{id}/attachments",
            rule: CaseAnalyst,
            success: 200,
            request: |f, _| (format!("/api/v1/cases/{}/attachments", f.case), None),
        },
        Row {
            method: Method::POST,
            template: "/api/v1/cases/{id}/attachments",
            rule: CaseAnalyst,
            success: 201,
            request: |f, _| {
                (
                    format!("/api/v1/cases/{}/attachments", f.case),
                    Some(
                        json!({"kind": "other", "filename": "notes.txt", "media_type": "text/plain", "content_base64": "bm90ZXM="}),
                    ),
                )
            },
        },
        Row {
            method: Method::GET,
            template: "/api/v1/attachments/{id}/content",
            rule: CaseAnalyst,
            success: 200,
            request: |f, _| {
                (
                    format!("/api/v1/attachments/{}/content", f.case_attachment),
                    None,
                )
            },
        },
        Row {
            method: Method::GET,
            template: "/api/v1/merge-proposals",
            rule: Analysts(403),
            success: 200,
            request: |_, _| ("/api/v1/merge-proposals".into(), None),
        },
        Row {
            method: Method::POST,
            template: "/api/v1/merge-proposals/{id}/accept",
            rule: NotFoundForAll,
            success: 200,
            request: |_, _| {
                (
                    format!("/api/v1/merge-proposals/{}/accept", uuid::Uuid::now_v7()),
                    Some(json!({})),
                )
            },
        },
        Row {
            method: Method::POST,
            template: "/api/v1/merge-proposals/{id}/reject",
            rule: NotFoundForAll,
            success: 200,
            request: |_, _| {
                (
                    format!("/api/v1/merge-proposals/{}/reject", uuid::Uuid::now_v7()),
                    Some(json!({})),
                )
            },
        },
    ]
    .into_iter()
    .chain(campaign_rows())
    .collect()
}

fn matrix_finding(n: usize) -> Value {
    json!({"title": format!("Matrix finding {n}"), "description": "Matrix finding for the authorization table",
           "product": "pkg:pypi/matrix-submit@1.0", "cwe": "CWE-20",
           "location": {"file": "matrix.py", "function": format!("f{n}")}, "provenance": {"tool": "matrix"}})
}

fn matrix_sarif() -> Value {
    json!({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "matrix"}}, "results": []}]})
}

/// A case of two other organizations (a lab reported it twice over), with a vendor and a proof of
/// concept; made through the services as a finder token of the lab.
async fn case_fixture(t: &TestApp) -> [String; 5] {
    use clearinghouse_domain::authz::{Actor, Grant};
    let lab = t.org("Matrix Lab", OrgKind::AiDeveloper, None).await;
    let other_lab = t.org("Matrix Lab Two", OrgKind::AiDeveloper, None).await;
    let vendor = t.org("Matrix Case Vendor", OrgKind::Vendor, None).await;
    let finder = |org: &clearinghouse_domain::Organization| {
        Actor::token(
            clearinghouse_domain::TokenId::generate(),
            None,
            Grant {
                org: org.id,
                role: Role::Finder,
            },
        )
    };
    let request = |title: &str| clearinghouse_app::coordination::FindingRequest {
        title: title.into(),
        description: "A matrix case: its description is long enough to be one".into(),
        product: "pkg:pypi/matrix-case-lib@1.0".into(),
        cwe: "CWE-89".into(),
        location: clearinghouse_domain::coordination::Location {
            file: Some("matrix/db.py".into()),
            function: Some("query".into()),
            ..Default::default()
        },
        tool: "matrix".into(),
        attachments: vec![clearinghouse_app::coordination::AttachmentUpload {
            kind: clearinghouse_domain::coordination::AttachmentKind::ProofOfConcept,
            filename: "poc.txt".into(),
            media_type: "text/plain".into(),
            content: b"poc".to_vec(),
        }],
        ..Default::default()
    };
    let first = t
        .app
        .submit_finding(&finder(&lab), &request("Matrix SQL injection"), None)
        .await
        .expect("finding");
    let second = t
        .app
        .submit_finding(
            &finder(&other_lab),
            &request("Matrix SQL injection again"),
            None,
        )
        .await
        .expect("duplicate");
    assert_eq!(second.case_id, first.case_id);
    t.app
        .add_case_member(
            &Actor::system(),
            first.case_id,
            &clearinghouse_app::coordination::MemberRequest {
                org: vendor.id,
                relation: clearinghouse_domain::coordination::CaseRelation::Vendor,
                people: vec![],
            },
        )
        .await
        .expect("vendor");
    [
        first.case_id.to_string(),
        first.finding.to_string(),
        second.finding.to_string(),
        first.attachments[0].to_string(),
        vendor.id.to_string(),
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
        let [
            case,
            case_finding,
            case_second_finding,
            case_attachment,
            case_vendor,
        ] = case_fixture(&t).await;
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
            case,
            case_finding,
            case_second_finding,
            case_attachment,
            case_vendor,
            campaigns: campaign_fixture(&t, &own, &other).await,
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
                if let Some(victim) = campaign_victim(&t, &fixture.campaigns, row, attempt).await {
                    path = victim;
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

// Scan campaigns (#5): network assets, scan authorizations, blackouts, campaigns, overlaps,
// campaign tokens and the check. The caller's organization owns 10.77.0.0/16 and declares
// campaigns too; "Matrix Finder" is the other finder, the other operator owns 10.78.0.0/16.

/// Campaign objects on both sides.
struct CampaignFixture {
    own: clearinghouse_domain::OrgId,
    finder: clearinghouse_domain::OrgId,
    own_range: String,
    other_range: String,
    own_authorization: String,
    other_authorization: String,
    own_blackout: String,
    own_campaign: String,
    own_cancelled: String,
    other_campaign: String,
    overlap: String,
}

fn future(hours: i64) -> jiff::Timestamp {
    jiff::Timestamp::now() + jiff::SignedDuration::from_hours(hours)
}

fn matrix_campaign(
    finder: clearinghouse_domain::OrgId,
    name: &str,
    purl: &str,
) -> clearinghouse_app::campaigns::CampaignRequest {
    clearinghouse_app::campaigns::CampaignRequest {
        finder: Some(finder),
        name: name.into(),
        targets: vec![clearinghouse_domain::campaign::TargetInput::Purl(
            purl.into(),
        )],
        technique: clearinghouse_domain::campaign::Technique::Fuzzing,
        tool_name: "fuzzer".into(),
        tool_version: "1".into(),
        start: future(1),
        end: future(10),
        rate_limit: 5,
    }
}

async fn campaign_fixture(
    t: &TestApp,
    own: &clearinghouse_domain::Organization,
    other: &clearinghouse_domain::Organization,
) -> CampaignFixture {
    use clearinghouse_app::campaigns::{AuthorizationRequest, BlackoutRequest, RangeRequest};
    use clearinghouse_domain::campaign::TargetInput;
    let system = clearinghouse_domain::authz::Actor::system();
    let finder = t.org("Matrix Finder", OrgKind::AiDeveloper, None).await;
    let mut ranges = Vec::new();
    let mut authorizations = Vec::new();
    for (org, cidr) in [(own, "10.77.0.0/16"), (other, "10.78.0.0/16")] {
        let range = t
            .app
            .create_network_range(
                &system,
                org.id,
                RangeRequest {
                    target: TargetInput::Cidr(cidr.into()),
                    asset: None,
                    label: None,
                },
            )
            .await
            .expect("range");
        ranges.push(range.id.to_string());
        let authorization = t
            .app
            .create_scan_authorization(
                &system,
                org.id,
                AuthorizationRequest {
                    finder: finder.id,
                    scope: vec![TargetInput::Cidr(cidr.into())],
                    start: future(-1),
                    end: future(48),
                    techniques: vec![],
                    max_rate: 10,
                    note: None,
                },
            )
            .await
            .expect("authorization");
        authorizations.push(authorization.id.to_string());
    }
    let blackout = t
        .app
        .create_blackout(
            &system,
            own.id,
            BlackoutRequest {
                scope: vec![],
                start: future(100),
                end: future(101),
                reason: "matrix".into(),
            },
        )
        .await
        .expect("blackout");
    let declare = async |org, name: &str, purl: &str| {
        t.app
            .create_campaign(&system, matrix_campaign(org, name, purl))
            .await
            .expect("campaign")
    };
    let own_campaign = declare(own.id, "own", "pkg:npm/matrix-shared").await;
    let own_cancelled = declare(own.id, "cancel me", "pkg:npm/matrix-cancel").await;
    let other_campaign = declare(finder.id, "theirs", "pkg:npm/matrix-shared").await;
    let overlap = other_campaign.overlaps[0].overlap.id.to_string();
    CampaignFixture {
        own: own.id,
        finder: finder.id,
        own_range: ranges[0].clone(),
        other_range: ranges[1].clone(),
        own_authorization: authorizations[0].clone(),
        other_authorization: authorizations[1].clone(),
        own_blackout: blackout.id.to_string(),
        own_campaign: own_campaign.campaign.campaign.id.to_string(),
        own_cancelled: own_cancelled.campaign.campaign.id.to_string(),
        other_campaign: other_campaign.campaign.campaign.id.to_string(),
        overlap,
    }
}

/// A fresh object for rows that consume theirs: a network asset to delete, an overlap to resolve
/// (the caller's campaign first) or to accept (the caller's campaign second, so the caller's
/// finder accepts the default proposal).
async fn campaign_victim(
    t: &TestApp,
    f: &CampaignFixture,
    row: &Row,
    attempt: usize,
) -> Option<String> {
    let system = clearinghouse_domain::authz::Actor::system();
    let purl = format!("pkg:npm/matrix-victim-{attempt}");
    match (row.method.as_str(), row.template) {
        ("DELETE", "/api/v1/network-assets/{id}") => {
            let range = t
                .app
                .create_network_range(
                    &system,
                    f.own,
                    clearinghouse_app::campaigns::RangeRequest {
                        target: clearinghouse_domain::campaign::TargetInput::Hostname(format!(
                            "victim{attempt}.matrix.example"
                        )),
                        asset: None,
                        label: None,
                    },
                )
                .await
                .expect("victim range");
            Some(format!("/api/v1/network-assets/{}", range.id))
        }
        ("POST", "/api/v1/overlaps/{id}/resolve" | "/api/v1/overlaps/{id}/accept") => {
            let order = if row.template.ends_with("resolve") {
                [f.own, f.finder]
            } else {
                [f.finder, f.own]
            };
            let mut last = None;
            for org in order {
                last = Some(
                    t.app
                        .create_campaign(&system, matrix_campaign(org, "victim", &purl))
                        .await
                        .expect("victim campaign"),
                );
            }
            let overlap = last.expect("two campaigns").overlaps[0].overlap.id;
            let action = row.template.rsplit('/').next().unwrap_or_default();
            Some(format!("/api/v1/overlaps/{overlap}/{action}"))
        }
        _ => None,
    }
}

fn campaign_rows() -> Vec<Row> {
    use Rule::*;
    vec![
        Row {
            method: Method::POST,
            template: "/api/v1/orgs/{id}/network-assets",
            rule: OperatorWriters(403),
            success: 201,
            request: |f, n| {
                (
                    format!("/api/v1/orgs/{}/network-assets", f.own_org),
                    Some(json!({"target": {"hostname": format!("h{n}.matrix.example")}})),
                )
            },
        },
        Row {
            method: Method::POST,
            template: "/api/v1/orgs/{id}/network-assets",
            rule: OtherOperator,
            success: 201,
            request: |f, n| {
                (
                    format!("/api/v1/orgs/{}/network-assets", f.other_org),
                    Some(json!({"target": {"hostname": format!("h{n}.other.example")}})),
                )
            },
        },
        Row {
            method: Method::GET,
            template: "/api/v1/orgs/{id}/network-assets",
            rule: Authenticated,
            success: 200,
            request: |f, _| (format!("/api/v1/orgs/{}/network-assets", f.own_org), None),
        },
        Row {
            method: Method::GET,
            template: "/api/v1/orgs/{id}/network-assets",
            rule: OtherOperator,
            success: 200,
            request: |f, _| (format!("/api/v1/orgs/{}/network-assets", f.other_org), None),
        },
        Row {
            method: Method::GET,
            template: "/api/v1/network-assets/{id}",
            rule: Authenticated,
            success: 200,
            request: |f, _| {
                (
                    format!("/api/v1/network-assets/{}", f.campaigns.own_range),
                    None,
                )
            },
        },
        Row {
            method: Method::GET,
            template: "/api/v1/network-assets/{id}",
            rule: NotFoundForAll,
            success: 200,
            request: |f, _| {
                (
                    format!("/api/v1/network-assets/{}", f.campaigns.other_range),
                    None,
                )
            },
        },
        // The victim is made per attempt by `campaign_victim`.
        Row {
            method: Method::DELETE,
            template: "/api/v1/network-assets/{id}",
            rule: OperatorWriters(403),
            success: 204,
            request: |_, _| (String::new(), None),
        },
        Row {
            method: Method::POST,
            template: "/api/v1/orgs/{id}/scan-authorizations",
            rule: OperatorWriters(403),
            success: 201,
            request: |f, _| {
                let body = json!({"finder_id": f.campaigns.finder, "scope": [{"cidr": "10.77.1.0/24"}],
                                  "start": future(0), "end": future(5), "max_rate": 3});
                (
                    format!("/api/v1/orgs/{}/scan-authorizations", f.own_org),
                    Some(body),
                )
            },
        },
        Row {
            method: Method::POST,
            template: "/api/v1/orgs/{id}/scan-authorizations",
            rule: OtherOperator,
            success: 201,
            request: |f, _| {
                let body = json!({"finder_id": f.campaigns.finder, "scope": [{"cidr": "10.78.1.0/24"}],
                                  "start": future(0), "end": future(5), "max_rate": 3});
                (
                    format!("/api/v1/orgs/{}/scan-authorizations", f.other_org),
                    Some(body),
                )
            },
        },
        Row {
            method: Method::GET,
            template: "/api/v1/orgs/{id}/scan-authorizations",
            rule: Authenticated,
            success: 200,
            request: |f, _| {
                (
                    format!("/api/v1/orgs/{}/scan-authorizations", f.own_org),
                    None,
                )
            },
        },
        Row {
            method: Method::GET,
            template: "/api/v1/orgs/{id}/scan-authorizations",
            rule: Coordinators,
            success: 200,
            request: |f, _| {
                (
                    format!("/api/v1/orgs/{}/scan-authorizations", f.other_org),
                    None,
                )
            },
        },
        Row {
            method: Method::GET,
            template: "/api/v1/scan-authorizations/{id}",
            rule: Authenticated,
            success: 200,
            request: |f, _| {
                (
                    format!(
                        "/api/v1/scan-authorizations/{}",
                        f.campaigns.own_authorization
                    ),
                    None,
                )
            },
        },
        Row {
            method: Method::GET,
            template: "/api/v1/scan-authorizations/{id}",
            rule: CoordinatorsElse404,
            success: 200,
            request: |f, _| {
                (
                    format!(
                        "/api/v1/scan-authorizations/{}",
                        f.campaigns.other_authorization
                    ),
                    None,
                )
            },
        },
        // Revoking is idempotent, so every attempt may use the same authorization.
        Row {
            method: Method::POST,
            template: "/api/v1/scan-authorizations/{id}/revoke",
            rule: OperatorWriters(403),
            success: 200,
            request: |f, _| {
                (
                    format!(
                        "/api/v1/scan-authorizations/{}/revoke",
                        f.campaigns.own_authorization
                    ),
                    Some(json!({})),
                )
            },
        },
        Row {
            method: Method::POST,
            template: "/api/v1/orgs/{id}/blackouts",
            rule: OperatorWriters(403),
            success: 201,
            request: |f, _| {
                (
                    format!("/api/v1/orgs/{}/blackouts", f.own_org),
                    Some(json!({"start": future(200), "end": future(201), "reason": "matrix"})),
                )
            },
        },
        Row {
            method: Method::POST,
            template: "/api/v1/orgs/{id}/blackouts",
            rule: OtherOperator,
            success: 201,
            request: |f, _| {
                (
                    format!("/api/v1/orgs/{}/blackouts", f.other_org),
                    Some(json!({"start": future(200), "end": future(201), "reason": "matrix"})),
                )
            },
        },
        Row {
            method: Method::GET,
            template: "/api/v1/orgs/{id}/blackouts",
            rule: Authenticated,
            success: 200,
            request: |f, _| (format!("/api/v1/orgs/{}/blackouts", f.own_org), None),
        },
        Row {
            method: Method::GET,
            template: "/api/v1/orgs/{id}/blackouts",
            rule: Coordinators,
            success: 200,
            request: |f, _| (format!("/api/v1/orgs/{}/blackouts", f.other_org), None),
        },
        Row {
            method: Method::POST,
            template: "/api/v1/blackouts/{id}/revoke",
            rule: OperatorWriters(403),
            success: 200,
            request: |f, _| {
                (
                    format!("/api/v1/blackouts/{}/revoke", f.campaigns.own_blackout),
                    Some(json!({})),
                )
            },
        },
        Row {
            method: Method::POST,
            template: "/api/v1/campaigns",
            rule: Finders(403),
            success: 201,
            request: |_, n| {
                let body = json!({"name": "matrix", "targets": [{"purl": format!("pkg:npm/matrix-{n}")}],
                                  "technique": "fuzzing", "tool": {"name": "f", "version": "1"},
                                  "start": future(1), "end": future(2), "rate_limit": 1});
                ("/api/v1/campaigns".into(), Some(body))
            },
        },
        Row {
            method: Method::GET,
            template: "/api/v1/campaigns",
            rule: Authenticated,
            success: 200,
            request: |_, _| ("/api/v1/campaigns".into(), None),
        },
        Row {
            method: Method::GET,
            template: "/api/v1/campaigns/{id}",
            rule: Authenticated,
            success: 200,
            request: |f, _| {
                (
                    format!("/api/v1/campaigns/{}", f.campaigns.own_campaign),
                    None,
                )
            },
        },
        Row {
            method: Method::GET,
            template: "/api/v1/campaigns/{id}",
            rule: CoordinatorsElse404,
            success: 200,
            request: |f, _| {
                (
                    format!("/api/v1/campaigns/{}", f.campaigns.other_campaign),
                    None,
                )
            },
        },
        // Cancelling is idempotent, so every attempt may use the same campaign.
        Row {
            method: Method::POST,
            template: "/api/v1/campaigns/{id}/cancel",
            rule: FinderOrManager(403),
            success: 200,
            request: |f, _| {
                (
                    format!("/api/v1/campaigns/{}/cancel", f.campaigns.own_cancelled),
                    Some(json!({})),
                )
            },
        },
        Row {
            method: Method::GET,
            template: "/api/v1/campaigns/{id}/overlaps",
            rule: Authenticated,
            success: 200,
            request: |f, _| {
                (
                    format!("/api/v1/campaigns/{}/overlaps", f.campaigns.own_campaign),
                    None,
                )
            },
        },
        Row {
            method: Method::POST,
            template: "/api/v1/campaigns/{id}/tokens",
            rule: FinderOrManager(403),
            success: 201,
            request: |f, _| {
                (
                    format!("/api/v1/campaigns/{}/tokens", f.campaigns.own_campaign),
                    Some(json!({"name": "agent"})),
                )
            },
        },
        Row {
            method: Method::GET,
            template: "/api/v1/overlaps/{id}",
            rule: Authenticated,
            success: 200,
            request: |f, _| (format!("/api/v1/overlaps/{}", f.campaigns.overlap), None),
        },
        // The overlaps are made per attempt by `campaign_victim`.
        Row {
            method: Method::POST,
            template: "/api/v1/overlaps/{id}/resolve",
            rule: Negotiators,
            success: 200,
            request: |_, _| (String::new(), Some(json!({"kind": "share"}))),
        },
        Row {
            method: Method::POST,
            template: "/api/v1/overlaps/{id}/accept",
            rule: FinderOrManager(403),
            success: 200,
            request: |_, _| (String::new(), Some(json!({}))),
        },
        Row {
            method: Method::GET,
            template: "/api/v1/authorizations/check",
            rule: Finders(403),
            success: 200,
            request: |_, _| ("/api/v1/authorizations/check?target=10.77.1.7".into(), None),
        },
    ]
}
