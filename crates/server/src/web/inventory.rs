//! Operators' pages: the "what to fix first" dashboard, assets with their uploads and matches, and
//! for analysts the aggregate exposure by sector. Handlers translate between forms, the inventory
//! services (`clearinghouse_app::inventory`) and templates; the services authorize every read and
//! write, and `authorize` is asked here only to decide which forms and links to show.
//!
//! Charts are inline SVG rendered on the server (`BarChart`): no script, no external library, and
//! every bar carries its number as text.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Form, Multipart, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use clearinghouse_app::inventory::{ExposureSummary, PriorityItem};
use clearinghouse_domain::authz::{Action, authorize};
use clearinghouse_domain::inventory::{
    Asset, DeployerDecision, Exposure, InventoryFormat, MatchStatus, MissionImpact, NewAsset,
    SafetyImpact, Upload, VexFormat,
};
use clearinghouse_domain::{AssetId, OrgId, OrgKind, Sector, VulnerabilityId};
use serde::Deserialize;

use super::{Layout, WebError, WebSession, render};
use crate::error::ApiError;
use crate::extract::path_id;
use crate::state::AppState;

type WebResult = Result<Response, WebError>;

/// The most components listed on an asset's page (an upload may hold 100 000).
const COMPONENTS_SHOWN: usize = 500;
/// The most vulnerabilities listed on the exposure page.
const EXPOSURE_SHOWN: usize = 200;
/// How many of the most widespread vulnerabilities get a chart on the exposure page.
const EXPOSURE_CHARTS: usize = 3;

// Labels.

/// A wire value as people read it: `water_and_wastewater_systems` → `Water and wastewater systems`.
pub(super) fn label(wire: &str) -> String {
    let text = wire.replace('_', " ");
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// The decision's name as CISA writes it.
pub(super) fn decision_label(decision: DeployerDecision) -> &'static str {
    match decision {
        DeployerDecision::Immediate => "Immediate",
        DeployerDecision::OutOfCycle => "Out-of-cycle",
        DeployerDecision::Scheduled => "Scheduled",
        DeployerDecision::Defer => "Defer",
    }
}

/// The CSS class colouring a decision badge or bar (the badge always carries the text too).
pub(super) fn decision_class(decision: DeployerDecision) -> &'static str {
    match decision {
        DeployerDecision::Immediate => "decision-immediate",
        DeployerDecision::OutOfCycle => "decision-out-of-cycle",
        DeployerDecision::Scheduled => "decision-scheduled",
        DeployerDecision::Defer => "decision-defer",
    }
}

fn mission_label(mission: MissionImpact) -> &'static str {
    match mission {
        MissionImpact::Degraded => "Degraded",
        MissionImpact::MefSupportCrippled => "MEF support crippled",
        MissionImpact::MefFailure => "MEF failure",
        MissionImpact::MissionFailure => "Mission failure",
    }
}

fn format_label(format: InventoryFormat) -> &'static str {
    match format {
        InventoryFormat::CycloneDx => "CycloneDX SBOM",
        InventoryFormat::Spdx => "SPDX SBOM",
        InventoryFormat::Purls => "Package URL list",
        InventoryFormat::Cpes => "CPE name list",
    }
}

/// A sector's name, or what its absence means.
pub(super) fn sector_label(sector: Option<Sector>) -> String {
    sector.map_or_else(|| "No sector recorded".to_owned(), |s| label(s.as_str()))
}

/// A time to the minute, UTC.
pub(super) fn when(ts: jiff::Timestamp) -> String {
    ts.strftime("%Y-%m-%d %H:%M").to_string()
}

/// EPSS as people read it: probability in percent and the percentile.
pub(super) fn epss_text(epss: Option<(f64, f64)>) -> String {
    epss.map_or_else(String::new, |(score, percentile)| {
        format!(
            "{:.1} % (percentile {:.0})",
            score * 100.0,
            percentile * 100.0
        )
    })
}

/// `(value, label)` pairs for a select, in the enum's order.
fn options<T: Copy>(
    all: &[T],
    wire: fn(&T) -> &'static str,
    name: fn(T) -> String,
) -> Vec<(&'static str, String)> {
    all.iter().map(|v| (wire(v), name(*v))).collect()
}

fn mission_options() -> Vec<(&'static str, String)> {
    options(MissionImpact::ALL, MissionImpact::as_str, |m| {
        mission_label(m).to_owned()
    })
}

fn safety_options() -> Vec<(&'static str, String)> {
    options(SafetyImpact::ALL, SafetyImpact::as_str, |s| {
        label(s.as_str())
    })
}

fn exposure_options() -> Vec<(&'static str, String)> {
    options(Exposure::ALL, Exposure::as_str, |e| {
        match e {
            Exposure::Small => "Small (local or tightly controlled)",
            Exposure::Controlled => "Controlled (networked, restricted)",
            Exposure::Open => "Open (Internet-facing)",
        }
        .to_owned()
    })
}

// Charts.

/// One bar of a horizontal bar chart.
pub(super) struct Bar {
    /// What the bar counts, written left of it.
    label: String,
    /// The count, written right of it.
    value: u64,
    /// Its length in SVG units.
    width: u64,
    /// Extra CSS class for its fill.
    class: &'static str,
}

/// A horizontal bar chart as inline SVG. Its `<title>` repeats every value, so the chart reads
/// the same to a screen reader as it looks.
#[derive(Template)]
#[template(path = "bar_chart.html")]
pub(super) struct BarChart {
    id: String,
    title: String,
    bars: Vec<Bar>,
    label_width: u64,
    height: u64,
}

/// Widest bar, in SVG units (the view box is 520 wide).
const BAR_MAX: u64 = 240;

impl BarChart {
    /// A chart of `(label, value, css class)` rows; `id` must be unique in the page.
    pub(super) fn new(id: &str, title: &str, rows: Vec<(String, u64, &'static str)>) -> Self {
        let max = rows.iter().map(|r| r.1).max().unwrap_or(0).max(1);
        let summary: Vec<String> = rows.iter().map(|(l, v, _)| format!("{l} {v}")).collect();
        let label_width = rows
            .iter()
            .map(|r| r.0.chars().count() as u64 * 7 + 12)
            .max()
            .unwrap_or(0)
            .clamp(80, 230);
        Self {
            id: id.to_owned(),
            title: format!("{title}: {}", summary.join(", ")),
            height: rows.len() as u64 * 28 + 8,
            bars: rows
                .into_iter()
                .map(|(label, value, class)| Bar {
                    label,
                    value,
                    width: value * BAR_MAX / max,
                    class,
                })
                .collect(),
            label_width,
        }
    }

    /// The SVG markup (empty if rendering fails, which checked templates do not).
    pub(super) fn svg(&self) -> String {
        self.render().unwrap_or_else(|e| {
            tracing::error!(error = %e, "chart rendering failed");
            String::new()
        })
    }
}

/// A chart of affected operators by sector for one vulnerability.
pub(super) fn sector_chart(id: &str, summary: &ExposureSummary) -> String {
    let rows = summary
        .sectors
        .iter()
        .map(|(sector, operators, _)| (sector_label(*sector), *operators, ""))
        .collect();
    BarChart::new(
        id,
        &format!("Operators affected by {} by sector", summary.display_id),
        rows,
    )
    .svg()
}

/// One sector's line in an exposure table.
pub(super) struct SectorRow {
    /// The sector's name.
    pub(super) sector: String,
    /// Distinct operators.
    pub(super) operators: u64,
    /// Distinct assets.
    pub(super) assets: u64,
}

/// The sector lines of an exposure summary, most operators first.
pub(super) fn sector_rows(summary: &ExposureSummary) -> Vec<SectorRow> {
    let mut rows: Vec<SectorRow> = summary
        .sectors
        .iter()
        .map(|(sector, operators, assets)| SectorRow {
            sector: sector_label(*sector),
            operators: *operators,
            assets: *assets,
        })
        .collect();
    rows.sort_by(|a, b| b.operators.cmp(&a.operators).then(a.sector.cmp(&b.sector)));
    rows
}

// The inventory hub.

#[derive(Template)]
#[template(path = "inventory.html")]
struct InventoryPage {
    layout: Layout,
    /// (org id, name, role)
    operators: Vec<(String, String, String)>,
    /// Other organizations whose inventory the viewer may read: (org id, name, role).
    others: Vec<(String, String, String)>,
    exposure: bool,
}

/// Where the nav's "Inventory" leads: the viewer's operator dashboards and, for analysts and
/// administrators, aggregate exposure. With exactly one destination it goes straight there.
pub async fn inventory_home(State(state): State<AppState>, session: WebSession) -> WebResult {
    let mut operators = Vec::new();
    let mut others = Vec::new();
    let mut seen = Vec::new();
    for grant in session.actor.grants() {
        if seen.contains(&grant.org)
            || authorize(
                &session.actor,
                &Action::InventoryRead {
                    org: grant.org,
                    shared: false,
                },
            )
            .is_err()
        {
            continue;
        }
        seen.push(grant.org);
        let Ok(org) = state.app.org(&session.actor, grant.org).await else {
            continue;
        };
        let row = (org.id.to_string(), org.name, label(grant.role.as_str()));
        if org.kind == OrgKind::Operator {
            operators.push(row);
        } else {
            others.push(row);
        }
    }
    let exposure = authorize(&session.actor, &Action::ExposureRead).is_ok();
    match (operators.as_slice(), others.is_empty(), exposure) {
        ([only], true, false) => {
            return Ok(Redirect::to(&format!("/orgs/{}/dashboard", only.0)).into_response());
        }
        ([], true, true) => return Ok(Redirect::to("/exposure").into_response()),
        _ => {}
    }
    Ok(render(&InventoryPage {
        layout: session.layout("Inventory", "inventory"),
        operators,
        others,
        exposure,
    }))
}

// The dashboard.

struct PriorityRow {
    rank: u32,
    decision: &'static str,
    decision_class: &'static str,
    display_id: String,
    summary: String,
    asset_id: String,
    asset: String,
    components: Vec<String>,
    cvss: String,
    epss: String,
    kev_due: String,
    reason: String,
    new: bool,
}

fn component_text(component: &(String, Option<String>, Option<String>, String)) -> String {
    let (name, version, _, range) = component;
    let mut text = match version {
        Some(v) => format!("{name} {v}"),
        None => name.clone(),
    };
    if !range.is_empty() {
        text.push_str(&format!(" (affected: {range})"));
    }
    text
}

impl From<&PriorityItem> for PriorityRow {
    fn from(item: &PriorityItem) -> Self {
        Self {
            rank: item.rank,
            decision: decision_label(item.decision),
            decision_class: decision_class(item.decision),
            display_id: item.display_id.clone(),
            summary: item.summary.clone().unwrap_or_default(),
            asset_id: item.asset.id.to_string(),
            asset: item.asset.name.clone(),
            components: item.components.iter().map(component_text).collect(),
            cvss: item
                .cvss
                .as_ref()
                .map(|(_, score, severity)| format!("{score:.1} {severity}"))
                .unwrap_or_default(),
            epss: item
                .epss
                .map(|(score, percentile)| {
                    format!("{:.1} % (p{:.0})", score * 100.0, percentile * 100.0)
                })
                .unwrap_or_default(),
            kev_due: item.kev_due_date.clone().unwrap_or_default(),
            reason: item.reason.summary.clone(),
            new: item.new_since_last_visit,
        }
    }
}

struct AssetRow {
    id: String,
    name: String,
    mission: &'static str,
    safety: String,
    exposure: String,
    owner: String,
    shared: bool,
    affected: usize,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    layout: Layout,
    org_id: String,
    org_name: String,
    items: Vec<PriorityRow>,
    new_count: usize,
    last_visit: Option<String>,
    not_affected: u64,
    /// Vulnerabilities VEX says do not affect an asset: (asset id, asset, vulnerability,
    /// components, justification, who said so).
    vexed: Vec<(String, String, String, String, String, String)>,
    /// (label, css class, count)
    decisions: Vec<(&'static str, &'static str, usize)>,
    chart: String,
    assets: Vec<AssetRow>,
    can_write: bool,
    missions: Vec<(&'static str, String)>,
    safeties: Vec<(&'static str, String)>,
    exposures: Vec<(&'static str, String)>,
}

/// The operator's "what to fix first" list, what is new since the viewer's last visit (this
/// visit is recorded), the counts by decision, and the assets with a form to register one.
pub async fn dashboard(
    State(state): State<AppState>,
    session: WebSession,
    Path(id): Path<String>,
) -> WebResult {
    let org_id: OrgId = path_id(&id, "organization")?;
    let org = state.app.org(&session.actor, org_id).await?;
    let priorities = state.app.priorities(&session.actor, org_id, true).await?;
    let assets = state.app.list_assets(&session.actor, org_id).await?;
    let mut affected: HashMap<AssetId, usize> = HashMap::new();
    for item in &priorities.items {
        *affected.entry(item.asset.id).or_default() += 1;
    }
    let decisions: Vec<(&'static str, &'static str, usize)> = DeployerDecision::ALL
        .iter()
        .rev()
        .map(|d| {
            (
                decision_label(*d),
                decision_class(*d),
                priorities.items.iter().filter(|i| i.decision == *d).count(),
            )
        })
        .collect();
    let chart = BarChart::new(
        "decisions",
        "Vulnerabilities on your assets by SSVC decision",
        decisions
            .iter()
            .map(|(l, c, n)| ((*l).to_owned(), *n as u64, *c))
            .collect(),
    )
    .svg();
    Ok(render(&DashboardPage {
        layout: session.layout(&format!("What to fix first: {}", org.name), "inventory"),
        org_id: org.id.to_string(),
        org_name: org.name,
        // On a first visit everything is new to the viewer; rows are marked only after that.
        new_count: if priorities.last_visit.is_some() {
            priorities
                .items
                .iter()
                .filter(|i| i.new_since_last_visit)
                .count()
        } else {
            priorities.items.len()
        },
        items: priorities.items.iter().map(PriorityRow::from).collect(),
        last_visit: priorities.last_visit.map(when),
        not_affected: priorities.not_affected,
        vexed: priorities
            .not_affected_items
            .iter()
            .map(|i| {
                (
                    i.asset.id.to_string(),
                    i.asset.name.clone(),
                    i.display_id.clone(),
                    i.components
                        .iter()
                        .map(|(name, version)| match version {
                            Some(version) => format!("{name} {version}"),
                            None => name.clone(),
                        })
                        .collect::<Vec<_>>()
                        .join(", "),
                    label(&i.justification),
                    i.vex_by.clone(),
                )
            })
            .collect(),
        decisions,
        chart,
        assets: assets
            .iter()
            .map(|a| AssetRow {
                id: a.id.to_string(),
                name: a.name.clone(),
                mission: mission_label(a.mission_impact),
                safety: label(a.safety_impact.as_str()),
                exposure: label(a.exposure.as_str()),
                owner: a.owner.clone().unwrap_or_default(),
                shared: a.shared_with_analysts,
                affected: affected.get(&a.id).copied().unwrap_or(0),
            })
            .collect(),
        can_write: authorize(&session.actor, &Action::InventoryWrite(org_id)).is_ok(),
        missions: mission_options(),
        safeties: safety_options(),
        exposures: exposure_options(),
    }))
}

/// The asset form (registering and editing share it).
#[derive(Deserialize)]
pub struct AssetForm {
    csrf: String,
    name: String,
    mission_impact: String,
    safety_impact: String,
    exposure: String,
    #[serde(default)]
    owner: String,
    /// A checkbox: present ("on") when ticked.
    shared_with_analysts: Option<String>,
}

impl AssetForm {
    fn to_new_asset(&self) -> Result<NewAsset, WebError> {
        let mission: MissionImpact = self
            .mission_impact
            .parse()
            .map_err(|e| clearinghouse_app::Error::unknown_value("mission_impact", e))?;
        let safety: SafetyImpact = self
            .safety_impact
            .parse()
            .map_err(|e| clearinghouse_app::Error::unknown_value("safety_impact", e))?;
        let exposure: Exposure = self
            .exposure
            .parse()
            .map_err(|e| clearinghouse_app::Error::unknown_value("exposure", e))?;
        Ok(NewAsset::parse(
            &self.name,
            mission,
            safety,
            exposure,
            Some(self.owner.as_str()),
            self.shared_with_analysts.is_some(),
        )
        .map_err(clearinghouse_app::Error::from)?)
    }
}

/// Registers an asset and opens its page.
pub async fn create_asset(
    State(state): State<AppState>,
    session: WebSession,
    Path(id): Path<String>,
    Form(form): Form<AssetForm>,
) -> WebResult {
    session.check_csrf(&form.csrf)?;
    let org: OrgId = path_id(&id, "organization")?;
    let new = form.to_new_asset()?;
    let asset = state.app.create_asset(&session.actor, org, new).await?;
    Ok(Redirect::to(&format!("/assets/{}", asset.id)).into_response())
}

/// Changes an asset's description.
pub async fn update_asset(
    State(state): State<AppState>,
    session: WebSession,
    Path(id): Path<String>,
    Form(form): Form<AssetForm>,
) -> WebResult {
    session.check_csrf(&form.csrf)?;
    let id: AssetId = path_id(&id, "asset")?;
    let new = form.to_new_asset()?;
    let asset = state.app.update_asset(&session.actor, id, new).await?;
    Ok(Redirect::to(&format!("/assets/{}?saved=1", asset.id)).into_response())
}

// An asset.

struct UploadRow {
    created: String,
    format: &'static str,
    components: u32,
    digest: String,
    uploaded_by: String,
    superseded: Option<String>,
}

impl From<&Upload> for UploadRow {
    fn from(u: &Upload) -> Self {
        Self {
            created: when(u.created_at),
            format: format_label(u.format),
            components: u.component_count,
            digest: u.digest.clone(),
            uploaded_by: u.uploaded_by.clone(),
            superseded: u.superseded_at.map(when),
        }
    }
}

/// A vulnerability found in one component: (href id, text, affected?, note).
struct ComponentFinding {
    href: String,
    text: String,
    affected: bool,
    note: String,
}

struct ComponentRow {
    name: String,
    version: String,
    purl: String,
    findings: Vec<ComponentFinding>,
}

#[derive(Template)]
#[template(path = "asset.html")]
struct AssetPage {
    layout: Layout,
    id: String,
    name: String,
    org_id: String,
    org_name: String,
    mission: &'static str,
    mission_value: &'static str,
    safety: String,
    safety_value: &'static str,
    exposure: String,
    exposure_value: &'static str,
    owner: String,
    shared: bool,
    created: String,
    can_write: bool,
    uploads: Vec<UploadRow>,
    current: Option<UploadRow>,
    components: Vec<ComponentRow>,
    components_total: usize,
    /// What the current upload's matching found, in words.
    summary: String,
    items: Vec<PriorityRow>,
    missions: Vec<(&'static str, String)>,
    safeties: Vec<(&'static str, String)>,
    exposures: Vec<(&'static str, String)>,
    /// The operator's VEX submissions (read access only: the list is the operator's).
    vex: Vec<VexRow>,
}

/// One VEX submission of the operator, on the asset page.
struct VexRow {
    id: String,
    format: &'static str,
    document: String,
    statements: u32,
    created: String,
    by: String,
    /// "all assets", "this asset's SBOM" or "another asset's SBOM".
    scope: &'static str,
    withdrawn: Option<String>,
}

/// What an upload redirect reports back to the asset page.
#[derive(Deserialize)]
pub struct AssetQuery {
    components: Option<u32>,
    added: Option<u64>,
    removed: Option<u64>,
    saved: Option<u8>,
    vex: Option<u64>,
    skipped: Option<u64>,
    changed: Option<u64>,
    withdrawn: Option<u8>,
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// "3 components, 1 affected by 2 vulnerabilities, 1 finding marked not affected by VEX".
fn match_summary(
    components: usize,
    affected: usize,
    vulnerabilities: usize,
    not_affected: usize,
) -> String {
    let mut text = format!(
        "{}, {} affected by {}",
        plural(components as u64, "component", "components"),
        affected,
        plural(vulnerabilities as u64, "vulnerability", "vulnerabilities"),
    );
    if not_affected > 0 {
        text.push_str(&format!(
            ", {} marked not affected by VEX",
            plural(not_affected as u64, "finding", "findings")
        ));
    }
    text
}

/// An asset: its description, an upload form, the upload history (superseded ones marked) and
/// what the current upload's components match.
pub async fn asset(
    State(state): State<AppState>,
    session: WebSession,
    Path(id): Path<String>,
    Query(q): Query<AssetQuery>,
) -> WebResult {
    let id: AssetId = path_id(&id, "asset")?;
    let asset: Asset = state.app.asset(&session.actor, id).await?;
    let org = state.app.org(&session.actor, asset.org).await?;
    let uploads = state.app.uploads(&session.actor, id).await?;
    let current = uploads.iter().find(|u| u.superseded_at.is_none());
    let priorities = state
        .app
        .priorities(&session.actor, asset.org, false)
        .await?;
    let items: Vec<&PriorityItem> = priorities
        .items
        .iter()
        .filter(|i| i.asset.id == id)
        .collect();
    let mut components = Vec::new();
    let mut components_total = 0;
    let mut affected_components = 0;
    let mut not_affected = 0;
    if let Some(current) = current {
        let (_, rows) = state.app.upload(&session.actor, current.id).await?;
        components_total = rows.len();
        let mut display: HashMap<VulnerabilityId, String> = items
            .iter()
            .map(|i| (i.vulnerability, i.display_id.clone()))
            .collect();
        let mut by_component: BTreeMap<u32, Vec<ComponentFinding>> = BTreeMap::new();
        for m in state
            .app
            .matches(&session.actor, asset.org)
            .await?
            .into_iter()
            .filter(|m| m.found.asset == id && m.found.upload == current.id)
        {
            let found = m.found;
            let affected = found.status == MatchStatus::Affected;
            if !affected {
                not_affected += 1;
            }
            if let std::collections::hash_map::Entry::Vacant(entry) =
                display.entry(found.vulnerability)
            {
                // Not ranked (a VEX statement says not affected): look its name up once.
                let name = state
                    .app
                    .vulnerability(&session.actor, &found.vulnerability.to_string())
                    .await
                    .map_or_else(
                        |_| found.vulnerability.to_string(),
                        |v| v.vulnerability.display_id,
                    );
                entry.insert(name);
            }
            let findings = by_component.entry(found.component_seq).or_default();
            if findings
                .iter()
                .any(|f| f.href == found.vulnerability.to_string())
            {
                continue;
            }
            findings.push(ComponentFinding {
                href: found.vulnerability.to_string(),
                text: display
                    .get(&found.vulnerability)
                    .cloned()
                    .unwrap_or_default(),
                affected,
                note: if affected {
                    format!("affected: {}", found.range)
                } else {
                    format!(
                        "not affected (VEX{}{})",
                        found
                            .justification
                            .map(|j| format!(": {}", label(&j)))
                            .unwrap_or_default(),
                        found
                            .vex_by
                            .map(|by| format!(", by {by}"))
                            .unwrap_or_default()
                    )
                },
            });
        }
        affected_components = by_component
            .values()
            .filter(|f| f.iter().any(|f| f.affected))
            .count();
        // Components with findings first, then in upload order.
        let mut ordered: Vec<_> = rows.into_iter().collect();
        ordered.sort_by_key(|c| (!by_component.contains_key(&c.seq), c.seq));
        components = ordered
            .into_iter()
            .take(COMPONENTS_SHOWN)
            .map(|c| ComponentRow {
                findings: by_component.remove(&c.seq).unwrap_or_default(),
                name: c.name,
                version: c.version.unwrap_or_default(),
                purl: c.purl.unwrap_or_default(),
            })
            .collect();
    }
    let mut layout = session.layout(&asset.name, "inventory");
    if let Some(count) = q.components {
        layout.flash = Some(format!(
            "Inventory stored: {}; {} found, {} no longer matching.",
            plural(u64::from(count), "component", "components"),
            plural(q.added.unwrap_or(0), "new match", "new matches"),
            q.removed.unwrap_or(0),
        ));
    } else if q.saved.is_some() {
        layout.flash = Some("Asset saved.".into());
    } else if let Some(statements) = q.vex {
        layout.flash = Some(format!(
            "VEX stored: {} applied, {} skipped; {} re-marked.",
            plural(statements, "statement", "statements"),
            q.skipped.unwrap_or(0),
            plural(q.changed.unwrap_or(0), "match", "matches"),
        ));
    } else if q.withdrawn.is_some() {
        layout.flash = Some(format!(
            "VEX withdrawn; {} re-marked.",
            plural(q.changed.unwrap_or(0), "match", "matches"),
        ));
    }
    // Analysts reading a shared asset do not see the operator's VEX list.
    let submissions = match state.app.vex_submissions(&session.actor, asset.org).await {
        Err(clearinghouse_app::Error::Denied(_)) => Vec::new(),
        other => other?,
    };
    let vex = submissions
        .into_iter()
        .map(|v| VexRow {
            id: v.id.to_string(),
            format: match v.format {
                VexFormat::Csaf => "CSAF",
                VexFormat::CycloneDx => "CycloneDX",
            },
            document: v.document_id.unwrap_or_default(),
            statements: v.statements,
            created: when(v.created_at),
            by: v.submitted_by,
            scope: match v.asset {
                None => "all assets",
                Some(a) if a == id => "this asset's SBOM",
                Some(_) => "another asset's SBOM",
            },
            withdrawn: v.withdrawn_at.map(when),
        })
        .collect();
    Ok(render(&AssetPage {
        layout,
        id: asset.id.to_string(),
        name: asset.name.clone(),
        org_id: org.id.to_string(),
        org_name: org.name,
        mission: mission_label(asset.mission_impact),
        mission_value: asset.mission_impact.as_str(),
        safety: label(asset.safety_impact.as_str()),
        safety_value: asset.safety_impact.as_str(),
        exposure: label(asset.exposure.as_str()),
        exposure_value: asset.exposure.as_str(),
        owner: asset.owner.clone().unwrap_or_default(),
        shared: asset.shared_with_analysts,
        created: when(asset.created_at),
        can_write: authorize(&session.actor, &Action::InventoryWrite(asset.org)).is_ok(),
        current: current.map(UploadRow::from),
        uploads: uploads.iter().map(UploadRow::from).collect(),
        summary: match_summary(
            components_total,
            affected_components,
            items.len(),
            not_affected,
        ),
        components,
        components_total,
        items: items.into_iter().map(PriorityRow::from).collect(),
        missions: mission_options(),
        safeties: safety_options(),
        exposures: exposure_options(),
        vex,
    }))
}

/// The upload form's fields.
#[derive(Default)]
pub(super) struct UploadForm {
    pub(super) csrf: String,
    pub(super) file: Vec<u8>,
    pub(super) text: String,
}

fn multipart_error(err: axum::extract::multipart::MultipartError, limit: usize) -> WebError {
    if err.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::too_large(limit).into()
    } else {
        ApiError::bad_request(err.body_text(), None).into()
    }
}

pub(super) async fn read_upload_form(
    multipart: Result<Multipart, MultipartRejection>,
    limit: usize,
) -> Result<UploadForm, WebError> {
    let mut multipart = multipart.map_err(|e| {
        WebError::from(ApiError::unsupported_media_type(format!(
            "a file is sent as multipart/form-data: {e}"
        )))
    })?;
    let mut form = UploadForm::default();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| multipart_error(e, limit))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        let bytes = field.bytes().await.map_err(|e| multipart_error(e, limit))?;
        match name.as_str() {
            "csrf" => form.csrf = String::from_utf8_lossy(&bytes).into_owned(),
            "file" => form.file = bytes.to_vec(),
            "text" => form.text = String::from_utf8_lossy(&bytes).into_owned(),
            _ => {}
        }
    }
    Ok(form)
}

impl UploadForm {
    /// The chosen file or the pasted text; exactly one of them must be given. `what` names it in
    /// the messages ("a list of package URLs or CPE names"), `field` is the form field to point at.
    pub(super) fn document(&self, what: &str, field: &str) -> Result<&[u8], WebError> {
        let pasted = self.text.trim();
        match (self.file.is_empty(), pasted.is_empty()) {
            (false, true) => Ok(&self.file),
            (true, false) => Ok(pasted.as_bytes()),
            (true, true) => Err(ApiError::invalid(
                format!("choose a file or paste {what}"),
                Some(field.into()),
            )
            .into()),
            (false, false) => Err(ApiError::invalid(
                format!("give either a file or pasted {what}, not both"),
                Some(field.into()),
            )
            .into()),
        }
    }
}

/// Stores an uploaded SBOM or product list for an asset (a file, or a pasted list) and shows the
/// asset with what matching found.
pub async fn upload(
    State(state): State<AppState>,
    session: WebSession,
    Path(id): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> WebResult {
    let form = read_upload_form(multipart, state.config.max_body_bytes).await?;
    session.check_csrf(&form.csrf)?;
    let id: AssetId = path_id(&id, "asset")?;
    let bytes = form.document("a list of package URLs or CPE names", "file")?;
    let result = state
        .app
        .upload_inventory(&session.actor, id, bytes)
        .await?;
    Ok(Redirect::to(&format!(
        "/assets/{id}?components={}&added={}&removed={}",
        result.upload.component_count, result.matching.added, result.matching.removed
    ))
    .into_response())
}

// Exposure.

struct ExposureRow {
    rank: usize,
    vulnerability: String,
    display_id: String,
    operators: u64,
    assets: u64,
    sectors: Vec<SectorRow>,
}

struct ExposureChart {
    display_id: String,
    vulnerability: String,
    svg: String,
}

#[derive(Template)]
#[template(path = "exposure.html")]
struct ExposurePage {
    layout: Layout,
    rows: Vec<ExposureRow>,
    total: usize,
    charts: Vec<ExposureChart>,
}

/// Vulnerabilities ranked by how many operators run an affected component, with charts of the
/// affected operators by sector for the most widespread: counts only, never names.
pub async fn exposure(State(state): State<AppState>, session: WebSession) -> WebResult {
    let summaries = state.app.exposure(&session.actor, None).await?;
    let charts = summaries
        .iter()
        .take(EXPOSURE_CHARTS)
        .enumerate()
        .map(|(n, s)| ExposureChart {
            display_id: s.display_id.clone(),
            vulnerability: s.vulnerability.to_string(),
            svg: sector_chart(&format!("exposure-{n}"), s),
        })
        .collect();
    Ok(render(&ExposurePage {
        layout: session.layout("Exposure by sector", "inventory"),
        total: summaries.len(),
        charts,
        rows: summaries
            .iter()
            .take(EXPOSURE_SHOWN)
            .enumerate()
            .map(|(n, s)| ExposureRow {
                rank: n + 1,
                vulnerability: s.vulnerability.to_string(),
                display_id: s.display_id.clone(),
                operators: s.operators,
                assets: s.sectors.iter().map(|x| x.2).sum(),
                sectors: sector_rows(s),
            })
            .collect(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_scale_bars_and_repeat_every_value_in_the_title() {
        let chart = BarChart::new(
            "c",
            "Items by decision",
            vec![
                ("Immediate".into(), 4, "decision-immediate"),
                ("Defer".into(), 1, "decision-defer"),
                ("Scheduled".into(), 0, "decision-scheduled"),
            ],
        );
        let svg = chart.svg();
        assert!(svg.starts_with("<svg"), "{svg}");
        assert!(
            svg.contains("Items by decision: Immediate 4, Defer 1, Scheduled 0"),
            "{svg}"
        );
        assert!(
            svg.contains(&format!("width=\"{BAR_MAX}\"")),
            "the largest bar is full width: {svg}"
        );
        assert!(svg.contains(&format!("width=\"{}\"", BAR_MAX / 4)), "{svg}");
        assert!(svg.contains("class=\"bar decision-immediate\""), "{svg}");
        assert_eq!(svg.matches("<rect").count(), 3);
    }

    #[test]
    fn chart_labels_are_escaped() {
        let svg = BarChart::new("x", "<t>", vec![("<script>".into(), 1, "")]).svg();
        assert!(!svg.contains("<script>"), "{svg}");
        assert!(
            svg.contains("&#60;script&#62;") || svg.contains("&lt;script&gt;"),
            "{svg}"
        );
    }

    #[test]
    fn an_empty_chart_still_renders() {
        let svg = BarChart::new("e", "Nothing", Vec::new()).svg();
        assert!(svg.contains("Nothing: "), "{svg}");
        assert_eq!(svg.matches("<rect").count(), 0);
    }

    #[test]
    fn match_summaries_read_as_sentences() {
        assert_eq!(
            match_summary(1, 0, 0, 0),
            "1 component, 0 affected by 0 vulnerabilities"
        );
        assert_eq!(
            match_summary(12, 2, 1, 3),
            "12 components, 2 affected by 1 vulnerability, 3 findings marked not affected by VEX"
        );
    }

    #[test]
    fn labels_read_as_words() {
        assert_eq!(
            label("water_and_wastewater_systems"),
            "Water and wastewater systems"
        );
        assert_eq!(decision_label(DeployerDecision::OutOfCycle), "Out-of-cycle");
        assert_eq!(sector_label(None), "No sector recorded");
        assert_eq!(epss_text(Some((0.1234, 0.956))), "12.3 % (percentile 96)");
        assert_eq!(epss_text(None), "");
        assert_eq!(
            component_text(&(
                "django".into(),
                Some("3.2.0".into()),
                None,
                ">= 3.0, < 3.2.5".into()
            )),
            "django 3.2.0 (affected: >= 3.0, < 3.2.5)"
        );
    }
}

/// The operator's story through the real router on a fresh SQLite database: register an asset,
/// upload a product list, see the vulnerability ranked on the dashboard, then what is new since
/// the last visit; analysts' exposure; what others may not see.
#[cfg(test)]
pub(in crate::web) mod story {
    use std::sync::Arc;

    use axum::body::Body;
    use axum::http::{Request, StatusCode, header};
    use clearinghouse_app::knowledge::{ImportKind, SourceDocument};
    use clearinghouse_app::participants::PersonRequest;
    use clearinghouse_app::{App, KeyRing};
    use clearinghouse_domain::authz::Actor;
    use clearinghouse_domain::{NewOrganization, NewPerson, Role};
    use tower::ServiceExt as _;

    use super::*;
    use crate::extract::SESSION_COOKIE;
    use crate::{AppState, ServerConfig};

    const PASSWORD: &str = "correct horse battery staple";

    fn osv(id: &str, cve: &str, fixed: &str, vector: &str) -> SourceDocument {
        let record = serde_json::json!({
            "schema_version": "1.6.0",
            "id": id,
            "aliases": [cve],
            "modified": "2024-05-01T00:00:00Z",
            "published": "2024-04-01T00:00:00Z",
            "summary": format!("Example flaw {id} <b>in</b> examplepkg"),
            "severity": [{"type": "CVSS_V3", "score": vector}],
            "affected": [{
                "package": {"ecosystem": "PyPI", "name": "examplepkg"},
                "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": fixed}]}]
            }],
            "database_specific": {"cwe_ids": ["CWE-79"]}
        });
        SourceDocument {
            location: format!("osv/{id}.json"),
            bytes: serde_json::to_vec(&record).expect("json"),
        }
    }

    /// A signed-in browser over the router (shared with the coordination pages' story).
    pub(in crate::web) struct Browser {
        pub(in crate::web) router: axum::Router,
        pub(in crate::web) cookie: String,
        pub(in crate::web) csrf: String,
    }

    pub(in crate::web) struct Page {
        pub(in crate::web) status: StatusCode,
        pub(in crate::web) location: String,
        pub(in crate::web) html: String,
    }

    impl Browser {
        pub(in crate::web) async fn send(&self, request: Request<Body>) -> Page {
            let response = self
                .router
                .clone()
                .oneshot(request)
                .await
                .expect("infallible");
            let status = response.status();
            let location = response
                .headers()
                .get(header::LOCATION)
                .and_then(|l| l.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            let body = axum::body::to_bytes(response.into_body(), usize::MAX)
                .await
                .expect("body");
            Page {
                status,
                location,
                html: String::from_utf8_lossy(&body).into_owned(),
            }
        }

        pub(in crate::web) async fn get(&self, path: &str) -> Page {
            self.send(
                Request::get(path)
                    .header(header::COOKIE, &self.cookie)
                    .body(Body::empty())
                    .expect("request"),
            )
            .await
        }

        pub(in crate::web) async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Page {
            let body: Vec<String> = fields
                .iter()
                .map(|(k, v)| format!("{k}={}", v.replace(' ', "+")))
                .collect();
            self.send(
                Request::post(path)
                    .header(header::COOKIE, &self.cookie)
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(Body::from(body.join("&")))
                    .expect("request"),
            )
            .await
        }

        async fn upload(&self, path: &str, csrf: &str, file: &str, text: &str) -> Page {
            let boundary = "----clearinghouse-test-boundary";
            let body = format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
                 --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"inventory.txt\"\r\n\
                 Content-Type: text/plain\r\n\r\n{file}\r\n\
                 --{boundary}\r\nContent-Disposition: form-data; name=\"text\"\r\n\r\n{text}\r\n\
                 --{boundary}--\r\n"
            );
            self.send(
                Request::post(path)
                    .header(header::COOKIE, &self.cookie)
                    .header(
                        header::CONTENT_TYPE,
                        format!("multipart/form-data; boundary={boundary}"),
                    )
                    .body(Body::from(body))
                    .expect("request"),
            )
            .await
        }
    }

    pub(in crate::web) fn browser(
        router: &axum::Router,
        session: clearinghouse_app::auth::NewSession,
    ) -> Browser {
        Browser {
            router: router.clone(),
            cookie: format!("{SESSION_COOKIE}={}", session.secret),
            csrf: session.csrf_token,
        }
    }

    #[tokio::test]
    async fn upload_to_dashboard_with_exposure_for_analysts_only() {
        let db = clearinghouse_testkit::sqlite();
        let store = clearinghouse_store::open(&db.location).await.unwrap();
        let app = App::new(
            store,
            Arc::new(KeyRing::ephemeral("test.example/log").unwrap()),
        );
        app.check_log_key().await.unwrap();
        let boot = app.bootstrap_if_empty().await.unwrap().unwrap();
        let system = Actor::system();
        let org = app
            .create_org(
                &system,
                NewOrganization::parse(
                    "Valley Water",
                    OrgKind::Operator,
                    Some(Sector::WaterAndWastewaterSystems),
                )
                .unwrap(),
            )
            .await
            .unwrap();
        app.create_person(
            &system,
            PersonRequest {
                person: NewPerson::parse("ops@valley.test", "Olive Operator").unwrap(),
                org: org.id,
                role: Role::OperatorContact,
                password: Some(PASSWORD.into()),
            },
        )
        .await
        .unwrap();
        let summary = app
            .import_documents(
                &system,
                ImportKind::Osv,
                vec![osv(
                    "GHSA-exam-ple0-0001",
                    "CVE-2099-0001",
                    "2.0.0",
                    "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
                )],
            )
            .await
            .unwrap();
        assert_eq!(summary.new, 1, "{summary:?}");
        let router = crate::router(AppState::new(app.clone(), ServerConfig::default()));
        let operator = browser(
            &router,
            app.sign_in_with_password("ops@valley.test", PASSWORD)
                .await
                .unwrap(),
        );

        // The hub leads an operator with one organization straight to its dashboard.
        let hub = operator.get("/inventory").await;
        assert_eq!(hub.status, StatusCode::SEE_OTHER);
        assert_eq!(hub.location, format!("/orgs/{}/dashboard", org.id));

        // An empty dashboard invites registering an asset.
        let empty = operator.get(&hub.location).await;
        assert_eq!(empty.status, StatusCode::OK, "{}", empty.html);
        assert!(empty.html.contains("No assets registered yet."));
        assert!(empty.html.contains("Register an asset"));
        assert!(empty.html.contains("Your first visit"), "{}", empty.html);

        // Register an asset.
        let created = operator
            .post_form(
                &format!("/orgs/{}/assets", org.id),
                &[
                    ("csrf", operator.csrf.as_str()),
                    ("name", "Pump controller"),
                    ("mission_impact", "mef_failure"),
                    ("safety_impact", "critical"),
                    ("exposure", "open"),
                    ("owner", "OT team"),
                    ("shared_with_analysts", "on"),
                ],
            )
            .await;
        assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.html);
        let asset_path = created.location.clone();
        assert!(asset_path.starts_with("/assets/"), "{asset_path}");
        let asset = operator.get(&asset_path).await;
        assert!(asset.html.contains("<h1>Pump controller</h1>"));
        assert!(asset.html.contains("Nothing uploaded yet."));

        // An upload with another session's CSRF token is refused and stores nothing.
        let forged = operator
            .upload(
                &format!("{asset_path}/uploads"),
                "forged",
                "pkg:pypi/examplepkg@1.5.0",
                "",
            )
            .await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);
        assert!(
            operator
                .get(&asset_path)
                .await
                .html
                .contains("No uploads yet.")
        );

        // A file and a pasted list at once is ambiguous.
        let both = operator
            .upload(
                &format!("{asset_path}/uploads"),
                &operator.csrf,
                "pkg:pypi/examplepkg@1.5.0",
                "pkg:pypi/other@1.0.0",
            )
            .await;
        assert_eq!(
            both.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            both.html
        );
        assert!(both.html.contains("role=\"alert\""));

        // A bad line is reported with its number.
        let bad = operator
            .upload(
                &format!("{asset_path}/uploads"),
                &operator.csrf,
                "",
                "pkg:pypi/ok@1.0\nnot a purl",
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.html);
        assert!(bad.html.contains("line 2"), "{}", bad.html);

        // Upload a product list holding an affected version.
        let uploaded = operator
            .upload(
                &format!("{asset_path}/uploads"),
                &operator.csrf,
                "# pump\npkg:pypi/examplepkg@1.5.0\npkg:pypi/unaffected@9.9.9\n",
                "",
            )
            .await;
        assert_eq!(uploaded.status, StatusCode::SEE_OTHER, "{}", uploaded.html);
        assert!(
            uploaded.location.contains("components=2&added=1"),
            "{}",
            uploaded.location
        );
        let asset = operator.get(&uploaded.location).await;
        assert!(
            asset
                .html
                .contains("Inventory stored: 2 components; 1 new match found"),
            "{}",
            asset.html
        );
        assert!(
            asset
                .html
                .contains("2 components, 1 affected by 1 vulnerability."),
            "{}",
            asset.html
        );
        assert!(asset.html.contains("examplepkg"));
        assert!(asset.html.contains("<strong>Current</strong>"));

        // The dashboard ranks it, with its decision, reason, CVSS and asset.
        let dashboard_path = format!("/orgs/{}/dashboard", org.id);
        let first = operator.get(&dashboard_path).await;
        assert_eq!(first.status, StatusCode::OK);
        let html = &first.html;
        assert!(
            html.contains("href=\"/vulnerabilities/CVE-2099-0001\">CVE-2099-0001</a>"),
            "{html}"
        );
        assert!(html.contains("9.8 critical"), "{html}");
        assert!(
            html.contains("automatable yes (CVSS AV:N/AC:L/PR:N/UI:N)"),
            "{html}"
        );
        assert!(html.contains("examplepkg 1.5.0 (affected:"), "{html}");
        assert!(
            html.contains(&format!("href=\"{asset_path}\">Pump controller</a>")),
            "{html}"
        );
        assert!(html.contains("<svg class=\"chart\""), "{html}");
        // It appeared after the visit to the empty dashboard, so it is new.
        assert!(html.contains("data-testid=\"new-count\">1<"), "{html}");
        assert_eq!(
            html.matches("<span class=\"tag tag-new\">New</span>")
                .count(),
            1
        );
        let priority = html
            .split("data-testid=\"priority\"")
            .nth(1)
            .expect("one ranked row");
        let decision = [
            ("decision-immediate", "Immediate"),
            ("decision-out-of-cycle", "Out-of-cycle"),
            ("decision-scheduled", "Scheduled"),
            ("decision-defer", "Defer"),
        ]
        .into_iter()
        .find(|(class, text)| {
            priority.contains(&format!("<span class=\"badge {class}\">{text}</span>"))
        })
        .expect("a decision badge with its name");
        // Exploitation none, open exposure, automatable, human impact high (critical safety, MEF
        // failure): CISA's deployer table says scheduled (out-of-cycle from very high up).
        assert_eq!(decision.1, "Scheduled", "{priority}");
        assert!(
            priority.contains("human impact high (safety critical"),
            "{priority}"
        );

        // A second advisory arrives after this visit: the next visit marks it new.
        app.import_documents(
            &system,
            ImportKind::Osv,
            vec![osv(
                "GHSA-exam-ple0-0002",
                "CVE-2099-0002",
                "1.6.0",
                "CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N",
            )],
        )
        .await
        .unwrap();
        let second = operator.get(&dashboard_path).await;
        assert!(second.html.contains("since "), "{}", second.html);
        assert_eq!(
            second
                .html
                .matches("<span class=\"tag tag-new\">New</span>")
                .count(),
            1
        );
        let new_row = second
            .html
            .split("data-testid=\"priority\"")
            .find(|row| row.contains("tag-new"))
            .expect("a new row");
        assert!(new_row.contains("CVE-2099-0002"), "{new_row}");
        assert!(
            second.html.contains("data-testid=\"new-count\">1<"),
            "{}",
            second.html
        );

        // The operator states it is not affected by the first one (VEX through the asset page).
        let asset = operator.get(&asset_path).await;
        assert!(
            asset.html.contains("State what does not affect you (VEX)"),
            "{}",
            asset.html
        );
        let vex = serde_json::json!({"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
            "vulnerabilities": [{"id": "CVE-2099-0001",
                "analysis": {"state": "not_affected", "justification": "code_not_reachable"},
                "affects": [{"ref": "pkg:pypi/examplepkg@1.5.0"}]}]})
        .to_string();
        let stored = operator
            .upload(&format!("{asset_path}/vex"), &operator.csrf, &vex, "")
            .await;
        assert_eq!(stored.status, StatusCode::SEE_OTHER, "{}", stored.html);
        let asset = operator.get(&stored.location).await;
        assert!(
            asset
                .html
                .contains("VEX stored: 1 statement applied, 0 skipped; 1 match re-marked."),
            "{}",
            asset.html
        );
        assert!(
            asset
                .html
                .contains("not affected (VEX: Code not reachable, by Valley Water (own VEX)"),
            "{}",
            asset.html
        );
        let dashboard = operator.get(&dashboard_path).await;
        let vexed = dashboard
            .html
            .split("data-testid=\"not-affected\"")
            .nth(1)
            .expect("the not-affected table");
        assert!(vexed.contains("CVE-2099-0001"), "{vexed}");
        assert!(vexed.contains("Code not reachable"), "{vexed}");
        assert!(vexed.contains("Valley Water (own VEX)"), "{vexed}");
        // Withdrawn, the match is affected again.
        let withdraw = asset
            .html
            .split(&format!("action=\"/orgs/{}/vex/", org.id))
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .expect("a withdraw form")
            .to_owned();
        let withdrawn = operator
            .post_form(
                &format!("/orgs/{}/vex/{withdraw}/withdraw", org.id),
                &[
                    ("csrf", operator.csrf.as_str()),
                    ("asset", asset_path.trim_start_matches("/assets/")),
                ],
            )
            .await;
        assert_eq!(
            withdrawn.status,
            StatusCode::SEE_OTHER,
            "{}",
            withdrawn.html
        );
        assert!(
            withdrawn.location.contains("withdrawn=1&changed=1"),
            "{}",
            withdrawn.location
        );
        let dashboard = operator.get(&dashboard_path).await;
        assert!(!dashboard.html.contains("data-testid=\"not-affected\""));
        // The nav shows the operator both links; a finder of the same organization has no use
        // for the inventory link and does not see it.
        assert!(dashboard.html.contains("<a href=\"/inventory\""));
        assert!(dashboard.html.contains("<a href=\"/vulnerabilities\""));
        app.create_person(
            &system,
            PersonRequest {
                person: NewPerson::parse("finder@valley.test", "Fred Finder").unwrap(),
                org: org.id,
                role: Role::Finder,
                password: Some(PASSWORD.into()),
            },
        )
        .await
        .unwrap();
        let finder = browser(
            &router,
            app.sign_in_with_password("finder@valley.test", PASSWORD)
                .await
                .unwrap(),
        );
        let home = finder.get("/").await;
        assert_eq!(home.status, StatusCode::OK, "{}", home.html);
        assert!(
            !home.html.contains("<a href=\"/inventory\""),
            "{}",
            home.html
        );
        assert!(
            home.html.contains("<a href=\"/vulnerabilities\""),
            "{}",
            home.html
        );

        // The vulnerability page: aliases, facts, the source record and its document.
        let vulnerability = operator.get("/vulnerabilities/CVE-2099-0001").await;
        assert_eq!(
            vulnerability.status,
            StatusCode::OK,
            "{}",
            vulnerability.html
        );
        for needle in [
            "GHSA-exam-ple0-0001",
            "9.8 critical",
            "CWE-79",
            "osv/GHSA-exam-ple0-0001.json",
        ] {
            assert!(
                vulnerability.html.contains(needle),
                "missing {needle}: {}",
                vulnerability.html
            );
        }
        assert!(
            !vulnerability.html.contains("Exposure by sector"),
            "operators do not read exposure"
        );
        let advisory_href = vulnerability
            .html
            .split("href=\"/advisories/")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("a link to the source record")
            .to_owned();
        let advisory = operator.get(&format!("/advisories/{advisory_href}")).await;
        assert_eq!(advisory.status, StatusCode::OK);
        let unquoted = advisory.html.replace("&#34;", "\"");
        assert!(
            unquoted.contains("\n  \"id\": \"GHSA-exam-ple0-0001\""),
            "{}",
            advisory.html
        );
        assert!(
            !advisory.html.contains("<b>in</b>"),
            "the document is escaped"
        );

        // Search by prefix.
        let found = operator.get("/vulnerabilities?q=cve-2099").await;
        assert!(found.html.contains("CVE-2099-0001") && found.html.contains("CVE-2099-0002"));
        let none = operator.get("/vulnerabilities?q=CVE-1999").await;
        assert!(
            none.html
                .contains("No vulnerability has an id starting with"),
            "{}",
            none.html
        );

        // Operators do not read aggregate exposure.
        let denied = operator.get("/exposure").await;
        assert_eq!(denied.status, StatusCode::FORBIDDEN);

        // The administrator reads exposure (counts by sector) but not the operator's inventory.
        let admin = browser(
            &router,
            app.sign_in_with_link(&boot.signin_secret).await.unwrap(),
        );
        let exposure = admin.get("/exposure").await;
        assert_eq!(exposure.status, StatusCode::OK, "{}", exposure.html);
        assert!(
            exposure.html.contains("Water and wastewater systems"),
            "{}",
            exposure.html
        );
        assert!(
            exposure.html.contains("Operators affected by"),
            "{}",
            exposure.html
        );
        assert!(
            !exposure.html.contains("Valley Water"),
            "exposure never names operators"
        );
        let with_exposure = admin.get("/vulnerabilities/CVE-2099-0001").await;
        assert!(
            with_exposure.html.contains("Exposure by sector"),
            "{}",
            with_exposure.html
        );
        assert_eq!(
            admin.get(&dashboard_path).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(admin.get(&asset_path).await.status, StatusCode::NOT_FOUND);
        let admin_hub = admin.get("/inventory").await;
        assert_eq!(
            admin_hub.status,
            StatusCode::OK,
            "the admin's own organization is listed too"
        );
        assert!(admin_hub.html.contains("href=\"/exposure\""));
    }
}
