//! The room server functions: public endpoints under `/api/rooms/…` taking JSON (or a plain HTML
//! form). Each one starts from the caller's access ([`super::access`]), never from its own check.

// `#[server]` turns each function into a struct whose fields are its parameters: they are
// documented on the function (`docs/api.md` lists them), not field by field.
#![allow(missing_docs)]

use super::model::{Member, Role, RoomDetails, RoomPage, ShareLink};
use crate::api::{JsonOrForm, json_or_form};
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::access::{InRoom, visible},
    super::db,
    super::model::{MAX_PAGE, normalize_code, validate_room_name, validate_room_password},
    crate::api::{redirect_form_post, respond},
    crate::ssr::{identity, state::state, tokens},
};

/// Creates a room owned by the caller. Private rooms get a join code and may have a password.
#[server(prefix = "/api", endpoint = "rooms/create", input = JsonOrForm)]
pub async fn create_room(
    name: String,
    is_private: bool,
    password: Option<String>,
) -> Result<RoomDetails, AppError> {
    respond(async move {
        let user = identity::require_user().await?;
        let name = validate_room_name(&name)?;
        let password = validate_room_password(password.as_deref())?;
        if password.is_some() && !is_private {
            return Err(AppError::invalid(
                "password",
                "only private rooms can have a password",
            ));
        }
        let st = state()?;
        let owned = db::count_owned(st.db.pool(), &user.id).await?;
        if owned >= i64::from(st.max_rooms_per_user) {
            return Err(AppError::LimitReached {
                message: format!(
                    "you own {owned} rooms, the most one person may; delete one to make another"
                ),
            });
        }
        let hash = match password {
            Some(p) => Some(st.hashers.hash(p).await?),
            None => None,
        };
        let db = st.db;
        let room = db::create(db.pool(), &name, &user.id, is_private, hash.as_deref())
            .await?
            .ok_or_else(|| AppError::Conflict {
                message: "could not find a free address for this room; try another name".into(),
            })?;
        redirect_form_post(&format!("/r/{}", room.slug));
        Ok(db::details(db.pool(), room, Some(Role::Owner)).await?)
    })
    .await
}

/// Public rooms, newest first, `limit` (1–50) at a time from `offset`. Open to everyone.
#[server(prefix = "/api", endpoint = "rooms/public", input = JsonOrForm)]
pub async fn list_public_rooms(offset: i64, limit: i64) -> Result<RoomPage, AppError> {
    respond(async move {
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
        let db = state()?.db;
        let viewer = user.as_ref().map(|u| u.id.as_str());
        let mut rooms = db::list_public(db.pool(), viewer, offset, limit + 1).await?;
        let has_more = rooms.len() as i64 > limit;
        rooms.truncate(limit as usize);
        Ok(RoomPage {
            rooms,
            next_offset: has_more.then_some(offset + limit),
        })
    })
    .await
}

/// The rooms the caller is a member of, most recently joined first.
#[server(prefix = "/api", endpoint = "rooms/mine", input = JsonOrForm)]
pub async fn my_rooms() -> Result<Vec<super::model::RoomSummary>, AppError> {
    respond(async {
        let user = identity::require_user().await?;
        Ok(db::list_for_member(state()?.db.pool(), &user.id).await?)
    })
    .await
}

/// One room as the caller sees it.
#[server(prefix = "/api", endpoint = "rooms/get", input = JsonOrForm)]
pub async fn get_room(slug: String) -> Result<RoomDetails, AppError> {
    respond(async move {
        let user = identity::current_user().await?;
        let db = state()?.db;
        let access = visible(db.pool(), &slug, user.as_ref()).await?;
        Ok(db::details(db.pool(), access.room, access.membership).await?)
    })
    .await
}

/// Joins a public room as an editor (a no-op for existing members).
#[server(prefix = "/api", endpoint = "rooms/join", input = JsonOrForm)]
pub async fn join_public_room(slug: String) -> Result<RoomDetails, AppError> {
    respond(async move {
        let user = identity::require_user().await?;
        let db = state()?.db;
        let access = visible(db.pool(), &slug, Some(&user)).await?;
        let role = if access.room.is_private {
            // Visible, so already a member.
            access.membership
        } else {
            let role = db::grant(db.pool(), &access.room.id, &user.id, Role::Editor).await?;
            state()?.access_changed(&access.room.id, Some(&user.id));
            Some(role)
        };
        redirect_form_post(&format!("/r/{}", access.room.slug));
        Ok(db::details(db.pool(), access.room, role).await?)
    })
    .await
}

/// Joins a private room with its code (and password, if it has one) as an editor.
#[server(prefix = "/api", endpoint = "rooms/join-code", input = JsonOrForm)]
pub async fn join_by_code(code: String, password: Option<String>) -> Result<RoomDetails, AppError> {
    respond(async move {
        let user = identity::require_user().await?;
        let st = state()?;
        let db = st.db.clone();
        let room = match normalize_code(&code) {
            Some(code) => db::find_by_code(db.pool(), &code).await?,
            None => None,
        };
        let typed = password.unwrap_or_default();
        // Verify even when the room is unknown, so timing does not reveal valid codes.
        let ok = match room.as_ref().map(|r| r.password_hash.clone()) {
            Some(Some(hash)) => st.hashers.verify(typed, Some(hash)).await?,
            Some(None) => true,
            None => {
                st.hashers.verify(typed, None).await?;
                false
            }
        };
        let Some(room) = room.filter(|_| ok) else {
            return Err(AppError::BadRoomCredentials);
        };
        let role = db::grant(db.pool(), &room.id, &user.id, Role::Editor).await?;
        state()?.access_changed(&room.id, Some(&user.id));
        redirect_form_post(&format!("/r/{}", room.slug));
        Ok(db::details(db.pool(), room, Some(role)).await?)
    })
    .await
}

/// Joins the room a share link points to, with the link's role.
#[server(prefix = "/api", endpoint = "rooms/join-link", input = JsonOrForm)]
pub async fn join_by_link(token: String) -> Result<RoomDetails, AppError> {
    respond(async move {
        let user = identity::require_user().await?;
        let db = state()?.db;
        let Some((room, role)) = db::find_by_share_token(db.pool(), token.trim()).await? else {
            return Err(AppError::not_found("share link"));
        };
        let role = Role::parse(&role).ok_or(AppError::Internal)?;
        let role = db::grant(db.pool(), &room.id, &user.id, role).await?;
        state()?.access_changed(&room.id, Some(&user.id));
        redirect_form_post(&format!("/r/{}", room.slug));
        Ok(db::details(db.pool(), room, Some(role)).await?)
    })
    .await
}

/// Leaves a room. Owners cannot leave their own room; they delete it.
#[server(prefix = "/api", endpoint = "rooms/leave", input = JsonOrForm)]
pub async fn leave_room(slug: String) -> Result<(), AppError> {
    respond(async move {
        let me = InRoom::require(&slug, Role::Viewer).await?;
        if me.role == Role::Owner {
            return Err(AppError::Conflict {
                message: "owners cannot leave their room; delete it instead".into(),
            });
        }
        db::remove_member(me.pool(), &me.room.id, &me.user.id).await?;
        state()?.access_changed(&me.room.id, Some(&me.user.id));
        redirect_form_post("/dashboard");
        Ok(())
    })
    .await
}

/// Renames a room (owner). The slug, and so the URL, stays.
#[server(prefix = "/api", endpoint = "rooms/rename", input = JsonOrForm)]
pub async fn rename_room(slug: String, name: String) -> Result<RoomDetails, AppError> {
    respond(async move {
        let name = validate_room_name(&name)?;
        let mut me = InRoom::require(&slug, Role::Owner).await?;
        db::set_name(me.pool(), &me.room.id, &name).await?;
        me.room.name = name;
        me.details().await
    })
    .await
}

/// Deletes a room and everything in it (owner).
#[server(prefix = "/api", endpoint = "rooms/delete", input = JsonOrForm)]
pub async fn delete_room(slug: String) -> Result<(), AppError> {
    respond(async move {
        let me = InRoom::require(&slug, Role::Owner).await?;
        db::delete(me.pool(), &me.room.id).await?;
        state()?.access_changed(&me.room.id, None);
        redirect_form_post("/dashboard");
        Ok(())
    })
    .await
}

/// Gives a private room a new join code; the old one stops working at once (owner).
#[server(prefix = "/api", endpoint = "rooms/rotate-code", input = JsonOrForm)]
pub async fn rotate_code(slug: String) -> Result<RoomDetails, AppError> {
    use crate::ssr::db::DbError;
    respond(async move {
        let mut me = InRoom::require(&slug, Role::Owner).await?;
        if !me.room.is_private {
            return Err(AppError::Conflict {
                message: "public rooms have no code".into(),
            });
        }
        for _ in 0..8 {
            let code = db::generate_code();
            match db::set_code(me.pool(), &me.room.id, &code).await {
                Ok(()) => {
                    me.room.code = Some(code);
                    return me.details().await;
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
    respond(async move {
        let new = validate_room_password(password.as_deref())?;
        let mut me = InRoom::require(&slug, Role::Owner).await?;
        if !me.room.is_private {
            return Err(AppError::invalid(
                "password",
                "only private rooms can have a password",
            ));
        }
        let hash = match new {
            Some(p) => Some(state()?.hashers.hash(p).await?),
            None => None,
        };
        db::set_password_hash(me.pool(), &me.room.id, hash.as_deref()).await?;
        me.room.password_hash = hash;
        me.details().await
    })
    .await
}

/// The members of a room (any member may see who else is in it).
#[server(prefix = "/api", endpoint = "rooms/members", input = JsonOrForm)]
pub async fn list_members(slug: String) -> Result<Vec<Member>, AppError> {
    respond(async move {
        let me = InRoom::require(&slug, Role::Viewer).await?;
        Ok(db::members(me.pool(), &me.room.id).await?)
    })
    .await
}

/// Removes a member (owner; not the owner themself).
#[server(prefix = "/api", endpoint = "rooms/kick", input = JsonOrForm)]
pub async fn kick_member(slug: String, user_id: String) -> Result<(), AppError> {
    respond(async move {
        let me = InRoom::require(&slug, Role::Owner).await?;
        if user_id == me.user.id {
            return Err(AppError::Conflict {
                message: "owners cannot remove themselves".into(),
            });
        }
        if !db::remove_member(me.pool(), &me.room.id, &user_id).await? {
            return Err(AppError::not_found("member"));
        }
        state()?.access_changed(&me.room.id, Some(&user_id));
        Ok(())
    })
    .await
}

/// Changes a member's role to editor or viewer (owner).
#[server(prefix = "/api", endpoint = "rooms/set-role", input = JsonOrForm)]
pub async fn set_member_role(slug: String, user_id: String, role: Role) -> Result<(), AppError> {
    respond(async move {
        if role == Role::Owner {
            return Err(AppError::invalid("role", "a room has exactly one owner"));
        }
        let me = InRoom::require(&slug, Role::Owner).await?;
        if user_id == me.user.id {
            return Err(AppError::Conflict {
                message: "owners cannot change their own role".into(),
            });
        }
        if !db::set_role(me.pool(), &me.room.id, &user_id, role).await? {
            return Err(AppError::not_found("member"));
        }
        state()?.access_changed(&me.room.id, Some(&user_id));
        Ok(())
    })
    .await
}

/// Creates a share link granting `role` (editor or viewer) to whoever opens it (owner).
#[server(prefix = "/api", endpoint = "rooms/share-links/create", input = JsonOrForm)]
pub async fn create_share_link(slug: String, role: Role) -> Result<ShareLink, AppError> {
    respond(async move {
        if role == Role::Owner {
            return Err(AppError::invalid("role", "links grant editor or viewer"));
        }
        let me = InRoom::require(&slug, Role::Owner).await?;
        let token = tokens::random_hex(16);
        let created_at = crate::ssr::db::now_ms();
        db::insert_share_link(
            me.pool(),
            &token,
            &me.room.id,
            role.as_str(),
            &me.user.id,
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
    respond(async move {
        let me = InRoom::require(&slug, Role::Owner).await?;
        Ok(db::share_links(me.pool(), &me.room.id).await?)
    })
    .await
}

/// Revokes a share link; members who joined through it stay (owner).
#[server(prefix = "/api", endpoint = "rooms/share-links/revoke", input = JsonOrForm)]
pub async fn revoke_share_link(slug: String, token: String) -> Result<(), AppError> {
    respond(async move {
        let me = InRoom::require(&slug, Role::Owner).await?;
        if !db::revoke_share_link(me.pool(), &me.room.id, &token).await? {
            return Err(AppError::not_found("share link"));
        }
        Ok(())
    })
    .await
}

json_or_form!(
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
