//! Standard Webhooks signatures (<https://www.standardwebhooks.com>, spec 1.0.0, symmetric `v1`).
//!
//! The sender signs `{webhook-id}.{webhook-timestamp}.{body}` with HMAC-SHA256 under a secret
//! serialized as `whsec_<base64>` and sends `webhook-signature: v1,<base64 MAC>`; the header may
//! carry several space-separated signatures so a secret can be rotated without downtime.
//!
//! Written here on `hmac`/`sha2` rather than taken from the `standardwebhooks` crate: that crate
//! compares signatures by zipping the two strings, so a truncated (even empty) `v1,` signature
//! passes, it reads the wall clock inside `verify` (untestable tolerance), and it pins `http` 0.2.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// The header carrying the message id, stable across retries (the receiver's idempotency key).
pub const HEADER_ID: &str = "webhook-id";
/// The header carrying the attempt's Unix time in seconds (the receiver's replay protection).
pub const HEADER_TIMESTAMP: &str = "webhook-timestamp";
/// The header carrying one or more space-separated `v1,<base64>` signatures.
pub const HEADER_SIGNATURE: &str = "webhook-signature";
/// The prefix that marks a serialized symmetric secret, so it is recognisable wherever it leaks.
pub const SECRET_PREFIX: &str = "whsec_";
/// The tolerance the spec's reference libraries use between the sender's and receiver's clocks.
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(5 * 60);

/// Shortest accepted key: the spec asks for at least 24 random bytes (192 bits).
const MIN_KEY_LEN: usize = 24;
/// Longest accepted key: the spec's maximum of 512 bits.
const MAX_KEY_LEN: usize = 64;
/// How many random bytes [`generate_secret`] draws.
const GENERATED_KEY_LEN: usize = 32;
/// The signature version of symmetric HMAC-SHA256 signatures.
const VERSION: &str = "v1";

type HmacSha256 = Hmac<Sha256>;

/// Why a signature could not be made or did not verify. Messages never contain the secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignatureError {
    /// The secret is not `whsec_` + base64 of 24 to 64 bytes.
    #[error("the webhook secret is not whsec_ followed by base64 of 24 to 64 bytes")]
    InvalidSecret,
    /// The message id is empty, contains `.` (which would make the signed content ambiguous) or
    /// a character that cannot travel in an HTTP header.
    #[error("the webhook message id is empty or contains '.', whitespace or control characters")]
    InvalidMessageId,
    /// A required header is absent or empty; carries its name.
    #[error("missing header {0}")]
    MissingHeader(&'static str),
    /// `webhook-timestamp` is not an integer number of seconds.
    #[error("webhook-timestamp is not an integer Unix time")]
    InvalidTimestamp,
    /// The attempt is older than the tolerance allows: possibly a replay.
    #[error("webhook-timestamp is {age_seconds} s in the past, beyond the tolerance")]
    TimestampTooOld {
        /// How far in the past, in seconds.
        age_seconds: i64,
    },
    /// The attempt claims a time further in the future than the tolerance allows.
    #[error("webhook-timestamp is {ahead_seconds} s in the future, beyond the tolerance")]
    TimestampTooNew {
        /// How far in the future, in seconds.
        ahead_seconds: i64,
    },
    /// No `v1` signature in the header matches the body under this secret.
    #[error("no webhook signature matches")]
    NoMatchingSignature,
}

/// The three Standard Webhooks header values of a received request, as the receiver read them.
/// A header that was absent is passed as the empty string.
#[derive(Debug, Clone, Copy)]
pub struct SignedHeaders<'a> {
    /// The `webhook-id` value.
    pub id: &'a str,
    /// The `webhook-timestamp` value.
    pub timestamp: &'a str,
    /// The `webhook-signature` value (one or more space-separated signatures).
    pub signature: &'a str,
}

/// A fresh endpoint secret, `whsec_` + base64 of 32 random bytes from the operating system.
/// One per endpoint: the spec warns that sharing a secret across receivers lets one forge for
/// another.
pub fn generate_secret() -> String {
    let mut key = [0u8; GENERATED_KEY_LEN];
    #[allow(clippy::expect_used)]
    getrandom::fill(&mut key).expect("the operating system's random number generator failed");
    format!("{SECRET_PREFIX}{}", BASE64.encode(key))
}

/// The `webhook-signature` value (`v1,<base64>`) for one attempt of message `id` at Unix time
/// `timestamp` carrying exactly `body`.
pub fn sign(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> Result<String, SignatureError> {
    check_message_id(id)?;
    let tag = mac(&decode_secret(secret)?, id, timestamp, body)?.finalize();
    Ok(format!("{VERSION},{}", BASE64.encode(tag.into_bytes())))
}

/// Checks a received webhook: the timestamp lies within `tolerance` of `now` (Unix seconds) and
/// at least one `v1` signature in the header matches `body` under `secret`, compared in constant
/// time. Signatures of other versions (`v1a`) are skipped, as the spec allows several schemes in
/// one header.
pub fn verify(
    secret: &str,
    headers: &SignedHeaders<'_>,
    body: &[u8],
    now: i64,
    tolerance: Duration,
) -> Result<(), SignatureError> {
    let key = decode_secret(secret)?;
    if headers.id.is_empty() {
        return Err(SignatureError::MissingHeader(HEADER_ID));
    }
    if headers.timestamp.is_empty() {
        return Err(SignatureError::MissingHeader(HEADER_TIMESTAMP));
    }
    if headers.signature.trim().is_empty() {
        return Err(SignatureError::MissingHeader(HEADER_SIGNATURE));
    }
    let timestamp: i64 = headers
        .timestamp
        .trim()
        .parse()
        .map_err(|_| SignatureError::InvalidTimestamp)?;
    let tolerance = i64::try_from(tolerance.as_secs()).unwrap_or(i64::MAX);
    let age = now.saturating_sub(timestamp);
    if age > tolerance {
        return Err(SignatureError::TimestampTooOld { age_seconds: age });
    }
    let ahead = age.saturating_neg();
    if ahead > tolerance {
        return Err(SignatureError::TimestampTooNew {
            ahead_seconds: ahead,
        });
    }
    let expected = mac(&key, headers.id, timestamp, body)?;
    let matched = headers
        .signature
        .split(' ')
        .filter_map(|entry| entry.split_once(','))
        .filter(|(version, _)| *version == VERSION)
        .filter_map(|(_, encoded)| BASE64.decode(encoded).ok())
        // `verify_slice` compares in constant time and rejects any length other than the MAC's.
        .any(|candidate| expected.clone().verify_slice(&candidate).is_ok());
    if matched {
        Ok(())
    } else {
        Err(SignatureError::NoMatchingSignature)
    }
}

/// The HMAC key inside a `whsec_` secret (the prefix is optional, as in the reference libraries).
fn decode_secret(secret: &str) -> Result<Vec<u8>, SignatureError> {
    let encoded = secret.strip_prefix(SECRET_PREFIX).unwrap_or(secret);
    let key = BASE64
        .decode(encoded)
        .map_err(|_| SignatureError::InvalidSecret)?;
    if (MIN_KEY_LEN..=MAX_KEY_LEN).contains(&key.len()) {
        Ok(key)
    } else {
        Err(SignatureError::InvalidSecret)
    }
}

/// The spec requires that ids never contain `.`; they must also be valid header values.
fn check_message_id(id: &str) -> Result<(), SignatureError> {
    let valid = !id.is_empty() && id.bytes().all(|b| b.is_ascii_graphic() && b != b'.');
    if valid {
        Ok(())
    } else {
        Err(SignatureError::InvalidMessageId)
    }
}

/// The MAC state after absorbing the signed content `{id}.{timestamp}.{body}`.
fn mac(key: &[u8], id: &str, timestamp: i64, body: &[u8]) -> Result<HmacSha256, SignatureError> {
    // HMAC takes keys of any length, so this fails only if that ever changes.
    let mut mac =
        <HmacSha256 as KeyInit>::new_from_slice(key).map_err(|_| SignatureError::InvalidSecret)?;
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    Ok(mac)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
    const ID: &str = "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk";
    const TS: i64 = 1_649_367_553;
    const BODY: &[u8] = br#"{"email":"test@example.com","username":"test_user"}"#;

    fn headers(signature: &str) -> SignedHeaders<'_> {
        SignedHeaders {
            id: ID,
            timestamp: "1649367553",
            signature,
        }
    }

    #[test]
    fn generated_secrets_are_prefixed_random_and_usable() {
        let a = generate_secret();
        let b = generate_secret();
        assert!(a.starts_with("whsec_"));
        assert_ne!(a, b);
        assert_eq!(decode_secret(&a).unwrap().len(), 32);
        let signature = sign(&a, ID, TS, BODY).unwrap();
        verify(&a, &headers(&signature), BODY, TS, DEFAULT_TOLERANCE).unwrap();
    }

    #[test]
    fn secrets_must_be_base64_of_24_to_64_bytes() {
        for bad in [
            "whsec_",
            "whsec_not base64!",
            &format!("whsec_{}", BASE64.encode([7u8; 23])),
            &format!("whsec_{}", BASE64.encode([7u8; 65])),
        ] {
            assert_eq!(sign(bad, ID, TS, BODY), Err(SignatureError::InvalidSecret));
        }
        // Without the prefix the same key is accepted, as in the reference libraries.
        assert_eq!(
            sign("C2FVsBQIhrscChlQIMV+b5sSYspob7oD", ID, TS, BODY),
            sign(SECRET, ID, TS, BODY)
        );
    }

    #[test]
    fn message_ids_with_dots_or_spaces_are_refused() {
        for bad in ["", "a.b", "a b", "a\r\nb", "ä"] {
            assert_eq!(
                sign(SECRET, bad, TS, BODY),
                Err(SignatureError::InvalidMessageId)
            );
        }
    }

    #[test]
    fn timestamps_outside_the_tolerance_are_refused_both_ways() {
        let signature = sign(SECRET, ID, TS, BODY).unwrap();
        let tolerance = Duration::from_secs(300);
        verify(SECRET, &headers(&signature), BODY, TS + 300, tolerance).unwrap();
        verify(SECRET, &headers(&signature), BODY, TS - 300, tolerance).unwrap();
        assert_eq!(
            verify(SECRET, &headers(&signature), BODY, TS + 301, tolerance),
            Err(SignatureError::TimestampTooOld { age_seconds: 301 })
        );
        assert_eq!(
            verify(SECRET, &headers(&signature), BODY, TS - 301, tolerance),
            Err(SignatureError::TimestampTooNew { ahead_seconds: 301 })
        );
        for extreme in ["9223372036854775807", "-9223372036854775808"] {
            let extreme = SignedHeaders {
                timestamp: extreme,
                ..headers(&signature)
            };
            assert!(verify(SECRET, &extreme, BODY, TS, tolerance).is_err());
        }
        let bad_ts = SignedHeaders {
            timestamp: "1649367553.5",
            ..headers(&signature)
        };
        assert_eq!(
            verify(SECRET, &bad_ts, BODY, TS, tolerance),
            Err(SignatureError::InvalidTimestamp)
        );
    }

    #[test]
    fn truncated_empty_and_foreign_version_signatures_do_not_match() {
        let signature = sign(SECRET, ID, TS, BODY).unwrap();
        let truncated = &signature[..signature.len() - 8];
        let foreign = signature.replacen("v1,", "v1a,", 1);
        for bad in ["v1,", "v1", truncated, &foreign, "v2,abc ,"] {
            assert_eq!(
                verify(SECRET, &headers(bad), BODY, TS, DEFAULT_TOLERANCE),
                Err(SignatureError::NoMatchingSignature),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn missing_headers_are_named() {
        let signature = sign(SECRET, ID, TS, BODY).unwrap();
        for (headers, name) in [
            (
                SignedHeaders {
                    id: "",
                    ..headers(&signature)
                },
                HEADER_ID,
            ),
            (
                SignedHeaders {
                    timestamp: "",
                    ..headers(&signature)
                },
                HEADER_TIMESTAMP,
            ),
            (headers(" "), HEADER_SIGNATURE),
        ] {
            assert_eq!(
                verify(SECRET, &headers, BODY, TS, DEFAULT_TOLERANCE),
                Err(SignatureError::MissingHeader(name))
            );
        }
    }
}
