//! Every vector in Red Hat's `vectors_*` files must score exactly as listed.

use std::fs;

use clearinghouse_standards::cvss::{CvssError, CvssVector, CvssVersion};

use super::shared;

/// Parses `(6.4, 4.9, None)`, `(9.2,)` or `7.3` into optional numbers.
fn expected_scores(text: &str) -> Vec<Option<f64>> {
    text.trim()
        .trim_start_matches('(')
        .trim_end_matches(')')
        .split(',')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(|part| {
            if part == "None" {
                None
            } else {
                Some(part.parse::<f64>().expect("score is a number"))
            }
        })
        .collect()
}

#[test]
fn redhat_vectors_score_as_expected() {
    let Some(dir) = shared::path("cvss/redhat-cvss") else {
        return;
    };
    let mut files: Vec<_> = fs::read_dir(&dir)
        .expect("readable directory")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| {
            path.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("vectors_"))
        })
        .collect();
    files.sort();
    assert!(
        files.len() >= 11,
        "expected the 11 vector files, found {}",
        files.len()
    );
    let mut checked = 0;
    let mut failures = Vec::new();
    for file in &files {
        let text = fs::read_to_string(file).expect("readable file");
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let (vector, expected) = line.split_once(" - ").expect("`vector - scores` line");
            let expected = expected_scores(expected);
            let parsed = match CvssVector::parse(vector) {
                Ok(parsed) => parsed,
                Err(err) => {
                    failures.push(format!("{}: {vector}: {err}", file.display()));
                    continue;
                }
            };
            let scores = parsed.scores();
            let got: Vec<Option<f64>> = match parsed.version() {
                // v4 files list the vector's own score (CVSS-B/BT/BE/BTE).
                CvssVersion::V4_0 => vec![Some(scores.overall)],
                _ => vec![Some(scores.base), scores.temporal, scores.environmental],
            };
            if got != expected {
                failures.push(format!(
                    "{}: {vector}: expected {expected:?}, got {got:?}",
                    file.file_name().and_then(|n| n.to_str()).unwrap_or("?")
                ));
            }
            checked += 1;
        }
    }
    assert!(checked > 5000, "only {checked} vectors checked");
    assert!(
        failures.is_empty(),
        "{} of {checked} vectors differ:\n{}",
        failures.len(),
        failures
            .iter()
            .take(40)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// Every metric and value of the FIRST v4 calculator's `metrics.json` is accepted, and an invalid
/// value for it is rejected with an error naming that metric.
#[test]
fn v4_calculator_metric_table_is_accepted() {
    let Some(path) = shared::path("cvss/cvss-v4-calculator/metrics.json") else {
        return;
    };
    let table: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(path).expect("readable")).expect("json");
    let base = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N";
    let mut checked = 0;
    for group in table.as_object().expect("object").values() {
        for metrics in group["metric_groups"].as_object().expect("groups").values() {
            for metric in metrics.as_object().expect("metrics").values() {
                let short = metric["short"].as_str().expect("short name");
                for option in metric["options"].as_object().expect("options").values() {
                    let Some(value) = option.get("value").and_then(|v| v.as_str()) else {
                        continue; // the table has one empty placeholder option
                    };
                    let vector = with_metric(base, short, value);
                    let parsed = CvssVector::parse(&vector)
                        .unwrap_or_else(|err| panic!("{vector} rejected: {err}"));
                    assert_eq!(parsed.metric(short), Some(value));
                    checked += 1;
                }
                let bad = with_metric(base, short, "Q");
                match CvssVector::parse(&bad) {
                    Err(CvssError::InvalidValue { metric, .. }) => assert_eq!(metric, short),
                    other => panic!("{bad}: expected an invalid-value error, got {other:?}"),
                }
            }
        }
    }
    assert!(checked > 100, "only {checked} metric values checked");
}

/// `base` with `short` set to `value` (replaced when it is a base metric, appended otherwise).
fn with_metric(base: &str, short: &str, value: &str) -> String {
    let prefix = format!("{short}:");
    if base
        .split('/')
        .any(|component| component.starts_with(&prefix))
    {
        base.split('/')
            .map(|component| {
                if component.starts_with(&prefix) {
                    format!("{short}:{value}")
                } else {
                    component.to_owned()
                }
            })
            .collect::<Vec<_>>()
            .join("/")
    } else {
        format!("{base}/{short}:{value}")
    }
}
