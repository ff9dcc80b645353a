//! Syntax tree → formatted Rust source (`prettyplease`).

/// Pretty-prints a generated file.
pub fn format(file: &syn::File) -> String {
    prettyplease::unparse(file)
}
