//! Who is asking: the signed-in user of a request, from the cookie session or a bearer token.

use super::db::users::{self, User};
use super::state;
use super::tokens::Audience;
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

/// The current request's cookie session.
pub async fn session() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>().await.map_err(|e| {
        tracing::error!(error = %e, "no session layer on this route");
        AppError::Internal
    })
}

/// The id of the user making this request, if any. A bearer token that is present but invalid or
/// expired is an error, not an anonymous request: the client should know its token is dead.
pub async fn current_user_id() -> Result<Option<String>, AppError> {
    let headers: HeaderMap = leptos_axum::extract()
        .await
        .map_err(|_| AppError::Internal)?;
    if let Some(token) = bearer(&headers) {
        let claims = state()?
            .tokens
            .verify(token, Audience::Api)
            .ok_or(AppError::Unauthorized)?;
        return Ok(Some(claims.sub));
    }
    let session = session().await?;
    session.get::<String>(SESSION_USER_KEY).await.map_err(|e| {
        tracing::error!(error = %e, "session store failure");
        AppError::Internal
    })
}

/// The signed-in user, if any (an account deleted since sign-in counts as signed out).
pub async fn current_user() -> Result<Option<User>, AppError> {
    let Some(id) = current_user_id().await? else {
        return Ok(None);
    };
    Ok(users::find_by_id(state()?.db.pool(), &id).await?)
}

/// The signed-in user, or [`AppError::Unauthorized`].
pub async fn require_user() -> Result<User, AppError> {
    current_user().await?.ok_or(AppError::Unauthorized)
}

/// Signs `user` in on this browser: a new session id (against fixation) holding the user id.
pub async fn start_session(user: &User) -> Result<(), AppError> {
    let session = session().await?;
    let fail = |e: tower_sessions::session::Error| {
        tracing::error!(error = %e, "session store failure");
        AppError::Internal
    };
    session.cycle_id().await.map_err(fail)?;
    session
        .insert(SESSION_USER_KEY, &user.id)
        .await
        .map_err(fail)?;
    Ok(())
}

/// Signs this browser out: the session is deleted and its cookie cleared.
pub async fn end_session() -> Result<(), AppError> {
    session().await?.flush().await.map_err(|e| {
        tracing::error!(error = %e, "session store failure");
        AppError::Internal
    })
}
