//! The standards the clearinghouse speaks, as a pure library: no I/O, no database, no async.
//!
//! Shared by the server, the importers, the CLI and the benchmarks.
//!
//! # Layout
//!
//! Identifiers and scores, leaves with no dependency on the rest of the crate:
//! - [`version`]: each ecosystem's version ordering (PEP 440, SemVer, Maven, dpkg, RPM, apk …).
//! - [`range`]: OSV range evaluation ([`range::CompiledRanges`] for hot loops) and `vers:` specifiers.
//! - [`purl`], [`cpe`], [`cwe`], [`vulnid`]: package URLs, CPE 2.3 names, CWE ids, vulnerability ids.
//! - [`cvss`]: CVSS v2/v3.0/v3.1/v4.0 vectors and scores.
//! - [`ssvc`]: SSVC decision tables (CERT/CC JSON) and the built-in CISA tables.
//!
//! Documents and matching, built on the above:
//! - [`osv`], [`csaf`], [`cve5`], [`kev`], [`epss`]: advisory formats.
//! - [`cyclonedx`], [`spdx`], [`sbom`], [`sarif`], [`schema`]: SBOMs, SARIF and schema validation.
//! - [`matching`]: SBOM components against advisories.
//! - [`knowledge`]: what the knowledge base keeps of each document, as serializable data.
//! - [`vex`]: VEX statements from CSAF and CycloneDX documents.
#![deny(missing_docs)]

pub mod cpe;
pub mod csaf;
pub mod cve5;
pub mod cvss;
pub mod cwe;
pub mod cyclonedx;
pub mod epss;
pub mod kev;
pub mod knowledge;
pub mod matching;
pub mod osv;
pub mod purl;
pub mod range;
pub mod sarif;
pub mod sbom;
pub mod schema;
pub mod spdx;
pub mod ssvc;
pub mod version;
pub mod vex;
pub mod vulnid;
