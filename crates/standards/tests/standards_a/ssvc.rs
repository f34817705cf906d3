//! SSVC against CERT/CC's published JSON and CISA's Vulnrichment records.

use std::fs;
use std::path::Path;

use clearinghouse_standards::ssvc::{BuiltinTable, DecisionTable, cisa_inputs_from_cve};

use super::shared;

fn load(path: &Path) -> DecisionTable {
    let text = fs::read_to_string(path).expect("readable table");
    DecisionTable::from_json(&text).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

/// Every mapping row of every CERT/CC decision table: evaluating the row's inputs by name gives
/// the row's outcome.
#[test]
fn certcc_tables_reproduce_every_row() {
    let Some(dir) = shared::path("ssvc/certcc-ssvc/data/json/decision_tables") else {
        return;
    };
    let mut tables = 0;
    let mut rows = 0;
    for group in fs::read_dir(&dir).expect("directory") {
        for file in fs::read_dir(group.expect("entry").path()).expect("directory") {
            let path = file.expect("entry").path();
            let text = fs::read_to_string(&path).expect("readable");
            let table = load(&path);
            let raw: serde_json::Value = serde_json::from_str(&text).expect("json");
            let outcome_id = raw["outcome"].as_str().expect("outcome id");
            for row in raw["mapping"].as_array().expect("mapping") {
                let row = row.as_object().expect("row object");
                let selections: Vec<(&str, &str)> = row
                    .iter()
                    .filter(|(id, _)| *id != outcome_id)
                    .map(|(id, value)| (id.as_str(), value.as_str().expect("value key")))
                    .collect();
                let decision = table
                    .evaluate(&selections)
                    .unwrap_or_else(|err| panic!("{}: {err}", path.display()));
                assert_eq!(
                    decision.outcome.key,
                    row[outcome_id].as_str().expect("outcome key"),
                    "{}: {selections:?}",
                    path.display()
                );
                rows += 1;
            }
            assert!(table.is_complete(), "{} is incomplete", path.display());
            tables += 1;
        }
    }
    assert!(tables >= 16, "only {tables} tables");
    assert!(rows > 1000, "only {rows} rows");
}

/// Our own transcriptions of the CISA coordinator and deployer tables decide exactly as
/// CERT/CC's JSON for every combination of inputs.
#[test]
fn builtin_tables_equal_certcc_for_every_input() {
    let Some(dir) = shared::path("ssvc/certcc-ssvc/data/json/decision_tables") else {
        return;
    };
    let pairs = [
        (
            BuiltinTable::CisaCoordinator,
            "cisa/cisa_coordinator_2_0_3.json",
        ),
        (
            BuiltinTable::Deployer,
            "ssvc/deployer_patch_application_priority_1_0_0.json",
        ),
    ];
    for (builtin, reference) in pairs {
        let ours = builtin.load().expect("built-in table");
        let theirs = load(&dir.join(reference));
        assert_eq!(ours.inputs().len(), theirs.inputs().len());
        let mut compared = 0;
        for indices in ours.combinations() {
            let decision = ours.evaluate_indices(&indices).expect("complete table");
            // Address CERT/CC's table by names, so a reordering of decision points would still compare.
            let selections: Vec<(&str, &str)> = decision
                .inputs
                .iter()
                .map(|(point, value)| (point.as_str(), value.key.as_str()))
                .collect();
            let reference_decision = theirs.evaluate(&selections).expect("reference decides");
            assert_eq!(
                decision.outcome.key, reference_decision.outcome.key,
                "{builtin:?} {selections:?}"
            );
            compared += 1;
        }
        assert_eq!(compared, theirs.row_count());
    }
}

/// Every CERT/CC decision point file parses and has values.
#[test]
fn certcc_decision_points_parse() {
    let Some(dir) = shared::path("ssvc/certcc-ssvc/data/json/decision_points") else {
        return;
    };
    let mut count = 0;
    for group in fs::read_dir(&dir).expect("directory") {
        for file in fs::read_dir(group.expect("entry").path()).expect("directory") {
            let path = file.expect("entry").path();
            let text = fs::read_to_string(&path).expect("readable");
            let point = clearinghouse_standards::ssvc::DecisionPoint::from_json(&text)
                .unwrap_or_else(|err| panic!("{}: {err}", path.display()));
            assert!(!point.values.is_empty());
            count += 1;
        }
    }
    assert!(count > 100, "only {count} decision points");
}

/// Every Vulnrichment record with an SSVC assessment yields inputs equal to what it states, and
/// the CISA coordinator table decides for them; records without one say so.
#[test]
fn vulnrichment_records_yield_ssvc_inputs() {
    let Some(dir) = shared::path("ssvc/vulnrichment") else {
        return;
    };
    let coordinator = BuiltinTable::CisaCoordinator.load().expect("built-in");
    let mut with_ssvc = 0;
    let mut without = 0;
    let mut stack = vec![dir];
    while let Some(path) = stack.pop() {
        if path.is_dir() {
            stack.extend(
                fs::read_dir(&path)
                    .expect("directory")
                    .map(|e| e.expect("entry").path()),
            );
            continue;
        }
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let record: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(&path).expect("readable")).expect("json");
        let stated = stated_options(&record);
        match cisa_inputs_from_cve(&record) {
            Ok(inputs) => {
                let stated =
                    stated.unwrap_or_else(|| panic!("{}: inputs from nowhere", path.display()));
                let got = [
                    format!("{:?}", inputs.exploitation).to_lowercase(),
                    if inputs.automatable {
                        "yes".into()
                    } else {
                        "no".into()
                    },
                    format!("{:?}", inputs.technical_impact).to_lowercase(),
                ];
                assert_eq!(got.to_vec(), stated, "{}", path.display());
                for mwi in ["L", "M", "H"] {
                    let mut selections = inputs.selections().to_vec();
                    selections.push(("MWI", mwi));
                    coordinator
                        .evaluate(&selections)
                        .expect("coordinator decides");
                }
                with_ssvc += 1;
            }
            Err(err) => {
                assert!(stated.is_none(), "{}: {err}", path.display());
                without += 1;
            }
        }
    }
    assert!(with_ssvc > 2400, "only {with_ssvc} records with SSVC");
    assert!(without < 50, "{without} records without SSVC");
}

/// The three options as the record states them, lowercased; read independently of the library.
fn stated_options(record: &serde_json::Value) -> Option<Vec<String>> {
    for adp in record["containers"]["adp"].as_array()? {
        for metric in adp["metrics"].as_array().into_iter().flatten() {
            let other = &metric["other"];
            if other["type"] == "ssvc" {
                let options = other["content"]["options"].as_array()?;
                let find = |name: &str| {
                    options
                        .iter()
                        .find_map(|o| o.get(name))
                        .and_then(|v| v.as_str())
                        .map(str::to_lowercase)
                };
                return Some(vec![
                    find("Exploitation")?,
                    find("Automatable")?,
                    find("Technical Impact")?,
                ]);
            }
        }
    }
    None
}
