//! SSVC (Stakeholder-Specific Vulnerability Categorization): decision points, decision tables and
//! their evaluation, plus the CISA inputs published in CVE records.
//!
//! Tables use CERT/CC's published JSON format ("Decision Table" schema 2.0.0): a map of decision
//! points keyed `namespace:key:version`, the id of the outcome decision point, and one mapping row
//! per input combination. [`DecisionTable::from_json`] reads any such table (CERT/CC's own files
//! are passed in as text: this crate does no I/O). The two tables the server needs without any
//! data directory, CISA's coordinator table (Track, Track*, Attend, Act) and the deployer table
//! (Defer, Scheduled, Out-of-Cycle, Immediate), are our own transcriptions of the CISA SSVC guide
//! and the SSVC documentation, in `ssvc/tables/`, checked row by row against CERT/CC's JSON by the
//! data-driven tests.
//!
//! The `ssvc` crate has types only, no table evaluation, so evaluation is written here: a table is
//! compiled into a dense array indexed by the mixed-radix number of the input values.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One possible value of a decision point.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionPointValue {
    /// Short key, e.g. `A`.
    pub key: String,
    /// Human name, e.g. `Active`.
    pub name: String,
    /// What the value means.
    #[serde(default)]
    pub definition: String,
}

/// A decision point: a question with an ordered set of answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionPoint {
    /// Namespace, e.g. `ssvc` or `cisa`.
    pub namespace: String,
    /// Short key, e.g. `E`.
    pub key: String,
    /// Semantic version of the decision point.
    pub version: String,
    /// Human name, e.g. `Exploitation`.
    pub name: String,
    /// What the decision point asks.
    #[serde(default)]
    pub definition: String,
    /// Possible values, lowest first.
    pub values: Vec<DecisionPointValue>,
}

/// Errors from reading or evaluating SSVC tables; each carries the offending input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SsvcError {
    /// The JSON is not a decision point or decision table.
    #[error("invalid SSVC JSON: {reason}")]
    Json {
        /// Parser message or the inconsistency found.
        reason: String,
    },
    /// An input names no decision point of the table.
    #[error("table {table} has no decision point {input:?} (inputs: {expected})")]
    UnknownInput {
        /// Table name.
        table: String,
        /// The name given.
        input: String,
        /// The inputs the table takes.
        expected: String,
    },
    /// An input value is not one of the decision point's values.
    #[error("{decision_point} has no value {value:?} (allowed: {allowed})")]
    InvalidValue {
        /// Decision point name.
        decision_point: String,
        /// The value given.
        value: String,
        /// The allowed values.
        allowed: String,
    },
    /// A decision point the table needs was not given.
    #[error("table {table} needs a value for {decision_point} (one of: {allowed})")]
    MissingInput {
        /// Table name.
        table: String,
        /// Decision point name.
        decision_point: String,
        /// The allowed values.
        allowed: String,
    },
    /// The table has no row for this combination of inputs.
    #[error("table {table} has no row for {inputs}")]
    NoRow {
        /// Table name.
        table: String,
        /// The inputs, `key:value` joined by `/`.
        inputs: String,
    },
}

/// A compiled decision table.
#[derive(Debug, Clone)]
pub struct DecisionTable {
    namespace: String,
    key: String,
    version: String,
    name: String,
    definition: String,
    inputs: Vec<DecisionPoint>,
    outcome: DecisionPoint,
    /// Row count of the source mapping.
    rows: usize,
    /// Outcome value index per input combination (mixed radix, first input most significant).
    cells: Vec<Option<u16>>,
}

/// The result of evaluating a table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    /// Table name, e.g. `CISA Coordinator`.
    pub table: String,
    /// Outcome decision point name, e.g. `CISA Levels`.
    pub outcome_point: String,
    /// Outcome value, e.g. `Act`.
    pub outcome: DecisionPointValue,
    /// Each input decision point's name and the value used.
    pub inputs: Vec<(String, DecisionPointValue)>,
    /// The SSVC vector-like summary, e.g. `E:A/A:Y/TI:T/MWI:H -> CISA:AC`.
    pub summary: String,
}

/// The built-in tables, available without any data directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BuiltinTable {
    /// CISA coordinator: Exploitation, Automatable, Technical Impact, Mission and Well-Being.
    CisaCoordinator,
    /// SSVC deployer: Exploitation, System Exposure, Automatable, Human Impact.
    Deployer,
}

impl BuiltinTable {
    /// Every built-in table.
    pub const ALL: [BuiltinTable; 2] = [BuiltinTable::CisaCoordinator, BuiltinTable::Deployer];

    /// The command-line name: `coordinator` or `deployer`.
    pub fn slug(self) -> &'static str {
        match self {
            BuiltinTable::CisaCoordinator => "coordinator",
            BuiltinTable::Deployer => "deployer",
        }
    }

    /// The JSON text of the table (CERT/CC decision-table format).
    pub fn json(self) -> &'static str {
        match self {
            BuiltinTable::CisaCoordinator => include_str!("tables/cisa_coordinator.json"),
            BuiltinTable::Deployer => include_str!("tables/deployer.json"),
        }
    }

    /// Parses and compiles the table.
    pub fn load(self) -> Result<DecisionTable, SsvcError> {
        DecisionTable::from_json(self.json())
    }
}

/// Lowercase letters and digits only, so `Technical Impact`, `technical_impact` and `TI` compare.
fn fold(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric() || *c == '*')
        .flat_map(char::to_lowercase)
        .collect()
}

impl DecisionPoint {
    /// Parses one decision point from CERT/CC's JSON.
    pub fn from_json(text: &str) -> Result<Self, SsvcError> {
        serde_json::from_str(text).map_err(|err| SsvcError::Json {
            reason: err.to_string(),
        })
    }

    /// `namespace:key:version`, the id tables use.
    pub fn id(&self) -> String {
        format!("{}:{}:{}", self.namespace, self.key, self.version)
    }

    /// Whether `name` designates this decision point: its id, key or name, ignoring case,
    /// spaces and punctuation.
    pub fn is_named(&self, name: &str) -> bool {
        let folded = fold(name);
        !folded.is_empty()
            && (name == self.id() || folded == fold(&self.key) || folded == fold(&self.name))
    }

    /// Finds a value by key or name (any case); failing that, by a unique name ending or
    /// beginning with the text (`poc` → `Public PoC`).
    pub fn value_index(&self, text: &str) -> Option<usize> {
        let folded = fold(text);
        if folded.is_empty() {
            return None;
        }
        if let Some(index) = self
            .values
            .iter()
            .position(|v| fold(&v.key) == folded || fold(&v.name) == folded)
        {
            return Some(index);
        }
        let partial: Vec<usize> = self
            .values
            .iter()
            .enumerate()
            .filter(|(_, v)| {
                let name = fold(&v.name);
                name.ends_with(&folded) || name.starts_with(&folded)
            })
            .map(|(index, _)| index)
            .collect();
        match partial.as_slice() {
            [only] => Some(*only),
            _ => None,
        }
    }

    fn allowed(&self) -> String {
        self.values
            .iter()
            .map(|v| format!("{} ({})", v.name, v.key))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[derive(Deserialize)]
struct TableDocument {
    namespace: String,
    key: String,
    version: String,
    name: String,
    #[serde(default)]
    definition: String,
    decision_points: serde_json::Map<String, Value>,
    outcome: String,
    mapping: Vec<serde_json::Map<String, Value>>,
}

/// The largest table we compile densely; CERT/CC's largest has 729 rows.
const MAX_CELLS: usize = 1 << 20;

impl DecisionTable {
    /// Reads a decision table in CERT/CC's JSON format and checks it: every row names every
    /// decision point with a valid value, and no combination of inputs appears twice with
    /// different outcomes.
    pub fn from_json(text: &str) -> Result<Self, SsvcError> {
        let json_error = |reason: String| SsvcError::Json { reason };
        let document: TableDocument =
            serde_json::from_str(text).map_err(|err| json_error(err.to_string()))?;
        let mut points: Vec<(String, DecisionPoint)> = Vec::new();
        for (id, value) in &document.decision_points {
            let point: DecisionPoint = serde_json::from_value(value.clone())
                .map_err(|err| json_error(format!("decision point {id}: {err}")))?;
            if point.values.is_empty() || point.values.len() > usize::from(u16::MAX) {
                return Err(json_error(format!("decision point {id} has no values")));
            }
            points.push((id.clone(), point));
        }
        let outcome_position = points
            .iter()
            .position(|(id, _)| *id == document.outcome)
            .ok_or_else(|| {
                json_error(format!(
                    "outcome {} is not among the decision points",
                    document.outcome
                ))
            })?;
        let (outcome_id, outcome) = points.remove(outcome_position);
        let (input_ids, inputs): (Vec<String>, Vec<DecisionPoint>) = points.into_iter().unzip();
        let size = inputs
            .iter()
            .try_fold(1usize, |acc, p| acc.checked_mul(p.values.len()))
            .filter(|size| *size <= MAX_CELLS)
            .ok_or_else(|| json_error("table too large".to_owned()))?;
        let mut cells = vec![None; size];
        for (row_number, row) in document.mapping.iter().enumerate() {
            let value_of = |id: &str, point: &DecisionPoint| -> Result<usize, SsvcError> {
                let key = row.get(id).and_then(Value::as_str).ok_or_else(|| {
                    json_error(format!("mapping row {row_number} has no value for {id}"))
                })?;
                point
                    .values
                    .iter()
                    .position(|v| v.key == key)
                    .ok_or_else(|| {
                        json_error(format!(
                            "mapping row {row_number}: {key:?} is not a value of {id}"
                        ))
                    })
            };
            let mut index = 0;
            for (id, point) in input_ids.iter().zip(&inputs) {
                index = index * point.values.len() + value_of(id, point)?;
            }
            let outcome_index = value_of(&outcome_id, &outcome)? as u16;
            match cells[index] {
                Some(existing) if existing != outcome_index => {
                    return Err(json_error(format!(
                        "mapping row {row_number} contradicts an earlier row"
                    )));
                }
                _ => cells[index] = Some(outcome_index),
            }
        }
        Ok(Self {
            namespace: document.namespace,
            key: document.key,
            version: document.version,
            name: document.name,
            definition: document.definition,
            inputs,
            outcome,
            rows: document.mapping.len(),
            cells,
        })
    }

    /// Table name, e.g. `CISA Coordinator`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// `namespace:key:version` of the table.
    pub fn id(&self) -> String {
        format!("{}:{}:{}", self.namespace, self.key, self.version)
    }

    /// What the table decides.
    pub fn definition(&self) -> &str {
        &self.definition
    }

    /// The input decision points, in table order.
    pub fn inputs(&self) -> &[DecisionPoint] {
        &self.inputs
    }

    /// The outcome decision point.
    pub fn outcome_point(&self) -> &DecisionPoint {
        &self.outcome
    }

    /// Number of mapping rows in the source JSON.
    pub fn row_count(&self) -> usize {
        self.rows
    }

    /// Whether every combination of inputs has an outcome.
    pub fn is_complete(&self) -> bool {
        self.cells.iter().all(Option::is_some)
    }

    /// Evaluates the table for named inputs, e.g. `[("Exploitation", "active"), ("A", "yes")]`.
    ///
    /// Names match a decision point's id, key or name; values match a value's key or name, in
    /// any case. Every input decision point must be given exactly once; unknown names are errors
    /// (they are usually typos).
    pub fn evaluate(&self, selections: &[(&str, &str)]) -> Result<Decision, SsvcError> {
        let mut chosen: Vec<Option<usize>> = vec![None; self.inputs.len()];
        for (name, value) in selections {
            let position = self
                .inputs
                .iter()
                .position(|point| point.is_named(name))
                .ok_or_else(|| SsvcError::UnknownInput {
                    table: self.name.clone(),
                    input: (*name).to_owned(),
                    expected: self
                        .inputs
                        .iter()
                        .map(|p| p.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                })?;
            let point = &self.inputs[position];
            let index = point
                .value_index(value)
                .ok_or_else(|| SsvcError::InvalidValue {
                    decision_point: point.name.clone(),
                    value: (*value).to_owned(),
                    allowed: point.allowed(),
                })?;
            chosen[position] = Some(index);
        }
        let mut indices = Vec::with_capacity(self.inputs.len());
        for (point, index) in self.inputs.iter().zip(&chosen) {
            let index = index.ok_or_else(|| SsvcError::MissingInput {
                table: self.name.clone(),
                decision_point: point.name.clone(),
                allowed: point.allowed(),
            })?;
            indices.push(index);
        }
        self.evaluate_indices(&indices)
    }

    /// Evaluates the table for value indices, one per input in [`DecisionTable::inputs`] order.
    pub fn evaluate_indices(&self, indices: &[usize]) -> Result<Decision, SsvcError> {
        let mut cell = 0;
        let mut parts = Vec::with_capacity(indices.len());
        let mut inputs = Vec::with_capacity(indices.len());
        for (point, &index) in self.inputs.iter().zip(indices) {
            let value = point
                .values
                .get(index)
                .ok_or_else(|| SsvcError::InvalidValue {
                    decision_point: point.name.clone(),
                    value: index.to_string(),
                    allowed: point.allowed(),
                })?;
            cell = cell * point.values.len() + index;
            parts.push(format!("{}:{}", point.key, value.key));
            inputs.push((point.name.clone(), value.clone()));
        }
        let inputs_text = parts.join("/");
        let outcome_index = self
            .cells
            .get(cell)
            .copied()
            .flatten()
            .filter(|_| indices.len() == self.inputs.len())
            .ok_or_else(|| SsvcError::NoRow {
                table: self.name.clone(),
                inputs: inputs_text.clone(),
            })?;
        let outcome = self.outcome.values[usize::from(outcome_index)].clone();
        Ok(Decision {
            table: self.name.clone(),
            outcome_point: self.outcome.name.clone(),
            summary: format!("{inputs_text} -> {}:{}", self.outcome.key, outcome.key),
            outcome,
            inputs,
        })
    }

    /// Every input combination (as value indices), in mixed-radix order; for exhaustive checks.
    pub fn combinations(&self) -> impl Iterator<Item = Vec<usize>> + '_ {
        (0..self.cells.len()).map(move |mut cell| {
            let mut indices = vec![0; self.inputs.len()];
            for (slot, point) in indices.iter_mut().zip(&self.inputs).rev() {
                *slot = cell % point.values.len();
                cell /= point.values.len();
            }
            indices
        })
    }
}

/// CISA's Exploitation values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Exploitation {
    /// No evidence of exploitation, no public PoC.
    None,
    /// Public proof of concept.
    Poc,
    /// Active exploitation.
    Active,
}

/// CISA's Technical Impact values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TechnicalImpact {
    /// Partial control or disclosure.
    Partial,
    /// Total control or disclosure.
    Total,
}

/// The SSVC decision points CISA's ADP ("Vulnrichment") publishes in CVE records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CisaSsvcInputs {
    /// Exploitation.
    pub exploitation: Exploitation,
    /// Automatable.
    pub automatable: bool,
    /// Technical Impact.
    pub technical_impact: TechnicalImpact,
    /// The role the assessment is for, e.g. `CISA Coordinator`.
    pub role: Option<String>,
    /// The SSVC version stated, e.g. `2.0.3`.
    pub version: Option<String>,
    /// When CISA made the assessment.
    pub timestamp: Option<String>,
}

impl CisaSsvcInputs {
    /// The inputs as `(decision point key, value key)` pairs for [`DecisionTable::evaluate`].
    pub fn selections(&self) -> [(&'static str, &'static str); 3] {
        [
            (
                "E",
                match self.exploitation {
                    Exploitation::None => "N",
                    Exploitation::Poc => "P",
                    Exploitation::Active => "A",
                },
            ),
            ("A", if self.automatable { "Y" } else { "N" }),
            (
                "TI",
                match self.technical_impact {
                    TechnicalImpact::Partial => "P",
                    TechnicalImpact::Total => "T",
                },
            ),
        ]
    }
}

/// Why the SSVC inputs of a CVE record could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CveSsvcError {
    /// No ADP container carries an `ssvc` metric.
    #[error("the CVE record has no SSVC assessment in its ADP containers")]
    Absent,
    /// The SSVC metric lacks a decision point or has a value we do not know.
    #[error("SSVC assessment: {decision_point} is {value:?}, expected one of {expected}")]
    BadValue {
        /// Decision point name as written.
        decision_point: String,
        /// The value as written (empty when missing).
        value: String,
        /// The accepted values.
        expected: String,
    },
}

/// Reads Exploitation, Automatable and Technical Impact from a CVE 5 record's ADP containers
/// (`containers.adp[].metrics[].other` with `type: "ssvc"`), tolerating any letter case.
pub fn cisa_inputs_from_cve(record: &Value) -> Result<CisaSsvcInputs, CveSsvcError> {
    let content = record
        .pointer("/containers/adp")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|adp| adp.get("metrics").and_then(Value::as_array))
        .flatten()
        .filter_map(|metric| metric.get("other"))
        .find(|other| {
            other
                .get("type")
                .and_then(Value::as_str)
                .is_some_and(|t| t.eq_ignore_ascii_case("ssvc"))
        })
        .and_then(|other| other.get("content"))
        .ok_or(CveSsvcError::Absent)?;
    let option = |wanted: &str| -> Option<String> {
        let wanted = fold(wanted);
        content
            .get("options")
            .and_then(Value::as_array)?
            .iter()
            .filter_map(Value::as_object)
            .flat_map(|object| object.iter())
            .find(|(name, _)| fold(name) == wanted)
            .and_then(|(_, value)| value.as_str())
            .map(fold)
    };
    let bad =
        |decision_point: &str, value: Option<String>, expected: &str| CveSsvcError::BadValue {
            decision_point: decision_point.to_owned(),
            value: value.unwrap_or_default(),
            expected: expected.to_owned(),
        };
    let exploitation_text = option("Exploitation");
    let exploitation = match exploitation_text.as_deref() {
        Some("none") => Exploitation::None,
        Some("poc" | "publicpoc") => Exploitation::Poc,
        Some("active") => Exploitation::Active,
        _ => return Err(bad("Exploitation", exploitation_text, "none, poc, active")),
    };
    let automatable_text = option("Automatable");
    let automatable = match automatable_text.as_deref() {
        Some("yes") => true,
        Some("no") => false,
        _ => return Err(bad("Automatable", automatable_text, "yes, no")),
    };
    let impact_text = option("Technical Impact");
    let technical_impact = match impact_text.as_deref() {
        Some("partial") => TechnicalImpact::Partial,
        Some("total") => TechnicalImpact::Total,
        _ => return Err(bad("Technical Impact", impact_text, "partial, total")),
    };
    let text = |key: &str| content.get(key).and_then(Value::as_str).map(str::to_owned);
    Ok(CisaSsvcInputs {
        exploitation,
        automatable,
        technical_impact,
        role: text("role"),
        version: text("version"),
        timestamp: text("timestamp"),
    })
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} ({})",
            self.table, self.outcome.name, self.summary
        )
    }
}

pub mod deployer;
#[cfg(test)]
mod tests;
