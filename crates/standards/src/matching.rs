//! Which advisories affect which components: an index over OSV records, CSAF products and
//! CycloneDX VEX, queried for a whole SBOM at once, and alias grouping across sources.
//!
//! The index holds exactly what the knowledge base holds: every document is first turned into a
//! [`SourceRecord`] by [`crate::knowledge`], and its affected packages are indexed under the same
//! keys, with the same conditions, that the server's package index uses. A component is looked up
//! under the keys [`crate::knowledge::component_keys`] gives it: its package URL's ecosystem key
//! (the OSV ecosystem without release; for distributions, the purl namespace decides: `deb/ubuntu`
//! is `Ubuntu`, `rpm/redhat` is `Red Hat`) and ecosystem-normalized name, then each CPE's
//! `vendor:product`. So `clearinghouse scan` and the server find the same matches.
//!
//! The same vulnerability often arrives from several sources (GHSA, PYSEC, a vendor's CSAF, the CVE).
//! [`alias_groups`] joins them by union-find over each advisory's id and aliases; a CSAF tracking
//! id is the record's id ([`AdvisoryInfo::record`]), never an alias, so two CVEs of one RHSA stay
//! two vulnerabilities.
//!
//! Speed: a component's package URL is split by [`simple_purl`] without allocating when it has the
//! common shape (no percent-escapes, no subpath; the same type rules as `packageurl`, which parses
//! everything else), its name is looked up per ecosystem key by `&str`, its version is parsed once
//! and its SemVer reading for `SEMVER` ranges computed at most once ([`PreparedVersion`]).

use std::borrow::Cow;
use std::collections::HashMap;
use std::str::FromStr;

use serde::Serialize;

use crate::cpe::{Cpe, CpeValue};
use crate::csaf::Csaf;
use crate::knowledge::{
    self, CPE_ECOSYSTEM, CompiledCondition, SourceKind, SourceRecord, key_ecosystem,
};
use crate::osv;
use crate::range::{Event, PreparedVersion, Range, RangeType};
use crate::sbom::{Component, Sbom};
use crate::version::Ecosystem;

/// What the index knows about one advisory (one vulnerability of one record).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AdvisoryInfo {
    /// The advisory's id: the OSV id, or the vulnerability's preferred id (its CVE) in a CSAF or
    /// CycloneDX document.
    pub id: String,
    /// Other ids of the same vulnerability.
    pub aliases: Vec<String>,
    /// The record it comes from: the OSV id, the CSAF tracking id, the CycloneDX serial number.
    pub record: String,
    /// Where it came from (file or feed name), for display.
    pub source: String,
    /// One-line summary.
    pub summary: Option<String>,
}

#[derive(Debug, Clone)]
struct Entry {
    advisory: usize,
    condition: CompiledCondition,
    /// Human description of the range, e.g. `>=2.3.1, <2.14.4`.
    range: String,
}

/// One (component, advisory) hit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Match {
    /// Index of the component in the SBOM.
    pub component: usize,
    /// Index of the advisory in [`Index::advisories`].
    pub advisory: usize,
    /// The range (or version) that matched, as written.
    pub range: String,
    /// `purl` or `cpe`: which identifier matched.
    pub matched_by: &'static str,
}

/// The entries of one ecosystem key, with the ordering its versions are compared in.
#[derive(Debug)]
struct KeyEntries {
    ordering: Ecosystem,
    by_name: HashMap<String, Vec<Entry>>,
}

/// The advisory index.
#[derive(Debug, Default)]
pub struct Index {
    advisories: Vec<AdvisoryInfo>,
    /// Ecosystem key (or [`CPE_ECOSYSTEM`]), then normalized package name (or `vendor:product`):
    /// looked up by `&str`, without building a key.
    by_key: HashMap<String, KeyEntries>,
}

/// What a package URL is looked up under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurlLookup<'a> {
    /// The ecosystem key (`PyPI`, `Debian`, `Red Hat`, …).
    pub key: Cow<'a, str>,
    /// The ordering its versions are compared in.
    pub ordering: Ecosystem,
    /// The ecosystem-normalized package name (`group:artifact` for Maven).
    pub name_key: String,
    /// The purl's version.
    pub version: Option<Cow<'a, str>>,
}

/// Where a package URL is looked up: ecosystem key, normalized name and version.
pub fn purl_lookup(purl: &str) -> Option<PurlLookup<'_>> {
    let parts = package_of(purl)?;
    Some(PurlLookup {
        name_key: parts.ecosystem.normalize_package_name(&parts.name),
        key: parts.key,
        ordering: parts.ecosystem,
        version: parts.version,
    })
}

/// What matching needs from a package URL: the ecosystem key and ordering, the package name as
/// OSV writes it (before ecosystem normalization) and the version.
#[derive(Debug, Clone, PartialEq, Eq)]
struct PackageParts<'a> {
    key: Cow<'a, str>,
    ecosystem: Ecosystem,
    name: Cow<'a, str>,
    version: Option<Cow<'a, str>>,
}

/// [`simple_purl`] when it applies, else the full `packageurl` parser; an RPM's `epoch`
/// qualifier is then moved into its version (see [`with_rpm_epoch`]).
fn package_of(purl: &str) -> Option<PackageParts<'_>> {
    let mut parts = simple_purl(purl).or_else(|| full_purl(purl))?;
    if parts.ecosystem == Ecosystem::Rpm
        && let Some(version) = parts.version.take()
    {
        parts.version = Some(with_rpm_epoch(purl, version));
    }
    Some(parts)
}

/// purl-spec keeps an RPM's epoch in the `epoch` qualifier (`pkg:rpm/redhat/python-wheel@0.35.1-4?epoch=1`),
/// but rpmvercmp reads it as the `1:` prefix: without it an epoch-1 package compares as epoch 0,
/// below every `1:…` fix, and is reported affected by advisories it has long been fixed for. A
/// version that already carries an epoch, or a qualifier that is not a number, is left alone
/// ([`crate::purl::Purl::ecosystem_version`] is the same rule on a parsed purl).
fn with_rpm_epoch<'a>(purl: &str, version: Cow<'a, str>) -> Cow<'a, str> {
    if version.contains(':') {
        return version;
    }
    let qualifiers = purl.split_once('?').map_or("", |(_, q)| q);
    let qualifiers = qualifiers.split_once('#').map_or(qualifiers, |(q, _)| q);
    let epoch = qualifiers
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| key.eq_ignore_ascii_case("epoch"))
        .map(|(_, value)| value)
        .filter(|value| !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()));
    match epoch {
        Some(epoch) => Cow::Owned(format!("{epoch}:{version}")),
        None => version,
    }
}

/// The reference reading: `packageurl` parses, validates and normalizes per type.
fn full_purl(purl: &str) -> Option<PackageParts<'static>> {
    let parsed = packageurl::PackageUrl::from_str(purl).ok()?;
    let ecosystem = Ecosystem::from_purl_type(parsed.ty())?;
    let name = osv_name(parsed.ty(), parsed.namespace(), parsed.name());
    Some(PackageParts {
        key: ecosystem_key_of(parsed.ty(), parsed.namespace(), &ecosystem),
        ecosystem,
        name: Cow::Owned(name.into_owned()),
        version: parsed.version().map(|v| Cow::Owned(v.to_owned())),
    })
}

/// The OSV ecosystem a package URL's packages are published under. Distribution types name the
/// distribution in their namespace (purl-spec: `deb/debian`, `deb/ubuntu`, `rpm/redhat`,
/// `rpm/opensuse`, `apk/alpine`, `apk/wolfi`); a namespace without an OSV ecosystem keys under
/// itself, so it matches nothing rather than another distribution's records.
fn ecosystem_key_of(ty: &str, namespace: Option<&str>, ecosystem: &Ecosystem) -> Cow<'static, str> {
    let namespace = namespace.map(str::to_ascii_lowercase);
    let distribution = match (ty.to_ascii_lowercase().as_str(), namespace.as_deref()) {
        ("deb", None | Some("debian")) => "Debian",
        ("deb", Some("ubuntu")) => "Ubuntu",
        ("rpm", None | Some("redhat" | "rhel")) => "Red Hat",
        ("rpm", Some("rocky" | "rockylinux" | "rocky-linux")) => "Rocky Linux",
        ("rpm", Some("almalinux" | "alma")) => "AlmaLinux",
        ("rpm", Some("suse" | "sles")) => "SUSE",
        ("rpm", Some("opensuse")) => "openSUSE",
        ("rpm", Some("mageia")) => "Mageia",
        ("rpm", Some("openeuler")) => "openEuler",
        ("rpm", Some("photon")) => "Photon OS",
        ("rpm", Some("azurelinux" | "mariner" | "cbl-mariner")) => "Azure Linux",
        ("apk" | "alpine", None | Some("alpine")) => "Alpine",
        ("apk", Some("wolfi")) => "Wolfi",
        ("apk", Some("chainguard")) => "Chainguard",
        ("apk", Some("alpaquita")) => "Alpaquita",
        ("apk", Some("minimos")) => "MinimOS",
        ("deb" | "rpm" | "apk", Some(other)) => return Cow::Owned(other.to_owned()),
        ("github", _) => "GitHub Actions",
        ("swift", _) => "SwiftURL",
        _ => match ecosystem.static_osv_name() {
            Some(name) => name,
            None => return Cow::Owned(ecosystem.osv_name().to_owned()),
        },
    };
    Cow::Borrowed(distribution)
}

/// `group:artifact` for Maven, `namespace/name` for the others that have a namespace, except the
/// distribution types whose namespace is the vendor (`deb`, `rpm`, `apk`).
fn osv_name<'a>(ty: &str, namespace: Option<&'a str>, name: &'a str) -> Cow<'a, str> {
    match (ty, namespace) {
        ("maven", Some(group)) => Cow::Owned(format!("{group}:{name}")),
        ("deb" | "rpm" | "apk", _) | (_, None) => Cow::Borrowed(name),
        (_, Some(namespace)) => Cow::Owned(format!("{namespace}/{name}")),
    }
}

/// How a purl type treats its namespace, per the purl-spec type definitions.
#[derive(Clone, Copy, PartialEq, Eq)]
enum NamespaceRule {
    Optional,
    Required,
    Prohibited,
}

/// `packageurl` 0.7's rules (its `types.rs`, from the purl-spec definitions) for the types we have
/// an ecosystem for: (type, namespace, lowercase name, lowercase namespace). The test
/// `simple_purl_agrees_with_packageurl` keeps the two in step.
const SIMPLE_TYPES: [(&str, NamespaceRule, bool, bool); 17] = [
    ("pypi", NamespaceRule::Prohibited, true, false),
    ("npm", NamespaceRule::Optional, true, false),
    ("cargo", NamespaceRule::Prohibited, false, false),
    ("golang", NamespaceRule::Optional, false, true),
    ("maven", NamespaceRule::Optional, false, false),
    ("gem", NamespaceRule::Prohibited, false, false),
    ("nuget", NamespaceRule::Prohibited, false, false),
    ("composer", NamespaceRule::Required, true, true),
    ("hex", NamespaceRule::Optional, true, true),
    ("pub", NamespaceRule::Prohibited, false, false),
    ("deb", NamespaceRule::Optional, true, true),
    ("rpm", NamespaceRule::Optional, false, true),
    ("apk", NamespaceRule::Optional, false, true),
    ("alpine", NamespaceRule::Optional, false, false),
    ("github", NamespaceRule::Optional, true, true),
    ("swift", NamespaceRule::Required, false, false),
    ("generic", NamespaceRule::Optional, false, false),
];

fn lowercase_if(text: &str, lower: bool) -> Cow<'_, str> {
    if lower && text.chars().any(char::is_uppercase) {
        Cow::Owned(text.to_lowercase())
    } else {
        Cow::Borrowed(text)
    }
}

/// Reads `pkg:type/[namespace/]name[@version][?qualifiers]` without allocating in the common
/// case, giving exactly what `packageurl` would. Returns `None` (the caller falls back to
/// `packageurl`) for anything outside that shape: percent-escapes, a subpath, extra slashes or
/// `.`/`..` segments, types without an ecosystem,
/// invalid qualifier keys, and purls `packageurl` rejects.
fn simple_purl(purl: &str) -> Option<PackageParts<'_>> {
    let rest = purl.strip_prefix("pkg:")?;
    if rest.starts_with('/') || rest.contains(['%', '#']) {
        return None;
    }
    let rest = match rest.rsplit_once('?') {
        Some((before, qualifiers)) => {
            let keys_valid = qualifiers
                .split('&')
                .map(|pair| pair.split_once('=').unwrap_or((pair, "")))
                .filter(|(_, value)| !value.is_empty())
                .all(|(key, _)| {
                    key.starts_with(|c: char| !c.is_ascii_digit())
                        && key
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
                });
            if !keys_valid {
                return None;
            }
            before
        }
        None => rest,
    };
    let (rest, version) = match rest.rsplit_once('@') {
        Some((before, version)) if !version.contains('/') => (before, Some(version)),
        _ => (rest, None),
    };
    let (ty, path) = rest.split_once('/')?;
    if ty.is_empty()
        || ty.starts_with(|c: char| c.is_ascii_digit())
        || !ty
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+'))
    {
        return None;
    }
    let lower_ty = lowercase_if(ty, true);
    let &(_, namespace_rule, lower_name, lower_namespace) =
        SIMPLE_TYPES.iter().find(|(known, ..)| *known == lower_ty)?;
    let (namespace, name) = match path.rsplit_once('/') {
        Some((namespace, name)) => (Some(namespace), name),
        None => (None, path),
    };
    let segments_clean = namespace.is_none_or(|namespace| {
        namespace
            .split('/')
            .all(|segment| !matches!(segment, "" | "." | ".."))
    });
    if name.is_empty() || !segments_clean {
        return None;
    }
    match (namespace_rule, namespace) {
        (NamespaceRule::Required, None) | (NamespaceRule::Prohibited, Some(_)) => return None,
        _ => {}
    }
    let mut name = lowercase_if(name, lower_name);
    if lower_ty == "pypi" && name.contains('_') {
        name = Cow::Owned(name.replace('_', "-"));
    }
    let namespace = namespace.map(|namespace| lowercase_if(namespace, lower_namespace));
    let ecosystem = Ecosystem::from_purl_type(&lower_ty)?;
    let key = ecosystem_key_of(&lower_ty, namespace.as_deref(), &ecosystem);
    let osv = match osv_name(&lower_ty, namespace.as_deref(), &name) {
        Cow::Owned(joined) => Cow::Owned(joined),
        Cow::Borrowed(_) => name,
    };
    Some(PackageParts {
        key,
        ecosystem,
        name: osv,
        version: version.map(Cow::Borrowed),
    })
}

/// Vendor, product and version of a CPE 2.3 formatted string or CPE 2.2 URI, read with
/// [`crate::cpe`]: lowercase and unescaped; the version is `*` for ANY, `-` for NA, and keeps its
/// wildcards when it has some. `None` when the CPE does not parse or its vendor or product is not
/// a plain value.
pub fn cpe_fields(cpe: &str) -> Option<(String, String, String)> {
    let parsed = Cpe::parse(cpe).ok()?;
    let (vendor, product) = (parsed.vendor()?, parsed.product()?);
    if vendor.is_empty() || product.is_empty() {
        return None;
    }
    let version = match parsed.value(3)? {
        CpeValue::Any => "*".to_owned(),
        CpeValue::Na => "-".to_owned(),
        CpeValue::Value(pattern) => pattern.to_unescaped_string(),
    };
    Some((vendor.to_owned(), product.to_owned(), version))
}

pub(crate) fn describe_osv_range(range: &osv::Range, versions: &[String]) -> String {
    let mut parts: Vec<String> = range
        .events
        .iter()
        .map(|event| match event {
            osv::Event {
                introduced: Some(v),
                ..
            } => format!(">={v}"),
            osv::Event { fixed: Some(v), .. } => format!("<{v}"),
            osv::Event {
                last_affected: Some(v),
                ..
            } => format!("<={v}"),
            osv::Event { limit: Some(v), .. } => format!("limit {v}"),
            _ => String::new(),
        })
        .collect();
    if parts.is_empty() && !versions.is_empty() {
        parts.push(format!("{} listed versions", versions.len()));
    }
    parts.join(", ")
}

pub(crate) fn to_range(range: &osv::Range) -> Option<Range> {
    let range_type = match range.kind.as_str() {
        "SEMVER" => RangeType::Semver,
        "ECOSYSTEM" => RangeType::Ecosystem,
        "GIT" => RangeType::Git,
        _ => return None,
    };
    let events = range
        .events
        .iter()
        .filter_map(|event| match event {
            osv::Event {
                introduced: Some(v),
                ..
            } => Some(Event::Introduced(v.clone())),
            osv::Event { fixed: Some(v), .. } => Some(Event::Fixed(v.clone())),
            osv::Event {
                last_affected: Some(v),
                ..
            } => Some(Event::LastAffected(v.clone())),
            osv::Event { limit: Some(v), .. } => Some(Event::Limit(v.clone())),
            _ => None,
        })
        .collect();
    Some(Range { range_type, events })
}

impl Index {
    /// An empty index.
    pub fn new() -> Self {
        Self::default()
    }

    /// Advisories in insertion order; [`Match::advisory`] indexes this slice.
    pub fn advisories(&self) -> &[AdvisoryInfo] {
        &self.advisories
    }

    /// Number of indexed (package or CPE, advisory) entries.
    pub fn entry_count(&self) -> usize {
        self.by_key
            .values()
            .flat_map(|keyed| keyed.by_name.values())
            .map(Vec::len)
            .sum()
    }

    /// Adds an OSV record; withdrawn records are skipped (returns whether it was added).
    pub fn add_osv(&mut self, record: &osv::Record, source: &str) -> bool {
        if record.withdrawn.is_some() {
            return false;
        }
        self.add_record(&knowledge::from_osv(record), source);
        true
    }

    /// Adds every vulnerability of a CSAF document that lists affected products, one advisory
    /// each, indexed as [`knowledge::from_csaf`] keys them.
    pub fn add_csaf(&mut self, csaf: &Csaf, source: &str) {
        self.add_record(&knowledge::from_csaf(csaf), source);
    }

    /// Adds what the knowledge base keeps of a document: one advisory per vulnerability (every
    /// one of an OSV record, those with affected packages of other documents), indexed under
    /// its packages' keys. Withdrawn records are skipped.
    pub fn add_record(&mut self, record: &SourceRecord, source: &str) {
        if record.withdrawn {
            return;
        }
        for part in &record.vulnerabilities {
            if part.packages.is_empty() && record.kind != SourceKind::Osv {
                continue;
            }
            let id = if record.kind == SourceKind::Osv {
                record.source_id.clone()
            } else {
                part.ids
                    .first()
                    .cloned()
                    .unwrap_or_else(|| record.source_id.clone())
            };
            let advisory = self.advisories.len();
            self.advisories.push(AdvisoryInfo {
                aliases: part.ids.iter().filter(|a| **a != id).cloned().collect(),
                id,
                record: record.source_id.clone(),
                source: source.to_owned(),
                summary: part.facts.summary.clone().or_else(|| record.title.clone()),
            });
            for package in &part.packages {
                let keyed = self
                    .by_key
                    .entry(package.ecosystem.clone())
                    .or_insert_with(|| KeyEntries {
                        ordering: key_ecosystem(&package.ecosystem),
                        by_name: HashMap::new(),
                    });
                let condition = package.condition.compile(&keyed.ordering);
                keyed
                    .by_name
                    .entry(package.name_key.clone())
                    .or_default()
                    .push(Entry {
                        advisory,
                        condition,
                        range: package.range.clone(),
                    });
            }
        }
    }

    /// Matches one component under every key [`knowledge::component_keys`] gives it; `index` is
    /// its position, copied into each [`Match`]. A component without a version is tested as
    /// `""`, which only "any version" products match.
    pub fn match_component(&self, index: usize, component: &Component, out: &mut Vec<Match>) {
        if let Some(parts) = component.purl.as_deref().and_then(package_of)
            && let Some(keyed) = self.by_key.get(parts.key.as_ref())
        {
            let name = parts.ecosystem.normalize_package_name(&parts.name);
            if let Some(entries) = keyed.by_name.get(&name) {
                let version_text = parts
                    .version
                    .as_deref()
                    .or(component.version.as_deref())
                    .unwrap_or("");
                keyed.push_matches(index, entries, version_text, "purl", out);
            }
        }
        let Some(keyed) = self.by_key.get(CPE_ECOSYSTEM) else {
            return;
        };
        for cpe in &component.cpes {
            let Some((vendor, product, cpe_version)) = cpe_fields(cpe) else {
                continue;
            };
            let Some(entries) = keyed.by_name.get(&format!("{vendor}:{product}")) else {
                continue;
            };
            let version_text = match cpe_version.as_str() {
                "*" | "-" | "" => component.version.clone().unwrap_or_default(),
                _ => cpe_version,
            };
            keyed.push_matches(index, entries, &version_text, "cpe", out);
        }
    }

    /// Matches every component of an SBOM; results are ordered by component, then advisory.
    pub fn match_sbom(&self, sbom: &Sbom) -> Vec<Match> {
        let mut out = Vec::new();
        for (index, component) in sbom.components.iter().enumerate() {
            self.match_component(index, component, &mut out);
        }
        out.sort_by_key(|m| (m.component, m.advisory));
        out.dedup_by_key(|m| (m.component, m.advisory));
        out
    }
}

impl KeyEntries {
    fn push_matches(
        &self,
        component: usize,
        entries: &[Entry],
        version_text: &str,
        matched_by: &'static str,
        out: &mut Vec<Match>,
    ) {
        let parsed = self.ordering.parse(version_text).ok();
        let prepared = parsed.as_ref().map(PreparedVersion::new);
        for entry in entries {
            if entry
                .condition
                .affects_prepared(prepared.as_ref(), version_text)
            {
                out.push(Match {
                    component,
                    advisory: entry.advisory,
                    range: entry.range.clone(),
                    matched_by,
                });
            }
        }
    }
}

/// Groups advisories that share an id or alias (transitively); returns, for each advisory, the
/// index of its group, groups numbered in order of first appearance.
pub fn alias_groups(advisories: &[AdvisoryInfo]) -> Vec<usize> {
    let mut parent: Vec<usize> = (0..advisories.len()).collect();
    fn find(parent: &mut [usize], mut node: usize) -> usize {
        while parent[node] != node {
            parent[node] = parent[parent[node]];
            node = parent[node];
        }
        node
    }
    let mut first_seen: HashMap<&str, usize> = HashMap::new();
    for (index, advisory) in advisories.iter().enumerate() {
        for id in std::iter::once(&advisory.id).chain(&advisory.aliases) {
            match first_seen.get(id.as_str()) {
                Some(&other) => {
                    let (a, b) = (find(&mut parent, index), find(&mut parent, other));
                    if a != b {
                        parent[a.max(b)] = a.min(b);
                    }
                }
                None => {
                    first_seen.insert(id, index);
                }
            }
        }
    }
    let mut numbering: HashMap<usize, usize> = HashMap::new();
    (0..advisories.len())
        .map(|index| {
            let root = find(&mut parent, index);
            let next = numbering.len();
            *numbering.entry(root).or_insert(next)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn osv_record(
        id: &str,
        aliases: &[&str],
        ecosystem: &str,
        name: &str,
        introduced: &str,
        fixed: &str,
    ) -> osv::Record {
        osv::from_json(&format!(
            r#"{{"id":"{id}","aliases":{aliases:?},"affected":[{{"package":{{"ecosystem":"{ecosystem}","name":"{name}"}},
               "ranges":[{{"type":"ECOSYSTEM","events":[{{"introduced":"{introduced}"}},{{"fixed":"{fixed}"}}]}}]}}]}}"#
        ))
        .unwrap()
    }

    fn sbom(purls: &[&str]) -> Sbom {
        Sbom {
            components: purls
                .iter()
                .map(|purl| Component {
                    purl: Some((*purl).to_owned()),
                    name: (*purl).to_owned(),
                    ..Component::default()
                })
                .collect(),
            ..Sbom::default()
        }
    }

    #[test]
    fn an_rpm_epoch_qualifier_is_part_of_the_compared_version() {
        // Modelled on RHSA-2024:6220 (whose real fix is 1:0.35.1-4.module…): here the fix is
        // 1:0.35.1-5.el8, so epoch-1 0.35.1-4 is affected and epoch-1 0.35.1-5 is not. Read
        // without its epoch, the fixed package would be epoch 0, below the fix, and reported
        // affected; an explicit `0` epoch stays below it.
        let mut index = Index::new();
        index.add_osv(
            &osv_record(
                "RHSA-2024:6220",
                &["CVE-2022-40898"],
                "Red Hat",
                "python-wheel",
                "0",
                "1:0.35.1-5.el8",
            ),
            "redhat",
        );
        let found = index.match_sbom(&sbom(&[
            "pkg:rpm/redhat/python-wheel@0.35.1-4.el8?arch=noarch&epoch=1",
            "pkg:rpm/redhat/python-wheel@0.35.1-5.el8?epoch=1&arch=noarch",
            "pkg:rpm/redhat/python-wheel@1:0.35.1-4.el8?epoch=1",
            "pkg:rpm/redhat/python-wheel@0.36.0-1.el8?epoch=0",
        ]));
        let matched: Vec<usize> = found.iter().map(|m| m.component).collect();
        assert_eq!(matched, vec![0, 2, 3], "{found:#?}");
        assert_eq!(
            package_of("pkg:rpm/redhat/python-wheel@0.35.1-4.el8?epoch=1")
                .unwrap()
                .version
                .as_deref(),
            Some("1:0.35.1-4.el8")
        );
        // Not a number, or another type: untouched.
        assert_eq!(
            package_of("pkg:rpm/redhat/wheel@1.0?epoch=x")
                .unwrap()
                .version
                .as_deref(),
            Some("1.0")
        );
        assert_eq!(
            package_of("pkg:deb/debian/curl@7.50?epoch=1")
                .unwrap()
                .version
                .as_deref(),
            Some("7.50")
        );
    }

    #[test]
    fn matches_by_ecosystem_name_and_range() {
        let mut index = Index::new();
        index.add_osv(
            &osv_record(
                "PYSEC-1",
                &["CVE-2024-1"],
                "PyPI",
                "Django_Rest.Framework",
                "0",
                "3.15.2",
            ),
            "pypi",
        );
        index.add_osv(
            &osv_record(
                "GHSA-a",
                &["CVE-2024-1"],
                "PyPI",
                "djangorestframework",
                "0",
                "1.0",
            ),
            "ghsa",
        );
        index.add_osv(
            &osv_record("GO-1", &[], "Go", "github.com/foo/bar", "1.2.0", "1.4.1"),
            "go",
        );
        let matches = index.match_sbom(&sbom(&[
            "pkg:pypi/django-rest-framework@3.15.1",
            "pkg:pypi/django-rest-framework@3.15.2",
            "pkg:golang/github.com/foo/bar@1.3.0",
            "pkg:golang/github.com/foo/bar@1.1.0",
        ]));
        let hits: Vec<_> = matches
            .iter()
            .map(|m| (m.component, index.advisories()[m.advisory].id.as_str()))
            .collect();
        assert_eq!(hits, [(0, "PYSEC-1"), (2, "GO-1")]);
        assert_eq!(matches[0].range, ">=0, <3.15.2");
    }

    #[test]
    fn csaf_products_match_by_purl_and_cpe() {
        let csaf =
            crate::csaf::from_json(include_str!("../tests/fixtures/csaf-sample.json")).unwrap();
        let mut index = Index::new();
        index.add_csaf(&csaf, "sample");
        assert_eq!(index.advisories()[0].id, "CVE-2024-0001");
        let mut components = sbom(&["pkg:npm/widget@1.0.0", "pkg:npm/widget@1.0.1"]).components;
        components.push(Component {
            cpes: vec!["cpe:2.3:o:example:os:9:*:*:*:*:*:*:*".into()],
            ..Component::default()
        });
        let matches = index.match_sbom(&Sbom {
            components,
            ..Sbom::default()
        });
        let hits: Vec<_> = matches
            .iter()
            .map(|m| (m.component, m.matched_by))
            .collect();
        // P-OLD by purl. P-OS is not listed as affected, so the CPE does not match.
        assert_eq!(hits, [(0, "purl")]);
    }

    #[test]
    fn two_cves_of_one_csaf_document_stay_two_vulnerabilities() {
        let mut csaf: serde_json::Value =
            serde_json::from_str(include_str!("../tests/fixtures/csaf-sample.json")).unwrap();
        // The sample's vulnerability also lists the tracking id among its own ids; drop it so
        // only the tracking id could join the two.
        csaf["vulnerabilities"][0]["ids"] = serde_json::json!([]);
        let mut second = csaf["vulnerabilities"][0].clone();
        second["cve"] = "CVE-2024-0002".into();
        csaf["vulnerabilities"].as_array_mut().unwrap().push(second);
        let csaf = crate::csaf::from_json(&csaf.to_string()).unwrap();
        let mut index = Index::new();
        index.add_csaf(&csaf, "sample");
        let advisories = index.advisories();
        assert_eq!(advisories.len(), 2);
        assert!(
            advisories
                .iter()
                .all(|a| a.record == csaf.document.tracking.id)
        );
        assert!(
            advisories
                .iter()
                .all(|a| !a.aliases.contains(&csaf.document.tracking.id))
        );
        assert_eq!(alias_groups(advisories), [0, 1]);
    }

    #[test]
    fn aliases_group_transitively() {
        let info = |id: &str, aliases: &[&str]| AdvisoryInfo {
            id: id.into(),
            aliases: aliases.iter().map(|a| (*a).into()).collect(),
            record: id.into(),
            source: String::new(),
            summary: None,
        };
        let groups = alias_groups(&[
            info("GHSA-1", &["CVE-1"]),
            info("PYSEC-9", &[]),
            info("PYSEC-1", &["GHSA-1"]),
            info("CVE-1", &[]),
            info("RUSTSEC-2", &["CVE-2"]),
        ]);
        assert_eq!(groups, [0, 1, 0, 0, 2]);
    }

    /// The fast path must read every purl exactly as `packageurl` does, or leave it to it.
    #[test]
    fn simple_purl_agrees_with_packageurl_on_examples() {
        for purl in [
            "pkg:npm/%40angular/core@1.0.0",
            "pkg:npm/@Angular/Core@1.0.0",
            "pkg:NPM/Foo@1.0.0?arch=x86#sub/path",
            "pkg:pypi/Django_Rest@3.0",
            "pkg:pypi/ns/django@3.0",
            "pkg:maven/org.apache/Commons-Lang3@3.12.0?type=jar&classifier=sources",
            "pkg:maven/org.apache/commons@1.0?1bad=x",
            "pkg:maven/org.apache/commons@1.0?bad=&1bad=",
            "pkg:golang/GitHub.com/Foo/Bar@v1.2.3",
            "pkg:composer/Laravel/Framework@9.0.0",
            "pkg:composer/framework@9.0.0",
            "pkg:deb/Debian/CURL@7.50.3-1?arch=i386&distro=jessie",
            "pkg:rpm/RedHat/OpenSSL@1.1.1k-5.el8",
            "pkg:apk/Alpine/musl@1.2.3-r0",
            "pkg:github/Package-URL/Purl-Spec@244fd47",
            "pkg:swift/github.com/Alamofire/Alamofire@5.4.3",
            "pkg:swift/Alamofire@5.4.3",
            "pkg:cargo/ns/serde@1.0",
            "pkg:cargo/Serde_Json@1.0.0",
            "pkg:npm/foo@",
            "pkg:npm/foo/",
            "pkg:npm//foo@1",
            "pkg:npm/./foo@1",
            "pkg://npm/foo@1",
            "pkg:1npm/foo@1",
            "pkg:npm@1",
            "pkg:npm/a/b/c@1.0@2.0",
            "pkg:npm/foo@1/2",
            "pkg:unknowntype/foo@1",
            "pkg:generic/openssl@1.1.10g?download_url=https://openssl.org/source/openssl-1.1.0g.tar.gz",
            "pkg:hex/Phoenix@1.0",
            "pkg:gem/Rails@7.0.0",
            "pkg:nuget/Newtonsoft.Json@13.0.1",
            "pkg:pub/Http@0.13.0",
            "pkg:alpine/Musl@1.2",
        ] {
            let fast = simple_purl(purl);
            let reference = full_purl(purl);
            if let Some(fast) = &fast {
                assert_eq!(Some(fast), reference.as_ref(), "{purl}");
            }
            assert_eq!(package_of(purl), reference, "{purl}");
        }
        assert!(simple_purl("pkg:npm/@scope/name@1.0.0").is_some());
        assert!(simple_purl("pkg:maven/g/a@1?type=jar").is_some());
    }

    proptest::proptest! {
        #[test]
        fn simple_purl_agrees_with_packageurl(
            ty in "(pypi|npm|NPM|cargo|golang|maven|gem|nuget|composer|hex|pub|deb|rpm|apk|alpine|github|swift|generic|oci|1x|a b)",
            path in "[a-zA-Z0-9_.@/-]{0,12}",
            version in proptest::option::of("[a-zA-Z0-9._@/+-]{0,6}"),
            qualifiers in proptest::option::of("[a-z0-9_=&.-]{0,10}"),
        ) {
            let mut purl = format!("pkg:{ty}/{path}");
            if let Some(version) = version {
                purl = format!("{purl}@{version}");
            }
            if let Some(qualifiers) = qualifiers {
                purl = format!("{purl}?{qualifiers}");
            }
            let reference = full_purl(&purl);
            if let Some(fast) = simple_purl(&purl) {
                proptest::prop_assert_eq!(Some(fast), reference, "{}", purl);
            }
        }
    }

    #[test]
    fn cpe_fields_split_with_escapes() {
        assert_eq!(
            cpe_fields("cpe:2.3:a:big\\:corp:my_app:2.0:*:*:*:*:*:*:*"),
            Some(("big:corp".into(), "my_app".into(), "2.0".into()))
        );
        assert_eq!(
            cpe_fields("cpe:/a:apache:tomcat:9.0"),
            Some(("apache".into(), "tomcat".into(), "9.0".into()))
        );
        assert_eq!(cpe_fields("nope"), None);
        assert_eq!(
            cpe_fields("cpe:2.3:a:vendor:product:1.*:*:*:*:*:*:*:*"),
            Some(("vendor".into(), "product".into(), "1.*".into()))
        );
        assert_eq!(
            cpe_fields("cpe:2.3:a:Vendor:Product:-:*:*:*:*:*:*:*"),
            Some(("vendor".into(), "product".into(), "-".into()))
        );
        assert_eq!(
            cpe_fields("cpe:/a:big%21corp:app"),
            Some(("big!corp".into(), "app".into(), "*".into()))
        );
        // Vendor ANY or a truncated formatted string: not indexable.
        assert_eq!(cpe_fields("cpe:2.3:a:*:product:1:*:*:*:*:*:*:*"), None);
        assert_eq!(cpe_fields("cpe:2.3:a:vendor:product"), None);
    }

    proptest::proptest! {
        #[test]
        fn groups_are_consistent(edges in proptest::collection::vec((0usize..8, 0usize..8), 0..12)) {
            let advisories: Vec<AdvisoryInfo> = (0..8)
                .map(|i| AdvisoryInfo {
                    id: format!("ID-{i}"),
                    aliases: edges.iter().filter(|(a, _)| *a == i).map(|(_, b)| format!("ID-{b}")).collect(),
                    record: format!("ID-{i}"),
                    source: String::new(),
                    summary: None,
                })
                .collect();
            let groups = alias_groups(&advisories);
            for (a, b) in &edges {
                proptest::prop_assert_eq!(groups[*a], groups[*b]);
            }
        }
    }
}
