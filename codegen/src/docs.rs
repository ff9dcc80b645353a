//! Turns spec descriptions into doc comments that rustdoc and clippy accept as they are:
//! no doctests from indented or unlabelled code blocks, no broken intra-doc links, no stray
//! HTML tags, no bare URLs, list continuations indented ([`sanitize`]); and makes the links
//! Camunda's descriptions write for its own docs site work anywhere ([`resolve_links`]).

use std::borrow::Cow;

/// Camunda's docs site.
const DOCS_SITE: &str = "https://docs.camunda.org";
/// The placeholder Camunda's documents write for the docs address of their version.
const DOCS_PLACEHOLDER: &str = "$(docsUrl)";

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

/// The address of the manual of the version `version` (a document's `info.version`, e.g.
/// `7.24.0-SNAPSHOT`): `https://docs.camunda.org/manual/7.24`. `None` when the version does not
/// start with `major.minor`.
pub fn docs_base(version: &str) -> Option<String> {
    let version = version.trim();
    let version = version.strip_prefix(['v', 'V']).unwrap_or(version);
    let mut parts = version.split(['.', '-', '+']);
    let number = |part: Option<&str>| {
        part.filter(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
            .map(str::to_owned)
    };
    let major = number(parts.next())?;
    let minor = number(parts.next())?;
    Some(format!("{DOCS_SITE}/manual/{major}.{minor}"))
}

/// Rewrites the links of a doc (as [`sanitize`] makes it) that only work on Camunda's docs
/// site: a target starting with `$(docsUrl)`, `/manual/` or `/reference/` is resolved against
/// `base` (see [`docs_base`]; the version segment of `/manual/develop/…` is replaced by the
/// base's), any other relative target is dropped with the link, keeping its text. Without a
/// base every such link is dropped. Links in code are left alone; a `$(docsUrl)` outside a link
/// becomes the address (or goes, without a base). Absolute and empty targets stay, except that
/// addresses of the manual's unreleased or newest version (`…/manual/develop/…`,
/// `…/manual/latest/…`) are pinned to the base's version.
pub fn resolve_links<'t>(text: &'t str, base: Option<&str>) -> Cow<'t, str> {
    let candidates = ["](", DOCS_PLACEHOLDER, "docs.camunda.org/manual/"];
    if !candidates.iter().any(|c| text.contains(c)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 64);
    let mut in_fence = false;
    // Consecutive prose lines, rewritten together so a link's text may span lines.
    let mut prose = String::new();
    for line in text.split_inclusive('\n') {
        if line.trim_start().starts_with("```") {
            out.push_str(&rewrite_prose(&prose, base));
            prose.clear();
            in_fence = !in_fence;
            out.push_str(line);
        } else if in_fence {
            out.push_str(&line.replace(DOCS_PLACEHOLDER, base.unwrap_or_default()));
        } else {
            prose.push_str(line);
        }
    }
    out.push_str(&rewrite_prose(&prose, base));
    if out == text {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(out)
    }
}

/// [`resolve_links`] for prose (no code blocks).
fn rewrite_prose(prose: &str, base: Option<&str>) -> String {
    let mut out = String::with_capacity(prose.len() + 64);
    let mut in_code = false;
    // Where in `out` the `[` of the link being read was written.
    let mut link_start: Option<usize> = None;
    let mut rest = prose;
    while let Some(c) = rest.chars().next() {
        let len = c.len_utf8();
        if c == '`' {
            in_code = !in_code;
        } else if in_code {
            if let Some(after) = rest.strip_prefix(DOCS_PLACEHOLDER) {
                out.push_str(base.unwrap_or_default());
                rest = after;
                continue;
            }
        } else if c == '\\' {
            // An escaped character (`\[`): copied with its backslash, never a link's bracket.
            let escaped = rest[len..].chars().next().map_or(0, char::len_utf8);
            out.push_str(&rest[..len + escaped]);
            rest = &rest[len + escaped..];
            continue;
        } else if c == '[' {
            link_start = Some(out.len());
        } else if c == ']' && rest[len..].starts_with('(') {
            if let (Some(start), Some((target, after))) = (link_start, link_target(&rest[2..])) {
                match resolve_target(&target, base) {
                    Some(Cow::Borrowed(_)) => out.push_str(&rest[..rest.len() - after.len()]),
                    Some(Cow::Owned(url)) => {
                        out.push_str("](");
                        out.push_str(&url);
                        out.push(')');
                    }
                    None => {
                        out.remove(start);
                    }
                }
                link_start = None;
                rest = after;
                continue;
            }
        } else if let Some(url) = rest.strip_prefix('<').filter(|_| base.is_some()) {
            // A bare address `<https://…>` of the manual's moving versions.
            if let Some(end) = url.find('>') {
                if let Some(pinned) = base.and_then(|base| pin_version(&url[..end], base)) {
                    out.push('<');
                    out.push_str(&pinned);
                    out.push('>');
                    rest = &url[end + 1..];
                    continue;
                }
            }
        } else if let Some(after) = rest.strip_prefix(DOCS_PLACEHOLDER) {
            // The placeholder outside a link: the address, in `<…>` as a URL in prose must be.
            let end = after
                .find(|c: char| c.is_whitespace() || matches!(c, ')' | '<' | '>' | '`'))
                .unwrap_or(after.len());
            let path = after[..end].trim_end_matches(['.', ',', ';', ':']);
            match base {
                Some(base) => {
                    out.push('<');
                    out.push_str(base);
                    out.push_str(path);
                    out.push('>');
                }
                None => out.push_str(path),
            }
            rest = &after[path.len()..];
            continue;
        }
        out.push(c);
        rest = &rest[len..];
    }
    out
}

/// The target of a link whose `](` came just before `rest`, without the whitespace a document
/// may have wrapped into it, and what follows its `)`. A `$(docsUrl)` target ends at the `)`
/// after the placeholder's own.
fn link_target(rest: &str) -> Option<(String, &str)> {
    let skip = if rest.starts_with(DOCS_PLACEHOLDER) {
        DOCS_PLACEHOLDER.len()
    } else {
        0
    };
    let close = skip + rest[skip..].find(')')?;
    let target = rest[..close].split_whitespace().collect();
    Some((target, &rest[close + 1..]))
}

/// What a link target becomes: itself (borrowed), a resolved address (owned) or nothing (the
/// link is dropped).
fn resolve_target<'t>(target: &'t str, base: Option<&str>) -> Option<Cow<'t, str>> {
    let absolute = target.contains("://") || target.starts_with("mailto:");
    if target.is_empty() || absolute {
        return Some(match base.and_then(|base| pin_version(target, base)) {
            Some(pinned) => Cow::Owned(pinned),
            None => Cow::Borrowed(target),
        });
    }
    let base = base?;
    let path = if let Some(path) = target.strip_prefix(DOCS_PLACEHOLDER) {
        path.to_owned()
    } else if let Some(path) = target.strip_prefix("/manual/") {
        // `/manual/develop/…`, `/manual/latest/…`, `/manual/7.21/…` or `/manual/…`.
        let (first, tail) = path.split_once('/').unwrap_or((path, ""));
        let is_version = matches!(first, "develop" | "latest")
            || (first.contains('.') && first.chars().all(|c| c.is_ascii_digit() || c == '.'));
        if is_version {
            format!("/{tail}")
        } else {
            format!("/{path}")
        }
    } else if target.starts_with("/reference/") {
        target.to_owned()
    } else {
        return None;
    };
    let separator = if path.starts_with(['/', '#']) || path.is_empty() {
        ""
    } else {
        "/"
    };
    Some(Cow::Owned(format!("{base}{separator}{path}")))
}

/// `url` with the manual's moving version (`develop`, `latest`) replaced by the version of
/// `base`; `None` for any other address.
fn pin_version(url: &str, base: &str) -> Option<String> {
    let path = url
        .strip_prefix(DOCS_SITE)
        .or_else(|| url.strip_prefix("http://docs.camunda.org"))?;
    let tail = path
        .strip_prefix("/manual/develop")
        .or_else(|| path.strip_prefix("/manual/latest"))?;
    (tail.is_empty() || tail.starts_with(['/', '#'])).then(|| format!("{base}{tail}"))
}

#[cfg(test)]
mod tests {
    use super::{docs_base, resolve_links, sanitize};

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

    #[test]
    fn the_docs_base_comes_from_the_version() {
        let base = "https://docs.camunda.org/manual/7.24";
        assert_eq!(docs_base("7.24.0-SNAPSHOT").as_deref(), Some(base));
        assert_eq!(docs_base("7.24.0").as_deref(), Some(base));
        assert_eq!(docs_base("v7.24").as_deref(), Some(base));
        assert_eq!(docs_base("1").as_deref(), None);
        assert_eq!(docs_base("latest").as_deref(), None);
    }

    #[test]
    fn site_relative_links_are_resolved_or_dropped() {
        let base = Some("https://docs.camunda.org/manual/7.24");
        let resolve = |text: &str| resolve_links(text, base).into_owned();
        // The placeholder, whose `)` is not the end of the target.
        assert_eq!(
            resolve("[Default format]($(docsUrl)/reference/rest/overview/date-format/)\n`x`."),
            "[Default format](https://docs.camunda.org/manual/7.24/reference/rest/overview/date-format/)\n`x`."
        );
        // `/manual/<version>/…`, a link text over two lines.
        assert_eq!(
            resolve("See the [User\nGuide](/manual/develop/user-guide/incidents/#types) for more."),
            "See the [User\nGuide](https://docs.camunda.org/manual/7.24/user-guide/incidents/#types) for more."
        );
        assert_eq!(
            resolve("[a](/manual/user-guide/x/)"),
            "[a](https://docs.camunda.org/manual/7.24/user-guide/x/)"
        );
        assert_eq!(
            resolve("See the [Introduction](/reference/rest/overview/#error-handling)."),
            "See the [Introduction](https://docs.camunda.org/manual/7.24/reference/rest/overview/#error-handling)."
        );
        // Other relative targets go, their text stays; absolute and empty ones stay.
        assert_eq!(resolve("a [b](other/page) c"), "a b c");
        assert_eq!(
            resolve("[x](https://x.org/a) and [e]()"),
            "[x](https://x.org/a) and [e]()"
        );
        // Escaped brackets, code spans and code blocks are not links.
        assert_eq!(resolve("\\[x\\](/manual/a)"), "\\[x\\](/manual/a)");
        assert_eq!(resolve("`[x](/manual/a)`"), "`[x](/manual/a)`");
        let fenced = "```text\n[x](/manual/a)\n```\n[y](/manual/b)";
        assert_eq!(
            resolve(fenced),
            "```text\n[x](/manual/a)\n```\n[y](https://docs.camunda.org/manual/7.24/b)"
        );
        // Addresses of the moving versions are pinned, others stay.
        assert_eq!(
            resolve("[a](https://docs.camunda.org/manual/develop/user-guide/) <https://docs.camunda.org/manual/latest/x/>"),
            "[a](https://docs.camunda.org/manual/7.24/user-guide/) <https://docs.camunda.org/manual/7.24/x/>"
        );
        assert_eq!(
            resolve("[a](https://docs.camunda.org/manual/7.21/x/) <https://docs.camunda.org/manual/developer/>"),
            "[a](https://docs.camunda.org/manual/7.21/x/) <https://docs.camunda.org/manual/developer/>"
        );
        assert_eq!(
            resolve("see <https://docs.camunda.org/manual/develop/y/>."),
            "see <https://docs.camunda.org/manual/7.24/y/>."
        );
        // The placeholder outside a link becomes the address.
        assert_eq!(
            resolve("at $(docsUrl)/reference/x/."),
            "at <https://docs.camunda.org/manual/7.24/reference/x/>."
        );
        // Text without such links is not copied.
        assert!(matches!(
            resolve_links("[x](https://x.org)", base),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn without_a_base_site_links_are_dropped() {
        let text = "[Default format]($(docsUrl)/reference/date/) and [Guide](/manual/develop/g/).";
        assert_eq!(resolve_links(text, None), "Default format and Guide.");
    }

    #[test]
    fn sanitized_camunda_links_resolve() {
        let raw = "See the [User Guide](/manual/develop/user-\nguide/process-engine/incidents/#incident-types) for a list.";
        let doc = sanitize(raw).unwrap_or_default();
        assert_eq!(
            resolve_links(&doc, Some("https://docs.camunda.org/manual/7.24")),
            "See the [User Guide](https://docs.camunda.org/manual/7.24/user-guide/process-engine/incidents/#incident-types) for a list."
        );
    }
}
