//! Mandatory tests on `/document/tracking`: the document version, its status and the revision
//! history (6.1.14, 6.1.17–6.1.20, 6.1.30).
//!
//! CSAF versions (`version_t`) are either integers (`0`, `1`, `2`) or semantic versions
//! (`1.0.0-rc.1+build`); dates are RFC 3339 timestamps that may carry any offset and any number of
//! fractional digits, so they are compared as instants, never as strings.

use std::cmp::Ordering;

use super::Problems;
use crate::csaf::Csaf;

/// A CSAF `version_t`.
#[derive(Debug, Clone, PartialEq, Eq)]
enum CsafVersion {
    /// Integer versioning: `0`, `1`, `2`, …
    Integer(u64),
    /// Semantic versioning 2.0.0.
    Semantic(semver::Version),
}

impl CsafVersion {
    fn parse(text: &str) -> Option<Self> {
        if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
            if text.len() > 1 && text.starts_with('0') {
                return None;
            }
            return text.parse().ok().map(CsafVersion::Integer);
        }
        semver::Version::parse(text).ok().map(CsafVersion::Semantic)
    }

    /// `0` or `0.y.z`: not yet released.
    fn is_zero(&self) -> bool {
        match self {
            CsafVersion::Integer(number) => *number == 0,
            CsafVersion::Semantic(version) => version.major == 0,
        }
    }

    fn has_pre_release(&self) -> bool {
        matches!(self, CsafVersion::Semantic(version) if !version.pre.is_empty())
    }

    fn scheme(&self) -> &'static str {
        match self {
            CsafVersion::Integer(_) => "integer",
            CsafVersion::Semantic(_) => "semantic",
        }
    }

    /// Ordering within one scheme (semantic versions by precedence, build metadata ignored);
    /// `None` across schemes.
    fn compare(&self, other: &Self) -> Option<Ordering> {
        match (self, other) {
            (CsafVersion::Integer(a), CsafVersion::Integer(b)) => Some(a.cmp(b)),
            (CsafVersion::Semantic(a), CsafVersion::Semantic(b)) => Some(a.cmp_precedence(b)),
            _ => None,
        }
    }
}

/// An RFC 3339 date-time as an instant: seconds since 1970-01-01T00:00:00Z and nanoseconds.
/// Fractional digits beyond nanoseconds are ignored.
pub(super) fn instant(text: &str) -> Option<(i64, u32)> {
    let bytes = text.as_bytes();
    let number = |range: std::ops::Range<usize>| -> Option<i64> {
        let digits = bytes.get(range)?;
        if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(digits).ok()?.parse().ok()
    };
    let separator = |at: usize, allowed: &[u8]| bytes.get(at).is_some_and(|b| allowed.contains(b));
    if !(separator(4, b"-")
        && separator(7, b"-")
        && separator(10, b"Tt ")
        && separator(13, b":")
        && separator(16, b":"))
    {
        return None;
    }
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    let (hour, minute, second) = (number(11..13)?, number(14..16)?, number(17..19)?);
    if !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut at = 19;
    let mut nanos: u32 = 0;
    if bytes.get(at) == Some(&b'.') {
        at += 1;
        let start = at;
        while bytes.get(at).is_some_and(u8::is_ascii_digit) {
            at += 1;
        }
        if at == start {
            return None;
        }
        let mut scale = 100_000_000;
        for digit in &bytes[start..at.min(start + 9)] {
            nanos += u32::from(digit - b'0') * scale;
            scale /= 10;
        }
    }
    let offset = match bytes.get(at..)? {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
            let (hours, minutes) = (number(at + 1..at + 3)?, number(at + 4..at + 6)?);
            if hours > 23 || minutes > 59 {
                return None;
            }
            let magnitude = hours * 3600 + minutes * 60;
            if *sign == b'-' { -magnitude } else { magnitude }
        }
        _ => return None,
    };
    let seconds =
        days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offset;
    Some((seconds, nanos))
}

fn is_leap_year(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

fn revision_path(index: usize) -> String {
    format!("$.document.tracking.revision_history[{index}].number")
}

/// Runs 6.1.14, 6.1.17, 6.1.18, 6.1.19, 6.1.20 and 6.1.30.
pub(super) fn check(csaf: &Csaf, out: &mut Problems) {
    let tracking = &csaf.document.tracking;
    let released = matches!(tracking.status.as_str(), "final" | "interim");
    let version = CsafVersion::parse(&tracking.version);
    let numbers: Vec<Option<CsafVersion>> = tracking
        .revision_history
        .iter()
        .map(|revision| CsafVersion::parse(&revision.number))
        .collect();

    if let Some(version) = &version {
        // 6.1.17: a 0, 0.y.z or pre-release document version is a draft.
        if (version.is_zero() || version.has_pre_release()) && tracking.status != "draft" {
            out.push(
                "6.1.17",
                "$.document.tracking.status".to_owned(),
                format!(
                    "document version {} is not released yet, so the status must be draft, not {}",
                    tracking.version, tracking.status
                ),
            );
        }
        // 6.1.20: a final or interim document has no pre-release version.
        if released && version.has_pre_release() {
            out.push(
                "6.1.20",
                "$.document.tracking.version".to_owned(),
                format!(
                    "a {} document cannot have the pre-release version {}",
                    tracking.status, tracking.version
                ),
            );
        }
    }

    for (index, (revision, number)) in tracking.revision_history.iter().zip(&numbers).enumerate() {
        let Some(number) = number else { continue };
        // 6.1.18: a released document's history has no 0 or 0.y.z revision.
        if released && number.is_zero() {
            out.push(
                "6.1.18",
                revision_path(index),
                format!(
                    "a {} document lists the unreleased revision {}",
                    tracking.status, revision.number
                ),
            );
        }
        // 6.1.19: no revision is a pre-release.
        if number.has_pre_release() {
            out.push(
                "6.1.19",
                revision_path(index),
                format!("revision {} is a pre-release", revision.number),
            );
        }
        // 6.1.30: one versioning scheme throughout.
        if let Some(version) = &version
            && version.scheme() != number.scheme()
        {
            out.push(
                "6.1.30",
                revision_path(index),
                format!(
                    "revision {} uses {} versioning but the document version {} uses {} versioning",
                    revision.number,
                    number.scheme(),
                    tracking.version,
                    version.scheme()
                ),
            );
        }
    }

    sorted_history(csaf, &numbers, out);
}

/// 6.1.14: ordering the revision history by date orders it by number too. Revisions with the
/// same instant may come in any order; entries whose date or number does not parse, or whose
/// numbers mix schemes, are left to the schema and to 6.1.30.
fn sorted_history(csaf: &Csaf, numbers: &[Option<CsafVersion>], out: &mut Problems) {
    let history = &csaf.document.tracking.revision_history;
    let mut dated: Vec<(usize, (i64, u32), &CsafVersion)> = Vec::new();
    for (index, (revision, number)) in history.iter().zip(numbers).enumerate() {
        let (Some(when), Some(number)) = (instant(&revision.date), number) else {
            return;
        };
        dated.push((index, when, number));
    }
    if dated
        .windows(2)
        .any(|pair| pair[0].2.compare(pair[1].2).is_none())
    {
        return;
    }
    dated.sort_by_key(|&(index, when, _)| (when, index));
    // The highest number among revisions dated strictly earlier than the current group.
    let mut earlier_max: Option<(usize, &CsafVersion)> = None;
    let mut group_start = 0;
    while group_start < dated.len() {
        let when = dated[group_start].1;
        let group_end = dated[group_start..]
            .iter()
            .position(|entry| entry.1 != when)
            .map_or(dated.len(), |offset| group_start + offset);
        let group = &dated[group_start..group_end];
        if let Some((earlier_index, earlier)) = earlier_max {
            for &(index, _, number) in group {
                if number.compare(earlier) == Some(Ordering::Less) {
                    out.push(
                        "6.1.14",
                        revision_path(index),
                        format!(
                            "revision {} dated {} is later than revision {} dated {}; sorted by date \
                             the numbers are not ascending",
                            history[index].number,
                            history[index].date,
                            history[earlier_index].number,
                            history[earlier_index].date
                        ),
                    );
                }
            }
        }
        for &(index, _, number) in group {
            if earlier_max.is_none_or(|(_, max)| number.compare(max) == Some(Ordering::Greater)) {
                earlier_max = Some((index, number));
            }
        }
        group_start = group_end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::csaf::Revision;
    use crate::csaf::from_json;
    use crate::csaf::mandatory::run;

    fn with_history(status: &str, version: &str, history: &[(&str, &str)]) -> Csaf {
        let mut csaf = from_json(crate::csaf::tests::SAMPLE).expect("sample parses");
        let tracking = &mut csaf.document.tracking;
        tracking.status = status.to_owned();
        tracking.version = version.to_owned();
        tracking.revision_history = history
            .iter()
            .map(|(number, date)| Revision {
                number: (*number).to_owned(),
                date: (*date).to_owned(),
                summary: "change".to_owned(),
                ..Default::default()
            })
            .collect();
        csaf
    }

    fn found(csaf: &Csaf, rule: &str) -> Vec<String> {
        run(csaf)
            .into_iter()
            .filter(|p| p.rule == rule)
            .map(|p| p.path)
            .collect()
    }

    #[test]
    fn instants_respect_offsets_and_fractions() {
        assert_eq!(instant("1970-01-01T00:00:00Z"), Some((0, 0)));
        assert_eq!(
            instant("1970-01-02T00:00:00.5Z"),
            Some((86_400, 500_000_000))
        );
        assert_eq!(
            instant("2021-07-21T12:00:00+02:00"),
            instant("2021-07-21T10:00:00.000Z")
        );
        assert!(instant("2021-07-21T10:00:00.00010Z") > instant("2021-07-21T10:00:00.000Z"));
        assert_eq!(instant("2000-03-01T00:00:00Z"), Some((951_868_800, 0)));
        for bad in [
            "",
            "2021-07-21",
            "2021-13-01T00:00:00Z",
            "2021-02-29T00:00:00Z",
            "2021-07-21T10:00:00",
            "2021-07-21T10:00:00.Z",
            "2021-07-21T10:00:00+2:00",
            "２０２１-07-21T10:00:00Z",
        ] {
            assert_eq!(instant(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn revision_history_sorted_by_date_and_number() {
        let day = |d: u8| format!("2021-07-{d:02}T10:00:00.000Z");
        let (d21, d22, d23) = (day(21), day(22), day(23));
        let unsorted = with_history("final", "2", &[("2", &d22), ("1", &d23)]);
        assert_eq!(
            found(&unsorted, "6.1.14"),
            ["$.document.tracking.revision_history[1].number"]
        );
        let semantic = with_history("final", "1.10.0", &[("1.9.0", &d22), ("1.10.0", &d21)]);
        assert_eq!(found(&semantic, "6.1.14").len(), 1);
        for fine in [
            with_history("final", "2", &[("2", &d23), ("1", &d22)]),
            with_history("final", "2", &[("2", &d22), ("1", &d22)]),
            with_history("final", "10", &[("9", &d21), ("10", &d22)]),
            with_history("final", "1.10.0", &[("1.9.0", &d21), ("1.10.0", &d22)]),
        ] {
            assert_eq!(found(&fine, "6.1.14"), Vec::<String>::new());
        }
        let fraction = with_history(
            "final",
            "2",
            &[
                ("1", "2021-07-21T10:00:00.00010Z"),
                ("2", "2021-07-21T10:00:00.000Z"),
            ],
        );
        assert_eq!(found(&fraction, "6.1.14").len(), 1);
    }

    #[test]
    fn draft_status_and_released_history() {
        let date = "2021-07-21T10:00:00.000Z";
        let unreleased = with_history("final", "0.9.5", &[("0.9.5", date)]);
        assert_eq!(found(&unreleased, "6.1.17"), ["$.document.tracking.status"]);
        assert_eq!(
            found(&unreleased, "6.1.18"),
            ["$.document.tracking.revision_history[0].number"]
        );
        let draft = with_history("draft", "0.9.5", &[("0.9.5", date)]);
        assert_eq!(found(&draft, "6.1.17"), Vec::<String>::new());
        assert_eq!(found(&draft, "6.1.18"), Vec::<String>::new());
        let zero_then_one = with_history("final", "1", &[("0", date), ("1", date)]);
        assert_eq!(
            found(&zero_then_one, "6.1.18"),
            ["$.document.tracking.revision_history[0].number"]
        );
        let interim_pre = with_history("interim", "1.0.0-alpha", &[("1.0.0", date)]);
        assert_eq!(
            found(&interim_pre, "6.1.20"),
            ["$.document.tracking.version"]
        );
        assert_eq!(
            found(&interim_pre, "6.1.17"),
            ["$.document.tracking.status"]
        );
        let draft_pre = with_history("draft", "1.0.0-alpha", &[("1.0.0-alpha", date)]);
        assert_eq!(found(&draft_pre, "6.1.20"), Vec::<String>::new());
    }

    #[test]
    fn pre_release_revisions_and_mixed_schemes() {
        let date = "2021-07-21T10:00:00.000Z";
        let pre = with_history("final", "1.0.0", &[("1.0.0-rc", date), ("1.0.0", date)]);
        assert_eq!(
            found(&pre, "6.1.19"),
            ["$.document.tracking.revision_history[0].number"]
        );
        let build_metadata = with_history("final", "1.0.0", &[("1.0.0+build.1", date)]);
        assert_eq!(found(&build_metadata, "6.1.19"), Vec::<String>::new());
        let mixed = with_history("final", "2", &[("1.0.0", date), ("2", date)]);
        assert_eq!(
            found(&mixed, "6.1.30"),
            ["$.document.tracking.revision_history[0].number"]
        );
        let homogeneous = with_history("final", "2.0.0", &[("1.0.0", date), ("2.0.0", date)]);
        assert_eq!(found(&homogeneous, "6.1.30"), Vec::<String>::new());
    }
}
