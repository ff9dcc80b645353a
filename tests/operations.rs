//! Request shape and response decoding of each of the 18 External Task operations.
//!
//! Every test calls one generated method against a local HTTP server and asserts the exact
//! request the server received (method, path, query string, headers, JSON body), then checks
//! that a response shaped like the engine's decodes into the generated types.
//!
//! All servers bind 127.0.0.1 on an ephemeral port and stop when the test ends.

use camunda7_client::external_task::{
    GetExternalTasksCountQuery, GetExternalTasksQuery, GetTopicNamesQuery, QueryExternalTasksQuery,
};
use camunda7_client::variables::Variables;
use camunda7_client::{models, Auth, Client, DateTime, DEFAULT_USER_AGENT};
use serde_json::{json, Value};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// base64("demo:demo")
const BASIC_DEMO: &str = "Basic ZGVtbzpkZW1v";

/// A server answering every request with `response`, and a client for it with basic auth.
async fn serve(response: ResponseTemplate) -> (MockServer, Client) {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(response)
        .expect(1)
        .mount(&server)
        .await;
    let client = Client::builder()
        .base_url(format!("{}/engine-rest", server.uri()))
        .auth(Auth::basic("demo", "demo"))
        .build()
        .expect("a client");
    (server, client)
}

fn json_response(body: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(body)
}

fn no_content() -> ResponseTemplate {
    ResponseTemplate::new(204)
}

/// What a test expects the server to have received.
struct Expected<'a> {
    method: &'a str,
    path: &'a str,
    query: Option<&'a str>,
    body: Option<Value>,
}

async fn assert_received(server: &MockServer, expected: Expected<'_>) {
    let requests = server.received_requests().await.unwrap_or_default();
    assert_eq!(requests.len(), 1, "exactly one request");
    let request = &requests[0];
    let header = |name: &str| request.headers.get(name).and_then(|v| v.to_str().ok());

    assert_eq!(request.method.as_str(), expected.method);
    assert_eq!(request.url.path(), expected.path);
    assert_eq!(request.url.query(), expected.query);
    assert_eq!(header("authorization"), Some(BASIC_DEMO));
    assert_eq!(header("user-agent"), Some(DEFAULT_USER_AGENT));
    match expected.body {
        Some(body) => {
            assert_eq!(header("content-type"), Some("application/json"));
            let sent: Value = serde_json::from_slice(&request.body).expect("a JSON body");
            assert_eq!(sent, body);
        }
        None => {
            assert_eq!(header("content-type"), None);
            assert!(request.body.is_empty(), "no body expected");
        }
    }
}

/// Builds a generated DTO from its JSON form. Combined with the exact-body assertion this
/// proves the DTO round-trips the wire names (a wrong rename drops the field).
fn dto<T: serde::de::DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value).expect("the JSON matches the DTO")
}

fn date(s: &str) -> DateTime {
    DateTime::parse(s).expect("a valid date")
}

/// An `ExternalTaskDto` the way the engine writes one.
fn external_task_json(id: &str) -> Value {
    json!({
        "activityId": "ServiceTask_ChargeCard",
        "activityInstanceId": "ServiceTask_ChargeCard:6a7f0b3c-1c2d-11ef-9a3b-0242ac120002",
        "errorMessage": "card declined",
        "executionId": "6a7f0b3b-1c2d-11ef-9a3b-0242ac120002",
        "id": id,
        "lockExpirationTime": "2024-05-06T12:35:00.000+0200",
        "createTime": "2024-05-06T12:30:00.000+0200",
        "processDefinitionId": "payment:3:1f2e3d4c-1c2d-11ef-9a3b-0242ac120002",
        "processDefinitionKey": "payment",
        "processDefinitionVersionTag": null,
        "processInstanceId": "6a7ee428-1c2d-11ef-9a3b-0242ac120002",
        "tenantId": null,
        "retries": 2,
        "suspended": false,
        "workerId": "payment-worker-1",
        "priority": 10,
        "topicName": "charge-card",
        "businessKey": "order-4711"
    })
}

fn assert_external_task(task: &models::ExternalTaskDto, id: &str) {
    assert_eq!(task.id.as_deref(), Some(id));
    assert_eq!(task.activity_id.as_deref(), Some("ServiceTask_ChargeCard"));
    assert_eq!(task.topic_name.as_deref(), Some("charge-card"));
    assert_eq!(task.worker_id.as_deref(), Some("payment-worker-1"));
    assert_eq!(task.retries, Some(2));
    assert_eq!(task.priority, Some(10));
    assert_eq!(task.suspended, Some(false));
    assert_eq!(task.tenant_id, None);
    assert_eq!(task.business_key.as_deref(), Some("order-4711"));
    assert_eq!(
        task.lock_expiration_time,
        Some(date("2024-05-06T12:35:00.000+0200"))
    );
    assert_eq!(task.create_time, Some(date("2024-05-06T12:30:00.000+0200")));
    // Nothing is lost on the way back to JSON.
    let mut expected = external_task_json(id);
    if let Some(map) = expected.as_object_mut() {
        map.retain(|_, v| !v.is_null());
    }
    assert_eq!(serde_json::to_value(task).expect("serializable"), expected);
}

fn batch_json() -> Value {
    json!({
        "id": "5e3b1a7c-1c2e-11ef-9a3b-0242ac120002",
        "type": "set-external-task-retries",
        "totalJobs": 2,
        "jobsCreated": 0,
        "batchJobsPerSeed": 100,
        "invocationsPerBatchJob": 1,
        "seedJobDefinitionId": "5e3b1a7d-1c2e-11ef-9a3b-0242ac120002",
        "monitorJobDefinitionId": "5e3b1a7e-1c2e-11ef-9a3b-0242ac120002",
        "batchJobDefinitionId": "5e3b1a7f-1c2e-11ef-9a3b-0242ac120002",
        "suspended": false,
        "tenantId": null,
        "createUserId": "demo",
        "startTime": "2024-05-06T12:40:00.000+0200",
        "executionStartTime": null
    })
}

fn query_body() -> Value {
    json!({
        "topicName": "charge-card",
        "locked": true,
        "lockExpirationAfter": "2024-05-06T12:30:00.000+0200",
        "processInstanceIdIn": ["pi-1", "pi-2"],
        "priorityHigherThanOrEquals": 5,
        "processVariables": [{"name": "amount", "operator": "gt", "value": 100}],
        "sorting": [{"sortBy": "createTime", "sortOrder": "desc"}]
    })
}

// 1. GET /external-task
#[tokio::test]
async fn get_external_tasks_sends_filters_as_query_parameters() {
    let (server, client) = serve(json_response(json!([
        external_task_json("task-1"),
        external_task_json("task-2")
    ])))
    .await;
    let query = GetExternalTasksQuery {
        topic_name: Some("charge-card".into()),
        locked: Some(true),
        lock_expiration_after: Some(date("2024-05-06T12:30:00.000+0200")),
        process_instance_id_in: Some("pi-1,pi-2".into()),
        priority_higher_than_or_equals: Some(5),
        sort_by: Some(models::GetExternalTasksSortBy::TaskPriority),
        sort_order: Some(models::GetExternalTasksSortOrder::Desc),
        first_result: Some(0),
        max_results: Some(25),
        ..Default::default()
    };
    let tasks = client
        .external_task()
        .get_external_tasks(&query)
        .await
        .expect("the tasks");
    assert_received(
        &server,
        Expected {
            method: "GET",
            path: "/engine-rest/external-task",
            query: Some(
                "topicName=charge-card&locked=true\
                 &lockExpirationAfter=2024-05-06T12%3A30%3A00.000%2B0200\
                 &processInstanceIdIn=pi-1%2Cpi-2&priorityHigherThanOrEquals=5\
                 &sortBy=taskPriority&sortOrder=desc&firstResult=0&maxResults=25",
            ),
            body: None,
        },
    )
    .await;
    assert_eq!(tasks.len(), 2);
    assert_external_task(&tasks[0], "task-1");
    assert_external_task(&tasks[1], "task-2");
}

#[tokio::test]
async fn get_external_tasks_without_filters_sends_no_query_string() {
    let (server, client) = serve(json_response(json!([]))).await;
    let tasks = client
        .external_task()
        .get_external_tasks(&GetExternalTasksQuery::default())
        .await
        .expect("the tasks");
    assert!(tasks.is_empty());
    assert_received(
        &server,
        Expected {
            method: "GET",
            path: "/engine-rest/external-task",
            query: None,
            body: None,
        },
    )
    .await;
}

// 2. POST /external-task
#[tokio::test]
async fn query_external_tasks_sends_the_query_as_json_and_paging_as_parameters() {
    let (server, client) = serve(json_response(json!([external_task_json("task-1")]))).await;
    let query = QueryExternalTasksQuery {
        first_result: Some(10),
        max_results: Some(5),
    };
    let body: models::ExternalTaskQueryDto = dto(query_body());
    let tasks = client
        .external_task()
        .query_external_tasks(&query, &body)
        .await
        .expect("the tasks");
    assert_received(
        &server,
        Expected {
            method: "POST",
            path: "/engine-rest/external-task",
            query: Some("firstResult=10&maxResults=5"),
            body: Some(query_body()),
        },
    )
    .await;
    assert_eq!(tasks.len(), 1);
    assert_external_task(&tasks[0], "task-1");
}

// 3. GET /external-task/count
#[tokio::test]
async fn get_external_tasks_count_decodes_the_count() {
    let (server, client) = serve(json_response(json!({"count": 42}))).await;
    let query = GetExternalTasksCountQuery {
        worker_id: Some("payment-worker-1".into()),
        lock_expiration_before: Some(date("2024-05-06T12:30:00.000-0530")),
        no_retries_left: Some(true),
        ..Default::default()
    };
    let count = client
        .external_task()
        .get_external_tasks_count(&query)
        .await
        .expect("the count");
    assert_received(
        &server,
        Expected {
            method: "GET",
            path: "/engine-rest/external-task/count",
            query: Some(
                "workerId=payment-worker-1&noRetriesLeft=true\
                 &lockExpirationBefore=2024-05-06T12%3A30%3A00.000-0530",
            ),
            body: None,
        },
    )
    .await;
    assert_eq!(count.count, 42);
}

// 4. POST /external-task/count
#[tokio::test]
async fn query_external_tasks_count_sends_the_query_as_json() {
    let (server, client) = serve(json_response(json!({"count": 3}))).await;
    let body: models::ExternalTaskQueryDto = dto(query_body());
    let count = client
        .external_task()
        .query_external_tasks_count(&body)
        .await
        .expect("the count");
    assert_received(
        &server,
        Expected {
            method: "POST",
            path: "/engine-rest/external-task/count",
            query: None,
            body: Some(query_body()),
        },
    )
    .await;
    assert_eq!(count.count, 3);
}

// 5. POST /external-task/fetchAndLock
#[tokio::test]
async fn fetch_and_lock_sends_topics_and_decodes_locked_tasks_with_variables() {
    let request = json!({
        "workerId": "payment-worker-1",
        "maxTasks": 2,
        "usePriority": true,
        "asyncResponseTimeout": 2000,
        "sorting": [{"sortBy": "createTime", "sortOrder": "asc"}],
        "topics": [{
            "topicName": "charge-card",
            "lockDuration": 60000,
            "variables": ["amount", "card"],
            "localVariables": false,
            "processDefinitionKeyIn": ["payment"],
            "tenantIdIn": ["acme"],
            "processVariables": {"region": "eu"},
            "deserializeValues": true,
            "includeExtensionProperties": true
        }]
    });
    let response = json!([{
        "activityId": "ServiceTask_ChargeCard",
        "activityInstanceId": "ServiceTask_ChargeCard:6a7f0b3c",
        "errorMessage": null,
        "errorDetails": null,
        "executionId": "6a7f0b3b",
        "id": "task-1",
        "lockExpirationTime": "2024-05-06T12:31:00.000+0200",
        "createTime": "2024-05-06T12:30:00.000+0200",
        "processDefinitionId": "payment:3:1f2e3d4c",
        "processDefinitionKey": "payment",
        "processDefinitionVersionTag": "v3",
        "processInstanceId": "6a7ee428",
        "retries": null,
        "suspended": false,
        "workerId": "payment-worker-1",
        "topicName": "charge-card",
        "tenantId": "acme",
        "priority": 10,
        "businessKey": "order-4711",
        "variables": {
            "amount": {"type": "Double", "value": 129.5, "valueInfo": {}},
            "card": {"type": "String", "value": "4111-xxxx", "valueInfo": {}}
        },
        "extensionProperties": {"retryPolicy": "R3/PT5M"}
    }]);
    let (server, client) = serve(json_response(response.clone())).await;
    let body: models::FetchExternalTasksDto = dto(request.clone());
    let tasks = client
        .external_task()
        .fetch_and_lock(&body)
        .await
        .expect("the locked tasks");
    assert_received(
        &server,
        Expected {
            method: "POST",
            path: "/engine-rest/external-task/fetchAndLock",
            query: None,
            body: Some(request),
        },
    )
    .await;
    assert_eq!(tasks.len(), 1);
    let task = &tasks[0];
    assert_eq!(task.id.as_deref(), Some("task-1"));
    assert_eq!(task.worker_id.as_deref(), Some("payment-worker-1"));
    assert_eq!(task.retries, None);
    assert_eq!(
        task.lock_expiration_time,
        Some(date("2024-05-06T12:31:00.000+0200"))
    );
    assert_eq!(
        task.extension_properties
            .as_ref()
            .and_then(|p| p.get("retryPolicy"))
            .map(String::as_str),
        Some("R3/PT5M")
    );
    let variables = task.variables.as_ref().expect("variables");
    assert_eq!(variables.get::<f64>("amount").ok(), Some(129.5));
    assert_eq!(
        variables.get::<String>("card").ok().as_deref(),
        Some("4111-xxxx")
    );
}

#[tokio::test]
async fn fetch_and_lock_from_typed_fields_long_polls_with_its_timeout() {
    let body = models::FetchExternalTasksDto {
        worker_id: "payment-worker-1".into(),
        max_tasks: 10,
        use_priority: Some(true),
        async_response_timeout: Some(30_000),
        topics: Some(vec![models::FetchExternalTaskTopicDto {
            topic_name: "charge-card".into(),
            lock_duration: 60_000,
            variables: Some(vec!["amount".into()]),
            ..Default::default()
        }]),
        ..Default::default()
    };
    let (server, client) = serve(json_response(json!([]))).await;
    let tasks = client
        .external_task()
        .fetch_and_lock(&body)
        .await
        .expect("no tasks");
    assert!(tasks.is_empty());
    assert_received(
        &server,
        Expected {
            method: "POST",
            path: "/engine-rest/external-task/fetchAndLock",
            query: None,
            body: Some(json!({
                "workerId": "payment-worker-1",
                "maxTasks": 10,
                "usePriority": true,
                "asyncResponseTimeout": 30000,
                "topics": [{"topicName": "charge-card", "lockDuration": 60000, "variables": ["amount"]}]
            })),
        },
    )
    .await;
    // The request may take the whole poll plus the margin, beyond the 30 s default.
    assert_eq!(
        client.long_poll_timeout(body.async_response_timeout),
        Some(std::time::Duration::from_secs(40))
    );
}

// 6. PUT /external-task/retries
#[tokio::test]
async fn set_external_task_retries_sends_ids_and_queries() {
    let request = json!({
        "retries": 3,
        "externalTaskIds": ["task-1", "task-2"],
        "processInstanceIds": ["pi-1"],
        "externalTaskQuery": {"topicName": "charge-card", "noRetriesLeft": true}
    });
    let (server, client) = serve(no_content()).await;
    let body: models::SetRetriesForExternalTasksDto = dto(request.clone());
    client
        .external_task()
        .set_external_task_retries(&body)
        .await
        .expect("204");
    assert_received(
        &server,
        Expected {
            method: "PUT",
            path: "/engine-rest/external-task/retries",
            query: None,
            body: Some(request),
        },
    )
    .await;
}

// 7. POST /external-task/retries-async
#[tokio::test]
async fn set_external_task_retries_async_operation_decodes_the_batch() {
    let request = json!({
        "retries": 5,
        "externalTaskIds": ["task-1", "task-2"],
        "processInstanceQuery": {"processDefinitionKey": "payment"},
        "historicProcessInstanceQuery": {"finished": false}
    });
    let (server, client) = serve(json_response(batch_json())).await;
    let body: models::SetRetriesForExternalTasksDto = dto(request.clone());
    let batch = client
        .external_task()
        .set_external_task_retries_async_operation(&body)
        .await
        .expect("the batch");
    assert_received(
        &server,
        Expected {
            method: "POST",
            path: "/engine-rest/external-task/retries-async",
            query: None,
            body: Some(request),
        },
    )
    .await;
    assert_eq!(
        batch.id.as_deref(),
        Some("5e3b1a7c-1c2e-11ef-9a3b-0242ac120002")
    );
    assert_eq!(batch.r#type.as_deref(), Some("set-external-task-retries"));
    assert_eq!(batch.total_jobs, Some(2));
    assert_eq!(batch.batch_jobs_per_seed, Some(100));
    assert_eq!(batch.create_user_id.as_deref(), Some("demo"));
    assert_eq!(batch.start_time, Some(date("2024-05-06T12:40:00.000+0200")));
    assert_eq!(batch.execution_start_time, None);
}

// 8. GET /external-task/topic-names
#[tokio::test]
async fn get_topic_names_sends_flags_and_decodes_names() {
    let (server, client) = serve(json_response(json!(["charge-card", "send-invoice"]))).await;
    let query = GetTopicNamesQuery {
        with_locked_tasks: Some(true),
        with_unlocked_tasks: Some(false),
        with_retries_left: Some(true),
    };
    let names = client
        .external_task()
        .get_topic_names(&query)
        .await
        .expect("the names");
    assert_received(
        &server,
        Expected {
            method: "GET",
            path: "/engine-rest/external-task/topic-names",
            query: Some("withLockedTasks=true&withUnlockedTasks=false&withRetriesLeft=true"),
            body: None,
        },
    )
    .await;
    assert_eq!(
        names,
        vec!["charge-card".to_owned(), "send-invoice".to_owned()]
    );
}

// 9. GET /external-task/{id}
#[tokio::test]
async fn get_external_task_percent_encodes_the_id() {
    let (server, client) = serve(json_response(external_task_json("a/b+c"))).await;
    let task = client
        .external_task()
        .get_external_task("a/b+c")
        .await
        .expect("the task");
    assert_received(
        &server,
        Expected {
            method: "GET",
            path: "/engine-rest/external-task/a%2Fb+c",
            query: None,
            body: None,
        },
    )
    .await;
    assert_external_task(&task, "a/b+c");
}

// 10. POST /external-task/{id}/bpmnError
#[tokio::test]
async fn handle_external_task_bpmn_error_sends_code_message_and_variables() {
    let request = json!({
        "workerId": "payment-worker-1",
        "errorCode": "CARD_DECLINED",
        "errorMessage": "the issuer declined the card",
        "variables": {"declineReason": {"value": "insufficient funds", "type": "String"}}
    });
    let (server, client) = serve(no_content()).await;
    let body: models::ExternalTaskBpmnError = dto(request.clone());
    client
        .external_task()
        .handle_external_task_bpmn_error("task-1", &body)
        .await
        .expect("204");
    assert_received(
        &server,
        Expected {
            method: "POST",
            path: "/engine-rest/external-task/task-1/bpmnError",
            query: None,
            body: Some(request),
        },
    )
    .await;
}

// 11. POST /external-task/{id}/complete
#[tokio::test]
async fn complete_external_task_resource_sends_variables_and_local_variables() {
    let request = json!({
        "workerId": "payment-worker-1",
        "variables": {
            "charged": {"value": true, "type": "Boolean"},
            "receipt": {"value": "{\"id\":7}", "type": "Json"}
        },
        "localVariables": {"attempt": {"value": 2, "type": "Integer"}}
    });
    let (server, client) = serve(no_content()).await;
    let body: models::CompleteExternalTaskDto = dto(request.clone());
    client
        .external_task()
        .complete_external_task_resource("task-1", &body)
        .await
        .expect("204");
    assert_received(
        &server,
        Expected {
            method: "POST",
            path: "/engine-rest/external-task/task-1/complete",
            query: None,
            body: Some(request),
        },
    )
    .await;
}

#[tokio::test]
async fn complete_external_task_resource_from_typed_variables() {
    let body = models::CompleteExternalTaskDto {
        worker_id: "payment-worker-1".into(),
        variables: Some(
            Variables::new()
                .with("charged", true)
                .with("amount", 129.5_f64)
                .with("chargedAt", date("2024-05-06T12:30:00.000+0200")),
        ),
        ..Default::default()
    };
    let (server, client) = serve(no_content()).await;
    client
        .external_task()
        .complete_external_task_resource("task-1", &body)
        .await
        .expect("204");
    let requests = server.received_requests().await.unwrap_or_default();
    assert_eq!(requests.len(), 1);
    let sent: Value = serde_json::from_slice(&requests[0].body).expect("a JSON body");
    assert_eq!(sent["workerId"], json!("payment-worker-1"));
    let variables = &sent["variables"];
    assert_eq!(variables["charged"]["type"], json!("Boolean"));
    assert_eq!(variables["charged"]["value"], json!(true));
    assert_eq!(variables["amount"]["type"], json!("Double"));
    assert_eq!(variables["amount"]["value"], json!(129.5));
    assert_eq!(variables["chargedAt"]["type"], json!("Date"));
    assert_eq!(
        variables["chargedAt"]["value"],
        json!("2024-05-06T12:30:00.000+0200")
    );
    assert!(sent.get("localVariables").is_none(), "{sent}");
}

// 12. GET /external-task/{id}/errorDetails
#[tokio::test]
async fn get_external_task_error_details_returns_the_text() {
    let details = "java.lang.IllegalStateException: card declined\n\tat Charge.run(Charge.java:42)";
    let (server, client) =
        serve(ResponseTemplate::new(200).set_body_raw(details, "text/plain;charset=UTF-8")).await;
    let text = client
        .external_task()
        .get_external_task_error_details("task-1")
        .await
        .expect("the details");
    assert_received(
        &server,
        Expected {
            method: "GET",
            path: "/engine-rest/external-task/task-1/errorDetails",
            query: None,
            body: None,
        },
    )
    .await;
    assert_eq!(text.as_deref(), Some(details));
}

#[tokio::test]
async fn get_external_task_error_details_is_none_for_no_content() {
    let (server, client) = serve(no_content()).await;
    let text = client
        .external_task()
        .get_external_task_error_details("task-1")
        .await
        .expect("no details");
    assert_eq!(text, None);
    assert_received(
        &server,
        Expected {
            method: "GET",
            path: "/engine-rest/external-task/task-1/errorDetails",
            query: None,
            body: None,
        },
    )
    .await;
}

// 13. POST /external-task/{id}/extendLock
#[tokio::test]
async fn extend_lock_sends_the_new_duration() {
    let request = json!({"workerId": "payment-worker-1", "newDuration": 120000});
    let (server, client) = serve(no_content()).await;
    let body: models::ExtendLockOnExternalTaskDto = dto(request.clone());
    client
        .external_task()
        .extend_lock("task-1", &body)
        .await
        .expect("204");
    assert_received(
        &server,
        Expected {
            method: "POST",
            path: "/engine-rest/external-task/task-1/extendLock",
            query: None,
            body: Some(request),
        },
    )
    .await;
}

// 14. POST /external-task/{id}/failure
#[tokio::test]
async fn handle_failure_sends_retries_timeout_and_details() {
    let request = json!({
        "workerId": "payment-worker-1",
        "errorMessage": "card service unavailable",
        "errorDetails": "java.net.ConnectException: Connection refused",
        "retries": 2,
        "retryTimeout": 30000,
        "variables": {"lastAttempt": {"value": "2024-05-06T12:30:00.000+0200", "type": "Date"}},
        "localVariables": {"attempt": {"value": 1, "type": "Integer"}}
    });
    let (server, client) = serve(no_content()).await;
    let body: models::ExternalTaskFailureDto = dto(request.clone());
    client
        .external_task()
        .handle_failure("task-1", &body)
        .await
        .expect("204");
    assert_received(
        &server,
        Expected {
            method: "POST",
            path: "/engine-rest/external-task/task-1/failure",
            query: None,
            body: Some(request),
        },
    )
    .await;
}

// 15. POST /external-task/{id}/lock
#[tokio::test]
async fn lock_sends_worker_and_duration() {
    let request = json!({"workerId": "payment-worker-1", "lockDuration": 100000});
    let (server, client) = serve(no_content()).await;
    let body: models::LockExternalTaskDto = dto(request.clone());
    client
        .external_task()
        .lock("task-1", &body)
        .await
        .expect("204");
    assert_received(
        &server,
        Expected {
            method: "POST",
            path: "/engine-rest/external-task/task-1/lock",
            query: None,
            body: Some(request),
        },
    )
    .await;
}

// 16. PUT /external-task/{id}/priority
#[tokio::test]
async fn set_external_task_resource_priority_sends_the_priority() {
    let request = json!({"priority": 9_007_199_254_740_993_i64});
    let (server, client) = serve(no_content()).await;
    let body: models::PriorityDto = dto(request.clone());
    client
        .external_task()
        .set_external_task_resource_priority("task-1", &body)
        .await
        .expect("204");
    assert_received(
        &server,
        Expected {
            method: "PUT",
            path: "/engine-rest/external-task/task-1/priority",
            query: None,
            body: Some(request),
        },
    )
    .await;
}

// 17. PUT /external-task/{id}/retries
#[tokio::test]
async fn set_external_task_resource_retries_sends_the_retries() {
    let request = json!({"retries": 0});
    let (server, client) = serve(no_content()).await;
    let body: models::RetriesDto = dto(request.clone());
    client
        .external_task()
        .set_external_task_resource_retries("task-1", &body)
        .await
        .expect("204");
    assert_received(
        &server,
        Expected {
            method: "PUT",
            path: "/engine-rest/external-task/task-1/retries",
            query: None,
            body: Some(request),
        },
    )
    .await;
}

// 18. POST /external-task/{id}/unlock
#[tokio::test]
async fn unlock_sends_no_body() {
    let (server, client) = serve(no_content()).await;
    client.external_task().unlock("task-1").await.expect("204");
    assert_received(
        &server,
        Expected {
            method: "POST",
            path: "/engine-rest/external-task/task-1/unlock",
            query: None,
            body: None,
        },
    )
    .await;
}
