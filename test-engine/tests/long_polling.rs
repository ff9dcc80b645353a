//! Long polling: fetchAndLock with `asyncResponseTimeout` waits for work.

mod common;

use std::time::{Duration, Instant};

use camunda7_test_engine::{TaskSpec, TestEngine};
use common::Api;
use serde_json::json;

fn long_poll_body(worker: &str, timeout_ms: u64) -> serde_json::Value {
    json!({"workerId": worker, "maxTasks": 5, "asyncResponseTimeout": timeout_ms,
           "topics": [{"topicName": "t", "lockDuration": 10_000}]})
}

/// One long poll on topic `t`: the time from creating a matching task to the poll's answer.
async fn long_poll_latency(engine: &TestEngine, api: &Api, round: usize) -> Duration {
    let worker = format!("w{round}");
    let poll = tokio::spawn({
        let http = api.http.clone();
        let url = format!("{}/external-task/fetchAndLock", api.base);
        async move {
            let response = http
                .post(url)
                .json(&long_poll_body(&worker, 20_000))
                .send()
                .await
                .expect("answered");
            let answered = Instant::now();
            let body: serde_json::Value = response.json().await.expect("json");
            (answered, body)
        }
    });
    // Let the poll arrive and go to sleep; a non-matching task must not answer it.
    tokio::time::sleep(Duration::from_millis(200)).await;
    engine.create_task(TaskSpec::new("other")).expect("valid");
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(
        !poll.is_finished(),
        "a task on another topic does not answer the poll"
    );
    let created = Instant::now();
    let id = engine.create_task(TaskSpec::new("t")).expect("valid");
    let (answered, body) = poll.await.expect("poll task");
    assert_eq!(body[0]["id"], json!(id));
    answered.saturating_duration_since(created)
}

#[tokio::test]
async fn a_long_poll_answers_within_50_ms_of_a_matching_task_appearing() {
    let engine = TestEngine::start().await.expect("engine");
    let api = Api::new(&engine);
    // The property is "within 50 ms". One round can be delayed by a busy machine's scheduler,
    // so the best of five rounds must meet it; every round is printed.
    let mut latencies = Vec::new();
    for round in 0..5 {
        latencies.push(long_poll_latency(&engine, &api, round).await);
    }
    println!("long poll answered after {latencies:?} (task created -> response)");
    let best = latencies.iter().min().copied().unwrap_or(Duration::MAX);
    assert!(
        best < Duration::from_millis(50),
        "no round answered within 50 ms: {latencies:?}"
    );
}

#[tokio::test]
async fn a_long_poll_times_out_with_an_empty_array() {
    let engine = TestEngine::start().await.expect("engine");
    let api = Api::new(&engine);
    let started = Instant::now();
    let reply = api
        .post("/external-task/fetchAndLock", long_poll_body("w", 300))
        .await;
    let waited = started.elapsed();
    assert_eq!(reply.status.as_u16(), 200);
    assert_eq!(reply.body, json!([]));
    assert!(
        waited >= Duration::from_millis(290),
        "waited only {waited:?}"
    );
    // Without asyncResponseTimeout the answer is immediate.
    let started = Instant::now();
    let reply = api
        .post(
            "/external-task/fetchAndLock",
            json!({"workerId": "w", "maxTasks": 1, "topics": [{"topicName": "t", "lockDuration": 1000}]}),
        )
        .await;
    assert_eq!(reply.body, json!([]));
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn a_long_poll_is_woken_by_unlock_and_by_the_clock() {
    let engine = TestEngine::start().await.expect("engine");
    let api = Api::new(&engine);
    let id = engine.create_task(TaskSpec::new("t")).expect("valid");
    assert_eq!(api.fetch_ids("w1", "t", 1).await, vec![id.clone()]);

    let spawn_poll = |worker: &'static str| {
        let http = api.http.clone();
        let url = format!("{}/external-task/fetchAndLock", api.base);
        tokio::spawn(async move {
            let response = http
                .post(url)
                .json(&long_poll_body(worker, 20_000))
                .send()
                .await
                .expect("answered");
            response.json::<serde_json::Value>().await.expect("json")
        })
    };
    let poll = spawn_poll("w2");
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert!(!poll.is_finished());
    engine.advance(Duration::from_secs(11));
    let body = tokio::time::timeout(Duration::from_secs(5), poll)
        .await
        .expect("woken by the clock")
        .expect("task");
    assert_eq!(body[0]["workerId"], json!("w2"));

    let poll = spawn_poll("w3");
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert!(!poll.is_finished());
    api.post(&format!("/external-task/{id}/unlock"), json!(null))
        .await
        .assert_no_content();
    let body = tokio::time::timeout(Duration::from_secs(5), poll)
        .await
        .expect("woken by unlock")
        .expect("task");
    assert_eq!(body[0]["workerId"], json!("w3"));
}

#[tokio::test]
async fn a_long_poll_picks_up_a_lock_expiring_in_real_time() {
    let engine = TestEngine::start().await.expect("engine");
    let api = Api::new(&engine);
    let id = engine.create_task(TaskSpec::new("t")).expect("valid");
    api.post(
        &format!("/external-task/{id}/lock"),
        json!({"workerId": "w1", "lockDuration": 300}),
    )
    .await
    .assert_no_content();
    let started = Instant::now();
    let reply = api
        .post("/external-task/fetchAndLock", long_poll_body("w2", 10_000))
        .await;
    assert_eq!(reply.body[0]["id"], json!(id));
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn shutdown_rejects_pending_long_polls_like_an_application_server() {
    let engine = TestEngine::start().await.expect("engine");
    let api = Api::new(&engine);
    let poll = tokio::spawn({
        let http = api.http.clone();
        let url = format!("{}/external-task/fetchAndLock", api.base);
        async move {
            http.post(url)
                .json(&long_poll_body("w", 20_000))
                .send()
                .await
        }
    });
    tokio::time::sleep(Duration::from_millis(150)).await;
    let started = Instant::now();
    engine.shutdown().await;
    assert!(started.elapsed() < Duration::from_secs(2));
    let response = poll
        .await
        .expect("joined")
        .expect("answered before the port closed");
    assert_eq!(response.status().as_u16(), 500);
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(
        body,
        json!({"type": "RestException", "message": "Request rejected due to shutdown of application server.", "code": null})
    );
}

#[tokio::test]
async fn with_unique_worker_requests_a_new_poll_cancels_the_older_one() {
    let engine = TestEngine::builder()
        .unique_worker_request(true)
        .start()
        .await
        .expect("engine");
    let api = Api::new(&engine);
    let spawn_poll = |worker: &'static str| {
        let http = api.http.clone();
        let url = format!("{}/external-task/fetchAndLock", api.base);
        tokio::spawn(async move {
            // One task per poll, so both waiting workers get one.
            let body = json!({"workerId": worker, "maxTasks": 1, "asyncResponseTimeout": 20_000,
                              "topics": [{"topicName": "t", "lockDuration": 10_000}]});
            let response = http.post(url).json(&body).send().await.expect("answered");
            response.status().as_u16()
        })
    };
    let first = spawn_poll("w");
    let other = spawn_poll("v");
    tokio::time::sleep(Duration::from_millis(150)).await;
    let second = spawn_poll("w");
    let status = tokio::time::timeout(Duration::from_secs(5), first)
        .await
        .expect("cancelled")
        .expect("joined");
    assert_eq!(status, 503);
    assert!(!other.is_finished(), "another worker's poll is untouched");
    engine
        .create_tasks([TaskSpec::new("t"), TaskSpec::new("t")])
        .expect("valid");
    assert_eq!(second.await.expect("joined"), 200);
    assert_eq!(other.await.expect("joined"), 200);
}
