//! Every OpenAPI document in the folder named by `CAMUNDA_OPENAPI_DIR` (Camunda's own
//! documents, 7.13 to 7.24) generates without errors into code that parses, and generating
//! twice gives byte-identical output. Unset → skipped (said so); set but missing → failure.

use camunda7_codegen::{generate, Settings};
use std::path::PathBuf;

/// The documents to check, or `None` (after saying the test is skipped) when the variable is
/// unset.
fn documents() -> Option<Vec<PathBuf>> {
    let Some(dir) = std::env::var_os("CAMUNDA_OPENAPI_DIR").filter(|d| !d.is_empty()) else {
        println!("skipped: CAMUNDA_OPENAPI_DIR is not set");
        return None;
    };
    let dir = PathBuf::from(dir);
    let entries = match std::fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) => panic!("CAMUNDA_OPENAPI_DIR={} cannot be read: {e}", dir.display()),
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.extension()
                .is_some_and(|e| e == "json" || e == "yaml" || e == "yml")
        })
        .collect();
    paths.sort();
    assert!(
        !paths.is_empty(),
        "no OpenAPI documents in {}",
        dir.display()
    );
    Some(paths)
}

#[test]
#[cfg_attr(
    not(camunda_openapi_dir),
    ignore = "CAMUNDA_OPENAPI_DIR is not set: it names the folder of Camunda's OpenAPI documents"
)]
fn every_upstream_document_generates_deterministically() {
    let Some(paths) = documents() else {
        return;
    };
    let settings = Settings::camunda7_client();
    let mut failures = Vec::new();
    for path in &paths {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => panic!("cannot read {}: {e}", path.display()),
        };
        match generate(&text, &settings) {
            Ok(first) => {
                if let Err(e) = syn::parse_file(&first.code) {
                    failures.push(format!("{}: output does not parse: {e}", path.display()));
                }
                match generate(&text, &settings) {
                    Ok(second) if second == first => {}
                    _ => failures.push(format!("{}: second run differs", path.display())),
                }
                for w in &first.warnings {
                    println!("warning: {}: {w}", path.display());
                }
            }
            Err(failure) => failures.push(format!("{}: {failure}", path.display())),
        }
    }
    println!(
        "generated {}/{} upstream documents",
        paths.len() - failures.len(),
        paths.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_project_spec_generates_deterministically() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../spec/external-task.yaml");
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => panic!("cannot read {path}: {e}"),
    };
    let settings = Settings::camunda7_client();
    let first = generate(&text, &settings).map_err(|f| f.to_string());
    let second = generate(&text, &settings).map_err(|f| f.to_string());
    assert!(first.is_ok(), "{first:?}");
    assert_eq!(first, second);
    if let Ok(g) = first {
        assert!(g.warnings.is_empty(), "{:?}", g.warnings);
        assert!(syn::parse_file(&g.code).is_ok());
    }
}

/// The two-thread JSON reader of `load` gives exactly the document the plain one gives.
#[test]
#[cfg_attr(
    not(camunda_openapi_dir),
    ignore = "CAMUNDA_OPENAPI_DIR is not set: it names the folder of Camunda's OpenAPI documents"
)]
fn every_upstream_json_document_reads_as_with_the_plain_reader() {
    let Some(paths) = documents() else {
        return;
    };
    let mut checked = 0;
    for path in paths
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
    {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => panic!("cannot read {}: {e}", path.display()),
        };
        let plain: openapiv3::OpenAPI = match serde_json::from_str(&text) {
            Ok(doc) => doc,
            Err(e) => panic!("{}: {e}", path.display()),
        };
        match camunda7_codegen::load::load_str(&text) {
            Ok(doc) => assert!(doc == plain, "{}: the documents differ", path.display()),
            Err(failure) => panic!("{}: {failure}", path.display()),
        }
        checked += 1;
    }
    println!("{checked} JSON documents read alike");
}

/// `generate` (JSON read on two threads, modules and parts of the models module printed on a
/// work queue and joined) gives exactly the text of the stages run one after another.
#[test]
#[cfg_attr(
    not(camunda_openapi_dir),
    ignore = "CAMUNDA_OPENAPI_DIR is not set: it names the folder of Camunda's OpenAPI documents"
)]
fn every_upstream_document_generates_as_the_stages_in_sequence() {
    use camunda7_codegen::stages;
    let Some(paths) = documents() else {
        return;
    };
    let settings = Settings::camunda7_client();
    for path in &paths {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => panic!("cannot read {}: {e}", path.display()),
        };
        let sequential = stages::parse(&text)
            .and_then(|doc| stages::model(&doc, &settings))
            .and_then(|(model, _)| Ok(stages::format(&model, &stages::emit(&model)?)));
        match (sequential, generate(&text, &settings)) {
            (Ok(one), Ok(all)) => assert!(one == all.code, "{}: the texts differ", path.display()),
            (one, all) => panic!(
                "{}: {:?} / {:?}",
                path.display(),
                one.err().map(|f| f.to_string()),
                all.err().map(|f| f.to_string())
            ),
        }
    }
}
