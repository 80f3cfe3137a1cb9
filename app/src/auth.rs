//! Accounts: sign-up, sign-in, sign-out, "who am I", and bearer tokens for non-browser clients.
//!
//! Layout (as in every feature module): shared types and validation → server functions →
//! components. The server functions are public endpoints under `/api/auth/…` taking JSON
//! (`docs/api.md`).

use crate::api::JsonOrForm;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A user as other code and clients see it (no password hash).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserInfo {
    /// Stable id.
    pub id: String,
    /// Normalised email.
    pub email: String,
    /// Name shown to others.
    pub display_name: String,
}

/// A bearer token and when it expires (Unix milliseconds).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiToken {
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
    /// Expiry, Unix milliseconds.
    pub expires_at: i64,
}

/// Longest accepted email (RFC 5321's path limit).
pub const MAX_EMAIL_LEN: usize = 254;
/// Longest display name, in characters.
pub const MAX_NAME_CHARS: usize = 50;
/// Password length bounds, in characters.
pub const PASSWORD_CHARS: std::ops::RangeInclusive<usize> = 8..=128;

/// Trims and lowercases an email and checks its shape (one `@`, a dotted domain, no spaces).
pub fn normalize_email(raw: &str) -> Result<String, AppError> {
    let email = raw.trim().to_lowercase();
    let bad = |m: &str| Err(AppError::invalid("email", m));
    if email.is_empty() {
        return bad("is required");
    }
    if email.len() > MAX_EMAIL_LEN {
        return bad("is too long");
    }
    let Some((local, domain)) = email.split_once('@') else {
        return bad("is not an email address");
    };
    let domain_ok = domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && domain
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '.');
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '@');
    if !(domain_ok && local_ok) {
        return bad("is not an email address");
    }
    Ok(email)
}

/// Trims a display name and checks its length and characters.
pub fn validate_display_name(raw: &str) -> Result<String, AppError> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(AppError::invalid("display_name", "is required"));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(AppError::invalid(
            "display_name",
            format!("must be at most {MAX_NAME_CHARS} characters"),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(AppError::invalid(
            "display_name",
            "contains control characters",
        ));
    }
    Ok(name.to_owned())
}

/// Checks a new password's length.
pub fn validate_new_password(raw: &str) -> Result<(), AppError> {
    if !PASSWORD_CHARS.contains(&raw.chars().count()) {
        return Err(AppError::invalid(
            "password",
            format!(
                "must be {} to {} characters",
                PASSWORD_CHARS.start(),
                PASSWORD_CHARS.end()
            ),
        ));
    }
    Ok(())
}

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use super::*;
    use crate::ssr::db::users::{self, User};
    use crate::ssr::{limits, password, state};

    impl From<User> for UserInfo {
        fn from(u: User) -> Self {
            Self {
                id: u.id,
                email: u.email,
                display_name: u.display_name,
            }
        }
    }

    /// Checks an email and password, enforcing the account lockout. The same error for an unknown
    /// email and a wrong password, after the same amount of work.
    pub async fn authenticate(email: &str, password: String) -> Result<User, AppError> {
        let st = state()?;
        let email = email.trim().to_lowercase();
        if email.len() > MAX_EMAIL_LEN {
            return Err(AppError::BadCredentials);
        }
        if let Some(secs) = limits::locked_for(&st.db, &email).await? {
            return Err(AppError::RateLimited {
                retry_after_secs: secs,
            });
        }
        let user = users::find_by_email(st.db.pool(), &email).await?;
        let ok = password::verify(password, user.as_ref().map(|u| u.password_hash.clone())).await?;
        match user {
            Some(user) if ok => {
                limits::clear(&st.db, &email).await?;
                Ok(user)
            }
            _ => match limits::record_failure(&st.db, &email).await? {
                Some(secs) => Err(AppError::RateLimited {
                    retry_after_secs: secs,
                }),
                None => Err(AppError::BadCredentials),
            },
        }
    }
}

/// Creates an account and signs it in on this browser.
#[server(prefix = "/api", endpoint = "auth/sign-up", input = JsonOrForm)]
pub async fn sign_up(
    email: String,
    display_name: String,
    password: String,
) -> Result<UserInfo, AppError> {
    use crate::ssr::db::{DbError, users};
    use crate::ssr::{api, identity, password as pw, state};
    api(async move {
        let email = normalize_email(&email)?;
        let display_name = validate_display_name(&display_name)?;
        validate_new_password(&password)?;
        let st = state()?;
        let password_hash = pw::hash(password).await?;
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
        crate::ssr::redirect_form_post("/dashboard").await;
        Ok(user.into())
    })
    .await
}

/// Signs in on this browser (cookie session).
#[server(prefix = "/api", endpoint = "auth/sign-in", input = JsonOrForm)]
pub async fn sign_in(email: String, password: String) -> Result<UserInfo, AppError> {
    use crate::ssr::{api, identity};
    api(async move {
        let user = ssr::authenticate(&email, password).await?;
        identity::start_session(&user).await?;
        crate::ssr::redirect_form_post("/dashboard").await;
        Ok(user.into())
    })
    .await
}

/// Signs out of this browser.
#[server(prefix = "/api", endpoint = "auth/sign-out", input = JsonOrForm)]
pub async fn sign_out() -> Result<(), AppError> {
    use crate::ssr::{api, identity};
    api(async {
        identity::end_session().await?;
        crate::ssr::redirect_form_post("/").await;
        Ok(())
    })
    .await
}

/// The signed-in user, or `null`.
#[server(prefix = "/api", endpoint = "auth/me", input = JsonOrForm)]
pub async fn me() -> Result<Option<UserInfo>, AppError> {
    use crate::ssr::{api, identity};
    api(async { Ok(identity::current_user().await?.map(UserInfo::from)) }).await
}

/// How long an API token lives.
pub const API_TOKEN_TTL: std::time::Duration = std::time::Duration::from_secs(24 * 60 * 60);
/// How long a WebSocket ticket lives: just long enough to open the socket.
pub const WS_TICKET_TTL: std::time::Duration = std::time::Duration::from_secs(60);

/// Exchanges an email and password for a bearer token (for scripts and the load generator).
/// Subject to the same lockout as sign-in.
#[server(prefix = "/api", endpoint = "auth/token", input = JsonOrForm)]
pub async fn create_token(email: String, password: String) -> Result<ApiToken, AppError> {
    use crate::ssr::tokens::Audience;
    use crate::ssr::{api, state};
    api(async move {
        let user = ssr::authenticate(&email, password).await?;
        let (token, expires_at) = state()?
            .tokens
            .issue(&user.id, Audience::Api, API_TOKEN_TTL);
        Ok(ApiToken { token, expires_at })
    })
    .await
}

/// A short-lived ticket for opening a WebSocket as the signed-in user.
#[server(prefix = "/api", endpoint = "auth/ws-ticket", input = JsonOrForm)]
pub async fn ws_ticket() -> Result<ApiToken, AppError> {
    use crate::ssr::tokens::Audience;
    use crate::ssr::{api, identity, state};
    api(async {
        let user = identity::require_user().await?;
        let (token, expires_at) =
            state()?
                .tokens
                .issue(&user.id, Audience::WebSocket, WS_TICKET_TTL);
        Ok(ApiToken { token, expires_at })
    })
    .await
}

crate::json_or_form!(SignUp, SignIn, SignOut, Me, CreateToken, WsTicket);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_lowercased_and_checked() {
        assert_eq!(
            normalize_email("  Ada@Example.COM ").unwrap(),
            "ada@example.com"
        );
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "a b@example.com",
            "ada@ex..com",
            "ada@.example.com",
        ] {
            let err = normalize_email(bad).unwrap_err();
            assert_eq!(err.field(), Some("email"), "{bad:?}");
        }
        assert!(normalize_email(&format!("{}@example.com", "a".repeat(300))).is_err());
    }

    #[test]
    fn display_names_and_passwords_have_bounds() {
        assert_eq!(validate_display_name("  Ada  ").unwrap(), "Ada");
        assert!(validate_display_name("   ").is_err());
        assert!(validate_display_name(&"x".repeat(51)).is_err());
        assert!(validate_display_name("tab\there").is_err());
        assert!(validate_new_password("short").is_err());
        assert!(validate_new_password("long enough").is_ok());
        assert!(validate_new_password(&"p".repeat(129)).is_err());
    }
}
