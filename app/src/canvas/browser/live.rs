//! The board's live connection to the room: sends local ops, applies the server's sequenced ops,
//! relays cursors and presence, and reconnects with exponential backoff and jitter. While offline
//! the board keeps working; unconfirmed ops are re-sent after reconnecting (the server applies
//! each exactly once) and a rejoin with `last_seq` fetches only what was missed.
//!
//! Following: while this board follows someone, their reported viewport is fitted into this
//! board's camera; panning or zooming by hand stops following (as in Excalidraw). While someone
//! follows this user, the board reports its own viewport, at most 20 times a second.

use super::{Engine, RemoteCursor, Shared};
use crate::canvas::ui::{Chat, LinkState, Presence};
use inkroom_core::camera::{Camera, MAX_ZOOM};
use inkroom_core::editor::Access;
use inkroom_core::geom::{Rect, WorldPoint};
use inkroom_core::protocol::{
    Activity, ChatMessage, ClientMessage, ErrorCode, Participant, ServerMessage, Viewport,
};
use inkroom_core::scene::Scene;
use leptos::prelude::*;
use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{CloseEvent, MessageEvent, WebSocket};

/// The close code of a connection whose access to the room was revoked (the server's).
const CLOSE_REVOKED: u16 = 4003;

/// Cursor and viewport updates are sent at most this often (20 Hz).
const CURSOR_INTERVAL_MS: f64 = 50.0;
/// The longest wait between reconnection attempts.
const MAX_BACKOFF_MS: f64 = 10_000.0;
/// Without input for this long, this user shows as idle to the others.
const IDLE_AFTER_MS: f64 = 60_000.0;
/// Chat messages asked for per page of history.
const CHAT_PAGE: u32 = 30;
/// A server error this soon after sending a chat message is about that message.
const CHAT_ERROR_WINDOW_MS: f64 = 3_000.0;

struct Socket {
    ws: WebSocket,
    _on_open: Closure<dyn FnMut()>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut(CloseEvent)>,
}

/// One board's connection.
pub struct Live {
    this: Weak<Live>,
    slug: String,
    client: u64,
    engine: Shared,
    repaint: Rc<dyn Fn()>,
    set_state: WriteSignal<LinkState>,
    presence: Presence,
    socket: RefCell<Option<Socket>>,
    attempt: Cell<u32>,
    stopped: Cell<bool>,
    last_cursor_ms: Cell<f64>,
    people: RefCell<Vec<Participant>>,
    /// This user's id, once joined.
    me: RefCell<Option<String>>,
    /// The user whose viewport this board follows.
    leader: RefCell<Option<String>>,
    /// The camera last set from the leader's viewport; any other camera means this user moved.
    applied: Cell<Option<Camera>>,
    /// Whether someone follows this user (who then needs this board's viewport).
    followed: Cell<bool>,
    /// The viewport last reported, and when.
    sent_view: Cell<Option<Viewport>>,
    last_view_ms: Cell<f64>,
    /// Whether a trailing viewport report is scheduled.
    view_timer: Cell<bool>,
    /// The room's chat as the panel shows it.
    chat: Chat,
    /// When this user last sent a chat message.
    chat_sent_ms: Cell<f64>,
    /// The activity last reported, and when this user last did something.
    activity: Cell<Activity>,
    last_input_ms: Cell<f64>,
    /// Whether the last cursor report had the laser on.
    laser_on: Cell<bool>,
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
        presence: Presence,
        chat: Chat,
    ) -> Rc<Live> {
        let client = engine.borrow().editor.replica().client();
        let live = Rc::new_cyclic(|this| Live {
            this: this.clone(),
            slug,
            client,
            engine,
            repaint,
            set_state,
            presence,
            socket: RefCell::new(None),
            attempt: Cell::new(0),
            stopped: Cell::new(false),
            last_cursor_ms: Cell::new(0.0),
            people: RefCell::new(Vec::new()),
            me: RefCell::new(None),
            leader: RefCell::new(None),
            applied: Cell::new(None),
            followed: Cell::new(false),
            sent_view: Cell::new(None),
            last_view_ms: Cell::new(0.0),
            view_timer: Cell::new(false),
            chat,
            chat_sent_ms: Cell::new(0.0),
            activity: Cell::new(Activity::Active),
            last_input_ms: Cell::new(js_sys::Date::now()),
            laser_on: Cell::new(false),
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
        let on_close = Closure::<dyn FnMut(CloseEvent)>::new(move |ev: CloseEvent| {
            if let Some(live) = weak.upgrade() {
                if ev.code() == CLOSE_REVOKED {
                    // Removed from the room: reconnecting would only be refused.
                    live.stopped.set(true);
                    live.set_state.set(LinkState::Revoked);
                    live.engine.borrow_mut().editor.set_access(Access::View);
                    (live.repaint)();
                    return;
                }
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
            self.send(&ClientMessage::from_op(n, op));
        }
        self.engine.borrow_mut().editor.take_outbox();
        // The server forgot whom this connection followed; followers tell it again themselves.
        self.followed.set(false);
        if let Some(leader) = self.leader.borrow().clone() {
            self.send(&ClientMessage::Follow {
                user_id: Some(leader),
            });
        }
        // The newest chat page (its count feeds the unread badge); the server forgot this
        // user's activity, so say it again unless it is the default.
        self.chat.loading.set(true);
        self.chat.started.set(true);
        self.send(&ClientMessage::ChatHistory {
            before: None,
            limit: CHAT_PAGE,
        });
        if self.activity.get() != Activity::Active {
            self.send(&ClientMessage::UserActivity {
                activity: self.activity.get(),
            });
        }
        self.set_state.set(LinkState::Live);
    }

    /// Posts a chat message (the panel checked its length; the server checks it again).
    pub fn send_chat(&self, text: String) {
        self.chat.error.set(None);
        if self.send(&ClientMessage::Chat { text }) {
            self.chat_sent_ms.set(js_sys::Date::now());
        } else {
            self.chat
                .error
                .set(Some("Offline: the message was not sent.".to_owned()));
        }
        self.input(Some(Activity::Active));
    }

    /// Asks for the page of chat messages before the oldest one shown.
    pub fn older_chat(&self) {
        let Some(before) = self.chat.older.get_untracked() else {
            return;
        };
        if self.chat.loading.get_untracked() {
            return;
        }
        self.chat.loading.set(true);
        self.send(&ClientMessage::ChatHistory {
            before: Some(before),
            limit: CHAT_PAGE,
        });
    }

    /// This user did something: reports `now` (drawing, typing…) or, after being idle or
    /// away, that they are back. Only changes are sent.
    pub fn input(&self, now: Option<Activity>) {
        self.last_input_ms.set(js_sys::Date::now());
        let next = match now {
            Some(a) => a,
            None if matches!(self.activity.get(), Activity::Idle | Activity::Away) => {
                Activity::Active
            }
            None => return,
        };
        self.report_activity(next);
    }

    /// Sends `activity` if it differs from what was last sent.
    pub fn report_activity(&self, activity: Activity) {
        if self.activity.get() == activity {
            return;
        }
        self.activity.set(activity);
        self.send(&ClientMessage::UserActivity { activity });
    }

    /// Called every few seconds: a minute without input makes this user idle.
    pub fn check_idle(&self) {
        let quiet = js_sys::Date::now() - self.last_input_ms.get();
        if quiet >= IDLE_AFTER_MS && matches!(self.activity.get(), Activity::Active) {
            self.report_activity(Activity::Idle);
        }
    }

    /// The tab was hidden (`true`: away) or shown again.
    pub fn visibility(&self, hidden: bool) {
        if hidden {
            self.report_activity(Activity::Away);
        } else {
            self.input(Some(Activity::Active));
        }
    }

    /// Adds a page of history (newest first, as the server sends it) or a new message,
    /// keeping the list in order and without duplicates (a rejoin asks for the newest page
    /// again).
    fn add_messages(&self, mut incoming: Vec<ChatMessage>) {
        self.chat.messages.update(|list| {
            incoming.retain(|m| !list.iter().any(|old| old.id == m.id));
            list.extend(incoming);
            list.sort_by_key(|m| m.id);
        });
    }

    /// Follows `leader`'s viewport, or stops (`None`). The presence badges call this through
    /// the `following` signal.
    pub fn follow(&self, leader: Option<String>) {
        if *self.leader.borrow() == leader {
            return;
        }
        *self.leader.borrow_mut() = leader.clone();
        self.applied.set(None);
        self.send(&ClientMessage::Follow { user_id: leader });
    }

    /// After a frame was painted: stops following if this user moved the camera, and reports the
    /// viewport if someone follows this user.
    pub fn view_painted(&self) {
        let camera = self.engine.borrow().editor.camera;
        if self.leader.borrow().is_some() && self.applied.get().is_some_and(|c| c != camera) {
            self.presence.following.set(None);
        }
        if self.followed.get() {
            self.report_view();
        }
    }

    fn current_view(&self) -> Viewport {
        let e = self.engine.borrow();
        let (w, h) = e.css_size;
        let r = e.editor.camera.visible_rect(w, h);
        Viewport {
            x: r.min.x,
            y: r.min.y,
            width: r.width(),
            height: r.height(),
        }
    }

    /// Sends the viewport if it changed, at most every [`CURSOR_INTERVAL_MS`]; a change within
    /// that time is sent when it is over, so the last position always arrives.
    fn report_view(&self) {
        let view = self.current_view();
        if self.sent_view.get() == Some(view) || self.view_timer.get() {
            return;
        }
        let wait = self.last_view_ms.get() + CURSOR_INTERVAL_MS - js_sys::Date::now();
        if wait <= 0.0 {
            if self.send(&ClientMessage::ViewportUpdate { view }) {
                self.sent_view.set(Some(view));
                self.last_view_ms.set(js_sys::Date::now());
            }
            return;
        }
        self.view_timer.set(true);
        let weak = self.this.clone();
        let callback = Closure::once_into_js(move || {
            if let Some(live) = weak.upgrade() {
                live.view_timer.set(false);
                if live.followed.get() {
                    live.report_view();
                }
            }
        });
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(
                callback.unchecked_ref(),
                wait.ceil() as i32,
            );
        }
    }

    /// Shows the leader's viewport: the same centre, zoomed so that all of it fits.
    fn show_view(&self, view: Viewport) {
        let mut e = self.engine.borrow_mut();
        let (w, h) = e.css_size;
        let mut camera = e.editor.camera;
        let rect = Rect::from_corners(
            WorldPoint::new(view.x, view.y),
            WorldPoint::new(view.x + view.width, view.y + view.height),
        );
        camera.fit(rect, w, h, 0.0, MAX_ZOOM);
        e.editor.camera = camera;
        e.editor.invalidate();
        self.applied.set(Some(camera));
    }

    fn cursor_moved(&self, user_id: String, x: f64, y: f64, laser: bool, at_ms: f64) {
        if self.me.borrow().as_deref() == Some(user_id.as_str()) {
            return;
        }
        let at = WorldPoint::new(x, y);
        let mut e = self.engine.borrow_mut();
        // Another user's laser: their trail, drawn and faded here, never part of the scene.
        let trail = e.lasers.entry(user_id.clone()).or_default();
        match (laser, trail.is_pressed()) {
            (true, false) => trail.press(at, at_ms),
            (true, true) => {
                trail.drag(at, at_ms);
            }
            (false, true) => trail.release(),
            (false, false) => {}
        }
        if !laser && !trail.is_showing() {
            e.lasers.remove(&user_id);
        }
        e.cursors.insert(
            user_id,
            RemoteCursor {
                at: WorldPoint::new(x, y),
                at_ms,
            },
        );
    }

    /// Sends the ops made locally since the last call. Offline, they stay unconfirmed and are
    /// re-sent on reconnect.
    pub fn flush(&self) {
        let ops = self.engine.borrow_mut().editor.take_outbox();
        for (n, op) in ops {
            self.send(&ClientMessage::from_op(n, op));
        }
    }

    /// Reports the pointer position, at most 20 times a second, with the laser on while its
    /// button is held. Turning the laser on or off is always sent at once, so the others'
    /// trail starts and ends where it should.
    pub fn cursor(&self, at: WorldPoint) {
        let now = js_sys::Date::now();
        let laser = self.engine.borrow().editor.is_lasering();
        let switched = laser != self.laser_on.get();
        if (switched || now - self.last_cursor_ms.get() >= CURSOR_INTERVAL_MS)
            && self.send(&ClientMessage::CursorUpdate {
                x: at.x,
                y: at.y,
                laser,
            })
        {
            self.last_cursor_ms.set(now);
            self.laser_on.set(laser);
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
        self.presence.people.set(people);
    }

    fn receive(&self, text: &str) {
        let Ok(msg) = serde_json::from_str::<ServerMessage>(text) else {
            leptos::logging::warn!("unreadable message from the server");
            return;
        };
        match msg {
            ServerMessage::Joined { client } => {
                self.engine.borrow_mut().editor.set_client(client);
            }
            ServerMessage::RoleChanged { .. } => {
                // The page is rendered for a role (tools, settings link): render it again. What
                // was not acknowledged yet could not be kept by a viewer anyway.
                if let Some(window) = web_sys::window() {
                    let _ = window.location().reload();
                }
            }
            ServerMessage::RoomState {
                seq,
                elements,
                participants,
                applied,
                you,
            } => {
                *self.me.borrow_mut() = Some(you.user_id.clone());
                self.presence.me.set(Some(you.user_id));
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
                    super::toast(
                        &self.engine,
                        format!("{} joined", participant.name),
                        None,
                        false,
                    );
                    people.push(participant);
                }
                self.set_people(people);
            }
            ServerMessage::ParticipantLeft { user_id } => {
                if let Some(p) = self.people.borrow().iter().find(|p| p.user_id == user_id) {
                    super::toast(&self.engine, format!("{} left", p.name), None, false);
                }
                self.presence
                    .activity
                    .update(|a| a.retain(|(id, _)| *id != user_id));
                self.engine.borrow_mut().lasers.remove(&user_id);
                let people = self
                    .people
                    .borrow()
                    .clone()
                    .into_iter()
                    .filter(|p| p.user_id != user_id)
                    .collect();
                self.engine.borrow_mut().cursors.remove(&user_id);
                if self.leader.borrow().as_deref() == Some(user_id.as_str()) {
                    self.presence.following.set(None);
                }
                self.set_people(people);
            }
            ServerMessage::Cursor {
                user_id,
                x,
                y,
                laser,
            } => {
                self.cursor_moved(user_id, x, y, laser, js_sys::Date::now());
                self.engine.borrow_mut().editor.invalidate_overlay();
            }
            ServerMessage::Cursors { cursors } => {
                let now = js_sys::Date::now();
                for c in cursors {
                    self.cursor_moved(c.user_id, c.x, c.y, c.laser, now);
                }
                self.engine.borrow_mut().editor.invalidate_overlay();
            }
            ServerMessage::Viewport { user_id, view }
                if self.leader.borrow().as_deref() == Some(user_id.as_str()) && view.is_valid() =>
            {
                self.show_view(view);
            }
            ServerMessage::Followers { user_ids } => {
                let was = self.followed.replace(!user_ids.is_empty());
                self.presence.followers.set(user_ids);
                if !was && self.followed.get() {
                    // A new follower needs our viewport now, even if it has not changed.
                    self.sent_view.set(None);
                    self.last_view_ms.set(0.0);
                    self.report_view();
                }
            }
            ServerMessage::Error { code, message } => {
                leptos::logging::warn!("server: {message}");
                if code == ErrorCode::ResyncRequired {
                    self.resync();
                } else if js_sys::Date::now() - self.chat_sent_ms.get() < CHAT_ERROR_WINDOW_MS {
                    self.chat.error.set(Some(message));
                }
            }
            ServerMessage::UserActivity { user_id, activity } => {
                self.presence.activity.update(|a| {
                    a.retain(|(id, _)| *id != user_id);
                    a.push((user_id, activity));
                });
            }
            ServerMessage::Chat { message } => {
                let mine = self.me.borrow().as_deref() == Some(message.user_id.as_str());
                if !mine && !self.chat.open.get_untracked() {
                    self.chat.unread.update(|n| *n += 1);
                }
                self.add_messages(vec![message]);
            }
            ServerMessage::ChatHistory {
                messages,
                next_before,
            } => {
                self.add_messages(messages);
                self.chat.older.set(next_before);
                self.chat.loading.set(false);
            }
            _ => {}
        }
        Engine::publish(&self.engine);
        (self.repaint)();
    }
}
