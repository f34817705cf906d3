//! The HTTP layer: the JSON API under `/api/v1` (with its OpenAPI document), the server-rendered
//! web UI under `/`, health and metrics. The only crate that knows HTTP, HTML and JSON wire types.
//!
//! # Layout
//! - `state`: what handlers share (services, configuration, rate limiter, metrics).
//! - `error`: problem+json responses, the one mapping from service errors to statuses.
//! - `extract`: authentication, JSON bodies and query strings with located errors.
//! - `api`: JSON handlers and DTOs; `web`: pages and forms. Both call the same services.
//! - `metrics`: Prometheus counters and latency histograms.
//!
//! `router` builds the exact app that `serve` runs, so tests and the OpenAPI generator see what
//! production sees.

pub mod api;
pub mod error;
pub mod extract;
pub mod metrics;
pub mod state;
pub mod web;

use std::future::Future;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio::net::TcpListener;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

pub use state::{AppState, ServerConfig};

use crate::error::ApiError;
use crate::extract::BodyLimit;

static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The whole application: API, web UI, health, metrics and static files.
pub fn router(state: AppState) -> Router {
    let (api, _) = api::router();
    let body_limit = state.config.max_body_bytes;
    Router::new()
        .merge(api)
        .route("/api/v1/openapi.json", get(api::openapi_json))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics_text))
        .merge(web::router())
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(state.clone(), metrics::track))
        .layer(middleware::from_fn(move |mut request: Request, next: Next| async move {
            request.extensions_mut().insert(BodyLimit(body_limit));
            next.run(request).await
        }))
        .layer(middleware::from_fn(security_headers))
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID.clone()))
        .layer(TraceLayer::new_for_http().make_span_with(|request: &Request| {
            // Only the path is recorded: query strings may carry one-time sign-in secrets.
            let request_id = request.headers().get(&REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
            tracing::info_span!("request", method = %request.method(), path = %request.uri().path(), request_id)
        }))
        .layer(SetRequestIdLayer::new(REQUEST_ID.clone(), MakeRequestUuid))
        .with_state(state)
}

/// Serves the app on a bound listener until `shutdown` completes, then drains in-flight requests.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let pruner = {
        let state = state.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(60));
            loop {
                tick.tick().await;
                state.prune_rate_limiter();
            }
        })
    };
    let result = axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await;
    pruner.abort();
    result
}

async fn healthz(State(state): State<AppState>) -> Response {
    match state.app.store().log_size().await {
        Ok(size) => axum::Json(
            serde_json::json!({"status": "ok", "engine": state.config.engine, "log_size": size}),
        )
        .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                axum::Json(serde_json::json!({"status": "unavailable"})),
            )
                .into_response()
        }
    }
}

async fn metrics_text(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(),
    )
}

async fn not_found(request: Request) -> Response {
    let path = request.uri().path().to_owned();
    if path.starts_with("/api/") {
        ApiError::not_found(format!("no API route {path}")).into_response()
    } else {
        web::not_found_page(&path)
    }
}

async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'"),
    );
    response
}
