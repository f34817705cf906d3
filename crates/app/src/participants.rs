//! Organizations, people, memberships and API tokens.

use clearinghouse_domain::audit::AuditRecord;
use clearinghouse_domain::authz::{Action, Actor, Denied, authorize, org_scope, person_scope};
use clearinghouse_domain::page::{Page, PageRequest};
use clearinghouse_domain::{
    Membership, NewOrganization, NewPerson, OrgId, Organization, Person, PersonId, Role, TokenId,
    TokenInfo,
};
use clearinghouse_store::NewToken;
use jiff::SignedDuration;
use serde_json::json;

use crate::App;
use crate::error::{Error, Result};
use crate::secrets::{TOKEN_PREFIX, hash_password, new_secret, secret_hash};

/// The longest lifetime a token may be given: tokens are meant to be rotated.
pub const MAX_TOKEN_DAYS: i64 = 366;

/// A request to create a person.
#[derive(Clone, Debug)]
pub struct PersonRequest {
    /// Validated e-mail and name.
    pub person: NewPerson,
    /// The organization they join.
    pub org: OrgId,
    /// Their role there.
    pub role: Role,
    /// An initial password, if they will sign in with one (otherwise: sign-in links).
    pub password: Option<String>,
}

/// A request to create a token.
#[derive(Clone, Debug)]
pub struct TokenRequest {
    /// The organization it acts for.
    pub org: OrgId,
    /// Its one role.
    pub role: Role,
    /// A label.
    pub name: String,
    /// Lifetime in days; `None` means the maximum.
    pub expires_in_days: Option<i64>,
}

/// A person with their memberships.
#[derive(Clone, Debug)]
pub struct PersonDetails {
    /// The person.
    pub person: Person,
    /// Their roles.
    pub memberships: Vec<Membership>,
}

/// A token just created: the only moment its secret exists outside the holder's hands.
#[derive(Clone, Debug)]
pub struct CreatedToken {
    /// What is stored.
    pub info: TokenInfo,
    /// The secret, shown once.
    pub secret: String,
}

impl App {
    /// Creates an organization.
    pub async fn create_org(&self, actor: &Actor, new: NewOrganization) -> Result<Organization> {
        authorize(actor, &Action::OrgCreate)?;
        let org = Organization {
            id: OrgId::generate(),
            name: new.name().to_owned(),
            kind: new.kind(),
            sector: new.sector(),
            created_at: clearinghouse_domain::time::now(),
        };
        let audit = AuditRecord::new(
            actor.label(),
            "org.create",
            format!("org:{}", org.id),
            json!({"name": org.name, "kind": org.kind, "sector": org.sector}),
        );
        self.store.create_org(&org, &audit).await?;
        Ok(org)
    }

    /// Reads an organization; one the actor may not see is reported as not found, so its existence
    /// does not leak.
    pub async fn org(&self, actor: &Actor, id: OrgId) -> Result<Organization> {
        let org = self
            .store
            .org(id)
            .await?
            .ok_or_else(|| Error::NotFound(format!("organization {id}")))?;
        authorize(actor, &Action::OrgRead(id))
            .map_err(|_| Error::NotFound(format!("organization {id}")))?;
        Ok(org)
    }

    /// Finds an organization by name (for the CLI and forms).
    pub async fn org_by_name(&self, actor: &Actor, name: &str) -> Result<Organization> {
        let org = self
            .store
            .org_by_name(name)
            .await?
            .ok_or_else(|| Error::NotFound(format!("organization {name:?}")))?;
        authorize(actor, &Action::OrgRead(org.id))
            .map_err(|_| Error::NotFound(format!("organization {name:?}")))?;
        Ok(org)
    }

    /// Lists the organizations the actor may see.
    pub async fn list_orgs(&self, actor: &Actor, page: &PageRequest) -> Result<Page<Organization>> {
        authorize(actor, &Action::OrgList)?;
        Ok(self.store.list_orgs(&org_scope(actor), page).await?)
    }

    /// Creates a person in an organization.
    pub async fn create_person(
        &self,
        actor: &Actor,
        request: PersonRequest,
    ) -> Result<PersonDetails> {
        authorize(actor, &Action::PersonCreate(request.org))?;
        authorize(
            actor,
            &Action::MembershipGrant {
                org: request.org,
                role: request.role,
            },
        )?;
        self.store
            .org(request.org)
            .await?
            .ok_or_else(|| Error::NotFound(format!("organization {}", request.org)))?;
        let password_hash = request.password.as_deref().map(hash_password).transpose()?;
        let person = Person {
            id: PersonId::generate(),
            email: request.person.email().to_owned(),
            display_name: request.person.display_name().to_owned(),
            created_at: clearinghouse_domain::time::now(),
        };
        let membership = Membership {
            person_id: person.id,
            org_id: request.org,
            role: request.role,
        };
        let audit = AuditRecord::new(
            actor.label(),
            "person.create",
            format!("person:{}", person.id),
            json!({
                "email": person.email,
                "display_name": person.display_name,
                "org": request.org,
                "role": request.role,
                "password": password_hash.as_ref().map(|h| self.keys.keyed_digest(h.as_bytes())),
            }),
        );
        self.store
            .create_person(
                &person,
                password_hash.as_deref(),
                std::slice::from_ref(&membership),
                &audit,
            )
            .await?;
        Ok(PersonDetails {
            person,
            memberships: vec![membership],
        })
    }

    /// Reads a person and their memberships.
    pub async fn person(&self, actor: &Actor, id: PersonId) -> Result<PersonDetails> {
        let not_found = || Error::NotFound(format!("person {id}"));
        let person = self.store.person(id).await?.ok_or_else(not_found)?;
        let memberships = self.store.memberships_of(id).await?;
        let orgs = memberships.iter().map(|m| m.org_id).collect();
        authorize(actor, &Action::PersonRead { person: id, orgs }).map_err(|_| not_found())?;
        Ok(PersonDetails {
            person,
            memberships,
        })
    }

    /// Lists the people the actor may see.
    pub async fn list_people(&self, actor: &Actor, page: &PageRequest) -> Result<Page<Person>> {
        authorize(actor, &Action::PersonList)?;
        Ok(self.store.list_people(&person_scope(actor), page).await?)
    }

    /// An organization's members, for its page.
    pub async fn members(&self, actor: &Actor, org: OrgId) -> Result<Vec<(Person, Role)>> {
        self.org(actor, org).await?;
        Ok(self.store.members_of(org).await?)
    }

    /// Gives a person a role in an organization.
    pub async fn grant_membership(&self, actor: &Actor, membership: Membership) -> Result<()> {
        authorize(
            actor,
            &Action::MembershipGrant {
                org: membership.org_id,
                role: membership.role,
            },
        )?;
        let audit = AuditRecord::new(
            actor.label(),
            "membership.grant",
            format!("person:{}", membership.person_id),
            json!({"org": membership.org_id, "role": membership.role}),
        );
        self.store.grant_membership(&membership, &audit).await?;
        Ok(())
    }

    /// Sets a person's password: the person themself, or an administrator.
    pub async fn set_password(
        &self,
        actor: &Actor,
        person: PersonId,
        password: &str,
    ) -> Result<()> {
        self.person(actor, person).await?;
        authorize(actor, &Action::PasswordSet(person))?;
        let hash = hash_password(password)?;
        let audit = AuditRecord::new(
            actor.label(),
            "person.set_password",
            format!("person:{person}"),
            json!({"password": self.keys.keyed_digest(hash.as_bytes())}),
        );
        self.store.set_password(person, &hash, &audit).await?;
        Ok(())
    }

    /// Creates a token; its secret is returned once and only its hash is stored.
    pub async fn create_token(&self, actor: &Actor, request: TokenRequest) -> Result<CreatedToken> {
        authorize(
            actor,
            &Action::TokenCreate {
                org: request.org,
                role: request.role,
            },
        )?;
        self.store
            .org(request.org)
            .await?
            .ok_or_else(|| Error::NotFound(format!("organization {}", request.org)))?;
        let name = request.name.trim();
        if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
            return Err(Error::Invalid {
                field: "name".into(),
                problem: "must be 1 to 100 printable characters".into(),
            });
        }
        let days = request.expires_in_days.unwrap_or(MAX_TOKEN_DAYS);
        if !(1..=MAX_TOKEN_DAYS).contains(&days) {
            return Err(Error::Invalid {
                field: "expires_in_days".into(),
                problem: format!("must be between 1 and {MAX_TOKEN_DAYS}"),
            });
        }
        let now = clearinghouse_domain::time::now();
        let expires_at = now
            .checked_add(SignedDuration::from_hours(24 * days))
            .map_err(|e| Error::Invalid {
                field: "expires_in_days".into(),
                problem: e.to_string(),
            })?;
        let secret = new_secret(TOKEN_PREFIX);
        let info = TokenInfo {
            id: TokenId::generate(),
            org_id: request.org,
            person_id: actor.person_id(),
            name: name.to_owned(),
            role: request.role,
            prefix: secret.chars().take(TOKEN_PREFIX.len() + 6).collect(),
            created_at: now,
            expires_at: Some(expires_at),
            revoked_at: None,
            campaign: None,
        };
        let secret_hash = secret_hash(&secret);
        let audit = AuditRecord::new(
            actor.label(),
            "token.create",
            format!("token:{}", info.id),
            json!({
                "org": info.org_id,
                "role": info.role,
                "name": info.name,
                "expires_at": expires_at.to_string(),
                "secret": self.keys.keyed_digest(secret.as_bytes()),
            }),
        );
        self.store
            .create_token(
                &NewToken {
                    info: info.clone(),
                    secret_hash,
                },
                &audit,
            )
            .await?;
        Ok(CreatedToken { info, secret })
    }

    /// Lists an organization's tokens: all of them for administrators and managers, one's own for
    /// other members.
    pub async fn list_tokens(
        &self,
        actor: &Actor,
        org: OrgId,
        page: &PageRequest,
    ) -> Result<Page<TokenInfo>> {
        authorize(actor, &Action::TokenList(org))
            .map_err(|_| Error::NotFound(format!("organization {org}")))?;
        let sees_all = authorize(actor, &Action::TokenRevoke { org, owner: None }).is_ok();
        let owner = match (sees_all, actor.person_id()) {
            (true, _) => None,
            (false, Some(person)) => Some(person),
            (false, None) => {
                return Err(Error::Denied(Denied("a token may not list other tokens")));
            }
        };
        Ok(self.store.list_tokens(org, owner, page).await?)
    }

    /// Revokes a token at once.
    pub async fn revoke_token(&self, actor: &Actor, id: TokenId) -> Result<TokenInfo> {
        let not_found = || Error::NotFound(format!("token {id}"));
        let token = self.store.token(id).await?.ok_or_else(not_found)?;
        authorize(actor, &Action::TokenList(token.org_id)).map_err(|_| not_found())?;
        authorize(
            actor,
            &Action::TokenRevoke {
                org: token.org_id,
                owner: token.person_id,
            },
        )?;
        let now = clearinghouse_domain::time::now();
        let audit = AuditRecord::new(
            actor.label(),
            "token.revoke",
            format!("token:{id}"),
            json!({"org": token.org_id}),
        );
        self.store.revoke_token(id, now, &audit).await?;
        self.tokens.forget(id);
        Ok(TokenInfo {
            revoked_at: token.revoked_at.or(Some(now)),
            ..token
        })
    }
}
