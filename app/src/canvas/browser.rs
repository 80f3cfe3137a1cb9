//! The browser half of the canvas engine (feature `hydrate`): DOM events in, Canvas 2D out.
//!
//! All decisions are made by [`inkroom_core::editor::Editor`]; this module only translates events
//! into editor calls, paints the editor's drawing commands and keeps the board's [`Ui`] signals
//! up to date. Painting happens in a `requestAnimationFrame` callback that is requested only when
//! the editor reports a change, so an idle board costs no CPU.
//!
//! - `live`: the WebSocket connection to the room.
//! - `text`: the textarea over the canvas in which text is typed.
//! - `recognize`: calls to the shape and handwriting recognisers, and the toasts reporting them.

mod live;
mod recognize;
mod text;

use super::{LinkState, Toast, Ui, UiAction};
use inkroom_core::camera::Camera;
use inkroom_core::editor::{Access, Command, Editor, Entropy, Pointer, PointerButton};
use inkroom_core::element::{Color, ElementId, ElementKind, TextAlign};
use inkroom_core::geom::WorldPoint;
use inkroom_core::geom::{ScreenPoint, ScreenVec};
use inkroom_core::history::ActionId;
use inkroom_core::render::{self, DrawCommand, Painter, Stroke, TextBlock};
use inkroom_core::shape::PathEl;
use inkroom_core::tool::Modifiers;
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::{Rc, Weak};
use std::time::Duration;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{CanvasRenderingContext2d, EventTarget, HtmlCanvasElement, HtmlTextAreaElement};

/// How long a toast stays up.
const TOAST_TIME: Duration = Duration::from_secs(8);

/// Ids, nonces and time from the browser.
struct BrowserEntropy;

impl Entropy for BrowserEntropy {
    fn element_id(&mut self) -> ElementId {
        // The browser's cryptographic generator (what uuid's `js` feature used too): ids made
        // in different tabs must never collide, which `Math.random` does not promise.
        let mut bytes = [0u8; 16];
        web_sys::window()
            .and_then(|w| w.crypto().ok())
            .and_then(|c| c.get_random_values_with_u8_array(&mut bytes).ok())
            .expect("crypto.getRandomValues is available");
        ElementId::from_random_bytes(bytes)
    }
    fn nonce(&mut self) -> u32 {
        (js_sys::Math::random() * f64::from(u32::MAX)) as u32
    }
    fn now_ms(&mut self) -> i64 {
        js_sys::Date::now() as i64
    }
}

/// An event listener that is removed when dropped.
struct Listener {
    target: EventTarget,
    event: &'static str,
    callback: Closure<dyn FnMut(web_sys::Event)>,
}

impl Listener {
    fn new(
        target: &EventTarget,
        event: &'static str,
        f: impl FnMut(web_sys::Event) + 'static,
    ) -> Self {
        let callback = Closure::<dyn FnMut(web_sys::Event)>::new(f);
        // Non-passive so that wheel and touch handlers may call preventDefault.
        let options = web_sys::AddEventListenerOptions::new();
        options.set_passive(false);
        let _ = target.add_event_listener_with_callback_and_add_event_listener_options(
            event,
            callback.as_ref().unchecked_ref(),
            &options,
        );
        Self {
            target: target.clone(),
            event,
            callback,
        }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self.target.remove_event_listener_with_callback(
            self.event,
            self.callback.as_ref().unchecked_ref(),
        );
    }
}

/// Another user's pointer, in world coordinates, and when it last moved.
struct RemoteCursor {
    at: WorldPoint,
    at_ms: f64,
}

/// Remote cursors disappear after this long without moving.
const STALE_CURSOR_MS: f64 = 10_000.0;

struct Engine {
    editor: Editor,
    /// Other users' cursors by user id.
    cursors: HashMap<String, RemoteCursor>,
    /// Display name and colour by user id.
    names: HashMap<String, (String, String)>,
    canvas: HtmlCanvasElement,
    ctx: CanvasRenderingContext2d,
    /// The transparent canvas over `canvas` for the overlay layer (selection, handles, laser,
    /// remote cursors), so those repaint without repainting the scene. Without it, both layers
    /// are painted on `canvas`.
    overlay: Option<(HtmlCanvasElement, CanvasRenderingContext2d)>,
    /// Canvas size in CSS pixels.
    css_size: (f64, f64),
    dpr: f64,
    frame_requested: bool,
    ui: Ui,
    /// The textarea text is typed into, and whether it is showing.
    text_box: Option<HtmlTextAreaElement>,
    text_open: bool,
    /// The last toast's id.
    toasts: u64,
    /// Fingers on the canvas (pointer id, position), in the order they touched: two make a
    /// pinch.
    touches: Vec<(i32, ScreenPoint)>,
    /// Where the pointer last was over the canvas (pastes land there), `None` once it left.
    pointer_at: Option<ScreenPoint>,
    /// Milliseconds each painted frame took (scene → commands → canvas), for the benchmark
    /// hook; bounded so it never grows without a reader.
    frame_ms: Vec<f64>,
    /// The room connection, told after each frame (following and reporting the viewport).
    live: Option<std::rc::Weak<live::Live>>,
}

/// `__inkroom.sceneJson()` and `__inkroom.viewJson()`.
type ReadHooks = (Closure<dyn Fn() -> String>, Closure<dyn Fn() -> String>);

/// `__inkroom.bench(n)` and `__inkroom.frameTimes()`.
type BenchHooks = (Closure<dyn Fn(u32)>, Closure<dyn Fn() -> String>);

/// Frame times kept for the benchmark hook, at most.
const MAX_FRAME_SAMPLES: usize = 10_000;

type Shared = Rc<RefCell<Engine>>;

/// Sets a signal only when the value differs, so unchanged state re-renders nothing.
fn set_if_changed<T: PartialEq + Send + Sync + 'static>(signal: RwSignal<T>, value: T) {
    if signal.with_untracked(|v| *v != value) {
        signal.set(value);
    }
}

impl Engine {
    /// Reports the board's state to the UI (outside any borrow of the engine, since signals
    /// may run effects that borrow it). The tool is not reported here: the toolbar sets it and
    /// an effect passes it to the editor a moment later, so reporting the editor's tool in
    /// between (say, on a message from the server) would undo the click. Keyboard shortcuts
    /// report it themselves ([`Board::key_down`]).
    fn publish(engine: &Shared) {
        let (ui, count, summary, history, toggles, locked) = {
            let e = engine.borrow();
            (
                e.ui,
                e.editor.scene().iter_live().count(),
                e.editor.selection_summary(),
                (e.editor.can_undo(), e.editor.can_redo()),
                (e.editor.tool_lock(), e.editor.grid()),
                e.editor.locked_count(),
            )
        };
        set_if_changed(ui.count, count);
        set_if_changed(ui.tool_lock, toggles.0);
        set_if_changed(ui.grid, toggles.1);
        set_if_changed(ui.locked, locked);
        set_if_changed(ui.selection, summary);
        set_if_changed(ui.history, history);
    }
}

/// Where a board connects to, and the UI signals its connection reports to.
pub struct LiveParams {
    /// The room's slug.
    pub slug: String,
    /// Connection state for the UI.
    pub set_state: WriteSignal<LinkState>,
    /// Who is in the room, and who follows whom.
    pub presence: super::Presence,
}

/// The mounted engine as event handlers use it: the engine, a repaint request and the live
/// connection.
#[derive(Clone)]
struct Board {
    engine: Shared,
    schedule: Rc<dyn Fn()>,
    live: Option<Rc<live::Live>>,
}

impl Board {
    /// After the board changed: sends the new ops, updates the UI and repaints.
    fn changed(&self) {
        if let Some(l) = &self.live {
            l.flush();
        }
        self.refresh();
    }

    /// After the view or the selection changed: updates the UI and repaints.
    fn refresh(&self) {
        Engine::publish(&self.engine);
        (self.schedule)();
    }

    /// Shows the editor's tool in the toolbar after the editor changed it itself (a shape tool
    /// handing over to the selection tool once it has drawn).
    fn follow_tool(&self) {
        let (ui, tool) = {
            let e = self.engine.borrow();
            (e.ui, e.editor.tool())
        };
        set_if_changed(ui.tool, tool);
    }

    /// Shows a toast for [`TOAST_TIME`].
    fn toast(&self, message: String, keep_ink: Option<ActionId>, error: bool) {
        let (ui, id) = {
            let mut e = self.engine.borrow_mut();
            e.toasts += 1;
            (e.ui, e.toasts)
        };
        ui.toast.set(Some(Toast {
            id,
            message,
            keep_ink,
            error,
        }));
        set_timeout(
            move || {
                if ui
                    .toast
                    .with_untracked(|t| t.as_ref().is_some_and(|t| t.id == id))
                {
                    ui.toast.set(None);
                }
            },
            TOAST_TIME,
        );
    }

    /// Runs what a button asked for.
    fn dispatch(&self, action: UiAction) {
        let changed = {
            let mut e = self.engine.borrow_mut();
            let env = &mut BrowserEntropy;
            match action {
                UiAction::Undo => e.editor.run(Command::Undo, env),
                UiAction::Redo => e.editor.run(Command::Redo, env),
                UiAction::Delete => e.editor.run(Command::Delete, env),
                UiAction::Duplicate => e.editor.run(Command::Duplicate, env),
                UiAction::KeepInk(action) => e.editor.revert(action, env),
                UiAction::Style(change) => e.editor.set_style(change, env),
                UiAction::Run(command) => e.editor.run(command, env),
                UiAction::UnlockAll => e.editor.unlock_all(env),
                UiAction::ConvertToText => {
                    drop(e);
                    recognize::convert_selection_to_text(self);
                    return;
                }
            }
        };
        self.changed_if(changed);
        // "Unlock all" selects what it unlocked, with the selection tool.
        self.follow_tool();
    }

    /// The pointer position of `ev` relative to the canvas, with its pressure and modifiers.
    fn pointer(&self, ev: &web_sys::MouseEvent) -> Pointer {
        let rect = self.engine.borrow().canvas.get_bounding_client_rect();
        let pressure = ev
            .dyn_ref::<web_sys::PointerEvent>()
            .filter(|p| p.pointer_type() == "pen")
            .map(|p| p.pressure());
        Pointer {
            at: ScreenPoint::new(
                f64::from(ev.client_x()) - rect.left(),
                f64::from(ev.client_y()) - rect.top(),
            ),
            pressure,
            modifiers: Modifiers {
                shift: ev.shift_key(),
                alt: ev.alt_key(),
                ctrl: ev.ctrl_key() || ev.meta_key(),
            },
        }
    }

    /// Shows the cursor the editor wants at `at`.
    fn update_cursor(&self, at: ScreenPoint) {
        let e = self.engine.borrow();
        // Fully qualified: leptos's prelude has a `style` method for elements too.
        let _ = web_sys::HtmlElement::style(&e.canvas)
            .set_property("cursor", e.editor.cursor(at).css());
    }

    /// The two fingers of a pinch, if two are down.
    fn pinch_pair(e: &Engine) -> Option<[ScreenPoint; 2]> {
        match e.touches.as_slice() {
            [(_, a), (_, b), ..] => Some([*a, *b]),
            _ => None,
        }
    }

    /// Tracks a finger; with two down, whatever the first one started is abandoned (it was
    /// the start of a pinch, not a stroke) and the fingers pan and zoom. Returns whether the
    /// event belongs to a pinch.
    fn touch_down(&self, ev: &web_sys::PointerEvent) -> bool {
        if ev.pointer_type() != "touch" {
            return false;
        }
        let at = self.pointer(ev).at;
        let mut e = self.engine.borrow_mut();
        e.touches.retain(|(id, _)| *id != ev.pointer_id());
        e.touches.push((ev.pointer_id(), at));
        if e.touches.len() < 2 {
            return false;
        }
        e.editor.cancel();
        drop(e);
        (self.schedule)();
        true
    }

    /// Moves a tracked finger; during a pinch, pans and zooms. Returns whether it did.
    fn touch_move(&self, ev: &web_sys::PointerEvent) -> bool {
        if ev.pointer_type() != "touch" {
            return false;
        }
        let at = self.pointer(ev).at;
        let mut e = self.engine.borrow_mut();
        let Some(before) = Self::pinch_pair(&e) else {
            return false;
        };
        if let Some(t) = e.touches.iter_mut().find(|(id, _)| *id == ev.pointer_id()) {
            t.1 = at;
        }
        if let Some(after) = Self::pinch_pair(&e) {
            e.editor.pinch(before, after);
        }
        drop(e);
        (self.schedule)();
        true
    }

    /// Forgets a finger that lifted. Returns whether a pinch was going on.
    fn touch_up(&self, ev: &web_sys::PointerEvent) -> bool {
        let mut e = self.engine.borrow_mut();
        let pinching = e.touches.len() >= 2;
        e.touches.retain(|(id, _)| *id != ev.pointer_id());
        pinching
    }

    fn pointer_down(&self, ev: &web_sys::PointerEvent) {
        ev.prevent_default();
        if self.touch_down(ev) || !ev.is_primary() {
            return;
        }
        // Clicking the canvas while typing keeps the text first (the textarea may not lose
        // focus, since the pointer-down's default is prevented).
        text::commit(self);
        let _ = self
            .engine
            .borrow()
            .canvas
            .set_pointer_capture(ev.pointer_id());
        let button = match ev.button() {
            0 => PointerButton::Primary,
            1 => PointerButton::Middle,
            _ => PointerButton::Other,
        };
        let p = self.pointer(ev);
        {
            let mut e = self.engine.borrow_mut();
            e.editor.set_clock(js_sys::Date::now());
            e.editor.pointer_down(p, button);
        }
        self.update_cursor(p.at);
        self.refresh();
    }

    fn pointer_move(&self, ev: &web_sys::PointerEvent) {
        if self.touch_move(ev) || !ev.is_primary() {
            return;
        }
        let p = self.pointer(ev);
        let world = {
            let mut e = self.engine.borrow_mut();
            e.pointer_at = Some(p.at);
            e.editor.set_clock(js_sys::Date::now());
            e.editor.pointer_move(p);
            e.editor.camera.screen_to_world(p.at)
        };
        if let Some(l) = &self.live {
            l.cursor(world);
        }
        self.update_cursor(p.at);
        (self.schedule)();
    }

    fn pointer_up(&self, ev: &web_sys::PointerEvent) {
        // The end of a pinch ends nothing else (its gesture was abandoned when it began).
        if self.touch_up(ev) || !ev.is_primary() {
            return;
        }
        let p = self.pointer(ev);
        let created = {
            let mut e = self.engine.borrow_mut();
            let id = e.editor.pointer_up(p, &mut BrowserEntropy);
            let ink = id.filter(|id| {
                e.editor
                    .scene()
                    .get(*id)
                    .is_some_and(|el| el.props().kind == ElementKind::Freedraw)
            });
            (id.is_some(), ink)
        };
        self.changed_if(created.0);
        self.follow_tool();
        text::sync(self);
        if let Some(ink) = created.1
            && self.engine.borrow().ui.auto_shape.get_untracked()
        {
            recognize::auto_shape(self, ink);
        }
        self.update_cursor(p.at);
    }

    /// [`Board::changed`] or, when the board did not change, [`Board::refresh`].
    fn changed_if(&self, changed: bool) {
        if changed {
            self.changed();
        } else {
            self.refresh();
        }
    }

    /// Ctrl+C: the selection goes on the clipboard as Inkroom JSON (`text/plain`, so other
    /// tabs and apps can read it). Without a selection the browser does its own copy.
    fn copy(&self, ev: &web_sys::ClipboardEvent) {
        if in_field(ev) {
            return;
        }
        if let Some(text) = self.engine.borrow().editor.copy_selection() {
            put_on_clipboard(ev, &text);
        }
    }

    /// Ctrl+X: copies the selection, then deletes it (one undoable change). Nothing is deleted
    /// when the event has no clipboard to write to.
    fn cut(&self, ev: &web_sys::ClipboardEvent) {
        if in_field(ev) || ev.clipboard_data().is_none() {
            return;
        }
        let text = self
            .engine
            .borrow_mut()
            .editor
            .cut_selection(&mut BrowserEntropy);
        if let Some(text) = text {
            put_on_clipboard(ev, &text);
            self.changed();
        }
    }

    /// Ctrl+V: inserts copied elements or text at the pointer (or the middle of the view);
    /// content the editor refuses is reported in a toast and changes nothing. The DOM `paste`
    /// event carries the clipboard, so no clipboard permission is needed.
    fn paste(&self, ev: &web_sys::ClipboardEvent) {
        if in_field(ev) {
            return;
        }
        let Some(text) = ev
            .clipboard_data()
            .and_then(|d| d.get_data("text/plain").ok())
        else {
            return;
        };
        ev.prevent_default();
        let result = {
            let mut e = self.engine.borrow_mut();
            let at = e.pointer_at;
            e.editor.paste(&text, at, &mut BrowserEntropy)
        };
        match result {
            Ok(_) => {
                self.changed();
                self.follow_tool();
            }
            Err(err) => self.toast(err.to_string(), None, true),
        }
    }

    fn key_down(&self, ev: &web_sys::KeyboardEvent) {
        // Typing in a form field (or the text box) is not a board shortcut.
        if in_field(ev) {
            return;
        }
        let on_button = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .is_some_and(|el| el.tag_name() == "BUTTON");
        if ev.key() == " " && !on_button {
            // Space + drag pans; keep the page itself from scrolling. (Space on a focused
            // button still presses the button.)
            ev.prevent_default();
            self.engine.borrow_mut().editor.set_space_held(true);
            return;
        }
        let ui = self.engine.borrow().ui;
        if ev.key() == "?" {
            ev.prevent_default();
            ui.help.update(|h| *h = !*h);
            return;
        }
        if ev.key() == "Escape" && ui.help.get_untracked() {
            ui.help.set(false);
            return;
        }
        let modifiers = Modifiers {
            shift: ev.shift_key(),
            alt: ev.alt_key(),
            ctrl: ev.ctrl_key() || ev.meta_key(),
        };
        let Some(command) = Command::from_key(&ev.key(), modifiers) else {
            return;
        };
        // Keys pressed on a focused toolbar button (Enter, Space) are not ours, but letters are.
        if command == Command::EditText && on_button {
            return;
        }
        ev.prevent_default();
        let (changed, tool) = {
            let mut e = self.engine.borrow_mut();
            let changed = e.editor.run(command, &mut BrowserEntropy);
            (changed, e.editor.tool())
        };
        // Tool keys and select-all change the tool: the toolbar follows.
        set_if_changed(ui.tool, tool);
        self.changed_if(changed);
        // Enter may have opened the text box.
        text::sync(self);
    }
}

/// Whether `ev` happened in a form field or the text box: what is typed, copied or pasted there
/// is not the board's.
fn in_field(ev: &web_sys::Event) -> bool {
    ev.target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"))
}

/// Puts `text` on the clipboard of a `copy` or `cut` event (the browser keeps its own copy of
/// the page's selection unless the default is prevented).
fn put_on_clipboard(ev: &web_sys::ClipboardEvent, text: &str) {
    if let Some(data) = ev.clipboard_data()
        && data.set_data("text/plain", text).is_ok()
    {
        ev.prevent_default();
    }
}

/// Everything that must stay alive while the board is mounted; dropping it detaches the engine.
struct Mounted {
    _listeners: Vec<Listener>,
    resize: Option<(web_sys::ResizeObserver, Closure<dyn FnMut()>)>,
    _hook: ReadHooks,
    _bench: BenchHooks,
    live: Option<Rc<live::Live>>,
    ticker: Option<(i32, Closure<dyn FnMut()>)>,
}

impl Drop for Mounted {
    fn drop(&mut self) {
        if let Some(live) = &self.live {
            live.stop();
        }
        if let (Some((id, _)), Some(window)) = (&self.ticker, web_sys::window()) {
            window.clear_interval_with_handle(*id);
        }
        if let Some((observer, _)) = &self.resize {
            observer.disconnect();
        }
        if let Some(window) = web_sys::window() {
            let _ = js_sys::Reflect::delete_property(&window, &"__inkroom".into());
        }
    }
}

/// Attaches the engine to `canvas`, following and reporting the board's [`Ui`] state. Returns
/// what the board's buttons call, or `None` when the browser cannot draw (no Canvas 2D).
pub fn mount(
    canvas: HtmlCanvasElement,
    ui: Ui,
    live: Option<LiveParams>,
    read_only: bool,
) -> Option<super::Dispatch> {
    let Some(ctx) = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok())
    else {
        leptos::logging::error!("Canvas 2D is not available");
        return None;
    };
    let overlay = canvas
        .parent_element()
        .and_then(|host| host.query_selector("canvas.board-overlay").ok().flatten())
        .and_then(|el| el.dyn_into::<HtmlCanvasElement>().ok())
        .and_then(|c| {
            let ctx = c.get_context("2d").ok().flatten()?;
            Some((c, ctx.dyn_into::<CanvasRenderingContext2d>().ok()?))
        });
    let text_box = canvas
        .parent_element()
        .and_then(|host| host.query_selector("textarea.text-editor").ok().flatten())
        .and_then(|el| el.dyn_into::<HtmlTextAreaElement>().ok());
    // A random id below 2^53 (it travels as a JSON number) for this page's connection.
    let client = (js_sys::Math::random() * 9.0e15) as u64 + 1;
    let mut editor = Editor::new(client);
    if read_only {
        editor.set_access(Access::View);
    }
    let engine: Shared = Rc::new(RefCell::new(Engine {
        editor,
        cursors: HashMap::new(),
        names: HashMap::new(),
        canvas: canvas.clone(),
        ctx,
        overlay,
        css_size: (0.0, 0.0),
        dpr: 1.0,
        frame_requested: false,
        ui,
        text_box: text_box.clone(),
        text_open: false,
        toasts: 0,
        touches: Vec::new(),
        pointer_at: None,
        frame_ms: Vec::new(),
        live: None,
    }));
    // The frame callback asks for the next frame itself while something animates (the laser
    // trail fading), so it holds a weak reference to itself.
    let frame: Rc<Closure<dyn FnMut()>> = {
        let engine = engine.clone();
        Rc::new_cyclic(|me: &Weak<Closure<dyn FnMut()>>| {
            let me = me.clone();
            Closure::new(move || {
                if paint_frame(&engine)
                    && let Some(me) = me.upgrade()
                {
                    request_frame(&engine, &me);
                }
            })
        })
    };
    let schedule: Rc<dyn Fn()> = {
        let engine = engine.clone();
        let frame = frame.clone();
        Rc::new(move || request_frame(&engine, &frame))
    };

    resize(&engine);
    schedule();
    let live = live.map(|p| {
        let live = live::Live::start(
            p.slug,
            engine.clone(),
            schedule.clone(),
            p.set_state,
            p.presence,
        );
        engine.borrow_mut().live = Some(Rc::downgrade(&live));
        // The badges choose whom to follow; the connection tells the server.
        Effect::new({
            let live = live.clone();
            let following = p.presence.following;
            move |_| live.follow(following.get())
        });
        live
    });
    let board = Board {
        engine: engine.clone(),
        schedule: schedule.clone(),
        live: live.clone(),
    };

    // The toolbar (and the keyboard, through `publish`) set the tool signal; the editor follows.
    Effect::new({
        let board = board.clone();
        move |_| {
            let t = ui.tool.get();
            board.engine.borrow_mut().editor.set_tool(t);
            board.refresh();
        }
    });

    let target: &EventTarget = canvas.as_ref();
    let mut listeners = Vec::new();
    let on = |target: &EventTarget, event: &'static str, f: fn(&Board, &web_sys::Event)| {
        let board = board.clone();
        Listener::new(target, event, move |ev| f(&board, &ev))
    };
    listeners.push(on(target, "pointerdown", |b, ev| {
        if let Some(ev) = ev.dyn_ref() {
            b.pointer_down(ev);
        }
    }));
    listeners.push(on(target, "pointermove", |b, ev| {
        if let Some(ev) = ev.dyn_ref() {
            b.pointer_move(ev);
        }
    }));
    listeners.push(on(target, "pointerup", |b, ev| {
        if let Some(ev) = ev.dyn_ref() {
            b.pointer_up(ev);
        }
    }));
    listeners.push(on(target, "pointerleave", |b, _| {
        b.engine.borrow_mut().pointer_at = None;
    }));
    listeners.push(on(target, "pointercancel", |b, ev| {
        if let Some(ev) = ev.dyn_ref() {
            b.touch_up(ev);
        }
        b.engine.borrow_mut().editor.cancel();
        (b.schedule)();
    }));
    listeners.push(on(target, "dblclick", |b, ev| {
        let Some(ev) = ev.dyn_ref::<web_sys::MouseEvent>() else {
            return;
        };
        let at = b.pointer(ev).at;
        if b.engine.borrow_mut().editor.double_click(at) {
            b.refresh();
            text::sync(b);
        }
    }));
    listeners.push(on(target, "wheel", |b, ev| {
        let Some(ev) = ev.dyn_ref::<web_sys::WheelEvent>() else {
            return;
        };
        ev.prevent_default();
        // deltaMode 1 = lines, 2 = pages; normalise to pixels.
        let unit = match ev.delta_mode() {
            1 => 16.0,
            2 => b.engine.borrow().css_size.1,
            _ => 1.0,
        };
        let at = b.pointer(ev).at;
        let delta = ScreenVec::new(ev.delta_x() * unit, ev.delta_y() * unit);
        // The text box sits at fixed screen coordinates: keep what was typed before moving.
        text::commit(b);
        b.engine
            .borrow_mut()
            .editor
            .wheel(at, delta, ev.ctrl_key() || ev.meta_key());
        (b.schedule)();
    }));
    if let Some(window) = web_sys::window() {
        listeners.push(on(window.as_ref(), "keydown", |b, ev| {
            if let Some(ev) = ev.dyn_ref() {
                b.key_down(ev);
            }
        }));
        listeners.push(on(window.as_ref(), "copy", |b, ev| {
            if let Some(ev) = ev.dyn_ref() {
                b.copy(ev);
            }
        }));
        listeners.push(on(window.as_ref(), "cut", |b, ev| {
            if let Some(ev) = ev.dyn_ref() {
                b.cut(ev);
            }
        }));
        listeners.push(on(window.as_ref(), "paste", |b, ev| {
            if let Some(ev) = ev.dyn_ref() {
                b.paste(ev);
            }
        }));
        listeners.push(on(window.as_ref(), "keyup", |b, ev| {
            if let Some(ev) = ev.dyn_ref::<web_sys::KeyboardEvent>()
                && ev.key() == " "
            {
                b.engine.borrow_mut().editor.set_space_held(false);
            }
        }));
    }
    if let Some(text_box) = &text_box {
        listeners.extend(text::listeners(&board, text_box));
    }

    // Follow the element's layout size (window resizes, panels opening) and the pixel ratio.
    let resize_observer = canvas.parent_element().and_then(|host| {
        let engine = engine.clone();
        let schedule = schedule.clone();
        let callback = Closure::<dyn FnMut()>::new(move || {
            resize(&engine);
            schedule();
        });
        let observer = web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()).ok()?;
        observer.observe(&host);
        Some((observer, callback))
    });

    // Read-only hooks for end-to-end tests and debugging: the live scene as JSON, and the world
    // rectangle the canvas shows (`{"min":{x,y},"max":{x,y}}`).
    let hook = {
        let scene = {
            let engine = engine.clone();
            Closure::<dyn Fn() -> String>::new(move || {
                let e = engine.borrow();
                let live: Vec<_> = e.editor.scene().iter_live().collect();
                serde_json::to_string(&live).unwrap_or_default()
            })
        };
        let engine = engine.clone();
        let view = Closure::<dyn Fn() -> String>::new(move || {
            let e = engine.borrow();
            let (w, h) = e.css_size;
            serde_json::to_string(&e.editor.camera.visible_rect(w, h)).unwrap_or_default()
        });
        (scene, view)
    };
    // Benchmark hooks (`end2end/bench/`): load N generated elements into this tab only (never
    // synced), and read the frame times painted since the last read.
    let bench = {
        let load = {
            let (engine, schedule) = (engine.clone(), schedule.clone());
            Closure::<dyn Fn(u32)>::new(move |n: u32| {
                let scene = inkroom_core::bench::mixed_scene(n as usize, 1);
                engine.borrow_mut().editor.load(scene, 0, 0);
                schedule();
            })
        };
        let engine = engine.clone();
        let stats = Closure::<dyn Fn() -> String>::new(move || {
            let samples = std::mem::take(&mut engine.borrow_mut().frame_ms);
            serde_json::to_string(&samples).unwrap_or_default()
        });
        (load, stats)
    };
    if let Some(window) = web_sys::window() {
        let obj = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&obj, &"sceneJson".into(), hook.0.as_ref());
        let _ = js_sys::Reflect::set(&obj, &"viewJson".into(), hook.1.as_ref());
        let _ = js_sys::Reflect::set(&obj, &"bench".into(), bench.0.as_ref());
        let _ = js_sys::Reflect::set(&obj, &"frameTimes".into(), bench.1.as_ref());
        let _ = js_sys::Reflect::set(&window, &"__inkroom".into(), &obj);
    }

    // Stale remote cursors fade out even when nothing else repaints.
    let ticker = web_sys::window().and_then(|window| {
        let (engine, schedule) = (engine.clone(), schedule.clone());
        let tick = Closure::<dyn FnMut()>::new(move || {
            if !engine.borrow().cursors.is_empty() {
                engine.borrow_mut().editor.invalidate_overlay();
                schedule();
            }
        });
        let id = window
            .set_interval_with_callback_and_timeout_and_arguments_0(
                tick.as_ref().unchecked_ref(),
                1000,
            )
            .ok()?;
        Some((id, tick))
    });
    // Leptos cleanups must be Send; the wrapper is sound because wasm has one thread.
    let mounted = SendWrapper::new(Mounted {
        _listeners: listeners,
        resize: resize_observer,
        _hook: hook,
        _bench: bench,
        live,
        ticker,
    });
    on_cleanup(move || drop(mounted));
    Engine::publish(&engine);
    Some(Rc::new(move |action| board.dispatch(action)))
}

fn request_frame(engine: &Shared, frame: &Rc<Closure<dyn FnMut()>>) {
    let mut e = engine.borrow_mut();
    if e.frame_requested {
        return;
    }
    let callback: &js_sys::Function = (**frame).as_ref().unchecked_ref();
    if let Some(window) = web_sys::window()
        && window.request_animation_frame(callback).is_ok()
    {
        e.frame_requested = true;
    }
}

/// Matches the canvas's backing store to its CSS size times the device pixel ratio.
fn resize(engine: &Shared) {
    let mut e = engine.borrow_mut();
    let dpr = web_sys::window()
        .map_or(1.0, |w| w.device_pixel_ratio())
        .max(0.5);
    let rect = e.canvas.get_bounding_client_rect();
    let (w, h) = (rect.width().max(1.0), rect.height().max(1.0));
    let (dw, dh) = ((w * dpr).round() as u32, (h * dpr).round() as u32);
    e.canvas.set_width(dw);
    e.canvas.set_height(dh);
    if let Some((c, _)) = &e.overlay {
        c.set_width(dw);
        c.set_height(dh);
    }
    e.css_size = (w, h);
    e.dpr = dpr;
    e.editor.set_view_size(w, h);
    e.editor.invalidate();
}

/// Paints a frame if anything changed, then lets the live connection see the new view (to
/// report it to followers, or to stop following when the user moved). Returns whether the
/// picture animates on its own (the next frame is then due even without input).
fn paint_frame(engine: &Shared) -> bool {
    let Some(animating) = paint_scene(engine) else {
        return false;
    };
    let live = engine
        .borrow()
        .live
        .as_ref()
        .and_then(std::rc::Weak::upgrade);
    if let Some(live) = live {
        live.view_painted();
    }
    animating
}

/// Paints the layers that changed: the scene layer (cached on the main canvas) only when the
/// scene side changed, the overlay (and remote cursors) whenever anything did. Returns `None`
/// if nothing changed, otherwise whether the picture animates.
fn paint_scene(engine: &Shared) -> Option<bool> {
    let mut e = engine.borrow_mut();
    e.frame_requested = false;
    e.editor.set_clock(js_sys::Date::now());
    let mut due = e.editor.take_repaint();
    if !due.scene && !due.overlay {
        return None;
    }
    if e.overlay.is_none() {
        // One canvas: the overlay is drawn over the scene, so both are painted.
        due.scene = true;
    }
    let performance = web_sys::window().and_then(|w| w.performance());
    let started = performance.as_ref().map(|p| p.now());
    let (w, h) = e.css_size;
    let device = (f64::from(e.canvas.width()), f64::from(e.canvas.height()));
    if due.scene {
        paint(&e.ctx, &e.editor.scene_layer(w, h), e.dpr, device);
    }
    let overlay = e.editor.overlay_layer();
    let ctx = e
        .overlay
        .as_ref()
        .map_or_else(|| e.ctx.clone(), |(_, ctx)| ctx.clone());
    // On the main canvas the overlay's transparent clear would erase the scene just painted.
    let skip = if e.overlay.is_some() { 0 } else { 1 };
    paint(&ctx, &overlay[skip..], e.dpr, device);
    if let (Some(p), Some(t0)) = (performance, started)
        && e.frame_ms.len() < MAX_FRAME_SAMPLES
    {
        e.frame_ms.push(p.now() - t0);
    }
    let now = js_sys::Date::now();
    e.cursors.retain(|_, c| now - c.at_ms < STALE_CURSOR_MS);
    paint_cursors(&e, &ctx);
    Some(e.editor.is_animating())
}

/// Draws other users' pointers with their names, in screen space (constant size at any zoom).
fn paint_cursors(e: &Engine, ctx: &CanvasRenderingContext2d) {
    let _ = ctx.set_transform(e.dpr, 0.0, 0.0, e.dpr, 0.0, 0.0);
    ctx.set_global_alpha(1.0);
    ctx.set_font("12px system-ui, sans-serif");
    for (user_id, c) in &e.cursors {
        let p = e.editor.camera.world_to_screen(c.at);
        let (name, color) = e
            .names
            .get(user_id)
            .cloned()
            .unwrap_or_else(|| (String::new(), "#868e96".to_owned()));
        ctx.set_fill_style_str(&color);
        ctx.begin_path();
        ctx.move_to(p.x, p.y);
        ctx.line_to(p.x + 4.0, p.y + 14.0);
        ctx.line_to(p.x + 7.5, p.y + 8.5);
        ctx.line_to(p.x + 13.0, p.y + 7.0);
        ctx.close_path();
        ctx.fill();
        if !name.is_empty() {
            let _ = ctx.fill_text(&name, p.x + 12.0, p.y + 22.0);
        }
    }
}

/// Paints drawing commands on a Canvas 2D context: the browser back end of the core renderer.
struct CanvasPainter<'a> {
    ctx: &'a CanvasRenderingContext2d,
    /// Device pixels per CSS pixel.
    dpr: f64,
    /// The backing store's size in device pixels.
    device: (f64, f64),
}

impl CanvasPainter<'_> {
    fn trace(&self, path: &[PathEl]) {
        let ctx = self.ctx;
        ctx.begin_path();
        for el in path {
            match *el {
                PathEl::MoveTo(p) => ctx.move_to(p.x, p.y),
                PathEl::LineTo(p) => ctx.line_to(p.x, p.y),
                PathEl::CubicTo(a, b, p) => ctx.bezier_curve_to(a.x, a.y, b.x, b.y, p.x, p.y),
                PathEl::Close => ctx.close_path(),
            }
        }
    }
}

impl Painter for CanvasPainter<'_> {
    fn clear(&mut self, color: Color) {
        let ctx = self.ctx;
        let _ = ctx.set_transform(1.0, 0.0, 0.0, 1.0, 0.0, 0.0);
        ctx.set_global_alpha(1.0);
        if color == Color::TRANSPARENT {
            ctx.clear_rect(0.0, 0.0, self.device.0, self.device.1);
            return;
        }
        ctx.set_fill_style_str(&color.to_string());
        ctx.fill_rect(0.0, 0.0, self.device.0, self.device.1);
    }

    fn set_camera(&mut self, cam: &Camera) {
        let k = cam.zoom * self.dpr;
        let _ = self
            .ctx
            .set_transform(k, 0.0, 0.0, k, -cam.origin.x * k, -cam.origin.y * k);
    }

    fn path(
        &mut self,
        path: &[PathEl],
        fill: Option<Color>,
        stroke: Option<&Stroke>,
        opacity: f64,
    ) {
        let ctx = self.ctx;
        ctx.set_global_alpha(opacity);
        self.trace(path);
        if let Some(fill) = fill {
            ctx.set_fill_style_str(&fill.to_string());
            ctx.fill();
        }
        if let Some(s) = stroke {
            ctx.set_line_width(s.width);
            ctx.set_stroke_style_str(&s.color.to_string());
            let dashes = js_sys::Array::new();
            for d in s.dashes().into_iter().flatten() {
                dashes.push(&JsValue::from_f64(d));
            }
            let _ = ctx.set_line_dash(&dashes);
            ctx.set_line_join("round");
            ctx.set_line_cap("round");
            ctx.stroke();
        }
    }

    fn text(&mut self, t: &TextBlock) {
        let ctx = self.ctx;
        ctx.save();
        ctx.set_global_alpha(t.opacity);
        let _ = ctx.translate(t.pivot.x, t.pivot.y);
        let _ = ctx.rotate(t.angle.0);
        let _ = ctx.translate(-t.pivot.x, -t.pivot.y);
        ctx.set_font(&format!("{}px {}", t.size, t.family.css_stack()));
        ctx.set_text_align(match t.align {
            TextAlign::Left => "left",
            TextAlign::Center => "center",
            TextAlign::Right => "right",
        });
        ctx.set_text_baseline("alphabetic");
        ctx.set_fill_style_str(&t.color.to_string());
        for line in &t.lines {
            let _ = ctx.fill_text(&line.text, line.anchor.x, line.anchor.y);
        }
        ctx.restore();
    }
}

/// Paints drawing commands on a Canvas 2D context. `dpr` maps CSS pixels to device pixels.
fn paint(ctx: &CanvasRenderingContext2d, commands: &[DrawCommand], dpr: f64, device: (f64, f64)) {
    render::paint(commands, &mut CanvasPainter { ctx, dpr, device });
}
