//! Services: the business rules of the clearinghouse, above storage and below HTTP.
//!
//! # Layout
//! - `error`: the one error type services return; the server maps it to problem+json once.
//! - `keys`: the log's signing key and the digest key, kept in the data directory, never in the
//!   database.
//! - `secrets`: generation and hashing of tokens, session secrets and passwords.
//! - `participants`: organizations, people, memberships, API tokens.
//! - `auth`: turning a bearer token, a session cookie or a sign-in link into an `Actor`.
//! - `log`: checkpoints, entries and proofs of the tamper-evident log.
//! - `knowledge`: importing source documents into the knowledge base, and reading it.
//! - `matching`: inventories against the knowledge base, both ways, through the package index.
//! - `inventory`: assets, uploads, what to fix first (SSVC deployer), aggregate exposure.
//! - `campaigns`: network ranges, scan authorizations, blackouts, campaigns, overlaps, campaign
//!   tokens and the authorization check.
//! - `notify`: subscriptions, the outbox dispatcher and the delivery worker.
//! - `coordination`: findings, deduplication (`dedup`), cases, validation, prioritization,
//!   embargo and TLP, vendor coordination; attachments sealed by `sealing`.
//! - `vex`: operators' own VEX statements (CSAF or CycloneDX, also embedded in SBOMs).
//! - `bootstrap`: the first administrator and the `--demo` world.
//!
//! Every public service method takes the acting `Actor` and asks `authz::authorize` before it reads
//! or writes; the server adds no checks of its own.

pub mod auth;
pub mod bootstrap;
pub mod campaigns;
pub mod coordination;
pub mod dedup;
pub mod error;
pub mod inventory;
pub mod keys;
pub mod knowledge;
pub mod log;
pub mod matching;
pub mod notify;
pub mod participants;
pub mod sealing;
pub mod secrets;
pub mod vex;

use std::sync::Arc;

use clearinghouse_store::Store;

pub use error::{Error, Result};
pub use keys::KeyRing;

/// Everything a request needs: storage and keys. Cheap to clone.
#[derive(Clone)]
pub struct App {
    store: Arc<dyn Store>,
    keys: Arc<KeyRing>,
    tokens: Arc<auth::TokenCache>,
    coordination: coordination::CoordinationPolicy,
    /// Where webhooks may go: public addresses only unless the server was started with
    /// `--allow-private-webhooks`.
    webhook_destinations: clearinghouse_notify::DestinationPolicy,
}

impl App {
    /// Builds the services over a store and the keys.
    pub fn new(store: Arc<dyn Store>, keys: Arc<KeyRing>) -> Self {
        Self {
            store,
            keys,
            tokens: Arc::new(auth::TokenCache::default()),
            coordination: coordination::CoordinationPolicy::default(),
            webhook_destinations: clearinghouse_notify::DestinationPolicy::default(),
        }
    }

    /// The same services with another coordination policy (validation quorum).
    pub fn with_coordination_policy(mut self, policy: coordination::CoordinationPolicy) -> Self {
        self.coordination = policy;
        self
    }

    /// Lets webhooks reach loopback and private addresses (tests with loopback receivers, a
    /// deployment that delivers inside its own network). Off by default: a subscriber could
    /// otherwise make the server send requests into its internal network.
    pub fn with_private_webhooks(mut self, allow: bool) -> Self {
        self.webhook_destinations.allow_private = allow;
        self
    }

    /// Where webhooks may go.
    pub fn webhook_destinations(&self) -> clearinghouse_notify::DestinationPolicy {
        self.webhook_destinations
    }

    /// The store, for the few callers (the admin CLI, tests) that work below the services.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// The keys.
    pub fn keys(&self) -> &KeyRing {
        &self.keys
    }
}
