//! The worker against an engine that misbehaves: not there at start, 5xx bursts, a connection
//! dropped after the engine applied a completion; and shutdown during a long poll and during
//! running handlers.

#[macro_use]
mod worker_support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use camunda7_client::worker::{Backoff, Outcome, Summary, Task, Worker};
use camunda7_client::BoxError;
use camunda7_test_engine::{Operation, Outcome as EngineOutcome, TaskSpec, TestEngine};
use worker_support::{all_completed, check_invariant, client, run_until_all_completed, wait_until};

on_both_runtimes!(
    an_engine_down_at_start_is_picked_up_when_it_comes_up,
    bursts_of_5xx_are_retried_until_the_results_are_in,
    a_connection_dropped_after_the_completion_applied_is_not_counted_twice,
    report_retries_outlast_the_lock_and_stop_at_the_report_timeout,
    a_task_gone_before_the_report_is_dropped_as_not_found,
    shutdown_during_a_long_poll_returns_within_a_second,
    run_until_stops_on_the_signal,
    shutdown_lets_running_handlers_finish_and_report,
    the_shutdown_deadline_aborts_handlers_that_do_not_finish,
    a_single_handler_finishes_on_shutdown_or_is_aborted_at_the_deadline,
    a_second_signal_aborts_at_once,
);

const LIMIT: Duration = Duration::from_secs(30);

async fn complete(_task: Task) -> Result<Outcome, BoxError> {
    Ok(Outcome::complete().into())
}

fn quick_backoff() -> Backoff {
    Backoff::exponential(Duration::from_millis(20), Duration::from_millis(200))
}

async fn an_engine_down_at_start_is_picked_up_when_it_comes_up() {
    let engine = TestEngine::start_stopped().await.expect("engine");
    let ids = engine
        .create_tasks((0..20).map(|_| TaskSpec::new("t")))
        .expect("tasks");
    let worker = Worker::builder(client(&engine))
        .fetch_error_backoff(Backoff::exponential(
            Duration::from_millis(50),
            Duration::from_millis(500),
        ))
        .subscribe("t", complete)
        .build()
        .expect("worker");
    let metrics = worker.metrics();
    let shutdown = worker.shutdown_handle();
    let run = tokio::spawn(worker.run());
    wait_until("fetch errors while the engine is down", LIMIT, || {
        metrics.snapshot().fetch_errors >= 3
    })
    .await;
    assert_eq!(metrics.snapshot().fetched, 0);

    engine.resume().await.expect("resume");
    let up = Instant::now();
    wait_until("all completed", LIMIT, || all_completed(&engine, &ids)).await;
    let took = up.elapsed();
    shutdown.shutdown();
    let summary = run.await.expect("worker");
    println!(
        "engine down: {} fetch errors; all 20 tasks done {took:?} after the engine came up",
        summary.metrics.fetch_errors
    );
    // The error backoff is capped at 500 ms, so the worker is back well within a few seconds.
    assert!(took < Duration::from_secs(10), "{took:?}");
    let ends = check_invariant(&engine, &ids, false);
    assert_eq!(ends.completed, 20);
    assert_eq!(summary.metrics.completed, 20);
}

async fn bursts_of_5xx_are_retried_until_the_results_are_in() {
    let engine = TestEngine::start().await.expect("engine");
    let ids = engine
        .create_tasks((0..30).map(|_| TaskSpec::new("t")))
        .expect("tasks");
    let faults = engine.faults();
    let fetch_burst = faults
        .on(Operation::FetchAndLock)
        .fail_with_status(503)
        .times(4);
    let complete_burst = faults
        .on(Operation::Complete)
        .fail_with_status(502)
        .times(25);
    let worker = Worker::builder(client(&engine))
        .fetch_error_backoff(quick_backoff())
        .report_backoff(quick_backoff())
        .subscribe("t", complete)
        .build()
        .expect("worker");
    let metrics = worker.metrics();
    let summary = run_until_all_completed(&engine, &ids, worker, || {}).await;
    let m = summary.metrics;
    println!("5xx bursts: {m:?}");
    assert_eq!(fetch_burst.fired(), 4);
    assert_eq!(complete_burst.fired(), 25);
    assert_eq!(m.fetch_errors, 4);
    assert_eq!(m.report_retries, 25);
    assert_eq!(m.completed, 30);
    assert_eq!(metrics.snapshot().reports_abandoned, 0);
    check_invariant(&engine, &ids, false);
}

async fn a_connection_dropped_after_the_completion_applied_is_not_counted_twice() {
    let engine = TestEngine::start().await.expect("engine");
    let id = engine.create_task(TaskSpec::new("t")).expect("task");
    let dropped = engine
        .faults()
        .on(Operation::Complete)
        .drop_connection_after_applying()
        .once();
    let worker = Worker::builder(client(&engine))
        .report_backoff(quick_backoff())
        .subscribe("t", complete)
        .build()
        .expect("worker");
    let metrics = worker.metrics();
    let shutdown = worker.shutdown_handle();
    let run = tokio::spawn(worker.run());
    wait_until("report settled", LIMIT, || {
        metrics.snapshot().reports_presumed_applied == 1
    })
    .await;
    shutdown.shutdown();
    let summary = run.await.expect("worker");
    let m = summary.metrics;
    assert_eq!(dropped.fired(), 1);
    // One retry, answered 404: presumed applied, neither lost nor completed twice.
    assert_eq!(engine.requests(Operation::Complete), 2);
    assert_eq!(m.report_retries, 1);
    assert_eq!(
        (m.completed, m.reports_not_found, m.reports_abandoned),
        (0, 0, 0)
    );
    assert_eq!(engine.outcome(&id), Some(EngineOutcome::Completed));
    check_invariant(&engine, &[id], false);
}

async fn report_retries_outlast_the_lock_and_stop_at_the_report_timeout() {
    let engine = TestEngine::start().await.expect("engine");
    let id = engine.create_task(TaskSpec::new("t")).expect("task");
    let outage = engine
        .faults()
        .on(Operation::Complete)
        .fail_with_status(503)
        .always();
    // Fetching fails too after the first poll: a working fetch would lock the expired task for
    // this worker again (the running job then keeps the renewed lock and goes on retrying).
    let fetch_outage = engine
        .faults()
        .on(Operation::FetchAndLock)
        .fail_with_status(503)
        .after(1)
        .always();
    let worker = Worker::builder(client(&engine))
        .lock_duration(Duration::from_millis(400))
        .fetch_error_backoff(Backoff::constant(Duration::from_millis(50)))
        .no_lock_extension()
        .report_backoff(Backoff::constant(Duration::from_millis(50)))
        .report_timeout(Duration::from_millis(1200))
        .max_concurrent_handlers(1)
        .subscribe("t", complete)
        .build()
        .expect("worker");
    let metrics = worker.metrics();
    let shutdown = worker.shutdown_handle();
    let started = Instant::now();
    let run = tokio::spawn(worker.run());
    wait_until("report given up", LIMIT, || {
        metrics.snapshot().reports_abandoned == 1
    })
    .await;
    let took = started.elapsed();
    let retries = metrics.snapshot().report_retries;
    println!("report retried {retries} times over {took:?} (lock 400 ms, report timeout 1.2 s)");
    // The engine takes a result after the lock ran out while nobody else locked the task, so
    // the retries go on past the lock, up to the report timeout, and then stop.
    assert!(took >= Duration::from_millis(1200), "{took:?}");
    assert!((12..=40).contains(&retries), "{retries}");

    // The engine recovers; the task is fetched and completed again.
    outage.remove();
    fetch_outage.remove();
    wait_until("completed after the outage", LIMIT, || {
        engine.outcome(&id) == Some(EngineOutcome::Completed)
    })
    .await;
    shutdown.shutdown();
    let summary = run.await.expect("worker");
    assert_eq!(summary.metrics.completed, 1);
    assert!(summary.metrics.fetched >= 2);
    check_invariant(&engine, &[id], false);
}

async fn a_task_gone_before_the_report_is_dropped_as_not_found() {
    let engine = TestEngine::start().await.expect("engine");
    let id = engine.create_task(TaskSpec::new("t")).expect("task");
    let started = Arc::new(tokio::sync::Notify::new());
    let release = Arc::new(tokio::sync::Notify::new());
    let (s, r) = (started.clone(), release.clone());
    let worker = Worker::builder(client(&engine))
        .worker_id("w")
        .report_backoff(quick_backoff())
        .subscribe("t", move |_task: Task| {
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
    // Someone else completes the task (with the same worker id) while the handler runs.
    let body: camunda7_client::models::CompleteExternalTaskDto =
        serde_json::from_value(serde_json::json!({ "workerId": "w" })).expect("body");
    client(&engine)
        .external_task()
        .complete_external_task_resource(&id, &body)
        .await
        .expect("complete");
    release.notify_one();
    wait_until("report dropped", LIMIT, || {
        metrics.snapshot().reports_not_found == 1
    })
    .await;
    shutdown.shutdown();
    let m = run.await.expect("worker").metrics;
    assert_eq!(
        (m.completed, m.report_retries, m.reports_presumed_applied),
        (0, 0, 0)
    );
    assert_eq!(engine.requests(Operation::Complete), 2);
    check_invariant(&engine, &[id], false);
}

async fn shutdown_during_a_long_poll_returns_within_a_second() {
    let engine = TestEngine::start().await.expect("engine");
    let worker = Worker::builder(client(&engine))
        .long_polling(Duration::from_secs(30))
        .subscribe("nothing-here", complete)
        .build()
        .expect("worker");
    let shutdown = worker.shutdown_handle();
    let run = tokio::spawn(worker.run());
    wait_until("the long poll is in flight", LIMIT, || {
        engine.requests(Operation::FetchAndLock) == 1
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let signalled = Instant::now();
    shutdown.shutdown();
    let summary = run.await.expect("worker");
    let took = signalled.elapsed();
    println!(
        "shutdown during a 30 s long poll returned after {took:?} (worker measured {:?})",
        summary.shutdown_duration
    );
    assert!(took < Duration::from_secs(1), "{took:?}");
    assert_eq!(summary.aborted, 0);
    assert_eq!(engine.requests(Operation::FetchAndLock), 1);
}

async fn run_until_stops_on_the_signal() {
    let engine = TestEngine::start().await.expect("engine");
    let worker = Worker::builder(client(&engine))
        .subscribe("nothing-here", complete)
        .build()
        .expect("worker");
    let started = Instant::now();
    let summary = worker
        .run_until(tokio::time::sleep(Duration::from_millis(200)))
        .await;
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(summary.metrics.polls, 1);
}

/// A handler that signals when it starts and sleeps `for_` before completing.
fn sleeper(
    running: Arc<AtomicUsize>,
    for_: Duration,
) -> impl Fn(
    Task,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<Outcome, BoxError>> + Send>>
       + Send
       + Sync
       + 'static {
    move |_task: Task| {
        let running = running.clone();
        Box::pin(async move {
            running.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(for_).await;
            Ok(Outcome::complete().into())
        })
    }
}

/// Runs `worker` until `n` of its handlers are running, then asks it to shut down and waits for
/// it; checks that it fetched nothing once asked.
async fn shut_down_while_running(
    engine: &TestEngine,
    worker: Worker,
    running: &AtomicUsize,
    n: usize,
) -> Summary {
    let shutdown = worker.shutdown_handle();
    let run = tokio::spawn(worker.run());
    wait_until("the handlers running", LIMIT, || {
        running.load(Ordering::SeqCst) == n
    })
    .await;
    let fetches = engine.requests(Operation::FetchAndLock);
    shutdown.shutdown();
    let summary = run.await.expect("worker");
    assert_eq!(engine.requests(Operation::FetchAndLock), fetches);
    assert_eq!(running.load(Ordering::SeqCst), n);
    summary
}

async fn shutdown_lets_running_handlers_finish_and_report() {
    let engine = TestEngine::start().await.expect("engine");
    let ids = engine
        .create_tasks((0..5).map(|_| TaskSpec::new("t")))
        .expect("tasks");
    let later = engine
        .create_tasks((0..5).map(|_| TaskSpec::new("t")))
        .expect("tasks");
    let running = Arc::new(AtomicUsize::new(0));
    let worker = Worker::builder(client(&engine))
        .max_tasks(5)
        .max_concurrent_handlers(5)
        .shutdown_timeout(Duration::from_secs(20))
        .subscribe("t", sleeper(running.clone(), Duration::from_millis(500)))
        .build()
        .expect("worker");
    let summary = shut_down_while_running(&engine, worker, &running, 5).await;
    assert_eq!(summary.aborted, 0);
    assert_eq!(summary.metrics.completed, 5);
    let ends = check_invariant(&engine, &ids, false);
    assert_eq!(ends.completed, 5);
    // The other five were never fetched.
    for id in &later {
        assert_eq!(engine.outcome(id), Some(EngineOutcome::Available));
    }
}

async fn the_shutdown_deadline_aborts_handlers_that_do_not_finish() {
    let engine = TestEngine::start().await.expect("engine");
    let ids = engine
        .create_tasks((0..3).map(|_| TaskSpec::new("t")))
        .expect("tasks");
    let running = Arc::new(AtomicUsize::new(0));
    let worker = Worker::builder(client(&engine))
        .shutdown_timeout(Duration::from_millis(300))
        .subscribe("t", sleeper(running.clone(), Duration::from_secs(3600)))
        .build()
        .expect("worker");
    let shutdown = worker.shutdown_handle();
    let run = tokio::spawn(worker.run());
    wait_until("3 handlers running", LIMIT, || {
        running.load(Ordering::SeqCst) == 3
    })
    .await;
    let signalled = Instant::now();
    shutdown.shutdown();
    let summary = run.await.expect("worker");
    println!("deadline abort after {:?}", signalled.elapsed());
    assert!(signalled.elapsed() < Duration::from_secs(10));
    assert_eq!(summary.aborted, 3);
    assert_eq!(summary.metrics.reported(), 0);
    let ends = check_invariant(&engine, &ids, true);
    assert_eq!(ends.locked_unreported, 3);
}

/// With one handler the fetch loop runs the job itself; shutdown must still let it finish (and
/// report) or abort it at the deadline, exactly as for jobs running beside the loop.
async fn a_single_handler_finishes_on_shutdown_or_is_aborted_at_the_deadline() {
    for (sleep, timeout, finishes) in [
        (Duration::from_millis(500), Duration::from_secs(20), true),
        (Duration::from_secs(3600), Duration::from_millis(300), false),
    ] {
        let engine = TestEngine::start().await.expect("engine");
        let ids = engine
            .create_tasks((0..3).map(|_| TaskSpec::new("t")))
            .expect("tasks");
        let running = Arc::new(AtomicUsize::new(0));
        let worker = Worker::builder(client(&engine))
            .max_tasks(1)
            .max_concurrent_handlers(1)
            .shutdown_timeout(timeout)
            .subscribe("t", sleeper(running.clone(), sleep))
            .build()
            .expect("worker");
        let summary = shut_down_while_running(&engine, worker, &running, 1).await;
        // One task was fetched; the others were left alone.
        let fetched: Vec<String> = ids
            .iter()
            .filter(|id| engine.outcome(id) != Some(EngineOutcome::Available))
            .cloned()
            .collect();
        assert_eq!(fetched.len(), 1);
        let ends = check_invariant(&engine, &fetched, !finishes);
        if finishes {
            assert_eq!((summary.aborted, summary.metrics.completed), (0, 1));
            assert_eq!(ends.completed, 1);
        } else {
            assert_eq!((summary.aborted, summary.metrics.reported()), (1, 0));
            assert_eq!(ends.locked_unreported, 1);
        }
    }
}

async fn a_second_signal_aborts_at_once() {
    let engine = TestEngine::start().await.expect("engine");
    let ids = engine
        .create_tasks((0..2).map(|_| TaskSpec::new("t")))
        .expect("tasks");
    let quick = engine.create_task(TaskSpec::new("q")).expect("task");
    let running = Arc::new(AtomicUsize::new(0));
    let worker = Worker::builder(client(&engine))
        .shutdown_timeout(Duration::from_secs(3600))
        .subscribe("t", sleeper(running.clone(), Duration::from_secs(3600)))
        .subscribe("q", complete)
        .build()
        .expect("worker");
    let shutdown = worker.shutdown_handle();
    let run = tokio::spawn(worker.run());
    wait_until("handlers running, quick task done", LIMIT, || {
        running.load(Ordering::SeqCst) == 2
            && engine.outcome(&quick) == Some(EngineOutcome::Completed)
    })
    .await;
    shutdown.shutdown();
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(
        !run.is_finished(),
        "the graceful phase waits for the handlers"
    );
    let signalled = Instant::now();
    shutdown.shutdown();
    let summary = run.await.expect("worker");
    assert!(signalled.elapsed() < Duration::from_secs(5));
    assert_eq!(summary.aborted, 2);
    assert_eq!(summary.metrics.completed, 1);
    let mut all = ids.clone();
    all.push(quick);
    let ends = check_invariant(&engine, &all, true);
    assert_eq!((ends.locked_unreported, ends.completed), (2, 1));
}
