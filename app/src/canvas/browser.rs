//! The browser half of the canvas engine (feature `hydrate`): DOM events in, Canvas 2D out.
//!
//! All decisions are made by [`inkroom_core::editor::Editor`]; this module only translates events
//! into editor calls, paints the editor's drawing commands and keeps the board's [`Ui`] signals
//! up to date. Painting happens in a `requestAnimationFrame` callback that is requested only when
//! the editor reports a change, so an idle board costs no CPU.
//!
//! - `events`: the DOM listeners, and what each event becomes in the editor.
//! - `paint`: animation frames, the canvases and the Canvas 2D back end of the renderer.
//! - `hooks`: `window.__inkroom`, for end-to-end tests and the canvas benchmark.
//! - `live`: the WebSocket connection to the room.
//! - `text`: the textarea over the canvas in which text is typed.
//! - `recognize`: calls to the shape and handwriting recognisers, and the toasts reporting them.
//!
//! These files are one thing: the `Engine` (editor and canvases), the `Board` (what handlers
//! hold) and the `Live` connection refer to each other (the connection updates the engine, the
//! engine tells the connection what it painted, handlers drive both), and each file holds the
//! part of them one concern needs. That is the one import circle `scripts/module-cycles` accepts
//! in the app; breaking it would take trait objects standing in for types that have exactly one
//! implementation.

mod events;
mod hooks;
mod live;
mod paint;
mod prefs;
mod recognize;
mod text;

use crate::canvas::ui::{Dispatch, LinkState, Presence, Toast, Ui, UiAction};
use inkroom_core::editor::{Access, Command, Editor, Entropy};
use inkroom_core::element::ElementId;
use inkroom_core::geom::{ScreenPoint, WorldPoint};
use inkroom_core::history::ActionId;
use inkroom_core::protocol::Activity;
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::time::Duration;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, HtmlTextAreaElement};

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

/// Another user's pointer, in world coordinates, and when it last moved.
struct RemoteCursor {
    at: WorldPoint,
    at_ms: f64,
}

/// A mounted board's state: the editor, the canvases it paints on, and what the browser side
/// keeps around it (remote cursors, touches, the text box, the live connection).
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
    /// Milliseconds each painted frame took, for the benchmark hook (feature `bench`).
    frame_times: hooks::FrameTimes,
    /// The room connection, told after each frame (following and reporting the viewport).
    live: Option<std::rc::Weak<live::Live>>,
    /// Other users' laser trails by user id (ephemeral, like their cursors).
    lasers: HashMap<String, inkroom_core::tool::laser::Laser>,
}

type Shared = Rc<RefCell<Engine>>;

/// Sets a signal only when the value differs, so unchanged state re-renders nothing.
fn set_if_changed<T: PartialEq + Send + Sync + 'static>(signal: RwSignal<T>, value: T) {
    if signal.with_untracked(|v| *v != value) {
        signal.set(value);
    }
}

/// Shows a toast for [`TOAST_TIME`] (a newer toast replaces it).
fn toast(engine: &Shared, message: String, keep_ink: Option<ActionId>, error: bool) {
    let (ui, id) = {
        let mut e = engine.borrow_mut();
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
    pub presence: Presence,
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
        toast(&self.engine, message, keep_ink, error);
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
                UiAction::SendChat(text) => {
                    drop(e);
                    if let Some(live) = &self.live {
                        live.send_chat(text);
                    }
                    return;
                }
                UiAction::OlderChat => {
                    drop(e);
                    if let Some(live) = &self.live {
                        live.older_chat();
                    }
                    return;
                }
                UiAction::ChatTyping => {
                    drop(e);
                    if let Some(live) = &self.live {
                        live.input(Some(Activity::Typing));
                    }
                    return;
                }
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

    /// [`Board::changed`] or, when the board did not change, [`Board::refresh`].
    fn changed_if(&self, changed: bool) {
        if changed {
            self.changed();
        } else {
            self.refresh();
        }
    }
}

/// Everything that must stay alive while the board is mounted; dropping it detaches the engine.
struct Mounted {
    _listeners: Vec<events::Listener>,
    resize: Option<(web_sys::ResizeObserver, Closure<dyn FnMut()>)>,
    _hooks: hooks::Hooks,
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
        // `_hooks` removes `window.__inkroom` as it drops.
    }
}

/// Attaches the engine to `canvas`, following and reporting the board's [`Ui`] state. Returns
/// what the board's buttons call, or `None` when the browser cannot draw (no Canvas 2D).
pub fn mount(
    canvas: HtmlCanvasElement,
    ui: Ui,
    live: Option<LiveParams>,
    read_only: bool,
) -> Option<Dispatch> {
    let engine = new_engine(&canvas, ui, read_only)?;
    let schedule = paint::scheduler(&engine);
    paint::resize(&engine);
    schedule();
    let live = live.map(|params| connect(&engine, &schedule, params));
    let board = Board {
        engine: engine.clone(),
        schedule: schedule.clone(),
        live: live.clone(),
    };
    follow_toolbar(&board, ui);
    prefs::restore(&board, ui);
    let listeners = events::listen(&board, &canvas);
    let resize = paint::observe_resize(&engine, &schedule, &canvas);
    let hooks = hooks::install(&board);
    let ticker = paint::fade_stale_cursors(&engine, &schedule);
    // Leptos cleanups must be Send; the wrapper is sound because wasm has one thread.
    let mounted = SendWrapper::new(Mounted {
        _listeners: listeners,
        resize,
        _hooks: hooks,
        live,
        ticker,
    });
    on_cleanup(move || drop(mounted));
    Engine::publish(&engine);
    Some(Rc::new(move |action| board.dispatch(action)))
}

/// The engine for `canvas`: its Canvas 2D context, the overlay canvas and the text box beside it
/// (when the page has them) and an editor under a fresh connection id. `None` when the browser
/// cannot draw (no Canvas 2D).
fn new_engine(canvas: &HtmlCanvasElement, ui: Ui, read_only: bool) -> Option<Shared> {
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
        text_box,
        text_open: false,
        toasts: 0,
        touches: Vec::new(),
        pointer_at: None,
        frame_times: hooks::FrameTimes::default(),
        live: None,
        lasers: HashMap::new(),
    }));
    Some(engine)
}

/// Connects the board to its room; the presence badges choose whom to follow.
fn connect(engine: &Shared, schedule: &Rc<dyn Fn()>, p: LiveParams) -> Rc<live::Live> {
    let chat = engine.borrow().ui.chat;
    let live = live::Live::start(
        p.slug,
        engine.clone(),
        schedule.clone(),
        p.set_state,
        p.presence,
        chat,
    );
    engine.borrow_mut().live = Some(Rc::downgrade(&live));
    // The badges choose whom to follow; the connection tells the server.
    Effect::new({
        let live = live.clone();
        let following = p.presence.following;
        move |_| live.follow(following.get())
    });
    live
}

/// The toolbar (and the keyboard, through `publish`) set the tool signal; the editor follows.
/// Text being typed is kept first (a browser may not blur the box when a button is clicked).
fn follow_toolbar(board: &Board, ui: Ui) {
    Effect::new({
        let board = board.clone();
        move |_| {
            let t = ui.tool.get();
            text::keep(&board);
            board.engine.borrow_mut().editor.set_tool(t);
            board.refresh();
        }
    });
}
