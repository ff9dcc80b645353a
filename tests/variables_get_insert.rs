//! Reading variables as Rust types and writing Rust values as variables: the Camunda type chosen,
//! the conversions, the boundaries and the errors.

use std::collections::HashMap;

use camunda7_client::variables::{ValueType, VariableError, VariableValue, Variables};
use camunda7_client::DateTime;
use chrono::{FixedOffset, NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Order {
    id: u32,
    customer: Customer,
    lines: Vec<Line>,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Customer {
    name: String,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Line {
    sku: String,
    qty: u16,
}

fn sample_order() -> Order {
    Order {
        id: 42,
        customer: Customer { name: "Ada".into() },
        lines: vec![Line {
            sku: "A-1".into(),
            qty: 2,
        }],
    }
}

/// The variables as the engine would send them back.
fn over_the_wire(vars: &Variables) -> Variables {
    let text = serde_json::to_string(vars).expect("serializes");
    serde_json::from_str(&text).expect("parses")
}

fn wire_of(vars: &Variables, name: &str) -> Value {
    serde_json::to_value(vars.get_value(name).expect("present")).expect("serializes")
}

#[test]
fn rust_types_choose_the_camunda_type() {
    let date = FixedOffset::east_opt(2 * 3600)
        .and_then(|o| o.with_ymd_and_hms(2024, 5, 6, 12, 30, 0).single())
        .expect("valid date");
    let vars = Variables::new()
        .with("i16", 7_i16)
        .with("i32", 7_i32)
        .with("u16", 7_u16)
        .with("i64", 7_i64)
        .with("u32", 7_u32)
        .with("f64", 0.25_f64)
        .with("f32", 0.25_f32)
        .with("bool", false)
        .with("str", "s")
        .with("string", String::from("s"))
        .with("chrono", date)
        .with("date", DateTime::from_chrono(date.with_timezone(&Utc)))
        .with("bytes", vec![1_u8, 2])
        .with("slice", &[1_u8, 2][..])
        .with("none", None::<String>)
        .with("some", Some(3_i32));
    let types: Vec<(&str, Option<&str>)> = vars.iter().map(|(n, v)| (n, v.type_name())).collect();
    assert_eq!(
        types,
        [
            ("i16", Some("Short")),
            ("i32", Some("Integer")),
            ("u16", Some("Integer")),
            ("i64", Some("Long")),
            ("u32", Some("Long")),
            ("f64", Some("Double")),
            ("f32", Some("Double")),
            ("bool", Some("Boolean")),
            ("str", Some("String")),
            ("string", Some("String")),
            ("chrono", Some("Date")),
            ("date", Some("Date")),
            ("bytes", Some("Bytes")),
            ("slice", Some("Bytes")),
            ("none", Some("Null")),
            ("some", Some("Integer")),
        ]
    );
    assert_eq!(
        wire_of(&vars, "chrono")["value"],
        "2024-05-06T12:30:00.000+0200"
    );
    assert_eq!(
        wire_of(&vars, "date")["value"],
        "2024-05-06T10:30:00.000+0000"
    );
    assert_eq!(wire_of(&vars, "bytes")["value"], "AQI=");
}

#[test]
fn i32_overflow_stays_long_and_reading_it_as_i32_is_out_of_range() {
    let big = i64::from(i32::MAX) + 1;
    let vars = over_the_wire(&Variables::new().with("n", big).with("small", 5_i64));
    assert_eq!(
        vars.get_value("n").unwrap().value_type(),
        Some(ValueType::Long)
    );
    assert_eq!(vars.get::<i64>("n").unwrap(), big);
    match vars.get::<i32>("n") {
        Err(VariableError::OutOfRange {
            name,
            value,
            target,
            value_type,
        }) => {
            assert_eq!(name, "n");
            assert_eq!(value, "2147483648");
            assert_eq!(target, "i32");
            assert_eq!(value_type, "Long");
        }
        other => panic!("expected OutOfRange, got {other:?}"),
    }
    // A Long that fits reads as i32.
    assert_eq!(vars.get::<i32>("small").unwrap(), 5);
    // Integer into i16.
    let vars = Variables::new().with("s", 70_000_i32);
    let err = vars.get::<i16>("s").unwrap_err();
    assert!(matches!(err, VariableError::OutOfRange { .. }), "{err:?}");
    assert!(err.to_string().contains("`s`"), "{err}");
    // Negative into unsigned.
    let err = Variables::new()
        .with("u", -1_i32)
        .get::<u32>("u")
        .unwrap_err();
    assert!(matches!(err, VariableError::OutOfRange { .. }), "{err:?}");
}

#[test]
fn non_finite_doubles_are_written_as_the_engine_writes_them() {
    let vars = Variables::new()
        .with("nan", f64::NAN)
        .with("inf", f64::INFINITY)
        .with("ninf", f64::NEG_INFINITY);
    assert_eq!(
        wire_of(&vars, "nan"),
        json!({"type": "Double", "value": "NaN", "valueInfo": {}})
    );
    assert_eq!(wire_of(&vars, "inf")["value"], "Infinity");
    assert_eq!(wire_of(&vars, "ninf")["value"], "-Infinity");
    let vars = over_the_wire(&vars);
    assert!(vars.get::<f64>("nan").unwrap().is_nan());
    assert_eq!(vars.get::<f64>("inf").unwrap(), f64::INFINITY);
    assert_eq!(vars.get::<f64>("ninf").unwrap(), f64::NEG_INFINITY);
    assert_eq!(vars.get::<Option<f64>>("inf").unwrap(), Some(f64::INFINITY));
    assert!(vars.get_opt::<f64>("nan").unwrap().is_some_and(f64::is_nan));
    // A String variable that says "NaN" is still a string.
    let s = Variables::new().with("s", "NaN");
    assert!(s.get::<f64>("s").is_err());
    assert_eq!(s.get::<String>("s").unwrap(), "NaN");
}

#[test]
fn empty_and_large_strings() {
    let big: String = "äbc€𝄞".repeat(1024 * 1024 / 11 + 1);
    assert!(big.len() >= 1024 * 1024);
    let vars = over_the_wire(&Variables::new().with("empty", "").with("big", big.as_str()));
    assert_eq!(vars.get::<String>("empty").unwrap(), "");
    assert_eq!(vars.get::<String>("big").unwrap(), big);
    // An empty Bytes value is empty, not missing.
    let vars = over_the_wire(&Variables::new().with("b", Vec::<u8>::new()));
    assert_eq!(vars.get::<Vec<u8>>("b").unwrap(), Vec::<u8>::new());
}

/// A type that asks for a byte buffer (like `serde_bytes::ByteBuf` or `bytes::Bytes`).
#[derive(Debug, PartialEq)]
struct ByteBuf(Vec<u8>);

impl<'de> Deserialize<'de> for ByteBuf {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = ByteBuf;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a byte buffer")
            }
            fn visit_byte_buf<E: serde::de::Error>(self, v: Vec<u8>) -> Result<ByteBuf, E> {
                Ok(ByteBuf(v))
            }
        }
        d.deserialize_byte_buf(V)
    }
}

#[test]
fn bytes_read_as_vec_byte_buffers_and_option() {
    let data = vec![0xC3_u8, 0x28, 0xFF, 0x00];
    let vars = over_the_wire(&Variables::new().with("b", data.clone()));
    assert_eq!(vars.get::<Vec<u8>>("b").unwrap(), data);
    assert_eq!(vars.get::<ByteBuf>("b").unwrap(), ByteBuf(data.clone()));
    assert_eq!(
        vars.get::<Option<Vec<u8>>>("b").unwrap(),
        Some(data.clone())
    );
    assert_eq!(vars.get_opt::<Vec<u8>>("b").unwrap(), Some(data));
    assert!(vars.get::<String>("b").is_err(), "bytes are not text");
}

#[test]
fn dates_read_as_camunda_chrono_and_naive_types() {
    let vars: Variables = serde_json::from_value(json!({
        "d": {"type": "Date", "value": "2024-05-06T12:30:00.000+0200", "valueInfo": {}},
        "rfc": {"type": "Date", "value": "2024-05-06T10:30:00Z", "valueInfo": {}}
    }))
    .unwrap();
    let expected = Utc.with_ymd_and_hms(2024, 5, 6, 10, 30, 0).unwrap();
    assert_eq!(
        vars.get::<DateTime>("d").unwrap().timestamp_millis(),
        expected.timestamp_millis()
    );
    assert_eq!(vars.get::<chrono::DateTime<Utc>>("d").unwrap(), expected);
    let fixed = vars.get::<chrono::DateTime<FixedOffset>>("d").unwrap();
    assert_eq!(fixed, expected);
    assert_eq!(fixed.offset().local_minus_utc(), 2 * 3600, "offset kept");
    let wall = NaiveDate::from_ymd_opt(2024, 5, 6)
        .unwrap()
        .and_hms_opt(12, 30, 0)
        .unwrap();
    assert_eq!(vars.get::<chrono::NaiveDateTime>("d").unwrap(), wall);
    assert_eq!(
        vars.get::<String>("d").unwrap(),
        "2024-05-06T12:30:00.000+0200"
    );
    assert_eq!(vars.get::<chrono::DateTime<Utc>>("rfc").unwrap(), expected);
}

#[test]
fn dates_keep_milliseconds() {
    let d = Utc.timestamp_millis_opt(1_714_991_400_123).unwrap();
    let vars = over_the_wire(&Variables::new().with("d", d));
    assert_eq!(wire_of(&vars, "d")["value"], "2024-05-06T10:30:00.123+0000");
    assert_eq!(vars.get::<chrono::DateTime<Utc>>("d").unwrap(), d);
}

#[test]
fn user_structs_as_json_and_as_object() {
    let order = sample_order();
    let mut vars = Variables::new();
    vars.insert_json("json", &order).unwrap();
    vars.insert_object("object", &order, "com.example.Order")
        .unwrap();
    let vars = over_the_wire(&vars);
    assert_eq!(vars.get::<Order>("json").unwrap(), order);
    assert_eq!(vars.get::<Order>("object").unwrap(), order);
    let object = vars.get_value("object").unwrap();
    assert_eq!(object.object_type_name(), Some("com.example.Order"));
    assert_eq!(object.serialization_data_format(), Some("application/json"));
    assert_eq!(
        object.value(),
        &Value::String(serde_json::to_string(&order).unwrap())
    );
}

#[test]
fn typed_constructor_builds_any_type() {
    let mut info = serde_json::Map::new();
    info.insert("custom".into(), json!(1));
    let v = VariableValue::typed("string", json!("x"), info);
    assert_eq!(v.type_name(), Some("String"));
    assert_eq!(
        serde_json::to_value(&v).unwrap(),
        json!({"type": "String", "value": "x", "valueInfo": {"custom": 1}})
    );
    let v = VariableValue::typed("Custom", json!([1]), serde_json::Map::new());
    assert_eq!(v.value_type(), Some(ValueType::Other("Custom".into())));
    assert_eq!(VariableValue::untyped(json!(1)).value_type(), None);
}

#[test]
fn missing_and_null_variables() {
    let vars = Variables::new().with("null", None::<i64>);
    match vars.get::<i64>("absent") {
        Err(VariableError::Missing { name }) => assert_eq!(name, "absent"),
        other => panic!("expected Missing, got {other:?}"),
    }
    assert_eq!(vars.get_opt::<i64>("absent").unwrap(), None);
    assert_eq!(vars.get_opt::<i64>("null").unwrap(), None);
    assert_eq!(vars.get::<Option<i64>>("null").unwrap(), None);
    let err = vars.get::<i64>("null").unwrap_err();
    assert!(matches!(err, VariableError::Deserialize { .. }), "{err:?}");
    assert!(
        err.to_string().contains("`null`") && err.to_string().contains("Null"),
        "{err}"
    );
}

#[test]
fn wrong_type_errors_name_the_variable_the_types_and_the_path() {
    let vars = Variables::new().with("amount", "twelve");
    let err = vars.get::<i64>("amount").unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("`amount`") && text.contains("String") && text.contains("i64"),
        "{text}"
    );
    assert_eq!(err.name(), "amount");

    let mut vars = Variables::new();
    vars.insert(
        "order",
        VariableValue::json_text(
            r#"{"id":1,"customer":{"name":"A"},"lines":[{"sku":"x","qty":"two"}]}"#,
        ),
    );
    match vars.get::<Order>("order") {
        Err(VariableError::Deserialize {
            name,
            path,
            value_type,
            ..
        }) => {
            assert_eq!(name, "order");
            assert_eq!(value_type, "Json");
            assert_eq!(path, "lines[0].qty");
        }
        other => panic!("expected Deserialize, got {other:?}"),
    }
    let text = vars.get::<Order>("order").unwrap_err().to_string();
    assert!(text.contains("lines[0].qty"), "{text}");

    // Invalid JSON text in a Json variable.
    let vars = Variables::new().with("j", VariableValue::json_text("{not json"));
    assert!(matches!(
        vars.get::<Order>("j"),
        Err(VariableError::Deserialize { .. })
    ));
    assert_eq!(vars.get::<String>("j").unwrap(), "{not json");
    // Trailing text after the JSON document is rejected, not ignored.
    let vars = Variables::new().with("j", VariableValue::json_text("[1] [2]"));
    assert!(vars.get::<Vec<i32>>("j").is_err());
}

#[test]
fn bad_base64_and_bad_dates_are_errors() {
    let vars: Variables = serde_json::from_value(json!({
        "b": {"type": "Bytes", "value": "not base64!", "valueInfo": {}},
        "f": {"type": "File", "value": "%%%", "valueInfo": {"filename": "x"}},
        "d": {"type": "Date", "value": "yesterday", "valueInfo": {}},
        "n": {"type": "Date", "value": 1714991400000_i64, "valueInfo": {}}
    }))
    .unwrap();
    match vars.get::<Vec<u8>>("b") {
        Err(VariableError::Base64 {
            name, value_type, ..
        }) => {
            assert_eq!((name.as_str(), value_type.as_str()), ("b", "Bytes"));
        }
        other => panic!("expected Base64, got {other:?}"),
    }
    assert!(matches!(
        vars.get::<Vec<u8>>("f"),
        Err(VariableError::Base64 { .. })
    ));
    match vars.get::<DateTime>("d") {
        Err(e @ VariableError::Date { .. }) => {
            assert_eq!(e.name(), "d");
            assert!(e.to_string().contains("yesterday"), "{e}");
        }
        other => panic!("expected Date, got {other:?}"),
    }
    // The raw text is still readable.
    assert_eq!(vars.get::<String>("d").unwrap(), "yesterday");
    // A number in a Date variable reads as epoch milliseconds where the target accepts that.
    assert_eq!(
        vars.get::<DateTime>("n").unwrap().timestamp_millis(),
        1_714_991_400_000
    );
}

#[test]
fn serialization_failures_name_the_variable() {
    let mut bad = HashMap::new();
    bad.insert((1, 2), 3);
    let mut vars = Variables::new();
    match vars.insert_json("grid", &bad) {
        Err(VariableError::Serialize {
            name, value_type, ..
        }) => {
            assert_eq!((name.as_str(), value_type.as_str()), ("grid", "Json"));
        }
        other => panic!("expected Serialize, got {other:?}"),
    }
    assert!(vars.insert_object("grid", &bad, "java.util.Map").is_err());
    assert!(vars.is_empty());
    assert!(VariableValue::json(&bad).is_err());
}

#[test]
fn map_operations_keep_order() {
    let mut vars: Variables = [("a", 1_i32), ("b", 2), ("c", 3)].into_iter().collect();
    assert_eq!(vars.len(), 3);
    assert!(vars.contains("b"));
    let previous = vars.insert("a", 10_i32);
    assert_eq!(previous, Some(VariableValue::integer(1)));
    assert_eq!(vars.remove("b"), Some(VariableValue::integer(2)));
    vars.extend([("d", "x")]);
    assert_eq!(vars.names().collect::<Vec<_>>(), ["a", "c", "d"]);
    assert_eq!(
        serde_json::to_string(&vars).unwrap(),
        r#"{"a":{"type":"Integer","value":10,"valueInfo":{}},"c":{"type":"Integer","value":3,"valueInfo":{}},"d":{"type":"String","value":"x","valueInfo":{}}}"#
    );
    if let Some(v) = vars.get_value_mut("c") {
        *v = VariableValue::long(3).transient(true);
    }
    assert!(vars.get_value("c").unwrap().is_transient());
    let owned: Vec<(String, VariableValue)> = vars.into_iter().collect();
    assert_eq!(owned.len(), 3);
    assert_eq!(owned[0].0, "a");
    assert_eq!(serde_json::to_string(&Variables::new()).unwrap(), "{}");
}

#[test]
fn unnamed_decode_errors_read_naturally() {
    let err = VariableValue::string("x").decode::<i32>().unwrap_err();
    assert_eq!(err.name(), "");
    assert!(
        err.to_string().starts_with("variable value of type String"),
        "{err}"
    );
}

#[test]
fn base64_is_read_leniently_like_the_engine() {
    let vars: Variables = serde_json::from_value(json!({
        "wrapped": {"type": "Bytes", "value": "aGVs\r\nbG8g\nd29y bGQ=", "valueInfo": {}},
        "unpadded": {"type": "Bytes", "value": "aGVsbG8", "valueInfo": {}}
    }))
    .unwrap();
    assert_eq!(vars.get::<Vec<u8>>("wrapped").unwrap(), b"hello world");
    assert_eq!(vars.get::<Vec<u8>>("unpadded").unwrap(), b"hello");
}

#[test]
fn error_messages_do_not_repeat_huge_values() {
    let huge = "x".repeat(100_000);
    let err = Variables::new()
        .with("h", huge.as_str())
        .get::<i64>("h")
        .unwrap_err();
    let text = err.to_string();
    assert!(text.contains("`h`"), "{text}");
    assert!(text.len() < 1_000, "message is {} bytes long", text.len());
}
