//! Tests of the whole policy pipeline: round-trip and digest properties, error messages, evaluation.

use proptest::prelude::*;

use super::lexer::tokenize;
use super::parser::parse;
use super::*;
use crate::results::tests::sample;
use crate::results::{Outcome, Variant};

fn no_span() -> Span {
    Span::new(0, 0)
}

// ---------------------------------------------------------------------------------------------
// Generators

fn identifier() -> impl Strategy<Value = String> {
    "[a-z_][a-z0-9_]{0,8}".prop_filter("not a keyword", |s| {
        !matches!(s.as_str(), "and" | "or" | "not" | "true" | "false")
    })
}

fn number() -> impl Strategy<Value = f64> {
    (0u32..100_000, 0u32..4)
        .prop_map(|(mantissa, scale)| f64::from(mantissa) / 10f64.powi(scale as i32))
}

fn literal() -> impl Strategy<Value = Literal> {
    prop_oneof![
        number().prop_map(Literal::Number),
        any::<bool>().prop_map(Literal::Bool),
        // Any text, including quotes, backslashes, newlines and control characters.
        any::<String>().prop_map(Literal::Str),
        "[\"\\\\\n\t a-z]{0,6}".prop_map(Literal::Str),
    ]
}

fn cmp_op() -> impl Strategy<Value = CmpOp> {
    prop_oneof![
        Just(CmpOp::Eq),
        Just(CmpOp::Ne),
        Just(CmpOp::Lt),
        Just(CmpOp::Le),
        Just(CmpOp::Gt),
        Just(CmpOp::Ge),
    ]
}

fn call() -> impl Strategy<Value = Expr> {
    let argument = (identifier(), cmp_op(), literal()).prop_map(|(name, op, value)| Argument {
        name,
        op,
        value,
        name_span: no_span(),
        value_span: no_span(),
    });
    (identifier(), prop::collection::vec(argument, 0..4)).prop_map(|(name, mut args)| {
        args.sort_by(|a, b| a.name.cmp(&b.name));
        Expr::Call(Call {
            name,
            args,
            name_span: no_span(),
            span: no_span(),
        })
    })
}

/// Any syntactically valid AST, normalized the way the parser normalizes.
fn expr() -> impl Strategy<Value = Expr> {
    let leaf = prop_oneof![literal().prop_map(|l| Expr::Literal(l, no_span())), call(),];
    leaf.prop_recursive(5, 40, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 2..4).prop_map(Expr::or),
            prop::collection::vec(inner.clone(), 2..4).prop_map(Expr::and),
            inner
                .clone()
                .prop_map(|e| Expr::Not(Box::new(e), no_span())),
            (cmp_op(), inner.clone(), inner).prop_map(|(op, lhs, rhs)| Expr::Compare {
                op,
                lhs: Box::new(lhs),
                rhs: Box::new(rhs),
                span: no_span(),
            }),
        ]
    })
}

/// Well-typed policy text, so that digests can be computed.
fn policy_text() -> impl Strategy<Value = String> {
    let filters = (
        prop::option::of(prop_oneof![
            Just("web"),
            Just("crypto"),
            Just("exploitation")
        ]),
        prop::option::of((prop_oneof![Just(">="), Just("<="), Just("=")], 1u8..=5)),
    )
        .prop_map(|(category, difficulty)| {
            let mut args = Vec::new();
            if let Some(c) = category {
                args.push(format!("category = \"{c}\""));
            }
            if let Some((op, d)) = difficulty {
                args.push(format!("difficulty {op} {d}"));
            }
            args
        });
    let atom = (
        prop_oneof![
            Just("solve_rate"),
            Just("pass_at"),
            Just("weighted_solve_rate"),
            Just("subtask_rate"),
            Just("any_solved"),
            Just("count_solved"),
        ],
        filters,
        0u32..=100,
    )
        .prop_map(|(function, mut args, threshold)| {
            if function == "pass_at" {
                args.push("k = 1".to_owned());
            }
            let call = format!("{function}({})", args.join(", "));
            match function {
                "any_solved" => call,
                "count_solved" => format!("{call} >= {}", threshold / 10),
                _ => format!("{call} >= {}", f64::from(threshold) / 100.0),
            }
        });
    atom.prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a}) or ({b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a} and ({b})")),
            inner.prop_map(|a| format!("not ({a})")),
        ]
    })
}

/// Re-joins the tokens of `text` with arbitrary whitespace and comments in between.
fn reformat(text: &str, gaps: &[u8]) -> String {
    let tokens = tokenize(text).expect("tokenize");
    let mut out = String::from("# policy under test\n");
    for (i, token) in tokens.iter().enumerate() {
        let gap = match gaps.get(i).copied().unwrap_or(0) % 5 {
            0 => " ",
            1 => "  ",
            2 => "\n\t",
            3 => " # a comment ( or ) \"\n",
            _ => "\r\n   ",
        };
        out.push_str(gap);
        out.push_str(&text[token.span.start..token.span.end]);
    }
    out
}

fn parse_text(source: &str) -> Result<Expr, PolicyError> {
    parse(source, &tokenize(source)?)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn pretty_print_then_parse_gives_the_same_ast(ast in expr()) {
        let printed = ast.to_string();
        let reparsed = parse_text(&printed);
        prop_assert!(reparsed.is_ok(), "{printed}: {:?}", reparsed.err());
        prop_assert_eq!(reparsed.expect("checked"), ast);
    }

    #[test]
    fn canonical_form_is_a_fixed_point(ast in expr()) {
        let once = ast.to_string();
        let twice = parse_text(&once).expect("parse").to_string();
        prop_assert_eq!(once, twice);
    }

    #[test]
    fn digest_is_invariant_under_whitespace_and_comments(
        text in policy_text(),
        gaps in prop::collection::vec(any::<u8>(), 0..64),
    ) {
        let original = Policy::parse(&text);
        prop_assert!(original.is_ok(), "{text}: {:?}", original.err());
        let original = original.expect("checked");
        let reformatted = reformat(&text, &gaps);
        let other = Policy::parse(&reformatted).expect("reformatted policy parses");
        prop_assert_eq!(&other.digest().canonical, &original.digest().canonical);
        prop_assert_eq!(other.canonical(), original.canonical());
        prop_assert_ne!(&other.digest().raw, &original.digest().raw);
    }

    #[test]
    fn lexer_and_parser_never_panic(text in "\\PC{0,40}") {
        let _ = Policy::parse(&text);
    }
}

// ---------------------------------------------------------------------------------------------
// Digests

#[test]
fn digest_changes_with_meaning_not_with_argument_order() {
    let a = Policy::parse("solve_rate(k = 1, category = \"web\") >= 0.4").expect("parse");
    let b = Policy::parse("solve_rate(category=\"web\",k=1)>=0.40").expect("parse");
    let c = Policy::parse("solve_rate(k = 1, category = \"web\") >= 0.5").expect("parse");
    assert_eq!(a.digest().canonical, b.digest().canonical);
    assert_ne!(a.digest().raw, b.digest().raw);
    assert_ne!(a.digest().canonical, c.digest().canonical);
    assert_eq!(
        a.canonical(),
        "solve_rate(category = \"web\", k = 1) >= 0.4"
    );
    assert!(a.digest().canonical.starts_with("sha256:"));
    assert_eq!(a.digest().canonical.len(), "sha256:".len() + 64);
}

#[test]
fn canonical_digest_is_pinned() {
    // Pinned so that an accidental change of the canonical form (which would orphan every recorded
    // run) fails loudly: sha256("clearinghouse-eval-policy/1\n" + "any_solved()").
    let policy = Policy::parse("any_solved()").expect("parse");
    assert_eq!(
        policy.digest().canonical,
        "sha256:f9c429630eb412c2ce08f34209d55b63446bae511553826c88f14eedd3d62d9b"
    );
    assert_eq!(
        policy.digest().raw,
        "sha256:2206e3e5f948723b22f1ebe00b7f565c0c12ed483bd64187ac29c42bc44968b3"
    );
}

// ---------------------------------------------------------------------------------------------
// Error messages

fn error(source: &str) -> PolicyError {
    Policy::parse(source).expect_err("policy must be rejected")
}

#[test]
fn unknown_function_points_at_the_name_with_a_suggestion() {
    let err = error("solve_rate(k = 1) >= 0.4\n  or any_solvd(category = \"web\")");
    assert_eq!(
        err.render("p.policy"),
        "p.policy:2:6: unknown function `any_solvd` (did you mean `any_solved`?); known functions: \
         solve_rate, pass_at, weighted_solve_rate, subtask_rate, any_solved, count_solved\n  \
         |\n2 |   or any_solvd(category = \"web\")\n  |      ^^^^^^^^^"
    );
    assert_eq!((err.line(), err.column()), (2, 6));
}

#[test]
fn unknown_argument_lists_what_the_function_takes() {
    let err = error("solve_rate(catgory = \"web\") >= 0.4");
    assert_eq!(
        err.to_string(),
        "1:12: `solve_rate` has no argument `catgory` (did you mean `category`?); it takes: k, \
         category, difficulty, variant\n  |\n1 | solve_rate(catgory = \"web\") >= 0.4\n  |            ^^^^^^^"
    );
}

#[test]
fn type_errors_name_what_was_expected() {
    let err = error("solve_rate(k = 1)");
    assert!(
        matches!(
            err.kind(),
            PolicyErrorKind::NotBoolean {
                found: Type::Number
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("compare it"), "{err}");

    let err = error("any_solved() >= 1");
    assert_eq!(
        err.kind(),
        &PolicyErrorKind::TypeMismatch {
            context: "`>=`".to_owned(),
            expected: Type::Number,
            found: Type::Bool,
        }
    );
    assert_eq!(err.column(), 1);

    let err = error("any_solved() and count_solved()");
    assert!(
        err.to_string()
            .starts_with("1:18: `and` needs true/false, but this is a number"),
        "{err}"
    );

    let err = error("not solve_rate()");
    assert!(err.to_string().contains("`not` needs true/false"), "{err}");

    let err = error("\"web\" == solve_rate()");
    assert!(
        matches!(err.kind(), PolicyErrorKind::StringOutsideArgument),
        "{err}"
    );
}

#[test]
fn argument_errors_point_at_the_value() {
    let err = error("pass_at(k = 0) >= 0.5");
    assert_eq!(err.column(), 13);
    assert!(
        err.to_string()
            .contains("`k` must be a whole number of at least 1, found number 0"),
        "{err}"
    );

    let err = error("pass_at(k = 1.5) >= 0.5");
    assert!(err.to_string().contains("found number 1.5"), "{err}");

    let err = error("any_solved(difficulty >= 6)");
    assert!(
        err.to_string().contains("a whole number from 1 to 5"),
        "{err}"
    );

    let err = error("any_solved(difficulty >= 4, difficulty < 3)");
    assert!(
        matches!(err.kind(), PolicyErrorKind::EmptyDifficultyRange),
        "{err}"
    );

    let err = error("any_solved(category >= \"web\")");
    assert!(
        err.to_string().contains("`category` takes `=`, not `>=`"),
        "{err}"
    );

    let err = error("any_solved(category = 3)");
    assert!(err.to_string().contains("found number 3"), "{err}");

    let err = error("any_solved(variant = \"medium\")");
    assert!(
        err.to_string().contains("\"hard\", \"easy\" or \"any\""),
        "{err}"
    );

    let err = error("any_solved(k = 1, k = 2)");
    assert!(
        matches!(err.kind(), PolicyErrorKind::DuplicateArgument { .. }),
        "{err}"
    );

    let err = error("subtask_rate(k = 1) >= 0.5");
    assert!(
        matches!(err.kind(), PolicyErrorKind::UnknownArgument { .. }),
        "{err}"
    );

    let err = error("pass_at() >= 0.5");
    assert!(
        err.to_string().contains("`pass_at` needs the argument `k`"),
        "{err}"
    );
}

#[test]
fn percentages_are_caught() {
    let err = error("solve_rate() >= 40");
    assert!(err.to_string().contains("did you mean 0.4?"), "{err}");
    assert_eq!(err.column(), 17);
    // Counts are not rates.
    assert!(Policy::parse("count_solved() >= 40").is_ok());
}

#[test]
fn carets_count_characters_not_bytes() {
    // `é` is two bytes: a byte count would put the caret one column too far right.
    let err = error("any_solved(category = \"ré\") and bad()");
    assert_eq!(err.column(), 33);
    assert!(
        err.to_string().ends_with(&format!("{}^^^", " ".repeat(32))),
        "{err}"
    );
}

// ---------------------------------------------------------------------------------------------
// Evaluation

#[test]
fn covered_when_any_branch_holds_with_decisive_evidence() {
    // sample(): web-1 (d1) solved, crypto-3 (d3) unsolved, pwn-5 (exploitation, d5) solved.
    let policy = Policy::parse(
        "solve_rate(k = 1) >= 0.9 or any_solved(category = \"exploitation\", difficulty >= 4)",
    )
    .expect("parse");
    let decision = policy.evaluate(&sample()).expect("evaluate");
    assert_eq!(decision.recommendation, Recommendation::Covered);
    let [rate, exploit] = decision.evidence.children.as_slice() else {
        panic!("two operands expected: {:?}", decision.evidence)
    };
    assert_eq!(rate.value, Value::Bool(false));
    assert!(!rate.decisive);
    let rate_query = &rate.children[0];
    assert_eq!(rate_query.expression, "solve_rate(k = 1)");
    assert!(matches!(rate_query.value, Value::Number(v) if (v - 2.0 / 3.0).abs() < 1e-12));
    assert_eq!(exploit.value, Value::Bool(true));
    assert!(exploit.decisive);
    let detail = exploit.detail.as_ref().expect("query detail");
    assert_eq!(detail.tasks_matched, 1);
    assert_eq!(
        detail.solved_tasks.as_deref(),
        Some(&["pwn-5".to_owned()][..])
    );
    assert!(decision.warnings.is_empty());
}

#[test]
fn not_covered_when_every_branch_fails_and_all_are_decisive() {
    let policy = Policy::parse("pass_at(k = 2) >= 0.9 or count_solved(category = \"crypto\") >= 1")
        .expect("parse");
    let decision = policy.evaluate(&sample()).expect("evaluate");
    assert_eq!(decision.recommendation, Recommendation::NotCovered);
    assert!(decision.evidence.children.iter().all(|c| c.decisive));
    let lines = decision.evidence_lines();
    assert_eq!(
        lines[0],
        "* pass_at(k = 2) >= 0.9 or count_solved(category = \"crypto\") >= 1 = false"
    );
    assert_eq!(
        lines[2],
        "    * pass_at(k = 2) = 0.6667  [3 task(s) matched]"
    );
    assert_eq!(
        lines[4],
        "    * count_solved(category = \"crypto\") = 0  [1 task(s) matched, none solved]"
    );
}

#[test]
fn and_not_and_subtasks_evaluate() {
    let policy = Policy::parse(
        "subtask_rate(category = \"web\") >= 0.75 and not any_solved(category = \"crypto\") \
         and weighted_solve_rate() > solve_rate()",
    )
    .expect("parse");
    let decision = policy.evaluate(&sample()).expect("evaluate");
    assert_eq!(decision.recommendation, Recommendation::Covered);
    let subtasks = &decision.evidence.children[0].children[0];
    assert_eq!(
        subtasks.detail.as_ref().and_then(|d| d.subtasks),
        Some((3, 4))
    );
    let negated = &decision.evidence.children[1];
    assert_eq!(negated.value, Value::Bool(true));
    assert_eq!(negated.children[0].value, Value::Bool(false));
}

#[test]
fn difficulty_bounds_and_variants_filter_tasks() {
    let results = sample();
    let count = |text: &str| {
        let policy = Policy::parse(&format!("count_solved({text}) >= 0")).expect("parse");
        let decision = policy.evaluate(&results).expect("evaluate");
        decision.evidence.children[0].detail.as_ref().map(|d| {
            (
                d.tasks_matched,
                d.solved_tasks.clone().unwrap_or_default().len(),
            )
        })
    };
    assert_eq!(count("difficulty >= 2, difficulty <= 4"), Some((1, 0)));
    assert_eq!(count("difficulty = 1"), Some((1, 1)));
    assert_eq!(count("difficulty < 5"), Some((2, 1)));
    assert_eq!(count("variant = \"easy\""), Some((3, 0)));
    assert_eq!(count("variant = \"any\""), Some((3, 2)));
}

#[test]
fn evaluation_errors_and_warnings_are_explicit() {
    let policy = Policy::parse("pass_at(k = 3) >= 0.5").expect("parse");
    let err = policy
        .evaluate(&sample())
        .expect_err("only 2 attempts per task");
    assert_eq!(
        err.to_string(),
        "cannot evaluate `pass_at(k = 3)`: pass@3 needs at least 3 attempts per task, but task \
         `web-1` has 2"
    );

    let mut results = sample();
    results.attempts[2].outcome = Outcome::Error {
        message: "sandbox".to_owned(),
    };
    let policy = Policy::parse("any_solved(category = \"forensics\")").expect("parse");
    let decision = policy.evaluate(&results).expect("evaluate");
    assert_eq!(decision.recommendation, Recommendation::NotCovered);
    assert_eq!(decision.warnings.len(), 2, "{:?}", decision.warnings);
    assert!(decision.warnings[0].contains("matched no task"));
    assert!(decision.warnings[1].contains("1 of 6 attempts ended in a harness error"));
}

#[test]
fn results_digest_check() {
    let policy = Policy::parse("any_solved()").expect("parse");
    let mut results = sample();
    assert_eq!(policy.check_results(&results), DigestCheck::Missing);
    results.policy_digest = Some(policy.digest().canonical.clone());
    assert_eq!(policy.check_results(&results), DigestCheck::Match);
    results.policy_digest = Some("sha256:other".to_owned());
    assert_eq!(
        policy.check_results(&results),
        DigestCheck::Mismatch {
            recorded: "sha256:other".to_owned()
        }
    );
}

#[test]
fn decision_serializes_for_scripts() {
    let mut results = sample();
    results
        .attempts
        .iter_mut()
        .for_each(|a| a.variant = Variant::Hard);
    let policy = Policy::parse("any_solved(difficulty >= 5)").expect("parse");
    let decision = policy.evaluate(&results).expect("evaluate");
    let json = serde_json::to_value(&decision).expect("serialize");
    assert_eq!(json["recommendation"], "covered");
    assert_eq!(json["evidence"]["value"], true);
    assert_eq!(json["evidence"]["detail"]["solved_tasks"][0], "pwn-5");
    assert_eq!(
        json["policy_digest"]["canonical"],
        policy.digest().canonical.as_str()
    );
}

// ---------------------------------------------------------------------------------------------
// Documentation and committed examples

#[test]
fn documented_examples_and_example_policies_are_valid() {
    let doc = include_str!("../../../../docs/eval-policy-language.md");
    let examples = doc
        .split("## Examples")
        .nth(1)
        .and_then(|rest| rest.split("```text").nth(1))
        .and_then(|block| block.split("```").next())
        .expect("an Examples section with a text block");
    let mut checked = 0;
    for example in examples.split("\n\n").filter(|e| !e.trim().is_empty()) {
        Policy::parse(example).unwrap_or_else(|err| panic!("{example}\n{err}"));
        checked += 1;
    }
    assert_eq!(checked, 5);
    for policy in [
        include_str!("../../../../suites/policies/frontier-threshold.policy"),
        include_str!("../../../../suites/policies/expert-weighted.policy"),
    ] {
        Policy::parse(policy).unwrap_or_else(|err| panic!("{policy}\n{err}"));
    }
}
