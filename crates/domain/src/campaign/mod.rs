//! Scan campaigns and their deconfliction.
//!
//! A finder declares a campaign: targets, technique, the model or tool used, a time window and a
//! rate. Network targets (hostnames, IP networks) belong to operators, who register them as
//! network ranges; scanning them needs each owner's recorded scan authorization for the whole
//! window, and no owner's blackout during it. Campaigns of different finders whose windows and
//! targets intersect overlap; an overlap is resolved by one campaign leading, both sharing, or the
//! later one being staggered after the earlier.
//!
//! # Layout
//! - `target`: what is scanned, normalized once, and the geometry of targets (covers,
//!   intersection).
//! - this file: the recorded objects (ranges, authorizations, blackouts, campaigns, overlaps) and
//!   the overlap resolution state machine.
//! - `plan`: the decisions, as pure functions of recorded state and the clock: is a campaign
//!   authorized, which campaigns overlap, may a target be scanned at a given time.

pub mod plan;
pub mod target;

use std::fmt;
use std::str::FromStr;

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::ids::{
    AssetId, BlackoutId, CampaignId, NetworkRangeId, OrgId, OverlapId, ScanAuthorizationId,
};
use crate::participant::{InvalidParticipant, UnknownValue, check_text, wire_enum};
pub use target::{Target, TargetError, TargetInput};

/// The most targets one campaign, authorization or blackout may list.
pub const MAX_TARGETS: usize = 100;
/// The longest window a campaign or authorization may have.
pub const MAX_WINDOW_DAYS: i64 = 366;
/// The highest rate a campaign may declare, in requests per second.
pub const MAX_RATE: u32 = 100_000;

wire_enum!(
    /// How a campaign looks for vulnerabilities.
    Technique, "technique" {
        /// Static analysis of source or binaries.
        Sast = "sast",
        /// Fuzzing.
        Fuzzing = "fuzzing",
        /// Dynamic testing of a running application.
        Dast = "dast",
        /// Network discovery and service scanning.
        NetworkScan = "network_scan",
        /// A language model reviewing source code.
        LlmCodeReview = "llm_code_review",
        /// Anything else (say what in the campaign's name or tool).
        Other = "other",
    }
);

wire_enum!(
    /// How an overlap between two campaigns is resolved.
    ResolutionKind, "resolution" {
        /// One campaign leads; the other defers its findings to it.
        Lead = "lead",
        /// Both proceed and share findings.
        Share = "share",
        /// The later campaign's window moves to start when the earlier one ends.
        Stagger = "stagger",
    }
);

/// A half-open time window `[start, end)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Window {
    /// The first instant inside.
    pub start: Timestamp,
    /// The first instant after.
    pub end: Timestamp,
}

impl Window {
    /// A window that starts before it ends and lasts at most `MAX_WINDOW_DAYS`.
    pub fn new(start: Timestamp, end: Timestamp) -> Result<Window, String> {
        if end <= start {
            return Err(format!("ends ({end}) before or when it starts ({start})"));
        }
        if end.duration_since(start) > SignedDuration::from_hours(24 * MAX_WINDOW_DAYS) {
            return Err(format!("is longer than {MAX_WINDOW_DAYS} days"));
        }
        Ok(Window { start, end })
    }

    /// The one-microsecond window at `at`, to ask "at this instant" with the window functions.
    pub fn instant(at: Timestamp) -> Window {
        Window {
            start: at,
            end: at + SignedDuration::from_micros(1),
        }
    }

    /// Whether `at` is inside.
    pub fn contains(&self, at: Timestamp) -> bool {
        self.start <= at && at < self.end
    }

    /// Whether all of `other` is inside.
    pub fn covers(&self, other: &Window) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    /// The shared part, if any.
    pub fn intersection(&self, other: &Window) -> Option<Window> {
        let start = self.start.max(other.start);
        let end = self.end.min(other.end);
        (start < end).then_some(Window { start, end })
    }

    /// How long it lasts.
    pub fn duration(&self) -> SignedDuration {
        self.end.duration_since(self.start)
    }
}

impl fmt::Display for Window {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} to {}", self.start, self.end)
    }
}

/// The AI model or tool a campaign uses.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tool {
    /// Its name (`claude-opus`, `AFL++`).
    pub name: String,
    /// Its version.
    pub version: String,
}

impl Tool {
    /// Both parts are 1 to 100 printable characters.
    pub fn parse(name: &str, version: &str) -> Result<Tool, InvalidParticipant> {
        Ok(Tool {
            name: check_text("tool/name", name, 100)?,
            version: check_text("tool/version", version, 100)?,
        })
    }
}

/// A hostname or network an operator registered as its own.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NetworkRange {
    /// Its id.
    pub id: NetworkRangeId,
    /// The operator.
    pub org: OrgId,
    /// A hostname pattern or an IP network.
    pub target: Target,
    /// The inventory asset it belongs to, if the operator said.
    pub asset: Option<AssetId>,
    /// A label (`public web servers`).
    pub label: Option<String>,
    /// Who registered it.
    pub created_by: String,
    /// When.
    pub created_at: Timestamp,
}

/// An operator's recorded permission for a finder organization to actively scan part of its
/// registered ranges during a window.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ScanAuthorization {
    /// Its id.
    pub id: ScanAuthorizationId,
    /// The operator that gives it.
    pub operator: OrgId,
    /// The finder organization it is given to.
    pub finder: OrgId,
    /// What may be scanned: hostnames and networks inside the operator's ranges.
    pub scope: Vec<Target>,
    /// When.
    pub window: Window,
    /// Which techniques; empty means any.
    pub techniques: Vec<Technique>,
    /// The highest rate a campaign under it may use, requests per second.
    pub max_rate: u32,
    /// Conditions, contacts.
    pub note: Option<String>,
    /// Who recorded it.
    pub created_by: String,
    /// When.
    pub created_at: Timestamp,
    /// When it was revoked; from then on it authorizes nothing.
    pub revoked_at: Option<Timestamp>,
    /// Who revoked it.
    pub revoked_by: Option<String>,
}

impl ScanAuthorization {
    /// Whether it was in force (recorded window, not yet revoked) at `at`.
    pub fn in_force_at(&self, at: Timestamp) -> bool {
        self.window.contains(at) && self.revoked_at.is_none_or(|r| at < r)
    }

    /// Whether a technique is allowed.
    pub fn allows(&self, technique: Technique) -> bool {
        self.techniques.is_empty() || self.techniques.contains(&technique)
    }
}

/// A period when none (or a scope) of an operator's ranges may be scanned, whatever any
/// authorization says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Blackout {
    /// Its id.
    pub id: BlackoutId,
    /// The operator.
    pub operator: OrgId,
    /// What it covers; empty means every range of the operator.
    pub scope: Vec<Target>,
    /// When.
    pub window: Window,
    /// Why (`year-end close`, `surgery systems freeze`).
    pub reason: String,
    /// Who recorded it.
    pub created_by: String,
    /// When.
    pub created_at: Timestamp,
    /// When it was lifted.
    pub revoked_at: Option<Timestamp>,
    /// Who lifted it.
    pub revoked_by: Option<String>,
}

impl Blackout {
    /// The part of `window` the blackout is in force for (not lifted before it starts).
    pub fn during(&self, window: &Window) -> Option<Window> {
        let effective = match self.revoked_at {
            Some(lifted) if lifted <= self.window.start => return None,
            Some(lifted) => Window {
                start: self.window.start,
                end: self.window.end.min(lifted),
            },
            None => self.window,
        };
        effective.intersection(window)
    }

    /// Whether it applies to `target` (its scope is empty or intersects the target).
    pub fn applies_to(&self, target: &Target) -> bool {
        self.scope.is_empty() || self.scope.iter().any(|s| s.intersection(target).is_some())
    }
}

/// One network target's owner and the authorization that covers the owner's part of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetCover {
    /// The operator owning (part of) the target.
    pub operator: OrgId,
    /// The part of the target inside that operator's ranges.
    pub piece: Target,
    /// The authorization that covers it for the whole window.
    pub authorization: ScanAuthorizationId,
}

/// A campaign's target and, for network targets, who authorized it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignTarget {
    /// The target.
    pub target: Target,
    /// For network targets: each owner's part and its authorization; empty otherwise.
    #[serde(default)]
    pub covers: Vec<TargetCover>,
}

/// A declared scanning campaign.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Campaign {
    /// Its id.
    pub id: CampaignId,
    /// The finder organization.
    pub finder: OrgId,
    /// A name (`Q1 fuzzing of image parsers`).
    pub name: String,
    /// What it scans.
    pub targets: Vec<CampaignTarget>,
    /// How.
    pub technique: Technique,
    /// With which model or tool.
    pub tool: Tool,
    /// When.
    pub window: Window,
    /// At most this many requests per second against any target.
    pub rate_limit: u32,
    /// Who declared it.
    pub created_by: String,
    /// When.
    pub created_at: Timestamp,
    /// When its finder cancelled it.
    pub cancelled_at: Option<Timestamp>,
    /// Who cancelled it.
    pub cancelled_by: Option<String>,
}

impl Campaign {
    /// Whether it may still run at or after `now`: not cancelled and its window not over.
    pub fn is_live(&self, now: Timestamp) -> bool {
        self.cancelled_at.is_none() && self.window.end > now
    }

    /// Where it stands at `now`.
    pub fn status(&self, now: Timestamp) -> CampaignStatus {
        if self.cancelled_at.is_some() {
            CampaignStatus::Cancelled
        } else if now >= self.window.end {
            CampaignStatus::Ended
        } else if now < self.window.start {
            CampaignStatus::Scheduled
        } else {
            CampaignStatus::Running
        }
    }

    /// The operators whose ranges its network targets touch, each once.
    pub fn operators(&self) -> Vec<OrgId> {
        let mut orgs: Vec<OrgId> = self
            .targets
            .iter()
            .flat_map(|t| t.covers.iter().map(|c| c.operator))
            .collect();
        orgs.sort();
        orgs.dedup();
        orgs
    }
}

wire_enum!(
    /// Where a campaign stands, derived from its window and the clock.
    CampaignStatus, "campaign status" {
        /// Its window has not started.
        Scheduled = "scheduled",
        /// Inside its window.
        Running = "running",
        /// Its window is over.
        Ended = "ended",
        /// Its finder cancelled it.
        Cancelled = "cancelled",
    }
);

/// A proposed or decided resolution.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proposal {
    /// Lead, share or stagger.
    pub kind: ResolutionKind,
    /// For `lead`: the campaign that leads.
    pub lead: Option<CampaignId>,
    /// The finder organization that proposed it; `None` for the default proposal the
    /// clearinghouse made (the earlier declared campaign leads).
    pub by: Option<OrgId>,
    /// When.
    pub at: Timestamp,
}

/// How a staggered campaign's window moved.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Moved {
    /// The campaign that moved (the later declared).
    pub campaign: CampaignId,
    /// Its window before.
    pub from: Window,
    /// Its window after: it starts when the other campaign ends, and lasts as long as before.
    pub to: Window,
}

/// The final resolution of an overlap.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resolution {
    /// Lead, share or stagger.
    pub kind: ResolutionKind,
    /// For `lead`: the campaign that leads.
    pub lead: Option<CampaignId>,
    /// For `stagger`: what moved.
    pub moved: Option<Moved>,
    /// Who made it final (`person:…`, `token:…`).
    pub decided_by: String,
    /// When.
    pub at: Timestamp,
}

wire_enum!(
    /// One step in an overlap's history.
    StepAction, "overlap step" {
        /// The overlap was detected (with the default proposal).
        Detected = "detected",
        /// A finder proposed a resolution.
        Proposed = "proposed",
        /// The other finder accepted the proposal.
        Accepted = "accepted",
        /// An analyst decided.
        Decided = "decided",
    }
);

/// One step in an overlap's history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverlapStep {
    /// What happened.
    pub action: StepAction,
    /// The resolution proposed, accepted or decided.
    pub kind: ResolutionKind,
    /// Its lead campaign, for `lead`.
    pub lead: Option<CampaignId>,
    /// Who (`system` for detection).
    pub actor: String,
    /// Their finder organization, when a finder acted.
    pub org: Option<OrgId>,
    /// When.
    pub at: Timestamp,
}

/// Two live campaigns of different finders whose windows and targets intersect.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Overlap {
    /// Its id.
    pub id: OverlapId,
    /// The campaign declared first.
    pub first: CampaignId,
    /// Its finder.
    pub first_finder: OrgId,
    /// The campaign declared later.
    pub second: CampaignId,
    /// Its finder.
    pub second_finder: OrgId,
    /// What both scan.
    pub shared: Vec<Target>,
    /// When both run, as detected.
    pub window: Window,
    /// When it was detected.
    pub detected_at: Timestamp,
    /// The open proposal; the default one at first.
    pub proposal: Option<Proposal>,
    /// The final resolution.
    pub resolution: Option<Resolution>,
    /// Everything that happened, oldest first.
    pub steps: Vec<OverlapStep>,
}

/// Why an overlap step was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OverlapError {
    /// The overlap is already resolved.
    #[error("this overlap was already resolved ({0})")]
    Resolved(ResolutionKind),
    /// A finder tried to accept its own proposal, or there is nothing to accept.
    #[error("{0}")]
    NotYours(&'static str),
    /// The lead campaign is missing or not one of the two.
    #[error("{0}")]
    BadLead(&'static str),
}

impl Overlap {
    /// The finder organizations involved.
    pub fn finders(&self) -> [OrgId; 2] {
        [self.first_finder, self.second_finder]
    }

    /// The other campaign of the pair.
    pub fn other(&self, campaign: CampaignId) -> CampaignId {
        if campaign == self.first {
            self.second
        } else {
            self.first
        }
    }

    fn check_lead(
        &self,
        kind: ResolutionKind,
        lead: Option<CampaignId>,
    ) -> Result<(), OverlapError> {
        match (kind, lead) {
            (ResolutionKind::Lead, Some(lead)) if lead == self.first || lead == self.second => {
                Ok(())
            }
            (ResolutionKind::Lead, _) => Err(OverlapError::BadLead(
                "a lead resolution names the leading campaign, one of the two that overlap",
            )),
            (_, Some(_)) => Err(OverlapError::BadLead(
                "only a lead resolution names a leading campaign",
            )),
            (_, None) => Ok(()),
        }
    }

    fn open(&self) -> Result<(), OverlapError> {
        match &self.resolution {
            Some(resolution) => Err(OverlapError::Resolved(resolution.kind)),
            None => Ok(()),
        }
    }

    /// A finder of one of the two campaigns proposes a resolution; it replaces any open proposal.
    pub fn propose(
        &mut self,
        org: OrgId,
        actor: &str,
        kind: ResolutionKind,
        lead: Option<CampaignId>,
        at: Timestamp,
    ) -> Result<(), OverlapError> {
        self.open()?;
        self.check_lead(kind, lead)?;
        if !self.finders().contains(&org) {
            return Err(OverlapError::NotYours(
                "only the finders of the two campaigns propose resolutions",
            ));
        }
        self.proposal = Some(Proposal {
            kind,
            lead,
            by: Some(org),
            at,
        });
        self.steps.push(OverlapStep {
            action: StepAction::Proposed,
            kind,
            lead,
            actor: actor.to_owned(),
            org: Some(org),
            at,
        });
        Ok(())
    }

    /// Who may accept the open proposal: the other finder; for the default proposal (the earlier
    /// campaign leads) the later campaign's finder, who is the one deferring.
    pub fn acceptor(&self) -> Option<OrgId> {
        let proposal = self.proposal.as_ref()?;
        Some(match proposal.by {
            None => self.second_finder,
            Some(by) if by == self.first_finder => self.second_finder,
            Some(_) => self.first_finder,
        })
    }

    /// The other finder accepts the open proposal, which becomes the resolution. For `stagger`
    /// the caller computes `moved` (see [`plan::stagger`]).
    pub fn accept(
        &mut self,
        org: OrgId,
        actor: &str,
        moved: Option<Moved>,
        at: Timestamp,
    ) -> Result<Resolution, OverlapError> {
        self.open()?;
        let Some(proposal) = self.proposal.clone() else {
            return Err(OverlapError::NotYours("there is no proposal to accept"));
        };
        if self.acceptor() != Some(org) {
            return Err(OverlapError::NotYours(
                "only the other finder accepts a proposal (the later campaign's finder accepts the default one)",
            ));
        }
        self.steps.push(OverlapStep {
            action: StepAction::Accepted,
            kind: proposal.kind,
            lead: proposal.lead,
            actor: actor.to_owned(),
            org: Some(org),
            at,
        });
        Ok(self.finish(proposal.kind, proposal.lead, moved, actor, at))
    }

    /// An analyst decides, whatever is proposed.
    pub fn decide(
        &mut self,
        actor: &str,
        kind: ResolutionKind,
        lead: Option<CampaignId>,
        moved: Option<Moved>,
        at: Timestamp,
    ) -> Result<Resolution, OverlapError> {
        self.open()?;
        self.check_lead(kind, lead)?;
        self.steps.push(OverlapStep {
            action: StepAction::Decided,
            kind,
            lead,
            actor: actor.to_owned(),
            org: None,
            at,
        });
        Ok(self.finish(kind, lead, moved, actor, at))
    }

    fn finish(
        &mut self,
        kind: ResolutionKind,
        lead: Option<CampaignId>,
        moved: Option<Moved>,
        actor: &str,
        at: Timestamp,
    ) -> Resolution {
        let resolution = Resolution {
            kind,
            lead,
            moved,
            decided_by: actor.to_owned(),
            at,
        };
        self.proposal = None;
        self.resolution = Some(resolution.clone());
        resolution
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(text: &str) -> Timestamp {
        text.parse().expect("timestamp")
    }

    fn window(start: &str, end: &str) -> Window {
        Window::new(ts(start), ts(end)).expect("window")
    }

    #[test]
    fn windows_are_half_open() {
        let w = window("2026-12-01T00:00:00Z", "2026-12-02T00:00:00Z");
        assert!(w.contains(ts("2026-12-01T00:00:00Z")));
        assert!(!w.contains(ts("2026-12-02T00:00:00Z")));
        let next = window("2026-12-02T00:00:00Z", "2026-12-03T00:00:00Z");
        assert_eq!(
            w.intersection(&next),
            None,
            "touching windows do not overlap"
        );
        assert!(Window::new(ts("2026-12-02T00:00:00Z"), ts("2026-12-01T00:00:00Z")).is_err());
        assert!(Window::new(ts("2026-01-01T00:00:00Z"), ts("2027-06-01T00:00:00Z")).is_err());
    }

    fn overlap() -> Overlap {
        let (a, b) = (OrgId::generate(), OrgId::generate());
        Overlap {
            id: OverlapId::generate(),
            first: CampaignId::generate(),
            first_finder: a,
            second: CampaignId::generate(),
            second_finder: b,
            shared: vec![],
            window: window("2026-12-01T00:00:00Z", "2026-12-02T00:00:00Z"),
            detected_at: ts("2026-11-30T00:00:00Z"),
            proposal: Some(Proposal {
                kind: ResolutionKind::Lead,
                lead: None,
                by: None,
                at: ts("2026-11-30T00:00:00Z"),
            }),
            resolution: None,
            steps: vec![],
        }
    }

    #[test]
    fn the_later_finder_accepts_the_default_proposal() {
        let mut o = overlap();
        let now = ts("2026-11-30T01:00:00Z");
        assert!(o.accept(o.first_finder, "person:a", None, now).is_err());
        let resolution = o
            .accept(o.second_finder, "person:b", None, now)
            .expect("accepted");
        assert_eq!(resolution.kind, ResolutionKind::Lead);
        assert!(matches!(
            o.propose(o.first_finder, "person:a", ResolutionKind::Share, None, now),
            Err(OverlapError::Resolved(ResolutionKind::Lead))
        ));
    }

    #[test]
    fn a_proposal_is_accepted_by_the_other_finder_only() {
        let mut o = overlap();
        let now = ts("2026-11-30T01:00:00Z");
        let stranger = OrgId::generate();
        assert!(
            o.propose(stranger, "x", ResolutionKind::Share, None, now)
                .is_err()
        );
        assert!(
            o.propose(o.second_finder, "b", ResolutionKind::Lead, None, now)
                .is_err(),
            "lead needs a campaign"
        );
        let first = o.first;
        assert!(
            o.propose(
                o.second_finder,
                "b",
                ResolutionKind::Share,
                Some(first),
                now
            )
            .is_err()
        );
        o.propose(o.second_finder, "b", ResolutionKind::Share, None, now)
            .expect("proposed");
        assert_eq!(o.acceptor(), Some(o.first_finder));
        assert!(
            o.accept(o.second_finder, "b", None, now).is_err(),
            "not one's own proposal"
        );
        o.accept(o.first_finder, "a", None, now).expect("accepted");
        assert_eq!(
            o.resolution.as_ref().map(|r| r.kind),
            Some(ResolutionKind::Share)
        );
        let actions: Vec<StepAction> = o.steps.iter().map(|s| s.action).collect();
        assert_eq!(actions, [StepAction::Proposed, StepAction::Accepted]);
    }

    #[test]
    fn an_analyst_decides_at_any_time_before_resolution() {
        let mut o = overlap();
        let now = ts("2026-11-30T01:00:00Z");
        let second = o.second;
        o.decide(
            "person:analyst",
            ResolutionKind::Lead,
            Some(second),
            None,
            now,
        )
        .expect("decided");
        assert_eq!(o.resolution.as_ref().and_then(|r| r.lead), Some(second));
        assert!(
            o.decide("person:analyst", ResolutionKind::Share, None, None, now)
                .is_err()
        );
    }

    #[test]
    fn blackouts_end_when_lifted() {
        let b = Blackout {
            id: BlackoutId::generate(),
            operator: OrgId::generate(),
            scope: vec![],
            window: window("2026-12-01T00:00:00Z", "2026-12-10T00:00:00Z"),
            reason: "freeze".into(),
            created_by: "x".into(),
            created_at: ts("2026-11-01T00:00:00Z"),
            revoked_at: Some(ts("2026-12-05T00:00:00Z")),
            revoked_by: None,
        };
        assert!(
            b.during(&Window::instant(ts("2026-12-04T00:00:00Z")))
                .is_some()
        );
        assert!(
            b.during(&Window::instant(ts("2026-12-06T00:00:00Z")))
                .is_none()
        );
    }
}
