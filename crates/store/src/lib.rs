//! Storage behind one trait, with an embedded SQLite implementation (the default: one command runs
//! everything on a laptop) and a PostgreSQL one (several server processes share it).
//!
//! # Layout
//! - `Store`: the trait, with methods named in domain terms; services hold `Arc<dyn Store>`.
//! - `knowledge`, `inventory`, `vex`: the knowledge base; inventories, matches and the
//!   notification outbox; operators' own VEX (each a trait `Store` requires, with its SQL stamped
//!   out per engine like `shared`).
//! - `coordination`: findings, cases, validations, vendor statuses, comments, encrypted
//!   attachments and merge proposals (another trait `Store` requires).
//! - `campaigns`: operators' network ranges, scan authorizations, blackouts, campaigns and their
//!   overlaps (a trait `Store` requires; decisions commit only on the generation they were made at).
//! - `casework`: the reads of the coordination pages (filtered queue, counts, an organization's
//!   findings); one more trait `Store` requires.
//! - `rows`: row structs shared by both engines (both store the same column types) and their
//!   conversion into domain types.
//! - `shared`: the SQL both engines run identically, stamped out for each engine.
//! - `sqlite`, `postgres`: opening, pragmas, migrations, and what differs (locking the log head).
//!
//! Every state-changing method takes an [`AuditRecord`] and appends it to the tamper-evident log in
//! the same transaction as the change: a change is never committed without its log entry, and a log
//! entry never describes a change that did not happen.

pub mod campaigns;
pub mod casework;
pub mod coordination;
pub mod inventory;
pub mod knowledge;
pub mod postgres;
mod rows;
mod shared;
pub mod sqlite;
pub mod vex;

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use clearinghouse_domain::audit::AuditRecord;
use clearinghouse_domain::authz::Scope;
use clearinghouse_domain::page::{Page, PageRequest};
use clearinghouse_domain::{
    Membership, OrgId, Organization, Person, PersonId, Role, TokenId, TokenInfo,
};
use clearinghouse_tlog::{Hash, NodeId};
use jiff::Timestamp;

pub use campaigns::{AuthorizationParty, CampaignStore};
pub use casework::{CaseworkStore, QueueFilter};
pub use coordination::{
    CaseChange, CaseEvent, CaseFilter, CaseWrite, CoordinationStore, DedupCandidate,
    IdempotencyRecord, NewFindingRow, ProductExposure, QueueCursor,
};
pub use inventory::{
    AttemptOutcome, ExposureRow, InventoryStore, MatchOutcome, MatchScope, NewDelivery,
};
pub use knowledge::{
    AdvisorySummary, EpssImport, KbStats, KnowledgeStore, NewAdvisory, PackageRow, PendingAdvisory,
    UpsertOutcome, VexRow, VulnerabilityRecord,
};
pub use postgres::PgStore;
pub use sqlite::SqliteStore;
pub use vex::{NewVexStatement, OperatorVex, VexStore};

/// Storage errors that callers branch on.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A uniqueness rule was broken (for example an organization name already taken).
    #[error("{0} already exists")]
    Conflict(String),
    /// A referenced object does not exist.
    #[error("{0} not found")]
    NotFound(String),
    /// An object changed between reading it and writing it back; nothing was written.
    #[error("{0} changed meanwhile")]
    Stale(String),
    /// The database was migrated by a newer Clearinghouse than this one.
    #[error(
        "the database schema is at version {found}, newer than the newest this build knows ({known}); \
         run the Clearinghouse release that migrated it, or a newer one"
    )]
    SchemaTooNew {
        /// The newest migration applied to the database.
        found: i64,
        /// The newest migration this build carries.
        known: i64,
    },
    /// A stored value could not be read back (never written by us, or tampered with).
    #[error("corrupt stored data: {0}")]
    Corrupt(String),
    /// Applying migrations failed.
    #[error("migration failed: {0}")]
    Migrate(#[source] sqlx::migrate::MigrateError),
    /// The database failed.
    #[error("database error: {0}")]
    Backend(#[source] sqlx::Error),
}

impl From<sqlx::Error> for Error {
    fn from(err: sqlx::Error) -> Self {
        match &err {
            sqlx::Error::Database(db) if db.is_unique_violation() => Error::Conflict(
                db.table()
                    .map_or_else(|| "record".to_owned(), str::to_owned),
            ),
            _ => Error::Backend(err),
        }
    }
}

/// Shorthand for storage results.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Which engine a store runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    /// Embedded SQLite.
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

/// Where the log entry of a write landed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Appended {
    /// The entry's index.
    pub index: u64,
}

/// A browser session, found by the hash of its cookie secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionRecord {
    /// Whose session it is.
    pub person_id: PersonId,
    /// The synchronizer token every state-changing form must echo.
    pub csrf_token: String,
    /// When it was created.
    pub created_at: Timestamp,
    /// When it stops working.
    pub expires_at: Timestamp,
}

/// A log entry as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogEntry {
    /// Its position.
    pub index: u64,
    /// The exact bytes that were hashed into the leaf.
    pub leaf: Vec<u8>,
}

/// A new API token, with the digest of its secret.
#[derive(Clone, Debug)]
pub struct NewToken {
    /// What is public about it.
    pub info: TokenInfo,
    /// SHA-256 of the secret.
    pub secret_hash: [u8; 32],
}

/// Everything the clearinghouse keeps, in domain terms. Implemented once per engine; both run the
/// same conformance suite.
#[async_trait]
pub trait Store:
    KnowledgeStore
    + InventoryStore
    + VexStore
    + CampaignStore
    + CoordinationStore
    + CaseworkStore
    + Send
    + Sync
    + 'static
{
    /// The engine behind this store.
    fn engine(&self) -> Engine;

    /// How many people exist; zero means first start, when the server bootstraps an administrator.
    async fn count_people(&self) -> Result<u64>;

    // Organizations.

    /// Creates an organization.
    async fn create_org(&self, org: &Organization, audit: &AuditRecord) -> Result<Appended>;
    /// Reads one organization.
    async fn org(&self, id: OrgId) -> Result<Option<Organization>>;
    /// Finds an organization by name, ignoring case.
    async fn org_by_name(&self, name: &str) -> Result<Option<Organization>>;
    /// Lists organizations in creation order, limited to a scope.
    async fn list_orgs(&self, scope: &Scope, page: &PageRequest) -> Result<Page<Organization>>;

    // People and memberships.

    /// Creates a person with their first memberships and, optionally, a password hash.
    async fn create_person(
        &self,
        person: &Person,
        password_hash: Option<&str>,
        memberships: &[Membership],
        audit: &AuditRecord,
    ) -> Result<Appended>;
    /// Reads one person.
    async fn person(&self, id: PersonId) -> Result<Option<Person>>;
    /// Finds a person by e-mail with their password hash, for sign-in.
    async fn person_credentials(&self, email: &str) -> Result<Option<(Person, Option<String>)>>;
    /// Lists people who are members of an organization in scope.
    async fn list_people(&self, scope: &Scope, page: &PageRequest) -> Result<Page<Person>>;
    /// Sets a person's password hash.
    async fn set_password(
        &self,
        id: PersonId,
        password_hash: &str,
        audit: &AuditRecord,
    ) -> Result<Appended>;
    /// Gives a person a role in an organization (idempotent).
    async fn grant_membership(
        &self,
        membership: &Membership,
        audit: &AuditRecord,
    ) -> Result<Appended>;
    /// A person's memberships.
    async fn memberships_of(&self, person: PersonId) -> Result<Vec<Membership>>;
    /// An organization's members and their roles.
    async fn members_of(&self, org: OrgId) -> Result<Vec<(Person, Role)>>;

    // API tokens.

    /// Stores a new token.
    async fn create_token(&self, token: &NewToken, audit: &AuditRecord) -> Result<Appended>;
    /// Finds a token by the hash of its secret (authentication).
    async fn token_by_secret_hash(&self, secret_hash: &[u8; 32]) -> Result<Option<TokenInfo>>;
    /// Reads one token.
    async fn token(&self, id: TokenId) -> Result<Option<TokenInfo>>;
    /// Lists an organization's tokens, optionally only those created by one person.
    async fn list_tokens(
        &self,
        org: OrgId,
        owner: Option<PersonId>,
        page: &PageRequest,
    ) -> Result<Page<TokenInfo>>;
    /// Revokes a token; false when it was already revoked.
    async fn revoke_token(
        &self,
        id: TokenId,
        at: Timestamp,
        audit: &AuditRecord,
    ) -> Result<Option<Appended>>;

    // Browser sessions and one-time sign-in links.

    /// Stores a session.
    async fn create_session(
        &self,
        secret_hash: &[u8; 32],
        session: &SessionRecord,
        audit: &AuditRecord,
    ) -> Result<Appended>;
    /// Finds a live session.
    async fn session(
        &self,
        secret_hash: &[u8; 32],
        now: Timestamp,
    ) -> Result<Option<SessionRecord>>;
    /// Ends a session.
    async fn delete_session(
        &self,
        secret_hash: &[u8; 32],
        audit: &AuditRecord,
    ) -> Result<Option<Appended>>;
    /// Stores a one-time sign-in link.
    async fn create_signin_link(
        &self,
        secret_hash: &[u8; 32],
        person: PersonId,
        expires_at: Timestamp,
        audit: &AuditRecord,
    ) -> Result<Appended>;
    /// Uses a sign-in link once: returns its person if it was unused and unexpired, and marks it used.
    async fn consume_signin_link(
        &self,
        secret_hash: &[u8; 32],
        now: Timestamp,
    ) -> Result<Option<PersonId>>;

    // The tamper-evident log.

    /// Appends a record that accompanies no other change (for example a read of exploit material).
    async fn append_log(&self, audit: &AuditRecord) -> Result<Appended>;
    /// The number of entries.
    async fn log_size(&self) -> Result<u64>;
    /// One entry.
    async fn log_entry(&self, index: u64) -> Result<Option<LogEntry>>;
    /// Entries with index in `[from, from + limit)`.
    async fn log_entries(&self, from: u64, limit: u32) -> Result<Vec<LogEntry>>;
    /// Binds the database to a log verifier key the first time, and returns the key it is bound to,
    /// so a server started with the wrong key file is caught before it signs anything.
    async fn bind_log_key(&self, verifier_key: &str) -> Result<String>;
    /// Hashes of completed perfect subtrees; ids not (yet) stored are absent from the map.
    async fn log_nodes(&self, ids: &[NodeId]) -> Result<HashMap<NodeId, Hash>>;
}

/// Opens the store a location names: `postgres://…` or `postgresql://…` for PostgreSQL, anything
/// else is a path to a SQLite database file. Migrations are applied; a schema newer than this build
/// is refused.
pub async fn open(location: &str) -> Result<Arc<dyn Store>> {
    if location.starts_with("postgres://") || location.starts_with("postgresql://") {
        Ok(Arc::new(PgStore::connect(location).await?))
    } else {
        Ok(Arc::new(
            SqliteStore::open(std::path::Path::new(location)).await?,
        ))
    }
}

/// Encodes a node id as one integer key: level in the top 8 bits, index below. Indices stay below
/// 2^56 (72 quadrillion entries), far beyond any log we will keep.
fn node_key(id: NodeId) -> i64 {
    ((id.level as i64) << 56) | id.index as i64
}

fn node_from_key(key: i64) -> NodeId {
    NodeId {
        level: (key >> 56) as u8,
        index: (key & ((1 << 56) - 1)) as u64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_keys_round_trip() {
        for (level, index) in [(0u8, 0u64), (0, 12345), (20, 7), (55, (1 << 50) + 3)] {
            let id = NodeId { level, index };
            assert_eq!(node_from_key(node_key(id)), id);
        }
    }
}
