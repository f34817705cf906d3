//! FIRST EPSS daily scores (CSV): a `#model_version:…,score_date:…` comment line, a
//! `cve,epss,percentile` header, then one row per CVE.
//!
//! Hand-written reader: the format is three numeric columns, a CSV crate would add nothing but a
//! dependency. Errors carry the 1-based line number and the offending line.

use serde::Serialize;

/// The daily file.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct EpssFile {
    /// Model version from the comment line, e.g. `v2025.03.14`.
    pub model_version: Option<String>,
    /// Score date from the comment line (RFC 3339).
    pub score_date: Option<String>,
    /// Scores in file order.
    pub scores: Vec<Score>,
}

/// One CVE's score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Score {
    /// CVE id.
    pub cve: String,
    /// Probability of exploitation activity in the next 30 days, 0–1.
    pub epss: f64,
    /// Percentile among all scored CVEs, 0–1.
    pub percentile: f64,
}

/// A line that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("EPSS line {line}: {message}: {text:?}")]
pub struct EpssError {
    /// 1-based line number.
    pub line: usize,
    /// The line.
    pub text: String,
    /// What was wrong.
    pub message: String,
}

/// Parses the CSV text.
pub fn parse(text: &str) -> Result<EpssFile, EpssError> {
    let mut file = EpssFile::default();
    let mut header_seen = false;
    for (index, raw) in text.lines().enumerate() {
        let line = raw.trim_end_matches('\r');
        let error = |message: &str| EpssError {
            line: index + 1,
            text: line.to_owned(),
            message: message.to_owned(),
        };
        if line.trim().is_empty() {
            continue;
        }
        if let Some(comment) = line.strip_prefix('#') {
            for pair in comment.split(',') {
                match pair.split_once(':') {
                    Some(("model_version", value)) => {
                        file.model_version = Some(value.trim().to_owned())
                    }
                    Some(("score_date", value)) => file.score_date = Some(value.trim().to_owned()),
                    _ => {}
                }
            }
            continue;
        }
        if !header_seen {
            let columns: Vec<_> = line.split(',').map(str::trim).collect();
            if columns != ["cve", "epss", "percentile"] {
                return Err(error("expected header cve,epss,percentile"));
            }
            header_seen = true;
            continue;
        }
        let mut columns = line.split(',');
        let (Some(cve), Some(epss), Some(percentile), None) = (
            columns.next(),
            columns.next(),
            columns.next(),
            columns.next(),
        ) else {
            return Err(error("expected three columns"));
        };
        let number = |text: &str, name: &str| -> Result<f64, EpssError> {
            let value: f64 = text
                .trim()
                .parse()
                .map_err(|_| error(&format!("{name} is not a number")))?;
            if (0.0..=1.0).contains(&value) {
                Ok(value)
            } else {
                Err(error(&format!("{name} is outside 0..1")))
            }
        };
        file.scores.push(Score {
            cve: cve.trim().to_owned(),
            epss: number(epss, "epss")?,
            percentile: number(percentile, "percentile")?,
        });
    }
    Ok(file)
}

impl EpssFile {
    /// Score of one CVE.
    pub fn get(&self, cve: &str) -> Option<&Score> {
        self.scores
            .iter()
            .find(|score| score.cve.eq_ignore_ascii_case(cve))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = include_str!("../tests/fixtures/epss-sample.csv");

    #[test]
    fn reads_fixture() {
        let file = parse(SAMPLE).unwrap();
        assert_eq!(file.model_version.as_deref(), Some("v2025.03.14"));
        assert_eq!(file.score_date.as_deref(), Some("2025-11-16T12:55:00Z"));
        assert_eq!(file.scores.len(), 5);
        let score = file.get("CVE-2024-3400").unwrap();
        assert_eq!((score.epss, score.percentile), (0.94348, 0.99961));
    }

    #[test]
    fn bad_number_reports_line() {
        let err = parse("cve,epss,percentile\nCVE-1,0.1,0.2\nCVE-2,x,0.3\n").unwrap_err();
        assert_eq!(err.line, 3);
        assert!(parse("cve,epss,percentile\nCVE-1,1.5,0.2\n").is_err());
        assert!(parse("cve,score\n").is_err());
    }

    proptest::proptest! {
        #[test]
        fn writes_and_reads_back(rows in proptest::collection::vec((0u32..99999, 0u32..=100000, 0u32..=100000), 0..20)) {
            let mut text = String::from("#model_version:v1,score_date:2025-01-01T00:00:00Z\ncve,epss,percentile\n");
            for (id, epss, percentile) in &rows {
                text.push_str(&format!("CVE-2024-{id},{},{}\n", f64::from(*epss) / 100000.0, f64::from(*percentile) / 100000.0));
            }
            let file = parse(&text).unwrap();
            proptest::prop_assert_eq!(file.scores.len(), rows.len());
        }

        #[test]
        fn never_panics(text in ".{0,200}") {
            let _ = parse(&text);
        }
    }
}
