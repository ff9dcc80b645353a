//! The worker against the embedded test engine: outcomes with variables, handler errors and
//! panics under the retry policy, lock extension, a lock lost during a slow handler, the bound
//! on concurrent handlers, reports overlapping the next fetch, and subscription options.

#[macro_use]
mod worker_support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use camunda7_client::variables::Variables;
use camunda7_client::worker::{Outcome, RetryPolicy, Subscription, Task, Worker};
use camunda7_client::BoxError;
use camunda7_test_engine::{Outcome as EngineOutcome, TaskEvent, TaskSpec, TestEngine};
use serde_json::json;
use worker_support::{check_invariant, client, run_until_all_completed, wait_until};

on_both_runtimes!(
    reports_complete_failure_and_bpmn_error_with_their_variables,
    handler_errors_and_panics_become_failures_under_the_retry_policy,
    a_long_handler_keeps_its_lock_by_automatic_extension,
    a_lock_lost_during_a_slow_handler_drops_the_result,
    never_runs_more_handlers_than_the_pool_allows,
    the_next_task_is_fetched_while_a_result_is_reported,
    subscription_options_reach_the_engine,
    a_handler_can_extend_its_lock,
    priority_and_creation_order_reach_the_engine,
    a_panic_before_the_handler_future_is_a_failure,
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handler_blocking_its_thread_does_not_stop_lock_extension() {
    let engine = TestEngine::start().await.expect("engine");
    let id = engine.create_task(TaskSpec::new("blocking")).expect("task");
    let worker = Worker::builder(client(&engine))
        .lock_duration(Duration::from_millis(600))
        .subscribe("blocking", |_task: Task| async {
            // Blocks its runtime thread for several lock durations.
            std::thread::sleep(Duration::from_millis(2000));
            Ok::<_, BoxError>(Outcome::complete())
        })
        .build()
        .expect("worker");
    let summary = run_until_all_completed(&engine, std::slice::from_ref(&id), worker, || {}).await;
    // The lock keeper runs on the other thread meanwhile: at least 3 extensions in 2 s of a
    // 600 ms lock, and the engine never saw the lock run out.
    assert!(
        summary.metrics.lock_extensions >= 3,
        "{:?}",
        summary.metrics
    );
    assert_eq!(summary.metrics.lock_extension_failures, 0);
    assert_eq!(summary.metrics.completed, 1);
    check_invariant(&engine, &[id], false);
}

const LIMIT: Duration = Duration::from_secs(30);

async fn by_amount(task: Task) -> Result<Outcome, BoxError> {
    let amount: i64 = task.variables().get("amount")?;
    Ok(match amount % 3 {
        0 => Outcome::complete()
            .variable("doubled", amount * 2)
            .local_variable("seenBy", task.worker_id().to_owned())
            .into(),
        1 => Outcome::failure("amount not accepted")
            .details(format!("amount {amount}"))
            .retries(0)
            .into(),
        _ => Outcome::bpmn_error("REJECTED")
            .message("rejected by rule")
            .variable("reason", "rule")
            .into(),
    })
}

async fn reports_complete_failure_and_bpmn_error_with_their_variables() {
    let engine = TestEngine::start().await.expect("engine");
    let mut ids = Vec::new();
    for amount in 0..9 {
        let topic = if amount % 2 == 0 { "even" } else { "odd" };
        ids.push(
            engine
                .create_task(TaskSpec::new(topic).variables(json!({ "amount": amount })))
                .expect("task"),
        );
    }
    let worker = Worker::builder(client(&engine))
        .worker_id("basics")
        .subscribe("even", by_amount)
        .subscribe_with(Subscription::new("odd").variables(["amount"]), by_amount)
        .build()
        .expect("worker");
    let metrics = worker.metrics();
    let shutdown = worker.shutdown_handle();
    let run = tokio::spawn(worker.run());

    wait_until("every task reported", LIMIT, || {
        metrics.snapshot().reported() == 9
    })
    .await;
    shutdown.shutdown();
    let summary = run.await.expect("worker task");
    let ends = check_invariant(&engine, &ids, false);
    assert_eq!(
        (ends.completed, ends.incidents, ends.bpmn_errors),
        (3, 3, 3)
    );
    assert_eq!(summary.aborted, 0);
    assert_eq!(summary.metrics.completed, 3);
    assert_eq!(summary.metrics.failed, 3);
    assert_eq!(summary.metrics.bpmn_errors, 3);
    assert_eq!(summary.metrics.fetched, 9);

    for (amount, id) in ids.iter().enumerate() {
        match amount % 3 {
            0 => {
                let (worker_id, vars, local) = engine.completion(id).expect("completion");
                assert_eq!(worker_id, "basics");
                assert_eq!(vars["doubled"]["value"], json!(amount * 2));
                assert_eq!(local["seenBy"]["value"], json!("basics"));
            }
            1 => {
                let failures = engine.failures(id);
                let Some(TaskEvent::Failed {
                    error_message,
                    error_details,
                    retries,
                    ..
                }) = failures.first()
                else {
                    panic!("no failure for task {id}: {failures:?}");
                };
                assert_eq!(error_message.as_deref(), Some("amount not accepted"));
                assert_eq!(error_details.clone(), Some(format!("amount {amount}")));
                assert_eq!(*retries, 0);
            }
            _ => {
                let Some(TaskEvent::BpmnError {
                    error_code,
                    error_message,
                    variables,
                    ..
                }) = engine.bpmn_error(id)
                else {
                    panic!("no BPMN error for task {id}");
                };
                assert_eq!(error_code, "REJECTED");
                assert_eq!(error_message.as_deref(), Some("rejected by rule"));
                assert_eq!(variables["reason"]["value"], json!("rule"));
            }
        }
    }
}

#[derive(Debug)]
struct PaymentDown;

impl std::fmt::Display for PaymentDown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("payment service down")
    }
}

impl std::error::Error for PaymentDown {}

/// A handler that panics before it even returns its future is reported like one that panics
/// while running, whether it runs inside its job (current-thread runtime) or is spawned.
async fn a_panic_before_the_handler_future_is_a_failure() {
    let engine = TestEngine::start().await.expect("engine");
    let id = engine.create_task(TaskSpec::new("sync")).expect("task");
    let worker = Worker::builder(client(&engine))
        .worker_id("sync-panic")
        .subscribe(
            "sync",
            |task: Task| -> std::future::Ready<Result<Outcome, BoxError>> {
                panic!("no future for {}", task.id())
            },
        )
        .build()
        .expect("worker");
    let metrics = worker.metrics();
    let shutdown = worker.shutdown_handle();
    let run = tokio::spawn(worker.run());
    wait_until("the failure report", LIMIT, || {
        !engine.failures(&id).is_empty()
    })
    .await;
    let failures = engine.failures(&id);
    let Some(TaskEvent::Failed { error_message, .. }) = failures.first() else {
        panic!("no failure for task {id}: {failures:?}");
    };
    let message = error_message.as_deref().unwrap_or_default();
    assert!(
        message.contains("handler panicked: no future for"),
        "{message}"
    );
    assert_eq!(metrics.snapshot().handler_panics, 1);
    shutdown.shutdown();
    run.await.expect("the worker ends");
}

async fn handler_errors_and_panics_become_failures_under_the_retry_policy() {
    let engine = TestEngine::start().await.expect("engine");
    let erring = engine
        .create_task(TaskSpec::new("pay").business_key("err"))
        .expect("task");
    let panicking = engine
        .create_task(TaskSpec::new("pay").business_key("panic"))
        .expect("task");
    let worker = Worker::builder(client(&engine))
        .worker_id("retrying")
        .retry_policy(
            RetryPolicy::new()
                .retries(2)
                .retry_timeout(Duration::from_secs(60), Duration::from_secs(600)),
        )
        .subscribe("pay", |task: Task| async move {
            match task.business_key() {
                Some("err") => Err(PaymentDown),
                Some("panic") => panic!("handler bug for {}", task.id()),
                _ => Ok(Outcome::complete()),
            }
        })
        .build()
        .expect("worker");
    let metrics = worker.metrics();
    let shutdown = worker.shutdown_handle();
    let run = tokio::spawn(worker.run());

    let failures = |id: &str| {
        engine
            .failures(id)
            .into_iter()
            .filter_map(|e| match e {
                TaskEvent::Failed {
                    error_message,
                    retries,
                    retry_timeout_ms,
                    ..
                } => Some((error_message.unwrap_or_default(), retries, retry_timeout_ms)),
                _ => None,
            })
            .collect::<Vec<_>>()
    };
    wait_until("first failures", LIMIT, || {
        failures(&erring).len() == 1 && failures(&panicking).len() == 1
    })
    .await;
    let first = failures(&erring);
    assert_eq!(first[0], ("payment service down".to_owned(), 2, 60_000));
    let first_panic = failures(&panicking);
    assert!(
        first_panic[0].0.contains("handler bug for"),
        "{first_panic:?}"
    );
    assert_eq!((first_panic[0].1, first_panic[0].2), (2, 60_000));

    // The worker survived the panic and keeps working.
    let ok = engine.create_task(TaskSpec::new("pay")).expect("task");
    wait_until("task after the panic completed", LIMIT, || {
        engine.outcome(&ok) == Some(EngineOutcome::Completed)
    })
    .await;

    // After the retry timeout the tasks come back; the retries count down, the timeout doubles.
    engine.advance(Duration::from_secs(61));
    wait_until("second failures", LIMIT, || {
        failures(&erring).len() == 2 && failures(&panicking).len() == 2
    })
    .await;
    assert_eq!(failures(&erring)[1].1, 1);
    assert_eq!(failures(&erring)[1].2, 120_000);
    engine.advance(Duration::from_secs(121));
    wait_until("third failures", LIMIT, || {
        failures(&erring).len() == 3 && failures(&panicking).len() == 3
    })
    .await;
    assert_eq!(failures(&erring)[2].1, 0);
    assert_eq!(engine.outcome(&erring), Some(EngineOutcome::Incident));
    assert_eq!(engine.outcome(&panicking), Some(EngineOutcome::Incident));

    shutdown.shutdown();
    let summary = run.await.expect("worker task");
    let m = summary.metrics;
    assert_eq!((m.handler_errors, m.handler_panics, m.failed), (3, 3, 6));
    assert_eq!(metrics.snapshot().completed, 1);
    check_invariant(&engine, &[erring, panicking, ok], false);
}

async fn a_long_handler_keeps_its_lock_by_automatic_extension() {
    let engine = TestEngine::start().await.expect("engine");
    let id = engine.create_task(TaskSpec::new("slow")).expect("task");
    let worker = Worker::builder(client(&engine))
        .worker_id("extender")
        .lock_duration(Duration::from_millis(1600))
        .lock_extension(0.5)
        .subscribe("slow", |_task: Task| async {
            tokio::time::sleep(Duration::from_millis(3500)).await;
            Ok::<_, BoxError>(Outcome::complete())
        })
        .build()
        .expect("worker");
    // A competing worker polls the same topic all along; it must never get the task.
    let rival_got = Arc::new(AtomicUsize::new(0));
    let counter = rival_got.clone();
    let rival = Worker::builder(client(&engine))
        .worker_id("rival")
        .long_polling(Duration::from_millis(200))
        .subscribe("slow", move |_task: Task| {
            let counter = counter.clone();
            async move {
                counter.fetch_add(1, Ordering::SeqCst);
                Ok::<_, BoxError>(Outcome::complete())
            }
        })
        .build()
        .expect("rival");
    let metrics = worker.metrics();
    let (stop_a, stop_b) = (worker.shutdown_handle(), rival.shutdown_handle());
    let run_a = tokio::spawn(worker.run());
    wait_until(
        "task locked by the first worker",
        LIMIT,
        || matches!(engine.outcome(&id), Some(EngineOutcome::Locked(w)) if w == "extender"),
    )
    .await;
    let run_b = tokio::spawn(rival.run());
    wait_until("task completed", LIMIT, || {
        engine.outcome(&id) == Some(EngineOutcome::Completed)
    })
    .await;
    stop_a.shutdown();
    stop_b.shutdown();
    run_a.await.expect("worker");
    run_b.await.expect("rival");

    let extensions = engine
        .history(&id)
        .iter()
        .filter(|e| matches!(e, TaskEvent::LockExtended { .. }))
        .count();
    println!(
        "lock extensions: engine saw {extensions}, worker counted {}",
        metrics.snapshot().lock_extensions
    );
    assert!(extensions >= 2, "history: {:?}", engine.history(&id));
    assert_eq!(metrics.snapshot().lock_extensions as usize, extensions);
    assert_eq!(rival_got.load(Ordering::SeqCst), 0);
    assert_eq!(
        engine.completion(&id).map(|c| c.0).as_deref(),
        Some("extender")
    );
    check_invariant(&engine, &[id], false);
}

async fn a_lock_lost_during_a_slow_handler_drops_the_result() {
    let engine = TestEngine::start().await.expect("engine");
    let id = engine.create_task(TaskSpec::new("slow")).expect("task");
    let started = Arc::new(tokio::sync::Notify::new());
    let release = Arc::new(tokio::sync::Notify::new());
    let (s, r) = (started.clone(), release.clone());
    let worker = Worker::builder(client(&engine))
        .worker_id("slowpoke")
        // One slot: while the handler runs the worker does not poll (and cannot re-lock it).
        .max_concurrent_handlers(1)
        .lock_duration(Duration::from_secs(30))
        .no_lock_extension()
        .subscribe("slow", move |_task: Task| {
            let (s, r) = (s.clone(), r.clone());
            async move {
                s.notify_one();
                r.notified().await;
                Ok::<_, BoxError>(Outcome::complete())
            }
        })
        .build()
        .expect("worker");
    let metrics = worker.metrics();
    let shutdown = worker.shutdown_handle();
    let run = tokio::spawn(worker.run());
    started.notified().await;

    // The lock runs out on the engine's clock and another worker takes the task.
    engine.advance(Duration::from_secs(31));
    let other = client(&engine);
    let body: camunda7_client::models::FetchExternalTasksDto = serde_json::from_value(json!({
        "workerId": "other",
        "maxTasks": 1,
        "topics": [{ "topicName": "slow", "lockDuration": 60000 }]
    }))
    .expect("fetch body");
    let taken = other
        .external_task()
        .fetch_and_lock(&body)
        .await
        .expect("fetch by the other worker");
    assert_eq!(taken.len(), 1);

    // The slow handler finishes: its result is refused (400) and dropped, not retried.
    release.notify_one();
    wait_until("report refused", LIMIT, || {
        metrics.snapshot().reports_lock_lost == 1
    })
    .await;
    assert_eq!(
        engine.outcome(&id),
        Some(EngineOutcome::Locked("other".into()))
    );
    let complete: camunda7_client::models::CompleteExternalTaskDto =
        serde_json::from_value(json!({ "workerId": "other" })).expect("complete body");
    other
        .external_task()
        .complete_external_task_resource(&id, &complete)
        .await
        .expect("complete by the other worker");
    shutdown.shutdown();
    let summary = run.await.expect("worker");
    assert_eq!(summary.metrics.completed, 0);
    assert_eq!(summary.metrics.report_retries, 0);
    assert_eq!(
        engine.completion(&id).map(|c| c.0).as_deref(),
        Some("other")
    );
    check_invariant(&engine, &[id], false);
}

async fn never_runs_more_handlers_than_the_pool_allows() {
    let engine = TestEngine::start().await.expect("engine");
    let ids = engine
        .create_tasks((0..30).map(|_| TaskSpec::new("pool")))
        .expect("tasks");
    let running = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let (r, p) = (running.clone(), peak.clone());
    let worker = Worker::builder(client(&engine))
        .max_tasks(10)
        .max_concurrent_handlers(3)
        .subscribe("pool", move |_task: Task| {
            let (r, p) = (r.clone(), p.clone());
            async move {
                let now = r.fetch_add(1, Ordering::SeqCst) + 1;
                p.fetch_max(now, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(30)).await;
                r.fetch_sub(1, Ordering::SeqCst);
                Ok::<_, BoxError>(Outcome::complete())
            }
        })
        .build()
        .expect("worker");
    let mut most_locked = 0;
    let summary = run_until_all_completed(&engine, &ids, worker, || {
        most_locked = most_locked.max(engine.stats().locked);
    })
    .await;
    println!(
        "peak handlers {}, most tasks locked at once {most_locked}, polls {}",
        peak.load(Ordering::SeqCst),
        summary.metrics.polls
    );
    assert!(peak.load(Ordering::SeqCst) <= 3);
    // Three handlers running, and up to three results being reported.
    assert!(most_locked <= 6, "locked {most_locked} tasks at once");
    check_invariant(&engine, &ids, false);
}

async fn the_next_task_is_fetched_while_a_result_is_reported() {
    let engine = TestEngine::start().await.expect("engine");
    let ids = engine
        .create_tasks((0..5).map(|_| TaskSpec::new("overlap")))
        .expect("tasks");
    // Every complete takes 300 ms, so reports are slow next to the handlers.
    let _slow = engine
        .faults()
        .on(camunda7_test_engine::Operation::Complete)
        .delay(Duration::from_millis(300))
        .always();
    let worker = Worker::builder(client(&engine))
        .max_concurrent_handlers(1)
        .subscribe("overlap", |_task: Task| async {
            Ok::<_, BoxError>(Outcome::complete())
        })
        .build()
        .expect("worker");
    let metrics = worker.metrics();
    let (mut overlapped, mut most_locked, mut most_unreported) = (false, 0, 0);
    let summary = run_until_all_completed(&engine, &ids, worker, || {
        let m = metrics.snapshot();
        overlapped |= m.handlers_started >= 2 && m.completed == 0;
        most_unreported = most_unreported.max(m.handlers_started - m.completed);
        most_locked = most_locked.max(engine.stats().locked);
    })
    .await;
    println!(
        "most tasks locked at once {most_locked}, polls {}",
        summary.metrics.polls
    );
    assert!(
        overlapped,
        "the second handler should start while the first result is still being reported"
    );
    // One handler, and one report pending: a second finished handler waits for the report
    // slot and holds its own, so nothing more is fetched meanwhile.
    assert!(
        most_unreported <= 2,
        "{most_unreported} tasks started and not reported"
    );
    assert!(most_locked <= 2, "locked {most_locked} tasks at once");
    assert_eq!(summary.metrics.completed, 5);
    check_invariant(&engine, &ids, false);
}

async fn subscription_options_reach_the_engine() {
    let engine = TestEngine::start().await.expect("engine");
    let wanted = engine
        .create_task(
            TaskSpec::new("filtered")
                .business_key("order-1")
                .tenant_id("acme")
                .process_definition_key("invoice")
                .variables(json!({ "a": 1, "b": "x" }))
                .extension_property("color", "blue"),
        )
        .expect("task");
    let other_key = engine
        .create_task(
            TaskSpec::new("filtered")
                .business_key("order-2")
                .tenant_id("acme")
                .process_definition_key("invoice"),
        )
        .expect("task");
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let s = seen.clone();
    let worker = Worker::builder(client(&engine))
        .subscribe_with(
            Subscription::new("filtered")
                .business_key("order-1")
                .tenant_id_in(["acme"])
                .process_definition_key_in(["invoice"])
                .variables(["a"])
                .include_extension_properties(true),
            move |task: Task| {
                let s = s.clone();
                async move {
                    let names: Vec<String> = task.variables().names().map(str::to_owned).collect();
                    let color = task
                        .extension_properties()
                        .and_then(|p| p.get("color").cloned());
                    s.lock()
                        .map_err(|_| "poisoned")?
                        .push((task.id().to_owned(), names, color));
                    Ok::<_, BoxError>(Outcome::complete().variables(Variables::new()))
                }
            },
        )
        .build()
        .expect("worker");
    let shutdown = worker.shutdown_handle();
    let run = tokio::spawn(worker.run());
    wait_until("filtered task completed", LIMIT, || {
        engine.outcome(&wanted) == Some(EngineOutcome::Completed)
    })
    .await;
    shutdown.shutdown();
    run.await.expect("worker");
    let seen = seen.lock().expect("seen").clone();
    assert_eq!(
        seen,
        vec![(
            wanted.clone(),
            vec!["a".to_owned()],
            Some("blue".to_owned())
        )]
    );
    assert_eq!(engine.outcome(&other_key), Some(EngineOutcome::Available));
    check_invariant(&engine, &[wanted], false);
}

async fn a_handler_can_extend_its_lock() {
    let engine = TestEngine::start().await.expect("engine");
    let id = engine.create_task(TaskSpec::new("t")).expect("task");
    let worker = Worker::builder(client(&engine))
        .lock_duration(Duration::from_secs(10))
        .subscribe("t", |task: Task| async move {
            let before = task.lock_remaining();
            task.extend_lock(Duration::from_secs(600)).await?;
            assert!(task.lock_remaining() > before);
            Ok::<_, BoxError>(Outcome::complete())
        })
        .build()
        .expect("worker");
    let metrics = worker.metrics();
    let summary = worker
        .run_until(async {
            while metrics.snapshot().completed == 0 {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
        .await;
    assert_eq!(summary.metrics.lock_extensions, 1);
    assert_eq!(summary.metrics.handler_errors, 0);
    let until = engine.history(&id).into_iter().find_map(|e| match e {
        TaskEvent::LockExtended { until, .. } => Some(until),
        _ => None,
    });
    let until = until.expect("lock extended");
    assert!(until - engine.now() > chrono::TimeDelta::seconds(500));
    check_invariant(&engine, &[id], false);
}

async fn priority_and_creation_order_reach_the_engine() {
    let engine = TestEngine::start().await.expect("engine");
    let low = engine
        .create_task(TaskSpec::new("p").priority(1))
        .expect("task");
    let high = engine
        .create_task(TaskSpec::new("p").priority(50))
        .expect("task");
    engine.advance(Duration::from_secs(1));
    let newest = engine
        .create_task(TaskSpec::new("p").priority(1))
        .expect("task");
    let order = Arc::new(std::sync::Mutex::new(Vec::new()));
    let o = order.clone();
    let worker = Worker::builder(client(&engine))
        .max_tasks(1)
        .max_concurrent_handlers(1)
        .use_priority(true)
        .sort_by_create_time(camunda7_client::worker::SortOrder::Descending)
        .subscribe("p", move |task: Task| {
            let o = o.clone();
            async move {
                o.lock().map_err(|_| "poisoned")?.push(task.id().to_owned());
                Ok::<_, BoxError>(Outcome::complete())
            }
        })
        .build()
        .expect("worker");
    let seen = order.clone();
    worker
        .run_until(async move {
            while seen.lock().map(|o| o.len()).unwrap_or(0) < 3 {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
        .await;
    let order = order.lock().expect("order").clone();
    assert_eq!(order, vec![high.clone(), newest.clone(), low.clone()]);
    check_invariant(&engine, &[low, high, newest], false);
}

#[test]
fn invalid_configurations_are_rejected() {
    let client = camunda7_client::Client::new("http://127.0.0.1:9/engine-rest").expect("client");
    let ok = |_t: Task| async { Ok::<_, BoxError>(Outcome::complete()) };
    let cases = [
        Worker::builder(client.clone())
            .subscribe("", ok)
            .build()
            .err(),
        Worker::builder(client.clone())
            .max_tasks(0)
            .subscribe("t", ok)
            .build()
            .err(),
        Worker::builder(client.clone())
            .max_concurrent_handlers(0)
            .subscribe("t", ok)
            .build()
            .err(),
        Worker::builder(client.clone())
            .long_polling(Duration::from_secs(3600))
            .subscribe("t", ok)
            .build()
            .err(),
        Worker::builder(client.clone())
            .lock_extension(1.5)
            .subscribe("t", ok)
            .build()
            .err(),
        Worker::builder(client.clone())
            .subscribe("t", ok)
            .subscribe("t", ok)
            .build()
            .err(),
        Worker::builder(client.clone())
            .subscribe_with(Subscription::new("t").lock_duration(Duration::ZERO), ok)
            .build()
            .err(),
    ];
    for (i, case) in cases.iter().enumerate() {
        let error = case
            .as_ref()
            .unwrap_or_else(|| panic!("case {i} was accepted"));
        assert!(
            matches!(error, camunda7_client::Error::Config { .. }),
            "case {i}: {error}"
        );
    }
    let worker = Worker::builder(client)
        .subscribe("t", ok)
        .build()
        .expect("valid worker");
    assert!(worker.worker_id().len() > 9, "{}", worker.worker_id());
}
