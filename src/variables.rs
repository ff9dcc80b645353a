//! Process variables: Camunda's typed values and Rust values.
//!
//! The engine carries every variable as a typed value, `{"type": "Integer", "value": 42,
//! "valueInfo": {}}`. [`Variables`] is a map of them by name (what `LockedExternalTaskDto`
//! and the complete, failure and BPMN-error bodies carry) and [`VariableValue`] one value.
//! Values keep exactly what the engine sent, including types and `valueInfo` keys this crate
//! does not know, so passing variables back loses nothing.
//!
//! Reading and writing variables in a task handler:
//!
//! ```
//! # use camunda7_client::variables::{VariableValue, Variables};
//! # #[derive(serde::Serialize, serde::Deserialize)] struct Order { id: u32 }
//! # fn handle(task_vars: &Variables) -> Result<Variables, camunda7_client::variables::VariableError> {
//! let amount: i64 = task_vars.get("amount")?;              // Integer or Long
//! let order: Order = task_vars.get("order")?;              // Json, or Object as JSON
//! let note: Option<String> = task_vars.get_opt("note")?;   // missing or Null -> None
//! let mut out = Variables::new();
//! out.insert("approved", amount < 1_000);                  // Boolean
//! out.insert("total", amount * 2);                         // Long
//! out.insert_json("order", &order)?;                       // Json
//! out.insert("receipt", VariableValue::file("r.txt", b"ok", Some("text/plain"), None));
//! # let _ = note; Ok(out) }
//! # let mut vars = Variables::new().with("amount", 250_i64).with("note", None::<String>);
//! # vars.insert_json("order", &Order { id: 7 })?;
//! # let out = handle(&vars)?;
//! # assert_eq!(out.get::<bool>("approved")?, true);
//! # Ok::<(), camunda7_client::variables::VariableError>(())
//! ```
//!
//! Types: see [`ValueType`] for the engine's types, [`Variables::insert`] for which Rust type
//! becomes which Camunda type, and [`Variables::get`] for how each is read. The content of a File
//! variable is fetched on demand with [`Client::fetch_file_variable`](crate::Client::fetch_file_variable).

mod decode;
mod error;
mod file;
mod map;
mod value;

pub use error::VariableError;
pub use map::{IntoIter, Variables};
pub use value::{IntoVariableValue, ValueType, VariableValue, JSON_DATA_FORMAT};
