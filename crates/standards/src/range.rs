//! Affected-version ranges: OSV `ranges[]` evaluation and purl-spec `vers:` specifiers.
//!
//! OSV evaluation follows the schema's "Evaluation" pseudo-code: events are sorted by version
//! (`introduced: "0"` first), then walked: `introduced` opens, `fixed` closes at that version,
//! `last_affected` closes after it; `limit` bounds the range from above. A version is affected when
//! any range says so or when it is listed in `versions`. `GIT` ranges need a commit graph, which we
//! do not have: they are reported as not evaluable and never make a version affected.
//!
//! An ecosystem without a known ordering never rejects the record: its explicit `versions` are
//! still matched, and ranges that cannot be evaluated turn "not affected" into
//! [`Verdict::Unknown`] with the reason.
//!
//! [`CompiledRanges`] parses every event once so that the matching hot loop only compares.

use std::borrow::Cow;
use std::cell::OnceCell;
use std::cmp::Ordering;
use std::fmt;

use crate::version::{Ecosystem, Version, VersionError};

/// OSV range type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RangeType {
    /// Versions are SemVer 2.0, whatever the ecosystem.
    Semver,
    /// Versions use the ecosystem's own ordering.
    Ecosystem,
    /// Events are git commit hashes.
    Git,
}

/// One OSV range event.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Event {
    /// The first affected version (`"0"` means "since the beginning").
    Introduced(String),
    /// The first version that is no longer affected.
    Fixed(String),
    /// The last affected version.
    LastAffected(String),
    /// An upper bound: no version at or above it is affected (`"*"` means none).
    Limit(String),
}

/// One OSV range: a type and its events, in any order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Range {
    /// How to read the event versions.
    pub range_type: RangeType,
    /// The events, as written in the record.
    pub events: Vec<Event>,
}

/// Why a version is affected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AffectedVia {
    /// The range at this index in the `ranges` slice.
    Range(usize),
    /// The explicit `versions` list.
    Versions,
}

/// The answer to "is this version affected?".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Affected, and by what.
    Affected {
        /// The range or list that matched.
        via: AffectedVia,
    },
    /// Every range was evaluated and none matched.
    NotAffected,
    /// Not matched, but something could not be evaluated (unknown ordering, a git range, a
    /// version that does not parse); the reason says what.
    Unknown {
        /// A human-readable reason, suitable for a warning.
        reason: String,
    },
}

impl Verdict {
    /// True only for [`Verdict::Affected`].
    pub fn is_affected(&self) -> bool {
        matches!(self, Verdict::Affected { .. })
    }
}

/// Errors from `vers:` specifiers and comparator lists.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VersError {
    /// The text does not follow the `vers:<scheme>/<constraints>` syntax.
    #[error("invalid vers specifier {input:?}: {reason}")]
    Syntax {
        /// The offending text.
        input: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The versioning scheme is not one we can order.
    #[error("unknown versioning scheme {scheme:?}")]
    UnknownScheme {
        /// The scheme as written.
        scheme: String,
    },
    /// A version in the specifier or the one tested does not parse.
    #[error(transparent)]
    Version(#[from] VersionError),
}

/// Evaluates OSV `ranges` and `versions` for one version (parses everything; for one-off calls).
///
/// Use [`CompiledRanges`] when the same ranges are tested against many versions.
pub fn is_affected(
    ecosystem: &Ecosystem,
    version: &str,
    ranges: &[Range],
    versions: &[String],
) -> Verdict {
    let compiled = CompiledRanges::compile(ecosystem, ranges, versions);
    match ecosystem.parse(version) {
        Ok(parsed) => compiled.affects(&parsed),
        Err(err) => {
            // Explicit versions still match textually even when the version does not parse.
            if versions
                .iter()
                .any(|listed| listed.trim() == version.trim())
            {
                Verdict::Affected {
                    via: AffectedVia::Versions,
                }
            } else {
                Verdict::Unknown {
                    reason: err.to_string(),
                }
            }
        }
    }
}

/// OSV ranges and versions with every version pre-parsed, for matching hot loops.
#[derive(Debug, Clone)]
pub struct CompiledRanges {
    /// The first range, kept inline: most affected packages have one range, and matching then
    /// reaches its events with one pointer less (a cache miss less per advisory).
    first_range: Option<CompiledRange>,
    /// The other ranges, in order.
    other_ranges: Vec<CompiledRange>,
    /// Explicit versions, sorted when the ecosystem has an ordering (binary search).
    versions: Vec<Version>,
    /// Explicit versions that did not parse, matched on their text.
    unparsed_versions: Vec<String>,
    versions_sorted: bool,
    /// Why some ranges could not be compiled; reported when nothing matched.
    problems: Vec<String>,
}

#[derive(Debug, Clone)]
struct CompiledRange {
    /// Index in the original `ranges` slice.
    index: usize,
    semver: bool,
    /// Events sorted by version, `introduced: "0"` first.
    events: Vec<CompiledEvent>,
    /// Exclusive upper bounds from `limit` events (empty: unbounded).
    limits: Vec<Bound>,
}

#[derive(Debug, Clone)]
struct CompiledEvent {
    kind: EventKind,
    at: Bound,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EventKind {
    Introduced,
    Fixed,
    LastAffected,
}

/// An event version: "0" (before everything) or a parsed version in either ordering.
#[derive(Debug, Clone)]
enum Bound {
    Zero,
    Ecosystem(Version),
    Semver(semver::Version),
}

impl CompiledRanges {
    /// Parses every event and explicit version once.
    ///
    /// Events that do not parse make their range unevaluable (remembered as a problem) instead of
    /// failing the whole record.
    pub fn compile(ecosystem: &Ecosystem, ranges: &[Range], versions: &[String]) -> Self {
        let mut compiled = Vec::with_capacity(ranges.len());
        let mut problems = Vec::new();
        for (index, range) in ranges.iter().enumerate() {
            match compile_range(ecosystem, index, range) {
                Ok(range) => compiled.push(range),
                Err(problem) => problems.push(problem),
            }
        }
        let mut parsed_versions = Vec::with_capacity(versions.len());
        let mut unparsed_versions = Vec::new();
        for listed in versions {
            match ecosystem.parse(listed) {
                Ok(version) => parsed_versions.push(version),
                Err(_) => unparsed_versions.push(listed.trim().to_owned()),
            }
        }
        let versions_sorted = ecosystem.has_ordering();
        if versions_sorted {
            parsed_versions.sort();
        }
        let mut compiled = compiled.into_iter();
        Self {
            first_range: compiled.next(),
            other_ranges: compiled.collect(),
            versions: parsed_versions,
            unparsed_versions,
            versions_sorted,
            problems,
        }
    }

    /// Whether `version` (parsed in the ranges' ecosystem) is affected.
    pub fn affects(&self, version: &Version) -> Verdict {
        self.affects_prepared(&PreparedVersion::new(version))
    }

    /// [`CompiledRanges::affects`] for a version tested against many compiled ranges: its
    /// SemVer reading for `SEMVER` ranges is worked out once, not once per call.
    pub fn affects_prepared(&self, prepared: &PreparedVersion<'_>) -> Verdict {
        let version = prepared.version;
        let listed = if self.versions_sorted {
            self.versions.binary_search(version).is_ok()
        } else {
            self.versions.iter().any(|v| v.as_str() == version.as_str())
        } || self.unparsed_versions.iter().any(|v| v == version.as_str());
        if listed {
            return Verdict::Affected {
                via: AffectedVia::Versions,
            };
        }
        let mut problems: Vec<String> = Vec::new();
        for range in self.first_range.iter().chain(&self.other_ranges) {
            let contained = if range.semver {
                match prepared.semver() {
                    Some(semver) => range.contains(&Probe::Semver(semver)),
                    None => {
                        problems.push(format!(
                            "version {:?} is not SemVer, range {} is SEMVER",
                            version.as_str(),
                            range.index
                        ));
                        continue;
                    }
                }
            } else {
                range.contains(&Probe::Ecosystem(version))
            };
            if contained {
                return Verdict::Affected {
                    via: AffectedVia::Range(range.index),
                };
            }
        }
        problems.extend(self.problems.iter().cloned());
        if problems.is_empty() {
            Verdict::NotAffected
        } else {
            Verdict::Unknown {
                reason: problems.join("; "),
            }
        }
    }
}

/// A parsed version about to be tested against many [`CompiledRanges`] (every advisory of one
/// package): carries its SemVer reading, computed on first need and then reused, so matching a
/// component costs one parse however many `SEMVER` ranges it meets.
#[derive(Debug)]
pub struct PreparedVersion<'a> {
    version: &'a Version,
    semver: OnceCell<Option<Cow<'a, semver::Version>>>,
}

impl<'a> PreparedVersion<'a> {
    /// Wraps a version parsed in the ecosystem of the ranges it will be tested against.
    pub fn new(version: &'a Version) -> Self {
        Self {
            version,
            semver: OnceCell::new(),
        }
    }

    /// The version itself.
    pub fn version(&self) -> &'a Version {
        self.version
    }

    fn semver(&self) -> Option<&semver::Version> {
        self.semver
            .get_or_init(|| semver_of(self.version))
            .as_deref()
    }
}

fn semver_of(version: &Version) -> Option<Cow<'_, semver::Version>> {
    match version.as_semver() {
        Some(semver) => Some(Cow::Borrowed(semver)),
        None => Ecosystem::SemVer
            .parse(version.as_str())
            .ok()?
            .as_semver()
            .cloned()
            .map(Cow::Owned),
    }
}

enum Probe<'a> {
    Ecosystem(&'a Version),
    Semver(&'a semver::Version),
}

impl Bound {
    /// Compares the bound with the probed version: `Less` means the bound is below it.
    fn cmp_probe(&self, probe: &Probe<'_>) -> Ordering {
        match (self, probe) {
            (Bound::Zero, _) => Ordering::Less,
            (Bound::Ecosystem(bound), Probe::Ecosystem(version)) => bound.cmp(version),
            (Bound::Semver(bound), Probe::Semver(version)) => bound.cmp_precedence(version),
            // Compilation never mixes orderings within one range.
            (Bound::Ecosystem(_), Probe::Semver(_)) | (Bound::Semver(_), Probe::Ecosystem(_)) => {
                Ordering::Greater
            }
        }
    }

    fn cmp_bound(&self, other: &Bound) -> Ordering {
        match (self, other) {
            (Bound::Zero, Bound::Zero) => Ordering::Equal,
            (Bound::Zero, _) => Ordering::Less,
            (_, Bound::Zero) => Ordering::Greater,
            (Bound::Ecosystem(a), Bound::Ecosystem(b)) => a.cmp(b),
            (Bound::Semver(a), Bound::Semver(b)) => a.cmp_precedence(b),
            (Bound::Ecosystem(_), Bound::Semver(_)) => Ordering::Less,
            (Bound::Semver(_), Bound::Ecosystem(_)) => Ordering::Greater,
        }
    }
}

impl CompiledRange {
    fn contains(&self, probe: &Probe<'_>) -> bool {
        if !self.limits.is_empty()
            && !self
                .limits
                .iter()
                .any(|limit| limit.cmp_probe(probe) == Ordering::Greater)
        {
            return false;
        }
        let mut affected = false;
        for event in &self.events {
            let bound_vs_version = event.at.cmp_probe(probe);
            match event.kind {
                EventKind::Introduced if bound_vs_version != Ordering::Greater => affected = true,
                EventKind::Fixed if bound_vs_version != Ordering::Greater => affected = false,
                EventKind::LastAffected if bound_vs_version == Ordering::Less => affected = false,
                _ => {
                    // Events are sorted: every later one is above the version too.
                    if bound_vs_version == Ordering::Greater {
                        break;
                    }
                }
            }
        }
        affected
    }
}

fn compile_range(
    ecosystem: &Ecosystem,
    index: usize,
    range: &Range,
) -> Result<CompiledRange, String> {
    let semver = match range.range_type {
        RangeType::Git => {
            return Err(format!(
                "range {index} is a GIT range (needs the commit graph)"
            ));
        }
        RangeType::Semver => true,
        RangeType::Ecosystem => {
            if !ecosystem.has_ordering() {
                return Err(format!(
                    "no version ordering known for ecosystem {:?}; range {index} not evaluated",
                    ecosystem.osv_name()
                ));
            }
            false
        }
    };
    let parse_bound = |text: &str| -> Result<Bound, String> {
        let parsed = if semver {
            Ecosystem::SemVer.parse(text)
        } else {
            ecosystem.parse(text)
        };
        match parsed {
            Ok(version) if semver => version
                .as_semver()
                .cloned()
                .map(Bound::Semver)
                .ok_or_else(|| format!("range {index}: {text:?} is not SemVer")),
            Ok(version) => Ok(Bound::Ecosystem(version)),
            Err(err) => Err(format!("range {index}: {err}")),
        }
    };
    let mut events = Vec::with_capacity(range.events.len());
    let mut limits = Vec::new();
    let mut unlimited = false;
    for event in &range.events {
        let (kind, text) = match event {
            Event::Introduced(text) => (EventKind::Introduced, text),
            Event::Fixed(text) => (EventKind::Fixed, text),
            Event::LastAffected(text) => (EventKind::LastAffected, text),
            Event::Limit(text) => {
                if text.trim() == "*" {
                    unlimited = true;
                } else {
                    limits.push(parse_bound(text)?);
                }
                continue;
            }
        };
        let at = if kind == EventKind::Introduced && text.trim() == "0" {
            Bound::Zero
        } else {
            parse_bound(text)?
        };
        events.push(CompiledEvent { kind, at });
    }
    // Stable sort: at equal versions the record's own order decides, as in the OSV pseudo-code.
    events.sort_by(|a, b| a.at.cmp_bound(&b.at));
    // `BeforeLimits` holds when the version is below any one limit, and every version is below
    // `*`: one `*` makes the other limits irrelevant.
    if unlimited {
        limits.clear();
    }
    Ok(CompiledRange {
        index,
        semver,
        events,
        limits,
    })
}

/// A purl-spec `vers:` specifier, e.g. `vers:npm/>=1.0.0|<2.0.0|!=1.5.0`.
#[derive(Debug, Clone)]
pub struct VersSpec {
    scheme: String,
    ecosystem: Ecosystem,
    /// `None` for `vers:<scheme>/*` (every version).
    constraints: Option<Vec<Constraint>>,
}

/// One `comparator version` pair.
#[derive(Debug, Clone)]
struct Constraint {
    comparator: Comparator,
    version: Version,
}

/// A comparison operator of `vers:` and of comparator lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Comparator {
    /// `=`
    Equal,
    /// `!=`
    NotEqual,
    /// `<`
    Less,
    /// `<=`
    LessOrEqual,
    /// `>`
    Greater,
    /// `>=`
    GreaterOrEqual,
}

impl Comparator {
    /// Splits a leading operator off a constraint (none means `=`).
    fn split(text: &str) -> (Comparator, &str) {
        for (prefix, comparator) in [
            (">=", Comparator::GreaterOrEqual),
            ("<=", Comparator::LessOrEqual),
            ("!=", Comparator::NotEqual),
            ("==", Comparator::Equal),
            ("=", Comparator::Equal),
            (">", Comparator::Greater),
            ("<", Comparator::Less),
        ] {
            if let Some(rest) = text.strip_prefix(prefix) {
                return (comparator, rest.trim());
            }
        }
        (Comparator::Equal, text.trim())
    }

    /// Whether `version <op> bound` holds.
    pub fn holds(self, version: &Version, bound: &Version) -> bool {
        let ordering = version.cmp(bound);
        match self {
            Comparator::Equal => ordering.is_eq(),
            Comparator::NotEqual => ordering.is_ne(),
            Comparator::Less => ordering.is_lt(),
            Comparator::LessOrEqual => ordering.is_le(),
            Comparator::Greater => ordering.is_gt(),
            Comparator::GreaterOrEqual => ordering.is_ge(),
        }
    }

    fn symbol(self) -> &'static str {
        match self {
            Comparator::Equal => "=",
            Comparator::NotEqual => "!=",
            Comparator::Less => "<",
            Comparator::LessOrEqual => "<=",
            Comparator::Greater => ">",
            Comparator::GreaterOrEqual => ">=",
        }
    }
}

impl VersSpec {
    /// Parses `vers:<scheme>/<constraint>|<constraint>…`; versions are parsed in the scheme's order.
    pub fn parse(s: &str) -> Result<Self, VersError> {
        let syntax = |reason: &str| VersError::Syntax {
            input: s.to_owned(),
            reason: reason.to_owned(),
        };
        let text: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        let rest = text
            .strip_prefix("vers:")
            .ok_or_else(|| syntax("must start with \"vers:\""))?;
        let (scheme, constraints_text) = rest
            .split_once('/')
            .ok_or_else(|| syntax("missing \"/\" after the versioning scheme"))?;
        let scheme = scheme.to_ascii_lowercase();
        if scheme.is_empty() {
            return Err(syntax("empty versioning scheme"));
        }
        let ecosystem =
            Ecosystem::from_vers_scheme(&scheme).ok_or_else(|| VersError::UnknownScheme {
                scheme: scheme.clone(),
            })?;
        let constraints_text = constraints_text.trim_matches('|');
        if constraints_text.is_empty() {
            return Err(syntax("no constraints"));
        }
        if constraints_text == "*" {
            return Ok(Self {
                scheme,
                ecosystem,
                constraints: None,
            });
        }
        let mut constraints = Vec::new();
        for part in constraints_text.split('|') {
            if part.is_empty() {
                return Err(syntax("empty constraint"));
            }
            if part == "*" {
                return Err(syntax("\"*\" must be the only constraint"));
            }
            let (comparator, version_text) = Comparator::split(part);
            if version_text.is_empty() {
                return Err(syntax("comparator without a version"));
            }
            let version_text = percent_decode(version_text);
            let version = ecosystem.parse(&version_text)?;
            constraints.push(Constraint {
                comparator,
                version,
            });
        }
        constraints.sort_by(|a, b| a.version.cmp(&b.version));
        if constraints
            .windows(2)
            .any(|pair| pair[0].version == pair[1].version)
        {
            return Err(syntax("a version appears more than once"));
        }
        Ok(Self {
            scheme,
            ecosystem,
            constraints: Some(constraints),
        })
    }

    /// The ecosystem whose ordering the specifier uses.
    pub fn ecosystem(&self) -> &Ecosystem {
        &self.ecosystem
    }

    /// Whether `version` satisfies the specifier (purl-spec VERS containment algorithm).
    pub fn contains(&self, version: &str) -> Result<bool, VersError> {
        let version = self.ecosystem.parse(version)?;
        Ok(self.contains_parsed(&version))
    }

    /// [`VersSpec::contains`] for a version already parsed in [`VersSpec::ecosystem`].
    pub fn contains_parsed(&self, version: &Version) -> bool {
        let Some(constraints) = &self.constraints else {
            return true;
        };
        for constraint in constraints {
            match constraint.comparator {
                Comparator::Equal if constraint.version == *version => return true,
                Comparator::NotEqual if constraint.version == *version => return false,
                _ => {}
            }
        }
        let ranges: Vec<&Constraint> = constraints
            .iter()
            .filter(|c| !matches!(c.comparator, Comparator::Equal | Comparator::NotEqual))
            .collect();
        let Some(first) = ranges.first() else {
            // Only `!=` left means "anything else"; only `=` left means "nothing else".
            return constraints
                .iter()
                .all(|c| c.comparator == Comparator::NotEqual);
        };
        if matches!(first.comparator, Comparator::Less | Comparator::LessOrEqual)
            && first.comparator.holds(version, &first.version)
        {
            return true;
        }
        if let Some(last) = ranges.last()
            && matches!(
                last.comparator,
                Comparator::Greater | Comparator::GreaterOrEqual
            )
            && last.comparator.holds(version, &last.version)
        {
            return true;
        }
        ranges.windows(2).any(|pair| {
            let (low, high) = (pair[0], pair[1]);
            matches!(
                low.comparator,
                Comparator::Greater | Comparator::GreaterOrEqual
            ) && matches!(high.comparator, Comparator::Less | Comparator::LessOrEqual)
                && low.comparator.holds(version, &low.version)
                && high.comparator.holds(version, &high.version)
        })
    }
}

impl fmt::Display for VersSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "vers:{}/", self.scheme)?;
        match &self.constraints {
            None => f.write_str("*"),
            Some(constraints) => {
                for (i, constraint) in constraints.iter().enumerate() {
                    if i > 0 {
                        f.write_str("|")?;
                    }
                    let symbol = match constraint.comparator {
                        Comparator::Equal => "",
                        other => other.symbol(),
                    };
                    write!(f, "{symbol}{}", percent_encode(constraint.version.as_str()))?;
                }
                Ok(())
            }
        }
    }
}

/// Escapes what the `vers:` syntax would otherwise read as structure: the separator `|`,
/// comparator characters (a version `<1.5` under `=` would come back as `< 1.5`), `*`, `%`
/// itself, and white space (which parsing removes). Everything else is written as is.
fn percent_encode(version: &str) -> Cow<'_, str> {
    let special =
        |c: char| matches!(c, '|' | '<' | '>' | '=' | '!' | '*' | '%') || c.is_whitespace();
    if !version.contains(special) {
        return Cow::Borrowed(version);
    }
    let mut out = String::with_capacity(version.len() + 8);
    for c in version.chars() {
        if special(c) {
            const HEX: &[u8; 16] = b"0123456789ABCDEF";
            let mut buffer = [0; 4];
            for byte in c.encode_utf8(&mut buffer).bytes() {
                out.push('%');
                out.push(char::from(HEX[usize::from(byte >> 4)]));
                out.push(char::from(HEX[usize::from(byte & 0x0f)]));
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Decodes `%XX` escapes (vers versions are percent-encoded like purl parts).
fn percent_decode(text: &str) -> String {
    if !text.contains('%') {
        return text.to_owned();
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Some(byte) = std::str::from_utf8(&bytes[i + 1..i + 3])
                .ok()
                .and_then(|hex| u8::from_str_radix(hex, 16).ok())
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A comma-separated list of comparators that must all hold, e.g. `>=1.0,<2.0` (npm/PEP 440 style,
/// for command lines).
#[derive(Debug, Clone)]
pub struct ComparatorList {
    constraints: Vec<Constraint>,
}

impl ComparatorList {
    /// Parses `>=1.0,<2.0` in the given ecosystem's ordering.
    pub fn parse(ecosystem: &Ecosystem, text: &str) -> Result<Self, VersError> {
        let mut constraints = Vec::new();
        for part in text.split(',').map(str::trim) {
            if part.is_empty() {
                continue;
            }
            let (comparator, version_text) = Comparator::split(part);
            if version_text.is_empty() {
                return Err(VersError::Syntax {
                    input: text.to_owned(),
                    reason: format!("{part:?} has no version"),
                });
            }
            constraints.push(Constraint {
                comparator,
                version: ecosystem.parse(version_text)?,
            });
        }
        if constraints.is_empty() {
            return Err(VersError::Syntax {
                input: text.to_owned(),
                reason: "no constraints".to_owned(),
            });
        }
        Ok(Self { constraints })
    }

    /// Whether every comparator holds for `version`.
    pub fn contains_parsed(&self, version: &Version) -> bool {
        self.constraints
            .iter()
            .all(|c| c.comparator.holds(version, &c.version))
    }
}

#[cfg(test)]
mod tests;
