//! The generated External Task DTOs carry `Variables`: what fetch-and-lock returns reads as typed
//! values, and what complete sends is the engine's typed-value JSON.

use camunda7_client::models::{CompleteExternalTaskDto, LockedExternalTaskDto};
use camunda7_client::variables::{ValueType, VariableValue, Variables};
use camunda7_client::DateTime;
use serde_json::json;

#[test]
fn locked_task_variables_read_as_typed_values() {
    let task: LockedExternalTaskDto = serde_json::from_value(json!({
        "activityId": "charge",
        "id": "t1",
        "topicName": "charge-card",
        "workerId": "w1",
        "executionId": "e1",
        "processInstanceId": "p1",
        "variables": {
            "amount": {"type": "Long", "value": 5000000000_i64, "valueInfo": {}},
            "due": {"type": "Date", "value": "2024-05-06T12:30:00.000+0200", "valueInfo": {}},
            "invoice": {"type": "File", "value": null,
                        "valueInfo": {"filename": "invoice.pdf", "mimeType": "application/pdf"}},
            "vendor": {"type": "Custom", "value": {"k": 1}, "valueInfo": {"x": true}}
        }
    }))
    .expect("engine JSON parses");
    let vars = task.variables.as_ref().expect("variables present");
    assert_eq!(
        vars.names().collect::<Vec<_>>(),
        ["amount", "due", "invoice", "vendor"]
    );
    assert_eq!(vars.get::<i64>("amount").unwrap(), 5_000_000_000);
    assert_eq!(
        vars.get::<DateTime>("due").unwrap().to_string(),
        "2024-05-06T12:30:00.000+0200"
    );
    assert_eq!(
        vars.get_value("invoice").unwrap().value_type(),
        Some(ValueType::File)
    );
    // Unknown types survive a round trip of the whole DTO.
    let back = serde_json::to_value(&task).unwrap();
    assert_eq!(
        back["variables"]["vendor"],
        json!({"type": "Custom", "value": {"k": 1}, "valueInfo": {"x": true}})
    );
}

#[test]
fn complete_body_sends_typed_values() {
    let body = CompleteExternalTaskDto {
        worker_id: "w1".into(),
        variables: Some(Variables::new().with("approved", true).with("count", 3_i32)),
        local_variables: Some(
            Variables::new().with("tmp", VariableValue::string("x").transient(true)),
        ),
    };
    assert_eq!(
        serde_json::to_value(&body).unwrap(),
        json!({
            "workerId": "w1",
            "variables": {
                "approved": {"type": "Boolean", "value": true, "valueInfo": {}},
                "count": {"type": "Integer", "value": 3, "valueInfo": {}}
            },
            "localVariables": {
                "tmp": {"type": "String", "value": "x", "valueInfo": {"transient": true}}
            }
        })
    );
}
