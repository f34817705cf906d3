//! Maven version ordering: `org.apache.maven.artifact.versioning.ComparableVersion`.
//!
//! Transcribed from Maven 3's `ComparableVersion` (the tokenization that Maven's "version order
//! specification" documents): `.`, `-` and digit/letter transitions cut items; a `-` or a
//! transition opens a nested list; trailing "null" items (`0`, `""`, `ga`, `final`, `release`) are
//! trimmed; qualifiers order `alpha < beta < milestone < rc = cr < snapshot < "" = ga < sp`, and
//! unknown qualifiers come after, alphabetically. No Rust crate implements it.
//!
//! One deliberate difference makes the order total. Maven's `ComparableVersion` is not transitive:
//! it orders items of different types by type (number > list > qualifier) but a missing item by
//! whether the rest is above or below a release, so `2.0.rc > 2-1 > 2 > 2.0.rc` and
//! `2.5.6-rc1 > 2.5.6.sec03 > 2.5.6 > 2.5.6-rc1`. A non-transitive `Ord` gives wrong binary
//! searches and may make `sort` panic. Here every position first compares whether the rest of each
//! version, from that position on, is below, equal to or above a release (what Maven does when one
//! side has run out), and only then the items by type; so `2.0.rc < 2 < 2-1` and
//! `2.5.6-rc1 < 2.5.6 < 2.5.6.sec03`. Maven's own ordering tests all still hold.

use std::cmp::Ordering;

/// A parsed Maven version: the root item list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MavenVersion {
    items: Vec<Item>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Item {
    /// Digits without leading zeros (compared by length, then lexically: no overflow).
    Int(Box<str>),
    /// A qualifier: its rank among the known qualifiers (7 for unknown ones) and its text.
    Str(u8, Box<str>),
    List(Vec<Item>),
}

/// The rank of the empty qualifier, i.e. a release.
const RELEASE_RANK: u8 = 5;
const KNOWN_QUALIFIERS: [&str; 7] = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"];

impl MavenVersion {
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        if text.is_empty() {
            return Err("empty version".to_owned());
        }
        let version = text.to_lowercase();
        // The chain of open lists: each new list is the last item of the one before it.
        let mut chain: Vec<Vec<Item>> = vec![Vec::new()];
        let mut is_digit = false;
        let mut start = 0;
        for (i, c) in version.char_indices() {
            if c == '.' || c == '-' {
                let item = if i == start {
                    Item::Int("".into())
                } else {
                    parse_item(is_digit, &version[start..i])
                };
                push(&mut chain, item);
                start = i + 1;
                if c == '-' {
                    chain.push(Vec::new());
                }
            } else if c.is_ascii_digit() {
                if !is_digit && i > start {
                    push(&mut chain, string_item(&version[start..i], true));
                    start = i;
                    chain.push(Vec::new());
                }
                is_digit = true;
            } else {
                if is_digit && i > start {
                    push(&mut chain, parse_item(true, &version[start..i]));
                    start = i;
                    chain.push(Vec::new());
                }
                is_digit = false;
            }
        }
        if version.len() > start {
            push(&mut chain, parse_item(is_digit, &version[start..]));
        }
        // Close the lists innermost first, normalizing each before it joins its parent.
        let mut items = chain.pop().unwrap_or_default();
        normalize(&mut items);
        while let Some(mut parent) = chain.pop() {
            parent.push(Item::List(items));
            normalize(&mut parent);
            items = parent;
        }
        Ok(Self { items })
    }
}

fn push(chain: &mut [Vec<Item>], item: Item) {
    if let Some(current) = chain.last_mut() {
        current.push(item);
    }
}

fn parse_item(is_digit: bool, text: &str) -> Item {
    if is_digit {
        Item::Int(text.trim_start_matches('0').into())
    } else {
        string_item(text, false)
    }
}

fn string_item(text: &str, followed_by_digit: bool) -> Item {
    let text = match (followed_by_digit, text) {
        (true, "a") => "alpha",
        (true, "b") => "beta",
        (true, "m") => "milestone",
        (_, "ga" | "final" | "release") => "",
        (_, "cr") => "rc",
        _ => text,
    };
    let rank = KNOWN_QUALIFIERS
        .iter()
        .position(|known| *known == text)
        .map_or(KNOWN_QUALIFIERS.len() as u8, |index| index as u8);
    Item::Str(rank, text.into())
}

fn is_null(item: &Item) -> bool {
    match item {
        Item::Int(digits) => digits.is_empty(),
        Item::Str(rank, _) => *rank == RELEASE_RANK,
        Item::List(items) => items.is_empty(),
    }
}

/// Removes trailing null items, looking through non-null nested lists as Maven does.
fn normalize(items: &mut Vec<Item>) {
    let mut index = items.len();
    while index > 0 {
        index -= 1;
        if is_null(&items[index]) {
            items.remove(index);
        } else if !matches!(items[index], Item::List(_)) {
            break;
        }
    }
}

fn compare_to_null(item: &Item) -> Ordering {
    match item {
        Item::Int(digits) => {
            if digits.is_empty() {
                Ordering::Equal
            } else {
                Ordering::Greater
            }
        }
        Item::Str(rank, _) => rank.cmp(&RELEASE_RANK),
        Item::List(items) => items
            .iter()
            .map(compare_to_null)
            .find(|ordering| ordering.is_ne())
            .unwrap_or(Ordering::Equal),
    }
}

/// Orders two items at the same position whose rests have the same sign relative to a release;
/// a missing item counts as `0`.
fn compare_items(a: Option<&Item>, b: Option<&Item>) -> Ordering {
    // An empty `Box<str>` does not allocate.
    let zero = Item::Int(Box::default());
    match (a.unwrap_or(&zero), b.unwrap_or(&zero)) {
        (Item::Int(x), Item::Int(y)) => x.len().cmp(&y.len()).then_with(|| x.cmp(y)),
        (Item::Int(_), _) => Ordering::Greater,
        (Item::Str(..), Item::Int(_)) => Ordering::Less,
        (Item::Str(rx, x), Item::Str(ry, y)) => rx.cmp(ry).then_with(|| x.cmp(y)),
        (Item::Str(..), Item::List(_)) => Ordering::Less,
        (Item::List(_), Item::Int(_)) => Ordering::Less,
        (Item::List(_), Item::Str(..)) => Ordering::Greater,
        (Item::List(x), Item::List(y)) => compare_lists(x, y),
    }
}

/// Whether `items[from..]` is below, equal to or above a release (nothing), with the index of the
/// item that decides it (`items.len()` when all are null).
fn tail_sign(items: &[Item], from: usize) -> (Ordering, usize) {
    items
        .iter()
        .enumerate()
        .skip(from)
        .map(|(index, item)| (compare_to_null(item), index))
        .find(|(sign, _)| sign.is_ne())
        .unwrap_or((Ordering::Equal, items.len()))
}

/// Lexicographic over positions, each compared by (sign of the rest, item): a total order.
fn compare_lists(a: &[Item], b: &[Item]) -> Ordering {
    let length = a.len().max(b.len());
    // The deciding index of each tail sign only moves forward, so each is found once.
    let (mut sign_a, mut sign_b) = ((Ordering::Equal, 0), (Ordering::Equal, 0));
    for index in 0..length {
        if index == 0 || index > sign_a.1 {
            sign_a = tail_sign(a, index);
        }
        if index == 0 || index > sign_b.1 {
            sign_b = tail_sign(b, index);
        }
        let ordering = sign_a
            .0
            .cmp(&sign_b.0)
            .then_with(|| compare_items(a.get(index), b.get(index)));
        if ordering.is_ne() {
            return ordering;
        }
    }
    Ordering::Equal
}

impl Ord for MavenVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        compare_lists(&self.items, &other.items)
    }
}

impl PartialOrd for MavenVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> MavenVersion {
        MavenVersion::parse(text).unwrap()
    }

    fn assert_ascending(versions: &[&str]) {
        for (i, low) in versions.iter().enumerate() {
            for high in &versions[i + 1..] {
                assert!(v(low) < v(high), "{low} < {high}");
                assert!(v(high) > v(low), "{high} > {low}");
            }
        }
    }

    /// `VERSIONS_QUALIFIER` from Maven's `ComparableVersionTest`.
    #[test]
    fn qualifier_order() {
        assert_ascending(&[
            "1-alpha2snapshot",
            "1-alpha2",
            "1-alpha-123",
            "1-beta-2",
            "1-beta123",
            "1-m2",
            "1-m11",
            "1-rc",
            "1-cr2",
            "1-rc123",
            "1-SNAPSHOT",
            "1",
            "1-sp",
            "1-sp2",
            "1-sp123",
            "1-abc",
            "1-def",
            "1-pom-1",
            "1-1-snapshot",
            "1-1",
            "1-2",
            "1-123",
        ]);
    }

    /// `VERSIONS_NUMBER` from Maven's `ComparableVersionTest`.
    #[test]
    fn number_order() {
        assert_ascending(&[
            "2.0", "2-1", "2.0.a", "2.0.0.a", "2.0.2", "2.0.123", "2.1.0", "2.1-a", "2.1b",
            "2.1-c", "2.1-1", "2.1.0.1", "2.2", "2.123", "11.a2", "11.a11", "11.b2", "11.b11",
            "11.m2", "11.m11", "11", "11.a", "11b", "11c", "11m",
        ]);
    }

    /// Cycles in Maven's own `ComparableVersion`, broken here so the order is total: the first
    /// triple is the fuzz crash (`.0.0rc1`, `c1`, `0`).
    #[test]
    fn total_where_maven_is_not() {
        assert_ascending(&[".0.0rc1", "0", "c1"]);
        assert_eq!(v(".0.0rc1"), v("0rc1"));
        assert_ascending(&["2.0.rc", "2", "2-1", "2.0.a"]);
        assert_ascending(&["1-rc", "1", "1.sp"]);
        assert_ascending(&["2.5.6-rc1", "2.5.6", "2.5.6.sec03"]);
        for cycle in [
            [".0.0rc1", "c1", "0"],
            ["2.0.rc", "2-1", "2"],
            ["2.5.6-rc1", "2.5.6.SEC03", "2.5.6"],
        ] {
            let [a, b, c] = cycle.map(v);
            for (x, y, z) in [(&a, &b, &c), (&b, &c, &a), (&c, &a, &b)] {
                assert!(!(x < y && y < z && z < x), "{cycle:?}");
            }
        }
    }

    proptest::proptest! {
        /// Transitivity over versions built from Maven's token kinds.
        #[test]
        fn order_is_transitive(
            texts in proptest::collection::vec("(0|1|2|rc|sp|a|ga|x)([.-]?(0|1|2|rc|sp|a|ga|x)){0,4}", 3)
        ) {
            let versions: Vec<MavenVersion> = texts.iter().map(|t| v(t)).collect();
            for x in &versions {
                for y in &versions {
                    proptest::prop_assert_eq!(x.cmp(y), y.cmp(x).reverse());
                    for z in &versions {
                        if x <= y && y <= z {
                            proptest::prop_assert!(x <= z, "{:?}", texts);
                        }
                    }
                }
            }
        }
    }

    /// `testVersionsEqual` from Maven's `ComparableVersionTest`.
    #[test]
    fn equal_spellings() {
        let groups: &[&[&str]] = &[
            &[
                "1",
                "1.0",
                "1.0.0",
                "1-0",
                "1.0-0",
                "1-ga",
                "1-final",
                "1.0-ga",
                "1-release",
            ],
            &["1a", "1-a", "1.0-a", "1.0.0-a"],
            &["1x", "1-x", "1.0.0-x"],
            &["1cr", "1rc", "1-cr", "1-rc"],
            &["1a1", "1-a1", "1-alpha-1", "1.0-alpha1"],
            &["1b2", "1-b2", "1-beta-2"],
            &["1m3", "1-m3", "1-milestone-3"],
            &["1X", "1x"],
            &["1.0.0-SNAPSHOT", "1-snapshot"],
        ];
        for group in groups {
            for other in &group[1..] {
                assert_eq!(
                    v(group[0]).cmp(&v(other)),
                    Ordering::Equal,
                    "{} == {other}",
                    group[0]
                );
            }
        }
    }
}
