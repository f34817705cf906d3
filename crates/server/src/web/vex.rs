//! The operator's own VEX in the browser: a form on the asset page takes a CSAF or CycloneDX VEX
//! document (a file or pasted JSON), and each submission can be withdrawn. The statements apply to
//! the whole operator (see `clearinghouse_app::vex`); the asset page is where people meet them.

use axum::extract::multipart::MultipartRejection;
use axum::extract::{Form, Multipart, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use clearinghouse_domain::{AssetId, OrgId, VexSubmissionId};
use serde::Deserialize;

use super::inventory::read_upload_form;
use super::{WebError, WebSession};
use crate::extract::path_id;
use crate::state::AppState;

type WebResult = Result<Response, WebError>;

/// Stores a VEX document for the asset's operator and shows the asset again with what changed.
pub async fn submit(
    State(state): State<AppState>,
    session: WebSession,
    Path(id): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> WebResult {
    let form = read_upload_form(multipart, state.config.max_body_bytes).await?;
    session.check_csrf(&form.csrf)?;
    let id: AssetId = path_id(&id, "asset")?;
    let asset = state.app.asset(&session.actor, id).await?;
    let bytes = form.document("a VEX document", "vex-file")?;
    let outcome = state
        .app
        .submit_vex(&session.actor, asset.org, bytes)
        .await?;
    Ok(Redirect::to(&format!(
        "/assets/{id}?vex={}&skipped={}&changed={}",
        outcome.statements.len(),
        outcome.skipped.len(),
        outcome.matching.changed
    ))
    .into_response())
}

/// The withdrawal form: the CSRF token and the asset page to return to.
#[derive(Deserialize)]
pub struct WithdrawForm {
    csrf: String,
    asset: String,
}

/// Withdraws a VEX submission and returns to the asset page.
pub async fn withdraw(
    State(state): State<AppState>,
    session: WebSession,
    Path((id, submission)): Path<(String, String)>,
    Form(form): Form<WithdrawForm>,
) -> WebResult {
    session.check_csrf(&form.csrf)?;
    let org: OrgId = path_id(&id, "organization")?;
    let submission: VexSubmissionId = path_id(&submission, "VEX submission")?;
    let asset: AssetId = path_id(&form.asset, "asset")?;
    let outcome = state
        .app
        .withdraw_vex(&session.actor, org, submission)
        .await?;
    Ok(Redirect::to(&format!(
        "/assets/{asset}?withdrawn=1&changed={}",
        outcome.changed
    ))
    .into_response())
}
