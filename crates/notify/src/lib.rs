//! Delivery of notifications, as a library with no database and no knowledge of the domain: the
//! outbox worker (in `app`) decides what to send to whom and when, this crate sends one message
//! per call and says whether to try again.
//!
//! Layout, in reading order:
//! - `signature`: Standard Webhooks secrets, signing and verification (HMAC-SHA256, `v1`).
//! - `webhook`: [`WebhookClient`], one signed POST per attempt.
//! - `destination`: which addresses a webhook may reach ([`DestinationPolicy`]; no loopback,
//!   private, link-local or metadata addresses unless allowed), checked where connections are made.
//! - `mail`: [`SmtpConfig`] (from an `smtp://`, `smtp+starttls://` or `smtps://` URL) and
//!   [`Mailer`] over `lettre`.
//! - `error`: [`Delivered`], [`DeliveryError`] (retryable or permanent) and [`ConfigError`].
//! - `backoff`: [`Backoff`], when to retry and when to give up (dead letter).
//! - `digest`: [`render_digest`], many [`Notice`]s in one plain-text e-mail.
//!
//! ```
//! use clearinghouse_notify::{SignedHeaders, generate_secret, sign, verify};
//! use std::time::Duration;
//!
//! let secret = generate_secret();
//! let body = br#"{"type":"advisory.matched","timestamp":"2026-11-20T08:00:00Z","data":{}}"#;
//! let signature = sign(&secret, "msg_1", 1_763_625_600, body).unwrap();
//! let headers = SignedHeaders { id: "msg_1", timestamp: "1763625600", signature: &signature };
//! verify(&secret, &headers, body, 1_763_625_660, Duration::from_secs(300)).unwrap();
//! ```

#![forbid(unsafe_code)]

mod backoff;
mod destination;
mod digest;
mod error;
mod mail;
mod signature;
mod webhook;

pub use backoff::Backoff;
pub use destination::{
    DestinationPolicy, Forbidden, ResolveError, check_host, is_public, resolve_permitted,
};
pub use digest::{Notice, render_digest};
pub use error::{ConfigError, Delivered, DeliveryError};
pub use mail::{Mailer, SMTP_TIMEOUT, SmtpConfig, SmtpSecurity};
pub use signature::{
    DEFAULT_TOLERANCE, HEADER_ID, HEADER_SIGNATURE, HEADER_TIMESTAMP, SECRET_PREFIX,
    SignatureError, SignedHeaders, generate_secret, sign, verify,
};
pub use webhook::{WebhookClient, WebhookOptions};
