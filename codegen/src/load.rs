//! Reading a document: YAML or JSON text → `openapiv3::OpenAPI`, with syntax errors located by
//! line and column and a clear refusal of documents that are not OpenAPI 3.0.

use crate::error::Failure;
use indexmap::IndexMap;
use openapiv3::OpenAPI;
use serde::Deserialize;
use serde_json::value::RawValue;

/// Parses `text` (JSON or YAML) as an OpenAPI 3.0.x document.
pub fn load_str(text: &str) -> Result<OpenAPI, Failure> {
    let looks_like_json = text.trim_start().starts_with('{');
    let parsed: Result<OpenAPI, Failure> = if looks_like_json {
        // serde_json is several times faster than serde_yaml on the large upstream documents;
        // the two-thread reader halves that again. On any error, read it once more the plain
        // way, so the error carries the line and column within the whole text.
        json_on_two_threads(text)
            .or_else(|_| serde_json::from_str(text))
            .map_err(|e| json_failure(&e))
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

/// Reads a JSON document with its path items and components split over two threads.
///
/// A first pass only finds where each top-level member and each path item starts and ends
/// (`RawValue`s borrow the text); the path items — three quarters of Camunda's document — and the
/// components are then deserialized on two threads, split by size. Keys are treated exactly as
/// `openapiv3` treats them: `/…` keys are path items, `x-…` keys extensions, others ignored.
fn json_on_two_threads(text: &str) -> Result<OpenAPI, serde_json::Error> {
    use openapiv3::{Components, PathItem, ReferenceOr};

    let Top {
        members: top,
        paths,
    } = serde_json::from_str(text)?;
    let Some(paths) = paths else {
        // Let the plain reader report what is missing.
        return serde_json::from_str(text);
    };
    let empty = RawValue::from_string("{}".to_owned())?;
    let rest: IndexMap<&str, &RawValue> = top
        .iter()
        .filter(|(key, _)| key.as_str() != "components")
        .map(|(key, raw)| match key.as_str() {
            "paths" => (key.as_str(), &*empty),
            _ => (key.as_str(), *raw),
        })
        .collect();
    let mut doc: OpenAPI = serde_json::from_str(&serde_json::to_string(&rest)?)?;

    type Read = (
        Vec<(String, ReferenceOr<PathItem>)>,
        Vec<(String, serde_json::Value)>,
    );
    let read = |members: &[(&String, &&RawValue)]| -> Result<Read, serde_json::Error> {
        let (mut items, mut extensions) = (Vec::with_capacity(members.len()), Vec::new());
        for (key, raw) in members {
            if key.starts_with('/') {
                items.push(((*key).clone(), serde_json::from_str(raw.get())?));
            } else if key.starts_with("x-") {
                extensions.push(((*key).clone(), serde_json::from_str(raw.get())?));
            }
        }
        Ok((items, extensions))
    };
    let members: Vec<(&String, &&RawValue)> = paths.iter().collect();
    let components = top.get("components").map(|raw| raw.get());
    // Thread one takes the components and path items up to half of the total size.
    let total = members
        .iter()
        .map(|(_, raw)| raw.get().len())
        .sum::<usize>()
        + components.map_or(0, str::len);
    let mut first = components.map_or(0, str::len);
    let split = members
        .iter()
        .position(|(_, raw)| {
            first += raw.get().len();
            first > total / 2
        })
        .unwrap_or(members.len());
    let (head, tail) = members.split_at(split);
    let (head, tail, components) = std::thread::scope(|scope| {
        let tail = scope.spawn(|| read(tail));
        let components = components
            .map(serde_json::from_str::<Components>)
            .transpose();
        let head = read(head);
        (head, tail.join(), components)
    });
    let tail = tail.map_err(|_| {
        <serde_json::Error as serde::de::Error>::custom("the path-item reader thread failed")
    })?;
    doc.components = components?;
    let ((head_items, head_extensions), (tail_items, tail_extensions)) = (head?, tail?);
    doc.paths
        .paths
        .extend(head_items.into_iter().chain(tail_items));
    doc.paths
        .extensions
        .extend(head_extensions.into_iter().chain(tail_extensions));
    Ok(doc)
}

/// The top level of a JSON document in one pass: every member as raw text, and the members of
/// `paths` split out (a later duplicate key replaces an earlier one, as `openapiv3` does).
struct Top<'a> {
    members: IndexMap<String, &'a RawValue>,
    paths: Option<IndexMap<String, &'a RawValue>>,
}

impl<'de> Deserialize<'de> for Top<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TopVisitor;
        impl<'de> serde::de::Visitor<'de> for TopVisitor {
            type Value = Top<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an OpenAPI document (a JSON object)")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Top<'de>, A::Error> {
                let mut top = Top {
                    members: IndexMap::new(),
                    paths: None,
                };
                while let Some(key) = map.next_key::<String>()? {
                    if key == "paths" {
                        top.paths = Some(map.next_value()?);
                        // Its place among the members; the value is not used.
                        top.members.insert(key, RawValue::NULL);
                    } else {
                        let raw: &RawValue = map.next_value()?;
                        top.members.insert(key, raw);
                    }
                }
                Ok(top)
            }
        }
        deserializer.deserialize_map(TopVisitor)
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
    fn the_two_thread_json_reader_reads_what_the_plain_one_reads() {
        let text = r##"{"openapi": "3.0.2", "info": {"title": "x", "version": "1"},
            "paths": {"x-top": {"a": 1}, "/a": {"get": {"responses": {"204": {"description": "ok"}}}},
                      "other": 5, "/b/{id}": {"$ref": "#/components/pathItems/B"},
                      "/a": {"post": {"responses": {"200": {"description": "again"}}}}},
            "components": {"schemas": {"S": {"type": "string"}}}, "x-root": true}"##;
        let plain: openapiv3::OpenAPI = serde_json::from_str(text).expect("plain reader");
        let two = super::json_on_two_threads(text).expect("two-thread reader");
        assert_eq!(two, plain);
        assert_eq!(two.paths.paths.len(), 2);
        assert_eq!(two.paths.extensions.len(), 1);
    }

    #[test]
    fn a_json_error_is_located_in_the_whole_text() {
        let text = "{\"openapi\": \"3.0.2\", \"info\": {\"title\": \"x\", \"version\": \"1\"},\n\"paths\": {\"/a\": {\"get\": 5}}}";
        let err = load_str(text).err();
        let first = err.map(|f| f.errors[0].clone());
        assert!(
            first
                .as_ref()
                .is_some_and(|d| d.location.starts_with("line 2")),
            "{first:?}"
        );
    }

    #[test]
    fn a_minimal_document_loads() {
        let doc = load_str("openapi: 3.0.2\ninfo: {title: x, version: '1'}\npaths: {}\n");
        assert!(doc.is_ok());
    }
}
