//! Stopping a worker: the handle that asks for it, the drain of running jobs within the
//! deadline, giving back what the engine locked for a cancelled poll, and the summary.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::task::JoinSet;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::engine;
use super::fetch_loop::{log_join_error, Worker};
use super::handler::CancelReason;
use super::metrics::MetricsSnapshot;

/// How long the shutdown waits before it looks again for tasks locked by abandoned polls.
const STRANDED_SETTLE: Duration = Duration::from_millis(200);

/// Requests a shutdown of a running [`Worker`]; cheap to clone.
///
/// The first [`shutdown`](ShutdownHandle::shutdown) is graceful: the in-flight long poll is
/// cancelled at once, no more tasks are fetched, and running handlers get until the
/// [`shutdown_timeout`](super::WorkerBuilder::shutdown_timeout) to finish and report. A second call (or
/// [`abort`](ShutdownHandle::abort)) aborts the handlers still running.
#[derive(Debug, Clone)]
pub struct ShutdownHandle {
    pub(super) graceful: CancellationToken,
    pub(super) abort: CancellationToken,
    signals: Arc<AtomicU32>,
}

impl ShutdownHandle {
    pub(super) fn new() -> Self {
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

impl Worker {
    /// The shutdown, once fetching has stopped: waits for the running jobs until the deadline
    /// or a second signal, aborts the rest, gives back what a cancelled poll locked, and sums
    /// up.
    pub(super) async fn drain(
        &self,
        mut jobs: JoinSet<()>,
        started: Instant,
        cancelled_a_fetch: bool,
    ) -> Summary {
        let metrics = &self.shared.metrics;
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
            self.give_back_after_a_cancelled_poll(
                &aborted_tasks,
                Some(signalled + self.shutdown_timeout),
            )
            .await
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

    /// After a long poll was cancelled (by a shutdown, a pause or a change of topics): gives
    /// back what the engine locked for it. The engine may still be running the cancelled poll
    /// (it does not notice that nobody waits for the answer), and with other workers stopping
    /// at the same time their abandoned polls may take tasks one of them just gave back. Each
    /// such poll locks tasks at most once, so after every sweep that found something the worker
    /// looks again a moment later, until a look finds nothing or `until` comes; without a
    /// deadline, it looks twice.
    pub(super) async fn give_back_after_a_cancelled_poll(
        &self,
        keep: &[String],
        until: Option<Instant>,
    ) -> usize {
        let until = until.unwrap_or_else(|| Instant::now() + STRANDED_SETTLE * 2);
        let mut unlocked = self.give_back_stranded(keep).await;
        while Instant::now() + STRANDED_SETTLE < until {
            tokio::time::sleep(STRANDED_SETTLE).await;
            let found = self.give_back_stranded(keep).await;
            unlocked += found;
            if found == 0 {
                break;
            }
        }
        unlocked
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
    /// never received, and unlocks them, so they go to another worker at once. Tasks being
    /// handled stay locked, and so do those in `keep` (whose handlers were aborted: they are
    /// listed in the summary) and tasks in the retry timeout of a failure this worker reported.
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
            if aborted.contains(&id)
                || in_backoff.iter().any(|b| **b == *id)
                || self.shared.in_flight().contains_key(id.as_str())
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
}
