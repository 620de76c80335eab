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

/// Checks the contract [`render_markdown`] keeps, on its output: every `<` opens a well-formed
/// tag of the Markdown writer's own small set (no `<script`, `<iframe`, `<div`…), with only
/// the attributes that writer emits (never an `on…` event handler), and every `href` or `src`
/// is http, https, mailto or scheme-less (never `javascript:`, read as a browser would: entities
/// decoded, control characters and spaces ignored). Returns what is wrong.
///
/// The fuzz target `markdown` (`fuzz/`) and the property tests run it on arbitrary input.
pub fn check_safe_html(html: &str) -> Result<(), String> {
    if html.to_ascii_lowercase().contains("<script") {
        return Err("contains `<script`".into());
    }
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        rest = &rest[at + 1..];
        let closing = rest.starts_with('/');
        if closing {
            rest = &rest[1..];
        }
        let name_len = rest
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(rest.len());
        let name = &rest[..name_len];
        if name.is_empty() {
            return Err("an unescaped `<`".into());
        }
        rest = &rest[name_len..];
        let allowed = ALLOWED_TAGS
            .iter()
            .find(|(tag, _)| *tag == name)
            .map(|(_, attributes)| *attributes)
            .ok_or_else(|| {
                format!(
                    "a tag `<{}{name}` outside the allowed set",
                    if closing { "/" } else { "" }
                )
            })?;
        loop {
            rest = rest.trim_start_matches(' ');
            if let Some(after) = rest.strip_prefix('>').or_else(|| rest.strip_prefix("/>")) {
                rest = after;
                break;
            }
            if closing {
                return Err(format!("a malformed closing tag `</{name}`"));
            }
            let (attribute, after) = rest
                .split_once("=\"")
                .ok_or_else(|| format!("a malformed attribute in `<{name}`"))?;
            let (value, after) = after
                .split_once('"')
                .ok_or_else(|| format!("an unterminated attribute value in `<{name}`"))?;
            rest = after;
            if !allowed.contains(&attribute) {
                return Err(format!("an attribute `{attribute}` on `<{name}`"));
            }
            match attribute {
                "href" | "src" if !is_safe_scheme(&decode_entities(value)) => {
                    return Err(format!("an unsafe URL `{value}` in `<{name} {attribute}>`"));
                }
                "style"
                    if !matches!(
                        value,
                        "text-align: left" | "text-align: center" | "text-align: right"
                    ) =>
                {
                    return Err(format!("a style `{value}` on `<{name}>`"));
                }
                "start" if value.parse::<u64>().is_err() => {
                    return Err(format!("a list start `{value}`"));
                }
                _ => {}
            }
        }
    }
    Ok(())
}

/// Whether a URL, read as a browser's URL parser reads it, is http, https, mailto or has no
/// scheme (relative). Tabs and newlines anywhere and C0 controls or spaces around it are
/// ignored; a scheme is a letter, then letters, digits, `+`, `-` or `.`, then `:` — anything
/// else before the first `:` (a `%`, say) makes the URL relative.
fn is_safe_scheme(url: &str) -> bool {
    let cleaned: String = url
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let cleaned = cleaned.trim_matches(|c: char| c <= ' ');
    let Some((scheme, _)) = cleaned.split_once(':') else {
        return true;
    };
    let is_scheme = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    !is_scheme
        || matches!(
            scheme.to_ascii_lowercase().as_str(),
            "http" | "https" | "mailto"
        )
}

/// The tags pulldown-cmark's writer emits for our dialect, with the attributes each may carry.
const ALLOWED_TAGS: &[(&str, &[&str])] = &[
    ("p", &[]),
    ("h1", &[]),
    ("h2", &[]),
    ("h3", &[]),
    ("h4", &[]),
    ("h5", &[]),
    ("h6", &[]),
    ("blockquote", &[]),
    ("pre", &[]),
    ("code", &["class"]),
    ("ol", &["start"]),
    ("ul", &[]),
    ("li", &[]),
    ("em", &[]),
    ("strong", &[]),
    ("del", &[]),
    ("a", &["href", "title"]),
    ("img", &["src", "alt", "title"]),
    ("table", &[]),
    ("thead", &[]),
    ("tbody", &[]),
    ("tr", &[]),
    ("th", &["style"]),
    ("td", &["style"]),
    ("hr", &[]),
    ("br", &[]),
];

/// An attribute value as the browser reads it: named and numeric character references decoded
/// (unknown ones kept as they are).
fn decode_entities(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let end = rest.find(';').filter(|end| *end <= 12);
        let decoded = end.and_then(|end| {
            let name = &rest[1..end];
            let char = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "colon" => Some(':'),
                "Tab" => Some('\t'),
                "NewLine" => Some('\n'),
                _ => name
                    .strip_prefix("#x")
                    .or_else(|| name.strip_prefix("#X"))
                    .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                    .or_else(|| name.strip_prefix('#').and_then(|dec| dec.parse().ok()))
                    .and_then(char::from_u32),
            }?;
            Some((char, end))
        });
        match decoded {
            Some((char, end)) => {
                out.push(char);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
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
    use proptest::prelude::*;

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
    fn the_safety_check_accepts_what_the_writer_emits() {
        let html = render_markdown(
            "# T\n\n*e* **s** `c` ~~d~~ [l](https://e.com \"t\") ![i](/a.png \"t\") <me@e.com>\n\n\
             3. x\n4. y\n\n- z\n\n> q\n\n```rust\nfn\n```\n\n| a | b | c |\n|:-|:-:|-:|\n| 1 | 2 | 3 |\n\n\
             ---\nline  \nbreak\n",
        );
        assert_eq!(check_safe_html(&html), Ok(()), "{html}");
    }

    #[test]
    fn the_safety_check_refuses_unsafe_html() {
        for (html, problem) in [
            ("<p>x</p><SCRIPT>alert(1)</SCRIPT>", "contains `<script`"),
            ("<div>x</div>", "a tag `<div` outside the allowed set"),
            (
                "<iframe src=\"https://e.com\">",
                "a tag `<iframe` outside the allowed set",
            ),
            ("<p onclick=\"x()\">x</p>", "an attribute `onclick` on `<p`"),
            (
                "<img src=\"x\" onerror=\"alert(1)\" />",
                "an attribute `onerror` on `<img`",
            ),
            (
                "<a href=\"javascript:alert(1)\">x</a>",
                "an unsafe URL `javascript:alert(1)` in `<a href>`",
            ),
            (
                "<a href=\"java&#x09;script&colon;x\">x</a>",
                "an unsafe URL `java&#x09;script&colon;x` in `<a href>`",
            ),
            (
                "<img src=\" DATA:text/html,x\" />",
                "an unsafe URL ` DATA:text/html,x` in `<img src>`",
            ),
            (
                "<td style=\"background: url(x)\">",
                "a style `background: url(x)` on `<td>`",
            ),
            ("<p x>", "a malformed attribute in `<p`"),
            ("<a href=\"x>", "an unterminated attribute value in `<a`"),
            ("</p x>", "a malformed closing tag `</p`"),
            ("a < b", "an unescaped `<`"),
        ] {
            assert_eq!(check_safe_html(html), Err(problem.to_owned()), "{html}");
        }
    }

    /// Found by the `content_parser` fuzz target: DEL characters inside a link's scheme are
    /// percent-encoded by the writer, which browsers read as a relative URL; the check had read
    /// `h%7Fttps:` as a scheme.
    #[test]
    fn a_percent_encoded_pseudo_scheme_is_a_relative_url() {
        let html = render_markdown("[a link](h\u{7f}\u{7f}ttps://example.com).");
        assert!(
            html.contains("href=\"h%7F%7Fttps://example.com\""),
            "{html}"
        );
        assert_eq!(check_safe_html(&html), Ok(()));
        assert_eq!(check_safe_html("<a href=\"ja%76ascript:x\">x</a>"), Ok(()));
        assert!(check_safe_html("<a href=\"\u{1}JavaScript:x\">x</a>").is_err());
    }

    /// Markdown-ish noise: the constructs that reach the sanitizer's decisions, mixed.
    fn markdownish() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            Just("<script>".to_owned()),
            Just("</script>".to_owned()),
            Just("<div onclick=\"x()\">".to_owned()),
            Just("<img src=x onerror=alert(1)>".to_owned()),
            "\\[[a-z]{0,4}\\]\\((javascript|data|JaVaScRiPt|java&#9;script|https?|mailto|vbscript)?:?[a-z()/]{0,6}( \"[a-z\"]{0,3}\")?\\)",
            "!\\[[a-z]{0,4}\\]\\([a-z:/]{0,12}\\)",
            "<(javascript|https|mailto):[a-z@.]{0,6}>",
            "\\[[a-z]{1,3}\\]: [a-z:]{0,12}",
            "(#{1,6}|[-*>]|[0-9]{1,3}\\.|```[a-z]{0,3}|\\|[-:|]{0,6}) ?",
            "[a-z <>&\"'`*_~|\\[\\]()!:\n]{0,12}",
        ];
        prop::collection::vec(piece, 0..24).prop_map(|pieces| pieces.concat())
    }

    proptest! {
        #[test]
        fn rendered_html_is_always_safe(text in any::<String>(), markdown in markdownish()) {
            for source in [&text, &markdown] {
                let html = render_markdown(source);
                prop_assert_eq!(check_safe_html(&html), Ok(()), "{:?} gave {}", source, html);
            }
        }
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
