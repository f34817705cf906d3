//! Scan targets: what a campaign scans, what an operator registers, what an authorization or a
//! blackout covers. Each is normalized once, when it is parsed, so that comparing two targets is
//! comparing their parts:
//!
//! - packages by package URL: type, namespace and name as `standards::purl` normalizes them
//!   (PEP 503 names for PyPI and so on); the version and qualifiers never matter for overlap;
//! - products by CPE 2.3 name: part, vendor and product compared per NISTIR 7696
//!   (`standards::cpe`), version and the rest ignored;
//! - source repositories by URL: scheme and host lower-cased, user, default port, trailing `/` and
//!   `.git` dropped; `git@host:path` is the same repository as `https://host/path`;
//! - hostnames: exact (`www.example.org`) or a suffix (`*.example.org`: every name below
//!   `example.org`, not `example.org` itself);
//! - networks: a CIDR (`10.0.0.0/24`, `2001:db8::/48`) or one address.
//!
//! Hostnames and networks are separate name spaces: nothing here resolves a name, so a hostname
//! never overlaps a CIDR (an operator registers both when it owns both). Packages and CPE names
//! are separate too: no reliable mapping between them exists.

use std::fmt;
use std::net::IpAddr;

use clearinghouse_standards::cpe::{Cpe, CpeValue, Relation};
use clearinghouse_standards::purl::Purl;
use ipnet::IpNet;
use serde::{Deserialize, Serialize};

/// A target as a client writes it: one key naming its kind, so an error can point at
/// `/targets/2/cidr`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TargetInput {
    /// A package URL (`pkg:pypi/requests`); a version is kept for display and ignored for overlap.
    Purl(String),
    /// A CPE 2.3 name (`cpe:2.3:a:apache:http_server:*:*:*:*:*:*:*:*`) or a `cpe:/` URI.
    Cpe(String),
    /// A source repository URL (`https://github.com/org/repo`, `git@github.com:org/repo.git`).
    Repository(String),
    /// A hostname (`www.example.org`) or every name below a domain (`*.example.org`).
    Hostname(String),
    /// An IPv4 or IPv6 network (`192.0.2.0/24`) or one address.
    Cidr(String),
}

impl TargetInput {
    /// The key the value is written under, for error pointers.
    pub fn kind(&self) -> &'static str {
        match self {
            TargetInput::Purl(_) => "purl",
            TargetInput::Cpe(_) => "cpe",
            TargetInput::Repository(_) => "repository",
            TargetInput::Hostname(_) => "hostname",
            TargetInput::Cidr(_) => "cidr",
        }
    }

    /// The value as written.
    pub fn value(&self) -> &str {
        match self {
            TargetInput::Purl(v)
            | TargetInput::Cpe(v)
            | TargetInput::Repository(v)
            | TargetInput::Hostname(v)
            | TargetInput::Cidr(v) => v,
        }
    }

    /// Guesses the kind of a bare string (the `target` of an authorization check): `pkg:` is a
    /// package URL, `cpe:` a CPE name, a URL or `user@host:path` a repository, an address or
    /// `addr/len` a network, anything else a hostname.
    pub fn guess(text: &str) -> TargetInput {
        let text = text.trim();
        let lower = text.to_ascii_lowercase();
        if lower.starts_with("pkg:") {
            TargetInput::Purl(text.to_owned())
        } else if lower.starts_with("cpe:") {
            TargetInput::Cpe(text.to_owned())
        } else if text.contains("://") || scp_like(text).is_some() {
            TargetInput::Repository(text.to_owned())
        } else if text.parse::<IpAddr>().is_ok() || text.parse::<IpNet>().is_ok() {
            TargetInput::Cidr(text.to_owned())
        } else {
            TargetInput::Hostname(text.to_owned())
        }
    }
}

/// A target whose value was not acceptable; the caller adds where it was.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TargetError(pub String);

/// A normalized target.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Target {
    /// A package.
    Package(PackageTarget),
    /// A product named by CPE.
    Product(ProductTarget),
    /// A source repository.
    Repository(RepositoryTarget),
    /// A hostname or a domain suffix.
    Host(HostPattern),
    /// An IP network.
    Network(IpNet),
}

/// A package: its canonical purl (for display) and the identity it is compared by.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PackageTarget {
    purl: String,
    versionless: String,
    key: String,
}

/// A product: its CPE name.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ProductTarget {
    /// Boxed: a CPE name is eleven attributes, far larger than the other kinds.
    cpe: Box<Cpe>,
}

/// A repository: the normalized URL and the identity (`host/path`) it is compared by.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RepositoryTarget {
    url: String,
    key: String,
}

/// A hostname, or every name below a domain.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct HostPattern {
    /// `*.name` rather than `name`.
    below: bool,
    /// Lower-case, no trailing dot.
    name: String,
}

/// The IPv4 and IPv6 prefix lengths beyond which a network cannot be split.
fn max_prefix(net: &IpNet) -> u8 {
    match net {
        IpNet::V4(_) => 32,
        IpNet::V6(_) => 128,
    }
}

impl Target {
    /// Validates and normalizes a target.
    pub fn parse(input: &TargetInput) -> Result<Target, TargetError> {
        let value = input.value().trim();
        if value.is_empty() {
            return Err(TargetError("must not be empty".into()));
        }
        if value.chars().count() > 1000 || value.chars().any(char::is_control) {
            return Err(TargetError(
                "must be at most 1000 printable characters".into(),
            ));
        }
        match input {
            TargetInput::Purl(_) => parse_purl(value),
            TargetInput::Cpe(_) => Cpe::parse(value)
                .map(|cpe| Target::Product(ProductTarget { cpe: Box::new(cpe) }))
                .map_err(|e| TargetError(e.to_string())),
            TargetInput::Repository(_) => parse_repository(value).map(Target::Repository),
            TargetInput::Hostname(_) => HostPattern::parse(value).map(Target::Host),
            TargetInput::Cidr(_) => parse_network(value).map(Target::Network),
        }
    }

    /// The normalized form, written the way clients write targets.
    pub fn to_input(&self) -> TargetInput {
        match self {
            Target::Package(p) => TargetInput::Purl(p.purl.clone()),
            Target::Product(p) => TargetInput::Cpe(p.cpe.to_formatted_string()),
            Target::Repository(r) => TargetInput::Repository(r.url.clone()),
            Target::Host(h) => TargetInput::Hostname(h.to_string()),
            Target::Network(n) => TargetInput::Cidr(n.to_string()),
        }
    }

    /// The key the target is written under (`purl`, `cpe`, `repository`, `hostname`, `cidr`).
    pub fn kind(&self) -> &'static str {
        match self {
            Target::Package(_) => "purl",
            Target::Product(_) => "cpe",
            Target::Repository(_) => "repository",
            Target::Host(_) => "hostname",
            Target::Network(_) => "cidr",
        }
    }

    /// Whether scanning it touches an operator's network (and so needs the operator's
    /// authorization).
    pub fn is_network(&self) -> bool {
        matches!(self, Target::Host(_) | Target::Network(_))
    }

    /// Whether everything `other` names is named by `self` too.
    pub fn covers(&self, other: &Target) -> bool {
        match (self, other) {
            (Target::Package(a), Target::Package(b)) => a.key == b.key,
            (Target::Product(a), Target::Product(b)) => a.covers(b),
            (Target::Repository(a), Target::Repository(b)) => a.key == b.key,
            (Target::Host(a), Target::Host(b)) => a.covers(b),
            (Target::Network(a), Target::Network(b)) => a.contains(b),
            _ => false,
        }
    }

    /// What two targets have in common, as a target: the same package or repository, the more
    /// specific of two overlapping CPE names, host patterns or networks; `None` when disjoint.
    pub fn intersection(&self, other: &Target) -> Option<Target> {
        match (self, other) {
            // Two versions of one package share the package.
            (Target::Package(a), Target::Package(b)) if a.key == b.key && a.purl != b.purl => {
                Some(Target::Package(PackageTarget {
                    purl: a.versionless.clone(),
                    versionless: a.versionless.clone(),
                    key: a.key.clone(),
                }))
            }
            (Target::Product(a), Target::Product(b)) => {
                if a.covers(b) {
                    Some(other.clone())
                } else if b.covers(a) || a.overlaps(b) {
                    Some(self.clone())
                } else {
                    None
                }
            }
            _ if self.covers(other) => Some(other.clone()),
            _ if other.covers(self) => Some(self.clone()),
            _ => None,
        }
    }

    /// Whether the union of `pieces` covers this target. Networks may be covered by several
    /// smaller networks together (10.0.0.0/23 by 10.0.0.0/24 and 10.0.1.0/24); every other kind
    /// needs one piece that covers it whole.
    pub fn covered_by_union<'a>(&self, pieces: impl IntoIterator<Item = &'a Target>) -> bool {
        let pieces: Vec<&Target> = pieces.into_iter().collect();
        match self {
            Target::Network(net) => {
                let nets: Vec<&IpNet> = pieces
                    .iter()
                    .filter_map(|p| match p {
                        Target::Network(n) => Some(n),
                        _ => None,
                    })
                    .collect();
                network_covered(net, &nets)
            }
            _ => pieces.iter().any(|p| p.covers(self)),
        }
    }
}

/// Whether `net` lies inside the union of `nets`: covered by one of them, or both halves are.
/// Recursion happens only where some network starts inside `net`, so it is bounded by the number
/// of networks times the prefix length.
fn network_covered(net: &IpNet, nets: &[&IpNet]) -> bool {
    if nets.iter().any(|n| n.contains(net)) {
        return true;
    }
    let inside: Vec<&IpNet> = nets.iter().copied().filter(|n| net.contains(*n)).collect();
    if inside.is_empty() || net.prefix_len() >= max_prefix(net) {
        return false;
    }
    match net.subnets(net.prefix_len() + 1) {
        Ok(halves) => halves
            .into_iter()
            .all(|half| network_covered(&half, &inside)),
        Err(_) => false,
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.to_input().value())
    }
}

impl Serialize for Target {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_input().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Target {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let input = TargetInput::deserialize(deserializer)?;
        Target::parse(&input).map_err(serde::de::Error::custom)
    }
}

fn parse_purl(value: &str) -> Result<Target, TargetError> {
    let purl = Purl::parse(value).map_err(|e| TargetError(e.to_string()))?;
    // Qualifiers and subpath name a build or a file, not another package: dropped.
    let canonical = purl.to_canonical_string();
    let canonical = canonical
        .split(['?', '#'])
        .next()
        .unwrap_or(&canonical)
        .to_owned();
    let versionless = purl.without_version().to_canonical_string();
    let versionless = versionless
        .split(['?', '#'])
        .next()
        .unwrap_or(&versionless)
        .to_owned();
    Ok(Target::Package(PackageTarget {
        key: purl.package_key(),
        purl: canonical,
        versionless,
    }))
}

impl PackageTarget {
    /// The canonical package URL (version kept, qualifiers dropped).
    pub fn purl(&self) -> &str {
        &self.purl
    }
}

/// Part, vendor and product: the attributes a product is identified by (the version and the
/// rest are ignored for overlap).
const IDENTITY_ATTRIBUTES: std::ops::Range<usize> = 0..3;

impl ProductTarget {
    fn values(&self) -> impl Iterator<Item = &CpeValue> {
        IDENTITY_ATTRIBUTES.filter_map(|i| self.cpe.value(i))
    }

    /// NISTIR 7696: every identity attribute of `self` is a superset of or equal to `other`'s.
    fn covers(&self, other: &ProductTarget) -> bool {
        self.values()
            .zip(other.values())
            .all(|(a, b)| matches!(a.compare(b), Relation::Equal | Relation::Superset))
    }

    /// Whether some product could match both names: no identity attribute is disjoint. Two
    /// patterns with wildcards in the same attribute cannot be compared (NISTIR 7696 says
    /// undefined); they are taken to overlap, since missing an overlap is worse than reporting
    /// one that is not.
    fn overlaps(&self, other: &ProductTarget) -> bool {
        self.values().zip(other.values()).all(|(a, b)| {
            let forward = a.compare(b);
            let backward = b.compare(a);
            forward != Relation::Disjoint && backward != Relation::Disjoint
        })
    }
}

/// `user@host:path` (the scp-like form git accepts), as (host, path).
fn scp_like(text: &str) -> Option<(&str, &str)> {
    if text.contains("://") {
        return None;
    }
    let (user_host, path) = text.split_once(':')?;
    let (_, host) = user_host.split_once('@')?;
    (!host.is_empty() && !path.is_empty() && !host.contains('/')).then_some((host, path))
}

fn parse_repository(value: &str) -> Result<RepositoryTarget, TargetError> {
    let (scheme, host, port, path) = if let Some((host, path)) = scp_like(value) {
        (
            "ssh".to_owned(),
            host.to_ascii_lowercase(),
            None,
            path.to_owned(),
        )
    } else {
        let url = url::Url::parse(value).map_err(|e| {
            TargetError(format!(
                "{value:?} is not a repository URL ({e}); write https://host/path or git@host:path"
            ))
        })?;
        if !matches!(url.scheme(), "https" | "http" | "ssh" | "git" | "git+ssh") {
            return Err(TargetError(format!(
                "a repository URL uses https, http, ssh or git, not {}",
                url.scheme()
            )));
        }
        let host = url
            .host_str()
            .ok_or_else(|| TargetError("a repository URL needs a host".into()))?
            .to_ascii_lowercase();
        (
            url.scheme().to_owned(),
            host,
            url.port(),
            url.path().to_owned(),
        )
    };
    let mut path = path.trim_matches('/').to_owned();
    loop {
        let trimmed = path
            .strip_suffix(".git")
            .unwrap_or(&path)
            .trim_end_matches('/')
            .to_owned();
        if trimmed == path {
            break;
        }
        path = trimmed;
    }
    if path.is_empty() {
        return Err(TargetError(
            "a repository URL names a repository (host and path), not only a host".into(),
        ));
    }
    let authority = match port {
        Some(port) => format!("{host}:{port}"),
        None => host,
    };
    Ok(RepositoryTarget {
        url: format!("{scheme}://{authority}/{path}"),
        key: format!("{authority}/{path}"),
    })
}

impl RepositoryTarget {
    /// The normalized URL.
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl HostPattern {
    /// Parses `name` or `*.name`. Names are ASCII (write internationalized names in their `xn--`
    /// form), labels of 1 to 63 letters, digits and hyphens, at most 253 characters.
    pub fn parse(value: &str) -> Result<HostPattern, TargetError> {
        let lower = value.trim().trim_end_matches('.').to_ascii_lowercase();
        let (below, name) = match lower.strip_prefix("*.") {
            Some(rest) => (true, rest.to_owned()),
            None => (false, lower),
        };
        if name.parse::<IpAddr>().is_ok() {
            return Err(TargetError(format!(
                "{name} is an IP address; give it as a cidr target"
            )));
        }
        if name.is_empty() || name.len() > 253 {
            return Err(TargetError("a hostname has 1 to 253 characters".into()));
        }
        for label in name.split('.') {
            let valid = (1..=63).contains(&label.len())
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-');
            if !valid {
                return Err(TargetError(format!(
                    "{value:?} is not a hostname: each label is 1 to 63 ASCII letters, digits or inner hyphens \
                     (a wildcard is allowed only as the whole first label, *.example.org)"
                )));
            }
        }
        if below && !name.contains('.') {
            return Err(TargetError(format!(
                "*.{name} would cover a whole top-level domain; name a domain below it"
            )));
        }
        Ok(HostPattern { below, name })
    }

    /// Whether every name `other` matches is matched by `self`.
    fn covers(&self, other: &HostPattern) -> bool {
        let under = other
            .name
            .strip_suffix(&self.name)
            .is_some_and(|prefix| prefix.ends_with('.'));
        match (self.below, other.below) {
            (false, false) => self.name == other.name,
            (false, true) => false,
            (true, _) => under || other.below && other.name == self.name,
        }
    }
}

impl fmt::Display for HostPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.below {
            write!(f, "*.{}", self.name)
        } else {
            f.write_str(&self.name)
        }
    }
}

fn parse_network(value: &str) -> Result<IpNet, TargetError> {
    if let Ok(address) = value.parse::<IpAddr>() {
        return Ok(IpNet::from(address));
    }
    let net: IpNet = value.parse().map_err(|_| {
        TargetError(format!(
            "{value:?} is not an IP network; write 192.0.2.0/24, 2001:db8::/48 or one address"
        ))
    })?;
    if net.trunc() != net {
        return Err(TargetError(format!(
            "{value} has host bits set; the network is {}",
            net.trunc()
        )));
    }
    Ok(net)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn target(input: TargetInput) -> Target {
        Target::parse(&input).unwrap_or_else(|e| panic!("{input:?}: {e}"))
    }

    fn net(text: &str) -> Target {
        target(TargetInput::Cidr(text.into()))
    }

    fn host(text: &str) -> Target {
        target(TargetInput::Hostname(text.into()))
    }

    fn purl(text: &str) -> Target {
        target(TargetInput::Purl(text.into()))
    }

    fn cpe(text: &str) -> Target {
        target(TargetInput::Cpe(text.into()))
    }

    fn repo(text: &str) -> Target {
        target(TargetInput::Repository(text.into()))
    }

    #[test]
    fn repositories_are_normalized() {
        for same in [
            "https://GitHub.com/Acme/Widget",
            "https://github.com/Acme/Widget.git",
            "https://github.com/Acme/Widget/",
            "https://user@github.com/Acme/Widget.git/",
            "git@github.com:Acme/Widget.git",
            "ssh://git@github.com/Acme/Widget",
        ] {
            let r = repo(same);
            assert!(
                r.covers(&repo("https://github.com/Acme/Widget")),
                "{same} → {r}"
            );
        }
        assert_eq!(
            repo("HTTPS://GitHub.com/Acme/Widget.git").to_string(),
            "https://github.com/Acme/Widget"
        );
        assert!(
            !repo("https://github.com/acme/widget").covers(&repo("https://github.com/Acme/Widget"))
        );
        assert!(
            !repo("https://github.com:8443/Acme/Widget")
                .covers(&repo("https://github.com/Acme/Widget"))
        );
        for bad in ["https://github.com/", "ftp://example.org/x", "not a url"] {
            assert!(
                Target::parse(&TargetInput::Repository(bad.into())).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn packages_compare_by_identity_not_version() {
        let a = purl("pkg:pypi/Django@4.2?arch=x86_64");
        assert_eq!(a.to_string(), "pkg:pypi/django@4.2");
        assert_eq!(
            a.intersection(&purl("pkg:pypi/django_@5.0")),
            None,
            "different names"
        );
        assert!(a.intersection(&purl("pkg:pypi/django")).is_some());
        assert!(purl("pkg:pypi/Foo.Bar").covers(&purl("pkg:pypi/foo-bar@1")));
        assert!(!purl("pkg:npm/left-pad").covers(&purl("pkg:pypi/left-pad")));
        assert!(
            purl("pkg:maven/org.apache/commons")
                .intersection(&purl("pkg:maven/org.other/commons"))
                .is_none()
        );
        assert!(Target::parse(&TargetInput::Purl("requests".into())).is_err());
    }

    #[test]
    fn cpe_names_overlap_per_nistir_7696_on_vendor_and_product() {
        let httpd = cpe("cpe:2.3:a:apache:http_server:2.4.1:*:*:*:*:*:*:*");
        let any_version = cpe("cpe:2.3:a:apache:http_server:*:*:*:*:*:*:*:*");
        let vendor_wide = cpe("cpe:2.3:a:apache:*:*:*:*:*:*:*:*:*");
        let other = cpe("cpe:2.3:a:nginx:nginx:*:*:*:*:*:*:*:*");
        assert!(
            httpd.intersection(&any_version).is_some(),
            "version ignored"
        );
        assert_eq!(vendor_wide.intersection(&httpd), Some(httpd.clone()));
        assert_eq!(httpd.intersection(&vendor_wide), Some(httpd.clone()));
        assert_eq!(httpd.intersection(&other), None);
        let prefix = cpe("cpe:2.3:a:apache:http*:*:*:*:*:*:*:*:*");
        assert!(prefix.intersection(&httpd).is_some());
        assert!(
            prefix
                .intersection(&cpe("cpe:2.3:a:apache:tomcat:*:*:*:*:*:*:*:*"))
                .is_none()
        );
        let os = cpe("cpe:2.3:o:apache:http_server:*:*:*:*:*:*:*:*");
        assert!(os.intersection(&httpd).is_none(), "part differs");
        assert!(
            cpe("cpe:/a:apache:http_server:2.4")
                .intersection(&httpd)
                .is_some()
        );
    }

    #[test]
    fn hostnames_match_exactly_or_by_suffix() {
        let below = host("*.Example.org.");
        assert_eq!(below.to_string(), "*.example.org");
        assert!(below.covers(&host("www.example.org")));
        assert!(below.covers(&host("a.b.example.org")));
        assert!(below.covers(&host("*.b.example.org")));
        assert!(
            !below.covers(&host("example.org")),
            "the suffix is below the domain"
        );
        assert!(!below.covers(&host("badexample.org")));
        assert!(!host("www.example.org").covers(&below));
        assert_eq!(
            host("*.example.org").intersection(&host("*.dev.example.org")),
            Some(host("*.dev.example.org"))
        );
        assert_eq!(
            host("www.example.org").intersection(&host("*.example.org")),
            Some(host("www.example.org"))
        );
        assert_eq!(
            host("a.example.org").intersection(&host("b.example.org")),
            None
        );
        for bad in [
            "*.org",
            "exa mple.org",
            "-x.org",
            "10.0.0.1",
            "w*w.example.org",
            "*",
        ] {
            assert!(
                Target::parse(&TargetInput::Hostname(bad.into())).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn networks_nest_or_are_disjoint() {
        assert_eq!(net("10.0.0.5").to_string(), "10.0.0.5/32");
        assert_eq!(net("2001:DB8::/32").to_string(), "2001:db8::/32");
        let err = Target::parse(&TargetInput::Cidr("10.0.0.5/24".into())).expect_err("host bits");
        assert!(err.0.contains("10.0.0.0/24"), "{err}");
        assert_eq!(
            net("10.0.0.0/16").intersection(&net("10.0.3.0/24")),
            Some(net("10.0.3.0/24"))
        );
        assert_eq!(
            net("10.0.3.0/24").intersection(&net("10.0.0.0/16")),
            Some(net("10.0.3.0/24"))
        );
        assert_eq!(net("10.0.0.0/24").intersection(&net("10.0.1.0/24")), None);
        assert_eq!(
            net("10.0.0.0/8").intersection(&net("::/0")),
            None,
            "families differ"
        );
        assert_eq!(
            host("www.example.org").intersection(&net("10.0.0.0/8")),
            None
        );
    }

    #[test]
    fn a_network_may_be_covered_by_several_pieces() {
        let halves = [net("10.0.0.0/24"), net("10.0.1.0/24")];
        assert!(net("10.0.0.0/23").covered_by_union(&halves));
        assert!(!net("10.0.0.0/22").covered_by_union(&halves));
        assert!(net("10.0.1.7").covered_by_union(&halves));
        assert!(!net("10.0.2.7").covered_by_union(&halves));
        assert!(host("www.example.org").covered_by_union(&[host("*.example.org")]));
        assert!(!host("*.example.org").covered_by_union(&[host("www.example.org")]));
    }

    #[test]
    fn strings_are_guessed_into_kinds() {
        assert_eq!(TargetInput::guess("pkg:npm/x").kind(), "purl");
        assert_eq!(
            TargetInput::guess("cpe:2.3:a:x:y:*:*:*:*:*:*:*:*").kind(),
            "cpe"
        );
        assert_eq!(
            TargetInput::guess("https://github.com/a/b").kind(),
            "repository"
        );
        assert_eq!(
            TargetInput::guess("git@github.com:a/b.git").kind(),
            "repository"
        );
        assert_eq!(TargetInput::guess("10.0.0.1").kind(), "cidr");
        assert_eq!(TargetInput::guess("10.0.0.0/8").kind(), "cidr");
        assert_eq!(TargetInput::guess("::1").kind(), "cidr");
        assert_eq!(TargetInput::guess("www.example.org").kind(), "hostname");
    }

    #[test]
    fn targets_round_trip_through_json() {
        for t in [
            purl("pkg:npm/%40scope/name@1.0.0"),
            cpe("cpe:2.3:a:apache:http_server:*:*:*:*:*:*:*:*"),
            repo("git@github.com:a/b.git"),
            host("*.example.org"),
            net("2001:db8::/48"),
        ] {
            let json = serde_json::to_string(&t).expect("json");
            let back: Target = serde_json::from_str(&json).expect("parses");
            assert_eq!(back, t, "{json}");
        }
    }

    fn v4_net() -> impl Strategy<Value = IpNet> {
        (any::<u32>(), 0u8..=32).prop_map(|(bits, len)| {
            IpNet::new(IpAddr::from(std::net::Ipv4Addr::from(bits)), len)
                .expect("valid prefix")
                .trunc()
        })
    }

    proptest! {
        /// Intersection agrees with brute force over addresses: two networks intersect exactly
        /// when some address is in both, and the intersection is the smaller one.
        #[test]
        fn cidr_intersection_is_set_intersection(a in v4_net(), b in v4_net(), probe in any::<u32>()) {
            let (ta, tb) = (Target::Network(a), Target::Network(b));
            let shared = ta.intersection(&tb);
            prop_assert_eq!(shared.clone(), tb.intersection(&ta));
            let address = IpAddr::from(std::net::Ipv4Addr::from(probe));
            let in_both = a.contains(&address) && b.contains(&address);
            match shared {
                Some(Target::Network(n)) => {
                    prop_assert_eq!(n.contains(&address), in_both);
                    prop_assert!(n == a || n == b);
                }
                None => {
                    prop_assert!(!in_both);
                    // Disjoint networks share neither network address.
                    prop_assert!(!a.contains(&b.network()) && !b.contains(&a.network()));
                }
                Some(other) => prop_assert!(false, "not a network: {other}"),
            }
        }

        /// Covering by a union agrees with brute force on small networks.
        #[test]
        fn union_cover_agrees_with_enumeration(pieces in proptest::collection::vec((0u32..16, 28u8..=32), 0..6), len in 28u8..=32) {
            let base = u32::from(std::net::Ipv4Addr::new(10, 0, 0, 0));
            let make = |offset: u32, len: u8| IpNet::new(IpAddr::from(std::net::Ipv4Addr::from(base + offset)), len).expect("prefix").trunc();
            let nets: Vec<Target> = pieces.iter().map(|(o, l)| Target::Network(make(*o, *l))).collect();
            let whole = make(0, len);
            let brute = (0..(1u32 << (32 - len))).all(|i| {
                let address = IpAddr::from(std::net::Ipv4Addr::from(base + i));
                nets.iter().any(|n| matches!(n, Target::Network(n) if n.contains(&address)))
            });
            prop_assert_eq!(Target::Network(whole).covered_by_union(&nets), brute);
        }
    }
}
