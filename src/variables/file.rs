//! Fetching the content of File variables, which the engine never sends inline.

use reqwest::Method;

use crate::{Client, Error};

impl Client {
    /// The content of the File variable `name` as seen from the execution `execution_id`
    /// (`GET /process-instance/{id}/variables/{name}/data`).
    ///
    /// The engine resolves the name from that execution up through its parent scopes, so pass
    /// an external task's `executionId` to see what the task sees (its `processInstanceId`
    /// works too, for process-level variables). The engine answers 404 when the variable does
    /// not exist and 400 when it is not a File or Bytes variable; both arrive as
    /// [`Error::Engine`].
    pub async fn fetch_file_variable(
        &self,
        execution_id: &str,
        name: &str,
    ) -> Result<bytes::Bytes, Error> {
        self.request(
            Method::GET,
            &["process-instance", execution_id, "variables", name, "data"],
        )
        .send()
        .await?
        .bytes()
        .await
    }

    /// The content of the File variable `name` defined on the execution `execution_id` itself,
    /// not on a parent scope (`GET /execution/{id}/localVariables/{name}/data`).
    pub async fn fetch_local_file_variable(
        &self,
        execution_id: &str,
        name: &str,
    ) -> Result<bytes::Bytes, Error> {
        self.request(
            Method::GET,
            &["execution", execution_id, "localVariables", name, "data"],
        )
        .send()
        .await?
        .bytes()
        .await
    }
}
