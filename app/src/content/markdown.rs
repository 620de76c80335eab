//! Markdown to HTML for node texts and roadmap introductions.
//!
//! The HTML goes straight into the page with `inner_html`, so this is the one place that makes
//! authored text safe: raw HTML is turned into escaped text and links or images with a scheme
//! other than http, https or mailto are reduced to their text. Everything else is
//! pulldown-cmark's own writer, which escapes text and attribute values.
//!
//! Learners' personal notes ([`render_note`]) go through the same filter, stricter still: they
//! are user-generated, so only absolute http, https and mailto links survive, each marked
//! `rel="nofollow noopener ugc"`, and images are reduced to their text (no tracking pixels).

use std::ops::Range;

use pulldown_cmark::{html, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd};

/// The Markdown dialect of the content: CommonMark plus tables and strikethrough.
fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH
}

/// Markdown → HTML (pulldown-cmark, with tables and strikethrough on).
///
/// Raw HTML, block and inline, comes out escaped as text, never as markup. Links and images whose
/// URL scheme is not http, https or mailto (relative and fragment URLs are fine) are dropped to
/// their plain text, so `javascript:`, `data:` and `vbscript:` never reach an `href` or `src`.
/// The result is safe to insert with `inner_html`.
pub fn render_markdown(markdown: &str) -> String {
    render(markdown, is_safe_url, true)
}

/// A learner's note → HTML, safe to insert with `inner_html`: as [`render_markdown`], but only
/// absolute `http:`, `https:` and `mailto:` links are kept (relative ones too are reduced to
/// their text), every link gets `rel="nofollow noopener ugc"`, and images become their text.
pub fn render_note(markdown: &str) -> String {
    let html = render(markdown, is_absolute_safe_url, false);
    // Every `<a ` in the output comes from pulldown-cmark's writer: raw HTML was turned into
    // escaped text above, so text can never produce a literal `<a href="`.
    html.replace("<a href=\"", "<a rel=\"nofollow noopener ugc\" href=\"")
}

fn render(markdown: &str, link_ok: fn(&str) -> bool, images_ok: bool) -> String {
    // Whether each open link / image was kept, so its end tag gets the same treatment.
    let mut links: Vec<bool> = Vec::new();
    let mut images: Vec<bool> = Vec::new();
    let events = Parser::new_ext(markdown, options()).filter_map(move |event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Some(Event::Text(raw)),
        // An HTML block becomes a paragraph of its (escaped) source.
        Event::Start(Tag::HtmlBlock) => Some(Event::Start(Tag::Paragraph)),
        Event::End(TagEnd::HtmlBlock) => Some(Event::End(TagEnd::Paragraph)),
        Event::Start(Tag::Link {
            link_type,
            ref dest_url,
            ..
        }) => {
            // Email autolinks carry the bare address; the writer adds `mailto:` itself.
            let keep = link_type == LinkType::Email || link_ok(dest_url);
            links.push(keep);
            keep.then_some(event)
        }
        Event::End(TagEnd::Link) => links.pop().unwrap_or(false).then_some(event),
        Event::Start(Tag::Image { ref dest_url, .. }) => {
            let keep = images_ok && is_safe_url(dest_url);
            images.push(keep);
            keep.then_some(event)
        }
        Event::End(TagEnd::Image) => images.pop().unwrap_or(false).then_some(event),
        other => Some(other),
    });
    let mut out = String::with_capacity(markdown.len() + markdown.len() / 2);
    html::push_html(&mut out, events);
    out
}

/// Whether a link or image destination may reach the page: http, https, mailto, or no scheme at
/// all (relative paths, `//host/...`, `#fragment`, `?query`).
///
/// Browsers ignore tabs, newlines and other control characters inside a URL and leading spaces
/// before it, so those are removed before the scheme is read (`java\tscript:` is `javascript:`).
fn is_safe_url(url: &str) -> bool {
    let cleaned: String = url
        .chars()
        .filter(|c| !c.is_ascii_control() && *c != ' ')
        .collect();
    match cleaned.find([':', '/', '?', '#']) {
        Some(end) if cleaned[end..].starts_with(':') => {
            let scheme = cleaned[..end].to_ascii_lowercase();
            matches!(scheme.as_str(), "http" | "https" | "mailto")
        }
        _ => true,
    }
}

/// Whether a note's link may reach the page: an absolute http, https or mailto URL only.
fn is_absolute_safe_url(url: &str) -> bool {
    let cleaned: String = url
        .chars()
        .filter(|c| !c.is_ascii_control() && *c != ' ')
        .collect::<String>()
        .to_ascii_lowercase();
    ["http://", "https://", "mailto:"]
        .iter()
        .any(|scheme| cleaned.starts_with(scheme))
}

/// A `#` or `##` heading found in a node's text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct TopHeading {
    /// Byte offset of the heading in the text.
    pub offset: usize,
    /// `true` for an underlined (setext) heading, `false` for a `#` (ATX) heading.
    pub underlined: bool,
}

/// Every level-1 or level-2 heading in `markdown`, as the renderer would see it (so `#` lines
/// in code blocks do not count, but `Title` underlined with `===` or `---` does).
pub(super) fn top_level_headings(markdown: &str) -> Vec<TopHeading> {
    Parser::new_ext(markdown, options())
        .into_offset_iter()
        .filter_map(|(event, range): (Event<'_>, Range<usize>)| match event {
            Event::Start(Tag::Heading {
                level: HeadingLevel::H1 | HeadingLevel::H2,
                ..
            }) => {
                let source = markdown.get(range.clone()).unwrap_or("");
                Some(TopHeading {
                    offset: range.start,
                    underlined: !source.trim_start().starts_with('#'),
                })
            }
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_escape_raw_html_and_script() {
        let html = render_note("<script>alert(1)</script>\n\nHi <b onmouseover=x()>there</b>");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<b "), "{html}");
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{html}"
        );
        assert!(
            html.contains("&lt;b onmouseover=x()&gt;there&lt;/b&gt;"),
            "{html}"
        );
    }

    #[test]
    fn notes_keep_only_absolute_web_links_marked_ugc() {
        let html = render_note(
            "[docs](https://example.com/a?b=1&c=\"2\") <me@example.com> [rel](../x) [frag](#top) \
             [js](javascript:alert(1)) [js2](JAVA&#9;SCRIPT:alert(1)) ![pixel](https://t.example/p.gif) \
             `<a href=\"x\">` **bold**",
        );
        assert!(
            html.contains(
                "<a rel=\"nofollow noopener ugc\" href=\"https://example.com/a?b=1&amp;c=%222%22\">docs</a>"
            ),
            "{html}"
        );
        assert!(
            html.contains("<a rel=\"nofollow noopener ugc\" href=\"mailto:me@example.com\">"),
            "{html}"
        );
        assert_eq!(html.matches("<a ").count(), 2, "{html}");
        assert!(!html.to_lowercase().contains("script:"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        for text in ["rel", "frag", "js", "js2", "pixel"] {
            assert!(html.contains(text), "{text} is kept as text: {html}");
        }
        assert!(html.contains("<code>&lt;a href=\"x\"&gt;</code>"), "{html}");
        assert!(html.contains("<strong>bold</strong>"), "{html}");
    }

    #[test]
    fn escapes_script_blocks() {
        let html = render_markdown("<script>alert(1)</script>\n\nafter");
        assert!(!html.contains("<script"), "{html}");
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{html}"
        );
        assert!(html.contains("<p>after</p>"), "{html}");
    }

    #[test]
    fn escapes_html_blocks_as_a_paragraph_of_text() {
        let html = render_markdown("<div onclick=\"x()\">\nhi\n</div>\n");
        assert!(!html.contains("<div"), "{html}");
        assert!(html.starts_with("<p>&lt;div onclick="), "{html}");
    }

    #[test]
    fn escapes_inline_html() {
        let html = render_markdown("Press <kbd>Ctrl</kbd> and <img src=x onerror=alert(1)> now");
        assert!(!html.contains("<kbd>"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("&lt;kbd&gt;Ctrl&lt;/kbd&gt;"), "{html}");
        assert!(
            html.contains("&lt;img src=x onerror=alert(1)&gt;"),
            "{html}"
        );
    }

    #[test]
    fn drops_javascript_links_to_their_text() {
        for source in [
            "[click](javascript:alert(1))",
            "[click](JavaScript:alert(1))",
            "[click](java&#9;script:alert(1))",
            "[click]( javascript:alert(1) )",
            "[click](vbscript:msgbox)",
            "[click](data:text/html;base64,PHNjcmlwdD4=)",
            "[click][ref]\n\n[ref]: javascript:alert(1)",
        ] {
            let html = render_markdown(source);
            assert!(!html.contains("<a"), "{source:?} gave {html}");
            assert!(
                !html.to_lowercase().contains("script:"),
                "{source:?} gave {html}"
            );
            assert!(html.contains("click"), "{source:?} gave {html}");
        }
    }

    #[test]
    fn drops_javascript_autolinks_and_images() {
        let html = render_markdown("<javascript:alert(1)> ![pic](javascript:alert(1))");
        assert!(!html.contains("<a"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("pic"), "{html}");
    }

    #[test]
    fn keeps_safe_links_and_images() {
        let html = render_markdown(
            "[MDN](https://developer.mozilla.org/ \"docs\") [local](../other) [top](#top) \
             <https://example.com> <me@example.com> [mail](mailto:me@example.com) ![logo](/logo.png)",
        );
        assert!(
            html.contains("<a href=\"https://developer.mozilla.org/\" title=\"docs\">MDN</a>"),
            "{html}"
        );
        assert!(html.contains("<a href=\"../other\">local</a>"), "{html}");
        assert!(html.contains("<a href=\"#top\">top</a>"), "{html}");
        assert!(html.contains("<a href=\"https://example.com\">"), "{html}");
        assert!(
            html.contains("<a href=\"mailto:me@example.com\">me@example.com</a>"),
            "{html}"
        );
        assert!(
            html.contains("<a href=\"mailto:me@example.com\">mail</a>"),
            "{html}"
        );
        assert!(
            html.contains("<img src=\"/logo.png\" alt=\"logo\""),
            "{html}"
        );
    }

    #[test]
    fn keeps_code_lists_tables_and_strikethrough() {
        let html = render_markdown(
            "Use `a < b`.\n\n```rust\nlet x = \"<b>\";\n```\n\n- one\n- two\n\n\
             | a | b |\n|---|---|\n| 1 | 2 |\n\n~~old~~\n\n### Deeper heading\n",
        );
        assert!(html.contains("<code>a &lt; b</code>"), "{html}");
        assert!(
            html.contains("<pre><code class=\"language-rust\">let x = \"&lt;b&gt;\";"),
            "{html}"
        );
        assert!(
            html.contains("<ul>\n<li>one</li>\n<li>two</li>\n</ul>"),
            "{html}"
        );
        assert!(html.contains("<table>"), "{html}");
        assert!(html.contains("<del>old</del>"), "{html}");
        assert!(html.contains("<h3>Deeper heading</h3>"), "{html}");
    }

    #[test]
    fn escapes_attribute_breakouts_in_urls_and_titles() {
        let html = render_markdown("[x](<https://e.com/\"onmouseover=\"alert(1)> \"t\\\"itle\")");
        assert!(
            html.contains("href=\"https://e.com/%22onmouseover=%22alert(1)\""),
            "{html}"
        );
        assert!(html.contains("title=\"t&quot;itle\""), "{html}");
    }

    #[test]
    fn finds_top_level_headings_but_not_code_or_deeper_ones() {
        let text = "Intro\n\n# One\n\n```\n# not a heading\n```\n\n### Three\n\nTwo\n---\n";
        let found = top_level_headings(text);
        assert_eq!(
            found,
            vec![
                TopHeading {
                    offset: 7,
                    underlined: false
                },
                TopHeading {
                    offset: text.find("Two").unwrap_or(0),
                    underlined: true
                },
            ]
        );
    }
}
