//! Who may do what with challenges: the one place these rules live.
//!
//! - **Challenges**: active ones are visible to everyone, signed in or not; retired ones only to
//!   site admins. Only admins create, edit or retire challenges and categories.
//! - **Submissions**: public ones are visible to everyone; a private one only to its author
//!   (to anyone else it does not exist: 404). Only signed-in users like, and only submissions
//!   they can see that are public. The author or an admin removes one.
//! - **Submitting** needs an editor's role in a board linked to an open challenge.
//!
//! Every answer is read from storage when asked: an admin's flag can be revoked between two
//! requests.

use super::db::{self, ChallengeRow, SubmissionRow};
use crate::error::AppError;
use crate::ssr::db::users::User;
use crate::ssr::identity;
use crate::ssr::state::{ServerState, state};
use sqlx::AnyPool;

/// The signed-in caller, who must be a site admin (401 signed out, 403 otherwise).
pub async fn require_admin() -> Result<(ServerState, User), AppError> {
    let user = identity::require_user().await?;
    let st = state()?;
    if !db::is_admin(st.db.pool(), &user.id).await? {
        return Err(AppError::Forbidden);
    }
    Ok((st, user))
}

/// Whether `user` is a site admin (false when signed out).
pub async fn is_admin(pool: &AnyPool, user: Option<&User>) -> Result<bool, AppError> {
    match user {
        Some(u) => Ok(db::is_admin(pool, &u.id).await?),
        None => Ok(false),
    }
}

/// The challenge `slug` if the caller may see it (404 otherwise).
pub async fn visible_challenge(
    pool: &AnyPool,
    slug: &str,
    user: Option<&User>,
) -> Result<ChallengeRow, AppError> {
    match db::find(pool, slug).await? {
        Some(c) if c.is_active || is_admin(pool, user).await? => Ok(c),
        _ => Err(AppError::not_found("challenge")),
    }
}

/// The submission `id` if the caller may see it (404 otherwise, private ones included).
pub async fn visible_submission(
    pool: &AnyPool,
    id: &str,
    user: Option<&User>,
) -> Result<SubmissionRow, AppError> {
    match db::find_submission(pool, id).await? {
        Some(s) if s.is_public || user.is_some_and(|u| u.id == s.user_id) => Ok(s),
        _ => Err(AppError::not_found("submission")),
    }
}

/// The submission `id` if the caller may remove it: its author or an admin.
pub async fn removable_submission(
    pool: &AnyPool,
    id: &str,
    user: &User,
) -> Result<SubmissionRow, AppError> {
    let admin = db::is_admin(pool, &user.id).await?;
    match db::find_submission(pool, id).await? {
        Some(s) if s.user_id == user.id || admin => Ok(s),
        Some(s) if s.is_public => Err(AppError::Forbidden),
        _ => Err(AppError::not_found("submission")),
    }
}
