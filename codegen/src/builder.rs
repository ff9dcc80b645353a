//! [`Builder`]: generation called from a crate's own `build.rs`, as `tonic-build` and
//! `prost-build` are.

use crate::error::{Diagnostic, Failure, WarningKind};
use crate::settings::Settings;
use crate::Generated;
use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};

/// The file written when [`Builder::file_name`] is not called, and the one
/// `camunda7_client::include_api!()` includes.
pub const DEFAULT_FILE_NAME: &str = "camunda_api.rs";

/// Generates typed operations and models from a Camunda 7 OpenAPI document into a crate of
/// one's own, from its `build.rs`:
///
/// ```no_run
/// // build.rs
/// fn main() -> Result<(), Box<dyn std::error::Error>> {
///     camunda7_codegen::Builder::new("openapi/camunda-7.24.json")
///         .tags(["Process Instance", "Deployment", "Message", "Task"])
///         .compile()?; // writes $OUT_DIR/camunda_api.rs
///     Ok(())
/// }
/// ```
///
/// and in the crate:
///
/// ```ignore
/// mod camunda {
///     camunda7_client::include_api!();
/// }
/// use camunda::ClientExt as _;
/// // client.process_instance().get_process_instances(&Default::default()).await?
/// ```
///
/// The generated code needs only `camunda7-client` and `serde` (with `derive`) as dependencies.
/// It calls `camunda7_client::runtime`, and its models use `camunda7_client`'s `Variables`,
/// `VariableValue`, `DateTime` and `Error`.
///
/// [`compile`](Builder::compile) prints the `cargo:rerun-if-changed` line for the document and
/// one `cargo:warning=` per workaround applied (unless its kind is allowed with
/// [`allow_warnings`](Builder::allow_warnings)); a broken document fails with every problem
/// listed. With [`out_dir`](Builder::out_dir) the file goes into the source tree instead, to be
/// committed: the output is deterministic and formatted, so a spec bump reviews as a `git diff`.
#[derive(Debug, Clone)]
#[must_use = "a Builder does nothing until `compile` or `generate` is called"]
pub struct Builder {
    spec: PathBuf,
    settings: Settings,
    out_dir: Option<PathBuf>,
    file_name: String,
    allowed: BTreeSet<WarningKind>,
    cargo_output: bool,
}

impl Builder {
    /// A builder for the OpenAPI document (YAML or JSON) at `spec`. A relative path is read from
    /// the directory cargo runs the build script in: the crate's own root (its
    /// `CARGO_MANIFEST_DIR`).
    pub fn new(spec: impl AsRef<Path>) -> Self {
        Self {
            spec: spec.as_ref().to_owned(),
            settings: Settings::default(),
            out_dir: None,
            file_name: DEFAULT_FILE_NAME.to_owned(),
            allowed: BTreeSet::new(),
            cargo_output: true,
        }
    }

    /// Generate only the operations of these tags, as written in the document
    /// (`Process Instance`) or as module names (`process_instance`). May be called again to
    /// add more. Without it every tag is generated.
    pub fn tags<I, S>(mut self, tags: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.settings = self.settings.with_tags(tags);
        self
    }

    /// Generate only these operations (operationIds such as `startProcessInstanceByKey`, or
    /// method names such as `start_process_instance_by_key`), in addition to the selected tags.
    pub fn operations<I, S>(mut self, operations: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.settings = self.settings.with_operations(operations);
        self
    }

    /// Use the type at `rust_path` wherever the component schema `schema_name` is referenced,
    /// instead of generating one (e.g. `("VariableValueDto", "::camunda7_client::variables::VariableValue")`,
    /// which is set already).
    pub fn type_override(
        mut self,
        schema_name: impl Into<String>,
        rust_path: impl Into<String>,
    ) -> Self {
        self.settings = self.settings.with_type_override(schema_name, rust_path);
        self
    }

    /// Use the map type at `rust_path` for every map whose values are the schema
    /// `value_schema_name` (maps of `VariableValueDto` are `camunda7_client::variables::Variables`
    /// already).
    pub fn map_override(
        mut self,
        value_schema_name: impl Into<String>,
        rust_path: impl Into<String>,
    ) -> Self {
        self.settings = self
            .settings
            .with_map_override(value_schema_name, rust_path);
        self
    }

    /// The path the crate names `camunda7-client` by, when the dependency is renamed in
    /// `Cargo.toml` (`camunda = { package = "camunda7-client", .. }` → `"::camunda"`). Call it
    /// before any `type_override`. Default `::camunda7_client`.
    pub fn client_crate(mut self, path: impl Into<String>) -> Self {
        self.settings = self.settings.with_client_crate(path);
        self
    }

    /// Derive both `Serialize` and `Deserialize` for every model struct, not only the direction
    /// the operations use it in (see [`Settings::with_serde_both_ways`]).
    pub fn serde_both_ways(mut self, on: bool) -> Self {
        self.settings = self.settings.with_serde_both_ways(on);
        self
    }

    /// Write the file into `dir` (e.g. `src/generated`, to commit it) instead of `$OUT_DIR`.
    /// A relative path is taken from the crate's root, like the document's. The directory is
    /// created if missing.
    pub fn out_dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.out_dir = Some(dir.as_ref().to_owned());
        self
    }

    /// The name of the file written; default [`DEFAULT_FILE_NAME`]. Two documents generated in
    /// one crate need two names (`include_api!("camunda_7_22.rs")`).
    pub fn file_name(mut self, name: impl Into<String>) -> Self {
        self.file_name = name.into();
        self
    }

    /// Do not print warnings of these kinds. Upstream documents have a few workarounds of
    /// [`WarningKind::Simplified`] that a crate cannot act on; errors are never silenced.
    pub fn allow_warnings(mut self, kinds: impl IntoIterator<Item = WarningKind>) -> Self {
        self.allowed.extend(kinds);
        self
    }

    /// Whether [`compile`](Builder::compile) prints `cargo:` lines (default `true`; off for use
    /// outside a build script, e.g. in a tool or a test).
    pub fn cargo_output(mut self, on: bool) -> Self {
        self.cargo_output = on;
        self
    }

    /// The settings the code is generated with.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Reads the document and generates the code, without writing anything. The warnings of
    /// allowed kinds are left out of the result.
    pub fn generate(&self) -> Result<Generated, BuildError> {
        let spec = self.spec_path();
        let text = std::fs::read_to_string(&spec).map_err(|e| BuildError::Read {
            path: spec.clone(),
            message: e.to_string(),
        })?;
        let mut generated =
            crate::generate(&text, &self.settings).map_err(|failure| BuildError::Document {
                path: spec.clone(),
                failure,
            })?;
        generated.warnings.retain(|w| !self.is_allowed(w));
        Ok(generated)
    }

    /// Generates the code and writes it to `$OUT_DIR` (or [`out_dir`](Builder::out_dir)), and
    /// returns the path of the file written. In a build script, it prints the
    /// `cargo:rerun-if-changed` line for the document and the warnings first; on failure, every
    /// problem of the document on stderr, which cargo shows.
    ///
    /// The file is only rewritten when its content changes, so a committed file keeps its
    /// timestamp.
    pub fn compile(&self) -> Result<PathBuf, BuildError> {
        let spec = self.spec_path();
        if self.cargo_output {
            println!("cargo:rerun-if-changed={}", spec.display());
        }
        let generated = match self.generate() {
            Ok(generated) => generated,
            Err(e) => {
                if self.cargo_output {
                    if let BuildError::Document { failure, .. } = &e {
                        for warning in failure.warnings.iter().filter(|w| !self.is_allowed(w)) {
                            eprintln!("warning: {}: {warning}", spec.display());
                        }
                        for error in &failure.errors {
                            eprintln!("error: {}: {error}", spec.display());
                        }
                    }
                }
                return Err(e);
            }
        };
        if self.cargo_output {
            for warning in &generated.warnings {
                println!("cargo:warning={}: {warning}", spec.display());
            }
        }
        let dir = match &self.out_dir {
            Some(dir) => resolve(dir),
            None => std::env::var_os("OUT_DIR")
                .map(PathBuf::from)
                .ok_or(BuildError::NoOutDir)?,
        };
        std::fs::create_dir_all(&dir).map_err(|e| BuildError::Write {
            path: dir.clone(),
            message: e.to_string(),
        })?;
        let target = dir.join(&self.file_name);
        let unchanged = std::fs::read(&target).is_ok_and(|old| old == generated.code.as_bytes());
        if !unchanged {
            std::fs::write(&target, &generated.code).map_err(|e| BuildError::Write {
                path: target.clone(),
                message: e.to_string(),
            })?;
        }
        Ok(target)
    }

    fn spec_path(&self) -> PathBuf {
        resolve(&self.spec)
    }

    fn is_allowed(&self, warning: &Diagnostic) -> bool {
        warning.kind.is_some_and(|k| self.allowed.contains(&k))
    }
}

/// A relative path taken from the crate's root when cargo says where that is (a build script's
/// working directory is that root already; this makes the printed paths absolute as well).
fn resolve(path: &Path) -> PathBuf {
    if path.is_absolute() {
        return path.to_owned();
    }
    match std::env::var_os("CARGO_MANIFEST_DIR") {
        Some(root) => PathBuf::from(root).join(path),
        None => path.to_owned(),
    }
}

/// Why [`Builder::compile`] failed.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum BuildError {
    /// The document could not be read.
    Read {
        /// The path tried.
        path: PathBuf,
        /// The operating system's reason.
        message: String,
    },
    /// The document has errors (all of them are listed).
    Document {
        /// The document.
        path: PathBuf,
        /// Its errors, and the warnings found before them.
        failure: Failure,
    },
    /// The generated file could not be written.
    Write {
        /// The file or directory.
        path: PathBuf,
        /// The operating system's reason.
        message: String,
    },
    /// Neither `OUT_DIR` (set by cargo for build scripts) nor [`Builder::out_dir`] says where
    /// to write.
    NoOutDir,
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::Read { path, message } => write!(
                f,
                "cannot read the OpenAPI document {}: {message} (a relative path is taken from \
                 the crate's root)",
                path.display()
            ),
            BuildError::Document { path, failure } => {
                write!(f, "{}: {failure}", path.display())
            }
            BuildError::Write { path, message } => {
                write!(f, "cannot write {}: {message}", path.display())
            }
            BuildError::NoOutDir => f.write_str(
                "OUT_DIR is not set: call compile() from a build script, or set Builder::out_dir",
            ),
        }
    }
}

// `fn main() -> Result<(), Box<dyn Error>>` prints the error with `Debug`: make that the
// readable text rather than a struct dump.
impl fmt::Debug for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for BuildError {}
