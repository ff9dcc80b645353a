//! Counters a running worker keeps, readable at any time; with the `metrics` feature also
//! published through the [`metrics`](https://docs.rs/metrics) facade, as
//! `camunda7_worker_<counter>_total` with a `worker_id` label, so a Prometheus or
//! OpenTelemetry exporter a service already runs picks them up.

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

        /// The facade's counters, one per field of [`Counters`], registered on first use.
        #[cfg(feature = "metrics")]
        struct Exported {
            $( $name: metrics::Counter, )*
        }

        #[cfg(feature = "metrics")]
        impl Exported {
            fn register(worker_id: &Arc<str>) -> Self {
                Exported {
                    $( $name: metrics::counter!(
                        concat!("camunda7_worker_", stringify!($name), "_total"),
                        "worker_id" => worker_id.to_string()
                    ), )*
                }
            }

            /// The facade's counter for one of `counters`' fields.
            fn of(&self, counters: &Counters, counter: &AtomicU64) -> Option<&metrics::Counter> {
                $( if std::ptr::eq(counter, &counters.$name) {
                    return Some(&self.$name);
                } )*
                None
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
#[derive(Clone, Default)]
pub struct Metrics {
    pub(crate) counters: Arc<Counters>,
    #[cfg(feature = "metrics")]
    exported: Arc<Facade>,
}

/// The `metrics` facade's side: the worker id for the label, and the counters once registered.
#[cfg(feature = "metrics")]
#[derive(Default)]
struct Facade {
    worker_id: Arc<str>,
    counters: std::sync::OnceLock<Exported>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Metrics").field(&self.snapshot()).finish()
    }
}

impl Metrics {
    /// Counters for the worker `worker_id` (the label of the published counters).
    pub(crate) fn for_worker(worker_id: &Arc<str>) -> Self {
        #[cfg(not(feature = "metrics"))]
        let _ = worker_id;
        Metrics {
            counters: Arc::default(),
            #[cfg(feature = "metrics")]
            exported: Arc::new(Facade {
                worker_id: worker_id.clone(),
                counters: std::sync::OnceLock::new(),
            }),
        }
    }

    /// The current values.
    pub fn snapshot(&self) -> MetricsSnapshot {
        self.counters.snapshot()
    }

    pub(crate) fn add(&self, counter: impl Fn(&Counters) -> &AtomicU64, n: u64) {
        let counter = counter(&self.counters);
        counter.fetch_add(n, Ordering::Relaxed);
        #[cfg(feature = "metrics")]
        {
            // Registered at the first count, so a recorder installed after the worker was
            // built (but before it ran) still gets them.
            let facade = &self.exported;
            let exported = facade
                .counters
                .get_or_init(|| Exported::register(&facade.worker_id));
            if let Some(published) = exported.of(&self.counters, counter) {
                published.increment(n);
            }
        }
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
