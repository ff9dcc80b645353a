//! No credential and no variable value ever reaches the logs, at any level, while the client's
//! own events (method, path, status) do.
//!
//! This is the only test in its binary: it installs a global `tracing` subscriber.

use std::io::Write;
use std::sync::{Arc, Mutex};

use camunda7_client::{models, Auth, Client};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Collects everything `tracing` writes, at every level.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut b) = self.0.lock() {
            b.extend_from_slice(buf);
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn logs_never_show_credentials_or_bodies() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    // The only test in this binary, so a global subscriber sees every thread and no other test.
    tracing::subscriber::set_global_default(subscriber).expect("no other subscriber");

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/engine-rest/external-task/task-1/complete"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let client = Client::builder()
        .base_url(format!("{}/engine-rest", server.uri()))
        .auth(Auth::basic("demo", "s3cret-password"))
        .build()
        .expect("a client");
    let body: models::CompleteExternalTaskDto = serde_json::from_value(json!({
        "workerId": "worker-1",
        "variables": {"creditCard": {"value": "4111-secret-card", "type": "String"}}
    }))
    .expect("a body");
    client
        .external_task()
        .complete_external_task_resource("task-1", &body)
        .await
        .expect("completed");

    let logs = captured
        .0
        .lock()
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    // The request is logged (so this test sees the client's events at all) ...
    assert!(
        logs.contains("/engine-rest/external-task/task-1/complete"),
        "{logs}"
    );
    assert!(logs.contains("204"), "{logs}");
    // ... but neither the credential nor variable values.
    for secret in [
        "s3cret-password",
        "ZGVtbzpzM2NyZXQtcGFzc3dvcmQ",
        "4111-secret-card",
    ] {
        assert!(
            !logs.contains(secret),
            "{secret} leaked into the logs:\n{logs}"
        );
    }
}
