//! Data-driven tests over the real documents in `/work/shared/data`: every OSV record, CSAF
//! document, SBOM, KEV catalog and vulnrichment CVE record parses, with counts checked against an
//! independent count of raw JSON nodes; the official schema test suites are accepted and rejected
//! as labelled.

#[path = "support/raw_counts.rs"]
mod raw_counts;

use std::path::{Path, PathBuf};

use clearinghouse_standards::schema::{self, Schema};
use clearinghouse_standards::{csaf, cve5, kev, matching, osv, sbom};
use serde_json::Value;

fn shared_data() -> Option<PathBuf> {
    let path = std::env::var_os("CLEARINGHOUSE_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"));
    if path.is_dir() {
        return Some(path);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "shared data not found at {}",
        path.display()
    );
    println!("skipped: shared data not found at {}", path.display());
    None
}

fn files(root: &Path, extensions: &[&str]) -> Vec<PathBuf> {
    fn walk(dir: &Path, extensions: &[&str], out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, extensions, out);
            } else if path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| extensions.contains(&e))
            {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(root, extensions, &mut out);
    out.sort();
    out
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(
        &std::fs::read(path).unwrap_or_else(|err| panic!("{}: {err}", path.display())),
    )
    .unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

fn len(value: &Value, key: &str) -> usize {
    value.get(key).and_then(Value::as_array).map_or(0, Vec::len)
}

#[test]
fn every_osv_record_parses_with_its_affected_and_ranges() {
    let Some(data) = shared_data() else { return };
    let mut checked = 0;
    let mut ranges_total = 0;
    for path in files(&data.join("osv"), &["json", "yaml"]) {
        let text = std::fs::read_to_string(&path).unwrap();
        let raw: Value = if path.extension().is_some_and(|e| e == "yaml") {
            serde_yaml::from_str(&text).unwrap()
        } else {
            serde_json::from_str(&text).unwrap()
        };
        // GHSA-format inputs of the osv-schema converter tests are not OSV records.
        if raw.get("id").is_none() || raw.get("ghsaId").is_some() {
            continue;
        }
        let record = osv::from_slice(text.as_bytes())
            .unwrap_or_else(|err| panic!("{}: {err}", path.display()));
        let raw_affected = raw
            .get("affected")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        assert_eq!(
            record.affected.len(),
            raw_affected.len(),
            "{}",
            path.display()
        );
        for (affected, raw) in record.affected.iter().zip(&raw_affected) {
            assert_eq!(
                affected.ranges.len(),
                len(raw, "ranges"),
                "{}",
                path.display()
            );
            assert_eq!(
                affected.versions.len(),
                len(raw, "versions"),
                "{}",
                path.display()
            );
            let events: usize = raw
                .get("ranges")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|r| len(r, "events"))
                .sum();
            assert_eq!(
                affected
                    .ranges
                    .iter()
                    .map(|r| r.events.len())
                    .sum::<usize>(),
                events,
                "{}",
                path.display()
            );
            ranges_total += affected.ranges.len();
        }
        assert_eq!(
            record.aliases.len(),
            len(&raw, "aliases"),
            "{}",
            path.display()
        );
        // Writing back and reading again is lossless.
        assert_eq!(
            osv::from_json(&record.to_json()).unwrap(),
            record,
            "{}",
            path.display()
        );
        checked += 1;
    }
    assert!(checked > 6_900, "only {checked} OSV records found");
    assert!(ranges_total > 7_000, "only {ranges_total} ranges");
}

#[test]
fn osv_records_are_schema_valid_and_linter_cases_are_caught() {
    let Some(data) = shared_data() else { return };
    let linter = data.join("osv/osv-schema-testdata/osv-linter/testdata");
    for path in files(&linter, &["json"]) {
        let raw = read_json(&path);
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let mut problems = schema::validate(Schema::Osv, &raw);
        problems.extend(osv::lint(&osv::from_json(&raw.to_string()).unwrap()));
        let rules: Vec<_> = problems.iter().map(|p| p.rule.as_str()).collect();
        if name.starts_with("nointroduced-") {
            // The schema rejects it too (an events list must start with `introduced`).
            assert!(
                rules.contains(&"range_has_introduced_event"),
                "{name}: {problems:?}"
            );
            assert!(rules.contains(&"schema"), "{name}: {problems:?}");
        } else if name.starts_with("nondistinct-") {
            assert!(
                rules.contains(&"range_events_distinct"),
                "{name}: {problems:?}"
            );
        } else if !name.starts_with("nopackage-") {
            // nopackage-* needs a registry lookup, which this offline library does not do.
            assert_eq!(problems, [], "{name}");
        }
    }
    // Real databases: a sample of every source validates against the bundled schema.
    for dir in ["osv/go", "osv/rust", "osv/trustify-testdata"] {
        for path in files(&data.join(dir), &["json"]).into_iter().step_by(25) {
            let raw = read_json(&path);
            assert_eq!(
                schema::validate(Schema::Osv, &raw),
                [],
                "{}",
                path.display()
            );
        }
    }
    let broken = serde_json::json!({"id": "X-1", "modified": "yesterday", "affected": [{"ranges": [{"type": "SEMVER"}]}]});
    assert!(!schema::validate(Schema::Osv, &broken).is_empty());
}

/// Counts product definitions in a raw product tree, independently of `Csaf::products`.
fn raw_product_count(tree: &Value) -> usize {
    fn branches(value: &Value) -> usize {
        value
            .as_array()
            .into_iter()
            .flatten()
            .map(|branch| {
                usize::from(branch.get("product").is_some())
                    + branch.get("branches").map_or(0, branches)
            })
            .sum()
    }
    tree.get("branches").map_or(0, branches)
        + len(tree, "full_product_names")
        + len(tree, "relationships")
}

#[test]
fn every_csaf_document_parses_with_its_products_and_vulnerabilities() {
    let Some(data) = shared_data() else { return };
    let mut checked = 0;
    let mut products_total = 0;
    for path in files(&data.join("csaf"), &["json"]) {
        let raw = read_json(&path);
        if raw.get("document").is_none() {
            continue; // ROLIE feeds, provider metadata, OSV conversions
        }
        let document = csaf::from_slice(&std::fs::read(&path).unwrap())
            .unwrap_or_else(|err| panic!("{}: {err}", path.display()));
        let products = document.products();
        let expected = raw.get("product_tree").map_or(0, raw_product_count);
        assert_eq!(products.len(), expected, "{}", path.display());
        assert_eq!(
            document.vulnerabilities.len(),
            len(&raw, "vulnerabilities"),
            "{}",
            path.display()
        );
        let raw_scores: usize = raw
            .get("vulnerabilities")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|v| len(v, "scores"))
            .sum();
        assert_eq!(
            document
                .vulnerabilities
                .iter()
                .map(|v| v.scores.len())
                .sum::<usize>(),
            raw_scores,
            "{}",
            path.display()
        );
        // Nothing is lost on write-back.
        assert_eq!(
            serde_json::to_value(&document).unwrap(),
            raw,
            "{}",
            path.display()
        );
        products_total += products.len();
        checked += 1;
    }
    assert!(checked >= 470, "only {checked} CSAF documents");
    assert!(products_total > 10_000, "only {products_total} products");
}

#[test]
fn hand_checked_csaf_documents() {
    let Some(data) = shared_data() else { return };
    let path = data.join("csaf/cisa/OT/white/2023/icsa-23-012-02.json");
    let document = csaf::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(document.document.tracking.id, "ICSA-23-012-02");
    let products = document.products();
    assert!(!products.is_empty());
    assert!(
        products.iter().all(|p| p.vendor.is_some()),
        "CISA puts every product under a vendor branch"
    );
    // A Red Hat VEX: relationships combine a component with a platform and carry its purl.
    let path = data.join("csaf/redhat-trustify/cve-2023-33201.json");
    let document = csaf::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let combined: Vec<_> = document
        .products()
        .into_iter()
        .filter(|p| p.relationship.is_some())
        .collect();
    assert!(!combined.is_empty());
    assert_eq!(
        document.vulnerabilities[0].cve.as_deref(),
        Some("CVE-2023-33201")
    );
}

#[test]
fn csaf_schema_and_mandatory_test_suite() {
    let Some(data) = shared_data() else { return };
    let root = data.join("schemas/csaf/csaf_2.0");
    for path in files(&root.join("examples/csaf"), &["json"]) {
        let raw = read_json(&path);
        assert_eq!(
            schema::validate(Schema::Csaf20, &raw),
            [],
            "{}",
            path.display()
        );
        let document = csaf::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        assert_eq!(csaf::mandatory::run(&document), [], "{}", path.display());
    }
    let cases = read_json(&root.join("test/validator/data/testcases.json"));
    let mut checked = 0;
    for case in cases["tests"].as_array().unwrap() {
        let id = case["id"].as_str().unwrap();
        if !csaf::mandatory::IMPLEMENTED.contains(&id) {
            continue;
        }
        for (list, should_fail) in [("failures", true), ("valid", false)] {
            for file in case
                .get(list)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let path = root
                    .join("test/validator/data")
                    .join(file["name"].as_str().unwrap());
                let document = csaf::from_slice(&std::fs::read(&path).unwrap()).unwrap();
                let problems = csaf::mandatory::run(&document);
                let found = problems.iter().any(|p| p.rule == id);
                assert_eq!(found, should_fail, "{id} {}: {problems:?}", path.display());
                if !should_fail {
                    assert_eq!(
                        schema::validate(Schema::Csaf20, &read_json(&path)),
                        [],
                        "{}",
                        path.display()
                    );
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 60, "only {checked} mandatory test files");
}

#[test]
fn cyclonedx_schema_suite_is_accepted_and_rejected_as_labelled() {
    let Some(data) = shared_data() else { return };
    for (version, schema_kind) in [
        ("1.2", Schema::CycloneDx12),
        ("1.3", Schema::CycloneDx13),
        ("1.4", Schema::CycloneDx14),
        ("1.5", Schema::CycloneDx15),
        ("1.6", Schema::CycloneDx16),
        ("1.7", Schema::CycloneDx17),
    ] {
        let dir = data.join("schemas/cyclonedx/test-resources").join(version);
        let mut checked = 0;
        for path in files(&dir, &["json"]) {
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            let raw = read_json(&path);
            let problems = schema::validate(schema_kind, &raw);
            if name.starts_with("valid-") {
                assert_eq!(problems, [], "{version} {name}");
                sbom::parse(&std::fs::read(&path).unwrap())
                    .unwrap_or_else(|err| panic!("{name}: {err}"));
            } else if name.starts_with("invalid-") {
                assert!(!problems.is_empty(), "{version} {name} should be rejected");
                assert!(problems.iter().all(|p| p.path.starts_with('$')));
            }
            checked += 1;
        }
        assert!(checked > 30, "{version}: only {checked}");
    }
}

#[test]
fn every_sbom_parses_with_its_components() {
    let Some(data) = shared_data() else { return };
    let mut checked = 0;
    let mut components = 0;
    for path in files(&data.join("sbom"), &["json"]) {
        let raw = read_json(&path);
        let expected = if raw.get("bomFormat").is_some() {
            raw_counts::cyclonedx_components(&raw)
        } else if raw
            .get("spdxVersion")
            .and_then(Value::as_str)
            .is_some_and(|v| v.starts_with("SPDX-2"))
        {
            len(&raw, "packages")
        } else {
            continue; // SPDX 3.0 JSON-LD examples
        };
        let parsed = sbom::parse(&std::fs::read(&path).unwrap())
            .unwrap_or_else(|err| panic!("{}: {err}", path.display()));
        assert_eq!(parsed.components.len(), expected, "{}", path.display());
        for (from, to) in &parsed.dependencies {
            assert!(*from < parsed.components.len() && *to < parsed.components.len());
        }
        components += expected;
        checked += 1;
    }
    assert!(checked > 100, "only {checked} SBOMs");
    assert!(components > 10_000, "only {components} components");
}

#[test]
fn hand_checked_sboms() {
    let Some(data) = shared_data() else { return };
    let bom = sbom::parse(
        &std::fs::read(data.join("sbom/cyclonedx/bom-examples/SBOM/dropwizard-1.3.15/bom.json"))
            .unwrap(),
    )
    .unwrap();
    assert_eq!(bom.format, "CycloneDX 1.2");
    assert_eq!(
        bom.components[0].purl.as_deref(),
        Some("pkg:maven/io.dropwizard/dropwizard-parent@1.3.15")
    );
    assert_eq!(bom.components.len(), 168);
    assert_eq!(bom.dependencies.len(), 170);
}

#[test]
fn kev_catalog() {
    let Some(data) = shared_data() else { return };
    let catalog = kev::from_slice(
        &std::fs::read(data.join("kev/known_exploited_vulnerabilities.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(catalog.catalog_version, "2025.08.25");
    assert_eq!(catalog.count, 1404);
    assert_eq!(catalog.vulnerabilities.len(), catalog.count);
    assert!(catalog.get("CVE-2025-48384").is_some());
}

#[test]
fn every_vulnrichment_record_parses() {
    let Some(data) = shared_data() else { return };
    let mut records = 0;
    let (mut with_ssvc, mut raw_with_ssvc, mut with_kev) = (0, 0, 0);
    for path in files(&data.join("ssvc/vulnrichment"), &["json"]) {
        let raw = read_json(&path);
        let record = cve5::from_slice(&std::fs::read(&path).unwrap())
            .unwrap_or_else(|err| panic!("{}: {err}", path.display()));
        assert_eq!(
            record.containers.adp.len(),
            len(&raw["containers"], "adp"),
            "{}",
            path.display()
        );
        assert_eq!(
            record.containers.cna.affected.len(),
            len(&raw["containers"]["cna"], "affected"),
            "{}",
            path.display()
        );
        let text = raw.to_string();
        raw_with_ssvc += usize::from(text.contains(r#""type":"ssvc""#));
        with_ssvc += usize::from(!record.ssvc_options().is_empty());
        with_kev += usize::from(record.in_kev());
        records += 1;
    }
    assert_eq!(records, 2501);
    assert_eq!(with_ssvc, raw_with_ssvc);
    assert_eq!(
        with_ssvc, 2492,
        "PROVENANCE.md counts 2,492 records with a CISA-ADP SSVC metric"
    );
    assert_eq!(
        with_kev, 222,
        "PROVENANCE.md counts 222 records with a KEV marker"
    );
}

#[test]
fn spdx_documents_validate_against_the_bundled_schema() {
    let Some(data) = shared_data() else { return };
    for path in files(&data.join("sbom/spdx/spdx-spec-examples"), &["json"]) {
        let raw = read_json(&path);
        assert_eq!(
            schema::validate(Schema::Spdx23, &raw),
            [],
            "{}",
            path.display()
        );
    }
}

#[test]
fn scanning_shared_sboms_against_shared_osv_finds_known_matches() {
    let Some(data) = shared_data() else { return };
    let mut index = matching::Index::new();
    for path in files(&data.join("osv/go"), &["json"]) {
        index.add_osv(
            &osv::from_slice(&std::fs::read(&path).unwrap()).unwrap(),
            "go",
        );
    }
    let bom =
        sbom::parse(&std::fs::read(data.join("sbom/spdx/trustify/spdx/TC-1817-1.json")).unwrap())
            .unwrap();
    let matches = index.match_sbom(&bom);
    let hit = matches
        .iter()
        .find(|m| index.advisories()[m.advisory].id == "GO-2022-0635");
    let hit = hit.expect("aws-sdk-go v1.44.22 is affected by GO-2022-0635 (all versions)");
    assert_eq!(
        bom.components[hit.component].purl.as_deref(),
        Some("pkg:golang/github.com/aws/aws-sdk-go@v1.44.22")
    );
}
