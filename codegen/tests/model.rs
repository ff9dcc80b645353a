//! The model and the generated code for small documents: names, keywords, collisions, type
//! mapping, enums, `allOf`, required/optional, maps, references, responses, selection.

use camunda7_codegen::model::{
    Body, Field, Payload, ResponseKind, Segment, TypeDef, TypeKind, TypeRef,
};
use camunda7_codegen::{build_model, generate, Model, Settings};

/// A document with the given `components/schemas` and `paths` (YAML, indented two spaces
/// under their keys).
fn doc(schemas: &str, paths: &str) -> String {
    format!(
        "openapi: 3.0.2\ninfo: {{title: Test, version: '1'}}\npaths:\n{paths}\ncomponents:\n  schemas:\n{schemas}\n"
    )
}

fn model(text: &str) -> Model {
    match build_model(text, &Settings::camunda7_client()) {
        Ok((model, _)) => model,
        Err(failure) => panic!("unexpected failure: {failure}"),
    }
}

fn type_def<'m>(model: &'m Model, name: &str) -> &'m TypeDef {
    match model.type_def(name) {
        Some(def) => def,
        None => panic!(
            "no type {name}; have {:?}",
            model.types.iter().map(|t| &t.name).collect::<Vec<_>>()
        ),
    }
}

fn fields<'m>(model: &'m Model, name: &str) -> &'m [Field] {
    match &type_def(model, name).kind {
        TypeKind::Struct(s) => &s.fields,
        other => panic!("{name} is not a struct: {other:?}"),
    }
}

fn field<'m>(model: &'m Model, ty: &str, json: &str) -> &'m Field {
    match fields(model, ty).iter().find(|f| f.json_name == json) {
        Some(f) => f,
        None => panic!("{ty} has no field {json}"),
    }
}

fn code(text: &str) -> String {
    match generate(text, &Settings::camunda7_client()) {
        Ok(generated) => generated.code,
        Err(failure) => panic!("unexpected failure: {failure}"),
    }
}

const NO_PATHS: &str = "  {}";

#[test]
fn json_names_become_snake_case_with_exact_renames() {
    let text = doc(
        "    Thing:\n      type: object\n      properties:\n        deployment-name: {type: string}\n        '@class': {type: string}\n        type: {type: string}\n        self: {type: string}\n        processInstanceId: {type: string}\n",
        NO_PATHS,
    );
    let m = model(&text);
    let names: Vec<(&str, &str)> = fields(&m, "Thing")
        .iter()
        .map(|f| (f.name.as_str(), f.json_name.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("deployment_name", "deployment-name"),
            ("class", "@class"),
            ("r#type", "type"),
            ("self_", "self"),
            ("process_instance_id", "processInstanceId"),
        ]
    );
    let out = code(&text);
    assert!(
        out.contains("#[serde(rename = \"deployment-name\""),
        "{out}"
    );
    assert!(out.contains("#[serde(rename = \"@class\""), "{out}");
    // serde's camelCase drops the trailing underscore itself.
    assert!(out.contains("pub self_: Option<String>"), "{out}");
    assert!(out.contains("pub r#type: Option<String>"), "{out}");
    assert!(
        out.contains("#[serde(rename_all = \"camelCase\")]"),
        "{out}"
    );
}

#[test]
fn colliding_names_are_numbered_in_document_order() {
    let text = doc(
        "    fooDto:\n      type: object\n      properties: {a_b: {type: string}, aB: {type: integer}}\n    FooDto:\n      type: object\n      properties: {x: {type: string}}\n    String:\n      type: object\n      properties: {x: {type: string}}\n",
        NO_PATHS,
    );
    let m = model(&text);
    assert_eq!(type_def(&m, "FooDto").source, "#/components/schemas/fooDto");
    assert_eq!(
        type_def(&m, "FooDto2").source,
        "#/components/schemas/FooDto"
    );
    // Prelude and imported names are never taken by schemas.
    assert_eq!(
        type_def(&m, "String2").source,
        "#/components/schemas/String"
    );
    let names: Vec<&str> = fields(&m, "FooDto")
        .iter()
        .map(|f| f.name.as_str())
        .collect();
    assert_eq!(names, ["a_b", "a_b_2"]);
}

#[test]
fn types_map_as_documented() {
    let text = doc(
        "    All:\n      type: object\n      properties:\n        s: {type: string}\n        dt: {type: string, format: date-time}\n        d: {type: string, format: date}\n        i32: {type: integer, format: int32}\n        i64: {type: integer, format: int64}\n        int: {type: integer}\n        n: {type: number, format: double}\n        b: {type: boolean}\n        bin: {type: string, format: binary}\n        list: {type: array, items: {type: string}}\n        map: {type: object, additionalProperties: {type: integer, format: int32}}\n        free: {type: object}\n        freeTrue: {type: object, additionalProperties: true}\n        untyped: {description: anything}\n        ref: {$ref: '#/components/schemas/Other'}\n    Other:\n      type: object\n      properties: {x: {type: string}}\n",
        NO_PATHS,
    );
    let m = model(&text);
    let ty = |json: &str| field(&m, "All", json).ty.clone();
    assert_eq!(ty("s"), TypeRef::String);
    assert_eq!(ty("dt"), TypeRef::DateTime);
    assert_eq!(ty("d"), TypeRef::String);
    assert_eq!(ty("i32"), TypeRef::I32);
    assert_eq!(ty("i64"), TypeRef::I64);
    assert_eq!(ty("int"), TypeRef::I64);
    assert_eq!(ty("n"), TypeRef::F64);
    assert_eq!(ty("b"), TypeRef::Bool);
    assert_eq!(ty("bin"), TypeRef::Bytes);
    assert_eq!(ty("list"), TypeRef::Vec(Box::new(TypeRef::String)));
    assert_eq!(ty("map"), TypeRef::Map(Box::new(TypeRef::I32)));
    assert_eq!(ty("free"), TypeRef::Json);
    assert_eq!(ty("freeTrue"), TypeRef::Json);
    assert_eq!(ty("untyped"), TypeRef::Json);
    assert_eq!(ty("ref"), TypeRef::Named("Other".into()));
    let out = code(&text);
    assert!(out.contains("pub dt: Option<DateTime>"), "{out}");
    assert!(
        out.contains("pub map: Option<BTreeMap<String, i32>>"),
        "{out}"
    );
    assert!(
        out.contains("pub free: Option<runtime::JsonValue>"),
        "{out}"
    );
    assert!(
        out.contains("use crate::runtime::{self, DateTime};"),
        "{out}"
    );
}

#[test]
fn required_fields_are_plain_and_optional_ones_skipped_when_none() {
    let text = doc(
        "    Req:\n      type: object\n      required: [workerId]\n      properties:\n        workerId: {type: string}\n        maxTasks: {type: integer, format: int32}\n",
        NO_PATHS,
    );
    let m = model(&text);
    assert!(field(&m, "Req", "workerId").required);
    assert!(!field(&m, "Req", "maxTasks").required);
    let out = code(&text);
    assert!(out.contains("pub worker_id: String,"), "{out}");
    assert!(
        out.contains("#[serde(skip_serializing_if = \"Option::is_none\")]\n        pub max_tasks: Option<i32>,"),
        "{out}"
    );
}

#[test]
fn string_enums_keep_unknown_values() {
    let text = doc(
        "    Order:\n      type: string\n      enum: [asc, desc, unknown, null]\n      nullable: true\n    Holder:\n      type: object\n      properties:\n        inline: {type: string, enum: [createTime, 'lock-expiration']}\n",
        NO_PATHS,
    );
    let m = model(&text);
    let TypeKind::Enum(e) = &type_def(&m, "Order").kind else {
        panic!("Order is not an enum");
    };
    let names: Vec<(&str, &str)> = e
        .variants
        .iter()
        .map(|v| (v.name.as_str(), v.value.as_str()))
        .collect();
    assert_eq!(
        names,
        [("Asc", "asc"), ("Desc", "desc"), ("Unknown", "unknown")]
    );
    assert_eq!(e.fallback, "Unknown2");
    // Inline enums are named after their owner and property.
    assert_eq!(
        field(&m, "Holder", "inline").ty,
        TypeRef::Named("HolderInline".into())
    );
    let out = code(&text);
    assert!(
        out.contains("other => Self::Unknown2(other.to_owned())"),
        "{out}"
    );
    assert!(
        out.contains("\"lock-expiration\" => Self::LockExpiration"),
        "{out}"
    );
    assert!(
        out.contains("runtime::string_enum_traits!(Order);"),
        "{out}"
    );
}

#[test]
fn all_of_merges_fields_and_required_lists() {
    let text = doc(
        "    Base:\n      type: object\n      required: [id]\n      properties: {id: {type: string}, name: {type: string}}\n    Derived:\n      allOf:\n        - $ref: '#/components/schemas/Base'\n        - type: object\n          required: [extra]\n          properties: {extra: {type: boolean}, name: {type: integer}}\n",
        NO_PATHS,
    );
    let m = model(&text);
    let names: Vec<&str> = fields(&m, "Derived")
        .iter()
        .map(|f| f.json_name.as_str())
        .collect();
    assert_eq!(names, ["id", "name", "extra"]);
    assert!(field(&m, "Derived", "id").required);
    assert!(field(&m, "Derived", "extra").required);
    // A later part redefines a property: the later definition wins, in the first position.
    assert_eq!(field(&m, "Derived", "name").ty, TypeRef::I64);
}

#[test]
fn self_referencing_types_are_boxed_only_where_needed() {
    let text = doc(
        "    Node:\n      type: object\n      properties:\n        parent: {$ref: '#/components/schemas/Node'}\n        children: {type: array, items: {$ref: '#/components/schemas/Node'}}\n        other: {$ref: '#/components/schemas/Leaf'}\n    Leaf:\n      type: object\n      properties: {x: {type: string}}\n",
        NO_PATHS,
    );
    let m = model(&text);
    assert!(field(&m, "Node", "parent").boxed);
    assert!(!field(&m, "Node", "children").boxed);
    assert!(!field(&m, "Node", "other").boxed);
    assert!(code(&text).contains("pub parent: Option<Box<Node>>"));
}

#[test]
fn default_is_derived_only_when_every_required_field_has_one() {
    let text = doc(
        "    WithDate:\n      type: object\n      required: [at]\n      properties: {at: {type: string, format: date-time}}\n    Outer:\n      type: object\n      required: [inner]\n      properties: {inner: {$ref: '#/components/schemas/WithDate'}}\n    Plain:\n      type: object\n      required: [x]\n      properties: {x: {type: string}, y: {type: string, format: date-time}}\n",
        NO_PATHS,
    );
    let m = model(&text);
    let default = |name: &str| match &type_def(&m, name).kind {
        TypeKind::Struct(s) => s.derive_default,
        _ => false,
    };
    assert!(!default("WithDate"));
    assert!(!default("Outer"));
    assert!(default("Plain"));
}

#[test]
fn overrides_replace_schemas_and_maps_of_them() {
    let text = doc(
        "    VariableValueDto:\n      type: object\n      properties: {value: {}, type: {type: string}}\n    Body:\n      type: object\n      properties:\n        variables: {type: object, additionalProperties: {$ref: '#/components/schemas/VariableValueDto'}}\n        one: {$ref: '#/components/schemas/VariableValueDto'}\n",
        NO_PATHS,
    );
    let settings = Settings::camunda7_client()
        .with_type_override("VariableValueDto", "crate::variables::VariableValue")
        .with_map_override("VariableValueDto", "crate::variables::Variables");
    let (m, _) = match build_model(&text, &settings) {
        Ok(r) => r,
        Err(f) => panic!("{f}"),
    };
    assert!(m.type_def("VariableValueDto").is_none());
    assert_eq!(
        field(&m, "Body", "variables").ty,
        TypeRef::External("crate::variables::Variables".into())
    );
    assert_eq!(
        field(&m, "Body", "one").ty,
        TypeRef::External("crate::variables::VariableValue".into())
    );
    let bad = Settings::camunda7_client().with_type_override("Body", "not a path");
    let failure = build_model(&text, &bad).err();
    assert!(failure.is_some_and(|f| f.errors[0].message.contains("not a Rust path")));
}

const ET_PATHS: &str = r#"  /external-task/{id}/errorDetails:
    get:
      operationId: getExternalTaskErrorDetails
      tags: [External Task]
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses:
        "200": {description: ok, content: {text/plain: {schema: {type: string}}}}
        "204": {description: none}
        "500": {description: err, content: {application/json: {schema: {$ref: '#/components/schemas/ExceptionDto'}}}}
  /external-task/fetchAndLock:
    post:
      operationId: fetchAndLock
      tags: [External Task]
      requestBody:
        content: {application/json: {schema: {$ref: '#/components/schemas/FetchDto'}}}
      responses:
        "200": {description: ok, content: {application/json: {schema: {type: array, items: {$ref: '#/components/schemas/ExceptionDto'}}}}}
  /external-task:
    get:
      operationId: getExternalTasks
      tags: [External Task]
      parameters:
        - {name: topicName, in: query, schema: {type: string}}
        - {name: lockExpirationAfter, in: query, schema: {type: string, format: date-time}}
        - {name: sortOrder, in: query, schema: {type: string, enum: [asc, desc]}}
        - {name: maxResults, in: query, required: true, schema: {type: integer, format: int32}}
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/ExceptionDto'}}}}
  /external-task/{id}/lock:
    post:
      operationId: lock
      tags: [External Task]
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses:
        "204": {description: done}
  /thing/{n}/data:
    get:
      operationId: getData
      tags: [Other Things]
      parameters:
        - {name: n, in: path, required: true, schema: {type: integer, format: int32}}
      responses:
        "200": {description: ok, content: {application/octet-stream: {schema: {type: string, format: binary}}, text/plain: {schema: {type: string}}}}
        "204": {description: none}
    options:
      operationId: thingOptions
      tags: [Other Things]
      parameters:
        - {name: n, in: path, required: true, schema: {type: integer, format: int32}}
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/ExceptionDto'}}}}
        "204": {description: none}
"#;

const ET_SCHEMAS: &str = "    ExceptionDto:\n      type: object\n      properties: {type: {type: string}, message: {type: string}, code: {type: number}}\n    FetchDto:\n      type: object\n      required: [workerId]\n      properties: {workerId: {type: string}, asyncResponseTimeout: {type: integer, format: int64}}\n";

#[test]
fn operations_are_grouped_per_tag_and_named_from_operation_ids() {
    let m = model(&doc(ET_SCHEMAS, ET_PATHS));
    let tags: Vec<(&str, &str, &str)> = m
        .tags
        .iter()
        .map(|t| (t.name.as_str(), t.module.as_str(), t.api.as_str()))
        .collect();
    assert_eq!(
        tags,
        [
            ("External Task", "external_task", "ExternalTaskApi"),
            ("Other Things", "other_things", "OtherThingsApi"),
        ]
    );
    let fns: Vec<&str> = m.tags[0].ops.iter().map(|o| o.fn_name.as_str()).collect();
    assert_eq!(
        fns,
        [
            "get_external_task_error_details",
            "fetch_and_lock",
            "get_external_tasks",
            "lock"
        ]
    );
}

#[test]
fn responses_decode_per_status_and_media_type() {
    let m = model(&doc(ET_SCHEMAS, ET_PATHS));
    let response = |id: &str| m.operation(id).map(|o| o.response.clone());
    assert_eq!(
        response("getExternalTaskErrorDetails"),
        Some(ResponseKind::Optional(Payload::Text))
    );
    assert_eq!(
        response("fetchAndLock"),
        Some(ResponseKind::One(Payload::Json(TypeRef::Vec(Box::new(
            TypeRef::Named("ExceptionDto".into())
        )))))
    );
    assert_eq!(response("lock"), Some(ResponseKind::Empty));
    assert_eq!(
        response("thingOptions"),
        Some(ResponseKind::Optional(Payload::Json(TypeRef::Named(
            "ExceptionDto".into()
        ))))
    );
    match response("getData") {
        Some(ResponseKind::ByContentType {
            name,
            variants,
            optional,
        }) => {
            assert_eq!(name, "GetDataResponse");
            assert!(optional);
            let v: Vec<(&str, &Payload)> = variants
                .iter()
                .map(|v| (v.name.as_str(), &v.payload))
                .collect();
            assert_eq!(v, [("Bytes", &Payload::Bytes), ("Text", &Payload::Text)]);
        }
        other => panic!("getData: {other:?}"),
    }
}

#[test]
fn parameters_bodies_and_long_polling() {
    let m = model(&doc(ET_SCHEMAS, ET_PATHS));
    let Some(fetch) = m.operation("fetchAndLock") else {
        panic!("no fetchAndLock");
    };
    assert_eq!(
        fetch.body,
        Some(Body::Json {
            ty: TypeRef::Named("FetchDto".into())
        })
    );
    assert!(fetch
        .long_poll
        .as_ref()
        .is_some_and(|lp| lp.optional && !lp.is_i32));
    let Some(details) = m.operation("getExternalTaskErrorDetails") else {
        panic!("no details op");
    };
    assert_eq!(
        details.segments,
        [
            Segment::Literal("external-task".into()),
            Segment::Param("id".into()),
            Segment::Literal("errorDetails".into())
        ]
    );
    let Some(list) = m.operation("getExternalTasks") else {
        panic!("no list op");
    };
    let Some(query) = &list.query else {
        panic!("no query struct");
    };
    assert_eq!(query.name, "GetExternalTasksQuery");
    let q: Vec<(&str, &TypeRef, bool)> = query
        .fields
        .iter()
        .map(|f| (f.name.as_str(), &f.ty, f.required))
        .collect();
    assert_eq!(
        q,
        [
            ("topic_name", &TypeRef::String, false),
            ("lock_expiration_after", &TypeRef::DateTime, false),
            (
                "sort_order",
                &TypeRef::Named("GetExternalTasksSortOrder".into()),
                false
            ),
            ("max_results", &TypeRef::I32, true),
        ]
    );
    assert!(query.derive_default);

    let out = code(&doc(ET_SCHEMAS, ET_PATHS));
    for expected in [
        "pub fn external_task(&self) -> ExternalTaskApi<'_>",
        "pub async fn fetch_and_lock(\n            &self,\n            body: &FetchDto,\n        ) -> Result<Vec<ExceptionDto>, runtime::Error>",
        ".long_poll(body.async_response_timeout)",
        "pub async fn get_external_task_error_details(\n            &self,\n            id: &str,\n        ) -> Result<Option<String>, runtime::Error>",
        ".optional_text()",
        "query: &GetExternalTasksQuery,",
        "runtime::Request::new(\n                    self.client,\n                    runtime::Method::OPTIONS,\n                    &[\"thing\", n.as_str(), \"data\"],\n                )",
        "let n = n.to_string();",
        "Result<Option<GetDataResponse>, runtime::Error>",
        "\"text/plain\" => GetDataResponse::Text(response.text().await?),",
        "_ => GetDataResponse::Bytes(response.bytes().await?),",
    ] {
        assert!(out.contains(expected), "missing {expected:?} in\n{out}");
    }
}

#[test]
fn selection_restricts_operations_and_types() {
    let text = doc(ET_SCHEMAS, ET_PATHS);
    let settings = Settings::camunda7_client().with_tags(["external_task"]);
    let (m, _) = match build_model(&text, &settings) {
        Ok(r) => r,
        Err(f) => panic!("{f}"),
    };
    assert_eq!(m.tags.len(), 1);
    let settings = Settings::camunda7_client().with_operations(["lock", "fetch_and_lock"]);
    let (m, _) = match build_model(&text, &settings) {
        Ok(r) => r,
        Err(f) => panic!("{f}"),
    };
    let ids: Vec<&str> = m.tags[0]
        .ops
        .iter()
        .map(|o| o.operation_id.as_str())
        .collect();
    assert_eq!(ids, ["fetchAndLock", "lock"]);
    // Only the types the selected operations need.
    assert!(m.type_def("FetchDto").is_some());
    let unknown = Settings::camunda7_client().with_tags(["No Such Tag"]);
    let failure = build_model(&text, &unknown).err();
    assert!(failure.is_some_and(|f| f.errors[0].message.contains("No Such Tag")));
}

#[test]
fn multipart_bodies_get_typed_forms() {
    let schemas = "    Upload:\n      type: object\n      properties:\n        deployment-name: {type: string}\n        data: {type: string, format: binary}\n";
    let paths = "  /deployment/create:\n    post:\n      operationId: createDeployment\n      tags: [Deployment]\n      requestBody:\n        content: {multipart/form-data: {schema: {$ref: '#/components/schemas/Upload'}}}\n      responses:\n        \"200\": {description: ok}\n";
    let text = doc(schemas, paths);
    let m = model(&text);
    assert!(matches!(&type_def(&m, "Upload").kind, TypeKind::Struct(s) if s.form));
    let out = code(&text);
    assert!(out.contains("pub data: Vec<FilePart>,"), "{out}");
    assert!(
        out.contains("form = form.text(\"deployment-name\", value.to_string());"),
        "{out}"
    );
    assert!(out.contains(".multipart(body.to_form())"), "{out}");
    assert!(out.contains("pub use crate::runtime::FilePart;"), "{out}");
}

#[test]
fn generated_code_parses_and_has_no_inner_attributes() {
    let out = code(&doc(ET_SCHEMAS, ET_PATHS));
    assert!(syn::parse_file(&out).is_ok());
    assert!(!out.contains("#!["));
    assert!(!out.contains("//!"));
}

/// Doc text reaches the `///` lines unchanged, whatever quotes, hashes, backslashes or
/// non-ASCII it holds (doc lines are written as raw string literals).
#[test]
fn doc_text_with_quotes_hashes_and_backslashes_is_kept_as_it_is() {
    let text = doc(
        "    Odd:\n      type: object\n      description: 'Say \"#hi\"## and \"\\n\" or C:\\temp, ünïcode `x`.'\n      properties: {a: {type: string}}\n",
        NO_PATHS,
    );
    let out = code(&text);
    assert!(
        out.contains("/// Say \"#hi\"## and \"\\n\" or C:\\temp, ünïcode `x`."),
        "{out}"
    );
    assert!(syn::parse_file(&out).is_ok());
}

/// A type the document does not describe says where it is used; a field without a description
/// says what it holds; every operation shows its call; site-relative links are resolved against
/// the document's version.
#[test]
fn undescribed_items_say_where_they_are_used_and_operations_how_they_are_called() {
    let m = model(&doc(ET_SCHEMAS, ET_PATHS));
    assert_eq!(
        type_def(&m, "ExceptionDto").doc,
        "Used in 3 places:\n\n- Items of the response of `POST /external-task/fetchAndLock`.\n- Response of `GET /external-task`.\n- Response of `OPTIONS /thing/{n}/data`."
    );
    assert_eq!(
        type_def(&m, "FetchDto").doc,
        "Request body of `POST /external-task/fetchAndLock`."
    );
    assert_eq!(
        type_def(&m, "GetExternalTasksSortOrder").doc,
        "The `sortOrder` query parameter of `GET /external-task`."
    );
    let call = |id: &str| match m.operation(id) {
        Some(op) => op.doc.clone(),
        None => panic!("no operation {id}"),
    };
    assert!(
        call("getExternalTaskErrorDetails").ends_with(
            "\n\n```text\nclient.external_task().get_external_task_error_details(id).await?\n```"
        ),
        "{}",
        call("getExternalTaskErrorDetails")
    );
    assert!(call("fetchAndLock").contains("client.external_task().fetch_and_lock(&body).await?"));
    assert!(call("getExternalTasks")
        .contains("client.external_task().get_external_tasks(&query).await?"));

    let schemas = "    Described:\n      description: See the [guide](/manual/develop/user-guide/x/).\n      type: object\n      properties: {a: {type: string}}\n    Part:\n      type: object\n      properties: {p: {type: string}}\n    Whole:\n      allOf:\n      - $ref: '#/components/schemas/Part'\n      - type: object\n        properties:\n          described: {$ref: '#/components/schemas/Described'}\n          parts: {type: array, items: {$ref: '#/components/schemas/Lone'}}\n    Lone:\n      type: object\n      properties: {b: {type: string}}\n";
    let text = format!(
        "openapi: 3.0.2\ninfo: {{title: Test, version: 7.21.0}}\npaths: {{}}\ncomponents:\n  schemas:\n{schemas}"
    );
    let m = model(&text);
    let guide = "See the [guide](https://docs.camunda.org/manual/7.21/user-guide/x/).";
    assert_eq!(type_def(&m, "Described").doc, guide);
    assert_eq!(
        type_def(&m, "Part").doc,
        "Its fields are also fields of [`Whole`]."
    );
    assert_eq!(
        type_def(&m, "Lone").doc,
        "Items of the `parts` field of [`Whole`]."
    );
    assert_eq!(
        type_def(&m, "Whole").doc,
        "The `Whole` schema of the document, which no generated operation or type uses."
    );
    assert_eq!(
        field(&m, "Whole", "described").doc,
        format!("The `described` property: [`Described`].\n\n{guide}")
    );
    assert_eq!(
        field(&m, "Whole", "parts").doc,
        "The `parts` property: a list of [`Lone`]."
    );
}

#[test]
fn code_for_a_crate_of_ones_own_reaches_the_client_through_its_runtime_and_an_extension_trait() {
    let paths = format!(
        "{ET_PATHS}  /request/{{query}}:\n    get:\n      operationId: getRequest\n      tags: [Request]\n      parameters:\n        - {{name: query, in: path, required: true, schema: {{type: string}}}}\n        - {{name: body, in: query, schema: {{type: string}}}}\n      responses:\n        \"204\": {{description: ok}}\n"
    );
    let text = doc(ET_SCHEMAS, &paths);
    let generated = match generate(&text, &Settings::default()) {
        Ok(generated) => generated,
        Err(failure) => panic!("unexpected failure: {failure}"),
    };
    let out = &generated.code;
    assert_eq!(
        generated.modules,
        ["external_task", "other_things", "request"]
    );
    for expected in [
        "use ::camunda7_client::runtime;",
        "pub trait ClientExt {",
        "impl ClientExt for ::camunda7_client::runtime::Client {",
        // `Client` has these methods already: the built-in External Task API and `request`.
        "fn external_task_api(&self) -> external_task::ExternalTaskApi<'_>;",
        "fn request_api(&self) -> request::RequestApi<'_>;",
        "fn other_things(&self) -> other_things::OtherThingsApi<'_>;",
        "pub(super) client: &'a runtime::Client,",
        // A path parameter named like the method's own query argument.
        "query_2: &str,",
        "query: &GetRequestQuery,",
    ] {
        assert!(out.contains(expected), "missing {expected:?} in\n{out}");
    }
    assert!(
        !out.contains("crate::"),
        "no path relative to the including crate:\n{out}"
    );
    assert!(!out.contains("impl runtime::Client"), "{out}");

    let renamed = match generate(&text, &Settings::default().with_client_crate("::camunda")) {
        Ok(generated) => generated.code,
        Err(failure) => panic!("unexpected failure: {failure}"),
    };
    assert!(renamed.contains("use ::camunda::runtime;"), "{renamed}");
    assert!(!renamed.contains("camunda7_client"), "{renamed}");
}

#[test]
fn structs_derive_the_serde_direction_they_travel_in_unless_both_are_asked_for() {
    let schemas = "    Sent:\n      type: object\n      properties: {inner: {$ref: '#/components/schemas/SentInner'}}\n    SentInner:\n      type: object\n      properties: {a: {type: string}}\n    Received:\n      type: object\n      properties: {items: {type: array, items: {$ref: '#/components/schemas/Shared'}}}\n    Shared:\n      type: object\n      properties: {b: {type: string}}\n    Unused:\n      type: object\n      properties: {inner: {$ref: '#/components/schemas/UnusedInner'}}\n    UnusedInner:\n      type: object\n      properties: {c: {type: string}}\n";
    let paths = "  /thing:\n    post:\n      operationId: postThing\n      tags: [Things]\n      requestBody:\n        content: {application/json: {schema: {$ref: '#/components/schemas/Sent'}}}\n      responses:\n        \"200\":\n          description: ok\n          content: {application/json: {schema: {$ref: '#/components/schemas/Received'}}}\n  /shared:\n    put:\n      operationId: putShared\n      tags: [Things]\n      requestBody:\n        content: {application/json: {schema: {$ref: '#/components/schemas/Shared'}}}\n      responses:\n        \"204\": {description: ok}\n";
    let text = doc(schemas, paths);
    let directions = |settings: &Settings| -> Vec<(String, bool, bool)> {
        let model = match build_model(&text, settings) {
            Ok((model, _)) => model,
            Err(failure) => panic!("unexpected failure: {failure}"),
        };
        model
            .types
            .iter()
            .filter_map(|t| match &t.kind {
                TypeKind::Struct(s) => Some((t.name.clone(), s.serialize, s.deserialize)),
                _ => None,
            })
            .collect()
    };
    let row = |name: &str, ser: bool, de: bool| (name.to_owned(), ser, de);
    assert_eq!(
        directions(&Settings::default()),
        [
            row("Received", false, true),
            row("Sent", true, false),
            row("SentInner", true, false),
            row("Shared", true, true),
            row("Unused", true, true),
            row("UnusedInner", true, true),
        ]
    );
    assert!(directions(&Settings::default().with_serde_both_ways(true))
        .iter()
        .all(|(_, ser, de)| *ser && *de));
    let out = match generate(&text, &Settings::default()) {
        Ok(generated) => generated.code,
        Err(failure) => panic!("unexpected failure: {failure}"),
    };
    assert!(
        out.contains(
            "#[derive(Debug, Clone, PartialEq, Default, Deserialize)]\n    pub struct Received"
        ),
        "{out}"
    );
    assert!(
        out.contains(
            "#[derive(Debug, Clone, PartialEq, Default, Serialize)]\n    pub struct Sent "
        ),
        "{out}"
    );
}
