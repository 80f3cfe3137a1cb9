//! Who may do what in a room: the one rule, used by every room server function, the board
//! export and the WebSocket hub.
//!
//! - A **member** acts with their role.
//! - A **public** room is visible to everyone; a signed-in visitor who is not a member acts as a
//!   **viewer** (watches live, exports), an anonymous one only sees its details.
//! - A **private** room does not exist for non-members: it answers "not found", so its existence
//!   does not leak.
//!
//! The answer is computed from storage each time it is asked for, never cached with a
//! connection: roles change while sockets are open.

use super::db::{self, Room};
use super::model::{Role, RoomDetails};
use crate::error::AppError;
use crate::ssr::db::users::User;
use crate::ssr::db::{Db, DbError};
use crate::ssr::identity;
use crate::ssr::state::state;
use sqlx::AnyPool;

/// A caller's standing in a room they may see.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoomAccess {
    /// The room.
    pub room: Room,
    /// The caller's membership role, if they are a member.
    pub membership: Option<Role>,
    /// Whether the caller is signed in.
    pub signed_in: bool,
}

impl RoomAccess {
    /// The role the caller acts with: their membership's, or viewer for a signed-in visitor of a
    /// public room; `None` for anonymous visitors.
    pub fn role(&self) -> Option<Role> {
        match self.membership {
            Some(role) => Some(role),
            None if self.signed_in && !self.room.is_private => Some(Role::Viewer),
            None => None,
        }
    }
}

/// The access of `user_id` (or an anonymous caller) to the room `slug`; `None` when the room
/// does not exist or is invisible to them.
pub async fn access(
    pool: &AnyPool,
    slug: &str,
    user_id: Option<&str>,
) -> Result<Option<RoomAccess>, DbError> {
    match db::find_by_slug(pool, slug).await? {
        Some(room) => access_to(pool, room, user_id).await,
        None => Ok(None),
    }
}

/// The access of `user_id` to the room with id `room_id` (how the hub re-checks an open
/// socket's access after a change); `None` when the room is gone or invisible to them.
pub async fn access_by_id(
    pool: &AnyPool,
    room_id: &str,
    user_id: &str,
) -> Result<Option<RoomAccess>, DbError> {
    match db::find_by_id(pool, room_id).await? {
        Some(room) => access_to(pool, room, Some(user_id)).await,
        None => Ok(None),
    }
}

/// The rule itself, for a room that exists.
async fn access_to(
    pool: &AnyPool,
    room: Room,
    user_id: Option<&str>,
) -> Result<Option<RoomAccess>, DbError> {
    let membership = match user_id {
        Some(u) => db::role_of(pool, &room.id, u).await?,
        None => None,
    };
    if room.is_private && membership.is_none() {
        return Ok(None);
    }
    Ok(Some(RoomAccess {
        room,
        membership,
        signed_in: user_id.is_some(),
    }))
}

/// The room `slug` for a caller, or the error a server function answers: 404 when it does not
/// exist or is invisible to them.
pub async fn visible(
    pool: &AnyPool,
    slug: &str,
    user: Option<&User>,
) -> Result<RoomAccess, AppError> {
    access(pool, slug, user.map(|u| u.id.as_str()))
        .await?
        .ok_or_else(|| AppError::not_found("room"))
}

/// What a room server function starts from: storage, the signed-in caller, the room and the
/// caller's membership role, already checked against the function's minimum.
#[derive(Clone, Debug)]
pub struct InRoom {
    /// Storage.
    pub db: Db,
    /// The caller.
    pub user: User,
    /// The room.
    pub room: Room,
    /// The caller's role in it.
    pub role: Role,
}

impl InRoom {
    /// The caller of the running server function as a member of `slug` with at least `min`:
    /// 401 when not signed in, 404 when the room is invisible to them, 403 when they are not a
    /// member or their role is below `min`.
    pub async fn require(slug: &str, min: Role) -> Result<Self, AppError> {
        let user = identity::require_user().await?;
        let db = state()?.db;
        let access = visible(db.pool(), slug, Some(&user)).await?;
        match access.membership {
            Some(role) if role >= min => Ok(Self {
                db,
                user,
                room: access.room,
                role,
            }),
            _ => Err(AppError::Forbidden),
        }
    }

    /// The pool, for queries.
    pub fn pool(&self) -> &AnyPool {
        self.db.pool()
    }

    /// The room as this member sees it.
    pub async fn details(self) -> Result<RoomDetails, AppError> {
        Ok(db::details(self.db.pool(), self.room, Some(self.role)).await?)
    }
}
