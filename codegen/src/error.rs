//! Diagnostics: every problem found in a document, collected rather than raised one at a time.

use std::fmt;

/// One problem (or, as a warning, one workaround) found while generating.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Diagnostic {
    /// Where in the document: a JSON pointer (`#/components/schemas/Foo/properties/bar`),
    /// an operation (`POST /external-task/{id}/complete`) or `line L, column C`.
    pub location: String,
    /// What is wrong, in a sentence.
    pub message: String,
}

impl Diagnostic {
    /// A diagnostic at `location`.
    pub fn new(location: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            location: location.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

/// Generation failed: the document has at least one error. Every error found is listed, and the
/// warnings gathered before the failure are kept too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The problems that stop generation, in the order they were found.
    pub errors: Vec<Diagnostic>,
    /// Workarounds applied (reported even though generation failed).
    pub warnings: Vec<Diagnostic>,
}

impl Failure {
    /// A failure with a single error.
    pub fn single(location: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            errors: vec![Diagnostic::new(location, message)],
            warnings: Vec::new(),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.errors.len();
        write!(
            f,
            "the OpenAPI document has {n} error{}:",
            if n == 1 { "" } else { "s" }
        )?;
        for error in &self.errors {
            write!(f, "\n  {error}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Failure {}

/// Collects errors and warnings while a stage walks the document.
#[derive(Debug, Default)]
pub(crate) struct Diagnostics {
    pub(crate) errors: Vec<Diagnostic>,
    pub(crate) warnings: Vec<Diagnostic>,
}

impl Diagnostics {
    pub(crate) fn error(&mut self, location: impl Into<String>, message: impl Into<String>) {
        self.errors.push(Diagnostic::new(location, message));
    }

    pub(crate) fn warn(&mut self, location: impl Into<String>, message: impl Into<String>) {
        self.warnings.push(Diagnostic::new(location, message));
    }
}

/// Appends one JSON-pointer token to `base`, escaping `~` and `/` as RFC 6901 requires.
pub(crate) fn pointer(base: &str, token: &str) -> String {
    let mut out = String::with_capacity(base.len() + token.len() + 1);
    out.push_str(base);
    out.push('/');
    for c in token.chars() {
        match c {
            '~' => out.push_str("~0"),
            '/' => out.push_str("~1"),
            c => out.push(c),
        }
    }
    out
}

/// Undoes [`pointer`]'s escaping for one token.
pub(crate) fn unescape_token(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}
