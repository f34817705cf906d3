//! CWE identifiers: `CWE-79`, plus NVD's placeholders `NVD-CWE-Other` and `NVD-CWE-noinfo`.
//!
//! Accepts the spellings found in advisories (`CWE-79`, `cwe-79`, `CWE 79`, `79`) and prints the
//! canonical `CWE-79`.
//!
//! Also carries MITRE's CWE catalogue (weakness ids and names of every catalogue version 1.0–4.17,
//! `data/cwe/weaknesses.tsv`, see `data/PROVENANCE.md`), so a weakness can be named and a stated
//! (id, name) pair checked offline, as CSAF mandatory test 6.1.11 requires. No crate ships the
//! catalogue; the list is derived from the one the reference CSAF validator bundles.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

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

/// One name MITRE has used for a weakness, with the newest catalogue version that used it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CatalogueName {
    /// The weakness name exactly as the catalogue spells it.
    pub name: &'static str,
    /// The newest CWE catalogue version (`4.17`) whose entry carries this name.
    pub newest_version: &'static str,
}

/// The bundled catalogue: id number to its names, oldest first.
fn catalogue() -> &'static HashMap<u32, Vec<CatalogueName>> {
    static CATALOGUE: OnceLock<HashMap<u32, Vec<CatalogueName>>> = OnceLock::new();
    CATALOGUE.get_or_init(|| {
        let mut out: HashMap<u32, Vec<CatalogueName>> = HashMap::new();
        for line in include_str!("../data/cwe/weaknesses.tsv").lines() {
            if line.starts_with('#') {
                continue;
            }
            let mut fields = line.split('\t');
            let (Some(id), Some(name), Some(newest_version)) =
                (fields.next(), fields.next(), fields.next())
            else {
                continue;
            };
            if let Ok(Cwe::Id(number)) = Cwe::parse(id) {
                out.entry(number).or_default().push(CatalogueName {
                    name,
                    newest_version,
                });
            }
        }
        out
    })
}

/// The newest catalogue version the bundled list covers.
pub const CATALOGUE_VERSION: &str = "4.17";

impl Cwe {
    /// Every name the CWE catalogue (versions 1.0–4.17) has given this weakness, oldest first;
    /// empty when no catalogue version lists it as a weakness (categories and views are not in
    /// the list, nor are NVD's placeholders).
    pub fn catalogue_names(self) -> &'static [CatalogueName] {
        self.number()
            .and_then(|number| catalogue().get(&number))
            .map_or(&[], Vec::as_slice)
    }

    /// The weakness's name in the newest catalogue version that lists it, for display.
    pub fn name(self) -> Option<&'static str> {
        self.catalogue_names().last().map(|entry| entry.name)
    }

    /// Whether some catalogue version lists this weakness under exactly this name.
    pub fn has_catalogue_name(self, name: &str) -> bool {
        self.catalogue_names()
            .iter()
            .any(|entry| entry.name == name)
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

    #[test]
    fn catalogue_names_and_current_name() {
        let xss = Cwe::Id(79);
        assert_eq!(
            xss.name(),
            Some(
                "Improper Neutralization of Input During Web Page Generation ('Cross-site Scripting')"
            )
        );
        assert!(
            xss.has_catalogue_name(
                "Failure to Preserve Web Page Structure ('Cross-site Scripting')"
            )
        );
        assert!(!xss.has_catalogue_name("Improper Input Validation"));
        assert_eq!(
            xss.catalogue_names().last().map(|n| n.newest_version),
            Some(CATALOGUE_VERSION)
        );
        assert_eq!(Cwe::Id(20).name(), Some("Improper Input Validation"));
        assert_eq!(
            Cwe::Id(1333).name(),
            Some("Inefficient Regular Expression Complexity")
        );
        // 1 is a view, 99_999 does not exist, placeholders are not weaknesses.
        for unknown in [Cwe::Id(1), Cwe::Id(99_999), Cwe::NvdOther] {
            assert_eq!(unknown.catalogue_names(), [], "{unknown}");
            assert_eq!(unknown.name(), None);
        }
        assert!(catalogue().len() > 900);
    }

    proptest! {
        #[test]
        fn display_round_trips(number in 0u32..100_000_000) {
            let cwe = Cwe::Id(number);
            prop_assert_eq!(Cwe::parse(&cwe.to_string()), Ok(cwe));
        }
    }
}
