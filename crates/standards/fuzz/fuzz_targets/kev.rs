//! Fuzz target: KEV catalog reading must never panic on arbitrary input.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = clearinghouse_standards::kev::from_slice(data);
});
