//! The sign-up and sign-in pages.

use super::api::{SignIn, SignUp};
use crate::api::{ApiForm, ErrorMessage, form_error, on_success};
use crate::error::AppError;
use crate::layout::{NavBar, session};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};

/// Where to go after signing in: `?next=` if it is a local path, else the dashboard.
fn next_path() -> Signal<String> {
    let query = use_query_map();
    Signal::derive(move || {
        query
            .read()
            .get("next")
            .filter(|n| super::model::safe_next(n).is_some())
            .unwrap_or_else(|| "/dashboard".to_owned())
    })
}

/// An action that signs the browser in (sign-up or sign-in): on success the session is reloaded
/// and the browser goes to `?next=` or the dashboard. Returns the action and its error.
fn sign_in_action<S>() -> (ServerAction<S>, Signal<Option<AppError>>)
where
    S: leptos::server_fn::ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    let action = ServerAction::<S>::new();
    let session = session();
    let next = next_path();
    let navigate = use_navigate();
    on_success(action, move |_| {
        session.refresh();
        navigate(&next.get_untracked(), Default::default());
    });
    (action, form_error(action))
}

/// Sign-up form.
#[component]
pub fn SignUpPage() -> impl IntoView {
    let (action, error) = sign_in_action::<SignUp>();
    view! {
        <Title text="Sign up" />
        <NavBar />
        <main class="page narrow">
            <h1>"Create your account"</h1>
            <ApiForm action class="stack">
                <label>"Email" <input type="email" name="email" autocomplete="email" required /></label>
                <label>"Display name" <input name="display_name" autocomplete="nickname" required maxlength="50" /></label>
                <label>"Password" <input type="password" name="password" autocomplete="new-password" required minlength="8" /></label>
                <ErrorMessage error />
                <button type="submit" class="primary">"Sign up"</button>
            </ApiForm>
            <p class="muted">"Already have an account? " <A href="/signin">"Sign in"</A></p>
        </main>
    }
}

/// Sign-in form.
#[component]
pub fn SignInPage() -> impl IntoView {
    let (action, error) = sign_in_action::<SignIn>();
    view! {
        <Title text="Sign in" />
        <NavBar />
        <main class="page narrow">
            <h1>"Sign in"</h1>
            <ApiForm action class="stack">
                <label>"Email" <input type="email" name="email" autocomplete="email" required /></label>
                <label>"Password" <input type="password" name="password" autocomplete="current-password" required /></label>
                <ErrorMessage error />
                <button type="submit" class="primary">"Sign in"</button>
            </ApiForm>
            <p class="muted">"New here? " <A href="/signup">"Create an account"</A></p>
        </main>
    }
}

/// Shown in place of a page that needs a signed-in user.
#[component]
pub fn SignInFirst() -> impl IntoView {
    view! {
        <main class="page narrow">
            <h1>"Sign in first"</h1>
            <p>"You need an account for this. " <A href="/signin">"Sign in"</A> " or " <A href="/signup">"sign up"</A> "."</p>
        </main>
    }
}
