//! Vulnerability coordination: findings in, deduplicated into cases, validated, ranked, coordinated
//! with vendors under embargo and TLP, published.
//!
//! # Layout
//! - this file: the policy (validation quorum), what a viewer gets of a case (`VisibleCase`) and
//!   every read, each through the visibility rule (`coordination::visibility`): a case whose view
//!   is `None` is "not found" on every path.
//! - `intake`: findings from JSON and SARIF, idempotency keys, exact and near duplicates, known
//!   public vulnerabilities.
//! - `workflow`: transitions, disclosure (TLP, embargo), members, withdrawals, merges and splits,
//!   claims and verdicts, vendor statuses, comments, attachments.
//! - `background`: announcing embargo ends, refreshing exposure, and the notification check.
//! - `priority`: the SSVC coordinator ranking (pure).
//! - `casework`: what the web pages need beyond the API's reads (the filtered queue, what an
//!   actor may do on a case, an organization's findings, the validator's workbench).
//!
//! Every change is one `Store::apply_case_change` call: the rows, the outbox events and the log
//! entries in one transaction. Reads of attachment content append `attachment.read` to the log
//! before the bytes are returned.

mod background;
mod casework;
mod intake;
pub mod priority;
mod workflow;

use clearinghouse_domain::authz::{Action, Actor, CasePart, authorize};
use clearinghouse_domain::coordination::visibility::{Viewer, standing};
use clearinghouse_domain::coordination::{
    Attachment, CaseRecord, CaseRelation, CaseStanding, CaseState, CaseView, Comment,
    CoordinatorDecision, CvssScore, Finding, FindingStatus, MergeProposal, NamedPerson, Priority,
    ProposalStatus, RejectReason, SectorCount, Tlp, Validation, VendorStatus,
};
use clearinghouse_domain::page::{Page, PageRequest};
use clearinghouse_domain::{CaseId, FindingId, OrgId};
use clearinghouse_store::{CaseFilter, QueueCursor};
use jiff::Timestamp;
use serde::Serialize;

pub use background::CoordinationRound;
pub use casework::{CaseAbilities, ClaimedCase, Desks, FindingLine, ValidationDesk};
pub use clearinghouse_store::QueueFilter;
pub use intake::{
    AttachmentUpload, Disposition, FindingRequest, IntakeOutcome, SarifContext, SarifOutcome,
    SarifReport,
};
pub use workflow::{MemberRequest, StatusRequest, TransitionRequest};

use crate::App;
use crate::error::{Error, Result};

/// How many independent reproductions validate a case.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CoordinationPolicy {
    /// Reproductions needed in general.
    pub quorum: u32,
    /// Reproductions needed for critical cases.
    pub critical_quorum: u32,
    /// The CVSS base score from which a case is critical.
    pub critical_score: f64,
}

impl Default for CoordinationPolicy {
    /// One independent reproduction; two when CVSS base is 9.0 or more (critical).
    fn default() -> Self {
        Self {
            quorum: 1,
            critical_quorum: 2,
            critical_score: 9.0,
        }
    }
}

impl CoordinationPolicy {
    /// The reproductions a case with this CVSS assessment needs.
    pub fn quorum_for(&self, cvss: Option<&CvssScore>) -> u32 {
        if cvss.is_some_and(|c| c.score >= self.critical_score) {
            self.critical_quorum.max(1)
        } else {
            self.quorum.max(1)
        }
    }
}

/// A finder credited on a case.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Credit {
    /// The finder's organization.
    pub org: OrgId,
    /// Its name.
    pub org_name: String,
    /// The earliest accepted finding of the case: priority.
    pub first: bool,
    /// When its earliest finding was accepted.
    pub accepted_at: Timestamp,
    /// Whether the finder may be named beyond the case's members.
    pub public: bool,
}

/// A member organization with its name.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MemberInfo {
    /// The organization.
    pub org: OrgId,
    /// Its name.
    pub org_name: String,
    /// How it takes part.
    pub relation: CaseRelation,
    /// Who added it.
    pub added_by: String,
    /// When.
    pub added_at: Timestamp,
}

/// What only the full view shows.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CaseInternals {
    /// Why it was rejected.
    pub reject_reason: Option<RejectReason>,
    /// Knowledge-base vulnerabilities its findings match.
    pub known_vulnerabilities: Vec<String>,
    /// Whether a proof of concept is attached.
    pub has_poc: bool,
    /// The ranking inputs and decision.
    pub priority: Priority,
    /// When it entered its state.
    pub state_entered_at: Timestamp,
    /// When its state's work is due.
    pub due_at: Option<Timestamp>,
    /// Whether that is past.
    pub overdue: bool,
    /// When it last changed.
    pub updated_at: Timestamp,
    /// The case it was merged into.
    pub merged_into: Option<CaseId>,
    /// Its member organizations (empty in lists).
    pub members: Vec<MemberInfo>,
    /// Its named people (empty in lists).
    pub named: Vec<NamedPerson>,
    /// The states it may move to next.
    pub next_states: Vec<CaseState>,
}

/// A case as one viewer may see it: exactly the fields the view allows.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct VisibleCase {
    /// The view the fields follow.
    pub view: CaseView,
    /// Its id.
    pub id: CaseId,
    /// One line.
    pub title: String,
    /// Where it stands.
    pub state: CaseState,
    /// The TLP mark.
    pub tlp: Tlp,
    /// The affected product (purl or CPE).
    pub product: String,
    /// The weakness (summary for validators, and the full view).
    pub cwe: Option<String>,
    /// The CVSS assessment (severity).
    pub cvss: Option<CvssScore>,
    /// When it was opened.
    pub created_at: Timestamp,
    /// The embargo's end (limited and full views).
    pub embargo_until: Option<Timestamp>,
    /// When it was published.
    pub published_at: Option<Timestamp>,
    /// Finders, earliest first; in the limited view only those credited publicly (empty in lists).
    pub credits: Vec<Credit>,
    /// The full view's fields.
    pub full: Option<CaseInternals>,
}

/// One line of the analysts' queue.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct QueueItem {
    /// Position, 1 first.
    pub rank: u64,
    /// The case.
    pub case: VisibleCase,
    /// The SSVC coordinator decision.
    pub decision: CoordinatorDecision,
    /// Why it ranks here.
    pub reason: String,
    /// Operators running the component, by sector (counts only).
    pub exposure: Vec<SectorCount>,
    /// When the current state's work is due.
    pub due_at: Option<Timestamp>,
    /// Whether that is past.
    pub overdue: bool,
}

/// Everything a viewer may take away about a case, in one document.
#[derive(Clone, Debug, Serialize)]
pub struct CaseExport {
    /// The case.
    pub case: VisibleCase,
    /// Findings (full view).
    pub findings: Option<Vec<Finding>>,
    /// Validations (full view).
    pub validations: Option<Vec<Validation>>,
    /// Vendor statuses (limited and full views).
    pub vendor_statuses: Vec<VendorStatus>,
    /// The discussion (full view).
    pub comments: Option<Vec<Comment>>,
    /// Attachment metadata, never content (full view).
    pub attachments: Option<Vec<Attachment>>,
    /// When it was exported.
    pub exported_at: Timestamp,
}

/// Filters of `App::cases`.
#[derive(Clone, Debug, Default)]
pub struct CaseQuery {
    /// Only this state.
    pub state: Option<CaseState>,
    /// Only this mark.
    pub tlp: Option<Tlp>,
    /// Title or product containing this text.
    pub search: Option<String>,
}

fn not_found(what: impl std::fmt::Display) -> Error {
    Error::NotFound(what.to_string())
}

/// Folds new evidence into a case: knowledge-base matches, a proof of concept, exploitation
/// (which only rises, and re-ranks the case when it does).
pub(crate) fn absorb_evidence(
    case: &mut clearinghouse_domain::coordination::Case,
    known: &[String],
    has_poc: bool,
    exploitation: priority::Exploitation,
) {
    let mut all: std::collections::BTreeSet<String> =
        case.known_vulnerabilities.iter().cloned().collect();
    all.extend(known.iter().cloned());
    case.known_vulnerabilities = all.into_iter().collect();
    case.has_poc |= has_poc;
    let exploitation = if has_poc {
        exploitation.max(priority::Exploitation::Poc)
    } else {
        exploitation
    };
    if exploitation > priority::Exploitation::parse(&case.priority.exploitation) {
        case.priority = priority::rank(
            exploitation,
            case.priority.automatable,
            case.priority.technical_impact_total,
            case.priority.exposure.clone(),
            case.cvss.as_ref().map(|c| c.score),
        );
    }
}

/// A copy of a loaded case to change, with `updated_at` moved on (the optimistic lock).
pub(crate) fn touched(record: &CaseRecord) -> clearinghouse_domain::coordination::Case {
    let mut case = record.case.clone();
    case.updated_at = intake::after(case.updated_at);
    case
}

/// Writes back a case read as `record`: refused if someone else wrote it meanwhile.
pub(crate) fn rewrite(
    record: &CaseRecord,
    case: clearinghouse_domain::coordination::Case,
) -> clearinghouse_store::CaseWrite {
    clearinghouse_store::CaseWrite {
        previous: Some(record.case.updated_at),
        case,
    }
}

/// The standing of an actor towards a loaded case.
fn standing_of(actor: &Actor, record: &CaseRecord, now: Timestamp) -> CaseStanding {
    standing(&Viewer::of(actor), &record.access(), now)
}

impl App {
    /// The coordination policy in force.
    pub fn coordination_policy(&self) -> CoordinationPolicy {
        self.coordination
    }

    /// A case and the actor's standing; "not found" unless the actor sees something of it.
    async fn visible_case(
        &self,
        actor: &Actor,
        id: CaseId,
    ) -> Result<(CaseRecord, CaseStanding, Timestamp)> {
        let record = self
            .store
            .case(id)
            .await?
            .ok_or_else(|| not_found(format!("case {id}")))?;
        let now = clearinghouse_domain::time::now();
        let standing = standing_of(actor, &record, now);
        if standing.view == CaseView::None {
            return Err(not_found(format!("case {id}")));
        }
        Ok((record, standing, now))
    }

    /// A case for a read of `part`: "not found" unless the view allows that part, so a reader who
    /// may not see something never learns whether it exists.
    async fn case_for_read(
        &self,
        actor: &Actor,
        id: CaseId,
        part: CasePart,
    ) -> Result<(CaseRecord, CaseStanding, Timestamp)> {
        let (record, standing, now) = self.visible_case(actor, id).await?;
        authorize(actor, &Action::CaseRead { standing, part })
            .map_err(|_| not_found(format!("case {id}")))?;
        Ok((record, standing, now))
    }

    /// Credits of a case: one per finder organization (its earliest active finding), earliest
    /// first; the first is the case's priority finder.
    async fn credits(&self, findings: &[Finding], view: CaseView) -> Result<Vec<Credit>> {
        let mut earliest: Vec<&Finding> = Vec::new();
        for finding in findings
            .iter()
            .filter(|f| f.status == FindingStatus::Active)
        {
            match earliest.iter_mut().find(|f| f.org == finding.org) {
                Some(slot) => {
                    if (finding.accepted_at, finding.id) < (slot.accepted_at, slot.id) {
                        *slot = finding;
                    }
                }
                None => earliest.push(finding),
            }
        }
        earliest.sort_by_key(|f| (f.accepted_at, f.id));
        let orgs: Vec<OrgId> = earliest.iter().map(|f| f.org).collect();
        let names = self.org_names(orgs).await?;
        let mut credits: Vec<Credit> = earliest
            .iter()
            .enumerate()
            .map(|(i, f)| Credit {
                org: f.org,
                org_name: names.get(&f.org).cloned().unwrap_or_default(),
                first: i == 0,
                accepted_at: f.accepted_at,
                // A finder is public once any of its findings on the case says so.
                public: findings.iter().any(|g| {
                    g.org == f.org && g.credit_public && g.status == FindingStatus::Active
                }),
            })
            .collect();
        if view < CaseView::Full {
            credits.retain(|c| c.public);
        }
        Ok(credits)
    }

    /// Shapes a case for a view. `detailed` adds members, named people and credits (one read
    /// each), which lists leave out.
    async fn shape(
        &self,
        record: &CaseRecord,
        view: CaseView,
        now: Timestamp,
        detailed: bool,
    ) -> Result<VisibleCase> {
        let case = &record.case;
        let credits = if detailed && view >= CaseView::Limited {
            let findings = self.store.case_findings(case.id).await?;
            self.credits(&findings, view).await?
        } else {
            Vec::new()
        };
        let full = if view == CaseView::Full {
            let members = if detailed {
                let orgs: Vec<OrgId> = record.members.iter().map(|m| m.org).collect();
                let names = self.org_names(orgs).await?;
                record
                    .members
                    .iter()
                    .map(|m| MemberInfo {
                        org: m.org,
                        org_name: names.get(&m.org).cloned().unwrap_or_default(),
                        relation: m.relation,
                        added_by: m.added_by.clone(),
                        added_at: m.added_at,
                    })
                    .collect()
            } else {
                Vec::new()
            };
            Some(CaseInternals {
                reject_reason: case.reject_reason,
                known_vulnerabilities: case.known_vulnerabilities.clone(),
                has_poc: case.has_poc,
                priority: case.priority.clone(),
                state_entered_at: case.state_entered_at,
                due_at: case.due_at,
                overdue: case.is_overdue(now),
                updated_at: case.updated_at,
                merged_into: case.merged_into,
                members,
                named: if detailed {
                    record.named.clone()
                } else {
                    Vec::new()
                },
                next_states: case.state.next_states(),
            })
        } else {
            None
        };
        let limited_or_more = view >= CaseView::Limited;
        Ok(VisibleCase {
            view,
            id: case.id,
            title: case.title.clone(),
            state: case.state,
            tlp: case.tlp,
            product: case.product.identifier.clone(),
            cwe: (view != CaseView::Limited).then(|| case.cwe.clone()),
            cvss: case.cvss.clone(),
            created_at: case.created_at,
            embargo_until: limited_or_more.then_some(case.embargo_until),
            published_at: if limited_or_more {
                case.published_at
            } else {
                None
            },
            credits,
            full,
        })
    }

    /// One case, as the actor may see it.
    pub async fn case(&self, actor: &Actor, id: CaseId) -> Result<VisibleCase> {
        let (record, standing, now) = self.case_for_read(actor, id, CasePart::Summary).await?;
        self.shape(&record, standing.view, now, true).await
    }

    /// Cases the actor sees, newest first, filtered and searched in the database by the
    /// visibility rule's inputs; each row is checked against the rule itself as well.
    pub async fn cases(
        &self,
        actor: &Actor,
        query: &CaseQuery,
        page: &PageRequest,
    ) -> Result<Page<VisibleCase>> {
        authorize(actor, &Action::CaseList)?;
        let viewer = Viewer::of(actor);
        let now = clearinghouse_domain::time::now();
        let filter = CaseFilter {
            state: query.state,
            tlp: query.tlp,
            search: query
                .search
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
        };
        let rows = self
            .store
            .list_cases(&viewer.scope(), &filter, now, page)
            .await?;
        let mut items = Vec::with_capacity(rows.items.len());
        for record in &rows.items {
            let view = clearinghouse_domain::coordination::visibility::case_view(
                &viewer,
                &record.access(),
                now,
            );
            if view == CaseView::None {
                // The SQL filter and the rule disagree: show nothing rather than too much.
                tracing::error!(case = %record.case.id, "case list filter returned a case its viewer may not see");
                continue;
            }
            items.push(self.shape(record, view, now, false).await?);
        }
        Ok(Page {
            items,
            next_cursor: rows.next_cursor,
        })
    }

    /// The analysts' queue: open cases by SSVC coordinator decision, CVSS, exposure, then age.
    /// The cursor is the previous page's `next_cursor`.
    pub async fn queue(&self, actor: &Actor, page: &PageRequest) -> Result<Page<QueueItem>> {
        self.queue_filtered(actor, &QueueFilter::default(), page)
            .await
    }

    /// A case's findings, earliest first (full view).
    pub async fn case_findings(&self, actor: &Actor, id: CaseId) -> Result<Vec<Finding>> {
        self.case_for_read(actor, id, CasePart::Details).await?;
        Ok(self.store.case_findings(id).await?)
    }

    /// One finding (full view of its case).
    pub async fn finding(&self, actor: &Actor, id: FindingId) -> Result<Finding> {
        let finding = self
            .store
            .finding(id)
            .await?
            .ok_or_else(|| not_found(format!("finding {id}")))?;
        self.case_for_read(actor, finding.case_id, CasePart::Details)
            .await
            .map_err(|_| not_found(format!("finding {id}")))?;
        Ok(finding)
    }

    /// A case's member organizations and named people (full view).
    pub async fn case_members(
        &self,
        actor: &Actor,
        id: CaseId,
    ) -> Result<(Vec<MemberInfo>, Vec<NamedPerson>)> {
        let (record, _, now) = self.case_for_read(actor, id, CasePart::Details).await?;
        let shaped = self.shape(&record, CaseView::Full, now, true).await?;
        let full = shaped.full.ok_or_else(|| not_found(format!("case {id}")))?;
        Ok((full.members, full.named))
    }

    /// A case's validations (full view).
    pub async fn validations(&self, actor: &Actor, id: CaseId) -> Result<Vec<Validation>> {
        self.case_for_read(actor, id, CasePart::Details).await?;
        Ok(self.store.validations(id).await?)
    }

    /// A case's vendor statuses: remediation, so the limited view sees them too.
    pub async fn vendor_statuses(&self, actor: &Actor, id: CaseId) -> Result<Vec<VendorStatus>> {
        self.case_for_read(actor, id, CasePart::Remediation).await?;
        Ok(self.store.vendor_statuses(id).await?)
    }

    /// A case's discussion, oldest first (full view).
    pub async fn comments(
        &self,
        actor: &Actor,
        id: CaseId,
        page: &PageRequest,
    ) -> Result<Page<Comment>> {
        self.case_for_read(actor, id, CasePart::Details).await?;
        Ok(self.store.comments(id, page).await?)
    }

    /// A case's attachments, metadata only (full view).
    pub async fn attachments(&self, actor: &Actor, id: CaseId) -> Result<Vec<Attachment>> {
        self.case_for_read(actor, id, CasePart::Details).await?;
        Ok(self.store.attachments(id).await?)
    }

    /// Everything the actor may take away about a case, shaped by the view.
    pub async fn export_case(&self, actor: &Actor, id: CaseId) -> Result<CaseExport> {
        let (record, standing, now) = self.case_for_read(actor, id, CasePart::Summary).await?;
        let view = standing.view;
        let case = self.shape(&record, view, now, true).await?;
        let full = view == CaseView::Full;
        Ok(CaseExport {
            case,
            findings: if full {
                Some(self.store.case_findings(id).await?)
            } else {
                None
            },
            validations: if full {
                Some(self.store.validations(id).await?)
            } else {
                None
            },
            vendor_statuses: if view >= CaseView::Limited {
                self.store.vendor_statuses(id).await?
            } else {
                Vec::new()
            },
            comments: if full {
                Some(
                    self.store
                        .comments(
                            id,
                            &PageRequest::new(None, Some(clearinghouse_domain::page::MAX_LIMIT)),
                        )
                        .await?
                        .items,
                )
            } else {
                None
            },
            attachments: if full {
                Some(self.store.attachments(id).await?)
            } else {
                None
            },
            exported_at: now,
        })
    }

    /// Merge proposals (analysts), oldest first.
    pub async fn merge_proposals(
        &self,
        actor: &Actor,
        status: Option<ProposalStatus>,
        page: &PageRequest,
    ) -> Result<Page<MergeProposal>> {
        authorize(actor, &Action::CaseQueueRead)?;
        Ok(self.store.merge_proposals(status, page).await?)
    }
}

fn parse_queue_cursor(text: &str) -> Result<(Option<QueueCursor>, u64)> {
    let bad = || Error::Invalid {
        field: "#/query/cursor".into(),
        problem: "not a cursor this server handed out; pass a response's next_cursor unchanged"
            .into(),
    };
    let parts: Vec<&str> = text.split('.').collect();
    let [rank, created, id, offset] = parts.as_slice() else {
        return Err(bad());
    };
    let cursor = QueueCursor {
        rank: rank.parse().map_err(|_| bad())?,
        created_at: Timestamp::from_microsecond(created.parse().map_err(|_| bad())?)
            .map_err(|_| bad())?,
        id: id.parse().map_err(|_| bad())?,
    };
    Ok((Some(cursor), offset.parse().map_err(|_| bad())?))
}
