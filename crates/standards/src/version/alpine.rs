//! Alpine `apk` version ordering: `1.2.3[letter][_suffix[N]]…[~hash][-rN]`.
//!
//! Follows apk-tools' `version.c`: the first number compares numerically, later dotted parts that
//! start with `0` compare as decimal fractions, a trailing letter sorts after none, pre-release
//! suffixes (`_alpha`, `_beta`, `_pre`, `_rc`) sort before the bare version and post-release
//! ones (`_cvs`, `_svn`, `_git`, `_hg`, `_p`) after it, then the `-rN` package revision decides.
//! No maintained Rust crate implements this ordering.

use std::cmp::Ordering;

/// A parsed apk version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApkVersion {
    numbers: Vec<Box<str>>,
    letter: Option<u8>,
    suffixes: Vec<(Suffix, u64)>,
    revision: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Suffix {
    Alpha,
    Beta,
    Pre,
    Rc,
    /// Stands for "no suffix" when comparing a shorter list against a longer one.
    None,
    Cvs,
    Svn,
    Git,
    Hg,
    P,
}

impl ApkVersion {
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        let (body, revision) = match text.rsplit_once("-r") {
            Some((body, revision)) if !revision.is_empty() => (
                body,
                revision
                    .parse::<u64>()
                    .map_err(|_| format!("revision {revision:?} is not a number"))?,
            ),
            _ => (text, 0),
        };
        // A `~hash` commit suffix does not take part in ordering.
        let body = body.split_once('~').map_or(body, |(head, _)| head);
        let (head, suffix_text) = body.split_once('_').unwrap_or((body, ""));
        let numeric_end = head
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(head.len());
        let (numbers_text, letter_text) = head.split_at(numeric_end);
        if numbers_text.is_empty() || numbers_text.split('.').any(str::is_empty) {
            return Err("expected dotted numbers first".to_owned());
        }
        let numbers = numbers_text.split('.').map(Box::from).collect();
        let letter = match letter_text.as_bytes() {
            [] => None,
            [letter] if letter.is_ascii_lowercase() => Some(*letter),
            _ => return Err(format!("unexpected {letter_text:?} after the numbers")),
        };
        let mut suffixes = Vec::new();
        if !suffix_text.is_empty() {
            for part in suffix_text.split('_') {
                let name_end = part
                    .find(|c: char| c.is_ascii_digit())
                    .unwrap_or(part.len());
                let (name, number) = part.split_at(name_end);
                let suffix = match name {
                    "alpha" => Suffix::Alpha,
                    "beta" => Suffix::Beta,
                    "pre" => Suffix::Pre,
                    "rc" => Suffix::Rc,
                    "cvs" => Suffix::Cvs,
                    "svn" => Suffix::Svn,
                    "git" => Suffix::Git,
                    "hg" => Suffix::Hg,
                    "p" => Suffix::P,
                    _ => return Err(format!("unknown suffix _{name}")),
                };
                let number = if number.is_empty() {
                    0
                } else {
                    number
                        .parse::<u64>()
                        .map_err(|_| format!("suffix number {number:?} is not a number"))?
                };
                suffixes.push((suffix, number));
            }
        }
        Ok(Self {
            numbers,
            letter,
            suffixes,
            revision,
        })
    }
}

fn compare_number(a: &str, b: &str, first: bool) -> Ordering {
    if !first && (a.starts_with('0') || b.starts_with('0')) {
        // Fractional comparison, as apk does for parts with a leading zero.
        return a.cmp(b);
    }
    let (a, b) = (a.trim_start_matches('0'), b.trim_start_matches('0'));
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

impl Ord for ApkVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        for (index, (a, b)) in self.numbers.iter().zip(&other.numbers).enumerate() {
            match compare_number(a, b, index == 0) {
                Ordering::Equal => {}
                different => return different,
            }
        }
        match self.numbers.len().cmp(&other.numbers.len()) {
            Ordering::Equal => {}
            longer => return longer,
        }
        match self.letter.cmp(&other.letter) {
            Ordering::Equal => {}
            different => return different,
        }
        let length = self.suffixes.len().max(other.suffixes.len());
        for index in 0..length {
            let a = self
                .suffixes
                .get(index)
                .copied()
                .unwrap_or((Suffix::None, 0));
            let b = other
                .suffixes
                .get(index)
                .copied()
                .unwrap_or((Suffix::None, 0));
            match a.cmp(&b) {
                Ordering::Equal => {}
                different => return different,
            }
        }
        self.revision.cmp(&other.revision)
    }
}

impl PartialOrd for ApkVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> ApkVersion {
        ApkVersion::parse(text).unwrap()
    }

    /// Orderings from apk-tools' `test/version.data` and the Alpine package policy.
    #[test]
    fn apk_table() {
        let ascending = [
            "0.1",
            "1.0_alpha",
            "1.0_alpha2",
            "1.0_beta1",
            "1.0_pre1",
            "1.0_rc1",
            "1.0",
            "1.0-r1",
            "1.0-r10",
            "1.0_p1",
            "1.0a",
            "1.0b_rc1",
            "1.0.1",
            "1.2",
            "1.10",
            "2.0_git20200101",
        ];
        for pair in ascending.windows(2) {
            assert!(v(pair[0]) < v(pair[1]), "{} < {}", pair[0], pair[1]);
        }
        assert_eq!(v("1.01").cmp(&v("1.001")), Ordering::Greater);
        assert_eq!(v("1.0-r0"), v("1.0"));
        assert!(ApkVersion::parse("1.0_weird").is_err());
        assert!(ApkVersion::parse("abc").is_err());
    }
}
