//! Every External Task operation, called through our client, conforms to Camunda's own OpenAPI
//! documents (7.24 and 7.13) as checked by Stoplight Prism in mock mode.
//!
//! For each operation and document: Prism reports no violation of the request; each documented
//! success response (every named example) decodes into our types without losing a field; and
//! for each documented error status our error carries the status, type, message and code Prism
//! sent. Prints one summary line per document and a total. See `docs/prism.md`.

mod prism_support;

use camunda7_client::external_task::*;
use camunda7_client::models::*;
use camunda7_client::variables::{VariableValue, Variables};
use camunda7_client::{Client, Error};
use prism_support::{
    client, compare, date, error_matches, prepare_document, report, require_prism,
    require_spec_dir, spec_file, Mode, PreparedDocument, Prism, Recorder,
};
use serde::Serialize;
use serde_json::{json, Value};
use std::future::Future;
use std::path::Path;

const DOCUMENTS: [&str; 2] = ["camunda-7.24.0-SNAPSHOT.json", "camunda-7.13.0.json"];

/// A realistic task id (the engine uses UUIDs).
const TASK_ID: &str = "5d2a8a7e-9f3b-11ee-8c90-0242ac120002";
const WORKER: &str = "invoice-worker-1";

#[tokio::test]
async fn external_task_operations_conform_to_camunda_documents() {
    let test = "external_task_operations_conform_to_camunda_documents";
    let Some(bin) = require_prism(test) else {
        return;
    };
    let Some(dir) = require_spec_dir(test) else {
        return;
    };
    let work = tempfile::tempdir().unwrap_or_else(|e| panic!("no temp dir: {e}"));

    // One Prism per document, both starting at once (each takes seconds to load).
    let runs = DOCUMENTS.map(|name| check_document(&bin, spec_file(&dir, name), work.path()));
    let [first, second] = runs;
    let (first, second) = tokio::join!(first, second);
    let reports = [first, second];

    let mut operations = 0;
    let mut violations = 0;
    let mut failures = Vec::new();
    for r in &reports {
        report(&r.summary());
        // The details, for `--nocapture`.
        for v in &r.response_violations {
            println!("{}: example vs. schema: {v}", r.document);
        }
        for v in &r.invalid_examples {
            println!("{}: request example vs. schema: {v}", r.document);
        }
        operations += r.operations.len();
        violations += r.request_violations.len();
        failures.extend(r.failures.iter().map(|f| format!("{}: {f}", r.document)));
    }
    let names: Vec<&str> = reports.iter().map(|r| r.document.as_str()).collect();
    report(&format!(
        "prism contract: {operations} External Task operation checks against {} documents ({}), {violations} violations",
        names.len(),
        names.join(", ")
    ));
    assert!(
        failures.is_empty(),
        "{} contract failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        operations >= 35,
        "expected 18 + 17 operations, checked {operations}"
    );
}

/// What the run against one document found.
#[derive(Default)]
struct Report {
    document: String,
    patches: Vec<String>,
    /// Operations checked (in the document and called).
    operations: Vec<&'static str>,
    /// Operations of the client that the document does not have.
    absent: Vec<&'static str>,
    requests: usize,
    /// Camunda's documented request bodies read into our types and sent through our client.
    request_examples: usize,
    /// Camunda's request examples that Prism finds in violation of Camunda's own schema
    /// (checked by sending them raw); skipped, since no correct client could send them.
    invalid_examples: Vec<String>,
    request_violations: Vec<String>,
    /// Prism's mocked response does not match the document's own schema: Camunda's examples
    /// disagree with Camunda's schemas. Not the client's doing; reported, not failed.
    response_violations: Vec<String>,
    failures: Vec<String>,
}

impl Report {
    fn summary(&self) -> String {
        let patched = if self.patches.is_empty() {
            String::new()
        } else {
            format!(" (patched: {})", self.patches.join("; "))
        };
        let absent = if self.absent.is_empty() {
            String::new()
        } else {
            format!(", not in this document: {}", self.absent.join(", "))
        };
        format!(
            "prism contract: {}{patched}: {} operations, {} requests ({} of them Camunda's documented request examples), {} request violations, {} failures{absent}; Camunda's examples vs. its own schemas: {} invalid request examples skipped, {} response violations",
            self.document,
            self.operations.len(),
            self.requests,
            self.request_examples,
            self.request_violations.len(),
            self.failures.len(),
            self.invalid_examples.len(),
            self.response_violations.len(),
        )
    }
}

/// A running mock for one document, and what the checks found.
struct Contract {
    doc: PreparedDocument,
    recorder: Recorder,
    report: Report,
}

async fn check_document(bin: &Path, source: std::path::PathBuf, work: &Path) -> Report {
    let doc = prepare_document(&source, work).unwrap_or_else(|e| panic!("{e}"));
    let prism = Prism::start(bin, &doc.path, Mode::Mock)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let recorder = Recorder::start(&prism.base_url())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let report = Report {
        document: doc.name.clone(),
        patches: doc.patches.clone(),
        ..Report::default()
    };
    let mut c = Contract {
        doc,
        recorder,
        report,
    };
    run_operations(&mut c).await;
    if !c.report.failures.is_empty() {
        c.report
            .failures
            .push(format!("Prism's last log lines:\n{}", prism.log_tail()));
    }
    c.report
}

impl Contract {
    /// Checks one operation: every documented success response and example, then every
    /// documented error status. `call` makes the request with a client; `check` looks at a
    /// decoded success value (given the status Prism answered with and its JSON body).
    async fn operation<T, F, Fut>(
        &mut self,
        operation_id: &'static str,
        method: &str,
        path: &str,
        call: F,
        check: impl Fn(&T, u16, Option<&Value>) -> Result<(), String>,
    ) where
        F: Fn(Client) -> Fut,
        Fut: Future<Output = Result<T, Error>>,
    {
        if self.doc.operation(method, path).is_none() {
            self.report.absent.push(operation_id);
            return;
        }
        self.report.operations.push(operation_id);
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
                    let body = exchange.json();
                    if let Err(e) = check(&value, exchange.status, body.as_ref()) {
                        self.fail(format!("{label}: {e}"));
                    }
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

    /// Camunda's own request examples for an operation: each must read into our body type and
    /// write back without losing a field, and, sent through our client, pass Prism.
    async fn request_examples<B, T, F, Fut>(
        &mut self,
        operation_id: &'static str,
        method: &str,
        path: &str,
        call: F,
    ) where
        B: serde::de::DeserializeOwned + Serialize,
        F: Fn(Client, B) -> Fut,
        Fut: Future<Output = Result<T, Error>>,
    {
        let base = self.recorder.base_url();
        for (name, example) in self.doc.request_examples(method, path) {
            let label = format!("{operation_id} [request {name}]");
            // First the example as written: Prism judges whether Camunda's own example fits
            // Camunda's own schema.
            let invalid = self.raw_request_violations(method, path, &example).await;
            if !invalid.is_empty() {
                for v in invalid {
                    self.report.invalid_examples.push(format!("{label}: {v}"));
                }
                continue;
            }
            let body: B = match serde_json::from_value(example.clone()) {
                Ok(body) => body,
                Err(e) => {
                    self.fail(format!(
                        "{label}: Camunda's example does not read into our type: {e}"
                    ));
                    continue;
                }
            };
            if let Err(e) = round_trips(&body, 0, Some(&example)) {
                self.fail(format!("{label}: {e}"));
            }
            let mark = self.recorder.mark();
            let result = call(client(&base, None), body).await;
            self.report.request_examples += 1;
            let Some(exchange) = self.one_exchange(&label, mark) else {
                continue;
            };
            if let Err(e) = result {
                self.fail(format!(
                    "{label}: {} answered {} and our client failed: {e}",
                    exchange.describe(),
                    exchange.status
                ));
            }
        }
    }

    /// Sends `body` as is (no client types involved) and returns the request violations Prism
    /// reported; a transport failure is recorded as a failure.
    async fn raw_request_violations(
        &mut self,
        method: &str,
        path: &str,
        body: &Value,
    ) -> Vec<String> {
        let url = format!(
            "{}{}",
            self.recorder.base_url(),
            path.replace("{id}", TASK_ID)
        );
        let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes())
            .unwrap_or(reqwest::Method::POST);
        let mark = self.recorder.mark();
        let sent = reqwest::Client::new()
            .request(method, &url)
            .basic_auth("demo", Some("demo"))
            .json(body)
            .send()
            .await;
        let exchanges = self.recorder.since(mark);
        self.report.requests += exchanges.len();
        if let Err(e) = sent {
            self.fail(format!("raw {url}: {e}"));
        }
        exchanges
            .iter()
            .flat_map(|x| x.request_violations().into_iter().map(|v| v.to_string()))
            .collect()
    }

    /// The single exchange made since `mark`; records its violations.
    fn one_exchange(&mut self, label: &str, mark: usize) -> Option<prism_support::Exchange> {
        let mut exchanges = self.recorder.since(mark);
        self.report.requests += exchanges.len();
        if exchanges.len() != 1 {
            self.fail(format!(
                "{label}: expected one request, the recorder saw {}",
                exchanges.len()
            ));
            return None;
        }
        let exchange = exchanges.remove(0);
        for v in exchange.request_violations() {
            self.report.request_violations.push(format!("{label}: {v}"));
            self.fail(format!(
                "{label}: {} violates the document: {v}",
                exchange.describe()
            ));
        }
        for v in exchange.response_violations() {
            self.report
                .response_violations
                .push(format!("{label}: {v}"));
        }
        Some(exchange)
    }

    /// Whether the document lets a task query sort by `createTime`.
    fn query_sorts_by_create_time(&self) -> bool {
        self.doc
            .json
            .pointer("/components/schemas/ExternalTaskQueryDto/properties/sorting/items/properties/sortBy/enum")
            .and_then(Value::as_array)
            .is_some_and(|values| values.iter().any(|v| v == "createTime"))
    }

    fn fail(&mut self, message: String) {
        self.report.failures.push(message);
    }
}

/// Our decoded value, written back as JSON, must keep every non-null field of the JSON Prism
/// sent, with the same value (dates compared as instants, since only the format may differ).
fn round_trips<T: Serialize>(value: &T, status: u16, body: Option<&Value>) -> Result<(), String> {
    let Some(sent) = body else {
        return Err(format!("status {status}: Prism sent no JSON body"));
    };
    let ours = serde_json::to_value(value).map_err(|e| format!("cannot re-serialize: {e}"))?;
    let mut problems = Vec::new();
    compare(sent, &ours, "$", &mut problems);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "decoding lost or changed data: {}",
            problems.join("; ")
        ))
    }
}

/// Variables of several Camunda types, as a worker would send them.
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

fn local_variables() -> Variables {
    Variables::new()
        .with("attempt", 2_i32)
        .with("checkedAt", date("2025-03-31T09:15:30.250-0500"))
}

/// Filters of a task query (POST body, also nested in set-retries). Sorting by `createTime`
/// came with Camunda 7.21; `with_create_time` is false for documents without it, as a user of
/// an older engine would not send it.
fn task_query(with_create_time: bool) -> ExternalTaskQueryDto {
    let mut sorting = vec![ExternalTaskQueryDtoSorting {
        sort_by: Some(ExternalTaskQueryDtoSortingSortBy::TaskPriority),
        sort_order: Some(ExternalTaskQueryDtoSortingSortOrder::Desc),
    }];
    if with_create_time {
        sorting.push(ExternalTaskQueryDtoSorting {
            sort_by: Some(ExternalTaskQueryDtoSortingSortBy::CreateTime),
            sort_order: Some(ExternalTaskQueryDtoSortingSortOrder::Asc),
        });
    }
    ExternalTaskQueryDto {
        topic_name: Some("invoice".into()),
        worker_id: Some(WORKER.into()),
        locked: Some(true),
        with_retries_left: Some(true),
        lock_expiration_after: Some(date("2025-03-01T08:00:00.000+0100")),
        lock_expiration_before: Some(date("2025-03-01T18:00:00.000-0500")),
        process_definition_key_in: Some(vec!["invoice".into(), "payment".into()]),
        tenant_id_in: Some(vec!["tenant-a".into()]),
        priority_higher_than_or_equals: Some(10),
        priority_lower_than_or_equals: Some(100),
        process_variables: Some(vec![VariableQueryParameterDto {
            name: Some("amount".into()),
            operator: Some(ConditionQueryParameterDtoOperator::Gt),
            value: Some(json!(1000)),
        }]),
        sorting: Some(sorting),
        ..Default::default()
    }
}

async fn run_operations(c: &mut Contract) {
    let ok = |_: &(), _: u16, _: Option<&Value>| Ok(());
    let create_time = c.query_sorts_by_create_time();

    c.operation(
        "getExternalTasks",
        "get",
        "/external-task",
        |client| async move {
            let query = GetExternalTasksQuery {
                topic_name: Some("invoice".into()),
                worker_id: Some(WORKER.into()),
                locked: Some(true),
                lock_expiration_after: Some(date("2025-03-01T08:00:00.000+0100")),
                lock_expiration_before: Some(date("2025-03-01T18:00:00.000-0500")),
                process_definition_key_in: Some("invoice,payment".into()),
                priority_higher_than_or_equals: Some(10),
                process_variables: Some("amount_gt_1000,approved_eq_true".into()),
                sort_by: Some(GetExternalTasksSortBy::LockExpirationTime),
                sort_order: Some(GetExternalTasksSortOrder::Desc),
                first_result: Some(0),
                max_results: Some(50),
                ..Default::default()
            };
            client.external_task().get_external_tasks(&query).await
        },
        |tasks: &Vec<ExternalTaskDto>, status, body| {
            if tasks.is_empty() {
                return Err("no task decoded".into());
            }
            round_trips(tasks, status, body)
        },
    )
    .await;

    c.operation(
        "queryExternalTasks",
        "post",
        "/external-task",
        |client| async move {
            let query = QueryExternalTasksQuery {
                first_result: Some(10),
                max_results: Some(20),
            };
            client
                .external_task()
                .query_external_tasks(&query, &task_query(create_time))
                .await
        },
        |tasks: &Vec<ExternalTaskDto>, status, body| round_trips(tasks, status, body),
    )
    .await;

    c.operation(
        "getExternalTasksCount",
        "get",
        "/external-task/count",
        |client| async move {
            let query = GetExternalTasksCountQuery {
                topic_name: Some("invoice".into()),
                not_locked: Some(true),
                no_retries_left: Some(true),
                lock_expiration_before: Some(date("2025-03-01T18:00:00.000+0530")),
                tenant_id_in: Some("tenant-a,tenant-b".into()),
                ..Default::default()
            };
            client
                .external_task()
                .get_external_tasks_count(&query)
                .await
        },
        |count: &CountResultDto, status, body| round_trips(count, status, body),
    )
    .await;

    c.operation(
        "queryExternalTasksCount",
        "post",
        "/external-task/count",
        |client| async move {
            client
                .external_task()
                .query_external_tasks_count(&task_query(create_time))
                .await
        },
        |count: &CountResultDto, status, body| round_trips(count, status, body),
    )
    .await;

    c.operation(
        "fetchAndLock",
        "post",
        "/external-task/fetchAndLock",
        |client| async move {
            let body = FetchExternalTasksDto {
                worker_id: WORKER.into(),
                max_tasks: 10,
                use_priority: Some(true),
                async_response_timeout: Some(20_000),
                topics: Some(vec![
                    FetchExternalTaskTopicDto {
                        topic_name: "invoice".into(),
                        lock_duration: 60_000,
                        variables: Some(vec!["customer".into(), "amount".into()]),
                        local_variables: Some(false),
                        business_key: Some("order-4711".into()),
                        process_definition_key_in: Some(vec!["invoice".into()]),
                        tenant_id_in: Some(vec!["tenant-a".into()]),
                        process_variables: Some(json!({"region": "EMEA", "priority": 5})),
                        deserialize_values: Some(true),
                        include_extension_properties: Some(true),
                        ..Default::default()
                    },
                    FetchExternalTaskTopicDto {
                        topic_name: "shipping".into(),
                        lock_duration: 30_000,
                        without_tenant_id: Some(true),
                        ..Default::default()
                    },
                ]),
                sorting: Some(vec![FetchExternalTasksDtoSorting {
                    sort_by: Some(FetchExternalTasksDtoSortingSortBy::CreateTime),
                    sort_order: Some(FetchExternalTasksDtoSortingSortOrder::Asc),
                }]),
            };
            client.external_task().fetch_and_lock(&body).await
        },
        |tasks: &Vec<LockedExternalTaskDto>, status, body| {
            if tasks.is_empty() {
                return Err("no task decoded".into());
            }
            round_trips(tasks, status, body)
        },
    )
    .await;

    for (operation_id, method, async_op) in [
        ("setExternalTaskRetries", "put", false),
        ("setExternalTaskRetriesAsyncOperation", "post", true),
    ] {
        let body = SetRetriesForExternalTasksDto {
            retries: 3,
            external_task_ids: Some(vec![TASK_ID.into()]),
            process_instance_ids: Some(vec!["aProcessInstanceId".into()]),
            external_task_query: Some(task_query(create_time)),
            ..Default::default()
        };
        if async_op {
            c.operation(
                operation_id,
                method,
                "/external-task/retries-async",
                |client| {
                    let body = body.clone();
                    async move {
                        client
                            .external_task()
                            .set_external_task_retries_async_operation(&body)
                            .await
                    }
                },
                |batch: &BatchDto, status, body| round_trips(batch, status, body),
            )
            .await;
        } else {
            c.operation(
                operation_id,
                method,
                "/external-task/retries",
                |client| {
                    let body = body.clone();
                    async move {
                        client
                            .external_task()
                            .set_external_task_retries(&body)
                            .await
                    }
                },
                ok,
            )
            .await;
        }
    }

    c.operation(
        "getTopicNames",
        "get",
        "/external-task/topic-names",
        |client| async move {
            let query = GetTopicNamesQuery {
                with_locked_tasks: Some(true),
                with_unlocked_tasks: Some(false),
                with_retries_left: Some(true),
            };
            client.external_task().get_topic_names(&query).await
        },
        |names: &Vec<String>, status, body| round_trips(names, status, body),
    )
    .await;

    c.operation(
        "getExternalTask",
        "get",
        "/external-task/{id}",
        |client| async move { client.external_task().get_external_task(TASK_ID).await },
        |task: &ExternalTaskDto, status, body| round_trips(task, status, body),
    )
    .await;

    c.operation(
        "handleExternalTaskBpmnError",
        "post",
        "/external-task/{id}/bpmnError",
        |client| async move {
            let body = ExternalTaskBpmnError {
                worker_id: WORKER.into(),
                error_code: "INVOICE_REJECTED".into(),
                error_message: Some("The invoice amount exceeds the approval limit".into()),
                variables: Some(variables()),
            };
            client
                .external_task()
                .handle_external_task_bpmn_error(TASK_ID, &body)
                .await
        },
        ok,
    )
    .await;

    c.operation(
        "completeExternalTaskResource",
        "post",
        "/external-task/{id}/complete",
        |client| async move {
            let body = CompleteExternalTaskDto {
                worker_id: WORKER.into(),
                variables: Some(variables()),
                local_variables: Some(local_variables()),
            };
            client
                .external_task()
                .complete_external_task_resource(TASK_ID, &body)
                .await
        },
        ok,
    )
    .await;

    c.operation(
        "getExternalTaskErrorDetails",
        "get",
        "/external-task/{id}/errorDetails",
        |client| async move {
            client
                .external_task()
                .get_external_task_error_details(TASK_ID)
                .await
        },
        |details: &Option<String>, status, _| match (status, details) {
            (200, Some(text)) if !text.is_empty() => Ok(()),
            (204, None) => Ok(()),
            (s, d) => Err(format!("status {s} decoded as {d:?}")),
        },
    )
    .await;

    c.operation(
        "extendLock",
        "post",
        "/external-task/{id}/extendLock",
        |client| async move {
            let body = ExtendLockOnExternalTaskDto {
                new_duration: 120_000,
                worker_id: WORKER.into(),
            };
            client.external_task().extend_lock(TASK_ID, &body).await
        },
        ok,
    )
    .await;

    c.operation(
        "handleFailure",
        "post",
        "/external-task/{id}/failure",
        |client| async move {
            let body = ExternalTaskFailureDto {
                worker_id: WORKER.into(),
                error_message: Some("Payment service unavailable".into()),
                error_details: Some(
                    "java.net.ConnectException: Connection refused\n\tat ...".into(),
                ),
                retries: Some(2),
                retry_timeout: Some(30_000),
                variables: Some(variables()),
                local_variables: Some(local_variables()),
            };
            client.external_task().handle_failure(TASK_ID, &body).await
        },
        ok,
    )
    .await;

    c.operation(
        "lock",
        "post",
        "/external-task/{id}/lock",
        |client| async move {
            let body = LockExternalTaskDto {
                lock_duration: 300_000,
                worker_id: WORKER.into(),
            };
            client.external_task().lock(TASK_ID, &body).await
        },
        ok,
    )
    .await;

    c.operation(
        "setExternalTaskResourcePriority",
        "put",
        "/external-task/{id}/priority",
        |client| async move {
            let body = PriorityDto { priority: 75 };
            client
                .external_task()
                .set_external_task_resource_priority(TASK_ID, &body)
                .await
        },
        ok,
    )
    .await;

    c.operation(
        "setExternalTaskResourceRetries",
        "put",
        "/external-task/{id}/retries",
        |client| async move {
            let body = RetriesDto { retries: 5 };
            client
                .external_task()
                .set_external_task_resource_retries(TASK_ID, &body)
                .await
        },
        ok,
    )
    .await;

    c.operation(
        "unlock",
        "post",
        "/external-task/{id}/unlock",
        |client| async move { client.external_task().unlock(TASK_ID).await },
        ok,
    )
    .await;

    request_examples(c).await;
}

/// Camunda's documented request bodies, for every operation that has some.
async fn request_examples(c: &mut Contract) {
    c.request_examples(
        "queryExternalTasks",
        "post",
        "/external-task",
        |client, body: ExternalTaskQueryDto| async move {
            let query = QueryExternalTasksQuery::default();
            client
                .external_task()
                .query_external_tasks(&query, &body)
                .await
        },
    )
    .await;
    c.request_examples(
        "queryExternalTasksCount",
        "post",
        "/external-task/count",
        |client, body: ExternalTaskQueryDto| async move {
            client
                .external_task()
                .query_external_tasks_count(&body)
                .await
        },
    )
    .await;
    c.request_examples(
        "fetchAndLock",
        "post",
        "/external-task/fetchAndLock",
        |client, body: FetchExternalTasksDto| async move {
            client.external_task().fetch_and_lock(&body).await
        },
    )
    .await;
    c.request_examples(
        "setExternalTaskRetries",
        "put",
        "/external-task/retries",
        |client, body: SetRetriesForExternalTasksDto| async move {
            client
                .external_task()
                .set_external_task_retries(&body)
                .await
        },
    )
    .await;
    c.request_examples(
        "setExternalTaskRetriesAsyncOperation",
        "post",
        "/external-task/retries-async",
        |client, body: SetRetriesForExternalTasksDto| async move {
            client
                .external_task()
                .set_external_task_retries_async_operation(&body)
                .await
        },
    )
    .await;
    c.request_examples(
        "handleExternalTaskBpmnError",
        "post",
        "/external-task/{id}/bpmnError",
        |client, body: ExternalTaskBpmnError| async move {
            client
                .external_task()
                .handle_external_task_bpmn_error(TASK_ID, &body)
                .await
        },
    )
    .await;
    c.request_examples(
        "completeExternalTaskResource",
        "post",
        "/external-task/{id}/complete",
        |client, body: CompleteExternalTaskDto| async move {
            client
                .external_task()
                .complete_external_task_resource(TASK_ID, &body)
                .await
        },
    )
    .await;
    c.request_examples(
        "extendLock",
        "post",
        "/external-task/{id}/extendLock",
        |client, body: ExtendLockOnExternalTaskDto| async move {
            client.external_task().extend_lock(TASK_ID, &body).await
        },
    )
    .await;
    c.request_examples(
        "handleFailure",
        "post",
        "/external-task/{id}/failure",
        |client, body: ExternalTaskFailureDto| async move {
            client.external_task().handle_failure(TASK_ID, &body).await
        },
    )
    .await;
    c.request_examples(
        "lock",
        "post",
        "/external-task/{id}/lock",
        |client, body: LockExternalTaskDto| async move {
            client.external_task().lock(TASK_ID, &body).await
        },
    )
    .await;
    c.request_examples(
        "setExternalTaskResourcePriority",
        "put",
        "/external-task/{id}/priority",
        |client, body: PriorityDto| async move {
            client
                .external_task()
                .set_external_task_resource_priority(TASK_ID, &body)
                .await
        },
    )
    .await;
    c.request_examples(
        "setExternalTaskResourceRetries",
        "put",
        "/external-task/{id}/retries",
        |client, body: RetriesDto| async move {
            client
                .external_task()
                .set_external_task_resource_retries(TASK_ID, &body)
                .await
        },
    )
    .await;
}
