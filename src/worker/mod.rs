//! A high-level external-task worker: subscribe handlers to topics, and the worker fetches and
//! locks tasks, runs the handlers on a bounded pool, keeps their locks alive and reports their
//! results, retrying what can be retried and never reporting a result twice.
//!
//! ```no_run
//! use camunda7_client::{worker::{Outcome, Task, Worker}, BoxError, Client};
//!
//! async fn charge(task: Task) -> Result<Outcome, BoxError> {
//!     let amount: i64 = task.variables().get("amount")?;
//!     Ok(Outcome::complete().variable("receipt", format!("charged {amount}")).into())
//! }
//!
//! #[tokio::main]
//! async fn main() -> Result<(), BoxError> {
//!     let client = Client::new("http://localhost:8080/engine-rest")?;
//!     let worker = Worker::builder(client).subscribe("charge-card", charge).build()?;
//!     worker.run_until(async { tokio::signal::ctrl_c().await.ok(); }).await;
//!     Ok(())
//! }
//! ```
//!
//! How it works:
//! - One fetch loop feeds a pool of at most [`max_concurrent_handlers`] running handlers. Each
//!   poll asks for `min(max_tasks, free slots)` tasks and waits for a free slot when there is
//!   none, so it never locks a task it cannot start at once.
//! - Long polling is on by default (30 s). Fetch errors back off exponentially with jitter
//!   (capped at 5 s by default, so a recovering engine is picked up promptly); empty polls have
//!   their own [`Backoff`].
//! - Each task is handled in a job of its own, a Tokio task: an `Err` or a panic becomes a
//!   failure report under the [`RetryPolicy`]; a panic never stops the worker. A handler's slot
//!   is free again as soon as the handler returns, so the next fetch goes out while its result
//!   is being reported (the engine's round trips overlap instead of adding up); at most
//!   [`max_concurrent_handlers`] reports are pending at once, and a full set of them holds the
//!   next handler's slot back. On a
//!   multi-thread runtime the handler is spawned apart from its lock extension, so a handler
//!   that blocks its thread does not hold up the extension; on a current-thread runtime, where
//!   nothing could run beside it anyway, the fetch loop polls the handler once itself, and a
//!   handler that is not done at that first poll goes on inside its task's job. A handler done
//!   at once so frees its slot before the loop asks for the next one, and its report is handed
//!   to the HTTP client before the next fetch.
//! - While a handler runs longer than a fraction (default ½) of its lock, the lock is extended.
//! - Results are reported once, and every answer the engine gives is read the same way, in
//!   one place (the table below). A report is retried while the engine may still take it —
//!   the engine checks who holds the lock, not whether it ran out — for at most the
//!   [`report_timeout`]; it is dropped early only when the task is known to be locked by
//!   another worker or gone, and giving up is never silent.
//! - The local lock clock starts when a task is received (with long polling the engine may
//!   lock it long after the poll went out). A handler may run for at most its
//!   [`max_handler_duration`]; then its lock is no longer extended and a failure "handler
//!   exceeded …" is reported. [`Task::cancelled`] tells a handler that its work is no longer
//!   wanted: the lock was lost, the task is gone, the time limit passed, or a shutdown aborts.
//! - A fetched task the worker cannot read does not fail the others: it gets a failure report
//!   naming the field. Dates the worker does not need are read leniently.
//!
//! # What each answer means
//!
//! | answer | meaning | what the worker does |
//! |---|---|---|
//! | `400` "… It is locked by worker '…'" (or an expired lock, on extendLock) | lock lost | drop the result, warn, count `reports_lock_lost`; the handler's [`Task::cancelled`] fires |
//! | `400` `ENGINE-03043` (suspended) | the lock is still ours; the engine refuses for now | keep the result, retry with backoff until the report timeout; count `report_suspended_retries` |
//! | `400` other (a refused variable, bad input) on complete / bpmnError | the result can never be accepted | report a **failure** carrying the engine's message (retries count down, an incident appears); count `results_refused` |
//! | `400` on a failure report with variables | its variables were refused | report it again without them |
//! | `404` | the task is gone (cancelled, deleted) — or already applied by an earlier attempt whose answer was lost | drop (`reports_not_found`), or count as presumably applied (`reports_presumed_applied`) |
//! | `500` code 1 (optimistic locking) or 10000 (deadlock), a full long-poll queue | transient, not applied | retry with backoff (`report_retries`) |
//! | `500` other on complete / bpmnError / failure ("could not be resumed") | the process refused the result | report a failure with the engine's type and message (`results_refused`) |
//! | `401`, an [`AuthProvider`](crate::AuthProvider) error | credentials | ask the provider again, retry with backoff until the report timeout (`report_credential_retries`) |
//! | connect error | transient, not applied | retry |
//! | timeout, a broken connection, `502` / `503` / `504`, a `500` without the engine's body | transient; the request may have been applied | retry; a later `404` counts as presumably applied |
//! | `403`, `501`, anything else | retrying cannot fix it | give up, logged at error (`reports_abandoned`) |
//!
//! Fetch errors are all retried with the [`fetch_error_backoff`]; the table decides only how
//! loudly (a `404` without an engine body hints at a base URL missing `/engine-rest`). A failed
//! lock extension is retried while the lock holds, spread over the time left; a lost lock or a
//! vanished task pauses lock keeping until the lock is renewed (by [`Task::extend_lock`], or by
//! a fetch that locked the task for this worker again).
//!
//! # Retries from the process model
//!
//! An activity can set its own retries in its extension properties (`camunda:properties` in
//! the BPMN model), read when its subscription asks for them
//! ([`Subscription::include_extension_properties`]); they override the worker's
//! [`RetryPolicy`] for its tasks:
//!
//! | property | value | meaning |
//! |---|---|---|
//! | `retries` | `3` | the first failure leaves 3 retries (timeouts from `retryTimeouts`, or the policy) |
//! | `retries` | `R3/PT5M` | 3 retries, 5 minutes apart (Camunda's `failedJobRetryTimeCycle` form) |
//! | `retryTimeouts` | `PT1M,PT5M,PT10M` | the retry timeout after the 1st, 2nd, 3rd… failure (the last repeats); without `retries`, as many retries as timeouts |
//!
//! Durations are ISO-8601 (`PT30S`, `PT1H30M`, `P1D`); years and months are refused. A value
//! that cannot be read is logged with the task and the worker's policy applies.
//!
//! # Shutdown
//!
//! [`ShutdownHandle::shutdown`] (or the signal given to [`Worker::run_until`]) cancels the
//! in-flight long poll at once, stops fetching, and lets running handlers finish and report
//! within [`shutdown_timeout`]; a second signal or the deadline aborts them (their
//! [`Task::cancelled`] fires; their tasks stay locked until the lock expires, and are listed in
//! [`Summary::aborted_tasks`]). Tasks the engine locked for a cancelled long poll are looked up
//! (`GET /external-task?workerId=…&locked=true`) and unlocked before `run` returns; so is a
//! fetched task of a topic without a handler, at once.
//!
//! # Observing it
//!
//! `tracing` spans: `worker` (worker id), `poll` per fetch, `task` per task (topic, task id,
//! outcome, report); every warn and error event about a task also carries `worker_id`, `topic`
//! and `task_id` as fields of its own, so they show with `RUST_LOG=warn`. Counters, one per
//! row of the table, in [`Metrics`].
//!
//! [`max_concurrent_handlers`]: WorkerBuilder::max_concurrent_handlers
//! [`shutdown_timeout`]: WorkerBuilder::shutdown_timeout
//! [`report_timeout`]: WorkerBuilder::report_timeout
//! [`max_handler_duration`]: WorkerBuilder::max_handler_duration
//! [`fetch_error_backoff`]: WorkerBuilder::fetch_error_backoff

/// A `tracing` event that names its task: worker id, topic and task id as fields of their own,
/// so they show at every level (the `task` span is only kept at INFO).
macro_rules! task_event {
    ($level:ident, $context:expr, $($rest:tt)+) => {
        tracing::$level!(
            worker_id = %$context.worker_id,
            topic = %$context.topic,
            task_id = %$context.task_id,
            $($rest)+
        )
    };
}

// Configuration: the builder, and the bounds every setting is checked against.
mod builder;
mod config;
mod control;
// What a handler sees and returns, and the per-topic options.
mod handler;
pub mod outcome;
mod subscription;
// The running worker: the fetch loop, its slots, starting jobs, and stopping.
mod dispatch;
mod fetch_loop;
mod pool;
mod shutdown;
// One task's job: running the handler, keeping its lock, reporting its result.
mod execute;
mod job;
mod lock;
mod report;
// What every answer of the engine means (the table above), and backoff.
mod decision;
mod retry;
// The worker's own requests and their JSON; its counters.
mod engine;
mod metrics;
mod wire;

pub use builder::{SortOrder, WorkerBuilder};
pub use control::WorkerControl;
pub use fetch_loop::Worker;
pub use handler::{CancelReason, Handler, HandlerFuture, Task, TaskBuilder};
pub use metrics::{Metrics, MetricsSnapshot};
pub use outcome::{BpmnError, Complete, Failure, Outcome};
pub use report::RefusedResults;
pub use retry::{Backoff, BackoffStrategy, ErrorAwareBackoff, RetryPolicy};
pub use shutdown::{ShutdownHandle, Summary};
pub use subscription::Subscription;
pub use wire::LockedTask;

/// The worker's maps, keyed by task id or topic name: foldhash (randomly seeded) instead of
/// SipHash, as every task is looked up and inserted on the hot path.
type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;
