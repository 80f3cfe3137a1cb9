//! Page data that always loads as the request that asked for it.
//!
//! Why this exists (the hydration panic "expected a text node" under load): while rendering on
//! the server, Leptos walks a suspense boundary's children more than once to find the resources
//! they read (`dry_resolve`), and each walk runs the `Suspend` bodies whose data is already
//! there: a resource created inside such a body is created once per walk. The browser creates
//! it once, and reads the value the server sent for the *first* one. That first one belongs to
//! a walk whose view was thrown away, so its owner, and with it the request's context, can be
//! gone before its server function runs; under load it was, the server function found no
//! request (no cookies, no user), returned an error, and the browser rendered that error where
//! the server's page had the real content: a mismatch, and a dead page.
//!
//! [`in_request`] makes the server function's future carry what it needs (the request's parts,
//! the server state, the response options) from the moment the resource is created, in an
//! owner of its own, so every copy of a resource loads the same data whenever it is polled.
//! Every page resource that calls a server function goes through it.

#[cfg(feature = "ssr")]
use leptos::prelude::*;
use std::future::Future;

/// `fut` (a server function call made for a resource), running with the current request's
/// context however late it is polled. In the browser it is `fut` itself.
pub fn in_request<F>(fut: F) -> impl Future<Output = F::Output> + Send + 'static
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    #[cfg(feature = "ssr")]
    {
        let parts = use_context::<axum::http::request::Parts>();
        let state = use_context::<crate::ssr::state::ServerState>();
        let response = use_context::<leptos_axum::ResponseOptions>();
        // A child of the request's root owner rather than of the render owner the resource
        // was created under: it shares the request's arena and lives until the response is
        // done, however soon that render owner is cleaned up. (Not a new root: making one
        // switches the thread's current owner and arena for good.)
        let owner = Owner::current().map(|mut root| {
            while let Some(parent) = root.parent() {
                root = parent;
            }
            root.child()
        });
        let scoped = match &owner {
            Some(owner) => owner.with(|| {
                if let Some(parts) = parts {
                    provide_context(parts);
                }
                if let Some(state) = state {
                    provide_context(state);
                }
                if let Some(response) = response {
                    provide_context(response);
                }
                leptos::reactive::computed::ScopedFuture::new_untracked(fut)
            }),
            None => leptos::reactive::computed::ScopedFuture::new_untracked(fut),
        };
        async move {
            let out = scoped.await;
            drop(owner);
            out
        }
    }
    #[cfg(not(feature = "ssr"))]
    {
        fut
    }
}
