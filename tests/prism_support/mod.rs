//! Harness for the contract tests against Stoplight Prism (see `docs/prism.md`).
//!
//! A test that uses it:
//! 1. asks [`require_prism`] and [`require_spec_dir`] whether Prism and Camunda's documents are
//!    there (missing in CI is a failure, missing locally is a printed "skipped");
//! 2. prepares a document with [`prepare_document`] (a patched temporary copy where Camunda's own
//!    document has a bug that makes Prism reject valid requests);
//! 3. starts [`Prism`] in mock or proxy mode on 127.0.0.1 and puts a [`Recorder`] in front of it,
//!    so every exchange our client makes is recorded with the violations Prism reported;
//! 4. drops both at the end, which stops them even when the test fails.
//!
//! Shared by several test binaries, each of which uses a part of it.
#![allow(dead_code, unused_imports)]

mod checks;
mod document;
mod process;
mod recorder;

pub use checks::{client, compare, date, error_matches};
pub use document::{prepare_document, PreparedDocument};
pub use process::{Mode, Prism};
pub use recorder::{Exchange, Recorder, Violation};

use std::io::Write;
use std::path::{Path, PathBuf};

/// The repository root (where the root `Cargo.toml` is).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Whether the tests run in CI (`CI=true`), where a missing tool is a failure, not a skip.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v.eq_ignore_ascii_case("true") || v == "1")
}

/// Writes a line to the terminal even when libtest captures the test's output (the summary of a
/// contract run must show up in `bash .ci/run`). Only the `print!` family is captured; a direct
/// write to the stderr handle is not.
pub fn report(line: &str) {
    let mut err = std::io::stderr().lock();
    // Nothing sensible to do when the terminal is gone.
    let _ = writeln!(err, "{line}");
}

/// Ends a test that cannot run here: a failure in CI, a printed "skipped" locally.
/// Returns `None` so the caller can `return` right after.
pub fn skip_or_fail<T>(test: &str, why: &str) -> Option<T> {
    if in_ci() {
        panic!("{test}: {why} (CI=true, so this is a failure rather than a skip)");
    }
    report(&format!("skipped {test}: {why}"));
    None
}

/// The Prism executable: `$PRISM_BIN`, else `.ci/prism/node_modules/.bin/prism` in the
/// repository. `Err` says what is missing and how to install it.
pub fn prism_bin() -> Result<PathBuf, String> {
    let install = "install it with `npm ci --prefix .ci/prism` (needs Node.js 18.20+ and npm)";
    let bin = match std::env::var_os("PRISM_BIN") {
        Some(path) if !path.is_empty() => {
            let path = PathBuf::from(path);
            if !path.is_file() {
                return Err(format!(
                    "PRISM_BIN is set to {} but no such file exists; {install}",
                    path.display()
                ));
            }
            path
        }
        _ => {
            let path = repo_root().join(".ci/prism/node_modules/.bin/prism");
            if !path.is_file() {
                return Err(format!(
                    "Prism is not installed at {}; {install}",
                    path.display()
                ));
            }
            path
        }
    };
    // The prism script runs under node; without it the spawn fails with an obscure message.
    match std::process::Command::new("node").arg("--version").output() {
        Ok(out) if out.status.success() => Ok(bin),
        Ok(out) => Err(format!(
            "`node --version` failed ({}); Prism needs Node.js 18.20+",
            out.status
        )),
        Err(e) => Err(format!(
            "Node.js is not on PATH ({e}); Prism needs Node.js 18.20+ and npm: {install}"
        )),
    }
}

/// [`prism_bin`], or the skip/fail of [`skip_or_fail`].
pub fn require_prism(test: &str) -> Option<PathBuf> {
    match prism_bin() {
        Ok(bin) => Some(bin),
        Err(why) => skip_or_fail(test, &why),
    }
}

/// The folder of Camunda's OpenAPI documents: `$CAMUNDA_OPENAPI_DIR`, else
/// `../shared/camunda-openapi` beside the repository.
pub fn spec_dir() -> Result<PathBuf, String> {
    match std::env::var_os("CAMUNDA_OPENAPI_DIR") {
        Some(dir) if !dir.is_empty() => {
            let dir = PathBuf::from(dir);
            if dir.is_dir() {
                Ok(dir)
            } else {
                // Set but wrong is a configuration error everywhere, not a reason to skip.
                panic!(
                    "CAMUNDA_OPENAPI_DIR is set to {} but that is not a directory",
                    dir.display()
                );
            }
        }
        _ => {
            let dir = repo_root().join("../shared/camunda-openapi");
            if dir.is_dir() {
                Ok(dir)
            } else {
                Err(format!(
                    "Camunda's OpenAPI documents are not at {} (set CAMUNDA_OPENAPI_DIR)",
                    dir.display()
                ))
            }
        }
    }
}

/// [`spec_dir`], or the skip/fail of [`skip_or_fail`].
pub fn require_spec_dir(test: &str) -> Option<PathBuf> {
    match spec_dir() {
        Ok(dir) => Some(dir),
        Err(why) => skip_or_fail(test, &why),
    }
}

/// A document file in the spec folder, checked to exist.
pub fn spec_file(dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    assert!(
        path.is_file(),
        "{} is missing from the Camunda OpenAPI folder {}",
        name,
        dir.display()
    );
    path
}
