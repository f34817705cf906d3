//! Sources that are one document: the KEV catalog and the EPSS scores CSV, as a file or a URL,
//! plain or gzip. The document is read while opening, so a missing file or an HTTP error is a
//! [`FeedError`], not a rejection.

use crate::fetch::{FetchError, local_metadata, modification_time, read_file};
use crate::location::Location;
use crate::pipeline::{self, Content, Job};
use crate::{Context, Feed, FeedError, FeedKind, rejected};

/// Opens a KEV or EPSS source.
pub(crate) async fn open(
    kind: FeedKind,
    location: Location,
    context: Context,
) -> Result<Feed, FeedError> {
    let fetched = match &location {
        Location::Path(path) => {
            let metadata = local_metadata(path).await?;
            if metadata.is_dir() {
                return Err(FeedError::Unsupported {
                    location: location.to_string(),
                    kind,
                    expected: "one file or an http(s) URL",
                });
            }
            if context.unchanged(modification_time(&metadata)) {
                return Ok(Feed::ready(Vec::new()));
            }
            read_file(path, context.limit).await.map(Some)
        }
        Location::Url(url) => context.fetcher.get(url, context.limit, context.since).await,
    };
    let body = match fetched {
        Ok(Some(body)) => body,
        Ok(None) => return Ok(Feed::ready(Vec::new())),
        Err(error @ FetchError::TooLarge(_)) => {
            return Ok(Feed::ready(vec![rejected(&location, error)]));
        }
        Err(error) => return Err(error.into_feed_error(&location)),
    };
    if context.unchanged(body.modified) {
        return Ok(Feed::ready(Vec::new()));
    }
    let job = Job {
        content: Content::MaybeGzip,
        ..Job::plain(location)
    };
    let item = pipeline::finish(&context, job, body).await;
    Ok(Feed::ready(item.into_iter().collect()))
}
