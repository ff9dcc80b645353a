//! `camunda7-codegen`: generates typed Rust operations and models from a Camunda 7 engine
//! REST OpenAPI 3.0 document, for the `camunda7-client` runtime.
//!
//! Two ways to use it:
//!
//! - [`Builder`], from a crate's own `build.rs`: the whole API (or the tags one needs) from the
//!   engine's own document, in one's own crate, included with `camunda7_client::include_api!()`.
//! - [`generate`] / [`generate_file`] with [`Settings`], for tools; `camunda7-client` builds its
//!   External Task API this way. [`diff`] compares two documents as a client generated from them
//!   sees it (the `camunda7-codegen diff` command).
//!
//! The pipeline, one private module per stage: load (YAML or JSON → `openapiv3`) → resolve
//! (`$ref`s) → lower (plain-data model) → emit (`syn` tree) → format (`prettyplease`). Problems
//! are collected as [`Diagnostic`]s naming where in the document they are; nothing here panics
//! on a bad document.
//!
//! ```
//! use camunda7_codegen::{generate, Settings};
//! let spec = r#"
//! openapi: 3.0.2
//! info: {title: Example, version: "1"}
//! paths:
//!   /ping:
//!     get:
//!       operationId: ping
//!       tags: [Health]
//!       responses: {"204": {description: ok}}
//! "#;
//! let generated = generate(spec, &Settings::default()).map_err(|f| f.to_string())?;
//! assert!(generated.code.contains("pub async fn ping(&self)"));
//! assert_eq!(generated.modules, ["health"]);
//! # Ok::<(), String>(())
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod builder;
mod describe;
pub mod diff;
mod docs;
mod emit;
mod error;
mod format;
#[doc(hidden)] // not part of the API: for this crate's tests and benchmarks
pub mod load;
mod lower;
mod memo;
#[doc(hidden)] // not part of the API: for this crate's tests and benchmarks
pub mod model;
mod naming;
mod operations;
mod resolve;
mod settings;
#[doc(hidden)] // not part of the API: for this crate's tests and benchmarks
pub mod stages;
mod warm;

pub use builder::{BuildError, Builder, DEFAULT_FILE_NAME};
pub use error::{Diagnostic, Failure, WarningKind};
#[doc(hidden)]
pub use model::Model;
pub use settings::Settings;

use std::path::Path;

/// The result of a successful generation.
#[derive(Debug, Clone, PartialEq)]
pub struct Generated {
    /// The formatted Rust source: `pub mod models` and one module per tag, no inner
    /// attributes, ready for `include!`.
    pub code: String,
    /// Workarounds applied (each worth a `cargo:warning=`).
    pub warnings: Vec<Diagnostic>,
    /// The tag modules generated (`external_task`, `process_instance`, ...), in file order.
    pub modules: Vec<String>,
}

/// Builds the model of a document (YAML or JSON text) without emitting code.
#[doc(hidden)] // not part of the API: for this crate's tests
pub fn build_model(text: &str, settings: &Settings) -> Result<(Model, Vec<Diagnostic>), Failure> {
    let doc = load::load_str(text)?;
    lower_document(&doc, settings)
}

fn lower_document(
    doc: &openapiv3::OpenAPI,
    settings: &Settings,
) -> Result<(Model, Vec<Diagnostic>), Failure> {
    let (model, diags) = lower::build(doc, settings);
    if diags.errors.is_empty() {
        Ok((model, diags.warnings))
    } else {
        Err(Failure {
            errors: diags.errors,
            warnings: diags.warnings,
        })
    }
}

/// Generates the client code for a document (YAML or JSON text).
pub fn generate(text: &str, settings: &Settings) -> Result<Generated, Failure> {
    let doc = load::load_str(text)?;
    let (model, warnings) = lower_document(&doc, settings)?;
    let mut code = header(&model);
    // Freeing the document's many small allocations takes about a tenth of a run on a large
    // document; a thread of its own does it beside the emitting instead of before it.
    let emitted = std::thread::scope(|scope| {
        scope.spawn(move || drop(doc));
        emit_and_format(&model)
    })?;
    code.push_str(&emitted);
    let modules = model
        .tags
        .iter()
        .map(|t| naming::unraw(&t.module).to_owned())
        .collect();
    Ok(Generated {
        code,
        warnings,
        modules,
    })
}

/// `format(emit(model))`, spread over up to four threads. The work is cut into units: the
/// models module in parts of about equal size (it is as large as all tag modules together)
/// and each tag module. Threads take the next unit as they finish one, largest first; each unit
/// is emitted and printed on its own. Top-level items print independently, and the models parts
/// join back exactly, so the text is the same as printing the whole file at once (the `stages`
/// test and the benchmark check this).
fn emit_and_format(model: &Model) -> Result<String, Failure> {
    use std::sync::atomic::{AtomicUsize, Ordering};

    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 4);
    let models = models_parts(model, if threads > 1 { 8 } else { 1 });
    let units = models.len() + model.tags.len();
    // Largest first, so no thread is left with a big unit at the end.
    let mut order: Vec<usize> = (0..units).collect();
    order.sort_by_key(|&i| {
        let weight = match models.get(i) {
            Some(range) => model
                .types
                .get(range.clone())
                .map_or(0, |defs| defs.iter().map(type_weight).sum()),
            None => model.tags.get(i - models.len()).map_or(0, tag_weight),
        };
        std::cmp::Reverse(weight)
    });
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        while let Some(&i) = order.get(next.fetch_add(1, Ordering::Relaxed)) {
            let item = match models.get(i) {
                Some(range) => emit::emit_models_part(model, range.clone()),
                None => match model.tags.get(i - models.len()) {
                    Some(tag) => emit::emit_tag(tag, model),
                    None => break,
                },
            };
            done.push((i, item.map(|item| format::format(&emit::file(vec![item])))));
        }
        done
    };
    let helpers = threads.min(units) - 1;
    let mut parts = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..helpers).map(|_| scope.spawn(work)).collect();
        let mut parts = work();
        for handle in handles {
            match handle.join() {
                Ok(done) => parts.extend(done),
                Err(_) => {
                    return Err(Failure::single(
                        "generator",
                        "internal error: a code-emitting thread failed",
                    ))
                }
            }
        }
        Ok(parts)
    })?;
    parts.sort_by_key(|(i, _)| *i);
    let mut texts = parts.into_iter().map(|(_, text)| text);
    let models_text = texts
        .by_ref()
        .take(models.len())
        .collect::<Result<Vec<String>, Failure>>()?;
    let mut code = format::join_module_parts("models", &models_text)?;
    for text in texts {
        code.push_str(&text?);
    }
    let client_ext = emit::emit_client_ext(model)?;
    if !client_ext.is_empty() {
        code.push_str(&format::format(&emit::file(client_ext)));
    }
    Ok(code)
}

/// Rough size of a type's generated code: one per type, field and variant.
fn type_weight(def: &model::TypeDef) -> usize {
    match &def.kind {
        model::TypeKind::Struct(s) => 1 + s.fields.len(),
        model::TypeKind::Enum(e) => 1 + e.variants.len(),
        model::TypeKind::Alias(_) => 1,
    }
}

/// Rough size of a tag module's generated code, in [`type_weight`]'s units: a method is about as
/// much code as eight fields, a query parameter as one.
fn tag_weight(tag: &model::Tag) -> usize {
    tag.ops
        .iter()
        .map(|op| 8 + op.query.as_ref().map_or(0, |q| q.fields.len()))
        .sum()
}

/// Cuts `model.types` into at most `n` ranges of about equal weight; always at least one range,
/// so an empty module is still printed.
fn models_parts(model: &Model, n: usize) -> Vec<std::ops::Range<usize>> {
    let total: usize = model.types.iter().map(type_weight).sum();
    let share = total.div_ceil(n.max(1)).max(1);
    let mut ranges = Vec::new();
    let (mut start, mut sum) = (0, 0);
    for (i, def) in model.types.iter().enumerate() {
        sum += type_weight(def);
        if sum >= share && i + 1 < model.types.len() {
            ranges.push(start..i + 1);
            start = i + 1;
            sum = 0;
        }
    }
    ranges.push(start..model.types.len());
    ranges
}

/// Reads `path` and generates the client code for it.
pub fn generate_file(path: &Path, settings: &Settings) -> Result<Generated, Failure> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Failure::single(
            path.display().to_string(),
            format!("cannot read the document: {e}"),
        )
    })?;
    generate(&text, settings)
}

fn header(model: &Model) -> String {
    let one_line = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    format!(
        "// @generated by camunda7-codegen from the OpenAPI document \"{}\" {}.\n\
         // Do not edit: change the document or the generator and regenerate.\n\n",
        one_line(&model.title),
        one_line(&model.version)
    )
}
