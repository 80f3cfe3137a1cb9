//! Rooms: public and private boards, membership with roles, join codes, passwords and share
//! links.
//!
//! Access rules (each server function checks them itself; `server/tests/api/access.rs` holds the
//! table that proves it):
//! - A **public** room is visible to everyone, signed in or not; any signed-in user may join it as
//!   an editor.
//! - A **private** room is invisible to non-members (it answers "not found", so its existence does
//!   not leak). One joins it with its 6-character code (and password, if set) as an editor, or
//!   through a share link granting editor or viewer.
//! - **Owners** rename, delete, rotate the code (the old one stops working), set or clear the
//!   password, change roles, kick members and manage share links. **Editors** change the scene and
//!   chat. **Viewers** see everything live and may read the chat, but neither draw nor post: a
//!   read-only link should not become a way to talk into a room.

use crate::api::JsonOrForm;
use crate::error::AppError;
use leptos::prelude::*;
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

#[cfg(feature = "ssr")]
pub mod ssr {
    //! Queries and access checks.
    use super::*;
    use crate::ssr::db::rooms::{self, Room};
    use crate::ssr::db::users::User;
    use crate::ssr::db::{DbError, now_ms};
    use crate::ssr::identity;
    use crate::ssr::state;
    use argon2::password_hash::rand_core::{OsRng, RngCore};
    use sqlx::AnyPool;

    /// A random join code.
    pub fn generate_code() -> String {
        (0..CODE_LEN)
            .map(|_| CODE_ALPHABET[(OsRng.next_u32() as usize) % CODE_ALPHABET.len()] as char)
            .collect()
    }

    fn random_suffix() -> String {
        const ALNUM: &[u8] = b"abcdefghijkmnpqrstuvwxyz23456789";
        (0..6)
            .map(|_| ALNUM[(OsRng.next_u32() as usize) % ALNUM.len()] as char)
            .collect()
    }

    /// The caller's role in `room_id`.
    pub async fn role_of(
        pool: &AnyPool,
        room_id: &str,
        user_id: &str,
    ) -> Result<Option<Role>, DbError> {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT role FROM room_members WHERE room_id = $1 AND user_id = $2")
                .bind(room_id)
                .bind(user_id)
                .fetch_optional(pool)
                .await?;
        Ok(row.and_then(|(r,)| Role::parse(&r)))
    }

    /// Makes `user_id` a member with `role`, never lowering an existing role.
    pub async fn grant(
        pool: &AnyPool,
        room_id: &str,
        user_id: &str,
        role: Role,
    ) -> Result<Role, DbError> {
        if let Some(existing) = role_of(pool, room_id, user_id).await? {
            if existing >= role {
                return Ok(existing);
            }
            set_role(pool, room_id, user_id, role).await?;
            return Ok(role);
        }
        sqlx::query(
            "INSERT INTO room_members (room_id, user_id, role, joined_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (room_id, user_id) DO NOTHING",
        )
        .bind(room_id)
        .bind(user_id)
        .bind(role.as_str())
        .bind(now_ms())
        .execute(pool)
        .await?;
        Ok(role)
    }

    async fn set_role(
        pool: &AnyPool,
        room_id: &str,
        user_id: &str,
        role: Role,
    ) -> Result<(), DbError> {
        sqlx::query("UPDATE room_members SET role = $3 WHERE room_id = $1 AND user_id = $2")
            .bind(room_id)
            .bind(user_id)
            .bind(role.as_str())
            .execute(pool)
            .await?;
        Ok(())
    }

    async fn owner_name(pool: &AnyPool, room: &Room) -> Result<String, DbError> {
        let row: Option<(String,)> = sqlx::query_as("SELECT display_name FROM users WHERE id = $1")
            .bind(&room.owner_id)
            .fetch_optional(pool)
            .await?;
        Ok(row.map(|(n,)| n).unwrap_or_default())
    }

    /// The caller's view of `room`.
    pub async fn details(
        pool: &AnyPool,
        room: Room,
        role: Option<Role>,
    ) -> Result<RoomDetails, DbError> {
        let owner_name = owner_name(pool, &room).await?;
        Ok(RoomDetails {
            slug: room.slug,
            name: room.name,
            is_private: room.is_private,
            has_password: room.password_hash.is_some(),
            owner_name,
            role,
            code: if role == Some(Role::Owner) {
                room.code
            } else {
                None
            },
        })
    }

    /// A room the caller may see, with the caller's role. Private rooms are "not found" for
    /// non-members.
    pub async fn visible_room(
        slug: &str,
        user: Option<&User>,
    ) -> Result<(Room, Option<Role>), AppError> {
        let pool = state()?.db.pool().clone();
        let room = rooms::find_by_slug(&pool, slug)
            .await?
            .ok_or_else(|| AppError::not_found("room"))?;
        let role = match user {
            Some(u) => role_of(&pool, &room.id, &u.id).await?,
            None => None,
        };
        if room.is_private && role.is_none() {
            return Err(AppError::not_found("room"));
        }
        Ok((room, role))
    }

    /// The signed-in caller, the room, and the caller's role, which must be at least `min`.
    pub async fn require_role(slug: &str, min: Role) -> Result<(User, Room, Role), AppError> {
        let user = identity::require_user().await?;
        let (room, role) = visible_room(slug, Some(&user)).await?;
        match role {
            Some(r) if r >= min => Ok((user, room, r)),
            _ => Err(AppError::Forbidden),
        }
    }

    /// Inserts a room with a slug derived from `name`, retrying with a random suffix on a clash.
    pub async fn insert_room(
        pool: &AnyPool,
        name: &str,
        owner: &User,
        is_private: bool,
        password_hash: Option<&str>,
    ) -> Result<Room, AppError> {
        let base = slugify(name).unwrap_or_else(|| "room".to_owned());
        for attempt in 0..8 {
            let slug = if attempt == 0 {
                base.clone()
            } else {
                format!("{base}-{}", random_suffix())
            };
            let code = is_private.then(generate_code);
            let new = rooms::NewRoom {
                slug: &slug,
                name,
                owner_id: &owner.id,
                is_private,
                code: code.as_deref(),
                password_hash,
            };
            match rooms::insert(pool, new).await {
                Ok(room) => {
                    grant(pool, &room.id, &owner.id, Role::Owner).await?;
                    return Ok(room);
                }
                Err(DbError::Conflict(_)) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(AppError::Conflict {
            message: "could not find a free address for this room; try another name".into(),
        })
    }

    /// Summaries for rows of (room, member count, caller role).
    pub async fn summaries(
        pool: &AnyPool,
        rows: Vec<(Room, i64, Option<Role>)>,
    ) -> Result<Vec<RoomSummary>, DbError> {
        let mut out = Vec::with_capacity(rows.len());
        for (room, member_count, role) in rows {
            let owner_name = owner_name(pool, &room).await?;
            out.push(RoomSummary {
                slug: room.slug,
                name: room.name,
                is_private: room.is_private,
                owner_name,
                role,
                member_count,
                created_at: room.created_at,
            });
        }
        Ok(out)
    }
}

/// Creates a room owned by the caller. Private rooms get a join code and may have a password.
#[server(prefix = "/api", endpoint = "rooms/create", input = JsonOrForm)]
pub async fn create_room(
    name: String,
    is_private: bool,
    password: Option<String>,
) -> Result<RoomDetails, AppError> {
    use crate::ssr::{api, identity, password as pw, state};
    api(async move {
        let user = identity::require_user().await?;
        let name = validate_room_name(&name)?;
        let password = validate_room_password(password.as_deref())?;
        if password.is_some() && !is_private {
            return Err(AppError::invalid(
                "password",
                "only private rooms can have a password",
            ));
        }
        let hash = match password {
            Some(p) => Some(pw::hash(p).await?),
            None => None,
        };
        let pool = state()?.db.pool().clone();
        let room = ssr::insert_room(&pool, &name, &user, is_private, hash.as_deref()).await?;
        crate::ssr::redirect_form_post(&format!("/r/{}", room.slug)).await;
        Ok(ssr::details(&pool, room, Some(Role::Owner)).await?)
    })
    .await
}

/// Public rooms, newest first, `limit` (1–50) at a time from `offset`. Open to everyone.
#[server(prefix = "/api", endpoint = "rooms/public", input = JsonOrForm)]
pub async fn list_public_rooms(offset: i64, limit: i64) -> Result<RoomPage, AppError> {
    use crate::ssr::db::rooms;
    use crate::ssr::{api, identity, state};
    api(async move {
        if offset < 0 {
            return Err(AppError::invalid("offset", "must not be negative"));
        }
        if !(1..=MAX_PAGE).contains(&limit) {
            return Err(AppError::invalid(
                "limit",
                format!("must be 1 to {MAX_PAGE}"),
            ));
        }
        let user = identity::current_user().await?;
        let pool = state()?.db.pool().clone();
        let mut rows = rooms::list_public(&pool, offset, limit + 1).await?;
        let has_more = rows.len() as i64 > limit;
        rows.truncate(limit as usize);
        let mut with_roles = Vec::with_capacity(rows.len());
        for (room, count) in rows {
            let role = match &user {
                Some(u) => ssr::role_of(&pool, &room.id, &u.id).await?,
                None => None,
            };
            with_roles.push((room, count, role));
        }
        Ok(RoomPage {
            rooms: ssr::summaries(&pool, with_roles).await?,
            next_offset: has_more.then_some(offset + limit),
        })
    })
    .await
}

/// The rooms the caller is a member of, most recently joined first.
#[server(prefix = "/api", endpoint = "rooms/mine", input = JsonOrForm)]
pub async fn my_rooms() -> Result<Vec<RoomSummary>, AppError> {
    use crate::ssr::db::rooms;
    use crate::ssr::{api, identity, state};
    api(async {
        let user = identity::require_user().await?;
        let pool = state()?.db.pool().clone();
        let rows = rooms::list_for_member(&pool, &user.id).await?;
        let rows = rows
            .into_iter()
            .map(|(room, count, role)| (room, count, Role::parse(&role)))
            .collect();
        Ok(ssr::summaries(&pool, rows).await?)
    })
    .await
}

/// One room as the caller sees it.
#[server(prefix = "/api", endpoint = "rooms/get", input = JsonOrForm)]
pub async fn get_room(slug: String) -> Result<RoomDetails, AppError> {
    use crate::ssr::{api, identity, state};
    api(async move {
        let user = identity::current_user().await?;
        let (room, role) = ssr::visible_room(&slug, user.as_ref()).await?;
        Ok(ssr::details(state()?.db.pool(), room, role).await?)
    })
    .await
}

/// Joins a public room as an editor (a no-op for existing members).
#[server(prefix = "/api", endpoint = "rooms/join", input = JsonOrForm)]
pub async fn join_public_room(slug: String) -> Result<RoomDetails, AppError> {
    use crate::ssr::{api, identity, state};
    api(async move {
        let user = identity::require_user().await?;
        let (room, _) = ssr::visible_room(&slug, Some(&user)).await?;
        let pool = state()?.db.pool().clone();
        let role = if room.is_private {
            // Visible, so already a member.
            ssr::role_of(&pool, &room.id, &user.id).await?
        } else {
            Some(ssr::grant(&pool, &room.id, &user.id, Role::Editor).await?)
        };
        crate::ssr::redirect_form_post(&format!("/r/{}", room.slug)).await;
        Ok(ssr::details(&pool, room, role).await?)
    })
    .await
}

/// Joins a private room with its code (and password, if it has one) as an editor.
#[server(prefix = "/api", endpoint = "rooms/join-code", input = JsonOrForm)]
pub async fn join_by_code(code: String, password: Option<String>) -> Result<RoomDetails, AppError> {
    use crate::ssr::db::rooms;
    use crate::ssr::{api, identity, password as pw, state};
    api(async move {
        let user = identity::require_user().await?;
        let pool = state()?.db.pool().clone();
        let room = match normalize_code(&code) {
            Some(code) => rooms::find_by_code(&pool, &code).await?,
            None => None,
        };
        let password = password.unwrap_or_default();
        // Verify even when the room is unknown, so timing does not reveal valid codes.
        let ok = match room.as_ref().map(|r| r.password_hash.clone()) {
            Some(Some(hash)) => pw::verify(password, Some(hash)).await?,
            Some(None) => true,
            None => {
                pw::verify(password, None).await?;
                false
            }
        };
        let Some(room) = room.filter(|_| ok) else {
            return Err(AppError::BadRoomCredentials);
        };
        let role = ssr::grant(&pool, &room.id, &user.id, Role::Editor).await?;
        crate::ssr::redirect_form_post(&format!("/r/{}", room.slug)).await;
        Ok(ssr::details(&pool, room, Some(role)).await?)
    })
    .await
}

/// Joins the room a share link points to, with the link's role.
#[server(prefix = "/api", endpoint = "rooms/join-link", input = JsonOrForm)]
pub async fn join_by_link(token: String) -> Result<RoomDetails, AppError> {
    use crate::ssr::db::rooms;
    use crate::ssr::{api, identity, state};
    api(async move {
        let user = identity::require_user().await?;
        let pool = state()?.db.pool().clone();
        let Some((room, role)) = rooms::find_by_share_token(&pool, token.trim()).await? else {
            return Err(AppError::not_found("share link"));
        };
        let role = Role::parse(&role).ok_or(AppError::Internal)?;
        let role = ssr::grant(&pool, &room.id, &user.id, role).await?;
        crate::ssr::redirect_form_post(&format!("/r/{}", room.slug)).await;
        Ok(ssr::details(&pool, room, Some(role)).await?)
    })
    .await
}

/// Leaves a room. Owners cannot leave their own room; they delete it.
#[server(prefix = "/api", endpoint = "rooms/leave", input = JsonOrForm)]
pub async fn leave_room(slug: String) -> Result<(), AppError> {
    use crate::ssr::db::rooms;
    use crate::ssr::{api, state};
    api(async move {
        let (user, room, role) = ssr::require_role(&slug, Role::Viewer).await?;
        if role == Role::Owner {
            return Err(AppError::Conflict {
                message: "owners cannot leave their room; delete it instead".into(),
            });
        }
        rooms::remove_member(state()?.db.pool(), &room.id, &user.id).await?;
        crate::ssr::redirect_form_post("/dashboard").await;
        Ok(())
    })
    .await
}

/// Renames a room (owner). The slug, and so the URL, stays.
#[server(prefix = "/api", endpoint = "rooms/rename", input = JsonOrForm)]
pub async fn rename_room(slug: String, name: String) -> Result<RoomDetails, AppError> {
    use crate::ssr::db::rooms;
    use crate::ssr::{api, state};
    api(async move {
        let name = validate_room_name(&name)?;
        let (_, mut room, role) = ssr::require_role(&slug, Role::Owner).await?;
        let pool = state()?.db.pool().clone();
        rooms::set_name(&pool, &room.id, &name).await?;
        room.name = name;
        Ok(ssr::details(&pool, room, Some(role)).await?)
    })
    .await
}

/// Deletes a room and everything in it (owner).
#[server(prefix = "/api", endpoint = "rooms/delete", input = JsonOrForm)]
pub async fn delete_room(slug: String) -> Result<(), AppError> {
    use crate::ssr::db::rooms;
    use crate::ssr::{api, state};
    api(async move {
        let (_, room, _) = ssr::require_role(&slug, Role::Owner).await?;
        rooms::delete(state()?.db.pool(), &room.id).await?;
        crate::ssr::redirect_form_post("/dashboard").await;
        Ok(())
    })
    .await
}

/// Gives a private room a new join code; the old one stops working at once (owner).
#[server(prefix = "/api", endpoint = "rooms/rotate-code", input = JsonOrForm)]
pub async fn rotate_code(slug: String) -> Result<RoomDetails, AppError> {
    use crate::ssr::db::{DbError, rooms};
    use crate::ssr::{api, state};
    api(async move {
        let (_, mut room, role) = ssr::require_role(&slug, Role::Owner).await?;
        if !room.is_private {
            return Err(AppError::Conflict {
                message: "public rooms have no code".into(),
            });
        }
        let pool = state()?.db.pool().clone();
        for _ in 0..8 {
            let code = ssr::generate_code();
            match rooms::set_code(&pool, &room.id, &code).await {
                Ok(()) => {
                    room.code = Some(code);
                    return Ok(ssr::details(&pool, room, Some(role)).await?);
                }
                Err(DbError::Conflict(_)) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(AppError::Internal)
    })
    .await
}

/// Sets (or with `null`/empty, clears) a private room's password (owner).
#[server(prefix = "/api", endpoint = "rooms/set-password", input = JsonOrForm)]
pub async fn set_room_password(
    slug: String,
    password: Option<String>,
) -> Result<RoomDetails, AppError> {
    use crate::ssr::db::rooms;
    use crate::ssr::{api, password as pw, state};
    api(async move {
        let password = validate_room_password(password.as_deref())?;
        let (_, mut room, role) = ssr::require_role(&slug, Role::Owner).await?;
        if !room.is_private {
            return Err(AppError::invalid(
                "password",
                "only private rooms can have a password",
            ));
        }
        let hash = match password {
            Some(p) => Some(pw::hash(p).await?),
            None => None,
        };
        let pool = state()?.db.pool().clone();
        rooms::set_password_hash(&pool, &room.id, hash.as_deref()).await?;
        room.password_hash = hash;
        Ok(ssr::details(&pool, room, Some(role)).await?)
    })
    .await
}

/// The members of a room (any member may see who else is in it).
#[server(prefix = "/api", endpoint = "rooms/members", input = JsonOrForm)]
pub async fn list_members(slug: String) -> Result<Vec<Member>, AppError> {
    use crate::ssr::db::rooms;
    use crate::ssr::{api, state};
    api(async move {
        let (_, room, _) = ssr::require_role(&slug, Role::Viewer).await?;
        Ok(rooms::members(state()?.db.pool(), &room.id).await?)
    })
    .await
}

/// Removes a member (owner; not the owner themself).
#[server(prefix = "/api", endpoint = "rooms/kick", input = JsonOrForm)]
pub async fn kick_member(slug: String, user_id: String) -> Result<(), AppError> {
    use crate::ssr::db::rooms;
    use crate::ssr::{api, state};
    api(async move {
        let (owner, room, _) = ssr::require_role(&slug, Role::Owner).await?;
        if user_id == owner.id {
            return Err(AppError::Conflict {
                message: "owners cannot remove themselves".into(),
            });
        }
        if !rooms::remove_member(state()?.db.pool(), &room.id, &user_id).await? {
            return Err(AppError::not_found("member"));
        }
        Ok(())
    })
    .await
}

/// Changes a member's role to editor or viewer (owner).
#[server(prefix = "/api", endpoint = "rooms/set-role", input = JsonOrForm)]
pub async fn set_member_role(slug: String, user_id: String, role: Role) -> Result<(), AppError> {
    use crate::ssr::{api, state};
    api(async move {
        if role == Role::Owner {
            return Err(AppError::invalid("role", "a room has exactly one owner"));
        }
        let (owner, room, _) = ssr::require_role(&slug, Role::Owner).await?;
        if user_id == owner.id {
            return Err(AppError::Conflict {
                message: "owners cannot change their own role".into(),
            });
        }
        let pool = state()?.db.pool().clone();
        if ssr::role_of(&pool, &room.id, &user_id).await?.is_none() {
            return Err(AppError::not_found("member"));
        }
        sqlx::query("UPDATE room_members SET role = $3 WHERE room_id = $1 AND user_id = $2")
            .bind(&room.id)
            .bind(&user_id)
            .bind(role.as_str())
            .execute(&pool)
            .await
            .map_err(crate::ssr::db::DbError::from)?;
        Ok(())
    })
    .await
}

/// Creates a share link granting `role` (editor or viewer) to whoever opens it (owner).
#[server(prefix = "/api", endpoint = "rooms/share-links/create", input = JsonOrForm)]
pub async fn create_share_link(slug: String, role: Role) -> Result<ShareLink, AppError> {
    use crate::ssr::db::{now_ms, rooms};
    use crate::ssr::{api, state, tokens};
    api(async move {
        if role == Role::Owner {
            return Err(AppError::invalid("role", "links grant editor or viewer"));
        }
        let (owner, room, _) = ssr::require_role(&slug, Role::Owner).await?;
        let token = tokens::random_hex(16);
        let created_at = now_ms();
        rooms::insert_share_link(
            state()?.db.pool(),
            &token,
            &room.id,
            role.as_str(),
            &owner.id,
            created_at,
        )
        .await?;
        Ok(ShareLink {
            token,
            role,
            created_at,
        })
    })
    .await
}

/// The room's active share links (owner).
#[server(prefix = "/api", endpoint = "rooms/share-links/list", input = JsonOrForm)]
pub async fn list_share_links(slug: String) -> Result<Vec<ShareLink>, AppError> {
    use crate::ssr::db::rooms;
    use crate::ssr::{api, state};
    api(async move {
        let (_, room, _) = ssr::require_role(&slug, Role::Owner).await?;
        Ok(rooms::share_links(state()?.db.pool(), &room.id).await?)
    })
    .await
}

/// Revokes a share link; members who joined through it stay (owner).
#[server(prefix = "/api", endpoint = "rooms/share-links/revoke", input = JsonOrForm)]
pub async fn revoke_share_link(slug: String, token: String) -> Result<(), AppError> {
    use crate::ssr::db::rooms;
    use crate::ssr::{api, state};
    api(async move {
        let (_, room, _) = ssr::require_role(&slug, Role::Owner).await?;
        if !rooms::revoke_share_link(state()?.db.pool(), &room.id, &token).await? {
            return Err(AppError::not_found("share link"));
        }
        Ok(())
    })
    .await
}

crate::json_or_form!(
    CreateRoom,
    ListPublicRooms,
    MyRooms,
    GetRoom,
    JoinPublicRoom,
    JoinByCode,
    JoinByLink,
    LeaveRoom,
    RenameRoom,
    DeleteRoom,
    RotateCode,
    SetRoomPassword,
    ListMembers,
    KickMember,
    SetMemberRole,
    CreateShareLink,
    ListShareLinks,
    RevokeShareLink,
);

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
