//! *Download image*: the map with this learner's statuses as an SVG or PNG file, drawn in the
//! browser by the snapshot code the server's `/roadmaps/{slug}.svg` uses (same layout, same
//! colours), so nothing personal is uploaded. The whole map as it is expanded, or only the part
//! on screen.

use leptos::prelude::*;

use crate::{
    contexts::{map_state::MapState, progress::ProgressState},
    layout::Rect,
    progress::Status,
    roadmap::NodeId,
    snapshot::{self, Picture, SnapshotTheme},
};

/// Which part of the map the file shows.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Area {
    Whole,
    View,
}

// Used by the client's rasteriser (and the tests) only.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
/// The PNG's pixels per map pixel (sharp on high-density screens), lowered for very large
/// maps so neither side passes [`MAX_PNG_SIDE`].
const PNG_SCALE: f64 = 2.0;
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
const MAX_PNG_SIDE: f64 = 16_384.0;

#[component]
pub fn ImageExport() -> impl IntoView {
    let state = expect_context::<MapState>();
    let progress = expect_context::<ProgressState>();
    let area = RwSignal::new(Area::Whole);
    let problem = RwSignal::new(None::<String>);

    // The picture, drawn on demand (a click), never while the map renders.
    let picture = move || -> String {
        let view = (area.get_untracked() == Area::View)
            .then(|| {
                // The part of the map not under the toolbars or the panel.
                let area = state.visible_area()?;
                let visible = state.viewport.get_untracked().visible_content(area);
                Some(Rect {
                    x: visible.x,
                    y: visible.y,
                    width: visible.width,
                    height: visible.height,
                })
            })
            .flatten();
        let status = |id: &str| {
            NodeId::parse(id)
                .ok()
                .and_then(|id| progress.status(&id))
                .unwrap_or(Status::Pending)
        };
        state.roadmap.with_value(|roadmap| {
            state.layout.with_untracked(|layout| {
                snapshot::render_picture(
                    roadmap,
                    layout,
                    &Picture {
                        theme: page_theme(),
                        status: &status,
                        area: view,
                    },
                )
            })
        })
    };
    let file_name = move |extension: &str| {
        let part = match area.get_untracked() {
            Area::Whole => "map",
            Area::View => "view",
        };
        let slug = state.roadmap.with_value(|r| r.slug.clone());
        format!("trailmap-{slug}-{part}.{extension}")
    };
    let download_svg = move |_| {
        problem.set(None);
        let url = svg_data_url(&picture());
        if let Err(error) = client::download(&url, &file_name("svg")) {
            problem.set(Some(error));
        }
    };
    let download_png = move |_| {
        problem.set(None);
        let name = file_name("png");
        client::download_png(svg_data_url(&picture()), name, move |outcome| {
            if let Err(error) = outcome {
                problem.set(Some(error));
            }
        });
    };

    view! {
        <details class="image-export">
            <summary>"Download image…"</summary>
            <div class="image-export-body">
                <fieldset>
                    <legend>"Download an image of the map with your progress"</legend>
                    {[(Area::Whole, " The whole map, as expanded"), (Area::View, " What is on screen")]
                        .map(|(choice, label)| {
                            view! {
                                <label>
                                    <input
                                        type="radio"
                                        name="image-area"
                                        checked=move || area.get() == choice
                                        on:change=move |_| area.set(choice)
                                    />
                                    {label}
                                </label>
                            }
                        })}
                </fieldset>
                <button type="button" on:click=download_svg>
                    "Download SVG"
                </button>
                <button type="button" on:click=download_png>
                    "Download PNG"
                </button>
                <p role="status" class="image-export-problem">
                    {move || problem.get().map(|p| format!("Not downloaded: {p}"))}
                </p>
            </div>
        </details>
    }
}

/// The theme the page shows: the learner's choice (`data-theme`), else the system's.
fn page_theme() -> SnapshotTheme {
    if client::prefers_dark() {
        SnapshotTheme::Dark
    } else {
        SnapshotTheme::Light
    }
}

/// An SVG document as a `data:` URL (the page's CSP allows `data:` images, not `blob:`).
fn svg_data_url(svg: &str) -> String {
    let mut url = String::with_capacity(svg.len() + 64);
    url.push_str("data:image/svg+xml;charset=utf-8,");
    for byte in svg.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b' ' | b'=' | b'/' => {
                url.push(byte as char)
            }
            _ => {
                url.push('%');
                url.push_str(&format!("{byte:02X}"));
            }
        }
    }
    url
}

#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
/// The PNG's size for an SVG of `width` × `height` map pixels.
fn png_size(width: f64, height: f64) -> (u32, u32) {
    let scale = PNG_SCALE.min(MAX_PNG_SIDE / width.max(height).max(1.0));
    (
        (width * scale).round().max(1.0) as u32,
        (height * scale).round().max(1.0) as u32,
    )
}

#[cfg(feature = "hydrate")]
mod client {
    use wasm_bindgen::{closure::Closure, JsCast, JsValue};

    /// `data-theme` on `<html>`, else `prefers-color-scheme`.
    pub fn prefers_dark() -> bool {
        let Some(window) = web_sys::window() else {
            return false;
        };
        let chosen = window
            .document()
            .and_then(|d| d.document_element())
            .and_then(|html| html.get_attribute("data-theme"));
        match chosen.as_deref() {
            Some("dark") => true,
            Some("light") => false,
            _ => window
                .match_media("(prefers-color-scheme: dark)")
                .ok()
                .flatten()
                .is_some_and(|query| query.matches()),
        }
    }

    /// Saves `url` as a file named `name` (a link with `download`, clicked).
    pub fn download(url: &str, name: &str) -> Result<(), String> {
        let document = web_sys::window()
            .and_then(|w| w.document())
            .ok_or("no document")?;
        let link = document
            .create_element("a")
            .ok()
            .and_then(|e| e.dyn_into::<web_sys::HtmlAnchorElement>().ok())
            .ok_or("this browser cannot make a download link")?;
        link.set_href(url);
        link.set_download(name);
        link.click();
        Ok(())
    }

    /// Draws the SVG at `svg_url` on a canvas and saves it as a PNG; `done` hears how it went.
    pub fn download_png(
        svg_url: String,
        name: String,
        done: impl FnOnce(Result<(), String>) + 'static,
    ) {
        let Ok(image) = web_sys::HtmlImageElement::new() else {
            done(Err("this browser cannot draw images".into()));
            return;
        };
        let done = std::rc::Rc::new(std::cell::RefCell::new(Some(done)));
        let failed = done.clone();
        let drawn = image.clone();
        let onload = Closure::once(move || {
            let outcome = rasterise(&drawn).and_then(|url| download(&url, &name));
            if let Some(done) = done.borrow_mut().take() {
                done(outcome);
            }
        });
        let onerror = Closure::once(move || {
            if let Some(done) = failed.borrow_mut().take() {
                done(Err("the picture could not be drawn".into()));
            }
        });
        image.set_onload(Some(onload.as_ref().unchecked_ref()));
        image.set_onerror(Some(onerror.as_ref().unchecked_ref()));
        onload.forget();
        onerror.forget();
        image.set_src(&svg_url);
    }

    /// The loaded SVG image as a PNG `data:` URL.
    fn rasterise(image: &web_sys::HtmlImageElement) -> Result<String, String> {
        let (width, height) = super::png_size(
            f64::from(image.natural_width()),
            f64::from(image.natural_height()),
        );
        let canvas = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.create_element("canvas").ok())
            .and_then(|e| e.dyn_into::<web_sys::HtmlCanvasElement>().ok())
            .ok_or("this browser has no canvas")?;
        canvas.set_width(width);
        canvas.set_height(height);
        let context = canvas
            .get_context("2d")
            .ok()
            .flatten()
            .and_then(|c| c.dyn_into::<web_sys::CanvasRenderingContext2d>().ok())
            .ok_or("this browser cannot draw on a canvas")?;
        context
            .draw_image_with_html_image_element_and_dw_and_dh(
                image,
                0.0,
                0.0,
                f64::from(width),
                f64::from(height),
            )
            .map_err(|_| "the picture could not be drawn".to_owned())?;
        canvas
            .to_data_url_with_type("image/png")
            .map_err(|error: JsValue| {
                error
                    .as_string()
                    .unwrap_or_else(|| "the browser refused to make the PNG".into())
            })
    }
}

/// On the server nothing is downloaded (the buttons only work once hydrated).
#[cfg(not(feature = "hydrate"))]
mod client {
    pub fn prefers_dark() -> bool {
        false
    }

    pub fn download(_url: &str, _name: &str) -> Result<(), String> {
        Err("the page is still loading".into())
    }

    pub fn download_png(_svg_url: String, _name: String, done: impl FnOnce(Result<(), String>)) {
        done(Err("the page is still loading".into()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_svg_data_url_escapes_markup_and_non_ascii() {
        let url = svg_data_url(r#"<svg a="b">Ü#%</svg>"#);
        assert_eq!(
            url,
            "data:image/svg+xml;charset=utf-8,%3Csvg a=%22b%22%3E%C3%9C%23%25%3C/svg%3E"
        );
    }

    #[test]
    fn the_png_is_twice_the_map_unless_that_is_too_large() {
        assert_eq!(png_size(500.0, 300.0), (1000, 600));
        assert_eq!(png_size(16_384.0, 1_000.0), (16_384, 1_000));
        assert_eq!(png_size(0.0, 0.0), (1, 1));
    }
}
