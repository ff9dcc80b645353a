//! The crate's error type.
//!
//! Every failure of a request ends up as one [`Error`]. Variants that belong to a request carry its
//! method and URL path in one boxed [`RequestContext`] (never its query string or headers, which
//! may hold secrets), so the `Display` text says what went wrong and where. The variants are
//! `#[non_exhaustive]`: match them with `..`, and they can gain fields without breaking callers.

use reqwest::{Method, StatusCode};
use serde::Deserialize;

/// A boxed error from user code (an [`AuthProvider`](crate::AuthProvider)) or a serializer.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// How many bytes of a response body an error keeps as a snippet.
pub(crate) const SNIPPET_LIMIT: usize = 512;

/// Everything that can go wrong when talking to the engine.
///
/// The enum is `#[non_exhaustive]`: match the variants you act on and keep a catch-all arm.
/// The helpers [`Error::status`], [`Error::engine`], [`Error::is_not_found`] and
/// [`Error::is_transient`] answer the common questions without a match.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The engine answered with a non-success status and its JSON error body
    /// (`{"type": .., "message": .., "code": ..}`).
    #[error("{0}")]
    Engine(Box<EngineError>),

    /// A non-success status without an engine error body (for example an HTML page from a proxy,
    /// or the empty body of a `401` from the engine's basic-auth filter), or a `204 No Content`
    /// where the operation promises a body.
    #[error(
        "{request}: unexpected status {status}{}{}",
        content_type_suffix(content_type),
        snippet_suffix(snippet)
    )]
    #[non_exhaustive]
    UnexpectedStatus {
        /// The request: its method and URL path.
        request: Box<RequestContext>,
        /// Status the server answered with.
        status: StatusCode,
        /// The response's `Content-Type`, if it had one.
        content_type: Option<String>,
        /// The start of the response body (at most 512 bytes, cut at a character boundary).
        snippet: String,
    },

    /// A success response whose body does not match the expected type.
    #[error(
        "{request}: cannot decode the {status} response body at `{json_path}`: {source}{}",
        snippet_suffix(snippet)
    )]
    #[non_exhaustive]
    Decode {
        /// The request: its method and URL path.
        request: Box<RequestContext>,
        /// Status of the response.
        status: StatusCode,
        /// Where in the JSON document decoding failed, e.g. `[0].lockExpirationTime`
        /// (`.` for the document itself).
        json_path: String,
        /// The start of the response body (at most 512 bytes, cut at a character boundary).
        snippet: String,
        /// The decoder's error.
        #[source]
        source: serde_json::Error,
    },

    /// No connection to the server could be established (refused, DNS, TLS, connect timeout).
    #[error("{request}: cannot connect to the engine: {}", error_chain(source))]
    #[non_exhaustive]
    Connect {
        /// The request: its method and URL path.
        request: Box<RequestContext>,
        /// The transport error.
        #[source]
        source: reqwest::Error,
    },

    /// The request did not complete within its timeout.
    #[error("{request}: the request timed out")]
    #[non_exhaustive]
    Timeout {
        /// The request: its method and URL path.
        request: Box<RequestContext>,
        /// The transport error.
        #[source]
        source: reqwest::Error,
    },

    /// Any other transport failure (connection reset, malformed response, reading the body).
    #[error("{request}: request failed: {}", error_chain(source))]
    #[non_exhaustive]
    Request {
        /// The request: its method and URL path.
        request: Box<RequestContext>,
        /// The transport error.
        #[source]
        source: reqwest::Error,
    },

    /// The request body or query parameters could not be serialized.
    #[error("{request}: cannot serialize the request {what}: {source}")]
    #[non_exhaustive]
    Serialize {
        /// The request: its method and URL path.
        request: Box<RequestContext>,
        /// What failed: `body` or `query`.
        what: &'static str,
        /// The serializer's error.
        #[source]
        source: BoxError,
    },

    /// The configured [`AuthProvider`](crate::AuthProvider) failed or returned an invalid
    /// header value.
    #[error("{request}: the auth provider failed: {source}")]
    #[non_exhaustive]
    Auth {
        /// The request: its method and URL path.
        request: Box<RequestContext>,
        /// The provider's error.
        #[source]
        source: BoxError,
    },

    /// The client was configured with invalid input (see [`ClientBuilder`](crate::ClientBuilder)).
    #[error("invalid client configuration: {message}")]
    Config {
        /// What is wrong, naming the offending input.
        message: String,
    },
}

impl Error {
    /// The request the error belongs to (its method and URL path), for every variant but
    /// [`Error::Config`]. For [`Error::Engine`] it is the engine error's.
    pub fn request(&self) -> Option<RequestContext> {
        match self {
            Error::Engine(e) => Some(RequestContext::new(e.method.clone(), e.path.clone())),
            Error::UnexpectedStatus { request, .. }
            | Error::Decode { request, .. }
            | Error::Connect { request, .. }
            | Error::Timeout { request, .. }
            | Error::Request { request, .. }
            | Error::Serialize { request, .. }
            | Error::Auth { request, .. } => Some((**request).clone()),
            Error::Config { .. } => None,
        }
    }

    /// The HTTP status of the response, when the error comes from one.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Engine(e) => Some(e.status),
            Error::UnexpectedStatus { status, .. } | Error::Decode { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The engine's error body, when the engine answered with one.
    pub fn engine(&self) -> Option<&EngineError> {
        match self {
            Error::Engine(e) => Some(e),
            _ => None,
        }
    }

    /// Whether the server answered `404 Not Found`.
    ///
    /// Note that the engine reports some missing entities with `400` (its `NotFoundException`
    /// maps to Bad Request unless a resource translates it); those are not covered here.
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(StatusCode::NOT_FOUND)
    }

    /// Whether retrying the same request later may succeed.
    ///
    /// True for connect failures, timeouts, other transport failures (e.g. a connection reset),
    /// `429 Too Many Requests` and `5xx` statuses other than `501`/`505`. The engine answers `500`
    /// both for transient problems (optimistic locking, code 1; a deadlock, code 10000; its
    /// long-poll queue being full) and for some permanent ones (e.g. `workerId is null`), so a
    /// caller should bound its retries.
    pub fn is_transient(&self) -> bool {
        match self {
            Error::Connect { .. } | Error::Timeout { .. } => true,
            Error::Request { source, .. } => !source.is_builder(),
            Error::UnexpectedStatus { status, .. } => transient_status(*status),
            Error::Engine(e) => transient_status(e.status),
            _ => false,
        }
    }

    pub(crate) fn config(message: impl Into<String>) -> Self {
        Error::Config {
            message: message.into(),
        }
    }
}

/// The request an [`Error`] belongs to: its method and URL path (never the query string or
/// headers, which may hold secrets). Displayed as `POST /engine-rest/external-task/fetchAndLock`.
///
/// Kept in a box inside the error, so that every `Result` carrying an [`Error`] stays small.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestContext {
    method: Method,
    path: String,
}

impl RequestContext {
    /// A context for `method` and `path`.
    pub fn new(method: Method, path: impl Into<String>) -> Self {
        Self {
            method,
            path: path.into(),
        }
    }

    pub(crate) fn boxed(method: Method, path: impl Into<String>) -> Box<Self> {
        Box::new(Self::new(method, path))
    }

    /// HTTP method of the request.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// URL path of the request (no query string).
    pub fn path(&self) -> &str {
        &self.path
    }
}

impl std::fmt::Display for RequestContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.method, self.path)
    }
}

/// An error reported by the engine: a non-success status with Camunda's JSON error body.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct EngineError {
    /// HTTP method of the request.
    pub method: Method,
    /// URL path of the request (no query string).
    pub path: String,
    /// Status of the response.
    pub status: StatusCode,
    /// The engine's exception type (JSON `type`), e.g. `RestException`,
    /// `InvalidRequestException`, `AuthorizationException`.
    pub error_type: Option<String>,
    /// The engine's message (JSON `message`).
    pub message: Option<String>,
    /// The engine's error code (JSON `code`): 0 by default, 1 for optimistic locking,
    /// 10000–10002 for database problems, 20000–39999 for custom codes; absent for some errors.
    pub code: Option<i64>,
    /// For an `AuthorizationException` (status 403): who was refused and which permissions were
    /// missing.
    pub authorization: Option<AuthorizationDetails>,
    /// The whole JSON body as received.
    pub body: serde_json::Value,
}

impl EngineError {
    /// Builds the error from a parsed body, or `None` when the body is not an engine error
    /// (a JSON object with a string `type` or `message`).
    pub(crate) fn from_body(
        method: Method,
        path: String,
        status: StatusCode,
        body: serde_json::Value,
    ) -> Option<Self> {
        let object = body.as_object()?;
        let text = |key: &str| object.get(key).and_then(|v| v.as_str()).map(str::to_owned);
        let error_type = text("type");
        let message = text("message");
        if error_type.is_none() && message.is_none() {
            return None;
        }
        let code = object.get("code").and_then(serde_json::Value::as_i64);
        let authorization = if object.contains_key("missingAuthorizations")
            || error_type.as_deref() == Some("AuthorizationException")
        {
            // A malformed details block must not hide the error itself; keep what decodes.
            serde_json::from_value::<AuthorizationDetails>(body.clone()).ok()
        } else {
            None
        };
        Some(EngineError {
            method,
            path,
            status,
            error_type,
            message,
            code,
            authorization,
            body,
        })
    }
}

impl std::fmt::Display for EngineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}: engine error {}",
            self.method, self.path, self.status
        )?;
        if let Some(t) = &self.error_type {
            write!(f, " {t}")?;
        }
        if let Some(code) = self.code {
            write!(f, " (code {code})")?;
        }
        if let Some(m) = &self.message {
            write!(f, ": {m}")?;
        }
        Ok(())
    }
}

impl std::error::Error for EngineError {}

/// The extra fields of an engine `AuthorizationException` (status 403).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AuthorizationDetails {
    /// The user that was refused (JSON `userId`).
    #[serde(default)]
    pub user_id: Option<String>,
    /// The permissions the user would have needed (JSON `missingAuthorizations`).
    #[serde(default)]
    pub missing_authorizations: Vec<MissingAuthorization>,
}

/// One permission missing for an authorization check.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct MissingAuthorization {
    /// The permission, e.g. `UPDATE` (JSON `permissionName`).
    #[serde(default)]
    pub permission_name: Option<String>,
    /// The resource type, e.g. `ProcessInstance` (JSON `resourceName`).
    #[serde(default)]
    pub resource_name: Option<String>,
    /// The resource id, or `*` (JSON `resourceId`).
    #[serde(default)]
    pub resource_id: Option<String>,
}

/// The start of a body for an error message: at most [`SNIPPET_LIMIT`] bytes, cut at a
/// character boundary, invalid UTF-8 replaced.
pub(crate) fn snippet(body: &[u8]) -> String {
    let head = &body[..body.len().min(SNIPPET_LIMIT + 4)];
    let text = String::from_utf8_lossy(head);
    let mut end = text.len().min(SNIPPET_LIMIT);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_owned()
}

/// A status worth retrying: `429`, or a server error other than "not implemented" and "HTTP
/// version not supported".
fn transient_status(status: StatusCode) -> bool {
    status == StatusCode::TOO_MANY_REQUESTS
        || (status.is_server_error()
            && status != StatusCode::NOT_IMPLEMENTED
            && status != StatusCode::HTTP_VERSION_NOT_SUPPORTED)
}

fn content_type_suffix(content_type: &Option<String>) -> String {
    match content_type {
        Some(ct) => format!(" ({ct})"),
        None => String::new(),
    }
}

fn snippet_suffix(snippet: &str) -> String {
    let trimmed = snippet.trim();
    if trimmed.is_empty() {
        String::new()
    } else {
        format!("; body starts with: {trimmed}")
    }
}

/// The error and its sources on one line: reqwest's own message alone ("error sending request")
/// rarely says what happened.
fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(s) = source {
        let next = s.to_string();
        if !text.contains(&next) {
            text.push_str(": ");
            text.push_str(&next);
        }
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    /// The request context is boxed so that every `Result<_, Error>` stays small.
    #[test]
    fn the_error_stays_small() {
        let size = std::mem::size_of::<super::Error>();
        assert!(size <= 72, "Error is {size} bytes");
    }

    use super::*;

    #[test]
    fn snippet_cuts_at_a_char_boundary() {
        let body = "é".repeat(400); // 800 bytes, 2 per char
        let s = snippet(body.as_bytes());
        assert_eq!(s.len(), 512);
        assert!(s.chars().all(|c| c == 'é'));

        let body = format!("a{}", "é".repeat(400)); // the 512th byte falls inside a char
        let s = snippet(body.as_bytes());
        assert_eq!(s.len(), 511);
    }

    #[test]
    fn snippet_keeps_short_bodies_whole() {
        assert_eq!(
            snippet(b"<html>bad gateway</html>"),
            "<html>bad gateway</html>"
        );
        assert_eq!(snippet(b""), "");
    }

    #[test]
    fn engine_error_reads_authorization_details() {
        let body = serde_json::json!({
            "type": "AuthorizationException",
            "message": "The user with id 'jonny' does not have one of the following permissions: 'UPDATE'",
            "code": 0,
            "userId": "jonny",
            "missingAuthorizations": [
                {"permissionName": "UPDATE", "resourceName": "ProcessInstance", "resourceId": "*"}
            ]
        });
        let e = EngineError::from_body(Method::POST, "/x".into(), StatusCode::FORBIDDEN, body)
            .expect("an engine error");
        let details = e.authorization.expect("authorization details");
        assert_eq!(details.user_id.as_deref(), Some("jonny"));
        assert_eq!(details.missing_authorizations.len(), 1);
        assert_eq!(
            details.missing_authorizations[0].resource_name.as_deref(),
            Some("ProcessInstance")
        );
    }

    #[test]
    fn a_json_body_without_type_or_message_is_not_an_engine_error() {
        let body = serde_json::json!({"error": "nope"});
        assert!(
            EngineError::from_body(Method::GET, "/x".into(), StatusCode::BAD_GATEWAY, body)
                .is_none()
        );
    }

    #[test]
    fn transient_statuses() {
        let engine = |status: StatusCode| {
            let body =
                serde_json::json!({"type": "ProcessEngineException", "message": "m", "code": 0});
            Error::Engine(Box::new(
                EngineError::from_body(Method::POST, "/x".into(), status, body)
                    .expect("an engine error"),
            ))
        };
        let unexpected = |status: StatusCode| Error::UnexpectedStatus {
            request: crate::error::RequestContext::boxed(Method::GET, "/x"),
            status,
            content_type: None,
            snippet: String::new(),
        };
        for (status, transient) in [
            (StatusCode::BAD_REQUEST, false),
            (StatusCode::UNAUTHORIZED, false),
            (StatusCode::FORBIDDEN, false),
            (StatusCode::NOT_FOUND, false),
            (StatusCode::TOO_MANY_REQUESTS, true),
            (StatusCode::INTERNAL_SERVER_ERROR, true),
            (StatusCode::NOT_IMPLEMENTED, false),
            (StatusCode::BAD_GATEWAY, true),
            (StatusCode::SERVICE_UNAVAILABLE, true),
            (StatusCode::GATEWAY_TIMEOUT, true),
        ] {
            assert_eq!(engine(status).is_transient(), transient, "engine {status}");
            assert_eq!(
                unexpected(status).is_transient(),
                transient,
                "unexpected {status}"
            );
        }
        assert!(!Error::config("x").is_transient());
    }
}
