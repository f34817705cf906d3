//! Finds `$CLEARINGHOUSE_SHARED_DATA` or `<workspace>/../shared/data`.

use std::path::PathBuf;

/// The shared data directory joined with `relative`, or `None` (after printing why) when it is
/// absent. Panics when absent and `CI=true`, so CI cannot silently skip the data-driven tests.
pub fn path(relative: &str) -> Option<PathBuf> {
    let root = std::env::var_os("CLEARINGHOUSE_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"));
    let full = root.join(relative);
    if full.exists() {
        return Some(full);
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("shared data not found at {}", full.display());
    }
    println!("skipped: shared data not found at {}", full.display());
    None
}
