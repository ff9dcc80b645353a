//! Client configuration: base URL forms, a bring-your-own reqwest client, the user agent, the
//! three kinds of auth (and that no credential leaks into Debug output), and long-poll timeouts.
//! (Logs are checked in `no_secrets_in_logs.rs`, which needs a test binary of its own.)
//!
//! All servers bind 127.0.0.1 on an ephemeral port and stop when the test ends.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use camunda7_client::{models, Auth, Client, Error, DEFAULT_USER_AGENT};
use serde_json::json;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TASK_JSON: &str = r#"{"id":"task-1","topicName":"invoice","workerId":null,"retries":null}"#;

async fn serve_task(server: &MockServer, at: &str) {
    Mock::given(method("GET"))
        .and(path(at))
        .respond_with(ResponseTemplate::new(200).set_body_raw(TASK_JSON, "application/json"))
        .expect(1)
        .mount(server)
        .await;
}

/// The one request the server received.
async fn only_request(server: &MockServer) -> wiremock::Request {
    let mut requests = server.received_requests().await.unwrap_or_default();
    assert_eq!(requests.len(), 1, "exactly one request");
    requests.remove(0)
}

fn header_of<'a>(request: &'a wiremock::Request, name: &str) -> Option<&'a str> {
    request.headers.get(name).and_then(|v| v.to_str().ok())
}

#[tokio::test]
async fn base_url_with_and_without_trailing_slash() {
    for suffix in ["/engine-rest", "/engine-rest/"] {
        let server = MockServer::start().await;
        serve_task(&server, "/engine-rest/external-task/task-1").await;
        let client = Client::new(format!("{}{suffix}", server.uri())).expect("a client");
        let task = client
            .external_task()
            .get_external_task("task-1")
            .await
            .expect("the task");
        assert_eq!(
            task.id.as_deref(),
            Some("task-1"),
            "base URL ending {suffix}"
        );
    }
}

#[tokio::test]
async fn base_url_of_a_named_engine() {
    let server = MockServer::start().await;
    serve_task(
        &server,
        "/engine-rest/engine/tenant-engine/external-task/task-1",
    )
    .await;
    let client = Client::builder()
        .base_url(format!(
            "{}/engine-rest/engine/tenant-engine/",
            server.uri()
        ))
        .build()
        .expect("a client");
    assert_eq!(
        client.base_url().path(),
        "/engine-rest/engine/tenant-engine"
    );
    client
        .external_task()
        .get_external_task("task-1")
        .await
        .expect("the task");
}

#[tokio::test]
async fn default_user_agent_names_the_crate_and_version() {
    let server = MockServer::start().await;
    serve_task(&server, "/engine-rest/external-task/task-1").await;
    Client::new(format!("{}/engine-rest", server.uri()))
        .expect("a client")
        .external_task()
        .get_external_task("task-1")
        .await
        .expect("the task");
    let request = only_request(&server).await;
    assert_eq!(
        header_of(&request, "user-agent"),
        Some(concat!("camunda7-client/", env!("CARGO_PKG_VERSION")))
    );
    assert_eq!(
        DEFAULT_USER_AGENT,
        concat!("camunda7-client/", env!("CARGO_PKG_VERSION"))
    );
    assert_eq!(
        header_of(&request, "authorization"),
        None,
        "no auth by default"
    );
}

#[tokio::test]
async fn custom_user_agent() {
    let server = MockServer::start().await;
    serve_task(&server, "/engine-rest/external-task/task-1").await;
    Client::builder()
        .base_url(format!("{}/engine-rest", server.uri()))
        .user_agent("invoice-worker/2.1")
        .build()
        .expect("a client")
        .external_task()
        .get_external_task("task-1")
        .await
        .expect("the task");
    let request = only_request(&server).await;
    assert_eq!(
        header_of(&request, "user-agent"),
        Some("invoice-worker/2.1")
    );
}

#[test]
fn an_invalid_user_agent_is_a_config_error() {
    let err = Client::builder()
        .base_url("http://127.0.0.1:1/engine-rest")
        .user_agent("line\nbreak")
        .build()
        .expect_err("a newline is not allowed in a header");
    assert!(matches!(err, Error::Config { .. }), "{err:?}");
}

#[tokio::test]
async fn bring_your_own_reqwest_client_keeps_its_default_headers() {
    let server = MockServer::start().await;
    serve_task(&server, "/engine-rest/external-task/task-1").await;
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        "x-tenant",
        reqwest::header::HeaderValue::from_static("acme"),
    );
    let http = reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .expect("a reqwest client");
    let client = Client::builder()
        .base_url(format!("{}/engine-rest", server.uri()))
        .http_client(http)
        .auth(Auth::bearer("byo-token"))
        .build()
        .expect("a client");
    client
        .external_task()
        .get_external_task("task-1")
        .await
        .expect("the task");
    let request = only_request(&server).await;
    assert_eq!(header_of(&request, "x-tenant"), Some("acme"));
    assert_eq!(
        header_of(&request, "authorization"),
        Some("Bearer byo-token")
    );
    assert_eq!(header_of(&request, "user-agent"), Some(DEFAULT_USER_AGENT));
}

#[tokio::test]
async fn basic_auth_header() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/engine-rest/external-task/task-1"))
        // base64("demo:demo")
        .and(header("authorization", "Basic ZGVtbzpkZW1v"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(TASK_JSON, "application/json"))
        .expect(1)
        .mount(&server)
        .await;
    Client::builder()
        .base_url(format!("{}/engine-rest", server.uri()))
        .auth(Auth::basic("demo", "demo"))
        .build()
        .expect("a client")
        .external_task()
        .get_external_task("task-1")
        .await
        .expect("authorized");
}

#[tokio::test]
async fn bearer_auth_header() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/engine-rest/external-task/task-1/unlock"))
        .and(header(
            "authorization",
            "Bearer eyJhbGciOiJSUzI1NiJ9.payload.sig",
        ))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    Client::builder()
        .base_url(format!("{}/engine-rest", server.uri()))
        .auth(Auth::bearer("eyJhbGciOiJSUzI1NiJ9.payload.sig"))
        .build()
        .expect("a client")
        .external_task()
        .unlock("task-1")
        .await
        .expect("authorized");
}

#[tokio::test]
async fn an_auth_provider_is_asked_before_every_request() {
    let server = MockServer::start().await;
    for n in 1..=3 {
        Mock::given(method("POST"))
            .and(path("/engine-rest/external-task/task-1/unlock"))
            .and(header(
                "authorization",
                format!("Bearer token-{n}").as_str(),
            ))
            .respond_with(ResponseTemplate::new(204))
            .expect(1)
            .mount(&server)
            .await;
    }
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&calls);
    let client = Client::builder()
        .base_url(format!("{}/engine-rest", server.uri()))
        .auth(Auth::provider(move || {
            let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
            async move { Ok(format!("Bearer token-{n}")) }
        }))
        .build()
        .expect("a client");
    for _ in 0..3 {
        client
            .external_task()
            .unlock("task-1")
            .await
            .expect("a fresh token each time");
    }
    assert_eq!(calls.load(Ordering::SeqCst), 3);
}

/// A provider as a type, the way a token cache would be written.
struct RotatingToken {
    generation: AtomicUsize,
}

impl camunda7_client::AuthProvider for RotatingToken {
    fn authorization(&self) -> camunda7_client::AuthFuture<'_> {
        Box::pin(async move {
            let n = self.generation.fetch_add(1, Ordering::SeqCst);
            Ok(format!("Bearer generation-{n}"))
        })
    }
}

#[tokio::test]
async fn an_auth_provider_type_borrows_its_state() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/engine-rest/external-task/task-1/unlock"))
        .and(header("authorization", "Bearer generation-7"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    Client::builder()
        .base_url(format!("{}/engine-rest", server.uri()))
        .auth(Auth::provider(RotatingToken {
            generation: AtomicUsize::new(7),
        }))
        .build()
        .expect("a client")
        .external_task()
        .unlock("task-1")
        .await
        .expect("authorized");
}

#[test]
fn debug_output_never_shows_credentials() {
    let secrets = ["s3cret-password", "s3cret-token", "czNjcmV0"];
    let configs = [
        Auth::basic("demo", "s3cret-password"),
        Auth::bearer("s3cret-token"),
        Auth::provider(|| async { Ok(String::from("Bearer s3cret-token")) }),
    ];
    for auth in configs {
        let builder = Client::builder()
            .base_url("http://127.0.0.1:8080/engine-rest")
            .auth(auth.clone());
        let builder_text = format!("{builder:?}");
        let client = builder.build().expect("a client");
        let client_text = format!("{client:?} {:#?} {auth:?}", client.clone());
        for text in [&builder_text, &client_text] {
            for secret in secrets {
                assert!(!text.contains(secret), "{secret} leaked: {text}");
            }
            assert!(text.contains("127.0.0.1:8080/engine-rest"), "{text}");
        }
    }
}

#[tokio::test]
async fn long_polls_outlast_the_default_timeout() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/engine-rest/external-task/fetchAndLock"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!([]))
                .set_delay(Duration::from_millis(1500)),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/engine-rest/external-task/task-1"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(TASK_JSON, "application/json")
                .set_delay(Duration::from_millis(1500)),
        )
        .mount(&server)
        .await;
    let client = Client::builder()
        .base_url(format!("{}/engine-rest", server.uri()))
        .timeout(Duration::from_secs(1))
        .build()
        .expect("a client");

    // An ordinary request that takes as long fails: the 1 s timeout is real ...
    let err = client
        .external_task()
        .get_external_task("task-1")
        .await
        .expect_err("slower than the timeout");
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");

    // ... but a long poll of 1 s gets 1 s plus the margin, and the answer after 1.5 s arrives.
    let body: models::FetchExternalTasksDto = serde_json::from_value(json!({
        "workerId": "worker-1",
        "maxTasks": 1,
        "asyncResponseTimeout": 1000,
        "topics": [{"topicName": "invoice", "lockDuration": 10000}]
    }))
    .expect("a body");
    let tasks = client
        .external_task()
        .fetch_and_lock(&body)
        .await
        .expect("the long poll outlasts the default timeout");
    assert!(tasks.is_empty());
}

#[test]
fn long_poll_timeout_covers_the_engine_maximum() {
    let client = Client::new("http://127.0.0.1:8080/engine-rest").expect("a client");
    assert_eq!(client.timeout(), Some(Duration::from_secs(30)));
    // 30 minutes, the most the engine allows, plus the default 10 s margin.
    assert_eq!(
        client.long_poll_timeout(Some(1_800_000)),
        Some(Duration::from_secs(1_810))
    );
    assert_eq!(
        client.long_poll_timeout(None),
        Some(Duration::from_secs(30))
    );
}

#[tokio::test]
async fn request_hooks_see_and_change_every_request_in_order() {
    let server = MockServer::start().await;
    serve_task(&server, "/engine-rest/external-task/task-1").await;
    let seen = Arc::new(AtomicUsize::new(0));
    let counted = seen.clone();
    let client = Client::builder()
        .base_url(format!("{}/engine-rest", server.uri()))
        .auth(Auth::bearer("secret"))
        .request_hook(|request: &mut reqwest::Request| {
            request.headers_mut().insert(
                "traceparent",
                "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
                    .parse()
                    .expect("header value"),
            );
        })
        .request_hook(move |request: &mut reqwest::Request| {
            // Runs second: it sees the first hook's header and the client's own.
            assert!(request.headers().contains_key("traceparent"));
            assert!(request.headers().contains_key("authorization"));
            counted.fetch_add(1, Ordering::SeqCst);
            request
                .headers_mut()
                .insert("x-team", "billing".parse().expect("header value"));
        })
        .build()
        .expect("client");
    let task = client
        .external_task()
        .get_external_task("task-1")
        .await
        .expect("task");
    assert_eq!(task.id.as_deref(), Some("task-1"));
    let request = only_request(&server).await;
    assert_eq!(
        request
            .headers
            .get("traceparent")
            .and_then(|v| v.to_str().ok()),
        Some("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
    );
    assert_eq!(
        request.headers.get("x-team").and_then(|v| v.to_str().ok()),
        Some("billing")
    );
    assert_eq!(seen.load(Ordering::SeqCst), 1);
}
