//! Vulnerability coordination: findings, the cases they are deduplicated into, validations, vendor
//! statuses, comments, attachments, and the TLP 2.0 marks that decide who sees what.
//!
//! # Layout
//! - this file: the data (findings, cases, members, validations, statuses, comments, attachments,
//!   merge proposals) and the closed sets they use (`Tlp`, `CaseState`, …).
//! - `state`: the case state machine, written once as a table, and each state's due date.
//! - `visibility`: the one rule deciding what a participant may see of a case (`case_view`) and how
//!   the actor stands towards it (`standing`), which `authz` turns into decisions.
//!
//! Product identifiers, CWE ids and CVSS vectors are validated by the services with
//! `clearinghouse-standards` before they reach these types; the domain keeps them as checked text.

pub mod state;
pub mod visibility;

use std::fmt;
use std::str::FromStr;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::ids::{
    AttachmentId, CampaignId, CaseId, CommentId, FindingId, OrgId, PersonId, ValidationId,
};
use crate::participant::{Sector, UnknownValue, wire_enum};

pub use state::{CaseState, Mover, RejectReason};
pub use visibility::{CaseAccess, CaseScope, CaseStanding, CaseView, Viewer};

/// A Traffic Light Protocol 2.0 mark (FIRST, August 2022): how far a case may be shared.
///
/// The wire spelling is the label without its `TLP:` prefix (`AMBER+STRICT`); the prefixed label
/// (`TLP:AMBER+STRICT`) is accepted on input and is what people are shown.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
pub enum Tlp {
    /// `TLP:CLEAR`: no limit on disclosure.
    #[serde(rename = "CLEAR", alias = "TLP:CLEAR")]
    Clear,
    /// `TLP:GREEN`: the community, not public channels.
    #[serde(rename = "GREEN", alias = "TLP:GREEN")]
    Green,
    /// `TLP:AMBER`: the recipients' organizations and their clients on a need-to-know basis.
    #[serde(rename = "AMBER", alias = "TLP:AMBER")]
    Amber,
    /// `TLP:AMBER+STRICT`: the recipients' organizations only.
    #[serde(rename = "AMBER+STRICT", alias = "TLP:AMBER+STRICT")]
    AmberStrict,
    /// `TLP:RED`: the named recipients only.
    #[serde(rename = "RED", alias = "TLP:RED")]
    Red,
}

impl Tlp {
    /// Every mark, least restrictive first.
    pub const ALL: [Tlp; 5] = [
        Tlp::Clear,
        Tlp::Green,
        Tlp::Amber,
        Tlp::AmberStrict,
        Tlp::Red,
    ];

    /// The wire spelling (`AMBER+STRICT`).
    pub fn as_str(self) -> &'static str {
        match self {
            Tlp::Clear => "CLEAR",
            Tlp::Green => "GREEN",
            Tlp::Amber => "AMBER",
            Tlp::AmberStrict => "AMBER+STRICT",
            Tlp::Red => "RED",
        }
    }

    /// The official label (`TLP:AMBER+STRICT`).
    pub fn label(self) -> &'static str {
        match self {
            Tlp::Clear => "TLP:CLEAR",
            Tlp::Green => "TLP:GREEN",
            Tlp::Amber => "TLP:AMBER",
            Tlp::AmberStrict => "TLP:AMBER+STRICT",
            Tlp::Red => "TLP:RED",
        }
    }

    /// Whether operators running the affected component may be pre-notified (TLP 2.0: AMBER and
    /// below may reach clients on a need-to-know basis; AMBER+STRICT and RED may not).
    pub fn allows_operators(self) -> bool {
        matches!(self, Tlp::Clear | Tlp::Green | Tlp::Amber)
    }

    /// Whether, once the embargo lifts, every participant may see the case's limited view.
    pub fn community_wide(self) -> bool {
        matches!(self, Tlp::Clear | Tlp::Green)
    }
}

impl fmt::Display for Tlp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl FromStr for Tlp {
    type Err = UnknownValue;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bare = s.trim();
        let bare = bare
            .get(..4)
            .filter(|p| p.eq_ignore_ascii_case("tlp:"))
            .map_or(bare, |_| &bare[4..]);
        Tlp::ALL
            .into_iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(bare))
            .ok_or_else(|| UnknownValue {
                what: "TLP mark",
                value: s.to_owned(),
                expected: Tlp::ALL.iter().map(|t| t.as_str()).collect(),
            })
    }
}

wire_enum!(
    /// How an organization takes part in a case.
    CaseRelation, "case relation" {
        /// It reported a finding of the case.
        Finder = "finder",
        /// It makes the affected product and coordinates the fix.
        Vendor = "vendor",
        /// It claimed the case (or was assigned to it) to reproduce it independently.
        Validator = "validator",
        /// It runs the affected component and was pre-notified (limited view, never the PoC).
        Operator = "operator",
    }
);

wire_enum!(
    /// Whether a finding still counts.
    FindingStatus, "finding status" {
        /// It counts.
        Active = "active",
        /// Its finder withdrew it; it is kept for the record and no longer credited.
        Withdrawn = "withdrawn",
    }
);

wire_enum!(
    /// A validator's verdict.
    Verdict, "verdict" {
        /// The finding was reproduced.
        Reproduced = "reproduced",
        /// The finding could not be reproduced.
        NotReproduced = "not_reproduced",
    }
);

wire_enum!(
    /// A vendor's status for one product, as VEX states it.
    ProductStatus, "product status" {
        /// The product is affected.
        Affected = "affected",
        /// The product is not affected.
        NotAffected = "not_affected",
        /// The vendor is still investigating.
        UnderInvestigation = "under_investigation",
        /// A fixed version exists.
        Fixed = "fixed",
    }
);

wire_enum!(
    /// What an attachment is.
    AttachmentKind, "attachment kind" {
        /// A proof of concept (exploit material).
        ProofOfConcept = "proof_of_concept",
        /// Logs or traces.
        Log = "log",
        /// A validator's reproduction evidence.
        Evidence = "evidence",
        /// Anything else.
        Other = "other",
    }
);

wire_enum!(
    /// Where a merge proposal stands.
    ProposalStatus, "proposal status" {
        /// Waiting for an analyst.
        Open = "open",
        /// An analyst merged the finding into the proposed case.
        Accepted = "accepted",
        /// An analyst kept them apart.
        Rejected = "rejected",
    }
);

wire_enum!(
    /// The CISA SSVC coordinator decision, least urgent first so that ordering by it ranks.
    CoordinatorDecision, "SSVC coordinator decision" {
        /// Track: remediate within standard timelines.
        Track = "track",
        /// Track*: monitor more closely.
        TrackStar = "track*",
        /// Attend: needs attention from the organization's leadership, sooner than standard.
        Attend = "attend",
        /// Act: act as soon as possible, with leadership involved.
        Act = "act",
    }
);

/// The affected product, as a package URL or a CPE name, with the lookup key the package index
/// and deduplication use (parts, never the raw string).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Product {
    /// The canonical purl or CPE 2.3 formatted string, without version.
    pub identifier: String,
    /// OSV ecosystem name (`PyPI`, `npm`, …) or `cpe`.
    pub ecosystem: String,
    /// The ecosystem-normalized package name, or `vendor:product` for CPEs.
    pub name_key: String,
}

/// Which versions of the product are affected.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AffectedVersions {
    /// A purl-spec `vers:` range, e.g. `vers:pypi/>=1.0|<1.4.2`.
    Range {
        /// The specifier.
        vers: String,
    },
    /// Explicit versions.
    List {
        /// The versions.
        versions: Vec<String>,
    },
}

/// Where in the product the weakness is.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    /// Source file path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// Function or method.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub function: Option<String>,
    /// Line in the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// URL of a running service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// API endpoint (`POST /login`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
}

/// Which model or tool found it, and under which campaign.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provenance {
    /// Model or tool name.
    pub tool: String,
    /// Its version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_version: Option<String>,
    /// The scanning campaign it was found under.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub campaign: Option<CampaignId>,
}

/// A CVSS vector with its base score and qualitative severity.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CvssScore {
    /// The vector as given (`CVSS:4.0/…` or `CVSS:3.1/…`).
    pub vector: String,
    /// Base score, 0.0 to 10.0.
    pub score: f64,
    /// `none`, `low`, `medium`, `high`, `critical`.
    pub severity: String,
}

/// One finder's report of a vulnerability, as accepted.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Finding {
    /// Its id.
    pub id: FindingId,
    /// The case it belongs to.
    pub case_id: CaseId,
    /// The finder's organization.
    pub org: OrgId,
    /// Who submitted it (`person:<id>`, `token:<id>`).
    pub submitted_by: String,
    /// The person behind the submission, if any (named on the case, for TLP:RED).
    pub person: Option<PersonId>,
    /// One line.
    pub title: String,
    /// What it is and how it works.
    pub description: String,
    /// The affected product.
    pub product: Product,
    /// The affected versions.
    pub versions: AffectedVersions,
    /// The weakness, `CWE-<n>`.
    pub cwe: String,
    /// Its CVSS assessment.
    pub cvss: Option<CvssScore>,
    /// Where the weakness is.
    pub location: Location,
    /// Who found it with what.
    pub provenance: Provenance,
    /// CVE, GHSA or other ids the finder gave.
    pub known_ids: Vec<String>,
    /// Knowledge-base vulnerabilities this finding matches (display ids): it may be known already.
    pub known_vulnerabilities: Vec<String>,
    /// The exact-duplicate fingerprint (hex).
    pub fingerprint: String,
    /// The TLP mark the finder asked for.
    pub tlp_requested: Tlp,
    /// Whether the finder may be named to those who see the case's limited view.
    pub credit_public: bool,
    /// Active or withdrawn.
    pub status: FindingStatus,
    /// When it was accepted: the earliest accepted finding of a case is its first finder.
    pub accepted_at: Timestamp,
}

/// What ranks a case in the analysts' queue, stored so that the queue is one indexed query.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Priority {
    /// SSVC Exploitation: `none`, `poc`, `active`.
    pub exploitation: String,
    /// SSVC Automatable.
    pub automatable: bool,
    /// SSVC Technical Impact is total.
    pub technical_impact_total: bool,
    /// SSVC Mission and Well-Being: `low`, `medium`, `high`.
    pub mission_wellbeing: String,
    /// The CISA coordinator decision.
    pub decision: CoordinatorDecision,
    /// Operators running the affected component, by sector (never who).
    pub exposure: Vec<SectorCount>,
    /// One sortable number: decision, then CVSS, then exposure (higher is more urgent).
    pub key: i64,
}

/// How many operators of one sector run a component.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SectorCount {
    /// The sector (`None` for operators without one, which only old data can have).
    pub sector: Option<Sector>,
    /// Distinct operators.
    pub operators: u64,
}

impl Priority {
    /// Operators in all sectors.
    pub fn operators(&self) -> u64 {
        self.exposure.iter().map(|s| s.operators).sum()
    }
}

/// A coordination case: one vulnerability, however many findings reported it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Case {
    /// Its id.
    pub id: CaseId,
    /// One line (from the first finding).
    pub title: String,
    /// Where it stands.
    pub state: CaseState,
    /// Why it was rejected, when it was.
    pub reject_reason: Option<RejectReason>,
    /// The TLP mark in force.
    pub tlp: Tlp,
    /// Until when nobody but its members sees anything of it.
    pub embargo_until: Timestamp,
    /// When it was published (which lifts the embargo at once).
    pub published_at: Option<Timestamp>,
    /// The affected product.
    pub product: Product,
    /// The weakness.
    pub cwe: String,
    /// The case's CVSS assessment (the first finding's until an analyst changes it).
    pub cvss: Option<CvssScore>,
    /// Knowledge-base vulnerabilities its findings match.
    pub known_vulnerabilities: Vec<String>,
    /// Whether a proof of concept is attached.
    pub has_poc: bool,
    /// What ranks it.
    pub priority: Priority,
    /// When it entered its state.
    pub state_entered_at: Timestamp,
    /// When the current state's work is due (`None` once closed).
    pub due_at: Option<Timestamp>,
    /// When it was opened.
    pub created_at: Timestamp,
    /// When it last changed.
    pub updated_at: Timestamp,
    /// The case it was merged into, if it was.
    pub merged_into: Option<CaseId>,
}

impl Case {
    /// Whether the current state's due date has passed.
    pub fn is_overdue(&self, now: Timestamp) -> bool {
        self.due_at.is_some_and(|due| due < now)
    }

    /// Whether the embargo is over (its end passed, or the case was published).
    pub fn embargo_over(&self, now: Timestamp) -> bool {
        self.published_at.is_some() || now >= self.embargo_until
    }
}

/// An organization taking part in a case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CaseMember {
    /// The organization.
    pub org: OrgId,
    /// How it takes part.
    pub relation: CaseRelation,
    /// Who added it (`system` for finders and claims).
    pub added_by: String,
    /// When.
    pub added_at: Timestamp,
}

/// A person named on a case: under TLP:RED only named people of member organizations see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NamedPerson {
    /// The person.
    pub person: PersonId,
    /// The member organization they are named for.
    pub org: OrgId,
}

/// A validator's claim on a case, and later its verdict.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Validation {
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
    /// The verdict, once given.
    pub verdict: Option<Verdict>,
    /// What the validator did and saw.
    pub notes: Option<String>,
    /// When the verdict was given.
    pub decided_at: Option<Timestamp>,
}

/// A vendor's status for one product of a case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VendorStatus {
    /// The case.
    pub case_id: CaseId,
    /// The vendor.
    pub org: OrgId,
    /// The product (purl or CPE, canonical).
    pub product: String,
    /// The status.
    pub status: ProductStatus,
    /// The first fixed version, when fixed.
    pub fixed_version: Option<String>,
    /// A note (remediation, workaround).
    pub note: Option<String>,
    /// Who recorded it.
    pub updated_by: String,
    /// When.
    pub updated_at: Timestamp,
}

/// A message in a case's discussion thread.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Comment {
    /// Its id.
    pub id: CommentId,
    /// The case.
    pub case_id: CaseId,
    /// The author's organization.
    pub org: OrgId,
    /// The author (`person:<id>`, `token:<id>`).
    pub author: String,
    /// The text.
    pub body: String,
    /// When.
    pub created_at: Timestamp,
}

/// What is known about an attachment without decrypting it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Attachment {
    /// Its id.
    pub id: AttachmentId,
    /// The case it belongs to (part of the encryption's associated data).
    pub case_id: CaseId,
    /// The finding it came with, if any.
    pub finding: Option<FindingId>,
    /// The organization that attached it.
    pub org: OrgId,
    /// What it is.
    pub kind: AttachmentKind,
    /// The file name given.
    pub filename: String,
    /// The media type given.
    pub media_type: String,
    /// Plaintext size in bytes.
    pub size: u64,
    /// Keyed digest (HMAC-SHA-256 with the digest key) of the plaintext: lets the holder of the key
    /// recognize content without the database revealing guessable content.
    pub digest: String,
    /// Who attached it.
    pub uploaded_by: String,
    /// When.
    pub created_at: Timestamp,
}

/// An attachment's encrypted content as stored: XChaCha20-Poly1305 with a random 24-byte nonce.
#[derive(Clone, PartialEq, Eq)]
pub struct SealedContent {
    /// The nonce.
    pub nonce: Vec<u8>,
    /// Ciphertext followed by the 16-byte tag.
    pub ciphertext: Vec<u8>,
}

impl fmt::Debug for SealedContent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SealedContent({} bytes)", self.ciphertext.len())
    }
}

/// A proposal to merge a near-duplicate finding's case into another case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MergeProposal {
    /// Its id (a finding id is not enough: one finding can be proposed against several cases).
    pub id: uuid::Uuid,
    /// The case the finding would join.
    pub target_case: CaseId,
    /// The near-duplicate finding.
    pub finding: FindingId,
    /// The case the finding is in now.
    pub source_case: CaseId,
    /// Estimated similarity in thousandths (Jaccard over word shingles).
    pub similarity_permille: u32,
    /// Why it was proposed, for the analyst.
    pub reason: String,
    /// Where it stands.
    pub status: ProposalStatus,
    /// When it was proposed.
    pub created_at: Timestamp,
    /// Who decided (`person:<id>`, `token:<id>`).
    pub decided_by: Option<String>,
    /// When.
    pub decided_at: Option<Timestamp>,
}

/// Everything the visibility rule reads about a case, loaded together.
#[derive(Clone, Debug, PartialEq)]
pub struct CaseRecord {
    /// The case.
    pub case: Case,
    /// Its member organizations.
    pub members: Vec<CaseMember>,
    /// Its named people.
    pub named: Vec<NamedPerson>,
}

impl CaseRecord {
    /// The inputs of the visibility rule.
    pub fn access(&self) -> CaseAccess<'_> {
        CaseAccess {
            tlp: self.case.tlp,
            embargo_until: self.case.embargo_until,
            published: self.case.published_at.is_some(),
            state: self.case.state,
            members: &self.members,
            named: &self.named,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tlp_reads_labels_and_bare_marks() {
        assert_eq!("TLP:AMBER+STRICT".parse::<Tlp>(), Ok(Tlp::AmberStrict));
        assert_eq!("amber+strict".parse::<Tlp>(), Ok(Tlp::AmberStrict));
        assert_eq!("RED".parse::<Tlp>(), Ok(Tlp::Red));
        assert!(
            "WHITE".parse::<Tlp>().is_err(),
            "TLP 1.0's WHITE is CLEAR in 2.0"
        );
        assert_eq!(Tlp::Clear.to_string(), "TLP:CLEAR");
        let json: Tlp = serde_json::from_str("\"TLP:GREEN\"").expect("alias");
        assert_eq!(json, Tlp::Green);
        assert_eq!(
            serde_json::to_string(&Tlp::AmberStrict).expect("json"),
            "\"AMBER+STRICT\""
        );
    }

    #[test]
    fn only_amber_and_below_reach_operators() {
        let allowed: Vec<Tlp> = Tlp::ALL
            .into_iter()
            .filter(|t| t.allows_operators())
            .collect();
        assert_eq!(allowed, [Tlp::Clear, Tlp::Green, Tlp::Amber]);
        assert!(Tlp::Green.community_wide() && !Tlp::Amber.community_wide());
    }

    #[test]
    fn coordinator_decisions_order_by_urgency() {
        assert!(CoordinatorDecision::Act > CoordinatorDecision::Attend);
        assert!(CoordinatorDecision::TrackStar > CoordinatorDecision::Track);
        assert_eq!(
            "track*".parse::<CoordinatorDecision>(),
            Ok(CoordinatorDecision::TrackStar)
        );
    }
}
