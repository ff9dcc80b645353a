//! The test engine speaks Camunda's published contract: a worker's session of all 18 External
//! Task operations, made with our client through `prism proxy --errors` serving Camunda's 7.24
//! document in front of `camunda7-test-engine`, gets no request or response violation, and the
//! engine's answers (including its error bodies) decode into our types.
//!
//! Needs Prism (`npm ci --prefix .ci/prism`) and Camunda's documents; see `docs/prism.md`.

mod prism_support;

use camunda7_client::external_task::*;
use camunda7_client::models::*;
use camunda7_client::variables::Variables;
use camunda7_client::{Auth, Client, DateTime, Error};
use camunda7_test_engine::{Outcome, TaskSpec, TestEngine};
use prism_support::{
    prepare_document, report, require_prism, require_spec_dir, spec_file, Mode, Prism, Recorder,
};
use serde_json::json;
use std::fmt::Debug;

const DOCUMENT: &str = "camunda-7.24.0-SNAPSHOT.json";
const WORKER: &str = "invoice-worker-1";

/// Collects what went wrong, so one run shows every problem.
#[derive(Default)]
struct Problems(Vec<String>);

impl Problems {
    /// The value of a call that must succeed, or a recorded problem.
    fn ok<T>(&mut self, what: &str, result: Result<T, Error>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(e) => {
                self.0.push(format!("{what}: {e}"));
                None
            }
        }
    }

    fn check(&mut self, what: &str, holds: bool, detail: impl Debug) {
        if !holds {
            self.0.push(format!("{what}: {detail:?}"));
        }
    }
}

#[tokio::test]
async fn test_engine_conforms_to_camunda_7_24_through_prism_proxy() {
    let test = "test_engine_conforms_to_camunda_7_24_through_prism_proxy";
    let Some(bin) = require_prism(test) else {
        return;
    };
    let Some(dir) = require_spec_dir(test) else {
        return;
    };
    let work = tempfile::tempdir().unwrap_or_else(|e| panic!("no temp dir: {e}"));
    let doc =
        prepare_document(&spec_file(&dir, DOCUMENT), work.path()).unwrap_or_else(|e| panic!("{e}"));

    let engine = TestEngine::start()
        .await
        .unwrap_or_else(|e| panic!("cannot start the test engine: {e}"));
    let invoice_a = seed(
        &engine,
        TaskSpec::new("invoice")
            .priority(50)
            .business_key("order-4711"),
    );
    let invoice_b = seed(
        &engine,
        TaskSpec::new("invoice")
            .priority(10)
            .business_key("order-4712"),
    );
    let shipping = seed(&engine, TaskSpec::new("shipping").tenant_id("tenant-a"));

    let prism = Prism::start(
        &bin,
        &doc.path,
        Mode::Proxy {
            upstream: engine.base_url(),
            errors: true,
        },
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let recorder = Recorder::start(&prism.base_url())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    // Prism serves the document's paths at its root and appends them to the upstream's
    // `/engine-rest`.
    let client = Client::builder()
        .base_url(recorder.base_url())
        .auth(Auth::basic("demo", "demo"))
        .build()
        .unwrap_or_else(|e| panic!("cannot build the client: {e}"));
    let api = client.external_task();
    let mut p = Problems::default();

    // Look around: topics, counts, lists.
    let topics = api
        .get_topic_names(&GetTopicNamesQuery {
            with_unlocked_tasks: Some(true),
            ..Default::default()
        })
        .await;
    if let Some(mut topics) = p.ok("getTopicNames", topics) {
        topics.sort();
        p.check("getTopicNames", topics == ["invoice", "shipping"], &topics);
    }
    let count = api
        .get_external_tasks_count(&GetExternalTasksCountQuery {
            topic_name: Some("invoice".into()),
            not_locked: Some(true),
            ..Default::default()
        })
        .await;
    if let Some(count) = p.ok("getExternalTasksCount", count) {
        p.check("getExternalTasksCount", count.count == 2, &count);
    }
    let query = ExternalTaskQueryDto {
        topic_name: Some("invoice".into()),
        with_retries_left: Some(true),
        sorting: Some(vec![ExternalTaskQueryDtoSorting {
            sort_by: Some(ExternalTaskQueryDtoSortingSortBy::TaskPriority),
            sort_order: Some(ExternalTaskQueryDtoSortingSortOrder::Desc),
        }]),
        ..Default::default()
    };
    let count = api.query_external_tasks_count(&query).await;
    if let Some(count) = p.ok("queryExternalTasksCount", count) {
        p.check("queryExternalTasksCount", count.count == 2, &count);
    }
    let listed = api
        .query_external_tasks(
            &QueryExternalTasksQuery {
                first_result: Some(0),
                max_results: Some(10),
            },
            &query,
        )
        .await;
    if let Some(listed) = p.ok("queryExternalTasks", listed) {
        let ids: Vec<_> = listed.iter().filter_map(|t| t.id.clone()).collect();
        p.check(
            "queryExternalTasks by priority",
            ids == [invoice_a.clone(), invoice_b.clone()],
            &ids,
        );
    }
    let listed = api
        .get_external_tasks(&GetExternalTasksQuery {
            topic_name: Some("shipping".into()),
            tenant_id_in: Some("tenant-a".into()),
            sort_by: Some(GetExternalTasksSortBy::Id),
            sort_order: Some(GetExternalTasksSortOrder::Asc),
            ..Default::default()
        })
        .await;
    if let Some(listed) = p.ok("getExternalTasks", listed) {
        p.check(
            "getExternalTasks",
            listed.len() == 1 && listed[0].id.as_deref() == Some(shipping.as_str()),
            &listed,
        );
    }

    // Work: fetch both invoices, by priority, with their variables.
    let fetched = api
        .fetch_and_lock(&FetchExternalTasksDto {
            worker_id: WORKER.into(),
            max_tasks: 2,
            use_priority: Some(true),
            async_response_timeout: Some(1_000),
            topics: Some(vec![FetchExternalTaskTopicDto {
                topic_name: "invoice".into(),
                lock_duration: 60_000,
                variables: Some(vec!["customer".into(), "amount".into(), "dueDate".into()]),
                ..Default::default()
            }]),
            sorting: Some(vec![FetchExternalTasksDtoSorting {
                sort_by: Some(FetchExternalTasksDtoSortingSortBy::CreateTime),
                sort_order: Some(FetchExternalTasksDtoSortingSortOrder::Asc),
            }]),
        })
        .await;
    if let Some(fetched) = p.ok("fetchAndLock", fetched) {
        let ids: Vec<_> = fetched.iter().filter_map(|t| t.id.clone()).collect();
        p.check(
            "fetchAndLock by priority",
            ids == [invoice_a.clone(), invoice_b.clone()],
            &ids,
        );
        if let Some(vars) = fetched.first().and_then(|t| t.variables.as_ref()) {
            p.check(
                "fetched String variable",
                vars.get::<String>("customer").ok().as_deref() == Some("Ada Lovelace"),
                vars,
            );
            p.check(
                "fetched Double variable",
                vars.get::<f64>("amount").ok() == Some(1234.5),
                vars,
            );
            p.check(
                "fetched Date variable",
                vars.get::<DateTime>("dueDate")
                    .ok()
                    .map(|d| d.timestamp_millis())
                    == Some(date("2025-03-31T17:00:00.000+0200").timestamp_millis()),
                vars,
            );
        } else {
            p.check("fetched variables", false, &fetched);
        }
    }
    // A long poll that finds nothing answers [] after its timeout.
    let empty = api
        .fetch_and_lock(&FetchExternalTasksDto {
            worker_id: WORKER.into(),
            max_tasks: 1,
            async_response_timeout: Some(200),
            topics: Some(vec![FetchExternalTaskTopicDto {
                topic_name: "nothing-here".into(),
                lock_duration: 1_000,
                ..Default::default()
            }]),
            ..Default::default()
        })
        .await;
    if let Some(empty) = p.ok("fetchAndLock (long poll, nothing)", empty) {
        p.check(
            "fetchAndLock (long poll, nothing)",
            empty.is_empty(),
            &empty,
        );
    }

    let task = api.get_external_task(&invoice_a).await;
    if let Some(task) = p.ok("getExternalTask", task) {
        p.check(
            "getExternalTask worker",
            task.worker_id.as_deref() == Some(WORKER),
            &task,
        );
    }
    let extended = api
        .extend_lock(
            &invoice_a,
            &ExtendLockOnExternalTaskDto {
                new_duration: 120_000,
                worker_id: WORKER.into(),
            },
        )
        .await;
    p.ok("extendLock", extended);
    let completed = api
        .complete_external_task_resource(
            &invoice_a,
            &CompleteExternalTaskDto {
                worker_id: WORKER.into(),
                variables: Some(
                    Variables::new()
                        .with("approved", true)
                        .with("approvedAt", date("2025-04-01T10:15:00.000+0200"))
                        .with("reviewer", "Grace Hopper"),
                ),
                local_variables: Some(Variables::new().with("attempt", 1_i32)),
            },
        )
        .await;
    p.ok("completeExternalTaskResource", completed);

    // The second invoice fails for good, is inspected and repaired, then ends in a BPMN error.
    let failed = api
        .handle_failure(
            &invoice_b,
            &ExternalTaskFailureDto {
                worker_id: WORKER.into(),
                error_message: Some("Payment service unavailable".into()),
                error_details: Some("java.net.ConnectException: Connection refused".into()),
                retries: Some(0),
                retry_timeout: Some(0),
                ..Default::default()
            },
        )
        .await;
    p.ok("handleFailure", failed);
    let details = api.get_external_task_error_details(&invoice_b).await;
    if let Some(details) = p.ok("getExternalTaskErrorDetails", details) {
        p.check(
            "getExternalTaskErrorDetails",
            details.as_deref() == Some("java.net.ConnectException: Connection refused"),
            &details,
        );
    }
    let retried = api
        .set_external_task_resource_retries(&invoice_b, &RetriesDto { retries: 2 })
        .await;
    p.ok("setExternalTaskResourceRetries", retried);
    let prioritised = api
        .set_external_task_resource_priority(&invoice_b, &PriorityDto { priority: 75 })
        .await;
    p.ok("setExternalTaskResourcePriority", prioritised);
    p.ok("unlock", api.unlock(&invoice_b).await);
    let locked = api
        .lock(
            &invoice_b,
            &LockExternalTaskDto {
                lock_duration: 30_000,
                worker_id: WORKER.into(),
            },
        )
        .await;
    p.ok("lock", locked);
    let bpmn = api
        .handle_external_task_bpmn_error(
            &invoice_b,
            &ExternalTaskBpmnError {
                worker_id: WORKER.into(),
                error_code: "INVOICE_REJECTED".into(),
                error_message: Some("Amount over the approval limit".into()),
                variables: Some(Variables::new().with("rejectedBy", "Grace Hopper")),
            },
        )
        .await;
    p.ok("handleExternalTaskBpmnError", bpmn);

    // Administration of the shipping task.
    let retries = SetRetriesForExternalTasksDto {
        retries: 5,
        external_task_ids: Some(vec![shipping.clone()]),
        ..Default::default()
    };
    p.ok(
        "setExternalTaskRetries",
        api.set_external_task_retries(&retries).await,
    );
    let batch = api
        .set_external_task_retries_async_operation(&retries)
        .await;
    if let Some(batch) = p.ok("setExternalTaskRetriesAsyncOperation", batch) {
        p.check("batch id", batch.id.is_some(), &batch);
    }

    // The engine's error bodies pass too, and carry its type and message.
    let unknown = "00000000-0000-0000-0000-000000000000";
    match api
        .complete_external_task_resource(
            unknown,
            &CompleteExternalTaskDto {
                worker_id: WORKER.into(),
                ..Default::default()
            },
        )
        .await
    {
        Err(Error::Engine(e)) => p.check(
            "complete unknown task",
            e.status == 404
                && e.error_type.as_deref() == Some("RestException")
                && e.message.as_deref()
                    == Some(format!("External task with id {unknown} does not exist").as_str()),
            &e,
        ),
        other => p.check("complete unknown task -> 404 engine error", false, &other),
    }
    // The engine writes `"code": null` here; Camunda's document needs the patch for that.
    match api.get_external_task(unknown).await {
        Err(Error::Engine(e)) => p.check(
            "get unknown task",
            e.status == 404 && e.code.is_none() && e.body.get("code") == Some(&json!(null)),
            &e,
        ),
        other => p.check("get unknown task -> 404 engine error", false, &other),
    }
    match api
        .extend_lock(
            &shipping,
            &ExtendLockOnExternalTaskDto {
                new_duration: 1_000,
                worker_id: "someone-else".into(),
            },
        )
        .await
    {
        Err(Error::Engine(e)) => p.check(
            "extendLock of an unlocked task",
            e.status == 400 && e.error_type.as_deref() == Some("RestException"),
            &e,
        ),
        other => p.check("extendLock of an unlocked task -> 400", false, &other),
    }

    // What the engine saw.
    p.check(
        "invoice A completed",
        engine.outcome(&invoice_a) == Some(Outcome::Completed),
        engine.outcome(&invoice_a),
    );
    p.check(
        "invoice B ended by a BPMN error",
        engine.outcome(&invoice_b) == Some(Outcome::BpmnError),
        engine.outcome(&invoice_b),
    );

    // Prism's verdict on every exchange.
    let exchanges = recorder.all();
    let mut operations: Vec<String> = Vec::new();
    let mut violations = 0;
    for exchange in &exchanges {
        for v in &exchange.violations {
            violations += 1;
            p.0.push(format!("{}: {v}", exchange.describe()));
        }
        let path = exchange
            .path_and_query
            .split('?')
            .next()
            .unwrap_or_default()
            .to_owned();
        let shape = operation_shape(&exchange.method, &path);
        if !operations.contains(&shape) {
            operations.push(shape);
        }
    }
    report(&format!(
        "prism proxy --errors ({}{}) -> test engine: {} operations, {} requests, {violations} violations",
        doc.name,
        if doc.patches.is_empty() {
            String::new()
        } else {
            format!(", patched: {}", doc.patches.join("; "))
        },
        operations.len(),
        exchanges.len()
    ));
    p.check(
        "all 18 operations exercised",
        operations.len() == 18,
        &operations,
    );
    assert!(
        p.0.is_empty(),
        "{} problems:\n{}\nPrism's last log lines:\n{}",
        p.0.len(),
        p.0.join("\n"),
        prism.log_tail()
    );
}

fn seed(engine: &TestEngine, spec: TaskSpec) -> String {
    let spec = spec.process_definition_key("invoice").variables(json!({
        "customer": "Ada Lovelace",
        "amount": 1234.5,
        "dueDate": {"type": "Date", "value": "2025-03-31T17:00:00.000+0200"},
        "items": {"type": "Integer", "value": 3}
    }));
    engine
        .create_task(spec)
        .unwrap_or_else(|e| panic!("cannot seed a task: {e}"))
}

fn date(text: &str) -> DateTime {
    DateTime::parse(text).unwrap_or_else(|e| panic!("test date {text}: {e}"))
}

/// `METHOD /path` with the task id replaced by `{id}`, to count distinct operations.
fn operation_shape(method: &str, path: &str) -> String {
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let fixed = [
        "count",
        "fetchAndLock",
        "retries",
        "retries-async",
        "topic-names",
    ];
    let shape = match parts.as_slice() {
        ["external-task"] => "/external-task".to_owned(),
        ["external-task", second] if fixed.contains(second) => format!("/external-task/{second}"),
        ["external-task", _] => "/external-task/{id}".to_owned(),
        ["external-task", _, action] => format!("/external-task/{{id}}/{action}"),
        _ => path.to_owned(),
    };
    format!("{method} {shape}")
}
