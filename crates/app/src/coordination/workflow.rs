//! Everything that moves a case after intake: transitions (by the state machine's table),
//! disclosure (TLP, embargo), members and named people, pre-notification of operators,
//! withdrawals, merges and splits, validation claims and verdicts (with the quorum), vendor
//! statuses, comments, and attachments in and out.

use std::collections::BTreeSet;

use clearinghouse_domain::audit::AuditRecord;
use clearinghouse_domain::authz::{Action, Actor, authorize};
use clearinghouse_domain::coordination::{
    Attachment, AttachmentKind, Case, CaseMember, CaseRecord, CaseRelation, CaseState, CaseView,
    Comment, Finding, FindingStatus, MergeProposal, Mover, NamedPerson, ProductStatus,
    ProposalStatus, RejectReason, Tlp, Validation, VendorStatus, Verdict,
};
use clearinghouse_domain::{
    AttachmentId, CaseId, CommentId, FindingId, OrgId, OrgKind, PersonId, Role, ValidationId,
};
use clearinghouse_store::{CaseChange, CaseEvent, CaseWrite};
use jiff::Timestamp;
use serde_json::json;

use super::intake::{AttachmentUpload, check_attachment, parse_product, text};
use super::priority::{self, Exploitation};
use super::{VisibleCase, not_found, standing_of};
use crate::App;
use crate::error::{Error, Result};

/// A request to move a case.
#[derive(Clone, Debug)]
pub struct TransitionRequest {
    /// The state to move to.
    pub to: CaseState,
    /// Why, when rejecting.
    pub reason: Option<RejectReason>,
}

/// A request to add an organization (and named people) to a case.
#[derive(Clone, Debug)]
pub struct MemberRequest {
    /// The organization.
    pub org: OrgId,
    /// How it takes part.
    pub relation: CaseRelation,
    /// People of that organization to name on the case (they matter under TLP:RED).
    pub people: Vec<PersonId>,
}

/// A vendor's status for a product.
#[derive(Clone, Debug)]
pub struct StatusRequest {
    /// The vendor organization; by default the actor's vendor organization on the case.
    pub org: Option<OrgId>,
    /// The product (purl or CPE).
    pub product: String,
    /// The status.
    pub status: ProductStatus,
    /// The first fixed version (required for `fixed`).
    pub fixed_version: Option<String>,
    /// Remediation notes.
    pub note: Option<String>,
}

fn conflict(problem: impl Into<String>) -> Error {
    Error::StateConflict(problem.into())
}

fn invalid(field: impl Into<String>, problem: impl Into<String>) -> Error {
    Error::Invalid {
        field: field.into(),
        problem: problem.into(),
    }
}

/// Puts a case in a state: its entry time and due date follow.
fn enter_state(case: &mut Case, to: CaseState, now: Timestamp) {
    case.state = to;
    case.state_entered_at = now;
    case.due_at = to.due_within().map(|d| now + d);
}

/// An event for an organization about a case: ids, title and marks only.
fn event(case: &Case, org: OrgId, kind: &str) -> CaseEvent {
    CaseEvent {
        org,
        kind: kind.to_owned(),
        payload: json!({"case": case.id, "title": case.title, "tlp": case.tlp.as_str(),
                        "state": case.state, "product": case.product.identifier}),
    }
}

/// One event per member organization (the dispatcher re-checks each one's view).
fn member_events(record: &CaseRecord, case: &Case, kind: &str) -> Vec<CaseEvent> {
    let orgs: BTreeSet<OrgId> = record.members.iter().map(|m| m.org).collect();
    orgs.into_iter().map(|org| event(case, org, kind)).collect()
}

/// The actor's organization holding one of `roles` that is a member of the case with `relation`.
fn acting_org(
    actor: &Actor,
    record: &CaseRecord,
    relation: CaseRelation,
    roles: &[Role],
) -> Option<OrgId> {
    actor
        .grants()
        .iter()
        .filter(|g| roles.contains(&g.role))
        .map(|g| g.org)
        .find(|org| {
            record
                .members
                .iter()
                .any(|m| m.org == *org && m.relation == relation)
        })
}

impl App {
    /// Writes back one changed case with its events and log entry, and shows it to the actor.
    async fn save_and_show(
        &self,
        record: CaseRecord,
        case: Case,
        events: Vec<CaseEvent>,
        audit: &AuditRecord,
        view: CaseView,
        now: Timestamp,
    ) -> Result<VisibleCase> {
        let change = CaseChange {
            cases: vec![super::rewrite(&record, case.clone())],
            events,
            ..CaseChange::default()
        };
        self.store
            .apply_case_change(&change, std::slice::from_ref(audit))
            .await?;
        let record = CaseRecord { case, ..record };
        self.shape(&record, view, now, true).await
    }

    /// Moves a case to another state, if the table allows it and the actor is who the table says.
    pub async fn transition_case(
        &self,
        actor: &Actor,
        id: CaseId,
        request: &TransitionRequest,
    ) -> Result<VisibleCase> {
        let (record, standing, now) = self.visible_case(actor, id).await?;
        let from = record.case.state;
        let mover = from
            .transition_to(request.to)
            .map_err(|e| conflict(e.to_string()))?;
        authorize(actor, &Action::CaseTransition { standing, mover })?;
        match (request.to, request.reason) {
            (CaseState::Rejected, None) => {
                return Err(invalid(
                    "reason",
                    "a rejection needs a reason: not_reproducible, duplicate or out_of_scope",
                ));
            }
            (to, Some(_)) if to != CaseState::Rejected => {
                return Err(invalid("reason", "only a rejection takes a reason"));
            }
            _ => {}
        }
        if request.to == CaseState::FixAvailable {
            let statuses = self.store.vendor_statuses(id).await?;
            if !statuses.iter().any(|s| s.status == ProductStatus::Fixed) {
                return Err(conflict(
                    "no vendor has recorded a fixed status yet; record one (with the fixed version) first",
                ));
            }
        }
        let mut case = super::touched(&record);
        enter_state(&mut case, request.to, now);
        case.reject_reason = request.reason;
        let mut events = Vec::new();
        match request.to {
            CaseState::Published => {
                case.published_at = Some(now);
                case.embargo_until = case.embargo_until.min(now);
                events = member_events(&record, &case, "case.published");
            }
            CaseState::FixAvailable => events = member_events(&record, &case, "case.fix_available"),
            _ => {}
        }
        let audit = AuditRecord::new(
            actor.label(),
            "case.transition",
            format!("case:{id}"),
            json!({"from": from, "to": request.to, "reason": request.reason,
                   "due_at": case.due_at.map(|d| d.to_string())}),
        );
        self.save_and_show(record, case, events, &audit, standing.view, now)
            .await
    }

    /// Changes a case's TLP mark and embargo end (analysts). The embargo lifts by the clock; an
    /// end in the past lifts it now.
    pub async fn set_disclosure(
        &self,
        actor: &Actor,
        id: CaseId,
        tlp: Option<Tlp>,
        embargo_until: Option<Timestamp>,
    ) -> Result<VisibleCase> {
        let (record, standing, now) = self.visible_case(actor, id).await?;
        authorize(actor, &Action::CaseManage(standing))?;
        if tlp.is_none() && embargo_until.is_none() {
            return Err(invalid("#", "give a tlp, an embargo_until, or both"));
        }
        if record.case.published_at.is_some() && embargo_until.is_some() {
            return Err(conflict(
                "the case is published: its embargo is over for good",
            ));
        }
        let mut case = super::touched(&record);
        if let Some(tlp) = tlp {
            case.tlp = tlp;
        }
        if let Some(end) = embargo_until {
            case.embargo_until = end;
        }
        let audit = AuditRecord::new(
            actor.label(),
            "case.disclosure",
            format!("case:{id}"),
            json!({"tlp": {"from": record.case.tlp.as_str(), "to": case.tlp.as_str()},
                   "embargo_until": {"from": record.case.embargo_until.to_string(), "to": case.embargo_until.to_string()}}),
        );
        self.save_and_show(record, case, Vec::new(), &audit, standing.view, now)
            .await
    }

    /// Adds an organization to a case (vendors are notified, operators pre-notified where the TLP
    /// mark allows, validators assigned), and names people of it (analysts).
    pub async fn add_case_member(
        &self,
        actor: &Actor,
        id: CaseId,
        request: &MemberRequest,
    ) -> Result<VisibleCase> {
        let (record, standing, now) = self.visible_case(actor, id).await?;
        authorize(actor, &Action::CaseManage(standing))?;
        let org = self
            .store
            .org(request.org)
            .await?
            .ok_or_else(|| invalid("org_id", format!("no organization {}", request.org)))?;
        let is_member = |relation| {
            record
                .members
                .iter()
                .any(|m| m.org == org.id && m.relation == relation)
        };
        let kind = match request.relation {
            CaseRelation::Finder if !is_member(CaseRelation::Finder) => {
                return Err(invalid(
                    "relation",
                    "finders join a case by submitting a finding; name people of an existing finder only",
                ));
            }
            CaseRelation::Finder => None,
            CaseRelation::Vendor => Some("case.vendor_notified"),
            CaseRelation::Operator => {
                if org.kind != OrgKind::Operator {
                    return Err(invalid(
                        "relation",
                        format!("{} is not an operator", org.name),
                    ));
                }
                if !record.case.tlp.allows_operators() {
                    return Err(conflict(format!(
                        "{} does not allow pre-notifying operators",
                        record.case.tlp
                    )));
                }
                Some("case.operator_notified")
            }
            CaseRelation::Validator => {
                if is_member(CaseRelation::Finder) {
                    return Err(conflict(
                        "a validator must be independent of the case's finders",
                    ));
                }
                Some("case.validator_assigned")
            }
        };
        let mut named = Vec::new();
        for (i, person) in request.people.iter().enumerate() {
            let memberships = self.store.memberships_of(*person).await?;
            if !memberships.iter().any(|m| m.org_id == org.id) {
                return Err(invalid(
                    format!("people/{i}"),
                    format!("person {person} is not a member of {}", org.name),
                ));
            }
            named.push((
                id,
                NamedPerson {
                    person: *person,
                    org: org.id,
                },
            ));
        }
        let case = super::touched(&record);
        let audit = AuditRecord::new(
            actor.label(),
            "case.member_add",
            format!("case:{id}"),
            json!({"org": org.id, "relation": request.relation, "people": request.people}),
        );
        let change = CaseChange {
            cases: vec![super::rewrite(&record, case.clone())],
            members: vec![(
                id,
                CaseMember {
                    org: org.id,
                    relation: request.relation,
                    added_by: actor.label(),
                    added_at: now,
                },
            )],
            named,
            events: kind
                .filter(|_| !is_member(request.relation))
                .map(|kind| vec![event(&case, org.id, kind)])
                .unwrap_or_default(),
            ..CaseChange::default()
        };
        self.store.apply_case_change(&change, &[audit]).await?;
        let updated = self
            .store
            .case(id)
            .await?
            .ok_or_else(|| not_found(format!("case {id}")))?;
        self.shape(&updated, standing.view, now, true).await
    }

    /// Pre-notifies every operator whose current inventory runs the case's product (analysts;
    /// only where the TLP mark allows). Returns how many were added: never who, to the caller.
    pub async fn notify_affected_operators(&self, actor: &Actor, id: CaseId) -> Result<u64> {
        let (record, standing, now) = self.visible_case(actor, id).await?;
        authorize(actor, &Action::CaseManage(standing))?;
        if !record.case.tlp.allows_operators() {
            return Err(conflict(format!(
                "{} does not allow pre-notifying operators",
                record.case.tlp
            )));
        }
        let product = &record.case.product;
        let hits = self
            .store
            .components_by_keys(&[(product.ecosystem.clone(), product.name_key.clone())])
            .await?;
        let known: BTreeSet<OrgId> = record
            .members
            .iter()
            .filter(|m| m.relation == CaseRelation::Operator)
            .map(|m| m.org)
            .collect();
        let operators: BTreeSet<OrgId> = hits
            .iter()
            .map(|h| h.org)
            .filter(|org| !known.contains(org))
            .collect();
        if operators.is_empty() {
            return Ok(0);
        }
        let case = super::touched(&record);
        let audit = AuditRecord::new(
            actor.label(),
            "case.operators_notified",
            format!("case:{id}"),
            json!({"operators": operators.len()}),
        );
        let change = CaseChange {
            cases: vec![super::rewrite(&record, case.clone())],
            members: operators
                .iter()
                .map(|org| {
                    (
                        id,
                        CaseMember {
                            org: *org,
                            relation: CaseRelation::Operator,
                            added_by: actor.label(),
                            added_at: now,
                        },
                    )
                })
                .collect(),
            events: operators
                .iter()
                .map(|org| event(&case, *org, "case.operator_notified"))
                .collect(),
            ..CaseChange::default()
        };
        self.store.apply_case_change(&change, &[audit]).await?;
        Ok(operators.len() as u64)
    }

    /// Withdraws a finding (its organization's finders). A case left without active findings
    /// before validation closes.
    pub async fn withdraw_finding(&self, actor: &Actor, id: FindingId) -> Result<Finding> {
        let finding = self
            .store
            .finding(id)
            .await?
            .ok_or_else(|| not_found(format!("finding {id}")))?;
        let (record, standing, now) = self
            .visible_case(actor, finding.case_id)
            .await
            .map_err(|_| not_found(format!("finding {id}")))?;
        authorize(
            actor,
            &Action::FindingWithdraw {
                standing,
                own: actor.has_role_in(finding.org, Role::Finder),
            },
        )?;
        if finding.status == FindingStatus::Withdrawn {
            return Err(conflict("the finding is already withdrawn"));
        }
        let others_active = self
            .store
            .case_findings(finding.case_id)
            .await?
            .iter()
            .any(|f| f.id != id && f.status == FindingStatus::Active);
        let mut audits = vec![AuditRecord::new(
            actor.label(),
            "finding.withdraw",
            format!("finding:{id}"),
            json!({"case": finding.case_id}),
        )];
        let mut case = super::touched(&record);
        let from = case.state;
        if !others_active && let Ok(Mover::Withdrawal) = from.transition_to(CaseState::Closed) {
            let system = Actor::system();
            let system_standing = standing_of(&system, &record, now);
            authorize(
                &system,
                &Action::CaseTransition {
                    standing: system_standing,
                    mover: Mover::Withdrawal,
                },
            )?;
            enter_state(&mut case, CaseState::Closed, now);
            audits.push(AuditRecord::new(
                    "system".into(),
                    "case.transition",
                    format!("case:{}", case.id),
                    json!({"from": from, "to": CaseState::Closed, "reason": "every finding was withdrawn"}),
                ));
        }
        let change = CaseChange {
            cases: vec![super::rewrite(&record, case)],
            finding_statuses: vec![(id, FindingStatus::Withdrawn)],
            ..CaseChange::default()
        };
        self.store.apply_case_change(&change, &audits).await?;
        Ok(Finding {
            status: FindingStatus::Withdrawn,
            ..finding
        })
    }

    /// Re-seals attachments for the case they move to (the case id is in the associated data).
    fn reseal(
        &self,
        moving: Vec<(
            Attachment,
            clearinghouse_domain::coordination::SealedContent,
        )>,
        to: CaseId,
    ) -> Result<
        Vec<(
            AttachmentId,
            CaseId,
            clearinghouse_domain::coordination::SealedContent,
        )>,
    > {
        moving
            .into_iter()
            .map(|(attachment, sealed)| {
                let plaintext =
                    crate::sealing::open(&self.keys, attachment.id, attachment.case_id, &sealed)?;
                let resealed = crate::sealing::seal(&self.keys, attachment.id, to, &plaintext)?;
                Ok((attachment.id, to, resealed))
            })
            .collect()
    }

    /// Splits a finding out of its case into a new case of its own (analysts).
    pub async fn split_finding(&self, actor: &Actor, id: FindingId) -> Result<VisibleCase> {
        let finding = self
            .store
            .finding(id)
            .await?
            .ok_or_else(|| not_found(format!("finding {id}")))?;
        let (record, standing, now) = self
            .visible_case(actor, finding.case_id)
            .await
            .map_err(|_| not_found(format!("finding {id}")))?;
        authorize(actor, &Action::CaseManage(standing))?;
        let findings = self.store.case_findings(finding.case_id).await?;
        if findings.len() < 2 {
            return Err(conflict(
                "the finding is its case's only finding; there is nothing to split it from",
            ));
        }
        let moving = self.store.finding_attachments(&[id]).await?;
        let new_id = CaseId::generate();
        let has_poc = moving
            .iter()
            .any(|(a, _)| a.kind == AttachmentKind::ProofOfConcept);
        let cvss_vector = finding
            .cvss
            .as_ref()
            .and_then(|c| clearinghouse_standards::cvss::CvssVector::parse(&c.vector).ok());
        let (automatable, total) = priority::vector_inputs(cvss_vector.as_ref());
        let mut exploitation = if finding.known_vulnerabilities.is_empty() {
            Exploitation::None
        } else {
            Exploitation::parse(&record.case.priority.exploitation)
        };
        if has_poc {
            exploitation = exploitation.max(Exploitation::Poc);
        }
        let exposure = self.product_exposure(&finding.product).await?;
        let new_case = Case {
            id: new_id,
            title: finding.title.clone(),
            state: CaseState::Submitted,
            reject_reason: None,
            tlp: record.case.tlp,
            embargo_until: record.case.embargo_until,
            published_at: None,
            product: finding.product.clone(),
            cwe: finding.cwe.clone(),
            cvss: finding.cvss.clone(),
            known_vulnerabilities: finding.known_vulnerabilities.clone(),
            has_poc,
            priority: priority::rank(
                exploitation,
                automatable,
                total,
                exposure,
                finding.cvss.as_ref().map(|c| c.score),
            ),
            state_entered_at: now,
            due_at: CaseState::Submitted.due_within().map(|d| now + d),
            created_at: now,
            updated_at: now,
            merged_into: None,
        };
        let remaining = self.store.attachments(record.case.id).await?;
        let mut old = super::touched(&record);
        old.has_poc = remaining
            .iter()
            .any(|a| a.kind == AttachmentKind::ProofOfConcept && a.finding != Some(id));
        let reseals = self.reseal(moving, new_id)?;
        let audit = AuditRecord::new(
            actor.label(),
            "case.split",
            format!("case:{}", record.case.id),
            json!({"finding": id, "new_case": new_id, "attachments": reseals.len()}),
        );
        let mut change = CaseChange {
            cases: vec![
                super::rewrite(&record, old),
                CaseWrite {
                    case: new_case.clone(),
                    previous: None,
                },
            ],
            members: vec![(
                new_id,
                CaseMember {
                    org: finding.org,
                    relation: CaseRelation::Finder,
                    added_by: actor.label(),
                    added_at: now,
                },
            )],
            finding_moves: vec![(id, new_id)],
            reseals,
            ..CaseChange::default()
        };
        if let Some(person) = finding.person {
            change.named.push((
                new_id,
                NamedPerson {
                    person,
                    org: finding.org,
                },
            ));
        }
        self.store.apply_case_change(&change, &[audit]).await?;
        let created = self
            .store
            .case(new_id)
            .await?
            .ok_or_else(|| not_found(format!("case {new_id}")))?;
        self.shape(&created, CaseView::Full, now, true).await
    }

    /// Accepts (merges the finding's case into the proposed one) or rejects a merge proposal
    /// (analysts). A merge moves every finding, re-seals every attachment, carries the members
    /// over, and leaves the source case rejected as a duplicate pointing at the target.
    pub async fn decide_proposal(
        &self,
        actor: &Actor,
        id: uuid::Uuid,
        accept: bool,
    ) -> Result<MergeProposal> {
        authorize(actor, &Action::CaseQueueRead)
            .map_err(|_| not_found(format!("merge proposal {id}")))?;
        let proposal = self
            .store
            .merge_proposal(id)
            .await?
            .ok_or_else(|| not_found(format!("merge proposal {id}")))?;
        let (source, standing, now) = self.visible_case(actor, proposal.source_case).await?;
        authorize(actor, &Action::CaseManage(standing))?;
        if proposal.status != ProposalStatus::Open {
            return Err(conflict(format!(
                "the proposal is already {}",
                proposal.status
            )));
        }
        let decided = MergeProposal {
            status: if accept {
                ProposalStatus::Accepted
            } else {
                ProposalStatus::Rejected
            },
            decided_by: Some(actor.label()),
            decided_at: Some(now),
            ..proposal.clone()
        };
        if !accept {
            let audit = AuditRecord::new(
                actor.label(),
                "case.merge_rejected",
                format!("case:{}", proposal.source_case),
                json!({"proposal": id, "target": proposal.target_case}),
            );
            let change = CaseChange {
                proposals: vec![decided.clone()],
                ..CaseChange::default()
            };
            self.store.apply_case_change(&change, &[audit]).await?;
            return Ok(decided);
        }
        if source.case.merged_into.is_some() {
            return Err(conflict("the finding's case was already merged elsewhere"));
        }
        let target = self
            .store
            .case(proposal.target_case)
            .await?
            .ok_or_else(|| not_found(format!("case {}", proposal.target_case)))?;
        if target.case.merged_into.is_some() {
            return Err(conflict(
                "the proposed case was itself merged into another case",
            ));
        }
        let findings = self.store.case_findings(source.case.id).await?;
        let moving_attachments: Vec<_> = {
            let ids: Vec<FindingId> = findings.iter().map(|f| f.id).collect();
            let mut by_finding = self.store.finding_attachments(&ids).await?;
            // Case-level attachments (validation evidence) move too.
            for attachment in self.store.attachments(source.case.id).await? {
                if attachment.finding.is_none()
                    && let Some(sealed) = self.store.attachment_content(attachment.id).await?
                {
                    by_finding.push((attachment, sealed));
                }
            }
            by_finding
        };
        let mut target_case = super::touched(&target);
        super::absorb_evidence(
            &mut target_case,
            &source.case.known_vulnerabilities,
            source.case.has_poc,
            Exploitation::parse(&source.case.priority.exploitation),
        );
        let mut source_case = super::touched(&source);
        source_case.merged_into = Some(target.case.id);
        if source_case.state.is_open() {
            enter_state(&mut source_case, CaseState::Rejected, now);
            source_case.reject_reason = Some(RejectReason::Duplicate);
        }
        let superseded: Vec<MergeProposal> = self
            .store
            .open_proposals_of(source.case.id)
            .await?
            .into_iter()
            .filter(|p| p.id != id)
            .map(|p| MergeProposal {
                status: ProposalStatus::Rejected,
                decided_by: Some(actor.label()),
                decided_at: Some(now),
                ..p
            })
            .collect();
        let reseals = self.reseal(moving_attachments, target.case.id)?;
        let audit = AuditRecord::new(
            actor.label(),
            "case.merge",
            format!("case:{}", target.case.id),
            json!({"proposal": id, "source": source.case.id, "target": target.case.id,
                   "findings": findings.iter().map(|f| f.id).collect::<Vec<_>>(), "attachments": reseals.len()}),
        );
        let mut proposals = vec![decided.clone()];
        proposals.extend(superseded);
        let change = CaseChange {
            cases: vec![
                super::rewrite(&target, target_case),
                super::rewrite(&source, source_case),
            ],
            members: source
                .members
                .iter()
                .map(|m| {
                    (
                        target.case.id,
                        CaseMember {
                            added_by: actor.label(),
                            added_at: now,
                            ..m.clone()
                        },
                    )
                })
                .collect(),
            named: source
                .named
                .iter()
                .map(|n| (target.case.id, n.clone()))
                .collect(),
            finding_moves: findings.iter().map(|f| (f.id, target.case.id)).collect(),
            reseals,
            proposals,
            ..CaseChange::default()
        };
        self.store.apply_case_change(&change, &[audit]).await?;
        Ok(decided)
    }

    /// Claims a case open for validation (validators independent of its finders).
    pub async fn claim_case(&self, actor: &Actor, id: CaseId) -> Result<Validation> {
        let (record, standing, now) = self.visible_case(actor, id).await?;
        authorize(actor, &Action::ValidationClaim(standing))?;
        if record.case.state != CaseState::Validating {
            return Err(conflict(format!(
                "only a case in validating can be claimed; this one is {}",
                record.case.state
            )));
        }
        let finders: BTreeSet<OrgId> = record
            .members
            .iter()
            .filter(|m| m.relation == CaseRelation::Finder)
            .map(|m| m.org)
            .collect();
        let org = actor
            .grants()
            .iter()
            .filter(|g| g.role == Role::Validator && !finders.contains(&g.org))
            .map(|g| g.org)
            .next()
            .ok_or_else(|| {
                conflict("none of your validator organizations is independent of the finders")
            })?;
        if self
            .store
            .validations(id)
            .await?
            .iter()
            .any(|v| v.org == org)
        {
            return Err(conflict("your organization already claimed this case"));
        }
        let validation = Validation {
            id: ValidationId::generate(),
            case_id: id,
            org,
            claimed_by: actor.label(),
            claimed_at: now,
            verdict: None,
            notes: None,
            decided_at: None,
        };
        let case = super::touched(&record);
        let mut change = CaseChange {
            cases: vec![super::rewrite(&record, case)],
            members: vec![(
                id,
                CaseMember {
                    org,
                    relation: CaseRelation::Validator,
                    added_by: actor.label(),
                    added_at: now,
                },
            )],
            validations: vec![validation.clone()],
            ..CaseChange::default()
        };
        if let Some(person) = actor.person_id() {
            change.named.push((id, NamedPerson { person, org }));
        }
        let audit = AuditRecord::new(
            actor.label(),
            "validation.claim",
            format!("validation:{}", validation.id),
            json!({"case": id, "org": org}),
        );
        self.store.apply_case_change(&change, &[audit]).await?;
        Ok(validation)
    }

    /// Records a claim's verdict; reaching the quorum of independent reproductions validates the
    /// case (one entry in the log for the verdict, one for the transition).
    pub async fn record_verdict(
        &self,
        actor: &Actor,
        id: ValidationId,
        verdict: Verdict,
        notes: Option<&str>,
    ) -> Result<(Validation, CaseState)> {
        let validation = self
            .store
            .validation(id)
            .await?
            .ok_or_else(|| not_found(format!("validation {id}")))?;
        let (record, standing, now) = self
            .visible_case(actor, validation.case_id)
            .await
            .map_err(|_| not_found(format!("validation {id}")))?;
        authorize(
            actor,
            &Action::ValidationVerdict {
                standing,
                claimant: validation.org,
            },
        )?;
        if validation.verdict.is_some() {
            return Err(conflict("this claim already has its verdict"));
        }
        let notes = notes
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(|n| text("notes", n, 10_000, true))
            .transpose()?;
        let decided = Validation {
            verdict: Some(verdict),
            notes: notes.clone(),
            decided_at: Some(now),
            ..validation
        };
        let reproduced: BTreeSet<OrgId> = self
            .store
            .validations(record.case.id)
            .await?
            .iter()
            .filter(|v| v.id != id && v.verdict == Some(Verdict::Reproduced))
            .map(|v| v.org)
            .chain((verdict == Verdict::Reproduced).then_some(decided.org))
            .collect();
        let quorum = self.coordination.quorum_for(record.case.cvss.as_ref());
        let mut case = super::touched(&record);
        let mut audits = vec![AuditRecord::new(
            actor.label(),
            "validation.verdict",
            format!("validation:{id}"),
            json!({"case": record.case.id, "verdict": verdict, "reproductions": reproduced.len(), "quorum": quorum,
                   "notes_digest": notes.as_deref().map(|n| self.keys.keyed_digest(n.as_bytes()))}),
        )];
        let mut events = Vec::new();
        if case.state == CaseState::Validating && reproduced.len() as u32 >= quorum {
            let system = Actor::system();
            authorize(
                &system,
                &Action::CaseTransition {
                    standing: standing_of(&system, &record, now),
                    mover: CaseState::Validating
                        .transition_to(CaseState::Validated)
                        .map_err(|e| conflict(e.to_string()))?,
                },
            )?;
            enter_state(&mut case, CaseState::Validated, now);
            audits.push(AuditRecord::new(
                "system".into(),
                "case.transition",
                format!("case:{}", case.id),
                json!({"from": CaseState::Validating, "to": CaseState::Validated,
                       "reason": format!("{} independent reproduction(s), quorum {quorum}", reproduced.len())}),
            ));
            events = member_events(&record, &case, "case.validated");
        }
        let state = case.state;
        let change = CaseChange {
            cases: vec![super::rewrite(&record, case)],
            validations: vec![decided.clone()],
            events,
            ..CaseChange::default()
        };
        self.store.apply_case_change(&change, &audits).await?;
        Ok((decided, state))
    }

    /// Records a vendor's status for a product of a case.
    pub async fn record_vendor_status(
        &self,
        actor: &Actor,
        id: CaseId,
        request: &StatusRequest,
    ) -> Result<VendorStatus> {
        let (record, standing, now) = self.visible_case(actor, id).await?;
        authorize(actor, &Action::VendorStatusWrite(standing))?;
        let org = match request.org {
            Some(org) => org,
            None => acting_org(
                actor,
                &record,
                CaseRelation::Vendor,
                &[Role::VendorContact, Role::Manager],
            )
            .ok_or_else(|| invalid("org_id", "say which vendor organization this status is for"))?,
        };
        let is_vendor = record
            .members
            .iter()
            .any(|m| m.org == org && m.relation == CaseRelation::Vendor);
        if !is_vendor {
            return Err(invalid(
                "org_id",
                format!("organization {org} is not a vendor on this case"),
            ));
        }
        if !standing.analyst
            && !actor.has_role_in(org, Role::VendorContact)
            && !actor.has_role_in(org, Role::Manager)
        {
            return Err(Error::Denied(clearinghouse_domain::authz::Denied(
                "only that vendor's contacts may record its status",
            )));
        }
        let (product, _) = parse_product(&request.product).map_err(|p| invalid("product", p))?;
        let fixed_version = request
            .fixed_version
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(|v| text("fixed_version", v, 200, false))
            .transpose()?;
        match (request.status, &fixed_version) {
            (ProductStatus::Fixed, None) => {
                return Err(invalid(
                    "fixed_version",
                    "a fixed status needs the first fixed version",
                ));
            }
            (status, Some(_)) if status != ProductStatus::Fixed => {
                return Err(invalid(
                    "fixed_version",
                    "only a fixed status takes a fixed version",
                ));
            }
            _ => {}
        }
        let note = request
            .note
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(|n| text("note", n, 2_000, true))
            .transpose()?;
        let status = VendorStatus {
            case_id: id,
            org,
            product: product.identifier,
            status: request.status,
            fixed_version,
            note,
            updated_by: actor.label(),
            updated_at: now,
        };
        let case = super::touched(&record);
        let audit = AuditRecord::new(
            actor.label(),
            "vendor_status.record",
            format!("case:{id}"),
            json!({"org": org, "product": status.product, "status": status.status, "fixed_version": status.fixed_version}),
        );
        let change = CaseChange {
            cases: vec![super::rewrite(&record, case)],
            vendor_statuses: vec![status.clone()],
            ..CaseChange::default()
        };
        self.store.apply_case_change(&change, &[audit]).await?;
        Ok(status)
    }

    /// Writes in a case's discussion thread (members with the full view).
    pub async fn add_comment(&self, actor: &Actor, id: CaseId, body: &str) -> Result<Comment> {
        let (record, standing, now) = self.visible_case(actor, id).await?;
        authorize(actor, &Action::CommentWrite(standing))?;
        let body = text("body", body, 10_000, true)?;
        let member_orgs: BTreeSet<OrgId> = record.members.iter().map(|m| m.org).collect();
        let org = actor
            .grants()
            .iter()
            .map(|g| g.org)
            .find(|org| member_orgs.contains(org))
            .or_else(|| actor.grants().first().map(|g| g.org))
            .ok_or_else(|| conflict("a comment needs an organization to speak for"))?;
        let comment = Comment {
            id: CommentId::generate(),
            case_id: id,
            org,
            author: actor.label(),
            body,
            created_at: now,
        };
        let audit = AuditRecord::new(
            actor.label(),
            "comment.create",
            format!("comment:{}", comment.id),
            json!({"case": id, "org": org, "length": comment.body.chars().count(),
                   "digest": self.keys.keyed_digest(comment.body.as_bytes())}),
        );
        let change = CaseChange {
            comments: vec![comment.clone()],
            ..CaseChange::default()
        };
        self.store.apply_case_change(&change, &[audit]).await?;
        Ok(comment)
    }

    /// Attaches a file to a case: a finder's proof of concept or logs (for one of its findings), a
    /// validator's evidence, an analyst's notes. Sealed before it reaches the database.
    pub async fn upload_attachment(
        &self,
        actor: &Actor,
        id: CaseId,
        finding: Option<FindingId>,
        upload: &AttachmentUpload,
    ) -> Result<Attachment> {
        let (record, standing, now) = self.visible_case(actor, id).await?;
        authorize(actor, &Action::AttachmentUpload(standing))?;
        let upload = check_attachment("#", upload)?;
        let org = match finding {
            Some(finding_id) => {
                let finding = self
                    .store
                    .finding(finding_id)
                    .await?
                    .filter(|f| f.case_id == id)
                    .ok_or_else(|| {
                        invalid(
                            "finding_id",
                            format!("finding {finding_id} is not in this case"),
                        )
                    })?;
                if !standing.analyst && !actor.has_role_in(finding.org, Role::Finder) {
                    return Err(Error::Denied(clearinghouse_domain::authz::Denied(
                        "only the finding's own finders may attach files to it",
                    )));
                }
                finding.org
            }
            None => acting_org(actor, &record, CaseRelation::Validator, &[Role::Validator])
                .or_else(|| acting_org(actor, &record, CaseRelation::Finder, &[Role::Finder]))
                .or_else(|| actor.grants().first().map(|g| g.org))
                .ok_or_else(|| conflict("an attachment needs an organization"))?,
        };
        let (attachment, sealed) = self.seal_attachment(actor, id, finding, org, &upload, now)?;
        let mut case = super::touched(&record);
        if attachment.kind == AttachmentKind::ProofOfConcept {
            super::absorb_evidence(&mut case, &[], true, Exploitation::None);
        }
        let audit = AuditRecord::new(
            actor.label(),
            "attachment.create",
            format!("attachment:{}", attachment.id),
            json!({"case": id, "finding": finding, "org": org, "kind": attachment.kind,
                   "size": attachment.size, "digest": attachment.digest}),
        );
        let change = CaseChange {
            cases: vec![super::rewrite(&record, case)],
            attachments: vec![(attachment.clone(), sealed)],
            ..CaseChange::default()
        };
        self.store.apply_case_change(&change, &[audit]).await?;
        Ok(attachment)
    }

    /// An attachment's content, for those who need it: the finder organization that attached it,
    /// analysts, the case's validators and vendors. Anyone else, operators included, gets "not
    /// found". The read is appended to the log before the bytes are returned.
    pub async fn read_attachment(
        &self,
        actor: &Actor,
        id: AttachmentId,
    ) -> Result<(Attachment, Vec<u8>)> {
        let missing = || not_found(format!("attachment {id}"));
        let attachment = self.store.attachment(id).await?.ok_or_else(missing)?;
        let (_, standing, _) = self
            .visible_case(actor, attachment.case_id)
            .await
            .map_err(|_| missing())?;
        authorize(
            actor,
            &Action::AttachmentRead {
                standing,
                uploader: actor.is_member_of(attachment.org),
            },
        )
        .map_err(|_| missing())?;
        let sealed = self
            .store
            .attachment_content(id)
            .await?
            .ok_or_else(missing)?;
        let plaintext = crate::sealing::open(&self.keys, id, attachment.case_id, &sealed)?;
        let audit = AuditRecord::new(
            actor.label(),
            "attachment.read",
            format!("attachment:{id}"),
            json!({"case": attachment.case_id, "kind": attachment.kind, "digest": attachment.digest}),
        );
        self.store.append_log(&audit).await?;
        Ok((attachment, plaintext))
    }
}
