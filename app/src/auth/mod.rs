//! Accounts: sign-up, sign-in, sign-out, "who am I", and bearer tokens for non-browser clients.
//!
//! Layout (as in every feature module): shared types and validation (here) → server functions
//! ([`api`], public endpoints under `/api/auth/…` taking JSON, `docs/api.md`) → [`pages`].

pub mod api;
pub mod pages;

pub use api::*;

use crate::error::AppError;
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
