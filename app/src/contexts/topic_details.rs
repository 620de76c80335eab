//! The details of the open roadmap's topics — text, resources, tips, links to other roadmaps —
//! which the page does not carry (see `roadmap::outline`): fetched from
//! `/api/roadmaps/{slug}/topics/{id}?v={version}` when a topic opens, or earlier, when a card
//! is hovered or focused or a search hit highlighted, and kept for the page's life so an
//! opened topic shows at once.
//!
//! On the server the details come straight from the catalog: a page rendered with `?node=`
//! has its topic's text in the HTML (for readers without JavaScript too), and the page carries
//! that one topic's details for hydration. The URLs carry the content version, so the browser
//! and the service worker may keep the answers for good (a new content version, new URLs).

use std::{
    collections::{HashMap, HashSet},
    sync::Arc,
};

use leptos::prelude::*;

use crate::roadmap::{NodeId, TopicDetails};

/// The open roadmap's topic details as far as fetched; `Copy`, read with `expect_context`.
#[derive(Clone, Copy)]
pub struct TopicDetailsCache {
    slug: StoredValue<String>,
    version: StoredValue<String>,
    loaded: StoredValue<HashMap<NodeId, Arc<TopicDetails>>>,
    /// Asked for ahead of time (hover, focus, search): not asked again.
    prefetched: StoredValue<HashSet<NodeId>>,
}

/// Why a topic's details are not there.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum DetailsMissing {
    /// No such topic in this roadmap.
    Unknown,
    /// The request got no answer (offline, and not fetched before) or a bad one.
    Unreachable(String),
}

impl std::fmt::Display for DetailsMissing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Unknown => f.write_str("This topic has no text."),
            Self::Unreachable(_) => f.write_str(
                "This topic's text could not be loaded: the server cannot be reached. \
                 It will be here once you are back online.",
            ),
        }
    }
}

pub fn provide_topic_details(slug: String, version: String) -> TopicDetailsCache {
    let cache = TopicDetailsCache {
        slug: StoredValue::new(slug),
        version: StoredValue::new(version),
        loaded: StoredValue::new(HashMap::new()),
        prefetched: StoredValue::new(HashSet::new()),
    };
    provide_context(cache);
    cache
}

impl TopicDetailsCache {
    /// Where the details of topic `id` are fetched from (immutable for this content version).
    pub fn url(&self, id: &NodeId) -> String {
        crate::links::api::topic_details(
            &self.slug.read_value(),
            id.as_str(),
            &self.version.read_value(),
        )
    }

    /// Where the words to search this roadmap's text are fetched from.
    pub fn search_words_url(&self) -> String {
        crate::links::api::search_words(&self.slug.read_value(), &self.version.read_value())
    }

    /// The content version the details are fetched under.
    pub fn version(&self) -> String {
        self.version.get_value()
    }

    /// The details of topic `id`: from memory, else fetched (in the browser) or read from the
    /// catalog (on the server).
    pub async fn get(self, id: NodeId) -> Result<Arc<TopicDetails>, DetailsMissing> {
        if let Some(details) = self.loaded.with_value(|loaded| loaded.get(&id).cloned()) {
            return Ok(details);
        }
        let details = Arc::new(self.load(&id).await?);
        self.loaded
            .update_value(|loaded| drop(loaded.insert(id, details.clone())));
        Ok(details)
    }

    /// Starts fetching topic `id` in the background unless it is here already (browser only;
    /// a no-op on the server).
    pub fn prefetch(self, id: NodeId) {
        let first_time = self
            .prefetched
            .try_update_value(|asked| asked.insert(id.clone()))
            .unwrap_or(false);
        if !first_time || self.loaded.with_value(|loaded| loaded.contains_key(&id)) {
            return;
        }
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            let _ = self.get(id).await;
        });
    }

    #[cfg(feature = "ssr")]
    async fn load(&self, id: &NodeId) -> Result<TopicDetails, DetailsMissing> {
        let catalog = use_context::<crate::catalog::Catalog>()
            .ok_or_else(|| DetailsMissing::Unreachable("no catalog".into()))?;
        let slug = self.slug.get_value();
        catalog
            .get(&slug)
            .and_then(|roadmap| roadmap.topic_details(id.as_str()))
            .ok_or(DetailsMissing::Unknown)
    }

    #[cfg(not(feature = "ssr"))]
    async fn load(&self, id: &NodeId) -> Result<TopicDetails, DetailsMissing> {
        use crate::api_client::{topic_details, ApiFailure};
        // The browser's fetch is not `Send`; the wasm has one thread, so it need not be.
        let url = self.url(id);
        let request = send_wrapper::SendWrapper::new(topic_details(&url));
        match request.await {
            Ok(details) => Ok(details),
            Err(ApiFailure::Status { status: 404, .. }) => Err(DetailsMissing::Unknown),
            Err(failure) => Err(DetailsMissing::Unreachable(failure.message())),
        }
    }
}
