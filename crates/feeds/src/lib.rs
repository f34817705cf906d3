//! Turns a path or URL into a stream of raw vulnerability documents, with no database.
//!
//! The knowledge-base importers call [`open`] with a [`FeedKind`] and a source (a local file or
//! directory, or an `http(s)://` URL) and then pull [`FeedItem`]s one at a time with
//! [`Feed::next`]. Parsing, digests and storage are the caller's business; this crate only finds,
//! fetches, unpacks and checks the integrity of documents:
//!
//! - OSV: a directory (recursive, `.json`, `.yaml`, `.yml`), one file, or a zip archive such as
//!   the per-ecosystem `all.zip` osv.dev publishes (local, or downloaded to a temporary file and
//!   read entry by entry).
//! - CSAF: a directory (recursive `.json`, each checked against a sibling `.sha512`/`.sha256`),
//!   one document, or a provider: `provider-metadata.json` → ROLIE feeds and `directory_url`s
//!   (`changes.csv`, else `index.txt`), a ROLIE feed, a listing, or a directory URL.
//! - KEV and EPSS: one file or URL, one document (gzip-compressed input is decompressed).
//! - CVE: CVE JSON 5 records (`CVE-*.json`) in a directory tree, one file, or a zip archive
//!   (nested zips such as CVEProject's `all_CVEs_at_midnight.zip.zip` are opened too).
//!
//! Whatever stops the whole source from being read is a [`FeedError`] from [`open`]; a problem
//! with one document is a [`FeedItem::Rejected`] with its reason, and the feed goes on.

mod archive;
mod csaf;
mod fetch;
mod integrity;
mod location;
mod pipeline;
mod records;
mod single;
mod walk;

use std::fmt;
use std::str::FromStr;

use jiff::Timestamp;
use tokio::sync::mpsc;
use tokio::task::AbortHandle;

pub use integrity::HashAlgorithm;

use fetch::Fetcher;
use location::Location;

/// The default for [`FeedOptions::max_document_bytes`]: above the largest real advisories
/// (Red Hat CSAF VEX files reach about 25 MB; the EPSS CSV is about 12 MB uncompressed).
pub const DEFAULT_MAX_DOCUMENT_BYTES: u64 = 64 * 1024 * 1024;

/// How many documents a feed fetches at once from a list (a CSAF provider, a directory): enough
/// to hide network latency without hammering a publisher.
const CONCURRENCY: usize = 4;

/// How many fetched documents may wait for the consumer: a little read-ahead, bounded memory.
const READ_AHEAD: usize = 8;

/// The kind of documents a source holds; it decides which files count as documents and how a
/// source is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FeedKind {
    /// OSV records (JSON or PyPA YAML).
    Osv,
    /// CSAF 2.x advisories, optionally published by a provider.
    Csaf,
    /// The CISA Known Exploited Vulnerabilities catalog (one document).
    Kev,
    /// The FIRST EPSS scores CSV (one document).
    Epss,
    /// CVE JSON 5 records, for instance CISA vulnrichment with its ADP data.
    Cve,
    /// CycloneDX VEX documents (`.json`), from a directory tree, one file or a zip.
    Vex,
}

impl FeedKind {
    /// Every kind, in the order the command line lists them.
    pub const ALL: [FeedKind; 6] = [
        FeedKind::Osv,
        FeedKind::Csaf,
        FeedKind::Kev,
        FeedKind::Epss,
        FeedKind::Cve,
        FeedKind::Vex,
    ];

    /// The lowercase name used on the command line and in configuration (`osv`, `csaf`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            FeedKind::Osv => "osv",
            FeedKind::Csaf => "csaf",
            FeedKind::Kev => "kev",
            FeedKind::Epss => "epss",
            FeedKind::Cve => "cve",
            FeedKind::Vex => "vex",
        }
    }
}

impl fmt::Display for FeedKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A feed kind name that is none of `osv`, `csaf`, `kev`, `epss`, `cve`, `vex`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown feed kind {0:?} (expected osv, csaf, kev, epss, cve or vex)")]
pub struct UnknownFeedKind(pub String);

impl FromStr for FeedKind {
    type Err = UnknownFeedKind;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        FeedKind::ALL
            .into_iter()
            .find(|kind| kind.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| UnknownFeedKind(s.to_owned()))
    }
}

/// One document as its publisher shipped it, before any parsing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawDocument {
    /// Where it came from, for provenance and messages: a path, a URL, or
    /// `archive!entry` for a zip entry (`all.zip!GHSA-xxxx.json`, nested: `a.zip!b.zip!c.json`).
    pub location: String,
    /// The document's bytes (decompressed when the source was gzip).
    pub bytes: Vec<u8>,
    /// When the publisher last changed it, when known: from `changes.csv`, the ROLIE entry's
    /// `updated`, HTTP `Last-Modified` or the file's modification time.
    pub modified: Option<Timestamp>,
    /// The algorithm of the publisher's hash file these bytes were checked against (CSAF); `None`
    /// when no hash was published. A mismatch never arrives here: it is a rejection.
    pub verified_hash: Option<HashAlgorithm>,
}

/// What a feed yields: a document, or the reason one document could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedItem {
    /// A document that was read (and, where a hash was published, verified).
    Document(RawDocument),
    /// A document (or a listing line, a ROLIE feed, a zip entry) that could not be read; the
    /// feed goes on with the next one.
    Rejected {
        /// The path, URL or `archive!entry` of what failed.
        location: String,
        /// Why, in words for the import summary.
        reason: String,
    },
}

/// How to read a source.
#[derive(Debug, Clone)]
pub struct FeedOptions {
    /// Skip documents whose known modification time (changes.csv, ROLIE `updated`, HTTP
    /// `Last-Modified`, file mtime) is before this instant, so a periodic sync reads only what
    /// changed. Documents with no known time are always read; zip entries carry none, so an
    /// archive is skipped whole when the archive itself is older. Single-URL sources (KEV, EPSS,
    /// archives) are requested with `If-Modified-Since`.
    pub since: Option<Timestamp>,
    /// The HTTP client to use (proxies, TLS roots, timeouts); a default client when `None`.
    pub client: Option<reqwest::Client>,
    /// The largest document accepted; larger ones are rejected without being read whole.
    pub max_document_bytes: u64,
}

impl Default for FeedOptions {
    fn default() -> Self {
        FeedOptions {
            since: None,
            client: None,
            max_document_bytes: DEFAULT_MAX_DOCUMENT_BYTES,
        }
    }
}

/// Why a source could not be opened at all. Problems with single documents are never errors:
/// they are [`FeedItem::Rejected`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FeedError {
    /// The local path does not exist.
    #[error("{location}: no such file or directory")]
    NotFound {
        /// The path as given.
        location: String,
    },
    /// The local path exists but could not be read.
    #[error("{location}: {source}")]
    Io {
        /// The path that failed.
        location: String,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// The source is not a local path and not a valid `http(s)://` URL.
    #[error("{location}: invalid URL: {source}")]
    InvalidUrl {
        /// The text that failed to parse.
        location: String,
        /// The URL parser's reason.
        #[source]
        source: url::ParseError,
    },
    /// The server answered the source (or the provider metadata) with an error status.
    #[error("{location}: HTTP {status}")]
    Status {
        /// The URL requested.
        location: String,
        /// The HTTP status code, e.g. 404.
        status: u16,
    },
    /// The server could not be reached or the transfer failed.
    #[error("{location}: request failed: {source}")]
    Request {
        /// The URL requested.
        location: String,
        /// The HTTP client's error.
        #[source]
        source: reqwest::Error,
    },
    /// Provider metadata, a feed or a listing is larger than we are willing to read.
    #[error("{location}: larger than the limit of {limit} bytes")]
    TooLarge {
        /// The path or URL.
        location: String,
        /// The limit that was exceeded, in bytes.
        limit: u64,
    },
    /// The source looks like (or is named as) a zip archive but cannot be opened as one.
    #[error("{location}: not a readable zip archive: {source}")]
    NotZip {
        /// The archive's path or URL.
        location: String,
        /// The zip reader's reason.
        #[source]
        source: zip::result::ZipError,
    },
    /// CSAF provider metadata, or a ROLIE feed given as the source, that is not valid JSON of
    /// the expected shape.
    #[error("{location}: invalid CSAF provider metadata or ROLIE feed: {source}")]
    InvalidMetadata {
        /// The metadata's path or URL.
        location: String,
        /// The JSON error, with line and column.
        #[source]
        source: serde_json::Error,
    },
    /// CSAF provider metadata that names neither a ROLIE feed nor a directory.
    #[error("{location}: provider metadata lists no ROLIE feed and no directory_url")]
    NoDistributions {
        /// The metadata's path or URL.
        location: String,
    },
    /// A CSAF directory URL with neither `changes.csv` nor `index.txt`.
    #[error("{location}: neither changes.csv nor index.txt is published here")]
    NoListing {
        /// The directory URL.
        location: String,
    },
    /// A source of a form this kind does not read, e.g. a directory for KEV.
    #[error("{location}: a {kind} source must be {expected}")]
    Unsupported {
        /// The path or URL.
        location: String,
        /// The kind that was asked for.
        kind: FeedKind,
        /// What the kind accepts, in words.
        expected: &'static str,
    },
    /// The default HTTP client could not be built (no TLS roots, for instance).
    #[error("cannot build the HTTP client: {0}")]
    Client(#[source] reqwest::Error),
}

/// A stream of documents from one source, read ahead in the background in a stable order.
///
/// Dropping it stops the background work.
#[derive(Debug)]
pub struct Feed {
    items: mpsc::Receiver<FeedItem>,
    estimated_len: Option<u64>,
    _producer: AbortOnDrop,
}

impl Feed {
    /// How many items (documents and rejections) the feed expects to yield, for progress bars;
    /// `None` when unknown (an archive holding archives). CSAF directories may yield a few fewer
    /// than announced, because ROLIE feeds and provider metadata stored among the advisories are
    /// skipped once read.
    pub fn estimated_len(&self) -> Option<u64> {
        self.estimated_len
    }

    /// The next document or rejection, or `None` when the source is exhausted.
    pub async fn next(&mut self) -> Option<FeedItem> {
        self.items.recv().await
    }

    /// A feed of items that are already in hand (single-document sources).
    fn ready(items: Vec<FeedItem>) -> Feed {
        let (sender, receiver) = mpsc::channel(items.len().max(1));
        let estimated_len = Some(items.len() as u64);
        for item in items {
            // Cannot fail: the channel has room for every item and the receiver is alive.
            let _ = sender.try_send(item);
        }
        Feed {
            items: receiver,
            estimated_len,
            _producer: AbortOnDrop(None),
        }
    }
}

/// Aborts the background task that fills a feed when the feed is dropped.
#[derive(Debug)]
struct AbortOnDrop(Option<AbortHandle>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        if let Some(handle) = &self.0 {
            handle.abort();
        }
    }
}

/// Opens `source` (a local file or directory, or an `http(s)://` URL) as a feed of `kind`.
///
/// Anything needed to know what the source holds is read here: provider metadata, ROLIE feeds and
/// listings, a directory's file names, a remote zip archive (downloaded to a temporary file), a
/// single KEV or EPSS document. Documents are fetched afterwards as [`Feed::next`] is called.
pub async fn open(kind: FeedKind, source: &str, options: &FeedOptions) -> Result<Feed, FeedError> {
    let location = Location::parse(source).map_err(|source_error| FeedError::InvalidUrl {
        location: source.to_owned(),
        source: source_error,
    })?;
    let fetcher = match &options.client {
        Some(client) => Fetcher::new(client.clone()),
        None => Fetcher::with_default_client().map_err(FeedError::Client)?,
    };
    let context = Context {
        fetcher,
        since: options.since,
        limit: options.max_document_bytes,
    };
    match kind {
        FeedKind::Osv | FeedKind::Cve | FeedKind::Vex => {
            records::open(kind, location, context).await
        }
        FeedKind::Csaf => csaf::open(location, context).await,
        FeedKind::Kev | FeedKind::Epss => single::open(kind, location, context).await,
    }
}

/// What every reader needs: the client, the `since` filter and the size limit.
#[derive(Debug, Clone)]
struct Context {
    fetcher: Fetcher,
    since: Option<Timestamp>,
    limit: u64,
}

impl Context {
    /// Whether a document last changed at `modified` is skipped under [`FeedOptions::since`].
    fn unchanged(&self, modified: Option<Timestamp>) -> bool {
        matches!((self.since, modified), (Some(since), Some(modified)) if modified < since)
    }
}

/// A rejection of `location` for `reason`.
fn rejected(location: impl fmt::Display, reason: impl fmt::Display) -> FeedItem {
    FeedItem::Rejected {
        location: location.to_string(),
        reason: reason.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_through_their_names() {
        for kind in FeedKind::ALL {
            assert_eq!(kind.as_str().parse::<FeedKind>(), Ok(kind));
            assert_eq!(kind.to_string(), kind.as_str());
        }
        assert_eq!("CSAF".parse::<FeedKind>(), Ok(FeedKind::Csaf));
        assert_eq!(
            "nvd".parse::<FeedKind>(),
            Err(UnknownFeedKind("nvd".to_owned()))
        );
    }

    #[test]
    fn since_skips_only_documents_known_to_be_older() {
        let since: Timestamp = "2024-06-01T00:00:00Z".parse().unwrap();
        let context = Context {
            fetcher: Fetcher::new(reqwest::Client::new()),
            since: Some(since),
            limit: 1,
        };
        assert!(context.unchanged(Some("2024-05-31T23:59:59Z".parse().unwrap())));
        assert!(!context.unchanged(Some(since)));
        assert!(!context.unchanged(None));
        let context = Context {
            since: None,
            ..context
        };
        assert!(!context.unchanged(Some("2000-01-01T00:00:00Z".parse().unwrap())));
    }
}
