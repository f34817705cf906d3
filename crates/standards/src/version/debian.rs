//! dpkg version ordering (`[epoch:]upstream[-revision]`), transcribed from dpkg's `verrevcmp`.
//!
//! Written here rather than taken from `debversion` because the comparison runs on borrowed
//! bytes with no allocation, which the matching hot loop needs.

use std::cmp::Ordering;

/// A Debian version split into its three parts.
#[derive(Debug, Clone)]
pub(crate) struct DebianVersion {
    epoch: u64,
    upstream: Box<str>,
    revision: Box<str>,
}

impl DebianVersion {
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        let (epoch, rest) = match text.split_once(':') {
            Some((epoch, rest)) => {
                let epoch = epoch
                    .parse::<u64>()
                    .map_err(|_| format!("epoch {epoch:?} is not a number"))?;
                (epoch, rest)
            }
            None => (0, text),
        };
        let (upstream, revision) = match rest.rsplit_once('-') {
            Some((upstream, revision)) => (upstream, revision),
            None => (rest, ""),
        };
        if upstream.is_empty() {
            return Err("empty upstream version".to_owned());
        }
        if let Some(bad) = rest
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '+' | '~' | '-' | ':')))
        {
            return Err(format!("character {bad:?} is not allowed"));
        }
        Ok(Self {
            epoch,
            upstream: upstream.into(),
            revision: revision.into(),
        })
    }
}

impl Ord for DebianVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        self.epoch
            .cmp(&other.epoch)
            .then_with(|| verrevcmp(self.upstream.as_bytes(), other.upstream.as_bytes()))
            .then_with(|| verrevcmp(self.revision.as_bytes(), other.revision.as_bytes()))
    }
}

impl PartialOrd for DebianVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for DebianVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for DebianVersion {}

/// dpkg's character weight: `~` before the end, the end before letters, letters before others.
fn order(c: u8) -> i32 {
    if c.is_ascii_digit() {
        0
    } else if c.is_ascii_alphabetic() {
        i32::from(c)
    } else if c == b'~' {
        -1
    } else if c != 0 {
        i32::from(c) + 256
    } else {
        0
    }
}

/// dpkg's `verrevcmp`: alternating non-digit and digit runs.
pub(crate) fn verrevcmp(a: &[u8], b: &[u8]) -> Ordering {
    let at = |s: &[u8], i: usize| s.get(i).copied().unwrap_or(0);
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        while (i < a.len() && !a[i].is_ascii_digit()) || (j < b.len() && !b[j].is_ascii_digit()) {
            let (ac, bc) = (order(at(a, i)), order(at(b, j)));
            if ac != bc {
                return ac.cmp(&bc);
            }
            i += 1;
            j += 1;
        }
        while at(a, i) == b'0' {
            i += 1;
        }
        while at(b, j) == b'0' {
            j += 1;
        }
        let mut first_diff = Ordering::Equal;
        while at(a, i).is_ascii_digit() && at(b, j).is_ascii_digit() {
            if first_diff == Ordering::Equal {
                first_diff = a[i].cmp(&b[j]);
            }
            i += 1;
            j += 1;
        }
        if at(a, i).is_ascii_digit() {
            return Ordering::Greater;
        }
        if at(b, j).is_ascii_digit() {
            return Ordering::Less;
        }
        if first_diff != Ordering::Equal {
            return first_diff;
        }
    }
    Ordering::Equal
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(a: &str, b: &str) -> Ordering {
        DebianVersion::parse(a)
            .unwrap()
            .cmp(&DebianVersion::parse(b).unwrap())
    }

    /// Cases from dpkg's own test suite (`lib/dpkg/t/t-version.c`) and the Debian Policy manual.
    #[test]
    fn dpkg_table() {
        let cases = [
            ("1.0", "1.0", Ordering::Equal),
            ("0:1.0", "1.0", Ordering::Equal),
            ("1.0-0", "1.0", Ordering::Equal),
            ("1:0.1", "2.0", Ordering::Greater),
            ("1.0~rc1", "1.0", Ordering::Less),
            ("1.0~~", "1.0~", Ordering::Less),
            ("1.0~", "1.0", Ordering::Less),
            ("1.0", "1.0a", Ordering::Less),
            ("1.0a", "1.0+", Ordering::Less),
            ("1.0+", "1.0.1", Ordering::Less),
            ("1.0-1", "1.0-2", Ordering::Less),
            ("1.0-1ubuntu1", "1.0-1", Ordering::Greater),
            ("2.30-1+deb12u1", "2.30-1", Ordering::Greater),
            ("1.002", "1.2", Ordering::Equal),
            ("1.10", "1.9", Ordering::Greater),
            ("7.6p2-4", "7.6-0", Ordering::Greater),
            ("1.0.3-3", "1.0-1", Ordering::Greater),
            ("1.3", "1.2.2-2", Ordering::Greater),
            ("1.3", "1.2.2", Ordering::Greater),
            ("0-pre", "0-pre", Ordering::Equal),
            ("0-pre", "0-pree", Ordering::Less),
            ("1.1.6r2-2", "1.1.6r-1", Ordering::Greater),
            ("2.6b2-1", "2.6b-2", Ordering::Greater),
            ("0.4a6-2", "0.4a6-1", Ordering::Greater),
            ("3.0~rc1-1", "3.0-1", Ordering::Less),
        ];
        for (a, b, expected) in cases {
            assert_eq!(cmp(a, b), expected, "{a} vs {b}");
            assert_eq!(cmp(b, a), expected.reverse(), "{b} vs {a}");
        }
    }

    #[test]
    fn rejects_garbage() {
        assert!(DebianVersion::parse("a:1.0").is_err());
        assert!(DebianVersion::parse("1.0 2").is_err());
        assert!(DebianVersion::parse("-1").is_err());
    }
}
