//! Counters a running worker keeps, readable at any time.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

macro_rules! counters {
    ($( $(#[$doc:meta])* $name:ident ),* $(,)?) => {
        #[derive(Debug, Default)]
        pub(crate) struct Counters {
            $( pub(crate) $name: AtomicU64, )*
        }

        /// A point-in-time copy of a worker's counters (see [`Metrics::snapshot`]).
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
        #[non_exhaustive]
        pub struct MetricsSnapshot {
            $( $(#[$doc])* pub $name: u64, )*
        }

        impl Counters {
            fn snapshot(&self) -> MetricsSnapshot {
                MetricsSnapshot {
                    $( $name: self.$name.load(Ordering::Relaxed), )*
                }
            }
        }
    };
}

counters! {
    /// Fetch-and-lock requests sent (long polls included).
    polls,
    /// Fetch-and-lock requests that returned no task.
    empty_polls,
    /// Fetch-and-lock requests that failed (the worker backed off and tried again).
    fetch_errors,
    /// Tasks received from fetch-and-lock.
    fetched,
    /// Handlers started.
    handlers_started,
    /// Tasks the engine confirmed as completed.
    completed,
    /// Failure reports the engine confirmed (from a handler's `Outcome::failure`, a handler
    /// error or a panic).
    failed,
    /// BPMN errors the engine confirmed.
    bpmn_errors,
    /// Handlers that returned an error (reported as failures under the retry policy).
    handler_errors,
    /// Handlers that panicked (reported as failures under the retry policy).
    handler_panics,
    /// Successful lock extensions, automatic or requested by a handler.
    lock_extensions,
    /// Lock extensions the engine refused or that could not be sent.
    lock_extension_failures,
    /// Report attempts repeated after a transient failure (connect, timeout, 5xx).
    report_retries,
    /// Reports answered `404` after an earlier attempt of the same report may have reached the
    /// engine (a dropped connection, a timeout): most likely applied by that attempt.
    reports_presumed_applied,
    /// Reports answered `404` at the first attempt: the task no longer exists (deleted,
    /// cancelled, or completed by someone else).
    reports_not_found,
    /// Reports answered `400` because the lock is held by another worker (it expired and the
    /// task was fetched again) or by nobody; dropped.
    reports_lock_lost,
    /// Reports given up for another reason: an answer retrying cannot fix, or no success within
    /// the report timeout.
    reports_abandoned,
    /// Report attempts repeated because the task is suspended (the lock is still ours).
    report_suspended_retries,
    /// Report attempts repeated after a `401` or a failed auth provider.
    report_credential_retries,
    /// Results the engine refused for good (a variable it cannot convert, a process that
    /// cannot continue): a failure with the engine's reason was reported in their place.
    results_refused,
    /// Handlers that ran past their `max_handler_duration` (a failure was reported for them).
    handlers_timed_out,
    /// Fetched tasks the worker could not read (a failure naming the field was reported).
    undecodable_tasks,
    /// Tasks given back to the engine: by a handler's `Outcome::unlock()`, or unhandled (of a
    /// topic without a handler, or locked by a long poll that the shutdown cancelled).
    tasks_unlocked,
    /// Jobs that panicked outside the handler (the task was unlocked).
    job_panics,
    /// Fetched tasks that were already being handled by this worker (their lock had expired and
    /// the worker locked them again); not started twice.
    duplicates_skipped,
}

/// Live counters of a [`Worker`](super::Worker); cheap to clone and readable at any time, also
/// while the worker runs.
#[derive(Debug, Clone, Default)]
pub struct Metrics {
    pub(crate) counters: Arc<Counters>,
}

impl Metrics {
    /// The current values.
    pub fn snapshot(&self) -> MetricsSnapshot {
        self.counters.snapshot()
    }

    pub(crate) fn add(&self, counter: impl Fn(&Counters) -> &AtomicU64, n: u64) {
        counter(&self.counters).fetch_add(n, Ordering::Relaxed);
    }

    pub(crate) fn inc(&self, counter: impl Fn(&Counters) -> &AtomicU64) {
        self.add(counter, 1);
    }
}

impl MetricsSnapshot {
    /// Tasks whose result the engine confirmed: completed, failed or BPMN error.
    pub fn reported(&self) -> u64 {
        self.completed + self.failed + self.bpmn_errors
    }
}
