//! Test support: every storage-touching test runs once per configured engine, each run on a fresh
//! database of its own.
//!
//! SQLite always runs (a temporary file). PostgreSQL runs when `CLEARINGHOUSE_TEST_POSTGRES` holds
//! an administrative URL (for example `postgres://postgres@127.0.0.1:5432/postgres`); each test
//! creates a database `ch_test_<random>` there and drops it afterwards. Under `CI=true` a missing
//! PostgreSQL is a failure, never a silent skip.

pub mod receivers;

use std::path::PathBuf;

use tempfile::TempDir;

/// The environment variable naming the PostgreSQL server for tests.
pub const POSTGRES_ENV: &str = "CLEARINGHOUSE_TEST_POSTGRES";

/// A fresh database on one engine, removed when dropped.
pub struct TestDb {
    /// `sqlite` or `postgres`.
    pub engine: &'static str,
    /// What `clearinghouse_store::open` and `--database` take.
    pub location: String,
    /// A scratch directory for the data directory and key files.
    pub dir: TempDir,
    postgres: Option<(String, String)>,
}

impl TestDb {
    /// The data directory to use with this database.
    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().to_path_buf()
    }

    /// For PostgreSQL, the URL to pass as `--database`; `None` for SQLite (use the data dir).
    pub fn database_url(&self) -> Option<&str> {
        self.postgres.as_ref().map(|_| self.location.as_str())
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin_url, name)) = self.postgres.take() {
            // Drop runs outside any runtime, or inside one we must not block: use a thread of its own.
            let _ = std::thread::spawn(move || {
                let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                else {
                    return;
                };
                runtime.block_on(async {
                    use sqlx::Connection as _;
                    if let Ok(mut conn) = sqlx::PgConnection::connect(&admin_url).await {
                        let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                        let _ = sqlx::query(sqlx::AssertSqlSafe(sql))
                            .execute(&mut conn)
                            .await;
                    }
                });
            })
            .join();
        }
    }
}

/// One fresh database per configured engine: SQLite always, PostgreSQL when configured.
pub async fn databases() -> Vec<TestDb> {
    let mut dbs = vec![sqlite()];
    match std::env::var(POSTGRES_ENV) {
        Ok(admin_url) if !admin_url.is_empty() => dbs.push(postgres(&admin_url).await),
        _ if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!(
                "CI=true but {POSTGRES_ENV} is not set: the PostgreSQL half of the suite would be skipped"
            )
        }
        _ => eprintln!("note: {POSTGRES_ENV} not set; running on SQLite only"),
    }
    dbs
}

/// A fresh SQLite database in a temporary directory.
pub fn sqlite() -> TestDb {
    let dir =
        tempfile::tempdir().unwrap_or_else(|e| panic!("cannot create a temporary directory: {e}"));
    let location = dir
        .path()
        .join("clearinghouse.sqlite3")
        .display()
        .to_string();
    TestDb {
        engine: "sqlite",
        location,
        dir,
        postgres: None,
    }
}

/// A fresh PostgreSQL database on the server at `admin_url`.
pub async fn postgres(admin_url: &str) -> TestDb {
    use sqlx::Connection as _;
    let name = format!("ch_test_{}", uuid::Uuid::new_v4().simple());
    let mut conn = sqlx::PgConnection::connect(admin_url)
        .await
        .unwrap_or_else(|e| panic!("cannot connect to PostgreSQL at {admin_url}: {e}"));
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .unwrap_or_else(|e| panic!("cannot create database {name}: {e}"));
    let base = admin_url
        .rsplit_once('/')
        .map_or(admin_url, |(base, _)| base);
    let location = format!("{base}/{name}");
    let dir =
        tempfile::tempdir().unwrap_or_else(|e| panic!("cannot create a temporary directory: {e}"));
    TestDb {
        engine: "postgres",
        location,
        dir,
        postgres: Some((admin_url.to_owned(), name)),
    }
}

/// Where the shared public test data lives: `$CLEARINGHOUSE_SHARED_DATA`, else `../shared/data`
/// next to the workspace. `None` (after saying so) when absent, unless `CI=true`.
pub fn shared_data(test: &str) -> Option<PathBuf> {
    let path = std::env::var_os("CLEARINGHOUSE_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"));
    if path.is_dir() {
        return Some(path);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!(
            "{test}: CI=true but shared data is missing at {}",
            path.display()
        );
    }
    eprintln!(
        "skipped: {test}: shared data not found at {}",
        path.display()
    );
    None
}
