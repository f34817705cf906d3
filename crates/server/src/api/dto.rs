//! Wire types of the JSON API. Domain types are converted here once, so a change inside the
//! domain never silently changes the API (the committed `openapi.json` would show it).

use clearinghouse_domain::audit::LeafContent;
use clearinghouse_domain::authz::{Actor, Principal};
use clearinghouse_domain::{
    Membership, OrgId, OrgKind, Organization, Person, PersonId, Role, Sector, TokenId, TokenInfo,
};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Page selection for list endpoints.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size, 1 to 500 (default 50).
    pub limit: Option<u32>,
}

/// An organization.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrgSummary {
    /// Its id.
    pub id: OrgId,
    /// Its unique name.
    pub name: String,
    /// What kind of participant it is.
    pub kind: OrgKind,
    /// The critical-infrastructure sector, for operators.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sector: Option<Sector>,
    /// When it joined.
    pub created_at: Timestamp,
}

impl From<Organization> for OrgSummary {
    fn from(org: Organization) -> Self {
        Self {
            id: org.id,
            name: org.name,
            kind: org.kind,
            sector: org.sector,
            created_at: org.created_at,
        }
    }
}

/// A page of organizations.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrgPage {
    /// The organizations.
    pub items: Vec<OrgSummary>,
    /// The cursor of the next page, absent on the last.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// Create an organization.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateOrgRequest {
    /// A unique name, 1 to 200 characters.
    pub name: String,
    /// What kind of participant it is.
    pub kind: OrgKind,
    /// Required for operators, forbidden otherwise.
    pub sector: Option<Sector>,
}

/// A person.
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonSummary {
    /// Their id.
    pub id: PersonId,
    /// Their e-mail address.
    pub email: String,
    /// Their name.
    pub display_name: String,
    /// When they were added.
    pub created_at: Timestamp,
}

impl From<Person> for PersonSummary {
    fn from(p: Person) -> Self {
        Self {
            id: p.id,
            email: p.email,
            display_name: p.display_name,
            created_at: p.created_at,
        }
    }
}

/// A page of people.
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonPage {
    /// The people.
    pub items: Vec<PersonSummary>,
    /// The cursor of the next page, absent on the last.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// A role held in an organization.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MembershipDto {
    /// The organization.
    pub org_id: OrgId,
    /// The role.
    pub role: Role,
}

impl From<Membership> for MembershipDto {
    fn from(m: Membership) -> Self {
        Self {
            org_id: m.org_id,
            role: m.role,
        }
    }
}

/// A person with their roles.
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonDetailsDto {
    /// The person.
    #[serde(flatten)]
    pub person: PersonSummary,
    /// Their roles.
    pub memberships: Vec<MembershipDto>,
}

/// Create a person in an organization.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePersonRequest {
    /// Their e-mail address (unique).
    pub email: String,
    /// Their name.
    pub display_name: String,
    /// The organization they join.
    pub org_id: OrgId,
    /// Their role there.
    pub role: Role,
    /// An initial password of at least 12 characters; omit to use sign-in links.
    pub password: Option<String>,
}

/// A member of an organization.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberDto {
    /// The person.
    #[serde(flatten)]
    pub person: PersonSummary,
    /// Their role.
    pub role: Role,
}

/// An API token, without its secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenSummary {
    /// Its id.
    pub id: TokenId,
    /// The organization it acts for.
    pub org_id: OrgId,
    /// Who created it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub person_id: Option<PersonId>,
    /// Its label.
    pub name: String,
    /// The one role it carries.
    pub role: Role,
    /// The first characters of the secret.
    pub prefix: String,
    /// When it was created.
    pub created_at: Timestamp,
    /// When it expires.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<Timestamp>,
    /// When it was revoked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<Timestamp>,
    /// Whether it works now.
    pub active: bool,
}

impl From<TokenInfo> for TokenSummary {
    fn from(t: TokenInfo) -> Self {
        let active = t.is_active(Timestamp::now());
        Self {
            id: t.id,
            org_id: t.org_id,
            person_id: t.person_id,
            name: t.name,
            role: t.role,
            prefix: t.prefix,
            created_at: t.created_at,
            expires_at: t.expires_at,
            revoked_at: t.revoked_at,
            active,
        }
    }
}

/// A page of tokens.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenPage {
    /// The tokens.
    pub items: Vec<TokenSummary>,
    /// The cursor of the next page, absent on the last.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// Create a token.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTokenRequest {
    /// A label, 1 to 100 characters.
    pub name: String,
    /// The one role it carries: one its creator holds in the organization.
    pub role: Role,
    /// Lifetime in days, 1 to 366 (default 366).
    pub expires_in_days: Option<i64>,
}

/// A token just created. The secret is shown this once and never again.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedTokenResponse {
    /// The token.
    pub token: TokenSummary,
    /// The secret to send as `Authorization: Bearer <secret>`.
    pub secret: String,
}

/// Who is calling.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeResponse {
    /// `person`, `token` or `system`.
    pub kind: String,
    /// The person or token id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The roles held.
    pub grants: Vec<MembershipDto>,
}

impl From<&Actor> for MeResponse {
    fn from(actor: &Actor) -> Self {
        let (kind, id) = match actor.principal() {
            Principal::Person { id } => ("person", Some(id.to_string())),
            Principal::Token { id, .. } => ("token", Some(id.to_string())),
            Principal::System => ("system", None),
        };
        Self {
            kind: kind.to_owned(),
            id,
            grants: actor
                .grants()
                .iter()
                .map(|g| MembershipDto {
                    org_id: g.org,
                    role: g.role,
                })
                .collect(),
        }
    }
}

/// A log entry.
#[derive(Debug, Serialize, ToSchema)]
pub struct LogEntryDto {
    /// Its index.
    pub index: u64,
    /// Base64 of the exact leaf bytes that were hashed (RFC 6962: SHA-256(0x00 || leaf)).
    pub leaf: String,
    /// Base64 of the leaf hash.
    pub leaf_hash: String,
    /// The leaf decoded (it is canonical JSON).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<LeafContent>,
}

/// A page of log entries.
#[derive(Debug, Serialize, ToSchema)]
pub struct LogEntryPage {
    /// The entries, oldest first.
    pub items: Vec<LogEntryDto>,
    /// The index to pass as `from` for the next page, absent on the last.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_from: Option<u64>,
    /// The tree size when this page was read.
    pub tree_size: u64,
}

/// A Merkle proof.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProofDto {
    /// Base64 hashes, in RFC 9162 order.
    pub hashes: Vec<String>,
}

/// Inclusion proof parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InclusionQuery {
    /// The entry's index.
    pub index: u64,
    /// The tree size the proof is against.
    pub tree_size: u64,
}

/// Consistency proof parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConsistencyQuery {
    /// The older tree size.
    pub from: u64,
    /// The newer tree size.
    pub to: u64,
}

/// Entry listing parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EntriesQuery {
    /// The first index (default 0).
    pub from: Option<u64>,
    /// Page size, 1 to 500 (default 50).
    pub limit: Option<u32>,
}
