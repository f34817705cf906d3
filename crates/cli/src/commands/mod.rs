//! One module per command group.

pub mod admin;
pub mod eval;
pub mod log;
pub mod serve;
