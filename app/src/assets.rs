//! The URLs of the built front-end files (wasm, its JS glue, CSS).
//!
//! `scripts/build-site` names those files after a hash of their content (`inkroom.3f9a1c2e.wasm`)
//! so browsers may cache them forever, and records the names in `assets.json` at the site root;
//! the server reads it at start-up. Leptos's own `HydrationScripts` looks for its hash file next to
//! the server executable, which does not fit a shared cargo target directory, so the shell renders
//! the (small) hydration script itself.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// URL paths of the front-end files.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assets {
    /// The wasm-bindgen JS glue module.
    pub js: String,
    /// The wasm module.
    pub wasm: String,
    /// The stylesheet.
    pub css: String,
}

impl Default for Assets {
    /// Unhashed names, used when no manifest was built (e.g. server tests without a site).
    fn default() -> Self {
        Self {
            js: "/pkg/inkroom.js".into(),
            wasm: "/pkg/inkroom.wasm".into(),
            css: "/pkg/inkroom.css".into(),
        }
    }
}

impl Assets {
    /// Preload hints and the module script that loads the wasm and hydrates the page.
    pub fn hydration_scripts(&self) -> impl IntoView + use<> {
        // Paths are produced by our own build script, but escape them as JS strings anyway.
        let js = serde_json::to_string(&self.js).unwrap_or_default();
        let wasm = serde_json::to_string(&self.wasm).unwrap_or_default();
        let script = format!(
            "import init, {{ hydrate }} from {js};\
             init({{ module_or_path: {wasm} }}).then(() => hydrate());"
        );
        // The page's CSP allows inline scripts by this response's nonce only.
        let nonce = leptos::nonce::use_nonce();
        view! {
            <link rel="modulepreload" href=self.js.clone() />
            <link rel="preload" href=self.wasm.clone() r#as="fetch" r#type="application/wasm" crossorigin="" />
            <script type="module" nonce=nonce>{script}</script>
        }
    }
}
