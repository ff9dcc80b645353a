//! Tasks that ended (completed, BPMN error, cancelled) stay on record, and reports that name
//! them afterwards are answered with the engine's 404 and kept as late reports.

mod common;

use camunda7_test_engine::{Ending, Operation, Outcome, TaskEvent, TaskSpec, TestEngine};
use common::Api;
use serde_json::json;

fn not_found(id: &str) -> String {
    format!("External task with id {id} does not exist")
}

#[tokio::test]
async fn a_second_complete_is_refused_with_404_and_recorded() {
    let engine = TestEngine::start().await.expect("engine");
    let api = Api::new(&engine);
    engine.clock().freeze();
    let id = engine.create_task(TaskSpec::new("t")).expect("valid");
    assert_eq!(api.fetch_ids("w", "t", 1).await, vec![id.clone()]);
    api.complete(&id, "w").await.assert_no_content();
    assert!(engine.reports_after_end().is_empty(), "one report is fine");
    assert!(engine.tasks_reported_after_end().is_empty());

    let code = api
        .complete(&id, "w")
        .await
        .assert_error(404, "RestException", &not_found(&id));
    assert_eq!(code, json!(0));

    let late = engine.reports_after_end();
    assert_eq!(late.len(), 1, "{late:?}");
    assert_eq!(late[0].task_id, id);
    assert_eq!(late[0].operation, Operation::Complete);
    assert_eq!(late[0].worker_id.as_deref(), Some("w"));
    assert_eq!(late[0].status, 404);
    assert_eq!(late[0].ended, Ending::Completed);
    assert_eq!(late[0].at, engine.now());
    assert_eq!(engine.tasks_reported_after_end(), vec![id.clone()]);

    let history = engine.history(&id);
    assert!(
        matches!(history.as_slice(), [.., TaskEvent::Completed { .. }, TaskEvent::Rejected { operation: Operation::Complete, status: 404, worker_id: Some(w), message }] if w == "w" && *message == not_found(&id)),
        "{history:?}"
    );
    assert_eq!(engine.outcome(&id), Some(Outcome::Completed));
    assert_eq!(engine.completion_counts().get(&id), Some(&1));
    assert!(engine.tasks_completed_more_than_once().is_empty());
    assert_eq!(engine.completion(&id).map(|c| c.0).as_deref(), Some("w"));
    assert!(engine.task_ids().contains(&id));
}

#[tokio::test]
async fn every_kind_of_report_after_a_bpmn_error_is_recorded_but_other_calls_are_not() {
    let engine = TestEngine::start().await.expect("engine");
    let api = Api::new(&engine);
    let id = engine.create_task(TaskSpec::new("t")).expect("valid");
    api.fetch_ids("w", "t", 1).await;
    api.post(
        &format!("/external-task/{id}/bpmnError"),
        json!({"workerId": "w", "errorCode": "E"}),
    )
    .await
    .assert_no_content();
    assert_eq!(engine.outcome(&id), Some(Outcome::BpmnError));

    let reports = [
        ("failure", json!({"workerId": "w", "retries": 1})),
        ("bpmnError", json!({"workerId": "w2", "errorCode": "E"})),
        ("extendLock", json!({"workerId": "w", "newDuration": 1000})),
        ("complete", json!({"workerId": "w"})),
    ];
    for (action, body) in reports {
        api.post(&format!("/external-task/{id}/{action}"), body)
            .await
            .assert_error(404, "RestException", &not_found(&id));
    }
    // Not worker reports: refused and in the history, but not late reports.
    api.post(
        &format!("/external-task/{id}/lock"),
        json!({"workerId": "w", "lockDuration": 1000}),
    )
    .await
    .assert_error(404, "RestException", &not_found(&id));
    api.post(&format!("/external-task/{id}/unlock"), json!({}))
        .await
        .assert_error(404, "RestException", &not_found(&id));
    assert_eq!(
        api.get(&format!("/external-task/{id}"))
            .await
            .status
            .as_u16(),
        404
    );

    let late = engine.reports_after_end();
    let seen: Vec<(Operation, Option<&str>, Ending)> = late
        .iter()
        .map(|r| (r.operation, r.worker_id.as_deref(), r.ended))
        .collect();
    assert_eq!(
        seen,
        vec![
            (Operation::Failure, Some("w"), Ending::BpmnError),
            (Operation::BpmnError, Some("w2"), Ending::BpmnError),
            (Operation::ExtendLock, Some("w"), Ending::BpmnError),
            (Operation::Complete, Some("w"), Ending::BpmnError),
        ]
    );
    assert_eq!(engine.tasks_reported_after_end(), vec![id.clone()]);
    let rejected = engine
        .history(&id)
        .iter()
        .filter(|e| matches!(e, TaskEvent::Rejected { status: 404, .. }))
        .count();
    assert_eq!(rejected, 7, "all seven refusals are in the history");
}

#[tokio::test]
async fn a_complete_after_a_cancel_is_refused_and_recorded() {
    let engine = TestEngine::start().await.expect("engine");
    let api = Api::new(&engine);
    let ids = engine
        .create_tasks([TaskSpec::new("t"), TaskSpec::new("t").retries(0)])
        .expect("valid");
    let (id, with_incident) = (&ids[0], &ids[1]);
    assert_eq!(api.fetch_ids("w", "t", 5).await, vec![id.clone()]);
    assert!(engine.cancel_task(id));
    assert!(!engine.cancel_task(id), "already ended");
    assert!(!engine.cancel_task("unknown"));
    assert_eq!(engine.outcome(id), Some(Outcome::Cancelled));
    assert!(engine.task(id).is_none());
    assert!(matches!(
        engine.history(id).last(),
        Some(TaskEvent::Cancelled { .. })
    ));

    api.complete(id, "w")
        .await
        .assert_error(404, "RestException", &not_found(id));
    let late = engine.reports_after_end();
    assert_eq!(late.len(), 1, "{late:?}");
    assert_eq!(late[0].ended, Ending::Cancelled);
    assert_eq!(late[0].operation, Operation::Complete);
    assert_eq!(engine.completion_counts().get(id.as_str()), Some(&0));

    // Cancelling resolves the task's incident; the task is gone from fetches and queries.
    assert!(engine.task(with_incident).is_some_and(|t| t.has_incident));
    assert!(engine.cancel_task(with_incident));
    assert!(engine.incidents().iter().all(|i| i.resolved.is_some()));
    engine.advance(std::time::Duration::from_secs(60));
    assert!(api.fetch_ids("w", "t", 5).await.is_empty());
    assert_eq!(
        api.get("/external-task/count").await.body,
        json!({"count": 0})
    );
    // An ended task's id cannot be reused.
    assert!(engine
        .create_task(TaskSpec::new("t").id(id.clone()))
        .is_err());
}

#[tokio::test]
async fn late_reports_keep_input_errors_but_not_injected_faults_or_unknown_ids() {
    let engine = TestEngine::start().await.expect("engine");
    let api = Api::new(&engine);
    let id = engine.create_task(TaskSpec::new("t")).expect("valid");
    api.fetch_ids("w", "t", 1).await;
    api.complete(&id, "w").await.assert_no_content();

    // Checked before the lookup, as the engine does: 500 without a workerId.
    api.post(&format!("/external-task/{id}/complete"), json!({}))
        .await
        .assert_error(500, "NullValueException", "workerId is null");
    // An injected fault answers before the engine sees the request.
    engine
        .faults()
        .on(Operation::Complete)
        .fail_with_status(503)
        .once();
    assert_eq!(api.complete(&id, "w").await.status.as_u16(), 503);
    // A task that never existed is a plain 404.
    api.complete("never", "w")
        .await
        .assert_error(404, "RestException", &not_found("never"));

    let late = engine.reports_after_end();
    assert_eq!(late.len(), 1, "{late:?}");
    assert_eq!(late[0].status, 500);
    assert_eq!(late[0].worker_id, None);
    assert_eq!(engine.tasks_reported_after_end(), vec![id]);
}

#[tokio::test]
async fn a_report_dropped_after_applying_and_retried_shows_as_a_late_report() {
    let engine = TestEngine::start().await.expect("engine");
    let api = Api::new(&engine);
    let ids = engine
        .create_tasks((0..3).map(|_| TaskSpec::new("t")))
        .expect("valid");
    api.fetch_ids("w", "t", 3).await;
    engine
        .faults()
        .on(Operation::Complete)
        .drop_connection_after_applying()
        .once();
    let dropped = api
        .http
        .post(format!("{}/external-task/{}/complete", api.base, ids[1]))
        .json(&json!({"workerId": "w"}))
        .send()
        .await;
    assert!(dropped.is_err());
    // The worker retries the report it believes lost; the others go through once.
    api.complete(&ids[1], "w")
        .await
        .assert_error(404, "RestException", &not_found(&ids[1]));
    api.complete(&ids[0], "w").await.assert_no_content();
    api.complete(&ids[2], "w").await.assert_no_content();
    assert_eq!(engine.tasks_reported_after_end(), vec![ids[1].clone()]);
    assert_eq!(engine.completed_count(), 3);
}
