//! Delivery against real loopback receivers (`clearinghouse_testkit::receivers`): webhooks signed
//! and classified, e-mail sent through SMTP and read back, the digest rendered and mailed.

mod digest;
mod mail;
mod webhooks;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How long a test waits for a delivery that should arrive at once.
const WAIT: Duration = Duration::from_secs(10);

/// The current Unix time in seconds, as a receiver checks a webhook timestamp.
fn unix_now() -> i64 {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs());
    i64::try_from(seconds).unwrap_or(i64::MAX)
}
