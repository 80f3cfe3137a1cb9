//! Who is asking: the signed-in user of a request, from the cookie session or a bearer token.
//!
//! One resolution serves every entry point: server functions call [`current_user`], axum
//! handlers (board export, the WebSocket upgrade) call [`user_id_of`] with what their extractors
//! gave them.

use super::db::Db;
use super::db::users::{self, User};
use super::state::state;
use super::tokens::{Audience, TokenKeys};
use crate::error::AppError;
use axum::http::HeaderMap;
use tower_sessions::Session;

/// The session key holding the signed-in user's id.
pub const SESSION_USER_KEY: &str = "user_id";

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

fn store_failure(e: tower_sessions::session::Error) -> AppError {
    tracing::error!(error = %e, "session store failure");
    AppError::Internal
}

/// The id of the user a request comes from, if any: a valid bearer token for the API, else the
/// cookie session. A bearer token that is present but invalid or expired is an error, not an
/// anonymous request: the client should know its token is dead.
pub async fn user_id_of(
    tokens: &TokenKeys,
    headers: &HeaderMap,
    session: &Session,
) -> Result<Option<String>, AppError> {
    if let Some(token) = bearer(headers) {
        let claims = tokens
            .verify(token, Audience::Api)
            .ok_or(AppError::Unauthorized)?;
        return Ok(Some(claims.sub));
    }
    session
        .get::<String>(SESSION_USER_KEY)
        .await
        .map_err(store_failure)
}

/// The user a request comes from, if any (an account deleted since sign-in counts as signed
/// out).
pub async fn user_of(
    db: &Db,
    tokens: &TokenKeys,
    headers: &HeaderMap,
    session: &Session,
) -> Result<Option<User>, AppError> {
    let Some(id) = user_id_of(tokens, headers, session).await? else {
        return Ok(None);
    };
    Ok(users::find_by_id(db.pool(), &id).await?)
}

/// The current request's cookie session.
pub async fn session() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>().await.map_err(|e| {
        tracing::error!(error = %e, "no session layer on this route");
        AppError::Internal
    })
}

/// The signed-in user of the running server function, if any.
pub async fn current_user() -> Result<Option<User>, AppError> {
    let headers: HeaderMap = leptos_axum::extract()
        .await
        .map_err(|_| AppError::Internal)?;
    let st = state()?;
    user_of(&st.db, &st.tokens, &headers, &session().await?).await
}

/// The signed-in user of the running server function, or [`AppError::Unauthorized`].
pub async fn require_user() -> Result<User, AppError> {
    current_user().await?.ok_or(AppError::Unauthorized)
}

/// Signs `user` in on this browser: a new session id (against fixation) holding the user id.
pub async fn start_session(user: &User) -> Result<(), AppError> {
    let session = session().await?;
    session.cycle_id().await.map_err(store_failure)?;
    session
        .insert(SESSION_USER_KEY, &user.id)
        .await
        .map_err(store_failure)?;
    Ok(())
}

/// Signs this browser out: the session is deleted and its cookie cleared.
pub async fn end_session() -> Result<(), AppError> {
    session().await?.flush().await.map_err(store_failure)
}
