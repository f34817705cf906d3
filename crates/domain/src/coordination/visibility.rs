//! Who sees what of a case: the one rule every read path (API, web, search, queue, exports,
//! notifications) goes through, pure and computed from the clock, so an embargo lifts at its end
//! without any job.
//!
//! The rule follows TLP 2.0 and CERT/CC coordinated-disclosure practice:
//! - Clearinghouse analysts see every case in full.
//! - Member organizations (finders, vendors, validators) see it in full; under TLP:RED only the
//!   people named on the case for their organization do.
//! - Pre-notified operators (running the affected component) see a limited view (title, product,
//!   severity, remediation; never the proof of concept, never an uncredited finder) while the
//!   mark allows reaching them: CLEAR, GREEN or AMBER, never AMBER+STRICT or RED.
//! - Validators outside the finders' organizations see a summary of cases open for validation,
//!   unless the mark is RED or AMBER+STRICT (then an analyst assigns a validator explicitly).
//! - Once the embargo is over (its end passed, or the case was published), CLEAR and GREEN cases
//!   show their limited view to every participant; AMBER stays with members and pre-notified
//!   operators; AMBER+STRICT and RED stay with members.
//! - Nobody else sees anything: not administrators, not auditors (they read the log, which holds
//!   digests only). The services turn `CaseView::None` into "not found" on every path.

use jiff::Timestamp;
use serde::Serialize;

use crate::authz::{Actor, Grant};
use crate::coordination::{CaseMember, CaseRelation, CaseState, NamedPerson, Tlp};
use crate::ids::{OrgId, PersonId};
use crate::participant::Role;

/// How much of a case someone sees, least first.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum CaseView {
    /// Nothing: the case does not exist for them.
    #[default]
    None,
    /// A summary (title, product, weakness, severity) so a validator can decide to claim it.
    OpenForValidation,
    /// Title, product, severity and remediation; no description, no proof of concept, finders only
    /// where credited publicly.
    Limited,
    /// Everything, subject to the attachment rule for exploit material.
    Full,
}

/// The inputs of the rule that belong to the case.
#[derive(Clone, Copy, Debug)]
pub struct CaseAccess<'a> {
    /// The mark in force.
    pub tlp: Tlp,
    /// The embargo's end.
    pub embargo_until: Timestamp,
    /// Whether the case was published (which ends the embargo).
    pub published: bool,
    /// The case's state.
    pub state: CaseState,
    /// Member organizations.
    pub members: &'a [CaseMember],
    /// Named people (they matter under TLP:RED).
    pub named: &'a [NamedPerson],
}

impl CaseAccess<'_> {
    /// Whether the embargo is over at `now`.
    pub fn embargo_over(&self, now: Timestamp) -> bool {
        self.published || now >= self.embargo_until
    }

    fn has_relation(&self, org: OrgId, relation: CaseRelation) -> bool {
        self.members
            .iter()
            .any(|m| m.org == org && m.relation == relation)
    }
}

/// The inputs of the rule that belong to the viewer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Viewer {
    analyst: bool,
    person: Option<PersonId>,
    grants: Vec<Grant>,
}

impl Viewer {
    /// The viewer an actor is. The system (the server itself) counts as an analyst; a token bound
    /// to a scanning campaign sees no case at all, whatever its role.
    pub fn of(actor: &Actor) -> Self {
        if actor.campaign_scope().is_some() {
            return Self {
                analyst: false,
                person: None,
                grants: Vec::new(),
            };
        }
        Self {
            analyst: actor.has_role(Role::Analyst),
            person: actor.person_id(),
            grants: actor.grants().to_vec(),
        }
    }

    /// An organization as the recipient of a notification: all its members together, no person
    /// (so never a named recipient of a TLP:RED case) and no role-specific views.
    pub fn organization(org: OrgId) -> Self {
        Self {
            analyst: false,
            person: None,
            grants: vec![Grant {
                org,
                role: Role::Member,
            }],
        }
    }

    fn orgs(&self) -> impl Iterator<Item = OrgId> + '_ {
        self.grants.iter().map(|g| g.org)
    }

    fn has_role(&self, role: Role) -> bool {
        self.grants.iter().any(|g| g.role == role)
    }

    /// The viewer's organizations whose membership counts: all of them, except that under TLP:RED
    /// only those the viewer's person is named for.
    fn counted_orgs<'a>(&'a self, case: &'a CaseAccess<'_>) -> impl Iterator<Item = OrgId> + 'a {
        self.orgs().filter(move |org| {
            case.tlp != Tlp::Red
                || self
                    .person
                    .is_some_and(|p| case.named.iter().any(|n| n.person == p && n.org == *org))
        })
    }
}

/// The visibility rule's viewer inputs as plain data, for stores that filter lists in SQL. A store
/// must select exactly the cases whose `case_view` is not `None` (the API tests check both agree).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseScope {
    /// Sees every case (analysts, the system).
    pub all: bool,
    /// The viewer's organizations.
    pub orgs: Vec<OrgId>,
    /// The viewer's person, for TLP:RED.
    pub person: Option<PersonId>,
    /// Holds the validator role (sees cases open for validation).
    pub validator: bool,
    /// Holds any grant (sees CLEAR and GREEN cases once their embargo is over).
    pub participant: bool,
}

impl Viewer {
    /// The inputs a store needs to filter a list of cases for this viewer.
    pub fn scope(&self) -> CaseScope {
        let mut orgs: Vec<OrgId> = self.orgs().collect();
        orgs.sort();
        orgs.dedup();
        CaseScope {
            all: self.analyst,
            orgs,
            person: self.person,
            validator: self.has_role(Role::Validator),
            participant: !self.grants.is_empty(),
        }
    }
}

/// How an actor stands towards one case: the view, and the relations `authz` decides actions from.
/// Relations count only where the view counts them (under TLP:RED, only for named people).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CaseStanding {
    /// What the actor sees.
    pub view: CaseView,
    /// A clearinghouse analyst (or the system).
    pub analyst: bool,
    /// A member, in any role, of a finder organization of the case (so not independent).
    pub in_finder_org: bool,
    /// Holds the finder role in a finder organization of the case.
    pub finder: bool,
    /// Holds the vendor-contact or manager role in a vendor organization of the case.
    pub vendor: bool,
    /// A member, in any role, of a vendor organization of the case.
    pub vendor_member: bool,
    /// Holds the validator role in a validator organization of the case (claimed or assigned).
    pub validator: bool,
    /// Holds the validator role anywhere (may claim open cases).
    pub validator_role: bool,
    /// A member of a pre-notified operator organization (and of no other member organization).
    pub operator_only: bool,
}

/// What `viewer` sees of `case` at `now`.
pub fn case_view(viewer: &Viewer, case: &CaseAccess<'_>, now: Timestamp) -> CaseView {
    if viewer.analyst {
        return CaseView::Full;
    }
    let mut view = CaseView::None;
    for org in viewer.counted_orgs(case) {
        for member in case.members.iter().filter(|m| m.org == org) {
            let granted = match member.relation {
                CaseRelation::Finder | CaseRelation::Vendor | CaseRelation::Validator => {
                    CaseView::Full
                }
                CaseRelation::Operator if case.tlp.allows_operators() => CaseView::Limited,
                CaseRelation::Operator => CaseView::None,
            };
            view = view.max(granted);
        }
    }
    if case.tlp.community_wide() && case.embargo_over(now) && !viewer.grants.is_empty() {
        view = view.max(CaseView::Limited);
    }
    let in_finder_org = viewer
        .orgs()
        .any(|org| case.has_relation(org, CaseRelation::Finder));
    if viewer.has_role(Role::Validator)
        && case.state == CaseState::Validating
        && !matches!(case.tlp, Tlp::Red | Tlp::AmberStrict)
        && !in_finder_org
    {
        view = view.max(CaseView::OpenForValidation);
    }
    view
}

/// How `viewer` stands towards `case` at `now`.
pub fn standing(viewer: &Viewer, case: &CaseAccess<'_>, now: Timestamp) -> CaseStanding {
    let view = case_view(viewer, case, now);
    let counted: Vec<OrgId> = viewer.counted_orgs(case).collect();
    let role_in = |relation: CaseRelation, roles: &[Role]| {
        viewer.grants.iter().any(|g| {
            counted.contains(&g.org)
                && case.has_relation(g.org, relation)
                && (roles.is_empty() || roles.contains(&g.role))
        })
    };
    let member_of_other_relation = [
        CaseRelation::Finder,
        CaseRelation::Vendor,
        CaseRelation::Validator,
    ]
    .into_iter()
    .any(|relation| role_in(relation, &[]));
    CaseStanding {
        view,
        analyst: viewer.analyst,
        in_finder_org: viewer
            .orgs()
            .any(|org| case.has_relation(org, CaseRelation::Finder)),
        finder: role_in(CaseRelation::Finder, &[Role::Finder]),
        vendor: role_in(CaseRelation::Vendor, &[Role::VendorContact, Role::Manager]),
        vendor_member: role_in(CaseRelation::Vendor, &[]),
        validator: role_in(CaseRelation::Validator, &[Role::Validator]),
        validator_role: viewer.has_role(Role::Validator),
        operator_only: role_in(CaseRelation::Operator, &[]) && !member_of_other_relation,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::TokenId;

    struct World {
        finder_org: OrgId,
        vendor_org: OrgId,
        validator_org: OrgId,
        operator_org: OrgId,
        named_finder: PersonId,
        members: Vec<CaseMember>,
        named: Vec<NamedPerson>,
    }

    fn world() -> World {
        let (finder_org, vendor_org, validator_org, operator_org) = (
            OrgId::generate(),
            OrgId::generate(),
            OrgId::generate(),
            OrgId::generate(),
        );
        let member = |org, relation| CaseMember {
            org,
            relation,
            added_by: "system".into(),
            added_at: Timestamp::UNIX_EPOCH,
        };
        let named_finder = PersonId::generate();
        World {
            finder_org,
            vendor_org,
            validator_org,
            operator_org,
            named_finder,
            members: vec![
                member(finder_org, CaseRelation::Finder),
                member(vendor_org, CaseRelation::Vendor),
                member(validator_org, CaseRelation::Validator),
                member(operator_org, CaseRelation::Operator),
            ],
            named: vec![NamedPerson {
                person: named_finder,
                org: finder_org,
            }],
        }
    }

    fn person(org: OrgId, role: Role) -> Viewer {
        Viewer::of(&Actor::person(
            PersonId::generate(),
            vec![Grant { org, role }],
        ))
    }

    /// Whether the embargo's end opened the case to every participant.
    fn public(tlp: Tlp, over: bool) -> bool {
        over && tlp.community_wide()
    }

    /// The viewers the access rule distinguishes, with the view the module documentation promises
    /// each, given (mark, embargo over, case open for validation).
    #[allow(clippy::type_complexity)]
    fn viewers(w: &World) -> Vec<(&'static str, Viewer, fn(Tlp, bool, bool) -> CaseView)> {
        use CaseView::*;
        let outsider = OrgId::generate();
        vec![
            ("analyst", person(outsider, Role::Analyst), |_, _, _| Full),
            (
                "finder (not named)",
                person(w.finder_org, Role::Finder),
                |tlp, _, _| if tlp == Tlp::Red { None } else { Full },
            ),
            (
                "finder (named)",
                Viewer::of(&Actor::person(
                    w.named_finder,
                    vec![Grant {
                        org: w.finder_org,
                        role: Role::Finder,
                    }],
                )),
                |_, _, _| Full,
            ),
            (
                "vendor",
                person(w.vendor_org, Role::VendorContact),
                |tlp, _, _| if tlp == Tlp::Red { None } else { Full },
            ),
            (
                "claimed validator",
                person(w.validator_org, Role::Validator),
                |tlp, _, _| if tlp == Tlp::Red { None } else { Full },
            ),
            (
                "pre-notified operator",
                person(w.operator_org, Role::OperatorContact),
                |tlp, _, _| {
                    if tlp.allows_operators() {
                        Limited
                    } else {
                        None
                    }
                },
            ),
            (
                "outsider operator",
                person(outsider, Role::OperatorContact),
                |tlp, over, _| if public(tlp, over) { Limited } else { None },
            ),
            (
                "outsider finder",
                person(outsider, Role::Finder),
                |tlp, over, _| if public(tlp, over) { Limited } else { None },
            ),
            (
                "vendor not on the case",
                person(outsider, Role::VendorContact),
                |tlp, over, _| if public(tlp, over) { Limited } else { None },
            ),
            (
                "validator not claimed",
                person(outsider, Role::Validator),
                |tlp, over, validating| {
                    if public(tlp, over) {
                        Limited
                    } else if validating && !matches!(tlp, Tlp::Red | Tlp::AmberStrict) {
                        OpenForValidation
                    } else {
                        None
                    }
                },
            ),
            (
                "validator inside the finder organization",
                person(w.finder_org, Role::Validator),
                |tlp, _, _| if tlp == Tlp::Red { None } else { Full },
            ),
            ("admin", person(outsider, Role::Admin), |tlp, over, _| {
                if public(tlp, over) { Limited } else { None }
            }),
            (
                "auditor",
                person(outsider, Role::Auditor),
                |tlp, over, _| if public(tlp, over) { Limited } else { None },
            ),
            (
                "token without person",
                Viewer::of(&Actor::token(
                    TokenId::generate(),
                    Option::None,
                    Grant {
                        org: w.finder_org,
                        role: Role::Finder,
                    },
                )),
                |tlp, _, _| if tlp == Tlp::Red { None } else { Full },
            ),
            (
                "nobody (no grants)",
                Viewer::of(&Actor::person(PersonId::generate(), vec![])),
                |_, _, _| None,
            ),
        ]
    }

    #[test]
    fn every_viewer_under_every_mark_before_and_after_the_embargo() {
        let w = world();
        let now: Timestamp = "2026-12-03T12:00:00Z".parse().expect("time");
        let before = now + jiff::SignedDuration::from_hours(24);
        let after = now - jiff::SignedDuration::from_hours(1);
        let mut checked = 0;
        for tlp in Tlp::ALL {
            for (embargo_until, published, over) in [
                (before, false, false),
                (after, false, true),
                (before, true, true),
            ] {
                for state in CaseState::ALL {
                    let case = CaseAccess {
                        tlp,
                        embargo_until,
                        published,
                        state: *state,
                        members: &w.members,
                        named: &w.named,
                    };
                    for (who, viewer, expected) in viewers(&w) {
                        let validating = *state == CaseState::Validating;
                        assert_eq!(
                            case_view(&viewer, &case, now),
                            expected(tlp, over, validating),
                            "{who} under {tlp}, embargo over: {over}, state {state}"
                        );
                        checked += 1;
                    }
                }
            }
        }
        assert_eq!(checked, 5 * 3 * CaseState::ALL.len() * viewers(&w).len());
    }

    #[test]
    fn the_embargo_lifts_at_its_end_by_the_clock() {
        let w = world();
        let end: Timestamp = "2026-12-31T00:00:00Z".parse().expect("time");
        let case = CaseAccess {
            tlp: Tlp::Green,
            embargo_until: end,
            published: false,
            state: CaseState::Coordinating,
            members: &w.members,
            named: &w.named,
        };
        let outsider = person(OrgId::generate(), Role::OperatorContact);
        let tick = jiff::SignedDuration::from_micros(1);
        assert_eq!(case_view(&outsider, &case, end - tick), CaseView::None);
        assert_eq!(case_view(&outsider, &case, end), CaseView::Limited);
    }

    #[test]
    fn standing_names_relations_only_where_they_count() {
        let w = world();
        let now = Timestamp::UNIX_EPOCH;
        let amber = CaseAccess {
            tlp: Tlp::Amber,
            embargo_until: now + jiff::SignedDuration::from_hours(1),
            published: false,
            state: CaseState::Coordinating,
            members: &w.members,
            named: &w.named,
        };
        let vendor = standing(&person(w.vendor_org, Role::VendorContact), &amber, now);
        assert!(vendor.vendor && vendor.vendor_member && !vendor.finder);
        let vendor_reader = standing(&person(w.vendor_org, Role::Member), &amber, now);
        assert!(!vendor_reader.vendor && vendor_reader.vendor_member);
        let operator = standing(&person(w.operator_org, Role::OperatorContact), &amber, now);
        assert!(operator.operator_only && operator.view == CaseView::Limited);
        let red = CaseAccess {
            tlp: Tlp::Red,
            ..amber
        };
        let unnamed = standing(&person(w.finder_org, Role::Finder), &red, now);
        assert_eq!(unnamed.view, CaseView::None);
        assert!(
            !unnamed.finder,
            "an unnamed finder does not count under RED"
        );
        assert!(unnamed.in_finder_org, "but is still not independent");
        let organization = case_view(&Viewer::organization(w.vendor_org), &red, now);
        assert_eq!(
            organization,
            CaseView::None,
            "RED never goes to a whole organization"
        );
        let organization = case_view(&Viewer::organization(w.vendor_org), &amber, now);
        assert_eq!(organization, CaseView::Full);
    }
}
