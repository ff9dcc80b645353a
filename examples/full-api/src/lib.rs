//! A service crate that uses more of Camunda's REST API than the External Task API built into
//! `camunda7-client`: its `build.rs` generates Process Instance, Process Definition, Deployment,
//! Message and Task from the engine's 7.24 document, and Process Definition once more from the
//! 7.22 document, side by side.
//!
//! ```ignore
//! use camunda7_full_api_example::camunda::{models::StartProcessInstanceDto, ClientExt as _};
//!
//! let started = client
//!     .process_definition()
//!     .start_process_instance_by_key("invoice", &StartProcessInstanceDto::default())
//!     .await?;
//! ```
//!
//! Built with `CAMUNDA_OPENAPI_DIR` naming a folder of Camunda's documents; without it the crate
//! is empty (see `build.rs`).
#![forbid(unsafe_code)]

/// Generated from Camunda 7.24: `client.process_instance()`, `client.deployment()`, ... once
/// [`ClientExt`](camunda::ClientExt) is in scope.
#[cfg(camunda_api_generated)]
#[allow(missing_docs)]
pub mod camunda {
    camunda7_client::include_api!();
}

/// Generated from Camunda 7.22, beside the 7.24 module: the same tag, its own types.
#[cfg(camunda_api_generated)]
#[allow(missing_docs)]
pub mod camunda_7_22 {
    camunda7_client::include_api!("camunda_7_22.rs");
}

/// How many process definitions an engine has, asked through each document's client. Both
/// `ClientExt` traits add a `process_definition()` to `Client`; with both in reach, name the
/// trait to say which one is meant.
#[cfg(camunda_api_generated)]
pub async fn count_definitions_both_ways(
    client: &camunda7_client::Client,
) -> Result<(Option<i64>, Option<i64>), camunda7_client::Error> {
    let new = camunda::ClientExt::process_definition(client)
        .get_process_definitions_count(&Default::default())
        .await?;
    let old = camunda_7_22::ClientExt::process_definition(client)
        .get_process_definitions_count(&Default::default())
        .await?;
    Ok((new.count, old.count))
}
