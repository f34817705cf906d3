//! Fuzz target: SARIF reading and finding extraction must never panic on arbitrary input.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(log) = clearinghouse_standards::sarif::from_slice(data) {
        let _ = log.findings();
    }
});
