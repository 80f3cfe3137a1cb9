//! The room's chat: posting (editors and owners) and paging back (everyone in the room).

use super::{ConnId, Room};
use crate::hub::store;
use app::ssr::db::now_ms;
use inkroom_core::protocol::{ChatMessage, ErrorCode, MAX_CHAT_CHARS, ServerMessage};

impl Room {
    /// A chat message from `conn`: stored, then broadcast.
    pub(super) async fn chat(&mut self, conn: ConnId, text: String) {
        let Some(c) = self.conns.get(&conn) else {
            return;
        };
        if !c.member.role.can_edit() {
            Self::send_reliable(
                c,
                ServerMessage::Error {
                    code: ErrorCode::Forbidden,
                    message: "viewers can read the chat but not post".into(),
                },
            );
            return;
        }
        let text = text.trim().to_owned();
        let chars = text.chars().count();
        if chars == 0 || chars > MAX_CHAT_CHARS {
            Self::send_reliable(
                c,
                ServerMessage::Error {
                    code: ErrorCode::Malformed,
                    message: format!("chat messages are 1 to {MAX_CHAT_CHARS} characters"),
                },
            );
            return;
        }
        let message = ChatMessage {
            id: self.last_chat_id + 1,
            user_id: c.member.user_id.clone(),
            name: c.member.name.clone(),
            text,
            at_ms: now_ms(),
        };
        match store::insert_chat(&self.db, &self.id, &message).await {
            Ok(()) => {
                self.last_chat_id = message.id;
                self.broadcast(ServerMessage::Chat { message });
            }
            Err(e) => {
                tracing::error!(room = %self.id, error = %e, "chat write failed");
                if let Some(c) = self.conns.get(&conn) {
                    Self::send_reliable(
                        c,
                        ServerMessage::Error {
                            code: ErrorCode::Internal,
                            message: "the message could not be saved".into(),
                        },
                    );
                }
            }
        }
    }

    /// Older chat messages for `conn`, newest first.
    pub(super) async fn chat_history(
        &mut self,
        conn: super::ConnId,
        before: Option<i64>,
        limit: u32,
    ) {
        let Some(c) = self.conns.get(&conn) else {
            return;
        };
        let limit = limit.clamp(1, 100);
        let msg = match store::chat_page(&self.db, &self.id, before, limit).await {
            Ok(messages) => {
                let next_before = (messages.len() == limit as usize)
                    .then(|| messages.last().map(|m| m.id))
                    .flatten();
                ServerMessage::ChatHistory {
                    messages,
                    next_before,
                }
            }
            Err(e) => {
                tracing::error!(room = %self.id, error = %e, "chat history failed");
                ServerMessage::Error {
                    code: ErrorCode::Internal,
                    message: "could not load the chat".into(),
                }
            }
        };
        Self::send_reliable(c, msg);
    }
}
