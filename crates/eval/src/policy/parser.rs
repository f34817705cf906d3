//! Recursive-descent parser to a normalized AST, and the pretty-printer that gives the canonical form.
//!
//! Grammar (lowest precedence first):
//!
//! ```text
//! policy     = or EOF
//! or         = and ("or" and)*
//! and        = not ("and" not)*
//! not        = "not" not | comparison
//! comparison = primary (("==" | "!=" | "<" | "<=" | ">" | ">=") primary)?
//! primary    = NUMBER | STRING | "true" | "false" | call | "(" or ")"
//! call       = IDENT "(" (argument ("," argument)* ","?)? ")"
//! argument   = IDENT ("=" | "==" | "!=" | "<" | "<=" | ">" | ">=") (NUMBER | STRING | "true" | "false")
//! ```
//!
//! The AST is normalized while parsing so that formatting cannot change it: chains of `or` (and of
//! `and`) are flattened into one n-ary node even across redundant parentheses, and call arguments are
//! sorted by name (stable, so repeated `difficulty` bounds keep their order).

use std::fmt::{self, Write as _};

use super::lexer::{Token, TokenKind};
use super::{PolicyError, PolicyErrorKind, Span};

/// An expression of the policy language.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// At least two operands, none of them itself an `Or`.
    Or(Vec<Expr>),
    /// At least two operands, none of them itself an `And`.
    And(Vec<Expr>),
    Not(Box<Expr>, Span),
    Compare {
        op: CmpOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
        span: Span,
    },
    Literal(Literal, Span),
    Call(Call),
}

/// A literal value.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Number(f64),
    Str(String),
    Bool(bool),
}

/// A comparison operator; `Eq` is written `==` in expressions and `=` in arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// A function call such as `solve_rate(k = 1, category = "web")`.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    pub name: String,
    /// Sorted by name.
    pub args: Vec<Argument>,
    /// The function name.
    pub name_span: Span,
    /// The whole call, name to closing parenthesis.
    pub span: Span,
}

/// One `name op value` argument.
#[derive(Debug, Clone, PartialEq)]
pub struct Argument {
    pub name: String,
    pub op: CmpOp,
    pub value: Literal,
    pub name_span: Span,
    pub value_span: Span,
}

impl Expr {
    /// Where the expression was written (approximate for n-ary nodes: first to last operand).
    pub fn span(&self) -> Span {
        match self {
            Expr::Or(items) | Expr::And(items) => match (items.first(), items.last()) {
                (Some(first), Some(last)) => Span::new(first.span().start, last.span().end),
                _ => Span::new(0, 0),
            },
            Expr::Not(_, span) | Expr::Compare { span, .. } | Expr::Literal(_, span) => *span,
            Expr::Call(call) => call.span,
        }
    }

    /// Builds an `or` node, flattening nested `or`s (a single operand is returned as is).
    pub fn or(items: Vec<Expr>) -> Expr {
        Self::flatten(items, true)
    }

    /// Builds an `and` node, flattening nested `and`s (a single operand is returned as is).
    pub fn and(items: Vec<Expr>) -> Expr {
        Self::flatten(items, false)
    }

    fn flatten(items: Vec<Expr>, is_or: bool) -> Expr {
        let mut flat = Vec::with_capacity(items.len());
        for item in items {
            match item {
                Expr::Or(inner) if is_or => flat.extend(inner),
                Expr::And(inner) if !is_or => flat.extend(inner),
                other => flat.push(other),
            }
        }
        if flat.len() == 1 {
            flat.pop()
                .unwrap_or(Expr::Literal(Literal::Bool(false), Span::new(0, 0)))
        } else if is_or {
            Expr::Or(flat)
        } else {
            Expr::And(flat)
        }
    }

    /// Binding strength, higher binds tighter; used to place parentheses when printing.
    fn precedence(&self) -> u8 {
        match self {
            Expr::Or(_) => 1,
            Expr::And(_) => 2,
            Expr::Not(..) => 3,
            Expr::Compare { .. } => 4,
            Expr::Literal(..) | Expr::Call(_) => 5,
        }
    }
}

impl CmpOp {
    /// The operator as written in expressions.
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }

    /// The operator as written in arguments (`=` for equality).
    pub fn argument_symbol(self) -> &'static str {
        match self {
            CmpOp::Eq => "=",
            other => other.symbol(),
        }
    }

    /// Applies the comparison to two numbers.
    pub fn apply(self, lhs: f64, rhs: f64) -> bool {
        match self {
            CmpOp::Eq => lhs == rhs,
            CmpOp::Ne => lhs != rhs,
            CmpOp::Lt => lhs < rhs,
            CmpOp::Le => lhs <= rhs,
            CmpOp::Gt => lhs > rhs,
            CmpOp::Ge => lhs >= rhs,
        }
    }

    fn from_token(kind: &TokenKind) -> Option<CmpOp> {
        Some(match kind {
            TokenKind::Eq => CmpOp::Eq,
            TokenKind::Ne => CmpOp::Ne,
            TokenKind::Lt => CmpOp::Lt,
            TokenKind::Le => CmpOp::Le,
            TokenKind::Gt => CmpOp::Gt,
            TokenKind::Ge => CmpOp::Ge,
            _ => return None,
        })
    }
}

/// Canonical text: single spaces, minimal parentheses, sorted arguments, no comments.
impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let child = |f: &mut fmt::Formatter<'_>, e: &Expr, min: u8| -> fmt::Result {
            if e.precedence() < min {
                write!(f, "({e})")
            } else {
                write!(f, "{e}")
            }
        };
        match self {
            Expr::Or(items) | Expr::And(items) => {
                let (word, min) = if matches!(self, Expr::Or(_)) {
                    (" or ", 2)
                } else {
                    (" and ", 3)
                };
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(word)?;
                    }
                    child(f, item, min)?;
                }
                Ok(())
            }
            Expr::Not(inner, _) => {
                f.write_str("not ")?;
                child(f, inner, 3)
            }
            Expr::Compare { op, lhs, rhs, .. } => {
                child(f, lhs, 5)?;
                write!(f, " {} ", op.symbol())?;
                child(f, rhs, 5)
            }
            Expr::Literal(literal, _) => write!(f, "{literal}"),
            Expr::Call(call) => {
                write!(f, "{}(", call.name)?;
                for (i, arg) in call.args.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{} {} {}", arg.name, arg.op.argument_symbol(), arg.value)?;
                }
                f.write_str(")")
            }
        }
    }
}

impl fmt::Display for Literal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // Rust prints the shortest text that reads back to the same f64, never an exponent.
            Literal::Number(n) => write!(f, "{n}"),
            Literal::Bool(b) => write!(f, "{b}"),
            Literal::Str(s) => {
                f.write_char('"')?;
                for c in s.chars() {
                    match c {
                        '"' => f.write_str("\\\"")?,
                        '\\' => f.write_str("\\\\")?,
                        '\n' => f.write_str("\\n")?,
                        '\t' => f.write_str("\\t")?,
                        '\r' => f.write_str("\\r")?,
                        c if c.is_control() => write!(f, "\\u{{{:x}}}", u32::from(c))?,
                        c => f.write_char(c)?,
                    }
                }
                f.write_char('"')
            }
        }
    }
}

/// Parses tokens (from [`super::lexer::tokenize`]) into a normalized expression.
pub fn parse(source: &str, tokens: &[Token]) -> Result<Expr, PolicyError> {
    let mut parser = Parser {
        source,
        tokens,
        pos: 0,
        depth: 0,
    };
    if matches!(parser.peek().kind, TokenKind::Eof) {
        return Err(parser.error(parser.peek().span, PolicyErrorKind::Empty));
    }
    let expr = parser.or()?;
    let token = parser.peek();
    if !matches!(token.kind, TokenKind::Eof) {
        let kind = if CmpOp::from_token(&token.kind).is_some() {
            PolicyErrorKind::ChainedComparison
        } else {
            PolicyErrorKind::Expected {
                expected: "`and`, `or` or end of policy".to_owned(),
                found: token.kind.describe(),
            }
        };
        return Err(parser.error(token.span, kind));
    }
    Ok(expr)
}

/// Deepest nesting of parentheses and `not` accepted; keeps recursion (here, in the checker and in
/// the printer) far from the stack limit whatever the input.
const MAX_DEPTH: usize = 64;

struct Parser<'a> {
    source: &'a str,
    tokens: &'a [Token],
    pos: usize,
    depth: usize,
}

impl Parser<'_> {
    fn peek(&self) -> &Token {
        // The token list always ends with Eof and the parser never moves past it.
        &self.tokens[self.pos.min(self.tokens.len() - 1)]
    }

    fn advance(&mut self) -> Token {
        let token = self.peek().clone();
        if !matches!(token.kind, TokenKind::Eof) {
            self.pos += 1;
        }
        token
    }

    fn error(&self, span: Span, kind: PolicyErrorKind) -> PolicyError {
        PolicyError::new(self.source, span, kind)
    }

    fn expected(&self, expected: &str) -> PolicyError {
        let token = self.peek();
        self.error(
            token.span,
            PolicyErrorKind::Expected {
                expected: expected.to_owned(),
                found: token.kind.describe(),
            },
        )
    }

    fn or(&mut self) -> Result<Expr, PolicyError> {
        let mut items = vec![self.and()?];
        while matches!(self.peek().kind, TokenKind::Or) {
            self.advance();
            items.push(self.and()?);
        }
        Ok(Expr::or(items))
    }

    fn and(&mut self) -> Result<Expr, PolicyError> {
        let mut items = vec![self.not()?];
        while matches!(self.peek().kind, TokenKind::And) {
            self.advance();
            items.push(self.not()?);
        }
        Ok(Expr::and(items))
    }

    fn enter(&mut self) -> Result<(), PolicyError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error(
                self.peek().span,
                PolicyErrorKind::TooDeep { limit: MAX_DEPTH },
            ));
        }
        Ok(())
    }

    fn not(&mut self) -> Result<Expr, PolicyError> {
        if matches!(self.peek().kind, TokenKind::Not) {
            let start = self.advance().span.start;
            self.enter()?;
            let inner = self.not()?;
            self.depth -= 1;
            let span = Span::new(start, inner.span().end);
            return Ok(Expr::Not(Box::new(inner), span));
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Result<Expr, PolicyError> {
        let lhs = self.primary()?;
        if matches!(self.peek().kind, TokenKind::Assign) {
            return Err(self.error(self.peek().span, PolicyErrorKind::AssignInExpression));
        }
        let Some(op) = CmpOp::from_token(&self.peek().kind) else {
            return Ok(lhs);
        };
        self.advance();
        let rhs = self.primary()?;
        let span = Span::new(lhs.span().start, rhs.span().end);
        Ok(Expr::Compare {
            op,
            lhs: Box::new(lhs),
            rhs: Box::new(rhs),
            span,
        })
    }

    fn primary(&mut self) -> Result<Expr, PolicyError> {
        let token = self.peek().clone();
        match token.kind {
            TokenKind::Number(n) => {
                self.advance();
                Ok(Expr::Literal(Literal::Number(n), token.span))
            }
            TokenKind::Str(s) => {
                self.advance();
                Ok(Expr::Literal(Literal::Str(s), token.span))
            }
            TokenKind::True | TokenKind::False => {
                self.advance();
                Ok(Expr::Literal(
                    Literal::Bool(matches!(token.kind, TokenKind::True)),
                    token.span,
                ))
            }
            TokenKind::LParen => {
                self.advance();
                self.enter()?;
                let inner = self.or()?;
                self.depth -= 1;
                if !matches!(self.peek().kind, TokenKind::RParen) {
                    return Err(self.expected("`)`"));
                }
                self.advance();
                Ok(inner)
            }
            TokenKind::Ident(name) => {
                self.advance();
                self.call(name, token.span)
            }
            _ => Err(self.expected("a number, a string, a function call or `(`")),
        }
    }

    fn call(&mut self, name: String, name_span: Span) -> Result<Expr, PolicyError> {
        if !matches!(self.peek().kind, TokenKind::LParen) {
            return Err(self.error(name_span, PolicyErrorKind::BareName { name }));
        }
        self.advance();
        let mut args = Vec::new();
        loop {
            if matches!(self.peek().kind, TokenKind::RParen) {
                break;
            }
            args.push(self.argument()?);
            match self.peek().kind {
                TokenKind::Comma => {
                    self.advance();
                }
                TokenKind::RParen => break,
                _ => return Err(self.expected("`,` or `)`")),
            }
        }
        let end = self.advance().span.end;
        args.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(Expr::Call(Call {
            name,
            args,
            name_span,
            span: Span::new(name_span.start, end),
        }))
    }

    fn argument(&mut self) -> Result<Argument, PolicyError> {
        let token = self.advance();
        let TokenKind::Ident(name) = token.kind else {
            self.pos -= 1;
            return Err(self.expected("an argument name such as `k` or `category`"));
        };
        let op = match &self.peek().kind {
            TokenKind::Assign => CmpOp::Eq,
            other => match CmpOp::from_token(other) {
                Some(op) => op,
                None => return Err(self.expected("`=` or a comparison after the argument name")),
            },
        };
        self.advance();
        let value_token = self.peek().clone();
        let value = match value_token.kind {
            TokenKind::Number(n) => Literal::Number(n),
            TokenKind::Str(s) => Literal::Str(s),
            TokenKind::True => Literal::Bool(true),
            TokenKind::False => Literal::Bool(false),
            _ => return Err(self.expected("a number, a string, `true` or `false`")),
        };
        self.advance();
        Ok(Argument {
            name,
            op,
            value,
            name_span: token.span,
            value_span: value_token.span,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::lexer::tokenize;
    use super::*;

    fn parse_text(source: &str) -> Result<Expr, PolicyError> {
        parse(source, &tokenize(source)?)
    }

    fn canonical(source: &str) -> String {
        parse_text(source).expect("parse").to_string()
    }

    #[test]
    fn precedence_is_not_over_and_over_or() {
        assert_eq!(
            canonical("a() or b() and not c() >= 1"),
            "a() or b() and not c() >= 1"
        );
        let expr = parse_text("a() or b() and c()").expect("parse");
        let Expr::Or(items) = expr else {
            panic!("expected or")
        };
        assert!(matches!(items[1], Expr::And(_)));
    }

    #[test]
    fn canonical_form_drops_formatting_and_redundant_parentheses() {
        assert_eq!(
            canonical("(( a(z=1,k  =  2.50) ))\n  or OR_x() or (b() or c())  # comment"),
            "a(k = 2.5, z = 1) or OR_x() or b() or c()"
        );
        assert_eq!(canonical("(a() or b()) and c()"), "(a() or b()) and c()");
        assert_eq!(canonical("not (a() and b())"), "not (a() and b())");
        assert_eq!(canonical("not not a()"), "not not a()");
        assert_eq!(
            canonical("x(difficulty >= 4, category == \"a\\\"b\")"),
            "x(category = \"a\\\"b\", difficulty >= 4)"
        );
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let deep = format!("{}a(){}", "(".repeat(100_000), ")".repeat(100_000));
        let err = parse_text(&deep).expect_err("must fail");
        assert!(
            matches!(err.kind(), PolicyErrorKind::TooDeep { limit: 64 }),
            "{err}"
        );
        let deep = format!("{}a()", "not ".repeat(100_000));
        assert!(parse_text(&deep).is_err());
        let fine = format!("{}a(){}", "(".repeat(60), ")".repeat(60));
        assert!(parse_text(&fine).is_ok());
    }

    #[test]
    fn comparisons_do_not_chain() {
        let err = parse_text("a() < b() < c()").expect_err("must fail");
        assert!(
            matches!(err.kind(), PolicyErrorKind::ChainedComparison),
            "{err}"
        );
    }

    #[test]
    fn reports_what_was_expected() {
        let err = parse_text("solve_rate(k = 1) >= ").expect_err("must fail");
        assert!(err.to_string().contains("end of policy"), "{err}");
        let err = parse_text("solve_rate(k 1)").expect_err("must fail");
        assert!(err.to_string().contains("`=` or a comparison"), "{err}");
        let err = parse_text("solve_rate(k = 1) = 0.4").expect_err("must fail");
        assert!(
            matches!(err.kind(), PolicyErrorKind::AssignInExpression),
            "{err}"
        );
        let err = parse_text("solve_rate >= 0.4").expect_err("must fail");
        assert!(
            matches!(err.kind(), PolicyErrorKind::BareName { .. }),
            "{err}"
        );
        let err = parse_text("  # only a comment\n").expect_err("must fail");
        assert!(matches!(err.kind(), PolicyErrorKind::Empty), "{err}");
        let err = parse_text("(a() or b()").expect_err("must fail");
        assert!(err.to_string().contains("expected `)`"), "{err}");
    }
}
