//! Authentication: bearer tokens, browser sessions, passwords and one-time sign-in links, each
//! turned into an `Actor` that the authorization policy judges.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use clearinghouse_domain::audit::AuditRecord;
use clearinghouse_domain::authz::{Actor, Grant};
use clearinghouse_domain::{PersonId, TokenInfo};
use clearinghouse_store::SessionRecord;
use jiff::{SignedDuration, Timestamp};
use serde_json::json;

use crate::App;
use crate::error::{Error, Result};
use crate::secrets::{new_secret, secret_hash, verify_password};

/// How long a browser session lasts.
pub const SESSION_HOURS: i64 = 12;
/// How long a one-time sign-in link stays valid.
pub const SIGNIN_LINK_HOURS: i64 = 24;

/// How long an authenticated token is remembered without asking the database again. A revocation
/// made through this process takes effect at once; one made through another server process sharing
/// the database takes effect within this time.
pub const TOKEN_CACHE_TTL: Duration = Duration::from_secs(5);
/// Beyond this many remembered tokens, expired entries are dropped on the next insert.
const TOKEN_CACHE_SOFT_LIMIT: usize = 10_000;

/// Recently authenticated tokens by the hash of their secret, so hot read paths skip the lookup.
#[derive(Default)]
pub struct TokenCache {
    entries: Mutex<HashMap<[u8; 32], (TokenInfo, Instant)>>,
}

impl TokenCache {
    fn get(&self, hash: &[u8; 32]) -> Option<TokenInfo> {
        let entries = self.entries.lock().ok()?;
        entries
            .get(hash)
            .filter(|(_, at)| at.elapsed() < TOKEN_CACHE_TTL)
            .map(|(info, _)| info.clone())
    }

    fn put(&self, hash: [u8; 32], info: TokenInfo) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= TOKEN_CACHE_SOFT_LIMIT {
                entries.retain(|_, (_, at)| at.elapsed() < TOKEN_CACHE_TTL);
            }
            entries.insert(hash, (info, Instant::now()));
        }
    }

    /// Forgets a token at once (after revocation).
    pub(crate) fn forget(&self, id: clearinghouse_domain::TokenId) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.retain(|_, (info, _)| info.id != id);
        }
    }
}

/// A session just created: the cookie secret and the CSRF token for its forms.
#[derive(Clone, Debug)]
pub struct NewSession {
    /// The cookie value; only its hash is stored.
    pub secret: String,
    /// The synchronizer token.
    pub csrf_token: String,
    /// When the session ends.
    pub expires_at: Timestamp,
}

impl App {
    /// Authenticates an API token.
    pub async fn actor_from_token(&self, secret: &str) -> Result<(Actor, TokenInfo)> {
        let hash = secret_hash(secret);
        let token = match self.tokens.get(&hash) {
            Some(token) => token,
            None => {
                let token = self
                    .store
                    .token_by_secret_hash(&hash)
                    .await?
                    .ok_or(Error::Unauthenticated("unknown token"))?;
                self.tokens.put(hash, token.clone());
                token
            }
        };
        if token.revoked_at.is_some() {
            return Err(Error::Unauthenticated("the token was revoked"));
        }
        if !token.is_active(clearinghouse_domain::time::now()) {
            return Err(Error::Unauthenticated("the token has expired"));
        }
        let grant = Grant {
            org: token.org_id,
            role: token.role,
        };
        let actor = match token.campaign {
            Some(campaign) => Actor::campaign_token(token.id, token.person_id, grant, campaign),
            None => Actor::token(token.id, token.person_id, grant),
        };
        Ok((actor, token))
    }

    /// The actor for a person, with all their memberships.
    pub async fn actor_for_person(&self, person: PersonId) -> Result<Actor> {
        let grants = self
            .store
            .memberships_of(person)
            .await?
            .into_iter()
            .map(|m| Grant {
                org: m.org_id,
                role: m.role,
            })
            .collect();
        Ok(Actor::person(person, grants))
    }

    /// Authenticates a session cookie.
    pub async fn actor_from_session(&self, cookie_secret: &str) -> Result<(Actor, SessionRecord)> {
        let session = self
            .store
            .session(
                &secret_hash(cookie_secret),
                clearinghouse_domain::time::now(),
            )
            .await?
            .ok_or(Error::Unauthenticated("no live session"))?;
        let actor = self.actor_for_person(session.person_id).await?;
        Ok((actor, session))
    }

    /// Signs in with e-mail and password. Unknown e-mail and wrong password give the same answer.
    pub async fn sign_in_with_password(&self, email: &str, password: &str) -> Result<NewSession> {
        let refused = Error::Unauthenticated("wrong e-mail address or password");
        let Some((person, Some(hash))) = self.store.person_credentials(email).await? else {
            return Err(refused);
        };
        if !verify_password(password, &hash) {
            return Err(refused);
        }
        self.start_session(person.id, "password").await
    }

    /// Signs in with a one-time link; a used or expired link is refused.
    pub async fn sign_in_with_link(&self, link_secret: &str) -> Result<NewSession> {
        let person = self
            .store
            .consume_signin_link(&secret_hash(link_secret), clearinghouse_domain::time::now())
            .await?
            .ok_or(Error::Unauthenticated(
                "this sign-in link is unknown, used or expired",
            ))?;
        self.start_session(person, "link").await
    }

    /// Creates a one-time sign-in link secret for a person (administrators, or the system at
    /// first start).
    pub async fn create_signin_link(&self, actor: &Actor, person: PersonId) -> Result<String> {
        self.person(actor, person).await?;
        clearinghouse_domain::authz::authorize(
            actor,
            &clearinghouse_domain::authz::Action::PasswordSet(person),
        )?;
        let secret = new_secret("");
        let expires_at =
            clearinghouse_domain::time::now() + SignedDuration::from_hours(SIGNIN_LINK_HOURS);
        let audit = AuditRecord::new(
            actor.label(),
            "signin_link.create",
            format!("person:{person}"),
            json!({"expires_at": expires_at.to_string(), "secret": self.keys.keyed_digest(secret.as_bytes())}),
        );
        self.store
            .create_signin_link(&secret_hash(&secret), person, expires_at, &audit)
            .await?;
        Ok(secret)
    }

    /// Ends a session.
    pub async fn sign_out(&self, actor: &Actor, cookie_secret: &str) -> Result<()> {
        let audit = AuditRecord::new(actor.label(), "session.end", actor.label(), json!({}));
        self.store
            .delete_session(&secret_hash(cookie_secret), &audit)
            .await?;
        Ok(())
    }

    async fn start_session(&self, person: PersonId, method: &str) -> Result<NewSession> {
        let secret = new_secret("");
        let csrf_token = new_secret("");
        let now = clearinghouse_domain::time::now();
        let expires_at = now + SignedDuration::from_hours(SESSION_HOURS);
        let record = SessionRecord {
            person_id: person,
            csrf_token: csrf_token.clone(),
            created_at: now,
            expires_at,
        };
        let audit = AuditRecord::new(
            format!("person:{person}"),
            "session.start",
            format!("person:{person}"),
            json!({"method": method, "expires_at": expires_at.to_string()}),
        );
        self.store
            .create_session(&secret_hash(&secret), &record, &audit)
            .await?;
        Ok(NewSession {
            secret,
            csrf_token,
            expires_at,
        })
    }
}
