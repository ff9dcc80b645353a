//! The API change report: what changes for callers of the generated Rust API when the client
//! is regenerated from a newer document.
//!
//! Both documents go through the generator's own pipeline ([`crate::build_model`] with
//! [`Settings::camunda7_client`]), so the report speaks of the operations, method names and
//! Rust types the generated code really has. Facts the model does not carry (response status
//! codes, header and cookie parameters) are read from the loaded documents.
//!
//! Each change is [`Severity::Breaking`] when code written against the old generated API can
//! stop compiling or start sending something the server rejects (a removed operation, field or
//! parameter, a changed type, a field that turned from optional to required or back — the Rust
//! type switches between `T` and `Option<T>` —, a new required request field or parameter, a
//! removed enum value, a new method argument), and [`Severity::Compatible`] otherwise.
//!
//! ```
//! use camunda7_codegen::diff::{diff_texts, Severity};
//! let old = r#"
//! openapi: 3.0.2
//! info: {title: Example, version: "1"}
//! paths:
//!   /ping:
//!     get: {operationId: ping, tags: [Health], responses: {"204": {description: ok}}}
//! "#;
//! let new = r#"
//! openapi: 3.0.2
//! info: {title: Example, version: "2"}
//! paths: {}
//! "#;
//! let report = diff_texts(old, new).map_err(|e| e.to_string())?;
//! assert_eq!(report.summary.breaking, 1);
//! assert_eq!(report.tags[0].operations[0].changes[0].severity, Severity::Breaking);
//! # Ok::<(), String>(())
//! ```

mod compare;
mod render;

use crate::error::Failure;
use crate::model::Model;
use crate::settings::Settings;
use serde::Serialize;
use std::fmt;
use std::path::Path;

/// Whether a change can break code written against the old generated API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Callers may stop compiling, or send requests the new server rejects.
    Breaking,
    /// Existing callers keep working.
    Compatible,
}

/// What kind of change an item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// A new operation.
    OperationAdded,
    /// An operation is gone.
    OperationRemoved,
    /// The generated method got another name.
    MethodRenamed,
    /// The operation moved to another tag (another `client.xxx()` accessor).
    TagChanged,
    /// Another HTTP method.
    HttpMethodChanged,
    /// Another path template.
    PathChanged,
    /// Marked deprecated, or no longer.
    DeprecationChanged,
    /// A new parameter.
    ParameterAdded,
    /// A parameter is gone.
    ParameterRemoved,
    /// A parameter's Rust type changed.
    ParameterTypeChanged,
    /// A parameter turned required or optional.
    ParameterRequiredChanged,
    /// A path parameter got another name (same position and type).
    ParameterRenamed,
    /// The method gained or lost its `query: &XxxQuery` argument, or the struct was renamed.
    QueryArgumentChanged,
    /// A request body appeared.
    BodyAdded,
    /// The request body is gone.
    BodyRemoved,
    /// The request body's type or media type changed.
    BodyChanged,
    /// The method's return type changed.
    ResponseChanged,
    /// A response status code was added.
    StatusAdded,
    /// A response status code was removed.
    StatusRemoved,
    /// A new type in `models`.
    TypeAdded,
    /// A type in `models` is gone.
    TypeRemoved,
    /// A type changed between struct, enum and alias.
    TypeKindChanged,
    /// An alias points at another type.
    AliasChanged,
    /// A new struct field.
    FieldAdded,
    /// A struct field is gone.
    FieldRemoved,
    /// A field's Rust type changed.
    FieldTypeChanged,
    /// A field turned required or optional.
    FieldRequiredChanged,
    /// The Rust name of a field (same JSON name) changed.
    FieldRenamed,
    /// A new enum value.
    EnumValueAdded,
    /// An enum value is gone.
    EnumValueRemoved,
    /// The Rust variant name of an enum value changed.
    EnumVariantRenamed,
}

/// One reported change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// Breaking or compatible.
    pub severity: Severity,
    /// What kind of change.
    pub kind: ChangeKind,
    /// What changed, e.g. ``query parameter `maxResults` `` or ``field `createTime` ``.
    pub subject: String,
    /// How it changed, e.g. `added (i32, optional)` or `String → i64`.
    pub detail: String,
}

/// Whether an operation or type was added, removed or changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Only in the new document.
    Added,
    /// Only in the old document.
    Removed,
    /// In both, with differences.
    Changed,
}

/// The changes of one operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OperationChanges {
    /// The operationId (new document's, unless removed).
    pub operation_id: String,
    /// `GET`, `POST`, …
    pub method: String,
    /// Path template.
    pub path: String,
    /// How it is called: `client.external_task().fetch_and_lock()`.
    pub rust: String,
    /// Added, removed or changed.
    pub status: Status,
    /// The individual changes (for added/removed operations, the one item saying so).
    pub changes: Vec<Change>,
}

/// The changed operations of one tag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TagChanges {
    /// Tag name as in the document.
    pub name: String,
    /// Accessor on `Client` (`external_task`).
    pub accessor: String,
    /// Operations, ordered by path then HTTP method.
    pub operations: Vec<OperationChanges>,
}

/// Where a type is used, which decides whether a new required field breaks callers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Usage {
    /// Only in request bodies or query parameters.
    Request,
    /// Only in responses.
    Response,
    /// In both.
    Both,
    /// Not reachable from any operation.
    Unused,
}

/// The changes of one type in `models`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TypeChanges {
    /// Rust name in `models`.
    pub name: String,
    /// Where the type is used (in either document).
    pub usage: Usage,
    /// Added, removed or changed.
    pub status: Status,
    /// The individual changes.
    pub changes: Vec<Change>,
}

/// Counts over the whole report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Operations only in the new document.
    pub operations_added: usize,
    /// Operations only in the old document.
    pub operations_removed: usize,
    /// Operations in both, with changes.
    pub operations_changed: usize,
    /// Types only in the new document.
    pub types_added: usize,
    /// Types only in the old document.
    pub types_removed: usize,
    /// Types in both, with changes.
    pub types_changed: usize,
    /// Breaking changes (each item counted once).
    pub breaking: usize,
    /// Compatible changes.
    pub compatible: usize,
}

/// Title and version of a compared document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocumentInfo {
    /// `info.title`.
    pub title: String,
    /// `info.version`.
    pub version: String,
    /// Number of operations generated.
    pub operations: usize,
    /// Number of types generated.
    pub types: usize,
}

/// The whole change report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// The old document.
    pub old: DocumentInfo,
    /// The new document.
    pub new: DocumentInfo,
    /// Counts.
    pub summary: Summary,
    /// Operation changes grouped by tag, tags sorted by name.
    pub tags: Vec<TagChanges>,
    /// Type changes, sorted by name.
    pub types: Vec<TypeChanges>,
}

/// Output formats of [`Report::render`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Readable plain text.
    Text,
    /// Markdown, for a README or a pull request.
    Markdown,
    /// Pretty-printed JSON of the [`Report`].
    Json,
}

/// Which document of the pair failed to load.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The first (old) document.
    Old,
    /// The second (new) document.
    New,
}

/// A document could not be read or modelled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffError {
    /// Which one.
    pub side: Side,
    /// Its errors, each with a location.
    pub failure: Failure,
}

impl fmt::Display for DiffError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let side = match self.side {
            Side::Old => "old",
            Side::New => "new",
        };
        write!(f, "the {side} document: {}", self.failure)
    }
}

impl std::error::Error for DiffError {}

/// Compares two documents (YAML or JSON text).
pub fn diff_texts(old: &str, new: &str) -> Result<Report, DiffError> {
    let old = Loaded::from_text(old).map_err(|failure| DiffError {
        side: Side::Old,
        failure,
    })?;
    let new = Loaded::from_text(new).map_err(|failure| DiffError {
        side: Side::New,
        failure,
    })?;
    Ok(compare::compare(&old, &new))
}

/// Reads and compares two documents.
pub fn diff_files(old: &Path, new: &Path) -> Result<Report, DiffError> {
    let read = |path: &Path, side| {
        std::fs::read_to_string(path).map_err(|e| DiffError {
            side,
            failure: Failure::single(
                path.display().to_string(),
                format!("cannot read the document: {e}"),
            ),
        })
    };
    let old_text = read(old, Side::Old)?;
    let new_text = read(new, Side::New)?;
    diff_texts(&old_text, &new_text)
}

impl Report {
    /// The report in `format`.
    pub fn render(&self, format: Format) -> String {
        match format {
            Format::Text => render::text(self),
            Format::Markdown => render::markdown(self),
            Format::Json => render::json(self),
        }
    }

    /// The same report keeping only breaking changes (operations and types without any are
    /// dropped; the summary is recounted).
    pub fn breaking_only(&self) -> Report {
        let keep = |changes: &[Change]| -> Vec<Change> {
            changes
                .iter()
                .filter(|c| c.severity == Severity::Breaking)
                .cloned()
                .collect()
        };
        let tags = self
            .tags
            .iter()
            .filter_map(|t| {
                let operations: Vec<OperationChanges> = t
                    .operations
                    .iter()
                    .filter_map(|o| {
                        let changes = keep(&o.changes);
                        (!changes.is_empty()).then(|| OperationChanges {
                            changes,
                            ..o.clone()
                        })
                    })
                    .collect();
                (!operations.is_empty()).then(|| TagChanges {
                    operations,
                    ..t.clone()
                })
            })
            .collect();
        let types = self
            .types
            .iter()
            .filter_map(|t| {
                let changes = keep(&t.changes);
                (!changes.is_empty()).then(|| TypeChanges {
                    changes,
                    ..t.clone()
                })
            })
            .collect();
        let mut report = Report {
            old: self.old.clone(),
            new: self.new.clone(),
            summary: Summary::default(),
            tags,
            types,
        };
        report.summary = compare::summarise(&report.tags, &report.types);
        report
    }

    /// Every change with the operation or type it belongs to, in report order.
    pub fn changes(&self) -> impl Iterator<Item = &Change> {
        self.tags
            .iter()
            .flat_map(|t| &t.operations)
            .flat_map(|o| &o.changes)
            .chain(self.types.iter().flat_map(|t| &t.changes))
    }
}

/// A document loaded both as OpenAPI and as the generator's model.
pub(crate) struct Loaded {
    pub(crate) doc: openapiv3::OpenAPI,
    pub(crate) model: Model,
}

impl Loaded {
    fn from_text(text: &str) -> Result<Self, Failure> {
        let doc = crate::load::load_str(text)?;
        let (model, _warnings) = crate::build_model(text, &Settings::camunda7_client())?;
        Ok(Self { doc, model })
    }
}

impl std::str::FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "text" | "txt" => Ok(Self::Text),
            "markdown" | "md" => Ok(Self::Markdown),
            "json" => Ok(Self::Json),
            other => Err(format!(
                "unknown format `{other}`: expected text, markdown or json"
            )),
        }
    }
}

/// The `diff` command of the command line: prints the report on standard output and the
/// problems of unreadable documents, each with its location, on standard error. Succeeds
/// whenever the report could be made, breaking changes or not.
pub fn cli(old: &Path, new: &Path, format: &str, breaking_only: bool) -> std::process::ExitCode {
    use std::io::Write;
    use std::process::ExitCode;
    let format: Format = match format.parse() {
        Ok(format) => format,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::FAILURE;
        }
    };
    let report = match diff_files(old, new) {
        Ok(report) if breaking_only => report.breaking_only(),
        Ok(report) => report,
        Err(error) => {
            let path = match error.side {
                Side::Old => old,
                Side::New => new,
            };
            for diagnostic in &error.failure.errors {
                eprintln!("error: {}: {diagnostic}", path.display());
            }
            eprintln!(
                "error: {} has {} error(s); no report",
                path.display(),
                error.failure.errors.len()
            );
            return ExitCode::FAILURE;
        }
    };
    match std::io::stdout().write_all(report.render(format).as_bytes()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: cannot write to standard output: {e}");
            ExitCode::FAILURE
        }
    }
}
