//! An in-process stand-in for the Camunda Platform 7 engine's External Task REST API, for tests.
//!
//! [`TestEngine::start`] serves the 18 External Task operations under `/engine-rest` (and
//! `/engine-rest/engine/default`) on 127.0.0.1 with an ephemeral port, with the real engine's
//! statuses, error bodies (`{"type","message","code"}`), check order, locking, retries,
//! incidents and long polling. Tests seed tasks with [`TaskSpec`], move the engine clock with
//! [`TestEngine::advance`], inject faults per [`Operation`] with [`TestEngine::faults`], and read
//! what happened with [`TestEngine::history`], [`TestEngine::outcome`] and [`TestEngine::stats`].
//!
//! Deliberate differences from the real engine: every task has its own process instance (unless
//! [`TaskSpec::process_instance_id`] joins one) and its own execution; completing or failing a
//! task runs no process logic beyond the task; long polls are also woken by retries updates,
//! failures, clock moves and lock expiry (the real engine only re-checks every 30 s for those);
//! dates are written in UTC (`+0000`); basic authentication is optional
//! ([`TestEngineBuilder::basic_auth`]) and there is no authorization.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod body;
pub mod clock;
pub mod date;
mod engine;
mod error;
pub mod faults;
mod fetch;
mod files;
pub mod model;
mod query;
mod server;
mod state;
mod variables;

pub use clock::Clock;
pub use engine::{Completion, TestEngine, TestEngineBuilder};
pub use faults::{FaultAction, FaultBuilder, FaultHandle, Faults, Operation};
pub use model::{
    CompletionRecord, Ending, Incident, LateReport, Outcome, SpecError, Stats, TaskEvent,
    TaskSnapshot, TaskSpec,
};
