//! Camunda's documents as Prism gets them: the original file, or a patched temporary copy.
//!
//! Every patch fixes a bug of Camunda's document that makes Prism reject requests the engine
//! accepts. Each one is listed in `docs/prism.md` with the reason; a patch applies only where
//! the document has the bug, so a fixed document passes through untouched.

use serde_json::Value;
use std::path::{Path, PathBuf};

/// A document ready to be served by Prism.
#[derive(Debug)]
pub struct PreparedDocument {
    /// The file name of Camunda's document, e.g. `camunda-7.13.0.json`.
    pub name: String,
    /// The file Prism serves: the original when no patch applied, else the patched copy.
    pub path: PathBuf,
    /// The parsed document as served (after patching).
    pub json: Value,
    /// One line per applied patch: the JSON pointer and what changed.
    pub patches: Vec<String>,
}

/// One known bug of Camunda's documents.
struct Patch {
    /// Where it is.
    pointer: &'static str,
    /// What it changes, for the log.
    what: &'static str,
    /// Applies the fix to the value at `pointer`; `false` when the value does not have the bug.
    apply: fn(&mut Value) -> bool,
}

/// `VariableValueDto.value` is declared `type: object` in 7.13–7.2x, but a variable's value is
/// any JSON value (a string for String, Date, Json and Object variables, a number, a boolean,
/// null). Prism would reject every typed variable that is not a JSON object. 7.24 declares it
/// as `AnyValue` (no type); the patch does the same: it drops the `type`.
fn value_is_any_json(value: &mut Value) -> bool {
    match value.as_object_mut() {
        Some(schema) if schema.get("type") == Some(&Value::String("object".into())) => {
            schema.remove("type");
            true
        }
        _ => false,
    }
}

/// `ExceptionDto.code` is declared `type: number` without `nullable` (7.18 and later), but the engine
/// writes `"code": null` for errors that carry no code (e.g. a `RestException` for an unknown
/// task id). Prism in proxy mode would flag every such error body of a faithful engine. The patch
/// marks the field nullable.
fn code_is_nullable(code: &mut Value) -> bool {
    match code.as_object_mut() {
        Some(schema)
            if schema.contains_key("type")
                && schema.get("nullable") != Some(&Value::Bool(true)) =>
        {
            schema.insert("nullable".into(), Value::Bool(true));
            true
        }
        _ => false,
    }
}

const PATCHES: &[Patch] = &[
    Patch {
        pointer: "/components/schemas/VariableValueDto/properties/value",
        what: "dropped `type: object` (a variable's value is any JSON value)",
        apply: value_is_any_json,
    },
    Patch {
        pointer: "/components/schemas/ExceptionDto/properties/code",
        what: "made nullable (the engine writes `\"code\": null`)",
        apply: code_is_nullable,
    },
];

/// Reads `source` and applies the known patches; when any applies, writes the result to
/// `work_dir` (a test's temporary folder) and serves that copy. The original is never changed.
pub fn prepare_document(source: &Path, work_dir: &Path) -> Result<PreparedDocument, String> {
    let name = source
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| format!("{} has no file name", source.display()))?;
    let text = std::fs::read_to_string(source)
        .map_err(|e| format!("cannot read {}: {e}", source.display()))?;
    let mut json: Value = serde_json::from_str(&text)
        .map_err(|e| format!("{} is not valid JSON: {e}", source.display()))?;

    let mut patches = Vec::new();
    for patch in PATCHES {
        if let Some(target) = json.pointer_mut(patch.pointer) {
            if (patch.apply)(target) {
                patches.push(format!("{}: {}", patch.pointer, patch.what));
            }
        }
    }

    let path = if patches.is_empty() {
        source.to_path_buf()
    } else {
        let copy = work_dir.join(format!("patched-{name}"));
        let bytes = serde_json::to_vec(&json)
            .map_err(|e| format!("cannot serialize the patched {name}: {e}"))?;
        std::fs::write(&copy, bytes)
            .map_err(|e| format!("cannot write {}: {e}", copy.display()))?;
        copy
    };
    Ok(PreparedDocument {
        name,
        path,
        json,
        patches,
    })
}

impl PreparedDocument {
    /// The operation object at `method` (lower case) and `path` (as in the document), if the
    /// document has it.
    pub fn operation(&self, method: &str, path: &str) -> Option<&Value> {
        self.json.get("paths")?.get(path)?.get(method)
    }

    /// The status codes the document lists for an operation, in document order.
    pub fn status_codes(&self, method: &str, path: &str) -> Vec<u16> {
        self.operation(method, path)
            .and_then(|op| op.get("responses"))
            .and_then(Value::as_object)
            .map(|responses| responses.keys().filter_map(|k| k.parse().ok()).collect())
            .unwrap_or_default()
    }

    /// The `Prefer` choices that together cover an operation's success responses: Prism's default
    /// (`None`), each named example of a 2xx response that has several, and each other 2xx status.
    pub fn success_choices(&self, method: &str, path: &str) -> Vec<Option<String>> {
        let statuses = self.status_codes(method, path);
        let mut choices: Vec<Option<String>> = vec![None];
        for status in statuses.iter().filter(|s| (200..300).contains(*s)) {
            let examples = self.response_examples(method, path, *status);
            if examples.len() > 1 {
                choices.extend(
                    examples
                        .iter()
                        .map(|e| Some(format!("code={status}, example={e}"))),
                );
            } else if Some(status) != statuses.first() {
                choices.push(Some(format!("code={status}")));
            }
        }
        choices
    }

    /// The names of the examples the document gives for a response of an operation.
    pub fn response_examples(&self, method: &str, path: &str, status: u16) -> Vec<String> {
        let Some(content) = self
            .operation(method, path)
            .and_then(|op| op.get("responses"))
            .and_then(|r| r.get(status.to_string()))
            .and_then(|r| r.get("content"))
            .and_then(Value::as_object)
        else {
            return Vec::new();
        };
        let mut names: Vec<String> = Vec::new();
        for media in content.values() {
            if let Some(examples) = media.get("examples").and_then(Value::as_object) {
                for key in examples.keys() {
                    if !names.contains(key) {
                        names.push(key.clone());
                    }
                }
            }
        }
        names
    }

    /// The examples the document gives for the JSON request body of an operation, by name.
    pub fn request_examples(&self, method: &str, path: &str) -> Vec<(String, Value)> {
        self.operation(method, path)
            .and_then(|op| op.pointer("/requestBody/content/application~1json/examples"))
            .and_then(Value::as_object)
            .map(|examples| {
                examples
                    .iter()
                    .filter_map(|(name, example)| {
                        example.get("value").map(|v| (name.clone(), v.clone()))
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}
