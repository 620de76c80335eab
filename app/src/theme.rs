//! Light / dark mode: follows the system unless the learner picks one, remembered in local
//! storage. A tiny inline script in the page head applies the stored choice (and marks the
//! page as scripted) before the first paint, so there is no flash of the wrong theme.

use leptos::prelude::*;

/// Local-storage key of the stored choice (a JSON string: `"dark"`).
pub const STORAGE_KEY: &str = "trailmap.theme";

/// Runs before paint: `html.js` tells the CSS that scripts run (the map replaces the
/// outline), and `data-theme` carries the stored theme.
/// Embeds (`/embed/…`) take their theme from their URL, never from storage.
pub const HEAD_SCRIPT: &str = r#"(function(){var d=document.documentElement;d.classList.add("js");if(location.pathname.indexOf("/embed/")===0)return;try{var t=JSON.parse(localStorage.getItem("trailmap.theme"));if(t==="light"||t==="dark")d.dataset.theme=t;}catch(e){}})();"#;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Theme {
    System,
    Light,
    Dark,
}

impl Theme {
    fn next(self) -> Self {
        match self {
            Self::System => Self::Light,
            Self::Light => Self::Dark,
            Self::Dark => Self::System,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Self::System => "Theme: system",
            Self::Light => "Theme: light",
            Self::Dark => "Theme: dark",
        }
    }

    fn as_str(self) -> Option<&'static str> {
        match self {
            Self::System => None,
            Self::Light => Some("light"),
            Self::Dark => Some("dark"),
        }
    }
}

#[component]
pub fn ThemeToggle() -> impl IntoView {
    let theme = RwSignal::new(Theme::System);
    // On the client, start from what the head script applied.
    Effect::new(move |_| {
        let stored = document()
            .document_element()
            .and_then(|html| html.get_attribute("data-theme"));
        theme.set(match stored.as_deref() {
            Some("light") => Theme::Light,
            Some("dark") => Theme::Dark,
            _ => Theme::System,
        });
    });
    let cycle = move |_| {
        let next = theme.get_untracked().next();
        theme.set(next);
        apply(next);
    };
    view! {
        <button type="button" class="theme-toggle" on:click=cycle>
            {move || theme.get().label()}
        </button>
    }
}

fn apply(theme: Theme) {
    if let Some(html) = document().document_element() {
        match theme.as_str() {
            Some(value) => {
                let _ = html.set_attribute("data-theme", value);
            }
            None => {
                let _ = html.remove_attribute("data-theme");
            }
        }
    }
    // Remembered where the browser lets us (a JSON string, as the head script reads it);
    // where it does not, the choice lasts for this page.
    let saved = match theme.as_str() {
        Some(value) => crate::browser_storage::write(STORAGE_KEY, &format!("\"{value}\"")),
        None => crate::browser_storage::remove(STORAGE_KEY),
    };
    if let Err(problem) = saved {
        leptos::logging::warn!("trailmap: theme not remembered ({problem:?})");
    }
}
