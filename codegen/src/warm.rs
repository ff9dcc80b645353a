//! Warming the memo for the operations while the components are being lowered.
//!
//! Lowering is one thread's work, and most of its time goes into the text conversions the memo
//! remembers: case conversion of names and sanitizing of descriptions. They are pure, so a second
//! thread can run the ones the operations will ask for while the first lowers the component
//! schemas; the first then takes over those results. This walk follows what `operations.rs`
//! converts. Where it converts too much, only the helper thread's time is lost; where it misses
//! something, the lowering converts it itself, so the model never depends on this file.

use crate::docs::sanitize;
use crate::lower::schema_doc;
use crate::naming::{camel, snake};
use crate::resolve::Resolver;
use openapiv3::{
    AdditionalProperties, OpenAPI, Parameter, ParameterSchemaOrContent, ReferenceOr, Schema,
    SchemaKind, Type,
};
use std::borrow::Borrow;

/// How deep inline schemas are followed (the lowering itself has its own limits).
const MAX_DEPTH: usize = 16;

/// Runs the conversions the operations of `doc` will need, for the memo of this thread.
pub(crate) fn operations(doc: &OpenAPI) {
    let resolver = Resolver::new(doc);
    for (_, item) in doc.paths.iter() {
        let ReferenceOr::Item(item) = item else {
            continue;
        };
        item.parameters
            .iter()
            .for_each(|p| parameter(&resolver, p, ""));
        for (_, op) in item.iter() {
            let op_camel = op.operation_id.as_deref().map(|id| {
                snake(id);
                camel(id)
            });
            let op_camel = op_camel.as_deref().unwrap_or_default();
            op.summary.as_deref().map(sanitize);
            op.description.as_deref().map(sanitize);
            op.parameters
                .iter()
                .for_each(|p| parameter(&resolver, p, op_camel));
            if let Some(body) = op
                .request_body
                .as_ref()
                .and_then(|b| resolver.request_body(b).ok())
            {
                body.content
                    .values()
                    .filter_map(|media| media.schema.as_ref())
                    .for_each(|s| follow(s, 0));
            }
            for item in op.responses.responses.values() {
                let Ok(response) = resolver.response(item) else {
                    continue;
                };
                response
                    .content
                    .values()
                    .filter_map(|media| media.schema.as_ref())
                    .for_each(|s| follow(s, 0));
            }
        }
    }
    for tag in &doc.tags {
        snake(&tag.name);
        camel(&tag.name);
        tag.description.as_deref().map(sanitize);
    }
}

fn parameter(resolver: &Resolver<'_>, item: &ReferenceOr<Parameter>, op_camel: &str) {
    let Ok(param) = resolver.parameter(item) else {
        return;
    };
    let data = param.parameter_data_ref();
    snake(&data.name);
    data.description.as_deref().map(sanitize);
    if let Parameter::Query { .. } = param {
        if let ParameterSchemaOrContent::Schema(ReferenceOr::Item(s)) = &data.format {
            if crate::lower::string_enum_values(s).is_some() {
                // An inline enum becomes a type named after the operation and the parameter.
                camel(&format!("{op_camel}{}", camel(&data.name)));
            }
            schema(s, 0);
        }
    }
}

/// A property's field name, and the camel-case name its inline type would be named after.
fn property(name: &str, prop: &ReferenceOr<Box<Schema>>) {
    snake(name);
    if let ReferenceOr::Item(s) = prop {
        if crate::lower::is_struct_like(s) || crate::lower::string_enum_values(s).is_some() {
            camel(name);
        }
    }
}

/// An inline schema (the schema itself or boxed); references are left to the components.
fn follow<S: Borrow<Schema>>(item: &ReferenceOr<S>, depth: usize) {
    if let ReferenceOr::Item(s) = item {
        schema(s.borrow(), depth);
    }
}

fn schema(s: &Schema, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    schema_doc(s);
    if let Some(values) = crate::lower::string_enum_values(s) {
        values.iter().for_each(|v| {
            camel(v);
        });
    }
    let inline = |item: &ReferenceOr<Schema>| follow(item, depth + 1);
    let boxed = |item: &ReferenceOr<Box<Schema>>| follow(item, depth + 1);
    let additional = |a: Option<&AdditionalProperties>| {
        if let Some(AdditionalProperties::Schema(s)) = a {
            inline(s);
        }
    };
    match &s.schema_kind {
        SchemaKind::Type(Type::Object(o)) => {
            for (name, prop) in &o.properties {
                property(name, prop);
                boxed(prop);
            }
            additional(o.additional_properties.as_ref());
        }
        SchemaKind::Type(Type::Array(a)) => {
            if let Some(items) = &a.items {
                boxed(items);
            }
        }
        SchemaKind::AllOf { all_of } => all_of.iter().for_each(inline),
        SchemaKind::OneOf { one_of } => one_of.iter().for_each(inline),
        SchemaKind::AnyOf { any_of } => any_of.iter().for_each(inline),
        SchemaKind::Any(a) => {
            for (name, prop) in &a.properties {
                property(name, prop);
                boxed(prop);
            }
            if let Some(items) = &a.items {
                boxed(items);
            }
            a.all_of.iter().for_each(inline);
            additional(a.additional_properties.as_ref());
        }
        _ => {}
    }
}
