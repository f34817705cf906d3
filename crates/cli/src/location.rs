//! Where the data lives: a data directory (SQLite database and key files) and optionally a
//! PostgreSQL URL that replaces the SQLite file. Shared by `serve`, `admin` and `import`.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context as _;
use clearinghouse_app::keys::{DEFAULT_LOG_ORIGIN, KeyPaths};
use clearinghouse_app::{App, KeyRing};

/// Options naming the data.
#[derive(Debug, Clone, clap::Args)]
pub struct DataArgs {
    /// Directory for the embedded SQLite database and the key files (created if missing).
    #[arg(
        long,
        env = "CLEARINGHOUSE_DATA_DIR",
        default_value = "./clearinghouse-data",
        value_name = "DIR"
    )]
    pub data_dir: PathBuf,
    /// Use this PostgreSQL database instead of SQLite (postgres://user@host/db). Key files still
    /// live in the data directory, or where --log-key, --digest-key and --attachment-key say.
    #[arg(long, env = "CLEARINGHOUSE_DATABASE_URL", value_name = "URL")]
    pub database: Option<String>,
    /// The log's Ed25519 signing key file (C2SP note signer key); created at first start.
    #[arg(long, env = "CLEARINGHOUSE_LOG_KEY", value_name = "PATH")]
    pub log_key: Option<PathBuf>,
    /// The key for keyed digests of secrets in the log; created at first start.
    #[arg(long, env = "CLEARINGHOUSE_DIGEST_KEY", value_name = "PATH")]
    pub digest_key: Option<PathBuf>,
    /// The XChaCha20-Poly1305 key that encrypts attachments (proofs of concept) at rest; created at
    /// first start. Servers sharing a database must share this file; without it no attachment opens.
    #[arg(long, env = "CLEARINGHOUSE_ATTACHMENT_KEY", value_name = "PATH")]
    pub attachment_key: Option<PathBuf>,
    /// The log's name: the origin line of its checkpoints and the name of its key (used only
    /// when the key is created).
    #[arg(long, env = "CLEARINGHOUSE_LOG_ORIGIN", default_value = DEFAULT_LOG_ORIGIN, value_name = "NAME")]
    pub log_origin: String,
}

impl DataArgs {
    /// The store location: the PostgreSQL URL or the SQLite file path.
    pub fn store_location(&self) -> String {
        match &self.database {
            Some(url) => url.clone(),
            None => self
                .data_dir
                .join("clearinghouse.sqlite3")
                .display()
                .to_string(),
        }
    }

    /// A description for people (never prints a password inside a URL).
    pub fn describe(&self) -> String {
        match &self.database {
            Some(url) => format!("PostgreSQL {}", redact(url)),
            None => format!(
                "SQLite {}",
                self.data_dir.join("clearinghouse.sqlite3").display()
            ),
        }
    }

    /// Opens the store and keys and builds the services.
    pub async fn open(&self) -> anyhow::Result<App> {
        std::fs::create_dir_all(&self.data_dir).with_context(|| {
            format!(
                "cannot create the data directory {}",
                self.data_dir.display()
            )
        })?;
        let store = clearinghouse_store::open(&self.store_location())
            .await
            .with_context(|| format!("cannot open {}", self.describe()))?;
        let mut paths = KeyPaths::in_dir(&self.data_dir);
        if let Some(path) = &self.log_key {
            paths.log_key = path.clone();
        }
        if let Some(path) = &self.digest_key {
            paths.digest_key = path.clone();
        }
        if let Some(path) = &self.attachment_key {
            paths.attachment_key = path.clone();
        }
        let keys = KeyRing::load_or_create(&paths, &self.log_origin)?;
        let app = App::new(store, Arc::new(keys));
        app.check_log_key().await?;
        Ok(app)
    }

    /// The engine's name.
    pub fn engine(&self) -> &'static str {
        if self.database.is_some() {
            "postgres"
        } else {
            "sqlite"
        }
    }
}

/// Hides the password in a database URL.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..scheme_end + 3], user, &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            super::redact("postgres://ch:secret@db/ch"),
            "postgres://ch:***@db/ch"
        );
        assert_eq!(super::redact("postgres://ch@db/ch"), "postgres://ch@db/ch");
    }
}
