//! Loopback receivers for notification tests: a webhook endpoint and an SMTP server, both real
//! servers on `127.0.0.1` port 0 that record what they were sent.
//!
//! The SMTP server is written here (about 150 lines of RFC 5321: EHLO/HELO, AUTH PLAIN, MAIL,
//! RCPT, DATA with dot-unstuffing, RSET, NOOP, QUIT; no TLS) because no maintained Rust crate
//! offers a small embeddable recording SMTP server; the received messages are decoded with
//! `mail-parser`, an implementation independent of the `lettre` client under test.
//! Both receivers stop when dropped.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// `wait_for` gave up: fewer requests or messages arrived than expected in time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitTimeout {
    /// How many were awaited.
    pub expected: usize,
    /// How many had arrived when the time ran out.
    pub received: usize,
}

impl std::fmt::Display for WaitTimeout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "expected {} deliveries, {} arrived in time",
            self.expected, self.received
        )
    }
}

impl std::error::Error for WaitTimeout {}

/// One HTTP request as the webhook receiver saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedRequest {
    /// `POST`, normally.
    pub method: String,
    /// Path and query.
    pub path: String,
    /// Every header, names in lower case, in the order received.
    pub headers: Vec<(String, String)>,
    /// The body, byte for byte (signatures are over these bytes).
    pub body: Vec<u8>,
}

impl ReceivedRequest {
    /// The first value of header `name` (any case), if sent.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// How the webhook receiver answers, changeable while it runs.
#[derive(Debug, Clone, Copy)]
struct Script {
    failures_left: usize,
    failure_status: u16,
    retry_after: Option<u64>,
    delay: Duration,
}

struct WebhookState {
    requests: Mutex<Vec<ReceivedRequest>>,
    count: watch::Sender<usize>,
    script: Mutex<Script>,
}

/// A webhook endpoint on loopback that records every request and answers 200, or what it was
/// told to answer (see [`WebhookReceiver::fail_next`], [`WebhookReceiver::set_delay`]).
pub struct WebhookReceiver {
    addr: SocketAddr,
    state: Arc<WebhookState>,
    task: JoinHandle<()>,
}

impl WebhookReceiver {
    /// Starts the receiver on a random loopback port. Panics if it cannot bind.
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("webhook receiver cannot bind to 127.0.0.1:0: {e}"));
        let addr = listener
            .local_addr()
            .unwrap_or_else(|e| panic!("webhook receiver has no local address: {e}"));
        let state = Arc::new(WebhookState {
            requests: Mutex::new(Vec::new()),
            count: watch::channel(0).0,
            script: Mutex::new(Script {
                failures_left: 0,
                failure_status: 500,
                retry_after: None,
                delay: Duration::ZERO,
            }),
        });
        let router = Router::new()
            .fallback(record_request)
            .with_state(Arc::clone(&state));
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Self { addr, state, task }
    }

    /// The endpoint's URL, `http://127.0.0.1:<port>/webhook` (any path is accepted).
    pub fn url(&self) -> String {
        format!("http://{}/webhook", self.addr)
    }

    /// The address the receiver listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Answer the next `count` requests with `status` (500 to test retries, 400 or 410 for
    /// permanent failures), then 200 again.
    pub fn fail_next(&self, count: usize, status: u16) {
        let mut script = lock(&self.state.script);
        script.failures_left = count;
        script.failure_status = status;
    }

    /// Send `Retry-After: <seconds>` with every failing answer (`None`: do not).
    pub fn set_retry_after(&self, seconds: Option<u64>) {
        lock(&self.state.script).retry_after = seconds;
    }

    /// Wait this long before answering every request (to test client timeouts).
    pub fn set_delay(&self, delay: Duration) {
        lock(&self.state.script).delay = delay;
    }

    /// Every request received so far, in order of arrival.
    pub fn requests(&self) -> Vec<ReceivedRequest> {
        lock(&self.state.requests).clone()
    }

    /// Waits until at least `count` requests arrived (returning them all) or `timeout` passed.
    pub async fn wait_for(
        &self,
        count: usize,
        timeout: Duration,
    ) -> Result<Vec<ReceivedRequest>, WaitTimeout> {
        wait_for_count(&self.state.count, count, timeout).await?;
        Ok(self.requests())
    }
}

impl Drop for WebhookReceiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The webhook receiver's one handler: record, then answer as scripted.
async fn record_request(
    State(state): State<Arc<WebhookState>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request = ReceivedRequest {
        method: method.to_string(),
        path: uri
            .path_and_query()
            .map_or_else(|| uri.path().to_owned(), ToString::to_string),
        headers: headers
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_owned(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body: body.to_vec(),
    };
    let script = {
        let mut script = lock(&state.script);
        let current = *script;
        script.failures_left = script.failures_left.saturating_sub(1);
        current
    };
    {
        let mut requests = lock(&state.requests);
        requests.push(request);
        state.count.send_replace(requests.len());
    }
    if !script.delay.is_zero() {
        tokio::time::sleep(script.delay).await;
    }
    if script.failures_left == 0 {
        return (StatusCode::OK, "ok").into_response();
    }
    let status =
        StatusCode::from_u16(script.failure_status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (status, "scripted failure").into_response();
    if let Some(seconds) = script.retry_after {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}

/// One message as the SMTP receiver took it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedMail {
    /// The user name given with AUTH PLAIN on this connection, if any.
    pub auth_user: Option<String>,
    /// The password given with AUTH PLAIN on this connection, if any.
    pub auth_password: Option<String>,
    /// The envelope sender (`MAIL FROM`), without angle brackets.
    pub from: String,
    /// The envelope recipients (`RCPT TO`), without angle brackets.
    pub to: Vec<String>,
    /// The message as transmitted after dot-unstuffing, every line ending in CRLF.
    pub data: Vec<u8>,
    /// The decoded `Subject` header.
    pub subject: Option<String>,
    /// The decoded first text body part, line breaks as `\n`.
    pub text: Option<String>,
}

impl ReceivedMail {
    /// The raw value of header `name` of the message (as sent, trimmed), if present.
    pub fn header(&self, name: &str) -> Option<String> {
        let message = mail_parser::MessageParser::default().parse(&self.data)?;
        let raw = message.header_raw(name)?;
        Some(raw.trim().to_owned())
    }
}

#[derive(Default)]
struct SmtpScript {
    failures_left: usize,
    failure_code: u16,
}

struct SmtpState {
    messages: Mutex<Vec<ReceivedMail>>,
    count: watch::Sender<usize>,
    script: Mutex<SmtpScript>,
}

/// An SMTP server on loopback that accepts and records every message (see
/// [`SmtpReceiver::fail_next`] to refuse some).
pub struct SmtpReceiver {
    addr: SocketAddr,
    state: Arc<SmtpState>,
    task: JoinHandle<()>,
}

impl SmtpReceiver {
    /// Starts the server on a random loopback port. Panics if it cannot bind.
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("SMTP receiver cannot bind to 127.0.0.1:0: {e}"));
        let addr = listener
            .local_addr()
            .unwrap_or_else(|e| panic!("SMTP receiver has no local address: {e}"));
        let state = Arc::new(SmtpState {
            messages: Mutex::new(Vec::new()),
            count: watch::channel(0).0,
            script: Mutex::new(SmtpScript::default()),
        });
        let accepting = Arc::clone(&state);
        let task = tokio::spawn(async move {
            let mut sessions = tokio::task::JoinSet::new();
            while let Ok((stream, _)) = listener.accept().await {
                sessions.spawn(smtp_session(stream, Arc::clone(&accepting)));
            }
        });
        Self { addr, state, task }
    }

    /// `127.0.0.1`.
    pub fn host(&self) -> String {
        self.addr.ip().to_string()
    }

    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// `smtp://127.0.0.1:<port>?from=clearinghouse%40example.org`: plain SMTP with a sender, as
    /// `clearinghouse_notify::SmtpConfig::from_url` reads it.
    pub fn url(&self) -> String {
        format!("smtp://{}?from=clearinghouse%40example.org", self.addr)
    }

    /// Refuse the next `count` transactions at `MAIL FROM` with reply `code` (451 transient,
    /// 550 permanent), then accept again.
    pub fn fail_next(&self, count: usize, code: u16) {
        let mut script = lock(&self.state.script);
        script.failures_left = count;
        script.failure_code = code;
    }

    /// Every message received so far, in order of arrival.
    pub fn messages(&self) -> Vec<ReceivedMail> {
        lock(&self.state.messages).clone()
    }

    /// Waits until at least `count` messages arrived (returning them all) or `timeout` passed.
    pub async fn wait_for(
        &self,
        count: usize,
        timeout: Duration,
    ) -> Result<Vec<ReceivedMail>, WaitTimeout> {
        wait_for_count(&self.state.count, count, timeout).await?;
        Ok(self.messages())
    }
}

impl Drop for SmtpReceiver {
    fn drop(&mut self) {
        // Aborting the accept loop drops its JoinSet, which aborts the open sessions too.
        self.task.abort();
    }
}

/// The longest command or data line accepted (RFC 5321 allows 1000 octets; clients exceed it).
const MAX_LINE: u64 = 64 * 1024;
/// What the server calls itself in replies.
const SERVER_NAME: &str = "clearinghouse-test-smtp";

/// One SMTP connection, until QUIT, EOF or an I/O error.
async fn smtp_session(stream: TcpStream, state: Arc<SmtpState>) {
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::new(read);
    let _ = smtp_dialogue(&mut reader, &mut write, &state).await;
}

async fn smtp_dialogue(
    reader: &mut (impl AsyncBufRead + Unpin),
    write: &mut (impl AsyncWriteExt + Unpin),
    state: &SmtpState,
) -> std::io::Result<()> {
    let mut auth: Option<(String, String)> = None;
    let mut from: Option<String> = None;
    let mut to: Vec<String> = Vec::new();
    write
        .write_all(format!("220 {SERVER_NAME} ESMTP ready\r\n").as_bytes())
        .await?;
    loop {
        let Some(line) = read_line(reader).await? else {
            return Ok(());
        };
        let line = String::from_utf8_lossy(&line).into_owned();
        let (verb, argument) = line.split_once(' ').unwrap_or((line.as_str(), ""));
        let reply = match verb.to_ascii_uppercase().as_str() {
            "EHLO" => {
                from = None;
                to.clear();
                format!(
                    "250-{SERVER_NAME} greets {argument}\r\n250-8BITMIME\r\n250-AUTH PLAIN\r\n250 SIZE 10485760\r\n"
                )
            }
            "HELO" => {
                from = None;
                to.clear();
                format!("250 {SERVER_NAME}\r\n")
            }
            "AUTH" => {
                let (mechanism, initial) = argument.split_once(' ').unwrap_or((argument, ""));
                if !mechanism.eq_ignore_ascii_case("PLAIN") {
                    "504 5.5.4 Only AUTH PLAIN is offered\r\n".to_owned()
                } else {
                    let response = if initial.is_empty() {
                        write.write_all(b"334 \r\n").await?;
                        let Some(line) = read_line(reader).await? else {
                            return Ok(());
                        };
                        String::from_utf8_lossy(&line).into_owned()
                    } else {
                        initial.to_owned()
                    };
                    match decode_auth_plain(&response) {
                        Some(credentials) => {
                            auth = Some(credentials);
                            "235 2.7.0 Authentication successful\r\n".to_owned()
                        }
                        None => "501 5.5.2 Cannot decode the AUTH PLAIN response\r\n".to_owned(),
                    }
                }
            }
            "MAIL" => match path_argument(argument, "FROM:") {
                None => "501 5.5.4 Syntax: MAIL FROM:<address>\r\n".to_owned(),
                Some(address) => {
                    let refusal = {
                        let mut script = lock(&state.script);
                        (script.failures_left > 0).then(|| {
                            script.failures_left -= 1;
                            script.failure_code
                        })
                    };
                    match refusal {
                        Some(code) => format!("{code} Refused by the test receiver's script\r\n"),
                        None => {
                            from = Some(address);
                            to.clear();
                            "250 2.1.0 OK\r\n".to_owned()
                        }
                    }
                }
            },
            "RCPT" => match (&from, path_argument(argument, "TO:")) {
                (None, _) => "503 5.5.1 MAIL first\r\n".to_owned(),
                (_, None) => "501 5.5.4 Syntax: RCPT TO:<address>\r\n".to_owned(),
                (Some(_), Some(address)) => {
                    to.push(address);
                    "250 2.1.5 OK\r\n".to_owned()
                }
            },
            "DATA" => match &from {
                Some(sender) if !to.is_empty() => {
                    write
                        .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                        .await?;
                    let Some(data) = read_data(reader).await? else {
                        return Ok(());
                    };
                    let number =
                        store_message(state, &auth, sender.clone(), std::mem::take(&mut to), data);
                    from = None;
                    format!("250 2.0.0 OK queued as {number}\r\n")
                }
                Some(_) => "503 5.5.1 RCPT first\r\n".to_owned(),
                None => "503 5.5.1 MAIL first\r\n".to_owned(),
            },
            "RSET" => {
                from = None;
                to.clear();
                "250 2.0.0 OK\r\n".to_owned()
            }
            "NOOP" => "250 2.0.0 OK\r\n".to_owned(),
            "VRFY" => "252 2.1.5 Cannot VRFY, but will accept the message\r\n".to_owned(),
            "QUIT" => {
                write.write_all(b"221 2.0.0 Bye\r\n").await?;
                return Ok(());
            }
            _ => "502 5.5.2 Command not recognized\r\n".to_owned(),
        };
        write.write_all(reply.as_bytes()).await?;
    }
}

/// Records a message (decoding subject and text) and returns its number, counting from 1.
fn store_message(
    state: &SmtpState,
    auth: &Option<(String, String)>,
    from: String,
    to: Vec<String>,
    data: Vec<u8>,
) -> usize {
    let (subject, text) = match mail_parser::MessageParser::default().parse(&data) {
        Some(message) => (
            message.subject().map(ToOwned::to_owned),
            message.body_text(0).map(|text| text.replace("\r\n", "\n")),
        ),
        None => (None, None),
    };
    let mail = ReceivedMail {
        auth_user: auth.as_ref().map(|(user, _)| user.clone()),
        auth_password: auth.as_ref().map(|(_, password)| password.clone()),
        from,
        to,
        data,
        subject,
        text,
    };
    let mut messages = lock(&state.messages);
    messages.push(mail);
    state.count.send_replace(messages.len());
    messages.len()
}

/// One line without its line ending (CRLF, or a bare LF from a sloppy client); `None` at EOF.
async fn read_line(reader: &mut (impl AsyncBufRead + Unpin)) -> std::io::Result<Option<Vec<u8>>> {
    let mut line = Vec::new();
    let read = (&mut *reader)
        .take(MAX_LINE)
        .read_until(b'\n', &mut line)
        .await?;
    if read == 0 {
        return Ok(None);
    }
    if line.last() != Some(&b'\n') {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "SMTP line too long or cut off",
        ));
    }
    line.pop();
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    Ok(Some(line))
}

/// The DATA section up to the lone `.`, dot-unstuffed (RFC 5321 section 4.5.2), every line ending
/// in CRLF; `None` if the connection ends first.
async fn read_data(reader: &mut (impl AsyncBufRead + Unpin)) -> std::io::Result<Option<Vec<u8>>> {
    let mut data = Vec::new();
    loop {
        let Some(line) = read_line(reader).await? else {
            return Ok(None);
        };
        if line == b"." {
            return Ok(Some(data));
        }
        let line = line.strip_prefix(b".").unwrap_or(&line);
        data.extend_from_slice(line);
        data.extend_from_slice(b"\r\n");
    }
}

/// The address in `FROM:<address> [parameters]` / `TO:<address>`, without the brackets.
fn path_argument(argument: &str, keyword: &str) -> Option<String> {
    let head = argument.get(..keyword.len())?;
    if !head.eq_ignore_ascii_case(keyword) {
        return None;
    }
    let path = argument[keyword.len()..].trim_start();
    let path = path.split(' ').next()?;
    let address = path.strip_prefix('<')?.strip_suffix('>')?;
    Some(address.to_owned())
}

/// `base64(authzid \0 user \0 password)` into (user, password).
fn decode_auth_plain(response: &str) -> Option<(String, String)> {
    let decoded = BASE64.decode(response.trim()).ok()?;
    let decoded = String::from_utf8(decoded).ok()?;
    let mut parts = decoded.split('\0');
    let _authorization_id = parts.next()?;
    let user = parts.next()?.to_owned();
    let password = parts.next()?.to_owned();
    parts.next().is_none().then_some((user, password))
}

/// Waits until the counter reaches `count` or `timeout` passes.
async fn wait_for_count(
    counter: &watch::Sender<usize>,
    count: usize,
    timeout: Duration,
) -> Result<(), WaitTimeout> {
    let mut receiver = counter.subscribe();
    let reached = tokio::time::timeout(timeout, receiver.wait_for(|n| *n >= count)).await;
    match reached {
        Ok(Ok(_)) => Ok(()),
        _ => Err(WaitTimeout {
            expected: count,
            received: *counter.borrow(),
        }),
    }
}

/// A poisoned lock only means another test thread panicked; the data is still what was recorded.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smtp_paths_and_auth_plain_are_parsed() {
        assert_eq!(
            path_argument("FROM:<a@example.org> BODY=8BITMIME", "FROM:"),
            Some("a@example.org".to_owned())
        );
        assert_eq!(
            path_argument("to: <b@example.org>", "TO:"),
            Some("b@example.org".to_owned())
        );
        assert_eq!(path_argument("FROM:a@example.org", "FROM:"), None);
        assert_eq!(path_argument("TO:<b@example.org>", "FROM:"), None);
        let plain = BASE64.encode("\0user\0p@ss");
        assert_eq!(
            decode_auth_plain(&plain),
            Some(("user".to_owned(), "p@ss".to_owned()))
        );
        assert_eq!(decode_auth_plain("not base64"), None);
    }

    #[tokio::test]
    async fn smtp_dialogue_unstuffs_dots_and_checks_command_order() {
        let state = SmtpState {
            messages: Mutex::new(Vec::new()),
            count: watch::channel(0).0,
            script: Mutex::new(SmtpScript::default()),
        };
        let input = b"EHLO client\r\nRCPT TO:<b@example.org>\r\nMAIL FROM:<a@example.org>\r\nDATA\r\n\
RCPT TO:<b@example.org>\r\nDATA\r\nSubject: hi\r\n\r\n..leading dot\r\n.\r\nNOOP\r\nRSET\r\nFOO\r\nQUIT\r\n";
        let mut reader = BufReader::new(&input[..]);
        let mut output = Vec::new();
        smtp_dialogue(&mut reader, &mut output, &state)
            .await
            .unwrap();
        let output = String::from_utf8(output).unwrap();
        let codes: Vec<&str> = output
            .lines()
            .filter(|line| !line.starts_with("250-"))
            .map(|line| &line[..3])
            .collect();
        assert_eq!(
            codes,
            [
                "220", "250", "503", "250", "503", "250", "354", "250", "250", "250", "502", "221"
            ]
        );
        let messages = lock(&state.messages).clone();
        assert_eq!(messages.len(), 1);
        assert_eq!(messages[0].from, "a@example.org");
        assert_eq!(messages[0].to, ["b@example.org"]);
        assert_eq!(messages[0].data, b"Subject: hi\r\n\r\n.leading dot\r\n");
        assert_eq!(messages[0].subject.as_deref(), Some("hi"));
        assert_eq!(
            messages[0].text.as_deref().map(str::trim_end),
            Some(".leading dot")
        );
    }
}
