//! Rust names for OpenAPI names: case conversion (heck), keyword escaping, collision handling.

use heck::{ToSnakeCase, ToUpperCamelCase};
use std::collections::HashSet;

/// A set of names. The hasher is foldhash with a fixed seed: much cheaper than the default
/// SipHash for the short keys the generator looks up tens of thousands of times, and the same
/// in every run.
pub type NameSet = HashSet<String, foldhash::fast::FixedState>;

/// A map keyed by names, hashed like [`NameSet`].
pub type NameMap<V> = std::collections::HashMap<String, V, foldhash::fast::FixedState>;

/// Keywords that can be written as raw identifiers (`r#type`).
const RAW_KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "do", "dyn",
    "else", "enum", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let", "loop",
    "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref", "return", "static",
    "struct", "trait", "true", "try", "type", "typeof", "unsafe", "unsized", "use", "virtual",
    "where", "while", "yield",
];

/// Methods a `Client` value already answers to: its inherent methods (`src/client.rs`,
/// `src/variables/file.rs`) and those of the traits it implements. A tag accessor of one of these
/// names would be shadowed or ambiguous, so it gets the suffix `_api` (`request_api`).
pub const CLIENT_METHODS: &[&str] = &[
    "base_url",
    "borrow",
    "borrow_mut",
    "builder",
    "clone",
    "clone_from",
    "clone_into",
    "fetch_file_variable",
    "fetch_local_file_variable",
    "fmt",
    "from",
    "into",
    "long_poll_timeout",
    "new",
    "request",
    "timeout",
    "to_owned",
    "try_from",
    "try_into",
    "type_id",
];

/// Keywords that cannot be raw identifiers; they get a trailing underscore instead.
const NON_RAW_KEYWORDS: &[&str] = &["crate", "self", "Self", "super", "extern", "_"];

/// Replaces everything but ASCII letters and digits by spaces, so heck sees word boundaries
/// and the result is always a valid identifier body.
fn ascii_words(raw: &str) -> String {
    raw.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
        .collect()
}

/// `snake_case` identifier for a field, parameter, method or module, keywords escaped
/// (`type` → `r#type`, `self` → `self_`), never empty, never starting with a digit.
pub fn snake(raw: &str) -> String {
    crate::memo::remembered(raw, crate::memo::Kind::Snake, convert_snake)
}

fn convert_snake(raw: &str) -> String {
    let mut name = ascii_words(raw).to_snake_case();
    if name.is_empty() {
        name.push_str("value");
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert_str(0, "n_");
    }
    escape_keyword(name)
}

/// `UpperCamelCase` identifier for a type or enum variant, never empty, never starting with a
/// digit, never `Self`.
pub fn camel(raw: &str) -> String {
    crate::memo::remembered(raw, crate::memo::Kind::Camel, convert_camel)
}

fn convert_camel(raw: &str) -> String {
    let mut name = ascii_words(raw).to_upper_camel_case();
    if name.is_empty() {
        name.push_str("Value");
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, 'V');
    }
    if name == "Self" {
        name.push('_');
    }
    name
}

fn escape_keyword(name: String) -> String {
    if NON_RAW_KEYWORDS.contains(&name.as_str()) {
        format!("{name}_")
    } else if RAW_KEYWORDS.contains(&name.as_str()) {
        format!("r#{name}")
    } else {
        name
    }
}

/// The identifier without a raw prefix (`r#type` → `type`): what serde sees.
pub fn unraw(name: &str) -> &str {
    name.strip_prefix("r#").unwrap_or(name)
}

/// What serde's `rename_all = "camelCase"` makes of a field name.
pub fn serde_camel(field: &str) -> String {
    let mut out = String::with_capacity(field.len());
    let mut upper_next = false;
    for (i, c) in unraw(field).chars().enumerate() {
        if c == '_' {
            upper_next = true;
        } else if upper_next {
            out.push(c.to_ascii_uppercase());
            upper_next = false;
        } else if i == 0 {
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// Hands out unique names in one namespace: the first claim of a name gets it as is, later
/// claims get `2`, `3`, … appended (`_2` for snake-case names). Deterministic given the
/// order of claims.
#[derive(Debug, Default, Clone)]
pub struct Namer {
    /// Names taken before this namer started, shared between namers (one set of model type
    /// names serves every tag module's namer without copying it).
    shared: std::sync::Arc<NameSet>,
    used: NameSet,
}

impl Namer {
    /// A namer with `reserved` names already taken.
    pub fn with_reserved<'a>(reserved: impl IntoIterator<Item = &'a str>) -> Self {
        Self {
            shared: Default::default(),
            used: reserved.into_iter().map(str::to_owned).collect(),
        }
    }

    /// A namer with the names of `shared` already taken.
    pub fn over(shared: &std::sync::Arc<NameSet>) -> Self {
        Self {
            shared: shared.clone(),
            used: NameSet::default(),
        }
    }

    /// Whether `name` is taken.
    pub fn is_taken(&self, name: &str) -> bool {
        let name = unraw(name);
        self.shared.contains(name) || self.used.contains(name)
    }

    /// Claims `base`, or the first free numbered variant of it.
    pub fn claim(&mut self, base: &str) -> String {
        if !self.is_taken(base) {
            self.used.insert(unraw(base).to_owned());
            return base.to_owned();
        }
        let stem = unraw(base);
        let separator = if stem.starts_with(|c: char| c.is_ascii_uppercase()) {
            ""
        } else {
            "_"
        };
        let mut n = 2u32;
        loop {
            let candidate = format!("{stem}{separator}{n}");
            if !self.is_taken(&candidate) {
                self.used.insert(candidate.clone());
                return candidate;
            }
            n += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_names_follow_openapi_generator() {
        assert_eq!(snake("fetchAndLock"), "fetch_and_lock");
        assert_eq!(
            snake("completeExternalTaskResource"),
            "complete_external_task_resource"
        );
        assert_eq!(
            snake("getExternalTaskErrorDetails"),
            "get_external_task_error_details"
        );
        assert_eq!(snake("deployment-name"), "deployment_name");
        assert_eq!(snake("@class"), "class");
        assert_eq!(snake("External Task"), "external_task");
        assert_eq!(snake("tenant-id"), "tenant_id");
    }

    #[test]
    fn keywords_are_escaped() {
        assert_eq!(snake("type"), "r#type");
        assert_eq!(snake("async"), "r#async");
        assert_eq!(snake("self"), "self_");
        assert_eq!(snake("crate"), "crate_");
        assert_eq!(camel("self"), "Self_");
        assert_eq!(unraw("r#type"), "type");
    }

    #[test]
    fn odd_names_still_make_identifiers() {
        assert_eq!(snake(""), "value");
        assert_eq!(snake("---"), "value");
        assert_eq!(snake("1st"), "n_1st");
        assert_eq!(camel("1st"), "V1st");
        assert_eq!(camel("äöü"), "Value");
        assert_eq!(camel("sort-order"), "SortOrder");
    }

    #[test]
    fn serde_camel_matches_serde() {
        assert_eq!(serde_camel("process_instance_id_in"), "processInstanceIdIn");
        assert_eq!(serde_camel("r#type"), "type");
        assert_eq!(serde_camel("id"), "id");
    }

    #[test]
    fn collisions_get_numbered_deterministically() {
        let mut namer = Namer::with_reserved(["Serialize"]);
        assert_eq!(namer.claim("Serialize"), "Serialize2");
        assert_eq!(namer.claim("Foo"), "Foo");
        assert_eq!(namer.claim("Foo"), "Foo2");
        assert_eq!(namer.claim("Foo"), "Foo3");
        assert_eq!(namer.claim("bar"), "bar");
        assert_eq!(namer.claim("bar"), "bar_2");
        assert_eq!(namer.claim("r#type"), "r#type");
        assert_eq!(namer.claim("type"), "type_2");
        assert!(namer.is_taken("Foo2"));
    }
}
