//! Reading request bodies the way the engine's Jackson mapping does: unknown properties are
//! ignored, numeric strings are coerced, JSON `null` for a primitive becomes 0/false, a
//! fractional number for an integer field is truncated toward zero, and any type mismatch or
//! number out of the field's range is a 400 with an empty message.

use serde_json::{Map, Value};

use crate::error::ApiError;

/// A JSON object body.
#[derive(Debug, Default, Clone)]
pub(crate) struct Body(pub Map<String, Value>);

impl Body {
    /// Parses a request body that must be a JSON object; an empty body is the engine's
    /// `NullPointerException` (500).
    pub fn parse(bytes: &[u8]) -> Result<Body, ApiError> {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(ApiError::null_pointer());
        }
        match serde_json::from_slice::<Value>(bytes) {
            Ok(Value::Object(map)) => Ok(Body(map)),
            Ok(Value::Null) => Err(ApiError::null_pointer()),
            _ => Err(ApiError::bad_json()),
        }
    }

    /// The raw value of a property, treating JSON `null` as absent.
    pub fn get(&self, name: &str) -> Option<&Value> {
        match self.0.get(name) {
            None | Some(Value::Null) => None,
            Some(v) => Some(v),
        }
    }

    /// A `String` property; scalars are coerced to their text.
    pub fn string(&self, name: &str) -> Result<Option<String>, ApiError> {
        self.get(name).map(value_as_string).transpose()
    }

    /// A boxed 64-bit integer (`Long`) property.
    pub fn int(&self, name: &str) -> Result<Option<i64>, ApiError> {
        self.get(name).map(value_as_i64).transpose()
    }

    /// A primitive 64-bit integer (`long`) property: absent or `null` become 0.
    pub fn prim_int(&self, name: &str) -> Result<i64, ApiError> {
        Ok(self.int(name)?.unwrap_or(0))
    }

    /// A boxed 32-bit integer (`Integer`) property.
    pub fn int32(&self, name: &str) -> Result<Option<i32>, ApiError> {
        self.get(name).map(value_as_i32).transpose()
    }

    /// A primitive 32-bit integer (`int`) property: absent or `null` become 0.
    pub fn prim_int32(&self, name: &str) -> Result<i32, ApiError> {
        Ok(self.int32(name)?.unwrap_or(0))
    }

    /// A boxed boolean property.
    pub fn boolean(&self, name: &str) -> Result<Option<bool>, ApiError> {
        self.get(name).map(value_as_bool).transpose()
    }

    /// A primitive boolean property: absent or `null` become `false`.
    pub fn prim_bool(&self, name: &str) -> Result<bool, ApiError> {
        Ok(self.boolean(name)?.unwrap_or(false))
    }

    /// A list of strings; `None` when absent or `null`. Elements may be `null`.
    pub fn string_list(&self, name: &str) -> Result<Option<Vec<Option<String>>>, ApiError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Array(items)) => items
                .iter()
                .map(|item| match item {
                    Value::Null => Ok(None),
                    other => value_as_string(other).map(Some),
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            // Jackson accepts a single value where a list is expected only when configured to;
            // the engine is not.
            Some(_) => Err(ApiError::bad_json()),
        }
    }

    /// A nested object property.
    pub fn object(&self, name: &str) -> Result<Option<Body>, ApiError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Object(map)) => Ok(Some(Body(map.clone()))),
            Some(_) => Err(ApiError::bad_json()),
        }
    }

    /// An array of objects.
    pub fn object_list(&self, name: &str) -> Result<Option<Vec<Option<Body>>>, ApiError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Array(items)) => items
                .iter()
                .map(|item| match item {
                    Value::Null => Ok(None),
                    Value::Object(map) => Ok(Some(Body(map.clone()))),
                    _ => Err(ApiError::bad_json()),
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Some(_) => Err(ApiError::bad_json()),
        }
    }
}

/// Coerces a scalar to a string the way Jackson does for a `String` field.
pub(crate) fn value_as_string(value: &Value) -> Result<String, ApiError> {
    match value {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        _ => Err(ApiError::bad_json()),
    }
}

/// Reads a Java `long` field: see [`integer_in`].
pub(crate) fn value_as_i64(value: &Value) -> Result<i64, ApiError> {
    integer_in(value, i64::MIN, i64::MAX)
}

/// Reads a Java `int` / `Integer` field: see [`integer_in`].
pub(crate) fn value_as_i32(value: &Value) -> Result<i32, ApiError> {
    let n = integer_in(value, i64::from(i32::MIN), i64::from(i32::MAX))?;
    // In range by the check above.
    i32::try_from(n).map_err(|_| ApiError::bad_json())
}

/// Reads an integer field of the range `min..=max` as Jackson does by default: an integral
/// number is taken as is, a fractional one is truncated toward zero (`ACCEPT_FLOAT_AS_INT`), a
/// string must hold an integer (`"2.5"` does not), and a value beyond the range fails.
fn integer_in(value: &Value, min: i64, max: i64) -> Result<i64, ApiError> {
    let n = match value {
        Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => i,
            (None, _) if n.is_u64() => return Err(ApiError::bad_json()),
            // Bounds as Jackson checks them (as doubles); `as` then truncates toward zero and
            // saturates at the top of the `long` range, as Java's cast does.
            (None, Some(f)) if f >= min as f64 && f <= max as f64 => f as i64,
            _ => return Err(ApiError::bad_json()),
        },
        Value::String(s) => s.trim().parse().map_err(|_| ApiError::bad_json())?,
        _ => return Err(ApiError::bad_json()),
    };
    if (min..=max).contains(&n) {
        Ok(n)
    } else {
        Err(ApiError::bad_json())
    }
}

/// Coerces a boolean or `"true"`/`"false"` to a boolean.
pub(crate) fn value_as_bool(value: &Value) -> Result<bool, ApiError> {
    match value {
        Value::Bool(b) => Ok(*b),
        Value::String(s) if s == "true" => Ok(true),
        Value::String(s) if s == "false" => Ok(false),
        _ => Err(ApiError::bad_json()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn integer_fields_truncate_fractions_and_check_their_range() {
        assert_eq!(value_as_i32(&json!(2.9)).ok(), Some(2));
        assert_eq!(value_as_i32(&json!(-2.9)).ok(), Some(-2));
        assert_eq!(value_as_i32(&json!(1e3)).ok(), Some(1000));
        assert_eq!(value_as_i32(&json!(" 7 ")).ok(), Some(7));
        assert_eq!(value_as_i32(&json!(2147483647)).ok(), Some(2147483647));
        assert_eq!(value_as_i32(&json!(2147483647.9)).ok(), None);
        assert_eq!(value_as_i32(&json!(2147483648i64)).ok(), None);
        assert_eq!(value_as_i32(&json!(-2147483649i64)).ok(), None);
        assert_eq!(value_as_i32(&json!("2.5")).ok(), None);
        assert_eq!(value_as_i64(&json!(5000000000.5)).ok(), Some(5000000000));
        assert_eq!(value_as_i64(&json!(i64::MAX)).ok(), Some(i64::MAX));
        assert_eq!(value_as_i64(&json!(9223372036854775808u64)).ok(), None);
        assert_eq!(value_as_i64(&json!(1e19)).ok(), None);
        assert_eq!(value_as_i64(&json!(true)).ok(), None);
    }
}
