//! E-mail through a configured SMTP server, with `lettre` (tokio, rustls with the operating
//! system's certificate verifier).
//!
//! The server is configured by one URL so it fits a single setting or environment variable:
//! `smtp://` (plain, port 25), `smtp+starttls://` (STARTTLS required, port 587) or `smtps://`
//! (TLS from the first byte, port 465), with optional `user:password@` and a required
//! `?from=<mailbox>`. With STARTTLS required, a server that does not offer it gets neither
//! credentials nor mail.

use std::fmt;
use std::str::FromStr;
use std::time::{Duration, Instant};

use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use percent_encoding::percent_decode_str;
use url::{Host, Url};

use crate::error::{ConfigError, Delivered, DeliveryError};

/// How long the mailer waits for each SMTP reply before the attempt counts as timed out.
pub const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// Plain text: only for a relay on the same host or a trusted network (and for tests).
    None,
    /// Plain connect, then STARTTLS, which the server must offer (submission, port 587).
    StartTls,
    /// TLS from the first byte (submissions, port 465).
    Tls,
}

/// Where and as whom to send e-mail. `Debug` hides the password.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpConfig {
    /// The server's host name (also the name its TLS certificate must carry) or IP address.
    pub host: String,
    /// The server's port.
    pub port: u16,
    /// Plain, STARTTLS or TLS.
    pub security: SmtpSecurity,
    /// The user name for AUTH, if the server wants one.
    pub username: Option<String>,
    /// The password for AUTH; given exactly when `username` is.
    pub password: Option<String>,
    /// The sender mailbox, `address@example.org` or `Name <address@example.org>`.
    pub from: String,
}

impl fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("from", &self.from)
            .finish()
    }
}

impl SmtpConfig {
    /// Reads `smtp://user:pass@host:port?from=...`, `smtp+starttls://...` or `smtps://...`.
    /// User name and password are percent-decoded; the port defaults to 25, 587 or 465.
    pub fn from_url(url: &str) -> Result<Self, ConfigError> {
        let url = Url::parse(url).map_err(|error| ConfigError::InvalidUrl(error.to_string()))?;
        let (security, default_port) = match url.scheme() {
            "smtp" => (SmtpSecurity::None, 25),
            "smtp+starttls" => (SmtpSecurity::StartTls, 587),
            "smtps" => (SmtpSecurity::Tls, 465),
            other => return Err(ConfigError::UnsupportedScheme(other.to_owned())),
        };
        let host = match url.host() {
            Some(Host::Domain("")) | None => return Err(ConfigError::MissingHost),
            Some(Host::Domain(domain)) => domain.to_owned(),
            Some(Host::Ipv4(address)) => address.to_string(),
            Some(Host::Ipv6(address)) => address.to_string(),
        };
        let username = decode_userinfo(url.username())?;
        let password = url.password().map(decode_userinfo).transpose()?.flatten();
        if username.is_some() != password.is_some() {
            return Err(ConfigError::PartialCredentials);
        }
        let mut from = None;
        for (key, value) in url.query_pairs() {
            match &*key {
                "from" => from = Some(value.into_owned()),
                other => {
                    return Err(ConfigError::InvalidUrl(format!(
                        "unknown parameter {other:?} (only from= is read)"
                    )));
                }
            }
        }
        let from = from
            .filter(|from| !from.trim().is_empty())
            .ok_or(ConfigError::MissingFrom)?;
        Ok(Self {
            host,
            port: url.port().unwrap_or(default_port),
            security,
            username,
            password,
            from,
        })
    }
}

impl FromStr for SmtpConfig {
    type Err = ConfigError;

    fn from_str(url: &str) -> Result<Self, Self::Err> {
        Self::from_url(url)
    }
}

/// Sends plain-text e-mail through one SMTP server, one connection per message (lettre's pool is
/// left out: it spawns tokio tasks when built and dropped). Cheap to clone; needs no runtime until
/// `send`.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl fmt::Debug for Mailer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mailer")
            .field("from", &self.from.to_string())
            .finish_non_exhaustive()
    }
}

impl Mailer {
    /// A mailer for this server; checks the sender address and the TLS setup, connects only when
    /// sending.
    pub fn new(config: &SmtpConfig) -> Result<Self, ConfigError> {
        let from: Mailbox = config
            .from
            .parse()
            .map_err(|_| ConfigError::InvalidFrom(config.from.clone()))?;
        let tls = match config.security {
            SmtpSecurity::None => Tls::None,
            SmtpSecurity::StartTls => Tls::Required(tls_parameters(&config.host)?),
            SmtpSecurity::Tls => Tls::Wrapper(tls_parameters(&config.host)?),
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&config.host)
            .port(config.port)
            .tls(tls)
            .timeout(Some(SMTP_TIMEOUT));
        match (&config.username, &config.password) {
            (Some(username), Some(password)) => {
                builder = builder.credentials(Credentials::new(username.clone(), password.clone()));
            }
            (None, None) => {}
            _ => return Err(ConfigError::PartialCredentials),
        }
        Ok(Self {
            transport: builder.build(),
            from,
        })
    }

    /// Sends one UTF-8 plain-text message to every address in `to` (all listed in one `To:`
    /// header, so they see each other: send one message each where they must not).
    /// Line breaks and other control characters in `subject` become spaces, so a subject can
    /// never add a header.
    pub async fn send(
        &self,
        to: &[String],
        subject: &str,
        text: &str,
    ) -> Result<Delivered, DeliveryError> {
        if to.is_empty() {
            return Err(DeliveryError::permanent(
                None,
                "the e-mail has no recipient",
            ));
        }
        let mut message = Message::builder().from(self.from.clone());
        for address in to {
            let mailbox: Mailbox = address.parse().map_err(|_| {
                DeliveryError::permanent(None, format!("invalid recipient address {address:?}"))
            })?;
            message = message.to(mailbox);
        }
        let subject: String = subject
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        // lettre adds Date but not Message-ID, which RFC 5322 asks for and spam filters check.
        let message = message
            .message_id(None)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(text.to_owned())
            .map_err(|error| {
                DeliveryError::permanent(None, format!("cannot build the e-mail: {error}"))
            })?;

        let started = Instant::now();
        let outcome = self.transport.send(message).await;
        let elapsed = started.elapsed();
        match outcome {
            Ok(response) => {
                let delivered = Delivered {
                    status: u16::from(response.code()),
                    detail: response.message().collect::<Vec<_>>().join(" "),
                    elapsed,
                };
                tracing::debug!(
                    recipients = to.len(),
                    status = delivered.status,
                    elapsed_ms = elapsed.as_millis(),
                    "e-mail delivered"
                );
                Ok(delivered)
            }
            Err(error) => {
                let error = smtp_error(&error);
                tracing::info!(
                    recipients = to.len(),
                    retryable = error.retryable,
                    error = %error,
                    "e-mail delivery failed"
                );
                Err(error)
            }
        }
    }
}

/// TLS parameters checking the server's certificate for `host` against the system's trust store.
fn tls_parameters(host: &str) -> Result<TlsParameters, ConfigError> {
    TlsParameters::new(host.to_owned()).map_err(ConfigError::Tls)
}

/// `user` or `pass` from the URL, percent-decoded; empty means absent.
fn decode_userinfo(raw: &str) -> Result<Option<String>, ConfigError> {
    let decoded = percent_decode_str(raw)
        .decode_utf8()
        .map_err(|_| ConfigError::InvalidUrl("user name or password is not UTF-8".to_owned()))?;
    Ok((!decoded.is_empty()).then(|| decoded.into_owned()))
}

/// SMTP 4xx replies and transport trouble are worth another attempt; 5xx replies and client-side
/// faults (no usable AUTH mechanism, STARTTLS required but not offered) are not.
fn smtp_error(error: &lettre::transport::smtp::Error) -> DeliveryError {
    let status = error.status().map(u16::from);
    let message = format!("SMTP: {error}");
    if error.is_permanent() || error.is_client() {
        DeliveryError::permanent(status, message)
    } else {
        DeliveryError::retryable(status, message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_give_security_default_ports_and_decoded_credentials() {
        let config: SmtpConfig = "smtp+starttls://ops%40example.org:p%40ss%3Aw0rd@mail.example.org?from=Clearinghouse%20%3Cnoreply%40example.org%3E"
            .parse()
            .unwrap();
        assert_eq!(
            config,
            SmtpConfig {
                host: "mail.example.org".to_owned(),
                port: 587,
                security: SmtpSecurity::StartTls,
                username: Some("ops@example.org".to_owned()),
                password: Some("p@ss:w0rd".to_owned()),
                from: "Clearinghouse <noreply@example.org>".to_owned(),
            }
        );
        let smtps = SmtpConfig::from_url("smtps://mail.example.org?from=a@example.org").unwrap();
        assert_eq!((smtps.security, smtps.port), (SmtpSecurity::Tls, 465));
        let plain = SmtpConfig::from_url("smtp://127.0.0.1:2525?from=a@example.org").unwrap();
        assert_eq!(
            (plain.security, plain.port, plain.username),
            (SmtpSecurity::None, 2525, None)
        );
        let v6 = SmtpConfig::from_url("smtp://[::1]:25?from=a@example.org").unwrap();
        assert_eq!(v6.host, "::1");
    }

    #[test]
    fn bad_urls_are_refused_without_echoing_the_password() {
        for (url, expected) in [
            (
                "http://h?from=a@b.org",
                "unsupported SMTP URL scheme \"http\"",
            ),
            ("smtp://h", "no sender address"),
            ("smtp://h?from=", "no sender address"),
            ("smtp://u@h?from=a@b.org", "must be given together"),
            (
                "smtp://h?from=a@b.org&tls=required",
                "unknown parameter \"tls\"",
            ),
            ("smtp://u:secret@h:99999?from=a@b.org", "invalid SMTP URL"),
            ("smtp://?from=a@b.org", "no host"),
        ] {
            let error = SmtpConfig::from_url(url).unwrap_err().to_string();
            assert!(error.contains(expected), "{url}: {error}");
            assert!(!error.contains("secret"), "{url}: {error}");
        }
    }

    #[test]
    fn debug_hides_the_password() {
        let config = SmtpConfig::from_url("smtp://u:hunter2@h?from=a@b.org").unwrap();
        let shown = format!("{config:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("<redacted>"), "{shown}");
    }

    #[test]
    fn mailers_build_for_every_security_and_check_the_sender() {
        for security in [
            SmtpSecurity::None,
            SmtpSecurity::StartTls,
            SmtpSecurity::Tls,
        ] {
            let config = SmtpConfig {
                host: "mail.example.org".to_owned(),
                port: 25,
                security,
                username: None,
                password: None,
                from: "Clearinghouse <noreply@example.org>".to_owned(),
            };
            Mailer::new(&config).unwrap();
            let bad = SmtpConfig {
                from: "not an address".to_owned(),
                ..config
            };
            assert!(matches!(
                Mailer::new(&bad),
                Err(ConfigError::InvalidFrom(_))
            ));
        }
    }
}
