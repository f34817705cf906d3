//! One module per command group.

pub mod admin;
pub mod log;
pub mod serve;
