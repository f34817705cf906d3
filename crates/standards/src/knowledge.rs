//! What the knowledge base keeps of each source document, as plain serializable data.
//!
//! The clearinghouse stores every source's record (an OSV record, a CSAF document, a KEV entry, a
//! CVE 5 record) and, next to it, what matching and prioritization need: the vulnerabilities it
//! speaks about (each with all its ids, so records from different sources join into one alias
//! group), the facts each source states (CVSS vectors, KEV dates, CISA's SSVC inputs, CWE), the
//! packages it marks affected with the condition that decides which versions are, and the VEX
//! statements that mark packages not affected. [`extract`] produces that from a parsed document;
//! [`Condition::compile`] and [`component_keys`] let a store hold conditions as JSON and evaluate
//! them later against inventory components, with the same semantics as [`crate::matching::Index`].

use serde::{Deserialize, Serialize};

use crate::csaf::{Csaf, VexStatus};
use crate::matching::{cpe_fields, describe_osv_range, purl_lookup, to_range};
use crate::range::{CompiledRanges, PreparedVersion, Range, VersSpec};
use crate::sbom::Component;
use crate::ssvc::{Exploitation, TechnicalImpact};
use crate::version::{Ecosystem, Version};
use crate::{cve5, kev, osv, vulnid};

/// The key ecosystem under which CPE-identified packages are indexed.
pub const CPE_ECOSYSTEM: &str = "cpe";

/// Which kind of source a record came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// An OSV record.
    Osv,
    /// A CSAF 2.0 document.
    Csaf,
    /// One entry of CISA's Known Exploited Vulnerabilities catalog.
    Kev,
    /// A CVE JSON 5 record (with CISA ADP data when present).
    Cve,
    /// A CycloneDX VEX document (a BOM with `vulnerabilities[].analysis`).
    CycloneDx,
}

impl SourceKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Osv => "osv",
            SourceKind::Csaf => "csaf",
            SourceKind::Kev => "kev",
            SourceKind::Cve => "cve",
            SourceKind::CycloneDx => "cyclonedx",
        }
    }

    /// Parses a stored name.
    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "osv" => SourceKind::Osv,
            "csaf" => SourceKind::Csaf,
            "kev" => SourceKind::Kev,
            "cve" => SourceKind::Cve,
            "cyclonedx" => SourceKind::CycloneDx,
            _ => return None,
        })
    }
}

/// One source record, ready to store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceRecord {
    /// The kind of source.
    pub kind: SourceKind,
    /// The record's own id (OSV id, CSAF tracking id, CVE id).
    pub source_id: String,
    /// Title or summary.
    pub title: Option<String>,
    /// When the source last changed it (RFC 3339 as written).
    pub modified: Option<String>,
    /// Withdrawn records are kept but never match.
    pub withdrawn: bool,
    /// Who issued it (a CSAF publisher, a CycloneDX supplier), named beside its VEX statements.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publisher: Option<String>,
    /// The vulnerabilities it speaks about.
    pub vulnerabilities: Vec<VulnerabilityPart>,
}

/// What one record says about one vulnerability.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct VulnerabilityPart {
    /// Every id of the vulnerability this record knows, normalized, preferred first.
    pub ids: Vec<String>,
    /// What the record states about it.
    pub facts: Facts,
    /// Packages marked affected.
    pub packages: Vec<AffectedPackage>,
    /// Packages marked not affected, with the justification.
    pub not_affected: Vec<VexStatement>,
}

/// Facts a source states about a vulnerability; merged across sources by [`Facts::merge`].
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Facts {
    /// One-line summary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// CVSS vectors stated (any version).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cvss_vectors: Vec<String>,
    /// CWE ids (`CWE-79`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cwes: Vec<String>,
    /// CISA KEV listing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kev: Option<KevFacts>,
    /// CISA's SSVC assessment (Vulnrichment ADP).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ssvc: Option<SsvcFacts>,
    /// Whether some source says it is exploited in the wild without a KEV listing (CSAF
    /// `exploit_status` threats, the CVE record's KEV marker).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub exploited: bool,
    /// When it was first published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
}

/// A KEV catalog entry's dates and flags.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct KevFacts {
    /// `dateAdded`.
    pub date_added: String,
    /// `dueDate`: when US federal agencies must have remediated.
    pub due_date: String,
    /// `knownRansomwareCampaignUse` is `Known`.
    pub ransomware: bool,
    /// `requiredAction`.
    pub required_action: String,
}

/// CISA's SSVC decision points for a CVE.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SsvcFacts {
    /// `none`, `poc` or `active`.
    pub exploitation: ExploitationValue,
    /// Automatable.
    pub automatable: bool,
    /// Total technical impact.
    pub technical_impact_total: bool,
}

/// Exploitation as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExploitationValue {
    /// No evidence, no public proof of concept.
    None,
    /// Public proof of concept.
    Poc,
    /// Active exploitation.
    Active,
}

impl Facts {
    /// Folds another source's facts into these: lists are unioned, the first summary wins, KEV
    /// and SSVC assessments are taken from whichever source has them, exploitation only rises.
    pub fn merge(&mut self, other: &Facts) {
        if self.summary.is_none() {
            self.summary.clone_from(&other.summary);
        }
        for vector in &other.cvss_vectors {
            if !self.cvss_vectors.contains(vector) {
                self.cvss_vectors.push(vector.clone());
            }
        }
        for cwe in &other.cwes {
            if !self.cwes.contains(cwe) {
                self.cwes.push(cwe.clone());
            }
        }
        if self.kev.is_none() {
            self.kev.clone_from(&other.kev);
        }
        match (&mut self.ssvc, other.ssvc) {
            (None, Some(theirs)) => self.ssvc = Some(theirs),
            (Some(mine), Some(theirs)) if theirs.exploitation > mine.exploitation => {
                mine.exploitation = theirs.exploitation
            }
            _ => {}
        }
        self.exploited |= other.exploited;
        if self.published.is_none() {
            self.published.clone_from(&other.published);
        }
    }

    /// The Exploitation value SSVC should use: KEV or any report of exploitation means active,
    /// else CISA's assessment, else none.
    pub fn exploitation(&self) -> ExploitationValue {
        if self.kev.is_some() || self.exploited {
            ExploitationValue::Active
        } else {
            self.ssvc
                .map_or(ExploitationValue::None, |ssvc| ssvc.exploitation)
        }
    }

    /// The most informative CVSS vector: the newest CVSS version, then the highest base score.
    pub fn best_cvss(&self) -> Option<crate::cvss::CvssVector> {
        self.cvss_vectors
            .iter()
            .filter_map(|text| crate::cvss::CvssVector::parse(text).ok())
            .max_by(|a, b| {
                (a.version() as u8, a.base_score())
                    .partial_cmp(&(b.version() as u8, b.base_score()))
                    .unwrap_or(std::cmp::Ordering::Equal)
            })
    }
}

/// A package a record marks affected, and which of its versions are.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AffectedPackage {
    /// OSV ecosystem name (`PyPI`, `npm`, `Debian:12` …) or [`CPE_ECOSYSTEM`].
    pub ecosystem: String,
    /// The ecosystem's normalized package name, or `vendor:product` for CPEs.
    pub name_key: String,
    /// Which versions are affected.
    pub condition: Condition,
    /// The condition for people, e.g. `>=2.3.1, <2.14.4`.
    pub range: String,
}

/// A package a record marks not affected (VEX `known_not_affected`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VexStatement {
    /// OSV ecosystem name or [`CPE_ECOSYSTEM`].
    pub ecosystem: String,
    /// Normalized name or `vendor:product`.
    pub name_key: String,
    /// Which versions the statement covers.
    pub condition: Condition,
    /// The VEX justification (CSAF flag label or CycloneDX justification), or the impact
    /// statement when no label is given.
    pub justification: String,
}

/// Which versions of a package a record means, kept as data so a store can hold it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Condition {
    /// OSV ranges and explicit versions.
    Osv {
        /// The ranges as written in the record.
        ranges: Vec<osv::Range>,
        /// Explicitly listed versions.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        versions: Vec<String>,
    },
    /// A `vers:` specifier.
    Vers {
        /// The specifier text.
        spec: String,
    },
    /// One exact version; `None` means every version.
    Exact {
        /// The version.
        version: Option<String>,
    },
    /// A product stream named by a CPE version, as Red Hat's CSAF VEX names unfixed products by
    /// their major version (`cpe:/a:redhat:quarkus:2`): `2` covers `2`, `2.13` and `2.13.8`;
    /// `None` covers every version.
    CpeStream {
        /// The stream's version prefix.
        version: Option<String>,
    },
}

/// A [`Condition`] ready to evaluate many versions.
#[derive(Debug, Clone)]
pub enum CompiledCondition {
    /// OSV ranges.
    Osv(CompiledRanges),
    /// A `vers:` specifier.
    Vers(VersSpec),
    /// An exact version, or any.
    Exact(Option<String>),
    /// A product stream (version prefix), or any.
    Stream(Option<String>),
    /// A specifier that does not parse matches nothing (the record is still kept).
    Never,
}

impl Condition {
    /// Compiles the condition for the package's ecosystem.
    pub fn compile(&self, ecosystem: &Ecosystem) -> CompiledCondition {
        match self {
            Condition::Osv { ranges, versions } => {
                let ranges: Vec<Range> = ranges.iter().filter_map(to_range).collect();
                CompiledCondition::Osv(CompiledRanges::compile(ecosystem, &ranges, versions))
            }
            Condition::Vers { spec } => match VersSpec::parse(spec) {
                Ok(spec) => CompiledCondition::Vers(spec),
                Err(_) => CompiledCondition::Never,
            },
            Condition::Exact { version } => CompiledCondition::Exact(version.clone()),
            Condition::CpeStream { version } => CompiledCondition::Stream(version.clone()),
        }
    }
}

impl CompiledCondition {
    /// Whether `version` (as written, and parsed in the package's ecosystem when it parses) is
    /// inside the condition. A component without a version is tested as `""`: only "any version"
    /// conditions hold for it.
    pub fn affects(&self, parsed: Option<&Version>, text: &str) -> bool {
        self.affects_prepared(parsed.map(PreparedVersion::new).as_ref(), text)
    }

    /// [`CompiledCondition::affects`] for a version tested against many conditions.
    pub fn affects_prepared(&self, parsed: Option<&PreparedVersion<'_>>, text: &str) -> bool {
        match self {
            CompiledCondition::Osv(ranges) => {
                parsed.is_some_and(|version| ranges.affects_prepared(version).is_affected())
            }
            CompiledCondition::Vers(spec) => spec.contains(text).unwrap_or(false),
            CompiledCondition::Exact(None) | CompiledCondition::Stream(None) => true,
            CompiledCondition::Exact(Some(version)) => version.eq_ignore_ascii_case(text),
            CompiledCondition::Stream(Some(stream)) => {
                text.len() >= stream.len()
                    && text[..stream.len()].eq_ignore_ascii_case(stream)
                    && matches!(text.as_bytes().get(stream.len()), None | Some(b'.'))
            }
            CompiledCondition::Never => false,
        }
    }
}

/// The key an OSV ecosystem's packages are indexed under: the ecosystem without its release
/// (`Debian:12` → `Debian`, `Red Hat:rhel_aus:8.6::appstream` → `Red Hat`). Package URLs carry
/// the distribution in their namespace, not its release, so the release cannot be part of the
/// key; the record's version ranges (which carry the release's version suffixes) decide.
pub fn ecosystem_key(osv_ecosystem: &str) -> &str {
    osv_ecosystem
        .split(':')
        .next()
        .unwrap_or(osv_ecosystem)
        .trim()
}

/// The ecosystem a key's versions are ordered in.
pub fn key_ecosystem(ecosystem: &str) -> Ecosystem {
    if ecosystem == CPE_ECOSYSTEM {
        Ecosystem::Generic
    } else {
        Ecosystem::from_osv_name(ecosystem)
    }
}

/// One way an inventory component can be looked up: by its package URL or by one of its CPEs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComponentKey {
    /// OSV ecosystem name or [`CPE_ECOSYSTEM`].
    pub ecosystem: String,
    /// Normalized name or `vendor:product`.
    pub name_key: String,
    /// The version to test, when known.
    pub version: Option<String>,
}

/// Every key a component is looked up under (its purl, then each CPE), deduplicated.
pub fn component_keys(component: &Component) -> Vec<ComponentKey> {
    let mut keys = Vec::new();
    if let Some(found) = component.purl.as_deref().and_then(purl_lookup) {
        keys.push(ComponentKey {
            ecosystem: found.key.into_owned(),
            name_key: found.name_key,
            version: found
                .version
                .map(|v| v.into_owned())
                .or_else(|| component.version.clone()),
        });
    }
    for cpe in &component.cpes {
        if let Some((vendor, product, version)) = cpe_fields(cpe) {
            let version = match version.as_str() {
                "*" | "-" | "" => component.version.clone(),
                _ => Some(version),
            };
            let key = ComponentKey {
                ecosystem: CPE_ECOSYSTEM.to_owned(),
                name_key: format!("{vendor}:{product}"),
                version,
            };
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
    }
    keys
}

/// Normalized ids, preferred first; ids that do not parse are kept verbatim after them, so an
/// unknown vendor id still joins records that share it.
pub(crate) fn normalized_ids<'a>(ids: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let ids: Vec<&str> = ids
        .into_iter()
        .map(str::trim)
        .filter(|id| !id.is_empty())
        .collect();
    let mut out: Vec<String> = vulnid::normalize_aliases(ids.iter().copied())
        .into_iter()
        .map(|id| id.as_str().to_owned())
        .collect();
    for id in ids {
        if vulnid::VulnId::parse(id).is_err() && !out.iter().any(|known| known == id) {
            out.push(id.to_owned());
        }
    }
    out
}

/// Turns an OSV record into what the knowledge base keeps.
pub fn from_osv(record: &osv::Record) -> SourceRecord {
    let mut facts = Facts {
        summary: record
            .summary
            .clone()
            .filter(|s| !s.trim().is_empty())
            .or_else(|| record.details.as_deref().map(|d| first_line(d).to_owned())),
        published: record.published.clone(),
        ..Facts::default()
    };
    let severities = record
        .severity
        .iter()
        .chain(record.affected.iter().flat_map(|a| &a.severity));
    for severity in severities {
        if severity.kind.starts_with("CVSS_") && !facts.cvss_vectors.contains(&severity.score) {
            facts.cvss_vectors.push(severity.score.clone());
        }
    }
    if let Some(cwes) = record
        .database_specific
        .as_ref()
        .and_then(|d| d.get("cwe_ids"))
        .and_then(|c| c.as_array())
    {
        facts.cwes = cwes
            .iter()
            .filter_map(|c| c.as_str().map(str::to_owned))
            .collect();
    }
    let mut packages = Vec::new();
    for affected in &record.affected {
        let Some(package) = &affected.package else {
            continue;
        };
        let ecosystem = Ecosystem::from_osv_name(&package.ecosystem);
        let key = ecosystem_key(&package.ecosystem);
        let mut range = affected
            .ranges
            .iter()
            .map(|range| describe_osv_range(range, &affected.versions))
            .filter(|text| !text.is_empty())
            .collect::<Vec<_>>()
            .join("; ");
        if range.is_empty() {
            range = format!("{} listed versions", affected.versions.len());
        }
        if key != package.ecosystem.trim() {
            // The release the range is written for: `Debian:12: <7.88.1-10+deb12u5`.
            range = format!("{}: {range}", package.ecosystem.trim());
        }
        packages.push(AffectedPackage {
            ecosystem: key.to_owned(),
            name_key: ecosystem.normalize_package_name(&package.name),
            condition: Condition::Osv {
                ranges: affected.ranges.clone(),
                versions: affected.versions.clone(),
            },
            range,
        });
    }
    SourceRecord {
        kind: SourceKind::Osv,
        source_id: record.id.clone(),
        title: facts.summary.clone(),
        modified: record.modified.clone(),
        withdrawn: record.withdrawn.is_some(),
        publisher: None,
        vulnerabilities: vec![VulnerabilityPart {
            ids: normalized_ids(record.ids()),
            facts,
            packages,
            not_affected: Vec::new(),
        }],
    }
}

fn first_line(text: &str) -> &str {
    let line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    match line.char_indices().nth(200) {
        Some((cut, _)) => &line[..cut],
        None => line,
    }
}

/// Where a CSAF product is looked up and which of its versions are meant.
struct ProductKey {
    ecosystem: String,
    name_key: String,
    condition: Condition,
    range: String,
}

/// How a CSAF product is keyed: by its own (or its component's) purl, else its CPE, with the
/// condition its version information gives. A relationship product with neither ("bouncycastle as
/// a component of Red Hat build of Quarkus") is keyed by its platform's CPE as a product stream,
/// and only when affected: the platform's other components may be fine, so a "not affected" or
/// "fixed" of one component says nothing about the platform.
fn csaf_product_key(
    product: &crate::csaf::Product,
    platform: Option<&crate::csaf::Product>,
    status: VexStatus,
) -> Option<ProductKey> {
    let vers = product
        .version_range
        .as_deref()
        .filter(|range| range.starts_with("vers:"));
    let condition_for = |exact: Option<String>| match (vers, exact) {
        (Some(spec), _) => (
            Condition::Vers {
                spec: spec.to_owned(),
            },
            spec.to_owned(),
        ),
        (None, Some(version)) => (
            Condition::Exact {
                version: Some(version.clone()),
            },
            format!("={version}"),
        ),
        (None, None) => (Condition::Exact { version: None }, "any version".to_owned()),
    };
    if let Some(found) = product.purl.as_deref().and_then(purl_lookup) {
        let version = found.version.map(|v| v.into_owned());
        let (condition, range) = condition_for(version.or_else(|| product.version.clone()));
        return Some(ProductKey {
            ecosystem: found.key.into_owned(),
            name_key: found.name_key,
            condition,
            range,
        });
    }
    if let Some((vendor, name, version)) = product.cpe.as_deref().and_then(cpe_fields) {
        let exact = match version.as_str() {
            "*" | "-" | "" => product.version.clone(),
            _ => Some(version),
        };
        let (condition, range) = condition_for(exact);
        return Some(ProductKey {
            ecosystem: CPE_ECOSYSTEM.to_owned(),
            name_key: format!("{vendor}:{name}"),
            condition,
            range,
        });
    }
    let platform_cpe = platform?.cpe.as_deref()?;
    if status != VexStatus::Affected {
        return None;
    }
    let (vendor, name, version) = cpe_fields(platform_cpe)?;
    let stream = match version.as_str() {
        "*" | "-" | "" => None,
        _ => Some(version),
    };
    Some(ProductKey {
        ecosystem: CPE_ECOSYSTEM.to_owned(),
        name_key: format!("{vendor}:{name}"),
        range: format!("{} ({platform_cpe})", product.name),
        condition: Condition::CpeStream { version: stream },
    })
}

/// Turns a CSAF document into what the knowledge base keeps: one part per vulnerability, with its
/// affected products, and its `known_not_affected` and `fixed` products as VEX statements (a
/// fixed version is not affected).
pub fn from_csaf(csaf: &Csaf) -> SourceRecord {
    let products: std::collections::HashMap<String, crate::csaf::Product> = csaf
        .products()
        .into_iter()
        .map(|product| (product.product_id.clone(), product))
        .collect();
    let tracking = &csaf.document.tracking;
    let mut parts = Vec::new();
    for vulnerability in &csaf.vulnerabilities {
        let ids = normalized_ids(vulnerability.all_ids());
        let mut facts = Facts {
            summary: vulnerability
                .title
                .clone()
                .or_else(|| Some(csaf.document.title.clone())),
            ..Facts::default()
        };
        for score in &vulnerability.scores {
            if let Some(vector) = score.cvss_v3_vector()
                && !facts.cvss_vectors.iter().any(|v| v == vector)
            {
                facts.cvss_vectors.push(vector.to_owned());
            }
        }
        if let Some(cwe) = &vulnerability.cwe {
            facts.cwes.push(cwe.id.clone());
        }
        facts.exploited = vulnerability.threats.iter().any(|threat| {
            threat.category == "exploit_status"
                && threat.details.to_ascii_lowercase().contains("exploited")
                && !threat.details.to_ascii_lowercase().contains("not ")
        });
        let mut part = VulnerabilityPart {
            ids,
            facts,
            ..VulnerabilityPart::default()
        };
        if let Some(status) = &vulnerability.product_status {
            for (product_id, state) in status.statuses() {
                let Some(product) = products.get(product_id) else {
                    continue;
                };
                let platform = product
                    .relationship
                    .as_ref()
                    .and_then(|(_, _, platform)| products.get(platform));
                let Some(key) = csaf_product_key(product, platform, state) else {
                    continue;
                };
                match state {
                    VexStatus::Affected => part.packages.push(AffectedPackage {
                        ecosystem: key.ecosystem,
                        name_key: key.name_key,
                        condition: key.condition,
                        range: key.range,
                    }),
                    VexStatus::NotAffected | VexStatus::Fixed => {
                        part.not_affected.push(VexStatement {
                            ecosystem: key.ecosystem,
                            name_key: key.name_key,
                            condition: key.condition,
                            justification: if state == VexStatus::Fixed {
                                "fixed".to_owned()
                            } else {
                                csaf_justification(csaf, vulnerability, product_id)
                            },
                        })
                    }
                    VexStatus::UnderInvestigation => {}
                }
            }
        }
        if !part.ids.is_empty() {
            parts.push(part);
        }
    }
    SourceRecord {
        kind: SourceKind::Csaf,
        source_id: tracking.id.clone(),
        title: Some(csaf.document.title.clone()),
        modified: Some(tracking.current_release_date.clone()).filter(|d| !d.is_empty()),
        withdrawn: false,
        publisher: Some(csaf.document.publisher.name.clone()).filter(|n| !n.trim().is_empty()),
        vulnerabilities: parts,
    }
}

/// Turns a CycloneDX VEX document (or any BOM with `vulnerabilities[]`) into what the knowledge
/// base keeps: per vulnerability its facts (ratings, CWEs, description), the packages it says are
/// affected (`exploitable`) and the ones it says are not. `fallback_id` names the record when the
/// BOM has no `serialNumber` (its location). Statements about components the document does not
/// identify (no package URL, no CPE, a BOM-Link into another document) are left out: nothing in
/// the knowledge base could look them up.
pub fn from_cyclonedx_vex(bom: &crate::cyclonedx::Bom, fallback_id: &str) -> SourceRecord {
    use crate::vex::VexState;
    let extracted = crate::vex::from_cyclonedx(bom);
    let mut parts: Vec<VulnerabilityPart> = Vec::new();
    for vulnerability in bom.vulnerability_entries().into_iter().flatten() {
        let ids = normalized_ids(
            std::iter::once(vulnerability.id.as_str())
                .chain(vulnerability.references.iter().map(|r| r.id.as_str())),
        );
        if ids.is_empty() {
            continue;
        }
        let mut facts = Facts {
            summary: vulnerability
                .description
                .as_deref()
                .map(|d| first_line(d).to_owned())
                .filter(|d| !d.is_empty()),
            cwes: vulnerability
                .cwes
                .iter()
                .map(|n| format!("CWE-{n}"))
                .collect(),
            published: vulnerability.published.clone(),
            ..Facts::default()
        };
        for rating in &vulnerability.ratings {
            let prefix = match rating.method.as_deref() {
                Some("CVSSv3") => "CVSS:3.0/",
                Some("CVSSv31") => "CVSS:3.1/",
                Some("CVSSv4") => "CVSS:4.0/",
                _ => continue,
            };
            let Some(vector) = rating.vector.as_deref().map(str::trim) else {
                continue;
            };
            let vector = if vector.starts_with("CVSS:") {
                vector.to_owned()
            } else {
                format!("{prefix}{vector}")
            };
            if !facts.cvss_vectors.contains(&vector) {
                facts.cvss_vectors.push(vector);
            }
        }
        match parts.iter_mut().find(|p| p.ids == ids) {
            Some(part) => part.facts.merge(&facts),
            None => parts.push(VulnerabilityPart {
                ids,
                facts,
                ..VulnerabilityPart::default()
            }),
        }
    }
    for statement in extracted.statements {
        let Some(part) = parts.iter_mut().find(|p| p.ids == statement.ids) else {
            continue;
        };
        match statement.state {
            VexState::Affected => part.packages.push(AffectedPackage {
                ecosystem: statement.ecosystem,
                name_key: statement.name_key,
                condition: statement.condition,
                range: statement.range,
            }),
            VexState::NotAffected => part.not_affected.push(VexStatement {
                ecosystem: statement.ecosystem,
                name_key: statement.name_key,
                condition: statement.condition,
                justification: statement.justification,
            }),
        }
    }
    let metadata = bom.metadata.as_ref();
    SourceRecord {
        kind: SourceKind::CycloneDx,
        source_id: bom
            .serial_number
            .clone()
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| fallback_id.to_owned()),
        title: metadata
            .and_then(|m| m.component.as_ref())
            .map(|c| format!("VEX for {}", c.name)),
        modified: metadata.and_then(|m| m.timestamp.clone()),
        withdrawn: false,
        publisher: bom.issuer(),
        vulnerabilities: parts,
    }
}

/// The VEX justification of a not-affected product: its flag label, else its impact statement.
fn csaf_justification(
    csaf: &Csaf,
    vulnerability: &crate::csaf::Vulnerability,
    product_id: &str,
) -> String {
    let covers = |products: &[String], groups: &[String]| {
        products.iter().any(|p| p == product_id)
            || groups.iter().any(|g| {
                csaf.group_members(g)
                    .iter()
                    .any(|member| member == product_id)
            })
    };
    vulnerability
        .flags
        .iter()
        .find(|flag| covers(&flag.product_ids, &flag.group_ids))
        .map(|flag| flag.label.clone())
        .or_else(|| {
            vulnerability
                .threats
                .iter()
                .find(|t| t.category == "impact" && covers(&t.product_ids, &t.group_ids))
                .map(|t| t.details.clone())
        })
        .unwrap_or_else(|| "known_not_affected".to_owned())
}

/// Turns one KEV catalog entry into what the knowledge base keeps.
pub fn from_kev(entry: &kev::Entry) -> SourceRecord {
    let facts = Facts {
        summary: Some(entry.vulnerability_name.clone()).filter(|s| !s.is_empty()),
        cwes: entry.cwes.clone(),
        kev: Some(KevFacts {
            date_added: entry.date_added.clone(),
            due_date: entry.due_date.clone(),
            ransomware: entry.used_by_ransomware(),
            required_action: entry.required_action.clone(),
        }),
        exploited: true,
        ..Facts::default()
    };
    SourceRecord {
        kind: SourceKind::Kev,
        source_id: entry.cve_id.clone(),
        title: facts.summary.clone(),
        modified: Some(entry.date_added.clone()).filter(|d| !d.is_empty()),
        withdrawn: false,
        publisher: None,
        vulnerabilities: vec![VulnerabilityPart {
            ids: normalized_ids([entry.cve_id.as_str()]),
            facts,
            ..VulnerabilityPart::default()
        }],
    }
}

/// Turns a CVE JSON 5 record (and its raw JSON, for CISA's ADP SSVC data) into what the knowledge
/// base keeps. Affected products in CVE records name vendors and products in free text, so they
/// are not indexed for matching; the record contributes facts.
pub fn from_cve(record: &cve5::Record, raw: &serde_json::Value) -> SourceRecord {
    let summary = record
        .containers()
        .flat_map(|c| &c.descriptions)
        .find(|d| d.lang.starts_with("en"))
        .map(|d| first_line(&d.value).to_owned());
    let ssvc = crate::ssvc::cisa_inputs_from_cve(raw)
        .ok()
        .map(|inputs| SsvcFacts {
            exploitation: match inputs.exploitation {
                Exploitation::None => ExploitationValue::None,
                Exploitation::Poc => ExploitationValue::Poc,
                Exploitation::Active => ExploitationValue::Active,
            },
            automatable: inputs.automatable,
            technical_impact_total: inputs.technical_impact == TechnicalImpact::Total,
        });
    let facts = Facts {
        summary: summary.clone(),
        cvss_vectors: record.cvss_vectors(),
        cwes: record.cwe_ids(),
        ssvc,
        exploited: record.in_kev(),
        published: record.cve_metadata.date_published.clone(),
        ..Facts::default()
    };
    let title = record.containers.cna.title.clone().or(summary);
    SourceRecord {
        kind: SourceKind::Cve,
        source_id: record.cve_metadata.cve_id.clone(),
        title,
        modified: record.cve_metadata.date_updated.clone(),
        withdrawn: record.cve_metadata.state.eq_ignore_ascii_case("REJECTED"),
        publisher: None,
        vulnerabilities: vec![VulnerabilityPart {
            ids: normalized_ids([record.cve_metadata.cve_id.as_str()]),
            facts,
            ..VulnerabilityPart::default()
        }],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OSV: &str = r#"{"id":"GHSA-aaaa-bbbb-cccc","aliases":["CVE-2024-0001"],"modified":"2024-01-02T00:00:00Z",
      "summary":"Bad thing","severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
      "affected":[{"package":{"ecosystem":"PyPI","name":"Django_Thing"},
        "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"1.0"},{"fixed":"1.4.2"}]}]}],
      "database_specific":{"cwe_ids":["CWE-79"]}}"#;

    #[test]
    fn osv_records_keep_ids_facts_and_conditions_that_evaluate_like_the_index() {
        let record = osv::from_json(OSV).unwrap();
        let kept = from_osv(&record);
        assert_eq!(kept.source_id, "GHSA-aaaa-bbbb-cccc");
        let part = &kept.vulnerabilities[0];
        assert_eq!(part.ids, ["CVE-2024-0001", "GHSA-aaaa-bbbb-cccc"]);
        assert_eq!(part.facts.cwes, ["CWE-79"]);
        assert_eq!(part.facts.best_cvss().unwrap().base_score(), 9.8);
        let package = &part.packages[0];
        assert_eq!(
            (package.ecosystem.as_str(), package.name_key.as_str()),
            ("PyPI", "django-thing")
        );
        assert_eq!(package.range, ">=1.0, <1.4.2");
        // Survives a JSON round trip, as a store keeps it.
        let stored: Condition =
            serde_json::from_str(&serde_json::to_string(&package.condition).unwrap()).unwrap();
        let ecosystem = key_ecosystem(&package.ecosystem);
        let compiled = stored.compile(&ecosystem);
        for (version, affected) in [
            ("0.9", false),
            ("1.0", true),
            ("1.4.1", true),
            ("1.4.2", false),
        ] {
            let parsed = ecosystem.parse(version).ok();
            assert_eq!(
                compiled.affects(parsed.as_ref(), version),
                affected,
                "{version}"
            );
        }
    }

    #[test]
    fn component_keys_cover_purl_and_cpes() {
        let component = Component {
            reference: "a".into(),
            name: "Django-Thing".into(),
            group: None,
            version: Some("1.2".into()),
            purl: Some("pkg:pypi/Django_Thing@1.2".into()),
            cpes: vec!["cpe:2.3:a:acme:thing:1.2:*:*:*:*:*:*:*".into()],
            hashes: vec![],
            supplier: None,
        };
        let keys = component_keys(&component);
        assert_eq!(keys.len(), 2);
        assert_eq!(keys[0].name_key, "django-thing");
        assert_eq!(keys[0].version.as_deref(), Some("1.2"));
        assert_eq!(keys[1].ecosystem, CPE_ECOSYSTEM);
        assert_eq!(keys[1].name_key, "acme:thing");
    }

    #[test]
    fn facts_merge_keeps_the_strongest_exploitation_and_unions_lists() {
        let mut a = Facts {
            cvss_vectors: vec!["X".into()],
            ssvc: Some(SsvcFacts {
                exploitation: ExploitationValue::None,
                automatable: false,
                technical_impact_total: false,
            }),
            ..Facts::default()
        };
        let b = Facts {
            cvss_vectors: vec!["X".into(), "Y".into()],
            ssvc: Some(SsvcFacts {
                exploitation: ExploitationValue::Poc,
                automatable: true,
                technical_impact_total: true,
            }),
            ..Facts::default()
        };
        a.merge(&b);
        assert_eq!(a.cvss_vectors, ["X", "Y"]);
        assert_eq!(a.exploitation(), ExploitationValue::Poc);
        a.merge(&Facts {
            kev: Some(KevFacts::default()),
            ..Facts::default()
        });
        assert_eq!(a.exploitation(), ExploitationValue::Active);
    }

    /// A Red Hat VEX-shaped document: a component without identifiers "as a component of" a
    /// product named only by its CPE, plus a component with a purl.
    const RED_HAT_VEX: &str = r#"{"document":{"category":"csaf_vex","csaf_version":"2.0","title":"bouncycastle: LDAP injection",
      "publisher":{"category":"vendor","name":"Red Hat Product Security","namespace":"https://www.redhat.com"},
      "tracking":{"id":"CVE-2023-33201","status":"final","version":"1","current_release_date":"2024-01-01T00:00:00Z",
        "initial_release_date":"2024-01-01T00:00:00Z","revision_history":[{"date":"2024-01-01T00:00:00Z","number":"1","summary":"x"}]}},
      "product_tree":{"branches":[{"category":"vendor","name":"Red Hat","branches":[
        {"category":"product_family","name":"Quarkus","branches":[{"category":"product_name","name":"Red Hat build of Quarkus",
          "product":{"name":"Red Hat build of Quarkus","product_id":"quarkus-2","product_identification_helper":{"cpe":"cpe:/a:redhat:quarkus:2"}}}]},
        {"category":"product_version","name":"bouncycastle","product":{"name":"bouncycastle","product_id":"bouncycastle"}},
        {"category":"product_version","name":"netty","product":{"name":"netty","product_id":"netty",
          "product_identification_helper":{"purl":"pkg:maven/io.netty/netty-codec-http@4.1.108.Final-redhat-00001"}}}]}],
        "relationships":[
          {"category":"default_component_of","product_reference":"bouncycastle","relates_to_product_reference":"quarkus-2",
           "full_product_name":{"name":"bouncycastle as a component of Red Hat build of Quarkus","product_id":"quarkus-2:bouncycastle"}},
          {"category":"default_component_of","product_reference":"netty","relates_to_product_reference":"quarkus-2",
           "full_product_name":{"name":"netty as a component of Red Hat build of Quarkus","product_id":"quarkus-2:netty"}}]},
      "vulnerabilities":[{"cve":"CVE-2023-33201","product_status":{"known_affected":["quarkus-2:bouncycastle"],"fixed":["quarkus-2:netty"]}},
                         {"cve":"CVE-2023-0002","product_status":{"known_not_affected":["quarkus-2:bouncycastle"]}}]}"#;

    #[test]
    fn components_without_identifiers_are_keyed_by_their_platform_stream_when_affected() {
        let record = from_csaf(&crate::csaf::from_json(RED_HAT_VEX).unwrap());
        assert_eq!(
            record.publisher.as_deref(),
            Some("Red Hat Product Security")
        );
        let part = &record.vulnerabilities[0];
        assert_eq!(part.packages.len(), 1);
        let package = &part.packages[0];
        assert_eq!(
            (package.ecosystem.as_str(), package.name_key.as_str()),
            (CPE_ECOSYSTEM, "redhat:quarkus")
        );
        assert_eq!(
            package.range,
            "bouncycastle as a component of Red Hat build of Quarkus (cpe:/a:redhat:quarkus:2)"
        );
        let compiled = package.condition.compile(&Ecosystem::Generic);
        assert!(compiled.affects(None, "2.13"));
        assert!(!compiled.affects(None, "3.2"));
        // A fixed component with a purl is a not-affected statement for that exact version.
        assert_eq!(part.not_affected.len(), 1);
        assert_eq!(part.not_affected[0].justification, "fixed");
        assert_eq!(part.not_affected[0].name_key, "io.netty:netty-codec-http");
        // "Not affected" of one component says nothing about its platform.
        assert!(record.vulnerabilities[1].not_affected.is_empty());
        assert!(record.vulnerabilities[1].packages.is_empty());
    }

    #[test]
    fn distribution_records_meet_purls_of_their_distribution_only() {
        let record = osv::from_json(
            r#"{"id":"DSA-1","affected":[{"package":{"ecosystem":"Debian:12","name":"curl"},
               "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"7.88.1-10+deb12u5"}]}]}]}"#,
        )
        .unwrap();
        let package = &from_osv(&record).vulnerabilities[0].packages[0];
        assert_eq!(package.ecosystem, "Debian");
        assert_eq!(package.range, "Debian:12: >=0, <7.88.1-10+deb12u5");
        let key = |purl: &str| {
            component_keys(&Component {
                purl: Some(purl.into()),
                ..Component::default()
            })[0]
                .ecosystem
                .clone()
        };
        assert_eq!(
            key("pkg:deb/debian/curl@7.88.1-10?distro=debian-12"),
            "Debian"
        );
        assert_eq!(key("pkg:deb/ubuntu/curl@7.88.1-10"), "Ubuntu");
        assert_eq!(key("pkg:rpm/redhat/git-lfs@3.2.0-2.el8"), "Red Hat");
        assert_eq!(key("pkg:rpm/opensuse/curl@8.0"), "openSUSE");
        assert_eq!(key("pkg:apk/wolfi/curl@8.0-r0"), "Wolfi");
        assert_eq!(ecosystem_key("Red Hat:rhel_aus:8.6::appstream"), "Red Hat");
    }

    #[test]
    fn cyclonedx_vex_documents_become_records_with_facts_and_statements() {
        let bom = crate::cyclonedx::from_slice(
            br#"{"bomFormat":"CycloneDX","specVersion":"1.5","version":2,
              "metadata":{"timestamp":"2024-05-01T00:00:00Z","supplier":{"name":"Acme"},
                          "component":{"name":"Acme Gateway","bom-ref":"gw"}},
              "components":[{"bom-ref":"log4j","name":"log4j-core","purl":"pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"}],
              "vulnerabilities":[{"id":"CVE-2021-44228","cwes":[502],
                "ratings":[{"method":"CVSSv31","vector":"AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H"}],
                "analysis":{"state":"not_affected","justification":"code_not_reachable"},
                "affects":[{"ref":"log4j"}]}]}"#,
        )
        .unwrap();
        let record = from_cyclonedx_vex(&bom, "vex.json");
        assert_eq!(record.kind, SourceKind::CycloneDx);
        assert_eq!(record.source_id, "vex.json");
        assert_eq!(record.publisher.as_deref(), Some("Acme"));
        assert_eq!(record.title.as_deref(), Some("VEX for Acme Gateway"));
        let part = &record.vulnerabilities[0];
        assert_eq!(part.ids, ["CVE-2021-44228"]);
        assert_eq!(part.facts.cwes, ["CWE-502"]);
        assert_eq!(part.facts.best_cvss().unwrap().base_score(), 10.0);
        assert!(part.packages.is_empty());
        assert_eq!(part.not_affected[0].justification, "code_not_reachable");
        assert_eq!(
            part.not_affected[0].name_key,
            "org.apache.logging.log4j:log4j-core"
        );
    }

    #[test]
    fn unknown_ids_are_kept_verbatim() {
        assert_eq!(
            normalized_ids(["cve-2024-0001", "ACME-SA-7", " "]),
            ["CVE-2024-0001", "ACME-SA-7"]
        );
    }
}
