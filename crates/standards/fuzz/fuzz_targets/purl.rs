//! Package URLs: parsing never panics; the canonical string reparses to the same parts.
#![no_main]

use clearinghouse_standards::purl::Purl;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(purl) = Purl::parse(text) {
        let _ = purl.package_key();
        if let Ok(again) = Purl::parse(&purl.to_string()) {
            assert_eq!(again, purl, "{text}");
        }
    }
});
