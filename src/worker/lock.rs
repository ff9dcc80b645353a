//! The lock a worker holds on a task: where it stands, explicit extension, and the automatic
//! extension that runs alongside a handler.

use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::Notify;
use tokio::time::Instant;

use crate::Error;

use super::decision::{decide, Decision, RequestKind};
use super::handler::{CancelReason, TaskContext};
use super::retry::Backoff;

/// This worker's view of a task's lock: since when (the moment the task was received, or an
/// extension was requested; never before the engine's) and for how long.
#[derive(Debug)]
pub(crate) struct LockState {
    inner: Mutex<LockInner>,
    changed: Notify,
}

#[derive(Debug, Clone, Copy)]
struct LockInner {
    since: Instant,
    duration: Duration,
    lost: bool,
}

impl LockInner {
    fn expires_at(&self) -> Instant {
        // Durations are checked when they are configured; should one still not fit, the lock
        // simply never expires as far as this worker knows.
        self.since
            .checked_add(self.duration)
            .unwrap_or_else(|| self.since + super::config::MAX_DURATION)
    }
}

impl LockState {
    pub(crate) fn new(since: Instant, duration: Duration) -> Self {
        LockState {
            inner: Mutex::new(LockInner {
                since,
                duration,
                lost: false,
            }),
            changed: Notify::new(),
        }
    }

    fn guard(&self) -> MutexGuard<'_, LockInner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn get(&self) -> LockInner {
        *self.guard()
    }

    /// How long the lock is still held.
    pub(crate) fn remaining(&self) -> Duration {
        self.get()
            .expires_at()
            .saturating_duration_since(Instant::now())
    }

    /// Whether the engine said the lock is no longer ours (and no renewal came since).
    #[cfg(test)]
    pub(crate) fn is_lost(&self) -> bool {
        self.get().lost
    }

    /// Records a lock (re)acquired or extended: requested at `since`, for `duration`.
    pub(crate) fn renewed(&self, since: Instant, duration: Duration) {
        {
            let mut l = self.guard();
            let candidate = LockInner {
                since,
                duration,
                lost: false,
            };
            // A slower response to an older request must not move the lock backwards.
            if l.lost || candidate.expires_at() >= l.expires_at() {
                *l = candidate;
            }
            l.lost = false;
        }
        self.changed.notify_one();
    }

    pub(crate) fn mark_lost(&self) {
        self.guard().lost = true;
        self.changed.notify_one();
    }
}

/// A duration in whole milliseconds for the engine (at least 1).
fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis())
        .unwrap_or(i64::MAX)
        .max(1)
}

/// Extends the context's task lock to `duration` from now and records it. A lost lock or a
/// vanished task also cancels the handler's [`Task::cancelled`](super::Task::cancelled).
pub(crate) async fn extend(context: &TaskContext, duration: Duration) -> Result<(), Error> {
    let started = Instant::now();
    let result = super::engine::extend_lock(
        context.client()?,
        &context.task_id,
        &context.worker_id,
        millis(duration),
    )
    .await;
    match &result {
        Ok(()) => {
            context.lock.renewed(started, duration);
            context.metrics.inc(|c| &c.lock_extensions);
        }
        Err(e) => {
            context.metrics.inc(|c| &c.lock_extension_failures);
            match decide(RequestKind::ExtendLock, e) {
                Decision::LockLost => {
                    context.lock.mark_lost();
                    context.cancel.cancel(CancelReason::LockLost);
                }
                Decision::Gone => {
                    context.lock.mark_lost();
                    context.cancel.cancel(CancelReason::TaskGone);
                }
                _ => {}
            }
        }
    }
    result
}

/// When to try a failed extension again: the backoff's delay, but never less than a twentieth
/// of the lock (at least 50 ms), so retries are spread over the time left instead of crowding
/// into its last moments; `None` once too little time is left for another attempt.
pub(crate) fn retry_delay(
    backoff: &Backoff,
    failures: u32,
    remaining: Duration,
    lock: Duration,
) -> Option<Duration> {
    let min_gap = (lock / 20).max(Duration::from_millis(50));
    // The last attempt goes out at least one gap before the lock runs out, a gap after the one
    // before it.
    if remaining < min_gap * 2 {
        return None;
    }
    Some(
        backoff
            .delay(failures)
            .max(min_gap)
            .min(remaining - min_gap),
    )
}

/// Keeps the lock of a running handler: once `fraction` of the lock duration has passed, it
/// extends the lock by the current duration again. Answers worth retrying are retried while
/// the lock holds, spread over the time left; a lost lock or a vanished task pauses the keeper
/// until the lock is renewed (by [`Task::extend_lock`](super::Task::extend_lock) or a fetch
/// that locked the task again). Never returns on its own; the caller drops it when the handler
/// ends.
pub(crate) async fn keep_alive(context: &TaskContext, fraction: f64) -> std::convert::Infallible {
    let retry = Backoff::exponential(Duration::from_millis(50), Duration::from_secs(2));
    let mut failures = 0u32;
    loop {
        let state = context.lock.get();
        // A lost lock waits for a renewal, and so does one that already ran out: the engine
        // refuses to extend an expired lock.
        let expired = state.expires_at() <= Instant::now();
        let due = if state.lost || expired {
            None
        } else if failures == 0 {
            Some(
                state
                    .since
                    .checked_add(state.duration.mul_f64(fraction))
                    .unwrap_or_else(|| state.expires_at()),
            )
        } else {
            match retry_delay(&retry, failures, context.lock.remaining(), state.duration) {
                Some(delay) => Some(Instant::now() + delay),
                None => {
                    // Too late for another attempt: the engine refuses to extend an expired
                    // lock. The result can still be reported while nobody else locks the task.
                    task_event!(warn, context, failures, "cannot extend the lock before it runs out; the task may be fetched by another worker");
                    failures = 0;
                    None
                }
            }
        };
        let Some(due) = due else {
            // Nothing to do until the lock is renewed.
            context.lock.changed.notified().await;
            continue;
        };
        tokio::select! {
            () = tokio::time::sleep_until(due) => {}
            () = context.lock.changed.notified() => continue,
        }
        match extend(context, state.duration).await {
            Ok(()) => {
                failures = 0;
                tracing::debug!(task_id = %context.task_id, duration_ms = millis(state.duration), "lock extended");
            }
            Err(e) => match decide(RequestKind::ExtendLock, &e) {
                // A suspended task's lock cannot be extended until it is activated again; the
                // lock is still ours meanwhile.
                Decision::Transient { .. } | Decision::Credentials | Decision::Suspended => {
                    failures = failures.saturating_add(1);
                    tracing::debug!(task_id = %context.task_id, error = %e, "lock extension failed; retrying");
                }
                Decision::LockLost | Decision::Gone => {
                    failures = 0;
                    task_event!(warn, context, error = %e, "the engine refused to extend the lock; the handler's result will likely be refused");
                }
                _ => {
                    failures = 0;
                    task_event!(warn, context, error = %e, "cannot extend the lock; the task may be fetched by another worker");
                    context.lock.mark_lost();
                }
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extension_retries_are_spread_over_the_lock_not_crowded_at_its_end() {
        let backoff = Backoff::exponential(Duration::from_millis(50), Duration::from_secs(2));
        let lock = Duration::from_secs(2);
        let min_gap = Duration::from_millis(100);
        let mut remaining = Duration::from_secs(1);
        let mut attempts = 0;
        let mut failures = 0;
        while let Some(delay) = retry_delay(&backoff, failures + 1, remaining, lock) {
            assert!(delay >= min_gap, "{delay:?} after {failures} failures");
            remaining -= delay;
            failures += 1;
            attempts += 1;
            assert!(attempts < 100, "retries never stop");
        }
        // 1 s left at the first failure, at least 100 ms apart: at most 10 attempts, and the
        // last one leaves time for its answer.
        assert!(attempts <= 10, "{attempts}");
        assert!(attempts >= 3, "{attempts}");
        assert!(remaining < min_gap * 2);
    }

    #[test]
    fn a_renewal_after_a_lost_lock_replaces_it() {
        let now = Instant::now();
        let lock = LockState::new(now, Duration::from_secs(10));
        lock.mark_lost();
        assert!(lock.is_lost());
        lock.renewed(now, Duration::from_secs(1));
        assert!(!lock.is_lost());
        assert!(lock.remaining() <= Duration::from_secs(1));
    }

    #[test]
    fn a_huge_duration_does_not_overflow() {
        let lock = LockState::new(Instant::now(), Duration::MAX);
        assert!(lock.remaining() > Duration::from_secs(3600));
        lock.renewed(Instant::now(), Duration::MAX);
        let backoff = Backoff::exponential(Duration::MAX, Duration::MAX);
        assert!(retry_delay(&backoff, 1, Duration::MAX, Duration::MAX).is_some());
    }
}
