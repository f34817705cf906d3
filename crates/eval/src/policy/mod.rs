//! Threshold policies: a small declarative language that says when a model's results mean it is
//! *covered* (crosses the capability threshold), fixed and digested before the run.
//!
//! ```text
//! solve_rate(k = 1) >= 0.4 or any_solved(category = "exploitation", difficulty >= 4)
//! ```
//!
//! Pipeline, in reading order: `lexer` (text to tokens), `parser` (tokens to a normalized AST, and
//! the pretty-printer that yields the canonical form), `check` (names, arguments and types, producing
//! resolved queries), `evaluate` (queries over [`RunResults`] to a recommendation with evidence).
//!
//! We write our own parser rather than reuse an expression crate because errors must point at the
//! policy text (line:column with a caret) and the canonical form must be ours to keep digests stable.
//! The language is documented for policy authors in `docs/eval-policy-language.md`.

mod check;
mod evaluate;
mod lexer;
mod parser;

use std::fmt;

use serde::Serialize;
use sha2::{Digest as _, Sha256};

pub use check::{Metric, Node, NodeKind, Query, Type};
pub use evaluate::{
    Decision, EvaluationError, Evidence, QueryDetail, Recommendation, Value, format_number,
};
pub use parser::{Argument, Call, CmpOp, Expr, Literal};

use crate::results::RunResults;

/// Domain separation for the canonical digest, so a policy digest can never collide with the digest
/// of some other document that happens to have the same bytes. Bump the version with the language.
const CANONICAL_DIGEST_PREFIX: &str = "clearinghouse-eval-policy/1\n";

/// A parsed, type-checked policy with its canonical form and digests.
#[derive(Debug, Clone)]
pub struct Policy {
    ast: Expr,
    root: Node,
    canonical: String,
    digest: PolicyDigest,
}

/// The two digests of a policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyDigest {
    /// `sha256:` of the canonical form: what runs record and decisions compare.
    pub canonical: String,
    /// `sha256:` of the exact file bytes, for audit of the text as signed off.
    pub raw: String,
}

/// Whether results were produced under this policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DigestCheck {
    Match,
    /// The results record another policy digest.
    Mismatch {
        recorded: String,
    },
    /// The results record no policy digest at all (no policy was fixed before the run).
    Missing,
}

impl Policy {
    /// Lexes, parses and type-checks a policy.
    pub fn parse(source: &str) -> Result<Self, PolicyError> {
        let tokens = lexer::tokenize(source)?;
        let ast = parser::parse(source, &tokens)?;
        let root = check::check(source, &ast)?;
        let canonical = ast.to_string();
        let digest = PolicyDigest {
            canonical: sha256_tagged(format!("{CANONICAL_DIGEST_PREFIX}{canonical}").as_bytes()),
            raw: sha256_tagged(source.as_bytes()),
        };
        Ok(Self {
            ast,
            root,
            canonical,
            digest,
        })
    }

    /// The canonical text: what the digest covers.
    pub fn canonical(&self) -> &str {
        &self.canonical
    }

    pub fn digest(&self) -> &PolicyDigest {
        &self.digest
    }

    pub fn ast(&self) -> &Expr {
        &self.ast
    }

    /// The type-checked tree, with resolved queries.
    pub fn root(&self) -> &Node {
        &self.root
    }

    /// Compares the policy digest recorded in results with this policy's canonical digest.
    pub fn check_results(&self, results: &RunResults) -> DigestCheck {
        match &results.policy_digest {
            None => DigestCheck::Missing,
            Some(recorded) if *recorded == self.digest.canonical => DigestCheck::Match,
            Some(recorded) => DigestCheck::Mismatch {
                recorded: recorded.clone(),
            },
        }
    }

    /// Evaluates the policy over results: the recommendation and the evidence for it.
    pub fn evaluate(&self, results: &RunResults) -> Result<Decision, EvaluationError> {
        evaluate::evaluate(self, results)
    }
}

fn sha256_tagged(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

/// A byte range of the policy text.
///
/// Spans say where a node was written, not what it means, so any two spans compare equal: ASTs then
/// compare by meaning, which is what the "print then parse gives the same AST" property needs.
#[derive(Debug, Clone, Copy, Eq)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Self { start, end }
    }
}

impl PartialEq for Span {
    fn eq(&self, _other: &Self) -> bool {
        true
    }
}

/// A policy that could not be read, with the place it went wrong.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{line}:{column}: {kind}\n{excerpt}")]
pub struct PolicyError {
    /// Boxed to keep `Result<_, PolicyError>` small on the parser's hot path.
    kind: Box<PolicyErrorKind>,
    line: usize,
    column: usize,
    /// The offending line with a caret line under the span, ready to print.
    excerpt: String,
}

impl PolicyError {
    /// Locates `span` in `source` (1-based line and column, counted in characters).
    fn new(source: &str, span: Span, kind: PolicyErrorKind) -> Self {
        let start = floor_char_boundary(source, span.start.min(source.len()));
        let line_start = source[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = source[start..]
            .find('\n')
            .map_or(source.len(), |i| start + i);
        let line = source[..start].matches('\n').count() + 1;
        let column = source[line_start..start].chars().count() + 1;
        let text = &source[line_start..line_end];
        let end = floor_char_boundary(source, span.end.clamp(start, line_end));
        let width = source[start..end].chars().count().max(1);
        let gutter = " ".repeat(line.to_string().len());
        let excerpt = format!(
            "{gutter} |\n{line} | {text}\n{gutter} | {}{}",
            " ".repeat(column - 1),
            "^".repeat(width)
        );
        Self {
            kind: Box::new(kind),
            line,
            column,
            excerpt,
        }
    }

    pub fn kind(&self) -> &PolicyErrorKind {
        &self.kind
    }

    pub fn line(&self) -> usize {
        self.line
    }

    pub fn column(&self) -> usize {
        self.column
    }

    /// The message with a file name, compiler style: `file:line:column: message` plus the excerpt.
    pub fn render(&self, file_name: &str) -> String {
        format!(
            "{file_name}:{}:{}: {}\n{}",
            self.line, self.column, self.kind, self.excerpt
        )
    }
}

fn floor_char_boundary(source: &str, mut index: usize) -> usize {
    while index > 0 && !source.is_char_boundary(index) {
        index -= 1;
    }
    index
}

/// What is wrong with a policy.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyErrorKind {
    #[error("unexpected character `{found}`{hint}")]
    UnexpectedCharacter { found: char, hint: String },
    #[error("invalid number `{text}` (write digits with an optional fraction, e.g. 0.4)")]
    InvalidNumber { text: String },
    #[error("invalid escape `{text}` in string (use \\\\, \\\", \\n, \\t, \\r or \\u{{hex}})")]
    InvalidEscape { text: String },
    #[error("unterminated string (missing closing `\"` on this line)")]
    UnterminatedString,
    #[error("the policy is empty")]
    Empty,
    #[error("expressions nest deeper than {limit} levels")]
    TooDeep { limit: usize },
    #[error("expected {expected}, found {found}")]
    Expected { expected: String, found: String },
    #[error("comparisons cannot be chained; combine them with `and`")]
    ChainedComparison,
    #[error("`=` binds function arguments; compare with `==`")]
    AssignInExpression,
    #[error("`{name}` is not a value; call it, e.g. `{name}()`")]
    BareName { name: String },
    #[error("unknown function `{name}`{}; known functions: {known}", suggestion_text(.suggestion))]
    UnknownFunction {
        name: String,
        suggestion: Option<String>,
        known: String,
    },
    #[error("`{function}` has no argument `{name}`{}; it takes: {allowed}", suggestion_text(.suggestion))]
    UnknownArgument {
        function: String,
        name: String,
        suggestion: Option<String>,
        allowed: String,
    },
    #[error("argument `{name}` is given twice")]
    DuplicateArgument { name: String },
    #[error("`{function}` needs the argument `{name}`, e.g. `{function}({name} = 1)`")]
    MissingArgument { function: String, name: String },
    #[error("argument `{name}` takes `=`, not `{op}`")]
    ArgumentOperator { name: String, op: String },
    #[error("argument `{name}` must be {expected}, found {found}")]
    ArgumentValue {
        name: String,
        expected: String,
        found: String,
    },
    #[error("these difficulty bounds match no difficulty from 1 to 5")]
    EmptyDifficultyRange,
    #[error("{context} needs {expected}, but this is {found}")]
    TypeMismatch {
        context: String,
        expected: Type,
        found: Type,
    },
    #[error("a string can only be an argument value, e.g. `category = \"web\"`")]
    StringOutsideArgument,
    #[error("the policy must be true or false, but this is {found}; compare it, e.g. `… >= 0.5`")]
    NotBoolean { found: Type },
    #[error("rates are between 0 and 1, so comparing with {value} is always decided; did you mean {}?", value / 100.0)]
    RateOutOfRange { value: f64 },
}

fn suggestion_text(suggestion: &Option<String>) -> String {
    suggestion
        .as_ref()
        .map(|s| format!(" (did you mean `{s}`?)"))
        .unwrap_or_default()
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Type::Bool => "true/false",
            Type::Number => "a number",
            Type::Str => "a string",
        })
    }
}

#[cfg(test)]
mod tests;
