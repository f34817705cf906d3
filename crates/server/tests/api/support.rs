//! Spawning a server on a fresh database and talking to it.

use std::num::NonZeroU32;
use std::sync::Arc;

use clearinghouse_app::participants::TokenRequest;
use clearinghouse_app::{App, KeyRing};
use clearinghouse_domain::authz::Actor;
use clearinghouse_domain::{NewOrganization, OrgKind, Organization, Role, Sector};
use clearinghouse_server::{AppState, ServerConfig};
use clearinghouse_testkit::TestDb;
use reqwest::{Method, StatusCode};
use serde_json::Value;

/// A running server.
pub struct TestApp {
    pub base: String,
    pub http: reqwest::Client,
    /// The services, for arranging state directly.
    pub app: App,
    /// An administrator token.
    pub admin_token: String,
    pub engine: &'static str,
    _db: TestDb,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// One running server per configured engine.
pub async fn spawn_apps() -> Vec<TestApp> {
    spawn_apps_with(ServerConfig::default()).await
}

/// One running server per configured engine, with this configuration.
pub async fn spawn_apps_with(config: ServerConfig) -> Vec<TestApp> {
    let mut apps = Vec::new();
    for db in clearinghouse_testkit::databases().await {
        apps.push(spawn_on(db, config.clone()).await);
    }
    apps
}

pub async fn spawn_on(db: TestDb, mut config: ServerConfig) -> TestApp {
    let store = clearinghouse_store::open(&db.location)
        .await
        .expect("store opens");
    let app = App::new(
        store,
        Arc::new(KeyRing::ephemeral("test.example/log").expect("keys")),
    )
    .with_private_webhooks(config.allow_private_webhooks);
    app.check_log_key().await.expect("log key");
    app.bootstrap_if_empty().await.expect("bootstrap");
    let admin_org = app
        .org_by_name(
            &Actor::system(),
            clearinghouse_app::bootstrap::ADMIN_ORG_NAME,
        )
        .await
        .expect("admin org");
    let admin_token = app
        .create_token(
            &Actor::system(),
            TokenRequest {
                org: admin_org.id,
                role: Role::Admin,
                name: "test".into(),
                expires_in_days: None,
            },
        )
        .await
        .expect("admin token")
        .secret;
    config.engine = db.engine;
    if config.rate_per_second == ServerConfig::default().rate_per_second {
        config.rate_per_second = NonZeroU32::new(100_000).expect("non-zero");
        config.rate_burst = NonZeroU32::new(100_000).expect("non-zero");
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let state = AppState::new(app.clone(), config);
    tokio::spawn(clearinghouse_server::serve(listener, state, async move {
        let _ = rx.await;
    }));
    TestApp {
        base,
        http: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client"),
        app,
        admin_token,
        engine: db.engine,
        _db: db,
        shutdown: Some(tx),
    }
}

/// A response's status, headers and parsed body.
pub struct Reply {
    pub status: StatusCode,
    pub content_type: String,
    pub body: Value,
    pub text: String,
}

impl TestApp {
    pub async fn request(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        Self::reply(request.send().await.expect("request sent")).await
    }

    pub async fn raw(&self, request: reqwest::RequestBuilder) -> Reply {
        Self::reply(request.send().await.expect("request sent")).await
    }

    async fn reply(response: reqwest::Response) -> Reply {
        let status = response.status();
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let text = response.text().await.expect("body");
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Reply {
            status,
            content_type,
            body,
            text,
        }
    }

    pub async fn get(&self, path: &str, token: &str) -> Reply {
        self.request(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Reply {
        self.request(Method::POST, path, Some(token), Some(body))
            .await
    }

    /// Creates an organization directly through the services.
    pub async fn org(&self, name: &str, kind: OrgKind, sector: Option<Sector>) -> Organization {
        self.app
            .create_org(
                &Actor::system(),
                NewOrganization::parse(name, kind, sector).expect("valid"),
            )
            .await
            .expect("org created")
    }

    /// A token for `org` with `role`, created directly through the services.
    pub async fn token(&self, org: &Organization, role: Role) -> String {
        self.app
            .create_token(
                &Actor::system(),
                TokenRequest {
                    org: org.id,
                    role,
                    name: format!("{role}"),
                    expires_in_days: Some(1),
                },
            )
            .await
            .expect("token")
            .secret
    }

    /// The database this server runs on.
    pub fn database(&self) -> &TestDb {
        &self._db
    }

    pub async fn log_size(&self) -> u64 {
        self.app.store().log_size().await.expect("log size")
    }
}

/// Asserts a problem+json response with a status and a detail containing `needle`.
pub fn assert_problem(reply: &Reply, status: u16, needle: &str) {
    assert_eq!(reply.status.as_u16(), status, "body: {}", reply.text);
    assert_eq!(
        reply.content_type, "application/problem+json",
        "body: {}",
        reply.text
    );
    assert_eq!(reply.body["status"].as_u64(), Some(u64::from(status)));
    assert!(
        reply.body["type"]
            .as_str()
            .is_some_and(|t| t.starts_with("https://")),
        "{}",
        reply.text
    );
    let detail = reply.body["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains(needle),
        "detail {detail:?} does not mention {needle:?}"
    );
}
