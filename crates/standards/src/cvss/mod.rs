//! CVSS vectors: v4.0, v3.1 and v3.0 scored, v2.0 read (and scored for legacy records).
//!
//! Scoring is delegated to RustSec's `cvss` crate, which implements the FIRST equations (v4.0
//! MacroVector lookup, v3.x rounding per minor version, v2 equations) and agrees with Red Hat's
//! Python `cvss` on its test vectors. This module adds what the crate lacks:
//!
//! - validation that names the bad metric (unknown, duplicated, missing or with an invalid value),
//!   done here against the metric tables of each specification before the crate sees the vector;
//! - the v3.x temporal score (`roundup(base × E × RL × RC)`), absent from the crate;
//! - v4.0 scores per nomenclature (CVSS-B, CVSS-BT, CVSS-BE next to the vector's own score).
//!
//! Severities follow each specification's qualitative scale (v2 has no "critical" or "none").

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

/// A CVSS specification version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum CvssVersion {
    /// CVSS v2.0 (no prefix).
    #[serde(rename = "2.0")]
    V2,
    /// CVSS v3.0.
    #[serde(rename = "3.0")]
    V3_0,
    /// CVSS v3.1.
    #[serde(rename = "3.1")]
    V3_1,
    /// CVSS v4.0.
    #[serde(rename = "4.0")]
    V4_0,
}

impl CvssVersion {
    /// `"2.0"`, `"3.0"`, `"3.1"` or `"4.0"`.
    pub fn as_str(self) -> &'static str {
        match self {
            CvssVersion::V2 => "2.0",
            CvssVersion::V3_0 => "3.0",
            CvssVersion::V3_1 => "3.1",
            CvssVersion::V4_0 => "4.0",
        }
    }
}

impl fmt::Display for CvssVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Qualitative severity rating.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// 0.0 (v3, v4).
    None,
    /// 0.1–3.9.
    Low,
    /// 4.0–6.9.
    Medium,
    /// 7.0–8.9 (7.0–10.0 in v2).
    High,
    /// 9.0–10.0 (v3, v4).
    Critical,
}

impl Severity {
    /// The rating for a score under the given version's scale.
    pub fn from_score(version: CvssVersion, score: f64) -> Severity {
        if version == CvssVersion::V2 {
            return if score < 4.0 {
                Severity::Low
            } else if score < 7.0 {
                Severity::Medium
            } else {
                Severity::High
            };
        }
        if score < 0.1 {
            Severity::None
        } else if score < 4.0 {
            Severity::Low
        } else if score < 7.0 {
            Severity::Medium
        } else if score < 9.0 {
            Severity::High
        } else {
            Severity::Critical
        }
    }

    /// Lowercase name, as in CSAF and OSV.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::None => "none",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a vector was rejected. Each variant carries the vector and names the metric at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CvssError {
    /// The vector is not `CVSS:x.y/...` nor a v2 base vector.
    #[error("invalid CVSS vector {vector:?}: {reason}")]
    Malformed {
        /// The offending vector.
        vector: String,
        /// What is wrong.
        reason: String,
    },
    /// A metric name this version does not define.
    #[error("invalid CVSS {version} vector {vector:?}: unknown metric {metric:?}")]
    UnknownMetric {
        /// The offending vector.
        vector: String,
        /// The specification version.
        version: CvssVersion,
        /// The unknown metric name.
        metric: String,
    },
    /// A metric with a value its specification does not allow.
    #[error(
        "invalid CVSS {version} vector {vector:?}: metric {metric} has invalid value {value:?} (allowed: {allowed})"
    )]
    InvalidValue {
        /// The offending vector.
        vector: String,
        /// The specification version.
        version: CvssVersion,
        /// The metric at fault.
        metric: String,
        /// Its value.
        value: String,
        /// The values allowed, `/`-separated.
        allowed: String,
    },
    /// A metric given twice.
    #[error("invalid CVSS {version} vector {vector:?}: metric {metric} appears more than once")]
    DuplicateMetric {
        /// The offending vector.
        vector: String,
        /// The specification version.
        version: CvssVersion,
        /// The repeated metric.
        metric: String,
    },
    /// A mandatory base metric is absent.
    #[error("invalid CVSS {version} vector {vector:?}: mandatory metric {metric} is missing")]
    MissingMetric {
        /// The offending vector.
        vector: String,
        /// The specification version.
        version: CvssVersion,
        /// The missing metric.
        metric: String,
    },
}

/// A validated CVSS vector.
#[derive(Debug, Clone, PartialEq)]
pub struct CvssVector {
    version: CvssVersion,
    text: String,
    inner: cvss::Cvss,
    /// (metric, value) in vector order, prefix excluded.
    metrics: Vec<(String, String)>,
}

/// Every score the vector's version defines.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CvssScores {
    /// Specification version.
    pub version: CvssVersion,
    /// Base score (v4: CVSS-B, the score of the base metrics alone).
    pub base: f64,
    /// Base severity.
    pub base_severity: Severity,
    /// v2/v3 temporal score, v4 CVSS-BT (threat). v3: always computed (equals the base when no
    /// temporal metric is set); v2 and v4: only when the vector sets a temporal/threat metric.
    pub temporal: Option<f64>,
    /// v2/v3 environmental score, v4 CVSS-BE. v3: always computed; v2 and v4: only when the vector
    /// sets an environmental metric.
    pub environmental: Option<f64>,
    /// The score that describes the whole vector: v4 its own score (CVSS-B/BT/BE/BTE), v2/v3 the
    /// most specific group present (environmental, else temporal, else base).
    pub overall: f64,
    /// Severity of `overall`.
    pub severity: Severity,
    /// v4 nomenclature of `overall` (`CVSS-BTE` …); for v2/v3 `CVSS-B`, `CVSS-BT` or `CVSS-BTE`
    /// by the same rule.
    pub nomenclature: &'static str,
}

struct MetricSpec {
    name: &'static str,
    values: &'static [&'static str],
    mandatory: bool,
    group: Group,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Group {
    Base,
    Temporal,
    Environmental,
    Supplemental,
}

const fn m(
    name: &'static str,
    values: &'static [&'static str],
    mandatory: bool,
    group: Group,
) -> MetricSpec {
    MetricSpec {
        name,
        values,
        mandatory,
        group,
    }
}

use Group::{Base as B, Environmental as E, Supplemental as S, Temporal as T};

const V2_METRICS: &[MetricSpec] = &[
    m("AV", &["L", "A", "N"], true, B),
    m("AC", &["H", "M", "L"], true, B),
    m("Au", &["M", "S", "N"], true, B),
    m("C", &["N", "P", "C"], true, B),
    m("I", &["N", "P", "C"], true, B),
    m("A", &["N", "P", "C"], true, B),
    m("E", &["U", "POC", "F", "H", "ND"], false, T),
    m("RL", &["OF", "TF", "W", "U", "ND"], false, T),
    m("RC", &["UC", "UR", "C", "ND"], false, T),
    m("CDP", &["N", "L", "LM", "MH", "H", "ND"], false, E),
    m("TD", &["N", "L", "M", "H", "ND"], false, E),
    m("CR", &["L", "M", "H", "ND"], false, E),
    m("IR", &["L", "M", "H", "ND"], false, E),
    m("AR", &["L", "M", "H", "ND"], false, E),
];

const V3_METRICS: &[MetricSpec] = &[
    m("AV", &["N", "A", "L", "P"], true, B),
    m("AC", &["L", "H"], true, B),
    m("PR", &["N", "L", "H"], true, B),
    m("UI", &["N", "R"], true, B),
    m("S", &["U", "C"], true, B),
    m("C", &["H", "L", "N"], true, B),
    m("I", &["H", "L", "N"], true, B),
    m("A", &["H", "L", "N"], true, B),
    m("E", &["X", "H", "F", "P", "U"], false, T),
    m("RL", &["X", "U", "W", "T", "O"], false, T),
    m("RC", &["X", "C", "R", "U"], false, T),
    m("CR", &["X", "H", "M", "L"], false, E),
    m("IR", &["X", "H", "M", "L"], false, E),
    m("AR", &["X", "H", "M", "L"], false, E),
    m("MAV", &["X", "N", "A", "L", "P"], false, E),
    m("MAC", &["X", "L", "H"], false, E),
    m("MPR", &["X", "N", "L", "H"], false, E),
    m("MUI", &["X", "N", "R"], false, E),
    m("MS", &["X", "U", "C"], false, E),
    m("MC", &["X", "H", "L", "N"], false, E),
    m("MI", &["X", "H", "L", "N"], false, E),
    m("MA", &["X", "H", "L", "N"], false, E),
];

const V4_METRICS: &[MetricSpec] = &[
    m("AV", &["N", "A", "L", "P"], true, B),
    m("AC", &["L", "H"], true, B),
    m("AT", &["N", "P"], true, B),
    m("PR", &["N", "L", "H"], true, B),
    m("UI", &["N", "P", "A"], true, B),
    m("VC", &["H", "L", "N"], true, B),
    m("VI", &["H", "L", "N"], true, B),
    m("VA", &["H", "L", "N"], true, B),
    m("SC", &["H", "L", "N"], true, B),
    m("SI", &["H", "L", "N"], true, B),
    m("SA", &["H", "L", "N"], true, B),
    m("E", &["X", "A", "P", "U"], false, T),
    m("CR", &["X", "H", "M", "L"], false, E),
    m("IR", &["X", "H", "M", "L"], false, E),
    m("AR", &["X", "H", "M", "L"], false, E),
    m("MAV", &["X", "N", "A", "L", "P"], false, E),
    m("MAC", &["X", "L", "H"], false, E),
    m("MAT", &["X", "N", "P"], false, E),
    m("MPR", &["X", "N", "L", "H"], false, E),
    m("MUI", &["X", "N", "P", "A"], false, E),
    m("MVC", &["X", "H", "L", "N"], false, E),
    m("MVI", &["X", "H", "L", "N"], false, E),
    m("MVA", &["X", "H", "L", "N"], false, E),
    m("MSC", &["X", "H", "L", "N"], false, E),
    m("MSI", &["X", "S", "H", "L", "N"], false, E),
    m("MSA", &["X", "S", "H", "L", "N"], false, E),
    m("S", &["X", "N", "P"], false, S),
    m("AU", &["X", "N", "Y"], false, S),
    m("R", &["X", "A", "U", "I"], false, S),
    m("V", &["X", "D", "C"], false, S),
    m("RE", &["X", "L", "M", "H"], false, S),
    m("U", &["X", "Clear", "Green", "Amber", "Red"], false, S),
];

fn metric_table(version: CvssVersion) -> &'static [MetricSpec] {
    match version {
        CvssVersion::V2 => V2_METRICS,
        CvssVersion::V3_0 | CvssVersion::V3_1 => V3_METRICS,
        CvssVersion::V4_0 => V4_METRICS,
    }
}

/// The value that means "not defined" in each version.
fn not_defined(version: CvssVersion) -> &'static str {
    if version == CvssVersion::V2 {
        "ND"
    } else {
        "X"
    }
}

impl CvssVector {
    /// Parses and validates a vector: `CVSS:4.0/…`, `CVSS:3.1/…`, `CVSS:3.0/…` or a v2 vector
    /// (`AV:N/AC:L/Au:N/C:P/I:P/A:P`, optionally wrapped in parentheses as NVD used to).
    pub fn parse(vector: &str) -> Result<Self, CvssError> {
        let text = vector.trim();
        let malformed = |reason: &str| CvssError::Malformed {
            vector: vector.to_owned(),
            reason: reason.to_owned(),
        };
        if text.is_empty() {
            return Err(malformed("empty vector"));
        }
        let (version, body) = if let Some(rest) = text.strip_prefix("CVSS:") {
            let (version, body) = rest
                .split_once('/')
                .ok_or_else(|| malformed("no metrics after the version"))?;
            let version = match version {
                "3.0" => CvssVersion::V3_0,
                "3.1" => CvssVersion::V3_1,
                "4.0" => CvssVersion::V4_0,
                "2.0" => CvssVersion::V2,
                other => return Err(malformed(&format!("unsupported version {other:?}"))),
            };
            (version, body)
        } else {
            let body = text
                .strip_prefix('(')
                .and_then(|t| t.strip_suffix(')'))
                .unwrap_or(text);
            (CvssVersion::V2, body)
        };
        let table = metric_table(version);
        let mut metrics: Vec<(String, String)> = Vec::new();
        for component in body.split('/') {
            let (name, value) = component.split_once(':').ok_or_else(|| {
                malformed(&format!("component {component:?} is not METRIC:VALUE"))
            })?;
            let spec = table.iter().find(|spec| spec.name == name).ok_or_else(|| {
                CvssError::UnknownMetric {
                    vector: vector.to_owned(),
                    version,
                    metric: name.to_owned(),
                }
            })?;
            if !spec.values.contains(&value) {
                return Err(CvssError::InvalidValue {
                    vector: vector.to_owned(),
                    version,
                    metric: name.to_owned(),
                    value: value.to_owned(),
                    allowed: spec.values.join("/"),
                });
            }
            if metrics.iter().any(|(seen, _)| seen == name) {
                return Err(CvssError::DuplicateMetric {
                    vector: vector.to_owned(),
                    version,
                    metric: name.to_owned(),
                });
            }
            metrics.push((name.to_owned(), value.to_owned()));
        }
        if let Some(missing) = table
            .iter()
            .find(|spec| spec.mandatory && !metrics.iter().any(|(name, _)| name == spec.name))
        {
            return Err(CvssError::MissingMetric {
                vector: vector.to_owned(),
                version,
                metric: missing.name.to_owned(),
            });
        }
        let canonical = render(version, &metrics);
        let inner = parse_with_crate(version, &canonical).map_err(|err| CvssError::Malformed {
            vector: vector.to_owned(),
            reason: err.to_string(),
        })?;
        Ok(Self {
            version,
            text: canonical,
            inner,
            metrics,
        })
    }

    /// The specification version.
    pub fn version(&self) -> CvssVersion {
        self.version
    }

    /// The vector as text (v2 without parentheses).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The metrics in vector order, e.g. `("AV", "N")`.
    pub fn metrics(&self) -> impl Iterator<Item = (&str, &str)> {
        self.metrics
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str()))
    }

    /// The value of one metric, if set.
    pub fn metric(&self, name: &str) -> Option<&str> {
        self.metrics
            .iter()
            .find(|(metric, _)| metric == name)
            .map(|(_, value)| value.as_str())
    }

    /// Base score (v4: CVSS-B).
    pub fn base_score(&self) -> f64 {
        self.scores().base
    }

    /// Every score and severity the version defines.
    pub fn scores(&self) -> CvssScores {
        match &self.inner {
            cvss::Cvss::CvssV20(vector) => self.scores_v2(vector),
            cvss::Cvss::CvssV30(vector) | cvss::Cvss::CvssV31(vector) => self.scores_v3(vector),
            cvss::Cvss::CvssV40(vector) => self.scores_v4(vector),
            // `cvss::Cvss` is non-exhaustive; every version we parse is handled above.
            other => {
                let score = other.score();
                self.assemble(score, None, None, score, nomenclature(false, false))
            }
        }
    }

    fn has_group(&self, group: Group) -> bool {
        let table = metric_table(self.version);
        let undefined = not_defined(self.version);
        self.metrics.iter().any(|(name, value)| {
            value != undefined
                && table
                    .iter()
                    .any(|spec| spec.name == name && spec.group == group)
        })
    }

    fn scores_v2(&self, vector: &cvss::v2::Vector) -> CvssScores {
        let base = vector.score().value();
        let temporal = self
            .has_group(Group::Temporal)
            .then(|| vector.temporal_score().value());
        let environmental = self
            .has_group(Group::Environmental)
            .then(|| vector.environmental_score().value());
        let overall = environmental.or(temporal).unwrap_or(base);
        self.assemble(
            base,
            temporal,
            environmental,
            overall,
            nomenclature(temporal.is_some(), environmental.is_some()),
        )
    }

    fn scores_v3(&self, vector: &cvss::v3::Vector) -> CvssScores {
        let base = vector.base_score().value();
        let temporal = v3_temporal(vector, base);
        let environmental = vector.environmental_score().value();
        let (has_temporal, has_environmental) = (
            self.has_group(Group::Temporal),
            self.has_group(Group::Environmental),
        );
        let overall = if has_environmental {
            environmental
        } else if has_temporal {
            temporal
        } else {
            base
        };
        self.assemble(
            base,
            Some(temporal),
            Some(environmental),
            overall,
            nomenclature(has_temporal, has_environmental),
        )
    }

    fn scores_v4(&self, vector: &cvss::v4::Vector) -> CvssScores {
        let overall = vector.score().value();
        let subset_score = |groups: &[Group]| -> f64 {
            let table = metric_table(self.version);
            let kept: Vec<(String, String)> = self
                .metrics
                .iter()
                .filter(|(name, _)| {
                    table
                        .iter()
                        .any(|spec| spec.name == name && groups.contains(&spec.group))
                })
                .cloned()
                .collect();
            parse_with_crate(self.version, &render(self.version, &kept))
                .map_or(overall, |parsed| parsed.score())
        };
        let base = subset_score(&[Group::Base]);
        let has_threat = self.has_group(Group::Temporal);
        let has_environmental = self.has_group(Group::Environmental);
        let threat = has_threat.then(|| subset_score(&[Group::Base, Group::Temporal]));
        let environmental =
            has_environmental.then(|| subset_score(&[Group::Base, Group::Environmental]));
        self.assemble(
            base,
            threat,
            environmental,
            overall,
            nomenclature(has_threat, has_environmental),
        )
    }

    fn assemble(
        &self,
        base: f64,
        temporal: Option<f64>,
        environmental: Option<f64>,
        overall: f64,
        nomenclature: &'static str,
    ) -> CvssScores {
        // v2 formulas can produce -0.0; a score is never negative.
        let clean = |score: f64| if score == 0.0 { 0.0 } else { score };
        CvssScores {
            version: self.version,
            base: clean(base),
            base_severity: Severity::from_score(self.version, base),
            temporal: temporal.map(clean),
            environmental: environmental.map(clean),
            overall: clean(overall),
            severity: Severity::from_score(self.version, overall),
            nomenclature,
        }
    }
}

fn nomenclature(threat: bool, environmental: bool) -> &'static str {
    match (threat, environmental) {
        (false, false) => "CVSS-B",
        (true, false) => "CVSS-BT",
        (false, true) => "CVSS-BE",
        (true, true) => "CVSS-BTE",
    }
}

/// CVSS v3.x temporal score, `Roundup(BaseScore × E × RL × RC)` (absent from the `cvss` crate).
fn v3_temporal(vector: &cvss::v3::Vector, base: f64) -> f64 {
    use cvss::v3::metric::temporal::{ExploitCodeMaturity, RemediationLevel, ReportConfidence};
    let e = match vector.e {
        Some(ExploitCodeMaturity::Unproven) => 0.91,
        Some(ExploitCodeMaturity::ProofOfConcept) => 0.94,
        Some(ExploitCodeMaturity::Functional) => 0.97,
        _ => 1.0,
    };
    let rl = match vector.rl {
        Some(RemediationLevel::OfficialFix) => 0.95,
        Some(RemediationLevel::TemporaryFix) => 0.96,
        Some(RemediationLevel::Workaround) => 0.97,
        _ => 1.0,
    };
    let rc = match vector.rc {
        Some(ReportConfidence::Unknown) => 0.92,
        Some(ReportConfidence::Reasonable) => 0.96,
        _ => 1.0,
    };
    cvss::v3::Score::new(base * e * rl * rc)
        .roundup_for_version(vector.minor_version)
        .value()
}

fn render(version: CvssVersion, metrics: &[(String, String)]) -> String {
    let body = metrics
        .iter()
        .map(|(name, value)| format!("{name}:{value}"))
        .collect::<Vec<_>>()
        .join("/");
    match version {
        CvssVersion::V2 => body,
        other => format!("CVSS:{other}/{body}"),
    }
}

fn parse_with_crate(version: CvssVersion, canonical: &str) -> Result<cvss::Cvss, cvss::Error> {
    match version {
        CvssVersion::V2 => cvss::v2::Vector::from_str(canonical).map(cvss::Cvss::CvssV20),
        _ => cvss::Cvss::from_str(canonical),
    }
}

impl FromStr for CvssVector {
    type Err = CvssError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CvssVector::parse(s)
    }
}

impl fmt::Display for CvssVector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests;
