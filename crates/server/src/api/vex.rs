//! Operators' own VEX: submit a CSAF or CycloneDX VEX document for an operator, list its
//! submissions, withdraw one. A vendor's CycloneDX VEX is imported into the knowledge base instead
//! (`POST /api/v1/imports/vex`) and applies to everyone.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use clearinghouse_domain::inventory::{MatchStatus, VexFormat, VexSubmission};
use clearinghouse_domain::{OrgId, VexSubmissionId};
use serde::Serialize;

use crate::error::{ApiResult, Problem};
use crate::extract::{Auth, path_id};
use crate::state::AppState;

/// A VEX document an operator submitted.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct VexSubmissionDto {
    /// Its id.
    pub id: String,
    /// The operator.
    pub org: String,
    /// The asset, when the VEX came embedded in its SBOM (and applies to it only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub asset: Option<String>,
    /// The upload it came with, when embedded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upload: Option<String>,
    /// `csaf` or `cyclonedx`.
    pub format: VexFormat,
    /// The document's tracking id or serial number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document_id: Option<String>,
    /// SHA-256 of the document, hex.
    pub digest: String,
    /// Statements stored.
    pub statements: u32,
    /// Who submitted it.
    pub submitted_by: String,
    /// When.
    pub created_at: jiff::Timestamp,
    /// When it was withdrawn.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub withdrawn_at: Option<jiff::Timestamp>,
}

impl From<VexSubmission> for VexSubmissionDto {
    fn from(s: VexSubmission) -> Self {
        Self {
            id: s.id.to_string(),
            org: s.org.to_string(),
            asset: s.asset.map(|a| a.to_string()),
            upload: s.upload.map(|u| u.to_string()),
            format: s.format,
            document_id: s.document_id,
            digest: s.digest,
            statements: s.statements,
            submitted_by: s.submitted_by,
            created_at: s.created_at,
            withdrawn_at: s.withdrawn_at,
        }
    }
}

/// A part of a VEX document that was not applied.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SkippedDto {
    /// Where in the document (JSON path).
    pub path: String,
    /// Why.
    pub reason: String,
}

impl From<clearinghouse_app::vex::Skipped> for SkippedDto {
    fn from(s: clearinghouse_app::vex::Skipped) -> Self {
        Self {
            path: s.path,
            reason: s.reason,
        }
    }
}

/// One statement as stored.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct VexStatementDto {
    /// The vulnerability id the document used.
    pub vulnerability: String,
    /// `ecosystem/name` or `cpe/vendor:product`.
    pub package: String,
    /// Which versions.
    pub range: String,
    /// `affected` or `not_affected`.
    pub status: MatchStatus,
    /// Why.
    pub justification: String,
}

/// What submitting a VEX document did.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct VexResultDto {
    /// The stored submission.
    pub submission: VexSubmissionDto,
    /// The statements stored.
    pub statements: Vec<VexStatementDto>,
    /// What was not applied, and why.
    pub skipped: Vec<SkippedDto>,
    /// Matches whose status changed (not affected now, or affected again).
    pub matches_changed: u64,
}

/// How a withdrawal changed the operator's matches.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct VexWithdrawalDto {
    /// Matches whose status changed back.
    pub matches_changed: u64,
}

/// Submit the operator's own VEX: a CSAF VEX document or a CycloneDX VEX (`vulnerabilities[]`
/// with `analysis.state`/`justification` and `affects[].ref`; a reference into an SBOM the
/// operator uploaded is resolved by its `bom-ref`). The statements apply to this operator's matches
/// only, which are re-marked at once; the latest statement about a package wins, and it may
/// overrule a vendor's. Statements about vulnerabilities the knowledge base does not know are
/// skipped with the reason; a document with nothing applicable is refused and changes nothing.
#[utoipa::path(post, path = "/api/v1/orgs/{id}/vex", tag = "inventories",
    params(("id" = String, Path, description = "Organization id")),
    request_body(content = String, description = "A CSAF or CycloneDX VEX document (JSON)", content_type = "application/json"),
    responses((status = 201, body = VexResultDto), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"), (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn submit_vex(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<VexResultDto>)> {
    let org: OrgId = path_id(&id, "organization")?;
    let outcome = state.app.submit_vex(&auth.actor, org, &body).await?;
    Ok((
        StatusCode::CREATED,
        Json(VexResultDto {
            submission: outcome.submission.into(),
            statements: outcome
                .statements
                .into_iter()
                .map(|s| VexStatementDto {
                    vulnerability: s.vulnerability,
                    package: s.package,
                    range: s.range,
                    status: s.status,
                    justification: s.justification,
                })
                .collect(),
            skipped: outcome.skipped.into_iter().map(Into::into).collect(),
            matches_changed: outcome.matching.changed,
        }),
    ))
}

/// An operator's VEX submissions, newest first, embedded ones included.
#[utoipa::path(get, path = "/api/v1/orgs/{id}/vex", tag = "inventories",
    params(("id" = String, Path, description = "Organization id")),
    responses((status = 200, body = Vec<VexSubmissionDto>), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn list_vex(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<VexSubmissionDto>>> {
    let org: OrgId = path_id(&id, "organization")?;
    let submissions = state.app.vex_submissions(&auth.actor, org).await?;
    Ok(Json(submissions.into_iter().map(Into::into).collect()))
}

/// Withdraw a VEX submission: its statements stop applying and the matches they marked are
/// affected again at once (unless another statement says otherwise).
#[utoipa::path(delete, path = "/api/v1/orgs/{id}/vex/{submission}", tag = "inventories",
    params(("id" = String, Path, description = "Organization id"), ("submission" = String, Path, description = "VEX submission id")),
    responses((status = 200, body = VexWithdrawalDto), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn withdraw_vex(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, submission)): Path<(String, String)>,
) -> ApiResult<Json<VexWithdrawalDto>> {
    let org: OrgId = path_id(&id, "organization")?;
    let submission: VexSubmissionId = path_id(&submission, "VEX submission")?;
    let outcome = state.app.withdraw_vex(&auth.actor, org, submission).await?;
    Ok(Json(VexWithdrawalDto {
        matches_changed: outcome.changed,
    }))
}
