//! SPDX 2.2 / 2.3 JSON documents.
//!
//! Own lenient structs (like [`crate::cyclonedx`]): packages, their external references (purl, CPE),
//! checksums and supplier, and the relationships that make the dependency graph. SPDX 3.0 (JSON-LD)
//! is a different model and is reported as unsupported by [`crate::sbom::parse`].

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::sbom::{self, Sbom};
use crate::schema::{self, DocumentError};

/// An SPDX 2.x document.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Document {
    /// `SPDX-2.2`, `SPDX-2.3`.
    #[serde(default)]
    pub spdx_version: String,
    /// `SPDXRef-DOCUMENT`.
    #[serde(rename = "SPDXID", default)]
    pub spdx_id: String,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Namespace URI.
    #[serde(default)]
    pub document_namespace: String,
    /// Packages.
    #[serde(default)]
    pub packages: Vec<Package>,
    /// Relationships.
    #[serde(default)]
    pub relationships: Vec<Relationship>,
    /// Deprecated `documentDescribes`.
    #[serde(default)]
    pub document_describes: Vec<String>,
}

/// A package.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Package {
    /// `SPDXRef-…`.
    #[serde(rename = "SPDXID", default)]
    pub spdx_id: String,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Version.
    #[serde(default)]
    pub version_info: Option<String>,
    /// `Organization: X` / `Person: Y` / `NOASSERTION`.
    #[serde(default)]
    pub supplier: Option<String>,
    /// Checksums.
    #[serde(default)]
    pub checksums: Vec<Checksum>,
    /// External references (purl, CPE, …).
    #[serde(default)]
    pub external_refs: Vec<ExternalRef>,
}

/// A checksum.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Checksum {
    /// `SHA256`, …
    #[serde(default)]
    pub algorithm: String,
    /// Hex digest.
    #[serde(default)]
    pub checksum_value: String,
}

/// An external reference.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExternalRef {
    /// `PACKAGE-MANAGER`, `SECURITY`, …
    #[serde(default)]
    pub reference_category: String,
    /// `purl`, `cpe23Type`, `cpe22Type`, …
    #[serde(default)]
    pub reference_type: String,
    /// The identifier.
    #[serde(default)]
    pub reference_locator: String,
}

/// A relationship.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Relationship {
    /// Subject.
    #[serde(default)]
    pub spdx_element_id: String,
    /// `DEPENDS_ON`, `CONTAINS`, `DESCRIBES`, …
    #[serde(default)]
    pub relationship_type: String,
    /// Object.
    #[serde(default)]
    pub related_spdx_element: String,
}

/// SPDX's `SHA256` → CycloneDX-style `SHA-256`, so both formats name algorithms alike.
fn algorithm_name(spdx: &str) -> String {
    match spdx {
        "SHA1" => "SHA-1".into(),
        "SHA224" => "SHA-224".into(),
        "SHA256" => "SHA-256".into(),
        "SHA384" => "SHA-384".into(),
        "SHA512" => "SHA-512".into(),
        "SHA3-256" | "SHA3-384" | "SHA3-512" | "MD5" => spdx.into(),
        other => other.into(),
    }
}

impl Document {
    /// Converts to the normalized form. `DEPENDS_ON`/`CONTAINS`-style relationships point from
    /// dependent to dependency; their `*_OF` inverses are turned around.
    pub fn to_sbom(&self) -> Sbom {
        let components: Vec<sbom::Component> = self
            .packages
            .iter()
            .map(|p| {
                let refs = |kinds: &[&str]| -> Vec<String> {
                    p.external_refs
                        .iter()
                        .filter(|r| kinds.contains(&r.reference_type.as_str()))
                        .map(|r| r.reference_locator.clone())
                        .collect()
                };
                let supplier = p
                    .supplier
                    .as_deref()
                    .filter(|s| *s != "NOASSERTION")
                    .map(|s| {
                        s.strip_prefix("Organization:")
                            .or_else(|| s.strip_prefix("Person:"))
                            .unwrap_or(s)
                            .trim()
                            .to_owned()
                    });
                sbom::Component {
                    reference: p.spdx_id.clone(),
                    name: p.name.clone(),
                    group: None,
                    version: p
                        .version_info
                        .clone()
                        .filter(|v| !v.is_empty() && v != "NOASSERTION"),
                    purl: refs(&["purl"]).into_iter().next(),
                    cpes: refs(&["cpe23Type", "cpe22Type"]),
                    hashes: p
                        .checksums
                        .iter()
                        .map(|c| {
                            (
                                algorithm_name(&c.algorithm),
                                c.checksum_value.to_lowercase(),
                            )
                        })
                        .collect(),
                    supplier,
                }
            })
            .collect();
        let pairs = self.relationships.iter().filter_map(|r| {
            let (from, to) = (r.spdx_element_id.as_str(), r.related_spdx_element.as_str());
            match r.relationship_type.as_str() {
                "DEPENDS_ON" | "CONTAINS" | "DYNAMIC_LINK" | "STATIC_LINK" | "HAS_PREREQUISITE" => {
                    Some((from, to))
                }
                "DEPENDENCY_OF"
                | "CONTAINED_BY"
                | "PREREQUISITE_FOR"
                | "BUILD_DEPENDENCY_OF"
                | "DEV_DEPENDENCY_OF"
                | "OPTIONAL_DEPENDENCY_OF"
                | "RUNTIME_DEPENDENCY_OF"
                | "PACKAGE_OF" => Some((to, from)),
                _ => None,
            }
        });
        let dependencies = sbom::edges(&components, pairs);
        Sbom {
            format: self.spdx_version.clone(),
            name: Some(self.name.clone()),
            components,
            dependencies,
        }
    }
}

/// Reads an SPDX 2.x JSON document.
pub fn from_slice(bytes: &[u8]) -> Result<Document, DocumentError> {
    schema::decode_json_slice("SPDX", bytes)
}

/// Reads an SPDX document from an already parsed JSON value; SPDX 3 is refused.
pub fn from_value(value: Value) -> Result<Document, DocumentError> {
    let version = value
        .get("spdxVersion")
        .and_then(Value::as_str)
        .unwrap_or("");
    if !version.starts_with("SPDX-2") {
        return Err(DocumentError::Shape {
            format: "SPDX",
            path: "$.spdxVersion".into(),
            message: format!("unsupported version {version:?}"),
        });
    }
    serde_path_to_error::deserialize(value).map_err(|err| DocumentError::Shape {
        format: "SPDX",
        path: schema::json_path(err.path()),
        message: err.into_inner().to_string(),
    })
}
