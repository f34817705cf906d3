//! Fuzz target: format detection and schema validation must never panic on arbitrary input.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(data)
        && let Some(format) = clearinghouse_standards::schema::detect(&value)
        && let Some(schema) = clearinghouse_standards::schema::Schema::for_document(format, &value)
    {
        let _ = clearinghouse_standards::schema::validate(schema, &value);
    }
});
