//! The light and dark themes. The page follows the system setting until the user picks one with
//! [`ThemeToggle`]; the choice is kept in the browser (`localStorage["inkroom.theme"]`) and set
//! on `<html data-theme>` by a tiny script in the page's head before anything is painted, so a
//! dark page never flashes white. The board's canvas follows Excalidraw's dark-mode rule (the
//! drawing inverted and hue-rotated by CSS), so one board reads well in both themes while its
//! elements keep their real colours and exports stay light.

use crate::icons::{Icon, IconSvg};
use leptos::prelude::*;

/// Where the choice is kept in the browser.
pub const STORAGE_KEY: &str = "inkroom.theme";

/// The head script: applies a saved choice before the first paint (no reactive state, so the
/// server's HTML and the hydrated page never differ).
pub fn head_script() -> String {
    format!(
        "try{{var t=localStorage.getItem('{STORAGE_KEY}');\
         if(t==='dark'||t==='light')document.documentElement.dataset.theme=t;}}catch(e){{}}"
    )
}

/// Light or dark, as the page shows it now (the saved choice, else the system's).
#[cfg(feature = "hydrate")]
fn current_is_dark() -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let saved = window
        .document()
        .and_then(|d| d.document_element())
        .and_then(|html| html.get_attribute("data-theme"));
    match saved.as_deref() {
        Some("dark") => true,
        Some("light") => false,
        _ => window
            .match_media("(prefers-color-scheme: dark)")
            .ok()
            .flatten()
            .is_some_and(|m| m.matches()),
    }
}

/// Switches to the other theme and remembers it.
#[cfg(feature = "hydrate")]
fn toggle() {
    let next = if current_is_dark() { "light" } else { "dark" };
    let Some(window) = web_sys::window() else {
        return;
    };
    if let Some(html) = window.document().and_then(|d| d.document_element()) {
        let _ = html.set_attribute("data-theme", next);
    }
    if let Ok(Some(storage)) = window.local_storage() {
        let _ = storage.set_item(STORAGE_KEY, next);
    }
}

/// The theme button: a moon in the light theme, a sun in the dark one (CSS shows the right
/// one, so the markup is the same on the server and in the browser).
#[component]
pub fn ThemeToggle() -> impl IntoView {
    view! {
        <button type="button" class="tool theme-toggle" data-testid="theme-toggle"
            aria-label="Dark or light theme" title="Switch between the light and dark theme"
            on:click=move |_| {
                #[cfg(feature = "hydrate")]
                toggle();
            }>
            <span class="when-light"><IconSvg icon=Icon::Moon /></span>
            <span class="when-dark"><IconSvg icon=Icon::Sun /></span>
        </button>
    }
}
