//! `spec/external-task.yaml` describes the same External Task API as Camunda's own OpenAPI
//! document for 7.24, in our own words.
//!
//! Everything except prose (`description`, `summary`, `example`, `examples`, `title`) must be
//! identical: the set of operations, operation ids, tags, parameters, request bodies, response
//! status codes, media types and schemas (compared after resolving `$ref`s), and every component
//! schema we declare. Where both documents describe the same item, our description must differ
//! from Camunda's. Each mismatch is reported with the JSON pointer of the place in our document.
//!
//! One difference is deliberate: our `required` lists also name what the engine cannot do
//! without, where Camunda's document leaves it optional. Exactly the fields in
//! [`REQUIRED_BEYOND_UPSTREAM`] may be required beyond Camunda's document; any other `required`
//! difference (one more, one less) is a mismatch, and so is a listed field that is no longer
//! required in ours.
//!
//! Camunda's document is read from `$CAMUNDA_OPENAPI_DIR`, or else from `../shared/camunda-openapi`
//! next to the repository. With the variable set, a missing file fails the test; without it, a
//! missing default directory skips the test with a message.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::PathBuf;

use serde_json::Value;

/// Camunda's document that our spec follows.
const UPSTREAM_FILE: &str = "camunda-7.24.0-SNAPSHOT.json";
/// Our document, relative to the repository root.
const OUR_SPEC: &str = "spec/external-task.yaml";
/// Operations under this path prefix make up the External Task API.
const PATH_PREFIX: &str = "/external-task";
/// 17 operations since 7.13, plus `POST /external-task/{id}/lock`.
const EXPECTED_OPERATIONS: usize = 18;
/// Keys that hold prose; they may differ between the documents.
const PROSE_KEYS: [&str; 5] = ["description", "summary", "example", "examples", "title"];
/// Prose keys whose texts must not be copied from Camunda's document.
const OWN_WORDS_KEYS: [&str; 4] = ["description", "summary", "example", "examples"];
/// (component schema, property, why) for every property our document requires and Camunda's
/// does not. The `required` list may sit on the schema itself or on one of its `allOf` parts.
const REQUIRED_BEYOND_UPSTREAM: [(&str, &str, &str); 9] = [
    (
        "HandleExternalTaskDto",
        "workerId",
        "complete, failure, extendLock and lock answer 500 `workerId is null` without it",
    ),
    (
        "ExternalTaskBpmnError",
        "workerId",
        "bpmnError answers 500 `workerId is null` without it",
    ),
    (
        "TaskBpmnErrorDto",
        "errorCode",
        "bpmnError answers 500 `errorCode is null` without it",
    ),
    (
        "ExtendLockOnExternalTaskDto",
        "newDuration",
        "extendLock answers 400 `lockTime is not greater than 0` without it",
    ),
    (
        "LockExternalTaskDto",
        "lockDuration",
        "lock refuses a duration that is not greater than 0, and a missing one is 0",
    ),
    (
        "RetriesDto",
        "retries",
        "PUT /external-task/{id}/retries answers 400 when retries is null",
    ),
    (
        "SetRetriesForExternalTasksDto",
        "retries",
        "PUT /external-task/retries and POST /external-task/retries-async answer 400 when retries is null",
    ),
    (
        "PriorityDto",
        "priority",
        "PUT /external-task/{id}/priority fails with 500 (unboxing a null) without it",
    ),
    (
        "CountResultDto",
        "count",
        "the engine always sends the count",
    ),
];
/// HTTP methods an OpenAPI path item can hold.
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

#[test]
#[cfg_attr(
    not(camunda_openapi_dir),
    ignore = "CAMUNDA_OPENAPI_DIR is not set: it names the folder of Camunda's OpenAPI documents"
)]
fn spec_matches_camunda_7_24_document() {
    let Some(upstream) = load_upstream() else {
        return;
    };
    let ours = load_ours();
    let mismatches = check(&ours, &upstream);
    assert!(
        mismatches.is_empty(),
        "{OUR_SPEC} differs from {UPSTREAM_FILE} in {} place(s):\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}

/// The checker itself must notice changes, or the test above could never fail.
#[test]
#[cfg_attr(
    not(camunda_openapi_dir),
    ignore = "CAMUNDA_OPENAPI_DIR is not set: it names the folder of Camunda's OpenAPI documents"
)]
fn checker_reports_changed_facts_and_copied_descriptions() {
    let Some(upstream) = load_upstream() else {
        return;
    };
    let mut ours = load_ours();

    let maxtasks = "/components/schemas/FetchExternalTasksDto/properties/maxTasks";
    set(
        &mut ours,
        &format!("{maxtasks}/format"),
        Value::from("int64"),
    );

    let response_404 = "/paths/~1external-task~1{id}/get/responses";
    let Some(Value::Object(responses)) = ours.pointer_mut(response_404) else {
        panic!("{response_404} is not an object in {OUR_SPEC}");
    };
    responses.remove("404");

    let worker_param = "/paths/~1external-task/get/parameters/3/name";
    set(&mut ours, worker_param, Value::from("workerIdentifier"));

    let lock_duration = "/components/schemas/LockExternalTaskDto/allOf/0/properties/lockDuration";
    let Some(camunda_text) = upstream
        .pointer(&format!("{lock_duration}/description"))
        .cloned()
    else {
        panic!("{UPSTREAM_FILE} has no description at {lock_duration}");
    };
    set(
        &mut ours,
        &format!("{lock_duration}/description"),
        camunda_text,
    );

    let enum_path = "/paths/~1external-task/get/parameters/28/schema/enum/0";
    set(&mut ours, enum_path, Value::from("identifier"));

    let mismatches = check(&ours, &upstream);
    let report = mismatches.join("\n");
    let expected = [
        format!("{maxtasks}/format"),
        format!("{response_404}: status 404"),
        "/paths/~1external-task/get/parameters: query parameter `workerId`".to_string(),
        "/paths/~1external-task/get/parameters: query parameter `workerIdentifier`".to_string(),
        format!("{lock_duration}/description: copied"),
        enum_path.to_string(),
    ];
    for needle in &expected {
        assert!(
            report.contains(needle.as_str()),
            "expected a mismatch mentioning `{needle}`, got:\n{report}"
        );
    }
    // The response schema `$ref`s resolve to FetchExternalTasksDto once, so its change is
    // reported once, not once per operation.
    let format_reports = mismatches
        .iter()
        .filter(|m| m.starts_with(&format!("{maxtasks}/format")))
        .count();
    assert_eq!(format_reports, 1, "{report}");
}

/// Only the listed `required` differences pass: one more, one less or a listed one gone is
/// reported, wherever the `required` list sits (a schema, an `allOf` part).
#[test]
#[cfg_attr(
    not(camunda_openapi_dir),
    ignore = "CAMUNDA_OPENAPI_DIR is not set: it names the folder of Camunda's OpenAPI documents"
)]
fn checker_allows_exactly_the_listed_required_differences() {
    let Some(upstream) = load_upstream() else {
        return;
    };
    let mut ours = load_ours();
    // Not in the list: an extra required property.
    let bpmn = "/components/schemas/TaskBpmnErrorDto/required";
    set(
        &mut ours,
        bpmn,
        serde_json::json!(["errorCode", "errorMessage"]),
    );
    // Required upstream, no longer in ours.
    let fetch = "/components/schemas/FetchExternalTasksDto/required";
    set(&mut ours, fetch, serde_json::json!(["workerId"]));
    // Listed, but no longer required in ours (inside an `allOf` part).
    let lock = "/components/schemas/LockExternalTaskDto/allOf/0";
    let Some(Value::Object(part)) = ours.pointer_mut(lock) else {
        panic!("{lock} is not an object in {OUR_SPEC}");
    };
    part.remove("required");
    // Listed for another schema only: not allowed here.
    let topic = "/components/schemas/FetchExternalTaskTopicDto/required";
    set(
        &mut ours,
        topic,
        serde_json::json!(["topicName", "lockDuration", "workerId"]),
    );

    let mismatches = check(&ours, &upstream);
    let report = mismatches.join("\n");
    let expected = [
        format!("{bpmn}: `errorMessage` is required in ours but not upstream"),
        format!("{fetch}: `maxTasks` is required upstream but not in ours"),
        "/components/schemas/LockExternalTaskDto: `lockDuration` is listed in REQUIRED_BEYOND_UPSTREAM".to_string(),
        format!("{topic}: `workerId` is required in ours but not upstream"),
    ];
    for needle in &expected {
        assert!(
            report.contains(needle.as_str()),
            "expected a mismatch mentioning `{needle}`, got:\n{report}"
        );
    }
    assert_eq!(mismatches.len(), expected.len(), "{report}");
}

/// Replaces the value at `pointer` in `doc`.
fn set(doc: &mut Value, pointer: &str, value: Value) {
    match doc.pointer_mut(pointer) {
        Some(slot) => *slot = value,
        None => panic!("{pointer} does not exist in {OUR_SPEC}"),
    }
}

/// Camunda's document, or `None` (after printing why) when it is not available and not required.
fn load_upstream() -> Option<Value> {
    let (dir, required) = match std::env::var_os("CAMUNDA_OPENAPI_DIR") {
        Some(dir) => (PathBuf::from(dir), true),
        None => (
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/camunda-openapi"),
            false,
        ),
    };
    let file = dir.join(UPSTREAM_FILE);
    if !file.is_file() {
        if required {
            panic!(
                "CAMUNDA_OPENAPI_DIR is set, but {} does not exist",
                file.display()
            );
        }
        println!(
            "skipped: {} not found; set CAMUNDA_OPENAPI_DIR to the directory holding Camunda's OpenAPI documents",
            file.display()
        );
        return None;
    }
    let text = match std::fs::read_to_string(&file) {
        Ok(text) => text,
        Err(err) => panic!("cannot read {}: {err}", file.display()),
    };
    match serde_json::from_str(&text) {
        Ok(value) => Some(value),
        Err(err) => panic!("{} is not valid JSON: {err}", file.display()),
    }
}

/// Our document, as JSON values.
fn load_ours() -> Value {
    let file = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(OUR_SPEC);
    let text = match std::fs::read_to_string(&file) {
        Ok(text) => text,
        Err(err) => panic!("cannot read {}: {err}", file.display()),
    };
    match serde_yaml::from_str(&text) {
        Ok(value) => value,
        Err(err) => panic!("{OUR_SPEC} is not valid YAML: {err}"),
    }
}

/// All differences between our document and Camunda's, one line each.
fn check(ours: &Value, upstream: &Value) -> Vec<String> {
    let mut checker = Checker {
        ours,
        upstream,
        mismatches: Vec::new(),
        compared_refs: HashSet::new(),
        required_beyond: BTreeSet::new(),
    };
    checker.operations();
    checker.component_schemas();
    checker.security();
    for (schema, property, _) in REQUIRED_BEYOND_UPSTREAM {
        if !checker.required_beyond.contains(&(schema, property)) {
            let pointer = format!("/components/schemas/{}", escape(schema));
            checker.report(
                &pointer,
                format!(
                    "`{property}` is listed in REQUIRED_BEYOND_UPSTREAM but our document does not require it beyond upstream; update the list"
                ),
            );
        }
    }
    checker.mismatches
}

/// Escapes one JSON pointer segment (RFC 6901).
fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// Whitespace- and case-insensitive form of a text, so trivial reformatting is still a copy.
fn normalize(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// A copy of a tree without its prose keys (in objects whose keys are not names).
fn without_prose(value: &Value, names: bool) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(key, _)| names || !PROSE_KEYS.contains(&key.as_str()))
                .map(|(key, child)| {
                    let child_names =
                        !names && matches!(key.as_str(), "properties" | "responses" | "content");
                    (key.clone(), without_prose(child, child_names))
                })
                .collect(),
        ),
        Value::Array(items) => {
            Value::Array(items.iter().map(|i| without_prose(i, false)).collect())
        }
        other => other.clone(),
    }
}

/// A short rendering of a value for messages, prose left out.
fn show(value: &Value) -> String {
    let text = without_prose(value, false).to_string();
    if text.chars().count() > 120 {
        let head: String = text.chars().take(117).collect();
        format!("{head}...")
    } else {
        text
    }
}

/// The operations of the External Task API in a document, keyed by (path, method).
fn operations(doc: &Value) -> BTreeMap<(String, String), &Value> {
    let mut found = BTreeMap::new();
    if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
        for (path, item) in paths {
            if path != PATH_PREFIX && !path.starts_with(&format!("{PATH_PREFIX}/")) {
                continue;
            }
            for method in METHODS {
                if let Some(op) = item.get(method) {
                    found.insert((path.clone(), method.to_string()), op);
                }
            }
        }
    }
    found
}

struct Checker<'a> {
    ours: &'a Value,
    upstream: &'a Value,
    mismatches: Vec<String>,
    /// Pairs of (our target, Camunda's target) already compared; stops cycles and repeats.
    compared_refs: HashSet<(String, String)>,
    /// The entries of [`REQUIRED_BEYOND_UPSTREAM`] found required in ours and not upstream.
    required_beyond: BTreeSet<(&'static str, &'static str)>,
}

impl Checker<'_> {
    /// Records a mismatch once (a schema reached from several places is reported once).
    fn report(&mut self, pointer: &str, message: String) {
        let line = format!("{pointer}: {message}");
        if !self.mismatches.contains(&line) {
            self.mismatches.push(line);
        }
    }

    /// Same operations, each with the same id, tags, parameters, body and responses.
    fn operations(&mut self) {
        let ours = operations(self.ours);
        let theirs = operations(self.upstream);
        let our_keys: BTreeSet<_> = ours.keys().collect();
        let their_keys: BTreeSet<_> = theirs.keys().collect();
        if ours.len() != EXPECTED_OPERATIONS {
            self.report(
                "/paths",
                format!(
                    "{} External Task operations, expected {EXPECTED_OPERATIONS}",
                    ours.len()
                ),
            );
        }
        for (path, method) in their_keys.difference(&our_keys) {
            let pointer = format!("/paths/{}", escape(path));
            self.report(&pointer, format!("operation {method} missing"));
        }
        for (path, method) in our_keys.difference(&their_keys) {
            let pointer = format!("/paths/{}/{method}", escape(path));
            self.report(
                &pointer,
                "operation not in the upstream document".to_string(),
            );
        }
        for (key, our_op) in &ours {
            let Some(their_op) = theirs.get(key) else {
                continue;
            };
            let pointer = format!("/paths/{}/{}", escape(&key.0), key.1);
            self.operation(our_op, their_op, &pointer);
        }
    }

    fn operation(&mut self, ours: &Value, theirs: &Value, pointer: &str) {
        self.parameters(
            ours.get("parameters"),
            theirs.get("parameters"),
            &format!("{pointer}/parameters"),
        );
        // Everything but the parameters is compared as a tree.
        let without_parameters = |op: &Value| {
            let mut op = op.clone();
            if let Value::Object(map) = &mut op {
                map.remove("parameters");
            }
            op
        };
        self.compare(
            &without_parameters(ours),
            &without_parameters(theirs),
            pointer,
            true,
            false,
        );
    }

    /// Parameters are matched by (location, name), so a missing one is named, not a shifted list.
    fn parameters(&mut self, ours: Option<&Value>, theirs: Option<&Value>, pointer: &str) {
        let ours = parameter_list(self.ours, ours);
        let theirs = parameter_list(self.upstream, theirs);
        let our_order: Vec<_> = ours.iter().map(|(key, _, _)| key.clone()).collect();
        let their_order: Vec<_> = theirs.iter().map(|(key, _, _)| key.clone()).collect();
        let our_index: BTreeMap<_, _> =
            ours.iter().map(|(k, i, v)| (k.clone(), (*i, *v))).collect();
        let their_index: BTreeMap<_, _> = theirs.iter().map(|(k, _, v)| (k.clone(), *v)).collect();
        for (location, name) in &their_order {
            if !our_index.contains_key(&(location.clone(), name.clone())) {
                self.report(pointer, format!("{location} parameter `{name}` missing"));
            }
        }
        for (location, name) in &our_order {
            if !their_index.contains_key(&(location.clone(), name.clone())) {
                self.report(
                    pointer,
                    format!("{location} parameter `{name}` not in the upstream document"),
                );
            }
        }
        for (key, (index, our_param)) in &our_index {
            if let Some(their_param) = their_index.get(key) {
                self.compare(
                    our_param,
                    their_param,
                    &format!("{pointer}/{index}"),
                    true,
                    false,
                );
            }
        }
        let common = |order: &[(String, String)], other: &[(String, String)]| {
            order
                .iter()
                .filter(|key| other.contains(key))
                .cloned()
                .collect::<Vec<_>>()
        };
        let our_common = common(&our_order, &their_order);
        let their_common = common(&their_order, &our_order);
        if our_common != their_common {
            self.report(pointer, "parameters are in a different order".to_string());
        }
    }

    /// Every schema we declare is identical (prose aside) to Camunda's schema of that name.
    fn component_schemas(&mut self) {
        let Some(ours) = self
            .ours
            .pointer("/components/schemas")
            .and_then(Value::as_object)
        else {
            self.report("/components/schemas", "missing".to_string());
            return;
        };
        for (name, our_schema) in ours {
            let pointer = format!("/components/schemas/{}", escape(name));
            match self.upstream.pointer(&pointer) {
                Some(their_schema) => {
                    self.compare(our_schema, their_schema, &pointer, false, false)
                }
                None => self.report(&pointer, "schema not in the upstream document".to_string()),
            }
        }
    }

    /// HTTP basic auth, declared the way Camunda's document declares it.
    fn security(&mut self) {
        for pointer in ["/security", "/components/securitySchemes"] {
            match (self.ours.pointer(pointer), self.upstream.pointer(pointer)) {
                (Some(ours), Some(theirs)) => self.compare(ours, theirs, pointer, false, true),
                (None, Some(_)) => self.report(pointer, "missing".to_string()),
                (Some(_), None) => self.report(pointer, "not in the upstream document".to_string()),
                (None, None) => {}
            }
        }
    }

    /// Compares two trees, ignoring prose keys. With `follow_refs`, `$ref`s are replaced by their
    /// targets first (each pair of targets is compared once, and mismatches inside a target are
    /// reported at the target's own pointer). `names` says the keys of this object are names
    /// (properties, status codes, media types), where no key is prose.
    fn compare(
        &mut self,
        ours: &Value,
        theirs: &Value,
        pointer: &str,
        follow_refs: bool,
        names: bool,
    ) {
        if follow_refs && !names {
            let our_ref = ours.get("$ref").and_then(Value::as_str);
            let their_ref = theirs.get("$ref").and_then(Value::as_str);
            if our_ref.is_some() || their_ref.is_some() {
                let (ours, our_pointer) = match our_ref {
                    Some(reference) => match resolve(self.ours, reference) {
                        Some(target) => (target, reference.trim_start_matches('#').to_string()),
                        None => {
                            self.report(pointer, format!("$ref {reference} does not resolve"));
                            return;
                        }
                    },
                    None => (ours, pointer.to_string()),
                };
                let theirs = match their_ref {
                    Some(reference) => match resolve(self.upstream, reference) {
                        Some(target) => target,
                        None => return,
                    },
                    None => theirs,
                };
                let pair = (
                    our_pointer.clone(),
                    their_ref.unwrap_or(pointer).to_string(),
                );
                if our_ref.is_some() && their_ref.is_some() && !self.compared_refs.insert(pair) {
                    return;
                }
                self.compare(ours, theirs, &our_pointer, follow_refs, false);
                return;
            }
        }
        match (ours, theirs) {
            (Value::Object(our_map), Value::Object(their_map)) => {
                if !names {
                    self.own_words(our_map, their_map, pointer);
                }
                // A schema's list of required properties (not a parameter's or body's flag).
                let required_list = !names
                    && [our_map, their_map]
                        .iter()
                        .any(|map| map.get("required").is_some_and(Value::is_array));
                if required_list {
                    self.required(our_map.get("required"), their_map.get("required"), pointer);
                }
                let relevant = |key: &String| {
                    names
                        || !(PROSE_KEYS.contains(&key.as_str())
                            || required_list && key == "required")
                };
                for key in their_map.keys().filter(|k| relevant(k)) {
                    if !our_map.contains_key(key) {
                        let what = if names { "" } else { "key " };
                        let shown = if key.chars().all(|c| c.is_ascii_digit()) {
                            format!("status {key}")
                        } else {
                            format!("{what}`{key}`")
                        };
                        self.report(
                            pointer,
                            format!("{shown} missing (upstream: {})", show(&their_map[key])),
                        );
                    }
                }
                for (key, our_value) in our_map.iter().filter(|(k, _)| relevant(k)) {
                    let child = format!("{pointer}/{}", escape(key));
                    match their_map.get(key) {
                        Some(their_value) => {
                            let child_names = !names
                                && matches!(key.as_str(), "properties" | "responses" | "content");
                            self.compare(our_value, their_value, &child, follow_refs, child_names);
                        }
                        None => self.report(&child, "not in the upstream document".to_string()),
                    }
                }
            }
            (Value::Array(our_items), Value::Array(their_items)) => {
                if our_items.len() != their_items.len() {
                    self.report(
                        pointer,
                        format!(
                            "{} entries, upstream has {}: ours {}, upstream {}",
                            our_items.len(),
                            their_items.len(),
                            show(ours),
                            show(theirs)
                        ),
                    );
                    return;
                }
                for (index, (our_item, their_item)) in our_items.iter().zip(their_items).enumerate()
                {
                    let child = format!("{pointer}/{index}");
                    self.compare(our_item, their_item, &child, follow_refs, false);
                }
            }
            _ => {
                if ours != theirs {
                    self.report(
                        pointer,
                        format!("ours {}, upstream {}", show(ours), show(theirs)),
                    );
                }
            }
        }
    }

    /// The `required` lists of a schema at `pointer`: the same properties, except those that
    /// [`REQUIRED_BEYOND_UPSTREAM`] lets ours add.
    fn required(&mut self, ours: Option<&Value>, theirs: Option<&Value>, pointer: &str) {
        let names = |list: Option<&Value>| -> Vec<String> {
            list.and_then(Value::as_array)
                .map(|items| {
                    items
                        .iter()
                        .map(|item| {
                            item.as_str()
                                .map_or_else(|| item.to_string(), str::to_owned)
                        })
                        .collect()
                })
                .unwrap_or_default()
        };
        let ours = names(ours);
        let theirs = names(theirs);
        let at = format!("{pointer}/required");
        for property in theirs.iter().filter(|p| !ours.contains(p)) {
            self.report(
                &at,
                format!("`{property}` is required upstream but not in ours"),
            );
        }
        let schema = component_of(pointer);
        for property in ours.iter().filter(|p| !theirs.contains(p)) {
            let allowed = REQUIRED_BEYOND_UPSTREAM
                .iter()
                .find(|(s, p, _)| Some(*s) == schema && p == property);
            match allowed {
                Some((s, p, _)) => {
                    self.required_beyond.insert((*s, *p));
                }
                None => self.report(
                    &at,
                    format!(
                        "`{property}` is required in ours but not upstream; list it in REQUIRED_BEYOND_UPSTREAM with the reason, or drop it"
                    ),
                ),
            }
        }
    }

    /// Where both documents hold prose for the same item, ours must not be Camunda's.
    fn own_words(
        &mut self,
        ours: &serde_json::Map<String, Value>,
        theirs: &serde_json::Map<String, Value>,
        pointer: &str,
    ) {
        for key in OWN_WORDS_KEYS {
            let (Some(our_value), Some(their_value)) = (ours.get(key), theirs.get(key)) else {
                continue;
            };
            let copied = match (our_value.as_str(), their_value.as_str()) {
                (Some(our_text), Some(their_text)) => normalize(our_text) == normalize(their_text),
                _ => our_value == their_value,
            };
            if copied {
                self.report(
                    &format!("{pointer}/{key}"),
                    "copied from the upstream document; write it in our own words".to_string(),
                );
            }
        }
    }
}

/// (location, name), index and the parameter object (a `$ref` resolved) of each parameter.
fn parameter_list<'v>(
    doc: &'v Value,
    params: Option<&'v Value>,
) -> Vec<((String, String), usize, &'v Value)> {
    let mut list = Vec::new();
    let Some(params) = params.and_then(Value::as_array) else {
        return list;
    };
    for (index, param) in params.iter().enumerate() {
        let param = match param.get("$ref").and_then(Value::as_str) {
            Some(reference) => match resolve(doc, reference) {
                Some(target) => target,
                // Left as it is: its empty (location, name) is then reported as unknown.
                None => param,
            },
            None => param,
        };
        let field = |key: &str| {
            param
                .get(key)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        list.push(((field("in"), field("name")), index, param));
    }
    list
}

/// The component schema whose own object (or one of whose `allOf` parts) is at `pointer`:
/// `X` for `/components/schemas/X` and `/components/schemas/X/allOf/0`, else `None`.
fn component_of(pointer: &str) -> Option<&str> {
    let rest = pointer.strip_prefix("/components/schemas/")?;
    let (name, tail) = rest.split_once('/').unwrap_or((rest, ""));
    let part = tail.strip_prefix("allOf/");
    let own = tail.is_empty() || part.is_some_and(|i| i.chars().all(|c| c.is_ascii_digit()));
    own.then_some(name)
}

/// The target of a local `$ref` (`#/...`).
fn resolve<'v>(doc: &'v Value, reference: &str) -> Option<&'v Value> {
    reference
        .strip_prefix('#')
        .and_then(|pointer| doc.pointer(pointer))
}
