//! Reading documents out of a zip archive entry by entry, on a blocking thread, without unpacking
//! it: osv.dev's `all.zip` holds hundreds of thousands of records. A zip inside the zip (CVEProject
//! publishes `cves.zip` inside its daily archive) is copied to a temporary file and read the same
//! way.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};

use tokio::sync::mpsc;
use zip::ZipArchive;
use zip::result::ZipError;

use crate::walk::is_document_name;
use crate::{AbortOnDrop, Feed, FeedItem, FeedKind, READ_AHEAD, RawDocument, rejected};

/// How deep archives inside archives are opened; deeper ones are rejected, not unpacked.
const MAX_NESTING: usize = 2;

/// Opens `file` as a zip archive (reading its central directory only).
pub(crate) fn open(file: File) -> Result<ZipArchive<File>, ZipError> {
    ZipArchive::new(file)
}

/// A feed of the `kind` documents in `archive`, read in archive order on a blocking thread.
/// `location` names the archive in every item (`all.zip!GHSA-xxxx.json`).
pub(crate) fn spawn(
    archive: ZipArchive<File>,
    location: String,
    kind: FeedKind,
    limit: u64,
) -> Feed {
    let estimated_len = estimate(&archive, kind);
    let (sender, receiver) = mpsc::channel(READ_AHEAD);
    let task = tokio::task::spawn_blocking(move || {
        let reader = Reader {
            kind,
            limit,
            sender,
        };
        reader.entries(archive, &location, 0);
    });
    Feed {
        items: receiver,
        estimated_len,
        _producer: AbortOnDrop(Some(task.abort_handle())),
    }
}

/// How many documents the archive holds, or `None` when it holds archives whose contents are
/// unknown until they are unpacked.
fn estimate(archive: &ZipArchive<File>, kind: FeedKind) -> Option<u64> {
    let mut count = 0;
    for name in archive.file_names() {
        let Ok(name) = name else {
            count += 1;
            continue;
        };
        let base = base_name(&name);
        if is_archive_name(base) {
            return None;
        }
        if !skipped(&name) && is_document_name(kind, base) {
            count += 1;
        }
    }
    Some(count)
}

/// Reads entries and sends them until the archive ends or the feed is dropped.
struct Reader {
    kind: FeedKind,
    limit: u64,
    sender: mpsc::Sender<FeedItem>,
}

impl Reader {
    /// Sends every document of `archive`; `false` once the receiver is gone.
    fn entries(&self, mut archive: ZipArchive<File>, location: &str, depth: usize) -> bool {
        for index in 0..archive.len() {
            let mut entry = match archive.by_index(index) {
                Ok(entry) => entry,
                Err(error) => {
                    let item = rejected(
                        format!("{location}!#{index}"),
                        format!("unreadable zip entry: {error}"),
                    );
                    if !self.send(item) {
                        return false;
                    }
                    continue;
                }
            };
            if entry.is_dir() {
                continue;
            }
            let name = match entry.name() {
                Ok(name) => name.into_owned(),
                Err(error) => {
                    let item = rejected(
                        format!("{location}!#{index}"),
                        format!("unreadable zip entry name: {error}"),
                    );
                    if !self.send(item) {
                        return false;
                    }
                    continue;
                }
            };
            let base = base_name(&name);
            if skipped(&name) {
                continue;
            }
            let entry_location = format!("{location}!{name}");
            if is_archive_name(base) {
                let nested = if depth + 1 < MAX_NESTING {
                    copy_to_temporary(&mut entry)
                        .map_err(|error| format!("cannot unpack the inner archive: {error}"))
                        .and_then(|file| {
                            open(file).map_err(|error| {
                                format!("inner archive is not a readable zip archive: {error}")
                            })
                        })
                } else {
                    Err(format!(
                        "archives nested more than {MAX_NESTING} deep are not read"
                    ))
                };
                drop(entry);
                let more = match nested {
                    Ok(inner) => self.entries(inner, &entry_location, depth + 1),
                    Err(reason) => self.send(rejected(&entry_location, reason)),
                };
                if !more {
                    return false;
                }
                continue;
            }
            if !is_document_name(self.kind, base) {
                continue;
            }
            let item = if entry.size() > self.limit {
                rejected(
                    &entry_location,
                    format!("larger than the limit of {} bytes", self.limit),
                )
            } else {
                let capacity = usize::try_from(entry.size()).unwrap_or(0);
                let mut bytes = Vec::with_capacity(capacity);
                match (&mut entry)
                    .take(self.limit.saturating_add(1))
                    .read_to_end(&mut bytes)
                {
                    Err(error) => {
                        rejected(&entry_location, format!("unreadable zip entry: {error}"))
                    }
                    Ok(_) if bytes.len() as u64 > self.limit => rejected(
                        &entry_location,
                        format!("larger than the limit of {} bytes", self.limit),
                    ),
                    Ok(_) => FeedItem::Document(RawDocument {
                        location: entry_location,
                        bytes,
                        modified: None,
                        verified_hash: None,
                    }),
                }
            };
            if !self.send(item) {
                return false;
            }
        }
        true
    }

    /// Sends one item, waiting for room; `false` once the feed was dropped.
    fn send(&self, item: FeedItem) -> bool {
        self.sender.blocking_send(item).is_ok()
    }
}

/// The last component of an entry name.
fn base_name(name: &str) -> &str {
    name.rsplit('/').next().unwrap_or(name)
}

/// Entries that are never documents: hidden files and macOS resource forks.
fn skipped(name: &str) -> bool {
    name.split('/')
        .any(|part| part.starts_with('.') || part == "__MACOSX")
}

/// Whether an entry is itself a zip archive.
fn is_archive_name(base: &str) -> bool {
    base.rsplit_once('.')
        .is_some_and(|(_, extension)| extension.eq_ignore_ascii_case("zip"))
}

/// Copies an entry into an anonymous temporary file, positioned at its start.
fn copy_to_temporary(entry: &mut impl Read) -> io::Result<File> {
    let mut file = tempfile::tempfile()?;
    io::copy(entry, &mut file)?;
    file.seek(SeekFrom::Start(0))?;
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(base_name("osv/PyPI/GHSA-1.json"), "GHSA-1.json");
        assert!(skipped("__MACOSX/._a.json"));
        assert!(skipped("a/.DS_Store"));
        assert!(!skipped("a/b.json"));
        assert!(is_archive_name("cves.ZIP"));
        assert!(!is_archive_name("cves.json"));
    }
}
