//! Campaign pages: the calendar (`/campaigns`: one bar per campaign per target over a few weeks,
//! overlaps highlighted, with a table alternative), a campaign with its targets' authorization
//! status, overlaps and the resolve/accept forms, the form to declare a campaign, and for
//! operators the scanning controls (network assets, authorizations, blackouts).
//!
//! The calendar is inline SVG rendered on the server: no script, every bar carries its text in a
//! `<title>`, and the same facts are in the tables below it.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use clearinghouse_app::campaigns::{
    AuthorizationRequest, BlackoutRequest, CampaignRequest, CampaignView, OverlapView, RangeRequest,
};
use clearinghouse_domain::authz::{Action, authorize};
use clearinghouse_domain::campaign::{ResolutionKind, Target, TargetInput, Technique, Window};
use clearinghouse_domain::ids::NetworkRangeId;
use clearinghouse_domain::page::PageRequest;
use clearinghouse_domain::{BlackoutId, CampaignId, OrgId, OverlapId, Role, ScanAuthorizationId};
use jiff::{SignedDuration, Timestamp};
use serde::Deserialize;

use super::inventory::{label, when};
use super::{Layout, WebError, WebSession, render};
use crate::error::ApiError;
use crate::extract::path_id;
use crate::state::AppState;

type WebResult = Result<Response, WebError>;

/// The widest calendar, in weeks.
const MAX_WEEKS: i64 = 12;
/// SVG geometry: the view box is this wide; labels take the left part.
const CHART_WIDTH: f64 = 980.0;
const LABEL_WIDTH: f64 = 300.0;
const ROW_HEIGHT: f64 = 26.0;
const HEADER_HEIGHT: f64 = 30.0;

fn invalid(field: &str, problem: impl Into<String>) -> WebError {
    WebError::from(clearinghouse_app::Error::Invalid {
        field: field.to_owned(),
        problem: problem.into(),
    })
}

/// A `datetime-local` value (`2026-12-04T08:00`), read as UTC; RFC 3339 is accepted too.
fn form_time(field: &str, value: &str) -> Result<Timestamp, WebError> {
    let value = value.trim();
    if let Ok(ts) = value.parse::<Timestamp>() {
        return Ok(ts);
    }
    value
        .parse::<jiff::civil::DateTime>()
        .and_then(|dt| dt.to_zoned(jiff::tz::TimeZone::UTC))
        .map(|z| z.timestamp())
        .map_err(|_| invalid(field, format!("{value:?} is not a date and time (UTC)")))
}

/// Targets written one per line, each kind guessed (`pkg:`, `cpe:`, URL, CIDR, hostname).
fn form_targets(text: &str) -> Vec<TargetInput> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(TargetInput::guess)
        .collect()
}

fn target_text(target: &Target) -> String {
    format!("{target} ({})", target.kind())
}

/// A technique's name as people write it.
fn technique_label(technique: Technique) -> &'static str {
    match technique {
        Technique::Sast => "Static analysis (SAST)",
        Technique::Fuzzing => "Fuzzing",
        Technique::Dast => "Dynamic testing (DAST)",
        Technique::NetworkScan => "Network scan",
        Technique::LlmCodeReview => "LLM code review",
        Technique::Other => "Other",
    }
}

fn technique_options() -> Vec<(&'static str, String)> {
    Technique::ALL
        .iter()
        .map(|t| (t.as_str(), technique_label(*t).to_owned()))
        .collect()
}

/// The organizations the actor is a finder in: (id, name).
async fn finder_orgs(state: &AppState, session: &WebSession) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for grant in session.actor.grants() {
        if grant.role != Role::Finder || out.iter().any(|(id, _)| *id == grant.org.to_string()) {
            continue;
        }
        if let Ok(org) = state.app.org(&session.actor, grant.org).await {
            out.push((org.id.to_string(), org.name));
        }
    }
    out
}

/// The organizations whose scanning controls the actor may open: (id, name).
async fn controlled_orgs(state: &AppState, session: &WebSession) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for grant in session.actor.grants() {
        if out.iter().any(|(id, _)| *id == grant.org.to_string())
            || authorize(&session.actor, &Action::ScanControlManage(grant.org)).is_err()
        {
            continue;
        }
        if let Ok(org) = state.app.org(&session.actor, grant.org).await {
            out.push((org.id.to_string(), org.name));
        }
    }
    out
}

// The calendar.

#[derive(Deserialize)]
pub struct CalendarQuery {
    /// First day shown (`YYYY-MM-DD`); the current week's Monday by default.
    from: Option<String>,
    /// Weeks shown (1 to 12, default 4).
    weeks: Option<i64>,
}

/// One day column's tick.
struct DayTick {
    x: String,
    label: String,
    monday: bool,
}

/// One bar of the calendar.
struct CalendarBar {
    x: String,
    width: String,
    class: &'static str,
    title: String,
}

/// One row: a campaign's target.
struct CalendarRow {
    y: String,
    text_y: String,
    label: String,
    href: String,
    bar: Option<CalendarBar>,
    overlaps: Vec<CalendarBar>,
}

#[derive(Template)]
#[template(path = "campaign_calendar.html")]
struct CalendarChart {
    height: String,
    label_width: String,
    width: String,
    days: Vec<DayTick>,
    rows: Vec<CalendarRow>,
    today: Option<String>,
    summary: String,
}

/// A campaign in the table under the calendar.
struct CampaignLine {
    id: String,
    name: String,
    finder: String,
    status: String,
    window: String,
    targets: Vec<String>,
}

/// An overlap in the tables.
struct OverlapLine {
    id: String,
    /// Campaign ids to link, empty when the viewer may not open that campaign.
    first_id: String,
    first: String,
    second_id: String,
    second: String,
    shared: Vec<String>,
    window: String,
    state: String,
    resolved: bool,
}

fn describe_proposal(kind: ResolutionKind, lead: Option<CampaignId>, view: &OverlapView) -> String {
    match (kind, lead) {
        (ResolutionKind::Lead, Some(lead)) => {
            let leader = if lead == view.overlap.first {
                &view.first_name
            } else {
                &view.second_name
            };
            format!("{leader} leads; the other defers its findings to it")
        }
        (ResolutionKind::Share, _) => "both proceed and share findings".into(),
        (ResolutionKind::Stagger, _) => {
            format!("{} starts when {} ends", view.second_name, view.first_name)
        }
        (ResolutionKind::Lead, None) => "one leads".into(),
    }
}

fn overlap_state(view: &OverlapView) -> String {
    let o = &view.overlap;
    if let Some(r) = &o.resolution {
        let mut text = format!("Resolved: {}", describe_proposal(r.kind, r.lead, view));
        if let Some(m) = &r.moved {
            text = format!(
                "Resolved: staggered; {} moved from {} – {} to {} – {}",
                view.second_name,
                when(m.from.start),
                when(m.from.end),
                when(m.to.start),
                when(m.to.end)
            );
        }
        text
    } else if let Some(p) = &o.proposal {
        let by = match p.by {
            None => "default proposal".to_owned(),
            Some(org) if org == o.first_finder => format!("proposed by {}", view.first_finder_name),
            Some(_) => format!("proposed by {}", view.second_finder_name),
        };
        format!("Open ({by}): {}", describe_proposal(p.kind, p.lead, view))
    } else {
        "Open".into()
    }
}

/// An overlap's line; `visible` says which campaigns the viewer may open (the other finder's
/// campaign is shown by name only).
fn overlap_line(view: &OverlapView, visible: &[CampaignId]) -> OverlapLine {
    let o = &view.overlap;
    let link = |id: CampaignId| {
        if visible.contains(&id) {
            id.to_string()
        } else {
            String::new()
        }
    };
    OverlapLine {
        id: o.id.to_string(),
        first_id: link(o.first),
        first: format!("{} ({})", view.first_name, view.first_finder_name),
        second_id: link(o.second),
        second: format!("{} ({})", view.second_name, view.second_finder_name),
        shared: o.shared.iter().map(target_text).collect(),
        window: format!("{} – {}", when(o.window.start), when(o.window.end)),
        state: overlap_state(view),
        resolved: o.resolution.is_some(),
    }
}

fn campaign_line(view: &CampaignView, now: Timestamp) -> CampaignLine {
    let c = &view.campaign;
    CampaignLine {
        id: c.id.to_string(),
        name: c.name.clone(),
        finder: view.finder_name.clone(),
        status: label(c.status(now).as_str()),
        window: format!("{} – {}", when(c.window.start), when(c.window.end)),
        targets: c.targets.iter().map(|t| target_text(&t.target)).collect(),
    }
}

#[derive(Template)]
#[template(path = "campaigns.html")]
struct CalendarPage {
    layout: Layout,
    chart: String,
    range: String,
    previous: String,
    next: String,
    weeks: i64,
    campaigns: Vec<CampaignLine>,
    overlaps: Vec<OverlapLine>,
    can_declare: bool,
    controlled: Vec<(String, String)>,
}

/// The calendar's first day: `from`, or the Monday of the current week (UTC).
fn first_day(from: Option<&str>, now: Timestamp) -> Result<jiff::civil::Date, WebError> {
    match from {
        Some(text) if !text.trim().is_empty() => text
            .trim()
            .parse::<jiff::civil::Date>()
            .map_err(|_| invalid("from", format!("{text:?} is not a date (YYYY-MM-DD)"))),
        _ => {
            let today = now.to_zoned(jiff::tz::TimeZone::UTC).date();
            let back = i64::from(today.weekday().to_monday_zero_offset());
            today
                .checked_sub(jiff::Span::new().days(back))
                .map_err(|e| invalid("from", e.to_string()))
        }
    }
}

fn day_start(date: jiff::civil::Date) -> Result<Timestamp, WebError> {
    date.to_zoned(jiff::tz::TimeZone::UTC)
        .map(|z| z.timestamp())
        .map_err(|e| invalid("from", e.to_string()))
}

pub async fn calendar(
    State(state): State<AppState>,
    session: WebSession,
    Query(q): Query<CalendarQuery>,
) -> WebResult {
    let now = clearinghouse_domain::time::now();
    let weeks = q.weeks.unwrap_or(4).clamp(1, MAX_WEEKS);
    let first = first_day(q.from.as_deref(), now)?;
    let start = day_start(first)?;
    let days = weeks * 7;
    let end = start + SignedDuration::from_hours(24 * days);
    let range = Window { start, end };
    let page = state
        .app
        .campaigns(
            &session.actor,
            Some(range),
            &PageRequest::new(None, Some(500)),
        )
        .await?;
    let ids: Vec<CampaignId> = page.items.iter().map(|v| v.campaign.id).collect();
    let overlaps = state.app.overlaps_among(&session.actor, &ids).await?;

    let day_width = (CHART_WIDTH - LABEL_WIDTH) / days as f64;
    let x_of = |t: Timestamp| {
        let offset = t.duration_since(start).as_secs_f64() / 86_400.0;
        LABEL_WIDTH + offset.clamp(0.0, days as f64) * day_width
    };
    let mut rows = Vec::new();
    for view in &page.items {
        let c = &view.campaign;
        let status = c.status(now);
        for t in &c.targets {
            let y = HEADER_HEIGHT + rows.len() as f64 * ROW_HEIGHT;
            let shown = c.window.intersection(&range);
            let bar = shown.map(|w| CalendarBar {
                x: format!("{:.1}", x_of(w.start)),
                width: format!("{:.1}", (x_of(w.end) - x_of(w.start)).max(2.0)),
                class: match status.as_str() {
                    "running" => "bar-running",
                    "scheduled" => "bar-scheduled",
                    "cancelled" => "bar-cancelled",
                    _ => "bar-ended",
                },
                title: format!(
                    "{} ({}), {}: {} – {}, {}",
                    c.name,
                    view.finder_name,
                    target_text(&t.target),
                    when(c.window.start),
                    when(c.window.end),
                    status.as_str()
                ),
            });
            let marks = overlaps
                .iter()
                .filter(|o| {
                    (o.overlap.first == c.id || o.overlap.second == c.id)
                        && o.overlap
                            .shared
                            .iter()
                            .any(|s| s.intersection(&t.target).is_some())
                })
                .filter_map(|o| {
                    let w = o.overlap.window.intersection(&range)?;
                    let other = if o.overlap.first == c.id {
                        format!("{} ({})", o.second_name, o.second_finder_name)
                    } else {
                        format!("{} ({})", o.first_name, o.first_finder_name)
                    };
                    Some(CalendarBar {
                        x: format!("{:.1}", x_of(w.start)),
                        width: format!("{:.1}", (x_of(w.end) - x_of(w.start)).max(2.0)),
                        class: if o.overlap.resolution.is_some() {
                            "overlap-resolved"
                        } else {
                            "overlap-open"
                        },
                        title: format!("Overlap with {other}: {}", overlap_state(o)),
                    })
                })
                .collect();
            let mut text = format!("{} · {}", c.name, t.target);
            if text.chars().count() > 44 {
                text = text.chars().take(43).collect::<String>() + "…";
            }
            rows.push(CalendarRow {
                y: format!("{:.1}", y + 4.0),
                text_y: format!("{:.1}", y + 17.0),
                label: text,
                href: format!("/campaigns/{}", c.id),
                bar,
                overlaps: marks,
            });
        }
    }
    let mut ticks = Vec::new();
    for d in 0..days {
        let date = first
            .checked_add(jiff::Span::new().days(d))
            .map_err(|e| invalid("from", e.to_string()))?;
        ticks.push(DayTick {
            x: format!("{:.1}", LABEL_WIDTH + d as f64 * day_width),
            label: date.strftime("%b %-d").to_string(),
            monday: date.weekday() == jiff::civil::Weekday::Monday,
        });
    }
    let open = overlaps
        .iter()
        .filter(|o| o.overlap.resolution.is_none())
        .count();
    let chart = CalendarChart {
        height: format!("{:.0}", HEADER_HEIGHT + rows.len().max(1) as f64 * ROW_HEIGHT + 8.0),
        label_width: format!("{LABEL_WIDTH:.0}"),
        width: format!("{CHART_WIDTH:.0}"),
        days: ticks,
        today: range.contains(now).then(|| format!("{:.1}", x_of(now))),
        summary: format!(
            "Campaign calendar from {} for {weeks} weeks: {} campaigns, {} targets, {} overlaps ({open} open). The tables below list the same.",
            first,
            page.items.len(),
            rows.len(),
            overlaps.len()
        ),
        rows,
    }
    .render()
    .unwrap_or_else(|e| {
        tracing::error!(error = %e, "calendar rendering failed");
        String::new()
    });
    let shift = |weeks_by: i64| {
        first
            .checked_add(jiff::Span::new().days(weeks_by * 7))
            .map(|d| d.to_string())
            .unwrap_or_default()
    };
    Ok(render(&CalendarPage {
        layout: session.layout("Campaigns", "campaigns"),
        chart,
        range: format!(
            "{} – {}",
            first,
            first
                .checked_add(jiff::Span::new().days(days - 1))
                .map(|d| d.to_string())
                .unwrap_or_default()
        ),
        previous: shift(-weeks),
        next: shift(weeks),
        weeks,
        campaigns: page.items.iter().map(|v| campaign_line(v, now)).collect(),
        overlaps: overlaps.iter().map(|o| overlap_line(o, &ids)).collect(),
        can_declare: session
            .actor
            .grants()
            .iter()
            .any(|g| g.role == Role::Finder),
        controlled: controlled_orgs(&state, &session).await,
    }))
}

// One campaign.

struct TargetLine {
    target: String,
    status: &'static str,
    problem: String,
    owners: Vec<String>,
}

/// An overlap on the campaign page, with what the viewer may do about it.
struct OverlapPanel {
    line: OverlapLine,
    other_campaign: String,
    first_id: String,
    first_name: String,
    second_id: String,
    second_name: String,
    steps: Vec<String>,
    can_propose: bool,
    can_accept: bool,
    can_decide: bool,
}

#[derive(Template)]
#[template(path = "campaign.html")]
struct CampaignPage {
    layout: Layout,
    id: String,
    name: String,
    finder: String,
    status: String,
    window: String,
    technique: String,
    tool: String,
    rate: u32,
    declared: String,
    targets: Vec<TargetLine>,
    overlaps: Vec<OverlapPanel>,
    can_manage: bool,
    live: bool,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct MessageQuery {
    error: Option<String>,
    done: Option<String>,
}

pub async fn campaign(
    State(state): State<AppState>,
    session: WebSession,
    Path(id): Path<String>,
    Query(q): Query<MessageQuery>,
) -> WebResult {
    let id: CampaignId = path_id(&id, "campaign")?;
    let view = state.app.campaign(&session.actor, id).await?;
    let overlaps = state
        .app
        .campaign_overlaps(&session.actor, id)
        .await
        .unwrap_or_default();
    let now = clearinghouse_domain::time::now();
    let c = &view.campaign;
    let can_manage = authorize(&session.actor, &Action::CampaignManage(c.finder)).is_ok();
    let can_decide = authorize(&session.actor, &Action::OverlapDecide).is_ok();
    let targets = c
        .targets
        .iter()
        .zip(&view.target_status)
        .map(|(t, status)| TargetLine {
            target: target_text(&t.target),
            status: match status {
                None => "Not needed",
                Some(Ok(())) => "Authorized",
                Some(Err(_)) => "NOT authorized",
            },
            problem: status
                .as_ref()
                .and_then(|s| s.clone().err())
                .unwrap_or_default(),
            owners: t
                .covers
                .iter()
                .map(|cover| {
                    format!(
                        "{} ({}), authorization {}",
                        view.operator_names
                            .get(&cover.operator)
                            .cloned()
                            .unwrap_or_default(),
                        cover.piece,
                        cover.authorization
                    )
                })
                .collect(),
        })
        .collect();
    let panels = overlaps
        .iter()
        .map(|o| {
            let negotiator = |org: OrgId| {
                authorize(&session.actor, &Action::OverlapNegotiate([org, org])).is_ok()
            };
            let party = o.overlap.finders().into_iter().any(negotiator);
            let open = o.overlap.resolution.is_none();
            let other = if o.overlap.first == id {
                &o.second_name
            } else {
                &o.first_name
            };
            OverlapPanel {
                line: overlap_line(o, &[id]),
                other_campaign: other.clone(),
                first_id: o.overlap.first.to_string(),
                first_name: o.first_name.clone(),
                second_id: o.overlap.second.to_string(),
                second_name: o.second_name.clone(),
                steps: o
                    .overlap
                    .steps
                    .iter()
                    .map(|s| {
                        format!(
                            "{} UTC: {} {} by {}",
                            when(s.at),
                            s.action,
                            describe_proposal(s.kind, s.lead, o),
                            s.actor
                        )
                    })
                    .collect(),
                can_propose: open && party,
                can_accept: open && o.overlap.acceptor().is_some_and(negotiator),
                can_decide: open && !party && can_decide,
            }
        })
        .collect();
    let mut layout = session.layout(&c.name, "campaigns");
    layout.flash = q.done;
    Ok(render(&CampaignPage {
        layout,
        id: c.id.to_string(),
        name: c.name.clone(),
        finder: view.finder_name.clone(),
        status: label(c.status(now).as_str()),
        window: format!("{} – {} UTC", when(c.window.start), when(c.window.end)),
        technique: technique_label(c.technique).to_owned(),
        tool: format!("{} {}", c.tool.name, c.tool.version),
        rate: c.rate_limit,
        declared: format!("{} UTC by {}", when(c.created_at), c.created_by),
        targets,
        overlaps: panels,
        live: c.is_live(now),
        can_manage,
        error: q.error,
    }))
}

#[derive(Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

pub async fn cancel(
    State(state): State<AppState>,
    session: WebSession,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> WebResult {
    session.check_csrf(&form.csrf)?;
    let id: CampaignId = path_id(&id, "campaign")?;
    state.app.cancel_campaign(&session.actor, id).await?;
    Ok(Redirect::to(&format!("/campaigns/{id}?done=Campaign+cancelled")).into_response())
}

#[derive(Deserialize)]
pub struct TokenForm {
    csrf: String,
    name: String,
}

#[derive(Template)]
#[template(path = "campaign_token.html")]
struct TokenPage {
    layout: Layout,
    campaign_id: String,
    name: String,
    expires: String,
    secret: String,
}

pub async fn create_token(
    State(state): State<AppState>,
    session: WebSession,
    Path(id): Path<String>,
    Form(form): Form<TokenForm>,
) -> WebResult {
    session.check_csrf(&form.csrf)?;
    let id: CampaignId = path_id(&id, "campaign")?;
    let created = state
        .app
        .create_campaign_token(&session.actor, id, &form.name, None)
        .await?;
    let mut response = render(&TokenPage {
        layout: session.layout("Campaign token created", "campaigns"),
        campaign_id: id.to_string(),
        name: created.info.name,
        expires: created.info.expires_at.map(when).unwrap_or_default(),
        secret: created.secret,
    });
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(response)
}

#[derive(Deserialize)]
pub struct ResolveForm {
    csrf: String,
    kind: String,
    lead: Option<String>,
    back: String,
}

/// Where a resolve or accept form goes back to: the campaign page it came from.
fn back_to(back: &str, outcome: Result<(), WebError>) -> Response {
    let back: Option<CampaignId> = back.parse().ok();
    let base = back.map_or_else(|| "/campaigns".to_owned(), |id| format!("/campaigns/{id}"));
    let query = match outcome {
        Ok(()) => "done=Saved".to_owned(),
        Err(e) => format!("error={}", percent_encode(e.detail())),
    };
    Redirect::to(&format!("{base}?{query}")).into_response()
}

fn percent_encode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

pub async fn resolve(
    State(state): State<AppState>,
    session: WebSession,
    Path(id): Path<String>,
    Form(form): Form<ResolveForm>,
) -> WebResult {
    session.check_csrf(&form.csrf)?;
    let id: OverlapId = path_id(&id, "overlap")?;
    let kind: ResolutionKind = form
        .kind
        .parse()
        .map_err(|e| clearinghouse_app::Error::unknown_value("kind", e))?;
    let lead = match (kind, form.lead.as_deref()) {
        (ResolutionKind::Lead, Some(lead)) => Some(path_id::<CampaignId>(lead, "campaign")?),
        _ => None,
    };
    let outcome = state
        .app
        .resolve_overlap(&session.actor, id, kind, lead)
        .await
        .map(|_| ())
        .map_err(WebError::from);
    Ok(back_to(&form.back, outcome))
}

#[derive(Deserialize)]
pub struct AcceptForm {
    csrf: String,
    back: String,
}

pub async fn accept(
    State(state): State<AppState>,
    session: WebSession,
    Path(id): Path<String>,
    Form(form): Form<AcceptForm>,
) -> WebResult {
    session.check_csrf(&form.csrf)?;
    let id: OverlapId = path_id(&id, "overlap")?;
    let outcome = state
        .app
        .accept_overlap(&session.actor, id)
        .await
        .map(|_| ())
        .map_err(WebError::from);
    Ok(back_to(&form.back, outcome))
}

// Declaring a campaign.

#[derive(Default, Deserialize)]
pub struct DeclareForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    finder: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    targets: String,
    #[serde(default)]
    technique: String,
    #[serde(default)]
    tool_name: String,
    #[serde(default)]
    tool_version: String,
    #[serde(default)]
    start: String,
    #[serde(default)]
    end: String,
    #[serde(default)]
    rate: String,
}

#[derive(Template)]
#[template(path = "campaign_new.html")]
struct DeclarePage {
    layout: Layout,
    form: DeclareForm,
    finders: Vec<(String, String)>,
    techniques: Vec<(&'static str, String)>,
    errors: Vec<String>,
}

fn declare_page(
    session: &WebSession,
    form: DeclareForm,
    finders: Vec<(String, String)>,
    errors: Vec<String>,
) -> Response {
    render(&DeclarePage {
        layout: session.layout("Declare a campaign", "campaigns"),
        form,
        finders,
        techniques: technique_options(),
        errors,
    })
}

pub async fn declare_form(State(state): State<AppState>, session: WebSession) -> WebResult {
    let finders = finder_orgs(&state, &session).await;
    if finders.is_empty() {
        return Err(WebError::from(ApiError::forbidden(
            "only finders declare campaigns",
        )));
    }
    let now = clearinghouse_domain::time::now();
    let hour = |h: i64| {
        (now + SignedDuration::from_hours(h))
            .to_zoned(jiff::tz::TimeZone::UTC)
            .strftime("%Y-%m-%dT%H:00")
            .to_string()
    };
    let form = DeclareForm {
        technique: Technique::Fuzzing.as_str().into(),
        start: hour(1),
        end: hour(24 * 7),
        rate: "10".into(),
        ..DeclareForm::default()
    };
    Ok(declare_page(&session, form, finders, Vec::new()))
}

/// The problems of a refusal or invalid input, one line each, as the form shows them.
fn problems(err: clearinghouse_app::Error) -> Vec<String> {
    match err {
        clearinghouse_app::Error::Refused(list) => list
            .into_iter()
            .map(|(at, why)| format!("{}: {why}", at.trim_start_matches('#')))
            .collect(),
        other => vec![WebError::from(other).detail().to_owned()],
    }
}

pub async fn declare(
    State(state): State<AppState>,
    session: WebSession,
    Form(form): Form<DeclareForm>,
) -> WebResult {
    session.check_csrf(&form.csrf)?;
    let finders = finder_orgs(&state, &session).await;
    let parsed = (|| -> Result<CampaignRequest, WebError> {
        Ok(CampaignRequest {
            finder: Some(path_id::<OrgId>(&form.finder, "organization")?),
            name: form.name.clone(),
            targets: form_targets(&form.targets),
            technique: form
                .technique
                .parse()
                .map_err(|e| clearinghouse_app::Error::unknown_value("technique", e))?,
            tool_name: form.tool_name.clone(),
            tool_version: form.tool_version.clone(),
            start: form_time("start", &form.start)?,
            end: form_time("end", &form.end)?,
            rate_limit: form
                .rate
                .trim()
                .parse()
                .map_err(|_| invalid("rate_limit", "a whole number of requests per second"))?,
        })
    })();
    let request = match parsed {
        Ok(request) => request,
        Err(e) => {
            let detail = e.detail().to_owned();
            return Ok(declare_page(&session, form, finders, vec![detail]));
        }
    };
    match state.app.create_campaign(&session.actor, request).await {
        Ok(created) => {
            let found = created.overlaps.len();
            let done = match found {
                0 => "Campaign+declared".to_owned(),
                n => format!("Campaign+declared;+{n}+overlap(s)+found+and+both+finders+notified"),
            };
            Ok(Redirect::to(&format!(
                "/campaigns/{}?done={done}",
                created.campaign.campaign.id
            ))
            .into_response())
        }
        Err(e) => {
            let errors = problems(e);
            Ok(declare_page(&session, form, finders, errors))
        }
    }
}

// Operators' scanning controls.

struct RangeLine {
    id: String,
    target: String,
    label: String,
}

struct AuthorizationLine {
    id: String,
    finder: String,
    scope: Vec<String>,
    window: String,
    techniques: String,
    rate: u32,
    status: String,
    active: bool,
}

struct BlackoutLine {
    id: String,
    scope: String,
    window: String,
    reason: String,
    active: bool,
}

#[derive(Template)]
#[template(path = "scanning.html")]
struct ScanningPage {
    layout: Layout,
    org_id: String,
    org_name: String,
    ranges: Vec<RangeLine>,
    authorizations: Vec<AuthorizationLine>,
    blackouts: Vec<BlackoutLine>,
    can_write: bool,
    techniques: Vec<(&'static str, String)>,
    error: Option<String>,
}

pub async fn scanning(
    State(state): State<AppState>,
    session: WebSession,
    Path(id): Path<String>,
    Query(q): Query<MessageQuery>,
) -> WebResult {
    let org: OrgId = path_id(&id, "organization")?;
    let details = state.app.org(&session.actor, org).await?;
    let ranges = state.app.network_ranges(&session.actor, org).await?;
    let authorizations = state.app.scan_authorizations(&session.actor, org).await?;
    let names: HashMap<OrgId, String> = state
        .app
        .authorization_parties(&session.actor, &authorizations)
        .await?;
    let blackouts = state.app.blackouts(&session.actor, org).await?;
    let now = clearinghouse_domain::time::now();
    let mut layout = session.layout(&format!("Scanning at {}", details.name), "campaigns");
    layout.flash = q.done;
    Ok(render(&ScanningPage {
        layout,
        org_id: org.to_string(),
        org_name: details.name,
        ranges: ranges
            .into_iter()
            .map(|r| RangeLine {
                id: r.id.to_string(),
                target: target_text(&r.target),
                label: r.label.unwrap_or_default(),
            })
            .collect(),
        authorizations: authorizations
            .into_iter()
            .filter(|a| a.operator == org)
            .map(|a| {
                let revoked = a.revoked_at.is_some_and(|r| r <= now);
                AuthorizationLine {
                    id: a.id.to_string(),
                    finder: names
                        .get(&a.finder)
                        .cloned()
                        .unwrap_or_else(|| a.finder.to_string()),
                    scope: a.scope.iter().map(target_text).collect(),
                    window: format!("{} – {} UTC", when(a.window.start), when(a.window.end)),
                    techniques: if a.techniques.is_empty() {
                        "any".into()
                    } else {
                        a.techniques
                            .iter()
                            .map(|t| technique_label(*t))
                            .collect::<Vec<_>>()
                            .join(", ")
                    },
                    rate: a.max_rate,
                    status: if revoked {
                        "Revoked".into()
                    } else if a.window.end <= now {
                        "Ended".into()
                    } else if now < a.window.start {
                        "Scheduled".into()
                    } else {
                        "Active".into()
                    },
                    active: !revoked && a.window.end > now,
                }
            })
            .collect(),
        blackouts: blackouts
            .into_iter()
            .map(|b| BlackoutLine {
                id: b.id.to_string(),
                scope: if b.scope.is_empty() {
                    "every registered asset".into()
                } else {
                    b.scope
                        .iter()
                        .map(target_text)
                        .collect::<Vec<_>>()
                        .join(", ")
                },
                window: format!("{} – {} UTC", when(b.window.start), when(b.window.end)),
                active: b.revoked_at.is_none() && b.window.end > now,
                reason: b.reason,
            })
            .collect(),
        can_write: authorize(&session.actor, &Action::ScanControlManage(org)).is_ok(),
        techniques: technique_options(),
        error: q.error,
    }))
}

/// Back to the scanning page, with the outcome.
fn back_to_scanning(org: OrgId, outcome: Result<&str, clearinghouse_app::Error>) -> Response {
    let query = match outcome {
        Ok(done) => format!("done={}", percent_encode(done)),
        Err(e) => format!("error={}", percent_encode(&problems(e).join("; "))),
    };
    Redirect::to(&format!("/orgs/{org}/scanning?{query}")).into_response()
}

#[derive(Deserialize)]
pub struct RangeForm {
    csrf: String,
    target: String,
    #[serde(default)]
    label: String,
}

pub async fn add_range(
    State(state): State<AppState>,
    session: WebSession,
    Path(id): Path<String>,
    Form(form): Form<RangeForm>,
) -> WebResult {
    session.check_csrf(&form.csrf)?;
    let org: OrgId = path_id(&id, "organization")?;
    let outcome = state
        .app
        .create_network_range(
            &session.actor,
            org,
            RangeRequest {
                target: TargetInput::guess(&form.target),
                asset: None,
                label: Some(form.label),
            },
        )
        .await
        .map(|_| "Network asset registered");
    Ok(back_to_scanning(org, outcome))
}

pub async fn delete_range(
    State(state): State<AppState>,
    session: WebSession,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> WebResult {
    session.check_csrf(&form.csrf)?;
    let id: NetworkRangeId = path_id(&id, "network asset")?;
    let range = state.app.network_range(&session.actor, id).await?;
    let outcome = state
        .app
        .delete_network_range(&session.actor, id)
        .await
        .map(|()| "Network asset removed");
    Ok(back_to_scanning(range.org, outcome))
}

/// The authorization form (read by hand: its technique checkboxes repeat).
struct AuthorizationForm {
    csrf: String,
    finder: String,
    scope: String,
    start: String,
    end: String,
    technique: Vec<String>,
    max_rate: String,
    note: String,
}

pub async fn add_authorization(
    State(state): State<AppState>,
    session: WebSession,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> WebResult {
    let org: OrgId = path_id(&id, "organization")?;
    // Repeated `technique` checkboxes: serde_urlencoded cannot collect them into a Vec.
    let mut form = AuthorizationForm {
        csrf: String::new(),
        finder: String::new(),
        scope: String::new(),
        start: String::new(),
        end: String::new(),
        technique: Vec::new(),
        max_rate: String::new(),
        note: String::new(),
    };
    for (key, value) in url::form_urlencoded::parse(&body) {
        let value = value.into_owned();
        match key.as_ref() {
            "csrf" => form.csrf = value,
            "finder" => form.finder = value,
            "scope" => form.scope = value,
            "start" => form.start = value,
            "end" => form.end = value,
            "technique" => form.technique.push(value),
            "max_rate" => form.max_rate = value,
            "note" => form.note = value,
            _ => {}
        }
    }
    session.check_csrf(&form.csrf)?;
    let request = (|| -> Result<AuthorizationRequest, clearinghouse_app::Error> {
        let bad = |field: &str, problem: &str| clearinghouse_app::Error::Invalid {
            field: field.to_owned(),
            problem: problem.to_owned(),
        };
        let time = |field: &str, value: &str| {
            form_time(field, value).map_err(|_| bad(field, "not a date and time (UTC)"))
        };
        Ok(AuthorizationRequest {
            finder: form
                .finder
                .trim()
                .parse()
                .map_err(|_| bad("finder_id", "the finder organization's id (a UUID)"))?,
            scope: form_targets(&form.scope),
            start: time("start", &form.start)?,
            end: time("end", &form.end)?,
            techniques: form
                .technique
                .iter()
                .map(|t| {
                    t.parse()
                        .map_err(|e| clearinghouse_app::Error::unknown_value("techniques", e))
                })
                .collect::<Result<_, _>>()?,
            max_rate: form
                .max_rate
                .trim()
                .parse()
                .map_err(|_| bad("max_rate", "a whole number of requests per second"))?,
            note: Some(form.note.clone()),
        })
    })();
    let outcome = match request {
        Ok(request) => state
            .app
            .create_scan_authorization(&session.actor, org, request)
            .await
            .map(|_| "Authorization recorded"),
        Err(e) => Err(e),
    };
    Ok(back_to_scanning(org, outcome))
}

pub async fn revoke_authorization(
    State(state): State<AppState>,
    session: WebSession,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> WebResult {
    session.check_csrf(&form.csrf)?;
    let id: ScanAuthorizationId = path_id(&id, "scan authorization")?;
    let a = state
        .app
        .revoke_scan_authorization(&session.actor, id)
        .await?;
    Ok(back_to_scanning(a.operator, Ok("Authorization revoked")))
}

#[derive(Deserialize)]
pub struct BlackoutForm {
    csrf: String,
    #[serde(default)]
    scope: String,
    start: String,
    end: String,
    reason: String,
}

pub async fn add_blackout(
    State(state): State<AppState>,
    session: WebSession,
    Path(id): Path<String>,
    Form(form): Form<BlackoutForm>,
) -> WebResult {
    session.check_csrf(&form.csrf)?;
    let org: OrgId = path_id(&id, "organization")?;
    let times = form_time("start", &form.start).and_then(|s| Ok((s, form_time("end", &form.end)?)));
    let outcome = match times {
        Ok((start, end)) => state
            .app
            .create_blackout(
                &session.actor,
                org,
                BlackoutRequest {
                    scope: form_targets(&form.scope),
                    start,
                    end,
                    reason: form.reason,
                },
            )
            .await
            .map(|_| "Blackout recorded"),
        Err(e) => Err(clearinghouse_app::Error::Invalid {
            field: "start".into(),
            problem: e.detail().to_owned(),
        }),
    };
    Ok(back_to_scanning(org, outcome))
}

pub async fn lift_blackout(
    State(state): State<AppState>,
    session: WebSession,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> WebResult {
    session.check_csrf(&form.csrf)?;
    let id: BlackoutId = path_id(&id, "blackout")?;
    let b = state.app.revoke_blackout(&session.actor, id).await?;
    Ok(back_to_scanning(b.operator, Ok("Blackout lifted")))
}
