//! `clearinghouse import`: loads advisories, KEV, EPSS and CVE records into the knowledge base,
//! directly on the data directory or database, or through a server's API with `--server`.

use std::process::ExitCode;

use anyhow::Context as _;
use clearinghouse_app::knowledge::{ImportKind, ImportSummary};
use clearinghouse_domain::authz::Actor;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;

use crate::client::{ApiClient, ServerArgs};
use crate::exit::{CHECK_FAILED, CodedError, FAILURE, USAGE};
use crate::location::DataArgs;
use crate::output;

/// What to import.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Kind {
    /// OSV records: a directory (JSON/YAML, recursive), one file, or a zip such as osv.dev's
    /// per-ecosystem all.zip (path or URL).
    Osv,
    /// CSAF 2.0: a directory, one document, or a provider (provider-metadata.json URL or path, or a
    /// domain): ROLIE feeds or changes.csv/index.txt, each document checked against its .sha512.
    Csaf,
    /// CISA's Known Exploited Vulnerabilities catalog (JSON, path or URL).
    Kev,
    /// FIRST's EPSS daily CSV (plain or .gz, path or URL).
    Epss,
    /// CVE JSON 5 records with CISA ADP data: a directory such as cisagov/vulnrichment, one file, or
    /// a zip.
    Cve,
    /// CycloneDX VEX documents from vendors (a directory, one file or a zip): their
    /// `vulnerabilities[].analysis` mark matches not affected for every operator.
    Vex,
}

impl Kind {
    fn service(self) -> ImportKind {
        match self {
            Kind::Osv => ImportKind::Osv,
            Kind::Csaf => ImportKind::Csaf,
            Kind::Kev => ImportKind::Kev,
            Kind::Epss => ImportKind::Epss,
            Kind::Cve => ImportKind::Cve,
            Kind::Vex => ImportKind::Vex,
        }
    }
}

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  clearinghouse import osv ~/osv/PyPI/all.zip\n  clearinghouse import csaf https://www.example.com/.well-known/csaf/provider-metadata.json\n  clearinghouse import kev known_exploited_vulnerabilities.json --server http://127.0.0.1:8080\n  clearinghouse import cve vulnrichment/ --json\n  clearinghouse import vex vendor-vex/\n\nImporting is idempotent: documents already stored with the same digest are counted as unchanged.\nA document that cannot be read is rejected with its reason and the others go on.\nExit status: 0 all imported, 1 some documents rejected, 3 source not found, 4 failure, 5 denied."
)]
pub struct ImportArgs {
    /// What the sources hold.
    #[arg(value_enum)]
    kind: Kind,
    /// Paths or http(s) URLs.
    #[arg(required = true, value_name = "PATH_OR_URL")]
    sources: Vec<String>,
    /// Skip documents whose listing says they did not change since this time (RFC 3339).
    #[arg(long, value_name = "TIME")]
    since: Option<jiff::Timestamp>,
    /// Print the summary as JSON.
    #[arg(long)]
    json: bool,
    /// No progress bar.
    #[arg(long, short)]
    quiet: bool,
    #[command(flatten)]
    data: DataArgs,
    #[command(flatten)]
    server: ServerArgs,
}

pub fn run(args: ImportArgs) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let summary = runtime.block_on(async {
        match &args.server.server {
            Some(url) => remote(&ApiClient::new(url, args.server.token.clone())?, &args).await,
            None => direct(&args).await,
        }
    })?;
    print_summary(&args, &summary)?;
    Ok(if summary.rejected.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(CHECK_FAILED)
    })
}

fn progress_bar(quiet: bool, source: &str) -> ProgressBar {
    let bar = ProgressBar::new(0);
    if quiet || !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} documents ({per_sec}, {eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message(source.to_owned());
    bar
}

async fn direct(args: &ImportArgs) -> anyhow::Result<ImportSummary> {
    let app = args.data.open().await?;
    let options = clearinghouse_feeds::FeedOptions {
        since: args.since,
        ..Default::default()
    };
    let mut summary = ImportSummary::default();
    for source in &args.sources {
        let bar = progress_bar(args.quiet, source);
        let mut progress = |done: u64, total: Option<u64>| {
            if let Some(total) = total {
                bar.set_length(total);
            }
            bar.set_position(done);
        };
        let result = app
            .import_source(
                &Actor::system(),
                args.kind.service(),
                source,
                &options,
                &mut progress,
            )
            .await;
        bar.finish_and_clear();
        match result {
            Ok(one) => summary.absorb(one),
            Err(clearinghouse_app::Error::Invalid { problem, .. }) => {
                return Err(CodedError::new(crate::exit::NOT_FOUND, problem).into());
            }
            Err(other) => return Err(CodedError::new(FAILURE, other.to_string()).into()),
        }
    }
    Ok(summary)
}

/// Through a server: URLs are fetched by the server; local paths are read here and their
/// documents sent in batches.
async fn remote(client: &ApiClient, args: &ImportArgs) -> anyhow::Result<ImportSummary> {
    let kind = args.kind.service().as_str();
    let path = format!("/api/v1/imports/{kind}");
    let mut summary = ImportSummary::default();
    for source in &args.sources {
        if source.starts_with("http://") || source.starts_with("https://") {
            let body = json!({"source": source, "since": args.since});
            let one: ImportSummary = serde_json::from_value(client.post_json(&path, &body).await?)
                .context("reading the server's import summary")?;
            summary.absorb(one);
            continue;
        }
        let options = clearinghouse_feeds::FeedOptions {
            since: args.since,
            ..Default::default()
        };
        let mut feed = clearinghouse_feeds::open(args.kind.service().feed_kind(), source, &options)
            .await
            .map_err(|e| CodedError::new(crate::exit::NOT_FOUND, e.to_string()))?;
        let bar = progress_bar(args.quiet, source);
        bar.set_length(feed.estimated_len().unwrap_or(0));
        let mut batch = Vec::new();
        while let Some(item) = feed.next().await {
            bar.inc(1);
            match item {
                clearinghouse_feeds::FeedItem::Document(document) => {
                    let content = String::from_utf8(document.bytes).map_err(|_| {
                        CodedError::new(USAGE, format!("{} is not UTF-8 text", document.location))
                    })?;
                    batch.push(json!({"location": document.location, "content": content}));
                }
                clearinghouse_feeds::FeedItem::Rejected { location, reason } => summary
                    .rejected
                    .push(clearinghouse_app::knowledge::Rejection { location, reason }),
            }
            if batch.len() >= 100 {
                let body = json!({"documents": std::mem::take(&mut batch)});
                summary.absorb(serde_json::from_value(
                    client.post_json(&path, &body).await?,
                )?);
            }
        }
        if !batch.is_empty() {
            let body = json!({"documents": batch});
            summary.absorb(serde_json::from_value(
                client.post_json(&path, &body).await?,
            )?);
        }
        bar.finish_and_clear();
    }
    Ok(summary)
}

fn print_summary(args: &ImportArgs, summary: &ImportSummary) -> anyhow::Result<()> {
    if args.json {
        return output::json(summary);
    }
    output::table(
        &["new", "updated", "unchanged", "rejected", "matches added"],
        [vec![
            summary.new.to_string(),
            summary.updated.to_string(),
            summary.unchanged.to_string(),
            summary.rejected.len().to_string(),
            summary.matches_added.to_string(),
        ]],
    );
    for rejection in &summary.rejected {
        eprintln!("rejected {}: {}", rejection.location, rejection.reason);
    }
    Ok(())
}
