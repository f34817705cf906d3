//! Confidential cyber-capability benchmark harness: sealed task suites, sandboxed agent runs against
//! any OpenAI-compatible model, scoring, and threshold policies fixed before the run.
//!
//! # Layout
//!
//! In reading order:
//! - [`suite`]: the on-disk task format, its loader and the suite digest;
//! - [`sandbox`]: bubblewrap isolation of the agent's commands and of a task's loopback service;
//! - [`model`]: a small OpenAI-compatible chat-completions client with retries;
//! - [`agent`]: one attempt: the tool-calling loop, its limits, transcripts and answer checking;
//! - [`runner`]: a whole run: planned attempts, concurrency, atomic results, resume;
//! - [`check_suite`]: proof that a suite is sound before it is sealed;
//! - [`results`]: the results document the runner writes and everything else reads;
//! - [`scoring`]: pass@k, solve rates, subtask and human-time-weighted rates;
//! - [`policy`]: the threshold policy language and its evaluation;
//! - [`report`]: the HTML report of a run;
//! - [`inspect`]: import of Inspect AI logs as results.
//!
//! The crate depends on third-party crates only (never on the server or the store): a run can be
//! made on an isolated evaluation machine and its results carried over.
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
