//! The one authorization policy: "may actor X do action Y on object Z".
//!
//! Every HTTP route and every service call asks `authorize` before it reads or writes; no handler
//! carries its own check. The policy is deny by default: an action is allowed only by a rule below
//! that names it. Data is scoped to organizations: a grant is always a (organization, role) pair,
//! and only administrators, analysts and auditors see across organizations.

use serde::Serialize;

use crate::coordination::{CaseStanding, CaseView, Mover};
use crate::ids::{CampaignId, OrgId, PersonId, TokenId};
use crate::participant::Role;

/// Who is acting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    principal: Principal,
    grants: Vec<Grant>,
}

/// The authenticated identity behind an actor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Principal {
    /// A person signed in through the browser.
    Person {
        /// The person.
        id: PersonId,
    },
    /// An API token, acting for exactly one organization with one role.
    Token {
        /// The token.
        id: TokenId,
        /// Whoever created it, if a person did.
        person: Option<PersonId>,
        /// The campaign it is bound to: such a token may only check targets and read that
        /// campaign (see `campaign_token_rule`).
        campaign: Option<CampaignId>,
    },
    /// The server itself or an operator's `clearinghouse admin` command on the database.
    System,
}

/// One role held in one organization.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Grant {
    /// Where the role is held.
    pub org: OrgId,
    /// The role.
    pub role: Role,
}

/// What the actor wants to do. Variants carry what the decision depends on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// List organizations (results are filtered by `org_scope`).
    OrgList,
    /// Read one organization.
    OrgRead(OrgId),
    /// Create an organization.
    OrgCreate,
    /// List people (results are filtered by `person_scope`).
    PersonList,
    /// Read a person who is a member of the given organizations.
    PersonRead {
        /// The person.
        person: PersonId,
        /// The organizations they belong to.
        orgs: Vec<OrgId>,
    },
    /// Create a person inside an organization.
    PersonCreate(OrgId),
    /// Give someone a role in an organization.
    MembershipGrant {
        /// The organization.
        org: OrgId,
        /// The role to give.
        role: Role,
    },
    /// List an organization's tokens.
    TokenList(OrgId),
    /// Create a token acting for an organization with a role.
    TokenCreate {
        /// The organization the token acts for.
        org: OrgId,
        /// The role it carries.
        role: Role,
    },
    /// Revoke a token.
    TokenRevoke {
        /// The organization the token acts for.
        org: OrgId,
        /// Whoever created it.
        owner: Option<PersonId>,
    },
    /// Set a person's password.
    PasswordSet(PersonId),
    /// Read the tamper-evident log (entries, proofs, checkpoints).
    LogRead,
    /// Read the public knowledge base (vulnerabilities, advisories, KEV, EPSS).
    KbRead,
    /// Import documents into the knowledge base and manage scheduled syncs.
    KbImport,
    /// Read an operator's assets, uploads, matches and priorities.
    InventoryRead {
        /// The operator.
        org: OrgId,
        /// Whether the operator shared this asset with analysts.
        shared: bool,
    },
    /// Register assets and upload inventories for an operator.
    InventoryWrite(OrgId),
    /// Read aggregate exposure across operators (counts by sector, never who).
    ExposureRead,
    /// Manage an organization's notification subscriptions and read its deliveries.
    SubscriptionManage(OrgId),

    // Scan campaigns and deconfliction (#5).
    /// Read an operator's registered network ranges.
    NetworkRangeRead(OrgId),
    /// Register or remove an operator's network ranges; give or revoke its scan authorizations
    /// and blackouts.
    ScanControlManage(OrgId),
    /// Read a scan authorization between an operator and a finder organization.
    ScanAuthorizationRead {
        /// The operator that gave it.
        operator: OrgId,
        /// The finder organization it was given to.
        finder: OrgId,
    },
    /// Read an operator's blackouts.
    BlackoutRead(OrgId),
    /// Declare a campaign for a finder organization.
    CampaignDeclare(OrgId),
    /// List campaigns (results are filtered by `campaign_scope`).
    CampaignList,
    /// Read one campaign.
    CampaignRead {
        /// The campaign.
        campaign: CampaignId,
        /// Its finder organization.
        finder: OrgId,
        /// The operators whose ranges it targets.
        operators: Vec<OrgId>,
    },
    /// Cancel a campaign, or create a token bound to it.
    CampaignManage(OrgId),
    /// Read an overlap between two finders' campaigns.
    OverlapRead([OrgId; 2]),
    /// Propose or accept a resolution of an overlap, as one of its finders.
    OverlapNegotiate([OrgId; 2]),
    /// Decide an overlap's resolution over the finders' heads.
    OverlapDecide,
    /// Ask whether a target may be scanned now, and under which campaign.
    ScanCheck,
    // Vulnerability coordination (#5). Case actions carry the actor's `CaseStanding`, computed by
    // `coordination::visibility::standing`; a standing whose view is `None` allows nothing.
    /// Submit findings for an organization.
    FindingSubmit(OrgId),
    /// List and search cases (each filtered by the visibility rule).
    CaseList,
    /// Read part of a case.
    CaseRead {
        /// How the actor stands towards the case.
        standing: CaseStanding,
        /// Which part.
        part: CasePart,
    },
    /// Withdraw a finding.
    FindingWithdraw {
        /// How the actor stands towards the finding's case.
        standing: CaseStanding,
        /// Whether the actor holds the finder role in the finding's organization.
        own: bool,
    },
    /// Move a case to another state; the state machine says who the mover must be.
    CaseTransition {
        /// How the actor stands towards the case.
        standing: CaseStanding,
        /// Who the table says makes this transition.
        mover: Mover,
    },
    /// Manage a case: TLP, embargo, members and named people, merges, splits, rejections.
    CaseManage(CaseStanding),
    /// Read the analysts' queue and the open merge proposals.
    CaseQueueRead,
    /// Claim a case to validate it independently.
    ValidationClaim(CaseStanding),
    /// Give the verdict of a claim.
    ValidationVerdict {
        /// How the actor stands towards the case.
        standing: CaseStanding,
        /// The organization that claimed.
        claimant: OrgId,
    },
    /// Record a vendor's status for a product of a case.
    VendorStatusWrite(CaseStanding),
    /// Write in a case's discussion thread.
    CommentWrite(CaseStanding),
    /// Attach a file to a case (finders, claimed validators, analysts).
    AttachmentUpload(CaseStanding),
    /// Read an attachment's content (exploit material: need to know).
    AttachmentRead {
        /// How the actor stands towards the case.
        standing: CaseStanding,
        /// Whether the actor is a member of the finder organization that attached it.
        uploader: bool,
    },
}

/// Which part of a case a read is for, and so which view it needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CasePart {
    /// The case itself, shaped by the view (any view but `None`).
    Summary,
    /// Remediation: vendor statuses and fixed versions (limited view and above).
    Remediation,
    /// Findings, validations, members, comments, attachment metadata (full view).
    Details,
}

/// Why an action was refused. The text is safe to show to the actor.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Denied(pub &'static str);

/// Which organizations' data a list may show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Everything.
    All,
    /// Only these organizations.
    Orgs(Vec<OrgId>),
}

impl Scope {
    /// Whether data of `org` is inside the scope.
    pub fn contains(&self, org: OrgId) -> bool {
        match self {
            Scope::All => true,
            Scope::Orgs(orgs) => orgs.contains(&org),
        }
    }
}

impl Actor {
    /// A person with their memberships.
    pub fn person(id: PersonId, grants: Vec<Grant>) -> Self {
        Self {
            principal: Principal::Person { id },
            grants,
        }
    }

    /// A token: one organization, one role.
    pub fn token(id: TokenId, person: Option<PersonId>, grant: Grant) -> Self {
        Self {
            principal: Principal::Token {
                id,
                person,
                campaign: None,
            },
            grants: vec![grant],
        }
    }

    /// A token bound to one campaign of its (finder) organization.
    pub fn campaign_token(
        id: TokenId,
        person: Option<PersonId>,
        grant: Grant,
        campaign: CampaignId,
    ) -> Self {
        Self {
            principal: Principal::Token {
                id,
                person,
                campaign: Some(campaign),
            },
            grants: vec![grant],
        }
    }

    /// The campaign a campaign-scoped token is bound to.
    pub fn campaign_scope(&self) -> Option<CampaignId> {
        match self.principal {
            Principal::Token { campaign, .. } => campaign,
            _ => None,
        }
    }

    /// The server or an administrator working directly on the database.
    pub fn system() -> Self {
        Self {
            principal: Principal::System,
            grants: Vec::new(),
        }
    }

    /// Who is acting.
    pub fn principal(&self) -> Principal {
        self.principal
    }

    /// The roles held.
    pub fn grants(&self) -> &[Grant] {
        &self.grants
    }

    /// The person behind the actor: the signed-in person or the token's creator.
    pub fn person_id(&self) -> Option<PersonId> {
        match self.principal {
            Principal::Person { id } => Some(id),
            Principal::Token { person, .. } => person,
            Principal::System => None,
        }
    }

    /// A short, stable label for the log: `person:<id>`, `token:<id>` or `system`.
    pub fn label(&self) -> String {
        match self.principal {
            Principal::Person { id } => format!("person:{id}"),
            Principal::Token { id, .. } => format!("token:{id}"),
            Principal::System => "system".to_owned(),
        }
    }

    /// Whether the actor holds `role` anywhere.
    pub fn has_role(&self, role: Role) -> bool {
        self.is_system() || self.grants.iter().any(|g| g.role == role)
    }

    /// Whether the actor holds `role` in `org`.
    pub fn has_role_in(&self, org: OrgId, role: Role) -> bool {
        self.grants.iter().any(|g| g.org == org && g.role == role)
    }

    /// Whether the actor is a member of `org` in any role.
    pub fn is_member_of(&self, org: OrgId) -> bool {
        self.grants.iter().any(|g| g.org == org)
    }

    fn is_system(&self) -> bool {
        self.principal == Principal::System
    }

    fn is_admin(&self) -> bool {
        self.is_system() || self.grants.iter().any(|g| g.role == Role::Admin)
    }

    fn is_token(&self) -> bool {
        matches!(self.principal, Principal::Token { .. })
    }

    fn sees_all_orgs(&self) -> bool {
        self.is_admin() || self.has_role(Role::Analyst) || self.has_role(Role::Auditor)
    }
}

/// Decides whether `actor` may perform `action`. Deny by default.
pub fn authorize(actor: &Actor, action: &Action) -> Result<(), Denied> {
    if let Some(campaign) = actor.campaign_scope() {
        return campaign_token_rule(campaign, action);
    }
    let allowed = match action {
        Action::OrgList | Action::PersonList => !actor.grants.is_empty() || actor.is_system(),
        Action::OrgRead(org) => actor.sees_all_orgs() || actor.is_member_of(*org),
        Action::OrgCreate => actor.is_admin(),
        Action::PersonRead { person, orgs } => {
            actor.is_admin()
                || actor.person_id() == Some(*person) && !actor.is_token()
                || orgs
                    .iter()
                    .any(|org| actor.has_role_in(*org, Role::Manager))
        }
        Action::PersonCreate(org) => actor.is_admin() || actor.has_role_in(*org, Role::Manager),
        Action::MembershipGrant { org, role } => {
            actor.is_admin() || *role != Role::Admin && actor.has_role_in(*org, Role::Manager)
        }
        Action::TokenList(org) => actor.is_admin() || actor.is_member_of(*org),
        Action::TokenCreate { org, role } => {
            actor.is_admin()
                || !actor.is_token()
                    && (*role != Role::Admin && actor.has_role_in(*org, Role::Manager)
                        || actor.has_role_in(*org, *role))
        }
        Action::TokenRevoke { org, owner } => {
            actor.is_admin()
                || actor.has_role_in(*org, Role::Manager)
                || owner.is_some() && *owner == actor.person_id() && !actor.is_token()
        }
        Action::PasswordSet(person) => {
            actor.is_admin() || actor.person_id() == Some(*person) && !actor.is_token()
        }
        Action::LogRead => actor.is_admin() || actor.has_role(Role::Auditor),
        Action::KbRead => !actor.grants.is_empty() || actor.is_system(),
        Action::KbImport => actor.is_admin() || actor.has_role(Role::Analyst),
        // Inventories are private to their operator: not even administrators read them, and
        // analysts only what the operator shared.
        Action::InventoryRead { org, shared } => {
            actor.is_system()
                || actor.is_member_of(*org)
                || *shared && actor.grants.iter().any(|g| g.role == Role::Analyst)
        }
        Action::InventoryWrite(org) | Action::SubscriptionManage(org) => {
            actor.is_system()
                || actor.has_role_in(*org, Role::OperatorContact)
                || actor.has_role_in(*org, Role::Manager)
        }
        Action::ExposureRead => actor.is_admin() || actor.has_role(Role::Analyst),
        Action::NetworkRangeRead(_)
        | Action::ScanControlManage(_)
        | Action::ScanAuthorizationRead { .. }
        | Action::BlackoutRead(_)
        | Action::CampaignDeclare(_)
        | Action::CampaignList
        | Action::CampaignRead { .. }
        | Action::CampaignManage(_)
        | Action::OverlapRead(_)
        | Action::OverlapNegotiate(_)
        | Action::OverlapDecide
        | Action::ScanCheck => campaign_rule(actor, action),
        Action::FindingSubmit(org) => actor.is_system() || actor.has_role_in(*org, Role::Finder),
        Action::CaseList => !actor.grants.is_empty() || actor.is_system(),
        Action::CaseRead { standing, part } => {
            let needed = match part {
                CasePart::Summary => CaseView::OpenForValidation,
                CasePart::Remediation => CaseView::Limited,
                CasePart::Details => CaseView::Full,
            };
            standing.view >= needed
        }
        Action::FindingWithdraw { standing, own } => standing.view == CaseView::Full && *own,
        Action::CaseTransition { standing, mover } => match mover {
            Mover::Analyst => standing.analyst,
            Mover::Vendor => standing.analyst || standing.vendor && standing.view == CaseView::Full,
            // Made by the services as consequences (a verdict, a withdrawal), never on request.
            Mover::ValidationQuorum | Mover::Withdrawal => actor.is_system(),
        },
        Action::CaseManage(standing) => standing.analyst,
        Action::CaseQueueRead => actor.has_role(Role::Analyst),
        // Independence: never a member of a finder organization.
        Action::ValidationClaim(standing) => {
            standing.validator_role
                && !standing.in_finder_org
                && standing.view >= CaseView::OpenForValidation
        }
        Action::ValidationVerdict { standing, claimant } => {
            standing.view == CaseView::Full && actor.has_role_in(*claimant, Role::Validator)
        }
        Action::VendorStatusWrite(standing) => {
            standing.analyst || standing.vendor && standing.view == CaseView::Full
        }
        Action::CommentWrite(standing) => standing.view == CaseView::Full,
        Action::AttachmentUpload(standing) => {
            standing.view == CaseView::Full
                && (standing.analyst || standing.finder || standing.validator)
        }
        // Never operators, never outsiders: the finder organization that attached it, analysts,
        // validators on the case and the vendor's members.
        Action::AttachmentRead { standing, uploader } => {
            standing.view == CaseView::Full
                && (standing.analyst || *uploader || standing.validator || standing.vendor_member)
        }
    };
    if allowed {
        Ok(())
    } else {
        Err(Denied(denial_reason(action)))
    }
}

/// The rules for scan campaigns (#5). Operators' ranges are private to the operator (like
/// inventories); authorizations and blackouts are seen by the operator, the finder they concern,
/// analysts and administrators; campaigns by their finder, the operators they target, analysts and
/// administrators; overlaps by both finders, analysts and administrators.
fn campaign_rule(actor: &Actor, action: &Action) -> bool {
    let coordinator = actor.is_admin() || actor.has_role(Role::Analyst);
    let writer = |org: OrgId| {
        actor.is_system()
            || actor.has_role_in(org, Role::OperatorContact)
            || actor.has_role_in(org, Role::Manager)
    };
    let finder = |org: OrgId| {
        actor.is_system()
            || actor.has_role_in(org, Role::Finder)
            || actor.has_role_in(org, Role::Manager)
    };
    match action {
        Action::NetworkRangeRead(org) => actor.is_system() || actor.is_member_of(*org),
        Action::ScanControlManage(org) => writer(*org),
        Action::ScanAuthorizationRead { operator, finder } => {
            coordinator || actor.is_member_of(*operator) || actor.is_member_of(*finder)
        }
        Action::BlackoutRead(org) => coordinator || actor.is_member_of(*org),
        Action::CampaignDeclare(org) => actor.is_system() || actor.has_role_in(*org, Role::Finder),
        Action::CampaignList => !actor.grants.is_empty() || actor.is_system(),
        Action::CampaignRead {
            finder, operators, ..
        } => {
            coordinator
                || actor.is_member_of(*finder)
                || operators.iter().any(|org| actor.is_member_of(*org))
        }
        Action::CampaignManage(org) => finder(*org),
        Action::OverlapRead(finders) => {
            coordinator || finders.iter().any(|org| actor.is_member_of(*org))
        }
        Action::OverlapNegotiate(finders) => finders.iter().any(|org| finder(*org)),
        Action::OverlapDecide => coordinator,
        Action::ScanCheck => actor.has_role(Role::Finder),
        _ => false,
    }
}

/// A campaign token proves what one scanning agent may do: check targets and read its campaign,
/// nothing else, whatever its role would otherwise allow.
fn campaign_token_rule(campaign: CampaignId, action: &Action) -> Result<(), Denied> {
    let allowed = match action {
        Action::ScanCheck => true,
        Action::CampaignRead { campaign: c, .. } => *c == campaign,
        _ => false,
    };
    if allowed {
        Ok(())
    } else {
        Err(Denied(
            "a campaign token may only check targets and read its own campaign",
        ))
    }
}

/// Which campaigns a list may show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CampaignScope {
    /// Every campaign.
    All,
    /// Campaigns declared by these finder organizations or targeting these operators.
    Orgs(Vec<OrgId>),
    /// Only this campaign (a campaign token).
    One(CampaignId),
}

/// Which campaigns the actor may list.
pub fn campaign_scope(actor: &Actor) -> CampaignScope {
    if let Some(campaign) = actor.campaign_scope() {
        CampaignScope::One(campaign)
    } else if actor.is_admin() || actor.has_role(Role::Analyst) {
        CampaignScope::All
    } else {
        let mut orgs: Vec<OrgId> = actor.grants.iter().map(|g| g.org).collect();
        orgs.sort();
        orgs.dedup();
        CampaignScope::Orgs(orgs)
    }
}

/// Which organizations' participants and tokens the actor may list.
pub fn org_scope(actor: &Actor) -> Scope {
    if actor.sees_all_orgs() {
        Scope::All
    } else {
        let mut orgs: Vec<OrgId> = actor.grants.iter().map(|g| g.org).collect();
        orgs.sort();
        orgs.dedup();
        Scope::Orgs(orgs)
    }
}

/// Which organizations' members the actor may list: everyone for administrators, the organizations
/// they manage for managers, nobody else (a person still reads their own record).
pub fn person_scope(actor: &Actor) -> Scope {
    if actor.is_admin() {
        Scope::All
    } else {
        Scope::Orgs(
            actor
                .grants
                .iter()
                .filter(|g| g.role == Role::Manager)
                .map(|g| g.org)
                .collect(),
        )
    }
}

fn denial_reason(action: &Action) -> &'static str {
    match action {
        Action::OrgList | Action::PersonList => {
            "this requires a membership in a participating organization"
        }
        Action::OrgRead(_) => {
            "only members of this organization, analysts and auditors may read it"
        }
        Action::OrgCreate => "only administrators may create organizations",
        Action::PersonRead { .. } => {
            "only the person, their organization's managers and administrators may read it"
        }
        Action::PersonCreate(_) => {
            "only administrators and the organization's managers may add people"
        }
        Action::MembershipGrant { .. } => {
            "only administrators and the organization's managers may grant roles"
        }
        Action::TokenList(_) => "only members of this organization may list its tokens",
        Action::TokenCreate { .. } => {
            "a token may carry only a role its creator holds in that organization (managers: any but admin)"
        }
        Action::TokenRevoke { .. } => {
            "only the token's owner, the organization's managers and administrators may revoke it"
        }
        Action::PasswordSet(_) => "only the person themself and administrators may set a password",
        Action::LogRead => "only auditors and administrators may read the log",
        Action::KbRead => "this requires a membership in a participating organization",
        Action::KbImport => "only analysts and administrators may import into the knowledge base",
        Action::InventoryRead { .. } => {
            "an inventory is visible only to its operator (and to analysts if the operator shared it)"
        }
        Action::InventoryWrite(_) => {
            "only the operator's contacts and managers may change its inventory"
        }
        Action::ExposureRead => "only analysts and administrators may read aggregate exposure",
        Action::SubscriptionManage(_) => {
            "only the organization's operator contacts and managers may manage its notifications"
        }
        Action::NetworkRangeRead(_) => {
            "an operator's network ranges are visible only to its own members"
        }
        Action::ScanControlManage(_) => {
            "only the operator's contacts and managers may change its ranges, authorizations and blackouts"
        }
        Action::ScanAuthorizationRead { .. } => {
            "only the operator, the finder it authorized, analysts and administrators may read an authorization"
        }
        Action::BlackoutRead(_) => {
            "only the operator's members, analysts and administrators may read its blackouts"
        }
        Action::CampaignDeclare(_) => {
            "only the organization's finders may declare campaigns for it"
        }
        Action::CampaignList => "this requires a membership in a participating organization",
        Action::CampaignRead { .. } => {
            "a campaign is visible to its finder, the operators it targets, analysts and administrators"
        }
        Action::CampaignManage(_) => {
            "only the campaign's finder organization (finders and managers) may change it"
        }
        Action::OverlapRead(_) => {
            "an overlap is visible to the two finders, analysts and administrators"
        }
        Action::OverlapNegotiate(_) => {
            "only the finders of the two campaigns may propose or accept a resolution"
        }
        Action::OverlapDecide => "only analysts and administrators may decide an overlap",
        Action::ScanCheck => "only finders (and campaign tokens) may check scan authorization",
        Action::FindingSubmit(_) => "only the organization's finders may submit findings for it",
        Action::CaseRead { .. } => "this part of the case is not visible to you",
        Action::CaseList => "this requires a membership in a participating organization",
        Action::FindingWithdraw { .. } => {
            "only the finders of the organization that submitted it may withdraw a finding"
        }
        Action::CaseTransition { mover, .. } => match mover {
            Mover::Analyst => "only clearinghouse analysts may make this transition",
            Mover::Vendor => "only the case's vendors (and analysts) may make this transition",
            Mover::ValidationQuorum => {
                "a case becomes validated only by its validators' verdicts reaching the quorum"
            }
            Mover::Withdrawal => {
                "a case closes this way only when its finders withdraw every finding"
            }
        },
        Action::CaseManage(_) => "only clearinghouse analysts may manage a case",
        Action::CaseQueueRead => "only clearinghouse analysts read the queue and merge proposals",
        Action::ValidationClaim(_) => {
            "only validators outside the finders' organizations may claim a case open for validation"
        }
        Action::ValidationVerdict { .. } => {
            "only the validators of the organization that claimed may give its verdict"
        }
        Action::VendorStatusWrite(_) => {
            "only the vendor contacts of the case's vendors (and analysts) may record a status"
        }
        Action::CommentWrite(_) => "only the case's members may write in its thread",
        Action::AttachmentUpload(_) => {
            "only the case's finders, its claimed validators and analysts may attach files"
        }
        Action::AttachmentRead { .. } => {
            "attachments are visible only to the finder that attached them, analysts, the case's validators and vendors"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role, org: OrgId) -> Actor {
        Actor::person(PersonId::generate(), vec![Grant { org, role }])
    }

    #[test]
    fn nobody_without_grants_may_do_anything() {
        let nobody = Actor::person(PersonId::generate(), vec![]);
        let org = OrgId::generate();
        for action in [
            Action::OrgList,
            Action::OrgRead(org),
            Action::OrgCreate,
            Action::PersonCreate(org),
            Action::TokenList(org),
            Action::TokenCreate {
                org,
                role: Role::Member,
            },
            Action::LogRead,
        ] {
            assert!(authorize(&nobody, &action).is_err(), "{action:?}");
        }
    }

    #[test]
    fn organizations_are_private_to_their_members() {
        let (mine, theirs) = (OrgId::generate(), OrgId::generate());
        let operator = actor(Role::OperatorContact, mine);
        assert!(authorize(&operator, &Action::OrgRead(mine)).is_ok());
        assert!(authorize(&operator, &Action::OrgRead(theirs)).is_err());
        assert_eq!(org_scope(&operator), Scope::Orgs(vec![mine]));
        assert_eq!(org_scope(&actor(Role::Analyst, mine)), Scope::All);
    }

    #[test]
    fn tokens_carry_at_most_the_creators_role() {
        let org = OrgId::generate();
        let finder = actor(Role::Finder, org);
        assert!(
            authorize(
                &finder,
                &Action::TokenCreate {
                    org,
                    role: Role::Finder
                }
            )
            .is_ok()
        );
        assert!(
            authorize(
                &finder,
                &Action::TokenCreate {
                    org,
                    role: Role::Manager
                }
            )
            .is_err()
        );
        let manager = actor(Role::Manager, org);
        assert!(
            authorize(
                &manager,
                &Action::TokenCreate {
                    org,
                    role: Role::Finder
                }
            )
            .is_ok()
        );
        assert!(
            authorize(
                &manager,
                &Action::TokenCreate {
                    org,
                    role: Role::Admin
                }
            )
            .is_err()
        );
        let token = Actor::token(
            TokenId::generate(),
            None,
            Grant {
                org,
                role: Role::Finder,
            },
        );
        assert!(
            authorize(
                &token,
                &Action::TokenCreate {
                    org,
                    role: Role::Finder
                }
            )
            .is_err()
        );
    }

    #[test]
    fn inventories_are_private_to_their_operator() {
        let (mine, theirs) = (OrgId::generate(), OrgId::generate());
        let operator = actor(Role::OperatorContact, mine);
        let member = actor(Role::Member, mine);
        let read = |org, shared| Action::InventoryRead { org, shared };
        assert!(authorize(&operator, &read(mine, false)).is_ok());
        assert!(authorize(&member, &read(mine, false)).is_ok());
        assert!(authorize(&member, &Action::InventoryWrite(mine)).is_err());
        assert!(authorize(&operator, &read(theirs, false)).is_err());
        assert!(authorize(&operator, &Action::InventoryWrite(theirs)).is_err());
        for role in [Role::Admin, Role::Analyst, Role::Auditor] {
            assert!(
                authorize(&actor(role, theirs), &read(mine, false)).is_err(),
                "{role}"
            );
        }
        assert!(authorize(&actor(Role::Analyst, theirs), &read(mine, true)).is_ok());
        assert!(authorize(&actor(Role::Analyst, theirs), &Action::ExposureRead).is_ok());
        assert!(authorize(&operator, &Action::ExposureRead).is_err());
    }

    #[test]
    fn campaign_tokens_only_check_and_read_their_campaign() {
        let org = OrgId::generate();
        let (mine, other) = (CampaignId::generate(), CampaignId::generate());
        let token = Actor::campaign_token(
            TokenId::generate(),
            None,
            Grant {
                org,
                role: Role::Finder,
            },
            mine,
        );
        let read = |campaign| Action::CampaignRead {
            campaign,
            finder: org,
            operators: vec![],
        };
        assert!(authorize(&token, &Action::ScanCheck).is_ok());
        assert!(authorize(&token, &read(mine)).is_ok());
        assert!(authorize(&token, &read(other)).is_err());
        for action in [
            Action::CampaignList,
            Action::CampaignDeclare(org),
            Action::CampaignManage(org),
            Action::OrgRead(org),
            Action::KbRead,
            Action::TokenList(org),
        ] {
            assert!(authorize(&token, &action).is_err(), "{action:?}");
        }
        assert_eq!(campaign_scope(&token), CampaignScope::One(mine));
    }

    #[test]
    fn campaigns_are_seen_by_their_finder_targeted_operators_and_coordinators() {
        let (finder_org, operator, stranger) =
            (OrgId::generate(), OrgId::generate(), OrgId::generate());
        let read = Action::CampaignRead {
            campaign: CampaignId::generate(),
            finder: finder_org,
            operators: vec![operator],
        };
        assert!(authorize(&actor(Role::Member, finder_org), &read).is_ok());
        assert!(authorize(&actor(Role::OperatorContact, operator), &read).is_ok());
        assert!(authorize(&actor(Role::Analyst, stranger), &read).is_ok());
        assert!(authorize(&actor(Role::Finder, stranger), &read).is_err());
        assert!(authorize(&actor(Role::Auditor, stranger), &read).is_err());
        assert!(
            authorize(
                &actor(Role::Finder, finder_org),
                &Action::CampaignDeclare(finder_org)
            )
            .is_ok()
        );
        assert!(
            authorize(
                &actor(Role::Manager, finder_org),
                &Action::CampaignDeclare(finder_org)
            )
            .is_err()
        );
        assert!(
            authorize(
                &actor(Role::Admin, stranger),
                &Action::NetworkRangeRead(operator)
            )
            .is_err()
        );
        assert!(
            authorize(
                &actor(Role::Member, operator),
                &Action::NetworkRangeRead(operator)
            )
            .is_ok()
        );
        assert!(
            authorize(
                &actor(Role::Member, operator),
                &Action::ScanControlManage(operator)
            )
            .is_err()
        );
        let pair = [finder_org, stranger];
        assert!(
            authorize(
                &actor(Role::Finder, stranger),
                &Action::OverlapNegotiate(pair)
            )
            .is_ok()
        );
        assert!(
            authorize(
                &actor(Role::Member, stranger),
                &Action::OverlapNegotiate(pair)
            )
            .is_err()
        );
        assert!(authorize(&actor(Role::Member, stranger), &Action::OverlapRead(pair)).is_ok());
        assert!(authorize(&actor(Role::Finder, stranger), &Action::OverlapDecide).is_err());
        assert!(authorize(&actor(Role::Analyst, operator), &Action::OverlapDecide).is_ok());
    }

    #[test]
    fn only_auditors_and_admins_read_the_log() {
        let org = OrgId::generate();
        assert!(authorize(&actor(Role::Auditor, org), &Action::LogRead).is_ok());
        assert!(authorize(&actor(Role::Admin, org), &Action::LogRead).is_ok());
        assert!(authorize(&actor(Role::Analyst, org), &Action::LogRead).is_err());
    }

    #[test]
    fn case_actions_follow_the_standing() {
        let org = OrgId::generate();
        let analyst = actor(Role::Analyst, org);
        let full = CaseStanding {
            view: CaseView::Full,
            ..CaseStanding::default()
        };
        let limited = CaseStanding {
            view: CaseView::Limited,
            operator_only: true,
            ..CaseStanding::default()
        };
        let nothing = CaseStanding::default();
        let read = |standing, part| Action::CaseRead { standing, part };
        let member = actor(Role::Member, org);
        assert!(authorize(&member, &read(full, CasePart::Details)).is_ok());
        assert!(authorize(&member, &read(limited, CasePart::Remediation)).is_ok());
        assert!(authorize(&member, &read(limited, CasePart::Details)).is_err());
        assert!(authorize(&member, &read(nothing, CasePart::Summary)).is_err());
        let analyst_standing = CaseStanding {
            analyst: true,
            ..full
        };
        for mover in [Mover::Analyst, Mover::Vendor] {
            assert!(
                authorize(
                    &analyst,
                    &Action::CaseTransition {
                        standing: analyst_standing,
                        mover
                    }
                )
                .is_ok()
            );
        }
        let quorum = Action::CaseTransition {
            standing: analyst_standing,
            mover: Mover::ValidationQuorum,
        };
        assert!(
            authorize(&analyst, &quorum).is_err(),
            "nobody forces a validation"
        );
        assert!(authorize(&Actor::system(), &quorum).is_ok());
        let vendor = CaseStanding {
            vendor: true,
            vendor_member: true,
            ..full
        };
        assert!(authorize(&member, &Action::VendorStatusWrite(vendor)).is_ok());
        assert!(authorize(&member, &Action::VendorStatusWrite(full)).is_err());
        // Exploit material: never operators, never outsiders, vendors and uploaders yes.
        let attachment = |standing, uploader| Action::AttachmentRead { standing, uploader };
        assert!(authorize(&member, &attachment(limited, false)).is_err());
        assert!(authorize(&member, &attachment(nothing, true)).is_err());
        assert!(authorize(&member, &attachment(vendor, false)).is_ok());
        assert!(authorize(&member, &attachment(full, true)).is_ok());
        assert!(authorize(&member, &attachment(full, false)).is_err());
        // Independence of validators.
        let open = CaseStanding {
            view: CaseView::OpenForValidation,
            validator_role: true,
            ..CaseStanding::default()
        };
        let validator = actor(Role::Validator, org);
        assert!(authorize(&validator, &Action::ValidationClaim(open)).is_ok());
        let insider = CaseStanding {
            in_finder_org: true,
            ..open
        };
        assert!(authorize(&validator, &Action::ValidationClaim(insider)).is_err());
        assert!(authorize(&actor(Role::Finder, org), &Action::FindingSubmit(org)).is_ok());
        assert!(
            authorize(
                &actor(Role::Finder, org),
                &Action::FindingSubmit(OrgId::generate())
            )
            .is_err()
        );
        assert!(authorize(&analyst, &Action::CaseQueueRead).is_ok());
        assert!(authorize(&actor(Role::Admin, org), &Action::CaseQueueRead).is_err());
    }
}
