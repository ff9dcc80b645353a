//! Property: inserting a Rust value, serializing the variables to JSON text, parsing them back and
//! reading the value gives the value back — for every Rust type that maps to a Camunda type.

use camunda7_client::variables::Variables;
use camunda7_client::DateTime;
use chrono::{FixedOffset, TimeZone, Utc};
use proptest::prelude::*;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// Serializes and parses `vars` as the engine would receive and send them.
fn through_json(vars: &Variables) -> Variables {
    let text = serde_json::to_string(vars).expect("serializes");
    serde_json::from_str(&text).expect("parses")
}

fn read_back<T: DeserializeOwned>(vars: Variables) -> T {
    through_json(&vars).get::<T>("v").expect("reads back")
}

/// Instants from year 1000 to 9999, to the millisecond (the engine's precision).
const MIN_MS: i64 = -30_610_224_000_000;
const MAX_MS: i64 = 253_402_300_799_999;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Shipment {
    id: i64,
    label: String,
    weight: f64,
    fragile: bool,
    tags: Vec<String>,
    note: Option<String>,
    payload: Vec<u8>,
}

fn shipment() -> impl Strategy<Value = Shipment> {
    (
        any::<i64>(),
        any::<String>(),
        any::<f64>().prop_filter("finite", |f| f.is_finite()),
        any::<bool>(),
        proptest::collection::vec(any::<String>(), 0..4),
        proptest::option::of(any::<String>()),
        proptest::collection::vec(any::<u8>(), 0..16),
    )
        .prop_map(
            |(id, label, weight, fragile, tags, note, payload)| Shipment {
                id,
                label,
                weight,
                fragile,
                tags,
                note,
                payload,
            },
        )
}

proptest! {
    // Failing inputs are printed; nothing is written next to the sources.
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn i32_round_trips(n in any::<i32>()) {
        prop_assert_eq!(read_back::<i32>(Variables::new().with("v", n)), n);
    }

    #[test]
    fn i64_round_trips(n in any::<i64>()) {
        prop_assert_eq!(read_back::<i64>(Variables::new().with("v", n)), n);
    }

    #[test]
    fn i16_round_trips(n in any::<i16>()) {
        prop_assert_eq!(read_back::<i16>(Variables::new().with("v", n)), n);
    }

    #[test]
    fn finite_f64_round_trips_bit_for_bit(f in any::<f64>().prop_filter("finite", |f| f.is_finite())) {
        let back = read_back::<f64>(Variables::new().with("v", f));
        prop_assert_eq!(back.to_bits(), f.to_bits());
    }

    #[test]
    fn any_f64_round_trips(f in any::<f64>()) {
        let back = read_back::<f64>(Variables::new().with("v", f));
        prop_assert!(back.to_bits() == f.to_bits() || (f.is_nan() && back.is_nan()));
    }

    #[test]
    fn bool_round_trips(b in any::<bool>()) {
        prop_assert_eq!(read_back::<bool>(Variables::new().with("v", b)), b);
    }

    #[test]
    fn string_round_trips(s in any::<String>()) {
        prop_assert_eq!(read_back::<String>(Variables::new().with("v", s.as_str())), s);
    }

    #[test]
    fn long_strings_round_trip(s in proptest::collection::vec(any::<char>(), 0..20_000)) {
        let s: String = s.into_iter().collect();
        prop_assert_eq!(read_back::<String>(Variables::new().with("v", s.as_str())), s);
    }

    #[test]
    fn bytes_round_trip(b in proptest::collection::vec(any::<u8>(), 0..4096)) {
        prop_assert_eq!(read_back::<Vec<u8>>(Variables::new().with("v", b.clone())), b);
    }

    #[test]
    fn utc_dates_round_trip(ms in MIN_MS..=MAX_MS) {
        let d = Utc.timestamp_millis_opt(ms).single().expect("in range");
        prop_assert_eq!(read_back::<chrono::DateTime<Utc>>(Variables::new().with("v", d)), d);
        let ours = DateTime::from_chrono(d);
        prop_assert_eq!(read_back::<DateTime>(Variables::new().with("v", ours)), ours);
    }

    #[test]
    fn dates_with_an_offset_round_trip(
        ms in MIN_MS..=MAX_MS,
        offset_minutes in -(14 * 60)..=(14 * 60),
    ) {
        let offset = FixedOffset::east_opt(offset_minutes * 60).expect("valid offset");
        let d = offset.timestamp_millis_opt(ms).single().expect("in range");
        let back = read_back::<chrono::DateTime<FixedOffset>>(Variables::new().with("v", d));
        prop_assert_eq!(back, d);
        prop_assert_eq!(back.offset(), d.offset());
        let ours = read_back::<DateTime>(Variables::new().with("v", d));
        prop_assert_eq!(ours.into_chrono(), d);
    }

    #[test]
    fn structs_round_trip_as_json(s in shipment()) {
        let mut vars = Variables::new();
        vars.insert_json("v", &s).expect("serializes");
        prop_assert_eq!(read_back::<Shipment>(vars), s);
    }

    #[test]
    fn structs_round_trip_as_objects(s in shipment()) {
        let mut vars = Variables::new();
        vars.insert_object("v", &s, "com.example.Shipment").expect("serializes");
        prop_assert_eq!(read_back::<Shipment>(vars), s);
    }

    #[test]
    fn options_round_trip(n in proptest::option::of(any::<i32>())) {
        let back = through_json(&Variables::new().with("v", n));
        prop_assert_eq!(back.get::<Option<i32>>("v").expect("reads"), n);
        prop_assert_eq!(back.get_opt::<i32>("v").expect("reads"), n);
    }
}
