//! OSV range evaluation for every event combination, and `vers:` containment.

use super::*;

fn range(range_type: RangeType, events: &[(&str, &str)]) -> Range {
    Range {
        range_type,
        events: events
            .iter()
            .map(|(kind, version)| {
                let version = (*version).to_owned();
                match *kind {
                    "introduced" => Event::Introduced(version),
                    "fixed" => Event::Fixed(version),
                    "last_affected" => Event::LastAffected(version),
                    "limit" => Event::Limit(version),
                    other => panic!("unknown event {other}"),
                }
            })
            .collect(),
    }
}

fn eco(events: &[(&str, &str)]) -> Vec<Range> {
    vec![range(RangeType::Ecosystem, events)]
}

fn affected(ecosystem: &Ecosystem, version: &str, ranges: &[Range]) -> bool {
    is_affected(ecosystem, version, ranges, &[]).is_affected()
}

/// Asserts the verdict for each version in `(version, expected)` pairs.
fn check(ecosystem: &Ecosystem, ranges: &[Range], cases: &[(&str, bool)]) {
    for (version, expected) in cases {
        assert_eq!(
            affected(ecosystem, version, ranges),
            *expected,
            "{version} in {ranges:?}"
        );
    }
}

#[test]
fn introduced_zero_and_fixed() {
    let ranges = eco(&[("introduced", "0"), ("fixed", "1.5.0")]);
    check(
        &Ecosystem::PyPI,
        &ranges,
        &[
            ("0.0.1", true),
            ("1.4.9", true),
            ("1.5.0rc1", true),
            ("1.5.0", false),
            ("2.0", false),
        ],
    );
}

#[test]
fn introduced_only_is_open_ended() {
    let ranges = eco(&[("introduced", "1.2.0")]);
    check(
        &Ecosystem::CratesIo,
        &ranges,
        &[("1.1.9", false), ("1.2.0", true), ("99.0.0", true)],
    );
}

#[test]
fn introduced_and_last_affected() {
    let ranges = eco(&[("introduced", "1.0.0"), ("last_affected", "1.4.0")]);
    check(
        &Ecosystem::CratesIo,
        &ranges,
        &[
            ("0.9.0", false),
            ("1.0.0", true),
            ("1.4.0", true),
            ("1.4.1", false),
        ],
    );
}

#[test]
fn several_introduced_fixed_pairs_in_one_range() {
    // Events out of order on purpose: evaluation sorts them.
    let ranges = eco(&[
        ("fixed", "2.3.0"),
        ("introduced", "1.0.0"),
        ("introduced", "2.0.0"),
        ("fixed", "1.2.0"),
    ]);
    check(
        &Ecosystem::Npm,
        &ranges,
        &[
            ("0.5.0", false),
            ("1.0.0", true),
            ("1.1.9", true),
            ("1.2.0", false),
            ("1.9.9", false),
            ("2.0.0", true),
            ("2.3.0", false),
        ],
    );
}

#[test]
fn fixed_and_last_affected_mixed() {
    let ranges = eco(&[
        ("introduced", "0"),
        ("fixed", "1.0.0"),
        ("introduced", "2.0.0"),
        ("last_affected", "2.5.0"),
    ]);
    check(
        &Ecosystem::SemVer,
        &ranges,
        &[
            ("0.1.0", true),
            ("1.0.0", false),
            ("2.5.0", true),
            ("2.5.1", false),
        ],
    );
}

#[test]
fn limit_bounds_the_range() {
    let ranges = eco(&[("introduced", "1.0.0"), ("limit", "1.5.0")]);
    check(
        &Ecosystem::CratesIo,
        &ranges,
        &[("1.0.0", true), ("1.4.9", true), ("1.5.0", false)],
    );
    let unbounded = eco(&[("introduced", "1.0.0"), ("limit", "*")]);
    check(&Ecosystem::CratesIo, &unbounded, &[("5.0.0", true)]);
}

#[test]
fn introduced_equals_fixed_affects_nothing() {
    let ranges = eco(&[("introduced", "1.0.0"), ("fixed", "1.0.0")]);
    check(
        &Ecosystem::CratesIo,
        &ranges,
        &[("0.9.0", false), ("1.0.0", false), ("1.1.0", false)],
    );
}

#[test]
fn fixed_without_introduced_affects_nothing() {
    let ranges = eco(&[("fixed", "1.0.0")]);
    check(
        &Ecosystem::CratesIo,
        &ranges,
        &[("0.9.0", false), ("1.0.0", false)],
    );
}

#[test]
fn semver_range_in_a_non_semver_ecosystem() {
    // OSV `SEMVER` ranges use SemVer even when the package ecosystem is PyPI.
    let ranges = vec![range(
        RangeType::Semver,
        &[("introduced", "0"), ("fixed", "1.2.0")],
    )];
    check(
        &Ecosystem::PyPI,
        &ranges,
        &[("1.1.0", true), ("1.2.0", false)],
    );
    // A version that is not SemVer cannot be evaluated against it.
    assert!(matches!(
        is_affected(&Ecosystem::PyPI, "1.1.post1", &ranges, &[]),
        Verdict::Unknown { .. }
    ));
}

#[test]
fn go_semver_ranges_ignore_incompatible() {
    let ranges = vec![range(
        RangeType::Semver,
        &[("introduced", "2.0.0+incompatible"), ("fixed", "2.1.0")],
    )];
    check(
        &Ecosystem::Go,
        &ranges,
        &[
            ("2.0.0", true),
            ("v2.0.5+incompatible", true),
            ("2.1.0", false),
        ],
    );
}

#[test]
fn explicit_versions_list() {
    let versions = vec!["1.0.1".to_owned(), "1.0.3".to_owned()];
    let verdict = is_affected(&Ecosystem::CratesIo, "1.0.3", &[], &versions);
    assert_eq!(
        verdict,
        Verdict::Affected {
            via: AffectedVia::Versions
        }
    );
    assert_eq!(
        is_affected(&Ecosystem::CratesIo, "1.0.2", &[], &versions),
        Verdict::NotAffected
    );
    // Equality follows the ecosystem: PEP 440 `1.0` is `1.0.0`.
    let versions = vec!["1.0".to_owned()];
    assert!(is_affected(&Ecosystem::PyPI, "1.0.0", &[], &versions).is_affected());
}

#[test]
fn which_range_matched() {
    let ranges = vec![
        range(
            RangeType::Ecosystem,
            &[("introduced", "1.0"), ("fixed", "1.1")],
        ),
        range(
            RangeType::Ecosystem,
            &[("introduced", "2.0"), ("fixed", "2.1")],
        ),
    ];
    assert_eq!(
        is_affected(&Ecosystem::PyPI, "2.0.5", &ranges, &[]),
        Verdict::Affected {
            via: AffectedVia::Range(1)
        }
    );
}

#[test]
fn git_ranges_are_not_evaluable() {
    let ranges = vec![range(
        RangeType::Git,
        &[
            ("introduced", "0"),
            ("fixed", "9f1b5cbd0b3c1d2e3f4a5b6c7d8e9f0a1b2c3d4e"),
        ],
    )];
    assert!(matches!(
        is_affected(&Ecosystem::PyPI, "1.0", &ranges, &[]),
        Verdict::Unknown { .. }
    ));
    // The explicit versions list still decides.
    let versions = vec!["1.0".to_owned()];
    assert!(is_affected(&Ecosystem::PyPI, "1.0", &ranges, &versions).is_affected());
}

#[test]
fn unknown_ecosystem_falls_back_to_explicit_versions() {
    let hackage = Ecosystem::from_osv_name("Hackage");
    let ranges = eco(&[("introduced", "0"), ("fixed", "1.2")]);
    let versions = vec!["1.0".to_owned(), "1.1".to_owned()];
    assert!(is_affected(&hackage, "1.1", &ranges, &versions).is_affected());
    match is_affected(&hackage, "1.5", &ranges, &versions) {
        Verdict::Unknown { reason } => assert!(reason.contains("Hackage"), "{reason}"),
        other => panic!("expected Unknown, got {other:?}"),
    }
    // Without ranges an unlisted version is simply not affected.
    assert_eq!(
        is_affected(&hackage, "1.5", &[], &versions),
        Verdict::NotAffected
    );
}

#[test]
fn bad_event_versions_do_not_reject_the_record() {
    let ranges = vec![
        range(
            RangeType::Ecosystem,
            &[("introduced", "not a version"), ("fixed", "2.0")],
        ),
        range(
            RangeType::Ecosystem,
            &[("introduced", "3.0"), ("fixed", "3.1")],
        ),
    ];
    assert!(is_affected(&Ecosystem::PyPI, "3.0.1", &ranges, &[]).is_affected());
    assert!(matches!(
        is_affected(&Ecosystem::PyPI, "1.0", &ranges, &[]),
        Verdict::Unknown { .. }
    ));
    // A queried version that does not parse is Unknown, not an error.
    assert!(matches!(
        is_affected(&Ecosystem::PyPI, "%%%", &ranges, &[]),
        Verdict::Unknown { .. }
    ));
}

#[test]
fn distribution_ranges() {
    let ranges = eco(&[("introduced", "0"), ("fixed", "1:2.30-1+deb12u1")]);
    check(
        &Ecosystem::Debian,
        &ranges,
        &[
            ("1:2.30-1", true),
            ("1:2.30-1+deb12u1", false),
            ("2.31-1", true),
        ],
    );
    let ranges = eco(&[("introduced", "0"), ("fixed", "0:1.1.1k-7.el8_6")]);
    check(
        &Ecosystem::Rpm,
        &ranges,
        &[
            ("1.1.1k-6.el8", true),
            ("1:1.0", false),
            ("1.1.1k-7.el8_6", false),
        ],
    );
    let ranges = eco(&[("introduced", "0"), ("fixed", "3.0.8-r0")]);
    check(
        &Ecosystem::Alpine,
        &ranges,
        &[("3.0.7-r2", true), ("3.0.8-r0", false)],
    );
    let ranges = eco(&[("introduced", "2.0"), ("fixed", "2.17.1")]);
    check(
        &Ecosystem::Maven,
        &ranges,
        &[("2.0-beta9", false), ("2.14.1", true), ("2.17.1", false)],
    );
}

#[test]
fn compiled_ranges_agree_with_one_off_calls() {
    let ranges = eco(&[
        ("introduced", "1.0"),
        ("fixed", "1.5"),
        ("introduced", "2.0"),
    ]);
    let versions = vec!["0.5".to_owned()];
    let compiled = CompiledRanges::compile(&Ecosystem::PyPI, &ranges, &versions);
    for version in ["0.1", "0.5", "1.0", "1.4", "1.5", "1.9", "2.0", "3.0"] {
        let parsed = Ecosystem::PyPI.parse(version).unwrap();
        assert_eq!(
            compiled.affects(&parsed),
            is_affected(&Ecosystem::PyPI, version, &ranges, &versions),
            "{version}"
        );
    }
}

/// Examples from purl-spec's VERSION-RANGE-SPEC.
#[test]
fn vers_containment() {
    let cases: &[(&str, &str, bool)] = &[
        ("vers:npm/1.2.3|>=2.0.0|<5.0.0", "1.2.3", true),
        ("vers:npm/1.2.3|>=2.0.0|<5.0.0", "1.2.4", false),
        ("vers:npm/1.2.3|>=2.0.0|<5.0.0", "3.0.0", true),
        ("vers:npm/1.2.3|>=2.0.0|<5.0.0", "5.0.0", false),
        (
            "vers:pypi/0.0.0|0.0.1|0.0.2|0.0.3|1.0|2.0pre1",
            "2.0pre1",
            true,
        ),
        (
            "vers:pypi/0.0.0|0.0.1|0.0.2|0.0.3|1.0|2.0pre1",
            "2.0",
            false,
        ),
        (
            "vers:tomee/>=1.0.0-beta1|<=1.7.5|>=7.0.0-M1|<=7.0.7|>=7.1.0|<=7.1.2|>=8.0.0-M1|<=8.0.1",
            "7.0.5",
            false,
        ),
        (
            "vers:maven/>=1.0.0-beta1|<=1.7.5|>=7.0.0-M1|<=7.0.7|>=7.1.0|<=7.1.2|>=8.0.0-M1|<=8.0.1",
            "7.0.5",
            true,
        ),
        (
            "vers:maven/>=1.0.0-beta1|<=1.7.5|>=7.0.0-M1|<=7.0.7|>=7.1.0|<=7.1.2|>=8.0.0-M1|<=8.0.1",
            "7.0.8",
            false,
        ),
        ("vers:gem/>=2.2.0|!=2.2.1|<2.3.0", "2.2.1", false),
        ("vers:gem/>=2.2.0|!=2.2.1|<2.3.0", "2.2.2", true),
        ("vers:deb/>=1:1.0~rc1|<1:1.0", "1:1.0~rc2", true),
        ("vers:deb/>=1:1.0~rc1|<1:1.0", "1:1.0", false),
        ("vers:cargo/<1.0.0", "0.9.0", true),
        ("vers:cargo/>2.0.0", "2.0.1", true),
        ("vers:cargo/>2.0.0", "2.0.0", false),
        ("vers:cargo/*", "123.0.0", true),
        ("vers:cargo/!=1.0.0", "1.0.1", true),
        ("vers:cargo/!=1.0.0", "1.0.0", false),
    ];
    for (spec, version, expected) in cases {
        match VersSpec::parse(spec) {
            Ok(parsed) => assert_eq!(
                parsed.contains(version),
                Ok(*expected),
                "{version} in {spec}"
            ),
            Err(VersError::UnknownScheme { scheme }) => assert_eq!(scheme, "tomee"),
            Err(err) => panic!("{spec}: {err}"),
        }
    }
}

#[test]
fn vers_syntax_errors() {
    for bad in [
        "npm/1.0",
        "vers:npm",
        "vers:/1.0",
        "vers:npm/",
        "vers:npm/>=",
        "vers:npm/1.0.0|1.0.0",
        "vers:npm/*|1.0.0",
    ] {
        assert!(VersSpec::parse(bad).is_err(), "{bad}");
    }
    assert!(matches!(
        VersSpec::parse("vers:npm/>=x"),
        Err(VersError::Version(_))
    ));
}

#[test]
fn vers_display_round_trips() {
    let spec = VersSpec::parse("vers:npm/<5.0.0|>=2.0.0|1.2.3").unwrap();
    assert_eq!(spec.to_string(), "vers:npm/1.2.3|>=2.0.0|<5.0.0");
    let again = VersSpec::parse(&spec.to_string()).unwrap();
    assert_eq!(again.to_string(), spec.to_string());
}

#[test]
fn comparator_lists_are_conjunctions() {
    let list = ComparatorList::parse(&Ecosystem::PyPI, ">=1.0, <2.0").unwrap();
    let v = |s| Ecosystem::PyPI.parse(s).unwrap();
    assert!(list.contains_parsed(&v("1.5")));
    assert!(!list.contains_parsed(&v("2.0")));
    assert!(!list.contains_parsed(&v("0.9")));
    assert!(ComparatorList::parse(&Ecosystem::PyPI, ",").is_err());
}

/// Fuzz crash (target `vers`): Maven versions that Maven's own ordering puts in a cycle made
/// `sort` panic ("comparison does not implement a total order") while parsing the specifier.
#[test]
fn vers_with_maven_cycle_does_not_panic() {
    let spec = "vers:mavEn/0ve0|m \0\0\0\0ve0|mrs:nuget/[0|20.0|22\0mhex|i/rs:nuget/[0|20.0|22\0mhex|\
                s:nv|0|/1'qmav|0|/0ve0|0mrs:nuget/%0|20.0|22\0mhex|2\0mhex|i/rs:nuget/[0|20.0|22\0mhex|\
                s:nv|0|/1'qmav|0|/0ve0|0m2|032.0.swirs:ns:nug..s:pyp$i/1dqmav|0vs\u{8f})\u{c}\u{8f}))\u{c}|\
                /1dqmav|0|/0ve0|m2";
    if let Ok(parsed) = VersSpec::parse(spec) {
        let _ = parsed.contains("1.0.0");
        assert!(VersSpec::parse(&parsed.to_string()).is_ok(), "{parsed}");
    }
}

/// One event of the exhaustive test: its kind and its version in half-steps (`None`: `introduced:
/// "0"` or `limit: "*"`).
#[derive(Debug, Clone, Copy)]
enum Step {
    Introduced(Option<u32>),
    Fixed(u32),
    LastAffected(u32),
    Limit(Option<u32>),
}

/// Version `n` half-steps above zero: `2` is `1.0.0`, `3` is `1.5.0`.
fn half_steps(n: u32) -> String {
    format!("{}.{}.0", n / 2, if n % 2 == 1 { 5 } else { 0 })
}

impl Step {
    fn event(self) -> Event {
        match self {
            Step::Introduced(None) => Event::Introduced("0".to_owned()),
            Step::Introduced(Some(n)) => Event::Introduced(half_steps(n)),
            Step::Fixed(n) => Event::Fixed(half_steps(n)),
            Step::LastAffected(n) => Event::LastAffected(half_steps(n)),
            Step::Limit(None) => Event::Limit("*".to_owned()),
            Step::Limit(Some(n)) => Event::Limit(half_steps(n)),
        }
    }
}

/// The OSV schema's `IncludedInRanges` and `BeforeLimits` pseudo-code ("Evaluation"), transcribed
/// literally over plain numbers so it shares nothing with the code under test. The schema does not
/// say how events at equal versions sort; like the implementation, this keeps the record's order.
fn osv_pseudo_code(steps: &[Step], v: u32) -> bool {
    let limits: Vec<Option<u32>> = steps
        .iter()
        .filter_map(|step| match step {
            Step::Limit(limit) => Some(*limit),
            _ => None,
        })
        .collect();
    // BeforeLimits: no limit events means an implicit "*"; otherwise below any one of them.
    let before_limits = limits.is_empty() || limits.iter().any(|limit| limit.is_none_or(|l| v < l));
    if !before_limits {
        return false;
    }
    let mut events: Vec<Step> = steps
        .iter()
        .copied()
        .filter(|step| !matches!(step, Step::Limit(_)))
        .collect();
    // "0" sorts before every version.
    events.sort_by_key(|step| match step {
        Step::Introduced(at) => at.unwrap_or(0),
        Step::Fixed(at) | Step::LastAffected(at) => *at,
        Step::Limit(_) => unreachable!("limits were filtered out"),
    });
    let mut vulnerable = false;
    for event in events {
        match event {
            Step::Introduced(at) if at.is_none_or(|at| v >= at) => vulnerable = true,
            Step::Fixed(at) if v >= at => vulnerable = false,
            Step::LastAffected(at) if v > at => vulnerable = false,
            _ => {}
        }
    }
    vulnerable
}

/// Every sequence of one to three events (each kind at `0`/`*` and at three versions, in every
/// order) against every version between and around them, for both SEMVER and ECOSYSTEM ranges:
/// the evaluation equals the OSV schema's pseudo-code.
#[test]
fn every_event_combination_follows_the_osv_pseudo_code() {
    let mut alphabet = vec![Step::Introduced(None), Step::Limit(None)];
    for at in [2, 4, 6] {
        alphabet.extend([
            Step::Introduced(Some(at)),
            Step::Fixed(at),
            Step::LastAffected(at),
            Step::Limit(Some(at)),
        ]);
    }
    let mut sequences: Vec<Vec<Step>> = alphabet.iter().map(|step| vec![*step]).collect();
    for length in 2..=3 {
        let longer: Vec<Vec<Step>> = sequences
            .iter()
            .filter(|sequence| sequence.len() == length - 1)
            .flat_map(|sequence| {
                alphabet.iter().map(move |step| {
                    let mut next = sequence.clone();
                    next.push(*step);
                    next
                })
            })
            .collect();
        sequences.extend(longer);
    }
    assert_eq!(sequences.len(), 14 + 14 * 14 + 14 * 14 * 14);
    let mut checked = 0;
    let mut wrong = Vec::new();
    for steps in &sequences {
        let events: Vec<Event> = steps.iter().map(|step| step.event()).collect();
        for range_type in [RangeType::Semver, RangeType::Ecosystem] {
            let ranges = [Range {
                range_type,
                events: events.clone(),
            }];
            for v in 1..=7 {
                let expected = osv_pseudo_code(steps, v);
                let verdict = is_affected(&Ecosystem::SemVer, &half_steps(v), &ranges, &[]);
                if verdict.is_affected() != expected || matches!(verdict, Verdict::Unknown { .. }) {
                    wrong.push(format!(
                        "{range_type:?} {steps:?} at {}: {verdict:?}, pseudo-code says {expected}",
                        half_steps(v)
                    ));
                }
                checked += 1;
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {checked} differ:\n{}",
        wrong.len(),
        wrong[..wrong.len().min(20)].join("\n")
    );
}

/// Found by `every_event_combination_follows_the_osv_pseudo_code`: a `limit: "*"` next to a
/// concrete limit was dropped, so the concrete one cut the range short. `BeforeLimits` is true
/// when the version is below any limit, and every version is below `*`.
#[test]
fn limit_star_beside_another_limit_leaves_the_range_unbounded() {
    let ranges = eco(&[("introduced", "0"), ("limit", "*"), ("limit", "2.0.0")]);
    check(
        &Ecosystem::CratesIo,
        &ranges,
        &[("1.0.0", true), ("2.0.0", true), ("9.0.0", true)],
    );
}

/// Fuzz crash (target `vers`, minimized to `vers:maven/=<`): Maven reads `<` as a version, and
/// printing `=` constraints without their operator turned it into a bare `<` that does not parse
/// again. Versions are now percent-encoded where they hold `vers:` syntax characters.
#[test]
fn vers_versions_holding_syntax_characters_round_trip() {
    for spec in [
        "vers:maven/=<",
        "vers:maven/>\u{19}(1rc|/>\u{19}1.0|=<1.5|!=1.5|1ver",
        "vers:maven/=%3C1.5|!=1.5",
        "vers:maven/=%2A",
        "vers:generic/>=a%7Cb|<a%20c",
    ] {
        let parsed = VersSpec::parse(spec).unwrap_or_else(|err| panic!("{spec}: {err}"));
        let printed = parsed.to_string();
        let again = VersSpec::parse(&printed).unwrap_or_else(|err| panic!("{printed}: {err}"));
        assert_eq!(again.to_string(), printed, "{spec}");
    }
    let spec = VersSpec::parse("vers:maven/=%3C1.5|!=1.5").unwrap();
    assert_eq!(spec.to_string(), "vers:maven/%3C1.5|!=1.5");
    assert!(spec.contains("<1.5").unwrap());
    assert!(!spec.contains("1.5").unwrap());
    // `*` as a version is not the "every version" specifier.
    let star = VersSpec::parse("vers:maven/=%2A").unwrap();
    assert_eq!(star.to_string(), "vers:maven/%2A");
    assert!(!star.contains("1.0").unwrap());
}
