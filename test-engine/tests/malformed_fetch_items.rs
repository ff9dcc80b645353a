//! One task of a fetch can carry a malformed field while the others are well-formed
//! (`TaskSpec::fetch_field_override` / `fetch_field_omitted`); only fetchAndLock shows it.

mod common;

use std::time::Duration;

use camunda7_test_engine::{date, TaskSpec, TestEngine};
use common::Api;
use serde_json::{json, Value};

fn by_id<'a>(items: &'a [Value], id: &str) -> &'a Value {
    items
        .iter()
        .find(|item| item["id"] == json!(id))
        .unwrap_or_else(|| panic!("{id} fetched: {items:?}"))
}

fn is_engine_date(value: &Value) -> bool {
    value.as_str().and_then(date::parse_millis).is_some()
}

#[tokio::test]
async fn one_task_carries_a_zoneless_lock_expiration_and_the_others_are_fine() {
    let engine = TestEngine::start().await.expect("engine");
    let api = Api::new(&engine);
    let ids = engine
        .create_tasks([
            TaskSpec::new("t").variable("n", json!(1)),
            TaskSpec::new("t")
                .variable("n", json!(2))
                .fetch_field_override("lockExpirationTime", json!("2025-01-01T00:00:00")),
            TaskSpec::new("t").variable("n", json!(3)),
        ])
        .expect("valid");
    let items = api.fetch("w", "t", 10).await;
    assert_eq!(items.len(), 3);
    assert_eq!(
        by_id(&items, &ids[1])["lockExpirationTime"],
        json!("2025-01-01T00:00:00")
    );
    for good in [&ids[0], &ids[2]] {
        assert!(
            is_engine_date(&by_id(&items, good)["lockExpirationTime"]),
            "{items:?}"
        );
    }
    // The rest of the overridden item is untouched.
    let odd = by_id(&items, &ids[1]);
    assert_eq!(odd["variables"]["n"]["value"], json!(2));
    assert_eq!(odd["workerId"], json!("w"));

    // Only fetchAndLock is affected: the engine's own view and the other endpoints are real.
    let real = engine.task(&ids[1]).expect("open");
    assert!(real.locked);
    let got = api.get(&format!("/external-task/{}", ids[1])).await.body;
    assert!(is_engine_date(&got["lockExpirationTime"]), "{got}");
    let listed = api
        .get(&format!("/external-task?externalTaskId={}", ids[1]))
        .await
        .body;
    assert!(is_engine_date(&listed[0]["lockExpirationTime"]), "{listed}");
    api.complete(&ids[1], "w").await.assert_no_content();
}

#[tokio::test]
async fn a_malformed_variable_and_a_missing_field_apply_on_every_fetch_until_cleared() {
    let engine = TestEngine::start().await.expect("engine");
    let api = Api::new(&engine);
    let ids = engine
        .create_tasks([
            TaskSpec::new("t")
                .variable("x", json!(1))
                .fetch_field_override("variables", json!({"x": {"type": 5}})),
            TaskSpec::new("t")
                .fetch_field_omitted("id")
                .variable("x", json!(2)),
            TaskSpec::new("t")
                .variable("x", json!(3))
                .fetch_field_override("unexpectedField", json!([1, 2])),
        ])
        .expect("valid");
    let check = |items: &[Value]| {
        assert_eq!(items.len(), 3);
        assert_eq!(
            by_id(items, &ids[0])["variables"],
            json!({"x": {"type": 5}})
        );
        let third = by_id(items, &ids[2]);
        assert_eq!(third["unexpectedField"], json!([1, 2]));
        assert_eq!(
            third["variables"]["x"],
            json!({"type": "Integer", "value": 3, "valueInfo": {}})
        );
        let without_id: Vec<&Value> = items.iter().filter(|i| i.get("id").is_none()).collect();
        assert_eq!(without_id.len(), 1, "{items:?}");
        assert_eq!(without_id[0]["variables"]["x"]["value"], json!(2));
        assert_eq!(without_id[0]["topicName"], json!("t"));
    };
    check(&api.fetch("w", "t", 10).await);
    // The engine stored the real variable; the next fetch (after the locks ran out) shows the
    // override again.
    assert_eq!(
        engine
            .process_variables(&engine.task(&ids[0]).expect("open").process_instance_id)
            .expect("instance")["x"]["value"],
        json!(1)
    );
    engine.advance(Duration::from_secs(11));
    check(&api.fetch("w", "t", 10).await);

    assert!(engine.clear_fetch_field_overrides(&ids[0]));
    assert!(engine.clear_fetch_field_overrides(&ids[1]));
    assert!(!engine.clear_fetch_field_overrides("unknown"));
    engine.advance(Duration::from_secs(11));
    let items = api.fetch("w", "t", 10).await;
    assert_eq!(
        by_id(&items, &ids[0])["variables"]["x"],
        json!({"type": "Integer", "value": 1, "valueInfo": {}})
    );
    assert_eq!(by_id(&items, &ids[1])["variables"]["x"]["value"], json!(2));
    assert!(items.iter().all(|i| i.get("id").is_some()));
}
