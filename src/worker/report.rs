//! Sending a handler's result to the engine, acting on what each answer means
//! ([`super::decision`]): retried while the engine may still take it, turned into a failure
//! report when the engine refuses it, dropped only when the task is known to be re-locked or
//! gone, or after the report timeout. One result per task.

use std::borrow::Cow;
use std::time::Duration;

use tokio::time::Instant;

use crate::Error;

use super::decision::{decide, Decision, RequestKind};
use super::handler::TaskContext;
use super::outcome::{BpmnError, Complete, Failure, Outcome};
use super::retry::{BackoffStrategy, PropertyRetries, RetryPolicy};

/// How a report ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ReportEnd {
    /// The engine confirmed it.
    Confirmed,
    /// The engine refused the result, and confirmed the failure reported in its place.
    RefusedReportedAsFailure,
    /// 404 after an earlier attempt may have reached the engine.
    PresumedApplied,
    /// 404 with no earlier attempt that may have reached the engine.
    NotFound,
    /// 400: the lock is not (or no longer) ours.
    LockLost,
    /// Given up: an answer retrying cannot fix, or no success within the report timeout.
    Abandoned,
}

impl ReportEnd {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            ReportEnd::Confirmed => "confirmed",
            ReportEnd::RefusedReportedAsFailure => "refused_reported_as_failure",
            ReportEnd::PresumedApplied => "presumed_applied",
            ReportEnd::NotFound => "not_found",
            ReportEnd::LockLost => "lock_lost",
            ReportEnd::Abandoned => "abandoned",
        }
    }
}

/// How the worker reports results.
#[derive(Debug, Clone)]
pub(crate) struct ReportSettings {
    /// Wait between attempts after an answer worth retrying.
    pub(crate) backoff: std::sync::Arc<dyn BackoffStrategy>,
    /// Give up once this long has passed since the first attempt without an answer that ends
    /// the report.
    pub(crate) timeout: Duration,
    /// Retries and retry timeout for a failure report (also one made from a refused result).
    pub(crate) retry_policy: RetryPolicy,
    /// What a result the engine refused becomes.
    pub(crate) refused: RefusedResults,
}

/// What the worker reports in place of a result the engine refused for good: a completion
/// or BPMN error with a variable it cannot convert, a process that cannot be resumed (see the
/// answer table in the [`worker`](super) module docs). Set with
/// [`WorkerBuilder::refused_results`](super::WorkerBuilder::refused_results).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum RefusedResults {
    /// A failure carrying the engine's reason, with retries and retry timeout from the
    /// worker's [`RetryPolicy`]: the handler runs again until the retries are used up, then an
    /// incident shows the reason (the default; a refusal that a new run can get past, such as
    /// a listener failing for a moment, then heals by itself).
    #[default]
    FailureWithRetries,
    /// A failure carrying the engine's reason with no retries left: an incident at once, for
    /// teams that treat every refusal as a modelling or data error for a person to look at.
    Incident,
}

/// What a job is reporting, so that the fetch loop can tell a new delivery of the task from a
/// lock this worker still holds: after a failure the engine hands the task out again once the
/// retry timeout is over, showing the reported retries and message (while the job may still be
/// retrying an attempt whose answer was lost); after an unlock, at once.
#[derive(Debug, Default)]
pub(crate) struct PendingFailure {
    reported: std::sync::Mutex<Option<(i32, String)>>,
    unlocking: std::sync::atomic::AtomicBool,
    applied: tokio_util::sync::CancellationToken,
}

impl PendingFailure {
    fn guard(&self) -> std::sync::MutexGuard<'_, Option<(i32, String)>> {
        self.reported.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn set(&self, outcome: &Outcome) {
        self.unlocking.store(
            matches!(outcome, Outcome::Unlock),
            std::sync::atomic::Ordering::Release,
        );
        *self.guard() = match outcome {
            Outcome::Failure(Failure {
                retries: Some(retries),
                message,
                ..
            }) => Some((*retries, message.clone())),
            _ => None,
        };
    }

    /// Whether `task`, just fetched again, is a new delivery: it shows the failure being
    /// reported as applied, or the job is giving the task back.
    pub(crate) fn applied_as(&self, task: &super::LockedTask) -> bool {
        if self.unlocking.load(std::sync::atomic::Ordering::Acquire) {
            return true;
        }
        let guard = self.guard();
        let Some((retries, message)) = guard.as_ref() else {
            return false;
        };
        shows_failure(
            task.retries,
            task.error_message.as_deref(),
            *retries,
            message,
        )
    }

    pub(crate) fn mark_applied(&self) {
        self.applied.cancel();
    }
}

/// Whether a task with `retries` and `stored` as its error message shows the failure
/// (`reported_retries`, `message`) as applied. The engine keeps the first 666 characters of a
/// message.
fn shows_failure(
    retries: Option<i32>,
    stored: Option<&str>,
    reported_retries: i32,
    message: &str,
) -> bool {
    retries == Some(reported_retries)
        && stored.is_some_and(|stored| !stored.is_empty() && message.starts_with(stored))
}

/// What looking up a failure's task says about an earlier attempt whose answer was lost.
enum Lookup {
    /// The task shows the failure (or is gone): the attempt was applied.
    Applied,
    /// The task does not show it: send the failure again.
    NotApplied,
    /// The lookup itself failed: try it again later.
    Unknown,
}

/// After an attempt whose answer was lost, whether the failure it carried was applied: the
/// task then shows its retries and message, and is still held by this worker (a failure keeps
/// the worker's id on the task during the retry timeout). A failure is not idempotent in the
/// engine (its retry timeout starts again, its incident may be raised twice), so it is looked
/// up before it is sent again.
async fn lookup_failure(context: &TaskContext, retries: i32, message: &str) -> Lookup {
    let state = match context.client() {
        Ok(client) => super::engine::task_state(client, &context.task_id).await,
        Err(error) => Err(error),
    };
    match state {
        Ok(state) => {
            let shown = state.worker_id.as_deref() == Some(&*context.worker_id)
                && shows_failure(
                    state.retries,
                    state.error_message.as_deref(),
                    retries,
                    message,
                );
            if shown {
                Lookup::Applied
            } else {
                Lookup::NotApplied
            }
        }
        Err(error) if decide(RequestKind::Failure, &error) == Decision::Gone => Lookup::Applied,
        Err(_) => Lookup::Unknown,
    }
}

/// What a task's failure reports count from: the retries the engine gave with the task, and
/// the retries its activity asks for in its extension properties, if any.
#[derive(Debug, Clone, Default)]
pub(crate) struct RetryState {
    pub(crate) current: Option<i32>,
    pub(crate) properties: Option<PropertyRetries>,
}

impl RetryState {
    /// The retries and retry timeout for the next failure report.
    fn next(&self, policy: &RetryPolicy) -> (i32, Duration) {
        match &self.properties {
            Some(properties) => properties.next(self.current, policy),
            None => policy.next(self.current),
        }
    }
}

/// A failure outcome with retries and retry timeout filled in from the task's extension
/// properties or else the policy.
pub(crate) fn resolve_failure(
    outcome: Outcome,
    policy: &RetryPolicy,
    state: &RetryState,
) -> Outcome {
    match outcome {
        Outcome::Failure(mut failure) => {
            let (policy_retries, policy_timeout) = state.next(policy);
            failure.retries.get_or_insert(policy_retries);
            failure.retry_timeout.get_or_insert(policy_timeout);
            Outcome::Failure(failure)
        }
        other => other,
    }
}

fn kind_of(outcome: &Outcome) -> RequestKind {
    match outcome {
        Outcome::Complete(_) => RequestKind::Complete,
        Outcome::Failure(_) => RequestKind::Failure,
        Outcome::BpmnError(_) => RequestKind::BpmnError,
        Outcome::Unlock => RequestKind::Unlock,
    }
}

async fn send(context: &TaskContext, outcome: &Outcome) -> Result<(), Error> {
    let client = context.client()?;
    let worker_id = &context.worker_id;
    let task_id = &*context.task_id;
    // Borrowed: a retried report sends the same outcome again, and nothing here needs a copy.
    match outcome {
        Outcome::Complete(Complete {
            variables,
            local_variables,
        }) => {
            super::engine::complete(
                client,
                task_id,
                worker_id,
                variables.as_ref(),
                local_variables.as_ref(),
            )
            .await
        }
        Outcome::Failure(Failure {
            message,
            details,
            retries,
            retry_timeout,
            variables,
            local_variables,
        }) => {
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
        Outcome::BpmnError(BpmnError {
            code,
            message,
            variables,
        }) => {
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
        Outcome::Unlock => super::engine::unlock(client, task_id).await,
    }
}

/// The failure reported in place of a result the engine refused: the engine's own words, so
/// the task's retries count down and an incident shows them once none are left.
fn failure_for_refused(
    refused: &Outcome,
    error_type: Option<&str>,
    message: &str,
    settings: &ReportSettings,
    state: &RetryState,
) -> Outcome {
    let what = match refused {
        Outcome::Complete(_) => "completion",
        Outcome::BpmnError(_) => "BPMN error",
        Outcome::Failure(_) => "failure report",
        Outcome::Unlock => "unlock",
    };
    let reason = match error_type {
        Some(kind) => format!("{kind}: {message}"),
        None => message.to_owned(),
    };
    let outcome =
        Outcome::failure(format!("the engine refused the {what}: {reason}")).details(format!(
            "The handler's result was not accepted by the engine and was replaced by this \
             failure report.\nrefused: {what}\nengine answer: {reason}"
        ));
    let outcome = match settings.refused {
        RefusedResults::FailureWithRetries => outcome,
        RefusedResults::Incident => outcome.retries(0),
    };
    resolve_failure(outcome.into(), &settings.retry_policy, state)
}

/// Reports `outcome` for the context's task and acts on every answer as [`decide`] says.
///
/// There is always at least one attempt. The local lock clock does not stop the retries: the
/// engine takes a result after the lock ran out as long as nobody else locked the task, and
/// says so (400) when someone did.
///
/// With `pending`, a failure being reported is published to the fetch loop, which signals when
/// the task came back showing it applied; the report then ends as presumably applied.
pub(crate) async fn report(
    context: &TaskContext,
    outcome: &Outcome,
    settings: &ReportSettings,
    state: &RetryState,
    pending: Option<&PendingFailure>,
) -> ReportEnd {
    let metrics = &context.metrics;
    let started = Instant::now();
    let mut outcome = Cow::Borrowed(outcome);
    let mut refused = false;
    let mut attempts = 0u32;
    let mut failures = 0u32;
    let mut maybe_applied = false;
    let presumed_applied = || {
        task_event!(
            info,
            context,
            "the task came back showing the failure applied; not reported again"
        );
        metrics.inc(|c| &c.reports_presumed_applied);
        ReportEnd::PresumedApplied
    };
    // Set after an attempt whose answer was lost: a failure is looked up before it is sent
    // again.
    let mut verify = false;
    loop {
        if let Some(pending) = pending {
            if pending.applied.is_cancelled() {
                return presumed_applied();
            }
            pending.set(&outcome);
        }
        if let (
            true,
            Outcome::Failure(Failure {
                retries: Some(retries),
                message,
                ..
            }),
        ) = (verify, &*outcome)
        {
            match lookup_failure(context, *retries, message).await {
                Lookup::Applied => return presumed_applied(),
                Lookup::NotApplied => verify = false,
                Lookup::Unknown => {
                    let elapsed = started.elapsed();
                    if elapsed >= settings.timeout {
                        task_event!(error, context, attempts, timeout_s = settings.timeout.as_secs(), "cannot tell whether the failure report got through within the report timeout; given up");
                        metrics.inc(|c| &c.reports_abandoned);
                        return ReportEnd::Abandoned;
                    }
                    failures = failures.saturating_add(1);
                    let delay = settings
                        .backoff
                        .delay(failures, None)
                        .min(settings.timeout - elapsed);
                    tokio::time::sleep(delay).await;
                    continue;
                }
            }
        }
        attempts += 1;
        let error = match send(context, &outcome).await {
            Ok(()) => {
                match &*outcome {
                    Outcome::Complete(_) => metrics.inc(|c| &c.completed),
                    Outcome::Failure(_) => metrics.inc(|c| &c.failed),
                    Outcome::BpmnError(_) => metrics.inc(|c| &c.bpmn_errors),
                    Outcome::Unlock => metrics.inc(|c| &c.tasks_unlocked),
                }
                return if refused {
                    ReportEnd::RefusedReportedAsFailure
                } else {
                    ReportEnd::Confirmed
                };
            }
            Err(e) => e,
        };
        let kind = kind_of(&outcome);
        match decide(kind, &error) {
            Decision::LockLost => {
                task_event!(warn, context, attempts, error = %error, "result refused: the lock is held by another worker (or nobody); dropped");
                metrics.inc(|c| &c.reports_lock_lost);
                return ReportEnd::LockLost;
            }
            Decision::Gone if maybe_applied => {
                task_event!(info, context, attempts, "task gone after an unanswered attempt; the earlier attempt most likely applied the result");
                metrics.inc(|c| &c.reports_presumed_applied);
                return ReportEnd::PresumedApplied;
            }
            Decision::Gone => {
                task_event!(warn, context, error = %error, "task no longer exists; result dropped");
                metrics.inc(|c| &c.reports_not_found);
                return ReportEnd::NotFound;
            }
            Decision::Refused {
                error_type,
                message,
            } => {
                let replacement = match &*outcome {
                    Outcome::Complete(_) | Outcome::BpmnError(_) => Some(failure_for_refused(
                        &outcome,
                        error_type.as_deref(),
                        &message,
                        settings,
                        state,
                    )),
                    // A failure whose variables were refused goes again without them (the
                    // engine converts variables first, so nothing of it was applied).
                    Outcome::Failure(failure)
                        if failure.variables.is_some() || failure.local_variables.is_some() =>
                    {
                        let mut bare = failure.clone();
                        bare.variables = None;
                        bare.local_variables = None;
                        let note = format!("\nthe failure's variables were refused: {message}");
                        bare.details.get_or_insert_with(String::new).push_str(&note);
                        Some(Outcome::Failure(bare))
                    }
                    // An unlock has nothing to refuse; a failure without variables nothing
                    // left to take away.
                    Outcome::Failure(_) | Outcome::Unlock => None,
                };
                match replacement {
                    Some(replacement) => {
                        task_event!(warn, context, error = %error, outcome = kind_of(&outcome).as_str(), "the engine refused the result; reporting a failure with its reason instead");
                        metrics.inc(|c| &c.results_refused);
                        outcome = Cow::Owned(replacement);
                        refused = true;
                        failures = 0;
                        continue;
                    }
                    None => {
                        task_event!(error, context, attempts, error = %error, "the engine refused the failure report; given up");
                        metrics.inc(|c| &c.reports_abandoned);
                        return ReportEnd::Abandoned;
                    }
                }
            }
            Decision::Permanent => {
                task_event!(error, context, attempts, error = %error, "cannot report the result (an answer retrying cannot fix); given up");
                metrics.inc(|c| &c.reports_abandoned);
                return ReportEnd::Abandoned;
            }
            decision @ (Decision::Transient { .. }
            | Decision::Suspended
            | Decision::Credentials) => {
                match decision {
                    Decision::Transient { maybe_applied: m } => {
                        maybe_applied |= m;
                        metrics.inc(|c| &c.report_retries);
                    }
                    Decision::Suspended => metrics.inc(|c| &c.report_suspended_retries),
                    _ => metrics.inc(|c| &c.report_credential_retries),
                }
                let elapsed = started.elapsed();
                if elapsed >= settings.timeout {
                    task_event!(error, context, attempts, error = %error, timeout_s = settings.timeout.as_secs(), "no report got through within the report timeout; given up (the task will be fetched again once its lock runs out)");
                    metrics.inc(|c| &c.reports_abandoned);
                    return ReportEnd::Abandoned;
                }
                failures = failures.saturating_add(1);
                let delay = settings
                    .backoff
                    .delay(failures, Some(&error))
                    .min(settings.timeout - elapsed);
                tracing::debug!(task_id = %context.task_id, attempts, error = %error, delay_ms = delay.as_millis() as u64, "report not taken yet; retrying");
                match pending {
                    Some(pending) => tokio::select! {
                        () = tokio::time::sleep(delay) => {}
                        () = pending.applied.cancelled() => return presumed_applied(),
                    },
                    None => tokio::time::sleep(delay).await,
                }
                if matches!(
                    decision,
                    Decision::Transient {
                        maybe_applied: true
                    }
                ) {
                    verify = true;
                }
            }
        }
    }
}
