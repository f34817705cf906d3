//! One normalized component list for every SBOM format.
//!
//! CycloneDX ([`crate::cyclonedx`]) and SPDX ([`crate::spdx`]) describe the same things with
//! different words; matching and the operator inventory only need name, version, purl, CPEs,
//! hashes, supplier and the dependency graph. [`parse`] detects the format and converts.

use serde::Serialize;

use crate::schema::{DocumentError, Format};

/// A normalized SBOM.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Sbom {
    /// Source format and version, e.g. `CycloneDX 1.5`, `SPDX-2.3`.
    pub format: String,
    /// Document name or the main component's name.
    pub name: Option<String>,
    /// Components in document order (nested CycloneDX components flattened depth-first).
    pub components: Vec<Component>,
    /// Edges `(dependent, dependency)` as indexes into `components`; edges that name an unknown
    /// reference are dropped.
    pub dependencies: Vec<(usize, usize)>,
}

/// One component (CycloneDX component or SPDX package).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Component {
    /// `bom-ref` or `SPDXID`.
    pub reference: String,
    /// Name.
    pub name: String,
    /// CycloneDX group (Maven group id, npm scope).
    pub group: Option<String>,
    /// Version.
    pub version: Option<String>,
    /// Package URL.
    pub purl: Option<String>,
    /// CPEs.
    pub cpes: Vec<String>,
    /// Hashes as (algorithm, hex value).
    pub hashes: Vec<(String, String)>,
    /// Supplier name.
    pub supplier: Option<String>,
}

impl Sbom {
    /// Direct dependencies of the component at `index`.
    pub fn dependencies_of(&self, index: usize) -> impl Iterator<Item = &Component> {
        self.dependencies
            .iter()
            .filter(move |(from, _)| *from == index)
            .map(|(_, to)| &self.components[*to])
    }
}

/// Builds the edge list from (from-ref, to-ref) pairs.
pub(crate) fn edges<'a>(
    components: &[Component],
    pairs: impl Iterator<Item = (&'a str, &'a str)>,
) -> Vec<(usize, usize)> {
    let index: std::collections::HashMap<&str, usize> = components
        .iter()
        .enumerate()
        .map(|(i, c)| (c.reference.as_str(), i))
        .collect();
    let mut out: Vec<(usize, usize)> = pairs
        .filter_map(|(from, to)| Some((*index.get(from)?, *index.get(to)?)))
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// Reads any supported SBOM (CycloneDX JSON 1.2–1.6, SPDX 2.2/2.3 JSON).
///
/// The format is told from a marker key so the document is deserialized once, straight into the
/// format's structs (building a `serde_json::Value` first would cost a second pass).
pub fn parse(bytes: &[u8]) -> Result<Sbom, DocumentError> {
    let contains = |needle: &[u8]| bytes.windows(needle.len()).any(|window| window == needle);
    if contains(b"\"bomFormat\"") {
        return Ok(crate::cyclonedx::from_slice(bytes)?.to_sbom());
    }
    if contains(b"\"spdxVersion\"") {
        let document = crate::spdx::from_slice(bytes)?;
        if !document.spdx_version.starts_with("SPDX-2") {
            return Err(DocumentError::Shape {
                format: "SPDX",
                path: "$.spdxVersion".into(),
                message: format!("unsupported version {:?}", document.spdx_version),
            });
        }
        return Ok(document.to_sbom());
    }
    // Not an SBOM: say why precisely when it is not even JSON.
    let value: serde_json::Value = crate::schema::decode_json_slice("SBOM", bytes)?;
    let found = crate::schema::detect(&value).map_or("unknown", Format::name);
    Err(DocumentError::Shape {
        format: "SBOM",
        path: "$".into(),
        message: format!("neither CycloneDX (bomFormat) nor SPDX 2.x (spdxVersion), found {found}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cyclonedx_and_spdx_fixtures_normalize_alike() {
        let cdx = parse(include_bytes!("../tests/fixtures/cyclonedx-sample.json")).unwrap();
        let spdx = parse(include_bytes!("../tests/fixtures/spdx-sample.json")).unwrap();
        for sbom in [&cdx, &spdx] {
            let purls: Vec<_> = sbom
                .components
                .iter()
                .filter_map(|c| c.purl.as_deref())
                .collect();
            assert_eq!(
                purls,
                [
                    "pkg:npm/app@1.0.0",
                    "pkg:npm/lodash@4.17.20",
                    "pkg:npm/minimist@1.2.5"
                ],
                "{}",
                sbom.format
            );
            let app_deps: Vec<_> = sbom.dependencies_of(0).map(|c| c.name.as_str()).collect();
            assert_eq!(app_deps, ["lodash", "minimist"], "{}", sbom.format);
            assert_eq!(
                sbom.components[1].hashes,
                [("SHA-256".to_owned(), "aa".repeat(32))],
                "{}",
                sbom.format
            );
            assert_eq!(
                sbom.components[1].supplier.as_deref(),
                Some("OpenJS Foundation"),
                "{}",
                sbom.format
            );
        }
        assert_eq!(cdx.format, "CycloneDX 1.5");
        assert_eq!(spdx.format, "SPDX-2.3");
        assert_eq!(
            cdx.components[2].cpes,
            ["cpe:2.3:a:substack:minimist:1.2.5:*:*:*:*:*:*:*"]
        );
        assert_eq!(
            spdx.components[2].cpes,
            ["cpe:2.3:a:substack:minimist:1.2.5:*:*:*:*:*:*:*"]
        );
    }

    #[test]
    fn unknown_format_is_an_error() {
        assert!(parse(br#"{"hello": 1}"#).is_err());
        assert!(parse(b"not json").is_err());
    }
}
