//! Profile tests that need more than one field (6.1.27.1, .2, .5, .7, .9, .10, .11) and the VEX
//! flag test 6.1.33.
//!
//! Where a test asks whether a statement "covers" a product, a statement names the product either
//! directly (`product_ids`) or through a product group (`group_ids`, resolved with
//! `/product_tree/product_groups`).

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use super::Problems;
use crate::csaf::Csaf;

const INCIDENT_RESPONSE: &str = "csaf_security_incident_response";
const INFORMATIONAL: &str = "csaf_informational_advisory";
const SECURITY_ADVISORY: &str = "csaf_security_advisory";
const VEX: &str = "csaf_vex";

/// Note categories that describe the document (6.1.27.1).
const DESCRIBING_NOTES: [&str; 4] = ["description", "details", "general", "summary"];

/// Product ids named directly or through groups.
fn covered<'a>(
    product_ids: &'a [String],
    group_ids: &'a [String],
    groups: &HashMap<&'a str, &'a [String]>,
) -> impl Iterator<Item = &'a str> {
    product_ids.iter().map(String::as_str).chain(
        group_ids
            .iter()
            .filter_map(|group| groups.get(group.as_str()))
            .flat_map(|ids| ids.iter().map(String::as_str)),
    )
}

/// Runs 6.1.27.1, 6.1.27.2, 6.1.27.5, 6.1.27.7, 6.1.27.9, 6.1.27.10, 6.1.27.11 and 6.1.33.
pub(super) fn check(csaf: &Csaf, out: &mut Problems) {
    let document = &csaf.document;
    let category = document.category.as_str();
    if matches!(category, INCIDENT_RESPONSE | INFORMATIONAL) {
        let describes = document.notes.iter().any(|note| {
            note.get("category")
                .and_then(Value::as_str)
                .is_some_and(|c| DESCRIBING_NOTES.contains(&c))
        });
        if !describes {
            out.push(
                "6.1.27.1",
                "$.document.notes".to_owned(),
                format!(
                    "a {category} document needs a note of category description, details, \
                     general or summary"
                ),
            );
        }
        // `category` defaults to `external` in the schema.
        let external = document
            .references
            .iter()
            .any(|reference| reference.category.as_deref().unwrap_or("external") == "external");
        if !external {
            out.push(
                "6.1.27.2",
                "$.document.references".to_owned(),
                format!("a {category} document needs a reference of category external"),
            );
        }
    }
    if matches!(category, SECURITY_ADVISORY | VEX) && csaf.vulnerabilities.is_empty() {
        out.push(
            "6.1.27.11",
            "$.vulnerabilities".to_owned(),
            format!("a {category} document needs vulnerabilities"),
        );
    }
    let groups: HashMap<&str, &[String]> = csaf
        .product_tree
        .iter()
        .flat_map(|tree| &tree.product_groups)
        .map(|group| (group.group_id.as_str(), group.product_ids.as_slice()))
        .collect();
    for (v, vulnerability) in csaf.vulnerabilities.iter().enumerate() {
        let path = format!("$.vulnerabilities[{v}]");
        if matches!(category, SECURITY_ADVISORY | VEX) {
            let has_notes = vulnerability
                .rest
                .get("notes")
                .and_then(Value::as_array)
                .is_some_and(|notes| !notes.is_empty());
            if !has_notes {
                out.push(
                    "6.1.27.5",
                    format!("{path}.notes"),
                    format!("a {category} document needs notes on each vulnerability"),
                );
            }
        }
        if category == VEX {
            vex_statements(vulnerability, &path, &groups, out);
        }
        flags_per_product(vulnerability, &path, &groups, out);
    }
}

/// 6.1.27.7, 6.1.27.9 and 6.1.27.10 for one vulnerability of a VEX document.
fn vex_statements(
    vulnerability: &crate::csaf::Vulnerability,
    path: &str,
    groups: &HashMap<&str, &[String]>,
    out: &mut Problems,
) {
    let status = vulnerability.product_status.as_ref();
    let has_vex_status = status.is_some_and(|s| {
        !(s.fixed.is_empty()
            && s.known_affected.is_empty()
            && s.known_not_affected.is_empty()
            && s.under_investigation.is_empty())
    });
    if !has_vex_status {
        out.push(
            "6.1.27.7",
            format!("{path}.product_status"),
            "a VEX vulnerability lists products as fixed, known_affected, known_not_affected \
             or under_investigation"
                .to_owned(),
        );
    }
    let Some(status) = status else { return };
    // 6.1.27.9: every known_not_affected product has an impact statement (a flag, or a threat of
    // category impact).
    let mut justified: HashSet<&str> = HashSet::new();
    for flag in &vulnerability.flags {
        justified.extend(covered(&flag.product_ids, &flag.group_ids, groups));
    }
    for threat in vulnerability
        .threats
        .iter()
        .filter(|t| t.category == "impact")
    {
        justified.extend(covered(&threat.product_ids, &threat.group_ids, groups));
    }
    for (index, id) in status.known_not_affected.iter().enumerate() {
        if !justified.contains(id.as_str()) {
            out.push(
                "6.1.27.9",
                format!("{path}.product_status.known_not_affected[{index}]"),
                format!("product {id} is known_not_affected without an impact statement"),
            );
        }
    }
    // 6.1.27.10: every known_affected product has a remediation (action statement).
    let mut remedied: HashSet<&str> = HashSet::new();
    for remediation in &vulnerability.remediations {
        remedied.extend(covered(
            &remediation.product_ids,
            &remediation.group_ids,
            groups,
        ));
    }
    for (index, id) in status.known_affected.iter().enumerate() {
        if !remedied.contains(id.as_str()) {
            out.push(
                "6.1.27.10",
                format!("{path}.product_status.known_affected[{index}]"),
                format!("product {id} is known_affected without an action statement"),
            );
        }
    }
}

/// 6.1.33: per vulnerability, at most one flag (VEX justification) per product.
fn flags_per_product(
    vulnerability: &crate::csaf::Vulnerability,
    path: &str,
    groups: &HashMap<&str, &[String]>,
    out: &mut Problems,
) {
    let mut first_flag: HashMap<&str, usize> = HashMap::new();
    for (index, flag) in vulnerability.flags.iter().enumerate() {
        let mut reported = HashSet::new();
        for id in covered(&flag.product_ids, &flag.group_ids, groups) {
            let first = *first_flag.entry(id).or_insert(index);
            if first != index && reported.insert(id) {
                out.push(
                    "6.1.33",
                    format!("{path}.flags[{index}]"),
                    format!("product {id} already has the flag at {path}.flags[{first}]"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::csaf::mandatory::run;
    use crate::csaf::{Csaf, Flag, Reference, Remediation, from_json};

    fn sample() -> Csaf {
        from_json(crate::csaf::tests::SAMPLE).expect("sample parses")
    }

    fn found(csaf: &Csaf, rule: &str) -> Vec<String> {
        run(csaf)
            .into_iter()
            .filter(|p| p.rule == rule)
            .map(|p| p.path)
            .collect()
    }

    fn informational() -> Csaf {
        let mut csaf = sample();
        csaf.document.category = "csaf_informational_advisory".into();
        csaf.vulnerabilities.clear();
        csaf
    }

    #[test]
    fn informational_documents_describe_themselves_and_link_out() {
        let mut csaf = informational();
        assert_eq!(found(&csaf, "6.1.27.1"), ["$.document.notes"]);
        assert_eq!(found(&csaf, "6.1.27.2"), ["$.document.references"]);
        csaf.document.notes = vec![json!({"category": "legal_disclaimer", "text": "AS IS"})];
        assert_eq!(found(&csaf, "6.1.27.1"), ["$.document.notes"]);
        csaf.document
            .notes
            .push(json!({"category": "summary", "text": "What happened."}));
        csaf.document.references.push(Reference {
            category: Some("external".into()),
            summary: "Upstream".into(),
            url: "https://example.org/".into(),
        });
        assert_eq!(found(&csaf, "6.1.27.1"), Vec::<String>::new());
        assert_eq!(found(&csaf, "6.1.27.2"), Vec::<String>::new());
        // The schema's default category is external.
        let mut defaulted = informational();
        defaulted.document.references[0].category = None;
        assert_eq!(found(&defaulted, "6.1.27.2"), Vec::<String>::new());
        // Other profiles are not asked.
        assert_eq!(found(&sample(), "6.1.27.1"), Vec::<String>::new());
    }

    #[test]
    fn advisories_have_vulnerabilities_with_notes() {
        let csaf = sample();
        assert_eq!(found(&csaf, "6.1.27.5"), Vec::<String>::new());
        assert_eq!(found(&csaf, "6.1.27.11"), Vec::<String>::new());
        let mut no_notes = sample();
        no_notes.vulnerabilities[0].rest.remove("notes");
        assert_eq!(found(&no_notes, "6.1.27.5"), ["$.vulnerabilities[0].notes"]);
        let mut none = sample();
        none.vulnerabilities.clear();
        assert_eq!(found(&none, "6.1.27.11"), ["$.vulnerabilities"]);
        none.document.category = "Example Notice".into();
        assert_eq!(found(&none, "6.1.27.11"), Vec::<String>::new());
    }

    fn vex() -> Csaf {
        let mut csaf = sample();
        csaf.document.category = "csaf_vex".into();
        csaf
    }

    #[test]
    fn vex_statements_cover_every_product() {
        let csaf = vex();
        for rule in ["6.1.27.7", "6.1.27.9", "6.1.27.10"] {
            assert_eq!(found(&csaf, rule), Vec::<String>::new(), "{rule}");
        }
        let mut unjustified = vex();
        let vulnerability = &mut unjustified.vulnerabilities[0];
        vulnerability.flags.clear();
        vulnerability
            .threats
            .retain(|t| !t.product_ids.contains(&"P-RANGE".into()));
        assert_eq!(
            found(&unjustified, "6.1.27.9"),
            ["$.vulnerabilities[0].product_status.known_not_affected[0]"]
        );
        // A non-impact threat does not justify.
        unjustified.vulnerabilities[0].threats[0].category = "exploit_status".into();
        unjustified.vulnerabilities[0].threats[0].product_ids = vec!["P-RANGE".into()];
        assert_eq!(found(&unjustified, "6.1.27.9").len(), 1);

        let mut no_action = vex();
        no_action.vulnerabilities[0].remediations = vec![Remediation {
            category: "vendor_fix".into(),
            details: "Upgrade.".into(),
            product_ids: vec!["P-OLD".into()],
            ..Default::default()
        }];
        assert_eq!(
            found(&no_action, "6.1.27.10"),
            ["$.vulnerabilities[0].product_status.known_affected[1]"]
        );

        let mut no_status = vex();
        let status = no_status.vulnerabilities[0]
            .product_status
            .as_mut()
            .unwrap();
        status.known_affected.clear();
        status.known_not_affected.clear();
        status.recommended.push("P-OLD".into());
        assert_eq!(
            found(&no_status, "6.1.27.7"),
            ["$.vulnerabilities[0].product_status"]
        );
    }

    #[test]
    fn one_flag_per_product() {
        let csaf = sample();
        assert_eq!(found(&csaf, "6.1.33"), Vec::<String>::new());
        let mut twice = sample();
        let tree = twice.product_tree.as_mut().unwrap();
        tree.product_groups[0].product_ids.push("P-RANGE".into());
        twice.vulnerabilities[0].flags.push(Flag {
            label: "vulnerable_code_not_present".into(),
            group_ids: vec!["G-ALL-AFFECTED".into()],
            ..Default::default()
        });
        assert_eq!(found(&twice, "6.1.33"), ["$.vulnerabilities[0].flags[1]"]);
        // The same product flagged once in each of two vulnerabilities is fine.
        let mut two_vulnerabilities = sample();
        let mut second = two_vulnerabilities.vulnerabilities[0].clone();
        second.cve = Some("CVE-2024-0002".into());
        two_vulnerabilities.vulnerabilities.push(second);
        assert_eq!(found(&two_vulnerabilities, "6.1.33"), Vec::<String>::new());
    }
}
