//! One room's actor: the only writer of its scene, its event log and its chat.
//!
//! This module holds the actor's state, its loop and who is connected ([`Command`] in, joins and
//! leaves, fan-out); `ordering` applies, logs, acknowledges and broadcasts ops, `presence`
//! relays cursors, viewports, follows and activities, and `chat` stores and pages the chat.
//!
//! Commands arrive on a channel from the room's connections. Ops go through the core's
//! [`Sequencer`] (applied at once, written in batches, acknowledged and broadcast only once
//! durable; the same logic the deterministic simulator runs). Writes go through the
//! process-wide [`Journal`], which commits every room's waiting batch in one transaction. If a
//! write fails the room closes all its connections and stops; clients reconnect, the room
//! reloads from the log, and clients re-send what was never acknowledged.

mod access;
mod chat;
mod ordering;
mod presence;

use super::journal::Journal;
use super::store;
use app::rooms::Role;
use app::ssr::db::{Db, DbError};
use axum::extract::ws::Utf8Bytes;
use inkroom_core::ops::Op;
use inkroom_core::protocol::{Activity, ChatMessage, ErrorCode, ServerMessage, Viewport};
use inkroom_core::replica::{ClientId, ClientOpId, Sequenced};
use inkroom_core::sequencer::{Catchup, Sequencer, SequencerConfig};
use ordering::Write;
use presence::participant;
use std::collections::HashMap;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// Identifies one WebSocket connection.
pub type ConnId = u64;
/// What a room queues for a connection: a serialised frame, or the order to close.
#[derive(Clone, Debug)]
pub enum Out {
    /// A frame. A broadcast is serialised once and the bytes shared by every recipient (cloning
    /// `Utf8Bytes` only bumps a reference count).
    Frame(Utf8Bytes),
    /// Close the socket with this code and reason (after the frames queued before it).
    Close(u16, &'static str),
}

/// A connection's bounded outbound queue.
pub type Outbound = flume::Sender<Out>;

/// Serialises a message for the wire.
pub fn frame(msg: &ServerMessage) -> Out {
    Out::Frame(serde_json::to_string(msg).unwrap_or_default().into())
}

/// The close code of a connection whose access to its room was revoked (kicked, left in
/// another tab, the room deleted).
pub const CLOSE_REVOKED: u16 = 4003;

/// Who a connection belongs to.
#[derive(Clone, Debug)]
pub struct Member {
    /// The user's id.
    pub user_id: String,
    /// Their display name.
    pub name: String,
    /// Their role in this room.
    pub role: Role,
}

/// A request to the room actor.
#[derive(Debug)]
pub enum Command {
    /// A connection enters the room.
    Join {
        /// The connection.
        conn: ConnId,
        /// Whose it is.
        member: Member,
        /// The server's id for the client's ops (derived from the user and the id the client
        /// chose; for exactly-once).
        client: ClientId,
        /// The last sequence number the client has.
        last_seq: Option<u64>,
        /// Where to send its messages.
        tx: Outbound,
    },
    /// The connection closed.
    Leave {
        /// The connection.
        conn: ConnId,
    },
    /// A scene op.
    Op {
        /// The connection.
        conn: ConnId,
        /// The client's number for it.
        client_op: ClientOpId,
        /// The op (boxed: an op carrying a whole element is far larger than other commands).
        op: Box<Op>,
    },
    /// A cursor move.
    Cursor {
        /// The connection.
        conn: ConnId,
        /// World x.
        x: f64,
        /// World y.
        y: f64,
        /// The laser pointer is on.
        laser: bool,
    },
    /// The part of the board the connection shows.
    Viewport {
        /// The connection.
        conn: ConnId,
        /// What it shows.
        view: Viewport,
    },
    /// Follow a user's viewport, or stop (`None`).
    Follow {
        /// The connection.
        conn: ConnId,
        /// Whom.
        user_id: Option<String>,
    },
    /// An activity change.
    Activity {
        /// The connection.
        conn: ConnId,
        /// The activity.
        activity: Activity,
    },
    /// A participant-count request.
    Count {
        /// The connection.
        conn: ConnId,
    },
    /// A chat message.
    Chat {
        /// The connection.
        conn: ConnId,
        /// The text.
        text: String,
    },
    /// A copy of the current scene (for export), answered on `reply`.
    Scene {
        /// Where to send it.
        reply: tokio::sync::oneshot::Sender<inkroom_core::scene::Scene>,
    },
    /// Someone's access to the room changed (`None`: possibly everyone's): look it up again.
    Recheck {
        /// Whose.
        user_id: Option<String>,
    },
    /// A chat message is stored (from the room's chat writer): broadcast it.
    ChatStored {
        /// The message.
        message: ChatMessage,
    },
    /// A chat message of `conn`'s could not be stored.
    ChatFailed {
        /// Whose.
        conn: ConnId,
    },
    /// The result of a recheck: `user_id` now acts with `role` (`None`: no access).
    Access {
        /// Whose.
        user_id: String,
        /// Their role now.
        role: Option<Role>,
    },
    /// A chat-history request.
    ChatHistory {
        /// The connection.
        conn: ConnId,
        /// Before this id.
        before: Option<i64>,
        /// How many.
        limit: u32,
    },
}

/// Tuning of a room.
#[derive(Clone, Copy, Debug)]
pub struct RoomConfig {
    /// Its ordering and durability pipeline.
    pub pipeline: SequencerConfig,
    /// How often every connection's access is looked up again, besides at every change of
    /// membership (a safety net should a notification be lost).
    pub recheck_every: std::time::Duration,
    /// Live elements a board may hold.
    pub max_elements: usize,
    /// Estimated bytes a board's elements may take.
    pub max_bytes: usize,
}

impl Default for RoomConfig {
    fn default() -> Self {
        Self {
            pipeline: SequencerConfig::default(),
            recheck_every: std::time::Duration::from_secs(60),
            max_elements: 100_000,
            max_bytes: 64 << 20,
        }
    }
}

/// What a room remembers about the sender of an op until it is durable: whom to acknowledge,
/// and whose op to log.
#[derive(Clone, Debug)]
pub struct Sender {
    /// The connection it came from.
    pub conn: ConnId,
    /// The user who sent it.
    pub user_id: String,
}

struct Conn {
    member: Member,
    client: ClientId,
    tx: Outbound,
    /// The user whose viewport this connection follows.
    following: Option<String>,
    /// The last viewport this connection reported.
    viewport: Option<Viewport>,
}

/// The actor's state.
struct Room {
    id: String,
    db: Db,
    journal: Journal,
    /// The room's own channel, for the answers of work it hands to other tasks.
    me: mpsc::WeakSender<Command>,
    /// The room's tuning (quotas among it).
    config: RoomConfig,
    /// Ordering and durability: the scene, the ops waiting to be written, the recent ones.
    seq: Sequencer<Sender, ConnId>,
    conns: HashMap<ConnId, Conn>,
    /// The batch being written.
    in_flight: Option<Write>,
    last_chat_id: i64,
    /// Stores chat messages off the ordering path.
    chat_writer: chat::ChatWriter,
    /// Cursor moves not yet sent, at most one per connection (see [`Room::queue_cursor`]).
    cursors: Vec<(ConnId, inkroom_core::protocol::CursorAt)>,
    /// Durable ops not yet acknowledged and broadcast (see [`Room::committed`]).
    durable_out: Vec<(Sequenced, Sender)>,
    /// When the held traffic may go out.
    due: tokio::time::Instant,
}

/// Loads a room's state and runs its actor until every sender is gone, the hub shuts down, or a
/// write fails. Pending writes are flushed before it returns.
pub async fn run(
    id: String,
    db: Db,
    journal: Journal,
    config: RoomConfig,
    (me, rx): (mpsc::WeakSender<Command>, mpsc::Receiver<Command>),
    cancel: CancellationToken,
) -> Result<(), DbError> {
    let restored = store::load(&db, &id).await?;
    let last_chat_id = store::last_chat_id(&db, &id).await?;
    let chat_writer = chat::ChatWriter::start(db.clone(), id.clone(), me.clone());
    let mut room = Room {
        id,
        db,
        journal,
        me,
        config,
        // The server's own repair ops have no connection to answer (connection ids start at 1)
        // and are logged without a user.
        seq: Sequencer::new(
            restored,
            config.pipeline,
            Sender {
                conn: 0,
                user_id: String::new(),
            },
        ),
        conns: HashMap::new(),
        in_flight: None,
        chat_writer,
        last_chat_id,
        cursors: Vec::new(),
        durable_out: Vec::new(),
        due: tokio::time::Instant::now(),
    };
    room.run(rx, cancel, config.recheck_every).await
}

impl Room {
    async fn run(
        &mut self,
        mut rx: mpsc::Receiver<Command>,
        cancel: CancellationToken,
        recheck_every: std::time::Duration,
    ) -> Result<(), DbError> {
        let mut recheck = tokio::time::interval(recheck_every);
        recheck.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        recheck.reset(); // the first check is due a period after loading, not at once
        let result = loop {
            tokio::select! {
                biased;
                done = async { self.in_flight.as_mut().expect("guarded").await }, if self.in_flight.is_some() => {
                    self.in_flight = None;
                    match done {
                        Ok(Ok(batch)) => self.committed(batch),
                        Ok(Err(e)) => break Err(e),
                        Err(join) => break Err(DbError::Sqlx(sqlx::Error::WorkerCrashed)).inspect_err(|_| {
                            tracing::error!(error = %join, "log writer panicked");
                        }),
                    }
                }
                () = tokio::time::sleep_until(self.due), if self.holding() => {
                    self.send_held();
                }
                cmd = rx.recv() => match cmd {
                    Some(cmd) => self.handle(cmd),
                    None => break Ok(()),
                },
                () = cancel.cancelled() => break Ok(()),
                _ = recheck.tick() => self.recheck(None),
            }
            if self.in_flight.is_none() {
                self.start_write();
            }
            if self.conns.is_empty() && !self.seq.is_pending() && rx.is_empty() {
                break Ok(()); // idle: free the memory; the next join reloads from the log
            }
        };
        match result {
            Ok(()) => {
                let flushed = self.flush().await;
                self.send_held();
                flushed
            }
            Err(e) => {
                tracing::error!(room = %self.id, error = %e, "room log write failed; closing the room");
                self.broadcast(ServerMessage::Error {
                    code: ErrorCode::Internal,
                    message: "the room had to restart; reconnecting will restore it".into(),
                });
                // Dropping the queues closes every connection; unacknowledged ops are re-sent.
                self.conns.clear();
                Err(e)
            }
        }
    }

    fn handle(&mut self, cmd: Command) {
        match cmd {
            Command::Join {
                conn,
                member,
                client,
                last_seq,
                tx,
            } => self.join(conn, member, client, last_seq, tx),
            Command::Leave { conn } => self.leave(conn),
            Command::Op {
                conn,
                client_op,
                op,
            } => self.op(conn, client_op, *op),
            Command::Cursor { conn, x, y, laser } => self.cursor(conn, x, y, laser),
            Command::Viewport { conn, view } => self.viewport(conn, view),
            Command::Follow { conn, user_id } => self.follow(conn, user_id),
            Command::Activity { conn, activity } => self.activity(conn, activity),
            Command::Count { conn } => self.count(conn),
            Command::Chat { conn, text } => self.chat(conn, text),
            Command::ChatStored { message } => self.chat_stored(message),
            Command::ChatFailed { conn } => self.chat_failed(conn),
            Command::Scene { reply } => {
                // Includes accepted ops still being written: they are applied, and will be
                // durable or the room restarts and the export was of a state clients saw.
                let _ = reply.send(self.seq.authority().scene().clone());
            }
            Command::ChatHistory {
                conn,
                before,
                limit,
            } => self.chat_history(conn, before, limit),
            Command::Recheck { user_id } => self.recheck(user_id),
            Command::Access { user_id, role } => self.access(&user_id, role),
        }
    }

    /// A connection enters: everyone learns of a newcomer, and the connection gets what it
    /// lacks (the ops after its `last_seq` when the room still has them, else the whole scene).
    fn join(
        &mut self,
        conn: ConnId,
        member: Member,
        client: ClientId,
        last_seq: Option<u64>,
        tx: Outbound,
    ) {
        let newcomer = !self
            .conns
            .values()
            .any(|c| c.member.user_id == member.user_id);
        if newcomer {
            self.broadcast(ServerMessage::ParticipantJoined {
                participant: participant(&member),
            });
        }
        let c = Conn {
            member,
            client,
            tx,
            following: None,
            viewport: None,
        };
        Self::send_reliable(&c, ServerMessage::Joined { client });
        self.conns.insert(conn, c);
        // A scene with ops not yet durable is held until they are (see the sequencer): it then
        // goes out from `committed`.
        if let Some(answer) = self.seq.join(conn, client, last_seq) {
            self.answer_join(conn, answer);
        }
    }

    /// Sends a joined connection what it needs to catch up: the ops it missed and who is here,
    /// or the whole scene with everyone in it.
    fn answer_join(&self, conn: ConnId, answer: Catchup) {
        let Some(c) = self.conns.get(&conn) else {
            return;
        };
        match answer {
            Catchup::Delta(ops) => {
                Self::send_reliable(c, ServerMessage::Ops { ops });
                for p in self.participants() {
                    Self::send_reliable(c, ServerMessage::ParticipantJoined { participant: p });
                }
            }
            Catchup::Full {
                seq,
                elements,
                applied,
            } => {
                let msg = ServerMessage::RoomState {
                    seq,
                    elements,
                    participants: self.participants(),
                    you: participant(&c.member),
                    applied,
                };
                Self::send_reliable(c, msg);
            }
        }
    }

    fn leave(&mut self, conn: ConnId) {
        self.seq.leave(&conn);
        // A move it sent but the room has not forwarded yet still goes out.
        if self.cursors.iter().any(|(c, _)| *c == conn) {
            self.send_held();
        }
        if let Some(c) = self.conns.remove(&conn) {
            let still_here = self
                .conns
                .values()
                .any(|o| o.member.user_id == c.member.user_id);
            if !still_here {
                // Nobody can follow someone who is gone; their followers see them leave.
                for o in self.conns.values_mut() {
                    if o.following.as_deref() == Some(c.member.user_id.as_str()) {
                        o.following = None;
                    }
                }
                self.broadcast(ServerMessage::ParticipantLeft {
                    user_id: c.member.user_id,
                });
            }
            if let Some(followed) = c.following {
                self.announce_followers(&followed);
            }
        }
    }

    /// Queues a message that must arrive; a connection whose queue is full is too slow and is
    /// closed (it reconnects and catches up with a delta) instead of slowing the room.
    fn send_reliable(conn: &Conn, msg: ServerMessage) -> bool {
        conn.tx.try_send(frame(&msg)).is_ok()
    }

    fn broadcast(&self, msg: ServerMessage) {
        let f = frame(&msg);
        for c in self.conns.values() {
            let _ = c.tx.try_send(f.clone());
        }
    }

    /// Sends a disposable message (cursor, activity) to everyone but `from`; a full queue drops
    /// it (the next one supersedes it) rather than queueing or closing.
    fn relay(&self, from: ConnId, msg: ServerMessage) {
        let f = frame(&msg);
        for (id, other) in &self.conns {
            if *id != from {
                let _ = other.tx.try_send(f.clone());
            }
        }
    }

    /// Closes connections whose queues overflowed (their sender sees the channel close after
    /// draining what was queued, then asks the client to resync).
    fn drop_slow(&mut self) {
        let slow: Vec<ConnId> = self
            .conns
            .iter()
            .filter(|(_, c)| c.tx.is_full())
            .map(|(id, _)| *id)
            .collect();
        for id in slow {
            tracing::info!(room = %self.id, conn = id, "closing a connection that fell behind");
            self.leave(id);
        }
    }
}
