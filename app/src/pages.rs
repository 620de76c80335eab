//! Route-level components, one per file.

pub mod account_page;
pub mod catalog_page;
pub mod embed_page;
pub mod not_found;
pub mod roadmap_page;

/// The text for `<Title>` of a page named after authored content (`"{name} roadmap — Trailmap"`).
///
/// leptos_meta 0.8 writes the server-rendered `<title>` element's text without escaping it, so
/// a roadmap title holding `</title><script>…` would become markup. On the server the text is
/// therefore escaped here (as XML text, which HTML reads the same); in the browser `<Title>`
/// sets `document.title`, which is plain text, so it gets the raw title (escaping there would
/// show `&lt;` to the learner). server/tests/api/xss.rs checks the served title.
pub fn page_title(name: &str) -> String {
    let title = format!("{name} roadmap — Trailmap");
    if cfg!(feature = "ssr") {
        crate::snapshot::escape_xml(&title)
    } else {
        title
    }
}
