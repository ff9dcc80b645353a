//! The worker's calls to the External Task API, in one place. They go through the client's
//! runtime with the hand-written bodies of [`super::wire`], so the worker builds with any
//! document the client is generated from.

use std::time::Duration;

use bytes::Bytes;
use reqwest::Method;

use crate::variables::Variables;
use crate::{Client, Error};

use super::subscription::Subscription;
use super::wire::{
    BpmnErrorBody, CompleteBody, ExtendLockBody, FailureBody, FetchBody, FetchTopic, LockedTask,
    Sorting,
};

pub(crate) fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

/// The fetch-and-lock body for these subscriptions; `max_tasks` is set per poll.
pub(crate) fn fetch_body(
    worker_id: &str,
    subscriptions: &[(Subscription, Duration)],
    use_priority: Option<bool>,
    sort_by_create_time: Option<bool>,
    async_response_timeout: Option<Duration>,
) -> FetchBody {
    let topics = subscriptions
        .iter()
        .map(|(s, lock)| FetchTopic {
            topic_name: s.topic.clone(),
            lock_duration: millis(*lock).max(1),
            variables: s.variables.clone(),
            local_variables: s.local_variables,
            business_key: s.business_key.clone(),
            process_definition_id: s.process_definition_id.clone(),
            process_definition_id_in: s.process_definition_id_in.clone(),
            process_definition_key: s.process_definition_key.clone(),
            process_definition_key_in: s.process_definition_key_in.clone(),
            process_definition_version_tag: s.process_definition_version_tag.clone(),
            without_tenant_id: s.without_tenant_id,
            tenant_id_in: s.tenant_id_in.clone(),
            process_variables: s
                .process_variables
                .as_ref()
                .map(|values| values.iter().map(|(k, v)| (k.clone(), v.clone())).collect()),
            deserialize_values: s.deserialize_values,
            include_extension_properties: s.include_extension_properties,
        })
        .collect();
    let sorting = sort_by_create_time.map(|ascending| {
        vec![Sorting {
            sort_by: "createTime",
            sort_order: if ascending { "asc" } else { "desc" },
        }]
    });
    FetchBody {
        worker_id: worker_id.to_owned(),
        max_tasks: 1,
        use_priority,
        async_response_timeout: async_response_timeout.map(millis),
        topics,
        sorting,
    }
}

/// The worker's fetch-and-lock body with its JSON, which only changes with `maxTasks` and so is
/// serialized again only when that does.
pub(crate) struct FetchRequest {
    body: FetchBody,
    json: Option<Bytes>,
}

impl FetchRequest {
    pub(crate) fn new(body: FetchBody) -> Self {
        FetchRequest { body, json: None }
    }

    /// Fetches and locks up to `max_tasks` tasks. Each task is boxed as it is decoded: a locked
    /// task is about 500 bytes, and from here on it only moves (into its job, then into the
    /// handler's `Task`) as a pointer.
    pub(crate) fn fetch(
        &mut self,
        client: &Client,
        max_tasks: i32,
    ) -> impl std::future::Future<Output = Result<Fetched, Error>> + Send + 'static {
        if self.body.max_tasks != max_tasks || self.json.is_none() {
            self.body.max_tasks = max_tasks;
            // Serialization of this body cannot fail (strings, numbers and JSON values); if it
            // ever did, the request below serializes again and reports the error.
            self.json = serde_json::to_vec(&self.body).ok().map(Bytes::from);
        }
        let request = client.request(Method::POST, &["external-task", "fetchAndLock"]);
        let request = match &self.json {
            Some(json) => request.json_bytes(json.clone()),
            None => request.json(&self.body),
        };
        let request = request.long_poll(self.body.async_response_timeout);
        async move {
            let response = request.send().await?;
            let status = response.status();
            let body = response.bytes().await?;
            decode_fetched(&body, status)
        }
    }
}

/// What one fetch-and-lock returned: the tasks, and those the worker could not read. The
/// engine has locked all of them.
#[derive(Debug, Default)]
pub(crate) struct Fetched {
    // Boxed on purpose: each task then moves into its job as a pointer (see `fetch`).
    #[allow(clippy::vec_box)]
    pub(crate) tasks: Vec<Box<LockedTask>>,
    pub(crate) undecodable: Vec<Undecodable>,
}

/// A fetched task whose item does not match [`LockedTask`].
#[derive(Debug)]
pub(crate) struct Undecodable {
    /// Its id, when the item has a string `id`.
    pub(crate) id: Option<String>,
    /// Its topic, when the item has a string `topicName`.
    pub(crate) topic: Option<String>,
    /// Its retries, when readable.
    pub(crate) retries: Option<i32>,
    /// What is wrong, naming the field.
    pub(crate) problem: String,
}

/// Decodes a fetch-and-lock answer. One task that cannot be read does not fail the others:
/// the engine has locked every one of them, so each readable task is handled, and the rest are
/// returned with what is wrong for a failure report.
fn decode_fetched(body: &[u8], status: reqwest::StatusCode) -> Result<Fetched, Error> {
    // The usual case, in one pass.
    if let Ok(tasks) = serde_json::from_slice::<Vec<Box<LockedTask>>>(body) {
        return Ok(Fetched {
            tasks,
            undecodable: Vec::new(),
        });
    }
    let path = "/external-task/fetchAndLock";
    let items: Vec<serde_json::Value> =
        crate::client::decode_json(body, &Method::POST, path, status)?;
    let mut fetched = Fetched::default();
    for (index, item) in items.into_iter().enumerate() {
        let text = |name: &str| item.get(name).and_then(|v| v.as_str()).map(str::to_owned);
        let (id, topic) = (text("id"), text("topicName"));
        let retries = item
            .get("retries")
            .and_then(serde_json::Value::as_i64)
            .and_then(|r| i32::try_from(r).ok());
        match serde_path_to_error::deserialize::<_, Box<LockedTask>>(&item) {
            Ok(task) => fetched.tasks.push(task),
            Err(e) => fetched.undecodable.push(Undecodable {
                id,
                topic,
                retries,
                problem: format!(
                    "fetched task [{index}]: cannot read `{}`: {}",
                    e.path(),
                    e.inner()
                ),
            }),
        }
    }
    Ok(fetched)
}

/// `POST /external-task/{id}/{action}` with a JSON body, answered with 204.
async fn post_task<B: serde::Serialize>(
    client: &Client,
    task_id: &str,
    action: &str,
    body: &B,
) -> Result<(), Error> {
    client
        .request(Method::POST, &["external-task", task_id, action])
        .json(body)
        .send()
        .await?
        .empty()
        .await
}

pub(crate) async fn complete(
    client: &Client,
    task_id: &str,
    worker_id: &str,
    variables: Option<&Variables>,
    local_variables: Option<&Variables>,
) -> Result<(), Error> {
    let body = CompleteBody {
        worker_id,
        variables,
        local_variables,
    };
    post_task(client, task_id, "complete", &body).await
}

#[allow(clippy::too_many_arguments)]
pub(crate) async fn failure(
    client: &Client,
    task_id: &str,
    worker_id: &str,
    message: &str,
    details: Option<&str>,
    retries: i32,
    retry_timeout: Duration,
    variables: Option<&Variables>,
    local_variables: Option<&Variables>,
) -> Result<(), Error> {
    let body = FailureBody {
        worker_id,
        error_message: message,
        error_details: details,
        retries,
        retry_timeout: millis(retry_timeout),
        variables,
        local_variables,
    };
    post_task(client, task_id, "failure", &body).await
}

pub(crate) async fn bpmn_error(
    client: &Client,
    task_id: &str,
    worker_id: &str,
    code: &str,
    message: Option<&str>,
    variables: Option<&Variables>,
) -> Result<(), Error> {
    let body = BpmnErrorBody {
        worker_id,
        error_code: code,
        error_message: message,
        variables,
    };
    post_task(client, task_id, "bpmnError", &body).await
}

/// `POST /external-task/{id}/unlock`: gives the task back at once.
pub(crate) async fn unlock(client: &Client, task_id: &str) -> Result<(), Error> {
    client
        .request(Method::POST, &["external-task", task_id, "unlock"])
        .send()
        .await?
        .empty()
        .await
}

/// One task as the external-task query returns it, with the fields the worker reads.
#[derive(Debug, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct QueriedTask {
    pub(crate) id: Option<String>,
    pub(crate) topic_name: Option<String>,
}

/// A task as `GET /external-task/{id}` returns it, with the fields the worker reads.
#[derive(Debug, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TaskState {
    pub(crate) worker_id: Option<String>,
    pub(crate) retries: Option<i32>,
    pub(crate) error_message: Option<String>,
}

/// `GET /external-task/{id}`.
pub(crate) async fn task_state(client: &Client, task_id: &str) -> Result<TaskState, Error> {
    client
        .request(Method::GET, &["external-task", task_id])
        .send()
        .await?
        .json()
        .await
}

/// `GET /external-task?workerId=…&locked=true`: the tasks the engine holds locked for
/// `worker_id` right now.
pub(crate) async fn locked_by(client: &Client, worker_id: &str) -> Result<Vec<QueriedTask>, Error> {
    client
        .request(Method::GET, &["external-task"])
        .query(&[("workerId", worker_id), ("locked", "true")])
        .send()
        .await?
        .json()
        .await
}

pub(crate) async fn extend_lock(
    client: &Client,
    task_id: &str,
    worker_id: &str,
    new_duration_ms: i64,
) -> Result<(), Error> {
    let body = ExtendLockBody {
        worker_id,
        new_duration: new_duration_ms,
    };
    post_task(client, task_id, "extendLock", &body).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sent_json(request: &FetchRequest) -> serde_json::Value {
        serde_json::from_slice(request.json.as_deref().expect("serialized")).expect("JSON")
    }

    #[test]
    fn the_fetch_body_is_serialized_again_when_max_tasks_changes() {
        let client = Client::new("http://127.0.0.1:9/engine-rest").expect("client");
        let topics = [(Subscription::new("t"), Duration::from_secs(10))];
        let mut request = FetchRequest::new(fetch_body("w", &topics, None, None, None));
        drop(request.fetch(&client, 3));
        let first = request.json.clone();
        assert_eq!(sent_json(&request)["maxTasks"], 3);
        drop(request.fetch(&client, 3));
        assert_eq!(request.json, first, "same maxTasks, same bytes");
        drop(request.fetch(&client, 1));
        let body = sent_json(&request);
        assert_eq!(body["maxTasks"], 1);
        assert_eq!(body["workerId"], "w");
        assert_eq!(body["topics"][0]["topicName"], "t");
        assert_eq!(body["topics"][0]["lockDuration"], 10_000);
    }
}
