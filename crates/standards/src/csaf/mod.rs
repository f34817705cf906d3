//! CSAF 2.0 advisories (<https://docs.oasis-open.org/csaf/csaf/v2.0/>): read, write, flatten.
//!
//! The serde structs mirror the parts of the standard the clearinghouse reasons about (product tree,
//! vulnerabilities with VEX product status, remediations, threats, scores, flags) and keep every
//! other member in a `rest` map, so a document read and written back loses nothing.
//! [`Csaf::products`] flattens the product tree (nested branches, top-level full product names and
//! relationships) into one list of products with vendor, name, version or version range, purl and
//! CPE. The mandatory tests of section 6.1 live in [`mandatory`].
//!
//! Own structs instead of `csaf-rs`: that crate is self-described work in progress and generated
//! from the strict schema, which rejects real documents we still want to read leniently.

pub mod mandatory;

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::schema::{self, DocumentError};

/// Members we do not model, kept for a faithful write-back.
pub type Rest = Map<String, Value>;

/// A CSAF 2.0 document.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Csaf {
    /// Document-level metadata.
    pub document: Document,
    /// Products the document talks about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_tree: Option<ProductTree>,
    /// Vulnerabilities with their per-product status.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vulnerabilities: Vec<Vulnerability>,
    /// Anything else at the top level.
    #[serde(flatten)]
    pub rest: Rest,
}

/// `/document`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Document {
    /// `csaf_security_advisory`, `csaf_vex`, `csaf_base`, …
    #[serde(default)]
    pub category: String,
    /// Always `2.0` for this module.
    #[serde(default)]
    pub csaf_version: String,
    /// Title.
    #[serde(default)]
    pub title: String,
    /// Language tag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    /// Source language of a translation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_lang: Option<String>,
    /// Publisher.
    #[serde(default)]
    pub publisher: Publisher,
    /// Tracking metadata.
    #[serde(default)]
    pub tracking: Tracking,
    /// Document notes, kept raw.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<Value>,
    /// Document references.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<Reference>,
    /// Anything else (distribution, aggregate_severity, acknowledgments, …).
    #[serde(flatten)]
    pub rest: Rest,
}

/// `/document/publisher`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Publisher {
    /// `vendor`, `coordinator`, …
    #[serde(default)]
    pub category: String,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Namespace URL.
    #[serde(default)]
    pub namespace: String,
    /// Other members.
    #[serde(flatten)]
    pub rest: Rest,
}

/// `/document/tracking`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Tracking {
    /// Document id, e.g. `ICSA-23-348-10`.
    #[serde(default)]
    pub id: String,
    /// `draft`, `interim` or `final`.
    #[serde(default)]
    pub status: String,
    /// Document version (integer or semantic versioning).
    #[serde(default)]
    pub version: String,
    /// First release.
    #[serde(default)]
    pub initial_release_date: String,
    /// Current release.
    #[serde(default)]
    pub current_release_date: String,
    /// History of revisions.
    #[serde(default)]
    pub revision_history: Vec<Revision>,
    /// Other members (generator, aliases).
    #[serde(flatten)]
    pub rest: Rest,
}

/// One entry of the revision history.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Revision {
    /// Date.
    #[serde(default)]
    pub date: String,
    /// Version number.
    #[serde(default)]
    pub number: String,
    /// What changed.
    #[serde(default)]
    pub summary: String,
    /// Other members.
    #[serde(flatten)]
    pub rest: Rest,
}

/// A reference (link).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Reference {
    /// `self` or `external`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// Text.
    #[serde(default)]
    pub summary: String,
    /// URL.
    #[serde(default)]
    pub url: String,
}

/// `/product_tree`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProductTree {
    /// Vendor → product → version hierarchy.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub branches: Vec<Branch>,
    /// Products defined outside any branch.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub full_product_names: Vec<FullProductName>,
    /// Products made by combining two others (component *installed on* platform, …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub relationships: Vec<Relationship>,
    /// Named sets of product ids.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub product_groups: Vec<ProductGroup>,
    /// Other members.
    #[serde(flatten)]
    pub rest: Rest,
}

/// One node of the branch hierarchy.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Branch {
    /// `vendor`, `product_name`, `product_version`, `product_version_range`, `architecture`, …
    #[serde(default)]
    pub category: String,
    /// Value for that category.
    #[serde(default)]
    pub name: String,
    /// Children.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub branches: Vec<Branch>,
    /// The product this leaf defines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<FullProductName>,
}

/// A product definition.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FullProductName {
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// Id referenced from the rest of the document.
    #[serde(default)]
    pub product_id: String,
    /// Machine-readable identifiers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_identification_helper: Option<IdentificationHelper>,
}

/// `product_identification_helper`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct IdentificationHelper {
    /// CPE 2.2 or 2.3.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpe: Option<String>,
    /// Package URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
    /// File hashes, kept raw.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hashes: Vec<Value>,
    /// Other members (model numbers, serial numbers, SBOM URLs, SKUs, generic URIs).
    #[serde(flatten)]
    pub rest: Rest,
}

/// `/product_tree/relationships[]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Relationship {
    /// `default_component_of`, `installed_on`, …
    #[serde(default)]
    pub category: String,
    /// The component.
    #[serde(default)]
    pub product_reference: String,
    /// The platform.
    #[serde(default)]
    pub relates_to_product_reference: String,
    /// The combined product.
    #[serde(default)]
    pub full_product_name: FullProductName,
}

/// `/product_tree/product_groups[]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProductGroup {
    /// Group id.
    #[serde(default)]
    pub group_id: String,
    /// Members.
    #[serde(default)]
    pub product_ids: Vec<String>,
    /// Text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
}

/// `/vulnerabilities[]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Vulnerability {
    /// CVE id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cve: Option<String>,
    /// Other ids (`system_name`, `text`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ids: Vec<VulnerabilityId>,
    /// Weakness.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cwe: Option<Cwe>,
    /// Title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// VEX product status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_status: Option<ProductStatus>,
    /// Fixes, workarounds and mitigations.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remediations: Vec<Remediation>,
    /// Impact, exploit status, target set.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub threats: Vec<Threat>,
    /// CVSS scores per product.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scores: Vec<Score>,
    /// VEX justification flags.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<Flag>,
    /// Other members (notes, references, dates, involvements, acknowledgments).
    #[serde(flatten)]
    pub rest: Rest,
}

/// `/vulnerabilities[]/ids[]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct VulnerabilityId {
    /// Issuing system.
    #[serde(default)]
    pub system_name: String,
    /// Id in that system.
    #[serde(default)]
    pub text: String,
}

/// `/vulnerabilities[]/cwe`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Cwe {
    /// `CWE-79`.
    #[serde(default)]
    pub id: String,
    /// Name.
    #[serde(default)]
    pub name: String,
}

/// `/vulnerabilities[]/product_status`: which products are in which VEX state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductStatus {
    /// First affected versions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub first_affected: Vec<String>,
    /// First fixed versions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub first_fixed: Vec<String>,
    /// Fixed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fixed: Vec<String>,
    /// Known affected.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub known_affected: Vec<String>,
    /// Known not affected.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub known_not_affected: Vec<String>,
    /// Last affected versions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub last_affected: Vec<String>,
    /// Recommended versions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recommended: Vec<String>,
    /// Still being looked at.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub under_investigation: Vec<String>,
}

/// The four VEX states a product can be in for one vulnerability.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VexStatus {
    /// `first_affected`, `known_affected`, `last_affected`.
    Affected,
    /// `known_not_affected`.
    NotAffected,
    /// `first_fixed`, `fixed`.
    Fixed,
    /// `under_investigation`.
    UnderInvestigation,
}

impl ProductStatus {
    /// Every (list name, VEX state, product ids) triple; `recommended` carries no VEX state.
    pub fn lists(&self) -> [(&'static str, Option<VexStatus>, &[String]); 8] {
        [
            (
                "first_affected",
                Some(VexStatus::Affected),
                &self.first_affected,
            ),
            (
                "known_affected",
                Some(VexStatus::Affected),
                &self.known_affected,
            ),
            (
                "last_affected",
                Some(VexStatus::Affected),
                &self.last_affected,
            ),
            (
                "known_not_affected",
                Some(VexStatus::NotAffected),
                &self.known_not_affected,
            ),
            ("first_fixed", Some(VexStatus::Fixed), &self.first_fixed),
            ("fixed", Some(VexStatus::Fixed), &self.fixed),
            (
                "under_investigation",
                Some(VexStatus::UnderInvestigation),
                &self.under_investigation,
            ),
            ("recommended", None, &self.recommended),
        ]
    }

    /// The VEX state of every listed product (a product in two states appears twice; test 6.1.6
    /// reports that as a contradiction).
    pub fn statuses(&self) -> impl Iterator<Item = (&str, VexStatus)> {
        self.lists().into_iter().flat_map(|(_, status, ids)| {
            status
                .into_iter()
                .flat_map(move |status| ids.iter().map(move |id| (id.as_str(), status)))
        })
    }
}

/// `/vulnerabilities[]/remediations[]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Remediation {
    /// `vendor_fix`, `workaround`, `mitigation`, `no_fix_planned`, `none_available`.
    #[serde(default)]
    pub category: String,
    /// Text.
    #[serde(default)]
    pub details: String,
    /// Products it applies to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub product_ids: Vec<String>,
    /// Groups it applies to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub group_ids: Vec<String>,
    /// Where to get the fix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Other members (date, entitlements, restart_required).
    #[serde(flatten)]
    pub rest: Rest,
}

/// `/vulnerabilities[]/threats[]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Threat {
    /// `impact`, `exploit_status`, `target_set`.
    #[serde(default)]
    pub category: String,
    /// Text.
    #[serde(default)]
    pub details: String,
    /// Products.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub product_ids: Vec<String>,
    /// Groups.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub group_ids: Vec<String>,
    /// Other members (date).
    #[serde(flatten)]
    pub rest: Rest,
}

/// `/vulnerabilities[]/scores[]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Score {
    /// Products the score applies to.
    #[serde(default)]
    pub products: Vec<String>,
    /// FIRST CVSS v2 JSON object, kept raw.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cvss_v2: Option<Value>,
    /// FIRST CVSS v3.x JSON object, kept raw.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cvss_v3: Option<Value>,
}

impl Score {
    /// The v3 vector string, if any.
    pub fn cvss_v3_vector(&self) -> Option<&str> {
        self.cvss_v3.as_ref()?.get("vectorString")?.as_str()
    }
}

/// `/vulnerabilities[]/flags[]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Flag {
    /// VEX justification label.
    #[serde(default)]
    pub label: String,
    /// Products.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub product_ids: Vec<String>,
    /// Groups.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub group_ids: Vec<String>,
    /// Other members (date).
    #[serde(flatten)]
    pub rest: Rest,
}

/// A product with everything the tree says about it, wherever in the tree it was defined.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Product {
    /// `product_id`.
    pub product_id: String,
    /// Display name.
    pub name: String,
    /// Vendor from the enclosing `vendor` branch (or the component's, for a relationship).
    pub vendor: Option<String>,
    /// Product name from the enclosing `product_name` branch.
    pub product_name: Option<String>,
    /// Exact version from a `product_version` branch.
    pub version: Option<String>,
    /// Range from a `product_version_range` branch (vers or free text).
    pub version_range: Option<String>,
    /// Package URL.
    pub purl: Option<String>,
    /// CPE.
    pub cpe: Option<String>,
    /// Where the definition sits: `branches`, `full_product_names` or `relationships`.
    pub defined_in: &'static str,
    /// For relationships: (category, component id, platform id).
    pub relationship: Option<(String, String, String)>,
}

impl Csaf {
    /// Writes the document as pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Flattens the product tree into one product per definition, in document order: branch leaves
    /// first, then top-level full product names, then relationships. A relationship product
    /// inherits vendor, name, version and identifiers from its component unless it has its own.
    pub fn products(&self) -> Vec<Product> {
        let Some(tree) = &self.product_tree else {
            return Vec::new();
        };
        let mut products = Vec::new();
        let mut context = Vec::new();
        for branch in &tree.branches {
            flatten_branch(branch, &mut context, &mut products);
        }
        for full in &tree.full_product_names {
            products.push(product_from(full, &[], "full_product_names"));
        }
        let by_id: HashMap<&str, usize> = products
            .iter()
            .enumerate()
            .map(|(index, product)| (product.product_id.as_str(), index))
            .collect();
        let mut combined = Vec::with_capacity(tree.relationships.len());
        for relationship in &tree.relationships {
            let mut product = product_from(&relationship.full_product_name, &[], "relationships");
            if let Some(component) = by_id
                .get(relationship.product_reference.as_str())
                .map(|&i| &products[i])
            {
                product.vendor = product.vendor.or_else(|| component.vendor.clone());
                product.product_name = product
                    .product_name
                    .or_else(|| component.product_name.clone());
                product.version = product.version.or_else(|| component.version.clone());
                product.version_range = product
                    .version_range
                    .or_else(|| component.version_range.clone());
                product.purl = product.purl.or_else(|| component.purl.clone());
                product.cpe = product.cpe.or_else(|| component.cpe.clone());
            }
            product.relationship = Some((
                relationship.category.clone(),
                relationship.product_reference.clone(),
                relationship.relates_to_product_reference.clone(),
            ));
            combined.push(product);
        }
        products.extend(combined);
        products
    }

    /// Product ids of a group, or the id itself when it is not a group id.
    pub fn group_members(&self, group_id: &str) -> &[String] {
        self.product_tree
            .as_ref()
            .and_then(|tree| {
                tree.product_groups
                    .iter()
                    .find(|group| group.group_id == group_id)
            })
            .map_or(&[], |group| group.product_ids.as_slice())
    }
}

impl Vulnerability {
    /// Every id of this vulnerability: the CVE first, then `ids[].text`.
    pub fn all_ids(&self) -> impl Iterator<Item = &str> {
        self.cve
            .as_deref()
            .into_iter()
            .chain(self.ids.iter().map(|id| id.text.as_str()))
    }
}

fn flatten_branch<'a>(
    branch: &'a Branch,
    context: &mut Vec<(&'a str, &'a str)>,
    out: &mut Vec<Product>,
) {
    context.push((branch.category.as_str(), branch.name.as_str()));
    if let Some(product) = &branch.product {
        out.push(product_from(product, context, "branches"));
    }
    for child in &branch.branches {
        flatten_branch(child, context, out);
    }
    context.pop();
}

fn product_from(
    full: &FullProductName,
    context: &[(&str, &str)],
    defined_in: &'static str,
) -> Product {
    let find = |category: &str| {
        context
            .iter()
            .rev()
            .find(|(cat, _)| *cat == category)
            .map(|(_, name)| (*name).to_owned())
    };
    let helper = full.product_identification_helper.as_ref();
    Product {
        product_id: full.product_id.clone(),
        name: full.name.clone(),
        vendor: find("vendor"),
        product_name: find("product_name"),
        version: find("product_version"),
        version_range: find("product_version_range"),
        purl: helper.and_then(|h| h.purl.clone()),
        cpe: helper.and_then(|h| h.cpe.clone()),
        defined_in,
        relationship: None,
    }
}

/// Reads a CSAF document from JSON.
pub fn from_json(text: &str) -> Result<Csaf, DocumentError> {
    schema::decode_json("CSAF", text)
}

/// Reads a CSAF document from JSON bytes.
pub fn from_slice(bytes: &[u8]) -> Result<Csaf, DocumentError> {
    schema::decode_json_slice("CSAF", bytes)
}

/// The file name CSAF 2.0 section 5.1 gives a document with this `/document/tracking/id`: the id
/// in lower case, every run of characters other than `a`–`z`, `0`–`9`, `+` and `-` replaced by one
/// `_`, then `.json`. Providers publish under this name, so a mismatch means a renamed or
/// mislabelled file.
pub fn file_name(tracking_id: &str) -> String {
    let mut name = String::with_capacity(tracking_id.len() + 5);
    let mut in_replaced_run = false;
    for c in tracking_id.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '+' || c == '-' {
            name.push(c);
            in_replaced_run = false;
        } else if !in_replaced_run {
            name.push('_');
            in_replaced_run = true;
        }
    }
    name.push_str(".json");
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) const SAMPLE: &str = include_str!("../../tests/fixtures/csaf-sample.json");

    /// Section 5.1's own example, a Red Hat id and the conformance suite's naming.
    #[test]
    fn file_names_follow_section_5_1() {
        assert_eq!(
            file_name("Example Company - 2019-YH3234"),
            "example_company_-_2019-yh3234.json"
        );
        assert_eq!(file_name("RHSA-2024:4546"), "rhsa-2024_4546.json");
        assert_eq!(
            file_name("OASIS_CSAF_TC-CSAF_2.0-2021-5-1-01"),
            "oasis_csaf_tc-csaf_2_0-2021-5-1-01.json"
        );
        // A run of replaced characters becomes one underscore; `+` stays.
        assert_eq!(file_name("a: /b+c"), "a_b+c.json");
        assert_eq!(file_name("ÄBC"), "_bc.json");
    }

    #[test]
    fn flattens_branches_full_names_and_relationships() {
        let csaf = from_json(SAMPLE).unwrap();
        let products = csaf.products();
        let ids: Vec<_> = products.iter().map(|p| p.product_id.as_str()).collect();
        assert_eq!(ids, ["P-OLD", "P-RANGE", "P-OS", "P-ON-OS"]);
        assert_eq!(products[0].vendor.as_deref(), Some("Example"));
        assert_eq!(products[0].product_name.as_deref(), Some("Widget"));
        assert_eq!(products[0].version.as_deref(), Some("1.0.0"));
        assert_eq!(products[0].purl.as_deref(), Some("pkg:npm/widget@1.0.0"));
        assert_eq!(
            products[1].version_range.as_deref(),
            Some("vers:npm/>=2.0.0|<2.3.1")
        );
        assert_eq!(
            products[2].cpe.as_deref(),
            Some("cpe:2.3:o:example:os:9:*:*:*:*:*:*:*")
        );
        let combined = &products[3];
        assert_eq!(combined.purl.as_deref(), Some("pkg:npm/widget@1.0.0"));
        assert_eq!(
            combined.relationship,
            Some(("installed_on".into(), "P-OLD".into(), "P-OS".into()))
        );
    }

    #[test]
    fn vex_status_remediations_threats_scores() {
        let csaf = from_json(SAMPLE).unwrap();
        let vulnerability = &csaf.vulnerabilities[0];
        let statuses: Vec<_> = vulnerability
            .product_status
            .as_ref()
            .unwrap()
            .statuses()
            .collect();
        assert_eq!(
            statuses,
            [
                ("P-OLD", VexStatus::Affected),
                ("P-ON-OS", VexStatus::Affected),
                ("P-RANGE", VexStatus::NotAffected)
            ]
        );
        assert_eq!(vulnerability.remediations[0].category, "vendor_fix");
        assert_eq!(vulnerability.threats[0].category, "impact");
        assert_eq!(
            vulnerability.scores[0].cvss_v3_vector(),
            Some("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")
        );
        assert_eq!(
            vulnerability.all_ids().collect::<Vec<_>>(),
            ["CVE-2024-0001", "EX-2024-1"]
        );
    }

    #[test]
    fn write_then_read_is_identity() {
        let csaf = from_json(SAMPLE).unwrap();
        let again = from_json(&csaf.to_json()).unwrap();
        assert_eq!(again, csaf);
        let original: Value = serde_json::from_str(SAMPLE).unwrap();
        let written: Value = serde_json::from_str(&csaf.to_json()).unwrap();
        assert_eq!(original, written, "unknown members must survive");
    }

    #[test]
    fn shape_error_names_path() {
        let err = from_json(r#"{"document":{"tracking":{"revision_history":[{"number":1}]}}}"#)
            .unwrap_err();
        assert_eq!(err.path(), "$.document.tracking.revision_history[0].number");
    }
}
