//! `/sw.js`: the service worker that lets the app open with no network (see
//! `service_worker.js`). Built once at start-up from the site folder: its version is a hash of
//! the build's assets, so a new build means a new worker (and a new cache), and it precaches
//! exactly the assets this build has.

use std::{path::Path, sync::Arc};

use crate::delivery::{assets::SiteAssets, etag::Fnv64};
use axum::{
    extract::State,
    http::{header, HeaderValue},
    response::{IntoResponse, Response},
};

/// Public files every page needs, precached at install when the build has them (with the
/// hashed JS, wasm and CSS of `SiteAssets`, and a split build's loader and chunks).
const SHELL_FILES: [&str; 4] = [
    "favicon.ico",
    "manifest.webmanifest",
    "icons/icon-192.png",
    "icons/icon-512.png",
];

const TEMPLATE: &str = include_str!("service_worker.js");

/// The worker script of this build.
#[derive(Clone, Debug)]
pub struct ServiceWorkerScript(Arc<str>);

impl ServiceWorkerScript {
    pub fn new(site_root: &Path, assets: &SiteAssets) -> Self {
        let mut hash = Fnv64::default();
        let mut precache = vec!["/".to_owned()];
        // A split build's lazy chunks too: offline, a part first used then must be there.
        for url in assets.shell_urls().iter().chain(assets.split_urls()) {
            // The URL carries the content's hash.
            hash.write(url.as_bytes());
            precache.push(url.clone());
        }
        for file in SHELL_FILES {
            if let Ok(bytes) = std::fs::read(site_root.join(file)) {
                hash.write(file.as_bytes());
                hash.write(&bytes);
                precache.push(format!("/{file}"));
            }
        }
        hash.write(TEMPLATE.as_bytes());
        let script = TEMPLATE
            .replace("__VERSION__", &format!("{:016x}", hash.0))
            .replace(
                "__PRECACHE__",
                &serde_json::to_string(&precache).unwrap_or_else(|_| "[\"/\"]".into()),
            );
        Self(script.into())
    }

    pub fn version(&self) -> Option<&str> {
        let start = self.0.find("const VERSION = \"")? + "const VERSION = \"".len();
        self.0.get(start..start + 16)
    }
}

/// `GET /sw.js`: always revalidated, so a new build is noticed on the next visit.
pub async fn serve(State(script): State<ServiceWorkerScript>) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/javascript; charset=utf-8"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        script.0.to_string(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_version_follows_the_assets_and_only_existing_files_are_precached() {
        let site = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(site.path().join("pkg")).unwrap();
        std::fs::write(site.path().join("pkg/trailmap.js"), "one").unwrap();
        std::fs::write(site.path().join("pkg/trailmap.wasm"), "wasm").unwrap();
        std::fs::write(site.path().join("favicon.ico"), "icon").unwrap();
        let load = || {
            let assets = SiteAssets::load(site.path(), "pkg", "trailmap");
            (ServiceWorkerScript::new(site.path(), &assets), assets)
        };
        let (first, assets) = load();
        let [js, wasm] = assets.shell_urls() else {
            panic!("the JS and the wasm: {:?}", assets.shell_urls())
        };
        assert!(first.0.contains(&format!(
            r#"const PRECACHE = ["/","{js}","{wasm}","/favicon.ico"];"#
        )));
        assert!(!first.0.contains("__VERSION__"));

        let (same, _) = load();
        assert_eq!(first.version(), same.version(), "deterministic");

        std::fs::write(site.path().join("pkg/trailmap.js"), "two").unwrap();
        let (changed, _) = load();
        assert_ne!(
            first.version(),
            changed.version(),
            "a new build, a new version"
        );
        assert!(!changed.0.contains(js.as_str()), "the new build's names");
    }
}
