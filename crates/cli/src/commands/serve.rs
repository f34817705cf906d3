//! `clearinghouse serve`: the HTTP API and web UI.

use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::process::ExitCode;

use anyhow::Context as _;
use clearinghouse_server::{AppState, ServerConfig};

use crate::location::DataArgs;
use crate::telemetry::{self, LogFormat};

/// Run the server.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  clearinghouse serve                                   # SQLite in ./clearinghouse-data, http://127.0.0.1:8080
  clearinghouse serve --demo                            # the same, filled with a synthetic demo world
  clearinghouse serve --listen 0.0.0.0:8080 --database postgres://ch@db/clearinghouse
                                                        # one of several servers sharing PostgreSQL")]
pub struct ServeArgs {
    /// Address and port to listen on.
    #[arg(
        long,
        env = "CLEARINGHOUSE_LISTEN",
        default_value = "127.0.0.1:8080",
        value_name = "ADDR"
    )]
    listen: SocketAddr,
    #[command(flatten)]
    data: DataArgs,
    /// The URL people reach this server at, for links printed on the console (default: from --listen).
    #[arg(long, env = "CLEARINGHOUSE_PUBLIC_URL", value_name = "URL")]
    public_url: Option<String>,
    /// Fill an empty data directory with a synthetic demo world (agencies, an AI company, vendors,
    /// operators in several sectors) so the UI is populated at once.
    #[arg(long)]
    demo: bool,
    /// Sustained requests per second allowed per token or signed-in person.
    #[arg(long, default_value_t = NonZeroU32::new(50).unwrap_or(NonZeroU32::MIN), value_name = "N")]
    rate_limit: NonZeroU32,
    /// Requests allowed in a burst above the sustained rate.
    #[arg(long, default_value_t = NonZeroU32::new(200).unwrap_or(NonZeroU32::MIN), value_name = "N")]
    rate_burst: NonZeroU32,
    /// Largest accepted request body, in bytes (imports and SBOM uploads may need more).
    #[arg(long, default_value_t = 32 * 1024 * 1024, value_name = "BYTES")]
    max_body: usize,
    /// SMTP server for e-mail notifications: smtp://user:pass@host:25?from=addr, smtps://…
    /// (465) or smtp+starttls://… (587). Without it, e-mail deliveries wait with the reason shown.
    #[arg(
        long,
        env = "CLEARINGHOUSE_SMTP_URL",
        value_name = "URL",
        hide_env_values = true
    )]
    smtp: Option<String>,
    /// Let webhooks go to loopback, private, link-local and metadata addresses. Off by default:
    /// subscribers could otherwise make this server send requests into its internal network.
    #[arg(long, env = "CLEARINGHOUSE_ALLOW_PRIVATE_WEBHOOKS")]
    allow_private_webhooks: bool,
    /// Seconds between rounds of background work (pending matching, notification delivery).
    #[arg(long, default_value_t = 2, value_name = "SECONDS")]
    work_interval: u64,
    /// A scheduled import: KIND=SOURCE@HOURS, e.g. kev=https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json@6
    /// (repeatable; KIND is osv, csaf, kev, epss, cve or vex; HOURS defaults to 24).
    #[arg(long = "sync", value_name = "KIND=SOURCE@HOURS", value_parser = parse_sync)]
    syncs: Vec<Sync>,
    /// Independent reproductions that validate a case.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=10), value_name = "N")]
    validation_quorum: u32,
    /// Independent reproductions that validate a critical case (CVSS base score 9.0 or more).
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..=10), value_name = "N")]
    critical_quorum: u32,
    /// Log line format.
    #[arg(long, value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
}

/// One scheduled import.
#[derive(Debug, Clone)]
pub struct Sync {
    kind: clearinghouse_app::knowledge::ImportKind,
    source: String,
    every: std::time::Duration,
}

fn parse_sync(text: &str) -> Result<Sync, String> {
    let (kind, rest) = text.split_once('=').ok_or(
        "expected KIND=SOURCE@HOURS, e.g. kev=https://…/known_exploited_vulnerabilities.json@6",
    )?;
    let kind = clearinghouse_app::knowledge::ImportKind::parse(kind).ok_or_else(|| {
        format!("unknown kind {kind:?}; expected osv, csaf, kev, epss, cve or vex")
    })?;
    let (source, hours) = match rest.rsplit_once('@') {
        Some((source, hours)) if hours.parse::<f64>().is_ok() => {
            (source, hours.parse::<f64>().unwrap_or(24.0))
        }
        _ => (rest, 24.0),
    };
    if source.is_empty() || !(hours > 0.0 && hours <= 24.0 * 30.0) {
        return Err("the source must not be empty and HOURS must be between 0 and 720".into());
    }
    Ok(Sync {
        kind,
        source: source.to_owned(),
        every: std::time::Duration::from_secs_f64(hours * 3600.0),
    })
}

/// Runs one scheduled import forever; each run asks only for what changed since the last good one.
fn spawn_sync(app: clearinghouse_app::App, sync: Sync) {
    tokio::spawn(async move {
        let mut since: Option<jiff::Timestamp> = None;
        loop {
            let started = clearinghouse_domain::time::now();
            let options = clearinghouse_feeds::FeedOptions {
                since,
                ..Default::default()
            };
            let mut quiet = |_: u64, _: Option<u64>| {};
            match app
                .import_source(
                    &clearinghouse_domain::authz::Actor::system(),
                    sync.kind,
                    &sync.source,
                    &options,
                    &mut quiet,
                )
                .await
            {
                Ok(summary) => {
                    tracing::info!(
                        kind = sync.kind.as_str(),
                        new = summary.new,
                        updated = summary.updated,
                        unchanged = summary.unchanged,
                        rejected = summary.rejected.len(),
                        "scheduled import"
                    );
                    since = Some(started);
                }
                Err(error) => {
                    tracing::warn!(kind = sync.kind.as_str(), %error, "scheduled import failed")
                }
            }
            tokio::time::sleep(sync.every).await;
        }
    });
}

/// Password of the demo people, printed when `--demo` seeds them.
const DEMO_PASSWORD: &str = "demo-password-2026";

pub fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    telemetry::init(args.log_format);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(serve(args))
}

async fn serve(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let app = args
        .data
        .open()
        .await?
        .with_coordination_policy(clearinghouse_app::coordination::CoordinationPolicy {
            quorum: args.validation_quorum,
            critical_quorum: args.critical_quorum,
            ..Default::default()
        })
        .with_private_webhooks(args.allow_private_webhooks);
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let local = listener.local_addr()?;
    let public_url = args
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{local}"))
        .trim_end_matches('/')
        .to_owned();
    let secure_cookies = public_url.starts_with("https://");

    let bootstrapped = app.bootstrap_if_empty().await?;
    println!(
        "Clearinghouse listening on {public_url} ({})",
        args.data.describe()
    );
    if let Some(first) = &bootstrapped {
        println!(
            "First start: sign in as the administrator with this one-time link (valid 24 hours):"
        );
        println!("  {public_url}/signin/link?token={}", first.signin_secret);
    }
    if args.demo {
        if bootstrapped.is_some() {
            let people = app.seed_demo(DEMO_PASSWORD).await?;
            println!("Demo world created. Demo people (password {DEMO_PASSWORD:?}):");
            for (email, org, role) in people {
                println!("  {email:<32} {role:<18} {org}");
            }
        } else {
            println!("--demo ignored: the data is not empty");
        }
    }
    let config = ServerConfig {
        rate_per_second: args.rate_limit,
        rate_burst: args.rate_burst,
        max_body_bytes: args.max_body,
        secure_cookies,
        engine: args.data.engine(),
        allow_private_webhooks: args.allow_private_webhooks,
    };
    let mailer = match &args.smtp {
        Some(url) => {
            let config = clearinghouse_notify::SmtpConfig::from_url(url).context("--smtp")?;
            Some(clearinghouse_notify::Mailer::new(&config).context("--smtp")?)
        }
        None => None,
    };
    let notifier = app.notifier(
        mailer,
        clearinghouse_notify::Backoff::default(),
        Some(public_url.clone()),
    )?;
    let background = app.spawn_background(
        notifier,
        std::time::Duration::from_secs(args.work_interval.max(1)),
    );
    for sync in &args.syncs {
        spawn_sync(app.clone(), sync.clone());
    }
    let state = AppState::new(app, config);
    clearinghouse_server::serve(listener, state, shutdown_signal()).await?;
    background.abort();
    println!("Clearinghouse stopped");
    Ok(ExitCode::SUCCESS)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
