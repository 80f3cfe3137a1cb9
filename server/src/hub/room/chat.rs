//! The room's chat: posting (editors and owners) and paging back (everyone in the room).
//!
//! Storage never happens on the room's ordering path: messages are numbered by the room and
//! written, in order, by a writer task of the room's own, which hands each stored message back
//! for broadcast ([`Command::ChatStored`]); history pages are read by a task per request that
//! answers the connection directly. A burst of chat (or of history requests, which viewers may
//! send) therefore never delays an op's acknowledgement.

use super::{Command, ConnId, Room};
use crate::hub::store;
use app::ssr::db::{Db, now_ms};
use inkroom_core::protocol::{ChatMessage, ErrorCode, MAX_CHAT_CHARS, ServerMessage};
use tokio::sync::mpsc;

/// Messages waiting for the writer, at most; past it a message is refused ("busy").
const WRITER_QUEUE: usize = 256;

/// The room's chat writer: stores messages in order and hands them back to the room.
pub(super) struct ChatWriter {
    tx: mpsc::Sender<(ConnId, ChatMessage)>,
}

impl ChatWriter {
    /// Starts the writer of room `room_id`; it stops when the room drops it.
    pub(super) fn start(db: Db, room_id: String, room: mpsc::WeakSender<Command>) -> Self {
        let (tx, mut rx) = mpsc::channel::<(ConnId, ChatMessage)>(WRITER_QUEUE);
        tokio::spawn(async move {
            while let Some((conn, message)) = rx.recv().await {
                let stored = match store::insert_chat(&db, &room_id, &message).await {
                    Ok(()) => Command::ChatStored { message },
                    Err(e) => {
                        tracing::error!(room = %room_id, error = %e, "chat write failed");
                        Command::ChatFailed { conn }
                    }
                };
                let Some(room) = room.upgrade() else { return };
                if room.send(stored).await.is_err() {
                    return;
                }
            }
        });
        Self { tx }
    }
}

impl Room {
    /// A chat message from `conn`: numbered and handed to the writer; broadcast once stored.
    pub(super) fn chat(&mut self, conn: ConnId, text: String) {
        let Some(c) = self.conns.get(&conn) else {
            return;
        };
        let refuse = |code, message: String| {
            Self::send_reliable(c, ServerMessage::Error { code, message });
        };
        if !c.member.role.can_edit() {
            refuse(
                ErrorCode::Forbidden,
                "viewers can read the chat but not post".into(),
            );
            return;
        }
        let text = text.trim().to_owned();
        let chars = text.chars().count();
        if chars == 0 || chars > MAX_CHAT_CHARS {
            refuse(
                ErrorCode::Malformed,
                format!("chat messages are 1 to {MAX_CHAT_CHARS} characters"),
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
        match self.chat_writer.tx.try_send((conn, message)) {
            Ok(()) => self.last_chat_id += 1,
            Err(_) => refuse(
                ErrorCode::RateLimited,
                "the chat is busy: send it again in a moment".into(),
            ),
        }
    }

    /// The writer stored `message`: everyone sees it.
    pub(super) fn chat_stored(&self, message: ChatMessage) {
        self.broadcast(ServerMessage::Chat { message });
    }

    /// The writer could not store a message of `conn`'s.
    pub(super) fn chat_failed(&self, conn: ConnId) {
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

    /// Older chat messages for `conn`, newest first, read by a task of their own.
    pub(super) fn chat_history(&self, conn: ConnId, before: Option<i64>, limit: u32) {
        let Some(c) = self.conns.get(&conn) else {
            return;
        };
        let (tx, db, room_id) = (c.tx.clone(), self.db.clone(), self.id.clone());
        let limit = limit.clamp(1, 100);
        tokio::spawn(async move {
            let msg = match store::chat_page(&db, &room_id, before, limit).await {
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
                    tracing::error!(room = %room_id, error = %e, "chat history failed");
                    ServerMessage::Error {
                        code: ErrorCode::Internal,
                        message: "could not load the chat".into(),
                    }
                }
            };
            let _ = tx.try_send(super::frame(&msg));
        });
    }
}
