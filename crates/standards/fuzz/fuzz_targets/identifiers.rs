//! CWE ids and vulnerability ids (CVE, GHSA, PYSEC, RUSTSEC, GO, vendor families): parsing never
//! panics, a parsed id reparses to itself, and alias normalization takes any list.
#![no_main]

use clearinghouse_standards::cwe::Cwe;
use clearinghouse_standards::vulnid::{VulnId, normalize_aliases, preferred_alias};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(cwe) = Cwe::parse(text) {
        let _ = (cwe.number(), cwe.name());
    }
    if let Ok(id) = VulnId::parse(text) {
        let again = VulnId::parse(id.as_str()).expect("a normalized id reparses");
        assert_eq!(again.as_str(), id.as_str(), "{text:?}");
        assert_eq!(again.family(), id.family(), "{text:?}");
    }
    let lines: Vec<&str> = text.lines().collect();
    let _ = normalize_aliases(lines.iter().copied());
    let _ = preferred_alias(lines.iter().copied());
});
