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
    /// For a warning, what kind of workaround it reports (`None` for an error).
    pub kind: Option<WarningKind>,
}

/// The kinds of workaround a warning reports; [`Builder::allow_warnings`](crate::Builder::allow_warnings)
/// silences chosen kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum WarningKind {
    /// A schema the generated types cannot express exactly was simplified: `oneOf` / `anyOf`,
    /// an unknown type, an `allOf` part that is not an object, `additionalProperties` beside
    /// `properties`, a query parameter that is not a scalar, a default of the wrong type.
    /// Camunda's own documents have a few (e.g. the `variableValue` query parameter).
    Simplified,
    /// A name had to be made up or changed: an operation without an operationId, a method name
    /// used twice in one tag.
    Renamed,
    /// Something the generated method does not send or offer: a cookie or header parameter, a
    /// request media type other than JSON and multipart, multipart parts without a schema.
    Unsupported,
    /// Responses the method cannot follow exactly: two success statuses with bodies, or no
    /// success status at all.
    Responses,
}

impl Diagnostic {
    /// An error at `location`.
    pub fn new(location: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            location: location.into(),
            message: message.into(),
            kind: None,
        }
    }

    /// A warning of `kind` at `location`.
    pub fn warning(
        kind: WarningKind,
        location: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            kind: Some(kind),
            ..Self::new(location, message)
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

    pub(crate) fn warn(
        &mut self,
        kind: WarningKind,
        location: impl Into<String>,
        message: impl Into<String>,
    ) {
        self.warnings
            .push(Diagnostic::warning(kind, location, message));
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
