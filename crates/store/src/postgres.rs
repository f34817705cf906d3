//! The PostgreSQL store, for agency-scale deployments where several server processes share one
//! database. Log appends from all processes are serialized by a row lock on the log head
//! (`SELECT … FOR UPDATE`), which every appender takes inside its write transaction.

use std::sync::Mutex;
use std::time::Duration;

use clearinghouse_tlog::Frontier;
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::{Postgres, Transaction};

use crate::{Engine, Error, Result};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// A store in a PostgreSQL database.
pub struct PgStore {
    pool: PgPool,
    /// The log's right edge after the last commit made through this process; checked against the
    /// stored tree size before each use, so appends by other processes are never missed.
    pub(crate) frontier: Mutex<Option<Frontier>>,
}

impl PgStore {
    const ENGINE: Engine = Engine::Postgres;
    const LOCK_LOG_HEAD: &'static str = "SELECT size FROM log_head WHERE id = 1 FOR UPDATE";

    /// Connects and applies migrations (PostgreSQL migrations take an advisory lock, so several
    /// servers starting at once migrate once).
    pub async fn connect(url: &str) -> Result<Self> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(30))
            .connect(url)
            .await?;
        refuse_newer_schema(&pool).await?;
        MIGRATOR.run(&pool).await.map_err(Error::Migrate)?;
        Ok(Self {
            pool,
            frontier: Mutex::new(None),
        })
    }

    fn reader(&self) -> &PgPool {
        &self.pool
    }

    async fn begin_write(&self) -> Result<Transaction<'static, Postgres>> {
        Ok(self.pool.begin().await?)
    }

    /// The newest migration version this build carries.
    pub fn newest_known_migration() -> i64 {
        MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0)
    }
}

async fn refuse_newer_schema(pool: &PgPool) -> Result<()> {
    let (exists,): (bool,) = sqlx::query_as("SELECT to_regclass('_sqlx_migrations') IS NOT NULL")
        .fetch_one(pool)
        .await?;
    if !exists {
        return Ok(());
    }
    let (found,): (Option<i64>,) = sqlx::query_as("SELECT MAX(version) FROM _sqlx_migrations")
        .fetch_one(pool)
        .await?;
    let known = PgStore::newest_known_migration();
    match found {
        Some(found) if found > known => Err(Error::SchemaTooNew { found, known }),
        _ => Ok(()),
    }
}

crate::shared::impl_store!(PgStore, Postgres);
crate::knowledge::impl_knowledge!(PgStore, Postgres);
crate::inventory::impl_inventory!(PgStore, Postgres);
crate::coordination::impl_coordination!(PgStore, Postgres);
crate::campaigns::impl_campaigns!(PgStore, Postgres);
crate::casework::impl_casework!(PgStore, Postgres);
crate::vex::impl_vex!(PgStore, Postgres);
