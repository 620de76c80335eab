//! The sync push body as the server reads it (`server::http::sync::parse_push`: the handler's
//! JSON extraction and validation, before anything is stored) on arbitrary bytes, against the
//! bundled Backend roadmap. It must never panic, a refusal is a 4xx (never a 500), and an
//! accepted push keeps the invariants the store relies on.
#![no_main]

use std::{path::Path, sync::OnceLock};

use trailmap_core::{
    progress::{DeviceId, Mutation, PushRequest},
    roadmap::Roadmap,
};
use axum::response::IntoResponse;
use libfuzzer_sys::fuzz_target;
use server::{http::sync::parse_push, sync::CLAMP_AHEAD_MILLIS};

const NOW: u64 = 1_700_000_000_000;

fn backend() -> &'static Roadmap {
    static ROADMAP: OnceLock<Roadmap> = OnceLock::new();
    ROADMAP.get_or_init(|| {
        trailmap_core::content::load_roadmap_dir(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("../roadmaps/backend"),
        )
        .expect("the backend roadmap loads")
    })
}

fuzz_target!(|body: &[u8]| {
    let roadmap = backend();
    match parse_push(roadmap, body, NOW) {
        Err(error) => {
            let status = error.into_response().status();
            assert!(status.is_client_error(), "a bad push answers {status}");
        }
        Ok(push) => {
            assert_eq!(push.roadmap, roadmap.slug);
            assert!(DeviceId::parse(&push.device).is_ok(), "device {:?}", push.device);
            assert!(push.mutations.len() <= PushRequest::MAX_MUTATIONS);
            for pair in push.mutations.windows(2) {
                assert_eq!(pair[0].id + 1, pair[1].id, "ids are consecutive");
            }
            for mutation in &push.mutations {
                assert!(mutation.id > 0);
                let node = roadmap.node(&mutation.topic).expect("a topic of the roadmap");
                assert_eq!(node.id.as_str(), mutation.topic, "stored under the current id");
                let stored = Mutation {
                    id: mutation.id as u64,
                    topic: mutation.topic.clone(),
                    edit: mutation.edit.clone(),
                    stamp: mutation.stamp.clone(),
                };
                assert!(stored.validate().is_ok(), "{stored:?}");
                assert!(
                    mutation.stamp.millis <= NOW + CLAMP_AHEAD_MILLIS,
                    "a stamp ahead of the bound is clamped"
                );
            }
        }
    }
});
