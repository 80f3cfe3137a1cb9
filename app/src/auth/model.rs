//! What accounts are made of, as both sides see them: the user view, tokens, and the
//! validation of what people type (emails, names, passwords, where to go after signing in).

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

/// Longest `?next=` path followed after signing in.
pub const MAX_NEXT_LEN: usize = 2048;

/// The local path to go to after signing in, if `raw` (the `?next=` value, already decoded) is
/// one: it must start with a single `/` and contain no backslash, whitespace or control
/// character, because browsers read `/\evil.example` and `/<tab>/evil.example` as
/// `//evil.example`, another site.
pub fn safe_next(raw: &str) -> Option<&str> {
    let local = raw.starts_with('/')
        && !raw[1..].starts_with(['/', '\\'])
        && raw.len() <= MAX_NEXT_LEN
        && !raw
            .chars()
            .any(|c| c == '\\' || c.is_whitespace() || c.is_control());
    local.then_some(raw)
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
    fn only_local_paths_are_followed_after_signing_in() {
        for ok in ["/dashboard", "/r/retro?x=1#y", "/join/abc", "/"] {
            assert_eq!(safe_next(ok), Some(ok));
        }
        for bad in [
            "//evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/ /evil.example",
            "https://evil.example",
            "javascript:alert(1)",
            "evil.example",
            "",
            "/a\\b",
        ] {
            assert_eq!(safe_next(bad), None, "{bad:?}");
        }
        assert_eq!(safe_next(&format!("/{}", "a".repeat(MAX_NEXT_LEN))), None);
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
