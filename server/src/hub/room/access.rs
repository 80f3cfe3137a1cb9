//! Access that changes while sockets are open: after a change of membership (or, as a safety
//! net, every [`RoomConfig::recheck_every`](super::RoomConfig)) the room looks up the access of
//! the users it serves again, off its ordering path, and applies the answers: a user who lost
//! access is told why and their sockets close with [`CLOSE_REVOKED`]; a user whose role changed
//! acts with the new one from their next message (a demoted editor's next `draw` is refused).

use super::{CLOSE_REVOKED, Command, ConnId, Out, Room};
use app::rooms::Role;
use app::rooms::access::access_by_id;
use inkroom_core::protocol::{ErrorCode, ServerMessage};
use std::collections::BTreeSet;

impl Room {
    /// Looks up the access of `user_id` (or of everyone connected) in a task of its own; the
    /// answers come back as [`Command::Access`].
    pub(super) fn recheck(&self, user_id: Option<String>) {
        let users: BTreeSet<String> = match user_id {
            Some(u) => std::iter::once(u)
                .filter(|u| self.conns.values().any(|c| &c.member.user_id == u))
                .collect(),
            None => self
                .conns
                .values()
                .map(|c| c.member.user_id.clone())
                .collect(),
        };
        let Some(me) = self.me.upgrade().filter(|_| !users.is_empty()) else {
            return;
        };
        let (db, room_id) = (self.db.clone(), self.id.clone());
        tokio::spawn(async move {
            for user_id in users {
                let role = match access_by_id(db.pool(), &room_id, &user_id).await {
                    Ok(access) => access.and_then(|a| a.role()),
                    Err(e) => {
                        // Unknown is not "revoked": keep the role until a lookup succeeds.
                        tracing::warn!(room = %room_id, error = %e, "access recheck failed");
                        continue;
                    }
                };
                if me.send(Command::Access { user_id, role }).await.is_err() {
                    return;
                }
            }
        });
    }

    /// `user_id` now acts with `role` (`None`: has no access).
    pub(super) fn access(&mut self, user_id: &str, role: Option<Role>) {
        let conns: Vec<ConnId> = self
            .conns
            .iter()
            .filter(|(_, c)| c.member.user_id == user_id)
            .map(|(id, _)| *id)
            .collect();
        match role {
            None => {
                for conn in conns {
                    if let Some(c) = self.conns.get(&conn) {
                        Self::send_reliable(
                            c,
                            ServerMessage::Error {
                                code: ErrorCode::Forbidden,
                                message: "you no longer have access to this room".into(),
                            },
                        );
                        let _ = c.tx.try_send(Out::Close(CLOSE_REVOKED, "access revoked"));
                    }
                    self.leave(conn);
                }
            }
            Some(role) => {
                for conn in conns {
                    let Some(c) = self.conns.get_mut(&conn) else {
                        continue;
                    };
                    if c.member.role != role {
                        c.member.role = role;
                        Self::send_reliable(
                            c,
                            ServerMessage::RoleChanged {
                                role: role.as_str().to_owned(),
                            },
                        );
                    }
                }
            }
        }
    }
}
