//! Lexer: policy text to tokens with byte spans. Comments (`#` to end of line) and whitespace vanish
//! here, which is why formatting never reaches the canonical form.

use super::{PolicyError, PolicyErrorKind, Span};

/// One token and where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    pub kind: TokenKind,
    pub span: Span,
}

/// The token kinds of the policy language.
#[derive(Debug, Clone, PartialEq)]
pub enum TokenKind {
    Ident(String),
    Number(f64),
    Str(String),
    LParen,
    RParen,
    Comma,
    /// `=`: binds an argument (`k = 1`).
    Assign,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    And,
    Or,
    Not,
    True,
    False,
    Eof,
}

impl TokenKind {
    /// How the token reads in an error message.
    pub fn describe(&self) -> String {
        match self {
            TokenKind::Ident(name) => format!("name `{name}`"),
            TokenKind::Number(n) => format!("number {n}"),
            TokenKind::Str(_) => "a string".to_owned(),
            TokenKind::LParen => "`(`".to_owned(),
            TokenKind::RParen => "`)`".to_owned(),
            TokenKind::Comma => "`,`".to_owned(),
            TokenKind::Assign => "`=`".to_owned(),
            TokenKind::Eq => "`==`".to_owned(),
            TokenKind::Ne => "`!=`".to_owned(),
            TokenKind::Lt => "`<`".to_owned(),
            TokenKind::Le => "`<=`".to_owned(),
            TokenKind::Gt => "`>`".to_owned(),
            TokenKind::Ge => "`>=`".to_owned(),
            TokenKind::And => "`and`".to_owned(),
            TokenKind::Or => "`or`".to_owned(),
            TokenKind::Not => "`not`".to_owned(),
            TokenKind::True => "`true`".to_owned(),
            TokenKind::False => "`false`".to_owned(),
            TokenKind::Eof => "end of policy".to_owned(),
        }
    }
}

/// Splits policy text into tokens; the last token is always [`TokenKind::Eof`].
pub fn tokenize(source: &str) -> Result<Vec<Token>, PolicyError> {
    let bytes = source.as_bytes();
    let mut tokens = Vec::new();
    let mut pos = 0;
    while pos < bytes.len() {
        let start = pos;
        let c = bytes[pos];
        let single = |kind: TokenKind| Token {
            kind,
            span: Span::new(start, start + 1),
        };
        let double = |kind: TokenKind| Token {
            kind,
            span: Span::new(start, start + 2),
        };
        let next = bytes.get(pos + 1).copied();
        match c {
            b' ' | b'\t' | b'\r' | b'\n' => pos += 1,
            b'#' => {
                while pos < bytes.len() && bytes[pos] != b'\n' {
                    pos += 1;
                }
            }
            b'(' => {
                tokens.push(single(TokenKind::LParen));
                pos += 1;
            }
            b')' => {
                tokens.push(single(TokenKind::RParen));
                pos += 1;
            }
            b',' => {
                tokens.push(single(TokenKind::Comma));
                pos += 1;
            }
            b'=' if next == Some(b'=') => {
                tokens.push(double(TokenKind::Eq));
                pos += 2;
            }
            b'=' => {
                tokens.push(single(TokenKind::Assign));
                pos += 1;
            }
            b'!' if next == Some(b'=') => {
                tokens.push(double(TokenKind::Ne));
                pos += 2;
            }
            b'<' if next == Some(b'=') => {
                tokens.push(double(TokenKind::Le));
                pos += 2;
            }
            b'<' => {
                tokens.push(single(TokenKind::Lt));
                pos += 1;
            }
            b'>' if next == Some(b'=') => {
                tokens.push(double(TokenKind::Ge));
                pos += 2;
            }
            b'>' => {
                tokens.push(single(TokenKind::Gt));
                pos += 1;
            }
            b'"' => {
                let (value, end) = lex_string(source, start)?;
                tokens.push(Token {
                    kind: TokenKind::Str(value),
                    span: Span::new(start, end),
                });
                pos = end;
            }
            b'0'..=b'9' => {
                let (value, end) = lex_number(source, start)?;
                tokens.push(Token {
                    kind: TokenKind::Number(value),
                    span: Span::new(start, end),
                });
                pos = end;
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                while pos < bytes.len()
                    && (bytes[pos].is_ascii_alphanumeric() || bytes[pos] == b'_')
                {
                    pos += 1;
                }
                let word = &source[start..pos];
                let kind = match word {
                    "and" => TokenKind::And,
                    "or" => TokenKind::Or,
                    "not" => TokenKind::Not,
                    "true" => TokenKind::True,
                    "false" => TokenKind::False,
                    _ => TokenKind::Ident(word.to_owned()),
                };
                tokens.push(Token {
                    kind,
                    span: Span::new(start, pos),
                });
            }
            _ => {
                let ch = source[start..].chars().next().unwrap_or('\u{fffd}');
                let hint = match ch {
                    '&' => " (write `and`)",
                    '|' => " (write `or`)",
                    '!' => " (write `not`)",
                    '\'' => " (strings use double quotes)",
                    _ => "",
                };
                return Err(PolicyError::new(
                    source,
                    Span::new(start, start + ch.len_utf8()),
                    PolicyErrorKind::UnexpectedCharacter {
                        found: ch,
                        hint: hint.to_owned(),
                    },
                ));
            }
        }
    }
    tokens.push(Token {
        kind: TokenKind::Eof,
        span: Span::new(bytes.len(), bytes.len()),
    });
    Ok(tokens)
}

/// Reads `digits ('.' digits)?` starting at `start`.
fn lex_number(source: &str, start: usize) -> Result<(f64, usize), PolicyError> {
    let bytes = source.as_bytes();
    let mut end = start;
    while end < bytes.len() && bytes[end].is_ascii_digit() {
        end += 1;
    }
    if end < bytes.len() && bytes[end] == b'.' {
        end += 1;
        let fraction_start = end;
        while end < bytes.len() && bytes[end].is_ascii_digit() {
            end += 1;
        }
        if end == fraction_start {
            return Err(PolicyError::new(
                source,
                Span::new(start, end),
                PolicyErrorKind::InvalidNumber {
                    text: source[start..end].to_owned(),
                },
            ));
        }
    }
    let text = &source[start..end];
    match text.parse::<f64>() {
        Ok(value) if value.is_finite() => Ok((value, end)),
        _ => Err(PolicyError::new(
            source,
            Span::new(start, end),
            PolicyErrorKind::InvalidNumber {
                text: text.to_owned(),
            },
        )),
    }
}

/// Reads a double-quoted string with escapes `\\ \" \n \t \r \u{hex}`.
fn lex_string(source: &str, start: usize) -> Result<(String, usize), PolicyError> {
    let mut value = String::new();
    let mut chars = source[start + 1..]
        .char_indices()
        .map(|(i, c)| (start + 1 + i, c));
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Ok((value, i + 1)),
            '\n' => break,
            '\\' => {
                let Some((j, escaped)) = chars.next() else {
                    break;
                };
                let bad = |end: usize| {
                    PolicyError::new(
                        source,
                        Span::new(i, end),
                        PolicyErrorKind::InvalidEscape {
                            text: source[i..end].to_owned(),
                        },
                    )
                };
                match escaped {
                    '\\' => value.push('\\'),
                    '"' => value.push('"'),
                    'n' => value.push('\n'),
                    't' => value.push('\t'),
                    'r' => value.push('\r'),
                    'u' => {
                        let rest = &source[j + 1..];
                        let close = rest.find('}').filter(|_| rest.starts_with('{'));
                        let Some(close) = close else {
                            return Err(bad(j + 1));
                        };
                        let end = j + 1 + close + 1;
                        let decoded = u32::from_str_radix(&rest[1..close], 16)
                            .ok()
                            .and_then(char::from_u32)
                            .ok_or_else(|| bad(end))?;
                        value.push(decoded);
                        // Skip the consumed `{hex}`.
                        for _ in 0..close + 1 {
                            chars.next();
                        }
                    }
                    other => return Err(bad(j + other.len_utf8())),
                }
            }
            other => value.push(other),
        }
    }
    let line_end = source[start..]
        .find('\n')
        .map_or(source.len(), |n| start + n);
    Err(PolicyError::new(
        source,
        Span::new(start, line_end.max(start + 1)),
        PolicyErrorKind::UnterminatedString,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(source: &str) -> Vec<TokenKind> {
        tokenize(source)
            .expect("tokenize")
            .into_iter()
            .map(|t| t.kind)
            .collect()
    }

    #[test]
    fn tokenizes_operators_words_and_literals() {
        assert_eq!(
            kinds(r#"solve_rate(k = 1) >= 0.4 or not any_solved(category == "web\n") # note"#),
            vec![
                TokenKind::Ident("solve_rate".to_owned()),
                TokenKind::LParen,
                TokenKind::Ident("k".to_owned()),
                TokenKind::Assign,
                TokenKind::Number(1.0),
                TokenKind::RParen,
                TokenKind::Ge,
                TokenKind::Number(0.4),
                TokenKind::Or,
                TokenKind::Not,
                TokenKind::Ident("any_solved".to_owned()),
                TokenKind::LParen,
                TokenKind::Ident("category".to_owned()),
                TokenKind::Eq,
                TokenKind::Str("web\n".to_owned()),
                TokenKind::RParen,
                TokenKind::Eof,
            ]
        );
    }

    #[test]
    fn decodes_unicode_escapes() {
        assert_eq!(
            kinds(r#""a\u{e9}b\"""#),
            vec![TokenKind::Str("aéb\"".to_owned()), TokenKind::Eof]
        );
    }

    #[test]
    fn spans_are_byte_ranges() {
        let tokens = tokenize("a <= 12.5").expect("tokenize");
        assert_eq!(tokens[1].span, Span::new(2, 4));
        assert_eq!(tokens[2].span.start, 5);
        assert_eq!(tokens[2].span.end, 9);
    }

    #[test]
    fn rejects_bad_input_with_positions() {
        let err = tokenize("x && y").expect_err("must fail");
        assert!(err.to_string().contains("1:3"), "{err}");
        assert!(err.to_string().contains("write `and`"), "{err}");
        let err = tokenize("a(category = \"web)").expect_err("must fail");
        assert!(matches!(err.kind(), PolicyErrorKind::UnterminatedString));
        let err = tokenize("1. ").expect_err("must fail");
        assert!(matches!(err.kind(), PolicyErrorKind::InvalidNumber { .. }));
        let err = tokenize(r#""\q""#).expect_err("must fail");
        assert!(matches!(err.kind(), PolicyErrorKind::InvalidEscape { .. }));
    }
}
