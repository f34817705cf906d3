//! Cross-ecosystem tests: documented orderings per ecosystem and property tests of the total order.

use std::cmp::Ordering;

use proptest::prelude::*;

use super::*;

fn assert_ascending(ecosystem: &Ecosystem, versions: &[&str]) {
    for (i, low) in versions.iter().enumerate() {
        for high in &versions[i + 1..] {
            assert_eq!(
                ecosystem.compare(low, high),
                Ok(Ordering::Less),
                "{ecosystem}: {low} < {high}"
            );
            assert_eq!(
                ecosystem.compare(high, low),
                Ok(Ordering::Greater),
                "{ecosystem}: {high} > {low}"
            );
        }
    }
}

/// PEP 440's own example ordering ("Summary of permitted suffixes and relative ordering").
#[test]
fn pypi_pep440_order() {
    assert_ascending(
        &Ecosystem::PyPI,
        &[
            "1.dev0",
            "1.0.dev456",
            "1.0a1",
            "1.0a2.dev456",
            "1.0a12.dev456",
            "1.0a12",
            "1.0b1.dev456",
            "1.0b2",
            "1.0b2.post345.dev456",
            "1.0b2.post345",
            "1.0rc1.dev456",
            "1.0rc1",
            "1.0",
            "1.0+abc.5",
            "1.0+abc.7",
            "1.0+5",
            "1.0.post456.dev34",
            "1.0.post456",
            "1.0.15",
            "1.1.dev1",
        ],
    );
    assert_eq!(Ecosystem::PyPI.compare("1.0", "1.0.0"), Ok(Ordering::Equal));
    assert_eq!(
        Ecosystem::PyPI.compare("1!1.0", "2.0"),
        Ok(Ordering::Greater)
    );
    assert!(Ecosystem::PyPI.parse("not a version").is_err());
}

/// SemVer 2.0 §11 precedence example, for every SemVer-based ecosystem.
#[test]
fn semver_precedence() {
    let order = [
        "1.0.0-alpha",
        "1.0.0-alpha.1",
        "1.0.0-alpha.beta",
        "1.0.0-beta",
        "1.0.0-beta.2",
        "1.0.0-beta.11",
        "1.0.0-rc.1",
        "1.0.0",
        "2.0.0",
        "2.1.0",
        "2.1.1",
    ];
    for ecosystem in [
        Ecosystem::Npm,
        Ecosystem::CratesIo,
        Ecosystem::Hex,
        Ecosystem::SemVer,
        Ecosystem::Go,
        Ecosystem::Pub,
        Ecosystem::NuGet,
    ] {
        assert_ascending(&ecosystem, &order);
    }
    // Build metadata: ignored by SemVer precedence, ordered by pub_semver.
    assert_eq!(
        Ecosystem::CratesIo.compare("1.0.0+a", "1.0.0+b"),
        Ok(Ordering::Equal)
    );
    assert_eq!(
        Ecosystem::Pub.compare("1.0.0+a", "1.0.0+b"),
        Ok(Ordering::Less)
    );
    assert_eq!(
        Ecosystem::Npm.compare("1.0.0+a", "1.0.0"),
        Ok(Ordering::Equal)
    );
    assert_eq!(
        Ecosystem::SemVer.compare("v1.2", "1.2.0"),
        Ok(Ordering::Equal)
    );
    assert!(Ecosystem::CratesIo.parse("1.2").is_err());
}

#[test]
fn go_versions() {
    assert_ascending(
        &Ecosystem::Go,
        &[
            "v0.0.0-20190101000000-abcdefabcdef",
            "0.0.1",
            "v1.2.3-pre",
            "v1.2.3",
            "v1.2.4-0.20210101000000-abcdefabcdef",
            "1.2.4",
        ],
    );
    assert_eq!(
        Ecosystem::Go.compare("v2.0.0+incompatible", "2.0.0"),
        Ok(Ordering::Equal)
    );
}

#[test]
fn distribution_orderings() {
    assert_ascending(
        &Ecosystem::Debian,
        &["1:0.9", "1:1.0~rc1", "1:1.0", "1:1.0-1", "2:0.1"],
    );
    assert_ascending(
        &Ecosystem::Rpm,
        &["1.0~rc1-1.el9", "1.0-1.el9", "1.0-1.el9_2", "1:0.5-1"],
    );
    assert_ascending(
        &Ecosystem::Alpine,
        &["1.2.3_rc1-r0", "1.2.3-r0", "1.2.3-r1", "1.2.4-r0"],
    );
}

#[test]
fn ecosystem_names() {
    assert_eq!(Ecosystem::from_osv_name("Debian:12"), Ecosystem::Debian);
    assert_eq!(Ecosystem::from_osv_name("Alpine:v3.18"), Ecosystem::Alpine);
    assert_eq!(Ecosystem::from_osv_name("Rocky Linux:9"), Ecosystem::Rpm);
    assert_eq!(
        Ecosystem::from_osv_name("Red Hat:rhel_aus:8.4::appstream"),
        Ecosystem::Rpm
    );
    assert_eq!(
        Ecosystem::from_osv_name("Ubuntu:22.04:LTS"),
        Ecosystem::Debian
    );
    assert_eq!(Ecosystem::from_osv_name("crates.io"), Ecosystem::CratesIo);
    assert_eq!(
        Ecosystem::from_osv_name("Hackage"),
        Ecosystem::Unknown("Hackage".to_owned())
    );
    assert_eq!(
        Ecosystem::from_purl_type("cargo"),
        Some(Ecosystem::CratesIo)
    );
    assert_eq!(Ecosystem::from_purl_type("golang"), Some(Ecosystem::Go));
    assert_eq!(
        Ecosystem::from_purl_type("composer"),
        Some(Ecosystem::Packagist)
    );
    assert_eq!(Ecosystem::from_purl_type("swid"), None);
    for ecosystem in [
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
        Ecosystem::Alpine,
    ] {
        assert_eq!(Ecosystem::from_osv_name(ecosystem.osv_name()), ecosystem);
    }
}

#[test]
fn package_name_keys() {
    assert_eq!(
        Ecosystem::PyPI.normalize_package_name("Foo_Bar.baz"),
        "foo-bar-baz"
    );
    assert_eq!(Ecosystem::PyPI.normalize_package_name("a--_b"), "a-b");
    assert_eq!(
        Ecosystem::CratesIo.normalize_package_name("Serde_JSON"),
        "serde-json"
    );
    assert_eq!(
        Ecosystem::Npm.normalize_package_name("@Types/Node"),
        "@types/node"
    );
    assert_eq!(
        Ecosystem::Go.normalize_package_name("github.com/Foo/bar"),
        "github.com/Foo/bar"
    );
}

#[test]
fn unknown_ecosystem_only_matches_equal_text() {
    let unknown = Ecosystem::from_osv_name("Hackage");
    let a = unknown.parse("1.0").unwrap();
    assert_eq!(a, unknown.parse("1.0").unwrap());
    assert_ne!(a, unknown.parse("1.0.0").unwrap());
    assert!(matches!(
        unknown.compare("1", "2"),
        Err(VersionError::NoOrdering { .. })
    ));
}

#[test]
fn errors_name_the_input() {
    let err = Ecosystem::Maven.parse("").unwrap_err();
    assert!(err.to_string().contains("Maven"));
    let err = Ecosystem::Debian.parse("x:1").unwrap_err();
    assert!(err.to_string().contains("x:1"), "{err}");
}

/// Version-like strings: numbers, words and separators in shapes every scheme sees in the wild.
fn version_text() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        (0u32..30).prop_map(|n| n.to_string()),
        Just("0".to_owned()),
        Just("00".to_owned()),
        prop::sample::select(vec![
            "a", "b", "rc", "alpha", "beta", "pre", "dev", "post", "p", "sp", "ga", "final",
            "snapshot", "git", "x", "m",
        ])
        .prop_map(str::to_owned),
    ];
    let separator = prop::sample::select(vec![".", "-", "_", "+", "~", "^", ""]);
    (
        token.clone(),
        prop::collection::vec((separator, token), 0..5),
    )
        .prop_map(|(first, rest)| {
            let mut text = first;
            for (separator, token) in rest {
                text.push_str(separator);
                text.push_str(&token);
            }
            text
        })
}

fn maven_text() -> impl Strategy<Value = String> {
    let numbers = prop::collection::vec(0u32..12, 1..4)
        .prop_map(|ns| ns.iter().map(u32::to_string).collect::<Vec<_>>().join("."));
    let qualifier = prop::option::of((
        prop::sample::select(vec![
            "alpha", "beta", "M", "RC", "CR", "SNAPSHOT", "sp", "Final", "GA", "jre", "android",
        ]),
        prop::option::of(0u32..12),
    ));
    (numbers, qualifier).prop_map(|(numbers, qualifier)| match qualifier {
        None => numbers,
        Some((word, None)) => format!("{numbers}-{word}"),
        Some((word, Some(n))) => format!("{numbers}-{word}{n}"),
    })
}

/// Every ecosystem that has an ordering, paired with its name for failure messages.
fn ordered_ecosystems() -> Vec<Ecosystem> {
    vec![
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
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// Antisymmetry, transitivity and reflexivity of every ecosystem's ordering.
    #[test]
    fn total_order(a in version_text(), b in version_text(), c in version_text()) {
        for ecosystem in ordered_ecosystems() {
            let (Ok(x), Ok(y), Ok(z)) = (ecosystem.parse(&a), ecosystem.parse(&b), ecosystem.parse(&c)) else {
                continue;
            };
            prop_assert_eq!(x.cmp(&x), Ordering::Equal, "{} reflexive {}", ecosystem, a);
            prop_assert_eq!(x.cmp(&y), y.cmp(&x).reverse(), "{} antisymmetric {} {}", ecosystem, a, b);
            // Maven included: its own ComparableVersion has cycles on odd shapes, ours breaks
            // them (`maven.rs`), because `sort` panics on an order that is not total.
            if x <= y && y <= z {
                prop_assert!(x <= z, "{} transitive {} <= {} <= {}", ecosystem, a, b, c);
            }
            if x == y && y == z {
                prop_assert!(x == z);
            }
        }
    }

    /// Transitivity of Maven ordering on the shapes Maven Central uses: `N(.N)*(-qualifier[N])?`.
    #[test]
    fn maven_total_order(a in maven_text(), b in maven_text(), c in maven_text()) {
        let parse = |text: &str| Ecosystem::Maven.parse(text);
        let (Ok(x), Ok(y), Ok(z)) = (parse(&a), parse(&b), parse(&c)) else {
            return Err(TestCaseError::fail("realistic Maven versions parse"));
        };
        prop_assert_eq!(x.cmp(&y), y.cmp(&x).reverse());
        if x <= y && y <= z {
            prop_assert!(x <= z, "transitive {} <= {} <= {}", a, b, c);
        }
    }

    /// Printing a parsed version and parsing it again gives an equal version.
    #[test]
    fn parse_print_round_trip(text in version_text()) {
        for ecosystem in ordered_ecosystems() {
            if let Ok(version) = ecosystem.parse(&text) {
                let printed = version.to_string();
                let again = ecosystem.parse(&printed);
                prop_assert!(again.is_ok(), "{} reparse {}", ecosystem, printed);
                if let Ok(again) = again {
                    prop_assert_eq!(version.cmp(&again), Ordering::Equal);
                }
            }
        }
    }

    /// SemVer-shaped versions: ordering agrees with the semver crate's precedence.
    #[test]
    fn semver_shaped_agree(a in (0u64..5, 0u64..5, 0u64..5), b in (0u64..5, 0u64..5, 0u64..5)) {
        let a = format!("{}.{}.{}", a.0, a.1, a.2);
        let b = format!("{}.{}.{}", b.0, b.1, b.2);
        let expected = semver::Version::parse(&a).unwrap().cmp_precedence(&semver::Version::parse(&b).unwrap());
        for ecosystem in ordered_ecosystems() {
            prop_assert_eq!(ecosystem.compare(&a, &b), Ok(expected), "{} {} {}", ecosystem, a, b);
        }
    }
}

/// Orderings stated in each SemVer-family ecosystem's own documentation, beyond SemVer §11.
#[test]
fn semver_family_documentation_tables() {
    // node-semver README: `valid('a.b.c')` is null, a leading `v` is allowed, `gt('1.2.3',
    // '9.8.7')` is false; pre-release identifiers compare numerically.
    assert!(Ecosystem::Npm.parse("a.b.c").is_err());
    assert_eq!(
        Ecosystem::Npm.compare("v1.2.3", "1.2.3"),
        Ok(Ordering::Equal)
    );
    assert_ascending(
        &Ecosystem::Npm,
        &["1.2.3-alpha.2", "1.2.3-alpha.10", "1.2.3", "9.8.7"],
    );
    // Elixir's `Version.compare/2` examples (Hex): build metadata ignored, MAJOR.MINOR.PATCH
    // required.
    let hex = Ecosystem::Hex;
    assert_eq!(hex.compare("2.0.1-alpha1", "2.0.0"), Ok(Ordering::Greater));
    assert_eq!(hex.compare("1.0.0-beta", "1.0.0-rc1"), Ok(Ordering::Less));
    assert_eq!(hex.compare("1.0.0-10", "1.0.0-2"), Ok(Ordering::Greater));
    assert_eq!(hex.compare("2.0.1+build0", "2.0.1"), Ok(Ordering::Equal));
    assert!(hex.parse("invalid").is_err());
    assert!(hex.parse("1.0").is_err());
    // pub_semver's `Version.compareTo`: a build comes after no build, and build identifiers
    // compare like pre-release ones (numbers numerically, before words).
    assert_ascending(
        &Ecosystem::Pub,
        &[
            "1.0.0-dev",
            "1.0.0",
            "1.0.0+1",
            "1.0.0+2",
            "1.0.0+10",
            "1.0.0+a",
            "1.0.1",
        ],
    );
    // Go modules reference, "Pseudo-versions": each of the three forms sorts above its base
    // version and below the next release; `+incompatible` takes no part in precedence.
    assert_ascending(
        &Ecosystem::Go,
        &[
            "v0.0.0-20191109021931-daa7c04131f5",
            "v1.2.3-pre",
            "v1.2.3-pre.0.20191109021931-daa7c04131f5",
            "v1.2.3",
            "v1.2.4-0.20191109021931-daa7c04131f5",
            "v1.2.4-alpha",
            "v1.2.4",
            "v2.0.0+incompatible",
            "v2.0.1-0.20200101000000-abcdefabcdef+incompatible",
        ],
    );
}
