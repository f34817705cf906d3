//! Vulnerability coordination: findings (JSON and SARIF), cases and their queue, transitions,
//! disclosure, members, merges and splits, validations, vendor statuses, comments, attachments.
//! Every read goes through the visibility rule in the services: what you may not see is 404.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use clearinghouse_app::coordination::{
    AttachmentUpload, CaseQuery, Disposition, FindingRequest, MemberRequest, SarifContext,
    StatusRequest, TransitionRequest,
};
use clearinghouse_domain::coordination::Location;
use clearinghouse_domain::page::PageRequest;
use clearinghouse_domain::{AttachmentId, CaseId, FindingId, ValidationId};

use crate::api::coordination_dto::{
    AttachmentDto, AttachmentUploadDto, CaseAttachmentRequest, CaseDto, CaseExportDto, CasePage,
    CaseQueryDto, CommentDto, CommentPage, CommentRequest, DisclosureRequest, FindingDto,
    FindingSubmitRequest, IntakeOutcomeDto, MemberRequestDto, MembersDto, MergeProposalDto,
    NotifiedDto, ProposalPage, ProposalQuery, QueuePage, SarifQuery, SarifReportDto,
    TransitionRequestDto, ValidationDto, VendorStatusDto, VendorStatusRequest, VerdictRequest,
    VerdictResultDto,
};
use crate::api::dto::PageQuery;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{ApiJson, ApiQuery, Auth, path_id};
use crate::state::AppState;

/// The header that makes a submission safe to retry.
const IDEMPOTENCY_KEY: &str = "idempotency-key";

fn idempotency_key(headers: &HeaderMap) -> ApiResult<Option<String>> {
    headers
        .get(IDEMPOTENCY_KEY)
        .map(|v| {
            v.to_str().map(str::to_owned).map_err(|_| {
                ApiError::bad_request(
                    "the Idempotency-Key header must be printable ASCII",
                    Some("#/header/Idempotency-Key".into()),
                )
            })
        })
        .transpose()
}

fn decode_base64(pointer: &str, text: &str) -> ApiResult<Vec<u8>> {
    base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .map_err(|e| {
            ApiError::invalid(
                format!("{pointer}: not standard base64 ({e})"),
                Some(pointer.to_owned()),
            )
        })
}

fn attachment_upload(pointer: &str, a: AttachmentUploadDto) -> ApiResult<AttachmentUpload> {
    Ok(AttachmentUpload {
        content: decode_base64(&format!("{pointer}/content_base64"), &a.content_base64)?,
        kind: a.kind,
        filename: a.filename,
        media_type: a.media_type,
    })
}

impl TryFrom<FindingSubmitRequest> for FindingRequest {
    type Error = ApiError;

    fn try_from(body: FindingSubmitRequest) -> ApiResult<Self> {
        let attachments = body
            .attachments
            .into_iter()
            .enumerate()
            .map(|(i, a)| attachment_upload(&format!("#/attachments/{i}"), a))
            .collect::<ApiResult<Vec<_>>>()?;
        let (versions_range, versions) = match body.versions {
            Some(v) => (v.vers, v.list),
            None => (None, Vec::new()),
        };
        Ok(FindingRequest {
            org: body.org_id,
            title: body.title,
            description: body.description,
            product: body.product,
            versions_range,
            versions,
            cwe: body.cwe,
            cvss: body.cvss,
            location: Location {
                file: body.location.file,
                function: body.location.function,
                line: body.location.line,
                url: body.location.url,
                endpoint: body.location.endpoint,
            },
            tool: body.provenance.tool,
            tool_version: body.provenance.tool_version,
            campaign: body.provenance.campaign_id,
            known_ids: body.known_ids,
            tlp: body.tlp,
            credit_public: body.credit_public,
            attachments,
            sarif_fingerprints: Default::default(),
        })
    }
}

fn case_id(raw: &str) -> ApiResult<CaseId> {
    path_id(raw, "case")
}

/// Submit a finding (finders). Exact duplicates join the existing case (the earlier finder keeps
/// priority, both are credited); near duplicates open a case with a merge proposal for analysts;
/// matches in the knowledge base are flagged. Send `Idempotency-Key` to make retries safe: a retry
/// gets the first response, the same key with another body is a 422.
#[utoipa::path(post, path = "/api/v1/findings", tag = "coordination", request_body = FindingSubmitRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries return the first response (per organization)")),
    responses((status = 201, body = IntakeOutcomeDto, description = "Accepted (new case, duplicate or near duplicate)"),
        (status = 200, body = IntakeOutcomeDto, description = "Your organization already reported exactly this"),
        (status = 400, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn submit_finding(
    State(state): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
    ApiJson(body): ApiJson<FindingSubmitRequest>,
) -> ApiResult<(StatusCode, Json<IntakeOutcomeDto>)> {
    let key = idempotency_key(&headers)?;
    let request = FindingRequest::try_from(body)?;
    let outcome = state
        .app
        .submit_finding(&auth.actor, &request, key.as_deref())
        .await?;
    let status = if outcome.disposition == Disposition::AlreadyReported {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, Json(outcome.into())))
}

/// Submit a SARIF 2.1.0 log (finders): each result becomes a finding of the product named in the
/// query (CWE from the rule's tags or properties, location from the first physical location,
/// partialFingerprints into the duplicate fingerprint). The report says per result whether it was
/// accepted, merged into an existing case, or rejected, with its JSON path.
#[utoipa::path(post, path = "/api/v1/findings/sarif", tag = "coordination", params(SarifQuery,
        ("Idempotency-Key" = Option<String>, Header, description = "Makes retries return the first report")),
    request_body(content = String, description = "A SARIF 2.1.0 log", content_type = "application/sarif+json"),
    responses((status = 200, body = SarifReportDto), (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn submit_sarif(
    State(state): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
    ApiQuery(query): ApiQuery<SarifQuery>,
    body: Bytes,
) -> ApiResult<Json<SarifReportDto>> {
    let key = idempotency_key(&headers)?;
    let context = SarifContext {
        org: query.org_id,
        product: query.product,
        versions_range: query.vers,
        versions: query
            .versions
            .map(|v| {
                v.split(',')
                    .map(str::trim)
                    .filter(|v| !v.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default(),
        campaign: query.campaign_id,
        tlp: query.tlp,
        credit_public: query.credit_public.unwrap_or(false),
    };
    let report = state
        .app
        .submit_sarif(&auth.actor, &body, &context, key.as_deref())
        .await?;
    Ok(Json(report.into()))
}

/// One finding (members of its case with the full view).
#[utoipa::path(get, path = "/api/v1/findings/{id}", tag = "coordination",
    params(("id" = String, Path, description = "Finding id")),
    responses((status = 200, body = FindingDto), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_finding(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<FindingDto>> {
    let id: FindingId = path_id(&id, "finding")?;
    Ok(Json(state.app.finding(&auth.actor, id).await?.into()))
}

/// Withdraw a finding (its organization's finders). A case left without active findings before
/// validation closes.
#[utoipa::path(post, path = "/api/v1/findings/{id}/withdraw", tag = "coordination",
    params(("id" = String, Path, description = "Finding id")),
    responses((status = 200, body = FindingDto), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn withdraw_finding(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<FindingDto>> {
    let id: FindingId = path_id(&id, "finding")?;
    Ok(Json(
        state.app.withdraw_finding(&auth.actor, id).await?.into(),
    ))
}

/// Split a finding out of its case into a new case (analysts).
#[utoipa::path(post, path = "/api/v1/findings/{id}/split", tag = "coordination",
    params(("id" = String, Path, description = "Finding id")),
    responses((status = 201, body = CaseDto), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn split_finding(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<(StatusCode, Json<CaseDto>)> {
    let id: FindingId = path_id(&id, "finding")?;
    let case = state.app.split_finding(&auth.actor, id).await?;
    Ok((StatusCode::CREATED, Json(case.into())))
}

/// Cases you may see, newest first: filter by state or TLP, search title and product with `q`.
/// Each item is shaped by your view of it.
#[utoipa::path(get, path = "/api/v1/cases", tag = "coordination", params(CaseQueryDto),
    responses((status = 200, body = CasePage), (status = 400, body = Problem, content_type = "application/problem+json")))]
pub async fn list_cases(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<CaseQueryDto>,
) -> ApiResult<Json<CasePage>> {
    let query = CaseQuery {
        state: q.state,
        tlp: q.tlp,
        search: q.q,
    };
    let page = state
        .app
        .cases(&auth.actor, &query, &PageRequest::new(q.cursor, q.limit))
        .await?;
    Ok(Json(CasePage {
        next_cursor: page.next_cursor,
        items: page.items.into_iter().map(Into::into).collect(),
    }))
}

/// The analysts' queue: open cases ranked by the CISA SSVC coordinator decision, then CVSS, then
/// exposure (operators running the component, by sector), then age; each with the reason and the
/// due date.
#[utoipa::path(get, path = "/api/v1/cases/queue", tag = "coordination", params(PageQuery),
    responses((status = 200, body = QueuePage), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn queue(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<QueuePage>> {
    let page = state
        .app
        .queue(&auth.actor, &PageRequest::new(q.cursor, q.limit))
        .await?;
    Ok(Json(QueuePage {
        next_cursor: page.next_cursor,
        items: page.items.into_iter().map(Into::into).collect(),
    }))
}

/// One case, shaped by your view of it (`full`, `limited`, `open_for_validation`).
#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "coordination",
    params(("id" = String, Path, description = "Case id")),
    responses((status = 200, body = CaseDto), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_case(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<CaseDto>> {
    Ok(Json(
        state.app.case(&auth.actor, case_id(&id)?).await?.into(),
    ))
}

/// Everything you may take away about a case in one document (never attachment content).
#[utoipa::path(get, path = "/api/v1/cases/{id}/export", tag = "coordination",
    params(("id" = String, Path, description = "Case id")),
    responses((status = 200, body = CaseExportDto), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn export_case(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<CaseExportDto>> {
    Ok(Json(
        state
            .app
            .export_case(&auth.actor, case_id(&id)?)
            .await?
            .into(),
    ))
}

/// Move a case to another state. The state machine says which moves exist and who makes them:
/// analysts triage, reject (with a reason), open validation, start coordination, publish, close;
/// vendors mark a fix available; the validation quorum validates.
#[utoipa::path(post, path = "/api/v1/cases/{id}/transition", tag = "coordination",
    params(("id" = String, Path, description = "Case id")), request_body = TransitionRequestDto,
    responses((status = 200, body = CaseDto), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn transition_case(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<TransitionRequestDto>,
) -> ApiResult<Json<CaseDto>> {
    let request = TransitionRequest {
        to: body.to,
        reason: body.reason,
    };
    Ok(Json(
        state
            .app
            .transition_case(&auth.actor, case_id(&id)?, &request)
            .await?
            .into(),
    ))
}

/// Change a case's TLP mark or embargo end (analysts).
#[utoipa::path(put, path = "/api/v1/cases/{id}/disclosure", tag = "coordination",
    params(("id" = String, Path, description = "Case id")), request_body = DisclosureRequest,
    responses((status = 200, body = CaseDto), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn set_disclosure(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<DisclosureRequest>,
) -> ApiResult<Json<CaseDto>> {
    Ok(Json(
        state
            .app
            .set_disclosure(&auth.actor, case_id(&id)?, body.tlp, body.embargo_until)
            .await?
            .into(),
    ))
}

/// A case's findings, earliest first (full view).
#[utoipa::path(get, path = "/api/v1/cases/{id}/findings", tag = "coordination",
    params(("id" = String, Path, description = "Case id")),
    responses((status = 200, body = Vec<FindingDto>), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn case_findings(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<FindingDto>>> {
    let findings = state.app.case_findings(&auth.actor, case_id(&id)?).await?;
    Ok(Json(findings.into_iter().map(Into::into).collect()))
}

/// A case's member organizations and named people (full view).
#[utoipa::path(get, path = "/api/v1/cases/{id}/members", tag = "coordination",
    params(("id" = String, Path, description = "Case id")),
    responses((status = 200, body = MembersDto), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn case_members(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<MembersDto>> {
    let (members, named) = state.app.case_members(&auth.actor, case_id(&id)?).await?;
    Ok(Json(MembersDto {
        members: members.into_iter().map(Into::into).collect(),
        named: named.into_iter().map(Into::into).collect(),
    }))
}

/// Add an organization to a case (analysts): a vendor (notified), an operator (pre-notified, where
/// the TLP mark allows), an assigned validator; and name people of it.
#[utoipa::path(post, path = "/api/v1/cases/{id}/members", tag = "coordination",
    params(("id" = String, Path, description = "Case id")), request_body = MemberRequestDto,
    responses((status = 200, body = CaseDto), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn add_case_member(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<MemberRequestDto>,
) -> ApiResult<Json<CaseDto>> {
    let request = MemberRequest {
        org: body.org_id,
        relation: body.relation,
        people: body.people,
    };
    Ok(Json(
        state
            .app
            .add_case_member(&auth.actor, case_id(&id)?, &request)
            .await?
            .into(),
    ))
}

/// Pre-notify every operator whose current inventory runs the case's product (analysts; where the
/// TLP mark allows). Says how many, never who.
#[utoipa::path(post, path = "/api/v1/cases/{id}/operators/notify", tag = "coordination",
    params(("id" = String, Path, description = "Case id")),
    responses((status = 200, body = NotifiedDto), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn notify_operators(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<NotifiedDto>> {
    let operators = state
        .app
        .notify_affected_operators(&auth.actor, case_id(&id)?)
        .await?;
    Ok(Json(NotifiedDto { operators }))
}

/// A case's validations (full view).
#[utoipa::path(get, path = "/api/v1/cases/{id}/validations", tag = "coordination",
    params(("id" = String, Path, description = "Case id")),
    responses((status = 200, body = Vec<ValidationDto>), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn list_validations(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<ValidationDto>>> {
    let validations = state.app.validations(&auth.actor, case_id(&id)?).await?;
    Ok(Json(validations.into_iter().map(Into::into).collect()))
}

/// Claim a case open for validation (validators independent of its finders).
#[utoipa::path(post, path = "/api/v1/cases/{id}/validations", tag = "coordination",
    params(("id" = String, Path, description = "Case id")),
    responses((status = 201, body = ValidationDto), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn claim_case(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<(StatusCode, Json<ValidationDto>)> {
    let validation = state.app.claim_case(&auth.actor, case_id(&id)?).await?;
    Ok((StatusCode::CREATED, Json(validation.into())))
}

/// Give the verdict of your claim. Reaching the quorum of independent reproductions (one, or two
/// for critical cases) validates the case.
#[utoipa::path(post, path = "/api/v1/validations/{id}/verdict", tag = "coordination",
    params(("id" = String, Path, description = "Validation id")), request_body = VerdictRequest,
    responses((status = 200, body = VerdictResultDto), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn record_verdict(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<VerdictRequest>,
) -> ApiResult<Json<VerdictResultDto>> {
    let id: ValidationId = path_id(&id, "validation")?;
    let (validation, case_state) = state
        .app
        .record_verdict(&auth.actor, id, body.verdict, body.notes.as_deref())
        .await?;
    Ok(Json(VerdictResultDto {
        validation: validation.into(),
        case_state,
    }))
}

/// A case's vendor statuses per product (remediation: the limited view sees them too).
#[utoipa::path(get, path = "/api/v1/cases/{id}/vendor-statuses", tag = "coordination",
    params(("id" = String, Path, description = "Case id")),
    responses((status = 200, body = Vec<VendorStatusDto>), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn list_vendor_statuses(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<VendorStatusDto>>> {
    let statuses = state
        .app
        .vendor_statuses(&auth.actor, case_id(&id)?)
        .await?;
    Ok(Json(statuses.into_iter().map(Into::into).collect()))
}

/// Record your status for a product of the case (the case's vendor contacts).
#[utoipa::path(post, path = "/api/v1/cases/{id}/vendor-statuses", tag = "coordination",
    params(("id" = String, Path, description = "Case id")), request_body = VendorStatusRequest,
    responses((status = 200, body = VendorStatusDto), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn record_vendor_status(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<VendorStatusRequest>,
) -> ApiResult<Json<VendorStatusDto>> {
    let request = StatusRequest {
        org: body.org_id,
        product: body.product,
        status: body.status,
        fixed_version: body.fixed_version,
        note: body.note,
    };
    Ok(Json(
        state
            .app
            .record_vendor_status(&auth.actor, case_id(&id)?, &request)
            .await?
            .into(),
    ))
}

/// A case's discussion thread, oldest first (members with the full view).
#[utoipa::path(get, path = "/api/v1/cases/{id}/comments", tag = "coordination",
    params(("id" = String, Path, description = "Case id"), PageQuery),
    responses((status = 200, body = CommentPage), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn list_comments(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<CommentPage>> {
    let page = state
        .app
        .comments(
            &auth.actor,
            case_id(&id)?,
            &PageRequest::new(q.cursor, q.limit),
        )
        .await?;
    Ok(Json(CommentPage {
        next_cursor: page.next_cursor,
        items: page.items.into_iter().map(Into::into).collect(),
    }))
}

/// Write in a case's thread (members with the full view).
#[utoipa::path(post, path = "/api/v1/cases/{id}/comments", tag = "coordination",
    params(("id" = String, Path, description = "Case id")), request_body = CommentRequest,
    responses((status = 201, body = CommentDto), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn add_comment(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CommentRequest>,
) -> ApiResult<(StatusCode, Json<CommentDto>)> {
    let comment = state
        .app
        .add_comment(&auth.actor, case_id(&id)?, &body.body)
        .await?;
    Ok((StatusCode::CREATED, Json(comment.into())))
}

/// A case's attachments: metadata only (full view).
#[utoipa::path(get, path = "/api/v1/cases/{id}/attachments", tag = "coordination",
    params(("id" = String, Path, description = "Case id")),
    responses((status = 200, body = Vec<AttachmentDto>), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn list_attachments(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<AttachmentDto>>> {
    let attachments = state.app.attachments(&auth.actor, case_id(&id)?).await?;
    Ok(Json(attachments.into_iter().map(Into::into).collect()))
}

/// Attach a file to a case (its finders, claimed validators, analysts); encrypted before it
/// reaches the database.
#[utoipa::path(post, path = "/api/v1/cases/{id}/attachments", tag = "coordination",
    params(("id" = String, Path, description = "Case id")), request_body = CaseAttachmentRequest,
    responses((status = 201, body = AttachmentDto), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn upload_attachment(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CaseAttachmentRequest>,
) -> ApiResult<(StatusCode, Json<AttachmentDto>)> {
    let upload = AttachmentUpload {
        content: decode_base64("#/content_base64", &body.content_base64)?,
        kind: body.kind,
        filename: body.filename,
        media_type: body.media_type,
    };
    let attachment = state
        .app
        .upload_attachment(&auth.actor, case_id(&id)?, body.finding_id, &upload)
        .await?;
    Ok((StatusCode::CREATED, Json(attachment.into())))
}

/// An attachment's content, decrypted: only for the finder that attached it, analysts, the case's
/// validators and vendors (everyone else, operators included, gets 404). Every read is in the log.
#[utoipa::path(get, path = "/api/v1/attachments/{id}/content", tag = "coordination",
    params(("id" = String, Path, description = "Attachment id")),
    responses((status = 200, description = "The content", content_type = "application/octet-stream"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn attachment_content(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let id: AttachmentId = path_id(&id, "attachment")?;
    let (attachment, content) = state.app.read_attachment(&auth.actor, id).await?;
    let mut response = content.into_response();
    let headers = response.headers_mut();
    // Served as a download, never rendered: exploit material must not run in a browser.
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    let filename: String = attachment
        .filename
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        .collect();
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    if let Ok(value) = HeaderValue::from_str(&attachment.media_type) {
        headers.insert("x-attachment-media-type", value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// Merge proposals for near duplicates (analysts), oldest first.
#[utoipa::path(get, path = "/api/v1/merge-proposals", tag = "coordination", params(ProposalQuery),
    responses((status = 200, body = ProposalPage), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn list_proposals(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<ProposalQuery>,
) -> ApiResult<Json<ProposalPage>> {
    let page = state
        .app
        .merge_proposals(&auth.actor, q.status, &PageRequest::new(q.cursor, q.limit))
        .await?;
    Ok(Json(ProposalPage {
        next_cursor: page.next_cursor,
        items: page.items.into_iter().map(Into::into).collect(),
    }))
}

async fn decide(
    state: AppState,
    auth: Auth,
    id: String,
    accept: bool,
) -> ApiResult<Json<MergeProposalDto>> {
    let id: uuid::Uuid = path_id(&id, "merge proposal")?;
    Ok(Json(
        state
            .app
            .decide_proposal(&auth.actor, id, accept)
            .await?
            .into(),
    ))
}

/// Accept a merge proposal (analysts): the finding's case merges into the proposed case, every
/// finder keeps credit, the earliest keeps priority.
#[utoipa::path(post, path = "/api/v1/merge-proposals/{id}/accept", tag = "coordination",
    params(("id" = String, Path, description = "Merge proposal id")),
    responses((status = 200, body = MergeProposalDto), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn accept_proposal(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<MergeProposalDto>> {
    decide(state, auth, id, true).await
}

/// Reject a merge proposal (analysts): the cases stay apart.
#[utoipa::path(post, path = "/api/v1/merge-proposals/{id}/reject", tag = "coordination",
    params(("id" = String, Path, description = "Merge proposal id")),
    responses((status = 200, body = MergeProposalDto), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn reject_proposal(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<MergeProposalDto>> {
    decide(state, auth, id, false).await
}
