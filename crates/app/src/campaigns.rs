//! Scan campaigns and deconfliction: operators' network ranges, scan authorizations and blackouts;
//! finders' campaigns, overlap detection and resolution, campaign tokens and the authorization
//! check a scanning agent asks.
//!
//! The decisions are `clearinghouse_domain::campaign::plan`'s pure functions. A service reads the
//! state they depend on together with the campaign generation, decides, and commits only if the
//! generation is unchanged (otherwise it reads and decides again), so a revocation or a competing
//! campaign committed meanwhile is never missed. Overlap events (`campaign.overlap`,
//! `campaign.overlap.proposed`, `campaign.overlap.resolved`) go to the finders' subscriptions
//! through the outbox, in the transaction that records the overlap.

use std::collections::HashMap;

use clearinghouse_domain::audit::AuditRecord;
use clearinghouse_domain::authz::{Action, Actor, authorize, campaign_scope};
use clearinghouse_domain::campaign::plan::{self, CheckAnswer, Landscape};
use clearinghouse_domain::campaign::{
    Blackout, Campaign, CampaignTarget, MAX_RATE, MAX_TARGETS, Moved, NetworkRange, Overlap,
    OverlapError, ResolutionKind, ScanAuthorization, Target, TargetInput, Technique, Tool, Window,
};
use clearinghouse_domain::ids::NetworkRangeId;
use clearinghouse_domain::notify::Event;
use clearinghouse_domain::page::{Page, PageRequest};
use clearinghouse_domain::{
    AssetId, BlackoutId, CampaignId, OrgId, OverlapId, Role, ScanAuthorizationId, TokenId,
    TokenInfo,
};
use clearinghouse_notify::Notice;
use clearinghouse_store::{AuthorizationParty, NewToken};
use jiff::{SignedDuration, Timestamp};
use serde_json::json;

use crate::App;
use crate::error::{Error, Result};
use crate::participants::CreatedToken;
use crate::secrets::{TOKEN_PREFIX, new_secret, secret_hash};

/// How often a decision is retried when concurrent writes invalidate it.
const DECISION_ATTEMPTS: usize = 20;
/// How far in the past a campaign may say it starts (clock skew between finder and server).
const START_SLACK: SignedDuration = SignedDuration::from_mins(10);

/// A request to register a network range.
#[derive(Clone, Debug)]
pub struct RangeRequest {
    /// A hostname or CIDR.
    pub target: TargetInput,
    /// The inventory asset it belongs to.
    pub asset: Option<AssetId>,
    /// A label.
    pub label: Option<String>,
}

/// A request to record a scan authorization.
#[derive(Clone, Debug)]
pub struct AuthorizationRequest {
    /// The finder organization it is given to.
    pub finder: OrgId,
    /// What may be scanned, inside the operator's ranges.
    pub scope: Vec<TargetInput>,
    /// From.
    pub start: Timestamp,
    /// Until (exclusive).
    pub end: Timestamp,
    /// Allowed techniques; empty means any.
    pub techniques: Vec<Technique>,
    /// Requests per second, at most.
    pub max_rate: u32,
    /// Conditions, contacts.
    pub note: Option<String>,
}

/// A request to record a blackout.
#[derive(Clone, Debug)]
pub struct BlackoutRequest {
    /// What it covers; empty means every range of the operator.
    pub scope: Vec<TargetInput>,
    /// From.
    pub start: Timestamp,
    /// Until (exclusive).
    pub end: Timestamp,
    /// Why.
    pub reason: String,
}

/// A request to declare a campaign.
#[derive(Clone, Debug)]
pub struct CampaignRequest {
    /// The finder organization; may be left out by someone who is a finder in one organization.
    pub finder: Option<OrgId>,
    /// A name.
    pub name: String,
    /// What it scans.
    pub targets: Vec<TargetInput>,
    /// How.
    pub technique: Technique,
    /// The model or tool's name.
    pub tool_name: String,
    /// Its version.
    pub tool_version: String,
    /// From.
    pub start: Timestamp,
    /// Until (exclusive).
    pub end: Timestamp,
    /// Requests per second, at most.
    pub rate_limit: u32,
}

/// A campaign as its reader may see it.
#[derive(Clone, Debug)]
pub struct CampaignView {
    /// The campaign (covers of operators the reader may not know are left out).
    pub campaign: Campaign,
    /// Its finder's name.
    pub finder_name: String,
    /// Names of the operators shown in its covers.
    pub operator_names: HashMap<OrgId, String>,
    /// For each network target, whether it is authorized for the rest of the window, or why not;
    /// `None` for other targets.
    pub target_status: Vec<Option<std::result::Result<(), String>>>,
}

/// An overlap with the names its reader needs to coordinate.
#[derive(Clone, Debug)]
pub struct OverlapView {
    /// The overlap.
    pub overlap: Overlap,
    /// Names of the two campaigns.
    pub first_name: String,
    /// Names of the two campaigns.
    pub second_name: String,
    /// Names of the two finders.
    pub first_finder_name: String,
    /// Names of the two finders.
    pub second_finder_name: String,
}

/// A campaign just declared, with the overlaps found at once.
#[derive(Clone, Debug)]
pub struct CreatedCampaign {
    /// The campaign.
    pub campaign: CampaignView,
    /// Overlaps with other finders' live campaigns.
    pub overlaps: Vec<OverlapView>,
}

/// An authorization check's answer with the campaign's name.
#[derive(Clone, Debug)]
pub struct CheckResult {
    /// The answer.
    pub answer: CheckAnswer,
    /// The campaign's name, when one allows it.
    pub campaign_name: Option<String>,
}

fn invalid(field: impl Into<String>, problem: impl Into<String>) -> Error {
    Error::Invalid {
        field: field.into(),
        problem: problem.into(),
    }
}

/// Parses a list of targets, naming `#/{list}/{index}/{kind}` on error.
fn parse_targets(list: &str, inputs: &[TargetInput]) -> Result<Vec<Target>> {
    if inputs.len() > MAX_TARGETS {
        return Err(invalid(
            format!("#/{list}"),
            format!("at most {MAX_TARGETS} entries"),
        ));
    }
    let mut out: Vec<Target> = Vec::with_capacity(inputs.len());
    for (index, input) in inputs.iter().enumerate() {
        let at = format!("#/{list}/{index}/{}", input.kind());
        let target = Target::parse(input).map_err(|e| invalid(&at, e.0))?;
        if let Some(earlier) = out.iter().position(|t| *t == target) {
            return Err(invalid(at, format!("the same target as /{list}/{earlier}")));
        }
        out.push(target);
    }
    Ok(out)
}

fn network_only(list: &str, targets: &[Target]) -> Result<()> {
    match targets.iter().position(|t| !t.is_network()) {
        Some(index) => Err(invalid(
            format!("#/{list}/{index}/{}", targets[index].kind()),
            "only hostnames and networks (cidr) belong to an operator",
        )),
        None => Ok(()),
    }
}

/// A time at the precision the database keeps (microseconds), so what is returned equals what
/// is read back later.
fn stored(ts: Timestamp) -> Timestamp {
    clearinghouse_domain::time::from_micros(clearinghouse_domain::time::to_micros(ts))
}

fn window(start: Timestamp, end: Timestamp, now: Timestamp) -> Result<Window> {
    let window = Window::new(stored(start), stored(end))
        .map_err(|e| invalid("#/end", format!("the window {e}")))?;
    if window.end <= now {
        return Err(invalid("#/end", "the window is already over"));
    }
    Ok(window)
}

fn optional_text(field: &str, value: Option<String>, max: usize) -> Result<Option<String>> {
    let Some(value) = value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if value.chars().count() > max || value.chars().any(|c| c.is_control() && c != '\n') {
        return Err(invalid(
            format!("#/{field}"),
            format!("at most {max} printable characters"),
        ));
    }
    Ok(Some(value))
}

fn rate(field: &str, rate: u32) -> Result<u32> {
    if (1..=MAX_RATE).contains(&rate) {
        Ok(rate)
    } else {
        Err(invalid(
            format!("#/{field}"),
            format!("between 1 and {MAX_RATE} requests per second"),
        ))
    }
}

fn overlap_error(err: OverlapError) -> Error {
    match err {
        OverlapError::BadLead(why) => invalid("#/lead", why),
        other => invalid("#/overlap", other.to_string()),
    }
}

/// The state the campaign decisions read, owned.
struct Snapshot {
    generation: i64,
    ranges: Vec<NetworkRange>,
    authorizations: Vec<ScanAuthorization>,
    blackouts: Vec<Blackout>,
    names: HashMap<OrgId, String>,
}

impl Snapshot {
    fn landscape(&self) -> Landscape<'_> {
        Landscape {
            ranges: &self.ranges,
            authorizations: &self.authorizations,
            blackouts: &self.blackouts,
            names: &self.names,
        }
    }
}

impl App {
    /// Names of organizations (a `Vec`, not an iterator: the future must stay `Send`).
    pub(crate) async fn org_names(&self, ids: Vec<OrgId>) -> Result<HashMap<OrgId, String>> {
        let mut names = HashMap::new();
        for id in ids {
            if let std::collections::hash_map::Entry::Vacant(slot) = names.entry(id)
                && let Some(org) = self.store.org(id).await?
            {
                slot.insert(org.name);
            }
        }
        Ok(names)
    }

    /// Reads the generation first, then the state: a write landing in between changes the
    /// generation, so the commit that follows is refused and the decision made again.
    async fn snapshot(&self, finders: &[OrgId]) -> Result<Snapshot> {
        let generation = self.store.campaign_generation().await?;
        let ranges = self.store.network_ranges(None).await?;
        let mut authorizations = Vec::new();
        for finder in finders {
            authorizations.extend(
                self.store
                    .scan_authorizations(AuthorizationParty::Finder(*finder))
                    .await?,
            );
        }
        let blackouts = self.store.blackouts(None).await?;
        let names = self
            .org_names(authorizations.iter().map(|a| a.operator).collect())
            .await?;
        Ok(Snapshot {
            generation,
            ranges,
            authorizations,
            blackouts,
            names,
        })
    }

    // Network ranges.

    /// Registers a hostname or network an operator owns.
    pub async fn create_network_range(
        &self,
        actor: &Actor,
        org: OrgId,
        request: RangeRequest,
    ) -> Result<NetworkRange> {
        self.org(actor, org).await?;
        authorize(actor, &Action::ScanControlManage(org))?;
        let kind = request.target.kind();
        let target =
            Target::parse(&request.target).map_err(|e| invalid(format!("#/target/{kind}"), e.0))?;
        if !target.is_network() {
            return Err(invalid(
                format!("#/target/{kind}"),
                "an operator registers hostnames and networks (cidr)",
            ));
        }
        if let Some(asset) = request.asset {
            let owned = self.store.asset(asset).await?.is_some_and(|a| a.org == org);
            if !owned {
                return Err(invalid(
                    "#/asset_id",
                    format!("asset {asset} is not one of this operator's assets"),
                ));
            }
        }
        let range = NetworkRange {
            id: NetworkRangeId::generate(),
            org,
            target,
            asset: request.asset,
            label: optional_text("label", request.label, 200)?,
            created_by: actor.label(),
            created_at: clearinghouse_domain::time::now(),
        };
        let audit = AuditRecord::new(
            actor.label(),
            "network_range.create",
            format!("network_range:{}", range.id),
            json!({"org": org, "target": range.target, "asset": range.asset, "label": range.label}),
        );
        self.store.create_network_range(&range, &audit).await?;
        Ok(range)
    }

    /// An operator's registered ranges (its members only).
    pub async fn network_ranges(&self, actor: &Actor, org: OrgId) -> Result<Vec<NetworkRange>> {
        self.org(actor, org).await?;
        authorize(actor, &Action::NetworkRangeRead(org))?;
        Ok(self.store.network_ranges(Some(org)).await?)
    }

    /// One range.
    pub async fn network_range(&self, actor: &Actor, id: NetworkRangeId) -> Result<NetworkRange> {
        let not_found = || Error::NotFound(format!("network range {id}"));
        let range = self.store.network_range(id).await?.ok_or_else(not_found)?;
        authorize(actor, &Action::NetworkRangeRead(range.org)).map_err(|_| not_found())?;
        Ok(range)
    }

    /// Removes a range. Campaigns already authorized keep their record; checks from now on no
    /// longer see the operator as its owner.
    pub async fn delete_network_range(&self, actor: &Actor, id: NetworkRangeId) -> Result<()> {
        let range = self.network_range(actor, id).await?;
        authorize(actor, &Action::ScanControlManage(range.org))?;
        let audit = AuditRecord::new(
            actor.label(),
            "network_range.delete",
            format!("network_range:{id}"),
            json!({"org": range.org, "target": range.target}),
        );
        self.store
            .delete_network_range(id, &audit)
            .await?
            .ok_or_else(|| Error::NotFound(format!("network range {id}")))?;
        Ok(())
    }

    /// Checks that a scope lies inside the operator's registered ranges.
    async fn scope_inside_ranges(&self, org: OrgId, list: &str, scope: &[Target]) -> Result<()> {
        let ranges = self.store.network_ranges(Some(org)).await?;
        for (index, target) in scope.iter().enumerate() {
            if !target.covered_by_union(ranges.iter().map(|r| &r.target)) {
                return Err(invalid(
                    format!("#/{list}/{index}/{}", target.kind()),
                    format!("{target} is not inside the operator's registered network ranges"),
                ));
            }
        }
        Ok(())
    }

    // Scan authorizations.

    /// Records that a finder organization may scan part of the operator's ranges.
    pub async fn create_scan_authorization(
        &self,
        actor: &Actor,
        operator: OrgId,
        request: AuthorizationRequest,
    ) -> Result<ScanAuthorization> {
        self.org(actor, operator).await?;
        authorize(actor, &Action::ScanControlManage(operator))?;
        let finder =
            self.store.org(request.finder).await?.ok_or_else(|| {
                invalid("#/finder_id", format!("no organization {}", request.finder))
            })?;
        if finder.id == operator {
            return Err(invalid(
                "#/finder_id",
                "an organization does not authorize itself",
            ));
        }
        let scope = parse_targets("scope", &request.scope)?;
        if scope.is_empty() {
            return Err(invalid("#/scope", "name at least one hostname or network"));
        }
        network_only("scope", &scope)?;
        self.scope_inside_ranges(operator, "scope", &scope).await?;
        let now = clearinghouse_domain::time::now();
        let authorization = ScanAuthorization {
            id: ScanAuthorizationId::generate(),
            operator,
            finder: finder.id,
            scope,
            window: window(request.start, request.end, now)?,
            techniques: request.techniques,
            max_rate: rate("max_rate", request.max_rate)?,
            note: optional_text("note", request.note, 2000)?,
            created_by: actor.label(),
            created_at: now,
            revoked_at: None,
            revoked_by: None,
        };
        let audit = AuditRecord::new(
            actor.label(),
            "scan_authorization.create",
            format!("scan_authorization:{}", authorization.id),
            json!({
                "operator": operator,
                "finder": authorization.finder,
                "scope": authorization.scope,
                "window": authorization.window,
                "techniques": authorization.techniques,
                "max_rate": authorization.max_rate,
                "note": authorization.note,
            }),
        );
        self.store
            .create_scan_authorization(&authorization, &audit)
            .await?;
        Ok(authorization)
    }

    /// One authorization (the operator, the finder, analysts and administrators).
    pub async fn scan_authorization(
        &self,
        actor: &Actor,
        id: ScanAuthorizationId,
    ) -> Result<ScanAuthorization> {
        let not_found = || Error::NotFound(format!("scan authorization {id}"));
        let a = self
            .store
            .scan_authorization(id)
            .await?
            .ok_or_else(not_found)?;
        authorize(
            actor,
            &Action::ScanAuthorizationRead {
                operator: a.operator,
                finder: a.finder,
            },
        )
        .map_err(|_| not_found())?;
        Ok(a)
    }

    /// The authorizations an organization gave or received.
    pub async fn scan_authorizations(
        &self,
        actor: &Actor,
        org: OrgId,
    ) -> Result<Vec<ScanAuthorization>> {
        self.org(actor, org).await?;
        authorize(
            actor,
            &Action::ScanAuthorizationRead {
                operator: org,
                finder: org,
            },
        )?;
        Ok(self
            .store
            .scan_authorizations(AuthorizationParty::Either(org))
            .await?)
    }

    /// The names of both parties of each authorization the actor may read.
    pub async fn authorization_parties(
        &self,
        actor: &Actor,
        list: &[ScanAuthorization],
    ) -> Result<HashMap<OrgId, String>> {
        let ids = list
            .iter()
            .filter(|a| {
                authorize(
                    actor,
                    &Action::ScanAuthorizationRead {
                        operator: a.operator,
                        finder: a.finder,
                    },
                )
                .is_ok()
            })
            .flat_map(|a| [a.operator, a.finder])
            .collect();
        self.org_names(ids).await
    }

    /// Revokes an authorization at once: new checks and campaigns no longer rely on it.
    pub async fn revoke_scan_authorization(
        &self,
        actor: &Actor,
        id: ScanAuthorizationId,
    ) -> Result<ScanAuthorization> {
        let a = self.scan_authorization(actor, id).await?;
        authorize(actor, &Action::ScanControlManage(a.operator))?;
        if a.revoked_at.is_some() {
            return Ok(a);
        }
        let now = clearinghouse_domain::time::now();
        let audit = AuditRecord::new(
            actor.label(),
            "scan_authorization.revoke",
            format!("scan_authorization:{id}"),
            json!({"operator": a.operator, "finder": a.finder}),
        );
        self.store
            .revoke_scan_authorization(id, now, &actor.label(), &audit)
            .await?;
        Ok(ScanAuthorization {
            revoked_at: Some(now),
            revoked_by: Some(actor.label()),
            ..a
        })
    }

    // Blackouts.

    /// Records a blackout.
    pub async fn create_blackout(
        &self,
        actor: &Actor,
        operator: OrgId,
        request: BlackoutRequest,
    ) -> Result<Blackout> {
        self.org(actor, operator).await?;
        authorize(actor, &Action::ScanControlManage(operator))?;
        let scope = parse_targets("scope", &request.scope)?;
        network_only("scope", &scope)?;
        self.scope_inside_ranges(operator, "scope", &scope).await?;
        let reason = optional_text("reason", Some(request.reason), 500)?
            .ok_or_else(|| invalid("#/reason", "say why (finders see it in refusals)"))?;
        let now = clearinghouse_domain::time::now();
        let blackout = Blackout {
            id: BlackoutId::generate(),
            operator,
            scope,
            window: window(request.start, request.end, now)?,
            reason,
            created_by: actor.label(),
            created_at: now,
            revoked_at: None,
            revoked_by: None,
        };
        let audit = AuditRecord::new(
            actor.label(),
            "blackout.create",
            format!("blackout:{}", blackout.id),
            json!({"operator": operator, "scope": blackout.scope, "window": blackout.window, "reason": blackout.reason}),
        );
        self.store.create_blackout(&blackout, &audit).await?;
        Ok(blackout)
    }

    /// An operator's blackouts.
    pub async fn blackouts(&self, actor: &Actor, operator: OrgId) -> Result<Vec<Blackout>> {
        self.org(actor, operator).await?;
        authorize(actor, &Action::BlackoutRead(operator))?;
        Ok(self.store.blackouts(Some(operator)).await?)
    }

    /// Lifts a blackout.
    pub async fn revoke_blackout(&self, actor: &Actor, id: BlackoutId) -> Result<Blackout> {
        let not_found = || Error::NotFound(format!("blackout {id}"));
        let b = self.store.blackout(id).await?.ok_or_else(not_found)?;
        authorize(actor, &Action::BlackoutRead(b.operator)).map_err(|_| not_found())?;
        authorize(actor, &Action::ScanControlManage(b.operator))?;
        if b.revoked_at.is_some() {
            return Ok(b);
        }
        let now = clearinghouse_domain::time::now();
        let audit = AuditRecord::new(
            actor.label(),
            "blackout.revoke",
            format!("blackout:{id}"),
            json!({"operator": b.operator}),
        );
        self.store
            .revoke_blackout(id, now, &actor.label(), &audit)
            .await?;
        Ok(Blackout {
            revoked_at: Some(now),
            revoked_by: Some(actor.label()),
            ..b
        })
    }

    // Campaigns.

    /// The finder organization a request acts for.
    fn finder_org(actor: &Actor, requested: Option<OrgId>) -> Result<OrgId> {
        if let Some(org) = requested {
            return Ok(org);
        }
        let mut orgs: Vec<OrgId> = actor
            .grants()
            .iter()
            .filter(|g| g.role == Role::Finder)
            .map(|g| g.org)
            .collect();
        orgs.dedup();
        match orgs.as_slice() {
            [org] => Ok(*org),
            [] => Err(Error::Denied(clearinghouse_domain::authz::Denied(
                "only finders declare campaigns",
            ))),
            _ => Err(invalid(
                "#/finder_id",
                "you are a finder in several organizations; name the one this campaign is for",
            )),
        }
    }

    /// Declares a campaign. Its network targets must be covered, for the whole window, by an
    /// unrevoked authorization from every operator that owns them, and touch no blackout;
    /// otherwise it is refused with the reason per target and nothing is stored. Overlaps with
    /// other finders' live campaigns are recorded and both finders told, in the same transaction.
    pub async fn create_campaign(
        &self,
        actor: &Actor,
        request: CampaignRequest,
    ) -> Result<CreatedCampaign> {
        let finder = Self::finder_org(actor, request.finder)?;
        authorize(actor, &Action::CampaignDeclare(finder))?;
        let finder_org = self
            .store
            .org(finder)
            .await?
            .ok_or_else(|| invalid("#/finder_id", format!("no organization {finder}")))?;
        let name = clearinghouse_domain::participant::NewOrganization::parse(
            &request.name,
            clearinghouse_domain::OrgKind::Vendor,
            None,
        )
        .map(|n| n.name().to_owned())
        .map_err(|_| invalid("#/name", "must be 1 to 200 printable characters"))?;
        let tool = Tool::parse(&request.tool_name, &request.tool_version).map_err(Error::from)?;
        if request.targets.is_empty() {
            return Err(invalid("#/targets", "name at least one target"));
        }
        let targets = parse_targets("targets", &request.targets)?;
        let rate_limit = rate("rate_limit", request.rate_limit)?;
        let now = clearinghouse_domain::time::now();
        let window = window(request.start, request.end, now)?;
        if window.start < now - START_SLACK {
            return Err(invalid(
                "#/start",
                "a campaign is declared before it starts (at most 10 minutes late)",
            ));
        }
        for _ in 0..DECISION_ATTEMPTS {
            let snapshot = self.snapshot(&[finder]).await?;
            let covered = plan::authorize_targets(
                finder,
                &targets,
                &window,
                request.technique,
                rate_limit,
                &snapshot.landscape(),
            )
            .map_err(|refusals| {
                Error::Refused(
                    refusals
                        .into_iter()
                        .map(|r| (format!("#/targets/{}/{}", r.index, r.kind), r.message))
                        .collect(),
                )
            })?;
            let campaign = Campaign {
                id: CampaignId::generate(),
                finder,
                name: name.clone(),
                targets: covered,
                technique: request.technique,
                tool: tool.clone(),
                window,
                rate_limit,
                created_by: actor.label(),
                created_at: now,
                cancelled_at: None,
                cancelled_by: None,
            };
            let live = self.store.live_campaigns(now).await?;
            let overlaps = plan::detect_overlaps(&campaign, &live, now);
            let mut all = live;
            all.push(campaign.clone());
            let names = self
                .org_names(overlaps.iter().flat_map(|o| o.finders()).collect())
                .await?;
            let events = overlap_events(&overlaps, &all, &names, "campaign.overlap", now);
            let audit = AuditRecord::new(
                actor.label(),
                "campaign.create",
                format!("campaign:{}", campaign.id),
                json!({
                    "finder": finder,
                    "name": campaign.name,
                    "targets": campaign.targets,
                    "technique": campaign.technique,
                    "tool": campaign.tool,
                    "window": campaign.window,
                    "rate_limit": campaign.rate_limit,
                    "overlaps": overlaps.iter().map(|o| json!({"id": o.id, "with": o.other(campaign.id), "shared": o.shared})).collect::<Vec<_>>(),
                }),
            );
            let stored = self
                .store
                .create_campaign(&campaign, &overlaps, &events, snapshot.generation, &audit)
                .await?;
            if stored.is_none() {
                continue;
            }
            let views = overlaps
                .into_iter()
                .map(|o| overlap_view(o, &all, &names))
                .collect();
            let operator_names = self.org_names(campaign.operators()).await?;
            let statuses = target_statuses(&campaign, &snapshot.landscape(), now);
            return Ok(CreatedCampaign {
                campaign: CampaignView {
                    campaign,
                    finder_name: finder_org.name,
                    operator_names,
                    target_status: statuses,
                },
                overlaps: views,
            });
        }
        Err(Error::Busy(
            "campaign state kept changing while the campaign was being decided",
        ))
    }

    /// Reads a campaign the actor may see; anything else is not found.
    async fn visible_campaign(&self, actor: &Actor, id: CampaignId) -> Result<Campaign> {
        let not_found = || Error::NotFound(format!("campaign {id}"));
        let campaign = self.store.campaign(id).await?.ok_or_else(not_found)?;
        authorize(
            actor,
            &Action::CampaignRead {
                campaign: id,
                finder: campaign.finder,
                operators: campaign.operators(),
            },
        )
        .map_err(|_| not_found())?;
        Ok(campaign)
    }

    /// Leaves out the covers of operators a reader who is only a targeted operator may not
    /// learn about (other operators sharing a target).
    async fn view(&self, actor: &Actor, campaign: Campaign) -> Result<CampaignView> {
        let snapshot = self.snapshot(&[campaign.finder]).await?;
        self.view_in(actor, campaign, &snapshot).await
    }

    /// `view` with the finder's snapshot already read (lists read one per finder).
    async fn view_in(
        &self,
        actor: &Actor,
        mut campaign: Campaign,
        snapshot: &Snapshot,
    ) -> Result<CampaignView> {
        let party = actor.is_member_of(campaign.finder)
            || authorize(actor, &Action::OverlapDecide).is_ok()
            || actor.campaign_scope() == Some(campaign.id);
        if !party {
            for target in &mut campaign.targets {
                target.covers.retain(|c| actor.is_member_of(c.operator));
            }
        }
        let now = clearinghouse_domain::time::now();
        let mut statuses = target_statuses(&campaign, &snapshot.landscape(), now);
        if !party {
            // The reasons may name other operators; an operator sees only whether it holds.
            for status in statuses.iter_mut().flatten() {
                if status.is_err() {
                    *status =
                        Err("not authorized by every owner for the rest of its window".into());
                }
            }
        }
        let finder_name = self
            .org_names(vec![campaign.finder])
            .await?
            .remove(&campaign.finder)
            .unwrap_or_default();
        let operator_names = self
            .org_names(
                campaign
                    .targets
                    .iter()
                    .flat_map(|t| t.covers.iter().map(|c| c.operator))
                    .collect(),
            )
            .await?;
        Ok(CampaignView {
            campaign,
            finder_name,
            operator_names,
            target_status: statuses,
        })
    }

    /// One campaign: its finder, the operators it targets, analysts and administrators (and a
    /// token bound to it).
    pub async fn campaign(&self, actor: &Actor, id: CampaignId) -> Result<CampaignView> {
        let campaign = self.visible_campaign(actor, id).await?;
        self.view(actor, campaign).await
    }

    /// Campaigns the actor may see whose window meets `during`.
    pub async fn campaigns(
        &self,
        actor: &Actor,
        during: Option<Window>,
        page: &PageRequest,
    ) -> Result<Page<CampaignView>> {
        authorize(actor, &Action::CampaignList)?;
        let found = self
            .store
            .campaigns(&campaign_scope(actor), during, page)
            .await?;
        let mut items = Vec::with_capacity(found.items.len());
        let mut snapshots: HashMap<OrgId, Snapshot> = HashMap::new();
        for campaign in found.items {
            if let std::collections::hash_map::Entry::Vacant(slot) =
                snapshots.entry(campaign.finder)
            {
                slot.insert(self.snapshot(&[campaign.finder]).await?);
            }
            let snapshot = &snapshots[&campaign.finder];
            items.push(self.view_in(actor, campaign, snapshot).await?);
        }
        Ok(Page {
            items,
            next_cursor: found.next_cursor,
        })
    }

    /// For other services (findings): the campaign, if it exists, was declared by `org` and the
    /// actor may see it; not found otherwise.
    pub async fn campaign_for_provenance(
        &self,
        actor: &Actor,
        id: CampaignId,
        org: OrgId,
    ) -> Result<Campaign> {
        let campaign = self.visible_campaign(actor, id).await?;
        if campaign.finder != org {
            return Err(Error::NotFound(format!(
                "campaign {id} of organization {org}"
            )));
        }
        Ok(campaign)
    }

    /// Cancels a campaign (its finder organization). Its overlaps stay on record.
    pub async fn cancel_campaign(&self, actor: &Actor, id: CampaignId) -> Result<CampaignView> {
        let campaign = self.visible_campaign(actor, id).await?;
        authorize(actor, &Action::CampaignManage(campaign.finder))?;
        if campaign.cancelled_at.is_some() {
            return self.view(actor, campaign).await;
        }
        let now = clearinghouse_domain::time::now();
        let audit = AuditRecord::new(
            actor.label(),
            "campaign.cancel",
            format!("campaign:{id}"),
            json!({"finder": campaign.finder}),
        );
        self.store
            .cancel_campaign(id, now, &actor.label(), &audit)
            .await?;
        let campaign = Campaign {
            cancelled_at: Some(now),
            cancelled_by: Some(actor.label()),
            ..campaign
        };
        self.view(actor, campaign).await
    }

    /// Creates a token bound to one campaign, for the scanning agent: it may only check targets
    /// and read the campaign, and expires no later than the campaign's window.
    pub async fn create_campaign_token(
        &self,
        actor: &Actor,
        id: CampaignId,
        name: &str,
        expires_at: Option<Timestamp>,
    ) -> Result<CreatedToken> {
        let campaign = self.visible_campaign(actor, id).await?;
        authorize(actor, &Action::CampaignManage(campaign.finder))?;
        let now = clearinghouse_domain::time::now();
        if !campaign.is_live(now) {
            return Err(invalid(
                "#/campaign",
                "the campaign is cancelled or its window is over",
            ));
        }
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
            return Err(invalid("#/name", "must be 1 to 100 printable characters"));
        }
        let expires_at =
            expires_at.map_or(campaign.window.end, |e| stored(e).min(campaign.window.end));
        if expires_at <= now {
            return Err(invalid("#/expires_at", "must be in the future"));
        }
        let secret = new_secret(TOKEN_PREFIX);
        let info = TokenInfo {
            id: TokenId::generate(),
            org_id: campaign.finder,
            person_id: actor.person_id(),
            name: name.to_owned(),
            role: Role::Finder,
            prefix: secret.chars().take(TOKEN_PREFIX.len() + 6).collect(),
            created_at: now,
            expires_at: Some(expires_at),
            revoked_at: None,
            campaign: Some(id),
        };
        let audit = AuditRecord::new(
            actor.label(),
            "token.create",
            format!("token:{}", info.id),
            json!({
                "org": info.org_id,
                "role": info.role,
                "name": info.name,
                "campaign": id,
                "expires_at": expires_at.to_string(),
                "secret": self.keys.keyed_digest(secret.as_bytes()),
            }),
        );
        self.store
            .create_token(
                &NewToken {
                    info: info.clone(),
                    secret_hash: secret_hash(&secret),
                },
                &audit,
            )
            .await?;
        Ok(CreatedToken { info, secret })
    }

    /// May `target` be scanned at `at` (default now), and under which campaign? A campaign token
    /// answers for its campaign only; anyone else with the finder role for their organizations'
    /// campaigns (or the one named).
    pub async fn check_target(
        &self,
        actor: &Actor,
        target: &str,
        at: Option<Timestamp>,
        campaign: Option<CampaignId>,
    ) -> Result<CheckResult> {
        authorize(actor, &Action::ScanCheck)?;
        let input = TargetInput::guess(target);
        let target = Target::parse(&input).map_err(|e| invalid("#/query/target", e.0))?;
        let at = at.map_or_else(clearinghouse_domain::time::now, stored);
        let campaigns: Vec<Campaign> = match (actor.campaign_scope(), campaign) {
            (Some(bound), Some(asked)) if bound != asked => {
                return Err(invalid(
                    "#/query/campaign",
                    format!("this token is bound to campaign {bound}"),
                ));
            }
            (Some(id), _) => vec![self.visible_campaign(actor, id).await?],
            (None, Some(id)) => {
                // Only a campaign of an organization the actor is a finder in answers for it.
                let campaign = self.visible_campaign(actor, id).await?;
                if !actor.has_role_in(campaign.finder, Role::Finder) {
                    return Err(Error::NotFound(format!("campaign {id}")));
                }
                vec![campaign]
            }
            (None, None) => {
                let finders: Vec<OrgId> = actor
                    .grants()
                    .iter()
                    .filter(|g| g.role == Role::Finder)
                    .map(|g| g.org)
                    .collect();
                let mut found = Vec::new();
                let mut cursor = None;
                loop {
                    let page = self
                        .store
                        .campaigns(
                            &clearinghouse_domain::authz::CampaignScope::Orgs(finders.clone()),
                            Some(Window::instant(at)),
                            &PageRequest::new(cursor, Some(500)),
                        )
                        .await?;
                    found.extend(
                        page.items
                            .into_iter()
                            .filter(|c| finders.contains(&c.finder) && c.cancelled_at.is_none()),
                    );
                    match page.next_cursor {
                        Some(next) => cursor = Some(next),
                        None => break,
                    }
                }
                found
            }
        };
        let mut finders: Vec<OrgId> = campaigns.iter().map(|c| c.finder).collect();
        finders.sort();
        finders.dedup();
        let snapshot = self.snapshot(&finders).await?;
        let answer = plan::check(&target, at, &campaigns, &snapshot.landscape());
        let campaign_name = answer
            .campaign
            .and_then(|id| campaigns.iter().find(|c| c.id == id))
            .map(|c| c.name.clone());
        Ok(CheckResult {
            answer,
            campaign_name,
        })
    }

    // Overlaps.

    async fn overlap_views(&self, overlaps: Vec<Overlap>) -> Result<Vec<OverlapView>> {
        let mut campaigns = Vec::new();
        for o in &overlaps {
            for id in [o.first, o.second] {
                if !campaigns.iter().any(|c: &Campaign| c.id == id)
                    && let Some(c) = self.store.campaign(id).await?
                {
                    campaigns.push(c);
                }
            }
        }
        let names = self
            .org_names(overlaps.iter().flat_map(|o| o.finders()).collect())
            .await?;
        Ok(overlaps
            .into_iter()
            .map(|o| overlap_view(o, &campaigns, &names))
            .collect())
    }

    /// The overlaps of a campaign the actor may see (both finders, analysts, administrators).
    pub async fn campaign_overlaps(
        &self,
        actor: &Actor,
        id: CampaignId,
    ) -> Result<Vec<OverlapView>> {
        self.visible_campaign(actor, id).await?;
        // A list, which a campaign token may not read.
        authorize(actor, &Action::CampaignList)?;
        let overlaps = self
            .store
            .overlaps_of(&[id])
            .await?
            .into_iter()
            .filter(|o| authorize(actor, &Action::OverlapRead(o.finders())).is_ok())
            .collect();
        self.overlap_views(overlaps).await
    }

    /// The overlaps among campaigns the actor may see (for the calendar).
    pub async fn overlaps_among(
        &self,
        actor: &Actor,
        campaigns: &[CampaignId],
    ) -> Result<Vec<OverlapView>> {
        authorize(actor, &Action::CampaignList)?;
        let overlaps = self
            .store
            .overlaps_of(campaigns)
            .await?
            .into_iter()
            .filter(|o| authorize(actor, &Action::OverlapRead(o.finders())).is_ok())
            .collect();
        self.overlap_views(overlaps).await
    }

    /// One overlap.
    pub async fn overlap(&self, actor: &Actor, id: OverlapId) -> Result<OverlapView> {
        let not_found = || Error::NotFound(format!("overlap {id}"));
        let overlap = self.store.overlap(id).await?.ok_or_else(not_found)?;
        authorize(actor, &Action::OverlapRead(overlap.finders())).map_err(|_| not_found())?;
        self.overlap_views(vec![overlap])
            .await?
            .pop()
            .ok_or_else(not_found)
    }

    /// A finder of either campaign proposes a resolution (the other accepts it); an analyst or
    /// administrator who is neither decides it at once.
    pub async fn resolve_overlap(
        &self,
        actor: &Actor,
        id: OverlapId,
        kind: ResolutionKind,
        lead: Option<CampaignId>,
    ) -> Result<OverlapView> {
        let current = self.overlap(actor, id).await?.overlap;
        let party = current
            .finders()
            .into_iter()
            .find(|org| authorize(actor, &Action::OverlapNegotiate([*org, *org])).is_ok());
        let intent = match party {
            Some(org) => Intent::Propose { org, kind, lead },
            None => {
                authorize(actor, &Action::OverlapDecide)?;
                Intent::Decide { kind, lead }
            }
        };
        self.change_overlap(actor, id, intent).await
    }

    /// The other finder accepts the open proposal.
    pub async fn accept_overlap(&self, actor: &Actor, id: OverlapId) -> Result<OverlapView> {
        let current = self.overlap(actor, id).await?.overlap;
        authorize(actor, &Action::OverlapNegotiate(current.finders()))?;
        let org = current
            .acceptor()
            .filter(|org| authorize(actor, &Action::OverlapNegotiate([*org, *org])).is_ok())
            .or_else(|| {
                current
                    .finders()
                    .into_iter()
                    .find(|org| actor.is_member_of(*org))
            })
            .ok_or_else(|| overlap_error(OverlapError::NotYours("not one of the two finders")))?;
        self.change_overlap(actor, id, Intent::Accept { org }).await
    }

    /// Applies one step to an overlap: a proposal changes it in place; an acceptance or a
    /// decision resolves it, and a stagger moves the later campaign (re-authorized for its new
    /// window, its new overlaps detected). Commits on an unchanged generation, else decides again.
    async fn change_overlap(
        &self,
        actor: &Actor,
        id: OverlapId,
        intent: Intent,
    ) -> Result<OverlapView> {
        let not_found = || Error::NotFound(format!("overlap {id}"));
        let label = actor.label();
        for _ in 0..DECISION_ATTEMPTS {
            let now = clearinghouse_domain::time::now();
            let mut generation = self.store.campaign_generation().await?;
            let mut overlap = self.store.overlap(id).await?.ok_or_else(not_found)?;
            let (Some(first), Some(second)) = (
                self.store.campaign(overlap.first).await?,
                self.store.campaign(overlap.second).await?,
            ) else {
                return Err(not_found());
            };
            // What the step resolves to, validated before anything moves.
            let resolves = match intent {
                Intent::Propose { org, kind, lead } => {
                    overlap
                        .propose(org, &label, kind, lead, now)
                        .map_err(overlap_error)?;
                    None
                }
                Intent::Accept { org } => {
                    let mut probe = overlap.clone();
                    probe
                        .accept(org, &label, None, now)
                        .map_err(overlap_error)?;
                    probe.resolution.map(|r| (r.kind, r.lead))
                }
                Intent::Decide { kind, lead } => {
                    let mut probe = overlap.clone();
                    probe
                        .decide(&label, kind, lead, None, now)
                        .map_err(overlap_error)?;
                    Some((kind, lead))
                }
            };
            let mut moved_campaign = None;
            let mut new_overlaps = Vec::new();
            if let Some((kind, _)) = resolves {
                let moved = if kind == ResolutionKind::Stagger {
                    let moved = plan::stagger(&first, &second);
                    let (campaign, found, read_at) = self.restagger(&second, &moved, now).await?;
                    generation = generation.min(read_at);
                    moved_campaign = Some(campaign);
                    new_overlaps = found;
                    Some(moved)
                } else {
                    None
                };
                match intent {
                    Intent::Accept { org } => overlap.accept(org, &label, moved, now),
                    Intent::Decide { kind, lead } => overlap.decide(&label, kind, lead, moved, now),
                    Intent::Propose { .. } => unreachable_proposal(),
                }
                .map_err(overlap_error)?;
            }
            let mut campaigns = vec![first, second];
            if let Some(moved) = &moved_campaign {
                campaigns.retain(|c| c.id != moved.id);
                campaigns.push(moved.clone());
            }
            for n in &new_overlaps {
                for cid in [n.first, n.second] {
                    if !campaigns.iter().any(|c| c.id == cid)
                        && let Some(c) = self.store.campaign(cid).await?
                    {
                        campaigns.push(c);
                    }
                }
            }
            let names = self
                .org_names(
                    std::iter::once(&overlap)
                        .chain(new_overlaps.iter())
                        .flat_map(|o| o.finders())
                        .collect(),
                )
                .await?;
            let (mut events, action) = if resolves.is_some() {
                (
                    overlap_events(
                        std::slice::from_ref(&overlap),
                        &campaigns,
                        &names,
                        "campaign.overlap.resolved",
                        now,
                    ),
                    "overlap.resolve",
                )
            } else {
                let recipients: Vec<OrgId> = overlap.acceptor().into_iter().collect();
                (
                    overlap_events_to(
                        &overlap,
                        &campaigns,
                        &names,
                        "campaign.overlap.proposed",
                        now,
                        &recipients,
                    ),
                    "overlap.propose",
                )
            };
            events.extend(overlap_events(
                &new_overlaps,
                &campaigns,
                &names,
                "campaign.overlap",
                now,
            ));
            let audit = AuditRecord::new(
                label.clone(),
                action,
                format!("overlap:{id}"),
                json!({
                    "step": overlap.steps.last(),
                    "resolution": overlap.resolution,
                    "new_overlaps": new_overlaps.iter().map(|o| json!({"id": o.id, "first": o.first, "second": o.second})).collect::<Vec<_>>(),
                }),
            );
            let stored = self
                .store
                .update_overlap(
                    &overlap,
                    moved_campaign.as_ref(),
                    &new_overlaps,
                    &events,
                    generation,
                    &audit,
                )
                .await?;
            if stored.is_some() {
                return Ok(overlap_view(overlap, &campaigns, &names));
            }
        }
        Err(Error::Busy(
            "campaign state kept changing while the overlap was being resolved",
        ))
    }

    /// The later campaign with its staggered window, re-authorized for it, and its overlaps in
    /// the new window (pairs already on record left out), with the generation they were read at.
    async fn restagger(
        &self,
        later: &Campaign,
        moved: &Moved,
        now: Timestamp,
    ) -> Result<(Campaign, Vec<Overlap>, i64)> {
        let snapshot = self.snapshot(&[later.finder]).await?;
        let targets: Vec<Target> = later.targets.iter().map(|t| t.target.clone()).collect();
        let covered = plan::authorize_targets(
            later.finder,
            &targets,
            &moved.to,
            later.technique,
            later.rate_limit,
            &snapshot.landscape(),
        )
        .map_err(|refusals| {
            Error::Refused(
                refusals
                    .into_iter()
                    .map(|r| {
                        (
                            "#/kind".to_owned(),
                            format!(
                                "staggering would move campaign {:?} to {} to {}, but its target {}: {}",
                                later.name,
                                moved.to.start,
                                moved.to.end,
                                targets[r.index],
                                r.message
                            ),
                        )
                    })
                    .collect(),
            )
        })?;
        let campaign = Campaign {
            targets: covered,
            window: moved.to,
            ..later.clone()
        };
        let known: Vec<(CampaignId, CampaignId)> = self
            .store
            .overlaps_of(&[later.id])
            .await?
            .iter()
            .map(|o| (o.first, o.second))
            .collect();
        let live = self.store.live_campaigns(now).await?;
        let found = plan::detect_overlaps(&campaign, &live, now)
            .into_iter()
            .filter(|o| !known.contains(&(o.first, o.second)))
            .collect();
        Ok((campaign, found, snapshot.generation))
    }
}

/// One step on an overlap.
#[derive(Clone, Copy, Debug)]
enum Intent {
    /// A finder proposes.
    Propose {
        org: OrgId,
        kind: ResolutionKind,
        lead: Option<CampaignId>,
    },
    /// The other finder accepts the open proposal.
    Accept { org: OrgId },
    /// An analyst decides.
    Decide {
        kind: ResolutionKind,
        lead: Option<CampaignId>,
    },
}

/// A proposal never resolves an overlap, so it never reaches the resolving branch.
fn unreachable_proposal()
-> std::result::Result<clearinghouse_domain::campaign::Resolution, OverlapError> {
    Err(OverlapError::NotYours(
        "a proposal does not resolve an overlap",
    ))
}

/// The status of each network target for the rest of the campaign's window.
fn target_statuses(
    campaign: &Campaign,
    landscape: &Landscape<'_>,
    now: Timestamp,
) -> Vec<Option<std::result::Result<(), String>>> {
    let rest = Window {
        start: campaign.window.start.max(now),
        end: campaign.window.end,
    };
    campaign
        .targets
        .iter()
        .map(|t: &CampaignTarget| {
            if !t.target.is_network() {
                return None;
            }
            if campaign.cancelled_at.is_some() {
                return Some(Err("the campaign was cancelled".into()));
            }
            if rest.start >= rest.end {
                return Some(Err("the campaign's window is over".into()));
            }
            Some(
                plan::cover_network_target(
                    campaign.finder,
                    &t.target,
                    &rest,
                    campaign.technique,
                    campaign.rate_limit,
                    landscape,
                )
                .map(|_| ())
                .map_err(|d| d.message().to_owned()),
            )
        })
        .collect()
}

fn campaign_name(campaigns: &[Campaign], id: CampaignId) -> String {
    campaigns
        .iter()
        .find(|c| c.id == id)
        .map_or_else(|| id.to_string(), |c| c.name.clone())
}

fn overlap_view(
    overlap: Overlap,
    campaigns: &[Campaign],
    names: &HashMap<OrgId, String>,
) -> OverlapView {
    let name = |org: OrgId| names.get(&org).cloned().unwrap_or_else(|| org.to_string());
    OverlapView {
        first_name: campaign_name(campaigns, overlap.first),
        second_name: campaign_name(campaigns, overlap.second),
        first_finder_name: name(overlap.first_finder),
        second_finder_name: name(overlap.second_finder),
        overlap,
    }
}

/// One event per finder of each overlap.
fn overlap_events(
    overlaps: &[Overlap],
    campaigns: &[Campaign],
    names: &HashMap<OrgId, String>,
    kind: &str,
    now: Timestamp,
) -> Vec<Event> {
    overlaps
        .iter()
        .flat_map(|o| overlap_events_to(o, campaigns, names, kind, now, &o.finders()))
        .collect()
}

/// An event about an overlap for each recipient finder organization: self-contained (names,
/// shared targets, window, proposal or resolution), so webhooks and e-mails need no lookup.
fn overlap_events_to(
    o: &Overlap,
    campaigns: &[Campaign],
    names: &HashMap<OrgId, String>,
    kind: &str,
    now: Timestamp,
    recipients: &[OrgId],
) -> Vec<Event> {
    let name = |org: OrgId| names.get(&org).cloned().unwrap_or_else(|| org.to_string());
    recipients
        .iter()
        .map(|org| {
            let (mine, theirs, their_finder) = if *org == o.first_finder {
                (o.first, o.second, o.second_finder)
            } else {
                (o.second, o.first, o.first_finder)
            };
            Event {
                id: uuid::Uuid::now_v7().to_string(),
                org: *org,
                kind: kind.to_owned(),
                payload: json!({
                    "organization": org,
                    "overlap": o.id,
                    "campaign": {"id": mine, "name": campaign_name(campaigns, mine)},
                    "other_campaign": {"id": theirs, "name": campaign_name(campaigns, theirs)},
                    "other_finder": {"id": their_finder, "name": name(their_finder)},
                    "shared": o.shared,
                    "window": o.window,
                    "proposal": o.proposal,
                    "resolution": o.resolution,
                }),
                created_at: now,
            }
        })
        .collect()
}

/// The human notice of a `campaign.*` event (webhooks carry the payload, e-mail and digests this
/// text); `None` for other kinds.
pub(crate) fn event_notice(
    event: &clearinghouse_domain::notify::Event,
    base_url: Option<&str>,
) -> Option<Notice> {
    if !event.kind.starts_with("campaign.") {
        return None;
    }
    let p = &event.payload;
    let text_of = |v: &serde_json::Value| v.as_str().unwrap_or("?").to_owned();
    let mine = text_of(&p["campaign"]["name"]);
    let theirs = text_of(&p["other_campaign"]["name"]);
    let finder = text_of(&p["other_finder"]["name"]);
    let shared: Vec<String> = p["shared"]
        .as_array()
        .map(|list| {
            list.iter()
                .filter_map(|t| {
                    t.as_object()
                        .and_then(|o| o.values().next())
                        .and_then(|v| v.as_str())
                })
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let window = format!(
        "{} to {}",
        text_of(&p["window"]["start"]),
        text_of(&p["window"]["end"])
    );
    let describe = |r: &serde_json::Value| -> String {
        let kind = r["kind"].as_str().unwrap_or("?");
        match kind {
            "lead" => {
                let lead = r["lead"].as_str().unwrap_or_default();
                let leader = if lead == p["campaign"]["id"].as_str().unwrap_or_default() {
                    &mine
                } else {
                    &theirs
                };
                format!("{leader} leads; the other defers its findings to it")
            }
            "share" => "both proceed and share findings".to_owned(),
            "stagger" => match r.get("moved").filter(|m| !m.is_null()) {
                Some(m) => format!(
                    "staggered: the later campaign moved from {} – {} to {} – {}",
                    text_of(&m["from"]["start"]),
                    text_of(&m["from"]["end"]),
                    text_of(&m["to"]["start"]),
                    text_of(&m["to"]["end"])
                ),
                None => "the later campaign starts when the earlier ends".to_owned(),
            },
            other => other.to_owned(),
        }
    };
    let (subject, text) = match event.kind.as_str() {
        "campaign.overlap" => (
            format!("Campaign overlap: {mine} and {theirs} ({finder})"),
            format!(
                "Your campaign {mine} and {finder}'s campaign {theirs} both target {} from {window}.\n\
                 Proposed: {}. Coordinate with {finder}: propose lead, share or stagger, or accept.",
                shared.join(", "),
                describe(&p["proposal"])
            ),
        ),
        "campaign.overlap.proposed" => (
            format!("{finder} proposes how to resolve the overlap of {mine} and {theirs}"),
            format!(
                "{finder} proposes: {}. Accept it, or propose another resolution.",
                describe(&p["proposal"])
            ),
        ),
        "campaign.overlap.resolved" => (
            format!("Overlap of {mine} and {theirs} resolved"),
            format!("Resolved: {}.", describe(&p["resolution"])),
        ),
        other => (format!("{other} event"), p.to_string()),
    };
    let link = match (base_url, p["campaign"]["id"].as_str()) {
        (Some(base), Some(id)) => Some(format!("{base}/campaigns/{id}")),
        _ => None,
    };
    Some(Notice {
        subject,
        text,
        link,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_lists_name_the_bad_entry() {
        let inputs = vec![
            TargetInput::Purl("pkg:npm/left-pad".into()),
            TargetInput::Cidr("10.0.0.0/8".into()),
            TargetInput::Cidr("10.0.0.300/8".into()),
        ];
        match parse_targets("targets", &inputs) {
            Err(Error::Invalid { field, .. }) => assert_eq!(field, "#/targets/2/cidr"),
            other => panic!("{other:?}"),
        }
        let duplicate = vec![
            TargetInput::Hostname("www.example.org".into()),
            TargetInput::Hostname("WWW.example.org.".into()),
        ];
        match parse_targets("targets", &duplicate) {
            Err(Error::Invalid { field, problem }) => {
                assert_eq!(field, "#/targets/1/hostname");
                assert!(problem.contains("/targets/0"), "{problem}");
            }
            other => panic!("{other:?}"),
        }
        let packages = parse_targets("scope", &inputs[..1]).expect("parses");
        assert!(network_only("scope", &packages).is_err());
    }

    #[test]
    fn overlap_notices_read_as_sentences() {
        let event = Event {
            id: "1".into(),
            org: OrgId::generate(),
            kind: "campaign.overlap".into(),
            payload: json!({
                "campaign": {"id": "a", "name": "Image parsers"},
                "other_campaign": {"id": "b", "name": "Pillow sweep"},
                "other_finder": {"id": "o", "name": "Frontier Labs"},
                "shared": [{"purl": "pkg:pypi/pillow"}],
                "window": {"start": "2026-12-01T00:00:00Z", "end": "2026-12-05T00:00:00Z"},
                "proposal": {"kind": "lead", "lead": "a", "by": null},
            }),
            created_at: clearinghouse_domain::time::now(),
        };
        let notice = event_notice(&event, Some("https://ch.example")).expect("campaign event");
        assert_eq!(
            notice.subject,
            "Campaign overlap: Image parsers and Pillow sweep (Frontier Labs)"
        );
        assert!(
            notice.text.contains(
                "both target pkg:pypi/pillow from 2026-12-01T00:00:00Z to 2026-12-05T00:00:00Z"
            ),
            "{}",
            notice.text
        );
        assert!(
            notice.text.contains("Image parsers leads"),
            "{}",
            notice.text
        );
        assert_eq!(
            notice.link.as_deref(),
            Some("https://ch.example/campaigns/a")
        );
    }
}
