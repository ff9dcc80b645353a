//! What a handler can do beyond returning a result: be tested with no server at all, give its
//! task back, and read a File variable's content through the worker's client.

#[macro_use]
mod worker_support;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use camunda7_client::worker::{Outcome, Task, Worker};
use camunda7_client::{BoxError, Error};
use camunda7_test_engine::{Outcome as EngineOutcome, TaskEvent, TaskSpec, TestEngine};
use worker_support::{client, run_until_all_completed};

on_both_runtimes!(
    unlock_gives_the_task_back_at_once,
    a_handler_reads_a_file_variable_through_the_worker,
);

/// The handler under test: approves small amounts, fails large ones.
async fn approve(task: Task) -> Result<Outcome, BoxError> {
    let amount: i64 = task.variables().get("amount")?;
    Ok(if amount < 1_000 {
        Outcome::complete().variable("approved", true).into()
    } else {
        Outcome::failure("too large").retries(0).into()
    })
}

#[tokio::test]
async fn a_handler_is_tested_with_no_server() {
    let small = Task::builder("approve").variable("amount", 10_i64).build();
    assert_eq!(
        approve(small).await.expect("handled"),
        Outcome::complete().variable("approved", true)
    );
    let large = Task::builder("approve")
        .variable("amount", 5_000_i64)
        .build();
    assert_eq!(
        approve(large).await.expect("handled"),
        Outcome::failure("too large").retries(0)
    );
    // A missing variable is the handler's error, as it would be with a real task.
    let missing = Task::builder("approve").build();
    assert!(approve(missing).await.is_err());

    // A test task keeps its lock locally and has only the files it was given.
    let task = Task::builder("approve")
        .lock_duration(Duration::from_secs(1))
        .file("invoice", &b"%PDF"[..])
        .build();
    task.extend_lock(Duration::from_secs(60))
        .await
        .expect("extended");
    assert!(task.lock_remaining() > Duration::from_secs(50));
    assert_eq!(&task.file("invoice").await.expect("file")[..], b"%PDF");
    assert!(matches!(
        task.file("other").await,
        Err(Error::Config { .. })
    ));
}

async fn unlock_gives_the_task_back_at_once() {
    let engine = TestEngine::start().await.expect("engine");
    let id = engine.create_task(TaskSpec::new("t")).expect("task");
    let runs = Arc::new(Mutex::new(0));
    let handler = {
        let runs = runs.clone();
        move |_task: Task| {
            let first = {
                let mut runs = runs.lock().expect("runs");
                *runs += 1;
                *runs == 1
            };
            async move {
                Ok::<Outcome, BoxError>(if first {
                    Outcome::unlock()
                } else {
                    Outcome::complete().into()
                })
            }
        }
    };
    let worker = Worker::builder(client(&engine))
        // Without the unlock, the second run would wait for this lock to run out.
        .lock_duration(Duration::from_secs(60))
        .subscribe("t", handler)
        .build()
        .expect("worker");
    let started = Instant::now();
    let summary = run_until_all_completed(&engine, std::slice::from_ref(&id), worker, || {}).await;
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(*runs.lock().expect("runs"), 2);
    assert_eq!(summary.metrics.tasks_unlocked, 1);
    assert_eq!(summary.metrics.failed, 0, "an unlock is not a failure");
    let history = engine.history(&id);
    assert!(
        history
            .iter()
            .any(|e| matches!(e, TaskEvent::Unlocked { .. })),
        "{history:?}"
    );
    assert!(engine.task(&id).is_none() || engine.outcome(&id) == Some(EngineOutcome::Completed));
}

async fn a_handler_reads_a_file_variable_through_the_worker() {
    let engine = TestEngine::start().await.expect("engine");
    let content = b"invoice #42, total 99.50".to_vec();
    let id = engine
        .create_task(TaskSpec::new("t").file_variable(
            "invoice",
            "invoice.txt",
            Some("text/plain"),
            &content,
        ))
        .expect("task");
    let read = Arc::new(Mutex::new(None));
    let handler = {
        let read = read.clone();
        move |task: Task| {
            let read = read.clone();
            async move {
                let bytes = task.file("invoice").await?;
                let missing = task.file("nothing-here").await;
                *read.lock().expect("read") = Some((bytes.to_vec(), missing.err()));
                Ok::<_, BoxError>(Outcome::complete())
            }
        }
    };
    let worker = Worker::builder(client(&engine))
        .subscribe("t", handler)
        .build()
        .expect("worker");
    run_until_all_completed(&engine, std::slice::from_ref(&id), worker, || {}).await;
    let (bytes, missing) = read.lock().expect("read").take().expect("the handler ran");
    assert_eq!(bytes, content);
    let missing = missing.expect("no such variable");
    assert_eq!(missing.status().map(|s| s.as_u16()), Some(404), "{missing}");
}
