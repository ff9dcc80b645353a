//! Model → tokens. A pure function of the [`Model`]; every name in it is already a valid
//! identifier (see `naming.rs`), every override path already parsed once.

use crate::model::{
    Body, EnumDef, Field, MediaVariant, Model, Operation, Payload, QueryDef, ResponseKind, Segment,
    StructDef, Tag, TypeDef, TypeKind, TypeRef,
};
use crate::naming::{serde_camel, unraw};
use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};
use std::collections::BTreeSet;

/// The whole generated file (without the header comment).
pub fn emit(model: &Model) -> TokenStream {
    let models = emit_models(model);
    let tags = model.tags.iter().map(|t| emit_tag(t, model));
    quote! {
        #models
        #(#tags)*
    }
}

fn ident(name: &str) -> Ident {
    match name.strip_prefix("r#") {
        Some(raw) => Ident::new_raw(raw, Span::call_site()),
        None => Ident::new(name, Span::call_site()),
    }
}

fn doc(text: &str) -> TokenStream {
    // `///` comments are one attribute per line; a leading space keeps prettyplease's
    // output in the conventional `/// text` form.
    let lines = text.lines().map(|line| {
        let line = if line.is_empty() {
            String::new()
        } else {
            format!(" {line}")
        };
        quote!(#[doc = #line])
    });
    quote!(#(#lines)*)
}

/// What a module needs imported.
#[derive(Default)]
struct Uses {
    date_time: bool,
    btree_map: bool,
    named: BTreeSet<String>,
}

impl Uses {
    fn visit(&mut self, ty: &TypeRef) {
        match ty {
            TypeRef::DateTime => self.date_time = true,
            TypeRef::Map(inner) => {
                self.btree_map = true;
                self.visit(inner);
            }
            TypeRef::Vec(inner) => self.visit(inner),
            TypeRef::Named(n) => {
                self.named.insert(n.clone());
            }
            _ => {}
        }
    }
}

fn ty(t: &TypeRef) -> TokenStream {
    match t {
        TypeRef::String => quote!(String),
        TypeRef::DateTime => quote!(DateTime),
        TypeRef::Bool => quote!(bool),
        TypeRef::I32 => quote!(i32),
        TypeRef::I64 => quote!(i64),
        TypeRef::F64 => quote!(f64),
        TypeRef::Bytes => quote!(bytes::Bytes),
        TypeRef::Json => quote!(serde_json::Value),
        TypeRef::Vec(inner) => {
            let inner = ty(inner);
            quote!(Vec<#inner>)
        }
        TypeRef::Map(inner) => {
            let inner = ty(inner);
            quote!(BTreeMap<String, #inner>)
        }
        TypeRef::Named(n) => {
            let n = ident(n);
            quote!(#n)
        }
        TypeRef::External(path) => match syn::parse_str::<syn::Path>(path) {
            Ok(path) => quote!(#path),
            // Unreachable: override paths are checked when the model is built.
            Err(_) => quote!(serde_json::Value),
        },
    }
}

/// `pub mod models { .. }` alone.
pub fn emit_models(model: &Model) -> TokenStream {
    let mut uses = Uses::default();
    let mut serde_derives = false;
    let mut file_parts = false;
    for def in &model.types {
        match &def.kind {
            TypeKind::Struct(s) => {
                serde_derives |= !s.form;
                file_parts |= s.form && s.fields.iter().any(|f| f.ty == TypeRef::Bytes);
                s.fields.iter().for_each(|f| uses.visit(&f.ty));
            }
            TypeKind::Alias(t) => uses.visit(t),
            TypeKind::Enum(_) => serde_derives = true,
        }
    }
    let mut imports = Vec::new();
    if serde_derives {
        imports.push(quote!(
            use serde::{Deserialize, Serialize};
        ));
    }
    if uses.btree_map {
        imports.push(quote!(
            use std::collections::BTreeMap;
        ));
    }
    if uses.date_time {
        imports.push(quote!(
            use crate::DateTime;
        ));
    }
    let file_part = if file_parts {
        emit_file_part()
    } else {
        quote!()
    };
    let items = model.types.iter().map(emit_type);
    let module_doc = doc(&format!(
        "Data types of \"{}\" {}: one per schema of the document.",
        one_line(&model.title),
        one_line(&model.version)
    ));
    quote! {
        #module_doc
        pub mod models {
            #(#imports)*
            #file_part
            #(#items)*
        }
    }
}

fn emit_file_part() -> TokenStream {
    quote! {
        /// A file sent as one part of a `multipart/form-data` request.
        #[derive(Debug, Clone, PartialEq, Default)]
        pub struct FilePart {
            /// The file name sent with the part (the engine uses it, e.g. as a resource name).
            pub file_name: String,
            /// The content.
            pub content: bytes::Bytes,
            /// The media type of the content; `None` sends none.
            pub mime_type: Option<String>,
        }
        impl FilePart {
            /// A part with this file name and content.
            pub fn new(file_name: impl Into<String>, content: impl Into<bytes::Bytes>) -> Self {
                Self {
                    file_name: file_name.into(),
                    content: content.into(),
                    mime_type: None,
                }
            }
            /// The same part with a media type (e.g. `application/octet-stream`).
            pub fn with_mime_type(mut self, mime_type: impl Into<String>) -> Self {
                self.mime_type = Some(mime_type.into());
                self
            }
            /// The `reqwest` part; a media type that does not parse is left out.
            pub fn to_part(&self) -> reqwest::multipart::Part {
                let part = || {
                    reqwest::multipart::Part::stream(self.content.clone())
                        .file_name(self.file_name.clone())
                };
                match &self.mime_type {
                    Some(mime_type) => part().mime_str(mime_type).unwrap_or_else(|_| part()),
                    None => part(),
                }
            }
        }
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn emit_type(def: &TypeDef) -> TokenStream {
    let name = ident(&def.name);
    let docs = doc(&def.doc);
    match &def.kind {
        TypeKind::Struct(s) => emit_struct(&name, &docs, s),
        TypeKind::Enum(e) => emit_enum(&name, &docs, e),
        TypeKind::Alias(t) => {
            let t = ty(t);
            quote! {
                #docs
                pub type #name = #t;
            }
        }
    }
}

/// `#[serde(rename_all = "camelCase")]` when it saves at least one rename, plus the per-field
/// attributes.
fn serde_fields(fields: &[Field]) -> (TokenStream, Vec<TokenStream>) {
    let camel_helps = fields
        .iter()
        .any(|f| serde_camel(&f.name) == f.json_name && unraw(&f.name) != f.json_name);
    let container = if camel_helps {
        quote!(#[serde(rename_all = "camelCase")])
    } else {
        quote!()
    };
    let fields = fields
        .iter()
        .map(|f| {
            let implied = if camel_helps {
                serde_camel(&f.name)
            } else {
                unraw(&f.name).to_owned()
            };
            let mut args = Vec::new();
            if implied != f.json_name {
                let json = &f.json_name;
                args.push(quote!(rename = #json));
            }
            if !f.required {
                args.push(quote!(skip_serializing_if = "Option::is_none"));
            }
            let docs = doc(&f.doc);
            let name = ident(&f.name);
            let mut t = ty(&f.ty);
            if f.boxed {
                t = quote!(Box<#t>);
            }
            if !f.required {
                t = quote!(Option<#t>);
            }
            let attr = if args.is_empty() {
                quote!()
            } else {
                quote!(#[serde(#(#args),*)])
            };
            quote! {
                #docs
                #attr
                pub #name: #t,
            }
        })
        .collect();
    (container, fields)
}

fn emit_struct(name: &Ident, docs: &TokenStream, s: &StructDef) -> TokenStream {
    if s.form {
        return emit_form(name, docs, s);
    }
    let (container, fields) = serde_fields(&s.fields);
    let default = if s.derive_default {
        quote!(Default,)
    } else {
        quote!()
    };
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq, #default Serialize, Deserialize)]
        #container
        pub struct #name {
            #(#fields)*
        }
    }
}

/// A multipart form: plain fields, binary ones as lists of [`FilePart`]s, and `to_form()`.
fn emit_form(name: &Ident, docs: &TokenStream, s: &StructDef) -> TokenStream {
    let fields = s.fields.iter().map(|f| {
        let docs = doc(&f.doc);
        let field = ident(&f.name);
        let t = if f.ty == TypeRef::Bytes {
            quote!(Vec<FilePart>)
        } else if f.required {
            ty(&f.ty)
        } else {
            let t = ty(&f.ty);
            quote!(Option<#t>)
        };
        quote! { #docs pub #field: #t, }
    });
    let parts = s.fields.iter().map(|f| {
        let field = ident(&f.name);
        let json = &f.json_name;
        if f.ty == TypeRef::Bytes {
            let later = format!("{json}{{}}");
            return quote! {
                for (i, file) in self.#field.iter().enumerate() {
                    let part_name = if i == 0 { #json.to_owned() } else { format!(#later, i + 1) };
                    form = form.part(part_name, file.to_part());
                }
            };
        }
        let text = match &f.ty {
            TypeRef::String
            | TypeRef::Bool
            | TypeRef::I32
            | TypeRef::I64
            | TypeRef::F64
            | TypeRef::DateTime => quote!(value.to_string()),
            TypeRef::Named(_) => quote!(value.to_string()),
            _ => quote!(serde_json::to_string(value).unwrap_or_default()),
        };
        if f.required {
            quote! {
                let value = &self.#field;
                form = form.text(#json, #text);
            }
        } else {
            quote! {
                if let Some(value) = &self.#field {
                    form = form.text(#json, #text);
                }
            }
        }
    });
    let default = if s.derive_default {
        quote!(Default,)
    } else {
        quote!()
    };
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq, #default)]
        pub struct #name {
            #(#fields)*
        }
        impl #name {
            /// The `multipart/form-data` form: one part per field that is set.
            pub fn to_form(&self) -> reqwest::multipart::Form {
                let mut form = reqwest::multipart::Form::new();
                #(#parts)*
                form
            }
        }
    }
}

fn emit_enum(name: &Ident, docs: &TokenStream, e: &EnumDef) -> TokenStream {
    let fallback = ident(&e.fallback);
    let variants = e.variants.iter().map(|v| {
        let variant = ident(&v.name);
        let vdoc = doc(&format!("`{}`", v.value.replace('`', "'")));
        quote! { #vdoc #variant, }
    });
    let to_str = e.variants.iter().map(|v| {
        let variant = ident(&v.name);
        let value = &v.value;
        quote!(Self::#variant => #value,)
    });
    let from_str = e.variants.iter().map(|v| {
        let variant = ident(&v.name);
        let value = &v.value;
        quote!(#value => Self::#variant,)
    });
    let fallback_doc = doc("A value this version of the document does not list.");
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum #name {
            #(#variants)*
            #fallback_doc
            #fallback(String),
        }
        impl #name {
            /// The value as it appears in JSON.
            pub fn as_str(&self) -> &str {
                match self {
                    #(#to_str)*
                    Self::#fallback(value) => value,
                }
            }
        }
        impl From<&str> for #name {
            fn from(value: &str) -> Self {
                match value {
                    #(#from_str)*
                    other => Self::#fallback(other.to_owned()),
                }
            }
        }
        impl std::fmt::Display for #name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
        impl<'de> Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = String::deserialize(deserializer)?;
                Ok(Self::from(value.as_str()))
            }
        }
    }
}

/// One tag module alone.
pub fn emit_tag(tag: &Tag, model: &Model) -> TokenStream {
    let module = ident(&tag.module);
    let api = ident(&tag.api);
    let accessor = ident(&tag.accessor);
    let module_doc = doc(&tag.doc);
    let api_doc = doc(&format!(
        "The operations tagged `{}`; get one with [`Client::{}`](crate::Client::{}).",
        tag.name,
        unraw(&tag.accessor),
        unraw(&tag.accessor)
    ));
    let accessor_doc = doc(&format!("The `{}` operations.", tag.name));

    let mut uses = Uses::default();
    let mut serialize = false;
    for op in &tag.ops {
        if let Some(q) = &op.query {
            serialize = true;
            q.fields.iter().for_each(|f| uses.visit(&f.ty));
        }
        match &op.body {
            Some(Body::Json { ty }) | Some(Body::Multipart { parts: Some(ty) }) => uses.visit(ty),
            Some(Body::Multipart { parts: None }) | None => {}
        }
        match &op.response {
            ResponseKind::One(Payload::Json(t)) | ResponseKind::Optional(Payload::Json(t)) => {
                uses.visit(t)
            }
            ResponseKind::ByContentType { variants, .. } => {
                for v in variants {
                    if let Payload::Json(t) = &v.payload {
                        uses.visit(t);
                    }
                }
            }
            _ => {}
        }
    }
    let mut imports = Vec::new();
    if !uses.named.is_empty() {
        let names = uses.named.iter().map(|n| ident(n));
        imports.push(quote!(use super::models::{#(#names),*};));
    }
    if serialize {
        imports.push(quote!(
            use serde::Serialize;
        ));
    }
    if uses.btree_map {
        imports.push(quote!(
            use std::collections::BTreeMap;
        ));
    }
    if uses.date_time {
        imports.push(quote!(
            use crate::DateTime;
        ));
    }
    let queries = tag
        .ops
        .iter()
        .filter_map(|op| op.query.as_ref())
        .map(emit_query);
    let responses = tag.ops.iter().filter_map(emit_response_enum);
    let methods = tag.ops.iter().map(|op| emit_method(op, model));
    quote! {
        #module_doc
        pub mod #module {
            #(#imports)*

            #api_doc
            #[derive(Clone, Copy)]
            pub struct #api<'a> {
                client: &'a crate::Client,
            }

            impl crate::Client {
                #accessor_doc
                pub fn #accessor(&self) -> #api<'_> {
                    #api { client: self }
                }
            }

            #(#queries)*
            #(#responses)*

            impl #api<'_> {
                #(#methods)*
            }
        }
    }
}

fn emit_query(q: &QueryDef) -> TokenStream {
    let name = ident(&q.name);
    let docs = doc(&q.doc);
    let (container, fields) = serde_fields(&q.fields);
    let default = if q.derive_default {
        quote!(Default,)
    } else {
        quote!()
    };
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq, #default Serialize)]
        #container
        pub struct #name {
            #(#fields)*
        }
    }
}

fn payload_type(p: &Payload) -> TokenStream {
    match p {
        Payload::Json(t) => ty(t),
        Payload::Text => quote!(String),
        Payload::Bytes => quote!(bytes::Bytes),
    }
}

fn emit_response_enum(op: &Operation) -> Option<TokenStream> {
    let ResponseKind::ByContentType { name, variants, .. } = &op.response else {
        return None;
    };
    let name = ident(name);
    let docs = doc(&format!(
        "The success body of `{} {}`, by the response's `Content-Type`.",
        op.method.as_str(),
        op.path
    ));
    let variants = variants.iter().map(|v| {
        let variant = ident(&v.name);
        let t = payload_type(&v.payload);
        let vdoc = doc(&format!("A `{}` body.", v.media_types.join("` or `")));
        quote!(#vdoc #variant(#t),)
    });
    Some(quote! {
        #docs
        #[derive(Debug, Clone, PartialEq)]
        pub enum #name {
            #(#variants)*
        }
    })
}

fn emit_method(op: &Operation, model: &Model) -> TokenStream {
    let _ = model;
    let name = ident(&op.fn_name);
    let docs = doc(&op.doc);
    let method = format_ident!("{}", op.method.as_str());

    let mut args = Vec::new();
    let mut prelude = Vec::new();
    for p in &op.path_params {
        let arg = ident(&p.name);
        if p.ty == TypeRef::String {
            args.push(quote!(#arg: &str));
        } else {
            let t = ty(&p.ty);
            args.push(quote!(#arg: #t));
            prelude.push(quote!(let #arg = #arg.to_string();));
        }
    }
    let segments = op.segments.iter().map(|s| match s {
        Segment::Literal(text) => quote!(#text),
        Segment::Param(p) => {
            let arg = ident(p);
            let is_str = op
                .path_params
                .iter()
                .any(|pp| &pp.name == p && pp.ty == TypeRef::String);
            if is_str {
                quote!(#arg)
            } else {
                quote!(#arg.as_str())
            }
        }
    });
    let mut chain = vec![quote!(.request(reqwest::Method::#method, &[#(#segments),*]))];
    if let Some(q) = &op.query {
        let qname = ident(&q.name);
        args.push(quote!(query: &#qname));
        chain.push(quote!(.query(query)));
    }
    match &op.body {
        Some(Body::Json { ty: body_ty }) => {
            let t = match body_ty {
                TypeRef::Vec(inner) => {
                    let inner = ty(inner);
                    quote!([#inner])
                }
                TypeRef::String => quote!(str),
                other => ty(other),
            };
            args.push(quote!(body: &#t));
            chain.push(quote!(.json(body)));
        }
        Some(Body::Multipart {
            parts: Some(parts_ty),
        }) => {
            let t = ty(parts_ty);
            args.push(quote!(body: &#t));
            chain.push(quote!(.multipart(body.to_form())));
        }
        Some(Body::Multipart { parts: None }) => {
            args.push(quote!(form: reqwest::multipart::Form));
            chain.push(quote!(.multipart(form)));
        }
        None => {}
    }
    if let Some(lp) = &op.long_poll {
        let field = ident(&lp.field);
        let value = match (lp.optional, lp.is_i32) {
            (true, true) => quote!(body.#field.map(i64::from)),
            (true, false) => quote!(body.#field),
            (false, true) => quote!(Some(i64::from(body.#field))),
            (false, false) => quote!(Some(body.#field)),
        };
        chain.push(quote!(.long_poll(#value)));
    }
    chain.push(quote!(.send().await?));

    let (ret, tail) = match &op.response {
        ResponseKind::Empty => (quote!(()), quote!(.empty().await)),
        ResponseKind::One(p) => {
            let decode = match p {
                Payload::Json(_) => quote!(.json().await),
                Payload::Text => quote!(.text().await),
                Payload::Bytes => quote!(.bytes().await),
            };
            (payload_type(p), decode)
        }
        ResponseKind::Optional(Payload::Text) => {
            (quote!(Option<String>), quote!(.optional_text().await))
        }
        ResponseKind::Optional(p) => {
            let t = payload_type(p);
            let decode = match p {
                Payload::Json(_) => quote!(response.json().await.map(Some)),
                _ => quote!(response.bytes().await.map(Some)),
            };
            let body = quote! {
                #(#prelude)*
                let response = self.client #(#chain)*;
                if response.status().as_u16() == 204 {
                    return Ok(None);
                }
                #decode
            };
            return method_item(&docs, &name, &args, &quote!(Option<#t>), body);
        }
        ResponseKind::ByContentType {
            name: enum_name,
            variants,
            optional,
        } => {
            let enum_ident = ident(enum_name);
            let arms = content_type_arms(&enum_ident, variants);
            let (ret, wrap) = if *optional {
                (quote!(Option<#enum_ident>), quote!(Ok(Some(value))))
            } else {
                (quote!(#enum_ident), quote!(Ok(value)))
            };
            let no_content = if *optional {
                quote! {
                    if response.status().as_u16() == 204 {
                        return Ok(None);
                    }
                }
            } else {
                quote!()
            };
            let body = quote! {
                #(#prelude)*
                let response = self.client #(#chain)*;
                #no_content
                let media = response
                    .content_type()
                    .unwrap_or_default()
                    .split(';')
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_ascii_lowercase();
                let value = match media.as_str() {
                    #arms
                };
                #wrap
            };
            return method_item(&docs, &name, &args, &ret, body);
        }
    };
    let body = quote! {
        #(#prelude)*
        self.client #(#chain)* #tail
    };
    method_item(&docs, &name, &args, &ret, body)
}

fn method_item(
    docs: &TokenStream,
    name: &Ident,
    args: &[TokenStream],
    ret: &TokenStream,
    body: TokenStream,
) -> TokenStream {
    quote! {
        #docs
        pub async fn #name(&self, #(#args),*) -> Result<#ret, crate::Error> {
            #body
        }
    }
}

/// Match arms choosing the variant by media type; the binary (or last) variant takes
/// whatever matches nothing else.
fn content_type_arms(enum_ident: &Ident, variants: &[MediaVariant]) -> TokenStream {
    let fallback = variants
        .iter()
        .position(|v| v.media_types.iter().any(|m| m == "*/*"))
        .or_else(|| variants.iter().position(|v| v.payload == Payload::Bytes))
        .unwrap_or(variants.len().saturating_sub(1));
    let decode = |v: &MediaVariant| {
        let variant = ident(&v.name);
        match v.payload {
            Payload::Json(_) => quote!(#enum_ident::#variant(response.json().await?)),
            Payload::Text => quote!(#enum_ident::#variant(response.text().await?)),
            Payload::Bytes => quote!(#enum_ident::#variant(response.bytes().await?)),
        }
    };
    let mut arms = Vec::new();
    for (i, v) in variants.iter().enumerate() {
        if i == fallback {
            continue;
        }
        let exact: Vec<&String> = v
            .media_types
            .iter()
            .filter(|m| !m.ends_with("/*"))
            .collect();
        let value = decode(v);
        if !exact.is_empty() {
            arms.push(quote!(#(#exact)|* => #value,));
        }
        for wildcard in v
            .media_types
            .iter()
            .filter(|m| m.ends_with("/*") && *m != "*/*")
        {
            let prefix = wildcard.trim_end_matches('*');
            arms.push(quote!(m if m.starts_with(#prefix) => #value,));
        }
    }
    if let Some(v) = variants.get(fallback) {
        let value = decode(v);
        arms.push(quote!(_ => #value,));
    }
    quote!(#(#arms)*)
}
