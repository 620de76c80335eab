//! Which page requests the page cache may keep: only those whose query is exactly what the
//! page reads, spelled the one way the site itself writes it.
//!
//! A page depends on its path and a few query parameters (`?node=` on a map page, the embed
//! options on an embed page). Any other query (`?utm=…`, a random string, a parameter spelled
//! another way) renders the very same page, but keyed by the raw query it would take a new
//! entry each time and push out the pages people actually load. Such requests are rendered
//! without being kept. They are not canonicalised into the kept key either: the Leptos router
//! reads the query itself, and a spelling it reads differently from us (`?n%6Fde=dns`) must
//! never be stored under the key of the page it does not show.

use trailmap_core::{catalog::Catalog, embed::EmbedOptions};

/// The embed options a query may carry (`EmbedOptions::parse` ignores any other).
const EMBED_KEYS: [&str; 6] = ["theme", "node", "expand", "height", "progress", "readonly"];

/// Decides which queries of which pages are kept; cheap to clone.
#[derive(Clone, Debug)]
pub struct PageQueries {
    catalog: Catalog,
}

impl PageQueries {
    pub fn new(catalog: Catalog) -> Self {
        Self { catalog }
    }

    /// Whether the page at `path` requested with `query` (without `?`; empty for none) may be
    /// kept under that query.
    pub fn cacheable(&self, path: &str, query: &str) -> bool {
        if query.is_empty() {
            return true;
        }
        if let Some(slug) = one_segment(path, "/roadmaps/") {
            // `?node=<id>` of one of the roadmap's topics (an alias or `?view=` render uncached).
            return query
                .strip_prefix("node=")
                .is_some_and(|node| self.has_node(slug, node));
        }
        if let Some(slug) = one_segment(path, "/embed/") {
            return self.canonical_embed_query(slug, query);
        }
        false
    }

    /// Whether the page at `path` is drawn for the request's form factor (the map page: see
    /// `trailmap_core::form_factor`), which must then be part of its key.
    pub fn drawn_per_form_factor(&self, path: &str) -> bool {
        one_segment(path, "/roadmaps/").is_some()
    }

    fn canonical_embed_query(&self, slug: &str, query: &str) -> bool {
        let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
        let known = pairs
            .iter()
            .all(|(key, _)| EMBED_KEYS.contains(&key.as_str()));
        let mut keys: Vec<&str> = pairs.iter().map(|(key, _)| key.as_str()).collect();
        keys.sort_unstable();
        keys.dedup();
        if !known || keys.len() != pairs.len() {
            return false;
        }
        let Ok(options) = EmbedOptions::parse(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        else {
            return false;
        };
        let node_exists = options
            .node
            .as_ref()
            .is_none_or(|node| self.has_node(slug, node.as_str()));
        node_exists && options.to_query() == query
    }

    fn has_node(&self, slug: &str, id: &str) -> bool {
        self.catalog
            .get(slug)
            .is_some_and(|roadmap| roadmap.nodes.iter().any(|node| node.id.as_str() == id))
    }
}

/// The one path segment after `prefix` (`/roadmaps/backend` → `backend`).
fn one_segment<'a>(path: &'a str, prefix: &str) -> Option<&'a str> {
    let rest = path.strip_prefix(prefix)?;
    (!rest.is_empty() && !rest.contains('/')).then_some(rest)
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    fn queries() -> PageQueries {
        let roadmaps = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../roadmaps"));
        let catalog = Catalog::new(trailmap_core::content::load_catalog(&roadmaps).unwrap());
        PageQueries::new(catalog)
    }

    #[test]
    fn pages_without_a_query_are_kept() {
        let queries = queries();
        for path in ["/", "/account", "/roadmaps/backend", "/embed/backend"] {
            assert!(queries.cacheable(path, ""), "{path}");
        }
    }

    #[test]
    fn a_map_page_is_kept_for_its_own_topics_only() {
        let queries = queries();
        assert!(queries.cacheable("/roadmaps/backend", "node=dns"));
        assert!(!queries.cacheable("/roadmaps/backend", "node=no-such-topic"));
        assert!(!queries.cacheable("/roadmaps/backend", "node=dns&utm=1"));
        assert!(!queries.cacheable("/roadmaps/backend", "utm=1"));
        assert!(!queries.cacheable("/roadmaps/backend", "n%6Fde=dns"));
        assert!(!queries.cacheable("/roadmaps/backend", "view=1,2,3"));
        assert!(!queries.cacheable("/roadmaps/nope", "node=dns"));
    }

    #[test]
    fn an_embed_page_is_kept_for_its_canonical_options_only() {
        let queries = queries();
        assert!(queries.cacheable("/embed/backend", "theme=dark&node=dns&expand=2"));
        assert!(
            !queries.cacheable("/embed/backend", "expand=2&theme=dark"),
            "order"
        );
        assert!(
            !queries.cacheable("/embed/backend", "expand=02"),
            "spelling"
        );
        assert!(
            !queries.cacheable("/embed/backend", "expand=1"),
            "the default"
        );
        assert!(!queries.cacheable("/embed/backend", "theme=dark&theme=dark"));
        assert!(!queries.cacheable("/embed/backend", "theme=dark&utm=1"));
        assert!(!queries.cacheable("/embed/backend", "node=no-such-topic"));
    }

    #[test]
    fn other_pages_with_a_query_are_not_kept() {
        let queries = queries();
        assert!(!queries.cacheable("/", "utm=1"));
        assert!(!queries.cacheable("/account", "x"));
    }
}
