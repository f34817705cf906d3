//! Vulnerability identifiers: which family an id belongs to, its canonical spelling, and which of
//! several aliases to show first.
//!
//! Families follow the OSV schema's id prefixes (CVE, GHSA, PYSEC, RUSTSEC, GO, OSV, GSD, MAL…)
//! and the vendor advisories that reference CVEs (RHSA, DSA, USN, ALSA…). Unknown shapes are kept
//! as [`IdFamily::Other`] with their prefix, never rejected: new databases appear every year.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

/// The database or vendor an identifier comes from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IdFamily {
    /// `CVE-YYYY-NNNN…`
    Cve,
    /// GitHub Security Advisory, `GHSA-xxxx-xxxx-xxxx`.
    Ghsa,
    /// Python Packaging Advisory Database, `PYSEC-YYYY-N`.
    Pysec,
    /// RustSec, `RUSTSEC-YYYY-NNNN`.
    Rustsec,
    /// Go vulnerability database, `GO-YYYY-NNNN`.
    Go,
    /// OSS-Fuzz via OSV, `OSV-YYYY-N`.
    Osv,
    /// Global Security Database, `GSD-YYYY-N`.
    Gsd,
    /// OpenSSF malicious packages, `MAL-YYYY-N`.
    Mal,
    /// A vendor or distribution advisory (`RHSA`, `DSA`, `USN`, …), by its prefix.
    Vendor(&'static str),
    /// Any other `PREFIX-…` id, by its uppercase prefix.
    Other(String),
}

/// A classified, normalized vulnerability identifier.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct VulnId {
    family: IdFamily,
    id: String,
}

/// Why an identifier was rejected; carries the input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid vulnerability id {input:?}: {reason}")]
pub struct VulnIdError {
    /// The offending text.
    pub input: String,
    /// What is wrong with it.
    pub reason: String,
}

/// Vendor and distribution advisory prefixes we recognize.
const VENDOR_PREFIXES: &[&str] = &[
    "RHSA",
    "RHBA",
    "RHEA",
    "DSA",
    "DLA",
    "DTSA",
    "USN",
    "ALSA",
    "ALBA",
    "ALEA",
    "RLSA",
    "RLBA",
    "ELSA",
    "ELBA",
    "CESA",
    "SUSE-SU",
    "SUSE-RU",
    "OPENSUSE-SU",
    "ALAS",
    "ALAS2",
    "ALAS2022",
    "ALAS2023",
    "MGASA",
    "OESA",
    "CGA",
    "BIT",
    "DEBIAN-CVE",
    "UBUNTU-CVE",
    "PSF",
    "JLSEC",
    "CURL-CVE",
    "ASB-A",
    "PUB-A",
    "ICSA",
    "ICSMA",
    "VU",
    "MSRC",
    "CISCO-SA",
    "XSA",
    "ZDI-CAN",
    "ZDI",
];

const GHSA_ALPHABET: &[u8] = b"23456789cfghjmpqrvwx";

impl VulnId {
    /// Classifies and normalizes an id: prefixes uppercase, GHSA bodies lowercase, whitespace
    /// trimmed. Fails only on text that cannot be an id at all (empty, spaces inside, or a known
    /// family with the wrong shape such as `CVE-21-1`).
    pub fn parse(input: &str) -> Result<Self, VulnIdError> {
        let error = |reason: &str| VulnIdError {
            input: input.to_owned(),
            reason: reason.to_owned(),
        };
        let text = input.trim();
        if text.is_empty() {
            return Err(error("empty"));
        }
        if text.chars().any(char::is_whitespace) {
            return Err(error("contains whitespace"));
        }
        let upper = text.to_ascii_uppercase();
        let (prefix, rest) = upper
            .split_once('-')
            .ok_or_else(|| error("expected PREFIX-…"))?;
        let year_and_number = |rest: &str, min_digits: usize| -> bool {
            rest.split_once('-').is_some_and(|(year, number)| {
                year.len() == 4
                    && year.bytes().all(|b| b.is_ascii_digit())
                    && number.len() >= min_digits
                    && number.bytes().all(|b| b.is_ascii_digit())
            })
        };
        let (family, id) = match prefix {
            "CVE" => {
                if !year_and_number(rest, 4) {
                    return Err(error("CVE ids are CVE-YYYY-NNNN (four or more digits)"));
                }
                (IdFamily::Cve, upper.clone())
            }
            "GHSA" => {
                let body = rest.to_ascii_lowercase();
                let groups: Vec<&str> = body.split('-').collect();
                let well_formed = groups.len() == 3
                    && groups
                        .iter()
                        .all(|g| g.len() == 4 && g.bytes().all(|b| GHSA_ALPHABET.contains(&b)));
                if !well_formed {
                    return Err(error("GHSA ids are GHSA-xxxx-xxxx-xxxx"));
                }
                (IdFamily::Ghsa, format!("GHSA-{body}"))
            }
            "PYSEC" | "RUSTSEC" | "GO" | "OSV" | "GSD" | "MAL" => {
                if !year_and_number(rest, 1) {
                    return Err(error("expected PREFIX-YYYY-N"));
                }
                let family = match prefix {
                    "PYSEC" => IdFamily::Pysec,
                    "RUSTSEC" => IdFamily::Rustsec,
                    "GO" => IdFamily::Go,
                    "OSV" => IdFamily::Osv,
                    "GSD" => IdFamily::Gsd,
                    _ => IdFamily::Mal,
                };
                (family, upper.clone())
            }
            _ => {
                // Longest vendor prefix first, so `ALAS2023-…` is not read as `ALAS`.
                let vendor = VENDOR_PREFIXES
                    .iter()
                    .filter(|vendor| {
                        upper.starts_with(*vendor) && upper[vendor.len()..].starts_with(['-', ':'])
                    })
                    .max_by_key(|vendor| vendor.len());
                match vendor {
                    Some(vendor) => (IdFamily::Vendor(vendor), normalize_vendor(text, vendor)),
                    None => {
                        if !prefix.bytes().all(|b| b.is_ascii_alphanumeric()) || prefix.is_empty() {
                            return Err(error("the prefix must be letters and digits"));
                        }
                        (IdFamily::Other(prefix.to_owned()), text.to_owned())
                    }
                }
            }
        };
        Ok(Self { family, id })
    }

    /// The family.
    pub fn family(&self) -> &IdFamily {
        &self.family
    }

    /// The canonical spelling.
    pub fn as_str(&self) -> &str {
        &self.id
    }

    /// Whether this is a CVE id.
    pub fn is_cve(&self) -> bool {
        self.family == IdFamily::Cve
    }

    /// Display preference: CVE first, then GHSA, then ecosystem databases, then vendors, then
    /// anything else; ties broken by the id text.
    fn rank(&self) -> u8 {
        match self.family {
            IdFamily::Cve => 0,
            IdFamily::Ghsa => 1,
            IdFamily::Pysec | IdFamily::Rustsec | IdFamily::Go => 2,
            IdFamily::Osv | IdFamily::Gsd | IdFamily::Mal => 3,
            IdFamily::Vendor(_) => 4,
            IdFamily::Other(_) => 5,
        }
    }
}

/// Vendor ids keep their case after the prefix (`RHSA-2024:1234`, `openSUSE-SU-2024:0001-1`),
/// but the prefix itself is canonical uppercase, except openSUSE's own mixed case.
fn normalize_vendor(text: &str, vendor: &str) -> String {
    let rest = &text[vendor.len()..];
    let prefix = if vendor == "OPENSUSE-SU" {
        "openSUSE-SU"
    } else {
        vendor
    };
    format!("{prefix}{rest}")
}

impl Ord for VulnId {
    fn cmp(&self, other: &Self) -> Ordering {
        self.rank()
            .cmp(&other.rank())
            .then_with(|| self.id.cmp(&other.id))
    }
}

impl PartialOrd for VulnId {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl FromStr for VulnId {
    type Err = VulnIdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        VulnId::parse(s)
    }
}

impl fmt::Display for VulnId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.id)
    }
}

/// The id to display for a vulnerability known under several aliases: the CVE if there is one,
/// else the GHSA, else an ecosystem database id. Ids that do not parse are ignored.
pub fn preferred_alias<'a>(ids: impl IntoIterator<Item = &'a str>) -> Option<VulnId> {
    ids.into_iter()
        .filter_map(|id| VulnId::parse(id).ok())
        .min()
}

/// Parses, normalizes, deduplicates and orders aliases (preferred first), skipping unparsable ids.
pub fn normalize_aliases<'a>(ids: impl IntoIterator<Item = &'a str>) -> Vec<VulnId> {
    let mut parsed: Vec<VulnId> = ids
        .into_iter()
        .filter_map(|id| VulnId::parse(id).ok())
        .collect();
    parsed.sort();
    parsed.dedup();
    parsed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_and_normalization() {
        let cases = [
            ("cve-2021-44228", IdFamily::Cve, "CVE-2021-44228"),
            ("CVE-2024-123456", IdFamily::Cve, "CVE-2024-123456"),
            ("GHSA-JFH8-C2JP-5V3Q", IdFamily::Ghsa, "GHSA-jfh8-c2jp-5v3q"),
            ("PYSEC-2021-19", IdFamily::Pysec, "PYSEC-2021-19"),
            ("RUSTSEC-2021-0078", IdFamily::Rustsec, "RUSTSEC-2021-0078"),
            ("GO-2022-0969", IdFamily::Go, "GO-2022-0969"),
            ("OSV-2020-111", IdFamily::Osv, "OSV-2020-111"),
            ("MAL-2024-1", IdFamily::Mal, "MAL-2024-1"),
            ("RHSA-2024:1234", IdFamily::Vendor("RHSA"), "RHSA-2024:1234"),
            ("dsa-5123-1", IdFamily::Vendor("DSA"), "DSA-5123-1"),
            ("USN-6000-1", IdFamily::Vendor("USN"), "USN-6000-1"),
            (
                "ALAS2023-2024-123",
                IdFamily::Vendor("ALAS2023"),
                "ALAS2023-2024-123",
            ),
            (
                "openSUSE-SU-2024:0001-1",
                IdFamily::Vendor("OPENSUSE-SU"),
                "openSUSE-SU-2024:0001-1",
            ),
            ("icsa-23-348-10", IdFamily::Vendor("ICSA"), "ICSA-23-348-10"),
            (
                "XYZ-2024-1",
                IdFamily::Other("XYZ".to_owned()),
                "XYZ-2024-1",
            ),
        ];
        for (input, family, canonical) in cases {
            let id = VulnId::parse(input).unwrap_or_else(|err| panic!("{input}: {err}"));
            assert_eq!(id.family(), &family, "{input}");
            assert_eq!(id.as_str(), canonical, "{input}");
            assert_eq!(
                VulnId::parse(id.as_str()).unwrap(),
                id,
                "{input} round trip"
            );
        }
    }

    #[test]
    fn malformed_ids() {
        for bad in [
            "",
            "CVE-21-1",
            "CVE-2021-123",
            "GHSA-xxxx",
            "GHSA-aaaa-bbbb-cccc",
            "no dash",
            "CVE 2021 1",
            "PYSEC-x-1",
        ] {
            assert!(VulnId::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn alias_preference() {
        let aliases = [
            "GHSA-jfh8-c2jp-5v3q",
            "PYSEC-2021-19",
            "cve-2021-44228",
            "junk id",
        ];
        assert_eq!(preferred_alias(aliases).unwrap().as_str(), "CVE-2021-44228");
        assert_eq!(
            preferred_alias(["PYSEC-2021-19", "GHSA-jfh8-c2jp-5v3q"])
                .unwrap()
                .as_str(),
            "GHSA-jfh8-c2jp-5v3q"
        );
        let normalized = normalize_aliases(["CVE-2021-1234", "cve-2021-1234", "RHSA-2021:1"]);
        assert_eq!(normalized.len(), 2);
        assert!(preferred_alias([]).is_none());
    }
}
