//! A high-level external-task worker: subscribe handlers to topics, and the worker fetches and
//! locks tasks, runs the handlers on a bounded pool, keeps their locks alive and reports their
//! results, retrying what can be retried and never reporting a result twice.
//!
//! ```no_run
//! use camunda7_client::{worker::{Outcome, Task, Worker}, BoxError, Client};
//!
//! async fn charge(task: Task) -> Result<Outcome, BoxError> {
//!     let amount: i64 = task.variables().get("amount")?;
//!     Ok(Outcome::complete().variable("receipt", format!("charged {amount}")))
//! }
//!
//! #[tokio::main]
//! async fn main() -> Result<(), BoxError> {
//!     let client = Client::new("http://localhost:8080/engine-rest")?;
//!     let worker = Worker::builder(client).subscribe("charge-card", charge).build()?;
//!     worker.run_until(async { tokio::signal::ctrl_c().await.ok(); }).await;
//!     Ok(())
//! }
//! ```
//!
//! How it works:
//! - One fetch loop feeds a pool of at most [`max_concurrent_handlers`] running handlers. Each
//!   poll asks for `min(max_tasks, free slots)` tasks and waits for a free slot when there is
//!   none, so it never locks a task it cannot start at once.
//! - Long polling is on by default (30 s). Fetch errors back off exponentially with jitter
//!   (capped at 5 s by default, so a recovering engine is picked up promptly); empty polls have
//!   their own [`Backoff`].
//! - Each task is handled in a job of its own, a Tokio task: an `Err` or a panic becomes a
//!   failure report under the [`RetryPolicy`]; a panic never stops the worker. A handler's slot
//!   is free again as soon as the handler returns, so the next fetch goes out while its result
//!   is being reported (the engine's round trips overlap instead of adding up); at most
//!   [`max_concurrent_handlers`] reports are pending at once, and a full set of them holds the
//!   next handler's slot back. On a
//!   multi-thread runtime the handler is spawned apart from its lock extension, so a handler
//!   that blocks its thread does not hold up the extension; on a current-thread runtime, where
//!   nothing could run beside it anyway, the fetch loop polls the handler once itself, and a
//!   handler that is not done at that first poll goes on inside its task's job. A handler done
//!   at once so frees its slot before the loop asks for the next one, and its report is handed
//!   to the HTTP client before the next fetch.
//! - While a handler runs longer than a fraction (default ½) of its lock, the lock is extended.
//! - Results are reported once. Transient failures (connect, timeout, 5xx) are retried with
//!   backoff while the lock is held; `400` (lock lost) and `404` (task gone) are logged and
//!   dropped. A `404` after an unanswered attempt counts as presumably applied.
//! - [`ShutdownHandle::shutdown`] (or the signal given to [`Worker::run_until`]) cancels the
//!   in-flight long poll at once, stops fetching, and lets running handlers finish and report
//!   within [`shutdown_timeout`]; a second signal or the deadline aborts them (their tasks stay
//!   locked until the lock expires and are then fetched again).
//! - `tracing` spans: `worker` (worker id), `poll` per fetch, `task` per task (topic, task id,
//!   outcome, report); counters in [`Metrics`].
//!
//! [`max_concurrent_handlers`]: WorkerBuilder::max_concurrent_handlers
//! [`shutdown_timeout`]: WorkerBuilder::shutdown_timeout

/// A `tracing` event that names its task: worker id, topic and task id as fields of their own,
/// so they show at every level (the `task` span is only kept at INFO).
macro_rules! task_event {
    ($level:ident, $context:expr, $($rest:tt)+) => {
        tracing::$level!(
            worker_id = %$context.worker_id,
            topic = %$context.topic,
            task_id = %$context.task_id,
            $($rest)+
        )
    };
}

mod config;
mod decision;
mod engine;
mod handler;
mod lock;
mod metrics;
mod report;
mod retry;
mod subscription;
mod wire;

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::task::Poll;
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::task::{JoinHandle, JoinSet};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use crate::{BoxError, Client, Error};

pub use handler::{CancelReason, Handler, HandlerFuture, Outcome, Task};
pub use metrics::{Metrics, MetricsSnapshot};
pub use retry::{Backoff, RetryPolicy};
pub use subscription::Subscription;
pub use wire::LockedTask;

use config::{check_duration, MAX_DURATION, MIN_LOCK};
use handler::{Cancellation, TaskContext};
use lock::LockState;
use report::ReportSettings;

/// The worker's maps, keyed by task id or topic name: foldhash (randomly seeded) instead of
/// SipHash, as every task is looked up and inserted on the hot path.
type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// Largest long-polling timeout the engine accepts (30 minutes).
const MAX_LONG_POLL: Duration = Duration::from_millis(1_800_000);

/// Order in which the engine hands out available tasks by creation time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortOrder {
    /// Oldest first.
    Ascending,
    /// Newest first.
    Descending,
}

/// Configures a [`Worker`]; see [`Worker::builder`].
#[must_use = "a builder does nothing until .build() is called"]
pub struct WorkerBuilder {
    client: Client,
    worker_id: Option<String>,
    max_tasks: u32,
    max_concurrent: usize,
    lock_duration: Duration,
    long_polling: Option<Duration>,
    use_priority: Option<bool>,
    sorting: Option<SortOrder>,
    lock_extension: Option<f64>,
    retry_policy: RetryPolicy,
    fetch_error_backoff: Backoff,
    empty_poll_backoff: Option<Backoff>,
    report_backoff: Backoff,
    report_timeout: Duration,
    max_handler_duration: Duration,
    shutdown_timeout: Duration,
    subscriptions: Vec<(Subscription, Arc<dyn Handler>)>,
}

impl std::fmt::Debug for WorkerBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WorkerBuilder")
            .field("worker_id", &self.worker_id)
            .field("max_tasks", &self.max_tasks)
            .field("max_concurrent", &self.max_concurrent)
            .field("lock_duration", &self.lock_duration)
            .field("long_polling", &self.long_polling)
            .field(
                "topics",
                &self
                    .subscriptions
                    .iter()
                    .map(|(s, _)| s.topic())
                    .collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

impl WorkerBuilder {
    /// The worker id the engine locks tasks for. Default: the host name plus a random suffix,
    /// unique per worker. Two workers must never share an id.
    pub fn worker_id(mut self, id: impl Into<String>) -> Self {
        self.worker_id = Some(id.into());
        self
    }

    /// Most tasks locked by one fetch (default 10).
    pub fn max_tasks(mut self, n: u32) -> Self {
        self.max_tasks = n;
        self
    }

    /// Most handlers running at the same time (default 10). The worker never locks more tasks
    /// than it has free slots for. A slot is free once its handler returns: the result is
    /// reported while the next task is fetched, with at most this many reports pending.
    pub fn max_concurrent_handlers(mut self, n: usize) -> Self {
        self.max_concurrent = n;
        self
    }

    /// Lock duration for subscriptions that set none (default 30 s).
    pub fn lock_duration(mut self, duration: Duration) -> Self {
        self.lock_duration = duration;
        self
    }

    /// Long-poll for up to `timeout` when no task is available (default 30 s; between 1 ms and
    /// 30 min). An empty answer that comes back well before the timeout (an engine or proxy
    /// that ignores it) is followed by the [`empty_poll_backoff`](WorkerBuilder::empty_poll_backoff).
    pub fn long_polling(mut self, timeout: Duration) -> Self {
        self.long_polling = Some(timeout);
        self
    }

    /// Turns long polling off: each fetch answers at once, and empty polls wait by the
    /// [`empty_poll_backoff`](WorkerBuilder::empty_poll_backoff).
    pub fn no_long_polling(mut self) -> Self {
        self.long_polling = None;
        self
    }

    /// Fetch tasks with a higher priority first.
    pub fn use_priority(mut self, use_priority: bool) -> Self {
        self.use_priority = Some(use_priority);
        self
    }

    /// Take available tasks by creation time (after priority, with
    /// [`use_priority`](WorkerBuilder::use_priority)).
    pub fn sort_by_create_time(mut self, order: SortOrder) -> Self {
        self.sorting = Some(order);
        self
    }

    /// Extend the lock of a running handler once this fraction of the lock duration has passed
    /// (default 0.5; must be between 0 and 1, exclusive).
    pub fn lock_extension(mut self, fraction: f64) -> Self {
        self.lock_extension = Some(fraction);
        self
    }

    /// Never extend locks automatically (handlers can still call [`Task::extend_lock`]).
    pub fn no_lock_extension(mut self) -> Self {
        self.lock_extension = None;
        self
    }

    /// What to report when a handler fails or panics (default: [`RetryPolicy::new`]).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry_policy = policy;
        self
    }

    /// Wait between failed fetches (default: exponential from 250 ms to 5 s, ±20 % jitter).
    pub fn fetch_error_backoff(mut self, backoff: Backoff) -> Self {
        self.fetch_error_backoff = backoff;
        self
    }

    /// Wait after fetches that returned nothing (default: exponential from 100 ms to 2 s). With
    /// long polling it applies only to an empty answer that came back before half the
    /// long-poll timeout; one that waited the poll out is followed by the next poll at once.
    pub fn empty_poll_backoff(mut self, backoff: Backoff) -> Self {
        self.empty_poll_backoff = Some(backoff);
        self
    }

    /// Wait between attempts to report a result after an answer worth retrying (default:
    /// exponential from 100 ms to 5 s, ±20 % jitter).
    pub fn report_backoff(mut self, backoff: Backoff) -> Self {
        self.report_backoff = backoff;
        self
    }

    /// How long the worker keeps trying to report one result (default 5 min). The engine
    /// takes a result after the lock ran out as long as nobody else locked the task, so
    /// retries are not bounded by the lock; they stop early when the engine says the task was
    /// locked again or is gone. Giving up is logged at error level.
    pub fn report_timeout(mut self, timeout: Duration) -> Self {
        self.report_timeout = timeout;
        self
    }

    /// How long a handler may run (default 1 hour; per topic with
    /// [`Subscription::max_handler_duration`]). After that the worker stops extending its
    /// lock, signals [`Task::cancelled`] and reports a failure "handler exceeded …" under the
    /// retry policy, so a hung handler neither keeps its task forever nor its slot.
    pub fn max_handler_duration(mut self, limit: Duration) -> Self {
        self.max_handler_duration = limit;
        self
    }

    /// How long a graceful shutdown waits for running handlers and their reports (default 30 s).
    pub fn shutdown_timeout(mut self, timeout: Duration) -> Self {
        self.shutdown_timeout = timeout;
        self
    }

    /// Handles tasks of `topic` with `handler`, with default options.
    pub fn subscribe(self, topic: impl Into<String>, handler: impl Handler) -> Self {
        self.subscribe_with(Subscription::new(topic), handler)
    }

    /// Handles tasks matching `subscription` with `handler`.
    pub fn subscribe_with(mut self, subscription: Subscription, handler: impl Handler) -> Self {
        self.subscriptions.push((subscription, Arc::new(handler)));
        self
    }

    /// Checks the configuration and builds the worker.
    ///
    /// Fails with [`Error::Config`], naming the setting, for: no subscription, a topic
    /// subscribed twice or empty, `max_tasks` or `max_concurrent_handlers` of 0, a lock
    /// duration under 1 ms, a long-polling timeout of 0 or above 30 minutes, a lock-extension
    /// fraction outside (0, 1), and any other duration (timeouts, handler limits, backoff caps)
    /// above 365 days.
    pub fn build(self) -> Result<Worker, Error> {
        if self.subscriptions.is_empty() {
            return Err(Error::config("worker: subscribe to at least one topic"));
        }
        if self.max_tasks == 0 || i32::try_from(self.max_tasks).is_err() {
            return Err(Error::config(format!(
                "worker: max_tasks must be between 1 and {}, got {}",
                i32::MAX,
                self.max_tasks
            )));
        }
        if self.max_concurrent == 0 || self.max_concurrent > Semaphore::MAX_PERMITS {
            return Err(Error::config(format!(
                "worker: max_concurrent_handlers must be at least 1 (and at most {}), got {}",
                Semaphore::MAX_PERMITS,
                self.max_concurrent
            )));
        }
        if let Some(timeout) = self.long_polling {
            if timeout.as_millis() == 0 || timeout > MAX_LONG_POLL {
                return Err(Error::config(format!(
                    "worker: the long-polling timeout must be between 1 ms and 30 minutes, got {timeout:?} (use no_long_polling() to turn it off)"
                )));
            }
        }
        check_duration("lock_duration", self.lock_duration, MIN_LOCK)?;
        check_duration("report_timeout", self.report_timeout, Duration::ZERO)?;
        check_duration("shutdown_timeout", self.shutdown_timeout, Duration::ZERO)?;
        check_duration(
            "max_handler_duration",
            self.max_handler_duration,
            MIN_LOCK,
        )?;
        check_duration(
            "report_backoff (its cap)",
            self.report_backoff.max_delay(),
            Duration::ZERO,
        )?;
        check_duration(
            "fetch_error_backoff (its cap)",
            self.fetch_error_backoff.max_delay(),
            Duration::ZERO,
        )?;
        if let Some(backoff) = &self.empty_poll_backoff {
            check_duration(
                "empty_poll_backoff (its cap)",
                backoff.max_delay(),
                Duration::ZERO,
            )?;
        }
        if let Some(fraction) = self.lock_extension {
            if !(fraction > 0.0 && fraction < 1.0) {
                return Err(Error::config(format!(
                    "worker: the lock-extension fraction must be between 0 and 1 (exclusive), got {fraction}"
                )));
            }
        }
        let mut entries = HashMap::default();
        let mut fetch_topics = Vec::new();
        for (subscription, handler) in self.subscriptions {
            let topic = subscription.topic().to_owned();
            if topic.is_empty() {
                return Err(Error::config("worker: a topic name must not be empty"));
            }
            let lock_duration = subscription.lock_duration.unwrap_or(self.lock_duration);
            check_duration(
                &format!("the lock duration of topic `{topic}`"),
                lock_duration,
                MIN_LOCK,
            )?;
            let max_handler_duration = subscription
                .max_handler_duration
                .unwrap_or(self.max_handler_duration);
            check_duration(
                &format!("the max handler duration of topic `{topic}`"),
                max_handler_duration,
                MIN_LOCK,
            )?;
            if entries.contains_key(&topic) {
                return Err(Error::config(format!(
                    "worker: topic `{topic}` is subscribed twice"
                )));
            }
            entries.insert(
                topic.clone(),
                Arc::new(Entry {
                    topic: Arc::from(topic.as_str()),
                    lock_duration,
                    max_handler_duration,
                    handler,
                }),
            );
            fetch_topics.push((subscription, lock_duration));
        }
        let worker_id: Arc<str> = Arc::from(self.worker_id.unwrap_or_else(default_worker_id));
        let empty_poll_backoff = self.empty_poll_backoff.unwrap_or_else(|| {
            Backoff::exponential(Duration::from_millis(100), Duration::from_secs(2))
        });
        let fetch_body = engine::fetch_body(
            &worker_id,
            &fetch_topics,
            self.use_priority,
            self.sorting.map(|o| o == SortOrder::Ascending),
            self.long_polling,
        );
        Ok(Worker {
            shared: Arc::new(Shared {
                client: self.client,
                worker_id,
                metrics: Metrics::default(),
                report: ReportSettings {
                    backoff: self.report_backoff,
                    timeout: self.report_timeout,
                    retry_policy: self.retry_policy,
                },
                lock_extension: self.lock_extension,
                in_flight: Mutex::new(HashMap::default()),
                failure_reported: Mutex::new(HashMap::default()),
                report_slots: Arc::new(Semaphore::new(self.max_concurrent)),
            }),
            entries,
            fetch: engine::FetchRequest::new(fetch_body),
            max_tasks: self.max_tasks as usize,
            max_concurrent: self.max_concurrent,
            long_polling: self.long_polling,
            fetch_error_backoff: self.fetch_error_backoff,
            empty_poll_backoff,
            shutdown_timeout: self.shutdown_timeout,
            shutdown: ShutdownHandle::new(),
        })
    }
}

/// The host name (from the environment or `/etc/hostname`) plus a random suffix.
fn default_worker_id() -> String {
    let host = ["HOSTNAME", "COMPUTERNAME"]
        .iter()
        .filter_map(|var| std::env::var(var).ok())
        .chain(std::fs::read_to_string("/etc/hostname").ok())
        .map(|h| h.trim().to_owned())
        .find(|h| !h.is_empty())
        .unwrap_or_else(|| "worker".to_owned());
    format!("{host}-{:08x}", fastrand::u32(..))
}

/// A handler and the topic settings it was subscribed with.
struct Entry {
    topic: Arc<str>,
    lock_duration: Duration,
    max_handler_duration: Duration,
    handler: Arc<dyn Handler>,
}

/// What every task job needs.
struct Shared {
    client: Client,
    worker_id: Arc<str>,
    metrics: Metrics,
    report: ReportSettings,
    lock_extension: Option<f64>,
    /// Tasks being handled, by id, with their lock and cancellation.
    in_flight: Mutex<HashMap<Arc<str>, InFlight>>,
    /// Tasks this worker reported a failure for, with the end of their retry timeout: the
    /// engine keeps them locked for this worker meanwhile, and the shutdown sweep must not
    /// give them back early.
    failure_reported: Mutex<HashMap<Arc<str>, Instant>>,
    /// Bounds the reports pending at once (as many as handlers), since a handler's slot is
    /// handed back before its report is sent.
    report_slots: Arc<Semaphore>,
}

/// A task being handled: its lock and its cancellation signal.
#[derive(Clone)]
struct InFlight {
    lock: Arc<LockState>,
    cancel: Arc<Cancellation>,
}

impl Shared {
    fn in_flight(&self) -> std::sync::MutexGuard<'_, HashMap<Arc<str>, InFlight>> {
        self.in_flight.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn failure_reported(&self) -> std::sync::MutexGuard<'_, HashMap<Arc<str>, Instant>> {
        self.failure_reported
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }

    /// Remembers a failure report until its retry timeout has passed (older entries are
    /// dropped as new ones come, so the map stays as small as the failures in back-off).
    fn remember_failure(&self, task_id: &Arc<str>, retry_timeout: Duration) {
        let now = Instant::now();
        let until = now.checked_add(retry_timeout).unwrap_or(now + MAX_DURATION);
        let mut map = self.failure_reported();
        if map.len() >= 1024 {
            map.retain(|_, until| *until > now);
        }
        map.insert(task_id.clone(), until);
    }
}

/// Requests a shutdown of a running [`Worker`]; cheap to clone.
///
/// The first [`shutdown`](ShutdownHandle::shutdown) is graceful: the in-flight long poll is
/// cancelled at once, no more tasks are fetched, and running handlers get until the
/// [`shutdown_timeout`](WorkerBuilder::shutdown_timeout) to finish and report. A second call (or
/// [`abort`](ShutdownHandle::abort)) aborts the handlers still running.
#[derive(Debug, Clone)]
pub struct ShutdownHandle {
    graceful: CancellationToken,
    abort: CancellationToken,
    signals: Arc<AtomicU32>,
}

impl ShutdownHandle {
    fn new() -> Self {
        ShutdownHandle {
            graceful: CancellationToken::new(),
            abort: CancellationToken::new(),
            signals: Arc::new(AtomicU32::new(0)),
        }
    }

    /// Starts a graceful shutdown; a second call aborts.
    pub fn shutdown(&self) {
        if self.signals.fetch_add(1, Ordering::SeqCst) == 0 {
            self.graceful.cancel();
        } else {
            self.abort();
        }
    }

    /// Stops at once: no more fetching, running handlers are aborted without reporting.
    pub fn abort(&self) {
        self.graceful.cancel();
        self.abort.cancel();
    }

    /// Whether a shutdown was requested.
    pub fn is_shutting_down(&self) -> bool {
        self.graceful.is_cancelled()
    }
}

/// What a worker did, returned when it stops.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Summary {
    /// The counters at the end.
    pub metrics: MetricsSnapshot,
    /// How long the worker ran.
    pub elapsed: Duration,
    /// Handlers (with their reports) that were still running when the shutdown deadline passed
    /// or a second signal came, and were aborted. Their tasks stay locked until the lock
    /// expires.
    pub aborted: usize,
    /// The ids of the tasks whose handlers (or reports) were aborted: the only tasks this
    /// worker leaves locked.
    pub aborted_tasks: Vec<String>,
    /// Tasks the engine had locked for this worker that it never handled (locked by a long
    /// poll that the shutdown cancelled), found and given back at shutdown.
    pub unlocked_at_shutdown: usize,
    /// How long the shutdown took, from the signal to the return.
    pub shutdown_duration: Duration,
}

/// An external-task worker; build one with [`Worker::builder`], then [`run`](Worker::run) it.
pub struct Worker {
    shared: Arc<Shared>,
    entries: HashMap<String, Arc<Entry>>,
    fetch: engine::FetchRequest,
    max_tasks: usize,
    max_concurrent: usize,
    long_polling: Option<Duration>,
    fetch_error_backoff: Backoff,
    empty_poll_backoff: Backoff,
    shutdown_timeout: Duration,
    shutdown: ShutdownHandle,
}

impl std::fmt::Debug for Worker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Worker")
            .field("worker_id", &self.shared.worker_id)
            .field("topics", &self.entries.keys().collect::<Vec<_>>())
            .field("max_tasks", &self.max_tasks)
            .field("max_concurrent", &self.max_concurrent)
            .finish_non_exhaustive()
    }
}

/// Aborts a spawned task when dropped (so aborting a job also aborts its handler).
struct AbortOnDrop<T>(JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Removes a task from the in-flight map when its job ends, however it ends.
struct InFlightGuard {
    shared: Arc<Shared>,
    task_id: Arc<str>,
}

impl Drop for InFlightGuard {
    fn drop(&mut self) {
        self.shared.in_flight().remove(&self.task_id);
    }
}

impl Worker {
    /// A builder for a worker that talks to the engine through `client`.
    ///
    /// The client's request timeout also bounds report and lock-extension requests; long polls
    /// get their own, longer timeout.
    pub fn builder(client: Client) -> WorkerBuilder {
        WorkerBuilder {
            client,
            worker_id: None,
            max_tasks: 10,
            max_concurrent: 10,
            lock_duration: Duration::from_secs(30),
            long_polling: Some(Duration::from_secs(30)),
            use_priority: None,
            sorting: None,
            lock_extension: Some(0.5),
            retry_policy: RetryPolicy::default(),
            fetch_error_backoff: Backoff::exponential(
                Duration::from_millis(250),
                Duration::from_secs(5),
            ),
            empty_poll_backoff: None,
            report_backoff: Backoff::exponential(
                Duration::from_millis(100),
                Duration::from_secs(5),
            ),
            report_timeout: Duration::from_secs(300),
            max_handler_duration: Duration::from_secs(3600),
            shutdown_timeout: Duration::from_secs(30),
            subscriptions: Vec::new(),
        }
    }

    /// The id the worker locks tasks for.
    pub fn worker_id(&self) -> &str {
        &self.shared.worker_id
    }

    /// The worker's live counters.
    pub fn metrics(&self) -> Metrics {
        self.shared.metrics.clone()
    }

    /// A handle to shut the worker down from elsewhere.
    pub fn shutdown_handle(&self) -> ShutdownHandle {
        self.shutdown.clone()
    }

    /// Runs until `signal` completes, then shuts down gracefully (see [`ShutdownHandle`]);
    /// returns what the worker did.
    pub async fn run_until<F>(self, signal: F) -> Summary
    where
        F: Future<Output = ()>,
    {
        let handle = self.shutdown_handle();
        let signal = async move {
            signal.await;
            handle.shutdown();
            std::future::pending::<()>().await;
        };
        let run = self.run();
        tokio::pin!(signal, run);
        loop {
            tokio::select! {
                summary = &mut run => return summary,
                () = &mut signal => {}
            }
        }
    }

    /// Runs until a [`ShutdownHandle`] stops it; returns what the worker did.
    pub async fn run(self) -> Summary {
        let span = tracing::info_span!("worker", worker_id = %self.shared.worker_id);
        self.run_inner().instrument(span).await
    }

    async fn run_inner(mut self) -> Summary {
        let started = Instant::now();
        // On a current-thread runtime a handler spawned as a task of its own could only run on
        // this same thread anyway: polling it inside its job instead saves a task per handler.
        let inline_handlers = tokio::runtime::Handle::current().runtime_flavor()
            == tokio::runtime::RuntimeFlavor::CurrentThread;
        let metrics = self.shared.metrics.clone();
        let graceful = self.shutdown.graceful.clone();
        let semaphore = Arc::new(Semaphore::new(self.max_concurrent));
        let mut jobs: JoinSet<()> = JoinSet::new();
        let mut fetch_failures = 0u32;
        let mut empty_polls = 0u32;
        // Whether the shutdown cancelled a fetch the engine may have answered by locking tasks.
        let mut cancelled_a_fetch = false;
        tracing::info!(
            topics = ?self.entries.keys().collect::<Vec<_>>(),
            max_tasks = self.max_tasks,
            max_concurrent = self.max_concurrent,
            "worker started"
        );

        // One wait for the signal serves every select below: it registers with the token once,
        // not at every step of every poll.
        let cancelled = graceful.cancelled();
        tokio::pin!(cancelled);
        loop {
            reap(&mut jobs);
            // Wait for a free slot, then take as many more as are free (up to max_tasks).
            let first = tokio::select! {
                biased;
                () = &mut cancelled => break,
                permit = semaphore.clone().acquire_owned() => match permit {
                    Ok(p) => p,
                    Err(_) => break,
                },
            };
            // The first permit apart, so that the common single-slot poll allocates nothing.
            let mut first = Some(first);
            let mut more = Vec::new();
            while 1 + more.len() < self.max_tasks {
                match semaphore.clone().try_acquire_owned() {
                    Ok(p) => more.push(p),
                    Err(_) => break,
                }
            }
            let slots = 1 + more.len();
            let fetch = self.fetch.fetch(
                &self.shared.client,
                i32::try_from(slots).unwrap_or(i32::MAX),
            );
            let poll_span = tracing::info_span!(
                "poll",
                worker_id = %self.shared.worker_id,
                max_tasks = slots,
                fetched = tracing::field::Empty
            );
            let requested_at = Instant::now();
            metrics.inc(|c| &c.polls);
            let result = tokio::select! {
                biased;
                // Dropping the request future cancels the long poll at once.
                () = &mut cancelled => {
                    cancelled_a_fetch = true;
                    break;
                }
                result = fetch.instrument(poll_span.clone()) => result,
            };
            // The local lock clock starts now: with long polling the engine may have locked the
            // tasks long after the request went out.
            let received_at = Instant::now();
            let delay = match result {
                Ok(fetched) => {
                    fetch_failures = 0;
                    let count = fetched.tasks.len() + fetched.undecodable.len();
                    poll_span.record("fetched", count);
                    poll_span.in_scope(|| tracing::debug!(fetched = count, "polled"));
                    for bad in fetched.undecodable {
                        self.give_up_undecodable(bad, &mut jobs, &poll_span);
                    }
                    if fetched.tasks.is_empty() {
                        metrics.inc(|c| &c.empty_polls);
                        empty_polls = empty_polls.saturating_add(1);
                        // After a long poll that waited its time out, poll again at once; an
                        // empty answer that came back early (an engine or proxy ignoring the
                        // timeout) must not make the worker spin.
                        let waited = received_at.saturating_duration_since(requested_at);
                        match self.long_polling {
                            Some(timeout) if waited >= timeout / 2 => Duration::ZERO,
                            _ => self.empty_poll_backoff.delay(empty_polls),
                        }
                    } else {
                        empty_polls = 0;
                        metrics.add(|c| &c.fetched, fetched.tasks.len() as u64);
                        for raw in fetched.tasks {
                            let permit = more.pop().or_else(|| first.take());
                            if let Some(job) =
                                self.start(raw, received_at, permit, &poll_span, inline_handlers)
                            {
                                jobs.spawn(job);
                            }
                        }
                        Duration::ZERO
                    }
                }
                Err(error) => {
                    metrics.inc(|c| &c.fetch_errors);
                    fetch_failures = fetch_failures.saturating_add(1);
                    let delay = self.fetch_error_backoff.delay(fetch_failures);
                    let hint = fetch_hint(&error);
                    poll_span.in_scope(|| {
                        let retryable = matches!(
                            decision::decide(decision::RequestKind::Fetch, &error),
                            decision::Decision::Transient { .. } | decision::Decision::Credentials
                        );
                        if retryable {
                            tracing::warn!(worker_id = %self.shared.worker_id, error = %error, failures = fetch_failures, retry_in_ms = delay.as_millis() as u64, "fetch failed{hint}");
                        } else {
                            tracing::error!(worker_id = %self.shared.worker_id, error = %error, failures = fetch_failures, retry_in_ms = delay.as_millis() as u64, "fetch failed{hint}");
                        }
                    });
                    delay
                }
            };
            drop((first, more));
            if !delay.is_zero() {
                tokio::select! {
                    biased;
                    () = &mut cancelled => break,
                    () = tokio::time::sleep(delay) => {}
                }
            }
        }

        let signalled = Instant::now();
        tracing::info!(running = jobs.len(), "shutting down: fetching stopped");
        let deadline = tokio::time::sleep(self.shutdown_timeout);
        tokio::pin!(deadline);
        let abort = self.shutdown.abort.clone();
        let mut aborted_tasks = Vec::new();
        loop {
            tokio::select! {
                biased;
                () = abort.cancelled() => {
                    aborted_tasks = self.abort_all();
                    tracing::warn!(worker_id = %self.shared.worker_id, aborted = aborted_tasks.len(), tasks = ?aborted_tasks, "shutdown aborted by a second signal");
                    break;
                }
                () = &mut deadline => {
                    aborted_tasks = self.abort_all();
                    tracing::warn!(worker_id = %self.shared.worker_id, aborted = aborted_tasks.len(), tasks = ?aborted_tasks, "shutdown deadline passed; aborting the handlers still running");
                    break;
                }
                joined = jobs.join_next() => match joined {
                    None => break,
                    Some(result) => log_join_error(result),
                },
            }
        }
        jobs.abort_all();
        while let Some(result) = jobs.join_next().await {
            log_join_error(result);
        }
        let unlocked_at_shutdown = if cancelled_a_fetch && !abort.is_cancelled() {
            self.give_back_stranded(&aborted_tasks).await
        } else {
            0
        };
        let summary = Summary {
            metrics: metrics.snapshot(),
            elapsed: started.elapsed(),
            aborted: aborted_tasks.len(),
            aborted_tasks,
            unlocked_at_shutdown,
            shutdown_duration: signalled.elapsed(),
        };
        tracing::info!(
            aborted = summary.aborted,
            unlocked_at_shutdown,
            shutdown_ms = summary.shutdown_duration.as_millis() as u64,
            "worker stopped"
        );
        summary
    }

    /// Signals every running handler that it is aborted, and lists their tasks.
    fn abort_all(&self) -> Vec<String> {
        let in_flight = self.shared.in_flight();
        let mut ids: Vec<String> = in_flight
            .iter()
            .map(|(id, entry)| {
                entry.cancel.cancel(CancelReason::Shutdown);
                id.to_string()
            })
            .collect();
        ids.sort();
        ids
    }

    /// After a cancelled long poll: finds the tasks the engine locked for this worker that it
    /// never received, and unlocks them, so they go to another worker at once. Tasks whose
    /// handlers were aborted stay locked (they are listed in the summary), and so do tasks in
    /// the retry timeout of a failure this worker reported.
    async fn give_back_stranded(&self, aborted: &[String]) -> usize {
        let client = &self.shared.client;
        let worker_id = &self.shared.worker_id;
        let locked = match engine::locked_by(client, worker_id).await {
            Ok(tasks) => tasks,
            Err(error) => {
                tracing::warn!(worker_id = %worker_id, error = %error, "cannot look for tasks locked by a cancelled long poll; they are fetched again once their lock runs out");
                return 0;
            }
        };
        let now = Instant::now();
        let in_backoff: Vec<Arc<str>> = self
            .shared
            .failure_reported()
            .iter()
            .filter(|(_, until)| **until > now)
            .map(|(id, _)| id.clone())
            .collect();
        let mut unlocked = 0;
        for task in locked {
            let (Some(id), Some(topic)) = (task.id, task.topic_name) else {
                continue;
            };
            if !self.entries.contains_key(&topic)
                || aborted.contains(&id)
                || in_backoff.iter().any(|b| **b == *id)
            {
                continue;
            }
            match engine::unlock(client, &id).await {
                Ok(()) => {
                    unlocked += 1;
                    self.shared.metrics.inc(|c| &c.tasks_unlocked);
                    tracing::info!(worker_id = %worker_id, topic, task_id = id, "unlocked a task locked by the cancelled long poll");
                }
                Err(error) => {
                    tracing::warn!(worker_id = %worker_id, topic, task_id = id, error = %error, "cannot unlock a task locked by the cancelled long poll; it is fetched again once its lock runs out");
                }
            }
        }
        unlocked
    }

    /// A fetched task the worker cannot read: the engine locked it, so it gets a failure report
    /// naming what is wrong (its retries count down to an incident), never a silent expiry.
    fn give_up_undecodable(
        &self,
        bad: engine::Undecodable,
        jobs: &mut JoinSet<()>,
        poll_span: &tracing::Span,
    ) {
        let _in_poll = poll_span.enter();
        let worker_id = &self.shared.worker_id;
        let topic = bad.topic.as_deref().unwrap_or_default();
        self.shared.metrics.inc(|c| &c.undecodable_tasks);
        let Some(id) = bad.id else {
            tracing::error!(worker_id = %worker_id, topic, problem = bad.problem, "fetched a task without a readable id; it is fetched again once its lock runs out");
            return;
        };
        tracing::error!(worker_id = %worker_id, topic, task_id = id, problem = bad.problem, "cannot read a fetched task; reporting a failure");
        let lock = self
            .entries
            .get(topic)
            .map_or(Duration::from_secs(30), |e| e.lock_duration);
        let context = self.context(Arc::from(topic), Arc::from(id.as_str()), lock);
        let outcome = Outcome::failure(format!("the worker cannot read this task: {}", bad.problem));
        let outcome = report::resolve_failure(outcome, &self.shared.report.retry_policy, bad.retries);
        let shared = self.shared.clone();
        jobs.spawn(async move {
            let end = report::report(&context, &outcome, &shared.report, bad.retries).await;
            if end == report::ReportEnd::Confirmed {
                if let Outcome::Failure { retry_timeout, .. } = &outcome {
                    shared.remember_failure(&context.task_id, retry_timeout.unwrap_or_default());
                }
            }
        });
    }

    /// A task's context: the client, ids, a fresh lock from `since`, and its cancellation.
    fn context(&self, topic: Arc<str>, task_id: Arc<str>, lock: Duration) -> TaskContext {
        TaskContext {
            client: self.shared.client.clone(),
            worker_id: self.shared.worker_id.clone(),
            topic,
            task_id,
            lock: Arc::new(LockState::new(Instant::now(), lock)),
            metrics: self.shared.metrics.clone(),
            cancel: Arc::new(Cancellation::default()),
        }
    }

    /// The job for one fetched task, ready to be spawned; `None` when the task
    /// is not to be handled (no id, no handler, or already being handled).
    fn start(
        &self,
        raw: Box<LockedTask>,
        received_at: Instant,
        permit: Option<OwnedSemaphorePermit>,
        poll_span: &tracing::Span,
        inline_handler: bool,
    ) -> Option<JobFuture> {
        let _in_poll = poll_span.enter();
        let worker_id = &self.shared.worker_id;
        let Some(id) = raw.id.as_deref() else {
            tracing::error!(worker_id = %worker_id, "fetched a task without an id; ignored");
            return None;
        };
        let topic = raw.topic_name.as_deref().unwrap_or_default();
        let Some(entry) = self.entries.get(topic).cloned() else {
            // Not ours to handle (the engine should not have sent it): give it back at once
            // rather than let it wait out the lock.
            tracing::warn!(worker_id = %worker_id, task_id = id, topic, "fetched a task of a topic without a handler; unlocking it");
            let client = self.shared.client.clone();
            let metrics = self.shared.metrics.clone();
            let (id, topic, worker_id) = (id.to_owned(), topic.to_owned(), worker_id.clone());
            return Some(
                (Box::pin(async move {
                    match engine::unlock(&client, &id).await {
                        Ok(()) => metrics.inc(|c| &c.tasks_unlocked),
                        Err(error) if decision::decide(decision::RequestKind::Unlock, &error) == decision::Decision::Gone => {}
                        Err(error) => tracing::warn!(worker_id = %worker_id, topic, task_id = id, error = %error, "cannot unlock the task; it is fetched again once its lock runs out"),
                    }
                }) as Pin<Box<dyn Future<Output = ()> + Send>>)
                    .instrument(tracing::Span::current()),
            );
        };
        let (task_id, lock, cancel) = {
            let mut in_flight = self.shared.in_flight();
            if let Some(existing) = in_flight.get(id) {
                // Our earlier lock expired and we locked it again: the running job keeps it.
                existing.lock.renewed(received_at, entry.lock_duration);
                self.shared.metrics.inc(|c| &c.duplicates_skipped);
                tracing::debug!(task_id = id, "task is already being handled; lock renewed");
                return None;
            }
            // One shared copy of the id serves the in-flight map, the guard and the job.
            let task_id: Arc<str> = Arc::from(id);
            let lock = Arc::new(LockState::new(received_at, entry.lock_duration));
            let cancel = Arc::new(Cancellation::default());
            in_flight.insert(
                task_id.clone(),
                InFlight {
                    lock: lock.clone(),
                    cancel: cancel.clone(),
                },
            );
            (task_id, lock, cancel)
        };
        let guard = InFlightGuard {
            shared: self.shared.clone(),
            task_id: task_id.clone(),
        };
        let span = tracing::info_span!(
            parent: None,
            "task",
            worker_id = %self.shared.worker_id,
            topic = %entry.topic,
            task_id = %task_id,
            outcome = tracing::field::Empty,
            report = tracing::field::Empty,
        );
        span.follows_from(poll_span);
        let context = TaskContext {
            client: self.shared.client.clone(),
            worker_id: self.shared.worker_id.clone(),
            topic: entry.topic.clone(),
            task_id: task_id.clone(),
            lock,
            metrics: self.shared.metrics.clone(),
            cancel,
        };
        let task_retries = raw.retries;
        let task = Task {
            raw,
            context: context.clone(),
        };
        self.shared.metrics.inc(|c| &c.handlers_started);
        let handling = if inline_handler {
            // On a current-thread runtime the handler would run on this thread anyway: its first
            // poll runs right here, and a handler done at once (the common case) leaves its slot
            // free before the fetch loop asks for one again, with no wake-up in between.
            span.in_scope(|| InlineHandler::start(&*entry.handler, task))
        } else {
            Handling::Spawn(task)
        };
        // A handler that has ended hands its slot back now if a report slot is free; otherwise
        // the job keeps it until one is (so fetching waits while reports are backed up).
        let (permit, report_slot) = match (&handling, permit) {
            (Handling::Ended(_), Some(permit)) => {
                match self.shared.report_slots.clone().try_acquire_owned() {
                    Ok(slot) => {
                        drop(permit);
                        (None, Some(slot))
                    }
                    Err(_) => (Some(permit), None),
                }
            }
            (_, permit) => (permit, None),
        };
        let job = Job {
            shared: self.shared.clone(),
            entry,
            context,
            task_retries,
            handling,
            guard,
            slots: Slots {
                handler: permit,
                report: report_slot,
            },
        };
        // Boxed: the job's state machine is large, and spawning would otherwise copy all of it
        // (several times) for every task.
        let ended = matches!(job.handling, Handling::Ended(_));
        let job: Pin<Box<dyn Future<Output = ()> + Send>> = Box::pin(job.run());
        let mut job = job.instrument(span);
        if ended {
            // Its report is started right here, before the next fetch: so the result goes out
            // first, and the engine has it before it is asked for more work (the job, spawned
            // next, polls on with its own waker).
            let mut cx = std::task::Context::from_waker(futures_util::task::noop_waker_ref());
            if Pin::new(&mut job).poll(&mut cx).is_ready() {
                return None;
            }
        }
        Some(job)
    }
}

/// Collects the jobs that have ended, logging any that did not end normally.
fn reap(jobs: &mut JoinSet<()>) {
    while let Some(result) = jobs.try_join_next() {
        log_join_error(result);
    }
}

/// A job's own panics are caught inside it (with its task id); what is left here is a job
/// cancelled by the runtime, or a panic that escaped even that.
fn log_join_error(result: Result<(), tokio::task::JoinError>) {
    if let Err(error) = result {
        if error.is_panic() {
            tracing::error!(error = %error, "a worker job panicked");
        } else {
            tracing::debug!(error = %error, "a worker job was cancelled");
        }
    }
}

/// A hint for a fetch error whose likely cause is the configuration.
fn fetch_hint(error: &Error) -> &'static str {
    match error {
        Error::UnexpectedStatus { status, .. } if status.as_u16() == 404 => {
            " (404 without an engine error: is the base URL missing `/engine-rest`?)"
        }
        _ => "",
    }
}

/// A fetched task's job: its handler, the lock extension and the report, in the task's span.
type JobFuture = tracing::instrument::Instrumented<Pin<Box<dyn Future<Output = ()> + Send>>>;

/// How a handler ended.
enum HandlerEnd {
    Returned(Result<Outcome, BoxError>),
    Panicked(Box<dyn std::any::Any + Send>),
    /// It ran past its time limit and was dropped.
    TimedOut(Duration),
    /// Its task was cancelled: only when the runtime shuts down.
    Cancelled,
}

/// How a job gets its handler's end.
enum Handling {
    /// The handler runs as a Tokio task of its own (multi-thread runtime), which keeps lock
    /// extension going on another thread even while the handler blocks its thread.
    Spawn(Task),
    /// Polled once in the fetch loop and not done yet: the job goes on polling it in place.
    Running(InlineHandler),
    /// Done at its first poll, in the fetch loop.
    Ended(HandlerEnd),
}

/// A handler's future polled in place, with a panic in it caught as [`HandlerEnd::Panicked`].
struct InlineHandler(HandlerFuture);

impl InlineHandler {
    /// Calls the handler and polls its future once (with a waker that does nothing: the job
    /// polls it again, with its own, as soon as it runs).
    fn start(handler: &dyn Handler, task: Task) -> Handling {
        let mut running = match std::panic::catch_unwind(AssertUnwindSafe(|| handler.call(task))) {
            Ok(future) => InlineHandler(future),
            Err(payload) => return Handling::Ended(HandlerEnd::Panicked(payload)),
        };
        let mut cx = std::task::Context::from_waker(futures_util::task::noop_waker_ref());
        match Pin::new(&mut running).poll(&mut cx) {
            Poll::Ready(end) => Handling::Ended(end),
            Poll::Pending => Handling::Running(running),
        }
    }
}

impl Future for InlineHandler {
    type Output = HandlerEnd;

    fn poll(mut self: Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> Poll<HandlerEnd> {
        match std::panic::catch_unwind(AssertUnwindSafe(|| self.0.as_mut().poll(cx))) {
            Ok(Poll::Ready(result)) => Poll::Ready(HandlerEnd::Returned(result)),
            Ok(Poll::Pending) => Poll::Pending,
            Err(payload) => Poll::Ready(HandlerEnd::Panicked(payload)),
        }
    }
}

/// Runs a handler as a Tokio task of its own, to its end. Dropping the future aborts the task.
async fn spawn_handler(handler: Arc<dyn Handler>, task: Task) -> HandlerEnd {
    let mut handle = AbortOnDrop(tokio::spawn(
        async move { handler.call(task).await }.instrument(tracing::Span::current()),
    ));
    match (&mut handle.0).await {
        Ok(result) => HandlerEnd::Returned(result),
        Err(join) if join.is_panic() => HandlerEnd::Panicked(join.into_panic()),
        Err(_) => HandlerEnd::Cancelled,
    }
}

/// Waits for a running handler, keeping its task's lock alive meanwhile (when configured), for
/// at most `limit`: then the handler is signalled and dropped, and its end is a time-out.
async fn keep_locked_until_done(
    handler: impl Future<Output = HandlerEnd>,
    context: &TaskContext,
    lock_extension: Option<f64>,
    limit: Duration,
) -> HandlerEnd {
    tokio::pin!(handler);
    // A handler that is done at its first poll here never needs the lock kept: the keeper
    // (a timer and an extendLock request) and the time limit are only made, and boxed so that
    // they take no room in every job, once the handler has to wait.
    if let Poll::Ready(end) =
        std::future::poll_fn(|cx| Poll::Ready(handler.as_mut().poll(cx))).await
    {
        return end;
    }
    let mut time_limit = Box::pin(tokio::time::sleep(limit));
    let mut keep_alive = lock_extension.map(|fraction| Box::pin(lock::keep_alive(context, fraction)));
    loop {
        tokio::select! {
            biased;
            end = &mut handler => return end,
            () = &mut time_limit => {
                context.cancel.cancel(CancelReason::TimeLimit);
                return HandlerEnd::TimedOut(limit);
            }
            () = async { keep_alive.as_mut().expect("checked by the guard").await }, if keep_alive.is_some() => {}
        }
    }
}

/// Everything the job of one task owns.
struct Job {
    shared: Arc<Shared>,
    entry: Arc<Entry>,
    context: TaskContext,
    /// The retries the engine reported for the task, for the retry policy.
    task_retries: Option<i32>,
    handling: Handling,
    /// Dropped when the job ends, however it ends: the task leaves the in-flight map.
    guard: InFlightGuard,
    slots: Slots,
}

/// The pool slots a job holds.
struct Slots {
    /// The handler's slot: handed back when the handler has returned (or when the job ends).
    handler: Option<OwnedSemaphorePermit>,
    /// A report slot, taken by the fetch loop for a handler that ended at its first poll.
    report: Option<OwnedSemaphorePermit>,
}

impl Job {
    /// Runs the handler of one task (with lock extension), then reports its outcome. A panic
    /// anywhere in here (outside the handler, whose panics become failure reports) is logged
    /// with the task, and the task is given back.
    async fn run(self) {
        let Job {
            shared,
            entry,
            context,
            task_retries,
            handling,
            guard,
            slots,
        } = self;
        let run = run_task(&shared, &entry, &context, task_retries, handling, slots);
        if let Err(payload) = futures_util::FutureExt::catch_unwind(AssertUnwindSafe(run)).await {
            shared.metrics.inc(|c| &c.job_panics);
            let message = panic_message(payload);
            task_event!(error, context, panic = %message, "the worker's job for this task panicked; unlocking the task");
            if let Err(error) = engine::unlock(&context.client, &context.task_id).await {
                task_event!(warn, context, error = %error, "cannot unlock the task; it is fetched again once its lock runs out");
            }
        }
        drop(guard);
    }
}

/// Runs the handler of one task (with lock extension), then reports its outcome.
async fn run_task(
    shared: &Shared,
    entry: &Entry,
    context: &TaskContext,
    task_retries: Option<i32>,
    handling: Handling,
    slots: Slots,
) {
    let lock_extension = shared.lock_extension;
    let limit = entry.max_handler_duration;
    let end = match handling {
        Handling::Ended(end) => end,
        Handling::Running(handler) => {
            keep_locked_until_done(handler, context, lock_extension, limit).await
        }
        Handling::Spawn(task) => {
            let handler = spawn_handler(entry.handler.clone(), task);
            keep_locked_until_done(handler, context, lock_extension, limit).await
        }
    };
    let Some(outcome) = outcome_of(end, context) else {
        return;
    };
    let outcome = report::resolve_failure(outcome, &shared.report.retry_policy, task_retries);
    // The handler's slot goes back before the report is sent, so the fetch loop can lock the
    // next task meanwhile; a report slot is taken first, so pending reports stay bounded (with
    // all of them taken, the handler's slot is held, and fetching waits).
    // (The semaphore is never closed; should it be, the report goes out without a slot.)
    let _report_slot = match slots.report {
        Some(slot) => Some(slot),
        None => shared.report_slots.clone().acquire_owned().await.ok(),
    };
    drop(slots.handler);
    let span = tracing::Span::current();
    span.record("outcome", outcome.kind());
    let end = report::report(context, &outcome, &shared.report, task_retries).await;
    span.record("report", end.as_str());
    if let (Outcome::Failure { retry_timeout, .. }, report::ReportEnd::Confirmed) = (&outcome, end)
    {
        shared.remember_failure(&context.task_id, retry_timeout.unwrap_or_default());
    }
    tracing::debug!(outcome = outcome.kind(), report = end.as_str(), "task done");
}

/// The outcome to report for how a handler ended (counting errors and panics), or `None`
/// when there is nothing to report.
fn outcome_of(end: HandlerEnd, context: &TaskContext) -> Option<Outcome> {
    let metrics = &context.metrics;
    match end {
        HandlerEnd::Returned(Ok(outcome)) => Some(outcome),
        HandlerEnd::Returned(Err(error)) => {
            metrics.inc(|c| &c.handler_errors);
            task_event!(warn, context, error = %error, "handler failed");
            Some(failure_from_error(&error))
        }
        HandlerEnd::Panicked(payload) => {
            metrics.inc(|c| &c.handler_panics);
            let message = panic_message(payload);
            task_event!(error, context, panic = %message, "handler panicked");
            Some(Outcome::failure(format!("handler panicked: {message}")))
        }
        HandlerEnd::TimedOut(limit) => {
            metrics.inc(|c| &c.handlers_timed_out);
            let message = format!("handler exceeded {} s", limit.as_secs_f64());
            task_event!(error, context, limit_s = limit.as_secs_f64(), "handler ran past its time limit; cancelled, reporting a failure");
            Some(Outcome::failure(message).details(
                "The worker stopped waiting for the handler after its max_handler_duration and \
                 stopped extending the task's lock.",
            ))
        }
        HandlerEnd::Cancelled => {
            // Only when the runtime shuts down; nothing to report.
            task_event!(warn, context, "handler cancelled; nothing reported");
            None
        }
    }
}

/// A failure report for a handler error: its message, and its chain of sources as details.
fn failure_from_error(error: &BoxError) -> Outcome {
    let mut details = error.to_string();
    let mut source = error.source();
    while let Some(s) = source {
        details.push_str("\ncaused by: ");
        details.push_str(&s.to_string());
        source = s.source();
    }
    Outcome::failure(error.to_string()).details(details)
}

fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a non-string panic payload".to_owned()
    }
}
