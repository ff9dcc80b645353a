//! Turns spec descriptions into doc comments that rustdoc and clippy accept as they are:
//! no doctests from indented or unlabelled code blocks, no broken intra-doc links, no stray
//! HTML tags, no bare URLs, list continuations indented.

/// Rewrites `text` (Markdown from the spec) for a `///` comment. Returns `None` for blank text.
pub fn sanitize(text: &str) -> Option<String> {
    crate::memo::remembered_option(text, crate::memo::Kind::Doc, convert)
}

fn convert(text: &str) -> Option<String> {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    if text.trim().is_empty() {
        return None;
    }
    let mut out: Vec<String> = Vec::new();
    let mut in_fence = false;
    // Consecutive prose lines, escaped together so links and code spans may span lines.
    let mut prose: Vec<&str> = Vec::new();
    for raw_line in text.lines() {
        let line = raw_line.trim();
        if let Some(rest) = line.strip_prefix("```") {
            flush_prose(&mut prose, &mut out);
            if in_fence {
                out.push("```".to_owned());
            } else if rest.trim().is_empty() || rest.trim() == "rust" {
                out.push("```text".to_owned());
            } else {
                out.push(format!("```{}", rest.trim()));
            }
            in_fence = !in_fence;
        } else if in_fence {
            out.push(raw_line.trim_end().to_owned());
        } else {
            prose.push(line);
        }
    }
    flush_prose(&mut prose, &mut out);
    if in_fence {
        out.push("```".to_owned());
    }
    while out.last().is_some_and(String::is_empty) {
        out.pop();
    }
    Some(out.join("\n"))
}

/// Escapes the collected prose lines and indents list-item continuations.
fn flush_prose(prose: &mut Vec<&str>, out: &mut Vec<String>) {
    if prose.is_empty() {
        return;
    }
    let escaped = escape_inline(&prose.join("\n"));
    prose.clear();
    // Width of the marker of the list item whose continuation lines we are in.
    let mut list_indent: Option<usize> = None;
    for line in escaped.lines() {
        if line.is_empty() {
            list_indent = None;
            out.push(String::new());
        } else if let Some(width) = list_marker_width(line) {
            list_indent = Some(width);
            out.push(line.to_owned());
        } else if let Some(width) = list_indent {
            out.push(format!("{}{line}", " ".repeat(width)));
        } else {
            out.push(line.to_owned());
        }
    }
}

/// `* `, `- `, `+ ` or `12. ` / `12) ` at the start of a line: the marker's width.
fn list_marker_width(line: &str) -> Option<usize> {
    if line.starts_with("* ") || line.starts_with("- ") || line.starts_with("+ ") {
        return Some(2);
    }
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    if digits > 0 && digits <= 3 {
        let rest = &line[digits..];
        if rest.starts_with(". ") || rest.starts_with(") ") {
            return Some(digits + 2);
        }
    }
    None
}

/// Escapes `<`, `>`, `[`, `]` outside code spans and wraps bare URLs in `<…>`.
fn escape_inline(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    let mut in_code = false;
    let mut rest = line;
    while let Some(c) = rest.chars().next() {
        // Copy the plain run up to the next character any rule below looks at in one go.
        // Right after `](` the link-target rule needs the next character, so no skipping then.
        let run = if in_code {
            rest.find('`')
        } else if out.ends_with("](") {
            Some(0)
        } else {
            rest.find(['`', '<', '>', '[', ']', 'h', '('])
        }
        .unwrap_or(rest.len());
        if run > 0 {
            out.push_str(&rest[..run]);
            rest = &rest[run..];
            continue;
        }
        if c == '`' {
            in_code = !in_code;
            out.push(c);
            rest = &rest[1..];
            continue;
        }
        if !in_code {
            if out.ends_with("](") && !rest.starts_with(')') {
                if let Some(close) = rest.find(')') {
                    // A link target: keep it whole, even when the document wrapped it.
                    let target: String = rest[..close].split_whitespace().collect();
                    out.push_str(&target);
                    rest = &rest[close..];
                    continue;
                }
            }
            if rest.starts_with("http://") || rest.starts_with("https://") {
                let end = rest
                    .find(|c: char| c.is_whitespace() || matches!(c, ')' | '<' | '>' | '"' | '`'))
                    .unwrap_or(rest.len());
                let url = rest[..end].trim_end_matches(['.', ',', ';', ':']);
                if out.ends_with("](") {
                    // Already the target of a Markdown link.
                    out.push_str(url);
                } else {
                    out.push('<');
                    out.push_str(url);
                    out.push('>');
                }
                rest = &rest[url.len()..];
                continue;
            }
            match c {
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '[' if !is_link_text(rest) => out.push_str("\\["),
                ']' if !closes_link_text(rest) => out.push_str("\\]"),
                _ => out.push(c),
            }
        } else {
            out.push(c);
        }
        rest = &rest[c.len_utf8()..];
    }
    if in_code {
        // An unbalanced backtick would swallow what follows; close it here.
        out.push('`');
    }
    out
}

/// `rest` starts with `[`: whether it is the text of an inline link `[text](target)`.
fn is_link_text(rest: &str) -> bool {
    match rest.find(']') {
        Some(close) => rest[close + 1..].starts_with('(') && !rest[1..close].contains('['),
        None => false,
    }
}

/// `rest` starts with `]`: whether it closes the text of an inline link.
fn closes_link_text(rest: &str) -> bool {
    rest[1..].starts_with('(')
}

#[cfg(test)]
mod tests {
    use super::sanitize;

    #[test]
    fn blank_text_gives_none() {
        assert_eq!(sanitize("  \n "), None);
    }

    #[test]
    fn indented_lines_do_not_become_code_blocks() {
        let doc = sanitize("First.\n\n        indented text").unwrap_or_default();
        assert_eq!(doc, "First.\n\nindented text");
    }

    #[test]
    fn unlabelled_fences_become_text() {
        let doc = sanitize("```\nfn main() {}\n```").unwrap_or_default();
        assert_eq!(doc, "```text\nfn main() {}\n```");
    }

    #[test]
    fn brackets_html_and_urls_are_escaped() {
        let doc = sanitize(
            "A [link](https://x.org/a) and [x] and List<String> at https://y.org. (https://z.org)",
        )
        .unwrap_or_default();
        assert_eq!(
            doc,
            "A [link](https://x.org/a) and \\[x\\] and List&lt;String&gt; at <https://y.org>. (<https://z.org>)"
        );
        let code = sanitize("Use `a<b>` here").unwrap_or_default();
        assert_eq!(code, "Use `a<b>` here");
    }

    #[test]
    fn links_may_span_lines() {
        let doc = sanitize("see [Get\nCount](https://x.org/c) now").unwrap_or_default();
        assert_eq!(doc, "see [Get\nCount](https://x.org/c) now");
        let empty = sanitize("an [empty]() target").unwrap_or_default();
        assert_eq!(empty, "an [empty]() target");
        let wrapped = sanitize("[Jobs](https://x.org/post-\nquery/) method").unwrap_or_default();
        assert_eq!(wrapped, "[Jobs](https://x.org/post-query/) method");
    }

    #[test]
    fn list_continuations_are_indented() {
        let doc = sanitize("* one\ncontinued\n\nafter").unwrap_or_default();
        assert_eq!(doc, "* one\n  continued\n\nafter");
    }
}
