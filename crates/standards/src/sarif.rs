//! SARIF 2.1.0 logs from scanners, turned into candidate findings for intake.
//!
//! Each result becomes a [`Finding`] with its rule (resolved through `ruleIndex` or `ruleId`
//! against the driver's and extensions' rules), first location, message, fingerprints and the CWE
//! ids named by the rule's tags (`external/cwe/cwe-079`, `CWE-79`) or properties (`cwe`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::schema::{self, DocumentError};

/// A SARIF log.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Log {
    /// `2.1.0`.
    #[serde(default)]
    pub version: String,
    /// Runs.
    #[serde(default)]
    pub runs: Vec<Run>,
}

/// One run of one tool.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Run {
    /// The tool.
    #[serde(default)]
    pub tool: Tool,
    /// Results.
    #[serde(default)]
    pub results: Vec<SarifResult>,
}

/// `tool`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Tool {
    /// The main component.
    #[serde(default)]
    pub driver: ToolComponent,
    /// Plug-ins, which may carry rules too.
    #[serde(default)]
    pub extensions: Vec<ToolComponent>,
}

/// `toolComponent`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ToolComponent {
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Version.
    #[serde(default)]
    pub version: Option<String>,
    /// Rules.
    #[serde(default)]
    pub rules: Vec<Rule>,
}

/// `reportingDescriptor` (a rule).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Rule {
    /// Id.
    #[serde(default)]
    pub id: String,
    /// Name.
    #[serde(default)]
    pub name: Option<String>,
    /// Short description.
    #[serde(default)]
    pub short_description: Option<Message>,
    /// Property bag (tags, cwe, precision, security-severity).
    #[serde(default)]
    pub properties: Option<Value>,
}

/// A message.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Message {
    /// Plain text.
    #[serde(default)]
    pub text: Option<String>,
}

/// `result`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SarifResult {
    /// Rule id.
    #[serde(default)]
    pub rule_id: Option<String>,
    /// Index into the driver's rules.
    #[serde(default)]
    pub rule_index: Option<usize>,
    /// `error`, `warning`, `note`, `none`.
    #[serde(default)]
    pub level: Option<String>,
    /// Message.
    #[serde(default)]
    pub message: Message,
    /// Locations, kept raw (only the first physical one is used).
    #[serde(default)]
    pub locations: Vec<Value>,
    /// Stable fingerprints.
    #[serde(default)]
    pub fingerprints: BTreeMap<String, String>,
    /// Partial fingerprints.
    #[serde(default)]
    pub partial_fingerprints: BTreeMap<String, String>,
    /// Property bag.
    #[serde(default)]
    pub properties: Option<Value>,
}

/// A candidate finding, one per result.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Tool name.
    pub tool: String,
    /// Rule id.
    pub rule_id: Option<String>,
    /// Level (`warning` when absent, as SARIF specifies).
    pub level: String,
    /// Message text.
    pub message: String,
    /// Artifact URI.
    pub uri: Option<String>,
    /// Start line.
    pub line: Option<u64>,
    /// Start column.
    pub column: Option<u64>,
    /// Fingerprints and partial fingerprints together.
    pub fingerprints: BTreeMap<String, String>,
    /// CWE ids, normalized to `CWE-<n>`.
    pub cwes: Vec<String>,
}

/// Normalizes `external/cwe/cwe-079`, `CWE-79`, `cwe:79` to `CWE-79`.
fn cwe_from(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let position = lower.rfind("cwe")?;
    let digits: String = lower[position + 3..]
        .trim_start_matches(['-', ':', '_', ' '])
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let number: u32 = digits.parse().ok()?;
    Some(format!("CWE-{number}"))
}

fn cwes_of(properties: Option<&Value>) -> Vec<String> {
    let Some(properties) = properties else {
        return Vec::new();
    };
    let mut texts: Vec<&str> = Vec::new();
    for key in ["tags", "cwe", "cwes", "CWE"] {
        match properties.get(key) {
            Some(Value::String(text)) => texts.push(text),
            Some(Value::Array(items)) => texts.extend(items.iter().filter_map(Value::as_str)),
            _ => {}
        }
    }
    let mut out: Vec<String> = Vec::new();
    for cwe in texts.into_iter().filter_map(cwe_from) {
        if !out.contains(&cwe) {
            out.push(cwe);
        }
    }
    out
}

impl Log {
    /// One candidate finding per result, in log order.
    pub fn findings(&self) -> Vec<Finding> {
        let mut out = Vec::new();
        for run in &self.runs {
            let all_rules = || {
                run.tool
                    .driver
                    .rules
                    .iter()
                    .chain(run.tool.extensions.iter().flat_map(|e| &e.rules))
            };
            for result in &run.results {
                let rule = result
                    .rule_index
                    .and_then(|index| run.tool.driver.rules.get(index))
                    .or_else(|| {
                        result
                            .rule_id
                            .as_deref()
                            .and_then(|id| all_rules().find(|rule| rule.id == id))
                    });
                let physical = result
                    .locations
                    .first()
                    .and_then(|l| l.get("physicalLocation"));
                let region = physical.and_then(|p| p.get("region"));
                let mut cwes = cwes_of(rule.and_then(|r| r.properties.as_ref()));
                for cwe in cwes_of(result.properties.as_ref()) {
                    if !cwes.contains(&cwe) {
                        cwes.push(cwe);
                    }
                }
                let mut fingerprints = result.fingerprints.clone();
                fingerprints.extend(result.partial_fingerprints.clone());
                out.push(Finding {
                    tool: run.tool.driver.name.clone(),
                    rule_id: result
                        .rule_id
                        .clone()
                        .or_else(|| rule.map(|r| r.id.clone())),
                    level: result.level.clone().unwrap_or_else(|| "warning".into()),
                    message: result.message.text.clone().unwrap_or_default(),
                    uri: physical
                        .and_then(|p| p.get("artifactLocation")?.get("uri")?.as_str())
                        .map(str::to_owned),
                    line: region.and_then(|r| r.get("startLine")?.as_u64()),
                    column: region.and_then(|r| r.get("startColumn")?.as_u64()),
                    fingerprints,
                    cwes,
                });
            }
        }
        out
    }
}

/// Reads a SARIF log.
pub fn from_slice(bytes: &[u8]) -> Result<Log, DocumentError> {
    schema::decode_json_slice("SARIF", bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn findings_with_rule_cwe_and_location() {
        let log = from_slice(include_bytes!("../tests/fixtures/sarif-sample.json")).unwrap();
        let findings = log.findings();
        assert_eq!(findings.len(), 2);
        let first = &findings[0];
        assert_eq!(first.rule_id.as_deref(), Some("js/sql-injection"));
        assert_eq!(first.cwes, ["CWE-89"]);
        assert_eq!(
            (first.uri.as_deref(), first.line, first.column),
            (Some("src/db.js"), Some(42), Some(7))
        );
        assert_eq!(
            first
                .fingerprints
                .get("primaryLocationLineHash")
                .map(String::as_str),
            Some("abc123:1")
        );
        let second = &findings[1];
        assert_eq!(second.rule_id.as_deref(), Some("js/xss"));
        assert_eq!(second.level, "warning");
        assert_eq!(second.cwes, ["CWE-79", "CWE-116"]);
    }

    #[test]
    fn cwe_spellings() {
        assert_eq!(cwe_from("external/cwe/cwe-079").as_deref(), Some("CWE-79"));
        assert_eq!(cwe_from("CWE-787").as_deref(), Some("CWE-787"));
        assert_eq!(cwe_from("security"), None);
    }
}
