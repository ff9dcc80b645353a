//! Process variables as Camunda's typed values.
//!
//! The engine carries every variable as `{"type": .., "value": .., "valueInfo": {..}}`.
//! [`VariableValue`] is one such value and [`Variables`] a map of them by name, in the order
//! the engine sent them.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// One Camunda typed value: its type name, its JSON value and its `valueInfo`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct VariableValue {
    /// The type name as it appears on the wire; `None` for an untyped value.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    type_name: Option<String>,
    /// The value as JSON.
    #[serde(default)]
    value: Value,
    /// The `valueInfo` object, when present.
    #[serde(rename = "valueInfo", default, skip_serializing_if = "Option::is_none")]
    value_info: Option<Map<String, Value>>,
}

/// Variables by name, in the order they were inserted or received.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Variables {
    entries: indexmap::IndexMap<String, VariableValue>,
}
