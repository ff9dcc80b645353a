//! Error paths: every way a call can fail becomes the right `Error` variant, keeping what a
//! caller needs (status, the engine's type/message/code, a body snippet, the JSON path) and
//! saying where it happened.
//!
//! All servers bind 127.0.0.1 on an ephemeral port and stop when the test ends.

use std::time::Duration;

use camunda7_client::external_task::GetExternalTasksQuery;
use camunda7_client::{models, Auth, Client, Error};
use reqwest::StatusCode;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn client_for(server: &MockServer) -> Client {
    Client::new(format!("{}/engine-rest", server.uri())).expect("a valid base URL")
}

/// Builds a generated DTO from its JSON form (the wire shape is what these tests care about).
fn dto<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> T {
    serde_json::from_value(value).expect("the JSON matches the DTO")
}

/// Checks that `err` is an `UnexpectedStatus` of `GET /engine-rest/external-task/task-1`.
fn assert_unexpected_status_of_get_task(
    err: &Error,
    expected_status: StatusCode,
    expected_content_type: Option<&str>,
    expected_snippet: &str,
) {
    match err {
        Error::UnexpectedStatus {
            request,
            status,
            content_type,
            snippet,
            ..
        } => {
            assert_eq!(*request.method(), reqwest::Method::GET);
            assert_eq!(request.path(), "/engine-rest/external-task/task-1");
            assert_eq!(err.request().as_ref(), Some(&**request));
            assert_eq!(*status, expected_status);
            assert_eq!(content_type.as_deref(), expected_content_type);
            assert_eq!(snippet, expected_snippet);
        }
        other => panic!("expected UnexpectedStatus, got {other:?}"),
    }
}

async fn mount_error(
    server: &MockServer,
    http_method: &str,
    at: &str,
    status: u16,
    body: serde_json::Value,
) {
    Mock::given(method(http_method))
        .and(path(at))
        .respond_with(ResponseTemplate::new(status).set_body_json(body))
        .expect(1)
        .mount(server)
        .await;
}

#[tokio::test]
async fn bad_request_keeps_the_engine_type_message_and_code() {
    let server = MockServer::start().await;
    let message = "The lock of the External Task task-1 cannot be extended by worker 'w2''. It is locked by worker 'w1'.";
    mount_error(
        &server,
        "POST",
        "/engine-rest/external-task/task-1/extendLock",
        400,
        json!({"type": "RestException", "message": message, "code": 0}),
    )
    .await;

    let body: models::ExtendLockOnExternalTaskDto =
        dto(json!({"workerId": "w2", "newDuration": 60000}));
    let err = client_for(&server)
        .external_task()
        .extend_lock("task-1", &body)
        .await
        .expect_err("the engine refused");

    assert_eq!(err.status(), Some(StatusCode::BAD_REQUEST));
    let engine = err.engine().expect("an engine error");
    assert_eq!(engine.status, StatusCode::BAD_REQUEST);
    assert_eq!(engine.error_type.as_deref(), Some("RestException"));
    assert_eq!(engine.message.as_deref(), Some(message));
    assert_eq!(engine.code, Some(0));
    assert!(engine.authorization.is_none());
    assert!(!err.is_not_found());
    assert!(!err.is_transient());

    let text = err.to_string();
    assert!(
        text.contains("POST /engine-rest/external-task/task-1/extendLock"),
        "{text}"
    );
    assert!(text.contains("400"), "{text}");
    assert!(text.contains(message), "{text}");
}

#[tokio::test]
async fn bad_request_from_fetch_and_lock_with_a_null_code() {
    let server = MockServer::start().await;
    let message =
        "The asynchronous response timeout cannot be set to a value greater than 1800000 milliseconds";
    mount_error(
        &server,
        "POST",
        "/engine-rest/external-task/fetchAndLock",
        400,
        json!({"type": "InvalidRequestException", "message": message, "code": null}),
    )
    .await;
    let body: models::FetchExternalTasksDto =
        dto(json!({"workerId": "w", "maxTasks": 1, "asyncResponseTimeout": 1_800_001}));
    let err = Client::builder()
        .base_url(format!("{}/engine-rest", server.uri()))
        .long_poll_margin(Duration::from_secs(1))
        .build()
        .expect("a client")
        .external_task()
        .fetch_and_lock(&body)
        .await
        .expect_err("the engine refused");
    let engine = err.engine().expect("an engine error");
    assert_eq!(
        engine.error_type.as_deref(),
        Some("InvalidRequestException")
    );
    assert_eq!(engine.message.as_deref(), Some(message));
    assert_eq!(engine.code, None);
}

#[tokio::test]
async fn not_found_is_an_engine_error_and_is_not_found() {
    let server = MockServer::start().await;
    let message = "External task with id missing does not exist";
    mount_error(
        &server,
        "GET",
        "/engine-rest/external-task/missing",
        404,
        json!({"type": "RestException", "message": message, "code": null}),
    )
    .await;

    let err = client_for(&server)
        .external_task()
        .get_external_task("missing")
        .await
        .expect_err("no such task");
    assert!(err.is_not_found());
    assert!(!err.is_transient());
    assert!(matches!(&err, Error::Engine(e) if e.message.as_deref() == Some(message)));
    assert_eq!(err.engine().and_then(|e| e.code), None);
    assert_eq!(
        err.engine().map(|e| e.body.clone()),
        Some(json!({"type": "RestException", "message": message, "code": null}))
    );
}

#[tokio::test]
async fn server_error_keeps_the_engine_body() {
    let server = MockServer::start().await;
    mount_error(
        &server,
        "POST",
        "/engine-rest/external-task/task-1/failure",
        500,
        json!({
            "type": "ProcessEngineException",
            "message": "retries is not greater than or equal to 0",
            "code": 0
        }),
    )
    .await;

    let body: models::ExternalTaskFailureDto = dto(json!({"workerId": "w", "retries": -1}));
    let err = client_for(&server)
        .external_task()
        .handle_failure("task-1", &body)
        .await
        .expect_err("the engine refused");
    assert_eq!(err.status(), Some(StatusCode::INTERNAL_SERVER_ERROR));
    let engine = err.engine().expect("an engine error");
    assert_eq!(engine.error_type.as_deref(), Some("ProcessEngineException"));
    assert_eq!(
        engine.message.as_deref(),
        Some("retries is not greater than or equal to 0")
    );
    assert_eq!(engine.code, Some(0));
    // A 500 may be transient (optimistic locking, a deadlock) or not (this one); callers bound
    // their retries.
    assert!(err.is_transient());
}

#[tokio::test]
async fn optimistic_locking_is_transient() {
    let server = MockServer::start().await;
    mount_error(
        &server,
        "POST",
        "/engine-rest/external-task/task-1/unlock",
        500,
        json!({
            "type": "OptimisticLockingException",
            "message": "ENGINE-03005 Execution of 'UPDATE ExternalTaskEntity[task-1]' failed. Entity was updated by another transaction concurrently.",
            "code": 1
        }),
    )
    .await;
    let err = client_for(&server)
        .external_task()
        .unlock("task-1")
        .await
        .expect_err("the engine refused");
    assert_eq!(err.engine().and_then(|e| e.code), Some(1));
    assert!(err.is_transient());
}

#[tokio::test]
async fn forbidden_keeps_the_authorization_details() {
    let server = MockServer::start().await;
    let message = "The user with id 'jonny' does not have one of the following permissions: 'UPDATE' permission on resource 'pi-1' of type 'ProcessInstance' or 'UPDATE_INSTANCE' permission on resource 'invoice' of type 'ProcessDefinition'.";
    mount_error(
        &server,
        "POST",
        "/engine-rest/external-task/task-1/unlock",
        403,
        json!({
            "type": "AuthorizationException",
            "message": message,
            "code": 0,
            "userId": "jonny",
            "resourceName": null,
            "resourceId": null,
            "permissionName": null,
            "missingAuthorizations": [
                {"permissionName": "UPDATE", "resourceName": "ProcessInstance", "resourceId": "pi-1"},
                {"permissionName": "UPDATE_INSTANCE", "resourceName": "ProcessDefinition", "resourceId": "invoice"}
            ]
        }),
    )
    .await;

    let err = client_for(&server)
        .external_task()
        .unlock("task-1")
        .await
        .expect_err("not allowed");
    assert_eq!(err.status(), Some(StatusCode::FORBIDDEN));
    let engine = err.engine().expect("an engine error");
    assert_eq!(engine.error_type.as_deref(), Some("AuthorizationException"));
    assert_eq!(engine.message.as_deref(), Some(message));
    let details = engine
        .authorization
        .as_ref()
        .expect("authorization details");
    assert_eq!(details.user_id.as_deref(), Some("jonny"));
    let missing: Vec<(Option<&str>, Option<&str>, Option<&str>)> = details
        .missing_authorizations
        .iter()
        .map(|m| {
            (
                m.permission_name.as_deref(),
                m.resource_name.as_deref(),
                m.resource_id.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        missing,
        vec![
            (Some("UPDATE"), Some("ProcessInstance"), Some("pi-1")),
            (
                Some("UPDATE_INSTANCE"),
                Some("ProcessDefinition"),
                Some("invoice")
            ),
        ]
    );
    assert!(!err.is_transient());
}

#[tokio::test]
async fn unauthorized_with_an_empty_body_is_an_unexpected_status() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/engine-rest/external-task/task-1"))
        .respond_with(
            ResponseTemplate::new(401).insert_header("WWW-Authenticate", "Basic realm=\"default\""),
        )
        .expect(1)
        .mount(&server)
        .await;

    let client = Client::builder()
        .base_url(format!("{}/engine-rest", server.uri()))
        .auth(Auth::basic("demo", "wrong-password"))
        .build()
        .expect("a client");
    let err = client
        .external_task()
        .get_external_task("task-1")
        .await
        .expect_err("bad credentials");
    assert_unexpected_status_of_get_task(&err, StatusCode::UNAUTHORIZED, None, "");
    assert_eq!(err.status(), Some(StatusCode::UNAUTHORIZED));
    assert!(err.engine().is_none());
    assert!(!err.is_transient());
    let text = format!("{err} {err:?}");
    assert!(!text.contains("wrong-password"), "{text}");
}

#[tokio::test]
async fn an_html_error_page_is_an_unexpected_status_with_a_snippet() {
    let server = MockServer::start().await;
    let page = format!(
        "<html><head><title>502 Bad Gateway</title></head><body>{}</body></html>",
        "upstream unavailable ".repeat(60)
    );
    Mock::given(method("GET"))
        .and(path("/engine-rest/external-task/task-1"))
        .respond_with(
            ResponseTemplate::new(502).set_body_raw(page.clone(), "text/html; charset=utf-8"),
        )
        .expect(1)
        .mount(&server)
        .await;

    let err = client_for(&server)
        .external_task()
        .get_external_task("task-1")
        .await
        .expect_err("a proxy error");
    assert!(page.len() > 512);
    assert_unexpected_status_of_get_task(
        &err,
        StatusCode::BAD_GATEWAY,
        Some("text/html; charset=utf-8"),
        &page[..512],
    );
    assert!(err.is_transient());
    let text = err.to_string();
    assert!(
        text.contains("GET /engine-rest/external-task/task-1"),
        "{text}"
    );
    assert!(text.contains("502"), "{text}");
    assert!(text.contains("<title>502 Bad Gateway</title>"), "{text}");
}

#[tokio::test]
async fn connection_refused_is_a_connect_error() {
    // Bind an ephemeral port, then close it: nothing listens there any more.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("local address").port()
    };
    let client = Client::new(format!("http://127.0.0.1:{port}/engine-rest")).expect("a client");
    let err = client
        .external_task()
        .get_external_task("task-1")
        .await
        .expect_err("nothing listens");
    assert!(matches!(err, Error::Connect { .. }), "{err:?}");
    assert!(err.is_transient());
    assert_eq!(err.status(), None);
    let text = err.to_string();
    assert!(
        text.contains("GET /engine-rest/external-task/task-1"),
        "{text}"
    );
    assert!(text.contains("cannot connect"), "{text}");
}

#[tokio::test]
async fn transport_errors_do_not_repeat_the_query_string() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("local address").port()
    };
    let client = Client::new(format!("http://127.0.0.1:{port}/engine-rest")).expect("a client");
    let query = GetExternalTasksQuery {
        worker_id: Some("confidential-worker".into()),
        ..Default::default()
    };
    let err = client
        .external_task()
        .get_external_tasks(&query)
        .await
        .expect_err("nothing listens");
    let text = format!("{err} {err:?}");
    assert!(text.contains("/engine-rest/external-task"), "{text}");
    assert!(!text.contains("confidential-worker"), "{text}");
}

#[tokio::test]
async fn a_slow_server_is_a_timeout() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/engine-rest/external-task/task-1"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"id": "task-1"}))
                .set_delay(Duration::from_secs(3)),
        )
        .mount(&server)
        .await;

    let client = Client::builder()
        .base_url(format!("{}/engine-rest", server.uri()))
        .timeout(Duration::from_millis(300))
        .build()
        .expect("a client");
    let err = client
        .external_task()
        .get_external_task("task-1")
        .await
        .expect_err("the server is too slow");
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert!(err.is_transient());
    assert!(err.to_string().contains("timed out"), "{err}");
}

#[tokio::test]
async fn a_response_that_is_not_http_is_a_request_error() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("local address").port();
    let server = tokio::spawn(async move {
        if let Ok((mut socket, _)) = listener.accept().await {
            let mut buf = [0u8; 1024];
            let _ = socket.read(&mut buf).await;
            let _ = socket.write_all(b"this is not HTTP at all\r\n\r\n").await;
            let _ = socket.shutdown().await;
        }
    });

    let client = Client::new(format!("http://127.0.0.1:{port}/engine-rest")).expect("a client");
    let err = client
        .external_task()
        .get_external_task("task-1")
        .await
        .expect_err("garbage answer");
    assert!(matches!(err, Error::Request { .. }), "{err:?}");
    assert!(
        err.to_string()
            .contains("GET /engine-rest/external-task/task-1"),
        "{err}"
    );
    server.abort();
}

#[tokio::test]
async fn an_undecodable_success_body_is_a_decode_error_with_its_path() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/engine-rest/external-task/task-1"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            r#"{"id":"task-1","lockExpirationTime":"next tuesday","retries":3}"#,
            "application/json",
        ))
        .expect(1)
        .mount(&server)
        .await;

    let err = client_for(&server)
        .external_task()
        .get_external_task("task-1")
        .await
        .expect_err("not a date");
    match &err {
        Error::Decode {
            status,
            json_path,
            snippet,
            ..
        } => {
            assert_eq!(*status, StatusCode::OK);
            assert_eq!(json_path, "lockExpirationTime");
            assert!(snippet.contains("next tuesday"), "{snippet}");
        }
        other => panic!("expected Decode, got {other:?}"),
    }
    assert_eq!(err.status(), Some(StatusCode::OK));
    let text = err.to_string();
    assert!(
        text.contains("GET /engine-rest/external-task/task-1"),
        "{text}"
    );
    assert!(text.contains("lockExpirationTime"), "{text}");
}

#[tokio::test]
async fn a_wrong_shape_in_a_list_names_the_element() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/engine-rest/external-task/fetchAndLock"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            r#"[{"id":"a","retries":null},{"id":"b","retries":"three"}]"#,
            "application/json",
        ))
        .mount(&server)
        .await;
    let body: models::FetchExternalTasksDto = dto(json!({"workerId": "w", "maxTasks": 2}));
    let err = client_for(&server)
        .external_task()
        .fetch_and_lock(&body)
        .await
        .expect_err("retries is not a number");
    assert!(
        matches!(&err, Error::Decode { json_path, .. } if json_path == "[1].retries"),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_failing_auth_provider_is_an_auth_error_and_nothing_is_sent() {
    let server = MockServer::start().await;
    let client = Client::builder()
        .base_url(format!("{}/engine-rest", server.uri()))
        .auth(Auth::provider(|| async {
            Err::<String, _>("token endpoint unreachable".into())
        }))
        .build()
        .expect("a client");
    let err = client
        .external_task()
        .unlock("task-1")
        .await
        .expect_err("no token");
    assert!(matches!(err, Error::Auth { .. }), "{err:?}");
    assert!(
        err.to_string().contains("token endpoint unreachable"),
        "{err}"
    );
    assert!(
        err.to_string()
            .contains("POST /engine-rest/external-task/task-1/unlock"),
        "{err}"
    );
    assert!(server
        .received_requests()
        .await
        .unwrap_or_default()
        .is_empty());
}

#[test]
fn bad_configuration_is_a_config_error() {
    let err = Client::new("localhost:8080/engine-rest").expect_err("no scheme");
    assert!(
        matches!(&err, Error::Config { message } if message.contains("localhost:8080/engine-rest")),
        "{err:?}"
    );
    assert_eq!(err.status(), None);
    assert!(!err.is_transient());
}

#[tokio::test]
async fn no_content_where_json_is_expected_is_an_unexpected_status() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/engine-rest/external-task/task-1"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;

    let err = client_for(&server)
        .external_task()
        .get_external_task("task-1")
        .await
        .expect_err("nothing to decode");
    assert_unexpected_status_of_get_task(&err, StatusCode::NO_CONTENT, None, "");
}

#[tokio::test]
async fn a_body_on_a_success_without_content_is_read_and_dropped() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/engine-rest/external-task/task-1/complete"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw("{\"ignored\":true}", "application/json"),
        )
        .expect(2)
        .mount(&server)
        .await;

    let client = client_for(&server);
    let body = models::CompleteExternalTaskDto {
        worker_id: "w".to_owned(),
        ..Default::default()
    };
    // Twice over the same client: the body read to its end leaves the connection reusable.
    for _ in 0..2 {
        client
            .external_task()
            .complete_external_task_resource("task-1", &body)
            .await
            .expect("a success");
    }
}
