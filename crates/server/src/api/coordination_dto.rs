//! Wire types of the coordination API (findings, cases, validations, vendor statuses, comments,
//! attachments, merge proposals, the queue), converted by hand from the services' types so the
//! committed `openapi.json` shows every change.

use clearinghouse_app::coordination::{
    CaseExport, CaseInternals, Credit, IntakeOutcome, MemberInfo, QueueItem, SarifOutcome,
    SarifReport, VisibleCase,
};
use clearinghouse_domain::coordination::{
    AffectedVersions, Attachment, AttachmentKind, CaseRelation, CaseState, CaseView, Comment,
    CoordinatorDecision, CvssScore, Finding, FindingStatus, MergeProposal, NamedPerson, Priority,
    ProductStatus, ProposalStatus, RejectReason, SectorCount, Tlp, Validation, VendorStatus,
    Verdict,
};
use clearinghouse_domain::{
    AttachmentId, CampaignId, CaseId, CommentId, FindingId, OrgId, PersonId, Sector, ValidationId,
};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

// ---- Requests ----

/// A finding, as a finder submits it. Send `Idempotency-Key` to make retries safe.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FindingSubmitRequest {
    /// The organization submitting; by default your only finder organization.
    #[serde(default)]
    pub org_id: Option<OrgId>,
    /// One line, up to 300 characters.
    pub title: String,
    /// What it is and how it works, up to 20,000 characters.
    pub description: String,
    /// The affected product: a package URL (`pkg:pypi/flask-login`) or a CPE 2.3 name.
    pub product: String,
    /// The affected versions; by default the version in `product`.
    #[serde(default)]
    pub versions: Option<VersionsDto>,
    /// The weakness, e.g. `CWE-89`.
    pub cwe: String,
    /// A CVSS 3.1 or 4.0 vector.
    #[serde(default)]
    pub cvss: Option<String>,
    /// Where the weakness is.
    pub location: LocationDto,
    /// Which model or tool found it.
    pub provenance: ProvenanceDto,
    /// CVE, GHSA or other ids it may already have.
    #[serde(default)]
    pub known_ids: Vec<String>,
    /// The TLP mark asked for (default AMBER).
    #[serde(default)]
    pub tlp: Option<Tlp>,
    /// Whether you may be named to those who see the case's limited view.
    #[serde(default)]
    pub credit_public: bool,
    /// Proof of concept, logs: encrypted at rest, readable only by those who need them.
    #[serde(default)]
    pub attachments: Vec<AttachmentUploadDto>,
}

/// Affected versions: a purl-spec `vers:` range or a list, not both.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VersionsDto {
    /// A `vers:` range, e.g. `vers:pypi/>=0.6.0|<0.6.3`.
    #[serde(default)]
    pub vers: Option<String>,
    /// Explicit versions.
    #[serde(default)]
    pub list: Vec<String>,
}

/// Where the weakness is: a file (with function and line), a URL or an endpoint.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LocationDto {
    /// Source file path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// Function or method.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub function: Option<String>,
    /// Line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// URL of a running service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// API endpoint, e.g. `POST /login`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
}

/// Which model or tool found it.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProvenanceDto {
    /// Model or tool name.
    pub tool: String,
    /// Its version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_version: Option<String>,
    /// The scanning campaign it was found under (one your organization declared).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub campaign_id: Option<CampaignId>,
}

/// A file to attach, base64-encoded.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttachmentUploadDto {
    /// What it is.
    pub kind: AttachmentKind,
    /// A file name (not a path).
    pub filename: String,
    /// Its media type, e.g. `text/x-python`.
    pub media_type: String,
    /// The content, standard base64.
    pub content_base64: String,
}

/// A file to attach to a case.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseAttachmentRequest {
    /// The finding it belongs to (finders: one of yours).
    #[serde(default)]
    pub finding_id: Option<FindingId>,
    /// What it is (validators: `evidence`).
    pub kind: AttachmentKind,
    /// A file name (not a path).
    pub filename: String,
    /// Its media type.
    pub media_type: String,
    /// The content, standard base64.
    pub content_base64: String,
}

/// Product and provenance of a SARIF upload.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SarifQuery {
    /// The scanned product: a package URL or CPE name (its version, if any, is the affected one).
    pub product: String,
    /// Affected versions, comma-separated.
    pub versions: Option<String>,
    /// Affected versions as a `vers:` range.
    pub vers: Option<String>,
    /// The scanning campaign.
    pub campaign_id: Option<CampaignId>,
    /// The TLP mark asked for (default AMBER).
    pub tlp: Option<Tlp>,
    /// Whether you may be named beyond the cases' members.
    pub credit_public: Option<bool>,
    /// The organization submitting; by default your only finder organization.
    pub org_id: Option<OrgId>,
}

/// Move a case.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionRequestDto {
    /// The state to move to.
    pub to: CaseState,
    /// Why, when rejecting.
    #[serde(default)]
    pub reason: Option<RejectReason>,
}

/// Change a case's TLP mark and embargo end.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisclosureRequest {
    /// The new mark.
    #[serde(default)]
    pub tlp: Option<Tlp>,
    /// The new embargo end (in the past: lifts it now).
    #[serde(default)]
    pub embargo_until: Option<Timestamp>,
}

/// Add an organization to a case.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberRequestDto {
    /// The organization.
    pub org_id: OrgId,
    /// vendor, operator (pre-notified), validator (assigned) or finder (to name people only).
    pub relation: CaseRelation,
    /// People of that organization to name (under TLP:RED only named people see the case).
    #[serde(default)]
    pub people: Vec<PersonId>,
}

/// A vendor's status for a product.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VendorStatusRequest {
    /// The vendor; by default your vendor organization on the case.
    #[serde(default)]
    pub org_id: Option<OrgId>,
    /// The product (purl or CPE).
    pub product: String,
    /// affected, not_affected, under_investigation or fixed.
    pub status: ProductStatus,
    /// The first fixed version (for fixed).
    #[serde(default)]
    pub fixed_version: Option<String>,
    /// Remediation notes.
    #[serde(default)]
    pub note: Option<String>,
}

/// A message in a case's thread.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentRequest {
    /// Up to 10,000 characters.
    pub body: String,
}

/// A validator's verdict on its claim.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerdictRequest {
    /// reproduced or not_reproduced.
    pub verdict: Verdict,
    /// What was done and seen.
    #[serde(default)]
    pub notes: Option<String>,
}

/// Filtering, searching and paging of cases.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CaseQueryDto {
    /// Only cases in this state.
    pub state: Option<CaseState>,
    /// Only cases with this TLP mark.
    pub tlp: Option<Tlp>,
    /// Title or product containing this text.
    pub q: Option<String>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size, 1 to 500 (default 50).
    pub limit: Option<u32>,
}

/// Filtering and paging of merge proposals.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ProposalQuery {
    /// open, accepted or rejected.
    pub status: Option<ProposalStatus>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size, 1 to 500 (default 50).
    pub limit: Option<u32>,
}

// ---- Responses ----

/// A merge proposal opened by an intake.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProposalRefDto {
    /// The proposal.
    pub id: String,
    /// The case the finding may join.
    pub target_case: CaseId,
    /// Estimated similarity in thousandths.
    pub similarity_permille: u32,
}

/// What happened to a submitted finding.
#[derive(Debug, Serialize, ToSchema)]
pub struct IntakeOutcomeDto {
    /// The finding (for already_reported: the earlier one).
    pub finding: FindingId,
    /// Its case.
    pub case_id: CaseId,
    /// new_case, duplicate (joined an existing case), near_duplicate (new case, merge proposed),
    /// already_reported (nothing stored).
    pub disposition: String,
    /// The earlier finding it duplicates.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duplicate_of: Option<FindingId>,
    /// Merge proposals opened.
    pub proposals: Vec<ProposalRefDto>,
    /// Whether you are the case's first finder.
    pub first_finder: bool,
    /// Knowledge-base vulnerabilities it may already be.
    pub known_vulnerabilities: Vec<String>,
    /// Attachments stored.
    pub attachments: Vec<AttachmentId>,
    /// Whether this replays the first response for the same Idempotency-Key.
    pub replayed: bool,
}

impl From<IntakeOutcome> for IntakeOutcomeDto {
    fn from(o: IntakeOutcome) -> Self {
        Self {
            finding: o.finding,
            case_id: o.case_id,
            disposition: serde_json::to_value(o.disposition)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            duplicate_of: o.duplicate_of,
            proposals: o
                .proposals
                .into_iter()
                .map(|p| ProposalRefDto {
                    id: p.id.to_string(),
                    target_case: p.target_case,
                    similarity_permille: p.similarity_permille,
                })
                .collect(),
            first_finder: o.first_finder,
            known_vulnerabilities: o.known_vulnerabilities,
            attachments: o.attachments,
            replayed: o.replayed,
        }
    }
}

/// One SARIF result's fate.
#[derive(Debug, Serialize, ToSchema)]
pub struct SarifOutcomeDto {
    /// The result's JSON pointer in the log.
    pub path: String,
    /// Its rule.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule_id: Option<String>,
    /// accepted, merged or rejected.
    pub status: String,
    /// The intake outcome.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome: Option<IntakeOutcomeDto>,
    /// Why it was rejected.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

/// The report of a SARIF upload.
#[derive(Debug, Serialize, ToSchema)]
pub struct SarifReportDto {
    /// Results that opened a case.
    pub accepted: u64,
    /// Results that joined a case (or were already reported).
    pub merged: u64,
    /// Results refused.
    pub rejected: u64,
    /// One line per result, in log order.
    pub results: Vec<SarifOutcomeDto>,
    /// Whether this replays the first response for the same Idempotency-Key.
    pub replayed: bool,
}

impl From<SarifReport> for SarifReportDto {
    fn from(r: SarifReport) -> Self {
        Self {
            accepted: r.accepted,
            merged: r.merged,
            rejected: r.rejected,
            results: r
                .results
                .into_iter()
                .map(|o: SarifOutcome| SarifOutcomeDto {
                    path: o.path,
                    rule_id: o.rule_id,
                    status: o.status,
                    outcome: o.outcome.map(Into::into),
                    problem: o.problem,
                })
                .collect(),
            replayed: r.replayed,
        }
    }
}

/// A CVSS assessment.
#[derive(Debug, Serialize, ToSchema)]
pub struct CvssDto {
    /// The vector.
    pub vector: String,
    /// Base score.
    pub score: f64,
    /// none, low, medium, high or critical.
    pub severity: String,
}

impl From<CvssScore> for CvssDto {
    fn from(c: CvssScore) -> Self {
        Self {
            vector: c.vector,
            score: c.score,
            severity: c.severity,
        }
    }
}

/// Operators of one sector running a component (a count, never who).
#[derive(Debug, Serialize, ToSchema)]
pub struct SectorCountDto {
    /// The sector.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sector: Option<Sector>,
    /// Distinct operators.
    pub operators: u64,
}

impl From<SectorCount> for SectorCountDto {
    fn from(s: SectorCount) -> Self {
        Self {
            sector: s.sector,
            operators: s.operators,
        }
    }
}

/// The SSVC coordinator inputs and decision of a case.
#[derive(Debug, Serialize, ToSchema)]
pub struct PriorityDto {
    /// none, poc or active.
    pub exploitation: String,
    /// Automatable.
    pub automatable: bool,
    /// Technical impact total.
    pub technical_impact_total: bool,
    /// Mission and well-being: low, medium or high.
    pub mission_wellbeing: String,
    /// The CISA coordinator decision.
    pub decision: CoordinatorDecision,
    /// Exposure by sector.
    pub exposure: Vec<SectorCountDto>,
}

impl From<Priority> for PriorityDto {
    fn from(p: Priority) -> Self {
        Self {
            exploitation: p.exploitation,
            automatable: p.automatable,
            technical_impact_total: p.technical_impact_total,
            mission_wellbeing: p.mission_wellbeing,
            decision: p.decision,
            exposure: p.exposure.into_iter().map(Into::into).collect(),
        }
    }
}

/// A credited finder.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreditDto {
    /// The organization.
    pub org: OrgId,
    /// Its name.
    pub org_name: String,
    /// The case's first finder (priority).
    pub first: bool,
    /// When its earliest finding was accepted.
    pub accepted_at: Timestamp,
    /// Whether it may be named beyond the members.
    pub public: bool,
}

impl From<Credit> for CreditDto {
    fn from(c: Credit) -> Self {
        Self {
            org: c.org,
            org_name: c.org_name,
            first: c.first,
            accepted_at: c.accepted_at,
            public: c.public,
        }
    }
}

/// A member organization.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseMemberDto {
    /// The organization.
    pub org: OrgId,
    /// Its name.
    pub org_name: String,
    /// finder, vendor, validator or operator.
    pub relation: CaseRelation,
    /// Who added it.
    pub added_by: String,
    /// When.
    pub added_at: Timestamp,
}

impl From<MemberInfo> for CaseMemberDto {
    fn from(m: MemberInfo) -> Self {
        Self {
            org: m.org,
            org_name: m.org_name,
            relation: m.relation,
            added_by: m.added_by,
            added_at: m.added_at,
        }
    }
}

/// A person named on a case.
#[derive(Debug, Serialize, ToSchema)]
pub struct NamedPersonDto {
    /// The person.
    pub person: PersonId,
    /// The organization they are named for.
    pub org: OrgId,
}

impl From<NamedPerson> for NamedPersonDto {
    fn from(n: NamedPerson) -> Self {
        Self {
            person: n.person,
            org: n.org,
        }
    }
}

/// What only the full view of a case shows.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseInternalsDto {
    /// Why it was rejected.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reject_reason: Option<RejectReason>,
    /// Knowledge-base vulnerabilities its findings match.
    pub known_vulnerabilities: Vec<String>,
    /// Whether a proof of concept is attached.
    pub has_poc: bool,
    /// The SSVC coordinator ranking.
    pub priority: PriorityDto,
    /// When it entered its state.
    pub state_entered_at: Timestamp,
    /// When the state's work is due.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due_at: Option<Timestamp>,
    /// Whether that is past.
    pub overdue: bool,
    /// When it last changed.
    pub updated_at: Timestamp,
    /// The case it was merged into.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub merged_into: Option<CaseId>,
    /// Member organizations (empty in lists).
    pub members: Vec<CaseMemberDto>,
    /// Named people (empty in lists).
    pub named: Vec<NamedPersonDto>,
    /// The states it may move to next.
    pub next_states: Vec<CaseState>,
}

impl From<CaseInternals> for CaseInternalsDto {
    fn from(i: CaseInternals) -> Self {
        Self {
            reject_reason: i.reject_reason,
            known_vulnerabilities: i.known_vulnerabilities,
            has_poc: i.has_poc,
            priority: i.priority.into(),
            state_entered_at: i.state_entered_at,
            due_at: i.due_at,
            overdue: i.overdue,
            updated_at: i.updated_at,
            merged_into: i.merged_into,
            members: i.members.into_iter().map(Into::into).collect(),
            named: i.named.into_iter().map(Into::into).collect(),
            next_states: i.next_states,
        }
    }
}

/// A case, shaped by what you may see of it (`view`).
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseDto {
    /// full, limited (title, product, severity, remediation; no proof of concept, finders only
    /// where credited publicly) or open_for_validation (a summary for validators).
    pub view: CaseView,
    /// Its id.
    pub id: CaseId,
    /// One line.
    pub title: String,
    /// Where it stands.
    pub state: CaseState,
    /// The TLP mark.
    pub tlp: Tlp,
    /// The affected product.
    pub product: String,
    /// The weakness (not in the limited view).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cwe: Option<String>,
    /// The CVSS assessment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cvss: Option<CvssDto>,
    /// When it was opened.
    pub created_at: Timestamp,
    /// The embargo's end.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub embargo_until: Option<Timestamp>,
    /// When it was published.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published_at: Option<Timestamp>,
    /// Credited finders, the first first (empty in lists).
    pub credits: Vec<CreditDto>,
    /// The full view's fields.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub full: Option<CaseInternalsDto>,
}

impl From<VisibleCase> for CaseDto {
    fn from(c: VisibleCase) -> Self {
        Self {
            view: c.view,
            id: c.id,
            title: c.title,
            state: c.state,
            tlp: c.tlp,
            product: c.product,
            cwe: c.cwe,
            cvss: c.cvss.map(Into::into),
            created_at: c.created_at,
            embargo_until: c.embargo_until,
            published_at: c.published_at,
            credits: c.credits.into_iter().map(Into::into).collect(),
            full: c.full.map(Into::into),
        }
    }
}

/// A page of cases.
#[derive(Debug, Serialize, ToSchema)]
pub struct CasePage {
    /// The cases, newest first.
    pub items: Vec<CaseDto>,
    /// The cursor of the next page, absent on the last.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// One line of the analysts' queue.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueueItemDto {
    /// Position, 1 first.
    pub rank: u64,
    /// The case.
    pub case: CaseDto,
    /// The SSVC coordinator decision.
    pub decision: CoordinatorDecision,
    /// Why it ranks here.
    pub reason: String,
    /// Operators running the component, by sector.
    pub exposure: Vec<SectorCountDto>,
    /// When the state's work is due.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due_at: Option<Timestamp>,
    /// Whether that is past.
    pub overdue: bool,
}

impl From<QueueItem> for QueueItemDto {
    fn from(q: QueueItem) -> Self {
        Self {
            rank: q.rank,
            case: q.case.into(),
            decision: q.decision,
            reason: q.reason,
            exposure: q.exposure.into_iter().map(Into::into).collect(),
            due_at: q.due_at,
            overdue: q.overdue,
        }
    }
}

/// A page of the queue.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueuePage {
    /// Most urgent first.
    pub items: Vec<QueueItemDto>,
    /// The cursor of the next page, absent on the last.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// Affected versions of a finding.
#[derive(Debug, Serialize, ToSchema)]
pub struct VersionsOutDto {
    /// The `vers:` range.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vers: Option<String>,
    /// Explicit versions.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub list: Vec<String>,
}

/// A finding.
#[derive(Debug, Serialize, ToSchema)]
pub struct FindingDto {
    /// Its id.
    pub id: FindingId,
    /// Its case.
    pub case_id: CaseId,
    /// The finder.
    pub org: OrgId,
    /// Who submitted it.
    pub submitted_by: String,
    /// One line.
    pub title: String,
    /// The description.
    pub description: String,
    /// The product.
    pub product: String,
    /// The affected versions.
    pub versions: VersionsOutDto,
    /// The weakness.
    pub cwe: String,
    /// The CVSS assessment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cvss: Option<CvssDto>,
    /// Where.
    pub location: LocationDto,
    /// Who found it with what.
    pub provenance: ProvenanceDto,
    /// Ids the finder gave.
    pub known_ids: Vec<String>,
    /// Knowledge-base vulnerabilities it matches.
    pub known_vulnerabilities: Vec<String>,
    /// The TLP mark the finder asked for.
    pub tlp_requested: Tlp,
    /// Whether the finder may be named publicly.
    pub credit_public: bool,
    /// active or withdrawn.
    pub status: FindingStatus,
    /// When it was accepted (the earliest is the first finder).
    pub accepted_at: Timestamp,
}

impl From<Finding> for FindingDto {
    fn from(f: Finding) -> Self {
        let (vers, list) = match f.versions {
            AffectedVersions::Range { vers } => (Some(vers), Vec::new()),
            AffectedVersions::List { versions } => (None, versions),
        };
        Self {
            id: f.id,
            case_id: f.case_id,
            org: f.org,
            submitted_by: f.submitted_by,
            title: f.title,
            description: f.description,
            product: f.product.identifier,
            versions: VersionsOutDto { vers, list },
            cwe: f.cwe,
            cvss: f.cvss.map(Into::into),
            location: LocationDto {
                file: f.location.file,
                function: f.location.function,
                line: f.location.line,
                url: f.location.url,
                endpoint: f.location.endpoint,
            },
            provenance: ProvenanceDto {
                tool: f.provenance.tool,
                tool_version: f.provenance.tool_version,
                campaign_id: f.provenance.campaign,
            },
            known_ids: f.known_ids,
            known_vulnerabilities: f.known_vulnerabilities,
            tlp_requested: f.tlp_requested,
            credit_public: f.credit_public,
            status: f.status,
            accepted_at: f.accepted_at,
        }
    }
}

/// A case's members and named people.
#[derive(Debug, Serialize, ToSchema)]
pub struct MembersDto {
    /// Member organizations.
    pub members: Vec<CaseMemberDto>,
    /// Named people.
    pub named: Vec<NamedPersonDto>,
}

/// A validator's claim and verdict.
#[derive(Debug, Serialize, ToSchema)]
pub struct ValidationDto {
    /// Its id.
    pub id: ValidationId,
    /// The case.
    pub case_id: CaseId,
    /// The validator's organization.
    pub org: OrgId,
    /// Who claimed.
    pub claimed_by: String,
    /// When.
    pub claimed_at: Timestamp,
    /// reproduced or not_reproduced, once given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verdict: Option<Verdict>,
    /// Notes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// When the verdict was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decided_at: Option<Timestamp>,
}

impl From<Validation> for ValidationDto {
    fn from(v: Validation) -> Self {
        Self {
            id: v.id,
            case_id: v.case_id,
            org: v.org,
            claimed_by: v.claimed_by,
            claimed_at: v.claimed_at,
            verdict: v.verdict,
            notes: v.notes,
            decided_at: v.decided_at,
        }
    }
}

/// A verdict and where it left the case.
#[derive(Debug, Serialize, ToSchema)]
pub struct VerdictResultDto {
    /// The validation.
    pub validation: ValidationDto,
    /// The case's state after it (validated once the quorum is reached).
    pub case_state: CaseState,
}

/// A vendor's status for a product.
#[derive(Debug, Serialize, ToSchema)]
pub struct VendorStatusDto {
    /// The case.
    pub case_id: CaseId,
    /// The vendor.
    pub org: OrgId,
    /// The product.
    pub product: String,
    /// The status.
    pub status: ProductStatus,
    /// The first fixed version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fixed_version: Option<String>,
    /// Remediation notes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Who recorded it.
    pub updated_by: String,
    /// When.
    pub updated_at: Timestamp,
}

impl From<VendorStatus> for VendorStatusDto {
    fn from(s: VendorStatus) -> Self {
        Self {
            case_id: s.case_id,
            org: s.org,
            product: s.product,
            status: s.status,
            fixed_version: s.fixed_version,
            note: s.note,
            updated_by: s.updated_by,
            updated_at: s.updated_at,
        }
    }
}

/// A message in a case's thread.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommentDto {
    /// Its id.
    pub id: CommentId,
    /// The case.
    pub case_id: CaseId,
    /// The author's organization.
    pub org: OrgId,
    /// The author.
    pub author: String,
    /// The text.
    pub body: String,
    /// When.
    pub created_at: Timestamp,
}

impl From<Comment> for CommentDto {
    fn from(c: Comment) -> Self {
        Self {
            id: c.id,
            case_id: c.case_id,
            org: c.org,
            author: c.author,
            body: c.body,
            created_at: c.created_at,
        }
    }
}

/// A page of comments.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommentPage {
    /// Oldest first.
    pub items: Vec<CommentDto>,
    /// The cursor of the next page, absent on the last.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// What is known about an attachment without decrypting it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttachmentDto {
    /// Its id.
    pub id: AttachmentId,
    /// The case.
    pub case_id: CaseId,
    /// The finding it came with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub finding: Option<FindingId>,
    /// The organization that attached it.
    pub org: OrgId,
    /// What it is.
    pub kind: AttachmentKind,
    /// Its file name.
    pub filename: String,
    /// Its media type.
    pub media_type: String,
    /// Size in bytes.
    pub size: u64,
    /// Keyed digest (HMAC-SHA-256) of the content.
    pub digest: String,
    /// Who attached it.
    pub uploaded_by: String,
    /// When.
    pub created_at: Timestamp,
}

impl From<Attachment> for AttachmentDto {
    fn from(a: Attachment) -> Self {
        Self {
            id: a.id,
            case_id: a.case_id,
            finding: a.finding,
            org: a.org,
            kind: a.kind,
            filename: a.filename,
            media_type: a.media_type,
            size: a.size,
            digest: a.digest,
            uploaded_by: a.uploaded_by,
            created_at: a.created_at,
        }
    }
}

/// A proposal to merge a near duplicate.
#[derive(Debug, Serialize, ToSchema)]
pub struct MergeProposalDto {
    /// Its id.
    pub id: String,
    /// The case the finding would join.
    pub target_case: CaseId,
    /// The near-duplicate finding.
    pub finding: FindingId,
    /// The case it is in now.
    pub source_case: CaseId,
    /// Estimated similarity, thousandths.
    pub similarity_permille: u32,
    /// Why it was proposed.
    pub reason: String,
    /// open, accepted or rejected.
    pub status: ProposalStatus,
    /// When proposed.
    pub created_at: Timestamp,
    /// Who decided.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decided_by: Option<String>,
    /// When.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decided_at: Option<Timestamp>,
}

impl From<MergeProposal> for MergeProposalDto {
    fn from(p: MergeProposal) -> Self {
        Self {
            id: p.id.to_string(),
            target_case: p.target_case,
            finding: p.finding,
            source_case: p.source_case,
            similarity_permille: p.similarity_permille,
            reason: p.reason,
            status: p.status,
            created_at: p.created_at,
            decided_by: p.decided_by,
            decided_at: p.decided_at,
        }
    }
}

/// A page of merge proposals.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProposalPage {
    /// Oldest first.
    pub items: Vec<MergeProposalDto>,
    /// The cursor of the next page, absent on the last.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// How many operators were pre-notified (never which).
#[derive(Debug, Serialize, ToSchema)]
pub struct NotifiedDto {
    /// Operators added to the case.
    pub operators: u64,
}

/// Everything you may take away about a case.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseExportDto {
    /// The case.
    pub case: CaseDto,
    /// Findings (full view).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub findings: Option<Vec<FindingDto>>,
    /// Validations (full view).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub validations: Option<Vec<ValidationDto>>,
    /// Vendor statuses (limited and full views).
    pub vendor_statuses: Vec<VendorStatusDto>,
    /// The thread (full view).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comments: Option<Vec<CommentDto>>,
    /// Attachment metadata, never content (full view).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attachments: Option<Vec<AttachmentDto>>,
    /// When exported.
    pub exported_at: Timestamp,
}

impl From<CaseExport> for CaseExportDto {
    fn from(e: CaseExport) -> Self {
        fn all<T, U: From<T>>(items: Option<Vec<T>>) -> Option<Vec<U>> {
            items.map(|v| v.into_iter().map(Into::into).collect())
        }
        Self {
            case: e.case.into(),
            findings: all(e.findings),
            validations: all(e.validations),
            vendor_statuses: e.vendor_statuses.into_iter().map(Into::into).collect(),
            comments: all(e.comments),
            attachments: all(e.attachments),
            exported_at: e.exported_at,
        }
    }
}
