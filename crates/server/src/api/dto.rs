//! Wire types of the JSON API. Domain types are converted here once, so a change inside the
//! domain never silently changes the API (the committed `openapi.json` would show it).

use clearinghouse_domain::audit::LeafContent;
use clearinghouse_domain::authz::{Actor, Principal};
use clearinghouse_domain::{
    Membership, OrgId, OrgKind, Organization, Person, PersonId, Role, Sector, TokenId, TokenInfo,
};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Page selection for list endpoints.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size, 1 to 500 (default 50).
    pub limit: Option<u32>,
}

/// An organization.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrgSummary {
    /// Its id.
    pub id: OrgId,
    /// Its unique name.
    pub name: String,
    /// What kind of participant it is.
    pub kind: OrgKind,
    /// The critical-infrastructure sector, for operators.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sector: Option<Sector>,
    /// When it joined.
    pub created_at: Timestamp,
}

impl From<Organization> for OrgSummary {
    fn from(org: Organization) -> Self {
        Self {
            id: org.id,
            name: org.name,
            kind: org.kind,
            sector: org.sector,
            created_at: org.created_at,
        }
    }
}

/// A page of organizations.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrgPage {
    /// The organizations.
    pub items: Vec<OrgSummary>,
    /// The cursor of the next page, absent on the last.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// Create an organization.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateOrgRequest {
    /// A unique name, 1 to 200 characters.
    pub name: String,
    /// What kind of participant it is.
    pub kind: OrgKind,
    /// Required for operators, forbidden otherwise.
    pub sector: Option<Sector>,
}

/// A person.
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonSummary {
    /// Their id.
    pub id: PersonId,
    /// Their e-mail address.
    pub email: String,
    /// Their name.
    pub display_name: String,
    /// When they were added.
    pub created_at: Timestamp,
}

impl From<Person> for PersonSummary {
    fn from(p: Person) -> Self {
        Self {
            id: p.id,
            email: p.email,
            display_name: p.display_name,
            created_at: p.created_at,
        }
    }
}

/// A page of people.
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonPage {
    /// The people.
    pub items: Vec<PersonSummary>,
    /// The cursor of the next page, absent on the last.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// A role held in an organization.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MembershipDto {
    /// The organization.
    pub org_id: OrgId,
    /// The role.
    pub role: Role,
}

impl From<Membership> for MembershipDto {
    fn from(m: Membership) -> Self {
        Self {
            org_id: m.org_id,
            role: m.role,
        }
    }
}

/// A person with their roles.
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonDetailsDto {
    /// The person.
    #[serde(flatten)]
    pub person: PersonSummary,
    /// Their roles.
    pub memberships: Vec<MembershipDto>,
}

/// Create a person in an organization.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePersonRequest {
    /// Their e-mail address (unique).
    pub email: String,
    /// Their name.
    pub display_name: String,
    /// The organization they join.
    pub org_id: OrgId,
    /// Their role there.
    pub role: Role,
    /// An initial password of at least 12 characters; omit to use sign-in links.
    pub password: Option<String>,
}

/// A member of an organization.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberDto {
    /// The person.
    #[serde(flatten)]
    pub person: PersonSummary,
    /// Their role.
    pub role: Role,
}

/// An API token, without its secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenSummary {
    /// Its id.
    pub id: TokenId,
    /// The organization it acts for.
    pub org_id: OrgId,
    /// Who created it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub person_id: Option<PersonId>,
    /// Its label.
    pub name: String,
    /// The one role it carries.
    pub role: Role,
    /// The first characters of the secret.
    pub prefix: String,
    /// When it was created.
    pub created_at: Timestamp,
    /// When it expires.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<Timestamp>,
    /// When it was revoked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<Timestamp>,
    /// Whether it works now.
    pub active: bool,
}

impl From<TokenInfo> for TokenSummary {
    fn from(t: TokenInfo) -> Self {
        let active = t.is_active(Timestamp::now());
        Self {
            id: t.id,
            org_id: t.org_id,
            person_id: t.person_id,
            name: t.name,
            role: t.role,
            prefix: t.prefix,
            created_at: t.created_at,
            expires_at: t.expires_at,
            revoked_at: t.revoked_at,
            active,
        }
    }
}

/// A page of tokens.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenPage {
    /// The tokens.
    pub items: Vec<TokenSummary>,
    /// The cursor of the next page, absent on the last.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// Create a token.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTokenRequest {
    /// A label, 1 to 100 characters.
    pub name: String,
    /// The one role it carries: one its creator holds in the organization.
    pub role: Role,
    /// Lifetime in days, 1 to 366 (default 366).
    pub expires_in_days: Option<i64>,
}

/// A token just created. The secret is shown this once and never again.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedTokenResponse {
    /// The token.
    pub token: TokenSummary,
    /// The secret to send as `Authorization: Bearer <secret>`.
    pub secret: String,
}

/// Who is calling.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeResponse {
    /// `person`, `token` or `system`.
    pub kind: String,
    /// The person or token id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The roles held.
    pub grants: Vec<MembershipDto>,
}

impl From<&Actor> for MeResponse {
    fn from(actor: &Actor) -> Self {
        let (kind, id) = match actor.principal() {
            Principal::Person { id } => ("person", Some(id.to_string())),
            Principal::Token { id, .. } => ("token", Some(id.to_string())),
            Principal::System => ("system", None),
        };
        Self {
            kind: kind.to_owned(),
            id,
            grants: actor
                .grants()
                .iter()
                .map(|g| MembershipDto {
                    org_id: g.org,
                    role: g.role,
                })
                .collect(),
        }
    }
}

/// A log entry.
#[derive(Debug, Serialize, ToSchema)]
pub struct LogEntryDto {
    /// Its index.
    pub index: u64,
    /// Base64 of the exact leaf bytes that were hashed (RFC 6962: SHA-256(0x00 || leaf)).
    pub leaf: String,
    /// Base64 of the leaf hash.
    pub leaf_hash: String,
    /// The leaf decoded (it is canonical JSON).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<LeafContent>,
}

/// A page of log entries.
#[derive(Debug, Serialize, ToSchema)]
pub struct LogEntryPage {
    /// The entries, oldest first.
    pub items: Vec<LogEntryDto>,
    /// The index to pass as `from` for the next page, absent on the last.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_from: Option<u64>,
    /// The tree size when this page was read.
    pub tree_size: u64,
}

/// A Merkle proof.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProofDto {
    /// Base64 hashes, in RFC 9162 order.
    pub hashes: Vec<String>,
}

/// Inclusion proof parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InclusionQuery {
    /// The entry's index.
    pub index: u64,
    /// The tree size the proof is against.
    pub tree_size: u64,
}

/// Consistency proof parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConsistencyQuery {
    /// The older tree size.
    pub from: u64,
    /// The newer tree size.
    pub to: u64,
}

/// Entry listing parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EntriesQuery {
    /// The first index (default 0).
    pub from: Option<u64>,
    /// Page size, 1 to 500 (default 50).
    pub limit: Option<u32>,
}

// ---- Knowledge base ----

/// An import request: documents inline, or a URL the server fetches (administrators and analysts).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportRequest {
    /// An http(s) URL (or a path on the server) to read: a directory, zip, CSAF provider, one file.
    #[serde(default)]
    pub source: Option<String>,
    /// Skip documents the source's listing says are unchanged since this time (with `source`).
    #[serde(default)]
    pub since: Option<jiff::Timestamp>,
    /// Documents given inline.
    #[serde(default)]
    pub documents: Vec<ImportDocument>,
}

/// One document given inline.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportDocument {
    /// Where it came from, for the record and for error messages.
    pub location: String,
    /// The document's text (JSON for OSV, CSAF, KEV and CVE; CSV for EPSS).
    pub content: String,
}

/// A refused document.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RejectionDto {
    /// Where it came from.
    pub location: String,
    /// Why it was refused.
    pub reason: String,
}

/// What an import did.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ImportSummaryDto {
    /// Records not seen before.
    pub new: u64,
    /// Known records whose content changed.
    pub updated: u64,
    /// Records identical to what is stored.
    pub unchanged: u64,
    /// Documents refused.
    pub rejected: Vec<RejectionDto>,
    /// Matches added to inventories by the new and changed records.
    pub matches_added: u64,
}

impl From<clearinghouse_app::knowledge::ImportSummary> for ImportSummaryDto {
    fn from(s: clearinghouse_app::knowledge::ImportSummary) -> Self {
        Self {
            new: s.new,
            updated: s.updated,
            unchanged: s.unchanged,
            rejected: s
                .rejected
                .into_iter()
                .map(|r| RejectionDto {
                    location: r.location,
                    reason: r.reason,
                })
                .collect(),
            matches_added: s.matches_added,
        }
    }
}

/// A source record about a vulnerability.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AdvisoryDto {
    /// Its id.
    pub id: String,
    /// `osv`, `csaf`, `kev` or `cve`.
    pub source: String,
    /// The record's own id.
    pub source_id: String,
    /// Title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// When the source last modified it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modified: Option<String>,
    /// SHA-256 of the document as received.
    pub digest: String,
    /// Where it came from.
    pub location: String,
    /// Withdrawn records never match.
    pub withdrawn: bool,
    /// When first imported.
    pub imported_at: jiff::Timestamp,
    /// When last changed.
    pub updated_at: jiff::Timestamp,
}

impl From<clearinghouse_app::knowledge::AdvisorySummary> for AdvisoryDto {
    fn from(a: clearinghouse_app::knowledge::AdvisorySummary) -> Self {
        Self {
            id: a.id.to_string(),
            source: a.source.as_str().to_owned(),
            source_id: a.source_id,
            title: a.title,
            modified: a.modified,
            digest: a.digest,
            location: a.location,
            withdrawn: a.withdrawn,
            imported_at: a.imported_at,
            updated_at: a.updated_at,
        }
    }
}

/// A page of source records.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AdvisoryPage {
    /// The records.
    pub items: Vec<AdvisoryDto>,
    /// The cursor of the next page, absent on the last.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// A vulnerability: one alias group.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct VulnerabilityDto {
    /// Its id.
    pub id: String,
    /// The id people know it by (CVE first).
    pub display_id: String,
    /// Every alias.
    pub aliases: Vec<String>,
    /// What the sources say, merged: summary, cvss_vectors, cwes, kev, ssvc, exploited, published.
    #[schema(value_type = Object)]
    pub facts: serde_json::Value,
    /// Best CVSS base score.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cvss_score: Option<f64>,
    /// When first seen.
    pub created_at: jiff::Timestamp,
    /// When a source last changed it.
    pub updated_at: jiff::Timestamp,
}

impl From<clearinghouse_app::knowledge::VulnerabilityRecord> for VulnerabilityDto {
    fn from(v: clearinghouse_app::knowledge::VulnerabilityRecord) -> Self {
        Self {
            id: v.id.to_string(),
            display_id: v.display_id,
            aliases: v.aliases,
            cvss_score: v.facts.best_cvss().map(|c| c.base_score()),
            facts: serde_json::to_value(&v.facts).unwrap_or_default(),
            created_at: v.created_at,
            updated_at: v.updated_at,
        }
    }
}

/// A page of vulnerabilities.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct VulnerabilityPage {
    /// The vulnerabilities.
    pub items: Vec<VulnerabilityDto>,
    /// The cursor of the next page, absent on the last.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// A vulnerability with its sources.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct VulnerabilityDetailsDto {
    /// The vulnerability.
    #[serde(flatten)]
    pub vulnerability: VulnerabilityDto,
    /// Every source record about it.
    pub sources: Vec<AdvisoryDto>,
    /// EPSS probability of exploitation in the next 30 days.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub epss: Option<f64>,
    /// EPSS percentile.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub epss_percentile: Option<f64>,
}

/// Search and paging of vulnerabilities.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct VulnerabilityQuery {
    /// Only vulnerabilities with an alias starting with this (e.g. `CVE-2024-`).
    pub q: Option<String>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size, 1 to 500 (default 50).
    pub limit: Option<u32>,
}

/// Filtering and paging of source records.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AdvisoryQuery {
    /// Only records of this source kind: osv, csaf, kev, cve or cyclonedx.
    pub source: Option<String>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size, 1 to 500 (default 50).
    pub limit: Option<u32>,
}

// ---- Inventories ----

/// An asset.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AssetDto {
    /// Its id.
    pub id: String,
    /// The operator.
    pub org: String,
    /// Name, unique within the operator.
    pub name: String,
    /// SSVC Mission Impact.
    pub mission_impact: clearinghouse_domain::inventory::MissionImpact,
    /// SSVC Safety Impact.
    pub safety_impact: clearinghouse_domain::inventory::SafetyImpact,
    /// SSVC System Exposure.
    pub exposure: clearinghouse_domain::inventory::Exposure,
    /// Who is responsible.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Whether analysts may see this asset's inventory.
    pub shared_with_analysts: bool,
    /// When registered.
    pub created_at: jiff::Timestamp,
}

impl From<clearinghouse_domain::inventory::Asset> for AssetDto {
    fn from(a: clearinghouse_domain::inventory::Asset) -> Self {
        Self {
            id: a.id.to_string(),
            org: a.org.to_string(),
            name: a.name,
            mission_impact: a.mission_impact,
            safety_impact: a.safety_impact,
            exposure: a.exposure,
            owner: a.owner,
            shared_with_analysts: a.shared_with_analysts,
            created_at: a.created_at,
        }
    }
}

/// Registering or changing an asset.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssetRequest {
    /// Name, 1 to 200 characters.
    pub name: String,
    /// SSVC Mission Impact: what a compromise does to the operator's mission.
    pub mission_impact: clearinghouse_domain::inventory::MissionImpact,
    /// SSVC Safety Impact: harm to public safety and well-being.
    pub safety_impact: clearinghouse_domain::inventory::SafetyImpact,
    /// SSVC System Exposure.
    pub exposure: clearinghouse_domain::inventory::Exposure,
    /// Who is responsible.
    #[serde(default)]
    pub owner: Option<String>,
    /// Let analysts see this asset's inventory (default: no).
    #[serde(default)]
    pub shared_with_analysts: bool,
}

/// An inventory upload.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UploadDto {
    /// Its id.
    pub id: String,
    /// The asset.
    pub asset: String,
    /// cyclonedx, spdx, purls or cpes.
    pub format: clearinghouse_domain::inventory::InventoryFormat,
    /// SHA-256 of the uploaded bytes.
    pub digest: String,
    /// Number of components.
    pub component_count: u32,
    /// Who uploaded it.
    pub uploaded_by: String,
    /// When.
    pub created_at: jiff::Timestamp,
    /// When a newer upload replaced it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub superseded_at: Option<jiff::Timestamp>,
}

impl From<clearinghouse_domain::inventory::Upload> for UploadDto {
    fn from(u: clearinghouse_domain::inventory::Upload) -> Self {
        Self {
            id: u.id.to_string(),
            asset: u.asset.to_string(),
            format: u.format,
            digest: u.digest,
            component_count: u.component_count,
            uploaded_by: u.uploaded_by,
            created_at: u.created_at,
            superseded_at: u.superseded_at,
        }
    }
}

/// An upload just stored and matched.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UploadResultDto {
    /// The upload.
    pub upload: UploadDto,
    /// Matches found.
    pub matches_added: u64,
    /// The VEX embedded in the SBOM (`vulnerabilities[].analysis`), stored for this asset.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vex: Option<crate::api::vex::VexSubmissionDto>,
    /// Embedded VEX statements not applied, and why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub vex_skipped: Vec<crate::api::vex::SkippedDto>,
}

/// A component of an upload.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ComponentDto {
    /// Position in the upload.
    pub seq: u32,
    /// Name.
    pub name: String,
    /// Version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Package URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
}

/// An upload with its components.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UploadDetailsDto {
    /// The upload.
    #[serde(flatten)]
    pub upload: UploadDto,
    /// Its components.
    pub components: Vec<ComponentDto>,
}

/// A match: a component in an affected range, with the reason.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MatchDto {
    /// The asset.
    pub asset: String,
    /// The upload.
    pub upload: String,
    /// The vulnerability.
    pub vulnerability: String,
    /// The source record that says so.
    pub advisory: String,
    /// Component name.
    pub component: String,
    /// Component version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Component purl.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
    /// The affected range that matched.
    pub range: String,
    /// purl or cpe.
    pub matched_by: String,
    /// affected or not_affected.
    pub status: clearinghouse_domain::inventory::MatchStatus,
    /// VEX justification when not affected.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub justification: Option<String>,
    /// Who says it is not affected: a vendor's record or the operator's own VEX.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vex_by: Option<String>,
    /// When first seen on this asset.
    pub first_seen: jiff::Timestamp,
}

impl From<clearinghouse_domain::inventory::StoredMatch> for MatchDto {
    fn from(m: clearinghouse_domain::inventory::StoredMatch) -> Self {
        let f = m.found;
        Self {
            asset: f.asset.to_string(),
            upload: f.upload.to_string(),
            vulnerability: f.vulnerability.to_string(),
            advisory: f.advisory.to_string(),
            component: f.component_name,
            version: f.component_version,
            purl: f.purl,
            range: f.range,
            matched_by: f.matched_by,
            status: f.status,
            justification: f.justification,
            vex_by: f.vex_by,
            first_seen: m.first_seen,
        }
    }
}

/// What to fix first: the ranked list.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PrioritiesDto {
    /// Items, most urgent first: one per (asset, vulnerability), each with its SSVC deployer
    /// decision and the reason (`rank`, `asset`, `display_id`, `decision`, `reason`, `cvss`, `epss`,
    /// `kev_due_date`, `components`, `advisories`, `first_seen`, `new_since_last_visit`).
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<serde_json::Value>,
    /// Matches a VEX statement marks not affected.
    pub not_affected: u64,
    /// Those matches per (asset, vulnerability), with the justification and who said so.
    pub not_affected_items: Vec<NotAffectedDto>,
    /// The caller's previous visit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_visit: Option<jiff::Timestamp>,
}

/// A vulnerability a VEX statement says does not affect an asset.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct NotAffectedDto {
    /// The asset.
    pub asset: String,
    /// The asset's name.
    pub asset_name: String,
    /// The vulnerability.
    pub vulnerability: String,
    /// Its display id.
    pub display_id: String,
    /// The components, `name version`.
    pub components: Vec<String>,
    /// The VEX justification.
    pub justification: String,
    /// Who says so.
    pub vex_by: String,
}

impl From<clearinghouse_app::inventory::NotAffectedItem> for NotAffectedDto {
    fn from(item: clearinghouse_app::inventory::NotAffectedItem) -> Self {
        Self {
            asset: item.asset.id.to_string(),
            asset_name: item.asset.name,
            vulnerability: item.vulnerability.to_string(),
            display_id: item.display_id,
            components: item
                .components
                .into_iter()
                .map(|(name, version)| match version {
                    Some(version) => format!("{name} {version}"),
                    None => name,
                })
                .collect(),
            justification: item.justification,
            vex_by: item.vex_by,
        }
    }
}

/// Affected operators of one vulnerability, by sector (never who).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ExposureDto {
    /// The vulnerability.
    pub vulnerability: String,
    /// Its display id.
    pub display_id: String,
    /// Operators affected in all sectors.
    pub operators: u64,
    /// Per sector: operators and assets.
    pub sectors: Vec<SectorExposureDto>,
}

/// One sector's count.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SectorExposureDto {
    /// The sector.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sector: Option<clearinghouse_domain::Sector>,
    /// Affected operators.
    pub operators: u64,
    /// Affected assets.
    pub assets: u64,
}

impl From<clearinghouse_app::inventory::ExposureSummary> for ExposureDto {
    fn from(e: clearinghouse_app::inventory::ExposureSummary) -> Self {
        Self {
            vulnerability: e.vulnerability.to_string(),
            display_id: e.display_id,
            operators: e.operators,
            sectors: e
                .sectors
                .into_iter()
                .map(|(sector, operators, assets)| SectorExposureDto {
                    sector,
                    operators,
                    assets,
                })
                .collect(),
        }
    }
}

// ---- Notifications ----

/// Subscribing to new matches.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubscriptionRequestDto {
    /// webhook or email.
    pub channel: clearinghouse_domain::notify::Channel,
    /// The http(s) URL or the e-mail address.
    pub target: String,
    /// Only these SSVC deployer decisions (empty: all).
    #[serde(default)]
    pub decisions: Vec<clearinghouse_domain::inventory::DeployerDecision>,
    /// immediate (default) or daily.
    #[serde(default = "immediate")]
    pub mode: clearinghouse_domain::notify::DeliveryMode,
}

fn immediate() -> clearinghouse_domain::notify::DeliveryMode {
    clearinghouse_domain::notify::DeliveryMode::Immediate
}

/// A subscription.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SubscriptionDto {
    /// Its id.
    pub id: String,
    /// The organization.
    pub org: String,
    /// webhook or email.
    pub channel: clearinghouse_domain::notify::Channel,
    /// The URL or the address.
    pub target: String,
    /// Decisions filtered on (empty: all).
    pub decisions: Vec<clearinghouse_domain::inventory::DeployerDecision>,
    /// immediate or daily.
    pub mode: clearinghouse_domain::notify::DeliveryMode,
    /// When created.
    pub created_at: jiff::Timestamp,
    /// The webhook signing secret (`whsec_…`), present only in the response that created it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

impl From<clearinghouse_domain::notify::Subscription> for SubscriptionDto {
    fn from(s: clearinghouse_domain::notify::Subscription) -> Self {
        Self {
            id: s.id.to_string(),
            org: s.org.to_string(),
            channel: s.channel,
            target: s.target,
            decisions: s.decisions,
            mode: s.mode,
            created_at: s.created_at,
            secret: None,
        }
    }
}

/// A delivery of an event to a subscription.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DeliveryDto {
    /// Its id.
    pub id: String,
    /// The subscription.
    pub subscription: String,
    /// The event's id (the webhook message id).
    pub event_id: String,
    /// The event's type.
    pub event_type: String,
    /// The event.
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
    /// pending, delivered or dead.
    pub status: clearinghouse_domain::notify::DeliveryStatus,
    /// Attempts made.
    pub attempts: u32,
    /// When the next attempt is due.
    pub next_attempt_at: jiff::Timestamp,
    /// The last failure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    /// When it was accepted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivered_at: Option<jiff::Timestamp>,
}

impl From<clearinghouse_domain::notify::Delivery> for DeliveryDto {
    fn from(d: clearinghouse_domain::notify::Delivery) -> Self {
        Self {
            id: d.id.to_string(),
            subscription: d.subscription.to_string(),
            event_id: d.event.id,
            event_type: d.event.kind,
            payload: d.event.payload,
            status: d.status,
            attempts: d.attempts,
            next_attempt_at: d.next_attempt_at,
            last_error: d.last_error,
            delivered_at: d.delivered_at,
        }
    }
}

/// A page of deliveries.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DeliveryPage {
    /// The deliveries.
    pub items: Vec<DeliveryDto>,
    /// The cursor of the next page, absent on the last.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// Filtering and paging of deliveries.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DeliveryQuery {
    /// pending, delivered or dead (the dead-letter view).
    pub status: Option<clearinghouse_domain::notify::DeliveryStatus>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size, 1 to 500 (default 50).
    pub limit: Option<u32>,
}
