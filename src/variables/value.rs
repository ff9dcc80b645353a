//! [`VariableValue`] and [`ValueType`].

use std::borrow::Cow;

use base64::Engine as _;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::decode;
use super::VariableError;
use crate::DateTime;

/// The `valueInfo` key of the transient flag.
const TRANSIENT: &str = "transient";
/// The `valueInfo` key of a File's name.
const FILENAME: &str = "filename";
/// The `valueInfo` key of a File's MIME type.
const MIME_TYPE: &str = "mimeType";
/// The `valueInfo` key of a File's character encoding.
const ENCODING: &str = "encoding";
/// The `valueInfo` key of an Object's type name.
const OBJECT_TYPE_NAME: &str = "objectTypeName";
/// The `valueInfo` key of an Object's serialization format.
const SERIALIZATION_DATA_FORMAT: &str = "serializationDataFormat";

/// The serialization format of Objects written as JSON.
pub const JSON_DATA_FORMAT: &str = "application/json";

/// The type of a [`VariableValue`]: one of the engine's value types, or a type this crate does
/// not know.
///
/// Type names are matched the way the engine matches them: only the first letter is
/// case-insensitive (`"string"` and `"String"` are [`ValueType::String`]; `"STRING"` is not —
/// the engine rejects it, and it is kept as [`ValueType::Other`]). Names are always written with
/// the engine's capitalization (`"String"`, `"Json"`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ValueType {
    /// `Null`: the value is `null`.
    Null,
    /// `String`.
    String,
    /// `Boolean`.
    Boolean,
    /// `Short`: a 16-bit integer.
    Short,
    /// `Integer`: a 32-bit integer.
    Integer,
    /// `Long`: a 64-bit integer.
    Long,
    /// `Double`: a 64-bit float.
    Double,
    /// `Date`: a string in the engine's date format, with millisecond precision.
    Date,
    /// `Bytes`: a base64 string.
    Bytes,
    /// `File`: `null` when the engine sends it (fetch the content separately), base64 when sent
    /// to the engine; `valueInfo` holds `filename`, `mimeType` and `encoding`.
    File,
    /// `Json`: a serialized JSON document (Camunda Spin).
    Json,
    /// `Xml`: a serialized XML document (Camunda Spin).
    Xml,
    /// `Object`: a serialized object; `valueInfo` holds `objectTypeName` and
    /// `serializationDataFormat`.
    Object,
    /// A type this crate does not know, with its name exactly as received.
    Other(String),
}

/// The known types, by the engine's own (first-letter lower-case) name.
static KNOWN: [(&str, ValueType); 13] = [
    ("null", ValueType::Null),
    ("string", ValueType::String),
    ("boolean", ValueType::Boolean),
    ("short", ValueType::Short),
    ("integer", ValueType::Integer),
    ("long", ValueType::Long),
    ("double", ValueType::Double),
    ("date", ValueType::Date),
    ("bytes", ValueType::Bytes),
    ("file", ValueType::File),
    ("json", ValueType::Json),
    ("xml", ValueType::Xml),
    ("object", ValueType::Object),
];

impl ValueType {
    /// The type named `name`, matched like the engine does (see the type's documentation).
    pub fn from_name(name: &str) -> ValueType {
        match ValueType::known(name) {
            Some(known) => known.clone(),
            None => ValueType::Other(name.to_owned()),
        }
    }

    /// The known type named `name`, matched like the engine does.
    fn known(name: &str) -> Option<&'static ValueType> {
        let mut chars = name.chars();
        let first = chars.next()?;
        let rest = chars.as_str();
        let found = if first.is_ascii() {
            // Every known name is ASCII: compare bytes, lower-casing only the first.
            let first = first.to_ascii_lowercase() as u8;
            KNOWN
                .iter()
                .find(|(engine, _)| engine.as_bytes()[0] == first && &engine[1..] == rest)
        } else {
            KNOWN.iter().find(|(engine, _)| {
                let mut e = engine.chars();
                e.next()
                    .is_some_and(|c| first.to_lowercase().eq(std::iter::once(c)))
                    && e.as_str() == rest
            })
        };
        found.map(|(_, t)| t)
    }

    /// The engine's name of a known type; `None` for [`ValueType::Other`].
    fn known_name(&self) -> Option<&'static str> {
        Some(match self {
            ValueType::Null => "Null",
            ValueType::String => "String",
            ValueType::Boolean => "Boolean",
            ValueType::Short => "Short",
            ValueType::Integer => "Integer",
            ValueType::Long => "Long",
            ValueType::Double => "Double",
            ValueType::Date => "Date",
            ValueType::Bytes => "Bytes",
            ValueType::File => "File",
            ValueType::Json => "Json",
            ValueType::Xml => "Xml",
            ValueType::Object => "Object",
            ValueType::Other(_) => return None,
        })
    }

    /// The name to write for this type, borrowed for a known type.
    fn wire_name(&self) -> Cow<'static, str> {
        match self.known_name() {
            Some(name) => Cow::Borrowed(name),
            None => Cow::Owned(self.name().to_owned()),
        }
    }

    /// The name written on the wire: the engine's capitalized name, or an unknown type's name
    /// unchanged.
    pub fn name(&self) -> &str {
        match self {
            ValueType::Other(name) => name,
            known => known.known_name().unwrap_or_default(),
        }
    }
}

impl std::fmt::Display for ValueType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// One process variable as the engine carries it: a type name, a JSON value and `valueInfo`.
///
/// Build one from a Rust value with `From`/[`Into`] (the Camunda type follows the Rust type,
/// see [`Variables::insert`](super::Variables::insert)) or with a constructor for a specific
/// type ([`VariableValue::json`], [`VariableValue::object`], [`VariableValue::file`], ...). Read
/// one with [`VariableValue::decode`].
///
/// The value is kept as it was received: a type this crate does not know, extra `valueInfo`
/// keys and a missing `type` (an untyped value) all serialize back unchanged. The only change
/// is that a known type name received with a lower-case first letter (`"string"`, which the
/// engine accepts) is written with the engine's capitalization (`"String"`), and a missing
/// `value` is written as `null`.
///
/// The default is an untyped `null`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(from = "WireValue")]
pub struct VariableValue {
    /// The type name; `None` for an untyped value. A known type's name is the engine's static
    /// spelling, so reading and building the usual values allocates nothing for it.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    type_name: Option<Cow<'static, str>>,
    /// The value.
    value: Value,
    /// The `valueInfo` object, when present.
    #[serde(rename = "valueInfo", skip_serializing_if = "Option::is_none")]
    value_info: Option<Map<String, Value>>,
}

/// The wire shape, read before the type name is normalized.
#[derive(Deserialize)]
struct WireValue {
    #[serde(rename = "type", default, deserialize_with = "type_name")]
    type_name: Option<Cow<'static, str>>,
    #[serde(default)]
    value: Value,
    #[serde(rename = "valueInfo", default)]
    value_info: Option<Map<String, Value>>,
}

impl From<WireValue> for VariableValue {
    fn from(wire: WireValue) -> Self {
        VariableValue {
            type_name: wire.type_name,
            value: wire.value,
            value_info: wire.value_info,
        }
    }
}

/// A known type's engine capitalization; anything else unchanged.
fn normalize_type_name(name: String) -> Cow<'static, str> {
    match ValueType::known(&name).and_then(ValueType::known_name) {
        Some(known) => Cow::Borrowed(known),
        None => Cow::Owned(name),
    }
}

/// Reads an optional type name, normalized; a known one without copying it.
fn type_name<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Cow<'static, str>>, D::Error> {
    Ok(Option::<TypeName>::deserialize(deserializer)?.map(|t| t.0))
}

/// A normalized type name, as read by [`type_name`].
struct TypeName(Cow<'static, str>);

impl<'de> Deserialize<'de> for TypeName {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(TypeNameVisitor)
    }
}

struct TypeNameVisitor;

impl serde::de::Visitor<'_> for TypeNameVisitor {
    type Value = TypeName;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<TypeName, E> {
        Ok(TypeName(
            match ValueType::known(v).and_then(ValueType::known_name) {
                Some(known) => Cow::Borrowed(known),
                None => Cow::Owned(v.to_owned()),
            },
        ))
    }

    fn visit_string<E: serde::de::Error>(self, v: String) -> Result<TypeName, E> {
        Ok(TypeName(normalize_type_name(v)))
    }
}

impl VariableValue {
    /// A value of the given type with an empty `valueInfo`.
    fn of(value_type: ValueType, value: Value) -> Self {
        VariableValue {
            type_name: Some(value_type.wire_name()),
            value,
            value_info: Some(Map::new()),
        }
    }

    /// A value of any type, given as its parts; use it for a type this crate does not know or
    /// for a value shaped by hand. A known type name is written with the engine's
    /// capitalization.
    pub fn typed(
        type_name: impl Into<String>,
        value: Value,
        value_info: Map<String, Value>,
    ) -> Self {
        VariableValue {
            type_name: Some(normalize_type_name(type_name.into())),
            value,
            value_info: Some(value_info),
        }
    }

    /// An untyped value: the engine infers the type from the JSON (string, integer within 32
    /// bits or else long, double, boolean or null).
    pub fn untyped(value: Value) -> Self {
        VariableValue {
            type_name: None,
            value,
            value_info: None,
        }
    }

    /// A `Null` value.
    pub fn null() -> Self {
        Self::of(ValueType::Null, Value::Null)
    }

    /// A `String` value.
    pub fn string(value: impl Into<String>) -> Self {
        Self::of(ValueType::String, Value::String(value.into()))
    }

    /// A `Boolean` value.
    pub fn boolean(value: bool) -> Self {
        Self::of(ValueType::Boolean, Value::Bool(value))
    }

    /// A `Short` value.
    pub fn short(value: i16) -> Self {
        Self::of(ValueType::Short, Value::from(value))
    }

    /// An `Integer` value.
    pub fn integer(value: i32) -> Self {
        Self::of(ValueType::Integer, Value::from(value))
    }

    /// A `Long` value.
    pub fn long(value: i64) -> Self {
        Self::of(ValueType::Long, Value::from(value))
    }

    /// A `Double` value.
    ///
    /// JSON has no NaN or infinities, so those are written as the strings `"NaN"`,
    /// `"Infinity"` and `"-Infinity"` — what the engine's JSON library writes for them and reads
    /// back into a double. [`VariableValue::decode`] reads them back into `f64`.
    pub fn double(value: f64) -> Self {
        let json = serde_json::Number::from_f64(value)
            .map(Value::Number)
            .unwrap_or_else(|| Value::String(non_finite_name(value).to_owned()));
        Self::of(ValueType::Double, json)
    }

    /// A `Date` value, written in the engine's format (`2024-05-06T12:30:00.000+0200`).
    ///
    /// The engine keeps dates to the millisecond; finer precision is cut off.
    pub fn date(value: impl Into<DateTime>) -> Self {
        Self::of(ValueType::Date, Value::String(value.into().to_string()))
    }

    /// A `Bytes` value (written as base64).
    pub fn bytes(value: impl AsRef<[u8]>) -> Self {
        Self::of(
            ValueType::Bytes,
            Value::String(encode_base64(value.as_ref())),
        )
    }

    /// A `File` value to send to the engine: its name, its content (written as base64), and
    /// optionally its MIME type and character encoding.
    pub fn file(
        filename: impl Into<String>,
        content: impl AsRef<[u8]>,
        mime_type: Option<&str>,
        encoding: Option<&str>,
    ) -> Self {
        let mut info = Map::new();
        info.insert(FILENAME.to_owned(), Value::String(filename.into()));
        if let Some(mime) = mime_type {
            info.insert(MIME_TYPE.to_owned(), Value::String(mime.to_owned()));
        }
        if let Some(encoding) = encoding {
            info.insert(ENCODING.to_owned(), Value::String(encoding.to_owned()));
        }
        VariableValue {
            type_name: Some(ValueType::File.wire_name()),
            value: Value::String(encode_base64(content.as_ref())),
            value_info: Some(info),
        }
    }

    /// A `Json` value holding `value` serialized with serde.
    pub fn json<T: Serialize + ?Sized>(value: &T) -> Result<Self, serde_json::Error> {
        Ok(Self::json_text(serde_json::to_string(value)?))
    }

    /// A `Json` value holding JSON text as it is (not checked here; the engine parses it when
    /// it needs to).
    pub fn json_text(text: impl Into<String>) -> Self {
        Self::of(ValueType::Json, Value::String(text.into()))
    }

    /// An `Xml` value holding XML text as it is.
    pub fn xml(text: impl Into<String>) -> Self {
        Self::of(ValueType::Xml, Value::String(text.into()))
    }

    /// An `Object` value holding `value` serialized as JSON (`serializationDataFormat`
    /// `application/json`), for the Java class `object_type_name` (e.g.
    /// `com.example.Order` or `java.util.ArrayList<java.lang.String>`).
    pub fn object<T: Serialize + ?Sized>(
        value: &T,
        object_type_name: impl Into<String>,
    ) -> Result<Self, serde_json::Error> {
        Ok(Self::object_serialized(
            serde_json::to_string(value)?,
            object_type_name,
            JSON_DATA_FORMAT,
        ))
    }

    /// An `Object` value from text already serialized in `serialization_data_format` (e.g.
    /// `application/xml`).
    pub fn object_serialized(
        serialized: impl Into<String>,
        object_type_name: impl Into<String>,
        serialization_data_format: impl Into<String>,
    ) -> Self {
        let mut info = Map::new();
        info.insert(
            OBJECT_TYPE_NAME.to_owned(),
            Value::String(object_type_name.into()),
        );
        info.insert(
            SERIALIZATION_DATA_FORMAT.to_owned(),
            Value::String(serialization_data_format.into()),
        );
        VariableValue {
            type_name: Some(ValueType::Object.wire_name()),
            value: Value::String(serialized.into()),
            value_info: Some(info),
        }
    }

    /// Sets or clears the `transient` flag in `valueInfo` (a transient variable is not stored by
    /// the engine).
    pub fn transient(mut self, transient: bool) -> Self {
        if transient {
            self.value_info_mut()
                .insert(TRANSIENT.to_owned(), Value::Bool(true));
        } else if let Some(info) = &mut self.value_info {
            info.remove(TRANSIENT);
        }
        self
    }

    /// Whether `valueInfo.transient` is `true`.
    pub fn is_transient(&self) -> bool {
        self.info_value(TRANSIENT)
            .and_then(Value::as_bool)
            .unwrap_or(false)
    }

    /// The type name as written on the wire; `None` for an untyped value.
    pub fn type_name(&self) -> Option<&str> {
        self.type_name.as_deref()
    }

    /// The type; `None` for an untyped value.
    pub fn value_type(&self) -> Option<ValueType> {
        self.type_name.as_deref().map(ValueType::from_name)
    }

    /// The value as JSON, exactly as carried on the wire (a base64 string for Bytes, the
    /// serialized text for Json, Xml and Object, ...).
    pub fn value(&self) -> &Value {
        &self.value
    }

    /// The `valueInfo` object, if present.
    pub fn value_info(&self) -> Option<&Map<String, Value>> {
        self.value_info.as_ref()
    }

    /// The `valueInfo` object for changing, created empty if absent.
    pub fn value_info_mut(&mut self) -> &mut Map<String, Value> {
        self.value_info.get_or_insert_with(Map::new)
    }

    /// The parts: type name, value and `valueInfo`.
    pub fn into_parts(self) -> (Option<String>, Value, Option<Map<String, Value>>) {
        (
            self.type_name.map(Cow::into_owned),
            self.value,
            self.value_info,
        )
    }

    /// A File's name (`valueInfo.filename`).
    pub fn filename(&self) -> Option<&str> {
        self.info_str(FILENAME)
    }

    /// A File's MIME type (`valueInfo.mimeType`).
    pub fn mime_type(&self) -> Option<&str> {
        self.info_str(MIME_TYPE)
    }

    /// A File's character encoding (`valueInfo.encoding`).
    pub fn encoding(&self) -> Option<&str> {
        self.info_str(ENCODING)
    }

    /// An Object's Java type name (`valueInfo.objectTypeName`).
    pub fn object_type_name(&self) -> Option<&str> {
        self.info_str(OBJECT_TYPE_NAME)
    }

    /// An Object's serialization format (`valueInfo.serializationDataFormat`).
    pub fn serialization_data_format(&self) -> Option<&str> {
        self.info_str(SERIALIZATION_DATA_FORMAT)
    }

    /// Whether this is a `Null` value or any value that is JSON `null` (but not a File, whose
    /// content the engine never inlines).
    pub fn is_null(&self) -> bool {
        self.value.is_null() && self.value_type() != Some(ValueType::File)
    }

    /// Reads the value as `T`. See [`Variables::get`](super::Variables::get) for how each type
    /// is read; errors here name no variable.
    pub fn decode<T: DeserializeOwned>(&self) -> Result<T, VariableError> {
        decode::decode(self, "")
    }

    fn info_value(&self, key: &str) -> Option<&Value> {
        self.value_info.as_ref().and_then(|info| info.get(key))
    }

    fn info_str(&self, key: &str) -> Option<&str> {
        self.info_value(key).and_then(Value::as_str)
    }
}

/// The string the engine's JSON library writes for a non-finite double.
fn non_finite_name(value: f64) -> &'static str {
    if value.is_nan() {
        "NaN"
    } else if value > 0.0 {
        "Infinity"
    } else {
        "-Infinity"
    }
}

fn encode_base64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A Rust value that can be written as a process variable: `bool`, the integers up to `i64`
/// (`u16`/`u32` widened), `f32`/`f64`, strings, dates, bytes, an `Option` of any of them
/// (`None` is a `Null` variable), or a [`VariableValue`] built by hand. This is what
/// [`Variables::insert`](super::Variables::insert) and the worker's outcome builders take.
///
/// A struct is not one of these by itself: pick how the engine should store it, as JSON
/// (`VariableValue::json(&value)?`, or [`Variables::insert_json`](super::Variables::insert_json))
/// or as a serialized Java object ([`VariableValue::object`]). A type of your own with a
/// `From<YourType> for VariableValue` goes in as `VariableValue::from(value)`.
///
/// ```compile_fail,E0277
/// use camunda7_client::worker::Outcome;
/// struct Order { id: u32 }
/// // error: `Order` cannot be written as a process variable as it is
/// let outcome = Outcome::complete().variable("order", Order { id: 7 });
/// ```
///
/// ```
/// use camunda7_client::{variables::VariableValue, worker::Outcome};
/// #[derive(serde::Serialize)]
/// struct Order { id: u32 }
/// let outcome = Outcome::complete().variable("order", VariableValue::json(&Order { id: 7 })?);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be written as a process variable as it is",
    label = "not a bool, integer, float, string, date, bytes, Option of those, or VariableValue",
    note = "for a serde type choose its form: `VariableValue::json(&value)?` (or `Variables::insert_json`) for a Json variable, `VariableValue::object(..)` for a serialized Java object"
)]
pub trait IntoVariableValue {
    /// The variable's typed value.
    fn into_variable_value(self) -> VariableValue;
}

impl IntoVariableValue for VariableValue {
    fn into_variable_value(self) -> VariableValue {
        self
    }
}

impl<T: IntoVariableValue> IntoVariableValue for Option<T> {
    fn into_variable_value(self) -> VariableValue {
        self.map_or_else(VariableValue::null, IntoVariableValue::into_variable_value)
    }
}

impl<Tz: chrono::TimeZone> IntoVariableValue for chrono::DateTime<Tz> {
    fn into_variable_value(self) -> VariableValue {
        VariableValue::from(self)
    }
}

macro_rules! into_variable_value {
    ($($ty:ty),* $(,)?) => {$(
        impl IntoVariableValue for $ty {
            fn into_variable_value(self) -> VariableValue {
                VariableValue::from(self)
            }
        }
    )*};
}

into_variable_value!(
    bool,
    i16,
    i32,
    i64,
    u16,
    u32,
    f32,
    f64,
    String,
    &str,
    &String,
    Cow<'_, str>,
    DateTime,
    Vec<u8>,
    &[u8],
    bytes::Bytes,
);

macro_rules! from_rust {
    ($($ty:ty => $ctor:ident),* $(,)?) => {$(
        impl From<$ty> for VariableValue {
            #[doc = concat!("A `", stringify!($ctor), "` value (see [`VariableValue::", stringify!($ctor), "`]).")]
            fn from(value: $ty) -> Self {
                VariableValue::$ctor(value)
            }
        }
    )*};
}

from_rust! {
    bool => boolean,
    i16 => short,
    i32 => integer,
    i64 => long,
    f64 => double,
    String => string,
    &str => string,
    &String => string,
    Cow<'_, str> => string,
    DateTime => date,
    Vec<u8> => bytes,
    &[u8] => bytes,
    bytes::Bytes => bytes,
}

impl From<u16> for VariableValue {
    /// An `Integer` value (every `u16` fits).
    fn from(value: u16) -> Self {
        VariableValue::integer(i32::from(value))
    }
}

impl From<u32> for VariableValue {
    /// A `Long` value (every `u32` fits).
    fn from(value: u32) -> Self {
        VariableValue::long(i64::from(value))
    }
}

impl From<f32> for VariableValue {
    /// A `Double` value.
    fn from(value: f32) -> Self {
        VariableValue::double(f64::from(value))
    }
}

impl<Tz: chrono::TimeZone> From<chrono::DateTime<Tz>> for VariableValue {
    /// A `Date` value (see [`VariableValue::date`]).
    fn from(value: chrono::DateTime<Tz>) -> Self {
        VariableValue::date(DateTime::from_chrono(value))
    }
}

impl<T: Into<VariableValue>> From<Option<T>> for VariableValue {
    /// The value for `Some`, a `Null` value for `None`.
    fn from(value: Option<T>) -> Self {
        value.map_or_else(VariableValue::null, Into::into)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_type_names_are_normalized_without_a_copy() {
        for (json, expected, borrowed) in [
            (r#"{"type":"String","value":"x"}"#, Some("String"), true),
            (r#"{"type":"string","value":"x"}"#, Some("String"), true),
            (r#"{"type":"json","value":"{}"}"#, Some("Json"), true),
            // An escape makes serde hand over an owned string; still normalized.
            (
                r#"{"type":"\u0073tring","value":"x"}"#,
                Some("String"),
                true,
            ),
            (r#"{"type":"STRING","value":"x"}"#, Some("STRING"), false),
            (r#"{"type":"Custom","value":1}"#, Some("Custom"), false),
            (r#"{"type":"","value":1}"#, Some(""), false),
            (r#"{"type":null,"value":1}"#, None, false),
            (r#"{"value":1}"#, None, false),
        ] {
            let v: VariableValue = serde_json::from_str(json).expect(json);
            assert_eq!(v.type_name(), expected, "{json}");
            assert_eq!(
                matches!(v.type_name, Some(Cow::Borrowed(_))),
                borrowed,
                "{json}"
            );
        }
        assert!(serde_json::from_str::<VariableValue>(r#"{"type":5,"value":1}"#).is_err());
        assert!(matches!(
            VariableValue::from("x").type_name,
            Some(Cow::Borrowed("String"))
        ));
    }

    #[test]
    fn from_name_matches_only_the_first_letter_case_insensitively() {
        assert_eq!(ValueType::from_name("Integer"), ValueType::Integer);
        assert_eq!(ValueType::from_name("integer"), ValueType::Integer);
        assert_eq!(
            ValueType::from_name("INTEGER"),
            ValueType::Other("INTEGER".to_owned())
        );
        assert_eq!(ValueType::from_name("xml"), ValueType::Xml);
        assert_eq!(ValueType::from_name(""), ValueType::Other(String::new()));
        // Not ASCII: no known name starts with such a letter.
        assert_eq!(
            ValueType::from_name("Ölong"),
            ValueType::Other("Ölong".to_owned())
        );
        for (name, t) in &KNOWN {
            assert_eq!(&ValueType::from_name(name), t);
            assert_eq!(ValueType::from_name(t.name()), *t);
        }
    }
}
