//! Syntax tree → formatted Rust source (`prettyplease`).

use crate::error::Failure;

/// Pretty-prints a generated file.
pub fn format(file: &syn::File) -> String {
    prettyplease::unparse(file)
}

/// Joins the printed parts of one module (each printed as the whole module with only some of
/// its items, see `emit::emit_models_part`) into the text of the whole module: the first part
/// without its closing brace, the middle ones without their opening and closing lines, the last
/// without its opening line. prettyplease prints the items of a module independently of each
/// other, so the result is what printing the whole module gives. A part that does not have the
/// expected shape is a generator bug, reported as an error.
pub fn join_module_parts(module: &str, parts: &[String]) -> Result<String, Failure> {
    if let [whole] = parts {
        return Ok(whole.clone());
    }
    let open = format!("pub mod {module} {{\n");
    let close = "}\n";
    let mut out = String::with_capacity(parts.iter().map(String::len).sum());
    let last = parts.len().saturating_sub(1);
    for (i, part) in parts.iter().enumerate() {
        let mut text = part.as_str();
        if i > 0 {
            text = text
                .strip_prefix(open.as_str())
                .ok_or_else(|| bad_part(module))?;
        } else if !text.contains(open.as_str()) {
            return Err(bad_part(module));
        }
        if i < last {
            text = text.strip_suffix(close).ok_or_else(|| bad_part(module))?;
        } else if !text.ends_with(close) {
            return Err(bad_part(module));
        }
        out.push_str(text);
    }
    Ok(out)
}

fn bad_part(module: &str) -> Failure {
    Failure::single(
        "generator",
        format!("internal error: a printed part of module `{module}` has an unexpected shape; please report this"),
    )
}
