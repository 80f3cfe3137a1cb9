//! What server functions need from the server ([`ServerState`]), and how a server function
//! finds it.

use super::boards::Boards;
use super::clock::Clock;
use super::db::Db;
use super::notify::Notifier;
use super::password::Hashers;
use super::recognizer::Recognizer;
use super::tokens::TokenKeys;
use crate::error::AppError;
use leptos::prelude::*;
use std::sync::Arc;

/// What server functions need from the server, provided to each one as Leptos context (and
/// reachable from axum handlers through `FromRef`).
#[derive(Clone, Debug)]
pub struct ServerState {
    /// Storage.
    pub db: Db,
    /// Bearer-token keys.
    pub tokens: TokenKeys,
    /// The recognition models (implemented by the server crate, which owns candle).
    pub recognizer: Arc<dyn Recognizer>,
    /// Where changes of room access go (the real-time hub, in the server crate).
    pub notifier: Arc<dyn Notifier>,
    /// The bounded argon2 workers.
    pub hashers: Hashers,
    /// Rooms one user may own.
    pub max_rooms_per_user: u32,
    /// Whole boards: scenes, pictures, seeding (the hub and the renderer, in the server crate).
    pub boards: Arc<dyn Boards>,
    /// The time (a test's clock in scheduling tests).
    pub clock: Clock,
}

impl ServerState {
    /// Tells the hub that `user_id`'s access to `room_id` changed (`None`: everyone's).
    pub fn access_changed(&self, room_id: &str, user_id: Option<&str>) {
        self.notifier.access_changed(room_id, user_id);
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
