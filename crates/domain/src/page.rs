//! Cursor pagination. A cursor is the id of the last item of the previous page; ids are time-ordered
//! UUIDs, so "after this id" is stable under concurrent inserts, unlike an offset.

use serde::Serialize;

/// The largest page a client may ask for.
pub const MAX_LIMIT: u32 = 500;
/// The page size when the client does not say.
pub const DEFAULT_LIMIT: u32 = 50;

/// Which page to read.
#[derive(Clone, Debug, Default)]
pub struct PageRequest {
    /// Only items strictly after this key (an id, or a log index as text).
    pub after: Option<String>,
    /// At most this many items, already clamped to `1..=MAX_LIMIT`.
    pub limit: u32,
}

impl PageRequest {
    /// Builds a request, clamping the limit into range.
    pub fn new(after: Option<String>, limit: Option<u32>) -> Self {
        Self {
            after,
            limit: limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT),
        }
    }
}

/// One page of results and the cursor for the next, if there is more.
#[derive(Clone, Debug, Serialize)]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// Builds a page from `limit + 1` fetched rows: the extra row only signals that more exist.
    pub fn from_overfetch(mut rows: Vec<T>, limit: u32, key: impl Fn(&T) -> String) -> Self {
        let has_more = rows.len() > limit as usize;
        rows.truncate(limit as usize);
        let next_cursor = if has_more {
            rows.last().map(&key)
        } else {
            None
        };
        Self {
            items: rows,
            next_cursor,
        }
    }

    /// Converts the items, keeping the cursor.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next_cursor: self.next_cursor,
        }
    }
}
