//! The running worker: its shared state, and the fetch loop that takes free slots, fetches
//! and locks that many tasks, and starts a job for each (see [`super::dispatch`]).

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::task::JoinSet;
use tokio::time::Instant;
use tracing::Instrument;

use crate::{Client, Error};

use super::builder::WorkerBuilder;
use super::config::MAX_DURATION;
use super::control::{Control, WorkerControl};
use super::decision::{decide, Decision, RequestKind};
use super::dispatch::InFlight;
use super::engine;
use super::handler::Handler;
use super::metrics::Metrics;
use super::pool::Pool;
use super::report::{RefusedResults, ReportSettings};
use super::retry::{Backoff, BackoffStrategy, RetryPolicy};
use super::shutdown::{ShutdownHandle, Summary};
use super::HashMap;

/// What every task job needs.
pub(super) struct Shared {
    pub(super) client: Client,
    pub(super) worker_id: Arc<str>,
    pub(super) metrics: Metrics,
    pub(super) report: ReportSettings,
    pub(super) lock_extension: Option<f64>,
    /// The handler and report slots.
    pub(super) pool: Pool,
    /// Tasks being handled, by id, with their lock and cancellation.
    pub(super) in_flight: Mutex<HashMap<Arc<str>, InFlight>>,
    /// Tasks this worker reported a failure for, with the end of their retry timeout: the
    /// engine keeps them locked for this worker meanwhile, and the shutdown sweep must not
    /// give them back early.
    pub(super) failure_reported: Mutex<HashMap<Arc<str>, Instant>>,
}

/// The worker-wide parts of the fetch-and-lock body.
#[derive(Debug, Clone, Copy)]
pub(super) struct FetchOptions {
    pub(super) use_priority: Option<bool>,
    pub(super) sort_by_create_time: Option<bool>,
    pub(super) long_polling: Option<Duration>,
}

/// A handler and the topic settings it was subscribed with.
pub(super) struct Entry {
    pub(super) topic: Arc<str>,
    pub(super) lock_duration: Duration,
    pub(super) max_handler_duration: Duration,
    pub(super) handler: Arc<dyn Handler>,
}

impl Shared {
    pub(super) fn in_flight(&self) -> std::sync::MutexGuard<'_, HashMap<Arc<str>, InFlight>> {
        self.in_flight.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(super) fn failure_reported(&self) -> std::sync::MutexGuard<'_, HashMap<Arc<str>, Instant>> {
        self.failure_reported
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }

    /// Remembers a failure report until its retry timeout has passed (older entries are
    /// dropped as new ones come, so the map stays as small as the failures in back-off).
    pub(super) fn remember_failure(&self, task_id: &Arc<str>, retry_timeout: Duration) {
        let now = Instant::now();
        let until = now.checked_add(retry_timeout).unwrap_or(now + MAX_DURATION);
        let mut map = self.failure_reported();
        if map.len() >= 1024 {
            map.retain(|_, until| *until > now);
        }
        map.insert(task_id.clone(), until);
    }
}

/// An external-task worker; build one with [`Worker::builder`], then [`run`](Worker::run) it.
pub struct Worker {
    pub(super) shared: Arc<Shared>,
    /// The topics being fetched, by name (as the control last said).
    pub(super) entries: HashMap<String, Arc<Entry>>,
    /// The fetch-and-lock request for them; `None` while paused or with no topic.
    pub(super) fetch: Option<engine::FetchRequest>,
    pub(super) fetch_options: FetchOptions,
    pub(super) control: Arc<Control>,
    pub(super) long_polling: Option<Duration>,
    pub(super) fetch_error_backoff: Arc<dyn BackoffStrategy>,
    pub(super) empty_poll_backoff: Arc<dyn BackoffStrategy>,
    pub(super) shutdown_timeout: Duration,
    pub(super) shutdown: ShutdownHandle,
}

impl std::fmt::Debug for Worker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Worker")
            .field("worker_id", &self.shared.worker_id)
            .field("topics", &self.entries.keys().collect::<Vec<_>>())
            .field("pool", &self.shared.pool)
            .finish_non_exhaustive()
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
            fetch_error_backoff: Arc::new(Backoff::exponential(
                Duration::from_millis(250),
                Duration::from_secs(5),
            )),
            empty_poll_backoff: None,
            report_backoff: Arc::new(Backoff::exponential(
                Duration::from_millis(100),
                Duration::from_secs(5),
            )),
            report_timeout: Duration::from_secs(300),
            refused_results: RefusedResults::default(),
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

    /// A handle to pause and resume the worker, and to subscribe and unsubscribe topics, while
    /// it runs (see [`WorkerControl`]).
    pub fn control(&self) -> WorkerControl {
        WorkerControl {
            inner: self.control.clone(),
        }
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
        let metrics = self.shared.metrics.clone();
        let graceful = self.shutdown.graceful.clone();
        let mut jobs: JoinSet<()> = JoinSet::new();
        let mut fetch_failures = 0u32;
        let mut empty_polls = 0u32;
        // Whether the shutdown cancelled a fetch the engine may have answered by locking tasks.
        let mut cancelled_a_fetch = false;
        tracing::info!(
            topics = ?self.entries.keys().collect::<Vec<_>>(),
            pool = ?self.shared.pool,
            "worker started"
        );

        // One wait for the signal serves every select below: it registers with the token once,
        // not at every step of every poll.
        let cancelled = graceful.cancelled();
        tokio::pin!(cancelled);
        let mut control = self.control.watch();
        control.mark_changed();
        loop {
            reap(&mut jobs);
            if control.has_changed().unwrap_or(false) {
                control.borrow_and_update();
                self.follow_control();
            }
            if self.fetch.is_none() {
                // Paused, or no topic: nothing to fetch until that changes.
                tokio::select! {
                    biased;
                    () = &mut cancelled => break,
                    _ = control.changed() => {
                    // Seen here; the top of the loop takes it.
                    control.mark_changed();
                    continue;
                }
                }
            }
            let shared = self.shared.clone();
            let mut slots = tokio::select! {
                biased;
                () = &mut cancelled => break,
                _ = control.changed() => {
                    // Seen here; the top of the loop takes it.
                    control.mark_changed();
                    continue;
                }
                slots = shared.pool.slots_for_a_fetch() => slots,
            };
            let Some(request) = self.fetch.as_mut() else {
                continue;
            };
            let fetch = request.fetch(
                &self.shared.client,
                i32::try_from(slots.len()).unwrap_or(i32::MAX),
            );
            let poll_span = tracing::info_span!(
                "poll",
                worker_id = %self.shared.worker_id,
                max_tasks = slots.len(),
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
                // Paused, or the topics changed: this poll must not lock anything more.
                _ = control.changed() => {
                    control.mark_changed();
                    drop(slots);
                    self.give_back_after_a_cancelled_poll(&[], None).await;
                    continue;
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
                            _ => self.empty_poll_backoff.delay(empty_polls, None),
                        }
                    } else {
                        empty_polls = 0;
                        metrics.add(|c| &c.fetched, fetched.tasks.len() as u64);
                        for raw in fetched.tasks {
                            if let Some(job) =
                                self.start(raw, received_at, slots.take(), &poll_span)
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
                    let delay = self.fetch_error_backoff.delay(fetch_failures, Some(&error));
                    let hint = fetch_hint(&error);
                    let retryable = matches!(
                        decide(RequestKind::Fetch, &error),
                        Decision::Transient { .. } | Decision::Credentials
                    );
                    poll_span.in_scope(|| {
                        if retryable {
                            tracing::warn!(worker_id = %self.shared.worker_id, error = %error, failures = fetch_failures, retry_in_ms = delay.as_millis() as u64, "fetch failed{hint}");
                        } else {
                            tracing::error!(worker_id = %self.shared.worker_id, error = %error, failures = fetch_failures, retry_in_ms = delay.as_millis() as u64, "fetch failed{hint}");
                        }
                    });
                    delay
                }
            };
            // Slots the engine sent no task for go back to the pool.
            drop(slots);
            if !delay.is_zero() {
                tokio::select! {
                    biased;
                    () = &mut cancelled => break,
                    () = tokio::time::sleep(delay) => {}
                }
            } else {
                // The jobs just started run first (on a current-thread runtime they could not
                // otherwise): a handler that is done at once hands its slot back, and its
                // report goes out, before the next fetch asks for slots.
                YieldToReady::default().await;
            }
        }
        self.drain(jobs, started, cancelled_a_fetch).await
    }

    /// Takes the topic set and the pause state from the control: the handler entries and the
    /// fetch-and-lock body follow them.
    fn follow_control(&mut self) {
        let state = self.control.state();
        self.entries = state
            .topics
            .iter()
            .map(|t| (t.subscription.topic().to_owned(), t.entry.clone()))
            .collect();
        self.fetch = if state.paused || state.topics.is_empty() {
            None
        } else {
            let subscriptions: Vec<_> = state
                .topics
                .iter()
                .map(|t| (t.subscription.clone(), t.entry.lock_duration))
                .collect();
            let body = engine::fetch_body(
                &self.shared.worker_id,
                &subscriptions,
                self.fetch_options.use_priority,
                self.fetch_options.sort_by_create_time,
                self.fetch_options.long_polling,
            );
            Some(engine::FetchRequest::new(body))
        };
        tracing::info!(
            worker_id = %self.shared.worker_id,
            paused = state.paused,
            topics = ?self.entries.keys().collect::<Vec<_>>(),
            "fetching {}",
            if self.fetch.is_some() { "the topics" } else { "nothing" }
        );
    }
}

/// Lets the tasks that are ready run before the fetch loop goes on: it wakes itself once, so
/// the scheduler puts it behind them. (Tokio's `yield_now` would also poll the I/O driver
/// first, a system call per fetch that this loop does not need: the jobs it waits for are
/// already ready to run.)
#[derive(Default)]
struct YieldToReady {
    yielded: bool,
}

impl Future for YieldToReady {
    type Output = ();

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<()> {
        if self.yielded {
            return std::task::Poll::Ready(());
        }
        self.yielded = true;
        cx.waker().wake_by_ref();
        std::task::Poll::Pending
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
pub(super) fn log_join_error(result: Result<(), tokio::task::JoinError>) {
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
