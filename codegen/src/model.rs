//! The intermediate model: plain data describing the types and operations to generate.
//! No tokens and no Rust source text, so tests can assert on it directly.

/// Everything to generate from one document.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// `info.title` of the document.
    pub title: String,
    /// `info.version` of the document.
    pub version: String,
    /// Data types for `pub mod models`, sorted by name.
    pub types: Vec<TypeDef>,
    /// One entry per tag module, sorted by module name.
    pub tags: Vec<Tag>,
    /// Path of the runtime module the code calls (`crate::runtime`, `::camunda7_client::runtime`).
    pub runtime_path: String,
    /// Whether the tag accessors come from a generated `ClientExt` trait (code for a crate other
    /// than `camunda7-client`) rather than inherent methods of `Client`.
    pub extension_trait: bool,
}

impl Model {
    /// The type named `name`, if generated.
    pub fn type_def(&self, name: &str) -> Option<&TypeDef> {
        self.types.iter().find(|t| t.name == name)
    }

    /// The operation with this operationId, if generated.
    pub fn operation(&self, operation_id: &str) -> Option<&Operation> {
        self.tags
            .iter()
            .flat_map(|t| &t.ops)
            .find(|o| o.operation_id == operation_id)
    }
}

/// A reference to a Rust type, as it appears in a field or signature.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TypeRef {
    /// `String`.
    String,
    /// `crate::DateTime` (`format: date-time`).
    DateTime,
    /// `bool`.
    Bool,
    /// `i32` (`format: int32`).
    I32,
    /// `i64` (`format: int64`, or an integer without format).
    I64,
    /// `f64`.
    F64,
    /// `bytes::Bytes` (`format: binary`).
    Bytes,
    /// `serde_json::Value`: free-form or untyped.
    Json,
    /// `Vec<T>`.
    Vec(Box<TypeRef>),
    /// `BTreeMap<String, T>`.
    Map(Box<TypeRef>),
    /// A generated type in `models`.
    Named(String),
    /// A hand-written type given by a type override, as a Rust path.
    External(String),
}

/// A generated data type.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeDef {
    /// Rust name (unique within `models`).
    pub name: String,
    /// JSON pointer of the schema it comes from.
    pub source: String,
    /// Doc comment text.
    pub doc: String,
    /// Struct, enum or alias.
    pub kind: TypeKind,
}

/// The shape of a generated type.
#[derive(Debug, Clone, PartialEq)]
pub enum TypeKind {
    /// An object schema (properties and merged `allOf` parts).
    Struct(StructDef),
    /// A string enum with an unknown-value fallback.
    Enum(EnumDef),
    /// A named schema that is not an object, e.g. `pub type AnyValue = serde_json::Value;`.
    Alias(TypeRef),
}

/// Fields of a struct.
#[derive(Debug, Clone, PartialEq)]
pub struct StructDef {
    /// In document order (merged `allOf` parts in order).
    pub fields: Vec<Field>,
    /// Whether every field type has a `Default`, so the struct can derive it.
    pub derive_default: bool,
    /// A `multipart/form-data` body: no serde; binary fields become lists of file parts and
    /// the struct gets a `to_form()` building the request's form.
    pub form: bool,
    /// Derives `Serialize`: the type is sent (part of a request body or query), or both ways
    /// are asked for.
    pub serialize: bool,
    /// Derives `Deserialize`: the type is received (part of a response), or both ways are
    /// asked for.
    pub deserialize: bool,
}

/// A struct field (also used for query parameters).
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// Rust identifier (possibly raw, `r#type`).
    pub name: String,
    /// Exact JSON (or query) name.
    pub json_name: String,
    /// Type, without the `Option` for optional fields.
    pub ty: TypeRef,
    /// Required fields are plain; others are `Option` and left out when `None`.
    pub required: bool,
    /// Boxed to break a cycle of directly nested types.
    pub boxed: bool,
    /// Doc comment text.
    pub doc: String,
}

/// A string enum.
#[derive(Debug, Clone, PartialEq)]
pub struct EnumDef {
    /// Known values, in document order.
    pub variants: Vec<Variant>,
    /// Name of the `Variant(String)` that keeps values this document does not list.
    pub fallback: String,
}

/// One known enum value.
#[derive(Debug, Clone, PartialEq)]
pub struct Variant {
    /// Rust variant name.
    pub name: String,
    /// The exact string on the wire.
    pub value: String,
}

/// The operations of one tag: one module, one `XxxApi` struct.
#[derive(Debug, Clone, PartialEq)]
pub struct Tag {
    /// Tag name in the document (`External Task`).
    pub name: String,
    /// Module name (`external_task`).
    pub module: String,
    /// API struct name (`ExternalTaskApi`).
    pub api: String,
    /// Accessor method on `Client` (`external_task`; `<name>_api` when `Client` has a method of
    /// that name already, e.g. `external_task_api` in a crate of one's own).
    pub accessor: String,
    /// Doc comment text.
    pub doc: String,
    /// In document order.
    pub ops: Vec<Operation>,
}

/// HTTP methods, in the order `openapiv3` lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// GET
    Get,
    /// PUT
    Put,
    /// POST
    Post,
    /// DELETE
    Delete,
    /// OPTIONS
    Options,
    /// HEAD
    Head,
    /// PATCH
    Patch,
    /// TRACE
    Trace,
}

impl Method {
    /// From the lower-case key of a path item.
    pub fn from_key(key: &str) -> Option<Self> {
        Some(match key {
            "get" => Self::Get,
            "put" => Self::Put,
            "post" => Self::Post,
            "delete" => Self::Delete,
            "options" => Self::Options,
            "head" => Self::Head,
            "patch" => Self::Patch,
            "trace" => Self::Trace,
            _ => return None,
        })
    }

    /// Upper-case name (`GET`), as `reqwest::Method` spells its constants.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Put => "PUT",
            Self::Post => "POST",
            Self::Delete => "DELETE",
            Self::Options => "OPTIONS",
            Self::Head => "HEAD",
            Self::Patch => "PATCH",
            Self::Trace => "TRACE",
        }
    }
}

/// One operation: one async method.
#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    /// The operationId (or the name derived from method and path when it has none).
    pub operation_id: String,
    /// Method name (`fetch_and_lock`).
    pub fn_name: String,
    /// HTTP method.
    pub method: Method,
    /// Path template as in the document (`/external-task/{id}/complete`).
    pub path: String,
    /// Doc comment text.
    pub doc: String,
    /// Marked deprecated in the document.
    pub deprecated: bool,
    /// The path split into segments.
    pub segments: Vec<Segment>,
    /// Path parameters, in the order they appear in the path.
    pub path_params: Vec<PathParam>,
    /// The query struct, when the operation has query parameters.
    pub query: Option<QueryDef>,
    /// The request body.
    pub body: Option<Body>,
    /// How a success response is decoded.
    pub response: ResponseKind,
    /// Set when the JSON body has an integer `asyncResponseTimeout` (long polling).
    pub long_poll: Option<LongPoll>,
}

/// A path segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// Fixed text.
    Literal(String),
    /// The path parameter with this Rust name.
    Param(String),
}

/// A path parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct PathParam {
    /// Rust argument name.
    pub name: String,
    /// Name in the path template.
    pub json_name: String,
    /// `String` (taken as `&str`), an integer or `bool`.
    pub ty: TypeRef,
    /// Description from the spec.
    pub doc: Option<String>,
}

/// The generated `XxxQuery` struct of an operation.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryDef {
    /// Struct name (`GetExternalTasksQuery`).
    pub name: String,
    /// Doc comment text.
    pub doc: String,
    /// One field per query parameter.
    pub fields: Vec<Field>,
    /// Whether it can derive `Default`.
    pub derive_default: bool,
}

/// A request body.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    /// `application/json`, passed as `body: &T`.
    Json {
        /// The body type.
        ty: TypeRef,
    },
    /// `multipart/form-data`: `body: &T` when the parts are described by a generated form
    /// struct, else a ready `reqwest::multipart::Form`.
    Multipart {
        /// The form struct describing the parts, when there is one.
        parts: Option<TypeRef>,
    },
}

/// The long-polling field of a fetch-and-lock style body.
#[derive(Debug, Clone, PartialEq)]
pub struct LongPoll {
    /// Rust field name.
    pub field: String,
    /// Whether the field is an `Option`.
    pub optional: bool,
    /// Whether the field is `i32` (widened) rather than `i64`.
    pub is_i32: bool,
}

/// What one success body decodes into.
#[derive(Debug, Clone, PartialEq)]
pub enum Payload {
    /// JSON → the type.
    Json(TypeRef),
    /// Text (`text/plain`, CSV, XHTML, …) → `String`.
    Text,
    /// Binary (`application/octet-stream`, `*/*`, images) → `bytes::Bytes`.
    Bytes,
}

/// How the success response of an operation is decoded.
#[derive(Debug, Clone, PartialEq)]
pub enum ResponseKind {
    /// No body (e.g. 204) → `()`.
    Empty,
    /// One body shape → `T`.
    One(Payload),
    /// A body or a 204 → `Option<T>`.
    Optional(Payload),
    /// Several media types: a generated enum, chosen by the response's `Content-Type`.
    ByContentType {
        /// The enum's name in the tag module.
        name: String,
        /// Variants in document order.
        variants: Vec<MediaVariant>,
        /// Whether a 204 is also a success (→ `Option<enum>`).
        optional: bool,
    },
}

/// One variant of a per-media-type response enum.
#[derive(Debug, Clone, PartialEq)]
pub struct MediaVariant {
    /// Variant name (`Json`, `Text`, `Bytes`).
    pub name: String,
    /// Media types (lower case) decoded into this variant; a `type/*` matches by prefix.
    pub media_types: Vec<String>,
    /// What the body decodes into.
    pub payload: Payload,
}
