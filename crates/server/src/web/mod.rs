//! The server-rendered web UI. Pages are askama templates checked at compile time; forms post
//! back with a per-session CSRF token; the same services as the API do the work.
//!
//! # Layout
//! - this file: routes, the session extractor, layout and error pages, static files.
//! - `pages`: one handler per page or form.
//! - `campaigns`: the campaign calendar, campaign pages and forms, operators' scanning controls.
//! - `coordination`, `findings`, `validation`: cases (queue, case page and its forms), finders'
//!   submission and status pages, the validator's workbench.

mod campaigns;
mod coordination;
mod findings;
mod inventory;
mod knowledge;
mod pages;
mod validation;
mod vex;

use askama::Template;
use axum::Router;
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use clearinghouse_app::coordination::Desks;
use clearinghouse_domain::Role;
use clearinghouse_domain::authz::{Action, Actor, authorize};

use crate::error::ApiError;
use crate::extract::{SESSION_COOKIE, constant_time_eq, cookie};
use crate::state::AppState;

/// The web routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(pages::home))
        .route(
            "/signin",
            get(pages::signin_page).post(pages::signin_submit),
        )
        .route(
            "/signin/link",
            get(pages::signin_link_page).post(pages::signin_link_submit),
        )
        .route("/signout", post(pages::signout))
        .route("/orgs", get(pages::orgs).post(pages::create_org))
        .route("/orgs/{id}", get(pages::org))
        .route("/orgs/{id}/people", post(pages::add_person))
        .route("/orgs/{id}/tokens", post(pages::create_token))
        .route("/tokens/{id}/revoke", post(pages::revoke_token))
        .route("/people", get(pages::people))
        .route("/log", get(pages::log))
        .route("/log/{index}", get(pages::log_entry))
        .route("/inventory", get(inventory::inventory_home))
        .route("/orgs/{id}/dashboard", get(inventory::dashboard))
        .route("/orgs/{id}/assets", post(inventory::create_asset))
        .route(
            "/assets/{id}",
            get(inventory::asset).post(inventory::update_asset),
        )
        .route("/assets/{id}/uploads", post(inventory::upload))
        .route("/assets/{id}/vex", post(vex::submit))
        .route("/orgs/{id}/vex/{submission}/withdraw", post(vex::withdraw))
        .route("/exposure", get(inventory::exposure))
        .route("/vulnerabilities", get(knowledge::vulnerabilities))
        .route("/vulnerabilities/{id}", get(knowledge::vulnerability))
        .route("/advisories/{id}", get(knowledge::advisory))
        .route(
            "/campaigns",
            get(campaigns::calendar).post(campaigns::declare),
        )
        .route("/campaigns/new", get(campaigns::declare_form))
        .route("/campaigns/{id}", get(campaigns::campaign))
        .route("/campaigns/{id}/cancel", post(campaigns::cancel))
        .route("/campaigns/{id}/tokens", post(campaigns::create_token))
        .route("/overlaps/{id}/resolve", post(campaigns::resolve))
        .route("/overlaps/{id}/accept", post(campaigns::accept))
        .route("/orgs/{id}/scanning", get(campaigns::scanning))
        .route("/orgs/{id}/network-assets", post(campaigns::add_range))
        .route("/network-assets/{id}/delete", post(campaigns::delete_range))
        .route(
            "/orgs/{id}/scan-authorizations",
            post(campaigns::add_authorization),
        )
        .route(
            "/scan-authorizations/{id}/revoke",
            post(campaigns::revoke_authorization),
        )
        .route("/orgs/{id}/blackouts", post(campaigns::add_blackout))
        .route("/blackouts/{id}/revoke", post(campaigns::lift_blackout))
        .merge(coordination::router())
        .route("/static/{file}", get(static_file))
}

/// A signed-in browser session.
pub struct WebSession {
    /// Who is acting.
    pub actor: Actor,
    /// The cookie secret.
    pub secret: String,
    /// The session's CSRF token.
    pub csrf: String,
    /// The person's display name.
    pub name: String,
}

impl WebSession {
    /// Refuses a form whose CSRF token is not this session's.
    pub fn check_csrf(&self, submitted: &str) -> Result<(), WebError> {
        if constant_time_eq(submitted, &self.csrf) {
            Ok(())
        } else {
            Err(WebError::from(ApiError::csrf()))
        }
    }

    /// The layout for a page.
    pub fn layout(&self, title: &str, section: &'static str) -> Layout {
        Layout {
            title: title.to_owned(),
            section,
            user: Some(self.name.clone()),
            csrf: self.csrf.clone(),
            flash: None,
            nav: Nav::for_actor(&self.actor),
        }
    }
}

impl FromRequestParts<AppState> for WebSession {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let signin = || Redirect::to("/signin").into_response();
        let secret = cookie(&parts.headers, SESSION_COOKIE).ok_or_else(signin)?;
        let (actor, session) = state
            .app
            .actor_from_session(&secret)
            .await
            .map_err(|_| signin())?;
        state
            .check_rate(&format!("person:{}", session.person_id))
            .map_err(|e| WebError::from(e).into_response())?;
        let person = state
            .app
            .person(&actor, session.person_id)
            .await
            .map_err(|_| signin())?;
        Ok(WebSession {
            actor,
            secret,
            csrf: session.csrf_token,
            name: person.person.display_name,
        })
    }
}

/// What every page's frame needs.
pub struct Layout {
    /// The page title.
    pub title: String,
    /// Which navigation entry is current.
    pub section: &'static str,
    /// The signed-in person's name.
    pub user: Option<String>,
    /// The CSRF token for forms in the frame (sign out).
    pub csrf: String,
    /// A one-line confirmation.
    pub flash: Option<String>,
    /// Which navigation links the viewer can use.
    pub nav: Nav,
}

/// The navigation links a viewer's roles can use; the others are not shown (their pages would
/// only deny or redirect).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Nav {
    /// The knowledge base: anyone with a membership.
    pub vulnerabilities: bool,
    /// Inventories and exposure: operators' contacts, managers and members (their own
    /// organization's inventory), analysts and administrators (aggregate exposure).
    pub inventory: bool,
    /// Scan campaigns: finders, operators' contacts and managers, analysts and administrators
    /// (those who declare, authorize or deconflict).
    pub campaigns: bool,
    /// The coordination desks (cases, queue, findings, validation).
    pub desks: Desks,
}

impl Nav {
    /// The links `actor` can use.
    pub fn for_actor(actor: &Actor) -> Self {
        Self {
            vulnerabilities: authorize(actor, &Action::KbRead).is_ok(),
            inventory: authorize(actor, &Action::ExposureRead).is_ok()
                || actor.grants().iter().any(|g| {
                    matches!(g.role, Role::OperatorContact | Role::Manager | Role::Member)
                }),
            campaigns: actor.grants().iter().any(|g| {
                matches!(
                    g.role,
                    Role::Finder
                        | Role::OperatorContact
                        | Role::Manager
                        | Role::Analyst
                        | Role::Admin
                )
            }),
            desks: Desks::of(actor),
        }
    }
}

impl Layout {
    /// The frame for pages shown before sign-in.
    pub fn anonymous(title: &str) -> Self {
        Self {
            title: title.to_owned(),
            section: "",
            user: None,
            csrf: String::new(),
            flash: None,
            nav: Nav::default(),
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    layout: Layout,
    heading: String,
    detail: String,
}

/// An error shown as a page, with the status the API would give.
pub struct WebError {
    status: StatusCode,
    detail: String,
    /// The signed-in frame to show the error in (navigation kept), when the handler has one.
    frame: Option<Box<Layout>>,
}

impl WebError {
    /// Shows the error inside the session's frame, with its navigation.
    pub fn framed(mut self, session: &WebSession) -> Self {
        self.frame = Some(Box::new(session.layout("", "")));
        self
    }
}

impl WebError {
    /// What went wrong, as shown on the page.
    pub fn detail(&self) -> &str {
        &self.detail
    }
}

impl From<ApiError> for WebError {
    fn from(err: ApiError) -> Self {
        Self {
            status: err.status(),
            detail: err.detail().to_owned(),
            frame: None,
        }
    }
}

impl From<clearinghouse_app::Error> for WebError {
    fn from(err: clearinghouse_app::Error) -> Self {
        ApiError::from(err).into()
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let heading = self.status.canonical_reason().unwrap_or("Error").to_owned();
        let layout = match self.frame {
            Some(frame) => Layout {
                title: heading.clone(),
                ..*frame
            },
            None => Layout::anonymous(&heading),
        };
        render_with_status(
            self.status,
            &ErrorPage {
                layout,
                heading,
                detail: self.detail,
            },
        )
    }
}

/// Renders a template, or a plain 500 if rendering fails (it cannot for checked templates, but a
/// page must never panic).
pub fn render(template: &impl Template) -> Response {
    render_with_status(StatusCode::OK, template)
}

fn render_with_status(status: StatusCode, template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => (
            status,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            html,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template rendering failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "rendering failed").into_response()
        }
    }
}

/// The 404 page for unknown web paths.
pub fn not_found_page(path: &str) -> Response {
    WebError {
        status: StatusCode::NOT_FOUND,
        detail: format!("There is no page at {path}."),
        frame: None,
    }
    .into_response()
}

async fn static_file(Path(file): Path<String>) -> Response {
    let (body, content_type): (&'static str, &str) = match file.as_str() {
        "app.css" => (
            include_str!("../../static/app.css"),
            "text/css; charset=utf-8",
        ),
        "verify.js" => (
            include_str!("../../static/verify.js"),
            "text/javascript; charset=utf-8",
        ),
        _ => return not_found_page(&format!("/static/{file}")),
    };
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response()
}
