//! What the coordination pages need beyond the API's reads: the queue filtered by state and TLP
//! mark with its counts, what an actor may do on one case (so a page offers exactly the forms
//! the services would accept), an organization's own findings with their credit, and the
//! validator's workbench.
//!
//! Nothing here decides anything itself: every answer is `authz::authorize` asked about the
//! actor's standing (`coordination::visibility::standing`), and every case passes the visibility
//! rule before any of it is shown.

use std::collections::hash_map::Entry;
use std::collections::{BTreeSet, HashMap};

use clearinghouse_domain::authz::{Action, Actor, CasePart, authorize};
use clearinghouse_domain::coordination::visibility::{Viewer, case_view};
use clearinghouse_domain::coordination::{
    Attachment, AttachmentKind, CaseRecord, CaseState, CaseView, Finding, FindingStatus,
    MergeProposal, Validation, Verdict,
};
use clearinghouse_domain::page::{MAX_LIMIT, Page, PageRequest};
use clearinghouse_domain::{AttachmentId, CaseId, FindingId, OrgId, Role, ValidationId};
use clearinghouse_store::{CaseFilter, QueueFilter};
use serde::Serialize;

use super::{QueueItem, VisibleCase, parse_queue_cursor, priority, standing_of};
use crate::App;
use crate::error::Result;

/// Which coordination desks an actor can use, for navigation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Desks {
    /// Sees cases at all (any participant; what each sees is the visibility rule's).
    pub cases: bool,
    /// Reads the analysts' queue.
    pub queue: bool,
    /// Submits findings for an organization.
    pub submit: bool,
    /// Validates findings (holds the validator role somewhere).
    pub validate: bool,
}

impl Desks {
    /// The desks of `actor`, from the same inputs the policy and the visibility rule use.
    pub fn of(actor: &Actor) -> Self {
        let scope = Viewer::of(actor).scope();
        Self {
            cases: scope.participant || scope.all,
            queue: authorize(actor, &Action::CaseQueueRead).is_ok(),
            submit: actor
                .grants()
                .iter()
                .any(|g| authorize(actor, &Action::FindingSubmit(g.org)).is_ok()),
            validate: scope.validator,
        }
    }
}

/// What an actor may do on one case now. Each entry is the policy's answer for the actor's
/// standing; the services ask the same question again when the form comes back.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct CaseAbilities {
    /// What the actor sees.
    pub view: CaseView,
    /// States the actor may move the case to (those the state machine gives a requesting
    /// mover; validation and withdrawal follow from verdicts and withdrawals instead).
    pub transitions: Vec<CaseState>,
    /// Manage the case: TLP and embargo, members, operators, merges and splits (analysts).
    pub manage: bool,
    /// Claim the case for independent validation.
    pub claim: bool,
    /// Claims without a verdict whose verdict the actor may give.
    pub verdicts: Vec<ValidationId>,
    /// Record a vendor status.
    pub vendor_status: bool,
    /// Write in the discussion.
    pub comment: bool,
    /// Attach a file.
    pub upload: bool,
    /// Attachments whose content the actor may read.
    pub readable_attachments: Vec<AttachmentId>,
    /// Active findings the actor may withdraw.
    pub withdrawable: Vec<FindingId>,
    /// Open merge proposals involving the case (only for those who decide them).
    pub proposals: Vec<MergeProposal>,
}

/// One of an organization's findings, with where its case stands and the finder's credit.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FindingLine {
    /// The finding.
    pub finding: Finding,
    /// Its case, shaped by the actor's view.
    pub case: VisibleCase,
    /// The finding's organization's place among the case's credited finders (1 is first, the
    /// priority finder); `None` when its findings on the case were all withdrawn.
    pub credit_position: Option<usize>,
    /// How many finders the case credits.
    pub credited: usize,
}

/// A case the actor's validator organization claimed, and its claim.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ClaimedCase {
    /// The case (full view).
    pub case: VisibleCase,
    /// The claim; its verdict, once given.
    pub validation: Validation,
    /// Reproductions needed to validate the case.
    pub quorum: u32,
    /// Reproductions recorded so far, by anyone.
    pub reproductions: u32,
    /// Evidence the claiming organization attached (metadata only).
    pub evidence: Vec<Attachment>,
}

/// The validator's workbench.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ValidationDesk {
    /// Cases open for validation the actor may claim, newest first.
    pub open: Vec<VisibleCase>,
    /// Cases the actor's organizations claimed that are still being validated.
    pub claimed: Vec<ClaimedCase>,
    /// Whether more cases are being validated than one look covers (`MAX_LIMIT`).
    pub truncated: bool,
}

impl App {
    /// The analysts' queue limited to a state and a TLP mark: open cases by SSVC coordinator
    /// decision, CVSS, exposure, then age. The cursor is the previous page's `next_cursor` (with
    /// the same filter).
    pub async fn queue_filtered(
        &self,
        actor: &Actor,
        filter: &QueueFilter,
        page: &PageRequest,
    ) -> Result<Page<QueueItem>> {
        authorize(actor, &Action::CaseQueueRead)?;
        let (after, offset) = match page.after.as_deref() {
            None => (None, 0),
            Some(text) => parse_queue_cursor(text)?,
        };
        // Unfiltered, the queue is the plain index walk the benchmarks measure.
        let rows = if *filter == QueueFilter::default() {
            self.store.case_queue(after, page.limit).await?
        } else {
            self.store
                .filtered_case_queue(filter, after, page.limit)
                .await?
        };
        let has_more = rows.len() > page.limit as usize;
        let now = clearinghouse_domain::time::now();
        let mut items = Vec::with_capacity(rows.len().min(page.limit as usize));
        for (i, case) in rows.into_iter().take(page.limit as usize).enumerate() {
            let score = case.cvss.as_ref().map(|c| c.score);
            let age_days = (now.as_second() - case.created_at.as_second()) / 86_400;
            let record = CaseRecord {
                case,
                members: Vec::new(),
                named: Vec::new(),
            };
            let visible = self.shape(&record, CaseView::Full, now, false).await?;
            let case = record.case;
            items.push(QueueItem {
                rank: offset + i as u64 + 1,
                decision: case.priority.decision,
                reason: priority::reason(&case.priority, score, age_days),
                exposure: case.priority.exposure.clone(),
                due_at: case.due_at,
                overdue: case.is_overdue(now),
                case: visible,
            });
        }
        let next_cursor = if has_more {
            items.last().and_then(|item| {
                item.case.full.as_ref().map(|full| {
                    format!(
                        "{}.{}.{}.{}",
                        -full.priority.key,
                        item.case.created_at.as_microsecond(),
                        item.case.id,
                        item.rank
                    )
                })
            })
        } else {
            None
        };
        Ok(Page { items, next_cursor })
    }

    /// How many open cases are in each state, in the state machine's order (analysts).
    pub async fn open_cases_by_state(&self, actor: &Actor) -> Result<Vec<(CaseState, u64)>> {
        authorize(actor, &Action::CaseQueueRead)?;
        let counts: HashMap<CaseState, u64> = self
            .store
            .open_cases_by_state()
            .await?
            .into_iter()
            .collect();
        Ok(CaseState::ALL
            .iter()
            .filter(|s| s.is_open())
            .map(|s| (*s, counts.get(s).copied().unwrap_or(0)))
            .collect())
    }

    /// What the actor may do on a case now; "not found" unless the actor sees the case.
    pub async fn case_abilities(&self, actor: &Actor, id: CaseId) -> Result<CaseAbilities> {
        let (record, standing, _) = self.visible_case(actor, id).await?;
        let allowed = |action: Action| authorize(actor, &action).is_ok();
        let state = record.case.state;
        let transitions = state
            .next_states()
            .into_iter()
            .filter(|to| {
                state
                    .transition_to(*to)
                    .is_ok_and(|mover| allowed(Action::CaseTransition { standing, mover }))
            })
            .collect();
        let mut abilities = CaseAbilities {
            view: standing.view,
            transitions,
            manage: allowed(Action::CaseManage(standing)),
            vendor_status: allowed(Action::VendorStatusWrite(standing)),
            comment: allowed(Action::CommentWrite(standing)),
            upload: allowed(Action::AttachmentUpload(standing)),
            ..CaseAbilities::default()
        };
        if standing.view == CaseView::Full {
            let validations = self.store.validations(id).await?;
            let claimed_by_me = validations
                .iter()
                .any(|v| actor.has_role_in(v.org, Role::Validator));
            abilities.verdicts = validations
                .iter()
                .filter(|v| v.verdict.is_none())
                .filter(|v| {
                    allowed(Action::ValidationVerdict {
                        standing,
                        claimant: v.org,
                    })
                })
                .map(|v| v.id)
                .collect();
            abilities.claim = state == CaseState::Validating
                && !claimed_by_me
                && allowed(Action::ValidationClaim(standing));
            abilities.readable_attachments = self
                .store
                .attachments(id)
                .await?
                .iter()
                .filter(|a| {
                    allowed(Action::AttachmentRead {
                        standing,
                        uploader: actor.is_member_of(a.org),
                    })
                })
                .map(|a| a.id)
                .collect();
            abilities.withdrawable = self
                .store
                .case_findings(id)
                .await?
                .iter()
                .filter(|f| f.status == FindingStatus::Active)
                .filter(|f| {
                    allowed(Action::FindingWithdraw {
                        standing,
                        own: actor.has_role_in(f.org, Role::Finder),
                    })
                })
                .map(|f| f.id)
                .collect();
        } else {
            // A summary is all a validator outside the case sees; claiming is what it is for.
            abilities.claim =
                state == CaseState::Validating && allowed(Action::ValidationClaim(standing));
        }
        if allowed(Action::CaseQueueRead) {
            abilities.proposals = self.store.open_proposals_of(id).await?;
        }
        Ok(abilities)
    }

    /// The findings of the actor's organizations, newest first, each with its case as the actor
    /// sees it and its credit. Findings whose case the actor may not read in full (a TLP:RED
    /// case that does not name the actor) are left out.
    pub async fn org_findings(
        &self,
        actor: &Actor,
        page: &PageRequest,
    ) -> Result<Page<FindingLine>> {
        let orgs: Vec<OrgId> = actor
            .grants()
            .iter()
            .map(|g| g.org)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let findings = self.store.org_findings(&orgs, page).await?;
        let mut cases: HashMap<CaseId, Option<(VisibleCase, Vec<OrgId>)>> = HashMap::new();
        let mut items = Vec::with_capacity(findings.items.len());
        for finding in findings.items {
            let loaded = match cases.entry(finding.case_id) {
                Entry::Occupied(known) => known.into_mut(),
                Entry::Vacant(slot) => {
                    slot.insert(self.credited_case(actor, finding.case_id).await?)
                }
            };
            let Some((case, credited)) = loaded else {
                continue;
            };
            items.push(FindingLine {
                credit_position: credited
                    .iter()
                    .position(|org| *org == finding.org)
                    .map(|i| i + 1),
                credited: credited.len(),
                case: case.clone(),
                finding,
            });
        }
        Ok(Page {
            items,
            next_cursor: findings.next_cursor,
        })
    }

    /// A case as the actor sees it with its credited finder organizations, earliest first;
    /// `None` when the actor may not read the case in full.
    async fn credited_case(
        &self,
        actor: &Actor,
        id: CaseId,
    ) -> Result<Option<(VisibleCase, Vec<OrgId>)>> {
        let (record, standing, now) = match self.case_for_read(actor, id, CasePart::Details).await {
            Ok(found) => found,
            Err(crate::Error::NotFound(_)) => return Ok(None),
            Err(other) => return Err(other),
        };
        let case = self.shape(&record, standing.view, now, false).await?;
        let findings = self.store.case_findings(id).await?;
        let credited = self
            .credits(&findings, CaseView::Full)
            .await?
            .iter()
            .map(|c| c.org)
            .collect();
        Ok(Some((case, credited)))
    }

    /// The validator's workbench: cases being validated that the actor may claim, and those its
    /// organizations claimed. Reads at most `MAX_LIMIT` cases in validation, newest first.
    pub async fn validation_desk(&self, actor: &Actor) -> Result<ValidationDesk> {
        let viewer = Viewer::of(actor);
        let now = clearinghouse_domain::time::now();
        let filter = CaseFilter {
            state: Some(CaseState::Validating),
            ..CaseFilter::default()
        };
        let rows = self
            .store
            .list_cases(
                &viewer.scope(),
                &filter,
                now,
                &PageRequest::new(None, Some(MAX_LIMIT)),
            )
            .await?;
        let mut desk = ValidationDesk {
            truncated: rows.next_cursor.is_some(),
            ..ValidationDesk::default()
        };
        for record in &rows.items {
            if case_view(&viewer, &record.access(), now) == CaseView::None {
                continue;
            }
            let standing = standing_of(actor, record, now);
            let validations = self.store.validations(record.case.id).await?;
            let mine = validations
                .iter()
                .find(|v| actor.has_role_in(v.org, Role::Validator));
            if let Some(validation) = mine {
                if standing.view < CaseView::Full {
                    continue;
                }
                let evidence = self
                    .store
                    .attachments(record.case.id)
                    .await?
                    .into_iter()
                    .filter(|a| a.org == validation.org && a.kind == AttachmentKind::Evidence)
                    .collect();
                desk.claimed.push(ClaimedCase {
                    case: self.shape(record, standing.view, now, false).await?,
                    validation: validation.clone(),
                    quorum: self.coordination.quorum_for(record.case.cvss.as_ref()),
                    reproductions: validations
                        .iter()
                        .filter(|v| v.verdict == Some(Verdict::Reproduced))
                        .count() as u32,
                    evidence,
                });
            } else if authorize(actor, &Action::ValidationClaim(standing)).is_ok() {
                desk.open
                    .push(self.shape(record, standing.view, now, false).await?);
            }
        }
        Ok(desk)
    }
}
