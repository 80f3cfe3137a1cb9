//! The board's live connection to the room: sends local ops, applies the server's sequenced ops,
//! relays cursors and presence, and reconnects with exponential backoff and jitter. While offline
//! the board keeps working; unconfirmed ops are re-sent after reconnecting (the server applies
//! each exactly once) and a rejoin with `last_seq` fetches only what was missed.

use super::{Engine, RemoteCursor, Shared};
use crate::canvas::LinkState;
use inkroom_core::geom::WorldPoint;
use inkroom_core::ops::Op;
use inkroom_core::protocol::{ClientMessage, ErrorCode, Participant, ServerMessage};
use inkroom_core::replica::ClientOpId;
use inkroom_core::scene::Scene;
use leptos::prelude::*;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{CloseEvent, MessageEvent, WebSocket};

/// Cursor updates are sent at most this often (20 Hz).
const CURSOR_INTERVAL_MS: f64 = 50.0;
/// The longest wait between reconnection attempts.
const MAX_BACKOFF_MS: f64 = 10_000.0;

struct Socket {
    ws: WebSocket,
    _on_open: Closure<dyn FnMut()>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut(CloseEvent)>,
}

/// One board's connection.
pub struct Live {
    slug: String,
    client: u64,
    engine: Shared,
    repaint: Rc<dyn Fn()>,
    set_state: WriteSignal<LinkState>,
    set_people: WriteSignal<Vec<Participant>>,
    socket: RefCell<Option<Socket>>,
    attempt: Cell<u32>,
    stopped: Cell<bool>,
    last_cursor_ms: Cell<f64>,
    people: RefCell<Vec<Participant>>,
}

fn op_message(client_op: ClientOpId, op: Op) -> ClientMessage {
    match op {
        Op::Create { element } => ClientMessage::Draw { client_op, element },
        Op::Update { id, patch } => ClientMessage::EditShape {
            client_op,
            id,
            patch,
        },
        Op::Delete { id } => ClientMessage::Erase { client_op, id },
    }
}

fn socket_url() -> Option<String> {
    let location = web_sys::window()?.location();
    let scheme = if location.protocol().ok()? == "https:" {
        "wss"
    } else {
        "ws"
    };
    Some(format!("{scheme}://{}/ws", location.host().ok()?))
}

impl Live {
    /// Connects the board at `engine` to the room `slug`.
    pub fn start(
        slug: String,
        engine: Shared,
        repaint: Rc<dyn Fn()>,
        set_state: WriteSignal<LinkState>,
        set_people: WriteSignal<Vec<Participant>>,
    ) -> Rc<Live> {
        let client = engine.borrow().editor.replica().client();
        let live = Rc::new(Live {
            slug,
            client,
            engine,
            repaint,
            set_state,
            set_people,
            socket: RefCell::new(None),
            attempt: Cell::new(0),
            stopped: Cell::new(false),
            last_cursor_ms: Cell::new(0.0),
            people: RefCell::new(Vec::new()),
        });
        Live::open(&live);
        live
    }

    fn open(this: &Rc<Live>) {
        if this.stopped.get() {
            return;
        }
        let Some(url) = socket_url() else { return };
        let Ok(ws) = WebSocket::new(&url) else {
            Live::retry(this);
            return;
        };
        this.set_state.set(LinkState::Connecting);
        let weak = Rc::downgrade(this);
        let on_open = Closure::<dyn FnMut()>::new({
            let weak = weak.clone();
            move || {
                if let Some(live) = weak.upgrade() {
                    live.joined();
                }
            }
        });
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new({
            let weak = weak.clone();
            move |ev: MessageEvent| {
                if let (Some(live), Some(text)) = (weak.upgrade(), ev.data().as_string()) {
                    live.receive(&text);
                }
            }
        });
        let on_close = Closure::<dyn FnMut(CloseEvent)>::new(move |_ev: CloseEvent| {
            if let Some(live) = weak.upgrade() {
                live.set_state.set(LinkState::Offline);
                Live::retry(&live);
            }
        });
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        *this.socket.borrow_mut() = Some(Socket {
            ws,
            _on_open: on_open,
            _on_message: on_message,
            _on_close: on_close,
        });
    }

    /// Schedules the next attempt: 0.5 s, 1 s, 2 s … up to 10 s, each ±50 % so that many clients
    /// dropped together do not come back together.
    fn retry(this: &Rc<Live>) {
        if this.stopped.get() {
            return;
        }
        let n = this.attempt.get();
        this.attempt.set(n.saturating_add(1));
        let base = (500.0 * 2f64.powi(n.min(10) as i32)).min(MAX_BACKOFF_MS);
        let delay = base * (0.5 + js_sys::Math::random());
        let weak = Rc::downgrade(this);
        let callback = Closure::once_into_js(move || {
            if let Some(live) = weak.upgrade() {
                Live::open(&live);
            }
        });
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(
                callback.unchecked_ref(),
                delay as i32,
            );
        }
    }

    fn send(&self, msg: &ClientMessage) -> bool {
        let socket = self.socket.borrow();
        let Some(s) = socket
            .as_ref()
            .filter(|s| s.ws.ready_state() == WebSocket::OPEN)
        else {
            return false;
        };
        match serde_json::to_string(msg) {
            Ok(text) => s.ws.send_with_str(&text).is_ok(),
            Err(_) => false,
        }
    }

    /// Just connected: join (asking only for what we missed) and re-send what is unconfirmed.
    fn joined(&self) {
        self.attempt.set(0);
        let (seq, unconfirmed) = {
            let e = self.engine.borrow();
            (e.editor.replica().seq(), e.editor.unconfirmed())
        };
        self.send(&ClientMessage::JoinRoom {
            room: self.slug.clone(),
            client: self.client,
            last_seq: (seq > 0).then_some(seq),
        });
        for (n, op) in unconfirmed {
            self.send(&op_message(n, op));
        }
        self.engine.borrow_mut().editor.take_outbox();
        self.set_state.set(LinkState::Live);
    }

    /// Sends the ops made locally since the last call. Offline, they stay unconfirmed and are
    /// re-sent on reconnect.
    pub fn flush(&self) {
        let ops = self.engine.borrow_mut().editor.take_outbox();
        for (n, op) in ops {
            self.send(&op_message(n, op));
        }
    }

    /// Reports the pointer position, at most 20 times a second.
    pub fn cursor(&self, at: WorldPoint) {
        let now = js_sys::Date::now();
        if now - self.last_cursor_ms.get() >= CURSOR_INTERVAL_MS
            && self.send(&ClientMessage::CursorUpdate { x: at.x, y: at.y })
        {
            self.last_cursor_ms.set(now);
        }
    }

    /// Closes the connection for good (the board was unmounted).
    pub fn stop(&self) {
        self.stopped.set(true);
        if let Some(s) = self.socket.borrow_mut().take() {
            s.ws.set_onclose(None);
            let _ = s.ws.close();
        }
    }

    /// Drops the connection so that it reconnects and rejoins with `last_seq`.
    fn resync(&self) {
        if let Some(s) = self.socket.borrow().as_ref() {
            let _ = s.ws.close();
        }
    }

    fn set_people(&self, people: Vec<Participant>) {
        *self.people.borrow_mut() = people.clone();
        {
            let mut e = self.engine.borrow_mut();
            e.names = people
                .iter()
                .map(|p| (p.user_id.clone(), (p.name.clone(), p.color.clone())))
                .collect();
        }
        self.set_people.set(people);
    }

    fn receive(&self, text: &str) {
        let Ok(msg) = serde_json::from_str::<ServerMessage>(text) else {
            leptos::logging::warn!("unreadable message from the server");
            return;
        };
        match msg {
            ServerMessage::RoomState {
                seq,
                elements,
                participants,
                applied,
                ..
            } => {
                let mut scene = Scene::default();
                for e in elements {
                    let _ = scene.insert(e);
                }
                self.engine.borrow_mut().editor.load(scene, seq, applied);
                self.set_people(participants);
            }
            ServerMessage::Ops { ops } => {
                let failed = {
                    let mut e = self.engine.borrow_mut();
                    ops.iter().any(|op| e.editor.receive(op).is_err())
                };
                if failed {
                    self.resync();
                }
            }
            ServerMessage::Rejected {
                client_op, message, ..
            } => {
                leptos::logging::warn!("change refused by the server: {message}");
                self.engine.borrow_mut().editor.rejected(client_op);
            }
            ServerMessage::ParticipantJoined { participant } => {
                let mut people = self.people.borrow().clone();
                if !people.iter().any(|p| p.user_id == participant.user_id) {
                    people.push(participant);
                }
                self.set_people(people);
            }
            ServerMessage::ParticipantLeft { user_id } => {
                let people = self
                    .people
                    .borrow()
                    .clone()
                    .into_iter()
                    .filter(|p| p.user_id != user_id)
                    .collect();
                self.engine.borrow_mut().cursors.remove(&user_id);
                self.set_people(people);
            }
            ServerMessage::Cursor { user_id, x, y } => {
                let at_ms = js_sys::Date::now();
                self.engine.borrow_mut().cursors.insert(
                    user_id,
                    RemoteCursor {
                        at: WorldPoint::new(x, y),
                        at_ms,
                    },
                );
                self.engine.borrow_mut().editor.invalidate();
            }
            ServerMessage::Error { code, message } => {
                leptos::logging::warn!("server: {message}");
                if code == ErrorCode::ResyncRequired {
                    self.resync();
                }
            }
            _ => {}
        }
        Engine::publish(&self.engine);
        (self.repaint)();
    }
}
