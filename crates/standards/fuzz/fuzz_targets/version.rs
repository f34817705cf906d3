//! Every ecosystem's versions: parsing never panics, ordering is antisymmetric and transitive over
//! the inputs, printing reparses to an equal version.
//!
//! The first input byte picks the ecosystem (modulo the number of ecosystems), so one target covers
//! all fifteen orderings; the rest is up to three versions separated by newlines.
#![no_main]

use clearinghouse_standards::version::Ecosystem;
use libfuzzer_sys::fuzz_target;

static ECOSYSTEMS: [Ecosystem; 15] = [
    Ecosystem::PyPI,
    Ecosystem::Npm,
    Ecosystem::CratesIo,
    Ecosystem::Go,
    Ecosystem::Maven,
    Ecosystem::RubyGems,
    Ecosystem::NuGet,
    Ecosystem::Packagist,
    Ecosystem::Hex,
    Ecosystem::Pub,
    Ecosystem::Debian,
    Ecosystem::Rpm,
    Ecosystem::Alpine,
    Ecosystem::SemVer,
    Ecosystem::Generic,
];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let ecosystem = &ECOSYSTEMS[usize::from(selector) % ECOSYSTEMS.len()];
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let mut parts = text.splitn(3, '\n');
    let a = parts.next().unwrap_or_default();
    let b = parts.next().unwrap_or("1.0.0");
    let c = parts.next();
    let Ok(x) = ecosystem.parse(a) else {
        return;
    };
    let again = ecosystem
        .parse(&x.to_string())
        .expect("printed version reparses");
    assert_eq!(again, x, "{ecosystem:?} {a:?}");
    let Ok(y) = ecosystem.parse(b) else {
        return;
    };
    assert_eq!(
        x.cmp(&y),
        y.cmp(&x).reverse(),
        "{ecosystem:?} {a:?} vs {b:?}"
    );
    assert_eq!(x == y, x.cmp(&y).is_eq(), "{ecosystem:?} {a:?} vs {b:?}");
    if let Some(Ok(z)) = c.map(|c| ecosystem.parse(c)) {
        let all = [&x, &y, &z];
        for p in all {
            for q in all {
                for r in all {
                    if p <= q && q <= r {
                        assert!(p <= r, "{ecosystem:?} not transitive: {a:?} {b:?} {c:?}");
                    }
                }
            }
        }
    }
});
