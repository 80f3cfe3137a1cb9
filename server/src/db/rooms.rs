//! The `rooms` table.

use super::{DbError, now_ms};
use sqlx::any::AnyRow;
use sqlx::{AnyExecutor, FromRow, Row};

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
