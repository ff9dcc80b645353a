//! What to generate and how: tag/operation selection, type overrides, reserved names.

use indexmap::{IndexMap, IndexSet};

/// Generation settings, built with small `with_*` steps:
///
/// ```
/// use camunda7_codegen::Settings;
/// let settings = Settings::default()
///     .with_tags(["External Task"])
///     .with_type_override("VariableValueDto", "crate::variables::VariableValue");
/// assert!(settings.tags().is_some());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settings {
    tags: Option<IndexSet<String>>,
    operations: Option<IndexSet<String>>,
    type_overrides: IndexMap<String, String>,
    map_overrides: IndexMap<String, String>,
    reserved_modules: IndexSet<String>,
}

impl Settings {
    /// The settings the `camunda7-client` crate is generated with. `build.rs`, the CLI and the
    /// snapshot test all start from here, so the three produce identical output.
    pub fn camunda7_client() -> Self {
        // Modules of the hand-written runtime living beside the generated ones at the crate root.
        ["auth", "client", "date", "error", "variables", "worker"]
            .into_iter()
            .fold(Self::default(), Self::with_reserved_module)
            // Camunda's typed variable values, hand-written in `src/variables`.
            .with_type_override("VariableValueDto", "crate::variables::VariableValue")
            .with_map_override("VariableValueDto", "crate::variables::Variables")
    }

    /// Generate only operations whose (first) tag is one of `tags`. A tag may be written as in
    /// the document (`External Task`) or as its module name (`external_task`).
    pub fn with_tags<I, S>(mut self, tags: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.tags
            .get_or_insert_with(IndexSet::new)
            .extend(tags.into_iter().map(Into::into));
        self
    }

    /// Generate only the operations with these operationIds (`fetchAndLock`, or the method name
    /// `fetch_and_lock`).
    pub fn with_operations<I, S>(mut self, operations: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.operations
            .get_or_insert_with(IndexSet::new)
            .extend(operations.into_iter().map(Into::into));
        self
    }

    /// Use the hand-written type at `rust_path` wherever the component schema `schema_name` is
    /// referenced; no type is generated for that schema.
    pub fn with_type_override(
        mut self,
        schema_name: impl Into<String>,
        rust_path: impl Into<String>,
    ) -> Self {
        self.type_overrides
            .insert(schema_name.into(), rust_path.into());
        self
    }

    /// Use the hand-written type at `rust_path` for every map (`additionalProperties`) whose
    /// values are the component schema `value_schema_name`.
    pub fn with_map_override(
        mut self,
        value_schema_name: impl Into<String>,
        rust_path: impl Into<String>,
    ) -> Self {
        self.map_overrides
            .insert(value_schema_name.into(), rust_path.into());
        self
    }

    /// Never name a generated tag module `name` (it is taken by hand-written code).
    pub fn with_reserved_module(mut self, name: impl Into<String>) -> Self {
        self.reserved_modules.insert(name.into());
        self
    }

    /// The selected tags, if generation is restricted to some.
    pub fn tags(&self) -> Option<&IndexSet<String>> {
        self.tags.as_ref()
    }

    /// The selected operations, if generation is restricted to some.
    pub fn operations(&self) -> Option<&IndexSet<String>> {
        self.operations.as_ref()
    }

    /// Schema name → Rust path of the hand-written type replacing it.
    pub fn type_overrides(&self) -> &IndexMap<String, String> {
        &self.type_overrides
    }

    /// Value schema name → Rust path of the hand-written map type replacing maps of it.
    pub fn map_overrides(&self) -> &IndexMap<String, String> {
        &self.map_overrides
    }

    /// Module names generated tags must not take.
    pub fn reserved_modules(&self) -> &IndexSet<String> {
        &self.reserved_modules
    }

    /// Whether any tag or operation selection is active.
    pub fn is_selective(&self) -> bool {
        self.tags.is_some() || self.operations.is_some()
    }
}
