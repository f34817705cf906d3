//! RubyGems ordering: `Gem::Version#<=>`.
//!
//! A `-` is read as `.pre.`, segments are runs of digits or letters, a version with a letter is a
//! pre-release, trailing zeros of the release part and of the pre-release part are dropped, and a
//! letter segment sorts before a number. No Rust crate implements it.

use std::cmp::Ordering;

/// A gem version as its canonical segments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GemVersion {
    segments: Vec<Segment>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    /// Digits without leading zeros.
    Number(Box<str>),
    Word(Box<str>),
}

impl GemVersion {
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        let valid = text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
            && text.starts_with(|c: char| c.is_ascii_digit());
        if !valid {
            return Err(
                "expected digits, letters, dots and dashes, starting with a digit".to_owned(),
            );
        }
        let text = text.replace('-', ".pre.");
        let mut segments = Vec::new();
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let start = i;
            if bytes[i].is_ascii_digit() {
                while i < bytes.len() && bytes[i].is_ascii_digit() {
                    i += 1;
                }
                segments.push(Segment::Number(
                    text[start..i].trim_start_matches('0').into(),
                ));
            } else if bytes[i].is_ascii_alphabetic() {
                while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
                    i += 1;
                }
                segments.push(Segment::Word(text[start..i].into()));
            } else {
                i += 1;
            }
        }
        // canonical_segments: drop trailing zeros of the release part and of the pre-release part.
        let split = segments
            .iter()
            .position(|s| matches!(s, Segment::Word(_)))
            .unwrap_or(segments.len());
        let mut pre = segments.split_off(split);
        trim_zeros(&mut segments);
        trim_zeros(&mut pre);
        segments.append(&mut pre);
        Ok(Self { segments })
    }
}

fn trim_zeros(segments: &mut Vec<Segment>) {
    while matches!(segments.last(), Some(Segment::Number(digits)) if digits.is_empty()) {
        segments.pop();
    }
}

impl Ord for GemVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        let length = self.segments.len().max(other.segments.len());
        for index in 0..length {
            let a = self.segments.get(index);
            let b = other.segments.get(index);
            let ordering = match (a, b) {
                (Some(a), Some(b)) => compare_segments(a, b),
                (Some(a), None) => compare_segments(a, &zero()),
                (None, Some(b)) => compare_segments(&zero(), b),
                (None, None) => Ordering::Equal,
            };
            if ordering.is_ne() {
                return ordering;
            }
        }
        Ordering::Equal
    }
}

fn zero() -> Segment {
    Segment::Number(Box::from(""))
}

fn compare_segments(a: &Segment, b: &Segment) -> Ordering {
    match (a, b) {
        (Segment::Number(x), Segment::Number(y)) => x.len().cmp(&y.len()).then_with(|| x.cmp(y)),
        (Segment::Word(x), Segment::Word(y)) => x.cmp(y),
        (Segment::Word(_), Segment::Number(_)) => Ordering::Less,
        (Segment::Number(_), Segment::Word(_)) => Ordering::Greater,
    }
}

impl PartialOrd for GemVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> GemVersion {
        GemVersion::parse(text).unwrap()
    }

    /// Cases from RubyGems' `test_gem_version.rb` (`test_spaceship`, `test_canonical_segments`).
    #[test]
    fn spaceship_table() {
        let cases = [
            ("1.0", "1.0.a", Ordering::Greater),
            ("1.8.2", "0.0.0", Ordering::Greater),
            ("1.8.2", "1.8.2.a", Ordering::Greater),
            ("1.8.2.b", "1.8.2.a", Ordering::Greater),
            ("1.8.2.a", "1.8.2", Ordering::Less),
            ("1.8.2.a10", "1.8.2.a9", Ordering::Greater),
            ("1.0.0", "1", Ordering::Equal),
            ("1.0.a", "1.a", Ordering::Equal),
            ("1.0.0.a", "1.a", Ordering::Equal),
            ("0.beta.1", "0.0.beta.1", Ordering::Equal),
            ("0.0.beta", "0.0.beta.1", Ordering::Less),
            ("5.a", "5.0.0.rc2", Ordering::Less),
            ("5.x", "5.0.0.rc2", Ordering::Greater),
            ("1.9.3", "1.9.3.0", Ordering::Equal),
            ("1.0-rc1", "1.0.pre.rc1", Ordering::Equal),
            ("1.0-rc1", "1.0", Ordering::Less),
            ("1.10", "1.9", Ordering::Greater),
        ];
        for (a, b, expected) in cases {
            assert_eq!(v(a).cmp(&v(b)), expected, "{a} <=> {b}");
        }
        assert!(GemVersion::parse("junk ver").is_err());
    }
}
