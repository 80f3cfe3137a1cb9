//! The wasm entry point. `scripts/build-site` compiles this crate for `wasm32-unknown-unknown`,
//! runs wasm-bindgen over it, and the page's module script calls [`hydrate`] once the module is
//! instantiated.

// Leptos views are deeply nested types; the board's view tree outgrows the default limit of 128
// when the compiler lays out its hydration future.
#![recursion_limit = "256"]

use wasm_bindgen::prelude::wasm_bindgen;

/// Makes the server-rendered page interactive.
#[wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
    // Lets tests (and curious users) tell a hydrated page from server-rendered HTML.
    if let Some(body) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
    {
        let _ = body.set_attribute("data-hydrated", "true");
    }
}
