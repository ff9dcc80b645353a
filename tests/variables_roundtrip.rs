//! Each Camunda value type, as the engine writes it, survives a round trip through
//! `VariableValue` and reads as the expected Rust value; values we build have the engine's shape.

use camunda7_client::variables::{ValueType, VariableValue, Variables};
use camunda7_client::DateTime;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// Parses `wire`, checks the type, serializes back and checks nothing changed.
fn round_trip(wire: &str, expected_type: ValueType) -> VariableValue {
    let value: VariableValue = serde_json::from_str(wire).expect("engine JSON parses");
    assert_eq!(value.value_type(), Some(expected_type));
    let back = serde_json::to_value(&value).expect("serializes");
    let original: Value = serde_json::from_str(wire).expect("test JSON is valid");
    assert_eq!(back, original, "round trip changed {wire}");
    let again: VariableValue = serde_json::from_value(back).expect("parses again");
    assert_eq!(again, value);
    value
}

/// What we build serializes exactly like `wire`.
fn same_shape(built: &VariableValue, wire: &str) {
    let original: Value = serde_json::from_str(wire).expect("test JSON is valid");
    assert_eq!(serde_json::to_value(built).expect("serializes"), original);
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Order {
    id: u32,
    items: Vec<String>,
}

#[test]
fn null_round_trips() {
    let wire = r#"{"type":"Null","value":null,"valueInfo":{}}"#;
    let v = round_trip(wire, ValueType::Null);
    assert_eq!(v.decode::<Option<i32>>().unwrap(), None);
    assert!(v.is_null());
    same_shape(&VariableValue::null(), wire);
    same_shape(&VariableValue::from(None::<i32>), wire);
}

#[test]
fn string_round_trips() {
    let wire = r#"{"type":"String","value":"Grüße, \"world\"\n","valueInfo":{}}"#;
    let v = round_trip(wire, ValueType::String);
    assert_eq!(v.decode::<String>().unwrap(), "Grüße, \"world\"\n");
    same_shape(&VariableValue::from("Grüße, \"world\"\n"), wire);
}

#[test]
fn boolean_round_trips() {
    let wire = r#"{"type":"Boolean","value":true,"valueInfo":{}}"#;
    let v = round_trip(wire, ValueType::Boolean);
    assert!(v.decode::<bool>().unwrap());
    same_shape(&VariableValue::from(true), wire);
}

#[test]
fn short_round_trips() {
    let wire = r#"{"type":"Short","value":-32768,"valueInfo":{}}"#;
    let v = round_trip(wire, ValueType::Short);
    assert_eq!(v.decode::<i16>().unwrap(), i16::MIN);
    same_shape(&VariableValue::from(i16::MIN), wire);
}

#[test]
fn integer_round_trips() {
    let wire = r#"{"type":"Integer","value":2147483647,"valueInfo":{}}"#;
    let v = round_trip(wire, ValueType::Integer);
    assert_eq!(v.decode::<i32>().unwrap(), i32::MAX);
    assert_eq!(v.decode::<i64>().unwrap(), i64::from(i32::MAX));
    same_shape(&VariableValue::from(i32::MAX), wire);
}

#[test]
fn long_round_trips_beyond_double_precision() {
    let wire = r#"{"type":"Long","value":9007199254740993,"valueInfo":{}}"#;
    let v = round_trip(wire, ValueType::Long);
    assert_eq!(v.decode::<i64>().unwrap(), 9_007_199_254_740_993);
    same_shape(&VariableValue::from(9_007_199_254_740_993_i64), wire);
}

#[test]
fn double_round_trips() {
    let wire = r#"{"type":"Double","value":1234.5678,"valueInfo":{}}"#;
    let v = round_trip(wire, ValueType::Double);
    assert_eq!(v.decode::<f64>().unwrap(), 1234.5678);
    same_shape(&VariableValue::from(1234.5678_f64), wire);
}

#[test]
fn date_round_trips() {
    let wire = r#"{"type":"Date","value":"2024-05-06T12:30:00.000+0200","valueInfo":{}}"#;
    let v = round_trip(wire, ValueType::Date);
    let date = v.decode::<DateTime>().unwrap();
    assert_eq!(date.to_string(), "2024-05-06T12:30:00.000+0200");
    assert_eq!(date.timestamp_millis(), 1_714_991_400_000);
    same_shape(&VariableValue::from(date), wire);
}

#[test]
fn bytes_round_trip_as_base64() {
    // 0x00 0xFF 0x10 0x80: not UTF-8.
    let wire = r#"{"type":"Bytes","value":"AP8QgA==","valueInfo":{}}"#;
    let v = round_trip(wire, ValueType::Bytes);
    assert_eq!(v.decode::<Vec<u8>>().unwrap(), vec![0x00, 0xFF, 0x10, 0x80]);
    same_shape(&VariableValue::from(vec![0x00_u8, 0xFF, 0x10, 0x80]), wire);
}

#[test]
fn file_round_trips_without_content() {
    let wire = r#"{"type":"File","value":null,"valueInfo":{"filename":"invoice.pdf","mimeType":"application/pdf","encoding":"UTF-8"}}"#;
    let v = round_trip(wire, ValueType::File);
    assert_eq!(v.filename(), Some("invoice.pdf"));
    assert_eq!(v.mime_type(), Some("application/pdf"));
    assert_eq!(v.encoding(), Some("UTF-8"));
    assert!(!v.is_null(), "a File's content is fetched, not null");
    let err = v.decode::<Vec<u8>>().unwrap_err();
    assert!(err.to_string().contains("fetch_file_variable"), "{err}");
}

#[test]
fn file_as_sent_to_the_engine_carries_base64_content() {
    let wire = r#"{"type":"File","value":"aGVsbG8=","valueInfo":{"filename":"hello.txt","mimeType":"text/plain","encoding":"UTF-8"}}"#;
    let v = round_trip(wire, ValueType::File);
    assert_eq!(v.decode::<Vec<u8>>().unwrap(), b"hello");
    same_shape(
        &VariableValue::file("hello.txt", b"hello", Some("text/plain"), Some("UTF-8")),
        wire,
    );
    same_shape(
        &VariableValue::file("a.bin", [1_u8, 2], None, None),
        r#"{"type":"File","value":"AQI=","valueInfo":{"filename":"a.bin"}}"#,
    );
}

#[test]
fn json_round_trips_and_reads_as_a_struct() {
    let wire = r#"{"type":"Json","value":"{\"id\":7,\"items\":[\"a\",\"b\"]}","valueInfo":{}}"#;
    let v = round_trip(wire, ValueType::Json);
    let order = Order {
        id: 7,
        items: vec!["a".into(), "b".into()],
    };
    assert_eq!(v.decode::<Order>().unwrap(), order);
    assert_eq!(
        v.decode::<Value>().unwrap(),
        json!({"id": 7, "items": ["a", "b"]})
    );
    assert_eq!(
        v.decode::<String>().unwrap(),
        r#"{"id":7,"items":["a","b"]}"#
    );
    same_shape(&VariableValue::json(&order).unwrap(), wire);
}

#[test]
fn xml_round_trips() {
    let wire = r#"{"type":"Xml","value":"<order id=\"7\"><item>a</item></order>","valueInfo":{}}"#;
    let v = round_trip(wire, ValueType::Xml);
    assert_eq!(
        v.decode::<String>().unwrap(),
        r#"<order id="7"><item>a</item></order>"#
    );
    same_shape(
        &VariableValue::xml(r#"<order id="7"><item>a</item></order>"#),
        wire,
    );
}

#[test]
fn object_round_trips_and_reads_as_a_struct() {
    let wire = r#"{"type":"Object","value":"{\"id\":7,\"items\":[]}","valueInfo":{"objectTypeName":"com.example.Order","serializationDataFormat":"application/json"}}"#;
    let v = round_trip(wire, ValueType::Object);
    assert_eq!(v.object_type_name(), Some("com.example.Order"));
    assert_eq!(v.serialization_data_format(), Some("application/json"));
    let order = Order {
        id: 7,
        items: vec![],
    };
    assert_eq!(v.decode::<Order>().unwrap(), order);
    same_shape(
        &VariableValue::object(&order, "com.example.Order").unwrap(),
        wire,
    );
}

#[test]
fn object_deserialized_by_the_engine_reads_as_a_struct() {
    // With `deserializeValues=true` the engine renders the object itself.
    let wire = r#"{"type":"Object","value":{"id":9,"items":["x"]},"valueInfo":{"objectTypeName":"com.example.Order","serializationDataFormat":"application/json"}}"#;
    let v = round_trip(wire, ValueType::Object);
    assert_eq!(
        v.decode::<Order>().unwrap(),
        Order {
            id: 9,
            items: vec!["x".into()]
        }
    );
}

#[test]
fn object_in_another_format_reads_as_its_text() {
    let wire = r#"{"type":"Object","value":"rO0ABXQAA2FiYw==","valueInfo":{"objectTypeName":"java.lang.String","serializationDataFormat":"application/x-java-serialized-object"}}"#;
    let v = round_trip(wire, ValueType::Object);
    assert_eq!(v.decode::<String>().unwrap(), "rO0ABXQAA2FiYw==");
    assert!(v.decode::<Order>().is_err());
}

#[test]
fn transient_flag_round_trips() {
    let wire = r#"{"type":"String","value":"x","valueInfo":{"transient":true}}"#;
    let v = round_trip(wire, ValueType::String);
    assert!(v.is_transient());
    same_shape(&VariableValue::string("x").transient(true), wire);
    let cleared = v.transient(false);
    assert!(!cleared.is_transient());
    same_shape(&cleared, r#"{"type":"String","value":"x","valueInfo":{}}"#);
}

#[test]
fn unknown_type_and_extra_value_info_survive_unchanged() {
    let wire = r#"{"type":"Custom","value":{"nested":[1,2.5,{"x":null}],"s":"é"},"valueInfo":{"vendorKey":"v","depth":{"a":[true]},"transient":false}}"#;
    let v = round_trip(wire, ValueType::Other("Custom".into()));
    assert_eq!(v.type_name(), Some("Custom"));

    // Extra valueInfo keys on a known type survive too.
    let wire = r#"{"type":"Object","value":"{}","valueInfo":{"objectTypeName":"x.Y","serializationDataFormat":"application/json","vendorHint":[1,2]}}"#;
    round_trip(wire, ValueType::Object);

    // Inside a map, next to known types.
    let map = format!(r#"{{"a":{wire},"b":{{"type":"Custom","value":1}}}}"#);
    let vars: Variables = serde_json::from_str(&map).unwrap();
    assert_eq!(
        serde_json::to_value(&vars).unwrap(),
        serde_json::from_str::<Value>(&map).unwrap()
    );
}

#[test]
fn untyped_values_stay_untyped() {
    let wire = r#"{"value":5}"#;
    let v: VariableValue = serde_json::from_str(wire).unwrap();
    assert_eq!(v.type_name(), None);
    assert_eq!(v.value_type(), None);
    assert_eq!(v.decode::<i32>().unwrap(), 5);
    assert_eq!(serde_json::to_string(&v).unwrap(), wire);
    let with_info: VariableValue =
        serde_json::from_str(r#"{"value":"a","valueInfo":{"transient":true}}"#).unwrap();
    assert!(with_info.is_transient());
}

#[test]
fn type_names_match_like_the_engine() {
    // The engine lower-cases the first letter only.
    let v: VariableValue = serde_json::from_str(r#"{"type":"integer","value":1}"#).unwrap();
    assert_eq!(v.value_type(), Some(ValueType::Integer));
    assert_eq!(
        v.type_name(),
        Some("Integer"),
        "written with the engine's capitalization"
    );
    let v: VariableValue = serde_json::from_str(r#"{"type":"INTEGER","value":1}"#).unwrap();
    assert_eq!(v.value_type(), Some(ValueType::Other("INTEGER".into())));
    assert_eq!(
        serde_json::to_string(&v).unwrap(),
        r#"{"type":"INTEGER","value":1}"#
    );
    assert_eq!(ValueType::from_name("json"), ValueType::Json);
    assert_eq!(
        ValueType::from_name("jSON"),
        ValueType::Other("jSON".into())
    );
    assert_eq!(ValueType::from_name(""), ValueType::Other(String::new()));
    assert_eq!(ValueType::Xml.to_string(), "Xml");
}

#[test]
fn a_task_payload_with_every_type_round_trips_in_order() {
    let wire = r#"{
        "z_null":   {"type":"Null","value":null,"valueInfo":{}},
        "string":   {"type":"String","value":"s","valueInfo":{}},
        "boolean":  {"type":"Boolean","value":false,"valueInfo":{}},
        "short":    {"type":"Short","value":3,"valueInfo":{}},
        "integer":  {"type":"Integer","value":-4,"valueInfo":{}},
        "long":     {"type":"Long","value":5000000000,"valueInfo":{}},
        "double":   {"type":"Double","value":0.5,"valueInfo":{}},
        "date":     {"type":"Date","value":"2024-05-06T12:30:00.000+0200","valueInfo":{}},
        "bytes":    {"type":"Bytes","value":"AQID","valueInfo":{}},
        "file":     {"type":"File","value":null,"valueInfo":{"filename":"f.txt","mimeType":"text/plain"}},
        "json":     {"type":"Json","value":"[1,2]","valueInfo":{}},
        "xml":      {"type":"Xml","value":"<a/>","valueInfo":{}},
        "object":   {"type":"Object","value":"{\"id\":1,\"items\":[]}","valueInfo":{"objectTypeName":"com.example.Order","serializationDataFormat":"application/json"}}
    }"#;
    let vars: Variables = serde_json::from_str(wire).unwrap();
    let names: Vec<&str> = vars.names().collect();
    assert_eq!(
        names,
        [
            "z_null", "string", "boolean", "short", "integer", "long", "double", "date", "bytes",
            "file", "json", "xml", "object"
        ]
    );
    let out = serde_json::to_string(&vars).unwrap();
    let positions: Vec<usize> = names
        .iter()
        .map(|n| out.find(&format!("\"{n}\":")).unwrap())
        .collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "order kept: {out}"
    );
    assert_eq!(
        serde_json::from_str::<Value>(&out).unwrap(),
        serde_json::from_str::<Value>(wire).unwrap()
    );
    assert_eq!(vars.get::<Vec<i32>>("json").unwrap(), [1, 2]);
    assert_eq!(vars.get::<i64>("long").unwrap(), 5_000_000_000);
    assert_eq!(vars.get::<Vec<u8>>("bytes").unwrap(), [1, 2, 3]);
    assert_eq!(vars.get::<Order>("object").unwrap().id, 1);
}
