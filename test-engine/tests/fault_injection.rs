//! Fault injection, request counters, and taking the engine down and up again.

mod common;

use std::time::{Duration, Instant};

use camunda7_test_engine::{Operation, Outcome, TaskSpec, TestEngine};
use common::Api;
use serde_json::json;

#[tokio::test]
async fn injected_statuses_fire_the_given_number_of_times() {
    let engine = TestEngine::start().await.expect("engine");
    let api = Api::new(&engine);
    let id = engine.create_task(TaskSpec::new("t")).expect("valid");
    api.fetch_ids("w", "t", 1).await;
    let rule = engine
        .faults()
        .on(Operation::Complete)
        .fail_with_status(503)
        .times(2);
    for _ in 0..2 {
        let reply = api.complete(&id, "w").await;
        assert_eq!(reply.status.as_u16(), 503);
        assert!(reply.body.get("type").is_some() && reply.body.get("message").is_some());
    }
    assert_eq!(
        engine.outcome(&id),
        Some(Outcome::Locked("w".into())),
        "not applied"
    );
    api.complete(&id, "w").await.assert_no_content();
    assert_eq!(rule.fired(), 2);
    assert_eq!(engine.requests(Operation::Complete), 3);
    assert_eq!(engine.requests(Operation::FetchAndLock), 1);
    assert_eq!(engine.request_counts().len(), 2);
    assert_eq!(engine.completed_count(), 1);
}

#[tokio::test]
async fn a_connection_dropped_before_applying_changes_nothing() {
    let engine = TestEngine::start().await.expect("engine");
    let api = Api::new(&engine);
    let id = engine.create_task(TaskSpec::new("t")).expect("valid");
    api.fetch_ids("w", "t", 1).await;
    engine
        .faults()
        .on(Operation::Complete)
        .drop_connection()
        .once();
    let result = api
        .http
        .post(format!("{}/external-task/{id}/complete", api.base))
        .json(&json!({"workerId": "w"}))
        .send()
        .await;
    assert!(
        result.is_err(),
        "the client sees a transport error: {result:?}"
    );
    assert_eq!(engine.completed_count(), 0);
    api.complete(&id, "w").await.assert_no_content();
}

#[tokio::test]
async fn a_connection_dropped_mid_complete_still_completes_the_task() {
    let engine = TestEngine::start().await.expect("engine");
    let api = Api::new(&engine);
    let id = engine.create_task(TaskSpec::new("t")).expect("valid");
    api.fetch_ids("w", "t", 1).await;
    engine
        .faults()
        .on(Operation::Complete)
        .drop_connection_after_applying()
        .once();
    let result = api
        .http
        .post(format!("{}/external-task/{id}/complete", api.base))
        .json(&json!({"workerId": "w"}))
        .send()
        .await;
    assert!(
        result.is_err(),
        "the client sees a transport error: {result:?}"
    );
    assert_eq!(engine.completed_count(), 1, "the engine did the work");
    // The retry finds the task gone.
    assert_eq!(api.complete(&id, "w").await.status.as_u16(), 404);
    assert!(engine.tasks_completed_more_than_once().is_empty());
}

#[tokio::test]
async fn status_after_applying_and_delays_and_rule_scoping() {
    let engine = TestEngine::start().await.expect("engine");
    let api = Api::new(&engine);
    let ids = engine
        .create_tasks((0..2).map(|_| TaskSpec::new("t")))
        .expect("valid");
    api.fetch_ids("w", "t", 2).await;
    engine
        .faults()
        .on(Operation::Complete)
        .fail_with_status_after_applying(500)
        .once();
    assert_eq!(api.complete(&ids[0], "w").await.status.as_u16(), 500);
    assert_eq!(engine.outcome(&ids[0]), Some(Outcome::Completed));

    let delay = engine
        .faults()
        .on(Operation::GetTask)
        .delay(Duration::from_millis(300))
        .once();
    let started = Instant::now();
    assert_eq!(
        api.get(&format!("/external-task/{}", ids[1]))
            .await
            .status
            .as_u16(),
        200
    );
    assert!(started.elapsed() >= Duration::from_millis(290));
    assert_eq!(delay.fired(), 1);

    let any = engine
        .faults()
        .on_any()
        .fail_with_status(502)
        .after(1)
        .always();
    assert_eq!(
        api.get("/external-task/count").await.status.as_u16(),
        200,
        "first one let through"
    );
    assert_eq!(api.get("/external-task/count").await.status.as_u16(), 502);
    assert_eq!(
        api.get("/external-task/topic-names").await.status.as_u16(),
        502
    );
    any.remove();
    assert_eq!(api.get("/external-task/count").await.status.as_u16(), 200);

    let sometimes = engine
        .faults()
        .on(Operation::CountGet)
        .fail_with_status(503)
        .with_probability(0.5)
        .always();
    let mut failed = 0;
    for _ in 0..40 {
        if api.get("/external-task/count").await.status.as_u16() == 503 {
            failed += 1;
        }
    }
    assert!((5..=35).contains(&failed), "about half fail: {failed}");
    assert_eq!(sometimes.fired(), failed);
    engine.faults().clear();
    assert_eq!(engine.faults().active_rules(), 0);
}

#[tokio::test]
async fn the_engine_can_go_down_and_come_back_with_its_state() {
    let engine = TestEngine::start_stopped().await.expect("port reserved");
    let http = reqwest::Client::new();
    let url = format!("{}/external-task/count", engine.base_url());
    assert!(http.get(&url).send().await.is_err(), "down at start");
    engine.resume().await.expect("comes up");
    let id = engine.create_task(TaskSpec::new("t")).expect("valid");
    let api = Api::new(&engine);
    api.fetch_ids("w", "t", 1).await;
    engine.stop().await;
    assert!(!engine.is_running());
    assert!(http.get(&url).send().await.is_err(), "down");
    engine.restart().await.expect("up again");
    api.complete(&id, "w").await.assert_no_content();
    assert_eq!(engine.completed_count(), 1);
}

#[tokio::test]
async fn stopping_drops_a_pending_long_poll() {
    let engine = TestEngine::start().await.expect("engine");
    let http = reqwest::Client::new();
    let url = format!("{}/external-task/fetchAndLock", engine.base_url());
    let poll = tokio::spawn(async move {
        http.post(url)
            .json(
                &json!({"workerId": "w", "maxTasks": 1, "asyncResponseTimeout": 20_000,
                          "topics": [{"topicName": "t", "lockDuration": 1000}]}),
            )
            .send()
            .await
    });
    tokio::time::sleep(Duration::from_millis(150)).await;
    engine.stop().await;
    let result = tokio::time::timeout(Duration::from_secs(5), poll)
        .await
        .expect("ends")
        .expect("joined");
    assert!(result.is_err(), "the poll sees its connection closed");
}
