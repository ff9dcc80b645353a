//! Typed variables in Camunda's JSON shape `{"type", "value", "valueInfo"}`: validating and
//! normalising what clients send, and rendering what the engine returns.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use crate::date;
use crate::error::ApiError;

/// A variable scope: names to typed values (`{"type","value","valueInfo"}`).
pub(crate) type Scope = BTreeMap<String, Value>;

/// The value types the engine knows, by their input name (first letter lower-cased).
const KNOWN_TYPES: &[&str] = &[
    "string", "boolean", "short", "integer", "long", "double", "date", "null", "bytes", "file",
    "object", "json", "xml",
];

/// Converts a request's `variables` map into typed values, as the engine does before running a
/// command. Transient variables are dropped (they are never stored).
pub(crate) fn from_request(variables: Option<&Value>) -> Result<Scope, ApiError> {
    let mut scope = Scope::new();
    let map = match variables {
        None | Some(Value::Null) => return Ok(scope),
        Some(Value::Object(map)) => map,
        Some(_) => return Err(ApiError::bad_json()),
    };
    for (name, dto) in map {
        let dto = match dto {
            Value::Null => Map::new(),
            Value::Object(m) => m.clone(),
            _ => return Err(ApiError::bad_json()),
        };
        let typed = convert(&dto)?;
        let transient = typed
            .get("valueInfo")
            .and_then(|info| info.get("transient"))
            .and_then(Value::as_bool)
            .unwrap_or(false);
        if !transient {
            scope.insert(name.clone(), typed);
        }
    }
    Ok(scope)
}

/// Builds a typed value from a plain JSON value, inferring the type as the engine does for an
/// untyped variable: string, integer (32-bit range) or long, double, boolean, null; objects and
/// arrays become `Json` values.
pub(crate) fn infer(value: &Value) -> Value {
    match value {
        Value::Null => typed("Null", Value::Null),
        Value::Bool(_) => typed("Boolean", value.clone()),
        Value::String(_) => typed("String", value.clone()),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                if i32::try_from(i).is_ok() {
                    typed("Integer", value.clone())
                } else {
                    typed("Long", value.clone())
                }
            } else {
                typed("Double", value.clone())
            }
        }
        Value::Array(_) | Value::Object(_) => typed("Json", Value::String(value.to_string())),
    }
}

/// A spec-supplied variable: a typed value when it is an object with a `type` or `value`
/// property (validated like a request variable), otherwise inferred with [`infer`].
pub(crate) fn from_spec(value: &Value) -> Result<Value, ApiError> {
    match value {
        Value::Object(map) if map.contains_key("type") || map.contains_key("value") => convert(map),
        other => Ok(infer(other)),
    }
}

fn typed(kind: &str, value: Value) -> Value {
    json!({ "type": kind, "value": value, "valueInfo": {} })
}

/// Validates and normalises one `VariableValueDto`.
fn convert(dto: &Map<String, Value>) -> Result<Value, ApiError> {
    let value = dto.get("value").cloned().unwrap_or(Value::Null);
    let info = match dto.get("valueInfo") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(m)) => m.clone(),
        Some(_) => return Err(ApiError::bad_json()),
    };
    let type_name = match dto.get("type") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err(ApiError::bad_json()),
    };
    let Some(type_name) = type_name else {
        let mut inferred = infer(&value);
        if let Some(t) = info.get("transient") {
            inferred["valueInfo"]["transient"] = t.clone();
        }
        return Ok(inferred);
    };
    let lowered = lower_first(&type_name);
    if !KNOWN_TYPES.contains(&lowered.as_str()) {
        return Err(ApiError::rest(
            400,
            format!("Unsupported value type '{type_name}'"),
        ));
    }
    let kind = upper_first(&lowered);
    let mut out_info = Map::new();
    if let Some(t) = info.get("transient") {
        out_info.insert("transient".into(), t.clone());
    }
    let normalised = match lowered.as_str() {
        "null" => Value::Null,
        "string" => match &value {
            Value::Null => Value::Null,
            Value::Object(_) | Value::Array(_) => return Err(cannot_convert(&value, &kind)),
            Value::String(_) => value.clone(),
            other => Value::String(other.to_string()),
        },
        "boolean" => match &value {
            Value::Null | Value::Bool(_) => value.clone(),
            Value::String(s) if s == "true" || s == "false" => Value::Bool(s == "true"),
            _ => return Err(cannot_convert(&value, &kind)),
        },
        "short" => integral(&value, &kind, i64::from(i16::MIN), i64::from(i16::MAX))?,
        "integer" => integral(&value, &kind, i64::from(i32::MIN), i64::from(i32::MAX))?,
        "long" => integral(&value, &kind, i64::MIN, i64::MAX)?,
        "double" => match &value {
            Value::Null => Value::Null,
            Value::Number(n) => n
                .as_f64()
                .map(|f| json!(f))
                .ok_or_else(|| cannot_convert(&value, &kind))?,
            Value::String(s) => s
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|f| f.is_finite())
                .map(|f| json!(f))
                .ok_or_else(|| cannot_convert(&value, &kind))?,
            _ => return Err(cannot_convert(&value, &kind)),
        },
        "date" => match &value {
            Value::Null => Value::Null,
            Value::String(s) => date::parse_millis(s)
                .map(|ms| Value::String(date::format_millis(ms)))
                .ok_or_else(|| cannot_convert(&value, &kind))?,
            _ => return Err(cannot_convert(&value, &kind)),
        },
        "bytes" => match &value {
            Value::Null | Value::String(_) => value.clone(),
            _ => return Err(ApiError::bad_json()),
        },
        "file" => {
            match info.get("filename") {
                Some(Value::String(name)) => {
                    out_info.insert("filename".into(), Value::String(name.clone()));
                }
                _ => {
                    return Err(ApiError {
                        status: 500,
                        kind: "IllegalArgumentException",
                        message: Some("filename is null".into()),
                        code: None,
                    })
                }
            }
            for key in ["mimeType", "encoding"] {
                if let Some(v @ Value::String(_)) = info.get(key) {
                    out_info.insert(key.into(), v.clone());
                }
            }
            match &value {
                Value::Null | Value::String(_) => value.clone(),
                _ => return Err(ApiError::bad_json()),
            }
        }
        // object, json, xml: serialized form only.
        _ => {
            if lowered == "object" {
                for key in ["objectTypeName", "serializationDataFormat"] {
                    if let Some(v) = info.get(key) {
                        out_info.insert(key.into(), v.clone());
                    }
                }
            }
            match &value {
                Value::Null | Value::String(_) => value.clone(),
                _ => {
                    return Err(ApiError::invalid_request(
                        400,
                        format!(
                            "Must provide 'null' or String value for value of SerializableValue type '{kind}'."
                        ),
                    ))
                }
            }
        }
    };
    Ok(json!({ "type": kind, "value": normalised, "valueInfo": out_info }))
}

/// A `Short`/`Integer`/`Long` typed value. The engine uses the value as is only when Jackson
/// already read it as that Java type; otherwise it has Jackson read the value's text as the
/// type. So, unlike an integer field of a request body, a fractional value (`5.7`, also `5.0`)
/// is refused rather than truncated, and so is a value beyond the type's range.
fn integral(value: &Value, kind: &str, min: i64, max: i64) -> Result<Value, ApiError> {
    let parsed = match value {
        Value::Null => return Ok(Value::Null),
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse::<i64>().ok(),
        _ => None,
    };
    match parsed {
        Some(i) if i >= min && i <= max => Ok(json!(i)),
        _ => Err(cannot_convert(value, kind)),
    }
}

fn java_class(kind: &str) -> &'static str {
    match kind {
        "String" => "java.lang.String",
        "Boolean" => "java.lang.Boolean",
        "Short" => "java.lang.Short",
        "Integer" => "java.lang.Integer",
        "Long" => "java.lang.Long",
        "Double" => "java.lang.Double",
        "Date" => "java.util.Date",
        _ => "java.lang.Object",
    }
}

fn cannot_convert(value: &Value, kind: &str) -> ApiError {
    let shown = match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    ApiError::invalid_request(
        400,
        format!(
            "Cannot convert value '{shown}' of type '{kind}' to java type {}",
            java_class(kind)
        ),
    )
}

fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn upper_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Renders a stored value for a response: file contents are never inlined, and an `Object`
/// value in JSON format is returned parsed when `deserialize` is set.
pub(crate) fn render(stored: &Value, deserialize: bool) -> Value {
    let mut out = stored.clone();
    match stored.get("type").and_then(Value::as_str) {
        Some("File") => out["value"] = Value::Null,
        Some("Object") if deserialize => {
            let json_format = stored
                .pointer("/valueInfo/serializationDataFormat")
                .and_then(Value::as_str)
                == Some("application/json");
            if let (true, Some(text)) = (json_format, stored.get("value").and_then(Value::as_str)) {
                if let Ok(parsed) = serde_json::from_str::<Value>(text) {
                    out["value"] = parsed;
                }
            }
        }
        _ => {}
    }
    out
}

/// A value as the engine's variable conditions see it: its Java-level kind and value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum QueryValue {
    Null,
    Bool(bool),
    Str(String),
    /// Integer-valued numbers with their Java type name.
    Int(i64, &'static str),
    Double(f64),
    Date(i64),
}

impl QueryValue {
    /// The stored variable as a comparable value; `None` for types a condition never matches.
    pub fn from_stored(stored: &Value) -> Option<QueryValue> {
        let value = stored.get("value").unwrap_or(&Value::Null);
        let kind = stored.get("type").and_then(Value::as_str).unwrap_or("");
        if value.is_null() {
            return Some(QueryValue::Null);
        }
        Some(match kind {
            "String" => QueryValue::Str(value.as_str()?.to_owned()),
            "Boolean" => QueryValue::Bool(value.as_bool()?),
            "Short" => QueryValue::Int(value.as_i64()?, "Short"),
            "Integer" => QueryValue::Int(value.as_i64()?, "Integer"),
            "Long" => QueryValue::Int(value.as_i64()?, "Long"),
            "Double" => QueryValue::Double(value.as_f64()?),
            "Date" => QueryValue::Date(date::parse_millis(value.as_str()?)?),
            _ => return None,
        })
    }

    /// A JSON request value with the Java type Jackson would give it.
    pub fn from_json(value: &Value) -> Result<QueryValue, ApiError> {
        Ok(match value {
            Value::Null => QueryValue::Null,
            Value::Bool(b) => QueryValue::Bool(*b),
            Value::String(s) => QueryValue::from_text(s),
            Value::Number(n) => match n.as_i64() {
                Some(i) if i32::try_from(i).is_ok() => QueryValue::Int(i, "Integer"),
                Some(i) => QueryValue::Int(i, "Long"),
                None => QueryValue::Double(n.as_f64().unwrap_or(f64::NAN)),
            },
            _ => {
                return Err(ApiError::process_engine(
                    "Object values cannot be used to query",
                ))
            }
        })
    }

    /// A string condition value: a date when it parses as one, otherwise a string.
    pub fn from_text(text: &str) -> QueryValue {
        match date::parse_millis(text) {
            Some(ms) => QueryValue::Date(ms),
            None => QueryValue::Str(text.to_owned()),
        }
    }

    /// Type-strict equality (fetchAndLock's `processVariables`).
    pub fn strict_eq(&self, other: &QueryValue) -> bool {
        self == other
    }

    /// Ordering for query conditions: numbers compare across numeric types, strings with
    /// strings, dates with dates.
    pub fn compare(&self, other: &QueryValue, ignore_case: bool) -> Option<std::cmp::Ordering> {
        use QueryValue::*;
        match (self, other) {
            (Int(a, _), Int(b, _)) => Some(a.cmp(b)),
            (Int(a, _), Double(b)) => (*a as f64).partial_cmp(b),
            (Double(a), Int(b, _)) => a.partial_cmp(&(*b as f64)),
            (Double(a), Double(b)) => a.partial_cmp(b),
            (Str(a), Str(b)) if ignore_case => Some(a.to_lowercase().cmp(&b.to_lowercase())),
            (Str(a), Str(b)) => Some(a.cmp(b)),
            (Date(a), Date(b)) => Some(a.cmp(b)),
            (Bool(a), Bool(b)) => Some(a.cmp(b)),
            (Null, Null) => Some(std::cmp::Ordering::Equal),
            _ => None,
        }
    }
}

/// SQL `LIKE` with `%` and `_` wildcards and no escape character.
pub(crate) fn sql_like(text: &str, pattern: &str) -> bool {
    let t: Vec<char> = text.chars().collect();
    let p: Vec<char> = pattern.chars().collect();
    // Iterative matching with backtracking on the last `%`.
    let (mut ti, mut pi) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '_' || (p[pi] != '%' && p[pi] == t[ti])) {
            ti += 1;
            pi += 1;
        } else if pi < p.len() && p[pi] == '%' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '%' {
        pi += 1;
    }
    pi == p.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_matches_sql_wildcards() {
        assert!(sql_like("1.2.3", "1.%"));
        assert!(sql_like("abc", "a_c"));
        assert!(sql_like("abc", "%"));
        assert!(!sql_like("abc", "b%"));
        assert!(sql_like("", "%"));
    }

    #[test]
    fn request_variables_are_validated() {
        let ok = from_request(Some(&json!({"a": {"type": "integer", "value": "5"}}))).unwrap();
        assert_eq!(
            ok["a"],
            json!({"type": "Integer", "value": 5, "valueInfo": {}})
        );
        let err = from_request(Some(&json!({"a": {"type": "STRING", "value": "x"}}))).unwrap_err();
        assert_eq!(
            err.message.as_deref(),
            Some("Unsupported value type 'STRING'")
        );
        let err = from_request(Some(&json!({"a": {"type": "Integer", "value": "x"}}))).unwrap_err();
        assert_eq!(
            err.message.as_deref(),
            Some("Cannot convert value 'x' of type 'Integer' to java type java.lang.Integer")
        );
        let transient = from_request(Some(
            &json!({"a": {"value": 1, "valueInfo": {"transient": true}}}),
        ))
        .unwrap();
        assert!(transient.is_empty());
    }
}
