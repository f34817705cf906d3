//! Organizations, people, memberships and tokens.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use clearinghouse_app::participants::{PersonRequest, TokenRequest};
use clearinghouse_domain::page::PageRequest;
use clearinghouse_domain::{Membership, NewOrganization, NewPerson, OrgId, PersonId, TokenId};

use super::dto::*;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiJson, ApiQuery, Auth, path_id};
use crate::state::AppState;

/// Who am I: the authenticated principal and its roles.
#[utoipa::path(get, path = "/api/v1/me", tag = "participants",
    responses((status = 200, body = MeResponse), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn me(auth: Auth) -> Json<MeResponse> {
    Json(MeResponse::from(&auth.actor))
}

/// List the organizations the caller may see.
#[utoipa::path(get, path = "/api/v1/orgs", tag = "participants", params(PageQuery),
    responses((status = 200, body = OrgPage), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn list_orgs(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<OrgPage>> {
    let page = state
        .app
        .list_orgs(&auth.actor, &PageRequest::new(q.cursor, q.limit))
        .await?;
    Ok(Json(OrgPage {
        items: page.items.into_iter().map(Into::into).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// Create an organization (administrators).
#[utoipa::path(post, path = "/api/v1/orgs", tag = "participants", request_body = CreateOrgRequest,
    responses((status = 201, body = OrgSummary), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create_org(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<CreateOrgRequest>,
) -> ApiResult<(StatusCode, Json<OrgSummary>)> {
    let new = NewOrganization::parse(&body.name, body.kind, body.sector)
        .map_err(clearinghouse_app::Error::from)?;
    let org = state.app.create_org(&auth.actor, new).await?;
    Ok((StatusCode::CREATED, Json(org.into())))
}

/// Read one organization.
#[utoipa::path(get, path = "/api/v1/orgs/{id}", tag = "participants", params(("id" = String, Path, description = "Organization id")),
    responses((status = 200, body = OrgSummary), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_org(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<OrgSummary>> {
    let id: OrgId = path_id(&id, "organization")?;
    Ok(Json(state.app.org(&auth.actor, id).await?.into()))
}

/// List an organization's members.
#[utoipa::path(get, path = "/api/v1/orgs/{id}/members", tag = "participants", params(("id" = String, Path, description = "Organization id")),
    responses((status = 200, body = Vec<MemberDto>), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn list_members(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<MemberDto>>> {
    let id: OrgId = path_id(&id, "organization")?;
    let members = state.app.members(&auth.actor, id).await?;
    Ok(Json(
        members
            .into_iter()
            .map(|(person, role)| MemberDto {
                person: person.into(),
                role,
            })
            .collect(),
    ))
}

/// List an organization's tokens (all of them for managers and administrators, one's own otherwise).
#[utoipa::path(get, path = "/api/v1/orgs/{id}/tokens", tag = "participants",
    params(("id" = String, Path, description = "Organization id"), PageQuery),
    responses((status = 200, body = TokenPage), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn list_org_tokens(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<TokenPage>> {
    let id: OrgId = path_id(&id, "organization")?;
    let page = state
        .app
        .list_tokens(&auth.actor, id, &PageRequest::new(q.cursor, q.limit))
        .await?;
    Ok(Json(TokenPage {
        items: page.items.into_iter().map(Into::into).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// Create a token for an organization. The secret is in the response once and never again.
#[utoipa::path(post, path = "/api/v1/orgs/{id}/tokens", tag = "participants",
    params(("id" = String, Path, description = "Organization id")), request_body = CreateTokenRequest,
    responses((status = 201, body = CreatedTokenResponse), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create_token(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CreateTokenRequest>,
) -> ApiResult<(StatusCode, Json<CreatedTokenResponse>)> {
    let org: OrgId = path_id(&id, "organization")?;
    let request = TokenRequest {
        org,
        role: body.role,
        name: body.name,
        expires_in_days: body.expires_in_days,
    };
    let created = state.app.create_token(&auth.actor, request).await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedTokenResponse {
            token: created.info.into(),
            secret: created.secret,
        }),
    ))
}

/// Revoke a token at once.
#[utoipa::path(post, path = "/api/v1/tokens/{id}/revoke", tag = "participants", params(("id" = String, Path, description = "Token id")),
    responses((status = 200, body = TokenSummary), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn revoke_token(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<TokenSummary>> {
    let id: TokenId = path_id(&id, "token")?;
    Ok(Json(state.app.revoke_token(&auth.actor, id).await?.into()))
}

/// List the people the caller may see.
#[utoipa::path(get, path = "/api/v1/people", tag = "participants", params(PageQuery),
    responses((status = 200, body = PersonPage), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn list_people(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<PersonPage>> {
    let page = state
        .app
        .list_people(&auth.actor, &PageRequest::new(q.cursor, q.limit))
        .await?;
    Ok(Json(PersonPage {
        items: page.items.into_iter().map(Into::into).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// Add a person to an organization.
#[utoipa::path(post, path = "/api/v1/people", tag = "participants", request_body = CreatePersonRequest,
    responses((status = 201, body = PersonDetailsDto), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create_person(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<CreatePersonRequest>,
) -> ApiResult<(StatusCode, Json<PersonDetailsDto>)> {
    let person = NewPerson::parse(&body.email, &body.display_name)
        .map_err(clearinghouse_app::Error::from)?;
    let request = PersonRequest {
        person,
        org: body.org_id,
        role: body.role,
        password: body.password,
    };
    let details = state.app.create_person(&auth.actor, request).await?;
    Ok((
        StatusCode::CREATED,
        Json(PersonDetailsDto {
            person: details.person.into(),
            memberships: details.memberships.into_iter().map(Into::into).collect(),
        }),
    ))
}

/// Read a person with their roles.
#[utoipa::path(get, path = "/api/v1/people/{id}", tag = "participants", params(("id" = String, Path, description = "Person id")),
    responses((status = 200, body = PersonDetailsDto), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_person(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<PersonDetailsDto>> {
    let id: PersonId = path_id(&id, "person")?;
    let details = state.app.person(&auth.actor, id).await?;
    Ok(Json(PersonDetailsDto {
        person: details.person.into(),
        memberships: details.memberships.into_iter().map(Into::into).collect(),
    }))
}

/// Give a person a role in an organization.
#[utoipa::path(post, path = "/api/v1/people/{id}/memberships", tag = "participants",
    params(("id" = String, Path, description = "Person id")), request_body = MembershipDto,
    responses((status = 204), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn grant_membership(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<MembershipDto>,
) -> ApiResult<StatusCode> {
    let person: PersonId = path_id(&id, "person")?;
    state.app.person(&auth.actor, person).await?;
    state
        .app
        .grant_membership(
            &auth.actor,
            Membership {
                person_id: person,
                org_id: body.org_id,
                role: body.role,
            },
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
