//! Coordination pages: the analysts' queue, the list of cases, the case page, and the router of
//! every coordination page and form.
//!
//! # Layout
//! - this file: labels shared by the pages, the lists, and the case page (`case_page`), which a
//!   refused form renders again with its problem.
//! - `forms`: the case page's forms (transitions, disclosure, members, merges, claims, verdicts,
//!   vendor statuses, attachments, comments) and attachment downloads.
//! - `story`: the pages' story through the router, on every engine (tests).
//!
//! Handlers translate between forms, the coordination services (`clearinghouse_app::
//! coordination`) and templates. The services apply the visibility rule and the policy to every
//! read and write; which forms a page shows comes from `App::case_abilities`, the same policy
//! asked in advance. A case the viewer may not see is the same 404 page as a case that does not
//! exist. Errors of a form on the case page are shown inline in that form, with the page around
//! it; other errors are shown as an error page that keeps the navigation.

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use clearinghouse_app::coordination::{
    CaseAbilities, CaseQuery, QueueFilter, VisibleCase, priority,
};
use clearinghouse_domain::coordination::{
    AttachmentKind, CaseRelation, CaseState, CaseView, CoordinatorDecision, CvssScore,
    ProductStatus, RejectReason, Tlp,
};
use clearinghouse_domain::page::{MAX_LIMIT, PageRequest};
use clearinghouse_domain::{CaseId, OrgId};
use serde::Deserialize;

use super::inventory::{BarChart, label, sector_label, when};
use super::{Layout, WebError, WebSession, render, render_with_status};
use crate::error::ApiError;
use crate::extract::path_id;
use crate::state::AppState;

mod forms;

pub(super) use forms::{UploadFields, read_multipart};

type WebResult = Result<Response, WebError>;

/// The coordination routes (pages and forms).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/cases", get(cases))
        .route("/cases/queue", get(queue))
        .route("/cases/{id}", get(case))
        .route("/cases/{id}/transition", post(forms::transition))
        .route("/cases/{id}/disclosure", post(forms::disclosure))
        .route("/cases/{id}/members", post(forms::add_member))
        .route(
            "/cases/{id}/operators/notify",
            post(forms::notify_operators),
        )
        .route("/cases/{id}/claim", post(forms::claim))
        .route("/cases/{id}/vendor-statuses", post(forms::vendor_status))
        .route("/cases/{id}/comments", post(forms::comment))
        .route("/cases/{id}/attachments", post(forms::attach))
        .route("/validations/{id}/verdict", post(forms::verdict))
        .route("/merge-proposals/{id}", post(forms::decide_proposal))
        .route("/findings/{id}/withdraw", post(forms::withdraw))
        .route("/findings/{id}/split", post(forms::split))
        .route("/attachments/{id}", get(forms::download))
        .route("/findings", get(super::findings::status_page))
        .route(
            "/findings/new",
            get(super::findings::new_finding).post(super::findings::submit),
        )
        .route("/validate", get(super::validation::workbench))
}

/// A page or form result in the session's frame: errors keep the navigation.
pub(super) fn framed(session: &WebSession, result: WebResult) -> Response {
    result.unwrap_or_else(|e| e.framed(session).into_response())
}

// Labels. Colours always come with the text they stand for.

/// The TLP 2.0 class colouring a mark (FIRST's colours on black; the label is always written).
pub(super) fn tlp_class(tlp: Tlp) -> &'static str {
    match tlp {
        Tlp::Clear => "tlp-clear",
        Tlp::Green => "tlp-green",
        Tlp::Amber => "tlp-amber",
        Tlp::AmberStrict => "tlp-amber-strict",
        Tlp::Red => "tlp-red",
    }
}

/// What a mark allows, in FIRST's TLP 2.0 words.
fn tlp_meaning(tlp: Tlp) -> &'static str {
    match tlp {
        Tlp::Clear => "Recipients can spread this to the world; there is no limit on disclosure.",
        Tlp::Green => {
            "Recipients can spread this within their community, but not via publicly accessible channels."
        }
        Tlp::Amber => {
            "Recipients can share this only on a need-to-know basis within their organization and its clients."
        }
        Tlp::AmberStrict => {
            "Recipients can share this only on a need-to-know basis within their organization."
        }
        Tlp::Red => "For the eyes and ears of individual recipients only; no further disclosure.",
    }
}

/// The decision's name as CISA writes it.
pub(super) fn decision_label(decision: CoordinatorDecision) -> &'static str {
    match decision {
        CoordinatorDecision::Act => "Act",
        CoordinatorDecision::Attend => "Attend",
        CoordinatorDecision::TrackStar => "Track*",
        CoordinatorDecision::Track => "Track",
    }
}

/// The CSS class colouring a decision badge.
pub(super) fn decision_class(decision: CoordinatorDecision) -> &'static str {
    match decision {
        CoordinatorDecision::Act => "ssvc-act",
        CoordinatorDecision::Attend => "ssvc-attend",
        CoordinatorDecision::TrackStar => "ssvc-track-star",
        CoordinatorDecision::Track => "ssvc-track",
    }
}

/// `fix_available` → `Fix available`.
pub(super) fn state_label(state: CaseState) -> String {
    label(state.as_str())
}

/// `9.8 critical`, or `not scored`.
pub(super) fn severity(cvss: Option<&CvssScore>) -> String {
    cvss.map_or_else(
        || "not scored".to_owned(),
        |c| format!("{:.1} {}", c.score, c.severity),
    )
}

/// `CWE-79: Improper Neutralization of …` when MITRE's catalogue names it.
pub(super) fn cwe_text(cwe: &str) -> String {
    clearinghouse_standards::cwe::Cwe::parse(cwe)
        .ok()
        .and_then(|c| c.name())
        .map_or_else(|| cwe.to_owned(), |name| format!("{cwe}: {name}"))
}

/// `1st`, `2nd`, `3rd`, `11th`, `22nd`.
pub(super) fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// A duration as people read it: `89 days, 3 hours`, `5 hours`, `less than an hour`.
fn remaining(seconds: i64) -> String {
    let days = seconds / 86_400;
    let hours = (seconds % 86_400) / 3_600;
    let unit = |n: i64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    match (days, hours) {
        (0, 0) => "less than an hour".to_owned(),
        (0, h) => unit(h, "hour", "hours"),
        (d, 0) => unit(d, "day", "days"),
        (d, h) => format!("{}, {}", unit(d, "day", "days"), unit(h, "hour", "hours")),
    }
}

/// Where the embargo stands, as a sentence.
fn embargo_sentence(case: &VisibleCase, now: jiff::Timestamp) -> (String, bool) {
    match (case.published_at, case.embargo_until) {
        (Some(published), _) => (
            format!("Published {} UTC: the embargo is over.", when(published)),
            false,
        ),
        (None, Some(until)) if until <= now => {
            (format!("The embargo ended {} UTC.", when(until)), false)
        }
        (None, Some(until)) => (
            format!(
                "Embargoed until {} UTC ({} left).",
                when(until),
                remaining(until.as_second() - now.as_second())
            ),
            true,
        ),
        (None, None) => (String::new(), false),
    }
}

/// `(value, label, selected)` options of a closed set, with an "any" first when `any` is given.
fn select_options<T: Copy + PartialEq>(
    all: &[T],
    wire: fn(&T) -> &'static str,
    name: fn(T) -> String,
    selected: Option<T>,
) -> Vec<(&'static str, String, bool)> {
    all.iter()
        .map(|v| (wire(v), name(*v), selected == Some(*v)))
        .collect()
}

fn tlp_options(selected: Option<Tlp>) -> Vec<(&'static str, String, bool)> {
    select_options(
        &Tlp::ALL,
        |t| t.as_str(),
        |t| t.label().to_owned(),
        selected,
    )
}

fn open_state_options(selected: Option<CaseState>) -> Vec<(&'static str, String, bool)> {
    let open: Vec<CaseState> = CaseState::ALL
        .iter()
        .copied()
        .filter(|s| s.is_open())
        .collect();
    select_options(&open, CaseState::as_str, state_label, selected)
}

/// An optional closed-set value from a query string or form (`""` means none).
fn parse_choice<T: std::str::FromStr>(
    value: Option<&str>,
    field: &str,
    what: &str,
) -> Result<Option<T>, WebError> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => v.parse().map(Some).map_err(|_| {
            ApiError::invalid(
                format!("{field}: {v:?} is not a {what}"),
                Some(field.into()),
            )
            .into()
        }),
    }
}

// One case as a line of a table.

/// A case in a list.
pub(super) struct CaseLine {
    pub(super) id: String,
    pub(super) title: String,
    pub(super) state: String,
    pub(super) tlp: &'static str,
    pub(super) tlp_class: &'static str,
    pub(super) product: String,
    pub(super) cwe: String,
    pub(super) severity: String,
    pub(super) opened: String,
}

impl From<&VisibleCase> for CaseLine {
    fn from(case: &VisibleCase) -> Self {
        Self {
            id: case.id.to_string(),
            title: case.title.clone(),
            state: state_label(case.state),
            tlp: case.tlp.label(),
            tlp_class: tlp_class(case.tlp),
            product: case.product.clone(),
            cwe: case.cwe.clone().unwrap_or_default(),
            severity: severity(case.cvss.as_ref()),
            opened: when(case.created_at),
        }
    }
}

// The list of cases.

#[derive(Deserialize, Default)]
pub struct CasesQuery {
    state: Option<String>,
    tlp: Option<String>,
    q: Option<String>,
    cursor: Option<String>,
}

#[derive(Template)]
#[template(path = "cases.html")]
struct CasesPage {
    layout: Layout,
    rows: Vec<CaseLine>,
    states: Vec<(&'static str, String, bool)>,
    tlps: Vec<(&'static str, String, bool)>,
    search: String,
    next: Option<String>,
    filtered: bool,
}

/// Every case the viewer sees, newest first, by state, mark and text.
pub async fn cases(
    State(state): State<AppState>,
    session: WebSession,
    Query(q): Query<CasesQuery>,
) -> Response {
    framed(&session, cases_page(&state, &session, q).await)
}

async fn cases_page(state: &AppState, session: &WebSession, q: CasesQuery) -> WebResult {
    let case_state: Option<CaseState> = parse_choice(q.state.as_deref(), "state", "case state")?;
    let tlp: Option<Tlp> = parse_choice(q.tlp.as_deref(), "tlp", "TLP mark")?;
    let search = q.q.unwrap_or_default();
    let page = state
        .app
        .cases(
            &session.actor,
            &CaseQuery {
                state: case_state,
                tlp,
                search: Some(search.clone()),
            },
            &PageRequest::new(q.cursor, Some(50)),
        )
        .await?;
    let next = page.next_cursor.map(|cursor| {
        format!(
            "state={}&tlp={}&q={}&cursor={cursor}",
            case_state.map_or("", |s| s.as_str()),
            tlp.map_or("", |t| t.as_str()),
            urlencode(&search)
        )
    });
    Ok(render(&CasesPage {
        layout: session.layout("Cases", "cases"),
        rows: page.items.iter().map(CaseLine::from).collect(),
        states: select_options(CaseState::ALL, CaseState::as_str, state_label, case_state),
        tlps: tlp_options(tlp),
        filtered: case_state.is_some() || tlp.is_some() || !search.trim().is_empty(),
        search,
        next,
    }))
}

/// Percent-encodes a query value (RFC 3986 unreserved characters stay).
fn urlencode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

// The analysts' queue.

struct QueueLine {
    rank: u64,
    decision: &'static str,
    decision_class: &'static str,
    case: CaseLine,
    exposure: Vec<String>,
    due: String,
    overdue: bool,
    reason: String,
}

#[derive(Template)]
#[template(path = "case_queue.html")]
struct QueuePage {
    layout: Layout,
    rows: Vec<QueueLine>,
    states: Vec<(&'static str, String, bool)>,
    tlps: Vec<(&'static str, String, bool)>,
    chart: String,
    open_total: u64,
    overdue: usize,
    next: Option<String>,
    filtered: bool,
}

/// The ranked open cases with their SSVC decision, CVSS, exposure by sector (counts only), due
/// date and the reason for the rank; a chart of open cases by state.
pub async fn queue(
    State(state): State<AppState>,
    session: WebSession,
    Query(q): Query<CasesQuery>,
) -> Response {
    framed(&session, queue_page(&state, &session, q).await)
}

async fn queue_page(state: &AppState, session: &WebSession, q: CasesQuery) -> WebResult {
    let filter = QueueFilter {
        state: parse_choice(q.state.as_deref(), "state", "case state")?,
        tlp: parse_choice(q.tlp.as_deref(), "tlp", "TLP mark")?,
    };
    let page = state
        .app
        .queue_filtered(
            &session.actor,
            &filter,
            &PageRequest::new(q.cursor, Some(50)),
        )
        .await?;
    let counts = state.app.open_cases_by_state(&session.actor).await?;
    let chart = BarChart::new(
        "open-by-state",
        "Open cases by state",
        counts
            .iter()
            .map(|(s, n)| (state_label(*s), *n, "state-bar"))
            .collect(),
    )
    .svg();
    let rows: Vec<QueueLine> = page
        .items
        .iter()
        .map(|item| {
            let mut exposure: Vec<(String, u64)> = item
                .exposure
                .iter()
                .map(|s| (sector_label(s.sector), s.operators))
                .collect();
            exposure.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            QueueLine {
                rank: item.rank,
                decision: decision_label(item.decision),
                decision_class: decision_class(item.decision),
                case: CaseLine::from(&item.case),
                exposure: exposure
                    .into_iter()
                    .map(|(sector, n)| format!("{sector} {n}"))
                    .collect(),
                due: item.due_at.map(when).unwrap_or_default(),
                overdue: item.overdue,
                reason: item.reason.clone(),
            }
        })
        .collect();
    let next = page.next_cursor.map(|cursor| {
        format!(
            "state={}&tlp={}&cursor={}",
            filter.state.map_or("", |s| s.as_str()),
            filter.tlp.map_or("", |t| t.as_str()),
            urlencode(&cursor)
        )
    });
    Ok(render(&QueuePage {
        layout: session.layout("Analysts' queue", "queue"),
        overdue: rows.iter().filter(|r| r.overdue).count(),
        rows,
        states: open_state_options(filter.state),
        tlps: tlp_options(filter.tlp),
        chart,
        open_total: counts.iter().map(|(_, n)| n).sum(),
        next,
        filtered: filter != QueueFilter::default(),
    }))
}

// The case page.

/// A problem with one form of the case page, shown inside that form.
pub(super) struct FormProblem {
    /// Which form (`transition`, `comment`, …).
    form: &'static str,
    /// What is wrong, and where.
    message: String,
    /// The status the page is sent with (what the API would answer).
    status: StatusCode,
    /// The text the person had typed, to give back (comments).
    draft: String,
}

impl FormProblem {
    /// The problem of a refused form, or the error page for what a form cannot show (a case that
    /// is not there, a server failure).
    fn from_error(
        form: &'static str,
        err: clearinghouse_app::Error,
        draft: String,
    ) -> Result<Self, WebError> {
        let api = ApiError::from(err);
        let status = api.status();
        if status == StatusCode::NOT_FOUND || status.is_server_error() {
            return Err(api.into());
        }
        Ok(Self {
            form,
            message: api.detail().to_owned(),
            status,
            draft,
        })
    }
}

struct Step {
    label: String,
    status: &'static str,
}

/// The main path of the state machine, drawn as steps; a rejection is drawn after it.
const MAIN_PATH: [CaseState; 8] = [
    CaseState::Submitted,
    CaseState::Triaged,
    CaseState::Validating,
    CaseState::Validated,
    CaseState::Coordinating,
    CaseState::FixAvailable,
    CaseState::Published,
    CaseState::Closed,
];

fn steps(state: CaseState, reason: Option<RejectReason>) -> Vec<Step> {
    let current = MAIN_PATH.iter().position(|s| *s == state);
    let mut steps: Vec<Step> = MAIN_PATH
        .iter()
        .enumerate()
        .map(|(i, s)| Step {
            label: state_label(*s),
            status: match current {
                Some(c) if i < c => "done",
                Some(c) if i == c => "current",
                _ => "todo",
            },
        })
        .collect();
    if state == CaseState::Rejected {
        steps.push(Step {
            label: match reason {
                Some(r) => format!("Rejected: {}", label(r.as_str()).to_lowercase()),
                None => "Rejected".to_owned(),
            },
            status: "current rejected",
        });
    }
    steps
}

struct CreditLine {
    ordinal: String,
    org: String,
    accepted: String,
    first: bool,
}

struct FindingLine {
    id: String,
    accepted: String,
    org: String,
    title: String,
    description: String,
    versions: String,
    location: String,
    tool: String,
    campaign: String,
    known_ids: String,
    cwe: String,
    cvss: String,
    withdrawn: bool,
    withdrawable: bool,
    /// An analyst may split this active finding out into a case of its own.
    splittable: bool,
}

struct ProposalLine {
    id: String,
    finding: String,
    source_case: String,
    target_case: String,
    similarity: String,
    reason: String,
}

struct ValidationLine {
    id: String,
    org: String,
    claimed: String,
    verdict: String,
    notes: String,
    can_decide: bool,
}

struct StatusLine {
    org: String,
    product: String,
    status: String,
    status_class: &'static str,
    fixed_version: String,
    note: String,
    updated: String,
}

struct AttachmentLine {
    id: String,
    filename: String,
    kind: String,
    size: String,
    org: String,
    created: String,
    readable: bool,
}

struct CommentLine {
    org: String,
    mine: bool,
    created: String,
    body: String,
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage {
    layout: Layout,
    id: String,
    title: String,
    tlp: &'static str,
    tlp_class: &'static str,
    tlp_meaning: &'static str,
    full: bool,
    limited: bool,
    state: String,
    steps: Vec<Step>,
    due: String,
    overdue: bool,
    embargo: String,
    embargoed: bool,
    product: String,
    cwe: String,
    cvss: String,
    vector: String,
    decision: Option<(&'static str, &'static str)>,
    reason: String,
    exposure: Vec<(String, u64)>,
    known: Vec<String>,
    has_poc: bool,
    merged_into: String,
    opened: String,
    updated: String,
    credits: Vec<CreditLine>,
    findings: Vec<FindingLine>,
    proposals: Vec<ProposalLine>,
    validations: Vec<ValidationLine>,
    statuses: Vec<StatusLine>,
    members: Vec<(String, String, String)>,
    attachments: Vec<AttachmentLine>,
    comments: Vec<CommentLine>,
    comments_truncated: bool,
    abilities: CaseAbilities,
    transitions: Vec<(&'static str, String)>,
    can_reject: bool,
    reject_reasons: Vec<(&'static str, String, bool)>,
    orgs: Vec<(String, String)>,
    relations: Vec<(&'static str, String, bool)>,
    tlps: Vec<(&'static str, String, bool)>,
    embargo_value: String,
    operators_allowed: bool,
    status_options: Vec<(&'static str, String, bool)>,
    kinds: Vec<(&'static str, String, bool)>,
    problem: Option<FormProblem>,
}

impl CasePage {
    /// The problem of `form`, if that form was refused.
    fn problem_of(&self, form: &str) -> Option<&str> {
        self.problem
            .as_ref()
            .filter(|p| p.form == form)
            .map(|p| p.message.as_str())
    }

    /// What the person had typed in `form`.
    fn draft_of(&self, form: &str) -> &str {
        self.problem
            .as_ref()
            .filter(|p| p.form == form)
            .map_or("", |p| p.draft.as_str())
    }
}

#[derive(Deserialize, Default)]
pub struct CaseQueryString {
    done: Option<String>,
    count: Option<u64>,
}

/// The confirmation a form's redirect asks for, from a fixed list (never echoed input).
fn done_message(done: &str, count: Option<u64>) -> Option<String> {
    Some(
        match done {
            "moved" => "The case moved.",
            "disclosure" => "TLP mark and embargo saved.",
            "member" => "Organization added to the case.",
            "notified" => {
                return Some(format!(
                    "{} pre-notified.",
                    match count.unwrap_or(0) {
                        1 => "1 operator".to_owned(),
                        n => format!("{n} operators"),
                    }
                ));
            }
            "claimed" => "You claimed the case; reproduce it and give your verdict.",
            "verdict" => "Verdict recorded.",
            "status" => "Vendor status recorded.",
            "comment" => "Comment posted.",
            "attached" => "File attached (encrypted at rest).",
            "merged" => "Merged: the finding joined the proposed case.",
            "kept" => "Kept apart: the proposal was rejected.",
            "withdrawn" => "Finding withdrawn.",
            "split" => {
                "Split: the finding now has this case of its own; its finder is credited here."
            }
            "new_case" => "Finding accepted: it opened this case.",
            "duplicate" => {
                "Finding accepted: it is an exact duplicate and joined this case; you are credited."
            }
            "near_duplicate" => {
                "Finding accepted: it opened this case, proposed for merging with a similar one."
            }
            "already_reported" => "Your organization already reported exactly this finding.",
            _ => return None,
        }
        .to_owned(),
    )
}

/// A case with everything its viewer may see and do.
pub async fn case(
    State(state): State<AppState>,
    session: WebSession,
    Path(id): Path<String>,
    Query(q): Query<CaseQueryString>,
) -> Response {
    let result = async {
        let id: CaseId = path_id(&id, "case")?;
        let flash = q.done.as_deref().and_then(|d| done_message(d, q.count));
        case_page(&state, &session, id, flash, None).await
    }
    .await;
    framed(&session, result)
}

async fn case_page(
    state: &AppState,
    session: &WebSession,
    id: CaseId,
    flash: Option<String>,
    problem: Option<FormProblem>,
) -> WebResult {
    let app = &state.app;
    let actor = &session.actor;
    let case = app.case(actor, id).await?;
    let abilities = app.case_abilities(actor, id).await?;
    let now = clearinghouse_domain::time::now();
    let full = case.view == CaseView::Full;
    let limited = case.view >= CaseView::Limited;

    let mut names: HashMap<OrgId, String> = HashMap::new();
    for credit in &case.credits {
        names.insert(credit.org, credit.org_name.clone());
    }
    if let Some(internals) = &case.full {
        for member in &internals.members {
            names.insert(member.org, member.org_name.clone());
        }
    }
    let name = |org: OrgId| names.get(&org).cloned().unwrap_or_else(|| org.to_string());

    let credits = case
        .credits
        .iter()
        .enumerate()
        .map(|(i, c)| CreditLine {
            ordinal: ordinal(i + 1),
            org: c.org_name.clone(),
            accepted: when(c.accepted_at),
            first: c.first,
        })
        .collect();
    let statuses = if limited {
        app.vendor_statuses(actor, id)
            .await?
            .into_iter()
            .map(|s| StatusLine {
                org: name(s.org),
                product: s.product,
                status: label(s.status.as_str()),
                status_class: match s.status {
                    ProductStatus::Fixed => "tag tag-new",
                    ProductStatus::Affected => "tag tag-bad",
                    ProductStatus::NotAffected | ProductStatus::UnderInvestigation => "tag",
                },
                fixed_version: s.fixed_version.unwrap_or_default(),
                note: s.note.unwrap_or_default(),
                updated: when(s.updated_at),
            })
            .collect()
    } else {
        Vec::new()
    };
    let (mut findings, mut validations, mut attachments, mut comments) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut comments_truncated = false;
    if full {
        let case_findings = app.case_findings(actor, id).await?;
        // Splitting needs another finding to split from.
        let split_possible = abilities.manage && case_findings.len() > 1;
        findings = case_findings
            .into_iter()
            .map(|f| FindingLine {
                id: f.id.to_string(),
                accepted: when(f.accepted_at),
                org: name(f.org),
                versions: match &f.versions {
                    clearinghouse_domain::coordination::AffectedVersions::Range { vers } => {
                        vers.clone()
                    }
                    clearinghouse_domain::coordination::AffectedVersions::List { versions } => {
                        versions.join(", ")
                    }
                },
                location: location_text(&f.location),
                tool: match &f.provenance.tool_version {
                    Some(v) => format!("{} {v}", f.provenance.tool),
                    None => f.provenance.tool.clone(),
                },
                campaign: f
                    .provenance
                    .campaign
                    .map(|c| c.to_string())
                    .unwrap_or_default(),
                known_ids: f.known_ids.join(", "),
                cwe: f.cwe.clone(),
                cvss: f
                    .cvss
                    .as_ref()
                    .map(|c| c.vector.clone())
                    .unwrap_or_default(),
                withdrawn: f.status == clearinghouse_domain::coordination::FindingStatus::Withdrawn,
                withdrawable: abilities.withdrawable.contains(&f.id),
                splittable: split_possible
                    && f.status == clearinghouse_domain::coordination::FindingStatus::Active,
                title: f.title,
                description: f.description,
            })
            .collect();
        validations = app
            .validations(actor, id)
            .await?
            .into_iter()
            .map(|v| ValidationLine {
                id: v.id.to_string(),
                org: name(v.org),
                claimed: when(v.claimed_at),
                verdict: v.verdict.map_or_else(
                    || "Awaiting verdict".to_owned(),
                    |verdict| label(verdict.as_str()),
                ),
                notes: v.notes.unwrap_or_default(),
                can_decide: abilities.verdicts.contains(&v.id),
            })
            .collect();
        attachments = app
            .attachments(actor, id)
            .await?
            .into_iter()
            .map(|a| AttachmentLine {
                id: a.id.to_string(),
                readable: abilities.readable_attachments.contains(&a.id),
                filename: a.filename,
                kind: label(a.kind.as_str()),
                size: byte_size(a.size),
                org: name(a.org),
                created: when(a.created_at),
            })
            .collect();
        let page = app
            .comments(actor, id, &PageRequest::new(None, Some(MAX_LIMIT)))
            .await?;
        comments_truncated = page.next_cursor.is_some();
        let me = actor.label();
        comments = page
            .items
            .into_iter()
            .map(|c| CommentLine {
                org: name(c.org),
                mine: c.author == me,
                created: when(c.created_at),
                body: c.body,
            })
            .collect();
    }
    let proposals = abilities
        .proposals
        .iter()
        .map(|p| ProposalLine {
            id: p.id.to_string(),
            finding: p.finding.to_string(),
            source_case: p.source_case.to_string(),
            target_case: p.target_case.to_string(),
            similarity: format!("{} %", p.similarity_permille / 10),
            reason: p.reason.clone(),
        })
        .collect();
    let orgs = if abilities.manage {
        app.list_orgs(actor, &PageRequest::new(None, Some(MAX_LIMIT)))
            .await?
            .items
            .into_iter()
            .map(|o| (o.id.to_string(), o.name))
            .collect()
    } else {
        Vec::new()
    };
    let (embargo, embargoed) = embargo_sentence(&case, now);
    let internals = case.full.as_ref();
    let transitions = abilities
        .transitions
        .iter()
        .filter(|s| **s != CaseState::Rejected)
        .map(|s| (s.as_str(), transition_label(case.state, *s)))
        .collect();
    let mut layout = session.layout(&case.title, "cases");
    layout.flash = flash;
    let page = CasePage {
        layout,
        id: case.id.to_string(),
        title: case.title.clone(),
        tlp: case.tlp.label(),
        tlp_class: tlp_class(case.tlp),
        tlp_meaning: tlp_meaning(case.tlp),
        full,
        limited,
        state: state_label(case.state),
        steps: steps(case.state, internals.and_then(|i| i.reject_reason)),
        due: internals
            .and_then(|i| i.due_at)
            .map(when)
            .unwrap_or_default(),
        overdue: internals.is_some_and(|i| i.overdue),
        embargo,
        embargoed,
        product: case.product.clone(),
        cwe: case.cwe.as_deref().map(cwe_text).unwrap_or_default(),
        cvss: severity(case.cvss.as_ref()),
        vector: case
            .cvss
            .as_ref()
            .map(|c| c.vector.clone())
            .unwrap_or_default(),
        decision: internals.map(|i| {
            (
                decision_label(i.priority.decision),
                decision_class(i.priority.decision),
            )
        }),
        reason: internals
            .map(|i| {
                priority::reason(
                    &i.priority,
                    case.cvss.as_ref().map(|c| c.score),
                    (now.as_second() - case.created_at.as_second()) / 86_400,
                )
            })
            .unwrap_or_default(),
        exposure: internals
            .map(|i| {
                i.priority
                    .exposure
                    .iter()
                    .map(|s| (sector_label(s.sector), s.operators))
                    .collect()
            })
            .unwrap_or_default(),
        known: internals
            .map(|i| i.known_vulnerabilities.clone())
            .unwrap_or_default(),
        has_poc: internals.is_some_and(|i| i.has_poc),
        merged_into: internals
            .and_then(|i| i.merged_into)
            .map(|c| c.to_string())
            .unwrap_or_default(),
        opened: when(case.created_at),
        updated: internals.map(|i| when(i.updated_at)).unwrap_or_default(),
        credits,
        findings,
        proposals,
        validations,
        statuses,
        members: internals
            .map(|i| {
                i.members
                    .iter()
                    .map(|m| {
                        (
                            m.org_name.clone(),
                            label(m.relation.as_str()),
                            when(m.added_at),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default(),
        attachments,
        comments,
        comments_truncated,
        can_reject: abilities.transitions.contains(&CaseState::Rejected),
        transitions,
        reject_reasons: select_options(
            RejectReason::ALL,
            RejectReason::as_str,
            |r| label(r.as_str()),
            None,
        ),
        orgs,
        relations: select_options(
            &[
                CaseRelation::Vendor,
                CaseRelation::Validator,
                CaseRelation::Operator,
                CaseRelation::Finder,
            ],
            CaseRelation::as_str,
            |r| label(r.as_str()),
            Some(CaseRelation::Vendor),
        ),
        tlps: tlp_options(Some(case.tlp)),
        embargo_value: case
            .embargo_until
            .map(|t| t.strftime("%Y-%m-%dT%H:%M").to_string())
            .unwrap_or_default(),
        operators_allowed: case.tlp.allows_operators(),
        status_options: select_options(
            ProductStatus::ALL,
            ProductStatus::as_str,
            |s| label(s.as_str()),
            Some(ProductStatus::UnderInvestigation),
        ),
        kinds: select_options(
            AttachmentKind::ALL,
            AttachmentKind::as_str,
            |k| label(k.as_str()),
            Some(if abilities.upload && !abilities.verdicts.is_empty() {
                AttachmentKind::Evidence
            } else {
                AttachmentKind::ProofOfConcept
            }),
        ),
        abilities,
        problem,
    };
    let status = page.problem.as_ref().map_or(StatusCode::OK, |p| p.status);
    Ok(render_with_status(status, &page))
}

/// The button text of a transition.
fn transition_label(from: CaseState, to: CaseState) -> String {
    match (from, to) {
        (CaseState::Rejected, CaseState::Triaged) => "Reopen (back to triaged)".to_owned(),
        (_, CaseState::Closed) => "Close the case".to_owned(),
        (_, CaseState::Published) => "Publish".to_owned(),
        (_, to) => format!("Move to {}", state_label(to).to_lowercase()),
    }
}

/// Where a weakness is, in one line.
pub(super) fn location_text(location: &clearinghouse_domain::coordination::Location) -> String {
    let mut parts = Vec::new();
    if let Some(file) = &location.file {
        parts.push(match location.line {
            Some(line) => format!("{file}:{line}"),
            None => file.clone(),
        });
    }
    if let Some(function) = &location.function {
        parts.push(format!("in {function}"));
    }
    if let Some(endpoint) = &location.endpoint {
        parts.push(endpoint.clone());
    }
    if let Some(url) = &location.url {
        parts.push(url.clone());
    }
    parts.join(" ")
}

/// `812 bytes`, `3.4 KiB`, `1.2 MiB`.
pub(super) fn byte_size(bytes: u64) -> String {
    match bytes {
        0..1024 => format!("{bytes} bytes"),
        1024..1_048_576 => format!("{:.1} KiB", bytes as f64 / 1024.0),
        _ => format!("{:.1} MiB", bytes as f64 / 1_048_576.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinals_read_as_english() {
        let got: Vec<String> = [1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111]
            .into_iter()
            .map(ordinal)
            .collect();
        assert_eq!(
            got,
            [
                "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st",
                "111th"
            ]
        );
    }

    #[test]
    fn remaining_time_reads_as_days_and_hours() {
        assert_eq!(remaining(30), "less than an hour");
        assert_eq!(remaining(3 * 3600 + 5), "3 hours");
        assert_eq!(remaining(86_400), "1 day");
        assert_eq!(remaining(89 * 86_400 + 3 * 3600), "89 days, 3 hours");
    }

    #[test]
    fn steps_mark_done_current_and_rejection() {
        let coordinating = steps(CaseState::Coordinating, None);
        let status: Vec<&str> = coordinating.iter().map(|s| s.status).collect();
        assert_eq!(
            status,
            [
                "done", "done", "done", "done", "current", "todo", "todo", "todo"
            ]
        );
        let rejected = steps(CaseState::Rejected, Some(RejectReason::NotReproducible));
        assert_eq!(rejected.len(), MAIN_PATH.len() + 1);
        assert!(
            rejected[..MAIN_PATH.len()]
                .iter()
                .all(|s| s.status == "todo")
        );
        assert_eq!(
            rejected.last().map(|s| s.label.as_str()),
            Some("Rejected: not reproducible")
        );
    }

    #[test]
    fn queries_are_percent_encoded() {
        assert_eq!(urlencode("a b&c=d/é"), "a%20b%26c%3Dd%2F%C3%A9");
    }

    #[test]
    fn byte_sizes_and_locations_read_as_text() {
        assert_eq!(byte_size(812), "812 bytes");
        assert_eq!(byte_size(3 * 1024 + 400), "3.4 KiB");
        assert_eq!(byte_size(5 * 1_048_576), "5.0 MiB");
        let location = clearinghouse_domain::coordination::Location {
            file: Some("src/auth.c".into()),
            function: Some("check_token".into()),
            line: Some(42),
            url: None,
            endpoint: Some("POST /login".into()),
        };
        assert_eq!(
            location_text(&location),
            "src/auth.c:42 in check_token POST /login"
        );
    }

    #[test]
    fn confirmations_come_from_a_fixed_list() {
        assert_eq!(
            done_message("notified", Some(1)).as_deref(),
            Some("1 operator pre-notified.")
        );
        assert!(done_message("<script>", None).is_none());
    }
}

#[cfg(test)]
mod story;
