//! The lock a worker holds on a task: where it stands, explicit extension, and the automatic
//! extension that runs alongside a handler.

use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::Notify;
use tokio::time::Instant;

use crate::Error;

use super::handler::TaskContext;
use super::retry::Backoff;

/// This worker's view of a task's lock: since when (the moment the lock was requested, which
/// is never later than the engine's) and for how long.
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

    /// When the lock expires (as far as this worker knows).
    pub(crate) fn expires_at(&self) -> Instant {
        let l = self.get();
        l.since + l.duration
    }

    /// How long the lock is still held.
    pub(crate) fn remaining(&self) -> Duration {
        self.expires_at().saturating_duration_since(Instant::now())
    }

    /// Records a lock (re)acquired or extended: requested at `since`, for `duration`.
    pub(crate) fn renewed(&self, since: Instant, duration: Duration) {
        {
            let mut l = self.guard();
            // A slower response to an older request must not move the lock backwards.
            if since + duration >= l.since + l.duration {
                l.since = since;
                l.duration = duration;
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

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis())
        .unwrap_or(i64::MAX)
        .max(1)
}

/// Extends the lock of `task_id` to `duration` from now and records it.
pub(crate) async fn extend(
    context: &TaskContext,
    task_id: &str,
    duration: Duration,
) -> Result<(), Error> {
    let started = Instant::now();
    let result = super::engine::extend_lock(
        &context.client,
        task_id,
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
            if matches!(e.status().map(|s| s.as_u16()), Some(400) | Some(404)) {
                context.lock.mark_lost();
            }
        }
    }
    result
}

/// Keeps the lock of a running handler: once `fraction` of the lock duration has passed, it
/// extends the lock by the current duration again. Transient errors are retried while the lock
/// is still held; a refusal (400/404) or an expired lock ends the extension. Never returns on
/// its own; the caller drops it when the handler ends.
pub(crate) async fn keep_alive(context: &TaskContext, task_id: &str, fraction: f64) {
    let retry = Backoff::exponential(Duration::from_millis(50), Duration::from_secs(2));
    let mut failures = 0u32;
    loop {
        let state = context.lock.get();
        if state.lost {
            std::future::pending::<()>().await;
        }
        let due = if failures == 0 {
            state.since + state.duration.mul_f64(fraction)
        } else {
            Instant::now() + retry.delay(failures).min(context.lock.remaining() / 2)
        };
        tokio::select! {
            _ = tokio::time::sleep_until(due) => {}
            _ = context.lock.changed.notified() => continue,
        }
        match extend(context, task_id, state.duration).await {
            Ok(()) => {
                failures = 0;
                tracing::debug!(
                    task_id,
                    duration_ms = millis(state.duration),
                    "lock extended"
                );
            }
            Err(e) if e.is_transient() && context.lock.remaining() > Duration::ZERO => {
                failures = failures.saturating_add(1);
                tracing::debug!(task_id, error = %e, "lock extension failed; retrying");
            }
            Err(e) => {
                tracing::warn!(task_id, error = %e, "cannot extend the lock; the task may be fetched by another worker");
                context.lock.mark_lost();
            }
        }
    }
}
