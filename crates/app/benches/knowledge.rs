//! Knowledge base, inventories and matching at population scale (issue #4):
//!
//! 1. importing everything in `../shared/data` (OSV, CSAF, KEV, CVE 5 vulnrichment) through
//!    `App::import_source` (what `clearinghouse import` runs: the feed reader, then
//!    `import_documents` in batches), then the same import a second time (which must change
//!    nothing);
//! 2. the fan-out of ONE new OSV advisory over a synthetic population of operators (one asset and
//!    one inventory of `--components` purls each, uploaded through `App::upload_inventory`): the wall
//!    time of `import_documents` from call to return (matches are stored before it returns), and the
//!    matches stored, checked against what the bench planted;
//! 3. dashboard latency at that population: `App::priorities` for random operators, as each
//!    operator's own token-shaped actor, sequentially and from concurrent tasks.
//!
//! Where the time goes: after the measured runs, one more planted advisory and one re-upload are
//! run with sqlx's per-statement events collected (a `tracing` layer that is off, and costs
//! nothing, during the measured runs), and the statements are tallied by kind: count, total and
//! mean time as sqlx measured them (on PostgreSQL that includes the round trip).
//!
//! SQLite always runs; PostgreSQL runs when `CLEARINGHOUSE_BENCH_POSTGRES` holds an administrative
//! URL (a scratch database `ch_bench_<random>` is created there and dropped afterwards).
//!
//! ```text
//! cargo bench -p clearinghouse-app --bench knowledge -- --operators 10000 --components 500
//! ```
//!
//! Options (all optional): `--operators N` (10000), `--components N` per inventory (500),
//! `--hit-fraction F` share of operators running each advisory's package (0.1), `--advisories N`
//! new advisories imported one at a time (3), `--real N` real, vulnerable packages from the shared
//! OSV data per inventory so dashboards are not empty (3), `--concurrency N` tasks building the
//! population (4), `--samples N` sequential dashboard reads (500), `--no-import` (skip part 1;
//! inventories then match nothing real), `--engine sqlite|postgres|all` (all), `--data DIR`
//! (`../shared/data` of the worktree), `--dir DIR` where the SQLite file goes (a temporary dir).

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clearinghouse_app::knowledge::{ImportKind, ImportSummary, Rejection, SourceDocument};
use clearinghouse_app::{App, KeyRing};
use clearinghouse_domain::authz::{Actor, Grant};
use clearinghouse_domain::inventory::{Exposure, MissionImpact, NewAsset, SafetyImpact};
use clearinghouse_domain::{AssetId, NewOrganization, OrgId, OrgKind, Role, Sector, TokenId};
use clearinghouse_feeds::FeedOptions;
use tracing::field::{Field, Visit};
use tracing_subscriber::Layer;
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;

mod support;
use support::{BenchResult, XorShift, load_average, ms, percentile};

/// Synthetic package names per ecosystem the inventories draw from.
const POOL_PER_ECOSYSTEM: u64 = 20_000;
/// Concurrent tasks for the concurrent dashboard row.
const DASHBOARD_TASKS: usize = 8;
/// How long the concurrent dashboard row runs.
const DASHBOARD_SECONDS: u64 = 5;
/// The version range of the planted advisories: `introduced 0, fixed FIXED`.
const FIXED: &str = "2.0.0";

/// Real packages at old versions that advisories in the shared OSV data affect, so that
/// operators' dashboards hold real, ranked items (several each).
const REAL_PACKAGES: &[&str] = &[
    "pkg:pypi/django@2.2.0",
    "pkg:pypi/pillow@8.0.0",
    "pkg:pypi/urllib3@1.24.1",
    "pkg:pypi/jinja2@2.10",
    "pkg:pypi/werkzeug@0.15.0",
    "pkg:pypi/lxml@4.5.0",
    "pkg:pypi/twisted@19.10.0",
    "pkg:pypi/pyyaml@5.3",
    "pkg:pypi/requests@2.19.0",
    "pkg:pypi/cryptography@3.2",
    "pkg:cargo/openssl@0.10.20",
    "pkg:cargo/hyper@0.14.0",
    "pkg:cargo/tokio@1.0.0",
    "pkg:cargo/smallvec@1.6.0",
    "pkg:cargo/diesel@1.4.0",
    "pkg:cargo/wasmtime@0.30.0",
    "pkg:golang/github.com/traefik/traefik/v2@v2.0.0",
    "pkg:golang/code.gitea.io/gitea@v1.10.0",
    "pkg:golang/github.com/hashicorp/vault@v1.0.0",
    "pkg:golang/gogs.io/gogs@v0.11.0",
];

/// Command-line options.
#[derive(Clone, Debug)]
struct Args {
    operators: usize,
    components: usize,
    hit_fraction: f64,
    advisories: usize,
    real: usize,
    concurrency: usize,
    samples: usize,
    import: bool,
    sqlite: bool,
    postgres: bool,
    data: PathBuf,
    dir: Option<PathBuf>,
}

impl Args {
    fn parse() -> BenchResult<Args> {
        let mut args = Args {
            operators: 10_000,
            components: 500,
            hit_fraction: 0.1,
            advisories: 3,
            real: 3,
            concurrency: 4,
            samples: 500,
            import: true,
            sqlite: true,
            postgres: true,
            data: Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"),
            dir: None,
        };
        let mut it = std::env::args().skip(1);
        while let Some(arg) = it.next() {
            let mut value = || it.next().ok_or_else(|| format!("{arg} needs a value"));
            match arg.as_str() {
                // `cargo bench` passes `--bench` to every bench binary.
                "--bench" => {}
                "--operators" => args.operators = value()?.parse()?,
                "--components" => args.components = value()?.parse()?,
                "--hit-fraction" => args.hit_fraction = value()?.parse()?,
                "--advisories" => args.advisories = value()?.parse()?,
                "--real" => args.real = value()?.parse()?,
                "--concurrency" => args.concurrency = value()?.parse()?,
                "--samples" => args.samples = value()?.parse()?,
                "--no-import" => args.import = false,
                "--data" => args.data = PathBuf::from(value()?),
                "--dir" => args.dir = Some(PathBuf::from(value()?)),
                "--engine" => match value()?.as_str() {
                    "sqlite" => (args.sqlite, args.postgres) = (true, false),
                    "postgres" => (args.sqlite, args.postgres) = (false, true),
                    "all" => (args.sqlite, args.postgres) = (true, true),
                    other => return Err(format!("unknown engine {other:?}").into()),
                },
                other => {
                    return Err(
                        format!("unknown option {other:?} (see the bench's doc comment)").into(),
                    );
                }
            }
        }
        if args.real > REAL_PACKAGES.len() {
            return Err(format!("--real is at most {}", REAL_PACKAGES.len()).into());
        }
        let fixed = args.real + args.advisories + 1;
        if args.components <= fixed {
            return Err(
                format!("--components must exceed --real + --advisories + 1 ({fixed})").into(),
            );
        }
        if !(0.0..=1.0).contains(&args.hit_fraction) {
            return Err("--hit-fraction is between 0 and 1".into());
        }
        args.concurrency = args.concurrency.max(1);
        args.data = args.data.canonicalize().unwrap_or(args.data);
        Ok(args)
    }
}

/// One kind's import, first or second pass.
struct ImportRow {
    kind: ImportKind,
    documents: u64,
    wall: Duration,
    summary: ImportSummary,
}

/// What the population build did.
struct PopulationRow {
    operators: usize,
    component_rows: u64,
    wall: Duration,
    upload_latencies: Vec<Duration>,
    matches_at_upload: u64,
}

/// Statements by kind: (count, total seconds).
type Tally = BTreeMap<String, (u64, f64)>;

/// Whether sqlx's statement events are collected right now.
static TALLY_ON: AtomicBool = AtomicBool::new(false);
/// The statements collected while [`TALLY_ON`] was set.
static TALLY: Mutex<Tally> = Mutex::new(BTreeMap::new());

/// A `tracing` layer that adds up sqlx's per-statement events (target `sqlx::query`, fields
/// `summary`, `db.statement`, `elapsed_secs`). Its filter asks [`TALLY_ON`] each time at sqlx's
/// call sites (and never elsewhere), so while it is false sqlx does not even build the events.
struct SqlTally;

impl<S: tracing::Subscriber> Layer<S> for SqlTally {
    fn on_event(&self, event: &tracing::Event<'_>, _ctx: Context<'_, S>) {
        let mut visitor = StatementVisitor::default();
        event.record(&mut visitor);
        let text = if visitor.statement.trim().is_empty() {
            visitor.summary
        } else {
            visitor.statement
        };
        let mut key: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if key.len() > 100 {
            let mut cut = 100;
            while !key.is_char_boundary(cut) {
                cut -= 1;
            }
            key.truncate(cut);
            key.push('…');
        }
        if let Ok(mut tally) = TALLY.lock() {
            let entry = tally.entry(key).or_insert((0, 0.0));
            entry.0 += 1;
            entry.1 += visitor.elapsed;
        }
    }
}

#[derive(Default)]
struct StatementVisitor {
    summary: String,
    statement: String,
    elapsed: f64,
}

impl Visit for StatementVisitor {
    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            "summary" => self.summary = value.to_owned(),
            "db.statement" => self.statement = value.to_owned(),
            _ => {}
        }
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        if field.name() == "elapsed_secs" {
            self.elapsed = value;
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        match field.name() {
            "summary" if self.summary.is_empty() => self.summary = format!("{value:?}"),
            "db.statement" if self.statement.is_empty() => {
                self.statement = format!("{value:?}").replace("\\n", " ")
            }
            _ => {}
        }
    }
}

/// Runs `work` with statement collection on; returns its result and what was collected.
async fn tallied<T>(work: impl std::future::Future<Output = T>) -> (T, Tally) {
    if let Ok(mut tally) = TALLY.lock() {
        tally.clear();
    }
    TALLY_ON.store(true, Ordering::SeqCst);
    let out = work.await;
    TALLY_ON.store(false, Ordering::SeqCst);
    let tally = TALLY.lock().map(|t| t.clone()).unwrap_or_default();
    (out, tally)
}

/// A profiled operation: what it was, its wall time and its statements.
struct Profiled {
    what: String,
    wall: Duration,
    tally: Tally,
}

/// One new advisory's fan-out.
struct FanoutRow {
    advisory: String,
    wall: Duration,
    matches_added: u64,
    expected: u64,
    operators_seen: u64,
}

/// Dashboard reads.
struct DashboardRow {
    what: String,
    ops: usize,
    wall: Duration,
    latencies: Vec<Duration>,
    items_mean: f64,
    items_max: usize,
}

struct EngineReport {
    engine: &'static str,
    first_import: Vec<ImportRow>,
    second_import: Vec<ImportRow>,
    population: Option<PopulationRow>,
    fanout: Vec<FanoutRow>,
    dashboard: Vec<DashboardRow>,
    profiles: Vec<Profiled>,
}

/// An operator of the synthetic population.
#[derive(Clone)]
struct Operator {
    org: OrgId,
    asset: AssetId,
    actor: Actor,
}

#[tokio::main]
async fn main() -> BenchResult<()> {
    let args = Args::parse()?;
    tracing_subscriber::registry()
        .with(
            SqlTally.with_filter(
                tracing_subscriber::filter::dynamic_filter_fn(|_meta, _cx| {
                    TALLY_ON.load(Ordering::Relaxed)
                })
                .with_callsite_filter(|meta| {
                    if meta.target() == "sqlx::query" {
                        tracing::subscriber::Interest::sometimes()
                    } else {
                        tracing::subscriber::Interest::never()
                    }
                }),
            ),
        )
        .init();
    let started = Instant::now();
    let run_id = support::banner("Clearinghouse knowledge-base benchmarks", &args);
    let reports = support::for_each_engine(
        args.sqlite,
        args.postgres,
        args.dir.as_ref(),
        &run_id,
        |engine, location| {
            let args = &args;
            async move { run_engine(engine, &location, args).await }
        },
    )
    .await?;

    for report in &reports {
        print_report(report, &args);
    }
    println!(
        "\nload average at end: {}; total bench time {:.1} s",
        load_average(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

async fn run_engine(
    engine: &'static str,
    location: &str,
    args: &Args,
) -> BenchResult<EngineReport> {
    let store = clearinghouse_store::open(location).await?;
    let app = App::new(
        store,
        Arc::new(KeyRing::ephemeral("bench.clearinghouse.example/log")?),
    );
    let mut report = EngineReport {
        engine,
        first_import: Vec::new(),
        second_import: Vec::new(),
        population: None,
        fanout: Vec::new(),
        dashboard: Vec::new(),
        profiles: Vec::new(),
    };

    if args.import {
        println!("-- import of {} (first pass)", args.data.display());
        report.first_import = import_all(&app, &args.data).await?;
        println!(
            "-- import of {} (second pass: must change nothing)",
            args.data.display()
        );
        report.second_import = import_all(&app, &args.data).await?;
    }

    println!(
        "-- population: {} operators x {} components ({} concurrent tasks)",
        args.operators, args.components, args.concurrency
    );
    let (operators, population, planted) = build_population(&app, args).await?;
    report.population = Some(population);

    for (k, expected) in planted.iter().enumerate().take(args.advisories) {
        let (row, _) = fan_out(&app, k, *expected, false).await?;
        println!(
            "   advisory {}: {} in {} ({} matches, {} expected, {} operators in exposure)",
            row.advisory,
            if row.matches_added == row.expected {
                "ok"
            } else {
                "MISMATCH"
            },
            ms(row.wall),
            row.matches_added,
            row.expected,
            row.operators_seen
        );
        report.fanout.push(row);
    }

    if !operators.is_empty() {
        report
            .dashboard
            .push(dashboard_sequential(&app, &operators, args.samples).await?);
        report
            .dashboard
            .push(dashboard_concurrent(&app, &operators).await?);
    }

    // Where the time goes: the last planted advisory, and operator 0 uploading its inventory
    // again, with statement collection on.
    let k = args.advisories;
    let (row, tally) = fan_out(&app, k, planted[k], true).await?;
    report.profiles.push(Profiled {
        what: format!(
            "fan-out of {} ({} matches of {} planted), statement events on",
            row.advisory, row.matches_added, row.expected
        ),
        wall: row.wall,
        tally,
    });
    if let Some(op) = operators.first() {
        let (text, _) = inventory(0, args);
        let started = Instant::now();
        let (uploaded, tally) =
            tallied(app.upload_inventory(&op.actor, op.asset, text.as_bytes())).await;
        let uploaded = uploaded?;
        report.profiles.push(Profiled {
            what: format!(
                "upload_inventory again for operator 0 ({} components, {} matches), statement events on",
                uploaded.upload.component_count, uploaded.matching.added
            ),
            wall: started.elapsed(),
            tally,
        });
    }
    Ok(report)
}

/// The four sources of the shared data, in the order they are imported.
fn sources(data: &Path) -> [(ImportKind, PathBuf); 4] {
    [
        (ImportKind::Osv, data.join("osv")),
        (ImportKind::Csaf, data.join("csaf")),
        (
            ImportKind::Kev,
            data.join("kev/known_exploited_vulnerabilities.json"),
        ),
        (ImportKind::Cve, data.join("ssvc/vulnrichment")),
    ]
}

async fn import_all(app: &App, data: &Path) -> BenchResult<Vec<ImportRow>> {
    let mut rows = Vec::new();
    for (kind, path) in sources(data) {
        let row = import_kind(app, kind, &path).await?;
        let s = &row.summary;
        println!(
            "   {:<5} {:>6} docs in {:>8.2} s ({:>7.1} docs/s): new {}, updated {}, unchanged {}, rejected {}, matches added {}",
            kind.as_str(),
            row.documents,
            row.wall.as_secs_f64(),
            row.documents as f64 / row.wall.as_secs_f64(),
            s.new,
            s.updated,
            s.unchanged,
            s.rejected.len(),
            s.matches_added
        );
        print_rejections(&s.rejected);
        rows.push(row);
    }
    Ok(rows)
}

/// Rejections grouped by the start of their reason, with one example location each.
fn print_rejections(rejected: &[Rejection]) {
    let mut groups: BTreeMap<String, (usize, &str)> = BTreeMap::new();
    for r in rejected {
        let head: String = r.reason.chars().take(90).collect();
        groups.entry(head).or_insert((0, &r.location)).0 += 1;
    }
    for (reason, (count, example)) in groups.iter().take(12) {
        println!("         rejected x{count}: {reason} (e.g. {example})");
    }
    if groups.len() > 12 {
        println!("         ... {} more distinct reasons", groups.len() - 12);
    }
}

async fn import_kind(app: &App, kind: ImportKind, path: &Path) -> BenchResult<ImportRow> {
    let started = Instant::now();
    let mut documents = 0u64;
    let mut progress = |done: u64, _total: Option<u64>| documents = done;
    let summary = app
        .import_source(
            &Actor::system(),
            kind,
            &path.to_string_lossy(),
            &FeedOptions::default(),
            &mut progress,
        )
        .await?;
    Ok(ImportRow {
        kind,
        documents,
        wall: started.elapsed(),
        summary,
    })
}

/// A synthetic purl for package `index` of the pool, at a version drawn from `rng`.
fn synthetic_purl(index: u64, rng: &mut XorShift) -> String {
    let (major, minor, patch) = (rng.below(5), rng.below(20), rng.below(10));
    let n = index / 5;
    match index % 5 {
        0 => format!("pkg:npm/bench-js-{n}@{major}.{minor}.{patch}"),
        1 => format!("pkg:pypi/bench-py-{n}@{major}.{minor}.{patch}"),
        2 => format!("pkg:maven/org.bench/bench-jar-{n}@{major}.{minor}.{patch}"),
        3 => format!("pkg:golang/example.com/bench/mod-{n}@v{major}.{minor}.{patch}"),
        _ => format!("pkg:cargo/bench-rs-{n}@{major}.{minor}.{patch}"),
    }
}

/// The npm package advisory `k` affects.
fn target_package(k: usize) -> String {
    format!("bench-target-{k}")
}

/// Operator `i`'s inventory (a purl list, one per line) and, per planted advisory, whether it runs
/// an affected version of that advisory's package.
fn inventory(i: usize, args: &Args) -> (String, Vec<bool>) {
    let mut rng = XorShift::new(i as u64 + 1);
    let mut lines = Vec::with_capacity(args.components);
    let mut affected = vec![false; args.advisories + 1];
    for (k, hit) in affected.iter_mut().enumerate() {
        if rng.unit() < args.hit_fraction {
            // Nine in ten run an affected version; the rest already run the fixed one, so the
            // range is really evaluated and not every key hit is a match.
            let version = if rng.unit() < 0.9 {
                *hit = true;
                format!("1.{}.{}", rng.below(20), rng.below(10))
            } else {
                format!("2.{}.{}", rng.below(5), rng.below(10))
            };
            lines.push(format!("pkg:npm/{}@{version}", target_package(k)));
        }
    }
    let mut real = HashSet::new();
    while real.len() < args.real {
        real.insert(rng.below(REAL_PACKAGES.len() as u64) as usize);
    }
    lines.extend(real.into_iter().map(|r| REAL_PACKAGES[r].to_owned()));
    let mut chosen = HashSet::new();
    while lines.len() < args.components {
        let index = rng.below(POOL_PER_ECOSYSTEM * 5);
        if chosen.insert(index) {
            lines.push(synthetic_purl(index, &mut rng));
        }
    }
    let mut text = lines.join("\n");
    text.push('\n');
    (text, affected)
}

fn operator_actor(org: OrgId) -> Actor {
    Actor::token(
        TokenId::generate(),
        None,
        Grant {
            org,
            role: Role::OperatorContact,
        },
    )
}

/// Creates every operator (organization, asset, one upload each) through the services, several
/// at a time. Returns the operators, the row, and per planted advisory how many operators run an
/// affected version.
async fn build_population(
    app: &App,
    args: &Args,
) -> BenchResult<(Vec<Operator>, PopulationRow, Vec<u64>)> {
    let started = Instant::now();
    let next = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..args.concurrency {
        let app = app.clone();
        let args = args.clone();
        let next = next.clone();
        tasks.push(tokio::spawn(async move {
            build_some(&app, &args, &next, started).await
        }));
    }
    let mut operators = Vec::with_capacity(args.operators);
    let mut upload_latencies = Vec::with_capacity(args.operators);
    let mut planted = vec![0u64; args.advisories + 1];
    let mut component_rows = 0u64;
    let mut matches_at_upload = 0u64;
    for task in tasks {
        let built = task.await??;
        operators.extend(built.operators);
        upload_latencies.extend(built.upload_latencies);
        for (total, n) in planted.iter_mut().zip(built.planted) {
            *total += n;
        }
        component_rows += built.component_rows;
        matches_at_upload += built.matches_at_upload;
    }
    let wall = started.elapsed();
    upload_latencies.sort_unstable();
    println!(
        "   built {} operators in {:.1} s ({:.1} operators/s, {:.0} components/s); planted affected operators per advisory: {planted:?}",
        operators.len(),
        wall.as_secs_f64(),
        operators.len() as f64 / wall.as_secs_f64(),
        component_rows as f64 / wall.as_secs_f64()
    );
    Ok((
        operators,
        PopulationRow {
            operators: args.operators,
            component_rows,
            wall,
            upload_latencies,
            matches_at_upload,
        },
        planted,
    ))
}

struct Built {
    operators: Vec<Operator>,
    upload_latencies: Vec<Duration>,
    planted: Vec<u64>,
    component_rows: u64,
    matches_at_upload: u64,
}

async fn build_some(
    app: &App,
    args: &Args,
    next: &AtomicUsize,
    started: Instant,
) -> BenchResult<Built> {
    let system = Actor::system();
    let sectors = Sector::ALL;
    let mut built = Built {
        operators: Vec::new(),
        upload_latencies: Vec::new(),
        planted: vec![0; args.advisories + 1],
        component_rows: 0,
        matches_at_upload: 0,
    };
    loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        if i >= args.operators {
            return Ok(built);
        }
        let org = app
            .create_org(
                &system,
                NewOrganization::parse(
                    &format!("Bench Operator {i:06}"),
                    OrgKind::Operator,
                    Some(sectors[i % sectors.len()]),
                )?,
            )
            .await?;
        let actor = operator_actor(org.id);
        let asset = app
            .create_asset(
                &actor,
                org.id,
                NewAsset::parse(
                    &format!("plant {i:06}"),
                    MissionImpact::ALL[i % MissionImpact::ALL.len()],
                    SafetyImpact::ALL[(i / 4) % SafetyImpact::ALL.len()],
                    Exposure::ALL[i % Exposure::ALL.len()],
                    Some("it@bench.example"),
                    false,
                )?,
            )
            .await?;
        let (text, affected) = inventory(i, args);
        let t = Instant::now();
        let uploaded = app
            .upload_inventory(&actor, asset.id, text.as_bytes())
            .await?;
        built.upload_latencies.push(t.elapsed());
        built.component_rows += u64::from(uploaded.upload.component_count);
        built.matches_at_upload += uploaded.matching.added;
        for (total, hit) in built.planted.iter_mut().zip(affected) {
            *total += u64::from(hit);
        }
        check_asset(asset.id, uploaded.upload.asset)?;
        built.operators.push(Operator {
            org: org.id,
            asset: asset.id,
            actor,
        });
        if (i + 1).is_multiple_of(1000) {
            println!(
                "   {} operators after {:.1} s",
                i + 1,
                started.elapsed().as_secs_f64()
            );
        }
    }
}

fn check_asset(expected: AssetId, got: AssetId) -> BenchResult<()> {
    if expected == got {
        Ok(())
    } else {
        Err(format!("upload stored for asset {got}, expected {expected}").into())
    }
}

/// The OSV record of planted advisory `k`: every version of its npm package below `FIXED`.
fn planted_advisory(k: usize) -> String {
    let now = jiff::Timestamp::now();
    serde_json::json!({
        "schema_version": "1.6.0",
        "id": format!("BENCH-2099-{k:04}"),
        "modified": now.to_string(),
        "published": now.to_string(),
        "aliases": [format!("CVE-2099-{}", 10_000 + k)],
        "summary": format!("remote code execution in {}", target_package(k)),
        "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
        "affected": [{
            "package": {"ecosystem": "npm", "name": target_package(k), "purl": format!("pkg:npm/{}", target_package(k))},
            "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": FIXED}]}]
        }]
    })
    .to_string()
}

/// Imports planted advisory `k` alone and times `import_documents` from call to return; then
/// (untimed) checks what was stored through the analysts' exposure view.
/// With `profile`, the statements `import_documents` ran are collected and returned.
async fn fan_out(
    app: &App,
    k: usize,
    expected: u64,
    profile: bool,
) -> BenchResult<(FanoutRow, Tally)> {
    let system = Actor::system();
    let document = SourceDocument {
        location: format!("bench://advisory/{k}"),
        bytes: planted_advisory(k).into_bytes(),
    };
    let started = Instant::now();
    let import = app.import_documents(&system, ImportKind::Osv, vec![document]);
    let (summary, tally) = if profile {
        tallied(import).await
    } else {
        (import.await, Tally::new())
    };
    let summary = summary?;
    let wall = started.elapsed();
    if summary.new != 1 || !summary.rejected.is_empty() {
        return Err(format!("the planted advisory was not stored as new: {summary:?}").into());
    }
    let vulnerability = app
        .vulnerability(&system, &format!("CVE-2099-{}", 10_000 + k))
        .await?;
    let exposure = app
        .exposure(&system, Some(vulnerability.vulnerability.id))
        .await?;
    let operators_seen = exposure.iter().map(|e| e.operators).sum();
    let row = FanoutRow {
        advisory: format!("BENCH-2099-{k:04}"),
        wall,
        matches_added: summary.matches_added,
        expected,
        operators_seen,
    };
    Ok((row, tally))
}

async fn dashboard_sequential(
    app: &App,
    operators: &[Operator],
    samples: usize,
) -> BenchResult<DashboardRow> {
    let mut rng = XorShift::new(0xDA5B);
    let mut latencies = Vec::with_capacity(samples);
    let mut items = Vec::with_capacity(samples);
    let started = Instant::now();
    for _ in 0..samples {
        let op = &operators[rng.below(operators.len() as u64) as usize];
        let t = Instant::now();
        let priorities = app.priorities(&op.actor, op.org, false).await?;
        latencies.push(t.elapsed());
        items.push(priorities.items.len());
    }
    let wall = started.elapsed();
    latencies.sort_unstable();
    Ok(DashboardRow {
        what: "App::priorities, 1 caller".into(),
        ops: samples,
        wall,
        latencies,
        items_mean: items.iter().sum::<usize>() as f64 / items.len().max(1) as f64,
        items_max: items.iter().copied().max().unwrap_or(0),
    })
}

async fn dashboard_concurrent(app: &App, operators: &[Operator]) -> BenchResult<DashboardRow> {
    let operators: Arc<Vec<Operator>> = Arc::new(operators.to_vec());
    let deadline = Instant::now() + Duration::from_secs(DASHBOARD_SECONDS);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for t in 0..DASHBOARD_TASKS {
        let app = app.clone();
        let operators = operators.clone();
        tasks.push(tokio::spawn(async move {
            let mut rng = XorShift::new(0xC0C0 + t as u64);
            let mut latencies = Vec::new();
            let mut items = Vec::new();
            while Instant::now() < deadline {
                let op = &operators[rng.below(operators.len() as u64) as usize];
                let t = Instant::now();
                let priorities = app.priorities(&op.actor, op.org, false).await?;
                latencies.push(t.elapsed());
                items.push(priorities.items.len());
            }
            Ok::<_, clearinghouse_app::Error>((latencies, items))
        }));
    }
    let mut latencies = Vec::new();
    let mut items = Vec::new();
    for task in tasks {
        let (l, i) = task.await??;
        latencies.extend(l);
        items.extend(i);
    }
    let wall = started.elapsed();
    latencies.sort_unstable();
    Ok(DashboardRow {
        what: format!("App::priorities, {DASHBOARD_TASKS} concurrent callers"),
        ops: latencies.len(),
        wall,
        latencies,
        items_mean: items.iter().sum::<usize>() as f64 / items.len().max(1) as f64,
        items_max: items.iter().copied().max().unwrap_or(0),
    })
}

fn print_profile(profile: &Profiled) {
    let total: f64 = profile.tally.values().map(|(_, secs)| secs).sum();
    let count: u64 = profile.tally.values().map(|(n, _)| n).sum();
    println!(
        "\n{}: wall {}; {count} statements, {} inside them as sqlx timed them\n",
        profile.what,
        ms(profile.wall),
        ms(Duration::from_secs_f64(total))
    );
    println!("| statement | count | total | mean |");
    println!("| --- | ---: | ---: | ---: |");
    let mut rows: Vec<(&String, &(u64, f64))> = profile.tally.iter().collect();
    rows.sort_by(|a, b| b.1.1.total_cmp(&a.1.1));
    for (statement, (n, secs)) in rows.into_iter().take(12) {
        println!(
            "| `{}` | {n} | {} | {:.0} µs |",
            statement.replace('|', "\\|"),
            ms(Duration::from_secs_f64(*secs)),
            secs / *n as f64 * 1e6
        );
    }
}

fn print_report(report: &EngineReport, args: &Args) {
    let engine = report.engine;
    println!("\n#### {engine}");
    for (title, rows) in [
        (
            "import of the shared data, first pass",
            &report.first_import,
        ),
        ("second import of the same data", &report.second_import),
    ] {
        if rows.is_empty() {
            continue;
        }
        println!("\n{title}\n");
        println!(
            "| kind | documents | wall | documents/s | new | updated | unchanged | rejected | matches added |"
        );
        println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        let mut total_docs = 0;
        let mut total_wall = Duration::ZERO;
        for row in rows {
            let s = &row.summary;
            total_docs += row.documents;
            total_wall += row.wall;
            println!(
                "| {} | {} | {:.2} s | {:.0} | {} | {} | {} | {} | {} |",
                row.kind.as_str(),
                row.documents,
                row.wall.as_secs_f64(),
                row.documents as f64 / row.wall.as_secs_f64(),
                s.new,
                s.updated,
                s.unchanged,
                s.rejected.len(),
                s.matches_added
            );
        }
        println!(
            "| all | {total_docs} | {:.2} s | {:.0} | | | | | |",
            total_wall.as_secs_f64(),
            total_docs as f64 / total_wall.as_secs_f64()
        );
    }
    if let Some(p) = &report.population {
        println!(
            "\npopulation: {} operators x {} components = {} component rows in {:.1} s ({:.2} operators/s, {:.0} rows/s); upload_inventory p50 {} p99 {}; {} matches stored at upload",
            p.operators,
            args.components,
            p.component_rows,
            p.wall.as_secs_f64(),
            p.operators as f64 / p.wall.as_secs_f64(),
            p.component_rows as f64 / p.wall.as_secs_f64(),
            ms(percentile(&p.upload_latencies, 50.0)),
            ms(percentile(&p.upload_latencies, 99.0)),
            p.matches_at_upload
        );
    }
    if !report.fanout.is_empty() {
        println!("\nfan-out of one new advisory (aim: < 1 s from import to all matches stored)\n");
        println!(
            "| advisory | import_documents wall | matches stored | planted | operators in exposure | check |"
        );
        println!("| --- | ---: | ---: | ---: | ---: | --- |");
        for f in &report.fanout {
            println!(
                "| {} | {} | {} | {} | {} | {} |",
                f.advisory,
                ms(f.wall),
                f.matches_added,
                f.expected,
                f.operators_seen,
                if f.matches_added == f.expected && f.operators_seen == f.expected {
                    "ok"
                } else {
                    "MISMATCH"
                }
            );
        }
    }
    if !report.dashboard.is_empty() {
        println!("\ndashboard at that population\n");
        println!("| what | calls | calls/s | p50 | p95 | p99 | items per dashboard (mean, max) |");
        println!("| --- | ---: | ---: | ---: | ---: | ---: | --- |");
        for d in &report.dashboard {
            println!(
                "| {} | {} | {:.0} | {} | {} | {} | {:.1}, {} |",
                d.what,
                d.ops,
                d.ops as f64 / d.wall.as_secs_f64(),
                ms(percentile(&d.latencies, 50.0)),
                ms(percentile(&d.latencies, 95.0)),
                ms(percentile(&d.latencies, 99.0)),
                d.items_mean,
                d.items_max
            );
        }
    }
    for profile in &report.profiles {
        print_profile(profile);
    }
}
