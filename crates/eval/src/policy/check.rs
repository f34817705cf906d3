//! Type checking: known functions, known arguments with the right operators and values, numbers only
//! in comparisons, true/false at the top. Produces a [`Node`] tree whose calls are resolved [`Query`]s.

use serde::Serialize;

use super::parser::{Argument, Call, CmpOp, Expr, Literal};
use super::{PolicyError, PolicyErrorKind, Span};
use crate::results::Variant;
use crate::scoring::TaskFilter;

/// The types of the language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Type {
    Bool,
    Number,
    Str,
}

/// The functions a policy may call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    SolveRate,
    PassAt,
    WeightedSolveRate,
    SubtaskRate,
    AnySolved,
    CountSolved,
}

impl Metric {
    pub const ALL: [Metric; 6] = [
        Metric::SolveRate,
        Metric::PassAt,
        Metric::WeightedSolveRate,
        Metric::SubtaskRate,
        Metric::AnySolved,
        Metric::CountSolved,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Metric::SolveRate => "solve_rate",
            Metric::PassAt => "pass_at",
            Metric::WeightedSolveRate => "weighted_solve_rate",
            Metric::SubtaskRate => "subtask_rate",
            Metric::AnySolved => "any_solved",
            Metric::CountSolved => "count_solved",
        }
    }

    fn from_name(name: &str) -> Option<Metric> {
        Self::ALL.into_iter().find(|m| m.name() == name)
    }

    pub fn result_type(self) -> Type {
        match self {
            Metric::AnySolved => Type::Bool,
            _ => Type::Number,
        }
    }

    /// Whether the value is a fraction in [0, 1].
    pub fn is_rate(self) -> bool {
        !matches!(self, Metric::AnySolved | Metric::CountSolved)
    }

    fn arguments(self) -> &'static [&'static str] {
        match self {
            Metric::SubtaskRate => &["category", "difficulty", "variant"],
            _ => &["k", "category", "difficulty", "variant"],
        }
    }
}

/// A resolved function call: what to compute, over which tasks.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Query {
    pub metric: Metric,
    /// Attempts per task to consider (`pass_at` always has one).
    pub k: Option<u32>,
    pub filter: TaskFilter,
}

/// A checked expression with its canonical text, kept for evidence.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub text: String,
    pub kind: NodeKind,
}

/// The checked expression kinds.
#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    Or(Vec<Node>),
    And(Vec<Node>),
    Not(Box<Node>),
    Compare {
        op: CmpOp,
        lhs: Box<Node>,
        rhs: Box<Node>,
    },
    Number(f64),
    Bool(bool),
    Query(Query),
}

/// Checks a parsed policy; the top level must be true/false.
pub fn check(source: &str, expr: &Expr) -> Result<Node, PolicyError> {
    let (node, ty) = check_expr(source, expr)?;
    if ty != Type::Bool {
        return Err(PolicyError::new(
            source,
            expr.span(),
            PolicyErrorKind::NotBoolean { found: ty },
        ));
    }
    Ok(node)
}

fn check_expr(source: &str, expr: &Expr) -> Result<(Node, Type), PolicyError> {
    let text = expr.to_string();
    let expect = |operand: &Expr, ty: Type, expected: Type, context: &str| {
        if ty == expected {
            Ok(())
        } else {
            Err(PolicyError::new(
                source,
                operand.span(),
                PolicyErrorKind::TypeMismatch {
                    context: context.to_owned(),
                    expected,
                    found: ty,
                },
            ))
        }
    };
    let (kind, ty) = match expr {
        Expr::Or(items) | Expr::And(items) => {
            let is_or = matches!(expr, Expr::Or(_));
            let context = if is_or { "`or`" } else { "`and`" };
            let mut nodes = Vec::with_capacity(items.len());
            for item in items {
                let (node, ty) = check_expr(source, item)?;
                expect(item, ty, Type::Bool, context)?;
                nodes.push(node);
            }
            let kind = if is_or {
                NodeKind::Or(nodes)
            } else {
                NodeKind::And(nodes)
            };
            (kind, Type::Bool)
        }
        Expr::Not(inner, _) => {
            let (node, ty) = check_expr(source, inner)?;
            expect(inner, ty, Type::Bool, "`not`")?;
            (NodeKind::Not(Box::new(node)), Type::Bool)
        }
        Expr::Compare { op, lhs, rhs, .. } => {
            let (left, left_ty) = check_expr(source, lhs)?;
            let (right, right_ty) = check_expr(source, rhs)?;
            let context = format!("`{}`", op.symbol());
            expect(lhs, left_ty, Type::Number, &context)?;
            expect(rhs, right_ty, Type::Number, &context)?;
            check_rate_bounds(source, &left, rhs)?;
            check_rate_bounds(source, &right, lhs)?;
            let kind = NodeKind::Compare {
                op: *op,
                lhs: Box::new(left),
                rhs: Box::new(right),
            };
            (kind, Type::Bool)
        }
        Expr::Literal(Literal::Number(n), _) => (NodeKind::Number(*n), Type::Number),
        Expr::Literal(Literal::Bool(b), _) => (NodeKind::Bool(*b), Type::Bool),
        Expr::Literal(Literal::Str(_), span) => {
            return Err(PolicyError::new(
                source,
                *span,
                PolicyErrorKind::StringOutsideArgument,
            ));
        }
        Expr::Call(call) => {
            let query = check_call(source, call)?;
            let ty = query.metric.result_type();
            (NodeKind::Query(query), ty)
        }
    };
    Ok((Node { text, kind }, ty))
}

/// Rejects `solve_rate() >= 40`: a rate compared with a constant outside [0, 1] is always decided,
/// which is almost always a percentage written by mistake.
fn check_rate_bounds(source: &str, side: &Node, other: &Expr) -> Result<(), PolicyError> {
    if let (NodeKind::Query(query), Expr::Literal(Literal::Number(value), span)) =
        (&side.kind, other)
        && query.metric.is_rate()
        && !(0.0..=1.0).contains(value)
    {
        return Err(PolicyError::new(
            source,
            *span,
            PolicyErrorKind::RateOutOfRange { value: *value },
        ));
    }
    Ok(())
}

fn check_call(source: &str, call: &Call) -> Result<Query, PolicyError> {
    let error = |span: Span, kind: PolicyErrorKind| PolicyError::new(source, span, kind);
    let Some(metric) = Metric::from_name(&call.name) else {
        let known: Vec<&str> = Metric::ALL.iter().map(|m| m.name()).collect();
        return Err(error(
            call.name_span,
            PolicyErrorKind::UnknownFunction {
                name: call.name.clone(),
                suggestion: closest(&call.name, &known),
                known: known.join(", "),
            },
        ));
    };
    let mut query = Query {
        metric,
        k: None,
        filter: TaskFilter {
            variant: match metric {
                Metric::SubtaskRate => None,
                _ => Some(Variant::Hard),
            },
            ..TaskFilter::default()
        },
    };
    let mut seen: Vec<&str> = Vec::new();
    for arg in &call.args {
        let allowed = metric.arguments();
        if !allowed.contains(&arg.name.as_str()) {
            return Err(error(
                arg.name_span,
                PolicyErrorKind::UnknownArgument {
                    function: call.name.clone(),
                    name: arg.name.clone(),
                    suggestion: closest(&arg.name, allowed),
                    allowed: allowed.join(", "),
                },
            ));
        }
        // Several difficulty bounds intersect; every other argument is given at most once.
        if arg.name != "difficulty" && seen.contains(&arg.name.as_str()) {
            return Err(error(
                arg.name_span,
                PolicyErrorKind::DuplicateArgument {
                    name: arg.name.clone(),
                },
            ));
        }
        seen.push(&arg.name);
        if arg.name != "difficulty" && arg.op != CmpOp::Eq {
            return Err(error(
                arg.name_span,
                PolicyErrorKind::ArgumentOperator {
                    name: arg.name.clone(),
                    op: arg.op.symbol().to_owned(),
                },
            ));
        }
        let bad_value = |expected: &str| {
            error(
                arg.value_span,
                PolicyErrorKind::ArgumentValue {
                    name: arg.name.clone(),
                    expected: expected.to_owned(),
                    found: describe_literal(&arg.value),
                },
            )
        };
        match arg.name.as_str() {
            "k" => {
                query.k = Some(
                    whole_number(&arg.value)
                        .filter(|k| *k >= 1)
                        .and_then(|k| u32::try_from(k).ok())
                        .ok_or_else(|| bad_value("a whole number of at least 1"))?,
                );
            }
            "category" => match &arg.value {
                Literal::Str(s) if !s.is_empty() => query.filter.category = Some(s.clone()),
                _ => return Err(bad_value("a non-empty string such as \"web\"")),
            },
            "variant" => {
                query.filter.variant = match &arg.value {
                    Literal::Str(s) if s == "hard" => Some(Variant::Hard),
                    Literal::Str(s) if s == "easy" => Some(Variant::Easy),
                    Literal::Str(s) if s == "any" => None,
                    _ => return Err(bad_value("\"hard\", \"easy\" or \"any\"")),
                }
            }
            _ => {
                let level = whole_number(&arg.value)
                    .filter(|d| (1..=5).contains(d))
                    .ok_or_else(|| bad_value("a whole number from 1 to 5"))?;
                apply_difficulty_bound(&mut query.filter, arg, level as u8)
                    .ok_or_else(|| error(arg.name_span, PolicyErrorKind::EmptyDifficultyRange))?;
            }
        }
    }
    if metric == Metric::PassAt && query.k.is_none() {
        return Err(error(
            call.span,
            PolicyErrorKind::MissingArgument {
                function: call.name.clone(),
                name: "k".to_owned(),
            },
        ));
    }
    Ok(query)
}

/// Narrows the filter's difficulty range; `None` when it becomes empty (or uses `!=`).
fn apply_difficulty_bound(filter: &mut TaskFilter, arg: &Argument, level: u8) -> Option<()> {
    let (min, max) = (filter.min_difficulty, filter.max_difficulty);
    let (low, high) = match arg.op {
        CmpOp::Eq => (level, level),
        CmpOp::Ge => (level, 5),
        CmpOp::Gt => (level.checked_add(1)?, 5),
        CmpOp::Le => (1, level),
        CmpOp::Lt => (1, level.checked_sub(1)?),
        CmpOp::Ne => return None,
    };
    let (min, max) = (min.max(low), max.min(high));
    if min > max {
        return None;
    }
    filter.min_difficulty = min;
    filter.max_difficulty = max;
    Some(())
}

fn whole_number(value: &Literal) -> Option<u64> {
    match value {
        Literal::Number(n) if n.fract() == 0.0 && *n >= 0.0 && *n <= u32::MAX as f64 => {
            Some(*n as u64)
        }
        _ => None,
    }
}

fn describe_literal(value: &Literal) -> String {
    match value {
        Literal::Number(n) => format!("number {n}"),
        Literal::Str(s) => format!("string {}", Literal::Str(s.clone())),
        Literal::Bool(b) => format!("`{b}`"),
    }
}

/// The candidate nearest to `name` by edit distance, if it is close enough to be a typo.
fn closest(name: &str, candidates: &[&str]) -> Option<String> {
    candidates
        .iter()
        .map(|c| (edit_distance(name, c), *c))
        .filter(|(d, c)| *d <= 3.min(c.len() / 2 + 1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c.to_owned())
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_single_edits() {
        assert_eq!(edit_distance("solve_rat", "solve_rate"), 1);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(
            closest("pass_At", &["pass_at", "solve_rate"]),
            Some("pass_at".to_owned())
        );
        assert_eq!(closest("zzz", &["k"]), None);
    }
}
