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

/// The future a [`Handler`] returns.
pub type HandlerFuture = Pin<Box<dyn Future<Output = Result<Outcome, BoxError>> + Send>>;

/// Handles the tasks of one topic.
///
/// Implemented for every async function or closure `Fn(Task) -> impl Future<Output =
/// Result<Outcome, E>>` whose error converts into a boxed error (`anyhow::Error`, `std::io::Error`,
/// `String`, any `std::error::Error + Send + Sync`), so a handler is usually just:
///
/// ```
/// use camunda7_client::worker::{Outcome, Task};
/// async fn charge(task: Task) -> Result<Outcome, Box<dyn std::error::Error + Send + Sync>> {
///     let amount: i64 = task.variables().get("amount")?;
///     Ok(Outcome::complete().variable("charged", amount))
/// }
/// ```
///
/// An `Err` or a panic becomes a failure report under the worker's
/// [`RetryPolicy`](super::RetryPolicy).
pub trait Handler: Send + Sync + 'static {
    /// Handles one task.
    fn call(&self, task: Task) -> HandlerFuture;
}

impl<F, Fut, E> Handler for F
where
    F: Fn(Task) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Outcome, E>> + Send + 'static,
    E: Into<BoxError>,
{
    fn call(&self, task: Task) -> HandlerFuture {
        let future = self(task);
        Box::pin(async move { future.await.map_err(Into::into) })
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
}

/// What a task needs to talk to the engine on its own behalf, and to say which task it is in
/// every log line.
#[derive(Debug, Clone)]
pub(crate) struct TaskContext {
    pub(crate) client: Client,
    pub(crate) worker_id: Arc<str>,
    pub(crate) topic: Arc<str>,
    pub(crate) task_id: Arc<str>,
    pub(crate) lock: Arc<LockState>,
    pub(crate) metrics: Metrics,
    pub(crate) cancel: Arc<Cancellation>,
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
        super::lock::extend(&self.context, duration).await
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
    ///         () = long_work() => Ok(Outcome::complete()),
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

/// The result of a handler: complete the task, report a failure, or raise a BPMN error.
///
/// ```
/// use std::time::Duration;
/// use camunda7_client::worker::Outcome;
/// use camunda7_client::variables::Variables;
///
/// let done = Outcome::complete()
///     .variables(Variables::new().with("approved", true))
///     .local_variable("checkedBy", "robot");
/// let failed = Outcome::failure("payment service unavailable")
///     .details("HTTP 503 from payments")
///     .retries(2)
///     .retry_timeout(Duration::from_secs(30));
/// let rejected = Outcome::bpmn_error("CARD_DECLINED").message("card declined");
/// # let _ = (done, failed, rejected);
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Outcome {
    /// Complete the task.
    Complete {
        /// Variables to set on the process instance.
        variables: Option<Variables>,
        /// Variables to set on the task's execution only.
        local_variables: Option<Variables>,
    },
    /// Report a failure.
    Failure {
        /// Short reason (the engine keeps at most 666 characters).
        message: String,
        /// Longer details such as a stack trace.
        details: Option<String>,
        /// Retries left after this failure; `None` applies the worker's retry policy.
        retries: Option<i32>,
        /// How long the task stays hidden; `None` applies the worker's retry policy.
        retry_timeout: Option<Duration>,
        /// Variables to set on the process instance.
        variables: Option<Variables>,
        /// Variables to set on the task's execution only.
        local_variables: Option<Variables>,
    },
    /// Raise a BPMN error, to be caught by a boundary event or an event subprocess.
    BpmnError {
        /// The error code the BPMN model catches.
        code: String,
        /// A message for the error.
        message: Option<String>,
        /// Variables to set on the process instance.
        variables: Option<Variables>,
    },
}

impl Outcome {
    /// Complete the task (add variables with [`variables`](Outcome::variables) /
    /// [`local_variables`](Outcome::local_variables)).
    pub fn complete() -> Self {
        Outcome::Complete {
            variables: None,
            local_variables: None,
        }
    }

    /// Report a failure with this message. Retries and retry timeout come from the worker's
    /// [`RetryPolicy`](super::RetryPolicy) unless set with [`retries`](Outcome::retries) and
    /// [`retry_timeout`](Outcome::retry_timeout).
    pub fn failure(message: impl Into<String>) -> Self {
        Outcome::Failure {
            message: message.into(),
            details: None,
            retries: None,
            retry_timeout: None,
            variables: None,
            local_variables: None,
        }
    }

    /// Raise the BPMN error `code`.
    pub fn bpmn_error(code: impl Into<String>) -> Self {
        Outcome::BpmnError {
            code: code.into(),
            message: None,
            variables: None,
        }
    }

    /// Sets the process variables to write (any outcome).
    pub fn variables(mut self, vars: Variables) -> Self {
        match &mut self {
            Outcome::Complete { variables, .. }
            | Outcome::Failure { variables, .. }
            | Outcome::BpmnError { variables, .. } => *variables = Some(vars),
        }
        self
    }

    /// Adds one process variable to write (any outcome).
    pub fn variable(
        mut self,
        name: impl Into<String>,
        value: impl Into<crate::variables::VariableValue>,
    ) -> Self {
        match &mut self {
            Outcome::Complete { variables, .. }
            | Outcome::Failure { variables, .. }
            | Outcome::BpmnError { variables, .. } => {
                variables
                    .get_or_insert_with(Variables::new)
                    .insert(name, value);
            }
        }
        self
    }

    /// Sets the local variables to write (complete and failure; ignored for a BPMN error, which
    /// has none).
    pub fn local_variables(mut self, vars: Variables) -> Self {
        match &mut self {
            Outcome::Complete {
                local_variables, ..
            }
            | Outcome::Failure {
                local_variables, ..
            } => *local_variables = Some(vars),
            Outcome::BpmnError { .. } => {}
        }
        self
    }

    /// Adds one local variable to write (complete and failure; ignored for a BPMN error).
    pub fn local_variable(
        mut self,
        name: impl Into<String>,
        value: impl Into<crate::variables::VariableValue>,
    ) -> Self {
        match &mut self {
            Outcome::Complete {
                local_variables, ..
            }
            | Outcome::Failure {
                local_variables, ..
            } => {
                local_variables
                    .get_or_insert_with(Variables::new)
                    .insert(name, value);
            }
            Outcome::BpmnError { .. } => {}
        }
        self
    }

    /// Sets the failure details (failure only).
    pub fn details(mut self, text: impl Into<String>) -> Self {
        if let Outcome::Failure { details, .. } = &mut self {
            *details = Some(text.into());
        }
        self
    }

    /// Sets the retries left after this failure; 0 raises an incident (failure only).
    pub fn retries(mut self, n: i32) -> Self {
        if let Outcome::Failure { retries, .. } = &mut self {
            *retries = Some(n.max(0));
        }
        self
    }

    /// Sets how long the engine hides the task before it can be fetched again (failure only).
    pub fn retry_timeout(mut self, timeout: Duration) -> Self {
        if let Outcome::Failure { retry_timeout, .. } = &mut self {
            *retry_timeout = Some(timeout);
        }
        self
    }

    /// Sets the message (failure and BPMN error).
    pub fn message(mut self, text: impl Into<String>) -> Self {
        match &mut self {
            Outcome::Failure { message, .. } => *message = text.into(),
            Outcome::BpmnError { message, .. } => *message = Some(text.into()),
            Outcome::Complete { .. } => {}
        }
        self
    }

    /// `complete`, `failure` or `bpmn_error`.
    pub fn kind(&self) -> &'static str {
        match self {
            Outcome::Complete { .. } => "complete",
            Outcome::Failure { .. } => "failure",
            Outcome::BpmnError { .. } => "bpmn_error",
        }
    }
}
