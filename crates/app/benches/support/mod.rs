//! What the app benches share: a deterministic generator, percentiles, the machine's description
//! and PostgreSQL scratch databases. Each bench binary includes it with `mod support;`.

#![allow(dead_code)] // each bench uses its own subset

use std::future::Future;
use std::path::{Path, PathBuf};
use std::time::Duration;

use sqlx::Connection;

pub type BenchResult<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// A tiny deterministic generator, so every run builds the same population.
pub struct XorShift(u64);

impl XorShift {
    pub fn new(seed: u64) -> Self {
        // Never zero, and decorrelated from neighbouring seeds.
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound
    }

    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

pub fn percentile(sorted: &[Duration], pct: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((pct / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

pub fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

pub async fn create_pg_database(admin_url: &str, db: &str) -> BenchResult<String> {
    let mut conn = sqlx::PgConnection::connect(admin_url).await?;
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {db}")))
        .execute(&mut conn)
        .await?;
    conn.close().await?;
    let base = admin_url
        .rsplit_once('/')
        .map(|(base, _)| base)
        .ok_or_else(|| format!("cannot find the database name in {admin_url:?}"))?;
    Ok(format!("{base}/{db}"))
}

pub async fn drop_pg_database(admin_url: &str, db: &str) -> BenchResult<()> {
    let mut conn = sqlx::PgConnection::connect(admin_url).await?;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {db} WITH (FORCE)"
    )))
    .execute(&mut conn)
    .await?;
    conn.close().await?;
    Ok(())
}

pub fn sqlite_size(dir: &Path) -> String {
    let total: u64 = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok()?.metadata().ok())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0);
    format!("{:.0} MiB (with WAL)", total as f64 / (1024.0 * 1024.0))
}

pub fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|text| {
            text.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into())
}

pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

/// Prints the bench's first lines (name, machine, load, options) and returns a run id for
/// scratch database names.
pub fn banner(title: &str, options: &dyn std::fmt::Debug) -> String {
    let run_id = format!(
        "{:08x}",
        std::process::id() ^ (jiff::Timestamp::now().as_second() as u32)
    );
    println!("{title} (run {run_id})");
    println!(
        "machine: {} cores, {}; load average at start: {}",
        std::thread::available_parallelism().map_or(1, usize::from),
        cpu_model(),
        load_average()
    );
    println!("options: {options:?}");
    run_id
}

/// Runs `run` on a new SQLite file (in `dir`, else a temporary directory) and on a scratch
/// PostgreSQL database when `CLEARINGHOUSE_BENCH_POSTGRES` names a server (saying so when it does
/// not), dropping the database afterwards even when the run failed.
pub async fn for_each_engine<R, F, Fut>(
    sqlite: bool,
    postgres: bool,
    dir: Option<&PathBuf>,
    run_id: &str,
    mut run: F,
) -> BenchResult<Vec<R>>
where
    F: FnMut(&'static str, String) -> Fut,
    Fut: Future<Output = BenchResult<R>>,
{
    let mut reports = Vec::new();
    if sqlite {
        let dir = match dir {
            Some(dir) => tempfile::tempdir_in(dir)?,
            None => tempfile::tempdir()?,
        };
        let location = dir
            .path()
            .join("bench.sqlite")
            .to_string_lossy()
            .into_owned();
        println!("\n== SQLite at {location}");
        reports.push(run("sqlite", location).await?);
        println!("SQLite file: {}", sqlite_size(dir.path()));
    }
    if postgres {
        match std::env::var("CLEARINGHOUSE_BENCH_POSTGRES") {
            Ok(admin_url) if !admin_url.is_empty() => {
                let db = format!("ch_bench_{run_id}");
                println!("\n== PostgreSQL: scratch database {db}");
                let url = create_pg_database(&admin_url, &db).await?;
                let outcome = run("postgres", url).await;
                drop_pg_database(&admin_url, &db).await?;
                reports.push(outcome?);
            }
            _ => println!(
                "\n== PostgreSQL SKIPPED: set CLEARINGHOUSE_BENCH_POSTGRES=postgres://postgres@127.0.0.1:5432/postgres to run it"
            ),
        }
    }
    Ok(reports)
}
