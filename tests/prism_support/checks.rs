//! Checks shared by the contract tests: the client they use, how an error must match the body
//! Prism sent, and how a decoded value must keep every field Prism sent.

use camunda7_client::{Auth, Client, DateTime, Error};
use serde_json::Value;

/// The error must be `Error::Engine` with the status, and the type, message and code of the
/// body, when the body is an engine error; otherwise an error with the status.
pub fn error_matches(error: &Error, status: u16, body: Option<&Value>) -> Result<(), String> {
    let engine_body = body.filter(|b| {
        b.get("type").is_some_and(Value::is_string)
            || b.get("message").is_some_and(Value::is_string)
    });
    match (error, engine_body) {
        (Error::Engine(e), Some(body)) => {
            let text = |key: &str| body.get(key).and_then(Value::as_str).map(str::to_owned);
            let checks = [
                ("status", e.status.as_u16().to_string(), status.to_string()),
                (
                    "type",
                    format!("{:?}", e.error_type),
                    format!("{:?}", text("type")),
                ),
                (
                    "message",
                    format!("{:?}", e.message),
                    format!("{:?}", text("message")),
                ),
                (
                    "code",
                    format!("{:?}", e.code),
                    format!("{:?}", body.get("code").and_then(Value::as_i64)),
                ),
            ];
            for (what, ours, sent) in checks {
                if ours != sent {
                    return Err(format!(
                        "error {what} is {ours}, Prism sent {sent} ({error})"
                    ));
                }
            }
            Ok(())
        }
        (other, Some(body)) => Err(format!(
            "expected Error::Engine for the body {body}, got: {other}"
        )),
        (other, None) => match other.status() {
            Some(s) if s.as_u16() == status => Ok(()),
            _ => Err(format!(
                "expected an error with status {status}, got: {other}"
            )),
        },
    }
}

/// Adds to `problems` every non-null value of `sent` (at JSON path `at`) that `ours` lost or
/// changed.
pub fn compare(sent: &Value, ours: &Value, at: &str, problems: &mut Vec<String>) {
    match (sent, ours) {
        (Value::Null, _) => {}
        (Value::Object(s), Value::Object(o)) => {
            for (key, value) in s {
                match o.get(key) {
                    Some(mine) => compare(value, mine, &format!("{at}.{key}"), problems),
                    None if value.is_null() => {}
                    None => problems.push(format!("{at}.{key} was dropped")),
                }
            }
        }
        (Value::Array(s), Value::Array(o)) if s.len() == o.len() => {
            for (i, (a, b)) in s.iter().zip(o).enumerate() {
                compare(a, b, &format!("{at}[{i}]"), problems);
            }
        }
        (Value::String(a), Value::String(b)) if a != b => {
            let same_instant = matches!(
                (DateTime::parse(a), DateTime::parse(b)),
                (Ok(x), Ok(y)) if x.timestamp_millis() == y.timestamp_millis()
            );
            if !same_instant {
                problems.push(format!("{at}: sent {a:?}, ours {b:?}"));
            }
        }
        (Value::Number(a), Value::Number(b)) if a.as_f64() == b.as_f64() => {}
        (a, b) if a == b => {}
        (a, b) => problems.push(format!("{at}: sent {a}, ours {b}")),
    }
}

/// A client for the recorder in front of Prism; `prefer` becomes a default `Prefer` header
/// (our client has no per-call headers, so one client per choice of response).
pub fn client(base_url: &str, prefer: Option<&str>) -> Client {
    let mut headers = reqwest::header::HeaderMap::new();
    if let Some(prefer) = prefer {
        let value = reqwest::header::HeaderValue::from_str(prefer)
            .unwrap_or_else(|e| panic!("bad Prefer value {prefer}: {e}"));
        headers.insert("prefer", value);
    }
    let http = reqwest::Client::builder()
        .default_headers(headers)
        .no_proxy()
        .build()
        .unwrap_or_else(|e| panic!("cannot build the HTTP client: {e}"));
    Client::builder()
        .base_url(base_url)
        .http_client(http)
        // 7.24 requires basic auth; Prism checks only that it is there.
        .auth(Auth::basic("demo", "demo"))
        .build()
        .unwrap_or_else(|e| panic!("cannot build the client: {e}"))
}

/// A test date in Camunda's format.
pub fn date(text: &str) -> DateTime {
    DateTime::parse(text).unwrap_or_else(|e| panic!("test date {text}: {e}"))
}
