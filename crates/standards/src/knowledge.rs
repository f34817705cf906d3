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
use crate::matching::{cpe_fields, describe_osv_range, purl_key, to_range};
use crate::range::{CompiledRanges, Range, VersSpec};
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
}

impl SourceKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Osv => "osv",
            SourceKind::Csaf => "csaf",
            SourceKind::Kev => "kev",
            SourceKind::Cve => "cve",
        }
    }

    /// Parses a stored name.
    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "osv" => SourceKind::Osv,
            "csaf" => SourceKind::Csaf,
            "kev" => SourceKind::Kev,
            "cve" => SourceKind::Cve,
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
        }
    }
}

impl CompiledCondition {
    /// Whether `version` (as written, and parsed in the package's ecosystem when it parses) is
    /// inside the condition.
    pub fn affects(&self, parsed: Option<&Version>, text: &str) -> bool {
        match self {
            CompiledCondition::Osv(ranges) => {
                parsed.is_some_and(|version| ranges.affects(version).is_affected())
            }
            CompiledCondition::Vers(spec) => spec.contains(text).unwrap_or(false),
            CompiledCondition::Exact(None) => true,
            CompiledCondition::Exact(Some(version)) => version.eq_ignore_ascii_case(text),
            CompiledCondition::Never => false,
        }
    }
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
    if let Some(((ecosystem, name), version)) = component.purl.as_deref().and_then(purl_key) {
        keys.push(ComponentKey {
            ecosystem: ecosystem.osv_name().to_owned(),
            name_key: name,
            version: version.or_else(|| component.version.clone()),
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
fn normalized_ids<'a>(ids: impl IntoIterator<Item = &'a str>) -> Vec<String> {
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
        let range = affected
            .ranges
            .iter()
            .map(|range| describe_osv_range(range, &affected.versions))
            .filter(|text| !text.is_empty())
            .collect::<Vec<_>>()
            .join("; ");
        packages.push(AffectedPackage {
            ecosystem: package.ecosystem.clone(),
            name_key: ecosystem.normalize_package_name(&package.name),
            condition: Condition::Osv {
                ranges: affected.ranges.clone(),
                versions: affected.versions.clone(),
            },
            range: if range.is_empty() {
                format!("{} listed versions", affected.versions.len())
            } else {
                range
            },
        });
    }
    SourceRecord {
        kind: SourceKind::Osv,
        source_id: record.id.clone(),
        title: facts.summary.clone(),
        modified: record.modified.clone(),
        withdrawn: record.withdrawn.is_some(),
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

/// How a CSAF product is keyed, with the condition its version information gives.
fn csaf_product_key(product: &crate::csaf::Product) -> Option<(String, String, Condition, String)> {
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
    if let Some(((ecosystem, name), purl_version)) = product.purl.as_deref().and_then(purl_key) {
        let (condition, range) = condition_for(purl_version.or_else(|| product.version.clone()));
        return Some((ecosystem.osv_name().to_owned(), name, condition, range));
    }
    let (vendor, name, version) = product.cpe.as_deref().and_then(cpe_fields)?;
    let exact = match version.as_str() {
        "*" | "-" | "" => product.version.clone(),
        _ => Some(version),
    };
    let (condition, range) = condition_for(exact);
    Some((
        CPE_ECOSYSTEM.to_owned(),
        format!("{vendor}:{name}"),
        condition,
        range,
    ))
}

/// Turns a CSAF document into what the knowledge base keeps: one part per vulnerability, with its
/// affected products and its VEX `known_not_affected` products.
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
                let Some((ecosystem, name_key, condition, range)) = csaf_product_key(product)
                else {
                    continue;
                };
                match state {
                    VexStatus::Affected => part.packages.push(AffectedPackage {
                        ecosystem,
                        name_key,
                        condition,
                        range,
                    }),
                    VexStatus::NotAffected => part.not_affected.push(VexStatement {
                        ecosystem,
                        name_key,
                        condition,
                        justification: csaf_justification(csaf, vulnerability, product_id),
                    }),
                    VexStatus::Fixed | VexStatus::UnderInvestigation => {}
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

    #[test]
    fn unknown_ids_are_kept_verbatim() {
        assert_eq!(
            normalized_ids(["cve-2024-0001", "ACME-SA-7", " "]),
            ["CVE-2024-0001", "ACME-SA-7"]
        );
    }
}
