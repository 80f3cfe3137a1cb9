//! How server functions are called: one endpoint, two body encodings, and a form component.
//!
//! Every server function lives at a stable `/api/…` path and takes JSON, which is what scripts,
//! tests and the hydrated app send. The same endpoint also accepts
//! `application/x-www-form-urlencoded`, which is what a plain HTML `<form method="post">` sends
//! when JavaScript is off, so the forms keep working without wasm (progressive enhancement).
//! Leptos's own `ActionForm` needs URL-encoded server functions; [`ApiForm`] is its counterpart for
//! [`JsonOrForm`] ones.
//!
//! The encoding is implemented per argument type (by [`json_or_form!`]) rather than generically,
//! because Rust's orphan rule forbids a blanket impl of server_fn's traits for every `T`.
//!
//! On the server, [`respond`] wraps every server function's body so that its error sets the
//! response's status; in the browser, [`on_success`] and [`form_error`] read an action's outcome.

use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::ContentType;
use leptos::server_fn::codec::Encoding;
use leptos::server_fn::error::{
    FromServerFnError, IntoAppError, ServerFnErrorErr, ServerFnUrlError,
};
use leptos::server_fn::request::{ClientReq, Req};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Input encoding: JSON from clients, JSON or form-urlencoded accepted by the server.
pub struct JsonOrForm;

impl ContentType for JsonOrForm {
    const CONTENT_TYPE: &'static str = "application/json";
}

impl Encoding for JsonOrForm {
    const METHOD: http::Method = http::Method::POST;
}

/// Decodes a request body as JSON, or as a form when its content type says so.
pub async fn decode<T, E, R>(req: R) -> Result<T, E>
where
    T: DeserializeOwned,
    E: FromServerFnError,
    R: Req<E> + Send + 'static,
{
    let is_form = req
        .to_content_type()
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    let body = req.try_into_string().await?;
    let args = |e: String| ServerFnErrorErr::Args(e).into_app_error();
    if is_form {
        serde_qs::Config::new(5, false)
            .deserialize_str(&body)
            .map_err(|e| args(e.to_string()))
    } else {
        serde_json::from_str(&body).map_err(|e| args(e.to_string()))
    }
}

/// Encodes server-function arguments as a JSON POST.
pub fn encode<T, E, R>(args: &T, path: &str, accepts: &str) -> Result<R, E>
where
    T: Serialize,
    E: FromServerFnError,
    R: ClientReq<E>,
{
    let body = serde_json::to_string(args)
        .map_err(|e| ServerFnErrorErr::Serialization(e.to_string()).into_app_error())?;
    R::try_new_post(path, JsonOrForm::CONTENT_TYPE, accepts, body)
}

/// Implements [`JsonOrForm`] for server functions' argument structs.
macro_rules! json_or_form {
    ($($args:ty),* $(,)?) => {$(
        impl<E, R> ::leptos::server_fn::codec::FromReq<$crate::api::JsonOrForm, R, E> for $args
        where
            R: ::leptos::server_fn::request::Req<E> + Send + 'static,
            E: ::leptos::server_fn::error::FromServerFnError,
        {
            async fn from_req(req: R) -> Result<Self, E> {
                $crate::api::decode(req).await
            }
        }

        impl<E, R> ::leptos::server_fn::codec::IntoReq<$crate::api::JsonOrForm, R, E> for $args
        where
            R: ::leptos::server_fn::request::ClientReq<E>,
            E: ::leptos::server_fn::error::FromServerFnError,
        {
            fn into_req(self, path: &str, accepts: &str) -> Result<R, E> {
                $crate::api::encode(&self, path, accepts)
            }
        }
    )*};
}
pub(crate) use json_or_form;

/// Runs a server function's body and gives its error the right HTTP status. Every server
/// function wraps its body in this, so statuses are consistent across the API.
#[cfg(feature = "ssr")]
pub async fn respond<T>(body: impl Future<Output = Result<T, AppError>>) -> Result<T, AppError> {
    let result = body.await;
    if let Err(e) = &result {
        crate::error::ssr::set_status(e);
    }
    result
}

/// After a plain HTML form post (JavaScript off), sends the browser to `path`. JSON clients (the
/// hydrated app, scripts) are unaffected: they never ask for `text/html`.
#[cfg(feature = "ssr")]
pub fn redirect_form_post(path: &str) {
    if crate::error::ssr::is_html_form_post() {
        leptos_axum::redirect(path);
    }
}

/// Runs `f` with the output of each successful submission of `action`.
pub fn on_success<S>(action: ServerAction<S>, f: impl Fn(S::Output) + 'static)
where
    S: leptos::server_fn::ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    Effect::new(move |_| {
        if let Some(Ok(out)) = action.value().get() {
            f(out);
        }
    });
}

/// A `<form>` that posts to a [`JsonOrForm`] server function: without JavaScript the browser posts
/// the form itself; once hydrated, submitting dispatches `action` instead.
#[component]
pub fn ApiForm<S>(
    /// The server action the form submits to.
    action: ServerAction<S>,
    /// CSS class of the `<form>`.
    #[prop(optional, into)]
    class: String,
    /// The form's fields and buttons.
    children: Children,
) -> impl IntoView
where
    S: leptos::server_fn::ServerFn<Error = AppError>
        + DeserializeOwned
        + Clone
        + Send
        + Sync
        + 'static,
    S::Output: Send + Sync + 'static,
{
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        #[cfg(feature = "hydrate")]
        {
            use leptos::form::FromFormData;
            match S::from_event(&ev) {
                Ok(args) => {
                    action.dispatch(args);
                }
                Err(e) => action.value().set(Some(Err(AppError::BadRequest {
                    message: e.to_string(),
                }))),
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (ev, action);
    };
    view! {
        <form class=class method="post" action=S::url() on:submit=on_submit>
            {children()}
        </form>
    }
}

/// The error of the last submission of `action`, or of a no-JavaScript submission that the server
/// redirected back here (leptos encodes it in the `__err` query parameter).
pub fn form_error<S>(action: ServerAction<S>) -> Signal<Option<AppError>>
where
    S: leptos::server_fn::ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    let query = leptos_router::hooks::use_query_map();
    Signal::derive(move || {
        if let Some(result) = action.value().get() {
            return result.err();
        }
        let q = query.read();
        (q.get("__path").as_deref() == Some(S::url()))
            .then(|| q.get("__err"))
            .flatten()
            .map(|err| ServerFnUrlError::<AppError>::decode_err(&err))
    })
}

/// Shows an error message, or nothing.
#[component]
pub fn ErrorMessage(
    /// The error to show, if any.
    #[prop(into)]
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    move || {
        error.get().map(|e| {
            view! { <p class="form-error" role="alert">{e.to_string()}</p> }
        })
    }
}
