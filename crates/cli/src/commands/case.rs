//! `clearinghouse case …`: list, search, show and move coordination cases, and read the analysts'
//! queue, through a server's API. What the token may not see of a case does not exist for it.

use std::process::ExitCode;

use anyhow::Context as _;
use clap::Subcommand;
use serde_json::{Value, json};

use crate::client::{ServerArgs, encode};
use crate::output;

/// Coordination cases.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  clearinghouse case list --state validating --server http://127.0.0.1:8080 --token $TOKEN
  clearinghouse case list --search flask --json
  clearinghouse case show 0193…
  clearinghouse case transition 0193… triaged
  clearinghouse case transition 0193… rejected --reason out_of_scope
  clearinghouse case queue --limit 20

States: submitted → triaged → validating → validated → coordinating → fix_available → published →
closed, or rejected (not_reproducible, duplicate, out_of_scope). Who may make a move is the
server's rule: analysts triage, open validation, coordinate, publish and close; vendors mark a fix
available; the validators' quorum validates.
Exit status: 0 done, 2 bad input or an illegal move, 3 not found (or not visible to you), 4
failure, 5 denied.")]
pub struct CaseArgs {
    #[command(flatten)]
    server: ServerArgs,
    /// Print JSON instead of tables.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: CaseCommand,
}

#[derive(Debug, Subcommand)]
enum CaseCommand {
    /// Cases you may see, newest first.
    List {
        /// Only this state.
        #[arg(long)]
        state: Option<String>,
        /// Only this TLP mark.
        #[arg(long)]
        tlp: Option<String>,
        /// Title or product containing this text.
        #[arg(long)]
        search: Option<String>,
        /// At most this many (1 to 500).
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// One case, as you may see it.
    Show {
        /// The case id.
        id: String,
    },
    /// Move a case to another state.
    Transition {
        /// The case id.
        id: String,
        /// The state to move to.
        to: String,
        /// Why, when rejecting: not_reproducible, duplicate or out_of_scope.
        #[arg(long)]
        reason: Option<String>,
    },
    /// The analysts' queue, most urgent first, with the reason for each rank.
    Queue {
        /// At most this many (1 to 500).
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
}

pub fn run(args: CaseArgs) -> anyhow::Result<ExitCode> {
    let client = args.server.require("cases are read")?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        match &args.command {
            CaseCommand::List {
                state,
                tlp,
                search,
                limit,
            } => {
                let mut query = vec![format!("limit={limit}")];
                for (name, value) in [("state", state), ("tlp", tlp), ("q", search)] {
                    if let Some(value) = value {
                        query.push(format!("{name}={}", encode(value)));
                    }
                }
                let page: Value = client
                    .get_json(&format!("/api/v1/cases?{}", query.join("&")))
                    .await
                    .context("listing cases")?;
                if args.json {
                    return output::json(&page).map(|()| ExitCode::SUCCESS);
                }
                let rows = items(&page).iter().map(case_row).collect::<Vec<_>>();
                output::table(
                    &[
                        "case", "state", "TLP", "view", "severity", "product", "title",
                    ],
                    rows,
                );
                Ok(ExitCode::SUCCESS)
            }
            CaseCommand::Show { id } => {
                let case: Value = client
                    .get_json(&format!("/api/v1/cases/{}", encode(id)))
                    .await
                    .context("reading the case")?;
                print_case(args.json, &case)
            }
            CaseCommand::Transition { id, to, reason } => {
                let mut body = json!({"to": to});
                if let Some(reason) = reason {
                    body["reason"] = json!(reason);
                }
                let case: Value = client
                    .post_json(&format!("/api/v1/cases/{}/transition", encode(id)), &body)
                    .await
                    .context("moving the case")?;
                print_case(args.json, &case)
            }
            CaseCommand::Queue { limit } => {
                let page: Value = client
                    .get_json(&format!("/api/v1/cases/queue?limit={limit}"))
                    .await
                    .context("reading the queue")?;
                if args.json {
                    return output::json(&page).map(|()| ExitCode::SUCCESS);
                }
                let rows = items(&page)
                    .iter()
                    .map(|item| {
                        vec![
                            item["rank"].to_string(),
                            text(&item["decision"]),
                            severity(&item["case"]),
                            text(&item["case"]["title"]),
                            text(&item["due_at"])
                                + if item["overdue"] == true {
                                    " (overdue)"
                                } else {
                                    ""
                                },
                            text(&item["reason"]),
                        ]
                    })
                    .collect::<Vec<_>>();
                output::table(&["#", "decision", "CVSS", "title", "due", "why"], rows);
                Ok(ExitCode::SUCCESS)
            }
        }
    })
}

fn items(page: &Value) -> Vec<Value> {
    page["items"].as_array().cloned().unwrap_or_default()
}

fn text(value: &Value) -> String {
    value.as_str().map(str::to_owned).unwrap_or_default()
}

fn severity(case: &Value) -> String {
    match (
        case["cvss"]["score"].as_f64(),
        case["cvss"]["severity"].as_str(),
    ) {
        (Some(score), Some(severity)) => format!("{score:.1} {severity}"),
        _ => String::new(),
    }
}

fn case_row(case: &Value) -> Vec<String> {
    vec![
        text(&case["id"]),
        text(&case["state"]),
        text(&case["tlp"]),
        text(&case["view"]),
        severity(case),
        text(&case["product"]),
        text(&case["title"]),
    ]
}

fn print_case(as_json: bool, case: &Value) -> anyhow::Result<ExitCode> {
    if as_json {
        output::json(case)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut rows = vec![
        vec!["id".to_owned(), text(&case["id"])],
        vec!["title".to_owned(), text(&case["title"])],
        vec!["state".to_owned(), text(&case["state"])],
        vec!["TLP".to_owned(), format!("TLP:{}", text(&case["tlp"]))],
        vec!["your view".to_owned(), text(&case["view"])],
        vec!["product".to_owned(), text(&case["product"])],
        vec!["CVSS".to_owned(), severity(case)],
        vec!["embargo until".to_owned(), text(&case["embargo_until"])],
    ];
    if let Some(cwe) = case["cwe"].as_str() {
        rows.push(vec!["weakness".to_owned(), cwe.to_owned()]);
    }
    let credits: Vec<String> = case["credits"]
        .as_array()
        .map(|c| {
            c.iter()
                .map(|credit| {
                    let first = if credit["first"] == true {
                        " (first)"
                    } else {
                        ""
                    };
                    format!("{}{first}", text(&credit["org_name"]))
                })
                .collect()
        })
        .unwrap_or_default();
    if !credits.is_empty() {
        rows.push(vec!["finders".to_owned(), credits.join(", ")]);
    }
    let full = &case["full"];
    if !full.is_null() {
        rows.push(vec!["SSVC".to_owned(), text(&full["priority"]["decision"])]);
        rows.push(vec![
            "due".to_owned(),
            text(&full["due_at"])
                + if full["overdue"] == true {
                    " (overdue)"
                } else {
                    ""
                },
        ]);
        let next: Vec<String> = full["next_states"]
            .as_array()
            .map(|s| s.iter().map(text).collect())
            .unwrap_or_default();
        rows.push(vec!["next states".to_owned(), next.join(", ")]);
        let members: Vec<String> = full["members"]
            .as_array()
            .map(|m| {
                m.iter()
                    .map(|member| {
                        format!(
                            "{} ({})",
                            text(&member["org_name"]),
                            text(&member["relation"])
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        rows.push(vec!["members".to_owned(), members.join(", ")]);
    }
    output::table(&["field", "value"], rows);
    Ok(ExitCode::SUCCESS)
}
