//! `clearinghouse admin …`: participants and tokens for operators' scripts, directly on a data
//! directory or database (also while a server runs), or through a server's API with `--server`.

use std::io::Read as _;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Subcommand;
use clearinghouse_app::App;
use clearinghouse_app::participants::{PersonRequest, TokenRequest};
use clearinghouse_domain::authz::Actor;
use clearinghouse_domain::page::PageRequest;
use clearinghouse_domain::{
    NewOrganization, NewPerson, OrgKind, Organization, Role, Sector, TokenId,
};
use serde_json::json;

use crate::client::{ApiClient, ServerArgs};
use crate::exit::{CHECK_FAILED, CodedError, DENIED, FAILURE, NOT_FOUND, USAGE};
use crate::location::DataArgs;
use crate::output;

/// Administer participants and tokens.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  clearinghouse admin org create \"Valley County Hospital\" --type operator --sector healthcare_and_public_health
  clearinghouse admin person create it@valley.example --name \"Sam Sysadmin\" --org \"Valley County Hospital\" --role operator_contact
  clearinghouse admin token create --org \"Valley County Hospital\" --role operator_contact --name sbom-upload
  clearinghouse admin signin-link it@valley.example
  clearinghouse admin org list --json
  clearinghouse admin org list --server http://127.0.0.1:8080 --token $CLEARINGHOUSE_TOKEN

Directly on the data (the default) actions are recorded in the log as `system`; through --server
they are recorded as the token's.")]
pub struct AdminArgs {
    #[command(flatten)]
    data: DataArgs,
    #[command(flatten)]
    server: ServerArgs,
    /// Print JSON instead of tables.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: AdminCommand,
}

#[derive(Debug, Subcommand)]
enum AdminCommand {
    /// Organizations.
    #[command(subcommand)]
    Org(OrgCommand),
    /// People.
    #[command(subcommand)]
    Person(PersonCommand),
    /// API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Print a one-time sign-in link for a person (valid 24 hours).
    SigninLink {
        /// The person's e-mail address.
        email: String,
        /// The server's public URL, to print a complete link.
        #[arg(long, default_value = "http://127.0.0.1:8080")]
        public_url: String,
    },
}

#[derive(Debug, Subcommand)]
enum OrgCommand {
    /// Create an organization.
    Create {
        /// Its unique name.
        name: String,
        /// government, ai_developer, vendor, operator, state_local or validator.
        #[arg(long = "type", value_name = "TYPE")]
        kind: OrgKind,
        /// One of CISA's 16 sectors; required for operators.
        #[arg(long)]
        sector: Option<Sector>,
    },
    /// List organizations.
    List,
}

#[derive(Debug, Subcommand)]
enum PersonCommand {
    /// Add a person to an organization.
    Create {
        /// Their e-mail address.
        email: String,
        /// Their name.
        #[arg(long)]
        name: String,
        /// The organization's name.
        #[arg(long)]
        org: String,
        /// Their role there.
        #[arg(long)]
        role: Role,
        /// Read an initial password from standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List people.
    List,
}

#[derive(Debug, Subcommand)]
enum TokenCommand {
    /// Create a token and print it once.
    Create {
        /// The organization's name.
        #[arg(long)]
        org: String,
        /// The one role it carries.
        #[arg(long)]
        role: Role,
        /// A label.
        #[arg(long, default_value = "cli")]
        name: String,
        /// Lifetime in days (1 to 366).
        #[arg(long, default_value_t = 90)]
        days: i64,
    },
    /// List an organization's tokens.
    List {
        /// The organization's name.
        #[arg(long)]
        org: String,
    },
    /// Revoke a token at once.
    Revoke {
        /// The token's id.
        id: TokenId,
    },
}

pub fn run(args: AdminArgs) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        match &args.server.server {
            Some(url) => {
                remote(
                    &ApiClient::new(url, args.server.token.clone())?,
                    args.json,
                    args.command,
                )
                .await
            }
            None => direct(&args.data.open().await?, args.json, args.command).await,
        }
    })?;
    Ok(ExitCode::SUCCESS)
}

/// Maps service errors to exit codes.
fn coded(err: clearinghouse_app::Error) -> anyhow::Error {
    use clearinghouse_app::Error as E;
    let code = match &err {
        E::NotFound(_) => NOT_FOUND,
        E::Invalid { .. } => USAGE,
        E::Conflict(_) => CHECK_FAILED,
        E::Denied(_) | E::Unauthenticated(_) => DENIED,
        _ => FAILURE,
    };
    CodedError::new(code, err.to_string()).into()
}

fn print_orgs(json: bool, orgs: &[serde_json::Value]) -> anyhow::Result<()> {
    if json {
        return output::json(&orgs);
    }
    output::table(
        &["id", "name", "type", "sector"],
        orgs.iter().map(|o| {
            ["id", "name", "kind", "sector"]
                .iter()
                .map(|k| o.get(*k).and_then(|v| v.as_str()).unwrap_or("").to_owned())
                .collect()
        }),
    );
    Ok(())
}

fn org_json(org: &Organization) -> serde_json::Value {
    json!({"id": org.id, "name": org.name, "kind": org.kind, "sector": org.sector, "created_at": org.created_at})
}

fn print_token(json: bool, value: &serde_json::Value) -> anyhow::Result<()> {
    if json {
        return output::json(value);
    }
    let secret = value
        .get("secret")
        .and_then(|s| s.as_str())
        .unwrap_or_default();
    eprintln!("Token created. It is shown only once; store it now:");
    println!("{secret}");
    Ok(())
}

async fn read_password(password_stdin: bool) -> anyhow::Result<Option<String>> {
    if !password_stdin {
        return Ok(None);
    }
    let mut password = String::new();
    std::io::stdin()
        .read_to_string(&mut password)
        .context("cannot read the password from standard input")?;
    Ok(Some(password.trim_end_matches(['\r', '\n']).to_owned()))
}

async fn all_orgs(app: &App, actor: &Actor) -> anyhow::Result<Vec<Organization>> {
    let mut orgs = Vec::new();
    let mut cursor = None;
    loop {
        let page = app
            .list_orgs(actor, &PageRequest::new(cursor, Some(500)))
            .await
            .map_err(coded)?;
        orgs.extend(page.items);
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => return Ok(orgs),
        }
    }
}

async fn direct(app: &App, json: bool, command: AdminCommand) -> anyhow::Result<()> {
    let system = Actor::system();
    match command {
        AdminCommand::Org(OrgCommand::Create { name, kind, sector }) => {
            let new = NewOrganization::parse(&name, kind, sector).map_err(|e| coded(e.into()))?;
            let org = app.create_org(&system, new).await.map_err(coded)?;
            print_orgs(json, &[org_json(&org)])
        }
        AdminCommand::Org(OrgCommand::List) => {
            let orgs: Vec<_> = all_orgs(app, &system).await?.iter().map(org_json).collect();
            print_orgs(json, &orgs)
        }
        AdminCommand::Person(PersonCommand::Create {
            email,
            name,
            org,
            role,
            password_stdin,
        }) => {
            let org = app.org_by_name(&system, &org).await.map_err(coded)?;
            let person = NewPerson::parse(&email, &name).map_err(|e| coded(e.into()))?;
            let password = read_password(password_stdin).await?;
            let details = app
                .create_person(
                    &system,
                    PersonRequest {
                        person,
                        org: org.id,
                        role,
                        password,
                    },
                )
                .await
                .map_err(coded)?;
            let value = json!({"id": details.person.id, "email": details.person.email, "display_name": details.person.display_name, "org": org.name, "role": role});
            if json {
                output::json(&value)
            } else {
                output::table(
                    &["id", "email", "name", "org", "role"],
                    [vec![
                        details.person.id.to_string(),
                        details.person.email,
                        details.person.display_name,
                        org.name,
                        role.to_string(),
                    ]],
                );
                Ok(())
            }
        }
        AdminCommand::Person(PersonCommand::List) => {
            let page = app
                .list_people(&system, &PageRequest::new(None, Some(500)))
                .await
                .map_err(coded)?;
            if json {
                let people: Vec<_> = page
                    .items
                    .iter()
                    .map(|p| json!({"id": p.id, "email": p.email, "display_name": p.display_name}))
                    .collect();
                return output::json(&people);
            }
            output::table(
                &["id", "email", "name"],
                page.items
                    .into_iter()
                    .map(|p| vec![p.id.to_string(), p.email, p.display_name]),
            );
            Ok(())
        }
        AdminCommand::Token(TokenCommand::Create {
            org,
            role,
            name,
            days,
        }) => {
            let org = app.org_by_name(&system, &org).await.map_err(coded)?;
            let created = app
                .create_token(
                    &system,
                    TokenRequest {
                        org: org.id,
                        role,
                        name,
                        expires_in_days: Some(days),
                    },
                )
                .await
                .map_err(coded)?;
            print_token(
                json,
                &json!({"id": created.info.id, "org": org.name, "role": role, "expires_at": created.info.expires_at, "secret": created.secret}),
            )
        }
        AdminCommand::Token(TokenCommand::List { org }) => {
            let org = app.org_by_name(&system, &org).await.map_err(coded)?;
            let page = app
                .list_tokens(&system, org.id, &PageRequest::new(None, Some(500)))
                .await
                .map_err(coded)?;
            let now = jiff::Timestamp::now();
            if json {
                let tokens: Vec<_> = page.items.iter().map(|t| json!({"id": t.id, "name": t.name, "role": t.role, "prefix": t.prefix, "expires_at": t.expires_at, "revoked_at": t.revoked_at, "active": t.is_active(now)})).collect();
                return output::json(&tokens);
            }
            output::table(
                &["id", "name", "role", "prefix", "expires", "active"],
                page.items.into_iter().map(|t| {
                    vec![
                        t.id.to_string(),
                        t.name.clone(),
                        t.role.to_string(),
                        t.prefix.clone(),
                        t.expires_at.map(|e| e.to_string()).unwrap_or_default(),
                        t.is_active(now).to_string(),
                    ]
                }),
            );
            Ok(())
        }
        AdminCommand::Token(TokenCommand::Revoke { id }) => {
            let token = app.revoke_token(&system, id).await.map_err(coded)?;
            if json {
                output::json(&json!({"id": token.id, "revoked_at": token.revoked_at}))
            } else {
                println!("revoked token {id}");
                Ok(())
            }
        }
        AdminCommand::SigninLink { email, public_url } => {
            let (person, _) = app
                .store()
                .person_credentials(&email)
                .await
                .map_err(|e| coded(e.into()))?
                .ok_or_else(|| {
                    CodedError::new(NOT_FOUND, format!("no person with e-mail {email:?}"))
                })?;
            let secret = app
                .create_signin_link(&system, person.id)
                .await
                .map_err(coded)?;
            let link = format!(
                "{}/signin/link?token={secret}",
                public_url.trim_end_matches('/')
            );
            if json {
                output::json(&json!({"link": link}))
            } else {
                println!("{link}");
                Ok(())
            }
        }
    }
}

async fn remote(client: &ApiClient, json: bool, command: AdminCommand) -> anyhow::Result<()> {
    match command {
        AdminCommand::Org(OrgCommand::Create { name, kind, sector }) => {
            let org: serde_json::Value = client
                .post_json(
                    "/api/v1/orgs",
                    &json!({"name": name, "kind": kind, "sector": sector}),
                )
                .await?;
            print_orgs(json, &[org])
        }
        AdminCommand::Org(OrgCommand::List) => {
            let mut orgs = Vec::new();
            let mut path = "/api/v1/orgs?limit=500".to_owned();
            loop {
                let page: serde_json::Value = client.get_json(&path).await?;
                orgs.extend(
                    page.get("items")
                        .and_then(|i| i.as_array())
                        .cloned()
                        .unwrap_or_default(),
                );
                match page.get("next_cursor").and_then(|c| c.as_str()) {
                    Some(cursor) => path = format!("/api/v1/orgs?limit=500&cursor={cursor}"),
                    None => break,
                }
            }
            print_orgs(json, &orgs)
        }
        AdminCommand::Token(TokenCommand::Create {
            org,
            role,
            name,
            days,
        }) => {
            let org_id = remote_org_id(client, &org).await?;
            let created: serde_json::Value = client
                .post_json(
                    &format!("/api/v1/orgs/{org_id}/tokens"),
                    &json!({"name": name, "role": role, "expires_in_days": days}),
                )
                .await?;
            print_token(json, &created)
        }
        AdminCommand::Token(TokenCommand::Revoke { id }) => {
            let token: serde_json::Value = client
                .post_json(&format!("/api/v1/tokens/{id}/revoke"), &json!({}))
                .await?;
            if json {
                output::json(&token)
            } else {
                println!("revoked token {id}");
                Ok(())
            }
        }
        other => Err(CodedError::new(
            USAGE,
            format!(
                "{} works only directly on the data (drop --server)",
                match other {
                    AdminCommand::Person(_) => "`admin person`",
                    AdminCommand::Token(_) => "`admin token list`",
                    _ => "`admin signin-link`",
                }
            ),
        )
        .into()),
    }
}

async fn remote_org_id(client: &ApiClient, name: &str) -> anyhow::Result<String> {
    let mut path = "/api/v1/orgs?limit=500".to_owned();
    loop {
        let page: serde_json::Value = client.get_json(&path).await?;
        if let Some(org) = page
            .get("items")
            .and_then(|i| i.as_array())
            .and_then(|items| {
                items.iter().find(|o| {
                    o.get("name")
                        .and_then(|n| n.as_str())
                        .is_some_and(|n| n.eq_ignore_ascii_case(name))
                })
            })
        {
            return Ok(org
                .get("id")
                .and_then(|i| i.as_str())
                .unwrap_or_default()
                .to_owned());
        }
        match page.get("next_cursor").and_then(|c| c.as_str()) {
            Some(cursor) => path = format!("/api/v1/orgs?limit=500&cursor={cursor}"),
            None => {
                return Err(
                    CodedError::new(NOT_FOUND, format!("organization {name:?} not found")).into(),
                );
            }
        }
    }
}
