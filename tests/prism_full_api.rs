//! Operations beyond External Task, called through the client generated from Camunda's whole
//! 7.24 document, conform to that document as checked by Stoplight Prism in mock mode.
//!
//! Only compiled when the crate is generated from the full document (the default build has only
//! the External Task module):
//!
//! ```sh
//! CAMUNDA_OPENAPI_SPEC=../shared/camunda-openapi/camunda-7.24.0-SNAPSHOT.json \
//!     CARGO_TARGET_DIR=target/full-api cargo test --test prism_full_api
//! ```
//!
//! For each operation: Prism reports no violation of the request; each documented success
//! response (every named example) decodes into our types without losing a field; and for each
//! documented error status our error carries the status, type, message and code Prism sent.
//! Prints one summary line. See `docs/prism.md`.
#![cfg(all(
    camunda_api = "process_definition",
    camunda_api = "process_instance",
    camunda_api = "deployment",
    camunda_api = "message",
    camunda_api = "incident",
    camunda_api = "task",
    camunda_api = "task_variable",
    camunda_api = "execution",
    camunda_api = "historic_process_instance",
    camunda_api = "job",
    camunda_api = "variable_instance"
))]

mod prism_support;

use camunda7_client::deployment::*;
use camunda7_client::historic_process_instance::*;
use camunda7_client::incident::*;
use camunda7_client::job::*;
use camunda7_client::models::*;
use camunda7_client::process_instance::*;
use camunda7_client::task::*;
use camunda7_client::task_variable::*;
use camunda7_client::variable_instance::*;
use camunda7_client::variables::{VariableValue, Variables};
use camunda7_client::{Client, Error};
use prism_support::{
    client, compare, date, error_matches, prepare_document, report, require_prism,
    require_spec_dir, spec_file, Exchange, Mode, PreparedDocument, Prism, Recorder,
};
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::future::Future;

const DOCUMENT: &str = "camunda-7.24.0-SNAPSHOT.json";
/// Realistic ids (the engine uses UUIDs).
const INSTANCE_ID: &str = "8f3c1a2e-9f3b-11ee-8c90-0242ac120002";
const TASK_ID: &str = "a1b2c3d4-9f3b-11ee-8c90-0242ac120002";
const EXECUTION_ID: &str = "b2c3d4e5-9f3b-11ee-8c90-0242ac120002";
const DEPLOYMENT_ID: &str = "c3d4e5f6-9f3b-11ee-8c90-0242ac120002";
const INCIDENT_ID: &str = "d4e5f6a7-9f3b-11ee-8c90-0242ac120002";
const PROCESS_KEY: &str = "invoice";

/// Keys in Camunda's example responses that its schemas do not have (typos in the document), so
/// no type generated from the schemas can keep them: (check label, JSON path, why). Each must
/// still occur, so the list cannot hide anything else or outlive a fixed document.
const EXAMPLE_TYPOS: [(&str, &str, &str); 4] = [
    (
        "queryTasks [default]",
        "$[0].followUp:",
        "`followUp:` with a colon for `followUp`",
    ),
    (
        "queryTasks [default]",
        "$[0].lastUpdated:",
        "`lastUpdated:` with a colon for `lastUpdated`",
    ),
    (
        "queryTasks [code=200, example=example-1]",
        "$[0].followUp:",
        "`followUp:` with a colon for `followUp`",
    ),
    (
        "queryTasks [code=200, example=example-1]",
        "$[0].lastUpdated:",
        "`lastUpdated:` with a colon for `lastUpdated`",
    ),
];

#[tokio::test]
async fn operations_of_other_tags_conform_to_the_7_24_document() {
    let test = "operations_of_other_tags_conform_to_the_7_24_document";
    let Some(bin) = require_prism(test) else {
        return;
    };
    let Some(dir) = require_spec_dir(test) else {
        return;
    };
    let work = tempfile::tempdir().unwrap_or_else(|e| panic!("no temp dir: {e}"));
    let doc =
        prepare_document(&spec_file(&dir, DOCUMENT), work.path()).unwrap_or_else(|e| panic!("{e}"));
    let prism = Prism::start(&bin, &doc.path, Mode::Mock)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let recorder = Recorder::start(&prism.base_url())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let mut c = Contract {
        doc,
        recorder,
        operations: Vec::new(),
        tags: BTreeSet::new(),
        requests: 0,
        error_checks: 0,
        typos_seen: Vec::new(),
        invalid_examples: Vec::new(),
        violations: Vec::new(),
        response_violations: Vec::new(),
        failures: Vec::new(),
    };
    run_operations(&mut c).await;

    for v in &c.response_violations {
        println!("{DOCUMENT}: example vs. schema: {v}");
    }
    for (label, path, why) in EXAMPLE_TYPOS {
        if !c.typos_seen.iter().any(|(l, p)| l == label && p == path) {
            c.fail(format!(
                "{label}: the known typo {path} ({why}) no longer occurs; remove it from EXAMPLE_TYPOS"
            ));
        }
    }
    let patched = if c.doc.patches.is_empty() {
        String::new()
    } else {
        format!(" (patched: {})", c.doc.patches.join("; "))
    };
    report(&format!(
        "prism contract (full API): {} operations of {} tags against {DOCUMENT}{patched}, {} requests ({} of them error statuses), {} violations, {} failures; Camunda's examples vs. its own schemas: {} response violations, {} examples of the wrong shape not decodable, {} misspelt keys ignored",
        c.operations.len(),
        c.tags.len(),
        c.requests,
        c.error_checks,
        c.violations.len(),
        c.failures.len(),
        c.response_violations.len(),
        c.invalid_examples.len(),
        c.typos_seen.len(),
    ));
    if !c.failures.is_empty() {
        c.failures
            .push(format!("Prism's last log lines:\n{}", prism.log_tail()));
    }
    assert!(
        c.failures.is_empty(),
        "{} contract failures:\n{}",
        c.failures.len(),
        c.failures.join("\n")
    );
    assert!(
        c.operations.len() >= 20,
        "expected at least 20 operations, checked {}",
        c.operations.len()
    );
    assert!(
        c.error_checks >= 20,
        "expected error statuses of most operations, checked {}",
        c.error_checks
    );
}

/// Calls every operation: each names its tag, its operation id, its method and path as in the
/// document, and the call through our client.
async fn run_operations(c: &mut Contract) {
    // Process definition: read by key, start an instance with typed variables.
    c.operation(
        "Process Definition",
        "getProcessDefinitionByKey",
        "get",
        "/process-definition/key/{key}",
        |client| async move {
            client
                .process_definition()
                .get_process_definition_by_key(PROCESS_KEY)
                .await
        },
        decodes,
    )
    .await;
    c.operation(
        "Process Definition",
        "startProcessInstanceByKey",
        "post",
        "/process-definition/key/{key}/start",
        |client| async move {
            let body = StartProcessInstanceDto {
                business_key: Some("INV-2025-0042".into()),
                variables: Some(variables()),
                with_variables_in_return: Some(true),
                skip_io_mappings: Some(false),
                ..StartProcessInstanceDto::default()
            };
            client
                .process_definition()
                .start_process_instance_by_key(PROCESS_KEY, &body)
                .await
        },
        decodes,
    )
    .await;

    // Process instance: list, query, count, read, variables.
    c.operation(
        "Process Instance",
        "getProcessInstances",
        "get",
        "/process-instance",
        |client| async move {
            let query = GetProcessInstancesQuery {
                process_definition_key_in: Some("invoice,payment".into()),
                business_key_like: Some("INV-%".into()),
                active: Some(true),
                variables: Some("amount_gt_1000,customer_eq_Ada".into()),
                sort_by: Some(GetProcessInstancesSortBy::DefinitionKey),
                sort_order: Some(GetProcessInstancesSortOrder::Desc),
                first_result: Some(0),
                max_results: Some(50),
                ..GetProcessInstancesQuery::default()
            };
            client
                .process_instance()
                .get_process_instances(&query)
                .await
        },
        decodes,
    )
    .await;
    c.operation(
        "Process Instance",
        "queryProcessInstances",
        "post",
        "/process-instance",
        |client| async move {
            let query = QueryProcessInstancesQuery {
                first_result: Some(0),
                max_results: Some(20),
            };
            client
                .process_instance()
                .query_process_instances(&query, &instance_query())
                .await
        },
        decodes,
    )
    .await;
    c.operation(
        "Process Instance",
        "getProcessInstancesCount",
        "get",
        "/process-instance/count",
        |client| async move {
            let query = GetProcessInstancesCountQuery {
                process_definition_key: Some(PROCESS_KEY.into()),
                with_incident: Some(true),
                ..GetProcessInstancesCountQuery::default()
            };
            client
                .process_instance()
                .get_process_instances_count(&query)
                .await
        },
        decodes,
    )
    .await;
    c.operation(
        "Process Instance",
        "getProcessInstance",
        "get",
        "/process-instance/{id}",
        |client| async move {
            client
                .process_instance()
                .get_process_instance(INSTANCE_ID)
                .await
        },
        decodes,
    )
    .await;
    c.operation(
        "Process Instance",
        "getProcessInstanceVariables",
        "get",
        "/process-instance/{id}/variables",
        |client| async move {
            let query = GetProcessInstanceVariablesQuery {
                deserialize_values: Some(false),
            };
            client
                .process_instance()
                .get_process_instance_variables(INSTANCE_ID, &query)
                .await
        },
        decodes,
    )
    .await;
    c.operation(
        "Process Instance",
        "modifyProcessInstanceVariables",
        "post",
        "/process-instance/{id}/variables",
        |client| async move {
            let body = PatchVariablesDto {
                modifications: Some(variables()),
                deletions: Some(vec!["obsolete".into(), "draft".into()]),
            };
            client
                .process_instance()
                .modify_process_instance_variables(INSTANCE_ID, &body)
                .await
        },
        decodes,
    )
    .await;
    c.operation(
        "Process Instance",
        "setProcessInstanceVariable",
        "put",
        "/process-instance/{id}/variables/{varName}",
        |client| async move {
            client
                .process_instance()
                .set_process_instance_variable(
                    INSTANCE_ID,
                    "dueDate",
                    &VariableValue::date(date("2025-03-31T17:00:00.000+0200")),
                )
                .await
        },
        decodes,
    )
    .await;

    // Deployment: create (multipart, several files), list, read.
    c.operation(
        "Deployment",
        "createDeployment",
        "post",
        "/deployment/create",
        |client| async move {
            let body = MultiFormDeploymentDto {
                tenant_id: Some("tenant-a".into()),
                deployment_source: Some("camunda7-client tests".into()),
                deploy_changed_only: Some(true),
                enable_duplicate_filtering: Some(true),
                deployment_name: Some("invoice".into()),
                deployment_activation_time: Some(date("2025-04-01T08:00:00.000+0200")),
                data: vec![
                    FilePart::new("invoice.bpmn", BPMN.as_bytes().to_vec())
                        .with_mime_type("application/xml"),
                    FilePart::new("approval.dmn", DMN.as_bytes().to_vec())
                        .with_mime_type("application/xml"),
                    FilePart::new("logo.png", vec![0x89, b'P', b'N', b'G', 0, 1, 2, 255])
                        .with_mime_type("image/png"),
                ],
            };
            client.deployment().create_deployment(&body).await
        },
        decodes,
    )
    .await;
    c.operation(
        "Deployment",
        "getDeployments",
        "get",
        "/deployment",
        |client| async move {
            let query = GetDeploymentsQuery {
                name_like: Some("invoice%".into()),
                tenant_id_in: Some("tenant-a,tenant-b".into()),
                after: Some(date("2025-01-01T00:00:00.000+0100")),
                before: Some(date("2025-12-31T23:59:59.999-0500")),
                sort_by: Some(GetDeploymentsSortBy::DeploymentTime),
                sort_order: Some(GetDeploymentsSortOrder::Asc),
                max_results: Some(10),
                ..GetDeploymentsQuery::default()
            };
            client.deployment().get_deployments(&query).await
        },
        decodes,
    )
    .await;
    c.operation(
        "Deployment",
        "getDeployment",
        "get",
        "/deployment/{id}",
        |client| async move { client.deployment().get_deployment(DEPLOYMENT_ID).await },
        decodes,
    )
    .await;

    // Message correlation.
    c.operation(
        "Message",
        "deliverMessage",
        "post",
        "/message",
        |client| async move {
            let body = CorrelationMessageDto {
                message_name: Some("invoiceReceived".into()),
                business_key: Some("INV-2025-0042".into()),
                correlation_keys: Some(Variables::new().with("customer", "Ada Lovelace")),
                process_variables: Some(variables()),
                process_variables_local: Some(
                    Variables::new().with("receivedAt", date("2025-03-31T09:15:30.250-0500")),
                ),
                result_enabled: Some(true),
                variables_in_result_enabled: Some(true),
                ..CorrelationMessageDto::default()
            };
            client.message().deliver_message(&body).await
        },
        decodes,
    )
    .await;

    // Incidents.
    c.operation(
        "Incident",
        "getIncidents",
        "get",
        "/incident",
        |client| async move {
            let query = GetIncidentsQuery {
                incident_type: Some("failedJob".into()),
                process_instance_id: Some(INSTANCE_ID.into()),
                incident_timestamp_after: Some(date("2025-03-01T08:00:00.000+0100")),
                tenant_id_in: Some("tenant-a".into()),
                sort_by: Some(GetIncidentsSortBy::IncidentTimestamp),
                sort_order: Some(GetIncidentsSortOrder::Desc),
                max_results: Some(25),
                ..GetIncidentsQuery::default()
            };
            client.incident().get_incidents(&query).await
        },
        decodes,
    )
    .await;
    c.operation(
        "Incident",
        "getIncidentsCount",
        "get",
        "/incident/count",
        |client| async move {
            let query = GetIncidentsCountQuery {
                incident_type: Some("failedExternalTask".into()),
                ..GetIncidentsCountQuery::default()
            };
            client.incident().get_incidents_count(&query).await
        },
        decodes,
    )
    .await;
    c.operation(
        "Incident",
        "getIncident",
        "get",
        "/incident/{id}",
        |client| async move { client.incident().get_incident(INCIDENT_ID).await },
        decodes,
    )
    .await;

    // User tasks and their variables.
    c.operation(
        "Task",
        "queryTasks",
        "post",
        "/task",
        |client| async move {
            let query = QueryTasksQuery {
                first_result: Some(0),
                max_results: Some(15),
            };
            let body = TaskQueryDto {
                process_definition_key: Some(PROCESS_KEY.into()),
                assignee: Some("demo".into()),
                candidate_group: Some("accounting".into()),
                tenant_id_in: Some(vec!["tenant-a".into()]),
                ..TaskQueryDto::default()
            };
            client.task().query_tasks(&query, &body).await
        },
        decodes,
    )
    .await;
    c.operation(
        "Task",
        "getTasksCount",
        "get",
        "/task/count",
        |client| async move {
            let query = GetTasksCountQuery {
                process_instance_id: Some(INSTANCE_ID.into()),
                process_definition_key_in: Some("invoice,payment".into()),
                ..GetTasksCountQuery::default()
            };
            client.task().get_tasks_count(&query).await
        },
        decodes,
    )
    .await;
    c.operation(
        "Task",
        "getTask",
        "get",
        "/task/{id}",
        |client| async move { client.task().get_task(TASK_ID).await },
        decodes,
    )
    .await;
    c.operation(
        "Task Variable",
        "getTaskVariables",
        "get",
        "/task/{id}/variables",
        |client| async move {
            let query = GetTaskVariablesQuery {
                deserialize_values: Some(true),
            };
            client
                .task_variable()
                .get_task_variables(TASK_ID, &query)
                .await
        },
        decodes,
    )
    .await;
    c.operation(
        "Task Variable",
        "putTaskVariable",
        "put",
        "/task/{id}/variables/{varName}",
        |client| async move {
            let value = VariableValue::json(&json!({"approved": true, "by": ["demo", "john"]}))
                .unwrap_or_else(|e| panic!("json variable: {e}"));
            client
                .task_variable()
                .put_task_variable(TASK_ID, "decision", &value)
                .await
        },
        decodes,
    )
    .await;

    // Execution, history, jobs, variable instances.
    c.operation(
        "Execution",
        "putLocalExecutionVariable",
        "put",
        "/execution/{id}/localVariables/{varName}",
        |client| async move {
            client
                .execution()
                .put_local_execution_variable(
                    EXECUTION_ID,
                    "attempt",
                    &VariableValue::integer(2).transient(true),
                )
                .await
        },
        decodes,
    )
    .await;
    c.operation(
        "Historic Process Instance",
        "getHistoricProcessInstances",
        "get",
        "/history/process-instance",
        |client| async move {
            let query = GetHistoricProcessInstancesQuery {
                process_definition_key: Some(PROCESS_KEY.into()),
                finished: Some(true),
                started_after: Some(date("2025-01-01T00:00:00.000+0100")),
                sort_by: Some(GetHistoricProcessInstancesSortBy::StartTime),
                sort_order: Some(GetHistoricProcessInstancesSortOrder::Desc),
                max_results: Some(100),
                ..GetHistoricProcessInstancesQuery::default()
            };
            client
                .historic_process_instance()
                .get_historic_process_instances(&query)
                .await
        },
        decodes,
    )
    .await;
    c.operation(
        "Job",
        "getJobs",
        "get",
        "/job",
        |client| async move {
            let query = GetJobsQuery {
                process_instance_id: Some(INSTANCE_ID.into()),
                with_exception: Some(true),
                no_retries_left: Some(true),
                ..GetJobsQuery::default()
            };
            client.job().get_jobs(&query).await
        },
        decodes,
    )
    .await;
    c.operation(
        "Variable Instance",
        "getVariableInstances",
        "get",
        "/variable-instance",
        |client| async move {
            let query = GetVariableInstancesQuery {
                variable_name_like: Some("amount%".into()),
                process_instance_id_in: Some(format!("{INSTANCE_ID},{EXECUTION_ID}")),
                variable_values: Some("amount_gteq_100".into()),
                deserialize_values: Some(false),
                ..GetVariableInstancesQuery::default()
            };
            client
                .variable_instance()
                .get_variable_instances(&query)
                .await
        },
        decodes,
    )
    .await;
}

/// The running mock and what the checks found.
struct Contract {
    doc: PreparedDocument,
    recorder: Recorder,
    operations: Vec<&'static str>,
    tags: BTreeSet<&'static str>,
    requests: usize,
    /// Calls answered with a documented error status (`Prefer: code=4xx|5xx`).
    error_checks: usize,
    /// Entries of [`EXAMPLE_TYPOS`] met: (check label, JSON path).
    typos_seen: Vec<(String, String)>,
    /// Success examples that Prism itself finds of the wrong shape at the body's root (e.g. an
    /// array where the schema has an object) and our client therefore cannot decode.
    invalid_examples: Vec<String>,
    violations: Vec<String>,
    /// Prism's mocked response does not match the document's own schema: Camunda's examples
    /// disagree with Camunda's schemas. Not the client's doing; reported, not failed.
    response_violations: Vec<String>,
    failures: Vec<String>,
}

impl Contract {
    /// Checks one operation: every documented success response and named example, then every
    /// documented error status. `call` makes the request with a client; `check` looks at a
    /// decoded success value (given the status Prism answered with and its JSON body).
    async fn operation<T, F, Fut>(
        &mut self,
        tag: &'static str,
        operation_id: &'static str,
        method: &str,
        path: &str,
        call: F,
        check: impl Fn(&T, u16, Option<&Value>) -> Result<(), Vec<String>>,
    ) where
        F: Fn(Client) -> Fut,
        Fut: Future<Output = Result<T, Error>>,
    {
        let documented_id = self
            .doc
            .operation(method, path)
            .and_then(|op| op.get("operationId"))
            .and_then(Value::as_str);
        if documented_id != Some(operation_id) {
            self.fail(format!(
                "{operation_id}: the document has {documented_id:?} at {method} {path}"
            ));
            return;
        }
        self.operations.push(operation_id);
        self.tags.insert(tag);
        let base = self.recorder.base_url();
        let statuses = self.doc.status_codes(method, path);

        // Success responses: the default one, each named example, each other 2xx status.
        for prefer in self.doc.success_choices(method, path) {
            let label = format!(
                "{operation_id} [{}]",
                prefer.as_deref().unwrap_or("default")
            );
            let mark = self.recorder.mark();
            let result = call(client(&base, prefer.as_deref())).await;
            let Some(exchange) = self.one_exchange(&label, mark) else {
                continue;
            };
            match result {
                Ok(value) => {
                    if let Err(problems) = check(&value, exchange.status, exchange.json().as_ref())
                    {
                        self.problems(&label, problems);
                    }
                }
                // Prism's own verdict: the example does not have the schema's shape, so no type
                // generated from the schema can read it.
                Err(Error::Decode { .. })
                    if exchange
                        .response_violations()
                        .iter()
                        .any(|v| v.location == "response.body" && v.code == "type") =>
                {
                    self.invalid_examples.push(label);
                }
                Err(e) => self.fail(format!(
                    "{label}: {} answered {} and our client failed: {e}",
                    exchange.describe(),
                    exchange.status
                )),
            }
        }

        // Error responses: our error must carry what Prism sent.
        for status in statuses.iter().filter(|s| **s >= 400) {
            let label = format!("{operation_id} [code={status}]");
            let mark = self.recorder.mark();
            let result = call(client(&base, Some(&format!("code={status}")))).await;
            let Some(exchange) = self.one_exchange(&label, mark) else {
                continue;
            };
            self.error_checks += 1;
            if exchange.status != *status {
                self.fail(format!(
                    "{label}: Prism answered {} instead of {status}",
                    exchange.status
                ));
                continue;
            }
            match result {
                Ok(_) => self.fail(format!("{label}: a {status} answer gave Ok")),
                Err(e) => {
                    if let Err(why) = error_matches(&e, *status, exchange.json().as_ref()) {
                        self.fail(format!("{label}: {why}"));
                    }
                }
            }
        }
    }

    /// The single exchange made since `mark`; records its violations.
    fn one_exchange(&mut self, label: &str, mark: usize) -> Option<Exchange> {
        let mut exchanges = self.recorder.since(mark);
        self.requests += exchanges.len();
        if exchanges.len() != 1 {
            self.fail(format!(
                "{label}: expected one request, the recorder saw {}",
                exchanges.len()
            ));
            return None;
        }
        let exchange = exchanges.remove(0);
        for v in exchange.request_violations() {
            self.violations.push(format!("{label}: {v}"));
            self.fail(format!(
                "{label}: {} violates the document: {v}",
                exchange.describe()
            ));
        }
        for v in exchange.response_violations() {
            self.response_violations.push(format!("{label}: {v}"));
        }
        Some(exchange)
    }

    /// Records what decoding lost, except the known typos of Camunda's examples.
    fn problems(&mut self, label: &str, problems: Vec<String>) {
        let mut left = Vec::new();
        for problem in problems {
            let typo = EXAMPLE_TYPOS
                .iter()
                .find(|(l, path, _)| *l == label && problem == format!("{path} was dropped"));
            match typo {
                Some((_, path, _)) => self.typos_seen.push((label.to_owned(), (*path).to_owned())),
                None => left.push(problem),
            }
        }
        if !left.is_empty() {
            self.fail(format!(
                "{label}: decoding lost or changed data: {}",
                left.join("; ")
            ));
        }
    }

    fn fail(&mut self, message: String) {
        self.failures.push(message);
    }
}

/// A success value: a 204 has nothing to decode; otherwise our decoded value, written back as
/// JSON, must keep every non-null field of the JSON Prism sent, with the same value (dates
/// compared as instants, since only the format may differ).
fn decodes<T: Serialize>(value: &T, status: u16, body: Option<&Value>) -> Result<(), Vec<String>> {
    if status == 204 {
        return Ok(());
    }
    let Some(sent) = body else {
        return Err(vec![format!("status {status}: Prism sent no JSON body")]);
    };
    let ours =
        serde_json::to_value(value).map_err(|e| vec![format!("cannot re-serialize: {e}")])?;
    let mut problems = Vec::new();
    compare(sent, &ours, "$", &mut problems);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// Process variables of several Camunda types.
fn variables() -> Variables {
    let mut vars = Variables::new()
        .with("customer", "Ada Lovelace")
        .with("amount", 1234.5_f64)
        .with("approved", true)
        .with("items", 3_i32)
        .with("invoiceNumber", 9_007_199_254_740_i64)
        .with("dueDate", date("2025-03-31T17:00:00.000+0200"))
        .with("receipt", VariableValue::bytes(b"%PDF-1.7"))
        .with("nothing", VariableValue::null())
        .with("note", VariableValue::string("urgent").transient(true));
    vars.insert_json("address", &json!({"city": "Berlin", "zip": "10115"}))
        .unwrap_or_else(|e| panic!("json variable: {e}"));
    vars.insert_object(
        "order",
        &json!({"id": 42, "lines": ["a", "b"]}),
        "com.example.Order",
    )
    .unwrap_or_else(|e| panic!("object variable: {e}"));
    vars
}

/// A process instance query body with filters, variable conditions and sorting.
fn instance_query() -> ProcessInstanceQueryDto {
    ProcessInstanceQueryDto {
        process_definition_key_in: Some(vec!["invoice".into(), "payment".into()]),
        business_key_like: Some("INV-%".into()),
        active: Some(true),
        tenant_id_in: Some(vec!["tenant-a".into()]),
        variables: Some(vec![VariableQueryParameterDto {
            name: Some("amount".into()),
            operator: Some(ConditionQueryParameterDtoOperator::Gteq),
            value: Some(json!(1000)),
        }]),
        sorting: Some(vec![ProcessInstanceQueryDtoSorting {
            sort_by: Some(ProcessInstanceQueryDtoSortingSortBy::BusinessKey),
            sort_order: Some(ProcessInstanceQueryDtoSortingSortOrder::Asc),
        }]),
        ..ProcessInstanceQueryDto::default()
    }
}

const BPMN: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" targetNamespace="urn:test">
  <process id="invoice" isExecutable="true">
    <startEvent id="start"/>
    <serviceTask id="pay" camunda:type="external" camunda:topic="invoice"
        xmlns:camunda="http://camunda.org/schema/1.0/bpmn"/>
    <endEvent id="end"/>
  </process>
</definitions>
"#;

const DMN: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="approval" name="Approval"
    namespace="urn:test"/>
"#;
