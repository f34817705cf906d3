//! Fuzz target: CVE JSON 5 reading must never panic on arbitrary input.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = clearinghouse_standards::cve5::from_slice(data);
});
