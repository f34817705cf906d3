//! The standards the clearinghouse speaks, as a pure library: no I/O, no database, no async.
//!
//! Shared by the server, the importers, the CLI and the benchmarks.
#![deny(missing_docs)]

pub mod cpe;
pub mod cve5;
pub mod csaf;
pub mod cvss;
pub mod cwe;
pub mod cyclonedx;
pub mod epss;
pub mod kev;
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
pub mod vulnid;
