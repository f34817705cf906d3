//! The knowledge base as participants use it: importing source documents (idempotent, skipped by
//! digest, one bad document never stopping the others), and reading vulnerabilities and records.
//!
//! Importing is done in batches; after each batch the new and changed records are matched against
//! every inventory they could affect (`matching`), so an operator learns of a new advisory as soon
//! as its batch is stored.

use std::collections::HashMap;

use clearinghouse_domain::audit::AuditRecord;
use clearinghouse_domain::authz::{Action, Actor, authorize};
use clearinghouse_domain::page::{Page, PageRequest};
use clearinghouse_domain::{AdvisoryId, VulnerabilityId};
use clearinghouse_standards::knowledge::{self, SourceKind, SourceRecord};
use clearinghouse_standards::{csaf, cve5, cyclonedx, epss, kev, osv};
use clearinghouse_store::{EpssImport, KbStats, NewAdvisory, UpsertOutcome};
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::App;

use crate::error::{Error, Result};
pub use clearinghouse_store::{AdvisorySummary, VulnerabilityRecord};

/// How many records are stored per transaction.
pub const IMPORT_BATCH: usize = 200;

/// What kind of documents an import reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ImportKind {
    /// OSV records.
    Osv,
    /// CSAF 2.0 documents.
    Csaf,
    /// The CISA KEV catalog.
    Kev,
    /// An EPSS daily CSV.
    Epss,
    /// CVE JSON 5 records.
    Cve,
    /// CycloneDX VEX documents from vendors: their statements apply to everyone.
    Vex,
}

impl ImportKind {
    /// Every kind.
    pub const ALL: [ImportKind; 6] = [
        ImportKind::Osv,
        ImportKind::Csaf,
        ImportKind::Kev,
        ImportKind::Epss,
        ImportKind::Cve,
        ImportKind::Vex,
    ];

    /// The name used in the CLI and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            ImportKind::Osv => "osv",
            ImportKind::Csaf => "csaf",
            ImportKind::Kev => "kev",
            ImportKind::Epss => "epss",
            ImportKind::Cve => "cve",
            ImportKind::Vex => "vex",
        }
    }

    /// Parses a name.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

/// One document to import.
#[derive(Clone, Debug)]
pub struct SourceDocument {
    /// Where it came from (path, URL, `archive.zip!entry`).
    pub location: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// A document refused, with the reason.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Rejection {
    /// Where it came from.
    pub location: String,
    /// Why it was refused.
    pub reason: String,
}

/// What an import did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct ImportSummary {
    /// Records not seen before.
    pub new: u64,
    /// Known records whose content changed.
    pub updated: u64,
    /// Records identical to what is stored.
    pub unchanged: u64,
    /// Documents refused.
    pub rejected: Vec<Rejection>,
    /// Matches added to inventories by the new and changed records.
    pub matches_added: u64,
}

impl ImportSummary {
    /// Adds another summary's counts.
    pub fn absorb(&mut self, other: ImportSummary) {
        self.new += other.new;
        self.updated += other.updated;
        self.unchanged += other.unchanged;
        self.rejected.extend(other.rejected);
        self.matches_added += other.matches_added;
    }
}

/// A vulnerability with its sources, as readers see it.
#[derive(Clone, Debug)]
pub struct VulnerabilityDetails {
    /// The vulnerability and its merged facts.
    pub vulnerability: VulnerabilityRecord,
    /// Every source record about it.
    pub sources: Vec<AdvisorySummary>,
    /// EPSS (score, percentile) of its CVE, if known.
    pub epss: Option<(f64, f64)>,
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Parses one document into the records it holds (a KEV catalog holds many), or the reason it is
/// refused.
fn records_of(
    kind: ImportKind,
    doc: &SourceDocument,
) -> std::result::Result<Vec<NewAdvisory>, String> {
    let whole = |record: SourceRecord| NewAdvisory {
        record,
        digest: sha256_hex(&doc.bytes),
        location: doc.location.clone(),
        document: doc.bytes.clone(),
    };
    match kind {
        ImportKind::Osv => {
            let record = osv::from_slice(&doc.bytes).map_err(|e| e.to_string())?;
            if record.id.trim().is_empty() {
                return Err("/id: an OSV record needs an id".into());
            }
            Ok(vec![whole(knowledge::from_osv(&record))])
        }
        ImportKind::Csaf => {
            let document = csaf::from_slice(&doc.bytes).map_err(|e| e.to_string())?;
            if document.document.tracking.id.trim().is_empty() {
                return Err("/document/tracking/id: a CSAF document needs a tracking id".into());
            }
            Ok(vec![whole(knowledge::from_csaf(&document))])
        }
        ImportKind::Cve => {
            let raw: serde_json::Value =
                serde_json::from_slice(&doc.bytes).map_err(|e| format!("not JSON: {e}"))?;
            let record = cve5::from_slice(&doc.bytes).map_err(|e| e.to_string())?;
            if record.cve_metadata.cve_id.trim().is_empty() {
                return Err("/cveMetadata/cveId: a CVE record needs an id".into());
            }
            Ok(vec![whole(knowledge::from_cve(&record, &raw))])
        }
        ImportKind::Kev => {
            let catalog = kev::from_slice(&doc.bytes).map_err(|e| e.to_string())?;
            Ok(catalog
                .vulnerabilities
                .iter()
                .map(|entry| {
                    // Each entry is its own record, so one changed entry re-imports only itself.
                    let bytes = serde_json::to_vec(entry).unwrap_or_default();
                    NewAdvisory {
                        record: knowledge::from_kev(entry),
                        digest: sha256_hex(&bytes),
                        location: format!("{}#{}", doc.location, entry.cve_id),
                        document: bytes,
                    }
                })
                .collect())
        }
        ImportKind::Vex => {
            let bom = cyclonedx::from_slice(&doc.bytes).map_err(|e| e.to_string())?;
            if bom.vulnerabilities.is_empty() {
                return Err(
                    "/vulnerabilities: a CycloneDX VEX document states its analyses there; this BOM has none"
                        .into(),
                );
            }
            Ok(vec![whole(knowledge::from_cyclonedx_vex(
                &bom,
                &doc.location,
            ))])
        }
        ImportKind::Epss => Err("EPSS files are imported with import_epss".into()),
    }
}

impl App {
    /// Imports a batch of documents of one kind: unchanged documents are skipped by digest,
    /// refused ones are reported, the rest are stored (at most [`IMPORT_BATCH`] records per
    /// transaction) and matched against every inventory they could affect.
    pub async fn import_documents(
        &self,
        actor: &Actor,
        kind: ImportKind,
        documents: Vec<SourceDocument>,
    ) -> Result<ImportSummary> {
        authorize(actor, &Action::KbImport)?;
        let mut summary = ImportSummary::default();
        if kind == ImportKind::Epss {
            for document in documents {
                match self.import_epss(actor, &document).await {
                    Ok(changed) => {
                        if changed {
                            summary.updated += 1
                        } else {
                            summary.unchanged += 1
                        }
                    }
                    Err(Error::Invalid { problem, .. }) => summary.rejected.push(Rejection {
                        location: document.location,
                        reason: problem,
                    }),
                    Err(other) => return Err(other),
                }
            }
            return Ok(summary);
        }
        let digests: Vec<String> = documents.iter().map(|d| sha256_hex(&d.bytes)).collect();
        let known = self.store.known_digests(&digests).await?;
        let mut pending: Vec<NewAdvisory> = Vec::new();
        for (document, digest) in documents.into_iter().zip(digests) {
            if kind != ImportKind::Kev && known.contains(&digest) {
                summary.unchanged += 1;
                continue;
            }
            match records_of(kind, &document) {
                Ok(records) => pending.extend(records),
                Err(reason) => summary.rejected.push(Rejection {
                    location: document.location,
                    reason,
                }),
            }
        }
        if kind == ImportKind::Kev {
            let entry_digests: Vec<String> = pending.iter().map(|a| a.digest.clone()).collect();
            let known = self.store.known_digests(&entry_digests).await?;
            let before = pending.len();
            pending.retain(|a| !known.contains(&a.digest));
            summary.unchanged += (before - pending.len()) as u64;
        }
        for batch in pending.chunks(IMPORT_BATCH) {
            let ids: Vec<String> = batch
                .iter()
                .map(|a| format!("{}:{}", a.record.kind.as_str(), a.record.source_id))
                .collect();
            let audit = AuditRecord::new(
                actor.label(),
                "kb.import",
                format!("kb:{}", kind.as_str()),
                json!({
                    "records": ids,
                    "digests": batch.iter().map(|a| &a.digest).collect::<Vec<_>>(),
                }),
            );
            for (_, outcome) in self.store.upsert_advisories(batch, &audit).await? {
                match outcome {
                    UpsertOutcome::New => summary.new += 1,
                    UpsertOutcome::Updated => summary.updated += 1,
                    UpsertOutcome::Unchanged => summary.unchanged += 1,
                }
            }
            summary.matches_added += self.match_pending_advisories().await?.added;
        }
        Ok(summary)
    }

    /// Imports an EPSS daily CSV; returns false when the same file was imported before.
    async fn import_epss(&self, actor: &Actor, document: &SourceDocument) -> Result<bool> {
        let digest = sha256_hex(&document.bytes);
        if self.store.feed_digest("epss", "epss").await?.as_deref() == Some(digest.as_str()) {
            return Ok(false);
        }
        let text = std::str::from_utf8(&document.bytes).map_err(|_| Error::Invalid {
            field: document.location.clone(),
            problem: "an EPSS file is UTF-8 CSV text".into(),
        })?;
        let file = epss::parse(text).map_err(|e| Error::Invalid {
            field: document.location.clone(),
            problem: e.to_string(),
        })?;
        let scores: Vec<(String, f64, f64)> = file
            .scores
            .iter()
            .map(|s| (s.cve.clone(), s.epss, s.percentile))
            .collect();
        let detail = format!(
            "model {} scored {}",
            file.model_version.as_deref().unwrap_or("?"),
            file.score_date.as_deref().unwrap_or("?")
        );
        let audit = AuditRecord::new(
            actor.label(),
            "kb.epss",
            "kb:epss".into(),
            json!({"digest": digest, "scores": scores.len(), "detail": detail}),
        );
        self.store
            .import_epss(
                &EpssImport {
                    location: "epss",
                    digest: &digest,
                    detail: &detail,
                    scores: &scores,
                },
                &audit,
            )
            .await?;
        Ok(true)
    }

    /// A vulnerability by id or by any alias, with its sources.
    pub async fn vulnerability(
        &self,
        actor: &Actor,
        id_or_alias: &str,
    ) -> Result<VulnerabilityDetails> {
        authorize(actor, &Action::KbRead)?;
        let found = match id_or_alias.parse::<VulnerabilityId>() {
            Ok(id) => self.store.vulnerability(id).await?,
            Err(_) => self.store.vulnerability_by_alias(id_or_alias).await?,
        };
        let vulnerability =
            found.ok_or_else(|| Error::NotFound(format!("vulnerability {id_or_alias}")))?;
        let sources = self.store.advisories_of(vulnerability.id).await?;
        let cves: Vec<String> = vulnerability
            .aliases
            .iter()
            .filter(|a| a.starts_with("CVE-"))
            .cloned()
            .collect();
        let epss = self.store.epss_scores(&cves).await?;
        let epss = cves.iter().find_map(|c| epss.get(c).copied());
        Ok(VulnerabilityDetails {
            vulnerability,
            sources,
            epss,
        })
    }

    /// Lists vulnerabilities, optionally those with an alias starting with `search`.
    pub async fn list_vulnerabilities(
        &self,
        actor: &Actor,
        search: Option<&str>,
        page: &PageRequest,
    ) -> Result<Page<VulnerabilityRecord>> {
        authorize(actor, &Action::KbRead)?;
        Ok(self.store.list_vulnerabilities(search, page).await?)
    }

    /// Lists source records.
    pub async fn list_advisories(
        &self,
        actor: &Actor,
        source: Option<SourceKind>,
        page: &PageRequest,
    ) -> Result<Page<AdvisorySummary>> {
        authorize(actor, &Action::KbRead)?;
        Ok(self.store.list_advisories(source, page).await?)
    }

    /// One source record and its document as received.
    pub async fn advisory(
        &self,
        actor: &Actor,
        id: AdvisoryId,
    ) -> Result<(AdvisorySummary, Vec<u8>)> {
        authorize(actor, &Action::KbRead)?;
        self.store
            .advisory(id)
            .await?
            .ok_or_else(|| Error::NotFound(format!("advisory {id}")))
    }

    /// Knowledge-base counts.
    pub async fn kb_stats(&self, actor: &Actor) -> Result<KbStats> {
        authorize(actor, &Action::KbRead)?;
        Ok(self.store.kb_stats().await?)
    }

    /// EPSS scores of CVEs (for ranking).
    pub(crate) async fn epss_of(&self, cves: &[String]) -> Result<HashMap<String, (f64, f64)>> {
        Ok(self.store.epss_scores(cves).await?)
    }
}

/// Progress of a long import, for progress bars.
pub trait ImportProgress: Send {
    /// `done` documents read of `total` (when known).
    fn advance(&mut self, done: u64, total: Option<u64>);
}

impl<F: FnMut(u64, Option<u64>) + Send> ImportProgress for F {
    fn advance(&mut self, done: u64, total: Option<u64>) {
        self(done, total)
    }
}

impl ImportKind {
    /// The feed reader for this kind.
    pub fn feed_kind(self) -> clearinghouse_feeds::FeedKind {
        match self {
            ImportKind::Osv => clearinghouse_feeds::FeedKind::Osv,
            ImportKind::Csaf => clearinghouse_feeds::FeedKind::Csaf,
            ImportKind::Kev => clearinghouse_feeds::FeedKind::Kev,
            ImportKind::Epss => clearinghouse_feeds::FeedKind::Epss,
            ImportKind::Cve => clearinghouse_feeds::FeedKind::Cve,
            ImportKind::Vex => clearinghouse_feeds::FeedKind::Vex,
        }
    }
}

impl App {
    /// Imports everything a path or URL holds (a directory, a zip, a CSAF provider, one file),
    /// reading it as a stream and storing it in batches. Documents the feed cannot deliver (a
    /// hash mismatch, an HTTP error) are rejected with their reason; the others go on.
    pub async fn import_source(
        &self,
        actor: &Actor,
        kind: ImportKind,
        source: &str,
        options: &clearinghouse_feeds::FeedOptions,
        progress: &mut dyn ImportProgress,
    ) -> Result<ImportSummary> {
        authorize(actor, &Action::KbImport)?;
        let mut feed = clearinghouse_feeds::open(kind.feed_kind(), source, options)
            .await
            .map_err(|e| Error::Invalid {
                field: "source".into(),
                problem: e.to_string(),
            })?;
        let total = feed.estimated_len();
        let mut summary = ImportSummary::default();
        let mut batch = Vec::new();
        let mut done = 0u64;
        progress.advance(0, total);
        while let Some(item) = feed.next().await {
            done += 1;
            match item {
                clearinghouse_feeds::FeedItem::Document(document) => batch.push(SourceDocument {
                    location: document.location,
                    bytes: document.bytes,
                }),
                clearinghouse_feeds::FeedItem::Rejected { location, reason } => {
                    summary.rejected.push(Rejection { location, reason })
                }
            }
            if batch.len() >= IMPORT_BATCH {
                summary.absorb(
                    self.import_documents(actor, kind, std::mem::take(&mut batch))
                        .await?,
                );
                progress.advance(done, total);
            }
        }
        if !batch.is_empty() {
            summary.absorb(self.import_documents(actor, kind, batch).await?);
        }
        progress.advance(done, total.or(Some(done)));
        Ok(summary)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kev_catalogs_become_one_record_per_entry() {
        let doc = SourceDocument {
            location: "kev.json".into(),
            bytes: br#"{"title":"KEV","catalogVersion":"1","dateReleased":"2024-01-01","count":2,"vulnerabilities":[
              {"cveID":"CVE-2024-0001","vendorProject":"A","product":"B","vulnerabilityName":"X","dateAdded":"2024-01-01","shortDescription":"","requiredAction":"Patch","dueDate":"2024-01-22","knownRansomwareCampaignUse":"Known","notes":""},
              {"cveID":"CVE-2024-0002","vendorProject":"A","product":"C","vulnerabilityName":"Y","dateAdded":"2024-01-02","shortDescription":"","requiredAction":"Patch","dueDate":"2024-01-23","knownRansomwareCampaignUse":"Unknown","notes":""}]}"#.to_vec(),
        };
        let records = records_of(ImportKind::Kev, &doc).unwrap();
        assert_eq!(records.len(), 2);
        assert_eq!(records[0].location, "kev.json#CVE-2024-0001");
        assert_ne!(records[0].digest, records[1].digest);
        let kev = records[0].record.vulnerabilities[0]
            .facts
            .kev
            .clone()
            .unwrap();
        assert!(kev.ransomware);
        assert_eq!(kev.due_date, "2024-01-22");
    }

    #[test]
    fn unparsable_documents_are_refused_with_a_reason() {
        let doc = SourceDocument {
            location: "bad.json".into(),
            bytes: b"{not json".to_vec(),
        };
        for kind in [
            ImportKind::Osv,
            ImportKind::Csaf,
            ImportKind::Cve,
            ImportKind::Kev,
            ImportKind::Vex,
        ] {
            let reason = records_of(kind, &doc).unwrap_err();
            assert!(!reason.is_empty(), "{kind:?}");
        }
    }
}
