//! Confidential cyber-capability benchmark harness: sealed task suites, sandboxed agent runs against
//! any OpenAI-compatible model, scoring, and threshold policies fixed before the run.

pub mod agent;
pub mod check_suite;
pub mod inspect;
pub mod model;
pub mod policy;
pub mod report;
pub mod results;
pub mod runner;
pub mod sandbox;
pub mod scoring;
pub mod suite;
