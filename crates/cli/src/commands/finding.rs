//! `clearinghouse finding …`: submit findings (a JSON file in the API's format, or a SARIF log)
//! through a server's API. Findings are always submitted through a server, as the finder's token,
//! so that the log records who reported what.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Subcommand;
use serde_json::{Value, json};

use crate::client::{ApiClient, ServerArgs, encode};
use crate::exit::{CHECK_FAILED, CodedError, USAGE};
use crate::output;

/// Submit findings.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  clearinghouse finding submit finding.json --attach proof_of_concept=poc.py --server http://127.0.0.1:8080 --token $TOKEN
  clearinghouse finding sarif results.sarif --product pkg:npm/left-pad@1.3.0 --campaign 0192… --json

finding.json is the body of POST /api/v1/findings: title, description, product (purl or CPE),
versions ({\"vers\": …} or {\"list\": […]}), cwe, cvss, location, provenance ({\"tool\": …}),
known_ids, tlp, credit_public. Exact duplicates join the existing case (the earlier finder keeps
priority), near duplicates are proposed to analysts. A retry with the same --idempotency-key gets
the first answer.
Exit status: 0 accepted, 1 some SARIF results rejected, 2 bad input, 3 not found, 4 failure, 5 denied.")]
pub struct FindingArgs {
    #[command(flatten)]
    server: ServerArgs,
    /// Print JSON instead of tables.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: FindingCommand,
}

#[derive(Debug, Subcommand)]
enum FindingCommand {
    /// Submit one finding from a JSON file.
    Submit {
        /// The finding, as the API takes it.
        file: PathBuf,
        /// Attach a file: KIND=PATH, KIND one of proof_of_concept, log, evidence, other
        /// (repeatable). Encrypted at rest on the server.
        #[arg(long = "attach", value_name = "KIND=PATH")]
        attachments: Vec<String>,
        /// Makes a retry return the first response (unique per organization).
        #[arg(long, value_name = "KEY")]
        idempotency_key: Option<String>,
    },
    /// Submit every result of a SARIF 2.1.0 log as a finding of one product.
    Sarif {
        /// The SARIF log.
        file: PathBuf,
        /// The scanned product: a package URL or CPE name (its version is the affected one).
        #[arg(long)]
        product: String,
        /// Affected versions, comma-separated (instead of the product's version).
        #[arg(long)]
        versions: Option<String>,
        /// Affected versions as a vers: range.
        #[arg(long)]
        vers: Option<String>,
        /// The scanning campaign the results were found under.
        #[arg(long, value_name = "ID")]
        campaign: Option<String>,
        /// The TLP mark asked for: CLEAR, GREEN, AMBER (default), AMBER+STRICT, RED.
        #[arg(long)]
        tlp: Option<String>,
        /// Makes a retry return the first report.
        #[arg(long, value_name = "KEY")]
        idempotency_key: Option<String>,
    },
}

pub fn run(args: FindingArgs) -> anyhow::Result<ExitCode> {
    let client = args.server.require("findings are submitted")?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        match &args.command {
            FindingCommand::Submit {
                file,
                attachments,
                idempotency_key,
            } => {
                submit(
                    &client,
                    args.json,
                    file,
                    attachments,
                    idempotency_key.as_deref(),
                )
                .await
            }
            FindingCommand::Sarif {
                file,
                product,
                versions,
                vers,
                campaign,
                tlp,
                idempotency_key,
            } => {
                let mut query = vec![("product", product.clone())];
                for (name, value) in [
                    ("versions", versions),
                    ("vers", vers),
                    ("campaign_id", campaign),
                    ("tlp", tlp),
                ] {
                    if let Some(value) = value {
                        query.push((name, value.clone()));
                    }
                }
                sarif(&client, args.json, file, &query, idempotency_key.as_deref()).await
            }
        }
    })
}

fn read(path: &Path) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| {
        let code = if e.kind() == std::io::ErrorKind::NotFound {
            crate::exit::NOT_FOUND
        } else {
            crate::exit::FAILURE
        };
        CodedError::new(code, format!("cannot read {}: {e}", path.display())).into()
    })
}

fn idempotency(key: Option<&str>) -> Vec<(&'static str, String)> {
    key.map(|k| vec![("Idempotency-Key", k.to_owned())])
        .unwrap_or_default()
}

async fn submit(
    client: &ApiClient,
    as_json: bool,
    file: &Path,
    attachments: &[String],
    key: Option<&str>,
) -> anyhow::Result<ExitCode> {
    use base64::Engine as _;
    let mut body: Value = serde_json::from_slice(&read(file)?)
        .map_err(|e| CodedError::new(USAGE, format!("{} is not JSON: {e}", file.display())))?;
    for attachment in attachments {
        let (kind, path) = attachment.split_once('=').ok_or_else(|| {
            CodedError::new(
                USAGE,
                format!("--attach {attachment:?}: expected KIND=PATH"),
            )
        })?;
        let path = Path::new(path);
        let content = read(path)?;
        let filename = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("attachment")
            .to_owned();
        let entry = json!({"kind": kind, "filename": filename, "media_type": "application/octet-stream",
            "content_base64": base64::engine::general_purpose::STANDARD.encode(content)});
        match body.get_mut("attachments").and_then(Value::as_array_mut) {
            Some(list) => list.push(entry),
            None => body["attachments"] = json!([entry]),
        }
    }
    let bytes = serde_json::to_vec(&body)?;
    let (_, outcome) = client
        .post_raw(
            "/api/v1/findings",
            "application/json",
            bytes,
            &idempotency(key),
        )
        .await
        .context("submitting the finding")?;
    if as_json {
        output::json(&outcome)?;
    } else {
        let text = |v: &Value| v.as_str().map(str::to_owned).unwrap_or_default();
        output::table(
            &[
                "finding",
                "case",
                "disposition",
                "first finder",
                "known",
                "proposals",
            ],
            [vec![
                text(&outcome["finding"]),
                text(&outcome["case_id"]),
                text(&outcome["disposition"]),
                outcome["first_finder"].to_string(),
                outcome["known_vulnerabilities"]
                    .as_array()
                    .map(|a| a.iter().map(text).collect::<Vec<_>>().join(", "))
                    .unwrap_or_default(),
                outcome["proposals"]
                    .as_array()
                    .map(|a| a.len().to_string())
                    .unwrap_or_default(),
            ]],
        );
    }
    Ok(ExitCode::SUCCESS)
}

async fn sarif(
    client: &ApiClient,
    as_json: bool,
    file: &Path,
    query: &[(&str, String)],
    key: Option<&str>,
) -> anyhow::Result<ExitCode> {
    let log = read(file)?;
    let encoded: Vec<String> = query
        .iter()
        .map(|(name, value)| format!("{name}={}", encode(value)))
        .collect();
    let path = format!("/api/v1/findings/sarif?{}", encoded.join("&"));
    let (_, report) = client
        .post_raw(&path, "application/sarif+json", log, &idempotency(key))
        .await
        .context("submitting the SARIF log")?;
    if as_json {
        output::json(&report)?;
    } else {
        let text = |v: &Value| v.as_str().map(str::to_owned).unwrap_or_default();
        let rows = report["results"]
            .as_array()
            .map(|results| {
                results
                    .iter()
                    .map(|r| {
                        vec![
                            text(&r["path"]),
                            text(&r["rule_id"]),
                            text(&r["status"]),
                            text(&r["outcome"]["case_id"]),
                            text(&r["problem"]),
                        ]
                    })
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
        output::table(&["result", "rule", "status", "case", "problem"], rows);
        println!(
            "{} accepted, {} merged, {} rejected",
            report["accepted"], report["merged"], report["rejected"]
        );
    }
    Ok(if report["rejected"].as_u64().unwrap_or(0) > 0 {
        ExitCode::from(CHECK_FAILED)
    } else {
        ExitCode::SUCCESS
    })
}
