//! Reading a document: YAML or JSON text → `openapiv3::OpenAPI`, with syntax errors located by
//! line and column and a clear refusal of documents that are not OpenAPI 3.0.

use crate::error::Failure;
use openapiv3::OpenAPI;
use serde::Deserialize;

/// Parses `text` (JSON or YAML) as an OpenAPI 3.0.x document.
pub fn load_str(text: &str) -> Result<OpenAPI, Failure> {
    let looks_like_json = text.trim_start().starts_with('{');
    let parsed: Result<OpenAPI, Failure> = if looks_like_json {
        // serde_json is several times faster than serde_yaml on the large upstream documents.
        serde_json::from_str(text).map_err(|e| json_failure(&e))
    } else {
        serde_yaml::from_str(text).map_err(|e| yaml_failure(&e))
    };
    match parsed {
        Ok(doc) => {
            check_version(Some(&doc.openapi), None)?;
            Ok(doc)
        }
        Err(failure) => {
            // Say "not OpenAPI 3.0" rather than "missing field `info`" when that is the cause.
            let probe: Option<VersionProbe> = if looks_like_json {
                serde_json::from_str(text).ok()
            } else {
                serde_yaml::from_str(text).ok()
            };
            if let Some(probe) = probe {
                check_version(
                    probe.openapi.as_ref().map(version_text).as_deref(),
                    probe.swagger.as_ref().map(version_text).as_deref(),
                )?;
            }
            Err(failure)
        }
    }
}

/// Only the version fields, to explain why a document could not be read.
#[derive(Deserialize)]
struct VersionProbe {
    openapi: Option<serde_json::Value>,
    swagger: Option<serde_json::Value>,
}

fn version_text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn check_version(openapi: Option<&str>, swagger: Option<&str>) -> Result<(), Failure> {
    match (openapi, swagger) {
        (Some(v), _) if v.starts_with("3.0.") || v == "3.0" => Ok(()),
        (Some(v), _) => Err(Failure::single(
            "#/openapi",
            format!(
                "unsupported OpenAPI version `{v}`: only OpenAPI 3.0.x documents are supported"
            ),
        )),
        (None, Some(v)) => Err(Failure::single(
            "#/swagger",
            format!("this is a Swagger {v} document; only OpenAPI 3.0.x documents are supported"),
        )),
        (None, None) => Err(Failure::single(
            "#",
            "not an OpenAPI document: the `openapi` version field is missing",
        )),
    }
}

fn json_failure(e: &serde_json::Error) -> Failure {
    let what = if e.is_syntax() || e.is_eof() {
        "JSON syntax error"
    } else {
        "not a valid OpenAPI 3.0 document"
    };
    Failure::single(
        format!("line {}, column {}", e.line(), e.column()),
        format!("{what}: {e}"),
    )
}

fn yaml_failure(e: &serde_yaml::Error) -> Failure {
    let location = match e.location() {
        Some(l) => format!("line {}, column {}", l.line(), l.column()),
        None => "document".to_owned(),
    };
    Failure::single(location, format!("cannot read the document: {e}"))
}

#[cfg(test)]
mod tests {
    use super::load_str;

    #[test]
    fn yaml_syntax_errors_name_line_and_column() {
        let err = load_str("openapi: 3.0.2\ninfo: [unclosed\n").err();
        let location = err.map(|f| f.errors[0].location.clone());
        assert!(location.is_some_and(|l| l.starts_with("line ")));
    }

    #[test]
    fn json_syntax_errors_name_line_and_column() {
        let err = load_str("{\"openapi\": \"3.0.2\",\n  \"info\": }").err();
        let first = err.map(|f| f.errors[0].clone());
        assert!(first.is_some_and(|d| d.location == "line 2, column 11"));
    }

    #[test]
    fn swagger_two_is_refused_clearly() {
        let err = load_str("swagger: '2.0'\ninfo: {title: x, version: '1'}\npaths: {}\n").err();
        let message = err.map(|f| f.errors[0].message.clone()).unwrap_or_default();
        assert!(message.contains("Swagger 2.0"), "{message}");
    }

    #[test]
    fn openapi_three_one_is_refused_clearly() {
        let err = load_str("openapi: 3.1.0\ninfo: {title: x, version: '1'}\npaths: {}\n").err();
        let message = err.map(|f| f.errors[0].message.clone()).unwrap_or_default();
        assert!(message.contains("3.1.0"), "{message}");
    }

    #[test]
    fn a_minimal_document_loads() {
        let doc = load_str("openapi: 3.0.2\ninfo: {title: x, version: '1'}\npaths: {}\n");
        assert!(doc.is_ok());
    }
}
