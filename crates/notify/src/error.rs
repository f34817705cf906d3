//! What an attempt tells its caller: [`Delivered`] on success, [`DeliveryError`] with a retry
//! decision otherwise (shared by webhooks and e-mail, so the outbox worker treats both alike), and
//! [`ConfigError`] for a client or mailer that cannot be built from its configuration.

use std::time::Duration;

/// A successful attempt: the receiver accepted the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivered {
    /// The HTTP status (2xx) or the SMTP reply code (250) that accepted the message.
    pub status: u16,
    /// The HTTP reason phrase or the SMTP server's reply text (often a queue id), for the
    /// delivery record.
    pub detail: String,
    /// How long the attempt took, from the first byte sent to the accepting reply.
    pub elapsed: Duration,
}

/// A failed attempt and whether trying again later may succeed.
///
/// Retryable: connection failures, timeouts, HTTP 5xx, 408 and 429, SMTP 4xx replies. Permanent
/// (straight to the dead letters): other HTTP 4xx (410 Gone means the receiver wants no more),
/// HTTP 3xx (redirects are not followed), SMTP 5xx replies, invalid configuration or addresses.
/// The message never contains a secret, a password, a request body or a URL (webhook URLs often
/// carry tokens).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct DeliveryError {
    /// Whether the same message may succeed on a later attempt.
    pub retryable: bool,
    /// The HTTP status or SMTP reply code that refused the message, if a reply came at all.
    pub status: Option<u16>,
    /// The receiver's `Retry-After`, to be honoured as a lower bound on the next delay
    /// (see [`crate::Backoff::delay_after`]).
    pub retry_after: Option<Duration>,
    /// A one-line description for the delivery record and the dead-letter view.
    pub message: String,
}

impl DeliveryError {
    /// A failure that a later attempt may not meet again.
    pub(crate) fn retryable(status: Option<u16>, message: impl Into<String>) -> Self {
        Self {
            retryable: true,
            status,
            retry_after: None,
            message: message.into(),
        }
    }

    /// A failure that every later attempt would repeat.
    pub(crate) fn permanent(status: Option<u16>, message: impl Into<String>) -> Self {
        Self {
            retryable: false,
            status,
            retry_after: None,
            message: message.into(),
        }
    }
}

/// Why a [`crate::WebhookClient`] or [`crate::Mailer`] cannot be built. Messages never contain
/// the password.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The SMTP URL does not parse; carries the parser's reason (never the URL itself, which may
    /// hold a password).
    #[error("invalid SMTP URL: {0}")]
    InvalidUrl(String),
    /// The SMTP URL's scheme is none of `smtp`, `smtp+starttls`, `smtps`; carries the scheme.
    #[error("unsupported SMTP URL scheme {0:?}: use smtp, smtp+starttls or smtps")]
    UnsupportedScheme(String),
    /// The SMTP URL names no host.
    #[error("the SMTP URL names no host")]
    MissingHost,
    /// No sender address was configured (`?from=` in the URL).
    #[error("no sender address: add ?from=<address> to the SMTP URL")]
    MissingFrom,
    /// The sender is not a valid mailbox; carries it.
    #[error("invalid sender address {0:?}")]
    InvalidFrom(String),
    /// Only one of user name and password was given.
    #[error("the SMTP user name and password must be given together")]
    PartialCredentials,
    /// The TLS settings for the SMTP server could not be built.
    #[error("cannot set up TLS for the SMTP server")]
    Tls(#[source] lettre::transport::smtp::Error),
    /// The HTTP client could not be built (its TLS backend failed to initialise).
    #[error("cannot build the webhook HTTP client")]
    HttpClient(#[source] reqwest::Error),
}
