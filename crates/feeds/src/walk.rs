//! Listing the documents of a local directory tree: in sorted order so every run yields the same
//! sequence, hidden files and directories (`.git`, `.github`) skipped, symlinked directories
//! followed once.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

use jiff::Timestamp;

use crate::fetch::modification_time;
use crate::{FeedItem, FeedKind, rejected};

/// A document file found in the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Found {
    pub(crate) path: PathBuf,
    /// The path below the root, with `/` separators (`2024/1xxx/CVE-2024-1234.json`).
    pub(crate) relative: String,
    pub(crate) modified: Option<Timestamp>,
}

/// Whether a file (or zip entry) named `name` holds a document of `kind`: OSV records are
/// `.json`, `.yaml` or `.yml`; CVE records are `CVE-*.json` (which leaves out cvelistV5's
/// `delta.json` and `deltaLog.json`); CSAF advisories are `.json`.
pub(crate) fn is_document_name(kind: FeedKind, name: &str) -> bool {
    let extension = |wanted: &str| {
        name.rsplit_once('.')
            .is_some_and(|(_, extension)| extension.eq_ignore_ascii_case(wanted))
    };
    match kind {
        FeedKind::Osv => extension("json") || extension("yaml") || extension("yml"),
        FeedKind::Cve => {
            extension("json")
                && name
                    .get(..4)
                    .is_some_and(|prefix| prefix.eq_ignore_ascii_case("CVE-"))
        }
        FeedKind::Csaf | FeedKind::Vex => extension("json"),
        FeedKind::Kev | FeedKind::Epss => false,
    }
}

/// Every file below `root` whose name `accept`s, sorted by path; directories that cannot be read
/// become rejections.
pub(crate) fn walk(root: &Path, accept: impl Fn(&str) -> bool) -> (Vec<Found>, Vec<FeedItem>) {
    let mut walker = Walker {
        accept,
        found: Vec::new(),
        problems: Vec::new(),
        visited: HashSet::new(),
    };
    walker.directory(root, "");
    (walker.found, walker.problems)
}

/// The state of one walk.
struct Walker<F> {
    accept: F,
    found: Vec<Found>,
    problems: Vec<FeedItem>,
    /// Canonical paths of the directories entered, so a symlink loop is entered once.
    visited: HashSet<PathBuf>,
}

impl<F: Fn(&str) -> bool> Walker<F> {
    fn directory(&mut self, path: &Path, relative: &str) {
        if let Ok(canonical) = fs::canonicalize(path)
            && !self.visited.insert(canonical)
        {
            return;
        }
        let listing = match fs::read_dir(path) {
            Ok(listing) => listing,
            Err(error) => {
                self.problems.push(rejected(path.display(), error));
                return;
            }
        };
        let mut entries: Vec<(String, PathBuf)> = Vec::new();
        for entry in listing {
            match entry {
                Ok(entry) => {
                    let name = entry.file_name().to_string_lossy().into_owned();
                    if !name.starts_with('.') {
                        entries.push((name, entry.path()));
                    }
                }
                Err(error) => self.problems.push(rejected(path.display(), error)),
            }
        }
        entries.sort();
        for (name, child) in entries {
            let child_relative = if relative.is_empty() {
                name.clone()
            } else {
                format!("{relative}/{name}")
            };
            // Follows symlinks, so a link to a directory is walked and a link to a file is read.
            let metadata = match fs::metadata(&child) {
                Ok(metadata) => metadata,
                Err(error) => {
                    self.problems.push(rejected(child.display(), error));
                    continue;
                }
            };
            if metadata.is_dir() {
                self.directory(&child, &child_relative);
            } else if metadata.is_file() && (self.accept)(&name) {
                self.found.push(Found {
                    path: child,
                    relative: child_relative,
                    modified: modification_time(&metadata),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_names_per_kind() {
        assert!(is_document_name(FeedKind::Osv, "GHSA-xxxx.json"));
        assert!(is_document_name(FeedKind::Osv, "PYSEC-2024-1.yaml"));
        assert!(is_document_name(FeedKind::Osv, "a.YML"));
        assert!(!is_document_name(FeedKind::Osv, "RUSTSEC-2024-0001.md"));
        assert!(!is_document_name(FeedKind::Osv, "LICENSE"));
        assert!(is_document_name(FeedKind::Cve, "CVE-2024-1234.json"));
        assert!(!is_document_name(FeedKind::Cve, "deltaLog.json"));
        assert!(is_document_name(FeedKind::Csaf, "icsa-24-001-01.json"));
        assert!(!is_document_name(
            FeedKind::Csaf,
            "icsa-24-001-01.json.sha512"
        ));
    }

    #[test]
    fn walks_sorted_skipping_hidden_and_other_files() {
        let root = tempfile::tempdir().unwrap();
        let write = |relative: &str| {
            let path = root.path().join(relative);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, b"{}").unwrap();
        };
        write("b/2.json");
        write("a.json");
        write("b/1.yaml");
        write("b/c/3.json");
        write("README.md");
        write(".github/workflows/ci.yml");
        write(".hidden.json");
        let (found, problems) = walk(root.path(), |name| is_document_name(FeedKind::Osv, name));
        assert!(problems.is_empty());
        let relative: Vec<&str> = found.iter().map(|found| found.relative.as_str()).collect();
        assert_eq!(relative, ["a.json", "b/1.yaml", "b/2.json", "b/c/3.json"]);
        assert!(found.iter().all(|found| found.modified.is_some()));
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_loop_is_walked_once() {
        let root = tempfile::tempdir().unwrap();
        fs::create_dir(root.path().join("d")).unwrap();
        fs::write(root.path().join("d/a.json"), b"{}").unwrap();
        std::os::unix::fs::symlink(root.path(), root.path().join("d/loop")).unwrap();
        let (found, _) = walk(root.path(), |name| is_document_name(FeedKind::Osv, name));
        assert_eq!(found.len(), 1);
    }
}
