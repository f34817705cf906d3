//! Format detection, JSON Schema validation against the official schemas bundled in the crate, and
//! the decoding errors every reader in this crate shares.
//!
//! The schemas live under `crates/standards/schemas/` (see `PROVENANCE.md` there) and are compiled
//! into the binary with `include_str!`, so validation never touches the network or the disk.
//! References between schemas (CSAF → FIRST CVSS, CycloneDX → SPDX licence list and JSF) are served
//! from the bundle by file name; the query string some `$id`s carry (`cvss-v3.1.json?20211103`) is
//! ignored, which is how CSAF's plain `cvss-v3.1.json` reference finds it.
//!
//! Every problem carries a JSON path (`$.document.tracking.id`), whether it comes from the schema,
//! from deserialization or from the CSAF mandatory tests.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::de::DeserializeOwned;
use serde_json::Value;

/// A document that could not be read into our types.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DocumentError {
    /// The bytes are not UTF-8.
    #[error("{format}: not UTF-8: {message}")]
    Encoding {
        /// Format being read.
        format: &'static str,
        /// Decoder message.
        message: String,
    },
    /// The text is not well-formed JSON or YAML.
    #[error("{format}: syntax error at line {line}, column {column}: {message}")]
    Syntax {
        /// Format being read.
        format: &'static str,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// Parser message.
        message: String,
    },
    /// Well-formed, but a value has the wrong shape.
    #[error("{format}: at {path}: {message}")]
    Shape {
        /// Format being read.
        format: &'static str,
        /// JSON path of the offending value, e.g. `$.affected[0].ranges`.
        path: String,
        /// What was wrong.
        message: String,
    },
}

impl DocumentError {
    /// JSON path of the problem, `$` when it concerns the whole document.
    pub fn path(&self) -> &str {
        match self {
            DocumentError::Shape { path, .. } => path,
            _ => "$",
        }
    }
}

/// Decodes JSON into `T`, reporting type errors with their JSON path.
pub(crate) fn decode_json<T: DeserializeOwned>(
    format: &'static str,
    text: &str,
) -> Result<T, DocumentError> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|err| {
        path_error(format, err, |inner| {
            (
                inner.line(),
                inner.column(),
                inner.is_syntax() || inner.is_eof(),
            )
        })
    })?;
    deserializer.end().map_err(|err| DocumentError::Syntax {
        format,
        line: err.line(),
        column: err.column(),
        message: err.to_string(),
    })?;
    Ok(value)
}

/// Decodes JSON bytes into `T`.
pub(crate) fn decode_json_slice<T: DeserializeOwned>(
    format: &'static str,
    bytes: &[u8],
) -> Result<T, DocumentError> {
    let text = std::str::from_utf8(bytes).map_err(|err| DocumentError::Encoding {
        format,
        message: err.to_string(),
    })?;
    decode_json(format, text)
}

/// Decodes YAML into `T`, reporting type errors with their JSON path.
pub(crate) fn decode_yaml<T: DeserializeOwned>(
    format: &'static str,
    text: &str,
) -> Result<T, DocumentError> {
    let deserializer = serde_yaml::Deserializer::from_str(text);
    serde_path_to_error::deserialize(deserializer).map_err(|err| {
        path_error(format, err, |inner| {
            let location = inner.location();
            let is_syntax = location.is_some() && !inner.to_string().contains("invalid type");
            let (line, column) = location.map_or((0, 0), |at| (at.line(), at.column()));
            (line, column, is_syntax)
        })
    })
}

fn path_error<E: std::fmt::Display>(
    format: &'static str,
    err: serde_path_to_error::Error<E>,
    locate: impl Fn(&E) -> (usize, usize, bool),
) -> DocumentError {
    let path = json_path(err.path());
    let inner = err.into_inner();
    let (line, column, is_syntax) = locate(&inner);
    if is_syntax && path == "$" {
        DocumentError::Syntax {
            format,
            line,
            column,
            message: inner.to_string(),
        }
    } else {
        DocumentError::Shape {
            format,
            path,
            message: inner.to_string(),
        }
    }
}

/// Renders a serde path as a JSON path: `affected[0].ranges` → `$.affected[0].ranges`.
pub(crate) fn json_path(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::from("$");
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => out.push_str(&format!("[{index}]")),
            Segment::Map { key } => {
                out.push('.');
                out.push_str(key);
            }
            Segment::Enum { variant } => {
                out.push('.');
                out.push_str(variant);
            }
            Segment::Unknown => {}
        }
    }
    out
}

/// Renders a JSON pointer (`/a/0/b`) as a JSON path (`$.a[0].b`).
pub fn pointer_to_path(pointer: &str) -> String {
    let mut out = String::from("$");
    for raw in pointer.split('/').skip(1) {
        let segment = raw.replace("~1", "/").replace("~0", "~");
        if !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit()) {
            out.push_str(&format!("[{segment}]"));
        } else {
            out.push('.');
            out.push_str(&segment);
        }
    }
    out
}

/// The document formats the clearinghouse ingests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Format {
    /// An OSV record.
    Osv,
    /// A CSAF 2.0 document.
    Csaf,
    /// A CycloneDX JSON BOM.
    CycloneDx,
    /// An SPDX 2.x JSON document.
    Spdx,
    /// A SARIF 2.1.0 log.
    Sarif,
}

impl Format {
    /// Short human name.
    pub fn name(self) -> &'static str {
        match self {
            Format::Osv => "OSV",
            Format::Csaf => "CSAF",
            Format::CycloneDx => "CycloneDX",
            Format::Spdx => "SPDX",
            Format::Sarif => "SARIF",
        }
    }
}

/// Guesses the format of a parsed JSON document from its distinctive top-level keys.
pub fn detect(document: &Value) -> Option<Format> {
    let object = document.as_object()?;
    if object.get("bomFormat").and_then(Value::as_str) == Some("CycloneDX") {
        return Some(Format::CycloneDx);
    }
    if object.get("spdxVersion").is_some() {
        return Some(Format::Spdx);
    }
    if object
        .get("document")
        .and_then(|doc| doc.get("csaf_version"))
        .is_some()
    {
        return Some(Format::Csaf);
    }
    if object.get("runs").is_some_and(Value::is_array)
        && (object.contains_key("version") || object.contains_key("$schema"))
    {
        return Some(Format::Sarif);
    }
    if object.contains_key("id")
        && [
            "affected",
            "modified",
            "aliases",
            "schema_version",
            "published",
        ]
        .iter()
        .any(|key| object.contains_key(*key))
    {
        return Some(Format::Osv);
    }
    None
}

/// A bundled official schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Schema {
    /// OSV schema.
    Osv,
    /// CSAF 2.0 (with FIRST's CVSS 2.0/3.0/3.1 schemas it references).
    Csaf20,
    /// CycloneDX 1.2.
    CycloneDx12,
    /// CycloneDX 1.3.
    CycloneDx13,
    /// CycloneDX 1.4.
    CycloneDx14,
    /// CycloneDX 1.5.
    CycloneDx15,
    /// CycloneDX 1.6.
    CycloneDx16,
    /// CycloneDX 1.7.
    CycloneDx17,
    /// SPDX 2.3 (also used for 2.2 documents: 2.3 only added optional fields).
    Spdx23,
    /// SARIF 2.1.0 (the OASIS TC's current schema, errata included).
    Sarif210,
}

impl Schema {
    /// Every bundled schema.
    pub const ALL: [Schema; 10] = [
        Schema::Osv,
        Schema::Csaf20,
        Schema::CycloneDx12,
        Schema::CycloneDx13,
        Schema::CycloneDx14,
        Schema::CycloneDx15,
        Schema::CycloneDx16,
        Schema::CycloneDx17,
        Schema::Spdx23,
        Schema::Sarif210,
    ];

    /// The schema text exactly as shipped by its registry package.
    pub fn text(self) -> &'static str {
        match self {
            Schema::Osv => include_str!("../schemas/osv/schema.json"),
            Schema::Csaf20 => include_str!("../schemas/csaf/csaf_2.0_json_schema.json"),
            Schema::CycloneDx12 => {
                include_str!("../schemas/cyclonedx/bom-1.2.SNAPSHOT.schema.json")
            }
            Schema::CycloneDx13 => {
                include_str!("../schemas/cyclonedx/bom-1.3.SNAPSHOT.schema.json")
            }
            Schema::CycloneDx14 => {
                include_str!("../schemas/cyclonedx/bom-1.4.SNAPSHOT.schema.json")
            }
            Schema::CycloneDx15 => {
                include_str!("../schemas/cyclonedx/bom-1.5.SNAPSHOT.schema.json")
            }
            Schema::CycloneDx16 => {
                include_str!("../schemas/cyclonedx/bom-1.6.SNAPSHOT.schema.json")
            }
            Schema::CycloneDx17 => {
                include_str!("../schemas/cyclonedx/bom-1.7.SNAPSHOT.schema.json")
            }
            Schema::Spdx23 => include_str!("../schemas/spdx/spdx_2_3.json"),
            Schema::Sarif210 => include_str!("../schemas/sarif/sarif-schema-2.1.0.json"),
        }
    }

    /// Picks the schema for a document of a detected format, by its declared version.
    pub fn for_document(format: Format, document: &Value) -> Option<Schema> {
        match format {
            Format::Osv => Some(Schema::Osv),
            Format::Csaf => Some(Schema::Csaf20),
            Format::Spdx => Some(Schema::Spdx23),
            Format::CycloneDx => match document.get("specVersion").and_then(Value::as_str) {
                Some("1.2") => Some(Schema::CycloneDx12),
                Some("1.3") => Some(Schema::CycloneDx13),
                Some("1.4") => Some(Schema::CycloneDx14),
                Some("1.5") => Some(Schema::CycloneDx15),
                Some("1.6") => Some(Schema::CycloneDx16),
                Some("1.7") => Some(Schema::CycloneDx17),
                _ => None,
            },
            // Only 2.1.0 is bundled; a log that declares another version is not checked.
            Format::Sarif => match document.get("version").and_then(Value::as_str) {
                Some("2.1.0") | None => Some(Schema::Sarif210),
                Some(_) => None,
            },
        }
    }
}

/// Schemas referenced from the main ones, by file name (query string and `.SNAPSHOT` dropped).
const REFERENCED: [(&str, &str); 6] = [
    (
        "cvss-v2.0.json",
        include_str!("../schemas/csaf/cvss-v2.0.json"),
    ),
    (
        "cvss-v3.0.json",
        include_str!("../schemas/csaf/cvss-v3.0.json"),
    ),
    (
        "cvss-v3.1.json",
        include_str!("../schemas/csaf/cvss-v3.1.json"),
    ),
    (
        "spdx.schema.json",
        include_str!("../schemas/cyclonedx/spdx.SNAPSHOT.schema.json"),
    ),
    (
        "jsf-0.82.schema.json",
        include_str!("../schemas/cyclonedx/jsf-0.82.SNAPSHOT.schema.json"),
    ),
    (
        "cryptography-defs.schema.json",
        include_str!("../schemas/cyclonedx/cryptography-defs.SNAPSHOT.schema.json"),
    ),
];

/// One schema or rule violation.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    /// JSON path of the offending value.
    pub path: String,
    /// What is wrong.
    pub message: String,
    /// Which check found it: `schema`, `parse`, or a CSAF test number such as `6.1.1`.
    pub rule: String,
}

/// Validates a document against a bundled schema; an empty list means valid.
pub fn validate(schema: Schema, document: &Value) -> Vec<Problem> {
    match compiled(schema) {
        Ok(validator) => validator
            .iter_errors(document)
            .map(|error| Problem {
                path: pointer_to_path(error.instance_path().as_str()),
                message: error.to_string(),
                rule: "schema".to_owned(),
            })
            .collect(),
        Err(message) => vec![Problem {
            path: "$".to_owned(),
            message: format!("bundled schema does not compile: {message}"),
            rule: "schema".to_owned(),
        }],
    }
}

/// Validates a value against one of the referenced schemas (`cvss-v3.1.json`, …), as CSAF test
/// 6.1.8 does for each score; an unknown name is reported as a problem.
pub(crate) fn validate_referenced(file: &str, value: &Value) -> Vec<Problem> {
    static CACHE: OnceLock<Vec<Compiled>> = OnceLock::new();
    let compiled = CACHE.get_or_init(|| {
        REFERENCED
            .iter()
            .map(|(_, body)| {
                let contents: Value = serde_json::from_str(body).map_err(|err| err.to_string())?;
                jsonschema::options()
                    .with_retriever(BundledRetriever)
                    .build(&contents)
                    .map_err(|err| err.to_string())
            })
            .collect()
    });
    let found = REFERENCED
        .iter()
        .position(|(name, _)| *name == file)
        .and_then(|i| compiled.get(i));
    match found {
        Some(Ok(validator)) => validator
            .iter_errors(value)
            .map(|error| Problem {
                path: pointer_to_path(error.instance_path().as_str()),
                message: error.to_string(),
                rule: "schema".to_owned(),
            })
            .collect(),
        Some(Err(message)) => vec![Problem {
            path: "$".into(),
            message: message.clone(),
            rule: "schema".into(),
        }],
        None => vec![Problem {
            path: "$".into(),
            message: format!("schema {file} is not bundled"),
            rule: "schema".into(),
        }],
    }
}

/// Serves `$ref`s to the bundled referenced schemas; anything else is refused (no network).
struct BundledRetriever;

impl jsonschema::Retrieve for BundledRetriever {
    fn retrieve(
        &self,
        uri: &jsonschema::Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let text = uri.as_str();
        let without_query = text.split(['?', '#']).next().unwrap_or(text);
        let file = without_query
            .rsplit('/')
            .next()
            .unwrap_or(without_query)
            .replace(".SNAPSHOT", "");
        let found = REFERENCED
            .iter()
            .find(|(name, _)| *name == file)
            .map(|(_, body)| *body);
        match found {
            Some(body) => Ok(serde_json::from_str(body)?),
            None => Err(format!("schema {text} is not bundled").into()),
        }
    }
}

type Compiled = Result<jsonschema::Validator, String>;

fn compiled(schema: Schema) -> &'static Compiled {
    static CACHE: OnceLock<HashMap<Schema, OnceLock<Compiled>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| {
        Schema::ALL
            .iter()
            .map(|schema| (*schema, OnceLock::new()))
            .collect()
    });
    // Every variant is in the map by construction; fall back to a fresh cell only to avoid a panic path.
    static FALLBACK: OnceLock<Compiled> = OnceLock::new();
    let cell = cache.get(&schema).unwrap_or(&FALLBACK);
    cell.get_or_init(|| compile(schema))
}

/// The `language` pattern of the SARIF 2.1.0 schema as published, and the same regular expression
/// with its stray `]` escaped. ECMA-262 reads the stray `]` as a literal, but the regex format check
/// applied to schemas rejects it, so the schema would not compile; the escaped form matches exactly
/// the same strings.
const SARIF_LANGUAGE_PATTERN: (&str, &str) = (
    "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$",
    "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}\\]?$",
);

/// Replaces every string value equal to `from` by `to`, anywhere in `value`.
fn replace_strings(value: &mut Value, from: &str, to: &str) {
    match value {
        Value::String(text) if text == from => *text = to.to_owned(),
        Value::Array(items) => items
            .iter_mut()
            .for_each(|item| replace_strings(item, from, to)),
        Value::Object(map) => map
            .values_mut()
            .for_each(|item| replace_strings(item, from, to)),
        _ => {}
    }
}

fn compile(schema: Schema) -> Compiled {
    let mut contents: Value = serde_json::from_str(schema.text()).map_err(|err| err.to_string())?;
    if schema == Schema::Sarif210 {
        replace_strings(
            &mut contents,
            SARIF_LANGUAGE_PATTERN.0,
            SARIF_LANGUAGE_PATTERN.1,
        );
    }
    // CVSS 3.x schemas identify themselves with a query string; CSAF refers to them without it.
    // Rewriting the ids of the referenced schemas happens in the retriever; the main schema needs
    // nothing but the retriever.
    if let Some(object) = contents.as_object_mut() {
        object.remove("$comment");
    }
    jsonschema::options()
        .should_validate_formats(true)
        .with_retriever(BundledRetriever)
        .build(&contents)
        .map_err(|err| err.to_string())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn every_bundled_schema_compiles() {
        for schema in Schema::ALL {
            assert!(
                compiled(schema).is_ok(),
                "{schema:?}: {:?}",
                compiled(schema).as_ref().err()
            );
        }
    }

    #[test]
    fn detects_formats() {
        assert_eq!(
            detect(&json!({"bomFormat": "CycloneDX", "specVersion": "1.5"})),
            Some(Format::CycloneDx)
        );
        assert_eq!(
            detect(&json!({"spdxVersion": "SPDX-2.3"})),
            Some(Format::Spdx)
        );
        assert_eq!(
            detect(&json!({"document": {"csaf_version": "2.0"}})),
            Some(Format::Csaf)
        );
        assert_eq!(
            detect(&json!({"version": "2.1.0", "runs": []})),
            Some(Format::Sarif)
        );
        assert_eq!(
            detect(&json!({"id": "GHSA-x", "modified": "2024-01-01T00:00:00Z"})),
            Some(Format::Osv)
        );
        assert_eq!(detect(&json!([1, 2])), None);
    }

    #[test]
    fn sarif_logs_are_validated_with_paths() {
        let sample: Value =
            serde_json::from_str(include_str!("../tests/fixtures/sarif-sample.json")).unwrap();
        assert_eq!(
            Schema::for_document(Format::Sarif, &sample),
            Some(Schema::Sarif210)
        );
        assert_eq!(validate(Schema::Sarif210, &sample), []);
        let mut bad = sample.clone();
        bad["runs"][0]["results"][0]["level"] = json!("fatal");
        bad["runs"][0]["language"] = json!("1x");
        bad["runs"][0]["tool"]["driver"]
            .as_object_mut()
            .unwrap()
            .remove("name");
        let problems = validate(Schema::Sarif210, &bad);
        let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
        assert!(
            paths.contains(&"$.runs[0].results[0].level"),
            "{problems:?}"
        );
        assert!(paths.contains(&"$.runs[0].tool.driver"), "{problems:?}");
        assert!(paths.contains(&"$.runs[0].language"), "{problems:?}");
        // The published `language` pattern, stray `]` included, still decides.
        for language in ["en", "en-US", "en-US]", "english"] {
            let mut good = sample.clone();
            good["runs"][0]["language"] = json!(language);
            assert_eq!(validate(Schema::Sarif210, &good), [], "{language}");
        }
        assert_eq!(
            Schema::for_document(Format::Sarif, &json!({"version": "2.0.0", "runs": []})),
            None
        );
    }

    #[test]
    fn osv_problem_has_json_path() {
        let problems = validate(
            Schema::Osv,
            &json!({"id": "X-1", "modified": "2024-01-01T00:00:00Z", "affected": [{"ranges": [{"type": "BOGUS", "events": []}]}]}),
        );
        assert!(
            problems
                .iter()
                .any(|p| p.path.starts_with("$.affected[0].ranges[0]")),
            "{problems:?}"
        );
    }

    #[test]
    fn current_osv_records_with_upstream_and_ecosystem_suffixes_validate() {
        // `upstream` and `Ubuntu:Pro:…`-style ecosystems came with OSV schema 1.7; records from
        // osv.dev carry both, and an older bundled revision rejected them.
        let record = json!({
            "schema_version": "1.7.0",
            "id": "UBUNTU-CVE-2024-1",
            "modified": "2024-01-01T00:00:00Z",
            "upstream": ["CVE-2024-1"],
            "affected": [{
                "package": {"ecosystem": "Ubuntu:Pro:22.04:LTS", "name": "curl"},
                "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "7.81.0-1ubuntu1.16"}]}]
            }]
        });
        assert_eq!(validate(Schema::Osv, &record), []);
    }

    #[test]
    fn every_cyclonedx_json_version_has_its_schema() {
        for (version, expected) in [
            ("1.2", Schema::CycloneDx12),
            ("1.3", Schema::CycloneDx13),
            ("1.7", Schema::CycloneDx17),
        ] {
            let bom = json!({"bomFormat": "CycloneDX", "specVersion": version, "version": 1, "components": []});
            assert_eq!(
                Schema::for_document(Format::CycloneDx, &bom),
                Some(expected)
            );
            assert_eq!(validate(expected, &bom), [], "{version}");
        }
        let old = json!({"bomFormat": "CycloneDX", "specVersion": "1.1"});
        assert_eq!(Schema::for_document(Format::CycloneDx, &old), None);
    }

    #[test]
    fn csaf_cvss_reference_resolves_despite_query_string_id() {
        let document = json!({"document": {}, "vulnerabilities": [{"scores": [{"products": ["A"], "cvss_v3": {"version": "3.1", "vectorString": "bogus", "baseScore": 1.0, "baseSeverity": "LOW"}}]}]});
        let problems = validate(Schema::Csaf20, &document);
        assert!(
            problems
                .iter()
                .any(|p| p.path.starts_with("$.vulnerabilities[0].scores[0].cvss_v3")),
            "{problems:?}"
        );
    }

    #[test]
    fn pointer_becomes_path() {
        assert_eq!(pointer_to_path(""), "$");
        assert_eq!(pointer_to_path("/a/0/b~1c"), "$.a[0].b/c");
    }
}
