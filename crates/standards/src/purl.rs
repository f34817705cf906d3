//! Package URLs (purl-spec): parsing, per-type normalization and comparison by parts.
//!
//! Parsing and encoding are `packageurl`'s (it runs the purl-spec conformance tests). On top of it
//! this module applies the type rules the crate leaves out (PyPI names lowercased with `_` → `-`,
//! npm scopes lowercased, …) and compares purls by their parsed parts, never as strings: the Rust,
//! Python and JavaScript libraries encode qualifier values differently, so two correct strings for
//! the same package can differ byte for byte.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use crate::version::Ecosystem;

/// A parsed, normalized package URL.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Purl {
    ty: String,
    namespace: Option<String>,
    name: String,
    version: Option<String>,
    qualifiers: BTreeMap<String, String>,
    subpath: Option<String>,
}

/// Why a package URL was rejected; carries the input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid package URL {input:?}: {reason}")]
pub struct PurlError {
    /// The offending text.
    pub input: String,
    /// What is wrong with it.
    pub reason: String,
}

impl Purl {
    /// Parses `pkg:type/namespace/name@version?qualifiers#subpath` and normalizes it per type.
    pub fn parse(input: &str) -> Result<Self, PurlError> {
        let error = |reason: String| PurlError {
            input: input.to_owned(),
            reason,
        };
        let parsed =
            packageurl::PackageUrl::from_str(input.trim()).map_err(|err| error(err.to_string()))?;
        // Control characters are never part of a real package URL, and they do not survive
        // packageurl's encoding round trip (found by fuzzing).
        let has_control = |text: &str| text.chars().any(char::is_control);
        if has_control(parsed.name())
            || parsed.namespace().is_some_and(has_control)
            || parsed.version().is_some_and(has_control)
            || parsed.subpath().is_some_and(has_control)
            || parsed.qualifiers().values().any(|v| has_control(v))
        {
            return Err(error("control characters are not allowed".to_owned()));
        }
        // packageurl only refuses a leading digit; the spec wants a letter first and no '+'.
        if !is_valid_type(parsed.ty()) {
            return Err(error(format!(
                "type {:?} must start with an ASCII letter and hold only letters, digits, '.' and '-'",
                parsed.ty()
            )));
        }
        if let Some(key) = parsed
            .qualifiers()
            .keys()
            .find(|key| !key.starts_with(|c: char| c.is_ascii_alphabetic()))
        {
            return Err(error(format!(
                "qualifier key {key:?} must start with an ASCII letter"
            )));
        }
        let ty = parsed.ty().to_ascii_lowercase();
        let mut namespace = parsed.namespace().and_then(normalize_namespace);
        let namespace_lost_segments = namespace.as_deref() != parsed.namespace();
        let mut name = parsed.name().to_owned();
        if name.is_empty() {
            return Err(error("empty name".to_owned()));
        }
        match ty.as_str() {
            "pypi" => name = name.to_lowercase().replace('_', "-"),
            "npm" => {
                name = name.to_lowercase();
                namespace = namespace.map(|ns| ns.to_lowercase());
            }
            "github" | "bitbucket" | "composer" | "deb" | "hex" => {
                name = name.to_lowercase();
                namespace = namespace.map(|ns| ns.to_lowercase());
            }
            "golang" | "apk" | "rpm" | "qpkg" => {
                namespace = namespace.map(|ns| ns.to_lowercase());
            }
            _ => {}
        }
        let qualifiers = parsed
            .qualifiers()
            .iter()
            .filter(|(_, value)| !value.is_empty())
            .map(|(key, value)| (key.to_ascii_lowercase(), value.to_string()))
            .collect();
        let purl = Self {
            ty,
            namespace,
            name,
            version: parsed
                .version()
                .filter(|v| !v.is_empty())
                .map(str::to_owned),
            qualifiers,
            subpath: parsed
                .subpath()
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
        };
        // A namespace of only `.`/`..`/empty segments vanished above; the type may require one
        // (Maven), and only packageurl knows the type rules, so let it judge the canonical form.
        if namespace_lost_segments {
            packageurl::PackageUrl::from_str(&purl.to_canonical_string())
                .map_err(|err| error(err.to_string()))?;
        }
        Ok(purl)
    }

    /// The package type, lowercase (`pypi`, `maven`, …).
    pub fn ty(&self) -> &str {
        &self.ty
    }

    /// The namespace (Maven group, npm scope, Go module path prefix …), decoded.
    pub fn namespace(&self) -> Option<&str> {
        self.namespace.as_deref()
    }

    /// The name, decoded and normalized per type.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The version, decoded.
    pub fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }

    /// The version as the ecosystem's ordering reads it. purl-spec moves an RPM's epoch into the
    /// `epoch` qualifier (`pkg:rpm/redhat/python-wheel@0.35.1-4?epoch=1`), but rpmvercmp needs it
    /// as the `1:` prefix: without it an epoch-1 package compares as epoch 0, below every
    /// `1:…` fix. Every other type's version is returned unchanged.
    pub fn ecosystem_version(&self) -> Option<Cow<'_, str>> {
        let version = self.version.as_deref()?;
        match (self.ty.as_str(), self.qualifiers.get("epoch")) {
            ("rpm", Some(epoch)) if !version.contains(':') => {
                Some(Cow::Owned(format!("{epoch}:{version}")))
            }
            _ => Some(Cow::Borrowed(version)),
        }
    }

    /// The qualifiers, keys lowercase, in key order.
    pub fn qualifiers(&self) -> &BTreeMap<String, String> {
        &self.qualifiers
    }

    /// The subpath, decoded.
    pub fn subpath(&self) -> Option<&str> {
        self.subpath.as_deref()
    }

    /// The ecosystem whose version ordering applies, if we know one for this type.
    pub fn ecosystem(&self) -> Option<Ecosystem> {
        Ecosystem::from_purl_type(&self.ty)
    }

    /// The same purl without its version (the package, not a release of it).
    pub fn without_version(&self) -> Purl {
        Purl {
            version: None,
            ..self.clone()
        }
    }

    /// The package name as OSV writes it: `group:artifact` for Maven, `namespace/name` for npm
    /// scopes, Go, Packagist and GitHub, the bare name elsewhere.
    pub fn osv_package_name(&self) -> String {
        match (&self.namespace, self.ty.as_str()) {
            (Some(namespace), "maven") => format!("{namespace}:{}", self.name),
            (Some(namespace), _) if self.ty != "deb" && self.ty != "rpm" && self.ty != "apk" => {
                format!("{namespace}/{}", self.name)
            }
            _ => self.name.clone(),
        }
    }

    /// The key the matching index uses for this package: type plus the ecosystem-normalized name
    /// (PEP 503 for PyPI, case-folded where registries are case-insensitive).
    pub fn package_key(&self) -> String {
        let name = self.osv_package_name();
        let normalized = match self.ecosystem() {
            Some(ecosystem) => ecosystem.normalize_package_name(&name),
            None => name,
        };
        format!("{}/{normalized}", self.ty)
    }

    /// Whether both purls name the same package (type, namespace and name), whatever the version
    /// and qualifiers.
    pub fn same_package(&self, other: &Purl) -> bool {
        self.package_key() == other.package_key()
    }

    /// The canonical string (packageurl's encoding, qualifiers sorted).
    pub fn to_canonical_string(&self) -> String {
        let build = || -> Result<String, packageurl::Error> {
            let mut purl = packageurl::PackageUrl::new(self.ty.as_str(), self.name.as_str())?;
            if let Some(namespace) = &self.namespace {
                purl.with_namespace(namespace.as_str())?;
            }
            if let Some(version) = &self.version {
                purl.with_version(version.as_str())?;
            }
            if let Some(subpath) = &self.subpath {
                purl.with_subpath(subpath.as_str())?;
            }
            for (key, value) in &self.qualifiers {
                purl.add_qualifier(key.as_str(), value.as_str())?;
            }
            Ok(escape_slashes_in_version(purl.to_string()))
        };
        // Every part came out of a successful parse, so rebuilding cannot fail; fall back to a
        // plain rendering rather than panic if the crate ever disagrees with itself.
        build().unwrap_or_else(|_| {
            let namespace = self
                .namespace
                .as_ref()
                .map(|ns| format!("{ns}/"))
                .unwrap_or_default();
            let version = self
                .version
                .as_ref()
                .map(|v| format!("@{v}"))
                .unwrap_or_default();
            format!("pkg:{}/{namespace}{}{version}", self.ty, self.name)
        })
    }
}

/// Percent-encodes `/` inside the version of a rendered purl. packageurl leaves it bare, and its
/// own parser then reads `name@1/o` as an npm-style `@scope` inside the namespace (found by
/// fuzzing: `pkg:pm/pkg:d/1l@1%2fo#/pm`). The version is what follows the first `@` (namespace,
/// name, qualifier values and subpath all encode theirs) up to `?` or `#` (encoded in it).
fn escape_slashes_in_version(rendered: String) -> String {
    let Some(at) = rendered.find('@') else {
        return rendered;
    };
    let end = rendered[at..]
        .find(['?', '#'])
        .map_or(rendered.len(), |offset| at + offset);
    format!(
        "{}{}{}",
        &rendered[..at],
        rendered[at..end].replace('/', "%2F"),
        &rendered[end..]
    )
}

/// Whether `ty` is a purl type: an ASCII letter, then ASCII letters, digits, `.` and `-`.
fn is_valid_type(ty: &str) -> bool {
    ty.starts_with(|c: char| c.is_ascii_alphabetic())
        && ty
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
}

/// Drops the namespace segments that cannot survive the canonical string: packageurl discards
/// empty, `.` and `..` segments when it reads a purl (like the spec does for subpaths), so a
/// decoded `%2E` segment or a namespace made only of such segments (`pkg:t/.//name`) would
/// otherwise print as something that reads back differently. `None` when nothing is left.
fn normalize_namespace(namespace: &str) -> Option<String> {
    let kept: Vec<&str> = namespace
        .split('/')
        .filter(|segment| !matches!(*segment, "" | "." | ".."))
        .collect();
    (!kept.is_empty()).then(|| kept.join("/"))
}

impl FromStr for Purl {
    type Err = PurlError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Purl::parse(s)
    }
}

impl fmt::Display for Purl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_canonical_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::strategy::Strategy;

    fn purl(text: &str) -> Purl {
        Purl::parse(text).unwrap()
    }

    /// purl-spec's `rpm` type: the epoch is a qualifier; rpmvercmp wants it as a prefix.
    #[test]
    fn rpm_epoch_qualifier_becomes_the_version_prefix() {
        let wheel = purl("pkg:rpm/redhat/python-wheel@0.35.1-4.el8?arch=noarch&epoch=1");
        assert_eq!(wheel.version(), Some("0.35.1-4.el8"));
        assert_eq!(wheel.ecosystem_version().as_deref(), Some("1:0.35.1-4.el8"));
        let ordering =
            Ecosystem::Rpm.compare("1:0.35.1-4.el8", &wheel.ecosystem_version().unwrap());
        assert_eq!(ordering, Ok(std::cmp::Ordering::Equal));
        let plain = purl("pkg:rpm/redhat/openssl@1.1.1k-5.el8");
        assert_eq!(plain.ecosystem_version().as_deref(), Some("1.1.1k-5.el8"));
        // Only rpm carries its epoch this way; an explicit prefix is kept as written.
        let deb = purl("pkg:deb/debian/curl@7.50.3-1?epoch=1");
        assert_eq!(deb.ecosystem_version().as_deref(), Some("7.50.3-1"));
        let prefixed = purl("pkg:rpm/fedora/curl@2:7.50.3-1?epoch=2");
        assert_eq!(prefixed.ecosystem_version().as_deref(), Some("2:7.50.3-1"));
        assert_eq!(purl("pkg:rpm/fedora/curl").ecosystem_version(), None);
    }

    /// Cases from purl-spec's `test-suite-data.json` and its per-type rules.
    #[test]
    fn spec_examples() {
        let maven = purl("pkg:maven/org.apache.commons/io@1.3.4");
        assert_eq!(maven.namespace(), Some("org.apache.commons"));
        assert_eq!(maven.osv_package_name(), "org.apache.commons:io");
        let pypi = purl("pkg:PYPI/Django_package@1.11.1.dev1");
        assert_eq!((pypi.ty(), pypi.name()), ("pypi", "django-package"));
        let npm = purl("pkg:npm/%40Angular/Animation@12.3.1");
        assert_eq!(npm.namespace(), Some("@angular"));
        assert_eq!(npm.osv_package_name(), "@angular/animation");
        let golang = purl("pkg:golang/github.com/Gorilla/context@234fd47e07d1004f0aed9c");
        assert_eq!(golang.namespace(), Some("github.com/gorilla"));
        let deb = purl("pkg:deb/debian/curl@7.50.3-1?arch=i386&distro=jessie");
        assert_eq!(
            deb.qualifiers().get("arch").map(String::as_str),
            Some("i386")
        );
        assert_eq!(deb.osv_package_name(), "curl");
        let subpath = purl("pkg:golang/google.golang.org/genproto#googleapis/api/annotations");
        assert_eq!(subpath.subpath(), Some("googleapis/api/annotations"));
    }

    #[test]
    fn invalid_purls_are_rejected_with_input() {
        for bad in [
            "",
            "pkg:",
            "maven/org/a",
            "pkg:maven",
            "pkg:/name",
            "pkg:pypi/ns/name",
        ] {
            let err = Purl::parse(bad).unwrap_err();
            assert_eq!(err.input, bad);
        }
    }

    #[test]
    fn comparison_is_by_parts() {
        // Qualifier order and encoding differ; the parts are equal.
        let a = purl("pkg:deb/debian/curl@7.50.3-1?distro=jessie&arch=i386");
        let b = purl("pkg:deb/debian/curl@7.50.3-1?arch=i386&distro=jessie");
        assert_eq!(a, b);
        let c = purl("pkg:pypi/ZOPE.interface@5.0");
        let d = purl("pkg:pypi/zope-interface@5.1");
        assert!(c.same_package(&d));
        assert_eq!(c.package_key(), "pypi/zope-interface");
        assert_ne!(c, d);
    }

    #[test]
    fn canonical_string_round_trips() {
        for text in [
            "pkg:maven/org.apache.commons/io@1.3.4?classifier=sources",
            "pkg:npm/%40angular/animation@12.3.1",
            "pkg:deb/debian/curl@7.50.3-1?arch=i386&distro=jessie",
            "pkg:golang/google.golang.org/genproto#googleapis/api/annotations",
            "pkg:generic/openssl@1.1.10g?download_url=https://openssl.org/source/openssl-1.1.0g.tar.gz",
        ] {
            let parsed = purl(text);
            let again = purl(&parsed.to_string());
            assert_eq!(parsed, again, "{text} -> {parsed}");
        }
    }

    /// Parse → canonical string → parse gives the same parts, and the canonical string is a
    /// fixed point; `None` when the input is rejected.
    fn assert_stable(text: &str) -> Option<Purl> {
        let parsed = Purl::parse(text).ok()?;
        let canonical = parsed.to_string();
        let again = Purl::parse(&canonical)
            .unwrap_or_else(|err| panic!("{text:?} -> {canonical:?} does not reparse: {err}"));
        assert_eq!(again, parsed, "{text:?} -> {canonical:?}");
        assert_eq!(again.to_string(), canonical, "{text:?}");
        Some(parsed)
    }

    /// Fuzzing crash: `pkg:-c/.//^` parsed (type `-c`, namespace `""` left over once packageurl
    /// dropped the `.` and empty segments, name `^`), printed as `pkg:-c//%5E` and read back
    /// without a namespace. The type is invalid per spec (it must start with a letter), and a
    /// namespace of only dropped segments is now no namespace at all.
    #[test]
    fn fuzz_purl_dash_type_dot_namespace_round_trip() {
        let err = Purl::parse("pkg:-c/.//^").unwrap_err();
        assert_eq!(err.input, "pkg:-c/.//^");
        assert!(err.reason.contains("ASCII letter"), "{err}");
        let same_shape = assert_stable("pkg:c/.//^").unwrap();
        assert_eq!(same_shape.namespace(), None);
        assert_eq!(same_shape.name(), "^");
        assert_eq!(same_shape.to_string(), "pkg:c/%5E");
    }

    /// Fuzzing crash: the version `1/o` (from `1%2fo`) was printed with a bare `/`, and
    /// `pkg:pm/pkg:d/1l@1/o#pm` reads back as namespace `pkg:d/1l@1`, name `o`, no version.
    #[test]
    fn fuzz_purl_slash_in_version_round_trip() {
        let purl = assert_stable("pkg:pm/pkg:d/1l@1%2fo#/pm").unwrap();
        assert_eq!(purl.namespace(), Some("pkg:d"));
        assert_eq!(purl.name(), "1l");
        assert_eq!(purl.version(), Some("1/o"));
        assert_eq!(purl.subpath(), Some("pm"));
        assert_eq!(purl.to_string(), "pkg:pm/pkg:d/1l@1%2Fo#pm");
        for text in [
            "pkg:generic/name@%2F",
            "pkg:generic/name@a%2Fb%2Fc?k=v%2Fw#s/t",
            "pkg:npm/%40scope/name@1%2F2",
            "pkg:generic/ns/name@%40%2F%3F%23",
        ] {
            let purl = assert_stable(text).unwrap_or_else(|| panic!("{text:?} should parse"));
            assert!(purl.version().is_some_and(|v| v.contains('/')), "{text:?}");
        }
    }

    /// Shapes around the fuzzing crash: each is rejected, or normalized so that it round-trips.
    #[test]
    fn odd_types_and_segments_are_rejected_or_stable() {
        let rejected = [
            "pkg:-c/name",
            "pkg:.c/name",
            "pkg:1c/name",
            "pkg:c+d/name",
            "pkg:-c/.//^",
            "pkg:generic/name?_key=value",
            "pkg:generic/name?-key=value",
            // composer requires a namespace; one made only of `.` segments is none.
            "pkg:composer/./name",
            "pkg:composer/%2E/name",
            // packageurl refuses a subpath with no segment left.
            "pkg:generic/name#",
            "pkg:generic/name#./../",
        ];
        for text in rejected {
            assert!(Purl::parse(text).is_err(), "{text:?} should be rejected");
        }
        // (input, namespace after normalization, subpath, version)
        let normalized = [
            ("pkg:c/.//^", None, None, None),
            ("pkg:generic/./name", None, None, None),
            ("pkg:generic/../name", None, None, None),
            ("pkg:generic//name", None, None, None),
            ("pkg:generic/.//./..//name", None, None, None),
            ("pkg:generic/%2E/name", None, None, None),
            ("pkg:generic/%2E%2E/name", None, None, None),
            ("pkg:generic/a/%2E/b/name", Some("a/b"), None, None),
            ("pkg:generic/a/./b/name", Some("a/b"), None, None),
            ("pkg:generic/a.b/name", Some("a.b"), None, None),
            ("pkg:generic/name@", None, None, None),
            (
                "pkg:composer/./../a/name@1#x/./y",
                Some("a"),
                Some("x/y"),
                Some("1"),
            ),
        ];
        for (text, namespace, subpath, version) in normalized {
            let purl = assert_stable(text).unwrap_or_else(|| panic!("{text:?} should parse"));
            assert_eq!(purl.namespace(), namespace, "{text:?}");
            assert_eq!(purl.subpath(), subpath, "{text:?}");
            assert_eq!(purl.version(), version, "{text:?}");
        }
    }

    #[test]
    fn ecosystem_of_type() {
        assert_eq!(
            purl("pkg:cargo/serde@1.0.0").ecosystem(),
            Some(Ecosystem::CratesIo)
        );
        assert_eq!(purl("pkg:swid/Acme/example@1.0").ecosystem(), None);
    }

    proptest::proptest! {
        /// Canonical string → parts → canonical string gives the same parts.
        #[test]
        fn canonical_round_trip(
            ty in proptest::sample::select(vec!["pypi", "npm", "maven", "cargo", "generic", "deb", "golang", "nuget"]),
            namespace in proptest::option::of("[a-z][a-z0-9.]{0,8}"),
            name in "[a-zA-Z][a-zA-Z0-9._-]{0,10}",
            version in proptest::option::of("[0-9][0-9a-z.+~-]{0,8}"),
            qualifier in proptest::option::of("[a-z0-9 /:.,=&%@]{1,10}"),
        ) {
            let build = || -> Result<String, packageurl::Error> {
                let mut purl = packageurl::PackageUrl::new(ty, name.as_str())?;
                if let Some(namespace) = &namespace {
                    purl.with_namespace(namespace.as_str())?;
                }
                if let Some(version) = &version {
                    purl.with_version(version.as_str())?;
                }
                if let Some(value) = &qualifier {
                    purl.add_qualifier("repository_url", value.as_str())?;
                }
                Ok(purl.to_string())
            };
            // Combinations the type rules forbid (a namespace for cargo …) are not purls at all.
            let Ok(text) = build() else { return Ok(()) };
            if let Ok(parsed) = Purl::parse(&text) {
                let again = Purl::parse(&parsed.to_string());
                proptest::prop_assert_eq!(again, Ok(parsed));
            }
        }

        /// Raw purl-like text built from the pieces that broke the round trip (odd type starts,
        /// `.`/`..`/empty/encoded namespace segments, empty version and subpath): whatever
        /// parses must print as a canonical string that reads back to the same parts.
        #[test]
        fn odd_shapes_round_trip(
            ty in "[a-zA-Z0-9.+-]{1,3}",
            segments in proptest::collection::vec(
                proptest::sample::select(vec!["", ".", "..", "%2E", "%2e%2E", "a", "B", "%2F", "^", "%40x", "%20"]),
                0..4,
            ),
            name in "[a-z.^%@/#?-]{1,4}",
            version in proptest::option::of(proptest::collection::vec(
                proptest::sample::select(vec!["1", "a", ".", "@", "/", "%2F", "%2f", "%40", "%3F", "%23", "-"]),
                0..4,
            ).prop_map(|parts: Vec<&str>| parts.concat())),
            subpath in proptest::option::of("[a-z./%]{0,4}"),
        ) {
            let mut text = format!("pkg:{ty}/");
            for segment in &segments {
                text.push_str(segment);
                text.push('/');
            }
            text.push_str(&name);
            if let Some(version) = &version {
                text.push('@');
                text.push_str(version);
            }
            if let Some(subpath) = &subpath {
                text.push('#');
                text.push_str(subpath);
            }
            if let Ok(parsed) = Purl::parse(&text) {
                let canonical = parsed.to_string();
                let again = Purl::parse(&canonical);
                proptest::prop_assert_eq!(again.as_ref(), Ok(&parsed), "{} -> {}", text, canonical);
                proptest::prop_assert_eq!(parsed.to_string(), canonical);
            }
        }
    }
}
