//! OSV range evaluation over arbitrary events: never panics, and the compiled and one-off paths agree.
#![no_main]

use clearinghouse_standards::range::{CompiledRanges, Event, Range, RangeType, is_affected};
use clearinghouse_standards::version::Ecosystem;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut lines = text.lines();
    let ecosystem = Ecosystem::from_osv_name(lines.next().unwrap_or("PyPI"));
    let version = lines.next().unwrap_or("1.0");
    let mut events = Vec::new();
    for line in lines {
        let (kind, value) = line.split_once(' ').unwrap_or((line, "0"));
        events.push(match kind {
            "i" => Event::Introduced(value.to_owned()),
            "f" => Event::Fixed(value.to_owned()),
            "l" => Event::LastAffected(value.to_owned()),
            _ => Event::Limit(value.to_owned()),
        });
    }
    let ranges = vec![
        Range {
            range_type: RangeType::Ecosystem,
            events: events.clone(),
        },
        Range {
            range_type: RangeType::Semver,
            events,
        },
    ];
    let verdict = is_affected(&ecosystem, version, &ranges, &[]);
    if let Ok(parsed) = ecosystem.parse(version) {
        let compiled = CompiledRanges::compile(&ecosystem, &ranges, &[]);
        assert_eq!(compiled.affects(&parsed), verdict);
    }
});
