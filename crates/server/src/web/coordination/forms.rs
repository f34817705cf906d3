//! The case page's forms. Each checks the session's CSRF token, calls one coordination service,
//! and either redirects with a confirmation or shows the case again with the service's problem
//! inside the form that caused it (`case_form`). Also the attachment download, which always goes
//! through the service that logs the read.

use std::collections::HashMap;
use std::future::Future;
use std::str::FromStr;

use axum::extract::multipart::MultipartRejection;
use axum::extract::{Form, Multipart, Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use clearinghouse_app::Error as AppError;
use clearinghouse_app::coordination::{
    AttachmentUpload, MemberRequest, StatusRequest, TransitionRequest,
};
use clearinghouse_domain::participant::UnknownValue;
use clearinghouse_domain::{AttachmentId, CaseId, FindingId, ValidationId};
use serde::Deserialize;

use super::{FormProblem, WebResult, case_page, framed};
use crate::error::ApiError;
use crate::extract::path_id;
use crate::state::AppState;
use crate::web::{WebError, WebSession};

/// The case page with a confirmation from `done_message`.
fn done(id: CaseId, code: &str) -> String {
    format!("/cases/{id}?done={code}")
}

/// Where a form of the validator's workbench goes back to (`back=validate`), else the case.
fn back_to(back: &str, id: CaseId, code: &str) -> String {
    if back == "validate" {
        format!("/validate?done={code}")
    } else {
        done(id, code)
    }
}

/// A value of a closed set, or the problem at `field`.
fn choice<T: FromStr<Err = UnknownValue>>(field: &str, value: &str) -> Result<T, AppError> {
    value
        .trim()
        .parse()
        .map_err(|e| AppError::unknown_value(field, e))
}

/// An optional value of a closed set (`""` means none).
fn optional_choice<T: FromStr<Err = UnknownValue>>(
    field: &str,
    value: &str,
) -> Result<Option<T>, AppError> {
    match value.trim() {
        "" => Ok(None),
        value => choice(field, value).map(Some),
    }
}

/// Reads a `datetime-local` value as UTC.
fn utc_minute(field: &str, value: &str) -> Result<Option<jiff::Timestamp>, AppError> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    value
        .parse::<jiff::civil::DateTime>()
        .ok()
        .and_then(|dt| dt.to_zoned(jiff::tz::TimeZone::UTC).ok())
        .map(|z| Some(z.timestamp()))
        .ok_or_else(|| AppError::Invalid {
            field: field.to_owned(),
            problem: format!("{value:?} is not a date and time (YYYY-MM-DDTHH:MM, UTC)"),
        })
}

/// Runs one form of the case page: checks the CSRF token, reads the case id and calls `action`,
/// which returns where to go on success. A refusal shows the case again with the problem inside
/// `form` (and the text typed there, `draft`); a case that is not there is the 404 page.
async fn case_form<Fut>(
    state: &AppState,
    session: &WebSession,
    raw_id: &str,
    csrf: &str,
    form: &'static str,
    draft: &str,
    action: impl FnOnce(CaseId) -> Fut,
) -> Response
where
    Fut: Future<Output = Result<String, AppError>>,
{
    let result = async {
        session.check_csrf(csrf)?;
        let id: CaseId = path_id(raw_id, "case")?;
        match action(id).await {
            Ok(to) => Ok(Redirect::to(&to).into_response()),
            Err(err) => {
                let problem = FormProblem::from_error(form, err, draft.to_owned())?;
                case_page(state, session, id, None, Some(problem)).await
            }
        }
    }
    .await;
    framed(session, result)
}

#[derive(Deserialize)]
pub struct TransitionForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    reason: String,
}

/// Moves the case.
pub async fn transition(
    State(state): State<AppState>,
    session: WebSession,
    Path(id): Path<String>,
    Form(form): Form<TransitionForm>,
) -> Response {
    let (app, actor, form) = (&state.app, &session.actor, &form);
    case_form(
        &state,
        &session,
        &id,
        &form.csrf,
        "transition",
        "",
        |id| async move {
            let request = TransitionRequest {
                to: choice("to", &form.to)?,
                reason: optional_choice("reason", &form.reason)?,
            };
            app.transition_case(actor, id, &request).await?;
            Ok(done(id, "moved"))
        },
    )
    .await
}

#[derive(Deserialize)]
pub struct DisclosureForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    tlp: String,
    #[serde(default)]
    embargo_until: String,
}

/// Changes the TLP mark and the embargo's end (analysts).
pub async fn disclosure(
    State(state): State<AppState>,
    session: WebSession,
    Path(id): Path<String>,
    Form(form): Form<DisclosureForm>,
) -> Response {
    let (app, actor, form) = (&state.app, &session.actor, &form);
    case_form(
        &state,
        &session,
        &id,
        &form.csrf,
        "disclosure",
        "",
        |id| async move {
            let tlp = optional_choice("tlp", &form.tlp)?;
            let until = utc_minute("embargo_until", &form.embargo_until)?;
            app.set_disclosure(actor, id, tlp, until).await?;
            Ok(done(id, "disclosure"))
        },
    )
    .await
}

#[derive(Deserialize)]
pub struct MemberForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    org: String,
    #[serde(default)]
    relation: String,
}

/// Adds an organization to the case (analysts): a vendor is notified, an operator pre-notified.
pub async fn add_member(
    State(state): State<AppState>,
    session: WebSession,
    Path(id): Path<String>,
    Form(form): Form<MemberForm>,
) -> Response {
    let (app, actor, form) = (&state.app, &session.actor, &form);
    case_form(
        &state,
        &session,
        &id,
        &form.csrf,
        "member",
        "",
        |id| async move {
            let request = MemberRequest {
                org: form.org.trim().parse().map_err(|_| AppError::Invalid {
                    field: "org".into(),
                    problem: "choose an organization".into(),
                })?,
                relation: choice("relation", &form.relation)?,
                people: Vec::new(),
            };
            app.add_case_member(actor, id, &request).await?;
            Ok(done(id, "member"))
        },
    )
    .await
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
    /// Where to go back to: `validate` for the workbench, anything else the case.
    #[serde(default)]
    back: String,
}

/// Pre-notifies the operators running the case's product (analysts; where the mark allows).
pub async fn notify_operators(
    State(state): State<AppState>,
    session: WebSession,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Response {
    let (app, actor) = (&state.app, &session.actor);
    case_form(
        &state,
        &session,
        &id,
        &form.csrf,
        "notify",
        "",
        |id| async move {
            let count = app.notify_affected_operators(actor, id).await?;
            Ok(format!("{}&count={count}", done(id, "notified")))
        },
    )
    .await
}

/// Claims the case for independent validation.
pub async fn claim(
    State(state): State<AppState>,
    session: WebSession,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Response {
    let (app, actor, form) = (&state.app, &session.actor, &form);
    case_form(
        &state,
        &session,
        &id,
        &form.csrf,
        "claim",
        "",
        |id| async move {
            app.claim_case(actor, id).await?;
            Ok(back_to(&form.back, id, "claimed"))
        },
    )
    .await
}

#[derive(Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    product: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    fixed_version: String,
    #[serde(default)]
    note: String,
}

/// Records the vendor's status for a product.
pub async fn vendor_status(
    State(state): State<AppState>,
    session: WebSession,
    Path(id): Path<String>,
    Form(form): Form<StatusForm>,
) -> Response {
    let (app, actor, form) = (&state.app, &session.actor, &form);
    case_form(
        &state,
        &session,
        &id,
        &form.csrf,
        "status",
        &form.note,
        |id| async move {
            let request = StatusRequest {
                org: None,
                product: form.product.clone(),
                status: choice("status", &form.status)?,
                fixed_version: Some(form.fixed_version.clone()),
                note: Some(form.note.clone()),
            };
            app.record_vendor_status(actor, id, &request).await?;
            Ok(done(id, "status"))
        },
    )
    .await
}

#[derive(Deserialize)]
pub struct CommentForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    body: String,
}

/// Writes in the discussion thread.
pub async fn comment(
    State(state): State<AppState>,
    session: WebSession,
    Path(id): Path<String>,
    Form(form): Form<CommentForm>,
) -> Response {
    let (app, actor, form) = (&state.app, &session.actor, &form);
    case_form(
        &state,
        &session,
        &id,
        &form.csrf,
        "comment",
        &form.body,
        |id| async move {
            app.add_comment(actor, id, &form.body).await?;
            Ok(format!("{}#discussion", done(id, "comment")))
        },
    )
    .await
}

/// The fields of a form with a file.
#[derive(Default)]
pub(in crate::web) struct UploadFields {
    fields: HashMap<String, String>,
    /// The file sent as `file`: (name, media type, content).
    pub(in crate::web) file: Option<(String, String, Vec<u8>)>,
}

impl UploadFields {
    /// A text field, empty when absent.
    pub(in crate::web) fn text(&self, name: &str) -> &str {
        self.fields.get(name).map_or("", String::as_str)
    }
}

/// Reads a multipart form: text fields, and one file under the name `file` (left out when no
/// file was chosen).
pub(in crate::web) async fn read_multipart(
    multipart: Result<Multipart, MultipartRejection>,
    limit: usize,
) -> Result<UploadFields, WebError> {
    let mut multipart = multipart.map_err(|e| {
        WebError::from(ApiError::unsupported_media_type(format!(
            "a form with a file is sent as multipart/form-data: {e}"
        )))
    })?;
    let refused = |e: axum::extract::multipart::MultipartError| -> WebError {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::too_large(limit).into()
        } else {
            ApiError::bad_request(e.body_text(), None).into()
        }
    };
    let mut out = UploadFields::default();
    while let Some(field) = multipart.next_field().await.map_err(refused)? {
        let name = field.name().unwrap_or_default().to_owned();
        let filename = field.file_name().map(str::to_owned);
        let media_type = field
            .content_type()
            .unwrap_or("application/octet-stream")
            .to_owned();
        let bytes = field.bytes().await.map_err(refused)?;
        match filename {
            Some(filename) if name == "file" => {
                if !filename.is_empty() || !bytes.is_empty() {
                    out.file = Some((filename, media_type, bytes.to_vec()));
                }
            }
            _ => {
                out.fields
                    .insert(name, String::from_utf8_lossy(&bytes).into_owned());
            }
        }
    }
    Ok(out)
}

/// Attaches a file to the case (finders' proofs of concept and logs, validators' evidence),
/// sealed before it is stored.
pub async fn attach(
    State(state): State<AppState>,
    session: WebSession,
    Path(id): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let form = match read_multipart(multipart, state.config.max_body_bytes).await {
        Ok(form) => form,
        Err(e) => return e.framed(&session).into_response(),
    };
    let (app, actor, form) = (&state.app, &session.actor, &form);
    case_form(
        &state,
        &session,
        &id,
        form.text("csrf"),
        "attach",
        "",
        |id| async move {
            let Some((filename, media_type, content)) = form.file.clone() else {
                return Err(AppError::Invalid {
                    field: "file".into(),
                    problem: "choose a file to attach".into(),
                });
            };
            let upload = AttachmentUpload {
                kind: choice("kind", form.text("kind"))?,
                filename,
                media_type,
                content,
            };
            app.upload_attachment(actor, id, None, &upload).await?;
            Ok(back_to(form.text("back"), id, "attached"))
        },
    )
    .await
}

#[derive(Deserialize)]
pub struct VerdictForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    verdict: String,
    #[serde(default)]
    notes: String,
    #[serde(default)]
    back: String,
}

/// Records the verdict of the actor's claim.
pub async fn verdict(
    State(state): State<AppState>,
    session: WebSession,
    Path(id): Path<String>,
    Form(form): Form<VerdictForm>,
) -> Response {
    let result = async {
        session.check_csrf(&form.csrf)?;
        let id: ValidationId = path_id(&id, "validation")?;
        let verdict = choice("verdict", &form.verdict)?;
        let (validation, _) = state
            .app
            .record_verdict(&session.actor, id, verdict, Some(&form.notes))
            .await?;
        let to = back_to(&form.back, validation.case_id, "verdict");
        Ok(Redirect::to(&to).into_response())
    }
    .await;
    framed(&session, result)
}

#[derive(Deserialize)]
pub struct ProposalForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    decision: String,
    /// The case page the form was on.
    #[serde(default)]
    case: String,
}

/// Merges a near duplicate into the proposed case, or keeps them apart (analysts).
pub async fn decide_proposal(
    State(state): State<AppState>,
    session: WebSession,
    Path(id): Path<String>,
    Form(form): Form<ProposalForm>,
) -> Response {
    let result = async {
        session.check_csrf(&form.csrf)?;
        let id: uuid::Uuid = path_id(&id, "merge proposal")?;
        let accept = match form.decision.as_str() {
            "merge" => true,
            "reject" => false,
            other => {
                return Err(ApiError::invalid(
                    format!("decision: {other:?} is neither \"merge\" nor \"reject\""),
                    Some("decision".into()),
                )
                .into());
            }
        };
        let proposal = state
            .app
            .decide_proposal(&session.actor, id, accept)
            .await?;
        // After a merge the source case is a rejected duplicate: go to where the finding is now.
        let case = if accept {
            proposal.target_case
        } else {
            form.case.parse().unwrap_or(proposal.target_case)
        };
        let to = done(case, if accept { "merged" } else { "kept" });
        Ok(Redirect::to(&to).into_response())
    }
    .await;
    framed(&session, result)
}

/// A form about one finding: checks the CSRF token and the id, runs `action`, then shows the case
/// it names with the `done` message `code`.
async fn finding_form<Fut>(
    session: &WebSession,
    raw_id: &str,
    csrf: &str,
    code: &str,
    action: impl FnOnce(FindingId) -> Fut,
) -> Response
where
    Fut: Future<Output = Result<CaseId, AppError>>,
{
    let result: WebResult = async {
        session.check_csrf(csrf)?;
        let id: FindingId = path_id(raw_id, "finding")?;
        let case = action(id).await?;
        Ok(Redirect::to(&done(case, code)).into_response())
    }
    .await;
    framed(session, result)
}

/// Withdraws one of the actor's organization's findings.
pub async fn withdraw(
    State(state): State<AppState>,
    session: WebSession,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Response {
    let (app, actor) = (&state.app, &session.actor);
    finding_form(&session, &id, &form.csrf, "withdrawn", |id| async move {
        Ok(app.withdraw_finding(actor, id).await?.case_id)
    })
    .await
}

/// Splits a finding out of its case into a new case (analysts); the new case's page follows.
pub async fn split(
    State(state): State<AppState>,
    session: WebSession,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Response {
    let (app, actor) = (&state.app, &session.actor);
    finding_form(&session, &id, &form.csrf, "split", |id| async move {
        Ok(app.split_finding(actor, id).await?.id)
    })
    .await
}

/// An attachment's content, through the service that logs the read. Always a download (never
/// rendered by the browser, whatever media type was given), never cached.
pub async fn download(
    State(state): State<AppState>,
    session: WebSession,
    Path(id): Path<String>,
) -> Response {
    let result: WebResult = async {
        let id: AttachmentId = path_id(&id, "attachment")?;
        let (attachment, content) = state.app.read_attachment(&session.actor, id).await?;
        let safe_name: String = attachment
            .filename
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || "._-".contains(c) {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{safe_name}\""))
            .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
        Ok((
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/octet-stream"),
                ),
                (header::CONTENT_DISPOSITION, disposition),
                (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
                (
                    header::X_CONTENT_TYPE_OPTIONS,
                    HeaderValue::from_static("nosniff"),
                ),
            ],
            content,
        )
            .into_response())
    }
    .await;
    framed(&session, result)
}

#[cfg(test)]
mod tests {
    use clearinghouse_domain::coordination::{CaseState, RejectReason};

    use super::*;

    #[test]
    fn datetime_local_values_read_as_utc() {
        let t = utc_minute("x", "2027-03-01T14:30").expect("valid");
        assert_eq!(
            t.map(|t| t.to_string()).as_deref(),
            Some("2027-03-01T14:30:00Z")
        );
        assert!(utc_minute("x", "").expect("empty").is_none());
        let err = utc_minute("embargo_until", "tomorrow").expect_err("invalid");
        assert!(err.to_string().starts_with("embargo_until:"), "{err}");
    }

    #[test]
    fn choices_name_their_field() {
        assert_eq!(
            choice::<CaseState>("to", " triaged ").ok(),
            Some(CaseState::Triaged)
        );
        assert_eq!(
            optional_choice::<RejectReason>("reason", "").ok(),
            Some(None)
        );
        let err = choice::<CaseState>("to", "done").expect_err("unknown");
        assert!(err.to_string().starts_with("to:"), "{err}");
        assert_eq!(
            back_to("validate", CaseId::generate(), "claimed"),
            "/validate?done=claimed"
        );
    }
}
