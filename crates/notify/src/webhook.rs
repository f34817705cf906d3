//! Webhook delivery: one signed POST per attempt, classified for the retry schedule.
//!
//! Follows the Standard Webhooks operational advice: a 2xx answer is success; redirects are not
//! followed (the endpoint's URL should be updated instead); 410 Gone means the receiver wants no
//! more; 429, 502 and 504 ask for throttling and `Retry-After` is passed on; the request timeout
//! defaults to 15 s, the spec's lower recommendation.
//!
//! Destinations are filtered as the spec's SSRF section asks: the client resolves names through
//! [`crate::destination`]'s resolver, which drops loopback, private, link-local and metadata
//! addresses unless [`WebhookOptions::destinations`] allows them, and IP-literal URLs are checked
//! before the request. A refused destination is a permanent failure (a dead letter).

use std::time::{Duration, Instant};

use reqwest::header::{CONTENT_TYPE, HeaderValue, RETRY_AFTER};
use reqwest::{StatusCode, Url, redirect};

use crate::destination::{DestinationPolicy, FilteringResolver, ResolveError, check_host};
use crate::error::{ConfigError, Delivered, DeliveryError};
use crate::signature::{self, HEADER_ID, HEADER_SIGNATURE, HEADER_TIMESTAMP, SignatureError};

/// Most of a response body read before the connection is given back to the pool; the body itself
/// is never used, reading it only keeps the connection reusable.
const MAX_DRAINED_BODY: usize = 64 * 1024;

/// Settings of a [`WebhookClient`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookOptions {
    /// The whole attempt, from connecting to the end of the response.
    pub timeout: Duration,
    /// Connecting alone (DNS, TCP and TLS), so a dead host fails fast.
    pub connect_timeout: Duration,
    /// The `User-Agent` receivers see and can filter on.
    pub user_agent: String,
    /// Which addresses deliveries may reach.
    pub destinations: DestinationPolicy,
}

impl Default for WebhookOptions {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(15),
            connect_timeout: Duration::from_secs(5),
            user_agent: concat!("Clearinghouse-Webhooks/", env!("CARGO_PKG_VERSION")).to_owned(),
            destinations: DestinationPolicy::default(),
        }
    }
}

/// Delivers webhooks. Cheap to clone; one per process, so connections to a receiver are reused.
#[derive(Debug, Clone)]
pub struct WebhookClient {
    http: reqwest::Client,
    timeout: Duration,
    destinations: DestinationPolicy,
}

impl WebhookClient {
    /// A client with these timeouts, user agent and destination policy, that never follows
    /// redirects and never uses a proxy (a proxy would resolve names where the filter cannot see).
    pub fn new(options: &WebhookOptions) -> Result<Self, ConfigError> {
        let http = reqwest::Client::builder()
            .timeout(options.timeout)
            .connect_timeout(options.connect_timeout)
            .redirect(redirect::Policy::none())
            .user_agent(options.user_agent.clone())
            .no_proxy()
            .dns_resolver(FilteringResolver {
                policy: options.destinations,
            })
            .build()
            .map_err(ConfigError::HttpClient)?;
        Ok(Self {
            http,
            timeout: options.timeout,
            destinations: options.destinations,
        })
    }

    /// POSTs `body` (sent as `application/json`) to `url`, signed with `secret` under the stable
    /// `message_id` and the current time, and says whether the receiver took it.
    ///
    /// `event_type` names the delivery in the logs; Standard Webhooks carries the type inside the
    /// payload (`{"type": ..., "timestamp": ..., "data": ...}`), which the caller builds.
    pub async fn deliver(
        &self,
        url: &str,
        secret: &str,
        message_id: &str,
        event_type: &str,
        body: &[u8],
    ) -> Result<Delivered, DeliveryError> {
        let url = Url::parse(url)
            .ok()
            .filter(|url| matches!(url.scheme(), "http" | "https"))
            .ok_or_else(|| {
                DeliveryError::permanent(None, "the webhook URL is not an http(s) URL")
            })?;
        if let Err(forbidden) = check_host(self.destinations, url.host_str().unwrap_or_default()) {
            return Err(DeliveryError::permanent(None, forbidden.to_string()));
        }
        let timestamp = jiff::Timestamp::now().as_second();
        let signature =
            signature::sign(secret, message_id, timestamp, body).map_err(signing_error)?;
        let host = url.host_str().unwrap_or_default().to_owned();

        let started = Instant::now();
        let sent = self
            .http
            .post(url)
            .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
            .header(HEADER_ID, message_id)
            .header(HEADER_TIMESTAMP, timestamp.to_string())
            .header(HEADER_SIGNATURE, signature)
            .body(body.to_vec())
            .send()
            .await;
        let elapsed = started.elapsed();
        let outcome = match sent {
            Ok(response) => classify(response, elapsed).await,
            Err(error) => Err(transport_error(&error, self.timeout)),
        };
        match &outcome {
            Ok(delivered) => tracing::debug!(
                message_id,
                event_type,
                host,
                status = delivered.status,
                elapsed_ms = elapsed.as_millis(),
                "webhook delivered"
            ),
            Err(error) => tracing::info!(
                message_id,
                event_type,
                host,
                retryable = error.retryable,
                error = %error,
                "webhook delivery failed"
            ),
        }
        outcome
    }
}

/// Success for 2xx; otherwise the spec's status handling turned into a retry decision.
async fn classify(
    mut response: reqwest::Response,
    elapsed: Duration,
) -> Result<Delivered, DeliveryError> {
    let status = response.status();
    let retry_after = response
        .headers()
        .get(RETRY_AFTER)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| parse_retry_after(value, jiff::Timestamp::now()));
    // Read (a bounded part of) the body so the connection can serve the next delivery.
    let mut drained = 0;
    while drained < MAX_DRAINED_BODY {
        match response.chunk().await {
            Ok(Some(chunk)) => drained += chunk.len(),
            Ok(None) | Err(_) => break,
        }
    }
    let code = status.as_u16();
    let described = describe(status);
    if status.is_success() {
        return Ok(Delivered {
            status: code,
            detail: status.canonical_reason().unwrap_or_default().to_owned(),
            elapsed,
        });
    }
    let mut error = if status.is_server_error()
        || status == StatusCode::REQUEST_TIMEOUT
        || status == StatusCode::TOO_MANY_REQUESTS
    {
        DeliveryError::retryable(Some(code), format!("the receiver answered {described}"))
    } else if status.is_redirection() {
        DeliveryError::permanent(
            Some(code),
            format!(
                "the receiver answered {described}; redirects are not followed, update the endpoint URL"
            ),
        )
    } else if status == StatusCode::GONE {
        DeliveryError::permanent(
            Some(code),
            format!("the receiver answered {described}: it wants no more deliveries"),
        )
    } else if status.is_client_error() {
        DeliveryError::permanent(Some(code), format!("the receiver answered {described}"))
    } else {
        DeliveryError::retryable(Some(code), format!("the receiver answered {described}"))
    };
    error.retry_after = retry_after;
    Err(error)
}

/// `HTTP 503 Service Unavailable`.
fn describe(status: StatusCode) -> String {
    match status.canonical_reason() {
        Some(reason) => format!("HTTP {} {reason}", status.as_u16()),
        None => format!("HTTP {}", status.as_u16()),
    }
}

/// A failure before any response: connection, TLS, timeout. The URL is left out on purpose.
fn transport_error(error: &reqwest::Error, timeout: Duration) -> DeliveryError {
    if error.is_timeout() {
        return DeliveryError::retryable(
            None,
            format!("no response within {} s", timeout.as_secs_f32()),
        );
    }
    if error.is_builder() {
        return DeliveryError::permanent(None, "the webhook request could not be built");
    }
    let what = if error.is_connect() {
        "cannot connect to the receiver"
    } else {
        "the request failed"
    };
    // The top-level message of a reqwest error names the URL; its sources do not.
    let mut causes = Vec::new();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        if let Some(ResolveError::Forbidden(forbidden)) = cause.downcast_ref::<ResolveError>() {
            // The name resolves (now) to internal addresses only: no retry will be allowed.
            return DeliveryError::permanent(None, forbidden.to_string());
        }
        causes.push(cause.to_string());
        source = cause.source();
    }
    causes.dedup();
    if causes.is_empty() {
        DeliveryError::retryable(None, what)
    } else {
        DeliveryError::retryable(None, format!("{what}: {}", causes.join(": ")))
    }
}

/// A secret or message id the signer refuses is a configuration fault no retry can mend.
fn signing_error(error: SignatureError) -> DeliveryError {
    DeliveryError::permanent(None, format!("cannot sign the webhook: {error}"))
}

/// `Retry-After` as delay-seconds or an HTTP date (RFC 9110 section 10.2.3); dates in the past
/// mean "now".
fn parse_retry_after(value: &str, now: jiff::Timestamp) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = jiff::fmt::rfc2822::DateTimeParser::new()
        .parse_timestamp(value)
        .ok()?;
    let seconds = at.as_second().saturating_sub(now.as_second()).max(0);
    Some(Duration::from_secs(seconds.unsigned_abs()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let now: jiff::Timestamp = "2026-11-20T08:00:00Z".parse().unwrap();
        assert_eq!(
            parse_retry_after("120", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            parse_retry_after("Fri, 20 Nov 2026 08:05:00 GMT", now),
            Some(Duration::from_secs(300))
        );
        assert_eq!(
            parse_retry_after("Fri, 20 Nov 2026 07:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-5", now), None);
    }

    #[test]
    fn statuses_are_described_with_their_reason() {
        assert_eq!(
            describe(StatusCode::SERVICE_UNAVAILABLE),
            "HTTP 503 Service Unavailable"
        );
        assert_eq!(describe(StatusCode::from_u16(599).unwrap()), "HTTP 599");
    }
}
