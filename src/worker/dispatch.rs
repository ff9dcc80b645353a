//! Starting the job of each fetched task: the registry of tasks in flight (so a task fetched
//! again while its job runs is not started twice), and what becomes of fetched tasks that
//! cannot be handled (unreadable ones get a failure report, stray ones are unlocked).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::OwnedSemaphorePermit;
use tokio::task::JoinSet;
use tokio::time::Instant;
use tracing::Instrument;

use super::decision::{decide, Decision, RequestKind};
use super::engine;
use super::fetch_loop::{Shared, Worker};
use super::handler::{Cancellation, Task, TaskContext};
use super::job::Job;
use super::lock::LockState;
use super::outcome::Outcome;
use super::report::{self, PendingFailure};
use super::wire::LockedTask;

/// A fetched task's job: its handler, the lock extension and the report, in the task's span.
pub(super) type JobFuture =
    tracing::instrument::Instrumented<Pin<Box<dyn Future<Output = ()> + Send>>>;

/// A task being handled: its lock, its cancellation signal, and the failure its job is
/// reporting, if any.
#[derive(Clone)]
pub(super) struct InFlight {
    pub(super) lock: Arc<LockState>,
    pub(super) cancel: Arc<Cancellation>,
    pub(super) report: Arc<PendingFailure>,
}

/// Removes a task from the in-flight map when its job ends, however it ends (unless a newer
/// job of the same task has taken its place).
pub(super) struct InFlightGuard {
    shared: Arc<Shared>,
    task_id: Arc<str>,
    lock: Arc<LockState>,
}

impl Drop for InFlightGuard {
    fn drop(&mut self) {
        let mut in_flight = self.shared.in_flight();
        if in_flight
            .get(&self.task_id)
            .is_some_and(|entry| Arc::ptr_eq(&entry.lock, &self.lock))
        {
            in_flight.remove(&self.task_id);
        }
    }
}

impl Worker {
    /// A fetched task the worker cannot read: the engine locked it, so it gets a failure report
    /// naming what is wrong (its retries count down to an incident), never a silent expiry.
    pub(super) fn give_up_undecodable(
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
        let outcome =
            Outcome::failure(format!("the worker cannot read this task: {}", bad.problem));
        let retries = report::RetryState {
            current: bad.retries,
            properties: None,
        };
        let outcome =
            report::resolve_failure(outcome.into(), &self.shared.report.retry_policy, &retries);
        let shared = self.shared.clone();
        jobs.spawn(async move {
            let end = report::report(&context, &outcome, &shared.report, &retries, None).await;
            if end == report::ReportEnd::Confirmed {
                if let Outcome::Failure(failure) = &outcome {
                    shared.remember_failure(
                        &context.task_id,
                        failure.retry_timeout.unwrap_or_default(),
                    );
                }
            }
        });
    }

    /// A task's context: the client, ids, a fresh lock from now, and its cancellation.
    fn context(&self, topic: Arc<str>, task_id: Arc<str>, lock: Duration) -> TaskContext {
        TaskContext {
            client: Some(self.shared.client.clone()),
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
    pub(super) fn start(
        &self,
        raw: Box<LockedTask>,
        received_at: Instant,
        slot: Option<OwnedSemaphorePermit>,
        poll_span: &tracing::Span,
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
                        Err(error) if decide(RequestKind::Unlock, &error) == Decision::Gone => {}
                        Err(error) => tracing::warn!(worker_id = %worker_id, topic, task_id = id, error = %error, "cannot unlock the task; it is fetched again once its lock runs out"),
                    }
                }) as Pin<Box<dyn Future<Output = ()> + Send>>)
                    .instrument(tracing::Span::current()),
            );
        };
        let (task_id, lock, cancel, pending) = {
            let mut in_flight = self.shared.in_flight();
            if let Some(existing) = in_flight.get(id) {
                if existing.report.applied_as(&raw) {
                    // The task is back with the retries and message of the failure its job is
                    // still retrying: an earlier attempt was applied (its answer was lost) and
                    // the retry timeout has passed. The old job stops, and this is a new
                    // delivery of the task, handled as such.
                    existing.report.mark_applied();
                    tracing::info!(worker_id = %worker_id, topic, task_id = id, "the task came back while its job was still reporting (a failure that was applied, or an unlock); handled as a new delivery");
                } else {
                    // Our earlier lock expired and we locked it again: the running job keeps it.
                    existing.lock.renewed(received_at, entry.lock_duration);
                    self.shared.metrics.inc(|c| &c.duplicates_skipped);
                    tracing::debug!(task_id = id, "task is already being handled; lock renewed");
                    return None;
                }
            }
            // One shared copy of the id serves the in-flight map, the guard and the job.
            let task_id: Arc<str> = Arc::from(id);
            let lock = Arc::new(LockState::new(received_at, entry.lock_duration));
            let cancel = Arc::new(Cancellation::default());
            let pending = Arc::new(PendingFailure::default());
            in_flight.insert(
                task_id.clone(),
                InFlight {
                    lock: lock.clone(),
                    cancel: cancel.clone(),
                    report: pending.clone(),
                },
            );
            (task_id, lock, cancel, pending)
        };
        let guard = InFlightGuard {
            shared: self.shared.clone(),
            task_id: task_id.clone(),
            lock: lock.clone(),
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
            client: Some(self.shared.client.clone()),
            worker_id: self.shared.worker_id.clone(),
            topic: entry.topic.clone(),
            task_id: task_id.clone(),
            lock,
            metrics: self.shared.metrics.clone(),
            cancel,
        };
        let task = Task {
            raw,
            context: context.clone(),
            files: None,
        };
        self.shared.metrics.inc(|c| &c.handlers_started);
        let job = Job {
            shared: self.shared.clone(),
            entry,
            task,
            context,
            pending,
            guard,
            slot,
        };
        // Boxed: the job's state machine is large, and spawning would otherwise copy all of it
        // (several times) for every task.
        let job: Pin<Box<dyn Future<Output = ()> + Send>> = Box::pin(job.run());
        Some(job.instrument(span))
    }
}
