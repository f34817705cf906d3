//! `vers:` specifiers: parsing and containment never panic; the printed form parses again and
//! prints the same.
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
        let printed = parsed.to_string();
        let again =
            VersSpec::parse(&printed).unwrap_or_else(|err| panic!("{spec} -> {printed}: {err}"));
        assert_eq!(again.to_string(), printed, "{spec}");
    }
});
