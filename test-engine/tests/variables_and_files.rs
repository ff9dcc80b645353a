//! Reading what workers sent (`TestEngine::completed`), file variables' content endpoints, and
//! numbers in request bodies and typed variables as the engine's JSON mapper reads them.

mod common;

use camunda7_test_engine::{TaskSpec, TestEngine};
use common::Api;
use serde_json::json;

#[tokio::test]
async fn completed_names_the_worker_variables_and_time() {
    let engine = TestEngine::start().await.expect("engine");
    engine.clock().freeze();
    let api = Api::new(&engine);
    let ids = engine
        .create_tasks([TaskSpec::new("t"), TaskSpec::new("t")])
        .expect("valid");
    api.fetch_ids("w", "t", 2).await;
    api.post(
        &format!("/external-task/{}/complete", ids[0]),
        json!({"workerId": "w",
               "variables": {"amount": {"value": 42}, "ok": {"type": "Boolean", "value": "true"},
                             "tmp": {"value": 1, "valueInfo": {"transient": true}}},
               "localVariables": {"note": {"value": "done"}}}),
    )
    .await
    .assert_no_content();

    let record = engine.completed(&ids[0]).expect("completed");
    assert_eq!(record.worker_id, "w");
    assert_eq!(record.at, engine.now());
    assert_eq!(
        record.variables["amount"],
        json!({"type": "Integer", "value": 42, "valueInfo": {}})
    );
    assert_eq!(record.value("amount"), Some(&json!(42)));
    assert_eq!(record.type_of("amount"), Some("Integer"));
    assert_eq!(record.value("ok"), Some(&json!(true)));
    assert_eq!(record.type_of("ok"), Some("Boolean"));
    assert_eq!(record.value("tmp"), None, "transient values are not stored");
    assert_eq!(record.local_value("note"), Some(&json!("done")));
    assert_eq!(
        record.value("note"),
        None,
        "local and non-local are kept apart"
    );
    assert_eq!(
        record.variables.keys().collect::<Vec<_>>(),
        vec!["amount", "ok"]
    );

    // The old tuple accessor still agrees.
    let (worker, vars, local) = engine.completion(&ids[0]).expect("completion");
    assert_eq!(
        (worker, vars, local),
        (record.worker_id, record.variables, record.local_variables)
    );
    // Not completed (open, failed, unknown): nothing.
    assert!(engine.completed(&ids[1]).is_none());
    api.post(
        &format!("/external-task/{}/bpmnError", ids[1]),
        json!({"workerId": "w", "errorCode": "E"}),
    )
    .await
    .assert_no_content();
    assert!(engine.completed(&ids[1]).is_none());
    assert!(engine.completed("unknown").is_none());
}
