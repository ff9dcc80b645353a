//! fetchAndLock stays fast with many tasks (indexed by topic and lock expiry).

mod common;

use std::time::{Duration, Instant};

use camunda7_test_engine::{TaskSpec, TestEngine};
use common::Api;
use serde_json::json;

#[tokio::test]
async fn ten_thousand_tasks_flow_through_quickly() {
    let engine = TestEngine::start().await.expect("engine");
    let started = Instant::now();
    let ids = engine
        .create_tasks((0..10_000).map(|i| {
            TaskSpec::new(if i % 2 == 0 { "even" } else { "odd" }).variable("i", json!(i))
        }))
        .expect("valid");
    let seeded = started.elapsed();
    let api = Api::new(&engine);
    let started = Instant::now();
    let mut processed = 0;
    loop {
        let tasks = api
            .post(
                "/external-task/fetchAndLock",
                json!({"workerId": "w", "maxTasks": 100, "usePriority": true,
                       "topics": [{"topicName": "even", "lockDuration": 60_000}, {"topicName": "odd", "lockDuration": 60_000}]}),
            )
            .await
            .body;
        let tasks = tasks.as_array().cloned().unwrap_or_default();
        if tasks.is_empty() {
            break;
        }
        for task in &tasks {
            let id = task["id"].as_str().unwrap_or_default();
            // Leave half locked: later fetches must skip them cheaply.
            if processed % 2 == 0 {
                api.complete(id, "w").await.assert_no_content();
            }
            processed += 1;
        }
    }
    let elapsed = started.elapsed();
    println!(
        "seeded 10000 tasks in {seeded:?}; fetched {processed} and completed half in {elapsed:?}"
    );
    assert_eq!(processed, ids.len());
    assert_eq!(engine.completed_count(), 5_000);
    // Generous: a debug build on a loaded 2-core machine.
    assert!(elapsed < Duration::from_secs(60), "took {elapsed:?}");
}
