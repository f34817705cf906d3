//! Unit tests: built-in tables load and decide as the CISA guide's examples say; input matching.

use serde_json::json;

use super::*;

fn coordinator() -> DecisionTable {
    BuiltinTable::CisaCoordinator.load().unwrap()
}

#[test]
fn builtin_tables_load_complete() {
    for table in BuiltinTable::ALL {
        let loaded = table.load().unwrap();
        assert!(loaded.is_complete(), "{}", loaded.name());
        assert_eq!(loaded.combinations().count(), loaded.row_count());
    }
}

#[test]
fn cisa_coordinator_extremes() {
    let table = coordinator();
    let act = table
        .evaluate(&[
            ("Exploitation", "active"),
            ("Automatable", "yes"),
            ("Technical Impact", "total"),
            ("Mission and Well-Being Impact", "high"),
        ])
        .unwrap();
    assert_eq!(act.outcome.name, "Act");
    assert_eq!(act.summary, "E:A/A:Y/TI:T/MWI:H -> CISA:AC");
    let track = table
        .evaluate(&[("E", "N"), ("A", "N"), ("TI", "P"), ("MWI", "L")])
        .unwrap();
    assert_eq!(track.outcome.name, "Track");
}

#[test]
fn input_errors_name_the_problem() {
    let table = coordinator();
    let err = table
        .evaluate(&[("E", "sometimes"), ("A", "N"), ("TI", "P"), ("MWI", "L")])
        .unwrap_err();
    assert!(
        matches!(&err, SsvcError::InvalidValue { decision_point, .. } if decision_point == "Exploitation")
    );
    let err = table
        .evaluate(&[("E", "N"), ("A", "N"), ("TI", "P")])
        .unwrap_err();
    assert!(
        matches!(&err, SsvcError::MissingInput { decision_point, .. } if decision_point == "Mission and Well-Being Impact")
    );
    let err = table.evaluate(&[("Exposure", "open")]).unwrap_err();
    assert!(matches!(err, SsvcError::UnknownInput { .. }));
}

#[test]
fn value_matching_is_forgiving_but_unambiguous() {
    let table = coordinator();
    let exploitation = &table.inputs()[0];
    assert_eq!(exploitation.value_index("PoC"), Some(1));
    assert_eq!(exploitation.value_index("public_poc"), Some(1));
    assert_eq!(exploitation.value_index("ACTIVE"), Some(2));
    assert_eq!(exploitation.value_index(""), None);
}

#[test]
fn malformed_tables_are_rejected() {
    assert!(DecisionTable::from_json("{}").is_err());
    let point = json!({"namespace": "x", "key": "Q", "version": "1.0.0", "name": "Q",
        "values": [{"key": "N", "name": "No"}, {"key": "Y", "name": "Yes"}]});
    let contradiction = json!({
        "namespace": "x", "key": "T", "version": "1.0.0", "name": "T",
        "decision_points": {"x:Q:1.0.0": point, "x:O:1.0.0": {"namespace": "x", "key": "O", "version": "1.0.0", "name": "O",
            "values": [{"key": "N", "name": "No"}, {"key": "Y", "name": "Yes"}]}},
        "outcome": "x:O:1.0.0",
        "mapping": [{"x:Q:1.0.0": "N", "x:O:1.0.0": "N"}, {"x:Q:1.0.0": "N", "x:O:1.0.0": "Y"}]
    });
    let err = DecisionTable::from_json(&contradiction.to_string()).unwrap_err();
    assert!(err.to_string().contains("contradicts"), "{err}");
    let incomplete = json!({
        "namespace": "x", "key": "T", "version": "1.0.0", "name": "T",
        "decision_points": {"x:Q:1.0.0": point, "x:O:1.0.0": {"namespace": "x", "key": "O", "version": "1.0.0", "name": "O",
            "values": [{"key": "N", "name": "No"}]}},
        "outcome": "x:O:1.0.0",
        "mapping": [{"x:Q:1.0.0": "N", "x:O:1.0.0": "N"}]
    });
    let table = DecisionTable::from_json(&incomplete.to_string()).unwrap();
    assert!(!table.is_complete());
    assert!(matches!(
        table.evaluate(&[("Q", "Y")]),
        Err(SsvcError::NoRow { .. })
    ));
}

#[test]
fn cve_inputs_tolerate_case_and_report_absence() {
    let record = json!({"containers": {"adp": [{"metrics": [{"other": {"type": "ssvc", "content": {
        "role": "CISA Coordinator", "version": "2.0.3",
        "options": [{"Exploitation": "PoC"}, {"Automatable": "Yes"}, {"Technical Impact": "TOTAL"}]}}}]}]}});
    let inputs = cisa_inputs_from_cve(&record).unwrap();
    assert_eq!(inputs.exploitation, Exploitation::Poc);
    assert!(inputs.automatable);
    assert_eq!(inputs.technical_impact, TechnicalImpact::Total);
    assert_eq!(inputs.role.as_deref(), Some("CISA Coordinator"));
    let mut selections: Vec<(&str, &str)> = inputs.selections().to_vec();
    selections.push(("MWI", "M"));
    assert_eq!(
        coordinator().evaluate(&selections).unwrap().outcome.name,
        "Track*"
    );

    assert_eq!(
        cisa_inputs_from_cve(&json!({"containers": {}})),
        Err(CveSsvcError::Absent)
    );
    let bad = json!({"containers": {"adp": [{"metrics": [{"other": {"type": "ssvc", "content": {
        "options": [{"Exploitation": "rumoured"}]}}}]}]}});
    assert!(matches!(
        cisa_inputs_from_cve(&bad),
        Err(CveSsvcError::BadValue { .. })
    ));
}
