//! A best-effort natural ordering for versions of no known scheme (purl type `generic`).
//!
//! The text is cut into runs of digits and runs of letters; separators only delimit. Numbers
//! compare numerically, words case-insensitively, and a number beats a word (`1.0.1 > 1.0a`).
//! When one side runs out, a remaining word means a pre-release (`1.0-beta < 1.0`) and a
//! remaining number means a later version (`1.0 < 1.0.1`).

use std::cmp::Ordering;

/// A version cut into numeric and alphabetic tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GenericVersion {
    tokens: Vec<Token>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    /// Digits without leading zeros, compared by length then lexically (no overflow).
    Number(Box<str>),
    /// Lowercased letters.
    Word(Box<str>),
}

impl GenericVersion {
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        let mut tokens = Vec::new();
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let start = i;
            if bytes[i].is_ascii_digit() {
                while i < bytes.len() && bytes[i].is_ascii_digit() {
                    i += 1;
                }
                let digits = text[start..i].trim_start_matches('0');
                tokens.push(Token::Number(digits.into()));
            } else if bytes[i].is_ascii_alphabetic() {
                while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
                    i += 1;
                }
                tokens.push(Token::Word(text[start..i].to_ascii_lowercase().into()));
            } else {
                i += 1;
            }
        }
        if tokens.is_empty() {
            return Err("no digits or letters".to_owned());
        }
        Ok(Self { tokens })
    }
}

impl Ord for Token {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Token::Number(a), Token::Number(b)) => a.len().cmp(&b.len()).then_with(|| a.cmp(b)),
            (Token::Word(a), Token::Word(b)) => a.cmp(b),
            (Token::Number(_), Token::Word(_)) => Ordering::Greater,
            (Token::Word(_), Token::Number(_)) => Ordering::Less,
        }
    }
}

impl PartialOrd for Token {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for GenericVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        for (a, b) in self.tokens.iter().zip(&other.tokens) {
            match a.cmp(b) {
                Ordering::Equal => {}
                different => return different,
            }
        }
        let common = self.tokens.len().min(other.tokens.len());
        match (self.tokens.get(common), other.tokens.get(common)) {
            (None, None) => Ordering::Equal,
            (Some(Token::Word(_)), None) => Ordering::Less,
            (Some(Token::Number(_)), None) => Ordering::Greater,
            (None, Some(Token::Word(_))) => Ordering::Greater,
            (None, Some(Token::Number(_))) => Ordering::Less,
            (Some(_), Some(_)) => Ordering::Equal,
        }
    }
}

impl PartialOrd for GenericVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural_order() {
        let v = |s| GenericVersion::parse(s).unwrap();
        let ascending = ["1.0-alpha", "1.0-beta", "1.0", "1.0.1", "1.2", "1.10", "2"];
        for pair in ascending.windows(2) {
            assert!(v(pair[0]) < v(pair[1]), "{} < {}", pair[0], pair[1]);
        }
        assert_eq!(v("1.02"), v("1.2"));
        assert!(GenericVersion::parse("..").is_err());
    }
}
