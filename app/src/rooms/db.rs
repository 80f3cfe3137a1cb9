//! Every query about rooms: the `rooms` table, memberships (`room_members`) and share links.
//!
//! Queries take `impl AnyExecutor`, so they run on the pool or inside a transaction alike, and
//! answer [`DbError`]; what a caller may do with their results is decided in `access`.

use super::model::{
    CODE_ALPHABET, CODE_LEN, Member, Role, RoomDetails, RoomSummary, ShareLink, slugify,
};
use crate::ssr::db::{DbError, now_ms};
use argon2::password_hash::rand_core::{OsRng, RngCore};
use sqlx::any::AnyRow;
use sqlx::{AnyExecutor, AnyPool, FromRow, Row};

/// A stored room.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Room {
    /// UUID text.
    pub id: String,
    /// URL slug; unique.
    pub slug: String,
    /// Human name.
    pub name: String,
    /// The owning user's id.
    pub owner_id: String,
    /// Private rooms are joined by code (and optional password).
    pub is_private: bool,
    /// The 6-character join code of a private room.
    pub code: Option<String>,
    /// argon2 hash of the optional room password.
    pub password_hash: Option<String>,
    /// Unix milliseconds.
    pub created_at: i64,
}

impl FromRow<'_, AnyRow> for Room {
    fn from_row(row: &AnyRow) -> Result<Self, sqlx::Error> {
        Ok(Self {
            id: row.try_get("id")?,
            slug: row.try_get("slug")?,
            name: row.try_get("name")?,
            owner_id: row.try_get("owner_id")?,
            // Stored as 0/1: portable, and decodable by the Any driver on both engines.
            is_private: row.try_get::<i64, _>("is_private")? != 0,
            code: row.try_get("code")?,
            password_hash: row.try_get("password_hash")?,
            created_at: row.try_get("created_at")?,
        })
    }
}

/// What it takes to create a room.
#[derive(Clone, Debug)]
pub struct NewRoom<'a> {
    /// URL slug.
    pub slug: &'a str,
    /// Human name.
    pub name: &'a str,
    /// Owner's user id.
    pub owner_id: &'a str,
    /// Private or public.
    pub is_private: bool,
    /// Join code, for private rooms.
    pub code: Option<&'a str>,
    /// Password hash, if the room has a password.
    pub password_hash: Option<&'a str>,
}

const COLUMNS: &str = "id, slug, name, owner_id, is_private, code, password_hash, created_at";

/// Inserts a room; a taken slug or code is [`DbError::Conflict`].
pub async fn insert<'e>(db: impl AnyExecutor<'e>, new: NewRoom<'_>) -> Result<Room, DbError> {
    let room = Room {
        id: uuid::Uuid::new_v4().to_string(),
        slug: new.slug.to_owned(),
        name: new.name.to_owned(),
        owner_id: new.owner_id.to_owned(),
        is_private: new.is_private,
        code: new.code.map(str::to_owned),
        password_hash: new.password_hash.map(str::to_owned),
        created_at: now_ms(),
    };
    sqlx::query(&format!(
        "INSERT INTO rooms ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
    ))
    .bind(&room.id)
    .bind(&room.slug)
    .bind(&room.name)
    .bind(&room.owner_id)
    .bind(i64::from(room.is_private))
    .bind(&room.code)
    .bind(&room.password_hash)
    .bind(room.created_at)
    .execute(db)
    .await
    .map_err(|e| DbError::on_unique(e, "a room with this slug or code"))?;
    Ok(room)
}

/// The room with this slug.
pub async fn find_by_slug<'e>(
    db: impl AnyExecutor<'e>,
    slug: &str,
) -> Result<Option<Room>, DbError> {
    Ok(
        sqlx::query_as::<_, Room>(&format!("SELECT {COLUMNS} FROM rooms WHERE slug = $1"))
            .bind(slug)
            .fetch_optional(db)
            .await?,
    )
}

/// How many rooms `user_id` owns.
pub async fn count_owned<'e>(db: impl AnyExecutor<'e>, user_id: &str) -> Result<i64, DbError> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM rooms WHERE owner_id = $1")
        .bind(user_id)
        .fetch_one(db)
        .await?;
    Ok(n)
}

/// The room with this id.
pub async fn find_by_id<'e>(db: impl AnyExecutor<'e>, id: &str) -> Result<Option<Room>, DbError> {
    Ok(
        sqlx::query_as::<_, Room>(&format!("SELECT {COLUMNS} FROM rooms WHERE id = $1"))
            .bind(id)
            .fetch_optional(db)
            .await?,
    )
}

/// The private room with this join code.
pub async fn find_by_code<'e>(
    db: impl AnyExecutor<'e>,
    code: &str,
) -> Result<Option<Room>, DbError> {
    Ok(
        sqlx::query_as::<_, Room>(&format!("SELECT {COLUMNS} FROM rooms WHERE code = $1"))
            .bind(code)
            .fetch_optional(db)
            .await?,
    )
}

/// The columns of [`Room`], qualified with table alias `r`, for joins.
const R_COLUMNS: &str =
    "r.id, r.slug, r.name, r.owner_id, r.is_private, r.code, r.password_hash, r.created_at";

/// The columns of a [`RoomSummary`] row: the room, its owner's name, its member count and the
/// caller's role (`me` is the caller's membership, joined by the query).
const SUMMARY_COLUMNS: &str = "r.slug, r.name, r.is_private, r.created_at, u.display_name AS owner_name, \
     (SELECT COUNT(*) FROM room_members m WHERE m.room_id = r.id) AS member_count, me.role AS my_role";

fn summary(row: &AnyRow) -> Result<RoomSummary, sqlx::Error> {
    Ok(RoomSummary {
        slug: row.try_get("slug")?,
        name: row.try_get("name")?,
        is_private: row.try_get::<i64, _>("is_private")? != 0,
        owner_name: row.try_get("owner_name")?,
        role: row
            .try_get::<Option<String>, _>("my_role")?
            .as_deref()
            .and_then(Role::parse),
        member_count: row.try_get("member_count")?,
        created_at: row.try_get("created_at")?,
    })
}

/// A page of public rooms, newest first, as `viewer` (if signed in) sees them.
pub async fn list_public<'e>(
    db: impl AnyExecutor<'e>,
    viewer: Option<&str>,
    offset: i64,
    limit: i64,
) -> Result<Vec<RoomSummary>, DbError> {
    let rows = sqlx::query(&format!(
        "SELECT {SUMMARY_COLUMNS} FROM rooms r JOIN users u ON u.id = r.owner_id \
         LEFT JOIN room_members me ON me.room_id = r.id AND me.user_id = $3 \
         WHERE r.is_private = 0 ORDER BY r.created_at DESC, r.id LIMIT $1 OFFSET $2"
    ))
    .bind(limit)
    .bind(offset)
    .bind(viewer)
    .fetch_all(db)
    .await?;
    Ok(rows.iter().map(summary).collect::<Result<_, _>>()?)
}

/// The rooms `user_id` belongs to, most recently joined first.
pub async fn list_for_member<'e>(
    db: impl AnyExecutor<'e>,
    user_id: &str,
) -> Result<Vec<RoomSummary>, DbError> {
    let rows = sqlx::query(&format!(
        "SELECT {SUMMARY_COLUMNS} FROM rooms r JOIN users u ON u.id = r.owner_id \
         JOIN room_members me ON me.room_id = r.id AND me.user_id = $1 \
         ORDER BY me.joined_at DESC, r.id"
    ))
    .bind(user_id)
    .fetch_all(db)
    .await?;
    Ok(rows.iter().map(summary).collect::<Result<_, _>>()?)
}

/// The room and role of an unrevoked share link.
pub async fn find_by_share_token<'e>(
    db: impl AnyExecutor<'e>,
    token: &str,
) -> Result<Option<(Room, String)>, DbError> {
    let row = sqlx::query(&format!(
        "SELECT {R_COLUMNS}, l.role AS link_role FROM share_links l JOIN rooms r ON r.id = l.room_id \
         WHERE l.token = $1 AND l.revoked_at IS NULL"
    ))
    .bind(token)
    .fetch_optional(db)
    .await?;
    row.map(|row| {
        Ok((
            Room::from_row(&row)?,
            row.try_get::<String, _>("link_role")?,
        ))
    })
    .transpose()
    .map_err(|e: sqlx::Error| DbError::from(e))
}

/// Removes a membership; `false` if there was none.
pub async fn remove_member<'e>(
    db: impl AnyExecutor<'e>,
    room_id: &str,
    user_id: &str,
) -> Result<bool, DbError> {
    let done = sqlx::query("DELETE FROM room_members WHERE room_id = $1 AND user_id = $2")
        .bind(room_id)
        .bind(user_id)
        .execute(db)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Renames a room.
pub async fn set_name<'e>(
    db: impl AnyExecutor<'e>,
    room_id: &str,
    name: &str,
) -> Result<(), DbError> {
    sqlx::query("UPDATE rooms SET name = $2 WHERE id = $1")
        .bind(room_id)
        .bind(name)
        .execute(db)
        .await?;
    Ok(())
}

/// Replaces a room's join code; a clash with another room's code is [`DbError::Conflict`].
pub async fn set_code<'e>(
    db: impl AnyExecutor<'e>,
    room_id: &str,
    code: &str,
) -> Result<(), DbError> {
    sqlx::query("UPDATE rooms SET code = $2 WHERE id = $1")
        .bind(room_id)
        .bind(code)
        .execute(db)
        .await
        .map_err(|e| DbError::on_unique(e, "a room with this code"))?;
    Ok(())
}

/// Sets or clears a room's password hash.
pub async fn set_password_hash<'e>(
    db: impl AnyExecutor<'e>,
    room_id: &str,
    hash: Option<&str>,
) -> Result<(), DbError> {
    sqlx::query("UPDATE rooms SET password_hash = $2 WHERE id = $1")
        .bind(room_id)
        .bind(hash)
        .execute(db)
        .await?;
    Ok(())
}

/// Deletes a room; memberships and links go with it (foreign keys cascade).
pub async fn delete<'e>(db: impl AnyExecutor<'e>, room_id: &str) -> Result<(), DbError> {
    sqlx::query("DELETE FROM rooms WHERE id = $1")
        .bind(room_id)
        .execute(db)
        .await?;
    Ok(())
}

/// Members, owner first, then by name. Rows with an unknown role (impossible under the CHECK
/// constraint) are skipped.
pub async fn members<'e>(db: impl AnyExecutor<'e>, room_id: &str) -> Result<Vec<Member>, DbError> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT u.id, u.display_name, m.role FROM room_members m JOIN users u ON u.id = m.user_id \
         WHERE m.room_id = $1 \
         ORDER BY CASE m.role WHEN 'owner' THEN 0 WHEN 'editor' THEN 1 ELSE 2 END, u.display_name, u.id",
    )
    .bind(room_id)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(user_id, display_name, role)| {
            Some(Member {
                user_id,
                display_name,
                role: Role::parse(&role)?,
            })
        })
        .collect())
}

/// Stores a new share link.
pub async fn insert_share_link<'e>(
    db: impl AnyExecutor<'e>,
    token: &str,
    room_id: &str,
    role: &str,
    created_by: &str,
    created_at: i64,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO share_links (token, room_id, role, created_by, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(token)
    .bind(room_id)
    .bind(role)
    .bind(created_by)
    .bind(created_at)
    .execute(db)
    .await
    .map_err(|e| DbError::on_unique(e, "a share link with this token"))?;
    Ok(())
}

/// Active share links of a room, newest first.
pub async fn share_links<'e>(
    db: impl AnyExecutor<'e>,
    room_id: &str,
) -> Result<Vec<ShareLink>, DbError> {
    let rows: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT token, role, created_at FROM share_links WHERE room_id = $1 AND revoked_at IS NULL \
         ORDER BY created_at DESC, token",
    )
    .bind(room_id)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(token, role, created_at)| {
            Some(ShareLink {
                token,
                role: Role::parse(&role)?,
                created_at,
            })
        })
        .collect())
}

/// Revokes a share link of this room; `false` if there was no active one.
pub async fn revoke_share_link<'e>(
    db: impl AnyExecutor<'e>,
    room_id: &str,
    token: &str,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE share_links SET revoked_at = $3 WHERE room_id = $1 AND token = $2 AND revoked_at IS NULL",
    )
    .bind(room_id)
    .bind(token)
    .bind(now_ms())
    .execute(db)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// The role of `user_id` in `room_id`, if a member.
pub async fn role_of<'e>(
    db: impl AnyExecutor<'e>,
    room_id: &str,
    user_id: &str,
) -> Result<Option<Role>, DbError> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT role FROM room_members WHERE room_id = $1 AND user_id = $2")
            .bind(room_id)
            .bind(user_id)
            .fetch_optional(db)
            .await?;
    Ok(row.and_then(|(r,)| Role::parse(&r)))
}

/// Sets a member's role; `false` if `user_id` is not a member.
pub async fn set_role<'e>(
    db: impl AnyExecutor<'e>,
    room_id: &str,
    user_id: &str,
    role: Role,
) -> Result<bool, DbError> {
    let done = sqlx::query("UPDATE room_members SET role = $3 WHERE room_id = $1 AND user_id = $2")
        .bind(room_id)
        .bind(user_id)
        .bind(role.as_str())
        .execute(db)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Makes `user_id` a member with `role`, never lowering an existing role. Returns the role they
/// have now.
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

/// `room` as a caller with `role` sees it (the join code only for its owner).
pub async fn details(
    pool: &AnyPool,
    room: Room,
    role: Option<Role>,
) -> Result<RoomDetails, DbError> {
    let owner: Option<(String,)> = sqlx::query_as("SELECT display_name FROM users WHERE id = $1")
        .bind(&room.owner_id)
        .fetch_optional(pool)
        .await?;
    Ok(RoomDetails {
        slug: room.slug,
        name: room.name,
        is_private: room.is_private,
        has_password: room.password_hash.is_some(),
        owner_name: owner.map(|(n,)| n).unwrap_or_default(),
        role,
        code: if role == Some(Role::Owner) {
            room.code
        } else {
            None
        },
    })
}

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

/// Creates a room owned by `owner_id` with a slug derived from `name` (a random suffix on a
/// clash) and, if private, a fresh join code. `None` if no free slug was found.
pub async fn create(
    pool: &AnyPool,
    name: &str,
    owner_id: &str,
    is_private: bool,
    password_hash: Option<&str>,
) -> Result<Option<Room>, DbError> {
    let base = slugify(name).unwrap_or_else(|| "room".to_owned());
    for attempt in 0..8 {
        let slug = if attempt == 0 {
            base.clone()
        } else {
            format!("{base}-{}", random_suffix())
        };
        let code = is_private.then(generate_code);
        let new = NewRoom {
            slug: &slug,
            name,
            owner_id,
            is_private,
            code: code.as_deref(),
            password_hash,
        };
        match insert(pool, new).await {
            Ok(room) => {
                grant(pool, &room.id, owner_id, Role::Owner).await?;
                return Ok(Some(room));
            }
            Err(DbError::Conflict(_)) => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(None)
}
