//! The pages behind the router's routes.

use crate::canvas::Board;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map};

/// Turns free text into a board slug: lowercase ASCII letters, digits and single dashes, at most
/// 48 characters. Returns `None` if nothing usable is left.
pub fn slugify(input: &str) -> Option<String> {
    let mut out = String::new();
    for c in input.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
        if out.len() >= 48 {
            break;
        }
    }
    let out = out.trim_end_matches('-').to_owned();
    (!out.is_empty()).then_some(out)
}

/// The landing page: open a board by name.
#[component]
pub fn Home() -> impl IntoView {
    let (name, set_name) = signal(String::new());
    let slug = Memo::new(move |_| slugify(&name.get()));
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

#[cfg(test)]
mod tests {
    use super::slugify;

    #[test]
    fn slugify_keeps_words_and_collapses_separators() {
        assert_eq!(
            slugify("  Sprint Planning -- Q3! ").as_deref(),
            Some("sprint-planning-q3")
        );
        assert_eq!(slugify("Ünïcode ok").as_deref(), Some("n-code-ok"));
        assert_eq!(slugify("!!!"), None);
        assert_eq!(slugify(&"a".repeat(500)).map(|s| s.len()), Some(48));
    }
}
