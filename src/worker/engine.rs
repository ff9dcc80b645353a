//! The worker's calls to the External Task API, in one place: builds the generated request
//! bodies from the worker's own types.

use std::time::Duration;

use crate::models::{
    CompleteExternalTaskDto, ExtendLockOnExternalTaskDto, ExternalTaskBpmnError,
    ExternalTaskFailureDto, FetchExternalTaskTopicDto, FetchExternalTasksDto,
    FetchExternalTasksDtoSorting, FetchExternalTasksDtoSortingSortBy,
    FetchExternalTasksDtoSortingSortOrder, LockedExternalTaskDto,
};
use crate::variables::Variables;
use crate::{Client, Error};

use super::subscription::Subscription;

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
) -> FetchExternalTasksDto {
    let topics = subscriptions
        .iter()
        .map(|(s, lock)| FetchExternalTaskTopicDto {
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
            process_variables: s.process_variables.as_ref().map(|values| {
                serde_json::Value::Object(
                    values.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
                )
            }),
            deserialize_values: s.deserialize_values,
            include_extension_properties: s.include_extension_properties,
        })
        .collect();
    let sorting = sort_by_create_time.map(|ascending| {
        vec![FetchExternalTasksDtoSorting {
            sort_by: Some(FetchExternalTasksDtoSortingSortBy::CreateTime),
            sort_order: Some(if ascending {
                FetchExternalTasksDtoSortingSortOrder::Asc
            } else {
                FetchExternalTasksDtoSortingSortOrder::Desc
            }),
        }]
    });
    FetchExternalTasksDto {
        worker_id: worker_id.to_owned(),
        max_tasks: 1,
        use_priority,
        async_response_timeout: async_response_timeout.map(millis),
        topics: Some(topics),
        sorting,
    }
}

pub(crate) async fn fetch(
    client: &Client,
    body: &FetchExternalTasksDto,
) -> Result<Vec<LockedExternalTaskDto>, Error> {
    client.external_task().fetch_and_lock(body).await
}

pub(crate) async fn complete(
    client: &Client,
    task_id: &str,
    worker_id: &str,
    variables: Option<Variables>,
    local_variables: Option<Variables>,
) -> Result<(), Error> {
    let body = CompleteExternalTaskDto {
        worker_id: Some(worker_id.to_owned()),
        variables,
        local_variables,
    };
    client
        .external_task()
        .complete_external_task_resource(task_id, &body)
        .await
}

#[allow(clippy::too_many_arguments)]
pub(crate) async fn failure(
    client: &Client,
    task_id: &str,
    worker_id: &str,
    message: String,
    details: Option<String>,
    retries: i32,
    retry_timeout: Duration,
    variables: Option<Variables>,
    local_variables: Option<Variables>,
) -> Result<(), Error> {
    let body = ExternalTaskFailureDto {
        worker_id: Some(worker_id.to_owned()),
        error_message: Some(message),
        error_details: details,
        retries: Some(retries),
        retry_timeout: Some(millis(retry_timeout)),
        variables,
        local_variables,
    };
    client.external_task().handle_failure(task_id, &body).await
}

pub(crate) async fn bpmn_error(
    client: &Client,
    task_id: &str,
    worker_id: &str,
    code: String,
    message: Option<String>,
    variables: Option<Variables>,
) -> Result<(), Error> {
    let body = ExternalTaskBpmnError {
        worker_id: Some(worker_id.to_owned()),
        error_code: Some(code),
        error_message: message,
        variables,
    };
    client
        .external_task()
        .handle_external_task_bpmn_error(task_id, &body)
        .await
}

pub(crate) async fn extend_lock(
    client: &Client,
    task_id: &str,
    worker_id: &str,
    new_duration_ms: i64,
) -> Result<(), Error> {
    let body = ExtendLockOnExternalTaskDto {
        worker_id: Some(worker_id.to_owned()),
        new_duration: Some(new_duration_ms),
    };
    client.external_task().extend_lock(task_id, &body).await
}
