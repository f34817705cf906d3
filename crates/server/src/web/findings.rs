//! Finders' pages: the submission form (`/findings/new`, with an optional proof of concept) and
//! the status page (`/findings`: the organization's findings, where their cases stand, and the
//! finder's place in the credit).
//!
//! The form carries an idempotency key made when it is shown, so submitting it twice (a double
//! click, a reload after a lost response) stores the finding once. A refused field is shown
//! beside its input with the values kept; `authorize` is asked here only to decide which
//! organizations the form offers.

use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use clearinghouse_app::coordination::{AttachmentUpload, Disposition, FindingRequest};
use clearinghouse_app::secrets::new_secret;
use clearinghouse_domain::authz::{Action, authorize};
use clearinghouse_domain::coordination::{AttachmentKind, Location, Tlp};
use clearinghouse_domain::page::PageRequest;
use clearinghouse_domain::{CampaignId, OrgId};
use serde::Deserialize;

use super::coordination::{UploadFields, framed, ordinal, read_multipart, state_label, tlp_class};
use super::inventory::when;
use super::{Layout, WebError, WebSession, render, render_with_status};
use crate::state::AppState;

type WebResult = Result<Response, WebError>;

// The status page.

struct FindingRow {
    title: String,
    product: String,
    submitted: String,
    case_id: String,
    case_title: String,
    case_state: String,
    tlp: &'static str,
    tlp_class: &'static str,
    credit: String,
    first: bool,
    withdrawn: bool,
}

#[derive(Template)]
#[template(path = "findings.html")]
struct FindingsPage {
    layout: Layout,
    rows: Vec<FindingRow>,
    next: Option<String>,
    can_submit: bool,
}

#[derive(Deserialize, Default)]
pub struct CursorQuery {
    cursor: Option<String>,
}

/// The organization's findings, newest first, with their cases' states and the credit.
pub async fn status_page(
    State(state): State<AppState>,
    session: WebSession,
    Query(q): Query<CursorQuery>,
) -> Response {
    let result = async {
        let page = state
            .app
            .org_findings(&session.actor, &PageRequest::new(q.cursor, Some(50)))
            .await?;
        let rows = page
            .items
            .into_iter()
            .map(|line| FindingRow {
                credit: match line.credit_position {
                    Some(place) => format!("{} of {}", ordinal(place), line.credited),
                    None => "not credited (withdrawn)".to_owned(),
                },
                first: line.credit_position == Some(1),
                title: line.finding.title,
                product: line.finding.product.identifier,
                submitted: when(line.finding.accepted_at),
                case_id: line.case.id.to_string(),
                case_title: line.case.title,
                case_state: state_label(line.case.state),
                tlp: line.case.tlp.label(),
                tlp_class: tlp_class(line.case.tlp),
                withdrawn: line.finding.status
                    == clearinghouse_domain::coordination::FindingStatus::Withdrawn,
            })
            .collect();
        Ok(render(&FindingsPage {
            layout: session.layout("Your findings", "findings"),
            rows,
            next: page.next_cursor,
            can_submit: !finder_orgs(&session).is_empty(),
        }))
    }
    .await;
    framed(&session, result)
}

/// The organizations the actor may submit findings for.
fn finder_orgs(session: &WebSession) -> Vec<OrgId> {
    let mut orgs: Vec<OrgId> = session
        .actor
        .grants()
        .iter()
        .map(|g| g.org)
        .filter(|org| authorize(&session.actor, &Action::FindingSubmit(*org)).is_ok())
        .collect();
    orgs.sort();
    orgs.dedup();
    orgs
}

// The submission form.

/// What the person typed, given back when a field is refused.
#[derive(Default)]
struct FindingValues {
    org: String,
    title: String,
    description: String,
    product: String,
    versions_range: String,
    versions: String,
    cwe: String,
    cvss: String,
    file: String,
    function: String,
    line: String,
    url: String,
    endpoint: String,
    tool: String,
    tool_version: String,
    campaign: String,
    known_ids: String,
    tlp: String,
    credit_public: bool,
}

impl FindingValues {
    fn from_form(form: &UploadFields) -> Self {
        let text = |name: &str| form.text(name).to_owned();
        Self {
            org: text("org"),
            title: text("title"),
            description: text("description"),
            product: text("product"),
            versions_range: text("versions_range"),
            versions: text("versions"),
            cwe: text("cwe"),
            cvss: text("cvss"),
            file: text("file_path"),
            function: text("function"),
            line: text("line"),
            url: text("url"),
            endpoint: text("endpoint"),
            tool: text("tool"),
            tool_version: text("tool_version"),
            campaign: text("campaign"),
            known_ids: text("known_ids"),
            tlp: text("tlp"),
            credit_public: form.text("credit_public") == "on",
        }
    }
}

/// A refused field: the form input it belongs to and what is wrong.
struct FieldProblem {
    input: &'static str,
    label: &'static str,
    message: String,
}

#[derive(Template)]
#[template(path = "finding_new.html")]
struct NewFindingPage {
    layout: Layout,
    orgs: Vec<(String, String)>,
    values: FindingValues,
    tlps: Vec<(&'static str, &'static str)>,
    idempotency_key: String,
    problem: Option<FieldProblem>,
}

impl NewFindingPage {
    /// The problem of one input, if it is the one refused.
    fn error_for(&self, input: &str) -> Option<&str> {
        self.problem
            .as_ref()
            .filter(|p| p.input == input)
            .map(|p| p.message.as_str())
    }
}

/// The input (and its label) a service field belongs to; `""` for problems of the whole form.
fn form_input(field: &str) -> (&'static str, &'static str) {
    let head = field.trim_start_matches("#/");
    let matches = |prefix: &str| head == prefix || head.starts_with(&format!("{prefix}/"));
    if matches("title") {
        ("title", "Title")
    } else if matches("description") {
        ("description", "Description")
    } else if matches("product") {
        ("product", "Product")
    } else if matches("versions/list") {
        ("versions", "Affected versions")
    } else if matches("versions") {
        ("versions_range", "Affected version range")
    } else if matches("cwe") {
        ("cwe", "Weakness (CWE)")
    } else if matches("cvss") {
        ("cvss", "CVSS vector")
    } else if matches("location/function") {
        ("function", "Function")
    } else if matches("location/line") {
        ("line", "Line")
    } else if matches("location/url") {
        ("url", "URL")
    } else if matches("location/endpoint") {
        ("endpoint", "Endpoint")
    } else if matches("location") {
        ("file_path", "Where")
    } else if matches("provenance/tool_version") {
        ("tool_version", "Model or tool version")
    } else if matches("provenance/campaign") {
        ("campaign", "Campaign")
    } else if matches("provenance") {
        ("tool", "Model or tool")
    } else if matches("known_ids") {
        ("known_ids", "Known ids")
    } else if matches("attachments") {
        ("file", "Proof of concept")
    } else if matches("org_id") {
        ("org", "Organization")
    } else if matches("tlp") {
        ("tlp", "TLP mark")
    } else {
        ("", "The finding")
    }
}

fn tlp_choices() -> Vec<(&'static str, &'static str)> {
    Tlp::ALL.iter().map(|t| (t.as_str(), t.label())).collect()
}

async fn form_page(
    state: &AppState,
    session: &WebSession,
    values: FindingValues,
    idempotency_key: String,
    problem: Option<FieldProblem>,
) -> WebResult {
    let orgs = finder_orgs(session);
    if orgs.is_empty() {
        return Err(crate::error::ApiError::forbidden("only finders may submit findings").into());
    }
    let mut named = Vec::with_capacity(orgs.len());
    for org in orgs {
        let name = state.app.org(&session.actor, org).await?.name;
        named.push((org.to_string(), name));
    }
    let status = if problem.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(render_with_status(
        status,
        &NewFindingPage {
            layout: session.layout("Submit a finding", "findings"),
            orgs: named,
            values,
            tlps: tlp_choices(),
            idempotency_key,
            problem,
        },
    ))
}

/// The empty submission form.
pub async fn new_finding(State(state): State<AppState>, session: WebSession) -> Response {
    let values = FindingValues {
        tlp: Tlp::Amber.as_str().to_owned(),
        ..FindingValues::default()
    };
    let key = new_secret("web-");
    framed(
        &session,
        form_page(&state, &session, values, key, None).await,
    )
}

/// Splits a list typed with commas, spaces or new lines.
fn list(text: &str) -> Vec<String> {
    text.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

fn invalid(field: &str, problem: impl Into<String>) -> clearinghouse_app::Error {
    clearinghouse_app::Error::Invalid {
        field: field.to_owned(),
        problem: problem.into(),
    }
}

/// The service request a submitted form stands for.
fn finding_request(
    values: &FindingValues,
    file: Option<(String, String, Vec<u8>)>,
) -> Result<FindingRequest, clearinghouse_app::Error> {
    let optional = |text: &str| Some(text.trim().to_owned()).filter(|t| !t.is_empty());
    Ok(FindingRequest {
        org: match values.org.trim() {
            "" => None,
            org => Some(
                org.parse()
                    .map_err(|_| invalid("org_id", "choose one of your organizations"))?,
            ),
        },
        title: values.title.clone(),
        description: values.description.clone(),
        product: values.product.clone(),
        versions_range: optional(&values.versions_range),
        versions: list(&values.versions),
        cwe: values.cwe.clone(),
        cvss: optional(&values.cvss),
        location: Location {
            file: optional(&values.file),
            function: optional(&values.function),
            line: match values.line.trim() {
                "" => None,
                line => Some(line.parse().map_err(|_| {
                    invalid("location/line", format!("{line:?} is not a line number"))
                })?),
            },
            url: optional(&values.url),
            endpoint: optional(&values.endpoint),
        },
        tool: values.tool.clone(),
        tool_version: optional(&values.tool_version),
        campaign: match values.campaign.trim() {
            "" => None,
            id => Some(id.parse::<CampaignId>().map_err(|_| {
                invalid(
                    "provenance/campaign",
                    format!("{id:?} is not a campaign id"),
                )
            })?),
        },
        known_ids: list(&values.known_ids),
        tlp: match values.tlp.trim() {
            "" => None,
            tlp => Some(
                tlp.parse()
                    .map_err(|e| clearinghouse_app::Error::unknown_value("tlp", e))?,
            ),
        },
        credit_public: values.credit_public,
        attachments: file
            .map(|(filename, media_type, content)| {
                vec![AttachmentUpload {
                    kind: AttachmentKind::ProofOfConcept,
                    filename,
                    media_type,
                    content,
                }]
            })
            .unwrap_or_default(),
        ..FindingRequest::default()
    })
}

/// Accepts a submitted finding and shows its case, or the form again with the refused field.
pub async fn submit(
    State(state): State<AppState>,
    session: WebSession,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let result = async {
        let form = read_multipart(multipart, state.config.max_body_bytes).await?;
        session.check_csrf(form.text("csrf"))?;
        let key = match form.text("idempotency_key").trim() {
            "" => new_secret("web-"),
            key => key.to_owned(),
        };
        let values = FindingValues::from_form(&form);
        let outcome = match finding_request(&values, form.file.clone()) {
            Ok(request) => {
                state
                    .app
                    .submit_finding(&session.actor, &request, Some(&key))
                    .await
            }
            Err(e) => Err(e),
        };
        match outcome {
            Ok(outcome) => {
                let done = match outcome.disposition {
                    Disposition::NewCase => "new_case",
                    Disposition::Duplicate => "duplicate",
                    Disposition::NearDuplicate => "near_duplicate",
                    Disposition::AlreadyReported => "already_reported",
                };
                Ok(
                    Redirect::to(&format!("/cases/{}?done={done}", outcome.case_id))
                        .into_response(),
                )
            }
            Err(clearinghouse_app::Error::Invalid { field, problem }) => {
                let (input, label) = form_input(&field);
                // A refused form may be corrected and sent again: it is a new request.
                let fresh_key = new_secret("web-");
                form_page(
                    &state,
                    &session,
                    values,
                    fresh_key,
                    Some(FieldProblem {
                        input,
                        label,
                        message: problem,
                    }),
                )
                .await
            }
            Err(other) => Err(other.into()),
        }
    }
    .await;
    framed(&session, result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_fields_find_their_inputs() {
        assert_eq!(form_input("title").0, "title");
        assert_eq!(form_input("versions/list/2").0, "versions");
        assert_eq!(form_input("versions/vers").0, "versions_range");
        assert_eq!(form_input("versions").0, "versions_range");
        assert_eq!(form_input("location").0, "file_path");
        assert_eq!(form_input("location/line").0, "line");
        assert_eq!(form_input("provenance/tool").0, "tool");
        assert_eq!(form_input("provenance/tool_version").0, "tool_version");
        assert_eq!(form_input("known_ids/0").0, "known_ids");
        assert_eq!(form_input("attachments/0/filename").0, "file");
        assert_eq!(form_input("#/header/Idempotency-Key").0, "");
        assert_eq!(form_input("cvss").1, "CVSS vector");
    }

    #[test]
    fn a_form_becomes_the_service_request() {
        let values = FindingValues {
            title: "Overflow".into(),
            versions: "1.0.0, 1.0.1\n1.1.0".into(),
            line: "42".into(),
            known_ids: "CVE-2099-0001 GHSA-xxxx-yyyy-zzzz".into(),
            tlp: "GREEN".into(),
            credit_public: true,
            ..FindingValues::default()
        };
        let request = finding_request(
            &values,
            Some((
                "poc.py".into(),
                "text/x-python".into(),
                b"print(1)".to_vec(),
            )),
        )
        .expect("valid form");
        assert_eq!(request.versions, ["1.0.0", "1.0.1", "1.1.0"]);
        assert_eq!(request.versions_range, None);
        assert_eq!(request.location.line, Some(42));
        assert_eq!(request.known_ids.len(), 2);
        assert_eq!(request.tlp, Some(Tlp::Green));
        assert!(request.credit_public);
        assert_eq!(request.attachments.len(), 1);
        assert_eq!(request.attachments[0].kind, AttachmentKind::ProofOfConcept);

        let bad_line = FindingValues {
            line: "forty".into(),
            ..FindingValues::default()
        };
        let err = finding_request(&bad_line, None).expect_err("not a number");
        assert!(err.to_string().starts_with("location/line:"), "{err}");
        let bad_campaign = FindingValues {
            campaign: "nope".into(),
            ..FindingValues::default()
        };
        let err = finding_request(&bad_campaign, None).expect_err("not an id");
        assert_eq!(
            form_input(err.to_string().split(':').next().unwrap_or_default()).0,
            "campaign"
        );
    }
}
