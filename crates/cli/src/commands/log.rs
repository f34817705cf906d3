//! `clearinghouse log …`: export and verify the tamper-evident log, offline or against a server.
//!
//! Verification trusts nothing the server says except through the log key: the checkpoint's
//! signature is checked against the pinned key, every entry's leaf is hashed here and proved into
//! the checkpoint, and an older checkpoint saved earlier must be consistent with the new one
//! (the log only grew; nothing was rewritten).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use clap::Subcommand;
use clearinghouse_domain::audit::LeafContent;
use clearinghouse_tlog::{EntryProof, Hash, NoteVerifier, verify_log_snapshot};
use serde::{Deserialize, Serialize};

use crate::client::{ApiClient, ServerArgs};
use crate::exit::{CHECK_FAILED, CodedError, USAGE};
use crate::output;

/// Export and verify the tamper-evident log.
#[derive(Debug, clap::Args)]
pub struct LogArgs {
    #[command(subcommand)]
    command: LogCommand,
}

#[derive(Debug, Subcommand)]
enum LogCommand {
    /// Verify the checkpoint's signature, every entry's inclusion proof and, given an older
    /// checkpoint, that the log only grew. Exit status 1 if anything fails to verify.
    #[command(after_help = "Examples:
  clearinghouse log verify --server http://127.0.0.1:8080 --token $TOKEN --key \"$(cat log.vkey)\" --save-checkpoint seen.note
  clearinghouse log verify --server http://127.0.0.1:8080 --key \"$(cat log.vkey)\" --previous seen.note
  clearinghouse log verify --bundle evidence.json --key \"$(cat log.vkey)\"        # offline")]
    Verify(VerifyArgs),
    /// Download the checkpoint, entries and proofs into a bundle for offline verification.
    Export {
        #[command(flatten)]
        server: ServerArgs,
        /// Where to write the bundle (JSON).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// An older checkpoint note to include a consistency proof from.
        #[arg(long, value_name = "FILE")]
        previous: Option<PathBuf>,
    },
}

#[derive(Debug, clap::Args)]
struct VerifyArgs {
    #[command(flatten)]
    server: ServerArgs,
    /// A bundle written by `log export`, verified offline.
    #[arg(long, value_name = "FILE", conflicts_with = "server")]
    bundle: Option<PathBuf>,
    /// The log's verifier key (`name+keyid+base64`), pinned. Without it the key is taken from the
    /// bundle or the server, which proves only internal consistency.
    #[arg(long, value_name = "VKEY")]
    key: Option<String>,
    /// An older checkpoint note; the current tree must extend it.
    #[arg(long, value_name = "FILE")]
    previous: Option<PathBuf>,
    /// Write the verified checkpoint here, to pass as --previous next time.
    #[arg(long, value_name = "FILE")]
    save_checkpoint: Option<PathBuf>,
    /// Print a JSON report.
    #[arg(long)]
    json: bool,
}

/// Everything needed to verify a log offline.
#[derive(Debug, Serialize, Deserialize)]
struct Bundle {
    key: String,
    checkpoint: String,
    entries: Vec<BundleEntry>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    previous: Option<PreviousCheckpoint>,
}

#[derive(Debug, Serialize, Deserialize)]
struct BundleEntry {
    index: u64,
    leaf: String,
    proof: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize)]
struct PreviousCheckpoint {
    checkpoint: String,
    consistency: Vec<String>,
}

pub fn run(args: LogArgs) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        match args.command {
            LogCommand::Export {
                server,
                out,
                previous,
            } => {
                let bundle = fetch_bundle(&server, previous.as_ref()).await?;
                std::fs::write(&out, serde_json::to_vec_pretty(&bundle)?)
                    .with_context(|| format!("cannot write {}", out.display()))?;
                eprintln!(
                    "wrote {} entries and the checkpoint to {}",
                    bundle.entries.len(),
                    out.display()
                );
                Ok(ExitCode::SUCCESS)
            }
            LogCommand::Verify(args) => verify(args).await,
        }
    })
}

async fn fetch_bundle(server: &ServerArgs, previous: Option<&PathBuf>) -> anyhow::Result<Bundle> {
    let url = server.server.as_deref().ok_or_else(|| {
        CodedError::new(
            USAGE,
            "pass --server URL (or --bundle FILE to verify offline)",
        )
    })?;
    let client = ApiClient::new(url, server.token.clone())?;
    let key = client.get_text("/api/v1/log/key").await?.trim().to_owned();
    let checkpoint = client.get_text("/api/v1/log/checkpoint").await?;
    let size: u64 = checkpoint
        .lines()
        .nth(1)
        .and_then(|l| l.parse().ok())
        .ok_or_else(|| {
            CodedError::new(
                CHECK_FAILED,
                "the server's checkpoint has no tree size line",
            )
        })?;
    let mut entries = Vec::with_capacity(size as usize);
    let mut from = 0;
    while from < size {
        let page: serde_json::Value = client
            .get_json(&format!("/api/v1/log/entries?from={from}&limit=500"))
            .await?;
        let items = page
            .get("items")
            .and_then(|i| i.as_array())
            .cloned()
            .unwrap_or_default();
        if items.is_empty() {
            break;
        }
        for item in items {
            let index = item
                .get("index")
                .and_then(|i| i.as_u64())
                .unwrap_or(u64::MAX);
            if index >= size {
                continue;
            }
            let leaf = item
                .get("leaf")
                .and_then(|l| l.as_str())
                .unwrap_or_default()
                .to_owned();
            let proof: serde_json::Value = client
                .get_json(&format!(
                    "/api/v1/log/proof/inclusion?index={index}&tree_size={size}"
                ))
                .await?;
            entries.push(BundleEntry {
                index,
                leaf,
                proof: hashes_of(&proof),
            });
            from = index + 1;
        }
    }
    let previous = match previous {
        Some(path) => {
            let old = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            let old_size: u64 =
                old.lines()
                    .nth(1)
                    .and_then(|l| l.parse().ok())
                    .ok_or_else(|| {
                        CodedError::new(
                            USAGE,
                            format!(
                                "{} is not a checkpoint note (no tree size on line 2)",
                                path.display()
                            ),
                        )
                    })?;
            let proof: serde_json::Value = client
                .get_json(&format!(
                    "/api/v1/log/proof/consistency?from={old_size}&to={size}"
                ))
                .await?;
            Some(PreviousCheckpoint {
                checkpoint: old,
                consistency: hashes_of(&proof),
            })
        }
        None => None,
    };
    Ok(Bundle {
        key,
        checkpoint,
        entries,
        previous,
    })
}

fn hashes_of(proof: &serde_json::Value) -> Vec<String> {
    proof
        .get("hashes")
        .and_then(|h| h.as_array())
        .map(|hashes| {
            hashes
                .iter()
                .filter_map(|h| h.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn decode_hashes(encoded: &[String], what: &str) -> anyhow::Result<Vec<Hash>> {
    encoded
        .iter()
        .map(|h| {
            B64.decode(h)
                .ok()
                .and_then(|bytes| <Hash>::try_from(bytes.as_slice()).ok())
                .ok_or_else(|| {
                    CodedError::new(
                        CHECK_FAILED,
                        format!("{what}: {h:?} is not a base64 SHA-256 hash"),
                    )
                    .into()
                })
        })
        .collect()
}

#[derive(Serialize)]
struct Report {
    origin: String,
    tree_size: u64,
    root: String,
    key: String,
    key_pinned: bool,
    entries_checked: usize,
    entries_failed: Vec<String>,
    consistency: Option<String>,
    verified: bool,
}

async fn verify(args: VerifyArgs) -> anyhow::Result<ExitCode> {
    let bundle = match &args.bundle {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            let bundle: Bundle = serde_json::from_str(&text).map_err(|e| {
                CodedError::new(
                    USAGE,
                    format!("{} is not a log bundle: {e}", path.display()),
                )
            })?;
            if let (Some(previous), None) = (&args.previous, &bundle.previous) {
                return Err(CodedError::new(
                    USAGE,
                    format!(
                        "an offline bundle carries its own consistency proof; re-export it with --previous {}",
                        previous.display()
                    ),
                )
                .into());
            }
            bundle
        }
        None => fetch_bundle(&args.server, args.previous.as_ref()).await?,
    };
    let key_text = args.key.clone().unwrap_or_else(|| bundle.key.clone());
    let verifier = NoteVerifier::parse(key_text.trim())
        .map_err(|e| CodedError::new(USAGE, format!("--key: {e}")))?;
    if args.key.is_none() {
        eprintln!(
            "warning: no --key given; trusting the key the log itself supplied ({})",
            verifier.to_vkey()
        );
    }
    let mut entries = Vec::with_capacity(bundle.entries.len());
    let mut failures = Vec::new();
    for entry in &bundle.entries {
        let leaf = B64.decode(&entry.leaf).map_err(|e| {
            CodedError::new(
                CHECK_FAILED,
                format!("entry {}: leaf is not base64: {e}", entry.index),
            )
        })?;
        match LeafContent::decode(&leaf) {
            Some(content) if content.index == entry.index => {}
            Some(content) => failures.push(format!(
                "entry {}: its leaf claims index {}",
                entry.index, content.index
            )),
            None => failures.push(format!(
                "entry {}: the leaf is not a Clearinghouse log record",
                entry.index
            )),
        }
        entries.push(EntryProof {
            index: entry.index,
            leaf,
            proof: decode_hashes(&entry.proof, &format!("entry {}", entry.index))?,
        });
    }
    let consistency_hashes = match &bundle.previous {
        Some(previous) => Some((
            previous.checkpoint.as_str(),
            decode_hashes(&previous.consistency, "consistency proof")?,
        )),
        None => None,
    };
    let report = verify_log_snapshot(
        &bundle.checkpoint,
        &verifier,
        &entries,
        consistency_hashes
            .as_ref()
            .map(|(note, proof)| (*note, proof.as_slice())),
    )
    .map_err(|e| CodedError::new(CHECK_FAILED, format!("checkpoint does not verify: {e}")))?;
    for entry in &report.entries {
        if let Err(e) = &entry.outcome {
            failures.push(format!("entry {}: {e}", entry.index));
        }
    }
    let size = report.checkpoint.size;
    if (report.entries.len() as u64) < size {
        failures.push(format!(
            "only {} of {size} entries were supplied",
            report.entries.len()
        ));
    }
    let consistency = report.consistency.as_ref().map(|c| match &c.outcome {
        Ok(()) => format!(
            "consistent with the older checkpoint of size {}",
            c.older.size
        ),
        Err(e) => format!(
            "NOT consistent with the older checkpoint of size {}: {e}",
            c.older.size
        ),
    });
    let verified = failures.is_empty() && report.all_verified();
    let summary = Report {
        origin: report.checkpoint.origin.clone(),
        tree_size: size,
        root: B64.encode(report.checkpoint.root),
        key: verifier.to_vkey(),
        key_pinned: args.key.is_some(),
        entries_checked: report.entries.len(),
        entries_failed: failures.clone(),
        consistency,
        verified,
    };
    if let (Some(path), true) = (&args.save_checkpoint, verified) {
        std::fs::write(path, &bundle.checkpoint)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    if args.json {
        output::json(&summary)?;
    } else {
        println!("log        {}", summary.origin);
        println!("tree size  {}", summary.tree_size);
        println!("root       {}", summary.root);
        println!(
            "key        {}{}",
            summary.key,
            if summary.key_pinned {
                " (pinned)"
            } else {
                " (from the log, not pinned)"
            }
        );
        println!(
            "entries    {} checked, {} failed",
            summary.entries_checked,
            summary.entries_failed.len()
        );
        if let Some(c) = &summary.consistency {
            println!("history    {c}");
        }
        for failure in &summary.entries_failed {
            println!("  FAILED: {failure}");
        }
        println!("{}", if verified { "VERIFIED" } else { "NOT VERIFIED" });
    }
    Ok(if verified {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(CHECK_FAILED)
    })
}
