//! Tokens → formatted Rust source (`syn` + `prettyplease`).

use crate::error::Failure;
use proc_macro2::TokenStream;

/// Pretty-prints generated tokens. A failure here is a generator bug, reported as an error
/// rather than a panic.
pub fn format(tokens: TokenStream) -> Result<String, Failure> {
    let file: syn::File = syn::parse2(tokens).map_err(|e| {
        Failure::single(
            "generator",
            format!("internal error: the generated code does not parse ({e}); please report this"),
        )
    })?;
    Ok(prettyplease::unparse(&file))
}
