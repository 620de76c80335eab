//! Where the map's links go. On the map page they open `/roadmaps/{slug}?node=…`; inside an
//! embed they must stay in the embed (`/embed/{slug}?node=…` with the embed's options), since
//! the map page refuses to be framed. Components read it with `use_map_links()`, which falls
//! back to the map page's links when no embed provided one.

use leptos::prelude::*;

use crate::{embed::EmbedOptions, links, roadmap::NodeId};

#[derive(Clone, Debug, Default)]
pub struct MapLinks {
    /// The embed's options, or `None` on the map page.
    embed: Option<EmbedOptions>,
}

impl MapLinks {
    /// The URL that opens topic `id` of roadmap `slug` in the panel.
    pub fn node(&self, slug: &str, id: &str) -> String {
        match &self.embed {
            None => links::roadmap_node(slug, id),
            Some(options) => options.with_node(NodeId::parse(id).ok()).path(slug),
        }
    }

    /// Whether links leave the page for a new tab (inside an embed, anything that is not the
    /// embed itself: the map pages refuse to be framed).
    pub fn external_target(&self) -> Option<&'static str> {
        self.embed.is_some().then_some("_blank")
    }

    /// The URL of the map with no topic open.
    pub fn map(&self, slug: &str) -> String {
        match &self.embed {
            None => links::roadmap(slug),
            Some(options) => options.with_node(None).path(slug),
        }
    }
}

/// For an embed: its links keep its options.
pub fn provide_embed_links(options: EmbedOptions) {
    provide_context(MapLinks {
        embed: Some(options),
    });
}

pub fn use_map_links() -> MapLinks {
    use_context::<MapLinks>().unwrap_or_default()
}
