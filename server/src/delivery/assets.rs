//! The app's own assets — the wasm, its JS glue and the CSS in `<site>/pkg/` — served from
//! memory under names that carry a hash of their content, so browsers may keep them for a year
//! without ever asking again; a new build has new names.
//!
//! The hashing is the server's own, done at start-up from the files cargo-leptos wrote (not
//! cargo-leptos's `hash-files`: Leptos 0.8 reads that build's `hash.txt` from beside the running
//! executable, which the integration tests — running from `target/debug/deps` — and a server
//! run from anywhere else would not find, and it leaves the stylesheet to the app). One hash
//! covers all three files (the glue and the wasm only work as a pair anyway), and Leptos is
//! told the files' name is `trailmap.<hash>`: `ClientScripts` (app) then writes
//! `/pkg/trailmap.<hash>.js` and `.wasm`, the shell writes `/pkg/trailmap.<hash>.css`, and the
//! service worker precaches those names. The unhashed names keep working, with a revalidating
//! policy (`no-cache` plus ETag).
//!
//! Each file is held with its brotli and gzip variants: read from the `.br`/`.gz` files next to
//! it when the build wrote them (`cargo leptos build --release --precompress`, as every build
//! command of this repository does), else made before the server accepts connections
//! (`compress_missing_now`, from `Application::build`): never a quick pass first.

use std::{collections::HashMap, path::Path, sync::Arc};

use axum::{
    body::Bytes,
    extract::{Request, State},
    http::{header, HeaderValue, Method},
    middleware::Next,
    response::Response,
};

use app::client_scripts::WASM_SUFFIX;

use crate::delivery::{etag::fnv1a, precompressed::Precompressed};

/// For names that change with their content.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// For names that do not: ask every time (a 304 when nothing changed).
pub const REVALIDATE: &str = "no-cache";

/// The loader `cargo leptos build --split` writes beside the glue: the glue imports it, it
/// fetches the lazy chunks (`<split>.wasm`, relative to itself) and imports the glue back.
const SPLIT_LOADER: &str = "__wasm_split.______________________.js";

#[derive(Clone, Debug)]
struct Asset {
    body: Precompressed,
    cache_control: &'static str,
}

/// This build's assets; cheap to clone.
#[derive(Clone, Debug, Default)]
pub struct SiteAssets(Arc<Inner>);

#[derive(Debug, Default)]
struct Inner {
    by_path: HashMap<String, Asset>,
    /// `trailmap.<hash>` when the build's JS and wasm were found.
    hashed_name: Option<String>,
    /// The hashed URLs every page loads: JS, wasm, CSS.
    shell_urls: Vec<String>,
    /// The hashed URLs of a split build's loader and lazy chunks, loaded on demand.
    split_urls: Vec<String>,
}

impl SiteAssets {
    /// Reads `<site_root>/<pkg_dir>/<name>.{js,wasm,css}` (and `<name>_bg.wasm`), and a split
    /// build's loader and chunks. Missing files are not served from here (a site without a
    /// client build still serves its pages).
    ///
    /// A split build's files name each other (glue → loader → chunks, loader → glue), and a
    /// module imported under two URLs is two modules: so the hashed glue, loader and chunks
    /// all carry the one build hash, and the hashed glue and loader are rewritten to name
    /// the hashed files (the unhashed ones keep naming each other).
    pub fn load(site_root: &Path, pkg_dir: &str, name: &str) -> Self {
        let dir = site_root.join(pkg_dir);
        let read = |file: &str, content_type: &'static str| -> Option<(String, Precompressed)> {
            let path = dir.join(file);
            let raw = std::fs::read(&path).ok()?;
            let variant = |extension: &str| {
                std::fs::read(dir.join(format!("{file}.{extension}")))
                    .ok()
                    .map(Bytes::from)
            };
            // The build's brotli is quality 11; its gzip (cargo-leptos's own encoder) is a fifth
            // bigger than level 9, which `compress_missing_now` makes instead.
            let body = Precompressed::with_variants(raw, content_type, variant("br"), None);
            Some((file.to_owned(), body))
        };
        let js = read(&format!("{name}.js"), "text/javascript");
        let wasm = read(&format!("{name}.wasm"), "application/wasm")
            .or_else(|| read(&format!("{name}_bg.wasm"), "application/wasm"));
        let css = read(&format!("{name}.css"), "text/css");
        let loader = read(SPLIT_LOADER, "text/javascript");
        let chunks: Vec<(String, Precompressed)> = match (&loader, &wasm) {
            (Some(_), Some((main_wasm, _))) => split_chunk_files(&dir, main_wasm)
                .iter()
                .filter_map(|file| read(file, "application/wasm"))
                .collect(),
            _ => Vec::new(),
        };

        let mut inner = Inner::default();
        for (file, body) in [&js, &wasm, &css, &loader]
            .into_iter()
            .flatten()
            .chain(&chunks)
        {
            inner.by_path.insert(
                format!("/{pkg_dir}/{file}"),
                Asset {
                    body: body.clone(),
                    cache_control: REVALIDATE,
                },
            );
        }
        if let (Some((js_file, js)), Some((_, wasm))) = (&js, &wasm) {
            let mut combined = Vec::with_capacity(64);
            for body in [Some(js), Some(wasm), css.as_ref().map(|(_, css)| css)]
                .into_iter()
                .flatten()
                .chain(loader.iter().chain(&chunks).map(|(_, body)| body))
            {
                combined.extend_from_slice(body.hash().as_bytes());
            }
            let build = format!("{:016x}", fnv1a(&combined));
            let hashed = format!("{name}.{build}");
            let mut add = |url: String, body: &Precompressed| {
                inner.by_path.insert(
                    url,
                    Asset {
                        body: body.clone(),
                        cache_control: IMMUTABLE,
                    },
                );
            };
            let split = loader.as_ref().map(|(_, loader)| {
                let hashed_loader = SPLIT_LOADER.replace("______________________", &build);
                // The chunks' names in the loader, and the glue's, become the hashed ones.
                let mut renames: Vec<(String, String)> = chunks
                    .iter()
                    .map(|(file, _)| {
                        (
                            format!("./{file}\""),
                            format!("./{}\"", hashed_chunk(file, &build)),
                        )
                    })
                    .collect();
                renames.push((format!("./{js_file}\""), format!("./{hashed}.js\"")));
                let loader = rewritten(loader, &renames);
                // Only where the glue imports it: the wasm's own import module keeps its name.
                let imports: Vec<(String, String)> =
                    ["from\"./{}\"", "from \"./{}\"", "from'./{}'", "from './{}'"]
                        .iter()
                        .map(|form| {
                            (
                                form.replace("{}", SPLIT_LOADER),
                                form.replace("{}", &hashed_loader),
                            )
                        })
                        .collect();
                let glue = rewritten(js, &imports);
                (glue, hashed_loader, loader)
            });
            let js = split.as_ref().map_or(js, |(glue, _, _)| glue);
            for (suffix, body, shell) in [
                (".js", js, true),
                (".wasm", wasm, WASM_SUFFIX == ".wasm"),
                ("_bg.wasm", wasm, WASM_SUFFIX == "_bg.wasm"),
            ]
            .into_iter()
            .chain(css.as_ref().map(|(_, css)| (".css", css, true)))
            {
                let url = format!("/{pkg_dir}/{hashed}{suffix}");
                if shell {
                    inner.shell_urls.push(url.clone());
                }
                add(url, body);
            }
            if let Some((_, hashed_loader, loader)) = &split {
                let url = format!("/{pkg_dir}/{hashed_loader}");
                inner.split_urls.push(url.clone());
                add(url, loader);
                for (file, body) in &chunks {
                    let url = format!("/{pkg_dir}/{}", hashed_chunk(file, &build));
                    inner.split_urls.push(url.clone());
                    add(url, body);
                }
            }
            inner.hashed_name = Some(hashed);
        }
        Self(Arc::new(inner))
    }

    /// Makes every brotli (quality 11) and gzip variant the build did not write, on this
    /// thread. The server does this before it accepts connections, so that even without the
    /// build's `.br`/`.gz` files no visitor is ever sent a quick on-the-fly compression of the
    /// wasm while the good one is being made. (Tests skip it: they never fetch the wasm.)
    pub fn compress_missing_now(&self) {
        for asset in self.0.by_path.values() {
            // Hashed and plain names share a body: its variants are made once.
            asset.body.compress_now();
        }
    }

    /// The name Leptos should give the JS, wasm and CSS files (`trailmap.<hash>`), if hashed.
    pub fn hashed_name(&self) -> Option<&str> {
        self.0.hashed_name.as_deref()
    }

    /// The hashed URLs of the JS, the wasm and the CSS every page loads.
    pub fn shell_urls(&self) -> &[String] {
        &self.0.shell_urls
    }

    /// The hashed URLs of a split build's loader and lazy chunks (none without `--split`).
    pub fn split_urls(&self) -> &[String] {
        &self.0.split_urls
    }

    /// The bytes served at `path`, if it is one of these assets.
    pub fn body(&self, path: &str) -> Option<&Bytes> {
        self.0.by_path.get(path).map(|asset| asset.body.raw())
    }
}

/// A chunk's name under the build hash: `split_notes.wasm` → `split_notes.<build>.wasm`.
fn hashed_chunk(file: &str, build: &str) -> String {
    format!("{}.{build}.wasm", file.trim_end_matches(".wasm"))
}

/// The lazy chunks of a split build in `dir`: every `.wasm` but the main one, by name.
fn split_chunk_files(dir: &Path, main_wasm: &str) -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| entry.file_name().into_string().ok())
        .filter(|file| file.ends_with(".wasm") && file != main_wasm)
        .collect();
    files.sort();
    files
}

/// `body` (a JS module) with each `(from, to)` replaced; it loses the build's compressed
/// variants, which `compress_missing_now` makes again. If nothing was found that is logged:
/// the module would then import or fetch unhashed files (still served).
fn rewritten(body: &Precompressed, renames: &[(String, String)]) -> Precompressed {
    let mut text = String::from_utf8_lossy(body.raw()).into_owned();
    let before = text.clone();
    for (from, to) in renames {
        text = text.replace(from.as_str(), to);
    }
    if text == before {
        tracing::warn!(
            names = ?renames.iter().map(|(from, _)| from).collect::<Vec<_>>(),
            "a split build's module names none of these files"
        );
    }
    Precompressed::new(text, "text/javascript")
}

/// Middleware: answers `GET`/`HEAD` of an asset, passes every other request on.
pub async fn serve(State(assets): State<SiteAssets>, request: Request, next: Next) -> Response {
    let is_read = matches!(*request.method(), Method::GET | Method::HEAD);
    match assets
        .0
        .by_path
        .get(request.uri().path())
        .filter(|_| is_read)
    {
        Some(asset) => asset.body.respond(
            request.headers(),
            &[(
                header::CACHE_CONTROL,
                HeaderValue::from_static(asset.cache_control),
            )],
        ),
        None => next.run(request).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("pkg")).unwrap();
        for (name, content) in files {
            std::fs::write(dir.path().join("pkg").join(name), content).unwrap();
        }
        dir
    }

    #[test]
    fn names_carry_a_hash_of_all_three_files() {
        let first = site(&[
            ("trailmap.js", "glue"),
            ("trailmap.wasm", "wasm"),
            ("trailmap.css", "css"),
        ]);
        let assets = SiteAssets::load(first.path(), "pkg", "trailmap");
        let name = assets.hashed_name().unwrap().to_owned();
        assert!(name.starts_with("trailmap.") && name.len() == "trailmap.".len() + 16);
        assert_eq!(
            assets.body(&format!("/pkg/{name}.css")).unwrap(),
            &Bytes::from("css")
        );
        assert_eq!(
            assets.body(&format!("/pkg/{name}.wasm")).unwrap(),
            &Bytes::from("wasm")
        );
        assert_eq!(
            assets.body(&format!("/pkg/{name}_bg.wasm")).unwrap(),
            &Bytes::from("wasm")
        );
        assert_eq!(
            assets.body("/pkg/trailmap.js").unwrap(),
            &Bytes::from("glue")
        );
        assert_eq!(assets.shell_urls().len(), 3);

        let changed = site(&[
            ("trailmap.js", "glue"),
            ("trailmap.wasm", "wasm"),
            ("trailmap.css", "css 2"),
        ]);
        let again = SiteAssets::load(changed.path(), "pkg", "trailmap");
        assert_ne!(again.hashed_name().unwrap(), name, "a new build, new names");
        assert_eq!(
            SiteAssets::load(first.path(), "pkg", "trailmap").hashed_name(),
            Some(name.as_str()),
            "deterministic"
        );
    }

    #[test]
    fn a_split_builds_modules_name_each_others_hashed_files() {
        let dir = site(&[
            (
                "trailmap.js",
                "import*as t from\"./__wasm_split.______________________.js\";\
                 ({\"./__wasm_split.______________________.js\":t})",
            ),
            ("trailmap.wasm", "wasm"),
            ("trailmap.wasm.br", "BR"),
            (
                SPLIT_LOADER,
                "import { initSync } from \"./trailmap.js\";\n\
                 fetch(new URL(\"./note_html_1.wasm\", import.meta.url));",
            ),
            ("note_html_1.wasm", "chunk"),
        ]);
        let assets = SiteAssets::load(dir.path(), "pkg", "trailmap");
        let name = assets.hashed_name().unwrap();
        let build = name.trim_start_matches("trailmap.");
        let text = |path: &str| String::from_utf8(assets.body(path).unwrap().to_vec()).unwrap();

        let loader = format!("/pkg/__wasm_split.{build}.js");
        let chunk = format!("/pkg/note_html_1.{build}.wasm");
        assert_eq!(assets.split_urls(), [loader.clone(), chunk.clone()]);
        // The glue imports the hashed loader; the wasm still imports the module by its name.
        assert_eq!(
            text(&format!("/pkg/{name}.js")),
            format!(
                "import*as t from\"./__wasm_split.{build}.js\";\
                 ({{\"./{SPLIT_LOADER}\":t}})"
            )
        );
        assert_eq!(
            text(&loader),
            format!(
                "import {{ initSync }} from \"./{name}.js\";\n\
                 fetch(new URL(\"./note_html_1.{build}.wasm\", import.meta.url));"
            )
        );
        assert_eq!(text(&chunk), "chunk");
        assert_eq!(assets.0.by_path[&chunk].cache_control, IMMUTABLE);
        // The unhashed files keep naming each other.
        assert!(text(&format!("/pkg/{SPLIT_LOADER}")).contains("\"./trailmap.js\""));
        assert!(text("/pkg/trailmap.js").contains(SPLIT_LOADER));
        assert!(
            assets.body("/pkg/trailmap.wasm.br").is_none(),
            "the main wasm's compressed variant is not a chunk"
        );
    }

    #[test]
    fn without_a_client_build_nothing_is_hashed() {
        let only_css = site(&[("trailmap.css", "css")]);
        let assets = SiteAssets::load(only_css.path(), "pkg", "trailmap");
        assert_eq!(assets.hashed_name(), None);
        assert!(assets.shell_urls().is_empty());
        assert!(assets.body("/pkg/trailmap.css").is_some());
    }

    #[test]
    fn the_builds_compressed_files_are_used() {
        let dir = site(&[
            ("trailmap_bg.wasm", "wasm"),
            ("trailmap_bg.wasm.br", "BR"),
            ("trailmap.js", "glue"),
        ]);
        let assets = SiteAssets::load(dir.path(), "pkg", "trailmap");
        let mut request = axum::http::HeaderMap::new();
        request.insert(header::ACCEPT_ENCODING, HeaderValue::from_static("br"));
        let response = assets.0.by_path["/pkg/trailmap_bg.wasm"]
            .body
            .respond(&request, &[]);
        assert_eq!(response.headers()[header::CONTENT_ENCODING], "br");
    }
}
