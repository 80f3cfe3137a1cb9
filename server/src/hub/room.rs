//! One room's actor: the only writer of its scene, its event log and its chat.
//!
//! Commands arrive on a channel from the room's connections. Accepted ops are applied to the
//! [`Authority`] at once (so the next op validates against the latest state) and queued for the
//! log. At most one write is in flight; everything accepted while it runs goes into the next
//! transaction, so batches grow with load (group commit) while a lone op is written immediately.
//! Writes go through the process-wide [`Journal`], which commits every room's waiting batch in
//! one transaction. Only when a batch is committed are its ops acknowledged to their senders and broadcast, so an
//! acknowledged change is always durable. If a write fails the room closes all its connections and
//! stops; clients reconnect, the room reloads from the log, and clients re-send what was never
//! acknowledged.

use super::journal::Journal;
use super::store::{self, LogEntry};
use app::rooms::Role;
use app::ssr::db::{Db, DbError, now_ms};
use axum::extract::ws::Utf8Bytes;
use inkroom_core::ops::Op;
use inkroom_core::protocol::{
    Activity, ChatMessage, CursorAt, ErrorCode, MAX_CHAT_CHARS, Participant, ServerMessage,
    Viewport,
};
use inkroom_core::replica::{Authority, ClientId, ClientOpId, Sequenced, Submitted};
use std::collections::{HashMap, VecDeque};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// Identifies one WebSocket connection.
pub type ConnId = u64;
/// A connection's outbound queue of serialised frames. A broadcast is serialised once and the
/// bytes shared by every recipient (cloning `Utf8Bytes` only bumps a reference count).
pub type Outbound = flume::Sender<Utf8Bytes>;

/// Serialises a message for the wire.
pub fn frame(msg: &ServerMessage) -> Utf8Bytes {
    serde_json::to_string(msg).unwrap_or_default().into()
}

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
        /// The client's id (for exactly-once).
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
    /// Write a snapshot every this many ops.
    pub snapshot_every: u64,
    /// Durable ops kept in memory for reconnect deltas.
    pub recent_ops: usize,
    /// The most ops in one transaction.
    pub max_batch: usize,
}

impl Default for RoomConfig {
    fn default() -> Self {
        Self {
            snapshot_every: 1000,
            recent_ops: 10_000,
            max_batch: 2000,
        }
    }
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

/// The most cursor moves sent in one `cursors` frame.
const MAX_CURSOR_BATCH: usize = 64;

/// The shortest time between two sends of a room's live traffic (40 per second, twice the rate
/// at which clients send cursors): cursor moves, and acks and ops made durable, that arrive
/// within it go out together, so each receiver gets one wake-up and one socket write per tick
/// rather than one per message. A room that has been quiet for a tick sends at once.
const TICK: std::time::Duration = std::time::Duration::from_millis(25);

type Write = JoinHandle<Result<Vec<(LogEntry, ConnId)>, DbError>>;

struct Room {
    id: String,
    db: Db,
    journal: Journal,
    config: RoomConfig,
    authority: Authority,
    conns: HashMap<ConnId, Conn>,
    /// The last durable sequence number.
    durable: u64,
    /// Durable ops, newest last, for deltas.
    recent: VecDeque<Sequenced>,
    /// Accepted, not yet written.
    unflushed: Vec<(LogEntry, ConnId)>,
    in_flight: Option<Write>,
    last_snapshot: u64,
    last_chat_id: i64,
    /// Cursor moves not yet sent, at most one per connection (see [`Room::queue_cursor`]).
    cursors: Vec<(ConnId, CursorAt)>,
    /// Durable ops not yet acknowledged and broadcast (see [`Room::committed`]).
    durable_out: Vec<(LogEntry, ConnId)>,
    /// When the held traffic may go out.
    due: tokio::time::Instant,
}

const PALETTE: [&str; 10] = [
    "#e03131", "#2f9e44", "#1971c2", "#f08c00", "#9c36b5", "#0c8599", "#e8590c", "#5c940d",
    "#3b5bdb", "#c2255c",
];

/// A stable colour per user.
fn color_of(user_id: &str) -> String {
    let h = user_id
        .bytes()
        .fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
    PALETTE[h as usize % PALETTE.len()].to_owned()
}

fn participant(m: &Member) -> Participant {
    Participant {
        user_id: m.user_id.clone(),
        name: m.name.clone(),
        color: color_of(&m.user_id),
        role: m.role.as_str().to_owned(),
    }
}

/// Loads a room's state and runs its actor until every sender is gone, the hub shuts down, or a
/// write fails. Pending writes are flushed before it returns.
pub async fn run(
    id: String,
    db: Db,
    journal: Journal,
    config: RoomConfig,
    rx: mpsc::Receiver<Command>,
    cancel: CancellationToken,
) -> Result<(), DbError> {
    let authority = store::load(&db, &id).await?;
    let last_chat_id = store::last_chat_id(&db, &id).await?;
    let seq = authority.seq();
    let mut room = Room {
        id,
        db,
        journal,
        config,
        authority,
        conns: HashMap::new(),
        durable: seq,
        recent: VecDeque::new(),
        unflushed: Vec::new(),
        in_flight: None,
        last_snapshot: seq,
        last_chat_id,
        cursors: Vec::new(),
        durable_out: Vec::new(),
        due: tokio::time::Instant::now(),
    };
    room.run(rx, cancel).await
}

impl Room {
    async fn run(
        &mut self,
        mut rx: mpsc::Receiver<Command>,
        cancel: CancellationToken,
    ) -> Result<(), DbError> {
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
                    Some(cmd) => self.handle(cmd).await,
                    None => break Ok(()),
                },
                () = cancel.cancelled() => break Ok(()),
            }
            if self.in_flight.is_none() && !self.unflushed.is_empty() {
                self.start_write();
            }
            if self.conns.is_empty()
                && self.in_flight.is_none()
                && self.unflushed.is_empty()
                && rx.is_empty()
            {
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

    /// Writes everything still pending (at shutdown or when idle).
    async fn flush(&mut self) -> Result<(), DbError> {
        if let Some(write) = self.in_flight.take() {
            match write.await {
                Ok(Ok(batch)) => self.committed(batch),
                Ok(Err(e)) => return Err(e),
                Err(_) => return Err(DbError::Sqlx(sqlx::Error::WorkerCrashed)),
            }
        }
        while !self.unflushed.is_empty() {
            self.start_write();
            if let Some(write) = self.in_flight.take() {
                match write.await {
                    Ok(Ok(batch)) => self.committed(batch),
                    Ok(Err(e)) => return Err(e),
                    Err(_) => return Err(DbError::Sqlx(sqlx::Error::WorkerCrashed)),
                }
            }
        }
        Ok(())
    }

    fn start_write(&mut self) {
        let n = self.unflushed.len().min(self.config.max_batch);
        let batch: Vec<_> = self.unflushed.drain(..n).collect();
        let last_seq = batch.last().map_or(self.durable, |(e, _)| e.op.seq);
        // A snapshot is only correct if the authority is exactly at the batch's end.
        let snapshot = (self.unflushed.is_empty()
            && last_seq == self.authority.seq()
            && last_seq - self.last_snapshot >= self.config.snapshot_every)
            .then(|| store::snapshot_of(&self.authority));
        if snapshot.is_some() {
            self.last_snapshot = last_seq;
        }
        let (journal, id) = (self.journal.clone(), self.id.clone());
        self.in_flight = Some(tokio::spawn(async move {
            let entries: Vec<LogEntry> = batch.iter().map(|(e, _)| e.clone()).collect();
            journal.append(id, entries, snapshot).await?;
            Ok(batch)
        }));
    }

    /// A batch is durable: it joins the deltas for reconnecting clients at once, and is
    /// acknowledged and broadcast with the room's next send (at once in a quiet room, at the
    /// next tick in a busy one).
    fn committed(&mut self, batch: Vec<(LogEntry, ConnId)>) {
        for (entry, _) in &batch {
            self.durable = entry.op.seq;
            self.recent.push_back(entry.op.clone());
            if self.recent.len() > self.config.recent_ops {
                self.recent.pop_front();
            }
        }
        self.durable_out.extend(batch);
        if tokio::time::Instant::now() >= self.due {
            self.send_held();
        }
    }

    /// Whether traffic is waiting for the tick.
    fn holding(&self) -> bool {
        !self.cursors.is_empty() || !self.durable_out.is_empty()
    }

    /// Sends everything held, and starts a new tick: each sender's acks, then the cursor moves,
    /// then every durable op since the last send in one `ops` frame. A receiver's task finds
    /// them queued together and writes them with one system call.
    fn send_held(&mut self) {
        self.due = tokio::time::Instant::now() + TICK;
        let durable = std::mem::take(&mut self.durable_out);
        for (entry, conn) in &durable {
            if let Some(c) = self.conns.get(conn) {
                let ack = ServerMessage::Ack {
                    client_op: entry.op.client_op,
                    seq: entry.op.seq,
                };
                Self::send_reliable(c, ack);
            }
        }
        self.send_cursors();
        if !durable.is_empty() {
            let ops = durable.into_iter().map(|(entry, _)| entry.op).collect();
            self.broadcast(ServerMessage::Ops { ops });
            self.drop_slow();
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

    /// Holds a cursor move for the room's next send (see [`TICK`]): a move into a quiet room
    /// goes out at once, while in a busy one the moves of a tick share a frame. A batch carries
    /// at most one move per connection (a second move from the same connection sends what is
    /// held first, so none is lost to a later one).
    fn queue_cursor(&mut self, conn: ConnId, at: CursorAt) {
        if self.cursors.iter().any(|(c, _)| *c == conn) {
            self.send_held();
        }
        self.cursors.push((conn, at));
        let everyone = self.cursors.len() >= self.conns.len().min(MAX_CURSOR_BATCH);
        if everyone || tokio::time::Instant::now() >= self.due {
            self.send_held();
        }
    }

    /// Sends the held cursor moves (part of [`Room::send_held`]): a lone move as `cursor` to
    /// everyone but its sender, several as one shared `cursors` frame to everyone (clients skip
    /// their own entries), which costs one serialisation and one queue push per receiver instead
    /// of one per move.
    fn send_cursors(&mut self) {
        let mut batch = std::mem::take(&mut self.cursors);
        match batch.len() {
            0 => {}
            1 => {
                let (from, at) = batch.pop().expect("one");
                let msg = ServerMessage::Cursor {
                    user_id: at.user_id,
                    x: at.x,
                    y: at.y,
                };
                self.relay(from, msg);
            }
            _ => {
                let cursors = batch.drain(..).map(|(_, at)| at).collect();
                self.broadcast(ServerMessage::Cursors { cursors });
                // Keep the allocation for the next batch.
                self.cursors = batch;
            }
        }
    }

    /// Tells `user_id`'s connections who follows them now.
    fn announce_followers(&self, user_id: &str) {
        let followers: std::collections::BTreeSet<&str> = self
            .conns
            .values()
            .filter(|c| c.following.as_deref() == Some(user_id))
            .map(|c| c.member.user_id.as_str())
            .collect();
        let msg = ServerMessage::Followers {
            user_ids: followers.into_iter().map(str::to_owned).collect(),
        };
        let f = frame(&msg);
        for c in self.conns.values().filter(|c| c.member.user_id == user_id) {
            let _ = c.tx.try_send(f.clone());
        }
    }

    fn follow(&mut self, conn: ConnId, target: Option<String>) {
        let Some(c) = self.conns.get(&conn) else {
            return;
        };
        if let Some(t) = &target {
            let present = self.conns.values().any(|o| &o.member.user_id == t);
            if !present || *t == c.member.user_id {
                Self::send_reliable(
                    c,
                    ServerMessage::Error {
                        code: ErrorCode::Malformed,
                        message: "follow someone else who is in this room".into(),
                    },
                );
                return;
            }
        }
        let latest = target.as_ref().and_then(|t| {
            self.conns
                .values()
                .filter(|o| &o.member.user_id == t)
                .find_map(|o| o.viewport)
        });
        let Some(c) = self.conns.get_mut(&conn) else {
            return;
        };
        let before = std::mem::replace(&mut c.following, target.clone());
        if let (Some(t), Some(view)) = (&target, latest) {
            let _ = c.tx.try_send(frame(&ServerMessage::Viewport {
                user_id: t.clone(),
                view,
            }));
        }
        if before != target {
            for user in before.iter().chain(target.iter()) {
                self.announce_followers(user);
            }
        }
    }

    fn viewport(&mut self, conn: ConnId, view: Viewport) {
        let Some(c) = self.conns.get_mut(&conn) else {
            return;
        };
        if !view.is_valid() {
            Self::send_reliable(
                c,
                ServerMessage::Error {
                    code: ErrorCode::Malformed,
                    message: "a viewport must be finite with a positive size".into(),
                },
            );
            return;
        }
        c.viewport = Some(view);
        let user_id = c.member.user_id.clone();
        let mut f = None;
        for other in self.conns.values() {
            if other.following.as_deref() == Some(user_id.as_str()) {
                let f = f.get_or_insert_with(|| {
                    frame(&ServerMessage::Viewport {
                        user_id: user_id.clone(),
                        view,
                    })
                });
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

    fn participants(&self) -> Vec<Participant> {
        let mut seen = std::collections::BTreeMap::new();
        for c in self.conns.values() {
            seen.entry(c.member.user_id.clone())
                .or_insert_with(|| participant(&c.member));
        }
        seen.into_values().collect()
    }

    fn user_count(&self) -> usize {
        self.participants().len()
    }

    fn leave(&mut self, conn: ConnId) {
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

    async fn handle(&mut self, cmd: Command) {
        match cmd {
            Command::Join {
                conn,
                member,
                client,
                last_seq,
                tx,
            } => {
                let newcomer = !self
                    .conns
                    .values()
                    .any(|c| c.member.user_id == member.user_id);
                if newcomer {
                    self.broadcast(ServerMessage::ParticipantJoined {
                        participant: participant(&member),
                    });
                }
                let you = participant(&member);
                let c = Conn {
                    member,
                    client,
                    tx,
                    following: None,
                    viewport: None,
                };
                let first_recent = self.recent.front().map_or(self.durable + 1, |s| s.seq);
                match last_seq {
                    Some(have) if have <= self.durable && have + 1 >= first_recent => {
                        let ops: Vec<Sequenced> = self
                            .recent
                            .iter()
                            .filter(|s| s.seq > have)
                            .cloned()
                            .collect();
                        Self::send_reliable(&c, ServerMessage::Ops { ops });
                        for p in self.participants() {
                            Self::send_reliable(
                                &c,
                                ServerMessage::ParticipantJoined { participant: p },
                            );
                        }
                    }
                    _ => {
                        let mut participants = self.participants();
                        if newcomer {
                            participants.push(you.clone());
                        }
                        Self::send_reliable(
                            &c,
                            ServerMessage::RoomState {
                                seq: self.authority.seq(),
                                elements: self.authority.scene().iter().cloned().collect(),
                                participants,
                                you,
                                applied: self.authority.applied_for(client),
                            },
                        );
                    }
                }
                self.conns.insert(conn, c);
            }
            Command::Leave { conn } => self.leave(conn),
            Command::Op {
                conn,
                client_op,
                op,
            } => {
                let Some(c) = self.conns.get(&conn) else {
                    return;
                };
                if !c.member.role.can_edit() {
                    Self::send_reliable(
                        c,
                        ServerMessage::Rejected {
                            client_op,
                            code: ErrorCode::Forbidden,
                            message: "viewers cannot change the board".into(),
                        },
                    );
                    return;
                }
                match self.authority.submit(c.client, client_op, *op, now_ms()) {
                    Ok(Submitted::Accepted(s)) => {
                        let entry = LogEntry {
                            op: *s,
                            user_id: c.member.user_id.clone(),
                        };
                        self.unflushed.push((entry, conn));
                    }
                    // Applied before the client reconnected; its rejoin delta carries it.
                    Ok(Submitted::Duplicate) => {}
                    Err(e) => {
                        Self::send_reliable(
                            c,
                            ServerMessage::Rejected {
                                client_op,
                                code: ErrorCode::InvalidOp,
                                message: e.to_string(),
                            },
                        );
                    }
                }
            }
            Command::Cursor { conn, x, y } => {
                let Some(c) = self.conns.get(&conn) else {
                    return;
                };
                if !(x.is_finite() && y.is_finite()) {
                    return;
                }
                let at = CursorAt {
                    user_id: c.member.user_id.clone(),
                    x,
                    y,
                };
                self.queue_cursor(conn, at);
            }
            Command::Viewport { conn, view } => self.viewport(conn, view),
            Command::Follow { conn, user_id } => self.follow(conn, user_id),
            Command::Activity { conn, activity } => {
                let Some(c) = self.conns.get(&conn) else {
                    return;
                };
                let msg = ServerMessage::UserActivity {
                    user_id: c.member.user_id.clone(),
                    activity,
                };
                self.relay(conn, msg);
            }
            Command::Count { conn } => {
                if let Some(c) = self.conns.get(&conn) {
                    Self::send_reliable(
                        c,
                        ServerMessage::ParticipantCount {
                            count: self.user_count(),
                        },
                    );
                }
            }
            Command::Chat { conn, text } => self.chat(conn, text).await,
            Command::Scene { reply } => {
                // Includes accepted ops still being written: they are applied, and will be
                // durable or the room restarts and the export was of a state clients saw.
                let _ = reply.send(self.authority.scene().clone());
            }
            Command::ChatHistory {
                conn,
                before,
                limit,
            } => {
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
    }

    async fn chat(&mut self, conn: ConnId, text: String) {
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
}
