//! The decisions about campaigns, as pure functions of recorded state and a time: whether a
//! campaign's network targets are authorized, which live campaigns it overlaps, and whether a
//! target may be scanned at an instant. The services read the state, call these, and store the
//! outcome in one transaction; the same state and time always give the same answer.
//!
//! Operators are named in refusals only to a finder that already knows them: one the operator
//! gave an authorization to (even a revoked one). Anyone else learns that "the owner" has not
//! authorized it, never who the owner is.

use std::collections::{BTreeMap, HashMap};

use jiff::Timestamp;

use super::{
    Blackout, Campaign, CampaignTarget, Moved, NetworkRange, Overlap, OverlapStep, Proposal,
    ResolutionKind, ScanAuthorization, StepAction, Target, TargetCover, Technique, Window,
};
use crate::ids::{BlackoutId, CampaignId, OrgId, OverlapId, ScanAuthorizationId};

/// The recorded state a decision depends on.
#[derive(Clone, Copy, Debug)]
pub struct Landscape<'a> {
    /// Every operator's registered ranges.
    pub ranges: &'a [NetworkRange],
    /// The authorizations given to the finder in question, in any state.
    pub authorizations: &'a [ScanAuthorization],
    /// Every operator's blackouts, in any state.
    pub blackouts: &'a [Blackout],
    /// Organization names (only shown where the finder may know them).
    pub names: &'a HashMap<OrgId, String>,
}

/// Why one target of a campaign was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// Its position in the campaign's target list.
    pub index: usize,
    /// Its kind (`cidr`, `hostname`), for the JSON pointer `/targets/{index}/{kind}`.
    pub kind: &'static str,
    /// What is missing, naming the target and, where the finder may know it, the operator.
    pub message: String,
}

/// Why a network target may not be scanned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Denial {
    /// No authorization, not registered, rate or technique not allowed.
    Unauthorized(String),
    /// An owner's blackout is in force.
    Blackout {
        /// The blackout.
        id: BlackoutId,
        /// When it is in force, within the window asked about.
        window: Window,
        /// The explanation.
        message: String,
    },
}

impl Denial {
    /// The explanation.
    pub fn message(&self) -> &str {
        match self {
            Denial::Unauthorized(message) | Denial::Blackout { message, .. } => message,
        }
    }
}

impl Landscape<'_> {
    /// The operator's name if the finder may know it.
    fn operator_name(&self, operator: OrgId) -> Option<&str> {
        let known = self.authorizations.iter().any(|a| a.operator == operator);
        known
            .then(|| self.names.get(&operator).map(String::as_str))
            .flatten()
    }

    fn operator_label(&self, operator: OrgId) -> String {
        self.operator_name(operator)
            .map_or_else(|| "its owner".to_owned(), str::to_owned)
    }
}

/// Each owner's part of a network target and the authorization covering it for `window` with
/// this technique and rate; or why there is none.
pub fn cover_network_target(
    finder: OrgId,
    target: &Target,
    window: &Window,
    technique: Technique,
    rate: u32,
    landscape: &Landscape<'_>,
) -> Result<Vec<TargetCover>, Denial> {
    let owned: Vec<&NetworkRange> = landscape
        .ranges
        .iter()
        .filter(|r| r.target.intersection(target).is_some())
        .collect();
    if owned.is_empty() {
        return Err(Denial::Unauthorized(format!(
            "no participating operator has registered {target}; the clearinghouse records \
             authorization only for participants' own assets"
        )));
    }
    if !target.covered_by_union(owned.iter().map(|r| &r.target)) {
        return Err(Denial::Unauthorized(format!(
            "only part of {target} is registered by participating operators; narrow the target \
             to the registered part"
        )));
    }
    let mut pieces: BTreeMap<OrgId, Vec<Target>> = BTreeMap::new();
    for range in owned {
        if let Some(piece) = target.intersection(&range.target) {
            let list = pieces.entry(range.org).or_default();
            if !list.contains(&piece) {
                list.push(piece);
            }
        }
    }
    let mut covers = Vec::new();
    for (operator, pieces) in pieces {
        for piece in pieces {
            let authorization =
                authorization_for(finder, operator, &piece, window, technique, rate, landscape)?;
            if let Some(blackout) = landscape
                .blackouts
                .iter()
                .filter(|b| b.operator == operator && b.applies_to(&piece))
                .find_map(|b| b.during(window).map(|during| (b, during)))
            {
                let (b, during) = blackout;
                let why = landscape
                    .operator_name(operator)
                    .map(|name| format!("{name} has a blackout ({})", b.reason))
                    .unwrap_or_else(|| "its owner has a blackout".to_owned());
                return Err(Denial::Blackout {
                    id: b.id,
                    window: during,
                    message: format!(
                        "{why} covering {piece} from {} to {}",
                        during.start, during.end
                    ),
                });
            }
            covers.push(TargetCover {
                operator,
                piece,
                authorization,
            });
        }
    }
    Ok(covers)
}

/// The authorization from `operator` covering `piece` for the whole window, or the reason the
/// closest one does not.
fn authorization_for(
    finder: OrgId,
    operator: OrgId,
    piece: &Target,
    window: &Window,
    technique: Technique,
    rate: u32,
    landscape: &Landscape<'_>,
) -> Result<ScanAuthorizationId, Denial> {
    let candidates: Vec<&ScanAuthorization> = landscape
        .authorizations
        .iter()
        .filter(|a| a.operator == operator && a.finder == finder)
        .collect();
    let fits = |a: &ScanAuthorization| {
        piece.covered_by_union(&a.scope)
            && a.window.covers(window)
            && a.revoked_at.is_none_or(|r| r >= window.end)
            && a.allows(technique)
            && rate <= a.max_rate
    };
    if let Some(found) = candidates.iter().find(|a| fits(a)) {
        return Ok(found.id);
    }
    let who = landscape.operator_label(operator);
    let in_scope: Vec<&&ScanAuthorization> = candidates
        .iter()
        .filter(|a| piece.covered_by_union(&a.scope))
        .collect();
    // Why each authorization in scope falls short, newest first (the first three).
    let why = |a: &ScanAuthorization| {
        let id = a.id;
        if let Some(revoked) = a.revoked_at.filter(|r| *r < window.end) {
            format!("{who} revoked authorization {id} covering {piece} at {revoked}")
        } else if !a.window.covers(window) {
            format!(
                "authorization {id} from {who} covers {piece} from {} to {}, not the whole \
                 window {} to {}",
                a.window.start, a.window.end, window.start, window.end
            )
        } else if !a.allows(technique) {
            let allowed: Vec<&str> = a.techniques.iter().map(Technique::as_str).collect();
            format!(
                "authorization {id} from {who} allows {}, not {technique}",
                allowed.join(", ")
            )
        } else {
            format!(
                "authorization {id} from {who} allows at most {} requests per second; this \
                 declares {rate}",
                a.max_rate
            )
        }
    };
    let message = if candidates.is_empty() {
        format!(
            "no authorization from {who} covers {piece} for this finder; ask the operator that \
             owns it to record one"
        )
    } else if in_scope.is_empty() {
        format!("{who}'s authorizations for this finder do not include {piece}")
    } else {
        in_scope
            .iter()
            .rev()
            .take(3)
            .map(|a| why(a))
            .collect::<Vec<_>>()
            .join("; ")
    };
    Err(Denial::Unauthorized(message))
}

/// Authorizes every network target of a campaign for its whole window, or says for each target
/// that is not why. Other targets need no operator's authorization.
pub fn authorize_targets(
    finder: OrgId,
    targets: &[Target],
    window: &Window,
    technique: Technique,
    rate: u32,
    landscape: &Landscape<'_>,
) -> Result<Vec<CampaignTarget>, Vec<Refusal>> {
    let mut refusals = Vec::new();
    let mut out = Vec::with_capacity(targets.len());
    for (index, target) in targets.iter().enumerate() {
        if !target.is_network() {
            out.push(CampaignTarget {
                target: target.clone(),
                covers: Vec::new(),
            });
            continue;
        }
        match cover_network_target(finder, target, window, technique, rate, landscape) {
            Ok(covers) => out.push(CampaignTarget {
                target: target.clone(),
                covers,
            }),
            Err(denial) => refusals.push(Refusal {
                index,
                kind: target.kind(),
                message: denial.message().to_owned(),
            }),
        }
    }
    if refusals.is_empty() {
        Ok(out)
    } else {
        Err(refusals)
    }
}

/// What two campaigns both scan: the intersections of their targets, each once.
pub fn shared_targets(a: &Campaign, b: &Campaign) -> Vec<Target> {
    let mut shared: Vec<Target> = Vec::new();
    for ta in &a.targets {
        for tb in &b.targets {
            if let Some(common) = ta.target.intersection(&tb.target)
                && !shared.contains(&common)
            {
                shared.push(common);
            }
        }
    }
    shared
}

/// The overlaps of `campaign` with every other live campaign of another finder whose window
/// and targets intersect it. `campaign` is the later declared of each pair; the default proposal
/// lets the earlier one lead. Campaigns of one finder are that finder's own business.
pub fn detect_overlaps(campaign: &Campaign, others: &[Campaign], now: Timestamp) -> Vec<Overlap> {
    let mut found = Vec::new();
    for other in others {
        if other.id == campaign.id || other.finder == campaign.finder || !other.is_live(now) {
            continue;
        }
        let Some(window) = other.window.intersection(&campaign.window) else {
            continue;
        };
        let shared = shared_targets(other, campaign);
        if shared.is_empty() {
            continue;
        }
        let (first, second) = if (other.created_at, other.id) <= (campaign.created_at, campaign.id)
        {
            (other, campaign)
        } else {
            (campaign, other)
        };
        found.push(Overlap {
            id: OverlapId::generate(),
            first: first.id,
            first_finder: first.finder,
            second: second.id,
            second_finder: second.finder,
            shared,
            window,
            detected_at: now,
            proposal: Some(Proposal {
                kind: ResolutionKind::Lead,
                lead: Some(first.id),
                by: None,
                at: now,
            }),
            resolution: None,
            steps: vec![OverlapStep {
                action: StepAction::Detected,
                kind: ResolutionKind::Lead,
                lead: Some(first.id),
                actor: "system".to_owned(),
                org: None,
                at: now,
            }],
        });
    }
    found
}

/// Where the later campaign goes when staggered: it starts when the earlier ends and lasts as
/// long as before.
pub fn stagger(earlier: &Campaign, later: &Campaign) -> Moved {
    let start = earlier.window.end.max(later.window.start);
    Moved {
        campaign: later.id,
        from: later.window,
        to: Window {
            start,
            end: start + later.window.duration(),
        },
    }
}

/// A blackout that made a check answer no.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlackoutNotice {
    /// The blackout.
    pub id: BlackoutId,
    /// When it is in force.
    pub window: Window,
}

/// Whether a target may be scanned at an instant, and under what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckAnswer {
    /// The target asked about, normalized.
    pub target: Target,
    /// The instant asked about.
    pub at: Timestamp,
    /// Yes or no.
    pub allowed: bool,
    /// The campaign that allows it.
    pub campaign: Option<CampaignId>,
    /// That campaign's window.
    pub campaign_window: Option<Window>,
    /// The rate to keep to: the campaign's, no more than any authorization's.
    pub rate_limit: Option<u32>,
    /// The authorizations that cover it, with when each ends.
    pub authorizations: Vec<(ScanAuthorizationId, Timestamp)>,
    /// A blackout in force, if that is why not.
    pub blackout: Option<BlackoutNotice>,
    /// Why not, one sentence per campaign considered.
    pub reasons: Vec<String>,
}

/// May `target` be scanned at `at` under one of `campaigns` (the finder's own, or the one a
/// campaign token is bound to)? The first campaign that allows it answers.
pub fn check(
    target: &Target,
    at: Timestamp,
    campaigns: &[Campaign],
    landscape: &Landscape<'_>,
) -> CheckAnswer {
    let mut answer = CheckAnswer {
        target: target.clone(),
        at,
        allowed: false,
        campaign: None,
        campaign_window: None,
        rate_limit: None,
        authorizations: Vec::new(),
        blackout: None,
        reasons: Vec::new(),
    };
    let targeting: Vec<&Campaign> = campaigns
        .iter()
        .filter(|c| c.targets.iter().any(|t| t.target.covers(target)))
        .collect();
    if targeting.is_empty() {
        answer.reasons.push(match campaigns {
            [only] => format!("campaign {:?} does not target {target}", only.name),
            _ => format!("no campaign of yours targets {target}"),
        });
        return answer;
    }
    for campaign in targeting {
        let name = &campaign.name;
        if campaign.cancelled_at.is_some() {
            answer
                .reasons
                .push(format!("campaign {name:?} was cancelled"));
            continue;
        }
        if !campaign.window.contains(at) {
            answer.reasons.push(format!(
                "campaign {name:?} runs from {} to {}, not at {at}",
                campaign.window.start, campaign.window.end
            ));
            continue;
        }
        let covers = if target.is_network() {
            match cover_network_target(
                campaign.finder,
                target,
                &Window::instant(at),
                campaign.technique,
                campaign.rate_limit,
                landscape,
            ) {
                Ok(covers) => covers,
                Err(denial) => {
                    if let Denial::Blackout { id, window, .. } = &denial
                        && answer.blackout.is_none()
                    {
                        answer.blackout = Some(BlackoutNotice {
                            id: *id,
                            window: *window,
                        });
                    }
                    answer
                        .reasons
                        .push(format!("campaign {name:?}: {}", denial.message()));
                    continue;
                }
            }
        } else {
            Vec::new()
        };
        let mut rate = campaign.rate_limit;
        for cover in &covers {
            if let Some(a) = landscape
                .authorizations
                .iter()
                .find(|a| a.id == cover.authorization)
            {
                rate = rate.min(a.max_rate);
                if !answer.authorizations.iter().any(|(id, _)| *id == a.id) {
                    answer.authorizations.push((a.id, a.window.end));
                }
            }
        }
        answer.allowed = true;
        answer.campaign = Some(campaign.id);
        answer.campaign_window = Some(campaign.window);
        answer.rate_limit = Some(rate);
        answer.blackout = None;
        answer.reasons.clear();
        return answer;
    }
    answer
}

#[cfg(test)]
mod tests {
    use jiff::SignedDuration;

    use super::*;
    use crate::campaign::{TargetInput, Tool};
    use crate::ids::NetworkRangeId;

    fn ts(hours: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000).expect("ts") + SignedDuration::from_hours(hours)
    }

    fn window(from: i64, to: i64) -> Window {
        Window::new(ts(from), ts(to)).expect("window")
    }

    fn net(text: &str) -> Target {
        Target::parse(&TargetInput::Cidr(text.into())).expect("cidr")
    }

    fn host(text: &str) -> Target {
        Target::parse(&TargetInput::Hostname(text.into())).expect("hostname")
    }

    fn range(org: OrgId, target: Target) -> NetworkRange {
        NetworkRange {
            id: NetworkRangeId::generate(),
            org,
            target,
            asset: None,
            label: None,
            created_by: "x".into(),
            created_at: ts(-100),
        }
    }

    fn authorization(
        operator: OrgId,
        finder: OrgId,
        scope: Vec<Target>,
        w: Window,
    ) -> ScanAuthorization {
        ScanAuthorization {
            id: ScanAuthorizationId::generate(),
            operator,
            finder,
            scope,
            window: w,
            techniques: vec![],
            max_rate: 10,
            note: None,
            created_by: "x".into(),
            created_at: ts(-50),
            revoked_at: None,
            revoked_by: None,
        }
    }

    struct World {
        operator: OrgId,
        finder: OrgId,
        ranges: Vec<NetworkRange>,
        authorizations: Vec<ScanAuthorization>,
        blackouts: Vec<Blackout>,
        names: HashMap<OrgId, String>,
    }

    impl World {
        fn new() -> Self {
            let (operator, finder) = (OrgId::generate(), OrgId::generate());
            Self {
                operator,
                finder,
                ranges: vec![
                    range(operator, net("10.0.0.0/16")),
                    range(operator, host("*.water.example")),
                ],
                authorizations: vec![],
                blackouts: vec![],
                names: HashMap::from([(operator, "Valley Water".to_owned())]),
            }
        }

        fn landscape(&self) -> Landscape<'_> {
            Landscape {
                ranges: &self.ranges,
                authorizations: &self.authorizations,
                blackouts: &self.blackouts,
                names: &self.names,
            }
        }

        fn authorize(
            &self,
            targets: &[Target],
            w: Window,
        ) -> Result<Vec<CampaignTarget>, Vec<Refusal>> {
            authorize_targets(
                self.finder,
                targets,
                &w,
                Technique::NetworkScan,
                5,
                &self.landscape(),
            )
        }
    }

    #[test]
    fn unregistered_networks_are_refused_without_naming_anyone() {
        let w = World::new();
        let refusals = w
            .authorize(&[net("192.0.2.0/24")], window(1, 2))
            .expect_err("refused");
        assert!(
            refusals[0].message.contains("no participating operator"),
            "{refusals:?}"
        );
        let refusals = w
            .authorize(&[net("10.0.0.0/15")], window(1, 2))
            .expect_err("refused");
        assert!(
            refusals[0].message.contains("only part of 10.0.0.0/15"),
            "{refusals:?}"
        );
    }

    #[test]
    fn without_authorization_the_owner_is_not_named() {
        let w = World::new();
        let refusals = w
            .authorize(
                &[
                    Target::parse(&TargetInput::Purl("pkg:npm/x".into())).expect("purl"),
                    net("10.0.1.0/24"),
                ],
                window(1, 2),
            )
            .expect_err("refused");
        assert_eq!(refusals.len(), 1);
        assert_eq!((refusals[0].index, refusals[0].kind), (1, "cidr"));
        assert!(
            refusals[0]
                .message
                .contains("no authorization from its owner covers 10.0.1.0/24"),
            "{}",
            refusals[0].message
        );
        assert!(!refusals[0].message.contains("Valley Water"));
    }

    #[test]
    fn an_authorization_must_cover_scope_window_technique_and_rate() {
        let mut w = World::new();
        w.authorizations.push(authorization(
            w.operator,
            w.finder,
            vec![net("10.0.1.0/24")],
            window(0, 10),
        ));
        let covered = w.authorize(
            &[net("10.0.1.128/25"), host("www.water.example")],
            window(1, 2),
        );
        let refusals = covered.expect_err("the hostname is not in scope");
        assert_eq!(refusals[0].index, 1);
        assert!(
            refusals[0]
                .message
                .contains("Valley Water's authorizations"),
            "{}",
            refusals[0].message
        );

        let ok = w
            .authorize(&[net("10.0.1.128/25")], window(1, 2))
            .expect("authorized");
        assert_eq!(ok[0].covers[0].operator, w.operator);
        assert_eq!(ok[0].covers[0].authorization, w.authorizations[0].id);

        let late = w
            .authorize(&[net("10.0.1.0/24")], window(9, 11))
            .expect_err("window");
        assert!(
            late[0].message.contains("not the whole window"),
            "{}",
            late[0].message
        );

        w.authorizations[0].techniques = vec![Technique::Dast];
        let technique = w
            .authorize(&[net("10.0.1.0/24")], window(1, 2))
            .expect_err("technique");
        assert!(
            technique[0]
                .message
                .contains("allows dast, not network_scan"),
            "{}",
            technique[0].message
        );

        w.authorizations[0].techniques = vec![];
        w.authorizations[0].max_rate = 2;
        let rate = w
            .authorize(&[net("10.0.1.0/24")], window(1, 2))
            .expect_err("rate");
        assert!(
            rate[0].message.contains("at most 2 requests per second"),
            "{}",
            rate[0].message
        );

        w.authorizations[0].max_rate = 10;
        w.authorizations[0].revoked_at = Some(ts(0));
        let revoked = w
            .authorize(&[net("10.0.1.0/24")], window(1, 2))
            .expect_err("revoked");
        assert!(
            revoked[0]
                .message
                .contains("Valley Water revoked authorization"),
            "{}",
            revoked[0].message
        );
    }

    #[test]
    fn every_owner_must_authorize_its_part() {
        let mut w = World::new();
        let neighbour = OrgId::generate();
        w.ranges.push(range(neighbour, net("10.1.0.0/16")));
        w.authorizations.push(authorization(
            w.operator,
            w.finder,
            vec![net("10.0.0.0/16")],
            window(0, 10),
        ));
        let refusals = w
            .authorize(&[net("10.0.0.0/15")], window(1, 2))
            .expect_err("neighbour");
        assert!(
            refusals[0].message.contains("10.1.0.0/16"),
            "{}",
            refusals[0].message
        );
        w.authorizations.push(authorization(
            neighbour,
            w.finder,
            vec![net("10.1.0.0/16")],
            window(0, 10),
        ));
        let ok = w
            .authorize(&[net("10.0.0.0/15")], window(1, 2))
            .expect("both authorized");
        assert_eq!(ok[0].covers.len(), 2);
    }

    #[test]
    fn blackouts_refuse_whatever_the_authorization_says() {
        let mut w = World::new();
        w.authorizations.push(authorization(
            w.operator,
            w.finder,
            vec![net("10.0.0.0/16")],
            window(0, 10),
        ));
        w.blackouts.push(Blackout {
            id: BlackoutId::generate(),
            operator: w.operator,
            scope: vec![net("10.0.5.0/24")],
            window: window(3, 4),
            reason: "treatment plant upgrade".into(),
            created_by: "x".into(),
            created_at: ts(-1),
            revoked_at: None,
            revoked_by: None,
        });
        assert!(
            w.authorize(&[net("10.0.6.0/24")], window(1, 5)).is_ok(),
            "outside the blackout's scope"
        );
        assert!(
            w.authorize(&[net("10.0.5.0/24")], window(1, 3)).is_ok(),
            "before it"
        );
        let refusals = w
            .authorize(&[net("10.0.0.0/16")], window(1, 5))
            .expect_err("during");
        assert!(
            refusals[0]
                .message
                .contains("blackout (treatment plant upgrade)"),
            "{}",
            refusals[0].message
        );
    }

    fn campaign(finder: OrgId, targets: Vec<Target>, w: Window, created: i64) -> Campaign {
        Campaign {
            id: CampaignId::generate(),
            finder,
            name: format!("campaign {created}"),
            targets: targets
                .into_iter()
                .map(|target| CampaignTarget {
                    target,
                    covers: vec![],
                })
                .collect(),
            technique: Technique::Fuzzing,
            tool: Tool {
                name: "fuzzer".into(),
                version: "1".into(),
            },
            window: w,
            rate_limit: 5,
            created_by: "x".into(),
            created_at: ts(created),
            cancelled_at: None,
            cancelled_by: None,
        }
    }

    #[test]
    fn overlaps_need_shared_targets_and_windows_of_different_finders() {
        let (a, b) = (OrgId::generate(), OrgId::generate());
        let purl = |s: &str| Target::parse(&TargetInput::Purl(s.into())).expect("purl");
        let earlier = campaign(
            a,
            vec![purl("pkg:pypi/pillow"), net("10.0.0.0/16")],
            window(0, 10),
            -5,
        );
        let same_finder = campaign(b, vec![purl("pkg:pypi/pillow")], window(0, 10), -4);
        let disjoint_time = campaign(a, vec![purl("pkg:pypi/pillow")], window(20, 30), -3);
        let disjoint_target = campaign(a, vec![purl("pkg:pypi/numpy")], window(0, 10), -3);
        let later = campaign(
            b,
            vec![purl("pkg:pypi/Pillow@10.0"), net("10.0.7.0/24")],
            window(5, 15),
            -1,
        );
        let others = [earlier.clone(), same_finder, disjoint_time, disjoint_target];
        let found = detect_overlaps(&later, &others, ts(-1));
        assert_eq!(found.len(), 1, "{found:?}");
        let o = &found[0];
        assert_eq!((o.first, o.second), (earlier.id, later.id));
        assert_eq!(o.window, window(5, 10));
        assert_eq!(o.shared, vec![purl("pkg:pypi/pillow"), net("10.0.7.0/24")]);
        assert_eq!(
            o.proposal.as_ref().and_then(|p| p.lead),
            Some(earlier.id),
            "earlier declared leads"
        );

        let mut cancelled = earlier.clone();
        cancelled.cancelled_at = Some(ts(-2));
        assert!(detect_overlaps(&later, &[cancelled], ts(-1)).is_empty());
    }

    #[test]
    fn stagger_moves_the_later_campaign_after_the_earlier() {
        let (a, b) = (OrgId::generate(), OrgId::generate());
        let earlier = campaign(a, vec![net("10.0.0.0/16")], window(0, 10), -5);
        let later = campaign(b, vec![net("10.0.0.0/16")], window(5, 8), -1);
        let moved = stagger(&earlier, &later);
        assert_eq!(moved.from, window(5, 8));
        assert_eq!(moved.to, window(10, 13));
    }

    #[test]
    fn checks_answer_per_instant_with_the_covering_authorization() {
        let mut w = World::new();
        w.authorizations.push(authorization(
            w.operator,
            w.finder,
            vec![net("10.0.0.0/16")],
            window(0, 10),
        ));
        let mut c = campaign(w.finder, vec![net("10.0.1.0/24")], window(1, 5), -1);
        c.technique = Technique::NetworkScan;
        let campaigns = [c.clone()];
        let allowed = check(&net("10.0.1.7"), ts(2), &campaigns, &w.landscape());
        assert!(allowed.allowed, "{allowed:?}");
        assert_eq!(allowed.campaign, Some(c.id));
        assert_eq!(
            allowed.authorizations,
            vec![(w.authorizations[0].id, ts(10))]
        );
        assert_eq!(allowed.rate_limit, Some(5));

        let before = check(&net("10.0.1.7"), ts(0), &campaigns, &w.landscape());
        assert!(
            !before.allowed && before.reasons[0].contains("runs from"),
            "{before:?}"
        );
        let elsewhere = check(&net("10.0.2.7"), ts(2), &campaigns, &w.landscape());
        assert!(
            !elsewhere.allowed && elsewhere.reasons[0].contains("does not target"),
            "{elsewhere:?}"
        );

        w.authorizations[0].revoked_at = Some(ts(2));
        let revoked = check(&net("10.0.1.7"), ts(3), &campaigns, &w.landscape());
        assert!(
            !revoked.allowed && revoked.reasons[0].contains("revoked"),
            "{revoked:?}"
        );
        assert!(
            check(&net("10.0.1.7"), ts(1), &campaigns, &w.landscape()).allowed,
            "before the revocation"
        );
    }
}
