//! SSVC inputs from outside: CERT/CC decision points and tables (JSON) and CISA's ADP container of
//! CVE 5 records. Parsing never panics; a table that loads evaluates every combination it has
//! (up to a bound) without panicking, and a complete table decides each one.
#![no_main]

use clearinghouse_standards::ssvc::{DecisionPoint, DecisionTable, cisa_inputs_from_cve};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = DecisionPoint::from_json(text);
    if let Ok(table) = DecisionTable::from_json(text) {
        let complete = table.is_complete();
        for indices in table.combinations().take(256) {
            let decided = table.evaluate_indices(&indices);
            assert!(
                !complete || decided.is_ok(),
                "complete table left {indices:?} open"
            );
        }
    }
    if let Ok(record) = serde_json::from_str::<serde_json::Value>(text) {
        let _ = cisa_inputs_from_cve(&record);
    }
});
