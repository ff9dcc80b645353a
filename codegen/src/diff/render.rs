//! Rendering a [`Report`] as plain text, Markdown or JSON.

use super::{Change, Report, Severity, Status, Summary, Usage};
use std::fmt::Write;

fn summary_line(s: &Summary) -> String {
    format!(
        "operations: {} added, {} removed, {} changed; types: {} added, {} removed, {} changed; \
         {} breaking, {} compatible",
        s.operations_added,
        s.operations_removed,
        s.operations_changed,
        s.types_added,
        s.types_removed,
        s.types_changed,
        s.breaking,
        s.compatible
    )
}

fn title(report: &Report) -> String {
    let side = |d: &super::DocumentInfo| {
        let t = d.title.split_whitespace().collect::<Vec<_>>().join(" ");
        format!("{t} {}", d.version.trim())
    };
    format!("{} → {}", side(&report.old), side(&report.new))
}

fn status_word(status: Status) -> &'static str {
    match status {
        Status::Added => "added",
        Status::Removed => "removed",
        Status::Changed => "changed",
    }
}

fn usage_word(usage: Usage) -> &'static str {
    match usage {
        Usage::Request => "request",
        Usage::Response => "response",
        Usage::Both => "request and response",
        Usage::Unused => "not used by operations",
    }
}

fn severity_word(severity: Severity) -> &'static str {
    match severity {
        Severity::Breaking => "BREAKING",
        Severity::Compatible => "compatible",
    }
}

/// Whether an added/removed item has nothing to say beyond its status.
fn single_status_item(changes: &[Change], status: Status) -> Option<&Change> {
    match (status, changes) {
        (Status::Added | Status::Removed, [only]) => Some(only),
        _ => None,
    }
}

/// Readable plain text.
pub(super) fn text(report: &Report) -> String {
    let mut out = String::new();
    // Writing to a String cannot fail.
    let _ = writeln!(out, "API changes: {}", title(report));
    let _ = writeln!(out, "Summary: {}", summary_line(&report.summary));
    for tag in &report.tags {
        let _ = writeln!(out, "\nTag \"{}\" (client.{}())", tag.name, tag.accessor);
        for op in &tag.operations {
            let head = format!("{} {} ({})", op.method, op.path, op.operation_id);
            match single_status_item(&op.changes, op.status) {
                Some(c) => {
                    let _ = writeln!(
                        out,
                        "  {:<10}  {head}: {}",
                        severity_word(c.severity),
                        c.detail
                    );
                }
                None => {
                    let _ = writeln!(out, "  {head}: {} {}", status_word(op.status), op.rust);
                    for c in &op.changes {
                        let _ = writeln!(
                            out,
                            "    {:<10}  {}: {}",
                            severity_word(c.severity),
                            c.subject,
                            c.detail
                        );
                    }
                }
            }
        }
    }
    if !report.types.is_empty() {
        let _ = writeln!(out, "\nModels");
        for ty in &report.types {
            let head = format!("{} ({})", ty.name, usage_word(ty.usage));
            match single_status_item(&ty.changes, ty.status) {
                Some(c) => {
                    let _ = writeln!(
                        out,
                        "  {:<10}  {head}: {}",
                        severity_word(c.severity),
                        c.detail
                    );
                }
                None => {
                    let _ = writeln!(out, "  {head}: {}", status_word(ty.status));
                    for c in &ty.changes {
                        let _ = writeln!(
                            out,
                            "    {:<10}  {}: {}",
                            severity_word(c.severity),
                            c.subject,
                            c.detail
                        );
                    }
                }
            }
        }
    }
    if report.tags.is_empty() && report.types.is_empty() {
        let _ = writeln!(out, "\nNo changes.");
    }
    out
}

/// Escapes what Markdown would read as markup outside code spans.
fn md(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '*' | '_' | '<' | '>' | '[' | ']' | '|' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A code span that survives backticks inside `text`.
fn code(text: &str) -> String {
    if text.contains('`') {
        format!("`` {text} ``")
    } else {
        format!("`{text}`")
    }
}

fn md_change(c: &Change) -> String {
    let mark = match c.severity {
        Severity::Breaking => "**BREAKING**",
        Severity::Compatible => "compatible",
    };
    format!("{mark} {}: {}", md_inline(&c.subject), md_inline(&c.detail))
}

/// Text that already marks code with backticks: escape outside the code spans only.
fn md_inline(text: &str) -> String {
    text.split('`')
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 {
                format!("`{part}`")
            } else {
                md(part)
            }
        })
        .collect()
}

/// Markdown, for a README or a pull request.
pub(super) fn markdown(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# API changes: {}\n", md(&title(report)));
    let s = &report.summary;
    let _ = writeln!(
        out,
        "| | added | removed | changed |\n|---|---:|---:|---:|\n\
         | operations | {} | {} | {} |\n| types | {} | {} | {} |\n",
        s.operations_added,
        s.operations_removed,
        s.operations_changed,
        s.types_added,
        s.types_removed,
        s.types_changed
    );
    let _ = writeln!(
        out,
        "**{} breaking**, {} compatible changes ({} operations and {} types in the old \
         document, {} and {} in the new).",
        s.breaking,
        s.compatible,
        report.old.operations,
        report.old.types,
        report.new.operations,
        report.new.types
    );
    breaking_section(report, &mut out);
    if !report.tags.is_empty() {
        let _ = writeln!(out, "\n## Operations");
    }
    for tag in &report.tags {
        let _ = writeln!(
            out,
            "\n### {} — {}\n",
            md(&tag.name),
            code(&format!("client.{}()", tag.accessor))
        );
        for op in &tag.operations {
            let head = format!(
                "{} ({})",
                code(&format!("{} {}", op.method, op.path)),
                code(&op.operation_id)
            );
            match single_status_item(&op.changes, op.status) {
                Some(c) => {
                    let _ = writeln!(out, "- {head}: {}", md_change(c));
                }
                None => {
                    let _ = writeln!(
                        out,
                        "- {head}: {} {}",
                        status_word(op.status),
                        code(&op.rust)
                    );
                    for c in &op.changes {
                        let _ = writeln!(out, "  - {}", md_change(c));
                    }
                }
            }
        }
    }
    if !report.types.is_empty() {
        let _ = writeln!(out, "\n## Models\n");
        for ty in &report.types {
            let head = format!("{} ({})", code(&ty.name), usage_word(ty.usage));
            match single_status_item(&ty.changes, ty.status) {
                Some(c) => {
                    let _ = writeln!(out, "- {head}: {}", md_change(c));
                }
                None => {
                    let _ = writeln!(out, "- {head}: {}", status_word(ty.status));
                    for c in &ty.changes {
                        let _ = writeln!(out, "  - {}", md_change(c));
                    }
                }
            }
        }
    }
    if report.tags.is_empty() && report.types.is_empty() {
        let _ = writeln!(out, "\nNo changes.");
    }
    out
}

/// All breaking changes in one short list, before the details.
fn breaking_section(report: &Report, out: &mut String) {
    if report.summary.breaking == 0 {
        return;
    }
    let _ = writeln!(out, "\n## Breaking changes\n");
    for tag in &report.tags {
        for op in &tag.operations {
            for c in op
                .changes
                .iter()
                .filter(|c| c.severity == Severity::Breaking)
            {
                let _ = writeln!(
                    out,
                    "- {} ({}): {}: {}",
                    code(&format!("{} {}", op.method, op.path)),
                    code(&op.operation_id),
                    md_inline(&c.subject),
                    md_inline(&c.detail)
                );
            }
        }
    }
    for ty in &report.types {
        for c in ty
            .changes
            .iter()
            .filter(|c| c.severity == Severity::Breaking)
        {
            let _ = writeln!(
                out,
                "- {} ({}): {}: {}",
                code(&ty.name),
                usage_word(ty.usage),
                md_inline(&c.subject),
                md_inline(&c.detail)
            );
        }
    }
}

/// Pretty-printed JSON.
pub(super) fn json(report: &Report) -> String {
    // The report holds only strings, numbers and enums: serialization cannot fail, but a
    // failure would still be reported rather than hidden.
    match serde_json::to_string_pretty(report) {
        Ok(mut s) => {
            s.push('\n');
            s
        }
        Err(e) => format!("{{\"error\": {:?}}}\n", e.to_string()),
    }
}
