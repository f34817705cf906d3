//! The tamper-evident log: checkpoint, verifier key, entries and proofs (RFC 9162 shapes).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::IntoResponse;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;

use super::dto::*;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{ApiQuery, Auth};
use crate::state::AppState;

const NOTE_CONTENT_TYPE: &str = "text/plain; charset=utf-8";

/// The latest checkpoint, as a C2SP signed note (origin, tree size, base64 root hash, blank line,
/// signature line).
#[utoipa::path(get, path = "/api/v1/log/checkpoint", tag = "log",
    responses((status = 200, content_type = "text/plain", body = String), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn checkpoint(State(state): State<AppState>, auth: Auth) -> ApiResult<impl IntoResponse> {
    let note = state.app.log_checkpoint(&auth.actor).await?;
    Ok(([(header::CONTENT_TYPE, NOTE_CONTENT_TYPE)], note))
}

/// The log's verifier key in C2SP note format (`name+hexkeyid+base64(0x01‖pubkey)`). Public.
#[utoipa::path(get, path = "/api/v1/log/key", tag = "log", security(()),
    responses((status = 200, content_type = "text/plain", body = String)))]
pub async fn verifier_key(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, NOTE_CONTENT_TYPE)],
        format!("{}\n", state.app.log_verifier_key()),
    )
}

/// Entries in index order.
#[utoipa::path(get, path = "/api/v1/log/entries", tag = "log", params(EntriesQuery),
    responses((status = 200, body = LogEntryPage), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn list_entries(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<EntriesQuery>,
) -> ApiResult<Json<LogEntryPage>> {
    let (tree_size, _) = state.app.log_head(&auth.actor).await?;
    let from = q.from.unwrap_or(0);
    let limit = q.limit.unwrap_or(50).clamp(1, 500);
    let entries = state.app.log_entries(&auth.actor, from, limit).await?;
    let next = from + entries.len() as u64;
    Ok(Json(LogEntryPage {
        next_from: (entries.len() as u32 == limit && next < tree_size).then_some(next),
        items: entries.into_iter().map(entry_dto).collect(),
        tree_size,
    }))
}

/// One entry, with the exact leaf bytes.
#[utoipa::path(get, path = "/api/v1/log/entries/{index}", tag = "log", params(("index" = u64, Path, description = "Entry index")),
    responses((status = 200, body = LogEntryDto), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_entry(
    State(state): State<AppState>,
    auth: Auth,
    Path(index): Path<String>,
) -> ApiResult<Json<LogEntryDto>> {
    let index: u64 = index.parse().map_err(|_| {
        ApiError::not_found(format!("log entry {index:?} not found (not an index)"))
    })?;
    Ok(Json(entry_dto(
        state.app.log_entry(&auth.actor, index).await?,
    )))
}

/// The inclusion proof (audit path) of entry `index` in the tree of size `tree_size`.
#[utoipa::path(get, path = "/api/v1/log/proof/inclusion", tag = "log", params(InclusionQuery),
    responses((status = 200, body = ProofDto), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn inclusion_proof(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<InclusionQuery>,
) -> ApiResult<Json<ProofDto>> {
    let hashes = state
        .app
        .inclusion_proof(&auth.actor, q.index, q.tree_size)
        .await?;
    Ok(Json(ProofDto {
        hashes: hashes.iter().map(|h| B64.encode(h)).collect(),
    }))
}

/// The consistency proof between the trees of sizes `from` and `to`.
#[utoipa::path(get, path = "/api/v1/log/proof/consistency", tag = "log", params(ConsistencyQuery),
    responses((status = 200, body = ProofDto), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn consistency_proof(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<ConsistencyQuery>,
) -> ApiResult<Json<ProofDto>> {
    let hashes = state
        .app
        .consistency_proof(&auth.actor, q.from, q.to)
        .await?;
    Ok(Json(ProofDto {
        hashes: hashes.iter().map(|h| B64.encode(h)).collect(),
    }))
}

fn entry_dto(entry: clearinghouse_app::log::EntryView) -> LogEntryDto {
    LogEntryDto {
        index: entry.index,
        leaf_hash: B64.encode(clearinghouse_tlog::leaf_hash(&entry.leaf)),
        leaf: B64.encode(&entry.leaf),
        content: entry.content,
    }
}
