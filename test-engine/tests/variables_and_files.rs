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

/// A raw GET: status, content type, content disposition and body bytes.
async fn download(
    engine: &TestEngine,
    path: &str,
) -> (u16, Option<String>, Option<String>, Vec<u8>) {
    let response = reqwest::get(format!("{}{path}", engine.base_url()))
        .await
        .expect("request reaches the engine");
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let (content_type, disposition) = (header("content-type"), header("content-disposition"));
    let status = response.status().as_u16();
    let body = response.bytes().await.expect("body").to_vec();
    (status, content_type, disposition, body)
}

#[tokio::test]
async fn file_and_bytes_variables_are_served_by_the_content_endpoints() {
    let engine = TestEngine::start().await.expect("engine");
    let api = Api::new(&engine);
    let pdf: &[u8] = b"%PDF-1.7\n\x00\xff\xfe binary";
    let id = engine
        .create_task(
            TaskSpec::new("t")
                .file_variable("doc", "invoice 7.pdf", Some("application/pdf"), pdf)
                .variable(
                    "raw",
                    json!({"type": "Bytes", "value": "AAEC/w=="}),
                )
                .variable(
                    "anon",
                    json!({"type": "File", "value": "aGk=", "valueInfo": {"filename": "Grüße.bin"}}),
                )
                .variable("s", json!("text"))
                .local_variable(
                    "note",
                    json!({"type": "File", "value": "aMOkbGxv",
                           "valueInfo": {"filename": "n.txt", "mimeType": "text/plain", "encoding": "UTF-8"}}),
                ),
        )
        .expect("valid");
    let task = engine.task(&id).expect("open");
    let (pi, exec) = (task.process_instance_id, task.execution_id);

    let (status, content_type, disposition, body) = download(
        &engine,
        &format!("/process-instance/{pi}/variables/doc/data"),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(content_type.as_deref(), Some("application/pdf"));
    assert_eq!(
        disposition.as_deref(),
        Some("attachment; filename=\"invoice 7.pdf\"")
    );
    assert_eq!(body, pdf);

    let (status, content_type, disposition, body) = download(
        &engine,
        &format!("/process-instance/{pi}/variables/raw/data"),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(content_type.as_deref(), Some("application/octet-stream"));
    assert_eq!(disposition, None);
    assert_eq!(body, vec![0, 1, 2, 255]);

    let (status, content_type, disposition, body) = download(
        &engine,
        &format!("/engine/default/process-instance/{pi}/variables/anon/data"),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        content_type.as_deref(),
        Some("application/octet-stream"),
        "a file without a MIME type"
    );
    assert_eq!(
        disposition.as_deref(),
        Some("attachment; filename=\"Gr__e.bin\"; filename*=UTF-8''Gr%C3%BC%C3%9Fe.bin")
    );
    assert_eq!(body, b"hi");

    // The execution id (as the Java client sends it) sees its local variables and the
    // process instance's; the process instance id sees only its own.
    let (status, content_type, _, body) = download(
        &engine,
        &format!("/process-instance/{exec}/variables/note/data"),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(content_type.as_deref(), Some("text/plain; charset=UTF-8"));
    assert_eq!(String::from_utf8(body).expect("utf-8"), "hällo");
    assert_eq!(
        download(
            &engine,
            &format!("/process-instance/{exec}/variables/doc/data")
        )
        .await
        .3,
        pdf
    );
    let missing = api
        .get(&format!("/process-instance/{pi}/variables/note/data"))
        .await;
    missing.assert_error(
        404,
        "InvalidRequestException",
        &format!("There is no variable named note in {pi}"),
    );
    assert_eq!(missing.body["code"], json!(null));

    // The execution endpoint sees only the execution's own variables.
    assert_eq!(
        download(
            &engine,
            &format!("/execution/{exec}/localVariables/note/data")
        )
        .await
        .3,
        b"h\xc3\xa4llo"
    );
    api.get(&format!("/execution/{exec}/localVariables/doc/data"))
        .await
        .assert_error(
            404,
            "InvalidRequestException",
            &format!("There is no local variable named doc in {exec}"),
        );

    // Not binary: 400; no such execution: 500; other methods: 405.
    let reply = api
        .get(&format!("/process-instance/{pi}/variables/s/data"))
        .await;
    let code = reply.assert_error(
        400,
        "InvalidRequestException",
        &format!("The variable s of {pi} holds a String value; only Bytes and File values have content to download"),
    );
    assert_eq!(code, json!(null));
    let code = api
        .get("/process-instance/nope/variables/doc/data")
        .await
        .assert_error(
            500,
            "RestException",
            "Cannot read variable doc: no execution or process instance has the id nope",
        );
    assert_eq!(code, json!(0));
    assert_eq!(
        api.post(
            &format!("/process-instance/{pi}/variables/doc/data"),
            json!({})
        )
        .await
        .status
        .as_u16(),
        405
    );

    // Fetches never inline a file's content.
    let items = api.fetch("w", "t", 1).await;
    assert_eq!(
        items[0]["variables"]["doc"],
        json!({"type": "File", "value": null,
               "valueInfo": {"filename": "invoice 7.pdf", "mimeType": "application/pdf"}})
    );
    assert_eq!(items[0]["variables"]["raw"]["value"], json!("AAEC/w=="));
}

#[tokio::test]
async fn a_file_sent_with_a_completion_is_served_and_the_execution_goes_with_the_task() {
    let engine = TestEngine::builder()
        .basic_auth("u", "p")
        .start()
        .await
        .expect("engine");
    let http = reqwest::Client::new();
    let id = engine.create_task(TaskSpec::new("t")).expect("valid");
    let task = engine.task(&id).expect("open");
    let (pi, exec) = (task.process_instance_id, task.execution_id);
    let base = engine.base_url();
    let fetched = http
        .post(format!("{base}/external-task/fetchAndLock"))
        .basic_auth("u", Some("p"))
        .json(&json!({"workerId": "w", "maxTasks": 1,
                      "topics": [{"topicName": "t", "lockDuration": 1000}]}))
        .send()
        .await
        .expect("sent");
    assert_eq!(fetched.status().as_u16(), 200);
    let completed = http
        .post(format!("{base}/external-task/{id}/complete"))
        .basic_auth("u", Some("p"))
        .json(
            &json!({"workerId": "w", "variables": {"report": {"type": "File", "value": "cmVwb3J0",
                      "valueInfo": {"filename": "r.csv", "mimeType": "text/csv"}}}}),
        )
        .send()
        .await
        .expect("sent");
    assert_eq!(completed.status().as_u16(), 204);

    let url = format!("{base}/process-instance/{pi}/variables/report/data");
    let anonymous = http.get(&url).send().await.expect("sent");
    assert_eq!(anonymous.status().as_u16(), 401, "basic auth applies");
    let response = http
        .get(&url)
        .basic_auth("u", Some("p"))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(
        response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("text/csv")
    );
    assert_eq!(response.text().await.expect("body"), "report");
    // The task's execution ended with it.
    let gone = http
        .get(format!(
            "{base}/execution/{exec}/localVariables/report/data"
        ))
        .basic_auth("u", Some("p"))
        .send()
        .await
        .expect("sent");
    assert_eq!(gone.status().as_u16(), 500);
}

#[tokio::test]
async fn integer_body_fields_truncate_fractions_and_refuse_values_beyond_their_type() {
    let engine = TestEngine::start().await.expect("engine");
    engine.clock().freeze();
    let api = Api::new(&engine);
    let ids = engine
        .create_tasks((0..3).map(|_| TaskSpec::new("t")))
        .expect("valid");
    let fetch = |max_tasks: serde_json::Value, lock: serde_json::Value| {
        json!({"workerId": "w", "maxTasks": max_tasks,
               "topics": [{"topicName": "t", "lockDuration": lock}]})
    };
    // maxTasks is an int, lockDuration a long: fractions are cut off.
    let reply = api
        .post(
            "/external-task/fetchAndLock",
            fetch(json!(1.9), json!(1000.9)),
        )
        .await;
    assert_eq!(
        reply.body.as_array().map(Vec::len),
        Some(1),
        "{}",
        reply.body
    );
    let task = engine.task(&ids[0]).expect("open");
    assert_eq!(
        task.lock_expiration_time,
        Some(engine.now() + chrono::TimeDelta::milliseconds(1000))
    );
    for bad in [json!(2147483648i64), json!(2147483647.5), json!("1.5")] {
        api.post(
            "/external-task/fetchAndLock",
            fetch(bad.clone(), json!(1000)),
        )
        .await
        .assert_error(400, "InvalidRequestException", "");
    }
    // A long field takes values beyond the int range.
    let reply = api
        .post(
            "/external-task/fetchAndLock",
            fetch(json!(1), json!(5_000_000_000i64)),
        )
        .await;
    assert_eq!(
        reply.body.as_array().map(Vec::len),
        Some(1),
        "{}",
        reply.body
    );

    // failure: retries (int) and retryTimeout (long).
    api.post(
        &format!("/external-task/{}/failure", ids[0]),
        json!({"workerId": "w", "retries": 2.9, "retryTimeout": 1500.7}),
    )
    .await
    .assert_no_content();
    let snapshot = engine.task(&ids[0]).expect("open");
    assert_eq!(snapshot.retries, Some(2));
    assert_eq!(
        snapshot.lock_expiration_time,
        Some(engine.now() + chrono::TimeDelta::milliseconds(1500))
    );
    api.post(
        &format!("/external-task/{}/failure", ids[0]),
        json!({"workerId": "w", "retries": 2147483648i64}),
    )
    .await
    .assert_error(400, "InvalidRequestException", "");

    // priority (Long) and the retries updates (Integer).
    api.put(
        &format!("/external-task/{}/priority", ids[2]),
        json!({"priority": 7.9}),
    )
    .await
    .assert_no_content();
    api.put(
        &format!("/external-task/{}/retries", ids[2]),
        json!({"retries": 4.5}),
    )
    .await
    .assert_no_content();
    let snapshot = engine.task(&ids[2]).expect("open");
    assert_eq!((snapshot.priority, snapshot.retries), (7, Some(4)));
    api.put(
        "/external-task/retries",
        json!({"retries": 3.99, "externalTaskIds": [ids[2].clone()]}),
    )
    .await
    .assert_no_content();
    assert_eq!(engine.task(&ids[2]).and_then(|t| t.retries), Some(3));
    for retries in [json!(2147483648i64), json!("3.5")] {
        api.put(
            "/external-task/retries",
            json!({"retries": retries, "externalTaskIds": [ids[2].clone()]}),
        )
        .await
        .assert_error(400, "InvalidRequestException", "");
        api.put(
            &format!("/external-task/{}/retries", ids[2]),
            json!({"retries": retries}),
        )
        .await
        .assert_error(400, "InvalidRequestException", "");
    }
    assert_eq!(engine.task(&ids[2]).and_then(|t| t.retries), Some(3));
}

#[tokio::test]
async fn typed_integer_values_are_refused_when_fractional_or_out_of_range() {
    let engine = TestEngine::start().await.expect("engine");
    let api = Api::new(&engine);
    let id = engine.create_task(TaskSpec::new("t")).expect("valid");
    let pi = engine.task(&id).expect("open").process_instance_id;
    api.fetch_ids("w", "t", 1).await;
    let complete = |vars: serde_json::Value| {
        let api = &api;
        let path = format!("/external-task/{id}/complete");
        async move {
            api.post(&path, json!({"workerId": "w", "variables": vars}))
                .await
        }
    };
    let refused = [
        (
            json!({"type": "Integer", "value": 2147483648i64}),
            "2147483648",
            "Integer",
            "java.lang.Integer",
        ),
        (
            json!({"type": "Integer", "value": -2147483649i64}),
            "-2147483649",
            "Integer",
            "java.lang.Integer",
        ),
        (
            json!({"type": "Integer", "value": 5.7}),
            "5.7",
            "Integer",
            "java.lang.Integer",
        ),
        (
            json!({"type": "Integer", "value": "5.7"}),
            "5.7",
            "Integer",
            "java.lang.Integer",
        ),
        (
            json!({"type": "Short", "value": 40000}),
            "40000",
            "Short",
            "java.lang.Short",
        ),
        (
            json!({"type": "Long", "value": 5.0}),
            "5.0",
            "Long",
            "java.lang.Long",
        ),
        (
            json!({"type": "Long", "value": 9223372036854775808u64}),
            "9223372036854775808",
            "Long",
            "java.lang.Long",
        ),
    ];
    for (value, shown, kind, class) in refused {
        let reply = complete(json!({ "v": value })).await;
        let code = reply.assert_error(
            400,
            "InvalidRequestException",
            &format!("Cannot convert value '{shown}' of type '{kind}' to java type {class}"),
        );
        assert_eq!(code, json!(null));
    }
    assert_eq!(engine.completed_count(), 0, "nothing was applied");
    // Seeding checks the same way.
    assert!(engine
        .create_task(
            TaskSpec::new("t").variable("v", json!({"type": "Integer", "value": 2147483648i64}))
        )
        .is_err());

    complete(json!({
        "max": {"type": "Integer", "value": 2147483647},
        "min": {"type": "Integer", "value": -2147483648i64},
        "long": {"type": "Long", "value": 9223372036854775807i64},
        "text": {"type": "Long", "value": " 42 "},
        "double": {"type": "Double", "value": 5},
        "untypedWide": {"value": 2147483648i64},
        "untypedFraction": {"value": 5.7}
    }))
    .await
    .assert_no_content();
    let vars = engine.process_variables(&pi).expect("instance");
    let typed = |name: &str| (vars[name]["type"].clone(), vars[name]["value"].clone());
    assert_eq!(typed("max"), (json!("Integer"), json!(2147483647)));
    assert_eq!(typed("min"), (json!("Integer"), json!(-2147483648i64)));
    assert_eq!(
        typed("long"),
        (json!("Long"), json!(9223372036854775807i64))
    );
    assert_eq!(typed("text"), (json!("Long"), json!(42)));
    assert_eq!(typed("double"), (json!("Double"), json!(5.0)));
    assert_eq!(typed("untypedWide"), (json!("Long"), json!(2147483648i64)));
    assert_eq!(typed("untypedFraction"), (json!("Double"), json!(5.7)));
}
