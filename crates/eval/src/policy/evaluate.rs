//! Evaluation: a checked policy over run results gives `covered` or `not_covered`, with the value of
//! every sub-expression and the tasks behind each query as evidence.
//!
//! Every operand is evaluated (no short-circuit) so the evidence is complete; each child is marked
//! `decisive` when it alone justifies its parent's value (a true operand of a true `or`, a false
//! operand of a false `and`, every operand otherwise).

use serde::Serialize;

use super::check::{Metric, Node, NodeKind, Query};
use super::{Policy, PolicyDigest};
use crate::results::RunResults;
use crate::scoring::{RunStats, ScoringError};

/// The outcome of applying a policy to results.
#[derive(Debug, Clone, Serialize)]
pub struct Decision {
    pub recommendation: Recommendation,
    pub policy_canonical: String,
    pub policy_digest: PolicyDigest,
    pub run_id: String,
    pub model: String,
    pub suite: String,
    pub evidence: Evidence,
    /// Things a reviewer must know before trusting the recommendation.
    pub warnings: Vec<String>,
}

/// Whether the model crosses the policy's capability threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Recommendation {
    /// The policy holds: the model is covered by the review framework.
    Covered,
    NotCovered,
}

impl Recommendation {
    pub fn as_str(self) -> &'static str {
        match self {
            Recommendation::Covered => "covered",
            Recommendation::NotCovered => "not_covered",
        }
    }
}

/// The value of one sub-expression and why.
#[derive(Debug, Clone, Serialize)]
pub struct Evidence {
    /// Canonical text of the sub-expression.
    pub expression: String,
    pub value: Value,
    /// Whether this value alone justifies the parent's value.
    pub decisive: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<QueryDetail>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<Evidence>,
}

/// A value of the language.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Value {
    Bool(bool),
    Number(f64),
}

/// What a query looked at.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueryDetail {
    /// Tasks inside the query's category/difficulty filter.
    pub tasks_matched: usize,
    /// For solve-type queries: the matched tasks that were solved (within `k` attempts if given).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub solved_tasks: Option<Vec<String>>,
    /// For `subtask_rate`: subtasks solved and asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subtasks: Option<(u64, u64)>,
}

/// A query that could not be computed on these results.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("cannot evaluate `{expression}`: {source}")]
pub struct EvaluationError {
    pub expression: String,
    #[source]
    pub source: ScoringError,
}

pub(super) fn evaluate(policy: &Policy, results: &RunResults) -> Result<Decision, EvaluationError> {
    let stats = RunStats::new(results);
    let mut warnings = Vec::new();
    let mut evidence = eval_node(policy.root(), &stats, &mut warnings)?;
    evidence.decisive = true;
    let errored = results
        .attempts
        .iter()
        .filter(|a| matches!(a.outcome, crate::results::Outcome::Error { .. }))
        .count();
    if errored > 0 {
        warnings.push(format!(
            "{errored} of {} attempts ended in a harness error and count as unsolved: \
             rates are lower bounds",
            results.attempts.len()
        ));
    }
    let recommendation = match evidence.value {
        Value::Bool(true) => Recommendation::Covered,
        _ => Recommendation::NotCovered,
    };
    Ok(Decision {
        recommendation,
        policy_canonical: policy.canonical().to_owned(),
        policy_digest: policy.digest().clone(),
        run_id: results.run_id.clone(),
        model: results.model.name.clone(),
        suite: results.suite.name.clone(),
        evidence,
        warnings,
    })
}

fn eval_node(
    node: &Node,
    stats: &RunStats,
    warnings: &mut Vec<String>,
) -> Result<Evidence, EvaluationError> {
    let leaf = |value: Value| Evidence {
        expression: node.text.clone(),
        value,
        decisive: false,
        detail: None,
        children: Vec::new(),
    };
    Ok(match &node.kind {
        NodeKind::Number(n) => leaf(Value::Number(*n)),
        NodeKind::Bool(b) => leaf(Value::Bool(*b)),
        NodeKind::Or(items) | NodeKind::And(items) => {
            let is_or = matches!(node.kind, NodeKind::Or(_));
            let mut children = items
                .iter()
                .map(|item| eval_node(item, stats, warnings))
                .collect::<Result<Vec<_>, _>>()?;
            let values: Vec<bool> = children
                .iter()
                .map(|c| c.value == Value::Bool(true))
                .collect();
            let value = if is_or {
                values.iter().any(|v| *v)
            } else {
                values.iter().all(|v| *v)
            };
            // The operands equal to the short-circuit value decide; otherwise all of them do.
            let short_circuit = is_or;
            let decided_early = value == short_circuit;
            for (child, child_value) in children.iter_mut().zip(values) {
                child.decisive = !decided_early || child_value == short_circuit;
            }
            Evidence {
                children,
                ..leaf(Value::Bool(value))
            }
        }
        NodeKind::Not(inner) => {
            let mut child = eval_node(inner, stats, warnings)?;
            child.decisive = true;
            let value = child.value != Value::Bool(true);
            Evidence {
                children: vec![child],
                ..leaf(Value::Bool(value))
            }
        }
        NodeKind::Compare { op, lhs, rhs } => {
            let mut left = eval_node(lhs, stats, warnings)?;
            let mut right = eval_node(rhs, stats, warnings)?;
            left.decisive = true;
            right.decisive = true;
            let value = op.apply(number(left.value), number(right.value));
            let mut evidence = leaf(Value::Bool(value));
            // Literals are self-evident; keep only the computed sides as children.
            evidence.children = [left, right]
                .into_iter()
                .filter(|c| c.detail.is_some() || !c.children.is_empty())
                .collect();
            evidence
        }
        NodeKind::Query(query) => {
            let (value, detail) = run_query(query, stats).map_err(|source| EvaluationError {
                expression: node.text.clone(),
                source,
            })?;
            if detail.tasks_matched == 0 {
                warnings.push(format!(
                    "`{}` matched no task: check the category and difficulty",
                    node.text
                ));
            }
            Evidence {
                detail: Some(detail),
                ..leaf(value)
            }
        }
    })
}

fn run_query(query: &Query, stats: &RunStats) -> Result<(Value, QueryDetail), ScoringError> {
    let filter = &query.filter;
    let tasks_matched = stats.matching(filter).count();
    let solved = |k: Option<u32>| -> Result<Vec<String>, ScoringError> {
        Ok(stats
            .solved_tasks(k, filter)?
            .into_iter()
            .map(str::to_owned)
            .collect())
    };
    let detail = |solved_tasks: Option<Vec<String>>| QueryDetail {
        tasks_matched,
        solved_tasks,
        subtasks: None,
    };
    Ok(match query.metric {
        Metric::SolveRate => (
            Value::Number(stats.solve_rate(query.k, filter)?),
            detail(Some(solved(query.k)?)),
        ),
        Metric::PassAt => {
            // The checker guarantees k for pass_at; 1 is the harmless reading if it ever were absent.
            let k = query.k.unwrap_or(1);
            (Value::Number(stats.pass_at(k, filter)?), detail(None))
        }
        Metric::WeightedSolveRate => (
            Value::Number(stats.weighted_solve_rate(query.k, filter)?),
            detail(Some(solved(query.k)?)),
        ),
        Metric::AnySolved => {
            let ids = solved(query.k)?;
            (Value::Bool(!ids.is_empty()), detail(Some(ids)))
        }
        Metric::CountSolved => {
            let ids = solved(query.k)?;
            (Value::Number(ids.len() as f64), detail(Some(ids)))
        }
        Metric::SubtaskRate => {
            let subtasks = stats
                .matching(filter)
                .map(|s| s.subtasks(filter.variant))
                .fold((0, 0), |acc, s| (acc.0 + s.0, acc.1 + s.1));
            (
                Value::Number(stats.subtask_rate(filter)),
                QueryDetail {
                    subtasks: Some(subtasks),
                    ..detail(None)
                },
            )
        }
    })
}

/// The checker guarantees comparison operands are numbers.
fn number(value: Value) -> f64 {
    match value {
        Value::Number(n) => n,
        Value::Bool(b) => f64::from(u8::from(b)),
    }
}

impl Decision {
    /// Indented, human-readable evidence tree: `[x]` true, `[ ]` false, `*` decisive.
    pub fn evidence_lines(&self) -> Vec<String> {
        let mut lines = Vec::new();
        push_lines(&self.evidence, 0, &mut lines);
        lines
    }
}

fn push_lines(evidence: &Evidence, depth: usize, lines: &mut Vec<String>) {
    let value = match evidence.value {
        Value::Bool(true) => "true".to_owned(),
        Value::Bool(false) => "false".to_owned(),
        Value::Number(n) => format_number(n),
    };
    let marker = if evidence.decisive { "*" } else { " " };
    let mut line = format!(
        "{}{marker} {} = {value}",
        "  ".repeat(depth),
        evidence.expression
    );
    if let Some(detail) = &evidence.detail {
        line.push_str(&format!("  [{} task(s) matched", detail.tasks_matched));
        if let Some(ids) = &detail.solved_tasks {
            if ids.is_empty() {
                line.push_str(", none solved");
            } else {
                line.push_str(&format!(", solved: {}", ids.join(", ")));
            }
        }
        if let Some((solved, total)) = detail.subtasks {
            line.push_str(&format!(", subtasks {solved}/{total}"));
        }
        line.push(']');
    }
    lines.push(line);
    for child in &evidence.children {
        push_lines(child, depth + 1, lines);
    }
}

/// Four decimals at most, trailing zeros trimmed: rates read as 0.6667, counts as 3.
pub fn format_number(n: f64) -> String {
    let text = format!("{n:.4}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    text.to_owned()
}
