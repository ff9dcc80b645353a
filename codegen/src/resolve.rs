//! Following `$ref`s into `#/components/...`. A reference that points nowhere is an error that
//! names the JSON pointer of the reference itself.

use crate::error::unescape_token;
use openapiv3::{OpenAPI, Parameter, ReferenceOr, RequestBody, Response, Schema};

/// How many `$ref` hops are followed before a chain is declared circular.
const MAX_HOPS: usize = 32;

/// Looks up components of one document.
#[derive(Debug, Clone, Copy)]
pub struct Resolver<'a> {
    doc: &'a OpenAPI,
}

/// The name of the component `reference` points at, if it has the form
/// `#/components/<section>/<name>`.
pub fn component_name(reference: &str, section: &str) -> Option<String> {
    let rest = reference.strip_prefix("#/components/")?;
    let rest = rest.strip_prefix(section)?;
    let name = rest.strip_prefix('/')?;
    if name.is_empty() || name.contains('/') {
        return None;
    }
    Some(unescape_token(name))
}

impl<'a> Resolver<'a> {
    /// A resolver for `doc`.
    pub fn new(doc: &'a OpenAPI) -> Self {
        Self { doc }
    }

    /// The component schema `name`, if declared (itself possibly a reference).
    pub fn component_schema(&self, name: &str) -> Option<&'a ReferenceOr<Schema>> {
        self.doc.components.as_ref()?.schemas.get(name)
    }

    /// Follows a schema reference to the name of the component schema it names.
    pub fn schema_ref(&self, reference: &str) -> Result<String, String> {
        let name = component_name(reference, "schemas").ok_or_else(|| {
            format!("unsupported reference `{reference}`: schemas must be referenced as `#/components/schemas/<name>`")
        })?;
        if self.component_schema(&name).is_none() {
            return Err(format!("dangling reference `{reference}`: no such schema"));
        }
        Ok(name)
    }

    /// The parameter `item` is or references.
    pub fn parameter(&self, item: &'a ReferenceOr<Parameter>) -> Result<&'a Parameter, String> {
        self.follow(item, "parameters", |c, name| c.parameters.get(name))
    }

    /// The request body `item` is or references.
    pub fn request_body(
        &self,
        item: &'a ReferenceOr<RequestBody>,
    ) -> Result<&'a RequestBody, String> {
        self.follow(item, "requestBodies", |c, name| c.request_bodies.get(name))
    }

    /// The response `item` is or references.
    pub fn response(&self, item: &'a ReferenceOr<Response>) -> Result<&'a Response, String> {
        self.follow(item, "responses", |c, name| c.responses.get(name))
    }

    fn follow<T>(
        &self,
        mut item: &'a ReferenceOr<T>,
        section: &str,
        lookup: impl Fn(&'a openapiv3::Components, &str) -> Option<&'a ReferenceOr<T>>,
    ) -> Result<&'a T, String> {
        for _ in 0..MAX_HOPS {
            match item {
                ReferenceOr::Item(value) => return Ok(value),
                ReferenceOr::Reference { reference } => {
                    let name = component_name(reference, section).ok_or_else(|| {
                        format!("unsupported reference `{reference}`: expected `#/components/{section}/<name>`")
                    })?;
                    let components = self.doc.components.as_ref();
                    item = components.and_then(|c| lookup(c, &name)).ok_or_else(|| {
                        format!("dangling reference `{reference}`: no such component")
                    })?;
                }
            }
        }
        Err(format!(
            "circular chain of `#/components/{section}` references"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::component_name;

    #[test]
    fn component_names_are_unescaped() {
        assert_eq!(
            component_name("#/components/schemas/A~1B", "schemas").as_deref(),
            Some("A/B")
        );
        assert_eq!(component_name("#/components/parameters/p", "schemas"), None);
        assert_eq!(component_name("other.yaml#/x", "schemas"), None);
    }
}
