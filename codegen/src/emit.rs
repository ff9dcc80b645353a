//! Model → `syn` syntax tree. A pure function of the [`Model`]; every name in it is already a
//! valid identifier (see `naming.rs`), every override path already parsed once.
//!
//! Everything that repeats in a large document — doc comments, struct fields with their serde
//! attributes, enum variants and their `as_str`/`From<&str>` impls, types, the common method
//! shapes — is built as `syn` nodes directly: printing it as tokens only for `syn` to parse it
//! back was most of the generator's time on the full Camunda document. What is rare (a tag's
//! handle, multipart forms, responses chosen by content type) is written with `quote!` and
//! parsed.

use crate::error::Failure;
use crate::model::{
    Body, EnumDef, Field, MediaVariant, Model, Operation, Payload, QueryDef, ResponseKind, Segment,
    StructDef, Tag, TypeDef, TypeKind, TypeRef,
};
use crate::naming::{serde_camel, unraw};
use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;
use std::collections::BTreeSet;
use syn::punctuated::Punctuated;

/// The whole generated file (without the header comment).
pub fn emit(model: &Model) -> Result<syn::File, Failure> {
    let mut items = vec![emit_models(model)?];
    for tag in &model.tags {
        items.push(emit_tag(tag, model)?);
    }
    items.extend(emit_client_ext(model)?);
    Ok(file(items))
}

/// The runtime module's path (`crate::runtime`, `::camunda7_client::runtime`).
fn runtime_path(model: &Model) -> Result<syn::Path, Failure> {
    syn::parse_str(&model.runtime_path).map_err(|e| {
        Failure::single(
            "settings",
            format!(
                "the runtime path `{}` is not a Rust path: {e}",
                model.runtime_path
            ),
        )
    })
}

/// In a crate other than `camunda7-client`: the `ClientExt` trait that adds the tag accessors
/// to `Client` (inherent methods cannot be added to a type of another crate). Nothing for
/// `camunda7-client` itself, whose tag modules add inherent methods.
pub fn emit_client_ext(model: &Model) -> Result<Vec<syn::Item>, Failure> {
    if !model.extension_trait {
        return Ok(Vec::new());
    }
    let runtime = runtime_path(model)?;
    let signatures = model.tags.iter().map(|tag| {
        let module = ident(&tag.module);
        let api = ident(&tag.api);
        let accessor = ident(&tag.accessor);
        let doc = format!(" The `{}` operations.", tag.name);
        quote! {
            #[doc = #doc]
            fn #accessor(&self) -> #module::#api<'_>;
        }
    });
    let bodies = model.tags.iter().map(|tag| {
        let module = ident(&tag.module);
        let api = ident(&tag.api);
        let accessor = ident(&tag.accessor);
        quote! {
            fn #accessor(&self) -> #module::#api<'_> {
                #module::#api { client: self }
            }
        }
    });
    let doc = format!(
        " The operations of \"{}\" {} on [`Client`]({}::Client), one accessor per tag: \
         `client.{}()`. Bring the trait into scope with `use ...::ClientExt as _;`.",
        one_line(&model.title),
        one_line(&model.version),
        model.runtime_path,
        model.tags.first().map_or("tag", |t| unraw(&t.accessor))
    );
    let file: syn::File = parse(quote! {
        #[doc = #doc]
        pub trait ClientExt {
            #(#signatures)*
        }
        impl ClientExt for #runtime::Client {
            #(#bodies)*
        }
    })?;
    Ok(file.items)
}

/// A file of these items, ready for `prettyplease`.
pub fn file(items: Vec<syn::Item>) -> syn::File {
    syn::File {
        shebang: None,
        attrs: Vec::new(),
        items,
    }
}

// ---- syn building blocks -------------------------------------------------------------------

fn span() -> Span {
    Span::call_site()
}

fn ident(name: &str) -> Ident {
    match name.strip_prefix("r#") {
        Some(raw) => Ident::new_raw(raw, span()),
        None => Ident::new(name, span()),
    }
}

/// Parses generator-written tokens. A failure is a bug in this file, reported as an error
/// rather than a panic.
fn parse<T: syn::parse::Parse>(tokens: TokenStream) -> Result<T, Failure> {
    syn::parse2(tokens).map_err(|e| {
        Failure::single(
            "generator",
            format!("internal error: the generated code does not parse ({e}); please report this"),
        )
    })
}

/// `///` comments: one `#[doc = r" line"]` attribute per line. The leading space keeps
/// prettyplease's output in the conventional `/// text` form.
fn doc(text: &str) -> Vec<syn::Attribute> {
    text.lines()
        .map(|line| {
            attribute(syn::Meta::NameValue(syn::MetaNameValue {
                path: ident("doc").into(),
                eq_token: Default::default(),
                value: literal(doc_literal(line)),
            }))
        })
        .collect()
}

/// A doc line as a raw string literal with a leading space (`r" line"`, or `r#" line"#` and
/// so on when the text holds `"` followed by hashes; an empty line stays empty). Doc text is
/// half of the generated code: a raw literal keeps it as it is, where an ordinary one would
/// escape it character by character here and unescape it again when prettyplease prints the
/// `///` line, which made up a sixth of the generator's time.
fn doc_literal(line: &str) -> syn::Lit {
    let mut hashes = 0;
    let mut rest = line;
    while let Some(quote) = rest.find('"') {
        rest = &rest[quote + 1..];
        let run = rest.len() - rest.trim_start_matches('#').len();
        hashes = hashes.max(run + 1);
    }
    let mut repr = String::with_capacity(line.len() + 4 + 2 * hashes);
    repr.push('r');
    (0..hashes).for_each(|_| repr.push('#'));
    repr.push('"');
    if !line.is_empty() {
        repr.push(' ');
        repr.push_str(line);
    }
    repr.push('"');
    (0..hashes).for_each(|_| repr.push('#'));
    match repr.parse::<proc_macro2::Literal>() {
        Ok(literal) => syn::Lit::new(literal),
        // A bare carriage return cannot be in a raw literal; docs never hold one, but be safe.
        Err(_) => syn::Lit::Str(syn::LitStr::new(
            &repr[hashes + 2..repr.len() - hashes - 1],
            span(),
        )),
    }
}

/// `#[name(args)]`; the arguments stay tokens, as `syn` itself keeps them.
fn list_attribute(name: &str, args: TokenStream) -> syn::Attribute {
    attribute(syn::Meta::List(syn::MetaList {
        path: ident(name).into(),
        delimiter: syn::MacroDelimiter::Paren(Default::default()),
        tokens: args,
    }))
}

fn attribute(meta: syn::Meta) -> syn::Attribute {
    syn::Attribute {
        pound_token: Default::default(),
        style: syn::AttrStyle::Outer,
        bracket_token: Default::default(),
        meta,
    }
}

fn public() -> syn::Visibility {
    syn::Visibility::Public(Default::default())
}

/// `docs` followed by `rest`.
fn with_docs(docs: &str, rest: impl IntoIterator<Item = syn::Attribute>) -> Vec<syn::Attribute> {
    let mut attrs = doc(docs);
    attrs.extend(rest);
    attrs
}

/// A path, `a::b::C<args>` (generic arguments on the last segment).
fn generic_path(segments: &[&str], args: Vec<syn::Type>) -> syn::Path {
    let mut path = path(segments);
    if !args.is_empty() {
        if let Some(last) = path.segments.last_mut() {
            last.arguments =
                syn::PathArguments::AngleBracketed(syn::AngleBracketedGenericArguments {
                    colon2_token: None,
                    lt_token: Default::default(),
                    args: args.into_iter().map(syn::GenericArgument::Type).collect(),
                    gt_token: Default::default(),
                });
        }
    }
    path
}

/// A path type, `a::b::C<args>`.
fn path_type(segments: &[&str], args: Vec<syn::Type>) -> syn::Type {
    syn::Type::Path(syn::TypePath {
        qself: None,
        path: generic_path(segments, args),
    })
}

/// `&str`.
fn str_ref() -> syn::Type {
    reference_type(path_type(&["str"], vec![]))
}

fn ty(t: &TypeRef) -> syn::Type {
    match t {
        TypeRef::String => path_type(&["String"], vec![]),
        TypeRef::DateTime => path_type(&["DateTime"], vec![]),
        TypeRef::Bool => path_type(&["bool"], vec![]),
        TypeRef::I32 => path_type(&["i32"], vec![]),
        TypeRef::I64 => path_type(&["i64"], vec![]),
        TypeRef::F64 => path_type(&["f64"], vec![]),
        TypeRef::Bytes => path_type(&["runtime", "Bytes"], vec![]),
        TypeRef::Json => path_type(&["runtime", "JsonValue"], vec![]),
        TypeRef::Vec(inner) => path_type(&["Vec"], vec![ty(inner)]),
        TypeRef::Map(inner) => path_type(&["BTreeMap"], vec![ty(&TypeRef::String), ty(inner)]),
        TypeRef::Named(n) => syn::Type::Path(syn::TypePath {
            qself: None,
            path: ident(n).into(),
        }),
        TypeRef::External(path) => match syn::parse_str::<syn::Path>(path) {
            Ok(path) => syn::Type::Path(syn::TypePath { qself: None, path }),
            // Unreachable: override paths are checked when the model is built.
            Err(_) => ty(&TypeRef::Json),
        },
    }
}

fn option(t: syn::Type) -> syn::Type {
    path_type(&["Option"], vec![t])
}

fn named_field(attrs: Vec<syn::Attribute>, name: &str, ty: syn::Type) -> syn::Field {
    syn::Field {
        attrs,
        vis: public(),
        mutability: syn::FieldMutability::None,
        ident: Some(ident(name)),
        colon_token: Some(Default::default()),
        ty,
    }
}

fn unnamed_fields(types: Vec<syn::Type>) -> syn::Fields {
    syn::Fields::Unnamed(syn::FieldsUnnamed {
        paren_token: Default::default(),
        unnamed: types
            .into_iter()
            .map(|ty| syn::Field {
                attrs: Vec::new(),
                vis: syn::Visibility::Inherited,
                mutability: syn::FieldMutability::None,
                ident: None,
                colon_token: None,
                ty,
            })
            .collect(),
    })
}

fn item_struct(
    attrs: Vec<syn::Attribute>,
    name: &str,
    fields: Punctuated<syn::Field, syn::Token![,]>,
) -> syn::Item {
    syn::Item::Struct(syn::ItemStruct {
        attrs,
        vis: public(),
        struct_token: Default::default(),
        ident: ident(name),
        generics: Default::default(),
        fields: syn::Fields::Named(syn::FieldsNamed {
            brace_token: Default::default(),
            named: fields,
        }),
        semi_token: None,
    })
}

fn item_enum(attrs: Vec<syn::Attribute>, name: &str, variants: Vec<syn::Variant>) -> syn::Item {
    syn::Item::Enum(syn::ItemEnum {
        attrs,
        vis: public(),
        enum_token: Default::default(),
        ident: ident(name),
        generics: Default::default(),
        brace_token: Default::default(),
        variants: variants.into_iter().collect(),
    })
}

fn variant(docs: &str, name: &str, fields: syn::Fields) -> syn::Variant {
    syn::Variant {
        attrs: doc(docs),
        ident: ident(name),
        fields,
        discriminant: None,
    }
}

fn item_mod(attrs: Vec<syn::Attribute>, name: &str, items: Vec<syn::Item>) -> syn::Item {
    syn::Item::Mod(syn::ItemMod {
        attrs,
        vis: public(),
        unsafety: None,
        mod_token: Default::default(),
        ident: ident(name),
        content: Some((Default::default(), items)),
        semi: None,
    })
}

/// `#[derive(Debug, Clone, PartialEq, [Default,] extra...)]`.
fn derive(default: bool, extra: &[&str]) -> syn::Attribute {
    let traits = ["Debug", "Clone", "PartialEq"]
        .iter()
        .chain(default.then_some(&"Default"))
        .chain(extra)
        .map(|t| ident(t));
    list_attribute("derive", quote!(#(#traits),*))
}

// ---- the models module ---------------------------------------------------------------------

/// What a module needs imported.
#[derive(Default)]
struct Uses {
    date_time: bool,
    btree_map: bool,
    /// The runtime module (`runtime::JsonValue`, `runtime::Bytes`, requests, forms, enums).
    runtime: bool,
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
            TypeRef::Bytes | TypeRef::Json => self.runtime = true,
            _ => {}
        }
    }

    /// The `use` items for what was visited, after `serde` (when needed).
    fn imports(
        &self,
        serde: Option<TokenStream>,
        runtime: &syn::Path,
    ) -> Result<Vec<syn::Item>, Failure> {
        let mut imports = Vec::new();
        if !self.named.is_empty() {
            let names = self.named.iter().map(|n| ident(n));
            imports.push(parse(quote!(use super::models::{#(#names),*};))?);
        }
        if let Some(serde) = serde {
            imports.push(parse(quote!(use serde::#serde;))?);
        }
        if self.btree_map {
            imports.push(parse(quote!(
                use std::collections::BTreeMap;
            ))?);
        }
        match (self.runtime, self.date_time) {
            (true, true) => imports.push(parse(quote!(use #runtime::{self, DateTime};))?),
            (true, false) => imports.push(parse(quote!(use #runtime;))?),
            (false, true) => imports.push(parse(quote!(use #runtime::DateTime;))?),
            (false, false) => {}
        }
        Ok(imports)
    }
}

/// `pub mod models { .. }` alone.
pub fn emit_models(model: &Model) -> Result<syn::Item, Failure> {
    emit_models_part(model, 0..model.types.len())
}

/// `pub mod models { .. }` with only the types in `range` (by index into `model.types`). The
/// part starting at 0 also carries the module's doc comment and imports; printed one after the
/// other and joined with [`crate::format::join_module_parts`], the parts give the same text as
/// [`emit_models`]. This lets several threads share the largest module.
pub fn emit_models_part(
    model: &Model,
    range: std::ops::Range<usize>,
) -> Result<syn::Item, Failure> {
    let defs = model.types.get(range.clone()).unwrap_or_default();
    let mut items = Vec::new();
    let mut attrs = Vec::new();
    if range.start == 0 {
        let mut uses = Uses::default();
        let (mut serialize, mut deserialize) = (false, false);
        let mut file_parts = false;
        for def in &model.types {
            match &def.kind {
                TypeKind::Struct(s) => {
                    serialize |= !s.form && s.serialize;
                    deserialize |= !s.form && s.deserialize;
                    // A form is sent as a `runtime::Form`; its files are `runtime::FilePart`s.
                    uses.runtime |= s.form;
                    file_parts |= s.form && s.fields.iter().any(|f| f.ty == TypeRef::Bytes);
                    if !s.form {
                        s.fields.iter().for_each(|f| uses.visit(&f.ty));
                    } else {
                        s.fields
                            .iter()
                            .filter(|f| f.ty != TypeRef::Bytes)
                            .for_each(|f| uses.visit(&f.ty));
                    }
                }
                TypeKind::Alias(t) => uses.visit(t),
                // `runtime::string_enum_traits!`
                TypeKind::Enum(_) => uses.runtime = true,
            }
        }
        // Models refer to each other by name within the module: no `use super::models`.
        uses.named.clear();
        let serde = match (deserialize, serialize) {
            (true, true) => Some(quote!({Deserialize, Serialize})),
            (true, false) => Some(quote!(Deserialize)),
            (false, true) => Some(quote!(Serialize)),
            (false, false) => None,
        };
        let runtime = runtime_path(model)?;
        items = uses.imports(serde, &runtime)?;
        if file_parts {
            items.push(parse(quote!(
                pub use #runtime::FilePart;
            ))?);
        }
        attrs = doc(&format!(
            "Data types of \"{}\" {}: one per schema of the document.",
            one_line(&model.title),
            one_line(&model.version)
        ));
    }
    for def in defs {
        emit_type(def, &mut items)?;
    }
    Ok(item_mod(attrs, "models", items))
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn emit_type(def: &TypeDef, items: &mut Vec<syn::Item>) -> Result<(), Failure> {
    match &def.kind {
        TypeKind::Struct(s) if s.form => emit_form(def, s, items)?,
        TypeKind::Struct(s) => {
            let (container, fields) = serde_fields(&s.fields, s.serialize);
            let directions: &[&str] = match (s.serialize, s.deserialize) {
                (true, true) => &["Serialize", "Deserialize"],
                (true, false) => &["Serialize"],
                (false, _) => &["Deserialize"],
            };
            let mut attrs = with_docs(&def.doc, [derive(s.derive_default, directions)]);
            attrs.extend(container);
            items.push(item_struct(attrs, &def.name, fields));
        }
        TypeKind::Enum(e) => emit_enum(def, e, items)?,
        TypeKind::Alias(t) => items.push(syn::Item::Type(syn::ItemType {
            attrs: doc(&def.doc),
            vis: public(),
            type_token: Default::default(),
            ident: ident(&def.name),
            generics: Default::default(),
            eq_token: Default::default(),
            ty: Box::new(ty(t)),
            semi_token: Default::default(),
        })),
    }
    Ok(())
}

/// `#[serde(rename_all = "camelCase")]` when it saves at least one rename, plus the fields with
/// their own serde attributes (`skip_serializing_if` only for a type that is serialized).
fn serde_fields(
    fields: &[Field],
    serialized: bool,
) -> (
    Option<syn::Attribute>,
    Punctuated<syn::Field, syn::Token![,]>,
) {
    let camel_helps = fields
        .iter()
        .any(|f| serde_camel(&f.name) == f.json_name && unraw(&f.name) != f.json_name);
    let container = camel_helps.then(|| list_attribute("serde", quote!(rename_all = "camelCase")));
    // Built once and shared: most fields carry exactly this.
    let skip = quote!(skip_serializing_if = "Option::is_none");
    let fields = fields
        .iter()
        .map(|f| {
            let implied = if camel_helps {
                serde_camel(&f.name)
            } else {
                unraw(&f.name).to_owned()
            };
            let json = &f.json_name;
            let serde = match (implied != *json, f.required || !serialized) {
                (false, true) => None,
                (false, false) => Some(skip.clone()),
                (true, true) => Some(quote!(rename = #json)),
                (true, false) => Some(quote!(rename = #json, #skip)),
            };
            let mut t = ty(&f.ty);
            if f.boxed {
                t = path_type(&["Box"], vec![t]);
            }
            if !f.required {
                t = option(t);
            }
            let serde = serde.map(|args| list_attribute("serde", args));
            named_field(with_docs(&f.doc, serde), &f.name, t)
        })
        .collect();
    (container, fields)
}

/// A multipart form: plain fields, binary ones as lists of [`FilePart`]s, and `to_form()`.
fn emit_form(def: &TypeDef, s: &StructDef, items: &mut Vec<syn::Item>) -> Result<(), Failure> {
    let fields = s
        .fields
        .iter()
        .map(|f| {
            let t = if f.ty == TypeRef::Bytes {
                path_type(&["Vec"], vec![path_type(&["FilePart"], vec![])])
            } else if f.required {
                ty(&f.ty)
            } else {
                option(ty(&f.ty))
            };
            named_field(doc(&f.doc), &f.name, t)
        })
        .collect();
    let attrs = with_docs(&def.doc, [derive(s.derive_default, &[])]);
    items.push(item_struct(attrs, &def.name, fields));

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
            _ => quote!(runtime::form_json(value)),
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
    let name = ident(&def.name);
    items.push(parse(quote! {
        impl #name {
            /// The `multipart/form-data` form: one part per field that is set.
            pub fn to_form(&self) -> runtime::Form {
                let mut form = runtime::Form::new();
                #(#parts)*
                form
            }
        }
    })?);
    Ok(())
}

/// A string enum: the listed values plus a fallback that keeps any other value. `as_str` and
/// `From<&str>` carry the values; `Display` and serde come from the runtime's
/// `string_enum_traits!`, which builds on those two.
fn emit_enum(def: &TypeDef, e: &EnumDef, items: &mut Vec<syn::Item>) -> Result<(), Failure> {
    let mut variants: Vec<syn::Variant> = e
        .variants
        .iter()
        .map(|v| {
            let docs = format!("`{}`", v.value.replace('`', "'"));
            variant(&docs, &v.name, syn::Fields::Unit)
        })
        .collect();
    variants.push(variant(
        "A value this version of the document does not list.",
        &e.fallback,
        unnamed_fields(vec![ty(&TypeRef::String)]),
    ));
    let attrs = with_docs(
        &def.doc,
        [list_attribute(
            "derive",
            quote!(Debug, Clone, PartialEq, Eq, Hash),
        )],
    );
    items.push(item_enum(attrs, &def.name, variants));

    let this = |variant: &str| expr_path(&["Self", variant]);
    let str_lit = |text: &str| syn::Lit::Str(syn::LitStr::new(text, span()));
    // `match self { Self::A => "a", .., Self::Other(value) => value }`
    let mut to_str: Vec<syn::Arm> = e
        .variants
        .iter()
        .map(|v| arm(path_pattern(&["Self", &v.name]), literal(str_lit(&v.value))))
        .collect();
    to_str.push(arm(
        syn::Pat::TupleStruct(syn::PatTupleStruct {
            attrs: Vec::new(),
            qself: None,
            path: path(&["Self", &e.fallback]),
            paren_token: Default::default(),
            elems: [binding("value")].into_iter().collect(),
        }),
        expr_path(&["value"]),
    ));
    let mut as_str = function(
        "as_str",
        true,
        vec![self_receiver()],
        str_ref(),
        vec![syn::Stmt::Expr(
            match_on(expr_path(&["self"]), to_str),
            None,
        )],
    );
    as_str.attrs = doc("The value as it appears in JSON.");
    // `match value { "a" => Self::A, .., other => Self::Other(other.to_owned()) }`
    let mut from_str: Vec<syn::Arm> = e
        .variants
        .iter()
        .map(|v| {
            let pattern = syn::Pat::Lit(syn::PatLit {
                attrs: Vec::new(),
                lit: str_lit(&v.value),
            });
            arm(pattern, this(&v.name))
        })
        .collect();
    from_str.push(arm(
        binding("other"),
        function_call(
            this(&e.fallback),
            vec![method_call(expr_path(&["other"]), "to_owned", vec![])],
        ),
    ));
    let from = function(
        "from",
        false,
        vec![argument("value", str_ref())],
        path_type(&["Self"], vec![]),
        vec![syn::Stmt::Expr(
            match_on(expr_path(&["value"]), from_str),
            None,
        )],
    );
    let self_ty = path_type(&[&def.name], vec![]);
    items.push(item_impl(None, self_ty.clone(), as_str));
    let from_trait = generic_path(&["From"], vec![str_ref()]);
    items.push(item_impl(Some(from_trait), self_ty, from));
    // `runtime::string_enum_traits!(Name);`
    items.push(syn::Item::Macro(syn::ItemMacro {
        attrs: Vec::new(),
        ident: None,
        mac: syn::Macro {
            path: path(&["runtime", "string_enum_traits"]),
            bang_token: Default::default(),
            delimiter: syn::MacroDelimiter::Paren(Default::default()),
            tokens: quote::ToTokens::into_token_stream(ident(&def.name)),
        },
        semi_token: Some(Default::default()),
    }));
    Ok(())
}

// ---- tag modules ---------------------------------------------------------------------------

/// One tag module alone.
pub fn emit_tag(tag: &Tag, model: &Model) -> Result<syn::Item, Failure> {
    let api = ident(&tag.api);
    let accessor = ident(&tag.accessor);

    // Every tag module sends requests through the runtime.
    let mut uses = Uses {
        runtime: true,
        ..Uses::default()
    };
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
    let runtime = runtime_path(model)?;
    let mut items = uses.imports(serialize.then(|| quote!(Serialize)), &runtime)?;

    // In `camunda7-client` the accessor is an inherent method of `Client`; elsewhere it is a
    // method of the generated `ClientExt` trait, which builds the handle from the file's top.
    let mut handle: syn::File = if model.extension_trait {
        parse(quote! {
            #[derive(Clone, Copy)]
            pub struct #api<'a> {
                pub(super) client: &'a runtime::Client,
            }
        })?
    } else {
        parse(quote! {
            #[derive(Clone, Copy)]
            pub struct #api<'a> {
                client: &'a runtime::Client,
            }

            impl runtime::Client {
                pub fn #accessor(&self) -> #api<'_> {
                    #api { client: self }
                }
            }
        })?
    };
    if let Some(syn::Item::Struct(handle)) = handle.items.first_mut() {
        let name = unraw(&tag.accessor);
        let api_doc = if model.extension_trait {
            format!(
                "The operations tagged `{}`; get one with [`ClientExt::{name}`](super::ClientExt::{name}).",
                tag.name
            )
        } else {
            format!(
                "The operations tagged `{}`; get one with [`Client::{name}`](crate::Client::{name}).",
                tag.name
            )
        };
        handle.attrs = with_docs(&api_doc, std::mem::take(&mut handle.attrs));
    }
    if let Some(syn::Item::Impl(client)) = handle.items.get_mut(1) {
        if let Some(syn::ImplItem::Fn(accessor)) = client.items.first_mut() {
            accessor.attrs = doc(&format!("The `{}` operations.", tag.name));
        }
    }
    items.extend(handle.items);

    for q in tag.ops.iter().filter_map(|op| op.query.as_ref()) {
        items.push(emit_query(q));
    }
    items.extend(tag.ops.iter().filter_map(emit_response_enum));

    let mut methods: syn::ItemImpl = parse(quote!(impl #api<'_> {}))?;
    for op in &tag.ops {
        methods.items.push(syn::ImplItem::Fn(emit_method(op)?));
    }
    items.push(syn::Item::Impl(methods));
    Ok(item_mod(doc(&tag.doc), &tag.module, items))
}

fn emit_query(q: &QueryDef) -> syn::Item {
    let (container, fields) = serde_fields(&q.fields, true);
    let mut attrs = with_docs(&q.doc, [derive(q.derive_default, &["Serialize"])]);
    attrs.extend(container);
    item_struct(attrs, &q.name, fields)
}

fn payload_type(p: &Payload) -> syn::Type {
    match p {
        Payload::Json(t) => ty(t),
        Payload::Text => ty(&TypeRef::String),
        Payload::Bytes => ty(&TypeRef::Bytes),
    }
}

fn emit_response_enum(op: &Operation) -> Option<syn::Item> {
    let ResponseKind::ByContentType { name, variants, .. } = &op.response else {
        return None;
    };
    let docs = format!(
        "The success body of `{} {}`, by the response's `Content-Type`.",
        op.method.as_str(),
        op.path
    );
    let variants = variants
        .iter()
        .map(|v| {
            let docs = format!("A `{}` body.", v.media_types.join("` or `"));
            variant(
                &docs,
                &v.name,
                unnamed_fields(vec![payload_type(&v.payload)]),
            )
        })
        .collect();
    let attrs = with_docs(&docs, [derive(false, &[])]);
    Some(item_enum(attrs, name, variants))
}

// ---- method bodies as syntax: the same few shapes for hundreds of operations ----------------

fn path(segments: &[&str]) -> syn::Path {
    syn::Path {
        leading_colon: None,
        segments: segments
            .iter()
            .map(|s| syn::PathSegment::from(ident(s)))
            .collect(),
    }
}

fn path_pattern(segments: &[&str]) -> syn::Pat {
    syn::Pat::Path(syn::ExprPath {
        attrs: Vec::new(),
        qself: None,
        path: path(segments),
    })
}

fn literal(lit: syn::Lit) -> syn::Expr {
    syn::Expr::Lit(syn::ExprLit {
        attrs: Vec::new(),
        lit,
    })
}

fn arm(pat: syn::Pat, body: syn::Expr) -> syn::Arm {
    syn::Arm {
        attrs: Vec::new(),
        pat,
        guard: None,
        fat_arrow_token: Default::default(),
        body: Box::new(body),
        comma: Some(Default::default()),
    }
}

fn match_on(scrutinee: syn::Expr, arms: Vec<syn::Arm>) -> syn::Expr {
    syn::Expr::Match(syn::ExprMatch {
        attrs: Vec::new(),
        match_token: Default::default(),
        expr: Box::new(scrutinee),
        brace_token: Default::default(),
        arms,
    })
}

/// `impl [Trait for] SelfTy { item }`.
fn item_impl(trait_: Option<syn::Path>, self_ty: syn::Type, item: syn::ImplItemFn) -> syn::Item {
    syn::Item::Impl(syn::ItemImpl {
        attrs: Vec::new(),
        defaultness: None,
        unsafety: None,
        impl_token: Default::default(),
        generics: Default::default(),
        trait_: trait_.map(|t| (None, t, Default::default())),
        self_ty: Box::new(self_ty),
        brace_token: Default::default(),
        items: vec![syn::ImplItem::Fn(item)],
    })
}

fn expr_path(segments: &[&str]) -> syn::Expr {
    syn::Expr::Path(syn::ExprPath {
        attrs: Vec::new(),
        qself: None,
        path: path(segments),
    })
}

fn method_call(receiver: syn::Expr, method: &str, args: Vec<syn::Expr>) -> syn::Expr {
    syn::Expr::MethodCall(syn::ExprMethodCall {
        attrs: Vec::new(),
        receiver: Box::new(receiver),
        dot_token: Default::default(),
        method: ident(method),
        turbofish: None,
        paren_token: Default::default(),
        args: args.into_iter().collect(),
    })
}

fn function_call(function: syn::Expr, args: Vec<syn::Expr>) -> syn::Expr {
    syn::Expr::Call(syn::ExprCall {
        attrs: Vec::new(),
        func: Box::new(function),
        paren_token: Default::default(),
        args: args.into_iter().collect(),
    })
}

fn awaited(future: syn::Expr) -> syn::Expr {
    syn::Expr::Await(syn::ExprAwait {
        attrs: Vec::new(),
        base: Box::new(future),
        dot_token: Default::default(),
        await_token: Default::default(),
    })
}

fn field_of(base: syn::Expr, name: &str) -> syn::Expr {
    syn::Expr::Field(syn::ExprField {
        attrs: Vec::new(),
        base: Box::new(base),
        dot_token: Default::default(),
        member: syn::Member::Named(ident(name)),
    })
}

fn reference_type(elem: syn::Type) -> syn::Type {
    syn::Type::Reference(syn::TypeReference {
        and_token: Default::default(),
        lifetime: None,
        mutability: None,
        elem: Box::new(elem),
    })
}

fn binding(name: &str) -> syn::Pat {
    syn::Pat::Ident(syn::PatIdent {
        attrs: Vec::new(),
        by_ref: None,
        mutability: None,
        ident: ident(name),
        subpat: None,
    })
}

fn argument(name: &str, ty: syn::Type) -> syn::FnArg {
    syn::FnArg::Typed(syn::PatType {
        attrs: Vec::new(),
        pat: Box::new(binding(name)),
        colon_token: Default::default(),
        ty: Box::new(ty),
    })
}

/// `&self`.
fn self_receiver() -> syn::FnArg {
    syn::FnArg::Receiver(syn::Receiver {
        attrs: Vec::new(),
        reference: Some((Default::default(), None)),
        mutability: None,
        self_token: Default::default(),
        colon_token: None,
        ty: Box::new(reference_type(path_type(&["Self"], vec![]))),
    })
}

/// `[pub] fn name(inputs) -> output { stmts }`.
fn function(
    name: &str,
    public_fn: bool,
    inputs: Vec<syn::FnArg>,
    output: syn::Type,
    stmts: Vec<syn::Stmt>,
) -> syn::ImplItemFn {
    syn::ImplItemFn {
        attrs: Vec::new(),
        vis: if public_fn {
            public()
        } else {
            syn::Visibility::Inherited
        },
        defaultness: None,
        sig: syn::Signature {
            constness: None,
            asyncness: None,
            unsafety: None,
            abi: None,
            fn_token: Default::default(),
            ident: ident(name),
            generics: Default::default(),
            paren_token: Default::default(),
            inputs: inputs.into_iter().collect(),
            variadic: None,
            output: syn::ReturnType::Type(Default::default(), Box::new(output)),
        },
        block: syn::Block {
            brace_token: Default::default(),
            stmts,
        },
    }
}

/// `pub async fn name(&self, args..) -> Result<ret, crate::Error> { stmts }`.
fn method_item(
    name: &str,
    mut args: Vec<syn::FnArg>,
    ret: syn::Type,
    stmts: Vec<syn::Stmt>,
) -> syn::ImplItemFn {
    args.insert(0, self_receiver());
    let result = path_type(
        &["Result"],
        vec![ret, path_type(&["runtime", "Error"], vec![])],
    );
    let mut item = function(name, true, args, result, stmts);
    item.sig.asyncness = Some(Default::default());
    item
}

fn emit_method(op: &Operation) -> Result<syn::ImplItemFn, Failure> {
    let mut args = Vec::new();
    let mut prelude: Vec<syn::Stmt> = Vec::new();
    for p in &op.path_params {
        if p.ty == TypeRef::String {
            args.push(argument(&p.name, str_ref()));
        } else {
            args.push(argument(&p.name, ty(&p.ty)));
            // `let id = id.to_string();`
            prelude.push(syn::Stmt::Local(syn::Local {
                attrs: Vec::new(),
                let_token: Default::default(),
                pat: binding(&p.name),
                init: Some(syn::LocalInit {
                    eq_token: Default::default(),
                    expr: Box::new(method_call(expr_path(&[&p.name]), "to_string", vec![])),
                    diverge: None,
                }),
                semi_token: Default::default(),
            }));
        }
    }
    let segments = op
        .segments
        .iter()
        .map(|s| match s {
            Segment::Literal(text) => syn::Expr::Lit(syn::ExprLit {
                attrs: Vec::new(),
                lit: syn::Lit::Str(syn::LitStr::new(text, span())),
            }),
            Segment::Param(p) => {
                let is_str = op
                    .path_params
                    .iter()
                    .any(|pp| &pp.name == p && pp.ty == TypeRef::String);
                if is_str {
                    expr_path(&[p])
                } else {
                    method_call(expr_path(&[p]), "as_str", vec![])
                }
            }
        })
        .collect();
    let path = syn::Expr::Reference(syn::ExprReference {
        attrs: Vec::new(),
        and_token: Default::default(),
        mutability: None,
        expr: Box::new(syn::Expr::Array(syn::ExprArray {
            attrs: Vec::new(),
            bracket_token: Default::default(),
            elems: segments,
        })),
    });
    let method = expr_path(&["runtime", "Method", op.method.as_str()]);
    // `runtime::Request::new(self.client, ..)` and the builder calls after it.
    let mut chain = function_call(
        expr_path(&["runtime", "Request", "new"]),
        vec![field_of(expr_path(&["self"]), "client"), method, path],
    );
    if let Some(q) = &op.query {
        args.push(argument(
            "query",
            reference_type(path_type(&[&q.name], vec![])),
        ));
        chain = method_call(chain, "query", vec![expr_path(&["query"])]);
    }
    match &op.body {
        Some(Body::Json { ty: body_ty }) => {
            let t = match body_ty {
                TypeRef::Vec(inner) => syn::Type::Slice(syn::TypeSlice {
                    bracket_token: Default::default(),
                    elem: Box::new(ty(inner)),
                }),
                TypeRef::String => path_type(&["str"], vec![]),
                other => ty(other),
            };
            args.push(argument("body", reference_type(t)));
            chain = method_call(chain, "json", vec![expr_path(&["body"])]);
        }
        Some(Body::Multipart {
            parts: Some(parts_ty),
        }) => {
            args.push(argument("body", reference_type(ty(parts_ty))));
            let form = method_call(expr_path(&["body"]), "to_form", vec![]);
            chain = method_call(chain, "multipart", vec![form]);
        }
        Some(Body::Multipart { parts: None }) => {
            args.push(argument("form", path_type(&["runtime", "Form"], vec![])));
            chain = method_call(chain, "multipart", vec![expr_path(&["form"])]);
        }
        None => {}
    }
    if let Some(lp) = &op.long_poll {
        let field = field_of(expr_path(&["body"]), &lp.field);
        let widen = expr_path(&["i64", "from"]);
        let value = match (lp.optional, lp.is_i32) {
            (true, true) => method_call(field, "map", vec![widen]),
            (true, false) => field,
            (false, true) => function_call(
                expr_path(&["Some"]),
                vec![function_call(widen, vec![field])],
            ),
            (false, false) => function_call(expr_path(&["Some"]), vec![field]),
        };
        chain = method_call(chain, "long_poll", vec![value]);
    }
    // `.send().await?`
    let sent = syn::Expr::Try(syn::ExprTry {
        attrs: Vec::new(),
        expr: Box::new(awaited(method_call(chain, "send", vec![]))),
        question_token: Default::default(),
    });
    let finish = |decode: &str| awaited(method_call(sent.clone(), decode, vec![]));

    let (ret, tail) = match &op.response {
        ResponseKind::Empty => (
            syn::Type::Tuple(syn::TypeTuple {
                paren_token: Default::default(),
                elems: Punctuated::new(),
            }),
            finish("empty"),
        ),
        ResponseKind::One(p) => {
            let decode = match p {
                Payload::Json(_) => "json",
                Payload::Text => "text",
                Payload::Bytes => "bytes",
            };
            (payload_type(p), finish(decode))
        }
        ResponseKind::Optional(Payload::Text) => {
            (option(ty(&TypeRef::String)), finish("optional_text"))
        }
        // The two shapes that look at the response before decoding it are rare; they are
        // written as tokens.
        ResponseKind::Optional(p) => {
            let decode = match p {
                Payload::Json(_) => quote!(response.json().await.map(Some)),
                _ => quote!(response.bytes().await.map(Some)),
            };
            let block: syn::Block = parse(quote! {{
                #(#prelude)*
                let response = #sent;
                if response.status().as_u16() == 204 {
                    return Ok(None);
                }
                #decode
            }})?;
            return Ok(with_method_docs(
                op,
                method_item(&op.fn_name, args, option(payload_type(p)), block.stmts),
            ));
        }
        ResponseKind::ByContentType {
            name: enum_name,
            variants,
            optional,
        } => {
            let enum_ident = ident(enum_name);
            let arms = content_type_arms(&enum_ident, variants);
            let enum_type = path_type(&[enum_name], vec![]);
            let (ret, wrap) = if *optional {
                (option(enum_type), quote!(Ok(Some(value))))
            } else {
                (enum_type, quote!(Ok(value)))
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
            let block: syn::Block = parse(quote! {{
                #(#prelude)*
                let response = #sent;
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
            }})?;
            return Ok(with_method_docs(
                op,
                method_item(&op.fn_name, args, ret, block.stmts),
            ));
        }
    };
    let mut stmts = prelude;
    stmts.push(syn::Stmt::Expr(tail, None));
    Ok(with_method_docs(
        op,
        method_item(&op.fn_name, args, ret, stmts),
    ))
}

fn with_method_docs(op: &Operation, mut item: syn::ImplItemFn) -> syn::ImplItemFn {
    item.attrs = doc(&op.doc);
    item
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
