//! Per-topic fetch options.

use std::collections::BTreeMap;
use std::time::Duration;

/// What a worker fetches for one topic: the topic name, the lock duration, which variables to
/// return and optional filters (all given filters must hold).
///
/// Unset options are left out of the request, so the engine's defaults apply (all variables,
/// no filters); an unset lock duration takes the worker's
/// [`lock_duration`](super::WorkerBuilder::lock_duration).
///
/// ```
/// use std::time::Duration;
/// use camunda7_client::worker::Subscription;
/// let subscription = Subscription::new("invoice")
///     .lock_duration(Duration::from_secs(60))
///     .variables(["amount", "customer"])
///     .process_definition_key_in(["invoice-v1", "invoice-v2"])
///     .tenant_id_in(["acme"]);
/// assert_eq!(subscription.topic(), "invoice");
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Subscription {
    pub(crate) topic: String,
    pub(crate) lock_duration: Option<Duration>,
    pub(crate) max_handler_duration: Option<Duration>,
    pub(crate) variables: Option<Vec<String>>,
    pub(crate) local_variables: Option<bool>,
    pub(crate) business_key: Option<String>,
    pub(crate) process_definition_id: Option<String>,
    pub(crate) process_definition_id_in: Option<Vec<String>>,
    pub(crate) process_definition_key: Option<String>,
    pub(crate) process_definition_key_in: Option<Vec<String>>,
    pub(crate) process_definition_version_tag: Option<String>,
    pub(crate) tenant_id_in: Option<Vec<String>>,
    pub(crate) without_tenant_id: Option<bool>,
    pub(crate) process_variables: Option<BTreeMap<String, serde_json::Value>>,
    pub(crate) include_extension_properties: Option<bool>,
    pub(crate) deserialize_values: Option<bool>,
}

fn strings<I, S>(items: I) -> Vec<String>
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    items.into_iter().map(Into::into).collect()
}

impl Subscription {
    /// A subscription to `topic` (matched exactly and case-sensitively by the engine).
    pub fn new(topic: impl Into<String>) -> Self {
        Subscription {
            topic: topic.into(),
            ..Subscription::default()
        }
    }

    /// The topic name.
    pub fn topic(&self) -> &str {
        &self.topic
    }

    /// How long fetched tasks stay locked (overrides the worker's default). While a handler runs,
    /// the worker extends the lock automatically (see
    /// [`lock_extension`](super::WorkerBuilder::lock_extension)).
    pub fn lock_duration(mut self, duration: Duration) -> Self {
        self.lock_duration = Some(duration);
        self
    }

    /// How long a handler of this topic may run before the worker stops extending its lock,
    /// cancels it and reports a failure in its place (overrides the worker's
    /// [`max_handler_duration`](super::WorkerBuilder::max_handler_duration)).
    pub fn max_handler_duration(mut self, limit: Duration) -> Self {
        self.max_handler_duration = Some(limit);
        self
    }

    /// Fetch only these variables (an empty list fetches none). Without this, all variables
    /// visible from the task are fetched.
    pub fn variables<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.variables = Some(strings(names));
        self
    }

    /// When `true`, fetch only the variables of the task's own execution, not of enclosing
    /// scopes.
    pub fn local_variables(mut self, local: bool) -> Self {
        self.local_variables = Some(local);
        self
    }

    /// Only tasks whose process instance has this business key.
    pub fn business_key(mut self, business_key: impl Into<String>) -> Self {
        self.business_key = Some(business_key.into());
        self
    }

    /// Only tasks of this process definition (by id).
    pub fn process_definition_id(mut self, id: impl Into<String>) -> Self {
        self.process_definition_id = Some(id.into());
        self
    }

    /// Only tasks of one of these process definitions (by id).
    pub fn process_definition_id_in<I, S>(mut self, ids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.process_definition_id_in = Some(strings(ids));
        self
    }

    /// Only tasks of process definitions with this key.
    pub fn process_definition_key(mut self, key: impl Into<String>) -> Self {
        self.process_definition_key = Some(key.into());
        self
    }

    /// Only tasks of process definitions with one of these keys.
    pub fn process_definition_key_in<I, S>(mut self, keys: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.process_definition_key_in = Some(strings(keys));
        self
    }

    /// Only tasks of process definitions whose version tag matches this SQL `LIKE` pattern.
    pub fn process_definition_version_tag(mut self, tag: impl Into<String>) -> Self {
        self.process_definition_version_tag = Some(tag.into());
        self
    }

    /// Only tasks of one of these tenants (a non-empty list takes precedence over
    /// [`without_tenant_id`](Subscription::without_tenant_id)).
    pub fn tenant_id_in<I, S>(mut self, tenants: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.tenant_id_in = Some(strings(tenants));
        self
    }

    /// When `true`, only tasks that belong to no tenant.
    pub fn without_tenant_id(mut self, without: bool) -> Self {
        self.without_tenant_id = Some(without);
        self
    }

    /// Only tasks whose process instance has a top-level variable equal to one of these values
    /// (the entries are alternatives). The JSON type must match the variable's type: `5` matches
    /// an Integer, not a Long.
    pub fn process_variables<I, K>(mut self, values: I) -> Self
    where
        I: IntoIterator<Item = (K, serde_json::Value)>,
        K: Into<String>,
    {
        self.process_variables = Some(values.into_iter().map(|(k, v)| (k.into(), v)).collect());
        self
    }

    /// When `true`, tasks come with the activity's extension properties
    /// ([`Task::extension_properties`](super::Task::extension_properties)).
    pub fn include_extension_properties(mut self, include: bool) -> Self {
        self.include_extension_properties = Some(include);
        self
    }

    /// When `true`, Object variables come deserialized as JSON instead of in their serialized
    /// form.
    pub fn deserialize_values(mut self, deserialize: bool) -> Self {
        self.deserialize_values = Some(deserialize);
        self
    }
}
