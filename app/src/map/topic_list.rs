use leptos::prelude::*;

use crate::roadmap::{NodeId, Roadmap};

/// The nested list of topics under a node. A plain function rather than a component
/// because it recurses: each level is boxed into an `AnyView`.
pub fn topic_list(roadmap: &Roadmap, ids: &[NodeId]) -> AnyView {
    if ids.is_empty() {
        return ().into_any();
    }
    let items = ids
        .iter()
        .filter_map(|id| roadmap.node(id.as_str()))
        .map(|node| {
            let href = format!("/roadmaps/{}?node={}", roadmap.slug, node.id);
            view! {
                <li class="topic" id=format!("node-{}", node.id)>
                    <a class="topic-link" href=href>
                        {node.title.clone()}
                    </a>
                    {topic_list(roadmap, &node.children)}
                </li>
            }
        })
        .collect_view();
    view! { <ul class="topics">{items}</ul> }.into_any()
}
