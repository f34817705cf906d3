//! Operators' inventories, what to fix first, aggregate exposure, and notification subscriptions.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use clearinghouse_app::notify::SubscriptionRequest;
use clearinghouse_domain::inventory::NewAsset;
use clearinghouse_domain::page::PageRequest;
use clearinghouse_domain::{AssetId, DeliveryId, OrgId, SubscriptionId, UploadId, VulnerabilityId};

use crate::api::dto::{
    AssetDto, AssetRequest, ComponentDto, DeliveryPage, DeliveryQuery, ExposureDto, MatchDto,
    PrioritiesDto, SubscriptionDto, SubscriptionRequestDto, UploadDetailsDto, UploadDto,
    UploadResultDto,
};
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiJson, ApiQuery, Auth, path_id};
use crate::state::AppState;

fn new_asset(body: AssetRequest) -> ApiResult<NewAsset> {
    Ok(NewAsset::parse(
        &body.name,
        body.mission_impact,
        body.safety_impact,
        body.exposure,
        body.owner.as_deref(),
        body.shared_with_analysts,
    )
    .map_err(clearinghouse_app::Error::from)?)
}

/// Register an asset of an operator, with the SSVC inputs that belong to the operator.
#[utoipa::path(post, path = "/api/v1/orgs/{id}/assets", tag = "inventories",
    params(("id" = String, Path, description = "Organization id")), request_body = AssetRequest,
    responses((status = 201, body = AssetDto), (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create_asset(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<AssetRequest>,
) -> ApiResult<(StatusCode, Json<AssetDto>)> {
    let org: OrgId = path_id(&id, "organization")?;
    let asset = state
        .app
        .create_asset(&auth.actor, org, new_asset(body)?)
        .await?;
    Ok((StatusCode::CREATED, Json(asset.into())))
}

/// An operator's assets.
#[utoipa::path(get, path = "/api/v1/orgs/{id}/assets", tag = "inventories",
    params(("id" = String, Path, description = "Organization id")),
    responses((status = 200, body = Vec<AssetDto>), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn list_assets(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<AssetDto>>> {
    let org: OrgId = path_id(&id, "organization")?;
    let assets = state.app.list_assets(&auth.actor, org).await?;
    Ok(Json(assets.into_iter().map(Into::into).collect()))
}

/// One asset.
#[utoipa::path(get, path = "/api/v1/assets/{id}", tag = "inventories",
    params(("id" = String, Path, description = "Asset id")),
    responses((status = 200, body = AssetDto), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_asset(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<AssetDto>> {
    let id: AssetId = path_id(&id, "asset")?;
    Ok(Json(state.app.asset(&auth.actor, id).await?.into()))
}

/// Change an asset's description (its matches are re-ranked on the next read).
#[utoipa::path(put, path = "/api/v1/assets/{id}", tag = "inventories",
    params(("id" = String, Path, description = "Asset id")), request_body = AssetRequest,
    responses((status = 200, body = AssetDto), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update_asset(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<AssetRequest>,
) -> ApiResult<Json<AssetDto>> {
    let id: AssetId = path_id(&id, "asset")?;
    Ok(Json(
        state
            .app
            .update_asset(&auth.actor, id, new_asset(body)?)
            .await?
            .into(),
    ))
}

/// Upload what runs on an asset: a CycloneDX or SPDX SBOM (JSON), or a list of package URLs or CPE
/// names, one per line. It supersedes the asset's previous upload (kept in the history) and is
/// matched at once.
#[utoipa::path(post, path = "/api/v1/assets/{id}/uploads", tag = "inventories",
    params(("id" = String, Path, description = "Asset id")),
    request_body(content = String, description = "An SBOM (JSON) or a purl/CPE list", content_type = "application/json"),
    responses((status = 201, body = UploadResultDto), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"), (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn upload(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<UploadResultDto>)> {
    let id: AssetId = path_id(&id, "asset")?;
    let result = state.app.upload_inventory(&auth.actor, id, &body).await?;
    Ok((
        StatusCode::CREATED,
        Json(UploadResultDto {
            upload: result.upload.into(),
            matches_added: result.matching.added,
            vex: result.vex.map(Into::into),
            vex_skipped: result.vex_skipped.into_iter().map(Into::into).collect(),
        }),
    ))
}

/// An asset's uploads, newest first.
#[utoipa::path(get, path = "/api/v1/assets/{id}/uploads", tag = "inventories",
    params(("id" = String, Path, description = "Asset id")),
    responses((status = 200, body = Vec<UploadDto>), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn list_uploads(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<UploadDto>>> {
    let id: AssetId = path_id(&id, "asset")?;
    let uploads = state.app.uploads(&auth.actor, id).await?;
    Ok(Json(uploads.into_iter().map(Into::into).collect()))
}

/// One upload with its components.
#[utoipa::path(get, path = "/api/v1/uploads/{id}", tag = "inventories",
    params(("id" = String, Path, description = "Upload id")),
    responses((status = 200, body = UploadDetailsDto), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_upload(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<UploadDetailsDto>> {
    let id: UploadId = path_id(&id, "upload")?;
    let (upload, components) = state.app.upload(&auth.actor, id).await?;
    Ok(Json(UploadDetailsDto {
        upload: upload.into(),
        components: components
            .into_iter()
            .map(|c| ComponentDto {
                seq: c.seq,
                name: c.name,
                version: c.version,
                purl: c.purl,
            })
            .collect(),
    }))
}

/// An operator's current matches, each with the reason (component, record, range).
#[utoipa::path(get, path = "/api/v1/orgs/{id}/matches", tag = "inventories",
    params(("id" = String, Path, description = "Organization id")),
    responses((status = 200, body = Vec<MatchDto>), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn list_matches(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<MatchDto>>> {
    let org: OrgId = path_id(&id, "organization")?;
    let matches = state.app.matches(&auth.actor, org).await?;
    Ok(Json(matches.into_iter().map(Into::into).collect()))
}

/// What the operator should fix first: one item per vulnerability per asset, ranked by the SSVC
/// deployer decision (Exploitation from KEV and CISA's ADP data, Automatable, the asset's exposure
/// and human impact), then KEV, EPSS and CVSS, with the reason for each rank.
#[utoipa::path(get, path = "/api/v1/orgs/{id}/priorities", tag = "inventories",
    params(("id" = String, Path, description = "Organization id")),
    responses((status = 200, body = PrioritiesDto), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn priorities(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<PrioritiesDto>> {
    let org: OrgId = path_id(&id, "organization")?;
    let priorities = state.app.priorities(&auth.actor, org, false).await?;
    Ok(Json(PrioritiesDto {
        items: priorities
            .items
            .iter()
            .map(|item| serde_json::to_value(item).unwrap_or_default())
            .collect(),
        not_affected: priorities.not_affected,
        not_affected_items: priorities
            .not_affected_items
            .into_iter()
            .map(Into::into)
            .collect(),
        last_visit: priorities.last_visit,
    }))
}

/// Aggregate exposure (analysts and administrators): how many operators in each sector run an
/// affected component, most widespread vulnerabilities first. Never says which operators.
#[utoipa::path(get, path = "/api/v1/exposure", tag = "inventories",
    responses((status = 200, body = Vec<ExposureDto>), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn exposure(
    State(state): State<AppState>,
    auth: Auth,
) -> ApiResult<Json<Vec<ExposureDto>>> {
    let rows = state.app.exposure(&auth.actor, None).await?;
    Ok(Json(rows.into_iter().map(Into::into).collect()))
}

/// Aggregate exposure of one vulnerability (analysts and administrators).
#[utoipa::path(get, path = "/api/v1/vulnerabilities/{id}/exposure", tag = "inventories",
    params(("id" = String, Path, description = "Vulnerability id or alias")),
    responses((status = 200, body = ExposureDto), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn vulnerability_exposure(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<ExposureDto>> {
    let vulnerability = state
        .app
        .vulnerability(&auth.actor, &id)
        .await?
        .vulnerability;
    let id: VulnerabilityId = vulnerability.id;
    let rows = state.app.exposure(&auth.actor, Some(id)).await?;
    Ok(Json(rows.into_iter().next().map(Into::into).unwrap_or(
        ExposureDto {
            vulnerability: id.to_string(),
            display_id: vulnerability.display_id,
            operators: 0,
            sectors: Vec::new(),
        },
    )))
}

/// Subscribe an organization to new matches by webhook (signed per Standard Webhooks; the secret
/// is in this response only) or e-mail, optionally only some SSVC decisions, immediately or as a
/// daily digest.
#[utoipa::path(post, path = "/api/v1/orgs/{id}/subscriptions", tag = "notifications",
    params(("id" = String, Path, description = "Organization id")), request_body = SubscriptionRequestDto,
    responses((status = 201, body = SubscriptionDto), (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create_subscription(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<SubscriptionRequestDto>,
) -> ApiResult<(StatusCode, Json<SubscriptionDto>)> {
    let org: OrgId = path_id(&id, "organization")?;
    let request = SubscriptionRequest {
        channel: body.channel,
        target: body.target,
        decisions: body.decisions,
        mode: body.mode,
    };
    let (subscription, secret) = state
        .app
        .create_subscription(&auth.actor, org, request)
        .await?;
    let mut dto = SubscriptionDto::from(subscription);
    dto.secret = secret;
    Ok((StatusCode::CREATED, Json(dto)))
}

/// An organization's subscriptions.
#[utoipa::path(get, path = "/api/v1/orgs/{id}/subscriptions", tag = "notifications",
    params(("id" = String, Path, description = "Organization id")),
    responses((status = 200, body = Vec<SubscriptionDto>), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn list_subscriptions(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<SubscriptionDto>>> {
    let org: OrgId = path_id(&id, "organization")?;
    let subscriptions = state.app.subscriptions(&auth.actor, org).await?;
    Ok(Json(subscriptions.into_iter().map(Into::into).collect()))
}

/// Delete a subscription; its pending deliveries are dropped.
#[utoipa::path(delete, path = "/api/v1/subscriptions/{id}", tag = "notifications",
    params(("id" = String, Path, description = "Subscription id")),
    responses((status = 204, description = "Deleted"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn delete_subscription(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let id: SubscriptionId = path_id(&id, "subscription")?;
    state.app.delete_subscription(&auth.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An organization's deliveries, newest first; `status=dead` is the dead-letter view.
#[utoipa::path(get, path = "/api/v1/orgs/{id}/deliveries", tag = "notifications",
    params(("id" = String, Path, description = "Organization id"), DeliveryQuery),
    responses((status = 200, body = DeliveryPage), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn list_deliveries(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<DeliveryQuery>,
) -> ApiResult<Json<DeliveryPage>> {
    let org: OrgId = path_id(&id, "organization")?;
    let page = state
        .app
        .deliveries(
            &auth.actor,
            org,
            q.status,
            &PageRequest::new(q.cursor, q.limit),
        )
        .await?;
    Ok(Json(DeliveryPage {
        next_cursor: page.next_cursor,
        items: page.items.into_iter().map(Into::into).collect(),
    }))
}

/// Put a dead delivery back in the queue.
#[utoipa::path(post, path = "/api/v1/deliveries/{id}/retry", tag = "notifications",
    params(("id" = String, Path, description = "Delivery id")),
    responses((status = 202, description = "Queued again"), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn retry_delivery(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let id: DeliveryId = path_id(&id, "delivery")?;
    state.app.requeue_delivery(&auth.actor, id).await?;
    Ok(StatusCode::ACCEPTED)
}
