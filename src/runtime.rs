//! What generated code stands on: the one contract between `camunda7-codegen`'s output and this
//! crate.
//!
//! Every generated operation is a few lines over the items here: it names the HTTP method, the
//! path segments, the parameters and how the answer is decoded, and leaves the rest (URL
//! encoding, auth, timeouts, error mapping, decoding with the JSON path of a problem) to
//! [`Request`] and [`Response`]. That is true of the External Task API built into this crate and
//! of code generated in a user's own crate with `camunda7_codegen::Builder` (see the README,
//! "Use the whole API"); the generated code names nothing but this module, `serde`, and the
//! standard library.
//!
//! ```no_run
//! use camunda7_client::runtime::{Method, Request};
//! use camunda7_client::{Client, Error};
//!
//! # async fn demo(client: &Client, id: &str) -> Result<(), Error> {
//! // What a generated `GET /process-instance/{id}` method does:
//! let instance: serde_json::Value = Request::new(client, Method::GET, &["process-instance", id])
//!     .send()
//!     .await?
//!     .json()
//!     .await?;
//! # Ok(()) }
//! ```
//!
//! # The contract
//!
//! - [`Request::new`] starts a request to the client's base URL plus the given path segments,
//!   each percent-encoded, so an id holding `/` or `+` stays one segment.
//! - [`Request::query`], [`Request::json`] and [`Request::multipart`] add the parts;
//!   a serialization failure is kept and returned by [`Request::send`] as
//!   [`Error::Serialize`], so building a request never fails half way.
//! - [`Request::long_poll`] gives a fetch-and-lock its longer timeout:
//!   the larger of the client's timeout and the poll time plus the client's long-poll margin.
//! - [`Request::send`] applies auth and the request hooks, sends, and maps every failure: a
//!   transport problem to [`Error::Connect`] / [`Error::Timeout`] / [`Error::Request`], a
//!   non-success status to [`Error::Engine`] (the engine's JSON error body) or
//!   [`Error::UnexpectedStatus`]. The decoders of [`Response`] therefore only ever see success
//!   statuses.
//! - **When the timeout starts:** `send()` hands the request to the HTTP client when it is
//!   *called*, and the timer starts then, not at the first poll of the future it returns.
//!   Generated methods are `async fn`s that call `send()` in their body, so for them the timer
//!   starts when the method's future is first polled. (With an
//!   [`AuthProvider`](crate::AuthProvider), the timer starts once the provider has answered.)
//! - [`Response::json`] decodes a JSON body (a `204` is [`Error::UnexpectedStatus`], a body of
//!   the wrong shape [`Error::Decode`] naming the JSON path); [`Response::empty`] accepts any
//!   success; [`Response::text`], [`Response::optional_text`] and [`Response::bytes`] read
//!   the raw body.
//!
//! # Stability
//!
//! Generated code from a given `camunda7-codegen` release calls only what this module
//! documents, and the two crates are released together with the same version number. Within a
//! semver-compatible range of `camunda7-client`, the items here keep their names and
//! signatures; new ones may be added. Use `camunda7-codegen` and `camunda7-client` of the same
//! minor version.

use serde::Serialize;

pub use crate::client::{Request, Response};
pub use crate::date::DateTime;
pub use crate::error::Error;
pub use crate::Client;
pub use bytes::Bytes;
/// A `multipart/form-data` body and one part of it.
pub use reqwest::multipart::{Form, Part};
/// The HTTP method of a request.
pub use reqwest::Method;

/// Any JSON value: what free-form and untyped schemas become.
pub type JsonValue = serde_json::Value;

/// Implements `Display`, `Serialize` and `Deserialize` for a generated string enum, in terms of
/// its `as_str` and `From<&str>`: `string_enum_traits!(SortOrder);`.
///
/// Any JSON string deserializes (a value the document does not list lands in the enum's
/// fallback variant); anything else is an error naming what was found. The calling crate
/// needs `serde` as a dependency.
#[doc(inline)]
pub use crate::__string_enum_traits as string_enum_traits;

/// Deserializes a JSON string into `T` through `From<&str>`, without allocating for the value;
/// what [`string_enum_traits!`] expands to.
#[doc(hidden)]
pub use crate::string_enum::deserialize as deserialize_string_enum;

/// A file sent as one part of a `multipart/form-data` request (a deployment's resources, a
/// File variable's content).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FilePart {
    /// The file name sent with the part (the engine uses it, e.g. as a resource name).
    pub file_name: String,
    /// The content.
    pub content: Bytes,
    /// The media type of the content; `None` sends none.
    pub mime_type: Option<String>,
}

impl FilePart {
    /// A part with this file name and content.
    pub fn new(file_name: impl Into<String>, content: impl Into<Bytes>) -> Self {
        Self {
            file_name: file_name.into(),
            content: content.into(),
            mime_type: None,
        }
    }

    /// The same part with a media type (e.g. `application/octet-stream`).
    pub fn with_mime_type(mut self, mime_type: impl Into<String>) -> Self {
        self.mime_type = Some(mime_type.into());
        self
    }

    /// The multipart part; a media type that does not parse is left out.
    pub fn to_part(&self) -> Part {
        let part = || Part::stream(self.content.clone()).file_name(self.file_name.clone());
        match &self.mime_type {
            Some(mime_type) => part().mime_str(mime_type).unwrap_or_else(|_| part()),
            None => part(),
        }
    }
}

/// The text of a multipart field that is not a file or a plain scalar: its JSON.
pub fn form_json<T: Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}
