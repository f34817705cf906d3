//! Matching inventories against the knowledge base, in both directions, through the package
//! index: a new upload looks up the records indexed under its components' keys; a new or changed
//! record looks up the current components under its packages' keys. Neither scans everything.
//!
//! Both directions are driven by pending marks the store sets in the same transaction as the
//! change, so matching after a crash, or by another server process, picks up where it stopped.

use std::collections::HashMap;

use clearinghouse_domain::audit::AuditRecord;
use clearinghouse_domain::inventory::{ComponentHit, MatchStatus, NewMatch, Upload};
use clearinghouse_domain::{AssetId, OrgId, VulnerabilityId};
use clearinghouse_standards::knowledge::{CompiledCondition, key_ecosystem};
use clearinghouse_standards::version::{Ecosystem, Version};
use clearinghouse_store::{MatchOutcome, MatchScope, PackageRow, VexRow};
use serde_json::json;

use crate::App;
use crate::error::Result;

/// How many pending records are matched per transaction.
const ADVISORIES_PER_ROUND: u32 = 100;

/// A package index entry compiled once per round.
struct Compiled<'a> {
    row: &'a PackageRow,
    ecosystem: Ecosystem,
    condition: CompiledCondition,
}

impl<'a> Compiled<'a> {
    fn new(row: &'a PackageRow) -> Self {
        let ecosystem = key_ecosystem(&row.ecosystem);
        let condition = row.condition.compile(&ecosystem);
        Self {
            row,
            ecosystem,
            condition,
        }
    }

    /// Whether a component version is inside the condition; a component without a version is
    /// tested as `""` (only "any version" products match it), as the offline scan does.
    fn affects(&self, version: Option<&str>) -> bool {
        let version = version.unwrap_or("");
        let parsed: Option<Version> = self.ecosystem.parse(version).ok();
        self.condition.affects(parsed.as_ref(), version)
    }
}

/// A compiled VEX statement.
struct CompiledVex {
    /// Time-ordered: the latest of an operator's statements wins.
    id: String,
    org: Option<OrgId>,
    asset: Option<AssetId>,
    condition: CompiledCondition,
    status: MatchStatus,
    justification: String,
    statement_by: String,
}

/// VEX statements by (vulnerability, ecosystem, name), compiled.
struct VexIndex {
    statements: HashMap<(VulnerabilityId, String, String), Vec<CompiledVex>>,
}

impl VexIndex {
    fn new(rows: Vec<VexRow>) -> Self {
        let mut statements: HashMap<_, Vec<_>> = HashMap::new();
        for row in rows {
            let condition = row.condition.compile(&key_ecosystem(&row.ecosystem));
            statements
                .entry((row.vulnerability, row.ecosystem, row.name_key))
                .or_default()
                .push(CompiledVex {
                    id: row.id,
                    org: row.org,
                    asset: row.asset,
                    condition,
                    status: row.status,
                    justification: row.justification,
                    statement_by: row.statement_by,
                });
        }
        Self { statements }
    }

    /// The statement that decides whether this component is affected: the operator's own latest
    /// statement covering it (an operator knows its deployment: it may say affected where the
    /// vendor says not, or the reverse), else any vendor's not-affected statement. `None`: the
    /// range decides.
    fn decide(&self, vulnerability: VulnerabilityId, hit: &ComponentHit) -> Option<&CompiledVex> {
        let key = (
            vulnerability,
            hit.component.ecosystem.clone(),
            hit.component.name_key.clone(),
        );
        let statements = self.statements.get(&key)?;
        let version = hit.component.match_version.as_deref().unwrap_or("");
        let parsed = key_ecosystem(&hit.component.ecosystem).parse(version).ok();
        let covers = |s: &&CompiledVex| s.condition.affects(parsed.as_ref(), version);
        let own = statements
            .iter()
            .filter(|s| s.org == Some(hit.org) && s.asset.is_none_or(|a| a == hit.asset))
            .filter(covers)
            .max_by(|a, b| a.id.cmp(&b.id));
        own.or_else(|| {
            statements
                .iter()
                .filter(|s| s.org.is_none() && s.status == MatchStatus::NotAffected)
                .find(covers)
        })
    }
}

fn new_match(package: &PackageRow, hit: &ComponentHit, vex: &VexIndex) -> NewMatch {
    let decided = vex
        .decide(package.vulnerability, hit)
        .filter(|s| s.status == MatchStatus::NotAffected);
    NewMatch {
        org: hit.org,
        asset: hit.asset,
        upload: hit.upload,
        component_seq: hit.component.seq,
        component_name: hit.component.name.clone(),
        component_version: hit.component.version.clone(),
        purl: hit.component.purl.clone(),
        vulnerability: package.vulnerability,
        advisory: package.advisory,
        package_seq: package.seq,
        range: package.range.clone(),
        matched_by: if hit.component.ecosystem == clearinghouse_standards::knowledge::CPE_ECOSYSTEM
        {
            "cpe".into()
        } else {
            "purl".into()
        },
        status: if decided.is_some() {
            MatchStatus::NotAffected
        } else {
            MatchStatus::Affected
        },
        justification: decided.map(|s| s.justification.clone()),
        vex_by: decided.map(|s| s.statement_by.clone()),
    }
}

/// Every (package, component) pair whose keys agree and whose version is affected.
fn evaluate(packages: &[PackageRow], components: &[ComponentHit], vex: &VexIndex) -> Vec<NewMatch> {
    let mut by_key: HashMap<(&str, &str), Vec<&ComponentHit>> = HashMap::new();
    for hit in components {
        by_key
            .entry((
                hit.component.ecosystem.as_str(),
                hit.component.name_key.as_str(),
            ))
            .or_default()
            .push(hit);
    }
    let mut out = Vec::new();
    for package in packages {
        let Some(hits) = by_key.get(&(package.ecosystem.as_str(), package.name_key.as_str()))
        else {
            continue;
        };
        let compiled = Compiled::new(package);
        for hit in hits {
            if compiled.affects(hit.component.match_version.as_deref()) {
                out.push(new_match(compiled.row, hit, vex));
            }
        }
    }
    out
}

impl App {
    /// Matches every record waiting for it against current inventories, and records the matches
    /// (with outbox events for the new ones).
    pub async fn match_pending_advisories(&self) -> Result<MatchOutcome> {
        let mut total = MatchOutcome::default();
        loop {
            let pending = self.store.pending_advisories(ADVISORIES_PER_ROUND).await?;
            if pending.is_empty() {
                return Ok(total);
            }
            let live: Vec<&PackageRow> = pending
                .iter()
                .filter(|a| !a.withdrawn)
                .flat_map(|a| &a.packages)
                .collect();
            let mut keys: Vec<(String, String)> = live
                .iter()
                .map(|p| (p.ecosystem.clone(), p.name_key.clone()))
                .collect();
            keys.sort();
            keys.dedup();
            let components = self.store.components_by_keys(&keys).await?;
            let packages: Vec<PackageRow> = live.into_iter().cloned().collect();
            let matches = if components.is_empty() {
                Vec::new()
            } else {
                let mut vulnerabilities: Vec<VulnerabilityId> =
                    packages.iter().map(|p| p.vulnerability).collect();
                vulnerabilities.sort();
                vulnerabilities.dedup();
                let vex = VexIndex::new(self.store.vex_for(&vulnerabilities).await?);
                evaluate(&packages, &components, &vex)
            };
            let scope =
                MatchScope::Advisories(pending.iter().map(|a| (a.id, a.generation)).collect());
            let audit = AuditRecord::new(
                "system".into(),
                "match.advisories",
                "matches:advisories".into(),
                json!({
                    "advisories": pending.iter().map(|a| a.id).collect::<Vec<_>>(),
                    "matches": matches.len(),
                }),
            );
            total.absorb(self.store.record_matches(&scope, &matches, &audit).await?);
        }
    }

    /// Matches one upload against the knowledge base and records the result.
    pub(crate) async fn match_upload(&self, upload: &Upload) -> Result<MatchOutcome> {
        let components = self.store.upload_components(upload.id).await?;
        let mut keys: Vec<(String, String)> = components
            .iter()
            .filter(|c| !c.name_key.is_empty())
            .map(|c| (c.ecosystem.clone(), c.name_key.clone()))
            .collect();
        keys.sort();
        keys.dedup();
        let packages = self.store.packages_by_keys(&keys).await?;
        let hits: Vec<ComponentHit> = components
            .into_iter()
            .map(|component| ComponentHit {
                org: upload.org,
                asset: upload.asset,
                upload: upload.id,
                component,
            })
            .collect();
        let mut vulnerabilities: Vec<VulnerabilityId> =
            packages.iter().map(|p| p.vulnerability).collect();
        vulnerabilities.sort();
        vulnerabilities.dedup();
        let vex = VexIndex::new(self.store.vex_for(&vulnerabilities).await?);
        let matches = evaluate(&packages, &hits, &vex);
        let audit = AuditRecord::new(
            "system".into(),
            "match.upload",
            format!("upload:{}", upload.id),
            json!({"matches": matches.len()}),
        );
        Ok(self
            .store
            .record_matches(&MatchScope::Upload(upload.id), &matches, &audit)
            .await?)
    }

    /// Matches every upload and record still waiting (after a crash, or left by another
    /// process). Safe to run at any time, from any number of processes.
    pub async fn match_everything_pending(&self) -> Result<MatchOutcome> {
        let mut total = self.match_pending_advisories().await?;
        loop {
            let uploads = self.store.pending_uploads(20).await?;
            if uploads.is_empty() {
                return Ok(total);
            }
            for upload in uploads {
                total.absorb(self.match_upload(&upload).await?);
            }
        }
    }
}
