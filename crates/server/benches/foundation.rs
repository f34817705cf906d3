//! Foundation benchmarks: durable log appends, proof generation on a large log, and authenticated
//! API throughput over real HTTP, on SQLite (always) and PostgreSQL (when
//! `CLEARINGHOUSE_BENCH_POSTGRES` names a server database to create scratch databases from).
//!
//! Run with `cargo bench -p clearinghouse-server --bench foundation`. HTTP load comes from `wrk`
//! (an external C load generator, one thread) against a server started inside this process; client
//! and server share the machine's cores. Without `wrk` on `PATH` the HTTP rows are skipped.
//!
//! Besides the headline figures, the bench times the layers of a request separately (raw fsync,
//! the HTTP stack with no database, token lookup in-process, ...) so that a missed aim points at
//! where the time goes.

use std::error::Error;
use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clearinghouse_app::participants::TokenRequest;
use clearinghouse_app::{App, KeyRing};
use clearinghouse_domain::audit::AuditRecord;
use clearinghouse_domain::authz::Actor;
use clearinghouse_domain::{NewOrganization, OrgId, OrgKind, Role};
use clearinghouse_server::{AppState, ServerConfig};
use clearinghouse_store::Store;
use clearinghouse_tlog::{Frontier, Hash, leaf_hash, verify_consistency, verify_inclusion};
use sqlx::Connection;
use tokio::net::TcpListener;

type BenchResult<T> = Result<T, Box<dyn Error + Send + Sync>>;

/// Entries seeded into the log before proofs are timed.
const SEEDED_ENTRIES: u64 = 100_000;
/// Proofs generated per kind.
const PROOF_SAMPLES: usize = 2_000;
/// Concurrent writers for the concurrent append rows.
const WRITERS: usize = 32;
/// Connections `wrk` keeps open.
const HTTP_CONNECTIONS: usize = 64;
const APPEND_SECONDS: u64 = 4;
const IN_PROCESS_SECONDS: u64 = 2;
const HTTP_SECONDS: u64 = 5;

/// One measured row of the table.
struct Row {
    engine: &'static str,
    what: String,
    /// Operations per second, if a throughput was measured.
    rate: Option<f64>,
    p50: Duration,
    p99: Duration,
    note: String,
}

/// Latencies of many operations and the wall time they took together.
struct Sample {
    ops: usize,
    wall: Duration,
    latencies: Vec<Duration>,
}

impl Sample {
    fn row(
        mut self,
        engine: &'static str,
        what: impl Into<String>,
        note: impl Into<String>,
    ) -> Row {
        self.latencies.sort_unstable();
        Row {
            engine,
            what: what.into(),
            rate: Some(self.ops as f64 / self.wall.as_secs_f64()),
            p50: percentile(&self.latencies, 50.0),
            p99: percentile(&self.latencies, 99.0),
            note: note.into(),
        }
    }
}

fn percentile(sorted: &[Duration], pct: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((pct / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

/// A tiny deterministic generator so the bench needs no `rand` dependency.
struct XorShift(u64);

impl XorShift {
    fn below(&mut self, bound: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % bound
    }
}

#[tokio::main]
async fn main() -> BenchResult<()> {
    let started = Instant::now();
    let run_id = format!(
        "{:08x}",
        std::process::id() ^ (jiff::Timestamp::now().as_second() as u32)
    );
    println!("Clearinghouse foundation benchmarks (run {run_id})");
    println!("machine: {} cores, {}", cores(), cpu_model());
    let wrk = wrk_available();
    if !wrk {
        println!("HTTP rows SKIPPED: `wrk` is not on PATH");
    }
    let mut rows = Vec::new();

    let dir = tempfile::tempdir()?;
    rows.push(fsync_floor(dir.path())?);
    let sqlite_path = dir.path().join("bench.sqlite");
    let location = sqlite_path.to_string_lossy().into_owned();
    println!("\n== SQLite at {location} (WAL, synchronous=FULL)");
    run_engine("sqlite", &location, &run_id, wrk, &mut rows).await?;

    match std::env::var("CLEARINGHOUSE_BENCH_POSTGRES") {
        Ok(admin_url) if !admin_url.is_empty() => {
            let db = format!("bench_{run_id}");
            println!("\n== PostgreSQL: scratch database {db}");
            let url = create_pg_database(&admin_url, &db).await?;
            let outcome = run_engine("postgres", &url, &run_id, wrk, &mut rows).await;
            drop_pg_database(&admin_url, &db).await?;
            outcome?;
        }
        _ => println!(
            "\n== PostgreSQL SKIPPED: set CLEARINGHOUSE_BENCH_POSTGRES=postgres://postgres@127.0.0.1:5432/postgres to run it"
        ),
    }

    print_table(&rows);
    println!(
        "\ntotal bench time {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

async fn run_engine(
    engine: &'static str,
    location: &str,
    run_id: &str,
    wrk: bool,
    rows: &mut Vec<Row>,
) -> BenchResult<()> {
    let store = clearinghouse_store::open(location).await?;
    let app = App::new(
        store.clone(),
        Arc::new(KeyRing::ephemeral("bench.clearinghouse.example/log")?),
    );

    // Proofs first, on a freshly seeded log of SEEDED_ENTRIES entries.
    let t = Instant::now();
    let leaves = seed_log(location, SEEDED_ENTRIES).await?;
    println!(
        "seeded {SEEDED_ENTRIES} log entries in {:.1} s (bulk SQL in one transaction)",
        t.elapsed().as_secs_f64()
    );
    rows.extend(bench_proofs(engine, &app, &leaves).await?);

    // Durable appends.
    rows.push(bench_appends(&store, 1, APPEND_SECONDS).await?.row(
        engine,
        "store.append_log, 1 writer",
        "one commit per entry",
    ));
    rows.push(bench_appends(&store, WRITERS, APPEND_SECONDS).await?.row(
        engine,
        format!("store.append_log, {WRITERS} writers"),
        "one commit per entry",
    ));
    rows.push(
        bench_create_org(&app, WRITERS, APPEND_SECONDS, run_id)
            .await?
            .row(
                engine,
                format!("app.create_org, {WRITERS} writers"),
                "org row + log entry",
            ),
    );

    // Reads in-process: the layers under an authenticated API read.
    let admin_org = app
        .create_org(
            &Actor::system(),
            NewOrganization::parse(&format!("Bench Admin {run_id}"), OrgKind::Government, None)?,
        )
        .await?;
    let token = app
        .create_token(
            &Actor::system(),
            TokenRequest {
                org: admin_org.id,
                role: Role::Admin,
                name: "bench".into(),
                expires_in_days: Some(1),
            },
        )
        .await?;
    rows.push(
        bench_token_lookup(&app, &token.secret, WRITERS, IN_PROCESS_SECONDS)
            .await?
            .row(
                engine,
                format!("app.actor_from_token, {WRITERS} tasks"),
                "in-process: SHA-256 + 1 SELECT",
            ),
    );
    rows.push(
        bench_org_read(
            &app,
            &token.secret,
            admin_org.id,
            WRITERS,
            IN_PROCESS_SECONDS,
        )
        .await?
        .row(
            engine,
            format!("token + app.org, {WRITERS} tasks"),
            "in-process: 2 SELECTs",
        ),
    );

    if wrk {
        rows.extend(bench_http(engine, app, &token.secret, admin_org.id, run_id).await?);
    }
    Ok(())
}

/// Writes `count` log entries straight into the tables the store uses (leaf bytes as the store
/// makes them, perfect-subtree hashes from `Frontier`), in one transaction; returns the leaf hashes
/// so proofs can be verified. The store notices the new size and rebuilds its frontier from the
/// stored nodes, exactly as it does after another process appended.
async fn seed_log(location: &str, count: u64) -> BenchResult<Vec<Hash>> {
    let now = jiff::Timestamp::now();
    let micros = now.as_microsecond();
    let mut frontier = Frontier::empty();
    let mut leaves = Vec::with_capacity(count as usize);
    let mut entries = Vec::with_capacity(count as usize);
    let mut nodes = Vec::with_capacity(2 * count as usize);
    for index in 0..count {
        let record = AuditRecord::new(
            "system".into(),
            "bench.seed",
            format!("bench:{index}"),
            serde_json::json!({ "n": index }),
        );
        let leaf = record.leaf_bytes(index, now);
        let hash = leaf_hash(&leaf);
        leaves.push(hash);
        for (id, node) in frontier.push(hash) {
            nodes.push(((i64::from(id.level) << 56) | id.index as i64, node.to_vec()));
        }
        entries.push((index as i64, leaf, record.object));
    }
    macro_rules! insert_all {
        ($conn:expr) => {{
            let mut tx = $conn.begin().await?;
            let (size,): (i64,) = sqlx::query_as("SELECT size FROM log_head WHERE id = 1")
                .fetch_one(&mut *tx)
                .await?;
            if size != 0 {
                return Err(format!("expected an empty log to seed, found {size} entries").into());
            }
            for chunk in entries.chunks(1000) {
                let mut q = sqlx::QueryBuilder::new(
                    "INSERT INTO log_entries (idx, leaf, action, object, created_at) ",
                );
                q.push_values(chunk, |mut b, (idx, leaf, object)| {
                    b.push_bind(*idx)
                        .push_bind(leaf.clone())
                        .push_bind("bench.seed")
                        .push_bind(object.clone())
                        .push_bind(micros);
                });
                q.build().execute(&mut *tx).await?;
            }
            for chunk in nodes.chunks(1000) {
                let mut q = sqlx::QueryBuilder::new("INSERT INTO log_nodes (node_key, hash) ");
                q.push_values(chunk, |mut b, (key, hash)| {
                    b.push_bind(*key).push_bind(hash.clone());
                });
                q.build().execute(&mut *tx).await?;
            }
            sqlx::query("UPDATE log_head SET size = $1 WHERE id = 1")
                .bind(count as i64)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        }};
    }
    if location.starts_with("postgres://") || location.starts_with("postgresql://") {
        let mut conn = sqlx::PgConnection::connect(location).await?;
        insert_all!(conn);
    } else {
        let options = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(location)
            .busy_timeout(Duration::from_secs(30));
        let mut conn = sqlx::SqliteConnection::connect_with(&options).await?;
        insert_all!(conn);
    }
    Ok(leaves)
}

/// Inclusion and consistency proofs at the seeded size, each checked against the tree the leaves
/// make (verification is outside the timed part).
async fn bench_proofs(engine: &'static str, app: &App, leaves: &[Hash]) -> BenchResult<Vec<Row>> {
    let system = Actor::system();
    let size = leaves.len() as u64;
    let mut full = Frontier::empty();
    for leaf in leaves {
        full.push(*leaf);
    }
    let root = full.root();
    let (head_size, head_root) = app.log_head(&system).await?;
    if head_size != size || head_root != root {
        return Err(
            format!("store head {head_size} disagrees with the seeded tree of {size}").into(),
        );
    }
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);

    let mut latencies = Vec::with_capacity(PROOF_SAMPLES);
    let wall = Instant::now();
    for _ in 0..PROOF_SAMPLES {
        let index = rng.below(size);
        let t = Instant::now();
        let proof = app.inclusion_proof(&system, index, size).await?;
        latencies.push(t.elapsed());
        verify_inclusion(&leaves[index as usize], index, size, &proof, &root)
            .map_err(|e| format!("inclusion proof for {index} does not verify: {e}"))?;
    }
    let inclusion = Sample {
        ops: PROOF_SAMPLES,
        wall: wall.elapsed(),
        latencies,
    };

    // Old roots for consistency checks are costly to recompute, so a few `from` sizes are
    // verified and every sample is timed.
    let mut latencies = Vec::with_capacity(PROOF_SAMPLES);
    let wall = Instant::now();
    let mut verified = 0;
    for n in 0..PROOF_SAMPLES {
        let from = 1 + rng.below(size - 1);
        let t = Instant::now();
        let proof = app.consistency_proof(&system, from, size).await?;
        latencies.push(t.elapsed());
        if n % 400 == 0 {
            let mut old = Frontier::empty();
            for leaf in &leaves[..from as usize] {
                old.push(*leaf);
            }
            verify_consistency(from, size, &old.root(), &root, &proof)
                .map_err(|e| format!("consistency proof {from}->{size} does not verify: {e}"))?;
            verified += 1;
        }
    }
    let consistency = Sample {
        ops: PROOF_SAMPLES,
        wall: wall.elapsed(),
        latencies,
    };

    let mut latencies = Vec::with_capacity(200);
    let wall = Instant::now();
    for _ in 0..200 {
        let t = Instant::now();
        app.log_checkpoint(&system).await?;
        latencies.push(t.elapsed());
    }
    let checkpoint = Sample {
        ops: 200,
        wall: wall.elapsed(),
        latencies,
    };
    Ok(vec![
        inclusion.row(
            engine,
            format!("app.inclusion_proof @ {size}"),
            format!("{PROOF_SAMPLES} random leaves, all verified"),
        ),
        consistency.row(
            engine,
            format!("app.consistency_proof @ {size}"),
            format!("{PROOF_SAMPLES} random old sizes, {verified} verified"),
        ),
        checkpoint.row(
            engine,
            format!("app.log_checkpoint @ {size}"),
            "root + Ed25519 signature",
        ),
    ])
}

/// Runs `op` from `tasks` concurrent tasks for `seconds`, collecting every latency.
async fn concurrent<F, Fut>(tasks: usize, seconds: u64, op: F) -> BenchResult<Sample>
where
    F: Fn(usize, u64) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = BenchResult<()>> + Send,
{
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let wall = Instant::now();
    let mut handles = Vec::with_capacity(tasks);
    for task in 0..tasks {
        let op = op.clone();
        handles.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut n = 0u64;
            while Instant::now() < deadline {
                let t = Instant::now();
                op(task, n).await?;
                latencies.push(t.elapsed());
                n += 1;
            }
            BenchResult::Ok(latencies)
        }));
    }
    let mut latencies = Vec::new();
    for handle in handles {
        latencies.extend(handle.await??);
    }
    Ok(Sample {
        ops: latencies.len(),
        wall: wall.elapsed(),
        latencies,
    })
}

async fn bench_appends(
    store: &Arc<dyn Store>,
    writers: usize,
    seconds: u64,
) -> BenchResult<Sample> {
    let store = store.clone();
    concurrent(writers, seconds, move |task, n| {
        let store = store.clone();
        async move {
            let record = AuditRecord::new(
                "system".into(),
                "bench.append",
                format!("bench:{task}:{n}"),
                serde_json::json!({ "task": task, "n": n }),
            );
            store.append_log(&record).await?;
            Ok(())
        }
    })
    .await
}

async fn bench_create_org(
    app: &App,
    writers: usize,
    seconds: u64,
    run_id: &str,
) -> BenchResult<Sample> {
    let app = app.clone();
    let run_id = run_id.to_owned();
    concurrent(writers, seconds, move |task, n| {
        let app = app.clone();
        let name = format!("bench-{run_id}-{task}-{n}");
        async move {
            let new = NewOrganization::parse(&name, OrgKind::Vendor, None)?;
            app.create_org(&Actor::system(), new).await?;
            Ok(())
        }
    })
    .await
}

async fn bench_token_lookup(
    app: &App,
    secret: &str,
    tasks: usize,
    seconds: u64,
) -> BenchResult<Sample> {
    let app = app.clone();
    let secret = Arc::new(secret.to_owned());
    concurrent(tasks, seconds, move |_, _| {
        let app = app.clone();
        let secret = secret.clone();
        async move {
            app.actor_from_token(&secret).await?;
            Ok(())
        }
    })
    .await
}

async fn bench_org_read(
    app: &App,
    secret: &str,
    org: OrgId,
    tasks: usize,
    seconds: u64,
) -> BenchResult<Sample> {
    let app = app.clone();
    let secret = Arc::new(secret.to_owned());
    concurrent(tasks, seconds, move |_, _| {
        let app = app.clone();
        let secret = secret.clone();
        async move {
            let (actor, _) = app.actor_from_token(&secret).await?;
            app.org(&actor, org).await?;
            Ok(())
        }
    })
    .await
}

/// Starts the real router on loopback with the rate limit out of the way, and drives it with `wrk`.
async fn bench_http(
    engine: &'static str,
    app: App,
    secret: &str,
    org: OrgId,
    run_id: &str,
) -> BenchResult<Vec<Row>> {
    let huge = NonZeroU32::new(1_000_000_000).ok_or("zero rate")?;
    let config = ServerConfig {
        rate_per_second: huge,
        rate_burst: huge,
        engine,
        ..ServerConfig::default()
    };
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(clearinghouse_server::serve(
        listener,
        AppState::new(app, config),
        async move {
            let _ = stopped.await;
        },
    ));

    let scripts = tempfile::tempdir()?;
    let get = scripts.path().join("get.lua");
    std::fs::write(&get, get_script(secret))?;
    let post = scripts.path().join("post.lua");
    std::fs::write(&post, post_script(secret))?;

    let runs = [
        (
            "GET /api/v1/nope (404, no auth)",
            &get,
            "/api/v1/nope",
            "HTTP stack floor: no DB",
        ),
        (
            "GET /healthz (no auth)",
            &get,
            "/healthz",
            "1 SELECT, no token",
        ),
        ("GET /api/v1/me", &get, "/api/v1/me", "bearer token lookup"),
        (
            "GET /api/v1/orgs/{id}",
            &get,
            &format!("/api/v1/orgs/{org}")[..],
            "token lookup + org read",
        ),
        (
            "POST /api/v1/orgs",
            &post,
            "/api/v1/orgs",
            "durable write + log entry",
        ),
    ];
    let mut rows = Vec::new();
    for (what, script, path, note) in runs {
        let result = run_wrk(addr, script, path, &format!("{engine}-{run_id}")).await?;
        let mut note = note.to_owned();
        if result.non_2xx > 0 && !path.ends_with("/nope") {
            note.push_str(&format!("; {} NON-2xx", result.non_2xx));
        }
        if result.socket_errors > 0 {
            note.push_str(&format!("; {} socket errors", result.socket_errors));
        }
        rows.push(Row {
            engine,
            what: format!("HTTP {what}, {HTTP_CONNECTIONS} conns"),
            rate: Some(result.requests as f64 / result.seconds),
            p50: Duration::from_micros(result.p50_us),
            p99: Duration::from_micros(result.p99_us),
            note,
        });
    }
    let _ = stop.send(());
    server.await??;
    Ok(rows)
}

/// What `wrk`'s `done` hook reports.
struct WrkResult {
    requests: u64,
    seconds: f64,
    non_2xx: u64,
    socket_errors: u64,
    p50_us: u64,
    p99_us: u64,
}

const WRK_DONE: &str = r#"
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH %d %d %d %d %d %d\n", summary.requests, summary.duration,
    e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"#;

fn get_script(secret: &str) -> String {
    format!("wrk.headers[\"Authorization\"] = \"Bearer {secret}\"\n{WRK_DONE}")
}

/// Every POST names a new organization: thread number and counter make names unique.
fn post_script(secret: &str) -> String {
    format!(
        r#"
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
local prefix = "w"
local counter = 0
function init(args)
  prefix = "wrk-" .. (args[1] or "x") .. "-" .. tostring(tid)
end
function request()
  counter = counter + 1
  local body = '{{"name":"' .. prefix .. '-' .. counter .. '","kind":"vendor"}}'
  return wrk.format("POST", nil, {{["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer {secret}"}}, body)
end
{WRK_DONE}"#
    )
}

async fn run_wrk(addr: SocketAddr, script: &Path, path: &str, tag: &str) -> BenchResult<WrkResult> {
    let url = format!("http://{addr}{path}");
    let script = script.to_owned();
    let tag = tag.to_owned();
    let output = tokio::task::spawn_blocking(move || {
        Command::new("wrk")
            .arg("-t1")
            .arg(format!("-c{HTTP_CONNECTIONS}"))
            .arg(format!("-d{HTTP_SECONDS}s"))
            .arg("--timeout")
            .arg("10s")
            .arg("-s")
            .arg(&script)
            .arg(&url)
            .arg("--")
            .arg(&tag)
            .output()
    })
    .await??;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix("BENCH "))
        .ok_or_else(|| {
            format!(
                "wrk printed no summary: {stdout} {}",
                String::from_utf8_lossy(&output.stderr)
            )
        })?;
    let numbers = line
        .split_whitespace()
        .map(str::parse::<u64>)
        .collect::<Result<Vec<_>, _>>()?;
    let [
        requests,
        duration_us,
        non_2xx,
        socket_errors,
        p50_us,
        p99_us,
    ] = numbers[..]
    else {
        return Err(format!("unexpected wrk summary {line:?}").into());
    };
    Ok(WrkResult {
        requests,
        seconds: duration_us as f64 / 1e6,
        non_2xx,
        socket_errors,
        p50_us,
        p99_us,
    })
}

/// How long a 4 KiB write plus `fdatasync` takes in the bench directory: the floor of one durable
/// commit, whatever the database.
fn fsync_floor(dir: &Path) -> BenchResult<Row> {
    use std::io::Write;
    let mut file = std::fs::File::create(dir.join("fsync-probe"))?;
    let block = [7u8; 4096];
    let mut latencies = Vec::with_capacity(200);
    let wall = Instant::now();
    for _ in 0..200 {
        let t = Instant::now();
        file.write_all(&block)?;
        file.sync_data()?;
        latencies.push(t.elapsed());
    }
    Ok(Sample {
        ops: 200,
        wall: wall.elapsed(),
        latencies,
    }
    .row(
        "disk",
        "4 KiB write + fdatasync, 1 writer",
        "ceiling for 1 commit at a time",
    ))
}

async fn create_pg_database(admin_url: &str, db: &str) -> BenchResult<String> {
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

async fn drop_pg_database(admin_url: &str, db: &str) -> BenchResult<()> {
    let mut conn = sqlx::PgConnection::connect(admin_url).await?;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {db} WITH (FORCE)"
    )))
    .execute(&mut conn)
    .await?;
    conn.close().await?;
    Ok(())
}

fn wrk_available() -> bool {
    Command::new("wrk").arg("--version").output().is_ok()
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, model)| model.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into())
}

fn print_table(rows: &[Row]) {
    println!();
    println!(
        "| {:<8} | {:<52} | {:>10} | {:>10} | {:>10} | note",
        "engine", "what", "ops/s", "p50", "p99"
    );
    println!(
        "|{:-<10}|{:-<54}|{:-<12}|{:-<12}|{:-<12}|{:-<30}",
        "", "", "", "", "", ""
    );
    for row in rows {
        let rate = row
            .rate
            .map_or_else(|| "-".to_owned(), |r| format!("{r:.0}"));
        println!(
            "| {:<8} | {:<52} | {:>10} | {:>10} | {:>10} | {}",
            row.engine,
            row.what,
            rate,
            format_duration(row.p50),
            format_duration(row.p99),
            row.note
        );
    }
}

fn format_duration(d: Duration) -> String {
    let us = d.as_secs_f64() * 1e6;
    if us < 1000.0 {
        format!("{us:.0} µs")
    } else {
        format!("{:.2} ms", us / 1000.0)
    }
}
