//! The account server functions, and the sign-in check they share.

// `#[server]` turns each function into a struct whose fields are its parameters: they are
// documented on the function (`docs/api.md` lists them), not field by field.
#![allow(missing_docs)]

use super::model::{ApiToken, UserInfo};
use crate::api::{JsonOrForm, json_or_form};
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::model::{MAX_EMAIL_LEN, normalize_email, validate_display_name, validate_new_password},
    crate::api::{redirect_form_post, respond},
    crate::ssr::db::users::{self, User},
    crate::ssr::state::state,
    crate::ssr::tokens::Audience,
    crate::ssr::{identity, limits},
};

#[cfg(feature = "ssr")]
impl From<User> for UserInfo {
    fn from(u: User) -> Self {
        Self {
            id: u.id,
            email: u.email,
            display_name: u.display_name,
        }
    }
}

/// Checks an email and password, enforcing the lockout (per account and client address). The
/// same error for an unknown email and a wrong password, after the same amount of work.
#[cfg(feature = "ssr")]
pub async fn authenticate(email: &str, password: String) -> Result<User, AppError> {
    let st = state()?;
    let email = email.trim().to_lowercase();
    if email.len() > MAX_EMAIL_LEN {
        return Err(AppError::BadCredentials);
    }
    let client = identity::client_address().await;
    let last = match limits::charge(&st.db, &email, &client).await? {
        limits::Charge::Locked(secs) => {
            return Err(AppError::RateLimited {
                retry_after_secs: secs,
            });
        }
        limits::Charge::Try { last } => last,
    };
    let user = users::find_by_email(st.db.pool(), &email).await?;
    let ok = st
        .hashers
        .verify(password, user.as_ref().map(|u| u.password_hash.clone()))
        .await?;
    match user {
        Some(user) if ok => {
            limits::clear(&st.db, &email, &client).await?;
            Ok(user)
        }
        _ if last => Err(AppError::RateLimited {
            retry_after_secs: limits::lock_after_failure(&st.db, &email, &client).await?,
        }),
        _ => Err(AppError::BadCredentials),
    }
}

/// Creates an account and signs it in on this browser.
#[server(prefix = "/api", endpoint = "auth/sign-up", input = JsonOrForm)]
pub async fn sign_up(
    email: String,
    display_name: String,
    password: String,
) -> Result<UserInfo, AppError> {
    use crate::ssr::db::DbError;
    respond(async move {
        let email = normalize_email(&email)?;
        let display_name = validate_display_name(&display_name)?;
        validate_new_password(&password)?;
        let st = state()?;
        let password_hash = st.hashers.hash(password).await?;
        let new = users::NewUser {
            email: &email,
            display_name: &display_name,
            password_hash: &password_hash,
        };
        let user = users::insert(st.db.pool(), new)
            .await
            .map_err(|e| match e {
                DbError::Conflict(_) => AppError::Conflict {
                    message: "an account with this email already exists".into(),
                },
                other => other.into(),
            })?;
        identity::start_session(&user).await?;
        redirect_form_post("/dashboard");
        Ok(user.into())
    })
    .await
}

/// Signs in on this browser (cookie session).
#[server(prefix = "/api", endpoint = "auth/sign-in", input = JsonOrForm)]
pub async fn sign_in(email: String, password: String) -> Result<UserInfo, AppError> {
    respond(async move {
        let user = authenticate(&email, password).await?;
        identity::start_session(&user).await?;
        redirect_form_post("/dashboard");
        Ok(user.into())
    })
    .await
}

/// Signs out of this browser.
#[server(prefix = "/api", endpoint = "auth/sign-out", input = JsonOrForm)]
pub async fn sign_out() -> Result<(), AppError> {
    respond(async {
        identity::end_session().await?;
        redirect_form_post("/");
        Ok(())
    })
    .await
}

/// The signed-in user, or `null`.
#[server(prefix = "/api", endpoint = "auth/me", input = JsonOrForm)]
pub async fn me() -> Result<Option<UserInfo>, AppError> {
    respond(async { Ok(identity::current_user().await?.map(UserInfo::from)) }).await
}

/// How long an API token lives.
pub const API_TOKEN_TTL: std::time::Duration = std::time::Duration::from_secs(24 * 60 * 60);
/// How long a WebSocket ticket lives: just long enough to open the socket.
pub const WS_TICKET_TTL: std::time::Duration = std::time::Duration::from_secs(60);

/// Exchanges an email and password for a bearer token (for scripts and the load generator).
/// Subject to the same lockout as sign-in.
#[server(prefix = "/api", endpoint = "auth/token", input = JsonOrForm)]
pub async fn create_token(email: String, password: String) -> Result<ApiToken, AppError> {
    respond(async move {
        let user = authenticate(&email, password).await?;
        let (token, expires_at) =
            state()?
                .tokens
                .issue(&user.id, user.token_epoch, Audience::Api, API_TOKEN_TTL);
        Ok(ApiToken { token, expires_at })
    })
    .await
}

/// A short-lived ticket for opening a WebSocket as the signed-in user.
#[server(prefix = "/api", endpoint = "auth/ws-ticket", input = JsonOrForm)]
pub async fn ws_ticket() -> Result<ApiToken, AppError> {
    respond(async {
        let user = identity::require_user().await?;
        let (token, expires_at) = state()?.tokens.issue(
            &user.id,
            user.token_epoch,
            Audience::WebSocket,
            WS_TICKET_TTL,
        );
        Ok(ApiToken { token, expires_at })
    })
    .await
}

json_or_form!(SignUp, SignIn, SignOut, Me, CreateToken, WsTicket);
