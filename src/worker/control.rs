//! Steering a running worker: pause and resume fetching, subscribe and unsubscribe topics.
//!
//! The fetch loop is the only reader: it watches a version number, and when it changes it
//! takes the new topic set (and rebuilds its fetch-and-lock body) before its next fetch. A long
//! poll in flight when something changes is cancelled, and what the engine locked for it is
//! given back (see [`super::shutdown`]), so a paused worker fetches nothing and an
//! unsubscribed topic gets no new task. Handlers already running are not touched: they finish
//! and report as usual.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::watch;

use crate::Error;

use super::config::{check_duration, MIN_LOCK};
use super::fetch_loop::Entry;
use super::handler::Handler;
use super::subscription::Subscription;

/// A handle to steer a running [`Worker`](super::Worker); cheap to clone. Get one with
/// [`Worker::control`](super::Worker::control) before `run` takes the worker.
///
/// ```no_run
/// # use camunda7_client::{worker::{Outcome, Task, Worker}, BoxError, Client};
/// # async fn charge(_task: Task) -> Result<Outcome, BoxError> { Ok(Outcome::complete().into()) }
/// # async fn refund(_task: Task) -> Result<Outcome, BoxError> { Ok(Outcome::complete().into()) }
/// # async fn demo(client: Client) -> Result<(), BoxError> {
/// let worker = Worker::builder(client).subscribe("charge-card", charge).build()?;
/// let control = worker.control();
/// let run = tokio::spawn(worker.run());
/// control.pause();                       // no more fetching; running handlers go on
/// control.subscribe("refund", refund)?;  // a new topic, fetched once resumed
/// control.unsubscribe("charge-card");    // its running handlers still finish and report
/// control.resume();
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct WorkerControl {
    pub(super) inner: Arc<Control>,
}

impl std::fmt::Debug for WorkerControl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = self.inner.state();
        f.debug_struct("WorkerControl")
            .field("paused", &state.paused)
            .field(
                "topics",
                &state
                    .topics
                    .iter()
                    .map(|t| t.subscription.topic())
                    .collect::<Vec<_>>(),
            )
            .finish()
    }
}

/// One subscribed topic: its fetch options and its handler.
#[derive(Clone)]
pub(super) struct Topic {
    pub(super) subscription: Subscription,
    pub(super) entry: Arc<Entry>,
}

/// What the fetch loop follows.
pub(super) struct ControlState {
    pub(super) paused: bool,
    pub(super) topics: Vec<Topic>,
}

/// The shared side of [`WorkerControl`].
pub(super) struct Control {
    state: Mutex<ControlState>,
    /// Bumped at every change; the fetch loop watches it.
    version: watch::Sender<u64>,
    /// For topics that set none.
    defaults: TopicDefaults,
}

/// The worker-wide settings a subscription falls back to.
#[derive(Debug, Clone, Copy)]
pub(super) struct TopicDefaults {
    pub(super) lock_duration: Duration,
    pub(super) max_handler_duration: Duration,
}

impl Control {
    pub(super) fn new(topics: Vec<Topic>, defaults: TopicDefaults) -> Self {
        Control {
            state: Mutex::new(ControlState {
                paused: false,
                topics,
            }),
            version: watch::Sender::new(0),
            defaults,
        }
    }

    pub(super) fn state(&self) -> MutexGuard<'_, ControlState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A receiver that sees every later change.
    pub(super) fn watch(&self) -> watch::Receiver<u64> {
        self.version.subscribe()
    }

    fn changed(&self) {
        self.version.send_modify(|v| *v = v.wrapping_add(1));
    }
}

/// Checks one subscription against the worker's defaults and makes its topic entry.
pub(super) fn topic(
    subscription: Subscription,
    handler: Arc<dyn Handler>,
    defaults: TopicDefaults,
) -> Result<Topic, Error> {
    let topic = subscription.topic().to_owned();
    if topic.is_empty() {
        return Err(Error::config("worker: a topic name must not be empty"));
    }
    let lock_duration = subscription.lock_duration.unwrap_or(defaults.lock_duration);
    check_duration(
        &format!("the lock duration of topic `{topic}`"),
        lock_duration,
        MIN_LOCK,
    )?;
    let max_handler_duration = subscription
        .max_handler_duration
        .unwrap_or(defaults.max_handler_duration);
    check_duration(
        &format!("the max handler duration of topic `{topic}`"),
        max_handler_duration,
        MIN_LOCK,
    )?;
    Ok(Topic {
        entry: Arc::new(Entry {
            topic: Arc::from(topic.as_str()),
            lock_duration,
            max_handler_duration,
            handler,
        }),
        subscription,
    })
}

impl WorkerControl {
    /// Stops fetching: a long poll in flight is cancelled (and what it locked given back);
    /// handlers already running finish and report.
    pub fn pause(&self) {
        let changed = {
            let mut state = self.inner.state();
            !std::mem::replace(&mut state.paused, true)
        };
        if changed {
            self.inner.changed();
        }
    }

    /// Fetches again after [`pause`](WorkerControl::pause).
    pub fn resume(&self) {
        let changed = {
            let mut state = self.inner.state();
            std::mem::replace(&mut state.paused, false)
        };
        if changed {
            self.inner.changed();
        }
    }

    /// Whether the worker is paused.
    pub fn is_paused(&self) -> bool {
        self.inner.state().paused
    }

    /// Handles tasks of `topic` with `handler` from the next fetch on, with default options.
    pub fn subscribe(&self, topic: impl Into<String>, handler: impl Handler) -> Result<(), Error> {
        self.subscribe_with(Subscription::new(topic), handler)
    }

    /// Handles tasks matching `subscription` with `handler` from the next fetch on. Fails with
    /// [`Error::Config`] as [`WorkerBuilder::build`](super::WorkerBuilder::build) would: an empty
    /// topic, one already subscribed, a duration out of bounds.
    pub fn subscribe_with(
        &self,
        subscription: Subscription,
        handler: impl Handler,
    ) -> Result<(), Error> {
        let topic = topic(subscription, Arc::new(handler), self.inner.defaults)?;
        {
            let mut state = self.inner.state();
            if state
                .topics
                .iter()
                .any(|t| t.subscription.topic() == topic.subscription.topic())
            {
                return Err(Error::config(format!(
                    "worker: topic `{}` is subscribed twice",
                    topic.subscription.topic()
                )));
            }
            state.topics.push(topic);
        }
        self.inner.changed();
        Ok(())
    }

    /// Fetches no more tasks of `topic`; its handlers already running finish and report.
    /// Returns whether the topic was subscribed. With no topic left the worker fetches nothing
    /// until one is subscribed again.
    pub fn unsubscribe(&self, topic: &str) -> bool {
        let removed = {
            let mut state = self.inner.state();
            let before = state.topics.len();
            state.topics.retain(|t| t.subscription.topic() != topic);
            state.topics.len() != before
        };
        if removed {
            self.inner.changed();
        }
        removed
    }

    /// The topics subscribed now, in the order they were subscribed.
    pub fn topics(&self) -> Vec<String> {
        self.inner
            .state()
            .topics
            .iter()
            .map(|t| t.subscription.topic().to_owned())
            .collect()
    }
}
