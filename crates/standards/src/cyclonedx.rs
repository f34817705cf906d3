//! CycloneDX JSON BOMs (spec 1.2–1.6; the fields used here did not change across them).
//!
//! Own lenient structs rather than `serde-cyclonedx`: that crate has one module per spec version
//! and rejects documents that stray from the schema, while real BOMs (and 1.7 ones) should still
//! yield their components. Schema conformance is checked separately in [`crate::schema`].

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::sbom::{self, Sbom};
use crate::schema::{self, DocumentError};

/// A CycloneDX BOM.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Bom {
    /// Always `CycloneDX`.
    #[serde(default)]
    pub bom_format: String,
    /// `1.4`, `1.5`, `1.6`, …
    #[serde(default)]
    pub spec_version: String,
    /// `urn:uuid:…`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serial_number: Option<String>,
    /// Metadata, with the component the BOM describes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
    /// Components (may nest).
    #[serde(default)]
    pub components: Vec<Component>,
    /// Dependency graph.
    #[serde(default)]
    pub dependencies: Vec<Dependency>,
    /// BOM revision: a later version of the same `serialNumber` replaces an earlier one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<Value>,
    /// Embedded vulnerabilities (VEX/VDR), kept raw so that one odd entry never makes the
    /// components unreadable; [`Bom::vulnerability_entries`] reads them one by one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vulnerabilities: Vec<Value>,
}

/// `metadata`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Metadata {
    /// The subject of the BOM.
    #[serde(default)]
    pub component: Option<Component>,
    /// Generation time.
    #[serde(default)]
    pub timestamp: Option<String>,
    /// Who supplied the BOM.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supplier: Option<Entity>,
    /// Who made the described component (`manufacture` up to 1.5, `manufacturer` from 1.6).
    #[serde(
        default,
        alias = "manufacturer",
        skip_serializing_if = "Option::is_none"
    )]
    pub manufacture: Option<Entity>,
    /// Who wrote the BOM.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub authors: Vec<Entity>,
}

/// A component.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Component {
    /// `library`, `application`, `operating-system`, …
    #[serde(rename = "type", default)]
    pub kind: String,
    /// Reference used by the dependency graph.
    #[serde(rename = "bom-ref", default)]
    pub bom_ref: Option<String>,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Group (Maven group id, npm scope).
    #[serde(default)]
    pub group: Option<String>,
    /// Version.
    #[serde(default)]
    pub version: Option<String>,
    /// Package URL.
    #[serde(default)]
    pub purl: Option<String>,
    /// CPE.
    #[serde(default)]
    pub cpe: Option<String>,
    /// Hashes.
    #[serde(default)]
    pub hashes: Vec<Hash>,
    /// Supplier.
    #[serde(default)]
    pub supplier: Option<Entity>,
    /// Publisher (free text), used when there is no supplier.
    #[serde(default)]
    pub publisher: Option<String>,
    /// Nested components.
    #[serde(default)]
    pub components: Vec<Component>,
}

/// A hash.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Hash {
    /// `SHA-256`, …
    #[serde(default)]
    pub alg: String,
    /// Hex digest.
    #[serde(default)]
    pub content: String,
}

/// An organizational entity.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Entity {
    /// Name.
    #[serde(default)]
    pub name: Option<String>,
}

/// One entry of `vulnerabilities[]`: a VEX statement (with `analysis`) or a VDR finding.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Vulnerability {
    /// `CVE-…`, `GHSA-…`, a vendor id.
    #[serde(default)]
    pub id: String,
    /// Other ids of the same vulnerability.
    #[serde(default)]
    pub references: Vec<VulnerabilityReference>,
    /// Severity ratings.
    #[serde(default)]
    pub ratings: Vec<Rating>,
    /// CWE numbers.
    #[serde(default)]
    pub cwes: Vec<u32>,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// When published.
    #[serde(default)]
    pub published: Option<String>,
    /// When last updated.
    #[serde(default)]
    pub updated: Option<String>,
    /// The VEX analysis: state, justification, response, detail.
    #[serde(default)]
    pub analysis: Option<Analysis>,
    /// The components (by `bom-ref` or BOM-Link) it speaks about.
    #[serde(default)]
    pub affects: Vec<Affects>,
}

/// `vulnerabilities[].references[]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct VulnerabilityReference {
    /// The other id.
    #[serde(default)]
    pub id: String,
}

/// `vulnerabilities[].ratings[]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Rating {
    /// `CVSSv2`, `CVSSv3`, `CVSSv31`, `CVSSv4`, `OWASP`, `other`.
    #[serde(default)]
    pub method: Option<String>,
    /// The vector, with or without its `CVSS:3.1/` prefix.
    #[serde(default)]
    pub vector: Option<String>,
}

/// `vulnerabilities[].analysis`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    /// `resolved`, `resolved_with_pedigree`, `exploitable`, `in_triage`, `false_positive`,
    /// `not_affected`.
    #[serde(default)]
    pub state: Option<String>,
    /// Why not affected: `code_not_present`, `code_not_reachable`, `requires_configuration`, …
    #[serde(default)]
    pub justification: Option<String>,
    /// Free-text detail.
    #[serde(default)]
    pub detail: Option<String>,
}

/// `vulnerabilities[].affects[]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Affects {
    /// A `bom-ref` of this BOM or a BOM-Link (`urn:cdx:serial/version#bom-ref`).
    #[serde(rename = "ref", default)]
    pub reference: String,
    /// Versions or `vers:` ranges with their status; empty means the referenced component as is.
    #[serde(default)]
    pub versions: Vec<AffectedVersion>,
}

/// `vulnerabilities[].affects[].versions[]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AffectedVersion {
    /// One version.
    #[serde(default)]
    pub version: Option<String>,
    /// A `vers:` range.
    #[serde(default)]
    pub range: Option<String>,
    /// `affected`, `unaffected` or `unknown`; absent means the analysis decides.
    #[serde(default)]
    pub status: Option<String>,
}

/// `dependencies[]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Dependency {
    /// The dependent.
    #[serde(rename = "ref", default)]
    pub reference: String,
    /// Its direct dependencies.
    #[serde(default)]
    pub depends_on: Vec<String>,
}

impl Bom {
    /// Every component depth-first, the metadata component first.
    pub fn all_components(&self) -> Vec<&Component> {
        fn walk<'a>(components: &'a [Component], out: &mut Vec<&'a Component>) {
            for component in components {
                out.push(component);
                walk(&component.components, out);
            }
        }
        let mut out = Vec::new();
        if let Some(main) = self.metadata.as_ref().and_then(|m| m.component.as_ref()) {
            out.push(main);
            walk(&main.components, &mut out);
        }
        walk(&self.components, &mut out);
        out
    }

    /// The `vulnerabilities[]` entries, each read on its own: an entry that does not have the
    /// CycloneDX shape is an error naming its JSON path, and the others are still read.
    pub fn vulnerability_entries(&self) -> Vec<Result<Vulnerability, DocumentError>> {
        self.vulnerabilities
            .iter()
            .enumerate()
            .map(|(index, value)| {
                serde_path_to_error::deserialize(value).map_err(|err| DocumentError::Shape {
                    format: "CycloneDX",
                    path: format!(
                        "$.vulnerabilities[{index}]{}",
                        schema::json_path(err.path()).trim_start_matches('$')
                    ),
                    message: err.into_inner().to_string(),
                })
            })
            .collect()
    }

    /// Who issued the BOM: its supplier, manufacturer, first author, or the described
    /// component's supplier.
    pub fn issuer(&self) -> Option<String> {
        let metadata = self.metadata.as_ref()?;
        metadata
            .supplier
            .iter()
            .chain(&metadata.manufacture)
            .chain(&metadata.authors)
            .chain(
                metadata
                    .component
                    .as_ref()
                    .and_then(|c| c.supplier.as_ref()),
            )
            .find_map(|entity| entity.name.clone().filter(|n| !n.trim().is_empty()))
    }

    /// Converts to the normalized form.
    pub fn to_sbom(&self) -> Sbom {
        let components: Vec<sbom::Component> = self
            .all_components()
            .into_iter()
            .enumerate()
            .map(|(index, c)| sbom::Component {
                reference: c.bom_ref.clone().unwrap_or_else(|| format!("#{index}")),
                name: c.name.clone(),
                group: c.group.clone().filter(|g| !g.is_empty()),
                version: c.version.clone().filter(|v| !v.is_empty()),
                purl: c.purl.clone().filter(|p| !p.is_empty()),
                cpes: c
                    .cpe
                    .iter()
                    .filter(|cpe| !cpe.is_empty())
                    .cloned()
                    .collect(),
                hashes: c
                    .hashes
                    .iter()
                    .map(|h| (h.alg.clone(), h.content.clone()))
                    .collect(),
                supplier: c
                    .supplier
                    .as_ref()
                    .and_then(|s| s.name.clone())
                    .or_else(|| c.publisher.clone()),
            })
            .collect();
        let pairs = self.dependencies.iter().flat_map(|dep| {
            dep.depends_on
                .iter()
                .map(move |to| (dep.reference.as_str(), to.as_str()))
        });
        let dependencies = sbom::edges(&components, pairs);
        Sbom {
            format: format!("CycloneDX {}", self.spec_version),
            name: self
                .metadata
                .as_ref()
                .and_then(|m| m.component.as_ref())
                .map(|c| c.name.clone()),
            components,
            dependencies,
        }
    }
}

/// Reads a CycloneDX JSON BOM.
pub fn from_slice(bytes: &[u8]) -> Result<Bom, DocumentError> {
    schema::decode_json_slice("CycloneDX", bytes)
}

/// Reads a CycloneDX BOM from an already parsed JSON value.
pub fn from_value(value: Value) -> Result<Bom, DocumentError> {
    serde_path_to_error::deserialize(value).map_err(|err| DocumentError::Shape {
        format: "CycloneDX",
        path: schema::json_path(err.path()),
        message: err.into_inner().to_string(),
    })
}
