//! DOM input: the listeners a mounted board registers on the canvas, the window and the text
//! box, and what each event becomes in the editor (pointer and touch gestures, the wheel,
//! double clicks, keys and the clipboard).

use super::{Board, BrowserEntropy, Engine, recognize, set_if_changed, text};
use inkroom_core::editor::{Command, Pointer, PointerButton, ToolKind};
use inkroom_core::element::ElementKind;
use inkroom_core::geom::{ScreenPoint, ScreenVec};
use inkroom_core::protocol::Activity;
use inkroom_core::tool::Modifiers;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{EventTarget, HtmlCanvasElement};

/// An event listener that is removed when dropped.
pub(super) struct Listener {
    target: EventTarget,
    event: &'static str,
    callback: Closure<dyn FnMut(web_sys::Event)>,
}

impl Listener {
    pub(super) fn new(
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

/// Registers every listener the board needs: pointer, double-click and wheel on the canvas, keys
/// and the clipboard on the window, and the text box's own. Dropping them detaches the board.
pub(super) fn listen(board: &Board, canvas: &HtmlCanvasElement) -> Vec<Listener> {
    let target: &EventTarget = canvas.as_ref();
    let mut listeners = vec![
        on(board, target, "pointerdown", Board::pointer_down),
        on(board, target, "pointermove", Board::pointer_move),
        on(board, target, "pointerup", Board::pointer_up),
        on(board, target, "pointerleave", Board::pointer_leave),
        on(board, target, "pointercancel", Board::pointer_cancel),
        on(board, target, "dblclick", Board::double_click),
        on(board, target, "wheel", Board::wheel),
    ];
    if let Some(document) = web_sys::window().and_then(|w| w.document()) {
        let target: &EventTarget = document.as_ref();
        listeners.push(on(
            board,
            target,
            "visibilitychange",
            Board::visibility_change,
        ));
    }
    if let Some(window) = web_sys::window() {
        let target: &EventTarget = window.as_ref();
        listeners.extend([
            on(board, target, "keydown", Board::key_down),
            on(board, target, "copy", Board::copy),
            on(board, target, "cut", Board::cut),
            on(board, target, "paste", Board::paste),
            on(board, target, "keyup", Board::key_up),
        ]);
    }
    let text_box = board.engine.borrow().text_box.clone();
    if let Some(text_box) = &text_box {
        listeners.extend(text::listeners(board, text_box));
    }
    listeners
}

/// Listens for `event` on `target`, handing it to `handler` when it is an `E` (other events of
/// that name are ignored).
fn on<E: JsCast + 'static>(
    board: &Board,
    target: &EventTarget,
    event: &'static str,
    handler: fn(&Board, &E),
) -> Listener {
    let board = board.clone();
    Listener::new(target, event, move |ev| {
        if let Some(ev) = ev.dyn_ref::<E>() {
            handler(&board, ev);
        }
    })
}

impl Board {
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
        // Nor does any other field (the chat box, the opacity slider): without this, the
        // board's shortcuts would keep going to it after a click on the canvas.
        blur_field();
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
        let (world, tool) = {
            let mut e = self.engine.borrow_mut();
            e.editor.set_clock(js_sys::Date::now());
            e.editor.pointer_down(p, button);
            (e.editor.camera.screen_to_world(p.at), e.editor.tool())
        };
        if let Some(l) = &self.live {
            // Presence: drawing with a tool that edits; the laser goes out at once.
            let edits =
                tool.edits() && tool != ToolKind::Select && button == PointerButton::Primary;
            l.input(edits.then_some(Activity::Drawing));
            l.cursor(world);
        }
        self.update_cursor(p.at);
        self.refresh();
    }

    /// The tab was hidden or shown: presence says "away" meanwhile.
    fn visibility_change(&self, _: &web_sys::Event) {
        let hidden = web_sys::window()
            .and_then(|w| w.document())
            .is_some_and(|d| d.hidden());
        if let Some(l) = &self.live {
            l.visibility(hidden);
        }
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
            if ev.buttons() == 0 {
                l.input(None);
            }
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
        if let Some(l) = &self.live {
            // The laser is off now: the others' trail stops here.
            let world = self.engine.borrow().editor.camera.screen_to_world(p.at);
            l.cursor(world);
            l.input(Some(Activity::Active));
        }
        text::sync(self);
        if let Some(ink) = created.1
            && self.engine.borrow().ui.auto_shape.get_untracked()
        {
            recognize::auto_shape(self, ink);
        }
        self.update_cursor(p.at);
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
        let plain = !(ev.ctrl_key() || ev.meta_key() || ev.alt_key() || ev.shift_key());
        if plain && ev.key().eq_ignore_ascii_case("c") && self.live.is_some() {
            // C: the chat, ready to type.
            ev.prevent_default();
            ui.chat.open.set(true);
            ui.chat.unread.set(0);
            // Once the panel is shown (a hidden field cannot take the focus).
            set_timeout(
                || {
                    if let Some(input) = web_sys::window()
                        .and_then(|w| w.document())
                        .and_then(|d| d.query_selector("[data-testid=chat-input]").ok().flatten())
                        .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok())
                    {
                        let _ = input.focus();
                    }
                },
                std::time::Duration::ZERO,
            );
            return;
        }
        if let Some(l) = &self.live {
            l.input(None);
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

    /// The pointer left the canvas: pastes no longer land where it was.
    fn pointer_leave(&self, _: &web_sys::Event) {
        self.engine.borrow_mut().pointer_at = None;
    }

    /// The browser took the pointer over (a system gesture, a lost pen): the gesture in
    /// progress is abandoned.
    fn pointer_cancel(&self, ev: &web_sys::Event) {
        if let Some(ev) = ev.dyn_ref() {
            self.touch_up(ev);
        }
        self.engine.borrow_mut().editor.cancel();
        (self.schedule)();
    }

    /// A double click opens the text editor there (see
    /// [`inkroom_core::editor::Editor::double_click`]).
    fn double_click(&self, ev: &web_sys::MouseEvent) {
        let at = self.pointer(ev).at;
        if self.engine.borrow_mut().editor.double_click(at) {
            self.refresh();
            text::sync(self);
        }
    }

    /// The wheel (or a trackpad) pans, or zooms about the pointer with Ctrl or Cmd.
    fn wheel(&self, ev: &web_sys::WheelEvent) {
        ev.prevent_default();
        // deltaMode 1 = lines, 2 = pages; normalise to pixels.
        let unit = match ev.delta_mode() {
            1 => 16.0,
            2 => self.engine.borrow().css_size.1,
            _ => 1.0,
        };
        let at = self.pointer(ev).at;
        let delta = ScreenVec::new(ev.delta_x() * unit, ev.delta_y() * unit);
        // The text box sits at fixed screen coordinates: keep what was typed before moving.
        text::commit(self);
        self.engine
            .borrow_mut()
            .editor
            .wheel(at, delta, ev.ctrl_key() || ev.meta_key());
        (self.schedule)();
    }

    /// Releasing Space ends Space + drag panning.
    fn key_up(&self, ev: &web_sys::KeyboardEvent) {
        if ev.key() == " " {
            self.engine.borrow_mut().editor.set_space_held(false);
        }
    }
}

/// Whether `ev` happened in a form field or the text box: what is typed, copied or pasted there
/// is not the board's.
fn in_field(ev: &web_sys::Event) -> bool {
    ev.target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|el| is_field(&el))
}

/// Whether `el` takes typing (so the board's shortcuts leave it alone).
fn is_field(el: &web_sys::Element) -> bool {
    matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
}

/// Takes the focus away from a form field, if one has it.
fn blur_field() {
    let active = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.active_element());
    if let Some(el) = active
        && is_field(&el)
        && let Ok(el) = el.dyn_into::<web_sys::HtmlElement>()
    {
        let _ = el.blur();
    }
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
