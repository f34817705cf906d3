//! Extractors that turn requests into typed input or a problem+json error naming what is wrong:
//! authentication (`Auth`), JSON bodies (`ApiJson`), query strings (`ApiQuery`), and path ids.

use std::str::FromStr;

use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::request::Parts;
use axum::http::{Method, header};
use bytes::Bytes;
use clearinghouse_domain::TokenInfo;
use clearinghouse_domain::authz::Actor;
use serde::de::DeserializeOwned;

use crate::error::ApiError;
use crate::state::AppState;

/// The session cookie's name. The `__Host-` prefix would forbid plain-HTTP localhost use, so the
/// cookie is instead `HttpOnly; SameSite=Strict; Path=/`, and `Secure` whenever served over HTTPS.
pub const SESSION_COOKIE: &str = "ch_session";
/// The header a cookie-authenticated API client echoes the CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// An authenticated actor.
pub struct Auth {
    /// Who is acting, with their grants.
    pub actor: Actor,
    /// How they authenticated.
    pub via: AuthVia,
}

/// How a request authenticated.
pub enum AuthVia {
    /// A bearer token.
    Token(TokenInfo),
    /// A browser session.
    Session {
        /// The cookie secret (to end the session).
        secret: String,
        /// The session's CSRF token.
        csrf_token: String,
    },
}

impl FromRequestParts<AppState> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(value) = parts.headers.get(header::AUTHORIZATION) {
            let value = value
                .to_str()
                .map_err(|_| ApiError::unauthenticated("the Authorization header is not ASCII"))?;
            let secret = value
                .strip_prefix("Bearer ")
                .or_else(|| value.strip_prefix("bearer "))
                .ok_or_else(|| {
                    ApiError::unauthenticated("the Authorization header must be `Bearer <token>`")
                })?;
            let (actor, token) = state.app.actor_from_token(secret.trim()).await?;
            state.check_rate(&format!("token:{}", token.id))?;
            return Ok(Auth {
                actor,
                via: AuthVia::Token(token),
            });
        }
        if let Some(secret) = cookie(&parts.headers, SESSION_COOKIE) {
            let (actor, session) = state.app.actor_from_session(&secret).await?;
            let safe = matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
            if !safe {
                let echoed = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok());
                if !echoed.is_some_and(|t| constant_time_eq(t, &session.csrf_token)) {
                    return Err(ApiError::csrf());
                }
            }
            state.check_rate(&format!("person:{}", session.person_id))?;
            return Ok(Auth {
                actor,
                via: AuthVia::Session {
                    secret,
                    csrf_token: session.csrf_token,
                },
            });
        }
        Err(ApiError::unauthenticated(
            "send `Authorization: Bearer <token>` (create one with `clearinghouse admin token create`) or sign in",
        ))
    }
}

/// Reads one cookie's value.
pub fn cookie(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned())
}

/// Compares secrets without leaking where they differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// A JSON body, with problem+json errors that give the JSON pointer of the bad value.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let mime = content_type.split(';').next().unwrap_or("").trim();
        if !(mime == "application/json" || mime.ends_with("+json")) {
            return Err(ApiError::unsupported_media_type(format!(
                "expected Content-Type: application/json, got {:?}",
                if content_type.is_empty() {
                    "(none)"
                } else {
                    content_type
                }
            )));
        }
        let limit = req
            .extensions()
            .get::<BodyLimit>()
            .map_or(usize::MAX, |l| l.0);
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::too_large(limit)
            } else {
                ApiError::bad_request(rejection.body_text(), None)
            }
        })?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// The configured body limit, recorded in request extensions so errors can state it.
#[derive(Clone, Copy, Debug)]
pub struct BodyLimit(pub usize);

/// Parses JSON, naming the location of the first problem.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|err| {
        let pointer = json_pointer(err.path());
        let inner = err.into_inner();
        if inner.is_syntax() || inner.is_eof() || inner.is_io() {
            ApiError::bad_request(format!("malformed JSON: {inner}"), None)
        } else {
            ApiError::bad_request(format!("{pointer}: {inner}"), Some(pointer))
        }
    })?;
    deserializer.end().map_err(|e| {
        ApiError::bad_request(format!("malformed JSON: trailing characters ({e})"), None)
    })?;
    Ok(value)
}

fn json_pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut pointer = String::from("#");
    for segment in path.iter() {
        pointer.push('/');
        match segment {
            Segment::Seq { index } => pointer.push_str(&index.to_string()),
            Segment::Map { key } => pointer.push_str(&key.replace('~', "~0").replace('/', "~1")),
            Segment::Enum { variant } => pointer.push_str(variant),
            Segment::Unknown => pointer.push('?'),
        }
    }
    pointer
}

/// A query string, with problem+json errors.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(value)| ApiQuery(value))
            .map_err(|rejection| {
                ApiError::bad_request(rejection.body_text(), Some("#/query".to_owned()))
            })
    }
}

/// Parses a path segment as a typed id; a malformed id is a 404 naming what was looked for, since
/// no object can have it.
pub fn path_id<T: FromStr>(raw: &str, what: &str) -> Result<T, ApiError> {
    raw.parse()
        .map_err(|_| ApiError::not_found(format!("{what} {raw:?} not found (not a valid id)")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Sample {
        name: String,
        items: Vec<Item>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Item {
        count: u32,
    }

    #[test]
    fn json_errors_name_the_location() {
        let err =
            parse_json::<Sample>(br#"{"name": "x", "items": [{"count": 1}, {"count": "two"}]}"#)
                .expect_err("bad");
        assert!(
            err.detail().starts_with("#/items/1/count: invalid type"),
            "{}",
            err.detail()
        );
        let err = parse_json::<Sample>(br#"{"name": "x""#).expect_err("truncated");
        assert!(
            err.detail().starts_with("malformed JSON"),
            "{}",
            err.detail()
        );
        let err = parse_json::<Sample>(br#"{"items": []}"#).expect_err("missing");
        assert!(
            err.detail().contains("missing field `name`"),
            "{}",
            err.detail()
        );
        let err = parse_json::<Sample>(br#"{"name": "x", "items": []} x"#).expect_err("trailing");
        assert!(err.detail().contains("trailing"), "{}", err.detail());
    }
}
