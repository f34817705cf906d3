//! Fuzz target: OSV JSON/YAML reading must never panic on arbitrary input.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = clearinghouse_standards::osv::from_slice(data);
});
