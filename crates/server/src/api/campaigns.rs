//! Scan campaigns and deconfliction: operators' network assets, scan authorizations and
//! blackouts; finders' campaigns, their overlaps and resolution; campaign tokens and the
//! authorization check a scanning agent asks.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use clearinghouse_app::campaigns::{
    AuthorizationRequest, BlackoutRequest as BlackoutInput, CampaignRequest as CampaignInput,
    RangeRequest,
};
use clearinghouse_domain::campaign::Window;
use clearinghouse_domain::ids::NetworkRangeId;
use clearinghouse_domain::page::PageRequest;
use clearinghouse_domain::{BlackoutId, CampaignId, OrgId, OverlapId, ScanAuthorizationId};

use crate::api::campaign_dto::{
    BlackoutDto, BlackoutRequest, CampaignDto, CampaignPage, CampaignQuery, CampaignRequest,
    CampaignTokenRequest, CampaignTokenResponse, CheckQuery, CheckResponse, CreatedCampaignDto,
    NetworkAssetDto, NetworkAssetRequest, OverlapDto, ResolveRequest, ScanAuthorizationDto,
    ScanAuthorizationRequest,
};
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{ApiJson, ApiQuery, Auth, path_id};
use crate::state::AppState;

// Network assets.

/// Register a hostname (`www.example.org`, or `*.example.org` for every name below it) or an IP
/// network the operator owns, so finders' campaigns can be checked against its authorizations.
/// Visible only to the operator's members.
#[utoipa::path(post, path = "/api/v1/orgs/{id}/network-assets", tag = "campaigns",
    params(("id" = String, Path, description = "Organization id")), request_body = NetworkAssetRequest,
    responses((status = 201, body = NetworkAssetDto), (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create_network_asset(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NetworkAssetRequest>,
) -> ApiResult<(StatusCode, Json<NetworkAssetDto>)> {
    let org: OrgId = path_id(&id, "organization")?;
    let range = state
        .app
        .create_network_range(
            &auth.actor,
            org,
            RangeRequest {
                target: body.target,
                asset: body.asset_id,
                label: body.label,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(range.into())))
}

/// An operator's registered network assets (its members only).
#[utoipa::path(get, path = "/api/v1/orgs/{id}/network-assets", tag = "campaigns",
    params(("id" = String, Path, description = "Organization id")),
    responses((status = 200, body = Vec<NetworkAssetDto>), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn list_network_assets(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<NetworkAssetDto>>> {
    let org: OrgId = path_id(&id, "organization")?;
    let ranges = state.app.network_ranges(&auth.actor, org).await?;
    Ok(Json(ranges.into_iter().map(Into::into).collect()))
}

/// One network asset.
#[utoipa::path(get, path = "/api/v1/network-assets/{id}", tag = "campaigns",
    params(("id" = String, Path, description = "Network asset id")),
    responses((status = 200, body = NetworkAssetDto), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_network_asset(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<NetworkAssetDto>> {
    let id: NetworkRangeId = path_id(&id, "network asset")?;
    Ok(Json(state.app.network_range(&auth.actor, id).await?.into()))
}

/// Remove a network asset. Campaigns already declared keep their record; checks from now on no
/// longer count the operator as its owner.
#[utoipa::path(delete, path = "/api/v1/network-assets/{id}", tag = "campaigns",
    params(("id" = String, Path, description = "Network asset id")),
    responses((status = 204, description = "Removed"), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn delete_network_asset(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let id: NetworkRangeId = path_id(&id, "network asset")?;
    state.app.delete_network_range(&auth.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

// Scan authorizations.

/// Authorize a finder organization to actively scan part of the operator's registered network
/// assets during a window, with technique limits and a maximum rate. Revocable at any time.
#[utoipa::path(post, path = "/api/v1/orgs/{id}/scan-authorizations", tag = "campaigns",
    params(("id" = String, Path, description = "Operator organization id")), request_body = ScanAuthorizationRequest,
    responses((status = 201, body = ScanAuthorizationDto), (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create_scan_authorization(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ScanAuthorizationRequest>,
) -> ApiResult<(StatusCode, Json<ScanAuthorizationDto>)> {
    let org: OrgId = path_id(&id, "organization")?;
    let authorization = state
        .app
        .create_scan_authorization(
            &auth.actor,
            org,
            AuthorizationRequest {
                finder: body.finder_id,
                scope: body.scope,
                start: body.start,
                end: body.end,
                techniques: body.techniques,
                max_rate: body.max_rate,
                note: body.note,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(authorization.into())))
}

/// The scan authorizations an organization gave (as operator) or received (as finder).
#[utoipa::path(get, path = "/api/v1/orgs/{id}/scan-authorizations", tag = "campaigns",
    params(("id" = String, Path, description = "Organization id")),
    responses((status = 200, body = Vec<ScanAuthorizationDto>), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn list_scan_authorizations(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<ScanAuthorizationDto>>> {
    let org: OrgId = path_id(&id, "organization")?;
    let list = state.app.scan_authorizations(&auth.actor, org).await?;
    Ok(Json(list.into_iter().map(Into::into).collect()))
}

/// One scan authorization (the operator, the finder, analysts and administrators).
#[utoipa::path(get, path = "/api/v1/scan-authorizations/{id}", tag = "campaigns",
    params(("id" = String, Path, description = "Scan authorization id")),
    responses((status = 200, body = ScanAuthorizationDto), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_scan_authorization(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<ScanAuthorizationDto>> {
    let id: ScanAuthorizationId = path_id(&id, "scan authorization")?;
    Ok(Json(
        state.app.scan_authorization(&auth.actor, id).await?.into(),
    ))
}

/// Revoke a scan authorization at once: checks and new campaigns stop relying on it immediately.
#[utoipa::path(post, path = "/api/v1/scan-authorizations/{id}/revoke", tag = "campaigns",
    params(("id" = String, Path, description = "Scan authorization id")),
    responses((status = 200, body = ScanAuthorizationDto), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn revoke_scan_authorization(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<ScanAuthorizationDto>> {
    let id: ScanAuthorizationId = path_id(&id, "scan authorization")?;
    Ok(Json(
        state
            .app
            .revoke_scan_authorization(&auth.actor, id)
            .await?
            .into(),
    ))
}

// Blackouts.

/// Record a blackout: a period when none (or a scope) of the operator's assets may be scanned,
/// whatever any authorization says.
#[utoipa::path(post, path = "/api/v1/orgs/{id}/blackouts", tag = "campaigns",
    params(("id" = String, Path, description = "Operator organization id")), request_body = BlackoutRequest,
    responses((status = 201, body = BlackoutDto), (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create_blackout(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<BlackoutRequest>,
) -> ApiResult<(StatusCode, Json<BlackoutDto>)> {
    let org: OrgId = path_id(&id, "organization")?;
    let blackout = state
        .app
        .create_blackout(
            &auth.actor,
            org,
            BlackoutInput {
                scope: body.scope,
                start: body.start,
                end: body.end,
                reason: body.reason,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(blackout.into())))
}

/// An operator's blackouts (its members, analysts and administrators).
#[utoipa::path(get, path = "/api/v1/orgs/{id}/blackouts", tag = "campaigns",
    params(("id" = String, Path, description = "Operator organization id")),
    responses((status = 200, body = Vec<BlackoutDto>), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn list_blackouts(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<BlackoutDto>>> {
    let org: OrgId = path_id(&id, "organization")?;
    let list = state.app.blackouts(&auth.actor, org).await?;
    Ok(Json(list.into_iter().map(Into::into).collect()))
}

/// Lift a blackout.
#[utoipa::path(post, path = "/api/v1/blackouts/{id}/revoke", tag = "campaigns",
    params(("id" = String, Path, description = "Blackout id")),
    responses((status = 200, body = BlackoutDto), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn revoke_blackout(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<BlackoutDto>> {
    let id: BlackoutId = path_id(&id, "blackout")?;
    Ok(Json(
        state.app.revoke_blackout(&auth.actor, id).await?.into(),
    ))
}

// Campaigns.

/// Declare a scanning campaign. Hostnames and networks must be covered, for the whole window, by
/// an unrevoked authorization from every operator that owns them and touch no blackout; a
/// refusal (422, type `refused`) names each target and why, and stores nothing. Overlaps with
/// other finders' live campaigns are detected at once and both finders are notified.
#[utoipa::path(post, path = "/api/v1/campaigns", tag = "campaigns", request_body = CampaignRequest,
    responses((status = 201, body = CreatedCampaignDto), (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 503, body = Problem, content_type = "application/problem+json")))]
pub async fn create_campaign(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<CampaignRequest>,
) -> ApiResult<(StatusCode, Json<CreatedCampaignDto>)> {
    let created = state
        .app
        .create_campaign(
            &auth.actor,
            CampaignInput {
                finder: body.finder_id,
                name: body.name,
                targets: body.targets,
                technique: body.technique,
                tool_name: body.tool.name,
                tool_version: body.tool.version,
                start: body.start,
                end: body.end,
                rate_limit: body.rate_limit,
            },
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedCampaignDto {
            campaign: created.campaign.into(),
            overlaps: created.overlaps.into_iter().map(Into::into).collect(),
        }),
    ))
}

/// The campaigns the caller may see: its own organizations', those targeting its assets, or all
/// for analysts and administrators; optionally only those meeting `[from, to)`.
#[utoipa::path(get, path = "/api/v1/campaigns", tag = "campaigns", params(CampaignQuery),
    responses((status = 200, body = CampaignPage), (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn list_campaigns(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<CampaignQuery>,
) -> ApiResult<Json<CampaignPage>> {
    let during = match (q.from, q.to) {
        (None, None) => None,
        (from, to) => {
            let from = from.unwrap_or(jiff::Timestamp::MIN);
            let to = to.unwrap_or(jiff::Timestamp::MAX);
            if to <= from {
                return Err(ApiError::bad_request(
                    "`to` must be after `from`",
                    Some("#/query/to".into()),
                ));
            }
            Some(Window {
                start: from,
                end: to,
            })
        }
    };
    let page = state
        .app
        .campaigns(&auth.actor, during, &PageRequest::new(q.cursor, q.limit))
        .await?;
    Ok(Json(CampaignPage {
        next_cursor: page.next_cursor,
        items: page.items.into_iter().map(Into::into).collect(),
    }))
}

/// One campaign, with each network target's current authorization status.
#[utoipa::path(get, path = "/api/v1/campaigns/{id}", tag = "campaigns",
    params(("id" = String, Path, description = "Campaign id")),
    responses((status = 200, body = CampaignDto), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_campaign(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<CampaignDto>> {
    let id: CampaignId = path_id(&id, "campaign")?;
    Ok(Json(state.app.campaign(&auth.actor, id).await?.into()))
}

/// Cancel a campaign (its finder organization); checks refuse it from now on.
#[utoipa::path(post, path = "/api/v1/campaigns/{id}/cancel", tag = "campaigns",
    params(("id" = String, Path, description = "Campaign id")),
    responses((status = 200, body = CampaignDto), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn cancel_campaign(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<CampaignDto>> {
    let id: CampaignId = path_id(&id, "campaign")?;
    Ok(Json(
        state.app.cancel_campaign(&auth.actor, id).await?.into(),
    ))
}

/// A campaign's overlaps (both finders, analysts and administrators; the other finder's name is
/// shown so they can coordinate).
#[utoipa::path(get, path = "/api/v1/campaigns/{id}/overlaps", tag = "campaigns",
    params(("id" = String, Path, description = "Campaign id")),
    responses((status = 200, body = Vec<OverlapDto>), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn list_campaign_overlaps(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<OverlapDto>>> {
    let id: CampaignId = path_id(&id, "campaign")?;
    let list = state.app.campaign_overlaps(&auth.actor, id).await?;
    Ok(Json(list.into_iter().map(Into::into).collect()))
}

/// Create a token bound to this campaign for its scanning agent: it may only check targets and
/// read the campaign, and expires no later than the campaign's window. The secret is in this
/// response only.
#[utoipa::path(post, path = "/api/v1/campaigns/{id}/tokens", tag = "campaigns",
    params(("id" = String, Path, description = "Campaign id")), request_body = CampaignTokenRequest,
    responses((status = 201, body = CampaignTokenResponse), (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create_campaign_token(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CampaignTokenRequest>,
) -> ApiResult<(StatusCode, Json<CampaignTokenResponse>)> {
    let id: CampaignId = path_id(&id, "campaign")?;
    let created = state
        .app
        .create_campaign_token(&auth.actor, id, &body.name, body.expires_at)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(CampaignTokenResponse {
            id: created.info.id,
            campaign_id: id,
            name: created.info.name,
            expires_at: created.info.expires_at.unwrap_or_default(),
            secret: created.secret,
        }),
    ))
}

// Overlaps.

/// One overlap.
#[utoipa::path(get, path = "/api/v1/overlaps/{id}", tag = "campaigns",
    params(("id" = String, Path, description = "Overlap id")),
    responses((status = 200, body = OverlapDto), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_overlap(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<OverlapDto>> {
    let id: OverlapId = path_id(&id, "overlap")?;
    Ok(Json(state.app.overlap(&auth.actor, id).await?.into()))
}

/// A finder of either campaign proposes a resolution (`lead` with the leading campaign, `share`,
/// or `stagger`: the later campaign moves to start when the earlier ends); the other finder
/// accepts it. An analyst or administrator decides at once.
#[utoipa::path(post, path = "/api/v1/overlaps/{id}/resolve", tag = "campaigns",
    params(("id" = String, Path, description = "Overlap id")), request_body = ResolveRequest,
    responses((status = 200, body = OverlapDto), (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn resolve_overlap(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ResolveRequest>,
) -> ApiResult<Json<OverlapDto>> {
    let id: OverlapId = path_id(&id, "overlap")?;
    Ok(Json(
        state
            .app
            .resolve_overlap(&auth.actor, id, body.kind, body.lead)
            .await?
            .into(),
    ))
}

/// The other finder accepts the open proposal (the later campaign's finder accepts the default
/// one), which becomes the resolution.
#[utoipa::path(post, path = "/api/v1/overlaps/{id}/accept", tag = "campaigns",
    params(("id" = String, Path, description = "Overlap id")),
    responses((status = 200, body = OverlapDto), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn accept_overlap(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<OverlapDto>> {
    let id: OverlapId = path_id(&id, "overlap")?;
    Ok(Json(
        state.app.accept_overlap(&auth.actor, id).await?.into(),
    ))
}

// The check.

/// May this target be scanned now (or at `at`), and under which campaign? Answers for the calling
/// token's organization, or for the one campaign a campaign token is bound to: the campaign, the
/// authorizations covering the target and when they end, the rate to keep to, and a blackout if
/// one is why not.
#[utoipa::path(get, path = "/api/v1/authorizations/check", tag = "campaigns", params(CheckQuery),
    responses((status = 200, body = CheckResponse), (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn check(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<CheckQuery>,
) -> ApiResult<Json<CheckResponse>> {
    let result = state
        .app
        .check_target(&auth.actor, &q.target, q.at, q.campaign)
        .await?;
    Ok(Json(result.into()))
}
