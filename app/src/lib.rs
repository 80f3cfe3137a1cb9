//! Inkroom's Leptos application: the HTML shell, the router, the pages and the browser side of the
//! canvas engine.
//!
//! The same crate is compiled twice: with feature `ssr` into the server (rendering HTML, and later
//! running server functions), and with feature `hydrate` into the wasm bundle that makes the
//! server-rendered page interactive. Anything touching the DOM is behind `hydrate`.

pub mod ai;
pub mod api;
pub mod assets;
pub mod auth;
pub mod canvas;
pub mod challenges;
pub mod error;
pub mod icons;
pub mod layout;
pub mod pages;
pub mod request;
pub mod rooms;
#[cfg(feature = "ssr")]
pub mod ssr;
pub mod theme;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

pub use assets::Assets;

/// The full HTML document the server renders around [`App`].
pub fn shell(options: LeptosOptions, assets: Assets) -> impl IntoView {
    let _ = options;
    #[cfg(feature = "ssr")]
    page_policy();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light dark" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <link rel="stylesheet" href=assets.css.clone() />
                <script nonce=leptos::nonce::use_nonce()>{theme::head_script()}</script>
                {assets.hydration_scripts()}
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// Sets the page's `Content-Security-Policy`: scripts only from this site or inline with this
/// response's nonce (which the server provides, and leptos puts on every inline script it
/// writes), WebAssembly compiled from them, connections only back to this host.
#[cfg(feature = "ssr")]
fn page_policy() {
    use axum::http::{HeaderValue, header};
    let Some(nonce) = leptos::nonce::use_nonce() else {
        return;
    };
    // The WebSocket's URL is ws(s)://<host>/ws; 'self' does not cover ws: in every browser.
    let host = use_context::<axum::http::request::Parts>()
        .and_then(|p| {
            p.headers
                .get(header::HOST)?
                .to_str()
                .ok()
                .map(str::to_owned)
        })
        .filter(|h| {
            h.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        });
    let sockets = host.map_or_else(String::new, |h| format!(" ws://{h} wss://{h}"));
    let policy = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self'; \
         connect-src 'self'{sockets}; object-src 'none'; base-uri 'none'; form-action 'self'; \
         frame-ancestors 'none'"
    );
    if let (Some(response), Ok(value)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        HeaderValue::from_str(&policy),
    ) {
        response.insert_header(header::CONTENT_SECURITY_POLICY, value);
    }
}

/// The application: routes to pages.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    layout::Session::provide();
    view! {
        <Title formatter=|page: String| if page.is_empty() { "Inkroom".to_owned() } else { format!("{page} · Inkroom") } />
        <Router>
            <Routes fallback=pages::NotFound>
                <Route path=path!("/") view=pages::Home />
                <Route path=path!("/signup") view=auth::pages::SignUpPage />
                <Route path=path!("/signin") view=auth::pages::SignInPage />
                <Route path=path!("/dashboard") view=pages::Dashboard />
                <Route path=path!("/r/:slug") view=rooms::pages::RoomPage />
                <Route path=path!("/r/:slug/settings") view=rooms::pages::RoomSettingsPage />
                <Route path=path!("/join/:token") view=rooms::pages::JoinLinkPage />
                <Route path=path!("/challenges") view=challenges::pages::ChallengesPage />
                <Route path=path!("/challenges/:slug") view=challenges::pages::ChallengePage />
                <Route path=path!("/submissions/:id") view=challenges::pages::SubmissionPage />
                <Route path=path!("/me/submissions") view=challenges::pages::MySubmissionsPage />
                <Route path=path!("/u/:id") view=challenges::pages::ProfilePage />
                <Route path=path!("/admin/challenges") view=challenges::pages::AdminPage />
            </Routes>
        </Router>
    }
}
