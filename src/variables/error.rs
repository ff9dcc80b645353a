//! [`VariableError`].

use std::fmt;

use crate::date::DateParseError;

/// Why a variable could not be read or written. Every variant names the variable (empty when
/// a lone [`VariableValue`](super::VariableValue) was decoded) and its Camunda type.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VariableError {
    /// No variable of that name.
    #[error("variable `{name}` is not set")]
    Missing {
        /// The variable.
        name: String,
    },
    /// The value does not have the shape of the requested Rust type.
    #[error(
        "{} of type {value_type} cannot be read as `{target}`{}: {message}",
        Subject(name),
        AtPath(path)
    )]
    Deserialize {
        /// The variable.
        name: String,
        /// Its Camunda type (`untyped` when it has none).
        value_type: String,
        /// The requested Rust type.
        target: &'static str,
        /// Where inside the value the problem is (`.` for the value itself).
        path: String,
        /// What serde reported.
        message: String,
    },
    /// An integer that does not fit the requested Rust type (e.g. a Long read as `i32`).
    #[error(
        "{} of type {value_type} holds {value}, which is out of range for `{target}`",
        Subject(name)
    )]
    OutOfRange {
        /// The variable.
        name: String,
        /// Its Camunda type.
        value_type: String,
        /// The value, as JSON.
        value: String,
        /// The requested Rust type.
        target: &'static str,
    },
    /// A Bytes or File value that is not valid base64.
    #[error(
        "{} of type {value_type} is not valid base64: {message}",
        Subject(name)
    )]
    Base64 {
        /// The variable.
        name: String,
        /// Its Camunda type.
        value_type: String,
        /// What the decoder reported.
        message: String,
    },
    /// A Date value that is not a date.
    #[error("{} of type Date is not a date: {source}", Subject(name))]
    Date {
        /// The variable.
        name: String,
        /// Why it was rejected.
        source: DateParseError,
    },
    /// A File as the engine sends it: its content is not part of the variable. Fetch it with
    /// [`Client::fetch_file_variable`](crate::Client::fetch_file_variable).
    #[error(
        "{} is a File whose content the engine does not send inline; fetch it with Client::fetch_file_variable",
        Subject(name)
    )]
    FileNotInline {
        /// The variable.
        name: String,
    },
    /// A Rust value that could not be serialized into a Json or Object variable.
    #[error("{} could not be serialized as {value_type}: {message}", Subject(name))]
    Serialize {
        /// The variable.
        name: String,
        /// The Camunda type it was to have.
        value_type: String,
        /// What serde reported.
        message: String,
    },
}

impl VariableError {
    /// The variable the error is about (empty for a lone value).
    pub fn name(&self) -> &str {
        match self {
            VariableError::Missing { name }
            | VariableError::Deserialize { name, .. }
            | VariableError::OutOfRange { name, .. }
            | VariableError::Base64 { name, .. }
            | VariableError::Date { name, .. }
            | VariableError::FileNotInline { name }
            | VariableError::Serialize { name, .. } => name,
        }
    }
}

/// `variable `name`` or, without a name, `variable value`.
struct Subject<'a>(&'a str);

impl fmt::Display for Subject<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            f.write_str("variable value")
        } else {
            write!(f, "variable `{}`", self.0)
        }
    }
}

/// ` at <path>` unless the path is the value itself.
struct AtPath<'a>(&'a str);

impl fmt::Display for AtPath<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() || self.0 == "." {
            Ok(())
        } else {
            write!(f, " (at `{}`)", self.0)
        }
    }
}
