//! Data-driven tests over the parts of `/work/shared/data` the first pass did not read: the CSAF
//! file-name suite and the completeness of the mandatory-test suite, the OSV schema's list of
//! ecosystems, CycloneDX test resources of every version, and Red Hat's own CSAF-to-OSV
//! conversions checked against our reading of the CSAF originals.

#[path = "support/raw_counts.rs"]
mod raw_counts;
#[path = "standards_a/shared.rs"]
mod shared;

use std::collections::{BTreeSet, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

use clearinghouse_standards::csaf::{self, VexStatus};
use clearinghouse_standards::purl::Purl;
use clearinghouse_standards::range::{Event, Range, RangeType, Verdict, is_affected};
use clearinghouse_standards::schema::{self, Schema};
use clearinghouse_standards::version::Ecosystem;
use clearinghouse_standards::{osv, sbom};
use serde_json::Value;

fn read_json(path: &Path) -> Value {
    let bytes = fs::read(path).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
    serde_json::from_slice(&bytes).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

/// The `.json` files directly in `dir`, sorted.
fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|err| panic!("{}: {err}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

/// The `.json` files anywhere below `root`.
fn json_files_under(root: PathBuf) -> Vec<PathBuf> {
    let mut stack = vec![root];
    let mut files = Vec::new();
    while let Some(path) = stack.pop() {
        if path.is_dir() {
            stack.extend(
                fs::read_dir(&path)
                    .expect("directory")
                    .map(|entry| entry.expect("entry").path()),
            );
        } else if path.extension().is_some_and(|e| e == "json") {
            files.push(path);
        }
    }
    files
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .and_then(|n| n.to_str())
        .expect("UTF-8 file name")
        .to_owned()
}

/// CSAF 2.0 `test/filenames`: a valid file is named as section 5.1 derives from its tracking id,
/// an invalid one is not.
#[test]
fn csaf_file_name_suite() {
    let Some(root) = shared::path("schemas/csaf/csaf_2.0/test/filenames/data") else {
        return;
    };
    for (label, should_match) in [("valid", true), ("invalid", false)] {
        let files = json_files(&root.join(label));
        assert!(!files.is_empty(), "no {label} file-name cases");
        for path in files {
            let document = csaf::from_slice(&fs::read(&path).expect("readable"))
                .unwrap_or_else(|err| panic!("{}: {err}", path.display()));
            let expected = csaf::file_name(&document.document.tracking.id);
            assert_eq!(
                expected == file_name(&path),
                should_match,
                "{label} {}: section 5.1 gives {expected}",
                path.display()
            );
        }
    }
}

/// The published advisories in shared data are stored under the names section 5.1 gives them,
/// except six test copies trustify renamed.
#[test]
fn published_csaf_advisories_carry_their_section_5_1_names() {
    let Some(root) = shared::path("csaf") else {
        return;
    };
    let mut checked = 0;
    let mut misnamed = Vec::new();
    for path in json_files_under(root) {
        let raw = read_json(&path);
        let Some(id) = raw.pointer("/document/tracking/id").and_then(Value::as_str) else {
            continue; // ROLIE feeds, provider metadata, OSV conversions
        };
        let expected = csaf::file_name(id);
        if expected != file_name(&path) {
            misnamed.push(file_name(&path));
        }
        checked += 1;
    }
    assert!(checked >= 470, "only {checked} CSAF documents");
    misnamed.sort();
    // trustify keeps test copies under names of its own (upper case, `-` for `:`); every
    // provider's file (CISA's tree, Red Hat's originals) is named as published.
    assert_eq!(
        misnamed,
        [
            "CVE-2023-20862.json",
            "CVE-2024-34500.json",
            "CVE-2024-34506.json",
            "CVE-2024-5154.json",
            "RHBA-2024_1440.json",
            "rhsa-2024-2705.json",
        ]
    );
}

/// The mandatory tests are all implemented, so the suite test in `shared_data.rs` (which checks
/// what is implemented) skips none of them; optional and informative tests are not claimed.
#[test]
fn every_mandatory_test_of_the_csaf_suite_is_implemented() {
    let Some(path) = shared::path("schemas/csaf/csaf_2.0/test/validator/data/testcases.json")
    else {
        return;
    };
    let cases = read_json(&path);
    let mut mandatory = BTreeSet::new();
    for case in cases["tests"].as_array().expect("tests") {
        let id = case["id"].as_str().expect("id");
        match case["group"].as_str().expect("group") {
            "mandatory" => {
                mandatory.insert(id);
            }
            _ => assert!(
                !csaf::mandatory::IMPLEMENTED.contains(&id),
                "{id} is not a mandatory test"
            ),
        }
    }
    let implemented: BTreeSet<&str> = csaf::mandatory::IMPLEMENTED.iter().copied().collect();
    assert_eq!(mandatory.len(), 43, "the suite lists 6.1.1 to 6.1.33");
    assert_eq!(implemented, mandatory);
}

/// The OSV schema's ecosystems we know no ordering for. Each falls back to explicit `versions`
/// lists (a record is never rejected for it); a newly defined ecosystem fails this test until it
/// gets an ordering or joins the list.
const OSV_ECOSYSTEMS_WITHOUT_ORDERING: &[&str] = &[
    "Android",
    "BellSoft Hardened Containers",
    "Bioconductor",
    "CRAN",
    "CleanStart",
    "ConanCenter",
    "Docker Hardened Images",
    "Echo",
    "FreeBSD",
    "GHC",
    "Hackage",
    "Julia",
    "Linux",
    "OSS-Fuzz",
    "Root",
    "VSCode",
    "opam",
];

/// Every ecosystem the OSV schema defines has an ordering or is one we knowingly lack; a release
/// suffix never changes which.
#[test]
fn every_osv_ecosystem_has_an_ordering_or_falls_back_to_explicit_versions() {
    let Some(path) = shared::path("schemas/osv/ecosystems.json") else {
        return;
    };
    let defined = read_json(&path);
    let defined = defined.as_object().expect("object of ecosystems");
    let mut without = Vec::new();
    for name in defined.keys() {
        let ecosystem = Ecosystem::from_osv_name(name);
        let suffixed = Ecosystem::from_osv_name(&format!("{name}:12:extra"));
        assert_eq!(suffixed.has_ordering(), ecosystem.has_ordering(), "{name}");
        if ecosystem.has_ordering() {
            assert_eq!(suffixed, ecosystem, "{name}");
        } else {
            assert_eq!(ecosystem, Ecosystem::Unknown(name.clone()));
            let versions = vec!["1.0".to_owned()];
            assert!(is_affected(&ecosystem, "1.0", &[], &versions).is_affected());
            without.push(name.as_str());
        }
    }
    without.sort_unstable();
    let mut expected = OSV_ECOSYSTEMS_WITHOUT_ORDERING.to_vec();
    expected.sort_unstable();
    assert_eq!(without, expected);
    assert!(defined.len() - without.len() >= 30);
}

/// Every `valid-*` JSON test resource of CycloneDX 1.2 to 1.7 reads into the normalized SBOM with
/// all its components; 1.4 to 1.6 are also schema-valid (the only bundled schemas), the others
/// are reported as not checkable rather than passed.
#[test]
fn cyclonedx_valid_test_resources_of_every_version_parse_with_their_components() {
    let Some(root) = shared::path("schemas/cyclonedx/test-resources") else {
        return;
    };
    let mut checked = 0;
    for version in ["1.2", "1.3", "1.4", "1.5", "1.6", "1.7"] {
        for path in json_files(&root.join(version)) {
            if !file_name(&path).starts_with("valid-") {
                continue;
            }
            let raw = read_json(&path);
            let parsed = sbom::parse(&fs::read(&path).expect("readable"))
                .unwrap_or_else(|err| panic!("{}: {err}", path.display()));
            assert_eq!(
                parsed.components.len(),
                raw_counts::cyclonedx_components(&raw),
                "{}",
                path.display()
            );
            assert_eq!(parsed.format, format!("CycloneDX {version}"));
            let format = schema::detect(&raw).expect("detected as CycloneDX");
            match Schema::for_document(format, &raw) {
                Some(bundled) => {
                    assert_eq!(schema::validate(bundled, &raw), [], "{}", path.display())
                }
                None => assert!(!["1.4", "1.5", "1.6"].contains(&version)),
            }
            checked += 1;
        }
    }
    assert!(checked > 200, "only {checked} valid CycloneDX resources");
}

/// Red Hat converted two of its CSAF advisories to OSV (osv-schema's converter test data). Reading
/// both sides independently gives the same fixed packages: every OSV `fixed` event is a fixed
/// RPM of the CSAF document at an equal version, and the other way round. Each fixed version is
/// unaffected and the version before it affected under the RPM ordering.
#[test]
fn red_hat_osv_conversions_agree_with_their_csaf_originals() {
    let Some(root) = shared::path("csaf/redhat-osv-schema-testdata") else {
        return;
    };
    let rpm = Ecosystem::Rpm;
    for advisory in ["2024_4546", "2024_6220"] {
        let osv_path = root.join(format!("OSV/RHSA-{advisory}.json"));
        let record = osv::from_slice(&fs::read(&osv_path).expect("readable"))
            .unwrap_or_else(|err| panic!("{}: {err}", osv_path.display()));
        assert_eq!(record.id, format!("RHSA-{}", advisory.replace('_', ":")));
        // The bundled OSV schema is an older revision without `upstream` (schemas/PROVENANCE.md);
        // that member is its only complaint about these schema 1.7.0 records.
        let problems = schema::validate(Schema::Osv, &read_json(&osv_path));
        assert!(
            problems
                .iter()
                .all(|p| p.path == "$" && p.message.contains("'upstream' was unexpected")),
            "{problems:?}"
        );
        let mut from_osv = BTreeSet::new();
        for affected in &record.affected {
            let package = affected.package.as_ref().expect("package");
            let ecosystem = Ecosystem::from_osv_name(&package.ecosystem);
            assert_eq!(ecosystem, rpm, "{}", package.ecosystem);
            for range in &affected.ranges {
                assert_eq!(range.kind, "ECOSYSTEM");
                let events: Vec<Event> = range
                    .events
                    .iter()
                    .filter_map(|event| {
                        let introduced = event.introduced.clone().map(Event::Introduced);
                        introduced.or_else(|| event.fixed.clone().map(Event::Fixed))
                    })
                    .collect();
                assert_eq!(
                    events.len(),
                    range.events.len(),
                    "only introduced and fixed"
                );
                let ranges = [Range {
                    range_type: RangeType::Ecosystem,
                    events,
                }];
                for fixed in range.events.iter().filter_map(|e| e.fixed.as_deref()) {
                    assert_eq!(
                        is_affected(&ecosystem, fixed, &ranges, &[]),
                        Verdict::NotAffected,
                        "{} {fixed}",
                        package.name
                    );
                    assert!(is_affected(&ecosystem, "0:0.1-1", &ranges, &[]).is_affected());
                    from_osv.insert((package.name.clone(), fixed.to_owned()));
                }
            }
        }

        let csaf_path = root.join(format!("CSAF/rhsa-{advisory}.json"));
        let document = csaf::from_slice(&fs::read(&csaf_path).expect("readable"))
            .unwrap_or_else(|err| panic!("{}: {err}", csaf_path.display()));
        assert_eq!(
            csaf::file_name(&document.document.tracking.id),
            format!("rhsa-{advisory}.json")
        );
        let products = document.products();
        let mut from_csaf = BTreeSet::new();
        for vulnerability in &document.vulnerabilities {
            let Some(status) = &vulnerability.product_status else {
                continue;
            };
            for (id, state) in status.statuses() {
                if state != VexStatus::Fixed {
                    continue;
                }
                let product = products
                    .iter()
                    .find(|p| p.product_id == id)
                    .unwrap_or_else(|| panic!("{id} is not in the product tree"));
                let Some(purl) = &product.purl else { continue };
                let purl = Purl::parse(purl).unwrap_or_else(|err| panic!("{purl}: {err}"));
                if purl.ty() != "rpm" {
                    continue; // modules (`rpmmod`) and platforms
                }
                // An RPM's epoch sits in the `epoch` qualifier (python-wheel is epoch 1 here).
                let version = purl.ecosystem_version().expect("fixed RPM has a version");
                from_csaf.insert((purl.name().to_owned(), version.into_owned()));
            }
        }
        // Compare under the RPM ordering: OSV writes epoch 0 as `0:`, purls leave it out.
        let equal = |a: &(String, String), b: &(String, String)| {
            a.0 == b.0 && rpm.compare(&a.1, &b.1) == Ok(std::cmp::Ordering::Equal)
        };
        for fixed in &from_osv {
            assert!(
                from_csaf.iter().any(|c| equal(fixed, c)),
                "{advisory}: OSV fixed {fixed:?} is not a fixed RPM in the CSAF document"
            );
        }
        for fixed in &from_csaf {
            assert!(
                from_osv.iter().any(|o| equal(o, fixed)),
                "{advisory}: CSAF fixed {fixed:?} is missing from the OSV conversion"
            );
        }
        assert!(!from_osv.is_empty());
    }
}

/// Every CycloneDX SBOM in shared data keeps exactly the dependency edges its `dependencies`
/// list draws between its own components (counted from the raw JSON).
#[test]
fn cyclonedx_sboms_keep_every_dependency_edge() {
    let Some(root) = shared::path("sbom/cyclonedx") else {
        return;
    };
    let (mut checked, mut edges) = (0, 0);
    for path in json_files_under(root) {
        let raw = read_json(&path);
        if raw.get("bomFormat").is_none() {
            continue;
        }
        let parsed = sbom::parse(&fs::read(&path).expect("readable"))
            .unwrap_or_else(|err| panic!("{}: {err}", path.display()));
        let expected = raw_cyclonedx_dependency_edges(&raw);
        assert_eq!(parsed.dependencies.len(), expected, "{}", path.display());
        edges += expected;
        checked += 1;
    }
    assert!(checked > 60, "only {checked} CycloneDX SBOMs");
    assert!(edges > 1_000, "only {edges} edges");
}

/// Distinct `dependencies[].dependsOn` pairs of a raw CycloneDX BOM whose two ends are both
/// components of it (metadata component and nested ones included), matched by `bom-ref`.
fn raw_cyclonedx_dependency_edges(bom: &Value) -> usize {
    fn refs<'a>(components: Option<&'a Value>, out: &mut HashSet<&'a str>) {
        for component in components.and_then(Value::as_array).into_iter().flatten() {
            if let Some(reference) = component.get("bom-ref").and_then(Value::as_str) {
                out.insert(reference);
            }
            refs(component.get("components"), out);
        }
    }
    let mut known = HashSet::new();
    if let Some(main) = bom.get("metadata").and_then(|m| m.get("component")) {
        if let Some(reference) = main.get("bom-ref").and_then(Value::as_str) {
            known.insert(reference);
        }
        refs(main.get("components"), &mut known);
    }
    refs(bom.get("components"), &mut known);
    let mut edges = HashSet::new();
    for dependency in bom
        .get("dependencies")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(from) = dependency.get("ref").and_then(Value::as_str) else {
            continue;
        };
        for to in dependency
            .get("dependsOn")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            if known.contains(from) && known.contains(to) {
                edges.insert((from, to));
            }
        }
    }
    edges.len()
}
