//! Vulnerability coordination: cases with their members and named people, findings, validations,
//! vendor statuses, comments, encrypted attachments, merge proposals and idempotency keys.
//!
//! Every change goes through one method, `apply_case_change`: one transaction that writes the
//! changed cases (optimistically: a case updated since it was read is a `Stale` error, and nothing
//! is written), everything attached to them, the outbox events and the log entries. A merge or a
//! split touches two cases and moves findings and re-sealed attachments between them at once.
//!
//! Reads that list cases filter in SQL by the visibility rule's inputs (`CaseScope`); the services
//! apply the rule itself to every row as well, so the two must agree (the API tests check it).
//! Hot paths are index walks: exact duplicates by fingerprint, near-duplicate candidates by
//! product key, the analysts' queue by `(is_open, queue_rank, created_at, id)`.

pub(crate) mod rows;

use std::collections::HashMap;

use async_trait::async_trait;
use clearinghouse_domain::audit::AuditRecord;
use clearinghouse_domain::coordination::{
    Attachment, Case, CaseMember, CaseRecord, CaseScope, CaseState, Comment, Finding,
    FindingStatus, MergeProposal, NamedPerson, Priority, ProposalStatus, SealedContent, Tlp,
    Validation, VendorStatus,
};
use clearinghouse_domain::page::{Page, PageRequest};
use clearinghouse_domain::{AttachmentId, CaseId, FindingId, OrgId, Sector, ValidationId};
use jiff::Timestamp;

use crate::{Appended, Result};

/// Below this many cases a participant could see at all, its case list starts from them; at or
/// above, walking cases newest first fills a page sooner than sorting them.
pub(crate) const FEW_CANDIDATES: i64 = 2_000;

/// A case row to write: inserted when `previous` is `None`, else updated only if its
/// `updated_at` still equals `previous` (otherwise the whole change fails as `Stale`).
#[derive(Clone, Debug)]
pub struct CaseWrite {
    /// The case as it must be stored.
    pub case: Case,
    /// The `updated_at` it was read with; `None` for a new case.
    pub previous: Option<Timestamp>,
}

/// A finding to insert, with what deduplication needs beside it.
#[derive(Clone, Debug)]
pub struct NewFindingRow {
    /// The finding.
    pub finding: Finding,
    /// Its MinHash signature (hex), compared against later findings of the same product.
    pub signature: String,
    /// Normalized file, endpoint or URL path (`""` if none).
    pub location_area: String,
    /// Normalized function (`""` if none).
    pub location_function: String,
}

/// An outbox event about a case for one organization. The dispatcher re-checks the case's
/// visibility for that organization before anything is sent.
#[derive(Clone, Debug, PartialEq)]
pub struct CaseEvent {
    /// The recipient organization.
    pub org: OrgId,
    /// `case.vendor_notified`, `case.embargo_lifted`, …
    pub kind: String,
    /// The body (ids and the title only, never exploit material).
    pub payload: serde_json::Value,
}

/// The first response to a request carrying an `Idempotency-Key`.
#[derive(Clone, Debug, PartialEq)]
pub struct IdempotencyRecord {
    /// The organization the key belongs to.
    pub org: OrgId,
    /// The key.
    pub key: String,
    /// SHA-256 of the canonical request, hex: the same key with another request is refused.
    pub request_digest: String,
    /// The response to replay.
    pub response: serde_json::Value,
}

/// Everything one coordination action changes, written in one transaction.
#[derive(Clone, Debug, Default)]
pub struct CaseChange {
    /// Cases inserted or updated.
    pub cases: Vec<CaseWrite>,
    /// Members added (existing ones are kept as they are).
    pub members: Vec<(CaseId, CaseMember)>,
    /// People named (existing ones are kept).
    pub named: Vec<(CaseId, NamedPerson)>,
    /// Findings inserted.
    pub findings: Vec<NewFindingRow>,
    /// Findings moved to another case (merge, split).
    pub finding_moves: Vec<(FindingId, CaseId)>,
    /// Findings whose status changed (withdrawal).
    pub finding_statuses: Vec<(FindingId, FindingStatus)>,
    /// Attachments inserted, sealed.
    pub attachments: Vec<(Attachment, SealedContent)>,
    /// Attachments moved to another case, re-sealed for it (the case id is in the associated data).
    pub reseals: Vec<(AttachmentId, CaseId, SealedContent)>,
    /// Validations inserted or updated (by id).
    pub validations: Vec<Validation>,
    /// Vendor statuses inserted or replaced (by case, vendor, product).
    pub vendor_statuses: Vec<VendorStatus>,
    /// Comments inserted.
    pub comments: Vec<Comment>,
    /// Merge proposals inserted or updated (by id).
    pub proposals: Vec<MergeProposal>,
    /// Outbox events.
    pub events: Vec<CaseEvent>,
    /// The response to remember for an idempotency key.
    pub idempotency: Option<IdempotencyRecord>,
}

/// A finding that may be a near duplicate of a new one (same product, same place).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DedupCandidate {
    /// The finding.
    pub finding: FindingId,
    /// Its case.
    pub case_id: CaseId,
    /// Its finder.
    pub org: OrgId,
    /// Its MinHash signature (hex).
    pub signature: String,
    /// Its normalized place.
    pub location_area: String,
    /// Its normalized function.
    pub location_function: String,
}

/// Filters of a case list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CaseFilter {
    /// Only this state.
    pub state: Option<CaseState>,
    /// Only this mark.
    pub tlp: Option<Tlp>,
    /// Title or product containing this text (case-insensitive).
    pub search: Option<String>,
}

/// Where the previous page of the queue ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QueueCursor {
    /// Its `queue_rank` (minus the priority key).
    pub rank: i64,
    /// Its opening time.
    pub created_at: Timestamp,
    /// Its id.
    pub id: CaseId,
}

/// How many operators of a sector run a product.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProductExposure {
    /// Lookup ecosystem.
    pub ecosystem: String,
    /// Lookup name.
    pub name_key: String,
    /// The sector.
    pub sector: Option<Sector>,
    /// Distinct operators with a current inventory component of that product.
    pub operators: u64,
}

/// Coordination storage.
#[async_trait]
pub trait CoordinationStore: Send + Sync {
    /// Writes one coordination action and its log entries in one transaction.
    async fn apply_case_change(
        &self,
        change: &CaseChange,
        audits: &[AuditRecord],
    ) -> Result<Appended>;
    /// Updates the stored ranking inputs of cases (exposure refreshes) and marks them checked;
    /// derived data, logged as one entry when anything changed.
    async fn record_priorities(
        &self,
        updates: &[(CaseId, Priority)],
        checked: &[CaseId],
        at: Timestamp,
        audit: &AuditRecord,
    ) -> Result<()>;
    /// Marks the embargo end of cases announced and writes the events, in one transaction.
    async fn announce_embargo_lifted(
        &self,
        cases: &[CaseId],
        events: &[CaseEvent],
        audit: &AuditRecord,
    ) -> Result<Appended>;

    /// One case with its members and named people.
    async fn case(&self, id: CaseId) -> Result<Option<CaseRecord>>;
    /// Cases visible under `scope` (newest first), filtered.
    async fn list_cases(
        &self,
        scope: &CaseScope,
        filter: &CaseFilter,
        now: Timestamp,
        page: &PageRequest,
    ) -> Result<Page<CaseRecord>>;
    /// Open cases, most urgent first; `limit + 1` rows when more exist.
    async fn case_queue(&self, after: Option<QueueCursor>, limit: u32) -> Result<Vec<Case>>;
    /// Cases whose embargo ended and was not announced yet.
    async fn embargoes_to_announce(&self, now: Timestamp, limit: u32) -> Result<Vec<CaseRecord>>;
    /// Open cases whose exposure was last checked before `before`, oldest check first.
    async fn stale_exposure(&self, before: Timestamp, limit: u32) -> Result<Vec<Case>>;
    /// Operators running any of these products now, by sector (counts only).
    async fn operators_by_products(
        &self,
        keys: &[(String, String)],
    ) -> Result<Vec<ProductExposure>>;

    /// One finding.
    async fn finding(&self, id: FindingId) -> Result<Option<Finding>>;
    /// A case's findings, earliest accepted first.
    async fn case_findings(&self, case: CaseId) -> Result<Vec<Finding>>;
    /// Active findings with this exact-duplicate fingerprint, earliest first.
    async fn findings_by_fingerprint(&self, fingerprint: &str) -> Result<Vec<Finding>>;
    /// Active findings of the same product at the same place or function, earliest first.
    async fn dedup_candidates(
        &self,
        product: (&str, &str),
        location_area: &str,
        location_function: &str,
        limit: u32,
    ) -> Result<Vec<DedupCandidate>>;
    /// The remembered response of an idempotency key.
    async fn idempotency(&self, org: OrgId, key: &str) -> Result<Option<IdempotencyRecord>>;

    /// A case's validations, in claim order.
    async fn validations(&self, case: CaseId) -> Result<Vec<Validation>>;
    /// One validation.
    async fn validation(&self, id: ValidationId) -> Result<Option<Validation>>;
    /// A case's vendor statuses.
    async fn vendor_statuses(&self, case: CaseId) -> Result<Vec<VendorStatus>>;
    /// A case's comments, oldest first.
    async fn comments(&self, case: CaseId, page: &PageRequest) -> Result<Page<Comment>>;
    /// A case's attachments (metadata only).
    async fn attachments(&self, case: CaseId) -> Result<Vec<Attachment>>;
    /// One attachment (metadata only).
    async fn attachment(&self, id: AttachmentId) -> Result<Option<Attachment>>;
    /// One attachment's sealed content.
    async fn attachment_content(&self, id: AttachmentId) -> Result<Option<SealedContent>>;
    /// The attachments that came with these findings, sealed (to re-seal them when they move).
    async fn finding_attachments(
        &self,
        findings: &[FindingId],
    ) -> Result<Vec<(Attachment, SealedContent)>>;
    /// Merge proposals, oldest first, optionally of one status.
    async fn merge_proposals(
        &self,
        status: Option<ProposalStatus>,
        page: &PageRequest,
    ) -> Result<Page<MergeProposal>>;
    /// One merge proposal.
    async fn merge_proposal(&self, id: uuid::Uuid) -> Result<Option<MergeProposal>>;
    /// Open proposals that involve a case (as target or source).
    async fn open_proposals_of(&self, case: CaseId) -> Result<Vec<MergeProposal>>;
}

/// Groups member and named-people rows by case.
pub(crate) fn attach_people(
    cases: Vec<Case>,
    mut members: HashMap<String, Vec<CaseMember>>,
    mut named: HashMap<String, Vec<NamedPerson>>,
) -> Vec<CaseRecord> {
    cases
        .into_iter()
        .map(|case| {
            let key = case.id.to_string();
            CaseRecord {
                members: members.remove(&key).unwrap_or_default(),
                named: named.remove(&key).unwrap_or_default(),
                case,
            }
        })
        .collect()
}

macro_rules! impl_coordination {
    ($store:ty, $db:ty) => {
        mod coordination_impl {
            #[allow(unused_imports)]
            use super::*;
            use std::collections::HashMap;

            use clearinghouse_domain::audit::AuditRecord;
            use clearinghouse_domain::coordination::{
                Attachment, Case, CaseMember, CaseRecord, CaseScope, Comment, Finding, MergeProposal, NamedPerson, Priority,
                ProposalStatus, SealedContent, Validation, VendorStatus,
            };
            use clearinghouse_domain::page::{Page, PageRequest};
            use clearinghouse_domain::time::to_micros;
            use clearinghouse_domain::{AttachmentId, CaseId, FindingId, OrgId, ValidationId};
            use jiff::Timestamp;

            use crate::coordination::rows::*;
            use crate::coordination::*;
            use crate::rows::convert_all;
            use crate::shared::placeholders;
            use crate::{Appended, Error, Result};

            fn flag(value: bool) -> i64 {
                i64::from(value)
            }

            fn search_key(case: &Case) -> String {
                format!("{} {}", case.title, case.product.identifier).to_lowercase()
            }

            async fn write_case(tx: &mut sqlx::Transaction<'_, $db>, write: &CaseWrite) -> Result<()> {
                let c = &write.case;
                let cvss = c.cvss.as_ref().map(to_json);
                let known = to_json(&c.known_vulnerabilities);
                let priority = to_json(&c.priority);
                match write.previous {
                    None => {
                        sqlx::query(
                            "INSERT INTO cases (id, title, search_key, state, reject_reason, tlp, embargo_until, published_at, embargo_announced, \
                             product, ecosystem, name_key, cwe, cvss, known_vulnerabilities, has_poc, priority, queue_rank, is_open, exposure_checked_at, \
                             state_entered_at, due_at, created_at, updated_at, merged_into) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24)",
                        )
                        .bind(c.id.to_string())
                        .bind(&c.title)
                        .bind(search_key(c))
                        .bind(c.state.as_str())
                        .bind(c.reject_reason.map(|r| r.as_str()))
                        .bind(c.tlp.as_str())
                        .bind(to_micros(c.embargo_until))
                        .bind(c.published_at.map(to_micros))
                        .bind(&c.product.identifier)
                        .bind(&c.product.ecosystem)
                        .bind(&c.product.name_key)
                        .bind(&c.cwe)
                        .bind(cvss)
                        .bind(known)
                        .bind(flag(c.has_poc))
                        .bind(priority)
                        .bind(-c.priority.key)
                        .bind(flag(c.state.is_open()))
                        .bind(to_micros(c.created_at))
                        .bind(to_micros(c.state_entered_at))
                        .bind(c.due_at.map(to_micros))
                        .bind(to_micros(c.created_at))
                        .bind(to_micros(c.updated_at))
                        .bind(c.merged_into.map(|m| m.to_string()))
                        .execute(&mut **tx)
                        .await?;
                    }
                    Some(previous) => {
                        // SET expressions read the old row, so the announcement mark resets only
                        // when the embargo's end moves.
                        let done = sqlx::query(
                            "UPDATE cases SET title = $1, search_key = $2, state = $3, reject_reason = $4, tlp = $5, \
                             embargo_announced = CASE WHEN embargo_until <> $6 THEN 0 ELSE embargo_announced END, embargo_until = $6, \
                             published_at = $7, product = $8, ecosystem = $9, name_key = $10, cwe = $11, cvss = $12, known_vulnerabilities = $13, \
                             has_poc = $14, priority = $15, queue_rank = $16, is_open = $17, state_entered_at = $18, due_at = $19, updated_at = $20, \
                             merged_into = $21 WHERE id = $22 AND updated_at = $23",
                        )
                        .bind(&c.title)
                        .bind(search_key(c))
                        .bind(c.state.as_str())
                        .bind(c.reject_reason.map(|r| r.as_str()))
                        .bind(c.tlp.as_str())
                        .bind(to_micros(c.embargo_until))
                        .bind(c.published_at.map(to_micros))
                        .bind(&c.product.identifier)
                        .bind(&c.product.ecosystem)
                        .bind(&c.product.name_key)
                        .bind(&c.cwe)
                        .bind(cvss)
                        .bind(known)
                        .bind(flag(c.has_poc))
                        .bind(priority)
                        .bind(-c.priority.key)
                        .bind(flag(c.state.is_open()))
                        .bind(to_micros(c.state_entered_at))
                        .bind(c.due_at.map(to_micros))
                        .bind(to_micros(c.updated_at))
                        .bind(c.merged_into.map(|m| m.to_string()))
                        .bind(c.id.to_string())
                        .bind(to_micros(previous))
                        .execute(&mut **tx)
                        .await?;
                        if done.rows_affected() == 0 {
                            return Err(Error::Stale(format!("case {}", c.id)));
                        }
                    }
                }
                Ok(())
            }

            async fn insert_event(tx: &mut sqlx::Transaction<'_, $db>, event: &CaseEvent, now: i64) -> Result<()> {
                sqlx::query("INSERT INTO events (id, org_id, kind, payload, created_at, dispatched) VALUES ($1, $2, $3, $4, $5, 0)")
                    .bind(uuid::Uuid::now_v7().to_string())
                    .bind(event.org.to_string())
                    .bind(&event.kind)
                    .bind(event.payload.to_string())
                    .bind(now)
                    .execute(&mut **tx)
                    .await?;
                Ok(())
            }

            impl $store {
                /// Members and named people of these cases, by case id.
                async fn people_of(
                    &self,
                    ids: &[String],
                ) -> Result<(HashMap<String, Vec<CaseMember>>, HashMap<String, Vec<NamedPerson>>)> {
                    let mut members: HashMap<String, Vec<CaseMember>> = HashMap::new();
                    let mut named: HashMap<String, Vec<NamedPerson>> = HashMap::new();
                    for chunk in ids.chunks(500) {
                        let sql = format!(
                            "SELECT case_id, org_id, relation, added_by, added_at FROM case_members WHERE case_id IN ({}) ORDER BY added_at, org_id, relation",
                            placeholders(1, chunk.len())
                        );
                        let mut query = sqlx::query_as::<_, MemberRow>(sqlx::AssertSqlSafe(sql));
                        for id in chunk {
                            query = query.bind(id);
                        }
                        for row in query.fetch_all(self.reader()).await? {
                            let case_id = row.case_id.clone();
                            members.entry(case_id).or_default().push(row.try_into()?);
                        }
                        let sql = format!(
                            "SELECT case_id, person_id, org_id FROM case_people WHERE case_id IN ({}) ORDER BY person_id, org_id",
                            placeholders(1, chunk.len())
                        );
                        let mut query = sqlx::query_as::<_, NamedRow>(sqlx::AssertSqlSafe(sql));
                        for id in chunk {
                            query = query.bind(id);
                        }
                        for row in query.fetch_all(self.reader()).await? {
                            let case_id = row.case_id.clone();
                            named.entry(case_id).or_default().push(row.try_into()?);
                        }
                    }
                    Ok((members, named))
                }

                async fn records(&self, cases: Vec<Case>) -> Result<Vec<CaseRecord>> {
                    let ids: Vec<String> = cases.iter().map(|c| c.id.to_string()).collect();
                    let (members, named) = self.people_of(&ids).await?;
                    Ok(attach_people(cases, members, named))
                }
            }

            #[async_trait::async_trait]
            impl CoordinationStore for $store {
                async fn apply_case_change(&self, change: &CaseChange, audits: &[AuditRecord]) -> Result<Appended> {
                    let mut tx = self.begin_write().await?;
                    let now = to_micros(clearinghouse_domain::time::now());
                    for write in &change.cases {
                        write_case(&mut tx, write).await?;
                    }
                    for (case_id, m) in &change.members {
                        sqlx::query(
                            "INSERT INTO case_members (case_id, org_id, relation, added_by, added_at) VALUES ($1, $2, $3, $4, $5) \
                             ON CONFLICT (case_id, org_id, relation) DO NOTHING",
                        )
                        .bind(case_id.to_string())
                        .bind(m.org.to_string())
                        .bind(m.relation.as_str())
                        .bind(&m.added_by)
                        .bind(to_micros(m.added_at))
                        .execute(&mut *tx)
                        .await?;
                    }
                    for (case_id, n) in &change.named {
                        sqlx::query(
                            "INSERT INTO case_people (case_id, person_id, org_id) VALUES ($1, $2, $3) ON CONFLICT (case_id, person_id, org_id) DO NOTHING",
                        )
                        .bind(case_id.to_string())
                        .bind(n.person.to_string())
                        .bind(n.org.to_string())
                        .execute(&mut *tx)
                        .await?;
                    }
                    for row in &change.findings {
                        let f = &row.finding;
                        sqlx::query(sqlx::AssertSqlSafe(format!(
                            "INSERT INTO findings ({FINDING_COLUMNS}, location_area, location_function, campaign_id, signature) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26)"
                        )))
                        .bind(f.id.to_string())
                        .bind(f.case_id.to_string())
                        .bind(f.org.to_string())
                        .bind(&f.submitted_by)
                        .bind(f.person.map(|p| p.to_string()))
                        .bind(&f.title)
                        .bind(&f.description)
                        .bind(&f.product.identifier)
                        .bind(&f.product.ecosystem)
                        .bind(&f.product.name_key)
                        .bind(to_json(&f.versions))
                        .bind(&f.cwe)
                        .bind(f.cvss.as_ref().map(to_json))
                        .bind(to_json(&f.location))
                        .bind(to_json(&f.provenance))
                        .bind(to_json(&f.known_ids))
                        .bind(to_json(&f.known_vulnerabilities))
                        .bind(&f.fingerprint)
                        .bind(f.tlp_requested.as_str())
                        .bind(flag(f.credit_public))
                        .bind(f.status.as_str())
                        .bind(to_micros(f.accepted_at))
                        .bind(&row.location_area)
                        .bind(&row.location_function)
                        .bind(f.provenance.campaign.map(|c| c.to_string()))
                        .bind(&row.signature)
                        .execute(&mut *tx)
                        .await?;
                    }
                    for (finding, case_id) in &change.finding_moves {
                        sqlx::query("UPDATE findings SET case_id = $1 WHERE id = $2")
                            .bind(case_id.to_string())
                            .bind(finding.to_string())
                            .execute(&mut *tx)
                            .await?;
                    }
                    for (finding, status) in &change.finding_statuses {
                        sqlx::query("UPDATE findings SET status = $1 WHERE id = $2")
                            .bind(status.as_str())
                            .bind(finding.to_string())
                            .execute(&mut *tx)
                            .await?;
                    }
                    for (a, sealed) in &change.attachments {
                        sqlx::query(sqlx::AssertSqlSafe(format!(
                            "INSERT INTO attachments ({ATTACHMENT_COLUMNS}, nonce, ciphertext) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
                        )))
                        .bind(a.id.to_string())
                        .bind(a.case_id.to_string())
                        .bind(a.finding.map(|f| f.to_string()))
                        .bind(a.org.to_string())
                        .bind(a.kind.as_str())
                        .bind(&a.filename)
                        .bind(&a.media_type)
                        .bind(a.size as i64)
                        .bind(&a.digest)
                        .bind(&a.uploaded_by)
                        .bind(to_micros(a.created_at))
                        .bind(&sealed.nonce)
                        .bind(&sealed.ciphertext)
                        .execute(&mut *tx)
                        .await?;
                    }
                    for (id, case_id, sealed) in &change.reseals {
                        sqlx::query("UPDATE attachments SET case_id = $1, nonce = $2, ciphertext = $3 WHERE id = $4")
                            .bind(case_id.to_string())
                            .bind(&sealed.nonce)
                            .bind(&sealed.ciphertext)
                            .bind(id.to_string())
                            .execute(&mut *tx)
                            .await?;
                    }
                    for v in &change.validations {
                        sqlx::query(sqlx::AssertSqlSafe(format!(
                            "INSERT INTO validations ({VALIDATION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                             ON CONFLICT (id) DO UPDATE SET verdict = excluded.verdict, notes = excluded.notes, decided_at = excluded.decided_at"
                        )))
                        .bind(v.id.to_string())
                        .bind(v.case_id.to_string())
                        .bind(v.org.to_string())
                        .bind(&v.claimed_by)
                        .bind(to_micros(v.claimed_at))
                        .bind(v.verdict.map(|x| x.as_str()))
                        .bind(&v.notes)
                        .bind(v.decided_at.map(to_micros))
                        .execute(&mut *tx)
                        .await
                        .map_err(|e| match Error::from(e) {
                            Error::Conflict(_) => Error::Conflict(format!("a claim by organization {} on case {}", v.org, v.case_id)),
                            other => other,
                        })?;
                    }
                    for s in &change.vendor_statuses {
                        sqlx::query(sqlx::AssertSqlSafe(format!(
                            "INSERT INTO vendor_statuses ({STATUS_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                             ON CONFLICT (case_id, org_id, product) DO UPDATE SET status = excluded.status, fixed_version = excluded.fixed_version, \
                             note = excluded.note, updated_by = excluded.updated_by, updated_at = excluded.updated_at"
                        )))
                        .bind(s.case_id.to_string())
                        .bind(s.org.to_string())
                        .bind(&s.product)
                        .bind(s.status.as_str())
                        .bind(&s.fixed_version)
                        .bind(&s.note)
                        .bind(&s.updated_by)
                        .bind(to_micros(s.updated_at))
                        .execute(&mut *tx)
                        .await?;
                    }
                    for c in &change.comments {
                        sqlx::query(sqlx::AssertSqlSafe(format!("INSERT INTO case_comments ({COMMENT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)")))
                            .bind(c.id.to_string())
                            .bind(c.case_id.to_string())
                            .bind(c.org.to_string())
                            .bind(&c.author)
                            .bind(&c.body)
                            .bind(to_micros(c.created_at))
                            .execute(&mut *tx)
                            .await?;
                    }
                    for p in &change.proposals {
                        sqlx::query(sqlx::AssertSqlSafe(format!(
                            "INSERT INTO merge_proposals ({PROPOSAL_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
                             ON CONFLICT (id) DO UPDATE SET status = excluded.status, decided_by = excluded.decided_by, decided_at = excluded.decided_at"
                        )))
                        .bind(p.id.to_string())
                        .bind(p.target_case.to_string())
                        .bind(p.finding.to_string())
                        .bind(p.source_case.to_string())
                        .bind(i64::from(p.similarity_permille))
                        .bind(&p.reason)
                        .bind(p.status.as_str())
                        .bind(to_micros(p.created_at))
                        .bind(&p.decided_by)
                        .bind(p.decided_at.map(to_micros))
                        .execute(&mut *tx)
                        .await?;
                    }
                    for event in &change.events {
                        insert_event(&mut tx, event, now).await?;
                    }
                    if let Some(record) = &change.idempotency {
                        sqlx::query("INSERT INTO idempotency_keys (org_id, idem_key, request_digest, response, created_at) VALUES ($1, $2, $3, $4, $5)")
                            .bind(record.org.to_string())
                            .bind(&record.key)
                            .bind(&record.request_digest)
                            .bind(record.response.to_string())
                            .bind(now)
                            .execute(&mut *tx)
                            .await
                            .map_err(|e| match Error::from(e) {
                                Error::Conflict(_) => Error::Stale(format!("idempotency key {:?}", record.key)),
                                other => other,
                            })?;
                    }
                    let Some((last, rest)) = audits.split_last() else {
                        return Err(Error::Corrupt("a coordination change without a log entry".into()));
                    };
                    for audit in rest {
                        let (_, frontier) = self.append_in_tx(&mut tx, audit).await?;
                        drop(frontier);
                    }
                    let appended = self.append_in_tx(&mut tx, last).await?;
                    self.commit_logged(tx, appended).await
                }

                async fn record_priorities(&self, updates: &[(CaseId, Priority)], checked: &[CaseId], at: Timestamp, audit: &AuditRecord) -> Result<()> {
                    let mut tx = self.begin_write().await?;
                    for (id, priority) in updates {
                        sqlx::query("UPDATE cases SET priority = $1, queue_rank = $2 WHERE id = $3")
                            .bind(to_json(priority))
                            .bind(-priority.key)
                            .bind(id.to_string())
                            .execute(&mut *tx)
                            .await?;
                    }
                    for chunk in checked.chunks(500) {
                        let sql = format!("UPDATE cases SET exposure_checked_at = $1 WHERE id IN ({})", placeholders(2, chunk.len()));
                        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(to_micros(at));
                        for id in chunk {
                            query = query.bind(id.to_string());
                        }
                        query.execute(&mut *tx).await?;
                    }
                    if updates.is_empty() {
                        // Only the check marks moved: derived bookkeeping, nothing to log.
                        tx.commit().await?;
                        return Ok(());
                    }
                    let appended = self.append_in_tx(&mut tx, audit).await?;
                    self.commit_logged(tx, appended).await.map(|_| ())
                }

                async fn announce_embargo_lifted(&self, cases: &[CaseId], events: &[CaseEvent], audit: &AuditRecord) -> Result<Appended> {
                    let mut tx = self.begin_write().await?;
                    let now = to_micros(clearinghouse_domain::time::now());
                    for id in cases {
                        sqlx::query("UPDATE cases SET embargo_announced = 1 WHERE id = $1")
                            .bind(id.to_string())
                            .execute(&mut *tx)
                            .await?;
                    }
                    for event in events {
                        insert_event(&mut tx, event, now).await?;
                    }
                    let appended = self.append_in_tx(&mut tx, audit).await?;
                    self.commit_logged(tx, appended).await
                }

                async fn case(&self, id: CaseId) -> Result<Option<CaseRecord>> {
                    let sql = format!("SELECT {CASE_COLUMNS} FROM cases WHERE id = $1");
                    let row: Option<CaseRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id.to_string()).fetch_optional(self.reader()).await?;
                    let Some(row) = row else { return Ok(None) };
                    Ok(self.records(vec![row.try_into()?]).await?.pop())
                }

                async fn list_cases(&self, scope: &CaseScope, filter: &CaseFilter, now: Timestamp, page: &PageRequest) -> Result<Page<CaseRecord>> {
                    // The visibility rule's inputs as SQL; `CaseView::None` rows must not come back.
                    let orgs: Vec<String> = if scope.orgs.is_empty() {
                        vec![String::new()]
                    } else {
                        scope.orgs.iter().map(|o| o.to_string()).collect()
                    };
                    let first_org = 11;
                    let org_list = placeholders(first_org, orgs.len());
                    // Anyone but an analyst could see only some cases: its memberships, cases open
                    // for validation, CLEAR and GREEN cases past their embargo, each found through
                    // an index. When those are few, the list starts from them instead of walking
                    // every case newest first (a vendor in no case would walk them all); when they
                    // are many, the walk finds a page after a few rows and beats sorting them all.
                    // Either way the full rule below decides each row.
                    let candidate_ids = |first: usize, validator: usize, participant: usize, now: usize| {
                        format!(
                            "SELECT m.case_id AS id FROM case_members m WHERE m.org_id IN ({}) \
                             UNION SELECT v.id FROM cases v WHERE ${validator} = 1 AND v.state = 'validating' \
                             UNION SELECT g.id FROM cases g WHERE ${participant} = 1 AND g.tlp IN ('CLEAR', 'GREEN') \
                               AND (g.published_at IS NOT NULL OR g.embargo_until <= ${now})",
                            placeholders(first, orgs.len())
                        )
                    };
                    let candidates = if scope.all {
                        String::new()
                    } else {
                        let count_sql = format!(
                            "SELECT COUNT(*) FROM ({} LIMIT {}) few",
                            candidate_ids(4, 1, 2, 3),
                            crate::coordination::FEW_CANDIDATES
                        );
                        let mut count = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(count_sql))
                            .bind(flag(scope.validator))
                            .bind(flag(scope.participant))
                            .bind(to_micros(now));
                        for org in &orgs {
                            count = count.bind(org);
                        }
                        if count.fetch_one(self.reader()).await? < crate::coordination::FEW_CANDIDATES {
                            format!("c.id IN ({}) AND ", candidate_ids(first_org, 7, 8, 9))
                        } else {
                            String::new()
                        }
                    };
                    let sql = format!(
                        "SELECT {CASE_COLUMNS} FROM cases c WHERE {candidates}\
                         ($1 = '' OR c.state = $1) AND ($2 = '' OR c.tlp = $2) AND ($3 = '' OR c.search_key LIKE $3 ESCAPE '\\') AND ($4 = '' OR c.id < $4) AND ( \
                           $5 = 1 \
                           OR EXISTS (SELECT 1 FROM case_members m WHERE m.case_id = c.id AND m.org_id IN ({org_list}) \
                                AND (m.relation <> 'operator' OR c.tlp IN ('CLEAR', 'GREEN', 'AMBER')) \
                                AND (c.tlp <> 'RED' OR EXISTS (SELECT 1 FROM case_people p WHERE p.case_id = c.id AND p.org_id = m.org_id AND p.person_id = $6))) \
                           OR ($7 = 1 AND c.state = 'validating' AND c.tlp IN ('CLEAR', 'GREEN', 'AMBER') \
                                AND NOT EXISTS (SELECT 1 FROM case_members f WHERE f.case_id = c.id AND f.relation = 'finder' AND f.org_id IN ({org_list}))) \
                           OR ($8 = 1 AND c.tlp IN ('CLEAR', 'GREEN') AND (c.published_at IS NOT NULL OR c.embargo_until <= $9)) \
                         ) ORDER BY c.id DESC LIMIT $10"
                    );
                    let search = filter.search.as_deref().map(|s| {
                        let escaped = s.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
                        format!("%{escaped}%")
                    });
                    let mut query = sqlx::query_as::<_, CaseRow>(sqlx::AssertSqlSafe(sql))
                        .bind(filter.state.map_or("", |s| s.as_str()))
                        .bind(filter.tlp.map_or("", |t| t.as_str()))
                        .bind(search.unwrap_or_default())
                        .bind(page.after.clone().unwrap_or_default())
                        .bind(flag(scope.all))
                        .bind(scope.person.map(|p| p.to_string()).unwrap_or_default())
                        .bind(flag(scope.validator))
                        .bind(flag(scope.participant))
                        .bind(to_micros(now))
                        .bind(i64::from(page.limit) + 1);
                    for org in &orgs {
                        query = query.bind(org);
                    }
                    let rows = query.fetch_all(self.reader()).await?;
                    let cases = convert_all::<_, Case>(rows)?;
                    let page = Page::from_overfetch(cases, page.limit, |c: &Case| c.id.to_string());
                    let items = self.records(page.items).await?;
                    Ok(Page { items, next_cursor: page.next_cursor })
                }

                async fn case_queue(&self, after: Option<QueueCursor>, limit: u32) -> Result<Vec<Case>> {
                    let rows: Vec<CaseRow> = match after {
                        None => {
                            let sql = format!("SELECT {CASE_COLUMNS} FROM cases WHERE is_open = 1 ORDER BY queue_rank, created_at, id LIMIT $1");
                            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(i64::from(limit) + 1).fetch_all(self.reader()).await?
                        }
                        Some(cursor) => {
                            let sql = format!(
                                "SELECT {CASE_COLUMNS} FROM cases WHERE is_open = 1 AND (queue_rank, created_at, id) > ($1, $2, $3) \
                                 ORDER BY queue_rank, created_at, id LIMIT $4"
                            );
                            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                                .bind(cursor.rank)
                                .bind(to_micros(cursor.created_at))
                                .bind(cursor.id.to_string())
                                .bind(i64::from(limit) + 1)
                                .fetch_all(self.reader())
                                .await?
                        }
                    };
                    convert_all(rows)
                }

                async fn embargoes_to_announce(&self, now: Timestamp, limit: u32) -> Result<Vec<CaseRecord>> {
                    let sql = format!("SELECT {CASE_COLUMNS} FROM cases WHERE embargo_announced = 0 AND embargo_until <= $1 ORDER BY embargo_until, id LIMIT $2");
                    let rows: Vec<CaseRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
                        .bind(to_micros(now))
                        .bind(i64::from(limit))
                        .fetch_all(self.reader())
                        .await?;
                    self.records(convert_all(rows)?).await
                }

                async fn stale_exposure(&self, before: Timestamp, limit: u32) -> Result<Vec<Case>> {
                    let sql = format!("SELECT {CASE_COLUMNS} FROM cases WHERE is_open = 1 AND exposure_checked_at < $1 ORDER BY exposure_checked_at, id LIMIT $2");
                    let rows: Vec<CaseRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
                        .bind(to_micros(before))
                        .bind(i64::from(limit))
                        .fetch_all(self.reader())
                        .await?;
                    convert_all(rows)
                }

                async fn operators_by_products(&self, keys: &[(String, String)]) -> Result<Vec<ProductExposure>> {
                    let mut wanted: HashMap<&str, Vec<&str>> = HashMap::new();
                    for (ecosystem, name) in keys {
                        wanted.entry(name.as_str()).or_default().push(ecosystem.as_str());
                    }
                    let names: Vec<&str> = wanted.keys().copied().collect();
                    let mut out = Vec::new();
                    for chunk in names.chunks(500) {
                        let sql = format!(
                            "SELECT ic.ecosystem, ic.name_key, o.sector, COUNT(DISTINCT ic.org_id) FROM inventory_components ic \
                             JOIN organizations o ON o.id = ic.org_id WHERE ic.current = 1 AND ic.name_key IN ({}) \
                             GROUP BY ic.ecosystem, ic.name_key, o.sector ORDER BY ic.ecosystem, ic.name_key, o.sector",
                            placeholders(1, chunk.len())
                        );
                        let mut query = sqlx::query_as::<_, (String, String, Option<String>, i64)>(sqlx::AssertSqlSafe(sql));
                        for name in chunk {
                            query = query.bind(*name);
                        }
                        for (ecosystem, name_key, sector, operators) in query.fetch_all(self.reader()).await? {
                            if !wanted.get(name_key.as_str()).is_some_and(|e| e.contains(&ecosystem.as_str())) {
                                continue;
                            }
                            out.push(ProductExposure {
                                ecosystem,
                                name_key,
                                sector: sector.as_deref().map(|s| s.parse().map_err(|_| Error::Corrupt(format!("sector {s:?}")))).transpose()?,
                                operators: operators.max(0) as u64,
                            });
                        }
                    }
                    Ok(out)
                }

                async fn finding(&self, id: FindingId) -> Result<Option<Finding>> {
                    let sql = format!("SELECT {FINDING_COLUMNS} FROM findings WHERE id = $1");
                    let row: Option<FindingRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id.to_string()).fetch_optional(self.reader()).await?;
                    row.map(TryInto::try_into).transpose()
                }

                async fn case_findings(&self, case: CaseId) -> Result<Vec<Finding>> {
                    let sql = format!("SELECT {FINDING_COLUMNS} FROM findings WHERE case_id = $1 ORDER BY accepted_at, id");
                    let rows: Vec<FindingRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(case.to_string()).fetch_all(self.reader()).await?;
                    convert_all(rows)
                }

                async fn findings_by_fingerprint(&self, fingerprint: &str) -> Result<Vec<Finding>> {
                    let sql = format!("SELECT {FINDING_COLUMNS} FROM findings WHERE fingerprint = $1 AND status = 'active' ORDER BY accepted_at, id");
                    let rows: Vec<FindingRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(fingerprint).fetch_all(self.reader()).await?;
                    convert_all(rows)
                }

                async fn dedup_candidates(&self, product: (&str, &str), area: &str, function: &str, limit: u32) -> Result<Vec<DedupCandidate>> {
                    // Same product and the same place or function: the OR's arms are what exists,
                    // so each can walk its own index (findings_by_place, findings_by_function).
                    let (place, values): (&str, Vec<&str>) = match (area.is_empty(), function.is_empty()) {
                        (true, true) => return Ok(Vec::new()),
                        (false, true) => ("location_area = $3", vec![area]),
                        (true, false) => ("location_function = $3", vec![function]),
                        (false, false) => ("(location_area = $3 OR location_function = $4)", vec![area, function]),
                    };
                    let sql = format!(
                        "SELECT {CANDIDATE_COLUMNS} FROM findings WHERE name_key = $1 AND ecosystem = $2 AND status = 'active' \
                         AND {place} ORDER BY accepted_at, id LIMIT ${}",
                        values.len() + 3
                    );
                    let mut query = sqlx::query_as::<_, CandidateRow>(sqlx::AssertSqlSafe(sql)).bind(product.1).bind(product.0);
                    for value in values {
                        query = query.bind(value);
                    }
                    let rows = query.bind(i64::from(limit)).fetch_all(self.reader()).await?;
                    convert_all(rows)
                }

                async fn idempotency(&self, org: OrgId, key: &str) -> Result<Option<IdempotencyRecord>> {
                    let row: Option<(String, String)> = sqlx::query_as("SELECT request_digest, response FROM idempotency_keys WHERE org_id = $1 AND idem_key = $2")
                        .bind(org.to_string())
                        .bind(key)
                        .fetch_optional(self.reader())
                        .await?;
                    row.map(|(request_digest, response)| {
                        Ok(IdempotencyRecord {
                            org,
                            key: key.to_owned(),
                            request_digest,
                            response: serde_json::from_str(&response).map_err(|e| Error::Corrupt(format!("idempotent response: {e}")))?,
                        })
                    })
                    .transpose()
                }

                async fn validations(&self, case: CaseId) -> Result<Vec<Validation>> {
                    let sql = format!("SELECT {VALIDATION_COLUMNS} FROM validations WHERE case_id = $1 ORDER BY claimed_at, id");
                    let rows: Vec<ValidationRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(case.to_string()).fetch_all(self.reader()).await?;
                    convert_all(rows)
                }

                async fn validation(&self, id: ValidationId) -> Result<Option<Validation>> {
                    let sql = format!("SELECT {VALIDATION_COLUMNS} FROM validations WHERE id = $1");
                    let row: Option<ValidationRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id.to_string()).fetch_optional(self.reader()).await?;
                    row.map(TryInto::try_into).transpose()
                }

                async fn vendor_statuses(&self, case: CaseId) -> Result<Vec<VendorStatus>> {
                    let sql = format!("SELECT {STATUS_COLUMNS} FROM vendor_statuses WHERE case_id = $1 ORDER BY org_id, product");
                    let rows: Vec<StatusRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(case.to_string()).fetch_all(self.reader()).await?;
                    convert_all(rows)
                }

                async fn comments(&self, case: CaseId, page: &PageRequest) -> Result<Page<Comment>> {
                    let sql = format!("SELECT {COMMENT_COLUMNS} FROM case_comments WHERE case_id = $1 AND ($2 = '' OR id > $2) ORDER BY id LIMIT $3");
                    let rows: Vec<CommentRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
                        .bind(case.to_string())
                        .bind(page.after.clone().unwrap_or_default())
                        .bind(i64::from(page.limit) + 1)
                        .fetch_all(self.reader())
                        .await?;
                    Ok(Page::from_overfetch(convert_all(rows)?, page.limit, |c: &Comment| c.id.to_string()))
                }

                async fn attachments(&self, case: CaseId) -> Result<Vec<Attachment>> {
                    let sql = format!("SELECT {ATTACHMENT_COLUMNS} FROM attachments WHERE case_id = $1 ORDER BY id");
                    let rows: Vec<AttachmentRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(case.to_string()).fetch_all(self.reader()).await?;
                    convert_all(rows)
                }

                async fn attachment(&self, id: AttachmentId) -> Result<Option<Attachment>> {
                    let sql = format!("SELECT {ATTACHMENT_COLUMNS} FROM attachments WHERE id = $1");
                    let row: Option<AttachmentRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id.to_string()).fetch_optional(self.reader()).await?;
                    row.map(TryInto::try_into).transpose()
                }

                async fn attachment_content(&self, id: AttachmentId) -> Result<Option<SealedContent>> {
                    let row: Option<(Vec<u8>, Vec<u8>)> = sqlx::query_as("SELECT nonce, ciphertext FROM attachments WHERE id = $1")
                        .bind(id.to_string())
                        .fetch_optional(self.reader())
                        .await?;
                    Ok(row.map(|(nonce, ciphertext)| SealedContent { nonce, ciphertext }))
                }

                async fn finding_attachments(&self, findings: &[FindingId]) -> Result<Vec<(Attachment, SealedContent)>> {
                    let mut out = Vec::new();
                    for chunk in findings.chunks(500) {
                        let sql = format!(
                            "SELECT {ATTACHMENT_COLUMNS}, nonce, ciphertext FROM attachments WHERE finding_id IN ({}) ORDER BY id",
                            placeholders(1, chunk.len())
                        );
                        let mut query = sqlx::query_as::<_, SealedRow>(sqlx::AssertSqlSafe(sql));
                        for id in chunk {
                            query = query.bind(id.to_string());
                        }
                        for row in query.fetch_all(self.reader()).await? {
                            out.push(row.try_into()?);
                        }
                    }
                    Ok(out)
                }

                async fn merge_proposals(&self, status: Option<ProposalStatus>, page: &PageRequest) -> Result<Page<MergeProposal>> {
                    let sql = format!("SELECT {PROPOSAL_COLUMNS} FROM merge_proposals WHERE ($1 = '' OR status = $1) AND ($2 = '' OR id > $2) ORDER BY id LIMIT $3");
                    let rows: Vec<ProposalRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
                        .bind(status.map_or("", |s| s.as_str()))
                        .bind(page.after.clone().unwrap_or_default())
                        .bind(i64::from(page.limit) + 1)
                        .fetch_all(self.reader())
                        .await?;
                    Ok(Page::from_overfetch(convert_all(rows)?, page.limit, |p: &MergeProposal| p.id.to_string()))
                }

                async fn merge_proposal(&self, id: uuid::Uuid) -> Result<Option<MergeProposal>> {
                    let sql = format!("SELECT {PROPOSAL_COLUMNS} FROM merge_proposals WHERE id = $1");
                    let row: Option<ProposalRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id.to_string()).fetch_optional(self.reader()).await?;
                    row.map(TryInto::try_into).transpose()
                }

                async fn open_proposals_of(&self, case: CaseId) -> Result<Vec<MergeProposal>> {
                    let sql = format!("SELECT {PROPOSAL_COLUMNS} FROM merge_proposals WHERE status = 'open' AND (target_case = $1 OR source_case = $1) ORDER BY id");
                    let rows: Vec<ProposalRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(case.to_string()).fetch_all(self.reader()).await?;
                    convert_all(rows)
                }
            }
        }
    };
}

pub(crate) use impl_coordination;
