//! CSAF sources (CSAF 2.0 section 7): a directory tree of advisories, one advisory, or what a
//! provider publishes — `provider-metadata.json`, its ROLIE feeds, its directories with
//! `changes.csv` (preferred: it dates every file) or `index.txt` — by path or URL. Every advisory
//! is checked against the hash file its feed links to or the `.sha512`/`.sha256` next to it.
//!
//! Provider metadata, feeds and listings are read while opening (so the feed knows its length);
//! advisories are fetched afterwards, a few at a time, in listing order.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use jiff::Timestamp;
use serde::Deserialize;
use serde::de::IgnoredAny;

use crate::fetch::{FetchError, local_metadata};
use crate::integrity::HashAlgorithm;
use crate::location::{Location, Rebase, resolve_listed};
use crate::pipeline::{self, Check, Content, Job};
use crate::walk::{is_document_name, walk};
use crate::{Context, Feed, FeedError, FeedItem, FeedKind, rejected};

/// The largest provider metadata, ROLIE feed or listing read: big providers' feeds list tens of
/// thousands of advisories, far more than one advisory's limit.
const INDEX_LIMIT: u64 = 256 * 1024 * 1024;

/// What a CSAF source accepts, for [`FeedError::Unsupported`].
const EXPECTED: &str = "a CSAF document, provider-metadata.json, a ROLIE feed, changes.csv, \
                        index.txt or a directory";

/// Opens a CSAF source.
pub(crate) async fn open(location: Location, context: Context) -> Result<Feed, FeedError> {
    let mut plan = Plan::default();
    match &location {
        Location::Path(path) => {
            if local_metadata(path).await?.is_dir() {
                return open_tree(path, context).await;
            }
        }
        Location::Url(url) if url.path().ends_with('/') => {
            if url.path() == "/" {
                // A bare provider domain: the well-known place of its metadata (CSAF 7.1.8).
                let metadata = location
                    .resolve(".well-known/csaf/provider-metadata.json")
                    .map_err(|source| FeedError::InvalidUrl {
                        location: location.to_string(),
                        source,
                    })?;
                match context.fetcher.fetch(&metadata, INDEX_LIMIT).await {
                    Ok(body) => {
                        plan.add_provider(&context, &metadata, &body.bytes).await?;
                        return Ok(plan.spawn(context));
                    }
                    Err(error) if error.is_absent() => {}
                    Err(error) => return Err(error.into_feed_error(&metadata)),
                }
            }
            return match plan.add_directory(&context, &location).await {
                Ok(()) => Ok(plan.spawn(context)),
                Err(ListingError::Fetch(listing, error)) => Err(error.into_feed_error(&listing)),
                Err(ListingError::Missing) => Err(FeedError::NoListing {
                    location: location.to_string(),
                }),
            };
        }
        Location::Url(_) => {}
    }
    let body = context
        .fetcher
        .fetch(&location, INDEX_LIMIT)
        .await
        .map_err(|error| error.into_feed_error(&location))?;
    let name = location.file_name();
    if name.eq_ignore_ascii_case("changes.csv") {
        plan.add_changes(&context, &location, &body.bytes);
        return Ok(plan.spawn(context));
    }
    if name.eq_ignore_ascii_case("index.txt") {
        plan.add_index(&context, &location, &body.bytes);
        return Ok(plan.spawn(context));
    }
    match sniff(&body.bytes) {
        Sniffed::Provider => {
            plan.add_provider(&context, &location, &body.bytes).await?;
            Ok(plan.spawn(context))
        }
        Sniffed::Feed => {
            plan.add_rolie(&context, &location, &body.bytes)
                .map_err(|source| FeedError::InvalidMetadata {
                    location: location.to_string(),
                    source,
                })?;
            Ok(plan.spawn(context))
        }
        Sniffed::Other => Err(FeedError::Unsupported {
            location: location.to_string(),
            kind: FeedKind::Csaf,
            expected: EXPECTED,
        }),
        Sniffed::Document => {
            if body.bytes.len() as u64 > context.limit {
                let reason = FetchError::TooLarge(context.limit);
                return Ok(Feed::ready(vec![rejected(&location, reason)]));
            }
            if context.unchanged(body.modified) {
                return Ok(Feed::ready(Vec::new()));
            }
            let job = Job {
                check: Check::Sibling,
                ..Job::plain(location)
            };
            let item = pipeline::finish(&context, job, body).await;
            Ok(Feed::ready(item.into_iter().collect()))
        }
    }
}

/// A local directory tree of advisories, dated by its `changes.csv` when it has one.
async fn open_tree(root: &Path, context: Context) -> Result<Feed, FeedError> {
    let owned_root = root.to_owned();
    let (found, problems) = tokio::task::spawn_blocking(move || {
        walk(&owned_root, |name| is_document_name(FeedKind::Csaf, name))
    })
    .await
    .map_err(|error| FeedError::Io {
        location: root.display().to_string(),
        source: std::io::Error::other(error),
    })?;
    let changes_path = root.join("changes.csv");
    let dates = match tokio::fs::read(&changes_path).await {
        Ok(bytes) => dates_by_suffix(&bytes),
        Err(_) => HashMap::new(),
    };
    let jobs = found
        .into_iter()
        .map(|found| Job {
            modified: dates.get(&found.relative).copied().or(found.modified),
            check: Check::Sibling,
            content: Content::CsafFile,
            location: Location::Path(found.path),
        })
        .filter(|job| !context.unchanged(job.modified))
        .collect();
    Ok(pipeline::spawn(context, problems, jobs))
}

/// `changes.csv` dates keyed by every tail of each listed path, so `2024/a.json` below the
/// directory finds its date whether the listing says `2024/a.json` or, like CISA's,
/// `csaf_files/OT/white/2024/a.json`.
fn dates_by_suffix(changes: &[u8]) -> HashMap<String, Timestamp> {
    let mut dates = HashMap::new();
    for line in text_lines(changes) {
        let Ok((path, time)) = parse_changes_line(line) else {
            continue;
        };
        let parts: Vec<&str> = path.split('/').collect();
        for start in 0..parts.len() {
            dates.entry(parts[start..].join("/")).or_insert(time);
        }
    }
    dates
}

/// The documents to read, found in metadata, feeds and listings, without duplicates.
#[derive(Debug, Default)]
struct Plan {
    ready: Vec<FeedItem>,
    jobs: Vec<Job>,
    seen: HashSet<String>,
}

/// Why a directory's listing could not be read.
enum ListingError {
    /// Reading the listing failed.
    Fetch(Location, FetchError),
    /// Neither `changes.csv` nor `index.txt` exists.
    Missing,
}

impl Plan {
    /// The feed that yields the rejections found so far, then the documents.
    fn spawn(self, context: Context) -> Feed {
        pipeline::spawn(context, self.ready, self.jobs)
    }

    /// Adds a document unless it is unchanged since `since` or already planned.
    fn push(&mut self, context: &Context, job: Job) {
        if !context.unchanged(job.modified) && self.seen.insert(job.location.to_string()) {
            self.jobs.push(job);
        }
    }

    fn reject(&mut self, location: impl std::fmt::Display, reason: impl std::fmt::Display) {
        self.ready.push(rejected(location, reason));
    }

    /// Reads provider metadata: its ROLIE feeds first, then its directories. A feed or
    /// directory that cannot be read is a rejection; the others are still read.
    async fn add_provider(
        &mut self,
        context: &Context,
        location: &Location,
        bytes: &[u8],
    ) -> Result<(), FeedError> {
        let metadata: ProviderMetadata =
            serde_json::from_slice(bytes).map_err(|source| FeedError::InvalidMetadata {
                location: location.to_string(),
                source,
            })?;
        let rebase = Rebase::new(metadata.canonical_url.as_deref(), location);
        let feeds: Vec<&str> = metadata
            .distributions
            .iter()
            .filter_map(|distribution| distribution.rolie.as_ref())
            .flat_map(|rolie| rolie.feeds.iter().filter_map(|feed| feed.url.as_deref()))
            .collect();
        let directories: Vec<&str> = metadata
            .distributions
            .iter()
            .filter_map(|distribution| distribution.directory_url.as_deref())
            .collect();
        if feeds.is_empty() && directories.is_empty() {
            return Err(FeedError::NoDistributions {
                location: location.to_string(),
            });
        }
        for url in feeds {
            let feed = match rebase.resolve(url) {
                Ok(feed) => feed,
                Err(error) => {
                    self.reject(url, format!("invalid ROLIE feed URL: {error}"));
                    continue;
                }
            };
            match context.fetcher.fetch(&feed, INDEX_LIMIT).await {
                Ok(body) => {
                    if let Err(error) = self.add_rolie(context, &feed, &body.bytes) {
                        self.reject(&feed, format!("invalid ROLIE feed: {error}"));
                    }
                }
                Err(error) => self.reject(&feed, error),
            }
        }
        for url in directories {
            let with_slash = if url.ends_with('/') {
                url.to_owned()
            } else {
                format!("{url}/")
            };
            let directory = match rebase.resolve(&with_slash) {
                Ok(directory) => directory,
                Err(error) => {
                    self.reject(url, format!("invalid directory_url: {error}"));
                    continue;
                }
            };
            match self.add_directory(context, &directory).await {
                Ok(()) => {}
                Err(ListingError::Fetch(listing, error)) => self.reject(&listing, error),
                Err(ListingError::Missing) => self.reject(
                    &directory,
                    "neither changes.csv nor index.txt is published here",
                ),
            }
        }
        Ok(())
    }

    /// Reads a directory's `changes.csv`, or its `index.txt` when there is none.
    async fn add_directory(
        &mut self,
        context: &Context,
        directory: &Location,
    ) -> Result<(), ListingError> {
        let directory = match directory {
            // A directory path resolves its children like a file inside it.
            Location::Path(path) => Location::Path(path.join("index.txt")),
            Location::Url(_) => directory.clone(),
        };
        for name in ["changes.csv", "index.txt"] {
            let Ok(listing) = directory.resolve(name) else {
                return Err(ListingError::Missing);
            };
            match context.fetcher.fetch(&listing, INDEX_LIMIT).await {
                Ok(body) if name == "changes.csv" => {
                    self.add_changes(context, &listing, &body.bytes);
                    return Ok(());
                }
                Ok(body) => {
                    self.add_index(context, &listing, &body.bytes);
                    return Ok(());
                }
                Err(error) if error.is_absent() => continue,
                Err(error) => return Err(ListingError::Fetch(listing, error)),
            }
        }
        Err(ListingError::Missing)
    }

    /// Adds the entries of a ROLIE feed: `content.src` (else the `self` link), dated by
    /// `updated`, checked against the `hash` links (else the sibling hash files).
    fn add_rolie(
        &mut self,
        context: &Context,
        location: &Location,
        bytes: &[u8],
    ) -> Result<(), serde_json::Error> {
        let document: RolieDocument = serde_json::from_slice(bytes)?;
        let feed = document.feed;
        let canonical = feed
            .link
            .iter()
            .find(|link| link.rel.as_deref() == Some("self"))
            .and_then(|link| link.href.as_deref());
        let rebase = Rebase::new(canonical, location);
        for (index, entry) in feed.entry.iter().enumerate() {
            let source = entry
                .content
                .as_ref()
                .and_then(|content| content.src.as_deref())
                .or_else(|| {
                    entry
                        .link
                        .iter()
                        .find(|link| link.rel.as_deref() == Some("self"))
                        .and_then(|link| link.href.as_deref())
                });
            let Some(source) = source else {
                let id = entry.id.clone().unwrap_or_else(|| format!("entry {index}"));
                self.reject(
                    format!("{location}#{id}"),
                    "ROLIE entry names no document (no content.src, no self link)",
                );
                continue;
            };
            let document = match rebase.resolve(source) {
                Ok(document) => document,
                Err(error) => {
                    self.reject(source, format!("invalid document URL: {error}"));
                    continue;
                }
            };
            let hashes: Vec<(Location, HashAlgorithm)> = entry
                .link
                .iter()
                .filter(|link| link.rel.as_deref() == Some("hash"))
                .filter_map(|link| link.href.as_deref())
                .filter_map(|href| {
                    let algorithm = HashAlgorithm::from_file_name(href)?;
                    Some((rebase.resolve(href).ok()?, algorithm))
                })
                .collect();
            let modified = entry
                .updated
                .as_deref()
                .and_then(|updated| updated.parse::<Timestamp>().ok());
            let check = if hashes.is_empty() {
                Check::Sibling
            } else {
                Check::Linked(hashes)
            };
            self.push(
                context,
                Job {
                    location: document,
                    modified,
                    check,
                    content: Content::AsIs,
                },
            );
        }
        Ok(())
    }

    /// Adds the entries of a `changes.csv` (`"path","timestamp"` per line, newest first).
    fn add_changes(&mut self, context: &Context, listing: &Location, bytes: &[u8]) {
        for (number, line) in text_lines(bytes).enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let line_location = format!("{listing}:{}", number + 1);
            let (path, time) = match parse_changes_line(line) {
                Ok(parsed) => parsed,
                Err(reason) => {
                    self.reject(line_location, reason);
                    continue;
                }
            };
            match resolve_listed(listing, &path) {
                Ok(document) => self.push(
                    context,
                    Job {
                        location: document,
                        modified: Some(time),
                        check: Check::Sibling,
                        content: Content::AsIs,
                    },
                ),
                Err(error) => self.reject(line_location, format!("invalid path {path:?}: {error}")),
            }
        }
    }

    /// Adds the entries of an `index.txt` (one path per line).
    fn add_index(&mut self, context: &Context, listing: &Location, bytes: &[u8]) {
        for (number, line) in text_lines(bytes).enumerate() {
            let path = line.trim();
            if path.is_empty() {
                continue;
            }
            match resolve_listed(listing, path) {
                Ok(document) => self.push(
                    context,
                    Job {
                        check: Check::Sibling,
                        ..Job::plain(document)
                    },
                ),
                Err(error) => self.reject(
                    format!("{listing}:{}", number + 1),
                    format!("invalid path {path:?}: {error}"),
                ),
            }
        }
    }
}

/// What a JSON file in a CSAF source is.
#[derive(Debug, PartialEq, Eq)]
enum Sniffed {
    /// An advisory (or something unrecognisable, which the importer will reject with a reason).
    Document,
    /// Provider metadata.
    Provider,
    /// A ROLIE feed.
    Feed,
    /// Another kind of CSAF metadata (aggregator, ROLIE service or category document).
    Other,
}

/// The top-level members that tell CSAF documents and CSAF metadata apart.
#[derive(Deserialize)]
struct TopLevel {
    document: Option<IgnoredAny>,
    feed: Option<IgnoredAny>,
    distributions: Option<IgnoredAny>,
    canonical_url: Option<IgnoredAny>,
    service: Option<IgnoredAny>,
    categories: Option<IgnoredAny>,
}

fn sniff(bytes: &[u8]) -> Sniffed {
    let Ok(top) = serde_json::from_slice::<TopLevel>(bytes) else {
        return Sniffed::Document;
    };
    if top.document.is_some() {
        Sniffed::Document
    } else if top.feed.is_some() {
        Sniffed::Feed
    } else if top.distributions.is_some() {
        Sniffed::Provider
    } else if top.canonical_url.is_some() || top.service.is_some() || top.categories.is_some() {
        Sniffed::Other
    } else {
        Sniffed::Document
    }
}

/// Whether a `.json` file found among advisories is CSAF metadata (a ROLIE feed, provider
/// metadata…) rather than an advisory, so a directory walk skips it.
pub(crate) fn is_metadata(bytes: &[u8]) -> bool {
    sniff(bytes) != Sniffed::Document
}

/// The lines of a listing, without a byte order mark or carriage returns.
fn text_lines(bytes: &[u8]) -> impl Iterator<Item = &str> {
    let text = std::str::from_utf8(bytes).unwrap_or("");
    text.strip_prefix('\u{feff}').unwrap_or(text).lines()
}

/// Parses one `changes.csv` line: a path and an RFC 3339 timestamp, each optionally in double
/// quotes (CSAF 7.1.14 quotes both; CISA quotes neither). The error is the rejection reason.
fn parse_changes_line(line: &str) -> Result<(String, Timestamp), String> {
    let fields = csv_fields(line)?;
    let [path, time] = fields.as_slice() else {
        return Err(format!(
            "expected 2 fields (path, timestamp), found {}",
            fields.len()
        ));
    };
    let time = time
        .trim()
        .parse::<Timestamp>()
        .map_err(|error| format!("invalid timestamp {time:?}: {error}"))?;
    Ok((path.trim().to_owned(), time))
}

/// Splits one CSV line (RFC 4180 quoting, no line breaks inside fields). Written here rather than
/// taking a CSV crate because a listing line has two fields and this is all the quoting it needs.
fn csv_fields(line: &str) -> Result<Vec<String>, String> {
    let mut fields = Vec::new();
    let mut chars = line.chars().peekable();
    loop {
        let mut field = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            loop {
                match chars.next() {
                    Some('"') if chars.peek() == Some(&'"') => {
                        chars.next();
                        field.push('"');
                    }
                    Some('"') => break,
                    Some(c) => field.push(c),
                    None => return Err("unterminated quoted field".to_owned()),
                }
            }
            match chars.next() {
                None => {
                    fields.push(field);
                    return Ok(fields);
                }
                Some(',') => fields.push(field),
                Some(c) => return Err(format!("unexpected {c:?} after a quoted field")),
            }
        } else {
            loop {
                match chars.next() {
                    Some(',') => break,
                    Some(c) => field.push(c),
                    None => {
                        fields.push(field);
                        return Ok(fields);
                    }
                }
            }
            fields.push(field);
        }
    }
}

/// `provider-metadata.json`, the members read (CSAF 7.1.7).
#[derive(Deserialize)]
struct ProviderMetadata {
    canonical_url: Option<String>,
    #[serde(default)]
    distributions: Vec<Distribution>,
}

#[derive(Deserialize)]
struct Distribution {
    directory_url: Option<String>,
    rolie: Option<RolieDistribution>,
}

#[derive(Deserialize)]
struct RolieDistribution {
    #[serde(default)]
    feeds: Vec<RolieFeedReference>,
}

#[derive(Deserialize)]
struct RolieFeedReference {
    url: Option<String>,
}

/// A ROLIE feed document (RFC 8322, JSON form), the members read.
#[derive(Deserialize)]
struct RolieDocument {
    feed: RolieFeed,
}

#[derive(Deserialize)]
struct RolieFeed {
    #[serde(default)]
    link: Vec<RolieLink>,
    #[serde(default)]
    entry: Vec<RolieEntry>,
}

#[derive(Deserialize)]
struct RolieEntry {
    id: Option<String>,
    #[serde(default)]
    link: Vec<RolieLink>,
    updated: Option<String>,
    content: Option<RolieContent>,
}

#[derive(Deserialize)]
struct RolieContent {
    src: Option<String>,
}

#[derive(Deserialize)]
struct RolieLink {
    rel: Option<String>,
    href: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_lines_quoted_or_not() {
        let (path, time) = parse_changes_line(
            r#""2020/example_company_-_2020-yh4711.json","2020-07-01T10:09:07Z""#,
        )
        .unwrap();
        assert_eq!(path, "2020/example_company_-_2020-yh4711.json");
        assert_eq!(time, "2020-07-01T10:09:07Z".parse::<Timestamp>().unwrap());
        let (path, _) = parse_changes_line(
            "csaf_files/OT/white/2024/icsma-24-254-01.json,2024-09-10T06:00:00.000000Z",
        )
        .unwrap();
        assert_eq!(path, "csaf_files/OT/white/2024/icsma-24-254-01.json");
        let (path, _) = parse_changes_line(r#""a ""b"",c.json",2020-07-01T10:09:07Z"#).unwrap();
        assert_eq!(path, r#"a "b",c.json"#);
    }

    #[test]
    fn bad_changes_lines_say_why() {
        assert!(
            parse_changes_line("a.json")
                .unwrap_err()
                .contains("2 fields")
        );
        assert!(
            parse_changes_line("a.json,yesterday")
                .unwrap_err()
                .contains("invalid timestamp")
        );
        assert!(
            parse_changes_line(r#""a.json,2020-07-01T10:09:07Z"#)
                .unwrap_err()
                .contains("unterminated")
        );
    }

    #[test]
    fn sniffs_documents_and_metadata() {
        assert_eq!(
            sniff(br#"{"document":{"category":"csaf_vex"}}"#),
            Sniffed::Document
        );
        assert_eq!(sniff(br#"{"feed":{"entry":[]}}"#), Sniffed::Feed);
        assert_eq!(
            sniff(br#"{"canonical_url":"https://x/p.json","distributions":[]}"#),
            Sniffed::Provider
        );
        assert_eq!(
            sniff(br#"{"aggregator":{},"canonical_url":"https://x/a.json"}"#),
            Sniffed::Other
        );
        assert_eq!(sniff(b"not json"), Sniffed::Document);
        assert!(is_metadata(br#"{"feed":{}}"#));
        assert!(!is_metadata(br#"{"document":{}}"#));
    }

    #[test]
    fn local_dates_match_by_path_tail() {
        let dates = dates_by_suffix(
            b"\xef\xbb\xbfcsaf_files/OT/white/2024/a.json,2024-09-10T06:00:00Z\r\n\
              \"2023/b.json\",\"2023-01-01T00:00:00Z\"\n",
        );
        assert_eq!(
            dates.get("2024/a.json"),
            Some(&"2024-09-10T06:00:00Z".parse().unwrap())
        );
        assert_eq!(
            dates.get("2023/b.json"),
            Some(&"2023-01-01T00:00:00Z".parse().unwrap())
        );
        assert_eq!(dates.get("2024/b.json"), None);
    }
}
