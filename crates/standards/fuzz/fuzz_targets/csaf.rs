//! Fuzz target: CSAF reading, product flattening and the mandatory tests must never panic on arbitrary input.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(document) = clearinghouse_standards::csaf::from_slice(data) {
        let _ = document.products();
        let _ = clearinghouse_standards::csaf::mandatory::run(&document);
    }
});
