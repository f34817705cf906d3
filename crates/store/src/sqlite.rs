//! The embedded SQLite store: one file in the data directory, WAL mode, `synchronous = FULL` so an
//! acknowledged write survives a crash or power loss.
//!
//! All writes go through a single connection: SQLite allows one writer at a time anyway, and a
//! single writer connection turns lock contention inside this process into a queue. Reads use a
//! separate pool and never wait for writers (WAL). Other processes (for example `clearinghouse
//! admin` while a server runs) take SQLite's write lock with `BEGIN IMMEDIATE` and wait up to the
//! busy timeout.

use std::path::Path;
use std::str::FromStr;
use std::sync::Mutex;
use std::time::Duration;

use clearinghouse_tlog::Frontier;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Sqlite, Transaction};

use crate::{Engine, Error, Result};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// A store in an embedded SQLite database file.
pub struct SqliteStore {
    writer: SqlitePool,
    readers: SqlitePool,
    /// The log's right edge after the last commit made through this store; checked against the
    /// stored tree size before each use, so writes by other processes are never missed.
    pub(crate) frontier: Mutex<Option<Frontier>>,
}

impl SqliteStore {
    const ENGINE: Engine = Engine::Sqlite;
    const LOCK_LOG_HEAD: &'static str = "SELECT size FROM log_head WHERE id = 1";

    /// Opens (creating if missing) the database file and applies migrations.
    pub async fn open(path: &Path) -> Result<Self> {
        let options = SqliteConnectOptions::from_str("sqlite:")?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(30))
            .pragma("cache_size", "-16000");
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(60))
            .connect_with(options.clone())
            .await?;
        refuse_newer_schema(&writer).await?;
        MIGRATOR.run(&writer).await.map_err(Error::Migrate)?;
        let readers = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options.read_only(true))
            .await?;
        Ok(Self {
            writer,
            readers,
            frontier: Mutex::new(None),
        })
    }

    fn reader(&self) -> &SqlitePool {
        &self.readers
    }

    async fn begin_write(&self) -> Result<Transaction<'static, Sqlite>> {
        Ok(self.writer.begin_with("BEGIN IMMEDIATE").await?)
    }

    /// The newest migration version this build carries.
    pub fn newest_known_migration() -> i64 {
        MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0)
    }
}

async fn refuse_newer_schema(pool: &SqlitePool) -> Result<()> {
    let exists: Option<(String,)> = sqlx::query_as(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
    )
    .fetch_optional(pool)
    .await?;
    if exists.is_none() {
        return Ok(());
    }
    let (found,): (Option<i64>,) = sqlx::query_as("SELECT MAX(version) FROM _sqlx_migrations")
        .fetch_one(pool)
        .await?;
    let known = SqliteStore::newest_known_migration();
    match found {
        Some(found) if found > known => Err(Error::SchemaTooNew { found, known }),
        _ => Ok(()),
    }
}

crate::shared::impl_store!(SqliteStore, Sqlite);
crate::knowledge::impl_knowledge!(SqliteStore, Sqlite);
crate::inventory::impl_inventory!(SqliteStore, Sqlite);
crate::coordination::impl_coordination!(SqliteStore, Sqlite);
crate::campaigns::impl_campaigns!(SqliteStore, Sqlite);
crate::casework::impl_casework!(SqliteStore, Sqlite);
crate::vex::impl_vex!(SqliteStore, Sqlite);
