//! What to generate and how: tag/operation selection, type overrides, reserved names, and
//! which crate the code is compiled in.

use indexmap::{IndexMap, IndexSet};

/// The path of the `camunda7-client` crate as generated code in another crate names it.
pub(crate) const CLIENT_CRATE: &str = "::camunda7_client";

/// Generation settings, built with small `with_*` steps:
///
/// ```
/// use camunda7_codegen::Settings;
/// let settings = Settings::default()
///     .with_tags(["Process Instance"])
///     .with_type_override("VariableValueDto", "::camunda7_client::variables::VariableValue");
/// assert!(settings.tags().is_some());
/// ```
///
/// [`Settings::default`] generates code for a crate of one's own that depends on
/// `camunda7-client` (what [`Builder`](crate::Builder) does): the code reaches the runtime as
/// `::camunda7_client::runtime`, the operations are added to `Client` by a generated `ClientExt`
/// trait, and Camunda's variable values are `camunda7_client::variables`' types.
/// [`Settings::camunda7_client`] generates the code built into `camunda7-client` itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    tags: Option<IndexSet<String>>,
    operations: Option<IndexSet<String>>,
    type_overrides: IndexMap<String, String>,
    map_overrides: IndexMap<String, String>,
    reserved_modules: IndexSet<String>,
    client_crate: Option<String>,
    serde_both_ways: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self::for_crate(CLIENT_CRATE)
    }
}

impl Settings {
    /// Settings for code in a crate of one's own, compiled against `camunda7-client` under the
    /// path `client_crate` (`::camunda7_client`, or e.g. `::camunda` when the dependency is
    /// renamed in `Cargo.toml`).
    fn for_crate(client_crate: &str) -> Self {
        let client_crate = client_crate.trim_end_matches("::").to_owned();
        Self {
            tags: None,
            operations: None,
            type_overrides: IndexMap::new(),
            map_overrides: IndexMap::new(),
            reserved_modules: IndexSet::new(),
            client_crate: None,
            serde_both_ways: false,
        }
        .with_type_override(
            "VariableValueDto",
            format!("{client_crate}::variables::VariableValue"),
        )
        .with_map_override(
            "VariableValueDto",
            format!("{client_crate}::variables::Variables"),
        )
        .with_client_crate_path(client_crate)
    }

    /// The settings the `camunda7-client` crate is generated with. `build.rs`, the CLI and the
    /// snapshot test all start from here, so the three produce identical output.
    pub fn camunda7_client() -> Self {
        // Both serde directions: the crate's users (and its test engine) read and write the
        // External Task types both ways.
        let settings = Self {
            client_crate: None,
            serde_both_ways: true,
            ..Self::default()
        };
        // Modules of the hand-written runtime living beside the generated ones at the crate root.
        [
            "auth",
            "client",
            "date",
            "error",
            "runtime",
            "variables",
            "worker",
        ]
        .into_iter()
        .fold(settings, Self::with_reserved_module)
        // Camunda's typed variable values, hand-written in `src/variables`.
        .with_type_override("VariableValueDto", "crate::variables::VariableValue")
        .with_map_override("VariableValueDto", "crate::variables::Variables")
    }

    /// The path generated code names `camunda7-client` by, when the dependency is renamed in
    /// `Cargo.toml` (`camunda = { package = "camunda7-client", .. }` → `::camunda`). The
    /// variable type overrides follow it. Default `::camunda7_client`.
    pub fn with_client_crate(self, path: impl Into<String>) -> Self {
        let path = path.into();
        let mut settings = Self::for_crate(&path);
        settings.tags = self.tags;
        settings.operations = self.operations;
        settings.reserved_modules = self.reserved_modules;
        settings.serde_both_ways = self.serde_both_ways;
        for (schema, rust) in self.type_overrides {
            settings.type_overrides.entry(schema).or_insert(rust);
        }
        for (schema, rust) in self.map_overrides {
            settings.map_overrides.entry(schema).or_insert(rust);
        }
        settings
    }

    /// Derive both `Serialize` and `Deserialize` for every model struct. By default a struct
    /// derives only the direction the operations use it in (`Serialize` for what requests send,
    /// `Deserialize` for what responses return, both for a struct used both ways or by no
    /// operation), which spares much of the compile time of a large document. Turn this on to
    /// decode request bodies or encode responses yourself, e.g. in a test double of the engine.
    pub fn with_serde_both_ways(mut self, on: bool) -> Self {
        self.serde_both_ways = on;
        self
    }

    /// Whether every model struct derives both serde directions.
    pub fn serde_both_ways(&self) -> bool {
        self.serde_both_ways
    }

    fn with_client_crate_path(mut self, path: String) -> Self {
        self.client_crate = Some(path);
        self
    }

    /// The path of the runtime module the generated code calls: `crate::runtime` inside
    /// `camunda7-client`, `::camunda7_client::runtime` elsewhere.
    pub fn runtime_path(&self) -> String {
        match &self.client_crate {
            Some(krate) => format!("{krate}::runtime"),
            None => "crate::runtime".to_owned(),
        }
    }

    /// Whether the code is for `camunda7-client` itself (tag accessors are inherent methods of
    /// `Client`) rather than for another crate (they come from a generated `ClientExt` trait).
    pub fn is_client_crate(&self) -> bool {
        self.client_crate.is_none()
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
