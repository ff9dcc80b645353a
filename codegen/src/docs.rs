//! Turns spec descriptions into doc comments that rustdoc and clippy accept as they are:
//! no doctests from indented or unlabelled code blocks, no broken intra-doc links, no stray
//! HTML tags, no bare URLs, list continuations indented.

/// Rewrites `text` (Markdown from the spec) for a `///` comment. Returns `None` for blank text.
pub fn sanitize(text: &str) -> Option<String> {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    if text.trim().is_empty() {
        return None;
    }
    let mut out: Vec<String> = Vec::new();
    let mut in_fence = false;
    // Width of the marker of the list item whose continuation lines we are in.
    let mut list_indent: Option<usize> = None;
    for raw_line in text.lines() {
        let line = raw_line.trim();
        if let Some(rest) = line.strip_prefix("```") {
            if in_fence {
                out.push("```".to_owned());
            } else if rest.trim().is_empty() || rest.trim() == "rust" {
                out.push("```text".to_owned());
            } else {
                out.push(format!("```{}", rest.trim()));
            }
            in_fence = !in_fence;
            list_indent = None;
            continue;
        }
        if in_fence {
            out.push(raw_line.trim_end().to_owned());
            continue;
        }
        if line.is_empty() {
            list_indent = None;
            out.push(String::new());
            continue;
        }
        let escaped = escape_inline(line);
        if let Some(width) = list_marker_width(line) {
            list_indent = Some(width);
            out.push(escaped);
        } else if let Some(width) = list_indent {
            out.push(format!("{}{escaped}", " ".repeat(width)));
        } else {
            out.push(escaped);
        }
    }
    if in_fence {
        out.push("```".to_owned());
    }
    while out.last().is_some_and(String::is_empty) {
        out.pop();
    }
    Some(out.join("\n"))
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
        if c == '`' {
            in_code = !in_code;
            out.push(c);
            rest = &rest[1..];
            continue;
        }
        if !in_code {
            if rest.starts_with("http://") || rest.starts_with("https://") {
                let end = rest
                    .find(|c: char| c.is_whitespace() || matches!(c, ')' | '<' | '>' | '"' | '`'))
                    .unwrap_or(rest.len());
                let url = rest[..end].trim_end_matches(['.', ',', ';', ':']);
                let previous = out.chars().last();
                if previous == Some('(') {
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
        // An unbalanced backtick would swallow the next line; close it here.
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
        let doc = sanitize("A [link](https://x.org/a) and [x] and List<String> at https://y.org.")
            .unwrap_or_default();
        assert_eq!(
            doc,
            "A [link](https://x.org/a) and \\[x\\] and List&lt;String&gt; at <https://y.org>."
        );
        let code = sanitize("Use `a<b>` here").unwrap_or_default();
        assert_eq!(code, "Use `a<b>` here");
    }

    #[test]
    fn list_continuations_are_indented() {
        let doc = sanitize("* one\ncontinued\n\nafter").unwrap_or_default();
        assert_eq!(doc, "* one\n  continued\n\nafter");
    }
}
