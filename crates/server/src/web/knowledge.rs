//! The knowledge base as people read it: vulnerabilities (searched by id or alias prefix), one
//! vulnerability with its merged facts and every source record, and one source record with its
//! document. Analysts and administrators also see a vulnerability's aggregate exposure by sector.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use clearinghouse_app::knowledge::VulnerabilityDetails;
use clearinghouse_domain::AdvisoryId;
use clearinghouse_domain::authz::{Action, authorize};
use clearinghouse_domain::page::PageRequest;
use clearinghouse_standards::cvss::{CvssVector, Severity};
use clearinghouse_standards::knowledge::{ExploitationValue, Facts, SourceKind};
use serde::Deserialize;

use super::inventory::{SectorRow, epss_text, sector_chart, sector_rows, when};
use super::{Layout, WebError, WebSession, render};
use crate::extract::path_id;
use crate::state::AppState;

type WebResult = Result<Response, WebError>;

/// Vulnerabilities per page of the list.
const PAGE_SIZE: u32 = 50;
/// Longest summary shown in the list, in characters.
const SUMMARY_CHARS: usize = 160;

fn source_label(kind: SourceKind) -> &'static str {
    match kind {
        SourceKind::Osv => "OSV",
        SourceKind::Csaf => "CSAF",
        SourceKind::Kev => "CISA KEV",
        SourceKind::Cve => "CVE",
        SourceKind::CycloneDx => "CycloneDX VEX",
    }
}

/// The best CVSS vector as "9.8 critical (CVSS 3.1)".
fn best_cvss_text(facts: &Facts) -> String {
    facts.best_cvss().map_or_else(String::new, |v| {
        let score = v.base_score();
        format!(
            "{score:.1} {} (CVSS {})",
            Severity::from_score(v.version(), score),
            v.version()
        )
    })
}

fn shorten(text: &str, chars: usize) -> String {
    if text.chars().count() <= chars {
        text.to_owned()
    } else {
        let mut short: String = text.chars().take(chars).collect();
        short.push('…');
        short
    }
}

// The list.

struct VulnerabilityRow {
    display_id: String,
    aliases: String,
    summary: String,
    cvss: String,
    kev: bool,
    updated: String,
}

#[derive(Template)]
#[template(path = "vulnerabilities.html")]
struct VulnerabilitiesPage {
    layout: Layout,
    q: String,
    rows: Vec<VulnerabilityRow>,
    next_cursor: Option<String>,
    first_page: bool,
    total: u64,
    /// (source, records)
    sources: Vec<(String, u64)>,
    epss_scores: u64,
}

/// The list's query: an id or alias prefix and the page cursor.
#[derive(Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    cursor: Option<String>,
}

/// Vulnerabilities in the knowledge base, optionally those with an id or alias starting with `q`.
pub async fn vulnerabilities(
    State(state): State<AppState>,
    session: WebSession,
    Query(query): Query<ListQuery>,
) -> WebResult {
    let q = query.q.trim().to_owned();
    let first_page = query.cursor.is_none();
    let page = state
        .app
        .list_vulnerabilities(
            &session.actor,
            (!q.is_empty()).then_some(q.as_str()),
            &PageRequest::new(query.cursor, Some(PAGE_SIZE)),
        )
        .await?;
    let stats = state.app.kb_stats(&session.actor).await?;
    let rows = page
        .items
        .iter()
        .map(|v| VulnerabilityRow {
            display_id: v.display_id.clone(),
            aliases: v
                .aliases
                .iter()
                .filter(|a| **a != v.display_id)
                .cloned()
                .collect::<Vec<_>>()
                .join(", "),
            summary: shorten(v.facts.summary.as_deref().unwrap_or(""), SUMMARY_CHARS),
            cvss: best_cvss_text(&v.facts),
            kev: v.facts.kev.is_some(),
            updated: when(v.updated_at),
        })
        .collect();
    Ok(render(&VulnerabilitiesPage {
        layout: session.layout("Vulnerabilities", "vulnerabilities"),
        q,
        rows,
        next_cursor: page.next_cursor,
        first_page,
        total: stats.vulnerabilities,
        sources: stats
            .advisories
            .into_iter()
            .map(|(kind, n)| {
                let name = SourceKind::parse(&kind).map_or(kind, |k| source_label(k).to_owned());
                (name, n)
            })
            .collect(),
        epss_scores: stats.epss_scores,
    }))
}

// One vulnerability.

struct CvssRow {
    vector: String,
    version: String,
    score: String,
    severity: String,
    best: bool,
}

struct SourceRow {
    id: String,
    kind: &'static str,
    source_id: String,
    title: String,
    modified: String,
    digest: String,
    location: String,
    withdrawn: bool,
}

struct Kev {
    date_added: String,
    due_date: String,
    ransomware: bool,
    required_action: String,
}

struct Ssvc {
    exploitation: &'static str,
    automatable: &'static str,
    technical_impact: &'static str,
}

/// A CWE id with its MITRE page, when it has a number.
struct CweRow {
    id: String,
    href: Option<String>,
}

#[derive(Template)]
#[template(path = "vulnerability.html")]
struct VulnerabilityPage {
    layout: Layout,
    id: String,
    display_id: String,
    aliases: Vec<String>,
    summary: String,
    published: String,
    exploitation: &'static str,
    cvss: Vec<CvssRow>,
    unparsed_cvss: Vec<String>,
    epss: String,
    kev: Option<Kev>,
    ssvc: Option<Ssvc>,
    cwes: Vec<CweRow>,
    sources: Vec<SourceRow>,
    first_seen: String,
    updated: String,
    /// Shown only to those who may read exposure.
    exposure: Option<VulnerabilityExposure>,
}

struct VulnerabilityExposure {
    operators: u64,
    sectors: Vec<SectorRow>,
    chart: String,
}

fn exploitation_label(value: ExploitationValue) -> &'static str {
    match value {
        ExploitationValue::Active => "Active",
        ExploitationValue::Poc => "Public proof of concept",
        ExploitationValue::None => "None known",
    }
}

fn cvss_rows(facts: &Facts) -> (Vec<CvssRow>, Vec<String>) {
    let best = facts.best_cvss().map(|v| v.as_str().to_owned());
    let mut rows = Vec::new();
    let mut unparsed = Vec::new();
    for text in &facts.cvss_vectors {
        match CvssVector::parse(text) {
            Ok(v) => {
                let score = v.base_score();
                rows.push(CvssRow {
                    vector: v.as_str().to_owned(),
                    version: v.version().to_string(),
                    score: format!("{score:.1}"),
                    severity: Severity::from_score(v.version(), score).to_string(),
                    best: best.as_deref() == Some(v.as_str()),
                });
            }
            Err(_) => unparsed.push(text.clone()),
        }
    }
    (rows, unparsed)
}

fn cwe_row(cwe: &str) -> CweRow {
    let number = cwe
        .strip_prefix("CWE-")
        .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    CweRow {
        id: cwe.to_owned(),
        href: number.map(|n| format!("https://cwe.mitre.org/data/definitions/{n}.html")),
    }
}

fn vulnerability_page(
    layout: Layout,
    details: VulnerabilityDetails,
    exposure: Option<VulnerabilityExposure>,
) -> VulnerabilityPage {
    let v = details.vulnerability;
    let facts = &v.facts;
    let (cvss, unparsed_cvss) = cvss_rows(facts);
    VulnerabilityPage {
        layout,
        id: v.id.to_string(),
        aliases: v
            .aliases
            .iter()
            .filter(|a| **a != v.display_id)
            .cloned()
            .collect(),
        display_id: v.display_id.clone(),
        summary: facts.summary.clone().unwrap_or_default(),
        published: facts.published.clone().unwrap_or_default(),
        exploitation: exploitation_label(facts.exploitation()),
        cvss,
        unparsed_cvss,
        epss: epss_text(details.epss),
        kev: facts.kev.as_ref().map(|k| Kev {
            date_added: k.date_added.clone(),
            due_date: k.due_date.clone(),
            ransomware: k.ransomware,
            required_action: k.required_action.clone(),
        }),
        ssvc: facts.ssvc.map(|s| Ssvc {
            exploitation: exploitation_label(s.exploitation),
            automatable: if s.automatable { "Yes" } else { "No" },
            technical_impact: if s.technical_impact_total {
                "Total"
            } else {
                "Partial"
            },
        }),
        cwes: facts.cwes.iter().map(|c| cwe_row(c)).collect(),
        sources: details
            .sources
            .iter()
            .map(|s| SourceRow {
                id: s.id.to_string(),
                kind: source_label(s.source),
                source_id: s.source_id.clone(),
                title: s.title.clone().unwrap_or_default(),
                modified: s.modified.clone().unwrap_or_default(),
                digest: s.digest.clone(),
                location: s.location.clone(),
                withdrawn: s.withdrawn,
            })
            .collect(),
        first_seen: when(v.created_at),
        updated: when(v.updated_at),
        exposure,
    }
}

/// One vulnerability by its id or any alias (`CVE-…`, `GHSA-…`): every alias, the merged facts,
/// every source record, and for analysts and administrators its exposure by sector.
pub async fn vulnerability(
    State(state): State<AppState>,
    session: WebSession,
    Path(id): Path<String>,
) -> WebResult {
    let details = state.app.vulnerability(&session.actor, id.trim()).await?;
    let exposure = if authorize(&session.actor, &Action::ExposureRead).is_ok() {
        state
            .app
            .exposure(&session.actor, Some(details.vulnerability.id))
            .await?
            .into_iter()
            .next()
            .map(|summary| VulnerabilityExposure {
                operators: summary.operators,
                sectors: sector_rows(&summary),
                chart: sector_chart("exposure", &summary),
            })
    } else {
        None
    };
    let layout = session.layout(&details.vulnerability.display_id, "vulnerabilities");
    Ok(render(&vulnerability_page(layout, details, exposure)))
}

// One source record.

#[derive(Template)]
#[template(path = "advisory.html")]
struct AdvisoryPage {
    layout: Layout,
    kind: &'static str,
    source_id: String,
    title: String,
    modified: String,
    digest: String,
    location: String,
    withdrawn: bool,
    imported: String,
    updated: String,
    size: usize,
    document: String,
}

/// The document as people read it: JSON pretty-printed, anything else as (lossy) UTF-8 text. The
/// template escapes it.
fn readable_document(bytes: &[u8]) -> String {
    serde_json::from_slice::<serde_json::Value>(bytes)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| String::from_utf8_lossy(bytes).into_owned())
}

/// One source record and its document as received.
pub async fn advisory(
    State(state): State<AppState>,
    session: WebSession,
    Path(id): Path<String>,
) -> WebResult {
    let id: AdvisoryId = path_id(&id, "advisory")?;
    let (summary, document) = state.app.advisory(&session.actor, id).await?;
    Ok(render(&AdvisoryPage {
        layout: session.layout(&summary.source_id, "vulnerabilities"),
        kind: source_label(summary.source),
        source_id: summary.source_id,
        title: summary.title.unwrap_or_default(),
        modified: summary.modified.unwrap_or_default(),
        digest: summary.digest,
        location: summary.location,
        withdrawn: summary.withdrawn,
        imported: when(summary.imported_at),
        updated: when(summary.updated_at),
        size: document.len(),
        document: readable_document(&document),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clearinghouse_standards::knowledge::{KevFacts, SsvcFacts};

    #[test]
    fn documents_are_pretty_printed_and_escaped() {
        let text = readable_document(br#"{"id":"GHSA-1","summary":"<script>alert(1)</script>"}"#);
        assert!(text.contains("\n  \"id\": \"GHSA-1\""), "{text}");
        let page = AdvisoryPage {
            layout: Layout::anonymous("x"),
            kind: "OSV",
            source_id: "GHSA-1".into(),
            title: String::new(),
            modified: String::new(),
            digest: "ab".into(),
            location: "a/b.json".into(),
            withdrawn: false,
            imported: String::new(),
            updated: String::new(),
            size: 10,
            document: text,
        };
        let html = page.render().unwrap();
        assert!(
            !html.contains("<script>alert"),
            "the document must be escaped"
        );
        assert!(html.contains("&#60;script&#62;") || html.contains("&lt;script&gt;"));
        assert!(readable_document(b"not json <b>").contains("not json <b>"));
    }

    #[test]
    fn cvss_vectors_are_scored_and_the_best_is_marked() {
        let facts = Facts {
            cvss_vectors: vec![
                "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H".into(),
                "AV:N/AC:L/Au:N/C:P/I:P/A:P".into(),
                "not a vector".into(),
            ],
            ..Facts::default()
        };
        let (rows, unparsed) = cvss_rows(&facts);
        assert_eq!(rows.len(), 2);
        assert_eq!(unparsed, vec!["not a vector".to_owned()]);
        assert_eq!(rows[0].score, "9.8");
        assert_eq!(rows[0].severity, "critical");
        assert!(rows[0].best && !rows[1].best);
        assert_eq!(best_cvss_text(&facts), "9.8 critical (CVSS 3.1)");
    }

    #[test]
    fn a_vulnerability_page_shows_every_fact() {
        let facts = Facts {
            summary: Some("Heap overflow in <parser>".into()),
            cvss_vectors: vec!["CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H".into()],
            cwes: vec!["CWE-787".into(), "NVD-CWE-Other".into()],
            kev: Some(KevFacts {
                date_added: "2024-01-02".into(),
                due_date: "2024-01-23".into(),
                ransomware: true,
                required_action: "Apply updates".into(),
            }),
            ssvc: Some(SsvcFacts {
                exploitation: ExploitationValue::Active,
                automatable: true,
                technical_impact_total: true,
            }),
            exploited: false,
            published: Some("2024-01-01".into()),
        };
        let page = VulnerabilityPage {
            layout: Layout::anonymous("CVE-2024-0001"),
            id: "0190".into(),
            display_id: "CVE-2024-0001".into(),
            aliases: vec!["GHSA-aaaa-bbbb-cccc".into()],
            summary: facts.summary.clone().unwrap_or_default(),
            published: "2024-01-01".into(),
            exploitation: exploitation_label(facts.exploitation()),
            cvss: cvss_rows(&facts).0,
            unparsed_cvss: Vec::new(),
            epss: epss_text(Some((0.5, 0.99))),
            kev: Some(Kev {
                date_added: "2024-01-02".into(),
                due_date: "2024-01-23".into(),
                ransomware: true,
                required_action: "Apply updates".into(),
            }),
            ssvc: Some(Ssvc {
                exploitation: "Active",
                automatable: "Yes",
                technical_impact: "Total",
            }),
            cwes: facts.cwes.iter().map(|c| cwe_row(c)).collect(),
            sources: vec![SourceRow {
                id: "0191".into(),
                kind: "OSV",
                source_id: "GHSA-aaaa-bbbb-cccc".into(),
                title: "t".into(),
                modified: "2024-01-03".into(),
                digest: "d1g".into(),
                location: "osv/GHSA.json".into(),
                withdrawn: false,
            }],
            first_seen: String::new(),
            updated: String::new(),
            exposure: None,
        };
        let html = page.render().unwrap();
        for needle in [
            "<h1>CVE-2024-0001</h1>",
            "GHSA-aaaa-bbbb-cccc",
            "Heap overflow in &#60;parser&#62;",
            "9.8",
            "2024-01-23",
            "Apply updates",
            "50.0 % (percentile 99)",
            "href=\"https://cwe.mitre.org/data/definitions/787.html\"",
            "NVD-CWE-Other",
            "href=\"/advisories/0191\"",
            "d1g",
            "osv/GHSA.json",
        ] {
            assert!(html.contains(needle), "missing {needle:?}");
        }
        assert!(
            !html.contains("Exposure by sector"),
            "exposure only when given"
        );
    }
}
