//! The pipeline one stage at a time, for benchmarks and tools that time or inspect each step.
//!
//! [`crate::generate`] is exactly `parse` → `model` → `emit` → `format` plus the header
//! comment; calling the stages one by one gives the same text.

use crate::error::Failure;
use crate::{Diagnostic, Model, Settings};
use openapiv3::OpenAPI;

/// Stage 1: YAML or JSON text → the OpenAPI document.
pub fn parse(text: &str) -> Result<OpenAPI, Failure> {
    crate::load::load_str(text)
}

/// Stage 2: resolve references and build the plain-data model; warnings on success.
pub fn model(doc: &OpenAPI, settings: &Settings) -> Result<(Model, Vec<Diagnostic>), Failure> {
    crate::lower_document(doc, settings)
}

/// Stage 3: the model → a Rust syntax tree.
pub fn emit(model: &Model) -> Result<syn::File, Failure> {
    crate::emit::emit(model)
}

/// Stage 4: syntax tree → formatted source, with the `@generated` header of
/// [`crate::generate`].
pub fn format(model: &Model, file: &syn::File) -> String {
    let mut code = crate::header(model);
    code.push_str(&crate::format::format(file));
    code
}
