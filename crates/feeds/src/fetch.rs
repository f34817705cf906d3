//! Reading bytes from a [`Location`] with a size limit: files from disk, URLs over HTTP, large
//! archives streamed into a temporary file.

use std::fmt;
use std::io::{self, Seek, SeekFrom};
use std::path::Path;
use std::time::Duration;

use jiff::Timestamp;
use jiff::fmt::rfc2822;
use reqwest::header::{HeaderMap, IF_MODIFIED_SINCE, LAST_MODIFIED};
use reqwest::{Client, StatusCode};
use tokio::io::AsyncWriteExt;
use url::Url;

use crate::FeedError;
use crate::location::Location;

/// Reads locations over one shared HTTP client.
#[derive(Debug, Clone)]
pub(crate) struct Fetcher {
    client: Client,
}

/// Bytes read from a location and when they last changed, if the source said.
#[derive(Debug)]
pub(crate) struct Body {
    pub(crate) bytes: Vec<u8>,
    pub(crate) modified: Option<Timestamp>,
}

/// An archive (or a document that turned out not to be one) fetched from a URL.
#[derive(Debug)]
pub(crate) enum Download {
    /// Starts like a zip archive; kept in an anonymous temporary file, positioned at the start.
    Archive {
        file: std::fs::File,
        modified: Option<Timestamp>,
    },
    /// Anything else, in memory (at most the document limit).
    Document(Body),
}

/// Why one location could not be read.
#[derive(Debug)]
pub(crate) enum FetchError {
    /// No such file.
    Missing,
    /// The server answered with an error status.
    Status(StatusCode),
    /// More bytes than the limit.
    TooLarge(u64),
    /// The server could not be reached or the transfer broke off.
    Transport(reqwest::Error),
    /// The file exists but could not be read.
    Io(io::Error),
}

impl FetchError {
    /// Whether the error means "not published here" (so a guessed hash file is simply absent).
    /// 403 counts because object stores answer it for missing keys.
    pub(crate) fn is_absent(&self) -> bool {
        match self {
            FetchError::Missing => true,
            FetchError::Status(status) => matches!(
                *status,
                StatusCode::NOT_FOUND | StatusCode::GONE | StatusCode::FORBIDDEN
            ),
            _ => false,
        }
    }

    /// The error as a reason to fail opening the source at `location`.
    pub(crate) fn into_feed_error(self, location: &Location) -> FeedError {
        let location = location.to_string();
        match self {
            FetchError::Missing => FeedError::NotFound { location },
            FetchError::Status(status) => FeedError::Status {
                location,
                status: status.as_u16(),
            },
            FetchError::TooLarge(limit) => FeedError::TooLarge { location, limit },
            FetchError::Transport(source) => FeedError::Request { location, source },
            FetchError::Io(source) => FeedError::Io { location, source },
        }
    }
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FetchError::Missing => f.write_str("no such file"),
            FetchError::Status(status) => write!(f, "HTTP {status}"),
            FetchError::TooLarge(limit) => write!(f, "larger than the limit of {limit} bytes"),
            FetchError::Transport(error) => write_chain(f, error),
            FetchError::Io(error) => write!(f, "{error}"),
        }
    }
}

/// Writes an error with its causes: reqwest's own message alone rarely says what went wrong.
fn write_chain(f: &mut fmt::Formatter<'_>, error: &dyn std::error::Error) -> fmt::Result {
    write!(f, "{error}")?;
    let mut cause = error.source();
    while let Some(error) = cause {
        write!(f, ": {error}")?;
        cause = error.source();
    }
    Ok(())
}

impl Fetcher {
    /// A fetcher over the caller's client.
    pub(crate) fn new(client: Client) -> Fetcher {
        Fetcher { client }
    }

    /// A fetcher over a client that says who it is and gives up on dead connections, but not on
    /// long transfers (osv.dev's archives are large).
    pub(crate) fn with_default_client() -> Result<Fetcher, reqwest::Error> {
        let client = Client::builder()
            .user_agent(concat!("clearinghouse-feeds/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(30))
            .read_timeout(Duration::from_secs(120))
            .build()?;
        Ok(Fetcher { client })
    }

    /// Reads at most `limit` bytes from a file or URL.
    pub(crate) async fn fetch(&self, location: &Location, limit: u64) -> Result<Body, FetchError> {
        match location {
            Location::Path(path) => read_file(path, limit).await,
            Location::Url(url) => {
                let body = self.get(url, limit, None).await?;
                body.ok_or(FetchError::Status(StatusCode::NOT_MODIFIED))
            }
        }
    }

    /// GETs at most `limit` bytes; `None` when `if_modified_since` is given and the server says
    /// the resource has not changed since.
    pub(crate) async fn get(
        &self,
        url: &Url,
        limit: u64,
        if_modified_since: Option<Timestamp>,
    ) -> Result<Option<Body>, FetchError> {
        let Some(mut response) = self.send(url, if_modified_since).await? else {
            return Ok(None);
        };
        if response
            .content_length()
            .is_some_and(|length| length > limit)
        {
            return Err(FetchError::TooLarge(limit));
        }
        let modified = last_modified(response.headers());
        let capacity = response.content_length().unwrap_or(0).min(limit);
        let mut bytes = Vec::with_capacity(usize::try_from(capacity).unwrap_or(0));
        while let Some(chunk) = response.chunk().await.map_err(FetchError::Transport)? {
            if (bytes.len() + chunk.len()) as u64 > limit {
                return Err(FetchError::TooLarge(limit));
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(Some(Body { bytes, modified }))
    }

    /// GETs a resource that may be a large zip archive: one that starts like a zip is streamed to
    /// an anonymous temporary file whatever its size; anything else is kept in memory up to
    /// `limit`. `None` when the server says it has not changed since `if_modified_since`.
    pub(crate) async fn download(
        &self,
        url: &Url,
        limit: u64,
        if_modified_since: Option<Timestamp>,
    ) -> Result<Option<Download>, FetchError> {
        let Some(mut response) = self.send(url, if_modified_since).await? else {
            return Ok(None);
        };
        let modified = last_modified(response.headers());
        let mut head: Vec<u8> = Vec::new();
        while head.len() < ZIP_MAGIC.len() {
            match response.chunk().await.map_err(FetchError::Transport)? {
                Some(chunk) => head.extend_from_slice(&chunk),
                None => break,
            }
        }
        if !is_zip(&head) {
            let mut bytes = head;
            loop {
                if bytes.len() as u64 > limit {
                    return Err(FetchError::TooLarge(limit));
                }
                match response.chunk().await.map_err(FetchError::Transport)? {
                    Some(chunk) => bytes.extend_from_slice(&chunk),
                    None => break,
                }
            }
            return Ok(Some(Download::Document(Body { bytes, modified })));
        }
        let mut file = tempfile::tempfile().map_err(FetchError::Io)?;
        let mut writer = tokio::fs::File::from_std(file.try_clone().map_err(FetchError::Io)?);
        writer.write_all(&head).await.map_err(FetchError::Io)?;
        while let Some(chunk) = response.chunk().await.map_err(FetchError::Transport)? {
            writer.write_all(&chunk).await.map_err(FetchError::Io)?;
        }
        writer.flush().await.map_err(FetchError::Io)?;
        drop(writer);
        file.seek(SeekFrom::Start(0)).map_err(FetchError::Io)?;
        Ok(Some(Download::Archive { file, modified }))
    }

    /// Sends a GET and checks the status; `None` for 304 Not Modified.
    async fn send(
        &self,
        url: &Url,
        if_modified_since: Option<Timestamp>,
    ) -> Result<Option<reqwest::Response>, FetchError> {
        let mut request = self.client.get(url.clone());
        if let Some(since) = if_modified_since {
            let date = rfc2822::DateTimePrinter::new().timestamp_to_rfc9110_string(&since);
            if let Ok(date) = date {
                request = request.header(IF_MODIFIED_SINCE, date);
            }
        }
        let response = request.send().await.map_err(FetchError::Transport)?;
        let status = response.status();
        if status == StatusCode::NOT_MODIFIED && if_modified_since.is_some() {
            return Ok(None);
        }
        if !status.is_success() {
            return Err(FetchError::Status(status));
        }
        Ok(Some(response))
    }
}

/// The first bytes of a zip archive (a local file header, or the end record of an empty one).
const ZIP_MAGIC: [u8; 4] = *b"PK\x03\x04";

/// Whether `head` starts like a zip archive.
pub(crate) fn is_zip(head: &[u8]) -> bool {
    head.starts_with(&ZIP_MAGIC) || head.starts_with(b"PK\x05\x06")
}

/// Reads at most `limit` bytes of a local file, with its modification time.
pub(crate) async fn read_file(path: &Path, limit: u64) -> Result<Body, FetchError> {
    let metadata = tokio::fs::metadata(path).await.map_err(io_error)?;
    if metadata.len() > limit {
        return Err(FetchError::TooLarge(limit));
    }
    let bytes = tokio::fs::read(path).await.map_err(io_error)?;
    if bytes.len() as u64 > limit {
        return Err(FetchError::TooLarge(limit));
    }
    Ok(Body {
        bytes,
        modified: modification_time(&metadata),
    })
}

/// A file's modification time, when the file system keeps one.
pub(crate) fn modification_time(metadata: &std::fs::Metadata) -> Option<Timestamp> {
    metadata
        .modified()
        .ok()
        .and_then(|time| Timestamp::try_from(time).ok())
}

/// Maps "no such file" to [`FetchError::Missing`], keeping other I/O errors.
fn io_error(error: io::Error) -> FetchError {
    if error.kind() == io::ErrorKind::NotFound {
        FetchError::Missing
    } else {
        FetchError::Io(error)
    }
}

/// The `Last-Modified` header as a timestamp, ignoring a missing or malformed one.
fn last_modified(headers: &HeaderMap) -> Option<Timestamp> {
    let value = headers.get(LAST_MODIFIED)?.to_str().ok()?;
    rfc2822::DateTimeParser::new().parse_timestamp(value).ok()
}

/// The metadata of a local source; a missing path or an unreadable one cannot be opened at all.
pub(crate) async fn local_metadata(path: &Path) -> Result<std::fs::Metadata, FeedError> {
    tokio::fs::metadata(path).await.map_err(|error| {
        let location = path.display().to_string();
        if error.kind() == io::ErrorKind::NotFound {
            FeedError::NotFound { location }
        } else {
            FeedError::Io {
                location,
                source: error,
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn http_dates_become_timestamps() {
        let mut headers = HeaderMap::new();
        headers.insert(
            LAST_MODIFIED,
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(
            last_modified(&headers),
            Some("2015-10-21T07:28:00Z".parse().unwrap())
        );
        headers.insert(LAST_MODIFIED, HeaderValue::from_static("yesterday"));
        assert_eq!(last_modified(&headers), None);
    }

    #[test]
    fn absent_means_not_published_not_broken() {
        assert!(FetchError::Missing.is_absent());
        assert!(FetchError::Status(StatusCode::NOT_FOUND).is_absent());
        assert!(FetchError::Status(StatusCode::FORBIDDEN).is_absent());
        assert!(!FetchError::Status(StatusCode::INTERNAL_SERVER_ERROR).is_absent());
        assert!(!FetchError::TooLarge(1).is_absent());
    }

    #[test]
    fn zip_magic() {
        assert!(is_zip(b"PK\x03\x04rest"));
        assert!(is_zip(b"PK\x05\x06"));
        assert!(!is_zip(b"{\"id\":"));
        assert!(!is_zip(b"PK"));
    }

    #[tokio::test]
    async fn local_files_respect_the_limit() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("a.json");
        std::fs::write(&path, b"{}").unwrap();
        let body = read_file(&path, 2).await.unwrap();
        assert_eq!(body.bytes, b"{}");
        assert!(body.modified.is_some());
        assert!(matches!(
            read_file(&path, 1).await,
            Err(FetchError::TooLarge(1))
        ));
        assert!(matches!(
            read_file(&directory.path().join("b.json"), 2).await,
            Err(FetchError::Missing)
        ));
    }
}
