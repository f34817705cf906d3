//! OSV records (<https://ossf.github.io/osv-schema/>): read from JSON or from the YAML some databases
//! (PyPA) publish, and written back as either.
//!
//! Own serde structs rather than the `osv` crate: that crate rejects a whole record when it meets an
//! ecosystem it does not know, and real databases invent ecosystems faster than libraries follow.
//! Here the ecosystem and the range type stay strings; [`crate::matching`] interprets them.
//! Unknown fields are ignored on input (the schema allows extensions only in `*_specific`, which we
//! keep as raw JSON).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::schema::{self, DocumentError};

/// One OSV vulnerability record.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// Schema version the record claims, e.g. `1.6.0`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema_version: Option<String>,
    /// The record's own id (`GHSA-…`, `PYSEC-…`, `GO-…`, `RUSTSEC-…`).
    pub id: String,
    /// RFC 3339 time of the last change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified: Option<String>,
    /// RFC 3339 time of publication.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    /// Set when the record was withdrawn; matching skips withdrawn records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawn: Option<String>,
    /// Ids of the same vulnerability in other databases.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// Ids of related but different vulnerabilities.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<String>,
    /// Ids of the records this one was derived from.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub upstream: Vec<String>,
    /// One-line summary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// Markdown description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
    /// Record-level severities.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub severity: Vec<Severity>,
    /// Affected packages with their ranges and versions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub affected: Vec<Affected>,
    /// Links.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<Reference>,
    /// People and organisations credited.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub credits: Vec<Credit>,
    /// Database-specific extension, kept verbatim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database_specific: Option<Value>,
}

/// A severity score (`CVSS_V3`, `CVSS_V4`, `Ubuntu`, …) with its vector or value.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Severity {
    /// Scoring system, as written.
    #[serde(rename = "type", default)]
    pub kind: String,
    /// Vector string or score.
    #[serde(default)]
    pub score: String,
}

/// One affected package.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Affected {
    /// Which package; absent in some records that only give ranges of a git repository.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package: Option<Package>,
    /// Per-package severities.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub severity: Vec<Severity>,
    /// Affected ranges.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ranges: Vec<Range>,
    /// Explicitly enumerated affected versions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<String>,
    /// Ecosystem-specific extension (e.g. Go's affected symbols), kept verbatim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ecosystem_specific: Option<Value>,
    /// Database-specific extension, kept verbatim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database_specific: Option<Value>,
}

/// Package coordinates.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Package {
    /// Ecosystem as written (`PyPI`, `Go`, `crates.io`, `Debian:12`, or one we have never heard of).
    #[serde(default)]
    pub ecosystem: String,
    /// Package name as written.
    #[serde(default)]
    pub name: String,
    /// Package URL without version, when the database gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
}

/// A range of affected versions given as ordered events.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Range {
    /// `SEMVER`, `ECOSYSTEM` or `GIT`, kept as a string so an unknown type does not lose the record.
    #[serde(rename = "type", default)]
    pub kind: String,
    /// Repository URL for `GIT` ranges.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repo: Option<String>,
    /// Events in the order given.
    #[serde(default)]
    pub events: Vec<Event>,
    /// Database-specific extension, kept verbatim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database_specific: Option<Value>,
}

/// One range event. OSV allows exactly one key per event; a malformed event with several keys is
/// kept as given and the schema check reports it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// Version where the vulnerability starts (`"0"` means since the beginning).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub introduced: Option<String>,
    /// First fixed version (exclusive upper bound).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed: Option<String>,
    /// Last affected version (inclusive upper bound).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_affected: Option<String>,
    /// Upper limit of the range for `GIT` (exclusive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<String>,
}

/// A link.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Reference {
    /// `ADVISORY`, `FIX`, `WEB`, … as written.
    #[serde(rename = "type", default)]
    pub kind: String,
    /// The URL.
    #[serde(default)]
    pub url: String,
}

/// A credited party.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Credit {
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Contact URLs or addresses.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contact: Vec<String>,
    /// `FINDER`, `REPORTER`, … as written.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

impl Record {
    /// All ids this record is known by: its own id first, then its aliases.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.id.as_str()).chain(self.aliases.iter().map(String::as_str))
    }

    /// Writes the record as pretty JSON.
    pub fn to_json(&self) -> String {
        // Serializing plain strings, vectors and `Value`s cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Writes the record as YAML, in the shape PyPA publishes.
    pub fn to_yaml(&self) -> String {
        serde_yaml::to_string(self).unwrap_or_default()
    }
}

/// Semantic checks beyond the schema, after the OSV linter's range rules: every range has an
/// `introduced` event, and no version appears in two events of one range. (The linter's
/// package-existence check needs a registry and is not done here.)
pub fn lint(record: &Record) -> Vec<schema::Problem> {
    let mut out = Vec::new();
    for (a, affected) in record.affected.iter().enumerate() {
        for (r, range) in affected.ranges.iter().enumerate() {
            let path = format!("$.affected[{a}].ranges[{r}]");
            if !range.events.iter().any(|event| event.introduced.is_some()) {
                out.push(schema::Problem {
                    path: format!("{path}.events"),
                    message: "range has no introduced event".into(),
                    rule: "range_has_introduced_event".into(),
                });
            }
            let mut seen = std::collections::HashSet::new();
            for (e, event) in range.events.iter().enumerate() {
                let version = [
                    &event.introduced,
                    &event.fixed,
                    &event.last_affected,
                    &event.limit,
                ]
                .into_iter()
                .flatten()
                .next();
                if let Some(version) = version
                    && !seen.insert(version.as_str())
                {
                    out.push(schema::Problem {
                        path: format!("{path}.events[{e}]"),
                        message: format!("version {version} appears in two events"),
                        rule: "range_events_distinct".into(),
                    });
                }
            }
        }
    }
    out
}

/// Reads one OSV record from JSON.
pub fn from_json(text: &str) -> Result<Record, DocumentError> {
    schema::decode_json("OSV", text)
}

/// Reads one OSV record from YAML (PyPA's advisory database format).
pub fn from_yaml(text: &str) -> Result<Record, DocumentError> {
    schema::decode_yaml("OSV", text)
}

/// Reads one OSV record from bytes, choosing JSON when the first non-blank byte is `{`, else YAML.
pub fn from_slice(bytes: &[u8]) -> Result<Record, DocumentError> {
    let text = std::str::from_utf8(bytes).map_err(|err| DocumentError::Encoding {
        format: "OSV",
        message: err.to_string(),
    })?;
    if text.trim_start().starts_with('{') {
        from_json(text)
    } else {
        from_yaml(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GO_RECORD: &str = r#"{
      "schema_version": "1.3.1",
      "id": "GO-2024-3228",
      "aliases": ["GHSA-wcx9-ccpj-hx3c"],
      "affected": [{
        "package": {"name": "github.com/coder/coder/v2", "ecosystem": "Go"},
        "ranges": [{"type": "SEMVER", "events": [
          {"introduced": "2.3.1"}, {"fixed": "2.14.4"}]}],
        "ecosystem_specific": {}
      }],
      "unknown_top_level": 1
    }"#;

    #[test]
    fn reads_json_and_keeps_extensions() {
        let record = from_json(GO_RECORD).unwrap();
        assert_eq!(record.id, "GO-2024-3228");
        assert_eq!(
            record.ids().collect::<Vec<_>>(),
            ["GO-2024-3228", "GHSA-wcx9-ccpj-hx3c"]
        );
        let affected = &record.affected[0];
        assert_eq!(affected.package.as_ref().unwrap().ecosystem, "Go");
        assert_eq!(
            affected.ranges[0].events[1].fixed.as_deref(),
            Some("2.14.4")
        );
        assert_eq!(affected.ecosystem_specific, Some(serde_json::json!({})));
    }

    #[test]
    fn unknown_ecosystem_is_kept() {
        let record = from_json(
            r#"{"id":"X-1","affected":[{"package":{"ecosystem":"Martian:3","name":"m"}}]}"#,
        )
        .unwrap();
        assert_eq!(
            record.affected[0].package.as_ref().unwrap().ecosystem,
            "Martian:3"
        );
    }

    #[test]
    fn reads_pypa_yaml() {
        let yaml = "id: PYSEC-2020-342\nmodified: 2023-11-07T20:24:23.946863Z\naliases:\n- CVE-2020-13921\naffected:\n- package:\n    ecosystem: PyPI\n    name: apache-skywalking\n  ranges:\n  - type: ECOSYSTEM\n    events:\n    - introduced: \"0\"\n  versions:\n  - 0.1.0\n";
        let record = from_slice(yaml.as_bytes()).unwrap();
        assert_eq!(
            record.modified.as_deref(),
            Some("2023-11-07T20:24:23.946863Z")
        );
        assert_eq!(record.affected[0].versions, ["0.1.0"]);
    }

    #[test]
    fn type_error_names_json_path() {
        let err = from_json(
            r#"{"id":"X","affected":[{"ranges":[{"type":"SEMVER","events":[{"fixed":3}]}]}]}"#,
        )
        .unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("$.affected[0].ranges[0].events[0].fixed"),
            "{text}"
        );
    }

    #[test]
    fn lint_finds_missing_introduced_and_repeated_versions() {
        let record = from_json(r#"{"id":"X","affected":[{"ranges":[{"type":"GIT","events":[{"fixed":"a"}]},{"type":"GIT","events":[{"introduced":"b"},{"fixed":"b"}]}]}]}"#).unwrap();
        let rules: Vec<_> = lint(&record)
            .into_iter()
            .map(|p| (p.rule, p.path))
            .collect();
        assert_eq!(
            rules,
            [
                (
                    "range_has_introduced_event".to_owned(),
                    "$.affected[0].ranges[0].events".to_owned()
                ),
                (
                    "range_events_distinct".to_owned(),
                    "$.affected[0].ranges[1].events[1]".to_owned()
                ),
            ]
        );
        assert_eq!(lint(&from_json(GO_RECORD).unwrap()), []);
    }

    #[test]
    fn json_and_yaml_round_trip() {
        let record = from_json(GO_RECORD).unwrap();
        assert_eq!(from_json(&record.to_json()).unwrap(), record);
        assert_eq!(from_yaml(&record.to_yaml()).unwrap(), record);
    }

    proptest::proptest! {
        #[test]
        fn round_trips_arbitrary_events(
            id in "[A-Z]{2,5}-[0-9]{1,6}",
            introduced in "[0-9]{1,3}(\\.[0-9]{1,3}){0,2}",
            fixed in proptest::option::of("[0-9]{1,3}(\\.[0-9]{1,3}){0,2}"),
        ) {
            let record = Record {
                id,
                affected: vec![Affected {
                    package: Some(Package { ecosystem: "npm".into(), name: "left-pad".into(), purl: None }),
                    ranges: vec![Range {
                        kind: "SEMVER".into(),
                        events: [Some(Event { introduced: Some(introduced), ..Event::default() }),
                                 fixed.map(|f| Event { fixed: Some(f), ..Event::default() })]
                            .into_iter().flatten().collect(),
                        ..Range::default()
                    }],
                    ..Affected::default()
                }],
                ..Record::default()
            };
            proptest::prop_assert_eq!(&from_json(&record.to_json()).unwrap(), &record);
            proptest::prop_assert_eq!(&from_yaml(&record.to_yaml()).unwrap(), &record);
        }

        #[test]
        fn never_panics_on_garbage(text in ".{0,200}") {
            let _ = from_slice(text.as_bytes());
        }
    }
}
