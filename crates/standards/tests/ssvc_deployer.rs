//! The transcribed Human Impact table and the deployer decision, checked row by row against
//! CERT/CC's published CSVs in `../shared/data/ssvc/certcc-ssvc/data/csv/ssvc`.

use std::path::{Path, PathBuf};

use clearinghouse_standards::ssvc::deployer::{
    DeployerInputs, MISSION_IMPACT, SAFETY_IMPACT, deployer_decision, human_impact,
};

fn csv_dir() -> Option<PathBuf> {
    let data = std::env::var_os("CLEARINGHOUSE_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"));
    if data.is_dir() {
        return Some(data.join("ssvc/certcc-ssvc/data/csv/ssvc"));
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "shared data not found at {}",
        data.display()
    );
    println!("skipped: shared data not found at {}", data.display());
    None
}

fn rows(path: &Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(path).expect("CERT/CC CSV");
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            // The first column is the row number; values never contain commas.
            l.split(',')
                .skip(1)
                .map(|v| v.trim().trim_matches('"').to_owned())
                .collect()
        })
        .collect()
}

fn key(name: &str) -> &'static str {
    match name {
        "low" => "L",
        "medium" => "M",
        "high" => "H",
        "very high" => "VH",
        "none" => "N",
        "public poc" | "poc" => "P",
        "active" => "A",
        "small" => "S",
        "controlled" => "C",
        "open" => "O",
        "no" => "N",
        "yes" => "Y",
        other => panic!("unexpected CSV value {other:?}"),
    }
}

#[test]
fn human_impact_equals_certcc_table() {
    let Some(dir) = csv_dir() else { return };
    let rows = rows(&dir.join("human_impact_1_0_0.csv"));
    assert_eq!(rows.len(), 16);
    for row in rows {
        let safety = SAFETY_IMPACT
            .iter()
            .position(|s| *s == row[0])
            .expect("safety value");
        let mission = MISSION_IMPACT
            .iter()
            .position(|m| *m == row[1])
            .expect("mission value");
        assert_eq!(human_impact(safety, mission), key(&row[2]), "{row:?}");
    }
}

#[test]
fn deployer_decisions_equal_certcc_table() {
    let Some(dir) = csv_dir() else { return };
    let rows = rows(&dir.join("deployer_patch_application_priority_1_0_0.csv"));
    assert_eq!(rows.len(), 72);
    for row in rows {
        let decision = deployer_decision(DeployerInputs {
            exploitation: key(&row[0]),
            exposure: key(&row[1]),
            automatable: key(&row[2]),
            human_impact: key(&row[3]),
        })
        .expect("decision");
        let expected = match row[4].as_str() {
            "defer" => "D",
            "scheduled" => "S",
            "out-of-cycle" => "O",
            "immediate" => "I",
            other => panic!("unexpected outcome {other:?}"),
        };
        assert_eq!(decision.outcome.key, expected, "{row:?}");
    }
}
