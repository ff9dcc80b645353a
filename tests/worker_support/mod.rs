//! Shared helpers for the worker tests: a client for a test engine, waiting for a condition,
//! and the invariant every test checks.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use camunda7_client::worker::{Summary, Worker};
use camunda7_client::Client;
use camunda7_test_engine::{Outcome, TaskEvent, TestEngine};

/// A client for `engine` with a short request timeout.
pub fn client(engine: &TestEngine) -> Client {
    Client::builder()
        .base_url(engine.base_url())
        .timeout(Duration::from_secs(5))
        .build()
        .expect("client for the test engine")
}

/// Polls `condition` every 10 ms until it holds; panics with `what` after `limit`.
pub async fn wait_until(what: &str, limit: Duration, mut condition: impl FnMut() -> bool) {
    let start = Instant::now();
    while !condition() {
        assert!(
            start.elapsed() < limit,
            "timed out after {limit:?} waiting for: {what}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// How the tasks ended, for printing and assertions.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Ends {
    pub completed: usize,
    pub bpmn_errors: usize,
    /// Failure reported, retries left (waiting for the retry timeout or to be fetched again).
    pub failed_with_retries: usize,
    /// Failure reported with retries 0.
    pub incidents: usize,
    /// Still locked and unreported (allowed only after an aborted shutdown).
    pub locked_unreported: usize,
}

/// The invariant: each task ends completed exactly once, or failure-reported (retries left or an
/// incident), or BPMN error; or, only when `allow_locked` (an aborted shutdown), still locked and
/// unreported. None lost (available and never reported), none completed twice.
pub fn check_invariant(engine: &TestEngine, ids: &[String], allow_locked: bool) -> Ends {
    let twice = engine.tasks_completed_more_than_once();
    assert!(
        twice.is_empty(),
        "tasks completed more than once: {twice:?}"
    );
    let counts = engine.completion_counts();
    let mut ends = Ends::default();
    let mut bad = BTreeMap::new();
    for id in ids {
        let history = engine.history(id);
        let failure_reported = history
            .iter()
            .any(|e| matches!(e, TaskEvent::Failed { .. }));
        match engine.outcome(id) {
            Some(Outcome::Completed) => {
                assert_eq!(counts.get(id), Some(&1), "task {id} completion count");
                ends.completed += 1;
            }
            Some(Outcome::BpmnError) => ends.bpmn_errors += 1,
            Some(Outcome::FailedWithRetries) if failure_reported => ends.failed_with_retries += 1,
            Some(Outcome::Incident) if failure_reported => ends.incidents += 1,
            Some(Outcome::Locked(_)) if allow_locked && !failure_reported => {
                ends.locked_unreported += 1
            }
            other => {
                bad.insert(id.clone(), format!("{other:?}; history {history:?}"));
            }
        }
    }
    assert!(
        bad.is_empty(),
        "{} task(s) lost or in a wrong state (first 5): {:#?}",
        bad.len(),
        bad.iter().take(5).collect::<Vec<_>>()
    );
    ends
}

/// Whether every task is in a final state (completed, BPMN error, or an incident).
pub fn all_final(engine: &TestEngine, ids: &[String]) -> bool {
    ids.iter().all(|id| {
        matches!(
            engine.outcome(id),
            Some(Outcome::Completed | Outcome::BpmnError | Outcome::Incident)
        )
    })
}

/// Whether every task was completed.
pub fn all_completed(engine: &TestEngine, ids: &[String]) -> bool {
    ids.iter()
        .all(|id| engine.outcome(id) == Some(Outcome::Completed))
}

/// Runs `worker` until every task of `ids` is completed (30 s at most), calling `sample` at each
/// check to record what the test watches while it runs; then shuts the worker down and returns
/// its summary.
pub async fn run_until_all_completed(
    engine: &TestEngine,
    ids: &[String],
    worker: Worker,
    mut sample: impl FnMut(),
) -> Summary {
    let shutdown = worker.shutdown_handle();
    let run = tokio::spawn(worker.run());
    wait_until("all completed", Duration::from_secs(30), || {
        sample();
        all_completed(engine, ids)
    })
    .await;
    shutdown.shutdown();
    run.await.expect("worker")
}

/// Runs each named `async fn` (no arguments) as two tests, `NAME::current_thread` and
/// `NAME::multi_thread`: the worker takes different paths on the two runtime flavours
/// (`#[tokio::main]` users get the multi-thread one), so every behaviour is checked on both.
#[macro_export]
macro_rules! on_both_runtimes {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "current_thread")]
            async fn current_thread() {
                super::$name().await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn multi_thread() {
                super::$name().await
            }
        }
    )*};
}
