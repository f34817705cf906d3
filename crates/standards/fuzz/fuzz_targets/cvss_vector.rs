//! CVSS vectors: parsing never panics; a parsed vector scores within 0–10 and reparses equal.
#![no_main]

use clearinghouse_standards::cvss::CvssVector;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(vector) = CvssVector::parse(text) {
        let scores = vector.scores();
        assert!((0.0..=10.0).contains(&scores.base), "{text}: {scores:?}");
        assert!((0.0..=10.0).contains(&scores.overall), "{text}: {scores:?}");
        let again = CvssVector::parse(&vector.to_string()).expect("canonical vector reparses");
        assert_eq!(again.scores(), scores);
    }
});
