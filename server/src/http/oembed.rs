//! `GET /oembed?url=…&maxwidth=…&maxheight=…&format=json`: the oEmbed 1.0 provider
//! (<https://oembed.com>). Given the address of one of this site's map pages, it answers a
//! `rich` embed whose HTML is an iframe of `/embed/{slug}`, sized within the consumer's limits.
//!
//! The site recognises its own pages by the configured public URL or, without one, by the
//! request's Host header (either scheme): a consumer asking about any other site is told 400.

use axum::{
    extract::{rejection::QueryRejection, Query, State},
    http::{header, HeaderMap},
    Json,
};
use serde::{Deserialize, Serialize};
use trailmap_core::{catalog::Catalog, links, snapshot::escape_xml};
use url::Url;

use crate::{error::ApiError, Site};

/// The iframe's size when the consumer sets no limit, px.
pub const DEFAULT_WIDTH: u32 = 800;
pub const DEFAULT_HEIGHT: u32 = 600;
/// The embed page's own limits on its `height` option, px.
const EMBED_MIN_HEIGHT: u32 = 200;
const EMBED_MAX_HEIGHT: u32 = 2000;

#[derive(Debug, Default, Deserialize)]
pub struct OEmbedQuery {
    url: Option<String>,
    maxwidth: Option<String>,
    maxheight: Option<String>,
    format: Option<String>,
}

/// A `rich` oEmbed response.
#[derive(Debug, Serialize)]
pub struct OEmbed {
    version: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    provider_name: &'static str,
    provider_url: String,
    title: String,
    html: String,
    width: u32,
    height: u32,
}

pub async fn oembed(
    State(catalog): State<Catalog>,
    State(site): State<Site>,
    headers: HeaderMap,
    query: Result<Query<OEmbedQuery>, QueryRejection>,
) -> Result<Json<OEmbed>, ApiError> {
    let Query(query) = query.map_err(|rejection| ApiError::BadRequest(rejection.body_text()))?;
    match query.format.as_deref() {
        None | Some("json") => {}
        Some(other) => {
            return Err(ApiError::NotImplemented(format!(
                "format `{other}` is not supported: use json"
            )))
        }
    }
    let raw_url = query
        .url
        .as_deref()
        .ok_or_else(|| ApiError::BadRequest("the `url` parameter is required".into()))?;
    let max_width = parse_limit("maxwidth", query.maxwidth.as_deref())?;
    let max_height = parse_limit("maxheight", query.maxheight.as_deref())?;
    let host = headers
        .get(header::HOST)
        .and_then(|value| value.to_str().ok());
    let page =
        MapPage::parse(raw_url, site.public_url.as_deref(), host).map_err(ApiError::BadRequest)?;
    let roadmap = catalog
        .get(&page.slug)
        .ok_or_else(|| ApiError::NotFound(format!("no roadmap is called `{}`", page.slug)))?;

    let width = max_width.map_or(DEFAULT_WIDTH, |max| max.min(DEFAULT_WIDTH));
    let height = max_height.map_or(DEFAULT_HEIGHT, |max| max.min(DEFAULT_HEIGHT));
    let mut query = format!(
        "height={}",
        height.clamp(EMBED_MIN_HEIGHT, EMBED_MAX_HEIGHT)
    );
    if let Some(node) = page.node.as_deref().and_then(|node| roadmap.resolve(node)) {
        query.push_str("&node=");
        query.push_str(node.id.as_str());
    }
    let src = format!("{}{}", page.origin, links::embed(&roadmap.slug, &query));
    let title = format!("{} roadmap — Trailmap", roadmap.title);
    let html = format!(
        r#"<iframe src="{}" width="{width}" height="{height}" title="{}" loading="lazy" style="border:0;max-width:100%"></iframe>"#,
        escape_xml(&src),
        escape_xml(&title),
    );
    Ok(Json(OEmbed {
        version: "1.0",
        kind: "rich",
        provider_name: "Trailmap",
        provider_url: format!("{}/", page.origin),
        title: roadmap.title.clone(),
        html,
        width,
        height,
    }))
}

/// `maxwidth` / `maxheight`: a whole number of pixels, at least 1.
fn parse_limit(name: &str, raw: Option<&str>) -> Result<Option<u32>, ApiError> {
    raw.map(|raw| match raw.trim().parse::<u32>() {
        Ok(value) if value > 0 => Ok(value),
        _ => Err(ApiError::BadRequest(format!(
            "{name} must be a whole number of pixels, not `{raw}`"
        ))),
    })
    .transpose()
}

/// A map page of this site, as an oEmbed `url` names it.
#[derive(Debug, PartialEq, Eq)]
struct MapPage {
    /// The origin the consumer used (`https://trailmap.example`).
    origin: String,
    slug: String,
    node: Option<String>,
}

impl MapPage {
    /// `url` must be `http(s)://<this site>/roadmaps/<slug>`, optionally with `?node=…`. This
    /// site is `public_url` when configured, else whatever the request's `Host` names.
    fn parse(url: &str, public_url: Option<&str>, host: Option<&str>) -> Result<Self, String> {
        let url = Url::parse(url).map_err(|error| format!("`url` is not a URL: {error}"))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err("`url` must be an http(s) URL".into());
        }
        let origin = url.origin().ascii_serialization();
        let ours = match (public_url, host) {
            (Some(public), _) => origin == public,
            (None, Some(host)) => ["http", "https"].iter().any(|scheme| {
                Url::parse(&format!("{scheme}://{host}/"))
                    .is_ok_and(|site| site.origin().ascii_serialization() == origin)
            }),
            (None, None) => false,
        };
        if !ours {
            return Err(format!("`url` is not a page of this site ({origin})"));
        }
        let mut segments = url.path_segments().into_iter().flatten();
        let slug = match (segments.next(), segments.next(), segments.next()) {
            (Some("roadmaps"), Some(slug), None) if !slug.is_empty() => slug.to_owned(),
            _ => return Err("`url` is not a roadmap map page (/roadmaps/<slug>)".into()),
        };
        let node = url
            .query_pairs()
            .find(|(key, _)| key == "node")
            .map(|(_, value)| value.into_owned());
        Ok(Self { origin, slug, node })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_map_page_of_this_host_is_recognised_with_its_node() {
        let page = MapPage::parse(
            "http://127.0.0.1:3000/roadmaps/backend?node=redis&view=1,2,3",
            None,
            Some("127.0.0.1:3000"),
        )
        .unwrap();

        assert_eq!(
            page,
            MapPage {
                origin: "http://127.0.0.1:3000".into(),
                slug: "backend".into(),
                node: Some("redis".into()),
            }
        );
    }

    #[test]
    fn the_configured_public_url_wins_over_the_host_header() {
        let public = Some("https://trailmap.example");

        assert!(MapPage::parse(
            "https://trailmap.example/roadmaps/backend",
            public,
            Some("internal:3000")
        )
        .is_ok());
        assert!(MapPage::parse("http://trailmap.example/roadmaps/backend", public, None).is_err());
        assert!(MapPage::parse(
            "http://internal:3000/roadmaps/backend",
            public,
            Some("internal:3000")
        )
        .is_err());
    }

    #[test]
    fn other_sites_and_other_pages_are_refused() {
        let host = Some("127.0.0.1:3000");
        for url in [
            "http://evil.example/roadmaps/backend",
            "http://127.0.0.1:3001/roadmaps/backend",
            "ftp://127.0.0.1:3000/roadmaps/backend",
            "http://127.0.0.1:3000/",
            "http://127.0.0.1:3000/roadmaps/",
            "http://127.0.0.1:3000/roadmaps/backend/extra",
            "http://127.0.0.1:3000/embed/backend",
            "/roadmaps/backend",
            "not a url",
        ] {
            assert!(MapPage::parse(url, None, host).is_err(), "{url}");
        }
    }
}
