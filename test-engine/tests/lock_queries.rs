//! The external task query's `workerId` + `locked` filters: exactly the tasks whose lock (or
//! failure back-off) held by that worker ends after the engine's current time.

mod common;

use std::time::Duration;

use camunda7_test_engine::{TaskSpec, TestEngine};
use common::{Api, Reply};
use serde_json::{json, Value};

fn sorted_ids(reply: &Reply) -> Vec<String> {
    assert_eq!(reply.status.as_u16(), 200, "{}", reply.body);
    let mut ids: Vec<String> = reply
        .body
        .as_array()
        .unwrap_or_else(|| panic!("an array: {}", reply.body))
        .iter()
        .map(|t| t["id"].as_str().unwrap_or_default().to_owned())
        .collect();
    ids.sort();
    ids
}

fn sorted(mut ids: Vec<&String>) -> Vec<String> {
    ids.sort();
    ids.into_iter().cloned().collect()
}

/// The same filter through all four endpoints: GET and POST query, GET and POST count.
async fn by_all_endpoints(api: &Api, query: &str, body: Value) -> Vec<String> {
    let got = sorted_ids(&api.get(&format!("/external-task?{query}")).await);
    let posted = sorted_ids(&api.post("/external-task", body.clone()).await);
    assert_eq!(got, posted, "GET and POST agree for {query}");
    let counted = api.get(&format!("/external-task/count?{query}")).await.body;
    assert_eq!(
        counted,
        json!({"count": got.len()}),
        "GET count for {query}"
    );
    let counted = api.post("/external-task/count", body).await.body;
    assert_eq!(
        counted,
        json!({"count": got.len()}),
        "POST count for {query}"
    );
    got
}

async fn lock(api: &Api, id: &str, worker: &str, ms: u64) {
    api.post(
        &format!("/external-task/{id}/lock"),
        json!({"workerId": worker, "lockDuration": ms}),
    )
    .await
    .assert_no_content();
}

#[tokio::test]
async fn locked_by_worker_lists_exactly_the_tasks_that_worker_holds_now() {
    let engine = TestEngine::start().await.expect("engine");
    engine.clock().freeze();
    let api = Api::new(&engine);
    let ids = engine
        .create_tasks((0..8).map(|_| TaskSpec::new("t")))
        .expect("valid");
    let [fetched, expires_at_5s, other_worker, backing_off, unlocked, completed, taken_over, never] =
        [0, 1, 2, 3, 4, 5, 6, 7].map(|i| &ids[i]);

    // Fetched by W (10 s lock; fetching picks the first created task).
    assert_eq!(api.fetch_ids("W", "t", 1).await, vec![fetched.clone()]);
    lock(&api, expires_at_5s, "W", 5_000).await;
    lock(&api, other_worker, "V", 10_000).await;
    // A failure with retries left keeps W as the worker and backs off for 60 s.
    lock(&api, backing_off, "W", 10_000).await;
    api.post(
        &format!("/external-task/{backing_off}/failure"),
        json!({"workerId": "W", "retries": 1, "retryTimeout": 60_000, "errorMessage": "x"}),
    )
    .await
    .assert_no_content();
    lock(&api, unlocked, "W", 10_000).await;
    api.post(&format!("/external-task/{unlocked}/unlock"), json!({}))
        .await
        .assert_no_content();
    lock(&api, completed, "W", 10_000).await;
    api.complete(completed, "W").await.assert_no_content();
    lock(&api, taken_over, "W", 2_000).await;

    let locked_by_w = json!({"workerId": "W", "locked": true});
    assert_eq!(
        by_all_endpoints(&api, "workerId=W&locked=true", locked_by_w.clone()).await,
        sorted(vec![fetched, expires_at_5s, backing_off, taken_over])
    );

    // W's 2 s lock runs out and V takes the task over.
    engine.advance(Duration::from_secs(3));
    assert_eq!(
        by_all_endpoints(&api, "workerId=W&locked=true", locked_by_w.clone()).await,
        sorted(vec![fetched, expires_at_5s, backing_off]),
        "an expired lock is not locked, although the worker id is still W"
    );
    lock(&api, taken_over, "V", 10_000).await;
    assert_eq!(
        by_all_endpoints(
            &api,
            "workerId=V&locked=true",
            json!({"workerId": "V", "locked": true})
        )
        .await,
        sorted(vec![other_worker, taken_over])
    );

    // At exactly its expiry a lock is neither locked (expiry > now) nor notLocked (< now).
    engine.advance(Duration::from_secs(2));
    assert_eq!(
        by_all_endpoints(&api, "workerId=W&locked=true", locked_by_w.clone()).await,
        sorted(vec![fetched, backing_off])
    );
    assert_eq!(
        by_all_endpoints(
            &api,
            "workerId=W&notLocked=true",
            json!({"workerId": "W", "notLocked": true})
        )
        .await,
        Vec::<String>::new()
    );
    engine.advance(Duration::from_millis(1));
    assert_eq!(
        by_all_endpoints(
            &api,
            "workerId=W&notLocked=true",
            json!({"workerId": "W", "notLocked": true})
        )
        .await,
        vec![expires_at_5s.clone()]
    );
    // Without `locked`, the worker filter matches every task naming W, expired or not.
    assert_eq!(
        by_all_endpoints(&api, "workerId=W", json!({"workerId": "W"})).await,
        sorted(vec![fetched, expires_at_5s, backing_off])
    );
    // `locked=false` is no filter at all.
    assert_eq!(
        by_all_endpoints(
            &api,
            "workerId=W&locked=false",
            json!({"workerId": "W", "locked": false})
        )
        .await,
        sorted(vec![fetched, expires_at_5s, backing_off])
    );

    // The fetched lock ends at 10 s, the failure back-off at 60 s.
    engine.advance(Duration::from_secs(5));
    assert_eq!(
        by_all_endpoints(&api, "workerId=W&locked=true", locked_by_w.clone()).await,
        vec![backing_off.clone()]
    );
    engine.advance(Duration::from_secs(50));
    assert!(
        by_all_endpoints(&api, "workerId=W&locked=true", locked_by_w)
            .await
            .is_empty()
    );
    // Never locked: no worker filter matches it.
    assert!(
        by_all_endpoints(&api, "workerId=null", json!({"workerId": "null"}))
            .await
            .is_empty()
    );
    assert!(engine.task(never).is_some_and(|t| t.worker_id.is_none()));
}
