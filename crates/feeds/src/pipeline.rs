//! Reading a list of documents (files of a directory, entries of a CSAF provider) a few at a time
//! in the background, yielding them in list order.

use std::io::Read;

use futures::StreamExt;
use jiff::Timestamp;
use tokio::sync::mpsc;

use crate::fetch::{Body, FetchError};
use crate::integrity::{self, HashAlgorithm};
use crate::location::Location;
use crate::{AbortOnDrop, CONCURRENCY, Context, Feed, FeedItem, READ_AHEAD, RawDocument, rejected};

/// The largest hash file read: a digest, a file name and a newline are far below it.
const HASH_FILE_LIMIT: u64 = 64 * 1024;

/// One document to read.
#[derive(Debug, Clone)]
pub(crate) struct Job {
    pub(crate) location: Location,
    /// When the listing says it changed; the file's or response's own time is used otherwise.
    pub(crate) modified: Option<Timestamp>,
    pub(crate) check: Check,
    pub(crate) content: Content,
}

/// Which hash file, if any, the document must match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Check {
    /// None (OSV, CVE, KEV, EPSS publish no hash files).
    Nothing,
    /// The `.sha512`, else the `.sha256`, next to the document, when one is published.
    Sibling,
    /// Hash files the feed links to (ROLIE `rel: hash`); the strongest one must be readable.
    Linked(Vec<(Location, HashAlgorithm)>),
}

/// What to do with the bytes once read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Content {
    /// Yield them as they are.
    AsIs,
    /// Decompress them when they are gzip (KEV and EPSS are published both ways).
    MaybeGzip,
    /// A `.json` file met walking a CSAF directory: skip it when it is a ROLIE feed or provider
    /// metadata rather than an advisory.
    CsafFile,
}

impl Job {
    /// A document with nothing to check, dated by its own file or response.
    pub(crate) fn plain(location: Location) -> Job {
        Job {
            location,
            modified: None,
            check: Check::Nothing,
            content: Content::AsIs,
        }
    }
}

/// A feed that first yields `ready` (rejections found while listing) and then reads `jobs`,
/// [`CONCURRENCY`] at a time, in order.
pub(crate) fn spawn(context: Context, ready: Vec<FeedItem>, jobs: Vec<Job>) -> Feed {
    let estimated_len = Some((ready.len() + jobs.len()) as u64);
    let (sender, receiver) = mpsc::channel(READ_AHEAD);
    let task = tokio::spawn(async move {
        for item in ready {
            if sender.send(item).await.is_err() {
                return;
            }
        }
        let context = &context;
        let mut items = futures::stream::iter(jobs)
            .map(|job| load(context, job))
            .buffered(CONCURRENCY);
        while let Some(item) = items.next().await {
            if let Some(item) = item
                && sender.send(item).await.is_err()
            {
                return;
            }
        }
    });
    Feed {
        items: receiver,
        estimated_len,
        _producer: AbortOnDrop(Some(task.abort_handle())),
    }
}

/// Reads and checks one document; `None` when it turns out not to be a document at all.
pub(crate) async fn load(context: &Context, job: Job) -> Option<FeedItem> {
    match context.fetcher.fetch(&job.location, context.limit).await {
        Ok(body) => finish(context, job, body).await,
        Err(error) => Some(rejected(&job.location, error)),
    }
}

/// Checks and unpacks a document whose bytes are in hand.
pub(crate) async fn finish(context: &Context, job: Job, body: Body) -> Option<FeedItem> {
    if job.content == Content::CsafFile && crate::csaf::is_metadata(&body.bytes) {
        return None;
    }
    let verified_hash = match check(context, &job, &body.bytes).await {
        Ok(verified) => verified,
        Err(reason) => return Some(rejected(&job.location, reason)),
    };
    let bytes = if job.content == Content::MaybeGzip && is_gzip(&body.bytes) {
        match gunzip(&body.bytes, context.limit) {
            Ok(bytes) => bytes,
            Err(reason) => return Some(rejected(&job.location, reason)),
        }
    } else {
        body.bytes
    };
    Some(FeedItem::Document(RawDocument {
        location: job.location.to_string(),
        bytes,
        modified: job.modified.or(body.modified),
        verified_hash,
    }))
}

/// Verifies `bytes` as `job.check` asks; the error is the rejection reason.
async fn check(
    context: &Context,
    job: &Job,
    bytes: &[u8],
) -> Result<Option<HashAlgorithm>, String> {
    match &job.check {
        Check::Nothing => Ok(None),
        Check::Linked(links) => {
            let Some((location, algorithm)) = links
                .iter()
                .find(|(_, algorithm)| *algorithm == HashAlgorithm::Sha512)
                .or_else(|| links.first())
            else {
                return Ok(None);
            };
            let hash_file = context
                .fetcher
                .fetch(location, HASH_FILE_LIMIT)
                .await
                .map_err(|error| format!("hash file {location}: {error}"))?;
            integrity::verify(Some(*algorithm), &hash_file.bytes, bytes).map(Some)
        }
        Check::Sibling => {
            for algorithm in [HashAlgorithm::Sha512, HashAlgorithm::Sha256] {
                let location = job.location.with_suffix(algorithm.suffix());
                match context.fetcher.fetch(&location, HASH_FILE_LIMIT).await {
                    Ok(hash_file) => {
                        return integrity::verify(Some(algorithm), &hash_file.bytes, bytes)
                            .map(Some);
                    }
                    Err(error) if error.is_absent() => continue,
                    Err(error) => return Err(format!("hash file {location}: {error}")),
                }
            }
            Ok(None)
        }
    }
}

/// Whether `bytes` start like gzip.
fn is_gzip(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0x1f, 0x8b])
}

/// Decompresses gzip (all members) up to `limit` bytes of output.
fn gunzip(bytes: &[u8], limit: u64) -> Result<Vec<u8>, String> {
    let mut output = Vec::new();
    flate2::read::MultiGzDecoder::new(bytes)
        .take(limit.saturating_add(1))
        .read_to_end(&mut output)
        .map_err(|error| format!("cannot decompress gzip: {error}"))?;
    if output.len() as u64 > limit {
        return Err(FetchError::TooLarge(limit).to_string() + " once decompressed");
    }
    Ok(output)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(bytes).unwrap();
        encoder.finish().unwrap()
    }

    #[test]
    fn gzip_is_decompressed_within_the_limit() {
        let compressed = gzip(b"cve,epss,percentile\n");
        assert!(is_gzip(&compressed));
        assert_eq!(gunzip(&compressed, 100).unwrap(), b"cve,epss,percentile\n");
        let reason = gunzip(&compressed, 5).unwrap_err();
        assert!(reason.contains("limit of 5 bytes"), "{reason}");
        assert!(gunzip(&[0x1f, 0x8b, 0, 0], 100).is_err());
    }
}
