//! One module per command group.

pub mod admin;
pub mod campaign;
pub mod case;
pub mod cvss;
pub mod eval;
pub mod finding;
pub mod import;
pub mod log;
pub mod sbom;
pub mod scan;
pub mod serve;
pub mod ssvc;
pub mod validate;
pub mod version;
pub mod vex;
