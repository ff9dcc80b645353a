//! The Prism harness can fail: a request of the wrong shape is reported, in mock mode through
//! the `sl-violations` header and with `prism proxy --errors` as a 422, while the same request
//! with the right shape is not. Also checks that document patches apply only where needed.
//!
//! Needs Prism (`npm ci --prefix .ci/prism`) and Camunda's documents; see `docs/prism.md`.

mod prism_support;

use prism_support::{
    prepare_document, report, require_prism, require_spec_dir, spec_file, Mode, Prism, Recorder,
};
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

const DOC_7_24: &str = "camunda-7.24.0-SNAPSHOT.json";
const DOC_7_13: &str = "camunda-7.13.0.json";

/// The 7.24 document requires basic auth; Prism checks only that the header is there.
const BASIC_AUTH: &str = "Basic ZGVtbzpkZW1v";

fn fetch_body(worker_id: serde_json::Value) -> serde_json::Value {
    json!({
        "workerId": worker_id,
        "maxTasks": 1,
        "topics": [{"topicName": "invoice", "lockDuration": 10_000}]
    })
}

async fn post_json(
    http: &reqwest::Client,
    url: &str,
    body: &serde_json::Value,
) -> reqwest::Response {
    http.post(url)
        .header("authorization", BASIC_AUTH)
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap_or_else(|e| panic!("POST {url} failed: {e}"))
}

#[tokio::test]
async fn prism_mock_reports_a_number_where_the_spec_wants_a_string() {
    let test = "prism_mock_reports_a_number_where_the_spec_wants_a_string";
    let Some(bin) = require_prism(test) else {
        return;
    };
    let Some(dir) = require_spec_dir(test) else {
        return;
    };
    let doc = spec_file(&dir, DOC_7_24);
    let prism = Prism::start(&bin, &doc, Mode::Mock)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let recorder = Recorder::start(&prism.base_url())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let http = reqwest::Client::new();
    let url = format!("{}/external-task/fetchAndLock", recorder.base_url());

    // Wrong: workerId must be a string.
    let wrong = post_json(&http, &url, &fetch_body(json!(123))).await;
    let header = wrong
        .headers()
        .get("sl-violations")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let header = header.unwrap_or_else(|| {
        panic!(
            "Prism did not report workerId: 123 (status {}); its log:\n{}",
            wrong.status(),
            prism.log_tail()
        )
    });
    assert!(header.contains("workerId"), "header: {header}");

    // Right: the same request with a string passes.
    let right = post_json(&http, &url, &fetch_body(json!("worker-1"))).await;
    assert_eq!(right.status(), 200, "a valid fetchAndLock must get 200");
    assert!(right.headers().get("sl-violations").is_none());

    // The recorder saw the same: one request violation at request.body.workerId, then none.
    let exchanges = recorder.all();
    assert_eq!(exchanges.len(), 2);
    let violations = exchanges[0].request_violations();
    assert_eq!(violations.len(), 1, "{violations:?}");
    assert_eq!(violations[0].location, "request.body.workerId");
    assert_eq!(violations[0].code, "type");
    assert!(exchanges[1].violations.is_empty(), "{:?}", exchanges[1]);
    report(&format!(
        "prism harness (mock, {DOC_7_24}): wrong shape detected: {}",
        violations[0]
    ));
}

/// A stand-in upstream for proxy mode: answers fetchAndLock with `[]`, the count with a string
/// where the spec wants an integer, and counts the requests it got.
async fn start_upstream(hits: Arc<AtomicUsize>) -> (String, tokio::sync::oneshot::Sender<()>) {
    use axum::routing::{get, post};
    let fetch_hits = Arc::clone(&hits);
    let app = axum::Router::new()
        .route(
            "/engine-rest/external-task/fetchAndLock",
            post(move || {
                let hits = Arc::clone(&fetch_hits);
                async move {
                    hits.fetch_add(1, Ordering::SeqCst);
                    axum::Json(json!([]))
                }
            }),
        )
        .route(
            "/engine-rest/external-task/count",
            get(move || {
                let hits = Arc::clone(&hits);
                async move {
                    hits.fetch_add(1, Ordering::SeqCst);
                    axum::Json(json!({"count": "three"}))
                }
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("cannot bind the upstream: {e}"));
    let addr = listener
        .local_addr()
        .unwrap_or_else(|e| panic!("no upstream address: {e}"));
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = rx.await;
            })
            .await;
    });
    (format!("http://{addr}/engine-rest"), tx)
}

#[tokio::test]
async fn prism_proxy_with_errors_rejects_a_wrong_shape_with_422() {
    let test = "prism_proxy_with_errors_rejects_a_wrong_shape_with_422";
    let Some(bin) = require_prism(test) else {
        return;
    };
    let Some(dir) = require_spec_dir(test) else {
        return;
    };
    let doc = spec_file(&dir, DOC_7_24);
    let hits = Arc::new(AtomicUsize::new(0));
    let (upstream, _stop_upstream) = start_upstream(Arc::clone(&hits)).await;
    let prism = Prism::start(
        &bin,
        &doc,
        Mode::Proxy {
            upstream,
            errors: true,
        },
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let recorder = Recorder::start(&prism.base_url())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let http = reqwest::Client::new();
    let url = format!("{}/external-task/fetchAndLock", recorder.base_url());

    // Wrong request shape: 422, and the upstream never sees it.
    let wrong = post_json(&http, &url, &fetch_body(json!(123))).await;
    assert_eq!(wrong.status(), 422, "log:\n{}", prism.log_tail());
    assert_eq!(hits.load(Ordering::SeqCst), 0);

    // Right shape: forwarded to the upstream under its base path, answer passed back.
    let right = post_json(&http, &url, &fetch_body(json!("worker-1"))).await;
    assert_eq!(right.status(), 200, "log:\n{}", prism.log_tail());
    assert_eq!(hits.load(Ordering::SeqCst), 1);

    // Wrong response shape from the upstream: 500 with a response violation.
    let count = http
        .get(format!("{}/external-task/count", recorder.base_url()))
        .header("authorization", BASIC_AUTH)
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET count failed: {e}"));
    assert_eq!(count.status(), 500, "log:\n{}", prism.log_tail());
    assert_eq!(hits.load(Ordering::SeqCst), 2);

    let exchanges = recorder.all();
    assert_eq!(exchanges.len(), 3);
    let request_violations = exchanges[0].request_violations();
    assert_eq!(request_violations.len(), 1, "{:?}", exchanges[0]);
    assert_eq!(request_violations[0].location, "request.body.workerId");
    assert!(exchanges[1].violations.is_empty(), "{:?}", exchanges[1]);
    let response_violations = exchanges[2].response_violations();
    assert_eq!(response_violations.len(), 1, "{:?}", exchanges[2]);
    assert_eq!(response_violations[0].location, "response.body.count");
    report(&format!(
        "prism harness (proxy --errors, {DOC_7_24}): wrong request shape -> 422 ({}), wrong response shape -> 500 ({})",
        request_violations[0], response_violations[0]
    ));
}

#[test]
fn patches_apply_only_where_the_document_has_the_bug() {
    let test = "patches_apply_only_where_the_document_has_the_bug";
    let Some(dir) = require_spec_dir(test) else {
        return;
    };
    let work = tempfile::tempdir().unwrap_or_else(|e| panic!("no temp dir: {e}"));
    let value = "/components/schemas/VariableValueDto/properties/value";
    let code = "/components/schemas/ExceptionDto/properties/code";
    let read = |path: &std::path::Path| -> serde_json::Value {
        let bytes =
            std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
    };

    // 7.13: `value` is `type: object`; ExceptionDto has no `code` yet.
    let old =
        prepare_document(&spec_file(&dir, DOC_7_13), work.path()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(old.patches.len(), 1, "{:?}", old.patches);
    assert!(old.patches[0].starts_with(value), "{:?}", old.patches);
    assert!(
        old.path.starts_with(work.path()),
        "patched copy in the temp dir"
    );
    let written = read(&old.path);
    assert!(written.pointer(&format!("{value}/type")).is_none());
    assert!(written.pointer(code).is_none());
    assert_eq!(written, old.json, "the copy is what the harness describes");
    // The original stays as it was.
    assert_eq!(
        read(&dir.join(DOC_7_13)).pointer(&format!("{value}/type")),
        Some(&json!("object"))
    );

    // 7.24: `value` is already any JSON; `code` is a non-nullable number.
    let new =
        prepare_document(&spec_file(&dir, DOC_7_24), work.path()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(new.patches.len(), 1, "{:?}", new.patches);
    assert!(new.patches[0].starts_with(code), "{:?}", new.patches);
    let written = read(&new.path);
    assert_eq!(
        written.pointer(&format!("{code}/nullable")),
        Some(&json!(true))
    );
    let original = read(&dir.join(DOC_7_24));
    assert_eq!(written.pointer(value), original.pointer(value));
    assert!(original.pointer(&format!("{code}/nullable")).is_none());

    // A document without the bugs passes through untouched.
    let fixed_path = work.path().join("fixed.json");
    std::fs::write(&fixed_path, written.to_string())
        .unwrap_or_else(|e| panic!("cannot write: {e}"));
    let fixed = prepare_document(&fixed_path, work.path()).unwrap_or_else(|e| panic!("{e}"));
    assert!(fixed.patches.is_empty(), "{:?}", fixed.patches);
    assert_eq!(fixed.path, fixed_path);
}
