//! All of ../shared/data, on every engine: every advisory, KEV entry and CVE record imports with no
//! valid document refused, a second import changes nothing, and every shared SBOM uploads with an
//! exact answer:
//!
//! - the server's matches for it equal the offline matcher's (`standards::matching::Index` over
//!   the very documents the knowledge base kept), component by component, record by record;
//! - an SBOM with no match has none for a reason read from the raw files, independently of the
//!   matcher: none of its package URL keys or CPE `vendor:product` pairs occurs in the advisories
//!   at all, or occurs only where the advisory says fixed or not affected, or the overlap is one
//!   of the hand-checked cases below (a version outside the range, checked by reading the file);
//! - hand-checked matches (a component, the record and the range, checked by reading the files)
//!   are found, among them Red Hat CSAF VEX ones through a product CPE.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use clearinghouse_app::knowledge::ImportKind;
use clearinghouse_domain::authz::Actor;
use clearinghouse_domain::inventory::{Exposure, MissionImpact, NewAsset, SafetyImpact};
use clearinghouse_domain::page::PageRequest;
use clearinghouse_domain::{OrgKind, Sector, VulnerabilityId};
use clearinghouse_standards::knowledge::{self, SourceKind};
use clearinghouse_standards::matching::Index;
use serde_json::Value;

use crate::support::{TestApp, spawn_apps};

/// Overlaps of zero-match SBOMs with advisories that mark the package affected in some version,
/// each checked by reading the advisory: (SBOM path suffix, loose key, advisory, why not).
const NOT_AFFECTED_BY_VERSION: &[(&str, &str, &str, &str)] = &[
    (
        "juice-shop/v11.1.2/bom.json",
        "npm/mixin-deep",
        "GHSA-fhjf-83wg-r2j9",
        "mixin-deep 1.3.2 is the fixed version (introduced 0, fixed 1.3.2; 2.0.0 to 2.0.1)",
    ),
    (
        "juice-shop/via_npm/bare/bom.1.4.json",
        "npm/mixin-deep",
        "GHSA-fhjf-83wg-r2j9",
        "mixin-deep 1.3.2 is the fixed version",
    ),
    (
        "protonmail-webclient-v4-0912dff/bom.json",
        "npm/mixin-deep",
        "GHSA-fhjf-83wg-r2j9",
        "mixin-deep 1.3.2 is the fixed version",
    ),
    (
        "protonmail-webclient-v4-0912dff/bom.json",
        "npm/jquery",
        "GHSA-mhpp-875w-9cpv",
        "jquery 3.4.1 is outside >=2.1.1-0, <3.0.0",
    ),
    (
        "keycloak-10.0.2/bom.json",
        "maven/org-keycloak:keycloak-parent",
        "GHSA-458h-wv48-fq75",
        "keycloak-parent 10.0.2 is after every range (last affected 3.4.3.Final; 4.0.0.Beta1 to Beta2; 4.3.0.Final)",
    ),
    (
        "quarkus-bom-3.2.11.Final-redhat-00001.json",
        "cpe/redhat:quarkus",
        "CVE-2023-33201, CVE-2023-20862",
        "Red Hat marks stream 2 affected (cpe:/a:redhat:quarkus:2); this is 3.2 (cpe:/a:redhat:quarkus:3.2::el8)",
    ),
];

/// Matches checked by reading the files: (SBOM suffix, component, version, record, an alias of
/// the vulnerability, the range as shown, matched by).
const HAND_CHECKED_MATCHES: &[(&str, &str, &str, &str, &str, &str, &str)] = &[
    // PyPA YAML: introduced 0, fixed 3.7.4 (and a GIT range).
    (
        "cyclonedx/ghsa_test.json",
        "aiohttp",
        "1.0.5",
        "PYSEC-2021-76",
        "CVE-2021-21330",
        ">=0, <2545222a3853e31ace15d87ae0e2effb7da0c96b; >=0, <3.7.4",
        "purl",
    ),
    // RustSec: 1.19.0 to 1.20.3 among three ranges.
    (
        "example11/spdx2.3/sbom.spdx.json",
        "tokio",
        "1.19.2",
        "RUSTSEC-2023-0001",
        "CVE-2023-22466",
        ">=1.7.0, <1.18.4, >=1.19.0, <1.20.3, >=1.21.0, <1.23.1",
        "purl",
    ),
    // Go: fixed 0.17.0.
    (
        "nhc/v1/nhc-0.4.z.json",
        "golang.org/x/crypto",
        "v0.14.0",
        "GO-2023-2402",
        "CVE-2023-48795",
        ">=0, <0.17.0",
        "purl",
    ),
    // Go pseudo-version v0.0.0-2022… is before the fix 1.6.6.
    (
        "spdx/TC-1817-1.json",
        "github.com/coredns/coredns",
        "v0.0.0-20220527153959-45b0a11294c5",
        "GO-2022-0368",
        "GHSA-gv9j-4w24-q7vx",
        ">=0, <1.6.6",
        "purl",
    ),
    // Go: 1.9.0 up to the fix 1.9.1.
    (
        "example_container_variant_amd64.json",
        "github.com/sirupsen/logrus",
        "v1.9.0",
        "GO-2025-4188",
        "CVE-2025-65637",
        ">=0, <1.8.3, >=1.9.0, <1.9.1, >=1.9.2, <1.9.3",
        "purl",
    ),
    // Red Hat CSAF VEX: bouncycastle (no purl) is known_affected as a component of the product
    // stream cpe:/a:redhat:quarkus:2; the SBOM's product is cpe:/a:redhat:quarkus:2.13::el8.
    (
        "quarkus-bom-2.13.8.Final-redhat-00004.json",
        "quarkus-bom",
        "2.13.8.Final-redhat-00004",
        "CVE-2023-33201",
        "CVE-2023-33201",
        "bouncycastle as a component of Red Hat build of Quarkus (cpe:/a:redhat:quarkus:2)",
        "cpe",
    ),
    // Red Hat CSAF VEX: jenkins is known_affected as a component of cpe:/a:redhat:ocp_tools (any
    // version); the SBOM's jenkins carries cpe:/a:redhat:ocp_tools:4.11::el8.
    (
        "OCP-TOOLS-4.11-RHEL-8.json",
        "jenkins",
        "2.426.3.1706516929-3.el8",
        "CVE-2023-20862",
        "CVE-2023-20862",
        "jenkins as a component of OpenShift Developer Tools and Services (cpe:/a:redhat:ocp_tools)",
        "cpe",
    ),
];

fn collect_json(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect_json(&path, out);
        } else if path.extension().is_some_and(|e| e == "json" || e == "yaml") {
            out.push(path);
        }
    }
}

// The independent reading of the raw files: loose keys, no version logic.

/// The ecosystem family of an OSV ecosystem or a purl type, lowercase, release dropped.
fn family(name: &str) -> String {
    let base = name.split(':').next().unwrap_or(name).trim().to_lowercase();
    match base.as_str() {
        "cargo" => "crates.io".into(),
        "golang" => "go".into(),
        "gem" => "rubygems".into(),
        "composer" => "packagist".into(),
        "deb" | "ubuntu" => "debian".into(),
        "red hat" | "rocky linux" | "almalinux" | "suse" | "opensuse" => "rpm".into(),
        "apk" => "alpine".into(),
        other => other.into(),
    }
}

/// Lowercase, runs of `-`, `_`, `.` as one `-`.
fn loose(name: &str) -> String {
    let mut out = String::new();
    let mut separator = false;
    for c in name.to_lowercase().chars() {
        if matches!(c, '-' | '_' | '.') {
            if !separator {
                out.push('-');
            }
            separator = true;
        } else {
            out.push(c);
            separator = false;
        }
    }
    out
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = text.get(i + 1..i + 3)
            && let Ok(byte) = u8::from_str_radix(hex, 16)
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

/// `family/name` of a package URL (Maven `group:artifact`, distributions without vendor).
fn purl_loose_key(purl: &str) -> Option<String> {
    let rest = purl.strip_prefix("pkg:")?;
    let (ty, path) = rest.split_once('/')?;
    let path = path.split(['?', '#']).next()?;
    let path = match path.rsplit_once('@') {
        Some((before, _)) => before,
        None => path,
    };
    let parts: Vec<String> = path.split('/').map(percent_decode).collect();
    let ty = ty.to_lowercase();
    let name = match (ty.as_str(), parts.as_slice()) {
        ("maven", [.., group, artifact]) => format!("{group}:{artifact}"),
        ("deb" | "rpm" | "apk" | "oci", [.., name]) => name.clone(),
        _ => parts.join("/"),
    };
    Some(format!("{}/{}", family(&ty), loose(&name)))
}

/// `cpe/vendor:product` of a CPE 2.3 formatted string or 2.2 URI.
fn cpe_loose_key(cpe: &str) -> Option<String> {
    let (vendor, product) = if let Some(rest) = cpe.strip_prefix("cpe:2.3:") {
        let mut fields = Vec::new();
        let mut current = String::new();
        let mut escaped = false;
        for c in rest.chars() {
            match (escaped, c) {
                (true, _) => {
                    current.push(c);
                    escaped = false;
                }
                (false, '\\') => escaped = true,
                (false, ':') => fields.push(std::mem::take(&mut current)),
                (false, _) => current.push(c),
            }
        }
        fields.push(current);
        (fields.get(1)?.clone(), fields.get(2)?.clone())
    } else {
        let rest = cpe.strip_prefix("cpe:/")?;
        let fields: Vec<&str> = rest.split(':').collect();
        (
            percent_decode(fields.get(1)?),
            percent_decode(fields.get(2)?),
        )
    };
    if vendor.is_empty() || product.is_empty() || vendor == "*" || product == "*" {
        return None;
    }
    Some(format!(
        "cpe/{}:{}",
        vendor.to_lowercase(),
        product.to_lowercase()
    ))
}

/// Where the raw advisories mention a key: (record, whether in an affected status).
type Mentions = HashMap<String, Vec<(String, bool)>>;

fn osv_mentions(path: &Path, mentions: &mut Mentions) {
    let Ok(bytes) = std::fs::read(path) else {
        return;
    };
    let Ok(record) = clearinghouse_standards::osv::from_slice(&bytes) else {
        return;
    };
    for affected in &record.affected {
        if let Some(package) = &affected.package {
            let key = format!("{}/{}", family(&package.ecosystem), loose(&package.name));
            mentions
                .entry(key)
                .or_default()
                .push((record.id.clone(), true));
        }
    }
}

/// Every product id of a CSAF product tree with its own identifiers, and relationships.
fn csaf_products(node: &Value, out: &mut HashMap<String, Vec<String>>) {
    match node {
        Value::Object(map) => {
            let product = map
                .get("product")
                .filter(|p| p.is_object())
                .or_else(|| map.get("product_id").map(|_| node));
            if let Some(product) = product
                && let Some(id) = product.get("product_id").and_then(Value::as_str)
            {
                let helper = &product["product_identification_helper"];
                let keys: Vec<String> = helper["purl"]
                    .as_str()
                    .and_then(purl_loose_key)
                    .into_iter()
                    .chain(helper["cpe"].as_str().and_then(cpe_loose_key))
                    .collect();
                out.entry(id.to_owned()).or_default().extend(keys);
            }
            for value in map.values() {
                csaf_products(value, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| csaf_products(v, out)),
        _ => {}
    }
}

fn csaf_mentions(path: &Path, mentions: &mut Mentions) {
    let Ok(bytes) = std::fs::read(path) else {
        return;
    };
    let Ok(document) = serde_json::from_slice::<Value>(&bytes) else {
        return;
    };
    let Some(tree) = document.get("product_tree") else {
        return;
    };
    let tracking = document["document"]["tracking"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let mut products = HashMap::new();
    csaf_products(tree, &mut products);
    let mut relationships: HashMap<String, Vec<String>> = HashMap::new();
    for relationship in tree["relationships"].as_array().into_iter().flatten() {
        if let Some(id) = relationship["full_product_name"]["product_id"].as_str() {
            for end in ["product_reference", "relates_to_product_reference"] {
                if let Some(other) = relationship[end].as_str() {
                    relationships
                        .entry(id.to_owned())
                        .or_default()
                        .push(other.to_owned());
                }
            }
        }
    }
    for vulnerability in document["vulnerabilities"].as_array().into_iter().flatten() {
        let Some(statuses) = vulnerability["product_status"].as_object() else {
            continue;
        };
        for (list, ids) in statuses {
            let affected = matches!(
                list.as_str(),
                "known_affected" | "first_affected" | "last_affected"
            );
            for id in ids
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
            {
                let mut keys: Vec<&String> = products.get(id).into_iter().flatten().collect();
                for other in relationships.get(id).into_iter().flatten() {
                    keys.extend(products.get(other).into_iter().flatten());
                }
                for key in keys {
                    mentions
                        .entry(key.clone())
                        .or_default()
                        .push((tracking.clone(), affected));
                }
            }
        }
    }
}

/// The loose keys of an SBOM's components, read from the raw JSON.
fn sbom_keys(document: &Value) -> BTreeSet<String> {
    let mut keys = BTreeSet::new();
    fn walk(components: &Value, keys: &mut BTreeSet<String>) {
        for component in components.as_array().into_iter().flatten() {
            keys.extend(component["purl"].as_str().and_then(purl_loose_key));
            keys.extend(component["cpe"].as_str().and_then(cpe_loose_key));
            walk(&component["components"], keys);
        }
    }
    if document.get("bomFormat").is_some() {
        if let Some(main) = document["metadata"].get("component") {
            walk(&Value::Array(vec![main.clone()]), &mut keys);
        }
        walk(&document["components"], &mut keys);
    } else {
        for package in document["packages"].as_array().into_iter().flatten() {
            for reference in package["externalRefs"].as_array().into_iter().flatten() {
                let locator = reference["referenceLocator"].as_str().unwrap_or_default();
                match reference["referenceType"].as_str() {
                    Some("purl") => keys.extend(purl_loose_key(locator)),
                    Some("cpe22Type" | "cpe23Type") => keys.extend(cpe_loose_key(locator)),
                    _ => {}
                }
            }
        }
    }
    keys
}

// The offline matcher over what the knowledge base kept.

/// Every stored record, parsed again and added to an offline index; and record ids by advisory id.
async fn offline_index(t: &TestApp) -> (Index, HashMap<String, String>) {
    let system = Actor::system();
    let mut index = Index::new();
    let mut records = HashMap::new();
    let mut page = PageRequest::new(None, Some(500));
    loop {
        let listed = t
            .app
            .list_advisories(&system, None, &page)
            .await
            .expect("advisories");
        for summary in &listed.items {
            records.insert(summary.id.to_string(), summary.source_id.clone());
            let (_, bytes) = t.app.advisory(&system, summary.id).await.expect("document");
            match summary.source {
                SourceKind::Osv => {
                    let record = clearinghouse_standards::osv::from_slice(&bytes).expect("osv");
                    index.add_osv(&record, &summary.location);
                }
                SourceKind::Csaf => {
                    let document = clearinghouse_standards::csaf::from_slice(&bytes).expect("csaf");
                    index.add_csaf(&document, &summary.location);
                }
                SourceKind::CycloneDx => {
                    let bom = clearinghouse_standards::cyclonedx::from_slice(&bytes).expect("bom");
                    index.add_record(
                        &knowledge::from_cyclonedx_vex(&bom, &summary.location),
                        &summary.location,
                    );
                }
                SourceKind::Kev | SourceKind::Cve => {}
            }
        }
        match listed.next_cursor {
            Some(cursor) => page = PageRequest::new(Some(cursor), Some(500)),
            None => break,
        }
    }
    (index, records)
}

#[tokio::test]
async fn all_shared_data_imports_idempotently_and_every_sbom_gets_an_exact_answer() {
    let Some(data) = clearinghouse_testkit::shared_data(
        "all_shared_data_imports_idempotently_and_every_sbom_gets_an_exact_answer",
    ) else {
        return;
    };
    let sources = [
        (ImportKind::Osv, data.join("osv")),
        // Red Hat's OSV records sit in the CSAF tree (the CSAF import refuses them as not CSAF).
        (
            ImportKind::Osv,
            data.join("csaf/redhat-osv-schema-testdata/OSV"),
        ),
        (ImportKind::Csaf, data.join("csaf")),
        (
            ImportKind::Kev,
            data.join("kev/known_exploited_vulnerabilities.json"),
        ),
        (ImportKind::Cve, data.join("ssvc/vulnrichment")),
    ];

    // The raw advisories, read independently of the knowledge base.
    let mut mentions = Mentions::new();
    let mut files = Vec::new();
    collect_json(&data.join("osv"), &mut files);
    collect_json(
        &data.join("csaf/redhat-osv-schema-testdata/OSV"),
        &mut files,
    );
    for file in &files {
        osv_mentions(file, &mut mentions);
    }
    let mut files = Vec::new();
    collect_json(&data.join("csaf"), &mut files);
    for file in &files {
        csaf_mentions(file, &mut mentions);
    }
    let mut sboms = Vec::new();
    collect_json(&data.join("sbom"), &mut sboms);
    sboms.retain(|path| {
        std::fs::read(path)
            .ok()
            .is_some_and(|bytes| clearinghouse_standards::sbom::parse(&bytes).is_ok())
    });
    assert!(sboms.len() > 100, "{} SBOMs", sboms.len());

    for t in spawn_apps().await {
        eprintln!("engine: {}", t.engine);
        let system = Actor::system();
        let options = clearinghouse_feeds::FeedOptions::default();
        for pass in 0..2 {
            for (kind, path) in &sources {
                let mut quiet = |_: u64, _: Option<u64>| {};
                let summary = t
                    .app
                    .import_source(
                        &system,
                        *kind,
                        &path.display().to_string(),
                        &options,
                        &mut quiet,
                    )
                    .await
                    .expect("import");
                eprintln!(
                    "pass {pass} {kind:?} {}: {} new, {} updated, {} unchanged, {} rejected",
                    path.display(),
                    summary.new,
                    summary.updated,
                    summary.unchanged,
                    summary.rejected.len()
                );
                // Refused: the schema suites' deliberately broken examples, the GHSA-API test
                // inputs and the OSV files in the CSAF tree (imported as OSV above).
                assert!(
                    summary
                        .rejected
                        .iter()
                        .all(|r| r.location.contains("testdata") || r.location.contains("invalid")),
                    "{kind:?}: valid documents rejected: {:?}",
                    summary.rejected
                );
                if pass == 1 {
                    assert_eq!(
                        (summary.new, summary.updated),
                        (0, 0),
                        "{kind:?}: a second import changes nothing"
                    );
                }
            }
        }
        let (index, records) = offline_index(&t).await;
        let org = t
            .org("SBOM Operator", OrgKind::Operator, Some(Sector::Energy))
            .await;
        let mut aliases: HashMap<String, Option<VulnerabilityId>> = HashMap::new();
        let mut failures = Vec::new();
        let mut used_exceptions = BTreeSet::new();
        let mut found_checked = BTreeSet::new();
        let (mut with_matches, mut total) = (0, 0);
        for (n, path) in sboms.iter().enumerate() {
            let shown = path
                .strip_prefix(&data)
                .unwrap_or(path)
                .display()
                .to_string();
            let bytes = std::fs::read(path).expect("read");
            let asset = t
                .app
                .create_asset(
                    &system,
                    org.id,
                    NewAsset::parse(
                        &format!("sbom {n}"),
                        MissionImpact::Degraded,
                        SafetyImpact::Marginal,
                        Exposure::Controlled,
                        None,
                        false,
                    )
                    .expect("asset"),
                )
                .await
                .expect("asset");
            t.app
                .upload_inventory(&system, asset.id, &bytes)
                .await
                .unwrap_or_else(|e| panic!("{shown} does not upload: {e}"));
            let stored = t
                .app
                .store()
                .org_matches(org.id, Some(asset.id))
                .await
                .expect("matches");
            let server: BTreeSet<(u32, String, VulnerabilityId)> = stored
                .iter()
                .map(|m| {
                    (
                        m.found.component_seq,
                        records[&m.found.advisory.to_string()].clone(),
                        m.found.vulnerability,
                    )
                })
                .collect();
            let parsed = clearinghouse_standards::sbom::parse(&bytes).expect("parsed above");
            let mut offline = BTreeSet::new();
            for found in index.match_sbom(&parsed) {
                let advisory = &index.advisories()[found.advisory];
                if !aliases.contains_key(&advisory.id) {
                    let vulnerability = t
                        .app
                        .store()
                        .vulnerability_by_alias(&advisory.id)
                        .await
                        .expect("alias")
                        .map(|v| v.id);
                    aliases.insert(advisory.id.clone(), vulnerability);
                }
                match aliases[&advisory.id] {
                    Some(vulnerability) => {
                        offline.insert((
                            found.component as u32,
                            advisory.record.clone(),
                            vulnerability,
                        ));
                    }
                    None => failures.push(format!(
                        "{shown}: {} is unknown to the knowledge base",
                        advisory.id
                    )),
                }
            }
            if server != offline {
                failures.push(format!(
                    "{shown}: the server and the offline matcher disagree: only the server {:?}, only offline {:?}",
                    server.difference(&offline).take(5).collect::<Vec<_>>(),
                    offline.difference(&server).take(5).collect::<Vec<_>>()
                ));
            }
            total += stored.len();
            if !stored.is_empty() {
                with_matches += 1;
                for (suffix, component, version, record, alias, range, by) in HAND_CHECKED_MATCHES {
                    if !shown.ends_with(suffix) {
                        continue;
                    }
                    for m in &stored {
                        let f = &m.found;
                        if f.component_name == *component
                            && f.component_version.as_deref() == Some(*version)
                            && records[&f.advisory.to_string()] == *record
                            && f.range == *range
                            && f.matched_by == *by
                        {
                            let known = t
                                .app
                                .store()
                                .vulnerability(f.vulnerability)
                                .await
                                .expect("vulnerability");
                            if known.is_some_and(|v| v.aliases.iter().any(|a| a == alias)) {
                                found_checked.insert((*suffix, *record));
                            }
                        }
                    }
                }
                continue;
            }
            // No match: the raw files must say why.
            let document: Value = serde_json::from_slice(&bytes).expect("JSON");
            for key in sbom_keys(&document) {
                let Some(found) = mentions.get(&key) else {
                    continue;
                };
                if found.iter().all(|(_, affected)| !affected) {
                    continue; // only fixed, not affected or under investigation
                }
                match NOT_AFFECTED_BY_VERSION
                    .iter()
                    .find(|(suffix, k, ..)| shown.ends_with(suffix) && *k == key)
                {
                    Some(exception) => {
                        used_exceptions.insert((exception.0, exception.1));
                    }
                    None => failures.push(format!(
                        "{shown}: no match, yet {key} is marked affected by {:?}",
                        found
                            .iter()
                            .filter(|(_, a)| *a)
                            .map(|(r, _)| r)
                            .collect::<BTreeSet<_>>()
                    )),
                }
            }
        }
        eprintln!(
            "{} SBOMs uploaded, {with_matches} with matches, {total} matches",
            sboms.len()
        );
        let stale: Vec<_> = NOT_AFFECTED_BY_VERSION
            .iter()
            .filter(|(suffix, key, ..)| !used_exceptions.contains(&(*suffix, *key)))
            .collect();
        assert!(
            stale.is_empty(),
            "hand-checked exceptions no SBOM needed: {stale:?}"
        );
        let missing: Vec<_> = HAND_CHECKED_MATCHES
            .iter()
            .filter(|(suffix, _, _, record, ..)| !found_checked.contains(&(*suffix, *record)))
            .collect();
        assert!(
            missing.is_empty(),
            "hand-checked matches not found: {missing:?}"
        );
        assert!(
            failures.is_empty(),
            "{} problems:\n{}",
            failures.len(),
            failures.join("\n")
        );
        let priorities = t
            .app
            .priorities(&system, org.id, false)
            .await
            .expect("priorities");
        assert!(!priorities.items.is_empty());
        eprintln!(
            "{} items to fix, {} matches not affected by VEX",
            priorities.items.len(),
            priorities.not_affected
        );
    }
}
