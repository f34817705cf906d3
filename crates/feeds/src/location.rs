//! Where a document lives (a local path or a URL) and how references between documents resolve,
//! including the two ways real publishers' references differ from where the files are.

use std::fmt;
use std::path::{Component, Path, PathBuf};

use url::Url;

/// A local file or directory, or an `http(s)` URL. Every reference found in a local document
/// resolves against its directory, so a provider mirrored to disk reads from disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Location {
    Path(PathBuf),
    Url(Url),
}

impl Location {
    /// Reads a source as given by the user: `http://` or `https://` is a URL, anything else a path.
    pub(crate) fn parse(source: &str) -> Result<Location, url::ParseError> {
        if is_http_url(source) {
            Url::parse(source).map(Location::Url)
        } else {
            Ok(Location::Path(PathBuf::from(source)))
        }
    }

    /// Resolves `reference` found in the document at `self` the way a browser resolves a link:
    /// an absolute URL as it is, anything else relative to this document's directory.
    pub(crate) fn resolve(&self, reference: &str) -> Result<Location, url::ParseError> {
        if is_http_url(reference) {
            return Url::parse(reference).map(Location::Url);
        }
        match self {
            Location::Url(base) => base.join(reference).map(Location::Url),
            Location::Path(path) => Ok(Location::Path(
                path.parent().unwrap_or(Path::new("")).join(reference),
            )),
        }
    }

    /// The location of a file named like this one plus `suffix` (`a.json` → `a.json.sha512`).
    pub(crate) fn with_suffix(&self, suffix: &str) -> Location {
        match self {
            Location::Url(url) => {
                let mut url = url.clone();
                let path = format!("{}{suffix}", url.path());
                url.set_path(&path);
                Location::Url(url)
            }
            Location::Path(path) => {
                let mut path = path.clone().into_os_string();
                path.push(suffix);
                Location::Path(path.into())
            }
        }
    }

    /// The last path segment (the file name), or "" for a directory URL.
    pub(crate) fn file_name(&self) -> &str {
        match self {
            Location::Url(url) => url.path().rsplit('/').next().unwrap_or(""),
            Location::Path(path) => path
                .file_name()
                .and_then(|name| name.to_str())
                .unwrap_or(""),
        }
    }

    /// The names of the directories leading to this file, outermost first.
    fn directory_segments(&self) -> Vec<String> {
        match self {
            Location::Url(url) => {
                let mut segments: Vec<String> = url
                    .path_segments()
                    .map(|segments| segments.map(str::to_owned).collect())
                    .unwrap_or_default();
                segments.pop();
                segments
            }
            Location::Path(path) => path
                .parent()
                .map(|parent| {
                    parent
                        .components()
                        .filter_map(|component| match component {
                            Component::Normal(name) => Some(name.to_string_lossy().into_owned()),
                            _ => None,
                        })
                        .collect()
                })
                .unwrap_or_default(),
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Path(path) => write!(f, "{}", path.display()),
            Location::Url(url) => f.write_str(url.as_str()),
        }
    }
}

/// Whether `text` starts with `http://` or `https://` (any case).
pub(crate) fn is_http_url(text: &str) -> bool {
    let starts = |prefix: &str| {
        text.get(..prefix.len())
            .is_some_and(|start| start.eq_ignore_ascii_case(prefix))
    };
    starts("http://") || starts("https://")
}

/// Resolves references in a document that names its own canonical address (a ROLIE feed's `self`
/// link, provider metadata's `canonical_url`) against where it was actually read.
///
/// References under the canonical directory are rewritten to the same place under the actual
/// directory, so a mirror (a copy on disk, a loopback server, an internal proxy) serves the
/// documents too instead of the feed sending every request back to the original host. When the
/// document was read from its canonical address this changes nothing.
#[derive(Debug, Clone)]
pub(crate) struct Rebase {
    canonical_directory: Option<String>,
    actual: Location,
}

impl Rebase {
    /// A rebase for a document read from `actual` that calls itself `canonical`.
    pub(crate) fn new(canonical: Option<&str>, actual: &Location) -> Rebase {
        let canonical_directory = canonical
            .filter(|canonical| is_http_url(canonical))
            .filter(|canonical| match actual {
                Location::Url(url) => url.as_str() != *canonical,
                Location::Path(_) => true,
            })
            .and_then(|canonical| {
                canonical
                    .rfind('/')
                    .map(|slash| canonical[..=slash].to_owned())
            });
        Rebase {
            canonical_directory,
            actual: actual.clone(),
        }
    }

    /// Where `reference` found in the document should be read from.
    pub(crate) fn resolve(&self, reference: &str) -> Result<Location, url::ParseError> {
        if let Some(directory) = &self.canonical_directory
            && let Some(rest) = reference.strip_prefix(directory.as_str())
        {
            return self.actual.resolve(rest);
        }
        self.actual.resolve(reference)
    }
}

/// Resolves an entry of a CSAF `index.txt` or `changes.csv` at `listing`.
///
/// CSAF 2.0 (section 7.1.13–7.1.14) has entries relative to the listing's directory
/// (`2024/x.json`). CISA's listings repeat the directory's own path in every entry
/// (`csaf_files/OT/white/2024/x.json` in `…/csaf_files/OT/white/index.txt`); when an entry starts
/// with the last directory names of the listing's own path, those are not repeated. The file
/// name itself is never treated as a repeated directory.
pub(crate) fn resolve_listed(listing: &Location, entry: &str) -> Result<Location, url::ParseError> {
    if is_http_url(entry) || entry.starts_with('/') {
        return listing.resolve(entry);
    }
    let directory = listing.directory_segments();
    let parts: Vec<&str> = entry.split('/').collect();
    let longest = directory.len().min(parts.len().saturating_sub(1));
    let repeated = (1..=longest)
        .rev()
        .find(|&k| {
            directory[directory.len() - k..]
                .iter()
                .zip(&parts[..k])
                .all(|(a, b)| a == b)
        })
        .unwrap_or(0);
    listing.resolve(&parts[repeated..].join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> Location {
        Location::Url(Url::parse(text).unwrap())
    }

    #[test]
    fn sources_are_urls_only_with_an_http_scheme() {
        assert_eq!(
            Location::parse("HTTPS://example.com/a.json").unwrap(),
            url("https://example.com/a.json")
        );
        assert_eq!(
            Location::parse("data/osv").unwrap(),
            Location::Path(PathBuf::from("data/osv"))
        );
        assert!(Location::parse("https://").is_err());
    }

    #[test]
    fn references_resolve_against_the_document_directory() {
        let feed = url("https://example.com/csaf/white/feed.json");
        assert_eq!(
            feed.resolve("2024/a.json").unwrap(),
            url("https://example.com/csaf/white/2024/a.json")
        );
        assert_eq!(
            feed.resolve("https://other.example/x.json").unwrap(),
            url("https://other.example/x.json")
        );
        let local = Location::Path(PathBuf::from("/mirror/white/feed.json"));
        assert_eq!(
            local.resolve("2024/a.json").unwrap(),
            Location::Path(PathBuf::from("/mirror/white/2024/a.json"))
        );
        assert_eq!(
            local.with_suffix(".sha512"),
            Location::Path(PathBuf::from("/mirror/white/feed.json.sha512"))
        );
        assert_eq!(
            url("https://example.com/a.json").with_suffix(".sha512"),
            url("https://example.com/a.json.sha512")
        );
    }

    #[test]
    fn a_mirror_reads_documents_from_itself() {
        let canonical = "https://raw.example/cisa/OT/white/feed.json";
        let rebase = Rebase::new(Some(canonical), &url("http://127.0.0.1:9/m/feed.json"));
        assert_eq!(
            rebase
                .resolve("https://raw.example/cisa/OT/white/2024/a.json")
                .unwrap(),
            url("http://127.0.0.1:9/m/2024/a.json")
        );
        assert_eq!(
            rebase.resolve("https://elsewhere.example/a.json").unwrap(),
            url("https://elsewhere.example/a.json")
        );
        let on_disk = Rebase::new(
            Some(canonical),
            &Location::Path(PathBuf::from("/m/feed.json")),
        );
        assert_eq!(
            on_disk
                .resolve("https://raw.example/cisa/OT/white/2024/a.json")
                .unwrap(),
            Location::Path(PathBuf::from("/m/2024/a.json"))
        );
        let at_home = Rebase::new(Some(canonical), &url(canonical));
        assert_eq!(
            at_home
                .resolve("https://raw.example/cisa/OT/white/2024/a.json")
                .unwrap(),
            url("https://raw.example/cisa/OT/white/2024/a.json")
        );
    }

    #[test]
    fn listed_entries_do_not_repeat_the_listing_directory() {
        let cisa = url("https://raw.example/CSAF/develop/csaf_files/OT/white/changes.csv");
        assert_eq!(
            resolve_listed(&cisa, "csaf_files/OT/white/2024/icsa-24-001-01.json").unwrap(),
            url("https://raw.example/CSAF/develop/csaf_files/OT/white/2024/icsa-24-001-01.json")
        );
        assert_eq!(
            resolve_listed(&cisa, "2024/icsa-24-001-01.json").unwrap(),
            url("https://raw.example/CSAF/develop/csaf_files/OT/white/2024/icsa-24-001-01.json")
        );
        let flat = url("https://example.com/white/index.txt");
        assert_eq!(
            resolve_listed(&flat, "white.json").unwrap(),
            url("https://example.com/white/white.json")
        );
        assert_eq!(
            resolve_listed(&flat, "white/white.json").unwrap(),
            url("https://example.com/white/white.json")
        );
    }
}
