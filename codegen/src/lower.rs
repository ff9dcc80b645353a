//! Building the [`Model`] from a document: schemas → type definitions (this file), operations
//! → tags and methods (`operations.rs`), then whole-model analysis (`Default`, boxing).

use crate::docs::sanitize;
use crate::error::WarningKind;
use crate::error::{pointer, Diagnostics};
use crate::model::{EnumDef, Field, Model, StructDef, Tag, TypeDef, TypeKind, TypeRef, Variant};
use crate::naming::{camel, snake, NameMap, Namer};
use crate::resolve::Resolver;
use crate::settings::Settings;
use indexmap::{IndexMap, IndexSet};
use openapiv3::{
    AdditionalProperties, IntegerFormat, OpenAPI, ReferenceOr, Schema, SchemaKind, StringFormat,
    Type, VariantOrUnknownOrEmpty,
};
use std::borrow::Borrow;

/// Names the generated `models` module must not use: they are imported there or are prelude
/// names a field type may need.
const RESERVED_TYPE_NAMES: &[&str] = &[
    "BTreeMap",
    "Box",
    "DateTime",
    "Default",
    "Deserialize",
    "Err",
    "None",
    "Ok",
    "Option",
    "Result",
    "Serialize",
    "Some",
    "String",
    "Vec",
];

/// How deep nested `allOf`s are followed before giving up.
const MAX_DEPTH: usize = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    InProgress { is_struct: bool },
    Done,
}

/// Builds a [`Model`]; the diagnostics collected on the way are returned beside it.
pub(crate) struct Builder<'a> {
    pub(crate) doc: &'a OpenAPI,
    pub(crate) resolver: Resolver<'a>,
    pub(crate) settings: &'a Settings,
    pub(crate) diags: Diagnostics,
    pub(crate) type_namer: Namer,
    component_names: NameMap<String>,
    state: NameMap<State>,
    pub(crate) defs: Vec<TypeDef>,
    pub(crate) def_index: NameMap<usize>,
    type_overrides: IndexMap<String, String>,
    map_overrides: IndexMap<String, String>,
    /// Component schemas used as `multipart/form-data` bodies.
    form_schemas: IndexSet<String>,
    /// (part, whole): the generated struct `part` is an `allOf` part of the struct `whole`, in
    /// the order of lowering.
    pub(crate) merged: Vec<(String, String)>,
}

/// What an inline schema's generated type would be named after. The text is only made when a
/// type is generated: case conversion is a large part of lowering, and most inline schemas
/// (scalars, arrays of references) need no name.
#[derive(Clone, Copy)]
pub(crate) enum Hint<'h> {
    /// This text.
    Text(&'h str),
    /// `owner` followed by `name` in camel case (a property or a query parameter).
    Member { owner: &'h str, name: &'h str },
    /// `base` followed by `suffix` (an operation's body, form or response).
    Suffixed { base: &'h str, suffix: &'static str },
    /// The values of a map: the map's hint followed by `Value`.
    Value(&'h Hint<'h>),
}

impl Hint<'_> {
    fn text(&self) -> String {
        match self {
            Hint::Text(text) => (*text).to_owned(),
            Hint::Member { owner, name } => format!("{owner}{}", camel(name)),
            Hint::Suffixed { base, suffix } => format!("{base}{suffix}"),
            Hint::Value(map) => format!("{}Value", map.text()),
        }
    }
}

/// A field before Rust names are assigned.
struct DraftField {
    ty: TypeRef,
    required: bool,
    doc: Option<String>,
}

/// Builds the model of `doc`.
pub(crate) fn build(doc: &OpenAPI, settings: &Settings) -> (Model, Diagnostics) {
    let parallel = std::thread::available_parallelism().is_ok_and(|n| n.get() > 1);
    build_with(doc, settings, parallel)
}

/// [`build`], with or without a second thread warming the memo.
fn build_with(doc: &OpenAPI, settings: &Settings, parallel: bool) -> (Model, Diagnostics) {
    let _memo = crate::memo::Memo::start();
    let mut builder = Builder::new(doc, settings);
    if !settings.is_selective() {
        std::thread::scope(|scope| {
            // Another thread converts the operations' names and descriptions meanwhile (see
            // `warm.rs`); if it fails, the lowering converts them itself.
            let warm = parallel.then(|| {
                scope.spawn(|| crate::memo::remembered_by(|| crate::warm::operations(doc)))
            });
            builder.lower_all_components();
            if let Some(Ok(remembered)) = warm.map(|thread| thread.join()) {
                crate::memo::absorb(remembered);
            }
        });
    }
    let tags = builder.lower_operations();
    builder.analyse();
    let mut types = std::mem::take(&mut builder.defs);
    types.sort_by(|a, b| a.name.cmp(&b.name));
    let mut tags = tags;
    builder.finish_tags(&mut tags, &types);
    if !settings.serde_both_ways() {
        serde_directions(&mut types, &tags);
    }
    let mut model = Model {
        title: doc.info.title.clone(),
        version: doc.info.version.clone(),
        types,
        tags,
        runtime_path: settings.runtime_path(),
        extension_trait: !settings.is_client_crate(),
    };
    crate::describe::complete(&mut model, &builder.merged);
    (model, builder.diags)
}

/// Derives only the serde direction each struct is used in: `Serialize` for what requests
/// send (bodies, query parameters, multipart fields, and the types inside them), `Deserialize`
/// for what responses bring back. Deserialization is most of serde's generated code, and most
/// of the full API's types travel one way only; a struct used both ways, or by no operation
/// (it may be used by hand), keeps both.
fn serde_directions(types: &mut [TypeDef], tags: &[Tag]) {
    use crate::model::{Body, Payload, ResponseKind};
    let index: NameMap<usize> = types
        .iter()
        .enumerate()
        .map(|(i, t)| (t.name.clone(), i))
        .collect();
    let mut sent = vec![false; types.len()];
    let mut received = vec![false; types.len()];
    // Marks `ty` and every type reachable from it.
    fn mark(ty: &TypeRef, types: &[TypeDef], index: &NameMap<usize>, seen: &mut [bool]) {
        let mut stack = vec![ty];
        while let Some(ty) = stack.pop() {
            match ty {
                TypeRef::Vec(inner) | TypeRef::Map(inner) => stack.push(inner),
                TypeRef::Named(name) => {
                    let Some(&i) = index.get(name) else { continue };
                    if std::mem::replace(&mut seen[i], true) {
                        continue;
                    }
                    match &types[i].kind {
                        TypeKind::Struct(s) => stack.extend(s.fields.iter().map(|f| &f.ty)),
                        TypeKind::Alias(t) => stack.push(t),
                        TypeKind::Enum(_) => {}
                    }
                }
                _ => {}
            }
        }
    }
    for op in tags.iter().flat_map(|t| &t.ops) {
        for field in op.query.iter().flat_map(|q| &q.fields) {
            mark(&field.ty, types, &index, &mut sent);
        }
        match &op.body {
            Some(Body::Json { ty }) | Some(Body::Multipart { parts: Some(ty) }) => {
                mark(ty, types, &index, &mut sent)
            }
            Some(Body::Multipart { parts: None }) | None => {}
        }
        let mut payloads = Vec::new();
        match &op.response {
            ResponseKind::One(p) | ResponseKind::Optional(p) => payloads.push(p),
            ResponseKind::ByContentType { variants, .. } => {
                payloads.extend(variants.iter().map(|v| &v.payload))
            }
            ResponseKind::Empty => {}
        }
        for payload in payloads {
            if let Payload::Json(ty) = payload {
                mark(ty, types, &index, &mut received);
            }
        }
    }
    // A type no operation uses keeps both directions, and so must every type inside it.
    let unused: Vec<TypeRef> = types
        .iter()
        .enumerate()
        .filter(|&(i, _)| !sent[i] && !received[i])
        .map(|(_, t)| TypeRef::Named(t.name.clone()))
        .collect();
    for ty in &unused {
        mark(ty, types, &index, &mut sent);
        mark(ty, types, &index, &mut received);
    }
    for (i, def) in types.iter_mut().enumerate() {
        if let TypeKind::Struct(s) = &mut def.kind {
            s.serialize = sent[i];
            s.deserialize = received[i];
        }
    }
}

impl<'a> Builder<'a> {
    fn new(doc: &'a OpenAPI, settings: &'a Settings) -> Self {
        let mut diags = Diagnostics::default();
        let mut type_overrides = IndexMap::new();
        let mut map_overrides = IndexMap::new();
        for (kind, source, target) in [
            ("type", settings.type_overrides(), &mut type_overrides),
            ("map", settings.map_overrides(), &mut map_overrides),
        ] {
            for (schema, path) in source {
                if syn::parse_str::<syn::Path>(path).is_ok() {
                    target.insert(schema.clone(), path.clone());
                } else {
                    diags.error(
                        "settings",
                        format!("{kind} override for `{schema}`: `{path}` is not a Rust path"),
                    );
                }
            }
        }
        let mut type_namer = Namer::with_reserved(RESERVED_TYPE_NAMES.iter().copied());
        let mut component_names = NameMap::default();
        if let Some(components) = &doc.components {
            for name in components.schemas.keys() {
                if !type_overrides.contains_key(name) {
                    component_names.insert(name.clone(), type_namer.claim(&camel(name)));
                }
            }
        }
        let form_schemas = multipart_schemas(doc);
        Self {
            form_schemas,
            doc,
            resolver: Resolver::new(doc),
            settings,
            diags,
            type_namer,
            component_names,
            state: NameMap::default(),
            defs: Vec::new(),
            def_index: NameMap::default(),
            type_overrides,
            map_overrides,
            merged: Vec::new(),
        }
    }

    fn lower_all_components(&mut self) {
        let names: Vec<String> = match &self.doc.components {
            Some(c) => c.schemas.keys().cloned().collect(),
            None => Vec::new(),
        };
        for name in names {
            self.component(&name, &pointer("#/components/schemas", &name));
        }
    }

    pub(crate) fn push_def(&mut self, def: TypeDef) {
        self.def_index.insert(def.name.clone(), self.defs.len());
        self.defs.push(def);
    }

    pub(crate) fn def(&self, name: &str) -> Option<&TypeDef> {
        self.def_index.get(name).and_then(|&i| self.defs.get(i))
    }

    /// Marks the generated struct `name` as a multipart form; whether it is one.
    pub(crate) fn make_form(&mut self, name: &str) -> bool {
        let Some(&i) = self.def_index.get(name) else {
            return false;
        };
        match self.defs.get_mut(i).map(|d| &mut d.kind) {
            Some(TypeKind::Struct(s)) => {
                s.form = true;
                true
            }
            _ => false,
        }
    }

    /// The type for component schema `name` (generating it on first use). `at` is where the
    /// reference was made, for diagnostics.
    pub(crate) fn component(&mut self, name: &str, at: &str) -> TypeRef {
        if let Some(path) = self.type_overrides.get(name) {
            return TypeRef::External(path.clone());
        }
        let Some(rust_name) = self.component_names.get(name).cloned() else {
            self.diags
                .error(at, format!("reference to undeclared schema `{name}`"));
            return TypeRef::Json;
        };
        match self.state.get(name) {
            Some(State::Done) | Some(State::InProgress { is_struct: true }) => {
                return TypeRef::Named(rust_name)
            }
            Some(State::InProgress { is_struct: false }) => {
                self.diags.error(
                    at,
                    format!("schema `{name}` refers to itself without an object in between"),
                );
                return TypeRef::Json;
            }
            None => {}
        }
        let resolver = self.resolver;
        let Some(item) = resolver.component_schema(name) else {
            return TypeRef::Json;
        };
        let ptr = pointer("#/components/schemas", name);
        let is_struct = matches!(item, ReferenceOr::Item(s) if is_struct_like(s));
        self.state
            .insert(name.to_owned(), State::InProgress { is_struct });
        let def = match item {
            ReferenceOr::Reference { reference } => {
                let target = self.schema_reference(reference, &ptr);
                TypeDef {
                    name: rust_name.clone(),
                    doc: format!("The `{name}` schema (an alias)."),
                    source: ptr,
                    kind: TypeKind::Alias(target),
                }
            }
            ReferenceOr::Item(schema) => self.named_def(schema, &rust_name, &ptr),
        };
        let def = if self.form_schemas.contains(name) {
            as_form(def)
        } else {
            def
        };
        self.push_def(def);
        self.state.insert(name.to_owned(), State::Done);
        TypeRef::Named(rust_name)
    }

    /// The definition for a schema that gets the name `rust_name`.
    fn named_def(&mut self, schema: &Schema, rust_name: &str, ptr: &str) -> TypeDef {
        // Without a description the doc is written once the model is complete (`describe.rs`).
        let doc = schema_doc(schema).unwrap_or_default();
        let kind = if is_struct_like(schema) {
            TypeKind::Struct(self.struct_def(schema, rust_name, ptr))
        } else if let Some(values) = string_enum_values(schema) {
            TypeKind::Enum(enum_def(&values))
        } else {
            self.check_default(schema, ptr);
            TypeKind::Alias(self.lower_kind(schema, Hint::Text(rust_name), ptr))
        };
        TypeDef {
            name: rust_name.to_owned(),
            source: ptr.to_owned(),
            doc,
            kind,
        }
    }

    fn struct_def(&mut self, schema: &Schema, owner: &str, ptr: &str) -> StructDef {
        let mut fields: IndexMap<String, DraftField> = IndexMap::new();
        let mut extra_required: IndexSet<String> = IndexSet::new();
        self.collect_fields(schema, owner, ptr, &mut fields, &mut extra_required, 0);
        let mut namer = Namer::default();
        let fields = fields
            .into_iter()
            .map(|(json_name, draft)| Field {
                name: namer.claim(&snake(&json_name)),
                // Filled in by `describe.rs` when the document has none.
                doc: draft.doc.unwrap_or_default(),
                required: draft.required || extra_required.contains(&json_name),
                json_name,
                ty: draft.ty,
                boxed: false,
            })
            .collect();
        StructDef {
            fields,
            derive_default: true,
            form: false,
            serialize: true,
            deserialize: true,
        }
    }

    fn collect_fields(
        &mut self,
        schema: &Schema,
        owner: &str,
        ptr: &str,
        fields: &mut IndexMap<String, DraftField>,
        extra_required: &mut IndexSet<String>,
        depth: usize,
    ) {
        if depth > MAX_DEPTH {
            self.diags.error(ptr, "`allOf` nested too deeply");
            return;
        }
        self.check_default(schema, ptr);
        let (properties, required, additional, all_of) = match &schema.schema_kind {
            SchemaKind::Type(Type::Object(o)) => (
                Some(&o.properties),
                o.required.as_slice(),
                o.additional_properties.as_ref(),
                &[][..],
            ),
            SchemaKind::AllOf { all_of } => (None, &[][..], None, all_of.as_slice()),
            SchemaKind::Any(a) => (
                Some(&a.properties),
                a.required.as_slice(),
                a.additional_properties.as_ref(),
                a.all_of.as_slice(),
            ),
            _ => {
                self.diags.warn(
                    WarningKind::Simplified,
                    ptr,
                    "an `allOf` part that is not an object was ignored",
                );
                return;
            }
        };
        for (i, part) in all_of.iter().enumerate() {
            let part_ptr = pointer(&pointer(ptr, "allOf"), &i.to_string());
            match part {
                ReferenceOr::Reference { reference } => {
                    self.merge_reference(reference, owner, &part_ptr, fields, extra_required, depth)
                }
                ReferenceOr::Item(inline) => {
                    self.collect_fields(inline, owner, &part_ptr, fields, extra_required, depth + 1)
                }
            }
        }
        if let Some(properties) = properties {
            if !properties.is_empty() && additional_allows_extra(additional) {
                self.diags.warn(
                    WarningKind::Simplified,
                    ptr,
                    "`additionalProperties` beside `properties` is not kept: unknown properties are ignored",
                );
            }
            for (name, prop) in properties {
                let prop_ptr = pointer(&pointer(ptr, "properties"), name);
                let hint = Hint::Member { owner, name };
                let (ty, doc) = match prop {
                    ReferenceOr::Reference { reference } => {
                        (self.schema_reference(reference, &prop_ptr), None)
                    }
                    ReferenceOr::Item(inline) => (
                        self.lower_schema(inline, hint, &prop_ptr),
                        schema_doc(inline),
                    ),
                };
                let draft = DraftField {
                    ty,
                    required: required.iter().any(|r| r == name),
                    doc,
                };
                fields.insert(name.clone(), draft);
            }
        }
        for name in required {
            extra_required.insert(name.clone());
        }
    }

    /// Merges the fields of the referenced schema (an `allOf` part).
    fn merge_reference(
        &mut self,
        reference: &str,
        owner: &str,
        at: &str,
        fields: &mut IndexMap<String, DraftField>,
        extra_required: &mut IndexSet<String>,
        depth: usize,
    ) {
        let ty = self.schema_reference(reference, at);
        let name = match ty {
            TypeRef::Named(name) => name,
            TypeRef::External(_) => {
                // An overridden schema still contributes its properties as the document
                // declares them.
                let resolver = self.resolver;
                if let Ok(name) = resolver.schema_ref(reference) {
                    if let Some(ReferenceOr::Item(schema)) = resolver.component_schema(&name) {
                        let ptr = pointer("#/components/schemas", &name);
                        self.collect_fields(
                            schema,
                            &camel(&name),
                            &ptr,
                            fields,
                            extra_required,
                            depth + 1,
                        );
                    }
                }
                return;
            }
            // A dangling reference, already reported as an error.
            _ => return,
        };
        let Some(def) = self.def(&name) else {
            self.diags.error(
                at,
                format!("`allOf` part `{reference}` includes the schema being defined"),
            );
            return;
        };
        match &def.kind {
            TypeKind::Struct(s) => {
                let merged: Vec<(String, DraftField)> = s
                    .fields
                    .iter()
                    .map(|f| {
                        (
                            f.json_name.clone(),
                            DraftField {
                                ty: f.ty.clone(),
                                required: f.required,
                                doc: Some(f.doc.clone()),
                            },
                        )
                    })
                    .collect();
                fields.extend(merged);
                self.merged.push((name, owner.to_owned()));
            }
            _ => self.diags.warn(
                WarningKind::Simplified,
                at,
                format!("`allOf` part `{reference}` is not an object; ignored"),
            ),
        }
    }

    /// The type a `$ref` to a schema stands for; a dangling reference is an error at `at`.
    pub(crate) fn schema_reference(&mut self, reference: &str, at: &str) -> TypeRef {
        match self.resolver.schema_ref(reference) {
            Ok(name) => self.component(&name, at),
            Err(message) => {
                self.diags.error(at, message);
                TypeRef::Json
            }
        }
    }

    /// The type of a schema or reference (the schema itself or boxed); inline objects and enums
    /// get generated types named from `hint`.
    pub(crate) fn lower_ref_or<S: Borrow<Schema>>(
        &mut self,
        schema: &ReferenceOr<S>,
        hint: Hint<'_>,
        ptr: &str,
    ) -> TypeRef {
        match schema {
            ReferenceOr::Reference { reference } => self.schema_reference(reference, ptr),
            ReferenceOr::Item(s) => self.lower_schema(s.borrow(), hint, ptr),
        }
    }

    /// The type of an inline schema.
    pub(crate) fn lower_schema(&mut self, schema: &Schema, hint: Hint<'_>, ptr: &str) -> TypeRef {
        if is_struct_like(schema) || string_enum_values(schema).is_some() {
            let hint = hint.text();
            let name = self.type_namer.claim(&camel(&hint));
            let def = self.named_def(schema, &name, ptr);
            self.push_def(def);
            return TypeRef::Named(name);
        }
        self.check_default(schema, ptr);
        self.lower_kind(schema, hint, ptr)
    }

    /// Scalars, arrays, maps and free-form values (not structs or enums).
    fn lower_kind(&mut self, schema: &Schema, hint: Hint<'_>, ptr: &str) -> TypeRef {
        match &schema.schema_kind {
            SchemaKind::Type(Type::String(s)) => string_type(&s.format),
            SchemaKind::Type(Type::Integer(i)) => integer_type(&i.format),
            SchemaKind::Type(Type::Number(_)) => TypeRef::F64,
            SchemaKind::Type(Type::Boolean(_)) => TypeRef::Bool,
            SchemaKind::Type(Type::Array(a)) => self.array(a.items.as_ref(), hint, ptr),
            SchemaKind::Type(Type::Object(o)) => {
                self.map(o.additional_properties.as_ref(), hint, ptr)
            }
            SchemaKind::Any(a) => {
                if matches!(
                    a.additional_properties,
                    Some(AdditionalProperties::Schema(_))
                ) {
                    self.map(a.additional_properties.as_ref(), hint, ptr)
                } else if a.items.is_some() {
                    self.array(a.items.as_ref(), hint, ptr)
                } else {
                    match a.typ.as_deref() {
                        Some("string") => match a.format.as_deref() {
                            Some("date-time") => TypeRef::DateTime,
                            Some("binary") => TypeRef::Bytes,
                            _ => TypeRef::String,
                        },
                        Some("integer") => match a.format.as_deref() {
                            Some("int32") => TypeRef::I32,
                            _ => TypeRef::I64,
                        },
                        Some("number") => TypeRef::F64,
                        Some("boolean") => TypeRef::Bool,
                        Some("array") => TypeRef::Vec(Box::new(TypeRef::Json)),
                        Some("object") | None => TypeRef::Json,
                        Some(other) => {
                            self.diags.warn(
                                WarningKind::Simplified,
                                ptr,
                                format!("unknown type `{other}` mapped to a free-form JSON value"),
                            );
                            TypeRef::Json
                        }
                    }
                }
            }
            SchemaKind::OneOf { .. } | SchemaKind::AnyOf { .. } | SchemaKind::Not { .. } => {
                self.diags.warn(
                    WarningKind::Simplified,
                    ptr,
                    "`oneOf`/`anyOf`/`not` is mapped to a free-form JSON value",
                );
                TypeRef::Json
            }
            SchemaKind::AllOf { .. } => TypeRef::Json,
        }
    }

    fn array(
        &mut self,
        items: Option<&ReferenceOr<Box<Schema>>>,
        hint: Hint<'_>,
        ptr: &str,
    ) -> TypeRef {
        let inner = match items {
            Some(items) => self.lower_ref_or(items, hint, &pointer(ptr, "items")),
            None => TypeRef::Json,
        };
        TypeRef::Vec(Box::new(inner))
    }

    fn map(
        &mut self,
        additional: Option<&AdditionalProperties>,
        hint: Hint<'_>,
        ptr: &str,
    ) -> TypeRef {
        match additional {
            Some(AdditionalProperties::Schema(value)) => {
                let value_ptr = pointer(ptr, "additionalProperties");
                if let ReferenceOr::Reference { reference } = value.as_ref() {
                    if let Ok(name) = self.resolver.schema_ref(reference) {
                        if let Some(path) = self.map_overrides.get(&name) {
                            return TypeRef::External(path.clone());
                        }
                    }
                }
                let inner = self.lower_ref_or(value, Hint::Value(&hint), &value_ptr);
                TypeRef::Map(Box::new(inner))
            }
            _ => TypeRef::Json,
        }
    }

    /// Warns when a schema's `default` does not match its type (it is not used either way).
    fn check_default(&mut self, schema: &Schema, ptr: &str) {
        let Some(default) = &schema.schema_data.default else {
            return;
        };
        let expected = match &schema.schema_kind {
            SchemaKind::Type(Type::String(_)) => Some(("string", default.is_string())),
            SchemaKind::Type(Type::Integer(_)) => {
                Some(("integer", default.is_i64() || default.is_u64()))
            }
            SchemaKind::Type(Type::Number(_)) => Some(("number", default.is_number())),
            SchemaKind::Type(Type::Boolean(_)) => Some(("boolean", default.is_boolean())),
            SchemaKind::Type(Type::Array(_)) => Some(("array", default.is_array())),
            SchemaKind::Type(Type::Object(_)) => Some(("object", default.is_object())),
            _ => None,
        };
        if let Some((type_name, false)) = expected {
            if !default.is_null() {
                self.diags.warn(
                    WarningKind::Simplified,
                    pointer(ptr, "default"),
                    format!(
                        "default `{default}` does not match the type {type_name}; it is ignored"
                    ),
                );
            }
        }
    }

    /// Whole-model passes: which structs can derive `Default`, which fields need a `Box`.
    fn analyse(&mut self) {
        let kinds: NameMap<usize> = self.def_index.clone();
        // Default: assume yes, then knock out structs with a required field lacking one.
        let mut defaults: NameMap<bool> = self
            .defs
            .iter()
            .map(|d| (d.name.clone(), !matches!(d.kind, TypeKind::Enum(_))))
            .collect();
        loop {
            let mut changed = false;
            for def in &self.defs {
                if !defaults.get(&def.name).copied().unwrap_or(false) {
                    continue;
                }
                let ok = match &def.kind {
                    TypeKind::Struct(s) => s
                        .fields
                        .iter()
                        .all(|f| !f.required || has_default(&f.ty, &defaults)),
                    TypeKind::Alias(t) => has_default(t, &defaults),
                    TypeKind::Enum(_) => false,
                };
                if !ok {
                    defaults.insert(def.name.clone(), false);
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        let boxed = self.cycle_edges(&kinds);
        for def in &mut self.defs {
            if let TypeKind::Struct(s) = &mut def.kind {
                s.derive_default = defaults.get(&def.name).copied().unwrap_or(false);
                for field in &mut s.fields {
                    if let TypeRef::Named(target) = &field.ty {
                        field.boxed = boxed.contains(&(def.name.clone(), target.clone()));
                    }
                }
            }
        }
    }

    /// Struct → struct edges without indirection (not inside a `Vec` or map) that lie on a
    /// cycle; those fields are boxed.
    fn cycle_edges(&self, index: &NameMap<usize>) -> IndexSet<(String, String)> {
        // Direct successors of each definition (aliases followed).
        let n = self.defs.len();
        let mut succ: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (i, def) in self.defs.iter().enumerate() {
            match &def.kind {
                TypeKind::Struct(s) => {
                    for f in &s.fields {
                        if let TypeRef::Named(t) = &f.ty {
                            if let Some(&j) = index.get(t) {
                                succ[i].push(j);
                            }
                        }
                    }
                }
                TypeKind::Alias(TypeRef::Named(t)) => {
                    if let Some(&j) = index.get(t) {
                        succ[i].push(j);
                    }
                }
                _ => {}
            }
        }
        let component = strongly_connected(&succ);
        let mut out = IndexSet::new();
        for (i, def) in self.defs.iter().enumerate() {
            for &j in &succ[i] {
                if component[i] == component[j] {
                    out.insert((def.name.clone(), self.defs[j].name.clone()));
                }
            }
        }
        out
    }

    /// Whether `ty` implements `Default` (after [`Builder::analyse`], via the derive flags).
    pub(crate) fn type_has_default(&self, ty: &TypeRef) -> bool {
        match ty {
            TypeRef::Named(n) => match self.def(n).map(|d| &d.kind) {
                Some(TypeKind::Struct(s)) => s.derive_default,
                Some(TypeKind::Alias(t)) => self.type_has_default(t),
                _ => false,
            },
            other => has_default(other, &NameMap::default()),
        }
    }
}

fn has_default(ty: &TypeRef, defaults: &NameMap<bool>) -> bool {
    match ty {
        TypeRef::DateTime | TypeRef::External(_) => false,
        TypeRef::Named(n) => defaults.get(n).copied().unwrap_or(false),
        _ => true,
    }
}

/// Tarjan's algorithm, iterative: the component number of every node.
fn strongly_connected(succ: &[Vec<usize>]) -> Vec<usize> {
    let n = succ.len();
    let unvisited = usize::MAX;
    let mut index = vec![unvisited; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut component = vec![unvisited; n];
    let mut stack = Vec::new();
    let mut next_index = 0;
    let mut next_component = 0;
    for root in 0..n {
        if index[root] != unvisited {
            continue;
        }
        let mut work: Vec<(usize, usize)> = vec![(root, 0)];
        while let Some(&mut (v, ref mut child)) = work.last_mut() {
            if *child == 0 && index[v] == unvisited {
                index[v] = next_index;
                low[v] = next_index;
                next_index += 1;
                stack.push(v);
                on_stack[v] = true;
            }
            if let Some(&w) = succ[v].get(*child) {
                *child += 1;
                if index[w] == unvisited {
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    component[w] = next_component;
                    if w == v {
                        break;
                    }
                }
                next_component += 1;
            }
        }
    }
    component
}

fn as_form(mut def: TypeDef) -> TypeDef {
    if let TypeKind::Struct(s) = &mut def.kind {
        s.form = true;
    }
    def
}

/// Names of the component schemas that some operation sends as `multipart/form-data`.
fn multipart_schemas(doc: &OpenAPI) -> IndexSet<String> {
    let resolver = Resolver::new(doc);
    let mut out = IndexSet::new();
    for (_, item) in doc.paths.iter() {
        let ReferenceOr::Item(item) = item else {
            continue;
        };
        for (_, op) in item.iter() {
            let Some(body) = op
                .request_body
                .as_ref()
                .and_then(|b| resolver.request_body(b).ok())
            else {
                continue;
            };
            for (media_type, media) in &body.content {
                let is_multipart = media_type
                    .split(';')
                    .next()
                    .is_some_and(|m| m.trim().eq_ignore_ascii_case("multipart/form-data"));
                if let (true, Some(ReferenceOr::Reference { reference })) =
                    (is_multipart, &media.schema)
                {
                    if let Ok(name) = resolver.schema_ref(reference) {
                        out.insert(name);
                    }
                }
            }
        }
    }
    out
}

/// Whether a schema becomes a struct: an object with properties, or an `allOf`.
pub(crate) fn is_struct_like(schema: &Schema) -> bool {
    match &schema.schema_kind {
        SchemaKind::Type(Type::Object(o)) => !o.properties.is_empty(),
        SchemaKind::AllOf { .. } => true,
        SchemaKind::Any(a) => !a.properties.is_empty() || !a.all_of.is_empty(),
        _ => false,
    }
}

/// The values of a string enum (nulls dropped, duplicates merged), if the schema is one.
pub(crate) fn string_enum_values(schema: &Schema) -> Option<Vec<String>> {
    let values: IndexSet<String> = match &schema.schema_kind {
        SchemaKind::Type(Type::String(s)) => s.enumeration.iter().flatten().cloned().collect(),
        SchemaKind::Any(a) if a.typ.as_deref() == Some("string") => a
            .enumeration
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        _ => return None,
    };
    if values.is_empty() {
        None
    } else {
        Some(values.into_iter().collect())
    }
}

pub(crate) fn enum_def(values: &[String]) -> EnumDef {
    let mut namer = Namer::default();
    let variants = values
        .iter()
        .map(|v| Variant {
            name: namer.claim(&camel(v)),
            value: v.clone(),
        })
        .collect();
    EnumDef {
        variants,
        fallback: namer.claim("Unknown"),
    }
}

fn string_type(format: &VariantOrUnknownOrEmpty<StringFormat>) -> TypeRef {
    match format {
        VariantOrUnknownOrEmpty::Item(StringFormat::DateTime) => TypeRef::DateTime,
        VariantOrUnknownOrEmpty::Item(StringFormat::Binary) => TypeRef::Bytes,
        _ => TypeRef::String,
    }
}

fn integer_type(format: &VariantOrUnknownOrEmpty<IntegerFormat>) -> TypeRef {
    match format {
        VariantOrUnknownOrEmpty::Item(IntegerFormat::Int32) => TypeRef::I32,
        _ => TypeRef::I64,
    }
}

fn additional_allows_extra(additional: Option<&AdditionalProperties>) -> bool {
    matches!(
        additional,
        Some(AdditionalProperties::Any(true)) | Some(AdditionalProperties::Schema(_))
    )
}

/// The doc text of a schema: its description, else its title.
pub(crate) fn schema_doc(schema: &Schema) -> Option<String> {
    let data = &schema.schema_data;
    data.description
        .as_deref()
        .and_then(sanitize)
        .or_else(|| data.title.as_deref().and_then(sanitize))
}

#[cfg(test)]
mod tests {
    use super::{build_with, strongly_connected};
    use crate::Settings;

    /// The project's spec, plus every upstream document when `CAMUNDA_OPENAPI_DIR` names them
    /// (as CI does).
    #[test]
    fn the_warming_thread_changes_nothing_in_the_model() {
        let mut paths = vec![std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../spec/external-task.yaml"
        ))];
        if let Some(dir) = std::env::var_os("CAMUNDA_OPENAPI_DIR").filter(|d| !d.is_empty()) {
            let entries = std::fs::read_dir(&dir).expect("CAMUNDA_OPENAPI_DIR can be read");
            paths.extend(entries.map(|e| e.expect("a directory entry").path()));
        }
        let settings = Settings::camunda7_client();
        for path in paths {
            let text = std::fs::read_to_string(&path).expect("the document can be read");
            let doc = crate::load::load_str(&text).expect("it loads");
            let (alone, alone_diags) = build_with(&doc, &settings, false);
            let (warmed, warmed_diags) = build_with(&doc, &settings, true);
            assert!(alone == warmed, "{}: the models differ", path.display());
            assert_eq!(alone_diags.warnings, warmed_diags.warnings);
            assert!(alone.tags.iter().map(|t| t.ops.len()).sum::<usize>() > 10);
        }
    }

    #[test]
    fn cycles_share_a_component() {
        let succ = vec![vec![1], vec![0], vec![2], vec![]];
        let c = strongly_connected(&succ);
        assert_eq!(c[0], c[1]);
        assert_ne!(c[2], c[3]);
        assert_ne!(c[0], c[3]);
    }
}
