//! The bundled schemas (see `schemas/PROVENANCE.md`) against the upstream copies in shared data.

use std::path::{Path, PathBuf};

use serde_json::Value;

fn shared_schemas() -> Option<PathBuf> {
    let path = std::env::var_os("CLEARINGHOUSE_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"))
        .join("schemas");
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

fn bundled(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("schemas")
            .join(name),
    )
    .unwrap_or_else(|err| panic!("bundled schema {name}: {err}"))
}

fn json(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).unwrap_or_else(|err| panic!("not JSON: {err}"))
}

#[test]
fn csaf_and_cvss_schemas_are_byte_identical() {
    let Some(shared) = shared_schemas() else {
        return;
    };
    for (ours, theirs) in [
        (
            "csaf/csaf_2.0_json_schema.json",
            "csaf/csaf_2.0/json_schema/csaf_json_schema.json",
        ),
        (
            "csaf/cvss-v2.0.json",
            "csaf/csaf_2.0/referenced_schema/first/cvss-v2.0.json",
        ),
        (
            "csaf/cvss-v3.0.json",
            "csaf/csaf_2.0/referenced_schema/first/cvss-v3.0.json",
        ),
        (
            "csaf/cvss-v3.1.json",
            "csaf/csaf_2.0/referenced_schema/first/cvss-v3.1.json",
        ),
        (
            "cyclonedx/jsf-0.82.SNAPSHOT.schema.json",
            "cyclonedx/schema/jsf-0.82.schema.json",
        ),
        (
            "cyclonedx/cryptography-defs.SNAPSHOT.schema.json",
            "cyclonedx/schema/cryptography-defs.schema.json",
        ),
    ] {
        assert_eq!(
            bundled(ours),
            std::fs::read(shared.join(theirs)).unwrap(),
            "{ours}"
        );
    }
}

fn drop_string_formats(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if map.get("format").and_then(Value::as_str) == Some("string") {
                map.remove("format");
            }
            map.values_mut().for_each(drop_string_formats);
        }
        Value::Array(items) => items.iter_mut().for_each(drop_string_formats),
        _ => {}
    }
}

#[test]
fn cyclonedx_schemas_equal_upstream_after_undoing_the_snapshot_rename() {
    let Some(shared) = shared_schemas() else {
        return;
    };
    for version in ["1.2", "1.3", "1.4", "1.5", "1.6", "1.7"] {
        let ours = String::from_utf8(bundled(&format!(
            "cyclonedx/bom-{version}.SNAPSHOT.schema.json"
        )))
        .unwrap();
        let renamed = ours.replace(".SNAPSHOT.schema.json", ".schema.json");
        let mut theirs = json(
            &std::fs::read(shared.join(format!("cyclonedx/schema/bom-{version}.schema.json")))
                .unwrap(),
        );
        // The npm package's two other edits (see PROVENANCE.md): `$schema` may be any string, and
        // in 1.2 to 1.4 `version` is no longer required (as in 1.5 and later).
        // (1.2 and 1.3 have no `$schema` property; `get_mut` keeps indexing from inserting one.)
        if let Some(property) = theirs
            .get_mut("properties")
            .and_then(|p| p.get_mut("$schema"))
            .and_then(Value::as_object_mut)
        {
            property.remove("enum");
        }
        if ["1.2", "1.3", "1.4"].contains(&version) {
            theirs["required"] = serde_json::json!(["bomFormat", "specVersion"]);
        }
        // 1.2 annotates four strings with `"format": "string"`, which is no JSON Schema format;
        // the npm package dropped them.
        if version == "1.2" {
            drop_string_formats(&mut theirs);
        }
        assert!(
            json(renamed.as_bytes()) == theirs,
            "bom-{version} differs from upstream beyond the known edits"
        );
    }
    // The npm package's licence list is newer: it must contain every upstream licence id.
    let ours = json(&bundled("cyclonedx/spdx.SNAPSHOT.schema.json"));
    let theirs = json(&std::fs::read(shared.join("cyclonedx/schema/spdx.schema.json")).unwrap());
    let ids = |schema: &Value| -> Vec<String> {
        schema["enum"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect()
    };
    let ours = ids(&ours);
    let missing: Vec<_> = ids(&theirs)
        .into_iter()
        .filter(|id| !ours.contains(id))
        .collect();
    assert!(
        missing.is_empty(),
        "licence ids missing from the bundled list: {missing:?}"
    );
}

#[test]
fn osv_and_spdx_schemas_are_other_revisions_of_the_same_schema() {
    let Some(shared) = shared_schemas() else {
        return;
    };
    // Documented in PROVENANCE.md: no registry package ships the exact upstream revision. Check that
    // they are revisions of the same schema (same title and required members) and that the text
    // really differs, so this test notices when a package catches up.
    for (ours, theirs) in [
        ("osv/schema.json", "osv/schema.json"),
        ("spdx/spdx_2_3.json", "spdx/spdx-schema-v2.3.json"),
    ] {
        let (a, b) = (
            json(&bundled(ours)),
            json(&std::fs::read(shared.join(theirs)).unwrap()),
        );
        assert_eq!(a["title"], b["title"], "{ours}");
        assert_eq!(a["type"], b["type"], "{ours}");
        assert!(a != b, "{ours} now equals upstream: update PROVENANCE.md");
    }
    // The bundled OSV revision is the one current records need: `upstream` and ecosystems with
    // suffixes (`Ubuntu:Pro:22.04:LTS`).
    let osv = json(&bundled("osv/schema.json"));
    assert!(osv["properties"]["upstream"].is_object());
    assert!(osv["$defs"]["ecosystemWithSuffix"].is_object());
}
