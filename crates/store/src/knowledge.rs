//! The knowledge base: one vulnerability per alias group, every source's record with its digest and
//! provenance, the package index matching uses, VEX statements and EPSS scores.
//!
//! Records arrive in batches; a batch is one transaction with one log entry. A record whose digest
//! is unchanged is skipped. A record whose ids join alias groups that were separate merges them
//! (the oldest vulnerability id survives; the others redirect to it). A new or changed record is
//! marked `match_pending` in the same transaction, and stays so until its matches are recorded,
//! so a crash between import and matching loses nothing.

use std::collections::{HashMap, HashSet};

use async_trait::async_trait;
use clearinghouse_domain::audit::AuditRecord;
use clearinghouse_domain::inventory::MatchStatus;
use clearinghouse_domain::page::{Page, PageRequest};
use clearinghouse_domain::{AdvisoryId, AssetId, OrgId, VulnerabilityId};
use clearinghouse_standards::knowledge::{Condition, Facts, SourceKind, SourceRecord};
use jiff::Timestamp;

use crate::{Appended, Result};

/// A source record to store.
#[derive(Clone, Debug)]
pub struct NewAdvisory {
    /// What it says.
    pub record: SourceRecord,
    /// SHA-256 of the document bytes, hex.
    pub digest: String,
    /// Where it came from (path, URL, `archive.zip!entry`).
    pub location: String,
    /// The document as received.
    pub document: Vec<u8>,
}

/// What storing one record did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UpsertOutcome {
    /// A record not seen before.
    New,
    /// A known record with a new digest.
    Updated,
    /// The same digest as stored: nothing changed.
    Unchanged,
}

/// A vulnerability with everything its sources say.
#[derive(Clone, Debug, PartialEq)]
pub struct VulnerabilityRecord {
    /// Its id.
    pub id: VulnerabilityId,
    /// The id people know it by (CVE first).
    pub display_id: String,
    /// Every alias.
    pub aliases: Vec<String>,
    /// Merged facts.
    pub facts: Facts,
    /// When first seen.
    pub created_at: Timestamp,
    /// When a source last changed it.
    pub updated_at: Timestamp,
}

/// A stored source record, without its document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdvisorySummary {
    /// Its id.
    pub id: AdvisoryId,
    /// The kind of source.
    pub source: SourceKind,
    /// The record's own id.
    pub source_id: String,
    /// Title.
    pub title: Option<String>,
    /// When the source last modified it.
    pub modified: Option<String>,
    /// SHA-256 of the document.
    pub digest: String,
    /// Where it came from.
    pub location: String,
    /// Withdrawn records never match.
    pub withdrawn: bool,
    /// When first imported.
    pub imported_at: Timestamp,
    /// When last changed.
    pub updated_at: Timestamp,
}

/// One entry of the package index.
#[derive(Clone, Debug, PartialEq)]
pub struct PackageRow {
    /// The record.
    pub advisory: AdvisoryId,
    /// Position within the record.
    pub seq: u32,
    /// The vulnerability it belongs to.
    pub vulnerability: VulnerabilityId,
    /// Lookup ecosystem.
    pub ecosystem: String,
    /// Lookup name.
    pub name_key: String,
    /// Which versions.
    pub condition: Condition,
    /// The range as people read it.
    pub range: String,
}

/// A record waiting for its matches, with the generation they must be recorded against.
#[derive(Clone, Debug, PartialEq)]
pub struct PendingAdvisory {
    /// The record.
    pub id: AdvisoryId,
    /// Its match generation when read (bumped by every new version and every VEX statement about
    /// its vulnerabilities); matches recorded for an older generation do not clear the mark.
    pub generation: i64,
    /// Whether it is withdrawn (its matches are removed).
    pub withdrawn: bool,
    /// Its package index entries.
    pub packages: Vec<PackageRow>,
}

/// A VEX statement in force (of a record that is not withdrawn, or of a live operator submission).
#[derive(Clone, Debug, PartialEq)]
pub struct VexRow {
    /// Its id: time-ordered, so a later statement sorts after an earlier one.
    pub id: String,
    /// The vulnerability.
    pub vulnerability: VulnerabilityId,
    /// Lookup ecosystem.
    pub ecosystem: String,
    /// Lookup name.
    pub name_key: String,
    /// Which versions.
    pub condition: Condition,
    /// Affected or not affected (vendors' records only store not affected).
    pub status: MatchStatus,
    /// Why.
    pub justification: String,
    /// Who says so, for people.
    pub statement_by: String,
    /// The operator it applies to; `None` for a vendor's statement (applies to everyone).
    pub org: Option<OrgId>,
    /// The one asset it applies to (VEX embedded in that asset's SBOM).
    pub asset: Option<AssetId>,
}

/// Counts for dashboards.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KbStats {
    /// Alias groups.
    pub vulnerabilities: u64,
    /// Records per source kind.
    pub advisories: Vec<(String, u64)>,
    /// EPSS scores held.
    pub epss_scores: u64,
}

/// EPSS scores of one daily file.
#[derive(Clone, Debug)]
pub struct EpssImport<'a> {
    /// Where the file came from.
    pub location: &'a str,
    /// Its digest.
    pub digest: &'a str,
    /// Model version and score date, for display.
    pub detail: &'a str,
    /// (CVE, score, percentile).
    pub scores: &'a [(String, f64, f64)],
}

/// The knowledge base's storage.
#[async_trait]
pub trait KnowledgeStore: Send + Sync {
    /// Which of these document digests are already stored (to skip unchanged documents before
    /// parsing them).
    async fn known_digests(&self, digests: &[String]) -> Result<HashSet<String>>;
    /// Stores a batch of records in one transaction with one log entry.
    async fn upsert_advisories(
        &self,
        batch: &[NewAdvisory],
        audit: &AuditRecord,
    ) -> Result<Vec<(AdvisoryId, UpsertOutcome)>>;
    /// Records waiting for matching, oldest first.
    async fn pending_advisories(&self, limit: u32) -> Result<Vec<PendingAdvisory>>;
    /// Package index entries of non-withdrawn records under any of these (ecosystem, name) keys.
    async fn packages_by_keys(&self, keys: &[(String, String)]) -> Result<Vec<PackageRow>>;
    /// VEX statements about these vulnerabilities.
    async fn vex_for(&self, vulnerabilities: &[VulnerabilityId]) -> Result<Vec<VexRow>>;
    /// One vulnerability, following merges.
    async fn vulnerability(&self, id: VulnerabilityId) -> Result<Option<VulnerabilityRecord>>;
    /// The vulnerability an id belongs to.
    async fn vulnerability_by_alias(&self, alias: &str) -> Result<Option<VulnerabilityRecord>>;
    /// Several vulnerabilities at once (without aliases), for ranking.
    async fn vulnerabilities(
        &self,
        ids: &[VulnerabilityId],
    ) -> Result<HashMap<VulnerabilityId, VulnerabilityRecord>>;
    /// Vulnerabilities in id order (oldest first); `search` matches an alias prefix.
    async fn list_vulnerabilities(
        &self,
        search: Option<&str>,
        page: &PageRequest,
    ) -> Result<Page<VulnerabilityRecord>>;
    /// The records that speak about a vulnerability.
    async fn advisories_of(&self, id: VulnerabilityId) -> Result<Vec<AdvisorySummary>>;
    /// One record with its document.
    async fn advisory(&self, id: AdvisoryId) -> Result<Option<(AdvisorySummary, Vec<u8>)>>;
    /// Records, optionally of one source kind.
    async fn list_advisories(
        &self,
        source: Option<SourceKind>,
        page: &PageRequest,
    ) -> Result<Page<AdvisorySummary>>;
    /// The digest last imported from a whole-file source.
    async fn feed_digest(&self, kind: &str, location: &str) -> Result<Option<String>>;
    /// Remembers the digest of a whole-file source.
    async fn record_feed(
        &self,
        kind: &str,
        location: &str,
        digest: &str,
        detail: &str,
        audit: &AuditRecord,
    ) -> Result<Appended>;
    /// Stores an EPSS file's scores (replacing older scores of the same CVEs).
    async fn import_epss(&self, import: &EpssImport<'_>, audit: &AuditRecord) -> Result<Appended>;
    /// EPSS (score, percentile) of these CVEs.
    async fn epss_scores(&self, cves: &[String]) -> Result<HashMap<String, (f64, f64)>>;
    /// Counts.
    async fn kb_stats(&self) -> Result<KbStats>;
}

macro_rules! impl_knowledge {
    ($store:ty, $db:ty) => {
        mod knowledge_impl {
            #[allow(unused_imports)]
            use super::*;
            use std::collections::{HashMap, HashSet};

            use clearinghouse_domain::audit::AuditRecord;
            use clearinghouse_domain::page::{Page, PageRequest};
            use clearinghouse_domain::time::{from_micros, to_micros};
            use clearinghouse_domain::{AdvisoryId, VulnerabilityId};
            use clearinghouse_standards::knowledge::{Facts, SourceKind, SourceRecord};
            use sqlx::Transaction;

            use crate::knowledge::*;
            use crate::shared::placeholders;
            use crate::{Appended, Error, Result};

            type Db = $db;

            fn parse_id<T: std::str::FromStr>(text: &str, what: &str) -> Result<T> {
                text.parse().map_err(|_| Error::Corrupt(format!("{what} {text:?}")))
            }

            fn json<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> Result<T> {
                serde_json::from_str(text).map_err(|e| Error::Corrupt(format!("{what}: {e}")))
            }

            fn to_json<T: serde::Serialize>(value: &T) -> String {
                serde_json::to_string(value).unwrap_or_default()
            }

            type SummaryRow = (String, String, String, Option<String>, Option<String>, String, String, i64, i64, i64);
            const SUMMARY_COLUMNS: &str = "id, source, source_id, title, modified, digest, location, withdrawn, imported_at, updated_at";

            fn summary(row: SummaryRow) -> Result<AdvisorySummary> {
                let (id, source, source_id, title, modified, digest, location, withdrawn, imported_at, updated_at) = row;
                Ok(AdvisorySummary {
                    id: parse_id(&id, "advisory id")?,
                    source: SourceKind::parse(&source).ok_or_else(|| Error::Corrupt(format!("source kind {source:?}")))?,
                    source_id,
                    title,
                    modified,
                    digest,
                    location,
                    withdrawn: withdrawn != 0,
                    imported_at: from_micros(imported_at),
                    updated_at: from_micros(updated_at),
                })
            }

            type VulnRow = (String, String, String, i64, i64);

            fn vulnerability(row: VulnRow, aliases: Vec<String>) -> Result<VulnerabilityRecord> {
                let (id, display_id, facts, created_at, updated_at) = row;
                Ok(VulnerabilityRecord {
                    id: parse_id(&id, "vulnerability id")?,
                    display_id,
                    aliases,
                    facts: json(&facts, "vulnerability facts")?,
                    created_at: from_micros(created_at),
                    updated_at: from_micros(updated_at),
                })
            }

            type PackageTuple = (String, i64, String, String, String, String, String);

            fn package(row: PackageTuple) -> Result<PackageRow> {
                let (advisory, seq, vulnerability, ecosystem, name_key, condition, range) = row;
                Ok(PackageRow {
                    advisory: parse_id(&advisory, "advisory id")?,
                    seq: seq as u32,
                    vulnerability: parse_id(&vulnerability, "vulnerability id")?,
                    ecosystem,
                    name_key,
                    condition: json(&condition, "package condition")?,
                    range,
                })
            }

            /// The alias group `ids` belong to, creating or merging groups as needed.
            async fn resolve_vulnerability(
                tx: &mut Transaction<'static, Db>,
                ids: &[String],
                now: i64,
            ) -> Result<VulnerabilityId> {
                let sql = format!(
                    "SELECT DISTINCT vulnerability_id FROM vulnerability_aliases WHERE alias IN ({}) ORDER BY vulnerability_id",
                    placeholders(1, ids.len())
                );
                let mut query = sqlx::query_as::<_, (String,)>(sqlx::AssertSqlSafe(sql));
                for id in ids {
                    query = query.bind(id);
                }
                let found: Vec<String> = query.fetch_all(&mut **tx).await?.into_iter().map(|(id,)| id).collect();
                let survivor = match found.first() {
                    Some(first) => first.clone(),
                    None => {
                        let id = VulnerabilityId::generate().to_string();
                        sqlx::query("INSERT INTO vulnerabilities (id, display_id, facts, created_at, updated_at) VALUES ($1, $2, '{}', $3, $3)")
                            .bind(&id)
                            .bind(&ids[0])
                            .bind(now)
                            .execute(&mut **tx)
                            .await?;
                        id
                    }
                };
                // Two or more groups share an id now: they are one vulnerability.
                for loser in found.iter().skip(1) {
                    for table in ["vulnerability_aliases", "advisory_packages", "vex_statements", "matches"] {
                        let sql = format!("UPDATE {table} SET vulnerability_id = $1 WHERE vulnerability_id = $2");
                        sqlx::query(sqlx::AssertSqlSafe(sql)).bind(&survivor).bind(loser).execute(&mut **tx).await?;
                    }
                    sqlx::query("INSERT INTO advisory_vulnerabilities (advisory_id, vulnerability_id) SELECT advisory_id, $1 FROM advisory_vulnerabilities WHERE vulnerability_id = $2 ON CONFLICT DO NOTHING")
                        .bind(&survivor).bind(loser).execute(&mut **tx).await?;
                    sqlx::query("DELETE FROM advisory_vulnerabilities WHERE vulnerability_id = $1").bind(loser).execute(&mut **tx).await?;
                    sqlx::query("UPDATE vulnerability_redirects SET new_id = $1 WHERE new_id = $2").bind(&survivor).bind(loser).execute(&mut **tx).await?;
                    sqlx::query("INSERT INTO vulnerability_redirects (old_id, new_id) VALUES ($1, $2) ON CONFLICT DO NOTHING").bind(loser).bind(&survivor).execute(&mut **tx).await?;
                    sqlx::query("DELETE FROM vulnerabilities WHERE id = $1").bind(loser).execute(&mut **tx).await?;
                }
                for alias in ids {
                    sqlx::query("INSERT INTO vulnerability_aliases (alias, vulnerability_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                        .bind(alias)
                        .bind(&survivor)
                        .execute(&mut **tx)
                        .await?;
                }
                parse_id(&survivor, "vulnerability id")
            }

            /// Recomputes a vulnerability's display id and merged facts from all its records.
            async fn refresh_vulnerability(tx: &mut Transaction<'static, Db>, id: &str, now: i64) -> Result<()> {
                let aliases: Vec<(String,)> = sqlx::query_as("SELECT alias FROM vulnerability_aliases WHERE vulnerability_id = $1")
                    .bind(id)
                    .fetch_all(&mut **tx)
                    .await?;
                if aliases.is_empty() {
                    return Ok(());
                }
                let aliases: HashSet<String> = aliases.into_iter().map(|(a,)| a).collect();
                let records: Vec<(String, String)> = sqlx::query_as(
                    "SELECT a.source, a.record FROM advisories a JOIN advisory_vulnerabilities av ON av.advisory_id = a.id \
                     WHERE av.vulnerability_id = $1 ORDER BY a.source, a.id",
                )
                .bind(id)
                .fetch_all(&mut **tx)
                .await?;
                // Facts from CVE records and vendors' CSAF first, so the summary comes from the
                // most authoritative text.
                let mut records: Vec<(String, SourceRecord)> = records
                    .into_iter()
                    .map(|(source, record)| Ok((source, json::<SourceRecord>(&record, "advisory record")?)))
                    .collect::<Result<_>>()?;
                let rank = |s: &str| match s { "cve" => 0, "csaf" => 1, "osv" => 2, _ => 3 };
                records.sort_by_key(|(source, _)| rank(source));
                let mut facts = Facts::default();
                for (_, record) in &records {
                    for part in &record.vulnerabilities {
                        if part.ids.iter().any(|i| aliases.contains(i)) {
                            facts.merge(&part.facts);
                        }
                    }
                }
                let display = clearinghouse_standards::vulnid::preferred_alias(aliases.iter().map(String::as_str))
                    .map(|v| v.as_str().to_owned())
                    .or_else(|| { let mut a: Vec<&String> = aliases.iter().collect(); a.sort(); a.first().map(|s| (*s).clone()) })
                    .unwrap_or_default();
                sqlx::query("UPDATE vulnerabilities SET display_id = $1, facts = $2, updated_at = $3 WHERE id = $4")
                    .bind(display)
                    .bind(to_json(&facts))
                    .bind(now)
                    .bind(id)
                    .execute(&mut **tx)
                    .await?;
                Ok(())
            }

            async fn vulnerability_aliases(pool: &sqlx::Pool<Db>, id: &str) -> Result<Vec<String>> {
                let rows: Vec<(String,)> = sqlx::query_as("SELECT alias FROM vulnerability_aliases WHERE vulnerability_id = $1 ORDER BY alias")
                    .bind(id)
                    .fetch_all(pool)
                    .await?;
                let mut aliases: Vec<String> = rows.into_iter().map(|(a,)| a).collect();
                aliases.sort_by(|a, b| {
                    let (pa, pb) = (
                        clearinghouse_standards::vulnid::VulnId::parse(a).ok(),
                        clearinghouse_standards::vulnid::VulnId::parse(b).ok(),
                    );
                    match (pa, pb) {
                        (Some(x), Some(y)) => x.cmp(&y),
                        (Some(_), None) => std::cmp::Ordering::Less,
                        (None, Some(_)) => std::cmp::Ordering::Greater,
                        (None, None) => a.cmp(b),
                    }
                });
                Ok(aliases)
            }

            #[async_trait::async_trait]
            impl KnowledgeStore for $store {
                async fn known_digests(&self, digests: &[String]) -> Result<HashSet<String>> {
                    let mut known = HashSet::new();
                    for chunk in digests.chunks(500) {
                        let sql = format!("SELECT digest FROM advisories WHERE digest IN ({})", placeholders(1, chunk.len()));
                        let mut query = sqlx::query_as::<_, (String,)>(sqlx::AssertSqlSafe(sql));
                        for digest in chunk {
                            query = query.bind(digest);
                        }
                        known.extend(query.fetch_all(self.reader()).await?.into_iter().map(|(d,)| d));
                    }
                    Ok(known)
                }

                async fn upsert_advisories(
                    &self,
                    batch: &[NewAdvisory],
                    audit: &AuditRecord,
                ) -> Result<Vec<(AdvisoryId, UpsertOutcome)>> {
                    let mut tx = self.begin_write().await?;
                    let now = to_micros(clearinghouse_domain::time::now());
                    let mut results = Vec::with_capacity(batch.len());
                    let mut touched: HashSet<String> = HashSet::new();
                    // Vulnerabilities whose VEX statements this batch adds or removes: the other
                    // records about them are matched again, so the statements apply at once.
                    let mut vex_touched: HashSet<String> = HashSet::new();
                    for new in batch {
                        let record = &new.record;
                        let existing: Option<(String, String, Option<String>)> = sqlx::query_as("SELECT id, digest, modified FROM advisories WHERE source = $1 AND source_id = $2")
                            .bind(record.kind.as_str())
                            .bind(&record.source_id)
                            .fetch_optional(&mut *tx)
                            .await?;
                        let (id, outcome) = match existing {
                            // The same record again, or an older or equally new copy of it (two
                            // files with one id): the newest by (modified, digest) stays, so
                            // repeated imports of the same sources converge and change nothing.
                            Some((id, digest, modified))
                                if digest == new.digest || (record.modified.as_deref(), new.digest.as_str()) <= (modified.as_deref(), digest.as_str()) =>
                            {
                                results.push((parse_id(&id, "advisory id")?, UpsertOutcome::Unchanged));
                                continue;
                            }
                            Some((id, _, _)) => {
                                sqlx::query("UPDATE advisories SET digest = $1, location = $2, title = $3, modified = $4, withdrawn = $5, record = $6, document = $7, updated_at = $8, match_pending = 1, match_generation = match_generation + 1 WHERE id = $9")
                                    .bind(&new.digest)
                                    .bind(&new.location)
                                    .bind(&record.title)
                                    .bind(&record.modified)
                                    .bind(i64::from(record.withdrawn))
                                    .bind(to_json(record))
                                    .bind(&new.document)
                                    .bind(now)
                                    .bind(&id)
                                    .execute(&mut *tx)
                                    .await?;
                                let old: Vec<(String,)> = sqlx::query_as("SELECT vulnerability_id FROM advisory_vulnerabilities WHERE advisory_id = $1")
                                    .bind(&id)
                                    .fetch_all(&mut *tx)
                                    .await?;
                                touched.extend(old.into_iter().map(|(v,)| v));
                                let old_vex: Vec<(String,)> = sqlx::query_as("SELECT DISTINCT vulnerability_id FROM vex_statements WHERE advisory_id = $1")
                                    .bind(&id)
                                    .fetch_all(&mut *tx)
                                    .await?;
                                vex_touched.extend(old_vex.into_iter().map(|(v,)| v));
                                for table in ["advisory_vulnerabilities", "advisory_packages", "vex_statements"] {
                                    let sql = format!("DELETE FROM {table} WHERE advisory_id = $1");
                                    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(&id).execute(&mut *tx).await?;
                                }
                                (id, UpsertOutcome::Updated)
                            }
                            None => {
                                let id = AdvisoryId::generate().to_string();
                                sqlx::query("INSERT INTO advisories (id, source, source_id, digest, location, title, modified, withdrawn, record, document, imported_at, updated_at, match_pending) \
                                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, 1)")
                                    .bind(&id)
                                    .bind(record.kind.as_str())
                                    .bind(&record.source_id)
                                    .bind(&new.digest)
                                    .bind(&new.location)
                                    .bind(&record.title)
                                    .bind(&record.modified)
                                    .bind(i64::from(record.withdrawn))
                                    .bind(to_json(record))
                                    .bind(&new.document)
                                    .bind(now)
                                    .execute(&mut *tx)
                                    .await?;
                                (id, UpsertOutcome::New)
                            }
                        };
                        let mut seq = 0i64;
                        let statement_by = match &record.publisher {
                            Some(publisher) => format!("{publisher} ({})", record.source_id),
                            None => format!("{} {}", record.kind.as_str(), record.source_id),
                        };
                        for part in record.vulnerabilities.iter().filter(|p| !p.ids.is_empty()) {
                            let vulnerability = resolve_vulnerability(&mut tx, &part.ids, now).await?.to_string();
                            sqlx::query("INSERT INTO advisory_vulnerabilities (advisory_id, vulnerability_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                                .bind(&id)
                                .bind(&vulnerability)
                                .execute(&mut *tx)
                                .await?;
                            for package in &part.packages {
                                sqlx::query("INSERT INTO advisory_packages (advisory_id, seq, vulnerability_id, ecosystem, name_key, condition, range_text) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                                    .bind(&id)
                                    .bind(seq)
                                    .bind(&vulnerability)
                                    .bind(&package.ecosystem)
                                    .bind(&package.name_key)
                                    .bind(to_json(&package.condition))
                                    .bind(&package.range)
                                    .execute(&mut *tx)
                                    .await?;
                                seq += 1;
                            }
                            for statement in &part.not_affected {
                                sqlx::query("INSERT INTO vex_statements (id, advisory_id, org_id, vulnerability_id, ecosystem, name_key, condition, justification, created_at, \
                                             status, statement_by, range_text) VALUES ($1, $2, NULL, $3, $4, $5, $6, $7, $8, 'not_affected', $9, $10)")
                                    .bind(uuid::Uuid::now_v7().to_string())
                                    .bind(&id)
                                    .bind(&vulnerability)
                                    .bind(&statement.ecosystem)
                                    .bind(&statement.name_key)
                                    .bind(to_json(&statement.condition))
                                    .bind(&statement.justification)
                                    .bind(now)
                                    .bind(&statement_by)
                                    .bind(clearinghouse_standards::vex::describe(&statement.condition))
                                    .execute(&mut *tx)
                                    .await?;
                                vex_touched.insert(vulnerability.clone());
                            }
                            touched.insert(vulnerability);
                        }
                        results.push((parse_id(&id, "advisory id")?, outcome));
                    }
                    if results.iter().all(|(_, outcome)| *outcome == UpsertOutcome::Unchanged) {
                        tx.rollback().await?;
                        return Ok(results);
                    }
                    super::vex_impl::mark_vulnerabilities_pending(&mut tx, &vex_touched).await?;
                    let mut touched: Vec<String> = touched.into_iter().collect();
                    touched.sort();
                    for vulnerability in &touched {
                        // A merged-away id no longer exists; its survivor is in `touched` too.
                        refresh_vulnerability(&mut tx, vulnerability, now).await?;
                    }
                    let appended = self.append_in_tx(&mut tx, audit).await?;
                    self.commit_logged(tx, appended).await?;
                    Ok(results)
                }

                async fn pending_advisories(&self, limit: u32) -> Result<Vec<PendingAdvisory>> {
                    let rows: Vec<(String, i64, i64)> = sqlx::query_as("SELECT id, match_generation, withdrawn FROM advisories WHERE match_pending = 1 ORDER BY id LIMIT $1")
                        .bind(i64::from(limit))
                        .fetch_all(self.reader())
                        .await?;
                    let mut out = Vec::with_capacity(rows.len());
                    for (id, generation, withdrawn) in rows {
                        let packages: Vec<PackageTuple> = sqlx::query_as("SELECT advisory_id, seq, vulnerability_id, ecosystem, name_key, condition, range_text FROM advisory_packages WHERE advisory_id = $1 ORDER BY seq")
                            .bind(&id)
                            .fetch_all(self.reader())
                            .await?;
                        out.push(PendingAdvisory {
                            id: parse_id(&id, "advisory id")?,
                            generation,
                            withdrawn: withdrawn != 0,
                            packages: packages.into_iter().map(package).collect::<Result<_>>()?,
                        });
                    }
                    Ok(out)
                }

                async fn packages_by_keys(&self, keys: &[(String, String)]) -> Result<Vec<PackageRow>> {
                    let mut wanted: HashMap<&str, Vec<&str>> = HashMap::new();
                    for (ecosystem, name) in keys {
                        wanted.entry(name.as_str()).or_default().push(ecosystem.as_str());
                    }
                    let names: Vec<&str> = wanted.keys().copied().collect();
                    let mut out = Vec::new();
                    for chunk in names.chunks(500) {
                        let sql = format!(
                            "SELECT p.advisory_id, p.seq, p.vulnerability_id, p.ecosystem, p.name_key, p.condition, p.range_text \
                             FROM advisory_packages p JOIN advisories a ON a.id = p.advisory_id \
                             WHERE a.withdrawn = 0 AND p.name_key IN ({})",
                            placeholders(1, chunk.len())
                        );
                        let mut query = sqlx::query_as::<_, PackageTuple>(sqlx::AssertSqlSafe(sql));
                        for name in chunk {
                            query = query.bind(*name);
                        }
                        for row in query.fetch_all(self.reader()).await? {
                            if wanted.get(row.4.as_str()).is_some_and(|e| e.contains(&row.3.as_str())) {
                                out.push(package(row)?);
                            }
                        }
                    }
                    Ok(out)
                }

                async fn vex_for(&self, vulnerabilities: &[VulnerabilityId]) -> Result<Vec<VexRow>> {
                    type Row = (String, String, String, String, String, String, String, String, Option<String>, Option<String>);
                    let mut out = Vec::new();
                    for chunk in vulnerabilities.chunks(500) {
                        // Statements of withdrawn records no longer apply; operators' statements
                        // of withdrawn submissions are deleted on withdrawal.
                        let sql = format!(
                            "SELECT v.id, v.vulnerability_id, v.ecosystem, v.name_key, v.condition, v.status, v.justification, v.statement_by, v.org_id, v.asset_id \
                             FROM vex_statements v LEFT JOIN advisories a ON a.id = v.advisory_id \
                             WHERE v.vulnerability_id IN ({}) AND (a.id IS NULL OR a.withdrawn = 0) ORDER BY v.id",
                            placeholders(1, chunk.len())
                        );
                        let mut query = sqlx::query_as::<_, Row>(sqlx::AssertSqlSafe(sql));
                        for id in chunk {
                            query = query.bind(id.to_string());
                        }
                        for (id, vulnerability, ecosystem, name_key, condition, status, justification, statement_by, org, asset) in query.fetch_all(self.reader()).await? {
                            out.push(VexRow {
                                id,
                                vulnerability: parse_id(&vulnerability, "vulnerability id")?,
                                ecosystem,
                                name_key,
                                condition: json(&condition, "VEX condition")?,
                                status: parse_id(&status, "VEX status")?,
                                justification,
                                statement_by,
                                org: org.as_deref().map(|o| parse_id(o, "organization id")).transpose()?,
                                asset: asset.as_deref().map(|a| parse_id(a, "asset id")).transpose()?,
                            });
                        }
                    }
                    Ok(out)
                }

                async fn vulnerability(&self, id: VulnerabilityId) -> Result<Option<VulnerabilityRecord>> {
                    let mut id = id.to_string();
                    let redirect: Option<(String,)> = sqlx::query_as("SELECT new_id FROM vulnerability_redirects WHERE old_id = $1")
                        .bind(&id)
                        .fetch_optional(self.reader())
                        .await?;
                    if let Some((new_id,)) = redirect {
                        id = new_id;
                    }
                    let row: Option<VulnRow> = sqlx::query_as("SELECT id, display_id, facts, created_at, updated_at FROM vulnerabilities WHERE id = $1")
                        .bind(&id)
                        .fetch_optional(self.reader())
                        .await?;
                    match row {
                        Some(row) => Ok(Some(vulnerability(row, vulnerability_aliases(self.reader(), &id).await?)?)),
                        None => Ok(None),
                    }
                }

                async fn vulnerability_by_alias(&self, alias: &str) -> Result<Option<VulnerabilityRecord>> {
                    let normalized = clearinghouse_standards::vulnid::VulnId::parse(alias.trim())
                        .map(|v| v.as_str().to_owned())
                        .unwrap_or_else(|_| alias.trim().to_owned());
                    let row: Option<(String,)> = sqlx::query_as("SELECT vulnerability_id FROM vulnerability_aliases WHERE alias = $1")
                        .bind(&normalized)
                        .fetch_optional(self.reader())
                        .await?;
                    match row {
                        Some((id,)) => self.vulnerability(parse_id(&id, "vulnerability id")?).await,
                        None => Ok(None),
                    }
                }

                async fn vulnerabilities(&self, ids: &[VulnerabilityId]) -> Result<HashMap<VulnerabilityId, VulnerabilityRecord>> {
                    let mut out = HashMap::with_capacity(ids.len());
                    for chunk in ids.chunks(500) {
                        let sql = format!(
                            "SELECT id, display_id, facts, created_at, updated_at FROM vulnerabilities WHERE id IN ({})",
                            placeholders(1, chunk.len())
                        );
                        let mut query = sqlx::query_as::<_, VulnRow>(sqlx::AssertSqlSafe(sql));
                        for id in chunk {
                            query = query.bind(id.to_string());
                        }
                        for row in query.fetch_all(self.reader()).await? {
                            let record = vulnerability(row, Vec::new())?;
                            out.insert(record.id, record);
                        }
                    }
                    Ok(out)
                }

                async fn list_vulnerabilities(&self, search: Option<&str>, page: &PageRequest) -> Result<Page<VulnerabilityRecord>> {
                    let rows: Vec<VulnRow> = match search.map(str::trim).filter(|s| !s.is_empty()) {
                        Some(search) => {
                            let pattern = format!("{}%", search.to_uppercase().replace(['%', '_'], ""));
                            sqlx::query_as(
                                "SELECT id, display_id, facts, created_at, updated_at FROM vulnerabilities WHERE id > $1 AND id IN \
                                 (SELECT vulnerability_id FROM vulnerability_aliases WHERE UPPER(alias) LIKE $3) ORDER BY id LIMIT $2",
                            )
                            .bind(page.after.clone().unwrap_or_default())
                            .bind(i64::from(page.limit) + 1)
                            .bind(pattern)
                            .fetch_all(self.reader())
                            .await?
                        }
                        None => sqlx::query_as("SELECT id, display_id, facts, created_at, updated_at FROM vulnerabilities WHERE id > $1 ORDER BY id LIMIT $2")
                            .bind(page.after.clone().unwrap_or_default())
                            .bind(i64::from(page.limit) + 1)
                            .fetch_all(self.reader())
                            .await?,
                    };
                    let mut items = Vec::with_capacity(rows.len());
                    for row in rows {
                        let aliases = vulnerability_aliases(self.reader(), &row.0).await?;
                        items.push(vulnerability(row, aliases)?);
                    }
                    Ok(Page::from_overfetch(items, page.limit, |v: &VulnerabilityRecord| v.id.to_string()))
                }

                async fn advisories_of(&self, id: VulnerabilityId) -> Result<Vec<AdvisorySummary>> {
                    let sql = format!(
                        "SELECT {SUMMARY_COLUMNS} FROM advisories WHERE id IN (SELECT advisory_id FROM advisory_vulnerabilities WHERE vulnerability_id = $1) ORDER BY source, source_id"
                    );
                    let rows: Vec<SummaryRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id.to_string()).fetch_all(self.reader()).await?;
                    rows.into_iter().map(summary).collect()
                }

                async fn advisory(&self, id: AdvisoryId) -> Result<Option<(AdvisorySummary, Vec<u8>)>> {
                    let sql = format!("SELECT {SUMMARY_COLUMNS} FROM advisories WHERE id = $1");
                    let row: Option<SummaryRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id.to_string()).fetch_optional(self.reader()).await?;
                    let Some(row) = row else { return Ok(None) };
                    let (document,): (Vec<u8>,) = sqlx::query_as("SELECT document FROM advisories WHERE id = $1")
                        .bind(id.to_string())
                        .fetch_one(self.reader())
                        .await?;
                    Ok(Some((summary(row)?, document)))
                }

                async fn list_advisories(&self, source: Option<SourceKind>, page: &PageRequest) -> Result<Page<AdvisorySummary>> {
                    let sql = format!(
                        "SELECT {SUMMARY_COLUMNS} FROM advisories WHERE id > $1 AND ($3 = '' OR source = $3) ORDER BY id LIMIT $2"
                    );
                    let rows: Vec<SummaryRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
                        .bind(page.after.clone().unwrap_or_default())
                        .bind(i64::from(page.limit) + 1)
                        .bind(source.map_or("", SourceKind::as_str))
                        .fetch_all(self.reader())
                        .await?;
                    let items = rows.into_iter().map(summary).collect::<Result<Vec<_>>>()?;
                    Ok(Page::from_overfetch(items, page.limit, |a: &AdvisorySummary| a.id.to_string()))
                }

                async fn feed_digest(&self, kind: &str, location: &str) -> Result<Option<String>> {
                    let row: Option<(String,)> = sqlx::query_as("SELECT digest FROM kb_feeds WHERE kind = $1 AND location = $2")
                        .bind(kind)
                        .bind(location)
                        .fetch_optional(self.reader())
                        .await?;
                    Ok(row.map(|(d,)| d))
                }

                async fn record_feed(&self, kind: &str, location: &str, digest: &str, detail: &str, audit: &AuditRecord) -> Result<Appended> {
                    let mut tx = self.begin_write().await?;
                    upsert_feed(&mut tx, kind, location, digest, detail).await?;
                    let appended = self.append_in_tx(&mut tx, audit).await?;
                    self.commit_logged(tx, appended).await
                }

                async fn import_epss(&self, import: &EpssImport<'_>, audit: &AuditRecord) -> Result<Appended> {
                    let mut tx = self.begin_write().await?;
                    for chunk in import.scores.chunks(300) {
                        let mut sql = String::from("INSERT INTO epss_scores (cve, score, percentile) VALUES ");
                        for i in 0..chunk.len() {
                            if i > 0 {
                                sql.push_str(", ");
                            }
                            sql.push_str(&format!("(${}, ${}, ${})", 3 * i + 1, 3 * i + 2, 3 * i + 3));
                        }
                        sql.push_str(" ON CONFLICT (cve) DO UPDATE SET score = excluded.score, percentile = excluded.percentile");
                        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
                        for (cve, score, percentile) in chunk {
                            query = query.bind(cve).bind(*score).bind(*percentile);
                        }
                        query.execute(&mut *tx).await?;
                    }
                    upsert_feed(&mut tx, "epss", import.location, import.digest, import.detail).await?;
                    let appended = self.append_in_tx(&mut tx, audit).await?;
                    self.commit_logged(tx, appended).await
                }

                async fn epss_scores(&self, cves: &[String]) -> Result<HashMap<String, (f64, f64)>> {
                    let mut out = HashMap::new();
                    for chunk in cves.chunks(500) {
                        let sql = format!("SELECT cve, score, percentile FROM epss_scores WHERE cve IN ({})", placeholders(1, chunk.len()));
                        let mut query = sqlx::query_as::<_, (String, f64, f64)>(sqlx::AssertSqlSafe(sql));
                        for cve in chunk {
                            query = query.bind(cve);
                        }
                        for (cve, score, percentile) in query.fetch_all(self.reader()).await? {
                            out.insert(cve, (score, percentile));
                        }
                    }
                    Ok(out)
                }

                async fn kb_stats(&self) -> Result<KbStats> {
                    let (vulnerabilities,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM vulnerabilities").fetch_one(self.reader()).await?;
                    let (epss,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM epss_scores").fetch_one(self.reader()).await?;
                    let advisories: Vec<(String, i64)> = sqlx::query_as("SELECT source, COUNT(*) FROM advisories GROUP BY source ORDER BY source")
                        .fetch_all(self.reader())
                        .await?;
                    Ok(KbStats {
                        vulnerabilities: vulnerabilities as u64,
                        advisories: advisories.into_iter().map(|(s, n)| (s, n as u64)).collect(),
                        epss_scores: epss as u64,
                    })
                }
            }

            async fn upsert_feed(tx: &mut Transaction<'static, Db>, kind: &str, location: &str, digest: &str, detail: &str) -> Result<()> {
                sqlx::query("INSERT INTO kb_feeds (kind, location, digest, detail, updated_at) VALUES ($1, $2, $3, $4, $5) \
                             ON CONFLICT (kind, location) DO UPDATE SET digest = excluded.digest, detail = excluded.detail, updated_at = excluded.updated_at")
                    .bind(kind)
                    .bind(location)
                    .bind(digest)
                    .bind(detail)
                    .bind(to_micros(clearinghouse_domain::time::now()))
                    .execute(&mut **tx)
                    .await?;
                Ok(())
            }
        }
    };
}

pub(crate) use impl_knowledge;
