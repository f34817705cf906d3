//! Coordination work the background loop does: announcing embargo ends (visibility itself follows
//! the clock, so nothing waits for this), refreshing each open case's exposure and rank as
//! inventories change, and checking, when an outbox event about a case is dispatched and again
//! when it is delivered, that its organization still sees the case.

use std::collections::{BTreeSet, HashMap};

use clearinghouse_domain::audit::AuditRecord;
use clearinghouse_domain::coordination::visibility::{Viewer, case_view};
use clearinghouse_domain::coordination::{CaseView, SectorCount};
use clearinghouse_domain::notify::Event;
use clearinghouse_domain::{CaseId, OrgId};
use clearinghouse_store::CaseEvent;
use jiff::SignedDuration;
use serde_json::json;

use super::priority;
use crate::App;
use crate::error::Result;

/// How long an exposure count stays fresh.
const EXPOSURE_TTL: SignedDuration = SignedDuration::from_mins(10);
/// Cases refreshed per batch, and batches per round.
const EXPOSURE_BATCH: u32 = 500;
const EXPOSURE_BATCHES: usize = 4;

/// What one coordination round did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CoordinationRound {
    /// Cases whose embargo end was announced.
    pub embargoes_lifted: u64,
    /// Cases whose exposure was recounted.
    pub exposure_checked: u64,
    /// Of those, cases whose rank changed.
    pub reranked: u64,
}

impl App {
    /// Announces ended embargoes and refreshes stale exposure. Safe from any number of processes.
    pub async fn coordination_round(&self) -> Result<CoordinationRound> {
        let mut round = CoordinationRound::default();
        let now = clearinghouse_domain::time::now();
        loop {
            let due = self.store.embargoes_to_announce(now, 100).await?;
            if due.is_empty() {
                break;
            }
            let mut events = Vec::new();
            for record in &due {
                let orgs: BTreeSet<OrgId> = record.members.iter().map(|m| m.org).collect();
                for org in orgs {
                    events.push(CaseEvent {
                        org,
                        kind: "case.embargo_lifted".into(),
                        payload: json!({"case": record.case.id, "title": record.case.title,
                                        "tlp": record.case.tlp.as_str(), "state": record.case.state,
                                        "embargo_until": record.case.embargo_until.to_string()}),
                    });
                }
            }
            let ids: Vec<CaseId> = due.iter().map(|r| r.case.id).collect();
            let audit = AuditRecord::new(
                "system".into(),
                "case.embargo_lifted",
                "cases:embargo".into(),
                json!({"cases": ids}),
            );
            self.store
                .announce_embargo_lifted(&ids, &events, &audit)
                .await?;
            round.embargoes_lifted += ids.len() as u64;
        }
        for _ in 0..EXPOSURE_BATCHES {
            let stale = self
                .store
                .stale_exposure(now - EXPOSURE_TTL, EXPOSURE_BATCH)
                .await?;
            if stale.is_empty() {
                break;
            }
            let mut keys: Vec<(String, String)> = stale
                .iter()
                .map(|c| (c.product.ecosystem.clone(), c.product.name_key.clone()))
                .collect();
            keys.sort();
            keys.dedup();
            let mut by_product: HashMap<(String, String), Vec<SectorCount>> = HashMap::new();
            for row in self.store.operators_by_products(&keys).await? {
                by_product
                    .entry((row.ecosystem, row.name_key))
                    .or_default()
                    .push(SectorCount {
                        sector: row.sector,
                        operators: row.operators,
                    });
            }
            let mut updates = Vec::new();
            for case in &stale {
                let key = (
                    case.product.ecosystem.clone(),
                    case.product.name_key.clone(),
                );
                let exposure = by_product.get(&key).cloned().unwrap_or_default();
                let ranked = priority::rerank(
                    &case.priority,
                    exposure,
                    case.cvss.as_ref().map(|c| c.score),
                );
                if ranked != case.priority {
                    updates.push((case.id, ranked));
                }
            }
            let checked: Vec<CaseId> = stale.iter().map(|c| c.id).collect();
            let audit = AuditRecord::new(
                "system".into(),
                "case.exposure_refresh",
                "cases:exposure".into(),
                json!({"checked": checked.len(), "reranked": updates.iter().map(|(id, p)| json!({"case": id, "decision": p.decision, "key": p.key})).collect::<Vec<_>>()}),
            );
            self.store
                .record_priorities(&updates, &checked, now, &audit)
                .await?;
            round.exposure_checked += checked.len() as u64;
            round.reranked += updates.len() as u64;
        }
        Ok(round)
    }

    /// Whether an outbox event may go to its organization now: events about a case only while
    /// the organization's view of it is not `None`; every other event always.
    pub(crate) async fn event_visible(&self, event: &Event) -> Result<bool> {
        if !event.kind.starts_with("case.") {
            return Ok(true);
        }
        let Some(case) = event
            .payload
            .get("case")
            .and_then(|v| v.as_str())
            .and_then(|v| v.parse::<CaseId>().ok())
        else {
            return Ok(false);
        };
        let Some(record) = self.store.case(case).await? else {
            return Ok(false);
        };
        let now = clearinghouse_domain::time::now();
        Ok(case_view(&Viewer::organization(event.org), &record.access(), now) != CaseView::None)
    }
}
