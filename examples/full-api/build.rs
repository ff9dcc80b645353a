//! Generates the parts of Camunda's REST API this crate uses, from the engine's own OpenAPI
//! documents: the five tags a typical service needs from 7.24 (`camunda_api.rs`), and one tag
//! from 7.22 beside it (`camunda_7_22.rs`), to show two documents in one crate.
//!
//! The documents are read from `CAMUNDA_OPENAPI_DIR` (CI points it at Camunda's documents).
//! Without it nothing is generated, the crate builds empty and its tests say they are ignored.
//! A service of one's own would keep its document in the repository and name it directly:
//! `Builder::new("openapi/camunda-7.24.json")`.

use camunda7_codegen::{Builder, WarningKind};
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=CAMUNDA_OPENAPI_DIR");
    println!("cargo:rustc-check-cfg=cfg(camunda_api_generated)");
    let Some(dir) = std::env::var_os("CAMUNDA_OPENAPI_DIR").filter(|d| !d.is_empty()) else {
        println!(
            "cargo:warning=CAMUNDA_OPENAPI_DIR is not set: camunda7-full-api-example generates \
             nothing and its tests are ignored"
        );
        return Ok(());
    };
    let dir = PathBuf::from(dir);
    Builder::new(dir.join("camunda-7.24.0-SNAPSHOT.json"))
        .tags([
            "Process Instance",
            "Process Definition",
            "Deployment",
            "Message",
            "Task",
        ])
        // Camunda's documents type a few query parameters loosely; nothing to act on here.
        .allow_warnings([WarningKind::Simplified])
        .compile()?;
    Builder::new(dir.join("camunda-7.22.0.json"))
        .tags(["Process Definition"])
        .allow_warnings([WarningKind::Simplified])
        .file_name("camunda_7_22.rs")
        .compile()?;
    println!("cargo:rustc-cfg=camunda_api_generated");
    Ok(())
}
