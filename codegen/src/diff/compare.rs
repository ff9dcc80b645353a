//! Computing the changes between two loaded documents.

use super::{
    Change, ChangeKind, DocumentInfo, Loaded, OperationChanges, Report, Severity, Status, Summary,
    TagChanges, TypeChanges, Usage,
};
use crate::model::{
    Body, Field, Method, Model, Operation, Payload, ResponseKind, Tag, TypeDef, TypeKind, TypeRef,
};
use crate::resolve::Resolver;
use indexmap::IndexMap;
use openapiv3::{Parameter, ParameterSchemaOrContent, ReferenceOr, SchemaKind, Type};
use std::collections::{BTreeMap, BTreeSet, HashMap};

use ChangeKind as K;
use Severity::{Breaking, Compatible};

/// Compares two loaded documents.
pub(super) fn compare(old: &Loaded, new: &Loaded) -> Report {
    let old_side = Side::new(old);
    let new_side = Side::new(new);
    let tags = compare_operations(&old_side, &new_side);
    let types = compare_types(&old_side, &new_side);
    let summary = summarise(&tags, &types);
    Report {
        old: info(&old.model),
        new: info(&new.model),
        summary,
        tags,
        types,
    }
}

/// Counts operations, types and changes.
pub(super) fn summarise(tags: &[TagChanges], types: &[TypeChanges]) -> Summary {
    let mut s = Summary::default();
    for op in tags.iter().flat_map(|t| &t.operations) {
        match op.status {
            Status::Added => s.operations_added += 1,
            Status::Removed => s.operations_removed += 1,
            Status::Changed => s.operations_changed += 1,
        }
    }
    for ty in types {
        match ty.status {
            Status::Added => s.types_added += 1,
            Status::Removed => s.types_removed += 1,
            Status::Changed => s.types_changed += 1,
        }
    }
    let all = tags
        .iter()
        .flat_map(|t| &t.operations)
        .flat_map(|o| &o.changes)
        .chain(types.iter().flat_map(|t| &t.changes));
    for change in all {
        match change.severity {
            Breaking => s.breaking += 1,
            Compatible => s.compatible += 1,
        }
    }
    s
}

fn info(model: &Model) -> DocumentInfo {
    DocumentInfo {
        title: model.title.clone(),
        version: model.version.clone(),
        operations: model.tags.iter().map(|t| t.ops.len()).sum(),
        types: model.types.len(),
    }
}

/// One document, indexed for comparison.
struct Side<'a> {
    model: &'a Model,
    /// operationId → (tag, operation).
    ops: IndexMap<&'a str, (&'a Tag, &'a Operation)>,
    /// Rust type name → definition.
    types: HashMap<&'a str, &'a TypeDef>,
    /// `(METHOD, path)` → what the model does not carry.
    raw: HashMap<(String, String), RawOperation>,
    /// Rust type name → (used in requests, used in responses).
    usage: HashMap<String, (bool, bool)>,
}

/// Facts read from the document itself.
#[derive(Default)]
struct RawOperation {
    /// Status codes (`200`, `4XX`, `default`), sorted.
    statuses: BTreeSet<String>,
    /// Header and cookie parameters.
    other_params: Vec<Param>,
}

impl<'a> Side<'a> {
    fn new(loaded: &'a Loaded) -> Self {
        let model = &loaded.model;
        let ops = model
            .tags
            .iter()
            .flat_map(|t| t.ops.iter().map(move |o| (o.operation_id.as_str(), (t, o))))
            .collect();
        let types = model.types.iter().map(|t| (t.name.as_str(), t)).collect();
        let mut side = Self {
            model,
            ops,
            types,
            raw: raw_operations(&loaded.doc),
            usage: HashMap::new(),
        };
        side.usage = side.compute_usage();
        side
    }

    fn raw(&self, op: &Operation) -> Option<&RawOperation> {
        self.raw
            .get(&(op.method.as_str().to_owned(), op.path.clone()))
    }

    fn compute_usage(&self) -> HashMap<String, (bool, bool)> {
        let mut usage: HashMap<String, (bool, bool)> = HashMap::new();
        for op in self.model.tags.iter().flat_map(|t| &t.ops) {
            let mut request = Vec::new();
            let mut response = Vec::new();
            request.extend(op.path_params.iter().map(|p| &p.ty));
            if let Some(query) = &op.query {
                request.extend(query.fields.iter().map(|f| &f.ty));
            }
            match &op.body {
                Some(Body::Json { ty }) | Some(Body::Multipart { parts: Some(ty) }) => {
                    request.push(ty)
                }
                Some(Body::Multipart { parts: None }) | None => {}
            }
            match &op.response {
                ResponseKind::Empty => {}
                ResponseKind::One(p) | ResponseKind::Optional(p) => response.extend(payload_ty(p)),
                ResponseKind::ByContentType { variants, .. } => {
                    response.extend(variants.iter().filter_map(|v| payload_ty(&v.payload)))
                }
            }
            for (roots, is_request) in [(request, true), (response, false)] {
                let mut stack: Vec<String> = Vec::new();
                for root in roots {
                    named_in(root, &mut stack);
                }
                while let Some(name) = stack.pop() {
                    let entry = usage.entry(name.clone()).or_default();
                    let seen = if is_request {
                        &mut entry.0
                    } else {
                        &mut entry.1
                    };
                    if *seen {
                        continue;
                    }
                    *seen = true;
                    match self.types.get(name.as_str()).map(|d| &d.kind) {
                        Some(TypeKind::Struct(s)) => {
                            for field in &s.fields {
                                named_in(&field.ty, &mut stack);
                            }
                        }
                        Some(TypeKind::Alias(target)) => named_in(target, &mut stack),
                        Some(TypeKind::Enum(_)) | None => {}
                    }
                }
            }
        }
        usage
    }
}

impl Side<'_> {
    /// The Rust spelling of `ty` with aliases of `models` expanded, to tell a real type change
    /// from a new name for the same type.
    fn canonical(&self, ty: &TypeRef) -> String {
        self.canonical_at(ty, 0)
    }

    fn canonical_at(&self, ty: &TypeRef, depth: usize) -> String {
        const MAX_DEPTH: usize = 32;
        match ty {
            TypeRef::Named(name) if depth < MAX_DEPTH => {
                match self.types.get(name.as_str()).map(|d| &d.kind) {
                    Some(TypeKind::Alias(target)) => self.canonical_at(target, depth + 1),
                    _ => name.clone(),
                }
            }
            TypeRef::Vec(inner) if depth < MAX_DEPTH => {
                format!("Vec<{}>", self.canonical_at(inner, depth + 1))
            }
            TypeRef::Map(inner) if depth < MAX_DEPTH => {
                format!("BTreeMap<String, {}>", self.canonical_at(inner, depth + 1))
            }
            other => rust_type(other),
        }
    }
}

/// The severity and note of a type change: compatible when only an alias name differs.
fn type_change_severity(old_canonical: &str, new_canonical: &str) -> (Severity, &'static str) {
    if old_canonical == new_canonical {
        (Compatible, " (the same type, spelled through an alias)")
    } else {
        (Breaking, "")
    }
}

fn payload_ty(payload: &Payload) -> Option<&TypeRef> {
    match payload {
        Payload::Json(ty) => Some(ty),
        Payload::Text | Payload::Bytes => None,
    }
}

/// Pushes the names of the generated types `ty` mentions.
fn named_in(ty: &TypeRef, out: &mut Vec<String>) {
    match ty {
        TypeRef::Named(name) => out.push(name.clone()),
        TypeRef::Vec(inner) | TypeRef::Map(inner) => named_in(inner, out),
        _ => {}
    }
}

/// Status codes and header/cookie parameters of every operation, by method and path.
fn raw_operations(doc: &openapiv3::OpenAPI) -> HashMap<(String, String), RawOperation> {
    let resolver = Resolver::new(doc);
    let mut out = HashMap::new();
    for (path, item) in doc.paths.iter() {
        let ReferenceOr::Item(item) = item else {
            continue;
        };
        for (key, op) in item.iter() {
            let Some(method) = Method::from_key(key) else {
                continue;
            };
            let mut raw = RawOperation::default();
            for status in op.responses.responses.keys() {
                raw.statuses.insert(status.to_string());
            }
            if op.responses.default.is_some() {
                raw.statuses.insert("default".to_owned());
            }
            let mut params: IndexMap<(String, &'static str), Param> = IndexMap::new();
            for item in item.parameters.iter().chain(&op.parameters) {
                let Ok(param) = resolver.parameter(item) else {
                    continue;
                };
                let location = match param {
                    Parameter::Header { .. } => "header",
                    Parameter::Cookie { .. } => "cookie",
                    Parameter::Query { .. } | Parameter::Path { .. } => continue,
                };
                let data = param.parameter_data_ref();
                params.insert(
                    (data.name.clone(), location),
                    Param {
                        name: data.name.clone(),
                        location,
                        required: data.required,
                        ty: parameter_type(&data.format),
                        canon: parameter_type(&data.format),
                    },
                );
            }
            raw.other_params = params.into_values().collect();
            out.insert((method.as_str().to_owned(), path.clone()), raw);
        }
    }
    out
}

/// The OpenAPI type of a header or cookie parameter (these are not generated).
fn parameter_type(format: &ParameterSchemaOrContent) -> String {
    match format {
        ParameterSchemaOrContent::Schema(ReferenceOr::Reference { reference }) => {
            reference.rsplit('/').next().unwrap_or(reference).to_owned()
        }
        ParameterSchemaOrContent::Schema(ReferenceOr::Item(schema)) => match &schema.schema_kind {
            SchemaKind::Type(Type::String(_)) => "string".to_owned(),
            SchemaKind::Type(Type::Integer(_)) => "integer".to_owned(),
            SchemaKind::Type(Type::Number(_)) => "number".to_owned(),
            SchemaKind::Type(Type::Boolean(_)) => "boolean".to_owned(),
            SchemaKind::Type(Type::Array(_)) => "array".to_owned(),
            SchemaKind::Type(Type::Object(_)) => "object".to_owned(),
            _ => "schema".to_owned(),
        },
        ParameterSchemaOrContent::Content(content) => content
            .keys()
            .next()
            .map_or_else(|| "content".to_owned(), |m| format!("content {m}")),
    }
}

/// A parameter, as compared.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Param {
    /// Name in the document.
    name: String,
    /// `path`, `query`, `header`, `cookie`.
    location: &'static str,
    required: bool,
    /// Rust type (path, query) or OpenAPI type (header, cookie).
    ty: String,
    /// `ty` with aliases expanded.
    canon: String,
}

impl Param {
    fn subject(&self) -> String {
        format!("{} parameter `{}`", self.location, self.name)
    }

    fn describe(&self) -> String {
        let required = if self.required {
            "required"
        } else {
            "optional"
        };
        format!("`{}`, {required}", self.ty)
    }
}

/// The Rust spelling of a type reference, as the generated code writes it.
pub(super) fn rust_type(ty: &TypeRef) -> String {
    match ty {
        TypeRef::String => "String".to_owned(),
        TypeRef::DateTime => "DateTime".to_owned(),
        TypeRef::Bool => "bool".to_owned(),
        TypeRef::I32 => "i32".to_owned(),
        TypeRef::I64 => "i64".to_owned(),
        TypeRef::F64 => "f64".to_owned(),
        TypeRef::Bytes => "Bytes".to_owned(),
        TypeRef::Json => "serde_json::Value".to_owned(),
        TypeRef::Vec(inner) => format!("Vec<{}>", rust_type(inner)),
        TypeRef::Map(inner) => format!("BTreeMap<String, {}>", rust_type(inner)),
        TypeRef::Named(name) => name.clone(),
        TypeRef::External(path) => path.strip_prefix("crate::").unwrap_or(path).to_owned(),
    }
}

fn field_type(field: &Field) -> String {
    let ty = rust_type(&field.ty);
    let ty = if field.boxed {
        format!("Box<{ty}>")
    } else {
        ty
    };
    if field.required {
        ty
    } else {
        format!("Option<{ty}>")
    }
}

fn payload_type(payload: &Payload) -> String {
    match payload {
        Payload::Json(ty) => rust_type(ty),
        Payload::Text => "String".to_owned(),
        Payload::Bytes => "Bytes".to_owned(),
    }
}

/// The return type of an operation's method (inside `Result<_, Error>`).
fn return_type(response: &ResponseKind) -> String {
    match response {
        ResponseKind::Empty => "()".to_owned(),
        ResponseKind::One(p) => payload_type(p),
        ResponseKind::Optional(p) => format!("Option<{}>", payload_type(p)),
        ResponseKind::ByContentType {
            name,
            variants,
            optional,
        } => {
            let variants: Vec<String> = variants
                .iter()
                .map(|v| {
                    format!(
                        "{}({}) for {}",
                        v.name,
                        payload_type(&v.payload),
                        v.media_types.join(", ")
                    )
                })
                .collect();
            let ty = format!("{name} {{ {} }}", variants.join("; "));
            if *optional {
                format!("Option<{ty}>")
            } else {
                ty
            }
        }
    }
}

/// The argument a body is passed as.
fn body_argument(body: &Body) -> String {
    match body {
        Body::Json { ty } | Body::Multipart { parts: Some(ty) } => {
            format!("body: &{}", rust_type(ty))
        }
        Body::Multipart { parts: None } => "form: multipart::Form".to_owned(),
    }
}

fn body_description(body: &Body) -> String {
    match body {
        Body::Json { ty } => format!("JSON `{}`", rust_type(ty)),
        Body::Multipart { parts: Some(ty) } => format!("multipart/form-data (`{}`)", rust_type(ty)),
        Body::Multipart { parts: None } => "multipart/form-data".to_owned(),
    }
}

/// `fetch_and_lock(body: &FetchExternalTaskDto) -> Vec<LockedExternalTaskDto>`.
fn signature(op: &Operation) -> String {
    let mut args: Vec<String> = op
        .path_params
        .iter()
        .map(|p| {
            let ty = match p.ty {
                TypeRef::String => "&str".to_owned(),
                ref other => rust_type(other),
            };
            format!("{}: {ty}", p.name)
        })
        .collect();
    if let Some(query) = &op.query {
        args.push(format!("query: &{}", query.name));
    }
    if let Some(body) = &op.body {
        args.push(body_argument(body));
    }
    format!(
        "{}({}) -> {}",
        op.fn_name,
        args.join(", "),
        return_type(&op.response)
    )
}

fn change(
    severity: Severity,
    kind: ChangeKind,
    subject: impl Into<String>,
    detail: impl Into<String>,
) -> Change {
    Change {
        severity,
        kind,
        subject: subject.into(),
        detail: detail.into(),
    }
}

fn method_rank(method: Method) -> usize {
    [
        Method::Get,
        Method::Put,
        Method::Post,
        Method::Delete,
        Method::Options,
        Method::Head,
        Method::Patch,
        Method::Trace,
    ]
    .iter()
    .position(|&m| m == method)
    .unwrap_or(usize::MAX)
}

fn compare_operations(old: &Side<'_>, new: &Side<'_>) -> Vec<TagChanges> {
    // Tag name → (accessor, [(sort key, changes)]).
    type Group = (String, Vec<((String, usize, String), OperationChanges)>);
    let mut groups: BTreeMap<String, Group> = BTreeMap::new();
    let mut add = |tag: &Tag, op: &Operation, changes: OperationChanges| {
        let key = (
            op.path.clone(),
            method_rank(op.method),
            op.operation_id.clone(),
        );
        groups
            .entry(tag.name.clone())
            .or_insert_with(|| (tag.accessor.clone(), Vec::new()))
            .1
            .push((key, changes));
    };
    for (id, &(old_tag, old_op)) in &old.ops {
        if new.ops.contains_key(id) {
            continue;
        }
        let changes = vec![change(
            Breaking,
            K::OperationRemoved,
            "operation",
            format!("removed: `{}`", signature(old_op)),
        )];
        add(
            old_tag,
            old_op,
            entry(old_tag, old_op, Status::Removed, changes),
        );
    }
    for (id, &(new_tag, new_op)) in &new.ops {
        let changes = match old.ops.get(id) {
            None => {
                let changes = vec![change(
                    Compatible,
                    K::OperationAdded,
                    "operation",
                    format!("added: `{}`", signature(new_op)),
                )];
                add(
                    new_tag,
                    new_op,
                    entry(new_tag, new_op, Status::Added, changes),
                );
                continue;
            }
            Some(&(old_tag, old_op)) => {
                operation_changes(old, new, (old_tag, old_op), (new_tag, new_op))
            }
        };
        if !changes.is_empty() {
            add(
                new_tag,
                new_op,
                entry(new_tag, new_op, Status::Changed, changes),
            );
        }
    }
    groups
        .into_iter()
        .map(|(name, (accessor, mut ops))| {
            ops.sort_by(|a, b| a.0.cmp(&b.0));
            TagChanges {
                name,
                accessor,
                operations: ops.into_iter().map(|(_, o)| o).collect(),
            }
        })
        .collect()
}

fn entry(tag: &Tag, op: &Operation, status: Status, changes: Vec<Change>) -> OperationChanges {
    OperationChanges {
        operation_id: op.operation_id.clone(),
        method: op.method.as_str().to_owned(),
        path: op.path.clone(),
        rust: format!("client.{}().{}()", tag.accessor, op.fn_name),
        status,
        changes,
    }
}

fn operation_changes(
    old_side: &Side<'_>,
    new_side: &Side<'_>,
    (old_tag, old): (&Tag, &Operation),
    (new_tag, new): (&Tag, &Operation),
) -> Vec<Change> {
    let mut out = Vec::new();
    if old_tag.accessor != new_tag.accessor {
        out.push(change(
            Breaking,
            K::TagChanged,
            "tag",
            format!(
                "moved from `{}` (`client.{}()`) to `{}` (`client.{}()`)",
                old_tag.name, old_tag.accessor, new_tag.name, new_tag.accessor
            ),
        ));
    }
    if old.fn_name != new.fn_name {
        out.push(change(
            Breaking,
            K::MethodRenamed,
            "method",
            format!("renamed `{}` → `{}`", old.fn_name, new.fn_name),
        ));
    }
    if old.method != new.method {
        out.push(change(
            Compatible,
            K::HttpMethodChanged,
            "HTTP method",
            format!("{} → {}", old.method.as_str(), new.method.as_str()),
        ));
    }
    if old.path != new.path {
        out.push(change(
            Compatible,
            K::PathChanged,
            "path",
            format!("`{}` → `{}`", old.path, new.path),
        ));
    }
    if old.deprecated != new.deprecated {
        let detail = if new.deprecated {
            "now deprecated"
        } else {
            "no longer deprecated"
        };
        out.push(change(
            Compatible,
            K::DeprecationChanged,
            "operation",
            detail,
        ));
    }
    path_param_changes((old_side, old), (new_side, new), &mut out);
    query_changes((old_side, old), (new_side, new), &mut out);
    let other = |side: &Side<'_>, op: &Operation| {
        side.raw(op)
            .map(|r| r.other_params.clone())
            .unwrap_or_default()
    };
    param_list_changes(&other(old_side, old), &other(new_side, new), &mut out);
    body_changes(old, new, &mut out);
    let (old_ret, new_ret) = (return_type(&old.response), return_type(&new.response));
    if old_ret != new_ret {
        out.push(change(
            Breaking,
            K::ResponseChanged,
            "return type",
            format!("`{old_ret}` → `{new_ret}`"),
        ));
    }
    let statuses = |side: &Side<'_>, op: &Operation| {
        side.raw(op).map(|r| r.statuses.clone()).unwrap_or_default()
    };
    let (old_statuses, new_statuses) = (statuses(old_side, old), statuses(new_side, new));
    for status in old_statuses.difference(&new_statuses) {
        out.push(change(
            Compatible,
            K::StatusRemoved,
            format!("status {status}"),
            "no longer documented",
        ));
    }
    for status in new_statuses.difference(&old_statuses) {
        out.push(change(
            Compatible,
            K::StatusAdded,
            format!("status {status}"),
            "added",
        ));
    }
    out
}

/// Path parameters are positional arguments: compared by position.
fn path_param_changes(
    (old_side, old): (&Side<'_>, &Operation),
    (new_side, new): (&Side<'_>, &Operation),
    out: &mut Vec<Change>,
) {
    let param = |side: &Side<'_>, p: &crate::model::PathParam| Param {
        name: p.json_name.clone(),
        location: "path",
        required: true,
        ty: rust_type(&p.ty),
        canon: side.canonical(&p.ty),
    };
    let n = old.path_params.len().max(new.path_params.len());
    for i in 0..n {
        let o = old.path_params.get(i).map(|p| param(old_side, p));
        let n = new.path_params.get(i).map(|p| param(new_side, p));
        match (o, n) {
            (Some(o), Some(n)) => {
                if o.ty != n.ty {
                    let (severity, note) = type_change_severity(&o.canon, &n.canon);
                    out.push(change(
                        severity,
                        K::ParameterTypeChanged,
                        n.subject(),
                        format!("`{}` → `{}`{note}", o.ty, n.ty),
                    ));
                }
                if o.name != n.name {
                    out.push(change(
                        Compatible,
                        K::ParameterRenamed,
                        n.subject(),
                        format!("renamed from `{}` (same position)", o.name),
                    ));
                }
            }
            (Some(o), None) => out.push(change(
                Breaking,
                K::ParameterRemoved,
                o.subject(),
                format!("removed ({})", o.describe()),
            )),
            (None, Some(n)) => out.push(change(
                Breaking,
                K::ParameterAdded,
                n.subject(),
                format!("added ({})", n.describe()),
            )),
            (None, None) => {}
        }
    }
}

fn query_changes(
    (old_side, old): (&Side<'_>, &Operation),
    (new_side, new): (&Side<'_>, &Operation),
    out: &mut Vec<Change>,
) {
    match (&old.query, &new.query) {
        (None, Some(q)) => out.push(change(
            Breaking,
            K::QueryArgumentChanged,
            "query argument",
            format!("new argument `query: &{}`", q.name),
        )),
        (Some(q), None) => out.push(change(
            Breaking,
            K::QueryArgumentChanged,
            "query argument",
            format!("argument `query: &{}` removed", q.name),
        )),
        (Some(o), Some(n)) if o.name != n.name => out.push(change(
            Breaking,
            K::QueryArgumentChanged,
            "query argument",
            format!("struct renamed `{}` → `{}`", o.name, n.name),
        )),
        _ => {}
    }
    let params = |side: &Side<'_>, op: &Operation| -> Vec<Param> {
        op.query
            .iter()
            .flat_map(|q| &q.fields)
            .map(|f| Param {
                name: f.json_name.clone(),
                location: "query",
                required: f.required,
                ty: rust_type(&f.ty),
                canon: side.canonical(&f.ty),
            })
            .collect()
    };
    param_list_changes(&params(old_side, old), &params(new_side, new), out);
}

/// Parameters matched by name and location.
fn param_list_changes(old: &[Param], new: &[Param], out: &mut Vec<Change>) {
    for o in old {
        if !new
            .iter()
            .any(|n| n.name == o.name && n.location == o.location)
        {
            out.push(change(
                Breaking,
                K::ParameterRemoved,
                o.subject(),
                format!("removed ({})", o.describe()),
            ));
        }
    }
    for n in new {
        match old
            .iter()
            .find(|o| o.name == n.name && o.location == n.location)
        {
            None => {
                let severity = if n.required { Breaking } else { Compatible };
                out.push(change(
                    severity,
                    K::ParameterAdded,
                    n.subject(),
                    format!("added ({})", n.describe()),
                ));
            }
            Some(o) => {
                if o.ty != n.ty {
                    let (severity, note) = type_change_severity(&o.canon, &n.canon);
                    out.push(change(
                        severity,
                        K::ParameterTypeChanged,
                        n.subject(),
                        format!("`{}` → `{}`{note}", o.ty, n.ty),
                    ));
                }
                if o.required != n.required {
                    let detail = if n.required {
                        "optional → required"
                    } else {
                        "required → optional"
                    };
                    out.push(change(
                        Breaking,
                        K::ParameterRequiredChanged,
                        n.subject(),
                        detail,
                    ));
                }
            }
        }
    }
}

fn body_changes(old: &Operation, new: &Operation, out: &mut Vec<Change>) {
    match (&old.body, &new.body) {
        (None, Some(b)) => out.push(change(
            Breaking,
            K::BodyAdded,
            "request body",
            format!(
                "added: {} (new argument `{}`)",
                body_description(b),
                body_argument(b)
            ),
        )),
        (Some(b), None) => out.push(change(
            Breaking,
            K::BodyRemoved,
            "request body",
            format!("removed: {}", body_description(b)),
        )),
        (Some(o), Some(n)) => {
            let (od, nd) = (body_description(o), body_description(n));
            if od != nd {
                let severity = if body_argument(o) == body_argument(n) {
                    Compatible
                } else {
                    Breaking
                };
                out.push(change(
                    severity,
                    K::BodyChanged,
                    "request body",
                    format!("{od} → {nd}"),
                ));
            }
        }
        (None, None) => {}
    }
}

fn compare_types(old: &Side<'_>, new: &Side<'_>) -> Vec<TypeChanges> {
    let names: BTreeSet<&str> = old.types.keys().chain(new.types.keys()).copied().collect();
    let mut out = Vec::new();
    for name in names {
        let usage = usage_of(name, old, new);
        let request = matches!(usage, Usage::Request | Usage::Both);
        let (status, changes) = match (old.types.get(name), new.types.get(name)) {
            (Some(o), None) => (
                Status::Removed,
                vec![change(
                    Breaking,
                    K::TypeRemoved,
                    "type",
                    format!("removed ({})", shape(o)),
                )],
            ),
            (None, Some(n)) => (
                Status::Added,
                vec![change(
                    Compatible,
                    K::TypeAdded,
                    "type",
                    format!("added ({})", shape(n)),
                )],
            ),
            (Some(o), Some(n)) => (Status::Changed, type_changes((old, o), (new, n), request)),
            (None, None) => continue,
        };
        if !changes.is_empty() {
            out.push(TypeChanges {
                name: name.to_owned(),
                usage,
                status,
                changes,
            });
        }
    }
    out
}

fn usage_of(name: &str, old: &Side<'_>, new: &Side<'_>) -> Usage {
    let get = |side: &Side<'_>| side.usage.get(name).copied().unwrap_or_default();
    let (a, b) = (get(old), get(new));
    match (a.0 || b.0, a.1 || b.1) {
        (true, true) => Usage::Both,
        (true, false) => Usage::Request,
        (false, true) => Usage::Response,
        (false, false) => Usage::Unused,
    }
}

fn shape(def: &TypeDef) -> String {
    match &def.kind {
        TypeKind::Struct(s) => format!("struct, {} field(s)", s.fields.len()),
        TypeKind::Enum(e) => format!("enum, {} value(s)", e.variants.len()),
        TypeKind::Alias(target) => format!("alias of `{}`", rust_type(target)),
    }
}

fn type_changes(
    (old_side, old): (&Side<'_>, &TypeDef),
    (new_side, new): (&Side<'_>, &TypeDef),
    request: bool,
) -> Vec<Change> {
    let mut out = Vec::new();
    match (&old.kind, &new.kind) {
        (TypeKind::Struct(o), TypeKind::Struct(n)) => {
            for field in &o.fields {
                if !n.fields.iter().any(|f| f.json_name == field.json_name) {
                    out.push(change(
                        Breaking,
                        K::FieldRemoved,
                        format!("field `{}`", field.json_name),
                        format!("removed (`{}`)", field_type(field)),
                    ));
                }
            }
            for field in &n.fields {
                let subject = format!("field `{}`", field.json_name);
                let Some(before) = o.fields.iter().find(|f| f.json_name == field.json_name) else {
                    let (severity, note) = if field.required && request {
                        (Breaking, ", required in a request type")
                    } else {
                        (Compatible, "")
                    };
                    out.push(change(
                        severity,
                        K::FieldAdded,
                        subject,
                        format!("added (`{}`{note})", field_type(field)),
                    ));
                    continue;
                };
                let inner = |f: &Field| {
                    let ty = rust_type(&f.ty);
                    if f.boxed {
                        format!("Box<{ty}>")
                    } else {
                        ty
                    }
                };
                if inner(before) != inner(field) {
                    let (severity, note) = if before.boxed == field.boxed {
                        type_change_severity(
                            &old_side.canonical(&before.ty),
                            &new_side.canonical(&field.ty),
                        )
                    } else {
                        (Breaking, "")
                    };
                    out.push(change(
                        severity,
                        K::FieldTypeChanged,
                        subject.clone(),
                        format!("`{}` → `{}`{note}", inner(before), inner(field)),
                    ));
                }
                if before.required != field.required {
                    let what = if field.required {
                        "optional → required"
                    } else {
                        "required → optional"
                    };
                    out.push(change(
                        Breaking,
                        K::FieldRequiredChanged,
                        subject.clone(),
                        format!(
                            "{what} (`{}` → `{}`)",
                            field_type(before),
                            field_type(field)
                        ),
                    ));
                }
                if before.name != field.name {
                    out.push(change(
                        Breaking,
                        K::FieldRenamed,
                        subject,
                        format!("Rust name `{}` → `{}`", before.name, field.name),
                    ));
                }
            }
        }
        (TypeKind::Enum(o), TypeKind::Enum(n)) => {
            for variant in &o.variants {
                if !n.variants.iter().any(|v| v.value == variant.value) {
                    out.push(change(
                        Breaking,
                        K::EnumValueRemoved,
                        format!("value \"{}\"", variant.value),
                        format!("removed (variant `{}`)", variant.name),
                    ));
                }
            }
            for variant in &n.variants {
                let subject = format!("value \"{}\"", variant.value);
                match o.variants.iter().find(|v| v.value == variant.value) {
                    None => out.push(change(
                        Compatible,
                        K::EnumValueAdded,
                        subject,
                        format!("added (variant `{}`)", variant.name),
                    )),
                    Some(before) if before.name != variant.name => out.push(change(
                        Breaking,
                        K::EnumVariantRenamed,
                        subject,
                        format!("variant `{}` → `{}`", before.name, variant.name),
                    )),
                    Some(_) => {}
                }
            }
        }
        (TypeKind::Alias(o), TypeKind::Alias(n)) => {
            if o != n {
                let (severity, note) =
                    type_change_severity(&old_side.canonical(o), &new_side.canonical(n));
                out.push(change(
                    severity,
                    K::AliasChanged,
                    "alias",
                    format!("`{}` → `{}`{note}", rust_type(o), rust_type(n)),
                ));
            }
        }
        _ => out.push(change(
            Breaking,
            K::TypeKindChanged,
            "type",
            format!("{} → {}", shape(old), shape(new)),
        )),
    }
    out
}
