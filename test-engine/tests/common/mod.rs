//! Helpers shared by the integration tests: a tiny REST caller over reqwest.
#![allow(dead_code)]

use camunda7_test_engine::TestEngine;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// A response: status, content type and body (JSON when it parses, else a string; `Null` when
/// empty).
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub content_type: Option<String>,
    pub body: Value,
}

impl Reply {
    /// Asserts an engine error with this status, type and message and returns its code.
    pub fn assert_error(&self, status: u16, kind: &str, message: &str) -> Value {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected status; body: {}",
            self.body
        );
        assert_eq!(self.body["type"], json!(kind), "body: {}", self.body);
        assert_eq!(self.body["message"], json!(message), "body: {}", self.body);
        assert!(
            self.body
                .as_object()
                .is_some_and(|o| o.contains_key("code")),
            "code is always written"
        );
        self.body["code"].clone()
    }

    pub fn assert_no_content(&self) {
        assert_eq!(self.status, StatusCode::NO_CONTENT, "body: {}", self.body);
    }
}

/// Calls the engine's REST API.
pub struct Api {
    pub base: String,
    pub http: reqwest::Client,
}

impl Api {
    pub fn new(engine: &TestEngine) -> Api {
        Api {
            base: engine.base_url(),
            http: reqwest::Client::new(),
        }
    }

    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Reply {
        let mut request = self.http.request(method, format!("{}{}", self.base, path));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request reaches the engine");
        let status = response.status();
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let text = response.text().await.expect("body is readable");
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        Reply {
            status,
            content_type,
            body,
        }
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.call(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.call(Method::POST, path, Some(body)).await
    }

    pub async fn put(&self, path: &str, body: Value) -> Reply {
        self.call(Method::PUT, path, Some(body)).await
    }

    /// fetchAndLock on one topic with a 10 s lock; returns the locked tasks.
    pub async fn fetch(&self, worker: &str, topic: &str, max_tasks: u32) -> Vec<Value> {
        let reply = self
            .post(
                "/external-task/fetchAndLock",
                json!({"workerId": worker, "maxTasks": max_tasks,
                       "topics": [{"topicName": topic, "lockDuration": 10_000}]}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "fetch failed: {}", reply.body);
        reply.body.as_array().cloned().unwrap_or_default()
    }

    /// Ids of fetched tasks.
    pub async fn fetch_ids(&self, worker: &str, topic: &str, max_tasks: u32) -> Vec<String> {
        self.fetch(worker, topic, max_tasks)
            .await
            .iter()
            .map(|t| t["id"].as_str().unwrap_or_default().to_owned())
            .collect()
    }

    pub async fn complete(&self, id: &str, worker: &str) -> Reply {
        self.post(
            &format!("/external-task/{id}/complete"),
            json!({"workerId": worker}),
        )
        .await
    }
}
