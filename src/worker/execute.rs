//! Running a handler: inside its job on a current-thread runtime, as a Tokio task of its own
//! on a multi-thread one (so a handler that blocks its thread does not hold up the lock
//! keeper beside it), always within its time limit and with its lock kept.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

use futures_util::FutureExt;
use tokio::runtime::{Handle, RuntimeFlavor};
use tokio::task::JoinHandle;
use tracing::Instrument;

use crate::BoxError;

use super::handler::{CancelReason, Handler, Task, TaskContext};
use super::lock;
use super::outcome::Outcome;

/// How a handler ended.
pub(super) enum HandlerEnd {
    Returned(Result<Outcome, BoxError>),
    Panicked(Box<dyn std::any::Any + Send>),
    /// It ran past its time limit and was dropped.
    TimedOut(Duration),
    /// Its task was cancelled: only when the runtime shuts down.
    Cancelled,
}

/// Runs `handler` for `task` to its end, keeping the lock meanwhile (when `lock_extension` is
/// set), for at most `limit`.
pub(super) async fn execute(
    handler: &Arc<dyn Handler>,
    task: Task,
    context: &TaskContext,
    lock_extension: Option<f64>,
    limit: Duration,
) -> HandlerEnd {
    if Handle::current().runtime_flavor() == RuntimeFlavor::CurrentThread {
        // Nothing could run beside the handler on this thread anyway: it is polled in place,
        // which saves a task per handler. A panic, also one before its future exists, is
        // caught here as the spawned task's would be.
        let in_place = async {
            let future = std::panic::catch_unwind(AssertUnwindSafe(|| handler.call(task)))?;
            AssertUnwindSafe(future).catch_unwind().await
        };
        let end = in_place.map(|result| match result {
            Ok(returned) => HandlerEnd::Returned(returned),
            Err(payload) => HandlerEnd::Panicked(payload),
        });
        keep_locked_until_done(end, context, lock_extension, limit).await
    } else {
        let end = spawn_handler(handler.clone(), task);
        keep_locked_until_done(end, context, lock_extension, limit).await
    }
}

/// Aborts a spawned task when dropped (so aborting a job also aborts its handler).
struct AbortOnDrop<T>(JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Runs a handler as a Tokio task of its own, to its end. Dropping the future aborts the task.
async fn spawn_handler(handler: Arc<dyn Handler>, task: Task) -> HandlerEnd {
    let mut handle = AbortOnDrop(tokio::spawn(
        async move { handler.call(task).await }.instrument(tracing::Span::current()),
    ));
    match (&mut handle.0).await {
        Ok(result) => HandlerEnd::Returned(result),
        Err(join) if join.is_panic() => HandlerEnd::Panicked(join.into_panic()),
        Err(_) => HandlerEnd::Cancelled,
    }
}

/// Waits for a running handler, keeping its task's lock alive meanwhile (when configured), for
/// at most `limit`: then the handler is signalled and dropped, and its end is a time-out.
async fn keep_locked_until_done(
    handler: impl std::future::Future<Output = HandlerEnd>,
    context: &TaskContext,
    lock_extension: Option<f64>,
    limit: Duration,
) -> HandlerEnd {
    keep_locked(handler, context, lock_extension, Some(limit))
        .await
        .unwrap_or_else(|| {
            context.cancel.cancel(CancelReason::TimeLimit);
            HandlerEnd::TimedOut(limit)
        })
}

/// Runs `work` (a handler, or the report of its result) while keeping the task's lock alive
/// (when `lock_extension` is set), for at most `limit`; `None` when the limit passed first.
///
/// A report is kept locked too: an answer slower than the lock, or retries past it, must not
/// let another worker take the task meanwhile (its result would then be refused).
pub(super) async fn keep_locked<T>(
    work: impl std::future::Future<Output = T>,
    context: &TaskContext,
    lock_extension: Option<f64>,
    limit: Option<Duration>,
) -> Option<T> {
    let handler = work;
    tokio::pin!(handler);
    // A handler that is done at its first poll never needs the lock kept: the keeper (a timer
    // and an extendLock request) and the time limit are only made, and boxed so that they
    // take no room in every job, once the handler has to wait.
    if let Poll::Ready(end) =
        std::future::poll_fn(|cx| Poll::Ready(handler.as_mut().poll(cx))).await
    {
        return Some(end);
    }
    let time_limit = async {
        match limit {
            Some(limit) => tokio::time::sleep(limit).await,
            None => std::future::pending().await,
        }
    };
    tokio::pin!(time_limit);
    let keeper = async {
        match lock_extension {
            Some(fraction) => Box::pin(lock::keep_alive(context, fraction)).await,
            None => std::future::pending::<std::convert::Infallible>().await,
        }
    };
    tokio::pin!(keeper);
    tokio::select! {
        biased;
        end = &mut handler => Some(end),
        () = &mut time_limit => None,
        never = &mut keeper => match never {},
    }
}
