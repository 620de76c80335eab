//! How the page starts its client: the glue, the split build's loader and the wasm are all
//! asked for from the head, while the page is still being parsed, and the module script that
//! runs after the parse instantiates the wasm and hydrates.
//!
//! In place of Leptos's `HydrationScripts`, which writes the glue's modulepreload with the
//! nonce in `crossorigin` and none in `nonce`: that request brought nothing (status 0, an empty
//! resource entry; no violation event or console message was seen), and the glue was fetched a
//! second time when the module script imported it.
//!
//! The wasm's preload stays, although Lighthouse's simulated load counts it on the largest
//! paint's path: measured with slow 4G applied for real (session 12's note), dropping it left
//! the first paint where it was (1,484 against 1,508 ms) and made the map interactive 0.7 s
//! later.

use leptos::prelude::*;

/// The wasm's name beside the glue: `<name>.wasm` when the build set `LEPTOS_OUTPUT_NAME`
/// (cargo-leptos does), else wasm-bindgen's `<name>_bg.wasm`. Decided at compile time, as
/// Leptos does; the server's `delivery::assets` serves the wasm under this name.
pub const WASM_SUFFIX: &str = match option_env!("LEPTOS_OUTPUT_NAME") {
    Some(_) => ".wasm",
    None => "_bg.wasm",
};

/// Runs after the page is parsed (a module script).
const START_SCRIPT: &str = r#"import(GLUE).then((glue) =>
  glue.default({ module_or_path: WASM }).then(() => glue.hydrate()));"#;

/// Where a build's client files are, by the name the server gave the build
/// (`trailmap.<hash>`, see the server's `delivery::assets`).
#[derive(Debug, PartialEq, Eq)]
struct ClientFiles {
    glue: String,
    wasm: String,
    /// The split build's loader; only for a hashed build (an unhashed name means no client
    /// build was found).
    split_loader: Option<String>,
}

impl ClientFiles {
    fn of(output_name: &str, pkg_dir: &str) -> Self {
        Self {
            glue: format!("/{pkg_dir}/{output_name}.js"),
            wasm: format!("/{pkg_dir}/{output_name}{WASM_SUFFIX}"),
            split_loader: output_name
                .rsplit_once('.')
                .map(|(_, build)| format!("/{pkg_dir}/__wasm_split.{build}.js")),
        }
    }

    /// The modules fetched while the page is parsed: the glue, and the loader it imports (a
    /// module that is fetched twice under one URL is still one module). The glue always: it is
    /// what the start script imports, whether or not a client build was found.
    fn module_preloads(&self) -> Vec<String> {
        std::iter::once(self.glue.clone())
            .chain(self.split_loader.clone())
            .collect()
    }

    fn start_script(&self) -> String {
        // JSON string literals are JS string literals.
        let quote = |url: &str| serde_json::Value::from(url).to_string();
        START_SCRIPT
            .replace("GLUE", &quote(&self.glue))
            .replace("WASM", &quote(&self.wasm))
    }
}

/// The head's part of starting the client: nonce'd modulepreloads, the wasm's preload and
/// the start script.
#[component]
pub fn ClientScripts(options: LeptosOptions) -> impl IntoView {
    let files = ClientFiles::of(&options.output_name, &options.site_pkg_dir);
    let preloads = files
        .module_preloads()
        .into_iter()
        .map(|href| view! { <link rel="modulepreload" href=href nonce=use_nonce() /> })
        .collect_view();
    view! {
        {preloads}
        // `crossorigin`: the glue's `fetch` is a CORS-mode request, and a preload is only used
        // by a request of the same mode.
        <link
            rel="preload"
            href=files.wasm.clone()
            r#as="fetch"
            r#type="application/wasm"
            crossorigin="anonymous"
        />
        <script type="module" nonce=use_nonce()>
            {files.start_script()}
        </script>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hashed_build_preloads_its_glue_and_split_loader_under_the_builds_hash() {
        let files = ClientFiles::of("trailmap.0123456789abcdef", "pkg");
        assert_eq!(
            files.module_preloads(),
            [
                "/pkg/trailmap.0123456789abcdef.js",
                "/pkg/__wasm_split.0123456789abcdef.js"
            ]
        );
        assert_eq!(
            files.wasm,
            format!("/pkg/trailmap.0123456789abcdef{WASM_SUFFIX}")
        );
        assert_eq!(
            ClientFiles::of("trailmap", "pkg").module_preloads(),
            ["/pkg/trailmap.js"],
            "without a hashed build there is no split loader to name, but the glue is preloaded"
        );
    }

    #[test]
    fn the_start_script_names_the_glue_and_the_wasm() {
        let script = ClientFiles::of("trailmap.0123456789abcdef", "pkg").start_script();
        assert!(script.contains(r#"import("/pkg/trailmap.0123456789abcdef.js")"#));
        assert!(script.contains(&format!(
            r#"module_or_path: "/pkg/trailmap.0123456789abcdef{WASM_SUFFIX}""#
        )));
        assert!(!script.contains("GLUE") && !script.contains("WASM"));
    }
}
