//! Several workers racing over the same tasks, with faults injected: the engine never hands a
//! task to two workers at once and never completes a task twice.

mod common;

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use camunda7_test_engine::{Operation, TaskSpec, TestEngine};
use serde_json::{json, Value};

const TASKS: usize = 2_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn racing_workers_with_faults_complete_every_task_once() {
    let engine = Arc::new(TestEngine::start().await.expect("engine"));
    engine
        .create_tasks((0..TASKS).map(|_| TaskSpec::new("t")))
        .expect("valid");
    let faults = engine.faults();
    faults
        .on(Operation::Complete)
        .fail_with_status(503)
        .with_probability(0.05)
        .always();
    faults
        .on(Operation::Complete)
        .drop_connection_after_applying()
        .with_probability(0.05)
        .always();
    faults
        .on(Operation::FetchAndLock)
        .drop_connection()
        .with_probability(0.05)
        .always();
    // Tasks each worker believes it holds right now, to detect double hand-outs.
    let held: Arc<Mutex<HashSet<String>>> = Arc::default();
    let mut workers = Vec::new();
    for w in 0..4 {
        let engine = engine.clone();
        let held = held.clone();
        workers.push(tokio::spawn(async move {
            let http = reqwest::Client::new();
            let worker = format!("w{w}");
            let base = engine.base_url();
            let mut double_handouts = 0;
            while engine.completed_count() < TASKS as u64 {
                let fetched = http
                    .post(format!("{base}/external-task/fetchAndLock"))
                    .json(
                        &json!({"workerId": worker, "maxTasks": 10, "asyncResponseTimeout": 200,
                                  "topics": [{"topicName": "t", "lockDuration": 60_000}]}),
                    )
                    .send()
                    .await;
                let Ok(response) = fetched else { continue };
                let tasks: Vec<Value> = response.json().await.unwrap_or_default();
                for task in tasks {
                    let id = task["id"].as_str().unwrap_or_default().to_owned();
                    if !held.lock().expect("lock").insert(id.clone()) {
                        double_handouts += 1;
                    }
                    // Retry transient failures; a 404 after a dropped answer means it was done.
                    loop {
                        let reply = http
                            .post(format!("{base}/external-task/{id}/complete"))
                            .json(&json!({"workerId": worker}))
                            .send()
                            .await;
                        match reply.map(|r| r.status().as_u16()) {
                            Ok(204) | Ok(404) => break,
                            Ok(400) => panic!("lock lost for {id}"),
                            _ => tokio::time::sleep(Duration::from_millis(1)).await,
                        }
                    }
                    held.lock().expect("lock").remove(&id);
                }
            }
            double_handouts
        }));
    }
    let mut doubles = 0;
    for worker in workers {
        doubles += tokio::time::timeout(Duration::from_secs(120), worker)
            .await
            .expect("workers finish")
            .expect("worker task");
    }
    // Tasks whose fetch answer was dropped stay locked until their lock runs out.
    engine.advance(Duration::from_secs(61));
    let stats = engine.stats();
    println!("stats: {stats:?}; requests: {:?}", engine.request_counts());
    assert_eq!(doubles, 0, "no task handed to two workers at once");
    assert!(engine.tasks_completed_more_than_once().is_empty());
    assert_eq!(stats.completed as usize, TASKS);
    assert_eq!(stats.open, 0);
}
