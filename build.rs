//! Generates the client code from the OpenAPI document at build time (see ARCHITECTURE.md):
//! `spec/external-task.yaml`, or the document named by `CAMUNDA_OPENAPI_SPEC`, into
//! `$OUT_DIR/generated.rs`, which `src/lib.rs` includes.

use camunda7_codegen::{generate, Settings};
use std::path::PathBuf;

/// The document generated from when `CAMUNDA_OPENAPI_SPEC` is not set.
const DEFAULT_SPEC: &str = "spec/external-task.yaml";

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    // The tests that read Camunda's own documents are marked ignored, with the reason, without them.
    println!("cargo:rustc-check-cfg=cfg(camunda_openapi_dir)");
    if std::env::var_os("CAMUNDA_OPENAPI_DIR").is_some_and(|dir| !dir.is_empty()) {
        println!("cargo:rustc-cfg=camunda_openapi_dir");
    }
    for var in [
        "CAMUNDA_OPENAPI_DIR",
        "CAMUNDA_OPENAPI_SPEC",
        "CAMUNDA_OPENAPI_TAGS",
        "CAMUNDA_OPENAPI_OPERATIONS",
    ] {
        println!("cargo:rerun-if-env-changed={var}");
    }
    if let Err(message) = run() {
        // A plain message and a failed build; no panic backtrace.
        eprintln!("error: {message}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let manifest_dir = env_path("CARGO_MANIFEST_DIR")?;
    let out_dir = env_path("OUT_DIR")?;
    let spec = match std::env::var_os("CAMUNDA_OPENAPI_SPEC").filter(|v| !v.is_empty()) {
        // Relative to this package, the directory cargo runs this script in. From another crate,
        // name the file absolutely or let cargo do it: `[env] CAMUNDA_OPENAPI_SPEC = { value =
        // "openapi/camunda.json", relative = true }` in `.cargo/config.toml`.
        Some(path) => {
            let spec = manifest_dir.join(&path);
            if !spec.is_file() {
                return Err(format!(
                    "CAMUNDA_OPENAPI_SPEC={}: no such file {} (a relative path is read from the \
                     camunda7-client package's directory; from your own crate, give an absolute \
                     path, or set it in .cargo/config.toml as [env] CAMUNDA_OPENAPI_SPEC = \
                     {{ value = \"{}\", relative = true }}, or generate in your own build.rs \
                     with camunda7_codegen::Builder)",
                    std::path::Path::new(&path).display(),
                    spec.display(),
                    std::path::Path::new(&path).display(),
                ));
            }
            spec
        }
        None => manifest_dir.join(DEFAULT_SPEC),
    };
    println!("cargo:rerun-if-changed={}", spec.display());

    let mut settings = Settings::camunda7_client();
    if let Some(tags) = list_var("CAMUNDA_OPENAPI_TAGS") {
        settings = settings.with_tags(tags);
    }
    if let Some(operations) = list_var("CAMUNDA_OPENAPI_OPERATIONS") {
        settings = settings.with_operations(operations);
    }

    let text = std::fs::read_to_string(&spec)
        .map_err(|e| format!("cannot read the document {}: {e}", spec.display()))?;
    match generate(&text, &settings) {
        Ok(generated) => {
            for warning in &generated.warnings {
                println!("cargo:warning={}: {warning}", spec.display());
            }
            // One cfg per generated tag module, so tests that need the full API can say
            // `#![cfg(camunda_api = "deployment")]` and compile to nothing otherwise.
            println!("cargo:rustc-check-cfg=cfg(camunda_api, values(any()))");
            for module in &generated.modules {
                println!("cargo:rustc-cfg=camunda_api=\"{module}\"");
            }
            let target = out_dir.join("generated.rs");
            std::fs::write(&target, generated.code)
                .map_err(|e| format!("cannot write {}: {e}", target.display()))
        }
        Err(failure) => {
            for warning in &failure.warnings {
                eprintln!("warning: {}: {warning}", spec.display());
            }
            for error in &failure.errors {
                eprintln!("error: {}: {error}", spec.display());
            }
            Err(format!(
                "cannot generate the client from {}: {} error(s) listed above",
                spec.display(),
                failure.errors.len()
            ))
        }
    }
}

fn env_path(name: &str) -> Result<PathBuf, String> {
    std::env::var_os(name)
        .map(PathBuf::from)
        .ok_or_else(|| format!("{name} is not set (build.rs runs under cargo)"))
}

/// A comma-separated list from the environment; unset or blank → `None`.
fn list_var(name: &str) -> Option<Vec<String>> {
    let value = std::env::var(name).ok()?;
    let items: Vec<String> = value
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    (!items.is_empty()).then_some(items)
}
