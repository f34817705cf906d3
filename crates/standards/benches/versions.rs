//! Version comparisons per second per ecosystem, and OSV range evaluations per second.
//!
//! Versions are generated (deterministically) in each ecosystem's own shapes; comparisons run on
//! pre-parsed versions, as the matching hot loop does. `peers/standards_a_peer.py` times the same
//! shapes with Python's `univers`.

use std::hint::black_box;

use clearinghouse_standards::range::{CompiledRanges, Event, Range, RangeType, is_affected};
use clearinghouse_standards::version::{Ecosystem, Version};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

/// `count` versions shaped like the ecosystem's real ones.
fn sample(ecosystem: &Ecosystem, count: usize) -> Vec<String> {
    (0..count)
        .map(|i| {
            let (major, minor, patch) = (i % 7, (i / 7) % 13, (i / 91) % 11);
            let pre = ["", "", "", "rc", "beta", "alpha"][i % 6];
            match ecosystem {
                Ecosystem::PyPI => match pre {
                    "" => format!("{major}.{minor}.{patch}"),
                    "rc" => format!("{major}.{minor}.{patch}rc1"),
                    "beta" => format!("{major}.{minor}.{patch}b2"),
                    _ => format!("{major}.{minor}.{patch}.post1"),
                },
                Ecosystem::Maven => match pre {
                    "" => format!("{major}.{minor}.{patch}"),
                    "rc" => format!("{major}.{minor}.{patch}-RC1"),
                    "beta" => format!("{major}.{minor}-beta-2"),
                    _ => format!("{major}.{minor}.{patch}-SNAPSHOT"),
                },
                Ecosystem::Debian => match pre {
                    "" => format!("{major}.{minor}.{patch}-1"),
                    "rc" => format!("1:{major}.{minor}~rc1-2"),
                    _ => format!("{major}.{minor}.{patch}-1+deb12u{}", i % 3),
                },
                Ecosystem::Rpm => match pre {
                    "" => format!("{major}.{minor}.{patch}-1.el9"),
                    "rc" => format!("{major}.{minor}.{patch}~rc1-1.el9"),
                    _ => format!("1:{major}.{minor}.{patch}-{}.el9_2", i % 5),
                },
                Ecosystem::Alpine => match pre {
                    "" => format!("{major}.{minor}.{patch}-r{}", i % 4),
                    _ => format!("{major}.{minor}.{patch}_rc{}-r0", i % 3),
                },
                Ecosystem::RubyGems => match pre {
                    "" => format!("{major}.{minor}.{patch}"),
                    _ => format!("{major}.{minor}.{patch}.{pre}1"),
                },
                Ecosystem::Go => match pre {
                    "" => format!("v{major}.{minor}.{patch}"),
                    "rc" => format!("v{major}.{minor}.{patch}+incompatible"),
                    _ => format!("v0.0.0-2021010{}000000-abcdef123456", i % 9),
                },
                _ => match pre {
                    "" => format!("{major}.{minor}.{patch}"),
                    _ => format!("{major}.{minor}.{patch}-{pre}.{}", i % 4),
                },
            }
        })
        .collect()
}

const ECOSYSTEMS: [Ecosystem; 15] = [
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

fn bench_compare(c: &mut Criterion) {
    let mut group = c.benchmark_group("version_compare_parsed");
    for ecosystem in &ECOSYSTEMS {
        let parsed: Vec<Version> = sample(ecosystem, 1000)
            .iter()
            .filter_map(|v| ecosystem.parse(v).ok())
            .collect();
        assert!(
            parsed.len() > 900,
            "{ecosystem}: sample versions must parse"
        );
        group.throughput(Throughput::Elements(parsed.len() as u64 - 1));
        group.bench_function(ecosystem.osv_name(), |b| {
            b.iter(|| {
                let mut less = 0usize;
                for pair in parsed.windows(2) {
                    less += usize::from(black_box(&pair[0]) < black_box(&pair[1]));
                }
                less
            })
        });
    }
    group.finish();

    let mut group = c.benchmark_group("version_parse");
    for ecosystem in &ECOSYSTEMS {
        let texts = sample(ecosystem, 1000);
        group.throughput(Throughput::Elements(texts.len() as u64));
        group.bench_function(ecosystem.osv_name(), |b| {
            b.iter(|| {
                for text in &texts {
                    let _ = black_box(ecosystem.parse(black_box(text)));
                }
            })
        });
    }
    group.finish();
}

fn bench_ranges(c: &mut Criterion) {
    let ecosystem = Ecosystem::PyPI;
    let ranges = vec![Range {
        range_type: RangeType::Ecosystem,
        events: vec![
            Event::Introduced("0".into()),
            Event::Fixed("1.4.2".into()),
            Event::Introduced("2.0.0".into()),
            Event::Fixed("2.3.1".into()),
            Event::Introduced("3.0.0a1".into()),
            Event::LastAffected("3.1.4".into()),
        ],
    }];
    let versions = sample(&ecosystem, 1000);
    let parsed: Vec<Version> = versions
        .iter()
        .filter_map(|v| ecosystem.parse(v).ok())
        .collect();
    let compiled = CompiledRanges::compile(&ecosystem, &ranges, &[]);

    let mut group = c.benchmark_group("osv_range_evaluation");
    group.throughput(Throughput::Elements(parsed.len() as u64));
    group.bench_function("compiled_pypi", |b| {
        b.iter(|| {
            parsed
                .iter()
                .filter(|v| compiled.affects(black_box(v)).is_affected())
                .count()
        })
    });
    group.throughput(Throughput::Elements(versions.len() as u64));
    group.bench_function("one_off_pypi", |b| {
        b.iter(|| {
            versions
                .iter()
                .filter(|v| is_affected(&ecosystem, black_box(v), &ranges, &[]).is_affected())
                .count()
        })
    });
    group.finish();
}

criterion_group!(benches, bench_compare, bench_ranges);
criterion_main!(benches);
