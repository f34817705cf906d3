//! Fuzz target: CycloneDX/SPDX reading and normalization must never panic on arbitrary input.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(sbom) = clearinghouse_standards::sbom::parse(data) {
        for index in 0..sbom.components.len() {
            let _ = sbom.dependencies_of(index).count();
        }
    }
});
