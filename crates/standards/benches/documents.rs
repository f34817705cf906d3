//! Parsing throughput of the largest real documents in shared data, and SBOM matching at scale.
//!
//! Run: `cargo bench -p clearinghouse-standards --bench documents -- --warm-up-time 1 --measurement-time 3`.
//! The parsing benches are skipped when shared data is absent; the matching bench is synthetic.

use std::hint::black_box;
use std::path::{Path, PathBuf};

use clearinghouse_standards::matching::Index;
use clearinghouse_standards::osv;
use clearinghouse_standards::sbom::{Component, Sbom};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn shared_data() -> Option<PathBuf> {
    let path = std::env::var_os("CLEARINGHOUSE_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"));
    path.is_dir().then_some(path)
}

/// The largest file under `dir` whose text satisfies `keep`.
fn largest(dir: &Path, keep: &dyn Fn(&str) -> bool) -> Option<(PathBuf, Vec<u8>)> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "json") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(dir, &mut files);
    files.sort_by_key(|p| std::cmp::Reverse(p.metadata().map(|m| m.len()).unwrap_or(0)));
    files.into_iter().find_map(|path| {
        let bytes = std::fs::read(&path).ok()?;
        keep(&String::from_utf8_lossy(&bytes)).then_some((path, bytes))
    })
}

fn parsing(c: &mut Criterion) {
    let Some(data) = shared_data() else {
        println!("skipped: shared data not found");
        return;
    };
    let mut group = c.benchmark_group("parse");
    if let Some((path, bytes)) = largest(&data.join("csaf"), &|head| {
        head.contains("\"document\"") || head.contains("csaf_version")
    }) {
        println!("largest CSAF: {} ({} bytes)", path.display(), bytes.len());
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.bench_function("csaf_largest", |b| {
            b.iter(|| clearinghouse_standards::csaf::from_slice(black_box(&bytes)))
        });
        group.bench_function("csaf_largest_products", |b| {
            b.iter(|| {
                clearinghouse_standards::csaf::from_slice(black_box(&bytes))
                    .map(|d| d.products().len())
            })
        });
    }
    if let Some((path, bytes)) = largest(&data.join("sbom"), &|head| {
        head.contains("\"bomFormat\"")
            || head.contains("\"spdxVersion\": \"SPDX-2")
            || head.contains("\"spdxVersion\":\"SPDX-2")
    }) {
        println!("largest SBOM: {} ({} bytes)", path.display(), bytes.len());
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.bench_function("sbom_largest", |b| {
            b.iter(|| clearinghouse_standards::sbom::parse(black_box(&bytes)))
        });
    }
    group.finish();
}

/// 200,000 synthetic OSV advisories over 50,000 npm packages, four per package, each with two
/// ranges; and a 10,000-component SBOM where every component's package has advisories.
fn synthetic() -> (Index, Sbom) {
    let mut index = Index::new();
    for i in 0..200_000u32 {
        let package = i % 50_000;
        let major = i / 50_000;
        let record = osv::Record {
            id: format!("SYN-{i}"),
            aliases: vec![format!("CVE-2099-{}", i / 2)],
            affected: vec![osv::Affected {
                package: Some(osv::Package {
                    ecosystem: "npm".into(),
                    name: format!("pkg-{package}"),
                    purl: None,
                }),
                ranges: vec![osv::Range {
                    kind: "SEMVER".into(),
                    events: vec![
                        osv::Event {
                            introduced: Some(format!("{major}.0.0")),
                            ..Default::default()
                        },
                        osv::Event {
                            fixed: Some(format!("{major}.5.0")),
                            ..Default::default()
                        },
                        osv::Event {
                            introduced: Some(format!("{major}.7.0")),
                            ..Default::default()
                        },
                        osv::Event {
                            fixed: Some(format!("{major}.7.3")),
                            ..Default::default()
                        },
                    ],
                    ..Default::default()
                }],
                ..Default::default()
            }],
            ..Default::default()
        };
        index.add_osv(&record, "synthetic");
    }
    let components = (0..10_000u32)
        .map(|i| Component {
            reference: format!("c{i}"),
            name: format!("pkg-{}", i * 5),
            purl: Some(format!("pkg:npm/pkg-{}@{}.{}.1", i * 5, i % 4, i % 9)),
            ..Component::default()
        })
        .collect();
    (
        index,
        Sbom {
            components,
            ..Sbom::default()
        },
    )
}

/// This thread's CPU time (user + system) in clock ticks of 10 ms, from `/proc` on Linux: on a
/// shared machine wall-clock figures include time spent waiting for a core.
fn thread_cpu_ticks() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    let after_name = stat.get(stat.rfind(')')? + 2..)?;
    let mut fields = after_name.split(' ').skip(11);
    let user: u64 = fields.next()?.parse().ok()?;
    let system: u64 = fields.next()?.parse().ok()?;
    Some(user + system)
}

fn matching(c: &mut Criterion) {
    let (index, sbom) = synthetic();
    println!(
        "synthetic index: {} advisories, {} entries; {} matches",
        index.advisories().len(),
        index.entry_count(),
        index.match_sbom(&sbom).len()
    );
    c.bench_function("match_10k_components_vs_200k_advisories", |b| {
        b.iter(|| index.match_sbom(black_box(&sbom)).len())
    });
    if let Some(start) = thread_cpu_ticks() {
        let rounds = 100;
        let wall = std::time::Instant::now();
        for _ in 0..rounds {
            black_box(index.match_sbom(black_box(&sbom)).len());
        }
        if let Some(end) = thread_cpu_ticks() {
            println!(
                "match_10k_components_vs_200k_advisories: {:.1} ms CPU per match ({:.1} ms wall), mean of {rounds}",
                (end - start) as f64 * 10.0 / f64::from(rounds),
                wall.elapsed().as_secs_f64() * 1000.0 / f64::from(rounds)
            );
        }
    }
}

criterion_group!(benches, parsing, matching);
criterion_main!(benches);
