//! With the `metrics` feature, the worker's counters reach whatever recorder the service has
//! installed for the `metrics` facade (here a small one that keeps them in a map).
//!
//! `cargo test --features metrics --test worker_metrics` (`.ci/run` does).
#![cfg(feature = "metrics")]

#[macro_use]
mod worker_support;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use camunda7_client::worker::{Outcome, Task, Worker};
use camunda7_client::BoxError;
use camunda7_test_engine::{TaskSpec, TestEngine};
use metrics::{Counter, Gauge, Histogram, Key, KeyName, Metadata, Recorder, SharedString, Unit};
use worker_support::{client, run_until_all_completed};

/// Counters by name and `worker_id` label.
#[derive(Default)]
struct Kept(Mutex<HashMap<(String, String), Arc<AtomicU64>>>);

impl Kept {
    fn value(&self, name: &str, worker_id: &str) -> Option<u64> {
        let map = self.0.lock().expect("kept");
        map.get(&(name.to_owned(), worker_id.to_owned()))
            .map(|c| c.load(Ordering::SeqCst))
    }
}

struct KeepingRecorder(&'static Kept);

impl Recorder for KeepingRecorder {
    fn describe_counter(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_gauge(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_histogram(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}

    fn register_counter(&self, key: &Key, _: &Metadata<'_>) -> Counter {
        let worker_id = key
            .labels()
            .find(|l| l.key() == "worker_id")
            .map(|l| l.value().to_owned())
            .unwrap_or_default();
        let counter = self
            .0
             .0
            .lock()
            .expect("kept")
            .entry((key.name().to_owned(), worker_id))
            .or_default()
            .clone();
        Counter::from_arc(counter)
    }

    fn register_gauge(&self, _: &Key, _: &Metadata<'_>) -> Gauge {
        Gauge::noop()
    }

    fn register_histogram(&self, _: &Key, _: &Metadata<'_>) -> Histogram {
        Histogram::noop()
    }
}

fn kept() -> &'static Kept {
    static KEPT: OnceLock<&'static Kept> = OnceLock::new();
    KEPT.get_or_init(|| {
        let kept: &'static Kept = Box::leak(Box::default());
        metrics::set_global_recorder(KeepingRecorder(kept)).expect("one recorder");
        kept
    })
}

on_both_runtimes!(the_worker_counters_reach_the_metrics_recorder);

async fn the_worker_counters_reach_the_metrics_recorder() {
    let kept = kept();
    let engine = TestEngine::start().await.expect("engine");
    let ids = engine
        .create_tasks((0..4).map(|i| TaskSpec::new("t").variable("n", serde_json::json!(i))))
        .expect("tasks");
    // One id per flavour: both tests share the process-wide recorder.
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let worker_id = format!("metered-{}", NEXT.fetch_add(1, Ordering::SeqCst));
    let worker = Worker::builder(client(&engine))
        .worker_id(worker_id.clone())
        .subscribe("t", |task: Task| async move {
            let n: i64 = task.variables().get("n")?;
            // Task 0 fails once, then completes when the engine hands it out again.
            Ok::<Outcome, BoxError>(if n == 0 && task.retries().is_none() {
                Outcome::failure("zero")
                    .retries(1)
                    .retry_timeout(std::time::Duration::ZERO)
                    .into()
            } else {
                Outcome::complete().into()
            })
        })
        .build()
        .expect("worker");
    let summary = run_until_all_completed(&engine, &ids, worker, || {}).await;
    let m = summary.metrics;
    assert_eq!(m.completed, 4);
    for (name, expected) in [
        ("camunda7_worker_completed_total", m.completed),
        ("camunda7_worker_failed_total", m.failed),
        ("camunda7_worker_fetched_total", m.fetched),
        ("camunda7_worker_handlers_started_total", m.handlers_started),
        ("camunda7_worker_polls_total", m.polls),
    ] {
        assert_eq!(kept.value(name, &worker_id), Some(expected), "{name}");
    }
    assert_eq!(
        kept.value("camunda7_worker_failed_total", &worker_id),
        Some(1)
    );
}
