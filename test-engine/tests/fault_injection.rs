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

#[tokio::test]
async fn a_chosen_engine_error_is_answered_without_applying() {
    let engine = TestEngine::start().await.expect("engine");
    let api = Api::new(&engine);
    let id = engine.create_task(TaskSpec::new("t")).expect("valid");
    api.fetch_ids("w", "t", 1).await;
    let rule = engine
        .faults()
        .on(Operation::Complete)
        .fail_with_error(
            500,
            "OptimisticLockingException",
            "ENGINE-03005 Execution of 'UPDATE ExternalTaskEntity' failed.",
            Some(1),
        )
        .once();
    let reply = api.complete(&id, "w").await;
    assert_eq!(reply.status.as_u16(), 500);
    assert_eq!(reply.content_type.as_deref(), Some("application/json"));
    assert_eq!(
        reply.body,
        json!({"type": "OptimisticLockingException",
               "message": "ENGINE-03005 Execution of 'UPDATE ExternalTaskEntity' failed.",
               "code": 1})
    );
    assert_eq!(rule.fired(), 1);
    assert_eq!(engine.outcome(&id), Some(Outcome::Locked("w".into())));

    engine
        .faults()
        .on(Operation::Complete)
        .fail_with_error(503, "InvalidRequestException", "busy", None)
        .once();
    let reply = api.complete(&id, "w").await;
    assert_eq!(reply.status.as_u16(), 503);
    assert_eq!(
        reply.body,
        json!({"type": "InvalidRequestException", "message": "busy", "code": null}),
        "a missing code is written as null"
    );
    assert_eq!(engine.completed_count(), 0);
    api.complete(&id, "w").await.assert_no_content();
}

#[tokio::test]
async fn a_chosen_engine_error_after_applying_hides_a_done_operation() {
    let engine = TestEngine::start().await.expect("engine");
    let api = Api::new(&engine);
    let id = engine.create_task(TaskSpec::new("t")).expect("valid");
    api.fetch_ids("w", "t", 1).await;
    engine
        .faults()
        .on(Operation::Failure)
        .fail_with_error_after_applying(500, "ProcessEngineException", "late", Some(0))
        .once();
    let reply = api
        .post(
            &format!("/external-task/{id}/failure"),
            json!({"workerId": "w", "retries": 2, "errorMessage": "boom"}),
        )
        .await;
    reply.assert_error(500, "ProcessEngineException", "late");
    assert_eq!(reply.body["code"], json!(0));
    assert_eq!(engine.failures(&id).len(), 1, "the failure was applied");
    assert_eq!(
        engine.task(&id).and_then(|t| t.retries),
        Some(2),
        "with its retries"
    );
}

#[tokio::test]
async fn chosen_errors_leave_out_a_null_code_when_the_engine_is_told_to() {
    let engine = TestEngine::builder()
        .omit_null_error_codes(true)
        .start()
        .await
        .expect("engine");
    let api = Api::new(&engine);
    engine
        .faults()
        .on(Operation::CountGet)
        .fail_with_error(400, "InvalidRequestException", "no", None)
        .once();
    engine
        .faults()
        .on(Operation::CountGet)
        .fail_with_error(400, "RestException", "yes", Some(7))
        .once();
    assert_eq!(
        api.get("/external-task/count").await.body,
        json!({"type": "InvalidRequestException", "message": "no"})
    );
    assert_eq!(
        api.get("/external-task/count").await.body,
        json!({"type": "RestException", "message": "yes", "code": 7})
    );
}

#[tokio::test]
async fn raw_responses_are_sent_exactly_as_given() {
    let engine = TestEngine::start().await.expect("engine");
    let http = reqwest::Client::new();
    let id = engine.create_task(TaskSpec::new("t")).expect("valid");
    let html = "<html><body><h1>502 Bad Gateway</h1></body></html>".to_owned();
    engine
        .faults()
        .on(Operation::FetchAndLock)
        .respond_raw(502, Some("text/html"), html.clone())
        .once();
    let url = format!("{}/external-task/fetchAndLock", engine.base_url());
    let fetch = json!({"workerId": "w", "maxTasks": 1,
                       "topics": [{"topicName": "t", "lockDuration": 1000}]});
    let response = http.post(&url).json(&fetch).send().await.expect("sent");
    assert_eq!(response.status().as_u16(), 502);
    assert_eq!(
        response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("text/html")
    );
    assert_eq!(response.text().await.expect("body"), html);
    assert_eq!(engine.outcome(&id), Some(Outcome::Available), "not applied");

    engine
        .faults()
        .on(Operation::FetchAndLock)
        .respond_raw(401, None, String::new())
        .header("WWW-Authenticate", "Basic realm=\"default\"")
        .once();
    let response = http.post(&url).json(&fetch).send().await.expect("sent");
    assert_eq!(response.status().as_u16(), 401);
    assert!(response.headers().get("content-type").is_none());
    assert_eq!(
        response
            .headers()
            .get("www-authenticate")
            .and_then(|v| v.to_str().ok()),
        Some("Basic realm=\"default\"")
    );
    assert_eq!(response.text().await.expect("body"), "");
    assert_eq!(engine.outcome(&id), Some(Outcome::Available), "not applied");

    engine
        .faults()
        .on(Operation::FetchAndLock)
        .respond_raw_after_applying(504, Some("text/plain"), "gateway timeout".into())
        .once();
    let response = http.post(&url).json(&fetch).send().await.expect("sent");
    assert_eq!(response.status().as_u16(), 504);
    assert_eq!(response.text().await.expect("body"), "gateway timeout");
    assert_eq!(
        engine.outcome(&id),
        Some(Outcome::Locked("w".into())),
        "the fetch locked the task although its answer was lost"
    );
}

#[tokio::test]
async fn rule_headers_are_added_and_invalid_ones_left_out() {
    let engine = TestEngine::start().await.expect("engine");
    let http = reqwest::Client::new();
    engine
        .faults()
        .on(Operation::CountGet)
        .fail_with_status(503)
        .header("Retry-After", "3")
        .header("bad header", "x")
        .header("X-Bad-Value", "line\nbreak")
        .once();
    let url = format!("{}/external-task/count", engine.base_url());
    let response = http.get(&url).send().await.expect("sent");
    assert_eq!(response.status().as_u16(), 503);
    assert_eq!(
        response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok()),
        Some("3")
    );
    assert!(response.headers().get("x-bad-value").is_none());
    // The engine still serves normally afterwards.
    let response = http.get(&url).send().await.expect("sent");
    assert_eq!(response.status().as_u16(), 200);
    assert!(response.headers().get("retry-after").is_none());
}
