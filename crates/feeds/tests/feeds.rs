//! Integration tests: every kind of source read from disk and over a real HTTP server on a random
//! loopback port, with own fixtures, plus the shared public data when it is present.

use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};

use axum::Router;
use axum::serve::ListenerExt;
use clearinghouse_feeds::{
    Feed, FeedError, FeedItem, FeedKind, FeedOptions, HashAlgorithm, RawDocument, open,
};
use jiff::Timestamp;
use sha2::{Digest, Sha256, Sha512};
use tower_http::services::ServeDir;

/// Starts a static file server over `router` on 127.0.0.1, port 0, and returns its base URL
/// (no trailing slash). The listener is bound before the server task starts, so no sleep is
/// needed. TCP_NODELAY, as production servers set it: otherwise every small response waits
/// for the client's delayed ACK (40 ms on Linux).
async fn serve(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a loopback port");
    let address = listener.local_addr().expect("local address");
    let listener = listener.tap_io(|stream| {
        let _ = stream.set_nodelay(true);
    });
    tokio::spawn(async move {
        axum::serve(listener, router)
            .await
            .expect("the test server runs");
    });
    format!("http://{address}")
}

/// Serves `root` as static files.
async fn serve_dir(root: &Path) -> String {
    serve(Router::new().fallback_service(ServeDir::new(root))).await
}

/// Every item of a feed, checking that the announced length was exact.
async fn drain(mut feed: Feed) -> Vec<FeedItem> {
    let announced = feed.estimated_len();
    let mut items = Vec::new();
    while let Some(item) = feed.next().await {
        items.push(item);
    }
    if let Some(announced) = announced {
        assert_eq!(announced, items.len() as u64, "estimated_len");
    }
    items
}

/// Opens and drains a source, panicking with the error when it cannot be opened.
async fn read_all(kind: FeedKind, source: &str, options: &FeedOptions) -> Vec<FeedItem> {
    match open(kind, source, options).await {
        Ok(feed) => drain(feed).await,
        Err(error) => panic!("cannot open {source}: {error}"),
    }
}

/// Reads a local CSAF directory, whose announced length counts the feeds it then skips.
async fn read_csaf_tree(root: &Path, skipped: u64) -> Vec<FeedItem> {
    let source = root.to_str().expect("a UTF-8 path");
    let mut feed = match open(FeedKind::Csaf, source, &FeedOptions::default()).await {
        Ok(feed) => feed,
        Err(error) => panic!("cannot open {source}: {error}"),
    };
    let announced = feed.estimated_len();
    let mut items = Vec::new();
    while let Some(item) = feed.next().await {
        items.push(item);
    }
    assert_eq!(
        announced,
        Some(items.len() as u64 + skipped),
        "estimated_len"
    );
    items
}

fn documents(items: &[FeedItem]) -> Vec<&RawDocument> {
    items
        .iter()
        .filter_map(|item| match item {
            FeedItem::Document(document) => Some(document),
            FeedItem::Rejected { .. } => None,
        })
        .collect()
}

fn rejections(items: &[FeedItem]) -> Vec<(&str, &str)> {
    items
        .iter()
        .filter_map(|item| match item {
            FeedItem::Rejected { location, reason } => Some((location.as_str(), reason.as_str())),
            FeedItem::Document(_) => None,
        })
        .collect()
}

fn write(path: &Path, bytes: &[u8]) {
    std::fs::create_dir_all(path.parent().expect("a parent directory")).expect("mkdir");
    std::fs::write(path, bytes).expect("write fixture");
}

fn sha512_file(bytes: &[u8], name: &str) -> String {
    format!("{}  {name}\n", hex::encode(Sha512::digest(bytes)))
}

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes) in entries {
        writer
            .start_file(*name, zip::write::SimpleFileOptions::default())
            .expect("start zip entry");
        writer.write_all(bytes).expect("write zip entry");
    }
    writer.finish().expect("finish zip").into_inner()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).expect("gzip");
    encoder.finish().expect("gzip")
}

fn csaf_advisory(id: &str) -> Vec<u8> {
    format!(r#"{{"document":{{"category":"csaf_security_advisory","tracking":{{"id":"{id}"}}}}}}"#)
        .into_bytes()
}

fn time(text: &str) -> Timestamp {
    text.parse().expect("a timestamp")
}

/// A small CSAF provider below `root`, as its own URLs at `base` describe it:
///
/// - `.well-known/csaf/provider-metadata.json` with one ROLIE feed and one directory;
/// - the feed lists `2024/a.json` (good `.sha512` link), `2024/b.json` (its `.sha512` is wrong),
///   `2023/c.json` (no hash link; a `.sha256` sits next to it) and `2023/gone.json` (404);
/// - the directory's `changes.csv` and `index.txt` list those plus `2022/d.json`.
fn write_provider(root: &Path, base: &str) {
    let white = root.join(".well-known/csaf/white");
    let metadata = format!(
        r#"{{
  "canonical_url": "{base}/.well-known/csaf/provider-metadata.json",
  "metadata_version": "2.0",
  "role": "csaf_trusted_provider",
  "publisher": {{"category": "vendor", "name": "Example", "namespace": "https://example.invalid"}},
  "distributions": [
    {{"rolie": {{"feeds": [{{"summary": "WHITE", "tlp_label": "WHITE",
                           "url": "{base}/.well-known/csaf/white/example-feed-tlp-white.json"}}]}}}},
    {{"directory_url": "{base}/.well-known/csaf/white/"}}
  ]
}}"#
    );
    write(
        &root.join(".well-known/csaf/provider-metadata.json"),
        metadata.as_bytes(),
    );
    let entry = |id: &str, path: &str, updated: &str, hash: bool| {
        let hash_link = if hash {
            format!(r#",{{"rel":"hash","href":"{base}/.well-known/csaf/white/{path}.sha512"}}"#)
        } else {
            String::new()
        };
        format!(
            r#"{{"id":"{id}","title":"{id}","updated":"{updated}","published":"{updated}",
                "link":[{{"rel":"self","href":"{base}/.well-known/csaf/white/{path}"}}{hash_link}],
                "content":{{"type":"application/json","src":"{base}/.well-known/csaf/white/{path}"}},
                "format":{{"schema":"https://docs.oasis-open.org/csaf/csaf/v2.0/csaf_json_schema.json","version":"2.0"}}}}"#
        )
    };
    let feed = format!(
        r#"{{"feed":{{"id":"example-feed-tlp-white","title":"Example","updated":"2024-03-01T00:00:00Z",
            "link":[{{"rel":"self","href":"{base}/.well-known/csaf/white/example-feed-tlp-white.json"}}],
            "entry":[{},{},{},{}]}}}}"#,
        entry("EX-A", "2024/a.json", "2024-03-01T00:00:00Z", true),
        entry("EX-B", "2024/b.json", "2024-02-01T00:00:00Z", true),
        entry("EX-C", "2023/c.json", "2023-06-01T00:00:00Z", false),
        entry("EX-GONE", "2023/gone.json", "2023-01-01T00:00:00Z", true),
    );
    write(&white.join("example-feed-tlp-white.json"), feed.as_bytes());
    let a = csaf_advisory("EX-A");
    write(&white.join("2024/a.json"), &a);
    write(
        &white.join("2024/a.json.sha512"),
        sha512_file(&a, "a.json").as_bytes(),
    );
    let b = csaf_advisory("EX-B");
    write(&white.join("2024/b.json"), &b);
    write(
        &white.join("2024/b.json.sha512"),
        sha512_file(b"not b", "b.json").as_bytes(),
    );
    let c = csaf_advisory("EX-C");
    write(&white.join("2023/c.json"), &c);
    write(
        &white.join("2023/c.json.sha256"),
        format!("{}  c.json\n", hex::encode(Sha256::digest(&c))).as_bytes(),
    );
    let d = csaf_advisory("EX-D");
    write(&white.join("2022/d.json"), &d);
    write(
        &white.join("2022/d.json.sha512"),
        sha512_file(&d, "d.json").as_bytes(),
    );
    write(
        &white.join("changes.csv"),
        b"\"2024/a.json\",\"2024-03-01T00:00:00Z\"\n\
          \"2024/b.json\",\"2024-02-01T00:00:00Z\"\n\
          \"2023/c.json\",\"2023-06-01T00:00:00Z\"\n\
          \"2023/gone.json\",\"2023-01-01T00:00:00Z\"\n\
          \"2022/d.json\",\"2022-05-01T00:00:00Z\"\n",
    );
    write(
        &white.join("index.txt"),
        b"2024/a.json\n2024/b.json\n2023/c.json\n2023/gone.json\n2022/d.json\n",
    );
}

/// Serves a fresh provider; returns the temporary directory (kept alive) and the base URL.
async fn provider() -> (tempfile::TempDir, String) {
    let root = tempfile::tempdir().expect("temporary directory");
    let base = serve_dir(root.path()).await;
    write_provider(root.path(), &base);
    (root, base)
}

#[tokio::test]
async fn a_csaf_provider_yields_verified_documents_and_rejects_bad_ones() {
    let (_root, base) = provider().await;
    let white = format!("{base}/.well-known/csaf/white");
    for source in [
        format!("{base}/.well-known/csaf/provider-metadata.json"),
        // A bare domain finds the metadata at its well-known place.
        format!("{base}/"),
    ] {
        let items = read_all(FeedKind::Csaf, &source, &FeedOptions::default()).await;
        let summary: Vec<(String, Option<HashAlgorithm>, Option<Timestamp>)> = documents(&items)
            .iter()
            .map(|document| {
                (
                    document.location.clone(),
                    document.verified_hash,
                    document.modified,
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                (
                    format!("{white}/2024/a.json"),
                    Some(HashAlgorithm::Sha512),
                    Some(time("2024-03-01T00:00:00Z"))
                ),
                (
                    format!("{white}/2023/c.json"),
                    Some(HashAlgorithm::Sha256),
                    Some(time("2023-06-01T00:00:00Z"))
                ),
                // Listed only in the directory's changes.csv; the ROLIE duplicates are skipped.
                (
                    format!("{white}/2022/d.json"),
                    Some(HashAlgorithm::Sha512),
                    Some(time("2022-05-01T00:00:00Z"))
                ),
            ],
            "from {source}"
        );
        assert_eq!(documents(&items)[0].bytes, csaf_advisory("EX-A"));
        let rejected = rejections(&items);
        assert_eq!(rejected.len(), 2, "{rejected:?}");
        assert_eq!(rejected[0].0, format!("{white}/2024/b.json"));
        assert!(
            rejected[0].1.starts_with("sha512 mismatch"),
            "{}",
            rejected[0].1
        );
        assert_eq!(rejected[1].0, format!("{white}/2023/gone.json"));
        assert!(rejected[1].1.contains("404"), "{}", rejected[1].1);
        // The stable order: ROLIE entries as listed, then the directory's new entries.
        let order: Vec<&str> = items
            .iter()
            .map(|item| match item {
                FeedItem::Document(document) => document.location.as_str(),
                FeedItem::Rejected { location, .. } => location.as_str(),
            })
            .map(|location| location.rsplit('/').next().unwrap())
            .collect();
        assert_eq!(order, ["a.json", "b.json", "c.json", "gone.json", "d.json"]);
    }
}

#[tokio::test]
async fn since_skips_documents_the_provider_dates_before_it() {
    let (_root, base) = provider().await;
    let options = FeedOptions {
        since: Some(time("2024-01-01T00:00:00Z")),
        ..FeedOptions::default()
    };
    let source = format!("{base}/.well-known/csaf/provider-metadata.json");
    let items = read_all(FeedKind::Csaf, &source, &options).await;
    let names: Vec<&str> = items
        .iter()
        .map(|item| match item {
            FeedItem::Document(document) => document.location.as_str(),
            FeedItem::Rejected { location, .. } => location.as_str(),
        })
        .collect();
    assert_eq!(
        names,
        [
            format!("{base}/.well-known/csaf/white/2024/a.json"),
            format!("{base}/.well-known/csaf/white/2024/b.json"),
        ]
    );
}

#[tokio::test]
async fn a_directory_url_reads_changes_csv_else_index_txt() {
    let (root, base) = provider().await;
    let directory = format!("{base}/.well-known/csaf/white/");
    let items = read_all(FeedKind::Csaf, &directory, &FeedOptions::default()).await;
    let dated: Vec<Option<Timestamp>> = documents(&items)
        .iter()
        .map(|document| document.modified)
        .collect();
    assert_eq!(
        dated,
        [
            Some(time("2024-03-01T00:00:00Z")),
            Some(time("2023-06-01T00:00:00Z")),
            Some(time("2022-05-01T00:00:00Z")),
        ]
    );
    assert_eq!(rejections(&items).len(), 2);

    std::fs::remove_file(root.path().join(".well-known/csaf/white/changes.csv")).unwrap();
    let items = read_all(FeedKind::Csaf, &directory, &FeedOptions::default()).await;
    let found = documents(&items);
    assert_eq!(found.len(), 3);
    // index.txt has no dates: the server's Last-Modified (the fixture was just written) is used.
    let recent = Timestamp::now() - jiff::SignedDuration::from_secs(3600);
    assert!(
        found
            .iter()
            .all(|document| document.modified.is_some_and(|modified| modified > recent))
    );
    assert!(
        found
            .iter()
            .all(|document| document.verified_hash.is_some())
    );

    // The listing itself, as the source.
    let listing = format!("{base}/.well-known/csaf/white/index.txt");
    let items = read_all(FeedKind::Csaf, &listing, &FeedOptions::default()).await;
    assert_eq!(documents(&items).len(), 3);

    std::fs::remove_file(root.path().join(".well-known/csaf/white/index.txt")).unwrap();
    match open(FeedKind::Csaf, &directory, &FeedOptions::default()).await {
        Err(FeedError::NoListing { location }) => assert_eq!(location, directory),
        other => panic!("expected NoListing, got {other:?}"),
    }
}

#[tokio::test]
async fn a_rolie_feed_can_be_the_source() {
    let (_root, base) = provider().await;
    let feed = format!("{base}/.well-known/csaf/white/example-feed-tlp-white.json");
    let items = read_all(FeedKind::Csaf, &feed, &FeedOptions::default()).await;
    assert_eq!(documents(&items).len(), 2);
    assert_eq!(rejections(&items).len(), 2);
}

#[tokio::test]
async fn missing_provider_metadata_is_an_error() {
    let root = tempfile::tempdir().unwrap();
    let base = serve_dir(root.path()).await;
    let source = format!("{base}/.well-known/csaf/provider-metadata.json");
    match open(FeedKind::Csaf, &source, &FeedOptions::default()).await {
        Err(FeedError::Status { location, status }) => {
            assert_eq!(location, source);
            assert_eq!(status, 404);
        }
        other => panic!("expected HTTP 404, got {other:?}"),
    }
    write(
        &root.path().join("p/provider-metadata.json"),
        b"{\"distributions\": 3}",
    );
    let source = format!("{base}/p/provider-metadata.json");
    assert!(matches!(
        open(FeedKind::Csaf, &source, &FeedOptions::default()).await,
        Err(FeedError::InvalidMetadata { .. })
    ));
    write(
        &root.path().join("q/provider-metadata.json"),
        b"{\"canonical_url\": \"https://x.invalid/p.json\", \"distributions\": [{}]}",
    );
    let source = format!("{base}/q/provider-metadata.json");
    assert!(matches!(
        open(FeedKind::Csaf, &source, &FeedOptions::default()).await,
        Err(FeedError::NoDistributions { .. })
    ));
}

#[tokio::test]
async fn a_provider_with_one_broken_feed_still_reads_the_others() {
    let (root, base) = provider().await;
    let metadata = format!(
        r#"{{"canonical_url":"{base}/two/provider-metadata.json","distributions":[
            {{"rolie":{{"feeds":[{{"url":"{base}/nowhere/feed.json"}},
                                 {{"url":"{base}/.well-known/csaf/white/example-feed-tlp-white.json"}}]}}}}]}}"#
    );
    write(
        &root.path().join("two/provider-metadata.json"),
        metadata.as_bytes(),
    );
    let source = format!("{base}/two/provider-metadata.json");
    let items = read_all(FeedKind::Csaf, &source, &FeedOptions::default()).await;
    let rejected = rejections(&items);
    assert_eq!(rejected[0].0, format!("{base}/nowhere/feed.json"));
    assert!(rejected[0].1.contains("404"));
    assert_eq!(documents(&items).len(), 2);
}

#[tokio::test]
async fn a_local_csaf_directory_checks_sibling_hashes_and_skips_feeds() {
    let root = tempfile::tempdir().unwrap();
    write_provider(root.path(), "https://example.invalid");
    let white = root.path().join(".well-known/csaf/white");
    let items = read_csaf_tree(&white, 1).await;
    // Sorted: 2022/d, 2023/c, 2024/a, 2024/b; the ROLIE feed beside them is not an advisory.
    let found: Vec<(PathBuf, Option<HashAlgorithm>, Option<Timestamp>)> = documents(&items)
        .iter()
        .map(|document| {
            (
                PathBuf::from(&document.location),
                document.verified_hash,
                document.modified,
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            (
                white.join("2022/d.json"),
                Some(HashAlgorithm::Sha512),
                Some(time("2022-05-01T00:00:00Z"))
            ),
            (
                white.join("2023/c.json"),
                Some(HashAlgorithm::Sha256),
                Some(time("2023-06-01T00:00:00Z"))
            ),
            (
                white.join("2024/a.json"),
                Some(HashAlgorithm::Sha512),
                Some(time("2024-03-01T00:00:00Z"))
            ),
        ]
    );
    let rejected = rejections(&items);
    assert_eq!(rejected.len(), 1);
    assert_eq!(PathBuf::from(rejected[0].0), white.join("2024/b.json"));
    assert!(rejected[0].1.contains("sha512 mismatch"));

    // One advisory as the source, checked against its sibling.
    let single = white.join("2024/a.json");
    let items = read_all(
        FeedKind::Csaf,
        single.to_str().unwrap(),
        &FeedOptions::default(),
    )
    .await;
    assert_eq!(
        documents(&items)[0].verified_hash,
        Some(HashAlgorithm::Sha512)
    );
}

#[tokio::test]
async fn a_provider_mirrored_on_disk_reads_from_disk() {
    let root = tempfile::tempdir().unwrap();
    // Canonical URLs point at a host that does not exist; everything must come from disk.
    write_provider(root.path(), "https://provider.invalid");
    let metadata = root.path().join(".well-known/csaf/provider-metadata.json");
    let items = read_all(
        FeedKind::Csaf,
        metadata.to_str().unwrap(),
        &FeedOptions::default(),
    )
    .await;
    let found: Vec<PathBuf> = documents(&items)
        .iter()
        .map(|document| PathBuf::from(&document.location))
        .collect();
    let white = root.path().join(".well-known/csaf/white");
    assert_eq!(
        found,
        [
            white.join("2024/a.json"),
            white.join("2023/c.json"),
            white.join("2022/d.json")
        ]
    );
    let rejected = rejections(&items);
    assert_eq!(rejected.len(), 2);
    assert!(rejected[1].1.contains("no such file"), "{}", rejected[1].1);
}

fn osv_record(id: &str) -> Vec<u8> {
    format!(r#"{{"id":"{id}","modified":"2024-01-01T00:00:00Z","affected":[]}}"#).into_bytes()
}

#[tokio::test]
async fn osv_directories_files_and_archives() {
    let root = tempfile::tempdir().unwrap();
    let tree = root.path().join("osv");
    write(&tree.join("PyPI/PYSEC-2024-1.yaml"), b"id: PYSEC-2024-1\n");
    write(
        &tree.join("Go/GO-2024-0001.json"),
        &osv_record("GO-2024-0001"),
    );
    write(&tree.join("crates/RUSTSEC-2024-0001.md"), b"# not OSV");
    write(&tree.join("LICENSE"), b"CC-BY-4.0");
    let items = read_all(
        FeedKind::Osv,
        tree.to_str().unwrap(),
        &FeedOptions::default(),
    )
    .await;
    let names: Vec<PathBuf> = documents(&items)
        .iter()
        .map(|document| PathBuf::from(&document.location))
        .collect();
    assert_eq!(
        names,
        [
            tree.join("Go/GO-2024-0001.json"),
            tree.join("PyPI/PYSEC-2024-1.yaml")
        ]
    );
    assert!(
        documents(&items)
            .iter()
            .all(|document| document.modified.is_some())
    );

    let single = tree.join("Go/GO-2024-0001.json");
    let items = read_all(
        FeedKind::Osv,
        single.to_str().unwrap(),
        &FeedOptions::default(),
    )
    .await;
    assert_eq!(documents(&items)[0].bytes, osv_record("GO-2024-0001"));

    // An osv.dev-style all.zip: flat entries, plus things that are not records.
    let big = vec![b' '; 2000];
    let archive = zip_of(&[
        (
            "GHSA-aaaa-bbbb-cccc.json",
            &osv_record("GHSA-aaaa-bbbb-cccc"),
        ),
        ("PYSEC-2024-2.json", &osv_record("PYSEC-2024-2")),
        ("README.txt", b"not a record"),
        ("__MACOSX/._PYSEC-2024-2.json", b"resource fork"),
        ("GHSA-huge-huge-huge.json", &big),
    ]);
    let zip_path = root.path().join("all.zip");
    write(&zip_path, &archive);
    let options = FeedOptions {
        max_document_bytes: 1000,
        ..FeedOptions::default()
    };
    let shown = zip_path.display().to_string();
    let local = read_all(FeedKind::Osv, &shown, &options).await;
    assert_eq!(
        documents(&local)
            .iter()
            .map(|document| document.location.clone())
            .collect::<Vec<_>>(),
        [
            format!("{shown}!GHSA-aaaa-bbbb-cccc.json"),
            format!("{shown}!PYSEC-2024-2.json")
        ]
    );
    assert_eq!(documents(&local)[1].bytes, osv_record("PYSEC-2024-2"));
    assert_eq!(
        rejections(&local),
        [(
            format!("{shown}!GHSA-huge-huge-huge.json").as_str(),
            "larger than the limit of 1000 bytes"
        )]
    );

    // The same archive over HTTP, downloaded to a temporary file first.
    let base = serve_dir(root.path()).await;
    let url = format!("{base}/all.zip");
    let remote = read_all(FeedKind::Osv, &url, &options).await;
    assert_eq!(documents(&remote).len(), 2);
    assert_eq!(
        documents(&remote)[0].location,
        format!("{url}!GHSA-aaaa-bbbb-cccc.json")
    );
    assert_eq!(rejections(&remote).len(), 1);

    // One record over HTTP.
    let record = read_all(
        FeedKind::Osv,
        &format!("{base}/osv/Go/GO-2024-0001.json"),
        &options,
    )
    .await;
    assert_eq!(documents(&record)[0].bytes, osv_record("GO-2024-0001"));
}

#[tokio::test]
async fn sources_that_cannot_be_opened_are_errors() {
    let root = tempfile::tempdir().unwrap();
    let missing = root.path().join("nothing-here");
    assert!(matches!(
        open(
            FeedKind::Osv,
            missing.to_str().unwrap(),
            &FeedOptions::default()
        )
        .await,
        Err(FeedError::NotFound { .. })
    ));
    let fake = root.path().join("fake.zip");
    write(&fake, b"this is not an archive");
    assert!(matches!(
        open(
            FeedKind::Osv,
            fake.to_str().unwrap(),
            &FeedOptions::default()
        )
        .await,
        Err(FeedError::NotZip { .. })
    ));
    let base = serve_dir(root.path()).await;
    assert!(matches!(
        open(
            FeedKind::Osv,
            &format!("{base}/fake.zip"),
            &FeedOptions::default()
        )
        .await,
        Err(FeedError::NotZip { .. })
    ));
    assert!(matches!(
        open(
            FeedKind::Osv,
            &format!("{base}/none.zip"),
            &FeedOptions::default()
        )
        .await,
        Err(FeedError::Status { status: 404, .. })
    ));
    assert!(matches!(
        open(
            FeedKind::Kev,
            root.path().to_str().unwrap(),
            &FeedOptions::default()
        )
        .await,
        Err(FeedError::Unsupported {
            kind: FeedKind::Kev,
            ..
        })
    ));
    assert!(matches!(
        open(
            FeedKind::Kev,
            &format!("{base}/kev.json"),
            &FeedOptions::default()
        )
        .await,
        Err(FeedError::Status { status: 404, .. })
    ));
}

fn cve_record(id: &str) -> Vec<u8> {
    format!(r#"{{"dataType":"CVE_RECORD","dataVersion":"5.1","cveMetadata":{{"cveId":"{id}"}}}}"#)
        .into_bytes()
}

#[tokio::test]
async fn cve_trees_and_nested_archives() {
    let root = tempfile::tempdir().unwrap();
    let tree = root.path().join("vulnrichment");
    write(
        &tree.join("2024/1xxx/CVE-2024-1234.json"),
        &cve_record("CVE-2024-1234"),
    );
    write(
        &tree.join("2021/44xxx/CVE-2021-44228.json"),
        &cve_record("CVE-2021-44228"),
    );
    write(&tree.join("delta.json"), b"{}");
    write(&tree.join("README.md"), b"vulnrichment");
    let items = read_all(
        FeedKind::Cve,
        tree.to_str().unwrap(),
        &FeedOptions::default(),
    )
    .await;
    let names: Vec<PathBuf> = documents(&items)
        .iter()
        .map(|document| PathBuf::from(&document.location))
        .collect();
    assert_eq!(
        names,
        [
            tree.join("2021/44xxx/CVE-2021-44228.json"),
            tree.join("2024/1xxx/CVE-2024-1234.json")
        ]
    );

    // CVEProject's daily bulk file: a zip holding cves.zip holding the record tree.
    let inner = zip_of(&[
        (
            "cves/2024/1xxx/CVE-2024-1234.json",
            &cve_record("CVE-2024-1234"),
        ),
        ("cves/delta.json", b"{}"),
        (
            "cves/2024/1xxx/CVE-2024-1235.json",
            &cve_record("CVE-2024-1235"),
        ),
    ]);
    let outer = zip_of(&[("cves.zip", &inner)]);
    let path = root.path().join("all_CVEs_at_midnight.zip.zip");
    write(&path, &outer);
    let shown = path.display().to_string();
    let feed = open(FeedKind::Cve, &shown, &FeedOptions::default())
        .await
        .unwrap();
    assert_eq!(
        feed.estimated_len(),
        None,
        "the inner archive is not counted up front"
    );
    let items = drain(feed).await;
    let names: Vec<&str> = documents(&items)
        .iter()
        .map(|document| document.location.as_str())
        .collect();
    assert_eq!(
        names,
        [
            format!("{shown}!cves.zip!cves/2024/1xxx/CVE-2024-1234.json"),
            format!("{shown}!cves.zip!cves/2024/1xxx/CVE-2024-1235.json")
        ]
    );
    assert_eq!(documents(&items)[1].bytes, cve_record("CVE-2024-1235"));
}

#[tokio::test]
async fn kev_and_epss_are_one_document_plain_or_gzip() {
    let root = tempfile::tempdir().unwrap();
    let kev =
        br#"{"title":"CISA Catalog of Known Exploited Vulnerabilities","vulnerabilities":[]}"#;
    write(
        &root.path().join("known_exploited_vulnerabilities.json"),
        kev,
    );
    let epss = b"#model_version:v2025.03.14,score_date:2025-06-01T00:00:00+0000\n\
                 cve,epss,percentile\nCVE-2024-1234,0.00043,0.1234\n";
    write(&root.path().join("epss_scores-current.csv.gz"), &gzip(epss));
    let base = serve_dir(root.path()).await;

    let local = read_all(
        FeedKind::Kev,
        root.path()
            .join("known_exploited_vulnerabilities.json")
            .to_str()
            .unwrap(),
        &FeedOptions::default(),
    )
    .await;
    assert_eq!(documents(&local)[0].bytes, kev);

    let url = format!("{base}/known_exploited_vulnerabilities.json");
    let remote = read_all(FeedKind::Kev, &url, &FeedOptions::default()).await;
    assert_eq!(remote.len(), 1);
    let document = documents(&remote)[0];
    assert_eq!(document.location, url);
    assert_eq!(document.bytes, kev);
    let served_at = document.modified.expect("Last-Modified is read");

    // A later sync: the server answers 304 to If-Modified-Since, and nothing is yielded.
    let later = FeedOptions {
        since: Some(served_at + jiff::SignedDuration::from_secs(1)),
        ..FeedOptions::default()
    };
    let feed = open(FeedKind::Kev, &url, &later).await.unwrap();
    assert_eq!(feed.estimated_len(), Some(0));
    assert!(drain(feed).await.is_empty());

    let url = format!("{base}/epss_scores-current.csv.gz");
    let scores = read_all(FeedKind::Epss, &url, &FeedOptions::default()).await;
    assert_eq!(documents(&scores)[0].bytes, epss);

    let small = FeedOptions {
        max_document_bytes: 50,
        ..FeedOptions::default()
    };
    let too_big = read_all(FeedKind::Epss, &url, &small).await;
    let rejected = rejections(&too_big);
    assert_eq!(rejected.len(), 1);
    assert!(
        rejected[0].1.contains("limit of 50 bytes"),
        "{}",
        rejected[0].1
    );
}

#[tokio::test]
async fn dropping_a_feed_early_stops_it() {
    let root = tempfile::tempdir().unwrap();
    let entries: Vec<(String, Vec<u8>)> = (0..200)
        .map(|n| {
            (
                format!("GHSA-{n:04}.json"),
                osv_record(&format!("GHSA-{n:04}")),
            )
        })
        .collect();
    let borrowed: Vec<(&str, &[u8])> = entries
        .iter()
        .map(|(name, bytes)| (name.as_str(), bytes.as_slice()))
        .collect();
    let path = root.path().join("all.zip");
    write(&path, &zip_of(&borrowed));
    let mut feed = open(
        FeedKind::Osv,
        path.to_str().unwrap(),
        &FeedOptions::default(),
    )
    .await
    .unwrap();
    assert_eq!(feed.estimated_len(), Some(200));
    assert!(matches!(feed.next().await, Some(FeedItem::Document(_))));
    drop(feed);
    // The blocking reader notices the closed channel; the runtime shuts down without hanging.
}

// ---- shared public data (skipped with a message when ../shared/data is absent) ----

/// Every regular file below `root` whose name passes `keep`, counted independently of the crate.
fn count_files(root: &Path, keep: &dyn Fn(&str) -> bool) -> usize {
    let mut count = 0;
    for entry in std::fs::read_dir(root).expect("read shared data") {
        let entry = entry.expect("directory entry");
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if path.is_dir() {
            count += count_files(&path, keep);
        } else if keep(&name) {
            count += 1;
        }
    }
    count
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shared_cisa_provider_over_loopback_verifies_every_document() {
    let Some(data) = clearinghouse_testkit::shared_data("shared_cisa_provider_over_loopback")
    else {
        return;
    };
    let cisa = data.join("csaf/cisa/OT/white");
    let metadata_root = tempfile::tempdir().unwrap();
    // Served where the feed's canonical URLs put it (…/csaf_files/OT/white/), next to a
    // provider-metadata.json written for this server.
    let base = serve(
        Router::new()
            .nest_service("/csaf_files/OT/white", ServeDir::new(&cisa))
            .fallback_service(ServeDir::new(metadata_root.path())),
    )
    .await;
    let metadata = format!(
        r#"{{"canonical_url":"{base}/provider-metadata.json","metadata_version":"2.0",
            "distributions":[
              {{"rolie":{{"feeds":[{{"tlp_label":"WHITE",
                "url":"{base}/csaf_files/OT/white/cisa-csaf-ot-feed-tlp-white.json"}}]}}}},
              {{"directory_url":"{base}/csaf_files/OT/white/"}}]}}"#
    );
    write(
        &metadata_root.path().join("provider-metadata.json"),
        metadata.as_bytes(),
    );

    let started = std::time::Instant::now();
    let items = read_all(
        FeedKind::Csaf,
        &format!("{base}/provider-metadata.json"),
        &FeedOptions::default(),
    )
    .await;
    let elapsed = started.elapsed();

    let on_disk = count_files(&cisa, &|name| {
        name.ends_with(".json") && name.starts_with("ics")
    });
    let found = documents(&items);
    eprintln!(
        "CISA OT/white over loopback: {} items, {} documents ({} on disk) in {elapsed:?}",
        items.len(),
        found.len(),
        on_disk
    );
    assert_eq!(found.len(), on_disk);
    let prefix = format!("{base}/csaf_files/OT/white/");
    for document in &found {
        assert_eq!(
            document.verified_hash,
            Some(HashAlgorithm::Sha512),
            "{}",
            document.location
        );
        assert!(document.modified.is_some());
        let relative = document.location.strip_prefix(&prefix).unwrap();
        assert_eq!(
            document.bytes,
            std::fs::read(cisa.join(relative)).unwrap(),
            "{relative}"
        );
    }
    // Everything else the feed and changes.csv list is an advisory held back from the shared
    // sample: absent here, so a 404.
    for (location, reason) in rejections(&items) {
        assert!(reason.contains("404"), "{location}: {reason}");
        let relative = location.strip_prefix(&prefix).unwrap();
        assert!(
            !cisa.join(relative).exists(),
            "{relative} exists but was rejected"
        );
    }

    // The same directory read from disk: every advisory, dated by changes.csv, hash-checked;
    // the ROLIE feed stored beside them is skipped.
    let items = read_csaf_tree(&cisa, 1).await;
    assert!(rejections(&items).is_empty(), "{:?}", rejections(&items));
    let found = documents(&items);
    assert_eq!(found.len(), on_disk);
    assert!(
        found
            .iter()
            .all(|document| document.verified_hash == Some(HashAlgorithm::Sha512))
    );
    let icsa_24_298_03 = found
        .iter()
        .find(|document| document.location.ends_with("icsa-24-298-03.json"));
    if let Some(document) = icsa_24_298_03 {
        assert_eq!(document.modified, Some(time("2024-10-24T06:00:00Z")));
    }
}

#[tokio::test]
async fn shared_osv_and_vulnrichment_directories_are_read_whole() {
    let Some(data) = clearinghouse_testkit::shared_data("shared_osv_and_vulnrichment") else {
        return;
    };
    let osv = data.join("osv");
    let expected = count_files(&osv, &|name| {
        name.ends_with(".json") || name.ends_with(".yaml") || name.ends_with(".yml")
    });
    let started = std::time::Instant::now();
    let items = read_all(
        FeedKind::Osv,
        osv.to_str().unwrap(),
        &FeedOptions::default(),
    )
    .await;
    eprintln!("OSV: {} documents in {:?}", items.len(), started.elapsed());
    assert!(rejections(&items).is_empty());
    assert_eq!(documents(&items).len(), expected);
    assert!(expected > 5000, "{expected}");

    let vulnrichment = data.join("ssvc/vulnrichment");
    let expected = count_files(&vulnrichment, &|name| {
        name.starts_with("CVE-") && name.ends_with(".json")
    });
    let started = std::time::Instant::now();
    let items = read_all(
        FeedKind::Cve,
        vulnrichment.to_str().unwrap(),
        &FeedOptions::default(),
    )
    .await;
    eprintln!(
        "vulnrichment: {} documents in {:?}",
        items.len(),
        started.elapsed()
    );
    assert!(rejections(&items).is_empty());
    assert_eq!(documents(&items).len(), expected);
    assert!(expected > 2000, "{expected}");
}
