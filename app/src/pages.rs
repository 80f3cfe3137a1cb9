//! The pages behind the router's routes.

use crate::canvas::Board;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map};

/// The landing page: open a board by name.
#[component]
pub fn Home() -> impl IntoView {
    let (name, set_name) = signal(String::new());
    let slug = Memo::new(move |_| crate::rooms::slugify(&name.get()));
    let navigate = use_navigate();
    let open = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if let Some(s) = slug.get_untracked() {
            navigate(&format!("/r/{s}"), Default::default());
        }
    };
    view! {
        <Title text="" />
        <main class="home">
            <h1>"Inkroom"</h1>
            <p class="tagline">"A whiteboard for drawing together, in real time."</p>
            // Without JavaScript the form still works: the server's `/open` redirects to the board.
            <form class="open-board" on:submit=open action="/open" method="get">
                <label for="board-name">"Board name"</label>
                <input
                    id="board-name"
                    name="name"
                    placeholder="e.g. Sprint planning"
                    autocomplete="off"
                    prop:value=name
                    on:input=move |ev| set_name.set(event_target_value(&ev))
                />
                // Never disabled: without JavaScript the server's /open handles an empty name.
                <button type="submit">"Open board"</button>
                <output data-testid="slug-preview">
                    {move || slug.get().map(|s| format!("/r/{s}")).unwrap_or_default()}
                </output>
            </form>
        </main>
    }
}

/// A board page.
#[component]
pub fn RoomPage() -> impl IntoView {
    let params = use_params_map();
    let slug = move || params.read().get("slug").unwrap_or_default();
    view! {
        <Title text=slug />
        <Board slug=Signal::derive(slug) />
    }
}

/// Shown for unknown paths, with status 404.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    {
        if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
            resp.set_status(axum::http::StatusCode::NOT_FOUND);
        }
    }
    view! {
        <Title text="Not found" />
        <main class="not-found">
            <h1>"Nothing here"</h1>
            <p><a href="/">"Back to Inkroom"</a></p>
        </main>
    }
}
