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
    /// Embedded vulnerabilities (VEX/VDR), kept raw.
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
