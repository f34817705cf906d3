//! The validator's workbench (`/validate`): cases open for validation that the validator may
//! claim, and the cases its organization claimed, each with an evidence upload and the verdict
//! form. The forms post to the same handlers as the case page (`coordination`), which come back
//! here when asked to.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;

use super::coordination::{CaseLine, byte_size, framed};
use super::inventory::{label, when};
use super::{Layout, WebSession, render};
use crate::state::AppState;

struct ClaimLine {
    case: CaseLine,
    validation: String,
    claimed: String,
    verdict: Option<String>,
    progress: String,
    /// (file name, size) of the evidence attached so far.
    evidence: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "validate.html")]
struct WorkbenchPage {
    layout: Layout,
    open: Vec<CaseLine>,
    claimed: Vec<ClaimLine>,
    truncated: bool,
}

#[derive(Deserialize, Default)]
pub struct WorkbenchQuery {
    done: Option<String>,
}

/// Cases to claim and claimed cases awaiting evidence and a verdict.
pub async fn workbench(
    State(state): State<AppState>,
    session: WebSession,
    Query(q): Query<WorkbenchQuery>,
) -> Response {
    let result = async {
        let desk = state.app.validation_desk(&session.actor).await?;
        let mut layout = session.layout("Validation workbench", "validate");
        layout.flash = match q.done.as_deref() {
            Some("claimed") => {
                Some("You claimed the case; reproduce it and give your verdict.".into())
            }
            Some("verdict") => Some("Verdict recorded.".into()),
            Some("attached") => Some("Evidence attached (encrypted at rest).".into()),
            _ => None,
        };
        Ok(render(&WorkbenchPage {
            layout,
            open: desk.open.iter().map(CaseLine::from).collect(),
            claimed: desk
                .claimed
                .iter()
                .map(|c| ClaimLine {
                    case: CaseLine::from(&c.case),
                    validation: c.validation.id.to_string(),
                    claimed: when(c.validation.claimed_at),
                    verdict: c.validation.verdict.map(|v| label(v.as_str())),
                    progress: format!(
                        "{} of {} reproduction{} needed",
                        c.reproductions,
                        c.quorum,
                        if c.quorum == 1 { "" } else { "s" }
                    ),
                    evidence: c
                        .evidence
                        .iter()
                        .map(|a| (a.filename.clone(), byte_size(a.size)))
                        .collect(),
                })
                .collect(),
            truncated: desk.truncated,
        }))
    }
    .await;
    framed(&session, result)
}
