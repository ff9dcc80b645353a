//! The content endpoints of binary variables: `GET /process-instance/{id}/variables/{name}/data`
//! and `GET /execution/{id}/localVariables/{name}/data`, answering a `File` or `Bytes`
//! variable's decoded content.

use axum::body::Body;
use axum::http::header::{self, HeaderValue};
use axum::http::StatusCode;
use axum::response::Response;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine as _;
use serde_json::Value;

use crate::error::ApiError;
use crate::state::State;

/// Which of the two endpoints was asked, which decides the variables it sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DataScope {
    /// `/process-instance/{id}/variables/{name}/data`: the variables visible from `id` (an
    /// execution's own, then its process instance's; or a process instance's).
    Visible,
    /// `/execution/{id}/localVariables/{name}/data`: only the variables of `id` itself.
    Local,
}

/// The response for one content request.
pub(crate) fn variable_data(
    state: &State,
    scope: DataScope,
    id: &str,
    name: &str,
) -> Result<Response, ApiError> {
    let (what, stored) = lookup(state, scope, id, name)?;
    let Some(stored) = stored else {
        return Err(ApiError::invalid_request(
            404,
            format!("There is no {what} named {name} in {id}"),
        ));
    };
    let content = || decode_lenient(stored.get("value").and_then(Value::as_str).unwrap_or(""));
    match stored.get("type").and_then(Value::as_str) {
        Some("Bytes") => Ok(binary(content(), "application/octet-stream".into(), None)),
        Some("File") => {
            let info = stored.get("valueInfo");
            let text = |key: &str| info.and_then(|i| i.get(key)).and_then(Value::as_str);
            let mut content_type = text("mimeType")
                .unwrap_or("application/octet-stream")
                .to_owned();
            if let Some(encoding) = text("encoding") {
                content_type.push_str("; charset=");
                content_type.push_str(encoding);
            }
            let disposition = attachment(text("filename").unwrap_or(""));
            Ok(binary(content(), content_type, Some(disposition)))
        }
        other => Err(ApiError::invalid_request(
            400,
            format!(
                "The {what} {name} of {id} holds a {} value; only Bytes and File values have content to download",
                other.unwrap_or("untyped")
            ),
        )),
    }
}

/// Finds the variable as the endpoint sees it; the first element names what kind of variable
/// was asked for (for messages). An id that is neither a known execution nor a process
/// instance is an engine error (500), as the engine's lookup of the execution fails.
fn lookup<'a>(
    state: &'a State,
    scope: DataScope,
    id: &str,
    name: &str,
) -> Result<(&'static str, Option<&'a Value>), ApiError> {
    let root = |pi: &str| state.instances.get(pi).and_then(|vars| vars.get(name));
    if let Some(pi) = state.execution_instances.get(id) {
        let local = state.executions.get(id).and_then(|vars| vars.get(name));
        return Ok(match scope {
            DataScope::Local => ("local variable", local),
            DataScope::Visible => ("variable", local.or_else(|| root(pi))),
        });
    }
    if state.instances.contains_key(id) {
        // A process instance is its own root execution.
        let what = match scope {
            DataScope::Local => "local variable",
            DataScope::Visible => "variable",
        };
        return Ok((what, root(id)));
    }
    Err(ApiError::rest_wrapping(
        500,
        format!("Cannot read variable {name}: no execution or process instance has the id {id}"),
    ))
}

fn binary(content: Vec<u8>, content_type: String, disposition: Option<String>) -> Response {
    let mut response = Response::new(Body::from(content));
    *response.status_mut() = StatusCode::OK;
    let headers = response.headers_mut();
    let content_type = HeaderValue::from_str(&content_type)
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    headers.insert(header::CONTENT_TYPE, content_type);
    if let Some(value) = disposition.and_then(|d| HeaderValue::from_str(&d).ok()) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

/// `attachment; filename="..."`, with an RFC 5987 `filename*` as well when the name has
/// characters a quoted ASCII string cannot carry.
fn attachment(filename: &str) -> String {
    let plain: String = filename
        .chars()
        .map(|c| {
            if (c.is_ascii_graphic() && c != '"' && c != '\\') || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut value = format!("attachment; filename=\"{plain}\"");
    if plain != filename {
        value.push_str("; filename*=UTF-8''");
        for byte in filename.bytes() {
            if byte.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&byte) {
                value.push(char::from(byte));
            } else {
                value.push_str(&format!("%{byte:02X}"));
            }
        }
    }
    value
}

/// Decodes base64 the forgiving way the engine's codec does: characters outside the alphabet
/// (line breaks, spaces) are skipped, the URL-safe alphabet is accepted, padding is optional
/// and ends the data, and a dangling last character is dropped.
pub(crate) fn decode_lenient(text: &str) -> Vec<u8> {
    let mut cleaned: Vec<u8> = text
        .bytes()
        .take_while(|&b| b != b'=')
        .filter_map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'+' | b'/' => Some(b),
            b'-' => Some(b'+'),
            b'_' => Some(b'/'),
            _ => None,
        })
        .collect();
    if cleaned.len() % 4 == 1 {
        cleaned.pop();
    }
    let engine = GeneralPurpose::new(
        &alphabet::STANDARD,
        GeneralPurposeConfig::new()
            .with_decode_padding_mode(DecodePaddingMode::RequireNone)
            .with_decode_allow_trailing_bits(true),
    );
    engine.decode(&cleaned).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_is_decoded_leniently() {
        assert_eq!(decode_lenient("aGVsbG8="), b"hello");
        assert_eq!(decode_lenient("aGVs\r\nbG8"), b"hello");
        assert_eq!(decode_lenient("-_8"), vec![0xfb, 0xff]);
        assert_eq!(decode_lenient("aGVsbG8=x"), b"hello");
        assert_eq!(decode_lenient(""), Vec::<u8>::new());
        assert_eq!(decode_lenient("!!!"), Vec::<u8>::new());
    }

    #[test]
    fn attachment_names_are_quoted_safely() {
        assert_eq!(attachment("a b.pdf"), "attachment; filename=\"a b.pdf\"");
        assert_eq!(
            attachment("ä\".txt"),
            "attachment; filename=\"__.txt\"; filename*=UTF-8''%C3%A4%22.txt"
        );
    }
}
