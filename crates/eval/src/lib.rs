//! Confidential cyber-capability benchmark harness: sealed task suites, sandboxed agent runs against
//! any OpenAI-compatible model, scoring, and threshold policies fixed before the run.
//!
//! Layout, in reading order:
//!
//! - `suite`: the sealed task format, its loader and digest.
//! - `sandbox`: bubblewrap isolation and resource limits for each attempt.
//! - `model`: the OpenAI-compatible chat-completions client.
//! - `agent`: the loop that runs one attempt of one task.
//! - `runner`: plans, runs and resumes all attempts of a suite; writes `results`.
//! - `check_suite`: proves a suite sound before it is sealed.
//! - `results`: the `RunResults` document every later stage reads (JSON, schema-versioned).
//! - `inspect`: imports Inspect AI JSON eval logs into `RunResults`.
//! - `scoring`: pass@k, solve rates by category and difficulty, subtask and weighted rates.
//! - `policy`: the threshold policy language: parse, check, digest, evaluate with evidence.
//! - `report`: the self-contained HTML report with inline SVG charts.
//!
//! The crate depends on third-party crates only (never on the server or the store): a run can be
//! made on an isolated evaluation machine and its results carried over.

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
