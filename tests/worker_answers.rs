//! The worker under every kind of answer the engine gives: each test is one behaviour of the
//! decision table (see the `worker` module docs), and counts what matters — how often the
//! handler ran for a task, and whether the engine ever applied its result.
//!
//! Every test runs on both runtime flavours.

#[macro_use]
mod worker_support;

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use camunda7_client::worker::{
    Backoff, BackoffStrategy, CancelReason, ErrorAwareBackoff, Outcome, RefusedResults,
    RetryPolicy, Subscription, Task, Worker,
};
use camunda7_client::{Auth, BoxError, Client, Error};
use camunda7_test_engine::{Operation, Outcome as EngineOutcome, TaskEvent, TaskSpec, TestEngine};
use serde_json::json;
use worker_support::{client, wait_until};

const LIMIT: Duration = Duration::from_secs(20);

/// How often the handler ran, per task id.
#[derive(Clone, Default)]
struct Runs(Arc<Mutex<HashMap<String, usize>>>);

impl Runs {
    fn record(&self, task: &Task) {
        *self
            .0
            .lock()
            .expect("runs")
            .entry(task.id().to_owned())
            .or_default() += 1;
    }

    fn of(&self, id: &str) -> usize {
        self.0.lock().expect("runs").get(id).copied().unwrap_or(0)
    }
}

/// A handler that completes, counting its runs.
fn completing(runs: &Runs) -> impl Fn(Task) -> futures_ready::Ready {
    let runs = runs.clone();
    move |task: Task| {
        runs.record(&task);
        futures_ready::ready(Outcome::complete())
    }
}

mod futures_ready {
    use camunda7_client::worker::Outcome;
    use camunda7_client::BoxError;
    pub type Ready = std::future::Ready<Result<Outcome, BoxError>>;
    pub fn ready(outcome: impl Into<Outcome>) -> Ready {
        std::future::ready(Ok(outcome.into()))
    }
}

/// Runs `worker` until its handlers have started (`started`), then a rival worker on the same
/// topic that takes any task whose lock runs out, until all of `ids` are completed. Returns our
/// summary and the rival's handler runs.
async fn run_beside_a_rival(
    engine: &TestEngine,
    worker: Worker,
    ids: &[String],
    started: impl Fn() -> bool,
) -> (camunda7_client::worker::Summary, Runs) {
    let rival_runs = Runs::default();
    let rival = Worker::builder(client(engine))
        .worker_id("rival")
        .no_long_polling()
        .empty_poll_backoff(Backoff::constant(Duration::from_millis(20)))
        .subscribe("t", completing(&rival_runs))
        .build()
        .expect("rival");
    let (ours, theirs) = (worker.shutdown_handle(), rival.shutdown_handle());
    let run = tokio::spawn(worker.run());
    wait_until("our handlers run", LIMIT, started).await;
    let rival_run = tokio::spawn(rival.run());
    wait_until("all completed", LIMIT, || {
        worker_support::all_completed(engine, ids)
    })
    .await;
    ours.shutdown();
    theirs.shutdown();
    let summary = run.await.expect("worker");
    rival_run.await.expect("rival");
    (summary, rival_runs)
}

fn quick() -> Backoff {
    Backoff::constant(Duration::from_millis(30))
}

fn failures_of(engine: &TestEngine, id: &str) -> Vec<(Option<String>, i32)> {
    engine
        .history(id)
        .into_iter()
        .filter_map(|e| match e {
            TaskEvent::Failed {
                error_message,
                retries,
                ..
            } => Some((error_message, retries)),
            _ => None,
        })
        .collect()
}

on_both_runtimes!(
    a_permanent_500_on_complete_is_reported_as_a_failure_with_the_engines_reason,
    a_refused_variable_becomes_a_failure_report_not_a_lost_lock,
    a_suspended_task_keeps_its_result_until_it_is_activated,
    only_the_locked_by_another_worker_answer_drops_a_result,
    a_task_that_arrives_late_in_a_long_poll_gets_its_whole_lock,
    a_hung_handler_is_cut_off_at_its_time_limit_and_reported_as_failed,
    lock_keeping_resumes_after_the_handler_renews_a_lost_lock,
    a_401_or_an_auth_provider_failure_is_retried_not_dropped,
    a_failure_applied_without_an_answer_is_not_reported_again_on_the_next_lock,
    extension_retries_are_spread_over_the_remaining_lock,
    empty_answers_that_return_early_are_backed_off_with_long_polling,
    one_undecodable_task_does_not_fail_the_others,
    a_gateway_error_after_the_engine_applied_a_result_counts_as_presumably_applied,
    durations_too_large_are_refused_at_build_and_by_extend_lock,
    shutdown_gives_back_tasks_it_never_handled,
    an_answer_slower_than_the_lock_does_not_lose_the_task_to_another_worker,
    a_failure_whose_answer_was_lost_is_looked_up_before_it_is_sent_again,
    a_refused_result_can_become_an_incident_at_once,
    the_activitys_extension_properties_set_retries_and_retry_timeouts,
    a_result_waiting_for_a_report_slot_keeps_its_lock,
    a_backoff_strategy_of_ones_own_decides_the_waits_from_the_error,
);

async fn a_permanent_500_on_complete_is_reported_as_a_failure_with_the_engines_reason() {
    let engine = TestEngine::start().await.expect("engine");
    let id = engine.create_task(TaskSpec::new("t")).expect("task");
    let refusal = engine
        .faults()
        .on(Operation::Complete)
        .fail_with_error(
            500,
            "ProcessEngineException",
            "Process instance could not be resumed",
            Some(0),
        )
        .always();
    let runs = Runs::default();
    let worker = Worker::builder(client(&engine))
        .retry_policy(RetryPolicy::no_retries())
        .report_backoff(quick())
        .subscribe("t", completing(&runs))
        .build()
        .expect("worker");
    let shutdown = worker.shutdown_handle();
    let run = tokio::spawn(worker.run());
    wait_until("an incident", LIMIT, || {
        engine.outcome(&id) == Some(EngineOutcome::Incident)
    })
    .await;
    shutdown.shutdown();
    let summary = run.await.expect("worker");
    let failures = failures_of(&engine, &id);
    assert_eq!(failures.len(), 1, "{failures:?}");
    let message = failures[0].0.clone().unwrap_or_default();
    assert!(
        message.contains("ProcessEngineException")
            && message.contains("Process instance could not be resumed"),
        "{message}"
    );
    assert_eq!(runs.of(&id), 1, "the handler ran once");
    assert_eq!(refusal.fired(), 1, "complete was sent once, not retried");
    assert_eq!(summary.metrics.results_refused, 1);
    assert_eq!(summary.metrics.report_retries, 0);
}

async fn a_refused_variable_becomes_a_failure_report_not_a_lost_lock() {
    let engine = TestEngine::start().await.expect("engine");
    let id = engine.create_task(TaskSpec::new("t")).expect("task");
    let message = "Cannot convert value 'x' of type 'Integer' to java type java.lang.Integer";
    engine
        .faults()
        .on(Operation::Complete)
        .fail_with_error(400, "InvalidRequestException", message, None)
        .always();
    let runs = Runs::default();
    let worker = Worker::builder(client(&engine))
        .retry_policy(RetryPolicy::new().retries(2))
        .lock_duration(Duration::from_secs(10))
        .subscribe("t", completing(&runs))
        .build()
        .expect("worker");
    let metrics = worker.metrics();
    let shutdown = worker.shutdown_handle();
    let run = tokio::spawn(worker.run());
    wait_until("a failure reported", LIMIT, || {
        !failures_of(&engine, &id).is_empty()
    })
    .await;
    shutdown.shutdown();
    let summary = run.await.expect("worker");
    let failures = failures_of(&engine, &id);
    assert_eq!(failures.len(), 1);
    assert!(failures[0]
        .0
        .as_deref()
        .unwrap_or_default()
        .contains(message));
    assert_eq!(failures[0].1, 2, "retries from the policy");
    assert_eq!(summary.metrics.reports_lock_lost, 0);
    assert_eq!(summary.metrics.results_refused, 1);
    assert_eq!(metrics.snapshot().failed, 1);
    assert_eq!(runs.of(&id), 1);
}

async fn a_suspended_task_keeps_its_result_until_it_is_activated() {
    let engine = TestEngine::start().await.expect("engine");
    let id = engine.create_task(TaskSpec::new("t")).expect("task");
    let runs = Runs::default();
    let (release, released) = tokio::sync::watch::channel(false);
    let handler = {
        let runs = runs.clone();
        move |task: Task| {
            runs.record(&task);
            let mut released = released.clone();
            async move {
                let _ = released.wait_for(|r| *r).await;
                Ok::<_, BoxError>(Outcome::complete())
            }
        }
    };
    let worker = Worker::builder(client(&engine))
        .lock_duration(Duration::from_secs(10))
        .report_backoff(quick())
        .subscribe("t", handler)
        .build()
        .expect("worker");
    let metrics = worker.metrics();
    let shutdown = worker.shutdown_handle();
    let run = tokio::spawn(worker.run());
    wait_until("the handler runs", LIMIT, || runs.of(&id) == 1).await;
    assert!(engine.set_suspended(&id, true));
    release.send(true).expect("release");
    wait_until("the engine refuses the suspended task", LIMIT, || {
        metrics.snapshot().report_suspended_retries >= 3
    })
    .await;
    assert_eq!(engine.outcome(&id), Some(EngineOutcome::Suspended));
    assert!(engine.set_suspended(&id, false));
    wait_until("completed once activated", LIMIT, || {
        engine.outcome(&id) == Some(EngineOutcome::Completed)
    })
    .await;
    shutdown.shutdown();
    let summary = run.await.expect("worker");
    assert_eq!(runs.of(&id), 1);
    assert_eq!(summary.metrics.completed, 1);
    assert_eq!(summary.metrics.reports_lock_lost, 0);
}

async fn only_the_locked_by_another_worker_answer_drops_a_result() {
    let engine = TestEngine::start().await.expect("engine");
    let id = engine.create_task(TaskSpec::new("t")).expect("task");
    engine
        .faults()
        .on(Operation::Complete)
        .fail_with_error(
            400,
            "RestException",
            format!("External Task {id} cannot be completed by worker 'me'. It is locked by worker 'rival'."),
            Some(0),
        )
        .once();
    let runs = Runs::default();
    let worker = Worker::builder(client(&engine))
        .lock_duration(Duration::from_secs(10))
        .subscribe("t", completing(&runs))
        .build()
        .expect("worker");
    let metrics = worker.metrics();
    let shutdown = worker.shutdown_handle();
    let run = tokio::spawn(worker.run());
    wait_until("the result dropped as lock lost", LIMIT, || {
        metrics.snapshot().reports_lock_lost == 1
    })
    .await;
    shutdown.shutdown();
    let summary = run.await.expect("worker");
    assert_eq!(summary.metrics.completed, 0);
    assert_eq!(
        summary.metrics.failed, 0,
        "a lost lock is not a failure to report"
    );
    assert_eq!(summary.metrics.results_refused, 0);
    assert_eq!(runs.of(&id), 1);
}

async fn a_task_that_arrives_late_in_a_long_poll_gets_its_whole_lock() {
    let engine = TestEngine::start().await.expect("engine");
    let seen = Arc::new(Mutex::new(None));
    let handler = {
        let seen = seen.clone();
        move |task: Task| {
            *seen.lock().expect("seen") = Some(task.lock_remaining());
            futures_ready::ready(Outcome::complete())
        }
    };
    // One transient error on the report: with a lock the worker thinks has run out, it would
    // give up at once.
    engine
        .faults()
        .on(Operation::Complete)
        .fail_with_status(503)
        .once();
    let worker = Worker::builder(client(&engine))
        .long_polling(Duration::from_secs(5))
        .lock_duration(Duration::from_secs(1))
        .report_backoff(quick())
        .subscribe("t", handler)
        .build()
        .expect("worker");
    let shutdown = worker.shutdown_handle();
    let run = tokio::spawn(worker.run());
    // The poll is waiting when the task appears, well after it was sent.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let id = engine.create_task(TaskSpec::new("t")).expect("task");
    wait_until("completed", LIMIT, || {
        engine.outcome(&id) == Some(EngineOutcome::Completed)
    })
    .await;
    shutdown.shutdown();
    let summary = run.await.expect("worker");
    let remaining = seen.lock().expect("seen").expect("the handler ran");
    assert!(remaining > Duration::from_millis(700), "{remaining:?}");
    assert_eq!(summary.metrics.completed, 1);
    assert_eq!(summary.metrics.reports_abandoned, 0);
}

async fn a_hung_handler_is_cut_off_at_its_time_limit_and_reported_as_failed() {
    let engine = TestEngine::start().await.expect("engine");
    let id = engine.create_task(TaskSpec::new("t")).expect("task");
    // The handler never finishes; the test keeps its task to see what it was told.
    let kept: Arc<Mutex<Option<Arc<Task>>>> = Arc::default();
    let handler = {
        let kept = kept.clone();
        move |task: Task| {
            *kept.lock().expect("kept") = Some(Arc::new(task));
            std::future::pending::<Result<Outcome, BoxError>>()
        }
    };
    let worker = Worker::builder(client(&engine))
        .lock_duration(Duration::from_millis(400))
        .max_handler_duration(Duration::from_millis(1200))
        .retry_policy(RetryPolicy::no_retries())
        .subscribe("t", handler)
        .build()
        .expect("worker");
    let shutdown = worker.shutdown_handle();
    let run = tokio::spawn(worker.run());
    wait_until("an incident", LIMIT, || {
        engine.outcome(&id) == Some(EngineOutcome::Incident)
    })
    .await;
    let extensions = engine.requests(Operation::ExtendLock);
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(
        engine.requests(Operation::ExtendLock),
        extensions,
        "the lock is no longer extended"
    );
    assert!(
        extensions >= 2,
        "the lock was kept until the limit: {extensions}"
    );
    shutdown.shutdown();
    let summary = run.await.expect("worker");
    let failures = failures_of(&engine, &id);
    assert_eq!(failures.len(), 1);
    assert!(failures[0]
        .0
        .as_deref()
        .unwrap_or_default()
        .contains("handler exceeded 1.2 s"));
    let task = kept.lock().expect("kept").clone().expect("the handler ran");
    assert!(task.is_cancelled());
    assert_eq!(task.cancel_reason(), Some(CancelReason::TimeLimit));
    assert_eq!(summary.metrics.handlers_timed_out, 1);
    assert_eq!(summary.aborted, 0, "the slot was freed at the limit");
}

async fn lock_keeping_resumes_after_the_handler_renews_a_lost_lock() {
    let engine = TestEngine::start().await.expect("engine");
    let id = engine.create_task(TaskSpec::new("t")).expect("task");
    // The first automatic extension is refused as if another worker held the lock.
    engine
        .faults()
        .on(Operation::ExtendLock)
        .fail_with_error(
            400,
            "RestException",
            "The lock of the External Task t cannot be extended by worker 'me''. It is locked by worker 'rival'.",
            Some(0),
        )
        .once();
    let runs = Runs::default();
    let handler = {
        let runs = runs.clone();
        move |task: Task| {
            runs.record(&task);
            async move {
                // Wait for the refusal, then renew the lock by hand, then work on for several
                // lock durations: only the resumed keeper holds the lock meanwhile.
                task.cancelled().await;
                task.extend_lock(Duration::from_millis(600)).await?;
                tokio::time::sleep(Duration::from_millis(2000)).await;
                Ok::<_, BoxError>(Outcome::complete())
            }
        }
    };
    let worker = Worker::builder(client(&engine))
        .worker_id("me")
        .lock_duration(Duration::from_millis(600))
        .subscribe("t", handler)
        .build()
        .expect("worker");
    // A rival fetching the same topic takes the task the moment our lock runs out.
    let (summary, rival_runs) =
        run_beside_a_rival(&engine, worker, std::slice::from_ref(&id), || {
            runs.of(&id) == 1
        })
        .await;
    assert_eq!(rival_runs.of(&id), 0, "the rival never got the task");
    assert_eq!(summary.metrics.completed, 1);
    assert!(
        summary.metrics.lock_extensions >= 3,
        "{:?}",
        summary.metrics
    );
}

async fn a_401_or_an_auth_provider_failure_is_retried_not_dropped() {
    let engine = TestEngine::start().await.expect("engine");
    let ids = engine
        .create_tasks((0..2).map(|_| TaskSpec::new("t")))
        .expect("tasks");
    // The provider fails twice, from its third call on (the first two are the first fetch and
    // the first report).
    let calls = Arc::new(AtomicUsize::new(0));
    let provider = {
        let calls = calls.clone();
        move || {
            let n = calls.fetch_add(1, Ordering::SeqCst);
            async move {
                if (2..4).contains(&n) {
                    Err::<String, BoxError>("token service unavailable".into())
                } else {
                    Ok("Bearer token".to_owned())
                }
            }
        }
    };
    engine
        .faults()
        .on(Operation::Complete)
        .respond_raw(401, None, String::new())
        .header("WWW-Authenticate", "Basic realm=\"default\"")
        .once();
    let client = Client::builder()
        .base_url(engine.base_url())
        .auth(Auth::provider(provider))
        .timeout(Duration::from_secs(5))
        .build()
        .expect("client");
    let runs = Runs::default();
    let worker = Worker::builder(client)
        .max_tasks(1)
        .max_concurrent_handlers(1)
        .report_backoff(quick())
        .fetch_error_backoff(quick())
        .subscribe("t", completing(&runs))
        .build()
        .expect("worker");
    let summary = worker_support::run_until_all_completed(&engine, &ids, worker, || {}).await;
    for id in &ids {
        assert_eq!(runs.of(id), 1, "{id}");
    }
    assert_eq!(summary.metrics.completed, 2);
    assert_eq!(summary.metrics.reports_abandoned, 0);
    assert!(
        summary.metrics.report_credential_retries >= 1,
        "{:?}",
        summary.metrics
    );
}

async fn a_failure_applied_without_an_answer_is_not_reported_again_on_the_next_lock() {
    let engine = TestEngine::start().await.expect("engine");
    let id = engine.create_task(TaskSpec::new("t")).expect("task");
    // The first failure report is applied, its answer lost; the retry timeout is 0, so the task
    // is available again before the report's retry is due.
    engine
        .faults()
        .on(Operation::Failure)
        .drop_connection_after_applying()
        .once();
    let runs = Runs::default();
    let handler = {
        let runs = runs.clone();
        move |task: Task| {
            runs.record(&task);
            let first = task.retries().is_none();
            async move {
                Ok::<Outcome, BoxError>(if first {
                    Outcome::failure("boom")
                        .retries(3)
                        .retry_timeout(Duration::ZERO)
                        .into()
                } else {
                    Outcome::complete().into()
                })
            }
        }
    };
    let worker = Worker::builder(client(&engine))
        .report_backoff(Backoff::constant(Duration::from_millis(500)))
        .no_long_polling()
        .empty_poll_backoff(Backoff::constant(Duration::from_millis(20)))
        .subscribe("t", handler)
        .build()
        .expect("worker");
    let shutdown = worker.shutdown_handle();
    let run = tokio::spawn(worker.run());
    wait_until("completed", LIMIT, || {
        engine.outcome(&id) == Some(EngineOutcome::Completed)
    })
    .await;
    // Past the report's retry: a stale failure would show up now.
    tokio::time::sleep(Duration::from_millis(700)).await;
    shutdown.shutdown();
    let summary = run.await.expect("worker");
    assert_eq!(
        failures_of(&engine, &id).len(),
        1,
        "one failure per failing run"
    );
    assert_eq!(runs.of(&id), 2, "one run per delivery");
    assert!(engine.tasks_reported_after_end().is_empty());
    assert_eq!(summary.metrics.completed, 1);
}

async fn extension_retries_are_spread_over_the_remaining_lock() {
    let engine = TestEngine::start().await.expect("engine");
    let id = engine.create_task(TaskSpec::new("t")).expect("task");
    engine
        .faults()
        .on(Operation::ExtendLock)
        .fail_with_status(503)
        .always();
    let handler = |_task: Task| async {
        tokio::time::sleep(Duration::from_millis(1500)).await;
        Ok::<_, BoxError>(Outcome::complete())
    };
    let worker = Worker::builder(client(&engine))
        .lock_duration(Duration::from_secs(1))
        .max_concurrent_handlers(1)
        .subscribe("t", handler)
        .build()
        .expect("worker");
    let shutdown = worker.shutdown_handle();
    let run = tokio::spawn(worker.run());
    wait_until("completed", LIMIT, || {
        engine.outcome(&id) == Some(EngineOutcome::Completed)
    })
    .await;
    shutdown.shutdown();
    run.await.expect("worker");
    // Due at 500 ms, then at least 50 ms apart and never in the last 100 ms: at most 9.
    let attempts = engine.requests(Operation::ExtendLock);
    println!("{attempts} extension attempts in the last half of a 1 s lock");
    assert!((2..=9).contains(&attempts), "{attempts}");
}

async fn empty_answers_that_return_early_are_backed_off_with_long_polling() {
    let engine = TestEngine::start().await.expect("engine");
    engine
        .faults()
        .on(Operation::FetchAndLock)
        .respond_raw(200, Some("application/json"), "[]".to_owned())
        .always();
    let worker = Worker::builder(client(&engine))
        .long_polling(Duration::from_secs(30))
        .subscribe("t", completing(&Runs::default()))
        .build()
        .expect("worker");
    let shutdown = worker.shutdown_handle();
    let run = tokio::spawn(worker.run());
    tokio::time::sleep(Duration::from_millis(1500)).await;
    shutdown.shutdown();
    let summary = run.await.expect("worker");
    // 100, 200, 400, 800 ms (±20 %): about five polls in 1.5 s, not thousands.
    let polls = summary.metrics.polls;
    println!("{polls} polls in 1.5 s against an engine that answers [] at once");
    assert!((2..=10).contains(&polls), "{polls}");

    let zero = Worker::builder(client(&engine))
        .long_polling(Duration::ZERO)
        .subscribe("t", completing(&Runs::default()))
        .build();
    assert!(matches!(zero, Err(Error::Config { .. })));
}

async fn one_undecodable_task_does_not_fail_the_others() {
    let engine = TestEngine::start().await.expect("engine");
    let good = engine.create_task(TaskSpec::new("t")).expect("task");
    // A date the worker does not need, in a form it cannot read: no harm.
    let odd_date = engine
        .create_task(
            TaskSpec::new("t")
                .fetch_field_override("lockExpirationTime", json!("2025-01-01T00:00:00")),
        )
        .expect("task");
    // Variables the worker cannot read: a failure naming the field.
    let bad = engine
        .create_task(
            TaskSpec::new("t").fetch_field_override("variables", json!({"x": {"type": 5}})),
        )
        .expect("task");
    let runs = Runs::default();
    let worker = Worker::builder(client(&engine))
        .retry_policy(RetryPolicy::no_retries())
        .subscribe("t", completing(&runs))
        .build()
        .expect("worker");
    let shutdown = worker.shutdown_handle();
    let run = tokio::spawn(worker.run());
    wait_until("two completed, one incident", LIMIT, || {
        engine.outcome(&good) == Some(EngineOutcome::Completed)
            && engine.outcome(&odd_date) == Some(EngineOutcome::Completed)
            && engine.outcome(&bad) == Some(EngineOutcome::Incident)
    })
    .await;
    shutdown.shutdown();
    let summary = run.await.expect("worker");
    let failures = failures_of(&engine, &bad);
    assert_eq!(failures.len(), 1);
    let message = failures[0].0.clone().unwrap_or_default();
    assert!(message.contains("variables"), "{message}");
    assert_eq!(runs.of(&bad), 0);
    assert_eq!((runs.of(&good), runs.of(&odd_date)), (1, 1));
    assert_eq!(summary.metrics.undecodable_tasks, 1);
    assert_eq!(summary.metrics.fetch_errors, 0);
}

async fn a_gateway_error_after_the_engine_applied_a_result_counts_as_presumably_applied() {
    let engine = TestEngine::start().await.expect("engine");
    let id = engine.create_task(TaskSpec::new("t")).expect("task");
    engine
        .faults()
        .on(Operation::Complete)
        .respond_raw_after_applying(502, Some("text/html"), "<html>Bad Gateway</html>".into())
        .once();
    let runs = Runs::default();
    let worker = Worker::builder(client(&engine))
        .report_backoff(quick())
        .subscribe("t", completing(&runs))
        .build()
        .expect("worker");
    let metrics = worker.metrics();
    let shutdown = worker.shutdown_handle();
    let run = tokio::spawn(worker.run());
    wait_until("the report ends", LIMIT, || {
        let m = metrics.snapshot();
        m.reports_presumed_applied + m.reports_not_found > 0
    })
    .await;
    shutdown.shutdown();
    let summary = run.await.expect("worker");
    assert_eq!(engine.outcome(&id), Some(EngineOutcome::Completed));
    assert_eq!(summary.metrics.reports_presumed_applied, 1);
    assert_eq!(summary.metrics.reports_not_found, 0);
    assert_eq!(runs.of(&id), 1);
}

async fn durations_too_large_are_refused_at_build_and_by_extend_lock() {
    let engine = TestEngine::start().await.expect("engine");
    for (what, builder) in [
        (
            "lock_duration",
            Worker::builder(client(&engine)).lock_duration(Duration::MAX),
        ),
        (
            "report_timeout",
            Worker::builder(client(&engine)).report_timeout(Duration::MAX),
        ),
        (
            "max_handler_duration",
            Worker::builder(client(&engine)).max_handler_duration(Duration::MAX),
        ),
        (
            "shutdown_timeout",
            Worker::builder(client(&engine)).shutdown_timeout(Duration::MAX),
        ),
        (
            "report_backoff",
            Worker::builder(client(&engine))
                .report_backoff(Backoff::exponential(Duration::MAX, Duration::MAX)),
        ),
    ] {
        let built = builder.subscribe("t", completing(&Runs::default())).build();
        match built {
            Err(Error::Config { message }) => assert!(message.contains(what), "{message}"),
            other => panic!("{what}: {other:?}"),
        }
    }

    let id = engine.create_task(TaskSpec::new("t")).expect("task");
    let refused = Arc::new(Mutex::new(None));
    let handler = {
        let refused = refused.clone();
        move |task: Task| {
            let refused = refused.clone();
            async move {
                let result = task.extend_lock(Duration::MAX).await;
                *refused.lock().expect("refused") =
                    Some(matches!(result, Err(Error::Config { .. })));
                Ok::<_, BoxError>(Outcome::complete())
            }
        }
    };
    let worker = Worker::builder(client(&engine))
        .subscribe("t", handler)
        .build()
        .expect("worker");
    let summary = worker_support::run_until_all_completed(&engine, &[id], worker, || {}).await;
    assert_eq!(*refused.lock().expect("refused"), Some(true));
    assert_eq!(summary.metrics.completed, 1);
}

async fn shutdown_gives_back_tasks_it_never_handled() {
    let engine = TestEngine::start().await.expect("engine");
    // A task of a topic the worker has no handler for (the engine should never send one) is
    // unlocked at once rather than left to wait out its lock.
    let stray = engine
        .create_task(TaskSpec::new("t").fetch_field_override("topicName", json!("elsewhere")))
        .expect("task");
    let worker = Worker::builder(client(&engine))
        .lock_duration(Duration::from_secs(60))
        .subscribe("t", completing(&Runs::default()))
        .build()
        .expect("worker");
    let metrics = worker.metrics();
    let shutdown = worker.shutdown_handle();
    let run = tokio::spawn(worker.run());
    wait_until("the stray task is unlocked", LIMIT, || {
        metrics.snapshot().tasks_unlocked >= 1
    })
    .await;
    // Once the engine sends it for the right topic, it is handled.
    engine.clear_fetch_field_overrides(&stray);
    wait_until("the task is completed", LIMIT, || {
        engine.outcome(&stray) == Some(EngineOutcome::Completed)
    })
    .await;
    shutdown.shutdown();
    let summary = run.await.expect("worker");
    assert!(summary.aborted_tasks.is_empty());
    assert_eq!(summary.metrics.completed, 1);

    // A long poll cancelled by the shutdown after the engine locked tasks for it: the tasks
    // are found and unlocked before `run` returns.
    let engine = TestEngine::start().await.expect("engine");
    let ids = engine
        .create_tasks((0..3).map(|_| TaskSpec::new("t")))
        .expect("tasks");
    engine
        .faults()
        .on(Operation::FetchAndLock)
        .delay_after_applying(Duration::from_secs(10))
        .once();
    let worker = Worker::builder(client(&engine))
        .lock_duration(Duration::from_secs(60))
        .subscribe("t", completing(&Runs::default()))
        .build()
        .expect("worker");
    let shutdown = worker.shutdown_handle();
    let run = tokio::spawn(worker.run());
    wait_until("the engine locked the tasks", LIMIT, || {
        ids.iter()
            .all(|id| matches!(engine.outcome(id), Some(EngineOutcome::Locked(_))))
    })
    .await;
    let started = Instant::now();
    shutdown.shutdown();
    let summary = run.await.expect("worker");
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(summary.unlocked_at_shutdown, 3);
    for id in &ids {
        assert_eq!(engine.outcome(id), Some(EngineOutcome::Available), "{id}");
    }
}

async fn an_answer_slower_than_the_lock_does_not_lose_the_task_to_another_worker() {
    let engine = TestEngine::start().await.expect("engine");
    let id = engine.create_task(TaskSpec::new("t")).expect("task");
    // The completion takes three lock durations to be answered.
    engine
        .faults()
        .on(Operation::Complete)
        .delay(Duration::from_millis(1800))
        .once();
    let runs = Runs::default();
    let worker = Worker::builder(client(&engine))
        .worker_id("slow-answer")
        .lock_duration(Duration::from_millis(600))
        .subscribe("t", completing(&runs))
        .build()
        .expect("worker");
    // A rival fetching the same topic takes the task the moment our lock runs out.
    let (summary, rival_runs) =
        run_beside_a_rival(&engine, worker, std::slice::from_ref(&id), || {
            runs.of(&id) == 1
        })
        .await;
    assert_eq!(rival_runs.of(&id), 0, "the rival never got the task");
    assert_eq!(summary.metrics.completed, 1);
    assert!(
        summary.metrics.lock_extensions >= 2,
        "{:?}",
        summary.metrics
    );
}

async fn a_failure_whose_answer_was_lost_is_looked_up_before_it_is_sent_again() {
    let engine = TestEngine::start().await.expect("engine");
    let id = engine.create_task(TaskSpec::new("t")).expect("task");
    // Applied, then a gateway's 504: the worker cannot tell whether the engine has it.
    engine
        .faults()
        .on(Operation::Failure)
        .respond_raw_after_applying(504, Some("text/plain"), "Gateway Timeout".into())
        .once();
    let worker = Worker::builder(client(&engine))
        .report_backoff(quick())
        .subscribe("t", |_task: Task| async {
            Ok::<_, BoxError>(
                Outcome::failure("not today")
                    .retries(2)
                    .retry_timeout(Duration::from_secs(60)),
            )
        })
        .build()
        .expect("worker");
    let metrics = worker.metrics();
    let shutdown = worker.shutdown_handle();
    let run = tokio::spawn(worker.run());
    wait_until("the report ends", LIMIT, || {
        metrics.snapshot().reports_presumed_applied == 1
    })
    .await;
    shutdown.shutdown();
    let summary = run.await.expect("worker");
    // Sent once: sending it again would restart the engine's retry timeout.
    assert_eq!(failures_of(&engine, &id).len(), 1);
    assert_eq!(engine.requests(Operation::Failure), 1);
    assert_eq!(summary.metrics.failed, 0, "not confirmed, presumed");
}

async fn a_refused_result_can_become_an_incident_at_once() {
    let engine = TestEngine::start().await.expect("engine");
    let id = engine.create_task(TaskSpec::new("t")).expect("task");
    engine
        .faults()
        .on(Operation::BpmnError)
        .fail_with_error(
            500,
            "ProcessEngineException",
            "ENGINE-13033 Propagation of bpmn error NOPE failed. ",
            Some(0),
        )
        .always();
    let runs = Runs::default();
    let handler = {
        let runs = runs.clone();
        move |task: Task| {
            runs.record(&task);
            futures_ready::ready(Outcome::bpmn_error("NOPE"))
        }
    };
    let worker = Worker::builder(client(&engine))
        .retry_policy(RetryPolicy::new().retries(5))
        .refused_results(RefusedResults::Incident)
        .subscribe("t", handler)
        .build()
        .expect("worker");
    let shutdown = worker.shutdown_handle();
    let run = tokio::spawn(worker.run());
    wait_until("an incident", LIMIT, || {
        engine.outcome(&id) == Some(EngineOutcome::Incident)
    })
    .await;
    shutdown.shutdown();
    let summary = run.await.expect("worker");
    let failures = failures_of(&engine, &id);
    assert_eq!(failures.len(), 1);
    assert_eq!(
        failures[0].1, 0,
        "no retries left, whatever the policy gives"
    );
    assert!(failures[0]
        .0
        .as_deref()
        .unwrap_or_default()
        .contains("ENGINE-13033"));
    assert_eq!(runs.of(&id), 1);
    assert_eq!(summary.metrics.results_refused, 1);
}

async fn the_activitys_extension_properties_set_retries_and_retry_timeouts() {
    let engine = TestEngine::start().await.expect("engine");
    let cycle = engine
        .create_task(TaskSpec::new("t").extension_property("retries", "R2/PT7S"))
        .expect("task");
    let list = engine
        .create_task(TaskSpec::new("t").extension_property("retryTimeouts", "PT3S,PT9S"))
        .expect("task");
    let unreadable = engine
        .create_task(TaskSpec::new("t").extension_property("retries", "often"))
        .expect("task");
    let plain = engine.create_task(TaskSpec::new("t")).expect("task");
    let worker = Worker::builder(client(&engine))
        .retry_policy(
            RetryPolicy::new()
                .retries(5)
                .retry_timeout(Duration::from_secs(1), Duration::from_secs(60)),
        )
        .subscribe_with(
            Subscription::new("t").include_extension_properties(true),
            |_task: Task| futures_ready::ready(Outcome::failure("not now")),
        )
        .build()
        .expect("worker");
    let shutdown = worker.shutdown_handle();
    let run = tokio::spawn(worker.run());
    let ids = [&cycle, &list, &unreadable, &plain];
    wait_until("a failure for each", LIMIT, || {
        ids.iter().all(|id| !failures_of(&engine, id).is_empty())
    })
    .await;
    shutdown.shutdown();
    run.await.expect("worker");
    let first = |id: &str| {
        engine
            .history(id)
            .into_iter()
            .find_map(|e| match e {
                TaskEvent::Failed {
                    retries,
                    retry_timeout_ms,
                    ..
                } => Some((retries, retry_timeout_ms)),
                _ => None,
            })
            .expect("a failure")
    };
    assert_eq!(first(&cycle), (2, 7_000), "R2/PT7S");
    assert_eq!(
        first(&list),
        (2, 3_000),
        "PT3S,PT9S: two retries, 3 s first"
    );
    assert_eq!(
        first(&unreadable),
        (5, 1_000),
        "unreadable: the worker's policy"
    );
    assert_eq!(
        first(&plain),
        (5, 1_000),
        "no properties: the worker's policy"
    );
}

async fn a_result_waiting_for_a_report_slot_keeps_its_lock() {
    let engine = TestEngine::start().await.expect("engine");
    let ids = engine
        .create_tasks((0..2).map(|_| TaskSpec::new("t")))
        .expect("tasks");
    // The first report is answered after three lock durations; with one report slot, the
    // second task's finished handler waits for it all that time.
    engine
        .faults()
        .on(Operation::Complete)
        .delay(Duration::from_millis(1800))
        .once();
    let runs = Runs::default();
    let worker = Worker::builder(client(&engine))
        .worker_id("one-slot")
        .max_tasks(1)
        .max_concurrent_handlers(1)
        .lock_duration(Duration::from_millis(600))
        .subscribe("t", completing(&runs))
        .build()
        .expect("worker");
    let (summary, rival_runs) = run_beside_a_rival(&engine, worker, &ids, || {
        ids.iter().all(|id| runs.of(id) == 1)
    })
    .await;
    for id in &ids {
        assert_eq!(rival_runs.of(id), 0, "the rival never got {id}");
    }
    assert_eq!(summary.metrics.completed, 2);
    assert_eq!(summary.metrics.reports_lock_lost, 0);
}

/// What a backoff strategy was asked: the failure count and the status of the error.
type Asked = Vec<(u32, Option<u16>)>;

/// Records what it was asked, and answers at once.
#[derive(Debug, Clone, Default)]
struct Recording(Arc<Mutex<Asked>>);

impl BackoffStrategy for Recording {
    fn delay(&self, failures: u32, error: Option<&Error>) -> Duration {
        let status = error.and_then(Error::status).map(|s| s.as_u16());
        self.0.lock().expect("calls").push((failures, status));
        Duration::from_millis(5)
    }

    fn max_delay(&self) -> Duration {
        Duration::from_millis(5)
    }
}

async fn a_backoff_strategy_of_ones_own_decides_the_waits_from_the_error() {
    let engine = TestEngine::start().await.expect("engine");
    let id = engine.create_task(TaskSpec::new("t")).expect("task");
    engine
        .faults()
        .on(Operation::FetchAndLock)
        .fail_with_status(503)
        .times(2);
    engine
        .faults()
        .on(Operation::Complete)
        .fail_with_status(429)
        .times(2);
    let fetches = Recording::default();
    let reports = Recording::default();
    let worker = Worker::builder(client(&engine))
        .fetch_error_backoff(fetches.clone())
        .report_backoff(reports.clone())
        .subscribe("t", completing(&Runs::default()))
        .build()
        .expect("worker");
    worker_support::run_until_all_completed(&engine, std::slice::from_ref(&id), worker, || {})
        .await;
    assert_eq!(
        *fetches.0.lock().expect("calls"),
        vec![(1, Some(503)), (2, Some(503))]
    );
    assert_eq!(
        *reports.0.lock().expect("calls"),
        vec![(1, Some(429)), (2, Some(429))]
    );

    // The error-aware one picks the backoff of the status.
    let aware = ErrorAwareBackoff::new(Backoff::constant(Duration::from_millis(1)))
        .on_status(503, Backoff::constant(Duration::from_secs(7)));
    let unavailable = Error::Config {
        message: "no status".into(),
    };
    assert_eq!(aware.delay(1, Some(&unavailable)), Duration::from_millis(1));
    assert_eq!(aware.delay(1, None), Duration::from_millis(1));
    assert_eq!(aware.max_delay(), Duration::from_secs(7));
}
