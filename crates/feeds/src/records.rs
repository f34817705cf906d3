//! OSV and CVE sources: a directory tree of records, one record, or a zip archive of records
//! (local, or downloaded to a temporary file first).

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use crate::archive;
use crate::fetch::{self, Download, is_zip, local_metadata, modification_time};
use crate::location::Location;
use crate::pipeline::{self, Job};
use crate::walk::{is_document_name, walk};
use crate::{Context, Feed, FeedError, FeedKind, rejected};

/// Opens an OSV or CVE source.
pub(crate) async fn open(
    kind: FeedKind,
    location: Location,
    context: Context,
) -> Result<Feed, FeedError> {
    match location {
        Location::Path(path) => open_path(kind, path, context).await,
        Location::Url(url) => {
            let shown = Location::Url(url.clone());
            let download = context
                .fetcher
                .download(&url, context.limit, context.since)
                .await;
            match download {
                Ok(None) => Ok(Feed::ready(Vec::new())),
                Ok(Some(Download::Archive { file, modified })) => {
                    if context.unchanged(modified) {
                        return Ok(Feed::ready(Vec::new()));
                    }
                    open_archive(file, shown.to_string(), kind, &context).await
                }
                Ok(Some(Download::Document(body))) => {
                    if has_zip_name(shown.file_name()) {
                        // Named like an archive but does not start like one: let the zip reader
                        // say what is wrong with it.
                        let file = spill(&body.bytes).map_err(|source| FeedError::Io {
                            location: shown.to_string(),
                            source,
                        })?;
                        return open_archive(file, shown.to_string(), kind, &context).await;
                    }
                    if context.unchanged(body.modified) {
                        return Ok(Feed::ready(Vec::new()));
                    }
                    let item = pipeline::finish(&context, Job::plain(shown), body).await;
                    Ok(Feed::ready(item.into_iter().collect()))
                }
                Err(fetch::FetchError::TooLarge(limit)) => Ok(Feed::ready(vec![rejected(
                    &shown,
                    fetch::FetchError::TooLarge(limit),
                )])),
                Err(error) => Err(error.into_feed_error(&shown)),
            }
        }
    }
}

/// A local directory, record or archive.
async fn open_path(kind: FeedKind, path: PathBuf, context: Context) -> Result<Feed, FeedError> {
    let metadata = local_metadata(&path).await?;
    let shown = path.display().to_string();
    if metadata.is_dir() {
        let root = path.clone();
        let (found, problems) =
            tokio::task::spawn_blocking(move || walk(&root, |name| is_document_name(kind, name)))
                .await
                .map_err(|error| FeedError::Io {
                    location: shown.clone(),
                    source: io::Error::other(error),
                })?;
        let jobs = found
            .into_iter()
            .filter(|found| !context.unchanged(found.modified))
            .map(|found| Job {
                modified: found.modified,
                ..Job::plain(Location::Path(found.path))
            })
            .collect();
        return Ok(pipeline::spawn(context, problems, jobs));
    }
    if context.unchanged(modification_time(&metadata)) {
        return Ok(Feed::ready(Vec::new()));
    }
    let head = read_head(&path).await.map_err(|source| FeedError::Io {
        location: shown.clone(),
        source,
    })?;
    if is_zip(&head) || has_zip_name(&shown) {
        let file = File::open(&path).map_err(|source| FeedError::Io {
            location: shown.clone(),
            source,
        })?;
        return open_archive(file, shown, kind, &context).await;
    }
    Ok(pipeline::spawn(
        context,
        Vec::new(),
        vec![Job::plain(Location::Path(path))],
    ))
}

/// Opens `file` as a zip archive of `kind` documents named `location`.
async fn open_archive(
    file: File,
    location: String,
    kind: FeedKind,
    context: &Context,
) -> Result<Feed, FeedError> {
    let opened = tokio::task::spawn_blocking(move || archive::open(file))
        .await
        .map_err(|error| FeedError::Io {
            location: location.clone(),
            source: io::Error::other(error),
        })?;
    match opened {
        Ok(zip) => Ok(archive::spawn(zip, location, kind, context.limit)),
        Err(source) => Err(FeedError::NotZip { location, source }),
    }
}

/// The first bytes of a file, enough to recognise a zip archive.
async fn read_head(path: &Path) -> io::Result<Vec<u8>> {
    let path = path.to_owned();
    tokio::task::spawn_blocking(move || {
        let mut head = Vec::with_capacity(4);
        File::open(path)?.take(4).read_to_end(&mut head)?;
        Ok(head)
    })
    .await
    .map_err(io::Error::other)?
}

/// Whether a file name says it is a zip archive.
fn has_zip_name(name: &str) -> bool {
    name.rsplit_once('.')
        .is_some_and(|(_, extension)| extension.eq_ignore_ascii_case("zip"))
}

/// Writes bytes to an anonymous temporary file, positioned at its start.
fn spill(bytes: &[u8]) -> io::Result<File> {
    use std::io::{Seek, SeekFrom};
    let mut file = tempfile::tempfile()?;
    file.write_all(bytes)?;
    file.seek(SeekFrom::Start(0))?;
    Ok(file)
}
