//! What rooms are made of, as both sides see them: roles, the room views server functions
//! answer with, and the validation of what users type (names, codes, passwords, slugs).

use crate::error::AppError;
use serde::{Deserialize, Serialize};

/// A member's role in a room, from most to least powerful.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Views only.
    Viewer,
    /// Views, draws and chats.
    Editor,
    /// Everything, including settings and membership.
    Owner,
}

impl Role {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Editor => "editor",
            Self::Viewer => "viewer",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "owner" => Some(Self::Owner),
            "editor" => Some(Self::Editor),
            "viewer" => Some(Self::Viewer),
            _ => None,
        }
    }

    /// Whether this role may change the scene and post in the chat.
    pub fn can_edit(self) -> bool {
        self >= Self::Editor
    }
}

/// A room in a listing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomSummary {
    /// URL slug: the room lives at `/r/<slug>`.
    pub slug: String,
    /// Human name.
    pub name: String,
    /// Private rooms are joined by code or link.
    pub is_private: bool,
    /// The owner's display name.
    pub owner_name: String,
    /// The caller's role, if a member.
    pub role: Option<Role>,
    /// Number of members.
    pub member_count: i64,
    /// Creation time, Unix milliseconds.
    pub created_at: i64,
}

/// A room as seen by one caller.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomDetails {
    /// URL slug.
    pub slug: String,
    /// Human name.
    pub name: String,
    /// Private or public.
    pub is_private: bool,
    /// Whether joining by code also needs a password.
    pub has_password: bool,
    /// The owner's display name.
    pub owner_name: String,
    /// The caller's role, if a member.
    pub role: Option<Role>,
    /// The join code, shown to the owner only.
    pub code: Option<String>,
}

/// A page of public rooms.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomPage {
    /// Newest first.
    pub rooms: Vec<RoomSummary>,
    /// Pass as `offset` for the next page; `None` on the last page.
    pub next_offset: Option<i64>,
}

/// A room member.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    /// The user's id.
    pub user_id: String,
    /// Their display name.
    pub display_name: String,
    /// Their role.
    pub role: Role,
}

/// A share link: whoever opens `/join/<token>` while signed in becomes a member with `role`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShareLink {
    /// The secret part of the link.
    pub token: String,
    /// The role it grants (editor or viewer).
    pub role: Role,
    /// Creation time, Unix milliseconds.
    pub created_at: i64,
}

/// Join-code symbols: no 0/O, 1/I/L, so codes survive being read aloud or handwritten.
pub const CODE_ALPHABET: &[u8; 31] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
/// Join-code length.
pub const CODE_LEN: usize = 6;
/// Longest room name, in characters.
pub const MAX_ROOM_NAME_CHARS: usize = 80;
/// Room password length bounds, in characters.
pub const ROOM_PASSWORD_CHARS: std::ops::RangeInclusive<usize> = 4..=128;
/// Largest page of public rooms.
pub const MAX_PAGE: i64 = 50;

/// Normalises a typed join code (case, spaces, dashes); `None` if it cannot be a code.
pub fn normalize_code(raw: &str) -> Option<String> {
    let code: String = raw
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (code.len() == CODE_LEN && code.bytes().all(|b| CODE_ALPHABET.contains(&b))).then_some(code)
}

/// Trims a room name and checks its length.
pub fn validate_room_name(raw: &str) -> Result<String, AppError> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(AppError::invalid("name", "is required"));
    }
    if name.chars().count() > MAX_ROOM_NAME_CHARS {
        return Err(AppError::invalid(
            "name",
            format!("must be at most {MAX_ROOM_NAME_CHARS} characters"),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(AppError::invalid("name", "contains control characters"));
    }
    Ok(name.to_owned())
}

/// Checks a room password's length. Empty means "no password".
pub fn validate_room_password(raw: Option<&str>) -> Result<Option<String>, AppError> {
    match raw.filter(|p| !p.is_empty()) {
        None => Ok(None),
        Some(p) if ROOM_PASSWORD_CHARS.contains(&p.chars().count()) => Ok(Some(p.to_owned())),
        Some(_) => Err(AppError::invalid(
            "password",
            format!(
                "must be {} to {} characters",
                ROOM_PASSWORD_CHARS.start(),
                ROOM_PASSWORD_CHARS.end()
            ),
        )),
    }
}

/// Turns free text into a URL slug: lowercase ASCII letters, digits and single dashes, at most
/// 48 characters. `None` if nothing usable is left.
pub fn slugify(input: &str) -> Option<String> {
    let mut out = String::new();
    for c in input.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
        if out.len() >= 48 {
            break;
        }
    }
    let out = out.trim_end_matches('-').to_owned();
    (!out.is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_normalise_and_reject_ambiguous_symbols() {
        assert_eq!(normalize_code(" ab3-k7q ").as_deref(), Some("AB3K7Q"));
        assert_eq!(normalize_code("AB0K7Q"), None, "0 is not in the alphabet");
        assert_eq!(normalize_code("ABCDE"), None);
        assert_eq!(normalize_code("ABCDEFG"), None);
    }

    #[test]
    fn roles_are_ordered_by_power() {
        assert!(Role::Owner > Role::Editor && Role::Editor > Role::Viewer);
        assert!(Role::Editor.can_edit() && !Role::Viewer.can_edit());
        for r in [Role::Owner, Role::Editor, Role::Viewer] {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
    }

    #[test]
    fn room_names_and_passwords_are_checked() {
        assert_eq!(validate_room_name("  Retro ").unwrap(), "Retro");
        assert!(validate_room_name("").is_err());
        assert!(validate_room_name(&"n".repeat(81)).is_err());
        assert_eq!(validate_room_password(Some("")).unwrap(), None);
        assert_eq!(validate_room_password(None).unwrap(), None);
        assert!(validate_room_password(Some("abc")).is_err());
        assert_eq!(
            validate_room_password(Some("abcd")).unwrap().as_deref(),
            Some("abcd")
        );
    }

    #[test]
    fn slugify_keeps_words_and_collapses_separators() {
        assert_eq!(
            slugify("  Sprint Planning -- Q3! ").as_deref(),
            Some("sprint-planning-q3")
        );
        assert_eq!(slugify("Ünïcode ok").as_deref(), Some("n-code-ok"));
        assert_eq!(slugify("!!!"), None);
        assert_eq!(slugify(&"a".repeat(500)).map(|s| s.len()), Some(48));
    }
}
