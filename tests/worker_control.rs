//! Steering a running worker: pause and resume, subscribe and unsubscribe, with tasks flowing.
//! A paused worker fetches nothing; an unsubscribed topic's running handlers finish and report.

#[macro_use]
mod worker_support;

use std::time::Duration;

use camunda7_client::worker::{Outcome, Task, Worker};
use camunda7_client::{BoxError, Error};
use camunda7_test_engine::{Operation, Outcome as EngineOutcome, TaskSpec, TestEngine};
use worker_support::{all_completed, check_invariant, client, wait_until};

on_both_runtimes!(
    a_paused_worker_fetches_nothing_until_it_is_resumed,
    an_unsubscribed_topics_running_handlers_finish_and_report,
    a_topic_subscribed_while_the_worker_runs_is_fetched,
);

const LIMIT: Duration = Duration::from_secs(20);

async fn complete(_task: Task) -> Result<Outcome, BoxError> {
    Ok(Outcome::complete().into())
}

fn locked_or_done(engine: &TestEngine, id: &str) -> bool {
    !matches!(engine.outcome(id), Some(EngineOutcome::Available))
}

async fn a_paused_worker_fetches_nothing_until_it_is_resumed() {
    let engine = TestEngine::start().await.expect("engine");
    let first = engine
        .create_tasks((0..5).map(|_| TaskSpec::new("t")))
        .expect("tasks");
    let worker = Worker::builder(client(&engine))
        .long_polling(Duration::from_secs(30))
        .subscribe("t", complete)
        .build()
        .expect("worker");
    let control = worker.control();
    let shutdown = worker.shutdown_handle();
    let run = tokio::spawn(worker.run());
    wait_until("the first tasks", LIMIT, || all_completed(&engine, &first)).await;

    control.pause();
    assert!(control.is_paused());
    // The long poll in flight is cancelled; after that, not one request to fetch.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let polls = engine.requests(Operation::FetchAndLock);
    let second = engine
        .create_tasks((0..5).map(|_| TaskSpec::new("t")))
        .expect("tasks");
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert_eq!(
        engine.requests(Operation::FetchAndLock),
        polls,
        "fetched while paused"
    );
    for id in &second {
        assert_eq!(engine.outcome(id), Some(EngineOutcome::Available), "{id}");
    }

    control.resume();
    wait_until("the tasks after the pause", LIMIT, || {
        all_completed(&engine, &second)
    })
    .await;
    shutdown.shutdown();
    let summary = run.await.expect("worker");
    assert_eq!(summary.metrics.completed, 10);
    let all: Vec<String> = first.into_iter().chain(second).collect();
    check_invariant(&engine, &all, false);
}

async fn an_unsubscribed_topics_running_handlers_finish_and_report() {
    let engine = TestEngine::start().await.expect("engine");
    let slow = engine.create_task(TaskSpec::new("slow")).expect("task");
    let (release, released) = tokio::sync::watch::channel(false);
    let (started, mut started_rx) = tokio::sync::watch::channel(false);
    let handler = move |_task: Task| {
        let mut released = released.clone();
        let started = started.clone();
        async move {
            started.send_replace(true);
            let _ = released.wait_for(|r| *r).await;
            Ok::<_, BoxError>(Outcome::complete())
        }
    };
    let worker = Worker::builder(client(&engine))
        .subscribe("slow", handler)
        .subscribe("other", complete)
        .build()
        .expect("worker");
    let control = worker.control();
    let shutdown = worker.shutdown_handle();
    let run = tokio::spawn(worker.run());
    tokio::time::timeout(LIMIT, started_rx.wait_for(|s| *s))
        .await
        .expect("the slow handler starts")
        .expect("started");

    assert!(control.unsubscribe("slow"));
    assert!(!control.unsubscribe("slow"), "already gone");
    assert_eq!(control.topics(), vec!["other".to_owned()]);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let later = engine.create_task(TaskSpec::new("slow")).expect("task");
    let other = engine.create_task(TaskSpec::new("other")).expect("task");
    wait_until("the other topic goes on", LIMIT, || {
        engine.outcome(&other) == Some(EngineOutcome::Completed)
    })
    .await;
    // The running handler of the unsubscribed topic finishes and its result is reported.
    release.send_replace(true);
    wait_until("the running task is reported", LIMIT, || {
        engine.outcome(&slow) == Some(EngineOutcome::Completed)
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        engine.outcome(&later),
        Some(EngineOutcome::Available),
        "no new task of the unsubscribed topic"
    );
    shutdown.shutdown();
    let summary = run.await.expect("worker");
    assert_eq!(summary.metrics.completed, 2);
    check_invariant(&engine, &[slow, other], false);
}

async fn a_topic_subscribed_while_the_worker_runs_is_fetched() {
    let engine = TestEngine::start().await.expect("engine");
    let ids = engine
        .create_tasks((0..3).map(|_| TaskSpec::new("late")))
        .expect("tasks");
    // No topic at all to begin with: the worker waits for one.
    let worker = Worker::builder(client(&engine))
        .long_polling(Duration::from_secs(30))
        .build()
        .expect("a worker with no topic yet");
    let control = worker.control();
    let shutdown = worker.shutdown_handle();
    let run = tokio::spawn(worker.run());
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(engine.requests(Operation::FetchAndLock), 0);
    assert!(ids.iter().all(|id| !locked_or_done(&engine, id)));

    control.subscribe("late", complete).expect("subscribed");
    let twice = control.subscribe("late", complete);
    assert!(matches!(twice, Err(Error::Config { .. })), "{twice:?}");
    let empty = control.subscribe("", complete);
    assert!(matches!(empty, Err(Error::Config { .. })));
    wait_until("the new topic's tasks", LIMIT, || {
        all_completed(&engine, &ids)
    })
    .await;
    shutdown.shutdown();
    let summary = run.await.expect("worker");
    assert_eq!(summary.metrics.completed, 3);
    check_invariant(&engine, &ids, false);
}
