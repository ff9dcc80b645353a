//! The standalone binary and the builder options.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use camunda7_test_engine::{TaskSpec, TestEngine};
use common::Api;
use serde_json::json;

#[tokio::test]
async fn omitting_null_error_codes_drops_only_null_codes() {
    let engine = TestEngine::builder()
        .omit_null_error_codes(true)
        .start()
        .await
        .expect("engine");
    let api = Api::new(&engine);
    let reply = api.get("/external-task/nope").await;
    assert_eq!(reply.status.as_u16(), 404);
    assert!(reply.body.get("code").is_none(), "{}", reply.body);
    let reply = api.complete("nope", "w").await;
    assert_eq!(reply.body["code"], json!(0), "non-null codes stay");
}

#[tokio::test]
async fn the_binary_serves_seeded_tasks() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_camunda7-test-engine"))
        .args(["--port", "0", "--seed", "demo=3"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("binary starts");
    let stdout = child.stdout.take().expect("piped stdout");
    let line = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        line
    })
    .await
    .expect("read");
    let base = line
        .trim()
        .rsplit(' ')
        .next()
        .unwrap_or_default()
        .to_owned();
    assert!(
        base.starts_with("http://127.0.0.1:") && base.ends_with("/engine-rest"),
        "{line}"
    );
    let count: serde_json::Value = reqwest::get(format!("{base}/external-task/count"))
        .await
        .expect("reachable")
        .json()
        .await
        .expect("json");
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(count, json!({"count": 3}));
}

#[tokio::test]
async fn invalid_specs_are_reported_with_the_task_and_variable() {
    let engine = TestEngine::start().await.expect("engine");
    let error = engine
        .create_task(
            TaskSpec::new("t")
                .id("x")
                .variable("n", json!({"type": "Integer", "value": "abc"})),
        )
        .expect_err("invalid value");
    assert!(
        error.message.contains("task 'x'") && error.message.contains("'n'"),
        "{error}"
    );
    engine
        .create_task(TaskSpec::new("t").id("y"))
        .expect("valid");
    let duplicate = engine
        .create_task(TaskSpec::new("t").id("y"))
        .expect_err("duplicate id");
    assert!(duplicate.message.contains("already exists"), "{duplicate}");
}

#[tokio::test]
async fn basic_auth_is_required_when_configured() {
    let engine = TestEngine::builder()
        .basic_auth("demo", "s3cret")
        .start()
        .await
        .expect("engine");
    let http = reqwest::Client::new();
    let url = format!("{}/external-task/count", engine.base_url());
    let anonymous = http.get(&url).send().await.expect("answered");
    assert_eq!(anonymous.status().as_u16(), 401);
    assert_eq!(
        anonymous
            .headers()
            .get("www-authenticate")
            .and_then(|v| v.to_str().ok()),
        Some("Basic realm=\"default\"")
    );
    assert!(anonymous.headers().get("content-type").is_none());
    assert!(anonymous.text().await.expect("body").is_empty());
    let wrong = http
        .get(&url)
        .basic_auth("demo", Some("nope"))
        .send()
        .await
        .expect("answered");
    assert_eq!(wrong.status().as_u16(), 401);
    let right = http
        .get(&url)
        .basic_auth("demo", Some("s3cret"))
        .send()
        .await
        .expect("answered");
    assert_eq!(right.status().as_u16(), 200);
    let engines = http
        .get(format!("{}/engine", engine.base_url()))
        .send()
        .await
        .expect("answered");
    assert_eq!(engines.status().as_u16(), 200, "/engine is exempt");
}
