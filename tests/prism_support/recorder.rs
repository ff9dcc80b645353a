//! A recording reverse proxy on 127.0.0.1 between our client and Prism.
//!
//! Our client does not expose response headers, and Prism reports violations in one
//! (`sl-violations`) or, with `--errors`, in a problem body. The recorder forwards every request
//! unchanged, keeps what Prism said about it, and hands the response back unchanged.

use axum::body::{to_bytes, Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, StatusCode};
use axum::response::Response;
use serde_json::Value;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

/// The largest body the recorder forwards (Camunda documents are ~2 MB; requests are small).
const BODY_LIMIT: usize = 16 * 1024 * 1024;

/// One violation Prism reported.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    /// Where, e.g. `request.body.workerId` or `response.body.0.tenantId`.
    pub location: String,
    /// `Error` or `Warning`.
    pub severity: String,
    /// The JSON Schema keyword that failed, e.g. `type`, `format`.
    pub code: String,
    /// Prism's text.
    pub message: String,
}

impl Violation {
    /// Whether it is about the request (ours to fix), not about the response (the document's
    /// example vs. its own schema in mock mode, or the upstream's answer in proxy mode).
    pub fn is_request(&self) -> bool {
        self.location.starts_with("request") || !self.location.starts_with("response")
    }
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "[{}] {} ({}): {}",
            self.severity, self.location, self.code, self.message
        )
    }
}

/// One request and Prism's answer to it.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// Request method.
    pub method: String,
    /// Request path and query, as sent.
    pub path_and_query: String,
    /// Request headers, as sent.
    pub request_headers: HeaderMap,
    /// Request body, as sent.
    pub request_body: Bytes,
    /// Response status.
    pub status: u16,
    /// Response `Content-Type`.
    pub content_type: Option<String>,
    /// Response body.
    pub body: Bytes,
    /// Everything Prism reported: the `sl-violations` header and, in `--errors` mode, the
    /// `validation` list of its problem body.
    pub violations: Vec<Violation>,
}

impl Exchange {
    /// The violations about the request.
    pub fn request_violations(&self) -> Vec<&Violation> {
        self.violations.iter().filter(|v| v.is_request()).collect()
    }

    /// The violations about the response.
    pub fn response_violations(&self) -> Vec<&Violation> {
        self.violations.iter().filter(|v| !v.is_request()).collect()
    }

    /// The response body as JSON, if it is JSON.
    pub fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// `METHOD /path?query`, for messages.
    pub fn describe(&self) -> String {
        format!("{} {}", self.method, self.path_and_query)
    }
}

#[derive(Clone)]
struct Shared {
    upstream: String,
    http: reqwest::Client,
    exchanges: Arc<Mutex<Vec<Exchange>>>,
}

/// A running recorder. Dropping it stops the server.
pub struct Recorder {
    addr: SocketAddr,
    exchanges: Arc<Mutex<Vec<Exchange>>>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Recorder {
    /// Starts a recorder on an ephemeral port of 127.0.0.1 that forwards to `upstream`
    /// (e.g. [`Prism::base_url`](super::Prism::base_url)).
    pub async fn start(upstream: &str) -> Result<Recorder, String> {
        let http = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("cannot build the recorder's HTTP client: {e}"))?;
        let exchanges = Arc::new(Mutex::new(Vec::new()));
        let shared = Shared {
            upstream: upstream.trim_end_matches('/').to_owned(),
            http,
            exchanges: Arc::clone(&exchanges),
        };
        let app = axum::Router::new().fallback(forward).with_state(shared);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| format!("cannot bind the recorder to 127.0.0.1:0: {e}"))?;
        let addr = listener
            .local_addr()
            .map_err(|e| format!("cannot read the recorder's address: {e}"))?;
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = rx.await;
                })
                .await;
        });
        Ok(Recorder {
            addr,
            exchanges,
            shutdown: Some(tx),
        })
    }

    /// `http://127.0.0.1:PORT`, the base URL to give our client.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// How many exchanges were recorded so far (a mark for [`Recorder::since`]).
    pub fn mark(&self) -> usize {
        self.lock().len()
    }

    /// The exchanges recorded after `mark`.
    pub fn since(&self, mark: usize) -> Vec<Exchange> {
        self.lock()
            .get(mark..)
            .map(<[_]>::to_vec)
            .unwrap_or_default()
    }

    /// All exchanges so far.
    pub fn all(&self) -> Vec<Exchange> {
        self.lock().clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Exchange>> {
        self.exchanges.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Hop-by-hop headers, and those the HTTP stacks set themselves.
fn is_passed_through(name: &HeaderName) -> bool {
    !matches!(
        name.as_str(),
        "host" | "connection" | "keep-alive" | "transfer-encoding" | "content-length" | "upgrade"
    )
}

async fn forward(State(shared): State<Shared>, request: Request) -> Response {
    match try_forward(&shared, request).await {
        Ok(response) => response,
        Err(message) => {
            let mut response = Response::new(Body::from(message));
            *response.status_mut() = StatusCode::BAD_GATEWAY;
            response
        }
    }
}

async fn try_forward(shared: &Shared, request: Request) -> Result<Response, String> {
    let (parts, body) = request.into_parts();
    let path_and_query = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "/".to_owned());
    let request_body = to_bytes(body, BODY_LIMIT)
        .await
        .map_err(|e| format!("recorder: cannot read the request body: {e}"))?;

    let method = reqwest::Method::from_bytes(parts.method.as_str().as_bytes())
        .map_err(|e| format!("recorder: bad method: {e}"))?;
    let mut outgoing = shared
        .http
        .request(method, format!("{}{}", shared.upstream, path_and_query));
    for (name, value) in parts.headers.iter() {
        if is_passed_through(name) {
            outgoing = outgoing.header(name.as_str(), value.as_bytes());
        }
    }
    let upstream = outgoing
        .body(request_body.clone())
        .send()
        .await
        .map_err(|e| format!("recorder: the upstream did not answer: {e}"))?;

    let status = upstream.status().as_u16();
    let response_headers: Vec<(String, Vec<u8>)> = upstream
        .headers()
        .iter()
        .map(|(n, v)| (n.as_str().to_owned(), v.as_bytes().to_vec()))
        .collect();
    let content_type = upstream
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let header_violations = upstream
        .headers()
        .get_all("sl-violations")
        .iter()
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .collect::<Vec<_>>();
    let body = upstream
        .bytes()
        .await
        .map_err(|e| format!("recorder: cannot read the upstream's body: {e}"))?;

    let mut violations = Vec::new();
    for header in &header_violations {
        violations.extend(parse_violations(header));
    }
    // Prism may list the same violations in both places (a response violation with
    // `--errors`); the body counts only when the header said nothing.
    if violations.is_empty() {
        violations.extend(problem_violations(content_type.as_deref(), &body));
    }

    shared
        .exchanges
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(Exchange {
            method: parts.method.to_string(),
            path_and_query,
            request_headers: parts.headers.clone(),
            request_body,
            status,
            content_type,
            body: body.clone(),
            violations,
        });

    let mut builder = Response::builder().status(status);
    for (name, value) in response_headers {
        if let Ok(name) = HeaderName::from_bytes(name.as_bytes()) {
            if is_passed_through(&name) {
                builder = builder.header(name, value);
            }
        }
    }
    builder
        .body(Body::from(body))
        .map_err(|e| format!("recorder: cannot build the response: {e}"))
}

/// The `sl-violations` header: a JSON array of `{location: [..], severity, code, message}`.
/// Anything unreadable is kept as one violation, so it can never pass unnoticed.
pub fn parse_violations(header: &str) -> Vec<Violation> {
    if header.trim().is_empty() {
        return Vec::new();
    }
    match serde_json::from_str::<Value>(header) {
        Ok(Value::Array(items)) => items.iter().map(violation_from_json).collect(),
        _ => vec![Violation {
            location: "unknown".into(),
            severity: "Error".into(),
            code: "unreadable".into(),
            message: format!("unreadable sl-violations header: {header}"),
        }],
    }
}

/// With `--errors`, Prism answers a violation with `application/problem+json` whose `type` ends
/// in `#VIOLATIONS` or `#UNPROCESSABLE_ENTITY` and whose `validation` lists them. Prism's 422
/// omits the `request` prefix of the location, so a 422's violations are about the request.
fn problem_violations(content_type: Option<&str>, body: &[u8]) -> Vec<Violation> {
    if !content_type.is_some_and(|ct| ct.starts_with("application/problem+json")) {
        return Vec::new();
    }
    let Ok(problem) = serde_json::from_slice::<Value>(body) else {
        return Vec::new();
    };
    let kind = problem.get("type").and_then(Value::as_str).unwrap_or("");
    let is_request = kind.ends_with("#UNPROCESSABLE_ENTITY");
    if !(is_request || kind.ends_with("#VIOLATIONS")) {
        return Vec::new();
    }
    problem
        .get("validation")
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .map(violation_from_json)
                .map(|mut v| {
                    if is_request && !v.location.starts_with("request") {
                        v.location = format!("request.{}", v.location);
                    }
                    v
                })
                .collect()
        })
        .unwrap_or_default()
}

fn violation_from_json(item: &Value) -> Violation {
    let text = |key: &str| {
        item.get(key)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let location = item
        .get("location")
        .and_then(Value::as_array)
        .map(|parts| {
            parts
                .iter()
                .map(|p| match p {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect::<Vec<_>>()
                .join(".")
        })
        .unwrap_or_else(|| "unknown".into());
    Violation {
        location,
        severity: text("severity"),
        code: text("code"),
        message: text("message"),
    }
}
