//! Operators' own VEX: submitted documents and their statements, which apply to that operator's
//! matches only (to one asset's, when embedded in that asset's SBOM).
//!
//! Vendors' statements arrive with their records (`knowledge`); operators' with a submission kept
//! here as received. Storing or withdrawing statements marks the records of every vulnerability
//! they speak about for re-matching in the same transaction, so the matches are re-marked through
//! the package index at once, and after a crash by whichever process matches next.

use std::collections::HashMap;

use async_trait::async_trait;
use clearinghouse_domain::audit::AuditRecord;
use clearinghouse_domain::inventory::{InventoryComponent, MatchStatus, VexSubmission};
use clearinghouse_domain::{OrgId, VexSubmissionId, VulnerabilityId};
use clearinghouse_standards::knowledge::Condition;
use jiff::Timestamp;

use crate::{Appended, Result};

/// One statement of an operator, its vulnerability already resolved.
#[derive(Clone, Debug, PartialEq)]
pub struct NewVexStatement {
    /// The vulnerability.
    pub vulnerability: VulnerabilityId,
    /// Lookup ecosystem.
    pub ecosystem: String,
    /// Lookup name.
    pub name_key: String,
    /// Which versions.
    pub condition: Condition,
    /// The versions as people read them.
    pub range: String,
    /// Affected or not.
    pub status: MatchStatus,
    /// Why.
    pub justification: String,
}

/// An operator's VEX submission with its statements, ready to store.
#[derive(Clone, Debug)]
pub struct OperatorVex<'a> {
    /// The submission.
    pub submission: &'a VexSubmission,
    /// Its statements.
    pub statements: &'a [NewVexStatement],
    /// The document as received.
    pub document: &'a [u8],
    /// Who says so, as shown beside a not-affected match.
    pub statement_by: &'a str,
}

/// Operators' VEX submissions.
#[async_trait]
pub trait VexStore: Send + Sync {
    /// Stores a submission and its statements, and marks the records of their vulnerabilities for
    /// re-matching, in one transaction with one log entry.
    async fn create_vex_submission(
        &self,
        vex: &OperatorVex<'_>,
        audit: &AuditRecord,
    ) -> Result<Appended>;
    /// An operator's submissions, newest first.
    async fn vex_submissions(&self, org: OrgId) -> Result<Vec<VexSubmission>>;
    /// One submission.
    async fn vex_submission(&self, id: VexSubmissionId) -> Result<Option<VexSubmission>>;
    /// Withdraws a submission: its statements stop applying (the document is kept) and the
    /// records of their vulnerabilities are marked for re-matching. `None` when it was not live.
    async fn withdraw_vex_submission(
        &self,
        id: VexSubmissionId,
        at: Timestamp,
        audit: &AuditRecord,
    ) -> Result<Option<Appended>>;
    /// The vulnerability each of these ids belongs to; unknown ids are absent.
    async fn resolve_aliases(&self, ids: &[String]) -> Result<HashMap<String, VulnerabilityId>>;
    /// An operator's current components with one of these SBOM references (`bom-ref`).
    async fn components_by_reference(
        &self,
        org: OrgId,
        references: &[String],
    ) -> Result<Vec<InventoryComponent>>;
}

macro_rules! impl_vex {
    ($store:ty, $db:ty) => {
        pub(crate) mod vex_impl {
            #[allow(unused_imports)]
            use super::*;
            use std::collections::{HashMap, HashSet};

            use clearinghouse_domain::audit::AuditRecord;
            use clearinghouse_domain::inventory::{InventoryComponent, VexSubmission};
            use clearinghouse_domain::time::{from_micros, to_micros};
            use clearinghouse_domain::{OrgId, VexSubmissionId, VulnerabilityId};
            use jiff::Timestamp;
            use sqlx::Transaction;

            use crate::shared::placeholders;
            use crate::vex::*;
            use crate::{Appended, Error, Result};

            type Db = $db;

            fn parse<T: std::str::FromStr>(text: &str, what: &str) -> Result<T> {
                text.parse().map_err(|_| Error::Corrupt(format!("{what} {text:?}")))
            }

            type SubmissionRow = (String, String, Option<String>, Option<String>, String, Option<String>, String, i64, String, i64, Option<i64>);
            const SUBMISSION_COLUMNS: &str =
                "id, org_id, asset_id, upload_id, format, document_id, digest, statements, submitted_by, created_at, withdrawn_at";

            fn submission(row: SubmissionRow) -> Result<VexSubmission> {
                let (id, org, asset, upload, format, document_id, digest, statements, by, created_at, withdrawn_at) = row;
                Ok(VexSubmission {
                    id: parse(&id, "VEX submission id")?,
                    org: parse(&org, "organization id")?,
                    asset: asset.as_deref().map(|a| parse(a, "asset id")).transpose()?,
                    upload: upload.as_deref().map(|u| parse(u, "upload id")).transpose()?,
                    format: parse(&format, "VEX format")?,
                    document_id,
                    digest,
                    statements: statements as u32,
                    submitted_by: by,
                    created_at: from_micros(created_at),
                    withdrawn_at: withdrawn_at.map(from_micros),
                })
            }

            /// Marks for re-matching the records that index packages of these vulnerabilities, so
            /// their matches are evaluated again against the VEX statements now in force.
            pub(crate) async fn mark_vulnerabilities_pending(
                tx: &mut Transaction<'static, Db>,
                vulnerabilities: &HashSet<String>,
            ) -> Result<()> {
                let ids: Vec<&String> = vulnerabilities.iter().collect();
                for chunk in ids.chunks(500) {
                    // A new generation even for records already pending: matches being computed
                    // right now, without these statements, must not clear the mark.
                    let list = placeholders(1, chunk.len());
                    let sql = format!(
                        "UPDATE advisories SET match_pending = 1, match_generation = match_generation + 1 WHERE id IN \
                         (SELECT advisory_id FROM advisory_packages WHERE vulnerability_id IN ({list}) \
                          OR vulnerability_id IN (SELECT new_id FROM vulnerability_redirects WHERE old_id IN ({list})))"
                    );
                    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
                    for id in chunk {
                        query = query.bind(*id);
                    }
                    query.execute(&mut **tx).await?;
                }
                Ok(())
            }

            /// Stores a submission and its statements inside the caller's transaction; returns
            /// the vulnerabilities they speak about (following merges).
            pub(crate) async fn insert_submission(
                tx: &mut Transaction<'static, Db>,
                vex: &OperatorVex<'_>,
            ) -> Result<HashSet<String>> {
                let s = vex.submission;
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "INSERT INTO vex_submissions ({SUBMISSION_COLUMNS}, document) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
                )))
                .bind(s.id.to_string())
                .bind(s.org.to_string())
                .bind(s.asset.map(|a| a.to_string()))
                .bind(s.upload.map(|u| u.to_string()))
                .bind(s.format.as_str())
                .bind(&s.document_id)
                .bind(&s.digest)
                .bind(i64::from(s.statements))
                .bind(&s.submitted_by)
                .bind(to_micros(s.created_at))
                .bind(s.withdrawn_at.map(to_micros))
                .bind(vex.document)
                .execute(&mut **tx)
                .await?;
                let mut touched = HashSet::new();
                let now = to_micros(s.created_at);
                for chunk in vex.statements.chunks(200) {
                    let mut sql = String::from(
                        "INSERT INTO vex_statements (id, advisory_id, org_id, vulnerability_id, ecosystem, name_key, condition, justification, \
                         created_at, status, statement_by, range_text, submission_id, asset_id) VALUES ",
                    );
                    for i in 0..chunk.len() {
                        if i > 0 {
                            sql.push_str(", ");
                        }
                        let b = 13 * i;
                        // A vulnerability merged into another since the caller resolved it is
                        // stored under the survivor.
                        sql.push_str(&format!(
                            "(${}, NULL, ${}, COALESCE((SELECT new_id FROM vulnerability_redirects WHERE old_id = ${}), ${}), ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${})",
                            b + 1, b + 2, b + 3, b + 3, b + 4, b + 5, b + 6, b + 7, b + 8, b + 9, b + 10, b + 11, b + 12, b + 13
                        ));
                    }
                    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
                    for statement in chunk {
                        query = query
                            .bind(uuid::Uuid::now_v7().to_string())
                            .bind(s.org.to_string())
                            .bind(statement.vulnerability.to_string())
                            .bind(&statement.ecosystem)
                            .bind(&statement.name_key)
                            .bind(serde_json::to_string(&statement.condition).unwrap_or_default())
                            .bind(&statement.justification)
                            .bind(now)
                            .bind(statement.status.as_str())
                            .bind(vex.statement_by)
                            .bind(&statement.range)
                            .bind(s.id.to_string())
                            .bind(s.asset.map(|a| a.to_string()));
                        touched.insert(statement.vulnerability.to_string());
                    }
                    query.execute(&mut **tx).await?;
                }
                // Follow merges for the re-matching marks too.
                let mut followed = HashSet::new();
                for id in touched {
                    let redirect: Option<(String,)> = sqlx::query_as("SELECT new_id FROM vulnerability_redirects WHERE old_id = $1")
                        .bind(&id)
                        .fetch_optional(&mut **tx)
                        .await?;
                    followed.insert(redirect.map_or(id, |(new_id,)| new_id));
                }
                Ok(followed)
            }

            /// Withdraws submissions inside the caller's transaction (deleting their statements);
            /// returns the vulnerabilities those statements spoke about.
            pub(crate) async fn withdraw_in_tx(
                tx: &mut Transaction<'static, Db>,
                ids: &[String],
                at: i64,
            ) -> Result<HashSet<String>> {
                let mut touched = HashSet::new();
                for id in ids {
                    let rows: Vec<(String,)> = sqlx::query_as("SELECT DISTINCT vulnerability_id FROM vex_statements WHERE submission_id = $1")
                        .bind(id)
                        .fetch_all(&mut **tx)
                        .await?;
                    touched.extend(rows.into_iter().map(|(v,)| v));
                    sqlx::query("DELETE FROM vex_statements WHERE submission_id = $1").bind(id).execute(&mut **tx).await?;
                    sqlx::query("UPDATE vex_submissions SET withdrawn_at = $1 WHERE id = $2 AND withdrawn_at IS NULL")
                        .bind(at)
                        .bind(id)
                        .execute(&mut **tx)
                        .await?;
                }
                Ok(touched)
            }

            #[async_trait::async_trait]
            impl VexStore for $store {
                async fn create_vex_submission(&self, vex: &OperatorVex<'_>, audit: &AuditRecord) -> Result<Appended> {
                    let mut tx = self.begin_write().await?;
                    let touched = insert_submission(&mut tx, vex).await?;
                    mark_vulnerabilities_pending(&mut tx, &touched).await?;
                    let appended = self.append_in_tx(&mut tx, audit).await?;
                    self.commit_logged(tx, appended).await
                }

                async fn vex_submissions(&self, org: OrgId) -> Result<Vec<VexSubmission>> {
                    let sql = format!("SELECT {SUBMISSION_COLUMNS} FROM vex_submissions WHERE org_id = $1 ORDER BY id DESC");
                    let rows: Vec<SubmissionRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(org.to_string()).fetch_all(self.reader()).await?;
                    rows.into_iter().map(submission).collect()
                }

                async fn vex_submission(&self, id: VexSubmissionId) -> Result<Option<VexSubmission>> {
                    let sql = format!("SELECT {SUBMISSION_COLUMNS} FROM vex_submissions WHERE id = $1");
                    let row: Option<SubmissionRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id.to_string()).fetch_optional(self.reader()).await?;
                    row.map(submission).transpose()
                }

                async fn withdraw_vex_submission(&self, id: VexSubmissionId, at: Timestamp, audit: &AuditRecord) -> Result<Option<Appended>> {
                    let mut tx = self.begin_write().await?;
                    let live: Option<(String,)> = sqlx::query_as("SELECT id FROM vex_submissions WHERE id = $1 AND withdrawn_at IS NULL")
                        .bind(id.to_string())
                        .fetch_optional(&mut *tx)
                        .await?;
                    if live.is_none() {
                        return Ok(None);
                    }
                    let touched = withdraw_in_tx(&mut tx, &[id.to_string()], to_micros(at)).await?;
                    mark_vulnerabilities_pending(&mut tx, &touched).await?;
                    let appended = self.append_in_tx(&mut tx, audit).await?;
                    self.commit_logged(tx, appended).await.map(Some)
                }

                async fn resolve_aliases(&self, ids: &[String]) -> Result<HashMap<String, VulnerabilityId>> {
                    let mut out = HashMap::new();
                    for chunk in ids.chunks(500) {
                        let sql = format!(
                            "SELECT alias, vulnerability_id FROM vulnerability_aliases WHERE alias IN ({})",
                            placeholders(1, chunk.len())
                        );
                        let mut query = sqlx::query_as::<_, (String, String)>(sqlx::AssertSqlSafe(sql));
                        for id in chunk {
                            query = query.bind(id);
                        }
                        for (alias, vulnerability) in query.fetch_all(self.reader()).await? {
                            out.insert(alias, parse(&vulnerability, "vulnerability id")?);
                        }
                    }
                    Ok(out)
                }

                async fn components_by_reference(&self, org: OrgId, references: &[String]) -> Result<Vec<InventoryComponent>> {
                    let mut out = Vec::new();
                    for chunk in references.chunks(500) {
                        let sql = format!(
                            "SELECT seq, name, version, purl, ecosystem, name_key, match_version, reference FROM inventory_components \
                             WHERE org_id = $1 AND current = 1 AND reference IN ({}) ORDER BY upload_id, seq, key_no",
                            placeholders(2, chunk.len())
                        );
                        let mut query = sqlx::query_as::<_, (i64, String, Option<String>, Option<String>, String, String, Option<String>, Option<String>)>(
                            sqlx::AssertSqlSafe(sql),
                        )
                        .bind(org.to_string());
                        for reference in chunk {
                            query = query.bind(reference);
                        }
                        for (seq, name, version, purl, ecosystem, name_key, match_version, reference) in query.fetch_all(self.reader()).await? {
                            out.push(InventoryComponent { seq: seq as u32, name, version, purl, ecosystem, name_key, match_version, reference });
                        }
                    }
                    Ok(out)
                }
            }
        }
    };
}

pub(crate) use impl_vex;
