//! [`TestEngine`]: the public handle for tests.

use std::collections::{BTreeMap, HashMap};
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::Value;
use tokio::net::{TcpListener, TcpSocket};
use tokio::sync::Notify;
use tokio::task::JoinHandle;

use crate::clock::Clock;
use crate::faults::{Faults, Operation};
use crate::model::{
    CompletionRecord, Incident, LateReport, Outcome, SpecError, Stats, TaskEvent, TaskSnapshot,
    TaskSpec,
};
use crate::server;
use crate::state::{self, State};

/// A completion as recorded: `(worker id, variables, local variables)`.
pub type Completion = (String, BTreeMap<String, Value>, BTreeMap<String, Value>);

/// What the server tasks and the test API share.
#[derive(Debug)]
pub(crate) struct Shared {
    state: Mutex<State>,
    pub clock: Clock,
    /// Woken whenever a task may have become fetchable.
    pub notify: Notify,
    pub faults: Faults,
    pub counters: [AtomicU64; 18],
    /// Leave `"code": null` out of error bodies (see [`TestEngineBuilder::omit_null_error_codes`]).
    pub omit_null_error_codes: bool,
    /// Required basic-auth credentials, if any.
    pub basic_auth: Option<(String, String)>,
    /// Set by [`TestEngine::shutdown`]: pending long polls answer with the engine's 500.
    pub shutting_down: AtomicBool,
    /// Long polls currently waiting.
    pub pending_polls: AtomicUsize,
    /// Whether a newly queued long poll cancels an older one of the same worker (503).
    pub unique_worker_request: bool,
    /// Per worker id, the number of the newest queued long poll.
    pub poll_generations: Mutex<HashMap<String, u64>>,
}

impl Shared {
    /// The engine data (a poisoned lock is recovered: the data stays consistent per operation).
    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The engine clock's current time in epoch milliseconds.
    pub fn now(&self) -> i64 {
        self.clock.now_millis()
    }

    /// Registers a queued long poll of `worker` and returns its number.
    pub fn queue_poll(&self, worker: &str) -> u64 {
        let mut generations = self
            .poll_generations
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let next = generations.get(worker).copied().unwrap_or(0) + 1;
        generations.insert(worker.to_owned(), next);
        next
    }

    /// Whether a newer long poll of `worker` replaced poll number `generation`.
    pub fn poll_superseded(&self, worker: &str, generation: u64) -> bool {
        self.poll_generations
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(worker)
            .is_some_and(|&newest| newest != generation)
    }
}

/// An in-process engine serving the Camunda 7 External Task REST API on 127.0.0.1.
///
/// ```no_run
/// use camunda7_test_engine::{TestEngine, TaskSpec};
/// use serde_json::json;
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// let engine = TestEngine::start().await?;
/// let id = engine.create_task(TaskSpec::new("invoice").variables(json!({"amount": 42})))?;
/// // point a client at engine.base_url() ...
/// assert_eq!(engine.completed_count(), 0);
/// # let _ = id;
/// engine.shutdown().await;
/// # Ok(()) }
/// ```
///
/// The server stops when the engine is dropped or [`TestEngine::shutdown`] is called. It can be
/// taken down and brought back on the same port with [`TestEngine::stop`] /
/// [`TestEngine::resume`] (state is kept), to test clients against an engine that restarts or is
/// not there yet.
#[derive(Debug)]
pub struct TestEngine {
    shared: Arc<Shared>,
    addr: SocketAddr,
    server: Mutex<Option<JoinHandle<()>>>,
}

fn bind(addr: SocketAddr) -> io::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(1024)
}

impl TestEngine {
    /// Starts an engine on 127.0.0.1 with an ephemeral port.
    pub async fn start() -> io::Result<TestEngine> {
        Self::start_on(SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    /// Starts an engine listening on `addr` (port 0 picks a free port).
    pub async fn start_on(addr: SocketAddr) -> io::Result<TestEngine> {
        Self::builder().bind(addr).start().await
    }

    /// Reserves an ephemeral port on 127.0.0.1 without serving yet: clients see "connection
    /// refused" until [`TestEngine::resume`] is called.
    pub async fn start_stopped() -> io::Result<TestEngine> {
        Self::builder().start_stopped().await
    }

    /// A builder for engines with non-default settings.
    pub fn builder() -> TestEngineBuilder {
        TestEngineBuilder {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            omit_null_error_codes: false,
            basic_auth: None,
            unique_worker_request: false,
        }
    }

    /// The socket address served.
    pub fn address(&self) -> SocketAddr {
        self.addr
    }

    /// The REST API's base URL, e.g. `http://127.0.0.1:41234/engine-rest`.
    pub fn base_url(&self) -> String {
        format!("http://{}/engine-rest", self.addr)
    }

    fn server(&self) -> MutexGuard<'_, Option<JoinHandle<()>>> {
        self.server.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether the engine is currently accepting connections.
    pub fn is_running(&self) -> bool {
        self.server().is_some()
    }

    /// Stops listening and drops every open connection (pending requests get no answer);
    /// tasks, variables and history are kept. Does nothing when already stopped.
    pub async fn stop(&self) {
        let handle = self.server().take();
        if let Some(handle) = handle {
            handle.abort();
            let _ = handle.await;
        }
    }

    /// Listens again on the same port after [`TestEngine::stop`]. Does nothing when running.
    pub async fn resume(&self) -> io::Result<()> {
        if self.is_running() {
            return Ok(());
        }
        let listener = bind(self.addr)?;
        let handle = server::spawn(listener, self.shared.clone());
        *self.server() = Some(handle);
        self.shared.notify.notify_waiters();
        Ok(())
    }

    /// [`TestEngine::stop`] then [`TestEngine::resume`].
    pub async fn restart(&self) -> io::Result<()> {
        self.stop().await;
        self.resume().await
    }

    /// Shuts down like an application server: pending long polls are answered with
    /// 500 `Request rejected due to shutdown of application server.`, then the server stops
    /// and its port is closed. (Use [`TestEngine::stop`] for a crash-like stop.)
    pub async fn shutdown(self) {
        if self.is_running() {
            self.shared.shutting_down.store(true, Ordering::SeqCst);
            self.shared.notify.notify_waiters();
            let deadline = tokio::time::Instant::now() + Duration::from_secs(1);
            while self.shared.pending_polls.load(Ordering::SeqCst) > 0
                && tokio::time::Instant::now() < deadline
            {
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
            // Give the connections a moment to write those answers.
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        self.stop().await;
    }

    // ----- seeding -----

    /// Creates one task and returns its id. Wakes waiting long polls.
    pub fn create_task(&self, spec: TaskSpec) -> Result<String, SpecError> {
        let now = self.shared.now();
        let id = self.shared.lock().create(spec, now);
        self.shared.notify.notify_waiters();
        id
    }

    /// Creates many tasks under one lock (efficient for tens of thousands) and returns their
    /// ids in order. Stops at the first invalid spec; the tasks before it stay created.
    pub fn create_tasks(
        &self,
        specs: impl IntoIterator<Item = TaskSpec>,
    ) -> Result<Vec<String>, SpecError> {
        let now = self.shared.now();
        let result = {
            let mut state = self.shared.lock();
            specs
                .into_iter()
                .map(|spec| state.create(spec, now))
                .collect::<Result<Vec<_>, _>>()
        };
        self.shared.notify.notify_waiters();
        result
    }

    /// Suspends (`true`) or activates a task; `false` when there is no such open task.
    pub fn set_suspended(&self, task_id: &str, suspended: bool) -> bool {
        let now = self.shared.now();
        let found = self.shared.lock().set_suspended(task_id, suspended, now);
        self.shared.notify.notify_waiters();
        found
    }

    /// Ends an open task without a worker, as the real engine does when the task's activity is
    /// cancelled (the process instance is deleted, an interrupting boundary event fires, the
    /// instance is modified). Its open incident is resolved and its local variables go; process
    /// variables stay. Later reports about it are answered with the engine's 404 and recorded
    /// (see [`TestEngine::reports_after_end`]). `false` when there is no such open task.
    pub fn cancel_task(&self, task_id: &str) -> bool {
        let now = self.shared.now();
        self.shared.lock().cancel(task_id, now)
    }

    /// Removes the fetchAndLock field overrides a task was created with
    /// ([`TaskSpec::fetch_field_override`]), so its next fetch is well-formed; `false` when
    /// there is no such open task.
    pub fn clear_fetch_field_overrides(&self, task_id: &str) -> bool {
        self.shared.lock().clear_fetch_overrides(task_id)
    }

    // ----- clock -----

    /// Moves the engine clock forward, so locks and retry timeouts run out without sleeping.
    /// Wakes waiting long polls.
    pub fn advance(&self, by: Duration) {
        self.shared.clock.advance(by);
        self.shared.notify.notify_waiters();
    }

    /// The engine clock.
    pub fn clock(&self) -> &Clock {
        &self.shared.clock
    }

    /// The engine clock's current time.
    pub fn now(&self) -> DateTime<Utc> {
        state::at(self.shared.now())
    }

    // ----- faults and counters -----

    /// Fault injection rules (see [`Faults`]).
    pub fn faults(&self) -> Faults {
        self.shared.faults.clone()
    }

    /// Requests received for an operation (including those answered by injected faults).
    pub fn requests(&self, operation: Operation) -> u64 {
        self.shared.counters[operation.index()].load(Ordering::SeqCst)
    }

    /// Requests received per operation (operations never called are left out).
    pub fn request_counts(&self) -> BTreeMap<Operation, u64> {
        Operation::ALL
            .iter()
            .map(|&op| (op, self.requests(op)))
            .filter(|&(_, n)| n > 0)
            .collect()
    }

    // ----- observing -----

    /// The current state of an open task; `None` once it completed, ended by a BPMN error or was
    /// cancelled (see [`TestEngine::history`] and [`TestEngine::outcome`]).
    pub fn task(&self, task_id: &str) -> Option<TaskSnapshot> {
        let now = self.shared.now();
        self.shared.lock().snapshot(task_id, now)
    }

    /// All open tasks, in creation order.
    pub fn open_tasks(&self) -> Vec<TaskSnapshot> {
        let now = self.shared.now();
        let state = self.shared.lock();
        state
            .tasks
            .values()
            .filter_map(|t| state.snapshot(&t.id, now))
            .collect()
    }

    /// Everything that happened to a task, in order (empty for an unknown id). For an ended task
    /// this includes the requests refused after its end (as [`TaskEvent::Rejected`]).
    pub fn history(&self, task_id: &str) -> Vec<TaskEvent> {
        self.shared
            .lock()
            .events(task_id)
            .cloned()
            .unwrap_or_default()
    }

    /// Where a task stands; `None` for an unknown id.
    pub fn outcome(&self, task_id: &str) -> Option<Outcome> {
        let now = self.shared.now();
        self.shared.lock().outcome(task_id, now)
    }

    /// Ids of every task ever created, in no particular order.
    pub fn task_ids(&self) -> Vec<String> {
        let state = self.shared.lock();
        state
            .history
            .keys()
            .chain(state.ended.keys())
            .cloned()
            .collect()
    }

    /// Successful completions.
    pub fn completed_count(&self) -> u64 {
        self.shared.lock().stats.completed
    }

    /// For each task ever created, how many times it was completed (the invariant is ≤ 1).
    pub fn completion_counts(&self) -> HashMap<String, usize> {
        let state = self.shared.lock();
        let ended = state.ended.iter().map(|(id, e)| (id, &e.history));
        state
            .history
            .iter()
            .chain(ended)
            .map(|(id, events)| {
                let n = events
                    .iter()
                    .filter(|e| matches!(e, TaskEvent::Completed { .. }))
                    .count();
                (id.clone(), n)
            })
            .collect()
    }

    /// Tasks completed more than once (must be empty).
    pub fn tasks_completed_more_than_once(&self) -> Vec<String> {
        self.completion_counts()
            .into_iter()
            .filter(|&(_, n)| n > 1)
            .map(|(id, _)| id)
            .collect()
    }

    /// Every worker report (`complete`, `failure`, `bpmnError`, `extendLock`) that named a task
    /// after it had ended, in arrival order. A correct worker reports each task once, so this is
    /// empty for it. Requests stopped by an injected fault before reaching the engine are not
    /// included.
    pub fn reports_after_end(&self) -> Vec<LateReport> {
        self.shared.lock().late_reports.clone()
    }

    /// The ids of the tasks in [`TestEngine::reports_after_end`], each once, in the order of
    /// their first late report.
    pub fn tasks_reported_after_end(&self) -> Vec<String> {
        let state = self.shared.lock();
        let mut seen = std::collections::HashSet::new();
        state
            .late_reports
            .iter()
            .filter(|r| seen.insert(r.task_id.as_str()))
            .map(|r| r.task_id.clone())
            .collect()
    }

    /// The `Completed` event of a task: `(worker id, variables, local variables)`
    /// ([`TestEngine::completed`] gives the same with named fields and the time).
    pub fn completion(&self, task_id: &str) -> Option<Completion> {
        self.history(task_id).into_iter().find_map(|e| match e {
            TaskEvent::Completed {
                worker_id,
                variables,
                local_variables,
                ..
            } => Some((worker_id, variables, local_variables)),
            _ => None,
        })
    }

    /// A task's completion with named fields (worker, variables, local variables, time);
    /// `None` unless the task was completed.
    pub fn completed(&self, task_id: &str) -> Option<CompletionRecord> {
        let state = self.shared.lock();
        state.events(task_id)?.iter().find_map(|e| match e {
            TaskEvent::Completed {
                worker_id,
                variables,
                local_variables,
                at,
            } => Some(CompletionRecord {
                worker_id: worker_id.clone(),
                variables: variables.clone(),
                local_variables: local_variables.clone(),
                at: *at,
            }),
            _ => None,
        })
    }

    /// The `Failed` events of a task, in order.
    pub fn failures(&self, task_id: &str) -> Vec<TaskEvent> {
        self.history(task_id)
            .into_iter()
            .filter(|e| matches!(e, TaskEvent::Failed { .. }))
            .collect()
    }

    /// The `BpmnError` event of a task, if it ended that way.
    pub fn bpmn_error(&self, task_id: &str) -> Option<TaskEvent> {
        self.history(task_id)
            .into_iter()
            .find(|e| matches!(e, TaskEvent::BpmnError { .. }))
    }

    /// All incidents, open and resolved.
    pub fn incidents(&self) -> Vec<Incident> {
        self.shared.lock().incidents.clone()
    }

    /// Counts over everything the engine has seen.
    pub fn stats(&self) -> Stats {
        let now = self.shared.now();
        self.shared.lock().stats(now)
    }

    /// Polls `condition` every 5 ms until it holds or `timeout` passes; returns whether it held.
    /// ```no_run
    /// # async fn demo(engine: camunda7_test_engine::TestEngine) {
    /// use std::time::Duration;
    /// let done = engine.wait_until(Duration::from_secs(10), |e| e.completed_count() == 100).await;
    /// assert!(done);
    /// # }
    /// ```
    pub async fn wait_until(
        &self,
        timeout: Duration,
        mut condition: impl FnMut(&TestEngine) -> bool,
    ) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if condition(self) {
                return true;
            }
            if tokio::time::Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    /// The root-scope variables of a process instance (typed values by name).
    pub fn process_variables(&self, process_instance_id: &str) -> Option<BTreeMap<String, Value>> {
        self.shared
            .lock()
            .instances
            .get(process_instance_id)
            .cloned()
    }
}

/// Settings for a [`TestEngine`]; from [`TestEngine::builder`].
#[derive(Debug, Clone)]
pub struct TestEngineBuilder {
    addr: SocketAddr,
    omit_null_error_codes: bool,
    basic_auth: Option<(String, String)>,
    unique_worker_request: bool,
}

impl TestEngineBuilder {
    /// Like the engine's `fetch-and-lock-unique-worker-request` setting (off by default): a
    /// newly queued long poll cancels an older pending one with the same `workerId`, which then
    /// gets 503 with an empty body.
    pub fn unique_worker_request(mut self, unique: bool) -> Self {
        self.unique_worker_request = unique;
        self
    }

    /// The address to listen on (default 127.0.0.1 with an ephemeral port).
    pub fn bind(mut self, addr: SocketAddr) -> Self {
        self.addr = addr;
        self
    }

    /// Leave `"code": null` out of error bodies. The real engine writes it, but the OpenAPI
    /// document declares `code` as a non-nullable number, so a validating proxy (Prism) flags
    /// it; turn this on for such runs.
    pub fn omit_null_error_codes(mut self, omit: bool) -> Self {
        self.omit_null_error_codes = omit;
        self
    }

    /// Require HTTP basic authentication with these credentials, as the engine's
    /// authentication filter does: anything else gets 401 with
    /// `WWW-Authenticate: Basic realm="default"` and an empty body (`/engine` stays open).
    pub fn basic_auth(mut self, user: impl Into<String>, password: impl Into<String>) -> Self {
        self.basic_auth = Some((user.into(), password.into()));
        self
    }

    /// Starts the engine.
    pub async fn start(self) -> io::Result<TestEngine> {
        let listener = bind(self.addr)?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            state: Mutex::new(State::default()),
            clock: Clock::new(),
            notify: Notify::new(),
            faults: Faults::default(),
            counters: std::array::from_fn(|_| AtomicU64::new(0)),
            omit_null_error_codes: self.omit_null_error_codes,
            basic_auth: self.basic_auth,
            shutting_down: AtomicBool::new(false),
            pending_polls: AtomicUsize::new(0),
            unique_worker_request: self.unique_worker_request,
            poll_generations: Mutex::new(HashMap::new()),
        });
        let handle = server::spawn(listener, shared.clone());
        Ok(TestEngine {
            shared,
            addr,
            server: Mutex::new(Some(handle)),
        })
    }

    /// Reserves the port without serving yet (see [`TestEngine::start_stopped`]).
    pub async fn start_stopped(self) -> io::Result<TestEngine> {
        let engine = self.start().await?;
        engine.stop().await;
        Ok(engine)
    }
}

impl Drop for TestEngine {
    fn drop(&mut self) {
        if let Some(handle) = self.server().take() {
            handle.abort();
        }
    }
}
