//! Error responses in the engine's shape: `{"type", "message", "code"}`.

use axum::body::Body;
use axum::http::{header, StatusCode};
use axum::response::Response;
use serde_json::json;

/// An error the engine answers with: HTTP status plus the exception's simple class name, its
/// message and its code (`None` is written as JSON `null`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ApiError {
    pub status: u16,
    pub kind: &'static str,
    pub message: Option<String>,
    pub code: Option<i64>,
}

impl ApiError {
    fn new(status: u16, kind: &'static str, message: impl Into<String>, code: Option<i64>) -> Self {
        ApiError {
            status,
            kind,
            message: Some(message.into()),
            code,
        }
    }

    /// `InvalidRequestException` thrown by the REST layer itself (code `null`).
    pub fn invalid_request(status: u16, message: impl Into<String>) -> Self {
        Self::new(status, "InvalidRequestException", message, None)
    }

    /// `RestException` wrapping an engine exception (code 0).
    pub fn rest_wrapping(status: u16, message: impl Into<String>) -> Self {
        Self::new(status, "RestException", message, Some(0))
    }

    /// `RestException` thrown directly by the REST layer (code `null`).
    pub fn rest(status: u16, message: impl Into<String>) -> Self {
        Self::new(status, "RestException", message, None)
    }

    /// An engine exception that reaches the REST layer untranslated (code 0).
    pub fn engine(status: u16, kind: &'static str, message: impl Into<String>) -> Self {
        Self::new(status, kind, message, Some(0))
    }

    /// 500 `NullValueException` `<name> is null`.
    pub fn null_value(name: &str) -> Self {
        Self::engine(500, "NullValueException", format!("{name} is null"))
    }

    /// 500 `ProcessEngineException`.
    pub fn process_engine(message: impl Into<String>) -> Self {
        Self::engine(500, "ProcessEngineException", message)
    }

    /// Malformed or mismatched JSON: 400 `InvalidRequestException` with an empty message.
    pub fn bad_json() -> Self {
        Self::invalid_request(400, "")
    }

    /// A missing body where the engine expects one: a `NullPointerException`, so 500.
    pub fn null_pointer() -> Self {
        ApiError {
            status: 500,
            kind: "NullPointerException",
            message: None,
            code: None,
        }
    }

    /// 404 for an unknown task id in the handle-type operations (code 0).
    pub fn task_not_found(id: &str) -> Self {
        Self::rest_wrapping(404, format!("External task with id {id} does not exist"))
    }

    /// The body written for this error.
    pub fn body(&self) -> serde_json::Value {
        json!({ "type": self.kind, "message": self.message, "code": self.code })
    }

    /// The HTTP response, leaving out a `null` code when asked to.
    pub fn into_response_with(self, omit_null_code: bool) -> Response {
        let mut body = self.body();
        if omit_null_code && self.code.is_none() {
            if let Some(map) = body.as_object_mut() {
                map.remove("code");
            }
        }
        json_response(self.status, &body)
    }
}

/// A JSON response with the given status.
pub(crate) fn json_response(status: u16, value: &serde_json::Value) -> Response {
    let body = serde_json::to_vec(value).unwrap_or_default();
    let mut response = Response::new(Body::from(body));
    *response.status_mut() =
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json"),
    );
    response
}

/// An empty response with the given status (204 for void operations).
pub(crate) fn empty_response(status: u16) -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() =
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    response
}

/// A `text/plain` 200 response.
pub(crate) fn text_response(text: String) -> Response {
    let mut response = Response::new(Body::from(text));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("text/plain"),
    );
    response
}
