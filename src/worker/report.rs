//! Sending a handler's result to the engine: transient failures are retried while the lock is
//! held; a lost lock (400) or a vanished task (404) ends the attempt. One result per task.

use std::time::Duration;

use tokio::time::Instant;

use crate::Error;

use super::handler::{Outcome, TaskContext};
use super::retry::{Backoff, RetryPolicy};

/// How a report ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ReportEnd {
    /// The engine confirmed it.
    Confirmed,
    /// 404 after an earlier attempt may have reached the engine.
    PresumedApplied,
    /// 404 at the first attempt.
    NotFound,
    /// 400: the lock is not (or no longer) ours.
    LockLost,
    /// Permanent error, or transient errors until the lock expired.
    Abandoned,
}

impl ReportEnd {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            ReportEnd::Confirmed => "confirmed",
            ReportEnd::PresumedApplied => "presumed_applied",
            ReportEnd::NotFound => "not_found",
            ReportEnd::LockLost => "lock_lost",
            ReportEnd::Abandoned => "abandoned",
        }
    }
}

/// A failure outcome with retries and retry timeout filled in from the policy.
pub(crate) fn resolve_failure(
    outcome: Outcome,
    policy: &RetryPolicy,
    task_retries: Option<i32>,
) -> Outcome {
    match outcome {
        Outcome::Failure {
            message,
            details,
            retries,
            retry_timeout,
            variables,
            local_variables,
        } => {
            let (policy_retries, policy_timeout) = policy.next(task_retries);
            Outcome::Failure {
                message,
                details,
                retries: Some(retries.unwrap_or(policy_retries)),
                retry_timeout: Some(retry_timeout.unwrap_or(policy_timeout)),
                variables,
                local_variables,
            }
        }
        other => other,
    }
}

async fn send(context: &TaskContext, task_id: &str, outcome: &Outcome) -> Result<(), Error> {
    let client = &context.client;
    let worker_id = &context.worker_id;
    // Borrowed: a retried report sends the same outcome again, and nothing here needs a copy.
    match outcome {
        Outcome::Complete {
            variables,
            local_variables,
        } => {
            super::engine::complete(
                client,
                task_id,
                worker_id,
                variables.as_ref(),
                local_variables.as_ref(),
            )
            .await
        }
        Outcome::Failure {
            message,
            details,
            retries,
            retry_timeout,
            variables,
            local_variables,
        } => {
            super::engine::failure(
                client,
                task_id,
                worker_id,
                message,
                details.as_deref(),
                retries.unwrap_or(0),
                retry_timeout.unwrap_or(Duration::ZERO),
                variables.as_ref(),
                local_variables.as_ref(),
            )
            .await
        }
        Outcome::BpmnError {
            code,
            message,
            variables,
        } => {
            super::engine::bpmn_error(
                client,
                task_id,
                worker_id,
                code,
                message.as_deref(),
                variables.as_ref(),
            )
            .await
        }
    }
}

/// Whether the request may have reached the engine although no answer came back.
fn ambiguous(error: &Error) -> bool {
    error.status().is_none() && error.is_transient()
}

/// Reports `outcome` for `task_id`, retrying transient failures with `backoff` while the lock
/// is still held (there is always at least one attempt: the engine accepts a result after the
/// lock expired as long as nobody else locked the task).
pub(crate) async fn report(
    context: &TaskContext,
    task_id: &str,
    outcome: &Outcome,
    backoff: &Backoff,
) -> ReportEnd {
    let metrics = &context.metrics;
    let mut attempts = 0u32;
    let mut maybe_applied = false;
    loop {
        attempts += 1;
        let result = send(context, task_id, outcome).await;
        let error = match result {
            Ok(()) => {
                match outcome {
                    Outcome::Complete { .. } => metrics.inc(|c| &c.completed),
                    Outcome::Failure { .. } => metrics.inc(|c| &c.failed),
                    Outcome::BpmnError { .. } => metrics.inc(|c| &c.bpmn_errors),
                }
                return ReportEnd::Confirmed;
            }
            Err(e) => e,
        };
        match error.status().map(|s| s.as_u16()) {
            Some(404) if maybe_applied => {
                tracing::info!(task_id, attempts, "task gone after an unanswered attempt; the earlier attempt most likely applied the result");
                metrics.inc(|c| &c.reports_presumed_applied);
                return ReportEnd::PresumedApplied;
            }
            Some(404) => {
                tracing::warn!(task_id, error = %error, "task no longer exists; result dropped");
                metrics.inc(|c| &c.reports_not_found);
                return ReportEnd::NotFound;
            }
            Some(400) => {
                tracing::warn!(task_id, error = %error, "result refused (lock lost); dropped");
                metrics.inc(|c| &c.reports_lock_lost);
                return ReportEnd::LockLost;
            }
            _ => {}
        }
        if !error.is_transient() {
            tracing::error!(task_id, error = %error, "cannot report the result; dropped");
            metrics.inc(|c| &c.reports_abandoned);
            return ReportEnd::Abandoned;
        }
        maybe_applied |= ambiguous(&error);
        let remaining = context.lock.remaining();
        if remaining.is_zero() {
            tracing::warn!(task_id, attempts, error = %error, "lock expired while retrying the report; dropped");
            metrics.inc(|c| &c.reports_abandoned);
            return ReportEnd::Abandoned;
        }
        let delay = backoff.delay(attempts).min(remaining);
        tracing::debug!(task_id, attempts, error = %error, delay_ms = delay.as_millis() as u64, "report failed; retrying");
        metrics.inc(|c| &c.report_retries);
        let deadline = Instant::now() + delay;
        tokio::time::sleep_until(deadline).await;
    }
}
