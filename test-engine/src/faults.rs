//! Fault injection: per-operation rules that answer with an error status, a chosen engine error
//! or any raw response, delay, or drop the connection (before or after the operation took
//! effect).

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// One of the 18 External Task REST operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Operation {
    /// `POST /external-task/fetchAndLock`
    FetchAndLock,
    /// `POST /external-task/{id}/complete`
    Complete,
    /// `POST /external-task/{id}/failure`
    Failure,
    /// `POST /external-task/{id}/bpmnError`
    BpmnError,
    /// `POST /external-task/{id}/extendLock`
    ExtendLock,
    /// `POST /external-task/{id}/lock`
    Lock,
    /// `POST /external-task/{id}/unlock`
    Unlock,
    /// `GET /external-task/{id}`
    GetTask,
    /// `GET /external-task/{id}/errorDetails`
    GetErrorDetails,
    /// `GET /external-task` (query)
    QueryGet,
    /// `POST /external-task` (query)
    QueryPost,
    /// `GET /external-task/count`
    CountGet,
    /// `POST /external-task/count`
    CountPost,
    /// `GET /external-task/topic-names`
    TopicNames,
    /// `PUT /external-task/retries`
    SetRetries,
    /// `POST /external-task/retries-async`
    SetRetriesAsync,
    /// `PUT /external-task/{id}/priority`
    SetPriority,
    /// `PUT /external-task/{id}/retries`
    SetTaskRetries,
}

impl Operation {
    /// All operations, in declaration order.
    pub const ALL: [Operation; 18] = [
        Operation::FetchAndLock,
        Operation::Complete,
        Operation::Failure,
        Operation::BpmnError,
        Operation::ExtendLock,
        Operation::Lock,
        Operation::Unlock,
        Operation::GetTask,
        Operation::GetErrorDetails,
        Operation::QueryGet,
        Operation::QueryPost,
        Operation::CountGet,
        Operation::CountPost,
        Operation::TopicNames,
        Operation::SetRetries,
        Operation::SetRetriesAsync,
        Operation::SetPriority,
        Operation::SetTaskRetries,
    ];

    /// Position in [`Operation::ALL`].
    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// What an injected fault does to a request.
#[derive(Debug, Clone, PartialEq)]
pub enum FaultAction {
    /// Answer with this status and an engine-style error body, without applying the operation.
    FailWithStatus(u16),
    /// Apply the operation, then answer with this status instead of its real response.
    FailWithStatusAfterApplying(u16),
    /// Wait this long, then handle the request normally.
    Delay(Duration),
    /// Close the connection without a response, without applying the operation.
    DropConnection,
    /// Apply the operation, then close the connection without a response.
    DropConnectionAfterApplying,
    /// Apply the operation, then wait this long before answering (a client that gives up
    /// meanwhile never learns what the engine did, e.g. which tasks a long poll locked for it).
    DelayAfterApplying(Duration),
    /// Answer with this engine error (`{"type","message","code"}`, `application/json`) without
    /// applying the operation.
    FailWithError {
        /// HTTP status.
        status: u16,
        /// The body's `type` (the engine's exception class name, e.g. `RestException`).
        kind: String,
        /// The body's `message`.
        message: String,
        /// The body's `code`; `None` is written as JSON `null`.
        code: Option<i64>,
    },
    /// Apply the operation, then answer with this engine error instead of its real response.
    FailWithErrorAfterApplying {
        /// HTTP status.
        status: u16,
        /// The body's `type`.
        kind: String,
        /// The body's `message`.
        message: String,
        /// The body's `code`; `None` is written as JSON `null`.
        code: Option<i64>,
    },
    /// Answer with exactly this status, content type and body (something other than the
    /// engine, e.g. a proxy's HTML page), without applying the operation.
    RespondRaw {
        /// HTTP status.
        status: u16,
        /// The `Content-Type` header; `None` sends none.
        content_type: Option<String>,
        /// The body, sent as is.
        body: String,
    },
    /// Apply the operation, then answer with exactly this status, content type and body.
    RespondRawAfterApplying {
        /// HTTP status.
        status: u16,
        /// The `Content-Type` header; `None` sends none.
        content_type: Option<String>,
        /// The body, sent as is.
        body: String,
    },
}

impl FaultAction {
    /// Whether the operation takes effect before the fault acts.
    pub fn applies_operation_first(&self) -> bool {
        matches!(
            self,
            FaultAction::FailWithStatusAfterApplying(_)
                | FaultAction::DropConnectionAfterApplying
                | FaultAction::DelayAfterApplying(_)
                | FaultAction::FailWithErrorAfterApplying { .. }
                | FaultAction::RespondRawAfterApplying { .. }
        )
    }
}

/// A rule's action as taken for one request, with the extra response headers it adds.
#[derive(Debug, Clone)]
pub(crate) struct Fired {
    pub action: FaultAction,
    pub headers: Vec<(String, String)>,
}

#[derive(Debug)]
struct Rule {
    id: u64,
    operation: Option<Operation>,
    action: FaultAction,
    /// Matching requests to let through before the rule starts firing.
    skip: u64,
    /// Firings left; `None` is unlimited.
    remaining: Option<u64>,
    /// Probability in per-mille that a matching request fires the rule (1000 = always).
    per_mille: u32,
    headers: Vec<(String, String)>,
    fired: Arc<AtomicU64>,
}

#[derive(Debug, Default)]
struct Inner {
    rules: Vec<Rule>,
    next_id: u64,
    rng: u64,
}

/// The engine's fault rules. Obtained from [`crate::TestEngine::faults`]; cheap to clone.
///
/// Rules are checked in the order they were added; the first one that matches a request fires.
/// ```no_run
/// # async fn demo(engine: camunda7_test_engine::TestEngine) {
/// use camunda7_test_engine::Operation;
/// use std::time::Duration;
/// engine.faults().on(Operation::Complete).fail_with_status(503).times(3);
/// engine.faults().on(Operation::FetchAndLock).delay(Duration::from_millis(200)).once();
/// engine.faults().on(Operation::Complete).drop_connection_after_applying().once();
/// engine.faults().on_any().fail_with_status(500).with_probability(0.05).always();
/// engine
///     .faults()
///     .on(Operation::Failure)
///     .fail_with_error(500, "OptimisticLockingException", "ENGINE-03005 ...", Some(1))
///     .once();
/// engine
///     .faults()
///     .on(Operation::FetchAndLock)
///     .respond_raw(502, Some("text/html"), "<html>Bad Gateway</html>".into())
///     .once();
/// # }
/// ```
#[derive(Debug, Clone, Default)]
pub struct Faults {
    inner: Arc<Mutex<Inner>>,
}

impl Faults {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Starts a rule for one operation.
    pub fn on(&self, operation: Operation) -> FaultBuilder {
        FaultBuilder::new(self.clone(), Some(operation))
    }

    /// Starts a rule for every operation.
    pub fn on_any(&self) -> FaultBuilder {
        FaultBuilder::new(self.clone(), None)
    }

    /// Removes all rules.
    pub fn clear(&self) {
        self.lock().rules.clear();
    }

    /// Number of rules still able to fire.
    pub fn active_rules(&self) -> usize {
        self.lock()
            .rules
            .iter()
            .filter(|r| r.remaining != Some(0))
            .count()
    }

    /// Picks the action for a request to `operation`, consuming one firing of its rule.
    pub(crate) fn take(&self, operation: Operation) -> Option<Fired> {
        let mut inner = self.lock();
        let Inner { rules, rng, .. } = &mut *inner;
        for rule in rules.iter_mut() {
            if rule.operation.is_some_and(|op| op != operation) || rule.remaining == Some(0) {
                continue;
            }
            if rule.skip > 0 {
                rule.skip -= 1;
                continue;
            }
            if rule.per_mille < 1000 {
                *rng = next_random(*rng);
                if (*rng % 1000) as u32 >= rule.per_mille {
                    continue;
                }
            }
            if let Some(left) = rule.remaining.as_mut() {
                *left -= 1;
            }
            rule.fired.fetch_add(1, Ordering::SeqCst);
            return Some(Fired {
                action: rule.action.clone(),
                headers: rule.headers.clone(),
            });
        }
        None
    }

    fn add(&self, mut rule: Rule) -> FaultHandle {
        let mut inner = self.lock();
        inner.next_id += 1;
        rule.id = inner.next_id;
        let handle = FaultHandle {
            faults: self.clone(),
            id: rule.id,
            fired: rule.fired.clone(),
        };
        inner.rules.push(rule);
        handle
    }
}

/// xorshift64*: deterministic pseudo-randomness for probabilistic rules.
fn next_random(state: u64) -> u64 {
    let mut x = if state == 0 {
        0x9E37_79B9_7F4A_7C15
    } else {
        state
    };
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    x.wrapping_mul(0x2545_F491_4F6C_DD1D)
}

/// Describes a rule; it takes effect once finished with [`FaultBuilder::once`],
/// [`FaultBuilder::times`] or [`FaultBuilder::always`].
#[derive(Debug)]
#[must_use = "a fault rule takes effect only after .once(), .times(n) or .always()"]
pub struct FaultBuilder {
    faults: Faults,
    operation: Option<Operation>,
    action: FaultAction,
    skip: u64,
    per_mille: u32,
    headers: Vec<(String, String)>,
}

impl FaultBuilder {
    fn new(faults: Faults, operation: Option<Operation>) -> Self {
        FaultBuilder {
            faults,
            operation,
            action: FaultAction::FailWithStatus(500),
            skip: 0,
            per_mille: 1000,
            headers: Vec::new(),
        }
    }

    /// Answer with `status` (and a `{"type","message","code"}` body) without applying the
    /// operation.
    pub fn fail_with_status(mut self, status: u16) -> Self {
        self.action = FaultAction::FailWithStatus(status);
        self
    }

    /// Apply the operation, then answer with `status` instead of its response.
    pub fn fail_with_status_after_applying(mut self, status: u16) -> Self {
        self.action = FaultAction::FailWithStatusAfterApplying(status);
        self
    }

    /// Wait `delay`, then handle the request normally.
    pub fn delay(mut self, delay: Duration) -> Self {
        self.action = FaultAction::Delay(delay);
        self
    }

    /// Apply the operation, then wait `delay` before sending its real response.
    pub fn delay_after_applying(mut self, delay: Duration) -> Self {
        self.action = FaultAction::DelayAfterApplying(delay);
        self
    }

    /// Close the connection without answering and without applying the operation.
    pub fn drop_connection(mut self) -> Self {
        self.action = FaultAction::DropConnection;
        self
    }

    /// Apply the operation, then close the connection without answering (the client sees a
    /// transport error although the engine did the work).
    pub fn drop_connection_after_applying(mut self) -> Self {
        self.action = FaultAction::DropConnectionAfterApplying;
        self
    }

    /// Answer with an engine error of your choosing: `status`, and the body
    /// `{"type": kind, "message": message, "code": code}` (`None` written as `null`, or left out
    /// when the engine was built with `omit_null_error_codes`), without applying the operation.
    pub fn fail_with_error(
        mut self,
        status: u16,
        kind: impl Into<String>,
        message: impl Into<String>,
        code: Option<i64>,
    ) -> Self {
        self.action = FaultAction::FailWithError {
            status,
            kind: kind.into(),
            message: message.into(),
            code,
        };
        self
    }

    /// Apply the operation, then answer with this engine error (see
    /// [`FaultBuilder::fail_with_error`]) instead of its response.
    pub fn fail_with_error_after_applying(
        mut self,
        status: u16,
        kind: impl Into<String>,
        message: impl Into<String>,
        code: Option<i64>,
    ) -> Self {
        self.action = FaultAction::FailWithErrorAfterApplying {
            status,
            kind: kind.into(),
            message: message.into(),
            code,
        };
        self
    }

    /// Answer with exactly this status, `Content-Type` (none when `None`) and body, as something
    /// in front of the engine might (a proxy's HTML 502, an empty 401), without applying the
    /// operation. Add headers with [`FaultBuilder::header`].
    pub fn respond_raw(mut self, status: u16, content_type: Option<&str>, body: String) -> Self {
        self.action = FaultAction::RespondRaw {
            status,
            content_type: content_type.map(str::to_owned),
            body,
        };
        self
    }

    /// Apply the operation, then answer with exactly this status, `Content-Type` and body
    /// instead of its response.
    pub fn respond_raw_after_applying(
        mut self,
        status: u16,
        content_type: Option<&str>,
        body: String,
    ) -> Self {
        self.action = FaultAction::RespondRawAfterApplying {
            status,
            content_type: content_type.map(str::to_owned),
            body,
        };
        self
    }

    /// Adds a header to every response of a request the rule fires on (e.g.
    /// `WWW-Authenticate` on a raw 401, `Retry-After` on a 503); a header of the same name is
    /// replaced. Has no effect when the connection is dropped. A name or value that is not a
    /// valid HTTP header is left out.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Let the first `n` matching requests through before the rule starts firing.
    pub fn after(mut self, n: u64) -> Self {
        self.skip = n;
        self
    }

    /// Fire only for this fraction of matching requests (0.0..=1.0), chosen by a deterministic
    /// pseudo-random sequence.
    pub fn with_probability(mut self, probability: f64) -> Self {
        let clamped = if probability.is_nan() {
            0.0
        } else {
            probability.clamp(0.0, 1.0)
        };
        self.per_mille = (clamped * 1000.0).round() as u32;
        self
    }

    /// Install the rule for one firing.
    pub fn once(self) -> FaultHandle {
        self.times(1)
    }

    /// Install the rule for `n` firings.
    pub fn times(self, n: u64) -> FaultHandle {
        self.install(Some(n))
    }

    /// Install the rule until it is removed.
    pub fn always(self) -> FaultHandle {
        self.install(None)
    }

    fn install(self, remaining: Option<u64>) -> FaultHandle {
        self.faults.add(Rule {
            id: 0,
            operation: self.operation,
            action: self.action,
            skip: self.skip,
            remaining,
            per_mille: self.per_mille,
            headers: self.headers,
            fired: Arc::new(AtomicU64::new(0)),
        })
    }
}

/// An installed rule: how often it fired, and a way to remove it.
#[derive(Debug, Clone)]
pub struct FaultHandle {
    faults: Faults,
    id: u64,
    fired: Arc<AtomicU64>,
}

impl FaultHandle {
    /// How many requests this rule has affected.
    pub fn fired(&self) -> u64 {
        self.fired.load(Ordering::SeqCst)
    }

    /// Removes the rule.
    pub fn remove(&self) {
        self.faults.lock().rules.retain(|r| r.id != self.id);
    }
}
