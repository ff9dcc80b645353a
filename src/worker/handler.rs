//! What a handler receives ([`Task`]), what it returns ([`Outcome`]), and the [`Handler`] trait.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use super::wire::LockedTask;
use crate::variables::Variables;
use crate::{BoxError, Client, Error};

use super::lock::LockState;
use super::metrics::Metrics;
use super::outcome::Outcome;

/// The future a [`Handler`] returns.
pub type HandlerFuture = Pin<Box<dyn Future<Output = Result<Outcome, BoxError>> + Send>>;

/// Handles the tasks of one topic.
///
/// Implemented for every async function or closure `Fn(Task) -> impl Future<Output =
/// Result<O, E>>` whose outcome converts into an [`Outcome`] (the enum, or one of its builders)
/// and whose error converts into a boxed error (`anyhow::Error`, `std::io::Error`, `String`,
/// any `std::error::Error + Send + Sync`), so a handler is usually just:
///
/// ```
/// use camunda7_client::worker::{Outcome, Task};
/// async fn charge(task: Task) -> Result<Outcome, Box<dyn std::error::Error + Send + Sync>> {
///     let amount: i64 = task.variables().get("amount")?;
///     Ok(Outcome::complete().variable("charged", amount).into())
/// }
/// ```
///
/// It needs no engine to be tested: build its [`Task`] with [`Task::builder`].
///
/// ```
/// # use camunda7_client::worker::{Outcome, Task};
/// # async fn charge(task: Task) -> Result<Outcome, Box<dyn std::error::Error + Send + Sync>> {
/// #     let amount: i64 = task.variables().get("amount")?;
/// #     Ok(Outcome::complete().variable("charged", amount).into())
/// # }
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let task = Task::builder("charge-card").variable("amount", 42_i64).build();
/// let outcome = charge(task).await.expect("charged");
/// assert_eq!(outcome, Outcome::complete().variable("charged", 42_i64));
/// # }
/// ```
///
/// An `Err` or a panic becomes a failure report under the worker's
/// [`RetryPolicy`](super::RetryPolicy).
pub trait Handler: Send + Sync + 'static {
    /// Handles one task.
    fn call(&self, task: Task) -> HandlerFuture;
}

impl<F, Fut, O, E> Handler for F
where
    F: Fn(Task) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<O, E>> + Send + 'static,
    O: Into<Outcome>,
    E: Into<BoxError>,
{
    fn call(&self, task: Task) -> HandlerFuture {
        let future = self(task);
        Box::pin(async move { future.await.map(Into::into).map_err(Into::into) })
    }
}

/// A locked task handed to a handler: its id, topic, business key, typed variables, the raw
/// fetch-and-lock item, and a way to extend the lock.
#[derive(Debug)]
pub struct Task {
    // Boxed: a task is moved from the fetch loop into its job, its handler and their futures;
    // each move of the boxed item copies a pointer rather than 500 bytes.
    pub(crate) raw: Box<LockedTask>,
    pub(crate) context: TaskContext,
    /// File contents given to a test task ([`TaskBuilder::file`]); `None` for fetched tasks.
    pub(crate) files: Option<BTreeMap<String, bytes::Bytes>>,
}

/// What a task needs to talk to the engine on its own behalf, and to say which task it is in
/// every log line.
#[derive(Debug, Clone)]
pub(crate) struct TaskContext {
    /// `None` for a task built by [`Task::builder`], which has no engine behind it.
    pub(crate) client: Option<Client>,
    pub(crate) worker_id: Arc<str>,
    pub(crate) topic: Arc<str>,
    pub(crate) task_id: Arc<str>,
    pub(crate) lock: Arc<LockState>,
    pub(crate) metrics: Metrics,
    pub(crate) cancel: Arc<Cancellation>,
}

impl TaskContext {
    /// The client to reach the engine with; an error for a task built for a test.
    pub(crate) fn client(&self) -> Result<&Client, Error> {
        self.client.as_ref().ok_or_else(|| {
            Error::config("the task was built with Task::builder and has no engine to send to")
        })
    }
}

/// Why the worker no longer needs a handler's work (see [`Task::cancelled`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CancelReason {
    /// The engine said the lock is held by another worker now (or by nobody): a result would
    /// be refused.
    LockLost,
    /// The task no longer exists (cancelled, deleted, or ended by someone else).
    TaskGone,
    /// The handler ran longer than its
    /// [`max_handler_duration`](super::WorkerBuilder::max_handler_duration); the worker has
    /// reported a failure in its place.
    TimeLimit,
    /// The worker is shutting down and aborts the handlers still running.
    Shutdown,
}

/// A task's cancellation signal: a token, and the first reason given.
#[derive(Debug, Default)]
pub(crate) struct Cancellation {
    token: tokio_util::sync::CancellationToken,
    reason: OnceLock<CancelReason>,
}

impl Cancellation {
    /// Signals cancellation; the first reason given is the one kept.
    pub(crate) fn cancel(&self, reason: CancelReason) {
        let _ = self.reason.set(reason);
        self.token.cancel();
    }

    pub(crate) fn reason(&self) -> Option<CancelReason> {
        self.reason.get().copied()
    }
}

fn empty_variables() -> &'static Variables {
    static EMPTY: OnceLock<Variables> = OnceLock::new();
    EMPTY.get_or_init(Variables::new)
}

impl Task {
    /// The external task's id.
    pub fn id(&self) -> &str {
        self.raw.id.as_deref().unwrap_or_default()
    }

    /// The topic the task was fetched for.
    pub fn topic(&self) -> &str {
        &self.context.topic
    }

    /// The business key of the task's process instance, if it has one.
    pub fn business_key(&self) -> Option<&str> {
        self.raw.business_key.as_deref()
    }

    /// The variables fetched with the task (see
    /// [`Subscription::variables`](super::Subscription::variables)); read them with
    /// [`Variables::get`].
    pub fn variables(&self) -> &Variables {
        self.raw
            .variables
            .as_ref()
            .unwrap_or_else(|| empty_variables())
    }

    /// The retries left: `None` until the task first failed.
    pub fn retries(&self) -> Option<i32> {
        self.raw.retries
    }

    /// The message of the task's latest failure report, if any.
    pub fn error_message(&self) -> Option<&str> {
        self.raw.error_message.as_deref()
    }

    /// The activity's extension properties, when the subscription asked for them.
    pub fn extension_properties(&self) -> Option<&BTreeMap<String, String>> {
        self.raw.extension_properties.as_ref()
    }

    /// The fetch-and-lock item as the engine sent it.
    pub fn raw(&self) -> &LockedTask {
        &self.raw
    }

    /// The id of the worker that holds the lock.
    pub fn worker_id(&self) -> &str {
        &self.context.worker_id
    }

    /// How long the lock is still held, as far as this worker knows (counted from when the
    /// task was received, or from when the latest extension was requested).
    pub fn lock_remaining(&self) -> Duration {
        self.context.lock.remaining()
    }

    /// Extends the lock to `duration` from now. The worker also does this by itself while the
    /// handler runs (see [`lock_extension`](super::WorkerBuilder::lock_extension)); after this
    /// call it keeps extending by `duration`, and it resumes keeping a lock it had given up
    /// for lost.
    ///
    /// Fails with the engine's `400` when the lock was lost (it expired and another worker
    /// locked the task) and `404` when the task no longer exists; with [`Error::Config`] for a
    /// duration under 1 ms or over 365 days.
    pub async fn extend_lock(&self, duration: Duration) -> Result<(), Error> {
        super::config::check_duration("Task::extend_lock", duration, super::config::MIN_LOCK)?;
        if self.context.client.is_none() {
            // A task built for a test: there is no engine, the lock is only renewed here.
            self.context
                .lock
                .renewed(tokio::time::Instant::now(), duration);
            return Ok(());
        }
        super::lock::extend(&self.context, duration).await
    }

    /// The content of the File (or Bytes) variable `name` as the task sees it (its own, or a
    /// process variable), fetched through the worker's client
    /// (`GET /process-instance/{executionId}/variables/{name}/data`: the engine looks the name
    /// up from the task's execution through its parent scopes). The engine never sends file
    /// content with the task.
    ///
    /// Fails with the engine's `404` when there is no such variable and `400` when it is not a
    /// File or Bytes variable; with [`Error::Config`] for a task built by [`Task::builder`]
    /// without that file (see [`TaskBuilder::file`]).
    pub async fn file(&self, name: &str) -> Result<bytes::Bytes, Error> {
        if let Some(content) = self.files.as_ref().and_then(|files| files.get(name)) {
            return Ok(content.clone());
        }
        if self.context.client.is_none() {
            return Err(Error::config(format!(
                "Task::file: the test task has no file `{name}` (give it one with TaskBuilder::file)"
            )));
        }
        let scope = self
            .raw
            .execution_id
            .as_deref()
            .or(self.raw.process_instance_id.as_deref());
        let Some(scope) = scope else {
            return Err(Error::config(format!(
                "Task::file: task {} came without an execution or process instance id",
                self.id()
            )));
        };
        self.context
            .client()?
            .fetch_file_variable(scope, name)
            .await
    }

    /// Resolves once the worker no longer needs this handler's work: the lock was lost, the
    /// task is gone, the handler's time limit passed, or a shutdown aborts it. A handler doing
    /// long work can `select!` on it and stop early, since no result would be accepted (after
    /// the time limit the worker has already reported a failure).
    ///
    /// ```
    /// use camunda7_client::worker::{Outcome, Task};
    /// # async fn long_work() {}
    /// async fn handler(task: Task) -> Result<Outcome, Box<dyn std::error::Error + Send + Sync>> {
    ///     tokio::select! {
    ///         () = long_work() => Ok(Outcome::complete().into()),
    ///         () = task.cancelled() => Err(format!("stopped: {:?}", task.cancel_reason()).into()),
    ///     }
    /// }
    /// ```
    pub async fn cancelled(&self) {
        self.context.cancel.token.cancelled().await;
    }

    /// Whether [`cancelled`](Task::cancelled) has resolved.
    pub fn is_cancelled(&self) -> bool {
        self.context.cancel.token.is_cancelled()
    }

    /// Why the task was cancelled, once it was.
    pub fn cancel_reason(&self) -> Option<CancelReason> {
        self.context.cancel.reason()
    }
}

impl Task {
    /// A task built by hand, to test a handler without an engine:
    ///
    /// ```
    /// use camunda7_client::worker::Task;
    /// let task = Task::builder("invoice")
    ///     .id("task-1")
    ///     .variable("amount", 42_i64)
    ///     .business_key("order-7")
    ///     .retries(2)
    ///     .extension_property("retries", "R3/PT5M")
    ///     .build();
    /// assert_eq!(task.topic(), "invoice");
    /// assert_eq!(task.variables().get::<i64>("amount").unwrap(), 42);
    /// ```
    ///
    /// Such a task has no engine behind it: [`Task::extend_lock`] only renews its lock here,
    /// and [`Task::file`] returns what [`TaskBuilder::file`] gave it.
    pub fn builder(topic: impl Into<String>) -> TaskBuilder {
        TaskBuilder {
            raw: LockedTask {
                id: Some("test-task".to_owned()),
                topic_name: Some(topic.into()),
                worker_id: Some("test-worker".to_owned()),
                ..LockedTask::default()
            },
            lock: Duration::from_secs(30),
            files: BTreeMap::new(),
        }
    }
}

/// Builds a [`Task`] for a test; see [`Task::builder`].
#[derive(Debug, Clone)]
#[must_use = "a builder does nothing until .build() is called"]
pub struct TaskBuilder {
    raw: LockedTask,
    lock: Duration,
    files: BTreeMap<String, bytes::Bytes>,
}

impl TaskBuilder {
    /// The task's id (default `test-task`).
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.raw.id = Some(id.into());
        self
    }

    /// The variables fetched with the task (replacing any set before).
    pub fn variables(mut self, variables: Variables) -> Self {
        self.raw.variables = Some(variables);
        self
    }

    /// Adds one variable.
    pub fn variable(
        mut self,
        name: impl Into<String>,
        value: impl crate::variables::IntoVariableValue,
    ) -> Self {
        self.raw
            .variables
            .get_or_insert_with(Variables::new)
            .insert(name, value);
        self
    }

    /// The content of a File variable, for [`Task::file`].
    pub fn file(mut self, name: impl Into<String>, content: impl Into<bytes::Bytes>) -> Self {
        self.files.insert(name.into(), content.into());
        self
    }

    /// The retries left (default `None`: the task never failed).
    pub fn retries(mut self, retries: i32) -> Self {
        self.raw.retries = Some(retries);
        self
    }

    /// The message of the task's latest failure.
    pub fn error_message(mut self, message: impl Into<String>) -> Self {
        self.raw.error_message = Some(message.into());
        self
    }

    /// The business key of the task's process instance.
    pub fn business_key(mut self, key: impl Into<String>) -> Self {
        self.raw.business_key = Some(key.into());
        self
    }

    /// Adds one of the activity's extension properties.
    pub fn extension_property(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.raw
            .extension_properties
            .get_or_insert_with(BTreeMap::new)
            .insert(name.into(), value.into());
        self
    }

    /// The ids of the task's process instance and execution.
    pub fn process_instance(
        mut self,
        process_instance_id: impl Into<String>,
        execution_id: impl Into<String>,
    ) -> Self {
        self.raw.process_instance_id = Some(process_instance_id.into());
        self.raw.execution_id = Some(execution_id.into());
        self
    }

    /// The lock the task starts with (default 30 s), for [`Task::lock_remaining`].
    pub fn lock_duration(mut self, duration: Duration) -> Self {
        self.lock = duration;
        self
    }

    /// Any other field, as fetch-and-lock would have sent it.
    pub fn raw(mut self, edit: impl FnOnce(&mut LockedTask)) -> Self {
        edit(&mut self.raw);
        self
    }

    /// The task.
    pub fn build(self) -> Task {
        let id = self.raw.id.clone().unwrap_or_default();
        let topic = self.raw.topic_name.clone().unwrap_or_default();
        let lock = self.lock.min(super::config::MAX_DURATION);
        Task {
            raw: Box::new(self.raw),
            context: TaskContext {
                client: None,
                worker_id: Arc::from("test-worker"),
                topic: Arc::from(topic.as_str()),
                task_id: Arc::from(id.as_str()),
                lock: Arc::new(LockState::new(tokio::time::Instant::now(), lock)),
                metrics: Metrics::default(),
                cancel: Arc::new(Cancellation::default()),
            },
            files: (!self.files.is_empty()).then_some(self.files),
        }
    }
}
