//! The `users` table.

use super::{DbError, now_ms};
use sqlx::{AnyExecutor, FromRow};

/// A stored account.
#[derive(Clone, Debug, PartialEq, Eq, FromRow)]
pub struct User {
    /// UUID text.
    pub id: String,
    /// Normalised (trimmed, lowercase) email; unique.
    pub email: String,
    /// Name shown to other users.
    pub display_name: String,
    /// PHC-format argon2 hash.
    pub password_hash: String,
    /// Unix milliseconds.
    pub created_at: i64,
    /// Bearer tokens are valid only while this is what they carry: signing out increments it.
    pub token_epoch: i64,
}

/// What it takes to create a user.
#[derive(Clone, Debug)]
pub struct NewUser<'a> {
    /// Normalised email.
    pub email: &'a str,
    /// Display name.
    pub display_name: &'a str,
    /// Already-hashed password.
    pub password_hash: &'a str,
}

/// Inserts a user; a taken email is [`DbError::Conflict`].
pub async fn insert<'e>(db: impl AnyExecutor<'e>, new: NewUser<'_>) -> Result<User, DbError> {
    let user = User {
        id: uuid::Uuid::new_v4().to_string(),
        email: new.email.to_owned(),
        display_name: new.display_name.to_owned(),
        password_hash: new.password_hash.to_owned(),
        created_at: now_ms(),
        token_epoch: 0,
    };
    sqlx::query(
        "INSERT INTO users (id, email, display_name, password_hash, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&user.id)
    .bind(&user.email)
    .bind(&user.display_name)
    .bind(&user.password_hash)
    .bind(user.created_at)
    .execute(db)
    .await
    .map_err(|e| DbError::on_unique(e, "an account with this email"))?;
    Ok(user)
}

/// The user with this id.
pub async fn find_by_id<'e>(db: impl AnyExecutor<'e>, id: &str) -> Result<Option<User>, DbError> {
    Ok(sqlx::query_as::<_, User>(
        "SELECT id, email, display_name, password_hash, created_at, token_epoch FROM users WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(db)
    .await?)
}

/// The user with this (normalised) email.
pub async fn find_by_email<'e>(
    db: impl AnyExecutor<'e>,
    email: &str,
) -> Result<Option<User>, DbError> {
    Ok(sqlx::query_as::<_, User>(
        "SELECT id, email, display_name, password_hash, created_at, token_epoch FROM users WHERE email = $1",
    )
    .bind(email)
    .fetch_optional(db)
    .await?)
}

/// Refuses every bearer token of `user_id` issued so far (at sign-out).
pub async fn revoke_tokens<'e>(db: impl AnyExecutor<'e>, user_id: &str) -> Result<(), DbError> {
    sqlx::query("UPDATE users SET token_epoch = token_epoch + 1 WHERE id = $1")
        .bind(user_id)
        .execute(db)
        .await?;
    Ok(())
}
