//! CVSS throughput: vectors parsed and scored per second, per version.
//!
//! Uses Red Hat's test vectors from the shared data directory when present (the same files the
//! Python peer `peers/standards_a_peer.py` times), else a small built-in set.

use std::hint::black_box;
use std::path::PathBuf;

use clearinghouse_standards::cvss::CvssVector;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn vectors(file: &str, fallback: &[&str]) -> Vec<String> {
    let root = std::env::var_os("CLEARINGHOUSE_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"));
    match std::fs::read_to_string(root.join("cvss/redhat-cvss").join(file)) {
        Ok(text) => text
            .lines()
            .filter_map(|line| line.split_once(" - ").map(|(v, _)| v.to_owned()))
            .collect(),
        Err(_) => fallback.iter().map(|v| (*v).to_owned()).collect(),
    }
}

fn bench_cvss(c: &mut Criterion) {
    let sets = [
        (
            "v2",
            vectors("vectors_simple2", &["AV:N/AC:L/Au:N/C:P/I:P/A:P"]),
        ),
        (
            "v3.1",
            vectors(
                "vectors_simple31",
                &["CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H"],
            ),
        ),
        (
            "v4.0",
            vectors(
                "vectors_simple4",
                &["CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"],
            ),
        ),
    ];
    let mut group = c.benchmark_group("cvss_parse_and_score");
    for (name, set) in &sets {
        group.throughput(Throughput::Elements(set.len() as u64));
        group.bench_function(*name, |b| {
            b.iter(|| {
                for vector in set {
                    if let Ok(parsed) = CvssVector::parse(black_box(vector)) {
                        black_box(parsed.scores());
                    }
                }
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench_cvss);
criterion_main!(benches);
