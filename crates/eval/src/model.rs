//! A minimal client for OpenAI-compatible chat-completions endpoints with function tools.
//!
//! Only what the agent loop needs: `POST {base_url}/chat/completions` with messages and tools, token
//! usage, and retries with exponential backoff on 429, 5xx and transport errors (honouring
//! `Retry-After`). Written by hand rather than with an SDK crate because the wire format is small and
//! we must tolerate the quirks of many servers (arguments sent as objects instead of strings, missing
//! ids, missing usage).

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// How to reach the model.
#[derive(Clone)]
pub struct ModelConfig {
    /// Base URL including the version prefix, e.g. `https://api.example.com/v1`.
    pub base_url: String,
    pub model: String,
    /// Sent as a bearer token when present.
    pub api_key: Option<String>,
    /// Retries after the first try, on 429, 5xx and transport errors.
    pub max_retries: u32,
    pub initial_backoff: Duration,
    pub max_backoff: Duration,
    pub request_timeout: Duration,
    /// `max_tokens` per completion, if the evaluator wants to cap it.
    pub max_completion_tokens: Option<u32>,
    pub temperature: Option<f64>,
}

/// Never prints the API key.
impl fmt::Debug for ModelConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ModelConfig")
            .field("base_url", &self.base_url)
            .field("model", &self.model)
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("max_retries", &self.max_retries)
            .finish_non_exhaustive()
    }
}

impl ModelConfig {
    /// Sensible defaults for a remote endpoint.
    pub fn new(base_url: impl Into<String>, model: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into(),
            model: model.into(),
            api_key: None,
            max_retries: 6,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            request_timeout: Duration::from_secs(300),
            max_completion_tokens: None,
            temperature: None,
        }
    }
}

/// One chat message in the OpenAI wire format.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    pub role: String,
    #[serde(default)]
    pub content: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_as_empty"
    )]
    pub tool_calls: Vec<ToolCall>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_call_id: Option<String>,
}

/// A function call requested by the model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolCall {
    #[serde(default)]
    pub id: String,
    #[serde(rename = "type", default = "function_type")]
    pub kind: String,
    pub function: FunctionCall,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FunctionCall {
    #[serde(default)]
    pub name: String,
    /// JSON text as the spec says; servers that send an object get it re-encoded.
    #[serde(default, deserialize_with = "string_or_json")]
    pub arguments: String,
}

/// A function tool offered to the model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ToolSpec {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub function: FunctionSpec,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FunctionSpec {
    pub name: &'static str,
    pub description: &'static str,
    pub parameters: Value,
}

/// Token counts reported by the server (zero when it reports none).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
pub struct Usage {
    #[serde(default)]
    pub prompt_tokens: u64,
    #[serde(default)]
    pub completion_tokens: u64,
}

/// The model's reply to one request.
#[derive(Debug, Clone, PartialEq)]
pub struct Completion {
    pub message: Message,
    pub usage: Usage,
    pub finish_reason: Option<String>,
    /// Requests that failed and were retried before this one succeeded.
    pub retries: u32,
}

/// Why the model could not be asked.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ModelError {
    #[error("the model endpoint {url} answered {status}: {body}")]
    Status {
        url: String,
        status: u16,
        body: String,
    },
    #[error("cannot reach the model endpoint {url}: {source}")]
    Transport { url: String, source: reqwest::Error },
    #[error("the model endpoint {url} sent a reply that is not a chat completion: {message}")]
    Decode { url: String, message: String },
    #[error("cannot build the HTTP client: {0}")]
    Client(reqwest::Error),
}

/// A reusable client (connection pool shared by all attempts).
#[derive(Debug, Clone)]
pub struct ModelClient {
    http: reqwest::Client,
    config: ModelConfig,
    url: String,
}

impl ModelClient {
    pub fn new(config: ModelConfig) -> Result<Self, ModelError> {
        let http = reqwest::Client::builder()
            .timeout(config.request_timeout)
            .build()
            .map_err(ModelError::Client)?;
        let url = format!("{}/chat/completions", config.base_url.trim_end_matches('/'));
        Ok(Self { http, config, url })
    }

    pub fn config(&self) -> &ModelConfig {
        &self.config
    }

    /// Asks for the next assistant message, retrying transient failures.
    pub async fn complete(
        &self,
        messages: &[Message],
        tools: &[ToolSpec],
    ) -> Result<Completion, ModelError> {
        let mut body = serde_json::json!({
            "model": self.config.model,
            "messages": messages,
            "tools": tools,
            "tool_choice": "auto",
        });
        if let Some(max) = self.config.max_completion_tokens {
            body["max_tokens"] = max.into();
        }
        if let Some(temperature) = self.config.temperature {
            body["temperature"] = temperature.into();
        }
        let mut attempt = 0u32;
        loop {
            match self.send_once(&body).await {
                Ok(mut completion) => {
                    completion.retries = attempt;
                    return Ok(completion);
                }
                Err(Failure::Retryable { retry_after, .. })
                    if attempt < self.config.max_retries =>
                {
                    let backoff = self
                        .config
                        .initial_backoff
                        .saturating_mul(1 << attempt.min(16))
                        .min(self.config.max_backoff);
                    let wait =
                        retry_after.map_or(backoff, |after| after.min(self.config.max_backoff));
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                }
                Err(Failure::Retryable { error, .. } | Failure::Fatal(error)) => return Err(error),
            }
        }
    }

    async fn send_once(&self, body: &Value) -> Result<Completion, Failure> {
        let mut request = self.http.post(&self.url).json(body);
        if let Some(key) = &self.config.api_key {
            request = request.bearer_auth(key);
        }
        let response = match request.send().await {
            Ok(response) => response,
            Err(source) => {
                return Err(Failure::Retryable {
                    error: ModelError::Transport {
                        url: self.url.clone(),
                        source,
                    },
                    retry_after: None,
                });
            }
        };
        let status = response.status();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let text = response.text().await.map_err(|source| Failure::Retryable {
            error: ModelError::Transport {
                url: self.url.clone(),
                source,
            },
            retry_after: None,
        })?;
        if !status.is_success() {
            let error = ModelError::Status {
                url: self.url.clone(),
                status: status.as_u16(),
                body: text.chars().take(500).collect(),
            };
            return if status.as_u16() == 429 || status.is_server_error() {
                Err(Failure::Retryable { error, retry_after })
            } else {
                Err(Failure::Fatal(error))
            };
        }
        parse_completion(&text).map_err(|message| {
            Failure::Fatal(ModelError::Decode {
                url: self.url.clone(),
                message,
            })
        })
    }
}

enum Failure {
    Retryable {
        error: ModelError,
        retry_after: Option<Duration>,
    },
    Fatal(ModelError),
}

fn parse_completion(text: &str) -> Result<Completion, String> {
    #[derive(Deserialize)]
    struct Reply {
        choices: Vec<Choice>,
        #[serde(default)]
        usage: Option<Usage>,
    }
    #[derive(Deserialize)]
    struct Choice {
        message: Message,
        #[serde(default)]
        finish_reason: Option<String>,
    }
    let reply: Reply = serde_json::from_str(text).map_err(|err| err.to_string())?;
    let choice = reply
        .choices
        .into_iter()
        .next()
        .ok_or_else(|| "no choices".to_owned())?;
    Ok(Completion {
        message: choice.message,
        usage: reply.usage.unwrap_or_default(),
        finish_reason: choice.finish_reason,
        retries: 0,
    })
}

fn function_type() -> String {
    "function".to_owned()
}

fn null_as_empty<'de, D: serde::Deserializer<'de>>(de: D) -> Result<Vec<ToolCall>, D::Error> {
    Ok(Option::<Vec<ToolCall>>::deserialize(de)?.unwrap_or_default())
}

fn string_or_json<'de, D: serde::Deserializer<'de>>(de: D) -> Result<String, D::Error> {
    Ok(match Value::deserialize(de)? {
        Value::String(text) => text,
        Value::Null => String::new(),
        other => other.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_tool_calls_with_string_or_object_arguments() {
        let text = r#"{"choices":[{"message":{"role":"assistant","content":null,"tool_calls":[
            {"id":"a","type":"function","function":{"name":"bash","arguments":"{\"command\":\"ls\"}"}},
            {"id":"b","function":{"name":"submit","arguments":{"answer":"x"}}}
        ]},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":12,"completion_tokens":3}}"#;
        let completion = parse_completion(text).expect("parse");
        assert_eq!(completion.usage.prompt_tokens, 12);
        assert_eq!(completion.message.tool_calls.len(), 2);
        assert_eq!(
            completion.message.tool_calls[0].function.arguments,
            r#"{"command":"ls"}"#
        );
        assert_eq!(
            completion.message.tool_calls[1].function.arguments,
            r#"{"answer":"x"}"#
        );
        assert_eq!(completion.message.tool_calls[1].kind, "function");
    }

    #[test]
    fn tolerates_missing_usage_and_null_tool_calls() {
        let text =
            r#"{"choices":[{"message":{"role":"assistant","content":"hi","tool_calls":null}}]}"#;
        let completion = parse_completion(text).expect("parse");
        assert_eq!(completion.usage, Usage::default());
        assert!(completion.message.tool_calls.is_empty());
        assert!(parse_completion(r#"{"choices":[]}"#).is_err());
    }

    #[test]
    fn debug_hides_the_key() {
        let mut config = ModelConfig::new("http://x/v1", "m");
        config.api_key = Some("sk-secret".to_owned());
        assert!(!format!("{config:?}").contains("sk-secret"));
    }
}
