//! CSAF 2.0 mandatory tests (section 6.1): the rules a document must pass beyond its JSON schema.
//!
//! All of 6.1.1–6.1.33 are implemented, including every profile test 6.1.27.1–6.1.27.11.
//! [`IMPLEMENTED`] lists what [`run`] covers so callers and tests can tell "passed" from "not
//! checked". Every problem carries the JSON path of the offending value.
//!
//! The tests are grouped: product ids, groups, scores, purls, revisions and the simple profile
//! tests here; the version and revision-history tests in `versioning`; the registered
//! vocabularies (CWE, language tags, categories, version names) in `vocabulary`; the VEX
//! statement and flag tests in `profiles`.

mod profiles;
mod versioning;
mod vocabulary;

use std::collections::{HashMap, HashSet};
use std::str::FromStr;

use serde_json::Value;

use super::{Branch, Csaf};
use crate::schema::{self, Problem};

/// Test numbers [`run`] checks.
pub const IMPLEMENTED: &[&str] = &[
    "6.1.1",
    "6.1.2",
    "6.1.3",
    "6.1.4",
    "6.1.5",
    "6.1.6",
    "6.1.7",
    "6.1.8",
    "6.1.9",
    "6.1.10",
    "6.1.11",
    "6.1.12",
    "6.1.13",
    "6.1.14",
    "6.1.15",
    "6.1.16",
    "6.1.17",
    "6.1.18",
    "6.1.19",
    "6.1.20",
    "6.1.21",
    "6.1.22",
    "6.1.23",
    "6.1.24",
    "6.1.25",
    "6.1.26",
    "6.1.27.1",
    "6.1.27.2",
    "6.1.27.3",
    "6.1.27.4",
    "6.1.27.5",
    "6.1.27.6",
    "6.1.27.7",
    "6.1.27.8",
    "6.1.27.9",
    "6.1.27.10",
    "6.1.27.11",
    "6.1.28",
    "6.1.29",
    "6.1.30",
    "6.1.31",
    "6.1.32",
    "6.1.33",
];

/// Runs every implemented mandatory test; an empty list means the document passed them all.
pub fn run(csaf: &Csaf) -> Vec<Problem> {
    let mut out = Problems(Vec::new());
    let definitions = product_definitions(csaf);
    missing_and_circular_product_ids(csaf, &definitions, &mut out);
    multiple_product_definitions(&definitions, &mut out);
    product_groups(csaf, &mut out);
    contradicting_status(csaf, &mut out);
    scores(csaf, &mut out);
    purls(&definitions, &mut out);
    revisions(csaf, &mut out);
    cves_and_involvements(csaf, &mut out);
    hashes(csaf, &mut out);
    simple_profiles(csaf, &mut out);
    versioning::check(csaf, &mut out);
    vocabulary::check(csaf, &mut out);
    profiles::check(csaf, &mut out);
    out.0
}

struct Problems(Vec<Problem>);

impl Problems {
    fn push(&mut self, rule: &str, path: String, message: String) {
        self.0.push(Problem {
            path,
            message,
            rule: rule.to_owned(),
        });
    }
}

/// A product definition with its JSON path.
struct Definition<'a> {
    id: &'a str,
    path: String,
    purl: Option<&'a str>,
}

fn product_definitions(csaf: &Csaf) -> Vec<Definition<'_>> {
    let mut out = Vec::new();
    let Some(tree) = &csaf.product_tree else {
        return out;
    };
    fn walk<'a>(branches: &'a [Branch], path: &str, out: &mut Vec<Definition<'a>>) {
        for (index, branch) in branches.iter().enumerate() {
            let here = format!("{path}[{index}]");
            if let Some(product) = &branch.product {
                out.push(Definition {
                    id: &product.product_id,
                    path: format!("{here}.product.product_id"),
                    purl: product
                        .product_identification_helper
                        .as_ref()
                        .and_then(|h| h.purl.as_deref()),
                });
            }
            walk(&branch.branches, &format!("{here}.branches"), out);
        }
    }
    walk(&tree.branches, "$.product_tree.branches", &mut out);
    for (index, full) in tree.full_product_names.iter().enumerate() {
        out.push(Definition {
            id: &full.product_id,
            path: format!("$.product_tree.full_product_names[{index}].product_id"),
            purl: full
                .product_identification_helper
                .as_ref()
                .and_then(|h| h.purl.as_deref()),
        });
    }
    for (index, relationship) in tree.relationships.iter().enumerate() {
        let full = &relationship.full_product_name;
        out.push(Definition {
            id: &full.product_id,
            path: format!("$.product_tree.relationships[{index}].full_product_name.product_id"),
            purl: full
                .product_identification_helper
                .as_ref()
                .and_then(|h| h.purl.as_deref()),
        });
    }
    out
}

/// Every place a product id is referenced, with its path.
fn product_references(csaf: &Csaf) -> Vec<(&str, String)> {
    fn add<'a>(ids: &'a [String], path: String, out: &mut Vec<(&'a str, String)>) {
        for (index, id) in ids.iter().enumerate() {
            out.push((id.as_str(), format!("{path}[{index}]")));
        }
    }
    let mut out = Vec::new();
    if let Some(tree) = &csaf.product_tree {
        for (index, group) in tree.product_groups.iter().enumerate() {
            add(
                &group.product_ids,
                format!("$.product_tree.product_groups[{index}].product_ids"),
                &mut out,
            );
        }
        for (index, relationship) in tree.relationships.iter().enumerate() {
            let path = format!("$.product_tree.relationships[{index}]");
            out.push((
                &relationship.product_reference,
                format!("{path}.product_reference"),
            ));
            out.push((
                &relationship.relates_to_product_reference,
                format!("{path}.relates_to_product_reference"),
            ));
        }
    }
    for (v, vulnerability) in csaf.vulnerabilities.iter().enumerate() {
        let path = format!("$.vulnerabilities[{v}]");
        if let Some(status) = &vulnerability.product_status {
            for (name, _, ids) in status.lists() {
                add(ids, format!("{path}.product_status.{name}"), &mut out);
            }
        }
        for (index, remediation) in vulnerability.remediations.iter().enumerate() {
            add(
                &remediation.product_ids,
                format!("{path}.remediations[{index}].product_ids"),
                &mut out,
            );
        }
        for (index, threat) in vulnerability.threats.iter().enumerate() {
            add(
                &threat.product_ids,
                format!("{path}.threats[{index}].product_ids"),
                &mut out,
            );
        }
        for (index, score) in vulnerability.scores.iter().enumerate() {
            add(
                &score.products,
                format!("{path}.scores[{index}].products"),
                &mut out,
            );
        }
        for (index, flag) in vulnerability.flags.iter().enumerate() {
            add(
                &flag.product_ids,
                format!("{path}.flags[{index}].product_ids"),
                &mut out,
            );
        }
    }
    out
}

/// 6.1.1 every referenced product id is defined; 6.1.3 no relationship refers to itself.
fn missing_and_circular_product_ids(
    csaf: &Csaf,
    definitions: &[Definition<'_>],
    out: &mut Problems,
) {
    let defined: HashSet<&str> = definitions.iter().map(|d| d.id).collect();
    for (id, path) in product_references(csaf) {
        if !defined.contains(id) {
            out.push(
                "6.1.1",
                path,
                format!("product id {id} is not defined in the product tree"),
            );
        }
    }
    let Some(tree) = &csaf.product_tree else {
        return;
    };
    for (index, relationship) in tree.relationships.iter().enumerate() {
        let own = relationship.full_product_name.product_id.as_str();
        for (field, reference) in [
            ("product_reference", &relationship.product_reference),
            (
                "relates_to_product_reference",
                &relationship.relates_to_product_reference,
            ),
        ] {
            if reference == own {
                out.push(
                    "6.1.3",
                    format!("$.product_tree.relationships[{index}].{field}"),
                    format!("product id {own} is defined by a relationship that refers to itself"),
                );
            }
        }
    }
}

/// 6.1.2 no product id is defined twice.
fn multiple_product_definitions(definitions: &[Definition<'_>], out: &mut Problems) {
    let mut seen = HashSet::new();
    for definition in definitions {
        if !seen.insert(definition.id) {
            out.push(
                "6.1.2",
                definition.path.clone(),
                format!("product id {} is defined more than once", definition.id),
            );
        }
    }
}

/// 6.1.4 referenced group ids are defined; 6.1.5 no group id is defined twice.
fn product_groups(csaf: &Csaf, out: &mut Problems) {
    let groups = csaf
        .product_tree
        .as_ref()
        .map_or(&[][..], |tree| tree.product_groups.as_slice());
    let mut defined = HashSet::new();
    for (index, group) in groups.iter().enumerate() {
        if !defined.insert(group.group_id.as_str()) {
            out.push(
                "6.1.5",
                format!("$.product_tree.product_groups[{index}].group_id"),
                format!("group id {} is defined more than once", group.group_id),
            );
        }
    }
    for (v, vulnerability) in csaf.vulnerabilities.iter().enumerate() {
        let lists = vulnerability
            .remediations
            .iter()
            .enumerate()
            .map(|(i, r)| (format!("remediations[{i}]"), &r.group_ids))
            .chain(
                vulnerability
                    .threats
                    .iter()
                    .enumerate()
                    .map(|(i, t)| (format!("threats[{i}]"), &t.group_ids)),
            )
            .chain(
                vulnerability
                    .flags
                    .iter()
                    .enumerate()
                    .map(|(i, f)| (format!("flags[{i}]"), &f.group_ids)),
            );
        for (place, ids) in lists {
            for (index, id) in ids.iter().enumerate() {
                if !defined.contains(id.as_str()) {
                    out.push(
                        "6.1.4",
                        format!("$.vulnerabilities[{v}].{place}.group_ids[{index}]"),
                        format!("group id {id} is not defined"),
                    );
                }
            }
        }
    }
}

/// 6.1.6 a product is in at most one of affected / not affected / fixed / under investigation.
fn contradicting_status(csaf: &Csaf, out: &mut Problems) {
    for (v, vulnerability) in csaf.vulnerabilities.iter().enumerate() {
        let Some(status) = &vulnerability.product_status else {
            continue;
        };
        let mut first_state = HashMap::new();
        for (name, state, ids) in status.lists() {
            let Some(state) = state else { continue };
            for (index, id) in ids.iter().enumerate() {
                let earlier = *first_state.entry(id.as_str()).or_insert(state);
                if earlier != state {
                    out.push(
                        "6.1.6",
                        format!("$.vulnerabilities[{v}].product_status.{name}[{index}]"),
                        format!("product {id} is both {earlier:?} and {state:?}"),
                    );
                }
            }
        }
    }
}

/// 6.1.7 one score per CVSS version per product; 6.1.8 valid against FIRST's CVSS schemas;
/// 6.1.9 the stated base score matches the vector; 6.1.10 the metric properties match the vector.
fn scores(csaf: &Csaf, out: &mut Problems) {
    for (v, vulnerability) in csaf.vulnerabilities.iter().enumerate() {
        let mut seen = HashSet::new();
        for (s, score) in vulnerability.scores.iter().enumerate() {
            let path = format!("$.vulnerabilities[{v}].scores[{s}]");
            for (field, cvss) in [("cvss_v2", &score.cvss_v2), ("cvss_v3", &score.cvss_v3)] {
                let Some(cvss) = cvss else { continue };
                let version = cvss.get("version").and_then(Value::as_str).unwrap_or("");
                for (p, product) in score.products.iter().enumerate() {
                    if !seen.insert((product.as_str(), version)) {
                        out.push(
                            "6.1.7",
                            format!("{path}.products[{p}]"),
                            format!("product {product} has more than one CVSS {version} score"),
                        );
                    }
                }
                let schema_file = match (field, version) {
                    ("cvss_v2", _) => "cvss-v2.0.json",
                    (_, "3.0") => "cvss-v3.0.json",
                    _ => "cvss-v3.1.json",
                };
                for problem in schema::validate_referenced(schema_file, cvss) {
                    let inner = problem.path.trim_start_matches('$');
                    out.push("6.1.8", format!("{path}.{field}{inner}"), problem.message);
                }
                check_cvss_computation(field, cvss, &format!("{path}.{field}"), out);
            }
        }
    }
}

/// A CVSS JSON property, its vector abbreviation, and (abbreviated value, JSON value) pairs.
type MetricMapping = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

fn check_cvss_computation(field: &str, cvss: &Value, path: &str, out: &mut Problems) {
    let Some(vector) = cvss.get("vectorString").and_then(Value::as_str) else {
        return;
    };
    let computed = if field == "cvss_v3" {
        cvss::v3::Vector::from_str(vector)
            .ok()
            .map(|parsed| parsed.base_score().value())
    } else {
        cvss::v2::Vector::from_str(vector)
            .ok()
            .map(|parsed| parsed.score().value())
    };
    if let (Some(computed), Some(stated)) =
        (computed, cvss.get("baseScore").and_then(Value::as_f64))
        && (computed - stated).abs() > 0.05
    {
        out.push(
            "6.1.9",
            format!("{path}.baseScore"),
            format!("base score {stated} but the vector computes {computed}"),
        );
    }
    if let (Some(computed), Some(stated)) =
        (computed, cvss.get("baseSeverity").and_then(Value::as_str))
    {
        let expected = match computed {
            0.0 => "NONE",
            s if s < 4.0 => "LOW",
            s if s < 7.0 => "MEDIUM",
            s if s < 9.0 => "HIGH",
            _ => "CRITICAL",
        };
        if field == "cvss_v3" && stated != expected {
            out.push(
                "6.1.9",
                format!("{path}.baseSeverity"),
                format!("base severity {stated} but the score {computed} is {expected}"),
            );
        }
    }
    let metrics: &[MetricMapping] = if field == "cvss_v3" {
        &[
            (
                "attackVector",
                "AV",
                &[
                    ("N", "NETWORK"),
                    ("A", "ADJACENT_NETWORK"),
                    ("L", "LOCAL"),
                    ("P", "PHYSICAL"),
                ],
            ),
            ("attackComplexity", "AC", &[("L", "LOW"), ("H", "HIGH")]),
            (
                "privilegesRequired",
                "PR",
                &[("N", "NONE"), ("L", "LOW"), ("H", "HIGH")],
            ),
            ("userInteraction", "UI", &[("N", "NONE"), ("R", "REQUIRED")]),
            ("scope", "S", &[("U", "UNCHANGED"), ("C", "CHANGED")]),
            (
                "confidentialityImpact",
                "C",
                &[("N", "NONE"), ("L", "LOW"), ("H", "HIGH")],
            ),
            (
                "integrityImpact",
                "I",
                &[("N", "NONE"), ("L", "LOW"), ("H", "HIGH")],
            ),
            (
                "availabilityImpact",
                "A",
                &[("N", "NONE"), ("L", "LOW"), ("H", "HIGH")],
            ),
        ]
    } else {
        &[
            (
                "accessVector",
                "AV",
                &[("N", "NETWORK"), ("A", "ADJACENT_NETWORK"), ("L", "LOCAL")],
            ),
            (
                "accessComplexity",
                "AC",
                &[("L", "LOW"), ("M", "MEDIUM"), ("H", "HIGH")],
            ),
            (
                "authentication",
                "Au",
                &[("N", "NONE"), ("S", "SINGLE"), ("M", "MULTIPLE")],
            ),
            (
                "confidentialityImpact",
                "C",
                &[("N", "NONE"), ("P", "PARTIAL"), ("C", "COMPLETE")],
            ),
            (
                "integrityImpact",
                "I",
                &[("N", "NONE"), ("P", "PARTIAL"), ("C", "COMPLETE")],
            ),
            (
                "availabilityImpact",
                "A",
                &[("N", "NONE"), ("P", "PARTIAL"), ("C", "COMPLETE")],
            ),
        ]
    };
    let in_vector: HashMap<&str, &str> = vector
        .split('/')
        .filter_map(|part| part.split_once(':'))
        .collect();
    for (property, key, values) in metrics {
        let (Some(stated), Some(short)) = (
            cvss.get(*property).and_then(Value::as_str),
            in_vector.get(key),
        ) else {
            continue;
        };
        let expected = values
            .iter()
            .find(|(abbreviation, _)| abbreviation == short)
            .map(|(_, long)| *long);
        if expected.is_some_and(|expected| expected != stated) {
            out.push(
                "6.1.10",
                format!("{path}.{property}"),
                format!("{property} is {stated} but the vector says {key}:{short}"),
            );
        }
    }
    if field == "cvss_v3" {
        let stated = cvss.get("version").and_then(Value::as_str).unwrap_or("");
        if !vector.starts_with(&format!("CVSS:{stated}/")) {
            out.push(
                "6.1.10",
                format!("{path}.version"),
                format!("version {stated} does not match the vector prefix"),
            );
        }
    }
}

/// 6.1.13 every purl parses.
fn purls(definitions: &[Definition<'_>], out: &mut Problems) {
    for definition in definitions {
        if let Some(purl) = definition.purl
            && packageurl::PackageUrl::from_str(purl).is_err()
        {
            let path = definition
                .path
                .replace(".product_id", ".product_identification_helper.purl");
            out.push("6.1.13", path, format!("{purl} is not a valid package URL"));
        }
    }
}

fn is_integer_version(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

/// Major, minor, patch of a semantic version, ignoring pre-release and build parts.
fn version_key(text: &str) -> Option<Vec<u64>> {
    let core = text.split(['-', '+']).next()?;
    core.split('.').map(|part| part.parse().ok()).collect()
}

/// 6.1.16 the document version is the latest revision; 6.1.21 integer revisions have no gaps;
/// 6.1.22 no revision number appears twice.
fn revisions(csaf: &Csaf, out: &mut Problems) {
    let tracking = &csaf.document.tracking;
    let history = &tracking.revision_history;
    let mut seen = HashSet::new();
    for (index, revision) in history.iter().enumerate() {
        if !seen.insert(revision.number.as_str()) {
            out.push(
                "6.1.22",
                format!("$.document.tracking.revision_history[{index}].number"),
                format!("revision {} appears more than once", revision.number),
            );
        }
    }
    let latest = history
        .iter()
        .filter_map(|r| version_key(&r.number).map(|key| (key, r)))
        .max_by(|a, b| a.0.cmp(&b.0));
    if let (Some((latest_key, latest)), Some(document_key)) =
        (latest, version_key(&tracking.version))
    {
        let draft = tracking.status == "draft";
        // A draft may carry a pre-release of the next version; only final/interim must match exactly.
        if !draft && latest_key != document_key {
            out.push(
                "6.1.16",
                "$.document.tracking.version".to_owned(),
                format!(
                    "version {} is not the latest revision {}",
                    tracking.version, latest.number
                ),
            );
        }
    }
    if history.iter().all(|r| is_integer_version(&r.number)) && !history.is_empty() {
        let mut numbers: Vec<u64> = history
            .iter()
            .filter_map(|r| r.number.parse().ok())
            .collect();
        numbers.sort_unstable();
        numbers.dedup();
        let start = numbers[0];
        for (offset, number) in numbers.iter().enumerate() {
            if *number != start + offset as u64 {
                out.push(
                    "6.1.21",
                    "$.document.tracking.revision_history".to_owned(),
                    format!("revision {} is missing", start + offset as u64),
                );
                break;
            }
        }
        if start > 1 {
            out.push(
                "6.1.21",
                "$.document.tracking.revision_history".to_owned(),
                "revision 1 is missing".to_owned(),
            );
        }
    }
}

/// 6.1.23 a CVE is used by one vulnerability only; 6.1.24 no duplicate (party, date) involvement.
fn cves_and_involvements(csaf: &Csaf, out: &mut Problems) {
    let mut cves = HashSet::new();
    for (v, vulnerability) in csaf.vulnerabilities.iter().enumerate() {
        if let Some(cve) = &vulnerability.cve
            && !cves.insert(cve.as_str())
        {
            out.push(
                "6.1.23",
                format!("$.vulnerabilities[{v}].cve"),
                format!("{cve} is used by more than one vulnerability"),
            );
        }
        let involvements = vulnerability
            .rest
            .get("involvements")
            .and_then(Value::as_array);
        let mut seen = HashSet::new();
        for (index, involvement) in involvements.into_iter().flatten().enumerate() {
            let key = (
                involvement
                    .get("party")
                    .and_then(Value::as_str)
                    .unwrap_or(""),
                involvement
                    .get("date")
                    .and_then(Value::as_str)
                    .unwrap_or(""),
            );
            if !seen.insert(key) {
                out.push(
                    "6.1.24",
                    format!("$.vulnerabilities[{v}].involvements[{index}]"),
                    format!(
                        "involvement of {} on {} appears more than once",
                        key.0, key.1
                    ),
                );
            }
        }
    }
}

/// 6.1.25 one hash per algorithm per file.
fn hashes(csaf: &Csaf, out: &mut Problems) {
    let Ok(tree) = serde_json::to_value(&csaf.product_tree) else {
        return;
    };
    fn walk(value: &Value, path: &str, out: &mut Problems) {
        match value {
            Value::Object(map) => {
                if let Some(file_hashes) = map.get("file_hashes").and_then(Value::as_array) {
                    let mut seen = HashSet::new();
                    for (index, hash) in file_hashes.iter().enumerate() {
                        let algorithm = hash.get("algorithm").and_then(Value::as_str).unwrap_or("");
                        if !seen.insert(algorithm) {
                            out.push(
                                "6.1.25",
                                format!("{path}.file_hashes[{index}]"),
                                format!("hash algorithm {algorithm} is used twice"),
                            );
                        }
                    }
                }
                for (key, child) in map {
                    walk(child, &format!("{path}.{key}"), out);
                }
            }
            Value::Array(items) => {
                for (index, child) in items.iter().enumerate() {
                    walk(child, &format!("{path}[{index}]"), out);
                }
            }
            _ => {}
        }
    }
    walk(&tree, "$.product_tree", out);
}

/// Profile tests (6.1.27.x), 6.1.28 (translation), 6.1.29 and 6.1.32 (dangling remediation/flag).
fn simple_profiles(csaf: &Csaf, out: &mut Problems) {
    let document = &csaf.document;
    let category = document.category.as_str();
    if category == "csaf_informational_advisory" && !csaf.vulnerabilities.is_empty() {
        out.push(
            "6.1.27.3",
            "$.vulnerabilities".to_owned(),
            "an informational advisory has no vulnerabilities".to_owned(),
        );
    }
    if matches!(category, "csaf_security_advisory" | "csaf_vex") && csaf.product_tree.is_none() {
        out.push(
            "6.1.27.4",
            "$".to_owned(),
            format!("a {category} document needs a product tree"),
        );
    }
    for (v, vulnerability) in csaf.vulnerabilities.iter().enumerate() {
        let path = format!("$.vulnerabilities[{v}]");
        if category == "csaf_security_advisory" && vulnerability.product_status.is_none() {
            out.push(
                "6.1.27.6",
                path.clone(),
                "a security advisory states the product status of each vulnerability".to_owned(),
            );
        }
        if category == "csaf_vex" && vulnerability.cve.is_none() && vulnerability.ids.is_empty() {
            out.push(
                "6.1.27.8",
                path.clone(),
                "a VEX vulnerability needs a cve or ids".to_owned(),
            );
        }
        for (index, remediation) in vulnerability.remediations.iter().enumerate() {
            if remediation.product_ids.is_empty() && remediation.group_ids.is_empty() {
                out.push(
                    "6.1.29",
                    format!("{path}.remediations[{index}]"),
                    "remediation names no product or group".to_owned(),
                );
            }
        }
        for (index, flag) in vulnerability.flags.iter().enumerate() {
            if flag.product_ids.is_empty() && flag.group_ids.is_empty() {
                out.push(
                    "6.1.32",
                    format!("{path}.flags[{index}]"),
                    "flag names no product or group".to_owned(),
                );
            }
        }
    }
    if let (Some(lang), Some(source)) = (&document.lang, &document.source_lang)
        && lang.eq_ignore_ascii_case(source)
    {
        out.push(
            "6.1.28",
            "$.document.lang".to_owned(),
            format!("a translation has the same language {lang} as its source"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::csaf::from_json;

    fn rules(problems: &[Problem]) -> Vec<&str> {
        problems.iter().map(|p| p.rule.as_str()).collect()
    }

    #[test]
    fn sample_passes_every_implemented_test() {
        let csaf = from_json(crate::csaf::tests::SAMPLE).unwrap();
        assert_eq!(run(&csaf), []);
    }

    #[test]
    fn dangling_and_duplicate_ids_are_reported_with_paths() {
        let mut csaf = from_json(crate::csaf::tests::SAMPLE).unwrap();
        let vulnerability = &mut csaf.vulnerabilities[0];
        vulnerability
            .product_status
            .as_mut()
            .unwrap()
            .fixed
            .push("P-NOWHERE".into());
        vulnerability
            .product_status
            .as_mut()
            .unwrap()
            .fixed
            .push("P-OLD".into());
        let tree = csaf.product_tree.as_mut().unwrap();
        tree.full_product_names
            .push(tree.full_product_names[0].clone());
        let problems = run(&csaf);
        assert_eq!(
            rules(&problems),
            ["6.1.1", "6.1.2", "6.1.6"],
            "{problems:?}"
        );
        assert_eq!(
            problems[0].path,
            "$.vulnerabilities[0].product_status.fixed[0]"
        );
        assert_eq!(
            problems[1].path,
            "$.product_tree.full_product_names[1].product_id"
        );
    }

    #[test]
    fn wrong_base_score_and_inconsistent_metric() {
        let mut csaf = from_json(crate::csaf::tests::SAMPLE).unwrap();
        let cvss = csaf.vulnerabilities[0].scores[0].cvss_v3.as_mut().unwrap();
        cvss["baseScore"] = serde_json::json!(5.0);
        cvss["attackVector"] = serde_json::json!("LOCAL");
        let problems = run(&csaf);
        assert!(rules(&problems).contains(&"6.1.9"), "{problems:?}");
        assert!(
            problems
                .iter()
                .any(|p| p.rule == "6.1.10" && p.path.ends_with("cvss_v3.attackVector")),
            "{problems:?}"
        );
    }
}
