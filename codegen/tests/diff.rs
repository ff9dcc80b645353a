//! The API change report: each kind of change, its breaking/compatible classification, the
//! output formats and the errors for unreadable documents.

use camunda7_codegen::diff::{
    diff_texts, Change, ChangeKind, DiffError, Format, Report, Severity, Side, Status, Usage,
};

/// A document with these `paths` and `components/schemas` (YAML fragments, indented by four
/// and two spaces below their keys).
fn doc(version: &str, paths: &str, schemas: &str) -> String {
    let mut text = format!(
        "openapi: 3.0.2\ninfo: {{title: Test API, version: \"{version}\"}}\npaths:\n{}",
        indent(paths, 2)
    );
    if paths.trim().is_empty() {
        text = format!(
            "openapi: 3.0.2\ninfo: {{title: Test API, version: \"{version}\"}}\npaths: {{}}\n"
        );
    }
    if !schemas.trim().is_empty() {
        text.push_str("components:\n  schemas:\n");
        text.push_str(&indent(schemas, 4));
    }
    text
}

fn indent(text: &str, by: usize) -> String {
    let pad = " ".repeat(by);
    let lines: Vec<&str> = text.lines().collect();
    let min = lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    let mut out = String::new();
    for line in lines {
        if line.trim().is_empty() {
            continue;
        }
        out.push_str(&pad);
        out.push_str(&line[min..]);
        out.push('\n');
    }
    out
}

fn report(old: &str, new: &str) -> Report {
    match diff_texts(old, new) {
        Ok(report) => report,
        Err(e) => panic!("diff failed: {e}"),
    }
}

/// The changes of the one operation in the report.
fn op_changes(report: &Report, operation_id: &str) -> Vec<Change> {
    report
        .tags
        .iter()
        .flat_map(|t| &t.operations)
        .find(|o| o.operation_id == operation_id)
        .map(|o| o.changes.clone())
        .unwrap_or_else(|| panic!("no entry for {operation_id} in {report:#?}"))
}

fn type_changes(report: &Report, name: &str) -> Vec<Change> {
    report
        .types
        .iter()
        .find(|t| t.name == name)
        .map(|t| t.changes.clone())
        .unwrap_or_else(|| panic!("no entry for type {name} in {report:#?}"))
}

/// The single change of `kind` whose subject mentions `subject`.
fn find<'a>(changes: &'a [Change], kind: ChangeKind, subject: &str) -> &'a Change {
    let found: Vec<&Change> = changes
        .iter()
        .filter(|c| c.kind == kind && c.subject.contains(subject))
        .collect();
    assert_eq!(found.len(), 1, "{kind:?} {subject} in {changes:#?}");
    found[0]
}

const PING: &str = r#"
/ping:
  get:
    operationId: ping
    tags: [Health]
    responses: {"204": {description: ok}}
"#;

#[test]
fn identical_documents_have_no_changes() {
    let old = doc("1", PING, "");
    let r = report(&old, &old);
    assert!(r.tags.is_empty() && r.types.is_empty(), "{r:#?}");
    assert_eq!((r.summary.breaking, r.summary.compatible), (0, 0));
    assert!(r.render(Format::Text).contains("No changes."));
}

#[test]
fn added_operations_are_compatible_and_removed_ones_breaking() {
    let extra = r#"
/pong:
  post:
    operationId: pong
    tags: [Health]
    responses: {"204": {description: ok}}
"#;
    let old = doc("1", PING, "");
    let new = doc("2", &format!("{PING}{extra}"), "");
    let added = report(&old, &new);
    let op = &added.tags[0].operations[0];
    assert_eq!((op.status, op.method.as_str()), (Status::Added, "POST"));
    assert_eq!(op.rust, "client.health().pong()");
    assert_eq!(op.changes[0].severity, Severity::Compatible);
    assert!(op.changes[0].detail.contains("pong() -> ()"), "{op:#?}");
    assert_eq!(added.summary.operations_added, 1);

    let removed = report(&new, &old);
    let op = &removed.tags[0].operations[0];
    assert_eq!(op.status, Status::Removed);
    assert_eq!(op.changes[0].kind, ChangeKind::OperationRemoved);
    assert_eq!(op.changes[0].severity, Severity::Breaking);
    assert_eq!(
        (removed.summary.operations_removed, removed.summary.breaking),
        (1, 1)
    );
}

#[test]
fn query_parameter_changes_are_classified() {
    let old = doc(
        "1",
        r#"
/items:
  get:
    operationId: getItems
    tags: [Item]
    parameters:
      - {name: keep, in: query, schema: {type: string}}
      - {name: gone, in: query, schema: {type: string}}
      - {name: retyped, in: query, schema: {type: string}}
      - {name: tightened, in: query, schema: {type: string}}
    responses: {"204": {description: ok}}
"#,
        "",
    );
    let new = doc(
        "2",
        r#"
/items:
  get:
    operationId: getItems
    tags: [Item]
    parameters:
      - {name: keep, in: query, schema: {type: string}}
      - {name: retyped, in: query, schema: {type: integer, format: int32}}
      - {name: tightened, in: query, required: true, schema: {type: string}}
      - {name: optionalNew, in: query, schema: {type: boolean}}
      - {name: requiredNew, in: query, required: true, schema: {type: string}}
    responses: {"204": {description: ok}}
"#,
        "",
    );
    let r = report(&old, &new);
    let changes = op_changes(&r, "getItems");
    let sev = |kind, subject| find(&changes, kind, subject).severity;
    assert_eq!(
        sev(ChangeKind::ParameterRemoved, "`gone`"),
        Severity::Breaking
    );
    assert_eq!(
        sev(ChangeKind::ParameterTypeChanged, "`retyped`"),
        Severity::Breaking
    );
    assert_eq!(
        find(&changes, ChangeKind::ParameterTypeChanged, "`retyped`").detail,
        "`String` → `i32`"
    );
    assert_eq!(
        sev(ChangeKind::ParameterRequiredChanged, "`tightened`"),
        Severity::Breaking
    );
    assert_eq!(
        sev(ChangeKind::ParameterAdded, "`optionalNew`"),
        Severity::Compatible
    );
    assert_eq!(
        sev(ChangeKind::ParameterAdded, "`requiredNew`"),
        Severity::Breaking
    );
    assert!(find(&changes, ChangeKind::ParameterAdded, "`optionalNew`")
        .subject
        .starts_with("query parameter"));
    assert!(!changes.iter().any(|c| c.subject.contains("`keep`")));
    assert_eq!(changes.len(), 5, "{changes:#?}");
}

#[test]
fn a_first_query_parameter_adds_an_argument() {
    let old = doc("1", PING, "");
    let new = doc(
        "2",
        r#"
/ping:
  get:
    operationId: ping
    tags: [Health]
    parameters: [{name: verbose, in: query, schema: {type: boolean}}]
    responses: {"204": {description: ok}}
"#,
        "",
    );
    let r = report(&old, &new);
    let changes = op_changes(&r, "ping");
    let arg = find(&changes, ChangeKind::QueryArgumentChanged, "query argument");
    assert_eq!(arg.severity, Severity::Breaking);
    assert!(arg.detail.contains("query: &PingQuery"), "{arg:?}");
    let param = find(&changes, ChangeKind::ParameterAdded, "`verbose`");
    assert_eq!(param.severity, Severity::Compatible);
}

#[test]
fn path_parameters_compare_by_position() {
    let old = doc(
        "1",
        r#"
/items/{id}:
  get:
    operationId: getItem
    tags: [Item]
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    responses: {"204": {description: ok}}
"#,
        "",
    );
    let renamed = doc(
        "2",
        r#"
/items/{itemId}:
  get:
    operationId: getItem
    tags: [Item]
    parameters: [{name: itemId, in: path, required: true, schema: {type: string}}]
    responses: {"204": {description: ok}}
"#,
        "",
    );
    let r = report(&old, &renamed);
    let changes = op_changes(&r, "getItem");
    let rename = find(&changes, ChangeKind::ParameterRenamed, "`itemId`");
    assert_eq!(rename.severity, Severity::Compatible);
    let path = find(&changes, ChangeKind::PathChanged, "path");
    assert_eq!(path.severity, Severity::Compatible);
    assert_eq!(r.summary.breaking, 0, "{changes:#?}");

    let more = doc(
        "3",
        r#"
/items/{id}/parts/{part}:
  get:
    operationId: getItem
    tags: [Item]
    parameters:
      - {name: id, in: path, required: true, schema: {type: string}}
      - {name: part, in: path, required: true, schema: {type: integer, format: int64}}
    responses: {"204": {description: ok}}
"#,
        "",
    );
    let changes = op_changes(&report(&old, &more), "getItem");
    let added = find(
        &changes,
        ChangeKind::ParameterAdded,
        "path parameter `part`",
    );
    assert_eq!(added.severity, Severity::Breaking);
    assert_eq!(added.detail, "added (`i64`, required)");
}

#[test]
fn body_response_status_and_tag_changes() {
    let old = doc(
        "1",
        r#"
/items:
  post:
    operationId: createItem
    tags: [Item]
    responses:
      "204": {description: created}
      "400": {description: bad}
/items/{id}:
  put:
    operationId: updateItem
    tags: [Item]
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    requestBody:
      content: {application/json: {schema: {$ref: '#/components/schemas/ItemDto'}}}
    responses: {"204": {description: ok}}
"#,
        r#"
ItemDto:
  type: object
  properties: {name: {type: string}}
"#,
    );
    let new = doc(
        "2",
        r#"
/items:
  post:
    operationId: createItem
    tags: [Inventory]
    requestBody:
      content: {application/json: {schema: {$ref: '#/components/schemas/ItemDto'}}}
    responses:
      "200":
        description: created
        content: {application/json: {schema: {$ref: '#/components/schemas/ItemDto'}}}
      "500": {description: broken}
/items/{id}:
  put:
    operationId: updateItem
    tags: [Item]
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    responses: {"204": {description: ok}}
"#,
        r#"
ItemDto:
  type: object
  properties: {name: {type: string}}
"#,
    );
    let r = report(&old, &new);
    let create = op_changes(&r, "createItem");
    let tag = find(&create, ChangeKind::TagChanged, "tag");
    assert_eq!(tag.severity, Severity::Breaking);
    assert!(tag.detail.contains("`client.inventory()`"), "{tag:?}");
    let body = find(&create, ChangeKind::BodyAdded, "request body");
    assert_eq!(body.severity, Severity::Breaking);
    assert!(body.detail.contains("body: &ItemDto"), "{body:?}");
    let response = find(&create, ChangeKind::ResponseChanged, "return type");
    assert_eq!(response.severity, Severity::Breaking);
    assert_eq!(response.detail, "`()` → `ItemDto`");
    for (kind, status) in [
        (ChangeKind::StatusRemoved, "204"),
        (ChangeKind::StatusRemoved, "400"),
        (ChangeKind::StatusAdded, "200"),
        (ChangeKind::StatusAdded, "500"),
    ] {
        assert_eq!(find(&create, kind, status).severity, Severity::Compatible);
    }
    // Grouped under the new tag.
    assert!(r
        .tags
        .iter()
        .any(|t| t.name == "Inventory" && t.operations[0].operation_id == "createItem"));

    let update = op_changes(&r, "updateItem");
    let removed = find(&update, ChangeKind::BodyRemoved, "request body");
    assert_eq!(removed.severity, Severity::Breaking);
}

const ITEM_PATHS: &str = r#"
/items:
  post:
    operationId: createItem
    tags: [Item]
    requestBody:
      content: {application/json: {schema: {$ref: '#/components/schemas/NewItemDto'}}}
    responses:
      "200":
        description: created
        content: {application/json: {schema: {$ref: '#/components/schemas/ItemDto'}}}
"#;

#[test]
fn schema_field_changes_depend_on_where_the_type_is_used() {
    let old = doc(
        "1",
        ITEM_PATHS,
        r#"
NewItemDto:
  type: object
  required: [name]
  properties:
    name: {type: string}
    size: {type: integer, format: int32}
    colour: {type: string}
    note: {type: string}
ItemDto:
  type: object
  properties:
    id: {type: string}
    legacy: {type: string}
"#,
    );
    let new = doc(
        "2",
        ITEM_PATHS,
        r#"
NewItemDto:
  type: object
  required: [name, colour, owner]
  properties:
    name: {type: string}
    size: {type: integer, format: int64}
    colour: {type: string}
    note: {type: string}
    owner: {type: string}
    comment: {type: string}
ItemDto:
  type: object
  required: [created]
  properties:
    id: {type: string}
    created: {type: string, format: date-time}
"#,
    );
    let r = report(&old, &new);
    let request = type_changes(&r, "NewItemDto");
    let sev = |changes: &[Change], kind, subject| find(changes, kind, subject).severity;
    assert_eq!(
        sev(&request, ChangeKind::FieldTypeChanged, "`size`"),
        Severity::Breaking
    );
    assert_eq!(
        find(&request, ChangeKind::FieldTypeChanged, "`size`").detail,
        "`i32` → `i64`"
    );
    assert_eq!(
        sev(&request, ChangeKind::FieldRequiredChanged, "`colour`"),
        Severity::Breaking
    );
    assert_eq!(
        sev(&request, ChangeKind::FieldAdded, "`owner`"),
        Severity::Breaking
    );
    assert_eq!(
        sev(&request, ChangeKind::FieldAdded, "`comment`"),
        Severity::Compatible
    );
    assert_eq!(request.len(), 4, "{request:#?}");

    let response = type_changes(&r, "ItemDto");
    // A new required field in a response-only type does not break callers.
    assert_eq!(
        sev(&response, ChangeKind::FieldAdded, "`created`"),
        Severity::Compatible
    );
    assert_eq!(
        sev(&response, ChangeKind::FieldRemoved, "`legacy`"),
        Severity::Breaking
    );
    let usage = |name: &str| r.types.iter().find(|t| t.name == name).map(|t| t.usage);
    assert_eq!(usage("NewItemDto"), Some(Usage::Request));
    assert_eq!(usage("ItemDto"), Some(Usage::Response));
}

#[test]
fn enum_values_and_whole_types() {
    let old = doc(
        "1",
        "",
        r#"
Colour: {type: string, enum: [red, green, blue]}
Gone: {type: object, properties: {a: {type: string}}}
Shape: {type: string, enum: [round]}
"#,
    );
    let new = doc(
        "2",
        "",
        r#"
Colour: {type: string, enum: [red, blue, violet]}
Fresh: {type: object, properties: {a: {type: string}}}
Shape: {type: object, properties: {round: {type: boolean}}}
"#,
    );
    let r = report(&old, &new);
    let colour = type_changes(&r, "Colour");
    assert_eq!(
        find(&colour, ChangeKind::EnumValueRemoved, "\"green\"").severity,
        Severity::Breaking
    );
    assert_eq!(
        find(&colour, ChangeKind::EnumValueAdded, "\"violet\"").severity,
        Severity::Compatible
    );
    assert_eq!(type_changes(&r, "Gone")[0].kind, ChangeKind::TypeRemoved);
    assert_eq!(type_changes(&r, "Gone")[0].severity, Severity::Breaking);
    assert_eq!(type_changes(&r, "Fresh")[0].severity, Severity::Compatible);
    let shape = type_changes(&r, "Shape");
    assert_eq!(shape[0].kind, ChangeKind::TypeKindChanged);
    assert_eq!(shape[0].severity, Severity::Breaking);
    assert_eq!(
        (
            r.summary.types_added,
            r.summary.types_removed,
            r.summary.types_changed
        ),
        (1, 1, 2)
    );
    // Types come sorted by name.
    let names: Vec<&str> = r.types.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["Colour", "Fresh", "Gone", "Shape"]);
}

#[test]
fn a_new_alias_for_the_same_type_is_compatible() {
    let old = doc(
        "1",
        "",
        r#"
Holder:
  type: object
  properties: {value: {}}
"#,
    );
    let new = doc(
        "2",
        "",
        r#"
AnyValue: {}
Holder:
  type: object
  properties: {value: {$ref: '#/components/schemas/AnyValue'}}
"#,
    );
    let r = report(&old, &new);
    let holder = type_changes(&r, "Holder");
    let change = find(&holder, ChangeKind::FieldTypeChanged, "`value`");
    assert_eq!(change.severity, Severity::Compatible, "{change:?}");
    assert_eq!(r.summary.breaking, 0, "{r:#?}");
}

#[test]
fn formats_are_deterministic_and_carry_the_summary() {
    let old = doc("1", PING, "Colour: {type: string, enum: [red, green]}");
    let new = doc(
        "2",
        r#"
/pong:
  get:
    operationId: pong
    tags: [Health]
    responses: {"204": {description: ok}}
"#,
        "Colour: {type: string, enum: [red, blue]}",
    );
    let r = report(&old, &new);
    let again = report(&old, &new);
    for format in [Format::Text, Format::Markdown, Format::Json] {
        assert_eq!(r.render(format), again.render(format));
    }
    let text = r.render(Format::Text);
    assert!(
        text.starts_with("API changes: Test API 1 → Test API 2\n"),
        "{text}"
    );
    assert!(
        text.contains("operations: 1 added, 1 removed, 0 changed; types: 0 added, 0 removed, 1 changed; 2 breaking, 2 compatible"),
        "{text}"
    );
    assert!(
        text.contains("BREAKING    GET /ping (ping): removed"),
        "{text}"
    );
    assert!(text.contains("Tag \"Health\" (client.health())"), "{text}");

    let markdown = r.render(Format::Markdown);
    assert!(markdown.starts_with("# API changes: Test API 1 → Test API 2\n"));
    assert!(
        markdown.contains("| operations | 1 | 1 | 0 |"),
        "{markdown}"
    );
    assert!(
        markdown.contains("## Breaking changes\n\n- `GET /ping` (`ping`): operation: removed: `ping() -> ()`\n- `Colour` (not used by operations): value \"green\": removed (variant `Green`)\n"),
        "{markdown}"
    );
    assert!(
        markdown.contains("**BREAKING** value \"green\""),
        "{markdown}"
    );
    assert!(
        markdown.contains("### Health — `client.health()`"),
        "{markdown}"
    );

    let json: serde_json::Value = match serde_json::from_str(&r.render(Format::Json)) {
        Ok(v) => v,
        Err(e) => panic!("not JSON: {e}"),
    };
    assert_eq!(json["summary"]["breaking"], 2);
    assert_eq!(
        json["tags"][0]["operations"][0]["changes"][0]["severity"],
        "breaking"
    );
    assert_eq!(json["tags"][0]["operations"][1]["status"], "added");
    assert_eq!(
        json["tags"][0]["operations"][1]["changes"][0]["severity"],
        "compatible"
    );

    let breaking = r.breaking_only();
    assert_eq!(
        (breaking.summary.breaking, breaking.summary.compatible),
        (2, 0)
    );
    assert!(breaking.changes().all(|c| c.severity == Severity::Breaking));
}

#[test]
fn formats_parse_from_their_names() {
    assert_eq!("markdown".parse::<Format>(), Ok(Format::Markdown));
    assert_eq!("JSON".parse::<Format>(), Ok(Format::Json));
    assert_eq!("text".parse::<Format>(), Ok(Format::Text));
    assert!("html".parse::<Format>().is_err());
}

#[test]
fn unreadable_documents_are_located() {
    let good = doc("1", PING, "");
    let broken = "openapi: 3.0.2\ninfo: [unclosed\n";
    let err: DiffError = match diff_texts(&good, broken) {
        Err(e) => e,
        Ok(r) => panic!("expected an error, got {r:#?}"),
    };
    assert_eq!(err.side, Side::New);
    assert!(err.failure.errors[0].location.starts_with("line "), "{err}");

    let dangling = doc(
        "1",
        r#"
/x:
  get:
    operationId: x
    responses:
      "200":
        description: ok
        content: {application/json: {schema: {$ref: '#/components/schemas/Nowhere'}}}
"#,
        "",
    );
    let err = match diff_texts(&dangling, &good) {
        Err(e) => e,
        Ok(r) => panic!("expected an error, got {r:#?}"),
    };
    assert_eq!(err.side, Side::Old);
    assert!(err.to_string().contains("the old document"), "{err}");
    assert!(
        err.failure
            .errors
            .iter()
            .any(|d| d.location.starts_with("#/paths/~1x/get")),
        "{err}"
    );
}
