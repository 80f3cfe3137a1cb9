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

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use leptos::reactive::computed::ScopedFuture;
    use std::pin::pin;
    use std::task::{Context, Poll, Waker};

    /// Polls a future that needs nothing else to finish.
    fn ready<F: Future>(fut: F) -> F::Output {
        let mut fut = pin!(fut);
        match fut.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
            Poll::Ready(out) => out,
            Poll::Pending => panic!("the future was expected to be ready"),
        }
    }

    /// The request's path as a server function would read it from its context.
    async fn path_seen() -> Option<String> {
        use_context::<axum::http::request::Parts>().map(|p| p.uri.path().to_owned())
    }

    #[test]
    fn a_resource_keeps_its_request_after_the_render_that_made_it_is_gone() {
        let request = Owner::new();
        request.set();
        let (parts, ()) = axum::http::Request::get("/r/room-1")
            .body(())
            .expect("a request")
            .into_parts();
        request.with(|| provide_context(parts));
        // A walk of a suspense boundary on the server: its owner makes the resource's future,
        // which nobody polls until the page's HTML is out and the render's owners are gone.
        let walk = request.child();
        let (plain, kept) = walk.with(|| {
            (
                ScopedFuture::new_untracked(path_seen()),
                in_request(path_seen()),
            )
        });
        walk.cleanup();
        drop(walk);
        request.cleanup();
        drop(request);
        // Without `in_request` the server function finds no request (it answered "internal
        // error", and the browser rendered that instead of the page); with it, it does.
        assert_eq!(ready(plain), None);
        assert_eq!(ready(kept), Some("/r/room-1".to_owned()));
    }
}
