//! The engine's External Task semantics, checked over HTTP with a plain client.

mod common;

use std::time::Duration;

use camunda7_test_engine::{Outcome, TaskEvent, TaskSpec, TestEngine};
use common::Api;
use serde_json::{json, Value};

async fn engine_with(specs: Vec<TaskSpec>) -> (TestEngine, Api, Vec<String>) {
    let engine = TestEngine::start().await.expect("engine starts");
    let ids = engine.create_tasks(specs).expect("tasks are valid");
    let api = Api::new(&engine);
    (engine, api, ids)
}

#[tokio::test]
async fn completing_a_task_locked_by_another_worker_is_rejected() {
    let (engine, api, ids) = engine_with(vec![TaskSpec::new("t")]).await;
    let id = &ids[0];
    assert_eq!(api.fetch_ids("w1", "t", 1).await, vec![id.clone()]);
    let code = api.complete(id, "w2").await.assert_error(
        400,
        "RestException",
        &format!(
            "External Task {id} cannot be completed by worker 'w2'. It is locked by worker 'w1'."
        ),
    );
    assert_eq!(code, json!(0));
    let reply = api
        .post(
            &format!("/external-task/{id}/complete"),
            json!({"workerId": "w1", "variables": {"ok": {"value": true}}, "localVariables": {"l": {"value": 1, "type": "Long"}}}),
        )
        .await;
    reply.assert_no_content();
    assert_eq!(engine.completed_count(), 1);
    assert_eq!(engine.outcome(id), Some(Outcome::Completed));
    let (worker, vars, local) = engine.completion(id).expect("completion recorded");
    assert_eq!(worker, "w1");
    assert_eq!(
        vars["ok"],
        json!({"type": "Boolean", "value": true, "valueInfo": {}})
    );
    assert_eq!(local["l"]["type"], json!("Long"));
    // A second completion finds no task.
    api.complete(id, "w1").await.assert_error(
        404,
        "RestException",
        &format!("External task with id {id} does not exist"),
    );
    assert!(engine.tasks_completed_more_than_once().is_empty());
    assert!(matches!(
        engine.history(id).last(),
        Some(TaskEvent::Rejected { status: 404, .. })
    ));
}

#[tokio::test]
async fn unlocked_task_names_null_owner_and_unknown_ids_are_404() {
    let (_engine, api, ids) = engine_with(vec![TaskSpec::new("t")]).await;
    let id = &ids[0];
    api.complete(id, "w").await.assert_error(
        400,
        "RestException",
        &format!(
            "External Task {id} cannot be completed by worker 'w'. It is locked by worker 'null'."
        ),
    );
    let code = api.complete("nope", "w").await.assert_error(
        404,
        "RestException",
        "External task with id nope does not exist",
    );
    assert_eq!(code, json!(0));
    let code = api.get("/external-task/nope").await.assert_error(
        404,
        "RestException",
        "External task with id nope does not exist",
    );
    assert_eq!(code, Value::Null);
    api.get("/external-task/nope/errorDetails")
        .await
        .assert_error(
            500,
            "NullValueException",
            "No external task found with id nope: externalTask is null",
        );
    api.post(&format!("/external-task/{id}/complete"), json!({}))
        .await
        .assert_error(500, "NullValueException", "workerId is null");
    let reply = api
        .call(
            reqwest::Method::POST,
            &format!("/external-task/{id}/complete"),
            None,
        )
        .await;
    assert_eq!(
        reply.status.as_u16(),
        500,
        "a missing body is a NullPointerException"
    );
    let malformed = api
        .http
        .post(format!("{}/external-task/{id}/complete", api.base))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .expect("sent");
    assert_eq!(malformed.status().as_u16(), 400);
    let body: Value = malformed.json().await.expect("json error body");
    assert_eq!(
        body,
        json!({"type": "InvalidRequestException", "message": "", "code": null})
    );
}

#[tokio::test]
async fn an_expired_lock_is_fetchable_by_others_and_still_completable_if_not_relocked() {
    let (engine, api, ids) = engine_with(vec![TaskSpec::new("t"), TaskSpec::new("u")]).await;
    assert_eq!(api.fetch_ids("w1", "t", 1).await, vec![ids[0].clone()]);
    assert!(
        api.fetch_ids("w2", "t", 1).await.is_empty(),
        "locked tasks are not fetchable"
    );
    engine.advance(Duration::from_secs(11));
    // Nobody re-locked it: the original worker may still complete.
    api.complete(&ids[0], "w1").await.assert_no_content();

    assert_eq!(api.fetch_ids("w1", "u", 1).await, vec![ids[1].clone()]);
    engine.advance(Duration::from_secs(11));
    assert_eq!(api.fetch_ids("w2", "u", 1).await, vec![ids[1].clone()]);
    api.complete(&ids[1], "w1").await.assert_error(
        400,
        "RestException",
        &format!(
            "External Task {} cannot be completed by worker 'w1'. It is locked by worker 'w2'.",
            ids[1]
        ),
    );
    assert_eq!(engine.outcome(&ids[1]), Some(Outcome::Locked("w2".into())));
}

#[tokio::test]
async fn a_failure_with_retries_hides_the_task_until_its_retry_timeout() {
    let (engine, api, ids) = engine_with(vec![TaskSpec::new("t")]).await;
    let id = &ids[0];
    engine.clock().freeze();
    api.fetch_ids("w1", "t", 1).await;
    api.post(
        &format!("/external-task/{id}/failure"),
        json!({"workerId": "w1", "errorMessage": "boom", "errorDetails": "stack", "retries": 2, "retryTimeout": 5000}),
    )
    .await
    .assert_no_content();
    assert_eq!(engine.outcome(id), Some(Outcome::FailedWithRetries));
    assert!(
        api.fetch_ids("w2", "t", 1).await.is_empty(),
        "hidden during the retry timeout"
    );
    engine.advance(Duration::from_millis(4_999));
    assert!(api.fetch_ids("w2", "t", 1).await.is_empty());
    engine.advance(Duration::from_millis(1));
    let fetched = api.fetch("w2", "t", 1).await;
    assert_eq!(fetched.len(), 1);
    assert_eq!(fetched[0]["retries"], json!(2));
    assert_eq!(fetched[0]["errorMessage"], json!("boom"));
    assert_eq!(fetched[0]["errorDetails"], json!("stack"));
    let details = api.get(&format!("/external-task/{id}/errorDetails")).await;
    assert_eq!(details.status.as_u16(), 200);
    assert!(details
        .content_type
        .as_deref()
        .is_some_and(|c| c.starts_with("text/plain")));
    assert_eq!(details.body, json!("stack"));
    match engine.failures(id).as_slice() {
        [TaskEvent::Failed {
            retries: 2,
            retry_timeout_ms: 5000,
            error_message,
            ..
        }] => {
            assert_eq!(error_message.as_deref(), Some("boom"));
        }
        other => panic!("unexpected failures: {other:?}"),
    }
    // Validation happens before the lookup.
    api.post(
        "/external-task/nope/failure",
        json!({"workerId": "w", "retries": -1}),
    )
    .await
    .assert_error(
        500,
        "ProcessEngineException",
        "retries is not greater than or equal to 0",
    );
    api.post(
        "/external-task/nope/failure",
        json!({"workerId": "w", "retryTimeout": -1}),
    )
    .await
    .assert_error(
        500,
        "ProcessEngineException",
        "retryDuration is not greater than or equal to 0",
    );
    api.post(&format!("/external-task/{id}/failure"), json!({"workerId": "w1"}))
        .await
        .assert_error(
            400,
            "RestException",
            &format!("Failure of External Task {id} cannot be reported by worker 'w1'. It is locked by worker 'w2'."),
        );
}

#[tokio::test]
async fn zero_retries_open_an_incident_until_retries_are_set_again() {
    let (engine, api, ids) = engine_with(vec![TaskSpec::new("t")]).await;
    let id = &ids[0];
    api.fetch_ids("w1", "t", 1).await;
    api.post(
        &format!("/external-task/{id}/failure"),
        json!({"workerId": "w1", "errorMessage": "fatal"}),
    )
    .await
    .assert_no_content();
    assert_eq!(engine.outcome(id), Some(Outcome::Incident));
    let incidents = engine.incidents();
    assert_eq!(incidents.len(), 1);
    assert_eq!(incidents[0].message.as_deref(), Some("fatal"));
    assert!(incidents[0].resolved.is_none());
    engine.advance(Duration::from_secs(3600));
    assert!(
        api.fetch_ids("w1", "t", 1).await.is_empty(),
        "no retries left: not fetchable"
    );
    assert!(
        api.get(&format!("/external-task/{id}/errorDetails"))
            .await
            .status
            .as_u16()
            == 204
    );

    api.put(&format!("/external-task/{id}/retries"), json!({}))
        .await
        .assert_error(
            400,
            "InvalidRequestException",
            "The number of retries cannot be null.",
        );
    let code = api
        .put("/external-task/nope/retries", json!({"retries": -1}))
        .await
        .assert_error(
            400,
            "BadUserRequestException",
            "The number of retries cannot be negative: retries is not greater than or equal to 0",
        );
    assert_eq!(code, json!(0));
    api.put("/external-task/nope/retries", json!({"retries": 1}))
        .await
        .assert_error(
            404,
            "RestException",
            "External task with id nope does not exist",
        );
    api.put(
        &format!("/external-task/{id}/retries"),
        json!({"retries": 1}),
    )
    .await
    .assert_no_content();
    assert!(engine.incidents()[0].resolved.is_some());
    assert_eq!(api.fetch_ids("w2", "t", 1).await, vec![id.clone()]);
}

#[tokio::test]
async fn a_bpmn_error_ends_the_task_and_sets_variables() {
    let (engine, api, ids) = engine_with(vec![TaskSpec::new("t")]).await;
    let id = &ids[0];
    let pi = engine.task(id).expect("open").process_instance_id;
    api.fetch_ids("w1", "t", 1).await;
    api.post(
        &format!("/external-task/{id}/bpmnError"),
        json!({"workerId": "w1"}),
    )
    .await
    .assert_error(500, "NullValueException", "errorCode is null");
    api.post(&format!("/external-task/{id}/bpmnError"), json!({"workerId": "w2", "errorCode": "E"}))
        .await
        .assert_error(
            400,
            "RestException",
            &format!("Bpmn error of External Task {id} cannot be reported by worker 'w2'. It is locked by worker 'w1'."),
        );
    api.post(
        &format!("/external-task/{id}/bpmnError"),
        json!({"workerId": "w1", "errorCode": "E42", "errorMessage": "no stock", "variables": {"reason": {"value": "stock", "type": "String"}}}),
    )
    .await
    .assert_no_content();
    assert_eq!(engine.outcome(id), Some(Outcome::BpmnError));
    assert!(engine.task(id).is_none());
    match engine.bpmn_error(id) {
        Some(TaskEvent::BpmnError {
            error_code,
            error_message,
            variables,
            ..
        }) => {
            assert_eq!(error_code, "E42");
            assert_eq!(error_message.as_deref(), Some("no stock"));
            assert_eq!(variables["reason"]["value"], json!("stock"));
        }
        other => panic!("no BPMN error recorded: {other:?}"),
    }
    let vars = engine.process_variables(&pi).expect("instance known");
    assert_eq!(vars["reason"]["value"], json!("stock"));
    assert_eq!(engine.stats().bpmn_errors, 1);
}

#[tokio::test]
async fn extend_lock_counts_from_now_and_refuses_expired_or_foreign_locks() {
    let (engine, api, ids) = engine_with(vec![TaskSpec::new("t")]).await;
    let id = &ids[0];
    engine.clock().freeze();
    api.fetch_ids("w1", "t", 1).await;
    engine.advance(Duration::from_secs(5));
    api.post(
        &format!("/external-task/{id}/extendLock"),
        json!({"workerId": "w1", "newDuration": 0}),
    )
    .await
    .assert_error(400, "RestException", "lockTime is not greater than 0");
    api.post(&format!("/external-task/{id}/extendLock"), json!({"workerId": "w2", "newDuration": 1000}))
        .await
        .assert_error(
            400,
            "RestException",
            &format!("The lock of the External Task {id} cannot be extended by worker 'w2''. It is locked by worker 'w1'."),
        );
    api.post(
        &format!("/external-task/{id}/extendLock"),
        json!({"workerId": "w1", "newDuration": 1000}),
    )
    .await
    .assert_no_content();
    let expiry = engine
        .task(id)
        .and_then(|t| t.lock_expiration_time)
        .expect("locked");
    assert_eq!(
        expiry,
        engine.now() + chrono::Duration::milliseconds(1000),
        "from now, not added"
    );
    engine.advance(Duration::from_millis(1001));
    let now_ms = engine.now().timestamp_millis();
    api.post(&format!("/external-task/{id}/extendLock"), json!({"workerId": "w1", "newDuration": 1000}))
        .await
        .assert_error(
            400,
            "RestException",
            &format!("Cannot extend a lock that expired: lockExpirationTime is not greater than or equal to {now_ms}"),
        );
}

#[tokio::test]
async fn lock_and_unlock_follow_the_owner_rules() {
    let (engine, api, ids) = engine_with(vec![TaskSpec::new("t")]).await;
    let id = &ids[0];
    api.post(
        &format!("/external-task/{id}/lock"),
        json!({"workerId": "w1", "lockDuration": 0}),
    )
    .await
    .assert_error(400, "RestException", "lockDuration is not greater than 0");
    api.post(
        &format!("/external-task/{id}/lock"),
        json!({"workerId": "w1", "lockDuration": 5000}),
    )
    .await
    .assert_no_content();
    api.post(
        &format!("/external-task/{id}/lock"),
        json!({"workerId": "w2", "lockDuration": 5000}),
    )
    .await
    .assert_error(
        400,
        "RestException",
        &format!(
            "External Task {id} cannot be locked by worker 'w2'. It is locked by worker 'w1'."
        ),
    );
    api.post(
        &format!("/external-task/{id}/lock"),
        json!({"workerId": "w1", "lockDuration": 5000}),
    )
    .await
    .assert_no_content();
    assert!(api.fetch_ids("w3", "t", 1).await.is_empty());
    api.post(&format!("/external-task/{id}/unlock"), json!(null))
        .await
        .assert_no_content();
    let snapshot = engine.task(id).expect("open");
    assert_eq!(
        (snapshot.worker_id, snapshot.lock_expiration_time),
        (None, None)
    );
    api.post("/external-task/nope/unlock", json!(null))
        .await
        .assert_error(
            404,
            "RestException",
            "External task with id nope does not exist",
        );
    engine.advance(Duration::from_secs(1));
    api.post(
        &format!("/external-task/{id}/lock"),
        json!({"workerId": "w2", "lockDuration": 1000}),
    )
    .await
    .assert_no_content();
    engine.advance(Duration::from_millis(1001));
    api.post(
        &format!("/external-task/{id}/lock"),
        json!({"workerId": "w3", "lockDuration": 1000}),
    )
    .await
    .assert_no_content();
}

#[tokio::test]
async fn fetch_and_lock_validates_its_request() {
    let (_engine, api, _) = engine_with(vec![TaskSpec::new("t")]).await;
    let fetch = |body: Value| api.post("/external-task/fetchAndLock", body);
    fetch(json!({"workerId": "w", "maxTasks": 1, "asyncResponseTimeout": 1_800_001, "topics": []}))
        .await
        .assert_error(
            400,
            "InvalidRequestException",
            "The asynchronous response timeout cannot be set to a value greater than 1800000 milliseconds",
        );
    fetch(json!({"maxTasks": 1}))
        .await
        .assert_error(500, "NullValueException", "workerId is null");
    fetch(json!({"workerId": "w", "maxTasks": -1}))
        .await
        .assert_error(
            500,
            "ProcessEngineException",
            "maxResults is not greater than or equal to 0",
        );
    fetch(json!({"workerId": "w", "maxTasks": 1, "topics": [{"lockDuration": 1}]}))
        .await
        .assert_error(500, "NullValueException", "topicName is null");
    fetch(json!({"workerId": "w", "maxTasks": 1, "topics": [{"topicName": "t"}]}))
        .await
        .assert_error(
            500,
            "ProcessEngineException",
            "lockTime is not greater than 0",
        );
    fetch(json!({"workerId": "w", "maxTasks": 1, "sorting": [{"sortBy": "priority", "sortOrder": "asc"}], "topics": []}))
        .await
        .assert_error(400, "InvalidRequestException", "Cannot set query sortBy parameter to value priority");
    fetch(json!({"workerId": "w", "maxTasks": 1, "sorting": [{"sortBy": "createTime", "sortOrder": "ASC"}], "topics": []}))
        .await
        .assert_error(400, "InvalidRequestException", "Cannot set query sortOrder parameter to value ASC");
    fetch(json!({"workerId": "w", "maxTasks": 1, "sorting": [{"sortBy": "createTime"}], "topics": []}))
        .await
        .assert_error(
            400,
            "NotValidException",
            "Invalid query: call asc() or desc() after using orderByXX(): direction is null",
        );
    let zero = fetch(json!({"workerId": "w", "maxTasks": 0, "topics": [{"topicName": "t", "lockDuration": 1000}]})).await;
    assert_eq!(zero.body, json!([]));
    let none = fetch(json!({"workerId": "w", "maxTasks": 5})).await;
    assert_eq!(none.body, json!([]));
}

#[tokio::test]
async fn fetched_tasks_carry_the_engine_fields_and_date_format() {
    let (engine, api, ids) = engine_with(vec![TaskSpec::new("t")
        .business_key("bk")
        .tenant_id("acme")
        .priority(7)
        .process_definition_key("order")
        .process_definition_version_tag("1.2")
        .extension_property("p", "v")])
    .await;
    let before = engine.now().timestamp_millis();
    let reply = api
        .post(
            "/external-task/fetchAndLock",
            json!({"workerId": "w", "maxTasks": 1,
                   "topics": [{"topicName": "t", "lockDuration": 1000, "includeExtensionProperties": true}]}),
        )
        .await;
    let task = &reply.body[0];
    assert_eq!(task["id"], json!(ids[0]));
    for (field, value) in [
        ("businessKey", json!("bk")),
        ("tenantId", json!("acme")),
        ("priority", json!(7)),
        ("processDefinitionKey", json!("order")),
        ("processDefinitionVersionTag", json!("1.2")),
        ("workerId", json!("w")),
        ("topicName", json!("t")),
        ("suspended", json!(false)),
        ("retries", Value::Null),
        ("extensionProperties", json!({"p": "v"})),
        ("variables", json!({})),
    ] {
        assert_eq!(task[field], value, "{field}");
    }
    let lock = task["lockExpirationTime"].as_str().expect("a date string");
    let parsed = camunda7_test_engine::date::parse_millis(lock).expect("engine format");
    assert!(
        parsed >= before + 1000 && parsed <= engine.now().timestamp_millis() + 1000,
        "{lock}"
    );
    assert!(lock.ends_with("+0000") && lock.len() == 28, "{lock}");
    let dto = api.get(&format!("/external-task/{}", ids[0])).await.body;
    assert!(dto.get("variables").is_none() && dto.get("errorDetails").is_none());
    assert_eq!(dto["lockExpirationTime"], json!(lock));
    // Without includeExtensionProperties the map is empty.
    api.post(&format!("/external-task/{}/unlock", ids[0]), json!(null))
        .await
        .assert_no_content();
    assert_eq!(
        api.fetch("w", "t", 1).await[0]["extensionProperties"],
        json!({})
    );
}

#[tokio::test]
async fn topics_are_ored_and_filters_within_a_topic_are_anded() {
    let (_engine, api, ids) = engine_with(vec![
        TaskSpec::new("a")
            .business_key("k1")
            .process_definition_key("p1"),
        TaskSpec::new("a")
            .business_key("k1")
            .process_definition_key("p2"),
        TaskSpec::new("a")
            .business_key("k2")
            .process_definition_key("p1")
            .tenant_id("t1"),
        TaskSpec::new("b").process_definition_version_tag("1.5.0"),
        TaskSpec::new("b").process_definition_version_tag("2.0"),
        TaskSpec::new("c")
            .variable("n", json!(5))
            .variable("s", json!("x")),
        TaskSpec::new("c").variable("n", json!({"type": "Long", "value": 5})),
        TaskSpec::new("c").local_variable("n", json!(5)),
        TaskSpec::new("c").variable("z", json!(null)),
    ])
    .await;
    let api = &api;
    let fetch = |topics: Value| async move {
        let reply = api
            .post(
                "/external-task/fetchAndLock",
                json!({"workerId": "w", "maxTasks": 100, "topics": topics}),
            )
            .await;
        let mut got: Vec<String> = reply
            .body
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|t| t["id"].as_str().unwrap_or_default().to_owned())
            .collect();
        got.sort();
        // Unlock everything again for the next probe.
        for id in &got {
            api.post(&format!("/external-task/{id}/unlock"), json!(null))
                .await;
        }
        got
    };
    let want = |idx: &[usize]| {
        let mut v: Vec<String> = idx.iter().map(|&i| ids[i].clone()).collect();
        v.sort();
        v
    };
    let t = |extra: Value| {
        let mut topic = json!({"topicName": "a", "lockDuration": 1000});
        if let (Some(obj), Value::Object(more)) = (topic.as_object_mut(), extra) {
            obj.extend(more);
        }
        json!([topic])
    };
    assert_eq!(fetch(t(json!({"businessKey": "k1"}))).await, want(&[0, 1]));
    assert_eq!(
        fetch(t(
            json!({"businessKey": "k1", "processDefinitionKey": "p1"})
        ))
        .await,
        want(&[0])
    );
    assert_eq!(
        fetch(t(
            json!({"processDefinitionKeyIn": ["p2", "p1"], "withoutTenantId": true})
        ))
        .await,
        want(&[0, 1])
    );
    assert_eq!(
        fetch(t(json!({"processDefinitionKeyIn": []}))).await,
        want(&[0, 1, 2])
    );
    assert_eq!(
        fetch(t(json!({"tenantIdIn": ["t1"], "withoutTenantId": true}))).await,
        want(&[2]),
        "tenantIdIn overrides"
    );
    assert_eq!(
        fetch(
            json!([{"topicName": "b", "lockDuration": 1000, "processDefinitionVersionTag": "1.%"}])
        )
        .await,
        want(&[3])
    );
    assert_eq!(
        fetch(json!([{"topicName": "a", "lockDuration": 1000, "businessKey": "k2"},
                      {"topicName": "b", "lockDuration": 1000, "processDefinitionVersionTag": "2._"}]))
        .await,
        want(&[2, 4]),
        "topics are ORed"
    );
    let pv =
        |vars: Value| json!([{"topicName": "c", "lockDuration": 1000, "processVariables": vars}]);
    assert_eq!(
        fetch(pv(json!({"n": 5}))).await,
        want(&[5]),
        "type-strict, root scope only"
    );
    assert_eq!(
        fetch(pv(json!({"n": 6, "s": "x"}))).await,
        want(&[5]),
        "entries are ORed"
    );
    assert_eq!(fetch(pv(json!({"z": null}))).await, want(&[8]));
    api.post(
        "/external-task/fetchAndLock",
        json!({"workerId": "w", "maxTasks": 1, "topics": [{"topicName": "c", "lockDuration": 1, "processVariables": {"o": {"a": 1}}}]}),
    )
    .await
    .assert_error(500, "ProcessEngineException", "Object values cannot be used to query");
}

#[tokio::test]
async fn variables_are_selected_by_name_scope_and_deserialization() {
    let spec = TaskSpec::new("t")
        .variable("a", json!("root-a"))
        .variable("shadowed", json!("root"))
        .variable(
            "obj",
            json!({"type": "Object", "value": "{\"x\":1}",
                   "valueInfo": {"objectTypeName": "Foo", "serializationDataFormat": "application/json"}}),
        )
        .local_variable("shadowed", json!("local"))
        .local_variable("l", json!(1));
    let (_engine, api, ids) = engine_with(vec![spec]).await;
    let id = &ids[0];
    let api = &api;
    let fetch_vars = |topic: Value| async move {
        let reply = api
            .post(
                "/external-task/fetchAndLock",
                json!({"workerId": "w", "maxTasks": 1, "topics": [topic]}),
            )
            .await;
        api.post(&format!("/external-task/{id}/unlock"), json!(null))
            .await;
        reply.body[0]["variables"].clone()
    };
    let all = fetch_vars(json!({"topicName": "t", "lockDuration": 1000})).await;
    let mut names: Vec<&str> = all
        .as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default();
    names.sort_unstable();
    assert_eq!(names, ["a", "l", "obj", "shadowed"]);
    assert_eq!(
        all["shadowed"]["value"],
        json!("local"),
        "inner names shadow outer ones"
    );
    assert_eq!(
        all["obj"]["value"],
        json!("{\"x\":1}"),
        "serialized unless deserializeValues"
    );
    assert_eq!(all["obj"]["valueInfo"]["objectTypeName"], json!("Foo"));
    assert_eq!(
        all["a"],
        json!({"type": "String", "value": "root-a", "valueInfo": {}})
    );
    let none = fetch_vars(json!({"topicName": "t", "lockDuration": 1000, "variables": []})).await;
    assert_eq!(none, json!({}));
    let some =
        fetch_vars(json!({"topicName": "t", "lockDuration": 1000, "variables": ["a", "missing"]}))
            .await;
    assert_eq!(some.as_object().map(|o| o.len()), Some(1));
    let local =
        fetch_vars(json!({"topicName": "t", "lockDuration": 1000, "localVariables": true})).await;
    let mut local_names: Vec<&str> = local
        .as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default();
    local_names.sort_unstable();
    assert_eq!(local_names, ["l", "shadowed"]);
    let deser =
        fetch_vars(json!({"topicName": "t", "lockDuration": 1000, "deserializeValues": true}))
            .await;
    assert_eq!(deser["obj"]["value"], json!({"x": 1}));
}

#[tokio::test]
async fn request_variables_are_validated_like_the_engine() {
    let (engine, api, ids) = engine_with(vec![TaskSpec::new("t")]).await;
    let id = &ids[0];
    let pi = engine.task(id).expect("open").process_instance_id;
    api.fetch_ids("w", "t", 1).await;
    let api = &api;
    let complete = |vars: Value| {
        let path = format!("/external-task/{id}/complete");
        async move {
            api.post(&path, json!({"workerId": "w", "variables": vars}))
                .await
        }
    };
    complete(json!({"a": {"type": "STRING", "value": "x"}}))
        .await
        .assert_error(400, "RestException", "Unsupported value type 'STRING'");
    complete(json!({"a": {"type": "Integer", "value": "abc"}}))
        .await
        .assert_error(
            400,
            "InvalidRequestException",
            "Cannot convert value 'abc' of type 'Integer' to java type java.lang.Integer",
        );
    complete(json!({"a": {"type": "Date", "value": "2025-01-01T00:00:00Z"}}))
        .await
        .assert_error(
            400,
            "InvalidRequestException",
            "Cannot convert value '2025-01-01T00:00:00Z' of type 'Date' to java type java.util.Date",
        );
    complete(json!({"a": {"type": "Json", "value": {"x": 1}}}))
        .await
        .assert_error(
            400,
            "InvalidRequestException",
            "Must provide 'null' or String value for value of SerializableValue type 'Json'.",
        );
    complete(json!({
        "i": {"type": "Integer", "value": "5"},
        "d": {"type": "Date", "value": "2025-01-01T01:00:00.000+0100"},
        "u": {"value": 5000000000i64},
        "t": {"value": "tmp", "valueInfo": {"transient": true}}
    }))
    .await
    .assert_no_content();
    let vars = engine.process_variables(&pi).expect("instance");
    assert_eq!(vars["i"]["value"], json!(5));
    assert_eq!(vars["d"]["value"], json!("2025-01-01T00:00:00.000+0000"));
    assert_eq!(vars["u"]["type"], json!("Long"));
    assert!(
        !vars.contains_key("t"),
        "transient variables are not stored"
    );
}

#[tokio::test]
async fn priority_and_create_time_sorting_order_the_fetch() {
    let engine = TestEngine::start().await.expect("engine");
    engine.clock().freeze();
    let mut ids = Vec::new();
    for priority in [1, 5, 5, 3] {
        ids.push(
            engine
                .create_task(TaskSpec::new("t").priority(priority))
                .expect("valid"),
        );
        engine.advance(Duration::from_millis(10));
    }
    let api = Api::new(&engine);
    let api = &api;
    let order = |body: Value| async move {
        let reply = api.post("/external-task/fetchAndLock", body).await;
        let got: Vec<String> = reply
            .body
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|t| t["id"].as_str().unwrap_or_default().to_owned())
            .collect();
        for id in &got {
            api.post(&format!("/external-task/{id}/unlock"), json!(null))
                .await;
        }
        got
    };
    let topics = json!([{"topicName": "t", "lockDuration": 1000}]);
    let by = |idx: &[usize]| idx.iter().map(|&i| ids[i].clone()).collect::<Vec<_>>();
    assert_eq!(
        order(json!({"workerId": "w", "maxTasks": 10, "usePriority": true, "topics": topics}))
            .await,
        by(&[1, 2, 3, 0])
    );
    assert_eq!(
        order(json!({"workerId": "w", "maxTasks": 10, "usePriority": true, "sorting": [{"sortBy": "createTime", "sortOrder": "desc"}], "topics": topics})).await,
        by(&[2, 1, 3, 0])
    );
    assert_eq!(
        order(json!({"workerId": "w", "maxTasks": 10, "sorting": [{"sortBy": "createTime", "sortOrder": "desc"}], "topics": topics})).await,
        by(&[3, 2, 1, 0])
    );
    assert_eq!(
        order(json!({"workerId": "w", "maxTasks": 2, "sorting": [{"sortBy": "createTime", "sortOrder": "asc"}], "topics": topics})).await,
        by(&[0, 1]),
        "maxTasks limits the result"
    );
    api.put(
        &format!("/external-task/{}/priority", ids[0]),
        json!({"priority": 9}),
    )
    .await
    .assert_no_content();
    assert_eq!(
        order(json!({"workerId": "w", "maxTasks": 1, "usePriority": true, "topics": topics})).await,
        by(&[0])
    );
    api.put("/external-task/nope/priority", json!({"priority": 1}))
        .await
        .assert_error(
            404,
            "RestException",
            "External task with id nope does not exist",
        );
    assert_eq!(
        api.put(
            &format!("/external-task/{}/priority", ids[0]),
            json!({"priority": null})
        )
        .await
        .status
        .as_u16(),
        500
    );
}

#[tokio::test]
async fn queries_filter_sort_page_and_count() {
    let (engine, api, ids) = engine_with(vec![
        TaskSpec::new("a").priority(1).variable("amount", json!(10)),
        TaskSpec::new("a").priority(2).variable("amount", json!(20)),
        TaskSpec::new("b").priority(3).tenant_id("t1"),
    ])
    .await;
    api.fetch_ids("w", "b", 1).await;
    let ids_of = |reply: &common::Reply| -> Vec<String> {
        reply
            .body
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|t| t["id"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    assert_eq!(
        ids_of(&api.get("/external-task").await),
        ids,
        "default order: id ascending"
    );
    assert_eq!(
        ids_of(
            &api.get("/external-task?topicName=a&sortBy=taskPriority&sortOrder=desc")
                .await
        ),
        vec![ids[1].clone(), ids[0].clone()]
    );
    assert_eq!(
        ids_of(&api.get("/external-task?firstResult=1&maxResults=1").await),
        vec![ids[1].clone()]
    );
    assert_eq!(
        ids_of(&api.get("/external-task?locked=true").await),
        vec![ids[2].clone()]
    );
    assert_eq!(
        ids_of(&api.get("/external-task?notLocked=true&workerId=w").await),
        Vec::<String>::new()
    );
    assert_eq!(
        ids_of(&api.get("/external-task?tenantIdIn=t1,t2").await),
        vec![ids[2].clone()]
    );
    assert_eq!(
        ids_of(
            &api.get("/external-task?priorityHigherThanOrEquals=2&priorityLowerThanOrEquals=2")
                .await
        ),
        vec![ids[1].clone()]
    );
    assert_eq!(
        ids_of(
            &api.post(
                "/external-task",
                json!({"processVariables": [{"name": "amount", "operator": "gt", "value": 15}]})
            )
            .await
        ),
        vec![ids[1].clone()]
    );
    assert_eq!(
        ids_of(&api.post("/external-task", json!({"sorting": [{"sortBy": "createTime", "sortOrder": "desc"}], "externalTaskIdIn": [ids[0], ids[1]]})).await),
        vec![ids[1].clone(), ids[0].clone()]
    );
    assert_eq!(
        api.get("/external-task/count?topicName=a").await.body,
        json!({"count": 2})
    );
    assert_eq!(
        api.post("/external-task/count", json!({"withRetriesLeft": true}))
            .await
            .body,
        json!({"count": 3})
    );
    api.get("/external-task?sortBy=id").await.assert_error(
        400,
        "InvalidRequestException",
        "Only a single sorting parameter specified. sortBy and sortOrder required",
    );
    api.get("/external-task?sortBy=nope&sortOrder=asc")
        .await
        .assert_error(
            400,
            "InvalidRequestException",
            "Cannot set query parameter 'sortBy' to value 'nope'",
        );
    api.get("/external-task?locked=maybe").await.assert_error(
        400,
        "InvalidRequestException",
        "Cannot set query parameter 'locked' to value 'maybe': Cannot convert value maybe to java type java.lang.Boolean",
    );
    api.get("/external-task?lockExpirationBefore=x").await.assert_error(
        400,
        "InvalidRequestException",
        "Cannot set query parameter 'lockExpirationBefore' to value 'x': Cannot convert value \"x\" to java type java.util.Date",
    );
    let before =
        camunda7_test_engine::date::format_millis(engine.now().timestamp_millis() + 60_000)
            .replace('+', "%2B");
    assert_eq!(
        ids_of(
            &api.get(&format!("/external-task?lockExpirationBefore={before}"))
                .await
        ),
        vec![ids[2].clone()]
    );
    api.get("/external-task?processVariables=amount_xx_1")
        .await
        .assert_error(
            400,
            "InvalidRequestException",
            "Invalid process variable comparator specified: xx",
        );
    api.get("/external-task?processVariables=amount").await.assert_error(
        400,
        "InvalidRequestException",
        "Cannot set query parameter 'processVariables' to value 'amount': variable query parameter has to have format KEY_OPERATOR_VALUE.",
    );
    api.post("/external-task", json!({"sorting": [{"sortBy": "nope", "sortOrder": "asc"}]}))
        .await
        .assert_error(
            400,
            "NotValidException",
            "You should call any of the orderBy methods first before specifying a direction: currentOrderingProperty is null",
        );
}

#[tokio::test]
async fn topic_names_follow_the_lock_and_retry_flags() {
    let (_engine, api, ids) = engine_with(vec![
        TaskSpec::new("a"),
        TaskSpec::new("b"),
        TaskSpec::new("c").retries(0),
    ])
    .await;
    let _ = ids;
    api.fetch_ids("w", "a", 1).await;
    let api = &api;
    let names = |q: &str| {
        let path = format!("/external-task/topic-names{q}");
        async move {
            let mut v: Vec<String> =
                serde_json::from_value(api.get(&path).await.body).unwrap_or_default();
            v.sort();
            v
        }
    };
    assert_eq!(names("").await, ["a", "b", "c"]);
    assert_eq!(names("?withLockedTasks=true").await, ["a"]);
    assert_eq!(names("?withUnlockedTasks=true").await, ["b", "c"]);
    assert_eq!(names("?withRetriesLeft=true").await, ["a", "b"]);
    assert_eq!(
        names("?withLockedTasks=true&withUnlockedTasks=true").await,
        Vec::<String>::new()
    );
    assert_eq!(names("?withLockedTasks=garbage").await, ["a", "b", "c"]);
}

#[tokio::test]
async fn bulk_retries_validate_and_apply() {
    let (engine, api, ids) = engine_with(vec![
        TaskSpec::new("t").retries(0),
        TaskSpec::new("t").retries(0),
    ])
    .await;
    let api = &api;
    for path in ["/external-task/retries", "/external-task/retries-async"] {
        let call = |body: Value| async move {
            if path.ends_with("async") {
                api.post(path, body).await
            } else {
                api.put(path, body).await
            }
        };
        call(json!({"externalTaskIds": [ids[0]]}))
            .await
            .assert_error(
                400,
                "InvalidRequestException",
                "The number of retries cannot be null.",
            );
        call(json!({"retries": 1})).await.assert_error(
            400,
            "InvalidRequestException",
            "externalTaskIds is empty",
        );
        call(json!({"retries": 1, "externalTaskIds": [ids[0], null]}))
            .await
            .assert_error(
                400,
                "InvalidRequestException",
                "External task id cannot be null: externalTaskIds contains null value",
            );
    }
    let code = api
        .put(
            "/external-task/retries",
            json!({"retries": -1, "externalTaskIds": [ids[0]]}),
        )
        .await
        .assert_error(
            400,
            "InvalidRequestException",
            "The number of retries cannot be negative: retries is not greater than or equal to 0",
        );
    assert_eq!(code, Value::Null);
    api.put(
        "/external-task/retries",
        json!({"retries": 3, "externalTaskIds": [ids[0], "nope"]}),
    )
    .await
    .assert_error(
        404,
        "InvalidRequestException",
        "Cannot find external task with id nope: externalTask is null",
    );
    assert_eq!(
        engine.task(&ids[0]).and_then(|t| t.retries),
        Some(0),
        "all rolled back"
    );
    api.put(
        "/external-task/retries",
        json!({"retries": 3, "externalTaskIds": [ids[0]]}),
    )
    .await
    .assert_no_content();
    assert_eq!(engine.task(&ids[0]).and_then(|t| t.retries), Some(3));
    let batch = api
        .post(
            "/external-task/retries-async",
            json!({"retries": 2, "externalTaskQuery": {"noRetriesLeft": true}}),
        )
        .await;
    assert_eq!(batch.status.as_u16(), 200);
    for field in [
        "id",
        "type",
        "totalJobs",
        "jobsCreated",
        "batchJobsPerSeed",
        "invocationsPerBatchJob",
        "seedJobDefinitionId",
        "monitorJobDefinitionId",
        "batchJobDefinitionId",
        "suspended",
        "tenantId",
        "createUserId",
        "startTime",
        "executionStartTime",
    ] {
        assert!(
            batch.body.get(field).is_some(),
            "BatchDto has {field}: {}",
            batch.body
        );
    }
    assert_eq!(batch.body["totalJobs"], json!(1));
    assert_eq!(engine.task(&ids[1]).and_then(|t| t.retries), Some(2));
    let unknown = api
        .post(
            "/external-task/retries-async",
            json!({"retries": 2, "externalTaskIds": ["nope"]}),
        )
        .await;
    assert_eq!(
        unknown.status.as_u16(),
        200,
        "unknown ids fail later, inside the batch"
    );
}

#[tokio::test]
async fn named_engine_paths_serve_only_the_default_engine() {
    let (_engine, api, ids) = engine_with(vec![TaskSpec::new("t")]).await;
    let reply = api
        .get(&format!("/engine/default/external-task/{}", ids[0]))
        .await;
    assert_eq!(reply.body["id"], json!(ids[0]));
    let other = api.get("/engine/other/external-task").await;
    assert_eq!(other.status.as_u16(), 404);
    assert_eq!(
        other.body,
        json!({"type": "InvalidRequestException", "message": "Process engine other not available"})
    );
    let weird = engine_with(vec![TaskSpec::new("t").id("a/b+c")]).await;
    let api2 = weird.1;
    let got = api2.get("/external-task/a%2Fb%2Bc").await;
    assert_eq!(got.body["id"], json!("a/b+c"));
}

#[tokio::test]
async fn suspended_tasks_refuse_reports_but_not_locks() {
    let (engine, api, ids) = engine_with(vec![TaskSpec::new("t")]).await;
    let id = &ids[0];
    api.fetch_ids("w", "t", 1).await;
    assert!(engine.set_suspended(id, true));
    let message = format!("ENGINE-03043 ExternalTask with id '{id}' is suspended.");
    api.complete(id, "w")
        .await
        .assert_error(400, "RestException", &message);
    api.post(
        &format!("/external-task/{id}/failure"),
        json!({"workerId": "w", "retries": 1}),
    )
    .await
    .assert_error(400, "RestException", &message);
    api.post(
        &format!("/external-task/{id}/extendLock"),
        json!({"workerId": "w", "newDuration": 1000}),
    )
    .await
    .assert_error(400, "RestException", &message);
    api.post(
        &format!("/external-task/{id}/lock"),
        json!({"workerId": "w", "lockDuration": 1000}),
    )
    .await
    .assert_no_content();
    assert_eq!(
        api.get(&format!("/external-task/{id}")).await.body["suspended"],
        json!(true)
    );
    assert_eq!(
        api.get("/external-task/count?suspended=true").await.body,
        json!({"count": 1})
    );
    api.post(&format!("/external-task/{id}/unlock"), json!(null))
        .await
        .assert_no_content();
    assert!(
        api.fetch_ids("w", "t", 1).await.is_empty(),
        "suspended tasks are not fetched"
    );
    engine.set_suspended(id, false);
    assert_eq!(api.fetch_ids("w", "t", 1).await, vec![id.clone()]);
}

#[tokio::test]
async fn failure_messages_are_truncated_and_a_repeated_topic_replaces_the_earlier() {
    let (engine, api, ids) = engine_with(vec![TaskSpec::new("t").business_key("b")]).await;
    let id = &ids[0];
    let repeated = api
        .post(
            "/external-task/fetchAndLock",
            json!({"workerId": "w", "maxTasks": 1, "topics": [
                {"topicName": "t", "lockDuration": 1000, "businessKey": "b"},
                {"topicName": "t", "lockDuration": 1000, "businessKey": "other"}]}),
        )
        .await;
    assert_eq!(repeated.body, json!([]), "the second entry for 't' wins");
    api.fetch_ids("w", "t", 1).await;
    let long = "x".repeat(1000);
    api.post(
        &format!("/external-task/{id}/failure"),
        json!({"workerId": "w", "errorMessage": long, "retries": 3}),
    )
    .await
    .assert_no_content();
    let dto = api.get(&format!("/external-task/{id}")).await.body;
    assert_eq!(dto["errorMessage"].as_str().map(str::len), Some(666));
    assert_eq!(dto["retries"], json!(3));
    assert_eq!(
        dto["workerId"],
        json!("w"),
        "the worker is kept during the back-off"
    );
    // The same worker may still complete during the back-off.
    api.complete(id, "w").await.assert_no_content();
    assert_eq!(engine.outcome(id), Some(Outcome::Completed));
}
