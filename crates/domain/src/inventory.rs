//! Operators' inventories, what matches them, and what to fix first.
//!
//! An operator registers assets, describes each with the SSVC deployer inputs that belong to the
//! operator (mission impact, safety impact, system exposure), and uploads what runs on it (an SBOM
//! or a product list). Matches say why a component is affected (which advisory, which range); the
//! SSVC deployer decision ranks them.

use std::fmt;
use std::str::FromStr;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::ids::{AdvisoryId, AssetId, OrgId, UploadId, VexSubmissionId, VulnerabilityId};
use crate::participant::{InvalidParticipant, UnknownValue, check_text, wire_enum};

wire_enum!(
    /// SSVC Mission Impact (2.0.0): what a successful exploit does to the operator's mission.
    MissionImpact, "mission impact" {
        /// Degraded.
        Degraded = "degraded",
        /// Mission essential function support crippled.
        MefSupportCrippled = "mef_support_crippled",
        /// A mission essential function fails.
        MefFailure = "mef_failure",
        /// The mission fails.
        MissionFailure = "mission_failure",
    }
);

wire_enum!(
    /// SSVC Safety Impact (2.0.1): harm to public safety and well-being.
    SafetyImpact, "safety impact" {
        /// Negligible.
        Negligible = "negligible",
        /// Marginal.
        Marginal = "marginal",
        /// Critical.
        Critical = "critical",
        /// Catastrophic.
        Catastrophic = "catastrophic",
    }
);

wire_enum!(
    /// SSVC System Exposure (1.0.1): how reachable the asset is.
    Exposure, "system exposure" {
        /// Local service or highly controlled network.
        Small = "small",
        /// Networked with access restrictions.
        Controlled = "controlled",
        /// Internet-facing or widely reachable.
        Open = "open",
    }
);

wire_enum!(
    /// What an inventory upload was.
    InventoryFormat, "inventory format" {
        /// A CycloneDX SBOM (JSON).
        CycloneDx = "cyclonedx",
        /// An SPDX SBOM (JSON).
        Spdx = "spdx",
        /// A list of package URLs, one per line.
        Purls = "purls",
        /// A list of CPE names, one per line.
        Cpes = "cpes",
    }
);

wire_enum!(
    /// A match's VEX state.
    MatchStatus, "match status" {
        /// The component is in an affected range and no VEX statement says otherwise.
        Affected = "affected",
        /// A VEX statement from the vendor or the operator says it is not affected.
        NotAffected = "not_affected",
    }
);

wire_enum!(
    /// The SSVC deployer decision ("Defer, Scheduled, Out-of-Cycle, Immediate" 1.0.0), most urgent
    /// last so that ordering by it ranks.
    DeployerDecision, "deployer decision" {
        /// Act at the next convenient time, or never.
        Defer = "defer",
        /// Act in the regular maintenance cycle.
        Scheduled = "scheduled",
        /// Act before the next cycle.
        OutOfCycle = "out_of_cycle",
        /// Act now, with all resources.
        Immediate = "immediate",
    }
);

wire_enum!(
    /// What kind of VEX document an operator submitted.
    VexFormat, "VEX format" {
        /// A CSAF 2.0 document (its product status lists).
        Csaf = "csaf",
        /// A CycloneDX BOM with `vulnerabilities[].analysis`, standalone or inside an SBOM.
        CycloneDx = "cyclonedx",
    }
);

/// A VEX document an operator submitted: its statements apply to that operator's matches only
/// (to one asset's, when embedded in that asset's SBOM), until withdrawn.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VexSubmission {
    /// Its id.
    pub id: VexSubmissionId,
    /// The operator.
    pub org: OrgId,
    /// The asset, when the VEX came embedded in that asset's SBOM.
    pub asset: Option<AssetId>,
    /// The upload it came with, when embedded.
    pub upload: Option<UploadId>,
    /// CSAF or CycloneDX.
    pub format: VexFormat,
    /// The document's own id (CSAF tracking id, CycloneDX serial number), if any.
    pub document_id: Option<String>,
    /// SHA-256 of the submitted bytes, hex.
    pub digest: String,
    /// How many statements were stored.
    pub statements: u32,
    /// Who submitted it (`person:<id>`, `token:<id>`).
    pub submitted_by: String,
    /// When.
    pub created_at: Timestamp,
    /// When it was withdrawn (its statements no longer apply).
    pub withdrawn_at: Option<Timestamp>,
}

/// One asset of an operator.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Asset {
    /// Its id.
    pub id: AssetId,
    /// The operator.
    pub org: OrgId,
    /// Unique within the operator.
    pub name: String,
    /// Mission impact of a compromise.
    pub mission_impact: MissionImpact,
    /// Safety and well-being impact of a compromise.
    pub safety_impact: SafetyImpact,
    /// How exposed it is.
    pub exposure: Exposure,
    /// Who is responsible for it (free text: a team, a person).
    pub owner: Option<String>,
    /// Whether the operator lets analysts see this asset's inventory (default: no).
    pub shared_with_analysts: bool,
    /// When it was registered.
    pub created_at: Timestamp,
}

/// A validated request to register or update an asset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewAsset {
    /// Name, 1 to 200 printable characters.
    pub name: String,
    /// Mission impact.
    pub mission_impact: MissionImpact,
    /// Safety impact.
    pub safety_impact: SafetyImpact,
    /// Exposure.
    pub exposure: Exposure,
    /// Owner, up to 200 characters.
    pub owner: Option<String>,
    /// Shared with analysts.
    pub shared_with_analysts: bool,
}

impl NewAsset {
    /// Validates the free-text fields.
    pub fn parse(
        name: &str,
        mission_impact: MissionImpact,
        safety_impact: SafetyImpact,
        exposure: Exposure,
        owner: Option<&str>,
        shared_with_analysts: bool,
    ) -> Result<Self, InvalidParticipant> {
        Ok(Self {
            name: check_text("name", name, 200)?,
            mission_impact,
            safety_impact,
            exposure,
            owner: owner
                .filter(|o| !o.trim().is_empty())
                .map(|o| check_text("owner", o, 200))
                .transpose()?,
            shared_with_analysts,
        })
    }
}

/// One upload of what runs on an asset. A newer upload supersedes it; history is kept.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Upload {
    /// Its id.
    pub id: UploadId,
    /// The asset.
    pub asset: AssetId,
    /// The operator.
    pub org: OrgId,
    /// What was uploaded.
    pub format: InventoryFormat,
    /// SHA-256 of the uploaded bytes, hex.
    pub digest: String,
    /// Number of components.
    pub component_count: u32,
    /// Who uploaded it (`person:<id>`, `token:<id>`, `system`).
    pub uploaded_by: String,
    /// When.
    pub created_at: Timestamp,
    /// When a newer upload replaced it.
    pub superseded_at: Option<Timestamp>,
}

/// One component of an upload, as stored for matching: one row per lookup key (its purl, each
/// CPE), all rows of a component sharing `seq`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InventoryComponent {
    /// Position in the upload.
    pub seq: u32,
    /// Name.
    pub name: String,
    /// Version as written.
    pub version: Option<String>,
    /// Package URL, if any.
    pub purl: Option<String>,
    /// Lookup ecosystem (OSV name or `cpe`).
    pub ecosystem: String,
    /// Lookup name.
    pub name_key: String,
    /// Version tested against ranges.
    pub match_version: Option<String>,
    /// The SBOM's own reference to it (CycloneDX `bom-ref`, SPDX `SPDXID`), which a later VEX
    /// document may name it by.
    #[serde(default)]
    pub reference: Option<String>,
}

/// A component of a current upload found by its lookup key, with where it lives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ComponentHit {
    /// The operator.
    pub org: OrgId,
    /// The asset.
    pub asset: AssetId,
    /// The upload.
    pub upload: UploadId,
    /// The component.
    pub component: InventoryComponent,
}

/// A component found affected by an advisory, with the reason.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NewMatch {
    /// The operator.
    pub org: OrgId,
    /// The asset.
    pub asset: AssetId,
    /// The upload.
    pub upload: UploadId,
    /// The component's position in the upload.
    pub component_seq: u32,
    /// Component name, version and purl, copied for display.
    pub component_name: String,
    /// Version.
    pub component_version: Option<String>,
    /// Package URL.
    pub purl: Option<String>,
    /// The vulnerability.
    pub vulnerability: VulnerabilityId,
    /// The source record that says so.
    pub advisory: AdvisoryId,
    /// Which affected package of the record.
    pub package_seq: u32,
    /// The range that matched, as people read it.
    pub range: String,
    /// `purl` or `cpe`.
    pub matched_by: String,
    /// Affected, or not affected by a VEX statement.
    pub status: MatchStatus,
    /// The VEX justification when not affected.
    pub justification: Option<String>,
    /// Who said it is not affected: the vendor's record (`Red Hat Product Security (RHSA-…)`) or
    /// the operator's own VEX submission.
    pub vex_by: Option<String>,
}

/// A stored match.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StoredMatch {
    /// What matched and why.
    pub found: NewMatch,
    /// When it was first found.
    pub first_seen: Timestamp,
}
