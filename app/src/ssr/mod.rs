//! Server-only code (feature `ssr`): storage, password hashing, sessions, tokens and the shared
//! state server functions run with.
//!
//! The feature modules (`auth`, `rooms`) keep their own queries next to their server functions;
//! what several of them share lives here.

pub mod db;
pub mod identity;
pub mod limits;
pub mod password;
pub mod sessions;
pub mod tokens;

use crate::error::AppError;
use db::{Db, DbError};
use inkroom_core::ink::{Charset, Ink, InkError, ShapeRecognition, TextRecognition};
use leptos::prelude::*;
use std::sync::Arc;
use tokens::TokenKeys;

/// What server functions need from the server, provided to each one as Leptos context.
#[derive(Clone, Debug)]
pub struct ServerState {
    /// Storage.
    pub db: Db,
    /// Bearer-token keys.
    pub tokens: TokenKeys,
    /// Renders rooms' scenes into files (implemented in the server crate, which owns the room
    /// actors and the rasteriser).
    pub exporter: std::sync::Arc<dyn crate::export::ssr::SceneExporter>,
    /// The recognition models (implemented by the server crate, which owns candle).
    pub recognizer: Arc<dyn Recognizer>,
}

/// Ink recognition as server functions see it. The models live in the server crate; this trait
/// keeps candle out of the app crate (and out of the wasm bundle).
pub trait Recognizer: Send + Sync + std::fmt::Debug {
    /// Recognises a shape. Blocking (CPU-bound): call from the blocking pool.
    fn shape(&self, ink: &Ink) -> Result<ShapeRecognition, RecognizerError>;
    /// Reads handwriting using only characters of `charset`. Blocking (CPU-bound): call from
    /// the blocking pool.
    fn text(&self, ink: &Ink, charset: Charset) -> Result<TextRecognition, RecognizerError>;
}

/// Why a [`Recognizer`] could not answer.
#[derive(Debug, Clone, thiserror::Error)]
pub enum RecognizerError {
    /// The ink was refused (empty, too large, not finite).
    #[error(transparent)]
    Ink(#[from] InkError),
    /// No model for this task is installed.
    #[error("{0}")]
    Unavailable(String),
    /// The model failed; details are logged.
    #[error("{0}")]
    Failed(String),
}

impl From<RecognizerError> for AppError {
    fn from(e: RecognizerError) -> Self {
        match e {
            RecognizerError::Ink(e) => AppError::invalid("strokes", e.to_string()),
            RecognizerError::Unavailable(message) => AppError::Unavailable { message },
            RecognizerError::Failed(message) => {
                tracing::error!(%message, "recognition failed");
                AppError::Internal
            }
        }
    }
}

/// The state of the server running in this process, for the rare server-function call that
/// finds no Leptos context: a resource's future polled during server rendering after the owner
/// it started under was cleaned up (under load, a re-rendered suspense boundary). Failing that
/// call rendered an error the browser never saw, and hydration then panicked on the mismatch.
static PROCESS_STATE: std::sync::OnceLock<ServerState> = std::sync::OnceLock::new();

/// Records the server state of this process (the first server started wins; tests that start
/// several servers in one process still get each request's own state from the context).
pub fn set_process_state(state: ServerState) {
    let _ = PROCESS_STATE.set(state);
}

/// The server state for the running server function: from the request's context, or else the
/// process's (see [`set_process_state`]).
pub fn state() -> Result<ServerState, AppError> {
    if let Some(state) = use_context::<ServerState>() {
        return Ok(state);
    }
    let path = use_context::<axum::http::request::Parts>().map(|p| p.uri.to_string());
    match PROCESS_STATE.get() {
        Some(state) => {
            tracing::debug!(
                ?path,
                "ServerState missing from the context; using the process's"
            );
            Ok(state.clone())
        }
        None => {
            tracing::error!(
                ?path,
                "ServerState missing from the server function context"
            );
            Err(AppError::Internal)
        }
    }
}

impl From<DbError> for AppError {
    fn from(e: DbError) -> Self {
        match e {
            DbError::Conflict(what) => AppError::Conflict {
                message: format!("{what} already exists"),
            },
            other => {
                tracing::error!(error = %other, "storage failure");
                AppError::Internal
            }
        }
    }
}

/// Runs a server function's body and gives its error the right HTTP status. Every server
/// function wraps its body in this, so statuses are consistent across the API.
pub async fn api<T>(body: impl Future<Output = Result<T, AppError>>) -> Result<T, AppError> {
    let result = body.await;
    if let Err(e) = &result {
        set_status(e);
    }
    result
}

/// After a plain HTML form post (JavaScript off), sends the browser to `path`. JSON clients (the
/// hydrated app, scripts) are unaffected: they never ask for `text/html`.
pub async fn redirect_form_post(path: &str) {
    if is_html_form_post() {
        leptos_axum::redirect(path);
    }
}

/// Whether this request is a call to a server function (as opposed to rendering a page).
fn is_api_request() -> bool {
    use_context::<axum::http::request::Parts>()
        .is_some_and(|parts| parts.uri.path().starts_with("/api/"))
}

/// Whether this request is a plain HTML form post (the browser asks for HTML), as opposed to a
/// call from the hydrated app or a script (which ask for JSON).
fn is_html_form_post() -> bool {
    use_context::<axum::http::request::Parts>()
        .and_then(|parts| {
            parts
                .headers
                .get(axum::http::header::ACCEPT)?
                .to_str()
                .ok()
                .map(|a| a.contains("text/html"))
        })
        .unwrap_or(false)
}

/// Sets the HTTP status of the current server-function response to the error's.
pub fn set_status(e: &AppError) {
    // A form post is answered with a redirect back to the form, the error encoded in the URL
    // (server_fn's form redirects); an error status here would replace that redirect. And when a
    // page calls a server function while rendering, the error belongs to that resource, not to
    // the page's status.
    if is_html_form_post() || !is_api_request() {
        return;
    }
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>()
        && let Ok(status) = axum::http::StatusCode::from_u16(e.status())
    {
        response.set_status(status);
    }
}
