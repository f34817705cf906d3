//! `clearinghouse vex`: an operator's own VEX statements (CSAF VEX or CycloneDX VEX), which apply
//! to that operator's matches only. Directly on the data directory or database, or through a
//! server's API with `--server` and an operator token.
//!
//! A vendor's VEX applies to everyone and is imported into the knowledge base instead:
//! `clearinghouse import vex PATH` (CycloneDX) or `clearinghouse import csaf PATH`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Subcommand;
use clearinghouse_app::App;
use clearinghouse_domain::OrgId;
use clearinghouse_domain::authz::Actor;
use serde::{Deserialize, Serialize};

use crate::client::{ApiClient, ServerArgs};
use crate::exit::{CodedError, FAILURE, NOT_FOUND, USAGE};
use crate::location::DataArgs;
use crate::output;

/// Submit, list and withdraw an operator's VEX statements.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  clearinghouse vex submit \"Valley County Hospital\" not-affected.cdx.json
  clearinghouse vex submit 0193c5d2-… rhsa-vex.json --server http://127.0.0.1:8080 --token $CLEARINGHOUSE_TOKEN
  clearinghouse vex list \"Valley County Hospital\" --json
  clearinghouse vex withdraw \"Valley County Hospital\" 0193c5e0-…

A VEX document is CSAF 2.0 (product_status: known_not_affected, fixed, known_affected) or CycloneDX
(vulnerabilities[].analysis.state and justification, affects[].ref; a ref may be the bom-ref of a
component in an SBOM the operator uploaded). Statements apply to this operator only; the latest
statement about a package wins, also over a vendor's. Statements about vulnerabilities the
knowledge base does not know are skipped with the reason.

ORG is the organization's id, or its name when working directly on the data.
Exit status: 0 stored, 1 some statements skipped, 2 nothing applicable (nothing stored),
3 organization or submission not found, 4 failure, 5 denied.")]
pub struct VexArgs {
    #[command(subcommand)]
    command: VexCommand,
    /// Print JSON instead of tables.
    #[arg(long, global = true)]
    json: bool,
    #[command(flatten)]
    data: DataArgs,
    #[command(flatten)]
    server: ServerArgs,
}

#[derive(Debug, Subcommand)]
enum VexCommand {
    /// Submit a VEX document for an operator; its matches are re-marked at once.
    Submit {
        /// The operator (id, or name directly on the data).
        org: String,
        /// The document (JSON).
        file: PathBuf,
    },
    /// List an operator's submissions, newest first.
    List {
        /// The operator (id, or name directly on the data).
        org: String,
    },
    /// Withdraw a submission: its statements stop applying at once.
    Withdraw {
        /// The operator (id, or name directly on the data).
        org: String,
        /// The submission's id.
        submission: String,
    },
}

/// What a submission did, as both modes report it.
#[derive(Debug, Serialize, Deserialize)]
struct Submitted {
    submission: Submission,
    statements: Vec<Statement>,
    skipped: Vec<Skipped>,
    matches_changed: u64,
}

#[derive(Debug, Serialize, Deserialize)]
struct Submission {
    id: String,
    format: String,
    #[serde(default)]
    document_id: Option<String>,
    statements: u32,
    submitted_by: String,
    created_at: String,
    #[serde(default)]
    asset: Option<String>,
    #[serde(default)]
    withdrawn_at: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Statement {
    vulnerability: String,
    package: String,
    range: String,
    status: String,
    justification: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct Skipped {
    path: String,
    reason: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct Withdrawn {
    matches_changed: u64,
}

impl From<clearinghouse_domain::inventory::VexSubmission> for Submission {
    fn from(s: clearinghouse_domain::inventory::VexSubmission) -> Self {
        Self {
            id: s.id.to_string(),
            format: s.format.as_str().to_owned(),
            document_id: s.document_id,
            statements: s.statements,
            submitted_by: s.submitted_by,
            created_at: s.created_at.to_string(),
            asset: s.asset.map(|a| a.to_string()),
            withdrawn_at: s.withdrawn_at.map(|w| w.to_string()),
        }
    }
}

fn service_error(err: clearinghouse_app::Error) -> anyhow::Error {
    let code = match &err {
        clearinghouse_app::Error::NotFound(_) => NOT_FOUND,
        clearinghouse_app::Error::Invalid { .. } | clearinghouse_app::Error::Conflict(_) => USAGE,
        clearinghouse_app::Error::Denied(_) => crate::exit::DENIED,
        _ => FAILURE,
    };
    CodedError::new(code, err.to_string()).into()
}

async fn org_id(app: &App, org: &str) -> anyhow::Result<OrgId> {
    if let Ok(id) = org.parse() {
        return Ok(id);
    }
    Ok(app
        .org_by_name(&Actor::system(), org)
        .await
        .map_err(service_error)?
        .id)
}

pub fn run(args: VexArgs) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        match &args.server.server {
            Some(url) => remote(&ApiClient::new(url, args.server.token.clone())?, &args).await,
            None => direct(&args).await,
        }
    })
}

fn server_org(org: &str) -> anyhow::Result<OrgId> {
    org.parse().map_err(|_| {
        CodedError::new(
            USAGE,
            format!("{org:?}: through --server, name the organization by its id"),
        )
        .into()
    })
}

async fn remote(client: &ApiClient, args: &VexArgs) -> anyhow::Result<ExitCode> {
    match &args.command {
        VexCommand::Submit { org, file } => {
            let org = server_org(org)?;
            let bytes = read(file)?;
            let submitted: Submitted = client
                .post_bytes(&format!("/api/v1/orgs/{org}/vex"), bytes)
                .await?;
            report_submitted(args.json, &submitted)
        }
        VexCommand::List { org } => {
            let org = server_org(org)?;
            let list: Vec<Submission> = client.get_json(&format!("/api/v1/orgs/{org}/vex")).await?;
            report_list(args.json, &list)
        }
        VexCommand::Withdraw { org, submission } => {
            let org = server_org(org)?;
            let withdrawn: Withdrawn = client
                .delete_json(&format!("/api/v1/orgs/{org}/vex/{submission}"))
                .await?;
            report_withdrawn(args.json, &withdrawn)
        }
    }
}

async fn direct(args: &VexArgs) -> anyhow::Result<ExitCode> {
    let app = args.data.open().await?;
    let system = Actor::system();
    match &args.command {
        VexCommand::Submit { org, file } => {
            let org = org_id(&app, org).await?;
            let bytes = read(file)?;
            let outcome = app
                .submit_vex(&system, org, &bytes)
                .await
                .map_err(service_error)?;
            let submitted = Submitted {
                submission: outcome.submission.into(),
                statements: outcome
                    .statements
                    .into_iter()
                    .map(|s| Statement {
                        vulnerability: s.vulnerability,
                        package: s.package,
                        range: s.range,
                        status: s.status.as_str().to_owned(),
                        justification: s.justification,
                    })
                    .collect(),
                skipped: outcome
                    .skipped
                    .into_iter()
                    .map(|s| Skipped {
                        path: s.path,
                        reason: s.reason,
                    })
                    .collect(),
                matches_changed: outcome.matching.changed,
            };
            report_submitted(args.json, &submitted)
        }
        VexCommand::List { org } => {
            let org = org_id(&app, org).await?;
            let list: Vec<Submission> = app
                .vex_submissions(&system, org)
                .await
                .map_err(service_error)?
                .into_iter()
                .map(Into::into)
                .collect();
            report_list(args.json, &list)
        }
        VexCommand::Withdraw { org, submission } => {
            let org = org_id(&app, org).await?;
            let id = submission.parse().map_err(|_| {
                CodedError::new(USAGE, format!("{submission:?} is not a submission id"))
            })?;
            let outcome = app
                .withdraw_vex(&system, org, id)
                .await
                .map_err(service_error)?;
            report_withdrawn(
                args.json,
                &Withdrawn {
                    matches_changed: outcome.changed,
                },
            )
        }
    }
}

fn read(file: &PathBuf) -> anyhow::Result<Vec<u8>> {
    if !file.exists() {
        return Err(
            CodedError::new(NOT_FOUND, format!("{} does not exist", file.display())).into(),
        );
    }
    std::fs::read(file).with_context(|| format!("reading {}", file.display()))
}

fn report_submitted(json: bool, submitted: &Submitted) -> anyhow::Result<ExitCode> {
    if json {
        output::json(submitted)?;
    } else {
        println!(
            "VEX {} stored: {} statements applied, {} skipped, {} matches re-marked.",
            submitted.submission.id,
            submitted.statements.len(),
            submitted.skipped.len(),
            submitted.matches_changed
        );
        output::table(
            &[
                "vulnerability",
                "package",
                "versions",
                "status",
                "justification",
            ],
            submitted.statements.iter().map(|s| {
                vec![
                    s.vulnerability.clone(),
                    s.package.clone(),
                    s.range.clone(),
                    s.status.clone(),
                    s.justification.clone(),
                ]
            }),
        );
        for skipped in &submitted.skipped {
            eprintln!("skipped {}: {}", skipped.path, skipped.reason);
        }
    }
    Ok(if submitted.skipped.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(crate::exit::CHECK_FAILED)
    })
}

fn report_list(json: bool, list: &[Submission]) -> anyhow::Result<ExitCode> {
    if json {
        output::json(&list)?;
    } else {
        output::table(
            &[
                "id",
                "format",
                "document",
                "statements",
                "applies to",
                "submitted",
                "by",
                "withdrawn",
            ],
            list.iter().map(|s| {
                vec![
                    s.id.clone(),
                    s.format.clone(),
                    s.document_id.clone().unwrap_or_default(),
                    s.statements.to_string(),
                    s.asset
                        .as_ref()
                        .map_or_else(|| "all assets".to_owned(), |a| format!("asset {a}")),
                    s.created_at.clone(),
                    s.submitted_by.clone(),
                    s.withdrawn_at.clone().unwrap_or_default(),
                ]
            }),
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn report_withdrawn(json: bool, withdrawn: &Withdrawn) -> anyhow::Result<ExitCode> {
    if json {
        output::json(withdrawn)?;
    } else {
        println!(
            "Withdrawn: {} matches re-marked.",
            withdrawn.matches_changed
        );
    }
    Ok(ExitCode::SUCCESS)
}
