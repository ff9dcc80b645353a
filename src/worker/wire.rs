//! The JSON the worker exchanges with the engine, written by hand.
//!
//! The worker must build whatever document the client is generated from: an older engine's
//! (7.13 has no `sorting`), or a selection of tags without External Task at all. So it does not
//! use the generated models; these types carry the fields of the External Task API that every
//! supported engine version accepts, and unknown fields in responses are ignored.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::variables::Variables;
use crate::DateTime;

/// One task as fetch-and-lock returns it: the worker's view, independent of the OpenAPI
/// document the client was generated from. Fields the engine did not send are `None`.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct LockedTask {
    /// The task's id.
    pub id: Option<String>,
    /// The topic the task was fetched for.
    pub topic_name: Option<String>,
    /// The worker holding the lock (this worker).
    pub worker_id: Option<String>,
    /// When the lock expires, on the engine's clock (`None` also when the engine wrote it in a
    /// form this client cannot read: the worker does not need it, so it never fails a task).
    #[serde(default, deserialize_with = "lenient_date")]
    pub lock_expiration_time: Option<DateTime>,
    /// When the task was created (engines from 7.21 on; `None` when unreadable, as above).
    #[serde(default, deserialize_with = "lenient_date")]
    pub create_time: Option<DateTime>,
    /// Retries left; `None` until the task first failed.
    pub retries: Option<i32>,
    /// Message of the latest failure report.
    pub error_message: Option<String>,
    /// Details of the latest failure report.
    pub error_details: Option<String>,
    /// The task's priority.
    pub priority: Option<i64>,
    /// The BPMN activity that created the task.
    pub activity_id: Option<String>,
    /// The activity instance the task belongs to.
    pub activity_instance_id: Option<String>,
    /// The execution the task waits in.
    pub execution_id: Option<String>,
    /// The process instance the task belongs to.
    pub process_instance_id: Option<String>,
    /// The process definition's id.
    pub process_definition_id: Option<String>,
    /// The process definition's key.
    pub process_definition_key: Option<String>,
    /// The process definition's version tag.
    pub process_definition_version_tag: Option<String>,
    /// The business key of the process instance.
    pub business_key: Option<String>,
    /// The tenant of the task.
    pub tenant_id: Option<String>,
    /// Whether the task is suspended (fetch-and-lock only returns active tasks).
    pub suspended: Option<bool>,
    /// The variables fetched with the task.
    pub variables: Option<Variables>,
    /// The activity's extension properties, when requested.
    pub extension_properties: Option<BTreeMap<String, String>>,
}

/// A date the worker can do without: read when it can be, `None` otherwise (a date in a
/// format of a differently configured engine, a wrong JSON type).
fn lenient_date<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<DateTime>, D::Error> {
    struct Lenient;
    impl<'de> serde::de::Visitor<'de> for Lenient {
        type Value = Option<DateTime>;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a date, or anything else (read as no date)")
        }

        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(DateTime::parse(v).ok())
        }

        fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(DateTime::from_timestamp_millis(v))
        }

        fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok(i64::try_from(v)
                .ok()
                .and_then(DateTime::from_timestamp_millis))
        }

        fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_seq<A: serde::de::SeqAccess<'de>>(
            self,
            mut seq: A,
        ) -> Result<Self::Value, A::Error> {
            while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
            Ok(None)
        }

        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut map: A,
        ) -> Result<Self::Value, A::Error> {
            while map
                .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
                .is_some()
            {}
            Ok(None)
        }
    }
    deserializer.deserialize_any(Lenient)
}

/// The fetch-and-lock request body.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct FetchBody {
    pub(crate) worker_id: String,
    pub(crate) max_tasks: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) use_priority: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) async_response_timeout: Option<i64>,
    pub(crate) topics: Vec<FetchTopic>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) sorting: Option<Vec<Sorting>>,
}

/// One topic of a fetch-and-lock request.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct FetchTopic {
    pub(crate) topic_name: String,
    pub(crate) lock_duration: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) variables: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) local_variables: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) business_key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) process_definition_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) process_definition_id_in: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) process_definition_key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) process_definition_key_in: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) process_definition_version_tag: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) without_tenant_id: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) tenant_id_in: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) process_variables: Option<serde_json::Map<String, serde_json::Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) deserialize_values: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) include_extension_properties: Option<bool>,
}

/// A sorting entry of a fetch-and-lock request (the engine only sorts by `createTime`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Sorting {
    pub(crate) sort_by: &'static str,
    pub(crate) sort_order: &'static str,
}

/// The complete request body.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CompleteBody<'a> {
    pub(crate) worker_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) variables: Option<&'a Variables>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) local_variables: Option<&'a Variables>,
}

/// The failure request body.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct FailureBody<'a> {
    pub(crate) worker_id: &'a str,
    pub(crate) error_message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) error_details: Option<&'a str>,
    pub(crate) retries: i32,
    pub(crate) retry_timeout: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) variables: Option<&'a Variables>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) local_variables: Option<&'a Variables>,
}

/// The BPMN error request body.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct BpmnErrorBody<'a> {
    pub(crate) worker_id: &'a str,
    pub(crate) error_code: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) error_message: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) variables: Option<&'a Variables>,
}

/// The extend-lock request body.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ExtendLockBody<'a> {
    pub(crate) worker_id: &'a str,
    pub(crate) new_duration: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_locked_task_reads_a_camunda_item_and_ignores_unknown_fields() {
        let json = r#"{"id":"t1","topicName":"charge","workerId":"w","retries":null,
            "lockExpirationTime":"2024-05-06T12:30:00.000+0200","priority":3,
            "variables":{"amount":{"type":"Long","value":42,"valueInfo":{}}},
            "extensionProperties":{"k":"v"},"someFutureField":[1,2]}"#;
        let task: LockedTask = serde_json::from_str(json).expect("a locked task");
        assert_eq!(task.id.as_deref(), Some("t1"));
        assert_eq!(task.priority, Some(3));
        assert_eq!(task.retries, None);
        let vars = task.variables.expect("variables");
        assert_eq!(vars.get::<i64>("amount").expect("amount"), 42);
        assert!(task.lock_expiration_time.is_some());
    }

    #[test]
    fn dates_the_worker_does_not_need_never_fail_a_task() {
        for date in [
            r#""2025-01-01T00:00:00""#,
            "12.5",
            "true",
            "[1]",
            r#"{"a":1}"#,
            "null",
        ] {
            let json = format!(r#"{{"id":"t1","lockExpirationTime":{date},"createTime":{date}}}"#);
            let task: LockedTask = serde_json::from_str(&json).expect(&json);
            assert_eq!(task.id.as_deref(), Some("t1"));
            assert_eq!(task.lock_expiration_time, None, "{date}");
        }
        let task: LockedTask =
            serde_json::from_str(r#"{"lockExpirationTime":1700000000000}"#).expect("millis");
        assert!(task.lock_expiration_time.is_some());
    }

    #[test]
    fn request_bodies_use_the_engine_field_names() {
        let body = FailureBody {
            worker_id: "w",
            error_message: "boom",
            error_details: None,
            retries: 2,
            retry_timeout: 1000,
            variables: None,
            local_variables: None,
        };
        let json = serde_json::to_value(&body).expect("json");
        assert_eq!(
            json,
            serde_json::json!({"workerId":"w","errorMessage":"boom","retries":2,"retryTimeout":1000})
        );
    }
}
