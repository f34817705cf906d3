//! Operators' inventories: assets, uploads (SBOMs and product lists), what matches them, what to
//! fix first, and, for analysts, aggregate exposure that never says who.

use std::collections::{BTreeMap, HashMap};

use clearinghouse_domain::audit::AuditRecord;
use clearinghouse_domain::authz::{Action, Actor, authorize};
use clearinghouse_domain::inventory::{
    Asset, DeployerDecision, Exposure, InventoryComponent, InventoryFormat, MatchStatus, NewAsset,
    StoredMatch, Upload, VexFormat, VexSubmission,
};
use clearinghouse_domain::{AdvisoryId, AssetId, OrgId, Sector, UploadId, VulnerabilityId};
use clearinghouse_standards::knowledge::{ExploitationValue, Facts, component_keys};
use clearinghouse_standards::sbom::{self, Component};
use clearinghouse_standards::ssvc::deployer::{DeployerInputs, deployer_decision, human_impact};
use clearinghouse_store::{MatchOutcome, NewVexStatement, OperatorVex, VulnerabilityRecord};
use jiff::Timestamp;
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::App;
use crate::error::{Error, Result};

/// The most components one upload may hold.
pub const MAX_COMPONENTS: usize = 100_000;

/// An upload just stored and matched.
#[derive(Clone, Debug)]
pub struct UploadResult {
    /// The upload.
    pub upload: Upload,
    /// What matching found.
    pub matching: MatchOutcome,
    /// The VEX embedded in the SBOM (`vulnerabilities[].analysis`), stored for this asset.
    pub vex: Option<VexSubmission>,
    /// Embedded VEX statements not applied, and why.
    pub vex_skipped: Vec<crate::vex::Skipped>,
}

/// Why an item ranks where it does: the SSVC deployer inputs and the other signals.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RankReason {
    /// Exploitation used (`none`, `poc`, `active`) and where it came from.
    pub exploitation: String,
    /// System exposure of the asset.
    pub exposure: Exposure,
    /// Whether the vulnerability is automatable, and where that came from.
    pub automatable: String,
    /// Human impact (`low` … `very high`) from the asset's safety and mission impact.
    pub human_impact: String,
    /// The whole reason in one sentence.
    pub summary: String,
}

/// One line of an operator's "what to fix first" list: one vulnerability on one asset.
#[derive(Clone, Debug, Serialize)]
pub struct PriorityItem {
    /// Position, 1 first.
    pub rank: u32,
    /// The asset.
    pub asset: Asset,
    /// The vulnerability's id and display id.
    pub vulnerability: VulnerabilityId,
    /// CVE first.
    pub display_id: String,
    /// One-line summary.
    pub summary: Option<String>,
    /// The SSVC deployer decision.
    pub decision: DeployerDecision,
    /// Why.
    pub reason: RankReason,
    /// Best CVSS vector, score and severity.
    pub cvss: Option<(String, f64, String)>,
    /// EPSS (probability, percentile).
    pub epss: Option<(f64, f64)>,
    /// KEV due date, if listed.
    pub kev_due_date: Option<String>,
    /// The affected components (name, version, purl, range).
    pub components: Vec<(String, Option<String>, Option<String>, String)>,
    /// The records that say so.
    pub advisories: Vec<AdvisoryId>,
    /// When first seen on this asset.
    pub first_seen: Timestamp,
    /// Seen for the first time since the viewer's previous visit.
    pub new_since_last_visit: bool,
}

/// A vulnerability a VEX statement says does not affect an asset, with why and who said so.
#[derive(Clone, Debug, Serialize)]
pub struct NotAffectedItem {
    /// The asset.
    pub asset: Asset,
    /// The vulnerability.
    pub vulnerability: VulnerabilityId,
    /// CVE first.
    pub display_id: String,
    /// The components (name, version).
    pub components: Vec<(String, Option<String>)>,
    /// The VEX justification.
    pub justification: String,
    /// Who said so.
    pub vex_by: String,
}

/// An operator's dashboard: the ranked list and what changed.
#[derive(Clone, Debug, Serialize)]
pub struct Priorities {
    /// The operator.
    pub org: OrgId,
    /// Affected items, most urgent first.
    pub items: Vec<PriorityItem>,
    /// Matches a VEX statement marks not affected (kept for the record).
    pub not_affected: u64,
    /// The not-affected matches per (asset, vulnerability), with justification and who said so.
    pub not_affected_items: Vec<NotAffectedItem>,
    /// The viewer's previous visit.
    pub last_visit: Option<Timestamp>,
}

/// Aggregate exposure of one vulnerability: counts by sector, never names.
#[derive(Clone, Debug, Serialize)]
pub struct ExposureSummary {
    /// The vulnerability.
    pub vulnerability: VulnerabilityId,
    /// Display id.
    pub display_id: String,
    /// (sector, operators, assets).
    pub sectors: Vec<(Option<Sector>, u64, u64)>,
    /// Operators in total.
    pub operators: u64,
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Reads an upload: a CycloneDX or SPDX SBOM (JSON), or a list of purls or CPEs, one per line
/// (`#` comments allowed).
pub fn parse_inventory(bytes: &[u8]) -> Result<(InventoryFormat, Vec<Component>)> {
    let text = std::str::from_utf8(bytes).map_err(|_| Error::Invalid {
        field: "body".into(),
        problem: "an inventory is UTF-8 text: an SBOM (CycloneDX or SPDX JSON) or a list of purls or CPEs".into(),
    })?;
    if text.trim_start().starts_with('{') {
        let parsed = sbom::parse(bytes).map_err(|e| Error::Invalid {
            field: "body".into(),
            problem: e.to_string(),
        })?;
        let format = if parsed.format.to_ascii_lowercase().contains("spdx") {
            InventoryFormat::Spdx
        } else {
            InventoryFormat::CycloneDx
        };
        return Ok((format, parsed.components));
    }
    let mut components = Vec::new();
    let mut format = None;
    for (number, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let problem = |p: String| Error::Invalid {
            field: format!("line {}", number + 1),
            problem: p,
        };
        if line.starts_with("pkg:") {
            let purl = clearinghouse_standards::purl::Purl::parse(line)
                .map_err(|e| problem(format!("{line:?} is not a valid package URL: {e}")))?;
            format.get_or_insert(InventoryFormat::Purls);
            components.push(Component {
                reference: format!("line-{}", number + 1),
                name: purl.name().to_owned(),
                group: purl.namespace().map(str::to_owned),
                version: purl.version().map(str::to_owned),
                purl: Some(line.to_owned()),
                cpes: Vec::new(),
                hashes: Vec::new(),
                supplier: None,
            });
        } else if line.starts_with("cpe:") {
            let cpe = clearinghouse_standards::cpe::Cpe::parse(line)
                .map_err(|e| problem(format!("{line:?} is not a valid CPE name: {e}")))?;
            format.get_or_insert(InventoryFormat::Cpes);
            components.push(Component {
                reference: format!("line-{}", number + 1),
                name: cpe.product().unwrap_or("*").to_owned(),
                group: cpe.vendor().map(str::to_owned),
                version: cpe.version().map(str::to_owned),
                purl: None,
                cpes: vec![line.to_owned()],
                hashes: Vec::new(),
                supplier: None,
            });
        } else {
            return Err(problem(format!(
                "expected a package URL (pkg:…) or a CPE name (cpe:…), found {:?}",
                line.chars().take(60).collect::<String>()
            )));
        }
    }
    match format {
        Some(format) => Ok((format, components)),
        None => Err(Error::Invalid {
            field: "body".into(),
            problem: "the inventory lists no components".into(),
        }),
    }
}

/// The stored rows of components: one per lookup key (or one without key, kept for display).
fn component_rows(components: &[Component]) -> Vec<InventoryComponent> {
    let mut rows = Vec::new();
    for (seq, component) in components.iter().enumerate() {
        let keys = component_keys(component);
        let base = InventoryComponent {
            seq: seq as u32,
            name: component.name.clone(),
            version: component.version.clone(),
            purl: component.purl.clone(),
            ecosystem: String::new(),
            name_key: String::new(),
            match_version: component.version.clone(),
            reference: Some(component.reference.clone()).filter(|r| !r.is_empty()),
        };
        if keys.is_empty() {
            rows.push(base.clone());
        }
        for key in keys {
            rows.push(InventoryComponent {
                ecosystem: key.ecosystem,
                name_key: key.name_key,
                match_version: key.version,
                ..base.clone()
            });
        }
    }
    rows
}

fn decision_from_key(key: &str) -> DeployerDecision {
    match key {
        "I" => DeployerDecision::Immediate,
        "O" => DeployerDecision::OutOfCycle,
        "S" => DeployerDecision::Scheduled,
        _ => DeployerDecision::Defer,
    }
}

/// The SSVC deployer decision for a vulnerability on an asset, and the reason.
pub fn deployer_priority(facts: &Facts, asset: &Asset) -> (DeployerDecision, RankReason) {
    let (exploitation, exploitation_from) = match facts.exploitation() {
        ExploitationValue::Active if facts.kev.is_some() => ("A", "active (CISA KEV)"),
        ExploitationValue::Active => ("A", "active (reported exploited)"),
        ExploitationValue::Poc => ("P", "public PoC (CISA SSVC)"),
        ExploitationValue::None if facts.ssvc.is_some() => ("N", "none (CISA SSVC)"),
        ExploitationValue::None => ("N", "none known"),
    };
    let cvss = facts.best_cvss();
    let (automatable, automatable_from) = match (facts.ssvc, &cvss) {
        (Some(ssvc), _) => (
            if ssvc.automatable { "Y" } else { "N" },
            if ssvc.automatable {
                "yes (CISA SSVC)"
            } else {
                "no (CISA SSVC)"
            },
        ),
        (None, Some(vector)) => {
            // Without CISA's assessment: a network attack needing no privileges, no user and
            // low complexity is the usual sign that exploitation can be automated.
            let automatable = vector.metric("AV") == Some("N")
                && vector.metric("AC") == Some("L")
                && vector.metric("PR") == Some("N")
                && vector.metric("UI") == Some("N");
            if automatable {
                ("Y", "yes (CVSS AV:N/AC:L/PR:N/UI:N)")
            } else {
                ("N", "no (from CVSS)")
            }
        }
        (None, None) => ("N", "unknown, taken as no"),
    };
    let exposure = match asset.exposure {
        Exposure::Small => "S",
        Exposure::Controlled => "C",
        Exposure::Open => "O",
    };
    let safety = asset.safety_impact as usize;
    let mission = asset.mission_impact as usize;
    let human = human_impact(safety, mission);
    let human_name = match human {
        "VH" => "very high",
        "H" => "high",
        "M" => "medium",
        _ => "low",
    };
    let decision = deployer_decision(DeployerInputs {
        exploitation,
        exposure,
        automatable,
        human_impact: human,
    })
    .map(|d| decision_from_key(&d.outcome.key))
    .unwrap_or(DeployerDecision::Scheduled);
    let summary = format!(
        "{}: exploitation {exploitation_from}, exposure {}, automatable {automatable_from}, human impact {human_name} (safety {}, mission {})",
        decision.as_str().replace('_', "-"),
        asset.exposure,
        asset.safety_impact,
        asset.mission_impact.as_str().replace('_', " "),
    );
    (
        decision,
        RankReason {
            exploitation: exploitation_from.to_owned(),
            exposure: asset.exposure,
            automatable: automatable_from.to_owned(),
            human_impact: human_name.to_owned(),
            summary,
        },
    )
}

impl App {
    async fn inventory_asset(&self, actor: &Actor, id: AssetId) -> Result<Asset> {
        let asset = self
            .store
            .asset(id)
            .await?
            .ok_or_else(|| Error::NotFound(format!("asset {id}")))?;
        authorize(
            actor,
            &Action::InventoryRead {
                org: asset.org,
                shared: asset.shared_with_analysts,
            },
        )
        .map_err(|_| Error::NotFound(format!("asset {id}")))?;
        Ok(asset)
    }

    /// Registers an asset for an operator.
    pub async fn create_asset(&self, actor: &Actor, org: OrgId, new: NewAsset) -> Result<Asset> {
        self.visible_org(actor, org).await?;
        authorize(actor, &Action::InventoryWrite(org))?;
        let asset = Asset {
            id: AssetId::generate(),
            org,
            name: new.name,
            mission_impact: new.mission_impact,
            safety_impact: new.safety_impact,
            exposure: new.exposure,
            owner: new.owner,
            shared_with_analysts: new.shared_with_analysts,
            created_at: clearinghouse_domain::time::now(),
        };
        let audit = AuditRecord::new(
            actor.label(),
            "asset.create",
            format!("asset:{}", asset.id),
            json!({"org": org, "name": asset.name, "exposure": asset.exposure,
                   "mission_impact": asset.mission_impact, "safety_impact": asset.safety_impact}),
        );
        self.store.create_asset(&asset, &audit).await?;
        Ok(asset)
    }

    /// Changes an asset's description; its matches are re-ranked on the next read.
    pub async fn update_asset(&self, actor: &Actor, id: AssetId, new: NewAsset) -> Result<Asset> {
        let current = self.inventory_asset(actor, id).await?;
        authorize(actor, &Action::InventoryWrite(current.org))?;
        let asset = Asset {
            name: new.name,
            mission_impact: new.mission_impact,
            safety_impact: new.safety_impact,
            exposure: new.exposure,
            owner: new.owner,
            shared_with_analysts: new.shared_with_analysts,
            ..current
        };
        let audit = AuditRecord::new(
            actor.label(),
            "asset.update",
            format!("asset:{id}"),
            json!({"name": asset.name, "exposure": asset.exposure, "mission_impact": asset.mission_impact,
                   "safety_impact": asset.safety_impact, "shared_with_analysts": asset.shared_with_analysts}),
        );
        self.store.update_asset(&asset, &audit).await?;
        Ok(asset)
    }

    /// One asset.
    pub async fn asset(&self, actor: &Actor, id: AssetId) -> Result<Asset> {
        self.inventory_asset(actor, id).await
    }

    /// An operator's assets (analysts see only shared ones).
    pub async fn list_assets(&self, actor: &Actor, org: OrgId) -> Result<Vec<Asset>> {
        self.visible_org(actor, org).await?;
        let assets = self.store.list_assets(org).await?;
        let visible: Vec<Asset> = assets
            .into_iter()
            .filter(|a| {
                authorize(
                    actor,
                    &Action::InventoryRead {
                        org,
                        shared: a.shared_with_analysts,
                    },
                )
                .is_ok()
            })
            .collect();
        if visible.is_empty() {
            authorize(actor, &Action::InventoryRead { org, shared: false })?;
        }
        Ok(visible)
    }

    /// An organization the actor may at least know exists, else not found.
    async fn visible_org(&self, actor: &Actor, org: OrgId) -> Result<()> {
        self.org(actor, org).await.map(|_| ())
    }

    /// Stores an inventory for an asset (superseding the previous one) and matches it at once.
    pub async fn upload_inventory(
        &self,
        actor: &Actor,
        asset: AssetId,
        bytes: &[u8],
    ) -> Result<UploadResult> {
        let asset = self.inventory_asset(actor, asset).await?;
        authorize(actor, &Action::InventoryWrite(asset.org))?;
        let (format, components) = parse_inventory(bytes)?;
        if components.len() > MAX_COMPONENTS {
            return Err(Error::Invalid {
                field: "body".into(),
                problem: format!(
                    "{} components; one upload may hold at most {MAX_COMPONENTS}",
                    components.len()
                ),
            });
        }
        let rows = component_rows(&components);
        let upload_id = UploadId::generate();
        let (embedded, vex_skipped) = self
            .embedded_vex(actor, &asset, upload_id, format, bytes)
            .await?;
        let upload = Upload {
            id: upload_id,
            asset: asset.id,
            org: asset.org,
            format,
            digest: sha256_hex(bytes),
            component_count: components.len() as u32,
            uploaded_by: actor.label(),
            created_at: clearinghouse_domain::time::now(),
            superseded_at: None,
        };
        let audit = AuditRecord::new(
            actor.label(),
            "inventory.upload",
            format!("upload:{}", upload.id),
            json!({"asset": asset.id, "format": format, "digest": upload.digest, "components": components.len(),
                   "vex_statements": embedded.as_ref().map(|(s, _, _)| s.statements)}),
        );
        let vex = embedded
            .as_ref()
            .map(|(submission, statements, by)| OperatorVex {
                submission,
                statements,
                document: bytes,
                statement_by: by,
            });
        self.store
            .create_upload(&upload, &rows, vex.as_ref(), &audit)
            .await?;
        let matching = self.match_upload(&upload).await?;
        Ok(UploadResult {
            upload,
            matching,
            vex: embedded.map(|(submission, _, _)| submission),
            vex_skipped,
        })
    }

    /// The VEX statements a CycloneDX SBOM carries in `vulnerabilities[]`, limited to its asset.
    async fn embedded_vex(
        &self,
        actor: &Actor,
        asset: &Asset,
        upload: UploadId,
        format: InventoryFormat,
        bytes: &[u8],
    ) -> Result<(
        Option<(VexSubmission, Vec<NewVexStatement>, String)>,
        Vec<crate::vex::Skipped>,
    )> {
        if format != InventoryFormat::CycloneDx
            || !bytes.windows(17).any(|w| w == b"\"vulnerabilities\"")
        {
            return Ok((None, Vec::new()));
        }
        let (_, document_id, extracted) = crate::vex::parse_vex(bytes)?;
        if extracted.statements.is_empty() && extracted.unresolved.is_empty() {
            return Ok((None, Vec::new()));
        }
        let prepared = self.prepare_vex(asset.org, extracted).await?;
        if prepared.statements.is_empty() {
            return Ok((None, prepared.skipped));
        }
        let submission = Self::vex_submission(
            actor,
            asset.org,
            Some((asset.id, upload)),
            VexFormat::CycloneDx,
            document_id,
            bytes,
            prepared.statements.len(),
        );
        let by = format!(
            "{} (VEX in the SBOM of {})",
            self.org(actor, asset.org).await?.name,
            asset.name
        );
        Ok((
            Some((submission, prepared.statements, by)),
            prepared.skipped,
        ))
    }

    /// An asset's uploads, newest first.
    pub async fn uploads(&self, actor: &Actor, asset: AssetId) -> Result<Vec<Upload>> {
        let asset = self.inventory_asset(actor, asset).await?;
        Ok(self.store.uploads_of(asset.id).await?)
    }

    /// One upload and its components (one row per component).
    pub async fn upload(
        &self,
        actor: &Actor,
        id: UploadId,
    ) -> Result<(Upload, Vec<InventoryComponent>)> {
        let upload = self
            .store
            .upload(id)
            .await?
            .ok_or_else(|| Error::NotFound(format!("upload {id}")))?;
        self.inventory_asset(actor, upload.asset)
            .await
            .map_err(|_| Error::NotFound(format!("upload {id}")))?;
        let mut components = self.store.upload_components(id).await?;
        components.dedup_by_key(|c| c.seq);
        Ok((upload, components))
    }

    /// An operator's current matches (all assets the actor may see).
    pub async fn matches(&self, actor: &Actor, org: OrgId) -> Result<Vec<StoredMatch>> {
        let assets = self.list_assets(actor, org).await?;
        let visible: std::collections::HashSet<AssetId> = assets.iter().map(|a| a.id).collect();
        let mut matches = self.store.org_matches(org, None).await?;
        matches.retain(|m| visible.contains(&m.found.asset));
        Ok(matches)
    }

    /// What the operator should fix first: one item per (asset, vulnerability), ranked by the SSVC
    /// deployer decision, then KEV, EPSS and CVSS. Records the viewer's visit when `record_visit`.
    pub async fn priorities(
        &self,
        actor: &Actor,
        org: OrgId,
        record_visit: bool,
    ) -> Result<Priorities> {
        let assets: HashMap<AssetId, Asset> = self
            .list_assets(actor, org)
            .await?
            .into_iter()
            .map(|a| (a.id, a))
            .collect();
        let matches = self.store.org_matches(org, None).await?;
        let last_visit = if record_visit {
            self.store
                .visit_dashboard(&actor.label(), org, clearinghouse_domain::time::now())
                .await?
        } else {
            None
        };
        let mut groups: BTreeMap<(AssetId, VulnerabilityId), Vec<&StoredMatch>> = BTreeMap::new();
        let mut vexed: BTreeMap<(AssetId, VulnerabilityId), Vec<&StoredMatch>> = BTreeMap::new();
        let mut not_affected = 0;
        for m in &matches {
            if !assets.contains_key(&m.found.asset) {
                continue;
            }
            if m.found.status == MatchStatus::NotAffected {
                not_affected += 1;
                vexed
                    .entry((m.found.asset, m.found.vulnerability))
                    .or_default()
                    .push(m);
                continue;
            }
            groups
                .entry((m.found.asset, m.found.vulnerability))
                .or_default()
                .push(m);
        }
        let mut ids: Vec<VulnerabilityId> =
            groups.keys().chain(vexed.keys()).map(|(_, v)| *v).collect();
        ids.sort();
        ids.dedup();
        let vulnerabilities: HashMap<VulnerabilityId, VulnerabilityRecord> =
            self.store.vulnerabilities(&ids).await?;
        let cves: Vec<String> = vulnerabilities
            .values()
            .filter(|v| v.display_id.starts_with("CVE-"))
            .map(|v| v.display_id.clone())
            .collect();
        let epss = self.epss_of(&cves).await?;
        let mut items = Vec::with_capacity(groups.len());
        for ((asset_id, vulnerability_id), group) in groups {
            let (Some(asset), Some(vulnerability)) = (
                assets.get(&asset_id),
                vulnerabilities.get(&vulnerability_id),
            ) else {
                continue;
            };
            let (decision, reason) = deployer_priority(&vulnerability.facts, asset);
            let cvss = vulnerability.facts.best_cvss().map(|v| {
                let score = v.base_score();
                let severity =
                    clearinghouse_standards::cvss::Severity::from_score(v.version(), score);
                (v.as_str().to_owned(), score, severity.as_str().to_owned())
            });
            let mut components: Vec<(String, Option<String>, Option<String>, String)> = group
                .iter()
                .map(|m| {
                    (
                        m.found.component_name.clone(),
                        m.found.component_version.clone(),
                        m.found.purl.clone(),
                        m.found.range.clone(),
                    )
                })
                .collect();
            components.sort();
            components.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1);
            let mut advisories: Vec<AdvisoryId> = group.iter().map(|m| m.found.advisory).collect();
            advisories.sort();
            advisories.dedup();
            let first_seen = group.iter().map(|m| m.first_seen).min().unwrap_or_default();
            items.push(PriorityItem {
                rank: 0,
                asset: asset.clone(),
                vulnerability: vulnerability_id,
                display_id: vulnerability.display_id.clone(),
                summary: vulnerability.facts.summary.clone(),
                decision,
                reason,
                cvss,
                epss: epss.get(&vulnerability.display_id).copied(),
                kev_due_date: vulnerability.facts.kev.as_ref().map(|k| k.due_date.clone()),
                components,
                advisories,
                first_seen,
                new_since_last_visit: last_visit.is_some_and(|seen| first_seen > seen),
            });
        }
        items.sort_by(|a, b| {
            b.decision
                .cmp(&a.decision)
                .then(b.kev_due_date.is_some().cmp(&a.kev_due_date.is_some()))
                .then(
                    b.epss
                        .map(|e| e.0)
                        .unwrap_or(0.0)
                        .total_cmp(&a.epss.map(|e| e.0).unwrap_or(0.0)),
                )
                .then(
                    b.cvss
                        .as_ref()
                        .map(|c| c.1)
                        .unwrap_or(0.0)
                        .total_cmp(&a.cvss.as_ref().map(|c| c.1).unwrap_or(0.0)),
                )
                .then(a.display_id.cmp(&b.display_id))
        });
        for (rank, item) in items.iter_mut().enumerate() {
            item.rank = rank as u32 + 1;
        }
        let not_affected_items = vexed
            .into_iter()
            .filter_map(|((asset, vulnerability), group)| {
                let first = group.first()?;
                let mut components: Vec<(String, Option<String>)> = group
                    .iter()
                    .map(|m| {
                        (
                            m.found.component_name.clone(),
                            m.found.component_version.clone(),
                        )
                    })
                    .collect();
                components.sort();
                components.dedup();
                Some(NotAffectedItem {
                    asset: assets.get(&asset)?.clone(),
                    vulnerability,
                    display_id: vulnerabilities
                        .get(&vulnerability)
                        .map(|v| v.display_id.clone())
                        .unwrap_or_default(),
                    components,
                    justification: first.found.justification.clone().unwrap_or_default(),
                    vex_by: first.found.vex_by.clone().unwrap_or_default(),
                })
            })
            .collect();
        Ok(Priorities {
            org,
            items,
            not_affected,
            not_affected_items,
            last_visit,
        })
    }

    /// Aggregate exposure, most widespread first: how many operators in each sector run an
    /// affected component, never which.
    pub async fn exposure(
        &self,
        actor: &Actor,
        vulnerability: Option<VulnerabilityId>,
    ) -> Result<Vec<ExposureSummary>> {
        authorize(actor, &Action::ExposureRead)?;
        let rows = self.store.exposure(vulnerability).await?;
        let mut by_vulnerability: BTreeMap<VulnerabilityId, Vec<(Option<Sector>, u64, u64)>> =
            BTreeMap::new();
        for row in rows {
            by_vulnerability
                .entry(row.vulnerability)
                .or_default()
                .push((row.sector, row.operators, row.assets));
        }
        let ids: Vec<VulnerabilityId> = by_vulnerability.keys().copied().collect();
        let records = self.store.vulnerabilities(&ids).await?;
        let mut out: Vec<ExposureSummary> = by_vulnerability
            .into_iter()
            .map(|(id, sectors)| ExposureSummary {
                vulnerability: id,
                display_id: records
                    .get(&id)
                    .map(|r| r.display_id.clone())
                    .unwrap_or_default(),
                operators: sectors.iter().map(|s| s.1).sum(),
                sectors,
            })
            .collect();
        out.sort_by(|a, b| {
            b.operators
                .cmp(&a.operators)
                .then(a.display_id.cmp(&b.display_id))
        });
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clearinghouse_domain::inventory::{MissionImpact, SafetyImpact};
    use clearinghouse_standards::knowledge::KevFacts;

    fn asset(exposure: Exposure, safety: SafetyImpact, mission: MissionImpact) -> Asset {
        Asset {
            id: AssetId::generate(),
            org: OrgId::generate(),
            name: "pump".into(),
            mission_impact: mission,
            safety_impact: safety,
            exposure,
            owner: None,
            shared_with_analysts: false,
            created_at: clearinghouse_domain::time::now(),
        }
    }

    #[test]
    fn kev_on_an_open_safety_critical_asset_is_immediate() {
        let facts = Facts {
            kev: Some(KevFacts::default()),
            cvss_vectors: vec!["CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H".into()],
            ..Facts::default()
        };
        let (decision, reason) = deployer_priority(
            &facts,
            &asset(
                Exposure::Open,
                SafetyImpact::Catastrophic,
                MissionImpact::MissionFailure,
            ),
        );
        assert_eq!(decision, DeployerDecision::Immediate);
        assert!(reason.summary.contains("CISA KEV"), "{}", reason.summary);
        assert!(reason.automatable.starts_with("yes"));
    }

    #[test]
    fn an_unexploited_local_bug_on_a_minor_asset_is_deferred() {
        let facts = Facts {
            cvss_vectors: vec!["CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N".into()],
            ..Facts::default()
        };
        let (decision, _) = deployer_priority(
            &facts,
            &asset(
                Exposure::Small,
                SafetyImpact::Negligible,
                MissionImpact::Degraded,
            ),
        );
        assert_eq!(decision, DeployerDecision::Defer);
    }

    #[test]
    fn product_lists_are_read_and_bad_lines_are_located() {
        let (format, components) =
            parse_inventory(b"# pumps\npkg:pypi/django@3.2.0\n\npkg:npm/%40scope/x@1.0.0\n")
                .unwrap();
        assert_eq!(format, InventoryFormat::Purls);
        assert_eq!(components.len(), 2);
        let err = parse_inventory(b"pkg:pypi/django@3.2.0\nnot a purl\n").unwrap_err();
        assert!(err.to_string().contains("line 2"), "{err}");
        let (format, components) =
            parse_inventory(b"cpe:2.3:a:apache:http_server:2.4.49:*:*:*:*:*:*:*\n").unwrap();
        assert_eq!(format, InventoryFormat::Cpes);
        assert_eq!(components[0].version.as_deref(), Some("2.4.49"));
        assert!(parse_inventory(b"\n# nothing\n").is_err());
    }
}
