//! Public data types of the test API: task specifications for seeding, and what the engine
//! records about each task.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::faults::Operation;

/// Describes an external task to create with [`crate::TestEngine::create_task`].
///
/// Every task gets its own process instance (unless [`TaskSpec::process_instance_id`] joins an
/// existing one) and its own execution, so `variables` are root-scope (process) variables and
/// `local_variables` live on the task's execution.
///
/// Variables are given as a JSON object. Each value is either a typed value in the engine's
/// shape (`{"type": "Integer", "value": 5}`, validated like a REST request) or a plain JSON value
/// whose type is inferred (`"x"` → String, `5` → Integer, `5000000000` → Long, `1.5` → Double,
/// `true` → Boolean, `null` → Null, objects and arrays → Json).
#[derive(Debug, Clone)]
pub struct TaskSpec {
    pub(crate) topic: String,
    pub(crate) id: Option<String>,
    pub(crate) variables: serde_json::Map<String, Value>,
    pub(crate) local_variables: serde_json::Map<String, Value>,
    pub(crate) business_key: Option<String>,
    pub(crate) priority: i64,
    pub(crate) process_definition_key: String,
    pub(crate) process_definition_id: Option<String>,
    pub(crate) process_definition_version_tag: Option<String>,
    pub(crate) process_definition_name: Option<String>,
    pub(crate) process_instance_id: Option<String>,
    pub(crate) tenant_id: Option<String>,
    pub(crate) retries: Option<i32>,
    pub(crate) activity_id: Option<String>,
    pub(crate) extension_properties: BTreeMap<String, String>,
    pub(crate) suspended: bool,
    pub(crate) fetch_overrides: BTreeMap<String, Option<Value>>,
}

impl TaskSpec {
    /// A task on `topic` with default attributes: process definition key `process`, priority 0,
    /// retries `null`, no business key, no tenant, no variables.
    pub fn new(topic: impl Into<String>) -> Self {
        TaskSpec {
            topic: topic.into(),
            id: None,
            variables: serde_json::Map::new(),
            local_variables: serde_json::Map::new(),
            business_key: None,
            priority: 0,
            process_definition_key: "process".into(),
            process_definition_id: None,
            process_definition_version_tag: None,
            process_definition_name: None,
            process_instance_id: None,
            tenant_id: None,
            retries: None,
            activity_id: None,
            extension_properties: BTreeMap::new(),
            suspended: false,
            fetch_overrides: BTreeMap::new(),
        }
    }

    /// Uses this id instead of a generated one (e.g. to test ids that need percent-encoding).
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }

    /// Adds process variables from a JSON object (typed or plain values, see the type docs).
    /// A non-object value is ignored.
    pub fn variables(mut self, variables: Value) -> Self {
        if let Value::Object(map) = variables {
            self.variables.extend(map);
        }
        self
    }

    /// Adds one process variable (typed or plain value).
    pub fn variable(mut self, name: impl Into<String>, value: Value) -> Self {
        self.variables.insert(name.into(), value);
        self
    }

    /// Adds a process variable of type `File` holding `content` (stored base64-encoded, as the
    /// engine receives it), with its file name and, optionally, MIME type. Fetches show it with
    /// a `null` value; its content is served by
    /// `GET /process-instance/{id}/variables/{name}/data`.
    pub fn file_variable(
        self,
        name: impl Into<String>,
        filename: impl Into<String>,
        mime_type: Option<&str>,
        content: &[u8],
    ) -> Self {
        use base64::Engine as _;
        let mut info = serde_json::Map::new();
        info.insert("filename".into(), Value::String(filename.into()));
        if let Some(mime) = mime_type {
            info.insert("mimeType".into(), Value::String(mime.to_owned()));
        }
        let encoded = base64::engine::general_purpose::STANDARD.encode(content);
        self.variable(
            name,
            serde_json::json!({"type": "File", "value": encoded, "valueInfo": info}),
        )
    }

    /// Adds variables local to the task's execution from a JSON object.
    pub fn local_variables(mut self, variables: Value) -> Self {
        if let Value::Object(map) = variables {
            self.local_variables.extend(map);
        }
        self
    }

    /// Adds one variable local to the task's execution.
    pub fn local_variable(mut self, name: impl Into<String>, value: Value) -> Self {
        self.local_variables.insert(name.into(), value);
        self
    }

    /// The process instance's business key.
    pub fn business_key(mut self, key: impl Into<String>) -> Self {
        self.business_key = Some(key.into());
        self
    }

    /// The task's priority (default 0).
    pub fn priority(mut self, priority: i64) -> Self {
        self.priority = priority;
        self
    }

    /// The process definition key (default `process`); the definition id is derived from it.
    pub fn process_definition_key(mut self, key: impl Into<String>) -> Self {
        self.process_definition_key = key.into();
        self
    }

    /// An explicit process definition id.
    pub fn process_definition_id(mut self, id: impl Into<String>) -> Self {
        self.process_definition_id = Some(id.into());
        self
    }

    /// The process definition's version tag.
    pub fn process_definition_version_tag(mut self, tag: impl Into<String>) -> Self {
        self.process_definition_version_tag = Some(tag.into());
        self
    }

    /// The process definition's name (for the query's `processDefinitionName` filters).
    pub fn process_definition_name(mut self, name: impl Into<String>) -> Self {
        self.process_definition_name = Some(name.into());
        self
    }

    /// Puts the task into an existing process instance (created by an earlier task), sharing
    /// its process variables; otherwise a new instance is created.
    pub fn process_instance_id(mut self, id: impl Into<String>) -> Self {
        self.process_instance_id = Some(id.into());
        self
    }

    /// The tenant id.
    pub fn tenant_id(mut self, tenant: impl Into<String>) -> Self {
        self.tenant_id = Some(tenant.into());
        self
    }

    /// Initial retries (default `null`); 0 creates the task with an incident.
    pub fn retries(mut self, retries: i32) -> Self {
        self.retries = Some(retries);
        self
    }

    /// The activity id (default `Activity_<topic>`).
    pub fn activity_id(mut self, id: impl Into<String>) -> Self {
        self.activity_id = Some(id.into());
        self
    }

    /// Adds a `camunda:property` of the activity, returned when a topic asks for
    /// `includeExtensionProperties`.
    pub fn extension_property(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.extension_properties.insert(name.into(), value.into());
        self
    }

    /// Creates the task suspended.
    pub fn suspended(mut self, suspended: bool) -> Self {
        self.suspended = suspended;
        self
    }

    /// Writes `value` as the top-level field `name` of this task's item in every fetchAndLock
    /// response, in place of the real one (or in addition, for a name the engine does not
    /// send), so a test can hand a client one malformed task among good ones, e.g.
    /// `("lockExpirationTime", json!("2025-01-01T00:00:00"))` or
    /// `("variables", json!({"x": {"type": 5}}))`. The engine's own state is unchanged, and
    /// the other responses (`GET /external-task/{id}`, queries) show the real fields.
    pub fn fetch_field_override(mut self, name: impl Into<String>, value: Value) -> Self {
        self.fetch_overrides.insert(name.into(), Some(value));
        self
    }

    /// Leaves the top-level field `name` out of this task's item in every fetchAndLock
    /// response (e.g. `"id"`), as [`TaskSpec::fetch_field_override`] does for a changed value.
    pub fn fetch_field_omitted(mut self, name: impl Into<String>) -> Self {
        self.fetch_overrides.insert(name.into(), None);
        self
    }
}

/// A task could not be created from its [`TaskSpec`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError {
    /// What was wrong, naming the task and the offending field.
    pub message: String,
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SpecError {}

/// The current state of an open external task.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskSnapshot {
    /// Task id.
    pub id: String,
    /// Topic name.
    pub topic: String,
    /// The worker holding (or last holding, after a failure) the lock.
    pub worker_id: Option<String>,
    /// When the lock (or retry back-off) ends.
    pub lock_expiration_time: Option<DateTime<Utc>>,
    /// Whether the lock is still in force at the engine's current time.
    pub locked: bool,
    /// Retries left (`None` until a failure or a retries update).
    pub retries: Option<i32>,
    /// Last failure message.
    pub error_message: Option<String>,
    /// Last failure details.
    pub error_details: Option<String>,
    /// Priority.
    pub priority: i64,
    /// Whether suspended.
    pub suspended: bool,
    /// Business key of the process instance.
    pub business_key: Option<String>,
    /// Process instance id.
    pub process_instance_id: String,
    /// Execution id.
    pub execution_id: String,
    /// Tenant id.
    pub tenant_id: Option<String>,
    /// Creation time.
    pub create_time: DateTime<Utc>,
    /// Whether an open incident exists for the task.
    pub has_incident: bool,
}

/// Where a task stands, as seen by the test API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Open and fetchable now.
    Available,
    /// Open and locked by this worker (lock not yet expired).
    Locked(String),
    /// A failure was reported and retries are left (it may be waiting for its retry timeout).
    FailedWithRetries,
    /// Retries are 0: an incident is open and the task is not fetchable.
    Incident,
    /// Suspended.
    Suspended,
    /// Completed (the task no longer exists).
    Completed,
    /// Ended by a BPMN error (the task no longer exists).
    BpmnError,
    /// Cancelled with [`crate::TestEngine::cancel_task`] (the task no longer exists).
    Cancelled,
}

/// How a task that no longer exists came to its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ending {
    /// A worker completed it.
    Completed,
    /// A worker reported a BPMN error.
    BpmnError,
    /// Its activity was cancelled with [`crate::TestEngine::cancel_task`] (as by a process
    /// instance deletion or an interrupting event in the real engine).
    Cancelled,
}

impl From<Ending> for Outcome {
    fn from(ending: Ending) -> Outcome {
        match ending {
            Ending::Completed => Outcome::Completed,
            Ending::BpmnError => Outcome::BpmnError,
            Ending::Cancelled => Outcome::Cancelled,
        }
    }
}

/// A worker report (`complete`, `failure`, `bpmnError` or `extendLock`) that named a task after
/// the task had ended. The engine refuses it (with its 404 `External task with id .. does not
/// exist`, or with an input error checked before the lookup); the test engine keeps a record so
/// tests can find workers that report twice or too late.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LateReport {
    /// The task named by the request.
    pub task_id: String,
    /// Which report.
    pub operation: Operation,
    /// The `workerId` sent, when the request got far enough to read it.
    pub worker_id: Option<String>,
    /// Engine time of the request.
    pub at: DateTime<Utc>,
    /// HTTP status answered (404 for a well-formed request).
    pub status: u16,
    /// How the task had ended.
    pub ended: Ending,
}

/// Something that happened to a task, in order. Times are the engine's clock.
#[derive(Debug, Clone, PartialEq)]
pub enum TaskEvent {
    /// The task was created.
    Created {
        /// When.
        at: DateTime<Utc>,
    },
    /// A worker locked the task, by fetchAndLock or by the lock operation.
    Locked {
        /// The worker.
        worker_id: String,
        /// Until when.
        until: DateTime<Utc>,
        /// [`Operation::FetchAndLock`] or [`Operation::Lock`].
        via: Operation,
    },
    /// Completed.
    Completed {
        /// The worker.
        worker_id: String,
        /// `variables` sent (typed values by name).
        variables: BTreeMap<String, Value>,
        /// `localVariables` sent.
        local_variables: BTreeMap<String, Value>,
        /// When.
        at: DateTime<Utc>,
    },
    /// A failure was reported.
    Failed {
        /// The worker.
        worker_id: String,
        /// errorMessage (as stored, at most 666 characters).
        error_message: Option<String>,
        /// errorDetails.
        error_details: Option<String>,
        /// retries sent.
        retries: i32,
        /// retryTimeout sent, in ms.
        retry_timeout_ms: i64,
        /// `variables` sent.
        variables: BTreeMap<String, Value>,
        /// `localVariables` sent.
        local_variables: BTreeMap<String, Value>,
        /// When.
        at: DateTime<Utc>,
    },
    /// A BPMN error was reported; the task ended.
    BpmnError {
        /// The worker.
        worker_id: String,
        /// errorCode.
        error_code: String,
        /// errorMessage.
        error_message: Option<String>,
        /// `variables` sent.
        variables: BTreeMap<String, Value>,
        /// When.
        at: DateTime<Utc>,
    },
    /// The lock was extended.
    LockExtended {
        /// The worker.
        worker_id: String,
        /// The new expiry.
        until: DateTime<Utc>,
    },
    /// The task was cancelled with [`crate::TestEngine::cancel_task`]; it ended.
    Cancelled {
        /// When.
        at: DateTime<Utc>,
    },
    /// The task was unlocked.
    Unlocked {
        /// When.
        at: DateTime<Utc>,
    },
    /// Retries were set (single or bulk operation).
    RetriesSet {
        /// The new value.
        retries: i32,
    },
    /// The priority was set.
    PrioritySet {
        /// The new value.
        priority: i64,
    },
    /// An incident was opened (retries reached 0).
    IncidentCreated {
        /// Incident id.
        incident_id: String,
        /// The task's error message at that moment.
        message: Option<String>,
    },
    /// The open incident was resolved.
    IncidentResolved {
        /// Incident id.
        incident_id: String,
    },
    /// A request about this task was refused (lock held by another worker, task gone, ...).
    Rejected {
        /// Which operation.
        operation: Operation,
        /// The worker that asked, if any.
        worker_id: Option<String>,
        /// HTTP status answered.
        status: u16,
        /// Message answered.
        message: String,
    },
}

/// A task's successful completion, as [`crate::TestEngine::completed`] reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct CompletionRecord {
    /// The worker that completed the task.
    pub worker_id: String,
    /// The `variables` sent, by name, as stored typed values (`{"type","value","valueInfo"}`;
    /// transient ones are not stored and so not here).
    pub variables: BTreeMap<String, Value>,
    /// The `localVariables` sent, in the same shape.
    pub local_variables: BTreeMap<String, Value>,
    /// Engine time of the completion.
    pub at: DateTime<Utc>,
}

impl CompletionRecord {
    /// The `value` of a variable sent in `variables` (`None` when it was not sent).
    pub fn value(&self, name: &str) -> Option<&Value> {
        self.variables.get(name).and_then(|v| v.get("value"))
    }

    /// The `value` of a variable sent in `localVariables`.
    pub fn local_value(&self, name: &str) -> Option<&Value> {
        self.local_variables.get(name).and_then(|v| v.get("value"))
    }

    /// The engine type name (`Integer`, `String`, `File`, ...) of a variable sent in
    /// `variables`.
    pub fn type_of(&self, name: &str) -> Option<&str> {
        self.variables
            .get(name)
            .and_then(|v| v.get("type"))
            .and_then(Value::as_str)
    }
}

/// An incident opened when a task's retries reached 0.
#[derive(Debug, Clone, PartialEq)]
pub struct Incident {
    /// Incident id.
    pub id: String,
    /// The external task.
    pub task_id: String,
    /// Always `failedExternalTask`.
    pub incident_type: String,
    /// The task's error message when the incident was opened.
    pub message: Option<String>,
    /// When it was opened.
    pub created: DateTime<Utc>,
    /// When it was resolved, if it was.
    pub resolved: Option<DateTime<Utc>>,
}

/// Counts over everything the engine has seen.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    /// Tasks created.
    pub created: u64,
    /// Tasks still open.
    pub open: u64,
    /// Open tasks whose lock (or failure back-off) is in force now.
    pub locked: u64,
    /// Successful complete operations.
    pub completed: u64,
    /// Successful failure reports.
    pub failures: u64,
    /// Successful BPMN error reports.
    pub bpmn_errors: u64,
    /// Incidents ever opened.
    pub incidents_created: u64,
    /// Incidents currently open.
    pub incidents_open: u64,
    /// Requests refused with 4xx/5xx by the engine's rules (not injected faults).
    pub rejected: u64,
    /// Batches created by `retries-async`.
    pub batches: u64,
}
