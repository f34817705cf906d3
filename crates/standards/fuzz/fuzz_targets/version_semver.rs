//! SemVer versions: parsing never panics, ordering is antisymmetric, printing reparses to an equal version.
#![no_main]

use clearinghouse_standards::version::Ecosystem;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (a, b) = text.split_once('\n').unwrap_or((text, "1.0.0"));
    let ecosystem = Ecosystem::SemVer;
    let (Ok(x), Ok(y)) = (ecosystem.parse(a), ecosystem.parse(b)) else {
        return;
    };
    assert_eq!(x.cmp(&y), y.cmp(&x).reverse(), "{a:?} vs {b:?}");
    let again = ecosystem
        .parse(&x.to_string())
        .expect("printed version reparses");
    assert_eq!(again, x, "{a:?}");
});
