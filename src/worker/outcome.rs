//! What a handler returns: complete the task, report a failure, raise a BPMN error, or give
//! the task back. Each kind has a builder of its own, so a setting that means nothing for a
//! kind (retries on a completion, local variables on a BPMN error) does not compile.
//!
//! ```
//! use std::time::Duration;
//! use camunda7_client::worker::Outcome;
//! use camunda7_client::variables::Variables;
//!
//! let done = Outcome::complete()
//!     .variables(Variables::new().with("approved", true))
//!     .local_variable("checkedBy", "robot");
//! let failed = Outcome::failure("payment service unavailable")
//!     .details("HTTP 503 from payments")
//!     .retries(2)
//!     .retry_timeout(Duration::from_secs(30));
//! let rejected = Outcome::bpmn_error("CARD_DECLINED").message("card declined");
//! // Every builder converts into an `Outcome`, and compares with one.
//! let outcome: Outcome = done.clone().into();
//! assert_eq!(outcome, done);
//! assert_eq!(outcome.kind(), "complete");
//! # let _ = (failed, rejected);
//! ```
//!
//! A setting that does not belong to the kind is a compile error:
//!
//! ```compile_fail,E0599
//! use camunda7_client::worker::Outcome;
//! let nonsense = Outcome::complete().retries(0); // a completion has no retries
//! ```
//!
//! ```compile_fail,E0599
//! use camunda7_client::worker::Outcome;
//! let nonsense = Outcome::bpmn_error("E").local_variable("x", 1); // nor has a BPMN error locals
//! ```

use std::time::Duration;

use crate::variables::{IntoVariableValue, Variables};

/// The result of a handler (see the [module docs](self) for the builders).
///
/// A handler may return any of the builders ([`Complete`], [`Failure`], [`BpmnError`]) or this
/// enum; use `.into()` where one function returns several kinds.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Outcome {
    /// Complete the task.
    Complete(Complete),
    /// Report a failure.
    Failure(Failure),
    /// Raise a BPMN error, to be caught by a boundary event or an event subprocess.
    BpmnError(BpmnError),
    /// Give the task back unhandled (`unlock`): it can be fetched again at once, by any worker.
    Unlock,
}

impl Outcome {
    /// Complete the task.
    pub fn complete() -> Complete {
        Complete::default()
    }

    /// Report a failure with this message. Retries and retry timeout come from the worker's
    /// [`RetryPolicy`](super::RetryPolicy) unless set with [`Failure::retries`] and
    /// [`Failure::retry_timeout`].
    pub fn failure(message: impl Into<String>) -> Failure {
        Failure {
            message: message.into(),
            details: None,
            retries: None,
            retry_timeout: None,
            variables: None,
            local_variables: None,
        }
    }

    /// Raise the BPMN error `code`.
    pub fn bpmn_error(code: impl Into<String>) -> BpmnError {
        BpmnError {
            code: code.into(),
            message: None,
            variables: None,
        }
    }

    /// Give the task back at once, unhandled, so that it can be fetched again (by this worker
    /// or another) without waiting for its lock to run out. Nothing else changes: no retries
    /// are used, no variables written.
    pub fn unlock() -> Outcome {
        Outcome::Unlock
    }

    /// `complete`, `failure`, `bpmn_error` or `unlock`.
    pub fn kind(&self) -> &'static str {
        match self {
            Outcome::Complete(_) => "complete",
            Outcome::Failure(_) => "failure",
            Outcome::BpmnError(_) => "bpmn_error",
            Outcome::Unlock => "unlock",
        }
    }

    /// The process variables the outcome writes, if any.
    pub fn variables(&self) -> Option<&Variables> {
        match self {
            Outcome::Complete(c) => c.variables.as_ref(),
            Outcome::Failure(f) => f.variables.as_ref(),
            Outcome::BpmnError(b) => b.variables.as_ref(),
            Outcome::Unlock => None,
        }
    }
}

/// Adds one variable to an optional map.
fn add(map: &mut Option<Variables>, name: impl Into<String>, value: impl IntoVariableValue) {
    map.get_or_insert_with(Variables::new).insert(name, value);
}

/// The setters of the process variables an outcome writes (every kind but an unlock).
macro_rules! process_variable_setters {
    () => {
        /// Sets the process variables to write.
        pub fn variables(mut self, vars: Variables) -> Self {
            self.variables = Some(vars);
            self
        }

        /// Adds one process variable to write.
        pub fn variable(mut self, name: impl Into<String>, value: impl IntoVariableValue) -> Self {
            add(&mut self.variables, name, value);
            self
        }
    };
}

/// The setters of the local variables (a completion and a failure; a BPMN error has none).
macro_rules! local_variable_setters {
    () => {
        /// Sets the variables to write on the task's execution only.
        pub fn local_variables(mut self, vars: Variables) -> Self {
            self.local_variables = Some(vars);
            self
        }

        /// Adds one variable to write on the task's execution only.
        pub fn local_variable(
            mut self,
            name: impl Into<String>,
            value: impl IntoVariableValue,
        ) -> Self {
            add(&mut self.local_variables, name, value);
            self
        }
    };
}

/// A completion (from [`Outcome::complete`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Complete {
    pub(crate) variables: Option<Variables>,
    pub(crate) local_variables: Option<Variables>,
}

impl Complete {
    process_variable_setters!();

    local_variable_setters!();

    /// The process variables to write.
    pub fn get_variables(&self) -> Option<&Variables> {
        self.variables.as_ref()
    }

    /// The local variables to write.
    pub fn get_local_variables(&self) -> Option<&Variables> {
        self.local_variables.as_ref()
    }
}

/// A failure report (from [`Outcome::failure`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub(crate) message: String,
    pub(crate) details: Option<String>,
    pub(crate) retries: Option<i32>,
    pub(crate) retry_timeout: Option<Duration>,
    pub(crate) variables: Option<Variables>,
    pub(crate) local_variables: Option<Variables>,
}

impl Failure {
    /// Sets longer details, such as a stack trace (the message stays short: the engine keeps
    /// at most 666 characters of it).
    pub fn details(mut self, text: impl Into<String>) -> Self {
        self.details = Some(text.into());
        self
    }

    /// Sets the retries left after this failure; 0 raises an incident (negative values are
    /// treated as 0).
    pub fn retries(mut self, n: i32) -> Self {
        self.retries = Some(n.max(0));
        self
    }

    /// Sets how long the engine hides the task before it can be fetched again.
    pub fn retry_timeout(mut self, timeout: Duration) -> Self {
        self.retry_timeout = Some(timeout);
        self
    }

    /// Replaces the message.
    pub fn message(mut self, text: impl Into<String>) -> Self {
        self.message = text.into();
        self
    }

    process_variable_setters!();

    local_variable_setters!();

    /// The message.
    pub fn get_message(&self) -> &str {
        &self.message
    }

    /// The details, if set.
    pub fn get_details(&self) -> Option<&str> {
        self.details.as_deref()
    }

    /// The retries, if set (otherwise the worker's retry policy decides).
    pub fn get_retries(&self) -> Option<i32> {
        self.retries
    }

    /// The retry timeout, if set (otherwise the worker's retry policy decides).
    pub fn get_retry_timeout(&self) -> Option<Duration> {
        self.retry_timeout
    }

    /// The process variables to write.
    pub fn get_variables(&self) -> Option<&Variables> {
        self.variables.as_ref()
    }

    /// The local variables to write.
    pub fn get_local_variables(&self) -> Option<&Variables> {
        self.local_variables.as_ref()
    }
}

/// A BPMN error (from [`Outcome::bpmn_error`]).
#[derive(Debug, Clone, PartialEq)]
pub struct BpmnError {
    pub(crate) code: String,
    pub(crate) message: Option<String>,
    pub(crate) variables: Option<Variables>,
}

impl BpmnError {
    /// Sets the error's message.
    pub fn message(mut self, text: impl Into<String>) -> Self {
        self.message = Some(text.into());
        self
    }

    process_variable_setters!();

    /// The error code the BPMN model catches.
    pub fn get_code(&self) -> &str {
        &self.code
    }

    /// The message, if set.
    pub fn get_message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// The process variables to write.
    pub fn get_variables(&self) -> Option<&Variables> {
        self.variables.as_ref()
    }
}

macro_rules! into_outcome {
    ($($kind:ident),*) => {$(
        impl From<$kind> for Outcome {
            fn from(value: $kind) -> Self {
                Outcome::$kind(value)
            }
        }

        impl PartialEq<$kind> for Outcome {
            fn eq(&self, other: &$kind) -> bool {
                matches!(self, Outcome::$kind(mine) if mine == other)
            }
        }

        impl PartialEq<Outcome> for $kind {
            fn eq(&self, other: &Outcome) -> bool {
                other == self
            }
        }
    )*};
}

into_outcome!(Complete, Failure, BpmnError);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builders_convert_and_compare() {
        let failure = Outcome::failure("boom").retries(-3).details("d");
        assert_eq!(failure.get_retries(), Some(0));
        let outcome = Outcome::from(failure.clone());
        assert_eq!(outcome, failure);
        assert_ne!(outcome, Outcome::failure("boom"));
        assert_ne!(Outcome::from(Outcome::complete()), Outcome::failure("boom"));
        assert_eq!(Outcome::unlock().kind(), "unlock");
        let bpmn = Outcome::bpmn_error("E").variable("n", 1);
        assert_eq!(bpmn.get_code(), "E");
        assert!(Outcome::from(bpmn).variables().is_some());
    }
}
