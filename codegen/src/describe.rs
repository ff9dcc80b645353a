//! The doc text a document leaves to the generator, written once the whole model is known:
//! where an undescribed type is used, what an undescribed field holds, how each operation is
//! called; then every doc's links are made to work outside Camunda's docs site
//! ([`crate::docs::resolve_links`]).
//!
//! A pure function of the model: uses are collected in model order (tags sorted, operations
//! in document order, then types sorted by name and their fields in order), so the text is the
//! same in every run.

use crate::docs::{docs_base, resolve_links};
use crate::model::{Body, Field, Model, Payload, ResponseKind, TypeKind, TypeRef};
use crate::naming::NameMap;
use std::borrow::Cow;

/// How many uses a type's doc lists before it sums up the rest.
const LISTED_USES: usize = 5;

/// Fills the docs the document did not give (left empty by the lowering), adds the call line
/// to every operation and resolves the links of every doc in `model`. `merged` holds the
/// (part, whole) pairs of structs merged into others through `allOf`.
pub(crate) fn complete(model: &mut Model, merged: &[(String, String)]) {
    // What the document says about a type, for the fields that refer to it.
    let summaries: NameMap<String> = model
        .types
        .iter()
        .filter_map(|def| Some((def.name.clone(), first_paragraph(&def.doc)?.to_owned())))
        .collect();
    let uses = collect_uses(model, merged);
    for def in &mut model.types {
        if def.doc.is_empty() {
            def.doc = usage_doc(uses.get(&def.name).map_or(&[][..], Vec::as_slice));
            if def.doc.is_empty() {
                let schema = def.source.rsplit('/').next().unwrap_or(&def.name);
                def.doc = format!(
                    "The `{schema}` schema of the document, which no generated operation or type uses."
                );
            }
        }
        if let TypeKind::Struct(s) = &mut def.kind {
            for field in s.fields.iter_mut().filter(|f| f.doc.is_empty()) {
                field.doc = field_doc(field, &summaries);
            }
        }
    }
    for tag in &mut model.tags {
        for op in &mut tag.ops {
            let mut args: Vec<String> = op.path_params.iter().map(|p| p.name.clone()).collect();
            if op.query.is_some() {
                args.push("&query".to_owned());
            }
            match &op.body {
                Some(Body::Json { .. }) | Some(Body::Multipart { parts: Some(_) }) => {
                    args.push("&body".to_owned())
                }
                Some(Body::Multipart { parts: None }) => args.push("form".to_owned()),
                None => {}
            }
            op.doc.push_str(&format!(
                "\n\n```text\nclient.{}().{}({}).await?\n```",
                tag.accessor,
                op.fn_name,
                args.join(", ")
            ));
        }
    }
    let base = docs_base(&model.version);
    let base = base.as_deref();
    let fix = |doc: &mut String| {
        if let Cow::Owned(fixed) = resolve_links(doc, base) {
            *doc = fixed;
        }
    };
    for def in &mut model.types {
        fix(&mut def.doc);
        if let TypeKind::Struct(s) = &mut def.kind {
            s.fields.iter_mut().for_each(|f| fix(&mut f.doc));
        }
    }
    for tag in &mut model.tags {
        fix(&mut tag.doc);
        for op in &mut tag.ops {
            fix(&mut op.doc);
            for param in &mut op.path_params {
                if let Some(doc) = &mut param.doc {
                    fix(doc);
                }
            }
            if let Some(query) = &mut op.query {
                fix(&mut query.doc);
                query.fields.iter_mut().for_each(|f| fix(&mut f.doc));
            }
        }
    }
}

/// How a type is reached from the place that uses it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Reach {
    /// The place has the type itself.
    Direct,
    /// The place is a list of it.
    Items,
    /// The place is a map of it.
    Values,
}

/// One place that uses a type, as a sentence; `place` is a noun phrase without its article
/// (`request body of \`POST /a\``).
fn use_sentence(reach: Reach, place: &str) -> String {
    match reach {
        Reach::Direct if place.starts_with('`') => format!("The {place}."),
        Reach::Direct => {
            let mut chars = place.chars();
            let first = chars.next().map(|c| c.to_uppercase().collect::<String>());
            format!("{}{}.", first.unwrap_or_default(), chars.as_str())
        }
        Reach::Items => format!("Items of the {place}."),
        Reach::Values => format!("Values of the {place}."),
    }
}

/// The uses of every type without a doc, as sentences in model order, without repeats.
fn collect_uses(model: &Model, merged: &[(String, String)]) -> NameMap<Vec<String>> {
    let mut uses: NameMap<Vec<String>> = model
        .types
        .iter()
        .filter(|def| def.doc.is_empty())
        .map(|def| (def.name.clone(), Vec::new()))
        .collect();
    let mut add = |ty: &TypeRef, place: &dyn Fn() -> String| {
        let (reach, name) = match ty {
            TypeRef::Named(name) => (Reach::Direct, name),
            TypeRef::Vec(inner) | TypeRef::Map(inner) => {
                let reach = if matches!(ty, TypeRef::Vec(_)) {
                    Reach::Items
                } else {
                    Reach::Values
                };
                match innermost(inner) {
                    Some(name) => (reach, name),
                    None => return,
                }
            }
            _ => return,
        };
        if let Some(list) = uses.get_mut(name) {
            let sentence = use_sentence(reach, &place());
            if !list.contains(&sentence) {
                list.push(sentence);
            }
        }
    };
    for op in model.tags.iter().flat_map(|t| &t.ops) {
        let at = format!("`{} {}`", op.method.as_str(), op.path);
        match &op.body {
            Some(Body::Json { ty }) => add(ty, &|| format!("request body of {at}")),
            Some(Body::Multipart { parts: Some(ty) }) => {
                add(ty, &|| format!("multipart form of {at}"))
            }
            _ => {}
        }
        let mut payload = |p: &Payload| {
            if let Payload::Json(ty) = p {
                add(ty, &|| format!("response of {at}"));
            }
        };
        match &op.response {
            ResponseKind::One(p) | ResponseKind::Optional(p) => payload(p),
            ResponseKind::ByContentType { variants, .. } => {
                variants.iter().for_each(|v| payload(&v.payload))
            }
            ResponseKind::Empty => {}
        }
        for field in op.query.iter().flat_map(|q| &q.fields) {
            add(&field.ty, &|| {
                format!("`{}` query parameter of {at}", field.json_name)
            });
        }
    }
    for def in &model.types {
        match &def.kind {
            TypeKind::Struct(s) => {
                for field in &s.fields {
                    add(&field.ty, &|| {
                        format!("`{}` field of [`{}`]", field.json_name, def.name)
                    });
                }
            }
            TypeKind::Alias(ty) => add(ty, &|| format!("alias [`{}`]", def.name)),
            TypeKind::Enum(_) => {}
        }
    }
    for (part, whole) in merged {
        if let Some(list) = uses.get_mut(part) {
            let sentence = format!("Its fields are also fields of [`{whole}`].");
            if !list.contains(&sentence) {
                list.push(sentence);
            }
        }
    }
    uses
}

/// The named type at the bottom of nested lists and maps.
fn innermost(ty: &TypeRef) -> Option<&String> {
    match ty {
        TypeRef::Named(name) => Some(name),
        TypeRef::Vec(inner) | TypeRef::Map(inner) => innermost(inner),
        _ => None,
    }
}

/// The doc of a type the document does not describe: where it is used (empty when nowhere).
fn usage_doc(uses: &[String]) -> String {
    match uses {
        [] => String::new(),
        [one] => one.clone(),
        many => {
            let mut doc = format!("Used in {} places:\n", many.len());
            let listed = if many.len() > LISTED_USES {
                LISTED_USES - 1
            } else {
                many.len()
            };
            for sentence in &many[..listed] {
                doc.push_str(&format!("\n- {sentence}"));
            }
            if listed < many.len() {
                doc.push_str(&format!("\n- And {} more.", many.len() - listed));
            }
            doc
        }
    }
}

/// The doc of a field the document does not describe (typically a `$ref`): what it holds, and
/// the first paragraph of that type's own description.
fn field_doc(field: &Field, summaries: &NameMap<String>) -> String {
    let mut doc = format!(
        "The `{}` property: {}.",
        field.json_name,
        type_phrase(&field.ty, false)
    );
    if let Some(summary) = innermost(&field.ty).and_then(|name| summaries.get(name)) {
        doc.push_str("\n\n");
        doc.push_str(summary);
    }
    doc
}

/// What a value of `ty` is, in words (`plural` for the items of a list or map).
fn type_phrase(ty: &TypeRef, plural: bool) -> String {
    let word = |one: &str, many: &str| if plural { many } else { one }.to_owned();
    match ty {
        TypeRef::String => word("a string", "strings"),
        TypeRef::DateTime => word("a date and time", "dates and times"),
        TypeRef::Bool => word("a boolean", "booleans"),
        TypeRef::I32 | TypeRef::I64 => word("an integer", "integers"),
        TypeRef::F64 => word("a number", "numbers"),
        TypeRef::Bytes => word("binary content", "binary contents"),
        TypeRef::Json => word("any JSON value", "JSON values"),
        TypeRef::Vec(inner) => format!("a list of {}", type_phrase(inner, true)),
        TypeRef::Map(inner) => format!("a map from names to {}", type_phrase(inner, true)),
        TypeRef::Named(name) | TypeRef::External(name) => format!("[`{name}`]"),
    }
}

/// The first paragraph of a doc, when it is plain prose (no code block).
fn first_paragraph(doc: &str) -> Option<&str> {
    let first = doc.split("\n\n").next()?.trim();
    (!first.is_empty() && !first.contains("```")).then_some(first)
}

#[cfg(test)]
mod tests {
    use super::{type_phrase, usage_doc};
    use crate::model::TypeRef;

    #[test]
    fn one_use_is_a_sentence_and_many_are_a_capped_list() {
        assert_eq!(
            usage_doc(&["Response of `GET /a`.".to_owned()]),
            "Response of `GET /a`."
        );
        let many: Vec<String> = (1..=7).map(|i| format!("Use {i}.")).collect();
        assert_eq!(
            usage_doc(&many),
            "Used in 7 places:\n\n- Use 1.\n- Use 2.\n- Use 3.\n- Use 4.\n- And 3 more."
        );
        let five: Vec<String> = (1..=5).map(|i| format!("Use {i}.")).collect();
        assert!(usage_doc(&five).ends_with("- Use 5."));
        assert!(usage_doc(&[]).is_empty());
    }

    #[test]
    fn type_phrases_read_as_words() {
        let list = TypeRef::Vec(Box::new(TypeRef::Named("Item".into())));
        assert_eq!(type_phrase(&list, false), "a list of [`Item`]");
        let map = TypeRef::Map(Box::new(TypeRef::String));
        assert_eq!(type_phrase(&map, false), "a map from names to strings");
    }
}
