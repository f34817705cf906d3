//! Deduplication of findings, pure: normalized locations, the exact-duplicate fingerprint, and
//! MinHash signatures over word shingles for near duplicates.
//!
//! - **Exact**: SHA-256 over the product's lookup key (ecosystem and normalized name, or CPE
//!   vendor:product: parsed parts, never the raw string), the normalized place (file, endpoint or
//!   URL path), the function (or, without one, the line), the CWE and any SARIF
//!   `partialFingerprints`. Two findings with one fingerprint are one bug.
//! - **Near**: the same product and the same place or function (the store looks these up by
//!   product key), and text whose word 3-shingles have an estimated Jaccard similarity of at least
//!   [`NEAR_DUPLICATE_PERMILLE`]. The estimate is a 32-value MinHash, stored with each finding so a
//!   comparison costs 32 integer compares, not a re-read of the text.
//!
//! Written here rather than taken from a crate: the MinHash crates on crates.io either pull a large
//! dependency tree (LSH indexes we do not need, since candidates come from the product index) or
//! fix a hash we could not keep stable across versions; the stored signatures must stay comparable
//! for as long as the findings are kept, so the hash is ours and versioned (`v1`).

use std::collections::{BTreeMap, BTreeSet};

use clearinghouse_domain::coordination::{Location, Product};
use sha2::{Digest, Sha256};

/// Similarity (thousandths) from which a finding is proposed as a near duplicate.
pub const NEAR_DUPLICATE_PERMILLE: u32 = 500;

/// Values in a signature.
const SIGNATURE_LEN: usize = 32;

/// The normalized place and function of a location: what "the same location" means.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LocationKey {
    /// `file:<path>`, `endpoint:<METHOD> <path>` or `url:<host><path>`; empty when none is given.
    pub area: String,
    /// The function, lower-cased, without parameters; empty when none is given.
    pub function: String,
    /// The line, used for the fingerprint only when there is no function.
    pub line: Option<u32>,
}

/// Normalizes a location: separators and `./` in paths, case of HTTP methods and hosts, query
/// strings and trailing slashes, parameter lists of functions.
pub fn location_key(location: &Location) -> LocationKey {
    let area = if let Some(file) = location.file.as_deref().filter(|f| !f.trim().is_empty()) {
        format!("file:{}", normalize_path(file))
    } else if let Some(endpoint) = location
        .endpoint
        .as_deref()
        .filter(|e| !e.trim().is_empty())
    {
        let endpoint = endpoint.trim();
        match endpoint.split_once(char::is_whitespace) {
            Some((method, path)) if method.chars().all(|c| c.is_ascii_alphabetic()) => format!(
                "endpoint:{} {}",
                method.to_ascii_uppercase(),
                normalize_url_path(path.trim())
            ),
            _ => format!("endpoint:{}", normalize_url_path(endpoint)),
        }
    } else if let Some(url) = location.url.as_deref().filter(|u| !u.trim().is_empty()) {
        match url::Url::parse(url.trim()) {
            Ok(parsed) => format!(
                "url:{}{}",
                parsed.host_str().unwrap_or_default().to_ascii_lowercase(),
                normalize_url_path(parsed.path())
            ),
            Err(_) => format!("url:{}", normalize_url_path(url.trim())),
        }
    } else {
        String::new()
    };
    let function = location
        .function
        .as_deref()
        .map(|f| {
            let f = f.trim();
            let f = f.split('(').next().unwrap_or(f).trim();
            f.to_lowercase()
        })
        .unwrap_or_default();
    LocationKey {
        area,
        function,
        line: location.line,
    }
}

fn normalize_path(path: &str) -> String {
    let path = path.trim().replace('\\', "/");
    let parts: Vec<&str> = path
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    parts.join("/")
}

fn normalize_url_path(path: &str) -> String {
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        "/".to_owned()
    } else {
        trimmed.to_lowercase()
    }
}

/// The exact-duplicate fingerprint, hex.
pub fn fingerprint(
    product: &Product,
    location: &LocationKey,
    cwe: &str,
    sarif_fingerprints: &BTreeMap<String, String>,
) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"clearinghouse finding fingerprint v1\n");
    for part in [
        product.ecosystem.as_str(),
        product.name_key.as_str(),
        location.area.as_str(),
        location.function.as_str(),
    ] {
        hasher.update(part.as_bytes());
        hasher.update(b"\n");
    }
    if location.function.is_empty() {
        hasher.update(
            location
                .line
                .map(|l| l.to_string())
                .unwrap_or_default()
                .as_bytes(),
        );
    }
    hasher.update(b"\n");
    hasher.update(cwe.as_bytes());
    for (key, value) in sarif_fingerprints {
        hasher.update(b"\n");
        hasher.update(key.as_bytes());
        hasher.update(b"=");
        hasher.update(value.as_bytes());
    }
    hex::encode(hasher.finalize())
}

/// Lower-cased words of two or more letters or digits.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 2)
        .map(str::to_lowercase)
        .collect()
}

/// Word 3-shingles (or the words themselves for texts shorter than three words), hashed.
fn shingles(text: &str) -> BTreeSet<u64> {
    let words = words(text);
    let hash = |parts: &[String]| {
        let digest = Sha256::digest(parts.join(" ").as_bytes());
        u64::from_le_bytes(digest[..8].try_into().unwrap_or([0; 8]))
    };
    if words.len() < 3 {
        return words
            .iter()
            .map(|w| hash(std::slice::from_ref(w)))
            .collect();
    }
    words.windows(3).map(hash).collect()
}

/// SplitMix64: a fast bijective mix, one seed per signature position.
fn mix(value: u64, seed: u64) -> u64 {
    let mut z = value ^ seed.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The MinHash signature of a text (title and description), as hex.
pub fn signature(text: &str) -> String {
    let shingles = shingles(text);
    let mut out = String::with_capacity(SIGNATURE_LEN * 8);
    for seed in 1..=SIGNATURE_LEN as u64 {
        let min = shingles
            .iter()
            .map(|s| (mix(*s, seed) >> 32) as u32)
            .min()
            .unwrap_or(u32::MAX);
        out.push_str(&format!("{min:08x}"));
    }
    out
}

/// The estimated Jaccard similarity of two signatures, in thousandths; 0 when either is malformed
/// or empty text.
pub fn similarity_permille(a: &str, b: &str) -> u32 {
    if a.len() != SIGNATURE_LEN * 8 || b.len() != SIGNATURE_LEN * 8 {
        return 0;
    }
    let empty = "f".repeat(SIGNATURE_LEN * 8);
    if a == empty || b == empty {
        return 0;
    }
    let agree = (0..SIGNATURE_LEN)
        .filter(|i| a.get(i * 8..i * 8 + 8) == b.get(i * 8..i * 8 + 8))
        .count();
    (agree * 1000 / SIGNATURE_LEN) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn product() -> Product {
        Product {
            identifier: "pkg:pypi/flask-login".into(),
            ecosystem: "PyPI".into(),
            name_key: "flask-login".into(),
        }
    }

    #[test]
    fn locations_normalize_paths_endpoints_and_functions() {
        let key = location_key(&Location {
            file: Some(".\\src\\auth//login.py".into()),
            function: Some(" Login_User(request) ".into()),
            line: Some(42),
            ..Location::default()
        });
        assert_eq!(key.area, "file:src/auth/login.py");
        assert_eq!(key.function, "login_user");
        let endpoint = location_key(&Location {
            endpoint: Some("post /API/Login/?next=x".into()),
            ..Location::default()
        });
        assert_eq!(endpoint.area, "endpoint:POST /api/login");
        let url = location_key(&Location {
            url: Some("https://Portal.Example.org/login/?a=1".into()),
            ..Location::default()
        });
        assert_eq!(url.area, "url:portal.example.org/login");
        assert_eq!(location_key(&Location::default()), LocationKey::default());
    }

    #[test]
    fn the_fingerprint_ignores_spelling_and_keeps_what_matters() {
        let a = location_key(&Location {
            file: Some("src/auth/login.py".into()),
            function: Some("login_user".into()),
            line: Some(42),
            ..Location::default()
        });
        let b = location_key(&Location {
            file: Some("./src/auth/login.py".into()),
            function: Some("login_user()".into()),
            line: Some(57),
            ..Location::default()
        });
        let none = BTreeMap::new();
        assert_eq!(
            fingerprint(&product(), &a, "CWE-89", &none),
            fingerprint(&product(), &b, "CWE-89", &none),
            "lines drift between versions; the function does not"
        );
        assert_ne!(
            fingerprint(&product(), &a, "CWE-89", &none),
            fingerprint(&product(), &a, "CWE-79", &none)
        );
        let other = Product {
            name_key: "flask".into(),
            ..product()
        };
        assert_ne!(
            fingerprint(&product(), &a, "CWE-89", &none),
            fingerprint(&other, &a, "CWE-89", &none)
        );
        let mut sarif = BTreeMap::new();
        sarif.insert("primaryLocationLineHash".into(), "abc:1".into());
        assert_ne!(
            fingerprint(&product(), &a, "CWE-89", &none),
            fingerprint(&product(), &a, "CWE-89", &sarif)
        );
        let no_function = LocationKey {
            function: String::new(),
            ..a.clone()
        };
        let other_line = LocationKey {
            line: Some(90),
            ..no_function.clone()
        };
        assert_ne!(
            fingerprint(&product(), &no_function, "CWE-89", &none),
            fingerprint(&product(), &other_line, "CWE-89", &none),
            "without a function the line tells two bugs in one file apart"
        );
    }

    #[test]
    fn similar_texts_score_high_and_unrelated_texts_low() {
        let first = signature(
            "SQL injection in login form: the username parameter is concatenated into the query \
             in login_user, so a quote ends the string and an attacker can bypass authentication",
        );
        let reworded = signature(
            "SQL injection in the login form: the username parameter is concatenated into the query \
             in login_user, so a single quote ends the string and attackers can bypass authentication",
        );
        let unrelated = signature(
            "Stored cross-site scripting in the profile page: the display name is rendered without \
             escaping in templates/profile.html",
        );
        let near = similarity_permille(&first, &reworded);
        let far = similarity_permille(&first, &unrelated);
        assert!(near >= NEAR_DUPLICATE_PERMILLE, "near {near}");
        assert!(far < 200, "far {far}");
        assert_eq!(similarity_permille(&first, &first), 1000);
        assert_eq!(similarity_permille(&first, "bad"), 0);
        assert_eq!(similarity_permille(&signature(""), &signature("")), 0);
    }
}
