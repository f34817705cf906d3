//! Composer (Packagist) ordering: Composer's `VersionParser::normalize` padding followed by PHP's
//! `version_compare`.
//!
//! The release part is padded to four numbers (`1.2` → `1.2.0.0`, as Composer does), the rest is
//! cut at `.`, `-`, `_`, `+` and digit/letter transitions, and words rank
//! `dev < alpha = a < beta = b < rc < (number) < pl = p` with unknown words below `dev`, exactly as
//! PHP's `version_compare`. Branch names (`dev-main`) have no order and are rejected.

use std::cmp::Ordering;

/// A Composer version as PHP `version_compare` parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ComposerVersion {
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    /// Digits without leading zeros.
    Number(Box<str>),
    /// A word, by its PHP special-form rank.
    Word(i8),
}

/// PHP's rank for a number when compared with a word.
const NUMBER_RANK: i8 = 4;

fn word_rank(word: &str) -> i8 {
    const FORMS: [(&str, i8); 10] = [
        ("dev", 0),
        ("alpha", 1),
        ("a", 1),
        ("beta", 2),
        ("b", 2),
        ("rc", 3),
        ("c", 3),
        ("#", NUMBER_RANK),
        ("pl", 5),
        ("p", 5),
    ];
    FORMS
        .iter()
        .find(|(form, _)| word.starts_with(form))
        .map_or(-6, |(_, rank)| *rank)
}

impl ComposerVersion {
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        let text = text
            .strip_prefix(['v', 'V'])
            .unwrap_or(text)
            .to_ascii_lowercase();
        if text.starts_with("dev-") || text.ends_with("-dev") && text.contains(".x") {
            return Err("branch names have no version order".to_owned());
        }
        let release_end = text
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(text.len());
        let release = text[..release_end].trim_end_matches('.');
        let numbers: Vec<&str> = release.split('.').collect();
        if release.is_empty() || numbers.iter().any(|n| n.is_empty()) {
            return Err("expected dotted numbers first".to_owned());
        }
        let mut parts: Vec<Part> = numbers
            .iter()
            .map(|n| Part::Number(n.trim_start_matches('0').into()))
            .collect();
        while parts.len() < 4 {
            parts.push(Part::Number("".into()));
        }
        let rest = &text[release_end..];
        let bytes = rest.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let start = i;
            if bytes[i].is_ascii_digit() {
                while i < bytes.len() && bytes[i].is_ascii_digit() {
                    i += 1;
                }
                parts.push(Part::Number(rest[start..i].trim_start_matches('0').into()));
            } else if matches!(bytes[i], b'.' | b'-' | b'_' | b'+') {
                i += 1;
            } else if bytes[i].is_ascii_alphabetic() {
                while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
                    i += 1;
                }
                let word = &rest[start..i];
                if word != "stable" {
                    parts.push(Part::Word(word_rank(word)));
                }
            } else {
                return Err(format!(
                    "unexpected character {:?}",
                    rest[start..].chars().next()
                ));
            }
        }
        Ok(Self { parts })
    }
}

fn rank(part: &Part) -> i8 {
    match part {
        Part::Number(_) => NUMBER_RANK,
        Part::Word(rank) => *rank,
    }
}

impl Ord for ComposerVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        for (a, b) in self.parts.iter().zip(&other.parts) {
            let ordering = match (a, b) {
                (Part::Number(x), Part::Number(y)) => x.len().cmp(&y.len()).then_with(|| x.cmp(y)),
                _ => rank(a).cmp(&rank(b)),
            };
            if ordering.is_ne() {
                return ordering;
            }
        }
        let common = self.parts.len().min(other.parts.len());
        match (self.parts.get(common), other.parts.get(common)) {
            (Some(Part::Number(_)), None) => Ordering::Greater,
            (Some(Part::Word(rank)), None) => rank.cmp(&NUMBER_RANK),
            (None, Some(Part::Number(_))) => Ordering::Less,
            (None, Some(Part::Word(rank))) => NUMBER_RANK.cmp(rank),
            _ => Ordering::Equal,
        }
    }
}

impl PartialOrd for ComposerVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> ComposerVersion {
        ComposerVersion::parse(text).unwrap()
    }

    /// Orderings from PHP's `version_compare` documentation and Composer's version docs.
    #[test]
    fn composer_table() {
        let ascending = [
            "1.0.0-dev",
            "1.0.0-alpha1",
            "1.0.0-alpha2",
            "1.0.0-beta1",
            "1.0.0-RC1",
            "1.0.0",
            "1.0.0-pl1",
            "1.0.1",
            "1.0.10",
            "1.1",
            "v2.0.0",
        ];
        for pair in ascending.windows(2) {
            assert!(v(pair[0]) < v(pair[1]), "{} < {}", pair[0], pair[1]);
        }
        assert_eq!(v("1.0"), v("1.0.0.0"));
        assert_eq!(v("v1.2.3"), v("1.2.3"));
        assert_eq!(v("1.0.0-b2"), v("1.0.0-beta2"));
        assert!(ComposerVersion::parse("dev-main").is_err());
    }
}
