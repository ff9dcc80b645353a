//! The worker's calls to the External Task API, in one place. They go through the client's
//! runtime with the hand-written bodies of [`super::wire`], so the worker builds with any
//! document the client is generated from.

use std::time::Duration;

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

/// Each task is boxed as it is decoded: a locked task is about 500 bytes, and from here on it
/// only moves (into its job, then into the handler's `Task`) as a pointer.
pub(crate) async fn fetch(
    client: &Client,
    body: &FetchBody,
) -> Result<Vec<Box<LockedTask>>, Error> {
    client
        .request(Method::POST, &["external-task", "fetchAndLock"])
        .json(body)
        .long_poll(body.async_response_timeout)
        .send()
        .await?
        .json()
        .await
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
