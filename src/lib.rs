//! A typed, async client for the Camunda Platform 7 engine REST API.
//!
//! The endpoint methods and data types are generated at build time from an OpenAPI document
//! (by default the External Task API in `spec/external-task.yaml`); the modules below are the
//! hand-written runtime they stand on. See `ARCHITECTURE.md` for how the pieces fit.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod auth;
mod client;
mod date;
mod error;
mod string_enum;
pub mod variables;
#[cfg(feature = "worker")]
pub mod worker;

pub use auth::{Auth, AuthFuture, AuthProvider, Credential};
pub use client::{
    Client, ClientBuilder, DEFAULT_CONNECT_TIMEOUT, DEFAULT_LONG_POLL_MARGIN, DEFAULT_TIMEOUT,
    DEFAULT_USER_AGENT,
};
pub use date::{DateParseError, DateTime};
pub use error::{AuthorizationDetails, BoxError, EngineError, Error, MissingAuthorization};

// Used by the generated string enums as `crate::string_enum_traits!`.
#[allow(unused_imports)]
use string_enum::string_enum_traits;

// The generated code: `models` plus one module per tag (e.g. `external_task`).
include!(concat!(env!("OUT_DIR"), "/generated.rs"));
