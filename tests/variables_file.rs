//! The content of a File variable is fetched on demand from the engine's `.../data` endpoints.

use camunda7_client::variables::{ValueType, Variables};
use camunda7_client::Client;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn file_content_is_fetched_from_the_execution_scope() {
    let server = MockServer::start().await;
    let content: Vec<u8> = vec![0x25, 0x50, 0x44, 0x46, 0x00, 0xFF, 0xFE];
    Mock::given(method("GET"))
        // The id holds a `/`, which must stay inside one path segment.
        .and(path(
            "/engine-rest/process-instance/exec%2F1/variables/invoice/data",
        ))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", "application/pdf")
                .set_body_bytes(content.clone()),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = Client::new(format!("{}/engine-rest", server.uri())).unwrap();

    // A task's variables, as fetchAndLock delivers them.
    let vars: Variables = serde_json::from_value(json!({
        "invoice": {"type": "File", "value": null,
                    "valueInfo": {"filename": "invoice.pdf", "mimeType": "application/pdf"}}
    }))
    .unwrap();
    let file = vars.get_value("invoice").unwrap();
    assert_eq!(file.value_type(), Some(ValueType::File));
    assert_eq!(file.filename(), Some("invoice.pdf"));

    let data = client
        .fetch_file_variable("exec/1", "invoice")
        .await
        .unwrap();
    assert_eq!(&data[..], &content[..]);
}

#[tokio::test]
async fn local_file_content_is_fetched_from_the_execution() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(
            "/engine-rest/execution/e1/localVariables/my%20file/data",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(b"local".to_vec()))
        .expect(1)
        .mount(&server)
        .await;
    let client = Client::new(format!("{}/engine-rest", server.uri())).unwrap();
    let data = client
        .fetch_local_file_variable("e1", "my file")
        .await
        .unwrap();
    assert_eq!(&data[..], b"local");
}

#[tokio::test]
async fn a_missing_file_variable_is_an_engine_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/engine-rest/process-instance/e1/variables/nope/data"))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({
            "type": "InvalidRequestException",
            "message": "variable with name nope does not exist"
        })))
        .mount(&server)
        .await;
    let client = Client::new(format!("{}/engine-rest", server.uri())).unwrap();
    let err = client.fetch_file_variable("e1", "nope").await.unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    let engine = err.engine().expect("engine error");
    assert_eq!(
        engine.message.as_deref(),
        Some("variable with name nope does not exist")
    );
}
