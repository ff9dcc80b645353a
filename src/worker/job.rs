//! One task's job: run its handler (see [`super::execute`]), turn how it ended into an
//! outcome, hand its slot over, and report the result (see [`super::report`]).

use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use futures_util::FutureExt;
use tokio::sync::OwnedSemaphorePermit;

use crate::BoxError;

use super::dispatch::InFlightGuard;
use super::engine;
use super::execute::{execute, keep_locked, HandlerEnd};
use super::fetch_loop::{Entry, Shared};
use super::handler::{Task, TaskContext};
use super::outcome::Outcome;
use super::report::{self, PendingFailure, ReportEnd, RetryState};
use super::retry::PropertyRetries;

/// Everything the job of one task owns.
pub(super) struct Job {
    pub(super) shared: Arc<Shared>,
    pub(super) entry: Arc<Entry>,
    pub(super) task: Task,
    pub(super) context: TaskContext,
    /// The failure being reported, for the fetch loop to recognise it once applied.
    pub(super) pending: Arc<PendingFailure>,
    /// Dropped when the job ends, however it ends: the task leaves the in-flight map.
    pub(super) guard: InFlightGuard,
    /// The handler slot, handed over once the handler has returned (or when the job ends).
    pub(super) slot: Option<OwnedSemaphorePermit>,
}

impl Job {
    /// Runs the task's handler, then reports its outcome. A panic anywhere in here outside
    /// the handler (whose panics become failure reports) is logged with the task, and the
    /// task is given back.
    pub(super) async fn run(self) {
        let Job {
            shared,
            entry,
            task,
            context,
            pending,
            guard,
            slot,
        } = self;
        let run = run_task(&shared, &entry, task, &context, &pending, slot);
        if let Err(payload) = AssertUnwindSafe(run).catch_unwind().await {
            shared.metrics.inc(|c| &c.job_panics);
            let message = panic_message(payload);
            task_event!(error, context, panic = %message, "the worker's job for this task panicked; unlocking the task");
            let unlocked = match context.client() {
                Ok(client) => engine::unlock(client, &context.task_id).await,
                Err(error) => Err(error),
            };
            if let Err(error) = unlocked {
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
    task: Task,
    context: &TaskContext,
    pending: &PendingFailure,
    slot: Option<OwnedSemaphorePermit>,
) {
    let retries = RetryState {
        current: task.retries(),
        properties: retries_from_properties(&task, context),
    };
    let limit = entry.max_handler_duration;
    let end = execute(&entry.handler, task, context, shared.lock_extension, limit).await;
    let Some(outcome) = outcome_of(end, context) else {
        return;
    };
    let outcome = report::resolve_failure(outcome, &shared.report.retry_policy, &retries);
    let span = tracing::Span::current();
    span.record("outcome", outcome.kind());
    // Waiting for a report slot (all taken while reports are slow) and reporting both keep the
    // lock: a lock that ran out meanwhile would let another worker take the task, and this
    // result would then be refused. Boxed: the report's state (its retries, the lookup of a
    // lost answer) is larger than the rest of the job, and the job should not carry it while
    // its handler runs.
    let report = Box::pin(async {
        let _report_slot = shared.pool.hand_over(slot).await;
        report::report(context, &outcome, &shared.report, &retries, Some(pending)).await
    });
    // Without a time limit the report always ends itself (at the latest after the report
    // timeout).
    let end = keep_locked(report, context, shared.lock_extension, None)
        .await
        .unwrap_or(ReportEnd::Abandoned);
    span.record("report", end.as_str());
    if let (Outcome::Failure(failure), ReportEnd::Confirmed) = (&outcome, end) {
        shared.remember_failure(&context.task_id, failure.retry_timeout.unwrap_or_default());
    }
    tracing::debug!(outcome = outcome.kind(), report = end.as_str(), "task done");
}

/// The retries the task's activity asks for in its extension properties; a property that
/// cannot be read is logged, and the worker's policy applies.
fn retries_from_properties(task: &Task, context: &TaskContext) -> Option<PropertyRetries> {
    let properties = task.extension_properties()?;
    match PropertyRetries::from_properties(properties) {
        Ok(retries) => retries,
        Err(problem) => {
            task_event!(
                warn,
                context,
                problem,
                "ignoring the activity's retry properties; the worker's retry policy applies"
            );
            None
        }
    }
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
            Some(Outcome::failure(format!("handler panicked: {message}")).into())
        }
        HandlerEnd::TimedOut(limit) => {
            metrics.inc(|c| &c.handlers_timed_out);
            let message = format!("handler exceeded {} s", limit.as_secs_f64());
            task_event!(
                error,
                context,
                limit_s = limit.as_secs_f64(),
                "handler ran past its time limit; cancelled, reporting a failure"
            );
            Some(
                Outcome::failure(message)
                    .details(
                        "The worker stopped waiting for the handler after its \
                         max_handler_duration and stopped extending the task's lock.",
                    )
                    .into(),
            )
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
    Outcome::failure(error.to_string()).details(details).into()
}

pub(super) fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a non-string panic payload".to_owned()
    }
}
