//! The operations this crate generated in its own build.rs, run against a real HTTP server on
//! 127.0.0.1 (wiremock): what each request looks like on the wire, and what the answer decodes to.

#[cfg(not(camunda_api_generated))]
#[test]
#[ignore = "CAMUNDA_OPENAPI_DIR is not set, so build.rs generated no API to test"]
fn generated_calls() {}

#[cfg(camunda_api_generated)]
mod calls {
    use camunda7_client::runtime::FilePart;
    use camunda7_client::variables::Variables;
    use camunda7_client::Client;
    use camunda7_full_api_example::camunda::models::{
        CorrelationMessageDto, MultiFormDeploymentDto, StartProcessInstanceDto,
    };
    use camunda7_full_api_example::camunda::task::GetTasksQuery;
    use camunda7_full_api_example::camunda::ClientExt as _;
    use serde_json::json;
    use std::time::Duration;
    use wiremock::matchers::{body_json, method, path, query_param};
    use wiremock::{Mock, MockServer, Request, ResponseTemplate};

    fn client(server: &MockServer) -> Client {
        Client::builder()
            .base_url(format!("{}/engine-rest", server.uri()))
            .timeout(Duration::from_secs(10))
            .build()
            .expect("a valid client")
    }

    /// The one request the server received.
    async fn only_request(server: &MockServer) -> Request {
        let mut requests = server.received_requests().await.expect("recording is on");
        assert_eq!(requests.len(), 1, "{requests:?}");
        requests.remove(0)
    }

    /// A part of a multipart body, as a real parser reads it.
    #[derive(Debug, PartialEq)]
    struct Part {
        name: String,
        file_name: Option<String>,
        content_type: Option<String>,
        content: Vec<u8>,
    }

    async fn multipart_parts(request: &Request) -> Vec<Part> {
        let content_type = request
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .expect("a content type");
        let boundary = multer::parse_boundary(content_type).expect("a multipart content type");
        let body = bytes::Bytes::from(request.body.clone());
        let stream = futures_util::stream::once(async move { Ok::<_, std::io::Error>(body) });
        let mut multipart = multer::Multipart::new(stream, boundary);
        let mut parts = Vec::new();
        while let Some(field) = multipart.next_field().await.expect("a well-formed body") {
            let name = field.name().unwrap_or_default().to_owned();
            let file_name = field.file_name().map(str::to_owned);
            let content_type = field.content_type().map(|m| m.to_string());
            let content = field.bytes().await.expect("the part's content").to_vec();
            parts.push(Part {
                name,
                file_name,
                content_type,
                content,
            });
        }
        parts
    }

    #[tokio::test]
    async fn a_deployment_is_sent_as_multipart_with_every_file_and_its_answer_decoded() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/engine-rest/deployment/create"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "id": "dep-1",
                "name": "invoicing",
                "deploymentTime": "2026-12-04T10:00:00.000+0100",
                "deployedProcessDefinitions": {
                    "invoice:1:pd-1": {"id": "invoice:1:pd-1", "key": "invoice", "version": 1}
                }
            })))
            .mount(&server)
            .await;

        let deployment = client(&server)
            .deployment()
            .create_deployment(&MultiFormDeploymentDto {
                deployment_name: Some("invoicing".into()),
                enable_duplicate_filtering: Some(true),
                data: vec![
                    FilePart::new("invoice.bpmn", b"<definitions/>".to_vec())
                        .with_mime_type("application/xml"),
                    FilePart::new("logo.png", vec![0x89, b'P', b'N', b'G', 0, 255]),
                ],
                ..Default::default()
            })
            .await
            .expect("the deployment is accepted");

        assert_eq!(deployment.id.as_deref(), Some("dep-1"));
        let definitions = deployment
            .deployed_process_definitions
            .expect("definitions");
        assert_eq!(
            definitions["invoice:1:pd-1"].key.as_deref(),
            Some("invoice")
        );
        assert!(deployment.deployment_time.is_some());

        let parts = multipart_parts(&only_request(&server).await).await;
        let text = |name: &str, value: &str| Part {
            name: name.into(),
            file_name: None,
            content_type: None,
            content: value.as_bytes().to_vec(),
        };
        assert_eq!(
            parts,
            [
                text("enable-duplicate-filtering", "true"),
                text("deployment-name", "invoicing"),
                Part {
                    name: "data".into(),
                    file_name: Some("invoice.bpmn".into()),
                    content_type: Some("application/xml".into()),
                    content: b"<definitions/>".to_vec(),
                },
                Part {
                    name: "data2".into(),
                    file_name: Some("logo.png".into()),
                    // No media type given: none is sent, and the engine takes the file as is.
                    content_type: None,
                    content: vec![0x89, b'P', b'N', b'G', 0, 255],
                },
            ]
        );
    }

    #[tokio::test]
    async fn a_process_starts_with_typed_variables_and_returns_them() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/engine-rest/process-definition/key/invoice/start"))
            .and(body_json(json!({
                "businessKey": "order-7",
                "variables": {
                    "amount": {"value": 42, "type": "Long", "valueInfo": {}},
                    "approved": {"value": true, "type": "Boolean", "valueInfo": {}},
                    "customer": {"value": "Ada", "type": "String", "valueInfo": {}}
                },
                "withVariablesInReturn": true
            })))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "id": "pi-1",
                "definitionId": "invoice:1:pd-1",
                "businessKey": "order-7",
                "ended": false,
                "suspended": false,
                "variables": {
                    "amount": {"value": 42, "type": "Long", "valueInfo": {}},
                    "receipt": {"value": "r-9", "type": "String", "valueInfo": {}}
                }
            })))
            .expect(1)
            .mount(&server)
            .await;

        let started = client(&server)
            .process_definition()
            .start_process_instance_by_key(
                "invoice",
                &StartProcessInstanceDto {
                    business_key: Some("order-7".into()),
                    variables: Some(
                        Variables::new()
                            .with("amount", 42i64)
                            .with("approved", true)
                            .with("customer", "Ada"),
                    ),
                    with_variables_in_return: Some(true),
                    ..Default::default()
                },
            )
            .await
            .unwrap_or_else(|e| panic!("the instance starts: {e}"));

        assert_eq!(started.id.as_deref(), Some("pi-1"));
        assert_eq!(started.ended, Some(false));
        let variables = started.variables.expect("variables in the answer");
        assert_eq!(variables.get::<i64>("amount").expect("a Long"), 42);
        assert_eq!(variables.get::<String>("receipt").expect("a String"), "r-9");
    }

    #[tokio::test]
    async fn a_message_is_correlated_with_or_without_a_result() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/engine-rest/message"))
            .and(body_json(json!({
                "messageName": "payment-received",
                "businessKey": "order-7",
                "processVariables": {"paid": {"value": 42.5, "type": "Double", "valueInfo": {}}},
                "resultEnabled": true
            })))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!([{
                "resultType": "Execution",
                "execution": {"id": "ex-1", "processInstanceId": "pi-1", "ended": false}
            }])))
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path("/engine-rest/message"))
            .and(body_json(json!({"messageName": "payment-received"})))
            .respond_with(ResponseTemplate::new(204))
            .mount(&server)
            .await;

        let client = client(&server);
        let results = client
            .message()
            .deliver_message(&CorrelationMessageDto {
                message_name: Some("payment-received".into()),
                business_key: Some("order-7".into()),
                process_variables: Some(Variables::new().with("paid", 42.5f64)),
                result_enabled: Some(true),
                ..Default::default()
            })
            .await
            .expect("the message is correlated")
            .expect("a result was asked for");
        assert_eq!(results.len(), 1);
        assert_eq!(
            results[0].result_type.as_ref().map(|t| t.as_str()),
            Some("Execution")
        );
        let execution = results[0].execution.as_ref().expect("the execution");
        assert_eq!(execution.process_instance_id.as_deref(), Some("pi-1"));

        let none = client
            .message()
            .deliver_message(&CorrelationMessageDto {
                message_name: Some("payment-received".into()),
                ..Default::default()
            })
            .await
            .expect("the message is correlated");
        assert_eq!(none, None, "204 means no result");
    }

    #[tokio::test]
    async fn a_task_query_sends_its_filters_and_decodes_the_tasks() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/engine-rest/task"))
            .and(query_param("assignee", "demo"))
            .and(query_param("processDefinitionKey", "invoice"))
            .and(query_param("maxResults", "10"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!([
                {"id": "t-1", "name": "Approve invoice", "assignee": "demo",
                 "created": "2026-12-04T09:00:00.000+0000", "priority": 50},
                {"id": "t-2", "name": "Check invoice", "assignee": "demo",
                 "created": "2026-12-04T09:05:00.000+0000", "priority": 70}
            ])))
            .mount(&server)
            .await;

        let tasks = client(&server)
            .task()
            .get_tasks(&GetTasksQuery {
                assignee: Some("demo".into()),
                process_definition_key: Some("invoice".into()),
                max_results: Some(10),
                ..Default::default()
            })
            .await
            .expect("the tasks");

        let names: Vec<_> = tasks.iter().map(|t| t.name.as_deref()).collect();
        assert_eq!(names, [Some("Approve invoice"), Some("Check invoice")]);
        assert_eq!(tasks[1].priority, Some(70));
        assert!(tasks[0].created.is_some());
        // Only the filters that were set are sent.
        let request = only_request(&server).await;
        let mut sent: Vec<_> = request
            .url
            .query_pairs()
            .map(|(k, _)| k.into_owned())
            .collect();
        sent.sort();
        assert_eq!(sent, ["assignee", "maxResults", "processDefinitionKey"]);
    }

    #[tokio::test]
    async fn two_documents_side_by_side_reach_the_same_engine() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/engine-rest/process-definition/count"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"count": 3})))
            .expect(2)
            .mount(&server)
            .await;
        let counts = camunda7_full_api_example::count_definitions_both_ways(&client(&server))
            .await
            .expect("both answer");
        assert_eq!(counts, (Some(3), Some(3)));
    }
}
