//! Reading a [`VariableValue`] as a Rust type.

use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine as _;
use serde::de::value::SeqDeserializer;
use serde::de::{self, DeserializeOwned, IntoDeserializer, Visitor};
use serde_json::Value;

use super::value::{ValueType, JSON_DATA_FORMAT};
use super::{VariableError, VariableValue};
use crate::DateTime;

/// Reads `v` (the variable `name`, empty when unnamed) as `T`.
pub(super) fn decode<T: DeserializeOwned>(
    v: &VariableValue,
    name: &str,
) -> Result<T, VariableError> {
    let cx = Context { name, v };
    match v.value_type() {
        None => cx.read_json(v.value()),
        Some(ValueType::Double) => match v.value().as_str().and_then(non_finite) {
            Some(f) => cx.read_special(Special::Double(f)),
            None => cx.read_json(v.value()),
        },
        Some(ValueType::Date) => cx.date(),
        Some(ValueType::Bytes) => cx.base64(),
        Some(ValueType::File) => match v.value() {
            Value::Null => Err(VariableError::FileNotInline {
                name: name.to_owned(),
            }),
            _ => cx.base64(),
        },
        Some(ValueType::Json) => cx.serialized_json(),
        Some(ValueType::Object) => {
            let is_json = v
                .serialization_data_format()
                .is_some_and(|f| f.trim().eq_ignore_ascii_case(JSON_DATA_FORMAT));
            if is_json {
                cx.serialized_json()
            } else {
                cx.read_json(v.value())
            }
        }
        Some(_) => cx.read_json(v.value()),
    }
}

/// `NaN`, `Infinity` and `-Infinity` as the engine's JSON library writes them.
fn non_finite(s: &str) -> Option<f64> {
    match s {
        "NaN" => Some(f64::NAN),
        "Infinity" => Some(f64::INFINITY),
        "-Infinity" => Some(f64::NEG_INFINITY),
        _ => None,
    }
}

struct Context<'a> {
    name: &'a str,
    v: &'a VariableValue,
}

impl Context<'_> {
    fn type_label(&self) -> String {
        self.v.type_name().unwrap_or("untyped").to_owned()
    }

    /// A deserialization error; integers that do not fit become [`VariableError::OutOfRange`].
    fn error<T>(&self, path: String, message: String) -> VariableError {
        let target = std::any::type_name::<T>();
        let numeric = matches!(
            self.v.value_type(),
            None | Some(ValueType::Short | ValueType::Integer | ValueType::Long)
        );
        if numeric && path == "." && message.starts_with("invalid value: integer") {
            return VariableError::OutOfRange {
                name: self.name.to_owned(),
                value_type: self.type_label(),
                value: self.v.value().to_string(),
                target,
            };
        }
        VariableError::Deserialize {
            name: self.name.to_owned(),
            value_type: self.type_label(),
            target,
            path,
            message: shorten(message),
        }
    }

    fn read_json<T: DeserializeOwned>(&self, json: &Value) -> Result<T, VariableError> {
        serde_path_to_error::deserialize(json)
            .map_err(|e| self.error::<T>(e.path().to_string(), e.into_inner().to_string()))
    }

    fn read_str<T: DeserializeOwned>(&self, text: &str) -> Result<T, VariableError> {
        self.read_json(&Value::String(text.to_owned()))
    }

    fn read_special<T: DeserializeOwned>(&self, special: Special) -> Result<T, VariableError> {
        serde_path_to_error::deserialize(special)
            .map_err(|e| self.error::<T>(e.path().to_string(), e.into_inner().to_string()))
    }

    /// Json, and Objects serialized as JSON: `T` from the JSON text; failing that, the text as
    /// a string (so `String` gets the text). An already deserialized value (not a string) is
    /// read directly.
    fn serialized_json<T: DeserializeOwned>(&self) -> Result<T, VariableError> {
        let Value::String(text) = self.v.value() else {
            return self.read_json(self.v.value());
        };
        let mut de = serde_json::Deserializer::from_str(text);
        let (path, message) = match serde_path_to_error::deserialize::<_, T>(&mut de) {
            Ok(t) => match de.end() {
                Ok(()) => return Ok(t),
                Err(e) => (".".to_owned(), e.to_string()),
            },
            Err(e) => (e.path().to_string(), e.into_inner().to_string()),
        };
        self.read_str(text)
            .map_err(|_| self.error::<T>(path, message))
    }

    /// Bytes and inline File content: base64 decoded, then read as a byte sequence.
    fn base64<T: DeserializeOwned>(&self) -> Result<T, VariableError> {
        match self.v.value() {
            Value::String(text) => {
                let bytes = decode_base64(text).map_err(|e| VariableError::Base64 {
                    name: self.name.to_owned(),
                    value_type: self.type_label(),
                    message: e.to_string(),
                })?;
                self.read_special(Special::Bytes(bytes))
            }
            other => self.read_json(other),
        }
    }

    /// Dates: the engine's text as it is (so `String` and [`DateTime`] read it); failing that,
    /// as RFC 3339 (what `chrono`'s types read), then as a local date-time without offset
    /// (`chrono::NaiveDateTime`).
    fn date<T: DeserializeOwned>(&self) -> Result<T, VariableError> {
        let Value::String(text) = self.v.value() else {
            return self.read_json(self.v.value());
        };
        let first = match self.read_str(text) {
            Ok(t) => return Ok(t),
            Err(e) => e,
        };
        let date = DateTime::parse(text).map_err(|source| VariableError::Date {
            name: self.name.to_owned(),
            source,
        })?;
        let chrono = date.as_chrono();
        let rfc3339 = chrono.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false);
        if let Ok(t) = self.read_str(&rfc3339) {
            return Ok(t);
        }
        let naive = chrono
            .naive_local()
            .format("%Y-%m-%dT%H:%M:%S%.f")
            .to_string();
        self.read_str(&naive).map_err(|_| first)
    }
}

/// The longest serde message kept in an error; serde quotes whole values, which may be huge.
const MAX_MESSAGE_CHARS: usize = 300;

fn shorten(message: String) -> String {
    match message.char_indices().nth(MAX_MESSAGE_CHARS) {
        Some((cut, _)) => format!("{}…", &message[..cut]),
        None => message,
    }
}

/// Standard base64, read leniently like the engine's decoder: padding optional, and line
/// breaks or other ASCII whitespace ignored.
fn decode_base64(text: &str) -> Result<Vec<u8>, base64::DecodeError> {
    const LENIENT: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );
    if text.bytes().any(|b| b.is_ascii_whitespace()) {
        let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
        LENIENT.decode(compact)
    } else {
        LENIENT.decode(text)
    }
}

/// Values JSON cannot carry as they are: non-finite doubles and decoded bytes.
enum Special {
    Double(f64),
    Bytes(Vec<u8>),
}

impl<'de> de::Deserializer<'de> for Special {
    type Error = de::value::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self {
            Special::Double(f) => visitor.visit_f64(f),
            Special::Bytes(bytes) => {
                let mut seq = SeqDeserializer::new(bytes.into_iter());
                let value = visitor.visit_seq(&mut seq)?;
                seq.end()?;
                Ok(value)
            }
        }
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        self.deserialize_byte_buf(visitor)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self {
            Special::Bytes(bytes) => visitor.visit_byte_buf(bytes),
            other => other.deserialize_any(visitor),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        visitor.visit_newtype_struct(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        unit unit_struct seq tuple tuple_struct map struct enum identifier ignored_any
    }
}

impl<'de> IntoDeserializer<'de, de::value::Error> for Special {
    type Deserializer = Self;

    fn into_deserializer(self) -> Self {
        self
    }
}
