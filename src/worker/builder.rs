//! Configuring a worker: every setting with its default, checked at `build()` into the
//! worker's plain settings (a bad one fails with [`Error::Config`] naming it).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Semaphore;

use crate::{Client, Error};

use super::config::{check_duration, MIN_LOCK};
use super::control::{topic, Control, Topic, TopicDefaults};
use super::fetch_loop::{FetchOptions, Shared, Worker};
use super::handler::Handler;
use super::metrics::Metrics;
use super::pool::Pool;
use super::report::{RefusedResults, ReportSettings};
use super::retry::{Backoff, BackoffStrategy, RetryPolicy};
use super::shutdown::ShutdownHandle;
use super::subscription::Subscription;
use super::HashMap;

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
    pub(super) client: Client,
    pub(super) worker_id: Option<String>,
    pub(super) max_tasks: u32,
    pub(super) max_concurrent: usize,
    pub(super) lock_duration: Duration,
    pub(super) long_polling: Option<Duration>,
    pub(super) use_priority: Option<bool>,
    pub(super) sorting: Option<SortOrder>,
    pub(super) lock_extension: Option<f64>,
    pub(super) retry_policy: RetryPolicy,
    pub(super) fetch_error_backoff: Arc<dyn BackoffStrategy>,
    pub(super) empty_poll_backoff: Option<Arc<dyn BackoffStrategy>>,
    pub(super) report_backoff: Arc<dyn BackoffStrategy>,
    pub(super) report_timeout: Duration,
    pub(super) refused_results: RefusedResults,
    pub(super) max_handler_duration: Duration,
    pub(super) shutdown_timeout: Duration,
    pub(super) subscriptions: Vec<(Subscription, Arc<dyn Handler>)>,
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

    /// Never extend locks automatically (handlers can still call [`Task::extend_lock`](super::Task::extend_lock)).
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
    pub fn fetch_error_backoff(mut self, backoff: impl BackoffStrategy) -> Self {
        self.fetch_error_backoff = Arc::new(backoff);
        self
    }

    /// Wait after fetches that returned nothing (default: exponential from 100 ms to 2 s). With
    /// long polling it applies only to an empty answer that came back before half the
    /// long-poll timeout; one that waited the poll out is followed by the next poll at once.
    pub fn empty_poll_backoff(mut self, backoff: impl BackoffStrategy) -> Self {
        self.empty_poll_backoff = Some(Arc::new(backoff));
        self
    }

    /// Wait between attempts to report a result after an answer worth retrying (default:
    /// exponential from 100 ms to 5 s, ±20 % jitter).
    pub fn report_backoff(mut self, backoff: impl BackoffStrategy) -> Self {
        self.report_backoff = Arc::new(backoff);
        self
    }

    /// What a result the engine refused for good becomes (default: a failure carrying the
    /// engine's reason under the retry policy; see [`RefusedResults`]).
    pub fn refused_results(mut self, policy: RefusedResults) -> Self {
        self.refused_results = policy;
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
    /// lock, signals [`Task::cancelled`](super::Task::cancelled) and reports a failure
    /// "handler exceeded …" under the retry policy, so a hung handler neither keeps its task
    /// forever nor its slot.
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
    /// A worker may be built with no topic: it then fetches nothing until one is subscribed
    /// through its [`control`](super::Worker::control).
    ///
    /// Fails with [`Error::Config`], naming the setting, for: a topic
    /// subscribed twice or empty, `max_tasks` or `max_concurrent_handlers` of 0, a lock
    /// duration under 1 ms, a long-polling timeout of 0 or above 30 minutes, a lock-extension
    /// fraction outside (0, 1), and any other duration (timeouts, handler limits, backoff caps)
    /// above 365 days.
    pub fn build(self) -> Result<Worker, Error> {
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
        check_duration("max_handler_duration", self.max_handler_duration, MIN_LOCK)?;
        check_duration(
            "report_backoff (its cap)",
            self.report_backoff.max_delay(),
            Duration::ZERO,
        )?;
        check_duration(
            "retry_policy (its retry timeout cap)",
            self.retry_policy.max_timeout(),
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
        let defaults = TopicDefaults {
            lock_duration: self.lock_duration,
            max_handler_duration: self.max_handler_duration,
        };
        let mut topics: Vec<Topic> = Vec::new();
        for (subscription, handler) in self.subscriptions {
            let topic = topic(subscription, handler, defaults)?;
            if topics
                .iter()
                .any(|t| t.subscription.topic() == topic.subscription.topic())
            {
                return Err(Error::config(format!(
                    "worker: topic `{}` is subscribed twice",
                    topic.subscription.topic()
                )));
            }
            topics.push(topic);
        }
        let worker_id: Arc<str> = Arc::from(self.worker_id.unwrap_or_else(default_worker_id));
        let empty_poll_backoff = self.empty_poll_backoff.unwrap_or_else(|| {
            Arc::new(Backoff::exponential(
                Duration::from_millis(100),
                Duration::from_secs(2),
            ))
        });
        let fetch_options = FetchOptions {
            use_priority: self.use_priority,
            sort_by_create_time: self.sorting.map(|o| o == SortOrder::Ascending),
            long_polling: self.long_polling,
        };
        let control = Arc::new(Control::new(topics, defaults));
        Ok(Worker {
            shared: Arc::new(Shared {
                client: self.client,
                metrics: Metrics::for_worker(&worker_id),
                worker_id,
                report: ReportSettings {
                    backoff: self.report_backoff,
                    timeout: self.report_timeout,
                    retry_policy: self.retry_policy,
                    refused: self.refused_results,
                },
                lock_extension: self.lock_extension,
                in_flight: Mutex::new(HashMap::default()),
                failure_reported: Mutex::new(HashMap::default()),
                pool: Pool::new(self.max_concurrent, self.max_tasks as usize),
            }),
            entries: HashMap::default(),
            fetch: None,
            fetch_options,
            control,
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
