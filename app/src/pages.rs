//! The site's general pages: the landing page, the dashboard and "not found". Feature pages
//! live with their features (`auth::pages`, `rooms::pages`).

use crate::auth::pages::SignInFirst;
use crate::layout::{NavBar, session};
use crate::request::in_request;
use crate::rooms::my_rooms;
use crate::rooms::pages::{CreateRoomForm, JoinByCodeForm, PublicRooms, RoomList};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

/// The landing page: what Inkroom is, and the public rooms.
#[component]
pub fn Home() -> impl IntoView {
    view! {
        <Title text="" />
        <NavBar />
        <main class="page home">
            <h1>"Inkroom"</h1>
            <p class="tagline">"A whiteboard for drawing together, in real time."</p>
            <p class="cta">
                <A href="/dashboard" attr:class="button primary">"Start drawing"</A>
            </p>
            <h2>"Public rooms"</h2>
            <PublicRooms />
        </main>
    }
}

/// The signed-in user's home: create, join, and their rooms.
#[component]
pub fn Dashboard() -> impl IntoView {
    let session = session();
    let mine = Resource::new(move || session.version(), |_| in_request(my_rooms()));
    // The public rooms are created outside the suspense boundary: a resource made inside a
    // `Suspend` body is made again each time the server walks the boundary (see `request`).
    view! {
        <Title text="Dashboard" />
        <NavBar />
        <main class="page dashboard">
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match session.user.await {
                        Ok(Some(user)) => view! {
                            <h1>"Hello, " {user.display_name}</h1>
                            <div class="cards">
                                <section class="card"><h2>"New room"</h2><CreateRoomForm /></section>
                                <section class="card"><h2>"Join with a code"</h2><JoinByCodeForm /></section>
                            </div>
                            <h2>"Your rooms"</h2>
                            <Transition fallback=|| ()>
                                {move || Suspend::new(async move {
                                    match mine.await {
                                        Ok(rooms) => view! { <RoomList rooms empty="You are not in any room yet." /> }.into_any(),
                                        Err(e) => view! { <p class="form-error">{e.to_string()}</p> }.into_any(),
                                    }
                                })}
                            </Transition>
                        }.into_any(),
                        _ => view! { <SignInFirst /> }.into_any(),
                    }
                })}
            </Transition>
            <h2>"Public rooms"</h2>
            <PublicRooms />
        </main>
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
        <main class="page narrow not-found">
            <h1>"Nothing here"</h1>
            <p><a href="/">"Back to Inkroom"</a></p>
        </main>
    }
}
