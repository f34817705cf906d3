//! Package versions, ordered the way each ecosystem orders them.
//!
//! Every ecosystem has its own idea of "newer": PEP 440 sorts `1.0rc1` before `1.0`, Maven sorts
//! `1.0-sp1` after `1.0`, dpkg sorts `1.0~rc1` before `1.0`, Go ignores `+incompatible`. A
//! vulnerability range is only as correct as the ordering used to evaluate it, so each scheme lives
//! in its own file and [`Ecosystem::parse`] picks the right one.
//!
//! Parsing is done once into a [`Version`] (the matching hot loop compares pre-parsed versions and
//! never allocates); comparing two versions of different schemes is meaningless but still total, so
//! `Version` can sit in sorted collections.
//!
//! Libraries are used where a correct one exists: `pep440_rs` (PyPI), `nodejs-semver` (npm), `semver`
//! (crates.io, Hex, Pub, Go, generic SemVer). Maven, RubyGems, NuGet, Packagist, dpkg, RPM and apk
//! orderings are written here, because no maintained Rust crate covers them without allocating on
//! every comparison (see each file's comment).

mod alpine;
mod debian;
mod generic;
mod gomod;
mod maven;
mod nuget;
mod packagist;
mod rpm;
mod rubygems;
mod semverish;

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

/// A package ecosystem, as far as version ordering and name normalization are concerned.
///
/// Distribution flavours that share an ordering share a variant: Ubuntu and Debian use dpkg
/// ordering, Red Hat, Rocky, AlmaLinux, SUSE and friends use rpmvercmp, Alpine, Wolfi and Chainguard
/// use apk ordering. Keep the original OSV ecosystem string next to this value if you need it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Ecosystem {
    /// Python packages, PEP 440.
    PyPI,
    /// npm packages, node-semver.
    Npm,
    /// Rust crates, SemVer 2.0 precedence.
    CratesIo,
    /// Go modules: SemVer with optional `v`, `+incompatible` and pseudo-versions.
    Go,
    /// Maven artifacts, `ComparableVersion`.
    Maven,
    /// Ruby gems, `Gem::Version`.
    RubyGems,
    /// .NET packages, `NuGetVersion`.
    NuGet,
    /// PHP Composer packages.
    Packagist,
    /// Erlang/Elixir packages, SemVer.
    Hex,
    /// Dart packages, `pub_semver` (build metadata counts).
    Pub,
    /// dpkg ordering: Debian, Ubuntu.
    Debian,
    /// rpmvercmp ordering: Red Hat, Rocky, AlmaLinux, SUSE, openSUSE, Photon, Mageia, openEuler.
    Rpm,
    /// apk ordering: Alpine, Wolfi, Chainguard.
    Alpine,
    /// Plain SemVer 2.0 (OSV `SEMVER` ranges, GitHub Actions, Bitnami, SwiftURL).
    SemVer,
    /// Dotted numbers and words with a best-effort natural ordering.
    Generic,
    /// An ecosystem we know no ordering for; only explicit version lists can be matched.
    Unknown(String),
}

/// A parsed version: cheap to compare, remembers the text it came from.
///
/// Ordering is the ecosystem's ordering when both sides come from the same scheme. Equality follows
/// the ordering, so PEP 440 `1.0 == 1.0.0` and Maven `1.0 == 1-ga`.
#[derive(Debug, Clone)]
pub struct Version {
    raw: Box<str>,
    key: Key,
}

/// Errors from parsing or comparing versions. Each carries the offending input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VersionError {
    /// The text is not a version in this ecosystem's scheme.
    #[error("invalid {ecosystem} version {version:?}: {reason}")]
    Invalid {
        /// The ecosystem whose scheme rejected it.
        ecosystem: String,
        /// The offending text.
        version: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The ecosystem has no ordering we know of; only equality of explicit versions is possible.
    #[error("no version ordering known for ecosystem {ecosystem:?}")]
    NoOrdering {
        /// The ecosystem name as given.
        ecosystem: String,
    },
}

#[derive(Debug, Clone)]
enum Key {
    Pep440(pep440_rs::Version),
    Npm(nodejs_semver::Version),
    /// SemVer precedence: build metadata ignored (crates.io, Hex, Go, SemVer).
    SemVer(semver::Version),
    /// SemVer with build metadata ordered too (Pub).
    SemVerWithBuild(semver::Version),
    Maven(maven::MavenVersion),
    RubyGems(rubygems::GemVersion),
    NuGet(nuget::NuGetVersion),
    Packagist(packagist::ComposerVersion),
    Debian(debian::DebianVersion),
    Rpm(rpm::RpmVersion),
    Alpine(alpine::ApkVersion),
    Generic(generic::GenericVersion),
    /// No ordering: equality on the raw text only.
    Opaque,
}

impl Ecosystem {
    /// Maps an OSV `affected[].package.ecosystem` string, release suffix included, to its ordering.
    ///
    /// Never fails: an ecosystem we do not know becomes [`Ecosystem::Unknown`], so a record that
    /// mentions it is still accepted and matched on explicit versions.
    pub fn from_osv_name(name: &str) -> Ecosystem {
        let base = name.split(':').next().unwrap_or(name).trim();
        match base {
            "PyPI" => Ecosystem::PyPI,
            "npm" => Ecosystem::Npm,
            "crates.io" => Ecosystem::CratesIo,
            "Go" | "Kubernetes" => Ecosystem::Go,
            "Maven" => Ecosystem::Maven,
            "RubyGems" => Ecosystem::RubyGems,
            "NuGet" => Ecosystem::NuGet,
            "Packagist" => Ecosystem::Packagist,
            "Hex" => Ecosystem::Hex,
            "Pub" => Ecosystem::Pub,
            "Debian" | "Ubuntu" => Ecosystem::Debian,
            "Red Hat" | "Rocky Linux" | "AlmaLinux" | "SUSE" | "openSUSE" | "Photon OS"
            | "Mageia" | "openEuler" | "Azure Linux" | "TuxCare" => Ecosystem::Rpm,
            "Alpine" | "Wolfi" | "Chainguard" | "Alpaquita" | "MinimOS" => Ecosystem::Alpine,
            "GitHub Actions" | "Bitnami" | "SwiftURL" => Ecosystem::SemVer,
            _ => Ecosystem::Unknown(name.to_owned()),
        }
    }

    /// Maps a package URL type (purl-spec) to its ecosystem; `None` for types we do not order.
    pub fn from_purl_type(purl_type: &str) -> Option<Ecosystem> {
        Some(match purl_type.to_ascii_lowercase().as_str() {
            "pypi" => Ecosystem::PyPI,
            "npm" => Ecosystem::Npm,
            "cargo" => Ecosystem::CratesIo,
            "golang" => Ecosystem::Go,
            "maven" => Ecosystem::Maven,
            "gem" => Ecosystem::RubyGems,
            "nuget" => Ecosystem::NuGet,
            "composer" => Ecosystem::Packagist,
            "hex" => Ecosystem::Hex,
            "pub" => Ecosystem::Pub,
            "deb" => Ecosystem::Debian,
            "rpm" => Ecosystem::Rpm,
            "apk" | "alpine" => Ecosystem::Alpine,
            "github" | "swift" => Ecosystem::SemVer,
            "generic" => Ecosystem::Generic,
            _ => return None,
        })
    }

    /// Maps a `vers:` versioning scheme (purl-spec VERS) to its ecosystem.
    pub fn from_vers_scheme(scheme: &str) -> Option<Ecosystem> {
        match scheme.to_ascii_lowercase().as_str() {
            "semver" => Some(Ecosystem::SemVer),
            "debian" => Some(Ecosystem::Debian),
            "alpine" => Some(Ecosystem::Alpine),
            "go" => Some(Ecosystem::Go),
            "python" => Some(Ecosystem::PyPI),
            "rubygems" => Some(Ecosystem::RubyGems),
            other => Ecosystem::from_purl_type(other),
        }
    }

    /// Parses a name as typed on a command line: OSV names, purl types and vers schemes all work.
    pub fn from_user_input(name: &str) -> Ecosystem {
        if let Some(ecosystem) = Ecosystem::from_vers_scheme(name) {
            return ecosystem;
        }
        match name.to_ascii_lowercase().as_str() {
            "pypi" | "python" => Ecosystem::PyPI,
            "crates.io" | "crates" | "rust" => Ecosystem::CratesIo,
            "go" => Ecosystem::Go,
            "rubygems" => Ecosystem::RubyGems,
            "packagist" => Ecosystem::Packagist,
            "debian" | "ubuntu" | "dpkg" => Ecosystem::Debian,
            "redhat" | "red hat" | "rocky linux" | "almalinux" | "suse" | "opensuse" => {
                Ecosystem::Rpm
            }
            "wolfi" | "chainguard" => Ecosystem::Alpine,
            _ => Ecosystem::from_osv_name(name),
        }
    }

    /// The canonical OSV name of the ordering family (`Unknown` gives back its own name).
    pub fn osv_name(&self) -> &str {
        match self {
            Ecosystem::Unknown(name) => name,
            known => known.static_osv_name().unwrap_or_default(),
        }
    }

    /// [`Ecosystem::osv_name`] of the ecosystems this crate knows, without borrowing `self`.
    pub fn static_osv_name(&self) -> Option<&'static str> {
        Some(match self {
            Ecosystem::PyPI => "PyPI",
            Ecosystem::Npm => "npm",
            Ecosystem::CratesIo => "crates.io",
            Ecosystem::Go => "Go",
            Ecosystem::Maven => "Maven",
            Ecosystem::RubyGems => "RubyGems",
            Ecosystem::NuGet => "NuGet",
            Ecosystem::Packagist => "Packagist",
            Ecosystem::Hex => "Hex",
            Ecosystem::Pub => "Pub",
            Ecosystem::Debian => "Debian",
            Ecosystem::Rpm => "Red Hat",
            Ecosystem::Alpine => "Alpine",
            Ecosystem::SemVer => "SemVer",
            Ecosystem::Generic => "Generic",
            Ecosystem::Unknown(_) => return None,
        })
    }

    /// Whether [`Ecosystem::compare`] can order versions of this ecosystem.
    pub fn has_ordering(&self) -> bool {
        !matches!(self, Ecosystem::Unknown(_))
    }

    /// The key under which a package name is indexed, so that spellings the ecosystem treats as
    /// the same package meet: PEP 503 for PyPI (`Foo_Bar.baz` → `foo-bar-baz`), lowercase for
    /// ecosystems whose registries are case-insensitive, unchanged otherwise.
    pub fn normalize_package_name(&self, name: &str) -> String {
        let name = name.trim();
        match self {
            Ecosystem::PyPI => {
                let mut out = String::with_capacity(name.len());
                let mut in_separator = false;
                for c in name.chars() {
                    if matches!(c, '-' | '_' | '.') {
                        if !in_separator {
                            out.push('-');
                        }
                        in_separator = true;
                    } else {
                        out.push(c.to_ascii_lowercase());
                        in_separator = false;
                    }
                }
                out
            }
            // crates.io treats `-` and `_` as the same crate name, case-insensitively.
            Ecosystem::CratesIo => name.to_ascii_lowercase().replace('_', "-"),
            Ecosystem::Npm
            | Ecosystem::NuGet
            | Ecosystem::Packagist
            | Ecosystem::Debian
            | Ecosystem::Alpine
            | Ecosystem::Hex
            | Ecosystem::Pub => name.to_ascii_lowercase(),
            Ecosystem::Go
            | Ecosystem::Maven
            | Ecosystem::RubyGems
            | Ecosystem::Rpm
            | Ecosystem::SemVer
            | Ecosystem::Generic
            | Ecosystem::Unknown(_) => name.to_owned(),
        }
    }

    /// Parses a version in this ecosystem's scheme.
    ///
    /// For [`Ecosystem::Unknown`] this succeeds with a version that only compares equal to the
    /// same text, so explicit version lists still match.
    pub fn parse(&self, version: &str) -> Result<Version, VersionError> {
        let text = version.trim();
        let invalid = |reason: String| VersionError::Invalid {
            ecosystem: self.osv_name().to_owned(),
            version: version.to_owned(),
            reason,
        };
        if text.is_empty() {
            return Err(invalid("empty version".to_owned()));
        }
        let key = match self {
            Ecosystem::PyPI => Key::Pep440(
                pep440_rs::Version::from_str(text).map_err(|err| invalid(err.to_string()))?,
            ),
            Ecosystem::Npm => Key::Npm(
                nodejs_semver::Version::parse(text).map_err(|err| invalid(err.to_string()))?,
            ),
            Ecosystem::CratesIo | Ecosystem::Hex => {
                Key::SemVer(semver::Version::parse(text).map_err(|err| invalid(err.to_string()))?)
            }
            Ecosystem::SemVer => Key::SemVer(semverish::parse_lenient(text).map_err(invalid)?),
            Ecosystem::Pub => {
                Key::SemVerWithBuild(semverish::parse_lenient(text).map_err(invalid)?)
            }
            Ecosystem::Go => Key::SemVer(gomod::parse(text).map_err(invalid)?),
            Ecosystem::Maven => Key::Maven(maven::MavenVersion::parse(text).map_err(invalid)?),
            Ecosystem::RubyGems => {
                Key::RubyGems(rubygems::GemVersion::parse(text).map_err(invalid)?)
            }
            Ecosystem::NuGet => Key::NuGet(nuget::NuGetVersion::parse(text).map_err(invalid)?),
            Ecosystem::Packagist => {
                Key::Packagist(packagist::ComposerVersion::parse(text).map_err(invalid)?)
            }
            Ecosystem::Debian => Key::Debian(debian::DebianVersion::parse(text).map_err(invalid)?),
            Ecosystem::Rpm => Key::Rpm(rpm::RpmVersion::parse(text).map_err(invalid)?),
            Ecosystem::Alpine => Key::Alpine(alpine::ApkVersion::parse(text).map_err(invalid)?),
            Ecosystem::Generic => {
                Key::Generic(generic::GenericVersion::parse(text).map_err(invalid)?)
            }
            Ecosystem::Unknown(_) => Key::Opaque,
        };
        Ok(Version {
            raw: text.into(),
            key,
        })
    }

    /// Compares two version strings in this ecosystem's order.
    pub fn compare(&self, a: &str, b: &str) -> Result<Ordering, VersionError> {
        if !self.has_ordering() {
            return Err(VersionError::NoOrdering {
                ecosystem: self.osv_name().to_owned(),
            });
        }
        Ok(self.parse(a)?.cmp(&self.parse(b)?))
    }
}

impl fmt::Display for Ecosystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.osv_name())
    }
}

impl Version {
    /// The text this version was parsed from (trimmed).
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// Whether this version carries an ordering (false for unknown ecosystems).
    pub fn is_ordered(&self) -> bool {
        !matches!(self.key, Key::Opaque)
    }

    /// The SemVer reading of this version when its scheme is SemVer-based, for OSV `SEMVER` ranges.
    pub(crate) fn as_semver(&self) -> Option<&semver::Version> {
        match &self.key {
            Key::SemVer(version) | Key::SemVerWithBuild(version) => Some(version),
            _ => None,
        }
    }

    fn rank(&self) -> u8 {
        match self.key {
            Key::Pep440(_) => 0,
            Key::Npm(_) => 1,
            Key::SemVer(_) => 2,
            Key::SemVerWithBuild(_) => 3,
            Key::Maven(_) => 4,
            Key::RubyGems(_) => 5,
            Key::NuGet(_) => 6,
            Key::Packagist(_) => 7,
            Key::Debian(_) => 8,
            Key::Rpm(_) => 9,
            Key::Alpine(_) => 10,
            Key::Generic(_) => 11,
            Key::Opaque => 12,
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        match (&self.key, &other.key) {
            (Key::Pep440(a), Key::Pep440(b)) => a.cmp(b),
            (Key::Npm(a), Key::Npm(b)) => a.cmp(b),
            (Key::SemVer(a), Key::SemVer(b)) => a.cmp_precedence(b),
            (Key::SemVerWithBuild(a), Key::SemVerWithBuild(b)) => a.cmp(b),
            (Key::Maven(a), Key::Maven(b)) => a.cmp(b),
            (Key::RubyGems(a), Key::RubyGems(b)) => a.cmp(b),
            (Key::NuGet(a), Key::NuGet(b)) => a.cmp(b),
            (Key::Packagist(a), Key::Packagist(b)) => a.cmp(b),
            (Key::Debian(a), Key::Debian(b)) => a.cmp(b),
            (Key::Rpm(a), Key::Rpm(b)) => a.cmp(b),
            (Key::Alpine(a), Key::Alpine(b)) => a.cmp(b),
            (Key::Generic(a), Key::Generic(b)) => a.cmp(b),
            (Key::Opaque, Key::Opaque) => self.raw.cmp(&other.raw),
            _ => self.rank().cmp(&other.rank()),
        }
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Version {}

#[cfg(test)]
mod tests;
