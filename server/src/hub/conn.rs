//! One WebSocket connection: authentication at the upgrade, then one task that decodes incoming
//! frames and hands them to its room, drains the outbound queue the room fills, and pings. What a
//! member may do is decided by the room, once, when it handles the message.

use super::rate::Bucket;
use super::room::{Command, ConnId, Member, Out};
use super::{Hub, HubConfig, Pulse};
use crate::state::AppState;
use app::error::AppError;
use app::rooms::access::access;
use app::ssr::db::Db;
use app::ssr::identity;
use app::ssr::tokens::Audience;
use axum::extract::ws::{CloseFrame, Message, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::{SinkExt, StreamExt};
use inkroom_core::protocol::{ClientMessage, ErrorCode, MAX_FRAME_BYTES, ServerMessage};
use std::sync::Arc;
use tokio::sync::{OwnedSemaphorePermit, mpsc, watch};
use tokio::time::Instant;
use tower_sessions::Session;

/// Frames above this size close the connection (abuse); frames between [`MAX_FRAME_BYTES`] and this
/// get a `too_large` error and are ignored.
const HARD_FRAME_LIMIT: usize = 4 * MAX_FRAME_BYTES;
/// Bad frames in a row before the connection is closed.
const MAX_STRIKES: u32 = 20;
/// Client ids travel as JSON numbers; above 2^53 JavaScript loses precision.
const MAX_CLIENT_ID: u64 = 1 << 53;

/// `GET /ws?ticket=…` query.
#[derive(Debug, serde::Deserialize)]
pub struct WsQuery {
    /// A short-lived ticket from `/api/auth/ws-ticket` (for clients without the session cookie).
    ticket: Option<String>,
}

/// `GET /ws`: upgrades signed-in users (cookie session, bearer token or ticket) to a WebSocket.
pub async fn ws_handler(
    State(state): State<AppState>,
    Query(q): Query<WsQuery>,
    headers: HeaderMap,
    session: Session,
    ws: WebSocketUpgrade,
) -> Response {
    let claimed = match q.ticket {
        Some(ticket) => Ok(state
            .server
            .tokens
            .verify(&ticket, Audience::WebSocket)
            .map(|c| identity::Claimed {
                token_epoch: Some(c.epoch),
                user_id: c.sub,
            })),
        None => identity::claimed(&state.server.tokens, &headers, &session).await,
    };
    let user = match claimed {
        Ok(claimed) => identity::resolve(&state.db, claimed).await,
        Err(e) => Err(e),
    };
    let user = match user {
        Ok(Some(u)) => u,
        Ok(None) | Err(AppError::Unauthorized) => {
            return (StatusCode::UNAUTHORIZED, "sign in first").into_response();
        }
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    let Some(slot) = state.hub.try_connect() else {
        return (StatusCode::SERVICE_UNAVAILABLE, "too many connections").into_response();
    };
    let (hub, db) = (state.hub.clone(), state.db.clone());
    // Only what the connection needs for its whole life (not the whole user row).
    let who = Who {
        id: user.id,
        name: user.display_name,
    };
    // Small per-socket buffers: the defaults (128 KiB each way) cost far more than the messages
    // need and dominate the memory of idle connections; reads grow as needed up to the limits.
    // Writes collect up to WRITE_BATCH_BYTES of queued frames before one system call.
    ws.read_buffer_size(512)
        .write_buffer_size(WRITE_BATCH_BYTES)
        .max_message_size(HARD_FRAME_LIMIT)
        .max_frame_size(HARD_FRAME_LIMIT)
        .on_upgrade(move |socket| serve(socket, hub, db, who, slot))
}

/// What a connection reads frames from and writes frames to.
pub trait Socket:
    futures_util::Stream<Item = Result<Message, axum::Error>>
    + futures_util::Sink<Message, Error = axum::Error>
    + Unpin
    + Send
    + 'static
{
}

impl<T> Socket for T where
    T: futures_util::Stream<Item = Result<Message, axum::Error>>
        + futures_util::Sink<Message, Error = axum::Error>
        + Unpin
        + Send
        + 'static
{
}

/// The user behind a connection.
struct Who {
    id: String,
    name: String,
}

/// What an incoming frame asks this connection to do, decided without waiting for anything (so
/// the large parsed message never lives in the connection task's state across an await).
enum Inbound {
    /// Nothing more (a control frame, or an error already queued for the client).
    Nothing,
    /// Close the connection.
    Close,
    /// Enter a room.
    Join(JoinRequest),
    /// Pass this to the room.
    Room(Command),
    /// Pass this scene change to the room after `wait_ms`: the sender is over its rate.
    Slowed(Command, u32),
}

/// What one connection may still send ([`HubConfig`](super::HubConfig)'s rates).
struct Allowance {
    ops: Bucket,
    chat: Bucket,
    presence: Bucket,
    /// Whether the sender was told it is being slowed down.
    warned: bool,
}

/// Bytes of frames gathered before a write to the socket (flushes happen sooner when the
/// queue is empty).
const WRITE_BATCH_BYTES: usize = 8 * 1024;

/// Frames written per flush at most, so one busy connection cannot monopolise its task.
const MAX_FRAMES_PER_FLUSH: usize = 64;

/// A `join_room` request, validated but not yet authorised.
struct JoinRequest {
    room: String,
    client: u64,
    last_seq: Option<u64>,
}

/// How a join request ended.
enum Joined {
    /// In the room whose actor listens on this channel.
    In(mpsc::Sender<Command>),
    /// No such room, or the user may not enter it.
    Refused,
    /// The room could not take the connection (or it already joined): close it.
    Gone,
}

/// Authorises `request` and hands the connection to the room. The room keeps the identity from
/// then on (one copy per connection, not two) and the outbound queue's sender: this task never
/// joins again.
async fn join(
    hub: &Hub,
    db: &Db,
    who: &mut Who,
    local: &mut Option<flume::Sender<Out>>,
    conn: ConnId,
    request: JoinRequest,
) -> Joined {
    let allowed = access(db.pool(), &request.room, Some(&who.id))
        .await
        .inspect_err(|e| tracing::error!(error = %e, "websocket access lookup failed"))
        .ok()
        .flatten()
        .and_then(|a| Some((a.room.id.clone(), a.role()?)));
    let Some((room_id, role)) = allowed else {
        return Joined::Refused;
    };
    let Some(tx) = local.take() else {
        return Joined::Gone;
    };
    // The id this client's ops are filed under is derived from who is asking (see ClientIds).
    let client = hub.client_id(&who.id, request.client);
    let member = Member {
        user_id: std::mem::take(&mut who.id),
        name: std::mem::take(&mut who.name),
        role,
    };
    let join = Command::Join {
        conn,
        member,
        client,
        last_seq: request.last_seq,
        tx,
    };
    match enter(hub, &room_id, join).await {
        Some(room) => Joined::In(room),
        None => Joined::Gone,
    }
}

/// Serves one upgraded connection until it closes.
///
/// A plain `fn` returning an `async move` block rather than an `async fn`: an `async fn`'s
/// future keeps its arguments twice (as captured and as moved-in locals; rust-lang/rust#62958),
/// and this future is most of an idle connection's memory (its task: 2,048 → 1,536 bytes).
///
/// Generic over the socket (axum's `WebSocket` in the server) so that tests can drive the
/// connection through an in-memory one with a paused clock.
#[allow(clippy::manual_async_fn)]
fn serve<S: Socket>(
    mut socket: S,
    hub: Arc<Hub>,
    db: Db,
    mut who: Who,
    slot: OwnedSemaphorePermit,
) -> impl Future<Output = ()> + Send {
    async move {
        let conn = hub.next_conn_id();
        let (tx, rx) = flume::bounded::<Out>(hub.config().outbound_queue);
        let heartbeat = hub.config().heartbeat;
        let pulse = hub.pulse();
        let mut last_seen = Instant::now();

        // One task reads, writes and pings (a second task per connection would double its memory
        // and wake-ups). Before joining, this task holds the only sender of its outbound queue;
        // after joining, the room holds it and this task keeps a weak one, so the queue closes when
        // the room lets go of the connection.
        let mut local = Some(tx);
        let weak = local.as_ref().map(|t| t.downgrade()).expect("just created");
        let reply = |msg: ServerMessage| {
            if let Some(tx) = weak.upgrade() {
                let _ = tx.try_send(super::room::frame(&msg));
            }
        };
        let mut joined: Option<mpsc::Sender<Command>> = None;
        let mut strikes = 0u32;
        let started = Instant::now();
        let config = hub.config();
        let mut allowance = Allowance {
            ops: Bucket::full(config.ops, 0),
            chat: Bucket::full(config.chat, 0),
            presence: Bucket::full(config.presence, 0),
            warned: false,
        };
        // Shutdown began before this connection subscribed: `changed` would never fire.
        let stopping = *pulse.borrow() == Pulse::Stop;
        if stopping {
            let _ = socket.send(close(1012, "server restarting")).await;
            return;
        }

        // The queue and the heartbeat are waited on by futures that live across iterations (a
        // fresh future per iteration registered and dropped a waiter every time: measurable at
        // 100,000 frames a second).
        let mut queue = rx.stream();
        let beat = next_pulse(pulse);
        tokio::pin!(beat);
        loop {
            // Unbiased: under a steady stream of outbound frames reads still get their turn.
            let frame = tokio::select! {
                queued = queue.next() => {
                    // The room let go of us without a word: we fell too far behind (or it
                    // restarted).
                    let (code, reason) = (4000, "resync required: reconnect with last_seq");
                    let closing = match queued {
                        Some(out) => match write_queued(&mut socket, &rx, out).await {
                            Ok(None) => continue,
                            Ok(Some(close)) => close,
                            Err(_) => break,
                        },
                        None => (code, reason),
                    };
                    let _ = socket.send(close(closing.0, closing.1)).await;
                    break;
                }
                f = socket.next() => f,
                (now, pulse) = &mut beat => {
                    beat.set(next_pulse(pulse));
                    if now == Pulse::Stop {
                        let _ = socket.send(close(1012, "server restarting")).await;
                        break;
                    }
                    if last_seen.elapsed() > 2 * heartbeat {
                        let _ = socket.send(close(1001, "heartbeat timeout")).await;
                        break;
                    }
                    if socket.send(Message::Ping(Vec::new().into())).await.is_err() {
                        break;
                    }
                    continue;
                }
            };
            let Some(Ok(frame)) = frame else { break };
            last_seen = Instant::now();
            let now_ms = u32::try_from(started.elapsed().as_millis()).unwrap_or(u32::MAX);
            let decided = inbound(
                frame,
                joined.is_some(),
                conn,
                &mut strikes,
                &mut allowance,
                (config, now_ms),
                &reply,
            );
            let decided = match decided {
                Inbound::Slowed(cmd, wait_ms) => {
                    // Boxed, like every rare await (see `serve`'s size note).
                    let wait = std::time::Duration::from_millis(u64::from(wait_ms));
                    Box::pin(tokio::time::sleep(wait)).await;
                    Inbound::Room(cmd)
                }
                other => other,
            };
            match decided {
                Inbound::Nothing | Inbound::Slowed(..) => {}
                Inbound::Close => break,
                Inbound::Join(request) => {
                    // Boxed: the database lookups' futures and the join's state are large, and
                    // an inline await would make every connection's task that large for its
                    // whole life.
                    match Box::pin(join(&hub, &db, &mut who, &mut local, conn, request)).await {
                        Joined::In(room) => joined = Some(room),
                        Joined::Refused => reply(error(
                            ErrorCode::UnknownRoom,
                            "no such room, or it is private",
                        )),
                        Joined::Gone => break,
                    }
                }
                Inbound::Room(cmd) => {
                    let Some(room) = &joined else { continue };
                    // The room's queue almost always has room; waiting for it (rarely) goes through a
                    // boxed future so that the wait's state does not enlarge every connection's task.
                    let sent = match room.try_send(cmd) {
                        Ok(()) => Ok(()),
                        Err(mpsc::error::TrySendError::Full(cmd)) => {
                            Box::pin(room.send(cmd)).await.map_err(|_| ())
                        }
                        Err(mpsc::error::TrySendError::Closed(_)) => Err(()),
                    };
                    if sent.is_err() {
                        break; // the room stopped (write failure): the client reconnects
                    }
                }
            }
        }
        drop(queue);
        // Boxed, like every await that happens once: the task's size is the largest state it can
        // be suspended in, and it keeps that size for the connection's whole life.
        Box::pin(async move {
            if let Some(room) = joined {
                let _ = room.send(Command::Leave { conn }).await;
            }
            drop(local);
            // Deliver what is already queued (errors, the last broadcasts) before closing, briefly.
            let _ = tokio::time::timeout(std::time::Duration::from_millis(200), async {
                while let Ok(out) = rx.try_recv() {
                    match write_queued(&mut socket, &rx, out).await {
                        Ok(None) => {}
                        Ok(Some((code, reason))) => {
                            let _ = socket.send(close(code, reason)).await;
                            break;
                        }
                        Err(_) => break,
                    }
                }
            })
            .await;
        })
        .await;
        tracing::debug!(conn, secs = started.elapsed().as_secs(), "websocket closed");
        // The connection counts against the cap until here.
        drop(slot);
    }
}

/// The next heartbeat or the stop (also when the hub is gone), and the receiver to wait with
/// again. Owning the receiver lets the connection keep one pinned future across its loop.
async fn next_pulse(mut pulse: watch::Receiver<Pulse>) -> (Pulse, watch::Receiver<Pulse>) {
    let now = match pulse.changed().await {
        Ok(()) => *pulse.borrow_and_update(),
        Err(_) => Pulse::Stop,
    };
    (now, pulse)
}

/// Decodes one frame from a connection that has `joined` a room (or not yet); errors go back
/// through `reply`.
#[allow(clippy::too_many_arguments)]
fn inbound(
    frame: Message,
    joined: bool,
    conn: ConnId,
    strikes: &mut u32,
    allowance: &mut Allowance,
    (config, now_ms): (&HubConfig, u32),
    reply: &impl Fn(ServerMessage),
) -> Inbound {
    let text = match frame {
        Message::Text(t) => t,
        Message::Binary(_) => {
            *strikes += 1;
            reply(error(ErrorCode::Malformed, "frames are JSON text"));
            return Inbound::Nothing;
        }
        Message::Close(_) => return Inbound::Close,
        Message::Ping(_) | Message::Pong(_) => return Inbound::Nothing,
    };
    let msg = match ClientMessage::parse(&text) {
        Ok(m) => {
            *strikes = 0;
            m
        }
        Err(e) => {
            *strikes += 1;
            if *strikes > MAX_STRIKES {
                reply(error(ErrorCode::Malformed, "too many bad frames; closing"));
                return Inbound::Close;
            }
            reply(error(e.code(), &e.to_string()));
            return Inbound::Nothing;
        }
    };
    if !joined {
        return match msg {
            ClientMessage::JoinRoom {
                room,
                client,
                last_seq,
            } => {
                if client == 0 || client >= MAX_CLIENT_ID {
                    reply(error(
                        ErrorCode::Malformed,
                        "client must be a positive integer below 2^53",
                    ));
                    return Inbound::Nothing;
                }
                Inbound::Join(JoinRequest {
                    room,
                    client,
                    last_seq,
                })
            }
            _ => {
                reply(error(ErrorCode::NotJoined, "send join_room first"));
                Inbound::Nothing
            }
        };
    }
    let msg = match msg.into_op() {
        Ok((client_op, op)) => {
            let cmd = Command::Op {
                conn,
                client_op,
                op: Box::new(op),
            };
            // Over the rate, the op still goes through, later: refusing it would lose the
            // user's work (and later ops of the same client would then look like re-sends).
            return match allowance.ops.take(config.ops, now_ms) {
                Ok(()) => Inbound::Room(cmd),
                Err(wait_ms) => {
                    if !std::mem::replace(&mut allowance.warned, true) {
                        reply(error(
                            ErrorCode::RateLimited,
                            "too many changes at once: slowing down",
                        ));
                    }
                    Inbound::Slowed(cmd, wait_ms)
                }
            };
        }
        Err(msg) => msg,
    };
    if let ClientMessage::Chat { .. } = msg
        && allowance.chat.take(config.chat, now_ms).is_err()
    {
        reply(error(
            ErrorCode::RateLimited,
            "too many chat messages: wait a moment and send it again",
        ));
        return Inbound::Nothing;
    }
    if !matches!(
        msg,
        ClientMessage::Chat { .. } | ClientMessage::JoinRoom { .. }
    ) && allowance.presence.take(config.presence, now_ms).is_err()
    {
        // A cursor or viewport dropped is superseded by the next one.
        return Inbound::Nothing;
    }
    let cmd = match msg {
        ClientMessage::JoinRoom { .. } => {
            reply(error(
                ErrorCode::Malformed,
                "this connection has already joined a room",
            ));
            return Inbound::Nothing;
        }
        ClientMessage::CursorUpdate { x, y, laser } => Command::Cursor { conn, x, y, laser },
        ClientMessage::ViewportUpdate { view } => Command::Viewport { conn, view },
        ClientMessage::Follow { user_id } => Command::Follow { conn, user_id },
        ClientMessage::UserActivity { activity } => Command::Activity { conn, activity },
        ClientMessage::GetParticipantCount {} => Command::Count { conn },
        ClientMessage::Chat { text } => Command::Chat { conn, text },
        ClientMessage::ChatHistory { before, limit } => Command::ChatHistory {
            conn,
            before,
            limit,
        },
        // `into_op` took these.
        ClientMessage::Draw { .. }
        | ClientMessage::EditShape { .. }
        | ClientMessage::Erase { .. } => {
            return Inbound::Nothing;
        }
    };
    Inbound::Room(cmd)
}

/// A close frame.
fn close(code: u16, reason: &'static str) -> Message {
    Message::Close(Some(CloseFrame {
        code,
        reason: reason.into(),
    }))
}

/// Writes `first` and every frame already queued behind it (up to [`MAX_FRAMES_PER_FLUSH`]),
/// then flushes once: under load a burst costs one system call instead of one per frame. Stops
/// at an order to close, which it returns (after flushing what came before it).
async fn write_queued<S: Socket>(
    socket: &mut S,
    rx: &flume::Receiver<Out>,
    first: Out,
) -> Result<Option<(u16, &'static str)>, axum::Error> {
    let mut next = Some(first);
    let mut written = 0;
    while let Some(out) = next.take() {
        match out {
            Out::Frame(text) => socket.feed(Message::Text(text)).await?,
            Out::Close(code, reason) => {
                socket.flush().await?;
                return Ok(Some((code, reason)));
            }
        }
        written += 1;
        if written < MAX_FRAMES_PER_FLUSH {
            next = rx.try_recv().ok();
        }
    }
    socket.flush().await?;
    Ok(None)
}

/// Hands `join` to the room's actor and returns its channel, or `None` if the room could not
/// be reached.
async fn enter(hub: &Hub, room_id: &str, join: Command) -> Option<mpsc::Sender<Command>> {
    let room_tx = hub.room(room_id);
    match room_tx.send(join).await {
        Ok(()) => Some(room_tx),
        // The actor was just exiting (idle); start it afresh and try once more.
        Err(mpsc::error::SendError(join)) => {
            let again = hub.room(room_id);
            again.send(join).await.ok().map(|()| again)
        }
    }
}

fn error(code: ErrorCode, message: &str) -> ServerMessage {
    ServerMessage::Error {
        code,
        message: message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hub::HubConfig;
    use std::pin::Pin;
    use std::task::{Context, Poll};
    use std::time::Duration;
    use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

    /// An in-memory socket: what the test sends arrives as frames, what the server writes comes
    /// out of `sent`.
    struct FakeSocket {
        incoming: UnboundedReceiver<Message>,
        sent: UnboundedSender<Message>,
    }

    impl futures_util::Stream for FakeSocket {
        type Item = Result<Message, axum::Error>;
        fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
            self.incoming.poll_recv(cx).map(|m| m.map(Ok))
        }
    }

    impl futures_util::Sink<Message> for FakeSocket {
        type Error = axum::Error;
        fn poll_ready(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
            Poll::Ready(Ok(()))
        }
        fn start_send(self: Pin<&mut Self>, item: Message) -> Result<(), Self::Error> {
            self.sent.send(item).map_err(axum::Error::new)
        }
        fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
            Poll::Ready(Ok(()))
        }
        fn poll_close(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
            Poll::Ready(Ok(()))
        }
    }

    const BEAT: Duration = Duration::from_secs(10);

    /// A hub beating every [`BEAT`] and one connection to it: the client's sender, what the
    /// server sent, and the connection's task.
    async fn connect() -> (
        UnboundedSender<Message>,
        UnboundedReceiver<Message>,
        tokio::task::JoinHandle<()>,
    ) {
        let db = Db::connect("sqlite::memory:")
            .await
            .expect("in-memory SQLite");
        let config = HubConfig {
            heartbeat: BEAT,
            ..HubConfig::default()
        };
        let hub = Hub::new(
            db.clone(),
            config,
            app::ssr::tokens::ClientIds::from_secret(b"test"),
        );
        let (client, incoming) = unbounded_channel();
        let (sent, from_server) = unbounded_channel();
        let socket = FakeSocket { incoming, sent };
        let who = Who {
            id: "user".into(),
            name: "User".into(),
        };
        let slot = hub.try_connect().expect("a free slot");
        let task = tokio::spawn(serve(socket, hub, db, who, slot));
        (client, from_server, task)
    }

    /// Lets every task that can run, run (the connection, the heartbeat). A short sleep rather
    /// than `yield_now`: the runtime drives its timers only when it runs out of work, and a
    /// yielding test never lets it.
    async fn settle() {
        for _ in 0..3 {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }

    /// Lets what is pending run, advances the paused clock by `d`, and lets what woke run.
    async fn wait(d: Duration) {
        settle().await;
        tokio::time::advance(d).await;
        settle().await;
    }

    fn drain(rx: &mut UnboundedReceiver<Message>) -> Vec<Message> {
        std::iter::from_fn(|| rx.try_recv().ok()).collect()
    }

    #[tokio::test]
    async fn a_silent_connection_is_pinged_then_closed_after_two_silent_beats() {
        let (_client, mut sent, task) = connect().await;
        tokio::time::pause();
        // The connection subscribes to the heartbeat when it first runs.
        settle().await;

        wait(BEAT).await;
        let first = drain(&mut sent);
        assert!(matches!(first[..], [Message::Ping(_)]), "{first:?}");
        assert!(!task.is_finished(), "one beat of silence is allowed");
        // Silent for more than two beats since it connected: closed by the next beat.
        wait(BEAT).await;
        wait(BEAT).await;
        let sent = drain(&mut sent);
        assert!(
            matches!(sent.last(), Some(Message::Close(Some(f))) if f.code == 1001 && f.reason == "heartbeat timeout"),
            "{sent:?}"
        );
        wait(Duration::from_millis(1)).await;
        assert!(task.is_finished());
    }

    #[tokio::test]
    async fn a_connection_that_answers_stays_open() {
        let (client, mut sent, task) = connect().await;
        tokio::time::pause();
        settle().await;
        for _ in 0..10 {
            wait(BEAT).await;
            for m in drain(&mut sent) {
                assert!(matches!(m, Message::Ping(_)), "{m:?}");
                client.send(Message::Pong(Vec::new().into())).expect("open");
            }
        }
        wait(Duration::from_millis(1)).await;
        assert!(!task.is_finished(), "closed after 100 s of pongs");
    }
}
