//! Wire types of the campaign API (tag `campaigns`), converted from the domain by hand like
//! `dto`, so the committed `openapi.json` shows every change. Targets travel in their client form,
//! one key naming the kind (`{"cidr": "192.0.2.0/24"}`), so errors point at `/targets/2/cidr`.

use clearinghouse_app::campaigns::{CampaignView, CheckResult, OverlapView};
use clearinghouse_domain::campaign::{
    Blackout, NetworkRange, Overlap, ResolutionKind, ScanAuthorization, StepAction, Target,
    TargetInput, Technique, Window,
};
use clearinghouse_domain::ids::NetworkRangeId;
use clearinghouse_domain::{
    AssetId, BlackoutId, CampaignId, OrgId, OverlapId, ScanAuthorizationId, TokenId,
};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

fn inputs(targets: &[Target]) -> Vec<TargetInput> {
    targets.iter().map(Target::to_input).collect()
}

/// Register a hostname or network the operator owns.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NetworkAssetRequest {
    /// `{"hostname": "www.example.org"}`, `{"hostname": "*.example.org"}` or `{"cidr": "192.0.2.0/24"}`.
    pub target: TargetInput,
    /// The inventory asset it belongs to.
    pub asset_id: Option<AssetId>,
    /// A label (`public web servers`).
    pub label: Option<String>,
}

/// A registered network asset.
#[derive(Debug, Serialize, ToSchema)]
pub struct NetworkAssetDto {
    /// Its id.
    pub id: NetworkRangeId,
    /// The operator.
    pub org_id: OrgId,
    /// The hostname pattern or network, normalized.
    pub target: TargetInput,
    /// The inventory asset.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub asset_id: Option<AssetId>,
    /// The label.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Who registered it.
    pub created_by: String,
    /// When.
    pub created_at: Timestamp,
}

impl From<NetworkRange> for NetworkAssetDto {
    fn from(r: NetworkRange) -> Self {
        Self {
            id: r.id,
            org_id: r.org,
            target: r.target.to_input(),
            asset_id: r.asset,
            label: r.label,
            created_by: r.created_by,
            created_at: r.created_at,
        }
    }
}

/// Authorize a finder organization to scan part of the operator's registered assets.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScanAuthorizationRequest {
    /// The finder organization.
    pub finder_id: OrgId,
    /// Hostnames and networks inside the operator's registered network assets.
    pub scope: Vec<TargetInput>,
    /// From (RFC 3339).
    pub start: Timestamp,
    /// Until, exclusive (RFC 3339); at most 366 days after `start`.
    pub end: Timestamp,
    /// Allowed techniques; empty or absent means any.
    #[serde(default)]
    pub techniques: Vec<Technique>,
    /// The highest rate a campaign under it may declare, requests per second.
    pub max_rate: u32,
    /// Conditions, contacts.
    pub note: Option<String>,
}

/// `scheduled`, `active`, `ended` or `revoked`, from the window and the clock.
fn window_status(window: &Window, revoked: bool, now: Timestamp) -> &'static str {
    if revoked {
        "revoked"
    } else if now < window.start {
        "scheduled"
    } else if now < window.end {
        "active"
    } else {
        "ended"
    }
}

/// A scan authorization.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScanAuthorizationDto {
    /// Its id.
    pub id: ScanAuthorizationId,
    /// The operator that gave it.
    pub operator_id: OrgId,
    /// The finder organization it was given to.
    pub finder_id: OrgId,
    /// What may be scanned.
    pub scope: Vec<TargetInput>,
    /// From.
    pub start: Timestamp,
    /// Until (exclusive).
    pub end: Timestamp,
    /// Allowed techniques; empty means any.
    pub techniques: Vec<Technique>,
    /// Requests per second, at most.
    pub max_rate: u32,
    /// Conditions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// `scheduled`, `active`, `ended` or `revoked`.
    pub status: String,
    /// Who recorded it.
    pub created_by: String,
    /// When.
    pub created_at: Timestamp,
    /// When it was revoked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<Timestamp>,
}

impl From<ScanAuthorization> for ScanAuthorizationDto {
    fn from(a: ScanAuthorization) -> Self {
        let now = clearinghouse_domain::time::now();
        Self {
            id: a.id,
            operator_id: a.operator,
            finder_id: a.finder,
            scope: inputs(&a.scope),
            start: a.window.start,
            end: a.window.end,
            techniques: a.techniques,
            max_rate: a.max_rate,
            note: a.note,
            status: window_status(&a.window, a.revoked_at.is_some_and(|r| r <= now), now).into(),
            created_by: a.created_by,
            created_at: a.created_at,
            revoked_at: a.revoked_at,
        }
    }
}

/// A period when (part of) the operator's assets may not be scanned, whatever any authorization
/// says.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BlackoutRequest {
    /// What it covers; empty or absent means every registered asset.
    #[serde(default)]
    pub scope: Vec<TargetInput>,
    /// From.
    pub start: Timestamp,
    /// Until (exclusive).
    pub end: Timestamp,
    /// Why (finders who know the operator see it).
    pub reason: String,
}

/// A blackout.
#[derive(Debug, Serialize, ToSchema)]
pub struct BlackoutDto {
    /// Its id.
    pub id: BlackoutId,
    /// The operator.
    pub operator_id: OrgId,
    /// What it covers; empty means everything.
    pub scope: Vec<TargetInput>,
    /// From.
    pub start: Timestamp,
    /// Until (exclusive).
    pub end: Timestamp,
    /// Why.
    pub reason: String,
    /// `scheduled`, `active`, `ended` or `revoked` (lifted).
    pub status: String,
    /// Who recorded it.
    pub created_by: String,
    /// When.
    pub created_at: Timestamp,
    /// When it was lifted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<Timestamp>,
}

impl From<Blackout> for BlackoutDto {
    fn from(b: Blackout) -> Self {
        let now = clearinghouse_domain::time::now();
        Self {
            id: b.id,
            operator_id: b.operator,
            scope: inputs(&b.scope),
            start: b.window.start,
            end: b.window.end,
            status: window_status(&b.window, b.revoked_at.is_some_and(|r| r <= now), now).into(),
            reason: b.reason,
            created_by: b.created_by,
            created_at: b.created_at,
            revoked_at: b.revoked_at,
        }
    }
}

/// The AI model or tool a campaign uses.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ToolDto {
    /// Its name.
    pub name: String,
    /// Its version.
    pub version: String,
}

/// Declare a scanning campaign.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CampaignRequest {
    /// The finder organization; may be left out by someone who is a finder in one organization.
    pub finder_id: Option<OrgId>,
    /// A name.
    pub name: String,
    /// Packages (`purl`), products (`cpe`), repositories (`repository`), hostnames (`hostname`)
    /// and networks (`cidr`). Hostnames and networks need their owners' authorization.
    pub targets: Vec<TargetInput>,
    /// How.
    pub technique: Technique,
    /// With which model or tool.
    pub tool: ToolDto,
    /// From (RFC 3339).
    pub start: Timestamp,
    /// Until, exclusive (RFC 3339).
    pub end: Timestamp,
    /// Requests per second against any target, at most.
    pub rate_limit: u32,
}

/// One owner's part of a network target and the authorization covering it.
#[derive(Debug, Serialize, ToSchema)]
pub struct CoverDto {
    /// The operator.
    pub operator_id: OrgId,
    /// Its name.
    pub operator_name: String,
    /// The part of the target inside its assets.
    pub piece: TargetInput,
    /// The authorization.
    pub authorization_id: ScanAuthorizationId,
}

/// A campaign's target.
#[derive(Debug, Serialize, ToSchema)]
pub struct CampaignTargetDto {
    /// The target, normalized.
    pub target: TargetInput,
    /// For hostnames and networks: whether every owner's authorization still covers it for the
    /// rest of the window (revocations and new blackouts count at once).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authorized: Option<bool>,
    /// Why not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
    /// Who owns it and which authorization covered it when declared.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub covers: Vec<CoverDto>,
}

/// A campaign.
#[derive(Debug, Serialize, ToSchema)]
pub struct CampaignDto {
    /// Its id.
    pub id: CampaignId,
    /// The finder organization.
    pub finder_id: OrgId,
    /// Its name.
    pub finder_name: String,
    /// The campaign's name.
    pub name: String,
    /// `scheduled`, `running`, `ended` or `cancelled`.
    pub status: String,
    /// What it scans.
    pub targets: Vec<CampaignTargetDto>,
    /// How.
    pub technique: Technique,
    /// With which model or tool.
    pub tool: ToolDto,
    /// From.
    pub start: Timestamp,
    /// Until (exclusive).
    pub end: Timestamp,
    /// Requests per second, at most.
    pub rate_limit: u32,
    /// Who declared it.
    pub created_by: String,
    /// When.
    pub created_at: Timestamp,
    /// When it was cancelled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cancelled_at: Option<Timestamp>,
}

impl From<CampaignView> for CampaignDto {
    fn from(v: CampaignView) -> Self {
        let now = clearinghouse_domain::time::now();
        let c = v.campaign;
        let name = |org: OrgId| v.operator_names.get(&org).cloned().unwrap_or_default();
        Self {
            id: c.id,
            finder_id: c.finder,
            finder_name: v.finder_name,
            status: c.status(now).as_str().to_owned(),
            targets: c
                .targets
                .iter()
                .zip(v.target_status)
                .map(|(t, status)| CampaignTargetDto {
                    target: t.target.to_input(),
                    authorized: status.as_ref().map(Result::is_ok),
                    problem: status.and_then(Result::err),
                    covers: t
                        .covers
                        .iter()
                        .map(|cover| CoverDto {
                            operator_id: cover.operator,
                            operator_name: name(cover.operator),
                            piece: cover.piece.to_input(),
                            authorization_id: cover.authorization,
                        })
                        .collect(),
                })
                .collect(),
            name: c.name,
            technique: c.technique,
            tool: ToolDto {
                name: c.tool.name,
                version: c.tool.version,
            },
            start: c.window.start,
            end: c.window.end,
            rate_limit: c.rate_limit,
            created_by: c.created_by,
            created_at: c.created_at,
            cancelled_at: c.cancelled_at,
        }
    }
}

/// A page of campaigns.
#[derive(Debug, Serialize, ToSchema)]
pub struct CampaignPage {
    /// The campaigns, oldest declared first.
    pub items: Vec<CampaignDto>,
    /// The cursor of the next page, absent on the last.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// Which campaigns to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CampaignQuery {
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size, 1 to 500 (default 50).
    pub limit: Option<u32>,
    /// Only campaigns whose window ends after this time (RFC 3339).
    pub from: Option<Timestamp>,
    /// Only campaigns whose window starts before this time (RFC 3339).
    pub to: Option<Timestamp>,
}

/// A campaign as an overlap names it.
#[derive(Debug, Serialize, ToSchema)]
pub struct CampaignRef {
    /// Its id.
    pub id: CampaignId,
    /// Its name.
    pub name: String,
    /// Its finder organization.
    pub finder_id: OrgId,
    /// The finder's name (the two finders need each other's to coordinate).
    pub finder_name: String,
}

/// A proposal or resolution.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProposalDto {
    /// `lead`, `share` or `stagger`.
    pub kind: ResolutionKind,
    /// For `lead`: the leading campaign.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lead: Option<CampaignId>,
    /// The proposing finder organization; absent for the default proposal (earlier declared
    /// leads).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proposed_by: Option<OrgId>,
    /// Which finder organization may accept it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acceptor: Option<OrgId>,
    /// When.
    pub at: Timestamp,
}

/// How a staggered campaign moved.
#[derive(Debug, Serialize, ToSchema)]
pub struct MovedDto {
    /// The campaign that moved.
    pub campaign_id: CampaignId,
    /// Its start before.
    pub from_start: Timestamp,
    /// Its end before.
    pub from_end: Timestamp,
    /// Its start now: when the other campaign ends.
    pub to_start: Timestamp,
    /// Its end now (same duration).
    pub to_end: Timestamp,
}

/// The final resolution.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResolutionDto {
    /// `lead`, `share` or `stagger`.
    pub kind: ResolutionKind,
    /// For `lead`: the leading campaign.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lead: Option<CampaignId>,
    /// For `stagger`: what moved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub moved: Option<MovedDto>,
    /// Who made it final.
    pub decided_by: String,
    /// When.
    pub at: Timestamp,
}

/// One step of an overlap's history.
#[derive(Debug, Serialize, ToSchema)]
pub struct OverlapStepDto {
    /// `detected`, `proposed`, `accepted` or `decided`.
    pub action: StepAction,
    /// The resolution concerned.
    pub kind: ResolutionKind,
    /// Its lead campaign.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lead: Option<CampaignId>,
    /// Who (`system` for detection).
    pub actor: String,
    /// Their finder organization.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub org_id: Option<OrgId>,
    /// When.
    pub at: Timestamp,
}

/// An overlap between two finders' campaigns.
#[derive(Debug, Serialize, ToSchema)]
pub struct OverlapDto {
    /// Its id.
    pub id: OverlapId,
    /// The campaign declared first.
    pub first: CampaignRef,
    /// The campaign declared later.
    pub second: CampaignRef,
    /// What both scan.
    pub shared: Vec<TargetInput>,
    /// When both run (as detected).
    pub start: Timestamp,
    /// Until.
    pub end: Timestamp,
    /// When detected.
    pub detected_at: Timestamp,
    /// `open` or `resolved`.
    pub status: String,
    /// The open proposal.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proposal: Option<ProposalDto>,
    /// The resolution.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolution: Option<ResolutionDto>,
    /// Every step, oldest first.
    pub steps: Vec<OverlapStepDto>,
}

impl From<OverlapView> for OverlapDto {
    fn from(v: OverlapView) -> Self {
        let o: Overlap = v.overlap;
        let acceptor = o.acceptor();
        Self {
            id: o.id,
            first: CampaignRef {
                id: o.first,
                name: v.first_name,
                finder_id: o.first_finder,
                finder_name: v.first_finder_name,
            },
            second: CampaignRef {
                id: o.second,
                name: v.second_name,
                finder_id: o.second_finder,
                finder_name: v.second_finder_name,
            },
            shared: inputs(&o.shared),
            start: o.window.start,
            end: o.window.end,
            detected_at: o.detected_at,
            status: if o.resolution.is_some() {
                "resolved"
            } else {
                "open"
            }
            .into(),
            proposal: o.proposal.map(|p| ProposalDto {
                kind: p.kind,
                lead: p.lead,
                proposed_by: p.by,
                acceptor,
                at: p.at,
            }),
            resolution: o.resolution.map(|r| ResolutionDto {
                kind: r.kind,
                lead: r.lead,
                moved: r.moved.map(|m| MovedDto {
                    campaign_id: m.campaign,
                    from_start: m.from.start,
                    from_end: m.from.end,
                    to_start: m.to.start,
                    to_end: m.to.end,
                }),
                decided_by: r.decided_by,
                at: r.at,
            }),
            steps: o
                .steps
                .into_iter()
                .map(|s| OverlapStepDto {
                    action: s.action,
                    kind: s.kind,
                    lead: s.lead,
                    actor: s.actor,
                    org_id: s.org,
                    at: s.at,
                })
                .collect(),
        }
    }
}

/// A campaign just declared and the overlaps found at once.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedCampaignDto {
    /// The campaign.
    pub campaign: CampaignDto,
    /// Overlaps with other finders' live campaigns (both finders are notified).
    pub overlaps: Vec<OverlapDto>,
}

/// Propose (a finder of either campaign) or decide (an analyst) a resolution.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResolveRequest {
    /// `lead`, `share` or `stagger` (the later campaign moves to start when the earlier ends).
    pub kind: ResolutionKind,
    /// For `lead`: which of the two campaigns leads.
    pub lead: Option<CampaignId>,
}

/// Create a token bound to the campaign, for its scanning agent.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CampaignTokenRequest {
    /// A label.
    pub name: String,
    /// When it expires; never after the campaign's window (the default).
    pub expires_at: Option<Timestamp>,
}

/// A campaign token; the secret is shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct CampaignTokenResponse {
    /// The token's id.
    pub id: TokenId,
    /// The campaign it is bound to.
    pub campaign_id: CampaignId,
    /// Its label.
    pub name: String,
    /// When it expires.
    pub expires_at: Timestamp,
    /// Send as `Authorization: Bearer <secret>`.
    pub secret: String,
}

/// What to check.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CheckQuery {
    /// A hostname, IP address, CIDR, package URL, CPE name or repository URL.
    pub target: String,
    /// The instant to answer for (RFC 3339); now if absent.
    pub at: Option<Timestamp>,
    /// Answer for this campaign only (a campaign token always answers for its own).
    pub campaign: Option<CampaignId>,
}

/// The campaign that allows a target.
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckCampaignDto {
    /// Its id.
    pub id: CampaignId,
    /// Its name.
    pub name: String,
    /// Its window's start.
    pub start: Timestamp,
    /// Its window's end.
    pub end: Timestamp,
}

/// An authorization covering the target.
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckAuthorizationDto {
    /// Its id.
    pub id: ScanAuthorizationId,
    /// When it ends.
    pub end: Timestamp,
}

/// A blackout that is why not.
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckBlackoutDto {
    /// Its id.
    pub id: BlackoutId,
    /// From.
    pub start: Timestamp,
    /// Until.
    pub end: Timestamp,
}

/// Whether a target may be scanned at an instant, and under what; deterministic from the recorded
/// campaigns, ranges, authorizations and blackouts.
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckResponse {
    /// The target, normalized.
    pub target: TargetInput,
    /// The instant answered for.
    pub at: Timestamp,
    /// Yes or no.
    pub allowed: bool,
    /// The campaign that allows it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub campaign: Option<CheckCampaignDto>,
    /// Requests per second to keep to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<u32>,
    /// The operators' authorizations that cover it (for hostnames and networks).
    pub authorizations: Vec<CheckAuthorizationDto>,
    /// A blackout in force.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blackout: Option<CheckBlackoutDto>,
    /// Why not.
    pub reasons: Vec<String>,
}

impl From<CheckResult> for CheckResponse {
    fn from(r: CheckResult) -> Self {
        let a = r.answer;
        Self {
            target: a.target.to_input(),
            at: a.at,
            allowed: a.allowed,
            campaign: match (a.campaign, a.campaign_window) {
                (Some(id), Some(window)) => Some(CheckCampaignDto {
                    id,
                    name: r.campaign_name.unwrap_or_default(),
                    start: window.start,
                    end: window.end,
                }),
                _ => None,
            },
            rate_limit: a.rate_limit,
            authorizations: a
                .authorizations
                .into_iter()
                .map(|(id, end)| CheckAuthorizationDto { id, end })
                .collect(),
            blackout: a.blackout.map(|b| CheckBlackoutDto {
                id: b.id,
                start: b.window.start,
                end: b.window.end,
            }),
            reasons: a.reasons,
        }
    }
}
