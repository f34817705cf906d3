//! The one place where failures become HTTP responses: RFC 9457 problem details
//! (`application/problem+json`), with a stable `type` per cause, a `detail` that says what is
//! wrong, and where known the JSON pointer of the offending field. Internal errors are logged with
//! the request id and hidden from the client.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use clearinghouse_app::Error as AppError;
use serde::Serialize;

/// Where problem `type` URIs point. They are stable identifiers, documented in the OpenAPI file.
const TYPE_BASE: &str = "https://clearinghouse.example/problems/";

/// An error response.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    kind: &'static str,
    title: &'static str,
    detail: String,
    pointer: Option<String>,
    /// Further located problems, beyond `pointer` (boxed: keeps `ApiError` small).
    more: Box<[ProblemLocation]>,
    retry_after: Option<u64>,
}

/// The problem document, as serialized.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI identifying the kind of problem.
    #[serde(rename = "type")]
    pub kind: String,
    /// A short summary of the kind.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// What exactly is wrong.
    pub detail: String,
    /// Where in the request the problem is.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemLocation>,
}

/// One located problem.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProblemLocation {
    /// JSON pointer (RFC 6901) into the request body, or `#/query/<name>`, `#/path/<name>`.
    pub pointer: String,
    /// What is wrong there.
    pub detail: String,
}

impl ApiError {
    fn new(
        status: StatusCode,
        kind: &'static str,
        title: &'static str,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            status,
            kind,
            title,
            detail: detail.into(),
            pointer: None,
            more: Box::new([]),
            retry_after: None,
        }
    }

    /// The request body or parameters are malformed.
    pub fn bad_request(detail: impl Into<String>, pointer: Option<String>) -> Self {
        Self {
            pointer,
            ..Self::new(
                StatusCode::BAD_REQUEST,
                "bad-request",
                "Malformed request",
                detail,
            )
        }
    }

    /// A well-formed request whose values are invalid.
    pub fn invalid(detail: impl Into<String>, pointer: Option<String>) -> Self {
        Self {
            pointer,
            ..Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
                "Invalid value",
                detail,
            )
        }
    }

    /// The body is larger than the server accepts.
    pub fn too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too-large",
            "Request body too large",
            format!("the request body exceeds the limit of {limit} bytes"),
        )
    }

    /// The body is not JSON.
    pub fn unsupported_media_type(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "Unsupported media type",
            detail,
        )
    }

    /// No valid credentials.
    pub fn unauthenticated(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "Authentication required",
            detail,
        )
    }

    /// Valid credentials, but not allowed.
    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", "Forbidden", detail)
    }

    /// Nothing at this path.
    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not-found", "Not found", detail)
    }

    /// Too many requests for this token.
    pub fn rate_limited(retry_after_secs: u64) -> Self {
        Self {
            retry_after: Some(retry_after_secs.max(1)),
            ..Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate-limited",
                "Too many requests",
                "this token has exceeded its request rate; retry after the number of seconds in Retry-After",
            )
        }
    }

    /// A state-changing browser request without the right CSRF token.
    pub fn csrf() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "csrf",
            "Missing or wrong CSRF token",
            "state-changing requests authenticated by a session cookie must carry the session's CSRF token",
        )
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The detail text.
    pub fn detail(&self) -> &str {
        &self.detail
    }

    fn problem(&self) -> Problem {
        Problem {
            kind: format!("{TYPE_BASE}{}", self.kind),
            title: self.title.to_owned(),
            status: self.status.as_u16(),
            detail: self.detail.clone(),
            errors: self
                .pointer
                .iter()
                .map(|pointer| ProblemLocation {
                    pointer: pointer.clone(),
                    detail: self.detail.clone(),
                })
                .chain(self.more.iter().map(|l| ProblemLocation {
                    pointer: l.pointer.clone(),
                    detail: l.detail.clone(),
                }))
                .collect(),
        }
    }
}

impl From<AppError> for ApiError {
    fn from(err: AppError) -> Self {
        match err {
            AppError::Denied(denied) => ApiError::forbidden(denied.to_string()),
            AppError::Unauthenticated(why) => ApiError::unauthenticated(why),
            AppError::NotFound(what) => ApiError::not_found(format!("{what} not found")),
            AppError::Invalid { field, problem } => {
                let pointer = if field.starts_with('#') {
                    field.clone()
                } else {
                    format!("#/{field}")
                };
                ApiError::invalid(format!("{field}: {problem}"), Some(pointer))
            }
            AppError::StateConflict(problem) => ApiError::new(
                StatusCode::CONFLICT,
                "state-conflict",
                "Not allowed in the current state",
                problem,
            ),
            AppError::Refused(reasons) => ApiError {
                more: reasons
                    .iter()
                    .map(|(pointer, detail)| ProblemLocation {
                        pointer: pointer.clone(),
                        detail: detail.clone(),
                    })
                    .collect::<Vec<_>>()
                    .into_boxed_slice(),
                ..ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "refused",
                    "Refused",
                    reasons
                        .iter()
                        .map(|(at, why)| format!("{at}: {why}"))
                        .collect::<Vec<_>>()
                        .join("; "),
                )
            },
            AppError::Busy(why) => ApiError {
                retry_after: Some(1),
                ..ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "busy",
                    "Busy",
                    format!("{why}; retry"),
                )
            },
            AppError::Conflict(what) => ApiError::new(
                StatusCode::CONFLICT,
                "conflict",
                "Conflict",
                format!("{what} already exists"),
            ),
            other => {
                tracing::error!(error = %other, "internal error");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "Internal error",
                    "the server failed; the error is logged with this request's id",
                )
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::to_vec(&self.problem()).unwrap_or_default();
        let mut response = (self.status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some(secs) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

/// Shorthand for handler results.
pub type ApiResult<T> = Result<T, ApiError>;
