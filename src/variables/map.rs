//! [`Variables`].

use indexmap::IndexMap;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::value::IntoVariableValue;
use super::{decode, VariableError, VariableValue};

/// Process variables by name, in the order they were received or inserted; serialized as the
/// JSON object the engine reads and writes (`{"name": {"type": .., "value": .., ..}, ..}`).
///
/// ```
/// use camunda7_client::variables::{VariableValue, Variables};
///
/// let mut vars = Variables::new();
/// vars.insert("amount", 1250_i64);
/// vars.insert("approved", true);
/// vars.insert("note", VariableValue::string("rush").transient(true));
/// assert_eq!(vars.get::<i64>("amount")?, 1250);
/// assert_eq!(vars.get_opt::<String>("missing")?, None);
/// # Ok::<(), camunda7_client::variables::VariableError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Variables {
    entries: IndexMap<String, VariableValue>,
}

impl Variables {
    /// No variables.
    pub fn new() -> Self {
        Self::default()
    }

    /// The number of variables.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no variables.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Whether a variable `name` is present (it may be `Null`).
    pub fn contains(&self, name: &str) -> bool {
        self.entries.contains_key(name)
    }

    /// Reads the variable `name` as `T`.
    ///
    /// `T` is any type serde can deserialize; how each Camunda type is read:
    /// - String, Boolean, Short, Integer, Long, Double, untyped and unknown types: the JSON
    ///   value as it is. An integer that does not fit `T` (a Long into `i32`) is
    ///   [`VariableError::OutOfRange`]; a Double written as `"NaN"`/`"Infinity"`/`"-Infinity"`
    ///   reads as that `f64`.
    /// - Null: JSON `null`, so it reads as `Option::None` (and is an error for `i64`, `String`..).
    /// - Date: as the text (so `String` and [`DateTime`](crate::DateTime) work), else as RFC 3339
    ///   (`chrono::DateTime<FixedOffset | Utc | Local>`), else as the wall-clock time without
    ///   offset (`chrono::NaiveDateTime`).
    /// - Bytes, and a File whose content is inline (base64): the decoded bytes, as a byte
    ///   sequence (`Vec<u8>`, `bytes::Bytes`). A File as the engine sends it has no content:
    ///   [`VariableError::FileNotInline`].
    /// - Json, and Object with `serializationDataFormat` `application/json`: `T` deserialized
    ///   from the serialized JSON; failing that, the text itself (so `String` gives the text).
    ///   Other Object formats and Xml: the text.
    ///
    /// A missing variable is [`VariableError::Missing`]; use [`Variables::get_opt`] when absence
    /// is normal.
    pub fn get<T: DeserializeOwned>(&self, name: &str) -> Result<T, VariableError> {
        match self.entries.get(name) {
            Some(value) => decode::decode(value, name),
            None => Err(VariableError::Missing {
                name: name.to_owned(),
            }),
        }
    }

    /// Like [`Variables::get`], but `None` when the variable is missing or null.
    pub fn get_opt<T: DeserializeOwned>(&self, name: &str) -> Result<Option<T>, VariableError> {
        match self.entries.get(name) {
            Some(value) if !value.is_null() => decode::decode(value, name).map(Some),
            _ => Ok(None),
        }
    }

    /// The variable `name` as the engine carries it.
    pub fn get_value(&self, name: &str) -> Option<&VariableValue> {
        self.entries.get(name)
    }

    /// The variable `name` for changing in place.
    pub fn get_value_mut(&mut self, name: &str) -> Option<&mut VariableValue> {
        self.entries.get_mut(name)
    }

    /// Sets the variable `name`, returning the value it had. A variable already present keeps its
    /// place in the order.
    ///
    /// The Camunda type follows the Rust type: `bool` → Boolean, `i16` → Short, `i32` and
    /// `u16` → Integer, `i64` and `u32` → Long, `f64` and `f32` → Double, `String` and `&str` →
    /// String, [`DateTime`](crate::DateTime) and `chrono::DateTime` → Date, `Vec<u8>`, `&[u8]`
    /// and `bytes::Bytes` → Bytes, `None` → Null. For Json, Object, File, Xml or a specific type
    /// pass a [`VariableValue`] built by its constructors, or use [`Variables::insert_json`] /
    /// [`Variables::insert_object`].
    pub fn insert(
        &mut self,
        name: impl Into<String>,
        value: impl IntoVariableValue,
    ) -> Option<VariableValue> {
        self.entries
            .insert(name.into(), value.into_variable_value())
    }

    /// [`Variables::insert`], by value, for building a map in one expression.
    pub fn with(mut self, name: impl Into<String>, value: impl IntoVariableValue) -> Self {
        self.insert(name, value);
        self
    }

    /// Sets the variable `name` to a Json value holding `value` serialized with serde.
    pub fn insert_json<T: Serialize + ?Sized>(
        &mut self,
        name: impl Into<String>,
        value: &T,
    ) -> Result<Option<VariableValue>, VariableError> {
        let name = name.into();
        match VariableValue::json(value) {
            Ok(v) => Ok(self.entries.insert(name, v)),
            Err(e) => Err(VariableError::Serialize {
                name,
                value_type: "Json".to_owned(),
                message: e.to_string(),
            }),
        }
    }

    /// Sets the variable `name` to an Object value holding `value` serialized as JSON, for the
    /// Java class `object_type_name` (see [`VariableValue::object`]).
    pub fn insert_object<T: Serialize + ?Sized>(
        &mut self,
        name: impl Into<String>,
        value: &T,
        object_type_name: impl Into<String>,
    ) -> Result<Option<VariableValue>, VariableError> {
        let name = name.into();
        match VariableValue::object(value, object_type_name) {
            Ok(v) => Ok(self.entries.insert(name, v)),
            Err(e) => Err(VariableError::Serialize {
                name,
                value_type: "Object".to_owned(),
                message: e.to_string(),
            }),
        }
    }

    /// Removes the variable `name`, keeping the order of the others.
    pub fn remove(&mut self, name: &str) -> Option<VariableValue> {
        self.entries.shift_remove(name)
    }

    /// The names, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> + '_ {
        self.entries.keys().map(String::as_str)
    }

    /// The variables, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &VariableValue)> + '_ {
        self.entries.iter().map(|(k, v)| (k.as_str(), v))
    }
}

impl<K: Into<String>, V: Into<VariableValue>> FromIterator<(K, V)> for Variables {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut vars = Variables::new();
        vars.extend(iter);
        vars
    }
}

impl<K: Into<String>, V: Into<VariableValue>> Extend<(K, V)> for Variables {
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, iter: I) {
        for (k, v) in iter {
            self.insert(k, v.into());
        }
    }
}

impl IntoIterator for Variables {
    type Item = (String, VariableValue);
    type IntoIter = IntoIter;

    fn into_iter(self) -> IntoIter {
        IntoIter(self.entries.into_iter())
    }
}

/// The variables of a [`Variables`], by value, in order.
#[derive(Debug)]
pub struct IntoIter(indexmap::map::IntoIter<String, VariableValue>);

impl Iterator for IntoIter {
    type Item = (String, VariableValue);

    fn next(&mut self) -> Option<Self::Item> {
        self.0.next()
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl ExactSizeIterator for IntoIter {}
