//! One module per command group.
pub mod cvss;
pub mod sbom;
pub mod scan;
pub mod ssvc;
pub mod validate;
pub mod version;
