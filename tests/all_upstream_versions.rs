//! Every upstream Camunda OpenAPI document generates a client that compiles, unpatched, both
//! ways: built into `camunda7-client` and generated in a crate of one's own.
//!
//! For each `*.json` / `*.yaml` / `*.yml` document in the folder named by `CAMUNDA_OPENAPI_DIR`
//! (`.ci/run` points it at `../shared/camunda-openapi`), the test
//! 1. generates the code twice with the settings `build.rs` uses, and twice with those of
//!    `camunda7_codegen::Builder`, and requires each pair of outputs to be byte-identical, then
//! 2. runs `cargo check --lib -p camunda7-client` with `CAMUNDA_OPENAPI_SPEC` naming the
//!    document, in a target directory of its own (`target/upstream-check`, or
//!    `$CARGO_TARGET_DIR/upstream-check`), so the dependencies are checked once for all
//!    documents and the main target directory stays unlocked, and
//! 3. runs `cargo check` of a scratch crate (written to `upstream-check/user-crate`) whose
//!    build.rs generates the whole document with `Builder` and includes it with
//!    `camunda7_client::include_api!()`, in a target directory of its own as well.
//!
//! It prints one line per document and `upstream documents: N/M generate and compile`, and
//! fails listing each failing document with its first errors. `CAMUNDA_OPENAPI_DIR` unset →
//! skipped (says so); set to a folder that does not exist or holds no document → fails.
//!
//! Knobs (all optional): `CAMUNDA_UPSTREAM_FILTER` (comma-separated substrings of file names to
//! keep, e.g. `7.13,7.24.0-SNAPSHOT`), `CAMUNDA_UPSTREAM_TIMEOUT_SECS` (per document `cargo
//! check` limit, default 1200; generating is bounded by 300 s), `CAMUNDA_UPSTREAM_JOBS`
//! (`cargo check --jobs`).

use camunda7_codegen::{generate_file, Settings, WarningKind};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// Default limit for one document's `cargo check` (a cold check of the dependencies included,
/// on a busy machine).
const DEFAULT_TIMEOUT_SECS: u64 = 1200;

/// Limit for generating one document twice in this process (normally a few seconds).
const GENERATE_TIMEOUT: Duration = Duration::from_secs(300);

/// How many error lines of a failing document are shown.
const SHOWN_ERRORS: usize = 12;

#[test]
#[cfg_attr(
    not(camunda_openapi_dir),
    ignore = "CAMUNDA_OPENAPI_DIR is not set: it names the folder of Camunda's OpenAPI documents"
)]
fn every_upstream_document_generates_and_compiles() {
    let Some(dir) = std::env::var_os("CAMUNDA_OPENAPI_DIR").filter(|v| !v.is_empty()) else {
        println!("skipped: CAMUNDA_OPENAPI_DIR not set");
        return;
    };
    let dir = PathBuf::from(dir);
    let documents = match documents_in(&dir) {
        Ok(documents) => documents,
        Err(message) => panic!("{message}"),
    };
    let filter = list_var("CAMUNDA_UPSTREAM_FILTER");
    let selected: Vec<PathBuf> = documents
        .iter()
        .filter(|d| match &filter {
            Some(keep) => keep.iter().any(|k| file_name(d).contains(k.as_str())),
            None => true,
        })
        .cloned()
        .collect();
    assert!(
        !selected.is_empty(),
        "CAMUNDA_UPSTREAM_FILTER={filter:?} keeps none of the {} documents in {}",
        documents.len(),
        dir.display()
    );

    let manifest_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let target_dir = std::env::var_os("CARGO_TARGET_DIR")
        .filter(|v| !v.is_empty())
        .map(|t| manifest_dir.join(t))
        .unwrap_or_else(|| manifest_dir.join("target"))
        .join("upstream-check");
    let log_dir = target_dir.join("logs");
    if let Err(e) = std::fs::create_dir_all(&log_dir) {
        panic!("cannot create {}: {e}", log_dir.display());
    }
    let timeout = Duration::from_secs(
        std::env::var("CAMUNDA_UPSTREAM_TIMEOUT_SECS")
            .ok()
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(DEFAULT_TIMEOUT_SECS),
    );

    let mut failures: Vec<(String, Vec<String>)> = Vec::new();
    for document in &selected {
        let name = file_name(document);
        let problems = match check_generation_bounded(document) {
            Err(Generation::Failed(problems)) => {
                println!("{name}: generation FAILED");
                problems
            }
            Err(Generation::Hung) => {
                // The generating thread cannot be stopped; report what is known and end here.
                println!("{name}: generation did not finish");
                failures.push((
                    name.clone(),
                    vec![format!(
                        "generating did not finish within {} s (a loop in the generator?); \
                         the remaining documents were not tried",
                        GENERATE_TIMEOUT.as_secs()
                    )],
                ));
                break;
            }
            Ok(warnings) => {
                let mut problems = Vec::new();
                let mut outcomes = Vec::new();
                for mode in [Mode::ClientCrate, Mode::OwnCrate] {
                    let started = Instant::now();
                    let check = CargoCheck {
                        manifest_dir: &manifest_dir,
                        target_dir: &target_dir,
                        log: &log_dir.join(format!("{name}.{}.log", mode.tag())),
                        timeout,
                        mode,
                    };
                    let verdict = match check.run(document) {
                        Ok(()) => "compiles",
                        Err(found) => {
                            problems
                                .extend(found.into_iter().map(|p| format!("{}: {p}", mode.what())));
                            "does NOT compile"
                        }
                    };
                    outcomes.push(format!(
                        "{verdict} {} ({} s)",
                        mode.what(),
                        started.elapsed().as_secs()
                    ));
                }
                println!(
                    "{name}: generated ({warnings} warning(s)), deterministic, {}",
                    outcomes.join(", ")
                );
                problems
            }
        };
        if !problems.is_empty() {
            failures.push((name, problems));
        }
    }

    let passed = selected.len() - failures.len();
    let scope = if filter.is_some() {
        format!(" (filtered from {})", documents.len())
    } else {
        String::new()
    };
    println!(
        "upstream documents: {passed}/{}{scope} generate and compile both ways",
        selected.len()
    );
    if !failures.is_empty() {
        let mut report = format!(
            "{} of {} upstream documents fail:\n",
            failures.len(),
            selected.len()
        );
        for (name, problems) in &failures {
            report.push_str(&format!("\n{name}:\n"));
            for problem in problems {
                report.push_str(&format!("  {problem}\n"));
            }
        }
        panic!("{report}");
    }
}

/// The OpenAPI documents in `dir`, sorted by file name.
fn documents_in(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        format!(
            "CAMUNDA_OPENAPI_DIR is set to {}, which cannot be read: {e}",
            dir.display()
        )
    })?;
    let mut documents: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.is_file()
                && p.extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| matches!(e, "json" | "yaml" | "yml"))
        })
        .collect();
    documents.sort();
    if documents.is_empty() {
        return Err(format!(
            "CAMUNDA_OPENAPI_DIR is set to {}, which holds no .json or .yaml document",
            dir.display()
        ));
    }
    Ok(documents)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

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

/// Why a document did not get past generation.
enum Generation {
    /// Errors, or different output on the second run.
    Failed(Vec<String>),
    /// Still running after [`GENERATE_TIMEOUT`].
    Hung,
}

/// [`check_generation`] on a thread of its own, bounded by [`GENERATE_TIMEOUT`].
fn check_generation_bounded(document: &Path) -> Result<usize, Generation> {
    let (send, receive) = std::sync::mpsc::channel();
    let path = document.to_owned();
    std::thread::spawn(move || {
        let _ = send.send(check_generation(&path));
    });
    match receive.recv_timeout(GENERATE_TIMEOUT) {
        Ok(result) => result.map_err(Generation::Failed),
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => Err(Generation::Hung),
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => Err(Generation::Failed(vec![
            "the generator panicked (see the output above)".to_owned(),
        ])),
    }
}

/// Generates twice with the settings `build.rs` uses and twice with `Builder`'s; the number of
/// warnings (of the first), or the problems.
fn check_generation(document: &Path) -> Result<usize, Vec<String>> {
    let warnings = check_generation_with(document, &Settings::camunda7_client())?;
    check_generation_with(document, &Settings::default()).map_err(|problems| {
        problems
            .into_iter()
            .map(|p| format!("own crate: {p}"))
            .collect::<Vec<_>>()
    })?;
    Ok(warnings)
}

fn check_generation_with(document: &Path, settings: &Settings) -> Result<usize, Vec<String>> {
    let first = generate_file(document, settings).map_err(|failure| {
        let mut problems: Vec<String> = failure
            .errors
            .iter()
            .take(SHOWN_ERRORS)
            .map(|e| format!("generate: {e}"))
            .collect();
        if failure.errors.len() > SHOWN_ERRORS {
            problems.push(format!(
                "… and {} more generator errors",
                failure.errors.len() - SHOWN_ERRORS
            ));
        }
        problems
    })?;
    let second = generate_file(document, settings)
        .map_err(|failure| vec![format!("second generation failed: {failure}")])?;
    if first.code != second.code {
        let line = first
            .code
            .lines()
            .zip(second.code.lines())
            .position(|(a, b)| a != b)
            .map_or_else(|| "the length".to_owned(), |i| format!("line {}", i + 1));
        return Err(vec![format!(
            "generating twice gives different code (first difference at {line})"
        )]);
    }
    if first.warnings != second.warnings {
        return Err(vec!["generating twice gives different warnings".to_owned()]);
    }
    Ok(first.warnings.len())
}

/// Where the generated code is compiled.
#[derive(Clone, Copy)]
enum Mode {
    /// Into `camunda7-client`, through `CAMUNDA_OPENAPI_SPEC`.
    ClientCrate,
    /// Into a crate of its own, through `camunda7_codegen::Builder` in its build.rs.
    OwnCrate,
}

impl Mode {
    fn what(self) -> &'static str {
        match self {
            Mode::ClientCrate => "in camunda7-client",
            Mode::OwnCrate => "in a crate of its own",
        }
    }

    fn tag(self) -> &'static str {
        match self {
            Mode::ClientCrate => "client",
            Mode::OwnCrate => "own-crate",
        }
    }
}

/// The scratch crate of [`Mode::OwnCrate`]: it generates the document named by
/// `UPSTREAM_DOCUMENT` in its build.rs, as a user's crate would.
fn write_own_crate(manifest_dir: &Path, dir: &Path) -> Result<PathBuf, String> {
    let quote = |p: &Path| format!("{:?}", p.display().to_string());
    let cargo_toml = format!(
        "[package]\nname = \"upstream-own-crate\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
         [workspace]\n\n\
         [dependencies]\ncamunda7-client = {{ path = {}, default-features = false }}\n\
         serde = {{ version = \"1\", features = [\"derive\"] }}\n\n\
         [build-dependencies]\ncamunda7-codegen = {{ path = {}, default-features = false }}\n",
        quote(manifest_dir),
        quote(&manifest_dir.join("codegen")),
    );
    let allowed = format!("{:?}", WarningKind::Simplified);
    let build_rs = format!(
        "fn main() -> Result<(), Box<dyn std::error::Error>> {{\n\
         \x20   println!(\"cargo:rerun-if-env-changed=UPSTREAM_DOCUMENT\");\n\
         \x20   camunda7_codegen::Builder::new(std::env::var(\"UPSTREAM_DOCUMENT\")?)\n\
         \x20       .allow_warnings([camunda7_codegen::WarningKind::{allowed}])\n\
         \x20       .compile()?;\n\
         \x20   Ok(())\n}}\n"
    );
    let lib_rs = "pub mod camunda {\n    camunda7_client::include_api!();\n}\n";
    let write = |path: PathBuf, text: &str| {
        // Rewritten only when different, so cargo does not rebuild the crate for nothing.
        if std::fs::read_to_string(&path).ok().as_deref() != Some(text) {
            std::fs::write(&path, text)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        }
        Ok::<(), String>(())
    };
    std::fs::create_dir_all(dir.join("src"))
        .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    write(dir.join("Cargo.toml"), &cargo_toml)?;
    write(dir.join("build.rs"), &build_rs)?;
    write(dir.join("src/lib.rs"), lib_rs)?;
    // The workspace's lock file: the same dependency versions, no resolution of its own.
    if let Ok(lock) = std::fs::read_to_string(manifest_dir.join("Cargo.lock")) {
        if !dir.join("Cargo.lock").exists() {
            write(dir.join("Cargo.lock"), &lock)?;
        }
    }
    Ok(dir.join("Cargo.toml"))
}

/// One `cargo check` of the code generated from a document.
struct CargoCheck<'a> {
    manifest_dir: &'a Path,
    target_dir: &'a Path,
    log: &'a Path,
    timeout: Duration,
    mode: Mode,
}

impl CargoCheck<'_> {
    fn run(&self, document: &Path) -> Result<(), Vec<String>> {
        let log = File::create(self.log)
            .map_err(|e| vec![format!("cannot create {}: {e}", self.log.display())])?;
        let log_err = log
            .try_clone()
            .map_err(|e| vec![format!("cannot reuse {}: {e}", self.log.display())])?;
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut command = Command::new(cargo);
        match self.mode {
            Mode::ClientCrate => {
                command
                    .current_dir(self.manifest_dir)
                    .args(["check", "--lib", "-p", "camunda7-client"])
                    .env("CAMUNDA_OPENAPI_SPEC", document)
                    .env("CARGO_TARGET_DIR", self.target_dir);
            }
            Mode::OwnCrate => {
                let dir = self.target_dir.join("user-crate");
                let manifest = write_own_crate(self.manifest_dir, &dir).map_err(|e| vec![e])?;
                command
                    .current_dir(&dir)
                    .arg("check")
                    .arg("--lib")
                    .arg("--manifest-path")
                    .arg(manifest)
                    .env("UPSTREAM_DOCUMENT", document)
                    // Its own target directory: camunda7-client is built there once, with its
                    // default document, instead of again after every client-crate check.
                    .env("CARGO_TARGET_DIR", self.target_dir.join("own-crate-target"))
                    .env_remove("CAMUNDA_OPENAPI_SPEC");
            }
        }
        command
            .args(["--message-format", "short"])
            .env("CARGO_TERM_COLOR", "never")
            .env_remove("CAMUNDA_OPENAPI_TAGS")
            .env_remove("CAMUNDA_OPENAPI_OPERATIONS")
            .stdin(Stdio::null())
            .stdout(Stdio::from(log))
            .stderr(Stdio::from(log_err));
        if let Some(jobs) = std::env::var("CAMUNDA_UPSTREAM_JOBS")
            .ok()
            .filter(|j| !j.trim().is_empty())
        {
            command.args(["--jobs", jobs.trim()]);
        }
        #[cfg(unix)]
        {
            // Its own process group, so a timeout stops the compilers cargo started too.
            use std::os::unix::process::CommandExt;
            command.process_group(0);
        }
        let mut child = command
            .spawn()
            .map_err(|e| vec![format!("cannot start cargo: {e}")])?;
        let status =
            wait_with_timeout(&mut child, self.timeout).map_err(|message| vec![message])?;
        let output = std::fs::read_to_string(self.log).unwrap_or_default();
        match status {
            Some(status) if status.success() => Ok(()),
            Some(status) => Err(first_errors(&output, Some(status), self.log)),
            None => {
                let mut problems = vec![format!(
                    "cargo check did not finish within {} s; stopped (log: {})",
                    self.timeout.as_secs(),
                    self.log.display()
                )];
                problems.extend(first_errors(&output, None, self.log));
                Err(problems)
            }
        }
    }
}

/// Waits for `child`; `None` when it was stopped after `timeout`.
fn wait_with_timeout(child: &mut Child, timeout: Duration) -> Result<Option<ExitStatus>, String> {
    let deadline = Instant::now() + timeout;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Ok(Some(status)),
            Ok(None) if Instant::now() >= deadline => {
                stop(child);
                return Ok(None);
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(250)),
            Err(e) => {
                stop(child);
                return Err(format!("cannot wait for cargo: {e}"));
            }
        }
    }
}

fn stop(child: &mut Child) {
    #[cfg(unix)]
    {
        // The whole group: cargo and the compilers it started.
        let _ = Command::new("kill")
            .args(["-KILL", &format!("-{}", child.id())])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// The first compiler errors of a failed check (short message format), or the log's tail.
fn first_errors(output: &str, status: Option<ExitStatus>, log: &Path) -> Vec<String> {
    let errors: Vec<&str> = output
        .lines()
        .filter(|l| {
            (l.contains(": error") || l.starts_with("error"))
                && !l.starts_with("error: could not compile")
        })
        .collect();
    let mut problems: Vec<String> = if errors.is_empty() {
        let lines: Vec<&str> = output.lines().collect();
        let start = lines.len().saturating_sub(SHOWN_ERRORS);
        lines[start..].iter().map(|l| l.to_string()).collect()
    } else {
        errors
            .iter()
            .take(SHOWN_ERRORS)
            .map(|l| shorten_path(l))
            .collect()
    };
    if errors.len() > SHOWN_ERRORS {
        problems.push(format!("… {} error lines in all", errors.len()));
    }
    match status {
        Some(status) => problems.push(format!(
            "cargo check exited with {status}; full log: {}",
            log.display()
        )),
        None => problems.push(format!("full log: {}", log.display())),
    }
    problems
}

/// `/…/out/generated.rs:12:5: error…` → `generated.rs:12:5: error…`.
fn shorten_path(line: &str) -> String {
    match line.find("generated.rs:") {
        Some(i) if line[..i].ends_with('/') => line[i..].to_owned(),
        _ => line.to_owned(),
    }
}
