//! A scripted OpenAI-compatible chat-completions server for tests and benchmarks.
//!
//! The `model` field of each request picks a behaviour:
//! - `solver`: runs `rev clue.txt`, then submits the first `flag{…}` seen in a tool result;
//! - `easy-solver`: answers question 1 with `rev`, then behaves like `solver`;
//! - `failer`: submits a wrong flag at once;
//! - `looper`: runs `true` forever; `chatter`: only talks, never calls a tool;
//! - `malformed`: three broken tool calls (bad JSON, unknown tool, missing field), then `solver`;
//! - `flood`: prints 3 MB, then `solver`; `sleeper`: runs `sleep 30`;
//! - `flaky`: answers 429 then 500 before every good reply; `broken`: always 503;
//! - `greedy`: reports 600,000 prompt tokens per call while looping;
//! - `replay`: sends the shell script registered for the task's prompt, then submits the last line
//!   it printed;
//! - `instant`: runs `true` for `INSTANT_STEPS` turns, then submits (benchmarks).

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// Turns an `instant` agent takes before submitting.
pub const INSTANT_STEPS: usize = 10;

#[derive(Clone, Default)]
pub struct Script {
    /// Task prompt → shell script, for `replay`.
    pub replays: Arc<HashMap<String, String>>,
    /// Requests received, including refused ones.
    pub requests: Arc<AtomicUsize>,
}

/// Starts the server on a random loopback port; returns its base URL (with `/v1`).
pub async fn spawn(script: Script) -> String {
    let app = axum::Router::new()
        .route("/v1/chat/completions", axum::routing::post(complete))
        .with_state(script);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move {
        axum::serve(listener, app).await.expect("serve");
    });
    format!("http://{address}/v1")
}

async fn complete(State(script): State<Script>, Json(request): Json<Value>) -> Response {
    let count = script.requests.fetch_add(1, Ordering::SeqCst);
    let model = request["model"].as_str().unwrap_or_default().to_owned();
    let messages = request["messages"].as_array().cloned().unwrap_or_default();
    let turn = messages
        .iter()
        .filter(|message| message["role"] == "assistant")
        .count();
    let tool_results: Vec<String> = messages
        .iter()
        .filter(|message| message["role"] == "tool")
        .map(|message| message["content"].as_str().unwrap_or_default().to_owned())
        .collect();
    let mut usage = json!({"prompt_tokens": 100, "completion_tokens": 10});
    let reply = match model.as_str() {
        "solver" => solver(&tool_results),
        "easy-solver" if turn == 0 => call("submit", json!({"answer": "rev", "subtask": 1})),
        "easy-solver" => solver(&tool_results),
        "failer" => call("submit", json!({"answer": "flag{wrong}"})),
        "looper" => call("bash", json!({"command": "true"})),
        "chatter" => text("Let me think about this some more."),
        "malformed" => match turn {
            0 => raw_call("bash", Value::String("{not json".to_owned())),
            1 => call("launch_missiles", json!({})),
            2 => call("bash", json!({"path": "wrong field"})),
            _ => solver(&tool_results),
        },
        "flood" if turn == 0 => call(
            "bash",
            json!({"command": "head -c 3000000 /dev/zero | tr '\\0' A"}),
        ),
        "flood" => solver(&tool_results),
        "sleeper" => call("bash", json!({"command": "sleep 30"})),
        "flaky" => match count % 3 {
            0 => {
                return (
                    StatusCode::TOO_MANY_REQUESTS,
                    [("retry-after", "0")],
                    "slow down",
                )
                    .into_response();
            }
            1 => return (StatusCode::INTERNAL_SERVER_ERROR, "oops").into_response(),
            _ => solver(&tool_results),
        },
        "broken" => return (StatusCode::SERVICE_UNAVAILABLE, "down").into_response(),
        "greedy" => {
            usage = json!({"prompt_tokens": 600_000, "completion_tokens": 10});
            call("bash", json!({"command": "true"}))
        }
        "replay" => match tool_results.last() {
            None => {
                let prompt = messages
                    .iter()
                    .find(|message| message["role"] == "user")
                    .and_then(|message| message["content"].as_str())
                    .unwrap_or_default();
                let script_text = script.replays.get(prompt).cloned().unwrap_or_default();
                call("bash", json!({"command": script_text}))
            }
            Some(output) => {
                let answer = output
                    .split("stdout:\n")
                    .nth(1)
                    .and_then(|stdout| stdout.split("stderr:\n").next())
                    .and_then(|stdout| stdout.lines().rev().find(|line| !line.trim().is_empty()))
                    .unwrap_or_default()
                    .trim()
                    .to_owned();
                call("submit", json!({"answer": answer}))
            }
        },
        "instant" if turn < INSTANT_STEPS => call("bash", json!({"command": "true"})),
        "instant" => call("submit", json!({"answer": "flag{instant}"})),
        other => text(&format!("unknown scripted model {other}")),
    };
    Json(json!({
        "id": format!("chatcmpl-{count}"),
        "object": "chat.completion",
        "model": model,
        "choices": [{"index": 0, "message": reply, "finish_reason": "tool_calls"}],
        "usage": usage,
    }))
    .into_response()
}

fn solver(tool_results: &[String]) -> Value {
    let found = tool_results.iter().rev().find_map(|output| {
        let start = output.find("flag{")?;
        let end = output[start..].find('}')?;
        Some(output[start..=start + end].to_owned())
    });
    match found {
        Some(flag) => call("submit", json!({"answer": flag})),
        None => call("bash", json!({"command": "rev clue.txt"})),
    }
}

fn call(name: &str, arguments: Value) -> Value {
    raw_call(name, Value::String(arguments.to_string()))
}

fn raw_call(name: &str, arguments: Value) -> Value {
    json!({
        "role": "assistant",
        "content": null,
        "tool_calls": [{"id": format!("call-{name}"), "type": "function", "function": {"name": name, "arguments": arguments}}],
    })
}

fn text(content: &str) -> Value {
    json!({"role": "assistant", "content": content})
}
