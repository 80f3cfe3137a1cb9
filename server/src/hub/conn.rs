//! One WebSocket connection: authentication at the upgrade, then a reader (this task) that
//! decodes and authorises frames, and a writer task that drains the outbound queue and pings.

use super::Hub;
use super::room::{Command, Member};
use crate::startup::AppState;
use app::rooms::Role;
use app::ssr::db::{Db, rooms, users};
use app::ssr::identity::SESSION_USER_KEY;
use app::ssr::tokens::Audience;
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use futures_util::{SinkExt, StreamExt};
use inkroom_core::protocol::{ClientMessage, ErrorCode, MAX_FRAME_BYTES, ServerMessage};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Instant;
use tokio::sync::{OwnedSemaphorePermit, mpsc};
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

/// `GET /ws`: upgrades signed-in users (cookie session or ticket) to a WebSocket.
pub async fn ws_handler(
    State(state): State<AppState>,
    Query(q): Query<WsQuery>,
    session: Session,
    ws: WebSocketUpgrade,
) -> Response {
    let user_id = match q.ticket {
        Some(ticket) => state
            .server
            .tokens
            .verify(&ticket, Audience::WebSocket)
            .map(|c| c.sub),
        None => session.get::<String>(SESSION_USER_KEY).await.ok().flatten(),
    };
    let Some(user_id) = user_id else {
        return (StatusCode::UNAUTHORIZED, "sign in first").into_response();
    };
    let user = match users::find_by_id(state.db.pool(), &user_id).await {
        Ok(Some(u)) => u,
        Ok(None) => return (StatusCode::UNAUTHORIZED, "sign in first").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "websocket auth lookup failed");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let Some(slot) = state.hub.try_connect() else {
        return (StatusCode::SERVICE_UNAVAILABLE, "too many connections").into_response();
    };
    let (hub, db) = (state.hub.clone(), state.db.clone());
    // Small per-socket buffers: the defaults (128 KiB each way) cost far more than the messages
    // need and dominate the memory of idle connections; reads grow as needed up to the limits.
    // Writes collect up to WRITE_BATCH_BYTES of queued frames before one system call.
    ws.read_buffer_size(1024)
        .write_buffer_size(WRITE_BATCH_BYTES)
        .max_message_size(HARD_FRAME_LIMIT)
        .max_frame_size(HARD_FRAME_LIMIT)
        .on_upgrade(move |socket| serve(socket, hub, db, user, slot))
}

/// Bytes of frames gathered before a write to the socket (flushes happen sooner when the
/// queue is empty).
const WRITE_BATCH_BYTES: usize = 8 * 1024;

/// Frames written per flush at most, so one busy connection cannot monopolise its task.
const MAX_FRAMES_PER_FLUSH: usize = 64;

struct Joined {
    room: tokio::sync::mpsc::Sender<Command>,
    role: Role,
}

fn now_ms() -> i64 {
    app::ssr::db::now_ms()
}

async fn serve(
    socket: WebSocket,
    hub: Arc<Hub>,
    db: Db,
    user: users::User,
    _slot: OwnedSemaphorePermit,
) {
    let conn = hub.next_conn_id();
    let (mut sink, mut stream) = socket.split();
    let (tx, mut rx) = mpsc::channel::<Utf8Bytes>(hub.config().outbound_queue);
    let last_seen = Arc::new(AtomicI64::new(now_ms()));
    let heartbeat = hub.config().heartbeat;
    let cancel = hub.cancelled();

    let writer = tokio::spawn({
        let (last_seen, cancel) = (last_seen.clone(), cancel.clone());
        async move {
            let mut ping = tokio::time::interval(heartbeat);
            ping.tick().await;
            loop {
                tokio::select! {
                    msg = rx.recv() => match msg {
                        Some(text) => {
                            // Under load several frames are queued: write them all, then flush
                            // once, instead of one system call (and wake-up) per frame.
                            let mut ok = sink.feed(Message::Text(text)).await.is_ok();
                            let mut batched = 1;
                            while ok && batched < MAX_FRAMES_PER_FLUSH {
                                let Ok(more) = rx.try_recv() else { break };
                                ok = sink.feed(Message::Text(more)).await.is_ok();
                                batched += 1;
                            }
                            if !ok || sink.flush().await.is_err() {
                                break;
                            }
                        }
                        None => {
                            // The room let go of us: we fell too far behind (or it restarted).
                            let _ = sink.send(Message::Close(Some(CloseFrame {
                                code: 4000,
                                reason: "resync required: reconnect with last_seq".into(),
                            }))).await;
                            break;
                        }
                    },
                    _ = ping.tick() => {
                        let silent = now_ms() - last_seen.load(Ordering::Relaxed);
                        if silent > 2 * heartbeat.as_millis() as i64 {
                            let _ = sink.send(Message::Close(Some(CloseFrame { code: 1001, reason: "heartbeat timeout".into() }))).await;
                            break;
                        }
                        if sink.send(Message::Ping(Vec::new().into())).await.is_err() {
                            break;
                        }
                    }
                    () = cancel.cancelled() => {
                        let _ = sink.send(Message::Close(Some(CloseFrame { code: 1012, reason: "server restarting".into() }))).await;
                        break;
                    }
                }
            }
        }
    });

    // Before joining, the reader holds the only sender; after joining, the room holds it and the
    // reader keeps a weak one, so the queue closes when the room drops the connection.
    let mut local = Some(tx);
    let weak = local.as_ref().map(|t| t.downgrade()).expect("just created");
    let reply = |msg: ServerMessage| {
        if let Some(tx) = weak.upgrade() {
            let _ = tx.try_send(super::room::frame(&msg));
        }
    };
    let mut joined: Option<Joined> = None;
    let mut strikes = 0u32;
    let started = Instant::now();

    loop {
        let frame = tokio::select! {
            f = stream.next() => f,
            () = cancel.cancelled() => None,
        };
        let Some(Ok(frame)) = frame else { break };
        last_seen.store(now_ms(), Ordering::Relaxed);
        let text = match frame {
            Message::Text(t) => t,
            Message::Binary(_) => {
                strikes += 1;
                reply(error(ErrorCode::Malformed, "frames are JSON text"));
                continue;
            }
            Message::Close(_) => break,
            Message::Ping(_) | Message::Pong(_) => continue,
        };
        let msg = match ClientMessage::parse(&text) {
            Ok(m) => {
                strikes = 0;
                m
            }
            Err(e) => {
                strikes += 1;
                if strikes > MAX_STRIKES {
                    reply(error(ErrorCode::Malformed, "too many bad frames; closing"));
                    break;
                }
                reply(error(e.code(), &e.to_string()));
                continue;
            }
        };
        match (&joined, msg) {
            (
                None,
                ClientMessage::JoinRoom {
                    room,
                    client,
                    last_seq,
                },
            ) => {
                if client == 0 || client >= MAX_CLIENT_ID {
                    reply(error(
                        ErrorCode::Malformed,
                        "client must be a positive integer below 2^53",
                    ));
                    continue;
                }
                let Some((room_id, role)) = access(&db, &room, &user.id).await else {
                    reply(error(
                        ErrorCode::UnknownRoom,
                        "no such room, or it is private",
                    ));
                    continue;
                };
                let Some(tx) = local.take() else { break };
                let member = Member {
                    user_id: user.id.clone(),
                    name: user.display_name.clone(),
                    role,
                };
                let join = Command::Join {
                    conn,
                    member,
                    client,
                    last_seq,
                    tx,
                };
                let room_tx = hub.room(&room_id);
                let room_tx = match room_tx.send(join).await {
                    Ok(()) => room_tx,
                    // The actor was just exiting (idle); start it afresh and try once more.
                    Err(mpsc::error::SendError(join)) => {
                        let again = hub.room(&room_id);
                        if again.send(join).await.is_err() {
                            break;
                        }
                        again
                    }
                };
                joined = Some(Joined {
                    room: room_tx,
                    role,
                });
            }
            (Some(_), ClientMessage::JoinRoom { .. }) => {
                reply(error(
                    ErrorCode::Malformed,
                    "this connection has already joined a room",
                ));
            }
            (None, _) => reply(error(ErrorCode::NotJoined, "send join_room first")),
            (Some(j), msg) => {
                let cmd = match msg {
                    m if m.op().is_some() => {
                        let (client_op, op) = m.op().expect("checked");
                        if !j.role.can_edit() {
                            reply(ServerMessage::Rejected {
                                client_op,
                                code: ErrorCode::Forbidden,
                                message: "viewers cannot change the board".into(),
                            });
                            continue;
                        }
                        Command::Op {
                            conn,
                            client_op,
                            op: Box::new(op),
                        }
                    }
                    ClientMessage::CursorUpdate { x, y } => Command::Cursor { conn, x, y },
                    ClientMessage::UserActivity { activity } => {
                        Command::Activity { conn, activity }
                    }
                    ClientMessage::GetParticipantCount {} => Command::Count { conn },
                    ClientMessage::Chat { text } => Command::Chat { conn, text },
                    ClientMessage::ChatHistory { before, limit } => Command::ChatHistory {
                        conn,
                        before,
                        limit,
                    },
                    _ => continue,
                };
                if j.room.send(cmd).await.is_err() {
                    break; // the room stopped (write failure): the client reconnects
                }
            }
        }
    }
    if let Some(j) = joined {
        let _ = j.room.send(Command::Leave { conn }).await;
    }
    drop(local);
    // Give the writer a moment to deliver what is queued (errors, a close frame), then stop it.
    let _ = tokio::time::timeout(std::time::Duration::from_millis(200), writer).await;
    tracing::debug!(conn, secs = started.elapsed().as_secs(), "websocket closed");
}

fn error(code: ErrorCode, message: &str) -> ServerMessage {
    ServerMessage::Error {
        code,
        message: message.to_owned(),
    }
}

/// The room id and the user's role in it, if they may see it: members with their role; anyone
/// signed in may watch a public room as a viewer.
async fn access(db: &Db, slug: &str, user_id: &str) -> Option<(String, Role)> {
    let room = rooms::find_by_slug(db.pool(), slug).await.ok().flatten()?;
    let role = app::rooms::ssr::role_of(db.pool(), &room.id, user_id)
        .await
        .ok()
        .flatten();
    match (role, room.is_private) {
        (Some(role), _) => Some((room.id, role)),
        (None, false) => Some((room.id, Role::Viewer)),
        (None, true) => None,
    }
}
