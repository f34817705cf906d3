//! What every handler shares: the services, the server's configuration, the rate limiter and the
//! metrics registry.

use std::num::NonZeroU32;
use std::sync::Arc;

use clearinghouse_app::App;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::error::ApiError;
use crate::metrics::Metrics;

/// How the server behaves, independent of storage.
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// Requests per second each token (or signed-in person) may make, sustained.
    pub rate_per_second: NonZeroU32,
    /// Requests a token may make in a burst above the sustained rate.
    pub rate_burst: NonZeroU32,
    /// The largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Whether the session cookie carries `Secure` (set when served over HTTPS).
    pub secure_cookies: bool,
    /// The engine's name, for `/healthz`.
    pub engine: &'static str,
    /// Let webhooks reach loopback and private addresses (`--allow-private-webhooks`); applied to
    /// the services by [`AppState::new`].
    pub allow_private_webhooks: bool,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            rate_per_second: NonZeroU32::new(50).unwrap_or(NonZeroU32::MIN),
            rate_burst: NonZeroU32::new(200).unwrap_or(NonZeroU32::MIN),
            max_body_bytes: 1024 * 1024,
            secure_cookies: false,
            engine: "sqlite",
            allow_private_webhooks: false,
        }
    }
}

/// Shared by every handler. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// The services.
    pub app: App,
    /// The configuration.
    pub config: Arc<ServerConfig>,
    limiter: Arc<DefaultKeyedRateLimiter<String>>,
    /// Request counters and latencies.
    pub metrics: Arc<Metrics>,
}

impl AppState {
    /// Builds the state; the services get the configuration's webhook destination policy.
    pub fn new(app: App, config: ServerConfig) -> Self {
        let quota = Quota::per_second(config.rate_per_second).allow_burst(config.rate_burst);
        Self {
            app: app.with_private_webhooks(config.allow_private_webhooks),
            config: Arc::new(config),
            limiter: Arc::new(RateLimiter::keyed(quota)),
            metrics: Arc::new(Metrics::default()),
        }
    }

    /// Counts a request against a caller's quota.
    pub fn check_rate(&self, key: &str) -> Result<(), ApiError> {
        match self.limiter.check_key(&key.to_owned()) {
            Ok(()) => Ok(()),
            Err(not_until) => {
                let wait = not_until.wait_time_from(DefaultClock::default().now());
                self.metrics.count_rate_limited();
                Err(ApiError::rate_limited(wait.as_secs_f64().ceil() as u64))
            }
        }
    }

    /// Forgets callers idle long enough to have their full burst back, bounding memory.
    pub fn prune_rate_limiter(&self) {
        self.limiter.retain_recent();
    }
}
