//! The JSON API under `/api/v1`. Handlers are thin: extract typed input, call one service method,
//! render a DTO. The OpenAPI document is generated from these handlers' annotations.
//!
//! # Layout
//! - `dto`: the wire types (requests and responses), separate from domain types.
//! - `participants`: organizations, people, memberships, tokens, `me`.
//! - `knowledge`: imports, vulnerabilities and source records.
//! - `inventory`: assets, uploads, matches, priorities, exposure, subscriptions and deliveries.
//! - `campaigns` (+ `campaign_dto`): network assets, scan authorizations, blackouts, campaigns,
//!   overlaps, campaign tokens and the authorization check.
//! - `log`: checkpoint, key, entries and proofs of the tamper-evident log.
//! - `coordination` (DTOs in `coordination_dto`): findings, cases, the queue, validations, vendor
//!   statuses, comments, attachments, merge proposals.
//! - `vex`: operators' own VEX submissions (and their DTOs).

pub mod campaign_dto;
mod campaigns;
mod coordination;
pub mod coordination_dto;
pub mod dto;
mod inventory;
pub(crate) mod knowledge;
mod log;
mod participants;
pub(crate) mod vex;

use axum::Json;
use axum::response::IntoResponse;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

/// The API's top-level description.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Clearinghouse API",
        description = "AI cybersecurity clearinghouse and voluntary frontier-model review framework. \
            Errors are RFC 9457 problem details (application/problem+json). Lists use cursor pagination: \
            pass a response's `next_cursor` as `cursor` to get the next page.",
        license(name = "Apache-2.0")
    ),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
    tags(
        (name = "participants", description = "Organizations, people, memberships and API tokens"),
        (name = "knowledge", description = "The knowledge base: one vulnerability per alias group, every source's record"),
        (name = "inventories", description = "Operators' assets and SBOMs, matches, what to fix first, aggregate exposure"),
        (name = "notifications", description = "Webhook and e-mail subscriptions, deliveries and the dead-letter view"),
        (name = "campaigns", description = "Scan campaigns and deconfliction: operators' network assets, scan authorizations and blackouts, campaigns, overlaps, campaign tokens and the authorization check"),
        (name = "log", description = "The tamper-evident log: RFC 6962 Merkle tree with C2SP signed checkpoints"),
        (name = "coordination", description = "Findings, deduplication, cases, validation, prioritization, embargo and TLP 2.0, vendor coordination. What you may not see of a case is 404 on every route"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "An API token from `clearinghouse admin token create` or the Tokens page",
                    ))
                    .build(),
            ),
        );
    }
}

/// The API routes and their OpenAPI description.
pub fn router() -> (axum::Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(participants::me))
        .routes(routes!(participants::list_orgs, participants::create_org))
        .routes(routes!(participants::get_org))
        .routes(routes!(participants::list_members))
        .routes(routes!(
            participants::list_org_tokens,
            participants::create_token
        ))
        .routes(routes!(participants::revoke_token))
        .routes(routes!(
            participants::list_people,
            participants::create_person
        ))
        .routes(routes!(participants::get_person))
        .routes(routes!(participants::grant_membership))
        .routes(routes!(knowledge::import))
        .routes(routes!(knowledge::list_vulnerabilities))
        .routes(routes!(knowledge::get_vulnerability))
        .routes(routes!(knowledge::list_advisories))
        .routes(routes!(knowledge::get_advisory))
        .routes(routes!(knowledge::get_advisory_document))
        .routes(routes!(inventory::list_assets, inventory::create_asset))
        .routes(routes!(inventory::get_asset, inventory::update_asset))
        .routes(routes!(inventory::list_uploads, inventory::upload))
        .routes(routes!(inventory::get_upload))
        .routes(routes!(inventory::list_matches))
        .routes(routes!(inventory::priorities))
        .routes(routes!(inventory::exposure))
        .routes(routes!(inventory::vulnerability_exposure))
        .routes(routes!(vex::list_vex, vex::submit_vex))
        .routes(routes!(vex::withdraw_vex))
        .routes(routes!(
            inventory::list_subscriptions,
            inventory::create_subscription
        ))
        .routes(routes!(inventory::delete_subscription))
        .routes(routes!(inventory::list_deliveries))
        .routes(routes!(inventory::retry_delivery))
        .routes(routes!(
            campaigns::list_network_assets,
            campaigns::create_network_asset
        ))
        .routes(routes!(
            campaigns::get_network_asset,
            campaigns::delete_network_asset
        ))
        .routes(routes!(
            campaigns::list_scan_authorizations,
            campaigns::create_scan_authorization
        ))
        .routes(routes!(campaigns::get_scan_authorization))
        .routes(routes!(campaigns::revoke_scan_authorization))
        .routes(routes!(
            campaigns::list_blackouts,
            campaigns::create_blackout
        ))
        .routes(routes!(campaigns::revoke_blackout))
        .routes(routes!(
            campaigns::list_campaigns,
            campaigns::create_campaign
        ))
        .routes(routes!(campaigns::get_campaign))
        .routes(routes!(campaigns::cancel_campaign))
        .routes(routes!(campaigns::list_campaign_overlaps))
        .routes(routes!(campaigns::create_campaign_token))
        .routes(routes!(campaigns::get_overlap))
        .routes(routes!(campaigns::resolve_overlap))
        .routes(routes!(campaigns::accept_overlap))
        .routes(routes!(campaigns::check))
        .routes(routes!(log::checkpoint))
        .routes(routes!(log::verifier_key))
        .routes(routes!(log::list_entries))
        .routes(routes!(log::get_entry))
        .routes(routes!(log::inclusion_proof))
        .routes(routes!(log::consistency_proof))
        .routes(routes!(coordination::submit_finding))
        .routes(routes!(coordination::submit_sarif))
        .routes(routes!(coordination::get_finding))
        .routes(routes!(coordination::withdraw_finding))
        .routes(routes!(coordination::split_finding))
        .routes(routes!(coordination::list_cases))
        .routes(routes!(coordination::queue))
        .routes(routes!(coordination::get_case))
        .routes(routes!(coordination::export_case))
        .routes(routes!(coordination::transition_case))
        .routes(routes!(coordination::set_disclosure))
        .routes(routes!(coordination::case_findings))
        .routes(routes!(
            coordination::case_members,
            coordination::add_case_member
        ))
        .routes(routes!(coordination::notify_operators))
        .routes(routes!(
            coordination::list_validations,
            coordination::claim_case
        ))
        .routes(routes!(coordination::record_verdict))
        .routes(routes!(
            coordination::list_vendor_statuses,
            coordination::record_vendor_status
        ))
        .routes(routes!(
            coordination::list_comments,
            coordination::add_comment
        ))
        .routes(routes!(
            coordination::list_attachments,
            coordination::upload_attachment
        ))
        .routes(routes!(coordination::attachment_content))
        .routes(routes!(coordination::list_proposals))
        .routes(routes!(coordination::accept_proposal))
        .routes(routes!(coordination::reject_proposal))
        .split_for_parts()
}

/// The OpenAPI document as served and as committed in `openapi.json`.
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    router().1
}

/// `GET /api/v1/openapi.json`.
pub async fn openapi_json() -> impl IntoResponse {
    Json(openapi_document())
}
