//! One handler per page or form. Handlers only translate between forms, services and templates.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use clearinghouse_app::participants::{PersonRequest, TokenRequest};
use clearinghouse_app::secrets::new_secret;
use clearinghouse_domain::authz::{Action, authorize};
use clearinghouse_domain::page::PageRequest;
use clearinghouse_domain::{
    NewOrganization, NewPerson, OrgId, OrgKind, Organization, Role, Sector, TokenId,
};
use serde::Deserialize;

use super::{Layout, WebError, WebSession, render};
use crate::error::ApiError;
use crate::extract::{SESSION_COOKIE, constant_time_eq, cookie, path_id};
use crate::state::AppState;

const LOGIN_CSRF_COOKIE: &str = "ch_login_csrf";

type WebResult = Result<Response, WebError>;

fn date(ts: jiff::Timestamp) -> String {
    ts.strftime("%Y-%m-%d %H:%M").to_string()
}

/// A wire value as people read it: `water_and_wastewater_systems` → `Water and wastewater systems`.
fn human(value: &str) -> String {
    let text = value.replace('_', " ").replace("ai ", "AI ");
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// Options for a select: (value, label), lowest privilege first so a slip never grants too much.
fn role_options() -> Vec<(&'static str, String)> {
    Role::ALL
        .iter()
        .rev()
        .map(|r| (r.as_str(), human(r.as_str())))
        .collect()
}

/// A log time to the second, for tables.
fn log_time(rfc3339: &str) -> String {
    rfc3339.parse::<jiff::Timestamp>().map_or_else(
        |_| rfc3339.to_owned(),
        |t| t.strftime("%Y-%m-%d %H:%M:%S").to_string(),
    )
}

fn session_cookie(state: &AppState, secret: &str, max_age_secs: i64) -> String {
    let secure = if state.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    format!(
        "{SESSION_COOKIE}={secret}; HttpOnly; SameSite=Strict; Path=/; Max-Age={max_age_secs}{secure}"
    )
}

// Home.

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    layout: Layout,
    name: String,
    memberships: Vec<(String, String, String)>,
    org_count: usize,
    org_count_more: bool,
    log_size: Option<u64>,
    /// (type, count, bar width in px)
    kinds: Vec<(String, usize, usize)>,
}

pub async fn home(State(state): State<AppState>, session: WebSession) -> WebResult {
    let page = state
        .app
        .list_orgs(&session.actor, &PageRequest::new(None, Some(500)))
        .await?;
    let names: BTreeMap<OrgId, &Organization> = page.items.iter().map(|o| (o.id, o)).collect();
    let memberships = session
        .actor
        .grants()
        .iter()
        .map(|g| {
            let name = names
                .get(&g.org)
                .map_or_else(|| g.org.to_string(), |o| o.name.clone());
            (g.org.to_string(), name, human(g.role.as_str()))
        })
        .collect();
    let mut by_kind: BTreeMap<&str, usize> = BTreeMap::new();
    for org in &page.items {
        *by_kind.entry(org.kind.as_str()).or_default() += 1;
    }
    let max = by_kind.values().copied().max().unwrap_or(1).max(1);
    let kinds = by_kind
        .into_iter()
        .map(|(k, n)| (k.to_owned(), n, n * 220 / max))
        .collect();
    let log_size = state
        .app
        .log_head(&session.actor)
        .await
        .ok()
        .map(|(size, _)| size);
    Ok(render(&HomePage {
        layout: session.layout("Dashboard", "home"),
        name: session.name.clone(),
        memberships,
        org_count: page.items.len(),
        org_count_more: page.next_cursor.is_some(),
        log_size,
        kinds,
    }))
}

// Sign-in and sign-out.

#[derive(Template)]
#[template(path = "signin.html")]
struct SigninPage {
    layout: Layout,
    error: Option<String>,
    email: String,
    login_csrf: String,
}

fn signin_form(error: Option<String>, email: String) -> Response {
    let login_csrf = new_secret("");
    let mut response = render(&SigninPage {
        layout: Layout::anonymous("Sign in"),
        error,
        email,
        login_csrf: login_csrf.clone(),
    });
    if let Ok(value) = format!(
        "{LOGIN_CSRF_COOKIE}={login_csrf}; HttpOnly; SameSite=Strict; Path=/signin; Max-Age=3600"
    )
    .parse()
    {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

pub async fn signin_page() -> Response {
    signin_form(None, String::new())
}

#[derive(Deserialize)]
pub struct SigninForm {
    email: String,
    password: String,
    csrf: String,
}

pub async fn signin_submit(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    Form(form): Form<SigninForm>,
) -> Response {
    let expected = cookie(&headers, LOGIN_CSRF_COOKIE);
    if !expected.is_some_and(|e| constant_time_eq(&e, &form.csrf)) {
        return signin_form(
            Some("The sign-in form expired; please try again.".into()),
            form.email,
        );
    }
    match state
        .app
        .sign_in_with_password(&form.email, &form.password)
        .await
    {
        Ok(session) => signed_in(&state, &session),
        Err(e) => signin_form(Some(ApiError::from(e).detail().to_owned()), form.email),
    }
}

fn signed_in(state: &AppState, session: &clearinghouse_app::auth::NewSession) -> Response {
    let max_age = clearinghouse_app::auth::SESSION_HOURS * 3600;
    let mut response = Redirect::to("/").into_response();
    if let Ok(value) = session_cookie(state, &session.secret, max_age).parse() {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

#[derive(Template)]
#[template(path = "signin_link.html")]
struct SigninLinkPage {
    layout: Layout,
    token: String,
}

#[derive(Deserialize)]
pub struct LinkQuery {
    token: String,
}

/// Shows a confirmation button rather than signing in on GET, so link scanners and prefetchers
/// cannot use up the one-time link.
pub async fn signin_link_page(Query(q): Query<LinkQuery>) -> Response {
    render(&SigninLinkPage {
        layout: Layout::anonymous("Sign in"),
        token: q.token,
    })
}

pub async fn signin_link_submit(
    State(state): State<AppState>,
    Form(q): Form<LinkQuery>,
) -> WebResult {
    let session = state.app.sign_in_with_link(&q.token).await?;
    Ok(signed_in(&state, &session))
}

#[derive(Deserialize)]
pub struct CsrfOnly {
    csrf: String,
}

pub async fn signout(
    State(state): State<AppState>,
    session: WebSession,
    Form(form): Form<CsrfOnly>,
) -> WebResult {
    session.check_csrf(&form.csrf)?;
    state.app.sign_out(&session.actor, &session.secret).await?;
    let mut response = Redirect::to("/signin").into_response();
    if let Ok(value) = session_cookie(&state, "", 0).parse() {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    Ok(response)
}

// Organizations.

struct OrgRow {
    id: String,
    name: String,
    kind: String,
    sector: String,
    created: String,
}

impl From<&Organization> for OrgRow {
    fn from(o: &Organization) -> Self {
        Self {
            id: o.id.to_string(),
            name: o.name.clone(),
            kind: human(o.kind.as_str()),
            sector: o.sector.map(|s| human(s.as_str())).unwrap_or_default(),
            created: date(o.created_at),
        }
    }
}

#[derive(Template)]
#[template(path = "orgs.html")]
struct OrgsPage {
    layout: Layout,
    orgs: Vec<OrgRow>,
    next_cursor: Option<String>,
    can_create: bool,
    kinds: Vec<(&'static str, String)>,
    sectors: Vec<(&'static str, String)>,
}

#[derive(Deserialize)]
pub struct CursorQuery {
    cursor: Option<String>,
}

pub async fn orgs(
    State(state): State<AppState>,
    session: WebSession,
    Query(q): Query<CursorQuery>,
) -> WebResult {
    let page = state
        .app
        .list_orgs(&session.actor, &PageRequest::new(q.cursor, Some(100)))
        .await?;
    Ok(render(&OrgsPage {
        layout: session.layout("Organizations", "orgs"),
        orgs: page.items.iter().map(OrgRow::from).collect(),
        next_cursor: page.next_cursor,
        can_create: authorize(&session.actor, &Action::OrgCreate).is_ok(),
        kinds: OrgKind::ALL
            .iter()
            .map(|k| (k.as_str(), human(k.as_str())))
            .collect(),
        sectors: Sector::ALL
            .iter()
            .map(|s| (s.as_str(), human(s.as_str())))
            .collect(),
    }))
}

#[derive(Deserialize)]
pub struct CreateOrgForm {
    csrf: String,
    name: String,
    kind: String,
    sector: String,
}

pub async fn create_org(
    State(state): State<AppState>,
    session: WebSession,
    Form(form): Form<CreateOrgForm>,
) -> WebResult {
    session.check_csrf(&form.csrf)?;
    let kind: OrgKind = form
        .kind
        .parse()
        .map_err(|e| clearinghouse_app::Error::unknown_value("kind", e))?;
    let sector = match form.sector.as_str() {
        "" => None,
        s => Some(
            s.parse::<Sector>()
                .map_err(|e| clearinghouse_app::Error::unknown_value("sector", e))?,
        ),
    };
    let new =
        NewOrganization::parse(&form.name, kind, sector).map_err(clearinghouse_app::Error::from)?;
    let org = state.app.create_org(&session.actor, new).await?;
    Ok(Redirect::to(&format!("/orgs/{}", org.id)).into_response())
}

struct TokenRow {
    id: String,
    name: String,
    prefix: String,
    role: String,
    expires: String,
    status: String,
    active: bool,
}

#[derive(Template)]
#[template(path = "org.html")]
struct OrgPage {
    layout: Layout,
    org: OrgRow,
    members: Vec<(String, String, String)>,
    tokens: Vec<TokenRow>,
    roles: Vec<(&'static str, String)>,
}

pub async fn org(
    State(state): State<AppState>,
    session: WebSession,
    Path(id): Path<String>,
) -> WebResult {
    let id: OrgId = path_id(&id, "organization")?;
    let org = state.app.org(&session.actor, id).await?;
    let members = state
        .app
        .members(&session.actor, id)
        .await?
        .into_iter()
        .map(|(p, role)| (p.display_name, p.email, human(role.as_str())))
        .collect();
    let now = jiff::Timestamp::now();
    let tokens = match state
        .app
        .list_tokens(&session.actor, id, &PageRequest::new(None, Some(200)))
        .await
    {
        Ok(page) => page
            .items
            .into_iter()
            .map(|t| TokenRow {
                id: t.id.to_string(),
                status: if t.revoked_at.is_some() {
                    "revoked".into()
                } else if t.is_active(now) {
                    "active".into()
                } else {
                    "expired".into()
                },
                active: t.is_active(now),
                name: t.name,
                prefix: t.prefix,
                role: human(t.role.as_str()),
                expires: t.expires_at.map(date).unwrap_or_default(),
            })
            .collect(),
        Err(_) => Vec::new(),
    };
    Ok(render(&OrgPage {
        layout: session.layout(&org.name, "orgs"),
        org: OrgRow::from(&org),
        members,
        tokens,
        roles: role_options(),
    }))
}

#[derive(Deserialize)]
pub struct AddPersonForm {
    csrf: String,
    email: String,
    display_name: String,
    role: String,
    password: String,
}

pub async fn add_person(
    State(state): State<AppState>,
    session: WebSession,
    Path(id): Path<String>,
    Form(form): Form<AddPersonForm>,
) -> WebResult {
    session.check_csrf(&form.csrf)?;
    let org: OrgId = path_id(&id, "organization")?;
    let role: Role = form
        .role
        .parse()
        .map_err(|e| clearinghouse_app::Error::unknown_value("role", e))?;
    let person = NewPerson::parse(&form.email, &form.display_name)
        .map_err(clearinghouse_app::Error::from)?;
    let password = (!form.password.is_empty()).then_some(form.password);
    state
        .app
        .create_person(
            &session.actor,
            PersonRequest {
                person,
                org,
                role,
                password,
            },
        )
        .await?;
    Ok(Redirect::to(&format!("/orgs/{org}")).into_response())
}

#[derive(Deserialize)]
pub struct CreateTokenForm {
    csrf: String,
    name: String,
    role: String,
    expires_in_days: String,
}

#[derive(Template)]
#[template(path = "token_created.html")]
struct TokenCreatedPage {
    layout: Layout,
    name: String,
    role: String,
    secret: String,
    org_id: String,
}

pub async fn create_token(
    State(state): State<AppState>,
    session: WebSession,
    Path(id): Path<String>,
    Form(form): Form<CreateTokenForm>,
) -> WebResult {
    session.check_csrf(&form.csrf)?;
    let org: OrgId = path_id(&id, "organization")?;
    let role: Role = form
        .role
        .parse()
        .map_err(|e| clearinghouse_app::Error::unknown_value("role", e))?;
    let expires_in_days = match form.expires_in_days.trim() {
        "" => None,
        days => Some(
            days.parse::<i64>()
                .map_err(|_| clearinghouse_app::Error::Invalid {
                    field: "expires_in_days".into(),
                    problem: format!("{days:?} is not a whole number of days"),
                })?,
        ),
    };
    let created = state
        .app
        .create_token(
            &session.actor,
            TokenRequest {
                org,
                role,
                name: form.name,
                expires_in_days,
            },
        )
        .await?;
    let mut response = render(&TokenCreatedPage {
        layout: session.layout("Token created", "orgs"),
        name: created.info.name,
        role: human(created.info.role.as_str()),
        secret: created.secret,
        org_id: org.to_string(),
    });
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(response)
}

pub async fn revoke_token(
    State(state): State<AppState>,
    session: WebSession,
    Path(id): Path<String>,
    Form(form): Form<CsrfOnly>,
) -> WebResult {
    session.check_csrf(&form.csrf)?;
    let id: TokenId = path_id(&id, "token")?;
    let token = state.app.revoke_token(&session.actor, id).await?;
    Ok(Redirect::to(&format!("/orgs/{}", token.org_id)).into_response())
}

// People.

#[derive(Template)]
#[template(path = "people.html")]
struct PeoplePage {
    layout: Layout,
    people: Vec<(String, String, String)>,
    next_cursor: Option<String>,
}

pub async fn people(
    State(state): State<AppState>,
    session: WebSession,
    Query(q): Query<CursorQuery>,
) -> WebResult {
    let page = state
        .app
        .list_people(&session.actor, &PageRequest::new(q.cursor, Some(100)))
        .await?;
    Ok(render(&PeoplePage {
        layout: session.layout("People", "people"),
        people: page
            .items
            .into_iter()
            .map(|p| (p.display_name, p.email, date(p.created_at)))
            .collect(),
        next_cursor: page.next_cursor,
    }))
}

// The log.

struct EntryRow {
    index: u64,
    time: String,
    actor: String,
    action: String,
    object: String,
}

#[derive(Template)]
#[template(path = "log.html")]
struct LogPage {
    layout: Layout,
    checkpoint: String,
    vkey: String,
    entries: Vec<EntryRow>,
    size: u64,
    first: u64,
    last: u64,
    newer: Option<u64>,
    older: Option<u64>,
}

#[derive(Deserialize)]
pub struct LogQuery {
    before: Option<u64>,
}

const LOG_PAGE: u64 = 50;

pub async fn log(
    State(state): State<AppState>,
    session: WebSession,
    Query(q): Query<LogQuery>,
) -> WebResult {
    let checkpoint = state.app.log_checkpoint(&session.actor).await?;
    let (size, _) = state.app.log_head(&session.actor).await?;
    let end = q.before.unwrap_or(size).min(size);
    let start = end.saturating_sub(LOG_PAGE);
    let mut entries: Vec<EntryRow> = state
        .app
        .log_entries(&session.actor, start, (end - start) as u32)
        .await?
        .into_iter()
        .map(|e| {
            let c = e
                .content
                .unwrap_or_else(|| clearinghouse_domain::audit::LeafContent {
                    action: "(unreadable leaf)".into(),
                    actor: String::new(),
                    index: e.index,
                    object: String::new(),
                    payload_sha256: String::new(),
                    time: String::new(),
                    v: 0,
                });
            EntryRow {
                index: e.index,
                time: log_time(&c.time),
                actor: c.actor,
                action: c.action,
                object: c.object,
            }
        })
        .collect();
    entries.reverse();
    Ok(render(&LogPage {
        layout: session.layout("Log", "log"),
        checkpoint,
        vkey: state.app.log_verifier_key(),
        entries,
        size,
        first: start,
        last: end.saturating_sub(1),
        newer: (end < size).then(|| (end + LOG_PAGE).min(size)),
        older: (start > 0).then_some(start),
    }))
}

#[derive(Template)]
#[template(path = "log_entry.html")]
struct LogEntryPage {
    layout: Layout,
    index: u64,
    time: String,
    actor: String,
    action: String,
    object: String,
    payload_sha256: String,
    leaf_text: String,
    leaf_b64: String,
    tree_size: u64,
    root_b64: String,
    proof: Vec<String>,
    proof_joined: String,
    server_verified: bool,
    verify_error: String,
}

pub async fn log_entry(
    State(state): State<AppState>,
    session: WebSession,
    Path(index): Path<String>,
) -> WebResult {
    let index: u64 = index
        .parse()
        .map_err(|_| ApiError::not_found(format!("log entry {index:?} not found")))?;
    let entry = state.app.log_entry(&session.actor, index).await?;
    let (tree_size, root) = state.app.log_head(&session.actor).await?;
    let proof = state
        .app
        .inclusion_proof(&session.actor, index, tree_size)
        .await?;
    let verdict = clearinghouse_tlog::verify_inclusion(
        &clearinghouse_tlog::leaf_hash(&entry.leaf),
        index,
        tree_size,
        &proof,
        &root,
    );
    let proof: Vec<String> = proof.iter().map(|h| B64.encode(h)).collect();
    let content = entry.content.clone();
    Ok(render(&LogEntryPage {
        layout: session.layout(&format!("Log entry {index}"), "log"),
        index,
        time: content.as_ref().map(|c| c.time.clone()).unwrap_or_default(),
        actor: content
            .as_ref()
            .map(|c| c.actor.clone())
            .unwrap_or_default(),
        action: content
            .as_ref()
            .map(|c| c.action.clone())
            .unwrap_or_default(),
        object: content
            .as_ref()
            .map(|c| c.object.clone())
            .unwrap_or_default(),
        payload_sha256: content
            .as_ref()
            .map(|c| c.payload_sha256.clone())
            .unwrap_or_default(),
        leaf_text: String::from_utf8_lossy(&entry.leaf).into_owned(),
        leaf_b64: B64.encode(&entry.leaf),
        tree_size,
        root_b64: B64.encode(root),
        proof_joined: proof.join(","),
        proof,
        server_verified: verdict.is_ok(),
        verify_error: verdict.err().map(|e| e.to_string()).unwrap_or_default(),
    }))
}
