//! CWE identifiers: `CWE-79`, plus NVD's placeholders `NVD-CWE-Other` and `NVD-CWE-noinfo`.
//!
//! Accepts the spellings found in advisories (`CWE-79`, `cwe-79`, `CWE 79`, `79`) and prints the
//! canonical `CWE-79`.

use std::fmt;
use std::str::FromStr;

/// A CWE weakness id or one of NVD's placeholders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Cwe {
    /// A numbered weakness, e.g. `CWE-79`.
    Id(u32),
    /// `NVD-CWE-Other`: a weakness not in the NVD's CWE view.
    NvdOther,
    /// `NVD-CWE-noinfo`: not enough information to classify.
    NvdNoInfo,
}

/// Why a CWE id was rejected; carries the input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid CWE id {input:?}: expected CWE-<number>, NVD-CWE-Other or NVD-CWE-noinfo")]
pub struct CweError {
    /// The offending text.
    pub input: String,
}

impl Cwe {
    /// Parses `CWE-79`, `cwe-79`, `CWE 79`, `CWE79`, `79`, `NVD-CWE-Other`, `NVD-CWE-noinfo`.
    pub fn parse(input: &str) -> Result<Self, CweError> {
        let error = || CweError {
            input: input.to_owned(),
        };
        let text = input.trim();
        if text.eq_ignore_ascii_case("NVD-CWE-Other") {
            return Ok(Cwe::NvdOther);
        }
        if text.eq_ignore_ascii_case("NVD-CWE-noinfo") {
            return Ok(Cwe::NvdNoInfo);
        }
        let digits = match text.get(..3) {
            Some(prefix) if prefix.eq_ignore_ascii_case("cwe") => {
                text[3..].trim_start_matches(['-', ' ', '_'])
            }
            _ => text,
        };
        if digits.is_empty() || digits.len() > 9 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(error());
        }
        digits.parse().map(Cwe::Id).map_err(|_| error())
    }

    /// The number, for numbered weaknesses.
    pub fn number(self) -> Option<u32> {
        match self {
            Cwe::Id(number) => Some(number),
            _ => None,
        }
    }
}

impl FromStr for Cwe {
    type Err = CweError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Cwe::parse(s)
    }
}

impl fmt::Display for Cwe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cwe::Id(number) => write!(f, "CWE-{number}"),
            Cwe::NvdOther => f.write_str("NVD-CWE-Other"),
            Cwe::NvdNoInfo => f.write_str("NVD-CWE-noinfo"),
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn spellings() {
        for text in ["CWE-79", "cwe-79", "CWE 79", "CWE79", "79", " CWE-079 "] {
            assert_eq!(Cwe::parse(text), Ok(Cwe::Id(79)), "{text}");
        }
        assert_eq!(Cwe::parse("nvd-cwe-other"), Ok(Cwe::NvdOther));
        assert_eq!(
            Cwe::parse("NVD-CWE-noinfo").unwrap().to_string(),
            "NVD-CWE-noinfo"
        );
        for bad in ["", "CWE-", "CWE-x", "CVE-2021-1", "-1", "CWE-1234567890"] {
            assert!(Cwe::parse(bad).is_err(), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn display_round_trips(number in 0u32..100_000_000) {
            let cwe = Cwe::Id(number);
            prop_assert_eq!(Cwe::parse(&cwe.to_string()), Ok(cwe));
        }
    }
}
