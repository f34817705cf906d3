//! Data-driven tests over the real public data in `/work/shared/data` for CVSS, SSVC, identifiers
//! and version ranges (the "standards A" modules). One binary; one module per standard.

mod standards_a {
    /// Locates the shared data directory and skips (or fails in CI) when it is absent.
    pub mod shared;

    /// Red Hat's CVSS test vectors and the FIRST v4 calculator's metric table.
    pub mod cvss;

    /// CERT/CC's SSVC tables and CISA's Vulnrichment CVE records.
    pub mod ssvc;

    /// PyPA, Go and RustSec OSV records: enumerated versions inside, fixed versions outside.
    pub mod osv_ranges;
}
