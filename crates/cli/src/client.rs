//! The API client behind `--server URL`: bearer-token requests, problem+json errors turned into
//! messages and exit codes.

use reqwest::StatusCode;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::exit::{CodedError, DENIED, FAILURE, NOT_FOUND, USAGE};

/// Percent-encodes a path segment or query value (purls hold `@`, `/`, `?`; ranges `|`, `<`).
pub fn encode(value: &str) -> String {
    percent_encoding::utf8_percent_encode(value, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// Options for talking to a server.
#[derive(Debug, Clone, clap::Args)]
pub struct ServerArgs {
    /// Work through this server's API instead of directly on a data directory or database.
    #[arg(long, global = true, env = "CLEARINGHOUSE_SERVER", value_name = "URL")]
    pub server: Option<String>,
    /// The API token for --server.
    #[arg(
        long,
        global = true,
        env = "CLEARINGHOUSE_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true
    )]
    pub token: Option<String>,
}

impl ServerArgs {
    /// A client for the server these options name; `what` says what needs one, for the error
    /// when none is named.
    pub fn require(&self, what: &str) -> anyhow::Result<ApiClient> {
        let Some(url) = &self.server else {
            return Err(CodedError::new(
                USAGE,
                format!("{what} through a server: pass --server URL --token T (or set CLEARINGHOUSE_SERVER and CLEARINGHOUSE_TOKEN)"),
            )
            .into());
        };
        ApiClient::new(url, self.token.clone())
    }
}

/// A client for one server.
pub struct ApiClient {
    base: String,
    token: Option<String>,
    http: reqwest::Client,
}

impl ApiClient {
    /// A client for `base` (`http://host:port`).
    pub fn new(base: &str, token: Option<String>) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .user_agent(concat!("clearinghouse-cli/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self {
            base: base.trim_end_matches('/').to_owned(),
            token,
            http,
        })
    }

    /// GETs JSON.
    pub async fn get_json<T: DeserializeOwned>(&self, path: &str) -> anyhow::Result<T> {
        let response = self.send(self.http.get(self.url(path))).await?;
        Ok(response.json().await?)
    }

    /// GETs text.
    pub async fn get_text(&self, path: &str) -> anyhow::Result<String> {
        let response = self.send(self.http.get(self.url(path))).await?;
        Ok(response.text().await?)
    }

    /// POSTs JSON and reads JSON.
    pub async fn post_json<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> anyhow::Result<T> {
        let response = self.send(self.http.post(self.url(path)).json(body)).await?;
        Ok(response.json().await?)
    }

    /// POSTs a body of any media type with extra headers, and reads JSON back with the status.
    pub async fn post_raw(
        &self,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
        headers: &[(&str, String)],
    ) -> anyhow::Result<(StatusCode, serde_json::Value)> {
        let mut request = self
            .http
            .post(self.url(path))
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(body);
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        let response = self.send(request).await?;
        let status = response.status();
        Ok((status, response.json().await?))
    }

    /// POSTs a document as it is (JSON bytes) and reads JSON.
    pub async fn post_bytes<T: DeserializeOwned>(
        &self,
        path: &str,
        body: Vec<u8>,
    ) -> anyhow::Result<T> {
        let request = self
            .http
            .post(self.url(path))
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body);
        Ok(self.send(request).await?.json().await?)
    }

    /// DELETEs and reads JSON.
    pub async fn delete_json<T: DeserializeOwned>(&self, path: &str) -> anyhow::Result<T> {
        let response = self.send(self.http.delete(self.url(path))).await?;
        Ok(response.json().await?)
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> anyhow::Result<reqwest::Response> {
        let request = match &self.token {
            Some(token) => request.bearer_auth(token),
            None => request,
        };
        let response = request
            .send()
            .await
            .map_err(|e| CodedError::new(FAILURE, format!("cannot reach {}: {e}", self.base)))?;
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        let body = response.text().await.unwrap_or_default();
        let detail = serde_json::from_str::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| v.get("detail").and_then(|d| d.as_str()).map(str::to_owned))
            .unwrap_or(body);
        let code = match status {
            StatusCode::NOT_FOUND => NOT_FOUND,
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => DENIED,
            s if s.is_client_error() => USAGE,
            _ => FAILURE,
        };
        Err(CodedError::new(code, format!("the server answered {status}: {detail}")).into())
    }
}
