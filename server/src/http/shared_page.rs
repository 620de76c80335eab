//! `GET /roadmaps/{slug}/shared/{token}` and `…/badge.svg`: a learner's progress for anyone
//! holding the link, read-only.
//!
//! The page is drawn here, not by the app: one picture of the map with the learner's statuses
//! (`snapshot::render_picture`: the map's layout, the drawing the browser's *Download image*
//! makes), the counts, and every topic with its status (and note, when the learner included
//! notes), with no script and no control that could change anything. It names whose progress
//! it is by the display name the learner chose, and links to the roadmap to start it.
//!
//! Both answers are about one learner, so they are never kept by this server's caches (these
//! routes are outside the page cache) nor by a shared cache for long: the page is `no-store`,
//! the badge lives 60 s with an `ETag`. Neither reads nor sets cookies (the `Cookie` header is
//! dropped before the handler, `Set-Cookie` removed after: `http::embed::without_cookies`).
//! Both send `noindex`, and the page sends no `Referer` onwards (its address holds the token).

use std::fmt::Write as _;

use axum::{
    extract::{Path, State},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{Html, IntoResponse, Response},
};
use sha2::{Digest, Sha256};
use trailmap_core::{
    layout::{self, Expand, LayoutOptions},
    links,
    progress::Status,
    roadmap::Node,
    snapshot::{dark_scheme_css, escape_xml, render_picture, Picture, SnapshotTheme},
};

use crate::{error::ApiError, http::shares::open_for, AppState};

/// No script, no frames, no forms; styles and the picture are inline.
const PAGE_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; \
    base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
/// An SVG opened on its own is a document: it may never run script or load anything.
const BADGE_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'";
const BADGE_CACHE_CONTROL: &str = "public, max-age=60, must-revalidate";
const NOINDEX: &str = "noindex, nofollow";

/// Whether `path` is one of these pages (for the cookie-free middleware).
pub fn is_shared_path(path: &str) -> bool {
    path.strip_prefix("/roadmaps/")
        .and_then(|rest| rest.split_once('/'))
        .is_some_and(|(_, rest)| rest.starts_with("shared/"))
}

pub async fn page(
    State(state): State<AppState>,
    Path((slug, token)): Path<(String, String)>,
) -> Response {
    match open_for(&state.db, &state.catalog, &token, Some(&slug)).await {
        Ok(shared) => {
            let html = render_page(&shared);
            let mut response = Html(html).into_response();
            let headers = response.headers_mut();
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            headers.insert(
                header::REFERRER_POLICY,
                HeaderValue::from_static("no-referrer"),
            );
            page_headers(headers);
            response
        }
        Err(ApiError::NotFound(_)) => not_found_page(),
        Err(error) => error.into_response(),
    }
}

pub async fn badge(
    State(state): State<AppState>,
    Path((slug, token)): Path<(String, String)>,
    request_headers: HeaderMap,
) -> Response {
    let shared = match open_for(&state.db, &state.catalog, &token, Some(&slug)).await {
        Ok(shared) => shared,
        Err(error) => return error.into_response(),
    };
    let counts = shared.counts();
    let svg = render_badge(
        &shared.roadmap.title,
        counts.percent(),
        counts.settled(),
        counts.total,
    );
    let etag = format!("\"{}\"", hex16(&Sha256::digest(svg.as_bytes())));
    let matches = request_headers
        .get(header::IF_NONE_MATCH)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.split(',').any(|tag| tag.trim() == etag));
    let mut response = if matches {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        (
            [(header::CONTENT_TYPE, "image/svg+xml; charset=utf-8")],
            svg,
        )
            .into_response()
    };
    let headers = response.headers_mut();
    if let Ok(etag) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, etag);
    }
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(BADGE_CACHE_CONTROL),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(BADGE_CSP),
    );
    headers.insert("x-robots-tag", HeaderValue::from_static(NOINDEX));
    response
}

fn page_headers(headers: &mut HeaderMap) {
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(PAGE_CSP),
    );
    headers.insert("x-robots-tag", HeaderValue::from_static(NOINDEX));
}

/// Wrong, regenerated, turned off or malformed: one page, status 404, no hint which.
fn not_found_page() -> Response {
    let mut response = (
        StatusCode::NOT_FOUND,
        Html(document(
            "Not found — Trailmap",
            "",
            "<h1>Nothing is shared here</h1><p>This link does not work (any more): it may have \
             been turned off or replaced by its owner.</p><p><a href=\"/\">See the roadmaps</a></p>",
        )),
    )
        .into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    page_headers(headers);
    response
}

fn render_page(shared: &super::shares::OpenShare<'_>) -> String {
    let roadmap = shared.roadmap;
    let statuses = shared.statuses();
    let notes = shared.notes();
    let counts = shared.counts();
    let title = escape_xml(&roadmap.title);
    let name = escape_xml(&shared.settings.display_name);
    let expanded = Expand::default().expanded(roadmap);
    let map = layout::layout_roadmap(roadmap, &expanded, &LayoutOptions::default());
    let status_of = |id: &str| statuses.get(id).copied().unwrap_or_default();
    let picture = render_picture(
        roadmap,
        &map,
        &Picture {
            theme: SnapshotTheme::Light,
            status: &status_of,
            area: None,
        },
    );

    let mut body = String::with_capacity(picture.len() + 64 * roadmap.nodes.len());
    let _ = write!(
        body,
        "<header class=\"bar\"><a href=\"/\">Trailmap</a></header>\
         <h1>{title}</h1>\
         <p class=\"whose\">Progress shared by <strong>{name}</strong> · read-only</p>\
         <p class=\"counts\" data-percent=\"{}\">{} % · {} of {} topics done or skipped · {} in progress</p>\
         <p><a class=\"start\" href=\"{}\">Start this roadmap yourself</a></p>\
         <figure class=\"map\">{picture}</figure>",
        counts.percent(),
        counts.percent(),
        counts.settled(),
        counts.total,
        counts.in_progress,
        escape_xml(&links::roadmap(&roadmap.slug)),
    );
    body.push_str("<section class=\"topics\" aria-label=\"Topics and statuses\">");
    for stage in roadmap.stages() {
        let _ = write!(body, "<h2>{}</h2><ul>", escape_xml(&stage.title));
        let mut stack: Vec<&Node> = roadmap.children(stage).collect();
        stack.reverse();
        while let Some(node) = stack.pop() {
            let status = statuses.get(node.id.as_str()).copied().unwrap_or_default();
            let _ = write!(
                body,
                "<li data-topic=\"{}\" data-status=\"{}\"><span class=\"status {}\">{}</span> {}",
                escape_xml(node.id.as_str()),
                status.as_str(),
                status.as_str(),
                status_symbol(status),
                escape_xml(&node.title),
            );
            if let Some(text) = notes.as_ref().and_then(|notes| notes.get(node.id.as_str())) {
                let _ = write!(body, "<p class=\"note\">{}</p>", escape_xml(text));
            }
            body.push_str("</li>");
            let mut children: Vec<&Node> = roadmap.children(node).collect();
            children.reverse();
            stack.extend(children);
        }
        body.push_str("</ul>");
    }
    body.push_str("</section>");
    // One picture, drawn light and repainted by the page's CSS when the reader's system
    // prefers dark (like the rest of the page).
    document(
        &format!("{} — {title} roadmap — Trailmap", name),
        &dark_scheme_css(".map svg"),
        &body,
    )
}

fn status_symbol(status: Status) -> &'static str {
    match status {
        Status::Pending => "○ Pending",
        Status::InProgress => "… In progress",
        Status::Done => "✓ Done",
        Status::Skipped => "– Skipped",
    }
}

/// The HTML around a body (`title` already escaped), with `extra_style` after the page's own.
fn document(title: &str, extra_style: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"robots\" content=\"{NOINDEX}\"><meta name=\"referrer\" content=\"no-referrer\">\
         <title>{title}</title><style>{STYLE}{extra_style}</style></head>\
         <body><main class=\"shared\">{body}</main></body></html>"
    )
}

const STYLE: &str = "\
:root{color-scheme:light dark;--bg:#f7f8fa;--text:#1c2430;--muted:#5b6675;--accent:#137a7f;--line:#d9dee5}\
@media (prefers-color-scheme:dark){:root{--bg:#12161c;--text:#e6eaf0;--muted:#9aa6b5;--accent:#4cc2c7;--line:#2e3743}}\
body{margin:0;background:var(--bg);color:var(--text);font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif}\
.shared{max-width:72rem;margin:0 auto;padding:1rem}\
.bar a{color:var(--accent);font-weight:700;text-decoration:none}\
h1{margin:.5rem 0 0}.whose,.counts{color:var(--muted);margin:.25rem 0}\
.start{display:inline-block;margin:.5rem 0;padding:.5rem 1rem;border-radius:8px;background:var(--accent);color:#fff;text-decoration:none;font-weight:600}\
.map{margin:1rem 0;overflow:auto;border:1px solid var(--line);border-radius:8px;max-height:70vh}\
.map svg{display:block;height:auto;max-width:none}\
.topics ul{list-style:none;padding-left:0}.topics li{padding:.15rem 0}\
.status{display:inline-block;min-width:7.5rem;color:var(--muted)}.status.done{color:#2f8f4e}.status.in_progress{color:#c27c0e}\
.note{margin:.1rem 0 .4rem 7.5rem;white-space:pre-wrap;color:var(--muted)}";

/// "Backend Developer · 42 % · 93 of 222" as a flat two-part badge.
fn render_badge(title: &str, percent: u8, settled: usize, total: usize) -> String {
    let label: String = title.chars().take(60).collect();
    let value = format!("{percent} % · {settled} of {total}");
    // Verdana-ish widths: about 6.5 px a character at 11 px, plus padding.
    let width = |text: &str| 12.0 + text.chars().count() as f64 * 6.5;
    let (left, right) = (width(&label), width(&value));
    let total_width = left + right;
    let label = escape_xml(&label);
    let value = escape_xml(&value);
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{total_width}\" height=\"20\" role=\"img\" \
         aria-label=\"{label}: {value}\"><title>{label}: {value}</title>\
         <rect width=\"{left}\" height=\"20\" rx=\"3\" fill=\"#3b4452\"/>\
         <rect x=\"{left}\" width=\"{right}\" height=\"20\" rx=\"3\" fill=\"#137a7f\"/>\
         <g fill=\"#fff\" font-family=\"Verdana,DejaVu Sans,sans-serif\" font-size=\"11\">\
         <text x=\"6\" y=\"14\">{label}</text><text x=\"{}\" y=\"14\">{value}</text></g></svg>",
        left + 6.0
    )
}

fn hex16(bytes: &[u8]) -> String {
    bytes
        .iter()
        .take(16)
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_paths_are_recognised_and_nothing_else() {
        assert!(is_shared_path("/roadmaps/backend/shared/abc"));
        assert!(is_shared_path("/roadmaps/backend/shared/abc/badge.svg"));
        assert!(!is_shared_path("/roadmaps/backend"));
        assert!(!is_shared_path("/roadmaps/backend.svg"));
        assert!(!is_shared_path("/roadmaps/shared/x"));
    }

    #[test]
    fn the_badge_is_well_formed_and_says_title_percent_and_counts() {
        let svg = render_badge("Back<end> & co", 42, 93, 222);
        let document = roxmltree::Document::parse(&svg).expect("well-formed XML");
        let texts: Vec<&str> = document
            .descendants()
            .filter(|n| n.has_tag_name("text"))
            .filter_map(|n| n.text())
            .collect();
        assert_eq!(texts, ["Back<end> & co", "42 % · 93 of 222"]);
    }
}
