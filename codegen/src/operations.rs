//! Operations → tags and methods: parameters, bodies, responses, names.

use crate::docs::sanitize;
use crate::error::pointer;
use crate::error::WarningKind;
use crate::lower::{Builder, Hint};
use crate::model::{
    Body, Field, LongPoll, MediaVariant, Method, Operation, PathParam, Payload, QueryDef,
    ResponseKind, Segment, Tag, TypeDef, TypeKind, TypeRef,
};
use crate::naming::{camel, snake, unraw, Namer, CLIENT_METHODS};
use indexmap::{IndexMap, IndexSet};
use openapiv3::{
    IntegerFormat, Parameter, ParameterSchemaOrContent, PathItem, ReferenceOr, Schema, SchemaKind,
    StatusCode, Type, VariantOrUnknownOrEmpty,
};
use std::collections::HashMap;

/// The tag of operations that have none.
const DEFAULT_TAG: &str = "Default";

impl<'a> Builder<'a> {
    /// Lowers every selected operation, grouped by tag (module names assigned, sorted).
    pub(crate) fn lower_operations(&mut self) -> Vec<Tag> {
        let doc = self.doc;
        let settings = self.settings;
        let mut seen_ids: HashMap<String, String> = HashMap::new();
        let mut groups: IndexMap<String, Vec<Operation>> = IndexMap::new();
        let mut matched_tags: IndexSet<String> = IndexSet::new();
        let mut matched_ops: IndexSet<String> = IndexSet::new();
        for (path, item) in doc.paths.iter() {
            let item_ptr = pointer("#/paths", path);
            let item = match item {
                ReferenceOr::Item(item) => item,
                ReferenceOr::Reference { reference } => {
                    self.diags.error(
                        &item_ptr,
                        format!("path item references (`{reference}`) are not supported"),
                    );
                    continue;
                }
            };
            for (key, op) in item.iter() {
                let Some(method) = Method::from_key(key) else {
                    continue;
                };
                let location = format!("{} {path}", method.as_str());
                let operation_id = match &op.operation_id {
                    Some(id) if !id.trim().is_empty() => id.clone(),
                    _ => {
                        let derived = derive_operation_id(method, path);
                        self.diags.warn(
                            WarningKind::Renamed,
                            &location,
                            format!("no operationId; the method is named `{}` after its method and path", snake(&derived)),
                        );
                        derived
                    }
                };
                if let Some(first) = seen_ids.get(&operation_id) {
                    self.diags.error(
                        &location,
                        format!("duplicate operationId `{operation_id}` (also used by {first})"),
                    );
                    continue;
                }
                seen_ids.insert(operation_id.clone(), location.clone());
                let tag = op
                    .tags
                    .first()
                    .cloned()
                    .unwrap_or_else(|| DEFAULT_TAG.to_owned());
                if let Some(selected) = settings.tags() {
                    match selected.iter().find(|s| selects(s, &tag)) {
                        Some(s) => {
                            matched_tags.insert(s.clone());
                        }
                        None => continue,
                    }
                }
                if let Some(selected) = settings.operations() {
                    match selected.iter().find(|s| selects(s, &operation_id)) {
                        Some(s) => {
                            matched_ops.insert(s.clone());
                        }
                        None => continue,
                    }
                }
                let ptr = pointer(&item_ptr, key);
                let ctx = OpContext {
                    method,
                    path,
                    location,
                    ptr,
                    item,
                };
                if let Some(op) = self.lower_operation(&ctx, op, operation_id) {
                    groups.entry(tag).or_default().push(op);
                }
            }
        }
        for (kind, selected, matched) in [
            ("tag", settings.tags(), &matched_tags),
            ("operation", settings.operations(), &matched_ops),
        ] {
            for s in selected.into_iter().flatten() {
                if !matched.contains(s) {
                    self.diags.error(
                        "settings",
                        format!("no {kind} `{s}` in the document (selected for generation)"),
                    );
                }
            }
        }
        self.name_tags(groups)
    }

    fn name_tags(&mut self, groups: IndexMap<String, Vec<Operation>>) -> Vec<Tag> {
        let mut modules = Namer::with_reserved(
            self.settings
                .reserved_modules()
                .iter()
                .map(String::as_str)
                .chain(["models"]),
        );
        // Accessors are methods of `Client`: they must not take the name of one it has.
        // In a crate of one's own the built-in tag's accessor is such a method too.
        let built_in: &[&str] = if self.settings.is_client_crate() {
            &[]
        } else {
            &["external_task"]
        };
        let mut accessors = Namer::with_reserved(CLIENT_METHODS.iter().chain(built_in).copied());
        let mut tags: Vec<Tag> = groups
            .into_iter()
            .map(|(name, mut ops)| {
                let module = modules.claim(&snake(&name));
                let accessor = if accessors.is_taken(&module) {
                    accessors.claim(&format!("{}_api", unraw(&module)))
                } else {
                    accessors.claim(&module)
                };
                let mut fns = Namer::default();
                for op in &mut ops {
                    let fn_name = fns.claim(&op.fn_name);
                    if fn_name != op.fn_name {
                        self.diags.warn(
                            WarningKind::Renamed,
                            format!("{} {}", op.method.as_str(), op.path),
                            format!(
                                "method name `{}` is taken in this tag; named `{fn_name}`",
                                op.fn_name
                            ),
                        );
                        op.fn_name = fn_name;
                    }
                }
                let doc = self
                    .doc
                    .tags
                    .iter()
                    .find(|t| t.name == name)
                    .and_then(|t| t.description.as_deref())
                    .and_then(sanitize)
                    .unwrap_or_else(|| format!("Operations tagged `{name}` in the document."));
                Tag {
                    accessor,
                    api: format!("{}Api", camel(&name)),
                    module,
                    name,
                    doc,
                    ops,
                }
            })
            .collect();
        tags.sort_by(|a, b| unraw(&a.module).cmp(unraw(&b.module)));
        tags
    }

    /// Final names of the items generated inside tag modules; they must not clash with model
    /// types, which tag modules import by name.
    pub(crate) fn finish_tags(&mut self, tags: &mut [Tag], types: &[TypeDef]) {
        let type_names = std::sync::Arc::new(types.iter().map(|t| t.name.clone()).collect());
        for tag in tags {
            let mut namer = Namer::over(&type_names);
            tag.api = namer.claim(&tag.api);
            for op in &mut tag.ops {
                if let Some(query) = &mut op.query {
                    query.name = namer.claim(&query.name);
                    query.derive_default = query
                        .fields
                        .iter()
                        .all(|f| !f.required || self.type_has_default(&f.ty));
                }
                if let ResponseKind::ByContentType { name, .. } = &mut op.response {
                    *name = namer.claim(name);
                }
            }
        }
    }

    fn lower_operation(
        &mut self,
        ctx: &OpContext<'a>,
        op: &'a openapiv3::Operation,
        operation_id: String,
    ) -> Option<Operation> {
        let errors_before = self.diags.errors.len();
        let fn_name = snake(&operation_id);
        let op_camel = camel(&operation_id);
        let params = self.parameters(ctx, op);

        // Path template and path parameters.
        // The method's own arguments besides the path parameters.
        let mut arg_names = Namer::with_reserved(["self", "query", "body", "form"]);
        let mut segments = Vec::new();
        let mut path_params = Vec::new();
        let mut used_path_params = IndexSet::new();
        for raw in ctx.path.split('/').filter(|s| !s.is_empty()) {
            match raw.strip_prefix('{').and_then(|r| r.strip_suffix('}')) {
                Some(name) if !name.contains(['{', '}']) => {
                    let Some((param, _)) = params.get(&(name.to_owned(), "path")) else {
                        self.diags.error(
                            ctx.location.as_str(),
                            format!("path parameter `{{{name}}}` is not declared in `parameters`"),
                        );
                        continue;
                    };
                    used_path_params.insert(name.to_owned());
                    let data = param.parameter_data_ref();
                    let rust = arg_names.claim(&snake(name));
                    segments.push(Segment::Param(rust.clone()));
                    path_params.push(PathParam {
                        ty: self.path_param_type(&data.format),
                        name: rust,
                        json_name: name.to_owned(),
                        doc: data.description.as_deref().and_then(sanitize),
                    });
                }
                _ if raw.contains(['{', '}']) => self.diags.error(
                    ctx.location.as_str(),
                    format!("path segment `{raw}` mixes text and parameters; not supported"),
                ),
                _ => segments.push(Segment::Literal(raw.to_owned())),
            }
        }

        // Query parameters (and the ones we cannot place).
        let mut query_fields = Vec::new();
        let mut query_names = Namer::default();
        for ((name, location), (param, ptr)) in &params {
            let data = param.parameter_data_ref();
            match *location {
                "path" => {
                    if !used_path_params.contains(name) {
                        self.diags.error(
                            ptr.as_str(),
                            format!("path parameter `{name}` does not appear in the path `{}`", ctx.path),
                        );
                    }
                }
                "query" => {
                    let hint = Hint::Member {
                        owner: &op_camel,
                        name,
                    };
                    let ty = match &data.format {
                        ParameterSchemaOrContent::Schema(schema) => {
                            self.lower_ref_or(schema, hint, &pointer(ptr, "schema"))
                        }
                        ParameterSchemaOrContent::Content(_) => TypeRef::Json,
                    };
                    let ty = self.query_type(ty, ptr, name);
                    query_fields.push(Field {
                        name: query_names.claim(&snake(name)),
                        json_name: name.clone(),
                        ty,
                        required: data.required,
                        boxed: false,
                        doc: data
                            .description
                            .as_deref()
                            .and_then(sanitize)
                            .unwrap_or_else(|| format!("The `{name}` query parameter.")),
                    });
                }
                other => self.diags.warn(
                    WarningKind::Unsupported,
                    ptr.as_str(),
                    format!("{other} parameter `{name}` is not supported by the generated client and is not sent"),
                ),
            }
        }
        let query = (!query_fields.is_empty()).then(|| QueryDef {
            name: format!("{op_camel}Query"),
            doc: format!(
                "Query parameters of `{} {}` (operation `{operation_id}`).",
                ctx.method.as_str(),
                ctx.path
            ),
            fields: query_fields,
            derive_default: true,
        });

        let body = self.request_body(ctx, op, &op_camel);
        let long_poll = match &body {
            Some(Body::Json {
                ty: TypeRef::Named(name),
            }) => self.long_poll_field(name),
            _ => None,
        };
        let response = self.response_kind(ctx, op, &op_camel);

        if self.diags.errors.len() > errors_before {
            return None;
        }
        let mut doc = Vec::new();
        if let Some(summary) = op.summary.as_deref().and_then(sanitize) {
            doc.push(summary);
        }
        if let Some(description) = op.description.as_deref().and_then(sanitize) {
            doc.push(description);
        }
        if op.deprecated {
            doc.push("Deprecated in the document.".to_owned());
        }
        doc.push(format!(
            "`{} {}` (operation `{operation_id}`).",
            ctx.method.as_str(),
            ctx.path
        ));
        Some(Operation {
            operation_id,
            fn_name,
            method: ctx.method,
            path: ctx.path.to_owned(),
            doc: doc.join("\n\n"),
            deprecated: op.deprecated,
            segments,
            path_params,
            query,
            body,
            response,
            long_poll,
        })
    }

    /// Path-level and operation-level parameters merged (the operation's win), keyed by
    /// name and location, in declaration order.
    fn parameters(
        &mut self,
        ctx: &OpContext<'a>,
        op: &'a openapiv3::Operation,
    ) -> IndexMap<(String, &'static str), (&'a Parameter, String)> {
        let mut out = IndexMap::new();
        let item_ptr = ctx
            .ptr
            .as_str()
            .rsplit_once('/')
            .map_or(ctx.ptr.as_str(), |(base, _)| base);
        let sources = [
            (&ctx.item.parameters, pointer(item_ptr, "parameters")),
            (&op.parameters, pointer(ctx.ptr.as_str(), "parameters")),
        ];
        for (list, base) in sources {
            for (i, item) in list.iter().enumerate() {
                let ptr = pointer(&base, &i.to_string());
                match self.resolver.parameter(item) {
                    Ok(param) => {
                        let location = match param {
                            Parameter::Query { .. } => "query",
                            Parameter::Path { .. } => "path",
                            Parameter::Header { .. } => "header",
                            Parameter::Cookie { .. } => "cookie",
                        };
                        let name = param.parameter_data_ref().name.clone();
                        out.insert((name, location), (param, ptr));
                    }
                    Err(message) => self.diags.error(ptr, message),
                }
            }
        }
        out
    }

    fn path_param_type(&mut self, format: &ParameterSchemaOrContent) -> TypeRef {
        let schema = match format {
            ParameterSchemaOrContent::Schema(ReferenceOr::Item(s)) => Some(s),
            ParameterSchemaOrContent::Schema(ReferenceOr::Reference { reference }) => self
                .resolver
                .schema_ref(reference)
                .ok()
                .and_then(|name| self.resolver.component_schema(&name))
                .and_then(ReferenceOr::as_item),
            ParameterSchemaOrContent::Content(_) => None,
        };
        match schema.map(|s| &s.schema_kind) {
            Some(SchemaKind::Type(Type::Integer(i))) => match i.format {
                VariantOrUnknownOrEmpty::Item(IntegerFormat::Int32) => TypeRef::I32,
                _ => TypeRef::I64,
            },
            Some(SchemaKind::Type(Type::Boolean(_))) => TypeRef::Bool,
            _ => TypeRef::String,
        }
    }

    /// Query values must be scalars (or string enums); anything else is sent as a string.
    fn query_type(&mut self, ty: TypeRef, ptr: &str, name: &str) -> TypeRef {
        let scalar = match &ty {
            TypeRef::String
            | TypeRef::DateTime
            | TypeRef::Bool
            | TypeRef::I32
            | TypeRef::I64
            | TypeRef::F64 => true,
            TypeRef::Named(n) => matches!(self.def(n).map(|d| &d.kind), Some(TypeKind::Enum(_))),
            _ => false,
        };
        if scalar {
            ty
        } else {
            self.diags.warn(
                WarningKind::Simplified,
                ptr,
                format!("query parameter `{name}` is not a scalar in the document; it is taken as a string"),
            );
            TypeRef::String
        }
    }

    fn request_body(
        &mut self,
        ctx: &OpContext<'_>,
        op: &openapiv3::Operation,
        op_camel: &str,
    ) -> Option<Body> {
        let item = op.request_body.as_ref()?;
        let ptr = pointer(ctx.ptr.as_str(), "requestBody");
        let body = match self.resolver.request_body(item) {
            Ok(body) => body,
            Err(message) => {
                self.diags.error(ptr, message);
                return None;
            }
        };
        let content_ptr = pointer(&ptr, "content");
        let json = body.content.iter().find(|(mt, _)| is_json(mt));
        let multipart = body
            .content
            .iter()
            .find(|(mt, _)| media_essence(mt) == "multipart/form-data");
        let chosen = json.or(multipart);
        for (mt, _) in &body.content {
            if chosen.is_some_and(|(c, _)| c != mt) {
                self.diags.warn(
                    WarningKind::Unsupported,
                    &content_ptr,
                    format!("request media type `{mt}` is not offered by the generated method"),
                );
            }
        }
        match (json, multipart) {
            (Some((mt, media)), _) => {
                let ty = match &media.schema {
                    Some(schema) => self.lower_ref_or(
                        schema,
                        Hint::Suffixed {
                            base: op_camel,
                            suffix: "Body",
                        },
                        &pointer(&pointer(&content_ptr, mt), "schema"),
                    ),
                    None => TypeRef::Json,
                };
                Some(Body::Json { ty })
            }
            (None, Some((mt, media))) => {
                let parts = media.schema.as_ref().map(|schema| {
                    self.lower_ref_or(
                        schema,
                        Hint::Suffixed {
                            base: op_camel,
                            suffix: "Form",
                        },
                        &pointer(&pointer(&content_ptr, mt), "schema"),
                    )
                });
                let parts = match parts {
                    Some(TypeRef::Named(name)) if self.make_form(&name) => {
                        Some(TypeRef::Named(name))
                    }
                    _ => {
                        self.diags.warn(
                            WarningKind::Unsupported,
                            &content_ptr,
                            "the multipart parts are not described by an object schema; the method takes a ready `reqwest::multipart::Form`",
                        );
                        None
                    }
                };
                Some(Body::Multipart { parts })
            }
            (None, None) => {
                if body.content.is_empty() {
                    return None;
                }
                self.diags.error(
                    content_ptr,
                    format!(
                        "unsupported request media type(s): {}",
                        body.content.keys().cloned().collect::<Vec<_>>().join(", ")
                    ),
                );
                None
            }
        }
    }

    fn long_poll_field(&self, type_name: &str) -> Option<LongPoll> {
        let TypeKind::Struct(s) = &self.def(type_name)?.kind else {
            return None;
        };
        let field = s
            .fields
            .iter()
            .find(|f| f.json_name == "asyncResponseTimeout")?;
        let is_i32 = match field.ty {
            TypeRef::I32 => true,
            TypeRef::I64 => false,
            _ => return None,
        };
        Some(LongPoll {
            field: field.name.clone(),
            optional: !field.required,
            is_i32,
        })
    }

    fn response_kind(
        &mut self,
        ctx: &OpContext<'_>,
        op: &openapiv3::Operation,
        op_camel: &str,
    ) -> ResponseKind {
        let responses_ptr = pointer(ctx.ptr.as_str(), "responses");
        let mut bodies: Option<(String, Vec<(String, Payload)>)> = None;
        let mut empty_success = false;
        let mut any_success = false;
        for (status, item) in &op.responses.responses {
            let success = match status {
                StatusCode::Code(code) => (200..300).contains(code),
                StatusCode::Range(range) => *range == 2,
            };
            if !success {
                continue;
            }
            any_success = true;
            let status_ptr = pointer(&responses_ptr, &status.to_string());
            let response = match self.resolver.response(item) {
                Ok(r) => r,
                Err(message) => {
                    self.diags.error(status_ptr, message);
                    continue;
                }
            };
            if response.content.is_empty() {
                empty_success = true;
                continue;
            }
            if bodies.is_some() {
                self.diags.warn(
                    WarningKind::Responses,
                    &status_ptr,
                    "a second success status with a body; decoded like the first",
                );
                continue;
            }
            let mut payloads = Vec::new();
            for (mt, media) in &response.content {
                let media_ptr = pointer(&pointer(&status_ptr, "content"), mt);
                let payload = self.payload(mt, media.schema.as_ref(), op_camel, &media_ptr);
                payloads.push((media_essence(mt), payload));
            }
            bodies = Some((status_ptr, payloads));
        }
        if !any_success {
            self.diags.warn(
                WarningKind::Responses,
                ctx.location.as_str(),
                "no success (2xx) response declared; the method returns `()` for any 2xx",
            );
        }
        let Some((_, payloads)) = bodies else {
            return ResponseKind::Empty;
        };
        let mut variants: Vec<MediaVariant> = Vec::new();
        for (media, payload) in payloads {
            match variants.iter_mut().find(|v| v.payload == payload) {
                Some(v) => v.media_types.push(media),
                None => variants.push(MediaVariant {
                    name: String::new(),
                    media_types: vec![media],
                    payload,
                }),
            }
        }
        if variants.len() == 1 {
            let payload = variants.remove(0).payload;
            return if empty_success {
                ResponseKind::Optional(payload)
            } else {
                ResponseKind::One(payload)
            };
        }
        let mut names = Namer::default();
        for v in &mut variants {
            let base = match v.payload {
                Payload::Json(_) => "Json",
                Payload::Text => "Text",
                Payload::Bytes => "Bytes",
            };
            v.name = names.claim(base);
        }
        ResponseKind::ByContentType {
            name: format!("{op_camel}Response"),
            variants,
            optional: empty_success,
        }
    }

    fn payload(
        &mut self,
        media_type: &str,
        schema: Option<&ReferenceOr<Schema>>,
        op_camel: &str,
        ptr: &str,
    ) -> Payload {
        let binary_schema = matches!(
            schema,
            Some(ReferenceOr::Item(Schema {
                schema_kind: SchemaKind::Type(Type::String(s)),
                ..
            })) if matches!(s.format, VariantOrUnknownOrEmpty::Item(openapiv3::StringFormat::Binary))
        );
        let essence = media_essence(media_type);
        if is_json(media_type) && !binary_schema {
            let ty = match schema {
                Some(s) => self.lower_ref_or(
                    s,
                    Hint::Suffixed {
                        base: op_camel,
                        suffix: "Response",
                    },
                    &pointer(ptr, "schema"),
                ),
                None => TypeRef::Json,
            };
            Payload::Json(ty)
        } else if !binary_schema
            && (essence.starts_with("text/")
                || essence.ends_with("+xml")
                || essence.ends_with("/xml")
                || essence.ends_with("/csv"))
        {
            Payload::Text
        } else {
            Payload::Bytes
        }
    }
}

/// What an operation is being lowered in.
pub(crate) struct OpContext<'d> {
    method: Method,
    path: &'d str,
    location: String,
    ptr: String,
    item: &'d PathItem,
}

/// Whether a selection entry names `name` (exactly, or as its snake-case form).
fn selects(selection: &str, name: &str) -> bool {
    selection == name || snake(selection) == snake(name)
}

/// `getExternalTaskByIdErrorDetails` for `GET /external-task/{id}/errorDetails`.
pub(crate) fn derive_operation_id(method: Method, path: &str) -> String {
    let mut id = method.as_str().to_ascii_lowercase();
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(param) => {
                id.push_str("By");
                id.push_str(&camel(param));
            }
            None => id.push_str(&camel(segment)),
        }
    }
    id
}

/// The media type without parameters, lower case (`application/json; charset=utf-8` →
/// `application/json`).
pub(crate) fn media_essence(media_type: &str) -> String {
    media_type
        .split(';')
        .next()
        .unwrap_or(media_type)
        .trim()
        .to_ascii_lowercase()
}

fn is_json(media_type: &str) -> bool {
    let essence = media_essence(media_type);
    essence == "application/json" || essence.ends_with("+json")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_ids_read_like_the_path() {
        assert_eq!(
            derive_operation_id(Method::Get, "/external-task/{id}/errorDetails"),
            "getExternalTaskByIdErrorDetails"
        );
        assert_eq!(
            snake("getExternalTaskByIdErrorDetails"),
            "get_external_task_by_id_error_details"
        );
    }

    #[test]
    fn media_types_are_normalised() {
        assert_eq!(
            media_essence("Application/JSON; charset=UTF-8"),
            "application/json"
        );
        assert!(is_json("application/hal+json"));
        assert!(!is_json("text/plain"));
    }
}
