//! The knowledge base: imports, vulnerabilities (one per alias group) and source records.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::IntoResponse;
use clearinghouse_app::knowledge::{ImportKind, SourceDocument};
use clearinghouse_domain::AdvisoryId;
use clearinghouse_domain::authz::Actor;
use clearinghouse_domain::page::PageRequest;
use clearinghouse_standards::knowledge::SourceKind;

use crate::api::dto::{
    AdvisoryDto, AdvisoryPage, AdvisoryQuery, ImportRequest, ImportSummaryDto,
    VulnerabilityDetailsDto, VulnerabilityPage, VulnerabilityQuery,
};
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{ApiJson, ApiQuery, Auth, path_id};
use crate::state::AppState;

/// Import documents into the knowledge base: inline (`documents`) or from a URL the server reads
/// (`source`: a directory, zip, CSAF provider or one file). Idempotent: documents already stored with
/// the same digest count as unchanged; a document that cannot be read is rejected with its reason
/// and the others are imported. New records are matched against every inventory at once.
#[utoipa::path(post, path = "/api/v1/imports/{kind}", tag = "knowledge",
    params(("kind" = String, Path, description = "osv, csaf, kev, epss, cve or vex")), request_body = ImportRequest,
    responses((status = 200, body = ImportSummaryDto), (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn import(
    State(state): State<AppState>,
    auth: Auth,
    Path(kind): Path<String>,
    ApiJson(body): ApiJson<ImportRequest>,
) -> ApiResult<Json<ImportSummaryDto>> {
    let kind = ImportKind::parse(&kind).ok_or_else(|| {
        ApiError::not_found(format!(
            "import kind {kind:?} not found; expected osv, csaf, kev, epss, cve or vex"
        ))
    })?;
    let summary = match (body.source, body.documents.is_empty()) {
        (Some(source), true) => {
            let options = clearinghouse_feeds::FeedOptions {
                since: body.since,
                ..Default::default()
            };
            let mut quiet = |_: u64, _: Option<u64>| {};
            state
                .app
                .import_source(&auth.actor, kind, &source, &options, &mut quiet)
                .await?
        }
        (None, false) => {
            let documents = body
                .documents
                .into_iter()
                .map(|d| SourceDocument {
                    location: d.location,
                    bytes: d.content.into_bytes(),
                })
                .collect();
            state
                .app
                .import_documents(&auth.actor, kind, documents)
                .await?
        }
        _ => {
            return Err(clearinghouse_app::Error::Invalid {
                field: "/".into(),
                problem: "give either `source` or a non-empty `documents`".into(),
            }
            .into());
        }
    };
    Ok(Json(summary.into()))
}

/// List vulnerabilities (one per alias group), optionally those with an alias starting with `q`.
#[utoipa::path(get, path = "/api/v1/vulnerabilities", tag = "knowledge", params(VulnerabilityQuery),
    responses((status = 200, body = VulnerabilityPage), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn list_vulnerabilities(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<VulnerabilityQuery>,
) -> ApiResult<Json<VulnerabilityPage>> {
    let page = state
        .app
        .list_vulnerabilities(
            &auth.actor,
            q.q.as_deref(),
            &PageRequest::new(q.cursor, q.limit),
        )
        .await?;
    Ok(Json(VulnerabilityPage {
        next_cursor: page.next_cursor,
        items: page.items.into_iter().map(Into::into).collect(),
    }))
}

/// One vulnerability, by its id or any alias (CVE, GHSA, PYSEC, RUSTSEC, GO, vendor ids), with
/// every source record about it.
#[utoipa::path(get, path = "/api/v1/vulnerabilities/{id}", tag = "knowledge",
    params(("id" = String, Path, description = "Vulnerability id or any alias")),
    responses((status = 200, body = VulnerabilityDetailsDto), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_vulnerability(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<VulnerabilityDetailsDto>> {
    Ok(Json(vulnerability_details(&state, &auth.actor, &id).await?))
}

pub(crate) async fn vulnerability_details(
    state: &AppState,
    actor: &Actor,
    id: &str,
) -> ApiResult<VulnerabilityDetailsDto> {
    let details = state.app.vulnerability(actor, id).await?;
    Ok(VulnerabilityDetailsDto {
        vulnerability: details.vulnerability.into(),
        sources: details.sources.into_iter().map(Into::into).collect(),
        epss: details.epss.map(|e| e.0),
        epss_percentile: details.epss.map(|e| e.1),
    })
}

/// List source records, optionally of one kind.
#[utoipa::path(get, path = "/api/v1/advisories", tag = "knowledge", params(AdvisoryQuery),
    responses((status = 200, body = AdvisoryPage), (status = 400, body = Problem, content_type = "application/problem+json")))]
pub async fn list_advisories(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<AdvisoryQuery>,
) -> ApiResult<Json<AdvisoryPage>> {
    let source = q
        .source
        .as_deref()
        .map(|s| {
            SourceKind::parse(s).ok_or_else(|| clearinghouse_app::Error::Invalid {
                field: "source".into(),
                problem: format!("unknown source {s:?}; expected osv, csaf, kev, cve or cyclonedx"),
            })
        })
        .transpose()?;
    let page = state
        .app
        .list_advisories(&auth.actor, source, &PageRequest::new(q.cursor, q.limit))
        .await?;
    Ok(Json(AdvisoryPage {
        next_cursor: page.next_cursor,
        items: page.items.into_iter().map(Into::into).collect(),
    }))
}

/// One source record (without its document).
#[utoipa::path(get, path = "/api/v1/advisories/{id}", tag = "knowledge",
    params(("id" = String, Path, description = "Advisory id")),
    responses((status = 200, body = AdvisoryDto), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_advisory(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<AdvisoryDto>> {
    let id: AdvisoryId = path_id(&id, "advisory")?;
    let (summary, _) = state.app.advisory(&auth.actor, id).await?;
    Ok(Json(summary.into()))
}

/// The source document exactly as received (its SHA-256 is the record's `digest`).
#[utoipa::path(get, path = "/api/v1/advisories/{id}/document", tag = "knowledge",
    params(("id" = String, Path, description = "Advisory id")),
    responses((status = 200, description = "The document bytes", content_type = "application/json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_advisory_document(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<impl IntoResponse> {
    let id: AdvisoryId = path_id(&id, "advisory")?;
    let (summary, document) = state.app.advisory(&auth.actor, id).await?;
    let content_type = if document.first().is_some_and(|b| *b == b'{' || *b == b'[') {
        "application/json"
    } else {
        "text/plain; charset=utf-8"
    };
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::ETAG, format!("\"{}\"", summary.digest)),
        ],
        document,
    ))
}
