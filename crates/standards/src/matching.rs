//! Which advisories affect which components: an index over OSV records and CSAF products, queried
//! for a whole SBOM at once, and alias grouping across sources.
//!
//! Advisories are indexed by (ecosystem, normalized package name) — the ecosystem's own name rules
//! from [`crate::version::Ecosystem::normalize_package_name`] — and, for CSAF products that only
//! carry a CPE, by CPE (vendor, product). Every affected package is compiled once
//! ([`crate::range::CompiledRanges`]), and each SBOM component is parsed once, so matching an SBOM is
//! one hash lookup plus a few comparisons per component.
//!
//! The same vulnerability often arrives from several sources (GHSA, PYSEC, a vendor's CSAF, the CVE).
//! [`alias_groups`] joins them by union-find over each advisory's id and aliases.
//!
//! CPE handling here is a minimal CPE 2.3 formatted-string split (vendor, product, version fields);
//! the full NISTIR 7696 name matching belongs to [`crate::cpe`].

use std::collections::HashMap;
use std::str::FromStr;

use serde::Serialize;

use crate::csaf::{Csaf, VexStatus};
use crate::osv;
use crate::range::{CompiledRanges, Event, Range, RangeType, VersSpec};
use crate::sbom::{Component, Sbom};
use crate::version::{Ecosystem, Version};

/// What the index knows about one advisory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AdvisoryInfo {
    /// The advisory's own id (OSV id, or CSAF tracking id plus CVE).
    pub id: String,
    /// Other ids of the same vulnerability.
    pub aliases: Vec<String>,
    /// Where it came from (file or feed name), for display.
    pub source: String,
    /// One-line summary.
    pub summary: Option<String>,
}

/// How an indexed package decides whether a version is affected.
#[derive(Debug, Clone)]
enum Condition {
    /// OSV ranges and explicit versions.
    Osv(CompiledRanges),
    /// A `vers:` range from a CSAF `product_version_range`.
    Vers(VersSpec),
    /// One exact version (CSAF `product_version`, purl version, CPE version); `None` means any.
    Exact(Option<String>),
}

#[derive(Debug, Clone)]
struct Entry {
    advisory: usize,
    condition: Condition,
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

/// The advisory index.
#[derive(Debug, Default)]
pub struct Index {
    advisories: Vec<AdvisoryInfo>,
    by_package: HashMap<(Ecosystem, String), Vec<Entry>>,
    by_cpe: HashMap<(String, String), Vec<Entry>>,
}

/// The (ecosystem, normalized name) key a package URL is looked up under, plus its version.
pub fn purl_key(purl: &str) -> Option<((Ecosystem, String), Option<String>)> {
    let parsed = packageurl::PackageUrl::from_str(purl).ok()?;
    let ecosystem = Ecosystem::from_purl_type(parsed.ty())?;
    let name = match (parsed.ty(), parsed.namespace()) {
        ("maven", Some(group)) => format!("{group}:{}", parsed.name()),
        ("deb" | "rpm" | "apk", _) | (_, None) => parsed.name().to_owned(),
        (_, Some(namespace)) => format!("{namespace}/{}", parsed.name()),
    };
    let key = (ecosystem.clone(), ecosystem.normalize_package_name(&name));
    Some((key, parsed.version().map(str::to_owned)))
}

/// Vendor, product and version fields of a CPE 2.3 formatted string (or a CPE 2.2 URI).
pub fn cpe_fields(cpe: &str) -> Option<(String, String, String)> {
    let rest = cpe
        .strip_prefix("cpe:2.3:")
        .or_else(|| cpe.strip_prefix("cpe:/"))?;
    let mut fields = Vec::with_capacity(5);
    let mut current = String::new();
    let mut escaped = false;
    for c in rest.chars() {
        if escaped {
            current.push(c);
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == ':' {
            fields.push(std::mem::take(&mut current));
            if fields.len() == 4 {
                break;
            }
        } else {
            current.push(c);
        }
    }
    if fields.len() < 4 {
        fields.push(current);
    }
    let field = |i: usize| {
        fields
            .get(i)
            .map(|f| f.to_ascii_lowercase())
            .unwrap_or_default()
    };
    let (vendor, product) = (field(1), field(2));
    if vendor.is_empty() || product.is_empty() {
        return None;
    }
    Some((vendor, product, field(3)))
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
        self.by_package.values().map(Vec::len).sum::<usize>()
            + self.by_cpe.values().map(Vec::len).sum::<usize>()
    }

    /// Adds an OSV record; withdrawn records are skipped (returns whether it was added).
    pub fn add_osv(&mut self, record: &osv::Record, source: &str) -> bool {
        if record.withdrawn.is_some() {
            return false;
        }
        let advisory = self.advisories.len();
        self.advisories.push(AdvisoryInfo {
            id: record.id.clone(),
            aliases: record.aliases.clone(),
            source: source.to_owned(),
            summary: record.summary.clone(),
        });
        for affected in &record.affected {
            let Some(package) = &affected.package else {
                continue;
            };
            let ecosystem = Ecosystem::from_osv_name(&package.ecosystem);
            let ranges: Vec<Range> = affected.ranges.iter().filter_map(to_range).collect();
            let description = affected
                .ranges
                .iter()
                .map(|range| describe_osv_range(range, &affected.versions))
                .filter(|text| !text.is_empty())
                .collect::<Vec<_>>()
                .join("; ");
            let description = if description.is_empty() {
                format!("{} listed versions", affected.versions.len())
            } else {
                description
            };
            let condition = Condition::Osv(CompiledRanges::compile(
                &ecosystem,
                &ranges,
                &affected.versions,
            ));
            let key = (
                ecosystem.clone(),
                ecosystem.normalize_package_name(&package.name),
            );
            self.by_package.entry(key).or_default().push(Entry {
                advisory,
                condition,
                range: description,
            });
        }
        true
    }

    /// Adds every vulnerability of a CSAF document, one advisory each, indexing the products it
    /// lists as affected (by purl when present, else by CPE).
    pub fn add_csaf(&mut self, csaf: &Csaf, source: &str) {
        let products: HashMap<String, crate::csaf::Product> = csaf
            .products()
            .into_iter()
            .map(|product| (product.product_id.clone(), product))
            .collect();
        for vulnerability in &csaf.vulnerabilities {
            let Some(status) = &vulnerability.product_status else {
                continue;
            };
            let affected: Vec<&str> = status
                .statuses()
                .filter(|(_, state)| *state == VexStatus::Affected)
                .map(|(id, _)| id)
                .collect();
            if affected.is_empty() {
                continue;
            }
            let mut ids = vulnerability.all_ids().map(str::to_owned);
            let id = ids
                .next()
                .unwrap_or_else(|| csaf.document.tracking.id.clone());
            let mut aliases: Vec<String> = ids.collect();
            if !csaf.document.tracking.id.is_empty() && csaf.document.tracking.id != id {
                aliases.push(csaf.document.tracking.id.clone());
            }
            let advisory = self.advisories.len();
            self.advisories.push(AdvisoryInfo {
                id,
                aliases,
                source: source.to_owned(),
                summary: vulnerability
                    .title
                    .clone()
                    .or_else(|| Some(csaf.document.title.clone())),
            });
            for product in affected.into_iter().filter_map(|id| products.get(id)) {
                self.add_csaf_product(advisory, product);
            }
        }
    }

    fn add_csaf_product(&mut self, advisory: usize, product: &crate::csaf::Product) {
        let vers = product
            .version_range
            .as_deref()
            .and_then(|range| VersSpec::parse(range).ok());
        if let Some((key, purl_version)) = product.purl.as_deref().and_then(purl_key) {
            let (condition, range) = match (&vers, purl_version.or_else(|| product.version.clone()))
            {
                (Some(spec), _) => (Condition::Vers(spec.clone()), spec.to_string()),
                (None, Some(version)) => (
                    Condition::Exact(Some(version.clone())),
                    format!("={version}"),
                ),
                (None, None) => (Condition::Exact(None), "any version".to_owned()),
            };
            self.by_package.entry(key).or_default().push(Entry {
                advisory,
                condition,
                range,
            });
        } else if let Some((vendor, name, version)) = product.cpe.as_deref().and_then(cpe_fields) {
            let exact = match version.as_str() {
                "*" | "-" | "" => product.version.clone(),
                _ => Some(version),
            };
            let (condition, range) = match (&vers, exact) {
                (Some(spec), _) => (Condition::Vers(spec.clone()), spec.to_string()),
                (None, Some(version)) => (
                    Condition::Exact(Some(version.clone())),
                    format!("={version}"),
                ),
                (None, None) => (Condition::Exact(None), "any version".to_owned()),
            };
            self.by_cpe.entry((vendor, name)).or_default().push(Entry {
                advisory,
                condition,
                range,
            });
        }
    }

    /// Matches one component; `index` is its position, copied into each [`Match`].
    pub fn match_component(&self, index: usize, component: &Component, out: &mut Vec<Match>) {
        if let Some(((ecosystem, name), purl_version)) =
            component.purl.as_deref().and_then(purl_key)
        {
            let version_text = purl_version.or_else(|| component.version.clone());
            if let (Some(entries), Some(version_text)) = (
                self.by_package.get(&(ecosystem.clone(), name)),
                version_text,
            ) {
                let parsed = ecosystem.parse(&version_text).ok();
                for entry in entries {
                    if affects(&entry.condition, parsed.as_ref(), &version_text) {
                        out.push(Match {
                            component: index,
                            advisory: entry.advisory,
                            range: entry.range.clone(),
                            matched_by: "purl",
                        });
                    }
                }
            }
        }
        for cpe in &component.cpes {
            let Some((vendor, product, cpe_version)) = cpe_fields(cpe) else {
                continue;
            };
            let Some(entries) = self.by_cpe.get(&(vendor, product)) else {
                continue;
            };
            let version_text = match cpe_version.as_str() {
                "*" | "-" | "" => component.version.clone().unwrap_or_default(),
                _ => cpe_version,
            };
            let parsed = Ecosystem::Generic.parse(&version_text).ok();
            for entry in entries {
                if affects(&entry.condition, parsed.as_ref(), &version_text) {
                    out.push(Match {
                        component: index,
                        advisory: entry.advisory,
                        range: entry.range.clone(),
                        matched_by: "cpe",
                    });
                }
            }
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

fn affects(condition: &Condition, parsed: Option<&Version>, text: &str) -> bool {
    match condition {
        Condition::Osv(ranges) => match parsed {
            Some(version) => ranges.affects(version).is_affected(),
            None => false,
        },
        Condition::Vers(spec) => spec.contains(text).unwrap_or(false),
        Condition::Exact(None) => true,
        Condition::Exact(Some(version)) => version.eq_ignore_ascii_case(text),
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
    fn aliases_group_transitively() {
        let info = |id: &str, aliases: &[&str]| AdvisoryInfo {
            id: id.into(),
            aliases: aliases.iter().map(|a| (*a).into()).collect(),
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
    }

    proptest::proptest! {
        #[test]
        fn groups_are_consistent(edges in proptest::collection::vec((0usize..8, 0usize..8), 0..12)) {
            let advisories: Vec<AdvisoryInfo> = (0..8)
                .map(|i| AdvisoryInfo {
                    id: format!("ID-{i}"),
                    aliases: edges.iter().filter(|(a, _)| *a == i).map(|(_, b)| format!("ID-{b}")).collect(),
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
