//! Curators write descriptions in Markdown; visitors get sanitised HTML.
//!
//! Raw HTML in Markdown passes through pulldown-cmark untouched, so every result goes through
//! ammonia, which keeps only harmless elements and attributes: no `<script>`, no event
//! handlers, no `javascript:` URLs. Headings are moved down two levels so that a description's
//! `# Title` never competes with the page's one `<h1>` (it sits under an `<h2>`).

use std::sync::LazyLock;

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

static CLEANER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut b = ammonia::Builder::default();
    b.link_rel(Some("noopener noreferrer nofollow"));
    b
});

fn lower(level: HeadingLevel) -> HeadingLevel {
    match level {
        HeadingLevel::H1 => HeadingLevel::H3,
        HeadingLevel::H2 => HeadingLevel::H4,
        HeadingLevel::H3 => HeadingLevel::H5,
        _ => HeadingLevel::H6,
    }
}

/// Markdown to safe HTML. Empty input gives an empty string.
pub fn to_html(markdown: &str) -> String {
    if markdown.trim().is_empty() {
        return String::new();
    }
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_SMART_PUNCTUATION;
    let events = Parser::new_ext(markdown, options).map(|event| match event {
        Event::Start(Tag::Heading {
            level,
            id,
            classes,
            attrs,
        }) => Event::Start(Tag::Heading {
            level: lower(level),
            id,
            classes,
            attrs,
        }),
        Event::End(TagEnd::Heading(level)) => Event::End(TagEnd::Heading(lower(level))),
        other => other,
    });
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events);
    CLEANER.clean(&html).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_handlers_and_javascript_urls_are_removed() {
        let html = to_html(
            "Hi <script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[x](javascript:alert(1)) <a href=\"JaVaScRiPt:alert(1)\">y</a>",
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("onerror"), "{html}");
        assert!(!html.to_lowercase().contains("javascript:"), "{html}");
    }

    #[test]
    fn markdown_renders_and_headings_step_down() {
        let html = to_html("# Title\n\nSome *emphasis* and [a link](https://example.org).");
        assert!(html.contains("<h3>Title</h3>"), "{html}");
        assert!(html.contains("<em>emphasis</em>"));
        assert!(html.contains("href=\"https://example.org\""));
        assert_eq!(to_html("   "), "");
    }
}
