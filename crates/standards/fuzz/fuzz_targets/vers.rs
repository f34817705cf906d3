//! `vers:` specifiers and comparator lists: parsing and containment never panic.
#![no_main]

use clearinghouse_standards::range::VersSpec;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (spec, version) = text.split_once('\n').unwrap_or((text, "1.0.0"));
    if let Ok(parsed) = VersSpec::parse(spec) {
        let _ = parsed.contains(version);
        let again = VersSpec::parse(&parsed.to_string());
        assert!(again.is_ok(), "{spec} -> {parsed}");
    }
});
