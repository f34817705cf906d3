//! Vulnerability coordination over real HTTP on every engine: the full story, the access test,
//! attachments, intake (idempotency, SARIF, bad input) and notifications.

mod access;
mod attachments;
mod intake;
mod notifications;
mod queue;
mod story;

use clearinghouse_app::participants::{PersonRequest, TokenRequest};
use clearinghouse_domain::authz::{Actor, Grant};
use clearinghouse_domain::{NewPerson, OrgKind, Organization, PersonId, Role, Sector};
use serde_json::{Value, json};

use crate::support::TestApp;

/// A participant acting through a token that a person created (so TLP:RED naming applies).
pub struct Participant {
    pub org: Organization,
    pub person: PersonId,
    pub token: String,
}

/// The organizations and people a coordination story needs.
pub struct World {
    pub analyst: Participant,
    pub finder_a: Participant,
    pub finder_b: Participant,
    pub vendor: Participant,
    /// Another member of the vendor's organization, never named on a case.
    pub vendor_colleague: Participant,
    pub other_vendor: Participant,
    pub validator_1: Participant,
    pub validator_2: Participant,
    pub validator_3: Participant,
    pub operator: Participant,
    pub outsider_operator: Participant,
    pub auditor: Participant,
}

/// A person with one role in `org`, and a token they created.
pub async fn participant(t: &TestApp, org: &Organization, role: Role, email: &str) -> Participant {
    let details = t
        .app
        .create_person(
            &Actor::system(),
            PersonRequest {
                person: NewPerson::parse(email, email).expect("valid person"),
                org: org.id,
                role,
                password: None,
            },
        )
        .await
        .expect("person");
    let person = details.person.id;
    let token = t
        .app
        .create_token(
            &Actor::person(person, vec![Grant { org: org.id, role }]),
            TokenRequest {
                org: org.id,
                role,
                name: format!("{role} token"),
                expires_in_days: Some(1),
            },
        )
        .await
        .expect("token")
        .secret;
    Participant {
        org: org.clone(),
        person,
        token,
    }
}

impl World {
    pub async fn new(t: &TestApp) -> Self {
        let cisa = t.org("CISA Coordination", OrgKind::Government, None).await;
        let lab_a = t.org("Frontier Lab A", OrgKind::AiDeveloper, None).await;
        let lab_b = t.org("Frontier Lab B", OrgKind::AiDeveloper, None).await;
        let acme = t.org("Acme Software", OrgKind::Vendor, None).await;
        let other = t.org("Other Vendor", OrgKind::Vendor, None).await;
        let v1 = t.org("Validators One", OrgKind::Validator, None).await;
        let v2 = t.org("Validators Two", OrgKind::Validator, None).await;
        let v3 = t.org("Validators Three", OrgKind::Validator, None).await;
        let water = t
            .org(
                "Valley Water",
                OrgKind::Operator,
                Some(Sector::WaterAndWastewaterSystems),
            )
            .await;
        let bank = t
            .org(
                "Community Bank",
                OrgKind::Operator,
                Some(Sector::FinancialServices),
            )
            .await;
        let audit = t.org("Audit Office", OrgKind::Government, None).await;
        Self {
            analyst: participant(t, &cisa, Role::Analyst, "analyst@cisa.example").await,
            finder_a: participant(t, &lab_a, Role::Finder, "finder@lab-a.example").await,
            finder_b: participant(t, &lab_b, Role::Finder, "finder@lab-b.example").await,
            vendor: participant(t, &acme, Role::VendorContact, "psirt@acme.example").await,
            vendor_colleague: participant(t, &acme, Role::Member, "sales@acme.example").await,
            other_vendor: participant(t, &other, Role::VendorContact, "psirt@other.example").await,
            validator_1: participant(t, &v1, Role::Validator, "lab@v1.example").await,
            validator_2: participant(t, &v2, Role::Validator, "lab@v2.example").await,
            validator_3: participant(t, &v3, Role::Validator, "lab@v3.example").await,
            operator: participant(t, &water, Role::OperatorContact, "it@water.example").await,
            outsider_operator: participant(t, &bank, Role::OperatorContact, "it@bank.example")
                .await,
            auditor: participant(t, &audit, Role::Auditor, "auditor@audit.example").await,
        }
    }
}

/// A finding body: the affected product, the place, the weakness and the words describing it.
pub fn finding(title: &str, product: &str, file: &str, function: Option<&str>, cwe: &str) -> Value {
    let mut location = json!({"file": file, "line": 120});
    if let Some(function) = function {
        location["function"] = json!(function);
    }
    json!({
        "title": title,
        "description": format!("{title}. The remember-me cookie is trusted without checking its signature, so \
            anyone who can set a cookie logs in as any user; found by fuzzing the session loader."),
        "product": product,
        "cwe": cwe,
        "cvss": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N",
        "location": location,
        "provenance": {"tool": "frontier-model", "tool_version": "2026-11"},
    })
}

/// Base64 of bytes, as the API takes attachments.
pub fn base64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// The actions of every log entry, in order.
pub async fn log_actions(t: &TestApp) -> Vec<String> {
    let size = t.log_size().await;
    let entries = t
        .app
        .store()
        .log_entries(0, size as u32)
        .await
        .expect("entries");
    entries
        .iter()
        .filter_map(|e| clearinghouse_domain::audit::LeafContent::decode(&e.leaf))
        .map(|leaf| leaf.action)
        .collect()
}
