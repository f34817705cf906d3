//! Row structs shared by both engines. Both schemas store the same column types (text ids,
//! integer microsecond times, byte strings), so one `FromRow` derive serves both.

use clearinghouse_domain::time::from_micros;
use clearinghouse_domain::{
    Membership, OrgId, Organization, Person, PersonId, Role, TokenId, TokenInfo,
};

use crate::{Error, LogEntry, Result, SessionRecord};

#[derive(sqlx::FromRow)]
pub(crate) struct OrgRow {
    id: String,
    name: String,
    kind: String,
    sector: Option<String>,
    created_at: i64,
}

impl TryFrom<OrgRow> for Organization {
    type Error = Error;
    fn try_from(row: OrgRow) -> Result<Self> {
        Ok(Organization {
            id: parse(&row.id, "organization id")?,
            name: row.name,
            kind: parse(&row.kind, "organization type")?,
            sector: row
                .sector
                .as_deref()
                .map(|s| parse(s, "sector"))
                .transpose()?,
            created_at: from_micros(row.created_at),
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct PersonRow {
    id: String,
    email: String,
    display_name: String,
    created_at: i64,
}

impl TryFrom<PersonRow> for Person {
    type Error = Error;
    fn try_from(row: PersonRow) -> Result<Self> {
        Ok(Person {
            id: parse(&row.id, "person id")?,
            email: row.email,
            display_name: row.display_name,
            created_at: from_micros(row.created_at),
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct CredentialRow {
    #[sqlx(flatten)]
    person: PersonRow,
    password_hash: Option<String>,
}

impl TryFrom<CredentialRow> for (Person, Option<String>) {
    type Error = Error;
    fn try_from(row: CredentialRow) -> Result<Self> {
        Ok((Person::try_from(row.person)?, row.password_hash))
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct MembershipRow {
    person_id: String,
    org_id: String,
    role: String,
}

impl TryFrom<MembershipRow> for Membership {
    type Error = Error;
    fn try_from(row: MembershipRow) -> Result<Self> {
        Ok(Membership {
            person_id: parse(&row.person_id, "person id")?,
            org_id: parse(&row.org_id, "organization id")?,
            role: parse(&row.role, "role")?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct MemberRow {
    #[sqlx(flatten)]
    person: PersonRow,
    role: String,
}

impl TryFrom<MemberRow> for (Person, Role) {
    type Error = Error;
    fn try_from(row: MemberRow) -> Result<Self> {
        Ok((Person::try_from(row.person)?, parse(&row.role, "role")?))
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct TokenRow {
    id: String,
    org_id: String,
    person_id: Option<String>,
    name: String,
    role: String,
    prefix: String,
    created_at: i64,
    expires_at: Option<i64>,
    revoked_at: Option<i64>,
    campaign_id: Option<String>,
}

impl TryFrom<TokenRow> for TokenInfo {
    type Error = Error;
    fn try_from(row: TokenRow) -> Result<Self> {
        Ok(TokenInfo {
            id: parse::<TokenId>(&row.id, "token id")?,
            org_id: parse::<OrgId>(&row.org_id, "organization id")?,
            person_id: row
                .person_id
                .as_deref()
                .map(|p| parse::<PersonId>(p, "person id"))
                .transpose()?,
            name: row.name,
            role: parse(&row.role, "role")?,
            prefix: row.prefix,
            created_at: from_micros(row.created_at),
            expires_at: row.expires_at.map(from_micros),
            revoked_at: row.revoked_at.map(from_micros),
            campaign: row
                .campaign_id
                .as_deref()
                .map(|c| parse(c, "campaign id"))
                .transpose()?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct SessionRow {
    person_id: String,
    csrf_token: String,
    created_at: i64,
    expires_at: i64,
}

impl TryFrom<SessionRow> for SessionRecord {
    type Error = Error;
    fn try_from(row: SessionRow) -> Result<Self> {
        Ok(SessionRecord {
            person_id: parse(&row.person_id, "person id")?,
            csrf_token: row.csrf_token,
            created_at: from_micros(row.created_at),
            expires_at: from_micros(row.expires_at),
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct LogEntryRow {
    idx: i64,
    leaf: Vec<u8>,
}

impl From<LogEntryRow> for LogEntry {
    fn from(row: LogEntryRow) -> Self {
        LogEntry {
            index: row.idx as u64,
            leaf: row.leaf,
        }
    }
}

pub(crate) fn parse<T: std::str::FromStr>(value: &str, what: &str) -> Result<T> {
    value
        .parse()
        .map_err(|_| Error::Corrupt(format!("{what} {value:?}")))
}

/// Converts every row, failing on the first corrupt one.
pub(crate) fn convert_all<R, T: TryFrom<R, Error = Error>>(rows: Vec<R>) -> Result<Vec<T>> {
    rows.into_iter().map(T::try_from).collect()
}
