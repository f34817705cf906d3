//! Time as the database stores it: microseconds since the Unix epoch, the same on both engines.

use jiff::Timestamp;

/// Converts a timestamp to the stored form.
pub fn to_micros(ts: Timestamp) -> i64 {
    ts.as_microsecond()
}

/// Converts the stored form back; out-of-range values (never written by us) clamp to the epoch.
pub fn from_micros(micros: i64) -> Timestamp {
    Timestamp::from_microsecond(micros).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// The current time at the precision the database keeps (microseconds), so a value read back
/// equals the value written.
pub fn now() -> Timestamp {
    from_micros(to_micros(Timestamp::now()))
}
