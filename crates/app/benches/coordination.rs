//! Vulnerability coordination at scale (issue #5):
//!
//! 1. seeding: `--existing` findings (100,000) submitted through `App::submit_finding` (what
//!    `POST /api/v1/findings` runs) by eight AI developers, several at a time, each opening its own
//!    case: the intake rate as the store grows from empty;
//! 2. intake at that size: `--findings` more (2,000), one caller and then `--concurrency` callers,
//!    a mix planted so that the outcome of each is known in advance: new bugs in products nobody
//!    reported (new case), exact duplicates of a seeded finding from another AI developer (joins
//!    its case), near duplicates (same product and function, another weakness, reworded text:
//!    new case plus a merge proposal), and the same bug resubmitted by its own finder (already
//!    reported). A quarter carry a proof of concept, sealed with XChaCha20-Poly1305; half carry an
//!    idempotency key. Every outcome is checked against the plan;
//! 3. the analysts' queue at that size: `App::queue` as an analyst, the first page (50 items) and
//!    pages deep in the queue through their cursors, one caller and several at once;
//! 4. the case list (`App::cases`, what `GET /api/v1/cases` and `/cases` run) at that size: a
//!    finder that is a member of an eighth of the cases, a vendor that is a member of none (every
//!    row fails the visibility rule, the worst case for the SQL filter), and an analyst searching
//!    by product name.
//!
//! Every finding goes the whole way: parsed, checked against the knowledge base, deduplicated
//! (fingerprint, then MinHash over same-place candidates), ranked (CVSS, SSVC, exposure), stored
//! with its case, membership and audit records in one transaction.
//!
//! SQLite always runs; PostgreSQL runs when `CLEARINGHOUSE_BENCH_POSTGRES` holds an administrative
//! URL (a scratch database `ch_bench_<random>` is created there and dropped afterwards).
//!
//! ```text
//! cargo bench -p clearinghouse-app --bench coordination -- --existing 100000 --findings 2000
//! ```
//!
//! Options (all optional): `--existing N` (100000), `--findings N` (2000), `--concurrency N`
//! callers for seeding and for the concurrent rows (4), `--samples N` queue reads per row (300),
//! `--engine sqlite|postgres|all` (all), `--dir DIR` where the SQLite file goes (a temporary dir).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use clearinghouse_app::coordination::{AttachmentUpload, CaseQuery, Disposition, FindingRequest};
use clearinghouse_app::{App, KeyRing};
use clearinghouse_domain::authz::{Actor, Grant};
use clearinghouse_domain::coordination::{AttachmentKind, Location};
use clearinghouse_domain::page::PageRequest;
use clearinghouse_domain::{NewOrganization, OrgKind, Role, TokenId};

mod support;
use support::{BenchResult, XorShift, load_average, ms, percentile};

/// AI developers submitting findings.
const FINDERS: usize = 8;
/// Seeded findings per product: each in its own function, two per file, so that the near-duplicate
/// search finds same-file candidates whose text does not match.
const FINDINGS_PER_PRODUCT: usize = 4;
/// Items per queue page, as the web queue shows them.
const QUEUE_PAGE: u32 = 50;
/// Concurrent queue readers in the concurrent row.
const QUEUE_TASKS: usize = 4;
const ECOSYSTEMS: [&str; 4] = ["npm", "pypi", "cargo", "maven"];
const WEAKNESSES: [(&str, &str); 6] = [
    ("CWE-787", "out-of-bounds write"),
    ("CWE-79", "cross-site scripting"),
    ("CWE-89", "SQL injection"),
    ("CWE-22", "path traversal"),
    ("CWE-502", "unsafe deserialization"),
    ("CWE-918", "server-side request forgery"),
];
const VECTORS: [&str; 4] = [
    "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
    "CVSS:3.1/AV:N/AC:H/PR:L/UI:R/S:U/C:L/I:L/A:N",
    "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
    "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N",
];
/// Words the descriptions are drawn from, so texts differ the way real reports do.
const WORDS: [&str; 24] = [
    "crafted", "request", "header", "length", "buffer", "parser", "token", "session", "input",
    "boundary", "callback", "archive", "template", "query", "payload", "cookie", "offset", "path",
    "stream", "schema", "handler", "cache", "encoding", "field",
];

#[derive(Clone, Debug)]
struct Args {
    existing: usize,
    findings: usize,
    concurrency: usize,
    samples: usize,
    sqlite: bool,
    postgres: bool,
    dir: Option<std::path::PathBuf>,
}

impl Args {
    fn parse() -> BenchResult<Args> {
        let mut args = Args {
            existing: 100_000,
            findings: 2_000,
            concurrency: 4,
            samples: 300,
            sqlite: true,
            postgres: true,
            dir: None,
        };
        let mut it = std::env::args().skip(1);
        while let Some(arg) = it.next() {
            let mut value = || it.next().ok_or_else(|| format!("{arg} needs a value"));
            match arg.as_str() {
                // `cargo bench` passes `--bench` to every bench binary.
                "--bench" => {}
                "--existing" => args.existing = value()?.parse()?,
                "--findings" => args.findings = value()?.parse()?,
                "--concurrency" => args.concurrency = value()?.parse()?,
                "--samples" => args.samples = value()?.parse()?,
                "--dir" => args.dir = Some(value()?.into()),
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
        if args.existing < FINDINGS_PER_PRODUCT * 10 {
            return Err(format!("--existing is at least {}", FINDINGS_PER_PRODUCT * 10).into());
        }
        if args.findings * 2 > args.existing {
            return Err("--findings is at most half of --existing (each measured duplicate needs its own seeded finding)".into());
        }
        args.concurrency = args.concurrency.max(1);
        Ok(args)
    }
}

/// One seeded finding's identity: product, file, function and weakness, from its number.
struct Seeded {
    product: String,
    file: String,
    function: String,
    weakness: usize,
    finder: usize,
}

fn seeded(n: usize) -> Seeded {
    let product_no = n / FINDINGS_PER_PRODUCT;
    let within = n % FINDINGS_PER_PRODUCT;
    let ecosystem = ECOSYSTEMS[product_no % ECOSYSTEMS.len()];
    let product = match ecosystem {
        "maven" => format!("pkg:maven/org.bench/lib-{product_no:06}@2.4.1"),
        other => format!("pkg:{other}/bench-lib-{product_no:06}@2.4.1"),
    };
    Seeded {
        product,
        file: format!("src/module_{}.rs", within / 2),
        function: format!("handle_{}_{}", WORDS[(n * 7) % WORDS.len()], within),
        weakness: (n * 5 + within) % WEAKNESSES.len(),
        finder: n % FINDERS,
    }
}

/// A description of `words` words drawn from `seed`: similar seeds give unrelated texts.
fn prose(seed: u64, words: usize) -> String {
    let mut rng = XorShift::new(seed);
    (0..words)
        .map(|_| WORDS[rng.below(WORDS.len() as u64) as usize])
        .collect::<Vec<_>>()
        .join(" ")
}

fn request(
    product: &str,
    file: &str,
    function: &str,
    weakness: usize,
    text_seed: u64,
    vector: usize,
) -> FindingRequest {
    let (cwe, name) = WEAKNESSES[weakness];
    FindingRequest {
        title: format!("{name} in {function}"),
        description: format!(
            "A {name} in {function} of {file}: {}.",
            prose(text_seed, 40)
        ),
        product: product.to_owned(),
        versions_range: Some("vers:generic/>=1.0.0|<2.5.0".into()),
        cwe: cwe.to_owned(),
        cvss: Some(VECTORS[vector % VECTORS.len()].to_owned()),
        location: Location {
            file: Some(file.to_owned()),
            function: Some(function.to_owned()),
            line: Some(100 + (text_seed % 900) as u32),
            ..Location::default()
        },
        tool: "bench-model".into(),
        tool_version: Some("2026-11".into()),
        ..FindingRequest::default()
    }
}

fn seeded_request(n: usize) -> FindingRequest {
    let s = seeded(n);
    request(&s.product, &s.file, &s.function, s.weakness, n as u64, n)
}

/// A new organization, and a token-shaped actor holding `role` in it.
async fn participant(app: &App, name: &str, kind: OrgKind, role: Role) -> BenchResult<Actor> {
    let org = app
        .create_org(&Actor::system(), NewOrganization::parse(name, kind, None)?)
        .await?;
    Ok(Actor::token(
        TokenId::generate(),
        None,
        Grant { org: org.id, role },
    ))
}

/// What the measured intake planted, and so expects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Planted {
    New,
    Exact,
    Near,
    Resubmitted,
}

/// The `i`-th measured finding: what it is and who submits it.
fn planted(
    i: usize,
    existing: usize,
    findings: usize,
    run: usize,
) -> (Planted, usize, FindingRequest) {
    let mut rng = XorShift::new((run * 1_000_003 + i) as u64);
    // Distinct targets across both runs (1,000,003 is prime, so coprime with `existing`), so no
    // planted finding meets another one's target and changes its expected outcome.
    // `findings` is the row's size: indices over both rows stay below `existing`.
    let target = ((((run - 1) * findings + i) as u64 * 1_000_003) % existing as u64) as usize;
    let s = seeded(target);
    let kind = match i % 20 {
        0..=10 => Planted::New,
        11..=15 => Planted::Exact,
        16..=18 => Planted::Near,
        _ => Planted::Resubmitted,
    };
    match kind {
        Planted::New => {
            let product = format!("pkg:npm/fresh-run{run}-{i:06}@1.0.0");
            let request = request(
                &product,
                "lib/index.js",
                "main",
                i % WEAKNESSES.len(),
                rng.next(),
                i,
            );
            (kind, i % FINDERS, request)
        }
        Planted::Exact => {
            // Another AI developer found the same bug; its own words and line.
            let mut request = request(
                &s.product,
                &s.file,
                &s.function,
                s.weakness,
                rng.next(),
                target,
            );
            request.versions_range = Some("vers:generic/>=2.0.0|<2.5.0".into());
            (kind, (s.finder + 1 + i % (FINDERS - 1)) % FINDERS, request)
        }
        Planted::Near => {
            // Same place, same text with a sentence added, filed under another weakness.
            let mut request = seeded_request(target);
            request.cwe = WEAKNESSES[(s.weakness + 1) % WEAKNESSES.len()].0.to_owned();
            request
                .description
                .push_str(" Reproduced with a second payload.");
            (kind, (s.finder + 1) % FINDERS, request)
        }
        Planted::Resubmitted => (kind, s.finder, seeded_request(target)),
    }
}

fn expected(kind: Planted) -> Disposition {
    match kind {
        Planted::New => Disposition::NewCase,
        Planted::Exact => Disposition::Duplicate,
        Planted::Near => Disposition::NearDuplicate,
        Planted::Resubmitted => Disposition::AlreadyReported,
    }
}

fn with_extras(mut request: FindingRequest, i: usize) -> (FindingRequest, Option<String>) {
    if i.is_multiple_of(4) {
        request.attachments.push(AttachmentUpload {
            kind: AttachmentKind::ProofOfConcept,
            filename: "poc.py".into(),
            media_type: "text/x-python".into(),
            content: format!("import requests\n# {i}\n{}\n", prose(i as u64, 200)).into_bytes(),
        });
    }
    let key = i
        .is_multiple_of(2)
        .then(|| format!("bench-{i}-{}", request.product));
    (request, key)
}

struct IntakeRow {
    what: String,
    findings: usize,
    wall: Duration,
    latencies: Vec<Duration>,
    outcomes: [usize; 4],
    wrong: usize,
}

struct QueueRow {
    what: String,
    reads: usize,
    wall: Duration,
    latencies: Vec<Duration>,
    items: usize,
}

struct EngineReport {
    engine: &'static str,
    seeding: Vec<(usize, Duration)>,
    intake: Vec<IntakeRow>,
    queue: Vec<QueueRow>,
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> BenchResult<()> {
    let args = Args::parse()?;
    let started = Instant::now();
    let run_id = support::banner("Clearinghouse coordination benchmarks", &args);
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
    let wrong: usize = reports
        .iter()
        .flat_map(|r| &r.intake)
        .map(|row| row.wrong)
        .sum();
    if wrong > 0 {
        return Err(format!("{wrong} findings were not handled as planted").into());
    }
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
    let mut finders = Vec::new();
    for n in 0..FINDERS {
        let name = format!("Bench AI Lab {n}");
        finders.push(participant(&app, &name, OrgKind::AiDeveloper, Role::Finder).await?);
    }
    let analyst = participant(
        &app,
        "Bench Clearinghouse",
        OrgKind::Government,
        Role::Analyst,
    )
    .await?;
    let finders = Arc::new(finders);

    println!(
        "-- seeding {} findings ({} callers)",
        args.existing, args.concurrency
    );
    let seeding = seed(&app, &finders, args).await?;

    let mut intake = Vec::new();
    println!("-- intake at {} existing, 1 caller", args.existing);
    intake.push(measure_intake(&app, &finders, args, 1, 1).await?);
    println!(
        "-- intake at {} existing, {} callers",
        args.existing, args.concurrency
    );
    intake.push(measure_intake(&app, &finders, args, args.concurrency, 2).await?);

    println!("-- analysts' queue");
    let mut queue = measure_queue(&app, &analyst, args).await?;

    println!("-- case list");
    let vendor = participant(&app, "Bench Vendor", OrgKind::Vendor, Role::VendorContact).await?;
    let search = CaseQuery {
        search: Some("lib-000122".into()),
        ..CaseQuery::default()
    };
    for (what, actor, query) in [
        (
            "finder, member of 1/8 of the cases",
            &finders[0],
            CaseQuery::default(),
        ),
        ("vendor, member of none", &vendor, CaseQuery::default()),
        ("analyst, search \"lib-000122\"", &analyst, search),
    ] {
        let row = measure_case_list(&app, actor, &query, what, args.samples).await?;
        print_queue_row(&row);
        queue.push(row);
    }
    Ok(EngineReport {
        engine,
        seeding,
        intake,
        queue,
    })
}

/// Submits the existing findings; returns (findings so far, elapsed) at each tenth.
async fn seed(
    app: &App,
    finders: &Arc<Vec<Actor>>,
    args: &Args,
) -> BenchResult<Vec<(usize, Duration)>> {
    let started = Instant::now();
    let next = Arc::new(AtomicUsize::new(0));
    let done = Arc::new(AtomicUsize::new(0));
    let marks = Arc::new(std::sync::Mutex::new(Vec::new()));
    let tenth = (args.existing / 10).max(1);
    let mut tasks = Vec::new();
    for _ in 0..args.concurrency {
        let (app, finders, next, done, marks) = (
            app.clone(),
            finders.clone(),
            next.clone(),
            done.clone(),
            marks.clone(),
        );
        let existing = args.existing;
        tasks.push(tokio::spawn(async move {
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= existing {
                    return Ok::<_, String>(());
                }
                let outcome = app
                    .submit_finding(&finders[seeded(n).finder], &seeded_request(n), None)
                    .await
                    .map_err(|e| format!("seed {n}: {e}"))?;
                if outcome.disposition != Disposition::NewCase {
                    return Err(format!(
                        "seed {n}: {:?}, not a new case",
                        outcome.disposition
                    ));
                }
                let count = done.fetch_add(1, Ordering::Relaxed) + 1;
                if count % tenth == 0 {
                    let elapsed = started.elapsed();
                    println!(
                        "   {count:>7} findings in {:>6.1} s ({:.0}/s overall)",
                        elapsed.as_secs_f64(),
                        count as f64 / elapsed.as_secs_f64()
                    );
                    marks
                        .lock()
                        .map_err(|e| e.to_string())?
                        .push((count, elapsed));
                }
            }
        }));
    }
    for task in tasks {
        task.await??;
    }
    let marks = marks.lock().map_err(|e| e.to_string())?.clone();
    Ok(marks)
}

async fn measure_intake(
    app: &App,
    finders: &Arc<Vec<Actor>>,
    args: &Args,
    callers: usize,
    run: usize,
) -> BenchResult<IntakeRow> {
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..callers {
        let (app, finders, next) = (app.clone(), finders.clone(), next.clone());
        let (existing, total) = (args.existing, args.findings);
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut outcomes = [0usize; 4];
            let mut wrong = 0;
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= total {
                    return Ok::<_, String>((latencies, outcomes, wrong));
                }
                let (kind, finder, request) = planted(i, existing, total, run);
                let (request, key) = with_extras(request, i);
                let t = Instant::now();
                let outcome = app
                    .submit_finding(&finders[finder], &request, key.as_deref())
                    .await
                    .map_err(|e| format!("finding {i} ({kind:?}): {e}"))?;
                latencies.push(t.elapsed());
                outcomes[outcome.disposition as usize] += 1;
                if outcome.disposition != expected(kind) {
                    wrong += 1;
                    if wrong <= 3 {
                        println!(
                            "   finding {i}: planted {kind:?}, got {:?}",
                            outcome.disposition
                        );
                    }
                }
            }
        }));
    }
    let mut row = IntakeRow {
        what: format!(
            "App::submit_finding, {callers} caller{}",
            if callers == 1 { "" } else { "s" }
        ),
        findings: args.findings,
        wall: Duration::ZERO,
        latencies: Vec::new(),
        outcomes: [0; 4],
        wrong: 0,
    };
    for task in tasks {
        let (latencies, outcomes, wrong) = task.await??;
        row.latencies.extend(latencies);
        for (total, n) in row.outcomes.iter_mut().zip(outcomes) {
            *total += n;
        }
        row.wrong += wrong;
    }
    row.wall = started.elapsed();
    row.latencies.sort();
    println!(
        "   {} findings in {:.2} s: {:.0}/s, p50 {}, p99 {}; new {}, duplicate {}, near {}, already reported {}; {} not as planted",
        row.findings,
        row.wall.as_secs_f64(),
        row.findings as f64 / row.wall.as_secs_f64(),
        ms(percentile(&row.latencies, 50.0)),
        ms(percentile(&row.latencies, 99.0)),
        row.outcomes[Disposition::NewCase as usize],
        row.outcomes[Disposition::Duplicate as usize],
        row.outcomes[Disposition::NearDuplicate as usize],
        row.outcomes[Disposition::AlreadyReported as usize],
        row.wrong
    );
    Ok(row)
}

/// Reads queue pages: the first, and pages `depth` pages in (reached through cursors once, then
/// read directly from the cursor, as a browser following "next" does).
async fn measure_queue(app: &App, analyst: &Actor, args: &Args) -> BenchResult<Vec<QueueRow>> {
    let first = PageRequest::new(None, Some(QUEUE_PAGE));
    // Cursors at page 1, 10 and 100 (when the queue is that long).
    let mut cursors = vec![(1usize, None)];
    let mut cursor = None;
    for page in 1..=100usize {
        let got = app
            .queue(analyst, &PageRequest::new(cursor.clone(), Some(QUEUE_PAGE)))
            .await?;
        cursor = got.next_cursor;
        if cursor.is_none() {
            break;
        }
        if page == 9 || page == 99 {
            cursors.push((page + 1, cursor.clone()));
        }
    }
    let mut rows = Vec::new();
    for (page, cursor) in cursors {
        let request = PageRequest::new(cursor, Some(QUEUE_PAGE));
        let started = Instant::now();
        let mut latencies = Vec::with_capacity(args.samples);
        let mut items = 0;
        for _ in 0..args.samples {
            let t = Instant::now();
            let got = app.queue(analyst, &request).await?;
            latencies.push(t.elapsed());
            items = got.items.len();
        }
        latencies.sort();
        let row = QueueRow {
            what: format!("App::queue page {page} ({QUEUE_PAGE} items), 1 caller"),
            reads: args.samples,
            wall: started.elapsed(),
            latencies,
            items,
        };
        print_queue_row(&row);
        rows.push(row);
    }
    // Concurrent readers on the first page.
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..QUEUE_TASKS {
        let (app, analyst, first) = (app.clone(), analyst.clone(), first.clone());
        let samples = args.samples;
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut items = 0;
            for _ in 0..samples {
                let t = Instant::now();
                let got = app
                    .queue(&analyst, &first)
                    .await
                    .map_err(|e| e.to_string())?;
                latencies.push(t.elapsed());
                items = got.items.len();
            }
            Ok::<_, String>((latencies, items))
        }));
    }
    let mut latencies = Vec::new();
    let mut items = 0;
    for task in tasks {
        let (more, n) = task.await??;
        latencies.extend(more);
        items = n;
    }
    latencies.sort();
    let row = QueueRow {
        what: format!("App::queue page 1, {QUEUE_TASKS} concurrent callers"),
        reads: latencies.len(),
        wall: started.elapsed(),
        latencies,
        items,
    };
    print_queue_row(&row);
    rows.push(row);
    Ok(rows)
}

async fn measure_case_list(
    app: &App,
    actor: &Actor,
    query: &CaseQuery,
    what: &str,
    samples: usize,
) -> BenchResult<QueueRow> {
    // The worst case may be slow: a tenth of the samples, at least ten.
    let samples = (samples / 10).max(10);
    let page = PageRequest::new(None, Some(QUEUE_PAGE));
    let started = Instant::now();
    let mut latencies = Vec::with_capacity(samples);
    let mut items = 0;
    for _ in 0..samples {
        let t = Instant::now();
        let got = app.cases(actor, query, &page).await?;
        latencies.push(t.elapsed());
        items = got.items.len();
    }
    latencies.sort();
    Ok(QueueRow {
        what: format!("App::cases first page, {what}"),
        reads: samples,
        wall: started.elapsed(),
        latencies,
        items,
    })
}

fn print_queue_row(row: &QueueRow) {
    println!(
        "   {}: {} reads, {:.0}/s, p50 {}, p95 {}, p99 {} ({} items)",
        row.what,
        row.reads,
        row.reads as f64 / row.wall.as_secs_f64(),
        ms(percentile(&row.latencies, 50.0)),
        ms(percentile(&row.latencies, 95.0)),
        ms(percentile(&row.latencies, 99.0)),
        row.items
    );
}

fn print_report(report: &EngineReport, args: &Args) {
    println!("\n### {}", report.engine);
    println!(
        "\nSeeding {} findings through App::submit_finding, {} callers:\n",
        args.existing, args.concurrency
    );
    println!("| findings stored | elapsed | overall rate | rate over the last tenth |");
    println!("| ---: | ---: | ---: | ---: |");
    let mut previous = (0usize, Duration::ZERO);
    for (count, elapsed) in &report.seeding {
        let step = (*count - previous.0) as f64 / (*elapsed - previous.1).as_secs_f64();
        println!(
            "| {count} | {:.1} s | {:.0}/s | {step:.0}/s |",
            elapsed.as_secs_f64(),
            *count as f64 / elapsed.as_secs_f64()
        );
        previous = (*count, *elapsed);
    }
    println!(
        "\nIntake at {} existing findings ({} per row: 55% new, 25% exact duplicates from another finder, 15% near duplicates, 5% resubmitted by their finder; 25% with a sealed PoC, 50% with an idempotency key):\n",
        args.existing, args.findings
    );
    println!(
        "| what | findings/s | p50 | p95 | p99 | new | duplicate | near | already reported | not as planted |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for row in &report.intake {
        println!(
            "| {} | {:.0} | {} | {} | {} | {} | {} | {} | {} | {} |",
            row.what,
            row.findings as f64 / row.wall.as_secs_f64(),
            ms(percentile(&row.latencies, 50.0)),
            ms(percentile(&row.latencies, 95.0)),
            ms(percentile(&row.latencies, 99.0)),
            row.outcomes[Disposition::NewCase as usize],
            row.outcomes[Disposition::Duplicate as usize],
            row.outcomes[Disposition::NearDuplicate as usize],
            row.outcomes[Disposition::AlreadyReported as usize],
            row.wrong
        );
    }
    println!("\nThe analysts' queue with every case open, and the case list:\n");
    println!("| what | reads/s | p50 | p95 | p99 |");
    println!("| --- | ---: | ---: | ---: | ---: |");
    for row in &report.queue {
        println!(
            "| {} | {:.0} | {} | {} | {} |",
            row.what,
            row.reads as f64 / row.wall.as_secs_f64(),
            ms(percentile(&row.latencies, 50.0)),
            ms(percentile(&row.latencies, 95.0)),
            ms(percentile(&row.latencies, 99.0)),
        );
    }
}
