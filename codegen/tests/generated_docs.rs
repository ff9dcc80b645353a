//! The doc comments generated from Camunda's full 7.24 document answer questions: no type or
//! field is left with a placeholder, no link points at Camunda's docs site by a relative path or
//! an unfilled `$(docsUrl)`, and every operation shows how it is called.
//!
//! Needs `CAMUNDA_OPENAPI_DIR` (the folder of Camunda's documents); unset, the test says it is
//! skipped and passes.

use camunda7_codegen::{generate, Settings};
use std::path::PathBuf;

/// The document the test generates.
const FULL_DOCUMENT: &str = "camunda-7.24.0-SNAPSHOT.json";

/// Text no doc comment may hold, and why.
const FORBIDDEN: [(&str, &str); 4] = [
    (
        "no description in the document",
        "a placeholder instead of a doc",
    ),
    ("$(docsUrl)", "an unfilled docs address"),
    ("](/manual/", "a link relative to Camunda's docs site"),
    ("](/reference/", "a link relative to Camunda's docs site"),
];

#[test]
#[cfg_attr(
    not(camunda_openapi_dir),
    ignore = "CAMUNDA_OPENAPI_DIR is not set: it names the folder of Camunda's OpenAPI documents"
)]
fn full_document_docs_have_no_placeholders_or_site_relative_links() {
    let Some(dir) = std::env::var_os("CAMUNDA_OPENAPI_DIR").filter(|d| !d.is_empty()) else {
        eprintln!(
            "skipped full_document_docs_have_no_placeholders_or_site_relative_links: CAMUNDA_OPENAPI_DIR is not set"
        );
        return;
    };
    let path = PathBuf::from(dir).join(FULL_DOCUMENT);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) => panic!("cannot read {}: {e}", path.display()),
    };
    let code = match generate(&text, &Settings::camunda7_client()) {
        Ok(generated) => generated.code,
        Err(failure) => panic!("{} does not generate: {failure}", path.display()),
    };

    let mut problems = Vec::new();
    for (number, line) in code.lines().enumerate() {
        let trimmed = line.trim_start();
        if !trimmed.starts_with("///") && !trimmed.starts_with("//!") {
            continue;
        }
        for (needle, why) in FORBIDDEN {
            if trimmed.contains(needle) {
                problems.push(format!("line {}: {why}: {trimmed}", number + 1));
            }
        }
    }
    let shown: Vec<&String> = problems.iter().take(20).collect();
    assert!(
        problems.is_empty(),
        "{} doc line(s) with problems, the first ones:\n{}",
        problems.len(),
        shown
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );

    // The links were resolved, not just removed.
    assert!(
        code.contains(
            "](https://docs.camunda.org/manual/7.24/reference/rest/overview/date-format/)"
        ),
        "the `$(docsUrl)` link to the date format is not resolved"
    );
    assert!(
        code.contains("](https://docs.camunda.org/manual/7.24/user-guide/process-engine/incidents/#incident-types)"),
        "the relative link to the incident types is not resolved"
    );

    // Every operation shows its call, right before the method.
    let methods = code.matches("pub async fn ").count();
    let calls = code.matches("/// ```text\n        /// client.").count();
    assert!(methods > 300, "only {methods} methods generated");
    assert_eq!(calls, methods, "operations without a call line");
    assert!(code.contains(
        "/// client.external_task().complete_external_task_resource(id, &body).await?\n"
    ));
    assert!(code.contains("/// client.external_task().get_external_tasks(&query).await?\n"));
}
