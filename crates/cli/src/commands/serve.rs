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
    /// Largest accepted request body, in bytes.
    #[arg(long, default_value_t = 1024 * 1024, value_name = "BYTES")]
    max_body: usize,
    /// Log line format.
    #[arg(long, value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
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
    let app = args.data.open().await?;
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
    };
    let state = AppState::new(app, config);
    clearinghouse_server::serve(listener, state, shutdown_signal()).await?;
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
