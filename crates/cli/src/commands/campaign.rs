//! `clearinghouse campaign …`: declare, list, show and cancel scan campaigns, check a target and
//! create campaign tokens, through a server's API (`--server URL --token T`).

use std::process::ExitCode;

use anyhow::Context as _;
use clap::Subcommand;
use clearinghouse_domain::campaign::TargetInput;
use serde_json::{Value, json};

use crate::client::{ApiClient, ServerArgs};
use crate::exit::{CHECK_FAILED, CodedError, USAGE};
use crate::output;

/// Scan campaigns.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  clearinghouse campaign create plant.toml
  clearinghouse campaign create --name \"Modbus sweep\" --target 10.20.1.0/24 --target pkg:pypi/pymodbus \\
      --technique network_scan --tool claude-scanner --tool-version 4.1 \\
      --start 2026-12-04T08:00:00Z --end 2026-12-05T08:00:00Z --rate 10
  clearinghouse campaign list --from 2026-12-01T00:00:00Z
  clearinghouse campaign show 01a2…
  clearinghouse campaign token 01a2… --name agent-1
  CLEARINGHOUSE_TOKEN=<campaign token> clearinghouse campaign check 10.20.1.7

A campaign file is JSON or TOML with the API's fields: name, targets (a list of {purl = …},
{cpe = …}, {repository = …}, {hostname = …} or {cidr = …}), technique, tool {name, version},
start, end, rate_limit and optionally finder_id. Hostnames and networks need the owning
operators' recorded authorization; without it the campaign is refused with the reason per target.

Every command works through --server URL --token T (or CLEARINGHOUSE_SERVER and CLEARINGHOUSE_TOKEN).
Exit status: 0 done (check: allowed), 1 check refused, 2 bad input or refused campaign, 3 not
found, 4 failure, 5 denied.")]
pub struct CampaignArgs {
    #[command(flatten)]
    server: ServerArgs,
    /// Print JSON instead of tables.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: CampaignCommand,
}

#[derive(Debug, Subcommand)]
enum CampaignCommand {
    /// Declare a campaign from a JSON or TOML file, or from flags.
    Create(CreateArgs),
    /// List the campaigns you may see.
    List {
        /// Only campaigns whose window ends after this time (RFC 3339).
        #[arg(long)]
        from: Option<jiff::Timestamp>,
        /// Only campaigns whose window starts before this time (RFC 3339).
        #[arg(long)]
        to: Option<jiff::Timestamp>,
    },
    /// Show a campaign, its targets' authorization status and its overlaps.
    Show {
        /// The campaign id.
        id: String,
    },
    /// Cancel a campaign.
    Cancel {
        /// The campaign id.
        id: String,
    },
    /// May this target be scanned now (or at --at), and under which campaign? Exit 0 if yes, 1 if
    /// not.
    Check {
        /// A hostname, IP address, CIDR, package URL, CPE name or repository URL.
        target: String,
        /// Answer for this instant instead of now (RFC 3339).
        #[arg(long)]
        at: Option<jiff::Timestamp>,
        /// Answer for this campaign only.
        #[arg(long)]
        campaign: Option<String>,
    },
    /// Create a token bound to a campaign for its scanning agent (printed once).
    Token {
        /// The campaign id.
        id: String,
        /// A label for the token.
        #[arg(long, default_value = "agent")]
        name: String,
        /// Expire earlier than the campaign's end (RFC 3339).
        #[arg(long)]
        expires_at: Option<jiff::Timestamp>,
    },
}

#[derive(Debug, clap::Args)]
struct CreateArgs {
    /// A campaign file (JSON or TOML, by extension or content); flags override its fields.
    file: Option<std::path::PathBuf>,
    /// The campaign's name.
    #[arg(long)]
    name: Option<String>,
    /// A target: hostname, IP or CIDR, pkg:… purl, cpe:… name, or repository URL (repeat).
    #[arg(long = "target", value_name = "TARGET")]
    targets: Vec<String>,
    /// sast, fuzzing, dast, network_scan, llm_code_review or other.
    #[arg(long)]
    technique: Option<String>,
    /// The AI model or tool used.
    #[arg(long)]
    tool: Option<String>,
    /// Its version.
    #[arg(long)]
    tool_version: Option<String>,
    /// From (RFC 3339).
    #[arg(long)]
    start: Option<jiff::Timestamp>,
    /// Until, exclusive (RFC 3339).
    #[arg(long)]
    end: Option<jiff::Timestamp>,
    /// Requests per second, at most.
    #[arg(long)]
    rate: Option<u32>,
    /// The finder organization's id (when you are a finder in several).
    #[arg(long)]
    finder: Option<String>,
}

pub fn run(args: CampaignArgs) -> anyhow::Result<ExitCode> {
    let Some(url) = args.server.server.clone() else {
        return Err(CodedError::new(
            USAGE,
            "campaign commands work through a server: pass --server URL --token T",
        )
        .into());
    };
    let client = ApiClient::new(&url, args.server.token.clone())?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(remote(&client, args.json, args.command))
}

/// The request body from a file and flags (flags win).
fn create_body(args: &CreateArgs) -> anyhow::Result<Value> {
    let mut body = match &args.file {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            let is_toml = path.extension().is_some_and(|e| e == "toml")
                || !text.trim_start().starts_with('{');
            if is_toml {
                let value: toml::Value = toml::from_str(&text).map_err(|e| {
                    CodedError::new(USAGE, format!("{} is not TOML: {e}", path.display()))
                })?;
                serde_json::to_value(value)?
            } else {
                serde_json::from_str(&text).map_err(|e| {
                    CodedError::new(USAGE, format!("{} is not JSON: {e}", path.display()))
                })?
            }
        }
        None => json!({}),
    };
    let Some(object) = body.as_object_mut() else {
        return Err(CodedError::new(USAGE, "a campaign file holds one object").into());
    };
    let mut set = |key: &str, value: Option<Value>| {
        if let Some(value) = value {
            object.insert(key.to_owned(), value);
        }
    };
    set("name", args.name.clone().map(Value::from));
    if !args.targets.is_empty() {
        let targets: Vec<TargetInput> =
            args.targets.iter().map(|t| TargetInput::guess(t)).collect();
        set("targets", Some(serde_json::to_value(targets)?));
    }
    set("technique", args.technique.clone().map(Value::from));
    set("start", args.start.map(|t| Value::from(t.to_string())));
    set("end", args.end.map(|t| Value::from(t.to_string())));
    set("rate_limit", args.rate.map(Value::from));
    set("finder_id", args.finder.clone().map(Value::from));
    if args.tool.is_some() || args.tool_version.is_some() {
        let mut tool = object.get("tool").cloned().unwrap_or_else(|| json!({}));
        if let Some(name) = &args.tool {
            tool["name"] = Value::from(name.clone());
        }
        if let Some(version) = &args.tool_version {
            tool["version"] = Value::from(version.clone());
        }
        object.insert("tool".into(), tool);
    }
    Ok(body)
}

fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// `{"cidr": "10.0.0.0/24"}` → `10.0.0.0/24 (cidr)`.
fn target_text(target: &Value) -> String {
    target
        .as_object()
        .and_then(|o| o.iter().next())
        .map(|(kind, value)| format!("{} ({kind})", text(value)))
        .unwrap_or_default()
}

fn print_campaigns(items: &[Value]) {
    output::table(
        &["id", "name", "finder", "status", "start", "end", "targets"],
        items.iter().map(|c| {
            vec![
                text(&c["id"]),
                text(&c["name"]),
                text(&c["finder_name"]),
                text(&c["status"]),
                text(&c["start"]),
                text(&c["end"]),
                c["targets"]
                    .as_array()
                    .map(|ts| {
                        ts.iter()
                            .map(|t| target_text(&t["target"]))
                            .collect::<Vec<_>>()
                            .join("\n")
                    })
                    .unwrap_or_default(),
            ]
        }),
    );
}

fn print_overlaps(overlaps: &[Value]) {
    if overlaps.is_empty() {
        println!("No overlaps.");
        return;
    }
    output::table(
        &[
            "overlap",
            "campaigns",
            "shared",
            "status",
            "proposal / resolution",
        ],
        overlaps.iter().map(|o| {
            let state = if o["resolution"].is_null() {
                format!(
                    "proposed: {} {}",
                    text(&o["proposal"]["kind"]),
                    text(&o["proposal"]["lead"])
                )
            } else {
                format!(
                    "{} {}",
                    text(&o["resolution"]["kind"]),
                    text(&o["resolution"]["lead"])
                )
            };
            vec![
                text(&o["id"]),
                format!(
                    "{} ({})\n{} ({})",
                    text(&o["first"]["name"]),
                    text(&o["first"]["finder_name"]),
                    text(&o["second"]["name"]),
                    text(&o["second"]["finder_name"])
                ),
                o["shared"]
                    .as_array()
                    .map(|ts| ts.iter().map(target_text).collect::<Vec<_>>().join("\n"))
                    .unwrap_or_default(),
                text(&o["status"]),
                state.trim().to_owned(),
            ]
        }),
    );
}

fn print_campaign(c: &Value) {
    print_campaigns(std::slice::from_ref(c));
    output::table(
        &["target", "authorized", "owner / authorization", "problem"],
        c["targets"].as_array().into_iter().flatten().map(|t| {
            vec![
                target_text(&t["target"]),
                match t["authorized"].as_bool() {
                    Some(true) => "yes".into(),
                    Some(false) => "NO".into(),
                    None => "not needed".into(),
                },
                t["covers"]
                    .as_array()
                    .map(|cs| {
                        cs.iter()
                            .map(|c| {
                                format!(
                                    "{} {}",
                                    text(&c["operator_name"]),
                                    text(&c["authorization_id"])
                                )
                            })
                            .collect::<Vec<_>>()
                            .join("\n")
                    })
                    .unwrap_or_default(),
                text(&t["problem"]),
            ]
        }),
    );
}

/// Percent-encodes a path segment or query value.
fn encode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

async fn remote(
    client: &ApiClient,
    json: bool,
    command: CampaignCommand,
) -> anyhow::Result<ExitCode> {
    match command {
        CampaignCommand::Create(args) => {
            let body = create_body(&args)?;
            let created: Value = client.post_json("/api/v1/campaigns", &body).await?;
            if json {
                output::json(&created)?;
            } else {
                print_campaign(&created["campaign"]);
                print_overlaps(created["overlaps"].as_array().map_or(&[], Vec::as_slice));
            }
        }
        CampaignCommand::List { from, to } => {
            let mut items = Vec::new();
            let mut cursor: Option<String> = None;
            loop {
                let mut path = String::from("/api/v1/campaigns?limit=500");
                for (key, value) in [
                    ("from", from.map(|t| t.to_string())),
                    ("to", to.map(|t| t.to_string())),
                    ("cursor", cursor.clone()),
                ] {
                    if let Some(value) = value {
                        path.push_str(&format!("&{key}={}", encode(&value)));
                    }
                }
                let page: Value = client.get_json(&path).await?;
                items.extend(page["items"].as_array().cloned().unwrap_or_default());
                match page["next_cursor"].as_str() {
                    Some(next) => cursor = Some(next.to_owned()),
                    None => break,
                }
            }
            if json {
                output::json(&items)?;
            } else {
                print_campaigns(&items);
            }
        }
        CampaignCommand::Show { id } => {
            let campaign: Value = client
                .get_json(&format!("/api/v1/campaigns/{}", encode(&id)))
                .await?;
            let overlaps: Value = client
                .get_json(&format!("/api/v1/campaigns/{}/overlaps", encode(&id)))
                .await
                .unwrap_or_else(|_| json!([]));
            if json {
                output::json(&json!({"campaign": campaign, "overlaps": overlaps}))?;
            } else {
                print_campaign(&campaign);
                print_overlaps(overlaps.as_array().map_or(&[], Vec::as_slice));
            }
        }
        CampaignCommand::Cancel { id } => {
            let campaign: Value = client
                .post_json(
                    &format!("/api/v1/campaigns/{}/cancel", encode(&id)),
                    &json!({}),
                )
                .await?;
            if json {
                output::json(&campaign)?;
            } else {
                println!(
                    "Campaign {} is {}.",
                    text(&campaign["name"]),
                    text(&campaign["status"])
                );
            }
        }
        CampaignCommand::Check {
            target,
            at,
            campaign,
        } => {
            let mut path = format!("/api/v1/authorizations/check?target={}", encode(&target));
            if let Some(at) = at {
                path.push_str(&format!("&at={}", encode(&at.to_string())));
            }
            if let Some(campaign) = campaign {
                path.push_str(&format!("&campaign={}", encode(&campaign)));
            }
            let answer: Value = client.get_json(&path).await?;
            let allowed = answer["allowed"].as_bool() == Some(true);
            if json {
                output::json(&answer)?;
            } else if allowed {
                println!(
                    "ALLOWED: {} under campaign {:?} ({}) until {}, at most {} requests per second.",
                    target_text(&answer["target"]),
                    text(&answer["campaign"]["name"]),
                    text(&answer["campaign"]["id"]),
                    text(&answer["campaign"]["end"]),
                    text(&answer["rate_limit"])
                );
                for a in answer["authorizations"].as_array().into_iter().flatten() {
                    println!(
                        "  authorization {} until {}",
                        text(&a["id"]),
                        text(&a["end"])
                    );
                }
            } else {
                println!("REFUSED: {}", target_text(&answer["target"]));
                for reason in answer["reasons"].as_array().into_iter().flatten() {
                    println!("  {}", text(reason));
                }
            }
            return Ok(if allowed {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(CHECK_FAILED)
            });
        }
        CampaignCommand::Token {
            id,
            name,
            expires_at,
        } => {
            let mut body = json!({"name": name});
            if let Some(expires_at) = expires_at {
                body["expires_at"] = Value::from(expires_at.to_string());
            }
            let token: Value = client
                .post_json(&format!("/api/v1/campaigns/{}/tokens", encode(&id)), &body)
                .await?;
            if json {
                output::json(&token)?;
            } else {
                println!(
                    "Token {} for campaign {} (expires {}). Shown once; give it to the scanning agent:\n{}",
                    text(&token["name"]),
                    text(&token["campaign_id"]),
                    text(&token["expires_at"]),
                    text(&token["secret"])
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn create(file: Option<&std::path::Path>, targets: &[&str]) -> CreateArgs {
        CreateArgs {
            file: file.map(std::path::Path::to_path_buf),
            name: None,
            targets: targets.iter().map(|t| (*t).to_owned()).collect(),
            technique: None,
            tool: None,
            tool_version: Some("4.2".into()),
            start: None,
            end: None,
            rate: Some(7),
            finder: None,
        }
    }

    #[test]
    fn campaign_files_are_toml_or_json_and_flags_override() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("plant.toml");
        std::fs::write(
            &path,
            "name = \"Plant\"\ntechnique = \"network_scan\"\nstart = \"2026-12-04T08:00:00Z\"\nend = \"2026-12-05T08:00:00Z\"\nrate_limit = 3\n\
             targets = [{ cidr = \"10.20.1.0/24\" }]\n[tool]\nname = \"scanner\"\nversion = \"4.1\"\n",
        )
        .expect("write");
        let body = create_body(&create(Some(&path), &[])).expect("toml");
        assert_eq!(body["targets"], json!([{"cidr": "10.20.1.0/24"}]));
        assert_eq!(body["rate_limit"], 7, "the flag wins");
        assert_eq!(body["tool"], json!({"name": "scanner", "version": "4.2"}));
        let body = create_body(&create(
            None,
            &["www.example.org", "pkg:npm/x", "git@github.com:a/b.git"],
        ))
        .expect("flags");
        assert_eq!(
            body["targets"],
            json!([{"hostname": "www.example.org"}, {"purl": "pkg:npm/x"}, {"repository": "git@github.com:a/b.git"}])
        );
    }
}
