//! NuGet ordering: `NuGetVersion` (SemVer 2.0 with an optional fourth number).
//!
//! Up to four numbers (missing ones are 0), then dot-separated pre-release labels compared
//! case-insensitively (numeric labels numerically and before alphanumeric ones), and build
//! metadata that does not take part in ordering. No Rust crate implements it.

use std::cmp::Ordering;

/// A parsed NuGet version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NuGetVersion {
    numbers: [u64; 4],
    prerelease: Vec<Label>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Label {
    Number(u64),
    Word(Box<str>),
}

impl NuGetVersion {
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        let without_build = text.split_once('+').map_or(text, |(head, _)| head);
        let (core, prerelease_text) = without_build
            .split_once('-')
            .map_or((without_build, None), |(core, pre)| (core, Some(pre)));
        let mut numbers = [0u64; 4];
        let parts: Vec<&str> = core.split('.').collect();
        if parts.is_empty() || parts.len() > 4 {
            return Err("expected one to four dotted numbers".to_owned());
        }
        for (slot, part) in numbers.iter_mut().zip(&parts) {
            if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!("{part:?} is not a number"));
            }
            *slot = part.parse().map_err(|_| format!("{part:?} is too large"))?;
        }
        let mut prerelease = Vec::new();
        if let Some(text) = prerelease_text {
            for label in text.split('.') {
                if label.is_empty()
                    || !label
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                {
                    return Err(format!("invalid pre-release label {label:?}"));
                }
                prerelease.push(if label.bytes().all(|b| b.is_ascii_digit()) {
                    Label::Number(
                        label
                            .parse()
                            .map_err(|_| format!("{label:?} is too large"))?,
                    )
                } else {
                    Label::Word(label.to_ascii_lowercase().into())
                });
            }
        }
        Ok(Self {
            numbers,
            prerelease,
        })
    }
}

impl Ord for NuGetVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        self.numbers.cmp(&other.numbers).then_with(|| {
            match (self.prerelease.is_empty(), other.prerelease.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => self.prerelease.cmp(&other.prerelease),
            }
        })
    }
}

impl PartialOrd for NuGetVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Label {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Label::Number(a), Label::Number(b)) => a.cmp(b),
            (Label::Word(a), Label::Word(b)) => a.cmp(b),
            (Label::Number(_), Label::Word(_)) => Ordering::Less,
            (Label::Word(_), Label::Number(_)) => Ordering::Greater,
        }
    }
}

impl PartialOrd for Label {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> NuGetVersion {
        NuGetVersion::parse(text).unwrap()
    }

    /// Orderings from NuGet's versioning documentation ("Version precedence").
    #[test]
    fn precedence_table() {
        let ascending = [
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
            "1.0.0.1",
            "1.0.1",
            "1.10",
        ];
        for pair in ascending.windows(2) {
            assert!(v(pair[0]) < v(pair[1]), "{} < {}", pair[0], pair[1]);
        }
        assert_eq!(v("1.0"), v("1.0.0.0"));
        assert_eq!(v("1.0.0-RC1"), v("1.0.0-rc1"));
        assert_eq!(v("1.0.0+build"), v("1.0.0"));
        assert!(NuGetVersion::parse("1.0.0.0.0").is_err());
        assert!(NuGetVersion::parse("a.b").is_err());
    }
}
