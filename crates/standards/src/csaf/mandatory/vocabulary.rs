//! Mandatory tests on registered vocabularies and names: CWE (6.1.11), language tags (6.1.12),
//! translator source language (6.1.15), document category (6.1.26) and version ranges hidden in
//! `product_version` branches (6.1.31).
//!
//! Language tags are checked against the IANA Language Subtag Registry that the `language-tags`
//! crate embeds (well-formed and valid per RFC 5646), the CWE against the catalogue in
//! [`crate::cwe`]. CSAF 2.0 does not say which CWE catalogue version a document follows, so an
//! (id, name) pair passes when any published catalogue version lists it.

use language_tags::LanguageTag;

use super::Problems;
use crate::csaf::{Branch, Csaf};
use crate::cwe::Cwe;

/// Runs 6.1.11, 6.1.12, 6.1.15, 6.1.26 and 6.1.31.
pub(super) fn check(csaf: &Csaf, out: &mut Problems) {
    cwes(csaf, out);
    languages(csaf, out);
    category(csaf, out);
    if let Some(tree) = &csaf.product_tree {
        version_ranges(&tree.branches, "$.product_tree.branches", out);
    }
}

/// 6.1.11: the CWE exists and carries its catalogue name.
fn cwes(csaf: &Csaf, out: &mut Problems) {
    for (v, vulnerability) in csaf.vulnerabilities.iter().enumerate() {
        let Some(cwe) = &vulnerability.cwe else {
            continue;
        };
        let path = format!("$.vulnerabilities[{v}].cwe");
        let known = Cwe::parse(&cwe.id)
            .ok()
            .filter(|parsed| cwe.id.starts_with("CWE-") && !parsed.catalogue_names().is_empty());
        match known {
            None => out.push(
                "6.1.11",
                format!("{path}.id"),
                format!("{} is not a weakness in the CWE catalogue", cwe.id),
            ),
            Some(parsed) if !parsed.has_catalogue_name(&cwe.name) => out.push(
                "6.1.11",
                format!("{path}.name"),
                format!(
                    "{} is named {:?} in the CWE catalogue, not {:?}",
                    cwe.id,
                    parsed.name().unwrap_or_default(),
                    cwe.name
                ),
            ),
            Some(_) => {}
        }
    }
}

/// Why a language tag is not a valid BCP 47 tag, if it is not.
fn language_problem(tag: &str) -> Option<String> {
    match LanguageTag::parse(tag) {
        Err(error) => Some(format!("{tag} is not a well-formed language tag: {error}")),
        Ok(parsed) => parsed
            .validate()
            .err()
            .map(|error| format!("{tag} is not a valid language tag: {error}")),
    }
}

/// 6.1.12: `lang` and `source_lang` are valid language tags; 6.1.15: a translator names the
/// source language.
fn languages(csaf: &Csaf, out: &mut Problems) {
    let document = &csaf.document;
    for (field, value) in [
        ("lang", &document.lang),
        ("source_lang", &document.source_lang),
    ] {
        if let Some(problem) = value.as_deref().and_then(language_problem) {
            out.push("6.1.12", format!("$.document.{field}"), problem);
        }
    }
    if document.publisher.category == "translator" && document.source_lang.is_none() {
        out.push(
            "6.1.15",
            "$.document.source_lang".to_owned(),
            "a document published by a translator names its source language".to_owned(),
        );
    }
}

/// The profiles of CSAF 2.0 section 4 other than CSAF Base: (name, category value).
const OTHER_PROFILES: [(&str, &str); 4] = [
    (
        "Security incident response",
        "csaf_security_incident_response",
    ),
    ("Informational Advisory", "csaf_informational_advisory"),
    ("Security Advisory", "csaf_security_advisory"),
    ("VEX", "csaf_vex"),
];

/// Lower case without dashes, underscores and whitespace, as 6.1.26 compares.
fn squeezed(text: &str) -> String {
    text.chars()
        .filter(|c| !(c.is_whitespace() || *c == '-' || *c == '_'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// 6.1.26: a category of one's own neither uses the reserved `csaf_` prefix nor passes for the
/// name or value of a profile.
fn category(csaf: &Csaf, out: &mut Problems) {
    let category = csaf.document.category.as_str();
    if category == "csaf_base" || OTHER_PROFILES.iter().any(|(_, value)| *value == category) {
        return;
    }
    let path = "$.document.category".to_owned();
    if category
        .get(..5)
        .is_some_and(|prefix| prefix.eq_ignore_ascii_case("csaf_"))
    {
        out.push(
            "6.1.26",
            path,
            format!("{category} uses the reserved prefix csaf_"),
        );
        return;
    }
    let own = squeezed(category);
    if let Some((name, value)) = OTHER_PROFILES.iter().find(|(name, value)| {
        own == squeezed(name)
            || own == squeezed(value.trim_start_matches("csaf_"))
            || own == squeezed(value)
    }) {
        out.push(
            "6.1.26",
            path,
            format!("{category} is too close to the profile {name} ({value})"),
        );
    }
}

/// Words that make a `product_version` name a range (compared case-insensitively, whole words).
const RANGE_WORDS: [&str; 7] = [
    "after", "all", "before", "earlier", "later", "prior", "versions",
];

/// 6.1.31: a `product_version` branch names one version, not a range (`<`, `>`, or one of
/// [`RANGE_WORDS`]); ranges belong in `product_version_range`.
fn version_ranges(branches: &[Branch], path: &str, out: &mut Problems) {
    for (index, branch) in branches.iter().enumerate() {
        let here = format!("{path}[{index}]");
        if branch.category == "product_version" {
            let lower = branch.name.to_lowercase();
            let word = lower
                .split_whitespace()
                .find(|word| RANGE_WORDS.contains(word));
            if lower.contains(['<', '>']) || word.is_some() {
                out.push(
                    "6.1.31",
                    format!("{here}.name"),
                    format!(
                        "product_version {:?} reads as a version range; use product_version_range",
                        branch.name
                    ),
                );
            }
        }
        version_ranges(&branch.branches, &format!("{here}.branches"), out);
    }
}

#[cfg(test)]
mod tests {
    use crate::csaf::mandatory::run;
    use crate::csaf::{Csaf, from_json};

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

    #[test]
    fn cwe_must_exist_with_its_name() {
        let csaf = sample();
        assert_eq!(found(&csaf, "6.1.11"), Vec::<String>::new());
        let mut wrong_name = sample();
        let cwe = wrong_name.vulnerabilities[0].cwe.as_mut().unwrap();
        cwe.id = "CWE-79".into();
        cwe.name = "Improper Input Validation".into();
        assert_eq!(
            found(&wrong_name, "6.1.11"),
            ["$.vulnerabilities[0].cwe.name"]
        );
        let mut older_name = wrong_name.clone();
        older_name.vulnerabilities[0].cwe.as_mut().unwrap().name =
            "Failure to Preserve Web Page Structure ('Cross-site Scripting')".into();
        assert_eq!(found(&older_name, "6.1.11"), Vec::<String>::new());
        for id in ["CWE-99999", "CWE-1", "cwe-79", "79"] {
            let mut unknown = wrong_name.clone();
            unknown.vulnerabilities[0].cwe.as_mut().unwrap().id = id.into();
            assert_eq!(
                found(&unknown, "6.1.11"),
                ["$.vulnerabilities[0].cwe.id"],
                "{id}"
            );
        }
    }

    #[test]
    fn languages_are_registered_tags_and_translators_name_the_source() {
        for good in [
            "en",
            "en-US",
            "de-CH-1996",
            "zh-Hant-TW",
            "x-private",
            "i-klingon",
        ] {
            let mut csaf = sample();
            csaf.document.lang = Some(good.into());
            assert_eq!(found(&csaf, "6.1.12"), Vec::<String>::new(), "{good}");
        }
        let mut csaf = sample();
        csaf.document.lang = Some("EZ".into());
        csaf.document.source_lang = Some("en-US-".into());
        assert_eq!(
            found(&csaf, "6.1.12"),
            ["$.document.lang", "$.document.source_lang"]
        );
        let mut translator = sample();
        translator.document.publisher.category = "translator".into();
        assert_eq!(found(&translator, "6.1.15"), ["$.document.source_lang"]);
        translator.document.source_lang = Some("de-DE".into());
        assert_eq!(found(&translator, "6.1.15"), Vec::<String>::new());
    }

    #[test]
    fn own_categories_keep_clear_of_profiles() {
        for bad in [
            "Security_Incident_Response",
            "csaf_BASE",
            "Csaf_VeX",
            "csafsecurityadvisory",
            "informational advisory",
            "V-E-X",
        ] {
            let mut csaf = sample();
            csaf.document.category = bad.into();
            assert_eq!(found(&csaf, "6.1.26"), ["$.document.category"], "{bad}");
        }
        for good in [
            "csaf_base",
            "csaf_vex",
            "csaf_security_advisory",
            "OASIS CSAF TC Security Incident Response",
            "Example Company Security Notice",
        ] {
            let mut csaf = sample();
            csaf.document.category = good.into();
            assert_eq!(found(&csaf, "6.1.26"), Vec::<String>::new(), "{good}");
        }
    }

    #[test]
    fn product_versions_are_not_ranges() {
        let path = "$.product_tree.branches[0].branches[0].branches[0].name";
        let csaf = sample();
        assert_eq!(found(&csaf, "6.1.31"), Vec::<String>::new());
        for bad in [
            "<4.2",
            "prior to 4.2",
            "All versions",
            "4.2 and later",
            ">=1.0",
        ] {
            let mut csaf = sample();
            csaf.product_tree.as_mut().unwrap().branches[0].branches[0].branches[0].name =
                bad.into();
            assert_eq!(found(&csaf, "6.1.31"), [path], "{bad}");
        }
        for good in ["4.2", "4.2 LTS", "allegro 2", "v-later-build"] {
            let mut csaf = sample();
            csaf.product_tree.as_mut().unwrap().branches[0].branches[0].branches[0].name =
                good.into();
            assert_eq!(found(&csaf, "6.1.31"), Vec::<String>::new(), "{good}");
        }
    }
}
