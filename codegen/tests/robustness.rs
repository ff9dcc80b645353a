//! Malformed or unsupported documents give errors that name the place, never a panic; a
//! missing operationId gives a warning and a derived name.

use camunda7_codegen::{generate, Failure, Settings};

fn failure(text: &str) -> Failure {
    match generate(text, &Settings::default()) {
        Ok(_) => panic!("expected the document to be rejected"),
        Err(f) => f,
    }
}

fn has_error(f: &Failure, location: &str, message_part: &str) -> bool {
    f.errors
        .iter()
        .any(|d| d.location == location && d.message.contains(message_part))
}

const HEAD: &str = "openapi: 3.0.2\ninfo: {title: Test, version: '1'}\n";

#[test]
fn a_dangling_schema_reference_names_its_pointer() {
    let text = format!(
        "{HEAD}paths: {{}}\ncomponents:\n  schemas:\n    A:\n      type: object\n      properties:\n        b: {{$ref: '#/components/schemas/Missing'}}\n"
    );
    let f = failure(&text);
    assert!(
        has_error(
            &f,
            "#/components/schemas/A/properties/b",
            "#/components/schemas/Missing"
        ),
        "{f}"
    );
}

#[test]
fn dangling_parameter_body_and_response_references_are_errors() {
    let text = format!(
        "{HEAD}paths:\n  /a/{{id}}:\n    post:\n      operationId: a\n      parameters:\n        - $ref: '#/components/parameters/Nope'\n      requestBody: {{$ref: '#/components/requestBodies/Nope'}}\n      responses:\n        '200': {{$ref: '#/components/responses/Nope'}}\n"
    );
    let f = failure(&text);
    assert!(
        has_error(&f, "#/paths/~1a~1{id}/post/parameters/0", "dangling"),
        "{f}"
    );
    assert!(
        has_error(&f, "#/paths/~1a~1{id}/post/requestBody", "dangling"),
        "{f}"
    );
    assert!(
        has_error(&f, "#/paths/~1a~1{id}/post/responses/200", "dangling"),
        "{f}"
    );
}

#[test]
fn all_errors_are_reported_at_once() {
    let text = format!(
        "{HEAD}paths: {{}}\ncomponents:\n  schemas:\n    A:\n      type: object\n      properties:\n        x: {{$ref: '#/components/schemas/X'}}\n        y: {{$ref: '#/components/schemas/Y'}}\n"
    );
    assert_eq!(failure(&text).errors.len(), 2);
}

#[test]
fn duplicate_operation_ids_are_errors() {
    let text = format!(
        "{HEAD}paths:\n  /a:\n    get:\n      operationId: same\n      responses: {{'204': {{description: x}}}}\n  /b:\n    get:\n      operationId: same\n      responses: {{'204': {{description: x}}}}\n"
    );
    let f = failure(&text);
    assert!(
        has_error(
            &f,
            "GET /b",
            "duplicate operationId `same` (also used by GET /a)"
        ),
        "{f}"
    );
}

#[test]
fn undeclared_and_unused_path_parameters_are_errors() {
    let text = format!(
        "{HEAD}paths:\n  /a/{{id}}:\n    get:\n      operationId: a\n      responses: {{'204': {{description: x}}}}\n  /b:\n    get:\n      operationId: b\n      parameters:\n        - {{name: id, in: path, required: true, schema: {{type: string}}}}\n      responses: {{'204': {{description: x}}}}\n"
    );
    let f = failure(&text);
    assert!(
        has_error(&f, "GET /a/{id}", "`{id}` is not declared"),
        "{f}"
    );
    assert!(
        has_error(
            &f,
            "#/paths/~1b/get/parameters/0",
            "does not appear in the path"
        ),
        "{f}"
    );
}

#[test]
fn yaml_syntax_errors_name_line_and_column() {
    let f = failure("openapi: 3.0.2\ninfo: {title: x\npaths: {}\n");
    assert!(f.errors[0].location.starts_with("line "), "{f}");
}

#[test]
fn documents_that_are_not_openapi_three_zero_are_refused() {
    let swagger = failure("swagger: '2.0'\ninfo: {title: x, version: '1'}\npaths: {}\n");
    assert!(
        swagger.errors[0].message.contains("only OpenAPI 3.0.x"),
        "{swagger}"
    );
    let other = failure("name: not an api\n");
    assert!(
        other.errors[0].message.contains("not an OpenAPI document"),
        "{other}"
    );
    let list = failure("- 1\n- 2\n");
    assert!(!list.errors.is_empty());
    let empty = failure("");
    assert!(!empty.errors.is_empty());
}

#[test]
fn a_missing_operation_id_is_derived_with_a_warning() {
    let text = format!(
        "{HEAD}paths:\n  /external-task/{{id}}/errorDetails:\n    get:\n      tags: [External Task]\n      parameters:\n        - {{name: id, in: path, required: true, schema: {{type: string}}}}\n      responses: {{'204': {{description: x}}}}\n"
    );
    let generated = match generate(&text, &Settings::default()) {
        Ok(g) => g,
        Err(f) => panic!("{f}"),
    };
    assert!(generated
        .code
        .contains("pub async fn get_external_task_by_id_error_details("));
    assert_eq!(generated.warnings.len(), 1);
    assert_eq!(
        generated.warnings[0].location,
        "GET /external-task/{id}/errorDetails"
    );
}

#[test]
fn wrong_typed_defaults_are_warnings() {
    let text = format!(
        "{HEAD}paths: {{}}\ncomponents:\n  schemas:\n    A:\n      type: object\n      properties:\n        flag: {{type: boolean, default: 'false'}}\n        interval: {{type: string, default: 900}}\n"
    );
    let generated = match generate(&text, &Settings::default()) {
        Ok(g) => g,
        Err(f) => panic!("{f}"),
    };
    let locations: Vec<&str> = generated
        .warnings
        .iter()
        .map(|w| w.location.as_str())
        .collect();
    assert_eq!(
        locations,
        [
            "#/components/schemas/A/properties/flag/default",
            "#/components/schemas/A/properties/interval/default"
        ]
    );
}

#[test]
fn circular_aliases_and_all_of_cycles_are_errors_not_overflows() {
    let text = format!(
        "{HEAD}paths: {{}}\ncomponents:\n  schemas:\n    A: {{$ref: '#/components/schemas/B'}}\n    B: {{$ref: '#/components/schemas/A'}}\n    C:\n      allOf:\n        - $ref: '#/components/schemas/C'\n    D:\n      type: array\n      items: {{$ref: '#/components/schemas/D'}}\n"
    );
    let f = failure(&text);
    assert!(f.errors.len() >= 3, "{f}");
}

/// A small deterministic generator (no extra dependency) for the mutation test.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Replaces, removes or retypes a random node of the document.
fn mutate(value: &mut serde_json::Value, rng: &mut Lcg, depth: usize) {
    use serde_json::Value;
    let descend = depth < 12 && rng.below(4) != 0;
    match value {
        Value::Object(map) if descend && !map.is_empty() => {
            let i = rng.below(map.len());
            if let Some((_, child)) = map.iter_mut().nth(i) {
                mutate(child, rng, depth + 1);
            }
        }
        Value::Array(items) if descend && !items.is_empty() => {
            let i = rng.below(items.len());
            mutate(&mut items[i], rng, depth + 1);
        }
        Value::Object(map) if !map.is_empty() && rng.below(2) == 0 => {
            let i = rng.below(map.len());
            if let Some(key) = map.keys().nth(i).cloned() {
                map.remove(&key);
            }
        }
        other => {
            *other = match rng.below(8) {
                0 => Value::Null,
                1 => Value::Bool(true),
                2 => Value::from(-1),
                3 => Value::from("#/components/schemas/Nope"),
                4 => serde_json::json!({"$ref": "#/components/schemas/ExceptionDto"}),
                5 => {
                    serde_json::json!({"type": "object", "additionalProperties": {"type": "array"}})
                }
                6 => Value::Array(vec![]),
                _ => Value::from("{odd} name/with~slashes"),
            };
        }
    }
}

#[test]
fn mutated_documents_never_panic() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../spec/external-task.yaml");
    let Ok(text) = std::fs::read_to_string(path) else {
        panic!("cannot read {path}");
    };
    let original: serde_json::Value = match serde_yaml::from_str(&text) {
        Ok(v) => v,
        Err(e) => panic!("{e}"),
    };
    let mut rng = Lcg(0x5eed);
    let (mut ok, mut rejected) = (0, 0);
    for _ in 0..300 {
        let mut doc = original.clone();
        for _ in 0..1 + rng.below(4) {
            mutate(&mut doc, &mut rng, 0);
        }
        let text = doc.to_string();
        // Must return, never panic.
        match generate(&text, &Settings::camunda7_client()) {
            Ok(g) => {
                assert!(
                    syn::parse_file(&g.code).is_ok(),
                    "unparsable output for {text}"
                );
                ok += 1;
            }
            Err(f) => {
                assert!(!f.errors.is_empty());
                rejected += 1;
            }
        }
    }
    println!("mutated documents: {ok} generated, {rejected} rejected");
    assert!(ok > 0 && rejected > 0);
}
