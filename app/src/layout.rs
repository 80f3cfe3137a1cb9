//! What every page shares: who is signed in ([`Session`]) and the top navigation.

use crate::api::{ApiForm, on_success};
use crate::auth::{SignOut, UserInfo, me};
use crate::error::AppError;
use crate::request::in_request;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

/// Who is signed in, shared by every page. Call [`Session::refresh`] after signing in or out.
#[derive(Clone, Copy)]
pub struct Session {
    /// The signed-in user (`Ok(None)` when signed out).
    pub user: Resource<Result<Option<UserInfo>, AppError>>,
    version: RwSignal<u64>,
}

impl Session {
    /// Creates the session resource and provides it as context.
    pub fn provide() -> Self {
        let version = RwSignal::new(0u64);
        let user = Resource::new(move || version.get(), |_| in_request(me()));
        let session = Self { user, version };
        provide_context(session);
        session
    }

    /// Reloads the signed-in user (and everything keyed on [`Session::version`]).
    pub fn refresh(&self) {
        self.version.update(|v| *v += 1);
    }

    /// A counter that changes whenever the session may have changed.
    pub fn version(&self) -> u64 {
        self.version.get()
    }
}

/// The session provided by [`Session::provide`].
pub fn session() -> Session {
    expect_context::<Session>()
}

/// The top navigation of every page except the board.
#[component]
pub fn NavBar() -> impl IntoView {
    let session = session();
    let sign_out = ServerAction::<SignOut>::new();
    let navigate = use_navigate();
    on_success(sign_out, move |()| {
        session.refresh();
        navigate("/", Default::default());
    });
    view! {
        <nav class="nav">
            <A href="/" attr:class="brand">"Inkroom"</A>
            <A href="/challenges">"Challenges"</A>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match session.user.await {
                        Ok(Some(user)) => view! {
                            <A href="/dashboard">"Dashboard"</A>
                            <span class="who" data-testid="signed-in-as">{user.display_name}</span>
                            <ApiForm action=sign_out class="inline">
                                <button type="submit">"Sign out"</button>
                            </ApiForm>
                        }.into_any(),
                        _ => view! {
                            <A href="/signin">"Sign in"</A>
                            <A href="/signup" attr:class="button primary">"Sign up"</A>
                        }.into_any(),
                    }
                })}
            </Transition>
            <crate::theme::ThemeToggle />
        </nav>
    }
}
