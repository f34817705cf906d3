//! Row structs of the coordination tables (shared by both engines) and their conversion into
//! domain types. Structured values are JSON text; a value that does not read back is `Corrupt`.

use clearinghouse_domain::coordination::{
    Attachment, Case, CaseMember, Comment, CvssScore, Finding, Location, MergeProposal,
    NamedPerson, Priority, Provenance, SealedContent, Validation, VendorStatus,
};
use clearinghouse_domain::time::from_micros;

use crate::rows::parse;
use crate::{Error, Result};

fn json<T: serde::de::DeserializeOwned>(value: &str, what: &str) -> Result<T> {
    serde_json::from_str(value).map_err(|e| Error::Corrupt(format!("{what}: {e}")))
}

fn optional_json<T: serde::de::DeserializeOwned>(
    value: Option<&str>,
    what: &str,
) -> Result<Option<T>> {
    value.map(|v| json(v, what)).transpose()
}

/// Serializes a value stored as JSON text. Our own types always serialize.
pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned())
}

/// The columns `CaseRow` reads.
pub(crate) const CASE_COLUMNS: &str = "id, title, state, reject_reason, tlp, embargo_until, published_at, product, ecosystem, name_key, cwe, cvss, \
     known_vulnerabilities, has_poc, priority, state_entered_at, due_at, created_at, updated_at, merged_into";

#[derive(sqlx::FromRow)]
pub(crate) struct CaseRow {
    id: String,
    title: String,
    state: String,
    reject_reason: Option<String>,
    tlp: String,
    embargo_until: i64,
    published_at: Option<i64>,
    product: String,
    ecosystem: String,
    name_key: String,
    cwe: String,
    cvss: Option<String>,
    known_vulnerabilities: String,
    has_poc: i64,
    priority: String,
    state_entered_at: i64,
    due_at: Option<i64>,
    created_at: i64,
    updated_at: i64,
    merged_into: Option<String>,
}

impl TryFrom<CaseRow> for Case {
    type Error = Error;
    fn try_from(row: CaseRow) -> Result<Self> {
        let cvss: Option<CvssScore> = optional_json(row.cvss.as_deref(), "case CVSS")?;
        let priority: Priority = json(&row.priority, "case priority")?;
        Ok(Case {
            id: parse(&row.id, "case id")?,
            title: row.title,
            state: parse(&row.state, "case state")?,
            reject_reason: row
                .reject_reason
                .as_deref()
                .map(|r| parse(r, "reject reason"))
                .transpose()?,
            tlp: parse(&row.tlp, "TLP mark")?,
            embargo_until: from_micros(row.embargo_until),
            published_at: row.published_at.map(from_micros),
            product: clearinghouse_domain::coordination::Product {
                identifier: row.product,
                ecosystem: row.ecosystem,
                name_key: row.name_key,
            },
            cwe: row.cwe,
            cvss,
            known_vulnerabilities: json(&row.known_vulnerabilities, "case known vulnerabilities")?,
            has_poc: row.has_poc != 0,
            priority,
            state_entered_at: from_micros(row.state_entered_at),
            due_at: row.due_at.map(from_micros),
            created_at: from_micros(row.created_at),
            updated_at: from_micros(row.updated_at),
            merged_into: row
                .merged_into
                .as_deref()
                .map(|m| parse(m, "case id"))
                .transpose()?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct MemberRow {
    pub(crate) case_id: String,
    org_id: String,
    relation: String,
    added_by: String,
    added_at: i64,
}

impl TryFrom<MemberRow> for CaseMember {
    type Error = Error;
    fn try_from(row: MemberRow) -> Result<Self> {
        Ok(CaseMember {
            org: parse(&row.org_id, "organization id")?,
            relation: parse(&row.relation, "case relation")?,
            added_by: row.added_by,
            added_at: from_micros(row.added_at),
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct NamedRow {
    pub(crate) case_id: String,
    person_id: String,
    org_id: String,
}

impl TryFrom<NamedRow> for NamedPerson {
    type Error = Error;
    fn try_from(row: NamedRow) -> Result<Self> {
        Ok(NamedPerson {
            person: parse(&row.person_id, "person id")?,
            org: parse(&row.org_id, "organization id")?,
        })
    }
}

/// The columns `FindingRow` reads.
pub(crate) const FINDING_COLUMNS: &str = "id, case_id, org_id, submitted_by, person_id, title, description, product, ecosystem, name_key, versions, \
     cwe, cvss, location, provenance, known_ids, known_vulnerabilities, fingerprint, tlp_requested, credit_public, status, accepted_at";

#[derive(sqlx::FromRow)]
pub(crate) struct FindingRow {
    id: String,
    case_id: String,
    org_id: String,
    submitted_by: String,
    person_id: Option<String>,
    title: String,
    description: String,
    product: String,
    ecosystem: String,
    name_key: String,
    versions: String,
    cwe: String,
    cvss: Option<String>,
    location: String,
    provenance: String,
    known_ids: String,
    known_vulnerabilities: String,
    fingerprint: String,
    tlp_requested: String,
    credit_public: i64,
    status: String,
    accepted_at: i64,
}

impl TryFrom<FindingRow> for Finding {
    type Error = Error;
    fn try_from(row: FindingRow) -> Result<Self> {
        let location: Location = json(&row.location, "finding location")?;
        let provenance: Provenance = json(&row.provenance, "finding provenance")?;
        Ok(Finding {
            id: parse(&row.id, "finding id")?,
            case_id: parse(&row.case_id, "case id")?,
            org: parse(&row.org_id, "organization id")?,
            submitted_by: row.submitted_by,
            person: row
                .person_id
                .as_deref()
                .map(|p| parse(p, "person id"))
                .transpose()?,
            title: row.title,
            description: row.description,
            product: clearinghouse_domain::coordination::Product {
                identifier: row.product,
                ecosystem: row.ecosystem,
                name_key: row.name_key,
            },
            versions: json(&row.versions, "finding versions")?,
            cwe: row.cwe,
            cvss: optional_json(row.cvss.as_deref(), "finding CVSS")?,
            location,
            provenance,
            known_ids: json(&row.known_ids, "finding known ids")?,
            known_vulnerabilities: json(
                &row.known_vulnerabilities,
                "finding known vulnerabilities",
            )?,
            fingerprint: row.fingerprint,
            tlp_requested: parse(&row.tlp_requested, "TLP mark")?,
            credit_public: row.credit_public != 0,
            status: parse(&row.status, "finding status")?,
            accepted_at: from_micros(row.accepted_at),
        })
    }
}

/// The columns `CandidateRow` reads.
pub(crate) const CANDIDATE_COLUMNS: &str =
    "id, case_id, org_id, signature, location_area, location_function";

#[derive(sqlx::FromRow)]
pub(crate) struct CandidateRow {
    id: String,
    case_id: String,
    org_id: String,
    signature: String,
    location_area: String,
    location_function: String,
}

impl TryFrom<CandidateRow> for super::DedupCandidate {
    type Error = Error;
    fn try_from(row: CandidateRow) -> Result<Self> {
        Ok(super::DedupCandidate {
            finding: parse(&row.id, "finding id")?,
            case_id: parse(&row.case_id, "case id")?,
            org: parse(&row.org_id, "organization id")?,
            signature: row.signature,
            location_area: row.location_area,
            location_function: row.location_function,
        })
    }
}

/// The columns `ValidationRow` reads.
pub(crate) const VALIDATION_COLUMNS: &str =
    "id, case_id, org_id, claimed_by, claimed_at, verdict, notes, decided_at";

#[derive(sqlx::FromRow)]
pub(crate) struct ValidationRow {
    id: String,
    case_id: String,
    org_id: String,
    claimed_by: String,
    claimed_at: i64,
    verdict: Option<String>,
    notes: Option<String>,
    decided_at: Option<i64>,
}

impl TryFrom<ValidationRow> for Validation {
    type Error = Error;
    fn try_from(row: ValidationRow) -> Result<Self> {
        Ok(Validation {
            id: parse(&row.id, "validation id")?,
            case_id: parse(&row.case_id, "case id")?,
            org: parse(&row.org_id, "organization id")?,
            claimed_by: row.claimed_by,
            claimed_at: from_micros(row.claimed_at),
            verdict: row
                .verdict
                .as_deref()
                .map(|v| parse(v, "verdict"))
                .transpose()?,
            notes: row.notes,
            decided_at: row.decided_at.map(from_micros),
        })
    }
}

/// The columns `StatusRow` reads.
pub(crate) const STATUS_COLUMNS: &str =
    "case_id, org_id, product, status, fixed_version, note, updated_by, updated_at";

#[derive(sqlx::FromRow)]
pub(crate) struct StatusRow {
    case_id: String,
    org_id: String,
    product: String,
    status: String,
    fixed_version: Option<String>,
    note: Option<String>,
    updated_by: String,
    updated_at: i64,
}

impl TryFrom<StatusRow> for VendorStatus {
    type Error = Error;
    fn try_from(row: StatusRow) -> Result<Self> {
        Ok(VendorStatus {
            case_id: parse(&row.case_id, "case id")?,
            org: parse(&row.org_id, "organization id")?,
            product: row.product,
            status: parse(&row.status, "product status")?,
            fixed_version: row.fixed_version,
            note: row.note,
            updated_by: row.updated_by,
            updated_at: from_micros(row.updated_at),
        })
    }
}

/// The columns `CommentRow` reads.
pub(crate) const COMMENT_COLUMNS: &str = "id, case_id, org_id, author, body, created_at";

#[derive(sqlx::FromRow)]
pub(crate) struct CommentRow {
    id: String,
    case_id: String,
    org_id: String,
    author: String,
    body: String,
    created_at: i64,
}

impl TryFrom<CommentRow> for Comment {
    type Error = Error;
    fn try_from(row: CommentRow) -> Result<Self> {
        Ok(Comment {
            id: parse(&row.id, "comment id")?,
            case_id: parse(&row.case_id, "case id")?,
            org: parse(&row.org_id, "organization id")?,
            author: row.author,
            body: row.body,
            created_at: from_micros(row.created_at),
        })
    }
}

/// The columns `AttachmentRow` reads (never the content).
pub(crate) const ATTACHMENT_COLUMNS: &str = "id, case_id, finding_id, org_id, kind, filename, media_type, size, digest, uploaded_by, created_at";

#[derive(sqlx::FromRow)]
pub(crate) struct AttachmentRow {
    id: String,
    case_id: String,
    finding_id: Option<String>,
    org_id: String,
    kind: String,
    filename: String,
    media_type: String,
    size: i64,
    digest: String,
    uploaded_by: String,
    created_at: i64,
}

impl TryFrom<AttachmentRow> for Attachment {
    type Error = Error;
    fn try_from(row: AttachmentRow) -> Result<Self> {
        Ok(Attachment {
            id: parse(&row.id, "attachment id")?,
            case_id: parse(&row.case_id, "case id")?,
            finding: row
                .finding_id
                .as_deref()
                .map(|f| parse(f, "finding id"))
                .transpose()?,
            org: parse(&row.org_id, "organization id")?,
            kind: parse(&row.kind, "attachment kind")?,
            filename: row.filename,
            media_type: row.media_type,
            size: row.size.max(0) as u64,
            digest: row.digest,
            uploaded_by: row.uploaded_by,
            created_at: from_micros(row.created_at),
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct SealedRow {
    #[sqlx(flatten)]
    pub(crate) attachment: AttachmentRow,
    nonce: Vec<u8>,
    ciphertext: Vec<u8>,
}

impl TryFrom<SealedRow> for (Attachment, SealedContent) {
    type Error = Error;
    fn try_from(row: SealedRow) -> Result<Self> {
        Ok((
            row.attachment.try_into()?,
            SealedContent {
                nonce: row.nonce,
                ciphertext: row.ciphertext,
            },
        ))
    }
}

/// The columns `ProposalRow` reads.
pub(crate) const PROPOSAL_COLUMNS: &str = "id, target_case, finding_id, source_case, similarity, reason, status, created_at, decided_by, decided_at";

#[derive(sqlx::FromRow)]
pub(crate) struct ProposalRow {
    id: String,
    target_case: String,
    finding_id: String,
    source_case: String,
    similarity: i64,
    reason: String,
    status: String,
    created_at: i64,
    decided_by: Option<String>,
    decided_at: Option<i64>,
}

impl TryFrom<ProposalRow> for MergeProposal {
    type Error = Error;
    fn try_from(row: ProposalRow) -> Result<Self> {
        Ok(MergeProposal {
            id: parse(&row.id, "merge proposal id")?,
            target_case: parse(&row.target_case, "case id")?,
            finding: parse(&row.finding_id, "finding id")?,
            source_case: parse(&row.source_case, "case id")?,
            similarity_permille: row.similarity.clamp(0, 1000) as u32,
            reason: row.reason,
            status: parse(&row.status, "proposal status")?,
            created_at: from_micros(row.created_at),
            decided_by: row.decided_by,
            decided_at: row.decided_at.map(from_micros),
        })
    }
}
