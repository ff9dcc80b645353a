//! A typed, async client for the Camunda Platform 7 engine REST API (Camunda 7, Operaton,
//! CIB seven), with an external-task [`worker`].
//!
//! The endpoint methods and data types are generated at build time from an OpenAPI document
//! (by default the External Task API in `spec/external-task.yaml`): one method per operation,
//! grouped by tag (`client.external_task()`), data types in [`models`]. The modules below are
//! the hand-written runtime they stand on. See `ARCHITECTURE.md` for how the pieces fit.
//!
//! # A worker
//!
//! ```no_run
//! use camunda7_client::{worker::{Outcome, Task, Worker}, BoxError, Client};
//!
//! async fn charge(task: Task) -> Result<Outcome, BoxError> {
//!     let amount: i64 = task.variables().get("amount")?;
//!     Ok(Outcome::complete().variable("receipt", format!("charged {amount}")).into())
//! }
//!
//! #[tokio::main]
//! async fn main() -> Result<(), BoxError> {
//!     let client = Client::new("http://localhost:8080/engine-rest")?;
//!     let worker = Worker::builder(client).subscribe("charge-card", charge).build()?;
//!     worker.run_until(async { tokio::signal::ctrl_c().await.ok(); }).await;
//!     Ok(())
//! }
//! ```
//!
//! A handler that needs shared state (a database pool, a client of another service) takes
//! it from a closure. Clone the `Arc` *outside* the `async` block, so that the closure can be
//! called again for the next task (moving the one `Arc` into the future makes the closure
//! `FnOnce`, error E0525):
//!
//! ```no_run
//! use std::sync::Arc;
//! use camunda7_client::{worker::{Outcome, Task, Worker}, BoxError, Client};
//!
//! struct Payments { fee: i64 }
//!
//! # fn demo(client: Client) -> Result<(), BoxError> {
//! let payments = Arc::new(Payments { fee: 2 });
//! let worker = Worker::builder(client)
//!     .subscribe("charge-card", move |task: Task| {
//!         let payments = payments.clone(); // one clone per task, before the future
//!         async move {
//!             let amount: i64 = task.variables().get("amount")?;
//!             Ok::<_, BoxError>(Outcome::complete().variable("charged", amount + payments.fee))
//!         }
//!     })
//!     .build()?;
//! # Ok(()) }
//! ```
//!
//! # The client
//!
//! ```no_run
//! # async fn demo() -> Result<(), camunda7_client::Error> {
//! use camunda7_client::{Auth, Client};
//!
//! let client = Client::builder()
//!     .base_url("http://localhost:8080/engine-rest")
//!     .auth(Auth::basic("demo", "demo"))
//!     .build()?;
//! let count = client.external_task().get_external_tasks_count(&Default::default()).await?;
//! println!("{count:?} external tasks");
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod auth;
mod client;
mod date;
mod error;
pub mod runtime;
mod string_enum;
pub mod variables;
#[cfg(feature = "worker")]
pub mod worker;

pub use auth::{Auth, AuthFuture, AuthProvider, Credential};
pub use client::{
    Client, ClientBuilder, RequestHook, DEFAULT_CONNECT_TIMEOUT, DEFAULT_LONG_POLL_MARGIN,
    DEFAULT_TIMEOUT, DEFAULT_USER_AGENT,
};
pub use date::{DateParseError, DateTime};
pub use error::{
    AuthorizationDetails, BoxError, EngineError, Error, MissingAuthorization, RequestContext,
};

/// Includes the code a crate's own `build.rs` generated with `camunda7_codegen::Builder`:
/// `$OUT_DIR/camunda_api.rs`, or the file named (`include_api!("camunda_7_22.rs")`, for a
/// builder with `.file_name("camunda_7_22.rs")`). Put it in a module of its own:
///
/// ```ignore
/// mod camunda {
///     camunda7_client::include_api!();
/// }
/// use camunda::ClientExt as _; // client.process_instance(), client.deployment(), ...
/// ```
///
/// A file written to the source tree with `Builder::out_dir` is included as any module is
/// (`#[path = "generated/camunda_api.rs"] mod camunda;`).
#[macro_export]
macro_rules! include_api {
    () => {
        include!(concat!(env!("OUT_DIR"), "/camunda_api.rs"));
    };
    ($file:literal) => {
        include!(concat!(env!("OUT_DIR"), "/", $file));
    };
}

// The generated code: `models` plus one module per tag (e.g. `external_task`).
include!(concat!(env!("OUT_DIR"), "/generated.rs"));
